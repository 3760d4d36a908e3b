"""Reviewer mode windows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QWidget


def open_reviewer_window(paths: Sequence[Path] = ()) -> QWidget:
    """The reviewer window on the user's library; ``paths`` (bundles, folders) import first."""
    from onetake_desktop.services.reviewer import open_reviewer_service
    from onetake_desktop.ui.reviewer.window import ReviewerWindow

    window = ReviewerWindow(open_reviewer_service())
    if paths:
        window.import_paths(list(paths))
    return window
