"""Create the QApplication and the first window for a :class:`GuiRequest`; the last-resort
error handling of the GUI (Python exceptions in slots and threads, Qt's own messages)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

# By their package, which the first line names anyway: these load after PySide6, whose import
# hook reads the source of the module an import statement returns (issue 17).
from onetake_desktop import __version__, logs, paths

if TYPE_CHECKING:
    from collections.abc import Callable

    # A type name only: PySide6's import hook would read cli/__init__.py and cli/request.py
    # again to name it at run time (issue 17).
    from PySide6.QtWidgets import QMessageBox

    from onetake_desktop.cli import GuiRequest
    from onetake_desktop.services.context import AppContext

log = logging.getLogger(__name__)

OPEN_LOG_FOLDER = "Open the log folder"
NATIVE_LOG = "native.log"


def route_native_messages(logs_dir: Path) -> Path:
    """Send what C++ writes to stderr (Qt's own warnings, FFmpeg's, PortAudio's) to
    ``native.log`` in the log folder, beside onetake.log; the window's stderr reaches nobody.

    Why not a Python ``qInstallMessageHandler``: it runs Python (so takes the GIL) on whatever
    Qt thread logs, and ``QMediaPlayer.stop()`` keeps the GIL while it waits for its playback
    threads: a playback thread logging then, and the two wait for each other forever (seen in
    the reviewer window's player). Pointing stderr at a file needs no Python on Qt's threads.
    """
    logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / NATIVE_LOG
    with contextlib.suppress(OSError):
        if path.stat().st_size > logs.MAX_BYTES:  # one old file kept, like onetake.log
            os.replace(path, path.with_name(NATIVE_LOG + ".1"))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.stderr.flush()
    os.dup2(fd, 2)
    os.close(fd)
    logs.stderr_is_a_file()  # --verbose lines there: no exception messages, as in onetake.log
    return path


# The reporter's own event: "a sentence is waiting" (a number Qt hands out once per process).
_SENTENCE_WAITING = QEvent.Type(QEvent.registerEventType())


class ErrorReporter(QObject):
    """Shows an unexpected error as one sentence, with a button that opens the log folder.

    ``report`` may be called from any thread: a posted event queues the dialog onto the GUI
    thread. One dialog at a time: a burst of errors does not stack a pile of boxes.
    """

    def __init__(self) -> None:
        super().__init__()
        self.dialog: QMessageBox | None = None
        self.logs_dir: Path | None = None
        self._sentences: list[str] = []  # appended from any thread, taken on the GUI thread
        self._lock = threading.Lock()

    def report(self, sentence: str) -> None:
        # An event posted to this object, not a queued signal connection: postEvent is
        # thread-safe and always queued, and it needs no Qt.ConnectionType, whose namespace
        # costs a window's start-up a fifth of a bare window's (ui/widgets/qt_numbers.py).
        with self._lock:
            self._sentences.append(sentence)
        QCoreApplication.postEvent(self, QEvent(_SENTENCE_WAITING))

    def event(self, event: QEvent) -> bool:
        if event.type() != _SENTENCE_WAITING:
            return super().event(event)
        with self._lock:
            sentence = self._sentences.pop(0) if self._sentences else None
        if sentence is not None:
            self.show_sentence(sentence)
        return True

    def show_sentence(self, sentence: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return
        # Imported with the first error, as in widgets/plain.py: no start-up pays for it.
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, "OneTake", sentence)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setObjectName("UnexpectedError")
        open_logs = box.addButton(OPEN_LOG_FOLDER, QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        folder = self.logs_dir
        if folder is not None:
            open_logs.clicked.connect(lambda: open_log_folder(folder))
        box.setWindowModality(Qt.WindowModality.ApplicationModal)
        box.show()
        self.dialog = box


def open_log_folder(folder: Path) -> bool:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


_reporter: ErrorReporter | None = None


def install_error_handlers(logs_dir: Path) -> ErrorReporter:
    """Route uncaught Python exceptions (slots, threads) to the log, and show the user one
    sentence. Idempotent."""
    global _reporter
    if _reporter is None:
        _reporter = ErrorReporter()
    _reporter.logs_dir = logs_dir
    logs.install_excepthooks(_reporter.report)
    return _reporter


def ensure_application() -> QApplication:
    """The one QApplication of the process, styled (tests reuse pytest-qt's)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("OneTake")
    app.setApplicationDisplayName("OneTake")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("OneTake")
    app.setDesktopFileName("onetake-desktop")
    icon = paths.resource("icons", "onetake.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    style = paths.resource("styles", "onetake.qss")
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def show_refusal(sentence: str) -> None:
    """A command's one-sentence refusal (a damaged kit the desktop opened), in a box the user
    closes; no window opens after it. Plain text: the sentence names the file."""
    ensure_application()
    from PySide6.QtWidgets import QMessageBox

    from onetake_desktop.ui.widgets.plain import plain_box

    box = plain_box(None, sentence, icon=QMessageBox.Icon.Critical)
    box.setObjectName("Refusal")
    box.exec()


def open_window(request: GuiRequest, context: AppContext) -> QWidget:
    """Build (but do not show) the window a request asks for."""
    if request.mode == "candidate":
        from onetake_desktop.ui.candidate import open_candidate_window

        return open_candidate_window(request.paths[0], context, **request.options)
    if request.mode == "review":
        from onetake_desktop.ui.reviewer import open_reviewer_window

        return open_reviewer_window(context, request.paths)
    if request.mode == "author":
        from onetake_desktop.ui.author import open_author_window

        return open_author_window(context, request.paths[0] if request.paths else None)
    from onetake_desktop.ui.start_window import StartWindow

    return StartWindow(context)


def run_gui(
    request: GuiRequest, context: AppContext, started: Callable[[], None] = lambda: None
) -> int:
    """Open the request's window and run until it closes. ``started`` is called once the
    window is built and shown (or could not be built), before the event loop runs: app.py
    resumes there the garbage collector it paused for start-up."""
    app = ensure_application()
    install_error_handlers(context.paths.logs)
    route_native_messages(context.paths.logs)
    try:
        window = open_window(request, context)
    except Exception as error:  # a window that cannot open says why, in one sentence
        started()
        log.exception("the %s window could not open", request.mode)
        # The sentence often names a kit or bundle file: plain text, never rich text.
        # (widgets.plain loads here: the author and start windows use none of it, issue 17.)
        from PySide6.QtWidgets import QMessageBox

        from onetake_desktop.ui.widgets.plain import warn

        warn(None, str(error), icon=QMessageBox.Icon.Critical)
        return 1
    window.show()
    started()
    return app.exec()
