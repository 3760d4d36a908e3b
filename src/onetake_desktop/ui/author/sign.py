"""The passphrase asked for by "Build and sign kit…" (walk s13 LOW-2): a wrong passphrase is
said under the field and asked for again in the same dialog; only Cancel ends the signing."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.keys import KitSigner, WrongPassphraseError
from onetake_desktop.ui.widgets.plain import plain_label


class SignDialog(QDialog):
    """Asks for the passphrase of ``key`` (its words: "ORG's key (FINGERPRINT)", outside
    text, shown plain) and opens it with ``unlock`` (the service). The service decides what
    a failure means: WrongPassphraseError asks again (the sentence under the field, the
    typed passphrase cleared); any other OneTakeError ends the dialog with ``failure`` set.
    Accepted: ``signer`` holds the opened key, for the caller to take out at once
    (``take_signer``) before it drops the dialog; the field is emptied on every way out
    (review s13b B6: each signing left a dialog behind holding the passphrase and the key)."""

    def __init__(
        self, key: str, unlock: Callable[[str], KitSigner], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SignDialog")
        self.setWindowTitle("Sign the kit")
        self.unlock = unlock
        self.signer: KitSigner | None = None
        self.failure: OneTakeError | None = None
        self.prompt = plain_label(f"Passphrase of {key}:", object_name="SignPrompt", wrap=True)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("SignPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase of the organisation key")
        self.error = plain_label("", object_name="SignError", wrap=True)
        self.error.setStyleSheet("color: #a40000;")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_button.setText("Sign")
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_passphrase)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        # Room for an organisation's name and the error sentence on a line or two each.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)

    def try_passphrase(self) -> None:
        typed = self.passphrase.text()
        if not typed:
            self._again("Type the passphrase of the key, or Cancel.")
            return
        try:
            self.signer = self.unlock(typed)
        except WrongPassphraseError as error:
            self._again(str(error))
            return
        except OneTakeError as error:
            self.failure = error
            self.reject()
            return
        self.accept()

    def done(self, result: int) -> None:
        # Sign, Cancel, Escape and the title bar's close all end here. setText, not clear():
        # clear() is an undoable edit, so the passphrase stayed in the undo history.
        self.passphrase.setText("")
        super().done(result)

    def take_signer(self) -> KitSigner | None:
        """The opened key, which the dialog then no longer holds."""
        signer, self.signer = self.signer, None
        return signer

    def _again(self, sentence: str) -> None:
        self.error.setText(sentence)
        self.error.show()
        self.adjustSize()  # a wrapped sentence is taller than the dialog's first size
        self.passphrase.setText("")  # also drops the undo history (see done())
        self.passphrase.setFocus()
