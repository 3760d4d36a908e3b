"""after_first_paint: what each window defers past its first frame runs after that frame,
in the order asked, each on its own (issue 17: one watcher per window for all of them)."""

from __future__ import annotations

from functools import partial

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.ui.widgets import first_paint
from onetake_desktop.ui.widgets.first_paint import after_first_paint


def watchers(window: QWidget) -> int:
    return len(window.findChildren(first_paint._AfterFirstPaint))


def test_callbacks_run_after_the_first_paint_in_the_order_asked(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    QLabel("content", window)
    ran: list[str] = []
    for name in ("a", "b", "c"):
        after_first_paint(window, partial(ran.append, name))
    assert watchers(window) == 1
    assert ran == []
    window.show()
    qtbot.waitUntil(lambda: ran == ["a", "b", "c"])
    qtbot.waitUntil(lambda: watchers(window) == 0)  # its work done, the watcher is gone


def test_a_failing_callback_does_not_stop_the_others(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[BaseException] = []
    monkeypatch.setattr("sys.excepthook", lambda kind, error, tb: errors.append(error))
    window = QWidget()
    qtbot.addWidget(window)
    ran: list[str] = []

    def fails() -> None:
        ran.append("fails")
        raise RuntimeError("boom")

    after_first_paint(window, fails)
    after_first_paint(window, lambda: ran.append("after"))
    window.show()
    qtbot.waitUntil(lambda: ran == ["fails", "after"])
    assert [str(e) for e in errors] == ["boom"]


def test_a_callback_asked_for_after_the_paint_waits_for_the_next_one(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    ran: list[str] = []
    after_first_paint(window, lambda: ran.append("first"))
    window.show()
    qtbot.waitUntil(lambda: ran == ["first"])
    after_first_paint(window, lambda: ran.append("second"))
    qtbot.wait(50)
    assert ran == ["first"]  # no paint yet
    window.update()
    qtbot.waitUntil(lambda: ran == ["first", "second"])


def test_a_window_closed_before_its_callbacks_run_none(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    ran: list[str] = []
    after_first_paint(window, window.close)
    after_first_paint(window, lambda: ran.append("later"))
    window.show()
    qtbot.waitUntil(lambda: not window.isVisible())
    qtbot.wait(50)
    assert ran == []
