"""Atomic file writes: readers see the old file or the complete new one, never a torn file.

Write to a temporary file in the same directory, fsync it, rename it over the target, then fsync
the directory so the rename itself survives a power cut. Anyone may reuse these helpers.
"""

from __future__ import annotations

import errno
import io
import logging
import operator
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from onetake_desktop.domain.errors import DiskFullError, OneTakeError
from onetake_desktop.durable import fsync_directory

log = logging.getLogger(__name__)


def os_error_sentence(error: OSError, doing: str) -> OneTakeError:
    """The one sentence for an OS error while ``doing`` ("write x.onetake", "import x.onetake").

    A full disk or quota becomes :class:`DiskFullError`; anything else a OneTakeError.
    """
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(f"There is not enough free disk space to {doing}.")
    reason = error.strerror or type(error).__name__
    return OneTakeError(f"Could not {doing} ({reason}).")


def _create_beside(path: Path, create_mode: int) -> tuple[int, Path]:
    """A new temporary file beside ``path``, opened for writing, as mkstemp makes one but
    created with ``create_mode``: the umask (and a folder's default ACL) apply, as they do to
    a file an editor makes."""
    # Here, not at import: secrets (and hmac) would load with every window that saves nothing
    # (tests/ui/test_window_start_imports.py).
    import secrets

    # Read and write, as mkstemp's: bundle.py reads back what it wrote.
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, create_mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "No usable temporary name", str(path.parent))


@contextmanager
def atomic_output(
    path: Path, mode: int | None = None, *, create_mode: int = 0o600
) -> Iterator[BinaryIO]:
    """Yield a binary file; on a clean exit it replaces ``path`` atomically, else it vanishes.

    The file is created with ``create_mode`` less the umask (0600 by default, as mkstemp);
    ``mode`` (permission bits) is then given to it before it replaces ``path``, as far as the
    file system allows (some network mounts refuse chmod: the save still succeeds). A full
    disk becomes :class:`DiskFullError`; other OS errors a one-sentence OneTakeError.
    """
    path = Path(path)
    directory = path.parent
    try:
        if create_mode == 0o600:  # every file but a person's kept one: mkstemp, as always
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
            tmp = Path(tmp_name)
        else:
            fd, tmp = _create_beside(path, create_mode)
    except OSError as error:
        raise os_error_sentence(error, f"write {path.name}") from error
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            try:
                os.chmod(tmp, mode)
            except OSError as error:  # review s13c C6: a CIFS/FUSE mount refusing chmod
                log.info("Kept %s without its mode %o: %s", path.name, mode, error)
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


def can_rewrite(path: Path) -> str | None:
    """Why :func:`rewrite_kept_file` would refuse ``path`` (one sentence), or None when it
    would write it: a file read-only to its owner or to us, or a folder we cannot write in
    (the new file is renamed into it). A missing file in a writable folder can be written."""
    import stat

    name = Path(path).name
    real = Path(os.path.realpath(path))
    try:
        status = os.stat(real)
    except FileNotFoundError:
        status = None
    except OSError as error:
        return str(os_error_sentence(error, f"write {name}"))
    # os.access alone says yes to root for any file: the write bits are asked as well.
    if status is not None and (
        not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        or not os.access(real, os.W_OK)
    ):
        return f"Could not write {name} (it is read-only)."
    if not real.parent.is_dir():  # moved or deleted since it was opened
        return f"Could not write {name} (its folder is missing)."
    if not os.access(real.parent, os.W_OK | os.X_OK):
        return f"Could not write {name} (its folder is read-only)."
    return None


def rewrite_kept_file(path: Path, data: bytes) -> Path:
    """Atomically replace a file a person keeps and edits (an interview TOML) as an editor
    would: through its symlinks (the real file changes, the link stays), keeping its
    permission bits (a shared 0644 file must not become 0600), and never over a file that is
    read-only to its owner or to us: renaming over it would ignore its mode (review s13b B2).
    A missing file is written with the user's usual permissions (0666 less the umask).
    Returns the file written; OneTakeError says why not (:func:`can_rewrite`'s sentence)."""
    import stat

    refused = can_rewrite(path)
    if refused is not None:
        raise OneTakeError(refused)
    real = Path(os.path.realpath(path))
    try:
        status: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise os_error_sentence(error, f"write {Path(path).name}") from error
    # A rename gives the file a new inode (review s13c C5, kept by choice): a hard link to the
    # old one keeps the old text, and the owner, group, ACLs and xattrs become the writer's.
    # Only the permission bits are carried over.
    mode = None if status is None else stat.S_IMODE(status.st_mode)
    with atomic_output(real, mode, create_mode=0o666) as handle:
        handle.write(data)
    return real


