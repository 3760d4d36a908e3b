"""The reviewer window imports bundles encrypted to the organisation key (issue 13): it asks
for the key's passphrase once, and imports nothing when the reviewer cancels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from onetake_desktop.services.context import AppContext
from onetake_desktop.services.handover import encrypt_file
from onetake_desktop.services.keys import forget_unlocked
from onetake_desktop.ui.reviewer import open_reviewer_window
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.handover_kits import PASSPHRASE, signed_small_kit
from tests.pipeline.library_bundles import make_bundle


def test_window_asks_for_the_passphrase_then_imports(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_unlocked()
    signed = signed_small_kit(tmp_path / "kit")
    sealed = tmp_path / "ada.onetake.age"
    encrypt_file(
        make_bundle(tmp_path / "b" / "ada.onetake", "Ada Lovelace"), sealed, signed.recipient
    )
    window = open_reviewer_window(AppContext.from_environment())
    assert isinstance(window, ReviewerWindow)
    qtbot.addWidget(window)
    asked: list[str] = []
    answers = iter([("", False), (PASSPHRASE, True)])

    def get_text(_parent: Any, _title: str, label: str, *_args: Any) -> tuple[str, bool]:
        asked.append(label)
        return next(answers)

    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText", get_text)
    window.import_paths([sealed])  # cancelled: nothing starts
    assert not window.importing and window.last_import is None
    window.import_paths([sealed])
    qtbot.waitUntil(lambda: not window.importing, timeout=30_000)
    wait_for_tasks()
    assert len(asked) == 2 and "encrypted to your organisation key (Harbour Lane)" in asked[0]
    report = window.last_import
    assert report is not None
    assert [o.candidate_name for o in report.imported] == ["Ada Lovelace"]
    forget_unlocked()
