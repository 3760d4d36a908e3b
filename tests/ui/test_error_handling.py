"""The GUI's last resort: an exception raised in a slot (or a worker thread) is logged with its
traceback and shown as one plain sentence with an "Open the log folder" button; Qt's own
warnings reach the log folder."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from onetake_desktop import logs
from onetake_desktop.paths import app_paths
from onetake_desktop.ui.application import OPEN_LOG_FOLDER, ErrorReporter, install_error_handlers
from onetake_desktop.ui.tasks import log_failure, run_task, wait_for_tasks


@pytest.fixture
def reporter(monkeypatch: pytest.MonkeyPatch) -> Iterator[ErrorReporter]:
    before = sys.excepthook, threading.excepthook
    logs.setup_logging(app_paths().logs)
    reporter = install_error_handlers(app_paths().logs)
    yield reporter
    if reporter.dialog is not None:
        reporter.dialog.close()
        reporter.dialog = None
    sys.excepthook, threading.excepthook = before


def shown(reporter: ErrorReporter) -> QMessageBox:
    box = reporter.dialog
    assert box is not None and box.isVisible()
    return box


def log_text() -> str:
    return logs.log_file(app_paths().logs).read_text(encoding="utf-8")


# pytest-qt would turn the slot's exception into a test failure; here the app's hook must see it.
@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_shown_as_one_sentence(
    qtbot: QtBot, reporter: ErrorReporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    button = QPushButton("Import")
    qtbot.addWidget(button)

    n = 7

    def import_bundles() -> None:
        raise RuntimeError(f"index {n} out of range")  # (the log's frames show this source)

    button.clicked.connect(import_bundles)
    button.click()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    box = shown(reporter)
    # One plain sentence; the details are in the log, not on screen.
    assert box.text() == logs.UNEXPECTED and box.text().count(".") == 1
    assert "index 7" not in box.text() and "Traceback" not in box.text()
    text = log_text()
    assert "RuntimeError (message left out of the log)" in text and "index 7" not in text
    assert "Traceback (most recent call last)" in text and "in import_bundles" in text
    # The button opens the log folder.
    open_logs = next(b for b in box.buttons() if b.text() == OPEN_LOG_FOLDER)
    open_logs.click()
    assert opened == [QUrl.fromLocalFile(str(app_paths().logs))]


def test_a_worker_thread_error_is_shown_on_the_gui_thread(
    qtbot: QtBot, reporter: ErrorReporter
) -> None:
    def work(what: str = "disk") -> None:
        raise OSError(f"{what} went away")  # (the log's frames show this line's source)

    worker = threading.Thread(target=work, name="import-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert shown(reporter).text() == logs.UNEXPECTED
    assert "unexpected error in thread import-worker: OSError" in log_text()
    assert "disk went away" not in log_text()  # a message may name a file: not in the log


def test_a_burst_of_errors_shows_one_dialog(qtbot: QtBot, reporter: ErrorReporter) -> None:
    reporter.report("First.")
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    first = shown(reporter)
    reporter.report("Second.")
    qtbot.wait(50)
    assert reporter.dialog is first and first.text() == "First."


def test_a_report_on_the_gui_thread_shows_its_dialog_later(
    qtbot: QtBot, reporter: ErrorReporter
) -> None:
    """Queued, never shown inside the call (the code that reported may be half-way through
    its work): two reports before the event loop runs give one dialog, with the first."""
    reporter.report("First.")
    reporter.report("Second.")
    assert reporter.dialog is None
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    qtbot.wait(50)
    assert shown(reporter).text() == "First."


NATIVE = """
import sys
from pathlib import Path
from PySide6.QtCore import qWarning
from onetake_desktop.ui.application import ensure_application, route_native_messages
ensure_application()
print(route_native_messages(Path(sys.argv[1])))
qWarning("QWidget::setLayout: something odd")
"""


def run_offscreen(script: str, logs_dir: Path) -> subprocess.CompletedProcess[str]:
    """``script`` in a fresh Python (its own QApplication, no display), ``logs_dir`` its
    argument; it must exit 0."""
    return subprocess.run(
        [sys.executable, "-c", script, str(logs_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_qt_warnings_reach_the_log_folder(tmp_path: Path) -> None:
    """Qt's C++ warnings (from any thread) land in native.log, with no Python on Qt's threads."""
    logs_dir = tmp_path / "logs"
    done = run_offscreen(NATIVE, logs_dir)
    assert done.stdout.strip() == str(logs_dir / "native.log")
    assert done.stderr == ""  # it went to the file instead
    text = (logs_dir / "native.log").read_text(encoding="utf-8")
    assert "QWidget::setLayout: something odd" in text


def test_a_waveform_that_cannot_be_drawn_is_logged(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The window lives without the waveform, but the reason is in the log."""
    from onetake_desktop.media.waveform import compute_waveform

    broken = tmp_path / "answer.m4a"
    broken.write_bytes(b"not audio at all" * 64)
    caplog.set_level(logging.INFO, logger="onetake_desktop")
    drawn: list[list[float]] = []
    run_task(lambda _p: compute_waveform(broken), drawn.append, log_failure("waveform 5"))
    qtbot.waitUntil(lambda: "waveform 5 failed" in caplog.text, timeout=10_000)
    wait_for_tasks()
    assert drawn == []
    assert "waveform: cannot decode answer.m4a" in caplog.text
    assert "The audio of answer.m4a cannot be read" in caplog.text


