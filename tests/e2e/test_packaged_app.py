"""Smoke-test the app as it installs: build the wheel, install it apart from the checkout,
start it offscreen, and fail on import errors or missing bundled files."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SMOKE = """
import onetake_desktop, onetake_desktop.paths as p
assert str(p.RESOURCES_DIR).startswith(sys.argv[1]), p.RESOURCES_DIR
from PySide6.QtCore import QTimer
from onetake_desktop.cli import GuiRequest
from onetake_desktop.ui.application import ensure_application, open_window
app = ensure_application()
from onetake_desktop.services.context import AppContext
window = open_window(GuiRequest("start"), AppContext.from_environment())
window.show()
QTimer.singleShot(300, app.quit)
app.exec()
print("started", onetake_desktop.__file__, bool(app.styleSheet()))
"""


def test_installed_wheel_starts_offscreen(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(REPO), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("onetake_desktop-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "onetake_desktop/resources/styles/onetake.qss" in names
    assert "onetake_desktop/resources/icons/onetake.svg" in names
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[2]); " + SMOKE,
            str(target),
            str(target),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"started {target}" in result.stdout
    assert result.stdout.strip().endswith("True")  # the style sheet came from the package
    assert "ImportError" not in result.stderr and "Traceback" not in result.stderr
