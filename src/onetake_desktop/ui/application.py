"""Create the QApplication and the first window for a :class:`GuiRequest`."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from onetake_desktop import __version__
from onetake_desktop.cli import GuiRequest
from onetake_desktop.paths import resource


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


def open_window(request: GuiRequest) -> QWidget:
    """Build (but do not show) the window a request asks for."""
    if request.mode == "candidate":
        from onetake_desktop.ui.candidate import open_candidate_window

        return open_candidate_window(request.paths[0], **request.options)
    if request.mode == "review":
        from onetake_desktop.ui.reviewer import open_reviewer_window

        return open_reviewer_window(request.paths)
    from onetake_desktop.ui.start_window import StartWindow

    return StartWindow()


def run_gui(request: GuiRequest) -> int:
    app = ensure_application()
    try:
        window = open_window(request)
    except Exception as error:  # a window that cannot open says why, in one sentence
        QMessageBox.critical(None, "OneTake", str(error))
        return 1
    window.show()
    return app.exec()
