"""Windows sized for the screen they open on (1024x600 netbooks, 1366x768 at 150 %)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to (width, height), or to the screen's free area when that is smaller."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    free = screen.availableGeometry() if screen is not None else None
    if free is not None:
        width, height = min(width, free.width() - 20), min(height, free.height() - 40)
    widget.resize(width, height)
