"""Keeping a candidate longer, and no longer: the service and ``library hold|release`` on real
bundles and a real SQLite library.

The promise under test is the candidate's ("kept for N days, then deleted"): a hold keeps them
past it only for a reason, audited; lifting it makes them due again on the date they were told
(at once, if that date has passed), and ``library expire`` then erases them.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.paths import app_paths
from onetake_desktop.services.privacy import MAX_HOLD_DAYS, PrivacyService
from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from onetake_desktop.services.scoring import Actor, text_hash
from onetake_desktop.storage.panel import SqlitePanel
from tests.pipeline.library_bundles import make_bundle
from tests.pipeline.test_privacy import EMAIL, NAME, OTHER, definition, import_one

PROMISE = datetime(2026, 12, 1, 10, 10, tzinfo=UTC)  # sealed 1 Nov 2026, kept 30 days
TODAY = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
# Text a terminal, a widget or a log would act on: never a reason.
HOSTILE = [
    "appeal\x1b[2J pending",
    "appeal\npending",
    "appeal\x00",
    "appeal \u202egnidnep",
    "a\u2028b",
]


def move(clock: ManualClock, moment: datetime) -> None:
    clock.advance((moment - clock.now()).total_seconds())


def month_library(tmp_path: Path) -> tuple[ReviewerService, int, int]:
    """A library with NAME kept 30 days (erased 1 Dec 2026) and OTHER kept 180 days."""
    service = open_reviewer_service(app_paths().ensure().library)
    month = definition("thirty-days", 30)
    service.add_definition(month)
    sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL, definition=month))
    other = import_one(service, make_bundle(tmp_path / "b.onetake", OTHER))
    return service, sid, other


class Month(NamedTuple):
    """``month_library`` opened for one test: the service, its two candidates, a clock at
    TODAY, the privacy service on it and the lone reviewer acting."""

    service: ReviewerService
    sid: int
    other: int
    clock: ManualClock
    privacy: PrivacyService
    lone: Actor


@pytest.fixture
def month(tmp_path: Path) -> Iterator[Month]:
    service, sid, other = month_library(tmp_path)
    try:
        clock = ManualClock(TODAY)
        yield Month(
            service,
            sid,
            other,
            clock,
            PrivacyService(service.library, clock),
            service.actor_for(service.default_reviewer.id),
        )
    finally:
        service.close()


def audit_rows(service: ReviewerService, action: str) -> list[Any]:
    return [e for e in SqlitePanel(service.library.db).audit_entries() if e.action == action]


def no_clear_text(service: ReviewerService, *texts: str) -> None:
    """Neither these texts nor their SHA-256 (a hash confirms a guess) are in any audit row."""
    rows = service.library.db.execute("SELECT * FROM audit_log").fetchall()
    hashes = [text_hash(t).removeprefix("sha256:") for t in texts]
    assert rows and not [r for r in rows for t in (*texts, *hashes) if t in repr(r)]


def test_release_lifts_the_hold_audits_it_and_the_promise_holds_again(month: Month) -> None:
    service, sid, other, clock, privacy, lone = month
    hold = privacy.hold(lone, submission_id=sid, until=date(2027, 1, 31), reason="appeal")
    assert privacy.candidate(sid).erase_at == datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)
    assert [h.id for h in privacy.running_holds(sid)] == [hold.id]

    released = privacy.release(lone, submission_id=sid, reason="appeal withdrawn")
    assert released.candidate.erase_at == PROMISE and not released.overdue
    assert privacy.running_holds(sid) == []
    # The hold stays in the library, marked lifted: by whom, when, why.
    (kept,) = privacy.holds(sid)
    assert (kept.id, kept.reason, kept.release_reason) == (
        hold.id,
        "appeal",
        "appeal withdrawn",
    )
    assert kept.released_at == TODAY and kept.released_by == lone.reviewer_id
    assert released.holds == (kept,)
    # Audited like the hold: the ids, neither the reason nor its hash (review s11a N3).
    (entry,) = audit_rows(service, "retention_release")
    assert entry.actor_id == lone.reviewer_id and entry.subject == f"submission {sid}"
    assert json.loads(entry.details) == {"holds": [hold.id]}
    no_clear_text(service, "appeal withdrawn", "appeal")
    assert SqlitePanel(service.library.db).verify_audit() is None

    # Nothing to stop any more: a clear sentence (exit 1), nothing written.
    with pytest.raises(OneTakeError, match="not being kept longer") as refused:
        privacy.release(lone, submission_id=sid, reason="again")
    assert refused.value.exit_code == 1
    with pytest.raises(OneTakeError, match="not being kept longer"):
        privacy.release(lone, submission_id=other, reason="never held")
    assert len(audit_rows(service, "retention_release")) == 1

    # Due on the promised day again: the next expiry after it erases them.
    move(clock, PROMISE - timedelta(seconds=1))
    assert privacy.expire().due == []
    move(clock, PROMISE)
    assert [c.submission_id for c in privacy.expire().due] == [sid]
    assert [s.id for s in service.library.submissions.all()] == [other]
    # The audit log keeps the hold and its lifting after the candidate has gone.
    assert len(audit_rows(service, "retention_hold")) == 1
    assert len(audit_rows(service, "retention_release")) == 1


def test_releasing_after_the_promised_date_makes_them_due_at_once(month: Month) -> None:
    service, sid, _other, clock, privacy, lone = month
    for until in (date(2027, 1, 31), date(2027, 3, 1)):  # two holds: both are lifted
        privacy.hold(lone, submission_id=sid, until=until, reason="legal claim")
    move(clock, datetime(2026, 12, 20, tzinfo=UTC))  # past the promise, kept by the holds
    report = privacy.expire(dry_run=True)
    assert report.due == [] and [c.submission_id for c in report.held] == [sid]
    released = privacy.release(lone, submission_id=sid, reason="claim settled")
    assert released.overdue and len(released.holds) == 2
    assert [c.submission_id for c in privacy.due()] == [sid]
    assert [c.submission_id for c in privacy.expire().due] == [sid]
    assert service.library.submissions.all()[0].candidate_name == OTHER


def test_release_preview_is_what_release_then_does(month: Month) -> None:
    """The window's dialog shows release_preview before asking; release reports the same."""
    _service, sid, _other, clock, privacy, lone = month
    # An ended hold past the promise is not lifted, and still counts once it has ended.
    privacy.hold(lone, submission_id=sid, until=date(2026, 12, 3), reason="appeal")
    privacy.hold(lone, submission_id=sid, until=date(2027, 1, 31), reason="legal claim")
    before = privacy.release_preview(sid)
    assert (before.erase_at, before.overdue) == (PROMISE, False)  # the ended one: not yet
    move(clock, datetime(2026, 12, 20, tzinfo=UTC))
    before = privacy.release_preview(sid)
    ended = datetime(2026, 12, 3, 23, 59, 59, tzinfo=UTC)
    assert (before.erase_at, before.overdue) == (ended, True)
    assert privacy.candidate(sid).erase_at == datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)
    released = privacy.release(lone, submission_id=sid, reason="claim settled")
    assert (released.erase_at, released.overdue) == (before.erase_at, before.overdue)
    assert released.candidate == privacy.candidate(sid) == before.candidate
    assert len(released.holds) == 1


