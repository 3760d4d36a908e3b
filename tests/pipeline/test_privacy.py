"""Erasure and retention on real bundles, a real SQLite library and the real command line.

The promise under test is the candidate's: "kept for N days, then deleted", and an erasure
request honoured so that no byte of them is left in the library folder.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import sqlite3
import stat
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import EXIT_OK, InvalidInputError, OneTakeError
from onetake_desktop.domain.kit import InterviewDefinition, Rubric, RubricLevel
from onetake_desktop.domain.search import fold
from onetake_desktop.domain.transcript import Transcript, Word
from onetake_desktop.paths import app_paths
from onetake_desktop.services.privacy import PrivacyService
from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from onetake_desktop.services.scoring import text_hash
from onetake_desktop.storage.panel import SqlitePanel
from onetake_desktop.storage.transcripts import SqliteTranscripts
from tests.pipeline.hostile.media import write_answer
from tests.pipeline.library_bundles import demo_definition, make_bundle

if TYPE_CHECKING:
    from onetake_desktop.domain.clock import Clock
    from onetake_desktop.services.panel import PanelService
    from onetake_desktop.storage.library import Library

NAME = "Zebulon Quixotefar"
EMAIL = "zq.erase-me@example.org"
OTHER = "Grace Hopper"
MOTTO = "xylophonezanzibar"  # one word (one FTS5 term) only their transcripts hold
SEALED = datetime(2026, 11, 1, 10, 10, tzinfo=UTC)  # make_bundle's seal time


def definition(interview_id: str, retention_days: int) -> InterviewDefinition:
    d = demo_definition()
    return replace(d, kit=d.kit._replace(interview_id=interview_id, retention_days=retention_days))


def import_one(service: ReviewerService, bundle: Path) -> int:
    (outcome,) = service.import_paths([bundle]).outcomes
    assert outcome.status == "imported", outcome.reason
    assert outcome.submission_id is not None
    return outcome.submission_id


def score_everything(service: ReviewerService, submission_id: int) -> None:
    """Scores (submitted, then one corrected), notes naming the candidate, a recommendation,
    a panel decision: everything erasure must take with it."""
    me = service.actor_for(service.default_reviewer.id)
    answers = service.answers(submission_id)
    for a in answers:
        service.save_score(me, answer_id=a.id, score=4, note=f"{NAME} explained it well")
        service.add_note(me, answer_id=a.id, position_ms=1200, text=f"{NAME} pauses here ({EMAIL})")
    service.set_recommendation(me, submission_id=submission_id, value="yes", note=f"Hire {NAME}")
    # Transcripts (issue 16): the candidate's own words, searchable through the FTS5 index.
    spoken = f"Hello I am {NAME} and my motto is {MOTTO}"
    words = tuple(Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(spoken.split()))
    for a in answers:
        SqliteTranscripts(service.library.db).save(
            a.id, Transcript(spoken, words, "whisper-base", "test", "en", 9.0), rank=2
        )
    service.submit_candidate(me, submission_id=submission_id)
    service.correct_score(
        me, answer_id=answers[0].id, score=5, note="on reflection", reason="second viewing"
    )
    # A decision row as a panel would leave it (a lone reviewer does not decide through the
    # panel's gate): erasure must take it too.
    SqlitePanel(service.library.db).add_decision(
        submission_id, "advance", "clear fit", "", me.reviewer_id
    )


def small(path: Path, **options: Any) -> Path:
    return write_answer(path, **{**options, "size": (176, 144)})


def needles(media: Path, avoid: list[bytes], bundles: Sequence[Path] = ()) -> dict[str, bytes]:
    """Name and email in three encodings, 64 bytes of the media that no file in ``avoid``
    holds (the same synthetic tone is in every test recording), and each bundle's SHA-256
    (as text, as the library keeps it, and as bytes): erasure keeps only a keyed fingerprint
    of it (schema 13), never the hash someone could compute from the file."""
    data = media.read_bytes()
    start = next(
        i
        for i in range(len(data) // 2, len(data) - 64, 64)
        if not any(data[i : i + 64] in other for other in avoid)
    )
    found: dict[str, bytes] = {"media slice": data[start : start + 64]}
    for label, text in (("name", NAME), ("email", EMAIL), ("transcript", MOTTO)):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            found[f"{label} {encoding}"] = text.encode(encoding)
        # As the library keeps text to sort and search by (the name's sort key, schema 12).
        found[f"{label} folded"] = fold(text).encode("utf-8")
    for i, bundle in enumerate(bundles):
        digest = hashlib.sha256(bundle.read_bytes())
        found[f"bundle {i} sha256"] = digest.hexdigest().encode("ascii")
        found[f"bundle {i} sha256 bytes"] = digest.digest()
    return found


def library_submissions() -> list[int]:
    """The submission ids in the app's library, read on a connection of its own."""
    s = open_reviewer_service(app_paths().ensure().library)
    try:
        return [x.id for x in s.library.submissions.all()]
    finally:
        s.close()


