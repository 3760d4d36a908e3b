"""What every candidate page shares: a heading, a scrolling body and a fixed row of actions.

Only the body scrolls: whatever the kit's texts, the screen size or the text size, the action
buttons (and, on the question page, the clocks) stay on screen. Listeners from the service run
on the GUI thread, so ``sync`` and ``refresh`` may touch widgets.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from onetake_desktop.services.candidate import CandidateService
from onetake_desktop.ui.candidate.safe_text import SafeText
from onetake_desktop.ui.widgets.qt_numbers import FocusPolicy, ScrollBarPolicy, set_properties

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from onetake_desktop.ui.candidate.window import CandidateWindow


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area that fits its width and scrolls up and down."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    # By number: every page is built before its first paint (ui/widgets/qt_numbers.py).
    set_properties(
        scroll,
        horizontalScrollBarPolicy=ScrollBarPolicy.ScrollBarAsNeeded,
        focusPolicy=FocusPolicy.NoFocus,
    )
    scroll.setWidget(content)
    return scroll


class Page(QWidget):
    """One step's page. ``sync`` runs after every state change, ``refresh`` on every tick.

    ``heading`` (title, subtitle) stays at the top, ``layout_`` is the scrolling body, ``side``
    a column beside it that does not scroll, and ``actions`` the row of buttons at the bottom.
    """

    def __init__(self, window: CandidateWindow) -> None:
        super().__init__()
        self.w = window
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        self.outer = outer
        self.heading = QVBoxLayout()
        self.heading.setSpacing(4)
        outer.addLayout(self.heading)
        self.content = QWidget()
        self.content.setObjectName("PageBody")
        self.layout_ = QVBoxLayout(self.content)
        self.layout_.setContentsMargins(0, 0, 6, 0)
        self.layout_.setSpacing(12)
        self.body_scroll = scrolling(self.content)
        # ``side`` (the clocks on the practice and question pages) sits beside the body,
        # outside the scrolling part, so it never scrolls away.
        body = QHBoxLayout()
        body.setSpacing(18)
        body.addWidget(self.body_scroll, 1)
        self.side = QVBoxLayout()
        self.side.setSpacing(8)
        body.addLayout(self.side)
        outer.addLayout(body, 1)
        self.action_row = QHBoxLayout()
        self.action_row.setSpacing(10)
        outer.addLayout(self.action_row)

    @property
    def service(self) -> CandidateService:
        return self.w.service

    def kit_text(self, text: str, name: str | None = None) -> SafeText:
        """Outside text for this page: plain, with links that ask before they open."""
        t = SafeText(text, name)
        t.link_activated.connect(self.w.open_link)
        return t

    def trust_notice(self) -> QWidget:
        """Who signed the kit (issue 13): the notice in bold, what it means below; plain text."""
        from onetake_desktop.ui.candidate.widgets import label

        notice, meaning = self.service.trust_lines()
        box = QFrame()
        box.setObjectName("Trust")
        box.setProperty("signed", "yes" if self.service.trust.signed else "no")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(2)
        self.trust_label = label(notice, "TrustNotice")
        self.trust_label.setAccessibleName("Who signed this interview kit")
        lay.addWidget(self.trust_label)
        self.trust_meaning = label(meaning, "Hint")
        lay.addWidget(self.trust_meaning)
        return box

    def sync(self) -> None:
        pass

    def before_tick(self) -> None:
        """Before the service's clocks move on (the question page hands over typed words)."""

    def refresh(self) -> None:
        pass

    def settle(self) -> None:
        """The window closes: wait for this page's work on the task pool (none by default)."""

    def set_short(self, short: bool) -> None:
        """The window's screen is short for the text size (CandidateWindow._fit_height):
        less space between the page's parts, so its actions stay on screen."""
        from onetake_desktop.ui.candidate.widgets import ClockRing

        self.outer.setSpacing(4 if short else 8)
        self.heading.setSpacing(0 if short else 4)
        self.layout_.setSpacing(6 if short else 12)
        for clock in self.findChildren(ClockRing):
            clock.set_short(short)

    def set_actions(self, *widgets: QWidget, left: tuple[QWidget, ...] = ()) -> None:
        for b in left:
            self.action_row.addWidget(b)
        self.action_row.addStretch(1)
        for b in widgets:
            self.action_row.addWidget(b)
