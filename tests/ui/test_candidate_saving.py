"""Stopping an answer never freezes the candidate window: "Saving your answer…" shows while the
recorder finishes the file, and the take appears when the recorder's report (an event posted to
the GUI thread, always queued) arrives.

Real window with the demo kit, offscreen; synthetic camera and microphone, real encoders. A
latch holds every take's writer in its last step (flushing the encoder, closing the file), so
the saving state is there for as long as the test looks at it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.media import recorder
from onetake_desktop.media.probe import probe_media
from onetake_desktop.storage.bundle import extract_bundle
from onetake_desktop.storage.kitfile import demo_kit_path
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.pages.question import QuestionPage
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.ui.candidate_walk import check_fits, make, on_screen, wait_saved

pytestmark = pytest.mark.timeout(240, method="thread")
LATCH_SECONDS = 60  # a safety net only: each test opens the latch itself


class Latch:
    def __init__(self) -> None:
        self.entered = threading.Event()  # a writer reached its flush and close
        self.release = threading.Event()

    def arm(self) -> None:
        self.entered.clear()
        self.release.clear()


@pytest.fixture(autouse=True)
def synchronous_tasks() -> Iterator[None]:
    tasks.set_synchronous(True)  # the device check opens the devices at once
    yield None
    tasks.set_synchronous(False)


@pytest.fixture
def held_writer(monkeypatch: pytest.MonkeyPatch) -> Iterator[Latch]:
    latch = Latch()
    real_finish = recorder._Encoder.finish

    def held_finish(self: Any) -> None:  # the take's writer thread
        latch.entered.set()
        latch.release.wait(LATCH_SECONDS)
        real_finish(self)

    monkeypatch.setattr(recorder._Encoder, "finish", held_finish)
    yield latch
    latch.release.set()  # never leave a writer waiting


def demo_window(qtbot: QtBot, tmp_path: Path, clock: ManualClock) -> CandidateWindow:
    w = make(demo_kit_path(), clock, tmp_path / "answers.onetake", session_dir=tmp_path / "session")
    qtbot.addWidget(w)
    w.show()
    w.act(w.service.begin)
    w.service.give_consent("Ada Lovelace", "ada@example.com")
    QApplication.processEvents()
    w.act(w.service.confirm_devices)
    assert w.service.capture is not None
    return w


def record_for(w: CandidateWindow, qtbot: QtBot, seconds: float) -> None:
    qtbot.waitUntil(lambda: w.service.take_elapsed() >= seconds, timeout=15_000)


def saved_answer(w: CandidateWindow) -> dict[str, Any]:
    return dict(json.loads(w.service.state_path.read_text())["answers"][0])


def test_stop_shows_saving_then_the_take_arrives_by_the_posted_report(
    qtbot: QtBot, tmp_path: Path, held_writer: Latch
) -> None:
    clock = ManualClock()
    w = demo_window(qtbot, tmp_path, clock)
    svc, s = w.service, w.service.session

    # Practice: Stop shows the saving state; the try plays back once it is saved.
    practice = w.pages["practice"]
    assert w.page_name() == "practice"
    w.act(svc.practice_answer_now)
    record_for(w, qtbot, 0.5)
    practice.stop_button.click()  # type: ignore[attr-defined]
    assert svc.practice_phase == "saving"
    assert practice.saving.isVisible() and not practice.stop_button.isEnabled()  # type: ignore[attr-defined]
    for hidden in ("record_button", "done_button", "back_button"):
        assert not getattr(practice, hidden).isVisible(), hidden
    assert held_writer.entered.wait(LATCH_SECONDS)
    assert svc.last_practice is None
    held_writer.release.set()
    wait_saved(w)
    assert svc.practice_phase == "idle" and svc.last_practice is not None
    assert practice.player.path == svc.last_practice and svc.last_practice.is_file()
    assert not practice.saving.isVisible() and practice.done_button.isVisible()
    w.act(svc.finish_practice)

    # Question 1: record past the minimum, then Stop.
    held_writer.arm()
    page = w.pages["questions"]
    q = s.question
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_for(w, qtbot, 0.8)
    clock.advance(s.answer_min(q) + 1)
    w.tick()
    assert page.stop_button.isEnabled()
    # Only the recorder's posted report may now count the take: the window's clock stops.
    w.timer.stop()
    page.stop_button.click()

    assert svc.finishing and not svc.recording
    assert held_writer.entered.wait(LATCH_SECONDS), "the writer is finishing the file"
    QApplication.processEvents()
    assert page.saving.isVisible()
    assert page.saving.text.text() == "Saving your answer…"
    assert page.stop_button.isVisible() and not page.stop_button.isEnabled()
    assert page.phase_text.text() == "Recording stopped"
    assert page.clock.mode == "stopped" and not page.meter.isVisible()
    w.fit_to(1024, 600)  # a small laptop screen: the saving state and Stop stay in view
    assert check_fits(w, 1024, 600, "question-saving") == []
    assert on_screen(w, page.saving)
    assert page.takes_pill.text() == f"Take 1 of {s.takes_allowed(q)}"
    assert s.answer.phase == "recording" and s.takes_used(q) == 0
    assert saved_answer(w)["phase"] == "recording", "a crash now recovers the take as today"
    take_file = svc.takes_dir / "q1-take1.mp4"
    assert not take_file.exists() and take_file.with_name("q1-take1.mp4.partial").exists()
    # Neither the answer clock running out nor a dialog stops or discards it meanwhile.
    clock.advance(s.answer_max(q))
    w.tick()
    assert w.ask("Open a link?", "Go on?") is True
    assert svc.finishing and page.saving.isVisible()

    held_writer.release.set()
    qtbot.waitUntil(lambda: s.answer.phase == "deciding", timeout=30_000)
    assert not svc.finishing
    assert page.views.currentWidget() is page.deciding
    assert page.takes_pill.text() == f"Take 1 of {s.takes_allowed(q)}"
    take = s.answer.takes[-1]
    assert (take.number, take.stop_reason, take.file) == (1, "stopped", "q1-take1.mp4")
    assert take.duration_seconds > 0 and take_file.is_file()
    assert page.player.path == take_file
    assert page.take_group.checkedId() == 1
    assert saved_answer(w)["phase"] == "deciding"
    assert s.takes_left(q) == s.takes_allowed(q) - 1, "the take counts exactly once"
    w.timer.start()
    w.close()


def test_closing_the_window_while_saving_shows_saving_then_closes_and_keeps_the_take(
    qtbot: QtBot, tmp_path: Path, held_writer: Latch
) -> None:
    clock = ManualClock()
    w = demo_window(qtbot, tmp_path, clock)
    svc, s = w.service, w.service.session
    w.act(svc.finish_practice)
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_for(w, qtbot, 0.8)
    clock.advance(s.answer_min(s.question) + 1)
    w.act(svc.stop_answer)
    assert held_writer.entered.wait(LATCH_SECONDS) and svc.finishing
    asked: list[str] = []

    def leave(title: str, text: str) -> bool:
        asked.append(text)
        return True

    w.confirm = leave
    page = w.pages["questions"]
    assert isinstance(page, QuestionPage)
    w.close()
    # The window did not wait for the encoder: it stays, saying the answer is being saved.
    assert w.isVisible() and w.close_when_saved and svc.finishing
    assert page.saving.isVisible() and not page.stop_button.isEnabled()
    assert asked and "does not count" not in asked[0], "a take being saved is kept"
    held_writer.release.set()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=30_000)
    assert len(asked) == 1, "the candidate was asked once"
    assert not svc.finishing and svc.capture is None
    answer = saved_answer(w)
    assert answer["phase"] == "deciding"
    assert [t["stop_reason"] for t in answer["takes"]] == ["stopped"]
    assert (svc.takes_dir / "q1-take1.mp4").is_file()
    assert not (svc.takes_dir / "q1-take1.mp4.partial").exists()


def test_a_dialog_during_a_take_stops_it_without_waiting_and_the_answer_is_sealed_complete(
    qtbot: QtBot, tmp_path: Path, held_writer: Latch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link in the question (a dialog) during a take: the window asks the recorder to stop
    and opens the question at once, while the writer is still held in its flush; the take
    does not count, and its file goes when the recorder's posted report arrives. The next
    take is kept, and the sealed bundle carries it complete."""
    blocking_stops: list[str] = []
    real_stop = recorder.Take.stop

    def spied_stop(self: recorder.Take) -> Any:
        blocking_stops.append(threading.current_thread().name)
        return real_stop(self)

    monkeypatch.setattr(recorder.Take, "stop", spied_stop)
    clock = ManualClock()
    w = demo_window(qtbot, tmp_path, clock)
    svc, s = w.service, w.service.session
    w.act(svc.finish_practice)
    page = w.pages["questions"]
    assert isinstance(page, QuestionPage)
    q = s.question
    allowed = s.takes_allowed(q)
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_for(w, qtbot, 0.8)
    take = svc._take
    assert isinstance(take, recorder.Take)
    take_file = svc.takes_dir / "q1-take1.mp4"
    partial = take_file.with_name("q1-take1.mp4.partial")
    assert partial.exists()
    w.timer.stop()  # only the recorder's posted report may finish the stopped take
    opened: list[str] = []
    w.open_url = opened.append
    during: dict[str, Any] = {}

    def confirm(title: str, text: str) -> bool:
        # The dialog is up while the recorder still finishes the file: nothing waited on it.
        during["title"] = title
        during["writer_done"] = take.finished.done()
        during["recording"] = svc.recording
        during["phase"] = s.answer.phase
        during["takes_left"] = s.takes_left(q)
        during["pill"] = page.takes_pill.text()
        return True

    w.confirm = confirm
    # The real wire: a link in the question's context text asks before the browser opens.
    page.context_text.link_activated.emit("https://example.com/about-us")

    assert during == {
        "title": "Open a link?",
        "writer_done": False,
        "recording": False,
        "phase": "ready",
        "takes_left": allowed,
        "pill": f"Take 1 of {allowed}",  # the same take as before the dialog (s11b L4)
    }
    assert opened == ["https://example.com/about-us"]
    assert blocking_stops == [], "the window never waited for the encoder"
    assert w.banner.isVisible()
    assert w.banner.text() == (
        "The recording was stopped and does not count; you still have "
        f"{allowed} take{'' if allowed == 1 else 's'} for this question."
    )
    assert page.views.currentWidget() is page.ready and not page.saving.isVisible()
    assert saved_answer(w)["phase"] == "ready" and saved_answer(w)["takes"] == []

    # The writer finishes; its report arrives (a posted event) and the file goes.
    held_writer.release.set()
    qtbot.waitUntil(lambda: not svc._discarding, timeout=30_000)
    assert take.finished.done()
    assert not take_file.exists() and not partial.exists()
    assert s.takes_left(q) == allowed and s.answer.takes == [], "the stopped take never counts"
    w.timer.start()

    # The next take is kept; every answer is sealed, the first one complete.
    while s.step == "questions":
        question = s.question
        w.act(svc.show_question)
        if s.answer_type(question) == "text":
            if s.answer.phase == "thinking":
                w.act(svc.start_writing)
            w.act(lambda: svc.save_text("I would thank them and explain the next steps."))
            continue
        w.act(svc.start_answer)
        record_for(w, qtbot, 1.0)
        clock.advance(s.answer_min(question) + 1)
        w.act(svc.stop_answer)
        wait_saved(w)
        w.act(lambda: svc.keep_take(s.answer.takes[-1].number))
    assert s.step == "review"
    out = tmp_path / "answers.onetake"
    w.do_send()
    qtbot.waitUntil(lambda: s.step == "sent", timeout=60_000)
    assert blocking_stops == []
    bundle = extract_bundle(out, tmp_path / "check")
    first = bundle.manifest.answers[0]
    assert first.question_id == q.id
    assert first.takes_used == 1 and first.submitted_take == 1, "the re-record count is unchanged"
    kept = s.state.answers[0].takes[0]
    assert kept.file == "q1-take1-2.mp4"
    # The sealed file is the kept take's, byte for byte, and it decodes to its last sample.
    assert bundle.media[q.id].read_bytes() == (svc.takes_dir / kept.file).read_bytes()
    media = probe_media(bundle.media[q.id])
    assert media.video_codec == "h264" and media.audio_codec == "aac"
    assert media.duration_seconds == pytest.approx(kept.duration_seconds, abs=0.2)
    assert sorted(p.name for p in svc.takes_dir.iterdir()) == ["q1-take1-2.mp4", "q2-take1.mp4"]


