"""Reviewer mode windows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QWidget


def open_reviewer_window(paths: Sequence[Path] = ()) -> QWidget:
    from onetake_desktop.domain.errors import OneTakeError

    raise OneTakeError("Reviewer mode is not available in this build yet.")
