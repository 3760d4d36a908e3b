"""Every pixel conversion on the way to the encoder is counted in the take's stats, and a file
source in the encoder's own format needs none (issue 17: no BGR round trip for files)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
import numpy as np

from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import CaptureSession
from onetake_desktop.media.sources import FileVideoSource, Yuv420Image

SMALL = replace(PROFILES["light"].scaled(320, 240), fps=15, gop=15)


def _clip(tmp_path: Path) -> Path:
    clip = tmp_path / "clip.mp4"
    with CaptureSession("synthetic:size=320x240,fps=15", "synthetic:freq=660") as session:
        result = session.start_take(clip, SMALL, max_seconds=0.6).wait(10)
    assert result is not None
    # A camera-like (BGR) source: each encoded picture converted once to I420, and counted.
    assert result.stats.conversions == {"bgr->yuv420p (OpenCV)": result.stats.frames_encoded}
    return clip


def test_a_file_source_decodes_straight_to_the_encoders_format(tmp_path: Path) -> None:
    clip = _clip(tmp_path)
    source = FileVideoSource(clip, loop=False)
    try:
        first = source._next(0)
        assert isinstance(first, Yuv420Image) and first.conversions == ()
        assert first.planes.shape == (240 * 3 // 2, 320)
        with av.open(str(clip)) as container:
            frame = next(container.decode(video=0))
            expected = frame.to_ndarray()  # yuv420p as the file stores it
        assert np.array_equal(first.planes, expected)  # the decoded picture, untouched
    finally:
        source.stop()
    out = tmp_path / "again.mp4"
    with CaptureSession(f"file-once:{clip}", "synthetic") as session:
        result = session.start_take(out, SMALL, max_seconds=3.0).wait(10)
        preview = session.latest_frame()
    assert result is not None and result.stats.frames_encoded > 0
    assert result.stats.conversions == {}  # nothing converted between decoder and encoder
    assert result.to_dict()["stats"]["conversions"] == {}
    assert preview is not None and preview.shape == (240, 320, 3)  # the preview is still BGR


def test_a_file_of_another_size_is_scaled_and_the_conversions_are_counted(
    tmp_path: Path,
) -> None:
    clip = _clip(tmp_path)
    out = tmp_path / "bigger.mp4"
    with CaptureSession(f"file-once:{clip}", "synthetic") as session:
        result = session.start_take(out, SMALL.scaled(640, 480), max_seconds=3.0).wait(10)
    assert result is not None
    n = result.stats.frames_encoded
    assert n > 0
    # same aspect ratio: scaled by swscale in I420, no BGR round trip
    assert result.stats.conversions == {"yuv420p scale (swscale)": n}
    assert result.stats.capture_path == "yuv420p (PyAV file)"


def test_a_file_of_another_shape_gets_black_bars_in_i420(tmp_path: Path) -> None:
    clip = _clip(tmp_path)  # 4:3
    out = tmp_path / "wide.mp4"
    with CaptureSession(f"file-once:{clip}", "synthetic") as session:
        result = session.start_take(out, SMALL.scaled(640, 360), max_seconds=3.0).wait(10)
    assert result is not None
    n = result.stats.frames_encoded
    assert n > 0
    assert result.stats.conversions == {"yuv420p scale (swscale)": n, "letterbox (copy)": n}
    with av.open(str(out)) as container:
        picture = next(container.decode(video=0)).to_ndarray()  # yuv420p, (540, 640)
    y = picture[:360]
    # 480x360 in the middle, black (limited-range 16) bars of 80 columns each side
    assert y.shape == (360, 640)
    assert abs(float(y[:, :76].mean()) - 16) < 3 and abs(float(y[:, -76:].mean()) - 16) < 3
    assert float(y[:, 90:550].mean()) > 40


def test_a_full_range_file_is_brought_to_the_encoders_range(tmp_path: Path) -> None:
    """A motion-JPEG file (yuvj422p, full range, as cameras and some phones write) is
    converted once by swscale, levels and all: without the range conversion blacks and
    whites would sit at 0 and 255 in a limited-range file and the PSNR would collapse."""
    import cv2

    from onetake_desktop.media.sources import SyntheticVideoSource

    card = SyntheticVideoSource(320, 240, 15)
    clip = tmp_path / "camera.avi"
    with av.open(str(clip), "w") as container:
        stream = container.add_stream("mjpeg", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuvj422p"
        stream.codec_context.options = {"qmin": "2", "qmax": "3"}
        stream.codec_context.bit_rate = 20_000_000
        for n in range(15):
            picture = av.VideoFrame.from_ndarray(card.draw(n), format="bgr24")
            picture = picture.reformat(format="yuvj422p", dst_color_range="JPEG")
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    out = tmp_path / "take.mp4"
    with CaptureSession(f"file-once:{clip}", None) as session:
        result = session.start_take(out, SMALL, max_seconds=3.0).wait(10)
    assert result is not None
    n = result.stats.frames_encoded
    assert n > 0 and result.stats.conversions == {"yuvj422p->yuv420p (swscale)": n}
    assert result.stats.capture_path == "yuvj422p (PyAV file, swscale to yuv420p)"
    with av.open(str(out)) as container:
        for frame in container.decode(video=0):
            got = frame.to_ndarray()
            bgr = np.asarray(cv2.cvtColor(got, cv2.COLOR_YUV2BGR_I420), np.uint8)
            reference = cv2.cvtColor(card.draw(card.read_counter(bgr)), cv2.COLOR_BGR2YUV_I420)
            assert int(got[:240].min()) >= 14 and int(got[:240].max()) <= 237
            mse = float(np.mean((got.astype(np.float64) - reference) ** 2))
            assert 10 * np.log10(255**2 / mse) >= 35.0
