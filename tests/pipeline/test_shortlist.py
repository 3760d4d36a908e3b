"""The shortlist (services.shortlist) on real SQLite libraries: ranking by mean, median,
recommendation and flags for a lone reviewer and for a panel, the visibility rule (a panelist
who has not submitted sees nobody else's scores in it), decisions through the policy, and the
export (CSV with a byte-order mark, JSON) carrying the scores."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop.domain.conformance import Flag
from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.search import fold
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.scoring import Actor, ScoringService, scoring_for
from onetake_desktop.services.shortlist import REC_VALUE, ShortlistService, shortlist_sequence
from onetake_desktop.storage.library import Library, Recommendation
from onetake_desktop.storage.panel import SqlitePanel
from tests.pipeline.test_panel_service import QUESTIONS, answer_id, make_library
from tests.pipeline.test_scoring_policy import panel_service

ADA, BRIAN, CAROL, DENNIS = "Ada Lovelace", "Brian Kernighan", "Carol Shaw", "Dennis Ritchie"


@pytest.fixture
def library(tmp_path: Path) -> Iterator[tuple[Library, int, dict[str, int]]]:
    lib, interview, ids = make_library(tmp_path / "lib", candidates=4)
    yield lib, interview, ids
    lib.close()


def score(
    scoring: ScoringService,
    library: Library,
    actor: Actor,
    submission_id: int,
    values: tuple[int, ...],
    rec: Recommendation | None = None,
    *,
    submit: bool = True,
) -> None:
    for q, v in zip(QUESTIONS, values, strict=True):
        scoring.save_score(actor, answer_id=answer_id(library, submission_id, q), score=v)
    if rec is not None:
        scoring.set_recommendation(actor, submission_id=submission_id, value=rec)
    if submit:
        scoring.submit_candidate(actor, submission_id=submission_id)


def test_lone_reviewer_ranks_by_mean_recommendation_and_flags_and_decides(
    library: tuple[Library, int, dict[str, int]], tmp_path: Path
) -> None:
    lib, interview, ids = library
    scoring = scoring_for(lib)
    me = scoring.actor_for(scoring.lone_reviewer("Me").id)
    score(scoring, lib, me, ids[ADA], (5, 3), "yes")  # mean 4
    score(scoring, lib, me, ids[BRIAN], (4, 4), "strong_yes")  # mean 4, better recommendation
    score(scoring, lib, me, ids[CAROL], (5, 4), "no")  # mean 4.5
    score(scoring, lib, me, ids[DENNIS], (5, 5), "strong_yes", submit=False)  # a draft only
    lib.submissions.set_flags(
        ids[CAROL], [Flag("takes-over-limit", "Question q1: 4 takes; the interview allows 2.")]
    )
    shortlist = ShortlistService(scoring)

    by_mean = shortlist.rows(me, interview_pk=interview)
    assert shortlist_sequence(by_mean) == [CAROL, BRIAN, ADA, DENNIS]
    assert [r.rank for r in by_mean] == [1, 2, 3, 4]
    carol, brian, ada, dennis = by_mean
    assert (carol.mean, carol.median, carol.scores_seen) == (4.5, 4.5, 2)
    assert (ada.mean, brian.mean) == (4.0, 4.0)  # the tie goes to the recommendation
    assert (brian.recommendation, ada.recommendation) == (4.0, 3.0)
    assert dennis.mean is None and dennis.scores_seen == 0  # drafts are not in the shortlist
    assert shortlist_sequence(shortlist.rows(me, interview_pk=interview, sort="median")) == [
        CAROL,
        BRIAN,
        ADA,
        DENNIS,
    ]
    assert shortlist_sequence(
        shortlist.rows(me, interview_pk=interview, sort="recommendation")
    ) == [BRIAN, ADA, CAROL, DENNIS]
    # Fewest flags first: Carol's flag puts her behind both unflagged, scored candidates.
    assert shortlist_sequence(shortlist.rows(me, interview_pk=interview, sort="flags")) == [
        BRIAN,
        ADA,
        CAROL,
        DENNIS,
    ]
    assert carol.flags[0].code == "takes-over-limit"

    # A lone reviewer (no panel) decides alone, with a reason, audited without the text.
    assert shortlist.decision_refusal(me, submission_id=ids[CAROL]) is None
    with pytest.raises(OneTakeError, match="reason"):
        shortlist.decide(me, submission_id=ids[CAROL], decision="advance", reason="  ")
    shortlist.decide(
        me, submission_id=ids[CAROL], decision="advance", reason="Best structured answers"
    )
    (carol_now,) = [r for r in shortlist.rows(me, interview_pk=interview) if r.name == CAROL]
    assert carol_now.decision is not None and carol_now.decision.reason == "Best structured answers"
    (audit,) = [e for e in SqlitePanel(lib.db).audit_entries() if e.action == "decide"]
    assert audit.actor_id == me.reviewer_id and "Best structured" not in audit.details

    # The export keeps the ranking, the scores and the decision: CSV (BOM) and JSON.
    assert shortlist.export(me, interview_pk=interview, fmt="csv", out=tmp_path / "s.csv") == 4
    raw = (tmp_path / "s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["candidate_name"] for r in rows] == [CAROL, BRIAN, ADA, DENNIS]
    assert rows[0]["mean_score"] == "4.5" and rows[0]["decision"] == "advance"
    assert rows[0]["decision_reason"] == "Best structured answers"
    assert rows[0]["flags"].startswith("takes-over-limit: ")
    assert json.loads(rows[0]["scores"]) == [
        {"question_id": "q1", "reviewer": "Me", "score": 5},
        {"question_id": "q2", "reviewer": "Me", "score": 4},
    ]
    assert rows[3]["mean_score"] == "" and json.loads(rows[3]["scores"]) == []
    shortlist.export(me, interview_pk=interview, fmt="json", out=tmp_path / "s.json")
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert data["kind"] == "shortlist"
    assert [c["rank"] for c in data["candidates"]] == [1, 2, 3, 4]
    assert data["candidates"][1]["scores"][0]["score"] == 4


def test_panel_shortlist_follows_the_visibility_rule(
    library: tuple[Library, int, dict[str, int]],
) -> None:
    lib, interview, ids = library
    panel: PanelService = panel_service(lib)
    ana = panel.create_panelist("Ana", "ana passphrase")
    ben = panel.create_panelist("Ben", "ben passphrase")
    cleo = panel.create_panelist("Cleo", "cleo passphrase")
    scoring = scoring_for(lib)
    assert panel.scoring is scoring  # one policy per library
    shortlist = ShortlistService(scoring)
    # Ada: 5,5 / 1,1 / 4,4 -> mean 3.33, median 4. Brian: 3,4 / 4,3 / 4,3 -> mean 3.5, median
    # 3.5. Carol: 3,3 / 3,3 / 3,3 -> mean 3, median 3.
    plan = {
        "Ana": {ADA: (5, 5), BRIAN: (3, 4), CAROL: (3, 3)},
        "Ben": {ADA: (1, 1), BRIAN: (4, 3), CAROL: (3, 3)},
        "Cleo": {ADA: (4, 4), BRIAN: (4, 3), CAROL: (3, 3)},
    }
    recs: dict[str, Recommendation] = {ADA: "strong_yes", BRIAN: "no", CAROL: "yes"}
    actors = {"Ana": ana, "Ben": ben, "Cleo": cleo}
    for who in ("Ana", "Ben"):
        for name, values in plan[who].items():
            score(scoring, lib, actors[who], ids[name], values, recs[name])
    # Cleo has drafted everything and submitted nothing: she sees no other panelist's score.
    for name, values in plan["Cleo"].items():
        score(scoring, lib, cleo, ids[name], values, recs[name], submit=False)
    blind = shortlist.rows(cleo, interview_pk=interview)
    assert all(r.scores_seen == 0 and r.mean is None for r in blind)
    assert all(r.recommendations == () for r in blind)
    assert {who for r in blind for _, who, _ in r.scores} == set()
    # Ana (submitted all) sees Ben's submitted scores, not Cleo's drafts.
    seen_by_ana = {r.name: r for r in shortlist.rows(ana, interview_pk=interview)}
    assert {who for _, who, _ in seen_by_ana[ADA].scores} == {"Ana", "Ben"}
    assert seen_by_ana[ADA].mean == 3.0 and seen_by_ana[ADA].scores_seen == 4
    # A decision waits for Cleo.
    refusal = shortlist.decision_refusal(ana, submission_id=ids[ADA])
    assert refusal is not None and "Cleo" in refusal
    with pytest.raises(OneTakeError, match="Cleo"):
        shortlist.decide(ana, submission_id=ids[ADA], decision="advance", reason="Strong")

    for name in plan["Cleo"]:
        scoring.submit_candidate(cleo, submission_id=ids[name])
    ranked = shortlist.rows(cleo, interview_pk=interview)
    assert shortlist_sequence(ranked) == [BRIAN, ADA, CAROL, DENNIS]  # by mean
    by_name = {r.name: r for r in ranked}
    assert by_name[ADA].mean == pytest.approx(10 / 3, abs=1e-3)
    assert (by_name[ADA].median, by_name[BRIAN].median) == (4.0, 3.5)
    assert by_name[ADA].scores_seen == 6
    assert by_name[ADA].recommendations == ("strong_yes",) * 3
    assert shortlist_sequence(shortlist.rows(cleo, interview_pk=interview, sort="median")) == [
        ADA,
        BRIAN,
        CAROL,
        DENNIS,
    ]
    assert shortlist_sequence(
        shortlist.rows(cleo, interview_pk=interview, sort="recommendation")
    ) == [ADA, CAROL, BRIAN, DENNIS]
    # The panel rule is unchanged: the lone reviewer may not decide while a panel exists.
    lone = scoring.lone_reviewer("Me")
    refusal = shortlist.decision_refusal(scoring.actor_for(lone.id), submission_id=ids[ADA])
    assert refusal == "Decisions are the panel's: sign in as a panelist."
    shortlist.decide(cleo, submission_id=ids[ADA], decision="advance", reason="Consistent")
    assert {r.name: r.decision for r in shortlist.rows(ana, interview_pk=interview)}[
        ADA
    ] is not None


def _shortlist_from_records(
    scoring: ScoringService, actor: Actor, interview: int, sort: str
) -> list[tuple[object, ...]]:
    """The shortlist as it was worked out before it read the summary's grid: from the score
    records (``visible_scores``, no drafts), with the statistics module. The reference the
    grid's figures are held to."""
    candidates = scoring.candidates(interview_pk=interview)
    question_of = {a: q for c in candidates for q, a in c.answers.items()}
    submission_of = {a: c.submission_id for c in candidates for a in c.answers.values()}
    seen: dict[int, list[tuple[str, str, int]]] = {}
    own: dict[int, int] = {}
    for sc in scoring.visible_scores(actor, interview_pk=interview, own_drafts=False):
        if sc.status != "submitted" or sc.answer_id not in submission_of:
            continue
        sid = submission_of[sc.answer_id]
        if sc.reviewer_id == actor.reviewer_id:
            own[sid] = own.get(sid, 0) + 1
        if sc.score is not None:
            seen.setdefault(sid, []).append((question_of[sc.answer_id], sc.reviewer_name, sc.score))
    recommendations = scoring.visible_recommendations(actor, interview_pk=interview)
    rows = []
    for c in candidates:
        done = bool(c.answers) and own.get(c.submission_id, 0) == len(c.answers)
        shown = done or not actor.panelist
        scores = seen.get(c.submission_id, []) if shown else []
        values = [v for _, _, v in scores]
        recs = [v for _, v in recommendations.get(c.submission_id, [])] if shown else []
        rows.append(
            (
                c.submission_id,
                c.name,
                len(values),
                round(statistics.fmean(values), 3) if values else None,
                float(statistics.median(values)) if values else None,
                round(statistics.fmean(REC_VALUE[r] for r in recs), 3) if recs else None,
                tuple(recs),
                tuple(sorted(scores)),
            )
        )

    def key(r: tuple[Any, ...]) -> tuple[Any, ...]:
        inf = float("inf")
        mean, median, rec = (-v if v is not None else inf for v in r[3:6])
        flags = float(len(next(c for c in candidates if c.submission_id == r[0]).flags))
        order = {
            "mean": (mean, median, rec, flags),
            "median": (median, mean, rec, flags),
            "recommendation": (rec, mean, median, flags),
            "flags": (flags, mean, median, rec),
        }[sort]
        return (0.0 if r[2] else 1.0, *order, fold(str(r[1])))

    return [(rank, *r) for rank, r in enumerate(sorted(rows, key=key), start=1)]