def traces(root: Path, wanted: dict[str, bytes]) -> list[str]:
    """Every (file, needle) pair where a file under ``root`` holds the needle's bytes."""
    hits = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits += [f"{path.relative_to(root)}: {k}" for k, v in wanted.items() if v in data]
    return hits


def test_erase_by_email_leaves_no_byte_of_the_candidate(tmp_path: Path, onetake_home: Path) -> None:
    second = definition("support-followup", 90)
    theirs = [
        make_bundle(tmp_path / "a.onetake", NAME, EMAIL),
        make_bundle(tmp_path / "b.onetake", NAME, EMAIL, definition=second),
    ]
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        service.add_definition(second)
        first_id = import_one(service, theirs[0])
        second_id = import_one(service, theirs[1])
        # Smaller video: its frames share no bytes with the erased candidate's media.
        keep_id = import_one(service, make_bundle(tmp_path / "c.onetake", OTHER, writer=small))
        for sid in (first_id, second_id):
            score_everything(service, sid)
        PrivacyService(service.library).hold(
            service.actor_for(service.default_reviewer.id),
            submission_id=first_id,
            until=date.today() + timedelta(days=300),  # a hold must end in the future
            reason="appeal pending",
        )
        media = next(a.media_path for a in service.answers(first_id) if a.media_path)
        assert media is not None
        kept = [a.media_path.read_bytes() for a in service.answers(keep_id) if a.media_path]
        wanted = needles(media, avoid=kept, bundles=theirs)
    finally:
        service.close()
    root = app_paths().library
    # The search finds what it looks for: before erasing, every needle is on disk.
    before = traces(onetake_home, wanted)
    assert {h.split(": ")[1] for h in before} >= {
        "media slice",
        "name utf-8",
        "name folded",
        "email utf-8",
        "transcript utf-8",
        "bundle 0 sha256",
        "bundle 1 sha256",
    }

    assert main(["library", "erase", "--email", EMAIL.upper(), "--yes"]) == 0

    assert traces(onetake_home, wanted) == []
    # Their bundles imported again (the same folder, as the intake routine does) are skipped
    # (exit 0: a deliberate skip), and that leaves nothing of them either
    # (tests/pipeline/test_erased_bundles.py).
    assert main(["library", "import", *map(str, theirs)]) == EXIT_OK
    assert traces(onetake_home, wanted) == []
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        remaining = [s.id for s in service.library.submissions.all()]
        assert remaining == [keep_id]
        db = service.library.db

        def count(table: str) -> int:
            return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

        assert count("answers") == len(service.answers(keep_id))
        for table in (
            "scores",
            "timestamped_notes",
            "recommendations",
            "panel_decisions",
            "retention_holds",
            "erasing",
            "transcripts",
            "transcript_search",
        ):
            assert count(table) == 0, table
        audit = SqlitePanel(db)
        (erased,) = [e for e in audit.audit_entries() if e.action == "erased"]
        details = json.loads(erased.details)
        assert sorted(details["submissions"]) == sorted([first_id, second_id])
        # Three answers plus the correction; only numbers in the audit.
        assert details["counts"][str(first_id)]["submitted_scores"] == 4
        assert audit.verify_audit() is None
        # The kept candidate is still there, in the same bytes the search scans.
        assert traces(root, {"other": OTHER.encode()}) != []
        kept_folder = service.library.submissions.get(keep_id).folder
        assert list((root / "submissions").iterdir()) == [kept_folder]
    finally:
        service.close()


def test_erase_by_candidate_takes_all_their_submissions_and_nobody_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        service.add_definition(definition("support-followup", 90))
        ada = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        again = import_one(
            service,
            make_bundle(
                tmp_path / "b.onetake", NAME, EMAIL, definition=definition("support-followup", 90)
            ),
        )
        other = import_one(service, make_bundle(tmp_path / "c.onetake", OTHER))
        score_everything(service, ada)
    finally:
        service.close()
    assert main(["library", "erase", "--candidate", str(ada), "--yes"]) == 0
    assert "Erased 2 submissions:" in capsys.readouterr().out
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        assert [s.id for s in service.library.submissions.all()] == [other]
        with pytest.raises(OneTakeError):
            service.library.submissions.get(again)
    finally:
        service.close()
    # Unknown candidates: one sentence, exit 1, nothing touched.
    assert main(["library", "erase", "--candidate", str(ada), "--yes"]) == 1
    assert "There is no candidate number" in capsys.readouterr().err
    assert main(["library", "erase", "--submission", str(other), "--yes"]) == 0


def two_of_theirs_and_another(tmp_path: Path) -> tuple[int, int, int]:
    """The person's two submissions (two interviews, one email) and someone else's."""
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        later = definition("support-followup", 90)
        service.add_definition(later)
        first = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        second = import_one(
            service, make_bundle(tmp_path / "b.onetake", NAME, EMAIL, definition=later)
        )
        other = import_one(service, make_bundle(tmp_path / "c.onetake", OTHER))
        return first, second, other
    finally:
        service.close()


