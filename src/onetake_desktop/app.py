"""Composition root: parse the command line, then either finish there or open windows."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Sequence

from onetake_desktop import cli
from onetake_desktop.domain.errors import EXIT_FAILURE, OneTakeError
from onetake_desktop.logs import install_excepthooks


def _display_available() -> bool:
    if sys.platform != "linux":
        return True
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


# The service layer of each window, imported before PySide6 (ui.application imports it).
# PySide6 hooks every import statement run after it is loaded and reads the source of each
# module such a statement names for the first time (its `__feature__` support, ~0.15 ms per
# module); a package imported before PySide6 is read once, when a window names it, instead of
# once per module of its tree (~27 modules less for the reviewer, ~10 for the candidate;
# the author's command has imported its services already). Only a hint: a module
# missing here costs time, never behaviour.
SERVICES_BEFORE_QT: dict[str, tuple[str, ...]] = {
    "review": ("onetake_desktop.services.reviewer", "onetake_desktop.services.panel"),
    # domain.safe_text: the first page's kit texts; its own imports (re, functools) then run
    # before PySide6 too, and the hook does not read them (~1 M).
    "candidate": ("onetake_desktop.services.candidate", "onetake_desktop.domain.safe_text"),
}


def _import_services(mode: str) -> None:
    for name in SERVICES_BEFORE_QT.get(mode, ()):
        try:
            importlib.import_module(name)
        except Exception:  # the window's own import fails again and says why, in a window
            return


def _start_up_made() -> None:
    """The window is built: what start-up made lives as long as the process, so the
    collector leaves it alone from now on (gc.freeze) and collects as always after. (What of
    it becomes cyclic garbage later is never freed: a bounded amount, once. A dialog the
    window opens while it is built, e.g. an encrypted bundle's passphrase, runs with the
    collector paused: harmless for that long.)"""
    gc.freeze()
    gc.enable()


def _say(sentence: str) -> None:
    sys.stderr.write(f"onetake: {sentence}\n")


def _show_refusal(sentence: str) -> None:
    """The desktop started us (a double-clicked file) and the command refused it: its stderr
    reaches nobody, so the same sentence is shown in a box (review s11 #2)."""
    from onetake_desktop.ui.application import show_refusal

    show_refusal(sentence)


def main(argv: Sequence[str] | None = None, *, desktop: bool = False) -> int:
    """``desktop``: started by the desktop (desktop_entry.py), where nobody reads stderr; a
    command's refusal is then shown in a box as well, with the same exit code."""
    # Until a window can show it, an uncaught error (any thread) is logged and said on stderr.
    install_excepthooks(_say)
    # Parsed first: `onetake --help`, `--version` and a usage error end here, before the
    # settings are read or any command's module is imported.
    args = cli.parse(argv)
    from onetake_desktop.services.context import AppContext

    context = AppContext.from_environment()  # the one place the environment is read
    refusals: list[OneTakeError] = []
    result = cli.run(args, context, refusals.append if desktop else None)
    if isinstance(result, int):
        if refusals and _display_available():
            _show_refusal(str(refusals[0]))
        return result
    if not _display_available():
        # Qt would abort the process here; say what to do instead.
        sys.stderr.write(
            "onetake: no display found. Start it from a desktop session, or use the "
            "command line (see 'onetake --help').\n"
        )
        return EXIT_FAILURE
    # A window's start-up makes objects that live as long as the process (modules, classes,
    # Qt's wrappers, widgets): the collector's passes over them while they are being made
    # free nothing and cost ~2 % of the window's start (issue 17). Paused until it is built.
    gc.disable()
    try:
        _import_services(result.mode)
        from onetake_desktop.ui.application import run_gui

        return run_gui(result, context, started=_start_up_made)
    finally:
        gc.enable()  # also when start-up failed before run_gui called started


if __name__ == "__main__":
    raise SystemExit(main())
