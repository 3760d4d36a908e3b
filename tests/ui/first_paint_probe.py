"""What a window held when its first frame was painted: a filter on the window that reads a
value at its first Paint event (whether a lazily made part existed by then)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class AtFirstPaint(QObject):
    """``built``: what ``read()`` said at the window's first Paint (None until then)."""

    def __init__(self, window: QWidget, read: Callable[[], bool]) -> None:
        super().__init__(window)
        self.read = read
        self.built: bool | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.built is None:
            self.built = self.read()
        return False
