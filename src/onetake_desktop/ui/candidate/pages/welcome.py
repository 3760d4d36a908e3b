"""The kit's welcome, the facts (questions, time, deadline, what is needed) and Start."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.widgets import (
    CappedLabel,
    TextLabel,
    button,
    card,
    label,
    make_selectable,
)
from onetake_desktop.ui.widgets.qt_numbers import (
    AlignmentFlag,
    TextFlag,
    TextFormat,
    set_properties,
)

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from onetake_desktop.ui.candidate.window import CandidateWindow


class FactLines(TextLabel):
    """Lines shown as a list in one plain-text label: each line's bullet is drawn in the
    label's left margin, and a line that wraps goes on under its words, not under a "•"
    typed into the text (review s11 #20). One label, not a row of widgets per line: those
    cost the candidate's first paint ~27 M instructions for four lines (issue 17)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.set_text_format(TextFormat.PlainText)
        self.setObjectName(name)
        self.setWordWrap(True)
        set_properties(self, alignment=AlignmentFlag.AlignLeft | AlignmentFlag.AlignTop)
        make_selectable(self)

    def set_lines(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.setText("\n".join(self.lines))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # The margin holds a bullet and a space in this font (the text size may change).
        indent = self.fontMetrics().horizontalAdvance("•  ")
        if self.contentsMargins().left() != indent:
            self.setContentsMargins(indent, 0, 0, 0)

    def bullet_tops(self) -> list[int]:
        """The top of each line's first row at the label's width: where its bullet goes."""
        metrics = self.fontMetrics()
        area = self.contentsRect()
        tops, top = [], area.top()
        for line in self.lines:
            tops.append(top)
            top += metrics.boundingRect(
                0, 0, area.width(), 1 << 24, TextFlag.TextWordWrap, line
            ).height()
        return tops

    def paintEvent(self, event: object) -> None:
        super().paintEvent(event)  # type: ignore[arg-type]
        from PySide6.QtGui import QPainter  # made with the first paint of the welcome page

        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        ascent = self.fontMetrics().ascent()
        for top in self.bullet_tops():
            painter.drawText(0, top + ascent, "•")
        painter.end()


class WelcomePage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        kit = self.service.kit
        # The heading stays on screen (the body scrolls under it): at most two lines of
        # title and one of organisation, cut with "…" (a 200-character role took four lines,
        # half of a 1366x768 screen at 150 %: walk s13 LOW-6). Cut, both are whole in the
        # welcome's card, their tooltips and their accessible names.
        self.title = CappedLabel(f"Interview for {kit.role_title}", "Title", lines=2)
        self.heading.addWidget(self.title)
        self.subtitle = CappedLabel(kit.organisation, "Subtitle", lines=1)
        self.heading.addWidget(self.subtitle)
        self.layout_.addWidget(self.trust_notice())
        box, inner = card()
        self.whole_heading = label(f"Role: {kit.role_title}\nOrganisation: {kit.organisation}")
        self.whole_heading.setAccessibleName("Role and organisation")
        self.whole_heading.setVisible(False)  # while the heading shows them whole
        inner.addWidget(self.whole_heading)
        for part in (self.title, self.subtitle):
            part.cut_changed.connect(self._show_whole_heading)
        self.welcome = self.kit_text(kit.welcome)
        inner.addWidget(self.welcome)
        facts, facts_l = card()
        # One label drawing its own bullets (FactLines), not the kit list's bullet rows
        # beside it: the rows (a widget, a dot and a measured label each) cost the first
        # paint ~27 M instructions for these four lines (+3 %, issue 17).
        self.facts = FactLines("Fact")
        self.facts.setAccessibleName("About this interview")
        facts_l.addWidget(self.facts)
        how, how_l = card()
        how_l.addWidget(label("How it works", "Subtitle"))
        self.instructions = self.kit_text(kit.instructions)
        how_l.addWidget(self.instructions)
        how_l.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(14)
        left = QVBoxLayout()
        left.addWidget(box)
        left.addWidget(facts)
        left.addStretch(1)
        row.addLayout(left, 1)
        row.addWidget(how, 1)
        self.layout_.addLayout(row)
        self.layout_.addStretch(1)
        self.start_button = button("Start", "Ctrl+Return", "PrimaryButton", "Start the interview")
        self.set_actions(self.start_button)
        self.start_button.clicked.connect(lambda: self.w.act(self.service.begin))
        # The facts before the page is first laid out (issue 17): set after it, by the window's
        # sync, they changed the page's size hints and Qt measured all its labels again.
        self.sync()

    def _show_whole_heading(self) -> None:
        self.whole_heading.setVisible(self.title.cut or self.subtitle.cut)

    def sync(self) -> None:
        self.facts.set_lines(self.service.welcome_facts())
