"""Issue 17: the reviewer window's first frame reads the first rows of a large library only
(``ReviewerService.entry_page``) and the rest right after that frame; the tree then holds
every candidate, in the list's order, with the counts of them all from the first frame."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import EntryPage, EntryRow, ReviewerService
from onetake_desktop.storage.library import SqliteSubmissions
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.test_panel_window import HASHER, NAMES, make_library

if TYPE_CHECKING:
    from onetake_desktop.storage.library import Library
    from onetake_desktop.ui.reviewer.library_model import LibraryModel


def test_the_first_frame_reads_a_page_and_the_rest_follows(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, _, _ = make_library(tmp_path / "lib")
    reads: list[dict[str, Any]] = []
    entry_rows = SqliteSubmissions.entry_rows

    def spy(self: SqliteSubmissions, *args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs)
        return entry_rows(self, *args, **kwargs)

    monkeypatch.setattr(SqliteSubmissions, "entry_rows", spy)
    monkeypatch.setattr(ReviewerWindow, "_first_frame_rows", lambda self: 2)
    rng = random.Random(5)
    service = ReviewerService(library)
    window = ReviewerWindow(
        service,
        panel_service=PanelService(library, ManualClock(), lambda: rng.getrandbits(62), HASHER),
    )
    qtbot.addWidget(window)
    assert reads == [{"limit": 3}]  # two rows and one to tell whether there are more
    model = window.model
    interview = model.index(0, 0)
    assert model.rowCount(interview) == 2
    assert model.interview_status(0) == f"0/{len(NAMES)} submitted"  # every candidate's count
    assert not model.showing_all()
    window.show()
    qtbot.waitUntil(model.showing_all)  # right after the first paint
    assert len(reads) == 2 and "after" in reads[1]
    assert model.rowCount(interview) == len(NAMES)
    actor = service.actor_for(window.current_reviewer_id)
    whole = service.entry_rows(actor)
    assert model.submission_ids() == [r[0] for r in whole]
    assert [name for name, _ in window.candidate_rows()] == [r[3] for r in whole]
    assert model.interview_status(0) == f"0/{len(NAMES)} submitted"
    window.close()


def test_an_interview_the_first_page_does_not_reach_is_open_with_its_count(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two interviews, a page of one row: the second interview is in the first frame with
    the count of all its candidates, and open with every one of them right after."""
    from onetake_desktop.storage.library import open_library
    from tests.pipeline.test_library_listing_query import _add
    from tests.pipeline.test_panel_service import HASH, _definition

    root = tmp_path / "lib"
    library = open_library(root)
    library.interviews.add_definition(HASH, _definition())
    other = "sha256:" + "ef" * 32
    library.interviews.ensure("other-kit", "2", other)  # no definition
    kits = (("panel-demo", HASH), ("other-kit", other))
    names = ("Ann", "bob", "Cy", "dee", "Eve")
    for i, name in enumerate(names):
        _add(library, root, i, name, kits[i % 2])
    monkeypatch.setattr(ReviewerWindow, "_first_frame_rows", lambda self: 1)
    service = ReviewerService(library)
    window = ReviewerWindow(service)
    qtbot.addWidget(window)
    model = window.model
    assert model.rowCount() == 2
    assert [model.rowCount(model.index(i, 0)) for i in (0, 1)] == [1, 0]
    assert [model.interview_status(i) for i in (0, 1)] == ["0/3 submitted", "0/2 submitted"]
    assert "(definition missing)" in str(model.index(1, 0).data())
    window.show()
    qtbot.waitUntil(model.showing_all)
    assert [model.rowCount(model.index(i, 0)) for i in (0, 1)] == [3, 2]
    assert all(window.tree.isExpanded(model.index(i, 0)) for i in (0, 1))
    whole = service.entry_rows(service.actor_for(window.current_reviewer_id))
    assert model.submission_ids() == [r[0] for r in whole]
    assert [model.interview_status(i) for i in (0, 1)] == ["0/3 submitted", "0/2 submitted"]
    window.close()
    library.close()


def _row(sid: int, name: str, submitted: bool) -> EntryRow:
    """A candidate of interview 1 with two answers, both submitted or neither scored."""
    done = 2 if submitted else 0
    return (sid, 1, "Support lead (v1)", name, f"{name}@example.org", "", "", 2, done, done, True)


def _paged_model(rest: Callable[[], EntryPage]) -> LibraryModel:
    """A model holding a first page of two rows (of three) whose rest is ``rest``."""
    from onetake_desktop.ui.reviewer.library_model import LibraryModel

    model = LibraryModel(lambda _sid: [])
    rows = [_row(1, "Ann", False), _row(2, "Bob", False)]
    model.set_page(EntryPage(rows, {}, [(1, "Support lead (v1)", True, 3, 0)], rest))
    return model


def test_a_rest_that_fails_stays_pending_and_is_read_again(qapp: Any) -> None:
    """The rest fails (a locked database): the error goes up, the model does not claim to
    show every row, and the next lookup reads the rest again: nothing is lost."""
    reads: list[str] = []

    def rest() -> EntryPage:
        reads.append("rest")
        if len(reads) == 1:
            raise sqlite3.OperationalError("database is locked")
        return EntryPage([_row(3, "Cy", False)], {}, [], None)

    model = _paged_model(rest)
    with pytest.raises(sqlite3.OperationalError):
        model.show_all()
    assert not model.showing_all()
    assert model.submission_ids() == [1, 2, 3]  # read again
    assert model.showing_all() and reads == ["rest", "rest"]
    assert model.interview_status(0) == "0/3 submitted"


