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
        vs: av.VideoStream | None = None
        if video is not None:
            picture = out.add_stream(video, rate=fps)
            assert isinstance(picture, av.VideoStream)
            vs = picture
            vs.width, vs.height = size
            vs.pix_fmt = "yuv420p"
            if video == "libx264":
                vs.options = {"preset": "ultrafast"}
        as_: av.AudioStream | None = None
        if audio is not None:
            sound_stream = out.add_stream(audio, rate=48000)
            assert isinstance(sound_stream, av.AudioStream)
            as_ = sound_stream
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
                sound = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
                sound.sample_rate = rate
                sound.pts = t0
                sound.time_base = Fraction(1, rate)
                for packet in as_.encode(sound):
                    out.mux(packet)
                t0 += chunk
            for packet in as_.encode():
                out.mux(packet)
    return path
