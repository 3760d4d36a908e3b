"""``onetake library import|list``: the reviewer library from scripts."""

from __future__ import annotations

import argparse
from pathlib import Path

from onetake_desktop.cli import add_group, not_ready


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "library", "import bundles into the reviewer library and list it")
    i = actions.add_parser(
        "import", help="import bundles (files or folders); exit 3 if any was refused"
    )
    i.add_argument("paths", nargs="+", type=Path, metavar="BUNDLE|FOLDER")
    i.set_defaults(handler=run_import)
    ls = actions.add_parser("list", help="list interviews, candidates and their status")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=run_list)


def run_import(args: argparse.Namespace) -> int:
    return not_ready("library import")


def run_list(args: argparse.Namespace) -> int:
    return not_ready("library list")
