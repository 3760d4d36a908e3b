"""``onetake devices``: list cameras and microphones."""

from __future__ import annotations

import argparse

from onetake_desktop.cli import not_ready


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("devices", help="list cameras and microphones")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return not_ready("devices")
