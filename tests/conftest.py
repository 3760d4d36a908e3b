"""Test isolation for every layer.

- Qt runs offscreen: set before any QApplication can exist (without a display, Qt would abort
  the process instead of failing a test).
- Every test gets a fresh ``ONETAKE_HOME``, so nothing touches real user data.
- A test that leaves a Python thread running fails (workers must be stopped and joined).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never record from a real device by accident in tests.
os.environ.pop("ONETAKE_CAMERA", None)
os.environ.pop("ONETAKE_MIC", None)

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def onetake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "onetake-home"
    home.mkdir()
    monkeypatch.setenv("ONETAKE_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def no_dangling_threads(request: pytest.FixtureRequest) -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        left = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.name.startswith("pytest_timeout")
        ]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if left:
        names = ", ".join(t.name for t in left)
        pytest.fail(f"{request.node.nodeid} left threads running: {names}", pytrace=False)
