"""Panel repositories: settings, panelists, visible scores, decisions and the audit log.

The one rule panels depend on lives in SQL here, so no layer above can get it wrong: another
panelist's score on an answer is returned only when it is submitted *and* the viewer has
submitted their own score on that same answer. Drafts of others are never returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlite_utils

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.panel import (
    DECISIONS,
    AuditEntry,
    AuditProblem,
    Decision,
    chain_entry,
    verify_chain,
)
from onetake_desktop.storage.db import durable, transaction, utc_now


@dataclass(frozen=True)
class PanelistRecord:
    reviewer_id: int
    name: str
    passphrase_hash: str
    order_seed: int
    failed_attempts: int
    retry_after: str | None  # ISO 8601 UTC; no passphrase is checked before then


@dataclass(frozen=True)
class VisibleScore:
    """A current score (a panelist's latest row on an answer) the viewer may see."""

    score_id: int
    answer_id: int
    submission_id: int
    question_id: str
    reviewer_id: int
    reviewer_name: str
    score: int | None  # None only in the viewer's own draft that holds just a note
    note: str
    status: str
    created_at: str
    supersedes_id: int | None
    reason: str | None


@dataclass(frozen=True)
class DecisionRecord:
    id: int
    submission_id: int
    decision: Decision
    reason: str
    feedback: str
    reviewer_id: int
    created_at: str
    supersedes_id: int | None


@dataclass(frozen=True)
class CandidateRef:
    """A submission of the interview with its answers' question ids (no scores)."""

    submission_id: int
    candidate_name: str
    candidate_email: str
    answers: dict[str, int]  # question id -> answer id


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
    def verify_audit(self) -> AuditProblem | None: ...


_AUDIT_HEAD = "audit_head"  # "<seq>:<row hash>" of the last row, written with the row


class SqlitePanel:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # --- settings -------------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM panel_settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with transaction(self.db):
            self._put(key, value)

    def _put(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO panel_settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- panelists ------------------------------------------------------------------------

    _PANELIST = (
        "SELECT r.id, r.name, r.passphrase_hash, p.order_seed, p.failed_attempts, p.retry_after"
        " FROM reviewers r JOIN panelists p ON p.reviewer_id = r.id"
        " WHERE r.passphrase_hash IS NOT NULL"
    )

    @staticmethod
    def _make_panelist(row: Any) -> PanelistRecord:
        return PanelistRecord(
            int(row[0]), str(row[1]), str(row[2]), int(row[3]), int(row[4]), row[5]
        )

    def add_panelist(self, name: str, passphrase_hash: str, order_seed: int) -> PanelistRecord:
        """A new reviewer with a passphrase, or an existing reviewer who joins the panel."""
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
                "INSERT INTO panelists (reviewer_id, order_seed, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (reviewer_id) DO NOTHING",
                (reviewer_id, order_seed, utc_now()),
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

    def set_failures(self, reviewer_id: int, failed_attempts: int, retry_after: str | None) -> None:
        with transaction(self.db):
            self.db.execute(
                "UPDATE panelists SET failed_attempts = ?, retry_after = ? WHERE reviewer_id = ?",
                (failed_attempts, retry_after, reviewer_id),
            )

    # --- candidates and scores ------------------------------------------------------------

    def candidates(self, interview_pk: int) -> list[CandidateRef]:
        rows = self.db.execute(
            "SELECT s.id, s.candidate_name, s.candidate_email, a.question_id, a.id"
            " FROM submissions s LEFT JOIN answers a ON a.submission_id = s.id"
            " WHERE s.interview_pk = ? ORDER BY s.id, a.position",
            (interview_pk,),
        ).fetchall()
        out: dict[int, CandidateRef] = {}
        for r in rows:
            ref = out.setdefault(int(r[0]), CandidateRef(int(r[0]), r[1], r[2], {}))
            if r[3] is not None:
                ref.answers[str(r[3])] = int(r[4])
        return list(out.values())

    def visible_scores(
        self, viewer_id: int, interview_pk: int, own_drafts: bool = True
    ) -> list[VisibleScore]:
        """Current scores on the interview's answers that ``viewer_id`` may see (see module)."""
        rows = self.db.execute(
            """
            WITH cur AS (
                SELECT sc.* FROM scores sc
                JOIN (SELECT MAX(id) AS id FROM scores GROUP BY answer_id, reviewer_id) m
                  ON m.id = sc.id
            )
            SELECT cur.id, cur.answer_id, a.submission_id, a.question_id, cur.reviewer_id,
                   r.name, cur.score, cur.note, cur.status, cur.created_at,
                   cur.supersedes_id, cur.reason
            FROM cur
            JOIN answers a ON a.id = cur.answer_id
            JOIN submissions s ON s.id = a.submission_id
            JOIN reviewers r ON r.id = cur.reviewer_id
            WHERE s.interview_pk = :interview AND (
                (cur.reviewer_id = :viewer AND (cur.status = 'submitted' OR :own_drafts))
                OR (cur.reviewer_id <> :viewer AND cur.status = 'submitted' AND EXISTS (
                    SELECT 1 FROM cur mine WHERE mine.answer_id = cur.answer_id
                    AND mine.reviewer_id = :viewer AND mine.status = 'submitted'))
            )
            ORDER BY a.submission_id, a.position, r.name COLLATE NOCASE
            """,
            {"interview": interview_pk, "viewer": viewer_id, "own_drafts": int(own_drafts)},
        ).fetchall()
        return [
            VisibleScore(
                int(r[0]),
                int(r[1]),
                int(r[2]),
                str(r[3]),
                int(r[4]),
                str(r[5]),
                None if r[6] is None else int(r[6]),
                str(r[7]),
                str(r[8]),
                str(r[9]),
                r[10],
                r[11],
            )
            for r in rows
        ]

    def submit_answers(self, reviewer_id: int, answer_ids: Iterable[int]) -> list[int]:
        """Submit this reviewer's current scored drafts on these answers, durably; returns the
        answer ids submitted now (no draft, or a draft with only a note: left alone)."""
        ids = sorted(set(answer_ids))
        done: list[int] = []
        with durable(self.db):
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
                done.append(answer_id)
        return done

    # --- decisions ------------------------------------------------------------------------

    _DECISION = (
        "SELECT id, submission_id, decision, reason, feedback, reviewer_id, created_at,"
        " supersedes_id FROM panel_decisions"
    )

    @staticmethod
    def _make_decision(row: Any) -> DecisionRecord:
        return DecisionRecord(
            int(row[0]), int(row[1]), row[2], row[3], row[4], int(row[5]), row[6], row[7]
        )

    def add_decision(
        self, submission_id: int, decision: Decision, reason: str, feedback: str, reviewer_id: int
    ) -> DecisionRecord:
        if decision not in DECISIONS:
            raise InvalidInputError(f"A decision is one of {', '.join(DECISIONS)}.")
        if not reason.strip():
            raise InvalidInputError("A decision needs a reason.")
        with durable(self.db):
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
    def _make_entry(row: Any) -> AuditEntry:
        return AuditEntry(
            int(row[0]),
            str(row[1]),
            None if row[2] is None else int(row[2]),
            str(row[3]),
            str(row[4]),
            str(row[5]),
            str(row[6]),
            str(row[7]),
        )

    _ENTRY = (
        "SELECT seq, at, actor_id, action, subject, details, prev_hash, row_hash FROM audit_log"
    )

    def append_audit(
        self, actor_id: int | None, action: str, subject: str, details: dict[str, Any]
    ) -> AuditEntry:
        """Append one row, chained to the last; joins the caller's transaction if any."""
        with transaction(self.db):
            row = self.db.execute(self._ENTRY + " ORDER BY seq DESC LIMIT 1").fetchone()
            prev = None if row is None else self._make_entry(row)
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
        return [self._make_entry(r) for r in self.db.execute(self._ENTRY + " ORDER BY seq")]

    def verify_audit(self) -> AuditProblem | None:
        """The first tampered row, or a missing tail (the head no longer matches)."""
        entries = self.audit_entries()
        problem = verify_chain(entries)
        if problem is not None:
            return problem
        head = self.setting(_AUDIT_HEAD)
        last = entries[-1] if entries else None
        actual = None if last is None else f"{last.seq}:{last.row_hash}"
        if head != actual:
            seq = 0 if last is None else last.seq
            return AuditProblem(seq + 1, f"Audit log rows after row {seq} were removed.")
        return None


def answer_ids_for(candidates: Sequence[CandidateRef], question_id: str | None = None) -> list[int]:
    """Answer ids of these candidates, for one question or all of them."""
    if question_id is None:
        return [a for c in candidates for a in c.answers.values()]
    return [c.answers[question_id] for c in candidates if question_id in c.answers]