def test_a_release_another_program_made_meanwhile_is_not_held(tmp_path: Path) -> None:
    """The window and 'library release' share the file: whoever comes second, even from what
    it read before the first lifted the hold, gets NOT_HELD (exit 1), never a database error,
    and only one release is audited."""
    from onetake_desktop.services.privacy import NOT_HELD

    service, sid, _other = month_library(tmp_path)  # the window's connection
    second = open_reviewer_service(app_paths().ensure().library)  # the command's
    try:
        clock = ManualClock(TODAY)
        window = PrivacyService(service.library, clock)
        command = PrivacyService(second.library, clock)
        lone = service.actor_for(service.default_reviewer.id)
        window.hold(lone, submission_id=sid, until=date(2027, 1, 31), reason="appeal")
        stale = window.running_holds(sid)  # the window has read which holds run...
        command.release(
            second.actor_for(second.default_reviewer.id), submission_id=sid, reason="withdrawn"
        )  # ...the command lifts them...
        window.running_holds = lambda _sid: stale  # type: ignore[method-assign,assignment]
        with pytest.raises(OneTakeError) as refused:  # ...and the window goes on from it
            window.release(lone, submission_id=sid, reason="also withdrawn")
        assert str(refused.value) == NOT_HELD and refused.value.exit_code == 1
        assert len(audit_rows(service, "retention_release")) == 1
        (kept,) = command.holds(sid)
        assert kept.release_reason == "withdrawn"
        assert SqlitePanel(service.library.db).verify_audit() is None
    finally:
        second.close()
        service.close()


