"""Stopping a take without waiting for it: ``request_stop`` returns at once and the
``finished`` future carries the whole result once the writer has flushed, renamed and fsynced.

The writer is held inside its last step (flushing the encoder and closing the file) by a latch,
so "returns before the writer finished" is a fact of the test, not a matter of timing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop.media import recorder
from onetake_desktop.media.recorder import CaptureSession, Take
from onetake_desktop.media.types import TakeResult
from tests.pipeline.test_recorder import SMALL, decode_all

LATCH_SECONDS = 60  # only a safety net: the test opens the latch itself


def record_until(take: Take, seconds: float) -> None:
    """Let the real sources fill the take for ``seconds`` of its own clock."""
    deadline = time.monotonic() + 30
    while take.elapsed < seconds and time.monotonic() < deadline:
        time.sleep(0.02)


def test_request_stop_returns_before_the_writer_finishes_and_the_result_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_finish, release = threading.Event(), threading.Event()
    real_finish = recorder._Encoder.finish

    def held_finish(self: Any) -> None:  # the writer thread, at its flush and close
        in_finish.set()
        release.wait(LATCH_SECONDS)
        real_finish(self)

    monkeypatch.setattr(recorder._Encoder, "finish", held_finish)
    out = tmp_path / "q01.mp4"
    with CaptureSession("synthetic", "synthetic") as session:
        session.wait_ready()
        take = session.start_take(out, SMALL, max_seconds=60)
        record_until(take, 1.0)

        finished = take.request_stop()
        assert finished is take.finished
        assert not finished.done() and take.running, "request_stop does not wait for the writer"
        stopped_at = take.elapsed
        reported: list[tuple[str, TakeResult]] = []
        finished.add_done_callback(
            lambda f: reported.append((threading.current_thread().name, f.result()))
        )
        assert in_finish.wait(LATCH_SECONDS), "the writer goes on to finish the file"
        assert not finished.done() and take.running and reported == []
        assert take.partial_path.exists() and not out.exists()
        assert take.elapsed == stopped_at, "the take's length ends at the stop, not later"

        release.set()
        result = finished.result(timeout=LATCH_SECONDS)
        assert take.stop() is result, "the blocking stop gives the same result"
    assert not take.running and take.result is result
    assert reported == [("onetake-take-writer", result)], "callbacks run on the writer thread"
    assert result.stop_reason == "stopped" and result.message is None
    assert result.path == out and out.exists() and not take.partial_path.exists()
    assert result.size_bytes == out.stat().st_size > 0
    assert abs(result.duration_seconds - stopped_at) <= 2 / SMALL.fps
    frames = decode_all(out)  # a whole, ordinary MP4 with everything the result counts
    assert len(frames["video"]) == result.stats.frames_encoded > 0
    samples = sum(f.samples for f in frames["audio"])
    assert samples >= result.stats.audio_samples > 0


def test_stop_from_another_thread_while_finishing_waits_for_the_same_result(
    tmp_path: Path,
) -> None:
    with CaptureSession("synthetic", "synthetic") as session:
        session.wait_ready()
        take = session.start_take(tmp_path / "q02.mp4", SMALL, max_seconds=60)
        record_until(take, 0.5)
        finished = take.request_stop()
        assert take.request_stop() is finished, "asking twice changes nothing"
        assert take.stop() is finished.result(timeout=LATCH_SECONDS)
        assert take.result is not None and take.result.path.exists()


QUIT_WHILE_FINISHING = """
import sys, time
from pathlib import Path
from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import CaptureSession

out = Path(sys.argv[1])
session = CaptureSession("synthetic", "synthetic")
session.start()
session.wait_ready()
take = session.start_take(out, PROFILES["light"].scaled(320, 240), max_seconds=60)
deadline = time.monotonic() + 30
while take.elapsed < 0.6 and time.monotonic() < deadline:
    time.sleep(0.02)
take.request_stop()
print("quitting", flush=True)
# the app quits here: no close(), no wait
"""


def test_quitting_while_a_take_is_finishing_leaves_it_whole(tmp_path: Path) -> None:
    out = tmp_path / "q03.mp4"
    done = subprocess.run(
        [sys.executable, "-c", QUIT_WHILE_FINISHING, str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "quitting"
    assert out.exists() and not (tmp_path / "q03.mp4.partial").exists()
    frames = decode_all(out)
    assert frames["video"] and frames["audio"]
