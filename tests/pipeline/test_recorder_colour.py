"""Every take says how to read its colours: the H.264 stream carries range, matrix, primaries
and transfer (checked with ffprobe, independent of our code), so a player does not take a
720p BT.601 picture for BT.709 and shift its colours. Cameras (raw YUYV and MJPEG, and BGR)
and file sources, a full-range file included: its pictures are brought to limited range and
the take says limited."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest

from onetake_desktop.media.recorder import CaptureSession
from onetake_desktop.media.sources import SyntheticVideoSource
from onetake_desktop.media.types import TakeResult
from tests.pipeline.test_camera_raw import FakeV4L2, _record, camera  # noqa: F401 (fixture)
from tests.pipeline.test_recorder_conversions import SMALL

# What webcams deliver and the app's conversions make: BT.601 matrix, sRGB's (BT.709's)
# primaries, the BT.709 transfer, limited range.
CAMERA_TAGS = {
    "color_range": "tv",
    "color_space": "smpte170m",
    "color_primaries": "bt709",
    "color_transfer": "bt709",
}


def stream_tags(path: Path) -> dict[str, str]:
    command = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_streams", "-of", "json"]
    out = subprocess.run(
        [*command, str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    stream = json.loads(out)["streams"][0]
    assert stream["codec_name"] == "h264"
    return {key: stream.get(key, "unknown") for key in CAMERA_TAGS}


def luma_levels(path: Path) -> tuple[int, int]:
    """The darkest and brightest Y sample of every picture (limited range: 16..235)."""
    low, high = 255, 0
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            y = frame.to_ndarray(format="yuv420p")[: frame.height]
            low, high = min(low, int(y.min())), max(high, int(y.max()))
    return low, high


def file_take(tmp_path: Path, clip: Path) -> TakeResult:
    with CaptureSession(f"file-once:{clip}", None) as session:
        result = session.start_take(tmp_path / "take.mp4", SMALL, max_seconds=3.0).wait(20)
    assert result is not None and result.stats.frames_encoded > 0
    return result


def write_clip(path: Path, codec: str, pix_fmt: str, **context: Any) -> Path:
    """One second of the test card (black and white included) in ``pix_fmt``; ``context``
    sets the encoder's colour fields (what the file declares)."""
    card = SyntheticVideoSource(320, 240, 15)
    full = pix_fmt.startswith("yuvj") or context.get("color_range") == 2
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream(codec, rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, pix_fmt
        ctx = stream.codec_context
        ctx.time_base = Fraction(1, 15)
        for key, value in context.items():
            setattr(ctx, key, value)
        if codec == "mjpeg":
            ctx.options = {"qmin": "2", "qmax": "3"}
            ctx.bit_rate = 20_000_000
        else:
            ctx.options = {"crf": "12", "preset": "veryfast"}
        for n in range(15):
            picture = av.VideoFrame.from_ndarray(card.draw(n), format="bgr24")
            picture = picture.reformat(format=pix_fmt, dst_color_range="JPEG" if full else "MPEG")
            picture.pts = n
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def test_a_bgr_source_take_is_tagged_bt601_limited(tmp_path: Path) -> None:
    out = tmp_path / "take.mp4"
    with CaptureSession("synthetic:size=320x240,fps=15", None) as session:
        result = session.start_take(out, SMALL, max_seconds=0.6).wait(20)
    assert result is not None and result.stats.conversions  # bgr->yuv420p (OpenCV)
    assert stream_tags(out) == CAMERA_TAGS


@pytest.mark.parametrize("offers", [("YUYV",), ("MJPG",)], ids=["yuyv", "mjpeg"])
def test_a_cameras_take_is_tagged_bt601_limited(
    camera: type[FakeV4L2],  # noqa: F811
    tmp_path: Path,
    offers: tuple[str, ...],
) -> None:
    camera.offers = offers
    result, capture_path = _record(tmp_path, SMALL, seconds=0.6)
    assert capture_path.endswith("raw (V4L2)")
    assert stream_tags(result.path) == CAMERA_TAGS
    low, high = luma_levels(result.path)  # the JPEG's full range was brought to limited
    assert low >= 14 and high <= 237


def test_a_full_range_mjpeg_file_is_tagged_limited(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "camera.avi", "mjpeg", "yuvj422p", color_range=2)
    result = file_take(tmp_path, clip)
    assert result.stats.conversions == {"yuvj422p->yuv420p (swscale)": result.stats.frames_encoded}
    tags = stream_tags(result.path)
    assert tags["color_range"] == "tv"
    assert tags["color_space"] in ("smpte170m", "bt470bg")  # BT.601 either way
    assert luma_levels(result.path)[0] >= 14 and luma_levels(result.path)[1] <= 237


def test_a_full_range_i420_file_is_brought_to_limited_range_and_tagged_so(
    tmp_path: Path,
) -> None:
    """yuv420p marked full range (VP9 decodes so; H.264 says yuvj420p): the encoder's own
    pixel format, so only its range says it must be converted (else 0..255 would sit in a
    stream tagged limited)."""
    clip = write_clip(tmp_path / "phone.webm", "libvpx-vp9", "yuv420p", color_range=2)
    with av.open(str(clip)) as container:  # the stand-in really is full-range yuv420p
        first = next(container.decode(video=0))
        assert (first.format.name, first.color_range) == ("yuv420p", 2)
    assert luma_levels(clip)[0] <= 4
    result = file_take(tmp_path, clip)
    n = result.stats.frames_encoded
    assert result.stats.conversions == {"yuv420p full range->yuv420p (swscale)": n}
    assert stream_tags(result.path) == CAMERA_TAGS
    low, high = luma_levels(result.path)
    assert low >= 14 and high <= 237


def test_a_file_that_declares_bt709_keeps_it(tmp_path: Path) -> None:
    """A file's pictures reach the encoder in the file's own matrix: the take says which."""
    clip = write_clip(
        tmp_path / "hd.mp4",
        "libx264",
        "yuv420p",
        color_range=1,
        colorspace=1,
        color_primaries=1,
        color_trc=1,
    )
    result = file_take(tmp_path, clip)
    assert result.stats.conversions == {}
    assert stream_tags(result.path) == {
        "color_range": "tv",
        "color_space": "bt709",
        "color_primaries": "bt709",
        "color_transfer": "bt709",
    }
