from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.start_window import StartWindow


def test_start_window_offers_two_doors(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext
) -> None:
    window = StartWindow(app_context)
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "OneTake"
    assert window.candidate_button.accessibleName() == "I am a candidate"
    assert window.reviewer_button.accessibleName() == "I review interviews"
    assert window.candidate_button.shortcut().toString() == "Ctrl+1"
    assert window.reviewer_button.shortcut().toString() == "Ctrl+2"
    assert window.candidate_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    shot = tmp_path / "start.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 5_000


def test_the_third_door_opens_the_authoring_window(qtbot: QtBot, app_context: AppContext) -> None:
    from onetake_desktop.ui.author.window import AuthorWindow

    window = StartWindow(app_context)
    qtbot.addWidget(window)
    window.show()
    assert window.author_button.accessibleName() == "I prepare interviews"
    assert window.author_button.shortcut().toString() == "Ctrl+3"
    window.author_button.click()
    assert isinstance(window.child, AuthorWindow)
    qtbot.addWidget(window.child)
    assert window.child.draft.question_count() == 0
    assert not window.isVisible()


def test_a_click_on_a_doors_words_opens_that_door(qtbot: QtBot, app_context: AppContext) -> None:
    """The door's face is three labels: a click on any of them reaches the button (a label
    with no text interaction passes the click on to its parent)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLabel

    window = StartWindow(app_context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    clicks: list[str] = []
    window.author_button.clicked.disconnect()
    window.author_button.clicked.connect(lambda: clicks.append("author"))
    labels = window.author_button.findChildren(QLabel)
    assert [label.objectName() for label in labels] == ["DoorTitle", "DoorText", "Hint"]
    for label in labels:
        QTest.mouseClick(
            label, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, label.rect().center()
        )
    assert clicks == ["author"] * 3
