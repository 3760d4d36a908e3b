"""The real app opens a real window on a real (virtual) X display."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.conftest import app_output, screenshot


def wait_for_window(env: dict[str, str], title: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", title],
            env=env,
            capture_output=True,
            text=True,
        )
        if found.returncode == 0 and found.stdout.strip():
            return found.stdout.split()[0]
        time.sleep(0.2)
    raise AssertionError(f"no visible window named {title!r} within {timeout} s")


def test_onetake_opens_the_start_screen(
    app_env: dict[str, str], onetake_home: Path, tmp_path: Path
) -> None:
    app = subprocess.Popen(
        [sys.executable, "-m", "onetake_desktop"],
        env=app_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        window_id = wait_for_window(app_env, "OneTake")
        geometry = subprocess.run(
            ["xdotool", "getwindowgeometry", window_id],
            env=app_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Geometry:" in geometry
        shot = screenshot(app_env, tmp_path / "start-screen.png")
        assert shot.stat().st_size > 10_000
        assert app.poll() is None, "the app exited on its own"
    finally:
        app.terminate()
        _, stderr = app.communicate(timeout=20)
    said = app_output(stderr, onetake_home)
    assert "Traceback" not in said
    assert "ImportError" not in said
