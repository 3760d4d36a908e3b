"""Disk full: before a take, while it runs (stopping itself), and a hard ENOSPC.

A small tmpfs is mounted by the test (we run as root in CI); without mount rights the tests
are skipped with that reason.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from onetake_desktop.domain.errors import DiskFullError
from onetake_desktop.media import devices, recorder
from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import CaptureSession
from onetake_desktop.media.sources import Image, SyntheticVideoSource

SMALL = PROFILES["light"].scaled(320, 240)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path, leave_free: int) -> None:
    free = shutil.disk_usage(disk).free
    (disk / "ballast").write_bytes(b"\0" * max(0, free - leave_free))


class NoisyCard(SyntheticVideoSource):
    """Random pictures: the encoder needs its whole bitrate, so the disk fills quickly."""

    rng = np.random.default_rng(1)

    def draw(self, n: int) -> Image:
        return self.rng.integers(0, 256, (self.height, self.width, 3), np.uint8)


def decodes(path: Path) -> float:
    end = 0.0
    with av.open(str(path)) as container:
        for frame in container.decode(*container.streams):
            assert frame.time is not None
            end = max(end, frame.time)
    return end


def test_not_enough_space_before_a_take(small_disk: Path) -> None:
    with pytest.raises(DiskFullError) as error:
        devices.check_disk_space(small_disk, 60, PROFILES["default"])
    sentence = str(error.value)
    assert "\n" not in sentence and sentence.endswith(".") and "free" in sentence
    with CaptureSession("synthetic:size=320x240", "synthetic") as session:
        with pytest.raises(DiskFullError):
            session.start_take(small_disk / "q01.mp4", PROFILES["default"], max_seconds=60)
        assert list(small_disk.iterdir()) == []


def test_take_stops_itself_before_the_disk_is_full(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(devices, "DISK_MARGIN_BYTES", 0)
    monkeypatch.setattr(devices, "UNBOUNDED_TAKE_SECONDS", 1.0)
    fill(small_disk, devices.running_reserve_bytes(SMALL) + 300_000)
    with CaptureSession(NoisyCard(320, 240, 30), "synthetic") as session:
        result = session.start_take(small_disk / "q01.mp4", SMALL).wait(20)
    assert result is not None and result.stop_reason == "disk_full"
    assert result.message is not None and "disk" in result.message
    assert result.path == small_disk / "q01.mp4"
    assert shutil.disk_usage(small_disk).free > 100_000  # stopped while it could still close
    assert decodes(result.path) > 0.5


def test_disk_full_while_writing_keeps_what_was_written(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing stops the take early: the disk really runs out (ENOSPC) under the muxer.
    monkeypatch.setattr(recorder, "running_reserve_bytes", lambda profile: 0)
    monkeypatch.setattr(recorder, "check_disk_space", lambda *args: None)
    fast = replace(SMALL, video_bitrate=8_000_000, maxrate=8_000_000)
    fill(small_disk, 1_500_000)
    with CaptureSession(NoisyCard(320, 240, 30), "synthetic") as session:
        result = session.start_take(small_disk / "q01.mp4", fast).wait(20)
        assert result is not None and result.stop_reason == "disk_full"
        assert result.message is not None and "disk" in result.message
        assert result.path == small_disk / "q01.mp4"
        assert decodes(result.path) > 0.3
        (small_disk / "ballast").unlink()
        # and the next take works once there is room again
        again = session.start_take(small_disk / "q02.mp4", SMALL, max_seconds=0.5).wait(10)
    assert again is not None and again.stop_reason == "time_limit"
