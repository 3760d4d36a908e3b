"""CSV exports open safely in a spreadsheet: a BOM for Excel, and outside text never runs as a
formula (a candidate can call themselves "=HYPERLINK(...)")."""

from __future__ import annotations

import csv
import io

from onetake_desktop.storage.atomic import CSV_BOM, csv_bytes


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
