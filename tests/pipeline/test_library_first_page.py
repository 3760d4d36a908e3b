"""The first page of the library's list (issue 17): a window's first frame reads the first
rows of the list only, the rest right after. A page and its rest are the whole list, row for
row; the counts of every interview are those of the whole list; the name order of every
library comes in pages, accented and NUL names too (schema 12 orders by the folded name);
blind codes, a search or another sort: the whole list at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from onetake_desktop.domain.search import fold
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.library import (
    EntryRow,
    InterviewCount,
    Library,
    candidate_status,
    open_library,
)
from tests.pipeline.test_library_listing_query import (  # noqa: F401 (the module's fixture)
    Fixture,
    _add,
    fixture,
)
from tests.pipeline.test_panel_service import HASH, _definition
from tests.pipeline.test_scoring_policy import PASS, panel_service


def _counts(rows: list[EntryRow]) -> list[InterviewCount]:
    """What entry_counts must say, from the whole list."""
    out: dict[int, list[object]] = {}
    for r in rows:
        entry = out.setdefault(r[1], [r[1], r[2], r[10], 0, 0])
        entry[3] = int(str(entry[3])) + 1
        entry[4] = int(str(entry[4])) + (candidate_status(r[7], r[8], r[9]) == "submitted")
    return [tuple(v) for _, v in sorted(out.items())]  # type: ignore[misc]


def _key(row: EntryRow) -> tuple[int, str, int]:
    return (row[1], fold(row[3]), row[0])


def test_pages_of_the_list_join_to_the_whole_list(fixture: Fixture) -> None:  # noqa: F811
    subs = fixture.library.submissions
    for reviewer in [*fixture.people.values(), 999]:
        for search in ("", "ada"):
            whole = subs.entry_rows(reviewer, search)
            assert whole
            for k in range(1, len(whole) + 2):
                page = subs.entry_rows(reviewer, search, limit=k)
                assert page == whole[:k], (reviewer, search, k)
                rest = subs.entry_rows(reviewer, search, after=_key(page[-1]))
                assert page + rest == whole, (reviewer, search, k)


def test_each_interviews_counts_are_the_whole_lists(fixture: Fixture) -> None:  # noqa: F811
    subs = fixture.library.submissions
    seen = set()
    for reviewer in [*fixture.people.values(), 999]:
        counts = subs.entry_counts(reviewer)
        assert counts == _counts(subs.entry_rows(reviewer)), reviewer
        seen |= {c[4] for c in counts}
    assert len(seen) > 1  # some reviewer submitted candidates, another none


def test_the_listing_index_serves_a_page_and_its_rest(fixture: Fixture) -> None:  # noqa: F811
    conn = fixture.library.db.conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        fixture.library.submissions.entry_rows(1, limit=3)
        fixture.library.submissions.entry_rows(1, after=(1, "a", 1))
    finally:
        conn.set_trace_callback(None)
    for sql in (s for s in statements if "FROM submissions s" in s):
        plan = [str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql)]
        assert not [x for x in plan if "TEMP B-TREE" in x or "AUTOMATIC" in x], plan
        assert any("COVERING INDEX submissions_listing" in x for x in plan), plan


def test_one_interviews_count_is_the_tables(tmp_path: Path) -> None:
    """A reviewer with no score, all candidates in one interview: the count comes from the
    table's count (and an empty library has no interview to count)."""
    library = open_library(tmp_path / "empty")
    try:
        assert library.submissions.entry_counts(999) == []
    finally:
        library.close()
    library, ids = _library(tmp_path / "lib", ASCII_NAMES)
    try:
        counts = library.submissions.entry_counts(999)
        assert counts == _counts(library.submissions.entry_rows(999))
        assert counts[0][3] == len(ids)
    finally:
        library.close()


def _library(root: Path, names: tuple[str, ...]) -> tuple[Library, list[int]]:
    library = open_library(root)
    library.interviews.add_definition(HASH, _definition())
    kit = ("panel-demo", HASH)
    return library, [_add(library, root, i, name, kit) for i, name in enumerate(names)]


# Case ties, punctuation between the cases' letters, a control character.
ASCII_NAMES = ("bob", "Bob", "BOB", "_under", "a_b", "aB", "Ab", "zed", "x\x01y", "", "Bob")


