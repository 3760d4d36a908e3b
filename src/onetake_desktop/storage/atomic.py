"""Atomic file writes: readers see the old file or the complete new one, never a torn file.

Write to a temporary file in the same directory, fsync it, rename it over the target, then fsync
the directory so the rename itself survives a power cut. Anyone may reuse these helpers.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from onetake_desktop.domain.errors import DiskFullError, InvalidInputError, OneTakeError
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


def csv_bytes(fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """UTF-8 CSV with a header row of ``fields`` (None becomes an empty cell), for exports."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(fields))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def export_bytes(
    fmt: str,
    fields: Sequence[str],
    rows: list[dict[str, Any]],
    envelope: Mapping[str, Any],
    rows_key: str,
) -> bytes:
    """An export file's bytes: CSV (``fields`` as the header), or JSON with ``envelope``
    (format version, who, when) and the rows under ``rows_key``."""
    if fmt == "json":
        body = {**envelope, rows_key: rows}
        return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "csv":
        return csv_bytes(fields, rows)
    raise InvalidInputError(f"Export as csv or json, not {fmt}.")
