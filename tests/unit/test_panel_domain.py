"""Panel statistics, ordering, codes and the audit chain (plain Python, no Qt)."""

from __future__ import annotations

import dataclasses

import pytest

from onetake_desktop.domain.clock import IdleTimer, ManualClock
from onetake_desktop.domain.panel import (
    GENESIS_HASH,
    blind_codes,
    chain_entry,
    leniency,
    ordinal_alpha,
    question_mode_queue,
    score_stats,
    shuffled_candidates,
    summarise,
    verify_chain,
    wrong_passphrase_delay,
)

# Three panelists (ids 1, 2, 3) score one question for candidates A..D (ids 10..13);
# panelist 2 did not score D.
#
#            A   B   C   D
#   P1       1   2   2   3
#   P2       1   2   4   -
#   P3       2   2   4   3
#
# Krippendorff's alpha, ordinal, by hand. Pairable values per unit: A {1,1,2}, B {2,2,2},
# C {2,4,4}, D {3,3}; n = 11.
# Coincidences o_ck = sum over units of ordered pairs / (m_u - 1):
#   A: o11 += 2/2, o12 += 2/2, o21 += 2/2      B: o22 += 6/2
#   C: o24 += 1, o42 += 1, o44 += 1            D: o33 += 2/1
# Marginals: n1 = 2, n2 = 5, n3 = 2, n4 = 2.
# Ordinal distance d(c,k) = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2:
#   d12 = 3.5^2 = 12.25   d13 = (9-2)^2 = 49      d14 = (11-2)^2 = 81
#   d23 = 3.5^2 = 12.25   d24 = (9-3.5)^2 = 30.25 d34 = 2^2 = 4
# Observed  D_o = (2*o12*d12 + 2*o24*d24) / n = (24.5 + 60.5) / 11 = 85/11
# Expected  D_e = 2 * (n1n2 d12 + n1n3 d13 + n1n4 d14 + n2n3 d23 + n2n4 d24 + n3n4 d34) / (n(n-1))
#              = 2 * (122.5 + 196 + 324 + 122.5 + 302.5 + 16) / 110 = 2167/110 = 19.7
# alpha = 1 - (85/11) / 19.7 = 1 - 85/216.7 = 0.607752653...
THREE = {
    10: {1: 1, 2: 1, 3: 2},
    11: {1: 2, 2: 2, 3: 2},
    12: {1: 2, 2: 4, 3: 4},
    13: {1: 3, 3: 3},
}
THREE_ALPHA = 1 - 85 / 216.7

# Two panelists, three candidates:  P1: 2 3 5,  P2: 2 4 3.
# Units {2,2}, {3,4}, {5,3}: o22 = 2, o34 = o43 = 1, o35 = o53 = 1; n2 = 2, n3 = 2, n4 = 1,
# n5 = 1, n = 6. d23 = 4, d24 = 12.25, d25 = 20.25, d34 = 2.25, d35 = 6.25, d45 = 1.
# D_o = (2*2.25 + 2*6.25)/6 = 17/6; D_e = 2*(16 + 24.5 + 40.5 + 4.5 + 12.5 + 1)/30 = 6.6
# alpha = 1 - (17/6)/6.6 = 1 - 17/39.6 = 0.570707...
TWO = {10: {1: 2, 2: 2}, 11: {1: 3, 2: 4}, 12: {1: 5, 2: 3}}
TWO_ALPHA = 1 - 17 / 39.6


def test_ordinal_alpha_matches_the_hand_computed_three_panelist_example() -> None:
    assert ordinal_alpha(THREE) == pytest.approx(THREE_ALPHA, abs=1e-12)
    assert round(THREE_ALPHA, 4) == 0.6078


def test_ordinal_alpha_matches_the_hand_computed_two_panelist_example() -> None:
    assert ordinal_alpha(TWO) == pytest.approx(TWO_ALPHA, abs=1e-12)


def test_alpha_is_undefined_without_pairs_or_without_variation() -> None:
    assert ordinal_alpha({10: {1: 3}, 11: {2: 4}}) is None  # nobody scored the same answer
    assert ordinal_alpha({10: {1: 3, 2: 3}, 11: {1: 3, 2: 3}}) is None  # nothing to compare
    assert ordinal_alpha({}) is None


