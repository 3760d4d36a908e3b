"""The app's log: one rotating file under ``paths.logs``, and the last-resort error hooks.

``setup_logging(logs_dir, verbose)`` sends every ``onetake_desktop.*`` logger to
``<logs>/onetake.log`` (1 MiB, five old files kept) and, with ``--verbose``, to stderr as
well. ``install_excepthooks(report)`` makes sure no exception ends unseen: an uncaught error
in any thread is logged with its traceback, then ``report(sentence)`` tells the user (the GUI
shows a dialog; the CLI writes one line).

Privacy: log ids (submission, answer, reviewer), never candidate names or emails: erasing a
candidate must leave no trace, and log files are not erased with them. Exceptions go to the
file without their messages, which often name a bundle (log_rotation.FileFormatter).
"""

from __future__ import annotations

import sys
import threading

from onetake_desktop.domain.errors import OneTakeError

# `logging` loads on the first setup or report, not with the hooks: `onetake --help` (which
# installs them) never logs. No `typing` either (see TYPE_CHECKING in cli/__init__.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable
    from pathlib import Path
    from types import TracebackType

LOG_FILE = "onetake.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
STDERR_FORMAT = "onetake: %(levelname)s %(name)s: %(message)s"  # --verbose

LOGGER = "onetake_desktop"  # the parent of every module's logger

UNEXPECTED = (
    "Something went wrong and OneTake could not finish what it was doing; "
    "the details are in the log."
)


OWNED = "onetake_owned"  # marks the handlers this module installed: a second setup replaces them


def log_file(logs_dir: Path) -> Path:
    return logs_dir / LOG_FILE


def setup_logging(logs_dir: Path, verbose: bool = False) -> Path:
    """Log to ``<logs_dir>/onetake.log`` (and stderr when ``verbose``); returns the file.

    Safe to call again (each CLI run in a test does): the previous handlers are closed.
    """
    import logging

    from onetake_desktop.log_rotation import FileFormatter, RotatingFile

    log = logging.getLogger(LOGGER)
    logs_dir.mkdir(parents=True, exist_ok=True)
    for handler in list(log.handlers):
        if getattr(handler, OWNED, False):
            log.removeHandler(handler)
            handler.close()
    path = log_file(logs_dir)
    to_file = RotatingFile(path, max_bytes=MAX_BYTES, backups=BACKUPS)
    to_file.setFormatter(FileFormatter(FORMAT))  # exceptions without their messages
    _own(log, to_file)
    if verbose:
        to_stderr = logging.StreamHandler(sys.stderr)
        to_stderr.setFormatter(logging.Formatter(STDERR_FORMAT))
        _own(log, to_stderr)
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = True  # pytest's caplog listens on the root logger
    return path


def stderr_is_a_file() -> None:
    """Once stderr goes to a file nobody reads live (the windows send it to native.log),
    the --verbose lines written there leave exceptions' messages out, as the log file does:
    that file is not erased with a candidate either."""
    # Not an import statement: the windows call this after PySide6 has loaded, and its import
    # hook reads the source of each module such a statement names (logging's 2,300 lines,
    # issue 17). No logging loaded yet: no handler of ours to change.
    logging = sys.modules.get("logging")
    if logging is None:
        return
    for handler in logging.getLogger(LOGGER).handlers:
        to_file = isinstance(handler, logging.FileHandler)
        if getattr(handler, OWNED, False) and not to_file:  # --verbose's stderr handler
            from onetake_desktop.log_rotation import FileFormatter

            handler.setFormatter(FileFormatter(STDERR_FORMAT))


def _own(log: logging.Logger, handler: logging.Handler) -> None:
    setattr(handler, OWNED, True)
    log.addHandler(handler)


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
    import logging

    logging.getLogger(LOGGER).critical(
        "unexpected error%s: %s: %s",
        f" in {where}" if where else "",
        error_type.__name__,
        error,  # the file writes its type again, not its message (log_rotation.FileFormatter)
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
