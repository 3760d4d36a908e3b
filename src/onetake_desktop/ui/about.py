"""Help > About: the same facts as ``onetake --version`` (services/about.py), as plain text.

Windows with a Help menu hook it with one line::

    help_menu.addAction("&About OneTake", lambda: show_about(self, context.paths))
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from onetake_desktop.paths import AppPaths
from onetake_desktop.services.about import about_text


class AboutDialog(QDialog):
    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About OneTake")
        self.text = QLabel(about_text(paths))
        # Folder names can hold anything a user typed: never rich text.
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


def show_about(parent: QWidget | None, paths: AppPaths) -> AboutDialog:
    dialog = AboutDialog(paths, parent)
    dialog.open()
    return dialog
