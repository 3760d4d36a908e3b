"""Schema 1: reviewers, interview definitions, imported submissions, answers and scoring.

Scores, recommendations: a reviewer's current value is their latest row. Drafts change in
place; submitted rows are immutable (triggers refuse UPDATE and DELETE), and a correction is a
new submitted row that names the one it supersedes and why.
Plain SQL through ``db.execute`` keeps the whole migration inside the runner's transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

VERSION = 1

SCHEMA = """
CREATE TABLE reviewers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    passphrase_hash TEXT NULL,
    created_at TEXT NOT NULL
);

-- Small per-reviewer preferences (playback speed, ...): key/value so that adding one needs no
-- migration.
CREATE TABLE reviewer_settings (
    reviewer_id INTEGER NOT NULL REFERENCES reviewers(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (reviewer_id, key)
);

-- One row per kit content hash; definition_json stays NULL until the employer's interview
-- definition (with the rubric) is added, so bundles of unknown kits still import.
CREATE TABLE interviews (
    id INTEGER PRIMARY KEY,
    interview_id TEXT NOT NULL,
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    role_title TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    definition_json TEXT NULL,
    added_at TEXT NOT NULL
);

-- One row per imported bundle (one candidate's submission for one interview).
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    interview_pk INTEGER NOT NULL REFERENCES interviews(id),
    bundle_sha256 TEXT NOT NULL UNIQUE,
    kit_content_hash TEXT NOT NULL,
    candidate_name TEXT NOT NULL,
    candidate_email TEXT NOT NULL,
    sealed_at TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    folder TEXT NOT NULL,
    time_multiplier REAL NOT NULL DEFAULT 1.0,
    accommodations TEXT NOT NULL DEFAULT '',
    app_version TEXT NOT NULL DEFAULT ''
);
CREATE INDEX submissions_interview ON submissions(interview_pk);

CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    answer_type TEXT NOT NULL CHECK (answer_type IN ('video', 'audio', 'text')),
    media_path TEXT NULL,
    text TEXT NULL,
    think_seconds_used REAL NOT NULL DEFAULT 0,
    answer_seconds REAL NOT NULL DEFAULT 0,
    media_duration_seconds REAL NULL,
    takes_used INTEGER NOT NULL DEFAULT 1,
    submitted_take INTEGER NOT NULL DEFAULT 1,
    UNIQUE (submission_id, question_id)
);

CREATE TABLE scores (
    id INTEGER PRIMARY KEY,
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES reviewers(id),
    -- NULL only in a draft that so far holds just a note: a submitted score always has one.
    score INTEGER NULL CHECK (score IS NULL OR score BETWEEN 1 AND 5),
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    created_at TEXT NOT NULL,
    supersedes_id INTEGER NULL REFERENCES scores(id),
    reason TEXT NULL,
    CHECK (status = 'draft' OR score IS NOT NULL),
    CHECK (supersedes_id IS NULL OR (reason IS NOT NULL AND reason <> ''))
);
CREATE INDEX scores_answer_reviewer ON scores(answer_id, reviewer_id, id);

CREATE TRIGGER scores_submitted_immutable BEFORE UPDATE ON scores
WHEN OLD.status = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'submitted scores are immutable');
END;
CREATE TRIGGER scores_submitted_undeletable BEFORE DELETE ON scores
WHEN OLD.status = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'submitted scores are immutable');
END;

CREATE TABLE timestamped_notes (
    id INTEGER PRIMARY KEY,
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES reviewers(id),
    position_ms INTEGER NOT NULL CHECK (position_ms >= 0),
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX timestamped_notes_answer ON timestamped_notes(answer_id, reviewer_id);

CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES reviewers(id),
    value TEXT NOT NULL CHECK (value IN ('strong_yes', 'yes', 'no', 'strong_no')),
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    created_at TEXT NOT NULL,
    supersedes_id INTEGER NULL REFERENCES recommendations(id),
    reason TEXT NULL
);
CREATE INDEX recommendations_submission ON recommendations(submission_id, reviewer_id, id);

CREATE TRIGGER recommendations_submitted_immutable BEFORE UPDATE ON recommendations
WHEN OLD.status = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'submitted recommendations are immutable');
END;
"""


def migrate(db: Database) -> None:
    # executescript() would COMMIT first; run statement by statement inside the transaction.
    for statement in _statements(SCHEMA):
        db.execute(statement)


def _statements(script: str) -> list[str]:
    """Split on ';' at the end of a line, keeping trigger bodies (BEGIN ... END;) whole."""
    out: list[str] = []
    buf: list[str] = []
    depth = 0
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        buf.append(line)
        if stripped == "BEGIN":
            depth += 1
        if stripped.endswith(";"):
            if stripped == "END;":
                depth -= 1
            if depth == 0:
                out.append("\n".join(buf))
                buf = []
    return out