@pytest.mark.parametrize(
    "extra", ["", "Ångström", "nul\0name", "Zoë", "ÉMILE", "Straße", "Łukasz", "ﬁona"]
)
def test_every_name_order_comes_in_pages(tmp_path: Path, extra: str) -> None:
    """Before schema 12, only names that SQLite's NOCASE ordered as Python's casefold came
    in pages: one accented name made a large library's first frame read the whole list."""
    library, ids = _library(tmp_path / "lib", (*ASCII_NAMES, extra))
    try:
        service = ReviewerService(library)
        actor = service.actor_for(service.reviewer_named(None).id)
        # The reviewer's work shows in the counts: one candidate submitted, one a draft.
        for sid, submit in ((ids[0], True), (ids[1], False)):
            for answer in library.submissions.answers(sid):
                service.save_score(actor, answer_id=answer.id, score=3, note="")
            if submit:
                service.submit_candidate(actor, submission_id=sid)
        whole = service.entry_rows(actor)
        flags = service.all_flags()
        assert len(flags) > 2  # every third candidate (_add)
        assert [r[3] for r in whole] == sorted((r[3] for r in whole), key=fold), (
            "the list's own order"
        )
        for first in range(1, len(whole) + 2):
            page = service.entry_page(actor, first=first)
            if first >= len(whole):
                assert page.rest is None and page.rows == whole
                assert page.flags == flags
                continue
            assert page.rest is not None
            assert page.rows == whole[:first]
            # The page's flagged candidates' flags (the rest's come with the rest).
            assert page.flags == {r[0]: flags[r[0]] for r in page.rows if r[0] in flags}
            assert page.interviews == _counts(whole)
            assert page.interviews[0][4] == 1
            rest = page.rest()
            assert rest.rest is None
            assert page.rows + rest.rows == whole
            assert {**page.flags, **rest.flags} == flags
        # A search or another sort: the whole list at once.
        for kwargs in ({"search": "bob"}, {"sort": "imported"}, {"sort": "status"}):
            page = service.entry_page(actor, first=1, **kwargs)  # type: ignore[arg-type]
            assert page.rest is None
            assert page.rows == service.entry_rows(actor, **kwargs)  # type: ignore[arg-type]
        assert service.entry_page(actor, first=None).rows == whole
    finally:
        library.close()


def test_blind_codes_come_whole(fixture: Fixture) -> None:  # noqa: F811
    """The fixture's panel hides undecided candidates behind codes: no page, the codes'
    order, no name."""
    service = ReviewerService(fixture.library)
    actor = service.actor_for(fixture.people["Solo"])
    assert service.blind()
    page = service.entry_page(actor, first=1)
    assert page.rest is None
    assert page.rows == service.entry_rows(actor)
    codes = {fixture.subs[0]: "X-1"}
    assert service.entry_page(actor, first=1, codes=codes).rows == service.entry_rows(
        actor, codes=codes
    )


@pytest.mark.parametrize("same_connection", [True, False])
def test_names_the_panel_hides_by_the_rest_stay_hidden(
    tmp_path: Path, same_connection: bool
) -> None:
    """The rest of a page is read later: should the panel's blind mode hide candidates by
    then (set through this connection or another: the panel's window, another process),
    the library changed, and the rest is the whole list again, with their codes, never their
    names or emails, and says which rows it shows by a code."""
    library, _ = _library(tmp_path / "lib", ASCII_NAMES)
    other = open_library(tmp_path / "lib")
    try:
        panel = panel_service(library)
        ana = panel.create_panelist("Ana", PASS["Ana"], chair=True)
        panel.set_blind_mode(ana, False)
        service = ReviewerService(library)
        assert not service.blind()
        page = service.entry_page(ana, first=2)
        assert page.rest is not None
        if same_connection:
            panel.set_blind_mode(ana, True)
        else:
            other_panel = panel_service(other)
            other_ana = other_panel.sign_in(ana.reviewer_id, PASS["Ana"])
            other_panel.set_blind_mode(other_ana, True)
        codes = service.hidden_codes()
        assert codes
        rest = page.rest()
        assert rest.whole and rest.hidden == codes
        assert rest.rows == service.entry_rows(ana)
        for row in rest.rows:
            assert row[3] == codes[row[0]] and row[4] == ""
    finally:
        other.close()
        library.close()


def test_a_rest_read_after_another_connections_commit_is_the_whole_list(tmp_path: Path) -> None:
    """An import commits on its own connection (``onetake review bundle.onetake`` imports on
    a worker thread) between the page and its rest: rows after the page's last one would
    miss a candidate sorting before it. The rest is then the whole list, to show instead of
    the page; with no commit in between it is the rows after the page, as before."""
    root = tmp_path / "lib"
    library, _ = _library(root, ("Bea", "Cy", "Dee", "Eve"))
    importer = open_library(root)  # the import's own connection
    try:
        service = ReviewerService(library)
        actor = service.actor_for(service.reviewer_named(None).id)
        quiet = service.entry_page(actor, first=2)
        assert quiet.rest is not None
        rest = quiet.rest()
        assert not rest.whole and quiet.rows + rest.rows == service.entry_rows(actor)
        page = service.entry_page(actor, first=2)
        assert page.rest is not None
        _add(importer, root, 10, "Aaron", ("panel-demo", HASH))  # before the page's last row
        rest = page.rest()
        whole = service.entry_rows(actor)
        assert rest.whole and rest.rows == whole and len(whole) == 5
        assert rest.flags == service.all_flags()
    finally:
        importer.close()
        library.close()


