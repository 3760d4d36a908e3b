"""Sources that fail: no camera, no PortAudio, a device vanishing mid-take."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile

from onetake_desktop.domain.errors import DeviceError
from onetake_desktop.media import devices
from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import CaptureSession
from onetake_desktop.media.sources import (
    PORTAUDIO_MISSING,
    FileAudioSource,
    open_audio_source,
    open_video_source,
)

SMALL = PROFILES["light"].scaled(320, 240)


def one_sentence(text: str) -> bool:
    return "\n" not in text and text.endswith(".") and text[0].isupper() and len(text) < 220


def assert_decodes(path: Path) -> int:
    count = 0
    with av.open(str(path)) as container:
        for _ in container.decode(*container.streams):
            count += 1
    return count


def test_no_camera_is_one_sentence() -> None:
    with pytest.raises(DeviceError) as error:
        open_video_source("camera:7")
    assert one_sentence(str(error.value)) and "Camera 7" in str(error.value)


def test_no_camera_from_session_start_leaves_no_thread() -> None:
    session = CaptureSession("camera:7", "synthetic")
    with pytest.raises(DeviceError):
        session.start()
    session.close()


@pytest.mark.parametrize(
    "spec", ["webcam:0", "camera:", "camera:x", "synthetic:size=big", "file:/no/such.mp4"]
)
def test_bad_specs_are_one_sentence(spec: str) -> None:
    with pytest.raises(DeviceError) as error:
        open_video_source(spec)
    assert one_sentence(str(error.value))


def test_no_portaudio_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails as without PortAudio
    with pytest.raises(DeviceError) as error:
        open_audio_source("mic:default")
    assert str(error.value) == PORTAUDIO_MISSING and one_sentence(PORTAUDIO_MISSING)
    listed = devices.list_devices()
    assert listed.microphones == [] and PORTAUDIO_MISSING in listed.notes


def test_list_devices_here_says_none_plainly() -> None:
    listed = devices.list_devices()
    assert listed.cameras == []
    assert any(note.startswith("No camera was found") for note in listed.notes)
    assert all(one_sentence(note) for note in listed.notes)


@pytest.mark.parametrize(
    ("video", "audio", "reason"),
    [
        ("synthetic:size=320x240,fail_after=1.2", "synthetic", "device_lost"),
        ("synthetic:size=320x240,stall_after=1.2", "synthetic", "device_lost"),
        ("synthetic:size=320x240", "synthetic:fail_after=1.2", "device_lost"),
        ("synthetic:size=320x240", "synthetic:stall_after=1.2", "device_lost"),
    ],
    ids=["camera-fails", "camera-goes-silent", "mic-fails", "mic-goes-silent"],
)
def test_device_lost_mid_take_ends_cleanly_and_next_take_works(
    tmp_path: Path, video: str, audio: str, reason: str
) -> None:
    with CaptureSession(video, audio) as session:
        started = time.monotonic()
        take = session.start_take(tmp_path / "q01.mp4", SMALL, max_seconds=20)
        result = take.wait(10)
        ended = time.monotonic()
        assert result is not None, "the take did not end"
        assert result.stop_reason == reason
        assert result.message is not None and one_sentence(result.message)
        assert ended - started < 1.2 + 2.0
        assert result.path == tmp_path / "q01.mp4" and assert_decodes(result.path) > 0
        assert 0.8 < result.duration_seconds < 1.2 + 1.6
        # the lost source is opened again for the next take
        again = session.start_take(tmp_path / "q02.mp4", SMALL, max_seconds=0.5).wait(10)
        assert again is not None and again.stop_reason == "time_limit"
        assert assert_decodes(again.path) > 0


def test_file_source_that_ends_ends_the_take(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    with CaptureSession("synthetic:size=320x240", "synthetic") as session:
        session.start_take(clip, SMALL, max_seconds=0.7).wait(10)
    with CaptureSession(f"file-once:{clip}", "synthetic") as session:
        result = session.start_take(tmp_path / "q.mp4", SMALL, max_seconds=10).wait(10)
    assert result is not None and result.stop_reason == "source_ended"
    assert result.message is not None and one_sentence(result.message)
    assert 0.5 < result.duration_seconds < 1.0


def test_one_take_at_a_time(tmp_path: Path) -> None:
    from onetake_desktop.domain.errors import OneTakeError

    with CaptureSession("synthetic:size=320x240", "synthetic") as session:
        take = session.start_take(tmp_path / "a.mp4", SMALL)
        with pytest.raises(OneTakeError):
            session.start_take(tmp_path / "b.mp4", SMALL)
        take.stop()


def test_unknown_microphone_is_one_sentence() -> None:
    with pytest.raises(DeviceError) as error:
        open_audio_source("mic:No Such Microphone 42")
    assert one_sentence(str(error.value)) and "microphone" in str(error.value)


def test_audio_only_session_has_no_preview_but_a_level() -> None:
    with CaptureSession(None, "synthetic") as session:
        session.wait_ready()
        assert session.latest_frame() is None
        assert session.audio_level()[1] > 0.2


def test_wait_ready_names_a_silent_source() -> None:
    with (
        CaptureSession(None, "synthetic:stall_after=0") as session,
        pytest.raises(DeviceError, match="microphone sends nothing"),
    ):
        session.wait_ready(timeout=0.3)


def _play(source: FileAudioSource, samples: int) -> np.ndarray:
    """Start the source and collect ``samples`` samples (or all there are) in real time."""
    heard: list[np.ndarray] = []
    done = threading.Event()

    def on_audio(chunk: np.ndarray, t: float) -> None:
        heard.append(chunk)
        if sum(len(c) for c in heard) >= samples:
            done.set()

    source.start(on_audio, lambda reason, message: done.set())
    try:
        assert done.wait(10)
    finally:
        source.stop()
    return np.concatenate(heard)


def test_a_48k_wav_is_read_sample_for_sample_with_soundfile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WAV and FLAC at 48 kHz: PCM in, no decoder or resampler between (soundfile)."""
    monkeypatch.setattr(av, "AudioResampler", None)  # PyAV's path would fail here
    rate, n = 48_000, 24_000
    left = (0.5 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)).astype(np.float32)
    right = np.full(n, 0.25, np.float32)
    for suffix, subtype in ((".wav", "FLOAT"), (".flac", "PCM_24")):
        path = tmp_path / f"answer{suffix}"
        soundfile.write(str(path), np.stack([left, right], axis=1), rate, subtype=subtype)
        source = FileAudioSource(path, loop=False)
        got = _play(source, n)[:n]
        tolerance = 0 if subtype == "FLOAT" else 2**-22  # 24-bit PCM rounds
        assert np.max(np.abs(got - (left + right) / 2)) <= tolerance, suffix


