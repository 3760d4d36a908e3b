"""``onetake author [FILE]``: the authoring window, on a TOML source or a built kit."""

from __future__ import annotations

import argparse
from pathlib import Path

from onetake_desktop.cli import GuiRequest, command_help


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "author",
        help=command_help("author"),
        description="Open the authoring window: on FILE (an interview TOML, or a built "
        ".onetakekit with its .onetakeinterview beside it), or on a new interview.",
    )
    p.add_argument("file", type=Path, nargs="?", metavar="FILE")
    p.set_defaults(handler=run_author)


def run_author(args: argparse.Namespace) -> GuiRequest:
    from onetake_desktop.services import author

    if args.file is not None:
        author.AuthorDraft.open(args.file)  # a file that cannot open says why here, exit 3
        return GuiRequest("author", (args.file,))
    return GuiRequest("author")
