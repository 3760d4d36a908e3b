"""A control that cannot be used looks it: the app's style sheet greys the text of any
disabled widget (the author window's Undo/Redo, the deadline fields), not only buttons."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.ui.application import ensure_application


def text_colour(widget: QWidget) -> str:
    widget.ensurePolished()  # the style sheet sets the palette it paints the text with
    return widget.palette().color(widget.foregroundRole()).name()


def test_disabled_widgets_are_greyed(qtbot: QtBot) -> None:
    ensure_application()  # the app's style sheet
    for kind in (QToolButton, QLabel, QCheckBox):
        enabled, disabled = kind(), kind()
        for w in (enabled, disabled):
            qtbot.addWidget(w)
            w.setText("Undo")
        disabled.setEnabled(False)
        assert text_colour(enabled) == "#1d2430", kind
        assert text_colour(disabled) == "#7a8594", kind
