"""Small synthetic answer media, encoded for real with PyAV (like the recorder's files)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

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
    """A short clip: a moving bar (video) and a 440 Hz tone (audio); either may be None."""
    if options is None:
        options = {"movflags": "+faststart"} if container == "mp4" else {}
    with av.open(str(path), "w", format=container, options=options) as out:
        vs = None
        if video is not None:
            vs = out.add_stream(video, rate=fps)
            vs.width, vs.height = size
            vs.pix_fmt = "yuv420p"
            if video == "libx264":
                vs.options = {"preset": "ultrafast"}
        as_ = None
        if audio is not None:
            as_ = out.add_stream(audio, rate=48000)
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
                frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
                frame.sample_rate = rate
                frame.pts = t0
                frame.time_base = Fraction(1, rate)
                for packet in as_.encode(frame):
                    out.mux(packet)
                t0 += chunk
            for packet in as_.encode():
                out.mux(packet)
    return path
