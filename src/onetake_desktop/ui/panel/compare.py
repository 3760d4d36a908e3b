"""Two candidates' answers to the same question, side by side."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from onetake_desktop.services.panel import Actor, PanelService
from onetake_desktop.ui.panel.common import InterviewPicker, PanelWindow, narrow_combo
from onetake_desktop.ui.panel.question_mode import load_answer
from onetake_desktop.ui.widgets.fit import fit_to_screen
from onetake_desktop.ui.widgets.flags import flagged, flags_tooltip
from onetake_desktop.ui.widgets.player import PlayerWidget


class CompareWindow(PanelWindow):
    def __init__(self, parent: QWidget, service: PanelService, actor: Actor) -> None:
        super().__init__(parent, "Compare two candidates")
        self.setObjectName("CompareWindow")
        self.service = service
        self.actor = actor  # the signed-in panelist; stops working when the panel locks
        self.viewer_id = actor.reviewer_id
        fit_to_screen(self, 1280, 720)

        self.picker = InterviewPicker(service)
        self.question = narrow_combo(QComboBox(), 10)
        self.question.setAccessibleName("Question")
        self.question_text = QLabel("")
        self.question_text.setObjectName("PanelTitle")
        self.question_text.setWordWrap(True)
        self.sides: list[tuple[QComboBox, PlayerWidget, QLabel]] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        for col in range(2):
            combo = narrow_combo(QComboBox())
            combo.setAccessibleName("Left candidate" if col == 0 else "Right candidate")
            player = PlayerWidget()
            # Two players in one window: keys would be ambiguous, so these use the mouse only.
            for action in player.actions_for_menu():
                player.removeAction(action)
            mine = QLabel("")
            mine.setObjectName("Hint")
            grid.addWidget(combo, 0, col)
            grid.addWidget(player, 1, col)
            grid.addWidget(mine, 2, col)
            self.sides.append((combo, player, mine))
            combo.currentIndexChanged.connect(lambda _=0, c=col: self.show_side(c))
        grid.setRowStretch(1, 1)

        top = QHBoxLayout()
        top.addWidget(self.picker, 2)
        top.addWidget(QLabel("Question"))
        top.addWidget(self.question, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(top)
        layout.addWidget(self.question_text)
        layout.addWidget(self.message)
        layout.addLayout(grid, 1)

        self.picker.changed.connect(lambda _: self.reload())
        self.question.currentIndexChanged.connect(lambda _: self.show_both())
        self.reload()

    def reload(self) -> None:
        pk = self.picker.interview_pk()
        self.question.blockSignals(True)
        self.question.clear()
        for i, q in enumerate(self.service.questions(interview_pk=pk) if pk else [], start=1):
            self.question.addItem(f"Question {i}", q)
        self.question.blockSignals(False)
        candidates = self.service.candidates(interview_pk=pk) if pk else []
        for col, (combo, _, _) in enumerate(self.sides):
            combo.blockSignals(True)
            combo.clear()
            for c in candidates:
                combo.addItem(flagged(c.name, c.flags), c.submission_id)
                if c.flags:  # the mark's sentences, plain text
                    combo.setItemData(
                        combo.count() - 1, flags_tooltip(c.flags), Qt.ItemDataRole.ToolTipRole
                    )
            combo.setCurrentIndex(min(col, combo.count() - 1))
            combo.blockSignals(False)
        self.show_both()

    def choose(self, left: int, right: int, question_id: str) -> None:
        """Select two submissions and a question (menu actions and tests)."""
        self.question.setCurrentIndex(self.question.findData(question_id))
        for (combo, _, _), sid in zip(self.sides, (left, right), strict=True):
            combo.setCurrentIndex(combo.findData(sid))
        self.show_both()

    def show_both(self) -> None:
        pk = self.picker.interview_pk()
        q = self.question.currentData()
        self.question_text.setText(
            self.service.question_text(interview_pk=pk, question_id=q) if q else ""
        )
        for col in range(2):
            self.show_side(col)

    def show_side(self, col: int) -> None:
        combo, player, mine = self.sides[col]
        pk = self.picker.interview_pk()
        q = self.question.currentData()
        sid = combo.currentData()
        if not pk or q is None or sid is None:
            player.show_message("Nothing to compare yet.")
            return
        candidate = next(
            c for c in self.service.candidates(interview_pk=pk) if c.submission_id == sid
        )
        answer_id = candidate.answers.get(q)
        if answer_id is None:
            player.show_message(f"{candidate.name} did not answer this question.")
            mine.setText("")
            return
        load_answer(player, self.service, self.actor, answer_id)
        score = self.service.my_score(self.actor, answer_id=answer_id)
        if score is None or score.score is None:
            mine.setText("Your score: not yet")
        else:
            state = "submitted" if score.status == "submitted" else "draft"
            mine.setText(f"Your score: {score.score} ({state})")
