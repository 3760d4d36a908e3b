"""Panel review on one shared laptop: agreement statistics, fair ordering, blind codes, audit.

Plain Python (numpy and the ``krippendorff`` package, no Qt, no I/O). The storage and service
layers feed it plain values: a rating is ``(candidate_id, question_id) -> {panelist_id: 1..5}``.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, overload

if TYPE_CHECKING:  # numpy is imported when a summary is made, not with the app
    import numpy as np
    from numpy.typing import NDArray

SCORE_MIN = 1
SCORE_MAX = 5
DISAGREEMENT_POINTS = 2  # panelists this far apart on one answer should talk about it

Decision = Literal["advance", "hold", "decline"]
DECISIONS: tuple[Decision, ...] = ("advance", "hold", "decline")

Cell = tuple[int, str]  # (candidate id, question id)
Ratings = Mapping[Cell, Mapping[int, int]]  # cell -> panelist id -> score


# --- agreement ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreStats:
    """The scores one answer received and how far apart they are."""

    scores: dict[int, int]  # panelist id -> score
    mean: float | None
    median: float | None
    spread: int | None  # highest minus lowest score

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_POINTS


def score_stats(scores: Mapping[int, int]) -> ScoreStats:
    # The same figures as statistics.fmean and .median (exact for whole numbers), without
    # their overhead: a large panel's summary computes this for tens of thousands of cells.
    values = sorted(scores.values())
    n = len(values)
    if not n:
        return ScoreStats({}, None, None, None)
    middle = n // 2
    median = values[middle] if n % 2 else (values[middle - 1] + values[middle]) / 2
    return ScoreStats(dict(scores), sum(values) / n, float(median), values[-1] - values[0])


def ordinal_alpha(ratings: Mapping[int, Mapping[int, int]]) -> float | None:
    """Krippendorff's alpha, ordinal level, for ``unit -> {panelist: score}``.

    Missing ratings are allowed. ``None`` when alpha is not defined: no unit has two ratings,
    or every rating has the same value (no expected disagreement to compare against).
    """
    import numpy as np

    raters = sorted({r for scores in ratings.values() for r in scores})
    column = {r: i for i, r in enumerate(raters)}
    units = sorted(ratings)
    matrix = np.full((len(units), len(raters)), np.nan, dtype=float)
    for j, unit in enumerate(units):
        for rater, score in ratings[unit].items():
            matrix[j, column[rater]] = score
    return _alpha(matrix)


def _alpha(matrix: NDArray[np.float64]) -> float | None:
    """:func:`ordinal_alpha` of ``units x raters`` (NaN where a rater gave no score)."""
    import krippendorff
    import numpy as np

    rated = ~np.isnan(matrix)
    raters = rated.any(axis=0)
    if int(raters.sum()) < 2 or not bool((rated.sum(axis=1) >= 2).any()):
        return None
    # How many raters gave each score to each unit (what the package would count itself,
    # after sorting every score to find the values: given here, the domain is known).
    domain = np.arange(SCORE_MIN, SCORE_MAX + 1, dtype=float)
    counts = (matrix[:, raters][:, :, None] == domain).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 when nobody varies: None
        value = float(
            krippendorff.alpha(
                value_counts=counts,
                level_of_measurement="ordinal",
                value_domain=domain,
            )
        )
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class Leniency:
    """A panelist's mean beside the panel's mean on the same answers (positive = lenient)."""

    panelist_id: int
    count: int
    own_mean: float
    panel_mean: float  # mean over the same answers of every panelist's mean score on them

    @property
    def difference(self) -> float:
        return self.own_mean - self.panel_mean


def leniency(ratings: Ratings) -> list[Leniency]:
    own_sum: dict[int, int] = defaultdict(int)
    panel: dict[int, list[float]] = defaultdict(list)
    for scores in ratings.values():
        if not scores:
            continue
        cell_mean = sum(scores.values()) / len(scores)  # whole numbers: exactly fmean
        for panelist, score in scores.items():
            own_sum[panelist] += score
            panel[panelist].append(cell_mean)
    # Whole-number sums are exact, so sum / n is fmean; the cell means need fsum (as fmean).
    return [
        Leniency(p, len(panel[p]), own_sum[p] / len(panel[p]), math.fsum(panel[p]) / len(panel[p]))
        for p in sorted(panel)
    ]


class CellColumns(Sequence[Cell]):
    """Cells kept as two columns (candidate ids, question ids) and made into tuples only when
    one is read: a large summary holds 30,000 of them, and every tuple kept alive is one more
    object for Python's cycle collector to walk."""

    def __init__(self, candidates: list[int], questions: list[str]) -> None:
        self.candidates = candidates
        self.questions = questions

    @overload
    def __getitem__(self, i: int) -> Cell: ...
    @overload
    def __getitem__(self, i: slice) -> list[Cell]: ...
    def __getitem__(self, i: int | slice) -> Cell | list[Cell]:
        if isinstance(i, slice):
            return list(zip(self.candidates[i], self.questions[i], strict=True))
        return (self.candidates[i], self.questions[i])

    def __iter__(self) -> Iterator[Cell]:
        return zip(self.candidates, self.questions, strict=True)

    def __len__(self) -> int:
        return len(self.candidates)


