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
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

from onetake_desktop import __version__
from onetake_desktop.cli.about import VersionAction
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_USAGE, OneTakeError
from onetake_desktop.logs import log_file, setup_logging
from onetake_desktop.services.context import AppContext

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], "int | GuiRequest"]


@dataclass(frozen=True)
class GuiRequest:
    """Ask the composition root to open windows instead of finishing on the command line."""

    mode: Literal["start", "candidate", "review", "author"]
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
        author,
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
        transcripts,
    )

    parser = _Parser(
        prog="onetake",
        description=(
            "OneTake Desktop: offline one-way job interviews. With no command, opens the start "
            "screen (candidate or reviewer) on the bundled demo interview."
        ),
        epilog="Exit codes: 0 success, 1 failure, 2 usage error, 3 invalid or unsafe input.",
    )
    parser.add_argument(
        "--version",
        action=VersionAction,
        nargs=0,
        help="show the version, bundled licences and where data and logs live, then exit",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show full tracebacks for unexpected errors"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log in detail, to stderr as well as the log file (see 'Where data lives')",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (
        candidate,
        review,
        author,
        kit,
        keys,
        bundle,
        record,
        devices,
        library,
        scores,
        panel,
        transcripts,
    ):
        module.register(sub)
    return parser


def context_of(args: argparse.Namespace) -> AppContext:
    """The context ``main`` was given (app.py builds it); a handler run on its own (a test
    that registers one command group) gets one from the environment."""
    context: AppContext | None = getattr(args, "context", None)
    return context if context is not None else AppContext.from_environment()


def main(argv: Sequence[str] | None = None, context: AppContext | None = None) -> int | GuiRequest:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    args.context = context = context or AppContext.from_environment()
    setup_logging(context.paths.logs, verbose=args.verbose)
    # The command, never its arguments: a file name may name a candidate.
    log.info("onetake %s: %s", __version__, args.command or "start screen")
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        if args.command is None:
            return GuiRequest("start")
        # A group such as `onetake kit` with no action: show what it offers.
        args.group_parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        result = handler(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try
        return result
    except BrokenPipeError:
        # `onetake ... | head`: the reader has what it wanted. End quietly, and keep Python
        # from failing again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_FAILURE
    except OneTakeError as error:
        log.info("%s failed: %s", args.command, type(error).__name__, exc_info=args.debug)
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(f"onetake: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("onetake: interrupted.\n")
        return EXIT_FAILURE
    except Exception as error:  # last line of defence: one sentence, never a traceback
        log.exception("unexpected error in '%s'", args.command)
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(
            f"onetake: unexpected error ({type(error).__name__}: {error}). "
            f"Details are in {log_file(context.paths.logs)}; --debug shows them here.\n"
        )
        return EXIT_FAILURE


def add_group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Add a command group (``onetake kit ...``) and return its sub-action set."""
    group = sub.add_parser(name, help=help_text, description=help_text)
    group.set_defaults(group_parser=group, handler=None)
    return group.add_subparsers(dest=f"{name}_action", metavar="ACTION", parser_class=_Parser)
