"""The library's candidate list (reviewer window's tree, ``library list``) after schema 10
(issue 17): the same rows in the same order as the query it replaced, and a plan that reads
the list from indexes (no sort, no score table scan, no index built on the fly).

The library holds what changes the counts and the order: two interviews (one without its
definition), names equal but for case and accents, flags, a panel of three with drafts (with
and without a score), submissions, a correction and a decision, blind mode on, and an erased
candidate. The reference is the schema 9 query, kept here verbatim but for its order, which
is schema 12's (the folded name, ``name_key``, instead of ``candidate_name COLLATE NOCASE``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from onetake_desktop.domain.conformance import Flag
from onetake_desktop.domain.manifest import AnswerRecord, Consent, KitRef, SubmissionManifest
from onetake_desktop.domain.search import fold
from onetake_desktop.services.panel import Actor, PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.db import transaction
from onetake_desktop.storage.library import (
    EntryRow,
    Library,
    NewAnswer,
    SqliteSubmissions,
    interview_title,
    open_library,
)
from onetake_desktop.storage.panel import record_erasure
from tests.pipeline.test_panel_query_plans import (
    bad_plan_lines,
    build,
    is_query,
    read_paths,
    sign_in,
    traced,
)
from tests.pipeline.test_panel_service import HASH, QUESTIONS, _definition
from tests.pipeline.test_scoring_policy import PASS, panel_service

# The list query as schema 9 had it (storage/library.py before issue 17's schema 10).
SCHEMA_9_QUERY = """
    WITH latest AS (
        SELECT sc.answer_id, sc.status, sc.score FROM scores sc
        JOIN (SELECT MAX(id) AS id FROM scores WHERE reviewer_id = ?
              GROUP BY answer_id) m ON m.id = sc.id
    ),
    marks AS (
        SELECT a.submission_id,
               SUM(l.status = 'submitted') AS submitted,
               SUM(l.score IS NOT NULL) AS with_score
        FROM latest l JOIN answers a ON a.id = l.answer_id
        GROUP BY a.submission_id
    )
    SELECT s.id, s.interview_pk, s.candidate_name, s.candidate_email, s.imported_at,
           s.sealed_at,
           (SELECT COUNT(*) FROM answers a WHERE a.submission_id = s.id),
           COALESCE(m.with_score, 0), COALESCE(m.submitted, 0)
    FROM submissions s
    {search_join}
    LEFT JOIN marks m ON m.submission_id = s.id
    {where}
    ORDER BY s.interview_pk, s.name_key, s.id
"""

NAMES = (
    "ada Lovelace",
    "Ada Lovelace",
    "ADA LOVELACE",
    "Ada Lovelace",  # the same name twice: ties come in id order
    "Ångström Ödegaard",
    "angstrom odegaard",
    "Brian Kernighan",
    "Zoë Quist",
    "",
)
SEARCHES = ("", "ada", "ANGSTROM", "@example", "support", "panel-demo", "other-kit", "zz")


def schema_9_rows(library: Library, reviewer_id: int, search: str = "") -> list[EntryRow]:
    """What SqliteSubmissions.entry_rows returned with schema 9's query."""
    db = library.db
    titles = {
        i.id: interview_title(i.role_title, i.interview_id, i.version)
        for i in library.interviews.all()
    }
    defined = {
        int(pk): bool(d)
        for pk, d in db.execute("SELECT id, definition_json IS NOT NULL FROM interviews")
    }
    search_join = where = ""
    params: list[object] = [reviewer_id]
    if search.strip():
        search_join = "JOIN interviews i ON i.id = s.interview_pk"
        where = (
            "WHERE instr(onetake_fold(s.candidate_name), ?) OR"
            " instr(onetake_fold(s.candidate_email), ?) OR"
            " instr(onetake_fold(i.role_title), ?) OR instr(onetake_fold(i.interview_id), ?)"
        )
        params += [fold(search.strip())] * 4
    sql = SCHEMA_9_QUERY.format(search_join=search_join, where=where)
    return [
        (sid, pk, titles[pk], name, email, imported, sealed, n, scored, done, defined[pk])
        for sid, pk, name, email, imported, sealed, n, scored, done in db.execute(sql, params)
    ]