class ScoreCells(Mapping[Cell, ScoreStats]):
    """Cell -> :class:`ScoreStats`, computed for all cells at once in array operations and
    made into a record only when one is asked for: a panel of 10,000 candidates has 30,000
    cells and a window shows twenty of them at a time."""

    def __init__(
        self,
        cells: Sequence[Cell],
        raters: Sequence[int],
        scores: NDArray[np.float64],
        stats: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]],
    ) -> None:
        self._cells = cells
        self._raters = list(raters)
        self._scores = scores  # cells x raters, NaN where no score
        self._mean, self._median, self._spread = stats  # NaN / -1 where a cell has none
        self._made: dict[Cell, ScoreStats] = {}

    def __getitem__(self, cell: Cell) -> ScoreStats:
        made = self._made.get(cell)
        if made is None:
            i = self._rows[cell]
            row = self._scores[i].tolist()
            scores = {r: int(v) for r, v in zip(self._raters, row, strict=True) if v == v}
            if scores:
                made = ScoreStats(
                    scores,
                    float(self._mean[i]),
                    float(self._median[i]),
                    int(self._spread[i]),
                )
            else:
                made = ScoreStats({}, None, None, None)
            self._made[cell] = made
        return made

    def __contains__(self, cell: object) -> bool:
        return cell in self._rows  # without making the record

    @cached_property
    def _rows(self) -> dict[Cell, int]:
        return {cell: i for i, cell in enumerate(self._cells)}

    def __iter__(self) -> Iterator[Cell]:
        return iter(self._cells)

    def __len__(self) -> int:
        return len(self._cells)

    def mean_of(self, cells: Iterable[Cell]) -> float | None:
        """The mean of these cells' means (``math.fsum``, as statistics.fmean); None when
        none of them has a score."""
        rows = self._rows
        means = [float(self._mean[rows[c]]) for c in cells if c in rows]
        means = [m for m in means if m == m]  # NaN: a cell without a score
        return math.fsum(means) / len(means) if means else None

    def flagged(self) -> list[Cell]:
        """Cells whose panelists are DISAGREEMENT_POINTS or more apart, sorted."""
        import numpy as np

        cells = self._cells
        return sorted(
            cells[i] for i in np.flatnonzero(self._spread >= DISAGREEMENT_POINTS).tolist()
        )

    def counts(self, question_id: str = "") -> dict[int, list[int]]:
        """Rater id -> how many of each score SCORE_MIN..SCORE_MAX they gave (on one
        question, or all); only raters with a score there."""
        import numpy as np

        scores = self._scores
        if question_id:
            rows = [i for i, (_, q) in enumerate(self._cells) if q == question_id]
            scores = scores[rows]
        out: dict[int, list[int]] = {}
        for j, rater in enumerate(self._raters):
            column = scores[:, j]
            given = column[~np.isnan(column)].astype(np.int64) - SCORE_MIN
            if given.size:
                counts = np.bincount(given, minlength=SCORE_MAX - SCORE_MIN + 1)
                out[rater] = [int(n) for n in counts]
        return out


class CandidateMeans(Mapping[int, float | None]):
    """Candidate id -> the mean of their answers' means, worked out when asked for (a window
    shows the rows in view; the decisions list asks for every one)."""

    def __init__(self, cells: ScoreCells, candidates: Sequence[int], questions: Sequence[str]):
        self._cells = cells
        self._candidates = candidates  # sorted, each once
        self._questions = questions
        self._known: set[int] | None = None

    def __getitem__(self, candidate: int) -> float | None:
        if self._known is None:
            self._known = set(self._candidates)
        if candidate not in self._known:
            raise KeyError(candidate)
        return self._cells.mean_of((candidate, q) for q in self._questions)

    def __iter__(self) -> Iterator[int]:
        return iter(self._candidates)

    def __len__(self) -> int:
        return len(self._candidates)


