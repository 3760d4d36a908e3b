"""Answers shaped like the recorder's, made once with the ffmpeg command line, for the import
and probe benches (one definition, so both measure the same files)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def recorder_like_answer(path: Path, seconds: float) -> Path:
    """A camera-like answer as the recorder writes it today: 720p30 H.264 at 1.5 Mbit/s with a
    1 s GOP, AAC audio, fragmented MP4 (so as many packets per minute as a real take)."""
    if not path.exists():
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y",
             "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
             "-t", f"{seconds:g}", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
             "-b:v", "1.5M", "-maxrate", "2M", "-bufsize", "2M", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-b:a", "96k",
             "-movflags", "+frag_keyframe+empty_moov+default_base_moof", str(path) + ".tmp.mp4"],
            check=True,
        )  # fmt: skip
        os.replace(str(path) + ".tmp.mp4", path)
    return path
