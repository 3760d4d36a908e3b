"""``onetake record``: record one take headless with the real recording engine."""

from __future__ import annotations

import argparse
from pathlib import Path

from onetake_desktop.cli import not_ready


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "record",
        help="record a take headless and print its stats",
        description="Record one take with the same engine the candidate window uses.",
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
    return not_ready("record")
