"""Every directory the app uses, in one place.

``ONETAKE_HOME`` redirects all of them (tests, portable installs, panels that keep a library
on a USB stick); otherwise platformdirs picks the platform's usual places.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import platformdirs

APP_NAME = "OneTake"
APP_AUTHOR = "OneTake"


# Bundled, read-only files (icons, demo kit, style sheet). In a checkout this is a link to the
# top-level resources/ folder; wheels and Briefcase builds carry the files themselves.
RESOURCES_DIR = Path(__file__).resolve().parent / "resources"


# The records every window's start makes (AppPaths, DeviceDefaults, GuiRequest, ReviewerPrefs,
# Settings, AppContext) are NamedTuples, not frozen dataclasses: as immutable, and ~0.1 ms to
# define against ~0.6 ms (a dataclass compiles its __init__, __eq__, __repr__, __hash__,
# __setattr__ and __delattr__ when its module is imported; issue 17). A changed copy is
# ``record._replace(field=...)``.
class AppPaths(NamedTuple):
    """The writable directories of one installation (or one test)."""

    data: Path
    config: Path
    cache: Path
    logs: Path

    @property
    def sessions(self) -> Path:
        """Candidate sessions in progress: takes and saved state, one folder per kit."""
        return self.data / "sessions"

    @property
    def library(self) -> Path:
        """Reviewer library: imported media and the SQLite database."""
        return self.data / "library"

    @property
    def database(self) -> Path:
        return self.library / "onetake.sqlite3"

    @property
    def settings(self) -> Path:
        return self.config / "settings.json"

    def ensure(self) -> AppPaths:
        for d in (self.data, self.config, self.cache, self.logs, self.sessions, self.library):
            private_dir(d)
        return self


# Candidates' names, emails and recordings live under these folders: only their owner may
# read them (0700 folders, 0600 files), whatever the umask of the session that made them.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by its owner only; an existing folder
    is tightened to 0700 too (libraries made by older versions were world-readable)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    for p in (path, *missing):
        with contextlib.suppress(OSError):  # not ours (a shared parent) or not POSIX
            os.chmod(p, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Make an existing file readable by its owner only (no-op where it is missing)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_FILE_MODE)


def app_paths(environ: Mapping[str, str] | None = None) -> AppPaths:
    """Resolve the directories now (reads ``ONETAKE_HOME`` each call, so tests can set it)."""
    home = (os.environ if environ is None else environ).get("ONETAKE_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(root / "data", root / "config", root / "cache", root / "logs")
    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
    )


def resource(*parts: str) -> Path:
    """Path of a bundled resource file."""
    return RESOURCES_DIR.joinpath(*parts)
