"""The log file's handler and formatter.

``RotatingFile``: ``logging.FileHandler`` that starts a new file at a size limit and keeps a
few old ones (``onetake.log.1`` is the newest), as the standard library's
``RotatingFileHandler`` does. Not that one: importing ``logging.handlers`` loads sockets,
pickle and queues for handlers the app never uses, 4-6 ms of every command's start-up.

``FileFormatter``: writes exceptions without their messages. An error's sentence often names
a file the user gave (a bundle named after the candidate), and the log is not erased with
the candidate: the file keeps each exception's type and frames (and an OS error's number and
its system text), never ``str(error)``, whether the exception is the record's ``exc_info`` or
one of its arguments. What the user is told on stderr and in dialogs is not changed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

TYPE_CHECKING = False  # no `typing` at run time: every command loads this module (logs.py)
if TYPE_CHECKING:
    from typing import Any


class RotatingFile(logging.FileHandler):
    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, mode="a", encoding="utf-8")
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._would_pass_the_limit(record):
                self._rotate()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _would_pass_the_limit(self, record: logging.LogRecord) -> bool:
        base = self.baseFilename
        if self.max_bytes < 1 or self.backups < 1:
            return False  # no limit, or nowhere to keep the old lines: one growing file
        if os.path.exists(base) and not os.path.isfile(base):  # /dev/null never fills up
            return False
        stream = self.stream if self.stream is not None else self._open()
        self.stream = stream  # (reopened if an earlier rotation failed half-way)
        stream.seek(0, os.SEEK_END)
        line = f"{self.format(record)}{self.terminator}".encode(self.encoding or "utf-8")
        return stream.tell() + len(line) >= self.max_bytes

    def _rotate(self) -> None:
        """onetake.log.N-1 -> .N, ..., onetake.log -> .1 (the oldest is dropped)."""
        if self.stream is not None:
            self.stream.close()
        base = self.baseFilename
        for n in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        if os.path.exists(base):
            os.replace(base, f"{base}.1")
        self.stream = self._open()


class FileFormatter(logging.Formatter):
    """``logging.Formatter`` for the log file: exceptions as type and frames only (see the
    module's docstring). Formats a copy of each record: the handlers after it (stderr with
    --verbose, pytest's) see the original, messages and all."""

    def format(self, record: logging.LogRecord) -> str:
        copy = logging.makeLogRecord(record.__dict__)
        copy.exc_text = None  # another formatter's cached text would hold the message
        if isinstance(copy.msg, BaseException):
            copy.msg = described(copy.msg)
        if isinstance(copy.args, tuple):
            copy.args = tuple(
                described(a) if isinstance(a, BaseException) else a for a in copy.args
            )
        elif isinstance(copy.args, dict):
            copy.args = {
                k: described(v) if isinstance(v, BaseException) else v for k, v in copy.args.items()
            }
        return super().format(copy)

    def formatException(self, ei: Any) -> str:
        _, error, _ = ei
        if error is None:
            return ""
        import traceback

        chain: list[BaseException] = []  # the first raised first, as Python prints them
        seen: set[int] = set()
        link: BaseException | None = error
        while link is not None and id(link) not in seen:
            seen.add(id(link))
            chain.insert(0, link)
            link = link.__cause__ or (None if link.__suppress_context__ else link.__context__)
        parts: list[str] = []
        for n, link in enumerate(chain):
            if n:
                parts.append("\nThen, while it was handled or because of it:\n\n")
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(link.__traceback__))
            kept = isinstance(link, ImportError)
            parts.append(f"{described(link)}{'' if kept else ' (message left out of the log)'}\n")
        return "".join(parts).rstrip("\n")


def described(error: BaseException) -> str:
    """An exception as the log file names it: its type, and for an OS error its number and
    the system's text for it (which names no file); never its message, but for an import
    error's (a module of the app or a library: what a broken install is found by)."""
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    if isinstance(error, ImportError):
        return f"{name}: {error}"
    if isinstance(error, OSError) and error.errno is not None:
        return f"{name} [Errno {error.errno}] {error.strerror or ''}".rstrip()
    return name
