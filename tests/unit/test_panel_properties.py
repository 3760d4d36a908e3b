"""Properties of the panel's audit chain and fair order, over many generated cases."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from onetake_desktop.domain.panel import (
    AuditEntry,
    chain_entry,
    leniency,
    ordinal_alpha,
    score_stats,
    shuffled_candidates,
    summarise,
    verify_chain,
)

details = st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=8), max_size=3)
rows = st.lists(
    st.tuples(
        st.sampled_from(["score", "submit", "export", "decide"]), st.text(max_size=12), details
    ),
    min_size=1,
    max_size=12,
)


def build(spec: list[tuple[str, str, dict[str, object]]]) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = None
    for i, (action, subject, d) in enumerate(spec):
        prev = chain_entry(prev, f"2026-11-23T10:{i:02d}:00Z", i % 3 or None, action, subject, d)
        entries.append(prev)
    return entries


@settings(max_examples=200, deadline=None)
@given(rows, st.data())
def test_any_change_to_any_field_of_any_row_is_found_at_that_row(
    spec: list[tuple[str, str, dict[str, object]]], data: st.DataObject
) -> None:
    entries = build(spec)
    assert verify_chain(entries) is None
    i = data.draw(st.integers(0, len(entries) - 1))
    field = data.draw(st.sampled_from(["at", "actor_id", "action", "subject", "details"]))
    old = getattr(entries[i], field)
    new = data.draw(
        st.integers(1000, 2000) if field == "actor_id" else st.text(min_size=1, max_size=10)
    )
    if new == old:
        return
    tampered = list(entries)
    changes: dict[str, Any] = {field: new}
    tampered[i] = dataclasses.replace(entries[i], **changes)
    problem = verify_chain(tampered)
    assert problem is not None and problem.seq == i + 1


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.integers(1, 10_000), min_size=1, max_size=30),
    st.integers(0, 2**62),
    st.text(max_size=4),
)
def test_order_is_a_stable_permutation(ids: set[int], seed: int, question: str) -> None:
    order = shuffled_candidates(ids, seed, question)
    assert sorted(order) == sorted(ids)
    assert order == shuffled_candidates(sorted(ids, reverse=True), seed, question)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(1, 5), min_size=2, max_size=2), min_size=2, max_size=8))
def test_alpha_is_one_when_everyone_agrees_and_varies(units: list[list[int]]) -> None:
    ratings = {u: {1: a, 2: a} for u, (a, _) in enumerate(units)}
    alpha = ordinal_alpha(ratings)
    if len({a for a, _ in units}) > 1:
        assert alpha == 1.0
    else:
        assert alpha is None  # no variation: alpha is not defined


cells_strategy = st.dictionaries(
    st.tuples(st.integers(1, 12), st.sampled_from(["q1", "q2", "q3"])),
    st.dictionaries(st.integers(1, 5), st.integers(1, 5), max_size=5),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(cells_strategy)
def test_the_column_wise_summary_gives_the_per_cell_figures(
    ratings: dict[tuple[int, str], dict[int, int]],
) -> None:
    """summarise() works on columns of numbers (issue 17); every figure must be the one the
    per-cell definitions give: score_stats, leniency, ordinal_alpha and the mean of the
    answer means (math.fsum, as statistics.fmean)."""
    summary = summarise(ratings)
    assert dict(summary.cells) == {cell: score_stats(s) for cell, s in ratings.items()}
    assert summary.leniency == leniency(ratings)
    assert summary.disagreements() == sorted(
        cell for cell, s in ratings.items() if score_stats(s).disagreement
    )
    means: dict[int, list[float]] = {}
    for (candidate, _), scores in ratings.items():
        mean = score_stats(scores).mean
        means.setdefault(candidate, []).extend([] if mean is None else [mean])
    assert summary.candidate_means == {
        c: math.fsum(m) / len(m) if m else None for c, m in sorted(means.items())
    }
    for question in {q for _, q in ratings}:
        units = {c: s for (c, q), s in ratings.items() if q == question}
        expected = ordinal_alpha(units)
        got = summary.alpha_by_question[question]
        assert (got is None) == (expected is None)
        if got is not None and expected is not None:
            assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-12)
    for question in ("", "q1"):
        counts = summary.cells.counts(question)
        for rater, row in counts.items():
            assert row == [
                sum(
                    1
                    for (_, q), s in ratings.items()
                    if (not question or q == question) and s.get(rater) == v
                )
                for v in range(1, 6)
            ]
