"""Create the QApplication and the first window for a :class:`GuiRequest`; the last-resort
error handling of the GUI (Python exceptions in slots and threads, Qt's own messages)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QDesktopServices, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from onetake_desktop import __version__
from onetake_desktop.cli import GuiRequest
from onetake_desktop.logs import install_excepthooks
from onetake_desktop.paths import resource
from onetake_desktop.services.context import AppContext

log = logging.getLogger(__name__)
qt_log = logging.getLogger("onetake_desktop.qt")

OPEN_LOG_FOLDER = "Open the log folder"

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's warnings go to the log (they used to reach only a stderr nobody reads)."""
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)


class ErrorReporter(QObject):
    """Shows an unexpected error as one sentence, with a button that opens the log folder.

    ``report`` may be called from any thread: the signal queues the dialog onto the GUI
    thread. One dialog at a time: a burst of errors does not stack a pile of boxes.
    """

    raised = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.dialog: QMessageBox | None = None
        self.logs_dir: Path | None = None
        self.raised.connect(self.show_sentence, Qt.ConnectionType.QueuedConnection)

    def report(self, sentence: str) -> None:
        self.raised.emit(sentence)

    def show_sentence(self, sentence: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return
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
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


_reporter: ErrorReporter | None = None


def install_error_handlers(logs_dir: Path) -> ErrorReporter:
    """Route uncaught Python exceptions (slots, threads) and Qt messages to the log, and show
    the user one sentence. Idempotent."""
    global _reporter
    if _reporter is None:
        _reporter = ErrorReporter()
    _reporter.logs_dir = logs_dir
    install_excepthooks(_reporter.report)
    qInstallMessageHandler(_qt_message)
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
    icon = resource("icons", "onetake.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    style = resource("styles", "onetake.qss")
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def open_window(request: GuiRequest, context: AppContext) -> QWidget:
    """Build (but do not show) the window a request asks for."""
    if request.mode == "candidate":
        from onetake_desktop.ui.candidate import open_candidate_window

        return open_candidate_window(request.paths[0], context, **request.options)
    if request.mode == "review":
        from onetake_desktop.ui.reviewer import open_reviewer_window

        return open_reviewer_window(context, request.paths)
    from onetake_desktop.ui.start_window import StartWindow

    return StartWindow(context)


def run_gui(request: GuiRequest, context: AppContext) -> int:
    app = ensure_application()
    install_error_handlers(context.paths.logs)
    try:
        window = open_window(request, context)
    except Exception as error:  # a window that cannot open says why, in one sentence
        log.exception("the %s window could not open", request.mode)
        QMessageBox.critical(None, "OneTake", str(error))
        return 1
    window.show()
    return app.exec()
