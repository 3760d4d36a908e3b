"""Issue 17: every query the panel and the library ask stays linear as the library grows.

The statements are the real ones: each read path (the summary, visible scores, the exports,
the library list, the sign-in check and the audit view) runs through the services on a real
library file while SQLite's trace hook records every statement executed. Then:

- each statement's plan (EXPLAIN QUERY PLAN) has no correlated subquery that scans a table,
  no table scanned once per row of an outer loop, and no index SQLite must build on the fly;
- the number of statements a path runs does not grow with the number of candidates, and the
  SQLite work done (virtual machine steps) grows about linearly: 4 times the candidates costs
  well under 16 times the work.

No wall-clock figures: bench/panel_bench.py measures those.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from onetake_desktop.domain.manifest import AnswerRecord, Consent, KitRef, SubmissionManifest
from onetake_desktop.services.followup import FollowupService
from onetake_desktop.services.panel import Actor, PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.services.shortlist import ShortlistService
from onetake_desktop.storage.library import Library, NewAnswer, open_library
from tests.pipeline.test_panel_service import HASH, QUESTIONS, _definition
from tests.pipeline.test_scoring_policy import panel_service

PASS = {"Ana": "ana passphrase", "Ben": "ben passphrase", "Cleo": "cleo passphrase"}
# Tables that hold a handful of rows whatever the library's size: scanning them is free.
TINY = {"reviewers", "panelists", "interviews", "panel_settings", "erasing", "schema_version"}


@dataclass
class Panel:
    library: Library
    panel: PanelService
    interview: int
    people: dict[str, int]
    subs: list[int]


def build(root: Path, candidates: int) -> Panel:
    """``candidates`` text submissions of a two-question interview; three panelists: Ana and
    Ben submit every candidate, Cleo drafts half of them. Written through the services."""
    library = open_library(root)
    interview = library.interviews.add_definition(HASH, _definition())
    subs: list[int] = []
    for i in range(candidates):
        answers = tuple(
            AnswerRecord(
                q, "text", 1, 1, 5.0, 30.0, "2026-11-01T10:00:00Z", "2026-11-01T10:01:00Z", text="x"
            )
            for q in QUESTIONS
        )
        manifest = SubmissionManifest(
            KitRef("panel-demo", "1", HASH),
            f"Candidate {i}",
            f"c{i}@example.org",
            Consent("11" * 32, "2026-11-01T09:59:00Z"),
            answers,
            "2026-11-01T10:05:00Z",
            "0.1.0",
        )
        new = [NewAnswer(q, "text", None, "x", 5.0, 30.0, None, 1, 1) for q in QUESTIONS]
        folder = root / "submissions" / f"s{i}"
        folder.mkdir(parents=True)
        record = library.submissions.add(manifest, f"{i:064x}", folder, new)
        assert record is not None
        subs.append(record.id)
    panel = panel_service(library)
    people: dict[str, int] = {}
    for name, passphrase in PASS.items():
        actor = panel.create_panelist(name, passphrase)
        people[name] = actor.reviewer_id
        for n, sub in enumerate(subs):
            if name == "Cleo" and n % 2:
                continue
            for k, answer in enumerate(panel.answer_ids(submission_id=sub)):
                panel.save_score(actor, answer_id=answer, score=1 + (n + k) % 5)
            if name != "Cleo":
                panel.scoring.set_recommendation(actor, submission_id=sub, value="yes")
                panel.submit_candidate(actor, submission_id=sub)
        if name == "Ana":  # one correction and one pinned note, so both kinds of row exist
            first = panel.answer_ids(submission_id=subs[0])[0]
            panel.correct_score(actor, answer_id=first, score=5, note="", reason="second look")
            panel.scoring.add_note(actor, answer_id=first, position_ms=100, text="pin")
    panel.lock()
    return Panel(library, panel, interview.id, people, subs)


@dataclass
class Trace:
    statements: list[str]
    steps: int


def traced(library: Library, run: Callable[[], object]) -> Trace:
    """Every statement ``run`` executes on the library's connection, and how many SQLite
    virtual machine steps they took (counted in blocks of 100)."""
    conn = library.db.conn
    statements: list[str] = []
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    conn.set_trace_callback(statements.append)
    conn.set_progress_handler(count, 100)
    try:
        run()
    finally:
        conn.set_trace_callback(None)
        conn.set_progress_handler(None, 0)
    return Trace(statements, steps[0])


def sign_in(p: Panel, name: str) -> Actor:
    actor = p.panel.sign_in(p.people[name], PASS[name])
    assert not actor.warnings  # the fixture's rows are all honest
    return actor


def as_signed_in(p: Panel, name: str, fn: Callable[[Actor], object]) -> Callable[[], object]:
    """``fn`` as the panelist signed in (asserted) when it runs: a read path as a window or a
    command calls it."""

    def run() -> object:
        actor = p.panel.scoring.current
        assert actor is not None and actor.name == name
        return fn(actor)

    return run


def read_paths(p: Panel) -> dict[str, Callable[[], object]]:
    """The read paths of issue 17, each as a window or a command calls it."""
    reviewer = ReviewerService(p.library)

    def as_ana(fn: Callable[[Actor], object]) -> Callable[[], object]:
        return as_signed_in(p, "Ana", fn)

    return {
        "sign-in check": lambda: sign_in(p, "Ana"),
        "summary": as_ana(lambda a: p.panel.view(a, interview_pk=p.interview)),
        "summary export": as_ana(
            lambda a: p.panel.scoring.summary_rows(a, interview_pk=p.interview)
        ),
        "visible scores": as_ana(lambda a: p.panel.visible_scores(a, interview_pk=p.interview)),
        "answers export": as_ana(
            lambda a: p.panel.scoring.export_rows(a, interview_pk=p.interview)
        ),
        "library entries": as_ana(lambda a: reviewer.entries(a)),
        "audit view": as_ana(p.panel.audit_view),
        "audit chain": p.panel.audit_problem,
        "decision gate": as_ana(
            lambda a: [p.panel.waiting_for(a, submission_id=s) for s in p.subs[:2]]
        ),
        "shortlist": as_ana(
            lambda a: ShortlistService(p.panel.scoring).rows(a, interview_pk=p.interview)
        ),
        "follow-up drafts": as_ana(
            lambda a: FollowupService(p.panel.scoring).pending(a, interview_pk=p.interview)
        ),
    }


def bad_plan_lines(conn: sqlite3.Connection, sql: str) -> list[str]:
    """What in this statement's plan grows faster than the library: a correlated subquery
    that scans, a table scanned inside another table's loop, an index built on the fly."""
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    detail = {int(r[0]): str(r[3]) for r in rows}
    parent = {int(r[0]): int(r[1]) for r in rows}

    def ancestors(node: int) -> Iterator[str]:
        while parent.get(node, 0) in detail:
            node = parent[node]
            yield detail[node]

    tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master")}
    bad: list[str] = []
    for node, text in detail.items():
        words = text.split()
        # An index built on the fly over a table is one the schema lacks. (Over a grouped
        # CTE's rows it is one sort per query, which is fine.)
        if "AUTOMATIC" in text and _table(sql, words[1]) in tables:
            bad.append(text)
        if words[0] != "SCAN" or words[1] in TINY:
            continue
        if any(a.startswith("CORRELATED") for a in ancestors(node)):
            bad.append(f"{text} (inside a correlated subquery)")
        earlier_loops = [
            other
            for other, t in detail.items()
            if other < node
            and parent[other] == parent[node]
            and t.split()[0] in ("SCAN", "SEARCH")
            and t.split()[1] not in TINY
        ]
        if earlier_loops:
            bad.append(f"{text} (once per row of {detail[earlier_loops[-1]]})")
    return bad


