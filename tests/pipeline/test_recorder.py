"""Round trips through the recording engine: synthetic devices -> file -> PyAV."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import TypedDict

import av
import numpy as np
import pytest

from onetake_desktop.media.profiles import PROFILES, get_profile
from onetake_desktop.media.recorder import CaptureSession
from onetake_desktop.media.sources import SyntheticVideoSource
from onetake_desktop.media.types import TakeResult

SMALL = PROFILES["light"].scaled(320, 240)
RECORD = [sys.executable, "-m", "onetake_desktop", "record"]


class Decoded(TypedDict):
    video: list[av.VideoFrame]
    audio: list[av.AudioFrame]


def decode_all(path: Path) -> Decoded:
    frames: Decoded = {"video": [], "audio": []}
    with av.open(str(path)) as container:
        for frame in container.decode(*container.streams):
            if isinstance(frame, av.VideoFrame):
                frames["video"].append(frame)
            elif isinstance(frame, av.AudioFrame):
                frames["audio"].append(frame)
    return frames


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[spectrum.argmax()])


def test_round_trip_ten_second_take(tmp_path: Path) -> None:
    profile = PROFILES["default"]
    out = tmp_path / "q01.mp4"
    with CaptureSession("synthetic", "synthetic") as session:
        result = session.start_take(out, profile, max_seconds=10).wait(30)
    assert result is not None
    assert result.stop_reason == "time_limit" and result.message is None
    assert result.path == out and out.exists() and not (tmp_path / "q01.mp4.partial").exists()
    assert (result.container, result.video_codec, result.audio_codec) == ("mp4", "h264", "aac")

    with av.open(str(out)) as container:
        streams = container.streams
        assert [s.type for s in streams] == ["video", "audio"]
        video, audio = streams.video[0], streams.audio[0]
        assert video.codec_context.name == "h264" and audio.codec_context.name == "aac"
        assert (video.width, video.height) == (1280, 720)
        assert audio.sample_rate == 48_000

    frames = decode_all(out)
    video_frames = frames["video"]
    fps = profile.fps
    # frame count and duration: 10 s at 30 fps, within one frame
    assert abs(len(video_frames) - 10 * fps) <= 1
    assert len(video_frames) == result.stats.frames_encoded
    assert result.stats.frames_dropped == 0
    first = video_frames[0].time
    last = video_frames[-1].time
    assert first is not None and last is not None
    assert abs((last + 1 / fps - first) - 10.0) <= 1 / fps
    audio_frames = frames["audio"]
    samples = np.concatenate([f.to_ndarray().reshape(-1) for f in audio_frames])
    assert abs(len(samples) / 48_000 - 10.0) <= 1 / fps
    assert abs(result.duration_seconds - 10.0) <= 1 / fps
    # A/V start offset: both start within one frame of each other
    audio_start = audio_frames[0].time
    assert audio_start is not None
    assert abs(first - max(audio_start, 0.0)) <= 1 / fps
    assert abs(result.stats.av_start_offset_ms) <= 1000 / fps
    assert abs(result.stats.av_offset_ms) <= 1000 / fps
    # the sound is the synthetic tone
    assert abs(dominant_frequency(samples[48_000:96_000], 48_000) - 440) < 3
    # the counter drawn in each picture matches its timestamp
    card = SyntheticVideoSource(1280, 720, fps)
    offsets = set()
    previous = -1
    for frame in video_frames:
        counter = card.read_counter(frame.to_ndarray(format="gray").astype(np.uint8))
        assert counter > previous
        previous = counter
        assert frame.pts is not None and frame.time_base is not None
        slot = round(frame.pts * frame.time_base * fps)
        offsets.add(counter - slot)
    assert len(offsets) == 1, f"counter and timestamps disagree: {sorted(offsets)}"


def test_preview_level_and_two_takes_reuse_the_sources(tmp_path: Path) -> None:
    with CaptureSession("synthetic", "synthetic:freq=1000") as session:
        camera = session.video
        deadline = time.monotonic() + 2
        while session.latest_frame() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        preview = session.latest_frame()
        assert preview is not None and preview.shape == (360, 640, 3)
        time.sleep(0.1)
        rms, peak = session.audio_level()
        assert abs(peak - 0.3) < 0.01 and abs(rms - 0.3 / np.sqrt(2)) < 0.01

        first = session.start_take(tmp_path / "q01.mp4", SMALL)
        assert first.running
        time.sleep(1.0)
        assert 0.9 < first.elapsed < 1.5
        r1 = first.stop()
        assert not first.running and r1.stop_reason == "stopped"
        assert 0.8 < r1.duration_seconds < 1.5
        finished: list[TakeResult] = []
        second = session.start_take(
            tmp_path / "q02.mp4", SMALL, max_seconds=1.0, on_finished=finished.append
        )
        r2 = second.wait(10)
        assert session.video is camera  # the camera was not re-opened
        assert r2 is not None and finished == [r2] and r2.stop_reason == "time_limit"
        assert second.stop() is r2
    assert abs(r2.duration_seconds - 1.0) < 0.05
    assert len(decode_all(r2.path)["video"]) == r2.stats.frames_encoded


def test_audio_only_take(tmp_path: Path) -> None:
    with CaptureSession("synthetic", "synthetic") as session:
        result = session.start_take(tmp_path / "a.mp4", PROFILES["audio"], max_seconds=1).wait(10)
    assert result is not None and result.video_codec is None and result.audio_codec == "aac"
    with av.open(str(result.path)) as container:
        assert [s.type for s in container.streams] == ["audio"]
    assert abs(result.stats.audio_samples - 48_000) <= 1


def test_video_only_session_and_profile_lookup(tmp_path: Path) -> None:
    assert get_profile("audio").audio_only and get_profile(None, audio_only=True).audio_only
    with CaptureSession("synthetic:size=320x240", None) as session:
        result = session.start_take(tmp_path / "v.mp4", SMALL, max_seconds=0.5).wait(10)
    assert result is not None and result.audio_codec is None
    with av.open(str(result.path)) as container:
        assert [s.type for s in container.streams] == ["video"]


def test_file_source_loops_and_scales(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    with CaptureSession("synthetic:size=320x240,fps=15", "synthetic:freq=660") as session:
        session.start_take(clip, replace(SMALL, fps=15, gop=15), max_seconds=0.6).wait(10)
    out = tmp_path / "from-file.mp4"
    with CaptureSession(f"file:{clip}", f"file:{clip}") as session:
        assert session.video is not None and abs(session.video.fps - 15) < 0.5
        result = session.start_take(out, SMALL.scaled(640, 360), max_seconds=1.5).wait(10)
    assert result is not None and result.stop_reason == "time_limit"  # looped past 0.6 s
    frames = decode_all(out)
    assert (frames["video"][0].width, frames["video"][0].height) == (640, 360)
    samples = np.concatenate([f.to_ndarray().reshape(-1) for f in frames["audio"]])
    assert abs(dominant_frequency(samples, 48_000) - 660) < 5


def test_cli_record_json(tmp_path: Path) -> None:
    out = tmp_path / "cli.mp4"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "onetake_desktop",
            "record",
            "--seconds",
            "1",
            "--profile",
            "light",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    assert stats["stop_reason"] == "time_limit" and stats["video_codec"] == "h264"
    assert stats["stats"]["frames_dropped"] == 0 and out.exists()
    assert abs(stats["duration_seconds"] - 1.0) < 0.05


def test_time_base_is_explicit(tmp_path: Path) -> None:
    with CaptureSession("synthetic:size=320x240", "synthetic") as session:
        result = session.start_take(tmp_path / "t.mp4", SMALL, max_seconds=0.5).wait(10)
    assert result is not None
    frames = decode_all(result.path)["video"]
    steps = {
        (b.pts - a.pts) * b.time_base
        for a, b in itertools.pairwise(frames)
        if b.pts and a.pts is not None and b.time_base
    }
    assert steps == {Fraction(1, 30)}


def test_pick_profile_measures_the_encoder() -> None:
    from onetake_desktop.media.recorder import measure_encoder_fps, pick_profile

    small = PROFILES["default"].scaled(320, 240)
    assert measure_encoder_fps(small, frames=10) > 30
    assert pick_profile(small, SMALL) is small
    slow = replace(small, fps=100_000)  # nobody encodes that fast
    assert pick_profile(slow, SMALL) is SMALL
    assert pick_profile(PROFILES["audio"], SMALL) is PROFILES["audio"]


def test_sound_lost_by_the_device_is_filled_with_silence_to_keep_sync(tmp_path: Path) -> None:
    with CaptureSession("synthetic:size=320x240", "synthetic:gap_at=0.8") as session:
        session.wait_ready()
        result = session.start_take(tmp_path / "g.mp4", SMALL, max_seconds=1.5).wait(10)
    assert result is not None and result.stop_reason == "time_limit"
    s = result.stats
    assert abs(s.audio_gap_fill_samples - 0.2 * 48_000) < 0.03 * 48_000
    assert abs(s.audio_samples - 1.5 * 48_000) <= 1 and abs(s.av_offset_ms) <= 1000 / 30 + 1


def test_ctrl_c_stops_the_cli_take_and_keeps_it(tmp_path: Path) -> None:
    import selectors
    import signal

    out = tmp_path / "int.mp4"
    child = subprocess.Popen(
        [*RECORD, "--seconds", "30", "--profile", "light", "--json", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Ctrl+C once the child says it records (its start-up can take seconds on a busy machine).
    said = b""
    assert child.stderr is not None
    with selectors.DefaultSelector() as waiting:  # raw reads: no line kept in a buffer unseen
        waiting.register(child.stderr, selectors.EVENT_READ)
        while b"Ctrl+C stops" not in said and waiting.select(timeout=60):
            chunk = os.read(child.stderr.fileno(), 4096)
            if not chunk:  # ended before it recorded
                break
            said += chunk
    assert b"Ctrl+C stops and keeps it" in said, (said, child.communicate(timeout=20))
    time.sleep(1.0)
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=20)
    assert child.returncode == 0, stderr
    stats = json.loads(stdout)
    # Stopped by the Ctrl+C, long before its 30 s, with the second recorded before it.
    assert stats["stop_reason"] == "stopped" and 0.8 < stats["duration_seconds"] < 30
    assert out.exists() and not out.with_name("int.mp4.partial").exists()
    assert len(decode_all(out)["video"]) == stats["stats"]["frames_encoded"]


@pytest.mark.timeout(60, method="thread")
def test_ctrl_c_while_the_take_starts_stops_and_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Ctrl+C that came after the take was handed to the session but before its writer
    # started raised KeyboardInterrupt there, and closing the session waited forever for a
    # writer that never ran. Now Ctrl+C only asks the take to stop.
    import signal

    from onetake_desktop.cli import main
    from onetake_desktop.media.recorder import Take

    start = Take._start

    def ctrl_c_then_start(take: Take) -> None:
        signal.raise_signal(signal.SIGINT)  # its Python handler runs here, before the writer
        start(take)

    monkeypatch.setattr(Take, "_start", ctrl_c_then_start)
    out = tmp_path / "int.mp4"
    before = signal.getsignal(signal.SIGINT)
    assert main(["record", "--seconds", "30", "--profile", "light", "--json", str(out)]) == 0
    assert signal.getsignal(signal.SIGINT) is before  # the CLI's Ctrl+C handling is undone
    stats = json.loads(capsys.readouterr().out)
    assert stats["stop_reason"] == "stopped" and stats["duration_seconds"] < 30
    assert out.exists() and not out.with_name("int.mp4.partial").exists()


@pytest.mark.timeout(60, method="thread")
def test_a_second_ctrl_c_while_the_take_starts_waits_for_its_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both Ctrl+Cs after the take was handed to the session, before its writer started: the
    # second raised KeyboardInterrupt there, and closing the session waited for ever for a
    # writer that never ran, saying "nothing was recorded" (review s13a L6). Now it is held
    # until the writer runs; closing the session then finishes the take.
    import signal

    from onetake_desktop.cli import main
    from onetake_desktop.media.recorder import Take

    start = Take._start
    writer_running: list[bool] = []

    def two_ctrl_c_then_start(take: Take) -> None:
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)  # held: its Python handler ran, nothing raised
        start(take)
        writer_running.append(take._thread.is_alive())

    monkeypatch.setattr(Take, "_start", two_ctrl_c_then_start)
    out = tmp_path / "int.mp4"
    before = signal.getsignal(signal.SIGINT)
    assert main(["record", "--seconds", "30", "--profile", "light", str(out)]) == 130
    assert signal.getsignal(signal.SIGINT) is before
    assert writer_running == [True]
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err.splitlines() == [
        "onetake: stopping... (Ctrl+C again to quit without waiting)",
        f"onetake: stopped by a second Ctrl+C: the take was not finished. {out} appears only "
        f"if it can still be finished on the way out; otherwise what was recorded stays in "
        f"{out}.partial.",
    ]
    # Closing the session finished the take (on the way out, as the message allows).
    assert out.exists() and not out.with_name("int.mp4.partial").exists()


@pytest.mark.timeout(60, method="thread")
def test_a_take_whose_writer_never_started_is_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Anything raised between the take's handover to the session and its writer's start left
    # a take that closing the session waited for, for ever (review s13a L6): now the take is
    # let go with its file, which holds nothing recorded.
    from onetake_desktop.media.recorder import Take

    def no_thread(take: Take) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(Take, "_start", no_thread)
    out = tmp_path / "never.mp4"
    with CaptureSession("synthetic:size=320x240", "synthetic") as session:
        session.wait_ready()
        with pytest.raises(RuntimeError, match="new thread"):
            session.start_take(out, SMALL, max_seconds=5)
        assert session._take is None
    assert not out.exists() and not out.with_name("never.mp4.partial").exists()


def test_ctrl_c_before_the_take_began_records_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import signal

    from onetake_desktop.cli import main

    def ctrl_c_while_opening(session: CaptureSession, timeout: float = 5.0) -> None:
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(CaptureSession, "wait_ready", ctrl_c_while_opening)
    out = tmp_path / "none.mp4"
    assert main(["record", "--seconds", "30", "--profile", "light", str(out)]) == 1
    said = capsys.readouterr()
    assert said.out == "" and "nothing was recorded" in said.err
    assert not out.exists() and not out.with_name("none.mp4.partial").exists()


def _blocked_on_fifo(pid: int) -> bool:
    """The child's main thread waits in open(2) for a reader of a FIFO (Linux's wchan)."""
    try:
        return Path(f"/proc/{pid}/wchan").read_text() == "wait_for_partner"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/wchan")
def test_a_second_ctrl_c_ends_a_record_that_hangs(tmp_path: Path) -> None:
    # The take's file is a FIFO nobody reads: opening it for writing blocks for ever, as a
    # file on a share that stopped answering would. One Ctrl+C only asks the take to stop and
    # cannot end that wait; the second must end the process with one sentence.
    import signal

    out = tmp_path / "hang.mp4"
    partial = tmp_path / "hang.mp4.partial"
    os.mkfifo(partial)
    child = subprocess.Popen(
        [*RECORD, "--seconds", "30", "--profile", "light", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _blocked_on_fifo(child.pid) and child.poll() is None:
            assert time.monotonic() < deadline, "the child never reached the take's file"
            time.sleep(0.05)
        assert child.poll() is None, child.communicate(timeout=20)
        child.send_signal(signal.SIGINT)
        # The first Ctrl+C is noted and the open goes on waiting.
        while not _blocked_on_fifo(child.pid) and child.poll() is None:
            time.sleep(0.05)
        assert child.poll() is None, child.communicate(timeout=20)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 130, stderr
    assert stderr.strip().splitlines()[-2:] == [
        "onetake: stopping... (Ctrl+C again to quit without waiting)",
        "onetake: stopped by a second Ctrl+C: the take had not begun; nothing was recorded.",
    ]
    assert "Traceback" not in stderr and stdout == ""
    assert not out.exists()


def test_ctrl_c_ignored_by_the_parent_stays_ignored(tmp_path: Path) -> None:
    # A background job (`onetake record ... &` in a script) inherits Ctrl+C ignored: the
    # record must not take it back and stop when the terminal's Ctrl+C reaches it.
    import selectors
    import signal

    out = tmp_path / "bg.mp4"
    # A small parent ignores Ctrl+C and execs the command, which inherits that (no preexec_fn:
    # forking this threaded test process must not run Python code in the child).
    ignoring = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
        "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
    )
    command = [*RECORD[1:], "--seconds", "2", "--profile", "light", "--json", str(out)]
    child = subprocess.Popen(
        [sys.executable, "-c", ignoring, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    said = b""
    assert child.stderr is not None
    with selectors.DefaultSelector() as waiting:
        waiting.register(child.stderr, selectors.EVENT_READ)
        while b"Ctrl+C stops" not in said and waiting.select(timeout=60):
            chunk = os.read(child.stderr.fileno(), 4096)
            if not chunk:
                break
            said += chunk
    assert b"Ctrl+C stops and keeps it" in said, (said, child.communicate(timeout=20))
    child.send_signal(signal.SIGINT)
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)
    assert child.returncode == 0, stderr
    stats = json.loads(stdout)
    assert stats["stop_reason"] == "time_limit"  # the Ctrl+C changed nothing
    assert out.exists() and not out.with_name("bg.mp4.partial").exists()


def test_sound_captured_after_the_take_ended_costs_nothing(tmp_path: Path) -> None:
    # A busy machine delivers the microphone's last chunks late, long after the end: they are
    # dropped as they come, not padded with silence up to their time and then cut (that work
    # grew with each chunk, and the writer never caught up with the microphone).
    with CaptureSession("synthetic:size=320x240", "synthetic") as session:
        take = session.start_take(tmp_path / "late.mp4", SMALL, max_seconds=0.5)
        result = take.wait(10)
    assert result is not None and result.stop_reason == "time_limit"
    stop_at = take._stop_at
    assert stop_at is not None
    filled, written = take._audio_filled, take._audio_written
    take._write_audio(np.zeros(960, np.float32), stop_at + 600.0, stop_at)
    assert (take._audio_filled, take._audio_written) == (filled, written)
