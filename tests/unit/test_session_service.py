"""The session service over a stand-in recorder: clocks, saving after every step, consent gating.

Plain Python (no Qt, no PyAV): the recorder is a small fake that writes a few bytes per take;
the real engine is exercised in tests/pipeline and tests/ui.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
    service.begin()
    service.give_consent("Ada", "ada@example.com")
    service.open_devices("synthetic", "synthetic")
    service.confirm_devices()
    service.finish_practice()
    service.show_question()
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
    service.begin()
    service.give_consent("Ada", "ada@example.com")
    service.open_devices("synthetic", "synthetic")
    service.confirm_devices()
    service.finish_practice()
    service.show_question()
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
    service.begin()
    service.give_consent("Ada", "ada@example.com")
    service.open_devices("synthetic", "synthetic")
    service.confirm_devices()
    service.finish_practice()
    service.show_question()
    service.start_answer()
    clock.advance(3)
    service.close()
    assert service.capture is None
    assert saved(service)["answers"][0]["phase"] == "deciding"
    assert saved(service)["answers"][0]["takes"][0]["stop_reason"] == "closed"
