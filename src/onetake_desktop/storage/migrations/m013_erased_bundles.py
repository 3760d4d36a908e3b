"""Schema 13: an erased candidate's bundle is not imported again (review s11, H2).

Before, erasure left no trace of the bundle, so importing the same folder again (the intake
routine re-imports the upload store each batch) brought the candidate back. Now erasure keeps
one row per erased bundle in ``erased_bundles``: a keyed fingerprint of the bundle's SHA-256,
the day it was erased (UTC) and the reason code (``candidate_request``, ``retention``). No
name, no email, no plain hash: the fingerprint is HMAC-SHA256 under a random key of this
library (``panel_settings`` ``erased_bundle_key``, made with the first erasure), so the row
names nothing outside the library, and a plain hash seen elsewhere (an export, a receipt) does
not find it. Only the very same file, checked by this library, matches
(storage/erased_bundles.py); a candidate who seals their interview again makes a new file.

Triggers guard the rows against mistakes in code (not against someone editing the file): a
row is never changed or removed, so a later import cannot bring the candidate back by way of
a bug that "tidies" the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

from onetake_desktop.storage.migrations.m001_library import _statements

VERSION = 13

SCHEMA = """
CREATE TABLE erased_bundles (
    fingerprint TEXT PRIMARY KEY CHECK (length(fingerprint) = 64),
    erased_on TEXT NOT NULL
        CHECK (erased_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    reason_code TEXT NOT NULL CHECK (reason_code <> '')
) WITHOUT ROWID;

CREATE TRIGGER erased_bundles_unchanged BEFORE UPDATE ON erased_bundles
BEGIN
    SELECT RAISE(ABORT, 'an erased bundle''s row is kept as it was written');
END;

CREATE TRIGGER erased_bundles_kept BEFORE DELETE ON erased_bundles
BEGIN
    SELECT RAISE(ABORT, 'an erased bundle''s row is kept as it was written');
END;
"""


def migrate(db: Database) -> None:
    for statement in _statements(SCHEMA):
        db.execute(statement)
