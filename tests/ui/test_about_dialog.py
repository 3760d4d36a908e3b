"""Help > About shows exactly what `onetake --version` says, as plain text."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from onetake_desktop.services.about import about_text
from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.about import AboutDialog, show_about


def test_about_dialog_shows_the_version_text_as_plain_text(
    qtbot: QtBot, app_context: AppContext
) -> None:
    dialog = show_about(None, app_context.paths)
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    # A plain-text viewer: the same text, and markup in a folder name would show as typed.
    assert dialog.text.toPlainText() == about_text(app_context.paths)
    assert dialog.text.isReadOnly()
    assert str(app_context.paths.data) in dialog.text.toPlainText()
    dialog.reject()
    assert not dialog.isVisible()


def test_help_about_is_in_the_reviewer_window_and_on_f1_at_the_start(
    qtbot: QtBot, app_context: AppContext
) -> None:
    from PySide6.QtWidgets import QMainWindow, QMenu

    from onetake_desktop.ui.reviewer import open_reviewer_window
    from onetake_desktop.ui.start_window import StartWindow

    window = open_reviewer_window(app_context)
    assert isinstance(window, QMainWindow)
    qtbot.addWidget(window)
    actions = [a for m in window.menuBar().findChildren(QMenu) for a in m.actions()]
    (about,) = [a for a in actions if a.text() == "&About OneTake"]
    about.trigger()
    dialogs = [w for w in window.findChildren(AboutDialog) if w.isVisible()]
    assert dialogs and dialogs[0].text.toPlainText() == about_text(app_context.paths)
    start = StartWindow(app_context)
    qtbot.addWidget(start)
    start.show_about()
    assert any(w.isVisible() for w in start.findChildren(AboutDialog))
