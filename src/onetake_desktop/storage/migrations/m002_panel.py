"""Schema 2: hiring panels on one shared laptop.

Panelists are reviewers with a passphrase (``reviewers.passphrase_hash``, schema 1); this adds
their stored order seed and wrong-passphrase count, panel settings, decisions per candidate and
the append-only, hash-chained audit log. Decisions and audit rows are never updated: a new
decision is a new row that names the one it supersedes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

VERSION = 2

SCHEMA = """
-- Panel-wide settings (blind mode, idle minutes, the blind-code secret, the audit head).
CREATE TABLE panel_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE panelists (
    reviewer_id INTEGER PRIMARY KEY REFERENCES reviewers(id) ON DELETE CASCADE,
    order_seed INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    retry_after TEXT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE panel_decisions (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    decision TEXT NOT NULL CHECK (decision IN ('advance', 'hold', 'decline')),
    reason TEXT NOT NULL CHECK (reason <> ''),
    feedback TEXT NOT NULL DEFAULT '',
    reviewer_id INTEGER NOT NULL REFERENCES reviewers(id),
    created_at TEXT NOT NULL,
    supersedes_id INTEGER NULL REFERENCES panel_decisions(id)
);

CREATE INDEX panel_decisions_submission ON panel_decisions(submission_id, id);

CREATE TRIGGER panel_decisions_append_only BEFORE UPDATE ON panel_decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions are append-only');
END;

-- Each row stores the previous row's hash and its own (domain.panel.audit_hash); the head
-- (last seq and hash) is kept in panel_settings so that removed trailing rows show too.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""


def migrate(db: Database) -> None:
    # One statement per blank-line-separated block, inside the runner's transaction
    # (executescript would COMMIT first).
    for statement in SCHEMA.split("\n\n"):
        if statement.strip():
            db.execute(statement)
