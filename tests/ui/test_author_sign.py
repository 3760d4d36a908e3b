"""Walk s13 LOW-2: "Build and sign kit…" in a real authoring window. A wrong passphrase is
asked for again in the same dialog (only Cancel ends it), the status line names the key that
signed, and a key of another organisation than the kit names is warned about first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMessageBox, QToolBar
from pytestqt.qtbot import QtBot

from onetake_desktop.services.author import AuthorDraft
from onetake_desktop.services.context import AppContext
from onetake_desktop.services.keys import key_service_for_library
from onetake_desktop.storage import kitfile
from onetake_desktop.storage.keystore import KeyRecord
from onetake_desktop.ui.author.sign import SignDialog
from onetake_desktop.ui.author.window import AuthorWindow

pytestmark = pytest.mark.timeout(180, method="thread")
PASSPHRASE = "correct horse"
DEMO_ORG = "Harbour Lane Home Supplies"  # the demo interview's organisation field


def _key(context: AppContext, organisation: str) -> KeyRecord:
    with key_service_for_library(context.paths.ensure().library) as keys:
        return keys.new_key(organisation, PASSPHRASE)


def _window(qtbot: QtBot, context: AppContext, tmp_path: Path) -> AuthorWindow:
    source = tmp_path / "role.toml"  # building saves the draft: not over the bundled demo
    source.write_bytes(kitfile.demo_source_path().read_bytes())
    window = AuthorWindow(context, AuthorDraft.open(source))
    qtbot.addWidget(window)
    window.ask_unsaved = lambda: "discard"
    window.show_messages = False
    window.choose_kit_path = lambda: tmp_path / "role.onetakekit"
    window.resize(1024, 600)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()  # the first paint asks whether a key is there
    return window


def _type_and_sign(dialog: SignDialog, passphrase: str) -> None:
    dialog.passphrase.setFocus()
    QTest.keyClicks(dialog.passphrase, passphrase)
    QTest.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)


def _no_undo_history(dialog: SignDialog) -> None:
    """Review s13c C8: clear() is an undoable edit, so the typed passphrase stayed in the
    field's undo history (a password field hides undo, so look with the echo shown)."""
    field = dialog.passphrase
    echo = field.echoMode()
    field.setEchoMode(QLineEdit.EchoMode.Normal)
    assert not field.isUndoAvailable()
    field.undo()
    assert field.text() == ""
    field.setEchoMode(echo)


