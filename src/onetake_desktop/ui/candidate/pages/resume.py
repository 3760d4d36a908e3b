"""Welcome back: carry on a saved interview, or start over (the retake budget is kept)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.widgets import button, card, label

if TYPE_CHECKING:
    from onetake_desktop.ui.candidate.window import CandidateWindow


class ResumePage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.heading.addWidget(label("Welcome back", "Title"))
        box, inner = card()
        self.summary = label("", "Fact")
        inner.addWidget(self.summary)
        inner.addWidget(
            label(
                "Everything you recorded is still on this computer. You can carry on exactly "
                "where you stopped.",
                "Hint",
            )
        )
        self.layout_.addWidget(box)
        self.layout_.addStretch(1)
        self.resume_button = button("Carry on", "Ctrl+Return", "PrimaryButton")
        self.over_button = button("Start over", "Ctrl+Shift+N", tip="Start the interview again")
        self.set_actions(self.resume_button, left=(self.over_button,))
        self.resume_button.clicked.connect(self.w.do_resume)
        self.over_button.clicked.connect(self.w.do_start_over)

    def sync(self) -> None:
        self.summary.setText(self.service.resume_summary())
