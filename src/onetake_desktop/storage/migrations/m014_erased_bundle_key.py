"""Schema 14: the key of the erased bundles' fingerprints is kept as it was made (review s11a L3).

Schema 13's rows (``erased_bundles``) mean something only with the library's key
(``panel_settings`` ``erased_bundle_key``): a rewritten key makes every fingerprint differ, a
deleted one reads as "never erased anyone", and either way every erased candidate imports
again, silently. The settings table is written by a generic upsert, so a mistake in code (a
settings write, a tidy-up of the table) could do it. Triggers now allow the key to be written
once, as 64 hex digits, and never changed, renamed or removed; like schema 13's, they guard
against mistakes in code, not against someone editing the file.

``INSERT OR REPLACE`` deletes the old row without firing delete triggers (recursive triggers
are off), so a second insert of the key is skipped by the insert trigger, whatever its
conflict clause (a BEFORE trigger runs before the conflict check): the key stays, and no
error is raised, because schema 13's erasure inserts it with ``OR IGNORE`` every time and a
OneTake of schema 13 still running on a library this one migrated must go on erasing (review
s12a M1). A malformed first key is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

from onetake_desktop.storage.migrations.m001_library import _statements

VERSION = 14

SCHEMA = """
CREATE TRIGGER erased_bundle_key_made_once BEFORE INSERT ON panel_settings
WHEN NEW.key = 'erased_bundle_key'
    AND (EXISTS (SELECT 1 FROM panel_settings WHERE key = 'erased_bundle_key')
         OR length(NEW.value) <> 64 OR NEW.value GLOB '*[^0-9a-f]*')
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM panel_settings WHERE key = 'erased_bundle_key')
        THEN RAISE(IGNORE)
        ELSE RAISE(ABORT, 'the erased bundles'' key is kept as it was made') END;
END;

CREATE TRIGGER erased_bundle_key_unchanged BEFORE UPDATE ON panel_settings
WHEN OLD.key = 'erased_bundle_key' OR NEW.key = 'erased_bundle_key'
BEGIN
    SELECT RAISE(ABORT, 'the erased bundles'' key is kept as it was made');
END;

CREATE TRIGGER erased_bundle_key_kept BEFORE DELETE ON panel_settings
WHEN OLD.key = 'erased_bundle_key'
BEGIN
    SELECT RAISE(ABORT, 'the erased bundles'' key is kept as it was made');
END;
"""


def migrate(db: Database) -> None:
    for statement in _statements(SCHEMA):
        db.execute(statement)
