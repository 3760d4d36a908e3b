"""``onetake devices``: list cameras and microphones."""

from __future__ import annotations

import argparse
import json

from onetake_desktop.cli import command_help
from onetake_desktop.domain.errors import EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "devices",
        help=command_help("devices"),
        description=(
            "List cameras and microphones with the source string that selects each one "
            "(for --camera/--mic, ONETAKE_CAMERA and ONETAKE_MIC)."
        ),
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from onetake_desktop.media.devices import list_devices

    devices = list_devices()
    if args.json:
        print(json.dumps(devices.to_dict(), indent=2))
        return EXIT_OK
    for title, items in (("Cameras", devices.cameras), ("Microphones", devices.microphones)):
        print(f"{title}:")
        for device in items:
            mark = " (default)" if device.default else ""
            print(f"  {device.spec:<40} {device.detail}{mark}")
        if not items:
            print("  none")
    for note in devices.notes:
        print(note)
    print("Stand-ins that always work: synthetic, file:PATH.")
    return EXIT_OK
