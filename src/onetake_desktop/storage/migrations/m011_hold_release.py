"""Schema 11: a retention hold can be lifted ("Stop keeping longer", ``library release``).

A lifted hold stays in ``retention_holds`` with when (``released_at``, 'YYYY-MM-DD HH:MM:SS'
UTC, as ``until``), by whom (``released_by``) and why (``release_reason``): the library keeps
the whole story of a candidate kept longer until the candidate is erased, and the audit log
(which outlives them) keeps the hold and its lifting with their reasons hashed. Deleting the
row instead would leave the library saying the candidate was never kept longer.

Triggers guard the story against mistakes in code (not against someone editing the file):
a hold's own columns never change, it is released at most once and never un-released, and
its row goes only with its candidate's erasure (m005's ``erasing`` mark, as for submissions).
Only a hold not released (and not yet ended) keeps a candidate (services/privacy.py).

From schema 11 a hold's audit row is signed by the panelist who made it; those written before
(unsigned) are listed in ``unsigned_hold_audit``, filled here once and closed to later rows, so
that a sign-in does not report them as added in that panelist's name (services/scoring.py
``tamper_findings``) while an unsigned hold row written after still is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

from onetake_desktop.storage.migrations.m001_library import _statements

VERSION = 11

SCHEMA = """
ALTER TABLE retention_holds ADD COLUMN released_at TEXT NULL;
ALTER TABLE retention_holds ADD COLUMN released_by INTEGER NULL REFERENCES reviewers(id);
ALTER TABLE retention_holds ADD COLUMN release_reason TEXT NULL
    CHECK (release_reason IS NULL OR release_reason <> '');

CREATE TRIGGER retention_holds_released_once BEFORE UPDATE ON retention_holds
WHEN OLD.released_at IS NOT NULL
    OR NEW.released_at IS NULL
    OR NEW.release_reason IS NULL
    OR NEW.id IS NOT OLD.id
    OR NEW.submission_id IS NOT OLD.submission_id
    OR NEW.until IS NOT OLD.until
    OR NEW.reason IS NOT OLD.reason
    OR NEW.reviewer_id IS NOT OLD.reviewer_id
    OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'a retention hold is only released, once, with a reason');
END;

CREATE TRIGGER retention_holds_erased_only BEFORE DELETE ON retention_holds
WHEN NOT EXISTS (SELECT 1 FROM erasing e WHERE e.submission_id = OLD.submission_id)
BEGIN
    SELECT RAISE(ABORT, 'a retention hold is removed only by erasing the candidate');
END;

CREATE TABLE unsigned_hold_audit (seq INTEGER PRIMARY KEY REFERENCES audit_log(seq));

INSERT INTO unsigned_hold_audit (seq) SELECT seq FROM audit_log WHERE action = 'retention_hold';

CREATE TRIGGER unsigned_hold_audit_closed BEFORE INSERT ON unsigned_hold_audit
BEGIN
    SELECT RAISE(ABORT, 'only hold audit rows from before schema 11 are unsigned');
END;
"""


def migrate(db: Database) -> None:
    for statement in _statements(SCHEMA):
        db.execute(statement)
