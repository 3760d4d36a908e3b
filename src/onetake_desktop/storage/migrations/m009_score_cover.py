"""Schema 9: the scores' (answer, reviewer, id) index also holds each row's status and score.

Every panel reader asks, per answer and panelist, for the current row (the highest id) and
then its status (the visibility rule: is it submitted?) and its score (what summaries count).
With both in the index that is one index search, never a second look-up of the row in the
table: the summary grid of a 10,000-candidate panel reads 90,000 such rows (issue 17). The
index replaces ``scores_answer_reviewer``: its first three columns are that index, so every
query that used it can use this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

VERSION = 9

STATEMENTS = (
    "CREATE INDEX scores_current ON scores(answer_id, reviewer_id, id, status, score)",
    "DROP INDEX scores_answer_reviewer",
)


def migrate(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