def test_an_ended_hold_is_not_lifted(month: Month) -> None:
    _service, sid, _other, clock, privacy, lone = month
    privacy.hold(lone, submission_id=sid, until=date(2026, 12, 10), reason="appeal")
    move(clock, datetime(2026, 12, 11, tzinfo=UTC))  # the hold ran out by itself
    with pytest.raises(OneTakeError, match="not being kept longer"):
        privacy.release(lone, submission_id=sid, reason="appeal over")
    assert privacy.holds(sid)[0].released_at is None


@pytest.mark.parametrize("reason", HOSTILE)
def test_a_reason_with_control_characters_is_refused_for_both(month: Month, reason: str) -> None:
    service, sid, _other, _clock, privacy, lone = month
    with pytest.raises(InvalidInputError, match=r"^The reason (must not|contains)") as bad:
        privacy.hold(lone, submission_id=sid, until=date(2027, 1, 31), reason=reason)
    assert bad.value.exit_code == 3 and privacy.holds(sid) == []
    privacy.hold(lone, submission_id=sid, until=date(2027, 1, 31), reason="appeal")
    with pytest.raises(InvalidInputError, match=r"^The reason (must not|contains)"):
        privacy.release(lone, submission_id=sid, reason=reason)
    with pytest.raises(InvalidInputError, match="name or email"):
        privacy.release(lone, submission_id=sid, reason=f"{EMAIL} withdrew")
    assert len(privacy.running_holds(sid)) == 1
    assert audit_rows(service, "retention_release") == []


