"""Review s11 M3: "kept N days, then deleted" holds through every command that reads the
library, not only ``library expire``. Real bundles, a real SQLite library, the real command
line on a manual clock past the candidate's date: the command erases them first (the same
erasure and audit row as ``library expire``), says so in one line on stderr, and neither
lists nor exports them; a candidate kept longer by a hold stays."""

from __future__ import annotations

import importlib
import io
import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.transcript import Transcript, Word
from onetake_desktop.paths import app_paths
from onetake_desktop.services.privacy import PrivacyService
from onetake_desktop.services.retention import DUE_QUERY, due_ids
from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from onetake_desktop.services.scoring import scoring_for
from onetake_desktop.storage.panel import SqlitePanel
from onetake_desktop.storage.transcripts import SqliteTranscripts
from tests.pipeline.library_bundles import make_bundle
from tests.pipeline.test_privacy import definition, import_one

DUE = "Zelda Quokka"  # kept 30 days: told erased on 1 Dec 2026
HELD = "Harriet Heldmore"  # kept 30 days too, then held until the end of January
OTHER = "Yannick Wombat"  # kept 180 days
MOTTO = "xylophonezanzibar"  # one word every candidate's transcript holds
BEFORE = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the hold is made then
AFTER = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # past Zelda's and Harriet's date
ERASED_LINE = "onetake: Erased 1 candidate past their keeping date (kept 30 days).\n"


class Library(NamedTuple):
    due: int
    held: int
    other: int
    interview: int


def email(name: str) -> str:  # make_bundle's default email
    return name.split()[0].lower() + "@example.org"


def small_bundle(tmp_path: Path, name: str, **options: Any) -> Path:
    # A second of small video: the command is under test here, not the media.
    return make_bundle(
        tmp_path / f"{name.split()[0]}.onetake", name, seconds=1.0, size=(176, 144), **options
    )


def due_library(tmp_path: Path, *, panel: bool = False) -> Library:
    """The three candidates, each scored, transcribed and decided (so every reader has
    something of each); Harriet held until 31 Jan 2027. With ``panel``, Ana (the chair)
    scored and submitted all three instead of the lone reviewer."""
    month = definition("thirty-days", 30)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        service.add_definition(month)
        due = import_one(service, small_bundle(tmp_path, DUE, definition=month))
        held = import_one(service, small_bundle(tmp_path, HELD, definition=month))
        other = import_one(service, small_bundle(tmp_path, OTHER))
        lone = service.actor_for(service.default_reviewer.id)
        PrivacyService(service.library, ManualClock(BEFORE)).hold(
            lone, submission_id=held, until=date(2027, 1, 31), reason="appeal pending"
        )
        for sid in (due, held, other):
            transcribe(service, sid)
        if panel:
            score_as_ana(service, (due, held, other))
        else:
            for sid in (due, held, other):
                for a in service.answers(sid):
                    service.save_score(lone, answer_id=a.id, score=4, note="clear")
                scoring_for(service.library).decide(
                    lone, submission_id=sid, decision="advance", reason="strong"
                )
        interview = service.library.submissions.get(due).interview_pk
    finally:
        service.close()
    return Library(due, held, other, interview)


def transcribe(service: ReviewerService, sid: int) -> None:
    spoken = f"my motto is {MOTTO}"
    words = tuple(Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(spoken.split()))
    for a in service.answers(sid):
        SqliteTranscripts(service.library.db).save(
            a.id, Transcript(spoken, words, "whisper-base", "test", "en", 2.0), rank=2
        )


def score_as_ana(service: ReviewerService, sids: tuple[int, ...]) -> None:
    from argon2 import PasswordHasher

    from onetake_desktop.services.panel import PanelService

    panel = PanelService(
        service.library, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    )
    ana = panel.create_panelist("Ana", "ana passphrase", chair=True)
    for sid in sids:
        for a in service.answers(sid):
            panel.save_score(ana, answer_id=a.id, score=4, note="clear")
        panel.submit_candidate(ana, submission_id=sid)
    panel.lock()


def in_library() -> list[int]:
    s = open_reviewer_service(app_paths().ensure().library)
    try:
        return [x.id for x in s.library.submissions.all()]
    finally:
        s.close()


