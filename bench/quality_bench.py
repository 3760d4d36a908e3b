"""Bytes per minute against picture quality (SSIM) for the recorder's encoder settings.

    .venv/bin/python bench/quality_bench.py [--seconds 10] [--crf 23,26,28] [--maxrate 1500000]

Two kinds of content, each made once as a near-lossless 720p30 H.264 source:

- ``talking head``: what an answer mostly is: a still room (a textured wall, a shelf), a head
  and shoulders that sway a little, eyes that blink, a mouth that moves with speech, and a
  webcam's sensor noise on every frame (synthetic: no real footage ships with the project).
- ``hard``: FFmpeg's moving test pattern (testsrc2) with strong sensor noise: far more motion
  and detail than any answer, the case where a cap has to hold.

Each setting encodes the source with the recorder's own settings (libx264 veryfast/zerolatency,
1 s GOP, keyframes only on the grid: ``Profile.ffmpeg_video_args``) through the ffmpeg command
line, and SSIM (ffmpeg's ssim filter, "All") is measured against the source. "today" is the
average bitrate used until now (1.5 Mbit/s, cap 2 Mbit/s); the others are constrained quality
(CRF with a maxrate cap). Video bytes only (audio is added by ``estimate_bundle_bytes``). The
ratio is bytes per minute against today's on the same content (goal on talking heads: <= 0.65
at an SSIM no lower than today's; on hard content an SSIM no lower than today's).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from onetake_desktop.media.profiles import PROFILES, Profile

WIDTH, HEIGHT, FPS = 1280, 720, 30


def talking_head_source(out: Path, seconds: float) -> None:
    """A synthetic talking head, piped as raw BGR into a near-lossless H.264 file."""
    import cv2

    rng = np.random.default_rng(7)
    wall = cv2.GaussianBlur(rng.integers(90, 170, (HEIGHT, WIDTH, 3), np.uint8), (0, 0), 6)
    wall = cv2.addWeighted(wall, 0.6, np.full_like(wall, (150, 160, 170)), 0.4, 0)
    for i in range(8):  # a shelf of books, behind the right shoulder
        x = 900 + i * 38
        color = tuple(int(c) for c in rng.integers(30, 220, 3))
        cv2.rectangle(wall, (x, 120), (x + 30, 300), color, -1)
    cv2.rectangle(wall, (880, 300), (1220, 315), (40, 60, 90), -1)
    noise = [rng.normal(0, 2.5, (HEIGHT, WIDTH, 3)).astype(np.int16) for _ in range(6)]
    command = [
        "ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
        "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "6", "-pix_fmt", "yuv420p", str(out),
    ]  # fmt: skip
    encoder = subprocess.Popen(command, stdin=subprocess.PIPE)
    assert encoder.stdin is not None
    for n in range(int(seconds * FPS)):
        t = n / FPS
        frame = wall.copy()
        dx, dy = int(10 * np.sin(t * 0.7)), int(5 * np.sin(t * 1.3))
        cx, cy = 560 + dx, 330 + dy
        cv2.ellipse(frame, (cx, 700 + dy), (260, 160), 0, 180, 360, (90, 70, 50), -1)  # shoulders
        cv2.rectangle(frame, (cx - 260, 700 + dy), (cx + 260, HEIGHT), (90, 70, 50), -1)
        cv2.rectangle(frame, (cx - 45, 440 + dy), (cx + 45, 560 + dy), (120, 150, 200), -1)  # neck
        cv2.ellipse(frame, (cx, cy), (115, 150), 0, 0, 360, (125, 160, 215), -1)  # face
        cv2.ellipse(frame, (cx, cy - 120), (120, 70), 0, 180, 360, (30, 40, 60), -1)  # hair
        blink = (n % 120) < 4
        for ex in (cx - 45, cx + 45):
            cv2.ellipse(frame, (ex, cy - 20), (18, 2 if blink else 9), 0, 0, 360, (40, 40, 40), -1)
        speech = abs(np.sin(t * 9.0) * np.sin(t * 2.3))
        cv2.ellipse(frame, (cx, cy + 75), (38, 4 + int(20 * speech)), 0, 0, 360, (50, 50, 120), -1)
        noisy = np.clip(frame.astype(np.int16) + noise[n % len(noise)], 0, 255).astype(np.uint8)
        encoder.stdin.write(noisy.tobytes())
    encoder.stdin.close()
    if encoder.wait() != 0:
        raise SystemExit("ffmpeg failed to make the talking-head source")


def hard_source(out: Path, seconds: float) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
         "-i", f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS},noise=alls=12:allf=t",
         "-t", f"{seconds:g}", "-c:v", "libx264", "-preset", "veryfast", "-crf", "6",
         "-pix_fmt", "yuv420p", str(out)],
        check=True,
    )  # fmt: skip


def encode(source: Path, out: Path, profile: Profile) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-an", "-c:v", "libx264",
         *profile.ffmpeg_video_args(), "-pix_fmt", "yuv420p",
         "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", str(out)],
        check=True,
    )  # fmt: skip


def ssim(encoded: Path, source: Path) -> float:
    done = subprocess.run(
        ["ffmpeg", "-v", "info", "-nostats", "-i", str(encoded), "-i", str(source),
         "-lavfi", "[0:v][1:v]ssim", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = re.findall(r"All:([0-9.]+)", done.stderr)
    if not found:
        raise SystemExit("ffmpeg printed no SSIM")
    return float(found[-1])


def settings(crfs: list[float], maxrate: int) -> dict[str, Profile]:
    today = replace(PROFILES["default"], crf=None, video_bitrate=1_500_000, maxrate=2_000_000)
    found = {"today: 1.5 Mbit/s average, cap 2": today}
    for crf in crfs:
        found[f"crf {crf:g}, cap {maxrate / 1e6:g}"] = replace(
            PROFILES["default"], crf=crf, maxrate=maxrate
        )
    current = PROFILES["default"]
    if current.crf is not None:
        found[f"default profile (crf {current.crf:g}, cap {current.maxrate / 1e6:g})"] = current
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--crf", default="23,26,28")
    parser.add_argument("--maxrate", type=int, default=1_500_000)
    args = parser.parse_args()
    crfs = [float(c) for c in args.crf.split(",")]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{WIDTH}x{HEIGHT}@{FPS}, {args.seconds:g} s per content; load average {load}")
    with tempfile.TemporaryDirectory(prefix="onetake-quality-") as folder:
        work = Path(folder)
        sources = {"talking head": work / "head.mp4", "hard": work / "hard.mp4"}
        talking_head_source(sources["talking head"], args.seconds)
        hard_source(sources["hard"], args.seconds)
        for content, source in sources.items():
            print(f"{content}:")
            baseline = None
            for label, profile in settings(crfs, args.maxrate).items():
                out = work / "out.mp4"
                encode(source, out, profile)
                per_minute = out.stat().st_size / args.seconds * 60
                quality = ssim(out, source)
                if baseline is None:
                    baseline = per_minute
                print(
                    f"  {label:<44} {per_minute / 1e6:6.2f} MB/min  "
                    f"SSIM {quality:.4f}  ratio {per_minute / baseline:.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