def test_the_schema_keeps_a_holds_story(month: Month) -> None:
    """Schema 11: a hold is lifted once, never un-lifted or rewritten, and its row goes only
    with the candidate's erasure."""
    service, sid, _other, _clock, privacy, lone = month
    hold = privacy.hold(lone, submission_id=sid, until=date(2027, 1, 31), reason="appeal")
    db = service.library.db
    for sql in (
        "DELETE FROM retention_holds",
        "UPDATE retention_holds SET until = '2030-01-01 00:00:00'",
        "UPDATE retention_holds SET released_at = '2026-11-28 09:00:00'",  # no reason
    ):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(sql)
    privacy.release(lone, submission_id=sid, reason="withdrawn")
    for sql in (
        "UPDATE retention_holds SET released_at = NULL, release_reason = NULL",
        "UPDATE retention_holds SET release_reason = 'something else'",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(sql)
    assert privacy.holds(sid)[0].id == hold.id
    privacy.erase(lone, submission_ids=[sid])  # the erasure takes it
    assert db.execute("SELECT COUNT(*) FROM retention_holds").fetchone()[0] == 0


def test_hold_rows_an_older_build_left_unsigned_are_not_tampering(tmp_path: Path) -> None:
    """Before schema 11 a hold's audit row was written unsigned in the panelist's name. The
    migration lists those rows, so the panelist's sign-in does not call them forged and their
    passphrase can still change; an unsigned hold row written after the migration is still
    reported."""
    from argon2 import PasswordHasher

    from onetake_desktop.services.panel import PanelService
    from onetake_desktop.storage.db import schema_version
    from onetake_desktop.storage.library import open_library
    from tests.pipeline.older_library import library_at_schema

    root = app_paths().ensure().library
    old = library_at_schema(root, 10)
    db = old.db
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    ana = PanelService(old, ManualClock(TODAY), hasher=hasher).create_panelist(
        "Ana", "ana passphrase", chair=True
    )
    # What PrivacyService.hold wrote before schema 11: the row, and no signature.
    SqlitePanel(db).append_audit(
        ana.reviewer_id, "retention_hold", "submission 1", {"until": "2027-01-31", "reason": "x"}
    )
    db.close()

    library = open_library(root)  # schema 11 now
    try:
        assert schema_version(library.db) >= 11
        panel = PanelService(library, ManualClock(TODAY), hasher=hasher)
        ana = panel.sign_in(ana.reviewer_id, "ana passphrase")
        assert ana.warnings == ()
        ana = panel.change_passphrase(ana, old="ana passphrase", new="a new passphrase")
        panel.lock()
        # The list is closed: a later unsigned hold row in Ana's name is someone else's.
        with pytest.raises(sqlite3.IntegrityError):
            library.db.execute("INSERT INTO unsigned_hold_audit (seq) VALUES (1000)")
        forged = SqlitePanel(library.db).append_audit(
            ana.reviewer_id, "retention_hold", "submission 1", {"until": "2030-01-01"}
        )
        ana = panel.sign_in(ana.reviewer_id, "a new passphrase")
        assert ana.warnings == (
            f"Your audit log row {forged.seq} was added in your name by someone else.",
        )
    finally:
        library.close()


def test_with_a_panel_only_its_chair_lifts_a_hold(tmp_path: Path) -> None:
    """The hold's rule decides who may lift it: not the lone reviewer once there is a panel,
    not a panelist who is not the chair; nothing written for them. The chair may."""
    from argon2 import PasswordHasher

    from onetake_desktop.services.panel import PanelService

    service, sid, _other = month_library(tmp_path)
    try:
        clock = ManualClock(TODAY)
        panel = PanelService(
            service.library,
            clock,
            hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1),
        )
        ana = panel.create_panelist("Ana", "ana passphrase", chair=True)
        ben = panel.create_panelist("Ben", "ben passphrase")
        privacy = PrivacyService(service.library, clock, panel.scoring)
        privacy.hold(ana, submission_id=sid, until=date(2027, 1, 31), reason="appeal")
        lone = panel.scoring.actor_for(service.default_reviewer.id)
        for actor, sentence in (
            (lone, "Keeping a candidate longer is for the panel's chair: sign in as Ana."),
            (ben, "Keeping a candidate longer is for the panel's chair, Ana."),
        ):
            assert privacy.release_refusal(actor) == sentence
            with pytest.raises(OneTakeError) as refused:
                privacy.release(actor, submission_id=sid, reason="withdrawn")
            assert str(refused.value) == sentence
        assert len(privacy.running_holds(sid)) == 1
        assert audit_rows(service, "retention_release") == []
        panel.lock()  # signed out: Ana's actor no longer acts
        with pytest.raises(OneTakeError, match="Sign in as Ana"):
            privacy.release(ana, submission_id=sid, reason="withdrawn")
        ana = panel.sign_in(ana.reviewer_id, "ana passphrase")
        assert privacy.release(ana, submission_id=sid, reason="withdrawn").holds
        (entry,) = audit_rows(service, "retention_release")
        assert entry.actor_id == ana.reviewer_id
    finally:
        service.close()


# -- the command line ------------------------------------------------------------------------


def run(argv: list[str], context: Any, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv, context)
    out, err = capsys.readouterr()
    assert isinstance(code, int)
    return code, out, err


