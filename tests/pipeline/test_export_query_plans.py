"""Issue 17: the per-answer export asks a fixed number of queries, each one linear.

The export once read each shown row's timestamped notes and its scorer's recommendation with
a query each (two per row: 171,000 for a panel of 10,000 candidates). Now it reads the
interview's visible scores, notes and current recommendations once each. The statements are
the real ones, recorded by SQLite's trace hook while the export writes its files; the plan
checks are those of test_panel_query_plans.py (no correlated subquery that scans a table, no
table scanned per row of another, no index built on the fly).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from onetake_desktop.services.panel import Actor
from tests.pipeline.test_panel_query_plans import (
    Panel,
    as_signed_in,
    bad_plan_lines,
    build,
    is_query,
    sign_in,
    traced,
)


@pytest.fixture(scope="module")
def panels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Panel, Panel]]:
    small = build(tmp_path_factory.mktemp("small") / "lib", 4)
    large = build(tmp_path_factory.mktemp("large") / "lib", 16)
    yield small, large
    small.library.close()
    large.library.close()


def export_paths(p: Panel, out: Path) -> dict[str, Callable[[], object]]:
    """The per-answer export as the panel window, the CLI and the reviewer window ask it."""

    def as_ana(fn: Callable[[Actor], object]) -> Callable[[], object]:
        return as_signed_in(p, "Ana", fn)

    return {
        "rows": as_ana(lambda a: p.panel.scoring.export_rows(a, interview_pk=p.interview)),
        "every interview": as_ana(lambda a: p.panel.scoring.export_rows(a)),
        "csv file": as_ana(
            lambda a: p.panel.export(a, interview_pk=p.interview, fmt="csv", out=out / "a.csv")
        ),
        "json file": as_ana(
            lambda a: p.panel.export(a, interview_pk=p.interview, fmt="json", out=out / "a.json")
        ),
    }


def test_the_answers_export_plans_have_no_correlated_scan(
    panels: tuple[Panel, Panel], tmp_path: Path
) -> None:
    _, p = panels
    sign_in(p, "Ana")
    seen: list[str] = []
    for name, run in export_paths(p, tmp_path).items():
        statements = [s for s in traced(p.library, run).statements if is_query(s)]
        assert statements, name
        for sql in statements:
            assert bad_plan_lines(p.library.db.conn, sql) == [], (name, " ".join(sql.split()))
        seen.extend(statements)
    conn = p.library.db.conn

    def plan_of(marker: str) -> list[str]:
        sql = next(s for s in seen if marker in s)
        return [str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql)]

    # The visible scores: the rule's statement, through the (answer, reviewer, id) index.
    scores = plan_of("JOIN scores sc ON sc.answer_id = a.id")
    assert any("scores_current" in line for line in scores), scores
    # The notes: found per answer in the (answer, reviewer) index, never scanned.
    notes = plan_of("JOIN timestamped_notes n ON n.answer_id = a.id")
    assert any(
        line.startswith("SEARCH n USING INDEX timestamped_notes_answer") for line in notes
    ), notes
    assert not [line for line in notes if line.startswith("SCAN")], notes
    # The current recommendations: each candidate's rows by the (submission, reviewer, id)
    # index, the latest of each from the same index alone.
    recs = plan_of("JOIN recommendations rc ON rc.submission_id = s.id")
    assert any(line.startswith("SEARCH rc USING INDEX recommendations_submission") for line in recs)
    latest = [line for line in recs if line.startswith("SEARCH x")]
    assert latest and all("COVERING INDEX recommendations_submission" in x for x in latest), recs
    assert not [line for line in recs if line.startswith("SCAN")], recs


def test_the_answers_export_asks_as_many_queries_whatever_the_size(
    panels: tuple[Panel, Panel], tmp_path: Path
) -> None:
    """No query per row: 4 times the candidates, the same statements; the SQLite work about
    4 times (a per-row scan would be ~16 times)."""
    small, large = panels
    for p in panels:
        sign_in(p, "Ana")
        for run in export_paths(p, tmp_path).values():  # one-time writes first
            run()
    for name in export_paths(small, tmp_path):
        a = traced(small.library, export_paths(small, tmp_path)[name])
        b = traced(large.library, export_paths(large, tmp_path)[name])
        queries_a = [s for s in a.statements if is_query(s)]
        queries_b = [s for s in b.statements if is_query(s)]
        assert len(queries_b) == len(queries_a), (name, queries_a, queries_b)
        assert b.steps <= 7 * max(a.steps, 1) + 10, (name, a.steps, b.steps)


def test_the_guard_catches_a_per_row_scan_of_the_notes(panels: tuple[Panel, Panel]) -> None:
    """A notes reader that looked for each note's twins by text would scan the notes once per
    row: the plan check says so."""
    _, p = panels
    per_row = (
        "SELECT n.answer_id, n.text FROM timestamped_notes n WHERE EXISTS"
        " (SELECT 1 FROM timestamped_notes t WHERE t.text = n.text AND t.id <> n.id)"
    )
    assert any("correlated" in line for line in bad_plan_lines(p.library.db.conn, per_row))
