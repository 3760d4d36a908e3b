"""Schema 9: indexes that let the panel's readers answer from the index alone (issue 17).

The scores' (answer, reviewer, id) index also holds each row's status and score.

Every panel reader asks, per answer and panelist, for the current row (the highest id) and
then its status (the visibility rule: is it submitted?) and its score (what summaries count).
With both in the index that is one index search, never a second look-up of the row in the
table: the summary grid of a 10,000-candidate panel reads 90,000 such rows (issue 17). The
index replaces ``scores_answer_reviewer``: its first three columns are that index, so every
query that used it can use this one.

The answers in position order per submission (question id and answer id in the index too):
every panel window lists the interview's candidates with their answers in the kit's order,
30,000 answers at 10,000 candidates, read in order rather than sorted on each opening.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

VERSION = 9

STATEMENTS = (
    "CREATE INDEX scores_current ON scores(answer_id, reviewer_id, id, status, score)",
    "DROP INDEX scores_answer_reviewer",
    "CREATE INDEX answers_position ON answers(submission_id, position, question_id)",
)


def migrate(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
