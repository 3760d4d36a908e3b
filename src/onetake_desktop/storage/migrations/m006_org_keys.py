"""Schema 6: the organisation's keys (issue 13: signed kits, bundles encrypted to the employer).

One row per key pair: the public halves in the clear (the age recipient candidates encrypt to,
the Ed25519 public key kits are signed with, and its fingerprint), the private halves only as
``sealed_secret``: AES-256-GCM under a key derived with Argon2id from the passphrase, whose
parameters and salt are in ``kdf`` (JSON) so they can be raised later without a migration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

VERSION = 6


def migrate(db: Database) -> None:
    db.execute(
        "CREATE TABLE org_keys ("
        " id INTEGER PRIMARY KEY,"
        " organisation TEXT NOT NULL,"
        " age_recipient TEXT NOT NULL UNIQUE,"
        " signing_public_key TEXT NOT NULL UNIQUE,"
        " fingerprint TEXT NOT NULL UNIQUE,"
        " kdf TEXT NOT NULL,"
        " sealed_secret BLOB NOT NULL,"
        " created_at TEXT NOT NULL)"
    )
