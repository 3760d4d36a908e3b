"""Recording benchmarks (issue 5): our encoder against the ffmpeg command line, and a long take.

1. ``compare``: the same raw BGR frames (a camera-like test card with sensor noise, written
   once to a file) are encoded to fragmented MP4 by the ffmpeg command line and by our
   pipeline (``cv2.cvtColor`` BGR -> I420, PyAV libx264, our muxer options), with identical
   settings, in interleaved runs. Each side runs as a child process; CPU seconds come from
   ``wait4`` (user + system of the child and its threads). Our child also reports the CPU it
   spent before its first frame (Python and library imports), shown separately.
2. ``long``: a synthetic take through the whole engine (capture threads, queues, writer) with
   the default profile: dropped frames, share of the 2-core machine, A/V offset at the end,
   peak RSS and RSS growth from minute 1 to the end (from second 10 when shorter than 2 min).

    .venv/bin/python bench/record_bench.py compare --runs 3 --seconds 10
    .venv/bin/python bench/record_bench.py long --seconds 600
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from onetake_desktop.media.profiles import PROFILES, Profile

DISTINCT_FRAMES = 60  # written once; both sides loop over them
# Debian 12's ffmpeg 5.1 predates hybrid_fragmented: both sides use plain fragmented MP4 here
# (the muxing cost is the same; hybrid only rewrites the header once at the end).
BENCH_MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"


def make_raw(path: Path, profile: Profile, frames: int) -> None:
    from onetake_desktop.media.sources import SyntheticVideoSource

    card = SyntheticVideoSource(profile.width, profile.height, profile.fps)
    rng = np.random.default_rng(5)
    with path.open("wb") as out:
        for n in range(frames):
            image = card.draw(n).astype(np.int16)
            image += rng.normal(0, 4, image.shape).astype(np.int16)  # sensor noise
            out.write(np.clip(image, 0, 255).astype(np.uint8).tobytes())


def ffmpeg_command(raw: Path, out: Path, profile: Profile, loops: int) -> list[str]:
    from onetake_desktop.media.recorder import FRAGMENT_MICROSECONDS

    return [
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "bgr24",
        "-s",
        f"{profile.width}x{profile.height}",
        "-r",
        str(profile.fps),
        "-stream_loop",
        str(loops - 1),
        "-i",
        str(raw),
        "-c:v",
        "libx264",
        "-preset",
        profile.preset,
        "-tune",
        profile.tune,
        "-g",
        str(profile.gop),
        "-sc_threshold",
        "0",
        "-b:v",
        str(profile.video_bitrate),
        "-maxrate",
        str(profile.maxrate),
        "-bufsize",
        str(profile.bufsize),
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        BENCH_MOVFLAGS,
        "-frag_duration",
        str(FRAGMENT_MICROSECONDS),
        "-flush_packets",
        "1",
        "-use_editlist",
        "1",
        "-f",
        "mp4",
        str(out),
    ]


def encode_child(raw: Path, out: Path, profile_name: str, loops: int) -> None:
    """Our side: read the raw frames and encode them with the recorder's own encoder."""
    import av  # imported before the clock starts: the command line's start-up is tiny too
    import cv2

    from onetake_desktop.media.recorder import _Encoder

    del av, cv2
    profile = PROFILES[profile_name]
    started_cpu = time.process_time()
    encoder = _Encoder(out, profile, with_video=True, with_audio=False, movflags=BENCH_MOVFLAGS)
    size = profile.width * profile.height * 3
    pts = 0
    buffer = bytearray(size)
    for _ in range(loops):
        with raw.open("rb", buffering=0) as source:
            while source.readinto(buffer) == size:
                image = np.frombuffer(buffer, np.uint8).reshape(profile.height, profile.width, 3)
                encoder.encode_video(image, pts)
                pts += 1
    encoder.finish()
    print(json.dumps({"startup_cpu": started_cpu, "frames": pts}))


