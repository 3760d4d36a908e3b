"""``onetake-desktop [FILE]``: what the desktop runs when a user opens OneTake or a file.

The desktop entry (installers/linux/onetake-desktop.desktop) runs ``onetake-desktop %f``: a
kit (.onetakekit) opens candidate mode on it, a bundle (.onetake, .onetake.age) opens reviewer
mode and imports it, and anything else goes to the ``onetake`` command line unchanged (so a
wrong file gets the usual one-sentence error and exit code). A command's refusal (a damaged
kit: that sentence, exit 3) is also shown in a box: a desktop launch has no terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

KIT_SUFFIXES = (".onetakekit",)
BUNDLE_SUFFIXES = (".onetake", ".onetake.age")


def command_for(argv: Sequence[str]) -> list[str]:
    """The ``onetake`` arguments that open ``argv`` (the desktop passes one file or none)."""
    if len(argv) == 1 and not argv[0].startswith("-"):
        name = argv[0].lower()
        if name.endswith(KIT_SUFFIXES):
            return ["candidate", argv[0]]
        if name.endswith(BUNDLE_SUFFIXES):
            return ["review", argv[0]]
    return list(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from onetake_desktop.app import main as app_main

    # desktop=True: a refusal (a damaged kit) is shown in a box too, since nobody reads stderr.
    return app_main(command_for(sys.argv[1:] if argv is None else argv), desktop=True)


if __name__ == "__main__":
    raise SystemExit(main())
