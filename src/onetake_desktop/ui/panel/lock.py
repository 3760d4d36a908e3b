"""Who is at the laptop: the lock screen (the panelist switch is in switch.py, the
new-panelist dialog in new_panelist.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.panel import PanelService
from onetake_desktop.ui.panel.common import STYLE, FlagLabel, plain_text_labels

__all__ = ["SUBTITLE", "LockScreen"]

if TYPE_CHECKING:  # loads with the first passphrase checked (issue 17)
    from onetake_desktop.services.panel_records import Verified


CHOOSE_PROMPT = "Choose who is scoring."  # show_for(ask_who=True): gone once a name is chosen
SUBTITLE = (
    "Each panelist scores on their own. Nobody sees anyone else's scores before submitting theirs."
)


class LockScreen(QWidget):
    """Covers the whole reviewer window while nobody is signed in.

    Pick your name, type your passphrase, Enter. Emits ``signed_in(actor)``: the signed-in
    panelist, with what the sign-in check found changed among their rows (``warnings``).
    """

    signed_in = Signal(object)
    new_panelist_requested = Signal()

    def __init__(self, service: PanelService, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = parent
        self.service = service
        self.setObjectName("PanelLockScreen")
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            STYLE
            + "QWidget#PanelLockScreen { background: #eef1f5; }"
            + "QPushButton#PanelistButton { text-align: left; padding: 8px 14px; }"
            + "QPushButton#PanelistButton:checked { background: #e8f0fa; color: #0b2f5c;"
            " border: 2px solid #1f5fa8; font-weight: 600; }"
        )

        self.title = QLabel("Who is scoring?")
        self.title.setObjectName("PanelTitle")
        self.subtitle = QLabel(SUBTITLE)
        self.subtitle.setObjectName("Hint")
        self.subtitle.setWordWrap(True)
        self.audit_banner = QLabel("")
        self.audit_banner.setObjectName("Banner")
        self.audit_banner.setWordWrap(True)
        self.audit_banner.hide()
        # Bundles opened while locked (a double-clicked file), kept in the library's folder
        # to import at the next sign-in (services/waiting_imports.py): their count only, as
        # anyone at the laptop reads this card and file names can name the candidates blind
        # review hides (the report goes to who signs in).
        self.waiting = QLabel("")
        self.waiting.setObjectName("Notice")
        self.waiting.setWordWrap(True)
        self.waiting.hide()

        self.names = QVBoxLayout()
        self.names.setSpacing(8)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setObjectName("PrimaryButton")
        self.prompt = QLabel("")
        self._asking_who = False  # the prompt is CHOOSE_PROMPT (show_for)
        self.prompt.setObjectName("Hint")
        self.prompt.setWordWrap(True)
        self.error = FlagLabel()
        self.new_button = QPushButton("New panelist…")
        self.busy = False
        self.checking = QProgressBar()  # busy (no range) while Argon2id runs off the GUI thread
        self.checking.setObjectName("SignInBusy")
        self.checking.setRange(0, 0)
        self.checking.setTextVisible(False)
        self.checking.setMaximumHeight(6)
        self.checking.setAccessibleName("Checking the passphrase")
        self.checking.hide()
        self.new_button.setObjectName("LinkButton")

        self.card = card = QFrame()
        card.setObjectName("Card")
        card.setFixedWidth(460)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addWidget(self.audit_banner)
        inner.addWidget(self.waiting)
        inner.addLayout(self.names)
        inner.addWidget(self.prompt)
        row = QHBoxLayout()
        row.addWidget(self.passphrase, 1)
        row.addWidget(self.sign_in_button)
        inner.addLayout(row)
        inner.addWidget(self.checking)
        inner.addWidget(self.error)
        # At its own width, on the left: a Maximum width policy does what AlignLeft would,
        # without naming the Qt namespace before a locked window's first paint (its ~95
        # enums are built at its first use: ui/widgets/qt_numbers.py).
        self.new_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        inner.addWidget(self.new_button)

        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(card)
        centre.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(centre)
        outer.addStretch(2)

        self.sign_in_button.clicked.connect(self.try_sign_in)
        self.passphrase.returnPressed.connect(self.try_sign_in)
        self.new_button.clicked.connect(self.new_panelist_requested.emit)
        self.group.idClicked.connect(lambda _: self._name_chosen())
        parent.installEventFilter(self)  # follow the window's size
        plain_text_labels(self)
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self._cover()
        return False

    def _cover(self) -> None:
        """The host's whole area below its menu bar: the bar stays in sight above the lock
        (its Panel menu and the panelist switch work while locked), and a tall card (a
        pending-import notice, several names) no longer slides under it on a short screen."""
        rect = self.host.rect()
        menu_bar = getattr(self.host, "menuBar", None)
        bar = menu_bar() if callable(menu_bar) else None
        if bar is not None and not bar.isHidden():
            # Its size hint, not its geometry: the window lays the bar out after this runs.
            rect.setTop(bar.sizeHint().height())
        self.setGeometry(rect)

    def refresh(self, chosen: int | None = None) -> None:
        for button in self.group.buttons():
            self.group.removeButton(button)
            self.names.removeWidget(button)
            button.hide()
            button.deleteLater()
        panelists = self.service.panelists()
        for p in panelists:
            button = QPushButton(p.name)
            button.setObjectName("PanelistButton")
            button.setMinimumHeight(40)
            button.setCheckable(True)
            button.setAccessibleName(f"Panelist {p.name}")
            self.group.addButton(button, p.reviewer_id)
            self.names.addWidget(button)
        if chosen is None and len(panelists) == 1:
            chosen = panelists[0].reviewer_id
        if chosen is not None and self.group.button(chosen) is not None:
            self.group.button(chosen).setChecked(True)
        self.passphrase.setEnabled(bool(panelists))
        self.sign_in_button.setEnabled(bool(panelists))
        if not panelists:
            self.title.setText("Set up the panel")
            self.subtitle.setText("Add the first panelist: a name and a passphrase.")
        else:  # (both: a panel's first panelist may be added while it is shown)
            self.title.setText("Who is scoring?")
            self.subtitle.setText(SUBTITLE)

    def show_for(
        self, chosen: int | None = None, message: str = "", *, ask_who: bool = False
    ) -> None:
        """Cover the window: ``chosen`` preselected, ``message`` (why it locked) above the
        names; ``ask_who``: only "Choose who is scoring.", done with once a name is chosen."""
        self.refresh(chosen)
        self._asking_who = ask_who
        if ask_who:
            message = CHOOSE_PROMPT
        self.prompt.setText(message)
        self.prompt.setVisible(bool(message))
        self.error.setText("")
        self.passphrase.clear()
        self.show_waiting()
        self._cover()
        self.show()
        self.raise_()
        self._focus_passphrase()

    def set_audit_problem(self, sentence: str | None) -> None:
        self.audit_banner.setText(f"Audit log check failed: {sentence}" if sentence else "")
        self.audit_banner.setVisible(bool(sentence))

    def set_waiting(self, sentence: str) -> None:
        """What waits for the next sign-in (bundles to import), in one plain sentence; ""
        hides the line."""
        self.waiting.setText(sentence)
        self.waiting.setVisible(bool(sentence))

    def show_waiting(self) -> None:
        """The waiting line as the panel service counts it now: kept in the library's folder,
        it holds what a closed window, or another OneTake on the library, kept too."""
        self.set_waiting(self.service.waiting_sentence())

    def _name_chosen(self) -> None:
        # "Choose who is scoring." is done once a name is chosen; other prompts (why the
        # panel locked) still hold.
        if self._asking_who:
            self._asking_who = False
            self.prompt.setText("")
            self.prompt.hide()
        self._focus_passphrase()

    def _focus_passphrase(self) -> None:
        self.passphrase.setFocus()  # (Qt's OtherFocusReason, without naming its namespace)

    def try_sign_in(self) -> None:
        """Check the passphrase on a worker thread (Argon2id takes ~0.1 s by design); the
        card shows a busy bar meanwhile and takes no second try until the answer is back."""
        if self.busy:
            return
        reviewer_id = self.group.checkedId()
        if reviewer_id < 0:
            self.error.setText("Choose your name first.")
            return
        try:
            record = self.service.begin_sign_in(reviewer_id)
        except OneTakeError as error:
            self._failed(error)
            return
        passphrase = self.passphrase.text()
        self._set_busy(True)

        def done(verified: Verified) -> None:
            self._set_busy(False)
            if not self.isVisible():
                return  # the window closed meanwhile: nobody is waiting to sign in
            try:
                actor = self.service.finish_sign_in(record, verified)
            except OneTakeError as error:
                self._failed(error)
                return
            self.passphrase.clear()
            self.error.setText("")
            self.prompt.setText("")
            self._asking_who = False
            self.hide()
            self.signed_in.emit(actor)

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self._failed(error)

        # ui.tasks (Qt's thread pool and runnable classes) loads with the first passphrase
        # checked: no part of a window's first frame (issue 17).
        from onetake_desktop.ui.tasks import run_task

        run_task(lambda _p: self.service.verify_passphrase(record, passphrase), done, failed)

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        self.checking.setVisible(on)
        for w in (self.passphrase, self.sign_in_button, *self.group.buttons()):
            w.setEnabled(not on)
        if on:
            self.error.setText("")
        else:
            self._focus_passphrase()

    def _failed(self, error: BaseException) -> None:
        self.error.setText(
            str(error)
            if isinstance(error, OneTakeError)
            else f"The passphrase could not be checked ({error})."
        )
        self.passphrase.selectAll()
