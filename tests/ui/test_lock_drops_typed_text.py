"""What a panelist typed and did not save leaves the window with them at the lock: the
pinned-note line, the library's search and the transcripts' search, undo history included,
so the next panelist finds none of it, not even with Ctrl+Z (review s11 H1, N4)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.test_panel_window import PASS, Setup, clock, setup, sign_in  # noqa: F401 (fixtures)

SECRET = "ANA"


def _typed(window: ReviewerWindow) -> list[str]:
    """Every editor's text in the window, and what Ctrl+Z brings back in each."""
    texts = []
    for edit in window.findChildren(QLineEdit) + window.findChildren(QPlainTextEdit):
        texts.append(edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText())
        for _ in range(4):
            edit.setFocus()
            QTest.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
            texts.append(edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText())
    return texts


def test_nothing_a_panelist_typed_reaches_the_next_one(setup: Setup) -> None:  # noqa: F811 (the fixture)
    window, panel, people, subs = setup["window"], setup["panel"], setup["people"], setup["subs"]
    first = setup["library"].submissions.answers(subs[0])[0].id
    sign_in(panel, people["Ana"], PASS["Ana"])
    window.show_answer(first)
    line = window.pin_notes.pin_text
    # Ana pins one note with Enter, then types a second that she does not pin.
    QTest.keyClicks(line, f"{SECRET} pinned: weak, 2 of 5")
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert line.text() == ""
    QTest.keyClicks(line, f"{SECRET} unpinned: would not hire")
    QTest.keyClicks(window.search, f"{SECRET} looked for Lovelace")
    window.transcripts.panel.search.setText(f"{SECRET} searched transcripts")  # type: ignore[attr-defined]
    window.transcripts.panel.run_search()  # type: ignore[attr-defined]

    panel.lock("Locked.")
    assert not any(SECRET in t for t in _typed(window))

    sign_in(panel, people["Ben"], PASS["Ben"])
    window.show_answer(first)
    assert not any(SECRET in t for t in _typed(window))
    assert window.pin_notes.pins.count() == 0  # Ana's pinned note stays hers


def test_a_line_typed_for_one_answer_does_not_follow_to_the_next(setup: Setup) -> None:  # noqa: F811 (the fixture)
    window, panel, people, subs = setup["window"], setup["panel"], setup["people"], setup["subs"]
    first, second = setup["library"].submissions.answers(subs[0])[:2]
    sign_in(panel, people["Ana"], PASS["Ana"])
    window.show_answer(first.id)
    QTest.keyClicks(window.pin_notes.pin_text, "meant for the first answer")
    window.show_answer(second.id)
    assert window.pin_notes.pin_text.text() == ""
    window.pin_notes.pin_text.undo()
    assert window.pin_notes.pin_text.text() == ""
