"""Erasure and retention in the reviewer window: the dialogs, the banner, and the check for
candidates past their date at start-up and every hour while the window is open.

Thin: every decision (who is due, what an erasure removes, whether a hold is allowed, the
audit) is services/privacy.py's. This module asks it and shows the answer; names and emails
come from bundles, so every label here is plain text, and names go through the window's
``shown_name`` so the panel's blind mode holds here too.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.clock import Clock, SystemClock
from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.ui.widgets.first_paint import after_first_paint
from onetake_desktop.ui.widgets.plain import (  # error text can name a candidate or file
    ElidedLabel,
    plain_tooltip,
    warn,
)
from onetake_desktop.ui.widgets.qt_numbers import ContextMenuPolicy, TextFormat, set_properties

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    # A name only: PySide6's import hook reads datetime.py (~0.4 ms) for each new module an
    # import statement names after it loads (issue 17); _imported imports it when it runs.
    from datetime import datetime
    from typing import Any, TypeVar

if TYPE_CHECKING:  # loaded with the first dialog or message: with the Qt classes only they
    # name (each makes its Python enums), no part of the window's first frame (issue 17)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from onetake_desktop.services.privacy import Candidate, PrivacyService, Release
    from onetake_desktop.services.scoring import Actor
    from onetake_desktop.storage.erasure import ErasureResult
    from onetake_desktop.ui.reviewer.privacy_dialogs import EraseDialog, HoldDialog, ReleaseDialog

if TYPE_CHECKING:
    _T = TypeVar("_T")

# While the window is open, who fell due since is erased every hour: a window left open (and
# locked) on the panel's laptop for weeks keeps the candidates' promise too.
RECHECK_MS = 60 * 60 * 1000
# A check that finds a dialog open (an Erase or Keep longer being filled in) tries again this
# much later rather than erase someone underneath it (check_due).
RETRY_MS = 5 * 60 * 1000


BANNER_STYLE = """
QFrame#RetentionBanner { background: #fff7e6; border: 1px solid #e0b251; border-radius: 8px; }
QFrame#RetentionBanner QPushButton { padding: 2px 10px; min-height: 18px; }
QLabel#DialogWarning { color: #8a1c1c; font-weight: 600; }
"""


def default_clock() -> Clock:
    """The clock new windows use (tests replace this with a ManualClock)."""
    return SystemClock()


def plain_label(text: str = "", *, wrap: bool = True, name: str = "") -> QLabel:
    label = QLabel(text)
    # Names and emails come from bundles. (By number: see ui/widgets/qt_numbers.py.)
    set_properties(label, textFormat=TextFormat.PlainText)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def day_label(moment: datetime | None) -> str:
    """'1 Dec 2026', kept on one line (services.privacy.day_text); callers that may have no
    date say so in a sentence of their own first."""
    from onetake_desktop.services.privacy import day_text

    return "?" if moment is None else day_text(moment)


def undated_line() -> str:
    """What a candidate with no expiry yet gets instead of a date, as a line of its own."""
    from onetake_desktop.services.privacy import UNDATED

    return UNDATED[0].upper() + UNDATED[1:]


def _imported(c: Candidate) -> datetime | None:
    from datetime import datetime

    try:
        return datetime.fromisoformat(c.imported_at)
    except ValueError:
        return None


class RetentionBanner(QWidget):
    """Who is erased within the week, above the window's panes (hidden when nobody is)."""

    def __init__(self) -> None:
        super().__init__()
        self.setStyleSheet(BANNER_STYLE)
        outer = QVBoxLayout(self)
        # Slim (a line of text, small buttons): on a 512-point-high screen every pixel it
        # takes comes out of the player.
        outer.setContentsMargins(12, 4, 12, 0)
        frame = QFrame()
        frame.setObjectName("RetentionBanner")
        outer.addWidget(frame)
        row = QHBoxLayout(frame)
        row.setContentsMargins(12, 3, 6, 3)
        # One line, cut to the width with the whole sentence in its tooltip: two wrapped lines
        # took the player's buttons' height at 1366x768 x1.5.
        self.text = ElidedLabel(object_name="RetentionText")
        self.text.setAccessibleName("Candidates erased soon")
        self.keep_button = QPushButton("Keep longer…")
        # Only while one of the candidates named is kept longer (refresh_banner).
        self.release_button = QPushButton("Stop keeping longer…")
        self.release_button.setVisible(False)
        self.dismiss_button = QPushButton("Dismiss")
        # Made after the window's first paint (PrivacyController.refresh_banner).
        from PySide6.QtCore import Qt

        row.addWidget(self.text, 1)
        row.addWidget(self.keep_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.release_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.dismiss_button.clicked.connect(lambda: self.setVisible(False))
        self.setVisible(False)


# A dialog's candidate no longer in the library: another OneTake on it (a terminal's 'library
# erase', another window) or retention erased them after the window read them.
ERASED_MEANWHILE = (
    "This candidate was erased meanwhile (by another OneTake on this library, or at the end "
    "of their retention), so nothing was done; the list is now up to date."
)


SELECT_TO_KEEP = "Select a candidate in the library first, to keep them longer."


class PrivacyController(QObject):
    """Erase and hold actions, the week-ahead banner, and the expiry at start-up and hourly."""

    def __init__(self, window: Any, library: Any, clock: Clock) -> None:
        super().__init__(window)
        self.window = window
        self._library = library
        self._clock = clock
        self._service: PrivacyService | None = None
        self.erase_dialog: EraseDialog | None = None
        self.hold_dialog: HoldDialog | None = None
        self.release_dialog: ReleaseDialog | None = None
        self.overdue_box: QMessageBox | None = None
        self.startup_box: QMessageBox | None = None
        self.due_box: QMessageBox | None = None  # the hourly check's notice (check_due)
        self.recheck_timer: QTimer | None = None  # started after the first paint
        self.retry_timer: QTimer | None = None  # a check put off by an open dialog (check_due)
        self._put_off_at: datetime | None = None  # when a check was first put off
        self._started = False

        self.erase_action = QAction("E&rase candidate…", window)
        self.erase_action.triggered.connect(self.erase_selected)
        self.hold_action = QAction("&Keep candidate longer…", window)
        self.hold_action.triggered.connect(lambda: self.keep_longer(self.selected_submission()))
        # Offered where Keep longer is, while the selected candidate is kept longer.
        self.release_action = QAction("&Stop keeping candidate longer…", window)
        self.release_action.setVisible(False)
        self.release_action.triggered.connect(lambda: self.stop_keeping(self.selected_submission()))
        file_menu = next(
            (
                a.menu()
                for a in window.menuBar().actions()
                if a.menu() is not None and a.text().replace("&", "") == "File"
            ),
            None,
        )
        if isinstance(file_menu, QMenu):
            quit_ = next((a for a in file_menu.actions() if a.text() == "&Quit"), None)
            ours = [self.hold_action, self.release_action, self.erase_action]
            if quit_ is None:
                file_menu.addActions(ours)
            else:  # ... Export, | Keep longer, (Stop keeping longer,) Erase, | Quit
                file_menu.insertActions(quit_, ours)
                file_menu.insertSeparator(quit_)
            file_menu.aboutToShow.connect(self.refresh_actions)
        # The tree's own menu, once the tree is built (behind a lock at start, after the first
        # frame; on an empty library, with its first rows: issue 17).
        window.when_library_view_built(self._hook_tree)

        # The banner is made the first time someone is due within the week (banner): hidden
        # until then, it is no part of the window's first frame (issue 17).
        self._banner: RetentionBanner | None = None
        window.library_reloaded.connect(self._on_library_reloaded)
        # The banner (a query over every candidate) and the start-up expiry wait until the
        # window is on screen: neither is part of its first frame.
        after_first_paint(window, self._on_first_paint)

    @property
    def banner(self) -> RetentionBanner:
        """The week-ahead banner above the window's panes (hidden while nobody is due)."""
        if self._banner is None:
            banner = RetentionBanner()
            self.window.central_column.insertWidget(0, banner)  # above the window's panes
            banner.keep_button.clicked.connect(lambda: self.keep_longer(None))
            banner.release_button.clicked.connect(lambda: self.stop_keeping(None))
            self._banner = banner
            self._place_banner_in_tab_order(banner)
        return self._banner

    def _place_banner_in_tab_order(self, banner: RetentionBanner) -> None:
        """Tab reaches the banner where it did when it was made with the window: after the
        panes, before the panel's lock screen (made later, its buttons came last); before
        the panelist switch while the lock screen is not made (it goes there when made)."""
        panel = getattr(self.window, "panel", None)
        if panel is None:
            return  # made while the window is built: before the panel, as it was
        lock_screen = panel.made_lock_screen
        ring: list[QWidget] = self.window._tab_ring()
        ours = [w for w in ring if banner.isAncestorOf(w)]
        others = [w for w in ring if w not in ours]
        lock = next(
            (
                i
                for i, w in enumerate(others)
                if (w is panel.switch if lock_screen is None else lock_screen.isAncestorOf(w))
            ),
            None,
        )
        if lock is None or lock == 0:
            return
        previous = others[lock - 1]
        for widget in ours:
            QWidget.setTabOrder(previous, widget)  # (from a widget Tab reaches: see window.py)
            previous = widget

    def _hook_tree(self) -> None:
        set_properties(self.window.tree, contextMenuPolicy=ContextMenuPolicy.CustomContextMenu)
        self.window.tree.customContextMenuRequested.connect(self._context_menu)

    @property
    def service(self) -> PrivacyService:
        """The library's privacy service, made on first use (issue 17: neither it nor its
        module is part of the window's first frame; the banner asks it right after)."""
        if self._service is None:
            from onetake_desktop.services.privacy import PrivacyService

            # The window's own policy: it knows who is signed in at the laptop.
            self._service = PrivacyService(self._library, self._clock, self.window.service.scoring)
        return self._service

    # -- which candidate ----------------------------------------------------------------------

    def selected_submission(self) -> int | None:
        if not self.window.library_view_built:  # no tree yet: nothing chosen in it
            return self.window.current_submission_id  # type: ignore[no-any-return]
        model = self.window.model
        index = self.window.tree.currentIndex()
        while index.isValid() and model.kind(index) == "answer":
            index = index.parent()
        if not index.isValid() or model.kind(index) != "candidate":
            return self.window.current_submission_id  # type: ignore[no-any-return]
        return int(model.key(index))

    def _name(self, c: Candidate) -> str:
        return self._names([c])[0]

    def _names(self, candidates: Sequence[Candidate]) -> list[str]:
        shown = self.window.shown_names(
            [(c.submission_id, c.candidate_name, c.candidate_email) for c in candidates]
        )
        return [f"{name} <{email}>" if email else str(name) for name, email in shown]

    def _context_menu(self, pos: Any) -> None:
        index = self.window.tree.indexAt(pos)
        if not index.isValid() or self.window.model.kind(index) == "interview":
            return
        self.window.tree.setCurrentIndex(index)
        self.refresh_actions()
        menu = QMenu(self.window.tree)
        menu.addAction(self.hold_action)
        if self.release_action.isVisible():
            menu.addAction(self.release_action)
        menu.addAction(self.erase_action)
        menu.popup(self.window.tree.viewport().mapToGlobal(pos))

    # -- who may (the policy's answer, asked again by the service on every change) ------------

    def _refusal(self, ask: Callable[[Actor], str | None]) -> str | None:
        w = self.window
        try:
            return ask(w.service.actor_for(w.current_reviewer_id))
        except OneTakeError as error:  # nobody signed in (the panel locked meanwhile)
            return str(error)

    def erase_refusal(self) -> str | None:
        """Why whoever is at the window may not erase (services decide; None: they may)."""
        return self._refusal(self.service.erasure_refusal)

    def hold_refusal(self) -> str | None:
        """Why whoever is at the window may not keep a candidate longer (None: they may)."""
        return self._refusal(self.service.retention_hold_refusal)

    def release_refusal(self) -> str | None:
        """Why whoever is at the window may not stop keeping a candidate longer (None: they
        may): the hold's rule, the service's answer."""
        return self._refusal(self.service.release_refusal)

    def refresh_actions(self) -> None:
        """The menus say who may erase or keep longer before anyone clicks (the click asks
        again); Stop keeping longer is offered while the selected candidate is kept longer."""
        selected = self.selected_submission()
        held = selected is not None and bool(self.service.running_holds(selected))
        self.release_action.setVisible(held)
        hold_refusal = self.hold_refusal()
        # Nobody selected, nobody to keep: greyed out, its tip says what to select (walk s13:
        # it opened a box that said only "Choose a candidate first."). A refusal leaves it
        # on, so that the click says why.
        self.hold_action.setEnabled(selected is not None or hold_refusal is not None)
        for action, refusal, tip in (
            (
                self.erase_action,
                self.erase_refusal(),
                "Erase the selected candidate's answers, scores and notes for good.",
            ),
            (
                self.hold_action,
                hold_refusal,
                "Keep the selected candidate past the date they were told, for a reason."
                if selected is not None
                else SELECT_TO_KEEP,
            ),
            (
                self.release_action,
                self.release_refusal() if held else None,
                "Stop keeping the selected candidate longer: they go on the date they were told.",
            ),
        ):
            action.setStatusTip(refusal or tip)
            action.setToolTip(plain_tooltip(refusal or tip))

    # -- erasing ------------------------------------------------------------------------------

    def erase_selected(self) -> EraseDialog | None:
        """Ask about the selected candidate (all their submissions); erases on confirmation.
        Someone the policy does not let erase gets its sentence, and no dialog."""
        from PySide6.QtWidgets import QMessageBox  # (see the TYPE_CHECKING imports)

        from onetake_desktop.ui.reviewer.privacy_dialogs import EraseDialog

        if getattr(self.window, "importing", False):
            QMessageBox.information(
                self.window, "OneTake", "Wait for the import to finish, then erase."
            )
            return None
        refusal = self.erase_refusal()
        if refusal is not None:
            warn(self.window, refusal, icon=QMessageBox.Icon.Information)
            return None
        submission_id = self.selected_submission()
        if submission_id is None:
            QMessageBox.information(self.window, "OneTake", "Choose a candidate to erase first.")
            return None
        from onetake_desktop.services.privacy import CandidateGone

        try:
            plan = self.service.plan(
                [c.submission_id for c in self.service.find(candidate_id=submission_id)]
            )
        except CandidateGone:
            self._gone([submission_id])
            return None
        except OneTakeError as error:
            warn(self.window, str(error))
            return None
        first = plan.candidates[0]
        interviews = [
            f"{c.interview_title}, imported {day_label(_imported(c))}" for c in plan.candidates
        ]
        dialog = EraseDialog(self.window, plan, self._name(first), interviews)
        dialog.accepted.connect(lambda: self._erase(plan.submission_ids, plan.candidates))
        self.erase_dialog = dialog
        dialog.open()
        return dialog

    def _let_go(self, submission_ids: Sequence[int]) -> None:
        w = self.window
        w.flush_note()
        if w.current_submission_id in submission_ids:
            w._clear_answer()  # the player lets go of the files before they are deleted

    def _erase(self, submission_ids: list[int], as_read: Sequence[Candidate] = ()) -> None:
        """A person's erasure: the service checks again who is at the window."""
        w = self.window
        refusal = self.erase_refusal()  # before letting go: a refusal leaves the answer on
        if refusal is not None:  # screen (a switch of panelist behind an open dialog)
            warn(w, refusal)
            return
        from onetake_desktop.services.privacy import CandidateGone

        self._let_go(submission_ids)
        try:
            result = self.service.erase(
                w.service.actor_for(w.current_reviewer_id),
                submission_ids=submission_ids,
                as_read=as_read,
            )
        except CandidateGone:
            self._gone(submission_ids)
            return
        except OneTakeError as error:
            warn(w, str(error))
            return
        self._erased(result)
        if result.already_gone:  # some went meanwhile: the rest is erased, and said so
            from PySide6.QtWidgets import QMessageBox  # (see the TYPE_CHECKING imports)

            from onetake_desktop.services.privacy import already_gone_sentence

            self.refresh_banner()
            self.refresh_actions()
            warn(w, already_gone_sentence(result), icon=QMessageBox.Icon.Information)

    def _gone(self, submission_ids: Sequence[int]) -> None:
        """Someone else erased the candidate a dialog was about: the player lets go of them,
        the list, banner and menus are read again, and one sentence says so."""
        from PySide6.QtWidgets import QMessageBox  # (see the TYPE_CHECKING imports)

        self._let_go(submission_ids)
        self.window.reload_library()
        self.refresh_banner()
        self.refresh_actions()
        warn(self.window, ERASED_MEANWHILE, icon=QMessageBox.Icon.Information)

    def _expire(self, now: datetime) -> None:
        """Retention's erasure (nobody's action): whoever was due at ``now`` (when the window
        said so), whoever is signed in. One moment for both steps: someone who falls due in
        between is not erased while the player may still hold their files. Behind the
        panel's lock (the hourly check, or a notice the lock took down) nothing is shown: a
        failure goes to the log."""
        quiet = self.window.locked()
        self._let_go([c.submission_id for c in self.service.due(now)])
        try:
            result = self.service.expire(now=now).result
        except OneTakeError as error:
            if quiet:
                import logging

                # Its type only: a message may name a file (the log outlives erasure).
                logging.getLogger(__name__).warning(
                    "retention erasure behind the lock failed: %s", type(error).__name__
                )
            else:
                warn(self.window, str(error))
            return
        if result is not None:
            self._erased(result, quiet=quiet)

    def _erased(self, result: ErasureResult, *, quiet: bool = False) -> None:
        w = self.window
        w.reload_library()  # (behind the lock: refilled at the next sign-in)
        if quiet:
            return
        from onetake_desktop.domain.words import plural

        count = len(result.counts)
        whose = "its" if count == 1 else "their"
        message = f"Erased {plural(count, 'submission')} and {whose} recordings."
        if not result.compacted:
            message += " Another program has the library open; close it to finish wiping."
        w.statusBar().showMessage(message, 8000)

    # -- retention ----------------------------------------------------------------------------

    def refresh_banner(self) -> None:
        from onetake_desktop.services.privacy import WARN_DAYS

        soon = self.service.upcoming(WARN_DAYS)
        if not soon:
            if self._banner is not None:
                self._banner.setVisible(False)
            return
        held = {c.submission_id for c in soon if c.kept_longer}
        everyone = [
            f"{name} on {day_label(c.erase_at)}"
            + (" (kept longer than they were told)" if c.submission_id in held else "")
            for c, name in zip(soon, self._names(soon), strict=True)
        ]
        if len(soon) == 1:
            text = f"Erased within {WARN_DAYS} days, as each candidate was told: {everyone[0]}."
        else:
            # One line, so the banner never takes the player's height on a small screen: the
            # whole list is in the tooltip and in Keep longer…
            text = (
                f"{len(soon)} candidates are erased within {WARN_DAYS} days, as each was told;"
                f" the first on {day_label(soon[0].erase_at)}. Point here for the list."
            )
        self.banner.text.setText(text)
        # The whole sentence (the line may be cut to the window's width), then everyone.
        listed = "\n".join(everyone) if len(soon) > 1 else ""
        self.banner.text.setToolTip(plain_tooltip(f"{text}\n\n{listed}".strip()))
        self.banner.release_button.setVisible(bool(held))
        self.banner.setVisible(True)

    def keep_longer(self, submission_id: int | None) -> HoldDialog | None:
        """Ask for an end date and a reason (the banner's candidates, or this one). Someone
        the policy does not let keep candidates longer gets its sentence, and no dialog."""
        from PySide6.QtWidgets import QMessageBox  # (see the TYPE_CHECKING imports)

        from onetake_desktop.services.privacy import WARN_DAYS, CandidateGone
        from onetake_desktop.ui.reviewer.privacy_dialogs import HoldDialog

        refusal = self.hold_refusal()
        if refusal is not None:
            warn(self.window, refusal, icon=QMessageBox.Icon.Information)
            return None
        if submission_id is not None:
            try:
                choices = [self.service.candidate(submission_id)]
            except CandidateGone:
                self._gone([submission_id])
                return None
        else:
            choices = self.service.upcoming(WARN_DAYS)
        if not choices:
            QMessageBox.information(self.window, "OneTake", SELECT_TO_KEEP)
            return None
        dialog = HoldDialog(
            self.window, [(c, self._name(c)) for c in choices], self.service.clock.now()
        )
        dialog.accepted.connect(lambda: self._hold(dialog))
        self.hold_dialog = dialog
        dialog.open()
        return dialog

    def _decided(self, decide: Callable[[Actor], _T], submission_id: int) -> _T | None:
        """A person's decision from a dialog about ``submission_id``: the service checks again
        who is at the window (the panel may have changed hands meanwhile) and that the
        candidate is still there; its refusal is shown, and None given."""
        from onetake_desktop.services.privacy import CandidateGone

        w = self.window
        try:
            return decide(w.service.actor_for(w.current_reviewer_id))
        except CandidateGone:
            self._gone([submission_id])
            return None
        except OneTakeError as error:
            warn(self.window, str(error))
            return None

    def _hold(self, dialog: HoldDialog) -> None:
        hold = self._decided(
            lambda actor: self.service.hold(
                actor,
                submission_id=dialog.submission_id(),
                until=dialog.until_date(),
                reason=dialog.reason.text(),
                as_read=dialog.chosen(),
            ),
            dialog.submission_id(),
        )
        if hold is None:
            return
        self.refresh_banner()
        self.refresh_actions()
        self.window.statusBar().showMessage(f"Kept until {day_label(hold.until)}.", 6000)

    def stop_keeping(self, submission_id: int | None) -> ReleaseDialog | None:
        """Ask for a reason to stop keeping a candidate longer (this one, or the banner's who
        are kept longer). Someone the policy does not let decide gets its sentence, and no
        dialog; a candidate not kept longer gets the service's sentence."""
        from PySide6.QtWidgets import QMessageBox  # (see the TYPE_CHECKING imports)

        from onetake_desktop.services.privacy import NOT_HELD, WARN_DAYS, CandidateGone
        from onetake_desktop.ui.reviewer.privacy_dialogs import ReleaseDialog

        refusal = self.release_refusal()
        if refusal is not None:
            warn(self.window, refusal, icon=QMessageBox.Icon.Information)
            return None
        now = self.service.clock.now()
        try:  # another OneTake on the library may have erased the candidate meanwhile
            if submission_id is not None:
                candidates = [self.service.candidate(submission_id)]
            else:
                candidates = self.service.upcoming(WARN_DAYS)
            choices = [
                (c, self._name(c), holds, self.service.release_preview(c.submission_id, now))
                for c in candidates
                if (holds := self.service.running_holds(c.submission_id))
            ]
        except CandidateGone:
            self._gone([] if submission_id is None else [submission_id])
            return None
        except OneTakeError as error:
            warn(self.window, str(error))
            return None
        if not choices:
            warn(self.window, NOT_HELD, icon=QMessageBox.Icon.Information)
            return None
        dialog = ReleaseDialog(self.window, choices)
        dialog.accepted.connect(lambda: self._release(dialog))
        self.release_dialog = dialog
        dialog.open()
        return dialog

    def _release(self, dialog: ReleaseDialog) -> None:
        released = self._decided(
            lambda actor: self.service.release(
                actor,
                submission_id=dialog.submission_id(),
                reason=dialog.reason.text(),
                as_read=dialog.chosen(),
            ),
            dialog.submission_id(),
        )
        if released is None:
            return
        self.refresh_banner()
        self.refresh_actions()
        self._released(released)

    def _released(self, released: Release) -> None:
        from PySide6.QtWidgets import QMessageBox  # (see the TYPE_CHECKING imports)

        if released.erase_at is None:
            from onetake_desktop.services.privacy import UNDATED

            self.window.statusBar().showMessage(f"No longer kept longer: {UNDATED}.", 8000)
            return
        if not released.overdue:
            self.window.statusBar().showMessage(
                f"No longer kept longer: erased on {day_label(released.erase_at)}, "
                "as they were told.",
                8000,
            )
            return
        from onetake_desktop.services.privacy import ERASED_NEXT

        # Their date has passed: they go at the next expiry. Said in a box, not a status line
        # that vanishes, since it cannot be taken back.
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("No longer kept longer")
        set_properties(box, textFormat=TextFormat.PlainText)
        told = released.candidate.expires_at or released.erase_at
        box.setText(f"The date they were told, {day_label(told)}, has passed.")
        box.setInformativeText(f"They are erased {ERASED_NEXT}: recordings, scores and notes.")
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.overdue_box = box
        box.open()

    def _on_first_paint(self) -> None:
        from PySide6.QtCore import QTimer  # (see the TYPE_CHECKING imports)

        self._started = True
        self.refresh_banner()
        self.expire_due_at_startup()
        timer = QTimer(self)
        timer.setInterval(RECHECK_MS)
        timer.timeout.connect(self.check_due)
        timer.start()
        self.recheck_timer = timer

    def _on_library_reloaded(self) -> None:
        if self._started:  # before the first paint, _on_first_paint fills the banner
            self.refresh_banner()

    def expire_due_at_startup(self) -> QMessageBox | None:
        """Say how many candidates are due and that they are erased now, then erase them."""
        if not self.window.isVisible():  # closed before the event loop came round
            return None
        self.service.sweep()
        now = self.service.clock.now()  # erased are exactly those the message counts
        due = self.service.due(now)
        if not due:
            return None
        self.startup_box = self._due_notice(len(due), now)
        return self.startup_box

    def _due_notice(self, count: int, now: datetime) -> QMessageBox:
        """Say that ``count`` candidates reached their date; erase those due at ``now`` when
        it is answered (or taken down: the panel's lock rejects it)."""
        from PySide6.QtWidgets import QMessageBox  # (see the TYPE_CHECKING imports)

        from onetake_desktop.domain.words import plural

        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Retention period ended")
        set_properties(box, textFormat=TextFormat.PlainText)
        box.setText(
            f"{plural(count, 'candidate')} reached the end of the time their answers are kept."
        )
        box.setInformativeText(
            "When they recorded, they were told their answers would be kept for the "
            "interview's retention period and then deleted, so they are erased now: "
            "recordings, scores and notes. To keep someone longer, use Keep longer… in the "
            "warning banner before their date."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.finished.connect(lambda _r: self._expire(now))
        box.open()
        return box

    def check_due(self) -> QMessageBox | None:
        """The hourly check while the window is open (RECHECK_MS): whoever fell due since
        start-up is erased as at start-up, with the same notice, the one among them open on
        screen closed first. Behind the panel's lock nothing about a candidate may show and
        nobody may be there to answer: they are erased at once, silently (the tree is filled
        again at the next sign-in). A notice left unanswered since the last check no longer
        holds the erasure back: the promise does not wait for someone to come back. A dialog
        open over the window (an Erase or Keep longer half filled in, whose candidate may be
        among the due) puts the check off by RETRY_MS at a time; one open for an hour is
        taken down and the check goes ahead."""
        from onetake_desktop.services.retention import due_ids

        if not self.window.isVisible():  # closed: its library with it
            return None
        if getattr(self.window, "importing", False):
            return None  # as a person's erasure waits for it (erase_selected): the next hour
        now = self.service.clock.now()
        # Kept only while this check is put off again (below): then it counts from the first.
        put_off_at, self._put_off_at = self._put_off_at, None
        due = due_ids(self._library.db, now)  # one indexed query: nobody due, nothing read
        if not due:
            return None
        if self.window.locked():
            self._expire(now)  # at once, showing nothing
            return None
        if any(box is not None and box.isVisible() for box in (self.startup_box, self.due_box)):
            self._expire(now)
            return None
        if self._dialog_open():
            from datetime import timedelta

            self._put_off_at = put_off_at or now
            if now - self._put_off_at < timedelta(milliseconds=RECHECK_MS):
                self._retry_soon()  # the dialog's candidate may be among the due
                return None
            # Open an hour, unattended: taken down as the panel's lock does, since the
            # promise does not wait either.
            self._put_off_at = None
            self._take_down_dialogs()
        self._let_go(due)  # off the screen before the notice covers it
        self.due_box = self._due_notice(len(due), now)
        return self.due_box

    def _dialog_open(self) -> bool:
        """Whether a dialog is open over the window (ours, or any modal one): a candidate
        erased under it would be gone when it is confirmed."""
        from PySide6.QtWidgets import QApplication  # (see the TYPE_CHECKING imports)

        ours = (self.erase_dialog, self.hold_dialog, self.release_dialog, self.overdue_box)
        return QApplication.activeModalWidget() is not None or any(
            d is not None and d.isVisible() for d in ours
        )

    def _retry_soon(self) -> None:
        from PySide6.QtCore import QTimer  # (see the TYPE_CHECKING imports)

        timer = self.retry_timer
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(RETRY_MS)
            timer.timeout.connect(self.check_due)
            self.retry_timer = timer
        if not timer.isActive():
            timer.start()

    def _take_down_dialogs(self) -> None:
        from PySide6.QtWidgets import QDialog  # (see the TYPE_CHECKING imports)

        for dialog in self.window.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()


def install_privacy_features(window: QMainWindow, clock: Clock | None = None) -> PrivacyController:
    """Add erasure and retention to the reviewer window (kept as ``window.privacy``)."""
    library = window.service.library  # type: ignore[attr-defined]
    controller = PrivacyController(window, library, clock or default_clock())
    window.privacy = controller  # type: ignore[attr-defined]
    return controller
