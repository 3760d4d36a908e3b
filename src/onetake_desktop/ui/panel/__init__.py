"""Panel features on the shared laptop: panelists, independent scoring, summary, decisions.

``install_panel_features(window)`` is the one integration point the reviewer window calls at
the end of its ``__init__``: it adds the Panel menu, the panelist switch (top right: click it,
click a name, type the passphrase), the lock screen (idle minutes on the service's clock), and
opens the question-by-question, compare, summary and decisions windows. The window is expected
to offer ``current_reviewer_id`` and ``set_reviewer(reviewer_id)`` and, ideally, ``service``
(a ReviewerService whose library the panel shares).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QWidget,
)

from onetake_desktop.services.panel import PanelService
from onetake_desktop.ui.panel.common import PanelWindow
from onetake_desktop.ui.panel.lock import LockScreen, NewPanelistDialog, PanelistSwitch

if TYPE_CHECKING:  # the windows load on first use
    from onetake_desktop.ui.panel.compare import CompareWindow
    from onetake_desktop.ui.panel.decisions import DecisionsWindow
    from onetake_desktop.ui.panel.question_mode import QuestionModeWindow
    from onetake_desktop.ui.panel.summary import SummaryWindow

W = TypeVar("W", bound=PanelWindow)
IDLE_CHECK_MS = 5_000
_ACTIVITY = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.KeyPress,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}

__all__ = ["PanelController", "install_panel_features"]


class PanelController(QObject):
    """Owns the panel service for one reviewer window; all on the GUI thread."""

    panelist_changed = Signal(object)  # reviewer id, or None when locked

    def __init__(self, window: QMainWindow, service: PanelService) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        self.windows: dict[str, PanelWindow] = {}
        self._hidden: list[QWidget] = []

        self.lock_screen = LockScreen(service, window)
        self.lock_screen.hide()
        self.lock_screen.signed_in.connect(self._on_signed_in)
        self.lock_screen.new_panelist_requested.connect(self.new_panelist)
        self.switch = PanelistSwitch(service, self.switch_to, window)
        window.menuBar().setCornerWidget(self.switch, Qt.Corner.TopRightCorner)

        self.menu = QMenu("&Panel", window)
        self.menu.setObjectName("PanelMenu")
        window.menuBar().addMenu(self.menu)
        self.actions: dict[str, QAction] = {}
        self._build_menu()

        self.audit_label = QLabel("")
        self.audit_label.setObjectName("AuditWarning")
        self.audit_label.setStyleSheet("color: #b42318; font-weight: 600;")
        window.statusBar().addPermanentWidget(self.audit_label)
        self.check_audit()

        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        self.closed = False
        self._before: dict[int, tuple[int | None, str | None]] = {}
        self._hook_reviewer_window()
        if service.panelists():
            self.lock("Choose who is scoring.")
        else:
            self._update_actions()

    # -- the reviewer window's own scoring, audited; its names hidden in blind mode -----------

    def _hook_reviewer_window(self) -> None:
        """Observe the reviewer window's rubric and buttons (their slots run first, being
        connected first) so that scores, submissions and corrections made there are audited
        like the panel's own; tell it which candidates blind mode hides behind codes."""
        w = self.window
        rubric = getattr(w, "rubric", None)
        if rubric is not None:
            rubric.score_chosen.connect(self._after_window_score)
        for name in ("submit_button", "correct_button"):
            button = getattr(w, name, None)
            if button is not None:
                button.pressed.connect(self._snapshot_window_answers)
                button.clicked.connect(self._after_window_change)
        set_blind_codes = getattr(w, "set_blind_codes", None)
        if callable(set_blind_codes):
            set_blind_codes(self.blind_codes)

    def _window_submission(self) -> tuple[int, list[int]] | None:
        view = getattr(self.window, "view", None)
        if view is None or self.service.current_id is None:
            return None
        sid = int(view.submission.id)
        return sid, [a.id for a in self.service.library.submissions.answers(sid)]

    def _after_window_score(self, score: int) -> None:
        view = getattr(self.window, "view", None)
        reviewer = self.service.current_id
        if view is None or reviewer is None:
            return
        current = self.service.my_score(reviewer, view.answer.id)
        if current is not None and current.score == score:
            self.service.record_score(reviewer, view.answer.id, score)

    def _snapshot_window_answers(self) -> None:
        here = self._window_submission()
        reviewer = self.service.current_id
        self._before = {}
        if here is None or reviewer is None:
            return
        for answer_id in here[1]:
            s = self.service.my_score(reviewer, answer_id)
            self._before[answer_id] = (None, None) if s is None else (s.id, s.status)

    def _after_window_change(self) -> None:
        here = self._window_submission()
        reviewer = self.service.current_id
        if here is None or reviewer is None or not self._before:
            return
        submitted, corrected = [], []
        for answer_id in here[1]:
            s = self.service.my_score(reviewer, answer_id)
            if s is None or s.status != "submitted":
                continue
            before_id, before_status = self._before.get(answer_id, (None, None))
            if before_status == "draft":
                submitted.append(answer_id)
            elif before_status == "submitted" and s.id != before_id:
                corrected.append((answer_id, s))
        if submitted:
            self.service.repo.append_audit(
                reviewer, "submit", f"submission {here[0]}", {"answers": submitted}
            )
        for answer_id, s in corrected:
            self.service.repo.append_audit(
                reviewer,
                "correct",
                f"submission {here[0]}",
                {"answer": answer_id, "score": s.score, "reason": s.reason},
            )
        self._before = {}

    def blind_codes(self) -> dict[int, str]:
        """What the reviewer window asks before it shows any candidate."""
        return {} if self.closed else self.service.hidden_codes()

    # -- menu --------------------------------------------------------------------------------

    def _add(self, key: str, text: str, slot: Callable[[], Any], shortcut: str = "") -> QAction:
        action = QAction(text, self.menu)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        self.menu.addAction(action)
        self.actions[key] = action
        return action

    def _build_menu(self) -> None:
        self.switch_menu = self.menu.addMenu("Switch panelist")
        self.switch_menu.aboutToShow.connect(self._fill_switch_menu)
        self._add("lock", "Lock now", lambda: self.lock("Locked."), "Ctrl+L")
        self._add("new", "New panelist…", self.new_panelist)
        self.menu.addSeparator()
        self._add("question_mode", "Question by question…", self.open_question_mode, "Ctrl+Shift+Q")
        self._add("compare", "Compare two candidates…", self.open_compare, "Ctrl+Shift+C")
        self._add("summary", "Panel summary…", self.open_summary, "Ctrl+Shift+S")
        self._add("decisions", "Decisions and export…", self.open_decisions, "Ctrl+Shift+D")
        self.menu.addSeparator()
        blind = self._add("blind", "Blind mode (hide names until decided)", lambda: None)
        blind.setCheckable(True)
        blind.setChecked(self.service.blind_mode())
        blind.toggled.connect(self.set_blind)
        audio = self._add("audio_only", "Audio only (hide the picture)", lambda: None)
        audio.setCheckable(True)
        audio.toggled.connect(self.set_audio_only)
        self._add("idle", "Lock after idle minutes…", self.ask_idle_minutes)
        self._add("audit", "Check the audit log", self.check_audit)

    def _fill_switch_menu(self) -> None:
        self.switch_menu.clear()
        for p in self.service.panelists():
            action = self.switch_menu.addAction(p.name)
            action.triggered.connect(lambda _=False, rid=p.reviewer_id: self.switch_to(rid))

    def _update_actions(self) -> None:
        signed_in = self.service.current_id is not None
        for key in (
            "question_mode",
            "compare",
            "summary",
            "decisions",
            "blind",
            "audio_only",
            "idle",
            "lock",
        ):
            self.actions[key].setEnabled(signed_in)
        audio = self.actions["audio_only"]
        audio.blockSignals(True)
        audio.setChecked(signed_in and self.service.audio_only(self.service.current_id or 0))
        audio.blockSignals(False)
        self.switch.update_label()

    # -- who is at the laptop ------------------------------------------------------------------

    def lock(self, message: str = "", chosen: int | None = None) -> None:
        """Hide the reviewer window's content and every panel window until someone signs in."""
        self.service.lock()
        for panel_window in list(self.windows.values()):
            panel_window.close()
        self.windows.clear()
        if not self._hidden:
            content: list[QWidget | None] = [
                self.window.centralWidget(),
                *self.window.findChildren(QDockWidget),
            ]
            self._hidden = [w for w in content if w is not None and w.isVisibleTo(self.window)]
            for w in self._hidden:
                w.hide()
        for menu_action in self.window.menuBar().actions():
            if menu_action is not self.menu.menuAction():
                menu_action.setEnabled(False)
        self.window.statusBar().clearMessage()  # "Reviewing as ..." would name the last one
        for dialog in self.window.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()  # a correction or export dialog would stay above the lock
        lock_out = getattr(self.window, "lock_out", None)
        if callable(lock_out):
            lock_out()  # player stopped, fields emptied: no draft stays in a hidden widget
        self.lock_screen.show_for(chosen, message)
        self._update_actions()
        self.panelist_changed.emit(None)

    def switch_to(self, reviewer_id: int) -> None:
        """Second click of the switch: lock, with this panelist chosen for the passphrase."""
        name = self.service.library.reviewers.get(reviewer_id).name
        self.lock(f"{name}: type your passphrase.", chosen=reviewer_id)

    def _on_signed_in(self, reviewer_id: int) -> None:
        for w in self._hidden:
            w.show()
        self._hidden = []
        for menu_action in self.window.menuBar().actions():
            menu_action.setEnabled(True)
        set_reviewer = getattr(self.window, "set_reviewer", None)
        if callable(set_reviewer):
            set_reviewer(reviewer_id)
        self._update_actions()
        self.panelist_changed.emit(reviewer_id)

    def new_panelist(self) -> None:
        dialog = NewPanelistDialog(self.service, self.window)
        dialog.setObjectName("NewPanelistDialog")
        if dialog.exec() and dialog.created_id is not None:
            self.lock_screen.hide()
            self._on_signed_in(dialog.created_id)

    def check_idle(self) -> None:
        if not self.closed and self.service.lock_if_idle():
            self.lock("Locked after a few idle minutes.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.service.touch()
        elif watched is self.window and event.type() == QEvent.Type.Close:
            self.shut_down()  # before the window's closeEvent closes the shared library
        return False

    def shut_down(self) -> None:
        """The reviewer window is closing: stop the timers and close the panel windows."""
        self.closed = True
        self.idle_timer.stop()
        for panel_window in list(self.windows.values()):
            panel_window.close()
        self.windows.clear()

    # -- settings --------------------------------------------------------------------------------

    def set_blind(self, on: bool) -> None:
        if self.service.current_id is None:
            return
        self.service.set_blind_mode(self.service.current_id, on)
        self._refresh_windows()
        set_blind_codes = getattr(self.window, "set_blind_codes", None)
        if callable(set_blind_codes):
            set_blind_codes(self.blind_codes)  # redraw every name, codes or real

    def set_audio_only(self, on: bool) -> None:
        if self.service.current_id is not None:
            self.service.set_audio_only(self.service.current_id, on)

    def ask_idle_minutes(self) -> None:
        if self.service.current_id is None:
            return
        minutes, ok = QInputDialog.getDouble(
            self.window,
            "Lock after idle minutes",
            "Minutes (0 = never)",
            self.service.idle_minutes(),
            0,
            240,
            1,
        )
        if ok:
            self.service.set_idle_minutes(self.service.current_id, minutes)

    def check_audit(self) -> str | None:
        """The start-up check: the first tampered audit row, shown where everyone sees it."""
        problem = self.service.audit_problem()
        sentence = None if problem is None else problem.sentence
        self.audit_label.setText(f"Audit log: {sentence}" if sentence else "")
        self.lock_screen.set_audit_problem(sentence)
        if sentence:
            self.window.statusBar().showMessage(f"Audit log check failed: {sentence}")
        return sentence

    # -- panel windows -------------------------------------------------------------------------

    def _open(self, key: str, kind: type[W], make: Callable[[int], W]) -> W | None:
        viewer = self.service.current_id
        if viewer is None:
            self.lock("Sign in first.")
            return None
        existing = self.windows.get(key)
        if isinstance(existing, kind):
            existing.show()
            existing.raise_()
            return existing
        window = make(viewer)
        window.destroyed.connect(lambda _=None, k=key: self.windows.pop(k, None))
        self.windows[key] = window
        window.show()
        return window

    def _refresh_windows(self) -> None:
        for w in self.windows.values():
            refresh = getattr(w, "refresh", None) or getattr(w, "reload", None)
            if callable(refresh):
                refresh()

    def open_question_mode(self) -> QuestionModeWindow | None:
        from onetake_desktop.ui.panel.question_mode import QuestionModeWindow

        return self._open(
            "question_mode",
            QuestionModeWindow,
            lambda v: QuestionModeWindow(self.window, self.service, v),
        )

    def open_compare(self) -> CompareWindow | None:
        from onetake_desktop.ui.panel.compare import CompareWindow

        return self._open(
            "compare", CompareWindow, lambda v: CompareWindow(self.window, self.service, v)
        )

    def open_summary(self) -> SummaryWindow | None:
        from onetake_desktop.ui.panel.summary import SummaryWindow

        return self._open(
            "summary", SummaryWindow, lambda v: SummaryWindow(self.window, self.service, v)
        )

    def open_decisions(self) -> DecisionsWindow | None:
        from onetake_desktop.ui.panel.decisions import DecisionsWindow

        return self._open(
            "decisions", DecisionsWindow, lambda v: DecisionsWindow(self.window, self.service, v)
        )


def install_panel_features(
    window: QMainWindow, service: PanelService | None = None
) -> PanelController:
    """Add panel features to the reviewer window; returns the controller (the window keeps it
    as ``window.panel``). ``service``: the context's panel service on the window's library;
    without one, a panel service on the window's own library and the system clock."""
    if service is None:
        service = PanelService(window.service.library)  # type: ignore[attr-defined]
    return PanelController(window, service)
