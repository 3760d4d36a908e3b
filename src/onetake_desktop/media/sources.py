"""Picture and sound sources behind one small interface, chosen by a source string.

=====================  ==============================================================
``camera:N``           OpenCV ``VideoCapture`` on device N (720p30 requested)
``mic:default``        the system's default input through PortAudio (``sounddevice``)
``mic:NAME``           the first input device whose name contains NAME (or its index)
``file:PATH``          a video or audio file, paced to real time, looping (a stand-in device)
``file-once:PATH``     the same, but the source finishes at the end of the file
``synthetic``          a moving test card with a frame counter, or a 440 Hz tone
=====================  ==============================================================

Synthetic sources take options after a colon: ``synthetic:size=320x240,fps=15`` (video),
``synthetic:freq=1000`` (audio), and ``fail_after=S`` / ``stall_after=S`` to make the stand-in
device vanish loudly or silently after S seconds (for tests of a camera being unplugged);
``gap_at=S`` makes the synthetic microphone lose 0.2 s of sound at S seconds (an overrun).

Threading: every source delivers from its own thread (a Python thread for cameras, files and
synthetic sources; PortAudio's callback thread for microphones). ``on_frame``/``on_audio``
receive a fresh array that the source never touches again, plus the clock time of the frame or
of the chunk's first sample; ``on_lost`` is called at most once, from the same thread, when the
source ends or fails. ``start``/``stop`` are called by the owner (the capture session) only;
``stop`` joins the source thread.

Pictures travel in the cheapest form the source has: BGR arrays (synthetic, and cameras where
OpenCV decodes), :class:`Yuv420Image` (files, decoded by PyAV straight to the encoder's I420),
or :class:`RawCameraImage` (a V4L2 camera's own YUYV or MJPEG bytes, asked for with
``CAP_PROP_CONVERT_RGB`` off). Raw pictures are converted by :class:`RawConverter` on the
consumer's thread, only when needed: to I420 for the encoder, to a small BGR for the preview.
Each source says which way its pictures come in ``capture_path`` (the take's stats keep it).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from onetake_desktop.domain.errors import DeviceError

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]
Samples = npt.NDArray[np.float32]
# A monotonic clock reading in seconds: the ``monotonic`` method of domain.clock.Clock (media
# reads it on capture threads, so it takes the bound method rather than the whole clock).
Ticks = Callable[[], float]


@dataclass(frozen=True)
class VideoColour:
    """How the take's YUV pictures are to be read, written into the H.264 stream (its VUI)
    so that players do not guess: FFmpeg's AVColorPrimaries, AVColorTransferCharacteristic
    and AVColorSpace values. The range is not here: every picture reaches the encoder as
    limited-range I420, whatever the source sent.

    The default is what webcams deliver and what the app's own conversions make: BT.601
    (SMPTE 170M) matrix with sRGB's primaries, which are BT.709's, and the BT.709 transfer
    (V4L2's "sRGB" colorspace; UVC's default colour descriptor). Only the matrix is BT.601:
    tagging the primaries BT.470BG as well would make colour-managed players convert a gamut
    these pictures never had. Untagged, players take a 720p picture for BT.709 throughout and
    shift its colours."""

    primaries: int = 1  # BT.709
    transfer: int = 1  # BT.709
    matrix: int = 6  # SMPTE 170M (BT.601)


CAMERA_COLOUR = VideoColour()
_UNSPECIFIED = (0, 2)  # FFmpeg's "reserved" and "unspecified"


def declared_colour(primaries: int, transfer: int, matrix: int) -> VideoColour:
    """A file's own colour description where it gives one, the cameras' where it does not."""
    return VideoColour(
        CAMERA_COLOUR.primaries if primaries in _UNSPECIFIED else primaries,
        CAMERA_COLOUR.transfer if transfer in _UNSPECIFIED else transfer,
        CAMERA_COLOUR.matrix if matrix in _UNSPECIFIED else matrix,
    )


@dataclass(frozen=True)
class Yuv420Image:
    """A picture already in the encoder's pixel format (a PyAV frame in I420), handed to
    libx264 as it is: no conversion and no copy (a file source decodes straight to it).
    ``conversions`` names what was done to get it, in order (empty when the file already was
    I420); the encoder counts each in the take's stats."""

    frame: Any  # av.VideoFrame, format yuv420p
    width: int
    height: int
    conversions: tuple[str, ...] = ()

    @property
    def planes(self) -> Image:
        """A copy as one ``(height * 3 // 2, width)`` array: Y, then U and V at half size."""
        return cast(Image, self.frame.to_ndarray())


@dataclass(frozen=True)
class RawCameraImage:
    """A camera's picture as the camera sent it (V4L2 through OpenCV with CONVERT_RGB off):
    ``pixel_format`` "yuyv422" with ``data`` shaped ``(height, width, 2)``, or "mjpeg" with
    ``data`` the JPEG's bytes (``(1, n)``, as OpenCV returns them). ``width``/``height`` are
    what the camera agreed to. Nothing is decoded on the camera's thread: the take's writer
    converts it for the encoder, the preview only at the preview's size and rate."""

    data: Image
    pixel_format: str
    width: int
    height: int


# What sources deliver: BGR pictures (synthetic; cameras where OpenCV decodes), pictures
# already in the encoder's pixel format (files), or a camera's own YUYV/MJPEG (V4L2).
Frame = Image | Yuv420Image | RawCameraImage
OnFrame = Callable[[Frame, float], None]
OnAudio = Callable[[Samples, float], None]
# reason ("device_lost" or "source_ended"), one sentence for the user
OnLost = Callable[[str, str], None]

