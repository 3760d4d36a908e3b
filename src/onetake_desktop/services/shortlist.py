"""The shortlist of one interview: its candidates ranked, with a decision and reason each.

A use case on top of :class:`~onetake_desktop.services.scoring.ScoringService` and nothing
else: every score, recommendation and decision it shows comes from the scoring service's
readers, so the visibility rule holds here too (a panelist sees another panelist's scores only
on answers both have submitted, and a mean only once they have submitted the whole candidate;
a lone reviewer sees their own submitted work). Decisions go through ``ScoringService.decide``
(the panel's rules, or a lone reviewer's own decision), and exports through its writer (CSV
with a byte-order mark, or JSON, audited for panelists).

Ranking: by mean (default), median, recommendation or flags; each key falls back on the
others, then the name, so the order is stable. A candidate with no score to show goes last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from onetake_desktop.domain.conformance import Flag
from onetake_desktop.domain.panel import Decision
from onetake_desktop.domain.search import fold
from onetake_desktop.services.scoring import Actor, ScoringService
from onetake_desktop.storage.library import RECOMMENDATION_LABELS, InterviewRecord
from onetake_desktop.storage.panel_records import DecisionRecord

SortKey = Literal["mean", "median", "recommendation", "flags"]
SORT_KEYS: tuple[SortKey, ...] = ("mean", "median", "recommendation", "flags")
SORT_LABELS: dict[str, str] = {
    "mean": "Mean score",
    "median": "Median score",
    "recommendation": "Recommendation",
    "flags": "Fewest flags",
}
# Recommendations as numbers for ranking (and for a panel's mean recommendation).
REC_VALUE: dict[str, int] = {"strong_no": 1, "no": 2, "yes": 3, "strong_yes": 4}

__all__ = [
    "SHORTLIST_FIELDS",
    "SORT_KEYS",
    "SORT_LABELS",
    "ShortlistRow",
    "ShortlistService",
    "SortKey",
]


@dataclass(frozen=True)
class ShortlistRow:
    """One candidate as this actor may see them, ranked."""

    rank: int
    submission_id: int
    code: str
    name: str  # the blind code while the panel keeps the name hidden
    email: str  # "" while hidden
    revealed: bool
    answers: int
    scores_seen: int  # submitted scores behind the mean (the actor's and those they may see)
    mean: float | None
    median: float | None
    recommendation: float | None  # 1 strong no .. 4 strong yes, mean of the visible ones
    recommendations: tuple[str, ...]  # the visible recommendations (values)
    flags: tuple[Flag, ...]
    decision: DecisionRecord | None
    scores: tuple[tuple[str, str, int], ...]  # (question id, reviewer, score) behind the mean

    @property
    def recommendation_text(self) -> str:
        if not self.recommendations:
            return ""
        return ", ".join(RECOMMENDATION_LABELS.get(r, r) for r in self.recommendations)


SHORTLIST_FIELDS: tuple[str, ...] = (
    "rank",
    "interview_id",
    "interview_version",
    "role_title",
    "candidate_code",
    "candidate_name",
    "candidate_email",
    "answers",
    "scores_seen",
    "mean_score",
    "median_score",
    "recommendation",
    "recommendation_score",
    "flags",
    "scores",
    "decision",
    "decision_reason",
    "feedback",
    "decided_at",
    "decided_by",
)


def _sort_value(
    scores_seen: int,
    mean: float | None,
    median: float | None,
    rec: float | None,
    flags: int,
    key: SortKey,
    name: str,
) -> tuple[float | str, ...]:
    """Smaller sorts first: high means, high recommendations, few flags; then the name."""
    inf = float("inf")
    m = -mean if mean is not None else inf
    md = -median if median is not None else inf
    r = -rec if rec is not None else inf
    f = float(flags)
    if key == "mean":
        order = (m, md, r, f)
    elif key == "median":
        order = (md, m, r, f)
    elif key == "recommendation":
        order = (r, m, md, f)
    else:
        order = (f, m, md, r)
    return (0.0 if scores_seen else 1.0, *order, fold(name))  # nothing to show: last


class ShortlistService:
    """The shortlist use case; ``scoring`` is the library's one ScoringService."""

    def __init__(self, scoring: ScoringService) -> None:
        self.scoring = scoring

    def rows(
        self, actor: Actor, *, interview_pk: int, sort: SortKey = "mean"
    ) -> list[ShortlistRow]:
        """The interview's candidates, ranked by ``sort`` as this actor may see them."""
        if sort not in SORT_KEYS:
            raise ValueError(f"sort by one of {', '.join(SORT_KEYS)}")
        scoring = self.scoring
        # The scores the actor may see, as the summary reads them (the rule's one-row-per-
        # answer grid; no drafts, not even the actor's own): per candidate, how many answers
        # the actor submitted and (question, reviewer, score) of every score seen.
        grid = scoring.visible_grid(actor, interview_pk=interview_pk, own_drafts=False)
        names = {r.id: r.name for r in scoring.library.reviewers.all()}
        reviewers = [names[r] for r in grid.reviewers]
        seen: dict[int, list[tuple[str, str, int]]] = {}
        own_submitted: dict[int, int] = {}
        answers: dict[int, dict[str, int]] = {}  # every answer, in position order
        for sid, question_id, answer_id, own, *scores in grid.rows:
            listed = answers.get(sid)
            if listed is None:
                listed = answers[sid] = {}
            listed[question_id] = answer_id
            if own:
                own_submitted[sid] = own_submitted.get(sid, 0) + 1
            shown = [(question_id, reviewers[j], v) for j, v in enumerate(scores) if v is not None]
            if shown:
                if sid in seen:
                    seen[sid] += shown
                else:
                    seen[sid] = shown
        # Once the grid is read (the first call may write the blind-code secret).
        candidates = scoring.candidates(interview_pk=interview_pk, answers=answers)
        recommendations = scoring.visible_recommendations(actor, interview_pk=interview_pk)
        # Each candidate's fields (all but the rank) and sort key; the rows are made once
        # ranked (10,000 candidates: no second record per row to set its rank).
        unranked: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
        for c in candidates:
            done = bool(c.answers) and own_submitted.get(c.submission_id, 0) == len(c.answers)
            # A panelist sees figures about a candidate once they have submitted all of them
            # (the policy already hides others' scores until then; this hides a partial mean).
            visible = done or not actor.panelist
            scores = sorted(seen.get(c.submission_id, ())) if visible else []
            values = sorted(v for _, _, v in scores)
            n = len(values)
            # statistics.fmean and .median of whole numbers, without their overhead: the
            # integer sum is exact, so sum / n is fmean's float; the median is the middle
            # value, or the mean of the two middle ones.
            mean = round(sum(values) / n, 3) if n else None
            median = (
                float(values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2)
                if n
                else None
            )
            recs = (
                [value for _, value in recommendations.get(c.submission_id, [])] if visible else []
            )
            rec = round(sum(REC_VALUE[r] for r in recs) / len(recs), 3) if recs else None
            fields = (
                c.submission_id,
                c.code,
                c.name,
                c.email,
                c.revealed,
                len(c.answers),
                n,
                mean,
                median,
                rec,
                tuple(recs),
                c.flags,
                c.decision,
                tuple(scores),
            )
            unranked.append((_sort_value(n, mean, median, rec, len(c.flags), sort, c.name), fields))
        unranked.sort(key=lambda r: r[0])
        return [ShortlistRow(i, *fields) for i, (_, fields) in enumerate(unranked, start=1)]

    def interviews(self) -> list[InterviewRecord]:
        """Interviews that have candidates (what a shortlist can be made of)."""
        counts = self.scoring.repo.candidate_counts()
        return [i for i in self.scoring.library.interviews.all() if counts.get(i.id)]

    def decision_refusal(self, actor: Actor, *, submission_id: int) -> str | None:
        """Why this actor may not decide on this candidate now (None: they may)."""
        return self.scoring.decision_refusal(actor, submission_id=submission_id)

    def decide(
        self,
        actor: Actor,
        *,
        submission_id: int,
        decision: Decision,
        reason: str,
        feedback: str = "",
    ) -> DecisionRecord:
        """Record a decision with its reason (the policy says who may, and audits it)."""
        return self.scoring.decide(
            actor, submission_id=submission_id, decision=decision, reason=reason, feedback=feedback
        )

    def export_rows(
        self, actor: Actor, *, interview_pk: int, sort: SortKey = "mean"
    ) -> list[dict[str, Any]]:
        interview = self.scoring.library.interviews.get(interview_pk)
        names = {r.id: r.name for r in self.scoring.library.reviewers.all()}
        out: list[dict[str, Any]] = []
        for r in self.rows(actor, interview_pk=interview_pk, sort=sort):
            d = r.decision
            out.append(
                {
                    "rank": r.rank,
                    "interview_id": interview.interview_id,
                    "interview_version": interview.version,
                    "role_title": interview.role_title,
                    "candidate_code": r.code,
                    "candidate_name": r.name if r.revealed else "",
                    "candidate_email": r.email,
                    "answers": r.answers,
                    "scores_seen": r.scores_seen,
                    "mean_score": "" if r.mean is None else r.mean,
                    "median_score": "" if r.median is None else r.median,
                    "recommendation": r.recommendation_text,
                    "recommendation_score": "" if r.recommendation is None else r.recommendation,
                    "flags": "; ".join(f"{f.code}: {f.message}" for f in r.flags),
                    "scores": [
                        {"question_id": q, "reviewer": who, "score": v} for q, who, v in r.scores
                    ],
                    "decision": d.decision if d else "",
                    "decision_reason": d.reason if d else "",
                    "feedback": d.feedback if d else "",
                    "decided_at": d.created_at if d else "",
                    "decided_by": names.get(d.reviewer_id, "") if d else "",
                }
            )
        return out

    def export(
        self, actor: Actor, *, interview_pk: int, fmt: str, out: Path, sort: SortKey = "mean"
    ) -> int:
        """The ranked shortlist with its scores, through the scoring service's writer."""
        rows = self.export_rows(actor, interview_pk=interview_pk, sort=sort)
        return self.scoring.write_export(
            actor,
            kind="shortlist",
            key="candidates",
            rows=rows,
            fields=SHORTLIST_FIELDS,
            fmt=fmt,
            out=out,
        )


def shortlist_sequence(rows: Sequence[ShortlistRow]) -> list[str]:
    """Names in rank order (scripts and tests)."""
    return [r.name for r in rows]
