"""The interview kit (employer -> candidate) and the full interview definition (with rubric).

A kit is what candidates get: no rubric. The interview definition is the kit plus a rubric per
question; it stays with the employer's reviewers. Both are versioned with ``format_version``.
Parsing, validation with field paths and the content hash live here too (no I/O, no Qt).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

KIT_FORMAT_VERSION = 1
AnswerType = Literal["video", "audio", "text"]
ANSWER_TYPES: tuple[AnswerType, ...] = ("video", "audio", "text")


@dataclass(frozen=True)
class Accommodation:
    """Something the candidate may turn on, e.g. extra time x1.5."""

    id: str
    label: str
    time_multiplier: float = 1.0


@dataclass(frozen=True)
class PracticeQuestion:
    """Unscored warm-up; its takes are never saved into the bundle."""

    text: str
    context: str = ""
    think_seconds: int = 15
    answer_max_seconds: int = 30


@dataclass(frozen=True)
class Question:
    id: str  # stable, file-name safe: "q1", "q2", ...
    text: str
    context: str  # "why we ask this"
    think_seconds: int
    answer_min_seconds: int
    answer_max_seconds: int
    retakes_allowed: int  # re-records after the first take (0 = one take only)
    answer_type: AnswerType | None = None  # None: the kit's default_answer_type
    text_max_chars: int = 3000  # for text answers


@dataclass(frozen=True)
class Kit:
    """What a candidate opens. ``content_hash`` identifies this exact content."""

    interview_id: str
    version: str
    organisation: str
    role_title: str
    welcome: str
    instructions: str
    privacy_notice: str
    retention_days: int
    default_answer_type: AnswerType
    questions: tuple[Question, ...]
    deadline: datetime | None = None  # timezone-aware
    practice: PracticeQuestion | None = None
    accommodations: tuple[Accommodation, ...] = ()
    next_steps: str = ""  # what happens after they send the bundle
    contact: str = ""  # whom to ask for help
    format_version: int = KIT_FORMAT_VERSION

    def answer_type_of(self, question: Question) -> AnswerType:
        return question.answer_type or self.default_answer_type


@dataclass(frozen=True)
class RubricLevel:
    score: int  # 1..5
    anchor: str  # what an answer at this level shows (behavioural anchor)


@dataclass(frozen=True)
class Rubric:
    competency: str
    levels: tuple[RubricLevel, ...]  # exactly five, scores 1..5 in order


@dataclass(frozen=True)
class InterviewDefinition:
    """The employer's side: the kit plus one rubric per question id."""

    kit: Kit
    rubrics: dict[str, Rubric] = field(default_factory=dict)
    format_version: int = KIT_FORMAT_VERSION