CAPTURE_RATE = 48_000
DEFAULT_CAMERA_SIZE = (1280, 720)
DEFAULT_CAMERA_FPS = 30
# A camera that returns nothing for this long is gone (cv2 reports failures as empty reads).
_CAMERA_FAIL_SECONDS = 1.0
# Reads a camera gets to send its first picture when it opens (each blocks up to a frame).
_FIRST_READS = 5


class VideoSource(ABC):
    """A source of pictures (:data:`Frame`). See the module docstring for which thread calls
    what."""

    description: str
    width: int
    height: int
    fps: float
    # How pictures reach the encoder, e.g. "yuyv422 raw (V4L2)" or "bgr (OpenCV, MSMF)".
    capture_path: str = ""
    # How to read its pictures once they are I420 (the take's stream is tagged with it).
    colour: VideoColour = CAMERA_COLOUR

    @abstractmethod
    def start(self, on_frame: OnFrame, on_lost: OnLost) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...


class AudioSource(ABC):
    """A source of mono float32 samples at ``sample_rate``. See the module docstring."""

    description: str
    sample_rate: int = CAPTURE_RATE

    @abstractmethod
    def start(self, on_audio: OnAudio, on_lost: OnLost) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...


# --------------------------------------------------------------------------------------------
# spec parsing


def parse_spec(spec: str) -> tuple[str, str]:
    """Split ``kind:rest``; ``synthetic`` alone has an empty rest."""
    kind, _, rest = spec.strip().partition(":")
    kind = kind.lower()
    if kind not in {"camera", "mic", "file", "file-once", "synthetic"}:
        raise DeviceError(
            f"The source '{spec}' is not one this app knows; use camera:N, mic:NAME, "
            "file:PATH or synthetic."
        )
    if kind != "synthetic" and not rest:
        raise DeviceError(f"The source '{spec}' needs something after the colon.")
    return kind, rest


