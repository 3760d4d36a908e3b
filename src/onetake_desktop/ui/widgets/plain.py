"""Outside text is plain text.

Names, emails, answers, notes, question texts and file names come from bundles and kits that
anyone can write. Qt guesses: a QLabel, a QMessageBox or a tooltip whose text merely looks like
HTML (``<b>``, ``<img src=...>``) is rendered as rich text, so a candidate called
``<img src="file:///..."><b>Panel: approved</b>`` would load a local file and print a fake
verdict. These helpers make every such place show the characters as typed.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from onetake_desktop.ui.widgets.qt_numbers import TextFormat, set_properties

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QMessageBox

# html.escape(text, quote=True), without importing html (and its entity tables) at start-up.
_HTML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
)


def plain_label(text: str = "", *, object_name: str = "", wrap: bool = False) -> QLabel:
    """A QLabel that never interprets its text."""
    label = QLabel()
    set_properties(label, textFormat=TextFormat.PlainText)
    label.setText(text)
    if object_name:
        label.setObjectName(object_name)
    label.setWordWrap(wrap)
    return label


class ElidedLabel(QLabel):
    """One line of plain text cut with "…" at the label's width: it never wraps and never asks
    for more width than it is given, so a long sentence cannot push its neighbours (a banner
    above the player) off a small screen. ``text()`` and the accessible name stay whole; give
    the whole text in a tooltip (:func:`plain_tooltip`) where it may be cut."""

    def __init__(self, text: str = "", *, object_name: str = "") -> None:
        super().__init__()
        set_properties(self, textFormat=TextFormat.PlainText)
        self.setWordWrap(False)
        if object_name:
            self.setObjectName(object_name)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("Mm…"), hint.height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shown_text(self) -> str:
        """The line as painted (cut to the width)."""
        from PySide6.QtCore import Qt  # painting time: see paintEvent

        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        # Imported here: the candidate's and the reviewer's first frames paint no ElidedLabel,
        # and naming QPainter makes its Python enums (~4 M instructions, issue 17), naming Qt
        # its namespace's (~126 M: ui/widgets/qt_numbers.py).
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QPainter

        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            self.foregroundRole(),
        )
        painter.end()


def make_plain(*labels: QLabel) -> None:
    for label in labels:
        set_properties(label, textFormat=TextFormat.PlainText)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally. Tooltips have no text format of their own and
    are read as rich text when they look like it, so the text goes in escaped, inside an
    explicit rich-text wrapper (which keeps line breaks and spaces)."""
    if not text:
        return ""
    return "<qt><p style='white-space:pre-wrap'>" + text.translate(_HTML_ESCAPES) + "</p></qt>"


def plain_box(
    parent: QWidget | None,
    text: str,
    title: str = "OneTake",
    icon: QMessageBox.Icon | None = None,
) -> QMessageBox:
    """A message box whose sentence (often naming a file or a candidate) stays plain text;
    not shown yet (``exec()`` to wait for it, ``open()`` not to). ``icon``: a warning unless
    given."""
    # Imported here: the first QMessageBox makes its enum types (a few ms) and most starts
    # show none.
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    if icon is None:
        icon = QMessageBox.Icon.Warning
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def warn(
    parent: QWidget | None,
    text: str,
    title: str = "OneTake",
    icon: QMessageBox.Icon | None = None,
) -> None:
    """A warning box whose sentence (often naming a file or a candidate) stays plain text."""
    plain_box(parent, text, title, icon).exec()
