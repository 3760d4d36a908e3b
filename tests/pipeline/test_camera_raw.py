"""A V4L2 camera's own YUYV and MJPEG pictures reach the encoder without BGR, every conversion
is counted, and OpenCV's BGR is the fallback (issue 17).

No camera here or in CI: the device double is a stand-in for ``cv2.VideoCapture`` that behaves
as OpenCV's V4L2 backend does (the FOURCC it agreed to, ``CAP_PROP_CONVERT_RGB``, raw frames
shaped ``(h, w, 2)`` for YUYV and ``(1, n)`` for JPEG, BGR when converting) and returns real
pictures: a test card as YUYV (libswscale, as a camera's limited-range BT.601) or as real
JPEGs (libjpeg through ``cv2.imencode`` at 4:2:2 like most webcams, or FFmpeg's mjpeg encoder
at 4:2:0). Everything after ``read()`` is the app's own: CameraSource, the capture session,
the take's writer, libx264 and the MP4 muxer; the take is decoded and compared with the source.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import av
import cv2
import numpy as np
import pytest

from onetake_desktop.media.profiles import PROFILES, Profile
from onetake_desktop.media.recorder import CaptureSession
from onetake_desktop.media.sources import (
    RawCameraImage,
    RawConverter,
    SyntheticVideoSource,
    Yuv420Image,
    camera_frame,
    fourcc_text,
    reformat,
)
from onetake_desktop.media.types import TakeResult

# The default profile's own settings (CRF 23, the cap, 1 s GOP), at the camera's size.
PROFILE = replace(PROFILES["default"].scaled(320, 240), name="test")
DISTINCT = 30  # pictures the stand-in camera cycles through (its frame number is drawn in)


def _fourcc(text: str) -> float:
    return float(cv2.VideoWriter.fourcc(*text))


def _test_card(width: int, height: int) -> list[np.ndarray]:
    """Camera-like BGR pictures: the test card with a little fixed sensor noise."""
    card = SyntheticVideoSource(width, height, 30)
    noise = np.random.default_rng(7).normal(0, 2, (height, width, 3))
    return [
        np.clip(card.draw(n).astype(np.float64) + noise, 0, 255).astype(np.uint8)
        for n in range(DISTINCT)
    ]


def _yuyv(bgr: np.ndarray) -> np.ndarray:
    frame = av.VideoFrame.from_ndarray(bgr, format="bgr24")
    return np.ascontiguousarray(reformat(frame, "yuyv422").to_ndarray())


def _jpeg_opencv_422(bgr: np.ndarray) -> np.ndarray:
    ok, data = cv2.imencode(
        ".jpg",
        bgr,
        [
            cv2.IMWRITE_JPEG_QUALITY,
            92,
            cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
            cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422,
        ],
    )
    assert ok
    return np.asarray(data, np.uint8).reshape(1, -1)  # as V4L2 returns it: one row of bytes


def _jpeg_pyav_420(bgr: np.ndarray) -> np.ndarray:
    h, w = bgr.shape[:2]
    encoder: Any = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = w, h, "yuvj420p"
    encoder.time_base = Fraction(1, 30)
    encoder.options = {"qmin": "2", "qmax": "3"}
    encoder.bit_rate = 20_000_000
    picture = reformat(av.VideoFrame.from_ndarray(bgr, format="bgr24"), "yuvj420p")
    packets = encoder.encode(picture)
    assert packets and bytes(packets[0])[:2] == b"\xff\xd8"
    return np.frombuffer(bytes(packets[0]), np.uint8).reshape(1, -1)


def _i420(bgr: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420))


def _yuyv_as_i420(yuyv: np.ndarray) -> np.ndarray:
    """The YUYV picture's own samples as I420, by plain numpy (4:2:2 -> 4:2:0 averages each
    two rows of chroma): the reference the encoder's input is judged against."""
    h, w = yuyv.shape[:2]
    chroma = yuyv[:, :, 1].astype(np.uint16)
    u = ((chroma[0::2, 0::2] + chroma[1::2, 0::2] + 1) >> 1).astype(np.uint8)
    v = ((chroma[0::2, 1::2] + chroma[1::2, 1::2] + 1) >> 1).astype(np.uint8)
    return np.concatenate([yuyv[:, :, 0], u.reshape(h // 4, w), v.reshape(h // 4, w)])


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * float(np.log10(255**2 / mse))


class FakeV4L2:
    """``cv2.VideoCapture(index)`` as OpenCV's V4L2 backend behaves for one camera (only
    index 0 opens). Class attributes configure the camera for a test."""

    offers: ClassVar[tuple[str, ...]] = ("MJPG", "YUYV")  # in the driver's order
    backend: ClassVar[str] = "V4L2"
    honours_raw: ClassVar[bool] = True  # False: CONVERT_RGB=0 accepted, BGR sent anyway
    size: ClassVar[tuple[int, int]] = (320, 240)
    jpeg: ClassVar[str] = "opencv422"
    torn_every: ClassVar[int] = 0  # every Nth JPEG is a torn buffer (SOI, then garbage)
    cold_reads: ClassVar[int] = 0  # a cold camera: the first reads fail
    flat_raw: ClassVar[bool] = False  # raw YUYV comes as one row of bytes (unusable)
    opened: ClassVar[list[FakeV4L2]] = []
    bgr: ClassVar[dict[tuple[int, int], list[np.ndarray]]] = {}

    def __init__(self, index: int) -> None:
        self.index = index
        self.props: dict[int, float] = {}
        self.sets: list[tuple[int, float]] = []
        self.palette = self.offers[0]
        self.convert_rgb = True
        self.reads = 0
        self.reads_failed = 0
        self.released = False
        size = self.size
        if size not in FakeV4L2.bgr:
            FakeV4L2.bgr[size] = _test_card(*size)
        self.pictures = FakeV4L2.bgr[size]
        self.yuyv = [_yuyv(p) for p in self.pictures] if "YUYV" in self.offers else []
        make = _jpeg_opencv_422 if self.jpeg == "opencv422" else _jpeg_pyav_420
        self.jpegs = [make(p) for p in self.pictures] if "MJPG" in self.offers else []
        FakeV4L2.opened.append(self)

    def isOpened(self) -> bool:
        return self.index == 0

    def getBackendName(self) -> str:
        return self.backend

    def set(self, prop: int, value: float) -> bool:
        self.sets.append((prop, value))
        self.props[prop] = value
        if prop == cv2.CAP_PROP_FOURCC:
            wanted = fourcc_text(value)
            if wanted not in self.offers:
                return False  # VIDIOC_S_FMT refused: the palette stays
            self.palette = wanted
        if prop == cv2.CAP_PROP_CONVERT_RGB and self.honours_raw:
            self.convert_rgb = bool(value)
        return True

    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_FPS:
            return 30.0
        if prop == cv2.CAP_PROP_FOURCC:
            return _fourcc(self.palette)
        if prop == cv2.CAP_PROP_FRAME_WIDTH:
            return float(self.size[0])
        if prop == cv2.CAP_PROP_FRAME_HEIGHT:
            return float(self.size[1])
        return 0.0

    def read(self) -> tuple[bool, Any]:
        time.sleep(1 / 30)
        if self.reads_failed < self.cold_reads:
            self.reads_failed += 1
            return False, None
        n = self.reads % DISTINCT
        self.reads += 1
        if self.palette == "NV12":  # only ever converted here (the app never asks raw)
            assert self.convert_rgb
            return True, self.pictures[n].copy()
        if self.palette == "YUYV":
            raw = self.yuyv[n]
            if self.convert_rgb:  # what OpenCV's convertToRgb does
                return True, cv2.cvtColor(raw, cv2.COLOR_YUV2BGR_YUYV)
            return True, raw.reshape(1, -1).copy() if self.flat_raw else raw.copy()
        raw = self.jpegs[n]
        if self.torn_every and self.reads % self.torn_every == 0:
            garbage = np.random.default_rng(self.reads).integers(0, 256, raw.size, np.uint8)
            raw = np.concatenate([raw[0, :2], garbage[2:]]).reshape(1, -1)
        if self.convert_rgb:
            return True, cv2.imdecode(raw, cv2.IMREAD_COLOR)
        return True, raw.copy()

    def release(self) -> None:
        self.released = True


@pytest.fixture
def camera(monkeypatch: pytest.MonkeyPatch) -> type[FakeV4L2]:
    for key, value in {
        "offers": ("MJPG", "YUYV"),
        "backend": "V4L2",
        "honours_raw": True,
        "size": (320, 240),
        "jpeg": "opencv422",
        "torn_every": 0,
        "cold_reads": 0,
        "flat_raw": False,
    }.items():
        monkeypatch.setattr(FakeV4L2, key, value)
    FakeV4L2.opened = []
    monkeypatch.setattr(cv2, "VideoCapture", FakeV4L2)
    return FakeV4L2


def _record(
    tmp_path: Path, profile: Profile = PROFILE, seconds: float = 1.0
) -> tuple[TakeResult, str]:
    with CaptureSession("camera:0", None) as session:
        assert session.video is not None
        path = session.video.capture_path
        result = session.start_take(tmp_path / "take.mp4", profile, max_seconds=seconds).wait(20)
    assert result is not None and result.stop_reason == "time_limit", result
    assert FakeV4L2.opened[-1].released
    return result, path


def _decoded(result: TakeResult) -> list[np.ndarray]:
    with av.open(str(result.path)) as container:
        return [frame.to_ndarray(format="yuv420p") for frame in container.decode(video=0)]


def _check_pictures(result: TakeResult, references: list[np.ndarray]) -> float:
    """Each decoded picture against the source picture its drawn frame number names; the
    lowest PSNR (dB). Also: as many pictures as the stats say, in capture order."""
    card = SyntheticVideoSource(*FakeV4L2.size, 30)
    pictures = _decoded(result)
    assert len(pictures) == result.stats.frames_encoded > 0
    worst, numbers = 99.0, []
    for picture in pictures:
        n = card.read_counter(np.asarray(cv2.cvtColor(picture, cv2.COLOR_YUV2BGR_I420), np.uint8))
        assert 0 <= n < DISTINCT
        numbers.append(n)
        worst = min(worst, _psnr(picture, references[n]))
    steps = [(b - a) % DISTINCT for a, b in itertools.pairwise(numbers)]
    assert all(1 <= s <= 3 for s in steps), numbers  # in order; a late frame may be merged
    return worst


@pytest.mark.parametrize(
    ("offers", "jpeg", "path", "kinds"),
    [
        (("YUYV",), "", "yuyv422 raw (V4L2)", ["yuyv422->yuv420p (swscale)"]),
        (
            ("MJPG", "YUYV"),
            "opencv422",
            "mjpeg raw (V4L2)",
            ["mjpeg->yuvj422p (PyAV)", "yuvj422p->yuv420p (swscale)"],
        ),
        (
            ("MJPG",),
            "pyav420",
            "mjpeg raw (V4L2)",
            ["mjpeg->yuvj420p (PyAV)", "yuvj420p->yuv420p (swscale)"],
        ),
    ],
    ids=["yuyv", "mjpeg-422", "mjpeg-420"],
)
def test_a_v4l2_camera_records_its_own_pixels_without_bgr(
    camera: type[FakeV4L2],
    tmp_path: Path,
    offers: tuple[str, ...],
    jpeg: str,
    path: str,
    kinds: list[str],
) -> None:
    camera.offers, camera.jpeg = offers, jpeg or "opencv422"
    result, capture_path = _record(tmp_path)
    device = camera.opened[-1]
    assert (cv2.CAP_PROP_CONVERT_RGB, 0) in device.sets and not device.convert_rgb
    assert device.props[cv2.CAP_PROP_FOURCC] == _fourcc("MJPG")  # asked first, as before
    assert capture_path == path == result.stats.capture_path
    assert result.to_dict()["stats"]["capture_path"] == path
    n = result.stats.frames_encoded
    assert 25 <= n <= 32
    # one count per encoded picture for each step, and nothing else (no BGR anywhere)
    assert result.stats.conversions == dict.fromkeys(kinds, n)
    if offers == ("YUYV",):
        references = [_yuyv_as_i420(y) for y in device.yuyv]  # the camera's own samples
    else:
        references = [_i420(p) for p in device.pictures]  # what the camera saw
    assert _check_pictures(result, references) >= 35.0


def test_a_backend_that_ignores_convert_rgb_falls_back_to_bgr(
    camera: type[FakeV4L2], tmp_path: Path
) -> None:
    camera.honours_raw = False  # says yes to CONVERT_RGB=0, then sends BGR anyway
    result, path = _record(tmp_path)
    assert path == "bgr (OpenCV decodes MJPG, V4L2 ignored raw request)"
    n = result.stats.frames_encoded
    assert n > 0 and result.stats.conversions == {"bgr->yuv420p (OpenCV)": n}
    device = camera.opened[-1]
    references = [_i420(np.asarray(cv2.imdecode(j, cv2.IMREAD_COLOR))) for j in device.jpegs]
    assert _check_pictures(result, references) >= 35.0


def test_raw_frames_of_an_unexpected_shape_fall_back_to_bgr(
    camera: type[FakeV4L2], tmp_path: Path
) -> None:
    camera.offers, camera.flat_raw = ("YUYV",), True
    result, path = _record(tmp_path, seconds=0.5)
    assert path == "bgr (OpenCV decodes YUYV, raw frames unusable)"
    device = camera.opened[-1]
    assert device.sets[-1] == (cv2.CAP_PROP_CONVERT_RGB, 1) and device.convert_rgb
    n = result.stats.frames_encoded
    assert n > 0 and result.stats.conversions == {"bgr->yuv420p (OpenCV)": n}


@pytest.mark.parametrize(
    ("backend", "offers", "path"),
    [
        ("MSMF", ("MJPG",), "bgr (OpenCV decodes, MSMF)"),
        ("AVFOUNDATION", ("YUYV",), "bgr (OpenCV decodes, AVFOUNDATION)"),
        ("V4L2", ("NV12",), "bgr (OpenCV decodes NV12, V4L2)"),
    ],
)
def test_other_platforms_and_formats_keep_opencvs_bgr(
    camera: type[FakeV4L2], tmp_path: Path, backend: str, offers: tuple[str, ...], path: str
) -> None:
    camera.backend, camera.offers = backend, offers
    result, got = _record(tmp_path, seconds=0.5)
    assert got == path == result.stats.capture_path
    device = camera.opened[-1]
    assert all(prop != cv2.CAP_PROP_CONVERT_RGB for prop, _ in device.sets)  # never asked
    n = result.stats.frames_encoded
    assert n > 0 and result.stats.conversions == {"bgr->yuv420p (OpenCV)": n}


def test_torn_jpegs_are_dropped_and_counted(camera: type[FakeV4L2], tmp_path: Path) -> None:
    camera.torn_every = 5
    camera.cold_reads = 3  # and a slow start is not taken for unusable raw frames
    result, path = _record(tmp_path)
    assert path == "mjpeg raw (V4L2)"
    n = result.stats.frames_encoded
    assert result.stats.frames_dropped >= 4  # ~6 torn in 1 s at 30 fps
    assert result.stats.conversions == {
        "mjpeg->yuvj422p (PyAV)": n,
        "yuvj422p->yuv420p (swscale)": n,
    }
    assert len(_decoded(result)) == n


def test_the_preview_is_made_at_its_own_size_and_counted(
    camera: type[FakeV4L2], tmp_path: Path
) -> None:
    camera.size = (1280, 720)
    camera.offers = ("MJPG",)
    profile = replace(PROFILES["default"].scaled(640, 360), name="test")
    previews: list[np.ndarray] = []
    with CaptureSession("camera:0", None) as session:
        session.wait_ready()
        take = session.start_take(tmp_path / "take.mp4", profile, max_seconds=1.0)
        while take.running:
            picture = session.latest_frame()
            assert picture is not None
            if not previews or picture is not previews[-1]:
                previews.append(picture)
            time.sleep(0.04)
        result = take.wait(20)
        total = session.preview_conversions
    assert result is not None and result.stats.capture_path == "mjpeg raw (V4L2)"
    kind = "preview mjpeg->bgr (OpenCV, 1/2 size)"  # libjpeg decodes straight at 640x360
    assert set(total) == {kind}
    assert 3 <= result.stats.conversions[kind] <= total[kind]
    n = result.stats.frames_encoded
    assert result.stats.conversions == {
        "mjpeg->yuvj422p (PyAV)": n,
        "yuvj422p->yuv420p (swscale, scaled)": n,  # 1280x720 -> 640x360 in the same pass
        kind: result.stats.conversions[kind],
    }
    sources = [
        cv2.resize(p, (640, 360), interpolation=cv2.INTER_AREA) for p in FakeV4L2.bgr[(1280, 720)]
    ]
    assert len(previews) >= 3
    for picture in previews:
        assert picture.shape == (360, 640, 3)
        # the right picture, in the right colours (libjpeg's 1/2-size decode is a bit soft)
        assert max(_psnr(picture, source) for source in sources) >= 30.0


def test_a_yuyv_preview_is_converted_once_per_new_picture(
    camera: type[FakeV4L2], tmp_path: Path
) -> None:
    camera.offers = ("YUYV",)
    with CaptureSession("camera:0", None) as session:
        session.wait_ready()
        first = session.latest_frame()
        again = session.latest_frame()  # no new picture yet, or a new one: never twice
        counted = session.preview_conversions["preview yuyv422->bgr (swscale)"]
        assert first is not None and again is not None
        assert counted == (1 if again is first else 2)
        assert first.shape == (240, 320, 3)
        card = SyntheticVideoSource(320, 240, 30)
        assert _psnr(first, FakeV4L2.bgr[(320, 240)][card.read_counter(first)]) >= 30.0


def test_raw_frames_are_judged_by_shape_and_type() -> None:
    yuyv = np.zeros((240, 320, 2), np.uint8)
    jpeg = np.array([[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]], np.uint8)
    bgr = np.zeros((240, 320, 3), np.uint8)
    got = camera_frame(yuyv, "yuyv422", 0, 0)
    assert isinstance(got, RawCameraImage) and (got.width, got.height) == (320, 240)
    got = camera_frame(jpeg, "mjpeg", 1280, 720)
    assert isinstance(got, RawCameraImage) and (got.width, got.height) == (1280, 720)
    assert camera_frame(bgr, "mjpeg", 1280, 720) is bgr  # the backend sent BGR after all
    assert camera_frame(bgr, None, 0, 0) is bgr
    assert camera_frame(np.zeros((1, 6), np.uint8), "mjpeg", 1280, 720) is None  # no SOI
    assert camera_frame(np.zeros((0,), np.uint8), "mjpeg", 1280, 720) is None
    assert camera_frame(yuyv.astype(np.uint16), "yuyv422", 0, 0) is None
    assert camera_frame(yuyv, "mjpeg", 0, 0) is None  # not what was asked for
    assert camera_frame(None, "mjpeg", 0, 0) is None
    assert fourcc_text(_fourcc("YUYV")) == "YUYV" and fourcc_text(0.0) == ""


def test_the_conversions_keep_the_cameras_picture_and_colours() -> None:
    """Without the encoder: YUYV becomes exactly its own samples in I420, and a full-range
    JPEG is brought to the encoder's limited range (a missed range conversion would keep
    0..255 and shift every level)."""
    bgr = _test_card(320, 240)[3]
    converter = RawConverter()
    yuyv = _yuyv(bgr)
    out, kinds = converter.to_encoder(RawCameraImage(yuyv, "yuyv422", 320, 240))
    assert isinstance(out, Yuv420Image) and kinds == ("yuyv422->yuv420p (swscale)",)
    assert int(np.abs(out.planes.astype(int) - _yuyv_as_i420(yuyv)).max()) <= 1
    for make in (_jpeg_opencv_422, _jpeg_pyav_420):
        out, _ = converter.to_encoder(RawCameraImage(make(bgr), "mjpeg", 320, 240))
        assert isinstance(out, Yuv420Image)
        reference = _i420(bgr)
        y = out.planes[:240]
        assert int(y.min()) >= 16 and int(y.max()) <= 235
        assert abs(float(y.mean()) - float(reference[:240].mean())) < 1.0
        assert _psnr(out.planes, reference) >= 38.0
    torn = np.concatenate([[0xFF, 0xD8], np.full(4000, 0x55)]).astype(np.uint8)
    assert converter.to_encoder(RawCameraImage(torn.reshape(1, -1), "mjpeg", 320, 240)) == (
        None,
        (),
    )
