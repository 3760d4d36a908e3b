"""The new-panelist dialog (name, passphrase twice, chair): loaded when it is first opened,
so that it and the Qt classes only it names (QDialog, QDialogButtonBox, QFormLayout,
QCheckBox, each with its Python enums) are no part of the reviewer window's first frame,
whose lock screen and panelist switch are lock.py's (issue 17)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.panel import MIN_PASSPHRASE, Actor, PanelService
from onetake_desktop.ui.panel.common import (
    STYLE,
    FlagLabel,
    passphrase_dialog_body,
    plain_text_labels,
)
from onetake_desktop.ui.tasks import run_task


class NewPanelistDialog(QDialog):
    """Name and passphrase (twice); creates the panelist and signs them in. While the panel
    is being set up (nobody has scored yet) the new panelist may be named its chair: then
    only the chair records decisions, once everybody has submitted."""

    def __init__(self, service: PanelService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.created_id: int | None = None
        self.created: Actor | None = None
        self.setWindowTitle("New panelist")
        self.setStyleSheet(STYLE)
        self.name = QLineEdit()
        self.name.setAccessibleName("Panelist name")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = FlagLabel()
        hint = QLabel(
            f"At least {MIN_PASSPHRASE} characters. It is stored only as an Argon2id hash; "
            "nobody can read it back."
        )
        hint.setObjectName("Hint")
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("Repeat", self.repeat)
        self.chair = QCheckBox("Chair: records the panel's decisions")
        self.chair.setVisible(service.can_name_chair())
        form.addRow("", self.chair)
        self.busy = False
        self.ok_button = passphrase_dialog_body(
            self, form, (hint, self.error), "Create and sign in", self.create_and_sign_in
        )
        plain_text_labels(self)

    def create_and_sign_in(self) -> None:
        """Hash on a worker thread (Argon2id, ~0.1 s), then create and sign in on this one.
        The new panelist has just typed the passphrase twice, so it is not checked again."""
        if self.busy:
            return
        if self.passphrase.text() != self.repeat.text():
            self.error.setText("The two passphrases differ.")
            return
        name, passphrase = self.name.text(), self.passphrase.text()
        chair = self.chair.isVisible() and self.chair.isChecked()
        self._set_busy(True)

        def done(prepared: tuple[str, bytes, bytes]) -> None:
            self._set_busy(False)
            if not self.isVisible():
                return  # cancelled while hashing: create nobody
            try:
                actor = self.service.add_panelist(name, prepared, chair=chair)
            except OneTakeError as error:
                self.error.setText(str(error))
                return
            self.created = actor
            self.created_id = actor.reviewer_id
            self.accept()

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self.error.setText(
                str(error)
                if isinstance(error, OneTakeError)
                else f"The passphrase could not be stored ({error})."
            )

        run_task(lambda _p: self.service.prepare_panelist(passphrase), done, failed)

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        self.ok_button.setEnabled(not on)
        self.ok_button.setText("Creating…" if on else "Create and sign in")
        for w in (self.name, self.passphrase, self.repeat):
            w.setEnabled(not on)
