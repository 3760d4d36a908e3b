"""Dialog buttons carry words only (review s11 #25): the app's style sheet turns off the
theme's icons (a green tick on OK, a cross on Close and Cancel) on every dialog's buttons."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QStyle
from pytestqt.qtbot import QtBot

from onetake_desktop.ui.widgets.plain import plain_box


def test_message_box_buttons_have_no_theme_icons(qtbot: QtBot) -> None:
    box = plain_box(None, "The kit file is damaged.")
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
    bar = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitExposed(bar)
    assert all(b.icon().isNull() for b in bar.buttons())


def test_the_app_style_turns_the_icons_off_whatever_the_desktop_theme_says(qtbot: QtBot) -> None:
    """Offscreen there is no icon theme, so the buttons above have none either way; on a
    desktop the theme's hint says yes. The style sheet answers the hint itself: 0."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert "dialogbuttonbox-buttons-have-icons: 0" in app.styleSheet()
    bar = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    qtbot.addWidget(bar)
    bar.ensurePolished()
    hint = bar.style().styleHint(QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons, None, bar)
    assert hint == 0
