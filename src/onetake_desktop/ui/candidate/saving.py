""" "Saving your answer…": shown while the recorder finishes a stopped take in the background."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QWidget

from onetake_desktop.ui.candidate.widgets import label

SAVING_TEXT = "Saving your answer…"


class SavingNote(QWidget):
    """A busy bar and one sentence; hidden until a page shows it."""

    def __init__(self, text: str = SAVING_TEXT) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: how long the encoder needs is not known
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(120)
        self.bar.setAccessibleName(text)
        self.text = label(text, "Subtitle", wrap=False)
        row.addWidget(self.bar)
        row.addWidget(self.text)
        self.setAccessibleName(text)
        self.hide()
