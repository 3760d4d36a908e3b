"""The employer's side of a kit: its rubrics and the interview definition (kit + rubrics).

Apart from domain/kit.py so that opening a kit for a candidate does not define these records
(issue 17: each frozen dataclass costs ~4 M instructions to define on Python 3.11, and a
candidate never sees a rubric). domain.kit still offers them by name: ``from
onetake_desktop.domain.kit import Rubric`` works as before and loads this module then. The
functions that read, write and check definitions stay in domain/kit.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onetake_desktop.domain.kit import KIT_FORMAT_VERSION, Kit

__all__ = ["InterviewDefinition", "Rubric", "RubricLevel"]


@dataclass(frozen=True)
class RubricLevel:
    """One anchored level of a rubric."""

    score: int  # 1..5
    anchor: str  # what an answer at this level shows (behavioural anchor)


@dataclass(frozen=True)
class Rubric:
    """How one question is scored: a competency and its five anchored levels."""

    competency: str
    levels: tuple[RubricLevel, ...]  # exactly five, scores 1..5 in order


@dataclass(frozen=True)
class InterviewDefinition:
    """The employer's side: the kit plus one rubric per question id."""

    kit: Kit
    rubrics: dict[str, Rubric] = field(default_factory=dict)
    format_version: int = KIT_FORMAT_VERSION
