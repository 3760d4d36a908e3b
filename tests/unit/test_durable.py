"""durable.py: fsyncs made together still report what went wrong, and a hint that is only a
hint never fails."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from onetake_desktop.durable import fsync_together, start_writeback


def test_files_and_folders_are_synced_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real = os.fsync

    def noting(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", noting)
    handles = [open(tmp_path / f"f{i}", "wb") for i in range(3)]  # noqa: SIM115
    try:
        for handle in handles:
            handle.write(b"data")
            handle.flush()
            start_writeback(handle.fileno())
        fsync_together([h.fileno() for h in handles], [tmp_path])
        assert {h.fileno() for h in handles} <= set(synced)
        assert len(synced) == (4 if os.name == "posix" else 3)  # and the folder
    finally:
        for handle in handles:
            handle.close()


def test_an_error_of_any_of_them_is_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    handle = open(tmp_path / "ok", "wb")  # noqa: SIM115
    broken = open(tmp_path / "full", "wb")  # noqa: SIM115
    real = os.fsync

    def full_disk(fd: int) -> None:
        if fd == broken.fileno():
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    try:
        with pytest.raises(OSError) as raised:
            fsync_together([handle.fileno(), broken.fileno()], [tmp_path])
        assert raised.value.errno == errno.ENOSPC
        with pytest.raises(OSError):
            fsync_together([broken.fileno()])
    finally:
        handle.close()
        broken.close()
    fsync_together([])  # nothing to do is fine
