"""Run work once a window has painted its first frame (issue 17: quick start).

A window shows what it must at once; work its first frame does not need (a banner computed
over the whole library, the start-up expiry, a check whose answer shows in a dialog) waits
until the window is on screen. ``QTimer.singleShot(0)`` from the constructor or the Show event
is not enough: it is a posted event, and Qt handles posted events before the window system's
expose that paints, so it would still run before the first frame.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from collections.abc import Callable


class _AfterFirstPaint(QObject):
    """Watches the widget's first paint event, and its native window's first expose (which
    Qt answers by painting the frame synchronously): whichever comes first.

    One per window, for all the callbacks asked for before that paint: each watcher is a
    Python event filter that every event of the window goes through until it paints (the
    reviewer asks for up to six; each cost ~1.5 M instructions before the first frame)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName(_WATCHER)
        self._window = window
        self.callbacks: list[Callable[[], object]] = []
        self.armed = True
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not self.armed:
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
            self.armed = False
            # Queued: each runs once this paint (and the rest of the frame) is done, in the
            # order asked, each in its own call (one that fails does not stop the others).
            for _ in self.callbacks:
                QTimer.singleShot(0, self._run_next)
        return False

    def _run_next(self) -> None:
        callback = self.callbacks.pop(0)
        if not self.callbacks:  # the last one: the watcher's work is done
            self._window.removeEventFilter(self)
            handle = self._window.windowHandle()
            if handle is not None:
                handle.removeEventFilter(self)
            self.deleteLater()
        if self._window.isVisible():  # closed in the meantime: its services may be closed too
            callback()


_WATCHER = "AfterFirstPaint"


def after_first_paint(window: QWidget, callback: Callable[[], object]) -> None:
    """Call ``callback`` on the GUI thread right after ``window`` paints for the first time
    (never, if it is never shown or is closed before); callbacks asked for before the same
    paint run in the order asked. ``window`` is a top-level widget: its own paint event comes
    first in each frame."""
    # The window's own direct child only (a dialog inside it has its own watcher), looked for
    # among its children: findChild's option for that is an enum of the Qt namespace, which
    # PySide6 would build before the first paint (ui/widgets/qt_numbers.py).
    watcher = next((c for c in window.children() if isinstance(c, _AfterFirstPaint)), None)
    if watcher is None or not watcher.armed:  # none yet, or it has seen its paint already
        watcher = _AfterFirstPaint(window)
    watcher.callbacks.append(callback)