def erase_elsewhere(sid: int) -> None:
    """Another OneTake on the library erases one submission: its own connection."""
    other = open_reviewer_service(app_paths().ensure().library)
    try:
        PrivacyService(other.library, ManualClock()).erase(
            other.actor_for(other.default_reviewer.id), submission_ids=[sid]
        )
    finally:
        other.close()


def test_an_erasure_erases_what_is_left_of_a_person_when_some_went_meanwhile(
    tmp_path: Path,
) -> None:
    """Review s12b #4: one of a person's two submissions erased elsewhere between the plan
    and the erasure made the whole request fail (CandidateGone): their other interview
    stayed, and the window said the candidate was gone. Now the rest is erased and the
    result names the one that was gone; with nothing left it is CandidateGone, as before."""
    from onetake_desktop.services.privacy import CandidateGone

    first, second, other = two_of_theirs_and_another(tmp_path)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        privacy = PrivacyService(service.library, ManualClock())
        me = service.actor_for(service.default_reviewer.id)
        plan = privacy.plan([c.submission_id for c in privacy.find(email=EMAIL)])
        assert plan.submission_ids == [first, second]
        erase_elsewhere(first)
        result = privacy.erase(me, submission_ids=plan.submission_ids)
        assert list(result.counts) == [second] and result.already_gone == (first,)
        assert [s.id for s in service.library.submissions.all()] == [other]
        from onetake_desktop.services.privacy import already_gone_sentence

        assert already_gone_sentence(result) == (
            "One of their interviews had already been erased (by another OneTake on this "
            "library, or at the end of their retention); the rest is erased now."
        )
        # Every one of them gone: one sentence, nothing done (as before).
        with pytest.raises(CandidateGone, match=f"no candidate number {first} "):
            privacy.erase(me, submission_ids=plan.submission_ids)
        assert [s.id for s in service.library.submissions.all()] == [other]
    finally:
        service.close()


def test_an_id_taken_again_by_a_new_import_is_not_erased_in_the_person_read(
    tmp_path: Path,
) -> None:
    """Review s12c M1: submission ids are rowids without AUTOINCREMENT. Another OneTake erases
    a person's newest submission and imports someone else, who gets that id again; the
    erasure confirmed for the first person must not take the newcomer."""
    from onetake_desktop.services.privacy import CandidateGone

    first, second, other = two_of_theirs_and_another(tmp_path)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        privacy = PrivacyService(service.library, ManualClock())
        me = service.actor_for(service.default_reviewer.id)
        plan = privacy.plan([other])  # OTHER's, the newest: confirmed, not yet erased
        erase_elsewhere(other)
        newcomer = import_one(service, make_bundle(tmp_path / "d.onetake", "Dora Newcomer"))
        assert newcomer == other  # the id is taken again
        with pytest.raises(CandidateGone):
            privacy.erase(me, submission_ids=plan.submission_ids, as_read=plan.candidates)
        ids = [s.id for s in service.library.submissions.all()]
        assert sorted(ids) == sorted([first, second, newcomer])
        # Asked for both people's at once: the newcomer's id counts as gone, the rest goes.
        plan2 = privacy.plan([first])
        result = privacy.erase(
            me,
            submission_ids=[first, newcomer],
            as_read=[*plan2.candidates, *plan.candidates],
        )
        assert list(result.counts) == [first] and result.already_gone == (newcomer,)
        assert sorted(s.id for s in service.library.submissions.all()) == [second, newcomer]
    finally:
        service.close()


def erased_audit(library: Library) -> list[list[int]]:
    """The submissions each "erased" audit row names, oldest row first."""
    return [
        json.loads(e.details)["submissions"]
        for e in SqlitePanel(library.db).audit_entries()
        if e.action == "erased"
    ]