def test_a_wrong_passphrase_is_asked_again_and_the_status_names_the_signing_key(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    key = _key(app_context, DEMO_ORG)
    window = _window(qtbot, app_context, tmp_path)
    warned: list[str] = []

    def confirm(sentence: str) -> bool:
        warned.append(sentence)
        return False

    window.confirm_signing = confirm
    seen: dict[str, object] = {}

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, SignDialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.prompt.text() == f"Passphrase of {DEMO_ORG}'s key ({key.short_fingerprint}):"
        _type_and_sign(dialog, "not the passphrase")
        # Still open, the same dialog: one plain sentence under an emptied field.
        assert dialog.isVisible() and dialog.result() == 0
        seen["error"] = dialog.error.text()
        assert dialog.error.isVisible()
        assert dialog.error.textFormat() == Qt.TextFormat.PlainText
        assert dialog.passphrase.text() == ""
        _no_undo_history(dialog)
        assert dialog.focusWidget() is dialog.passphrase  # ready for the next try
        _type_and_sign(dialog, "")  # nothing typed: asked again, not an error box
        assert dialog.isVisible() and "Type the passphrase" in dialog.error.text()
        _type_and_sign(dialog, PASSPHRASE)
        assert not dialog.isVisible()
        return dialog.result() == QDialog.DialogCode.Accepted

    window.run_sign_dialog = drive
    qtbot.waitUntil(window.sign_action.isEnabled)  # asked once the window is on screen
    # On the toolbar beside "Build kit", and the whole bar fits a 1024x600 window.
    bar = window.findChild(QToolBar, "AuthorToolbar")
    assert isinstance(bar, QToolBar)
    shown = bar.actions()
    assert shown.index(window.sign_action) == shown.index(window.build_action) + 1
    last = bar.widgetForAction(shown[-1])
    assert last is not None and last.isVisible()
    assert last.geometry().right() < bar.contentsRect().right()
    window.sign_action.trigger()
    assert seen["error"] == f"That passphrase does not open the key of {DEMO_ORG}."
    assert warned == []  # the key's organisation is the kit's: no warning
    assert window.last_message == ""
    message = window.statusBar().currentMessage()
    assert message.startswith(
        f"Built role.onetakekit (version 2026.11), signed by {DEMO_ORG}'s key "
        f"({key.short_fingerprint}), and role.onetakeinterview."
    ), message
    signature = kitfile.load_signed_kit(tmp_path / "role.onetakekit").signature
    assert signature is not None and signature.short_fingerprint == key.short_fingerprint


def test_no_dialog_and_no_widget_keeps_the_passphrase_after_signing(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    """Review s13b B6: each signing left its dialog as a child of the window, the passphrase
    in its field and the opened key in ``dialog.signer``, for the window's whole life."""
    from shiboken6 import isValid

    _key(app_context, DEMO_ORG)
    window = _window(qtbot, app_context, tmp_path)
    dialogs: list[SignDialog] = []

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, SignDialog)
        dialogs.append(dialog)
        dialog.show()
        _type_and_sign(dialog, PASSPHRASE)
        return dialog.result() == QDialog.DialogCode.Accepted

    window.run_sign_dialog = drive
    for _ in range(2):  # a second signing adds no second dialog either
        published = window.build(sign=True)
        assert published is not None and published.signed_by
        assert dialogs[-1].signer is None  # the key was taken out for the build only
        assert dialogs[-1].passphrase.text() == ""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(SignDialog) == []
    assert len(dialogs) == 2 and not any(isValid(d) for d in dialogs)
    typed = [w for w in QApplication.allWidgets() if isinstance(w, QLineEdit)]
    assert typed and all(PASSPHRASE not in w.text() for w in typed)


def test_cancel_empties_the_passphrase_field_and_drops_the_dialog(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    _key(app_context, DEMO_ORG)
    window = _window(qtbot, app_context, tmp_path)
    left: list[str] = []

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, SignDialog)
        dialog.show()
        QTest.keyClicks(dialog.passphrase, PASSPHRASE)  # typed, then Cancel instead of Sign
        QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        left.append(dialog.passphrase.text())
        _no_undo_history(dialog)
        return dialog.result() == QDialog.DialogCode.Accepted

    window.run_sign_dialog = drive
    assert window.build(sign=True) is None
    assert left == [""]
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(SignDialog) == []


def test_cancel_after_a_wrong_passphrase_builds_nothing_and_says_nothing(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    _key(app_context, DEMO_ORG)
    window = _window(qtbot, app_context, tmp_path)
    tries: list[str] = []

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, SignDialog)
        dialog.show()
        for typed in ("wrong one", "wrong two"):
            _type_and_sign(dialog, typed)
            tries.append(dialog.error.text())
        QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        return dialog.result() == QDialog.DialogCode.Accepted

    window.run_sign_dialog = drive
    assert window.build(sign=True) is None
    assert len(tries) == 2 and all("does not open the key" in t for t in tries)
    assert not (tmp_path / "role.onetakekit").exists()
    assert window.last_message == ""  # Cancel is the author's choice: no box after it


def test_a_key_of_another_organisation_is_warned_about_before_signing(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    key = _key(app_context, "Harbour <b>Lane</b>")
    window = _window(qtbot, app_context, tmp_path)
    warned: list[str] = []
    answers = [False, True]

    def confirm(sentence: str) -> bool:
        warned.append(sentence)
        return answers.pop(0)

    window.confirm_signing = confirm
    opened: list[SignDialog] = []

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, SignDialog)
        opened.append(dialog)
        _type_and_sign(dialog, PASSPHRASE)
        return dialog.result() == QDialog.DialogCode.Accepted

    window.run_sign_dialog = drive
    assert window.build(sign=True) is None  # Cancel: no passphrase asked, nothing built
    assert opened == [] and not (tmp_path / "role.onetakekit").exists()
    assert warned == [
        f'This kit names the organisation "{DEMO_ORG}", but it would be signed with the key of '
        'Harbour <b>Lane</b>, so candidates would see "Signed by Harbour <b>Lane</b>" on it.'
    ]
    published = window.build(sign=True)  # Sign anyway
    assert published is not None and len(opened) == 1
    assert f"signed by Harbour <b>Lane</b>'s key ({key.short_fingerprint})" in (
        window.statusBar().currentMessage()
    )


def test_the_sign_anyway_box_shows_the_names_as_typed(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    window = _window(qtbot, app_context, tmp_path)
    sentence = 'This kit names the organisation "<b>Evil</b> Corp", but …'
    seen: list[QMessageBox] = []

    def answer() -> None:
        box = window.findChild(QMessageBox, "SignAnyway")
        assert isinstance(box, QMessageBox)
        seen.append(box)
        sign = next(b for b in box.buttons() if b.text() == "Sign anyway")
        sign.click()

    QTimer.singleShot(0, answer)  # the box runs modally: answered from its event loop
    assert window._ask_sign_anyway(sentence) is True
    assert seen[0].text() == sentence
    assert seen[0].textFormat() == Qt.TextFormat.PlainText
    assert seen[0].defaultButton() is seen[0].button(QMessageBox.StandardButton.Cancel)


def test_a_key_gone_meanwhile_ends_the_signing_with_its_sentence(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    """Only a wrong passphrase is asked again: another failure the service reports (here the
    key deleted from the library while the dialog was open) ends it, said in one box."""
    import sqlite3

    _key(app_context, DEMO_ORG)
    window = _window(qtbot, app_context, tmp_path)
    database = app_context.paths.library / "onetake.sqlite3"

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, SignDialog)
        dialog.show()
        with sqlite3.connect(database) as db:
            db.execute("DELETE FROM org_keys")
        _type_and_sign(dialog, PASSPHRASE)
        assert not dialog.isVisible()
        return dialog.result() == QDialog.DialogCode.Accepted

    window.run_sign_dialog = drive
    assert window.build(sign=True) is None
    assert window.last_message == f"The key of {DEMO_ORG} is no longer in the library."
    assert not (tmp_path / "role.onetakekit").exists()