def run_child(command: list[str]) -> tuple[float, float, str]:
    """(cpu seconds, wall seconds, stdout) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    stdout = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{command[0]} failed with exit code {child.returncode}")
    return usage.ru_utime + usage.ru_stime, wall, stdout


def frame_count(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.demux(video=0) if _.size)


def compare(args: argparse.Namespace) -> None:
    profile = PROFILES[args.profile]
    loops = max(1, round(args.seconds * profile.fps / DISTINCT_FRAMES))
    with tempfile.TemporaryDirectory(prefix="onetake-bench-") as folder:
        raw = Path(folder) / "frames.bgr"
        make_raw(raw, profile, DISTINCT_FRAMES)
        frames = DISTINCT_FRAMES * loops
        print(
            f"{frames} frames {profile.width}x{profile.height} ({frames / profile.fps:.0f} s), "
            f"libx264 {profile.preset}/{profile.tune}, {profile.video_bitrate // 1000} kbit/s, "
            f"GOP {profile.gop}, fragmented MP4; {args.runs} interleaved runs"
        )
        ours_cmd = [
            sys.executable,
            __file__,
            "encode-child",
            str(raw),
            str(Path(folder) / "ours.mp4"),
            profile.name,
            str(loops),
        ]
        theirs_cmd = ffmpeg_command(raw, Path(folder) / "ffmpeg.mp4", profile, loops)
        results: dict[str, list[tuple[float, float]]] = {"ffmpeg": [], "ours": []}
        startup: list[float] = []
        for run in range(args.runs):
            order = ["ffmpeg", "ours"] if run % 2 == 0 else ["ours", "ffmpeg"]
            for side in order:
                cpu, wall, stdout = run_child(ours_cmd if side == "ours" else theirs_cmd)
                if side == "ours":
                    startup.append(json.loads(stdout)["startup_cpu"])
                results[side].append((cpu, wall))
                print(f"  run {run + 1} {side:<6} cpu {cpu:6.2f} s  wall {wall:6.2f} s")
        ours_frames = frame_count(Path(folder) / "ours.mp4")
        their_frames = frame_count(Path(folder) / "ffmpeg.mp4")
        sizes = {side: (Path(folder) / f"{side}.mp4").stat().st_size for side in ("ours", "ffmpeg")}
    f_cpu = statistics.median(c for c, _ in results["ffmpeg"])
    o_cpu = statistics.median(c for c, _ in results["ours"])
    f_wall = statistics.median(w for _, w in results["ffmpeg"])
    o_wall = statistics.median(w for _, w in results["ours"])
    o_start = statistics.median(startup)
    print(f"frames written: ours {ours_frames}, ffmpeg {their_frames}")
    print(f"file sizes: ours {sizes['ours'] / 1e6:.2f} MB, ffmpeg {sizes['ffmpeg'] / 1e6:.2f} MB")
    print(
        f"median CPU: ffmpeg {f_cpu:.2f} s, ours {o_cpu:.2f} s (of which imports {o_start:.2f} s)"
    )
    print(
        f"CPU ratio ours/ffmpeg: {o_cpu / f_cpu:.3f} (excluding our imports: "
        f"{(o_cpu - o_start) / f_cpu:.3f}; goal <= 1.10)"
    )
    print(f"wall ratio ours/ffmpeg: {o_wall / f_wall:.3f}")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def long_take(args: argparse.Namespace) -> None:
    from onetake_desktop.media.recorder import CaptureSession

    profile = PROFILES[args.profile]
    seconds = args.seconds
    marks: dict[int, int] = {}
    stop = threading.Event()

    def sample_rss(started: float) -> None:
        while not stop.wait(1.0):
            marks[int(time.monotonic() - started)] = rss_bytes()

    with tempfile.TemporaryDirectory(prefix="onetake-bench-") as folder:
        with CaptureSession("synthetic", "synthetic") as session:
            session.wait_ready()
            started = time.monotonic()
            sampler = threading.Thread(target=sample_rss, args=(started,), name="bench-rss")
            sampler.start()
            take = session.start_take(Path(folder) / "long.mp4", profile, max_seconds=seconds)
            result = take.wait()
            stop.set()
            sampler.join()
        assert result is not None
    s = result.stats
    base_at = 60 if seconds >= 120 else 10
    base = marks.get(base_at) or min(marks.values())
    end = marks[max(marks)]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"{seconds:.0f} s synthetic take, profile {profile.name} "
        f"({profile.width}x{profile.height}@{profile.fps}): {result.stop_reason}"
    )
    print(
        f"  frames captured {s.frames_captured}, encoded {s.frames_encoded}, "
        f"dropped {s.frames_dropped} (goal 0)"
    )
    print(
        f"  CPU {s.cpu_seconds:.1f} s over {s.wall_seconds:.1f} s = "
        f"{100 * s.cpu_seconds / s.wall_seconds / os.cpu_count():.1f} % of "
        f"{os.cpu_count()} cores, capture included (goal <= 60 %)"
    )
    print(
        f"  A/V offset at the end {s.av_offset_ms:+.1f} ms (goal <= 20 ms), at the start "
        f"{s.av_start_offset_ms:+.1f} ms"
    )
    print(f"  peak RSS {peak / 1e6:.0f} MB (goal <= 250 MB)")
    print(
        f"  RSS growth from second {base_at} to the end: {(end - base) / 1e6:+.1f} MB "
        f"(goal <= 10 MB)"
    )
    step = 60 if seconds >= 120 else 10
    trail = ", ".join(f"{t}s {marks[t] / 1e6:.0f}" for t in sorted(marks) if t % step == 0)
    print(f"  RSS (MB) by time: {trail}")
    print(
        f"  file {result.size_bytes / 1e6:.1f} MB = "
        f"{result.size_bytes * 8 / result.duration_seconds / 1e6:.2f} Mbit/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare", help="our encoder vs the ffmpeg command line")
    c.add_argument("--runs", type=int, default=3)
    c.add_argument("--seconds", type=float, default=10.0)
    c.add_argument("--profile", default="default")
    c.set_defaults(func=compare)
    lt = sub.add_parser("long", help="a long synthetic take through the whole engine")
    lt.add_argument("--seconds", type=float, default=60.0)
    lt.add_argument("--profile", default="default")
    lt.set_defaults(func=long_take)
    e = sub.add_parser("encode-child")
    e.add_argument("raw", type=Path)
    e.add_argument("out", type=Path)
    e.add_argument("profile")
    e.add_argument("loops", type=int)
    e.set_defaults(func=lambda a: encode_child(a.raw, a.out, a.profile, a.loops))
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
