"""``onetake candidate KIT``: the candidate's interview, in a window or headless."""

from __future__ import annotations

import argparse
from pathlib import Path

from onetake_desktop.cli import GuiRequest, not_ready


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "candidate",
        help="take an interview from a kit file",
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
        return GuiRequest("candidate", (args.kit,), {"camera": args.camera, "mic": args.mic})
    return not_ready("The headless candidate session")
