"""CSV exports open safely in a spreadsheet: a BOM for Excel, and outside text never runs as a
formula (a candidate can call themselves "=HYPERLINK(...)")."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onetake_desktop.storage.atomic import CSV_BOM, csv_bytes, indented_json


def test_csv_has_a_bom_and_keeps_formulas_as_text() -> None:
    rows = [
        {"name": '=HYPERLINK("https://evil.example","click")', "score": 3, "note": None},
        {"name": "+1 555", "score": -2, "note": "@SUM(A1)"},
        {"name": "Ada Lovelace", "score": 4, "note": "-- fine"},
    ]
    data = csv_bytes(["name", "score", "note"], rows)
    assert data.startswith(CSV_BOM)
    read = list(csv.DictReader(io.StringIO(data[len(CSV_BOM) :].decode("utf-8"))))
    assert read[0]["name"].startswith("'=HYPERLINK(") and read[0]["note"] == ""
    assert read[1]["name"] == "'+1 555" and read[1]["score"] == "-2"  # numbers stay numbers
    assert read[1]["note"] == "'@SUM(A1)" and read[2]["note"] == "'-- fine"
    assert read[2]["name"] == "Ada Lovelace"


# -- the fast writers give the old bytes -----------------------------------------------------------
# csv_bytes once wrote every row through csv.DictWriter and _cell; it now writes lists of cells
# in field order. The export files must not change by a byte: the old writer is kept here as the
# oracle. Exports' JSON (indent=2) is held to json.dumps itself.


_OLD_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _old_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_OLD_FORMULA_STARTS):
        return "'" + value
    return value


def _old_csv_bytes(fields: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(fields))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _old_cell(v) for k, v in row.items()})
    return CSV_BOM + buffer.getvalue().encode("utf-8")


def _old_json_cells(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # what ScoringService.write_export did before handing rows to csv_bytes
    return [
        {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
            for k, v in r.items()
        }
        for r in rows
    ]


# Hostile text: quotes, separators, line breaks of every kind, formula starts, non-BMP
# characters (no lone surrogates: they are not text a file can hold).
_HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("=+-@\t\r\n\",' ;{}[]\\\x00\x1f\u2028\u2029\x85é€😀")),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=12,
)
_PLAIN = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    _HOSTILE,
)
_NESTED = st.recursive(
    _PLAIN,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(_HOSTILE, inner, max_size=4),
    ),
    max_leaves=12,
)
_FIELDS = ["a", "b", "c", "d"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(_FIELDS), st.one_of(_PLAIN, _NESTED), max_size=4),
        max_size=6,
    )
)
def test_csv_bytes_gives_the_old_writers_bytes(rows: list[dict[str, Any]]) -> None:
    # rows may lack fields (an empty cell); lists and dicts only as JSON cells, as before
    flat = _old_json_cells(rows)
    assert csv_bytes(_FIELDS, flat) == _old_csv_bytes(_FIELDS, flat)
    assert csv_bytes(_FIELDS, rows, json_cells=True) == _old_csv_bytes(_FIELDS, flat)
    full = [{name: r.get(name, "") for name in _FIELDS} for r in flat]
    sequences = [tuple(r[name] for name in _FIELDS) for r in full]
    assert csv_bytes(_FIELDS, sequences) == _old_csv_bytes(_FIELDS, full)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_PLAIN), max_size=5))
def test_one_column_csv_gives_the_old_writers_bytes(cells: list[tuple[Any]]) -> None:
    # one field: a row of one empty cell is written "" (quoted), None as ""
    rows = [{"only": c} for (c,) in cells]
    assert csv_bytes(["only"], rows) == _old_csv_bytes(["only"], rows)
    assert csv_bytes(["only"], cells) == _old_csv_bytes(["only"], rows)


def test_csv_bytes_refuses_a_field_it_was_not_given_as_dictwriter_did() -> None:
    with pytest.raises(ValueError, match="not in fieldnames"):
        csv_bytes(["a", "b"], [{"a": 1, "x": 2}])  # as many keys as fields, not the same
    with pytest.raises(ValueError, match="not in fieldnames"):
        csv_bytes(["a", "b"], [{"a": 1, "b": 2, "x": 3}])


@settings(max_examples=400, deadline=None)
@given(_NESTED, st.booleans())
def test_indented_json_is_json_dumps_indent_2(value: Any, ensure_ascii: bool) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=ensure_ascii)
    assert indented_json(value, ensure_ascii=ensure_ascii) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.one_of(_HOSTILE, st.integers(), st.floats(), st.booleans(), st.none()),
            st.one_of(_PLAIN, _NESTED),
            max_size=6,
        ),
        max_size=5,
    ),
    st.booleans(),
)
def test_an_export_shaped_document_is_json_dumps_indent_2(
    rows: list[dict[Any, Any]], ensure_ascii: bool
) -> None:
    # the shape ScoringService.write_export writes: a header, then rows under one key
    doc = {"format_version": 2, "kind": "summary", "blind": True, "candidates": rows}
    expected = json.dumps(doc, indent=2, ensure_ascii=ensure_ascii)
    assert indented_json(doc, ensure_ascii=ensure_ascii) == expected


def test_indented_json_refuses_what_json_dumps_refuses() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"a": [1, object()]})
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json([{"a": {1, 2}}])
    with pytest.raises(TypeError, match="keys must be"):
        indented_json({(1, 2): [1, [2]]})
    loop: list[Any] = [1]
    loop.append([loop])
    with pytest.raises(ValueError, match="Circular reference"):
        indented_json({"a": loop})
