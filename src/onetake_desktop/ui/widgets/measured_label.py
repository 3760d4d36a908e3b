"""A text label that lays its text out once per width it is asked about (issue 17).

Qt asks a word-wrapped label its height for a width many times while a window is placed and
first shown (each box layout and scroll area ask again for each size they pass through: ~20
times per label on the candidate's welcome page, ~35 on the author's first tab), and QLabel
lays the whole text out for each answer. The answers are kept here per width and forgotten
when what they depend on may have changed: the text (read back at each question, so every way
of setting it counts: setText, clear, setNum, setProperty), the settings that shape it (their
setters below; reading them back instead makes a Python enum each time, ~40 M instructions on
the candidate's first frame) and any change event (font, style, contents margins, ...).
A text label: no pixmap, picture or movie.

Not seen by it: word wrap, indent or margin changed through ``setProperty`` or a style sheet's
``qproperty-*`` (those skip the setters); nothing in the app sets them so.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from PySide6.QtCore import QEvent, Qt


class MeasuredLabel(QLabel):
    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self._heights: dict[int, int] = {}
        self._for_text = text

    def heightForWidth(self, width: int) -> int:
        text = self.text()
        if text != self._for_text:
            self._for_text = text
            self._heights.clear()
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def keeps_heights_with(self, flags: Qt.TextInteractionFlag) -> bool:
        """Whether the heights measured so far still hold under these interaction flags (a
        selectable label measures its text another way); a subclass that knows may say so."""
        return False

    def changeEvent(self, event: QEvent) -> None:
        self._heights.clear()
        super().changeEvent(event)

    def setTextFormat(self, format: Qt.TextFormat) -> None:
        self._heights.clear()
        super().setTextFormat(format)

    def setTextInteractionFlags(self, flags: Qt.TextInteractionFlag) -> None:
        if not self.keeps_heights_with(flags):
            self._heights.clear()
        super().setTextInteractionFlags(flags)

    def setWordWrap(self, on: bool) -> None:
        self._heights.clear()
        super().setWordWrap(on)

    def setAlignment(self, alignment: Qt.AlignmentFlag) -> None:
        self._heights.clear()
        super().setAlignment(alignment)

    def setIndent(self, indent: int) -> None:
        self._heights.clear()
        super().setIndent(indent)

    def setMargin(self, margin: int) -> None:
        self._heights.clear()
        super().setMargin(margin)