def test_the_still_there_check_and_the_erasure_are_one_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s12c L5: which submissions are still there was read before the erasure's write
    transaction. Another OneTake erasing one of them just then (and importing someone who
    takes its id again) made this erasure's audit row count it, already_gone miss it, and the
    newcomer be erased. Staged exactly there: the erasure's storage call first lets a second
    connection erase and import, then runs."""
    from onetake_desktop.storage.erasure import erase_submissions as real

    where = "onetake_desktop.services.privacy.erase_submissions"  # as the service calls it
    first, second, other = two_of_theirs_and_another(tmp_path)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        privacy = PrivacyService(service.library, ManualClock())
        me = service.actor_for(service.default_reviewer.id)
        newcomers: list[int] = []

        def meanwhile(*args: Any, **kwargs: Any) -> Any:
            monkeypatch.setattr(where, real)  # once: the erasures elsewhere call it too
            erase_elsewhere(first)
            erase_elsewhere(other)  # the newest: its id is free again
            elsewhere = open_reviewer_service(app_paths().ensure().library)
            try:
                newcomers.append(
                    import_one(elsewhere, make_bundle(tmp_path / "d.onetake", "Dora Newcomer"))
                )
            finally:
                elsewhere.close()
            return real(*args, **kwargs)

        plan = privacy.plan([first, second, other])
        monkeypatch.setattr(where, meanwhile)
        result = privacy.erase(me, submission_ids=plan.submission_ids, as_read=plan.candidates)
        assert newcomers == [other]  # the id was taken again
        assert list(result.counts) == [second]
        assert result.already_gone == (first, other)
        assert library_submissions() == [other]  # the newcomer stays
        # Elsewhere's two rows, then this request's: only what it erased.
        assert erased_audit(service.library) == [[first], [other], [second]]
    finally:
        service.close()


def test_a_sweep_elsewhere_does_not_put_back_the_media_of_an_erasure_under_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An erasure moves the candidate's media folder aside, then deletes their rows. Another
    OneTake's sweep (every 'library erase' and 'expire', the window's start-up) looking just
    then saw the rows still there and put the folder back: the rows went a moment later and
    the recordings stayed in the library with nothing pointing at them. The sweep now waits
    for the write lock the erasure holds throughout, and gives up (nothing swept) after its
    short wait. Staged at the erasure's audit step, after the folder moved."""
    from onetake_desktop.storage import erasure
    from onetake_desktop.storage.panel import record_erasure

    first, _second, other = two_of_theirs_and_another(tmp_path)
    monkeypatch.setattr(erasure, "SWEEP_WAIT_MS", 50)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        folder = Path(service.library.submissions.get(first).folder)
        assert folder.is_dir()
        swept: list[int] = []

        def sweep_elsewhere_then_audit(*args: Any, **kwargs: Any) -> Any:
            assert not folder.exists()  # moved aside, rows not yet deleted
            elsewhere = open_reviewer_service(app_paths().ensure().library)
            try:
                swept.append(PrivacyService(elsewhere.library, ManualClock()).sweep())
            finally:
                elsewhere.close()
            return record_erasure(*args, **kwargs)

        monkeypatch.setattr(erasure, "record_erasure", sweep_elsewhere_then_audit)
        privacy = PrivacyService(service.library, ManualClock())
        me = service.actor_for(service.default_reviewer.id)
        result = privacy.erase(me, submission_ids=[first])
        assert list(result.counts) == [first] and swept == [0]
        assert not folder.exists()
        assert not [p for p in folder.parent.iterdir() if first_folder_named(p, folder)]
        assert first not in library_submissions() and other in library_submissions()
        # Once nobody writes, a sweep runs as before.
        assert privacy.sweep() == 0
    finally:
        service.close()


def first_folder_named(path: Path, folder: Path) -> bool:
    """Is ``path`` the erased folder, put back or left aside?"""
    return path.name in (folder.name, f".erasing-{folder.name}")


