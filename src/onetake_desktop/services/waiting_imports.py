"""Bundles and folders opened while a panel library is locked, kept for the next sign-in.

``onetake review BUNDLE`` (a double-clicked file) on a locked panel cannot import: nobody is
signed in to add to the library. The paths wait here, in a small file inside the library's
own folder, until someone the policy lets add to the library signs in (PanelService asks
services.scoring), so closing OneTake, or a crash, loses none of them.

The file is rewritten whole (storage/atomic.py: a crash mid-write leaves the old list or the
new one, never a torn one), owner-only like the rest of the library, and every change reads
it again under an exclusive lock first, so two OneTake processes on the same library (two
windows, a window and a later ``onetake review``) add to one list instead of overwriting
each other's. Two of them signed in at once may both import the same kept paths: the
library keeps each bundle once (services.importing: the second is "already in the library").

Privacy: the file holds paths the person at this laptop opened, which can name candidates.
It sits in the library folder beside the database that holds the same candidates' names,
with the same owner-only mode, and shows them to nobody: the lock card gives counts only, and
the paths come back in the import report of whoever signs in and may import. Each path
leaves the list when that import has run (imported, refused, not found, or skipped because
its candidate was erased), so the list outlives no import, and an erased candidate's bundle
is never imported again (services.importing.erased_refusal). A path cannot be matched to a
candidate without reading the bundle it names, so erasure does not look here.

Threading: any thread; each call opens, locks and closes the files it needs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger(__name__)

WAITING_FILE = "waiting-imports.json"
LOCK_FILE = "waiting-imports.lock"
FORMAT_VERSION = 1

DAMAGED_SENTENCE = (
    f"The list of bundles waiting for a sign-in ({WAITING_FILE} in the library folder) is"
    " damaged: it is set aside, whole, beside the new list at the next change."
)
NEWER_SENTENCE = (
    f"The list of bundles waiting for a sign-in ({WAITING_FILE} in the library folder) is"
    " a newer OneTake's, which imports them; this one leaves it as it is."
)
_UNREADABLE, _DAMAGED, _NEWER = "unreadable", "damaged", "newer"


class _Listing(NamedTuple):
    """The list as read: what it names, and "" or one sentence on what was not understood
    (``kind`` one of _UNREADABLE, _DAMAGED, _NEWER, or "")."""

    entries: list[tuple[Path, bool]]
    trouble: str
    kind: str


__all__ = ["WAITING_FILE", "WaitingImports"]


class WaitingImports:
    """The waiting list of the library in ``root``: each entry an absolute path, once, and
    whether it was a folder when it was opened (the lock card's counts, even once it is gone)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / WAITING_FILE

    # -- reading ----------------------------------------------------------------------------

    def entries(self) -> list[tuple[Path, bool]]:
        """(path, was a folder) in the order opened; [] when none wait. Read from the file
        each time: another OneTake on the library may have added or imported some. Tolerant,
        for the lock card: a list it cannot read, or one of a newer OneTake, counts as none
        (logged; :meth:`trouble` says so in a sentence); a damaged one gives what it still
        names. Nothing here changes the file."""
        listing = self._read()
        if listing.trouble:
            log.warning("%s", listing.trouble)
        return listing.entries

    def trouble(self) -> str:
        """One sentence when the list is there but not (all) understood: it cannot be read,
        it is damaged, or a newer OneTake wrote it; "" otherwise. For the one who signs in:
        the lock card's count treats such a list as empty, and must not hide it."""
        return self._read().trouble

    def paths(self) -> list[Path]:
        return [path for path, _ in self.entries()]

    def counts(self) -> tuple[int, int]:
        """(bundle files, folders of bundles) waiting."""
        entries = self.entries()
        folders = sum(1 for _, folder in entries if folder)
        return len(entries) - folders, folders

    def sentence(self) -> str:
        """ "2 bundles and 1 folder of bundles will be imported once a panelist signs in
        (kept if OneTake closes)." Counts only: anyone at the laptop reads the lock card.
        "" when nothing waits."""
        files, folders = self.counts()
        parts = [f"{files} bundle{'' if files == 1 else 's'}"] if files else []
        if folders:
            parts.append(f"{folders} folder{'' if folders == 1 else 's'} of bundles")
        if not parts:
            return ""
        waits = " will be imported once a panelist signs in (kept if OneTake closes)."
        return f"{' and '.join(parts)}{waits}"

    def _read(self) -> _Listing:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:  # the usual case: a stat, and json never loads
            return _Listing([], "", "")
        except OSError as error:
            from onetake_desktop.storage.atomic import os_error_sentence

            doing = "read the list of bundles waiting for a sign-in"
            return _Listing([], str(os_error_sentence(error, doing)), _UNREADABLE)
        return _parse(raw)

    # -- changing -----------------------------------------------------------------------------

    def keep(self, paths: Sequence[Path]) -> None:
        """Add ``paths`` (made absolute: a command line's relative path must still name the
        same file after a restart), each once, after those already waiting. Raises a
        OneTakeError with one sentence when the list cannot be read, locked or written
        (nothing is kept).

        A list it does not understand is never overwritten (review s14 R6): one it cannot
        read, or one a newer OneTake wrote, refuses the keep (left as it is, for the one who
        can read it); a damaged one is first set aside whole, owner-only, as
        ``waiting-imports.damaged-<time>.json`` beside it (logged), and the new list holds
        what it still named and ``paths``. So no kept path is lost."""
        with self._exclusive():
            entries = self._read_to_change()
            known = {path for path, _ in entries}
            for path in paths:
                absolute = Path(os.path.abspath(path))
                if absolute not in known:
                    known.add(absolute)
                    entries.append((absolute, absolute.is_dir()))
            self._write(entries)

    def settle(self, paths: Sequence[Path]) -> None:
        """``paths`` were imported (each reported, whatever became of it): off the list.
        Paths kept meanwhile, here or by another OneTake, stay. A list not understood is
        refused or set aside as by :meth:`keep`."""
        done = {Path(os.path.abspath(p)) for p in paths}
        with self._exclusive():
            entries = self._read_to_change()
            left = [(path, folder) for path, folder in entries if path not in done]
            if len(left) != len(entries) or not self.path.exists():  # (or it was set aside)
                self._write(left)

    def _read_to_change(self) -> list[tuple[Path, bool]]:
        """The entries to rewrite, under the lock: a OneTakeError for a list that cannot be
        read or is a newer OneTake's; a damaged one set aside first (its understood entries
        are returned, to be written again)."""
        from onetake_desktop.domain.errors import OneTakeError

        listing = self._read()
        if listing.kind in (_UNREADABLE, _NEWER):
            raise OneTakeError(listing.trouble)
        if listing.kind == _DAMAGED:
            self._set_aside()
        return listing.entries

    def _set_aside(self) -> None:
        """Rename the damaged list to a name of its own beside it, owner-only (a hand-made
        or half-understood file may hold paths someone wants back)."""
        import time

        from onetake_desktop.paths import PRIVATE_FILE_MODE
        from onetake_desktop.storage.atomic import os_error_sentence

        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        stem = WAITING_FILE.removesuffix(".json")
        aside = self.root / f"{stem}.damaged-{stamp}.json"
        number = 1
        while aside.exists():  # under the lock: nobody else names one meanwhile
            number += 1
            aside = self.root / f"{stem}.damaged-{stamp}-{number}.json"
        try:
            os.replace(self.path, aside)
        except OSError as error:
            raise os_error_sentence(error, f"set aside the damaged {WAITING_FILE}") from error
        try:
            os.chmod(aside, PRIVATE_FILE_MODE)
        except OSError as error:  # a mount refusing chmod: it keeps the list's own mode
            log.info("Kept %s without its mode: %s", aside.name, error)
        log.warning("The damaged list of bundles waiting for a sign-in is kept as %s", aside)

    def _write(self, entries: list[tuple[Path, bool]]) -> None:
        from onetake_desktop.storage.atomic import os_error_sentence

        if not entries:
            try:
                self.path.unlink(missing_ok=True)
            except OSError as error:  # review s14 R7: one sentence, as every other failure
                raise os_error_sentence(error, f"write {WAITING_FILE}") from error
            return
        import json  # with a list to write only (issue 17: a window's start reads none)

        from onetake_desktop.paths import PRIVATE_FILE_MODE
        from onetake_desktop.storage.atomic import atomic_output

        body = {
            "version": FORMAT_VERSION,
            "waiting": [{"path": str(path), "folder": folder} for path, folder in entries],
        }
        with atomic_output(self.path, PRIVATE_FILE_MODE) as handle:
            handle.write((json.dumps(body, indent=2) + "\n").encode("utf-8"))

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the library's waiting-list lock (a separate file: the list itself is replaced
        by a rename, and a lock on a replaced file would lock nothing). Without fcntl
        (Windows) there is no lock; every change still reads the list right before writing.
        A lock the file system refuses (NFS without a lock daemon) is a OneTakeError: two
        OneTake processes could otherwise overwrite each other's paths."""
        from onetake_desktop.paths import PRIVATE_FILE_MODE, private_dir
        from onetake_desktop.storage.atomic import os_error_sentence

        try:
            private_dir(self.root)
            fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        except OSError as error:
            raise os_error_sentence(error, "keep the bundles waiting for a sign-in") from error
        try:
            try:
                import fcntl
            except ImportError:  # not POSIX
                yield
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # released by the close below, or by the OS
            except OSError as error:  # review s14 R7
                doing = "lock the list of bundles waiting for a sign-in"
                raise os_error_sentence(error, doing) from error
            yield
        finally:
            os.close(fd)


def _parse(raw: bytes) -> _Listing:
    """The entries of a waiting list, and whether all of it was understood: a file of a newer
    OneTake gives none (its entries may mean more than a path); a damaged one (not JSON, no
    version or list, an entry that is no absolute path: written by hand, or torn by a disk)
    gives the entries it still names."""
    import json

    damaged = _Listing([], DAMAGED_SENTENCE, _DAMAGED)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return damaged
    if not isinstance(data, dict):
        return damaged
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        return _Listing([], NEWER_SENTENCE, _NEWER)
    items = data.get("waiting")
    if version != FORMAT_VERSION or not isinstance(items, list):
        return damaged
    entries: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    whole = True
    for item in items:
        text = item.get("path") if isinstance(item, dict) else None
        if not isinstance(text, str) or not text or not os.path.isabs(text):
            whole = False
            continue
        path = Path(os.path.abspath(text))  # as keep and settle write and compare them
        if path not in seen:
            seen.add(path)
            entries.append((path, item.get("folder") is True))
    return _Listing(entries, "", "") if whole else damaged._replace(entries=entries)
