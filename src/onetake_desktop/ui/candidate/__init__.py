"""Candidate mode windows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget


def open_candidate_window(kit: Path, **options: Any) -> QWidget:
    from onetake_desktop.domain.errors import OneTakeError

    raise OneTakeError("Candidate mode is not available in this build yet.")