def test_erase_command_says_which_submission_was_already_gone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same at a terminal: one of the two erased while the prompt waited. The rest is
    erased (exit 0) and one line names the one that was gone."""
    _first, second, other = two_of_theirs_and_another(tmp_path)

    def confirm_after_an_erasure_elsewhere(prompt: str = "") -> str:
        erase_elsewhere(second)
        return "erase"

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(builtins, "input", confirm_after_an_erasure_elsewhere)
    assert main(["library", "erase", "--email", EMAIL]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Erased 1 submission: 3 answers," in out
    assert (
        f"Submission {second} had already been erased (by another OneTake on this "
        "library, or at the end of their retention)." in out
    )
    assert library_submissions() == [other]


def test_erase_asks_at_a_terminal_and_refuses_unconfirmed_scripts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        score_everything(service, sid)
    finally:
        service.close()

    def still_there() -> bool:
        return library_submissions() == [sid]

    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert main(["library", "erase", "--email", EMAIL]) == 3
    assert "add --yes" in capsys.readouterr().err
    assert still_there()

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(builtins, "input", lambda prompt="": "no")
    assert main(["library", "erase", "--email", EMAIL]) == 1
    out = capsys.readouterr().out
    assert f"{NAME} <{EMAIL}>" in out
    assert (
        "3 answers with 2 recordings (0.1 MB), 4 scores (4 submitted), 3 timestamped notes,"
        " 1 recommendation, 1 decision, 3 transcripts." in out
    )
    assert "Nothing was erased." in out
    assert still_there()

    monkeypatch.setattr(builtins, "input", lambda prompt="": "erase")
    assert main(["library", "erase", "--email", EMAIL]) == 0
    assert not still_there()


def test_schema_refuses_deleting_scored_candidates_outside_erasure(tmp_path: Path) -> None:
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        score_everything(service, sid)
        db = service.library.db
        for sql in (
            "DELETE FROM submissions",
            "DELETE FROM scores WHERE status = 'submitted'",
            "UPDATE scores SET score = 1 WHERE status = 'submitted'",
            "DELETE FROM recommendations",
            "DELETE FROM panel_decisions",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                db.execute(sql)
        assert db.execute("SELECT COUNT(*) FROM scores").fetchone()[0] == 4
        me = service.actor_for(service.default_reviewer.id)
        PrivacyService(service.library).erase(me, submission_ids=[sid])
        assert db.execute("SELECT COUNT(*) FROM scores").fetchone()[0] == 0
    finally:
        service.close()


def test_a_crash_mid_erasure_is_finished_or_undone_at_the_next_start(tmp_path: Path) -> None:
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        kept = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        gone = import_one(service, make_bundle(tmp_path / "b.onetake", OTHER))
        folders = {sid: service.library.submissions.get(sid).folder for sid in (kept, gone)}
        # As if killed after moving the folders aside: one before its commit, one after.
        for folder in folders.values():
            os.replace(folder, folder.with_name(".erasing-" + folder.name))
        privacy = PrivacyService(service.library)
        me = service.actor_for(service.default_reviewer.id)
        privacy.erase(me, submission_ids=[gone])  # rows of `gone` go now
        assert privacy.sweep() == 1
        assert folders[kept].is_dir() and not folders[gone].exists()
        assert [p.name for p in folders[kept].parent.iterdir()] == [folders[kept].name]
    finally:
        service.close()


# -- retention -----------------------------------------------------------------------------


def test_import_stamps_the_kit_retention_the_candidate_was_told(tmp_path: Path) -> None:
    short = definition("short-retention", 30)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        service.add_definition(short)
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, definition=short))
        demo = import_one(service, make_bundle(tmp_path / "b.onetake", OTHER))
        privacy = PrivacyService(service.library)
        c = privacy.candidate(sid)
        assert c.retention_days == short.kit.retention_days == 30
        assert c.expires_at == SEALED + timedelta(days=30)
        d = privacy.candidate(demo)
        assert d.retention_days == demo_definition().kit.retention_days
        assert d.expires_at == SEALED + timedelta(days=d.retention_days or 0)
    finally:
        service.close()


def test_a_definition_added_later_dates_the_submissions_that_waited(tmp_path: Path) -> None:
    late = definition("late-definition", 45)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, definition=late))
        privacy = PrivacyService(service.library)
        assert privacy.candidate(sid).expires_at is None and privacy.undated() == 1
        service.add_definition(late)
        assert privacy.candidate(sid).expires_at == SEALED + timedelta(days=45)
        assert privacy.undated() == 0
    finally:
        service.close()


def test_expire_with_a_manual_clock_dry_run_hold_and_erase(tmp_path: Path) -> None:
    kit = definition("thirty-days", 30)
    due_at = SEALED + timedelta(days=30)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        service.add_definition(kit)
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, definition=kit))
        later = import_one(service, make_bundle(tmp_path / "b.onetake", OTHER))  # 180 days
        score_everything(service, sid)
        clock = ManualClock(due_at - timedelta(days=3))
        privacy = PrivacyService(service.library, clock)
        audit = SqlitePanel(service.library.db)

        assert privacy.due() == [] and [c.submission_id for c in privacy.upcoming()] == [sid]
        clock.advance(timedelta(days=3, seconds=1).total_seconds())
        assert [c.submission_id for c in privacy.upcoming()] == []

        def snapshot() -> list[object]:
            db = service.library.db
            return [
                db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("submissions", "answers", "scores", "timestamped_notes", "audit_log")
            ] + [sorted(p.name for p in (service.library.root / "submissions").iterdir())]

        before = snapshot()
        dry = privacy.expire(dry_run=True)
        assert [c.submission_id for c in dry.due] == [sid] and dry.result is None
        assert snapshot() == before

        # A hold keeps them past the promise; it needs a reason without their name, and an end.
        lone = service.actor_for(service.default_reviewer.id)
        with pytest.raises(InvalidInputError, match="needs a reason"):
            privacy.hold(lone, submission_id=sid, until=date(2027, 1, 15), reason="  ")
        with pytest.raises(InvalidInputError, match="name or email"):
            privacy.hold(lone, submission_id=sid, until=date(2027, 1, 15), reason=f"{NAME} appeals")
        with pytest.raises(InvalidInputError, match="future"):
            privacy.hold(lone, submission_id=sid, until=date(2026, 11, 1), reason="x")
        me = service.default_reviewer.id
        hold = privacy.hold(
            lone, submission_id=sid, until=date(2027, 1, 15), reason="appeal pending"
        )
        assert hold.until == datetime(2027, 1, 15, 23, 59, 59, tzinfo=UTC)
        (entry,) = [e for e in audit.audit_entries() if e.action == "retention_hold"]
        assert entry.actor_id == me and entry.subject == f"submission {sid}"
        # Review s11a N3: the reason is text about the candidate and the audit log outlives
        # them: the row keeps the date only, not the reason nor a hash that confirms a guess.
        assert json.loads(entry.details) == {"until": "2027-01-15"}
        rows = service.library.db.execute("SELECT * FROM audit_log").fetchall()
        guess = text_hash("appeal pending").removeprefix("sha256:")
        assert rows and not [r for r in rows if "appeal pending" in repr(r) or guess in repr(r)]
        kept = privacy.expire()
        assert kept.due == [] and [c.submission_id for c in kept.held] == [sid]
        assert service.library.submissions.get(sid).id == sid

        clock.advance(timedelta(days=60).total_seconds())  # past the hold's end
        report = privacy.expire()
        assert [c.submission_id for c in report.due] == [sid]
        assert report.result is not None and report.result.compacted
        assert [s.id for s in service.library.submissions.all()] == [later]
        (erased,) = [e for e in audit.audit_entries() if e.action == "erased"]
        details = json.loads(erased.details)
        counts = details["counts"][str(sid)]
        assert details["reason_code"] == "retention" and counts["answers"] == 3
        assert all(isinstance(v, int) for v in counts.values())
        assert audit.verify_audit() is None
    finally:
        service.close()


def test_expire_command_dry_run_changes_nothing_then_erases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One day from a seal date in the past: due whatever today's date is.
    kit = definition("one-day", 1)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        service.add_definition(kit)
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, definition=kit))
        keep = import_one(service, make_bundle(tmp_path / "b.onetake", OTHER, definition=kit))
        PrivacyService(service.library).hold(
            service.actor_for(service.default_reviewer.id),
            submission_id=keep,
            until=date.today() + timedelta(days=20),
            reason="under review",
        )
    finally:
        service.close()
    assert main(["library", "expire", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would erase  {NAME} <{email_of(NAME)}>" in out
    assert "(kept 1 days, due 2026-11-02)" in out and "on hold until" in out
    assert "Dry run: 1 candidate(s) due; nothing was changed." in out
    assert main(["library", "expire"]) == 0
    assert "Erased 1 candidate(s) whose retention ended." in capsys.readouterr().out
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        assert [s.id for s in service.library.submissions.all()] == [keep]
        assert sid not in {s.id for s in service.library.submissions.all()}
    finally:
        service.close()


def email_of(name: str) -> str:  # make_bundle's default email
    return name.split()[0].lower() + "@example.org"


# -- permissions ---------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_library_folders_are_0700_and_files_0600(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # a usual session: without care, all would be world-readable
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        score_everything(service, sid)
        root = service.library.root
        service.export_scores(
            service.actor_for(service.default_reviewer.id), fmt="csv", out=root / "scores.csv"
        )
        paths = app_paths()
        for folder in (paths.data, paths.config, paths.cache, paths.logs, paths.sessions, root):
            assert _mode(folder) == 0o700, folder
        folders = [p for p in root.rglob("*") if p.is_dir()]
        files = [p for p in root.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {
            "onetake.sqlite3",
            "onetake.sqlite3-wal",
            "onetake.sqlite3-shm",
            "manifest.json",
            "q1.mp4",
            "scores.csv",
        }
        assert {str(p.relative_to(root)): _mode(p) for p in folders} == {
            str(p.relative_to(root)): 0o700 for p in folders
        }
        assert {str(p.relative_to(root)): _mode(p) for p in files} == {
            str(p.relative_to(root)): 0o600 for p in files
        }
    finally:
        service.close()
        os.umask(old_umask)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_older_world_readable_library_is_tightened_when_opened() -> None:
    service = open_reviewer_service(app_paths().ensure().library)
    root = service.library.root
    service.close()
    os.chmod(root, 0o755)
    for f in root.glob("onetake.sqlite3*"):
        os.chmod(f, 0o644)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        assert _mode(root) == 0o700
        assert {f.name: _mode(f) for f in root.glob("onetake.sqlite3*")} == {
            f.name: 0o600 for f in root.glob("onetake.sqlite3*")
        }
    finally:
        service.close()


def test_the_candidates_promise_is_the_reviewers_expiry(tmp_path: Path) -> None:
    """A real candidate session on a kit that says "kept for 30 days": the reviewer library
    erases that bundle 30 days after it was sealed, not a second later."""
    from tests.pipeline.test_candidate_headless import SMALL_CAMERA, small_kit, write_kit

    kit = small_kit()
    out = tmp_path / "ada.onetake"
    code = main(
        [
            "candidate", str(write_kit(tmp_path)), "--headless", "--camera", SMALL_CAMERA,
            "--mic", "synthetic", "--name", NAME, "--email", EMAIL,
            "--answer-seconds", "0.5", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        levels = tuple(RubricLevel(n, f"Level {n} behaviour.") for n in range(1, 6))
        rubrics = {q.id: Rubric("Communication", levels) for q in kit.questions}
        service.add_definition(InterviewDefinition(kit, rubrics))
        sid = import_one(service, out)
        sealed = datetime.fromisoformat(service.library.submissions.get(sid).sealed_at)
        privacy = PrivacyService(service.library, ManualClock(sealed))
        c = privacy.candidate(sid)
        assert c.retention_days == kit.retention_days == 30
        assert c.expires_at == sealed.replace(microsecond=0) + timedelta(days=30)
        clock = ManualClock(c.expires_at - timedelta(seconds=1))
        privacy = PrivacyService(service.library, clock)
        assert privacy.expire().due == []
        clock.advance(1)
        assert [x.submission_id for x in privacy.expire().due] == [sid]
        assert service.library.submissions.all() == []
    finally:
        service.close()


def test_erase_prompt_keeps_blind_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the panel's blind mode on, the command line names the candidate by their code."""
    from onetake_desktop.services.panel import PanelService

    service = open_reviewer_service(app_paths().ensure().library)
    try:
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        SqlitePanel(service.library.db).set_setting("blind_mode", "1")
        code = PanelService(service.library).hidden_codes()[sid]
    finally:
        service.close()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(builtins, "input", lambda prompt="": "no")
    assert main(["library", "erase", "--submission", str(sid)]) == 1
    out = capsys.readouterr().out
    assert f"  {code}: Customer Support Specialist" in out
    assert NAME not in out and EMAIL not in out