def test_a_window_that_cannot_open_logs_no_candidate_and_still_names_the_file_to_the_user(
    qtbot: QtBot, reporter: ErrorReporter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """run_gui's last resort: the user reads the sentence (it may name the bundle, which is
    theirs); onetake.log gets the traceback without it."""
    from onetake_desktop.cli.request import GuiRequest
    from onetake_desktop.services.context import AppContext
    from onetake_desktop.ui import application
    from onetake_desktop.ui.widgets import plain

    bundle = tmp_path / "interview-Zelda-Quartermaine.onetake"
    said: list[str] = []

    def cannot_open(request: GuiRequest, context: AppContext) -> None:
        raise RuntimeError(f"cannot open {request.paths[0]}")

    monkeypatch.setattr(application, "open_window", cannot_open)
    # Not this process's stderr: the next test does that in a process of its own.
    monkeypatch.setattr(application, "route_native_messages", lambda logs_dir: logs_dir)
    monkeypatch.setattr(plain, "warn", lambda _parent, text, **_kw: said.append(text))
    context = AppContext.from_environment()
    assert application.run_gui(GuiRequest("review", (bundle,)), context) == 1
    assert said == [f"cannot open {bundle}"]  # the user's sentence, unchanged
    text = log_text()
    assert "the review window could not open" in text
    assert "RuntimeError (message left out of the log)" in text
    assert "Zelda" not in text and "Quartermaine" not in text


VERBOSE_NATIVE = """
import logging, sys
from pathlib import Path
from onetake_desktop import logs
from onetake_desktop.ui.application import ensure_application, route_native_messages
logs.setup_logging(Path(sys.argv[1]), verbose=True)
ensure_application()
route_native_messages(Path(sys.argv[1]))
name = "Zelda" + "-Quartermaine"
try:
    raise RuntimeError("cannot open /home/x/interview-" + name + ".onetake")
except RuntimeError:
    logging.getLogger("onetake_desktop.test").exception("the review window could not open")
"""


def test_verbose_lines_in_native_log_leave_the_message_out_too(tmp_path: Path) -> None:
    """With --verbose, a window's log lines go to its stderr, which is native.log: they
    follow onetake.log's rule, since that file is not erased with a candidate either."""
    logs_dir = tmp_path / "logs"
    run_offscreen(VERBOSE_NATIVE, logs_dir)
    for name in ("native.log", "onetake.log"):
        text = (logs_dir / name).read_text(encoding="utf-8")
        assert "the review window could not open" in text, name
        assert "RuntimeError (message left out of the log)" in text, name
        assert "Quartermaine" not in text, name