@dataclass
class Fixture:
    library: Library
    panel: PanelService
    people: dict[str, int]
    subs: list[int]
    erased: int


def _add(library: Library, root: Path, i: int, name: str, kit: tuple[str, str]) -> int:
    interview_id, content_hash = kit
    answers = tuple(
        AnswerRecord(
            q, "text", 1, 1, 5.0, 30.0, "2026-11-01T10:00:00Z", "2026-11-01T10:01:00Z", text="x"
        )
        for q in QUESTIONS
    )
    manifest = SubmissionManifest(
        KitRef(interview_id, "1", content_hash),
        name,
        f"c{i}@example.org",
        Consent("11" * 32, "2026-11-01T09:59:00Z"),
        answers,
        f"2026-11-{1 + i % 9:02d}T10:05:00Z",
        "0.1.0",
    )
    new = [NewAnswer(q, "text", None, "x", 5.0, 30.0, None, 1, 1) for q in QUESTIONS]
    flags = (Flag("late", "Answered late: over the time limit.", "q1"),) if i % 3 == 0 else ()
    folder = root / "submissions" / f"s{i}"
    folder.mkdir(parents=True)
    record = library.submissions.add(manifest, f"{i:064x}", folder, new, flags)
    assert record is not None
    return record.id


@pytest.fixture(scope="module")
def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fixture]:
    root = tmp_path_factory.mktemp("listing") / "lib"
    library = open_library(root)
    library.interviews.add_definition(HASH, _definition())
    other_hash = "sha256:" + "ef" * 32
    library.interviews.ensure("other-kit", "2", other_hash)  # no definition
    kits = (("panel-demo", HASH), ("other-kit", other_hash))
    subs = [_add(library, root, i, name, kits[i % 2]) for i, name in enumerate(NAMES)]
    panel = panel_service(library)
    people: dict[str, int] = {}
    for name, passphrase in PASS.items():
        people[name] = panel.create_panelist(name, passphrase).reviewer_id
    panel.sign_in(people["Ana"], PASS["Ana"])
    panel.set_blind_mode(panel.scoring.current, True)  # type: ignore[arg-type]

    def actor(name: str) -> Actor:
        return panel.sign_in(people[name], PASS[name])

    ana, ben = actor("Ana"), actor("Ben")
    for n, sub in enumerate(subs):
        answers = panel.answer_ids(submission_id=sub)
        if n % 4 != 3:  # Ana: every answer of most candidates, submitted
            for k, answer in enumerate(answers):
                panel.save_score(ana, answer_id=answer, score=1 + (n + k) % 5)
            panel.submit_candidate(ana, submission_id=sub)
        if n % 2 == 0:  # Ben: a scored draft on the first answer, a note-only draft on the next
            panel.save_score(ben, answer_id=answers[0], score=2)
            panel.save_score(ben, answer_id=answers[1], score=None, note="later")
        if n == 2:  # and one candidate submitted, then corrected
            panel.save_score(ben, answer_id=answers[1], score=3)
            panel.submit_candidate(ben, submission_id=sub)
            panel.correct_score(ben, answer_id=answers[0], score=5, note="", reason="again")
    # A draft overwritten by a later draft (the latest row is the one that counts).
    last = panel.answer_ids(submission_id=subs[-1])
    panel.save_score(ben, answer_id=last[0], score=4)
    panel.save_score(ben, answer_id=last[0], score=None, note="not sure any more")
    decided = subs[2]  # every panelist submitted, then the chair decided: revealed
    cleo = actor("Cleo")
    for answer in panel.answer_ids(submission_id=decided):
        panel.save_score(cleo, answer_id=answer, score=1)
    panel.submit_candidate(cleo, submission_id=decided)
    panel.decide(actor("Ana"), submission_id=decided, decision="advance", reason="Strong")
    # A reviewer outside the panel whose rows have a history the app itself only writes as
    # corrections: the latest row (highest id) is the one that counts, whatever came before
    # (a submitted score and then a note-only draft; a note-only draft and then a scored one).
    solo = library.reviewers.ensure("Solo").id
    first, second = panel.answer_ids(submission_id=subs[4])
    for answer, rows in (
        (first, (("submitted", 3), ("draft", None))),
        (second, (("draft", None), ("draft", 2))),
    ):
        for status, score in rows:
            library.db.execute(
                "INSERT INTO scores (answer_id, reviewer_id, score, note, status, created_at)"
                " VALUES (?, ?, ?, '', ?, '2026-11-02T10:00:00Z')",
                (answer, solo, score, status),
            )
    people["Solo"] = solo
    erased = subs[5]
    with transaction(library.db):
        record_erasure(
            library.db,
            submission_ids=[erased],
            reason_code="candidate_request",
            remove_submissions=True,
        )
    yield Fixture(library, panel, people, subs, erased)
    library.close()