def test_a_44k_wav_is_resampled_to_48k(tmp_path: Path) -> None:
    path = tmp_path / "cd.wav"
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(22_050) / 44_100)).astype(np.float32)
    soundfile.write(str(path), tone, 44_100, subtype="PCM_16")
    got = _play(FileAudioSource(path, loop=False), 24_000)
    assert abs(len(got) - 24_000) <= 2 * FileAudioSource.CHUNK  # half a second at 48 kHz
    assert 0.25 < float(np.max(np.abs(got))) < 0.35


def test_a_broken_wav_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(DeviceError, match="not a sound file this app can read"):
        FileAudioSource(path)


def test_the_recorder_reads_the_sessions_clock(tmp_path: Path) -> None:
    """One clock: the engine a candidate session opens stamps takes on the session's clock."""
    from onetake_desktop.domain.clock import ManualClock
    from onetake_desktop.services.candidate import CandidateService
    from tests.unit.test_session import make_kit

    clock = ManualClock()
    service = CandidateService(make_kit(), "sha256:" + "ab" * 32, clock=clock, session_dir=tmp_path)
    capture = service.capture_factory(None, "synthetic")
    try:
        assert isinstance(capture, CaptureSession)
        assert capture.clock() == 0.0
        clock.advance(5)
        assert capture.clock() == 5.0
    finally:
        capture.close()
