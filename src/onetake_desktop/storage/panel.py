"""Panel repositories: settings, panelists, visible scores, decisions and the audit log.

The one rule panels depend on lives in SQL here, so no layer above can get it wrong: another
panelist's score on an answer is returned only when it is submitted *and* the viewer has
submitted their own score on that same answer. Drafts of others are never returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.storage.db import Database, transaction, utc_now

if TYPE_CHECKING:
    # The panel's domain (decisions, the audit chain) loads with the first decision or audit
    # row read or written: a lone reviewer's window opens without it (issue 17).
    from onetake_desktop.domain.panel import AuditEntry, AuditProblem, Decision

    # The records load with the first one made (storage/panel_records.py).
    from onetake_desktop.storage.panel_records import (
        CandidateRef,
        CurrentRecommendation,
        DecisionRecord,
        PanelistRecord,
        VisibleGrid,
        VisibleScore,
    )


# Rows a panelist signs (services.scoring): table -> (columns in signed order, owner column).
# The id comes first; the owner column names whose key signs the row.
SIGNED_TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "scores": (
        (
            "id",
            "answer_id",
            "reviewer_id",
            "score",
            "note",
            "status",
            "created_at",
            "supersedes_id",
            "reason",
        ),
        "reviewer_id",
    ),
    "timestamped_notes": (
        ("id", "answer_id", "reviewer_id", "position_ms", "text", "created_at"),
        "reviewer_id",
    ),
    "recommendations": (
        ("id", "submission_id", "reviewer_id", "value", "note", "status", "created_at"),
        "reviewer_id",
    ),
    "panel_decisions": (
        (
            "id",
            "submission_id",
            "decision",
            "reason",
            "feedback",
            "reviewer_id",
            "created_at",
            "supersedes_id",
        ),
        "reviewer_id",
    ),
    # prev_hash and row_hash are left out: another row's edit (and a recomputed chain) must
    # not look like a forgery of this panelist's own event.
    "audit_log": (("seq", "at", "actor_id", "action", "subject", "details"), "actor_id"),
}
_ID = {"audit_log": "seq"}  # every other signed table's key is "id"

# A reviewer's current score on an answer is their latest row (highest id) on it. Written as a
# lookup in the (answer_id, reviewer_id, id) index per row, never as a "latest rows" table
# that each row would scan again (that made the summary grow with the square of the library).
_CURRENT = (
    "{t}.id = (SELECT MAX(x.id) FROM scores x"
    " WHERE x.answer_id = {t}.answer_id AND x.reviewer_id = {t}.reviewer_id)"
)

# The rule, once, as one SQL expression about a panelist's current score on an answer: may
# :viewer see it? {own}: the score is the viewer's; {sub}: it is submitted; {mine_sub}: the
# viewer's own current score on the same answer is submitted (asked only for another's
# score). The viewer sees their own (drafts only with :own_drafts), and another's submitted
# score once their own on the same answer is submitted. Every reader of scores that others
# may see (:data:`_VISIBLE` for records, :meth:`SqlitePanel.visible_grid` for summaries)
# decides with this expression.
_SEES = "(CASE WHEN {own} THEN {sub} OR :own_drafts ELSE {sub} AND {mine_sub} END)"

# The viewer's current row on answer ``a``, joined once per answer (not looked up again for
# each score row on it).
_MINE = (
    " LEFT JOIN scores m ON m.answer_id = a.id AND m.reviewer_id = :viewer"
    " AND m.id = (SELECT MAX(x.id) FROM scores x"
    " WHERE x.answer_id = a.id AND x.reviewer_id = :viewer)"
)

# The interview's current score rows that :viewer may see, with their reviewer (``r``);
# readers select columns from it.
_VISIBLE = f"""
    FROM submissions s
    JOIN answers a ON a.submission_id = s.id
    {_MINE}
    JOIN scores sc ON sc.answer_id = a.id
    JOIN reviewers r ON r.id = sc.reviewer_id
    WHERE s.interview_pk = :interview AND {_CURRENT.format(t="sc")} AND {
    _SEES.format(
        own="sc.reviewer_id = :viewer",
        sub="sc.status = 'submitted'",
        mine_sub="m.status = 'submitted'",
    )
}
"""


class PanelRepository(Protocol):
    def setting(self, key: str, default: str | None = None) -> str | None: ...
    def set_setting(self, key: str, value: str) -> None: ...
    def panelists(self) -> list[PanelistRecord]: ...
    def panelist(self, reviewer_id: int) -> PanelistRecord | None: ...
    def candidates(self, interview_pk: int) -> list[CandidateRef]: ...
    def visible_scores(
        self, viewer_id: int, interview_pk: int, own_drafts: bool = True
    ) -> list[VisibleScore]: ...
    def submit_answers(self, reviewer_id: int, answer_ids: Iterable[int]) -> list[int]: ...
    def decisions(self, interview_pk: int) -> dict[int, DecisionRecord]: ...
    def append_audit(
        self, actor_id: int | None, action: str, subject: str, details: dict[str, Any]
    ) -> AuditEntry: ...
    def audit_entries(self) -> list[AuditEntry]: ...
    def audit_details(self, action: str) -> list[str]: ...
    def verify_audit(self) -> AuditProblem | None: ...


_AUDIT_HEAD = "audit_head"  # "<seq>:<row hash>" of the last row, written with the row


class SqlitePanel:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- settings -------------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM panel_settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with transaction(self.db):
            self._put(key, value)

    def _put(self, key: str, value: str) -> None:
        from onetake_desktop.storage.erased_bundles import KEY_SETTING

        if key == KEY_SETTING:  # made once by erasure; rewritten, it voids every tombstone
            raise ValueError(f"{KEY_SETTING} is not a setting to write")
        self.db.execute(
            "INSERT INTO panel_settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- panelists ------------------------------------------------------------------------

    _PANELIST = (
        "SELECT r.id, r.name, r.passphrase_hash, p.order_seed, p.failed_attempts, p.retry_after,"
        " p.key_record, p.is_chair"
        " FROM reviewers r JOIN panelists p ON p.reviewer_id = r.id"
        " WHERE r.passphrase_hash IS NOT NULL AND p.removed_at IS NULL"
    )

    @staticmethod
    def _make_panelist(row: Any) -> PanelistRecord:
        from onetake_desktop.storage.panel_records import PanelistRecord

        return PanelistRecord(
            int(row[0]),
            str(row[1]),
            str(row[2]),
            int(row[3]),
            int(row[4]),
            row[5],
            row[6],
            bool(row[7]),
        )

    def add_panelist(
        self, name: str, passphrase_hash: str, order_seed: int, chair: bool = False
    ) -> PanelistRecord:
        """A new reviewer with a passphrase, or an existing reviewer who joins the panel
        (joins the caller's transaction if any)."""
        name = name.strip()
        if not name:
            raise InvalidInputError("A panelist needs a name.")
        with transaction(self.db):
            row = self.db.execute(
                "SELECT id, passphrase_hash FROM reviewers WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and row[1] is not None:
                raise InvalidInputError(f"There is already a panelist called {name}.")
            if row is None:
                cursor = self.db.execute(
                    "INSERT INTO reviewers (name, passphrase_hash, created_at) VALUES (?, ?, ?)",
                    (name, passphrase_hash, utc_now()),
                )
                reviewer_id = int(cursor.lastrowid or 0)
            else:
                reviewer_id = int(row[0])
                self.db.execute(
                    "UPDATE reviewers SET passphrase_hash = ? WHERE id = ?",
                    (passphrase_hash, reviewer_id),
                )
            self.db.execute(
                "INSERT INTO panelists (reviewer_id, order_seed, created_at, is_chair)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (reviewer_id) DO UPDATE SET removed_at = NULL,"
                " is_chair = excluded.is_chair",
                (reviewer_id, order_seed, utc_now(), int(chair)),
            )
        record = self.panelist(reviewer_id)
        assert record is not None
        return record

    def panelists(self) -> list[PanelistRecord]:
        rows = self.db.execute(self._PANELIST + " ORDER BY r.name COLLATE NOCASE").fetchall()
        return [self._make_panelist(r) for r in rows]

    def panelist(self, reviewer_id: int) -> PanelistRecord | None:
        row = self.db.execute(self._PANELIST + " AND r.id = ?", (reviewer_id,)).fetchone()
        return None if row is None else self._make_panelist(row)

    def set_passphrase_hash(self, reviewer_id: int, passphrase_hash: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "UPDATE reviewers SET passphrase_hash = ? WHERE id = ?",
                (passphrase_hash, reviewer_id),
            )

    def set_key_record(self, reviewer_id: int, key_record: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "UPDATE panelists SET key_record = ? WHERE reviewer_id = ?",
                (key_record, reviewer_id),
            )

    def rename(self, reviewer_id: int, name: str) -> None:
        name = name.strip()
        if not name:
            raise InvalidInputError("A name cannot be empty.")
        with transaction(self.db):
            row = self.db.execute(
                "SELECT id FROM reviewers WHERE name = ? AND id <> ?", (name, reviewer_id)
            ).fetchone()
            if row is not None:
                raise InvalidInputError(f"Somebody is already called {name}.")
            self.db.execute("UPDATE reviewers SET name = ? WHERE id = ?", (name, reviewer_id))

    def remove_panelist(self, reviewer_id: int) -> None:
        """The panelist can no longer sign in; their rows (and signatures) stay."""
        with transaction(self.db):
            self.db.execute(
                "UPDATE panelists SET removed_at = ? WHERE reviewer_id = ?",
                (utc_now(), reviewer_id),
            )

    def set_failures(self, reviewer_id: int, failed_attempts: int, retry_after: str | None) -> None:
        with transaction(self.db):
            self.db.execute(
                "UPDATE panelists SET failed_attempts = ?, retry_after = ? WHERE reviewer_id = ?",
                (failed_attempts, retry_after, reviewer_id),
            )

    # --- candidates and scores ------------------------------------------------------------

    def candidate_counts(self) -> dict[int, int]:
        """Interview pk -> how many submissions it has (only interviews that have some)."""
        return {
            int(r[0]): int(r[1])
            for r in self.db.execute(
                "SELECT interview_pk, COUNT(*) FROM submissions GROUP BY interview_pk"
            )
        }

    def candidates(self, interview_pk: int) -> list[CandidateRef]:
        from onetake_desktop.storage.panel_records import CandidateRef

        people, answers = self.candidate_rows(interview_pk)
        return [CandidateRef(sid, name, email, answers[sid]) for sid, name, email in people]

    def candidate_rows(
        self, interview_pk: int
    ) -> tuple[list[tuple[int, str, str]], dict[int, dict[str, int]]]:
        """:meth:`candidates` as SQLite returns them: ``(submission id, name, email)`` in id
        order, and submission id -> {question id: answer id} in position order (for callers
        that make their own record per candidate)."""
        # Two queries rather than one join: names and emails once per candidate, not once
        # per answer (this runs whenever a panel window opens).
        people = self.candidate_people(interview_pk)
        answers: dict[int, dict[str, int]] = {p[0]: {} for p in people}
        for submission_id, question_id, answer_id in self.db.execute(
            "SELECT a.submission_id, a.question_id, a.id FROM submissions s"
            " JOIN answers a ON a.submission_id = s.id WHERE s.interview_pk = ?"
            # s.id (the same as a.submission_id): the order the interview's index gives,
            # then the (submission, position) index's: nothing to sort (schema 9).
            " ORDER BY s.id, a.position",
            (interview_pk,),
        ):
            answers[submission_id][question_id] = answer_id
        return people, answers

    def candidate_people(self, interview_pk: int) -> list[tuple[int, str, str]]:
        """``(submission id, name, email)`` of the interview's candidates in id order (for
        callers that need no answers)."""
        people: list[tuple[int, str, str]] = self.db.execute(
            "SELECT id, candidate_name, candidate_email FROM submissions"
            " WHERE interview_pk = ? ORDER BY id",
            (interview_pk,),
        ).fetchall()
        return people

    def visible_scores(
        self, viewer_id: int, interview_pk: int, own_drafts: bool = True
    ) -> list[VisibleScore]:
        """Current scores on the interview's answers that ``viewer_id`` may see (see module)."""
        from onetake_desktop.storage.panel_records import VisibleScore

        # SQLite returns each column in its type already: the rows as they come.
        return list(map(VisibleScore._make, self.visible_rows(viewer_id, interview_pk, own_drafts)))

    def visible_rows(
        self, viewer_id: int, interview_pk: int, own_drafts: bool = True
    ) -> Iterator[tuple[Any, ...]]:
        """:meth:`visible_scores` as SQLite returns them, in :class:`VisibleScore`'s column
        order, read as they come (the per-answer export: no record kept per score)."""
        rows: Iterator[tuple[Any, ...]] = self.db.execute(
            "SELECT sc.id, sc.answer_id, a.submission_id, a.question_id, sc.reviewer_id,"
            " r.name AS reviewer_name,"
            " sc.score, sc.note, sc.status, sc.created_at, sc.supersedes_id, sc.reason"
            + _VISIBLE
            + " ORDER BY a.submission_id, a.position, reviewer_name COLLATE NOCASE",
            {"interview": interview_pk, "viewer": viewer_id, "own_drafts": int(own_drafts)},
        )
        return rows

    def interview_notes(self, interview_pk: int) -> dict[tuple[int, int], list[tuple[Any, ...]]]:
        """(answer id, reviewer id) -> ``(position_ms, text, created_at)`` of every
        timestamped note on the interview's answers, each list in the order of
        ``SqliteScores.notes`` (position, then id): one query for an export, not one per
        row. Who may see which is the service's rule."""
        out: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
        for answer_id, reviewer_id, *note in self.db.execute(
            "SELECT n.answer_id, n.reviewer_id, n.position_ms, n.text, n.created_at"
            " FROM submissions s JOIN answers a ON a.submission_id = s.id"
            " JOIN timestamped_notes n ON n.answer_id = a.id"
            " WHERE s.interview_pk = ? ORDER BY n.position_ms, n.id",
            (interview_pk,),
        ):
            # position_ms as SqliteScores.notes gives it (an int)
            item = (int(note[0]), note[1], note[2])
            listed = out.get((answer_id, reviewer_id))
            if listed is None:
                out[(answer_id, reviewer_id)] = [item]
            else:
                listed.append(item)
        return out

    def current_recommendations(
        self, interview_pk: int
    ) -> dict[tuple[int, int], CurrentRecommendation]:
        """(submission id, reviewer id) -> each reviewer's current (latest) recommendation
        on the interview's candidates, as ``SqliteScores.recommendation`` finds it one at a
        time: one query for an export. Who may see which is the service's rule."""
        from onetake_desktop.storage.panel_records import CurrentRecommendation

        return {
            (row[0], row[1]): CurrentRecommendation._make(row)
            for row in self.db.execute(
                "SELECT rc.submission_id, rc.reviewer_id, rc.value, rc.note, rc.status,"
                " rc.created_at FROM submissions s"
                " JOIN recommendations rc ON rc.submission_id = s.id"
                " WHERE s.interview_pk = ? AND rc.id = (SELECT MAX(x.id) FROM recommendations x"
                " WHERE x.submission_id = rc.submission_id AND x.reviewer_id = rc.reviewer_id)",
                (interview_pk,),
            )
        }

    def reviewer_ids(self) -> list[int]:
        return [int(r[0]) for r in self.db.execute("SELECT id FROM reviewers ORDER BY id")]

    def visible_grid(
        self, viewer_id: int, interview_pk: int, others: Sequence[int], own_drafts: bool = True
    ) -> VisibleGrid:
        """The scores of :meth:`visible_scores` (the same rule) as a :class:`VisibleGrid` over
        the viewer and ``others``: one pass over the interview's answers with one lookup in
        the (answer, reviewer, id) index per answer and reviewer, rather than a record (and
        two lookups) per score row."""
        others = [r for r in others if r != viewer_id]
        params: dict[str, Any] = {
            "interview": interview_pk,
            "viewer": viewer_id,
            "own_drafts": int(own_drafts),
        }
        params.update({f"r{i}": r for i, r in enumerate(others)})
        # The viewer's current row is joined once per answer (``m``); each other reviewer's
        # current score is one lookup that returns it only when the rule says so.
        mine_sub = "m.status = 'submitted'"
        own = _SEES.format(own="1", sub=mine_sub, mine_sub=mine_sub)
        theirs = _SEES.format(own="0", sub="x.status = 'submitted'", mine_sub=mine_sub)
        columns = "".join(
            f", (SELECT CASE WHEN {theirs} THEN x.score END FROM scores x"
            f" WHERE x.answer_id = a.id AND x.reviewer_id = :r{i} ORDER BY x.id DESC LIMIT 1)"
            for i in range(len(others))
        )
        rows: Iterator[tuple[Any, ...]] = self.db.execute(
            "SELECT a.submission_id, a.question_id, a.id, m.status = 'submitted',"
            f" CASE WHEN {own} THEN m.score END{columns}"
            f" FROM submissions s JOIN answers a ON a.submission_id = s.id{_MINE}"
            # In the (submission, position) index's order (schema 9: no sort): each
            # candidate's answers in the kit's order, so readers may list them from here.
            " WHERE s.interview_pk = :interview ORDER BY s.id, a.position",
            params,
        )
        from onetake_desktop.storage.panel_records import VisibleGrid

        return VisibleGrid([viewer_id, *others], rows)

    def open_answers(self, viewer_id: int) -> list[tuple[int, int]]:
        """``(other reviewer id, answer id)`` where both the other's and the viewer's current
        scores on the answer are submitted: where the viewer may see the other's work.
        Driven by the viewer's own rows through the (answer, reviewer) index: it costs what
        the viewer scored, not the square of the score table."""
        return [
            (int(r[0]), int(r[1]))
            for r in self.db.execute(
                "SELECT o.reviewer_id, o.answer_id FROM scores mine"
                " JOIN scores o ON o.answer_id = mine.answer_id"
                " WHERE mine.reviewer_id = :v AND mine.status = 'submitted'"
                f" AND {_CURRENT.format(t='mine')}"
                " AND o.reviewer_id <> :v AND o.status = 'submitted'"
                f" AND {_CURRENT.format(t='o')}",
                {"v": viewer_id},
            )
        ]

    def submit_answers(self, reviewer_id: int, answer_ids: Iterable[int]) -> list[tuple[int, int]]:
        """Submit this reviewer's current scored drafts on these answers (joins the caller's
        transaction); returns (answer id, score row id) of those submitted now (no draft, or a
        draft with only a note: left alone)."""
        ids = sorted(set(answer_ids))
        done: list[tuple[int, int]] = []
        with transaction(self.db):
            for answer_id in ids:
                row = self.db.execute(
                    "SELECT id, status, score FROM scores WHERE answer_id = ? AND reviewer_id = ?"
                    " ORDER BY id DESC LIMIT 1",
                    (answer_id, reviewer_id),
                ).fetchone()
                if row is None or row[1] != "draft" or row[2] is None:
                    continue
                self.db.execute(
                    "UPDATE scores SET status = 'submitted', created_at = ? WHERE id = ?",
                    (utc_now(), int(row[0])),
                )
                done.append((answer_id, int(row[0])))
        return done

    def submitted_by(self, submission_id: int) -> set[int]:
        """Reviewers whose current score on every answer of the submission is submitted."""
        rows = self.db.execute(
            "SELECT sc.reviewer_id FROM answers a JOIN scores sc ON sc.answer_id = a.id"
            f" WHERE a.submission_id = :s AND sc.status = 'submitted' AND {_CURRENT.format(t='sc')}"
            " GROUP BY sc.reviewer_id"
            " HAVING COUNT(*) = (SELECT COUNT(*) FROM answers WHERE submission_id = :s)",
            {"s": submission_id},
        ).fetchall()
        return {int(r[0]) for r in rows}

    def submitted_by_submission(
        self, interview_pk: int, reviewer_id: int | None = None
    ) -> dict[int, set[int]]:
        """:meth:`submitted_by` for every submission of the interview in one pass; only
        ``reviewer_id``'s when given (what a viewer's own rule needs: one search of the
        (answer, reviewer) index per answer instead of every score row)."""
        only = "" if reviewer_id is None else " AND sc.reviewer_id = :r"
        rows = self.db.execute(
            "SELECT a.submission_id, sc.reviewer_id, COUNT(*),"
            " (SELECT COUNT(*) FROM answers n WHERE n.submission_id = a.submission_id)"
            " FROM submissions s JOIN answers a ON a.submission_id = s.id"
            f" JOIN scores sc ON sc.answer_id = a.id{only}"
            " WHERE s.interview_pk = :i AND sc.status = 'submitted'"
            f" AND {_CURRENT.format(t='sc')}"
            " GROUP BY a.submission_id, sc.reviewer_id",
            {"i": interview_pk, "r": reviewer_id},
        ).fetchall()
        out: dict[int, set[int]] = {}
        for submission_id, reviewer_id, done, answers in rows:
            if int(done) == int(answers):
                out.setdefault(int(submission_id), set()).add(int(reviewer_id))
        return out

    def recommendations_of(self, reviewer_id: int, interview_pk: int) -> dict[int, tuple[str, str]]:
        """Submission id -> (value, status) of this reviewer's current recommendation, for
        every submission of the interview they recommended on (one query)."""
        # Per submission: the latest row's id from the (submission, reviewer, id) index, then
        # that row by its key.
        rows = self.db.execute(
            "SELECT rc.submission_id, rc.value, rc.status FROM submissions s"
            " JOIN recommendations rc ON rc.id = (SELECT MAX(x.id) FROM recommendations x"
            " WHERE x.submission_id = s.id AND x.reviewer_id = :r)"
            " WHERE s.interview_pk = :i",
            {"r": reviewer_id, "i": interview_pk},
        ).fetchall()
        return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}

    # --- blind mode per candidate -----------------------------------------------------------

    def lift_blind(self, submission_id: int, reviewer_id: int) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO blind_lifted (submission_id, reviewer_id, lifted_at) VALUES (?, ?, ?)"
                " ON CONFLICT (submission_id) DO NOTHING",
                (submission_id, reviewer_id, utc_now()),
            )

    def blind_lifted(self) -> set[int]:
        return {int(r[0]) for r in self.db.execute("SELECT submission_id FROM blind_lifted")}

    # --- signatures -------------------------------------------------------------------------

    def row_values(self, table: str, row_id: int) -> tuple[Any, ...] | None:
        columns, _ = SIGNED_TABLES[table]
        row = self.db.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {_ID.get(table, 'id')} = ?",
            (row_id,),
        ).fetchone()
        return None if row is None else tuple(row)

    def owned_rows(self, reviewer_id: int) -> list[tuple[str, tuple[Any, ...]]]:
        """Every row of the signed tables that names this reviewer as its owner."""
        out: list[tuple[str, tuple[Any, ...]]] = []
        for table, (columns, owner) in SIGNED_TABLES.items():
            rows = self.db.execute(
                f"SELECT {', '.join(columns)} FROM {table} WHERE {owner} = ?", (reviewer_id,)
            ).fetchall()
            out.extend((table, tuple(r)) for r in rows)
        return out

    def owned_rows_signed(self, reviewer_id: int) -> Iterator[tuple[str, Any, str | None]]:
        """:meth:`owned_rows` with each row's signature by this reviewer (None when it has
        none): ``(table, values, sig)``, one pass per table, the signature found by its key
        as SQLite reads the row (the sign-in check: no dictionary of every signature)."""
        for table, (columns, owner) in SIGNED_TABLES.items():
            key = _ID.get(table, "id")
            selected = ", ".join(f"t.{c}" for c in columns)
            rows = self.db.execute(
                f"SELECT {selected}, rs.sig FROM {table} t"
                " LEFT JOIN row_sigs rs ON rs.tbl = :tbl AND rs.row_id = t.{key}"
                " AND rs.reviewer_id = :r"
                f" WHERE t.{owner} = :r ORDER BY t.{key}".replace("{key}", key),
                {"tbl": table, "r": reviewer_id},
            )
            for row in rows:
                yield table, row[:-1], row[-1]

    def sig_count(self, reviewer_id: int) -> int:
        """How many signatures this reviewer has (``len(sigs(reviewer_id))``)."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM row_sigs WHERE reviewer_id = ?", (reviewer_id,)
        ).fetchone()
        return int(row[0])

    def put_sig(self, table: str, row_id: int, reviewer_id: int, sig: str) -> bool:
        """Store a row's signature; True when the row had none before (a new signed row)."""
        with transaction(self.db):
            had = self.db.execute(
                "SELECT 1 FROM row_sigs WHERE tbl = ? AND row_id = ?", (table, row_id)
            ).fetchone()
            self.db.execute(
                "INSERT INTO row_sigs (tbl, row_id, reviewer_id, sig) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (tbl, row_id) DO UPDATE SET sig = excluded.sig,"
                " reviewer_id = excluded.reviewer_id",
                (table, row_id, reviewer_id, sig),
            )
        return had is None

    def drop_sig(self, table: str, row_id: int) -> None:
        with transaction(self.db):
            self.db.execute("DELETE FROM row_sigs WHERE tbl = ? AND row_id = ?", (table, row_id))

    def sigs(self, reviewer_id: int) -> dict[tuple[str, int], str]:
        rows = self.db.execute(
            "SELECT tbl, row_id, sig FROM row_sigs WHERE reviewer_id = ?", (reviewer_id,)
        ).fetchall()
        return {(str(r[0]), int(r[1])): str(r[2]) for r in rows}

    def max_ids(self) -> dict[str, int]:
        return {
            table: int(
                self.db.execute(
                    f"SELECT COALESCE(MAX({_ID.get(table, 'id')}), 0) FROM {table}"
                ).fetchone()[0]
            )
            for table in SIGNED_TABLES
        }

    # --- decisions ------------------------------------------------------------------------

    _DECISION = (
        "SELECT id, submission_id, decision, reason, feedback, reviewer_id, created_at,"
        " supersedes_id FROM panel_decisions"
    )

    @staticmethod
    def _make_decision(row: Any) -> DecisionRecord:
        from onetake_desktop.storage.panel_records import DecisionRecord

        return DecisionRecord(
            int(row[0]), int(row[1]), row[2], row[3], row[4], int(row[5]), row[6], row[7]
        )

    def add_decision(
        self, submission_id: int, decision: Decision, reason: str, feedback: str, reviewer_id: int
    ) -> DecisionRecord:
        from onetake_desktop.domain.panel import DECISIONS

        if decision not in DECISIONS:
            raise InvalidInputError(f"A decision is one of {', '.join(DECISIONS)}.")
        if not reason.strip():
            raise InvalidInputError("A decision needs a reason.")
        with transaction(self.db):
            prev = self.db.execute(
                "SELECT MAX(id) FROM panel_decisions WHERE submission_id = ?", (submission_id,)
            ).fetchone()[0]
            cursor = self.db.execute(
                "INSERT INTO panel_decisions (submission_id, decision, reason, feedback,"
                " reviewer_id, created_at, supersedes_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    submission_id,
                    decision,
                    reason.strip(),
                    feedback.strip(),
                    reviewer_id,
                    utc_now(),
                    prev,
                ),
            )
            decision_id = int(cursor.lastrowid or 0)
        row = self.db.execute(self._DECISION + " WHERE id = ?", (decision_id,)).fetchone()
        return self._make_decision(row)

    def decisions(self, interview_pk: int) -> dict[int, DecisionRecord]:
        """The current (latest) decision per submission of the interview."""
        rows = self.db.execute(
            self._DECISION + " WHERE id IN (SELECT MAX(d.id) FROM panel_decisions d"
            " JOIN submissions s ON s.id = d.submission_id WHERE s.interview_pk = ?"
            " GROUP BY d.submission_id)",
            (interview_pk,),
        ).fetchall()
        return {int(r[1]): self._make_decision(r) for r in rows}

    def decision_history(self, submission_id: int) -> list[DecisionRecord]:
        rows = self.db.execute(
            self._DECISION + " WHERE submission_id = ? ORDER BY id", (submission_id,)
        ).fetchall()
        return [self._make_decision(r) for r in rows]

    # --- audit log ------------------------------------------------------------------------

    @staticmethod
    def _make_entries(rows: Iterable[Any]) -> list[AuditEntry]:
        # Imported once per call, not per row: the log can hold thousands (issue 17).
        from onetake_desktop.domain.panel import AuditEntry

        return [
            AuditEntry(
                int(row[0]),
                str(row[1]),
                None if row[2] is None else int(row[2]),
                str(row[3]),
                str(row[4]),
                str(row[5]),
                str(row[6]),
                str(row[7]),
            )
            for row in rows
        ]

    _ENTRY = (
        "SELECT seq, at, actor_id, action, subject, details, prev_hash, row_hash FROM audit_log"
    )

    def append_audit(
        self, actor_id: int | None, action: str, subject: str, details: dict[str, Any]
    ) -> AuditEntry:
        """Append one row, chained to the last; joins the caller's transaction if any."""
        from onetake_desktop.domain.panel import chain_entry

        with transaction(self.db):
            row = self.db.execute(self._ENTRY + " ORDER BY seq DESC LIMIT 1").fetchone()
            prev = None if row is None else self._make_entries([row])[0]
            entry = chain_entry(prev, utc_now(), actor_id, action, subject, details)
            self.db.execute(
                "INSERT INTO audit_log (seq, at, actor_id, action, subject, details, prev_hash,"
                " row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.seq,
                    entry.at,
                    entry.actor_id,
                    entry.action,
                    entry.subject,
                    entry.details,
                    entry.prev_hash,
                    entry.row_hash,
                ),
            )
            self._put(_AUDIT_HEAD, f"{entry.seq}:{entry.row_hash}")
        return entry

    def audit_entries(self) -> list[AuditEntry]:
        return self._make_entries(self.db.execute(self._ENTRY + " ORDER BY seq"))

    def audit_details(self, action: str) -> list[str]:
        """The details (JSON) of every audit row of one action, oldest first."""
        rows = self.db.execute(
            "SELECT details FROM audit_log WHERE action = ? ORDER BY seq", (action,)
        ).fetchall()
        return [str(r[0]) for r in rows]

    def verify_audit(self) -> AuditProblem | None:
        """The first tampered row, or a missing tail (the head no longer matches)."""
        # The rows as SQLite returns them, no record each. (The columns' affinities store
        # them in the types the hash was made of; a value of another type hand-written into
        # a row fails its hash, as a changed value does.)
        from onetake_desktop.domain.panel import AuditProblem, verify_chain_rows

        rows = self.db.execute(self._ENTRY + " ORDER BY seq")
        problem = verify_chain_rows(rows)
        if problem is not None:
            return problem
        head = self.setting(_AUDIT_HEAD)
        last = self.db.execute("SELECT seq, row_hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        row = last.fetchone()
        actual = None if row is None else f"{row[0]}:{row[1]}"
        if head != actual:
            seq = 0 if row is None else int(row[0])
            return AuditProblem(seq + 1, f"Audit log rows after row {seq} were removed.")
        return None


def answer_ids_for(candidates: Sequence[CandidateRef], question_id: str | None = None) -> list[int]:
    """Answer ids of these candidates, for one question or all of them."""
    if question_id is None:
        return [a for c in candidates for a in c.answers.values()]
    return [c.answers[question_id] for c in candidates if question_id in c.answers]


ERASED_ACTION = "erased"


def record_erasure(
    db: Database,
    *,
    submission_ids: Sequence[int],
    reason_code: str,
    actor_id: int | None = None,
    details: dict[str, Any] | None = None,
    remove_submissions: bool = False,
    erased_on: date | None = None,
) -> AuditEntry:
    """Remove every score, note, recommendation, decision and signature of these submissions
    and append one "erased" audit row; joins the caller's transaction (the privacy service
    calls it inside its erase transaction, before deleting the submission rows themselves).

    The audit row holds no personal data: submission ids, the reason code (a short
    lower-case word such as ``candidate_request`` or ``retention``) and how many signed rows
    each panelist lost, so that the sign-in check (services.scoring) knows those rows were
    removed by an audited erasure and does not report them as tampering. ``details`` adds
    more numbers (what storage.erasure counted); with ``remove_submissions`` the submission
    rows themselves go too (cascading to answers), while they are still marked as erasing,
    and a keyed fingerprint of each one's bundle is kept with ``erased_on`` (UTC today unless
    given) and the reason code, so the same file is not imported again (schema 13).
    """
    ids = sorted({int(s) for s in submission_ids})
    if not reason_code or not all(c.islower() or c == "_" for c in reason_code):
        raise InvalidInputError("An erasure reason code is a lower-case word like 'retention'.")
    repo = SqlitePanel(db)
    with transaction(db):
        removed: dict[str, int] = {}
        marks = ",".join("?" * len(ids)) or "NULL"
        db.execute(
            f"INSERT OR IGNORE INTO erasing (submission_id) SELECT id FROM submissions"
            f" WHERE id IN ({marks})",
            ids,
        )
        owned = {
            "scores": "SELECT sc.id FROM scores sc JOIN answers a ON a.id = sc.answer_id"
            " JOIN erasing e ON e.submission_id = a.submission_id",
            "timestamped_notes": "SELECT n.id FROM timestamped_notes n"
            " JOIN answers a ON a.id = n.answer_id"
            " JOIN erasing e ON e.submission_id = a.submission_id",
            "recommendations": "SELECT r.id FROM recommendations r"
            " JOIN erasing e ON e.submission_id = r.submission_id",
            "panel_decisions": "SELECT d.id FROM panel_decisions d"
            " JOIN erasing e ON e.submission_id = d.submission_id",
        }
        for table, select in owned.items():
            for reviewer_id, count in db.execute(
                f"SELECT reviewer_id, COUNT(*) FROM row_sigs WHERE tbl = ? AND row_id IN ({select})"
                " GROUP BY reviewer_id",
                (table,),
            ).fetchall():
                removed[str(reviewer_id)] = removed.get(str(reviewer_id), 0) + int(count)
            db.execute(f"DELETE FROM row_sigs WHERE tbl = ? AND row_id IN ({select})", (table,))
            db.execute(f"DELETE FROM {table} WHERE id IN ({select})")
        db.execute(
            "DELETE FROM blind_lifted WHERE submission_id IN (SELECT submission_id FROM erasing)"
        )
        entry = repo.append_audit(
            actor_id,
            ERASED_ACTION,
            "submissions " + ",".join(str(i) for i in ids),
            {"submissions": ids, "reason_code": reason_code, "removed": removed, **(details or {})},
        )
        if remove_submissions:
            from onetake_desktop.storage.erased_bundles import remember_erasing

            remember_erasing(
                db,
                erased_on=erased_on or datetime.now(UTC).date(),
                reason_code=reason_code,
            )
            db.execute("DELETE FROM submissions WHERE id IN (SELECT submission_id FROM erasing)")
        db.execute("DELETE FROM erasing")
    return entry
