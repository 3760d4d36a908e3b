"""Small synthetic answer media, encoded for real with PyAV (like the recorder's files)."""

from __future__ import annotations

import atexit
import os
import shutil
import struct
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np


def write_answer(
    path: Path,
    *,
    seconds: float = 1.0,
    video: str | None = "libx264",
    audio: str | None = "aac",
    container: str = "mp4",
    size: tuple[int, int] = (320, 240),
    fps: int = 15,
    options: dict[str, str] | None = None,
) -> Path:
    """A short clip: a moving bar (video) and a 440 Hz tone (audio); either may be None.

    The same arguments make the same bytes (test_clip_cache.py), so each clip is encoded once per
    test run and copied after that: the suite asks for the same few clips hundreds of times."""
    if options is None:
        options = {"movflags": "+faststart"} if container == "mp4" else {}
    key = (seconds, video, audio, container, size, fps, tuple(sorted(options.items())))
    made = _made.get(key)
    if made is not None:
        shutil.copyfile(made, path)
        return path
    _encode(path, seconds, video, audio, container, size, fps, options)
    keep = _cache() / f"{len(_made)}-{path.name}"
    shutil.copyfile(path, keep)
    _made[key] = keep
    return path


_made: dict[tuple[object, ...], Path] = {}
_folder: list[Path] = []


_PREFIX = "onetake-test-media-"
STALE_AFTER = 24 * 3600.0  # seconds: no run lasts this long


def _cache() -> Path:
    if not _folder:
        remove_stale(Path(tempfile.gettempdir()))
        _folder.append(Path(tempfile.mkdtemp(prefix=_PREFIX)))
        atexit.register(_remove, _folder[0], os.getpid())
    return _folder[0]


def remove_stale(base: Path, now: float | None = None) -> None:
    """Remove the caches of runs that were killed (SIGKILL, a cancelled CI job: atexit never
    ran) and left their folder in ``base``: those untouched for a day (review s12a N4)."""
    import time

    cutoff = (time.time() if now is None else now) - STALE_AFTER
    for old in base.glob(f"{_PREFIX}*"):
        try:
            stale = old.is_dir() and old.stat().st_mtime < cutoff
        except OSError:  # another run removed it meanwhile
            continue
        if stale:
            shutil.rmtree(old, ignore_errors=True)


