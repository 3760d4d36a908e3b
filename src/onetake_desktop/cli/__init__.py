"""The ``onetake`` command line: scripted access to the same services the windows use.

Each subcommand group lives in its own module with ``register(subparsers)``; its handler
returns an exit code, or a :class:`GuiRequest` that the composition root (app.py) turns into
windows. This package never imports ``onetake_desktop.ui``.

Start-up: :data:`COMMANDS` names every command with its one-line help, so ``onetake --help``
and a usage error import no command module; only the module of the command given is imported
and registers its full parser (``onetake library list`` does not load the kit author, bundle
checks or transcripts). Keep module-level imports of this package and of app.py, logs.py and
services/context.py cheap: tests/unit/test_cli_startup.py checks what ``--help`` imports.

Exit codes (a contract scripts depend on): 0 success, 1 failure, 2 usage error,
3 invalid or unsafe input. Errors are one plain sentence on stderr; ``--debug`` adds the
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from onetake_desktop import __version__
from onetake_desktop.cli.about import VersionAction
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_USAGE, OneTakeError

# `typing`, `dataclasses`, `pathlib` and `logging` cost `onetake --help` more than the rest of
# it together: they load with the command that needs them. (mypy and ruff read a module's own
# TYPE_CHECKING = False as typing.TYPE_CHECKING, without `typing` being imported.)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, NoReturn

    from onetake_desktop.cli.request import GuiRequest
    from onetake_desktop.services.context import AppContext

    Handler = Callable[[argparse.Namespace], "int | GuiRequest"]

__all__ = ["COMMANDS", "GuiRequest", "add_group", "command_help", "context_of", "main", "parse"]


def __getattr__(name: str) -> object:
    if name == "GuiRequest":  # `from onetake_desktop.cli import GuiRequest`
        from onetake_desktop.cli.request import GuiRequest

        return GuiRequest
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Every command, in the order `onetake --help` lists them: name -> (module in this package that
# registers it, one-line help). The modules take their help from here (command_help).
COMMANDS: dict[str, tuple[str, str]] = {
    "candidate": ("candidate", "take an interview from a kit file"),
    "review": ("review", "open reviewer mode (import bundles, play, score)"),
    "author": (
        "author",
        "prepare an interview in a window (a TOML source, or a kit with its definition)",
    ),
    "kit": ("kit", "author and check interview kits"),
    "keys": ("keys", "the organisation's keys: sign kits, receive encrypted bundles"),
    "bundle": ("bundle", "inspect and verify submission bundles"),
    "record": ("record", "record a take headless and print its stats"),
    "devices": ("devices", "list cameras and microphones"),
    "library": (
        "library",
        "import bundles into the reviewer library and list it; erase, keep candidates longer",
    ),
    "scores": ("scores", "export scores"),
    "panel": ("panel", "panelists, scores, the audit log and panel exports"),
    "transcribe": ("transcripts", "print the transcript of a recording (offline speech to text)"),
}


def command_help(name: str) -> str:
    """The one-line help of a command, as ``onetake --help`` lists it."""
    return COMMANDS[name][1]


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one sentence and exit code 2.

    ``later``: a function that adds the rest of this parser's arguments when it is the one
    used (parsing or its --help), for arguments whose choices cost an import that the group's
    other actions should not pay for (``library transcribe --model``)."""

    def __init__(
        self, *args: Any, later: Callable[[argparse.ArgumentParser], None] | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self._later = later

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._later is not None:
            later, self._later = self._later, None
            later(self)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        sentence = message[0].upper() + message[1:] if message else "Invalid arguments"
        sys.stderr.write(f"{self.prog}: {sentence.rstrip('.')}. Try '{self.prog} --help'.\n")
        raise SystemExit(EXIT_USAGE)


def command_in(argv: Sequence[str]) -> str | None:
    """The word argparse will take as the command: the first argument that is not an option
    (every option before the command is a flag without a value), or the one after ``--``.
    When argparse would take some other word, that word is no command and parsing fails the
    same way whichever modules are loaded."""
    words = iter(argv)
    for word in words:
        if word == "--":
            return next(words, None)
        if word == "-" or not word.startswith("-"):
            return word
    return None


def build_parser(command: str | None = "*", others: bool = True) -> argparse.ArgumentParser:
    """The ``onetake`` parser with ``command``'s full parser (``"*"``: every command's). The
    other commands are listed by name and help only: enough for ``--help`` and for the
    "invalid choice" error, and none of their modules is imported. ``others=False`` leaves
    them out: for a command line that can show neither (see :func:`lists_commands`)."""
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
    for name, (module, help_text) in COMMANDS.items():
        if command in ("*", name):
            importlib.import_module(f"{__name__}.{module}").register(sub)
        elif others:
            # Listed, never parsed (see command_in): no -h of its own to build.
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


# The options `onetake` takes before a command that can neither print help nor fail.
QUIET_OPTIONS = frozenset({"--debug", "-v", "--verbose"})


def lists_commands(words: Sequence[str], command: str | None) -> bool:
    """Whether parsing ``words`` may print the list of commands: ``onetake --help``, or an
    error naming the choices. Not when only :data:`QUIET_OPTIONS` come before a known command
    or stand alone (``onetake``, ``onetake review ...``: every window's start); then the
    other commands' parsers are not built at all (12 argparse parsers, ~1 ms, issue 17)."""
    before = words[: words.index(command)] if command in COMMANDS else words
    return not QUIET_OPTIONS.issuperset(before) or (command is not None and command not in COMMANDS)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line (``--help``, ``--version`` and usage errors end here)."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = command_in(words)
    return build_parser(command, others=lists_commands(words, command)).parse_args(words)


def context_of(args: argparse.Namespace) -> AppContext:
    """The context ``main`` was given (app.py builds it); a handler run on its own (a test
    that registers one command group) gets one from the environment."""
    from onetake_desktop.services.context import AppContext

    context: AppContext | None = getattr(args, "context", None)
    return context if context is not None else AppContext.from_environment()


def main(argv: Sequence[str] | None = None, context: AppContext | None = None) -> int | GuiRequest:
    """Parse and run (tests, scripts); app.py calls :func:`parse` and :func:`run` itself."""
    args = parse(argv)
    if context is None:
        from onetake_desktop.services.context import AppContext

        context = AppContext.from_environment()
    return run(args, context)


def run(
    args: argparse.Namespace,
    context: AppContext,
    refused: Callable[[OneTakeError], None] | None = None,
) -> int | GuiRequest:
    """Run the parsed command with ``context``; returns its exit code or its GuiRequest.
    ``refused`` is also given the error whose sentence went to stderr (app.py: the desktop
    shows it in a box too)."""
    import logging

    from onetake_desktop.logs import log_file, setup_logging

    log = logging.getLogger(__name__)
    args.context = context
    setup_logging(context.paths.logs, verbose=args.verbose)
    # The command, never its arguments: a file name may name a candidate.
    log.info("onetake %s: %s", __version__, args.command or "start screen")
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        if args.command is None:
            from onetake_desktop.cli.request import GuiRequest

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
            _print_traceback()
        sys.stderr.write(f"onetake: {error}\n")
        if refused is not None:
            refused(error)
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("onetake: interrupted.\n")
        return EXIT_FAILURE
    except Exception as error:  # last line of defence: one sentence, never a traceback
        log.exception("unexpected error in '%s'", args.command)
        if args.debug:
            _print_traceback()
        sys.stderr.write(
            f"onetake: unexpected error ({type(error).__name__}: {error}). "
            f"Details are in {log_file(context.paths.logs)}; --debug shows them here.\n"
        )
        return EXIT_FAILURE


def _print_traceback() -> None:
    import traceback

    traceback.print_exc()


def add_group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Add a command group (``onetake kit ...``) and return its sub-action set."""
    help_text = command_help(name)
    group = sub.add_parser(name, help=help_text, description=help_text)
    group.set_defaults(group_parser=group, handler=None)
    return group.add_subparsers(dest=f"{name}_action", metavar="ACTION", parser_class=_Parser)