def _table(sql: str, alias: str) -> str:
    """The table an alias in a plan names (``scores sc`` -> scores), or the alias itself."""
    words = sql.replace("(", " ").replace(")", " ").split()
    for before, after in itertools.pairwise(words):
        if after == alias and before.isidentifier() and before.upper() not in _KEYWORDS:
            return before
    return alias


_KEYWORDS = {"FROM", "JOIN", "AS", "ON", "SELECT", "WHERE", "AND", "OR", "BY", "WITH"}


def is_query(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH")


@pytest.fixture(scope="module")
def panels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Panel, Panel]]:
    small = build(tmp_path_factory.mktemp("small") / "lib", 5)
    large = build(tmp_path_factory.mktemp("large") / "lib", 20)
    yield small, large
    small.library.close()
    large.library.close()


def test_no_read_path_scans_the_score_table_per_row(panels: tuple[Panel, Panel]) -> None:
    _, p = panels
    sign_in(p, "Ana")
    seen: set[str] = set()
    problems: dict[str, list[str]] = {}
    for name, run in read_paths(p).items():
        statements = [s for s in traced(p.library, run).statements if is_query(s)]
        assert statements, f"{name} ran no query"
        for sql in statements:
            seen.add(sql)
            bad = bad_plan_lines(p.library.db.conn, sql)
            if bad:
                problems.setdefault(name, []).append(f"{' '.join(sql.split())[:160]}: {bad}")
    assert problems == {}
    # The rule itself is among the statements checked, in both its forms: the score records
    # (visible scores, exports) and the summary's grid (one lookup per answer and reviewer).
    assert any("JOIN scores sc ON sc.answer_id = a.id" in s for s in seen)
    assert any("LEFT JOIN scores m ON m.answer_id = a.id" in s for s in seen)


