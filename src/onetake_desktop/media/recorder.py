"""The recorder: sources open for the whole interview, one crash-safe file per take.

A :class:`CaptureSession` owns the camera and microphone from the device check to the last
answer (opening a camera takes seconds and makes its light blink, so it is never re-opened per
take). Each :meth:`CaptureSession.start_take` starts one :class:`Take`: a writer thread that
owns the PyAV container and writes ``q01.mp4.partial``, fragmented every half second, flushed
per packet and fsynced every second, then renamed to ``q01.mp4`` when the take ends.

Timing: every timestamp comes from the one session clock. The take's first picture sets the
origin of both timelines: video pts come from the capture timestamps
(``round((t - origin) * fps)``, time base 1/fps), audio pts from the count of samples written,
starting with the sample captured at the origin (time base 1/sample rate). Sound a device lost
is filled with silence so later sound stays in sync. The A/V offsets in the stats say how far
apart a picture and a sound captured at the same instant end up in the file.

Muxing: ``movflags=hybrid_fragmented`` (fragmented while recording, an ordinary MP4 after a
clean close), ``frag_duration`` 0.5 s, ``flush_packets=1`` (each packet reaches the OS at once)
and ``use_editlist=1`` (hides the AAC encoder's priming samples). A crash or kill -9 keeps
everything up to the last whole fragment: :mod:`onetake_desktop.media.recovery`.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import shutil
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import numpy as np

from onetake_desktop.domain.clock import Clock, SystemClock
from onetake_desktop.domain.errors import DeviceError, OneTakeError
from onetake_desktop.durable import fsync_directory
from onetake_desktop.media.devices import check_disk_space, running_reserve_bytes
from onetake_desktop.media.profiles import Profile
from onetake_desktop.media.recovery import PARTIAL_SUFFIX, recover_partial
from onetake_desktop.media.sources import (
    CAMERA_COLOUR,
    AudioSource,
    Frame,
    Image,
    RawCameraImage,
    RawConverter,
    Samples,
    Ticks,
    VideoColour,
    VideoSource,
    Yuv420Image,
    open_audio_source,
    open_video_source,
    preview_picture,
    reformat,
)
from onetake_desktop.media.types import TakeResult, TakeStats

PREVIEW_MAX_WIDTH = 640
LEVEL_WINDOW_SECONDS = 0.05
# A source that delivers nothing for this long is treated as unplugged (ends the take < 2 s).
SOURCE_SILENCE_SECONDS = 1.2
# After a stop, wait at most this long for sound captured before the stop to arrive.
AUDIO_TAIL_WAIT_SECONDS = 0.5
# Sound that arrives this much later than its sample count says was lost by the device.
AUDIO_GAP_FILL_SECONDS = 0.06
FSYNC_EVERY_SECONDS = 1.0
DISK_CHECK_EVERY_SECONDS = 0.5
# Fragment at least every half second (GOP is 1 s): a crash loses at most ~0.5 s plus the lag.
FRAGMENT_MICROSECONDS = 500_000
MOVFLAGS = "hybrid_fragmented"
# At interpreter exit, how long each take still being written may take to finish.
EXIT_FINISH_SECONDS = 30.0

STOPPED = "stopped"
TIME_LIMIT = "time_limit"
DISK_FULL = "disk_full"
DEVICE_LOST = "device_lost"
SOURCE_ENDED = "source_ended"
ERROR = "error"

_MESSAGES = {
    DISK_FULL: "The disk is almost full, so the recording stopped; what was recorded is kept.",
    DEVICE_LOST: (
        "The camera or microphone stopped working, so the recording stopped; what was recorded "
        "is kept."
    ),
    SOURCE_ENDED: "The recording source came to its end, so the recording stopped.",
}


def partial_path(out_path: Path) -> Path:
    return out_path.with_name(out_path.name + PARTIAL_SUFFIX)


def _fit(image: Image, width: int, height: int) -> Image:
    """Scale to the profile's size, keeping the aspect ratio (black bars when it differs)."""
    import cv2

    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    scale = min(width / w, height / h)
    new_w, new_h = max(2, round(w * scale)), max(2, round(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cast(Image, cv2.resize(image, (new_w, new_h), interpolation=interpolation))
    if (new_w, new_h) == (width, height):
        return scaled
    out = np.zeros((height, width, 3), np.uint8)
    top, left = (height - new_h) // 2, (width - new_w) // 2
    out[top : top + new_h, left : left + new_w] = scaled
    return out


def fit_size(w: int, h: int, width: int, height: int) -> tuple[int, int]:
    """The even size a ``w`` x ``h`` picture takes inside ``width`` x ``height`` keeping its
    aspect ratio (I420 needs even sizes)."""
    scale = min(width / w, height / h)
    return (
        min(width, max(2, round(w * scale / 2) * 2)),
        min(height, max(2, round(h * scale / 2) * 2)),
    )


def _plane(frame: Any, index: int) -> Image:
    """A writable view of one plane of a PyAV frame (rows may be padded: cut to the width)."""
    plane = frame.planes[index]
    rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


def _letterbox(frame: Any, width: int, height: int) -> Any:
    """``frame`` (I420) centred in a black I420 picture of ``width`` x ``height``."""
    import av

    out = av.VideoFrame(width, height, "yuv420p")
    top, left = (height - frame.height) // 4 * 2, (width - frame.width) // 4 * 2
    for index, black in enumerate((16, 128, 128)):  # limited-range black
        target, source = _plane(out, index), _plane(frame, index)
        target[:] = black
        shift = 0 if index == 0 else 1
        y, x = top >> shift, left >> shift
        target[y : y + source.shape[0], x : x + source.shape[1]] = source
    return out


class _Encoder:
    """The PyAV container and its encoders for one take. Used only by the take's writer
    thread (and by benchmarks, from one thread)."""

    def __init__(
        self,
        path: Path,
        profile: Profile,
        with_video: bool,
        with_audio: bool,
        movflags: str = MOVFLAGS,
        colour: VideoColour = CAMERA_COLOUR,
    ) -> None:
        import av

        self.profile = profile
        options = {
            "movflags": movflags,
            "frag_duration": str(FRAGMENT_MICROSECONDS),
            "flush_packets": "1",
            # An edit list hides the AAC encoder's priming samples; without it the muxer
            # stretches the first picture over them.
            "use_editlist": "1",
        }
        try:
            self._file = _OutputFile(path)
        except OSError as error:
            raise OneTakeError(f"The take cannot be written to {path.parent} ({error}).") from None
        try:
            self.container: Any = av.open(self._file, mode="w", format="mp4", options=options)
        except (OSError, av.FFmpegError) as error:
            self._file.close()
            raise OneTakeError(f"The take cannot be written to {path.parent} ({error}).") from None
        self.video: Any = None
        self.audio: Any = None
        self.video_time_base = Fraction(1, profile.fps)
        if with_video:
            stream: Any = self.container.add_stream(
                profile.video_codec, rate=profile.fps, options=profile.video_options()
            )
            stream.width, stream.height, stream.pix_fmt = profile.width, profile.height, "yuv420p"
            ctx = stream.codec_context
            ctx.time_base = self.video_time_base
            ctx.gop_size = profile.gop
            rate = profile.rate_options()  # the ffmpeg command line's names and values
            # An average bitrate, or (constrained quality) none: CRF and the maxrate cap.
            ctx.bit_rate = int(rate.pop("b", "0"))
            del rate["g"]  # gop_size above
            ctx.options = {**profile.video_options(), **rate}
            # Written into the stream: players otherwise guess (BT.709 for 720p) and shift
            # the colours of these BT.601 pictures. Every picture is limited range (MPEG).
            ctx.color_range = 1
            ctx.color_primaries, ctx.color_trc = colour.primaries, colour.transfer
            ctx.colorspace = colour.matrix
            self.video = stream
        if with_audio:
            stream = self.container.add_stream(
                profile.audio_codec, rate=profile.sample_rate, layout="mono"
            )
            stream.codec_context.bit_rate = profile.audio_bitrate
            self.audio = stream
        try:
            # Opens the encoders and writes the header now: the file exists from the start
            # (so it can be fsynced) and a folder that cannot be written fails here.
            self.container.start_encoding()
        except (OSError, av.FFmpegError) as error:
            self._release()
            raise OneTakeError(f"The take cannot be written to {path.parent} ({error}).") from None
        self._audio_buffer: list[Samples] = []
        self._audio_buffered = 0
        self.audio_pts = 0
        self._sent = 0  # frames given to the encoders (each comes out as a packet at the end)
        self._muxed = 0  # packets handed to the muxer
        # Pixel conversions made for the encoder, by kind: pictures converted (take stats).
        self.conversions: dict[str, int] = {}
        self._raw = RawConverter()  # a camera's YUYV/MJPEG, converted on this thread

    def _count(self, kind: str) -> None:
        self.conversions[kind] = self.conversions.get(kind, 0) + 1

    def encode_video(self, image: Frame, pts: int) -> bool:
        """Encode one picture: an I420 picture of the profile's size goes to libx264 as it is;
        anything else is converted here, and every conversion is counted (take stats).
        False when the picture could not be used (a camera's torn JPEG): nothing encoded."""
        import av
        import cv2

        profile = self.profile
        target = (profile.width, profile.height)
        if isinstance(image, RawCameraImage):
            # converted and scaled in one swscale pass; black bars, if any, added below
            fitted = fit_size(image.width, image.height, *target)
            converted, kinds = self._raw.to_encoder(image, fitted)
            for kind in kinds:
                self._count(kind)
            if converted is None:
                return False
            image = converted
        elif isinstance(image, Yuv420Image):
            for kind in image.conversions:
                self._count(kind)
        frame: Any
        if isinstance(image, Yuv420Image):
            frame = image.frame  # the decoder's own picture: no conversion, no copy
            if (image.width, image.height) != target:
                frame = self._fit_yuv420(frame)
            # The decoder's picture type (I/P/B) would force x264's: it chooses its own.
            frame.pict_type = av.video.frame.PictureType.NONE
        else:
            h, w = image.shape[:2]
            if (w, h) != target:
                self._count("scale (OpenCV)")
            self._count("bgr->yuv420p (OpenCV)")
            yuv = cast(
                Image,
                cv2.cvtColor(_fit(image, profile.width, profile.height), cv2.COLOR_BGR2YUV_I420),
            )
            frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = pts
        frame.time_base = self.video_time_base
        self._mux(self.video.encode(frame))
        self._sent += 1
        return True

    def _mux(self, packets: Any) -> None:
        for packet in packets:
            self.container.mux(packet)
            self._muxed += 1

    def _fit_yuv420(self, frame: Any) -> Any:
        """An I420 picture of another size at the profile's: scaled by swscale keeping the
        aspect ratio, then black bars (a copy into a new picture) where the ratio differs."""
        width, height = self.profile.width, self.profile.height
        fitted = fit_size(frame.width, frame.height, width, height)
        if fitted != (frame.width, frame.height):
            self._count("yuv420p scale (swscale)")
            frame = reformat(frame, "yuv420p", *fitted)
        if fitted == (width, height):
            return frame
        self._count("letterbox (copy)")
        return _letterbox(frame, width, height)

    def encode_audio(self, samples: Samples) -> None:
        self._audio_buffer.append(samples)
        self._audio_buffered += len(samples)
        size = self.audio.codec_context.frame_size or 1024
        if self._audio_buffered < size:
            return
        data = np.concatenate(self._audio_buffer)
        whole = len(data) // size * size
        for start in range(0, whole, size):
            self._encode_audio_frame(data[start : start + size])
        rest = data[whole:]
        self._audio_buffer, self._audio_buffered = [rest], len(rest)

    def _encode_audio_frame(self, samples: Samples) -> None:
        import av

        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = self.profile.sample_rate
        frame.pts = self.audio_pts
        frame.time_base = Fraction(1, self.profile.sample_rate)
        self.audio_pts += len(samples)
        self._mux(self.audio.encode(frame))
        self._sent += 1

    def _send_blank(self) -> None:
        """One frame of silence, or one black picture when the take has no sound.

        FFmpeg's MP4 muxer (libavformat 62, fragmented by ``frag_duration``) crashes the whole
        process (SIGSEGV in ``av_write_trailer``) when it closes a file that holds no packet.
        A take stopped before its first picture and sound (a quick Stop on a busy machine)
        is such a file, so it gets this one blank frame; the take's stats do not count it."""
        import av

        if self.audio is not None:
            size = self.audio.codec_context.frame_size or 1024
            self._encode_audio_frame(np.zeros(size, np.float32))
            return
        width, height = self.profile.width, self.profile.height
        black = np.full((height * 3 // 2, width), 128, np.uint8)
        black[:height] = 16  # limited-range black: Y 16, chroma 128
        frame = av.VideoFrame.from_ndarray(black, format="yuv420p")
        frame.pts, frame.time_base = 0, self.video_time_base
        self._mux(self.video.encode(frame))
        self._sent += 1

    def _flush(self) -> None:
        if self.audio is not None and self._audio_buffered:
            self._encode_audio_frame(np.concatenate(self._audio_buffer))
            self._audio_buffer, self._audio_buffered = [], 0
        if not self._sent:
            self._send_blank()
        if self.audio is not None:
            self._mux(self.audio.encode(None))
        if self.video is not None:
            self._mux(self.video.encode(None))

    def finish(self) -> None:
        """Flush both encoders and close the container (the trailer makes it a plain MP4)."""
        self._flush()
        self.container.close()
        self._file.close()  # left open on an error: abandon() closes it

    def abandon(self) -> None:
        """Close after an error without writing more (the disk may be full) -- unless nothing
        reached the muxer yet: then the encoders are flushed first, as far as they still can
        be, because the trailer of a file with no packet crashes FFmpeg (``_send_blank``).
        If that flush fails too, the container is released without its trailer: the header
        alone stays on disk, for :func:`recover_partial` to remove."""
        if not self._muxed:
            with contextlib.suppress(Exception):
                self._flush()
        if self._muxed:
            with contextlib.suppress(Exception):
                self.container.close()
        self._release()

    def _release(self) -> None:
        # PyAV skips the trailer of a container whose Python file is closed (and never
        # writes it twice), so closing the file first makes the container's close safe.
        self._file.close()
        with contextlib.suppress(Exception):
            self.container.close()


class _OutputFile:
    """The take's file, written by FFmpeg through PyAV's Python I/O rather than FFmpeg's own
    file protocol, only so that a take can be let go without FFmpeg's trailer
    (:meth:`_Encoder.abandon`). Each write reaches the OS at once (``flush_packets``) and
    whole: a short write, near a full disk, is continued until it raises."""

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        # Binary (Windows would otherwise translate newlines), and the candidate's own: a
        # take is as private as the bundle sealed from it.
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        self._fd = os.open(path, flags, 0o600)
        self.closed = False

    def _open_fd(self) -> int:
        # Once closed, the number may already belong to another file (the fsync's, another
        # take's): never touch it again (review s13a M2).
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return self._fd

    def write(self, data: bytes) -> int:
        fd = self._open_fd()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return os.lseek(self._open_fd(), offset, whence)

    def tell(self) -> int:
        return os.lseek(self._open_fd(), 0, os.SEEK_CUR)

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._fd)


class Take:
    """One answer being recorded.

    Threading: the session's capture callbacks (source threads) call ``_push_video`` and
    ``_push_audio``, which only append to queues. The take's own writer thread
    (``onetake-take-writer``) encodes, muxes, fsyncs, watches disk space and silent sources,
    renames the file, and finally calls ``on_finished(result)`` and resolves :attr:`finished`,
    both on that writer thread.

    Stopping: :meth:`request_stop` returns at once (a GUI thread must not wait while the
    writer drains its queues, flushes the encoder and fsyncs); the :attr:`finished` future
    then carries the :class:`TakeResult`. :meth:`stop` is the blocking form (CLI, tests).
    ``request_stop()``, ``stop()``, ``elapsed`` and ``running`` may be called from any thread;
    ``stop()`` called from ``on_finished`` itself returns the result without waiting.
    """

    def __init__(
        self,
        out_path: Path,
        profile: Profile,
        encoder: _Encoder,
        clock: Ticks,
        max_seconds: float | None,
        on_finished: Callable[[TakeResult], None] | None,
        on_done: Callable[[Take], None],
        capture_path: str = "",
    ) -> None:
        self.out_path = out_path
        self.capture_path = capture_path
        self.partial_path = partial_path(out_path)
        self.profile = profile
        self._encoder = encoder
        self._clock = clock
        self._max_seconds = max_seconds
        self._on_finished = on_finished
        self._on_done = on_done
        self._has_video = encoder.video is not None
        self._has_audio = encoder.audio is not None
        self._video: deque[tuple[Frame, float]] = deque()
        self._audio: deque[tuple[Samples, float]] = deque()
        self._video_max = max(4, profile.fps // 2)
        self._queue_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop_lock = threading.Lock()
        self._stop_at: float | None = None
        self._stop_reason = STOPPED
        self._stop_message: str | None = None
        self._result: TakeResult | None = None
        self._captured = 0
        self._dropped = 0
        # Preview pictures made while this take runs (UI thread), by kind, under _queue_lock.
        self._preview_conversions: dict[str, int] = {}
        self._last_video_t: float | None = None
        self._last_audio_t: float | None = None
        self._t0 = clock()
        self._finished_at: float | None = None
        self._finished = threading.Event()
        # Resolved on the writer thread with the result (or the error that broke the writer).
        self._future: Future[TakeResult] = Future()
        self._future.set_running_or_notify_cancel()  # a take cannot be cancelled, only stopped
        self._thread = threading.Thread(target=self._run, name="onetake-take-writer", daemon=True)

    # -- any thread ---------------------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        """Seconds recorded: up to now while recording, up to the stop once one was asked."""
        end = self._finished_at if self._finished_at is not None else self._stop_at
        return max(0.0, (self._clock() if end is None else end) - self._t0)

    @property
    def started_at(self) -> float:
        """The take's first instant on the session clock (t0 of every timestamp)."""
        return self._t0

    @property
    def running(self) -> bool:
        return self._result is None

    @property
    def result(self) -> TakeResult | None:
        return self._result

    @property
    def finished(self) -> Future[TakeResult]:
        """Resolved with the take's result once its file is complete, renamed and fsynced
        (or recovered after a write error), whoever ended it. Callbacks added with
        ``add_done_callback`` run on the writer thread: hand the result to your own thread."""
        return self._future

    def request_stop(self) -> Future[TakeResult]:
        """End the take now without waiting: what was captured until this instant is kept.
        Returns :attr:`finished` at once; the writer finishes the file in the background."""
        self._request_stop(STOPPED, None)
        return self._future

    def stop(self) -> TakeResult:
        """Finish the take: keep what was captured until now, flush, rename, return."""
        self.request_stop()
        if self._thread is threading.current_thread():  # from on_finished
            return self._result if self._result is not None else self._provisional_result()
        self.wait()
        return self._future.result()

    def wait(self, timeout: float | None = None) -> TakeResult | None:
        """Block until the take ends (by itself: time limit, lost device, full disk).

        Waits on an event, not on ``Thread.join``: a Ctrl+C that interrupts ``join`` in
        Python 3.11 can leave the thread looking finished while it still writes.
        """
        if self._finished.wait(timeout):
            self._thread.join()
        return self._result

    def _request_stop(self, reason: str, message: str | None, at: float | None = None) -> None:
        with self._stop_lock:
            if self._stop_at is not None:
                return
            self._stop_reason, self._stop_message = reason, message
            self._stop_at = self._clock() if at is None else at
        self._wake.set()

    # -- capture threads ----------------------------------------------------------------------
    def _push_video(self, image: Frame, t: float) -> None:
        if t < self._t0 or not self._has_video:
            return
        with self._queue_lock:
            if len(self._video) >= self._video_max:
                self._video.popleft()
                self._dropped += 1
            self._video.append((image, t))
            self._captured += 1
            self._last_video_t = t
        self._wake.set()

    def _push_audio(self, samples: Samples, t: float) -> None:
        if not self._has_audio:
            return
        self._audio.append((samples, t))
        self._last_audio_t = t
        self._wake.set()

    def _source_lost(self, reason: str, message: str) -> None:
        self._request_stop(reason, message)

    def _count_preview(self, kind: str) -> None:
        """A preview picture was made while the take runs: its conversion is the take's too."""
        if self._result is not None:
            return
        with self._queue_lock:
            self._preview_conversions[kind] = self._preview_conversions.get(kind, 0) + 1

    # -- writer thread ------------------------------------------------------------------------
    def _start(self) -> None:
        self._cpu0 = time.process_time()
        _watch_at_exit(self)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._write()
        except BaseException as error:  # never leave a waiter waiting
            if not self._future.done():
                self._future.set_exception(error)
            self._finished.set()
            raise
        finally:
            with _exit_hook:
                _LIVE_TAKES.discard(self)

    def _write(self) -> None:
        self._fd: int | None = None
        with contextlib.suppress(OSError):
            # fsync through a second descriptor: it flushes the same file (FFmpeg owns its own)
            self._fd = os.open(self.partial_path, os.O_RDONLY)
        self._origin: float | None = None
        self._audio_start_t: float | None = None
        self._audio_written = 0
        self._audio_filled = 0
        self._audio_limit: int | None = None
        # (first, latest) file time minus capture time, for the A/V offsets in the stats
        self._video_error: list[float] = []
        self._audio_error: list[float] = []
        self._first_pts: int | None = None
        self._last_pts = -1
        self._encoded = 0
        self._merged = 0
        self._after_end = 0
        next_fsync = self._t0 + FSYNC_EVERY_SECONDS
        next_disk_check = self._t0
        failed: BaseException | None = None
        try:
            while True:
                self._wake.wait(0.05)
                self._wake.clear()
                now = self._clock()
                self._watch(now)
                if now >= next_disk_check:
                    next_disk_check = now + DISK_CHECK_EVERY_SECONDS
                    self._check_disk()
                self._drain()
                if now >= next_fsync and self._fd is not None:
                    next_fsync = now + FSYNC_EVERY_SECONDS
                    os.fdatasync(self._fd)
                if self._stop_at is not None and self._drained(now):
                    break
            self._encoder.finish()
        except Exception as error:
            failed = error
            self._encoder.abandon()
        self._finish(failed)

    def _watch(self, now: float) -> None:
        limit = self._limit_at()
        if limit is not None and now >= limit:
            self._request_stop(TIME_LIMIT, None, at=limit)
        if self._stop_at is not None:
            return
        for has, last, what in (
            (self._has_video, self._last_video_t, "camera"),
            (self._has_audio, self._last_audio_t, "microphone"),
        ):
            since = self._t0 if last is None else max(last, self._t0)
            if has and now - since > SOURCE_SILENCE_SECONDS:
                self._request_stop(
                    DEVICE_LOST,
                    f"The {what} stopped sending, so the recording stopped; what was recorded "
                    "is kept.",
                )

    def _check_disk(self) -> None:
        try:
            free = shutil.disk_usage(self.partial_path.parent).free
        except OSError:
            return
        if free < running_reserve_bytes(self.profile):
            self._request_stop(DISK_FULL, _MESSAGES[DISK_FULL])

    def _cut_at(self) -> float | None:
        """Nothing captured at or after this instant belongs to the take."""
        if self._stop_at is not None:
            return self._stop_at
        return self._limit_at()

    def _limit_at(self) -> float | None:
        """The end of the answer time, counted from the first picture (or from the start)."""
        if self._max_seconds is None:
            return None
        origin = self._origin if self._origin is not None else self._t0
        return origin + self._max_seconds

    def _drain(self) -> None:
        stop_at = self._cut_at()
        if self._origin is None:
            # The first picture sets the origin of both timelines: pictures then sit exactly
            # on the frame grid and the sound starts with them (no half-frame offset).
            first = None
            if self._has_video:
                with self._queue_lock:
                    first = self._video[0][1] if self._video else None
                if first is None and self._stop_at is None:
                    return
            self._origin = first if first is not None else self._t0
        while self._audio:
            samples, t = self._audio.popleft()
            self._write_audio(samples, t, stop_at)
        while True:
            with self._queue_lock:
                if not self._video:
                    break
                image, t = self._video.popleft()
            if stop_at is not None and t >= stop_at:
                self._after_end += 1  # captured after the take ended: not part of it
                continue
            pts = round((t - self._origin) * self.profile.fps)
            if pts <= self._last_pts:
                self._merged += 1
                continue
            if not self._encoder.encode_video(image, pts):
                self._dropped += 1  # a picture the camera garbled (a torn JPEG)
                continue
            _track(self._video_error, pts / self.profile.fps - (t - self._origin))
            if self._first_pts is None:
                self._first_pts = pts
            self._last_pts = pts
            self._encoded += 1

    def _write_audio(self, samples: Samples, t: float, stop_at: float | None) -> None:
        rate = self.profile.sample_rate
        origin = self._origin
        assert origin is not None
        last_t = t + (len(samples) - 1) / rate  # what we trim or fill at the front keeps it
        if stop_at is not None and self._audio_start_t is not None:
            limit = max(0, round((stop_at - self._audio_start_t) * rate))
            self._audio_limit = limit  # the take's sound is complete: no tail to wait for
            if self._audio_written >= limit:
                # The take already holds all its sound: a chunk that comes later is not part of
                # it. (Filling the "gap" up to a late chunk with silence only to cut it off
                # again grew with every chunk; on a busy machine the writer then fell behind
                # the microphone for good and never finished.) A chunk stamped after the end
                # while the take still lacks samples is written up to the limit: audio is
                # counted by samples, and jitter in the stamps must not lose any.
                return
        if self._audio_start_t is None:
            end = t + len(samples) / rate
            if end <= origin:
                return
            skip = max(0, round((origin - t) * rate))
            samples = samples[skip:]
            self._audio_start_t = t + skip / rate
        else:
            # A device that lost samples (an overrun) would put all later sound early:
            # fill the hole with silence. Clock jitter stays far below the threshold.
            gap = round((t - self._audio_start_t) * rate) - self._audio_written
            if stop_at is not None:  # never fill past the end of the take
                gap = min(
                    gap, max(0, round((stop_at - self._audio_start_t) * rate)) - self._audio_written
                )
            if gap > AUDIO_GAP_FILL_SECONDS * rate:
                samples = np.concatenate([np.zeros(gap, np.float32), samples])
                self._audio_filled += gap
        if stop_at is not None:
            limit = max(0, round((stop_at - self._audio_start_t) * rate))
            self._audio_limit = limit
            whole = len(samples)
            samples = samples[: max(0, limit - self._audio_written)]
            last_t -= (whole - len(samples)) / rate
        if len(samples):
            # the chunk's last sample: its place in the file against its capture time
            filed = (self._audio_written + len(samples) - 1) / rate
            _track(self._audio_error, filed - (last_t - origin))
            self._encoder.encode_audio(samples)
            self._audio_written += len(samples)

    def _drained(self, now: float) -> bool:
        stop_at = self._stop_at
        assert stop_at is not None
        if self._has_audio and self._stop_reason != DEVICE_LOST:
            covered = self._audio_limit is not None and self._audio_written >= self._audio_limit
            if not covered and now < stop_at + AUDIO_TAIL_WAIT_SECONDS:
                return False
        # video frames before stop_at arrive within a frame of it (cameras deliver promptly)
        return not self._has_video or now >= stop_at + 1.5 / self.profile.fps

    def _finish(self, failed: BaseException | None) -> None:
        reason, message = self._stop_reason, self._stop_message
        if failed is not None:
            full = _is_disk_full(failed, self.partial_path.parent)
            reason = DISK_FULL if full else ERROR
            message = (
                _MESSAGES[DISK_FULL]
                if full
                else f"The recording failed ({failed}); what was written before is kept."
            )
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)
        if failed is not None:
            # The container could not be closed: keep the whole fragments it wrote, as the
            # start-up recovery would after a crash.
            try:
                path = recover_partial(self.partial_path).path or self.out_path
            except Exception:
                path = self.partial_path  # left for recover_partials at the next start
        else:
            try:
                os.replace(self.partial_path, self.out_path)
                fsync_directory(self.out_path.parent)
                path = self.out_path
            except OSError:
                path = self.partial_path  # recover_partials deals with it at the next start
        self._finished_at = self._clock() if self._stop_at is None else self._stop_at
        self._result = result = self._make_result(path, reason, message)
        self._on_done(self)
        try:
            if self._on_finished is not None:
                self._on_finished(result)
        except Exception as error:  # a caller's bug must not hide the take
            print(f"onetake: on_finished failed: {error!r}", file=sys.stderr)
        finally:
            self._future.set_result(result)
            self._finished.set()

    def _make_result(self, path: Path, reason: str, message: str | None) -> TakeResult:
        fps, rate = self.profile.fps, self.profile.sample_rate
        video_start = (self._first_pts or 0) / fps
        video_end = (self._last_pts + 1) / fps if self._encoded else 0.0
        audio_end = self._audio_written / rate
        both = self._has_video and self._has_audio and self._encoded and self._audio_written
        stats = TakeStats(
            frames_captured=self._captured - self._after_end,
            frames_encoded=self._encoded,
            frames_dropped=self._dropped,
            frames_merged=self._merged,
            audio_samples=self._audio_written,
            audio_gap_fill_samples=self._audio_filled,
            video_seconds=video_end - video_start if self._encoded else 0.0,
            audio_seconds=audio_end,
            av_start_offset_ms=(self._video_error[0] - self._audio_error[0]) * 1000
            if both
            else 0.0,
            av_offset_ms=(self._video_error[1] - self._audio_error[1]) * 1000 if both else 0.0,
            cpu_seconds=time.process_time() - self._cpu0,
            wall_seconds=self._clock() - self._t0,
            conversions=self._conversions(),
            capture_path=self.capture_path,
        )
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        return TakeResult(
            path=path,
            duration_seconds=max(video_end, audio_end),
            size_bytes=size,
            container="mp4",
            video_codec="h264" if self._has_video else None,
            audio_codec=self.profile.audio_codec if self._has_audio else None,
            stop_reason=reason,
            message=message if reason not in (STOPPED, TIME_LIMIT) else None,
            stats=stats,
            profile=self.profile.name,
        )

    def _conversions(self) -> dict[str, int]:
        conversions = dict(self._encoder.conversions)
        with self._queue_lock:
            for kind, count in self._preview_conversions.items():
                conversions[kind] = conversions.get(kind, 0) + count
        return conversions

    def _provisional_result(self) -> TakeResult:
        return self._make_result(self.partial_path, self._stop_reason, self._stop_message)


# Takes whose writer thread is running. Writer threads are daemons (a stuck device must not
# keep the app from quitting); at exit each take still being written is stopped and finished,
# so quitting while a take finishes leaves a complete file, not one for recovery.
_LIVE_TAKES: weakref.WeakSet[Take] = weakref.WeakSet()
_exit_hook = threading.Lock()
_exit_hook_registered = False


def _watch_at_exit(take: Take) -> None:
    global _exit_hook_registered
    with _exit_hook:
        _LIVE_TAKES.add(take)
        if not _exit_hook_registered:
            # Registered once PyAV is loaded: exit hooks run last-in first-out, so this one
            # runs before anything PyAV might tear down at exit.
            atexit.register(_finish_live_takes)
            _exit_hook_registered = True


def _finish_live_takes() -> None:
    with _exit_hook:
        takes = list(_LIVE_TAKES)
    for take in takes:
        take.request_stop()
    deadline = time.monotonic() + EXIT_FINISH_SECONDS
    for take in takes:
        take._finished.wait(max(0.0, deadline - time.monotonic()))


def _track(errors: list[float], error: float) -> None:
    if errors:
        errors[1] = error
    else:
        errors.extend((error, error))


def _is_disk_full(error: BaseException, folder: Path) -> bool:
    if getattr(error, "errno", None) == errno.ENOSPC:
        return True
    try:
        return shutil.disk_usage(folder).free < 64 * 1024
    except OSError:
        return False


class CaptureSession:
    """Owns open sources for the whole interview (device check, practice, every take), so the
    camera is not re-opened per take.

    Threading: ``start``, ``start_take`` and ``close`` are called by the owner (a service, on
    the GUI thread or a CLI's main thread). Source threads call ``_on_frame``/``_on_audio``,
    which copy a reference, timestamp nothing themselves (the source did) and hand the item to
    the running take's queue. ``latest_frame`` and ``audio_level`` are for a ~30 Hz UI timer on
    any thread; they scale and measure on the caller's thread, never on a capture thread.
    """

    def __init__(
        self,
        video_spec: str | VideoSource | None,
        audio_spec: str | AudioSource | None,
        clock: Clock | None = None,
    ) -> None:
        if video_spec is None and audio_spec is None:
            raise OneTakeError("A recording needs a camera, a microphone, or both.")
        self._video_spec, self._audio_spec = video_spec, audio_spec
        # The candidate session's clock: takes and the session's timers agree on "now".
        self.clock: Ticks = (clock or SystemClock()).monotonic
        self.video: VideoSource | None = None
        self.audio: AudioSource | None = None
        self._lock = threading.Lock()
        self._take: Take | None = None
        self._latest: Frame | None = None
        self._latest_seq = 0
        self._preview: tuple[int, Image] | None = None
        self._preview_lock = threading.Lock()
        self._preview_counts: dict[str, int] = {}
        self._recent_audio: deque[tuple[Samples, float]] = deque(maxlen=16)
        self._lost: dict[str, tuple[str, str]] = {}
        self._started = False

    # -- owner --------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the sources and start capturing; DeviceError if a device cannot open."""
        if self._started:
            return
        try:
            self._open_video()
            self._open_audio()
        except BaseException:
            self._stop_sources()
            raise
        self._started = True

    def _open_video(self) -> None:
        spec = self._video_spec
        if spec is None:
            return
        source = open_video_source(spec, self.clock) if isinstance(spec, str) else spec
        self.video = source
        self._lost.pop("video", None)
        source.start(self._on_frame, lambda r, m: self._on_lost("video", r, m))

    def _open_audio(self) -> None:
        spec = self._audio_spec
        if spec is None:
            return
        source = open_audio_source(spec, self.clock) if isinstance(spec, str) else spec
        self.audio = source
        self._lost.pop("audio", None)
        source.start(self._on_audio, lambda r, m: self._on_lost("audio", r, m))

    def wait_ready(self, timeout: float = 5.0) -> None:
        """Block until every open source has delivered something (a cold microphone or camera
        takes up to a second); DeviceError if one stays silent or fails."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                waiting = []
                if self.video is not None and self._latest is None:
                    waiting.append("camera")
                if self.audio is not None and not self._recent_audio:
                    waiting.append("microphone")
                lost = dict(self._lost)
            for _, message in lost.values():
                raise DeviceError(message)
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise DeviceError(
                    f"The {waiting[0]} sends nothing; check that it is connected and not muted "
                    "or used by another app."
                )
            time.sleep(0.02)

    @property
    def lost(self) -> dict[str, tuple[str, str]]:
        """Sources that ended or failed: ``{"video"|"audio": (reason, sentence)}``."""
        return dict(self._lost)

    def start_take(
        self,
        out_path: Path,
        profile: Profile,
        max_seconds: float | None = None,
        on_finished: Callable[[TakeResult], None] | None = None,
        handover: contextlib.AbstractContextManager[object] | None = None,
    ) -> Take:
        """Start recording one answer into ``out_path`` (written as ``out_path.partial``).

        ``handover`` is entered once the take's file is open and left once its writer runs:
        in between the take is the session's but no thread would finish it, so ``close()``
        would wait for ever after an exception there. The CLI holds back a second Ctrl+C in
        it (review s13a L6); opening the file, which can hang, stays interruptible."""
        if not self._started:
            self.start()
        with self._lock:
            if self._take is not None and self._take.running:
                raise OneTakeError("A take is already being recorded; stop it first.")
        self._reopen_lost()
        with_video = not profile.audio_only and self.video is not None
        with_audio = self.audio is not None
        if not profile.audio_only and self.video is None:
            raise DeviceError("This take needs a camera, but no camera is open.")
        if not with_audio and not with_video:
            raise DeviceError("This audio-only take needs a microphone, but none is open.")
        if self.audio is not None and self.audio.sample_rate != profile.sample_rate:
            raise OneTakeError(
                f"The profile {profile.name} records at {profile.sample_rate} Hz but the "
                f"microphone delivers {self.audio.sample_rate} Hz."
            )
        out_path.parent.mkdir(parents=True, exist_ok=True)
        check_disk_space(out_path.parent, max_seconds or 0.0, profile)
        colour = self.video.colour if with_video and self.video is not None else CAMERA_COLOUR
        partial = partial_path(out_path)
        encoder = _Encoder(partial, profile, with_video, with_audio, colour=colour)
        capture_path = self.video.capture_path if with_video and self.video is not None else ""
        take: Take | None = None
        try:
            with handover if handover is not None else contextlib.nullcontext():
                take = Take(
                    out_path,
                    profile,
                    encoder,
                    self.clock,
                    max_seconds,
                    on_finished,
                    self._done,
                    capture_path=capture_path,
                )
                with self._lock:
                    self._take = take
                    # Sound from just before t0 may hold its first samples (blocks arrive late).
                    for samples, t in self._recent_audio:
                        take._push_audio(samples, t)
                take._start()
        except BaseException:
            if take is None or take._thread.ident is None:  # no writer: nothing was recorded
                with self._lock:
                    if take is not None and self._take is take:
                        self._take = None
                if take is not None:
                    with _exit_hook:  # nothing for the exit hook to finish either
                        _LIVE_TAKES.discard(take)
                encoder._release()  # its file closed first: no trailer on an empty take
                with contextlib.suppress(OSError):
                    os.unlink(partial)
            raise
        return take

    def _reopen_lost(self) -> None:
        """A source that vanished during the last take gets one fresh try before the next."""
        if "video" in self._lost and isinstance(self._video_spec, str):
            if self.video is not None:
                self.video.stop()
                self.video = None
            self._open_video()
        if "audio" in self._lost and isinstance(self._audio_spec, str):
            if self.audio is not None:
                self.audio.stop()
                self.audio = None
            self._open_audio()

    def close(self) -> None:
        """Stop any take (keeping it) and the sources; joins every thread."""
        with self._lock:
            take = self._take
        try:
            if take is not None:
                take.stop()  # raises what broke the writer, if anything did
        finally:
            self._stop_sources()
            self._started = False

    def _stop_sources(self) -> None:
        if self.video is not None:
            self.video.stop()
            self.video = None
        if self.audio is not None:
            self.audio.stop()
            self.audio = None

    def __enter__(self) -> CaptureSession:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- UI timer (any thread) ----------------------------------------------------------------
    def latest_frame(self) -> Image | None:
        """The newest picture as BGR, at most 640 pixels wide (None before any).

        Made here, on the caller's thread, at the preview's size and only when asked for a
        picture it has not made yet: a camera's YUYV or JPEG and a file's I420 are converted
        for the preview alone, scaled while converting. Each conversion is counted
        (``preview_conversions``, and the running take's stats). The array is shared with
        the capture path: read it, or copy it before drawing on it.
        """
        with self._lock:
            image, seq = self._latest, self._latest_seq
            cached = self._preview
        if image is None:
            return None
        if cached is not None and cached[0] == seq:
            return cached[1]
        with self._preview_lock:  # two timers asking at once convert the picture once
            with self._lock:
                cached = self._preview
            if cached is not None and cached[0] == seq:
                return cached[1]
            made = preview_picture(image, PREVIEW_MAX_WIDTH)
            if made is None:  # a torn JPEG: keep showing the last good picture
                return cached[1] if cached is not None else None
            picture, kind = made
            with self._lock:
                self._preview = (seq, picture)
                take = self._take
                if kind:
                    self._preview_counts[kind] = self._preview_counts.get(kind, 0) + 1
            if kind and take is not None:
                take._count_preview(kind)
        return picture

    @property
    def preview_conversions(self) -> dict[str, int]:
        """Pictures converted for the preview since the session opened, by kind."""
        with self._lock:
            return dict(self._preview_counts)

    def audio_level(self) -> tuple[float, float]:
        """(rms, peak) of the last ~50 ms of sound, each 0..1."""
        with self._lock:
            chunks = [samples for samples, _ in self._recent_audio]
        if not chunks:
            return 0.0, 0.0
        rate = self.audio.sample_rate if self.audio is not None else 48_000
        want = int(rate * LEVEL_WINDOW_SECONDS)
        data = np.concatenate(chunks)[-want:]
        rms = float(np.sqrt(np.mean(np.square(data, dtype=np.float64))))
        peak = float(np.max(np.abs(data)))
        return min(rms, 1.0), min(peak, 1.0)

    # -- capture threads ----------------------------------------------------------------------
    def _on_frame(self, image: Frame, t: float) -> None:
        with self._lock:
            self._latest = image
            self._latest_seq += 1
            take = self._take
        if take is not None:
            take._push_video(image, t)

    def _on_audio(self, samples: Samples, t: float) -> None:
        with self._lock:
            self._recent_audio.append((samples, t))
            take = self._take
        if take is not None:
            take._push_audio(samples, t)

    def _on_lost(self, which: str, reason: str, message: str) -> None:
        with self._lock:
            self._lost[which] = (reason, message)
            take = self._take
        if take is not None:
            take._source_lost(reason, _MESSAGES.get(reason, message))

    # -- writer thread ------------------------------------------------------------------------
    def _done(self, take: Take) -> None:
        with self._lock:
            if self._take is take:
                self._take = None


def measure_encoder_fps(profile: Profile, frames: int = 20) -> float:
    """Pictures per second this machine encodes with ``profile`` (a camera-like test card,
    the take's own encoder and muxer, into a temporary file)."""
    import tempfile

    from onetake_desktop.media.sources import SyntheticVideoSource

    card = SyntheticVideoSource(profile.width, profile.height, profile.fps)
    noise = np.random.default_rng(0).integers(0, 8, (profile.height, profile.width, 3), np.uint8)
    pictures = [card.draw(n) + noise for n in range(4)]
    with tempfile.TemporaryDirectory(prefix="onetake-encoder-") as folder:
        encoder = _Encoder(Path(folder) / "probe.mp4", profile, with_video=True, with_audio=False)
        started = time.perf_counter()
        for n in range(frames):
            encoder.encode_video(pictures[n % len(pictures)], n)
        elapsed = time.perf_counter() - started
        encoder.finish()
    return frames / elapsed if elapsed > 0 else float("inf")


def pick_profile(preferred: Profile, light: Profile, headroom: float = 1.6) -> Profile:
    """``preferred`` when this machine encodes it ``headroom`` times faster than real time
    (capture and the UI need the rest), else ``light``. Run once, at the device check."""
    if preferred.audio_only:
        return preferred
    fps = measure_encoder_fps(preferred)
    return preferred if fps >= headroom * preferred.fps else light


def record(
    video_spec: str | None,
    audio_spec: str | None,
    out_path: Path,
    profile: Profile,
    seconds: float,
    clock: Clock | None = None,
) -> TakeResult:
    """Open the sources, record one take of ``seconds`` and close: the CLI's whole job."""
    session = CaptureSession(None if profile.audio_only else video_spec, audio_spec, clock)
    try:
        session.start()
        session.wait_ready()
        take = session.start_take(out_path, profile, max_seconds=seconds)
        result = take.wait()
        return result if result is not None else take.stop()
    finally:
        session.close()
