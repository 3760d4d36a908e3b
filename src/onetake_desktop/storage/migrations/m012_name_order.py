"""Schema 12: the candidate list's name order is the folded name's (case and accents ignored).

``name_key`` is the candidate's name folded as the search folds it (domain.search ``fold``:
"Émile" -> "emile", "Łukasz" -> "łukasz", "Straße" -> "strasse"); the listing index orders by
it. Before, the list came from SQLite in ``candidate_name COLLATE NOCASE`` order, which folds
A-Z only: the reviewer's list sorted it again in Python whenever a name was not plain ASCII,
reading all of a large library before its first frame (10,000 candidates with one "Zoë":
~200 M more instructions), and "Émile" sorted after "Zoë". Now SQLite's order of the key (its
bytes: UTF-8 keeps code point order) is the list's order, the window's tree and ``library
list`` alike, whole or in pages: "Émile" between "Emil" and "Emma" (the shortlist breaks its
ties by the same folded name).

Triggers keep the key with the name, through any write of the name, on any connection of
the app (``onetake_fold`` is registered on the library's connection; a connection without
it cannot write a name, rather than write one out of order). The key goes with its row when
a candidate is erased (secure_delete overwrites it, as the name).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

from onetake_desktop.storage.migrations.m001_library import _statements

VERSION = 12

SCHEMA = """
ALTER TABLE submissions ADD COLUMN name_key TEXT NOT NULL DEFAULT '';

UPDATE submissions SET name_key = onetake_fold(candidate_name);

CREATE TRIGGER submissions_name_key_on_insert AFTER INSERT ON submissions
BEGIN
    UPDATE submissions SET name_key = onetake_fold(NEW.candidate_name) WHERE id = NEW.id;
END;

CREATE TRIGGER submissions_name_key_on_rename AFTER UPDATE OF candidate_name ON submissions
BEGIN
    UPDATE submissions SET name_key = onetake_fold(NEW.candidate_name) WHERE id = NEW.id;
END;

DROP INDEX submissions_listing;

CREATE INDEX submissions_listing ON submissions(
    interview_pk, name_key, id, candidate_name, candidate_email, imported_at, sealed_at);
"""


def migrate(db: Database) -> None:
    from onetake_desktop.storage.library import register_functions

    register_functions(db)  # the triggers' and the backfill's fold
    for statement in _statements(SCHEMA):
        db.execute(statement)
