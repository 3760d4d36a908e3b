"""Answer again from the review says what is kept (walk s14 W10), in the real window offscreen.

"Nothing is recorded yet." under a question whose take was kept read as "my answer is gone".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.pages.question import QuestionPage
from onetake_desktop.ui.candidate.pages.review import ReviewPage
from tests.ui.candidate_walk import wait_saved
from tests.ui.test_candidate_paths import record_for, to_devices, window_for

pytestmark = pytest.mark.timeout(180, method="thread")


@pytest.fixture(autouse=True)
def synchronous_tasks() -> object:
    tasks.set_synchronous(True)
    yield None
    tasks.set_synchronous(False)


def test_answer_again_names_the_kept_take_and_the_kept_text(qtbot: QtBot, tmp_path: Path) -> None:
    clock = ManualClock()
    w = window_for(qtbot, tmp_path, clock=clock)
    svc, s = w.service, w.service.session
    to_devices(w)
    w.act(svc.confirm_devices)
    w.act(svc.finish_practice)
    page = w.pages["questions"]
    assert isinstance(page, QuestionPage)
    assert page.ready_text.text().endswith("Nothing is recorded yet.")  # before any take
    for _ in range(2):  # q1 (one retake left) and q2
        w.act(svc.show_question)
        w.act(svc.start_answer)
        record_for(w, clock)
        w.act(svc.stop_answer)
        wait_saved(w)
        w.act(lambda: svc.keep_take(s.answer.takes[-1].number))
    w.act(svc.show_question)
    page.editor.setPlainText("Because.")
    page._save_text()
    review = w.pages["review"]
    assert w.page_name() == "review" and isinstance(review, ReviewPage)
    review.redo_buttons["q1"].click()
    QApplication.processEvents()
    kept = s.answer_for("q1").takes[0]
    minutes, seconds = divmod(round(kept.duration_seconds), 60)
    text = page.ready_text.text()
    assert "Nothing is recorded yet." not in text
    assert text.endswith(
        f"Your take 1 ({minutes}:{seconds:02d}) is kept. A new take is added to it, and you "
        "then choose which one to send. Back to review keeps the current one."
    )
    page.back_review_ready.click()
    assert w.page_name() == "review" and s.answer_for("q1").chosen_take == 1
    review.redo_buttons["q3"].click()
    QApplication.processEvents()
    assert page.ready_text.text().endswith(
        "Your written answer (8 characters) is kept. Back to review keeps it as it is."
    )
    w.close()
