"""A written answer never loses words silently (walk s14 W9), in the real window offscreen.

The editor stops at the kit's character limit (typing, and a paste cut at the paste with a
notice that says how much was left out); a text over the limit that still reaches the save
(a draft from an older version) is saved cut, and the candidate is told what was kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.kit import Question
from onetake_desktop.services.candidate import real_capture
from onetake_desktop.storage.kitfile import save_kit
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.pages.question import QuestionPage
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.pipeline.test_candidate_headless import small_kit
from tests.ui.candidate_walk import make

pytestmark = pytest.mark.timeout(120, method="thread")

LIMIT = 100


@pytest.fixture(autouse=True)
def synchronous_tasks() -> object:
    tasks.set_synchronous(True)
    yield None
    tasks.set_synchronous(False)


def writing_window(qtbot: QtBot, tmp_path: Path, clock: ManualClock) -> CandidateWindow:
    """A written-only kit (no devices): 30 s to write up to 100 characters, editor open."""
    kit = small_kit()._replace(
        practice=None,
        questions=(
            Question(
                "w1", "Why this role?", "", 0, 0, 30, 0, answer_type="text", text_max_chars=LIMIT
            ),
            Question("w2", "Anything else?", "", 0, 0, 30, 0, answer_type="text"),
        ),
    )
    path = tmp_path / "kit.onetakekit"
    save_kit(kit, path)
    w = make(path, clock, tmp_path / "answers.onetake", real_capture)
    qtbot.addWidget(w)
    w.show()
    w.act(w.service.begin)
    w.service.give_consent("Ada Lovelace", "ada@example.com")
    w.act(w.service.show_question)
    assert w.service.session.answer.phase == "writing"
    return w


def page_of(w: CandidateWindow) -> QuestionPage:
    page = w.pages["questions"]
    assert isinstance(page, QuestionPage)
    return page


def test_typing_stops_at_the_limit_and_the_counter_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    w = writing_window(qtbot, tmp_path, ManualClock())
    page = page_of(w)
    QTest.keyClicks(page.editor, "a" * (LIMIT - 1))
    QTest.keyClicks(page.editor, "bcd")
    QTest.keyClick(page.editor, Qt.Key.Key_Return)
    assert page.editor.toPlainText() == "a" * (LIMIT - 1) + "b"
    assert page.count.text() == f"{LIMIT} of {LIMIT} characters: the limit is reached."
    assert page.save_text_button.isEnabled()
    QTest.keyClick(page.editor, Qt.Key.Key_Backspace)  # room again: typing goes on
    QTest.keyClicks(page.editor, "z")
    assert page.editor.toPlainText().endswith("az")
    w.close()


def test_a_paste_over_the_limit_is_cut_at_the_paste_with_a_notice(
    qtbot: QtBot, tmp_path: Path
) -> None:
    w = writing_window(qtbot, tmp_path, ManualClock())
    page = page_of(w)
    QTest.keyClicks(page.editor, "Dear team, ")
    page.editor.moveCursor(page.editor.textCursor().MoveOperation.Start)
    pasted = "x" * 150
    QApplication.clipboard().setText(pasted)
    page.editor.paste()
    room = LIMIT - len("Dear team, ")
    # Cut where it was pasted: the words already written stay whole after it.
    assert page.editor.toPlainText() == "x" * room + "Dear team, "
    assert w.banner.isVisible()
    assert w.banner.text() == (
        f"Your answer can have up to {LIMIT} characters, so the last {150 - room} characters "
        "of what you pasted were left out."
    )
    # A drop goes the same way as a paste.
    page.editor.selectAll()
    data = QMimeData()
    data.setText("y" * (LIMIT + 1))
    page.editor.insertFromMimeData(data)
    assert page.editor.toPlainText() == "y" * LIMIT
    assert "the last 1 character of what you pasted was left out" in w.banner.text()
    w.close()


def test_a_draft_over_the_limit_is_cut_at_time_up_and_the_candidate_is_told(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock()
    w = writing_window(qtbot, tmp_path, clock)
    page = page_of(w)
    svc = w.service
    # A draft saved by an older version, which let the editor hold more than the limit.
    words = "I like helping people. " * 6 + "Kind regards, Ada."
    svc.save_draft(words)
    page._editing = None
    w.sync()
    assert page.editor.toPlainText() == words, "a restored draft is shown whole, not cut"
    assert "too many" in page.count.text() and not page.save_text_button.isEnabled()
    clock.advance(20)
    w.tick()
    assert page.write_hint.text() == (
        f"When the time is up, only the first {LIMIT} characters are saved: please shorten "
        "your answer."
    )
    clock.advance(11)
    w.tick()
    kept = svc.session.answer_for("w1").text
    assert kept == words[:LIMIT]
    notice = w.banner.text()
    assert "saved as it was" not in notice
    assert notice.startswith(f"Time's up: your answer was longer than {LIMIT} characters")
    assert f"the last {len(words) - LIMIT} were left out" in notice
    assert kept[-20:] in notice
    w.close()


@pytest.mark.parametrize(
    ("modifiers", "char"),
    [
        (Qt.KeyboardModifier.GroupSwitchModifier, "ł"),  # AltGr on X11
        (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier, "@"),  # Windows
        (Qt.KeyboardModifier.AltModifier, "é"),  # Option on macOS
    ],
)
def test_a_character_typed_with_altgr_or_option_stops_at_the_limit_too(
    qtbot: QtBot, tmp_path: Path, modifiers: Qt.KeyboardModifier, char: str
) -> None:
    w = writing_window(qtbot, tmp_path, ManualClock())
    page = page_of(w)
    QTest.keyClicks(page.editor, "a" * (LIMIT - 1))
    for _ in range(2):  # the key as the platform sends it: the letter and its modifiers
        key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_L, modifiers, char)
        QApplication.sendEvent(page.editor, key)
    assert page.editor.toPlainText() == "a" * (LIMIT - 1) + char
    assert page.count.text() == f"{LIMIT} of {LIMIT} characters: the limit is reached."
    # A real shortcut still works at the limit: Ctrl+A selects all.
    QTest.keyClick(page.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert page.editor.textCursor().selectedText() == page.editor.toPlainText()
    w.close()
