"""Atomic file writes: readers see the old file or the complete new one, never a torn file.

Write to a temporary file in the same directory, fsync it, rename it over the target, then fsync
the directory so the rename itself survives a power cut. Anyone may reuse these helpers.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from onetake_desktop.domain.errors import DiskFullError, OneTakeError
from onetake_desktop.durable import fsync_directory


def os_error_sentence(error: OSError, doing: str) -> OneTakeError:
    """The one sentence for an OS error while ``doing`` ("write x.onetake", "import x.onetake").

    A full disk or quota becomes :class:`DiskFullError`; anything else a OneTakeError.
    """
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(f"There is not enough free disk space to {doing}.")
    reason = error.strerror or type(error).__name__
    return OneTakeError(f"Could not {doing} ({reason}).")


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """Yield a binary file; on a clean exit it replaces ``path`` atomically, else it vanishes.

    A full disk becomes :class:`DiskFullError`; other OS errors a one-sentence OneTakeError.
    """
    path = Path(path)
    directory = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise os_error_sentence(error, f"write {path.name}") from error
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_directory(directory)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise os_error_sentence(error, f"write {path.name}") from error
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_output(path) as handle:
        handle.write(data)


CSV_BOM = b"\xef\xbb\xbf"  # Excel on Windows reads UTF-8 only with it
# A cell that starts with one of these is a formula to a spreadsheet: a candidate called
# "=HYPERLINK(...)" must stay text, so such cells get a leading apostrophe (OWASP's advice).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """A CSV export for spreadsheets: UTF-8 with a byte-order mark, a header row of
    ``fields``, None as an empty cell, and text that would run as a formula kept as text."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(fields))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return CSV_BOM + buffer.getvalue().encode("utf-8")
