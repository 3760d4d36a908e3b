"""The test clips (tests/pipeline/hostile/media.py) are encoded once per test run and copied
after that, which is the same as encoding each time only if an encode gives the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.hostile import media


@pytest.mark.parametrize("video", ["libx264", None])
def test_an_encode_gives_the_same_bytes_each_time_and_a_copied_clip_is_those_bytes(
    tmp_path: Path, video: str | None
) -> None:
    args = (1.0, video, "aac", "mp4", (320, 240), 15, {"movflags": "+faststart"})
    media._encode(tmp_path / "a.mp4", *args)
    media._encode(tmp_path / "b.mp4", *args)
    first = media.write_answer(tmp_path / "c.mp4", seconds=1.0, video=video)
    again = media.write_answer(tmp_path / "d.mp4", seconds=1.0, video=video)  # a copy
    encoded = (tmp_path / "a.mp4").read_bytes()
    assert encoded == (tmp_path / "b.mp4").read_bytes()
    assert encoded == first.read_bytes() == again.read_bytes()


def test_the_caches_killed_runs_left_are_removed_after_a_day(tmp_path: Path) -> None:
    """A run killed before its atexit leaves its cache folder; the next run removes those
    untouched for a day, and leaves a running one's (and anything else) alone."""
    import os

    now = 1_800_000_000.0
    base = tmp_path / "tmp"
    old = base / "onetake-test-media-old"
    running = base / "onetake-test-media-running"
    other = base / "someone-elses"
    for folder in (old, running, other):
        folder.mkdir(parents=True)
        (folder / "0-a.mp4").write_bytes(b"clip")
    day_ago = now - media.STALE_AFTER - 60
    for folder in (old, other):
        os.utime(folder, (day_ago, day_ago))
    os.utime(running, (now - 60, now - 60))
    media.remove_stale(base, now)
    assert sorted(p.name for p in base.iterdir()) == [running.name, other.name]
