"""The panelist switch, top right of the reviewer window: whoever is scoring, a click away
from the next one's passphrase.

Its own module: a lone reviewer's window shows it in its first frame, and the lock screen
(ui/panel/lock.py, with the panel windows' shared parts) is made only when the panel locks
(issue 17: its classes and their Qt classes are no part of that frame).
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from onetake_desktop.ui.widgets.qt_numbers import ToolButtonStyle, set_properties

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from collections.abc import Callable

    # A name only: PySide6's import hook would read services/panel.py (issue 17).
    from onetake_desktop.services.panel import PanelService

NAME_EMS = 14  # the widest a panelist's name shows on the switch


class PanelistSwitch(QToolButton):
    """The name of whoever is scoring, top right; click it, click another name: two clicks to
    the passphrase prompt for that panelist."""

    def __init__(
        self, service: PanelService, on_choose: Callable[[int], None], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.on_choose = on_choose
        self.setObjectName("PanelistSwitch")
        self.setStyleSheet(
            "QToolButton#PanelistSwitch { padding: 2px 10px; font-weight: 600; color: #1f5fa8;"
            " border: 1px solid #b8c2d0; border-radius: 4px; background: #ffffff; }"
            "QToolButton#PanelistSwitch::menu-indicator { image: none; }"
        )
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        set_properties(self, toolButtonStyle=ToolButtonStyle.ToolButtonTextOnly)  # (by number)
        self.setMenu(QMenu(self))
        self.menu().aboutToShow.connect(self.rebuild)
        self.update_label()

    def update_label(self) -> None:
        current = self.service.current
        tip = "Switch panelist (the next one types their passphrase)"
        self.setAccessibleName("Switch panelist")
        if not self.service.panelists():
            # A lone reviewer has no panel to lock: offer to start one instead.
            self.setText("Start a panel ▾")
        elif current is None:
            self.setText("Panel locked ▾")
        else:
            from onetake_desktop.ui.widgets.plain import plain_tooltip  # after a sign-in

            # A long name is cut to a few words' width (it pushed the button past the
            # window's edge); the whole name is in the tooltip and the accessible name.
            self.setText(f"Panelist: {self._cut(current.name)} ▾")
            tip = plain_tooltip(f"{current.name} is scoring.\n{tip}")
            self.setAccessibleName(f"Switch panelist ({current.name} is scoring)")
        self.setToolTip(tip)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.text()) + 32)
        bar = self.parentWidget()
        if self.isVisible() and bar is not None:
            # The menu bar places its corner widget when it is resized or the widget shown,
            # not when its text widens: a longer label ran past the window's edge ("Panel
            # locked" -> a name). A resize of the same size places it again; hide() and show()
            # did too but took the keyboard focus from the switch.
            from PySide6.QtCore import QCoreApplication
            from PySide6.QtGui import QResizeEvent

            QCoreApplication.sendEvent(bar, QResizeEvent(bar.size(), bar.size()))

    def _cut(self, name: str) -> str:
        """``name``, or its start and "…", at most NAME_EMS wide, measured once (cutting a
        character at a time froze sign-in for seconds on a pasted long name)."""
        # Qt's namespace by name: only a signed-in panelist's name is cut, after the window's
        # first paint (elidedText takes no number: see qt_numbers).
        from PySide6.QtCore import Qt

        metrics = self.fontMetrics()
        room = metrics.horizontalAdvance("M") * NAME_EMS
        cut = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
        if cut == name:
            return name
        return cut.removesuffix("…").rstrip() + "…"

    def rebuild(self) -> None:
        menu = self.menu()
        menu.clear()
        for p in self.service.panelists():
            action = QAction(p.name, menu)
            action.setCheckable(True)
            action.setChecked(p.reviewer_id == self.service.current_id)
            action.triggered.connect(lambda _=False, rid=p.reviewer_id: self.on_choose(rid))
            menu.addAction(action)
