"""What `onetake --version` and Help > About say: version, bundled licences, where files live.

One text for both, so the window and the command cannot drift apart. Versions come from the
installed distributions' metadata (cheap: nothing heavy is imported). The licence facts are
about what the installers bundle; tests/pipeline/test_about_licences.py checks them against
the libraries actually installed (x264 inside PyAV's FFmpeg, Qt inside PySide6).
"""

from __future__ import annotations

from dataclasses import dataclass

from onetake_desktop import __version__
from onetake_desktop.logs import log_file
from onetake_desktop.paths import AppPaths

PROJECT_LICENCE = "GPL-3.0-or-later"


@dataclass(frozen=True)
class Component:
    """A library the installers ship inside the app."""

    name: str
    distribution: str  # the Python distribution that carries it, for its version
    licence: str


BUNDLED: tuple[Component, ...] = (
    Component("Qt 6", "PySide6-Essentials", "LGPL-3.0"),
    Component(
        "FFmpeg with x264 and x265",
        "av",
        "FFmpeg LGPL-3.0-or-later; x264 and x265 GPL-2.0-or-later, so GPL as shipped",
    ),
    Component("OpenCV", "opencv-python-headless", "Apache-2.0"),
    Component("NumPy", "numpy", "BSD-3-Clause"),
    Component("libsndfile", "soundfile", "LGPL-2.1-or-later"),
    Component("PortAudio bindings", "sounddevice", "MIT"),
    Component("age encryption", "pyrage", "MIT"),
    Component("cryptography", "cryptography", "Apache-2.0 or BSD-3-Clause"),
)


def _version_of(distribution: str) -> str:
    # importlib.metadata (email, zipfile, csv...) only when the facts are asked for: windows
    # import this module for their About dialog.
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_text(paths: AppPaths) -> str:
    """Plain text, several lines: shown as is by the command and by the About dialog."""
    lines = [
        f"OneTake {__version__}",
        f"Licence: {PROJECT_LICENCE} (see the LICENSE file; no warranty).",
        "",
        "Bundled libraries and their licences:",
    ]
    for c in BUNDLED:
        carrier = f"{c.distribution} {_version_of(c.distribution)}"
        lines.append(f"  {c.name} ({carrier}): {c.licence}")
    lines += [
        "",
        "Where your files live:",
        f"  Data (recordings, sessions, reviewer library): {paths.data}",
        f"  Settings: {paths.config}",
        f"  Logs: {log_file(paths.logs)}",
        "Uninstalling OneTake leaves these folders in place; delete them to remove your data.",
    ]
    return "\n".join(lines)
