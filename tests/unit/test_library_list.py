"""`onetake library list` over plain rows (issue 17): the rows say what the entries say, under
the same rules, and the JSON lines are exactly the encoder's (plain Python: no Qt, no PyAV)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import astuple, fields
from pathlib import Path

import pytest

from onetake_desktop.cli.library import json_lines
from onetake_desktop.domain.conformance import Flag, flag_to_dict
from onetake_desktop.services import reviewer
from onetake_desktop.services.reviewer import (
    ENTRY_FIELDS,
    CandidateEntry,
    EntryRow,
    ReviewerService,
    open_reviewer_service,
)
from onetake_desktop.storage import kitfile
from tests.unit.test_library_service import add


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ReviewerService]:
    svc = open_reviewer_service(tmp_path / "library")
    yield svc
    svc.close()


def test_entry_fields_are_the_entrys_fields_in_order() -> None:
    assert tuple(f.name for f in fields(CandidateEntry)) == ENTRY_FIELDS


@pytest.mark.parametrize("sort", ["name", "imported", "status"])
def test_rows_are_the_entries_under_the_same_rules(service: ReviewerService, sort: str) -> None:
    me = service.actor_for(service.default_reviewer.id)
    ada = add(service, "Ada Lovelace", "a" * 64)
    brian = add(service, "Brian Kernighan", "b" * 64)
    add(service, "Ångström Ödegaard", "c" * 64)
    service.save_score(me, answer_id=service.answers(brian)[0].id, score=3, note="")
    codes = {ada: "C-ZZ"}
    for search in ("", "angstrom", "c-zz", "Ada", "@"):
        for extra in (None, codes):
            entries = service.entries(me, search=search, sort=sort, codes=extra)
            rows = service.entry_rows(me, search=search, sort=sort, codes=extra)
            assert rows == [astuple(e) for e in entries]
    listed = service.listing(me, search="", sort=sort, codes=codes)
    assert listed.rows == service.entry_rows(me, sort=sort, codes=codes)
    assert listed.blind is False  # codes a window adds are not the panel's blind mode
    hidden = service.entry_rows(me, codes=codes)
    assert ("C-ZZ", "") in [(r[3], r[4]) for r in hidden]
    assert "Ada Lovelace" not in {r[3] for r in hidden}


HOSTILE = [
    'quote " backslash \\ slash /',
    "new\nline\ttab\r\x00\x1f",
    "Ångström Ödegaard 李小龙 😀 \u2028\u2029",
    '}, {"candidate_name": "injected"}',
    "",
]


def test_json_lines_are_the_encoders_text(service: ReviewerService) -> None:
    """Each line is what json.JSONEncoder(ensure_ascii=True) writes for the entry's dict,
    whatever the names hold, with its status and flags."""
    rows: list[EntryRow] = [
        (i, 7, text, text[::-1], f"{text}@example.org", "2026-01-01", text, 3, s, d, bool(i % 2))
        for i, text in enumerate(HOSTILE)
        for s, d in ((0, 0), (2, 0), (3, 3))
    ]
    flags = {1: (Flag("late", "Answered late: over the time limit.", "q1"),)}
    encode = json.JSONEncoder(ensure_ascii=True).encode
    expected = [
        encode(
            {
                **dict(zip(ENTRY_FIELDS, row, strict=True)),
                "status": CandidateEntry(*row).status,
                "flags": [flag_to_dict(f) for f in flags.get(row[0], ())],
            }
        )
        for row in rows
    ]
    assert json_lines(rows, flags) == expected
    assert all("\n" not in line for line in expected)


def test_the_demo_definition_is_the_kit_readers() -> None:
    assert reviewer.demo_definition_path() == kitfile.demo_definition_path()
    assert reviewer.demo_definition_path().is_file()


def test_a_second_open_does_not_read_the_demo_definition_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo is seeded once; later opens see it by the hash its file states."""
    open_reviewer_service(tmp_path / "library").close()

    def refuse(path: Path) -> object:
        raise AssertionError(f"{path.name} was parsed again")

    monkeypatch.setattr(kitfile, "load_definition", refuse)
    service = open_reviewer_service(tmp_path / "library")
    try:
        demo = [i for i in service.interviews() if i.interview_id.startswith("demo")]
        assert len(demo) == 1 and demo[0].has_definition
    finally:
        service.close()


def test_a_demo_file_whose_stated_hash_is_unknown_is_read_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stated hash is only a shortcut: when the library does not hold it, the file is read
    and checked in full, and a kit changed after it was built is not added."""
    data = json.loads(kitfile.demo_definition_path().read_text(encoding="utf-8"))
    data["kit"]["role_title"] += " (edited)"
    edited = tmp_path / "demo.onetakeinterview"
    edited.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(reviewer, "demo_definition_path", lambda: edited)
    service = open_reviewer_service(tmp_path / "library")
    try:
        assert [i for i in service.interviews() if i.interview_id.startswith("demo")] == []
    finally:
        service.close()


def test_the_demo_s_stated_hash_is_read_as_the_json_states_it(tmp_path: Path) -> None:
    """Every open finds the demo definition's stated kit hash without parsing the file: the
    same string as its JSON, and none (so the file is read in full) where it is not plain."""
    path = reviewer.demo_definition_path()
    stated = json.loads(path.read_bytes())["kit"]["content_hash"]
    assert reviewer._claimed_kit_hash(path) == stated
    other = tmp_path / "other.onetakeinterview"
    for text, expected in [
        ('{"kit": {"content_hash": "sha256:ab"}}', "sha256:ab"),
        ('{"kit": {"content_hash":"sha256:ab"}}', None),  # not as the file writes it
        ('{"kit": {"content_hash": "sha256:ab"}, "x": {"content_hash": "sha256:cd"}}', None),
        ('{"kit": {"welcome": "\\"content_hash\\": \\"sha256:ab\\""}}', None),
        ("{}", None),
    ]:
        other.write_text(text, encoding="utf-8")
        assert reviewer._claimed_kit_hash(other) == expected, text
    assert reviewer._claimed_kit_hash(tmp_path / "missing") is None
