"""Layering is enforced by import-linter, and the contracts really bite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command;"
            " sys.exit(lint_imports_command())",
            "--config",
            str(REPO / "pyproject.toml"),
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=src.parent,
        timeout=120,
    )


def test_contracts_hold() -> None:
    result = lint_imports(REPO / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_qt_import_in_domain_breaks_a_contract(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    shutil.copytree(REPO / "src", copy, ignore=shutil.ignore_patterns("__pycache__"))
    bad = copy / "onetake_desktop" / "domain" / "leak.py"
    bad.write_text("import PySide6.QtCore  # a core module must not know Qt\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "Qt only in ui BROKEN" in result.stdout


def test_services_type_against_media_without_loading_pyav_or_opencv() -> None:
    """The take result, its stats and the profiles are plain types (media/types.py,
    media/profiles.py): the candidate service and the context load neither PyAV nor OpenCV."""
    code = (
        "import sys\n"
        "import onetake_desktop.services.candidate, onetake_desktop.services.context\n"
        "from onetake_desktop.media.types import TakeResult, TakeStats\n"
        "print(sorted(m for m in ('av', 'cv2', 'sounddevice') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
