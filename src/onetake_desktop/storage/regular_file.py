"""Opening a file from outside: only a regular file, never a folder, device or FIFO.

Its own small module (issue 17): reading a kit needs only this, not the zip reader's imports
(zipfile, bz2, lzma, hashlib) that storage.safe_zip brings.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from onetake_desktop.domain.errors import InvalidInputError

__all__ = ["open_regular_file"]


def open_regular_file(path: Path, what: str) -> io.BufferedReader:
    """Open a file from outside for reading; refuse folders, devices and FIFOs at once.

    Opening is non-blocking, so a FIFO cannot hang us before we see what it is.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InvalidInputError(f"There is no {what} at {path}.") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a folder, not {_a(what)}.") from None
    except OSError as error:
        raise InvalidInputError(f"Could not read {path} ({error.strerror}).") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InvalidInputError(f"{path} is a folder, not {_a(what)}.")
        if not stat.S_ISREG(mode):
            raise InvalidInputError(f"{Path(path).name} is not a regular file.")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _a(what: str) -> str:
    """The article with what is named: a bundle, an interview kit."""
    return ("an " if what[:1].lower() in "aeiou" else "a ") + what
