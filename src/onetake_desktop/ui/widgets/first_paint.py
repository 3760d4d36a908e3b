"""Run work once a window has painted its first frame (issue 17: quick start).

A window shows what it must at once; work its first frame does not need (a banner computed
over the whole library, the start-up expiry, a check whose answer shows in a dialog) waits
until the window is on screen. ``QTimer.singleShot(0)`` from the constructor or the Show event
is not enough: it is a posted event, and Qt handles posted events before the window system's
expose that paints, so it would still run before the first frame.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _AfterFirstPaint(QObject):
    """Watches the widget's first paint event, and its native window's first expose (which
    Qt answers by painting the frame synchronously): whichever comes first."""

    def __init__(self, window: QWidget, callback: Callable[[], object]) -> None:
        super().__init__(window)
        self._window = window
        self._callback = callback
        self._armed = True
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not self._armed:
            return False
        if kind == QEvent.Type.Show and watched is self._window:
            handle = self._window.windowHandle()
            if handle is not None:
                handle.installEventFilter(self)
        elif kind == QEvent.Type.Paint or (
            kind == QEvent.Type.Expose
            and watched is self._window.windowHandle()
            and self._window.windowHandle().isExposed()
        ):
            self._armed = False
            # Queued: runs once this paint (and the rest of the frame) is done.
            QTimer.singleShot(0, self._run)
        return False

    def _run(self) -> None:
        self._window.removeEventFilter(self)
        handle = self._window.windowHandle()
        if handle is not None:
            handle.removeEventFilter(self)
        self.deleteLater()
        if self._window.isVisible():  # closed in the meantime: its services may be closed too
            self._callback()


def after_first_paint(window: QWidget, callback: Callable[[], object]) -> None:
    """Call ``callback`` on the GUI thread right after ``window`` paints for the first time
    (never, if it is never shown or is closed before). ``window`` is a top-level widget: its
    own paint event comes first in each frame."""
    _AfterFirstPaint(window, callback)
