"""Durability on disk, shared by storage (bundles, exports) and media (takes): the one fsync of
a directory, so a rename or a new file survives a power cut. Plain standard library; any layer
may import it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

# Some file systems (and Windows) refuse to fsync a directory: nothing more can be done there.
_REFUSED = {errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EACCES, errno.EPERM, errno.EISDIR}


def fsync_directory(directory: Path) -> None:
    """Make a rename or create in ``directory`` durable. A system that refuses directory
    fsync is not an error; a real I/O error (EIO, ENOSPC) is raised."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as error:
        if error.errno in _REFUSED:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in _REFUSED:
            raise
    finally:
        os.close(fd)