def test_hold_and_release_commands_for_the_lone_reviewer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], app_context: Any
) -> None:
    service, sid, other = month_library(tmp_path)
    service.close()
    clock = ManualClock(TODAY)
    context = app_context._replace(clock=clock)
    hold = ["library", "hold", "--until", "2027-01-31", "--reason", "appeal pending"]
    release = ["library", "release", "--reason", "appeal withdrawn"]

    # Bad input: one sentence, exit 3, nothing written.
    too_far = (TODAY + timedelta(days=MAX_HOLD_DAYS + 1)).date().isoformat()
    for argv, sentence in (
        ([*hold[:2], "--until", "31/01/2027", "--reason", "x", EMAIL], "--until must be a date"),
        ([*hold[:2], "--until", "2027-02-30", "--reason", "x", EMAIL], "--until must be a date"),
        ([*hold[:2], "--until", "2026-11-27", "--reason", "x", EMAIL], "must end in the future"),
        ([*hold[:2], "--until", too_far, "--reason", "x", EMAIL], f"at most {MAX_HOLD_DAYS}"),
        ([*hold[:4], "--reason", "ask\x1b]0;owned\x07", EMAIL], "control characters"),
        ([*hold[:4], "--reason", f"{NAME} appeals", EMAIL], "name or email"),
        ([*hold[:4], "--reason", "  ", EMAIL], "needs a reason"),
    ):
        code, out, err = run(argv, context, capsys)
        assert (code, out) == (3, ""), (argv, err)
        assert err.startswith("onetake: ") and sentence in err and err.count("\n") == 1, err
        assert "\x1b" not in err and "\x07" not in err
    # Usage: exit 2.
    for argv in (
        hold,
        [*hold, EMAIL, "--submission", str(sid)],
        [*hold, EMAIL, "--email", EMAIL],
        ["library", "release", EMAIL],
    ):
        with pytest.raises(SystemExit) as usage:
            main(argv, context)
        assert usage.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1
    # Unknown candidate; nothing to release: exit 1.
    code, _out, err = run([*hold, "nobody@example.org"], context, capsys)
    assert (code, err) == (1, "onetake: There is no candidate with that email in this library.\n")
    code, _out, err = run([*release, EMAIL], context, capsys)
    assert code == 1 and "not being kept longer" in err

    code, out, err = run([*hold, EMAIL], context, capsys)
    assert (code, err) == (0, "")
    assert out == (
        f"Kept {NAME} <{EMAIL}>: Customer Support Specialist (v2026.11) (submission {sid})"
        " until "
        "2027-01-31; they were told 2026-12-01.\n"
    )
    move(clock, datetime(2026, 12, 5, tzinfo=UTC))  # past the promise: kept by the hold
    code, out, _err = run(["library", "expire"], context, capsys)
    assert code == 0 and "on hold until 2027-01-31" in out
    # Control characters in a release's reason: exit 3, the hold still runs.
    code, out, err = run(["library", "release", "--reason", "done\r\n", EMAIL], context, capsys)
    assert (code, out) == (3, "") and "control characters" in err

    code, out, err = run([*release, "--submission", str(sid)], context, capsys)
    assert (code, err) == (0, "")
    assert out == (
        f"No longer keeping {NAME} <{EMAIL}>: Customer Support Specialist (v2026.11) "
        f"(submission {sid}). "
        "The date they were told, 2026-12-01, has passed: they are erased by the next command "
        "that lists or uses candidates (such as 'onetake library list'), the reviewer window's "
        "hourly check, or 'onetake library expire'.\n"
    )
    # Review s11a N2 and s12a L7: as it says, the next command that lists candidates erases
    # them (a hold, release or erase of someone else would not: services.retention's table).
    code, out, err = run(["library", "list"], context, capsys)
    assert code == 0 and NAME not in out
    assert err == "onetake: Erased 1 candidate past their keeping date (kept 30 days).\n"
    s = open_reviewer_service(app_paths().ensure().library)
    try:
        assert [x.id for x in s.library.submissions.all()] == [other]
        (held,) = audit_rows(s, "retention_hold")
        (lifted,) = audit_rows(s, "retention_release")
        assert json.loads(held.details) == {"until": "2027-01-31"}
        assert set(json.loads(lifted.details)) == {"holds"}
        assert held.actor_id == lifted.actor_id == s.default_reviewer.id
        no_clear_text(s, "appeal pending", "appeal withdrawn")
    finally:
        s.close()


def test_release_before_the_promise_says_the_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], app_context: Any
) -> None:
    service, _sid, _other = month_library(tmp_path)
    service.close()
    context = app_context._replace(clock=ManualClock(TODAY))
    hold = ["library", "hold", "--until", "2027-01-31", "--reason", "appeal", "--email", EMAIL]
    assert run(hold, context, capsys)[0] == 0
    code, out, _err = run(["library", "release", "--reason", "over", EMAIL], context, capsys)
    assert code == 0
    assert out.endswith(". They are erased on 2026-12-01, as they were told.\n")
    code, out, _err = run(["library", "expire", "--dry-run"], context, capsys)
    assert "Dry run: 0 candidate(s) due" in out and "on hold" not in out


