"""The kit's welcome, the facts (questions, time, deadline, what is needed) and Start."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.widgets import button, card, label

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from onetake_desktop.ui.candidate.window import CandidateWindow


class WelcomePage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        kit = self.service.kit
        self.title = label(f"Interview for {kit.role_title}", "Title")
        self.heading.addWidget(self.title)
        self.heading.addWidget(label(kit.organisation, "Subtitle"))
        self.layout_.addWidget(self.trust_notice())
        box, inner = card()
        self.welcome = self.kit_text(kit.welcome)
        inner.addWidget(self.welcome)
        facts, facts_l = card()
        # One label with "•" lines, not the kit list's bullet rows beside it: the rows
        # (a widget, a dot and a measured label each) cost the first paint ~27 M instructions
        # for these four lines (+3 %, issue 17; measured for review s11 #20).
        self.facts = label("", "Fact")
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

    def sync(self) -> None:
        self.facts.setText("\n".join(f"• {line}" for line in self.service.welcome_facts()))
