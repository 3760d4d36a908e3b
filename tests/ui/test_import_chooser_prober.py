"""The reviewer window starts the media prober when the import chooser opens (issue 17: its
~100 ms start-up hides behind the choosing), and stops it again when nothing is chosen."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from onetake_desktop.media.probe import can_fork, shared_server
from onetake_desktop.services.bundles import close_spare_probe_child, start_prober
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.library_bundles import make_bundle
from tests.ui.reviewer_windows import shown_reviewer_window

pytestmark = pytest.mark.skipif(not can_fork(), reason="the warm prober is POSIX-only")


_window = shown_reviewer_window


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
        # Neither chooser opens while it runs (it holds the prober: see the test below).
        assert window.importing
        assert not window.import_action.isEnabled()
        assert not window.import_folder_action.isEnabled()
        qtbot.waitUntil(lambda: not window.importing, timeout=30_000)
        wait_for_tasks()
        assert window.import_action.isEnabled() and window.import_folder_action.isEnabled()
        assert [name for name, _ in window.candidate_rows()] == ["Ada Lovelace"]
    finally:
        close_spare_probe_child()


@pytest.mark.parametrize("already_running", [False, True])
def test_a_chooser_never_waits_for_the_prober_an_import_holds(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, already_running: bool
) -> None:
    """An import's batch holds the prober for a whole bundle's media check (seconds; up to
    15 s a bad file): a chooser opened meanwhile must not wait for it on the GUI thread. A test
    thread stands in for the import and holds the prober's lock until the choosers are back
    (or gives up after a while): had a chooser waited for the lock, it would have returned
    only after the holder gave up."""
    close_spare_probe_child()
    window = _window(qtbot)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *_a, **_k: ([], "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *_a, **_k: ""))
    if already_running:
        start_prober()
    server = shared_server()
    held, choosers_back = threading.Event(), threading.Event()
    gave_up: list[bool] = []

    def import_holding_the_prober() -> None:
        with server._lock:
            held.set()
            gave_up.append(not choosers_back.wait(timeout=20))

    holder = threading.Thread(target=import_holding_the_prober, daemon=True)
    holder.start()
    try:
        assert held.wait(timeout=20)
        assert start_prober() is False  # not started by this call, and no waiting
        window.choose_bundles()
        window.choose_folder()
    finally:
        choosers_back.set()
        holder.join()
    try:
        assert gave_up == [False]  # the choosers came back while the lock was still held
        # They neither started the prober (the import's batch does) nor stopped it.
        assert server.running is already_running
    finally:
        close_spare_probe_child()


def test_a_cancelled_chooser_leaves_a_prober_that_another_probe_took_meanwhile(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chooser started the prober, then (while the reviewer chose) another caller took it
    for a probe of its own (probe_media_files holds its lock without counting itself busy).
    The cancel must neither wait for that probe on the GUI thread nor stop the prober under
    it: the cancelled chooser comes back while the probe still holds the prober."""
    close_spare_probe_child()
    window = _window(qtbot)
    server = shared_server()
    held, chooser_back = threading.Event(), threading.Event()
    gave_up: list[bool] = []

    def another_probe() -> None:
        with server._lock:
            held.set()
            gave_up.append(not chooser_back.wait(timeout=20))

    holder = threading.Thread(target=another_probe, daemon=True)

    def chooser(*_args: object, **_kwargs: object) -> tuple[list[str], str]:
        assert server.running  # started for this chooser
        holder.start()
        assert held.wait(timeout=20)
        return [], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(chooser))
    try:
        window.choose_bundles()
    finally:
        chooser_back.set()
        if holder.is_alive():
            holder.join()
    try:
        assert gave_up == [False]  # the cancel did not wait for the probe
        assert server.running  # nor stopped the prober under it
    finally:
        close_spare_probe_child()


def test_the_prober_stops_when_the_passphrase_for_chosen_bundles_is_not_given(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Bundles were chosen, but the organisation key's passphrase they need was not given (the
    reviewer cancelled, or it opened no key): nothing is imported, and the prober started for
    the chooser stops again."""
    close_spare_probe_child()
    window = _window(qtbot)
    chosen = str(make_bundle(tmp_path / "ada.onetake", "Ada Lovelace", seconds=2.0))
    asked: list[list[Path]] = []
    running_while_choosing: list[bool] = []

    def chooser(*_args: object, **_kwargs: object) -> tuple[list[str], str]:
        running_while_choosing.append(shared_server().running)
        return [chosen], ""

    def no_passphrase(paths: list[Path]) -> bool:
        asked.append(list(paths))
        return False

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(chooser))
    monkeypatch.setattr(window, "_unlock_keys_for", no_passphrase)
    try:
        window.choose_bundles()
        assert running_while_choosing == [True]
        assert asked == [[Path(chosen)]]
        assert not window.importing
        assert not shared_server().running
    finally:
        close_spare_probe_child()
