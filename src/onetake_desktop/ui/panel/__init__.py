"""Panel features on the shared laptop: panelists, independent scoring, summary, decisions.

``install_panel_features(window)`` is the one integration point the reviewer window calls at
the end of its ``__init__``: it adds the Panel menu, the panelist switch (top right: click it,
click a name, type the passphrase), the lock screen (idle minutes on the service's clock), and
opens the question-by-question, compare, summary and decisions windows. The window is expected
to offer ``current_reviewer_id`` and ``set_reviewer(reviewer_id)`` and, ideally, ``service``
(a ReviewerService whose library the panel shares).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMenu, QWidget

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.ui.panel.switch import PanelistSwitch
from onetake_desktop.ui.widgets.first_paint import after_first_paint
from onetake_desktop.ui.widgets.qt_numbers import TextFormat, set_properties

# The windows and dialogs load on first use, and so do the Qt classes only they and lock()
# name: each Qt class makes its Python enums when first named (issue 17: before the first
# paint of a window that has no panel, none of them is needed).
TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from PySide6.QtWidgets import QDialog

    # Names only: PySide6's import hook would read services/panel.py (issue 17).
    from onetake_desktop.services.panel import Actor, PanelService

    # (The lock screen, and the panel windows' shared parts it uses, load when the panel
    # first locks: a lone reviewer's first frame has none of them.)
    from onetake_desktop.ui.panel.common import PanelWindow
    from onetake_desktop.ui.panel.compare import CompareWindow
    from onetake_desktop.ui.panel.decisions import DecisionsWindow
    from onetake_desktop.ui.panel.lock import LockScreen
    from onetake_desktop.ui.panel.people import AuditWindow, ChangePassphraseDialog, PeopleDialog
    from onetake_desktop.ui.panel.question_mode import QuestionModeWindow
    from onetake_desktop.ui.panel.summary import SummaryWindow

if TYPE_CHECKING:
    W = TypeVar("W", bound="PanelWindow")
IDLE_CHECK_MS = 5_000
# A tuple, not a set: the filter sees every event of the application, and a set hashes each
# event type through Python's Enum.__hash__ (a tuple compares by identity first, in C).
_ACTIVITY = (
    QEvent.Type.MouseButtonPress,
    QEvent.Type.KeyPress,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
)
_CLOSE = QEvent.Type.Close
_ACTION_ADDED = QEvent.Type.ActionAdded

__all__ = ["PanelController", "install_panel_features", "locks_at_start"]


class PanelController(QObject):
    """Owns the panel service for one reviewer window; all on the GUI thread."""

    panelist_changed = Signal(object)  # reviewer id, or None when locked

    def __init__(self, window: QMainWindow, service: PanelService) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        self.windows: dict[str, PanelWindow] = {}
        self._hidden: list[QWidget] = []

        # The lock screen: made here on a panel's library (the window opens on it), else the
        # first time it is asked for (lock_screen): a lone reviewer's window, which never
        # locks, does not make it before its first frame (issue 17).
        self._lock_screen: LockScreen | None = None
        self._audit_sentence: str | None = None
        locked = locks_at_start(service)
        if locked:
            self._make_lock_screen()
        self.switch = PanelistSwitch(service, self.switch_to, window)
        # Top right: the corner's default (naming Qt's Corner, or any enum of the Qt
        # namespace, builds all of them before the first paint: ui/widgets/qt_numbers.py).
        window.menuBar().setCornerWidget(self.switch)

        self.menu = QMenu("&Panel", window)
        self.menu.setObjectName("PanelMenu")
        window.menuBar().addMenu(self.menu)
        self.actions: dict[str, QAction] = {}
        self._build_menu()

        self.audit_label = QLabel("")
        # The problem names panelists.
        set_properties(self.audit_label, textFormat=TextFormat.PlainText)
        self.audit_label.setObjectName("AuditWarning")
        self.audit_label.setStyleSheet("color: #b42318; font-weight: 600;")
        window.statusBar().addPermanentWidget(self.audit_label)
        # The audit chain check reads every audit row: right after the first frame, not before.
        after_first_paint(window, self.check_audit)

        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()
        # The window's Close at once; everyone's activity (for the idle lock) once the window
        # is on screen: an application-wide Python filter sees every event of every widget,
        # and building and laying out the window sends thousands (issue 17: 20-40 ms before
        # the first paint). No one can press a key or click in a window not yet shown.
        self.watching_activity = False
        window.installEventFilter(self)
        after_first_paint(window, self.watch_activity)

        self.closed = False
        self.tamper_dialog: QDialog | None = None
        self._hook_reviewer_window()
        if locked:
            self.lock(ask_who=True)
        else:
            self._update_actions()

    @property
    def lock_screen(self) -> LockScreen:
        """The lock screen; on a lone reviewer's library made (hidden, complete: names, audit
        problem) when first asked for, e.g. at the first lock (issue 17: its ten widgets and
        style sheet were made before every lone reviewer's first frame, never shown)."""
        screen = self._lock_screen
        if screen is None:
            screen = self._make_lock_screen()
            self._place_lock_screen_in_tab_order(screen)
        return screen

    def _make_lock_screen(self) -> LockScreen:
        from onetake_desktop.ui.panel.lock import LockScreen  # (see the TYPE_CHECKING imports)

        screen = LockScreen(self.service, self.window)
        screen.hide()
        screen.set_audit_problem(self._audit_sentence)
        screen.signed_in.connect(self._on_signed_in)
        screen.new_panelist_requested.connect(self.new_panelist)
        self._lock_screen = screen
        return screen

    def _place_lock_screen_in_tab_order(self, screen: LockScreen) -> None:
        """Tab reaches the lock screen's widgets where it did when they were made with the
        controller: the window's ring is panes, banner, lock screen, panelist switch,
        transcripts, so they go right before the switch (made later, they came last)."""
        from PySide6.QtCore import Qt  # (focusPolicy() is a Qt namespace enum: made late)

        ring: list[QWidget] = []
        widget = self.window.nextInFocusChain()
        while widget is not None and widget is not self.window:
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                ring.append(widget)
            widget = widget.nextInFocusChain()
        ours = [w for w in ring if screen.isAncestorOf(w)]
        others = [w for w in ring if w not in ours]
        if self.switch not in others:
            return
        previous = others[others.index(self.switch) - 1]  # (a ring: the last, for the first)
        for widget in ours:
            QWidget.setTabOrder(previous, widget)
            previous = widget

    @property
    def made_lock_screen(self) -> LockScreen | None:
        """The lock screen if made yet (asking this does not make it)."""
        return self._lock_screen

    def lock_screen_shown(self) -> bool:
        """Whether the lock screen covers the window (False until it is first made)."""
        return self._lock_screen is not None and not self._lock_screen.isHidden()

    # -- the reviewer window: its names hidden in blind mode ---------------------------------

    def _hook_reviewer_window(self) -> None:
        """Tell the reviewer window which candidates blind mode hides behind codes. (Its own
        scoring goes through the same scoring service as the panel's, which audits it.)"""
        set_blind_codes = getattr(self.window, "set_blind_codes", None)
        if callable(set_blind_codes):
            set_blind_codes(self.blind_codes)

    def blind_codes(self) -> dict[int, str]:
        """What the reviewer window asks before it shows any candidate."""
        # Closing: the shared library is about to close and nothing is shown any more.
        return {} if self.closed else self.service.hidden_codes()

    # -- menu --------------------------------------------------------------------------------

    def _add(self, key: str, text: str, slot: Callable[[], Any], shortcut: str = "") -> QAction:
        action = QAction(text, self.menu)
        if shortcut:  # a property: setShortcut's overloads take Qt's Key (qt_numbers.py)
            set_properties(action, shortcut=QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        self.menu.addAction(action)
        self.actions[key] = action
        return action

    def _build_menu(self) -> None:
        # Each item with its own Alt letter, as in the window's other menus.
        self.switch_menu = self.menu.addMenu("&Switch panelist")
        self.switch_menu.aboutToShow.connect(self._fill_switch_menu)
        self._add("lock", "&Lock now", lambda: self.lock("Locked."), "Ctrl+L")
        self._add("new", "&New panelist…", self.new_panelist)
        self._add("people", "&People…", self.open_people)
        self._add("passphrase", "&Change my passphrase…", self.open_change_passphrase)
        self.menu.addSeparator()
        self._add(
            "question_mode", "&Question by question…", self.open_question_mode, "Ctrl+Shift+Q"
        )
        self._add("compare", "Co&mpare two candidates…", self.open_compare, "Ctrl+Shift+C")
        self._add("summary", "Panel s&ummary…", self.open_summary, "Ctrl+Shift+S")
        self._add("decisions", "&Decisions and export…", self.open_decisions, "Ctrl+Shift+D")
        self.menu.addSeparator()
        blind = self._add("blind", "&Blind mode (hide names until decided)", lambda: None)
        blind.setCheckable(True)
        blind.setChecked(self.service.blind_mode())
        blind.toggled.connect(self.set_blind)
        audio = self._add("audio_only", "&Audio only (hide the picture)", lambda: None)
        audio.setCheckable(True)
        audio.toggled.connect(self.set_audio_only)
        self._add("idle", "Lock after &idle minutes…", self.ask_idle_minutes)
        self._add("audit", "Check the audi&t log", self.check_audit)
        self._add("audit_view", "Audit l&og…", self.open_audit)

    def _fill_switch_menu(self) -> None:
        self.switch_menu.clear()
        for p in self.service.panelists():
            action = self.switch_menu.addAction(p.name)
            action.triggered.connect(lambda _=False, rid=p.reviewer_id: self.switch_to(rid))

    def _update_actions(self) -> None:
        signed_in = self.service.current is not None
        for key in (
            "people",
            "passphrase",
            "audit_view",
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
        # Alone (no panel yet), the reviewer may still name themselves there.
        self.actions["people"].setEnabled(signed_in or not self.service.panelists())
        audio = self.actions["audio_only"]
        audio.blockSignals(True)
        current = self.service.current
        audio.setChecked(current is not None and self.service.audio_only(current))
        audio.blockSignals(False)
        self.switch.update_label()

    # -- who is at the laptop ------------------------------------------------------------------

    def lock(self, message: str = "", chosen: int | None = None, *, ask_who: bool = False) -> None:
        """Hide the reviewer window's content and every panel window until someone signs in.
        ``message``: why it locked; ``ask_who``: nobody was signed in (the lock screen says
        "Choose who is scoring." until a name is chosen)."""
        self.service.lock()
        for panel_window in list(self.windows.values()):
            panel_window.close()
        self.windows.clear()
        if not self._hidden:
            from PySide6.QtWidgets import QDockWidget

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
        from PySide6.QtWidgets import QDialog

        for dialog in self.window.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()  # a correction or export dialog would stay above the lock
        self._set_window_keys(False)
        lock_out = getattr(self.window, "lock_out", None)
        if callable(lock_out):
            lock_out()  # player stopped, fields emptied: no draft stays in a hidden widget
        self.lock_screen.show_for(chosen, message, ask_who=ask_who)
        self._update_actions()
        self.panelist_changed.emit(None)

    def _set_window_keys(self, on: bool) -> None:
        """The window's own keys (U, Ctrl+1..4, Ctrl+Enter, F11, Q, T, Ctrl+Shift+L, ...):
        the actions and shortcuts of the window itself work whatever of it is hidden, so the
        lock turns them off here, and sign-in back on. (Keys of the hidden panes' widgets and
        of the disabled menus are dead with them; one added while locked: eventFilter.)"""
        from PySide6.QtGui import QShortcut

        for action in self.window.actions():
            action.setEnabled(on)
        for shortcut in self.window.findChildren(QShortcut):
            if shortcut.parent() is self.window:
                shortcut.setEnabled(on)

    def switch_to(self, reviewer_id: int) -> None:
        """Second click of the switch: lock, with this panelist chosen for the passphrase."""
        name = self.service.reviewer_name(reviewer_id)
        self.lock(f"{name}: type your passphrase.", chosen=reviewer_id)

    def _on_signed_in(self, actor: Actor) -> None:
        reviewer_id = actor.reviewer_id
        # A new panelist signs in without a lock first: the windows still open show the last
        # one's view, and hold their actor (who may decide, what is open to them).
        self._close_windows_not_of(actor)
        for w in self._hidden:
            w.show()
        self._hidden = []
        for menu_action in self.window.menuBar().actions():
            menu_action.setEnabled(True)
        self._set_window_keys(True)
        set_reviewer = getattr(self.window, "set_reviewer", None)
        if callable(set_reviewer):
            set_reviewer(reviewer_id)
        self._update_actions()
        self.panelist_changed.emit(reviewer_id)
        if actor.warnings:
            self.show_tamper_warning(actor)

    def show_tamper_warning(self, actor: Actor) -> None:
        """What the sign-in check found changed among this panelist's rows: a dialog for
        them (window-modal, not blocking) and a line in the status bar."""
        from onetake_desktop.ui.panel.people import TamperWarningDialog

        dialog = TamperWarningDialog(actor, self.window)
        self.tamper_dialog = dialog
        self.window.statusBar().showMessage(
            f"{actor.name}: {len(actor.warnings)} of your rows were changed by someone else."
        )
        dialog.open()

    def new_panelist(self) -> None:
        from onetake_desktop.ui.panel.new_panelist import NewPanelistDialog  # when opened

        dialog = NewPanelistDialog(self.service, self.window)
        dialog.setObjectName("NewPanelistDialog")
        if dialog.exec() and dialog.created is not None:
            if self._lock_screen is not None:
                self._lock_screen.hide()
            self._on_signed_in(dialog.created)

    def open_people(self) -> PeopleDialog | None:
        actor = self.service.current
        if actor is None and not self.service.panelists():
            actor = self.service.lone_actor()  # the lone reviewer names themselves
        if actor is None:
            self.lock("Sign in first.")
            return None
        from onetake_desktop.ui.panel.people import PeopleDialog

        dialog = PeopleDialog(self.service, actor, self.window)
        dialog.finished.connect(lambda _=0: self._after_people())
        dialog.open()
        return dialog

    def _after_people(self) -> None:
        if not self.service.panelists():  # the lone reviewer's new name shows at once
            reviewer_id = getattr(self.window, "current_reviewer_id", None)
            set_reviewer = getattr(self.window, "set_reviewer", None)
            if reviewer_id is not None and callable(set_reviewer):
                set_reviewer(reviewer_id)
            return
        if self.service.current is None:  # you removed yourself
            self.lock(ask_who=True)
        else:
            # Renaming yourself makes a new actor (the name windows show) and stops the one
            # the open panel windows hold: open them afresh, as after a passphrase change.
            self._close_windows_not_of(self.service.current)
            self._update_actions()

    def open_change_passphrase(self) -> ChangePassphraseDialog | None:
        actor = self.service.current
        if actor is None:
            self.lock("Sign in first.")
            return None
        from onetake_desktop.ui.panel.people import ChangePassphraseDialog

        dialog = ChangePassphraseDialog(self.service, actor, self.window)
        dialog.finished.connect(lambda _=0: self._after_passphrase(dialog))
        dialog.open()
        return dialog

    def _after_passphrase(self, dialog: ChangePassphraseDialog) -> None:
        if dialog.changed is None:
            return
        # Panel windows hold the old actor (it stopped working): open them afresh.
        for panel_window in list(self.windows.values()):
            panel_window.close()
        self.windows.clear()
        self.window.statusBar().showMessage("Passphrase changed; your rows are signed again.")

    def check_idle(self) -> None:
        if not self.closed and self.service.lock_if_idle():
            self.lock("Locked after a few idle minutes.")

    def watch_activity(self) -> None:
        """Count every key press, click, wheel and touch in the application as activity."""
        app = QApplication.instance()
        if app is not None and not self.closed:
            app.installEventFilter(self)
            self.watching_activity = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _ACTIVITY:
            self.service.touch()
        elif kind == _CLOSE and watched is self.window:
            self.shut_down()  # before the window's closeEvent closes the shared library
        elif kind == _ACTION_ADDED and watched is self.window and not self.closed:
            # Added behind the lock (the transcripts' keys, after a locked window's first
            # frame): as dead as the rest until someone signs in.
            action = getattr(event, "action", lambda: None)()
            if action is not None and self.service.locked():
                action.setEnabled(False)
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
        if self.service.current is None:
            return
        try:
            self.service.set_blind_mode(self.service.current, on)
        except OneTakeError as error:
            blind = self.actions["blind"]
            blind.blockSignals(True)
            blind.setChecked(self.service.blind_mode())
            blind.blockSignals(False)
            self.window.statusBar().showMessage(str(error), 10_000)
            return
        self._refresh_windows()
        set_blind_codes = getattr(self.window, "set_blind_codes", None)
        if callable(set_blind_codes):
            set_blind_codes(self.blind_codes)  # redraw every name, codes or real

    def set_audio_only(self, on: bool) -> None:
        if self.service.current is not None:
            self.service.set_audio_only(self.service.current, on)

    def ask_idle_minutes(self) -> None:
        if self.service.current is None:
            return
        from PySide6.QtWidgets import QInputDialog

        minutes, ok = QInputDialog.getDouble(
            self.window,
            "Lock after idle minutes",
            "Minutes (0 = never)",
            self.service.idle_minutes(),
            0,
            240,
            1,
        )
        if ok and self.service.current is not None:
            self.service.set_idle_minutes(self.service.current, minutes)

    def check_audit(self) -> str | None:
        """The start-up check: the first tampered audit row, shown where everyone sees it."""
        problem = self.service.audit_problem()
        sentence = None if problem is None else problem.sentence
        self.audit_label.setText(f"Audit log: {sentence}" if sentence else "")
        self._audit_sentence = sentence  # for the lock screen if made later
        if self._lock_screen is not None:
            self._lock_screen.set_audit_problem(sentence)
        if sentence:
            self.window.statusBar().showMessage(f"Audit log check failed: {sentence}")
        return sentence

    # -- panel windows -------------------------------------------------------------------------

    def _open(self, key: str, kind: type[W], make: Callable[[Actor], W]) -> W | None:
        viewer = self.service.current
        if viewer is None:
            self.lock("Sign in first.")
            return None
        self._close_windows_not_of(viewer)
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

    def _close_windows_not_of(self, actor: Actor) -> None:
        """Close the panel windows made for another panelist than ``actor`` (each panel
        window keeps the panelist it shows in ``actor``; one that does not is closed too)."""
        for key, panel_window in list(self.windows.items()):
            if getattr(panel_window, "actor", None) is not actor:
                self.windows.pop(key, None)
                panel_window.close()

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

    def open_audit(self) -> AuditWindow | None:
        from onetake_desktop.ui.panel.people import AuditWindow

        return self._open("audit", AuditWindow, lambda v: AuditWindow(self.window, self.service, v))


def locks_at_start(service: PanelService) -> bool:
    """Whether the reviewer window opens on the lock screen: a panel has panelists, and one of
    them signs in before anything of anyone's shows (the window builds what the lock hides
    after its first frame when this is true)."""
    return bool(service.panelists())


def install_panel_features(
    window: QMainWindow, service: PanelService | None = None
) -> PanelController:
    """Add panel features to the reviewer window; returns the controller (the window keeps it
    as ``window.panel``). ``service``: the context's panel service on the window's library;
    without one, a panel service on the window's own library and the system clock."""
    if service is None:
        from onetake_desktop.services import panel  # by its package (see TYPE_CHECKING)

        service = panel.PanelService(window.service.library)  # type: ignore[attr-defined]
    return PanelController(window, service)
