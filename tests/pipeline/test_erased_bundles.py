"""An erased candidate stays erased when the same bundle is imported again (review s11, H2).

The intake routine imports the same folder (the upload store) every batch: before schema 13,
the next batch brought back whoever had been erased. Real bundles, a real SQLite library, the
real command line and the service the reviewer window imports through.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import EXIT_INVALID_INPUT, EXIT_OK
from onetake_desktop.paths import app_paths
from onetake_desktop.services.context import AppContext
from onetake_desktop.services.privacy import PrivacyService
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.storage.erased_bundles import KEY_SETTING, erased_bundle
from tests.pipeline.library_bundles import make_bundle
from tests.pipeline.test_privacy import EMAIL, NAME, OTHER, SEALED, definition, import_one

ERASED_ON = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)


def refusal(day: date) -> str:
    return (
        f"This bundle belongs to a candidate erased on {day.isoformat()}; it is not imported again."
    )


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def names_in_library() -> list[str]:
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        return sorted(s.candidate_name for s in service.library.submissions.all())
    finally:
        service.close()


def submission_folders() -> list[str]:
    return sorted(p.name for p in (app_paths().library / "submissions").iterdir())


def test_the_same_folder_imported_again_by_the_command_skips_the_erased_candidate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's routine: import the folder, erase one candidate on request, import the
    same folder again. The erased one is skipped with one sentence ("erased" on stdout, as
    "already": a routine re-import of the intake store exits 0 every time), the other is
    "already" there, and nothing of the erased one comes back. A bad bundle beside them
    still makes it exit 3."""
    folder = tmp_path / "bundles"
    folder.mkdir()
    erased = make_bundle(folder / "zq.onetake", NAME, EMAIL)
    make_bundle(folder / "grace.onetake", OTHER)
    assert main(["library", "import", str(folder)]) == EXIT_OK
    capsys.readouterr()
    context = AppContext.from_environment()._replace(clock=ManualClock(ERASED_ON))
    assert main(["library", "erase", "--email", EMAIL, "--yes"], context) == EXIT_OK
    capsys.readouterr()
    kept = submission_folders()

    assert main(["library", "import", str(folder)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert err == ""
    assert f"erased    {erased}: {refusal(ERASED_ON.date())}" in out.splitlines()
    assert f"already   {folder / 'grace.onetake'}: This bundle is already in the library." in out
    assert "0 imported, 1 already in the library, 1 skipped (its candidate was erased)." in out
    assert names_in_library() == [OTHER]
    assert submission_folders() == kept  # no staging folder left, no media of theirs

    # The README's clean-up reads the paths to remove from these lines.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "s#^(imported|already|erased) +($store/[^:]+): .*#\\2#p" in readme

    # A script asking again gets the same answer: the row is kept, not used up.
    assert main(["library", "import", str(erased)]) == EXIT_OK
    assert refusal(ERASED_ON.date()) in capsys.readouterr().out
    assert names_in_library() == [OTHER]

    # Beside a bundle that is refused, the exit code is that refusal's.
    broken = folder / "broken.onetake"
    broken.write_bytes(b"not a bundle")
    assert main(["library", "import", str(folder)]) == EXIT_INVALID_INPUT
    out, err = capsys.readouterr()
    assert f"erased    {erased}: " in out and err.startswith(f"refused   {broken}")
    assert "1 skipped (its candidate was erased), 1 refused." in out


def test_the_service_refuses_an_erased_bundle_and_imports_a_resealed_one(tmp_path: Path) -> None:
    """Through the service the window imports with: the same file is skipped (a line for the
    window's box), a copy of it under another name too, the rest of the batch imports; the
    same person's interview sealed again (a new file, a new hash) imports."""
    bundle = make_bundle(tmp_path / "a.onetake", NAME, EMAIL)
    resealed = make_bundle(tmp_path / "again" / "a.onetake", NAME, EMAIL, seconds=2.5)
    assert sha256_of(resealed) != sha256_of(bundle)
    copy = tmp_path / "renamed.onetake"
    copy.write_bytes(bundle.read_bytes())
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        sid = import_one(service, bundle)
        privacy = PrivacyService(service.library, ManualClock(ERASED_ON))
        privacy.erase(service.actor_for(service.default_reviewer.id), submission_ids=[sid])
        other = make_bundle(tmp_path / "c.onetake", OTHER)

        report = service.import_paths([bundle, copy, other])
        assert [(o.path, o.status) for o in report.outcomes] == [
            (bundle, "erased"),
            (copy, "erased"),
            (other, "imported"),
        ]
        assert report.outcomes[0].reason == refusal(ERASED_ON.date())
        # The window's box shows this line (the sentence does not name the file).
        assert report.outcomes[1].line() == f"renamed.onetake: {refusal(ERASED_ON.date())}"
        assert [s.candidate_name for s in service.library.submissions.all()] == [OTHER]

        again = import_one(service, resealed)
        assert service.library.submissions.get(again).candidate_email == EMAIL
    finally:
        service.close()


def test_a_candidate_erased_at_expiry_is_not_imported_again(tmp_path: Path) -> None:
    kit = definition("thirty-days", 30)
    bundle = make_bundle(tmp_path / "a.onetake", NAME, EMAIL, definition=kit)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        service.add_definition(kit)
        sid = import_one(service, bundle)
        later = SEALED + timedelta(days=31)
        report = PrivacyService(service.library, ManualClock(later)).expire()
        assert [c.submission_id for c in report.due] == [sid]

        (outcome,) = service.import_paths([bundle]).outcomes
        assert (outcome.status, outcome.reason) == ("erased", refusal(later.date()))
        assert service.library.submissions.all() == []
        found = erased_bundle(service.library.db, sha256_of(bundle))
        assert found is not None and found.reason_code == "retention"
    finally:
        service.close()


def test_what_erasure_keeps_of_the_bundle_is_a_keyed_fingerprint_only(tmp_path: Path) -> None:
    """One row per erased bundle: a fingerprint that is not the bundle's SHA-256 (nor holds
    it), the day and the reason code, no name or email; a random key per library, so the same
    file gives another fingerprint in another library. The schema keeps the rows."""
    bundle = make_bundle(tmp_path / "a.onetake", NAME, EMAIL)
    plain = sha256_of(bundle)
    fingerprints = []
    for home in ("first", "second"):
        service = open_reviewer_service(app_paths().library.parent / home / "library")
        try:
            db = service.library.db
            assert db.execute("SELECT COUNT(*) FROM erased_bundles").fetchone()[0] == 0
            sid = import_one(service, bundle)
            privacy = PrivacyService(service.library, ManualClock(ERASED_ON))
            privacy.erase(service.actor_for(service.default_reviewer.id), submission_ids=[sid])
            rows = db.execute("SELECT * FROM erased_bundles").fetchall()
            assert len(rows) == 1
            fingerprint, erased_on, reason_code = rows[0]
            assert (erased_on, reason_code) == ("2026-11-29", "candidate_request")
            assert len(fingerprint) == 64 and fingerprint != plain
            text = repr(rows)
            for personal in (plain, plain[:16], NAME, EMAIL):
                assert personal not in text
            fingerprints.append(fingerprint)
            key = db.execute(
                "SELECT value FROM panel_settings WHERE key = ?", (KEY_SETTING,)
            ).fetchone()
            assert key is not None and len(key[0]) == 64
            for sql in (
                "UPDATE erased_bundles SET erased_on = '2030-01-01'",
                "DELETE FROM erased_bundles",
            ):
                with pytest.raises(sqlite3.IntegrityError, match="kept as it was written"):
                    db.execute(sql)
        finally:
            service.close()
    assert fingerprints[0] != fingerprints[1]


def test_a_library_of_schema_12_takes_the_erased_bundles_table(tmp_path: Path) -> None:
    """Opening a library an older OneTake wrote: its candidate is still there, and erasing
    them afterwards keeps their bundle from coming back."""
    from onetake_desktop.services.importing import Importer
    from onetake_desktop.storage.db import discover_migrations, schema_version
    from tests.pipeline.older_library import library_at_schema

    bundle = make_bundle(tmp_path / "a.onetake", NAME, EMAIL)
    root = app_paths().ensure().library
    old = library_at_schema(root, 12)
    try:
        assert "erased_bundles" not in old.db.table_names()
        imported = Importer(old).import_bundle(bundle)
        assert imported.status == "imported" and imported.submission_id is not None
    finally:
        old.close()

    service = open_reviewer_service(root)
    try:
        db = service.library.db
        assert schema_version(db) == len(discover_migrations()) >= 13
        assert [s.candidate_name for s in service.library.submissions.all()] == [NAME]
        privacy = PrivacyService(service.library, ManualClock(ERASED_ON))
        me = service.actor_for(service.default_reviewer.id)
        privacy.erase(me, submission_ids=[imported.submission_id])
        (outcome,) = service.import_paths([bundle]).outcomes
        assert (outcome.status, outcome.reason) == ("erased", refusal(ERASED_ON.date()))
        assert service.library.submissions.all() == []
    finally:
        service.close()


def test_only_a_missing_table_reads_as_never_erased(tmp_path: Path) -> None:
    """Review s12a L5: a library before schema 13 has erased nobody, but any other failure to
    read the table (busy, I/O) is raised, never taken for "not erased"."""
    from onetake_desktop.storage.db import Database
    from tests.pipeline.older_library import library_at_schema

    sha = "ab" * 32
    old = library_at_schema(app_paths().ensure().library, 12)
    try:
        assert erased_bundle(old.db, sha) is None
    finally:
        old.close()

    class Failing(Database):
        def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
            if "erased_bundles" in sql:
                raise sqlite3.OperationalError("disk I/O error")
            return super().execute(sql, parameters)

    failing = Failing(sqlite3.connect(":memory:", isolation_level=None))
    failing.execute("CREATE TABLE panel_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    try:
        with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
            erased_bundle(failing, sha)
    finally:
        failing.close()


def test_an_erased_bundle_is_known_before_any_of_it_is_written_to_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review s11a L2: re-importing an erased candidate's bundle, plain or encrypted, must not
    decrypt, extract or probe it into the library (where it was then removed again): the
    tombstone is looked up by the bundle's hash first. The command's line and exit code stay
    as they were. Spies wrap the real importer's two ways of writing a bundle's content into
    the library (the decrypted copy, the staged extraction); they record and call through."""
    import io
    import sys

    from onetake_desktop.services import importing
    from onetake_desktop.services.handover import encrypt_file
    from onetake_desktop.services.keys import forget_unlocked
    from tests.pipeline.handover_kits import PASSPHRASE, signed_small_kit

    forget_unlocked()
    signed = signed_small_kit(tmp_path / "kit")  # the library's organisation key
    folder = tmp_path / "intake"
    folder.mkdir()
    plain = make_bundle(folder / "zq.onetake", NAME, EMAIL)
    sealed = folder / "grace.onetake.age"
    encrypt_file(make_bundle(tmp_path / "grace.onetake", OTHER), sealed, signed.recipient)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    assert main(["library", "import", str(folder)]) == EXIT_OK
    capsys.readouterr()
    context = AppContext.from_environment()._replace(clock=ManualClock(ERASED_ON))
    for email in (EMAIL, "grace@example.org"):
        assert main(["library", "erase", "--email", email, "--yes"], context) == EXIT_OK
    capsys.readouterr()
    kept = submission_folders()

    written: list[Path] = []
    from onetake_desktop.services.bundles import import_judged as real_judged
    from onetake_desktop.services.handover import decrypted as real_decrypted

    def decrypted(path: Path, scratch: Path) -> Any:
        written.append(path)
        return real_decrypted(path, scratch)

    def import_judged(path: Path, dest: Path, *args: Any, **kwargs: Any) -> Any:
        written.append(dest)
        return real_judged(path, dest, *args, **kwargs)

    monkeypatch.setattr(importing, "decrypted", decrypted)
    monkeypatch.setattr(importing, "import_judged", import_judged)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    assert main(["library", "import", str(folder)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert err == ""
    assert sorted(out.splitlines()[:2]) == sorted(
        f"erased    {p}: {refusal(ERASED_ON.date())}" for p in (plain, sealed)
    )
    assert written == []
    assert submission_folders() == kept and names_in_library() == []
    # A bundle nobody erased is still decrypted and extracted as before.
    fresh = make_bundle(tmp_path / "new" / "ada.onetake", "Ada Lovelace")
    assert main(["library", "import", str(fresh)]) == EXIT_OK
    assert written and names_in_library() == ["Ada Lovelace"]


def test_the_key_of_the_fingerprints_is_kept_as_it_was_made(tmp_path: Path) -> None:
    """Review s11a L3 (schema 14): a settings write, an update, a rename or a delete of the
    key fails; a second insert of it (a replace, an upsert) is skipped (review s12a M1); the
    key stays the same and the tombstone still matches; other settings are written as before."""
    from onetake_desktop.storage.panel import SqlitePanel

    bundle = make_bundle(tmp_path / "a.onetake", NAME, EMAIL)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        db = service.library.db
        sid = import_one(service, bundle)
        privacy = PrivacyService(service.library, ManualClock(ERASED_ON))
        privacy.erase(service.actor_for(service.default_reviewer.id), submission_ids=[sid])
        panel = SqlitePanel(db)
        key = panel.setting(KEY_SETTING)
        assert key is not None
        with pytest.raises(ValueError, match=KEY_SETTING):
            panel.set_setting(KEY_SETTING, "0" * 64)
        other = "0" * 64
        for sql, args in (
            ("UPDATE panel_settings SET value = ? WHERE key = ?", (other, KEY_SETTING)),
            ("DELETE FROM panel_settings WHERE key = ?", (KEY_SETTING,)),
            ("DELETE FROM panel_settings", ()),
            ("UPDATE panel_settings SET key = 'old_key' WHERE key = ?", (KEY_SETTING,)),
        ):
            with pytest.raises(sqlite3.IntegrityError, match="kept as it was made"):
                db.execute(sql, args)
        for sql in (
            "INSERT OR REPLACE INTO panel_settings (key, value) VALUES (?, ?)",
            "REPLACE INTO panel_settings (key, value) VALUES (?, ?)",
            "INSERT OR IGNORE INTO panel_settings (key, value) VALUES (?, ?)",
            "INSERT INTO panel_settings (key, value) VALUES (?, ?)",
            "INSERT INTO panel_settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        ):
            assert db.execute(sql, (KEY_SETTING, other)).rowcount == 0, sql
            assert panel.setting(KEY_SETTING) == key, sql
        # Nor can another setting be renamed into it.
        panel.set_setting("some_setting", other)
        with pytest.raises(sqlite3.IntegrityError, match="kept as it was made"):
            db.execute(
                "UPDATE panel_settings SET key = ? WHERE key = 'some_setting'", (KEY_SETTING,)
            )
        assert panel.setting(KEY_SETTING) == key and panel.setting("some_setting") == other
        (outcome,) = service.import_paths([bundle]).outcomes
        assert (outcome.status, outcome.reason) == ("erased", refusal(ERASED_ON.date()))
    finally:
        service.close()


def test_a_library_of_schema_13_keeps_its_key_from_then_on(tmp_path: Path) -> None:
    """A key made before schema 14 is guarded once the library is opened by this OneTake; a
    library whose key was removed by hand (the triggers dropped) imports nothing rather than
    let the erased back in."""
    from onetake_desktop.storage.erased_bundles import KeyMissing, fingerprint
    from tests.pipeline.older_library import library_at_schema

    bundle = make_bundle(tmp_path / "a.onetake", NAME, EMAIL)
    root = app_paths().ensure().library
    old = library_at_schema(root, 13)
    try:  # what erasure wrote at schema 13: the key, then the bundle's fingerprint
        key = "ab" * 32
        old.db.execute("INSERT INTO panel_settings (key, value) VALUES (?, ?)", (KEY_SETTING, key))
        old.db.execute(
            "INSERT INTO erased_bundles VALUES (?, '2026-11-29', 'candidate_request')",
            (fingerprint(bytes.fromhex(key), sha256_of(bundle)),),
        )
    finally:
        old.close()
    service = open_reviewer_service(root)
    try:
        db = service.library.db
        with pytest.raises(sqlite3.IntegrityError, match="kept as it was made"):
            db.execute("DELETE FROM panel_settings WHERE key = ?", (KEY_SETTING,))
        other = make_bundle(tmp_path / "o.onetake", OTHER)
        (outcome, kept) = service.import_paths([bundle, other]).outcomes
        assert (outcome.status, kept.status) == ("erased", "imported")
        assert kept.submission_id is not None
        db.execute("DROP TRIGGER erased_bundle_key_kept")  # someone editing the file
        db.execute("DELETE FROM panel_settings WHERE key = ?", (KEY_SETTING,))
        with pytest.raises(KeyMissing):
            service.import_paths([bundle])
        assert names_in_library() == [OTHER]
        # An erasure is never held up by it: a new key, and the erased bundle's fingerprint.
        privacy = PrivacyService(service.library, ManualClock(ERASED_ON))
        me = service.actor_for(service.default_reviewer.id)
        privacy.erase(me, submission_ids=[kept.submission_id])
        assert erased_bundle(db, sha256_of(other)) is not None
    finally:
        service.close()


def test_a_onetake_of_schema_13_still_running_on_a_migrated_library_goes_on_erasing(
    tmp_path: Path,
) -> None:
    """Review s12a M1: schema 13's erasure inserted a new random key with ``OR IGNORE`` every
    time. A window of that OneTake, opened before this one migrated the library to 14, must
    not fail its erasures: the insert is skipped, the key stays, and erasing goes on."""
    import secrets

    first = make_bundle(tmp_path / "a.onetake", NAME, EMAIL)
    second = make_bundle(tmp_path / "b.onetake", OTHER)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        db = service.library.db
        first_id, second_id = import_one(service, first), import_one(service, second)
        privacy = PrivacyService(service.library, ManualClock(ERASED_ON))
        me = service.actor_for(service.default_reviewer.id)
        privacy.erase(me, submission_ids=[first_id])
        key = db.execute(
            "SELECT value FROM panel_settings WHERE key = ?", (KEY_SETTING,)
        ).fetchone()[0]
        # Schema 13's _made_key (45b4dc1), word for word, with a key of its own, on the other
        # OneTake's own connection.
        older = sqlite3.connect(app_paths().library / "onetake.sqlite3")
        try:
            with older:
                older.execute(
                    "INSERT OR IGNORE INTO panel_settings (key, value) VALUES (?, ?)",
                    (KEY_SETTING, secrets.token_hex(32)),
                )
        finally:
            older.close()
        assert db.execute(
            "SELECT value FROM panel_settings WHERE key = ?", (KEY_SETTING,)
        ).fetchone() == (key,)
        privacy.erase(me, submission_ids=[second_id])
        assert names_in_library() == []
        for bundle in (first, second):
            assert erased_bundle(db, sha256_of(bundle)) is not None
    finally:
        service.close()