def _remove(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # not a forked child ending while the run goes on
        shutil.rmtree(folder, ignore_errors=True)


def _encode(
    path: Path,
    seconds: float,
    video: str | None,
    audio: str | None,
    container: str,
    size: tuple[int, int],
    fps: int,
    options: dict[str, str],
) -> None:
    with av.open(str(path), "w", format=container, options=options) as out:
        vs: av.VideoStream | None = None
        if video is not None:
            vs = cast(av.VideoStream, out.add_stream(video, rate=fps))
            vs.width, vs.height = size
            vs.pix_fmt = "yuv420p"
            if video == "libx264":
                vs.options = {"preset": "ultrafast"}
        as_: av.AudioStream | None = None
        if audio is not None:
            as_ = cast(av.AudioStream, out.add_stream(audio, rate=48000))
            if audio in ("aac", "libopus"):
                as_.layout = "mono"
        if vs is not None:
            w, h = size
            for i in range(round(seconds * fps)):
                image = np.full((h, w, 3), 40, np.uint8)
                x = (i * 8) % w
                image[:, x : x + 16] = (250, 200, 40)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts = i
                frame.time_base = Fraction(1, fps)
                for packet in vs.encode(frame):
                    out.mux(packet)
            for packet in vs.encode():
                out.mux(packet)
        if as_ is not None:
            rate, chunk = 48000, 960
            t0 = 0
            while t0 < seconds * rate:
                t = (np.arange(chunk) + t0) / rate
                samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
                aframe = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
                aframe.sample_rate = rate
                aframe.pts = t0
                aframe.time_base = Fraction(1, rate)
                for packet in as_.encode(aframe):
                    out.mux(packet)
                t0 += chunk
            for packet in as_.encode():
                out.mux(packet)


# --- MP4 boxes, for files whose header lies ----------------------------------------------------

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of the boxes in data[start:end] (32-bit sizes only: small files)."""
    out = []
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        if size < 8 or at + size > end:
            raise ValueError(f"bad box at {at}")
        out.append((kind, at, size))
        at += size
    return out


def _rebuild(data: bytes, start: int, end: int, edit: dict[bytes, bytes]) -> bytes:
    """The boxes of data[start:end] again, container boxes recursed into and each box whose type
    is in ``edit`` (a leaf of the sample table) replaced by the given payload."""
    out = bytearray()
    for kind, at, size in _boxes(data, start, end):
        if kind in _CONTAINERS:
            body = _rebuild(data, at + 8, at + size, edit)
        elif kind in edit:
            body = edit[kind]
        else:
            body = data[at + 8 : at + size]
        out += struct.pack(">I4s", len(body) + 8, kind) + body
    return bytes(out)


def _video_trak_only(data: bytes) -> tuple[int, int]:
    """Offset and size of the moov box (the file must have it after mdat: no faststart)."""
    for kind, at, size in _boxes(data, 0, len(data)):
        if kind == b"moov":
            return at, size
    raise ValueError("no moov box")


def header_bomb(path: Path, *, samples: int = 40_000_000, sample_size: int = 16) -> Path:
    """A real h264 MP4 whose sample table declares ``samples`` video samples of a constant
    ``sample_size`` bytes in one chunk: a few dozen header bytes. Demuxers that trust it build an
    index of ``samples`` entries (FFmpeg: 24+ bytes each, so 40 M samples need about 1 GB)
    before reading a single one; the data those samples name is not in the file."""
    seed = write_answer(path.with_suffix(".seed.mp4"), audio=None, seconds=1.0, options={})
    data = seed.read_bytes()
    seed.unlink()
    moov_at, moov_size = _video_trak_only(data)
    mdat_at = next(at for kind, at, _ in _boxes(data, 0, len(data)) if kind == b"mdat")
    edit = {
        # version/flags, sample_size (constant: no per-sample table), sample_count
        b"stsz": struct.pack(">III", 0, sample_size, samples),
        # one run: `samples` samples of 512 ticks each
        b"stts": struct.pack(">IIII", 0, 1, samples, 512),
        # one chunk holding every sample
        b"stsc": struct.pack(">IIIII", 0, 1, 1, samples, 1),
        b"stco": struct.pack(">III", 0, 1, mdat_at + 8),
        b"stss": struct.pack(">III", 0, 1, 1),  # the first sample is a keyframe
    }
    moov = _rebuild(data, moov_at, moov_at + moov_size, edit)
    path.write_bytes(data[:moov_at] + moov + data[moov_at + moov_size :])
    return path


def _flat_frames(w: int, h: int, n: int, start: int, fps: int) -> list[av.VideoFrame]:
    out = []
    for i in range(n):
        frame = av.VideoFrame.from_ndarray(
            np.full((h, w, 3), (i * 20) % 255, np.uint8), format="rgb24"
        )
        frame.pts, frame.time_base = start + i, Fraction(1, fps)
        out.append(frame)
    return out


def resize_bomb(path: Path, *, big: tuple[int, int] = (4608, 64), fps: int = 15) -> Path:
    """A real h264 MP4 that starts at 320x240 (what its header and first frames say) and
    switches, one second in, to ``big`` pictures through a new SPS carried in the stream: a
    player allocates its pictures at the new size."""
    with av.open(str(path), "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = 320, 240, "yuv420p"
        vs.options = {"preset": "ultrafast"}
        for frame in _flat_frames(320, 240, fps, 0, fps):
            for packet in vs.encode(frame):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        # A second encoder of its own (no global header: its SPS goes in band), muxed into the
        # same track; the muxer rewrites its start codes as length prefixes.
        encoder = av.CodecContext.create("libx264", "w")
        encoder.width, encoder.height, encoder.pix_fmt = big[0], big[1], "yuv420p"
        encoder.time_base = Fraction(1, fps)
        encoder.framerate = Fraction(fps, 1)
        encoder.options = {"preset": "ultrafast", "x264-params": "repeat-headers=1"}
        frames: list[av.VideoFrame | None] = [*_flat_frames(big[0], big[1], fps, fps, fps), None]
        for item in frames:
            for packet in encoder.encode(item):
                packet.stream = vs
                out.mux(packet)
    return path


def trun_bomb(path: Path, *, samples: int) -> Path:
    """A real fragmented h264 MP4 (what the recorder writes while recording) whose first
    fragment's run (trun) declares ``samples`` samples with no per-sample fields (sizes and
    durations from the fragment's defaults): 12 header bytes. FFmpeg builds an index entry for
    each before reading any."""
    seed = write_answer(
        path.with_suffix(".seed.mp4"),
        audio=None,
        seconds=1.0,
        options={"movflags": "frag_keyframe+empty_moov+default_base_moof"},
    )
    data = seed.read_bytes()
    seed.unlink()
    moof_at, moof_size = next((at, n) for k, at, n in _boxes(data, 0, len(data)) if k == b"moof")
    inside = {k: (at, n) for k, at, n in _boxes(data, moof_at + 8, moof_at + moof_size)}
    traf_at, traf_size = inside[b"traf"]
    parts = {k: data[at : at + n] for k, at, n in _boxes(data, traf_at + 8, traf_at + traf_size)}

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I4s", len(body) + 8, kind) + body

    def moof(offset: int) -> bytes:
        run = box(b"trun", struct.pack(">III", 0x000001, samples, offset))  # data offset only
        mfhd_at, mfhd_size = inside[b"mfhd"]
        traf = box(b"traf", parts[b"tfhd"] + parts[b"tfdt"] + run)
        return box(b"moof", data[mfhd_at : mfhd_at + mfhd_size] + traf)

    # The data offset counts from the moof's start to the mdat's payload, right after it.
    fragment = moof(len(moof(0)) + 8)
    path.write_bytes(data[:moof_at] + fragment + data[moof_at + moof_size :])
    return path