CSV_BOM = b"\xef\xbb\xbf"  # Excel on Windows reads UTF-8 only with it
# A cell that starts with one of these is a formula to a spreadsheet: a candidate called
# "=HYPERLINK(...)" must stay text, so such cells get a leading apostrophe (OWASP's advice).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# All one character, so ``text and text[0] in _FORMULA_FIRST`` is
# ``text.startswith(_FORMULA_STARTS)`` (no slice made per cell).
_FORMULA_FIRST = frozenset(_FORMULA_STARTS)
assert all(len(start) == 1 for start in _FORMULA_STARTS)


def csv_bytes(
    fields: Sequence[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    *,
    json_cells: bool = False,
) -> bytes:
    """A CSV export for spreadsheets: UTF-8 with a byte-order mark, a header row of
    ``fields``, None as an empty cell, and text that would run as a formula kept as text.

    A row is a mapping (a missing field is an empty cell, a key not in ``fields`` is a
    ValueError, as with ``csv.DictWriter``) or a sequence of cells in ``fields`` order.
    ``json_cells`` writes list and dict cells as their JSON (``ensure_ascii=False``)."""
    import csv  # with the first export: every window imports this module, few export

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    names = list(fields)
    writer.writerow(names)
    known = frozenset(names)
    # In C for a mapping that holds exactly the fields (every row an export service makes).
    pick = operator.itemgetter(*names) if len(names) > 1 else None
    first = _FORMULA_FIRST
    dumps = json_encoder(False, ", ", nested=True)  # json.dumps(v, ensure_ascii=False)
    write = writer.writerow  # row by row: 85,000 lists kept alive would wake the collector
    for row in rows:
        values: Iterable[Any]
        if isinstance(row, Mapping):
            if pick is not None and len(row) == len(known):
                try:
                    values = pick(row)
                except KeyError:  # as many keys, not the same ones: the slow way says which
                    values = _mapped(row, names, known)
            else:
                values = _mapped(row, names, known)
        else:
            values = row
        # Only text can be a formula: numbers ("-2") stay numbers; csv writes None as "".
        if json_cells:  # JSON text starts with [ or {: never a formula
            write(
                [
                    ("'" + v if v and v[0] in first else v)
                    if isinstance(v, str)
                    else (dumps(v) if isinstance(v, (list, dict)) else v)
                    for v in values
                ]
            )
        else:
            write(
                [
                    ("'" + v if v and v[0] in first else v) if isinstance(v, str) else v
                    for v in values
                ]
            )
    return CSV_BOM + buffer.getvalue().encode("utf-8")


def _mapped(row: Mapping[str, Any], names: list[str], known: frozenset[str]) -> list[Any]:
    """The row's cells in ``names`` order, as ``csv.DictWriter`` picks them."""
    wrong = row.keys() - known
    if wrong:
        raise ValueError("dict contains fields not in fieldnames: " + ", ".join(map(repr, wrong)))
    return [row.get(name, "") for name in names]


# -- JSON exports ---------------------------------------------------------------------------------
# json.dumps(..., indent=2) runs Python's pure encoder (the C one takes no indent in this
# Python). indented_json gives the same text with the C encoder doing each container of
# plain values (a row) in one call, its item separator carrying the newline and the
# indentation; only containers that hold containers are walked here, as the pure encoder does.

_PLAIN = frozenset({str, int, float, bool, type(None)})  # exact types: no subclass surprises
_CONTAINERS = frozenset({list, tuple, dict})
_FLAT = _PLAIN | _CONTAINERS
_INFINITY = float("inf")


def indented_json(value: Any, *, ensure_ascii: bool = True) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=ensure_ascii)``, byte for byte, faster.

    The same errors for what JSON cannot hold (TypeError) and for a container inside itself
    (ValueError)."""
    return _Indented(ensure_ascii).text(value, 0, set())


def json_encoder(
    ensure_ascii: bool, item_separator: str, key_separator: str = ": ", *, nested: bool = False
) -> Callable[[Any], str]:
    """``json.JSONEncoder(ensure_ascii=..., separators=(item_separator, key_separator)).encode``
    without an encoder made per call (exports, and the signatures of every scored row): the C
    one is called directly where it is there and gives the public one's text on a probe, else
    the public one is used. Without ``nested`` there is no circular-reference check: only for
    containers of plain values or empty ones."""
    import json  # see _string_encoder

    public = json.JSONEncoder(ensure_ascii=ensure_ascii, separators=(item_separator, key_separator))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return public.encode
    string = _string_encoder(ensure_ascii)
    markers: dict[int, Any] | None = {} if nested else None
    try:
        encode = make(
            markers, public.default, string, None, key_separator, item_separator, False, False, True
        )
        probes: list[Any] = [
            ['é \u2028 "q"\\\n', 1, -2.5, 10**20, None, True, float("nan"), "\x00", [], {}],
            {"a": 1, "é": "\u2028", "n": None, "f": -0.0, "t": False, 2: [], 1.5: {}, None: 0},
            [{"at_ms": 5, "text": "x", "at": "t"}, {"e": [1, [2, {}]]}],
        ]
        if any("".join(encode(p, 0)) != public.encode(p) for p in probes):
            return public.encode
    except (TypeError, ValueError):  # another Python's private signature: the public way
        return public.encode
    join = "".join
    return lambda value: join(encode(value, 0))


class _Indented:
    def __init__(self, ensure_ascii: bool) -> None:
        import json  # see _string_encoder

        self.ensure_ascii = ensure_ascii
        self.string = _string_encoder(ensure_ascii)
        self.public = json.JSONEncoder(ensure_ascii=ensure_ascii)
        self.flat_at: dict[int, Callable[[Any], str]] = {}

    def flat(self, level: int) -> Callable[[Any], str]:
        """The encoder for a container of plain values whose items sit at ``level + 1``."""
        encode = self.flat_at.get(level)
        if encode is None:
            encode = json_encoder(self.ensure_ascii, ",\n" + "  " * (level + 1))
            self.flat_at[level] = encode
        return encode

    def text(self, o: Any, level: int, seen: set[int]) -> str:
        kind = type(o)
        if kind is dict:  # a row: the common case first
            return self.mapping(o, level, seen)
        if kind is str:
            return self.string(o)
        # The pure encoder's tests in its order (json.encoder._make_iterencode).
        if isinstance(o, str):
            return self.string(o)
        if o is None:
            return "null"
        if o is True:
            return "true"
        if o is False:
            return "false"
        if isinstance(o, int):
            return int.__repr__(o)
        if isinstance(o, float):
            return _float_text(o)
        if isinstance(o, (list, tuple)):
            return self.sequence(o, level, seen)
        if isinstance(o, dict):
            return self.mapping(o, level, seen)
        return self.public.encode(o)  # TypeError, as json.dumps, for what JSON cannot hold

    def sequence(self, o: list[Any] | tuple[Any, ...], level: int, seen: set[int]) -> str:
        if not o:
            return "[]"
        if _PLAIN.issuperset(map(type, o)):
            return self.wrap("[", self.flat(level)(o), "]", level)
        inner = self.enter(o, seen)
        items = [self.text(v, level + 1, inner) for v in o]
        seen.discard(id(o))
        return self.join("[", items, "]", level)

    def mapping(self, o: dict[Any, Any], level: int, seen: set[int]) -> str:
        if not o:
            return "{}"
        encode = self.flat(level)
        values = o.values()
        # Plain values and empty lists, tuples and dicts ("[]" and "{}" with or without
        # indent: a row with no notes): one C call. The types are asked first, so truth is
        # asked of plain values and containers only.
        if _FLAT.issuperset(map(type, values)) and _PLAIN.issuperset(
            map(type, filter(None, values))
        ):
            return self.wrap("{", encode(o), "}", level)
        inner = self.enter(o, seen)
        # Runs of plain values, and of empty containers ([] and {} with or without indent),
        # go to the C encoder in one call each: its separator is the one between our items.
        parts: list[str] = []
        run: dict[Any, Any] = {}
        for k, v in o.items():
            kind = type(v)
            if kind in _PLAIN or (kind in _CONTAINERS and not v):
                run[k] = v
                continue
            if run:
                parts.append(encode(run)[1:-1])
                run = {}
            parts.append(f"{self.string(self.key(k))}: {self.text(v, level + 1, inner)}")
        if run:
            parts.append(encode(run)[1:-1])
        seen.discard(id(o))
        return self.join("{", parts, "}", level)

    @staticmethod
    def enter(o: object, seen: set[int]) -> set[int]:
        if id(o) in seen:
            raise ValueError("Circular reference detected")
        seen.add(id(o))
        return seen

    @staticmethod
    def key(k: Any) -> str:
        if isinstance(k, str):
            return k
        if isinstance(k, float):
            return _float_text(k)
        if k is True:
            return "true"
        if k is False:
            return "false"
        if k is None:
            return "null"
        if isinstance(k, int):
            return int.__repr__(k)
        raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")

    @staticmethod
    def wrap(opening: str, flat: str, closing: str, level: int) -> str:
        # flat is "[a,\n    b]": the C encoder's brackets, our indentation inside them
        inner = "\n" + "  " * (level + 1)
        return f"{opening}{inner}{flat[1:-1]}\n{'  ' * level}{closing}"

    @staticmethod
    def join(opening: str, items: list[str], closing: str, level: int) -> str:
        inner = "\n" + "  " * (level + 1)
        return f"{opening}{inner}{(',' + inner).join(items)}\n{'  ' * level}{closing}"


def _string_encoder(ensure_ascii: bool) -> Callable[[str], str]:
    # json is imported by the functions that encode: every window imports this module, and a
    # blank author window reaches its first paint without JSON (issue 17).
    import json

    encoder: Callable[[str], str] = (
        json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    )
    return encoder


def _float_text(value: float) -> str:
    # json.dumps's allow_nan=True spelling (json.encoder's floatstr)
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)
