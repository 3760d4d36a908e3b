"""Schema 10: indexes for the library's candidate list (issue 17).

The list of every candidate (the reviewer window's tree, ``library list``) reads the
submissions in (interview, name ignoring case, id) order with their id, name, e-mail and
dates. ``submissions_listing`` holds exactly that, in that order: the list is read from the
index alone, never sorted on each opening and never from the wider table rows (folders,
hashes, flags). The id is in the index before the other columns, so that ties between equal
names come in id order from the index too.

``scores_reviewer``: whether a reviewer has any score at all is one search (a reviewer who has
scored nothing, as on a fresh panel, skips the look-up of a score per answer). It is partial,
over the rows whose status is draft or submitted (every row: the table's CHECK allows no
other), so that only a query that states that same condition can use it: without statistics
SQLite takes any index on ``reviewer_id = ?`` to be very selective and would start the
panel's queries (the shortlist, the sign-in check, the audit view) from it, all of a
panelist's scores in every interview, instead of from the interview's answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.storage.db import Database

VERSION = 10

STATEMENTS = (
    "CREATE INDEX submissions_listing ON submissions("
    "interview_pk, candidate_name COLLATE NOCASE, id, candidate_email, imported_at, sealed_at)",
    "CREATE INDEX scores_reviewer ON scores(reviewer_id) WHERE status IN ('draft', 'submitted')",
)


def migrate(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
