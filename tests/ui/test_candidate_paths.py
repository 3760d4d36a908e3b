"""The candidate window on the paths that used to dead-end, on the real engine offscreen.

No camera, no microphone, a written-only kit, the take chosen after "Answer again", a dialog
opened during an answer, start over, a passed deadline, a nearly silent take and deleting the
recordings after sealing.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import DeviceError
from onetake_desktop.domain.kit import Kit, LateSubmissions, Question
from onetake_desktop.services.candidate import CaptureFactory, CaptureLike, real_capture
from onetake_desktop.services.sending import checksum_words
from onetake_desktop.storage.kitfile import save_kit
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.pipeline.test_candidate_headless import small_kit
from tests.ui.candidate_walk import make, wait_saved

pytestmark = pytest.mark.timeout(240, method="thread")


@pytest.fixture(autouse=True)
def synchronous_tasks() -> object:
    tasks.set_synchronous(True)
    yield None
    tasks.set_synchronous(False)


def window_for(
    qtbot: QtBot,
    tmp_path: Path,
    *,
    kit: Kit | None = None,
    clock: ManualClock | None = None,
    capture_factory: CaptureFactory = real_capture,
    **options: object,
) -> CandidateWindow:
    path = tmp_path / "kit.onetakekit"
    save_kit(kit or small_kit(), path)
    w = make(path, clock or ManualClock(), tmp_path / "answers.onetake", capture_factory, **options)
    qtbot.addWidget(w)
    w.show()
    return w


def to_devices(w: CandidateWindow) -> None:
    w.act(w.service.begin)
    w.service.give_consent("Ada Lovelace", "ada@example.com")
    QApplication.processEvents()


def record_for(w: CandidateWindow, clock: ManualClock, seconds: float = 0.8) -> None:
    end = time.monotonic() + 10
    while w.service.take_elapsed() < seconds and time.monotonic() < end:
        w.tick()
        QApplication.processEvents()
        time.sleep(0.02)
    clock.advance(3)
    w.tick()


def test_no_camera_offers_audio_only_in_plain_words(qtbot: QtBot, tmp_path: Path) -> None:
    def no_camera(camera: str | None, mic: str | None) -> CaptureLike:
        if camera is not None:
            raise DeviceError("OpenCV could not open camera 0 (run v4l2-ctl --list-devices)")
        return real_capture(camera, mic)

    w = window_for(qtbot, tmp_path, capture_factory=no_camera)
    to_devices(w)
    page = w.pages["devices"]
    assert w.service.capture is not None and w.service.capture_specs == (None, "synthetic")
    problem = page.error.text()  # type: ignore[attr-defined]
    assert "camera could not be started" in problem and "v4l2" not in problem
    assert "--" not in problem and "onetake" not in problem
    assert page.audio_button.isVisible()  # type: ignore[attr-defined]
    assert "audio only" in page.audio_note.text()  # type: ignore[attr-defined]
    page.audio_button.click()  # type: ignore[attr-defined]
    assert page.continue_button.isEnabled()  # type: ignore[attr-defined]
    page.continue_button.click()  # type: ignore[attr-defined]
    assert w.service.session.state.audio_only and w.page_name() == "practice"
    w.close()


def test_no_microphone_offers_written_answers_and_a_note_to_the_employer(
    qtbot: QtBot, tmp_path: Path
) -> None:
    def no_mic(camera: str | None, mic: str | None) -> CaptureLike:
        raise DeviceError("PortAudio: Error querying device -1 (pactl list sources)")

    notes: list[str] = []
    kit = small_kit()._replace(written_instead=True)
    w = window_for(
        qtbot, tmp_path, kit=kit, capture_factory=no_mic, tell=lambda t, text: notes.append(text)
    )
    to_devices(w)
    page = w.pages["devices"]
    problem = page.error.text()  # type: ignore[attr-defined]
    assert "microphone could not be started" in problem and "pactl" not in problem
    assert not page.continue_button.isEnabled()  # type: ignore[attr-defined]
    assert not page.audio_button.isVisible()  # type: ignore[attr-defined]
    assert page.written_button.isVisible() and page.contact_button.isVisible()  # type: ignore[attr-defined]
    page.contact_button.click()  # type: ignore[attr-defined]
    assert notes and "hiring@example.com" in notes[0] and "Ada Lovelace" in notes[0]
    page.written_button.click()  # type: ignore[attr-defined]
    s = w.service.session
    assert w.page_name() == "questions" and s.state.written_instead
    w.act(w.service.show_question)
    assert s.answer.phase in ("thinking", "writing")
    assert w.pages["questions"].takes_pill.text() == "Written answer"  # type: ignore[attr-defined]
    w.close()


def test_a_written_only_kit_skips_the_device_step(qtbot: QtBot, tmp_path: Path) -> None:
    base = small_kit()
    kit = base._replace(
        practice=None,
        questions=(Question("w1", "Why this role?", "", 0, 0, 300, 0, answer_type="text"),),
    )
    w = window_for(qtbot, tmp_path, kit=kit)
    facts = w.pages["welcome"].facts.text()  # type: ignore[attr-defined]
    assert "all written" in facts and "no camera or microphone" in facts
    assert "spoken" not in facts
    to_devices(w)
    assert w.page_name() == "questions" and w.service.capture is None
    w.close()


def test_the_take_just_recorded_is_selected_after_answer_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock()
    w = window_for(qtbot, tmp_path, clock=clock)
    svc, s = w.service, w.service.session
    to_devices(w)
    w.act(svc.confirm_devices)
    w.act(svc.finish_practice)
    for _ in range(2):  # q1 (one take, one left) and q2
        w.act(svc.show_question)
        w.act(svc.start_answer)
        record_for(w, clock)
        w.act(svc.stop_answer)
        wait_saved(w)
        w.act(lambda: svc.keep_take(s.answer.takes[-1].number))
    w.act(svc.show_question)
    w.pages["questions"].editor.setPlainText("Because.")  # type: ignore[attr-defined]
    w.pages["questions"]._save_text()  # type: ignore[attr-defined]
    assert w.page_name() == "review"
    w.pages["review"].redo_buttons["q1"].click()  # type: ignore[attr-defined]
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_for(w, clock)
    w.act(svc.stop_answer)
    wait_saved(w)
    page = w.pages["questions"]
    assert page.take_group.checkedId() == 2  # type: ignore[attr-defined]
    assert page.player.path == svc.take_path("q1", 2)  # type: ignore[attr-defined]
    w.tick()
    w.sync()  # later repaints keep the new take selected
    assert page.take_group.checkedId() == 2  # type: ignore[attr-defined]
    page.keep_button.click()  # type: ignore[attr-defined]
    assert s.answer_for("q1").chosen_take == 2
    w.close()


def test_a_dialog_during_an_answer_does_not_use_up_the_take(qtbot: QtBot, tmp_path: Path) -> None:
    clock = ManualClock()
    asked: list[str] = []

    def stay(title: str, text: str) -> bool:
        asked.append(text)
        clock.advance(120)  # the candidate thinks it over for a long time
        return False

    w = window_for(qtbot, tmp_path, clock=clock, confirm=stay)
    svc, s = w.service, w.service.session
    to_devices(w)
    w.act(svc.confirm_devices)
    w.act(svc.finish_practice)
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_for(w, clock)
    # A link in the question's hint asks before the browser opens (closing the window asks
    # with the take going on: test_candidate_answer_kept.py).
    w.pages["questions"].context_text.link_activated.emit(  # type: ignore[attr-defined]
        "https://example.com/about-us"
    )
    assert asked and asked[0].startswith("This will open this address")
    w.tick()
    assert not svc.recording and str(s.answer.phase) == "ready"
    assert s.takes_left(s.question) == 2 and s.answer.takes == []
    assert "does not count" in w.banner.text()
    w.confirm = lambda title, text: True
    w.close()


def test_start_over_keeps_the_budget_and_the_bundle_records_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from onetake_desktop.storage.bundle import extract_bundle

    clock = ManualClock()
    kit = small_kit()._replace(practice=None)
    w = window_for(qtbot, tmp_path, kit=kit, clock=clock)
    svc = w.service
    to_devices(w)
    w.act(svc.confirm_devices)
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_for(w, clock)
    w.act(svc.stop_answer)
    wait_saved(w)
    w.close()
    again = window_for(qtbot, tmp_path, kit=kit, clock=clock)
    assert again.page_name() == "resume"
    assert "still count" in again.pages["resume"].summary.text()  # type: ignore[attr-defined]
    again.pages["resume"].over_button.click()  # type: ignore[attr-defined]
    svc, s = again.service, again.service.session
    assert again.page_name() == "welcome" and len(s.state.restarts) == 1
    to_devices(again)
    again.act(svc.confirm_devices)
    assert s.takes_left(s.question) == 1
    while s.step == "questions":
        again.act(svc.show_question)
        if s.answer_type(s.question) == "text":
            again.act(lambda: svc.save_text("Written."))
            continue
        again.act(svc.start_answer)
        record_for(again, clock)
        again.act(svc.stop_answer)
        wait_saved(again)
        again.act(lambda: svc.keep_take(s.answer.takes[-1].number))
    again.do_send()
    assert s.step == "sent"
    m = extract_bundle(tmp_path / "answers.onetake", tmp_path / "x").manifest
    assert len(m.restarts) == 1
    assert m.answers[0].takes_used == 2 and m.answers[0].submitted_take == 2
    again.close()


@pytest.mark.parametrize("policy", ["mark", "refuse"])
def test_a_passed_deadline_is_on_every_page(
    qtbot: QtBot, tmp_path: Path, policy: LateSubmissions
) -> None:
    clock = ManualClock()
    kit = small_kit()._replace(deadline=clock.now().replace(year=2025), late_submissions=policy)
    w = window_for(qtbot, tmp_path, kit=kit, clock=clock)
    svc, s = w.service, w.service.session
    seen = []
    to_devices(w)
    for step in (svc.confirm_devices, svc.finish_practice):
        seen.append(w.deadline.text())
        w.act(step)
    seen.append(w.deadline.text())
    assert all(t.startswith("The deadline for this interview was") for t in seen)
    assert w.deadline.isVisible()
    while s.step == "questions":
        w.act(svc.show_question)
        if s.answer_type(s.question) == "text":
            w.act(lambda: svc.save_text("Written."))
            continue
        w.act(svc.start_answer)
        record_for(w, clock)
        w.act(svc.stop_answer)
        wait_saved(w)
        w.act(lambda: svc.keep_take(s.answer.takes[-1].number))
    review = w.pages["review"]
    if policy == "refuse":
        assert not review.send_button.isEnabled()  # type: ignore[attr-defined]
        w.do_send()
        assert s.step == "review" and "contact them" in w.banner.text()
    else:
        w.do_send()
        assert s.step == "sent"
        from onetake_desktop.storage.bundle import extract_bundle

        m = extract_bundle(tmp_path / "answers.onetake", tmp_path / "x").manifest
        assert m.submitted_late and m.late_submissions == "mark"
        assert "marked as late" in w.pages["sent"].receipt.text()  # type: ignore[attr-defined]
    w.close()


def test_a_nearly_silent_take_is_flagged_with_the_choice_to_record_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock()
    w = window_for(qtbot, tmp_path, clock=clock, mic="synthetic:freq=0.001")
    svc = w.service
    to_devices(w)
    w.act(svc.confirm_devices)
    w.act(svc.finish_practice)
    w.act(svc.show_question)
    w.act(svc.start_answer)
    record_for(w, clock, 0.6)
    w.act(svc.stop_answer)
    wait_saved(w)
    page = w.pages["questions"]
    assert "nearly silent" in page.warning.text()  # type: ignore[attr-defined]
    assert page.warning.isVisible() and page.retake_button.isEnabled()  # type: ignore[attr-defined]
    w.close()


def test_deleting_the_recordings_after_sealing(qtbot: QtBot, tmp_path: Path) -> None:
    clock = ManualClock()
    kit = small_kit()._replace(practice=None)
    w = window_for(qtbot, tmp_path, kit=kit, clock=clock)
    svc, s = w.service, w.service.session
    to_devices(w)
    w.act(svc.confirm_devices)
    while s.step == "questions":
        w.act(svc.show_question)
        if s.answer_type(s.question) == "text":
            w.act(lambda: svc.save_text("Written."))
            continue
        w.act(svc.start_answer)
        record_for(w, clock)
        w.act(svc.stop_answer)
        wait_saved(w)
        w.act(lambda: svc.keep_take(s.answer.takes[-1].number))
    w.do_send()
    sent = w.pages["sent"]
    assert "still keeps your recordings" in sent.kept.text()  # type: ignore[attr-defined]
    assert svc.takes_dir.is_dir()
    sent.delete_button.click()  # type: ignore[attr-defined]
    assert not svc.takes_dir.exists() and (tmp_path / "answers.onetake").is_file()
    # With the recordings go the written answers, name and email (test_candidate_local_data).
    assert "were deleted from this computer" in sent.kept.text()  # type: ignore[attr-defined]
    assert "Ada" not in svc.state_path.read_text(encoding="utf-8")
    assert not sent.delete_button.isVisible()  # type: ignore[attr-defined]
    assert sent.new_button.isVisible()  # type: ignore[attr-defined]
    w.close()
    again = window_for(qtbot, tmp_path, kit=kit, clock=clock)
    assert again.page_name() == "sent", "reopening a sealed kit shows the receipt"
    assert checksum_words(svc.receipt().sha256) in again.pages["sent"].receipt.text()  # type: ignore[attr-defined]
    again.close()


def test_the_last_ten_seconds_change_colour_are_announced_and_may_beep(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock()
    base = small_kit()
    q1 = base.questions[0]._replace(think_seconds=30)
    kit = base._replace(questions=(q1, *base.questions[1:]))
    w = window_for(qtbot, tmp_path, clock=clock, kit=kit)
    announced: list[str] = []
    beeps: list[bool] = []
    monkeypatch.setattr(w, "_announce", lambda widget, sentence: announced.append(sentence))
    monkeypatch.setattr(QApplication, "beep", lambda: beeps.append(True))
    svc = w.service
    to_devices(w)
    w.pages["devices"].beep.setChecked(True)  # type: ignore[attr-defined]
    assert w.prefs.beep
    w.act(svc.confirm_devices)
    w.act(svc.finish_practice)
    w.act(svc.show_question)
    page = w.pages["questions"]
    clock.advance(19)  # 30 s of thinking: 11 s left
    w.tick()
    assert not page.clock.warning  # type: ignore[attr-defined]
    clock.advance(2)  # 9 s left
    w.tick()
    w.tick()
    assert page.clock.warning  # type: ignore[attr-defined]
    assert announced == ["Thinking time: 10 seconds left"] and beeps == [True]
    w.act(svc.start_answer)
    record_for(w, clock)  # the level meter moves while answering
    assert page.meter.rms > 0.1  # type: ignore[attr-defined]
    assert not page.clock.warning  # type: ignore[attr-defined]
    clock.advance(20 - 3 - 5)  # 5 s of the 20 s answer left
    w.tick()
    assert page.clock.warning and announced[-1] == "Answer time: 10 seconds left"  # type: ignore[attr-defined]
    clock.advance(6)
    w.tick()
    wait_saved(w)
    assert "Time's up" in w.banner.text()
    w.close()


def test_devices_are_found_and_opened_off_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    tasks.set_synchronous(False)
    w = window_for(qtbot, tmp_path)
    to_devices(w)
    page = w.pages["devices"]
    # the page says what it is doing and cannot go on until the devices are open
    assert page.status.text().startswith(("Looking for", "Starting"))  # type: ignore[attr-defined]
    assert not page.continue_button.isEnabled()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: w.service.capture is not None, timeout=15_000)
    assert page.status.text() == "Your devices are ready."  # type: ignore[attr-defined]
    assert page.continue_button.isEnabled()  # type: ignore[attr-defined]
    tasks.wait_for_tasks()
    w.close()
