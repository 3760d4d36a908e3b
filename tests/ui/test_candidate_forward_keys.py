"""Ctrl+Return goes on at every candidate step (review s11 #14): during think time it starts the
answer (Ctrl+R still does), on practice it skips the thinking; the practice page's first focus
is its one filled button (#28), and the takes pill says one thing throughout (#15)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.storage.kitfile import demo_kit_path
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.ui.candidate_walk import make, press_shortcut, wait_saved

pytestmark = pytest.mark.timeout(300, method="thread")

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[CandidateWindow]:
    tasks.set_synchronous(True)
    w = make(demo_kit_path(), ManualClock(), tmp_path / "answers.onetake")
    qtbot.addWidget(w)
    w.fit_to(1024, 600)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    yield w
    w.close()
    tasks.set_synchronous(False)


def press(w: CandidateWindow, key: Qt.Key) -> list[str]:
    return press_shortcut(w, key, CTRL)


def filled(w: CandidateWindow) -> list[str]:
    return [
        b.text()
        for b in w.page.findChildren(QPushButton)
        if b.isVisible() and b.objectName() == "PrimaryButton"
    ]


def to_practice(w: CandidateWindow) -> None:
    service = w.service
    w.act(service.begin)
    service.give_consent("Ada Example", "ada@example.org")
    QApplication.processEvents()
    w.act(service.confirm_devices)
    assert service.session.step == "practice"


def test_practice_focus_and_one_filled_button_then_ctrl_return_skips_thinking(
    window: CandidateWindow, qtbot: QtBot
) -> None:
    to_practice(window)
    service = window.service
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert QApplication.focusWidget() is window.page.record_button  # type: ignore[attr-defined]
    assert filled(window) == ["Record a practice try"]
    window.act(service.start_practice)
    assert service.practice_phase == "thinking"
    press(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: service.practice_phase == "recording")
    # A try stopped before its first picture and sound is empty, and rightly not kept: on a
    # busy machine that took a wait, not the instant after the phase changed.
    qtbot.waitUntil(lambda: service.take_elapsed() >= 0.5, timeout=10_000)
    window.act(service.stop_practice)
    wait_saved(window)
    assert service.practice_phase == "idle" and service.last_practice is not None
    # After a try: "Record again" is plain, "Start the interview" filled and focused.
    assert filled(window) == ["Start the interview"]
    # The take plays, its picture on screen (the picture's native window once took the focus
    # when it appeared): its position moves once frames are shown.
    media = window.page.player  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: media.player is not None and media.player.position() > 0)
    assert media.video.isVisible()
    assert QApplication.focusWidget() is window.page.done_button  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_R])
def test_ctrl_return_or_ctrl_r_starts_answering_during_think_time(
    window: CandidateWindow, qtbot: QtBot, key: Qt.Key
) -> None:
    to_practice(window)
    service = window.service
    window.act(service.finish_practice)
    s = service.session
    assert s.step == "questions" and s.answer.phase == "ready"
    pill = window.page.takes_pill  # type: ignore[attr-defined]
    assert pill.text() == "Take 1 of 3"
    press(window, Qt.Key.Key_Return)  # "Show the question" (a shortcut clicks ~0.1 s later)
    qtbot.waitUntil(lambda: s.answer.phase == "thinking")
    assert pill.text() == "Take 1 of 3"  # the take thought about (services.takes_pill)
    press(window, key)
    qtbot.waitUntil(lambda: s.answer.phase == "recording")
    assert pill.text() == "Take 1 of 3"
    # While recording, Ctrl+Return does nothing (the start button is gone; Stop is Ctrl+E).
    assert press(window, Qt.Key.Key_Return) == []  # no button here takes the key
    assert s.answer.phase == "recording" and not window.service.finishing
