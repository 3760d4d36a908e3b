"""``onetake scores export``: scores for scripts and spreadsheets."""

from __future__ import annotations

import argparse
from pathlib import Path

from onetake_desktop.cli import add_group, not_ready


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = add_group(sub, "scores", "export scores")
    e = actions.add_parser("export", help="export scores as CSV or JSON")
    e.add_argument("--format", choices=("csv", "json"), required=True)
    e.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    e.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    return not_ready("scores export")
