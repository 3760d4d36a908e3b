"""The app's log: one rotating file under ``paths.logs``, and the last-resort error hooks.

``setup_logging(logs_dir, verbose)`` sends every ``onetake_desktop.*`` logger to
``<logs>/onetake.log`` (1 MiB, five old files kept) and, with ``--verbose``, to stderr as
well. ``install_excepthooks(report)`` makes sure no exception ends unseen: an uncaught error
in any thread is logged with its traceback, then ``report(sentence)`` tells the user (the GUI
shows a dialog; the CLI writes one line).

Privacy: log ids (submission, answer, reviewer), never candidate names or emails: erasing a
candidate must leave no trace, and log files are not erased with them.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from onetake_desktop.domain.errors import OneTakeError

LOG_FILE = "onetake.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"

log = logging.getLogger("onetake_desktop")

UNEXPECTED = (
    "Something went wrong and OneTake could not finish what it was doing; "
    "the details are in the log."
)


class _Owned:
    """Marks the handlers this module installed, so a second setup replaces them."""

    onetake_owned = True


class _FileHandler(logging.handlers.RotatingFileHandler, _Owned):
    pass


class _StderrHandler(logging.StreamHandler, _Owned):  # type: ignore[type-arg]
    pass


def log_file(logs_dir: Path) -> Path:
    return logs_dir / LOG_FILE


def setup_logging(logs_dir: Path, verbose: bool = False) -> Path:
    """Log to ``<logs_dir>/onetake.log`` (and stderr when ``verbose``); returns the file.

    Safe to call again (each CLI run in a test does): the previous handlers are closed.
    """
    logs_dir.mkdir(parents=True, exist_ok=True)
    for handler in list(log.handlers):
        if getattr(handler, "onetake_owned", False):
            log.removeHandler(handler)
            handler.close()
    path = log_file(logs_dir)
    to_file = _FileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(FORMAT))
    log.addHandler(to_file)
    if verbose:
        to_stderr = _StderrHandler(sys.stderr)
        to_stderr.setFormatter(logging.Formatter("onetake: %(levelname)s %(name)s: %(message)s"))
        log.addHandler(to_stderr)
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = True  # pytest's caplog listens on the root logger
    return path


def sentence_for(error: BaseException) -> str:
    """One plain sentence for the user: ours say what happened; anything else is unexpected."""
    if isinstance(error, OneTakeError):
        return str(error)
    return UNEXPECTED


def log_exception(
    error_type: type[BaseException],
    error: BaseException,
    tb: TracebackType | None,
    where: str = "",
) -> None:
    log.critical(
        "unexpected error%s: %s: %s",
        f" in {where}" if where else "",
        error_type.__name__,
        error,
        exc_info=(error_type, error, tb),
    )


def install_excepthooks(report: Callable[[str], None] | None = None) -> None:
    """Log every uncaught exception (main thread, Qt slots, worker threads), then report it."""

    def main_hook(
        error_type: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(error_type, KeyboardInterrupt):
            sys.__excepthook__(error_type, error, tb)
            return
        log_exception(error_type, error, tb)
        if report is not None:
            report(sentence_for(error))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        where = f"thread {args.thread.name}" if args.thread is not None else "a thread"
        log_exception(args.exc_type, args.exc_value, args.exc_traceback, where)
        if report is not None:
            report(sentence_for(args.exc_value))

    sys.excepthook = main_hook
    threading.excepthook = thread_hook
