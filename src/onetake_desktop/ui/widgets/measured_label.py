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

The text format and interaction flags have setters by number for the code that runs before a
window's first paint, where naming Qt's enums costs (ui/widgets/qt_numbers.py); a Python
``setProperty`` (``set_properties``) of a shaping property goes the same ways. Not seen by
it: a style sheet's ``qproperty-*``, which C++ sets without asking Python (nothing in the
app's style sheet sets one on a label).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from PySide6.QtCore import QEvent, Qt


# The properties that shape the text's layout besides the text itself.
_SHAPING = frozenset({"wordWrap", "alignment", "indent", "margin"})


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

    def keeps_heights_with(self, flags: int) -> bool:
        """Whether the heights measured so far still hold under these interaction flags (Qt's
        ``TextInteractionFlag`` values as a number: a selectable label measures its text
        another way); a subclass that knows may say so."""
        return False

    def set_text_format(self, text_format: int) -> None:
        """``setTextFormat`` by number (``qt_numbers.TextFormat``): before the first paint."""
        self._heights.clear()
        self._set_qt_property("textFormat", text_format)

    def set_interaction_flags(self, flags: int) -> None:
        """``setTextInteractionFlags`` by number (``qt_numbers.TextInteractionFlag``)."""
        if not self.keeps_heights_with(flags):
            self._heights.clear()
        self._set_qt_property("textInteractionFlags", flags)

    def setProperty(self, name: str, value: object) -> bool:
        # set_properties (by number, before the first paint) comes here: a shaping property
        # goes through this label's own bookkeeping, as its setter would.
        if name == "textFormat" and isinstance(value, int):
            self.set_text_format(value)
            return True
        if name == "textInteractionFlags" and isinstance(value, int):
            self.set_interaction_flags(value)
            return True
        if name in _SHAPING:
            self._heights.clear()
        return super().setProperty(name, value)

    def _set_qt_property(self, name: str, value: int) -> None:
        if not QLabel.setProperty(self, name, value):  # past this class's own setProperty
            raise ValueError(f"{type(self).__name__} has no property {name!r} taking {value!r}")

    def changeEvent(self, event: QEvent) -> None:
        self._heights.clear()
        super().changeEvent(event)

    # Qt's own setters, with Qt's enums (code that runs after the first paint), go the same way.
    def setTextFormat(self, format: Qt.TextFormat) -> None:
        self.set_text_format(format.value)

    def setTextInteractionFlags(self, flags: Qt.TextInteractionFlag) -> None:
        self.set_interaction_flags(flags.value)

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
