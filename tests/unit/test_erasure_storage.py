"""Schema 5 and the erasure/retention service on plain SQLite (no Qt, no media libraries)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.privacy import PrivacyService
from onetake_desktop.services.scoring import ScoringService, scoring_for
from onetake_desktop.storage import db as dbmod
from onetake_desktop.storage.library import Library, definition_to_json, open_library
from tests.unit.test_library_storage import (
    HASH,
    add,
    make_definition,
    make_manifest,
    new_answers,
)

SEALED = datetime(2026, 11, 1, 10, 5, tzinfo=UTC)  # make_manifest's seal time


def test_migration_dates_submissions_imported_before_it(tmp_path: Path) -> None:
    """A library of schema 2 with a known interview: its rows get their expiry on upgrade."""
    path = tmp_path / "library" / "onetake.sqlite3"
    db = dbmod.connect(path)
    dbmod.migrate(db, dbmod.discover_migrations()[:2])
    assert dbmod.schema_version(db) == 2
    with dbmod.transaction(db):
        db.execute(
            "INSERT INTO interviews (id, interview_id, version, content_hash, definition_json,"
            " added_at) VALUES (1, 'demo', '1', ?, ?, '2026-11-01T10:00:00+00:00')",
            (HASH, definition_to_json(make_definition())),
        )
        db.execute(
            "INSERT INTO submissions (interview_pk, bundle_sha256, kit_content_hash,"
            " candidate_name, candidate_email, sealed_at, imported_at, folder)"
            " VALUES (1, 'x', ?, 'Ada', 'ada@example.org', '2026-11-01T10:05:00Z',"
            " '2026-11-03T08:00:00.000+00:00', 'submissions/x')",
            (HASH,),
        )
    db.close()
    lib = open_library(path.parent)
    try:
        c = PrivacyService(lib).candidate(1)
        assert c.retention_days == 90 == make_definition().kit.retention_days
        assert c.expires_at == SEALED + timedelta(days=90)
    finally:
        lib.close()


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = open_library(tmp_path / "library")
    lib.interviews.add_definition(HASH, make_definition())
    yield lib
    lib.close()


def test_every_connection_zeroes_what_it_deletes(library: Library) -> None:
    assert library.db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_a_future_seal_date_cannot_extend_the_retention(library: Library) -> None:
    forged = replace(make_manifest(), created_at="2099-01-01T00:00:00Z")
    folder = library.root / "submissions" / "forged"
    record = library.submissions.add(forged, "e" * 64, folder, new_answers(forged))
    assert record is not None
    c = PrivacyService(library).candidate(record.id)
    imported = datetime.fromisoformat(record.imported_at)
    assert c.expires_at is not None
    assert imported + timedelta(days=89) < c.expires_at <= imported + timedelta(days=90)


def test_due_and_upcoming_follow_the_manual_clock(library: Library) -> None:
    sid = add(library)
    due_at = SEALED + timedelta(days=90)
    clock = ManualClock(due_at - timedelta(days=8))
    privacy = PrivacyService(library, clock)
    assert privacy.upcoming() == [] and privacy.due() == []
    clock.advance(timedelta(days=1, seconds=1).total_seconds())  # 7 days minus a second ahead
    assert [c.submission_id for c in privacy.upcoming()] == [sid]
    clock.advance(timedelta(days=7).total_seconds())
    assert privacy.upcoming() == [] and [c.submission_id for c in privacy.due()] == [sid]


def test_erase_removes_submitted_work_and_audits_numbers_only(library: Library) -> None:
    sid = add(library)
    keep = add(library, "Grace Hopper", "d" * 64)
    me = library.reviewers.ensure("Me").id
    answers = library.submissions.answers(sid)
    for a in answers:
        library.scores.save_draft(a.id, me, 4, "Ada did well")
    library.scores.submit(sid, me)
    folder = library.submissions.get(sid).folder
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "q1.mp4").write_bytes(b"\x00ADA-MEDIA" * 100)
    with pytest.raises(sqlite3.IntegrityError):
        library.db.execute("DELETE FROM submissions WHERE id = ?", (sid,))

    lone = scoring_for(library).actor_for(me)  # no panel: the lone reviewer may erase
    result = PrivacyService(library).erase(lone, submission_ids=[sid])
    assert result.counts[sid].submitted_scores == 2 and result.counts[sid].media_files == 1
    assert result.compacted
    assert [s.id for s in library.submissions.all()] == [keep]
    assert not folder.exists()
    (row,) = library.db.execute(
        "SELECT actor_id, action, subject, details FROM audit_log"
    ).fetchall()
    assert row[:3] == (me, "erased", f"submissions {sid}")
    details = json.loads(row[3])
    assert details["reason_code"] == "candidate_request" and details["submissions"] == [sid]
    counts = details["counts"][str(sid)]
    assert counts["submitted_scores"] == 2
    assert all(isinstance(v, int) for v in counts.values())
    data = b"".join(p.read_bytes() for p in library.root.rglob("onetake.sqlite3*"))
    assert b"Ada Lovelace" not in data and b"Ada did well" not in data
    assert b"Grace Hopper" in data  # the scan above sees what is still there


def test_sweep_finishes_or_undoes_interrupted_erasures(library: Library) -> None:
    sid = add(library)
    folder = library.submissions.get(sid).folder
    tomb = folder.with_name(".erasing-" + folder.name)
    os.replace(folder, tomb)  # crashed before the commit: the row is still there
    orphan = folder.with_name(".erasing-0123456789ab")
    orphan.mkdir()
    (orphan / "q1.mp4").write_bytes(b"left over")  # crashed after: no row names it
    assert PrivacyService(library).sweep() == 1
    assert folder.is_dir() and not tomb.exists() and not orphan.exists()


def test_the_sweep_deletes_after_it_lets_go_of_the_library(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting a crashed erasure's media (GBs on a slow disk) held the write lock, so another
    OneTake's import waited its busy timeout and said "library busy" (review s13a L7). Staged
    from inside the deletion: another connection to the same file imports with a short wait."""
    from onetake_desktop.storage import erasure

    orphan = library.root / "submissions" / ".erasing-0123456789ab"
    (orphan / "media").mkdir(parents=True)
    (orphan / "media" / "q1.mp4").write_bytes(b"left over" * 1000)
    imported: list[int] = []
    deleting: list[Path] = []
    real_remove_tree = erasure._remove_tree

    def import_elsewhere_meanwhile(folder: Path) -> None:
        deleting.append(folder)
        assert (folder / "media" / "q1.mp4").is_file()  # the deletion has not begun
        elsewhere = open_library(library.root)
        try:
            elsewhere.db.execute("PRAGMA busy_timeout = 50")
            imported.append(add(elsewhere, "Grace Hopper", "d" * 64))
        finally:
            elsewhere.close()
        real_remove_tree(folder)

    monkeypatch.setattr(erasure, "_remove_tree", import_elsewhere_meanwhile)
    assert PrivacyService(library).sweep() == 1
    assert len(imported) == 1 and library.submissions.get(imported[0]) is not None
    # It deleted a name of its own, still a tombstone's (a crash now: the next sweep's).
    [claimed] = deleting
    assert claimed != orphan and claimed.name.startswith(".erasing-0123456789ab")
    assert not orphan.exists() and not claimed.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_database_and_its_folder_are_private(library: Library) -> None:
    assert stat.S_IMODE(os.stat(library.root).st_mode) == 0o700
    for f in library.root.glob("onetake.sqlite3*"):
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f.name


