"""Issue 17: an empty library's first frame shows its hint, not the library tree (the tree's
dozen widgets, its model and their Qt classes were ~13 M instructions of that frame). The tree
and its model are made with the first rows or search, or right after the first frame, or at
the first touch of either: complete (in the Tab order after the sort, with its menu), and the
library is measured alike before and after (its width, its first page of rows).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTreeView
from pytestqt.qtbot import QtBot

from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from onetake_desktop.storage.library import open_library
from onetake_desktop.ui.reviewer.library_model import LibraryModel
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.first_paint_probe import AtFirstPaint
from tests.ui.test_panel_window import NAMES, make_library


def _empty_window(qtbot: QtBot, root: Path) -> ReviewerWindow:
    window = ReviewerWindow(open_reviewer_service(root))  # as `onetake review` opens it
    qtbot.addWidget(window)
    window.resize(1024, 600)
    return window


def _assert_tree_after_sort(window: ReviewerWindow) -> None:
    ring = window._tab_ring()
    at = ring.index(window.search)
    # (The empty library's Import button, shown instead of the tree, comes after it.)
    assert ring[at : at + 5] == [
        window.search,
        window.sort,
        window.tree,
        window.empty_import,
        window.card_toggle,
    ]


def test_an_empty_library_paints_its_hint_first_and_the_tree_follows(
    tmp_path: Path, qtbot: QtBot
) -> None:
    window = _empty_window(qtbot, tmp_path / "lib")
    watch = AtFirstPaint(window, lambda: window.library_view_built)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: watch.built is not None)
    assert watch.built is False  # the hint alone in the library's first frame
    qtbot.waitUntil(lambda: window.library_view_built)  # then right after it
    assert window.empty_hint.isVisible()
    assert not window.tree.isVisible()
    assert window.model.rowCount() == 0
    _assert_tree_after_sort(window)
    # Privacy's menu on the tree (Keep longer, Erase...) is hooked as the tree is made.
    assert window.tree.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    window.close()


@pytest.mark.parametrize("size", [(1024, 600), (911, 512), (1366, 768)])
def test_the_library_is_measured_alike_before_and_after_the_tree_is_made(
    tmp_path: Path, qtbot: QtBot, size: tuple[int, int]
) -> None:
    """The library's share of the width, from the pane's font and a scroll bar of its own,
    is the tree's; its first page, measured with no room for the tree's header, holds at
    least the rows the tree's first frame shows."""
    window = _empty_window(qtbot, tmp_path / "lib")
    window.resize(*size)
    assert not window.library_view_built
    width, rows = window._library_width(), window._first_frame_rows()
    metrics, bar = window._tree_metrics(), window._tree_bar_hint()
    window._ensure_library_view()
    assert window.library_view_built
    assert window.tree.fontMetrics().height() == metrics.height()
    assert window.tree.fontMetrics().averageCharWidth() == metrics.averageCharWidth()
    assert window.tree.verticalScrollBar().sizeHint() == bar
    assert window._library_width() == width
    exact = window._first_frame_rows()
    assert rows >= exact
    window.close()


def test_an_ask_for_the_tree_while_it_is_made_makes_no_second_one(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Something run while the tree is being made (here: in the model's first call, after
    its signal is connected) that asks for the library's view again gets no second tree."""
    window = _empty_window(qtbot, tmp_path / "lib")
    assert not window.library_view_built
    asked: list[bool] = []  # whether the view was there right after the ask
    real_set_compact = LibraryModel.set_compact

    def set_compact_asking_again(model: LibraryModel, on: bool) -> None:
        if not asked:  # one ask, in the middle of the making
            asked.append(False)
            window._ensure_library_view()
            asked[0] = window.library_view_built
        real_set_compact(model, on)

    monkeypatch.setattr(LibraryModel, "set_compact", set_compact_asking_again)
    window._ensure_library_view()
    assert asked == [False]  # the ask came while it was being made, and made nothing
    assert window.library_pane.findChildren(QTreeView) == [window.tree]
    assert window.tree.model() is window.model
    window.close()


def test_rows_that_come_to_an_empty_window_are_in_a_complete_tree_and_score_by_keyboard(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """An import's reload (another connection adds candidates) makes the tree with the rows,
    before the window is ever painted; then an answer is chosen and scored by keyboard alone."""
    root = tmp_path / "lib"
    window = ReviewerWindow(ReviewerService(open_library(root)))
    qtbot.addWidget(window)
    window.resize(1024, 600)
    assert not window.library_view_built  # empty: no tree
    make_library(root)  # candidates arrive, as an import adds them
    window.reload_library()
    assert window.library_view_built
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    assert window.tree.isVisible() and not window.empty_hint.isVisible()
    assert sorted(name for name, _ in window.candidate_rows()) == sorted(NAMES)
    _assert_tree_after_sort(window)
    assert window.tree.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    assert window.focusWidget() is window.tree  # keys start on the library, as built whole
    for _ in range(3):  # down the interview, to its first candidate, whose first answer shows
        if window.view is None:
            QTest.keyClick(window.tree, Qt.Key.Key_Down)
            qtbot.wait(30)
    qtbot.waitUntil(lambda: window.view is not None)
    answer = window.current_answer_id
    assert answer is not None
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_4)
    actor = window.service.actor_for(window.current_reviewer_id)
    qtbot.waitUntil(lambda: window.rubric.score() == 4)
    saved = window.service.my_score(actor, answer_id=answer)
    assert saved is not None and saved.score == 4
    window.close()


def test_the_written_answer_view_is_made_with_the_first_written_answer_in_its_place(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The player's text view (seven widgets) is no part of an empty library's first frame: a
    plain page with a text view's size hint stands for it, so the stack measures the same;
    the first written answer makes it, in that page's place and Tab position (before the
    timeline), showing the words, read-only."""
    library, _, _ = make_library(tmp_path / "lib")
    window = ReviewerWindow(ReviewerService(library))
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    qtbot.waitExposed(window)
    player = window.player
    assert player._text is None
    hints = (player.stack.sizeHint(), player.stack.minimumSizeHint())
    count = player.stack.count()
    window.step_answer(+1)  # a written answer (the library's are text)
    text = player._text
    assert text is not None and player.stack.currentWidget() is text
    assert text.isVisible() and text.isReadOnly()
    assert "When the release broke on a Friday" in text.toPlainText()
    assert player.stack.count() == count and player.stack.indexOf(text) == count - 1
    ring = window._tab_ring()
    assert ring[ring.index(window.card_toggle) + 1 : ring.index(player.slider) + 1] == [
        text,
        player.slider,
    ]
    player.clear()  # the placeholder again: the text view measures as its stand-in did
    assert player.stack.currentWidget() is player.placeholder
    assert text.toPlainText() == ""  # no answer's words left in a hidden view (the lock)
    assert (player.stack.sizeHint(), player.stack.minimumSizeHint()) == hints
    window.close()
