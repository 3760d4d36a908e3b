"""``onetake candidate KIT``: the candidate's interview, in a window or headless."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from onetake_desktop.cli import GuiRequest, command_help, context_of
from onetake_desktop.domain.errors import EXIT_OK, UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "candidate",
        help=command_help("candidate"),
        description="Open an interview kit and take the interview. With --headless, run the "
        "same session without windows (consenting on the candidate's behalf) and write a bundle.",
    )
    p.add_argument("kit", type=Path, metavar="KIT", help="interview kit file (.onetakekit)")
    p.add_argument("--headless", action="store_true", help="run without windows")
    p.add_argument("--camera", metavar="SRC", help="camera source: camera:0, file:PATH, synthetic")
    p.add_argument("--mic", metavar="SRC", help="microphone source: mic:default, mic:NAME, ...")
    p.add_argument("--name", metavar="NAME", help="candidate's name (headless)")
    p.add_argument("--email", metavar="EMAIL", help="candidate's email (headless)")
    p.add_argument(
        "--answer-seconds",
        type=float,
        metavar="N",
        help="length of each answer (headless; clamped to each question's limits)",
    )
    p.add_argument("--out", type=Path, metavar="BUNDLE", help="where to write the bundle")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int | GuiRequest:
    if not args.headless:
        from onetake_desktop.services.handover import checked_kit

        # Issue 13: a changed or damaged kit: one sentence, exit 3, no window. The window
        # opens on this checked kit (issue 17: the file is not read and checked again).
        signed = checked_kit(args.kit)
        return GuiRequest(
            "candidate",
            (args.kit,),
            {
                "camera": args.camera,  # None: the context's device defaults
                "mic": args.mic,
                "checked_kit": signed,
            },
        )
    missing = [
        flag
        for flag, value in (
            ("--name", args.name),
            ("--email", args.email),
            ("--answer-seconds", args.answer_seconds),
            ("--out", args.out),
        )
        if value is None
    ]
    if missing:
        raise UsageError(f"--headless needs {', '.join(missing)}.")
    if args.answer_seconds <= 0:
        raise UsageError("--answer-seconds must be more than 0.")
    if not args.mic and not args.camera:
        raise UsageError("--headless needs --mic (and --camera for video answers).")
    from onetake_desktop.services.candidate import run_headless

    receipt = run_headless(
        args.kit,
        camera=args.camera,
        mic=args.mic,
        name=args.name,
        email=args.email,
        answer_seconds=args.answer_seconds,
        out=args.out,
        sessions=context_of(args).paths.ensure().sessions,
        log=lambda line: print(line, file=sys.stderr),
    )
    print(f"bundle: {receipt.path}")
    print(f"size: {receipt.size}")
    print(f"sha256: {receipt.sha256}")
    print(f"answers: {receipt.answers}")
    return EXIT_OK