def test_a_page_read_while_another_connection_commits_is_the_whole_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit between the page's rows and its counts: the page would not agree with its
    counts (an interview with no row counted, or a row with no interview). The whole list
    instead, in one read."""
    from onetake_desktop.storage.library import SqliteSubmissions

    root = tmp_path / "lib"
    library, _ = _library(root, ("Bea", "Cy", "Dee", "Eve"))
    importer = open_library(root)
    entry_counts = SqliteSubmissions.entry_counts

    def counts_after_an_import(self: SqliteSubmissions, reviewer_id: int) -> object:
        if self is library.submissions:
            _add(importer, root, 10, "Aaron", ("panel-demo", HASH))
        return entry_counts(self, reviewer_id)

    try:
        service = ReviewerService(library)
        actor = service.actor_for(service.reviewer_named(None).id)
        monkeypatch.setattr(SqliteSubmissions, "entry_counts", counts_after_an_import)
        page = service.entry_page(actor, first=2)
        monkeypatch.undo()
        assert page.rest is None
        assert page.rows == service.entry_rows(actor) and len(page.rows) == 5
    finally:
        importer.close()
        library.close()


def test_names_sort_without_case_or_accents_and_follow_a_rename(tmp_path: Path) -> None:
    """What a reviewer sees in "Sort by Name": Émile between Emil and Emma, Ångström with
    the A's (NOCASE put both after Zoë); a name written again is sorted again."""
    names = ("Zoë", "Emma", "Ångström", "Emil", "Émile", "adam", "Straße", "strasse")
    library, ids = _library(tmp_path / "lib", names)
    try:
        service = ReviewerService(library)
        actor = service.actor_for(service.reviewer_named(None).id)
        shown = [r[3] for r in service.entry_rows(actor)]
        assert shown == ["adam", "Ångström", "Emil", "Émile", "Emma", "Straße", "strasse", "Zoë"]
        assert [r[3] for r in service.entry_page(actor, first=3).rows] == shown[:3]
        library.db.execute(
            "UPDATE submissions SET candidate_name = 'Aaron' WHERE id = ?", (ids[0],)
        )
        shown = [r[3] for r in service.entry_rows(actor)]
        assert shown[0] == "Aaron"
        keys = library.db.execute("SELECT candidate_name, name_key FROM submissions").fetchall()
        assert all(key == fold(name) for name, key in keys)
    finally:
        library.close()


def test_a_library_of_schema_11_is_given_its_name_keys(tmp_path: Path) -> None:
    """Opening a library an older OneTake wrote: every name gets its key, the listing index
    is rebuilt on it, and the list and its pages come in the folded names' order."""
    from onetake_desktop.storage.db import schema_version
    from tests.pipeline.older_library import library_at_schema

    root = tmp_path / "lib"
    old = library_at_schema(root, 11)
    old.interviews.add_definition(HASH, _definition())
    names = ("Zoë", "Émile", "emil", "Ångström", "Bob")
    for i, name in enumerate(names):
        _add(old, root, i, name, ("panel-demo", HASH))
    old.close()

    library = open_library(root)
    try:
        assert schema_version(library.db) >= 12
        keys = library.db.execute("SELECT candidate_name, name_key FROM submissions").fetchall()
        assert sorted(keys) == sorted((n, fold(n)) for n in names)
        service = ReviewerService(library)
        actor = service.actor_for(service.reviewer_named(None).id)
        whole = [r[3] for r in service.entry_rows(actor)]
        assert whole == ["Ångström", "Bob", "emil", "Émile", "Zoë"]
        page = service.entry_page(actor, first=2)
        assert page.rest is not None
        assert [r[3] for r in page.rows + page.rest().rows] == whole
    finally:
        library.close()


def test_a_connection_without_the_fold_cannot_write_a_name_out_of_order(tmp_path: Path) -> None:
    """The triggers that keep name_key call the app's fold: a connection without it (another
    program) fails to write a name, rather than write one the list would misplace."""
    import sqlite3

    library, ids = _library(tmp_path / "lib", ("Bob", "Zoë"))
    library.close()
    db = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3")
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such function: onetake_fold"):
            db.execute("UPDATE submissions SET candidate_name = 'Aaron' WHERE id = ?", (ids[1],))
        rows = db.execute("SELECT candidate_name, name_key FROM submissions ORDER BY id").fetchall()
        assert rows == [("Bob", "bob"), ("Zoë", "zoe")]
    finally:
        db.close()


def test_a_page_and_its_rest_join_even_if_a_stored_key_is_not_todays_fold(
    tmp_path: Path,
) -> None:
    """A key written under another Unicode version (a newer Python folds a character that
    was unassigned before) may differ from today's fold: the next page starts from the key
    as stored, so no candidate is skipped or shown twice."""
    library, ids = _library(tmp_path / "lib", ("b1", "b2", "b3", "zed", "c1", "c2"))
    try:
        library.db.execute("UPDATE submissions SET name_key = 'b2z' WHERE id = ?", (ids[3],))
        service = ReviewerService(library)
        actor = service.actor_for(service.reviewer_named(None).id)
        whole = [r[0] for r in service.entry_rows(actor)]
        assert whole == [ids[0], ids[1], ids[3], ids[2], ids[4], ids[5]]  # the stored order
        for first in range(1, len(whole)):
            page = service.entry_page(actor, first=first)
            assert page.rest is not None
            assert [r[0] for r in page.rows + page.rest().rows] == whole, first
    finally:
        library.close()
