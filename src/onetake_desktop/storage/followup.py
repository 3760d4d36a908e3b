"""Follow-up templates per interview and the day each candidate's follow-up went out (m007)."""

from __future__ import annotations

from onetake_desktop.domain.followup import Template
from onetake_desktop.storage.db import Database, utc_now


class SqliteFollowups:
    def __init__(self, db: Database) -> None:
        self.db = db

    def template(self, interview_pk: int, decision: str) -> Template | None:
        row = self.db.execute(
            "SELECT subject, body FROM followup_templates WHERE interview_pk = ? AND decision = ?",
            (interview_pk, decision),
        ).fetchone()
        return None if row is None else Template(str(row[0]), str(row[1]))

    def set_template(self, interview_pk: int, decision: str, template: Template) -> None:
        """Call inside the caller's transaction (with its audit row)."""
        self.db.execute(
            "INSERT INTO followup_templates (interview_pk, decision, subject, body, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (interview_pk, decision) DO UPDATE SET"
            " subject = excluded.subject, body = excluded.body, updated_at = excluded.updated_at",
            (interview_pk, decision, template.subject, template.body, utc_now()),
        )

    def record_sent(
        self, submission_id: int, decision_id: int, reviewer_id: int, channel: str, at: str
    ) -> None:
        """Call inside the caller's transaction (with its audit row)."""
        self.db.execute(
            "INSERT INTO followups_sent (submission_id, decision_id, reviewer_id, channel,"
            " sent_at) VALUES (?, ?, ?, ?, ?)",
            (submission_id, decision_id, reviewer_id, channel, at),
        )

    def last_sent(self, interview_pk: int) -> dict[int, tuple[str, int]]:
        """Submission id -> (when its latest follow-up went out, the decision id it was about)."""
        rows = self.db.execute(
            "SELECT f.submission_id, f.sent_at, f.decision_id FROM followups_sent f"
            " JOIN submissions s ON s.id = f.submission_id WHERE s.interview_pk = ?"
            " AND f.id IN (SELECT MAX(id) FROM followups_sent GROUP BY submission_id)",
            (interview_pk,),
        ).fetchall()
        return {int(r[0]): (str(r[1]), int(r[2])) for r in rows}