@dataclass(frozen=True)
class PanelSummary:
    cells: ScoreCells
    alpha_by_question: dict[str, float | None]
    candidate_means: Mapping[int, float | None]  # mean of the answer means
    leniency: list[Leniency]

    def disagreements(self) -> list[Cell]:
        return self.cells.flagged()


def summarise(ratings: Ratings) -> PanelSummary:
    raters = sorted({r for scores in ratings.values() for r in scores})
    cells = list(ratings)
    rows = [[ratings[cell].get(r) for r in raters] for cell in cells]
    return summarise_grid(cells, raters, rows)


def summarise_grid(
    cells: Sequence[Cell],
    raters: Sequence[int],
    rows: Sequence[Sequence[int | None]] | Sequence[int | None],
) -> PanelSummary:
    """:func:`summarise` of a grid: one row per cell, one score (or None) per rater (the rows
    nested, or one after another in a flat list).

    The same figures as :func:`score_stats`, :func:`ordinal_alpha` and :func:`leniency` on the
    same ratings (whole-number sums are exact, so each division gives the same float; means
    of means use ``math.fsum`` as before), computed column-wise rather than one record per
    cell: what keeps a 10,000-candidate summary in a fraction of a second.
    """
    import numpy as np

    n = len(cells)
    order = sorted(range(len(raters)), key=lambda j: raters[j])
    raters = [raters[j] for j in order]
    matrix = np.array(rows, dtype=float).reshape(n, len(order))[:, order]
    rated = ~np.isnan(matrix)
    count = rated.sum(axis=1)
    total = np.where(rated, matrix, 0.0).sum(axis=1)
    # Each row sorted, NaN last (one NaN column when there are no raters at all).
    ordered = np.sort(matrix if len(order) else np.full((n, 1), np.nan), axis=1)
    some = count > 0
    last = np.maximum(count - 1, 0)[:, None]
    middle = (count // 2)[:, None]
    highs = np.take_along_axis(ordered, last, axis=1)[:, 0]
    upper = np.take_along_axis(ordered, np.minimum(middle, last), axis=1)[:, 0]
    lower = np.take_along_axis(ordered, np.maximum(middle - 1, 0), axis=1)[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(some, total / np.maximum(count, 1), np.nan)
        medians = np.where(some, np.where(count % 2 == 1, upper, (lower + upper) / 2), np.nan)
        spreads = np.where(some, highs - ordered[:, 0], -1).astype(np.int64)
    score_cells = ScoreCells(cells, raters, matrix, (means, medians, spreads))

    if isinstance(cells, CellColumns):
        candidate = np.array(cells.candidates, dtype=np.int64)
        question_of = cells.questions
    else:
        candidate = np.fromiter((c for c, _ in cells), dtype=np.int64, count=n)
        question_of = [q for _, q in cells]
    questions = sorted(set(question_of))
    position = {q: i for i, q in enumerate(questions)}
    asked = np.fromiter((position[q] for q in question_of), dtype=np.int64, count=n)
    alphas: dict[str, float | None] = {}
    for i, question in enumerate(questions):
        rows_of = np.flatnonzero(asked == i)
        # Units in candidate order, as ordinal_alpha has them.
        rows_of = rows_of[np.argsort(candidate[rows_of], kind="stable")]
        alphas[question] = _alpha(matrix[rows_of])
    lenient: list[Leniency] = []
    for j, rater in enumerate(raters):
        mine = rated[:, j]
        k = int(mine.sum())
        if k:
            own = float(matrix[mine, j].sum())  # whole numbers: exact, as the int sum
            lenient.append(Leniency(rater, k, own / k, math.fsum(means[mine].tolist()) / k))
    return PanelSummary(
        score_cells,
        alphas,
        CandidateMeans(score_cells, np.unique(candidate).tolist(), questions),
        lenient,
    )


# --- fair ordering --------------------------------------------------------------------------


def shuffled_candidates(
    candidate_ids: Iterable[int], seed: int, question_id: str = ""
) -> list[int]:
    """Candidates in this panelist's order for one question.

    Stable for a stored seed (a str seed to ``random.Random`` is hashed with SHA-512, so it is
    the same in every process), different per question so no candidate is always first.
    """
    order = sorted(set(candidate_ids))
    random.Random(f"onetake-order:{seed}:{question_id}").shuffle(order)
    return order


def question_mode_queue(
    question_ids: Sequence[str], candidate_ids: Iterable[int], seed: int
) -> list[Cell]:
    """Question 1 for every candidate, then question 2, ... in this panelist's order."""
    candidates = list(candidate_ids)
    return [(c, q) for q in question_ids for c in shuffled_candidates(candidates, seed, q)]


# --- blind review ---------------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to say aloud


def blind_codes(candidate_ids: Iterable[int], secret: str, length: int = 4) -> dict[int, str]:
    """A short code per candidate, keyed by a per-library secret so it reveals nothing.

    On a collision the later candidate (higher id) gets a longer code, so codes already in use
    never change when more candidates are imported.
    """
    # hashlib and hmac load with the first code or audit row hashed: a lone reviewer's window
    # opens without them (issue 17).
    import hmac

    codes: dict[int, str] = {}
    used: set[str] = set()
    key = secret.encode()
    base = len(_CODE_ALPHABET)
    for cid in sorted(set(candidate_ids)):
        n = int.from_bytes(hmac.digest(key, str(cid).encode(), "sha256"), "big")
        # The digest's base-30 digits, least significant first, as many as the code needs
        # (all 52 of them for every candidate made a large panel's summary slow).
        chars: list[str] = []
        size = length
        while True:
            while len(chars) < size and n:
                n, r = divmod(n, base)
                chars.append(_CODE_ALPHABET[r])
            code = "C-" + "".join(chars[:size])
            if code not in used:
                break
            size += 1
        used.add(code)
        codes[cid] = code
    return codes


# --- panelists --------------------------------------------------------------------------------


def wrong_passphrase_delay(failures: int) -> float:
    """Seconds to wait before the next try after ``failures`` wrong passphrases in a row."""
    if failures <= 0:
        return 0.0
    return float(min(2 ** (failures - 1), 60))


# --- audit log --------------------------------------------------------------------------------

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int  # 1, 2, 3, ... with no gaps
    at: str  # ISO 8601 UTC
    actor_id: int | None  # the panelist, None for the app itself
    action: str  # "score", "submit", "correct", "export", "decide", ...
    subject: str  # what it was about, e.g. "candidate 3 / q2"
    details: str  # canonical JSON
    prev_hash: str
    row_hash: str


def canonical_details(details: Mapping[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# json.dumps(..., ensure_ascii=False, separators=(",", ":")) byte for byte, without making an
# encoder per call: the chain is checked row by row at every start (tens of thousands).
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def audit_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor_id: int | None,
    action: str,
    subject: str,
    details: str,
) -> str:
    import hashlib

    content = _ENCODE([prev_hash, seq, at, actor_id, action, subject, details])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def chain_entry(
    prev: AuditEntry | None,
    at: str,
    actor_id: int | None,
    action: str,
    subject: str,
    details: Mapping[str, Any],
) -> AuditEntry:
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS_HASH if prev is None else prev.row_hash
    text = canonical_details(details)
    return AuditEntry(
        seq,
        at,
        actor_id,
        action,
        subject,
        text,
        prev_hash,
        audit_hash(prev_hash, seq, at, actor_id, action, subject, text),
    )


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    sentence: str


def verify_chain(entries: Iterable[AuditEntry]) -> AuditProblem | None:
    """The first row that was edited, removed or reordered; None when the chain holds.

    Each row's hash covers its content and the previous row's hash, so changing any row breaks
    that row's hash, and removing or reordering rows breaks the link or the numbering.
    """
    return verify_chain_rows(
        (e.seq, e.at, e.actor_id, e.action, e.subject, e.details, e.prev_hash, e.row_hash)
        for e in entries
    )


AuditRow = tuple[int, str, int | None, str, str, str, str, str]  # AuditEntry's fields, in order


def verify_chain_rows(rows: Iterable[AuditRow]) -> AuditProblem | None:
    """:func:`verify_chain` of the rows as stored (``seq, at, actor_id, action, subject,
    details, prev_hash, row_hash``), without a record per row: the same checks, in the same
    order, on every row."""
    import hashlib

    expected_seq = 1
    prev_hash = GENESIS_HASH
    sha256 = hashlib.sha256
    for seq, at, actor_id, action, subject, details, prev, row_hash in rows:
        if seq != expected_seq:
            return AuditProblem(seq, f"Audit log row {expected_seq} is missing.")
        if prev != prev_hash:
            return AuditProblem(seq, f"Audit log row {seq} does not follow the row before it.")
        # audit_hash, inline (the same bytes): this loop runs over the whole log.
        content = _ENCODE([prev, seq, at, actor_id, action, subject, details])
        if sha256(content.encode("utf-8")).hexdigest() != row_hash:
            return AuditProblem(seq, f"Audit log row {seq} was changed after it was written.")
        prev_hash = row_hash
        expected_seq += 1
    return None
