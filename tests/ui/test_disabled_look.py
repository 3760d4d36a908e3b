"""A control that cannot be used looks it: the app's style sheet greys the text of any
disabled widget (the author window's Undo/Redo, the deadline fields), not only buttons, and
of the named styles that set their own colour (an id outranks ``QWidget:disabled``)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.ui.application import ensure_application


def text_colour(widget: QWidget) -> str:
    widget.ensurePolished()  # the style sheet sets the palette it paints the text with
    return widget.palette().color(widget.foregroundRole()).name()


GREY = "#7a8594"


def test_disabled_widgets_are_greyed(qtbot: QtBot) -> None:
    ensure_application()  # the app's style sheet
    cases: list[tuple[type[QWidget], str, str]] = [
        (QToolButton, "", "#1d2430"),
        (QLabel, "", "#1d2430"),
        (QCheckBox, "", "#1d2430"),
        (QLabel, "Hint", "#4a5568"),
        (QLabel, "Subtitle", "#3c4657"),
        (QLabel, "DoorText", "#2d3748"),
        (QPushButton, "LinkButton", "#1f5fa8"),
        (QPushButton, "DangerButton", "#ffffff"),
    ]
    for kind, name, colour in cases:
        enabled, disabled = kind(), kind()
        for w in (enabled, disabled):
            qtbot.addWidget(w)
            w.setObjectName(name)
            w.setText("Undo")  # type: ignore[attr-defined]
        disabled.setEnabled(False)
        assert text_colour(enabled) == colour, (kind, name)
        expected = "#f2f5f9" if name == "DangerButton" else GREY  # white on a faded red
        assert text_colour(disabled) == expected, (kind, name)