def test_a_candidate_with_no_expiry_yet_is_told_so_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], app_context: Any
) -> None:
    """Their interview's definition is not in the library (a documented state): no date,
    so a sentence saying why, not a '?'."""
    from onetake_desktop.services.privacy import UNDATED

    service, _sid, _other = month_library(tmp_path)
    try:
        unknown = definition("not-in-the-library", 30)  # its bundle comes, the definition not
        bundle = make_bundle(tmp_path / "c.onetake", "Grace Hopper", definition=unknown)
        other = import_one(service, bundle)
        undated = PrivacyService(service.library).candidate(other)
        assert undated.expires_at is None and undated.erase_at is None
        head, title = f"Grace Hopper <{undated.candidate_email}>", undated.interview_title
    finally:
        service.close()
    context = app_context._replace(clock=ManualClock(TODAY))
    where = ["--submission", str(other)]
    code, out, err = run(
        ["library", "hold", "--until", "2027-01-31", "--reason", "appeal", *where], context, capsys
    )
    assert (code, err) == (0, "")
    assert out == (
        f"Kept {head}: {title} (submission {other}) until 2027-01-31; they have no erasure"
        " date yet: it is set when their interview's definition is added to the library.\n"
    )
    code, out, err = run(["library", "release", "--reason", "over", *where], context, capsys)
    assert (code, err) == (0, "")
    assert out == (
        f"No longer keeping {head}: {title} (submission {other}). They have {UNDATED}.\n"
    )
    assert "?" not in out


def panel_library(tmp_path: Path, *, blind: bool = False) -> tuple[int, dict[str, int]]:
    """NAME kept 30 days on a library whose panel is Ana (chair) and Ben, locked."""
    from argon2 import PasswordHasher

    from onetake_desktop.services.panel import PanelService

    service, sid, _other = month_library(tmp_path)
    try:
        panel = PanelService(
            service.library, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
        )
        people = {
            "Ana": panel.create_panelist("Ana", "ana passphrase", chair=True).reviewer_id,
            "Ben": panel.create_panelist("Ben", "ben passphrase").reviewer_id,
        }
        if blind:
            SqlitePanel(service.library.db).set_setting("blind_mode", "1")
        panel.lock()
    finally:
        service.close()
    return sid, people


def holds_and_audit() -> tuple[list[tuple[int, object]], list[str]]:
    s = open_reviewer_service(app_paths().ensure().library)
    try:
        rows = s.library.db.execute("SELECT reviewer_id, released_by FROM retention_holds")
        actions = [e.action for e in SqlitePanel(s.library.db).audit_entries()]
        return [(int(r[0]), r[1]) for r in rows], actions
    finally:
        s.close()


def test_hold_and_release_commands_on_a_panel_are_the_chairs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    """Not signed in, or signed in as a panelist who is not the chair: one sentence, exit 1,
    the same whether the candidate exists or not (the policy answers before any look-up),
    nothing written. The chair holds and releases; each command signs out after; blind
    mode holds on the command line."""
    from onetake_desktop.services.panel import PanelService

    sid, people = panel_library(tmp_path, blind=True)
    s = open_reviewer_service(app_paths().ensure().library)
    try:
        code = PanelService(s.library).hidden_codes()[sid]
    finally:
        s.close()
    context = app_context._replace(clock=ManualClock(TODAY))
    hold = ["library", "hold", "--until", "2027-01-31", "--reason", "appeal"]
    release = ["library", "release", "--reason", "withdrawn"]
    for who, stdin, sentence in (
        ([], "", "Keeping a candidate longer is for the panel's chair: sign in as Ana."),
        (["--as", "Ben"], "ben passphrase\n",
         "Keeping a candidate longer is for the panel's chair, Ana."),
    ):  # fmt: skip
        for command in (hold, release):
            answers = set()
            for named in ([EMAIL], ["nobody@example.org"], ["--submission", str(sid)],
                          ["--submission", str(sid + 40)]):  # fmt: skip
                monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
                answers.add(run([*command, *named, *who], context, capsys))
            assert answers == {(1, "", f"onetake: {sentence}\n")}, (who, command, answers)
    assert holds_and_audit()[0] == []

    monkeypatch.setattr(sys, "stdin", io.StringIO("ana passphrase\n"))
    code_, out, err = run([*hold, EMAIL, "--as", "Ana"], context, capsys)
    assert (code_, err) == (0, "")
    assert out.startswith(f"Kept {code}: ") and NAME not in out and EMAIL not in out
    assert holds_and_audit()[1][-2:] == ["retention_hold", "lock"]  # signed out after
    monkeypatch.setattr(sys, "stdin", io.StringIO("ana passphrase\n"))
    code_, out, err = run([*release, "--submission", str(sid), "--as", "Ana"], context, capsys)
    assert (code_, err) == (0, "")
    assert out.startswith(f"No longer keeping {code}: ") and NAME not in out
    held, actions = holds_and_audit()
    assert held == [(people["Ana"], people["Ana"])]
    assert actions[-2:] == ["retention_release", "lock"]


