"""The notices above a candidate page (NoticeBox) by keyboard and screen reader (review s14
R4): on a screen short for the text size an error shows one line and the rest scrolls, so
the box is a Tab stop that the keys scroll; shown whole it is no Tab stop. The deadline
notice is announced when it first shows, as the banner is.

Real windows (offscreen), the demo kit, synthetic devices; the screen and text size as the
large-text tests set them (test_candidate_large_text)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.storage.kitfile import demo_kit_path
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.ui.candidate_walk import make
from tests.ui.test_candidate_large_text import DEVICE_ERROR, late_kit

pytestmark = pytest.mark.timeout(120, method="thread")


def open_at(
    qtbot: QtBot, kit: Path, out: Path, scale: float, screen: tuple[int, int]
) -> CandidateWindow:
    window = make(kit, ManualClock(), out)
    qtbot.addWidget(window)
    window.fit_to(*screen)
    while window.prefs.text_scale < scale:
        window.change_text_size(1)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def tab_stops(window: CandidateWindow) -> list[QWidget]:
    """Where Tab goes from the focused widget, pressed until the focus comes back round."""
    start = QApplication.focusWidget()
    assert start is not None and window.isAncestorOf(start)
    reached: list[QWidget] = []
    for _ in range(60):
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        assert now is not None
        if now is start:
            return reached
        reached.append(now)
    raise AssertionError(f"Tab never came back round: {reached}")


def last_line_in_view(window: CandidateWindow, words: QLabel) -> bool:
    """The last line of ``words`` shows in the notices' box."""
    bottom = words.height() - words.contentsMargins().bottom()
    spacing = words.fontMetrics().lineSpacing()
    line = QRect(words.mapTo(window, QPoint(0, bottom - spacing)), words.size())
    line.setHeight(spacing)
    port = window.notices.viewport()
    return QRect(port.mapTo(window, QPoint(0, 0)), port.size()).contains(line)


def test_a_cut_notice_is_a_tab_stop_and_the_keys_scroll_to_its_last_line(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """910x512 at 200 % text: the error's first line shows and the rest scrolls. Before, the
    box took no focus: "Your take was kept up to that moment." was out of a keyboard's reach."""
    window = open_at(qtbot, demo_kit_path(), tmp_path / "answers.onetake", 2.0, (910, 512))
    window.show_notice(DEVICE_ERROR)
    QApplication.processEvents()
    box = window.notices
    assert window.short and box.verticalScrollBar().maximum() > 0, "cut, as on main"
    assert not last_line_in_view(window, window.banner)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    stops = tab_stops(window)  # (and the focus is back where it was)
    assert box in stops
    for _ in range(stops.index(box) + 1):
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is box
    for _ in range(20):
        if last_line_in_view(window, window.banner):
            break
        QTest.keyClick(box, Qt.Key.Key_Down)
    assert last_line_in_view(window, window.banner)
    QTest.keyClick(box, Qt.Key.Key_PageUp)
    assert box.verticalScrollBar().value() < box.verticalScrollBar().maximum()
    QTest.keyClick(box, Qt.Key.Key_End)
    assert last_line_in_view(window, window.banner)
    QTest.keyClick(box, Qt.Key.Key_Home)
    assert box.verticalScrollBar().value() == 0
    # Ctrl+plus still changes the text size with the focus in the box (a window shortcut).
    QTest.keyClick(box, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.prefs.text_scale < 2.0


def test_a_notice_shown_whole_is_no_tab_stop(qtbot: QtBot, tmp_path: Path) -> None:
    """1024x600 at 100 %: the same error shows whole, and Tab goes round the page as ever;
    Ctrl+plus to 200 % cuts it (a Tab stop), Ctrl+0 shows it whole again (none)."""
    window = open_at(qtbot, demo_kit_path(), tmp_path / "answers.onetake", 1.0, (1024, 600))
    window.show_notice(DEVICE_ERROR)
    QApplication.processEvents()
    box = window.notices
    assert box.isVisible() and box.verticalScrollBar().maximum() == 0
    assert last_line_in_view(window, window.banner)
    assert not box.focusPolicy() & Qt.FocusPolicy.TabFocus
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert box not in tab_stops(window)
    while window.prefs.text_scale < 2.0:
        QTest.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert box.verticalScrollBar().maximum() > 0 and box in tab_stops(window)
    QTest.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert box.verticalScrollBar().maximum() == 0 and box not in tab_stops(window)


def test_the_deadline_notice_is_announced_once_and_leaves_the_first_focus_to_the_page(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A passed deadline's notice, cut on 910x512 at 200 % from the start: a screen reader
    hears it when the window shows (before, only the banner was announced), once; the first
    focus is still the page's Start (Space starts), not the box's."""
    told: list[tuple[QWidget, str]] = []
    window = make(late_kit(tmp_path), ManualClock(), tmp_path / "answers.onetake")
    qtbot.addWidget(window)
    window.fit_to(910, 512)
    while window.prefs.text_scale < 2.0:
        window.change_text_size(1)
    monkeypatch.setattr(
        window, "_announce", lambda widget, sentence: told.append((widget, sentence))
    )
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    notice = window.deadline.text()
    assert notice.startswith("The deadline for this interview was")
    qtbot.waitUntil(lambda: told != [])
    assert window.notices.verticalScrollBar().maximum() > 0  # cut
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    start = QApplication.focusWidget()
    assert isinstance(start, QPushButton) and start.accessibleName() == "Start", start
    QTest.keyClick(start, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.notices  # and the box is the next Tab stop
    window.act(window.service.begin)  # the next page: the same notice, not told again
    assert window.page_name() == "privacy" and window.deadline.isVisible()
    assert told == [(window.deadline, notice)]
