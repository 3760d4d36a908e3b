"""The answer under way is never lost to a misclick or a key (walk s14 W6, W4, W3): the window's
close button asks before anything stops; Space while recording stops (once the minimum is
reached) or does nothing, never "Please open the question first."; a notice about one question
goes when the next question comes; the keyboard focus waits on Stop while it is off.

Real window offscreen, real engine (synthetic camera and microphone, real encoders), the
session on a ManualClock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.storage.kitfile import save_kit
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.pages.question import QuestionPage
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.pipeline.test_candidate_headless import small_kit
from tests.ui.candidate_walk import make, wait_saved

pytestmark = pytest.mark.timeout(240, method="thread")


@pytest.fixture(autouse=True)
def synchronous_tasks() -> Iterator[None]:
    tasks.set_synchronous(True)
    yield None
    tasks.set_synchronous(False)


def at_questions(qtbot: QtBot, tmp_path: Path, clock: ManualClock) -> CandidateWindow:
    path = tmp_path / "kit.onetakekit"
    # q1: 10 s to think, at least 1 s, at most 20 s, one retake.
    save_kit(small_kit(), path)
    w = make(path, clock, tmp_path / "answers.onetake")
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    svc = w.service
    w.act(svc.begin)
    svc.give_consent("Ada Lovelace", "ada@example.com")
    QApplication.processEvents()
    w.act(svc.confirm_devices)
    w.act(svc.finish_practice)
    assert svc.session.step == "questions"
    return w


def question_page(w: CandidateWindow) -> QuestionPage:
    page = w.pages["questions"]
    assert isinstance(page, QuestionPage)
    return page


def record_real(w: CandidateWindow, qtbot: QtBot, seconds: float) -> None:
    """Frames reach the file (the recorder keeps real time); the session's clock stays."""
    qtbot.waitUntil(lambda: w.service.take_elapsed() >= seconds, timeout=15_000)


def space(w: CandidateWindow) -> QWidget | None:
    """Space where the keyboard focus is, as a candidate presses it (press, then release)."""
    target = QApplication.focusWidget()
    QTest.keyClick(target if target is not None else w, Qt.Key.Key_Space)
    QApplication.processEvents()
    return target