def test_the_shortlist_from_the_grid_gives_the_records_figures(tmp_path: Path) -> None:
    """The shortlist reads the summary's grid (the same SQL rule, one row per answer); its
    figures, scores and order are those the score records give, for every panelist in every
    state (all submitted, some answers only, drafts, a correction) and for the lone
    reviewer, under every sort key."""
    lib, interview, ids = make_library(tmp_path / "lib", candidates=5)
    panel: PanelService = panel_service(lib)
    scoring = scoring_for(lib)
    ana = panel.create_panelist("Ana", "ana passphrase")
    ben = panel.create_panelist("Ben", "ben passphrase")
    cleo = panel.create_panelist("Cleo", "cleo passphrase")
    subs = sorted(ids.values())
    recs: tuple[Recommendation, ...] = ("strong_no", "no", "yes", "strong_yes")
    for n, sid in enumerate(subs):
        # Ana submits everyone; Ben submits the even ones and drafts the odd ones; Cleo
        # submits the first half and, on the rest, only the first question.
        score(scoring, lib, ana, sid, (1 + n % 5, 1 + (n * 3) % 5), recs[n % 4])
        score(
            scoring,
            lib,
            ben,
            sid,
            (1 + (n + 2) % 5, 5 - n % 5),
            recs[(n + 1) % 4],
            submit=n % 2 == 0,
        )
        score(scoring, lib, cleo, sid, (3, 1 + (n * 2) % 5), recs[(n + 2) % 4], submit=n < 4)
        if n >= 4:
            first = answer_id(lib, sid, QUESTIONS[0])
            scoring.submit_answers(cleo, answer_ids=[first], subject=f"submission {sid}")
    scoring.correct_score(
        ana, answer_id=answer_id(lib, subs[0], QUESTIONS[1]), score=5, note="", reason="again"
    )
    lone = scoring.actor_for(scoring.lone_reviewer("Me").id)
    for sid in subs[:3]:
        score(scoring, lib, lone, sid, (2, 4), "yes", submit=sid != subs[1])
    shortlist = ShortlistService(scoring)
    shown_any = False
    for actor in (ana, ben, cleo, lone):
        for sort in ("mean", "median", "recommendation", "flags"):
            got = [
                (
                    r.rank,
                    r.submission_id,
                    r.name,
                    r.scores_seen,
                    r.mean,
                    r.median,
                    r.recommendation,
                    r.recommendations,
                    r.scores,
                )
                for r in shortlist.rows(actor, interview_pk=interview, sort=sort)
            ]
            assert got == _shortlist_from_records(scoring, actor, interview, sort), (actor, sort)
            shown_any = shown_any or any(g[3] for g in got)
    assert shown_any  # the comparison covered figures, not only empty rows
    lib.close()


def test_ties_on_the_figures_go_by_the_name_without_case_or_accents() -> None:
    """As the library list sorts names (schema 12): Émile between Emil and Emma, not after
    Zoë (the window's Name column sorts so too: ui/reviewer/shortlist.py)."""
    from onetake_desktop.services.shortlist import _sort_value

    names = ["Zoë", "Emma", "Émile", "Emil", "éva"]
    ranked = sorted(names, key=lambda n: _sort_value(3, 4.0, 4.0, 1.0, 0, "mean", n))
    assert ranked == ["Emil", "Émile", "Emma", "éva", "Zoë"]
