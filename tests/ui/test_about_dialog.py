"""Help > About shows exactly what `onetake --version` says, as plain text."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from onetake_desktop.services.about import about_text
from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.about import show_about


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
