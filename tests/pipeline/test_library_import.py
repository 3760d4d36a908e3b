"""Importing real bundles into the library, and the same data through the command line.

The commands run in this process (``cli.main``), on the calendar tests/pipeline/conftest.py
pins: every reading command erases candidates past their keeping date first, so a child
process on the system clock would erase these bundles (sealed 2026-11-01, kept 180 days) from
30 April 2027 on (review s11a M3). ``python -m onetake_desktop`` itself is run by
test_upload.py and test_bundle_hostile.py."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from onetake_desktop.cli import main
from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import open_reviewer_service
from tests.pipeline.library_bundles import make_bundle


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("incoming")
    make_bundle(d / "ada.onetake", "Ada Lovelace", seconds=1.0)
    make_bundle(d / "sub" / "grace.onetake", "Grace Hopper", seconds=1.0, audio_only=True)
    good = (d / "ada.onetake").read_bytes()
    (d / "truncated.onetake").write_bytes(good[: len(good) // 2])
    flipped = bytearray(good)
    flipped[len(flipped) // 3] ^= 0xFF  # one flipped bit inside a media member
    (d / "tampered.onetake").write_bytes(bytes(flipped))
    (d / "notes.txt").write_text("not a bundle, and not picked up from a folder")
    return d


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def onetake(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """``onetake ARGS``: its exit code and what it wrote to stdout and stderr."""

    def run(*args: str) -> Ran:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as stop:  # argparse's usage errors
            code = stop.code if isinstance(stop.code, int) else 1
        assert isinstance(code, int), "these commands open no window"
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def test_import_copies_media_and_records_every_answer(folder: Path) -> None:
    service = open_reviewer_service(app_paths().library)
    try:
        report = service.import_paths([folder / "ada.onetake"])
        (outcome,) = report.outcomes
        assert outcome.status == "imported" and not outcome.needs_definition
        sub = service.library.submissions.get(outcome.submission_id or 0)
        raw = (folder / "ada.onetake").read_bytes()
        assert sub.bundle_sha256 == hashlib.sha256(raw).hexdigest()
        assert sub.folder.is_relative_to(service.library.root)
        answers = service.answers(sub.id)
        assert [(a.question_id, a.answer_type) for a in answers] == [
            ("q1", "video"),
            ("q2", "video"),
            ("q3", "text"),
        ]
        for a in answers[:2]:
            assert a.media_path is not None and a.media_path.is_file()
            assert a.media_path.is_relative_to(service.library.root)
            assert a.takes_used == 2
        assert answers[2].text and "I am sorry" in answers[2].text
        # The library keeps working when the original bundle is gone.
        copy = folder.parent / "gone.onetake"
        copy.write_bytes(raw)
        assert service.import_paths([copy]).outcomes[0].status == "duplicate"
        copy.unlink()
        assert answers[0].media_path.is_file()  # type: ignore[union-attr]
        leftovers = [
            p
            for p in (service.library.root / "submissions").iterdir()
            if p.name.startswith(".incoming")
        ]
        assert leftovers == []
    finally:
        service.close()


def test_cli_imports_good_bundles_and_lists_each_refused_one(
    folder: Path, onetake: Callable[..., Ran]
) -> None:
    first = onetake("library", "import", str(folder))
    assert first.returncode == 3, first.stderr
    assert "imported" in first.stdout and "Ada Lovelace" in first.stdout
    assert "Grace Hopper" in first.stdout
    refused = {line.split(":")[0].split()[-1] for line in first.stderr.splitlines()}
    assert {Path(p).name for p in refused} == {"truncated.onetake", "tampered.onetake"}
    assert "2 imported, 2 refused." in first.stdout

    again = onetake("library", "import", str(folder / "ada.onetake"))
    assert again.returncode == 0, again.stderr
    assert "already in the library" in again.stdout

    listed = onetake("library", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert data["reviewer"] == "Me"
    assert [(c["candidate_name"], c["status"], c["answers"]) for c in data["candidates"]] == [
        ("Ada Lovelace", "not started", 3),
        ("Grace Hopper", "not started", 3),
    ]
    text = onetake("library", "list", "--search", "grace")
    assert "Grace Hopper" in text.stdout and "Ada" not in text.stdout


def test_cli_export_matches_the_database(
    folder: Path, tmp_path: Path, onetake: Callable[..., Ran]
) -> None:
    assert onetake("library", "import", str(folder / "ada.onetake")).returncode == 0
    service = open_reviewer_service(app_paths().library)
    try:
        me = service.actor_for(service.default_reviewer.id)
        sid = service.entries(me)[0].submission_id
        for answer, score in zip(service.answers(sid), (4, 2, 5), strict=True):
            service.save_score(
                me, answer_id=answer.id, score=score, note=f'note {score}, with "quotes"'
            )
        service.set_recommendation(me, submission_id=sid, value="yes")
        service.submit_candidate(me, submission_id=sid)
        other = service.library.reviewers.ensure("Grace")
        service.save_score(
            service.actor_for(other.id),
            answer_id=service.answers(sid)[0].id,
            score=1,
            note="not mine",
        )
        expected = [
            tuple(r)
            for r in service.library.db.execute(
                "SELECT a.question_id, sc.score, sc.status, sc.note FROM scores sc"
                " JOIN answers a ON a.id = sc.answer_id WHERE sc.reviewer_id = ?"
                " ORDER BY a.position",
                (me.reviewer_id,),
            )
        ]
    finally:
        service.close()
    out_csv, out_json = tmp_path / "scores.csv", tmp_path / "scores.json"
    assert onetake("scores", "export", "--format", "csv", "-o", str(out_csv)).returncode == 0
    assert onetake("scores", "export", "--format", "json", "-o", str(out_json)).returncode == 0
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8-sig", newline="")))
    assert [(r["question_id"], int(r["score"]), r["status"], r["note"]) for r in rows] == expected
    assert {r["reviewer"] for r in rows} == {"Me"}  # never another reviewer's draft
    assert {r["recommendation"] for r in rows} == {"yes"}
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert [(s["question_id"], s["score"], s["status"], s["note"]) for s in data["scores"]] == (
        expected
    )
    bad = onetake("scores", "export", "--format", "xml", "-o", str(out_json))
    assert bad.returncode == 2
