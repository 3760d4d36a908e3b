"""The transcript's words beside the player (ui/reviewer/transcript.py): a read-only text view
whose click names the word under the pointer and whose menu pins a note to it.

Its own module, loaded with the first answer that has words: the reviewer window's first
frame shows no transcript, and QPlainTextEdit's Python type and enums, and this class, are no
part of it (issue 17). A transcript is the candidate's words (outside text): plain text only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QPlainTextEdit

from onetake_desktop.ui.widgets.qt_numbers import ContextMenuPolicy, set_properties

if TYPE_CHECKING:
    from PySide6.QtGui import QContextMenuEvent, QMouseEvent

    from onetake_desktop.domain.transcript import Word


class TranscriptWords(QPlainTextEdit):
    """The transcript text; a click names the word under the pointer."""

    word_clicked = Signal(int)
    pin_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setReadOnly(True)
        self.setObjectName("TranscriptText")
        self.setAccessibleName("Transcript")
        set_properties(self, contextMenuPolicy=ContextMenuPolicy.DefaultContextMenu)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 12)
        self._starts: list[int] = []  # character offset of each word

    def set_words(self, words: tuple[Word, ...]) -> None:
        self._starts = []
        parts: list[str] = []
        at = 0
        for w in words:
            self._starts.append(at)
            parts.append(w.text)
            at += len(w.text) + 1
        self.setPlainText(" ".join(parts))

    def word_index_at(self, offset: int) -> int | None:
        if not self._starts:
            return None
        import bisect  # with the first transcript (PySide6's import hook reads bisect.py)

        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def span(self, index: int) -> tuple[int, int]:
        start = self._starts[index]
        end = (
            self._starts[index + 1] - 1
            if index + 1 < len(self._starts)
            else start + len(self.toPlainText()[start:])
        )
        return start, end

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        from PySide6.QtCore import Qt  # (user input: after the first paint)

        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            index = self.word_index_at(
                self.cursorForPosition(event.position().toPoint()).position()
            )
            if index is not None:
                self.word_clicked.emit(index)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.word_index_at(self.cursorForPosition(event.pos()).position())
        menu = QMenu(self)
        if index is not None:
            pin = QAction("Pin a note to this word", menu)
            pin.triggered.connect(lambda: self.pin_requested.emit(index))
            menu.addAction(pin)
        menu.exec(event.globalPos())
