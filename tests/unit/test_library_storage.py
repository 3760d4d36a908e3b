"""The library database: migrations, repositories and the scoring rules (plain sqlite, no Qt)."""

from __future__ import annotations

import sqlite3
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.kit import (
    InterviewDefinition,
    Kit,
    Question,
    Rubric,
    RubricLevel,
)
from onetake_desktop.domain.manifest import (
    AnswerRecord,
    Consent,
    KitRef,
    MediaFile,
    SubmissionManifest,
)
from onetake_desktop.storage import db as dbmod
from onetake_desktop.storage.library import (
    Library,
    NewAnswer,
    definition_from_json,
    definition_to_json,
    open_library,
)
from onetake_desktop.storage.migration_step import Migration

HASH = "sha256:" + "ab" * 32


def make_manifest(name: str = "Ada Lovelace", content_hash: str = HASH) -> SubmissionManifest:
    answers = (
        AnswerRecord(
            "q1",
            "video",
            2,
            2,
            12.5,
            61.0,
            "2026-11-01T10:00:00Z",
            "2026-11-01T10:01:01Z",
            MediaFile("media/q1.mp4", 1000, "00" * 32, "mp4", "h264", "aac", 61.0),
        ),
        AnswerRecord(
            "q2",
            "text",
            1,
            1,
            30.0,
            120.0,
            "2026-11-01T10:02:00Z",
            "2026-11-01T10:04:00Z",
            text="I would ask the team first.",
        ),
    )
    return SubmissionManifest(
        KitRef("demo", "1", content_hash),
        name,
        name.split()[0].lower() + "@example.org",
        Consent("11" * 32, "2026-11-01T09:59:00Z"),
        answers,
        "2026-11-01T10:05:00Z",
        "0.1.0",
    )


def new_answers(manifest: SubmissionManifest) -> list[NewAnswer]:
    return [
        NewAnswer(
            a.question_id,
            a.answer_type,
            a.media.name if a.media else None,
            a.text,
            a.think_seconds_used,
            a.answer_seconds,
            a.media.duration_seconds if a.media else None,
            a.takes_used,
            a.submitted_take,
        )
        for a in manifest.answers
    ]


def make_definition() -> InterviewDefinition:
    kit = Kit(
        interview_id="demo",
        version="1",
        organisation="Example Ltd",
        role_title="Support engineer",
        welcome="Hello",
        instructions="Answer",
        privacy_notice="We keep it 90 days",
        retention_days=90,
        default_answer_type="video",
        questions=(
            Question("q1", "Tell us about a hard bug.", "Debugging", 30, 10, 120, 2),
            Question("q2", "A conflict?", "Teamwork", 30, 0, 300, 0, answer_type="text"),
        ),
    )
    levels = tuple(RubricLevel(i, f"anchor {i}") for i in range(1, 6))
    return InterviewDefinition(
        kit, {"q1": Rubric("Debugging", levels), "q2": Rubric("Team", levels)}
    )


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = open_library(tmp_path / "library")
    yield lib
    lib.close()


def add(lib: Library, name: str = "Ada Lovelace", sha: str = "c" * 64) -> int:
    m = make_manifest(name)
    folder = lib.root / "submissions" / sha[:12]
    folder.mkdir(parents=True, exist_ok=True)
    record = lib.submissions.add(m, sha, folder, new_answers(m))
    assert record is not None
    return record.id


def test_new_database_is_migrated_with_wal_and_foreign_keys(library: Library) -> None:
    db = library.db
    assert dbmod.schema_version(db) == len(dbmod.discover_migrations()) >= 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == dbmod.BUSY_TIMEOUT_MS
    for table in (
        "reviewers",
        "interviews",
        "submissions",
        "answers",
        "scores",
        "timestamped_notes",
        "recommendations",
        "schema_version",
    ):
        assert table in db.table_names()
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO answers (submission_id, position, question_id, answer_type)"
            " VALUES (999, 1, 'q1', 'video')"
        )


