"""A candidate window grown past its maximum size (its screen) is brought back within it.

From 150 % text a page's row of buttons can for a moment (while its buttons change) ask for
more width than the screen has; Qt then grows the window past its maximum for good (its
minimum wins) and every later page runs past the screen's edge. Loaded only at such text
sizes: nothing of it before the first paint at the usual size (issue 17).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class WithinMaximum(QObject):
    """Brings a window grown past its maximum size back within it, after the layout that
    grew it has settled (installed by CandidateWindow._guard_screen_at_large_text)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Resize
            and isinstance(watched, QWidget)
            and (
                watched.width() > watched.maximumWidth()
                or watched.height() > watched.maximumHeight()
            )
        ):
            QTimer.singleShot(0, watched, lambda: _within_maximum(watched))
        return False


def _within_maximum(window: QWidget) -> None:
    # The layouts keep the sizes their parts had: a part that shrank while hidden (a page
    # of a stack) never told them. Asked again, the minimum is what is on the pages now.
    for part in window.findChildren(QWidget):
        part.updateGeometry()
    layout = window.layout()
    if layout is not None:
        layout.activate()
    window.resize(window.size().boundedTo(window.maximumSize()))