def test_closing_while_recording_asks_first_and_no_goes_on_with_the_same_take(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock()
    w = at_questions(qtbot, tmp_path, clock)
    svc, s = w.service, w.service.session
    page = question_page(w)
    q = s.question
    allowed = s.takes_allowed(q)
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_real(w, qtbot, 0.5)
    take = svc._take
    asked: list[dict[str, object]] = []

    def stay(title: str, text: str) -> bool:
        # While the candidate reads the question, nothing was stopped or thrown away.
        asked.append(
            {
                "title": title,
                "recording": svc.recording,
                "same take": svc._take is take,
                "view": page.views.currentWidget() is page.live,
                "stopped said": "has been stopped" in text,
            }
        )
        return False

    w.confirm = stay
    w.close()
    assert asked == [
        {
            "title": "Leave the interview?",
            "recording": True,
            "same take": True,
            "view": True,
            "stopped said": False,
        }
    ]
    assert w.isVisible() and not w.closing
    # "No": the same answer goes on, and is kept when the candidate stops it.
    assert svc.recording and svc._take is take and str(s.answer.phase) == "recording"
    assert not w.banner.isVisible(), "nothing to say: nothing happened"
    w.confirm = lambda title, text: True  # (for the window's closing after the test)
    record_real(w, qtbot, 1.0)
    clock.advance(s.answer_min(q) + 1)
    w.tick()
    page.stop_button.click()
    wait_saved(w)
    assert str(s.answer.phase) == "deciding"
    assert [t.number for t in s.answer.takes] == [1]
    assert s.takes_left(q) == allowed - 1
    assert (svc.takes_dir / s.answer.takes[0].file).is_file()
    assert page.views.currentWidget() is page.deciding


def test_closing_while_recording_and_leaving_stops_the_take_only_then(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock()
    w = at_questions(qtbot, tmp_path, clock)
    svc, s = w.service, w.service.session
    q = s.question
    allowed = s.takes_allowed(q)
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_real(w, qtbot, 0.5)
    during: list[bool] = []

    def leave(title: str, text: str) -> bool:
        during.append(svc.recording)
        return True

    w.confirm = leave
    w.close()
    assert during == [True], "the take ran until the candidate chose to leave"
    assert not w.isVisible() and svc.capture is None
    # Leaving mid-answer: that answer does not count (the candidate was told), as before.
    assert s.takes_left(q) == allowed and s.answer.takes == []


def test_a_take_whose_time_runs_out_behind_the_question_is_kept_even_on_leaving(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock()
    w = at_questions(qtbot, tmp_path, clock)
    svc, s = w.service, w.service.session
    q = s.question
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_real(w, qtbot, 0.5)

    def leave_late(title: str, text: str) -> bool:
        clock.advance(s.answer_max(q) + 5)  # the candidate hesitates past the time limit
        w.tick()  # (the window's timer runs behind a dialog)
        return True

    w.confirm = leave_late
    w.close()
    # The answer ended at its limit and is saved; the window closes once it is.
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=30_000)
    assert not svc.finishing and svc.capture is None
    assert [t.stop_reason for t in s.answer.takes] == ["time_limit"]
    assert (svc.takes_dir / s.answer.takes[0].file).is_file()
    assert s.takes_left(q) == s.takes_allowed(q) - 1


def test_space_while_recording_stops_once_allowed_and_never_says_open_the_question(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock()
    w = at_questions(qtbot, tmp_path, clock)
    svc, s = w.service, w.service.session
    page = question_page(w)
    q = s.question
    w.act(svc.show_question)
    assert str(s.answer.phase) == "thinking"
    assert space(w) is page.start_button
    assert svc.recording
    # Stop is off for the minimum length: Space does nothing; once Stop is on, the focus is
    # on it (W3), and Space stops.
    assert not page.stop_button.isEnabled()
    space(w)
    assert svc.recording and not w.banner.isVisible()
    record_real(w, qtbot, 0.5)
    clock.advance(s.answer_min(q) + 1)
    w.tick()
    assert page.stop_button.isEnabled()
    assert QApplication.focusWidget() is page.stop_button
    assert space(w) is page.stop_button
    wait_saved(w)
    assert str(s.answer.phase) == "deciding" and len(s.answer.takes) == 1

    # A re-take goes straight into thinking time; Space twice (W4): start, then nothing.
    page.retake_button.click()
    assert str(s.answer.phase) == "thinking"
    assert space(w) is page.start_button
    assert svc.recording
    space(w)
    assert svc.recording, "the second Space did not stop the take before its minimum"
    assert not w.banner.isVisible(), w.banner.text()
    record_real(w, qtbot, 0.5)
    clock.advance(s.answer_min(q) + 1)
    w.tick()
    assert space(w) is page.stop_button
    wait_saved(w)
    assert [t.number for t in s.answer.takes] == [1, 2]


def test_start_answering_while_recording_is_no_action(qtbot: QtBot, tmp_path: Path) -> None:
    """The start button's action (its Ctrl+R, a late click) during a take: nothing happens."""
    clock = ManualClock()
    w = at_questions(qtbot, tmp_path, clock)
    svc = w.service
    page = question_page(w)
    w.act(svc.show_question)
    page.start_button.click()
    assert svc.recording
    take = svc._take
    page.start_button.click()  # e.g. the second of two quick presses
    assert svc.recording and svc._take is take
    assert not w.banner.isVisible(), w.banner.text()


def test_a_notice_about_one_question_goes_when_the_next_question_comes(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock()
    w = at_questions(qtbot, tmp_path, clock)
    svc, s = w.service, w.service.session
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_real(w, qtbot, 0.5)
    clock.advance(s.answer_min(s.question) + 1)
    w.tick()
    w.act(svc.stop_answer)
    wait_saved(w)
    w.show_notice("A notice about question 1.")
    w.sync()
    assert w.banner.isVisible(), "a repaint of the same question keeps it"
    w.act(lambda: svc.keep_take(s.answer.takes[-1].number))
    assert s.state.current == 1
    assert not w.banner.isVisible(), w.banner.text()
    # A notice that comes with the move (here: about the new question) stays.
    w.show_notice("About question 2.")
    w.sync()
    assert w.banner.isVisible()
