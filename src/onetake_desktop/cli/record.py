"""``onetake record``: record one take headless with the real recording engine."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from onetake_desktop.cli import command_help
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_OK, UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "record",
        help=command_help("record"),
        description="Record one take with the same engine the candidate window uses.",
        epilog=(
            "Sources: camera:N, mic:default, mic:NAME, file:PATH (looped), file-once:PATH, "
            "synthetic. Profiles: default (720p30), light (640x480 ultrafast), audio. "
            "Ctrl+C stops the take early and keeps it."
        ),
    )
    p.add_argument("--camera", metavar="SRC", default="synthetic")
    p.add_argument("--mic", metavar="SRC", default="synthetic")
    p.add_argument("--seconds", type=float, required=True, metavar="N")
    p.add_argument("--profile", metavar="NAME", default=None)
    p.add_argument("--audio-only", action="store_true")
    p.add_argument("--json", action="store_true", help="print stats as JSON")
    p.add_argument("out", type=Path, metavar="OUT")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from onetake_desktop.media.profiles import get_profile
    from onetake_desktop.media.recorder import STOPPED, TIME_LIMIT, CaptureSession

    if args.seconds <= 0:
        raise UsageError("--seconds must be more than 0.")
    profile = get_profile(args.profile, audio_only=args.audio_only)
    camera = None if profile.audio_only else args.camera
    with CaptureSession(camera, args.mic) as session:
        session.wait_ready()
        take = session.start_take(args.out, profile, max_seconds=args.seconds)
        try:
            result = take.wait()
        except KeyboardInterrupt:
            result = None
        if result is None:
            result = take.stop()
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        s = result.stats
        print(f"{result.path}: {result.duration_seconds:.2f} s, {result.size_bytes / 1e6:.2f} MB")
        print(
            f"  streams: {result.video_codec or '-'} / {result.audio_codec or '-'} "
            f"in {result.container}, profile {result.profile}, ended: {result.stop_reason}"
        )
        print(
            f"  frames: {s.frames_captured} captured, {s.frames_encoded} encoded, "
            f"{s.frames_dropped} dropped; audio: {s.audio_samples} samples"
        )
        print(
            f"  A/V offset: {s.av_start_offset_ms:+.1f} ms at start, {s.av_offset_ms:+.1f} ms "
            f"at end; CPU: {s.cpu_seconds:.2f} s over {s.wall_seconds:.2f} s"
        )
    if result.message:
        sys.stderr.write(f"onetake: {result.message}\n")
    return EXIT_OK if result.stop_reason in (STOPPED, TIME_LIMIT) else EXIT_FAILURE
