"""Composition root: parse the command line, then either finish there or open windows."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from onetake_desktop import cli
from onetake_desktop.domain.errors import EXIT_FAILURE
from onetake_desktop.logs import install_excepthooks


def _display_available() -> bool:
    if sys.platform != "linux":
        return True
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


def _say(sentence: str) -> None:
    sys.stderr.write(f"onetake: {sentence}\n")


def main(argv: Sequence[str] | None = None) -> int:
    # Until a window can show it, an uncaught error (any thread) is logged and said on stderr.
    install_excepthooks(_say)
    # Parsed first: `onetake --help`, `--version` and a usage error end here, before the
    # settings are read or any command's module is imported.
    args = cli.parse(argv)
    from onetake_desktop.services.context import AppContext

    context = AppContext.from_environment()  # the one place the environment is read
    result = cli.run(args, context)
    if isinstance(result, int):
        return result
    if not _display_available():
        # Qt would abort the process here; say what to do instead.
        sys.stderr.write(
            "onetake: no display found. Start it from a desktop session, or use the "
            "command line (see 'onetake --help').\n"
        )
        return EXIT_FAILURE
    from onetake_desktop.ui.application import run_gui

    return run_gui(result, context)


if __name__ == "__main__":
    raise SystemExit(main())
