"""Issue 17: the reviewer window's scoring page (candidate, rubric, note, recommendation,
submit) is no part of its first frame, which shows the pane's hint until an answer is chosen.
It is built right after that frame, or at the first touch of any of its parts, complete: the
same widgets in the same Tab order, and every key that reaches it works from the first frame.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.first_paint_probe import AtFirstPaint
from tests.ui.test_panel_window import make_library


def _window(qtbot: QtBot, root: Path) -> ReviewerWindow:
    library, _, _ = make_library(root)
    window = ReviewerWindow(ReviewerService(library))
    qtbot.addWidget(window)
    window.resize(1024, 600)
    return window


def test_the_first_frame_is_painted_before_the_scoring_page_and_it_follows(
    tmp_path: Path, qtbot: QtBot
) -> None:
    window = _window(qtbot, tmp_path / "lib")
    watch = AtFirstPaint(window, lambda: bool(window.__dict__["_scoring_page_built"]))
    before = set(window.__dict__)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: watch.built is not None)
    assert watch.built is False  # the hint alone in the pane's first frame
    qtbot.waitUntil(lambda: window.__dict__["_scoring_page_built"])  # then right after
    # What building it sets is exactly the list that makes a touch build it.
    assert set(window.__dict__) - before >= ReviewerWindow.SCORING_PAGE_ATTRIBUTES
    assert window.scoring_pane.currentWidget() is window.scoring_hint
    assert window.candidate_label.text() == "No candidate selected"
    assert not window.submit_button.isEnabled()
    assert not any(b.isEnabled() for b in window.recommend_buttons.values())
    window.close()


def test_a_touch_before_the_first_frame_builds_the_page_complete(
    tmp_path: Path, qtbot: QtBot
) -> None:
    window = _window(qtbot, tmp_path / "lib")
    assert not window.__dict__["_scoring_page_built"]
    rubric = window.rubric  # any part: the whole page
    assert window.__dict__["_scoring_page_built"]
    assert set(window.__dict__) >= ReviewerWindow.SCORING_PAGE_ATTRIBUTES
    assert rubric.pins_box is window.pin_notes  # the notes under the player are the rubric's
    window.close()


def test_the_page_sits_in_the_tab_order_where_the_window_built_whole_had_it(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """Built whole, Tab went from the player's last button through the scoring page (its
    score buttons, note, recommendation and submit) to the notes at moments."""
    window = _window(qtbot, tmp_path / "lib")
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.__dict__["_scoring_page_built"])
    window.step_answer(+1)  # an answer on screen: the page is shown
    scroll = window.scoring_scroll
    ring: list[QWidget] = window._tab_ring()  # (the notes at moments hide for text answers)
    page = [w for w in ring if w is scroll or scroll.isAncestorOf(w)]
    first = ring.index(page[0])
    assert ring[first : first + len(page)] == page  # together
    assert page[-1] is window.submit_button
    assert ring[first + len(page)] is window.pin_notes.toggle
    assert window.player.isAncestorOf(ring[first - 1])
    buttons = window.rubric.buttons
    scores = [w for w in page if w in buttons.values()]
    assert scores == [buttons[s] for s in (5, 4, 3, 2, 1)]
    window.close()


def test_keys_on_the_page_work_from_the_first_frame(tmp_path: Path, qtbot: QtBot) -> None:
    """Ctrl+1..4 with no answer do nothing; the first answer chosen shows the page whole and
    its keys (a score, a recommendation) save."""
    window = _window(qtbot, tmp_path / "lib")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.view is None
    window.step_answer(+1)
    assert window.scoring_pane.currentWidget() is window.scoring_content
    window.rubric.setFocus()
    window.rubric.choose(4)
    assert window.rubric.score() == 4
    window.recommend_actions["strong_yes"].trigger()
    assert window.recommend_buttons["strong_yes"].isChecked()
    window.close()


def test_every_label_of_the_panes_is_plain_text_before_any_answer_shows(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The sweep that makes every label of the panes plain text comes with the scoring page
    (after the first frame, where no answer is shown); an answer shown before that frame
    builds the page, and so the sweep, before it sets any outside text."""
    from PySide6.QtWidgets import QLabel

    window = _window(qtbot, tmp_path / "lib")
    assert not window.__dict__["_scoring_page_built"]
    seen: list[tuple[str, Qt.TextFormat]] = []
    original = window._show_flags

    def formats_when_shown(submission_id: int, question_id: str) -> None:
        # Every label's format at the first outside text shown (the question's, the flags').
        seen.extend((lb.text(), lb.textFormat()) for lb in window.splitter.findChildren(QLabel))
        original(submission_id, question_id)

    window._show_flags = formats_when_shown  # type: ignore[method-assign]
    sid = window.service.entries(window.service.actor_for(window.current_reviewer_id))[
        0
    ].submission_id
    window.show_answer(window.service.answers(sid)[0].id)  # before the first frame
    assert seen, "the answer was not shown"
    assert all(fmt == Qt.TextFormat.PlainText for _, fmt in seen), seen
    assert all(
        lb.textFormat() == Qt.TextFormat.PlainText for lb in window.splitter.findChildren(QLabel)
    )
    window.close()


def test_after_the_first_frame_every_label_of_the_panes_is_plain_text(
    tmp_path: Path, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import QLabel

    window = _window(qtbot, tmp_path / "lib")
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.__dict__["_scoring_page_built"])
    labels = window.splitter.findChildren(QLabel)
    assert len(labels) > 20  # the library's, the card's, the player's, the page's, the notes'
    assert all(lb.textFormat() == Qt.TextFormat.PlainText for lb in labels), [
        lb.text() for lb in labels if lb.textFormat() != Qt.TextFormat.PlainText
    ]
    window.close()
