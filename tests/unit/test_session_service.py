"""The session service over a stand-in recorder: clocks, saving after every step, consent gating.

Plain Python (no Qt, no PyAV): the recorder is a small fake that writes a few bytes per take;
the real engine is exercised in tests/pipeline and tests/ui.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, ClassVar

import pytest

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import DeviceError
from onetake_desktop.domain.session import SessionStateError
from onetake_desktop.media.profiles import Profile
from onetake_desktop.media.types import TakeResult
from onetake_desktop.services.candidate import CandidateService
from tests.unit.test_session import make_kit


def take_result(
    path: Path, seconds: float, size: int, reason: str, message: str | None = None
) -> TakeResult:
    """What the real engine reports (media.types: importable without PyAV)."""
    return TakeResult(path, seconds, size, "mp4", "h264", "aac", reason, message)


class FakeTake:
    def __init__(
        self, out: Path, clock: ManualClock, on_finished: Callable[[TakeResult], None] | None
    ) -> None:
        self.out, self.clock = out, clock
        self.on_finished = on_finished or (lambda _result: None)
        self.t0 = clock.monotonic()
        self.result: TakeResult | None = None

    @property
    def elapsed(self) -> float:
        return self.clock.monotonic() - self.t0

    @property
    def running(self) -> bool:
        return self.result is None

    def stop(self, reason: str = "stopped") -> TakeResult:
        if self.result is None:
            self.out.write_bytes(b"x" * 100)
            self.result = take_result(self.out, self.elapsed, 100, reason)
        return self.result

    def request_stop(self) -> Future[TakeResult]:
        """This stand-in finishes at once (the real engine's writer finishes later)."""
        done: Future[TakeResult] = Future()
        done.set_result(self.stop())
        return done


class FakeCapture:
    opened: ClassVar[list[tuple[str | None, str | None]]] = []

    def __init__(self, camera: str | None, mic: str | None, clock: ManualClock) -> None:
        self.specs, self.clock = (camera, mic), clock
        self.take: FakeTake | None = None
        self.closed = False

    def start(self) -> None:
        if self.specs[1] == "mic:broken":
            raise DeviceError("The microphone mic:broken could not be opened.")
        FakeCapture.opened.append(self.specs)

    def latest_frame(self) -> Any:
        return None

    def audio_level(self) -> tuple[float, float]:
        return 0.25, 0.5

    def start_take(
        self,
        out_path: Path,
        profile: Profile,
        max_seconds: float | None = None,
        on_finished: Callable[[TakeResult], None] | None = None,
    ) -> FakeTake:
        out = out_path
        self.take = FakeTake(out, self.clock, on_finished)
        return self.take

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def service(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> CandidateService:
    FakeCapture.opened = []
    svc = CandidateService(
        make_kit(),
        "sha256:" + "ab" * 32,
        clock=clock,
        capture_factory=lambda cam, mic: FakeCapture(cam, mic, clock),
        session_dir=tmp_path / "session",
        privacy_hash="sha256:notice",
    )
    # the profile only names the encoder settings; these tests never encode
    monkeypatch.setattr(svc, "profile_for", lambda question=None: None)
    return svc


def saved(service: CandidateService) -> dict[str, Any]:
    return dict(json.loads(service.state_path.read_text()))


def to_first_question(service: CandidateService) -> None:
    """Consent, devices and practice done: the first question is on screen."""
    service.begin()
    service.give_consent("Ada", "ada@example.com")
    service.open_devices("synthetic", "synthetic")
    service.confirm_devices()
    service.finish_practice()
    service.show_question()


def test_devices_stay_closed_until_consent_and_every_step_is_saved(
    service: CandidateService,
) -> None:
    with pytest.raises(SessionStateError):
        service.open_devices("synthetic", "synthetic")
    assert FakeCapture.opened == []
    service.begin()
    assert saved(service)["step"] == "privacy"
    service.give_consent("Ada", "ada@example.com", ["extra-time"])
    assert saved(service)["consent_given_at"] and saved(service)["time_multiplier"] == 1.5
    with pytest.raises(DeviceError, match="broken"):
        service.open_devices("synthetic", "mic:broken")
    assert service.capture is None
    service.open_devices("synthetic", "synthetic")
    assert FakeCapture.opened == [("synthetic", "synthetic")]
    assert service.audio_level() == (0.25, 0.5)
    service.confirm_devices()
    assert saved(service)["step"] == "practice" and saved(service)["camera"] == "synthetic"


def test_think_time_runs_out_into_recording_and_the_limit_stops_it(
    service: CandidateService, clock: ManualClock
) -> None:
    to_first_question(service)
    clock.advance(9.9)
    service.tick()
    assert service.session.answer.phase == "thinking"
    clock.advance(0.1)
    service.tick()
    assert service.session.answer.phase == "recording"
    assert saved(service)["answers"][0]["recording_file"] == "q1-take1.mp4"
    with pytest.raises(SessionStateError, match="minimum"):
        service.stop_answer()
    clock.advance(60)
    service.tick()
    a = service.session.answer
    assert a.phase == "deciding" and a.takes[0].stop_reason == "time_limit"
    assert a.takes[0].duration_seconds == pytest.approx(60)
    assert (service.takes_dir / "q1-take1.mp4").is_file()
    assert saved(service)["answers"][0]["phase"] == "deciding"


def test_a_failed_take_does_not_count_and_says_why(
    service: CandidateService, clock: ManualClock
) -> None:
    heard: list[str] = []
    service.error_listeners.append(lambda e: heard.append(str(e)))
    to_first_question(service)
    service.start_answer()
    take = service.capture.take  # type: ignore[union-attr]
    assert take is not None
    # the engine reports from its own thread that nothing could be written
    take.on_finished(take_result(take.out, 0.0, 0, "device_lost", "The camera stopped."))
    service.tick()
    assert heard == ["The camera stopped."]
    assert service.session.answer.phase == "ready"
    assert service.session.takes_left(service.session.question) == 2


def test_closing_mid_take_keeps_the_take(service: CandidateService, clock: ManualClock) -> None:
    to_first_question(service)
    service.start_answer()
    clock.advance(3)
    service.close()
    assert service.capture is None
    assert saved(service)["answers"][0]["phase"] == "deciding"
    assert saved(service)["answers"][0]["takes"][0]["stop_reason"] == "closed"


# -- a take the recorder finishes later (its writer drains, flushes and fsyncs) -----------------
class SlowTake(FakeTake):
    """Stopping returns a pending future; ``finish`` (another thread) reports like the writer."""

    def __init__(
        self, out: Path, clock: ManualClock, on_finished: Callable[[TakeResult], None] | None
    ) -> None:
        super().__init__(out, clock, on_finished)
        self.future: Future[TakeResult] = Future()
        self.stop_requests = 0

    def request_stop(self) -> Future[TakeResult]:
        self.stop_requests += 1
        return self.future

    def finish(self) -> None:
        result = FakeTake.stop(self)
        self.on_finished(result)
        self.future.set_result(result)


class SlowCapture(FakeCapture):
    def start_take(
        self,
        out_path: Path,
        profile: Profile,
        max_seconds: float | None = None,
        on_finished: Callable[[TakeResult], None] | None = None,
    ) -> FakeTake:
        self.take = SlowTake(out_path, self.clock, on_finished)
        return self.take


def slow_service(service: CandidateService, clock: ManualClock) -> SlowTake:
    service.capture_factory = lambda cam, mic: SlowCapture(cam, mic, clock)
    to_first_question(service)
    service.start_answer()
    take = service.capture.take  # type: ignore[union-attr]
    assert isinstance(take, SlowTake)
    return take


def test_stop_returns_while_the_take_is_finished_and_it_counts_once(
    service: CandidateService, clock: ManualClock
) -> None:
    take = slow_service(service, clock)
    q = service.session.question
    clock.advance(6)
    service.tick()
    synced: list[str] = []
    service.listeners.append(lambda: synced.append(service.session.answer.phase))
    woken: list[str] = []
    service.take_wakeups.append(lambda: woken.append(threading.current_thread().name))

    service.stop_answer()  # returns at once: the take is being finished
    assert service.finishing and not service.recording
    assert synced == ["recording"], "the pages are told to show that the answer is saving"
    assert service.session.takes_used(q) == 0 and service.session.answer.phase == "recording"
    clock.advance(120)  # the answer time runs out while saving: no second stop, no state change
    service.tick()
    assert take.stop_requests == 1 and service.finishing
    assert service.interrupt() == "", "a dialog now neither stops nor discards the saved take"
    assert service.finishing and saved(service)["answers"][0]["phase"] == "recording"

    writer = threading.Thread(target=take.finish, name="writer")
    writer.start()
    writer.join()
    assert woken == ["writer"], "the wake-up comes from the writer thread"
    assert service.finishing, "nothing changes off the owner's thread"
    service.collect_finished()
    a = service.session.answer
    assert not service.finishing and a.phase == "deciding"
    assert [t.stop_reason for t in a.takes] == ["stopped"] and service.session.takes_left(q) == 1
    assert saved(service)["answers"][0]["takes"][0]["file"] == "q1-take1.mp4"
    take.on_finished(take.stop())  # a late duplicate report counts nothing
    service.collect_finished()
    assert len(service.session.answer.takes) == 1


def test_closing_while_a_take_is_finished_waits_and_keeps_it(
    service: CandidateService, clock: ManualClock
) -> None:
    take = slow_service(service, clock)
    clock.advance(6)
    service.stop_answer()
    assert service.finishing
    writer = threading.Timer(0.05, take.finish)  # the writer is done a little later
    writer.start()
    service.close()  # waits for it
    writer.join()
    assert service.capture is None and not service.finishing
    answer = saved(service)["answers"][0]
    assert answer["phase"] == "deciding" and answer["takes"][0]["stop_reason"] == "stopped"


def test_a_practice_try_shows_saving_until_it_is_finished(
    service: CandidateService, clock: ManualClock
) -> None:
    service.capture_factory = lambda cam, mic: SlowCapture(cam, mic, clock)
    service.begin()
    service.give_consent("Ada", "ada@example.com")
    service.open_devices("synthetic", "synthetic")
    service.confirm_devices()
    service.practice_answer_now()
    take = service.capture.take  # type: ignore[union-attr]
    assert isinstance(take, SlowTake)
    clock.advance(3)
    service.stop_practice()
    assert service.practice_phase == "saving" and service.last_practice is None
    take.finish()
    service.tick()
    assert service.practice_phase == "idle" and service.last_practice == take.out


def test_a_dialog_stops_a_take_without_waiting_and_its_file_goes_when_the_writer_reports(
    service: CandidateService, clock: ManualClock
) -> None:
    take = slow_service(service, clock)
    q = service.session.question
    clock.advance(6)
    service.tick()
    sentence = service.interrupt()  # returns at once: the writer has not finished yet
    assert sentence == (
        "The recording was stopped and does not count; you still have 2 takes for this question."
    )
    assert take.stop_requests == 1 and not take.future.done()
    assert not service.recording and not service.finishing
    assert service.session.answer.phase == "ready" and service.session.takes_left(q) == 2
    assert saved(service)["answers"][0]["takes"] == []

    writer = threading.Thread(target=take.finish, name="writer")
    writer.start()
    writer.join()
    assert take.out.exists(), "the writer finished the file; only the owner's thread deletes"
    service.collect_finished()
    assert not take.out.exists() and not take.out.with_name(take.out.name + ".partial").exists()
    assert service.session.answer.phase == "ready" and service.session.takes_left(q) == 2
    # The next take gets a name of its own and counts as the first.
    service.show_question()
    service.start_answer()
    assert service.session.answer.recording_file == "q1-take1-2.mp4"


def test_closing_deletes_an_interrupted_take_the_writer_is_still_finishing(
    service: CandidateService, clock: ManualClock
) -> None:
    take = slow_service(service, clock)
    clock.advance(6)
    service.interrupt()
    threading.Timer(0.05, take.finish).start()  # the writer reports while close waits
    service.close()
    assert take.future.done() and not take.out.exists()
    assert service.capture is None
