"""Organisation keys from a window (issue 13): what ``onetake keys new/list/export`` do.

The reviewer window's File menu opens :class:`KeysWindow` on its library. Making a key and
exporting the identity harden or check the passphrase with Argon2id (seconds on purpose), so
both run on Qt's thread pool with a busy state; each task opens its own KeyService (a SQLite
connection belongs to the thread that opened it). Every rule (name, passphrase length, which
keys a passphrase opens, the identity file's 0600 mode) is services/keys.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.ui.tasks import run_task
from onetake_desktop.ui.widgets.plain import make_plain, plain_label

if TYPE_CHECKING:
    from onetake_desktop.services.keys import KeyRecord, KeyService


def key_service_for_library(root: Path) -> KeyService:
    """services.keys (cryptography, age) loads when the keys window needs it, not with the
    reviewer window's menu."""
    from onetake_desktop.services import keys

    return keys.key_service_for_library(root)


__all__ = ["KeysWindow", "NewKeyDialog", "open_keys_window"]

AskPassphrase = Callable[[str], str | None]
ChoosePath = Callable[[Path], Path | None]

HARDENING = "this takes a few seconds: the passphrase is hardened on purpose"


def _sentence(error: BaseException) -> str:
    if isinstance(error, OneTakeError):
        return str(error)
    return f"That did not work ({type(error).__name__}: {error})."


class _Busy(QWidget):
    """An indeterminate bar and a sentence, shown while a key task runs."""

    def __init__(self) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setFixedWidth(90)
        self.bar.setAccessibleName("Working")
        self.text = plain_label(wrap=True)
        lay.addWidget(self.bar)
        lay.addWidget(self.text, 1)
        self.hide()

    def start(self, sentence: str) -> None:
        self.text.setText(sentence)
        self.show()

    def stop(self) -> None:
        self.hide()


class NewKeyDialog(QDialog):
    """Organisation name and the passphrase twice; the key is made on a worker thread."""

    def __init__(self, library_root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.root = library_root
        self.record: KeyRecord | None = None
        self.working = False
        self.setWindowTitle("New organisation key")
        # Room for the wrapped sentences and the busy row (wrapped labels do not grow a dialog).
        self.setMinimumSize(540, 360)
        intro = plain_label(
            "Kits signed with this key show candidates your organisation's name; their answers "
            "are locked so that only this key opens them. Without the passphrase (or an "
            "exported copy of the key) those answers cannot be opened.",
            wrap=True,
        )
        self.org = QLineEdit()
        self.org.setAccessibleName("Organisation name")
        self.org.setPlaceholderText("As candidates should see it")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName("Passphrase again")
        form = QFormLayout()
        for text, field in (
            ("&Organisation", self.org),
            ("&Passphrase", self.passphrase),
            ("&Again", self.again),
        ):
            lab = QLabel(text)
            lab.setBuddy(field)
            form.addRow(lab, field)
        self.error = plain_label(wrap=True, object_name="Error")
        self.error.setAccessibleName("Problem")
        self.error.setStyleSheet("color: #b42318; font-weight: 600;")
        self.busy = _Busy()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Make the key")
        self.buttons.accepted.connect(self.make_key)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.busy)
        lay.addWidget(self.buttons)
        make_plain(*self.findChildren(QLabel))
        for lab in self.findChildren(QLabel):  # the form's mnemonics (&O) stay mnemonics
            if lab.buddy() is not None:
                lab.setTextFormat(Qt.TextFormat.AutoText)

    def make_key(self) -> None:
        if self.working:
            return
        if self.passphrase.text() != self.again.text():
            self.error.setText("The two passphrases differ; type the same one twice.")
            self.again.setFocus()
            return
        org, passphrase = self.org.text(), self.passphrase.text()
        root = self.root

        def work(_progress: Any) -> KeyRecord:
            with key_service_for_library(root) as keys:
                return keys.new_key(org, passphrase)

        self._set_working(True, f"Making the key of {' '.join(org.split())}… ({HARDENING}).")
        run_task(work, self._made, self._failed)

    def _set_working(self, on: bool, sentence: str = "") -> None:
        self.working = on
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        for w in (self.org, self.passphrase, self.again, self.ok_button, cancel):
            w.setEnabled(not on)
        if on:
            self.error.setText("")
            self.busy.start(sentence)
        else:
            self.busy.stop()

    def _made(self, record: KeyRecord) -> None:
        self._set_working(False)
        self.record = record
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_working(False)
        self.error.setText(_sentence(error))

    def reject(self) -> None:
        if self.working:  # the key is being written; closing now would hide how it ended
            return
        super().reject()


def _ask_passphrase(parent: QWidget) -> AskPassphrase:
    def ask(text: str) -> str | None:
        value, ok = QInputDialog.getText(
            parent, "Organisation key", text, QLineEdit.EchoMode.Password
        )
        return value if ok else None

    return ask


def _choose_export_path(parent: QWidget) -> ChoosePath:
    def choose(suggested: Path) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(
            parent, "Export the age identity", str(suggested), "Text files (*.txt)"
        )
        return Path(path) if path else None

    return choose