def test_counting_candidates_first_does_not_skip_the_recount(qapp: Any) -> None:
    """candidate_count() reads the rest (to count it): show_all() still counts each
    interview from its rows afterwards, as it does when it reads the rest itself."""

    def rest() -> EntryPage:
        return EntryPage([_row(3, "Cy", True)], {}, [], None)

    for count_first in (False, True):
        model = _paged_model(rest)  # the page said 0 of 3 submitted; Cy is, by now
        if count_first:
            assert model.candidate_count() == 3
        model.show_all()
        assert model.interview_status(0) == "1/3 submitted", count_first


def _four_candidates(tmp_path: Path) -> tuple[Path, Library]:
    from onetake_desktop.storage.library import open_library
    from tests.pipeline.test_library_listing_query import _add
    from tests.pipeline.test_panel_service import HASH, _definition

    root = tmp_path / "lib"
    library = open_library(root)
    library.interviews.add_definition(HASH, _definition())
    library.interviews.ensure("other-kit", "2", OTHER)  # no candidate yet
    for i, name in enumerate(("Bea", "Cy", "Dee", "Eve")):
        _add(library, root, i, name, ("panel-demo", HASH))
    return root, library


OTHER = "sha256:" + "ef" * 32


@pytest.mark.parametrize(("name", "kit"), [("Aaron", "panel-demo"), ("Zed", "other-kit")])
@pytest.mark.parametrize("count_first", [False, True])
def test_an_import_between_the_first_frame_and_the_rest_shows_whole(
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    kit: str,
    count_first: bool,
) -> None:
    """``onetake review bundle.onetake`` imports on a worker thread, on its own connection,
    while the first frame (a page of two rows) is painted: a candidate it adds before the
    page's last row, or in an interview the page had no candidate of, is in the tree once
    the rest is read, every interview open and counted as the whole list says (also when a
    count of the candidates read the rest first)."""
    from onetake_desktop.storage.library import open_library
    from tests.pipeline.test_library_listing_query import _add
    from tests.pipeline.test_panel_service import HASH

    root, library = _four_candidates(tmp_path)
    monkeypatch.setattr(ReviewerWindow, "_first_frame_rows", lambda self: 2)
    service = ReviewerService(library)
    window = ReviewerWindow(service)
    qtbot.addWidget(window)
    importer = open_library(root)
    try:
        _add(importer, root, 10, name, (kit, HASH if kit == "panel-demo" else OTHER))
    finally:
        importer.close()
    model = window.model
    if count_first:
        assert model.candidate_count() == 5
    window.show()
    qtbot.waitUntil(model.showing_all)
    whole = service.entry_rows(service.actor_for(window.current_reviewer_id))
    assert model.submission_ids() == [r[0] for r in whole]
    statuses = [model.interview_status(i) for i in range(model.rowCount())]
    assert statuses == (
        ["0/5 submitted"] if kit == "panel-demo" else ["0/4 submitted", "0/1 submitted"]
    )
    assert all(window.tree.isExpanded(model.index(i, 0)) for i in range(model.rowCount()))
    assert window.tree.isVisible()
    window.close()
    library.close()


def test_a_rest_that_fails_after_the_first_frame_is_reported_and_read_later(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rest's read fails right after the first frame: the error reaches the excepthook
    (in the app: logged, and one sentence shown, as any failed read of the library), the
    tree does not claim to show everyone, and the next lookup shows them all."""
    _, library = _four_candidates(tmp_path)
    monkeypatch.setattr(ReviewerWindow, "_first_frame_rows", lambda self: 2)
    service = ReviewerService(library)
    entry_page = ReviewerService.entry_page
    failures: list[str] = []

    def page_whose_rest_fails_once(self: ReviewerService, *args: Any, **kwargs: Any) -> EntryPage:
        page = entry_page(self, *args, **kwargs)
        rest = page.rest
        if rest is None:
            return page

        def failing_once() -> EntryPage:
            if not failures:
                failures.append("locked")
                raise sqlite3.OperationalError("database is locked")
            return rest()

        return page._replace(rest=failing_once)

    monkeypatch.setattr(ReviewerService, "entry_page", page_whose_rest_fails_once)
    window = ReviewerWindow(service)
    qtbot.addWidget(window)
    with qtbot.capture_exceptions() as exceptions:
        window.show()
        qtbot.waitUntil(lambda: bool(failures))
        qtbot.wait(10)
    assert [type(e[1]) for e in exceptions] == [sqlite3.OperationalError]
    model = window.model
    assert not model.showing_all()
    assert model.interview_status(0) == "0/4 submitted"  # the page's count, of them all
    whole = service.entry_rows(service.actor_for(window.current_reviewer_id))
    assert model.submission_ids() == [r[0] for r in whole]  # read again
    assert model.showing_all()
    window.close()
    library.close()


@pytest.mark.parametrize("whole", [False, True])
def test_rows_the_rest_shows_by_a_code_say_so_in_their_tooltip(qapp: Any, whole: bool) -> None:
    """Blind mode came on before the rest was read: its rows show a code, and their
    tooltip says the name is hidden, never "code <>"."""
    hidden = {3: "X-3"} if not whole else {1: "X-1", 2: "X-2", 3: "X-3"}

    def rest() -> EntryPage:
        rows = [_row(sid, code, False) for sid, code in sorted(hidden.items())]
        rows = [(r[0], r[1], r[2], r[3], "", *r[5:]) for r in rows]
        return EntryPage(rows, {}, [], None, hidden, whole)

    model = _paged_model(rest)
    model.show_all()
    for sid in hidden:
        index = model.candidate_index(sid)
        tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
        assert "Name hidden (blind mode)" in tooltip and "X-" not in tooltip, tooltip