def test_the_rows_are_schema_9s_rows_for_every_reviewer_and_search(fixture: Fixture) -> None:
    lib = fixture.library
    reviewers = [*fixture.people.values(), lib.reviewers.all()[0].id, 999]  # 999: nobody
    seen: set[tuple[int, int]] = set()
    for reviewer in reviewers:
        for search in SEARCHES:
            rows = lib.submissions.entry_rows(reviewer, search)
            assert rows == schema_9_rows(lib, reviewer, search), (reviewer, search)
            seen |= {(r[8], r[9]) for r in rows}
    # The fixture holds what the counts can be: nothing, drafts with and without a score,
    # part and all of a candidate submitted.
    assert {(0, 0), (1, 0), (2, 2)} <= seen
    everyone = lib.submissions.entry_rows(fixture.people["Ana"])
    assert fixture.erased not in {r[0] for r in everyone}
    assert len(everyone) == len(NAMES) - 1
    assert {r[10] for r in everyone} == {True, False}  # one interview has no definition


@pytest.mark.parametrize("sort", ["name", "imported", "status"])
def test_the_services_lists_are_unchanged_with_blind_codes(
    fixture: Fixture, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the window and ``library list`` show (names hidden by blind mode's codes, the
    sort, the search) is the same over the new query as over schema 9's."""
    lib = fixture.library
    service = ReviewerService(lib)
    for name in ("Ana", "Ben", "Cleo", "Solo"):
        if name == "Solo":
            actor = service.actor_for(fixture.people[name])
        else:
            actor = fixture.panel.sign_in(fixture.people[name], PASS[name])
        assert service.blind()  # the panel's blind mode hides the undecided candidates
        lists = {}
        for which in ("new", "old"):
            if which == "old":
                monkeypatch.setattr(
                    SqliteSubmissions,
                    "entry_rows",
                    lambda self, reviewer_id, search="": schema_9_rows(lib, reviewer_id, search),
                )
            lists[which] = [service.listing(actor, search=search, sort=sort) for search in SEARCHES]
            monkeypatch.undo()
        assert lists["new"] == lists["old"]
        shown = {r[3] for r in lists["new"][0].rows}
        assert "ADA LOVELACE" in shown  # the decided candidate, revealed
        assert "Brian Kernighan" not in shown and any(n.startswith("C-") for n in shown)


def _listing_sql(library: Library, search: str) -> str:
    statements = traced(library, lambda: library.submissions.entry_rows(1, search)).statements
    return next(s for s in statements if "FROM submissions s" in s)


@pytest.mark.parametrize("search", ["", "ada"])
def test_the_list_is_read_from_indexes_in_order(fixture: Fixture, search: str) -> None:
    """Schema 10's plan: the submissions from the covering (interview, name, id, e-mail,
    dates) index in list order, no sort; per candidate a search of the answers index and of
    the covering scores index per answer; whether the reviewer has scores at all, one search.
    Nothing materialised, no index built on the fly, no scan of the answers or scores."""
    conn: sqlite3.Connection = fixture.library.db.conn
    sql = _listing_sql(fixture.library, search)
    plan = [str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    assert "SCAN s USING COVERING INDEX submissions_listing" in plan, plan
    assert not [x for x in plan if "TEMP B-TREE" in x or "AUTOMATIC" in x], plan
    assert not [x for x in plan if x.startswith("MATERIALIZE")], plan
    scans = [x for x in plan if x.startswith("SCAN")]
    assert scans == ["SCAN s USING COVERING INDEX submissions_listing"], plan
    on_scores = [x for x in plan if x.startswith("SEARCH") and x.split()[1] in ("scores", "x")]
    assert on_scores == [
        "SEARCH scores USING INDEX scores_reviewer (reviewer_id=?)",
        "SEARCH x USING COVERING INDEX scores_current (answer_id=? AND reviewer_id=?)",
    ], plan
    on_answers = [x for x in plan if x.startswith("SEARCH a ")]
    assert on_answers and all(
        x == "SEARCH a USING COVERING INDEX answers_position (submission_id=?)" for x in on_answers
    ), plan
    assert bad_plan_lines(conn, sql) == []


def test_the_guard_catches_schema_9s_plan(fixture: Fixture) -> None:
    """The plan check above fails the query it replaced (a sort, the score table scanned to
    find one reviewer's rows, an index built on the fly over the marks)."""
    conn = fixture.library.db.conn
    sql = SCHEMA_9_QUERY.format(search_join="", where="")
    plan = [str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, (1,))]
    assert [x for x in plan if "TEMP B-TREE" in x or "AUTOMATIC" in x], plan
    assert [x for x in plan if x.startswith("MATERIALIZE")], plan


def test_the_listing_index_holds_the_list_in_order(fixture: Fixture) -> None:
    """Schema 10's index as schema 12 rebuilt it: ordered by the folded name."""
    conn = fixture.library.db.conn
    info = conn.execute("PRAGMA index_xinfo(submissions_listing)").fetchall()
    keys = [(str(r[2]), str(r[4])) for r in info if r[5]]  # (column, collation) of the keys
    assert keys == [
        ("interview_pk", "BINARY"),
        ("name_key", "BINARY"),
        ("id", "BINARY"),
        ("candidate_name", "BINARY"),
        ("candidate_email", "BINARY"),
        ("imported_at", "BINARY"),
        ("sealed_at", "BINARY"),
    ]
    columns = [str(r[2]) for r in conn.execute("PRAGMA index_info(scores_reviewer)")]
    assert columns == ["reviewer_id"]


def test_schema_10s_indexes_serve_the_list_only(tmp_path: Path) -> None:
    """Every other read path of the panel and the library keeps its plan: neither index of
    schema 10 appears in them (without statistics SQLite would start the shortlist, the
    sign-in check and the audit view from any index on ``reviewer_id``: all of a panelist's
    scores in every interview; the reviewer index is partial so that only the list can)."""
    p = build(tmp_path / "lib", 5)
    try:
        sign_in(p, "Ana")
        checked = 0
        for name, run in read_paths(p).items():
            for sql in traced(p.library, run).statements:
                if not is_query(sql) or name == "library entries":
                    continue
                plan = " ".join(
                    str(r[3]) for r in p.library.db.conn.execute("EXPLAIN QUERY PLAN " + sql)
                )
                assert "scores_reviewer" not in plan, (name, sql)
                assert "submissions_listing" not in plan, (name, sql)
                checked += 1
        assert checked > 20
        # The condition the partial index holds is every row's (the table's CHECK).
        total = p.library.db.execute("SELECT COUNT(*) FROM scores").fetchone()[0]
        indexed = p.library.db.execute(
            "SELECT COUNT(*) FROM scores INDEXED BY scores_reviewer"
            " WHERE reviewer_id > 0 AND status IN ('draft', 'submitted')"
        ).fetchone()[0]
        assert total == indexed > 0
    finally:
        p.library.close()
