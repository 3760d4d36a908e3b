"""Help > About: the same facts as ``onetake --version`` (services/about.py), as plain text.

Windows with a Help menu hook it with one line::

    help_menu.addAction("&About OneTake", lambda: show_about(self, context.paths))
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from onetake_desktop.paths import AppPaths
from onetake_desktop.services.about import about_text


class AboutDialog(QDialog):
    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About OneTake")
        # A plain-text viewer: folder names can hold anything a user typed (never rich text),
        # the paths can be selected and copied, and on a small or scaled screen it scrolls
        # instead of cutting lines off.
        self.text = QPlainTextEdit()
        self.text.setPlainText(about_text(paths))
        self.text.setReadOnly(True)
        self.text.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        screen = QGuiApplication.primaryScreen()
        available = screen.availableSize() if screen is not None else None
        width, height = 720, 500
        if available is not None:
            width = min(width, int(available.width() * 0.9))
            height = min(height, int(available.height() * 0.85))
        self.resize(width, height)


def show_about(parent: QWidget | None, paths: AppPaths) -> AboutDialog:
    dialog = AboutDialog(paths, parent)
    dialog.open()
    return dialog
