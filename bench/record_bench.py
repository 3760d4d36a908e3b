"""Recording benchmarks (issue 5): our encoder against the ffmpeg command line, and a long take.

1. ``compare``: the same COMPRESSED file (camera-like test card with sensor noise, encoded
   once as high-quality H.264 yuv420p) is decoded and re-encoded to fragmented MP4 by the
   ffmpeg command line and by our pipeline (the file source: PyAV straight to I420; the
   recorder's encoder, libx264 with the profile's settings, our muxer options), in
   interleaved runs. ``--before`` adds the former path (OpenCV to BGR, cvtColor back to I420).
   Each side runs as a child process; CPU seconds come from ``wait4`` (user + system of the
   child and its threads). Our child also reports the CPU it spent before its first frame
   (Python and library imports), shown separately, and the conversions it counted.
2. ``long``: a synthetic take through the whole engine (capture threads, queues, writer) with
   the default profile: dropped frames, share of the 2-core machine, A/V offset at the end,
   peak RSS and RSS growth from minute 1 to the end (from second 10 when shorter than 2 min).
3. ``camera``: per-frame CPU of a camera's pictures on their way into the encoder, ours (the
   camera's own YUYV or JPEG, converted by ``RawConverter`` as the take's writer does) against
   the former path (OpenCV decoding to BGR inside ``VideoCapture.read()``: ``cvtColor`` for
   YUYV, ``imdecode`` for MJPEG; then ``bgr->yuv420p``), in interleaved runs in this process:
   the conversions alone, and with libx264 (the recorder's encoder, default profile).

    .venv/bin/python bench/record_bench.py compare --runs 3 --seconds 10
    .venv/bin/python bench/record_bench.py long --seconds 600
    .venv/bin/python bench/record_bench.py camera --runs 5 --frames 60
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


def make_input(raw: Path, out: Path, profile: Profile, loops: int) -> None:
    """The compressed file both sides read: the camera-like frames as a high-quality H.264
    file (yuv420p, CRF 16), as a file source (``file:PATH``) would give the recorder."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
         "-s", f"{profile.width}x{profile.height}", "-r", str(profile.fps),
         "-stream_loop", str(loops - 1), "-i", str(raw),
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-g", str(profile.fps),
         "-pix_fmt", "yuv420p", "-an", str(out)],
        check=True,
    )  # fmt: skip


def ffmpeg_command(source: Path, out: Path, profile: Profile) -> list[str]:
    """The anchor: the ffmpeg command line decoding ``source`` and encoding it with the
    recorder's settings (profile.ffmpeg_video_args: the same rate control, GOP, muxer)."""
    from onetake_desktop.media.recorder import FRAGMENT_MICROSECONDS

    return [
        "ffmpeg", "-v", "error", "-y", "-i", str(source), "-an",
        "-c:v", "libx264", *profile.ffmpeg_video_args(), "-pix_fmt", "yuv420p",
        "-movflags", BENCH_MOVFLAGS, "-frag_duration", str(FRAGMENT_MICROSECONDS),
        "-flush_packets", "1", "-use_editlist", "1", "-f", "mp4", str(out),
    ]  # fmt: skip


def encode_child(source: Path, out: Path, profile_name: str, path: str) -> None:
    """Our side: decode ``source`` as the recorder's file source does (``path`` "pyav":
    FileVideoSource, straight to I420; "opencv": the former way, OpenCV to BGR and cvtColor
    back to I420) and encode with the recorder's own encoder, as fast as it goes."""
    import av  # imported before the clock starts: the command line's start-up is tiny too
    import cv2

    from onetake_desktop.media.recorder import _Encoder
    from onetake_desktop.media.sources import FileVideoSource

    profile = PROFILES[profile_name]
    started_cpu = time.process_time()
    encoder = _Encoder(out, profile, with_video=True, with_audio=False, movflags=BENCH_MOVFLAGS)
    pts = 0
    if path == "pyav":
        video = FileVideoSource(source, loop=False)
        while (frame := video._next(pts)) is not None:
            encoder.encode_video(frame, pts)
            pts += 1
        video.stop()
    else:
        capture = cv2.VideoCapture(str(source))
        while True:
            ok, image = capture.read()
            if not ok:
                break
            encoder.encode_video(image, pts)
            pts += 1
        capture.release()
    encoder.finish()
    del av
    print(
        json.dumps({"startup_cpu": started_cpu, "frames": pts, "conversions": encoder.conversions})
    )


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


