"""Crash safety: kill -9 of a recording process at random moments, then recover the take."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import av

from onetake_desktop.media.recovery import recover_partials

CHILD = r"""
import sys, time
from pathlib import Path
from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import CaptureSession

profile = PROFILES["light"].scaled(320, 240)
session = CaptureSession("synthetic:size=320x240", "synthetic")
session.start()
take = session.start_take(Path(sys.argv[1]), profile, max_seconds=60)
print(take.started_at, flush=True)
time.sleep(120)
"""

RUNS = 10
MAX_LOSS_SECONDS = 1.0


def start_child(out: Path) -> tuple[subprocess.Popen[str], float]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line, "the recording process did not start"
    return child, float(line)


def decoded_seconds(path: Path) -> float:
    """Decode every frame (any corruption raises) and return the end of the media."""
    end = 0.0
    with av.open(str(path)) as container:
        for frame in container.decode(*container.streams):
            assert frame.time is not None
            if isinstance(frame, av.VideoFrame):
                end = max(end, frame.time + 1 / 30)
            else:
                end = max(end, frame.time + frame.samples / frame.sample_rate)
    return end


def test_kill_9_at_random_moments_keeps_all_but_the_last_second(tmp_path: Path) -> None:
    seed = int(time.time())
    rng = random.Random(seed)
    delays = [rng.uniform(0.2, 3.0) for _ in range(RUNS)]
    report = []
    for pair in range(0, RUNS, 2):  # two recordings at a time keeps the suite fast
        children = []
        for run in (pair, pair + 1):
            folder = tmp_path / f"run{run}"
            folder.mkdir()
            child, started = start_child(folder / "q01.mp4")
            children.append((run, folder, child, started))
        for run, folder, child, started in sorted(children, key=lambda c: c[3] + delays[c[0]]):
            time.sleep(max(0.0, started + delays[run] - time.monotonic()))
            killed_at = time.monotonic()
            os.kill(child.pid, signal.SIGKILL)
            child.wait(10)
            recorded = killed_at - started
            assert (folder / "q01.mp4.partial").exists()
            (recovered,) = recover_partials(folder)
            assert not (folder / "q01.mp4.partial").exists()
            if not recovered.kept:
                report.append(f"run {run}: killed at {recorded:.2f} s, nothing kept")
                assert recorded <= MAX_LOSS_SECONDS, f"seed {seed}: {report}"
                continue
            assert recovered.path == folder / "q01.mp4"
            assert (recovered.video_codec, recovered.audio_codec) == ("h264", "aac")
            seconds = decoded_seconds(recovered.path)
            report.append(
                f"run {run}: killed at {recorded:.2f} s, kept {recovered.duration_seconds:.2f} s "
                f"(decoded {seconds:.2f} s)"
            )
            assert abs(seconds - recovered.duration_seconds) < 0.1, f"seed {seed}: {report}"
            assert recorded - seconds <= MAX_LOSS_SECONDS, f"seed {seed}: {report}"
    print("\n".join(report))


def test_unreadable_partial_is_set_aside_not_offered(tmp_path: Path) -> None:
    import struct

    def box(kind: bytes, payload: bytes = b"") -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    garbage = box(b"ftyp", b"isom") + box(b"moov", b"\xff" * 40) + box(b"mdat", b"x" * 100)
    (tmp_path / "q01.mp4.partial").write_bytes(garbage)
    (result,) = recover_partials(tmp_path)
    assert not result.kept and result.path == tmp_path / "q01.mp4.damaged"
    assert not (tmp_path / "q01.mp4").exists() and result.path.exists()


def test_clean_take_has_nothing_to_recover(tmp_path: Path) -> None:
    from onetake_desktop.media.profiles import PROFILES
    from onetake_desktop.media.recorder import CaptureSession

    with CaptureSession("synthetic:size=320x240", "synthetic") as session:
        session.start_take(
            tmp_path / "q01.mp4", PROFILES["light"].scaled(320, 240), max_seconds=0.5
        ).wait(10)
    assert recover_partials(tmp_path) == []