def test_a_take_s_report_is_counted_on_the_gui_thread_once_each_and_never_at_once(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorder reports each finished take on its writer thread; the window counts it on
    its own thread, once per report, and never inside the report's call, even one made on
    the GUI thread (a posted event: queued, as a queued signal connection was)."""
    w = make(demo_kit_path(), ManualClock(), tmp_path / "a.onetake", session_dir=tmp_path / "s")
    qtbot.addWidget(w)
    w.timer.stop()  # its ticks collect finished takes too: only the reports count here
    counted: list[str] = []
    monkeypatch.setattr(
        w.service, "collect_finished", lambda: counted.append(threading.current_thread().name)
    )
    (wake,) = w.service.take_wakeups
    wake()
    assert counted == []  # not inside the call
    qtbot.waitUntil(lambda: len(counted) == 1)
    writer = threading.Thread(target=lambda: (wake(), wake()), name="writer")
    writer.start()
    writer.join()
    qtbot.waitUntil(lambda: len(counted) == 3)
    QApplication.processEvents()
    assert counted == [threading.main_thread().name] * 3
    w.close()
    assert w.service.take_wakeups == []


def counted_window(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[CandidateWindow, list[str]]:
    """A window without its ticks (they collect finished takes too), and the names of the
    threads on which it counted a finished take."""
    w = make(
        demo_kit_path(), ManualClock(), tmp_path / f"{name}.onetake", session_dir=tmp_path / name
    )
    w.timer.stop()
    counted: list[str] = []
    monkeypatch.setattr(
        w.service, "collect_finished", lambda: counted.append(threading.current_thread().name)
    )
    return w, counted


def test_a_take_s_report_after_the_window_is_deleted_reaches_nobody(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window deleted without its close event (which unhooks its report) leaves the report
    hooked in its service: a writer thread's call still raises nothing and wakes nobody, while
    a live window's report, made right after it on the same thread, reaches that window on
    the GUI thread. (One thread's events to one receiver arrive in order: once the live
    window has counted, the old report has been delivered too.)"""
    import shiboken6

    gone, gone_counted = counted_window("gone", tmp_path, monkeypatch)
    live, live_counted = counted_window("live", tmp_path, monkeypatch)
    qtbot.addWidget(live)
    (gone_wake,) = gone.service.take_wakeups
    (live_wake,) = live.service.take_wakeups
    shiboken6.delete(gone)  # no close event: the report stays hooked
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            gone_wake()
            live_wake()
        except BaseException as error:  # any failure fails the test
            failures.append(error)

    thread = threading.Thread(target=writer, name="writer")
    thread.start()
    thread.join()
    assert failures == []
    qtbot.waitUntil(lambda: live_counted != [])
    assert live_counted == [threading.main_thread().name]
    assert gone_counted == []


def test_a_window_deleted_while_a_writer_thread_reports_is_never_woken(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race itself: a writer thread reports over and over while the GUI thread deletes
    the window. No report fails or reaches the deleted window; the live window's report,
    made after the last of them, still arrives."""
    import shiboken6

    gone, gone_counted = counted_window("gone", tmp_path, monkeypatch)
    live, live_counted = counted_window("live", tmp_path, monkeypatch)
    qtbot.addWidget(live)
    (gone_wake,) = gone.service.take_wakeups
    (live_wake,) = live.service.take_wakeups
    reporting, stop = threading.Event(), threading.Event()
    failures: list[BaseException] = []
    reports = 0

    def writer() -> None:
        nonlocal reports
        try:
            while not stop.is_set():
                gone_wake()
                reports += 1
                reporting.set()
            live_wake()
        except BaseException as error:  # any failure fails the test
            failures.append(error)

    thread = threading.Thread(target=writer, name="writer")
    thread.start()
    assert reporting.wait(LATCH_SECONDS)
    shiboken6.delete(gone)  # on the GUI thread, while the writer thread posts
    stop.set()
    thread.join()
    assert failures == []
    assert reports > 0
    qtbot.waitUntil(lambda: live_counted != [])
    assert live_counted == [threading.main_thread().name]
    # This thread processed no event before the deletion: every report came after it.
    assert gone_counted == []
