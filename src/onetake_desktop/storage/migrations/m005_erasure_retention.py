"""Schema 5: erasure and retention (the candidate is told "kept for N days, then deleted").

Erasure: schema 1 refused to delete a submitted score, so a scored candidate could never be
removed. Since schema 3 the triggers let a submission's rows go only while it is listed in
``erasing``, which only storage.panel.record_erasure fills and empties inside the one
transaction that erases a candidate (so the mark is never committed); this schema adds the
submission row itself to the same rule. Ordinary updates of submitted scores stay refused,
and ordinary deletes of submitted scores, submitted recommendations, decisions and whole
submissions are refused too.
This protects against mistakes in code, not against someone editing the file by hand.

Retention: every submission stores the kit's ``retention_days`` and the resulting
``expires_at`` ('YYYY-MM-DD HH:MM:SS', UTC): that many days after it was sealed (or imported,
if that was earlier, so a forged future seal date cannot extend it). Triggers stamp them when a
submission is inserted, and when its interview's definition (which holds the kit) arrives
later, so no import path can forget it. ``retention_holds`` keep a candidate longer, each with
a reason and an end date (services/privacy.py audits them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

from onetake_desktop.storage.migrations.m001_library import _statements

VERSION = 5

# The kit's retention, from the interview definition (NULL until the definition is known).
_DAYS = "json_extract(i.definition_json, '$.kit.retention_days')"
# sealed_at comes from the candidate's machine; never let it push the expiry later.
_EXPIRES = (
    "datetime(min(coalesce(datetime(sealed_at), datetime(imported_at)), datetime(imported_at)),"
    " '+' || retention_days || ' days')"
)

SCHEMA = f"""
-- m003 already lets scores, recommendations and decisions go while their submission is listed
-- in ``erasing`` (inside the erase transaction); a submission row itself goes the same way only.
CREATE TRIGGER submissions_erased_only BEFORE DELETE ON submissions
WHEN NOT EXISTS (SELECT 1 FROM erasing e WHERE e.submission_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'a submission is removed only by erasing the candidate');
END;

ALTER TABLE submissions ADD COLUMN retention_days INTEGER NULL;
ALTER TABLE submissions ADD COLUMN expires_at TEXT NULL;
CREATE INDEX submissions_expiry ON submissions(expires_at);

UPDATE submissions SET retention_days = (
    SELECT {_DAYS} FROM interviews i WHERE i.id = submissions.interview_pk
);
UPDATE submissions SET expires_at = {_EXPIRES} WHERE retention_days IS NOT NULL;

CREATE TRIGGER submissions_expiry_on_insert AFTER INSERT ON submissions
BEGIN
    UPDATE submissions SET retention_days = (
        SELECT {_DAYS} FROM interviews i WHERE i.id = NEW.interview_pk
    ) WHERE id = NEW.id;
    UPDATE submissions SET expires_at = {_EXPIRES}
    WHERE id = NEW.id AND retention_days IS NOT NULL;
END;

CREATE TRIGGER submissions_expiry_on_definition AFTER UPDATE OF definition_json ON interviews
WHEN NEW.definition_json IS NOT NULL
BEGIN
    UPDATE submissions SET retention_days = json_extract(NEW.definition_json,
        '$.kit.retention_days')
    WHERE interview_pk = NEW.id AND retention_days IS NULL;
    UPDATE submissions SET expires_at = {_EXPIRES}
    WHERE interview_pk = NEW.id AND expires_at IS NULL AND retention_days IS NOT NULL;
END;

CREATE TABLE retention_holds (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    until TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason <> ''),
    reviewer_id INTEGER NULL REFERENCES reviewers(id),
    created_at TEXT NOT NULL
);
CREATE INDEX retention_holds_submission ON retention_holds(submission_id, until);
"""


def migrate(db: Database) -> None:
    for statement in _statements(SCHEMA):
        db.execute(statement)
