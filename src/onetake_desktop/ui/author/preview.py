"""Preview as the candidate: the candidate window on the draft, saving nothing.

The draft becomes a kit in a private temporary folder; the candidate window runs on it with
its session there, and no bundle can be saved. The folder goes when the preview closes, and a
banner above every page says that nothing is kept.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMessageBox, QSizePolicy, QVBoxLayout, QWidget

from onetake_desktop.services.author import AuthorDraft
from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.author.fields import plain_label
from onetake_desktop.ui.widgets.fit import fit_to_screen

log = logging.getLogger(__name__)

PREVIEW_NOTICE = (
    "Preview of your draft: this is what candidates see. Nothing you record or type here is "
    "saved or sent."
)


class PreviewWindow(QWidget):
    def __init__(self, draft: AuthorDraft, context: AppContext) -> None:
        super().__init__()
        from onetake_desktop.ui.candidate import open_candidate_window

        self.setObjectName("AuthorPreview")
        self.folder = Path(tempfile.mkdtemp(prefix="onetake-preview-"))
        try:
            kit = draft.write_preview_kit(self.folder)
            self.candidate = open_candidate_window(
                kit,
                context,
                session_dir=self.folder / "session",
                choose_bundle_path=lambda _suggested: None,  # a preview seals nothing
                confirm=self._confirm,
                prefs_path=self.folder / "prefs.json",  # the candidate's settings stay as they are
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.setWindowTitle(f"Preview: {self.candidate.windowTitle()}")
        self.banner = plain_label(PREVIEW_NOTICE, "PreviewBanner")
        self.banner.setStyleSheet(
            "background: #fff4d6; color: #5c3d00; padding: 6px 12px; font-weight: 600;"
            "border-bottom: 1px solid #e5c56b;"
        )
        self.banner.setAccessibleName("Preview notice")
        # Its text's height: the candidate window stops at the screen's height, and the
        # space left over went to the banner (one line ~120 px tall).
        self.banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.candidate, 1)
        fit_to_screen(self, 1000, 720)

    def _confirm(self, title: str, text: str) -> bool:
        # Leaving a preview loses nothing, so it does not ask (the candidate's "your answers are
        # kept" would not be true here); other questions are asked as the candidate sees them.
        if title == "Leave the interview?":
            return True
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def closeEvent(self, event: QCloseEvent) -> None:
        self.candidate.close()
        super().closeEvent(event)
        if event.isAccepted():
            shutil.rmtree(self.folder, ignore_errors=True)
            log.info("preview closed; its temporary folder is gone")