def test_the_summary_grid_looks_up_each_answer_once_per_reviewer(
    panels: tuple[Panel, Panel],
) -> None:
    """The grid's plan: the interview's answers found through indexes, and per answer one
    search of the (answer, reviewer, id, status, score) index per reviewer that reads the
    index alone (schema 9: the row's status and score are in it), never a scan of the scores
    nor a second look-up of a score row in the table."""
    _, p = panels
    actor = sign_in(p, "Ana")
    statements = traced(
        p.library, lambda: p.panel.scoring.visible_grid(actor, interview_pk=p.interview)
    ).statements
    grid = next(s for s in statements if "LEFT JOIN scores m ON m.answer_id = a.id" in s)
    plan = [str(r[3]) for r in p.library.db.conn.execute("EXPLAIN QUERY PLAN " + grid)]
    lookups = [line for line in plan if line.startswith("SEARCH x USING")]
    assert len(lookups) == len(p.library.reviewers.all())  # each reviewer, once
    assert all(
        x.startswith("SEARCH x USING COVERING INDEX scores_current (answer_id=? AND reviewer_id=?)")
        for x in lookups
    )
    assert not [line for line in plan if line.startswith("SCAN")]
    # In (submission, position) order from the index, not sorted: the view lists each
    # candidate's answers from the grid.
    assert not [line for line in plan if "TEMP B-TREE" in line], plan
    # The viewer's own current row: its id from the covering index (MAX, one search), then
    # the row by that id; no other search of the scores.
    searches = [line for line in plan if line.startswith("SEARCH") and " m " in f" {line} "]
    assert searches and all("(rowid=?)" in x or "scores_current" in x for x in searches)
    assert bad_plan_lines(p.library.db.conn, grid) == []


def test_the_guard_catches_the_old_quadratic_summary(panels: tuple[Panel, Panel]) -> None:
    """The plan check would have failed the summary as it was (a "latest rows" CTE that
    each row scanned again), so it can catch the next one."""
    _, p = panels
    old = """
        WITH cur AS (
            SELECT sc.* FROM scores sc
            JOIN (SELECT MAX(id) AS id FROM scores GROUP BY answer_id, reviewer_id) m
              ON m.id = sc.id
        )
        SELECT cur.id, cur.answer_id, a.submission_id, r.name, cur.score, cur.status
        FROM cur
        JOIN answers a ON a.id = cur.answer_id
        JOIN submissions s ON s.id = a.submission_id
        JOIN reviewers r ON r.id = cur.reviewer_id
        WHERE s.interview_pk = 1 AND (
            (cur.reviewer_id = 1 AND (cur.status = 'submitted' OR 1))
            OR (cur.reviewer_id <> 1 AND cur.status = 'submitted' AND EXISTS (
                SELECT 1 FROM cur mine WHERE mine.answer_id = cur.answer_id
                AND mine.reviewer_id = 1 AND mine.status = 'submitted'))
        )
        ORDER BY a.submission_id, a.position, r.name COLLATE NOCASE
    """
    assert any("correlated" in line for line in bad_plan_lines(p.library.db.conn, old))


