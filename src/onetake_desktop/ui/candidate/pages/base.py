"""What every candidate page shares: a heading, a scrolling body and a fixed row of actions.

Only the body scrolls: whatever the kit's texts, the screen size or the text size, the action
buttons (and, on the question page, the clocks) stay on screen. Listeners from the service run
on the GUI thread, so ``sync`` and ``refresh`` may touch widgets.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from onetake_desktop.services.candidate import CandidateService
from onetake_desktop.ui.candidate.safe_text import SafeText
from onetake_desktop.ui.widgets.qt_numbers import FocusPolicy, ScrollBarPolicy, set_properties

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from typing import ClassVar

    from PySide6.QtGui import QResizeEvent, QShowEvent

    from onetake_desktop.ui.candidate.widgets import TakePlayer
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
        self._fitting = False  # a fit_players is on its way

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
        # (The practice clock column: room for a line of the window's notices above.)
        self.side.setSpacing(2 if short else 8)
        for clock in self.findChildren(ClockRing):
            clock.set_short(short)

    def _players(self) -> list[tuple[TakePlayer, QScrollArea]]:
        """The page's take players shown, each with the scroll area it is in (the question
        page's views have scrolling bodies of their own)."""
        from onetake_desktop.ui.candidate.widgets import TakePlayer

        found = []
        for player in self.findChildren(TakePlayer):
            area = player.parentWidget()
            while area is not None and not isinstance(area, QScrollArea):
                area = area.parentWidget()
            if area is not None and player.isVisible():
                found.append((player, area))
        return found

    def fit_players(self) -> None:
        """A take's player no taller than the scrolling part it is in: stretched to the
        words beside it, or at its preferred picture size, its Play row went below a body
        that a notice above the page had made shorter, where no scroll showed the picture
        and the row together."""
        self._fitting = False
        for player, area in self._players():
            tallest = max(player.minimumSizeHint().height(), area.viewport().height())
            if player.maximumHeight() != tallest:
                player.setMaximumHeight(tallest)

    def fit_players_later(self) -> None:
        """fit_players once the page is laid out again (its parts have their new sizes)."""
        if not self._fitting:
            from PySide6.QtCore import QTimer

            self._fitting = True
            QTimer.singleShot(0, self, self.fit_players)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_players_later()

    def keep_in_view(self) -> None:
        """The page's height changed under it (a notice came above it): a take's player
        shown in the scrolling body is scrolled back into view, its Play row with it."""
        self.fit_players()
        for player, area in self._players():
            if player.path is not None:
                area.ensureWidgetVisible(player, 0, 0)

    # A page's shorter words for buttons of its row of actions (full words -> short words),
    # used where the row with the full words would leave too little room (fit_actions).
    short_words: ClassVar[dict[str, str]] = {}

    def button_rows(self) -> list[QHBoxLayout]:
        """The page's rows of action buttons (the question page: one in each view)."""
        return [self.action_row]

    def fit_actions(self) -> None:
        """Buttons of each row say their short words (short_words), left to right, until the
        row leaves a few characters to spare within the widest the window may be (its
        screen): not its width now, which a row too wide has already pushed past the screen.
        At 200 % text on 1366x768 at 150 % the practice row needed 880 of 886 px: a slightly
        wider font or a longer translation would have run it past the screen. Each keeps its
        full words as its accessible name (its tooltip has them too)."""
        if not self.short_words:
            return
        window = self.window()
        room = window.maximumWidth() - max(0, window.width() - self.width())
        spare = 4 * self.fontMetrics().averageCharWidth()  # a wider font, a longer word
        for row in self.button_rows():
            self._fit_row(row, room - spare)

    def _fit_row(self, row: QHBoxLayout, room: int) -> None:
        from PySide6.QtWidgets import QPushButton

        from onetake_desktop.ui.candidate.widgets import set_button_text

        # The row's width with every button's full words, from its parts' own sizes (the
        # layout's are those of the words before, until it is laid out again); words beside
        # the buttons wrap (their least width).
        items = [row.itemAt(i) for i in range(row.count())]
        parts = [item.widget() for item in items if item is not None]
        visible = [p for p in parts if p is not None and not p.isHidden()]
        margins = row.contentsMargins()
        wide = margins.left() + margins.right() + row.spacing() * max(0, len(visible) - 1)
        wide += sum(
            (p.sizeHint() if isinstance(p, QPushButton) else p.minimumSizeHint()).width()
            for p in visible
        )
        shown: list[tuple[QPushButton, str]] = []
        for b in visible:
            if not isinstance(b, QPushButton):
                continue
            full = b.property("full_words")
            if not full or b.text() not in (full, self.short_words.get(full)):
                full = b.text()  # (new words since: the page set them)
            if full in self.short_words:
                metrics = b.fontMetrics()
                wide += metrics.horizontalAdvance(full) - metrics.horizontalAdvance(b.text())
                shown.append((b, full))
        for b, full in shown:
            words = full
            if wide > room:
                words = self.short_words[full]
                metrics = b.fontMetrics()
                wide -= metrics.horizontalAdvance(full) - metrics.horizontalAdvance(words)
            if b.text() != words:
                set_button_text(b, words)
            b.setAccessibleName(full)
            b.setProperty("full_words", full)
            tip = b.property("full_tip")
            if tip is None:  # (the tooltip the button was made with: its shortcut)
                tip = b.toolTip()
                b.setProperty("full_tip", tip)
            shortened = words != full and full not in tip
            b.setToolTip(f"{full}: {tip}" if shortened else tip)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        kind = event.type()
        if self.short_words and kind in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            # The text size changed (Ctrl+plus / Ctrl+minus): measured now and again once
            # the buttons have their new font (they are polished after the page).
            from PySide6.QtCore import QTimer

            self.fit_actions()
            QTimer.singleShot(0, self, self.fit_actions)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit_actions()  # (built before it was shown: its buttons have their font now)

    def set_actions(self, *widgets: QWidget, left: tuple[QWidget, ...] = ()) -> None:
        for b in left:
            self.action_row.addWidget(b)
        self.action_row.addStretch(1)
        for b in widgets:
            self.action_row.addWidget(b)