def spread(values: list[float]) -> str:
    return f"{min(values):6.2f} /{statistics.median(values):6.2f} /{max(values):6.2f}"


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def compare(args: argparse.Namespace) -> None:
    profile = PROFILES[args.profile]
    loops = max(1, round(args.seconds * profile.fps / DISTINCT_FRAMES))
    sides = ["ffmpeg", "ours", *(["ours-opencv"] if args.before else [])]
    with tempfile.TemporaryDirectory(prefix="onetake-bench-") as folder:
        work = Path(folder)
        raw = work / "frames.bgr"
        make_raw(raw, profile, DISTINCT_FRAMES)
        source = work / "input.mp4"
        make_input(raw, source, profile, loops)
        frames = DISTINCT_FRAMES * loops
        print(
            f"{frames} frames {profile.width}x{profile.height} ({frames / profile.fps:.0f} s); "
            f"BOTH sides decode the same compressed file (H.264 yuv420p, "
            f"{source.stat().st_size / 1e6:.1f} MB: a camera-like test card with sensor "
            "noise) and encode it with libx264 "
            f"{' '.join(profile.ffmpeg_video_args())}, fragmented MP4; {args.runs} interleaved "
            f"runs; {load()}"
        )
        commands = {
            "ffmpeg": ffmpeg_command(source, work / "ffmpeg.mp4", profile),
            "ours": [sys.executable, __file__, "encode-child", str(source),
                     str(work / "ours.mp4"), profile.name, "pyav"],
            "ours-opencv": [sys.executable, __file__, "encode-child", str(source),
                            str(work / "ours-opencv.mp4"), profile.name, "opencv"],
        }  # fmt: skip
        results: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
        startup: dict[str, list[float]] = {side: [] for side in sides}
        conversions: dict[str, object] = {}
        for run in range(args.runs):
            order = sides if run % 2 == 0 else sides[::-1]
            for side in order:
                cpu, wall, stdout = run_child(commands[side])
                if side != "ffmpeg":
                    report = json.loads(stdout)
                    startup[side].append(report["startup_cpu"])
                    conversions[side] = report["conversions"]
                results[side].append((cpu, wall))
                print(f"  run {run + 1} {side:<11} cpu {cpu:6.2f} s  wall {wall:6.2f} s")
        counts = {side: frame_count(work / f"{side}.mp4") for side in sides}
        sizes = {side: (work / f"{side}.mp4").stat().st_size for side in sides}
    print(f"(s, min / median / max of {args.runs}; {load()})")
    for side in sides:
        cpu = [c for c, _ in results[side]]
        wall = [w for _, w in results[side]]
        extra = ""
        if side != "ffmpeg":
            extra = (
                f"  imports {statistics.median(startup[side]):.2f} s, "
                f"conversions {conversions[side]}"
            )
        print(
            f"  {side:<11} cpu {spread(cpu)}  wall {spread(wall)}  frames {counts[side]}  "
            f"{sizes[side] / 1e6:.2f} MB{extra}"
        )
    f_cpu = statistics.median(c for c, _ in results["ffmpeg"])
    for side in sides[1:]:
        o_cpu = statistics.median(c for c, _ in results[side])
        o_start = statistics.median(startup[side])
        print(
            f"CPU ratio {side}/ffmpeg: {o_cpu / f_cpu:.3f} (excluding our imports: "
            f"{(o_cpu - o_start) / f_cpu:.3f}; goal <= 1.05)"
        )


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


CAMERA_SIDES = ("yuyv-before", "yuyv-ours", "mjpeg-before", "mjpeg-ours")


