"""What erasure keeps of an erased bundle, so the same file is not imported again (schema 13).

One row per erased bundle: ``HMAC-SHA256(library key, bundle SHA-256)``, the day (UTC) and
the reason code. The key is random, per library (``panel_settings`` ``erased_bundle_key``),
made with the first erasure: without it the fingerprint cannot be computed from a plain hash
someone holds (an export, a receipt, ``sha256sum`` of a file), so the row links to nothing
outside this library. With the library and the very file in hand, one can tell that it was
erased: that is the row's purpose, and all it tells (docs/privacy.md).

Writing joins the erase transaction (storage.panel.record_erasure, while the submissions are
listed in ``erasing``); reading is one primary-key lookup per bundle imported.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.storage.db import Database

KEY_SETTING = "erased_bundle_key"
# Domain separation: the same library key is never used to hash anything else by mistake.
_CONTEXT = b"onetake erased bundle v1\x00"


class ErasedBundle(NamedTuple):
    erased_on: date  # UTC
    reason_code: str  # "candidate_request", "retention"


class KeyMissing(OneTakeError):
    """The library holds erased bundles but not the key to recognise them (schema 14 keeps it
    from code; only an edit of the file by hand can do this)."""

    def __init__(self) -> None:
        super().__init__(
            "This library's record of erased candidates has lost its key, so nothing was "
            "imported; restore the library from a backup."
        )


def _stored_key(db: Database) -> bytes | None:
    row = db.execute("SELECT value FROM panel_settings WHERE key = ?", (KEY_SETTING,)).fetchone()
    return None if row is None else bytes.fromhex(str(row[0]))


def _key(db: Database) -> bytes | None:
    """The library's key, to look bundles up; None when it never erased a bundle. Rows
    without their key would let every erased candidate in again: that is an error, never
    "nothing erased"."""
    key = _stored_key(db)
    if key is not None:
        return key
    try:
        rows = db.execute("SELECT 1 FROM erased_bundles LIMIT 1").fetchone()
    except sqlite3.OperationalError as error:
        # Only a library before schema 13 (tests of older ones) reads as "never erased": a busy
        # or unreadable library must not let the erased back in (review s12a L5).
        if "no such table" in str(error):
            return None
        raise
    if rows is not None:
        raise KeyMissing()
    return None


def _made_key(db: Database) -> bytes:
    """The library's key, made now if this is its first erasure (inside the caller's
    transaction: a rolled-back erasure leaves no key either). Made once: schema 14 skips
    a second insert of it, so it is read first. Never refused: an erasure goes ahead even
    in a library whose key was removed by hand (its old rows stay void)."""
    import secrets

    key = _stored_key(db)
    if key is not None:
        return key
    made = secrets.token_hex(32)
    db.execute("INSERT INTO panel_settings (key, value) VALUES (?, ?)", (KEY_SETTING, made))
    return bytes.fromhex(made)


def fingerprint(key: bytes, bundle_sha256: str) -> str:
    import hashlib
    import hmac

    message = _CONTEXT + bundle_sha256.strip().lower().encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def remember_erasing(db: Database, *, erased_on: date, reason_code: str) -> int:
    """Keep a fingerprint of every bundle listed in ``erasing`` (before their rows go);
    a bundle erased before keeps its first row. Returns how many were listed."""
    hashes = [
        str(r[0])
        for r in db.execute(
            "SELECT s.bundle_sha256 FROM submissions s JOIN erasing e ON e.submission_id = s.id"
        ).fetchall()
    ]
    if not hashes:
        return 0
    key = _made_key(db)
    for sha in hashes:
        db.execute(
            "INSERT OR IGNORE INTO erased_bundles (fingerprint, erased_on, reason_code)"
            " VALUES (?, ?, ?)",
            (fingerprint(key, sha), erased_on.isoformat(), reason_code),
        )
    return len(hashes)


class ErasedIndex:
    """Every erased bundle of a library, read once on the thread that owns its connection, for
    import workers (no database) to look a bundle up before they write any of it."""

    def __init__(self, key: bytes, rows: dict[str, ErasedBundle]) -> None:
        self._key = key
        self._rows = rows

    def get(self, bundle_sha256: str) -> ErasedBundle | None:
        return self._rows.get(fingerprint(self._key, bundle_sha256))


def erased_index(db: Database) -> ErasedIndex | None:
    """The library's erased bundles; None when it never erased one (nothing to look up)."""
    key = _key(db)
    if key is None:
        return None
    rows = db.execute("SELECT fingerprint, erased_on, reason_code FROM erased_bundles")
    return ErasedIndex(
        key,
        {str(f): ErasedBundle(date.fromisoformat(str(d)), str(r)) for f, d, r in rows.fetchall()},
    )


def erased_bundle(db: Database, bundle_sha256: str) -> ErasedBundle | None:
    """When (and why) the bundle with this SHA-256 was erased from this library, or None."""
    key = _key(db)
    if key is None:  # never erased anything
        return None
    row = db.execute(
        "SELECT erased_on, reason_code FROM erased_bundles WHERE fingerprint = ?",
        (fingerprint(key, bundle_sha256),),
    ).fetchone()
    return None if row is None else ErasedBundle(date.fromisoformat(str(row[0])), str(row[1]))
