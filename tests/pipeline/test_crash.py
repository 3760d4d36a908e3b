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
            seconds = decoded_seconds(recovered.path)
            report.append(
                f"run {run}: killed at {recorded:.2f} s, kept {recovered.duration_seconds:.2f} s "
                f"(decoded {seconds:.2f} s)"
            )
            assert abs(seconds - recovered.duration_seconds) < 0.1, f"seed {seed}: {report}"
            assert recorded - seconds <= MAX_LOSS_SECONDS, f"seed {seed}: {report}"
    print("\n".join(report))
