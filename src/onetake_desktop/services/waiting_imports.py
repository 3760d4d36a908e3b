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

log = logging.getLogger(__name__)

WAITING_FILE = "waiting-imports.json"
LOCK_FILE = "waiting-imports.lock"
FORMAT_VERSION = 1

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
        each time: another OneTake on the library may have added or imported some."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:  # the usual case: a stat, and json never loads
            return []
        except OSError as error:
            log.warning("The bundles waiting for a sign-in cannot be read (%s)", error)
            return []
        return _parse(raw)

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

    # -- changing -----------------------------------------------------------------------------

    def keep(self, paths: Sequence[Path]) -> None:
        """Add ``paths`` (made absolute: a command line's relative path must still name the
        same file after a restart), each once, after those already waiting. Raises a
        OneTakeError with one sentence when the list cannot be written (nothing is kept)."""
        with self._exclusive():
            entries = self.entries()
            known = {path for path, _ in entries}
            for path in paths:
                absolute = Path(os.path.abspath(path))
                if absolute not in known:
                    known.add(absolute)
                    entries.append((absolute, absolute.is_dir()))
            self._write(entries)

    def settle(self, paths: Sequence[Path]) -> None:
        """``paths`` were imported (each reported, whatever became of it): off the list.
        Paths kept meanwhile, here or by another OneTake, stay."""
        done = {Path(os.path.abspath(p)) for p in paths}
        with self._exclusive():
            entries = self.entries()
            left = [(path, folder) for path, folder in entries if path not in done]
            if len(left) != len(entries):
                self._write(left)

    def _write(self, entries: list[tuple[Path, bool]]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
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
        (Windows) there is no lock; every change still reads the list right before writing."""
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
            fcntl.flock(fd, fcntl.LOCK_EX)  # released by the close below, or by the OS
            yield
        finally:
            os.close(fd)


def _parse(raw: bytes) -> list[tuple[Path, bool]]:
    """The entries of a waiting list; what is not understood is skipped and logged (a file
    written by hand, or by a newer OneTake with more in it)."""
    import json

    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        log.warning("The list of bundles waiting for a sign-in is damaged (%s)", error)
        return []
    items = data.get("waiting") if isinstance(data, dict) else None
    if not isinstance(items, list):
        log.warning("The list of bundles waiting for a sign-in has no entries")
        return []
    entries: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for item in items:
        text = item.get("path") if isinstance(item, dict) else None
        if not isinstance(text, str) or not text or not os.path.isabs(text):
            log.warning("Skipped an entry of the bundles waiting for a sign-in")
            continue
        path = Path(os.path.abspath(text))  # as keep and settle write and compare them
        if path not in seen:
            seen.add(path)
            entries.append((path, item.get("folder") is True))
    return entries