def fast_scoring(library: Library) -> ScoringService:
    """The library's policy with a quick passphrase hash (panelists sign in in milliseconds)."""
    from argon2 import PasswordHasher

    return scoring_for(
        library,
        hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1),
        key_deriver=lambda p, salt: hashlib.sha256(salt + p.encode()).digest(),
    )


def _erased_by(library: Library) -> list[tuple[int | None, str]]:
    rows = library.db.execute(
        "SELECT actor_id, details FROM audit_log WHERE action = 'erased' ORDER BY seq"
    ).fetchall()
    return [(r[0], json.loads(r[1])["reason_code"]) for r in rows]


def test_with_a_panel_only_its_chair_erases_on_request_and_retention_still_erases(
    library: Library,
) -> None:
    """Who may erase on a shared laptop is the policy's (services.scoring); the privacy
    service asks it. The kit's retention is nobody's action: it erases whoever is signed in."""
    from onetake_desktop.domain.errors import OneTakeError
    from onetake_desktop.services.scoring import NotSignedIn

    ada, grace, alan = (
        add(library),
        add(library, "Grace Hopper", "d" * 64),
        add(library, "Alan Turing", "e" * 64),
    )
    scoring = fast_scoring(library)
    lone = scoring.actor_for(scoring.lone_reviewer("Me").id)
    privacy = PrivacyService(library, scoring=scoring)
    assert privacy.erasure_refusal(lone) is None  # alone on the library: they decide

    ben = scoring.create_panelist("Ben", "ben passphrase")  # a panel without a chair
    assert privacy.erasure_refusal(lone) == (
        "Erasing a candidate is the panel's: sign in as a panelist."
    )
    assert privacy.erasure_refusal(ben) is None
    privacy.erase(ben, submission_ids=[grace])
    assert _erased_by(library) == [(ben.reviewer_id, "candidate_request")]

    scoring.lock()
    with pytest.raises(NotSignedIn):  # a panel that locked: nobody acts for Ben any more
        privacy.erase(ben, submission_ids=[ada])

    # With a chair, only the chair: the refused keep every row and the audit says nothing.
    ana = scoring.create_panelist("Ana", "ana passphrase", chair=True)  # before any scoring
    ben = scoring.sign_in(ben.reviewer_id, "ben passphrase")
    for actor, sentence in (
        (ben, "Erasing a candidate is for the panel's chair, Ana."),
        (lone, "Erasing a candidate is for the panel's chair: sign in as Ana."),
    ):
        assert privacy.erasure_refusal(actor) == sentence
        with pytest.raises(OneTakeError, match=sentence.replace(".", r"\.")):
            privacy.erase(actor, submission_ids=[ada])
        assert {s.id for s in library.submissions.all()} == {ada, alan}
    assert len(_erased_by(library)) == 1
    privacy.erase(ana, submission_ids=[ada])
    assert _erased_by(library)[-1] == (ana.reviewer_id, "candidate_request")

    # Retention: due candidates go at the kit's date with nobody signed in, audited as such.
    scoring.lock()
    clock = ManualClock(SEALED + timedelta(days=91))
    report = PrivacyService(library, clock, scoring).expire()
    assert [c.submission_id for c in report.due] == [alan] and report.result is not None
    assert [s.id for s in library.submissions.all()] == []
    assert _erased_by(library)[-1] == (None, "retention")