def test_hold_and_release_exit_1_when_sign_out_fails_or_sign_in_finds_tampering(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    """The two exit-1 cases the help and docs/privacy.md name besides refusals: a change
    written whose sign-out could not be audited (the change stands, and says so), and the
    --as panelist's rows changed by someone else (nothing done)."""
    from tests.pipeline.test_privacy import panel_whose_sign_out_fails

    sid, people = panel_library(tmp_path)
    context = app_context._replace(clock=ManualClock(TODAY))
    hold = ["library", "hold", "--until", "2027-01-31", "--reason", "appeal", EMAIL, "--as", "Ana"]
    release = ["library", "release", "--reason", "over", EMAIL, "--as", "Ana"]
    clock = context.clock
    fails = context._replace(panel_factory=lambda lib: panel_whose_sign_out_fails(lib, clock))
    for argv, said, done in (
        (hold, "Kept ", "The hold is written"),
        (release, "No longer keeping ", "The hold is lifted"),
    ):
        monkeypatch.setattr(sys, "stdin", io.StringIO("ana passphrase\n"))
        code, out, err = run(argv, fails, capsys)
        assert code == 1 and out.startswith(said), (argv, out, err)
        assert err == (
            f"onetake: {done}, but its sign-out could not be written to the audit log (the"
            " details are in onetake.log).\n"
        )
    assert holds_and_audit()[0] == [(people["Ana"], people["Ana"])]

    s = open_reviewer_service(app_paths().ensure().library)
    try:  # an unsigned hold row in Ana's name, written after schema 11: not hers
        forged = SqlitePanel(s.library.db).append_audit(
            people["Ana"], "retention_hold", f"submission {sid}", {"until": "2030-01-01"}
        )
    finally:
        s.close()
    monkeypatch.setattr(sys, "stdin", io.StringIO("ana passphrase\n"))
    code, out, err = run(hold, context, capsys)
    assert (code, out) == (1, "")
    assert err == (
        f"onetake: Your audit log row {forged.seq} was added in your name by someone else.\n"
        "onetake: Someone changed Ana's rows in the library; see the lines above.\n"
    )
    assert len(holds_and_audit()[0]) == 1  # nothing more held


# -- a person some of whose interviews were erased meanwhile ---------------------------------

GONE_LINE = (
    "Submission {} had already been erased (by another OneTake on this library, or at the"
    " end of their retention).\n"
)


def test_keeping_a_person_longer_holds_what_is_left_when_some_went_meanwhile(
    tmp_path: Path,
) -> None:
    """Keep longer and stop keeping of a person with two interviews, one erased elsewhere
    after they were read: the whole request was refused (CandidateGone) while erase did the
    rest. Now both do the rest and name the one gone; an id another import took again counts
    as gone (ids are reused rowids); with none left it is CandidateGone, nothing written."""
    from onetake_desktop.services.privacy import CandidateGone, already_gone_sentence
    from tests.pipeline.test_privacy import erase_elsewhere, two_of_theirs_and_another

    first, second, other = two_of_theirs_and_another(tmp_path)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        privacy = PrivacyService(service.library, ManualClock(TODAY))
        me = service.actor_for(service.default_reviewer.id)
        both = sorted(privacy.find(email=EMAIL), key=lambda c: c.submission_id)
        ids = [c.submission_id for c in both]
        assert ids == [first, second]
        held = privacy.hold_all(
            me, submission_ids=ids, until=date(2027, 1, 31), reason="appeal", as_read=both
        )
        assert [h.submission_id for h in held.holds] == ids and held.already_gone == ()
        assert already_gone_sentence(held) == ""

        erase_elsewhere(first)
        # Read afresh (no as_read): the one gone is left out all the same.
        lifted = privacy.release_all(me, submission_ids=ids, reason="withdrawn")
        assert [r.candidate.submission_id for r in lifted.released] == [second]
        assert lifted.already_gone == (first,)
        assert already_gone_sentence(lifted) == (
            "One of their interviews had already been erased (by another OneTake on this "
            "library, or at the end of their retention); the rest is no longer kept longer."
        )
        held = privacy.hold_all(
            me, submission_ids=ids, until=date(2027, 2, 28), reason="appeal", as_read=both
        )
        assert [h.submission_id for h in held.holds] == [second]
        assert held.already_gone == (first,)
        assert already_gone_sentence(held).endswith("; the rest is kept longer.")
        audited = [e.subject for e in audit_rows(service, "retention_hold")]
        assert audited == [f"submission {first}", f"submission {second}", f"submission {second}"]

        # The newest's id taken again by someone else: they are not held in its place.
        them = privacy.candidate(other)
        erase_elsewhere(other)
        newcomer = import_one(service, make_bundle(tmp_path / "d.onetake", "Dora Newcomer"))
        assert newcomer == other
        held = privacy.hold_all(
            me,
            submission_ids=[second, other],
            until=date(2027, 3, 31),
            reason="appeal",
            as_read=[both[1], them],
        )
        assert [h.submission_id for h in held.holds] == [second]
        assert held.already_gone == (other,) and privacy.holds(newcomer) == []

        # None left: one sentence, nothing written.
        before = len(audit_rows(service, "retention_hold"))
        with pytest.raises(CandidateGone, match=f"no candidate number {first} "):
            privacy.hold_all(
                me, submission_ids=[first], until=date(2027, 1, 31), reason="x", as_read=both
            )
        with pytest.raises(CandidateGone):
            privacy.hold(me, submission_id=other, until=date(2027, 1, 31), reason="x", as_read=them)
        with pytest.raises(CandidateGone):
            privacy.release(me, submission_id=other, reason="x", as_read=them)
        assert len(audit_rows(service, "retention_hold")) == before
        assert privacy.holds(newcomer) == []
    finally:
        service.close()


def test_hold_and_release_commands_do_the_rest_when_some_went_meanwhile(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    """'library hold|release EMAIL' after the command found the person's two interviews and
    another OneTake erased one of them: the rest is done (exit 0, as 'library erase') and one
    line names the one gone; all of them gone is exit 1, as before."""
    from tests.pipeline.test_privacy import erase_elsewhere, two_of_theirs_and_another

    first, second, _other = two_of_theirs_and_another(tmp_path)
    s = open_reviewer_service(app_paths().ensure().library)
    try:  # a third interview of theirs
        third_interview = definition("third-interview", 60)
        s.add_definition(third_interview)
        third = import_one(
            s, make_bundle(tmp_path / "e.onetake", NAME, EMAIL, definition=third_interview)
        )
    finally:
        s.close()
    context = app_context._replace(clock=ManualClock(TODAY))
    hold = ["library", "hold", "--until", "2027-01-31", "--reason", "appeal pending", EMAIL]
    release = ["library", "release", "--reason", "appeal withdrawn", EMAIL]

    found = PrivacyService.find
    erase: list[int] = []

    def find_then_erase_elsewhere(self: PrivacyService, **kwargs: Any) -> Any:
        them = found(self, **kwargs)
        if erase:  # right after the command read them
            erase_elsewhere(erase.pop())
        return them

    monkeypatch.setattr(PrivacyService, "find", find_then_erase_elsewhere)
    erase.append(first)
    code, out, err = run(hold, context, capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines(keepends=True)
    assert [line.startswith(f"Kept {NAME} <{EMAIL}>: ") for line in lines] == [True, True, False]
    assert f"(submission {second}) until 2027-01-31" in lines[0]
    assert f"(submission {third}) until 2027-01-31" in lines[1]
    assert lines[2] == GONE_LINE.format(first)
    assert len(holds_and_audit()[0]) == 2

    erase.append(second)
    code, out, err = run(release, context, capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines(keepends=True)
    assert len(lines) == 2 and lines[0].startswith(f"No longer keeping {NAME} <{EMAIL}>: ")
    assert f"(submission {third})." in lines[0]
    assert lines[1] == GONE_LINE.format(second)

    erase.append(third)
    code, out, err = run(hold, context, capsys)  # only the third was found; it went too
    assert (code, out) == (1, "")
    assert err == f"onetake: There is no candidate number {third} in this library.\n"
    assert holds_and_audit()[0] == []