def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    dbmod.open_database(path).close()
    db = dbmod.open_database(path)
    versions = [r[0] for r in db.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [m.version for m in dbmod.discover_migrations()]
    db.close()


def test_an_up_to_date_library_opens_without_loading_its_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: a library at the newest version needs no migration module; one behind is
    brought up to date as before (the file names say which version is the newest)."""
    path = tmp_path / "x.sqlite3"
    dbmod.open_database(path).close()
    real = dbmod.discover_migrations

    def refuse() -> list[Migration]:
        raise AssertionError("migration modules loaded for an up-to-date library")

    monkeypatch.setattr(dbmod, "discover_migrations", refuse)
    db = dbmod.open_database(path)
    assert dbmod.schema_version(db) == len(real())
    db.close()
    calls: list[int] = []  # a library behind (a new one) loads them and is brought up to date

    def counted() -> list[Migration]:
        calls.append(1)
        return real()

    monkeypatch.setattr(dbmod, "discover_migrations", counted)
    db = dbmod.open_database(tmp_path / "new.sqlite3")
    assert calls == [1] and dbmod.schema_version(db) == len(real())
    db.close()


def test_migration_names_are_the_folder_listing_pkgutil_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: the migrations are listed from their folder (not pkgutil, which imports
    inspect); the same names as pkgutil's, a module once whatever its files, other files
    ignored, and a gap in the numbers still refused."""
    import pkgutil
    import sys

    from onetake_desktop.storage import migrations

    ours = dbmod._migration_names()
    theirs = sorted(
        i.name
        for i in pkgutil.iter_modules(migrations.__path__)
        if i.name.startswith("m") and i.name[1:4].isdigit()
    )
    assert ours == theirs and len(ours) >= 11
    pkg = tmp_path / "fake_migrations"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "m001_first.py").write_text("VERSION = 1\ndef migrate(db): pass\n")
    (pkg / "m001_first.pyc").write_bytes(b"")  # the same module, counted once
    (pkg / "m002_second.py").write_text("VERSION = 2\ndef migrate(db): pass\n")
    (pkg / "m003_notes.txt").write_text("not a module")
    (pkg / "helpers.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert dbmod._migration_names("fake_migrations") == ["m001_first", "m002_second"]
    assert [m.version for m in dbmod.discover_migrations("fake_migrations")] == [1, 2]
    (pkg / "m004_gap.py").write_text("VERSION = 4\ndef migrate(db): pass\n")
    with pytest.raises(RuntimeError, match="without gaps"):
        dbmod.discover_migrations("fake_migrations")
    for name in [n for n in sys.modules if n.startswith("fake_migrations")]:
        monkeypatch.delitem(sys.modules, name)


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    def bad_migrate(db: object) -> None:
        db.execute("CREATE TABLE half_done (x INTEGER)")  # type: ignore[attr-defined]
        raise RuntimeError("boom")

    real = dbmod.discover_migrations()
    bad = types.ModuleType("m999_bad")
    bad.VERSION = len(real) + 1  # type: ignore[attr-defined]
    bad.migrate = bad_migrate  # type: ignore[attr-defined]
    migrations = [*real, Migration(len(real) + 1, "m999_bad", bad)]
    db = dbmod.connect(tmp_path / "x.sqlite3")
    with pytest.raises(RuntimeError):
        dbmod.migrate(db, migrations)
    assert dbmod.schema_version(db) == len(real)
    assert "half_done" not in db.table_names()
    assert "scores" in db.table_names()
    db.close()


def test_a_newer_schema_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    db = dbmod.open_database(path)
    db.execute("INSERT INTO schema_version VALUES (99, 'm099_future', 'now')")
    db.close()
    with pytest.raises(OneTakeError, match="newer OneTake"):
        dbmod.open_database(path)


def test_duplicate_bundle_is_recognised(library: Library) -> None:
    add(library)
    m = make_manifest()
    assert library.submissions.add(m, "c" * 64, library.root, new_answers(m)) is None
    assert library.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 1
    assert library.db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 2


def test_answers_keep_manifest_facts_and_resolve_media(library: Library) -> None:
    sid = add(library)
    answers = library.submissions.answers(sid)
    assert [a.question_id for a in answers] == ["q1", "q2"]
    video, text = answers
    assert video.media_path == (library.root / "submissions" / ("c" * 12) / "media/q1.mp4")
    assert (video.takes_used, video.think_seconds_used, video.answer_seconds) == (2, 12.5, 61.0)
    assert text.media_path is None and text.text == "I would ask the team first."


def test_definition_round_trips_through_json(library: Library) -> None:
    definition = make_definition()
    assert definition_from_json(definition_to_json(definition)) == definition
    sid = add(library)
    sub = library.submissions.get(sid)
    assert library.interviews.definition(sub.interview_pk) is None
    assert not library.submissions.entries(1)[0].has_definition
    library.interviews.add_definition(HASH, definition)
    assert library.interviews.definition(sub.interview_pk) == definition
    entry = library.submissions.entries(1)[0]
    assert entry.has_definition and entry.interview_title == "Support engineer (v1)"


def test_drafts_change_in_place_and_submitted_scores_are_immutable(library: Library) -> None:
    me = library.reviewers.ensure("Me")
    sid = add(library)
    a1, a2 = (a.id for a in library.submissions.answers(sid))
    first = library.scores.save_draft(a1, me.id, 3, "ok")
    second = library.scores.save_draft(a1, me.id, 4, "better on second look")
    assert second.id == first.id and second.score == 4 and second.status == "draft"
    library.scores.save_draft(a2, me.id, 2, "")
    assert library.scores.submit(sid, me.id) == 2
    assert library.scores.current(a1, me.id).status == "submitted"  # type: ignore[union-attr]
    with pytest.raises(OneTakeError, match="correction"):
        library.scores.save_draft(a1, me.id, 5, "")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        library.db.execute("UPDATE scores SET score = 1 WHERE id = ?", (first.id,))
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        library.db.execute("DELETE FROM scores WHERE id = ?", (first.id,))
    with pytest.raises(InvalidInputError):
        library.scores.correct(a1, me.id, 5, "", "  ")
    fixed = library.scores.correct(a1, me.id, 5, "rewatched", "misread the anchor")
    assert fixed.supersedes_id == first.id and fixed.status == "submitted"
    assert library.scores.current(a1, me.id) == fixed
    assert [s.score for s in library.scores.history(a1, me.id)] == [4, 5]


def test_scores_outside_1_to_5_are_refused(library: Library) -> None:
    me = library.reviewers.ensure("Me")
    a1 = library.submissions.answers(add(library))[0].id
    for bad in (0, 6, -1):
        with pytest.raises(InvalidInputError):
            library.scores.save_draft(a1, me.id, bad, "")
    with pytest.raises(sqlite3.IntegrityError):
        library.db.execute(
            "INSERT INTO scores (answer_id, reviewer_id, score, status, created_at)"
            " VALUES (?, ?, 7, 'draft', 'now')",
            (a1, me.id),
        )


def test_a_reviewer_never_sees_another_reviewers_scores(library: Library) -> None:
    me = library.reviewers.ensure("Me")
    other = library.reviewers.ensure("Grace")
    sid = add(library)
    a1 = library.submissions.answers(sid)[0].id
    library.scores.save_draft(a1, other.id, 1, "secret")
    library.scores.add_note(a1, other.id, 5_000, "other's note")
    library.scores.set_recommendation(sid, other.id, "strong_no", "")
    assert library.scores.current(a1, me.id) is None
    assert library.scores.current_for_submission(sid, me.id) == {}
    assert library.scores.notes(a1, me.id) == []
    assert library.scores.recommendation(sid, me.id) is None
    assert library.submissions.entries(me.id)[0].status == "not started"
    assert library.submissions.entries(other.id)[0].status == "draft"


def test_candidate_status_not_started_draft_submitted(library: Library) -> None:
    me = library.reviewers.ensure("Me")
    sid = add(library)
    a1, a2 = (a.id for a in library.submissions.answers(sid))
    assert library.submissions.entries(me.id)[0].status == "not started"
    # A pin or a note alone is not a score: still not started.
    library.scores.add_note(a1, me.id, 1234, "good opening")
    library.scores.save_draft(a2, me.id, None, "only a note")
    assert library.submissions.entries(me.id)[0].status == "not started"
    library.scores.save_draft(a1, me.id, 4, "")
    entry = library.submissions.entries(me.id)[0]
    assert (entry.status, entry.with_score, entry.submitted) == ("draft", 1, 0)
    library.scores.save_draft(a2, me.id, 3, "")
    assert library.submissions.entries(me.id)[0].status == "draft"
    library.scores.submit(sid, me.id)
    entry = library.submissions.entries(me.id)[0]
    assert (entry.status, entry.submitted, entry.answers) == ("submitted", 2, 2)


def test_search_ignores_case_and_accents(library: Library) -> None:
    add(library, "Anders Ångström", "a" * 64)
    add(library, "Zoë MÜLLER", "b" * 64)
    add(library, "Grace Hopper", "c" * 64)
    names = [e.candidate_name for e in library.submissions.entries(1, "angstrom")]
    assert names == ["Anders Ångström"]
    assert [e.candidate_name for e in library.submissions.entries(1, "zoe mull")] == ["Zoë MÜLLER"]
    assert [e.candidate_name for e in library.submissions.entries(1, "ÅNGSTRÖM")] == [
        "Anders Ångström"
    ]
    assert library.submissions.entries(1, "nobody") == []


def test_watch_scores_reports_every_write_of_the_connection(library: Library) -> None:
    me = library.reviewers.ensure("Me")
    sid = add(library)
    a1, a2 = (a.id for a in library.submissions.answers(sid))
    seen: list[int] = []
    stop = library.watch_scores(seen.append)
    library.scores.save_draft(a1, me.id, 4, "")
    library.scores.add_note(a2, me.id, 100, "pin")
    library.scores.save_draft(a2, me.id, 2, "")
    library.scores.submit(sid, me.id)
    assert set(seen) == {a1, a2} and seen[:2] == [a1, a2]
    stop()
    seen.clear()
    library.scores.add_note(a1, me.id, 200, "unwatched")
    assert seen == []


def test_search_matches_name_email_and_role_literally(library: Library) -> None:
    add(library, "Ada Lovelace", "a" * 64)
    add(library, "Grace Hopper", "b" * 64)
    assert [e.candidate_name for e in library.submissions.entries(1, "hop")] == ["Grace Hopper"]
    assert [e.candidate_name for e in library.submissions.entries(1, "ada@")] == ["Ada Lovelace"]
    assert library.submissions.entries(1, "%") == []


def test_notes_are_ordered_by_position_and_deletable(library: Library) -> None:
    me = library.reviewers.ensure("Me")
    a1 = library.submissions.answers(add(library))[0].id
    late = library.scores.add_note(a1, me.id, 40_000, "late point")
    library.scores.add_note(a1, me.id, 3_000, "early point")
    assert [n.text for n in library.scores.notes(a1, me.id)] == ["early point", "late point"]
    library.scores.delete_note(late.id, me.id)
    assert [n.position_ms for n in library.scores.notes(a1, me.id)] == [3_000]


def test_reviewer_settings_persist(tmp_path: Path) -> None:
    lib = open_library(tmp_path / "lib")
    me = lib.reviewers.ensure("Me")
    lib.reviewers.set_setting(me.id, "playback_rate", "1.5")
    lib.close()
    lib = open_library(tmp_path / "lib")
    assert lib.reviewers.setting(me.id, "playback_rate") == "1.5"
    assert lib.reviewers.ensure("Me").id == me.id
    lib.close()


def test_a_draft_may_hold_only_a_note_but_only_scores_are_submitted(library: Library) -> None:
    me = library.reviewers.ensure("Me")
    sid = add(library)
    a1, a2 = (a.id for a in library.submissions.answers(sid))
    noted = library.scores.save_draft(a1, me.id, None, "clear structure so far")
    assert noted.score is None and noted.status == "draft"
    library.scores.save_draft(a2, me.id, 4, "")
    assert library.scores.submit(sid, me.id) == 1
    assert library.scores.current(a1, me.id).status == "draft"  # type: ignore[union-attr]
    scored = library.scores.save_draft(a1, me.id, 3, noted.note)
    assert scored.id == noted.id and scored.score == 3
    with pytest.raises(sqlite3.IntegrityError):
        library.db.execute(
            "UPDATE scores SET score = NULL, status = 'submitted' WHERE id = ?", (noted.id,)
        )


def test_a_library_locked_by_another_writer_fails_in_one_sentence(tmp_path: Path) -> None:
    lib = open_library(tmp_path / "lib")
    me = lib.reviewers.ensure("Me")
    other = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    lib.db.execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(OneTakeError, match="busy"):
            lib.reviewers.set_setting(me.id, "playback_rate", "2")
    finally:
        other.execute("ROLLBACK")
        other.close()
    lib.reviewers.set_setting(me.id, "playback_rate", "2")
    assert lib.reviewers.setting(me.id, "playback_rate") == "2"
    lib.close()


def test_migrations_imported_from_a_zip_are_listed_and_build_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package imported from a zip has no folder to list: the migrations are found
    through its importer, so a new library still gets every table (review s7b R1: an empty
    listing built no schema and said nothing)."""
    import sys
    import zipfile

    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zip_migrations/__init__.py", "")
        z.writestr("zip_migrations/m001_first.py", "VERSION = 1\ndef migrate(db): pass\n")
        z.writestr("zip_migrations/m002_second.py", "VERSION = 2\ndef migrate(db): pass\n")
        z.writestr("zip_migrations/helpers.py", "")
    monkeypatch.syspath_prepend(str(archive))
    try:
        assert dbmod._migration_names("zip_migrations") == ["m001_first", "m002_second"]
        assert [m.version for m in dbmod.discover_migrations("zip_migrations")] == [1, 2]
    finally:
        for name in [n for n in sys.modules if n.startswith("zip_migrations")]:
            monkeypatch.delitem(sys.modules, name)