def _holds(library: Library) -> list[tuple[int, int | None]]:
    """(submission, who) for every retention hold, and the audit's rows for them, in order."""
    rows = library.db.execute(
        "SELECT submission_id, reviewer_id FROM retention_holds ORDER BY id"
    ).fetchall()
    audited = library.db.execute(
        "SELECT actor_id, subject FROM audit_log WHERE action = 'retention_hold' ORDER BY seq"
    ).fetchall()
    assert [(f"submission {r[0]}", r[1]) for r in rows] == [(a[1], a[0]) for a in audited]
    return [(int(r[0]), r[1]) for r in rows]


def test_with_a_panel_only_its_chair_keeps_a_candidate_longer_than_they_were_told(
    library: Library,
) -> None:
    """Keeping a candidate past the date they were told is the same decision over their data
    as erasing them: the policy's one rule (services.scoring), asked by the privacy service.
    A refused hold writes nothing, and the candidate goes on the promised day."""
    from onetake_desktop.domain.errors import OneTakeError
    from onetake_desktop.services.scoring import Actor, NotSignedIn

    ada, grace, alan = (
        add(library),
        add(library, "Grace Hopper", "d" * 64),
        add(library, "Alan Turing", "e" * 64),
    )
    scoring = fast_scoring(library)
    clock = ManualClock(SEALED + timedelta(days=1))
    privacy = PrivacyService(library, clock, scoring)
    later = (SEALED + timedelta(days=200)).date()

    def keep(actor: Actor, sid: int) -> None:
        privacy.hold(actor, submission_id=sid, until=later, reason="appeal pending")

    lone = scoring.actor_for(scoring.lone_reviewer("Me").id)
    assert privacy.retention_hold_refusal(lone) is None  # alone on the library: they decide
    keep(lone, ada)
    assert _holds(library) == [(ada, lone.reviewer_id)]

    ben = scoring.create_panelist("Ben", "ben passphrase")  # a panel without a chair
    refused = "Keeping a candidate longer is the panel's: sign in as a panelist."
    assert privacy.retention_hold_refusal(lone) == refused
    with pytest.raises(OneTakeError, match=refused.replace(".", r"\.")):
        keep(lone, grace)
    assert privacy.retention_hold_refusal(ben) is None
    keep(ben, grace)
    assert _holds(library) == [(ada, lone.reviewer_id), (grace, ben.reviewer_id)]

    scoring.lock()
    with pytest.raises(NotSignedIn):  # a panel that locked: nobody acts for Ben any more
        keep(ben, alan)

    # With a chair, only the chair: the refused write no hold and no audit row.
    ana = scoring.create_panelist("Ana", "ana passphrase", chair=True)
    ben = scoring.sign_in(ben.reviewer_id, "ben passphrase")
    for actor, sentence in (
        (ben, "Keeping a candidate longer is for the panel's chair, Ana."),
        (lone, "Keeping a candidate longer is for the panel's chair: sign in as Ana."),
    ):
        assert privacy.retention_hold_refusal(actor) == sentence
        with pytest.raises(OneTakeError, match=sentence.replace(".", r"\.")):
            keep(actor, alan)
    assert len(_holds(library)) == 2
    assert privacy.retention_hold_refusal(ana) is None

    # The candidate's promise (kept 90 days, then deleted) stands for whoever nobody was let
    # hold: Alan goes on the day; the held two stay, their promised date unchanged.
    clock.advance(timedelta(days=90).total_seconds())
    report = privacy.expire()
    assert [c.submission_id for c in report.due] == [alan]
    assert sorted(c.submission_id for c in report.held) == sorted([ada, grace])
    assert privacy.candidate(ada).expires_at == SEALED + timedelta(days=90)
    keep(ana, ada)  # the chair may extend a hold
    assert _holds(library)[-1] == (ada, ana.reviewer_id)