def _options(rest: str, spec: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise DeviceError(f"The source option '{item}' in '{spec}' needs a value (key=value).")
        options[key.strip().lower()] = value.strip()
    return options


def _float_option(options: dict[str, str], key: str, spec: str) -> float | None:
    if key not in options:
        return None
    try:
        return float(options[key])
    except ValueError:
        raise DeviceError(f"The option {key} in '{spec}' must be a number.") from None


def open_video_source(spec: str, clock: Ticks = time.monotonic) -> VideoSource:
    """Open a picture source; a device that cannot open raises DeviceError with one sentence."""
    kind, rest = parse_spec(spec)
    if kind == "synthetic":
        options = _options(rest, spec)
        width, height = DEFAULT_CAMERA_SIZE
        if "size" in options:
            try:
                w, _, h = options["size"].lower().partition("x")
                width, height = int(w), int(h)
            except ValueError:
                raise DeviceError(f"The size in '{spec}' must look like 640x480.") from None
        fps = _float_option(options, "fps", spec) or DEFAULT_CAMERA_FPS
        return SyntheticVideoSource(
            width,
            height,
            fps,
            clock=clock,
            fail_after=_float_option(options, "fail_after", spec),
            stall_after=_float_option(options, "stall_after", spec),
        )
    if kind == "camera":
        try:
            index = int(rest)
        except ValueError:
            raise DeviceError(f"The camera in '{spec}' must be a number, like camera:0.") from None
        return CameraSource(index, clock=clock)
    if kind in {"file", "file-once"}:
        return FileVideoSource(Path(rest), loop=kind == "file", clock=clock)
    raise DeviceError(f"'{spec}' is a microphone, not a camera.")


def open_audio_source(spec: str, clock: Ticks = time.monotonic) -> AudioSource:
    """Open a sound source; a device that cannot open raises DeviceError with one sentence."""
    kind, rest = parse_spec(spec)
    if kind == "synthetic":
        options = _options(rest, spec)
        return SyntheticAudioSource(
            frequency=_float_option(options, "freq", spec) or 440.0,
            clock=clock,
            fail_after=_float_option(options, "fail_after", spec),
            stall_after=_float_option(options, "stall_after", spec),
            gap_at=_float_option(options, "gap_at", spec),
        )
    if kind == "mic":
        return MicrophoneSource(rest, clock=clock)
    if kind in {"file", "file-once"}:
        return FileAudioSource(Path(rest), loop=kind == "file", clock=clock)
    raise DeviceError(f"'{spec}' is a camera, not a microphone.")


# --------------------------------------------------------------------------------------------
# paced sources (synthetic and file): a thread that delivers on schedule against the clock


class _PacedThread:
    """Runs ``produce(n)`` at ``t0 + n * period`` on its own thread (named ``name``).

    ``produce`` returns the item to deliver, or None when the source has finished. Timestamps
    are the scheduled times, like a camera's own capture timestamps; a thread that falls more
    than one period behind skips ahead, as a real device would keep time and lose items.
    """

    def __init__(
        self,
        name: str,
        period: float,
        clock: Ticks,
        produce: Callable[[int], Any],
        deliver: Callable[[Any, float], None],
        on_lost: OnLost,
        lost_message: Callable[[], tuple[str, str] | None],
        skip_when_late: bool = True,
    ) -> None:
        self._period = period
        self._clock = clock
        self._produce = produce
        self._deliver = deliver
        self._on_lost = on_lost
        self._lost_message = lost_message
        self._skip = skip_when_late
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        t0 = self._clock()
        n = 0
        try:
            while not self._stopping.is_set():
                due = t0 + n * self._period
                delay = due - self._clock()
                if delay > 0:
                    if self._stopping.wait(delay):
                        return
                elif self._skip and -delay > 2 * self._period:
                    n = int((self._clock() - t0) / self._period)
                    due = t0 + n * self._period
                lost = self._lost_message()
                if lost is not None:
                    self._on_lost(*lost)
                    return
                item = self._produce(n)
                if item is None:
                    self._on_lost(
                        "source_ended", "The recording source reached its end, so it stopped."
                    )
                    return
                if item is _STALLED:
                    n += 1
                    continue
                self._deliver(item, due)
                n += 1
        except DeviceError as error:
            self._on_lost("device_lost", str(error))
        except Exception as error:  # a source must end in a known state, never die silently
            self._on_lost("device_lost", f"The recording source failed ({error}).")


_STALLED = object()


GAP_SECONDS = 0.2


def _fault(
    clock: Ticks,
    started: list[float],
    fail_after: float | None,
    stall_after: float | None,
    gap_at: float | None = None,
) -> tuple[Callable[[], tuple[str, str] | None], Callable[[], bool]]:
    """Failure injection for stand-in devices: (lost_message, stalled)."""

    def elapsed() -> float:
        return clock() - started[0] if started else 0.0

    def lost() -> tuple[str, str] | None:
        if fail_after is not None and elapsed() >= fail_after:
            return "device_lost", "The camera or microphone stopped working (it was unplugged)."
        return None

    def stalled() -> bool:
        if gap_at is not None and gap_at <= elapsed() < gap_at + GAP_SECONDS:
            return True
        return stall_after is not None and elapsed() >= stall_after

    return lost, stalled


class SyntheticVideoSource(VideoSource):
    """A moving test card: colour bars, a moving box, a frame counter and timecode as text,
    and the frame number as a row of black and white blocks (24 bits) that survives
    compression, so tests can read the counter back from a decoded picture.

    Threading: the ``onetake-video-synthetic`` thread draws and delivers frames.
    """

    BITS = 24
    capture_path = "bgr (synthetic test card)"

    def __init__(
        self,
        width: int = 1280,
        height: int = 720,
        fps: float = 30,
        clock: Ticks = time.monotonic,
        fail_after: float | None = None,
        stall_after: float | None = None,
    ) -> None:
        if width < 64 or height < 48 or width % 2 or height % 2:
            raise DeviceError("The synthetic camera needs an even size of at least 64x48.")
        self.description = f"Synthetic test card {width}x{height} at {fps:g} fps"
        self.width, self.height, self.fps = width, height, float(fps)
        self._clock = clock
        self._fail_after, self._stall_after = fail_after, stall_after
        self._background = self._draw_background(width, height)
        self._thread: _PacedThread | None = None

    @staticmethod
    def _draw_background(width: int, height: int) -> Image:
        colours = [
            (192, 192, 192),
            (0, 192, 192),
            (192, 192, 0),
            (0, 192, 0),
            (192, 0, 192),
            (0, 0, 192),
            (192, 0, 0),
        ]
        image = np.zeros((height, width, 3), np.uint8)
        bar = math.ceil(width / len(colours))
        for i, colour in enumerate(colours):
            image[:, i * bar : (i + 1) * bar] = colour
        # a gentle gradient at the bottom so the encoder has something to do
        ramp = np.linspace(0, 255, width, dtype=np.uint8)
        image[height * 3 // 4 :, :, :] = ramp[None, :, None]
        return image

    def block_geometry(self) -> tuple[int, int, int]:
        """(top row, block width, block height) of the frame-number blocks."""
        block_w = self.width // (self.BITS + 2)
        return self.height // 2, block_w, max(8, self.height // 16)

    def draw(self, n: int) -> Image:
        import cv2

        image = self._background.copy()
        w, h = self.width, self.height
        # a box that moves one full width every 4 seconds
        period = int(self.fps * 4) or 1
        x = int((n % period) / period * (w - h // 6))
        cv2.rectangle(image, (x, h // 8), (x + h // 6, h // 8 + h // 6), (255, 255, 255), -1)
        top, block_w, block_h = self.block_geometry()
        image[top - 4 : top + block_h + 4, :] = 128
        for bit in range(self.BITS):
            on = (n >> (self.BITS - 1 - bit)) & 1
            left = (bit + 1) * block_w
            image[top : top + block_h, left : left + block_w] = 255 if on else 0
        seconds = n / self.fps
        text = f"{n:06d}  {int(seconds // 60):02d}:{seconds % 60:06.3f}"
        scale = h / 360
        cv2.putText(
            image,
            text,
            (w // 20, h * 5 // 6),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (0, 0, 0),
            max(1, int(2 * scale)),
            cv2.LINE_AA,
        )
        return image

    def read_counter(self, image: Image) -> int:
        """The frame number drawn into ``image`` (a decoded BGR picture of this size)."""
        top, block_w, block_h = self.block_geometry()
        gray = image.mean(axis=2) if image.ndim == 3 else image
        n = 0
        for bit in range(self.BITS):
            left = (bit + 1) * block_w
            cell = gray[
                top + block_h // 4 : top + block_h * 3 // 4,
                left + block_w // 4 : left + block_w * 3 // 4,
            ]
            n = (n << 1) | int(cell.mean() > 128)
        return n

    def start(self, on_frame: OnFrame, on_lost: OnLost) -> None:
        started = [self._clock()]
        lost, stalled = _fault(self._clock, started, self._fail_after, self._stall_after)

        def produce(n: int) -> Any:
            return _STALLED if stalled() else self.draw(n)

        self._thread = _PacedThread(
            "onetake-video-synthetic",
            1.0 / self.fps,
            self._clock,
            produce,
            on_frame,
            on_lost,
            lost,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None


class SyntheticAudioSource(AudioSource):
    """A steady tone in 10 ms chunks, paced to the clock.

    Threading: the ``onetake-audio-synthetic`` thread generates and delivers chunks.
    """

    CHUNK = 480

    def __init__(
        self,
        frequency: float = 440.0,
        amplitude: float = 0.3,
        clock: Ticks = time.monotonic,
        fail_after: float | None = None,
        stall_after: float | None = None,
        gap_at: float | None = None,
    ) -> None:
        self.description = f"Synthetic {frequency:g} Hz tone"
        self._gap_at = gap_at
        self.frequency, self.amplitude = frequency, amplitude
        self._clock = clock
        self._fail_after, self._stall_after = fail_after, stall_after
        self._thread: _PacedThread | None = None

    def chunk(self, n: int) -> Samples:
        start = n * self.CHUNK
        t = np.arange(start, start + self.CHUNK, dtype=np.float64) / self.sample_rate
        return (self.amplitude * np.sin(2 * np.pi * self.frequency * t)).astype(np.float32)

    def start(self, on_audio: OnAudio, on_lost: OnLost) -> None:
        started = [self._clock()]
        lost, stalled = _fault(
            self._clock, started, self._fail_after, self._stall_after, self._gap_at
        )

        def produce(n: int) -> Any:
            return _STALLED if stalled() else self.chunk(n)

        self._thread = _PacedThread(
            "onetake-audio-synthetic",
            self.CHUNK / self.sample_rate,
            self._clock,
            produce,
            on_audio,
            on_lost,
            lost,
            skip_when_late=False,  # a late sound card still delivers every sample
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None


# --------------------------------------------------------------------------------------------
# files


class FileVideoSource(VideoSource):
    """Pictures from a video file, decoded with PyAV straight to the encoder's pixel format
    (I420, :class:`Yuv420Image`; no BGR round trip), paced to the file's frame rate; loops, or
    finishes at the end. A file in another pixel format is converted once by FFmpeg's
    swscale, and the picture says so (the take's stats count it).

    Threading: the ``onetake-video-file`` thread decodes and delivers frames.
    """

    def __init__(self, path: Path, loop: bool = True, clock: Ticks = time.monotonic) -> None:
        import av

        if not path.is_file():
            raise DeviceError(f"The video file {path} does not exist.")
        self._path, self._loop, self._clock = path, loop, clock
        self._container: Any = None
        try:
            self._container = av.open(str(path))
            if not self._container.streams.video:
                raise DeviceError(f"The file {path.name} has no pictures this app can read.")
            stream = self._container.streams.video[0]
            stream.thread_type = "AUTO"  # as the ffmpeg command line decodes
            self._stream = stream
            self._frames: Iterator[Any] = self._decode()
            first = next(self._frames, None)
        except (av.FFmpegError, OSError, ValueError) as error:
            self._close()
            raise DeviceError(f"The file {path.name} has no pictures this app can read.") from error
        except DeviceError:
            self._close()
            raise
        if first is None:
            self._close()
            raise DeviceError(f"The file {path.name} has no pictures this app can read.")
        if isinstance(first, np.ndarray):
            self.height, self.width = first.shape[:2]
        else:
            self.width, self.height = first.width, first.height
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 0.0
        self.fps = fps if 1 <= fps <= 240 else 30.0
        if isinstance(first, Yuv420Image):
            stored = first.conversions[0].split("->")[0] if first.conversions else ""
            self.capture_path = (
                f"{stored} (PyAV file, swscale to yuv420p)" if stored else "yuv420p (PyAV file)"
            )
            # The file's pictures reach the encoder in its own matrix: say which it is.
            ctx = stream.codec_context
            self.colour = declared_colour(ctx.color_primaries, ctx.color_trc, ctx.colorspace)
        else:
            # swscale made BGR and OpenCV made I420 again, in BT.601 like every BGR picture
            self.capture_path = "bgr (PyAV file, odd size)"
        self.description = f"Video file {path.name} ({self.width}x{self.height})"
        self._first: Frame | None = first
        self._thread: _PacedThread | None = None

    def _decode(self) -> Iterator[Frame]:
        while True:
            for frame in self._container.decode(self._stream):
                yield _as_yuv420(frame)
            if not self._loop:
                return
            self._container.seek(0)

    def _next(self, n: int) -> Frame | None:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        try:
            return next(self._frames, None)
        except (OSError, ValueError) as error:  # av.FFmpegError is an OSError
            raise DeviceError(f"The file {self._path.name} cannot be read further.") from error

    def start(self, on_frame: OnFrame, on_lost: OnLost) -> None:
        self._thread = _PacedThread(
            "onetake-video-file",
            1.0 / self.fps,
            self._clock,
            self._next,
            on_frame,
            on_lost,
            lambda: None,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        self._close()

    def _close(self) -> None:
        container, self._container = self._container, None
        if container is not None:
            with contextlib.suppress(Exception):
                container.close()


def _as_yuv420(frame: Any) -> Frame:
    """A decoded PyAV frame as the encoder's I420 (converted by swscale only when the file is
    in another format; odd sizes, which I420 cannot hold, become BGR)."""
    if frame.width % 2 or frame.height % 2:
        return cast(Image, reformat(frame, "bgr24").to_ndarray())
    conversions: tuple[str, ...] = ()
    if frame.format.name != "yuv420p":
        conversions = (f"{frame.format.name}->yuv420p (swscale)",)
        frame = reformat(frame, "yuv420p")
    elif int(frame.color_range or 0) == 2:  # I420 in full range: to the encoder's range
        conversions = ("yuv420p full range->yuv420p (swscale)",)
        frame = reformat(frame, "yuv420p")
    return Yuv420Image(frame, frame.width, frame.height, conversions)


def reformat(frame: Any, format: str, width: int | None = None, height: int | None = None) -> Any:
    """``frame`` converted (and scaled) by libswscale, on this thread only.

    The colour range is passed explicitly: PyAV tells swscale "unspecified", which it reads as
    limited range, so a full-range JPEG picture (yuvj*) would keep 0..255 in a limited-range
    file (crushed blacks, clipped whites). One thread: swscale's own threads cost more than
    they save at these sizes, and the encoder's threads want the cores. At the same size only
    the chroma is resampled: the fast bilinear filter (measured 0.6 against 0.87 ms at 720p,
    57 dB from the exact average); scaling uses the area filter."""
    from av.video.reformatter import VideoReformatter

    full = frame.format.name.startswith("yuvj") or int(frame.color_range or 0) == 2
    yuv_out = format.startswith("yuv") or format.startswith("nv")
    same_size = (width or frame.width, height or frame.height) == (frame.width, frame.height)
    # A reformatter of its own per call (as cheap as a reused one, measured): the writer and
    # the preview may convert the same picture at once, and one SwsContext is not shareable.
    return VideoReformatter().reformat(
        frame,
        width=width,
        height=height,
        format=format,
        src_color_range="JPEG" if full else "MPEG",
        dst_color_range=("JPEG" if format.startswith("yuvj") else "MPEG") if yuv_out else None,
        interpolation="FAST_BILINEAR" if same_size else "AREA",
        threads=1,
    )


def _pcm_rate(path: Path) -> int | None:
    """The sample rate of a WAV or FLAC file soundfile can read, else None (PyAV then tries)."""
    import soundfile

    try:
        return int(soundfile.info(str(path)).samplerate)
    except (RuntimeError, soundfile.LibsndfileError):
        return None


class FileAudioSource(AudioSource):
    """Sound from any audio or video file, paced to real time in 10 ms chunks as 48 kHz mono;
    loops, or finishes at the end. WAV and FLAC at 48 kHz are read sample for sample with
    soundfile (libsndfile: PCM in, no decoder or resampler between); anything else is decoded
    and resampled with PyAV.

    Threading: the ``onetake-audio-file`` thread decodes and delivers chunks.
    """

    CHUNK = 480
    PCM_SUFFIXES = (".wav", ".flac")

    def __init__(self, path: Path, loop: bool = True, clock: Ticks = time.monotonic) -> None:
        import av

        if not path.is_file():
            raise DeviceError(f"The sound file {path} does not exist.")
        self._pcm = path.suffix.lower() in self.PCM_SUFFIXES and _pcm_rate(path) == 48_000
        try:
            with av.open(str(path)) as container:
                if not container.streams.audio:
                    raise DeviceError(f"The file {path.name} has no sound.")
        except av.FFmpegError:
            raise DeviceError(
                f"The file {path.name} is not a sound file this app can read."
            ) from None
        self._path, self._loop, self._clock = path, loop, clock
        self.description = f"Sound file {path.name}"
        self._thread: _PacedThread | None = None
        self._samples: Generator[Samples, None, None] | None = None
        self._pending = np.zeros(0, np.float32)

    def _decode(self) -> Generator[Samples, None, None]:
        if self._pcm:
            yield from self._read_pcm()
            return
        import av

        while True:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=self.sample_rate)
            with av.open(str(self._path)) as container:
                for frame in container.decode(audio=0):
                    for out in resampler.resample(frame):
                        yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
            for out in resampler.resample(None):
                yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
            if not self._loop:
                return

    def _read_pcm(self) -> Generator[Samples, None, None]:
        import soundfile

        while True:
            with soundfile.SoundFile(str(self._path)) as pcm:
                for block in pcm.blocks(blocksize=4800, dtype="float32", always_2d=True):
                    yield block.mean(axis=1, dtype=np.float32)  # channels mixed to mono
            if not self._loop:
                return

    def _next(self, n: int) -> Samples | None:
        if self._samples is None:
            self._samples = self._decode()
        while len(self._pending) < self.CHUNK:
            more = next(self._samples, None)
            if more is None:
                return None
            self._pending = np.concatenate([self._pending, more])
        chunk, self._pending = self._pending[: self.CHUNK].copy(), self._pending[self.CHUNK :]
        return chunk

    def start(self, on_audio: OnAudio, on_lost: OnLost) -> None:
        self._thread = _PacedThread(
            "onetake-audio-file",
            self.CHUNK / self.sample_rate,
            self._clock,
            self._next,
            on_audio,
            on_lost,
            lambda: None,
            skip_when_late=False,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        if self._samples is not None:
            self._samples.close()  # closes the file it was decoding
            self._samples = None


# --------------------------------------------------------------------------------------------
# real devices


def _quiet_opencv() -> None:
    """OpenCV prints warnings for every camera index it cannot open; we say it ourselves."""
    with contextlib.suppress(AttributeError, ImportError):
        from cv2.utils import logging as cv_logging

        cv_logging.setLogLevel(cv_logging.LOG_LEVEL_SILENT)


# A camera's native formats that it can hand over as they are (V4L2, CONVERT_RGB off), by the
# FOURCC the driver reports; any other format is decoded by OpenCV to BGR.
RAW_FOURCCS = {"YUYV": "yuyv422", "YUY2": "yuyv422", "MJPG": "mjpeg", "JPEG": "mjpeg"}


def fourcc_text(value: float) -> str:
    """OpenCV's CAP_PROP_FOURCC as its four letters ("" when the backend reports none)."""
    code = int(value) if value and value > 0 else 0
    text = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4))
    return text if code and text.isprintable() else ""


def camera_frame(image: Any, raw_format: str | None, width: int, height: int) -> Frame | None:
    """What ``VideoCapture.read()`` returned, as a picture, judged by its shape and type (a
    backend may ignore CONVERT_RGB=0 and send BGR after all): a BGR array, the camera's raw
    YUYV or JPEG (``raw_format`` is what was asked for), or None when it is unusable (empty,
    a torn JPEG without its start marker)."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.size == 0:
        return None
    if image.ndim == 3 and image.shape[2] == 3:
        return cast(Image, image)  # decoded by OpenCV: the BGR path
    if raw_format == "yuyv422" and image.ndim == 3 and image.shape[2] == 2:
        h, w = image.shape[:2]
        if w % 2 or h < 2:
            return None
        # I420 needs an even height: a camera never sends an odd one, but drop a row if so
        data = cast(Image, image[: h - h % 2])
        return RawCameraImage(data, "yuyv422", w, h - h % 2)
    if raw_format == "mjpeg" and (image.ndim == 1 or (image.ndim == 2 and image.shape[0] == 1)):
        flat = image.reshape(-1)
        if len(flat) < 4 or flat[0] != 0xFF or flat[1] != 0xD8:
            return None  # not a JPEG (a torn or empty buffer): dropped like a failed read
        return RawCameraImage(cast(Image, image), "mjpeg", width, height)
    return None


class RawConverter:
    """The one step from a camera's raw picture to what the encoder takes: YUYV to I420 by
    libswscale (measured cheaper than numpy slicing, bench/record_bench.py ``camera``), JPEG
    decoded by PyAV's mjpeg decoder straight to YUV (yuvj422p/yuvj420p), then reformatted to
    I420 by swscale (full to limited range). The camera path, the tests and the bench all use
    this class. It holds a decoder, so each converting thread has its own.
    """

    def __init__(self) -> None:
        self._decoder: Any = None

    def decode_jpeg(self, data: Image) -> Any | None:
        """The JPEG decoded by PyAV (an av.VideoFrame in yuvj4xxp), or None when the decoder
        refuses it (a camera's torn frame)."""
        import av

        if self._decoder is None:
            self._decoder = av.CodecContext.create("mjpeg", "r")
            self._decoder.thread_count = 1  # no frame threads: the picture comes out at once
        try:
            # the packet copies the bytes once from the array (PyAV takes any buffer)
            packet = av.Packet(cast(Any, np.ascontiguousarray(data).reshape(-1)))
            frames = self._decoder.decode(packet)
        except (av.FFmpegError, ValueError):
            return None
        return frames[-1] if frames else None

    def to_encoder(
        self, raw: RawCameraImage, size: tuple[int, int] | None = None
    ) -> tuple[Image | Yuv420Image | None, tuple[str, ...]]:
        """(the picture for the encoder, the conversions made to get it, in order). ``size``
        (even) scales in the same swscale pass. The picture is None when a JPEG cannot be
        decoded (the take drops it)."""
        import av

        if raw.pixel_format == "yuyv422":
            frame = av.VideoFrame.from_ndarray(raw.data, format="yuyv422")
            out = reformat(frame, "yuv420p", *(size or (None, None)))
            kind = "yuyv422->yuv420p (swscale" + (", scaled)" if _scaled(frame, out) else ")")
            return Yuv420Image(out, out.width, out.height, (kind,)), (kind,)
        if raw.pixel_format != "mjpeg":
            raise ValueError(f"unknown raw camera format {raw.pixel_format!r}")
        decoded = self.decode_jpeg(raw.data)
        if decoded is None:
            return None, ()
        name = decoded.format.name
        kinds: tuple[str, ...] = (f"mjpeg->{name} (PyAV)",)
        if size is None and (decoded.width % 2 or decoded.height % 2):  # not for I420
            kinds += (f"{name}->bgr (swscale, odd size)",)
            return cast(Image, reformat(decoded, "bgr24").to_ndarray()), kinds
        out = decoded
        if name != "yuv420p" or (size is not None and size != (out.width, out.height)):
            out = reformat(decoded, "yuv420p", *(size or (None, None)))
            scaled = ", scaled" if _scaled(decoded, out) else ""
            kinds += (f"{name}->yuv420p (swscale{scaled})",)
        return Yuv420Image(out, out.width, out.height, kinds), kinds


def _scaled(before: Any, after: Any) -> bool:
    return bool((before.width, before.height) != (after.width, after.height))


def preview_picture(image: Frame, max_width: int) -> tuple[Image, str] | None:
    """A BGR picture at most ``max_width`` wide for the preview, made at that size (scaled
    while converting, never converted at full size first), and what was done, for the stats
    ("" when the picture was already BGR and small enough). None when a raw JPEG is torn.
    Keeps no state, so any thread may call it."""
    import cv2

    def size(w: int, h: int) -> tuple[int, int]:
        if w <= max_width:
            return w, h
        return max_width, max(2, round(h * max_width / w))

    if isinstance(image, RawCameraImage):
        if image.pixel_format == "yuyv422":
            import av

            frame = av.VideoFrame.from_ndarray(image.data, format="yuyv422")
            w, h = size(frame.width, frame.height)
            out = cast(Image, reformat(frame, "bgr24", w, h).to_ndarray())
            return out, "preview yuyv422->bgr (swscale)"
        # libjpeg decodes at 1/2, 1/4 or 1/8 size directly: most of the preview's decode saved
        flag, factor = cv2.IMREAD_COLOR, 1
        for f, reduced in ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4),
                           (2, cv2.IMREAD_REDUCED_COLOR_2)):  # fmt: skip
            if image.width // f >= max_width:
                flag, factor = reduced, f
                break
        decoded = cv2.imdecode(image.data.reshape(-1), flag)
        if decoded is None:
            return None
        scaled = f", 1/{factor} size" if factor > 1 else ""
        kind = f"preview mjpeg->bgr (OpenCV{scaled})"
        h, w = decoded.shape[:2]
        if w > max_width:
            decoded = cv2.resize(decoded, size(w, h), interpolation=cv2.INTER_AREA)
        return cast(Image, decoded), kind
    if isinstance(image, Yuv420Image):
        w, h = size(image.width, image.height)
        out = cast(Image, reformat(image.frame, "bgr24", w, h).to_ndarray())
        return out, "preview yuv420p->bgr (swscale)"
    h, w = image.shape[:2]
    if w <= max_width:
        return image, ""
    return cast(Image, cv2.resize(image, size(w, h), interpolation=cv2.INTER_AREA)), (
        "preview scale (OpenCV)"
    )


def _backend_name(capture: Any) -> str:
    try:
        return str(capture.getBackendName())
    except Exception:  # cv2.error when the backend has no name; stand-ins without the method
        return "unknown"


class CameraSource(VideoSource):
    """A camera through OpenCV's ``VideoCapture``; asks for 720p30 (MJPG, which USB cameras
    need for 720p30) and keeps what the camera agrees to.

    On V4L2 (Linux) the camera's own pictures are asked for (``CAP_PROP_CONVERT_RGB`` off)
    when it sends YUYV or MJPEG, and delivered as :class:`RawCameraImage`: no BGR anywhere
    on the way to the encoder. Elsewhere (Windows MSMF/DirectShow, macOS AVFoundation), for
    other formats, or when the backend ignores the request (the frames come back as BGR),
    OpenCV decodes to BGR as before. ``capture_path`` says which way was taken.

    Threading: the ``onetake-video-camera`` thread blocks in ``read()`` and delivers frames
    stamped with the clock when they arrive.
    """

    def __init__(
        self,
        index: int,
        clock: Ticks = time.monotonic,
        size: tuple[int, int] = DEFAULT_CAMERA_SIZE,
        fps: int = DEFAULT_CAMERA_FPS,
    ) -> None:
        import cv2

        _quiet_opencv()
        self._clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._raw_format: str | None = None
        self.width, self.height = 0, 0  # known from the first picture
        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise DeviceError(
                f"Camera {index} could not be opened; check that it is connected and not in "
                "use by another app (run 'onetake devices' to see the cameras)."
            )
        self._capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        self._capture.set(cv2.CAP_PROP_FPS, fps)
        first = self._negotiate(index)
        if first is None:
            self._capture.release()
            raise DeviceError(f"Camera {index} opened but sends no pictures.")
        if isinstance(first, np.ndarray):
            self.height, self.width = first.shape[:2]
        else:
            self.width, self.height = first.width, first.height
        got_fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0)
        self.fps = got_fps if 1 <= got_fps <= 120 else float(fps)
        self.description = f"Camera {index} ({self.width}x{self.height} at {self.fps:g} fps)"
        log.info("camera %d: %s, pictures %s", index, self.description, self.capture_path)

    def _read(self) -> Frame | None:
        ok, image = self._capture.read()
        if not ok:
            return None
        return camera_frame(image, self._raw_format, self.width, self.height)

    def _read_first(self) -> Frame | None:
        """The first picture: a cold camera may fail its first reads (judged only once it
        sends something, so a slow start is not taken for unusable raw frames)."""
        for _ in range(_FIRST_READS):
            ok, image = self._capture.read()
            if ok and image is not None:
                return camera_frame(image, self._raw_format, self.width, self.height)
        return None

    def _negotiate(self, index: int) -> Frame | None:
        """Ask for the camera's own pictures where the backend allows it; the first picture
        (None if the camera sends nothing). Sets ``capture_path``."""
        import cv2

        capture = self._capture
        backend = _backend_name(capture)
        native = fourcc_text(capture.get(cv2.CAP_PROP_FOURCC))
        raw_format = RAW_FOURCCS.get(native.upper())
        if backend != "V4L2":
            self.capture_path = f"bgr (OpenCV decodes, {backend})"
        elif raw_format is None:
            self.capture_path = f"bgr (OpenCV decodes {native or 'an unknown format'}, V4L2)"
        elif not capture.set(cv2.CAP_PROP_CONVERT_RGB, 0):
            self.capture_path = f"bgr (OpenCV decodes {native}, V4L2 refused raw frames)"
        else:
            self._raw_format = raw_format
            first = self._read_first()
            if isinstance(first, RawCameraImage) and raw_format == "mjpeg":
                # the JPEG's own size (the driver's is only what was asked for)
                picture, _ = RawConverter().to_encoder(first)
                if isinstance(picture, Yuv420Image):
                    self.width, self.height = picture.width, picture.height
                    first = RawCameraImage(first.data, "mjpeg", picture.width, picture.height)
                else:
                    first = None  # undecodable or odd-sized: let OpenCV decode instead
            if isinstance(first, RawCameraImage):
                self.capture_path = f"{raw_format} raw (V4L2)"
                return first
            self._raw_format = None
            if isinstance(first, np.ndarray):  # the backend ignored CONVERT_RGB=0
                self.capture_path = f"bgr (OpenCV decodes {native}, V4L2 ignored raw request)"
                return first
            capture.set(cv2.CAP_PROP_CONVERT_RGB, 1)
            self.capture_path = f"bgr (OpenCV decodes {native}, raw frames unusable)"
            log.warning("camera %d: raw %s frames unusable; OpenCV decodes them", index, native)
        return self._read_first()

    def start(self, on_frame: OnFrame, on_lost: OnLost) -> None:
        def run() -> None:
            last_ok = self._clock()
            while not self._stopping.is_set():
                image = self._read()
                now = self._clock()
                if image is not None:
                    last_ok = now
                    on_frame(image, now)
                elif now - last_ok > _CAMERA_FAIL_SECONDS:
                    on_lost(
                        "device_lost",
                        "The camera stopped sending pictures; check that it is still connected.",
                    )
                    return
                else:
                    self._stopping.wait(0.01)

        self._thread = threading.Thread(target=run, name="onetake-video-camera", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._capture.release()


PORTAUDIO_MISSING = (
    "The microphone cannot be used because the PortAudio sound library is missing; "
    "install libportaudio2, or choose another microphone source."
)


def load_sounddevice() -> ModuleType:
    """Import ``sounddevice``; a missing PortAudio becomes a DeviceError with one sentence."""
    try:
        import sounddevice
    except (ImportError, OSError):
        raise DeviceError(PORTAUDIO_MISSING) from None
    return cast(ModuleType, sounddevice)


class MicrophoneSource(AudioSource):
    """A microphone through PortAudio (``sounddevice.InputStream``, 48 kHz mono float32).

    Threading: PortAudio's own callback thread calls ``on_audio`` with a copy of each 20 ms
    block, stamped with the clock minus the block's length (the time of its first sample).
    The callback never logs or touches ``threading`` (a foreign thread would be registered as
    a Python thread that never ends).
    """

    BLOCK = 960

    def __init__(self, name: str, clock: Ticks = time.monotonic) -> None:
        sd = load_sounddevice()
        self._sd = sd
        self._clock = clock
        self._stream: Any = None
        self.device: int | None = self._find(sd, name)
        try:
            info = sd.query_devices(self.device, kind="input" if self.device is None else None)
        except Exception:
            raise DeviceError(
                "No microphone was found; connect one, or choose another microphone source."
            ) from None
        self.description = f"Microphone {info['name']}"
        try:
            sd.check_input_settings(
                device=self.device, channels=1, samplerate=self.sample_rate, dtype="float32"
            )
        except Exception:
            raise DeviceError(
                f"The microphone {info['name']} cannot record 48 kHz sound; choose another one."
            ) from None

    @staticmethod
    def _find(sd: ModuleType, name: str) -> int | None:
        if name.lower() in {"default", ""}:
            return None
        try:
            devices = list(sd.query_devices())
        except Exception:
            raise DeviceError(
                "No microphone was found; connect one, or choose another microphone source."
            ) from None
        inputs = [(i, d) for i, d in enumerate(devices) if d.get("max_input_channels", 0) > 0]
        if name.isdigit() and any(i == int(name) for i, _ in inputs):
            return int(name)
        for i, device in inputs:
            if name.lower() in str(device["name"]).lower():
                return i
        raise DeviceError(
            f"No microphone called '{name}' was found; run 'onetake devices' to see them."
        )

    def start(self, on_audio: OnAudio, on_lost: OnLost) -> None:
        clock, rate = self._clock, float(self.sample_rate)

        def callback(indata: Any, frames: int, time_info: Any, status: Any) -> None:
            on_audio(indata[:, 0].copy(), clock() - frames / rate)

        try:
            self._stream = self._sd.InputStream(
                device=self.device,
                channels=1,
                samplerate=self.sample_rate,
                dtype="float32",
                blocksize=self.BLOCK,
                callback=callback,
            )
            self._stream.start()
        except Exception as error:
            self._stream = None
            raise DeviceError(
                f"The microphone could not be started ({error}); check that it is connected."
            ) from None

    def stop(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:
                pass  # the device may already be gone; nothing is left to release
            self._stream = None
