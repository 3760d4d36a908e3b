"""Question by question: question 1 for every candidate (in this panelist's shuffled order),
then question 2, so that no answer colours the next one from the same candidate."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.panel import Cell
from onetake_desktop.services.panel import Actor, PanelService
from onetake_desktop.ui.panel.common import InterviewPicker, PanelWindow
from onetake_desktop.ui.tasks import log_failure, run_task
from onetake_desktop.ui.widgets.fit import fit_to_screen
from onetake_desktop.ui.widgets.flags import flagged, flags_tooltip
from onetake_desktop.ui.widgets.plain import ElidedLabel
from onetake_desktop.ui.widgets.player import PlayerWidget
from onetake_desktop.ui.widgets.rubric import RubricPanel


def load_answer(player: PlayerWidget, service: PanelService, actor: Actor, answer_id: int) -> None:
    """Show one answer in a player: text as text, audio with its waveform, video as video
    unless this panelist reviews audio only (then the picture stays hidden)."""
    answer = service.answer(answer_id=answer_id)
    player.setProperty("answer_id", answer_id)
    if answer.answer_type == "text" or answer.media_path is None:
        player.show_text(answer.text or "(no text)")
        player.controls.hide()  # nothing to play
        return
    player.controls.show()
    kind = "audio" if answer.answer_type == "audio" or service.audio_only(actor) else "video"
    player.load_media(answer.media_path, kind)
    if kind == "audio":

        def done(levels: Any, shown: int = answer_id) -> None:
            if player.property("answer_id") == shown:
                player.set_waveform(levels)

        run_task(
            lambda _progress: service.waveform(answer), done, log_failure(f"waveform {answer_id}")
        )


class QuestionModeWindow(PanelWindow):
    def __init__(self, parent: QWidget, service: PanelService, actor: Actor) -> None:
        super().__init__(parent, "Question by question")
        self.setObjectName("QuestionModeWindow")
        self.service = service
        self.actor = actor  # the signed-in panelist; stops working when the panel locks
        self.viewer_id = actor.reviewer_id
        self.queue: list[Cell] = []
        self.index = 0
        fit_to_screen(self, 1180, 760)

        self.picker = InterviewPicker(service)
        self.question_label = QLabel("")
        self.question_label.setObjectName("PanelTitle")
        self.question_label.setWordWrap(True)
        self.position_label = QLabel("")
        self.position_label.setObjectName("Hint")
        # One line, cut to the room the position leaves (whole in its tooltip): a long name
        # widened the window past a small screen.
        self.candidate_label = ElidedLabel("", object_name="CandidateLabel")
        self.player = PlayerWidget()
        self.rubric = RubricPanel()
        # Pinned notes belong to the reviewer window; here a score and a note are enough.
        self.rubric.pins_box.hide()

        self.correction_score = QSpinBox()
        self.correction_score.setRange(1, 5)
        self.correction_score.setAccessibleName("Corrected score")
        self.correction_reason = QLineEdit()
        self.correction_reason.setPlaceholderText("Why the submitted score changes")
        self.correction_button = QPushButton("Save correction")
        correction = QHBoxLayout()
        correction.addWidget(QLabel("Correct to"))
        correction.addWidget(self.correction_score)
        correction.addWidget(self.correction_reason, 1)
        correction.addWidget(self.correction_button)
        self.correction_row = QWidget()
        self.correction_row.setLayout(correction)
        correction.setContentsMargins(0, 0, 0, 0)

        self.previous_button = QPushButton("← Previous")
        self.next_button = QPushButton("Next →")
        self.submit_button = QPushButton("Submit")
        self.submit_button.setObjectName("PrimaryButton")

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.rubric, 1)
        right_layout.addWidget(self.correction_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.player)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        header = QHBoxLayout()
        header.addWidget(self.candidate_label, 1)
        header.addWidget(self.position_label)
        nav = QHBoxLayout()
        nav.addWidget(self.previous_button)
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        nav.addWidget(self.submit_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(self.picker)
        layout.addWidget(self.question_label)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addLayout(nav)

        self.picker.changed.connect(lambda _: self.reload())
        self.previous_button.clicked.connect(lambda: self.go(self.index - 1))
        self.next_button.clicked.connect(lambda: self.go(self.index + 1))
        self.player.next_requested.connect(lambda: self.go(self.index + 1))
        self.player.previous_requested.connect(lambda: self.go(self.index - 1))
        self.submit_button.clicked.connect(self.submit_question)
        self.correction_button.clicked.connect(self.save_correction)
        self.rubric.score_chosen.connect(self._save_score)
        self.rubric.note_changed.connect(self._save_note)
        self.reload()

    # -- where we are ------------------------------------------------------------------------

    @property
    def interview_pk(self) -> int:
        return self.picker.interview_pk()

    def current(self) -> tuple[int, str, int] | None:
        """(submission id, question id, answer id) on screen."""
        if not self.queue:
            return None
        submission_id, question_id = self.queue[self.index]
        candidate = next(
            c
            for c in self.service.candidates(interview_pk=self.interview_pk)
            if c.submission_id == submission_id
        )
        return submission_id, question_id, candidate.answers[question_id]

    def reload(self) -> None:
        self.queue = (
            self.service.question_queue(self.actor, interview_pk=self.interview_pk)
            if self.interview_pk
            else []
        )
        self.go(0)

    def go(self, index: int) -> None:
        if not self.queue:
            self.question_label.setText("No candidates to score yet.")
            self.player.show_message("Import bundles in the library first.")
            for w in (self.previous_button, self.next_button, self.submit_button):
                w.setEnabled(False)
            return
        self.index = max(0, min(index, len(self.queue) - 1))
        self.clear_message()
        self.show_cell()

    def show_cell(self) -> None:
        here = self.current()
        assert here is not None
        submission_id, question_id, answer_id = here
        questions = self.service.questions(interview_pk=self.interview_pk)
        in_question = [c for c, q in self.queue if q == question_id]
        position = in_question.index(submission_id) + 1
        self.question_label.setText(
            f"Question {questions.index(question_id) + 1} of {len(questions)}: "
            f"{self.service.question_text(interview_pk=self.interview_pk, question_id=question_id)}"
        )
        self.position_label.setText(
            f"Candidate {position} of {len(in_question)} for this question (your own order)"
        )
        candidate = next(
            c
            for c in self.service.candidates(interview_pk=self.interview_pk)
            if c.submission_id == submission_id
        )
        self.candidate_label.setText(flagged(candidate.name, candidate.flags))
        self.candidate_label.setToolTip(flags_tooltip(candidate.flags, candidate.name))
        load_answer(self.player, self.service, self.actor, answer_id)
        mine = self.service.my_score(self.actor, answer_id=answer_id)
        submitted = mine is not None and mine.status == "submitted"
        status = "Draft: only you can see it until you submit."
        if submitted:
            status = "Submitted. Others' scores on this answer are in the panel summary."
        elif mine is None or mine.score is None:
            status = "Not scored yet."
        self.rubric.show_answer(
            self.service.rubric(interview_pk=self.interview_pk, question_id=question_id),
            None if mine is None else mine.score,
            "" if mine is None else mine.note,
            [],
            read_only=submitted,
            status=status,
        )
        self.correction_row.setVisible(submitted)
        if submitted and mine is not None and mine.score is not None:
            self.correction_score.setValue(mine.score)
            self.correction_reason.clear()
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.queue) - 1)
        self._update_submit(question_id)

    def _update_submit(self, question_id: str) -> None:
        n = self.service.questions(interview_pk=self.interview_pk).index(question_id) + 1
        answers = [
            c.answers[question_id]
            for c in self.service.candidates(interview_pk=self.interview_pk)
            if question_id in c.answers
        ]
        mine = [self.service.my_score(self.actor, answer_id=a) for a in answers]
        drafts = [m for m in mine if m is not None and m.status == "draft" and m.score is not None]
        unscored = sum(1 for m in mine if m is None or m.score is None)
        if unscored:
            self.submit_button.setText(f"Submit question {n} ({unscored} still to score)")
            self.submit_button.setEnabled(False)
        elif drafts:
            self.submit_button.setText(f"Submit my question {n} scores")
            self.submit_button.setEnabled(True)
        else:
            self.submit_button.setText(f"Question {n} submitted")
            self.submit_button.setEnabled(False)

    # -- scoring -----------------------------------------------------------------------------

    def _save_score(self, score: int) -> None:
        here = self.current()
        if here is None:
            return
        try:
            self.service.save_score(
                self.actor, answer_id=here[2], score=score, note=self.rubric.note_text()
            )
        except OneTakeError as error:
            self.fail(error)
            return
        self.rubric.set_status("Draft saved: only you can see it until you submit.")
        self._update_submit(here[1])

    def _save_note(self, note: str) -> None:
        here = self.current()
        if here is None:
            return
        mine = self.service.my_score(self.actor, answer_id=here[2])
        if mine is not None and mine.status == "submitted":
            return
        try:
            self.service.save_score(
                self.actor, answer_id=here[2], score=self.rubric.score(), note=note
            )
        except OneTakeError as error:
            self.fail(error)

    def submit_question(self) -> None:
        here = self.current()
        if here is None:
            return
        self.rubric.flush_note()
        try:
            count = self.service.submit_question(
                self.actor, interview_pk=self.interview_pk, question_id=here[1]
            )
        except OneTakeError as error:
            self.fail(error)
            return
        self.show_cell()
        self.inform(
            f"Submitted {count} scores. The panel summary for this question is open to you."
        )

    def save_correction(self) -> None:
        here = self.current()
        if here is None:
            return
        try:
            self.service.correct_score(
                self.actor,
                answer_id=here[2],
                score=self.correction_score.value(),
                note=self.rubric.note_text(),
                reason=self.correction_reason.text(),
            )
        except OneTakeError as error:
            self.fail(error)
            return
        self.show_cell()
