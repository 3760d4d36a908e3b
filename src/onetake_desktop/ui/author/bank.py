"""The question bank: pick an original behavioural question with its anchored rubric."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.services.author import question_bank
from onetake_desktop.services.author_records import BankQuestion
from onetake_desktop.ui.author.fields import plain_label
from onetake_desktop.ui.widgets.fit import fit_to_screen

ALL = "All competencies"


class QuestionBankDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QuestionBankDialog")
        self.setWindowTitle("Question bank")
        self.bank = question_bank()
        self.shown: list[BankQuestion] = []
        self.filter = QComboBox()
        self.filter.setAccessibleName("Competency")
        self.filter.addItems([ALL, *sorted({q.competency for q in self.bank})])
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAccessibleName("Questions of the bank")
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("The question and its rubric")
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.preview)
        split.setSizes([320, 420])
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.add_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("Add this question")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                "Original behavioural questions, each with a five-level rubric. Adapt the "
                "words to your role after adding one.",
                "Hint",
            )
        )
        layout.addWidget(self.filter)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.filter.currentTextChanged.connect(self._fill)
        self.list.currentRowChanged.connect(self._show)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        self._fill(ALL)
        fit_to_screen(self, 820, 520)

    def _fill(self, competency: str) -> None:
        self.shown = [q for q in self.bank if competency in (ALL, q.competency)]
        self.list.clear()
        self.list.addItems([f"{q.competency}: {q.text}" for q in self.shown])
        self.list.setCurrentRow(0)

    def _show(self, row: int) -> None:
        self.add_button.setEnabled(row >= 0)
        if row < 0:
            self.preview.clear()
            return
        q = self.shown[row]
        anchors = "\n".join(f"{s}: {q.rubric[str(s)]}" for s in range(1, 6))
        kind = " (written answer)" if q.answer_type == "text" else ""
        self.preview.setPlainText(
            f"{q.text}{kind}\n\nWhy we ask: {q.context}\n\n"
            f"Rubric: {q.rubric['competency']}\n{anchors}"
        )

    def choose(self, bank_id: str) -> None:
        """Select a question by its bank id (keyboard users and tests)."""
        self.filter.setCurrentText(ALL)
        for row, q in enumerate(self.shown):
            if q.id == bank_id:
                self.list.setCurrentRow(row)
                return
        raise KeyError(bank_id)

    def chosen(self) -> BankQuestion | None:
        row = self.list.currentRow()
        return self.shown[row] if 0 <= row < len(self.shown) else None