def test_work_grows_linearly_with_the_candidates(panels: tuple[Panel, Panel]) -> None:
    small, large = panels  # 5 and 20 candidates
    for p in panels:
        sign_in(p, "Ana")
        for run in read_paths(p).values():  # once first: one-time writes (a blind secret)
            run()
    for name in read_paths(small):
        a = traced(small.library, read_paths(small)[name])
        b = traced(large.library, read_paths(large)[name])
        # The answers export too: notes and recommendations read once per interview.
        assert len(b.statements) == len(a.statements), (name, a.statements, b.statements)
        # Linear work is at most ~4x (plus log factors); per-row scans would be ~16x.
        assert b.steps <= 7 * max(a.steps, 1) + 10, (name, a.steps, b.steps)


def test_the_score_records_find_current_rows_in_the_covering_index(
    panels: tuple[Panel, Panel],
) -> None:
    """The records' reader (visible scores, exports) and the grid ask the same index: schema
    9's (answer, reviewer, id, status, score), which replaced the (answer, reviewer, id) one.
    Every search of the scores goes through it (the "current row" MAX reads the index alone)
    or fetches one row by its id."""
    _, p = panels
    actor = sign_in(p, "Ana")
    columns = [str(r[2]) for r in p.library.db.conn.execute("PRAGMA index_info(scores_current)")]
    assert columns == ["answer_id", "reviewer_id", "id", "status", "score"]
    names = {str(r[1]) for r in p.library.db.conn.execute("PRAGMA index_list(scores)")}
    assert "scores_answer_reviewer" not in names  # the covering index does its work
    statements = traced(
        p.library, lambda: p.panel.scoring.visible_scores(actor, interview_pk=p.interview)
    ).statements
    records = next(s for s in statements if "JOIN scores sc ON sc.answer_id = a.id" in s)
    plan = [str(r[3]) for r in p.library.db.conn.execute("EXPLAIN QUERY PLAN " + records)]
    on_scores = [
        line for line in plan if line.split()[0] == "SEARCH" and line.split()[1] in ("sc", "m", "x")
    ]
    assert on_scores
    assert all("scores_current" in line or "(rowid=?)" in line for line in on_scores), plan
    maxima = [line for line in on_scores if line.startswith("SEARCH x")]
    assert maxima and all("COVERING INDEX scores_current" in line for line in maxima), plan
    assert bad_plan_lines(p.library.db.conn, records) == []


def test_the_candidates_answers_come_in_position_order_from_an_index(
    panels: tuple[Panel, Panel],
) -> None:
    """Every panel window lists the candidates with their answers in the kit's order: read
    in that order from schema 9's (submission, position, question) index, never sorted."""
    _, p = panels
    statements = traced(
        p.library, lambda: p.panel.scoring.repo.candidate_rows(p.interview)
    ).statements
    answers = next(s for s in statements if "JOIN answers a" in s)
    plan = [str(r[3]) for r in p.library.db.conn.execute("EXPLAIN QUERY PLAN " + answers)]
    assert any("COVERING INDEX answers_position" in line for line in plan), plan
    assert not [line for line in plan if "TEMP B-TREE" in line], plan
    # And the order is the kit's, as before.
    _, by_submission = p.panel.scoring.repo.candidate_rows(p.interview)
    assert all(list(a) == list(QUESTIONS) for a in by_submission.values())


def test_the_views_candidates_listed_from_the_grid_are_the_candidates(
    panels: tuple[Panel, Panel],
) -> None:
    """The summary lists each candidate's answers from the grid it reads (every answer, in
    position order) instead of reading them again: the same candidates, answers and order
    as ``ScoringService.candidates``, for a viewer who submitted everything and one who
    submitted half."""
    _, p = panels
    for name in ("Ana", "Cleo"):
        actor = sign_in(p, name)
        view = p.panel.view(actor, interview_pk=p.interview)
        expected = p.panel.scoring.candidates(interview_pk=p.interview)
        assert view.candidates == expected
        assert [list(c.answers.items()) for c in view.candidates] == [
            list(c.answers.items()) for c in expected
        ]
