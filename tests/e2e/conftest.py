"""End-to-end fixtures: the real app under the project's own Xvfb and virtual microphone."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.virtual_devices import VirtualDevices


@pytest.fixture(scope="session")
def virtual_devices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualDevices]:
    devices = VirtualDevices(tmp_path_factory.mktemp("vdev"))
    devices.start_display()
    devices.start_audio()
    yield devices
    devices.stop()


@pytest.fixture
def app_env(virtual_devices: VirtualDevices, onetake_home: Path) -> dict[str, str]:
    """Environment for a real app process: real X display (not offscreen), virtual devices."""
    env = {**os.environ, **virtual_devices.env, "ONETAKE_HOME": str(onetake_home)}
    env.pop("QT_QPA_PLATFORM", None)
    return env


def screenshot(env: dict[str, str], out: Path) -> Path:
    """Capture the whole virtual screen (ImageMagick's import)."""
    subprocess.run(["import", "-window", "root", str(out)], env=env, check=True, timeout=30)
    return out


def app_output(stderr: str, home: Path) -> str:
    """Everything the app said: its stderr and its log folder (a window's stderr and Qt's
    messages go to logs/native.log, unexpected errors to logs/onetake.log)."""
    logs = sorted((home / "logs").glob("*.log*"))
    return stderr + "".join(p.read_text(encoding="utf-8", errors="replace") for p in logs)