def test_a_reader_holding_the_database_is_reported_and_expire_finishes_the_wipe(
    tmp_path: Path, onetake_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
    finally:
        service.close()
    wanted = {f"{k} {e}": v.encode(e) for k, v in (("name", NAME), ("email", EMAIL))
              for e in ("utf-8", "utf-16-le", "utf-16-be")}  # fmt: skip
    other = sqlite3.connect(app_paths().database)  # another program, in the middle of a read
    try:
        other.execute("BEGIN")
        other.execute("SELECT COUNT(*) FROM submissions").fetchone()
        assert main(["library", "erase", "--email", EMAIL, "--yes"]) == 0
        assert "another program has the library open" in capsys.readouterr().err
        assert traces(onetake_home, wanted) != []  # what the warning is about
        other.rollback()  # the other program ends its read but stays open
        assert main(["library", "expire"]) == 0  # nothing due; it wipes what was left
        assert traces(onetake_home, wanted) == []
    finally:
        other.close()


def test_erase_command_on_a_panel_library_is_the_chairs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    """On a shared laptop with a panel, `library erase` signs a panelist in (--as) and the
    policy decides: the chair erases; anyone else gets one sentence and exit 1, nothing
    erased; an unknown panelist or a wrong passphrase is exit 3."""
    import io

    from argon2 import PasswordHasher

    from onetake_desktop.services.panel import PanelService

    service = open_reviewer_service(app_paths().ensure().library)
    try:
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        panel = PanelService(
            service.library, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
        )
        ana = panel.create_panelist("Ana", "ana passphrase", chair=True).reviewer_id
        panel.create_panelist("Ben", "ben passphrase")
        panel.lock()
    finally:
        service.close()

    def still_there() -> bool:
        return library_submissions() == [sid]

    clock = ManualClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    context = app_context._replace(clock=clock)  # a wrong passphrase pauses the next try
    erase = ["library", "erase", "--submission", str(sid), "--yes"]
    for extra, stdin, code, sentence in (
        ([], "", 1, "Erasing a candidate is for the panel's chair: sign in as Ana."),
        (
            ["--as", "Ben"],
            "ben passphrase\n",
            1,
            "Erasing a candidate is for the panel's chair, Ana.",
        ),
        (["--as", "Nobody"], "", 3, "There is no panelist called Nobody."),
        (["--as", "Ana"], "not it at all\n", 3, "That is not Ana's passphrase."),
    ):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        assert main([*erase, *extra], context) == code, extra
        err = capsys.readouterr().err.strip()
        assert err == f"onetake: {sentence}", (extra, err)
        assert still_there()
    clock.advance(60)
    monkeypatch.setattr(sys, "stdin", io.StringIO("ana passphrase\n"))
    assert main([*erase, "--as", "Ana"], context) == 0
    assert "Erased 1 submission:" in capsys.readouterr().out
    assert not still_there()
    s = open_reviewer_service(app_paths().ensure().library)
    try:
        erased = [e for e in SqlitePanel(s.library.db).audit_entries() if e.action == "erased"]
        assert [(e.actor_id, json.loads(e.details)["reason_code"]) for e in erased] == [
            (ana, "candidate_request")
        ]
    finally:
        s.close()


def test_a_refused_eraser_learns_nothing_about_who_applied(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    """`library erase` asks the policy before it looks anyone up: on a panel library, someone
    not signed in, or a panelist who is not the chair, gets the same sentence and exit code
    whether the email (or number) belongs to a candidate or not, and nothing about the
    candidate is printed first (blind mode or not, nobody can probe who applied)."""
    import getpass

    from argon2 import PasswordHasher

    from onetake_desktop.services.panel import PanelService

    service = open_reviewer_service(app_paths().ensure().library)
    try:
        sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        panel = PanelService(
            service.library, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
        )
        panel.create_panelist("Ana", "ana passphrase", chair=True)
        panel.create_panelist("Ben", "ben passphrase")
        panel.lock()
    finally:
        service.close()
    # At a terminal, where the command would ask before erasing: no prompt comes first.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "ben passphrase")
    for who in ([], ["--as", "Ben"]):
        answers = []
        for named in (
            ["--email", EMAIL],
            ["--email", "nobody-applied@example.org"],
            ["--submission", str(sid)],
            ["--submission", str(sid + 40)],
            ["--candidate", str(sid)],
            ["--candidate", str(sid + 40)],
        ):
            for yes in ([], ["--yes"]):
                code = main(["library", "erase", *named, *yes, *who], app_context)
                out, err = capsys.readouterr()
                assert out == "", (who, named, out)  # no plan, no name, no prompt
                answers.append((code, err))
        assert answers == [answers[0]] * len(answers), (who, answers)
        assert answers[0][0] == 1 and "chair" in answers[0][1], answers[0]
    assert library_submissions() == [sid]


def panel_whose_sign_out_fails(library: Library, clock: Clock) -> PanelService:
    """A real panel service whose sign-out (an audit row) fails as a full disk would."""
    from onetake_desktop.services.panel import PanelService

    panel = PanelService(library, clock)

    def lock() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    panel.lock = lock  # type: ignore[method-assign]
    return panel


def test_erase_closes_the_library_and_shows_the_first_error_when_signing_out_fails(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    """Signing out writes an audit row; when that fails after the command already failed,
    the user still reads the first error, and the library is closed either way (also when
    the panel itself cannot be made)."""
    from onetake_desktop.services.panel import PanelService

    service = open_reviewer_service(app_paths().ensure().library)
    try:
        import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
        PanelService(service.library).create_panelist("Ana", "ana passphrase", chair=True)
    finally:
        service.close()
    opened: list[Library] = []

    def failing_panel(library: Library) -> PanelService:
        opened.append(library)
        return panel_whose_sign_out_fails(library, app_context.clock)

    erase = ["library", "erase", "--email", EMAIL, "--yes"]
    assert main(erase, app_context._replace(panel_factory=failing_panel)) == 1
    err = capsys.readouterr().err
    assert err == "onetake: Erasing a candidate is for the panel's chair: sign in as Ana.\n"

    def no_panel(library: Library) -> PanelService:
        opened.append(library)
        raise sqlite3.OperationalError("disk I/O error")

    assert main(erase, app_context._replace(panel_factory=no_panel)) == 1
    assert "disk I/O error" in capsys.readouterr().err
    assert len(opened) == 2
    for library in opened:
        with pytest.raises(sqlite3.ProgrammingError):  # closed
            library.db.execute("SELECT 1")
    assert len(library_submissions()) == 1


def test_an_erasure_whose_sign_out_fails_still_says_what_it_erased(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    app_context: Any,
) -> None:
    """The erasure is committed before signing out: when writing the sign-out fails, the
    user still reads what was erased (never only an error, as if nothing was), the exit code
    says something failed, and the failure reaches the app's log (its logger is under
    onetake_desktop, where the log file's handler is), not stderr as a traceback."""

    service = open_reviewer_service(app_paths().ensure().library)
    try:
        import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
    finally:
        service.close()

    def failing_panel(library: Library) -> PanelService:
        return panel_whose_sign_out_fails(library, app_context.clock)

    erase = ["library", "erase", "--email", EMAIL, "--yes"]
    with caplog.at_level("ERROR", logger="onetake_desktop"):
        assert main(erase, app_context._replace(panel_factory=failing_panel)) == 1
    out, err = capsys.readouterr()
    assert out.startswith("Erased 1 submission:"), out
    assert err == (
        "onetake: The erasure is done, but its sign-out could not be written to the audit "
        "log (the details are in onetake.log).\n"
    )
    assert library_submissions() == []
    records = [r for r in caplog.records if r.name == "onetake_desktop.cli.panel"]
    assert records and "signing out" in records[0].getMessage()


def test_expire_counts_submissions_with_no_expiry_in_singular_and_plural(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Walk s13 Low 7: "1 submission(s) have no expiry yet". No expiry: as a submission whose
    # interview definition the library does not hold (expires_at NULL).
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        ids = [
            import_one(service, make_bundle(tmp_path / f"{n}.onetake", who))
            for n, who in enumerate((NAME, OTHER))
        ]
    finally:
        service.close()
    lines = []
    for sid in ids:
        db = sqlite3.connect(app_paths().database)
        with db:
            db.execute("UPDATE submissions SET expires_at = NULL WHERE id = ?", (sid,))
        db.close()
        assert main(["library", "expire", "--dry-run"]) == 0
        lines.append(capsys.readouterr().out.splitlines()[0])
    assert lines == [
        "1 submission has no expiry yet: add its interview definition so its retention is known.",
        "2 submissions have no expiry yet: add their interview definition so their retention"
        " is known.",
    ]
