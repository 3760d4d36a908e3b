"""Run Python in a fresh process on this checkout's sources, offscreen, with its own home: for
what only a new process shows (the modules a window's start-up loads, PySide6's lazily built
types)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_python(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` with ``ONETAKE_HOME=home`` and ``env`` added; it must exit 0."""
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "ONETAKE_HOME": str(home),
            "PYTHONPATH": str(REPO / "src"),
            **env,
        },
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done