def test_score_stats_mean_median_spread_and_disagreement_flag() -> None:
    s = score_stats({1: 2, 2: 4, 3: 4})
    assert s.mean == pytest.approx(10 / 3)
    assert (s.median, s.spread, s.disagreement) == (4.0, 2, True)
    s = score_stats({1: 1, 2: 2})
    assert (s.mean, s.median, s.spread, s.disagreement) == (1.5, 1.5, 1, False)
    empty = score_stats({})
    assert (empty.mean, empty.spread, empty.disagreement) == (None, None, False)


def test_summary_flags_and_candidate_means_and_leniency() -> None:
    ratings = {(c, "q1"): s for c, s in THREE.items()}
    summary = summarise(ratings)
    assert summary.alpha_by_question == {"q1": pytest.approx(THREE_ALPHA)}
    assert summary.disagreements() == [(12, "q1")]  # 2, 4, 4
    assert summary.candidate_means[12] == pytest.approx(10 / 3)
    # P2 scored A, B, C: own mean (1+2+4)/3 = 7/3; the cell means there are 4/3, 2, 10/3
    # -> panel mean 20/9; P2 is 7/3 - 20/9 = 1/9 more lenient than the panel.
    p2 = next(x for x in summary.leniency if x.panelist_id == 2)
    assert p2.count == 3
    assert p2.own_mean == pytest.approx(7 / 3) and p2.panel_mean == pytest.approx(20 / 9)
    assert p2.difference == pytest.approx(1 / 9)
    assert [x.panelist_id for x in leniency(ratings)] == [1, 2, 3]


def test_shuffled_order_is_stable_per_seed_and_differs_between_seeds() -> None:
    candidates = list(range(1, 9))
    first = shuffled_candidates(candidates, seed=1234, question_id="q1")
    assert first == shuffled_candidates(reversed(candidates), seed=1234, question_id="q1")
    assert sorted(first) == candidates
    assert first != shuffled_candidates(candidates, seed=98765, question_id="q1")
    # Each question gets its own order, so nobody is always first.
    assert first != shuffled_candidates(candidates, seed=1234, question_id="q2")


def test_question_mode_queue_is_question_major() -> None:
    queue = question_mode_queue(["q1", "q2"], [5, 6, 7], seed=42)
    assert [q for _, q in queue] == ["q1"] * 3 + ["q2"] * 3
    assert sorted(c for c, _ in queue[:3]) == [5, 6, 7]


def test_blind_codes_are_unique_stable_and_not_the_ids() -> None:
    codes = blind_codes(range(1, 500), secret="s3cret")
    assert len(set(codes.values())) == 499
    assert blind_codes([7, 3], secret="s3cret") == {3: codes[3], 7: codes[7]}
    assert codes != blind_codes(range(1, 500), secret="other")
    assert all(c.startswith("C-") and len(c) >= 6 for c in codes.values())


def test_wrong_passphrases_wait_longer_each_time_up_to_a_minute() -> None:
    assert [wrong_passphrase_delay(n) for n in range(0, 5)] == [0, 1, 2, 4, 8]
    assert wrong_passphrase_delay(20) == 60


def test_idle_timer_runs_on_the_injected_clock() -> None:
    clock = ManualClock()
    idle = IdleTimer(clock, minutes=5)
    clock.advance(299)
    assert not idle.is_idle()
    idle.touch()
    clock.advance(299)
    assert not idle.is_idle()
    clock.advance(1)
    assert idle.is_idle()


def _chain(n: int) -> list:  # type: ignore[type-arg]
    entries = []
    prev = None
    for i in range(n):
        prev = chain_entry(prev, f"2026-11-23T10:00:0{i}Z", 1, "score", f"a{i}", {"score": i})
        entries.append(prev)
    return entries


def test_audit_chain_holds_and_reports_edits_removals_and_reorders() -> None:
    entries = _chain(4)
    assert entries[0].prev_hash == GENESIS_HASH
    assert verify_chain(entries) is None

    edited = list(entries)
    edited[2] = dataclasses.replace(entries[2], details='{"score":5}')
    problem = verify_chain(edited)
    assert problem is not None and problem.seq == 3 and "changed" in problem.sentence

    # Rewriting the row's own hash too does not help: the next row no longer follows it.
    forged = dataclasses.replace(edited[2], row_hash="f" * 64)
    problem = verify_chain([*entries[:2], forged, entries[3]])
    assert problem is not None and problem.seq == 3

    problem = verify_chain([entries[0], entries[2], entries[3]])
    assert problem is not None and "row 2 is missing" in problem.sentence
