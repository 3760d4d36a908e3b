"""The organisation keys window (issue 13): File > Organisation keys… in the reviewer window
makes a key (Argon2id on a worker, with a busy state), lists it with its fingerprint, and
exports an identity file (0600) that the ``age`` command line tool decrypts with."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from onetake_desktop.services.context import AppContext
from onetake_desktop.services.keys import forget_unlocked, key_service_for_library
from onetake_desktop.ui.reviewer import open_reviewer_window
from onetake_desktop.ui.reviewer.keys import KeysWindow
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.ui.test_candidate_flow import Shots
from tests.ui.test_candidate_flow import shots as shots  # the fixture

pytestmark = pytest.mark.timeout(180, method="thread")

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def _forget() -> None:
    forget_unlocked()


def _keys_window(qtbot: QtBot) -> tuple[ReviewerWindow, KeysWindow]:
    window = open_reviewer_window(AppContext.from_environment())
    assert isinstance(window, ReviewerWindow)
    qtbot.addWidget(window)
    window.show()
    assert window.keys_action.text() == "Organisation &keys…"
    window.keys_action.trigger()
    keys = window.findChild(KeysWindow)
    assert keys is not None and keys.isVisible()
    return window, keys


def test_keys_window_makes_lists_and_exports_a_key_the_age_tool_opens(
    qtbot: QtBot, tmp_path: Path, shots: Shots
) -> None:
    window, keys = _keys_window(qtbot)
    assert keys.tree.topLevelItemCount() == 0 and keys.empty.isVisible()
    assert not keys.export_button.isEnabled()

    # New key: the passphrases must match; then Argon2id runs on a worker, busy meanwhile.
    dialog = keys.open_new_key()
    dialog.org.setText("Harbour <b>Lane</b>")
    dialog.passphrase.setText(PASSPHRASE)
    dialog.again.setText(PASSPHRASE + "x")
    dialog.ok_button.click()
    assert dialog.error.text() == "The two passphrases differ; type the same one twice."
    assert not dialog.working
    dialog.again.setText("short")
    dialog.passphrase.setText("short")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.working, timeout=30_000)
    assert dialog.error.text() == "The passphrase must be at least 8 characters long."
    assert dialog.isVisible()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.again.setText(PASSPHRASE)
    dialog.ok_button.click()
    assert dialog.working and dialog.busy.isVisible() and not dialog.ok_button.isEnabled()
    assert dialog.busy.text.text().startswith("Making the key of Harbour <b>Lane</b>…")
    shots(dialog, "new-key-busy")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=60_000)
    record = dialog.record
    assert record is not None and record.organisation == "Harbour <b>Lane</b>"

    # Listed with its fingerprint, as plain text; the same key the command line sees.
    with key_service_for_library(window.service.library_root()) as service:
        listed = service.keys()
    assert [r.fingerprint for r in listed] == [record.fingerprint]
    assert keys.tree.topLevelItemCount() == 1
    row = keys.tree.topLevelItem(0)
    assert row is not None
    assert [row.text(i) for i in range(4)] == [
        "Harbour <b>Lane</b>",
        record.short_fingerprint,
        record.created_at[:10],
        record.age_recipient,
    ]
    assert not keys.empty.isVisible() and keys.export_button.isEnabled()
    assert record.short_fingerprint in keys.status.text()
    shots(keys, "keys-window")

    # Export: a wrong passphrase is one sentence and writes nothing.
    identity = tmp_path / "identity.txt"
    keys.ask_passphrase = lambda _text: "not the passphrase"
    keys.choose_export_path = lambda _suggested: identity
    keys.export_identity()
    assert keys.working and keys.busy.isVisible() and not keys.new_button.isEnabled()
    qtbot.waitUntil(lambda: not keys.working, timeout=60_000)
    assert keys.status.text() == "That passphrase does not open any organisation key."
    assert not identity.exists()

    keys.ask_passphrase = lambda _text: PASSPHRASE
    keys.export_identity()
    qtbot.waitUntil(lambda: not keys.working, timeout=60_000)
    wait_for_tasks()
    assert keys.status.text().startswith(
        f"Wrote the key of Harbour <b>Lane</b> ({record.short_fingerprint}) to {identity}"
    )
    assert stat.S_IMODE(os.stat(identity).st_mode) == 0o600
    shots(keys, "keys-exported")

    # The age tool accepts the identity: it decrypts what was encrypted to the listed key.
    plain = tmp_path / "answers.txt"
    plain.write_text("the answers", encoding="utf-8")
    locked = tmp_path / "answers.txt.age"
    subprocess.run(["age", "-r", record.age_recipient, "-o", str(locked), str(plain)], check=True)
    opened = subprocess.run(
        ["age", "-d", "-i", str(identity), str(locked)], check=True, capture_output=True
    )
    assert opened.stdout == b"the answers"
    keys.close()
    QApplication.processEvents()


def test_keys_window_is_one_window_and_cancel_makes_nothing(qtbot: QtBot) -> None:
    window, keys = _keys_window(qtbot)
    dialog = keys.open_new_key()
    dialog.org.setText("Harbour Lane")
    dialog.reject()
    assert not dialog.isVisible() and keys.tree.topLevelItemCount() == 0
    window.keys_action.trigger()
    assert window.findChildren(KeysWindow) == [keys]
    keys.ask_passphrase = lambda _text: None  # nothing to export yet: the button is off
    assert not keys.export_button.isEnabled()