def camera_inputs(
    profile: Profile, distinct: int
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """What a 720p webcam sends: the camera-like test card (sensor noise) as YUYV (4:2:2,
    limited range, made by libswscale) and as JPEG (4:2:2, quality 85, libjpeg)."""
    import av
    import cv2

    from onetake_desktop.media.sources import SyntheticVideoSource, reformat

    card = SyntheticVideoSource(profile.width, profile.height, profile.fps)
    rng = np.random.default_rng(5)
    pictures, yuyv, jpegs = [], [], []
    for n in range(distinct):
        image = card.draw(n).astype(np.int16) + rng.normal(
            0, 4, (profile.height, profile.width, 3)
        ).astype(np.int16)
        bgr = np.clip(image, 0, 255).astype(np.uint8)
        pictures.append(bgr)
        frame = av.VideoFrame.from_ndarray(bgr, format="bgr24")
        yuyv.append(np.ascontiguousarray(reformat(frame, "yuyv422").to_ndarray()))
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85,
                                              cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
                                              cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422])  # fmt: skip
        assert ok
        jpegs.append(np.asarray(data, np.uint8).reshape(1, -1))
    return pictures, yuyv, jpegs


def yuyv_as_i420(yuyv: np.ndarray) -> np.ndarray:
    """The YUYV picture's own samples as I420 (chroma rows averaged in pairs), by numpy."""
    h, w = yuyv.shape[:2]
    c = yuyv[:, :, 1].astype(np.uint16)
    u = ((c[0::2, 0::2] + c[1::2, 0::2] + 1) >> 1).astype(np.uint8)
    v = ((c[0::2, 1::2] + c[1::2, 1::2] + 1) >> 1).astype(np.uint8)
    return np.concatenate([yuyv[:, :, 0], u.reshape(h // 4, w), v.reshape(h // 4, w)])


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * float(np.log10(255**2 / mse))


def camera_bench(args: argparse.Namespace) -> None:
    import cv2

    from onetake_desktop.media.recorder import _Encoder
    from onetake_desktop.media.sources import RawCameraImage, RawConverter, Yuv420Image

    profile = PROFILES[args.profile]
    w, h = profile.width, profile.height
    pictures, yuyv, jpegs = camera_inputs(profile, 12)
    n_frames = args.frames

    def before(side: str, i: int) -> np.ndarray:
        """What OpenCV's V4L2 backend did inside read() with CONVERT_RGB on."""
        if side == "yuyv-before":
            return np.asarray(cv2.cvtColor(yuyv[i % len(yuyv)], cv2.COLOR_YUV2BGR_YUYV))
        return np.asarray(cv2.imdecode(jpegs[i % len(jpegs)], cv2.IMREAD_COLOR))

    def raw(side: str, i: int) -> RawCameraImage:
        if side == "yuyv-ours":
            return RawCameraImage(yuyv[i % len(yuyv)], "yuyv422", w, h)
        return RawCameraImage(jpegs[i % len(jpegs)], "mjpeg", w, h)

    def convert_only(side: str) -> float:
        """CPU seconds to turn n_frames camera pictures into what libx264 is handed."""
        import av

        converter = RawConverter()
        started = time.process_time()
        for i in range(n_frames):
            if side.endswith("ours"):
                picture, _ = converter.to_encoder(raw(side, i), (w, h))
                assert picture is not None
            else:
                yuv = cv2.cvtColor(before(side, i), cv2.COLOR_BGR2YUV_I420)
                av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        return time.process_time() - started

    def with_encoder(side: str, folder: Path) -> tuple[float, dict[str, int]]:
        encoder = _Encoder(folder / f"{side}.mp4", profile, with_video=True, with_audio=False,
                           movflags=BENCH_MOVFLAGS)  # fmt: skip
        started = time.process_time()
        for i in range(n_frames):
            picture = raw(side, i) if side.endswith("ours") else before(side, i)
            assert encoder.encode_video(picture, i)
        cpu = time.process_time() - started
        encoder.finish()
        return cpu, encoder.conversions

    def fidelity(side: str) -> float:
        """Mean PSNR (dB) of what libx264 is handed against the source: for YUYV the camera's
        own samples, for MJPEG the picture the camera saw (the JPEG's loss included)."""
        import cv2

        converter, values = RawConverter(), []
        for i in range(len(pictures)):
            if side.endswith("ours"):
                picture, _ = converter.to_encoder(raw(side, i), (w, h))
                assert isinstance(picture, Yuv420Image)
                given = picture.planes
            else:
                given = np.asarray(cv2.cvtColor(before(side, i), cv2.COLOR_BGR2YUV_I420))
            if side.startswith("yuyv"):
                reference = yuyv_as_i420(yuyv[i])
            else:
                reference = np.asarray(cv2.cvtColor(pictures[i], cv2.COLOR_BGR2YUV_I420))
            values.append(psnr(given, reference))
        return statistics.mean(values)

    print(
        f"camera pictures {w}x{h} -> the recorder's encoder ({profile.name}: libx264 "
        f"{' '.join(profile.ffmpeg_video_args())}); {n_frames} frames per side per run, "
        f"{args.runs} interleaved runs in one process; {load()}"
    )
    print(
        "  inputs: the camera-like test card with sensor noise, as YUYV 4:2:2 and as JPEG "
        f"4:2:2 q85 ({statistics.mean(j.size for j in jpegs) / 1e3:.0f} kB), what a webcam "
        "sends; 'before' includes OpenCV's own decode in read() (cvtColor YUYV->BGR, imdecode)"
    )
    conv: dict[str, list[float]] = {side: [] for side in CAMERA_SIDES}
    full: dict[str, list[float]] = {side: [] for side in CAMERA_SIDES}
    counted: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="onetake-bench-") as folder:
        for run in range(args.runs):
            order = CAMERA_SIDES if run % 2 == 0 else CAMERA_SIDES[::-1]
            for side in order:
                conv[side].append(convert_only(side) / n_frames * 1000)
            for side in order:
                cpu, counted[side] = with_encoder(side, Path(folder))
                full[side].append(cpu / n_frames * 1000)
            print(f"  run {run + 1}: " + ", ".join(
                f"{side} {conv[side][-1]:.2f}/{full[side][-1]:.1f}" for side in CAMERA_SIDES
            ) + " ms per frame (conversion / with libx264)")  # fmt: skip
    print(f"(ms of CPU per frame, min / median / max of {args.runs}; {load()})")
    for side in CAMERA_SIDES:
        print(
            f"  {side:<13} conversion {spread(conv[side])}   with libx264 "
            f"{spread(full[side])}   counted {counted[side]}"
        )
    print(
        "picture handed to libx264 against the source (mean PSNR, dB; YUYV: the camera's own "
        "samples, MJPEG: what the camera saw): "
        + ", ".join(f"{side} {fidelity(side):.1f}" for side in CAMERA_SIDES)
    )
    for fmt in ("yuyv", "mjpeg"):
        ours, anchor = f"{fmt}-ours", f"{fmt}-before"
        c = statistics.median(conv[ours]) / statistics.median(conv[anchor])
        f = statistics.median(full[ours]) / statistics.median(full[anchor])
        print(f"ratio {fmt} ours/before: conversion {c:.2f}, with libx264 {f:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare", help="our encoder vs the ffmpeg command line")
    c.add_argument("--runs", type=int, default=3)
    c.add_argument("--seconds", type=float, default=10.0)
    c.add_argument("--profile", default="default")
    lt = sub.add_parser("long", help="a long synthetic take through the whole engine")
    lt.add_argument("--seconds", type=float, default=60.0)
    lt.add_argument("--profile", default="default")
    lt.set_defaults(func=long_take)
    c.add_argument("--before", action="store_true", help="also the former OpenCV BGR path")
    c.set_defaults(func=compare)
    cam = sub.add_parser("camera", help="a camera's YUYV/MJPEG into the encoder, ours vs BGR")
    cam.add_argument("--runs", type=int, default=5)
    cam.add_argument("--frames", type=int, default=60)
    cam.add_argument("--profile", default="default")
    cam.set_defaults(func=camera_bench)
    e = sub.add_parser("encode-child")
    e.add_argument("source", type=Path)
    e.add_argument("out", type=Path)
    e.add_argument("profile")
    e.add_argument("path", choices=["pyav", "opencv"])
    e.set_defaults(func=lambda a: encode_child(a.source, a.out, a.profile, a.path))
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
