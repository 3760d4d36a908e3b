"""Welcome back in the real window after a real crash (walk s14 W2), offscreen.

A complete first take of q1 and a kill -9 three seconds into the second: the welcome
back counts the question as answered and names its takes, and Carry on selects the complete
take (Ctrl+Return keeps it), with the recovered fragment still a labelled choice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.pages.question import QuestionPage
from onetake_desktop.ui.candidate.pages.resume import ResumePage
from tests.pipeline.test_candidate_resume import crash_in_second_take, write_minimum_kit
from tests.ui.candidate_walk import make, press_shortcut

pytestmark = pytest.mark.timeout(180, method="thread")


@pytest.fixture(autouse=True)
def synchronous_tasks() -> object:
    tasks.set_synchronous(True)
    yield None
    tasks.set_synchronous(False)


def test_carry_on_after_a_crash_selects_the_complete_take_not_the_fragment(
    qtbot: QtBot, tmp_path: Path
) -> None:
    kit = write_minimum_kit(tmp_path)
    crash_in_second_take(kit)
    w = make(kit, ManualClock(), tmp_path / "answers.onetake")
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitExposed(w)
    qtbot.waitUntil(w.isActiveWindow, timeout=10_000)  # shortcuts act in the active window
    assert w.page_name() == "resume"
    resume = w.pages["resume"]
    assert isinstance(resume, ResumePage)
    summary = resume.summary.text()
    assert "usable answer for 1 of 3 questions" in summary and "0 of 3" not in summary
    assert "take 2 was interrupted" in summary
    press_shortcut(w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w.page_name() == "questions"
    page = w.pages["questions"]
    assert isinstance(page, QuestionPage)
    svc = w.service
    assert svc.session.answer.phase == "deciding"
    assert page.take_group.checkedId() == 1
    assert page.player.path == svc.take_path("q1", 1)
    fragment = page.take_group.button(2)
    assert fragment is not None and fragment.isEnabled()
    assert fragment.text().startswith("Take 2: 0:0")
    assert fragment.text().endswith("(recovered; under the minimum)")
    assert "your complete take 1" in w.banner.text()
    assert page.keep_button.hasFocus()
    press_shortcut(w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert svc.session.answer_for("q1").chosen_take == 1, "Enter keeps the complete take"
    w.close()
