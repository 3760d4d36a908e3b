"""The panelist switch, top right of the reviewer window: whoever is scoring, a click away
from the next one's passphrase.

Its own module: a lone reviewer's window shows it in its first frame, and the lock screen
(ui/panel/lock.py, with the panel windows' shared parts) is made only when the panel locks
(issue 17: its classes and their Qt classes are no part of that frame).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from onetake_desktop.services.panel import PanelService
from onetake_desktop.ui.widgets.qt_numbers import ToolButtonStyle, set_properties


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
        self.setAccessibleName("Switch panelist")
        self.setMenu(QMenu(self))
        self.menu().aboutToShow.connect(self.rebuild)
        self.update_label()

    def update_label(self) -> None:
        current = self.service.current
        if not self.service.panelists():
            # A lone reviewer has no panel to lock: offer to start one instead.
            self.setText("Start a panel ▾")
        elif current is None:
            self.setText("Panel locked ▾")
        else:
            self.setText(f"Panelist: {current.name} ▾")
        self.setToolTip("Switch panelist (the next one types their passphrase)")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.text()) + 32)

    def rebuild(self) -> None:
        menu = self.menu()
        menu.clear()
        for p in self.service.panelists():
            action = QAction(p.name, menu)
            action.setCheckable(True)
            action.setChecked(p.reviewer_id == self.service.current_id)
            action.triggered.connect(lambda _=False, rid=p.reviewer_id: self.on_choose(rid))
            menu.addAction(action)
