"""The camera and microphone paths, driven by stand-ins for OpenCV's VideoCapture and for
sounddevice (this machine has neither a camera nor a sound card)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from onetake_desktop.domain.errors import DeviceError
from onetake_desktop.media import sources
from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import CaptureSession
from onetake_desktop.media.sources import CameraSource, MicrophoneSource, SyntheticVideoSource

SMALL = PROFILES["light"].scaled(320, 240)


class FakeCapture:
    """cv2.VideoCapture for one 640x480 camera at 30 fps that dies after ``frames`` reads."""

    frames = 10_000
    opened: ClassVar[list[FakeCapture]] = []

    def __init__(self, index: int) -> None:
        self.index = index
        self.props: dict[int, float] = {}
        self.reads = 0
        self.released = False
        self.card = SyntheticVideoSource(640, 480, 30)
        FakeCapture.opened.append(self)

    def isOpened(self) -> bool:
        return self.index == 0

    def set(self, prop: int, value: float) -> bool:
        self.props[prop] = value
        return True

    def get(self, prop: int) -> float:
        import cv2

        return 30.0 if prop == cv2.CAP_PROP_FPS else 0.0

    def read(self) -> tuple[bool, Any]:
        self.reads += 1
        if self.reads > self.frames:
            time.sleep(0.005)
            return False, None
        time.sleep(1 / 30)
        return True, self.card.draw(self.reads)

    def release(self) -> None:
        self.released = True


@pytest.fixture
def fake_camera(monkeypatch: pytest.MonkeyPatch) -> type[FakeCapture]:
    import cv2

    FakeCapture.frames = 10_000
    FakeCapture.opened = []
    monkeypatch.setattr(cv2, "VideoCapture", FakeCapture)
    return FakeCapture


def test_camera_negotiates_and_records(fake_camera: type[FakeCapture], tmp_path: Path) -> None:
    import cv2

    with pytest.raises(DeviceError, match="Camera 3 could not be opened"):
        CameraSource(3)
    with CaptureSession("camera:0", "synthetic") as session:
        assert session.video is not None and (session.video.width, session.video.height) == (
            640,
            480,
        )
        result = session.start_take(tmp_path / "c.mp4", SMALL, max_seconds=1).wait(10)
    camera = fake_camera.opened[-1]
    assert camera.props[cv2.CAP_PROP_FRAME_WIDTH] == 1280 and camera.props[cv2.CAP_PROP_FPS] == 30
    assert camera.released
    assert result is not None and result.stop_reason == "time_limit"
    assert abs(result.stats.frames_encoded - 30) <= 2


def test_camera_unplugged_mid_take(fake_camera: type[FakeCapture], tmp_path: Path) -> None:
    fake_camera.frames = 45  # 1.5 s, then nothing but failed reads
    with CaptureSession("camera:0", "synthetic") as session:
        started = time.monotonic()
        result = session.start_take(tmp_path / "c.mp4", SMALL, max_seconds=20).wait(10)
        assert result is not None and result.stop_reason == "device_lost"
        assert time.monotonic() - started < 1.5 + 2.0
        assert "camera" in session.lost["video"][1].lower()


class FakeStream:
    def __init__(self, callback: Any, blocksize: int, device: Any, **kwargs: Any) -> None:
        self.callback, self.blocksize, self.device = callback, blocksize, device
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        def run() -> None:  # stands in for PortAudio's callback thread
            n = 0
            while not self._stop.wait(self.blocksize / 48_000):
                t = np.arange(n, n + self.blocksize) / 48_000
                block = (0.5 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
                self.callback(block.reshape(-1, 1), self.blocksize, None, None)
                n += self.blocksize

        self._thread = threading.Thread(target=run, name="fake-portaudio")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def close(self) -> None:
        pass


@pytest.fixture
def fake_sounddevice(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    devices = [
        {"name": "HDA Intel: Speakers", "max_input_channels": 0, "default_samplerate": 48000.0},
        {"name": "USB Headset Mic", "max_input_channels": 1, "default_samplerate": 48000.0},
    ]

    def query_devices(device: Any = None, kind: Any = None) -> Any:
        if device is None and kind is None:
            return devices
        return devices[1] if device is None else devices[device]

    fake = types.SimpleNamespace(
        query_devices=query_devices,
        check_input_settings=lambda **kwargs: None,
        InputStream=FakeStream,
        default=types.SimpleNamespace(device=(1, 0)),
    )
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    return fake


def test_microphone_by_name_records(fake_sounddevice: Any, tmp_path: Path) -> None:
    assert MicrophoneSource("usb headset").device == 1
    assert MicrophoneSource("1").device == 1
    with pytest.raises(DeviceError, match="No microphone called 'Speakers'"):
        MicrophoneSource("Speakers")  # an output, not an input
    from onetake_desktop.media.devices import list_devices

    listed = list_devices()
    assert [(d.spec, d.default) for d in listed.microphones] == [("mic:USB Headset Mic", True)]
    with CaptureSession(None, "mic:USB Headset") as session:
        session.wait_ready()
        rms, peak = session.audio_level()
        assert abs(rms - 0.5 / np.sqrt(2)) < 0.02
        assert abs(peak - 0.5) < 0.02
        result = session.start_take(tmp_path / "m.mp4", PROFILES["audio"], max_seconds=1).wait(5)
    assert result is not None and result.stop_reason == "time_limit"
    assert abs(result.stats.audio_samples - 48_000) <= 1
    assert sources.MicrophoneSource.BLOCK == 960


def test_devices_command_json_says_none_plainly() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "onetake_desktop", "devices", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert listed["cameras"] == [] and any("No camera" in n for n in listed["notes"])
