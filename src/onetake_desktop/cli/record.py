"""``onetake record``: record one take headless with the real recording engine."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from onetake_desktop.cli import command_help
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, UsageError


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
    if args.seconds <= 0:
        raise UsageError("--seconds must be more than 0.")
    began: list[bool] = []
    with _ctrl_c_asks_to_stop() as stop_asked:  # before the slow imports of the engine
        try:
            return _record(args, stop_asked, began)
        except KeyboardInterrupt:
            pass  # a second Ctrl+C: said below, once the default Ctrl+C is back
    if began:
        # At exit the engine still finishes a take it can (for a while); the final name only
        # ever holds a whole file.
        said = (
            f"the take was not finished. {args.out} appears only if it can still be finished "
            f"on the way out; otherwise what was recorded stays in {args.out}.partial."
        )
    else:
        said = "the take had not begun; nothing was recorded."
    sys.stderr.write(f"onetake: stopped by a second Ctrl+C: {said}\n")
    return EXIT_INTERRUPTED


def _record(args: argparse.Namespace, stop_asked: Callable[[], bool], began: list[bool]) -> int:
    from onetake_desktop.media.profiles import get_profile
    from onetake_desktop.media.recorder import STOPPED, TIME_LIMIT, CaptureSession

    profile = get_profile(args.profile, audio_only=args.audio_only)
    camera = None if profile.audio_only else args.camera
    with CaptureSession(camera, args.mic) as session:
        session.wait_ready()
        if stop_asked():
            sys.stderr.write("onetake: stopped before the take began; nothing was recorded.\n")
            return EXIT_FAILURE
        take = session.start_take(args.out, profile, max_seconds=args.seconds)
        began.append(True)
        # Said once the writer runs: from here on Ctrl+C keeps what was recorded.
        sys.stderr.write(f"onetake: recording {args.out}; Ctrl+C stops and keeps it.\n")
        sys.stderr.flush()
        while not take.finished.done() and not stop_asked():
            take.wait(_POLL_SECONDS)
        result = take.wait(0)
        if result is None:  # stopped by Ctrl+C, or the writer failed (stop() raises why)
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


_POLL_SECONDS = 0.1  # how soon a Ctrl+C is seen while the take runs


@contextmanager
def _ctrl_c_asks_to_stop() -> Iterator[Callable[[], bool]]:
    """The first Ctrl+C (SIGINT) only notes that the take should stop; the main thread looks at
    the note where stopping is safe. A KeyboardInterrupt raised wherever the main thread happens
    to be could land inside start_take, after the take was handed to the session but before its
    writer thread started: closing the session then waited for that writer.

    Every Ctrl+C after the first raises KeyboardInterrupt: opening a device or finishing a take
    can hang, and the user must always be able to end the process. Ctrl+C ignored by the
    parent (a background job) stays ignored."""
    asked: list[bool] = []

    def note(signum: int, frame: FrameType | None) -> None:
        if asked:
            raise KeyboardInterrupt
        asked.append(True)  # no lock here: the handler runs between two of the main thread's steps

    if threading.current_thread() is not threading.main_thread():  # signals are the main's
        yield lambda: False
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous == signal.SIG_IGN:
        yield lambda: False
        return
    signal.signal(signal.SIGINT, note)
    try:
        yield lambda: bool(asked)
    finally:
        # None: a handler not set from Python, which cannot be put back; Python's own is the
        # nearest.
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