class KeysWindow(QDialog):
    """The library's organisation keys: the list with fingerprints, New key, Export identity.

    Options for tests: ``ask_passphrase`` and ``choose_export_path`` instead of dialogs, and
    ``new_key_dialog`` to reach the dialog it opens (``open_new_key`` returns it)."""

    def __init__(
        self,
        library_root: Path,
        parent: QWidget | None = None,
        *,
        ask_passphrase: AskPassphrase | None = None,
        choose_export_path: ChoosePath | None = None,
    ) -> None:
        super().__init__(parent)
        self.root = Path(library_root)
        self.ask_passphrase = ask_passphrase or _ask_passphrase(self)
        self.choose_export_path = choose_export_path or _choose_export_path(self)
        self.working = False
        self.new_key_dialog: NewKeyDialog | None = None
        self.setWindowTitle("Organisation keys")
        self.setObjectName("KeysWindow")
        self.setMinimumSize(560, 320)
        self.resize(760, 420)
        intro = plain_label(
            "Your organisation's key signs interview kits (candidates see who sent them) and "
            "opens the answers candidates send, which are locked to it. The same as "
            "'onetake keys new', 'list' and 'export'.",
            wrap=True,
        )
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Organisation keys")
        self.tree.setHeaderLabels(["Organisation", "Signing key", "Made on", "Public key"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.empty = plain_label(
            "No organisation key yet. Make one to sign kits and receive locked answers.",
            wrap=True,
        )
        self.status = plain_label(wrap=True)
        self.status.setAccessibleName("Status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = _Busy()
        self.new_button = QPushButton("&New key…")
        self.export_button = QPushButton("&Export identity…")
        self.export_button.setToolTip(
            "Write the key as a standard age identity file (readable by you only): a backup, "
            "and what 'age -d -i FILE' opens answers with, without OneTake"
        )
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.empty)
        lay.addWidget(self.status)
        lay.addWidget(self.busy)
        lay.addLayout(buttons)
        self.new_button.clicked.connect(self.open_new_key)
        self.export_button.clicked.connect(self.export_identity)
        close.clicked.connect(self.close)
        self.refresh()

    def records(self) -> list[KeyRecord]:
        with key_service_for_library(self.root) as keys:
            return keys.keys()

    def refresh(self) -> None:
        records = self.records()
        self.tree.clear()
        for r in records:
            item = QTreeWidgetItem(
                [r.organisation, r.short_fingerprint, r.created_at[:10], r.age_recipient]
            )
            item.setToolTip(1, f"sha256 {r.fingerprint}")
            item.setToolTip(3, r.age_recipient)  # age recipients are plain ASCII
            self.tree.addTopLevelItem(item)
        self.tree.setColumnWidth(3, 260)
        self.empty.setVisible(not records)
        self.export_button.setEnabled(bool(records) and not self.working)

    def open_new_key(self) -> NewKeyDialog:
        dialog = NewKeyDialog(self.root, self)
        self.new_key_dialog = dialog
        dialog.accepted.connect(lambda: self._made(dialog))
        dialog.open()
        return dialog

    def _made(self, dialog: NewKeyDialog) -> None:
        self.refresh()
        r = dialog.record
        if r is not None:
            self.status.setText(
                f"Made the key of {r.organisation} (signing key {r.short_fingerprint}). Export "
                "it too, and keep the copy somewhere safe."
            )

    def export_identity(self) -> None:
        if self.working:
            return
        records = self.records()
        if not records:
            return
        passphrase = self.ask_passphrase("Passphrase of your organisation key:")
        if passphrase is None:
            return
        out = self.choose_export_path(Path.home() / "onetake-identity.txt")
        if out is None:
            return
        root = self.root

        def work(_progress: Any) -> list[KeyRecord]:
            with key_service_for_library(root) as keys:
                return keys.export_identity(out, passphrase)

        self._set_working(True, f"Checking the passphrase… ({HARDENING}).")
        run_task(work, lambda written: self._exported(written, out), self._failed)

    def _set_working(self, on: bool, sentence: str = "") -> None:
        self.working = on
        self.new_button.setEnabled(not on)
        self.export_button.setEnabled(not on and self.tree.topLevelItemCount() > 0)
        if on:
            self.status.setText("")
            self.busy.start(sentence)
        else:
            self.busy.stop()

    def _exported(self, written: list[KeyRecord], out: Path) -> None:
        self._set_working(False)
        names = ", ".join(f"{r.organisation} ({r.short_fingerprint})" for r in written)
        self.status.setText(
            f"Wrote the key of {names} to {out} (readable by you only). "
            f"'age -d -i {out.name} answers.onetake.age' opens answers without OneTake."
        )

    def _failed(self, error: BaseException) -> None:
        self._set_working(False)
        self.status.setText(_sentence(error))

    def closeEvent(self, event: Any) -> None:
        if self.working:  # a task would report to a closed window
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:  # Escape
        if not self.working:
            super().reject()


def open_keys_window(window: QWidget, library_root: Callable[[], Path]) -> KeysWindow:
    """The reviewer window's File > Organisation keys… (Ctrl+K): one keys window, a child of
    ``window`` (found with ``window.findChild(KeysWindow)``), raised when open already. The
    window makes the menu item; this module loads when it is first used (issue 17)."""
    keys = window.findChild(KeysWindow)
    if keys is None:
        keys = KeysWindow(library_root(), window)
    keys.show()
    keys.raise_()
    keys.activateWindow()
    return keys
