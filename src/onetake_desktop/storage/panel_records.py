"""The records the panel's repository returns: panelists, visible scores, current
recommendations, score grids, decisions and candidates.

Their own module, loaded with the first record made: a frozen dataclass or a named tuple costs
~2-4 M instructions to define on Python 3.11, and a lone reviewer's window opens without any
of these (issue 17). ``storage.panel`` makes them; others import them from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from onetake_desktop.domain.panel import Decision


@dataclass(frozen=True)
class PanelistRecord:
    """A panelist's sign-in record: login hash, order seed, failed tries, key."""

    reviewer_id: int
    name: str
    passphrase_hash: str
    order_seed: int
    failed_attempts: int
    retry_after: str | None  # ISO 8601 UTC; no passphrase is checked before then
    key_record: str | None = None  # JSON: salt and signed-row count, MAC'd (never the key)
    is_chair: bool = False


class VisibleScore(NamedTuple):
    """A current score (a panelist's latest row on an answer) the viewer may see.

    A named tuple rather than a dataclass: a large panel has 90,000 of them, made straight
    from the rows SQLite returns."""

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


class CurrentRecommendation(NamedTuple):
    """A reviewer's current recommendation on a candidate (the fields of
    ``RecommendationRecord`` an export shows), one per row SQLite returns."""

    submission_id: int
    reviewer_id: int
    value: str
    note: str
    status: str
    created_at: str


@dataclass(frozen=True)
class VisibleGrid:
    """The scores a viewer may see on an interview, one row per answer (by submission id,
    then position): ``(submission id, question id, answer id, own, score per reviewer...)``.
    ``own`` is 1 when the viewer's current score on the answer is submitted, 0 for their
    draft, None when they have none; then one score (or None: none, or not to be seen) per
    reviewer of ``reviewers``, the viewer first. What summaries count, without a record per
    score.

    ``rows`` is read once, as SQLite returns them: a summary keeps what it counts, not 30,000
    row tuples (each one more object for Python's cycle collector to walk)."""

    reviewers: list[int]
    rows: Iterator[tuple[Any, ...]]


@dataclass(frozen=True)
class DecisionRecord:
    """One version of the panel's decision on a candidate, with its reason."""

    id: int
    submission_id: int
    decision: Decision
    reason: str
    feedback: str
    reviewer_id: int
    created_at: str
    supersedes_id: int | None


class CandidateRef(NamedTuple):
    """A submission of the interview with its answers' question ids (no scores). A named
    tuple: every panel window makes one per candidate."""

    submission_id: int
    candidate_name: str
    candidate_email: str
    answers: dict[str, int]  # question id -> answer id
