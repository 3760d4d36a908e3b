"""The reviewer window starts the media prober when the import chooser opens (issue 17: its
~100 ms start-up hides behind the choosing), and stops it again when nothing is chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from onetake_desktop.media.probe import can_fork, shared_server
from onetake_desktop.services.bundles import close_spare_probe_child, start_prober
from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.reviewer import open_reviewer_window
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.library_bundles import make_bundle

pytestmark = pytest.mark.skipif(not can_fork(), reason="the warm prober is POSIX-only")


def _window(qtbot: QtBot) -> ReviewerWindow:
    window = open_reviewer_window(AppContext.from_environment())
    assert isinstance(window, ReviewerWindow)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_prober_runs_while_the_reviewer_chooses_and_stops_if_they_cancel(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    close_spare_probe_child()
    window = _window(qtbot)
    running_while_choosing: list[bool] = []
    chosen: list[str] = []

    def chooser(*_args: object, **_kwargs: object) -> tuple[list[str], str]:
        running_while_choosing.append(shared_server().running)
        return list(chosen), ""

    def folder_chooser(*_args: object, **_kwargs: object) -> str:
        running_while_choosing.append(shared_server().running)
        return ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(chooser))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder_chooser))
    try:
        window.choose_bundles()  # cancelled: the prober it started stops again
        assert running_while_choosing == [True]
        assert not shared_server().running
        window.choose_folder()
        assert running_while_choosing == [True, True]
        assert not shared_server().running

        start_prober()  # already running (an earlier import): a cancel leaves it be
        window.choose_bundles()
        assert shared_server().running

        close_spare_probe_child()
        chosen.append(str(make_bundle(tmp_path / "ada.onetake", "Ada Lovelace", seconds=2.0)))
        window.choose_bundles()  # chosen: the import uses the prober started for the chooser
        assert running_while_choosing[-1] is True
        qtbot.waitUntil(lambda: not window.importing, timeout=30_000)
        wait_for_tasks()
        assert [name for name, _ in window.candidate_rows()] == ["Ada Lovelace"]
    finally:
        close_spare_probe_child()
