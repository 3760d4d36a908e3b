"""Panel use cases on one shared laptop: panelists, independent scoring, summary, decisions.

Every read takes the *viewing* panelist's id. Another panelist's score on an answer reaches the
viewer only once both have submitted theirs on that answer (the rule lives in storage.panel);
summaries are built from what the viewer may see, so they open as the viewer submits. Drafts
never leave the panelist who wrote them: not in the summary, not in an export.
Threading: one ``PanelService`` per thread (its SQLite connection is not shared).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from onetake_desktop.domain.clock import Clock, SystemClock
from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.kit import Rubric
from onetake_desktop.domain.panel import (
    DECISIONS,
    AuditEntry,
    AuditProblem,
    Cell,
    Decision,
    IdleTimer,
    PanelSummary,
    ScoreStats,
    blind_codes,
    question_mode_queue,
    shuffled_candidates,
    summarise,
    wrong_passphrase_delay,
)
from onetake_desktop.services.settings import ReviewerSettings
from onetake_desktop.storage.atomic import atomic_write_bytes, export_bytes
from onetake_desktop.storage.library import AnswerRecord, Library, ScoreRecord
from onetake_desktop.storage.panel import (
    CandidateRef,
    DecisionRecord,
    PanelistRecord,
    SqlitePanel,
    VisibleScore,
    answer_ids_for,
)

MIN_PASSPHRASE = 8
DEFAULT_IDLE_MINUTES = 5.0
DECISION_LABELS: dict[str, str] = {"advance": "Advance", "hold": "Hold", "decline": "Decline"}

__all__ = [
    "DECISIONS",
    "DECISION_LABELS",
    "CandidateView",
    "PanelService",
    "PanelView",
    "WrongPassphrase",
]


class WrongPassphrase(OneTakeError):
    """The passphrase did not match, or tries are paused after too many wrong ones."""


@dataclass(frozen=True)
class CandidateView:
    """One candidate as the viewer may see them (name hidden behind a code in blind mode)."""

    submission_id: int
    code: str
    name: str  # the code while blind
    email: str  # "" while blind
    revealed: bool
    answers: dict[str, int]  # question id -> answer id
    decision: DecisionRecord | None


@dataclass(frozen=True)
class PanelView:
    """The panel summary as one viewer may see it."""

    viewer_id: int
    questions: list[str]
    candidates: list[CandidateView]
    panelists: dict[int, str]  # id -> name, of everyone whose scores appear here
    summary: PanelSummary  # built from submitted scores the viewer may see
    own_drafts: dict[Cell, int]  # the viewer's unsubmitted scores, for their eyes only
    submitted_cells: set[Cell]  # cells the viewer has submitted (their summary is open)

    def candidate_open(self, submission_id: int) -> bool:
        c = next(c for c in self.candidates if c.submission_id == submission_id)
        return bool(c.answers) and all(
            (submission_id, q) in self.submitted_cells for q in c.answers
        )

    def question_open(self, question_id: str) -> bool:
        cells = [
            (c.submission_id, question_id) for c in self.candidates if question_id in c.answers
        ]
        return bool(cells) and all(cell in self.submitted_cells for cell in cells)

    def stats(self, submission_id: int, question_id: str) -> ScoreStats | None:
        """None while the viewer has not submitted this answer."""
        cell = (submission_id, question_id)
        if cell not in self.submitted_cells:
            return None
        return self.summary.cells.get(cell)

    def alpha(self, question_id: str) -> float | None:
        return (
            self.summary.alpha_by_question.get(question_id)
            if self.question_open(question_id)
            else None
        )


class PanelService:
    def __init__(
        self,
        library: Library,
        clock: Clock | None = None,
        seed_source: Callable[[], int] | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.library = library
        self.repo = SqlitePanel(library.db)
        self.clock: Clock = clock or SystemClock()
        self.seed_source = seed_source or (lambda: secrets.randbits(62))
        self.hasher = hasher or PasswordHasher()  # Argon2id with argon2-cffi's defaults
        self.idle = IdleTimer(self.clock, self.idle_minutes())
        self.current_id: int | None = None  # the panelist signed in at the laptop

    # -- panelists -----------------------------------------------------------------------------

    def panelists(self) -> list[PanelistRecord]:
        return self.repo.panelists()

    def create_panelist(self, name: str, passphrase: str) -> PanelistRecord:
        return self.add_panelist(name, self.hash_passphrase(passphrase))

    def hash_passphrase(self, passphrase: str) -> str:
        """Argon2id only, no database: safe on a worker thread (it takes ~0.1 s by design)."""
        if len(passphrase) < MIN_PASSPHRASE:
            raise InvalidInputError(f"A passphrase needs at least {MIN_PASSPHRASE} characters.")
        return self.hasher.hash(passphrase)

    def add_panelist(self, name: str, passphrase_hash: str) -> PanelistRecord:
        """A new panelist with a hash from ``hash_passphrase``."""
        record = self.repo.add_panelist(name, passphrase_hash, self.seed_source())
        self.repo.append_audit(record.reviewer_id, "panelist_created", record.name, {})
        return record

    def _panelist(self, reviewer_id: int) -> PanelistRecord:
        record = self.repo.panelist(reviewer_id)
        if record is None:
            raise OneTakeError("Only a panelist with a passphrase can do this.")
        return record

    def sign_in(self, reviewer_id: int, passphrase: str) -> PanelistRecord:
        """Check the passphrase; wrong ones pause further tries for longer each time."""
        record = self.begin_sign_in(reviewer_id)
        return self.finish_sign_in(record, self.verify_passphrase(record, passphrase))

    # sign_in in three steps so that a window can run the slow middle one (Argon2id, ~0.1 s
    # at the default cost) on a worker thread: the first and last touch the database, which
    # belongs to the thread that opened it.

    def begin_sign_in(self, reviewer_id: int) -> PanelistRecord:
        """The panelist, unless their tries are paused (raises WrongPassphrase)."""
        record = self._panelist(reviewer_id)
        if record.retry_after is not None:
            wait = (datetime.fromisoformat(record.retry_after) - self.clock.now()).total_seconds()
            if wait > 0:
                n = max(1, round(wait))
                raise WrongPassphrase(
                    f"Too many wrong passphrases for {record.name}; "
                    f"try again in {n} second{'' if n == 1 else 's'}."
                )
        return record

    def verify_passphrase(self, record: PanelistRecord, passphrase: str) -> tuple[bool, str | None]:
        """Argon2id only, no database: safe on any thread. Returns (matches, a fresh hash when
        the stored one was made with older parameters)."""
        try:
            self.hasher.verify(record.passphrase_hash, passphrase)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        if self.hasher.check_needs_rehash(record.passphrase_hash):
            return True, self.hasher.hash(passphrase)
        return True, None

    def finish_sign_in(
        self, record: PanelistRecord, verified: tuple[bool, str | None]
    ) -> PanelistRecord:
        """Record the outcome of ``verify_passphrase``: sign in, or count the failure."""
        matches, new_hash = verified
        reviewer_id = record.reviewer_id
        if not matches:
            failures = record.failed_attempts + 1
            retry = self.clock.now() + timedelta(seconds=wrong_passphrase_delay(failures))
            self.repo.set_failures(reviewer_id, failures, retry.isoformat())
            self.repo.append_audit(reviewer_id, "sign_in_failed", record.name, {"n": failures})
            raise WrongPassphrase(f"That is not {record.name}'s passphrase.")
        if record.failed_attempts:
            self.repo.set_failures(reviewer_id, 0, None)
        if new_hash is not None:
            self.repo.set_passphrase_hash(reviewer_id, new_hash)
        self.repo.append_audit(reviewer_id, "sign_in", record.name, {})
        self.current_id = reviewer_id
        self.idle.touch()
        return record

    def lock(self) -> None:
        """Hide everything until a panelist signs in again (idle, or switching panelist)."""
        if self.current_id is not None:
            self.repo.append_audit(self.current_id, "lock", "", {})
        self.current_id = None

    def touch(self) -> None:
        self.idle.touch()

    def lock_if_idle(self) -> bool:
        """Lock when the idle minutes have passed (the UI asks every few seconds)."""
        if self.current_id is not None and self.idle.is_idle():
            self.lock()
            return True
        return False

    # -- settings ------------------------------------------------------------------------------

    def idle_minutes(self) -> float:
        try:
            return float(self.repo.setting("idle_minutes", str(DEFAULT_IDLE_MINUTES)) or 0)
        except ValueError:
            return DEFAULT_IDLE_MINUTES

    def set_idle_minutes(self, actor_id: int, minutes: float) -> None:
        if minutes < 0:
            raise InvalidInputError("Idle minutes cannot be negative.")
        self.repo.set_setting("idle_minutes", f"{minutes:g}")
        self.idle.minutes = minutes
        self.repo.append_audit(actor_id, "setting", "idle_minutes", {"value": minutes})

    def blind_mode(self) -> bool:
        return self.repo.setting("blind_mode", "0") == "1"

    def set_blind_mode(self, actor_id: int, on: bool) -> None:
        self.repo.set_setting("blind_mode", "1" if on else "0")
        self.repo.append_audit(actor_id, "setting", "blind_mode", {"value": on})

    def audio_only(self, reviewer_id: int) -> bool:
        return ReviewerSettings(self.library).get(reviewer_id).audio_only

    def set_audio_only(self, reviewer_id: int, on: bool) -> None:
        ReviewerSettings(self.library).set_audio_only(reviewer_id, on)

    def _blind_secret(self) -> str:
        secret = self.repo.setting("blind_secret")
        if secret is None:
            secret = secrets.token_hex(16)
            self.repo.set_setting("blind_secret", secret)
        return secret

    # -- candidates, order ---------------------------------------------------------------------

    def questions(self, interview_pk: int) -> list[str]:
        definition = self.library.interviews.definition(interview_pk)
        if definition is not None:
            return [q.id for q in definition.kit.questions]
        seen: dict[str, None] = {}
        for c in self.repo.candidates(interview_pk):
            seen.update(dict.fromkeys(c.answers))
        return list(seen)

    def question_text(self, interview_pk: int, question_id: str) -> str:
        definition = self.library.interviews.definition(interview_pk)
        if definition is not None:
            for q in definition.kit.questions:
                if q.id == question_id:
                    return q.text
        return f"Question {question_id}"

    def candidates(self, interview_pk: int) -> list[CandidateView]:
        refs = self.repo.candidates(interview_pk)
        decisions = self.repo.decisions(interview_pk)
        codes = blind_codes([c.submission_id for c in refs], self._blind_secret())
        blind = self.blind_mode()
        return [
            self._view(c, codes[c.submission_id], decisions.get(c.submission_id), blind)
            for c in refs
        ]

    def hidden_codes(self) -> dict[int, str]:
        """Submission id -> code of every candidate blind mode hides now (none while it is
        off): what any view outside the panel's own windows shows instead of a name."""
        if not self.blind_mode():
            return {}
        return {
            c.submission_id: c.code
            for interview in self.library.interviews.all()
            for c in self.candidates(interview.id)
            if not c.revealed
        }

    @staticmethod
    def _view(
        c: CandidateRef, code: str, decision: DecisionRecord | None, blind: bool
    ) -> CandidateView:
        revealed = not blind or decision is not None  # names show once the panel has decided
        return CandidateView(
            c.submission_id,
            code,
            c.candidate_name if revealed else code,
            c.candidate_email if revealed else "",
            revealed,
            dict(c.answers),
            decision,
        )

    def order(self, reviewer_id: int, interview_pk: int, question_id: str = "") -> list[int]:
        """This panelist's stable, shuffled order of the interview's candidates."""
        seed = self._panelist(reviewer_id).order_seed
        ids = [c.submission_id for c in self.repo.candidates(interview_pk)]
        return shuffled_candidates(ids, seed, question_id)

    def question_queue(self, reviewer_id: int, interview_pk: int) -> list[Cell]:
        """Question by question: every candidate's answer to q1 (this panelist's order), then
        q2, ...; only cells that have an answer."""
        seed = self._panelist(reviewer_id).order_seed
        refs = {c.submission_id: c for c in self.repo.candidates(interview_pk)}
        queue = question_mode_queue(self.questions(interview_pk), refs, seed)
        return [(c, q) for c, q in queue if q in refs[c].answers]

    # -- scoring -------------------------------------------------------------------------------

    def _subject(self, answer_id: int) -> tuple[str, dict[str, Any]]:
        a = self.library.submissions.answer(answer_id)
        return f"submission {a.submission_id} / {a.question_id}", {"answer": answer_id}

    def save_score(
        self, reviewer_id: int, answer_id: int, score: int | None, note: str = ""
    ) -> ScoreRecord:
        """Save the panelist's draft (``score`` None: only a note so far)."""
        self._panelist(reviewer_id)
        previous = self.library.scores.current(answer_id, reviewer_id)
        record = self.library.scores.save_draft(answer_id, reviewer_id, score, note)
        changed = previous is None or previous.score != score
        if score is not None and changed:  # typing a note is not an audit event
            self.record_score(reviewer_id, answer_id, score)
        return record

    def my_score(self, reviewer_id: int, answer_id: int) -> ScoreRecord | None:
        return self.library.scores.current(answer_id, reviewer_id)

    def answer(self, answer_id: int) -> AnswerRecord:
        return self.library.submissions.answer(answer_id)

    def rubric(self, interview_pk: int, question_id: str) -> Rubric | None:
        definition = self.library.interviews.definition(interview_pk)
        return None if definition is None else definition.rubrics.get(question_id)

    def waveform(self, answer: AnswerRecord, buckets: int = 600) -> list[float]:
        """Peak levels of an audio or video answer (slow: call it off the GUI thread)."""
        from onetake_desktop.media.waveform import compute_waveform

        if answer.media_path is None:
            return []
        return compute_waveform(answer.media_path, buckets)

    def record_score(self, reviewer_id: int, answer_id: int, score: int | None) -> None:
        """Audit a draft score saved elsewhere (the reviewer window's rubric)."""
        subject, details = self._subject(answer_id)
        self.repo.append_audit(reviewer_id, "score", subject, {**details, "score": score})

    def correct_score(
        self, reviewer_id: int, answer_id: int, score: int, note: str, reason: str
    ) -> ScoreRecord:
        self._panelist(reviewer_id)
        record = self.library.scores.correct(answer_id, reviewer_id, score, note, reason)
        subject, details = self._subject(answer_id)
        self.repo.append_audit(
            reviewer_id,
            "correct",
            subject,
            {
                **details,
                "score": score,
                "reason": reason.strip(),
                "supersedes": record.supersedes_id,
            },
        )
        return record

    def _submit(self, reviewer_id: int, answer_ids: list[int], subject: str) -> int:
        self._panelist(reviewer_id)
        missing = []
        for a in answer_ids:
            current = self.library.scores.current(a, reviewer_id)
            if current is None or current.score is None:
                missing.append(a)
        if missing:
            names = ", ".join(self._subject(a)[0] for a in missing[:3])
            raise OneTakeError(f"Score every answer before submitting (missing: {names}).")
        done = self.repo.submit_answers(reviewer_id, answer_ids)
        self.repo.append_audit(reviewer_id, "submit", subject, {"answers": done})
        return len(done)

    def submit_candidate(self, reviewer_id: int, submission_id: int) -> int:
        answers = [a.id for a in self.library.submissions.answers(submission_id)]
        return self._submit(reviewer_id, answers, f"submission {submission_id}")

    def submit_question(self, reviewer_id: int, interview_pk: int, question_id: str) -> int:
        refs = self.repo.candidates(interview_pk)
        answers = answer_ids_for(refs, question_id)
        return self._submit(reviewer_id, answers, f"interview {interview_pk} / {question_id}")

    def visible_scores(self, viewer_id: int, interview_pk: int) -> list[VisibleScore]:
        """The viewer's own scores (drafts too) and the others' they may see."""
        return self.repo.visible_scores(viewer_id, interview_pk, own_drafts=True)

    # -- summary -------------------------------------------------------------------------------

    def view(self, viewer_id: int, interview_pk: int) -> PanelView:
        scores = self.repo.visible_scores(viewer_id, interview_pk, own_drafts=True)
        ratings: dict[Cell, dict[int, int]] = {}
        drafts: dict[Cell, int] = {}
        submitted: set[Cell] = set()
        names: dict[int, str] = {}
        for s in scores:
            cell = (s.submission_id, s.question_id)
            if s.score is None:
                continue  # a draft with only a note
            if s.status != "submitted":
                drafts[cell] = s.score  # only ever the viewer's own (storage rule)
                continue
            if s.reviewer_id == viewer_id:
                submitted.add(cell)
            ratings.setdefault(cell, {})[s.reviewer_id] = s.score
            names[s.reviewer_id] = s.reviewer_name
        return PanelView(
            viewer_id,
            self.questions(interview_pk),
            self.candidates(interview_pk),
            names,
            summarise(ratings),
            drafts,
            submitted,
        )

    # -- decisions -----------------------------------------------------------------------------

    def decide(
        self,
        reviewer_id: int,
        submission_id: int,
        decision: Decision,
        reason: str,
        feedback: str = "",
    ) -> DecisionRecord:
        """Record the panel's decision; the one recording it must have submitted their own
        scores for the candidate, so nobody decides before scoring independently."""
        self._panelist(reviewer_id)
        submission = self.library.submissions.get(submission_id)
        view = self.view(reviewer_id, submission.interview_pk)
        if not view.candidate_open(submission_id):
            raise OneTakeError(
                "Submit your own scores for this candidate before recording a decision."
            )
        record = self.repo.add_decision(submission_id, decision, reason, feedback, reviewer_id)
        self.repo.append_audit(
            reviewer_id,
            "decide",
            f"submission {submission_id}",
            {"decision": decision, "reason": record.reason, "supersedes": record.supersedes_id},
        )
        return record

    def decision_history(self, submission_id: int) -> list[DecisionRecord]:
        return self.repo.decision_history(submission_id)

    # -- export --------------------------------------------------------------------------------

    EXPORT_FIELDS: tuple[str, ...] = (
        "candidate_code",
        "candidate_name",
        "candidate_email",
        "question_id",
        "panelist",
        "score",
        "note",
        "submitted_at",
        "correction_reason",
        "decision",
        "decision_reason",
        "feedback",
    )

    def export_rows(self, viewer_id: int, interview_pk: int) -> list[dict[str, Any]]:
        """Submitted scores the viewer may see, and decisions; never a draft, not even the
        viewer's own. A candidate with no such score still gets one row for the decision."""
        self._panelist(viewer_id)
        scores = self.repo.visible_scores(viewer_id, interview_pk, own_drafts=False)
        by_candidate: dict[int, list[VisibleScore]] = {}
        for s in scores:
            by_candidate.setdefault(s.submission_id, []).append(s)
        rows: list[dict[str, Any]] = []
        for c in self.candidates(interview_pk):
            d = c.decision
            base = {
                "candidate_code": c.code,
                "candidate_name": c.name if c.revealed else "",
                "candidate_email": c.email,
                "decision": d.decision if d else "",
                "decision_reason": d.reason if d else "",
                "feedback": d.feedback if d else "",
            }
            empty = {
                "question_id": "",
                "panelist": "",
                "score": "",
                "note": "",
                "submitted_at": "",
                "correction_reason": "",
            }
            mine = by_candidate.get(c.submission_id, [])
            if not mine:
                rows.append({**base, **empty})
            for s in mine:
                rows.append(
                    {
                        **base,
                        "question_id": s.question_id,
                        "panelist": s.reviewer_name,
                        "score": s.score,
                        "note": s.note,
                        "submitted_at": s.created_at,
                        "correction_reason": s.reason or "",
                    }
                )
        return [{k: row[k] for k in self.EXPORT_FIELDS} for row in rows]

    def export(
        self, viewer_id: int, interview_pk: int, fmt: Literal["csv", "json"], out: Path
    ) -> int:
        """Write decisions, scores and feedback to ``out`` atomically; returns the row count."""
        rows = self.export_rows(viewer_id, interview_pk)
        envelope = {
            "format_version": 1,
            "exported_by": self._panelist(viewer_id).name,
            "exported_at": self.clock.now().isoformat(),
            "blind": self.blind_mode(),
        }
        data = export_bytes(fmt, self.EXPORT_FIELDS, rows, envelope, "rows")
        atomic_write_bytes(out, data)
        self.repo.append_audit(
            viewer_id, "export", str(out.name), {"format": fmt, "rows": len(rows)}
        )
        return len(rows)

    # -- audit ---------------------------------------------------------------------------------

    def audit_problem(self) -> AuditProblem | None:
        """Run at start-up: the first tampered audit row, or None."""
        return self.repo.verify_audit()

    def audit_entries(self) -> list[AuditEntry]:
        return self.repo.audit_entries()
