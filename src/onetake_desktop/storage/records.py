"""The library's records other than the reviewers and interviews a window starts with:
submissions, answers, scores, notes, recommendations, list entries and new answers.

Frozen dataclasses, each ~4 M instructions to define on Python 3.11: they load with the first
of them made (issue 17: a reviewer window's first frame makes none of them).
``storage.library`` re-exports them by name; its repositories import this module once per
call that returns records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from onetake_desktop.storage.library import candidate_status

if TYPE_CHECKING:
    from onetake_desktop.domain.conformance import Flag
    from onetake_desktop.storage.library import AnswerStatus, Recommendation, ScoreStatus

__all__ = [
    "AnswerRecord",
    "CandidateEntry",
    "NewAnswer",
    "RecommendationRecord",
    "ScoreRecord",
    "SubmissionRecord",
    "TimestampedNote",
]


@dataclass(frozen=True)
class SubmissionRecord:
    """One imported bundle: a candidate's sealed answers to one interview."""

    id: int
    interview_pk: int
    bundle_sha256: str
    kit_content_hash: str
    candidate_name: str
    candidate_email: str
    sealed_at: str
    imported_at: str
    folder: Path  # absolute
    time_multiplier: float
    accommodations: tuple[str, ...]
    # The interview's rules this bundle broke, found on import (domain/conformance.py).
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class AnswerRecord:
    """One answer of a submission, as stored on import."""

    id: int
    submission_id: int
    position: int
    question_id: str
    answer_type: str
    media_path: Path | None  # absolute
    text: str | None
    think_seconds_used: float
    answer_seconds: float
    media_duration_seconds: float | None
    takes_used: int
    submitted_take: int


@dataclass(frozen=True)
class ScoreRecord:
    """One version of a reviewer's score of one answer (a correction supersedes it)."""

    id: int
    answer_id: int
    reviewer_id: int
    score: int | None  # None: a draft that holds only a note so far
    note: str
    status: ScoreStatus
    created_at: str
    supersedes_id: int | None
    reason: str | None


@dataclass(frozen=True)
class TimestampedNote:
    """A reviewer's note at a moment of an answer's recording."""

    id: int
    answer_id: int
    reviewer_id: int
    position_ms: int
    text: str
    created_at: str


@dataclass(frozen=True)
class RecommendationRecord:
    """A reviewer's overall recommendation on one candidate."""

    id: int
    submission_id: int
    reviewer_id: int
    value: Recommendation
    note: str
    status: ScoreStatus
    created_at: str


@dataclass(frozen=True)
class CandidateEntry:
    """One line of the library for one viewing reviewer."""

    submission_id: int
    interview_pk: int
    interview_title: str
    candidate_name: str
    candidate_email: str
    imported_at: str
    sealed_at: str
    answers: int
    with_score: int  # answers this reviewer gave a score (draft or submitted)
    submitted: int  # answers with this reviewer's submitted score
    has_definition: bool

    @property
    def status(self) -> AnswerStatus:
        return candidate_status(self.answers, self.with_score, self.submitted)


@dataclass(frozen=True)
class NewAnswer:
    """What an import stores for one answer (paths relative to the submission folder)."""

    question_id: str
    answer_type: str
    media_name: str | None
    text: str | None
    think_seconds_used: float
    answer_seconds: float
    media_duration_seconds: float | None
    takes_used: int
    submitted_take: int
