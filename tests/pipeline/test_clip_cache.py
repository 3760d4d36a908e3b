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
