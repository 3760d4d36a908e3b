"""The reviewer window as the app opens it (its real entry point and the environment's
context), shown and exposed: the starting point of the reviewer window tests."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.reviewer import open_reviewer_window
from onetake_desktop.ui.reviewer.window import ReviewerWindow


def shown_reviewer_window(qtbot: QtBot) -> ReviewerWindow:
    window = open_reviewer_window(AppContext.from_environment())
    assert isinstance(window, ReviewerWindow)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window
