"""The garbage collector is paused while a window starts (issue 17) and only then: it runs
again, with start-up's objects frozen out of its sight, before the event loop, whether the
window opened or could not; a command never runs with it paused."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop import app
from onetake_desktop.ui import application


@pytest.fixture(autouse=True)
def collector_as_it_was() -> Iterator[None]:
    yield
    gc.unfreeze()  # what the app froze is the test process's: give it back to the collector
    gc.enable()


def test_a_window_is_built_with_the_collector_paused_and_runs_with_it(
    qtbot: QtBot, onetake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    real_open = application.open_window

    def open_window(*args: Any) -> QWidget:
        seen["while building"] = gc.isenabled()
        window = real_open(*args)
        qtbot.addWidget(window)
        return window

    def exec_() -> int:
        seen["in the event loop"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count()
        return 0

    monkeypatch.setattr(application, "open_window", open_window)
    monkeypatch.setattr(QApplication, "exec", staticmethod(exec_))
    assert app.main([]) == 0  # the start window
    assert (seen["while building"], seen["in the event loop"]) == (False, True)
    assert seen["frozen"] > 0  # start-up's objects were moved out of the collector's sight


def test_a_window_that_cannot_open_resumes_the_collector(
    qtbot: QtBot, onetake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []

    def fails(*_args: Any) -> QWidget:
        raise RuntimeError("The kit cannot be read.")

    monkeypatch.setattr(application, "open_window", fails)

    def exec_(box: QMessageBox) -> int:
        said.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    assert app.main([]) == 1
    assert said == ["The kit cannot be read."] and gc.isenabled() and gc.get_freeze_count() > 0


def test_start_up_that_fails_before_the_window_resumes_the_collector(
    qtbot: QtBot, onetake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def breaks(*_args: Any) -> None:
        raise OSError("the log folder cannot be written")

    monkeypatch.setattr(application, "route_native_messages", breaks)
    with pytest.raises(OSError):
        app.main([])
    assert gc.isenabled()


def test_a_command_runs_with_the_collector_on(
    onetake_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from onetake_desktop.cli import library

    seen: list[bool] = []
    real_list = library.run_list

    def run_list(args: Any) -> int:
        seen.append(gc.isenabled())
        return real_list(args)

    monkeypatch.setattr(library, "run_list", run_list)
    assert app.main(["library", "list"]) == 0
    assert seen == [True] and gc.isenabled()
    assert capsys.readouterr().out  # the listing was printed
