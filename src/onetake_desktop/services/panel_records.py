"""What the panel's services hand to windows and commands: a passphrase check's result,
audit lines, candidates as anyone may see them, and the panel summary as one viewer sees it.

Their own module, loaded with the first one made: a frozen dataclass or a named tuple costs
~2-4 M instructions to define on Python 3.11, and a lone reviewer's window opens without any
of these (issue 17). ``services.scoring`` and ``services.panel`` make them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from onetake_desktop.domain.conformance import Flag
    from onetake_desktop.domain.panel import Cell, PanelSummary, ScoreStats
    from onetake_desktop.storage.panel_records import DecisionRecord


@dataclass(frozen=True)
class Verified:
    """The slow half of a sign-in (Argon2id), computed on any thread."""

    matches: bool
    new_hash: str | None = None  # a fresh login hash when the stored one has old parameters
    key: bytes = field(repr=False, default=b"")
    salt: bytes = b""


@dataclass(frozen=True)
class AuditLine:
    """One audit row as one panelist may see it: others' score rows are left out until the
    viewer may see those scores anyway (a score value they cannot is "hidden")."""

    seq: int
    at: str
    actor: str  # the panelist's current name, "OneTake" for the app, or "panelist N"
    action: str
    subject: str
    details: dict[str, Any]


class CandidateView(NamedTuple):
    """One candidate as anyone may see them (name hidden behind a code in blind mode). A
    named tuple: every panel window makes one per candidate of the interview."""

    submission_id: int
    code: str
    name: str  # the code while blind
    email: str  # "" while blind
    revealed: bool
    answers: dict[str, int]  # question id -> answer id
    decision: DecisionRecord | None
    # The import checks' flags: facts about the file every reviewer sees beside the candidate.
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class PanelView:
    """The panel summary as one viewer may see it."""

    viewer_id: int
    questions: list[str]
    candidates: list[CandidateView]
    panelists: dict[int, str]  # id -> name, of everyone whose scores appear here
    summary: PanelSummary  # built from submitted scores the viewer may see
    own_drafts: dict[Cell, int]  # the viewer's unsubmitted scores, for their eyes only
    submitted_cells: Collection[Cell]  # cells the viewer has submitted (their summary is open)

    @cached_property
    def by_id(self) -> dict[int, CandidateView]:
        """Candidates by submission id (windows look one up per row: no linear search)."""
        return {c.submission_id: c for c in self.candidates}

    @cached_property
    def _open_questions(self) -> set[str]:
        waiting = {
            q
            for c in self.candidates
            for q in c.answers
            if (c.submission_id, q) not in self.submitted_cells
        }
        asked = {q for c in self.candidates for q in c.answers}
        return asked - waiting

    def candidate_open(self, submission_id: int) -> bool:
        c = self.by_id[submission_id]
        return bool(c.answers) and all(
            (submission_id, q) in self.submitted_cells for q in c.answers
        )

    def question_open(self, question_id: str) -> bool:
        return question_id in self._open_questions

    def stats(self, submission_id: int, question_id: str) -> ScoreStats | None:
        """None while the viewer has not submitted this answer."""
        cell = (submission_id, question_id)
        if cell not in self.submitted_cells:
            return None
        return self.summary.cells.get(cell)

    def disagreements(self) -> list[Cell]:
        """Open cells whose panelists are 2 or more points apart, sorted."""
        return [c for c in self.summary.disagreements() if c in self.submitted_cells]

    def alpha(self, question_id: str) -> float | None:
        return (
            self.summary.alpha_by_question.get(question_id)
            if self.question_open(question_id)
            else None
        )
