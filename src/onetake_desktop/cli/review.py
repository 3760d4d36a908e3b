"""``onetake review [BUNDLE|FOLDER ...]``: open reviewer mode, importing what is given."""

from __future__ import annotations

import argparse
from pathlib import Path

from onetake_desktop.cli import GuiRequest, command_help


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "review",
        help=command_help("review"),
        description="Open reviewer mode; bundles or folders given are imported first.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="BUNDLE|FOLDER")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> GuiRequest:
    return GuiRequest("review", tuple(args.paths))