def retention_erasures() -> list[tuple[int | None, str, list[int]]]:
    """(actor, reason code, submissions) of every 'erased' audit row."""
    s = open_reviewer_service(app_paths().ensure().library)
    try:
        rows = [e for e in SqlitePanel(s.library.db).audit_entries() if e.action == "erased"]
        return [
            (e.actor_id, json.loads(e.details)["reason_code"], json.loads(e.details)["submissions"])
            for e in rows
        ]
    finally:
        s.close()


class Reader(NamedTuple):
    """A command that reads or exports candidates, and what it gave (stdout or its file)."""

    argv: Callable[[Path, Library], list[str]]
    output: Callable[[str, Path], str]
    panel: bool = False
    stdin: str = ""
    kept: tuple[str, ...] = (HELD, OTHER)  # held: kept; not due: kept (in its interview)


def printed(out: str, _folder: Path) -> str:
    return out


def written(_out: str, folder: Path) -> str:
    return "\n".join(p.read_text("utf-8-sig") for p in sorted(folder.rglob("*")) if p.is_file())


PANEL_EXPORT = ("panel", "export", "--panelist", "Ana", "--format", "json", "--interview")
READERS = {
    "library list": Reader(lambda _o, _l: ["library", "list"], printed),
    "library list --json": Reader(lambda _o, _l: ["library", "list", "--json"], printed),
    "library search": Reader(lambda _o, _l: ["library", "search", MOTTO, "--json"], printed),
    "scores export": Reader(
        lambda o, _l: ["scores", "export", "--format", "csv", "-o", str(o / "scores.csv")], written
    ),
    "library followup": Reader(
        lambda o, lib: ["library", "followup", "--interview", str(lib.interview), "-o", str(o)],
        written,
        kept=(HELD,),
    ),
    "panel export": Reader(
        lambda o, lib: [*PANEL_EXPORT, str(lib.interview), "-o", str(o / "panel.json")],
        written,
        panel=True,
        stdin="ana passphrase\n",
        kept=(HELD,),
    ),
    "panel list": Reader(lambda _o, _l: ["panel", "list", "--json"], printed, panel=True),
}


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_a_reader_erases_the_due_first_and_shows_nobody_due(
    reader: Reader,
    tmp_path: Path,
    app_context: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lib = due_library(tmp_path, panel=reader.panel)
    context = app_context._replace(clock=ManualClock(AFTER))
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    monkeypatch.setattr(sys, "stdin", io.StringIO(reader.stdin))
    assert main(reader.argv(out_folder, lib), context) == 0
    captured = capsys.readouterr()
    # Said in one line on stderr, with no name (stdout, JSON included, is the command's own).
    assert captured.err == ERASED_LINE
    got = reader.output(captured.out, out_folder)
    if reader is READERS["panel list"]:
        counts = [i["candidates"] for i in json.loads(got)["interviews"]]
        assert sorted(counts) == [1, 1]  # Harriet's interview, Yannick's
    else:
        assert DUE not in got and email(DUE) not in got
        assert all(name in got for name in reader.kept), got
    # Gone from the library as 'library expire' erases them: retention, nobody's action.
    assert in_library() == [lib.held, lib.other]
    assert retention_erasures() == [(None, "retention", [lib.due])]

    # Nobody is due any more: the next run says nothing and erases nothing.
    monkeypatch.setattr(sys, "stdin", io.StringIO(reader.stdin))
    assert main(reader.argv(out_folder, lib), context) == 0
    assert capsys.readouterr().err == ""
    assert len(retention_erasures()) == 1


def test_expire_dry_run_still_only_reports(
    tmp_path: Path, app_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = due_library(tmp_path)
    context = app_context._replace(clock=ManualClock(AFTER))
    assert main(["library", "expire", "--dry-run"], context) == 0
    captured = capsys.readouterr()
    assert f"would erase  {DUE} <{email(DUE)}>" in captured.out
    assert "Dry run: 1 candidate(s) due; nothing was changed." in captured.out
    assert captured.err == ""
    assert in_library() == [lib.due, lib.held, lib.other] and retention_erasures() == []
    # Before the date, a reader erases nobody and says nothing.
    assert main(["library", "list"], app_context._replace(clock=ManualClock(BEFORE))) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and DUE in captured.out
    assert in_library() == [lib.due, lib.held, lib.other]


def test_erase_on_request_is_not_preempted_by_retention(
    tmp_path: Path, app_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A script erasing a candidate who is also due gets what it asked (exit 0, audited as
    the request), not 'no such candidate' because retention took them a moment before."""
    lib = due_library(tmp_path)
    context = app_context._replace(clock=ManualClock(AFTER))
    assert main(["library", "erase", "--email", email(DUE), "--yes"], context) == 0
    assert capsys.readouterr().err == ""
    assert in_library() == [lib.held, lib.other]
    assert [(code, ids) for _actor, code, ids in retention_erasures()] == [
        ("candidate_request", [lib.due])
    ]


def test_adding_a_late_definition_erases_who_it_makes_due(
    tmp_path: Path, app_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A definition that arrives after the candidate's date dates them in the past: they
    are erased then, not announced as ready to score."""
    from onetake_desktop.storage.kitfile import save_definition

    late = definition("thirty-days", 30)
    bundle = small_bundle(tmp_path, DUE, definition=late)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        sid = import_one(service, bundle)
    finally:
        service.close()
    path = tmp_path / "late.onetakeinterview"
    save_definition(late, path)
    context = app_context._replace(clock=ManualClock(AFTER))
    assert main(["library", "add-definition", str(path)], context) == 0
    captured = capsys.readouterr()
    assert captured.err == ERASED_LINE
    assert "can now be scored" not in captured.out
    assert in_library() == [] and retention_erasures() == [(None, "retention", [sid])]


def test_importing_a_bundle_already_past_its_date_erases_it_at_once(
    tmp_path: Path, app_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review s11a L4: a bundle sealed longer ago than its interview keeps answers is imported
    (it is a valid bundle) and erased before the command ends, with the same one line on
    stderr: it is not left listed until the next reading command."""
    month = definition("thirty-days", 30)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        service.add_definition(month)
    finally:
        service.close()
    late = small_bundle(tmp_path, DUE, definition=month)
    fresh = small_bundle(tmp_path, OTHER)  # kept 180 days: stays
    context = app_context._replace(clock=ManualClock(AFTER))
    assert main(["library", "import", str(late), str(fresh)], context) == 0
    captured = capsys.readouterr()
    assert captured.err == ERASED_LINE
    assert f"imported  {late}: {DUE}" in captured.out.splitlines()
    ((actor, reason, erased),) = retention_erasures()  # one erasure, by nobody, of one
    assert (actor, reason, len(erased)) == (None, "retention", 1)
    listed = open_reviewer_service(app_paths().ensure().library)
    try:
        assert [s.candidate_name for s in listed.library.submissions.all()] == [OTHER]
    finally:
        listed.close()
    # The next routine import skips it as erased (review s11a M2) and erases nobody.
    assert main(["library", "import", str(late)], context) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith(f"erased    {late}: ")


def test_due_ids_is_the_privacy_services_due(tmp_path: Path) -> None:
    """The readers' one indexed query (services.retention) answers as PrivacyService.due
    does, through the promise, running, ended and lifted holds, to the second."""
    lib = due_library(tmp_path)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        # Every command asks it: a range of the expiry index, never a walk of the library.
        plan = " | ".join(
            str(row[3])
            for row in service.library.db.execute(
                "EXPLAIN QUERY PLAN " + DUE_QUERY, {"now": "2026-12-05 09:00:00"}
            )
        )
        assert "INDEX submissions_expiry (expires_at<?)" in plan and "SCAN" not in plan, plan
        clock = ManualClock(BEFORE)
        privacy = PrivacyService(service.library, clock)
        lone = service.actor_for(service.default_reviewer.id)
        # A hold that ends before the promise keeps nobody past it.
        privacy.hold(lone, submission_id=lib.due, until=date(2026, 11, 29), reason="short one")
        promise = privacy.candidate(lib.due).expires_at
        hold_end = privacy.candidate(lib.held).erase_at
        assert promise is not None and hold_end is not None

        def same(moment: datetime) -> list[int]:
            expected = [c.submission_id for c in privacy.due(moment)]
            assert due_ids(service.library.db, moment) == sorted(expected), moment
            return expected

        second = timedelta(seconds=1)
        assert same(BEFORE) == []
        assert same(promise - second) == []
        assert same(promise) == [lib.due]
        assert same(promise + timedelta(milliseconds=500)) == [lib.due]
        assert same(hold_end - second) == [lib.due]
        assert sorted(same(hold_end)) == [lib.due, lib.held]
        clock.advance((AFTER - BEFORE).total_seconds())
        privacy.release(lone, submission_id=lib.held, reason="appeal withdrawn")
        assert sorted(same(AFTER)) == [lib.due, lib.held]  # lifted: the promise again
    finally:
        service.close()


def test_holding_a_due_candidate_keeps_them_and_says_their_date_has_passed(
    tmp_path: Path, app_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review s11a L1: 'library hold' names a candidate to keep. One already past their date
    is kept by it (exit 0), not erased first and then reported as 'no candidate with that
    email'; the line says plainly that their date has passed. Nobody else is erased by it:
    the next reading command does that, and then keeps the held one."""
    lib = due_library(tmp_path)
    context = app_context._replace(clock=ManualClock(AFTER))
    argv = ["library", "hold", "--until", "2027-02-28", "--reason", "late appeal", email(DUE)]
    assert main(argv, context) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == (
        f"Kept {DUE} <{email(DUE)}>: Customer Support Specialist (v2026.11) (submission"
        f" {lib.due}) until 2027-02-28;"
        " the date they were told, 2026-12-01, has passed: this hold keeps them from being"
        " erased.\n"
    )
    assert in_library() == [lib.due, lib.held, lib.other] and retention_erasures() == []
    # The next reader keeps its promise to the others and erases nobody held.
    assert main(["library", "list"], context) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and DUE in captured.out
    assert retention_erasures() == []


def test_releasing_a_due_candidate_is_not_preempted_either(
    tmp_path: Path, app_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """'library release' acts on the library as it is, as 'hold' and 'erase' do: naming a
    due candidate who has no hold gets the plain 'no hold' answer, not 'no such candidate'."""
    lib = due_library(tmp_path)
    context = app_context._replace(clock=ManualClock(AFTER))
    assert main(["library", "release", "--reason", "done", email(DUE)], context) == 1
    captured = capsys.readouterr()
    assert "no candidate" not in captured.err.casefold() and "Erased" not in captured.err
    assert in_library() == [lib.due, lib.held, lib.other] and retention_erasures() == []


def _cli_commands() -> dict[str, list[str]]:
    """Every group of the real command line and its actions, from the argparse tree."""
    import argparse

    from onetake_desktop.cli import build_parser

    def actions(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        found: dict[str, argparse.ArgumentParser] = {}
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                found.update(action.choices)
        return found

    return {group: sorted(actions(parser)) for group, parser in actions(build_parser("*")).items()}


def test_every_command_has_a_retention_rule() -> None:
    """The policy (services.retention) decides when each command erases the due; the CLI
    only asks, and a command the table does not know is an error, not a silent default.
    Review s12a L6: every command of the groups that open the library, as the real parser
    has them, has its rule (a new one fails here, not as a traceback when it is run), and
    the table names no command that does not exist; no other group opens the library."""
    import inspect

    from onetake_desktop import cli
    from onetake_desktop.cli import COMMANDS
    from onetake_desktop.services.retention import _ERASES_DUE, erases_due

    readers = {"library", "panel", "scores"}
    commands = _cli_commands()
    assert readers <= set(commands) and all(commands[g] for g in readers)
    named = {f"{group} {action}" for group in readers for action in commands[group]}
    assert named == set(_ERASES_DUE)
    for command in named:
        erases_due(command, "before")  # no ValueError
    opens = ("open_library(", "reviewer_service(", "panel_service(", "open_reviewer_service(")
    for name, (module, _help) in COMMANDS.items():
        if name in readers or name == "transcribe":  # its module also holds 'library search'
            continue
        source = inspect.getsource(importlib.import_module(f"{cli.__name__}.{module}"))
        assert not any(call in source for call in opens), name

    assert not erases_due("library hold") and not erases_due("library erase")
    assert erases_due("library list") and not erases_due("library list", "after")
    assert erases_due("library import", "after") and erases_due("library add-definition", "after")
    with pytest.raises(ValueError, match="library frobnicate"):
        erases_due("library frobnicate")
