"""Kit text on screen: plain text, with the tiny safe subset built by our own code.

Kit texts come from outside. :func:`parse_safe_text` (domain/safe_text.py) splits them into
paragraphs and bullet lines and finds https:/mailto: addresses. Each block becomes a QLabel in
``Qt.PlainText``; only a block holding an address is rich text, and then every character of the
kit's text is escaped and the only tags are the ones written here (``<a href>`` around the
escaped address, ``<br>``), so a kit can never load an image, hide text or fake a link.
A link opens nothing by itself: ``link_activated`` carries the address to the window, which
shows it and asks first.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from onetake_desktop.domain.safe_text import Block, parse_safe_text
from onetake_desktop.ui.candidate.widgets import TextLabel, make_selectable
from onetake_desktop.ui.widgets.qt_numbers import (
    AlignmentFlag,
    FocusPolicy,
    TextFormat,
    TextInteractionFlag,
    set_properties,
)

# Qt's enums by number: kit texts are on the candidate's first page, before whose paint
# naming the Qt namespace costs ~120 M instructions (issue 17; ui/widgets/qt_numbers.py).


def block_html(block: Block) -> str:
    """Our own markup for a block with links: escaped text, escaped addresses."""
    import html  # issue 17: only a block with a link needs it (html.entities: ~10 M instructions)

    parts: list[str] = []
    for span in block.spans:
        text = html.escape(span.text, quote=False).replace("\n", "<br>")
        if span.link:
            parts.append(f'<a href="{html.escape(span.link, quote=True)}">{text}</a>')
        else:
            parts.append(text)
    return "".join(parts)


class SafeText(QWidget):
    """A kit text (welcome, notice, question context, ...) as paragraphs and bullet lines."""

    link_activated = Signal(str)

    def __init__(self, text: str = "", name: str | None = None) -> None:
        super().__init__()
        self._name = name
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.labels: list[QLabel] = []
        self._text = ""
        self.set_text(text)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text == self._text and self.labels:
            return
        self._text = text
        while self._layout.count():
            item = self._layout.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.hide()
                w.deleteLater()
        self.labels = []
        for block in parse_safe_text(text):
            lab = self._label(block)
            if block.kind == "bullet":
                row = QWidget()
                row_l = QHBoxLayout(row)
                row_l.setContentsMargins(8, 0, 0, 0)
                row_l.setSpacing(8)
                dot = QLabel("•")
                # At the top of its line's height: the label's own alignment (the layout's
                # AlignTop would need the Qt namespace; the same pixels).
                set_properties(
                    dot,
                    textFormat=TextFormat.PlainText,
                    alignment=AlignmentFlag.AlignLeft | AlignmentFlag.AlignTop,
                )
                dot.setAccessibleName("Bullet")
                row_l.addWidget(dot)
                row_l.addWidget(lab, 1)
                self._layout.addWidget(row)
            else:
                self._layout.addWidget(lab)
        self.setAccessibleName(text[:200])
        if not text.strip():
            self.hide()
        elif self.parentWidget() is not None:
            self.show()
        # Not placed yet and not empty: nothing to do (show() would open it as a window of
        # its own, for a moment: a native window, and the candidate window lost the focus).

    def _label(self, block: Block) -> QLabel:
        lab = TextLabel()
        if self._name:
            lab.setObjectName(self._name)
        lab.setWordWrap(True)
        if block.has_link:
            lab.set_text_format(TextFormat.RichText)
            lab.setProperty("safe_link", True)  # the one kind of rich text in candidate mode
            lab.setText(block_html(block))
            lab.setOpenExternalLinks(False)  # the window shows the address and asks first
            lab.set_interaction_flags(
                TextInteractionFlag.TextSelectableByMouse
                | TextInteractionFlag.LinksAccessibleByMouse
                | TextInteractionFlag.LinksAccessibleByKeyboard
            )
            set_properties(lab, focusPolicy=FocusPolicy.StrongFocus)  # Tab reaches the link
            lab.linkActivated.connect(self.link_activated.emit)
        else:
            lab.set_text_format(TextFormat.PlainText)
            lab.setText(block.text)
            make_selectable(lab)
        lab.setAccessibleName(block.text[:200])
        self.labels.append(lab)
        return lab
