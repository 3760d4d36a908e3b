"""The log file's handler: ``logging.FileHandler`` that starts a new file at a size limit and
keeps a few old ones (``onetake.log.1`` is the newest), as the standard library's
``RotatingFileHandler`` does. Not that one: importing ``logging.handlers`` loads sockets,
pickle and queues for handlers the app never uses, 4-6 ms of every command's start-up."""

from __future__ import annotations

import logging
import os
from pathlib import Path


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
