"""Schema 7: follow-up that goes out (issue 18).

``followup_templates``: per interview and decision, the subject and body the recruiter edits
(plain text with placeholders such as ``{candidate_name}``; no candidate's data is stored
here). ``followups_sent``: the day each candidate's follow-up went out (a draft or a mail-merge
row was made for them), with the decision it was about: ids and a timestamp only, so erasing
the candidate (which deletes the submission row) takes these rows with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

from onetake_desktop.storage.migrations.m001_library import _statements

VERSION = 7

SCHEMA = """
CREATE TABLE followup_templates (
    interview_pk INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    decision TEXT NOT NULL CHECK (decision IN ('advance', 'hold', 'decline')),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (interview_pk, decision)
);

CREATE TABLE followups_sent (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    decision_id INTEGER NOT NULL,
    reviewer_id INTEGER NULL REFERENCES reviewers(id),
    channel TEXT NOT NULL CHECK (channel IN ('eml', 'csv')),
    sent_at TEXT NOT NULL
);
CREATE INDEX followups_sent_submission ON followups_sent(submission_id, id);
"""


def migrate(db: Database) -> None:
    for statement in _statements(SCHEMA):
        db.execute(statement)
