"""Schema 3: signed rows, people, blind mode per candidate, and erasure that keeps the audit.

- ``row_sigs``: one signature per row a panelist writes (scores, timestamped notes,
  recommendations, panel decisions, audit rows): an HMAC with a key derived from that
  panelist's passphrase (see services.scoring). Kept beside the rows, not in them, because
  submitted scores and audit rows are immutable while a passphrase change re-signs them. The
  lone reviewer has no passphrase, so no signatures.
- ``panelists.key_record``: the salt of that key and how many rows it has signed, itself
  signed (JSON; never the key). ``is_chair`` (named when the panel is set up: may record a
  decision once everybody has submitted), ``removed_at`` (a removed panelist keeps their
  rows, loses their sign-in).
- ``blind_lifted``: blind mode stays on for a candidate until the panel lifts it (audited).
- ``erasing``: submissions being erased inside the current transaction; while a submission is
  listed, its submitted scores and recommendations may be deleted (the triggers of schema 1
  refuse it otherwise). Always empty outside an erase transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

VERSION = 3

STATEMENTS = (
    """CREATE TABLE row_sigs (
        tbl TEXT NOT NULL,
        row_id INTEGER NOT NULL,
        reviewer_id INTEGER NOT NULL REFERENCES reviewers(id),
        sig TEXT NOT NULL,
        PRIMARY KEY (tbl, row_id)
    )""",
    "CREATE INDEX row_sigs_reviewer ON row_sigs(reviewer_id)",
    "ALTER TABLE panelists ADD COLUMN key_record TEXT NULL",
    "ALTER TABLE panelists ADD COLUMN is_chair INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE panelists ADD COLUMN removed_at TEXT NULL",
    """CREATE TABLE blind_lifted (
        submission_id INTEGER PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
        reviewer_id INTEGER NOT NULL REFERENCES reviewers(id),
        lifted_at TEXT NOT NULL
    )""",
    "CREATE TABLE erasing (submission_id INTEGER PRIMARY KEY)",
    "DROP TRIGGER scores_submitted_undeletable",
    """CREATE TRIGGER scores_submitted_undeletable BEFORE DELETE ON scores
    WHEN OLD.status = 'submitted' AND NOT EXISTS (
        SELECT 1 FROM erasing e JOIN answers a ON a.submission_id = e.submission_id
        WHERE a.id = OLD.answer_id)
    BEGIN
        SELECT RAISE(ABORT, 'submitted scores are immutable');
    END""",
    """CREATE TRIGGER recommendations_submitted_undeletable BEFORE DELETE ON recommendations
    WHEN OLD.status = 'submitted' AND NOT EXISTS (
        SELECT 1 FROM erasing e WHERE e.submission_id = OLD.submission_id)
    BEGIN
        SELECT RAISE(ABORT, 'submitted recommendations are immutable');
    END""",
    """CREATE TRIGGER panel_decisions_undeletable BEFORE DELETE ON panel_decisions
    WHEN NOT EXISTS (SELECT 1 FROM erasing e WHERE e.submission_id = OLD.submission_id)
    BEGIN
        SELECT RAISE(ABORT, 'decisions are append-only');
    END""",
)


def migrate(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
