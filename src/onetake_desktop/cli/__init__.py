"""The ``onetake`` command line: scripted access to the same services the windows use.

Each subcommand group lives in its own module with ``register(subparsers)``; its handler
returns an exit code, or a :class:`GuiRequest` that the composition root (app.py) turns into
windows. This package never imports ``onetake_desktop.ui``.

Exit codes (a contract scripts depend on): 0 success, 1 failure, 2 usage error,
3 invalid or unsafe input. Errors are one plain sentence on stderr; ``--debug`` adds the
traceback.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

from onetake_desktop import __version__
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_USAGE, OneTakeError

Handler = Callable[[argparse.Namespace], "int | GuiRequest"]


@dataclass(frozen=True)
class GuiRequest:
    """Ask the composition root to open windows instead of finishing on the command line."""

    mode: Literal["start", "candidate", "review"]
    paths: tuple[Path, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one sentence and exit code 2."""

    def error(self, message: str) -> NoReturn:
        sentence = message[0].upper() + message[1:] if message else "Invalid arguments"
        sys.stderr.write(f"{self.prog}: {sentence.rstrip('.')}. Try '{self.prog} --help'.\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from onetake_desktop.cli import (
        bundle,
        candidate,
        devices,
        keys,
        kit,
        library,
        panel,
        record,
        review,
        scores,
    )

    parser = _Parser(
        prog="onetake",
        description=(
            "OneTake Desktop: offline one-way job interviews. With no command, opens the start "
            "screen (candidate or reviewer) on the bundled demo interview."
        ),
        epilog="Exit codes: 0 success, 1 failure, 2 usage error, 3 invalid or unsafe input.",
    )
    parser.add_argument("--version", action="version", version=f"onetake {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show full tracebacks for unexpected errors"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (candidate, review, kit, keys, bundle, record, devices, library, scores, panel):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int | GuiRequest:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        if args.command is None:
            return GuiRequest("start")
        # A group such as `onetake kit` with no action: show what it offers.
        args.group_parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except OneTakeError as error:
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(f"onetake: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("onetake: interrupted.\n")
        return EXIT_FAILURE
    except Exception as error:  # last line of defence: one sentence, never a traceback
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(
            f"onetake: unexpected error ({type(error).__name__}: {error}). "
            "Run again with --debug for details.\n"
        )
        return EXIT_FAILURE


def add_group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Add a command group (``onetake kit ...``) and return its sub-action set."""
    group = sub.add_parser(name, help=help_text, description=help_text)
    group.set_defaults(group_parser=group, handler=None)
    return group.add_subparsers(dest=f"{name}_action", metavar="ACTION", parser_class=_Parser)


def not_ready(what: str) -> int:
    raise OneTakeError(f"{what} is not available in this build yet.")
