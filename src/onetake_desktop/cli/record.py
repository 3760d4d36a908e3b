"""``onetake record``: record one take headless with the real recording engine."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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
    with _ctrl_c_asks_to_stop() as ctrl_c:  # before the slow imports of the engine
        try:
            return _record(args, ctrl_c)
        except KeyboardInterrupt:
            pass  # a second Ctrl+C: said below, once the default Ctrl+C is back
    if ctrl_c.began:
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


def _record(args: argparse.Namespace, ctrl_c: _CtrlC) -> int:
    from onetake_desktop.media.profiles import get_profile
    from onetake_desktop.media.recorder import STOPPED, TIME_LIMIT, CaptureSession

    profile = get_profile(args.profile, audio_only=args.audio_only)
    camera = None if profile.audio_only else args.camera
    with CaptureSession(camera, args.mic) as session:
        session.wait_ready()
        if ctrl_c.stop_asked():
            sys.stderr.write("onetake: stopped before the take began; nothing was recorded.\n")
            return EXIT_FAILURE
        take = session.start_take(
            args.out, profile, max_seconds=args.seconds, handover=ctrl_c.handing_over()
        )
        # Said once the writer runs: from here on Ctrl+C keeps what was recorded.
        sys.stderr.write(f"onetake: recording {args.out}; Ctrl+C stops and keeps it.\n")
        sys.stderr.flush()
        while not take.finished.done() and not ctrl_c.stop_asked():
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


STOPPING = "onetake: stopping... (Ctrl+C again to quit without waiting)\n"


class _CtrlC:
    """Ctrl+C (SIGINT) while ``record`` runs; the handler runs on the main thread.

    The first Ctrl+C only notes that the take should stop (and says so); the main thread looks
    at the note where stopping is safe. Every later one raises KeyboardInterrupt: opening a
    device or the take's file, or finishing a take, can hang, and the user must always be able
    to end the process -- but not while the take is handed to the session (:meth:`handing_over`,
    after its file opened and before its writer runs): raised there, it left a take no writer
    finishes and closing the session waited for ever (review s13a L6). There it is noted and
    raised once the writer runs."""

    def __init__(self) -> None:
        self.began = False  # the take's file is open: a .partial exists
        self._asked = False
        self._holding = False
        self._held = False

    def stop_asked(self) -> bool:
        return self._asked

    def note(self, signum: int, frame: FrameType | None) -> None:
        # No lock: the handler runs between two of the main thread's steps.
        if not self._asked:
            self._asked = True
            _say(STOPPING)
        elif self._holding:
            self._held = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def handing_over(self) -> Iterator[None]:
        self.began = True
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self._held:  # the writer runs now: closing the session finishes the take
            raise KeyboardInterrupt


def _say(text: str) -> None:
    """Write to stderr from the signal handler: straight to the descriptor, as the main thread
    may be inside a write to sys.stderr's buffer (a reentrant write there raises)."""
    if sys.stderr is None:  # no console (pythonw)
        return
    try:
        fd = sys.stderr.fileno()
    except (ValueError, OSError):  # replaced by one without a descriptor (a test's capture)
        sys.stderr.write(text)
        return
    with suppress(OSError):
        os.write(fd, text.encode())


@contextmanager
def _ctrl_c_asks_to_stop() -> Iterator[_CtrlC]:
    """Ctrl+C handled as :class:`_CtrlC` says while the block runs. Ctrl+C ignored by the
    parent (a background job) stays ignored; off the main thread, where signals cannot be
    handled, Ctrl+C stays as it was."""
    ctrl_c = _CtrlC()
    if threading.current_thread() is not threading.main_thread():  # signals are the main's
        yield ctrl_c
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous == signal.SIG_IGN:
        yield ctrl_c
        return
    signal.signal(signal.SIGINT, ctrl_c.note)
    try:
        yield ctrl_c
    finally:
        # None: a handler not set from Python, which cannot be put back; Python's own is the
        # nearest.
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
