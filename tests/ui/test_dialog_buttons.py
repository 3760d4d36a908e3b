"""Dialog buttons carry words only (review s11 #25): the app's style sheet turns off the
theme's icons (a green tick on OK, a cross on Close and Cancel) on every dialog's buttons.

Offscreen there is no icon theme, so the buttons would have none either way (review s12b
#6): the boxes here get a style that acts as a desktop theme does, saying yes to icons on
dialog buttons and drawing one for each, under the app's style sheet."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QMessageBox,
    QProxyStyle,
    QStyle,
    QWidget,
)
from pytestqt.qtbot import QtBot

from onetake_desktop.ui.widgets.plain import plain_box

_HAVE_ICONS = QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons


class IconTheme(QProxyStyle):
    """A desktop theme's answers (KDE's, say): dialog buttons have icons, and every standard
    icon is there."""

    def styleHint(self, hint: QStyle.StyleHint, *args: Any) -> int:
        return 1 if hint == _HAVE_ICONS else super().styleHint(hint, *args)

    def standardIcon(self, icon: QStyle.StandardPixmap, *args: Any) -> QIcon:
        pixmap = QPixmap(16, 16)
        pixmap.fill(QColor("green"))
        return QIcon(pixmap)


# Kept for the whole run: a widget does not own the style it is given, and closed test
# windows stay alive until the end.
_theme: list[IconTheme] = []


def themed(widget: QWidget) -> QWidget:
    """The widget under the icon theme, before its buttons are made (they take their icons
    then). The app's style sheet still applies: Qt wraps the style given in it."""
    if not _theme:
        _theme.append(IconTheme("Fusion"))
    theme = _theme[0]
    assert theme.styleHint(_HAVE_ICONS) == 1
    assert not theme.standardIcon(QStyle.StandardPixmap.SP_DialogOkButton).isNull()
    widget.setStyle(theme)
    return widget


def test_message_box_buttons_have_no_theme_icons(qtbot: QtBot) -> None:
    box = themed(plain_box(None, "The kit file is damaged."))
    assert isinstance(box, QMessageBox)
    qtbot.addWidget(box)
    box.setStandardButtons(
        QMessageBox.StandardButton.Ok
        | QMessageBox.StandardButton.Close
        | QMessageBox.StandardButton.Cancel
    )
    box.show()
    qtbot.waitExposed(box)
    buttons = box.buttons()
    assert [b.text().replace("&", "") for b in buttons]  # words on every button
    assert len(buttons) == 3 and all(b.icon().isNull() for b in buttons)


def test_a_dialog_button_box_has_no_theme_icons(qtbot: QtBot) -> None:
    bar = themed(QDialogButtonBox())
    assert isinstance(bar, QDialogButtonBox)
    qtbot.addWidget(bar)
    bar.setStandardButtons(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    bar.show()
    qtbot.waitExposed(bar)
    assert len(bar.buttons()) == 2 and all(b.icon().isNull() for b in bar.buttons())


def test_the_app_style_turns_the_icons_off_whatever_the_desktop_theme_says(qtbot: QtBot) -> None:
    """The desktop theme's hint says yes (the app's own style, on a desktop); the style
    sheet answers the hint itself: 0."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert "dialogbuttonbox-buttons-have-icons: 0" in app.styleSheet()
    bar = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    qtbot.addWidget(bar)
    bar.ensurePolished()
    hint = bar.style().styleHint(QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons, None, bar)
    assert hint == 0
