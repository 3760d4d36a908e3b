"""``onetake kit build|validate|show``: author and check interview kits."""

from __future__ import annotations

import argparse
from pathlib import Path

from onetake_desktop.cli import add_group, not_ready


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "kit", "author and check interview kits")
    b = actions.add_parser(
        "build",
        help="build a candidate kit (and the reviewer's interview definition) from TOML",
        description="Build ROLE.onetakekit for candidates and ROLE.onetakeinterview (with the "
        "rubric) for reviewers from an interview.toml.",
    )
    b.add_argument("source", type=Path, metavar="interview.toml")
    b.add_argument("-o", "--output", type=Path, required=True, metavar="KIT")
    b.set_defaults(handler=run_build)
    v = actions.add_parser("validate", help="check a kit, definition or TOML and list problems")
    v.add_argument("file", type=Path, metavar="FILE")
    v.set_defaults(handler=run_validate)
    s = actions.add_parser("show", help="print a readable summary of a kit")
    s.add_argument("file", type=Path, metavar="FILE")
    s.set_defaults(handler=run_show)


def run_build(args: argparse.Namespace) -> int:
    return not_ready("kit build")


def run_validate(args: argparse.Namespace) -> int:
    return not_ready("kit validate")


def run_show(args: argparse.Namespace) -> int:
    return not_ready("kit show")
