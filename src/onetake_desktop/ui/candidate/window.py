"""The candidate window: one page per step, driven entirely through CandidateService.

The window owns one ~30 Hz QTimer: it advances the service's clocks (``service.tick()``), pulls
the newest camera picture and microphone level, and repaints the clocks. The service calls its
listeners on this (GUI) thread, so every listener may touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.candidate import CandidateService
from onetake_desktop.ui.candidate.widgets import (
    ClockRing,
    LevelMeter,
    Preview,
    StepIndicator,
    TakePlayer,
    button,
    card,
    duration_text,
    label,
    mmss,
    set_button_text,
)
from onetake_desktop.ui.tasks import run_task

# Additions to the app style sheet for candidate mode (step states, pills, banner).
CANDIDATE_STYLE = """
QLabel#StepLabel { color: #4a5568; padding: 4px 8px; border-radius: 12px; }
QLabel#StepLabel[state="done"] { color: #1f5fa8; }
QLabel#StepLabel[state="current"] { color: #ffffff; background: #1f5fa8; font-weight: 600; }
QLabel#StepArrow { color: #7a8594; }
QLabel#Pill { background: #eef3f9; color: #1d2430; border: 1px solid #b8c2d0;
  border-radius: 12px; padding: 4px 12px; font-weight: 600; }
QLabel#Banner { background: #fff4e5; color: #5c3d00; border: 1px solid #e0b25c;
  border-radius: 8px; padding: 10px 14px; }
QLabel#Error { color: #b42318; font-weight: 600; }
QLabel#Question { font-size: 16pt; font-weight: 600; color: #1d2430; }
QLabel#Fact { font-size: 12pt; }
QWidget#CandidateWindow { background: #f6f7f9; }
QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; border: none; }
"""

Confirm = Callable[[str, str], bool]
ChoosePath = Callable[[Path], Path | None]


def _ask(parent: QWidget) -> Confirm:
    def confirm(title: str, text: str) -> bool:
        answer = QMessageBox.question(
            parent,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    return confirm


class Page(QWidget):
    """One step's page. ``sync`` runs after every state change, ``refresh`` on every tick."""

    def __init__(self, window: CandidateWindow) -> None:
        super().__init__()
        self.w = window
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(14)

    @property
    def service(self) -> CandidateService:
        return self.w.service

    def sync(self) -> None:
        pass

    def refresh(self) -> None:
        pass

    def buttons_row(self, *widgets: QWidget, left: tuple[QWidget, ...] = ()) -> QHBoxLayout:
        row = QHBoxLayout()
        for b in left:
            row.addWidget(b)
        row.addStretch(1)
        for b in widgets:
            row.addWidget(b)
        return row


# -- resume ----------------------------------------------------------------------------------------
class ResumePage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.title = label("Welcome back", "Title")
        box, inner = card()
        self.summary = label("", "Fact")
        inner.addWidget(self.summary)
        inner.addWidget(
            label(
                "Everything you recorded is still on this computer. You can carry on exactly "
                "where you stopped.",
                "Hint",
            )
        )
        self.resume_button = button("Carry on", "Ctrl+Return", "PrimaryButton")
        self.over_button = button("Start over", "Ctrl+Shift+N", tip="Start the interview again")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(box)
        self.layout_.addStretch(1)
        self.layout_.addLayout(self.buttons_row(self.resume_button, left=(self.over_button,)))
        self.resume_button.clicked.connect(self.w.do_resume)
        self.over_button.clicked.connect(self.w.do_start_over)

    def sync(self) -> None:
        self.summary.setText(self.service.resume_summary())


# -- welcome ---------------------------------------------------------------------------------------
class WelcomePage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        kit = self.service.kit
        self.title = label(f"Interview for {kit.role_title}", "Title")
        sub = label(kit.organisation, "Subtitle")
        box, inner = card()
        inner.addWidget(label(kit.welcome.strip()))
        facts, facts_l = card()
        self.facts = label("", "Fact")
        facts_l.addWidget(self.facts)
        how, how_l = card()
        how_l.addWidget(label("How it works", "Subtitle"))
        how_l.addWidget(label(kit.instructions.strip()))
        how_l.addStretch(1)
        self.start_button = button("Start", "Ctrl+Return", "PrimaryButton", "Start the interview")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(sub)
        row = QHBoxLayout()
        row.setSpacing(14)
        left = QVBoxLayout()
        left.addWidget(box)
        left.addWidget(facts)
        left.addStretch(1)
        row.addLayout(left, 1)
        row.addWidget(how, 1)
        self.layout_.addLayout(row)
        self.layout_.addStretch(1)
        self.layout_.addLayout(self.buttons_row(self.start_button))
        self.start_button.clicked.connect(lambda: self.w.act(self.service.begin))

    def sync(self) -> None:
        kit = self.service.kit
        s = self.service.session
        n = len(kit.questions)
        minutes = (
            sum(q.think_seconds + q.answer_max_seconds for q in kit.questions)
            * s.state.time_multiplier
            / 60
        )
        recorded = [q for q in kit.questions if kit.answer_type_of(q) != "text"]
        lines = [
            f"• {n} question{'s' if n != 1 else ''}"
            + (f", {n - len(recorded)} of them written" if len(recorded) < n else ""),
            f"• About {max(5, round(minutes + 5))} minutes, at a time that suits you",
        ]
        if kit.deadline is not None:
            left = kit.deadline - datetime.now(UTC)
            when = kit.deadline.strftime("%d %B %Y, %H:%M UTC")
            if left.total_seconds() > 0:
                lines.append(f"• Please send your answers by {when} ({left.days} days left)")
            else:
                lines.append(f"• The deadline was {when}; ask {kit.contact or 'the team'} first")
        need = "a quiet place, your camera and microphone" if recorded else "a quiet place"
        if recorded and all(kit.answer_type_of(q) == "audio" for q in recorded):
            need = "a quiet place and your microphone (no camera: answers are audio only)"
        lines.append(f"• You will need {need}")
        lines.append("• Nothing leaves this computer until you send it yourself")
        if kit.contact:
            lines.append(f"• Questions? {kit.contact}")
        self.facts.setText("\n".join(lines))


# -- privacy ---------------------------------------------------------------------------------------
class PrivacyPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        kit = self.service.kit
        self.layout_.addWidget(label("Your privacy", "Title"))
        self.layout_.addWidget(
            label(
                "Your camera and microphone stay off until you agree. Nothing leaves this "
                "computer until you send your answers yourself.",
                "Subtitle",
            )
        )
        box, inner = card()
        notice = label(kit.privacy_notice.strip())
        notice.setAccessibleName("Privacy notice")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(notice)
        scroll.setMinimumHeight(150)
        inner.addWidget(scroll)
        inner.addWidget(label(f"Kept for {kit.retention_days} days, then deleted.", "Hint"))
        self.layout_.addWidget(box, 1)

        form_box, form_l = card()
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("Your full name")
        self.email = QLineEdit()
        self.email.setAccessibleName("Your email")
        self.email.setPlaceholderText("name@example.com")
        name_label = QLabel("&Name")
        name_label.setBuddy(self.name)
        email_label = QLabel("E&mail")
        email_label.setBuddy(self.email)
        form.addRow(name_label, self.name)
        form.addRow(email_label, self.email)
        form_l.addLayout(form)
        self.accommodations: dict[str, QCheckBox] = {}
        for acc in kit.accommodations:
            cb = QCheckBox(acc.label)
            cb.setAccessibleName(acc.label)
            self.accommodations[acc.id] = cb
            form_l.addWidget(cb)
        self.agree = QCheckBox("I have read this notice and &agree to be recorded on these terms")
        self.agree.setAccessibleName("I agree to the privacy notice")
        form_l.addWidget(self.agree)
        self.error = label("", "Error")
        self.error.setAccessibleName("Problem")
        form_l.addWidget(self.error)
        self.layout_.addWidget(form_box)
        self.back_button = button("Back", "Ctrl+B")
        self.agree_button = button(
            "I agree, check my devices", "Ctrl+Return", "PrimaryButton", "Agree and continue"
        )
        self.layout_.addLayout(self.buttons_row(self.agree_button, left=(self.back_button,)))
        self.agree.toggled.connect(self._update)
        self.name.textChanged.connect(self._update)
        self.email.textChanged.connect(self._update)
        self.agree_button.clicked.connect(self._submit)
        self.back_button.clicked.connect(lambda: self.w.act(self.service.back_to_welcome))

    def sync(self) -> None:
        st = self.service.session.state
        if st.candidate_name and not self.name.text():
            self.name.setText(st.candidate_name)
            self.email.setText(st.candidate_email)
        self._update()

    def _update(self) -> None:
        ready = self.agree.isChecked() and bool(self.name.text().strip() and self.email.text())
        self.agree_button.setEnabled(ready)

    def _submit(self) -> None:
        chosen = [k for k, cb in self.accommodations.items() if cb.isChecked()]
        try:
            self.service.give_consent(self.name.text(), self.email.text(), chosen)
        except OneTakeError as error:
            self.error.setText(str(error))
            return
        self.error.setText("")


# -- devices ---------------------------------------------------------------------------------------
NO_CAMERA = "none"


class DevicesPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.layout_.addWidget(label("Check your camera and microphone", "Title"))
        self.layout_.addWidget(
            label("Say a few words: the bar should move. Nothing is recorded here.", "Subtitle")
        )
        row = QHBoxLayout()
        row.setSpacing(18)
        self.preview = Preview(480, 270)
        row.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        side, side_l = card()
        self.camera = QComboBox()
        self.camera.setAccessibleName("Camera")
        self.mic = QComboBox()
        self.mic.setAccessibleName("Microphone")
        cam_label = QLabel("&Camera")
        cam_label.setBuddy(self.camera)
        mic_label = QLabel("&Microphone")
        mic_label.setBuddy(self.mic)
        side_l.addWidget(cam_label)
        side_l.addWidget(self.camera)
        side_l.addWidget(mic_label)
        side_l.addWidget(self.mic)
        self.meter = LevelMeter()
        side_l.addWidget(self.meter)
        self.self_view = QCheckBox("&Show me while I answer (self-view)")
        self.self_view.setChecked(True)
        self.self_view.setAccessibleName("Self-view")
        side_l.addWidget(self.self_view)
        self.audio_note = label("", "Hint")
        side_l.addWidget(self.audio_note)
        self.disk = label("", "Hint")
        self.disk.setAccessibleName("Free disk space")
        side_l.addWidget(self.disk)
        self.error = label("", "Error")
        side_l.addWidget(self.error)
        side_l.addStretch(1)
        row.addWidget(side, 1)
        self.layout_.addLayout(row, 1)
        self.retry_button = button("Try again", "Ctrl+T", tip="Open the chosen devices again")
        self.continue_button = button("Continue", "Ctrl+Return", "PrimaryButton")
        self.layout_.addLayout(self.buttons_row(self.continue_button, left=(self.retry_button,)))
        self._filled = False
        self.camera.activated.connect(lambda _i: self.open_selected())
        self.mic.activated.connect(lambda _i: self.open_selected())
        self.retry_button.clicked.connect(self.open_selected)
        self.continue_button.clicked.connect(lambda: self.w.act(self.service.confirm_devices))
        self.self_view.toggled.connect(self._self_view)

    def _fill(self) -> None:
        if self._filled:
            return
        self._filled = True
        choices = self.service.device_choices(self.w.camera_default, self.w.mic_default)
        if self.service.wants_video:
            for spec, name in choices.cameras:
                self.camera.addItem(name, spec)
        self.camera.addItem("No camera: answer with audio only", NO_CAMERA)
        for spec, name in choices.microphones:
            self.mic.addItem(name, spec)
        self.camera.setEnabled(self.service.wants_video)
        if not self.service.needs_media:
            self.mic.setEnabled(False)

    def sync(self) -> None:
        self._fill()
        if self.service.capture is None and self.service.needs_media:
            self.open_selected()
        self._notes()

    def open_selected(self) -> None:
        camera = self.camera.currentData()
        camera = None if camera in (None, NO_CAMERA) else str(camera)
        mic = self.mic.currentData()
        self.error.setText("")
        try:
            self.service.open_devices(camera, None if mic is None else str(mic))
        except OneTakeError as error:
            self.error.setText(
                f"{error} Choose another device, or go on without a camera (audio only)."
            )
        self.preview.clear()
        self.preview.setText("Camera off" if camera is None else "Starting the camera…")
        self._notes()

    def _notes(self) -> None:
        opened_camera = self.service.capture_specs[0]
        open_ok = self.service.capture is not None
        if not self.service.wants_video:
            note = "This interview asks for spoken (audio) answers only: no camera is used."
        elif open_ok and opened_camera is None:
            note = "No camera: your answers will be recorded as audio only."
        else:
            note = ""
        self.audio_note.setText(note)
        self.continue_button.setEnabled(open_ok or not self.service.needs_media)
        if self.service.needs_media:
            try:
                report = self.service.disk_report()
            except OneTakeError as error:
                self.disk.setText(str(error))
            else:
                self.disk.setText(("Disk space: " if report.ok else "") + report.sentence)
                self.disk.setObjectName("Hint" if report.ok else "Error")
                self.disk.style().unpolish(self.disk)
                self.disk.style().polish(self.disk)

    def _self_view(self, on: bool) -> None:
        self.w.self_view = on
        self.preview.setVisible(True)
        if not on:
            self.preview.clear()
            self.preview.setText("Self-view is off (you are still recorded)")

    def refresh(self) -> None:
        rms, peak = self.service.audio_level()
        self.meter.set_level(rms, peak)
        if self.w.self_view and self.service.capture_specs[0] is not None:
            self.preview.show_frame(self.service.preview_frame())


# -- practice --------------------------------------------------------------------------------------
class PracticePage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        practice = self.service.kit.practice
        self.layout_.addWidget(label("Practice question", "Title"))
        self.layout_.addWidget(
            label("Try as often as you like. Practice answers are never saved or sent.", "Subtitle")
        )
        box, inner = card()
        inner.addWidget(label(practice.text if practice else "", "Question"))
        if practice and practice.context:
            inner.addWidget(label(practice.context, "Hint"))
        self.layout_.addWidget(box)
        row = QHBoxLayout()
        row.setSpacing(18)
        self.stack = QStackedWidget()
        self.preview = Preview(400, 225)
        self.player = TakePlayer("Ctrl+P")
        self.stack.addWidget(self.preview)
        self.stack.addWidget(self.player)
        row.addWidget(self.stack)
        self.clock = ClockRing()
        row.addWidget(self.clock, 0, Qt.AlignmentFlag.AlignTop)
        self.tries = label("", "Hint")
        row.addWidget(self.tries, 1, Qt.AlignmentFlag.AlignTop)
        self.layout_.addLayout(row, 1)
        self.back_button = button("Back to devices", "Ctrl+B")
        self.record_button = button("Record a practice answer", "Ctrl+R", "PrimaryButton")
        self.stop_button = button("Stop", "Ctrl+E", "DangerButton", "Stop the practice answer")
        self.done_button = button("Start the interview", "Ctrl+Return", "PrimaryButton")
        self.layout_.addLayout(
            self.buttons_row(
                self.record_button,
                self.stop_button,
                self.done_button,
                left=(self.back_button,),
            )
        )
        self.record_button.clicked.connect(self._record)
        self.stop_button.clicked.connect(lambda: self.w.act(self.service.stop_practice))
        self.done_button.clicked.connect(self._done)
        self.back_button.clicked.connect(lambda: self.w.act(self.service.back_to_devices))
        self._shown: Path | None = None

    def _record(self) -> None:
        self.player.stop()
        self.player.load(None)
        self._shown = None
        self.w.act(self.service.start_practice)

    def _done(self) -> None:
        self.player.stop()
        self.player.load(None)
        self.w.act(self.service.finish_practice)

    def sync(self) -> None:
        recording = self.service.recording
        self.record_button.setVisible(not recording)
        self.stop_button.setVisible(recording)
        self.done_button.setEnabled(not recording)
        self.back_button.setEnabled(not recording)
        set_button_text(
            self.record_button,
            "Record again" if self.service.last_practice else "Record a practice answer",
        )
        tries = self.service.session.state.practice_tries
        self.tries.setText(
            f"Practice tries: {tries}\n\nWhen you are happy with your sound and picture, "
            "start the interview."
            if tries
            else "Press Record, answer, then press Stop. It plays back straight away."
        )
        last = self.service.last_practice
        if not recording and last is not None and last != self._shown:
            self._shown = last
            self.stack.setCurrentWidget(self.player)
            self.player.load(last, self.service.session.state.audio_only, autoplay=True)
        elif recording:
            self.stack.setCurrentWidget(self.preview)
        self.preview.set_recording(recording)
        self.refresh()

    def refresh(self) -> None:
        limit = self.service.practice_limit()
        if self.service.recording:
            self.clock.set_time("answer", limit - self.service.practice_elapsed(), limit)
            if self.w.self_view:
                self.preview.show_frame(self.service.preview_frame())
        else:
            self.clock.set_time("idle", limit, limit)


# -- questions -------------------------------------------------------------------------------------
class QuestionPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        top = QHBoxLayout()
        self.heading = label("", "Title", wrap=False)
        self.takes_pill = label("", "Pill", wrap=False)
        self.takes_pill.setAccessibleName("Takes")
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.takes_pill)
        self.layout_.addLayout(top)
        self.views = QStackedWidget()
        self.layout_.addWidget(self.views, 1)
        self._build_ready()
        self._build_live()
        self._build_deciding()
        self._build_writing()
        self._shown_take: tuple[str, int] | None = None
        self._editing: str | None = None

    # ready: the candidate opens the question when ready
    def _build_ready(self) -> None:
        self.ready = QWidget()
        lay = QVBoxLayout(self.ready)
        lay.setContentsMargins(0, 0, 0, 0)
        box, inner = card()
        self.ready_text = label("", "Fact")
        inner.addWidget(self.ready_text)
        lay.addWidget(box)
        lay.addStretch(1)
        self.back_review_ready = button("Back to review", "Ctrl+B")
        self.show_button = button("Show the question", "Ctrl+Return", "PrimaryButton")
        row = QHBoxLayout()
        row.addWidget(self.back_review_ready)
        row.addStretch(1)
        row.addWidget(self.show_button)
        lay.addLayout(row)
        self.views.addWidget(self.ready)
        self.show_button.clicked.connect(lambda: self.w.act(self.service.show_question))
        self.back_review_ready.clicked.connect(lambda: self.w.act(self.service.cancel_redo))

    # thinking and recording share one view: the question stays on screen
    def _build_live(self) -> None:
        self.live = QWidget()
        lay = QHBoxLayout(self.live)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(18)
        left = QVBoxLayout()
        box, inner = card()
        self.question_text = label("", "Question")
        self.question_text.setAccessibleName("Question")
        self.context_text = label("", "Hint")
        inner.addWidget(self.question_text)
        inner.addWidget(self.context_text)
        left.addWidget(box)
        self.preview = Preview(400, 225)
        left.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignLeft)
        left.addStretch(1)
        lay.addLayout(left, 1)
        right = QVBoxLayout()
        self.clock = ClockRing()
        right.addWidget(self.clock, 0, Qt.AlignmentFlag.AlignHCenter)
        self.phase_text = label("", "Subtitle")
        self.phase_text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.phase_text.setMinimumWidth(240)
        right.addWidget(self.phase_text)
        self.start_button = button(
            "Start answering now", "Ctrl+R", "PrimaryButton", "Start recording your answer now"
        )
        self.stop_button = button("Stop recording", "Ctrl+E", "DangerButton")
        right.addWidget(self.start_button)
        right.addWidget(self.stop_button)
        self.min_hint = label("", "Hint")
        self.min_hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        right.addWidget(self.min_hint)
        right.addStretch(1)
        lay.addLayout(right)
        self.views.addWidget(self.live)
        self.start_button.clicked.connect(lambda: self.w.act(self.service.start_answer))
        self.stop_button.clicked.connect(lambda: self.w.act(self.service.stop_answer))

    # deciding: play back, choose, keep or re-record
    def _build_deciding(self) -> None:
        self.deciding = QWidget()
        lay = QHBoxLayout(self.deciding)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(18)
        self.player = TakePlayer("Ctrl+P")
        lay.addWidget(self.player, 1)
        side, side_l = card()
        self.decide_question = label("", "Hint")
        side_l.addWidget(self.decide_question)
        side_l.addWidget(label("Which take do you want to send?", "Subtitle"))
        self.take_box = QVBoxLayout()
        side_l.addLayout(self.take_box)
        self.take_group = QButtonGroup(self)
        self.take_group.idClicked.connect(self._take_chosen)
        self.retake_note = label("", "Hint")
        side_l.addWidget(self.retake_note)
        side_l.addStretch(1)
        self.keep_button = button(
            "Keep this take and continue", "Ctrl+Return", "PrimaryButton", "Keep the chosen take"
        )
        self.retake_button = button("Record again", "Ctrl+Shift+R", tip="Re-record this answer")
        side_l.addWidget(self.keep_button)
        side_l.addWidget(self.retake_button)
        lay.addWidget(side)
        self.views.addWidget(self.deciding)
        self.keep_button.clicked.connect(self._keep)
        self.retake_button.clicked.connect(self._retake)

    def _build_writing(self) -> None:
        self.writing = QWidget()
        lay = QVBoxLayout(self.writing)
        lay.setContentsMargins(0, 0, 0, 0)
        box, inner = card()
        self.write_question = label("", "Question")
        self.write_context = label("", "Hint")
        inner.addWidget(self.write_question)
        inner.addWidget(self.write_context)
        lay.addWidget(box)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Your written answer")
        self.editor.setTabChangesFocus(True)
        lay.addWidget(self.editor, 1)
        self.count = label("", "Hint")
        lay.addWidget(self.count)
        self.save_text_button = button(
            "Save my answer and continue", "Ctrl+Return", "PrimaryButton"
        )
        self.back_review_write = button("Back to review", "Ctrl+B")
        row = QHBoxLayout()
        row.addWidget(self.back_review_write)
        row.addStretch(1)
        row.addWidget(self.save_text_button)
        lay.addLayout(row)
        self.views.addWidget(self.writing)
        self.editor.textChanged.connect(self._count)
        # Save the draft a second after typing pauses: a crash loses at most a second of words.
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(1000)
        self.draft_timer.timeout.connect(lambda: self.service.save_draft(self.editor.toPlainText()))
        self.editor.textChanged.connect(self.draft_timer.start)
        self.save_text_button.clicked.connect(self._save_text)
        self.back_review_write.clicked.connect(lambda: self.w.act(self.service.cancel_redo))

    # -- behaviour -------------------------------------------------------------------------------
    def _take_chosen(self, number: int) -> None:
        path = self.service.take_path(self.service.session.question.id, number)
        self.player.load(path, self._audio_only(), autoplay=False)

    def _audio_only(self) -> bool:
        s = self.service.session
        return s.answer_type(s.question) != "video"

    def _keep(self) -> None:
        number = self.take_group.checkedId()
        self.player.stop()
        self.player.load(None)
        self.w.act(lambda: self.service.keep_take(number))

    def _retake(self) -> None:
        self.player.stop()
        self.player.load(None)
        self.w.act(self.service.retake)

    def _save_text(self) -> None:
        self.draft_timer.stop()
        self.w.act(lambda: self.service.save_text(self.editor.toPlainText()))

    def _count(self) -> None:
        limit = self.service.session.question.text_max_chars
        n = len(self.editor.toPlainText())
        self.count.setText(f"{n} of {limit} characters")
        self.save_text_button.setEnabled(bool(self.editor.toPlainText().strip()) and n <= limit)

    def sync(self) -> None:
        s = self.service.session
        if s.step != "questions":
            return
        q, a = s.question, s.answer
        kind = s.answer_type(q)
        total = len(s.kit.questions)
        self.heading.setText(f"Question {s.state.current + 1} of {total}")
        if kind == "text":
            self.takes_pill.setText("Written answer")
        else:
            used, allowed = len(a.takes), s.takes_allowed(q)
            if a.phase in ("thinking", "recording"):
                self.takes_pill.setText(f"Take {used + 1} of {allowed}")
            else:
                self.takes_pill.setText(f"Takes used: {used} of {allowed}")
        self.takes_pill.setAccessibleName(self.takes_pill.text())
        returning = s.state.returning_to_review
        self.back_review_ready.setVisible(returning)
        self.back_review_write.setVisible(returning)
        if a.phase == "ready":
            self.views.setCurrentWidget(self.ready)
            if kind == "text":
                text = "This question asks for a written answer. Take the time you need."
            else:
                text = (
                    f"When you open the question you have {mmss(s.think_limit(q))} to think. "
                    f"Recording starts when you press Start answering now, or when thinking time "
                    f"ends. Answers run from {duration_text(s.answer_min(q))} to "
                    f"{mmss(s.answer_max(q))}. "
                    f"You have {s.takes_left(q)} take{'s' if s.takes_left(q) != 1 else ''} left."
                )
                if kind == "audio":
                    text += " Your answer is recorded as audio only."
            self.ready_text.setText(text + "\n\nTake a breath. Nothing is recorded yet.")
        elif a.phase in ("thinking", "recording"):
            self.views.setCurrentWidget(self.live)
            self.question_text.setText(q.text)
            self.context_text.setText(f"Why we ask: {q.context}" if q.context else "")
            thinking = a.phase == "thinking"
            self.start_button.setVisible(thinking)
            self.stop_button.setVisible(not thinking)
            show_preview = self.w.self_view and not self._audio_only()
            self.preview.setVisible(show_preview)
            self.preview.set_recording(a.phase == "recording")
            if thinking:
                self.phase_text.setText("Not recording yet")
                self.min_hint.setText("Recording starts by itself when thinking time ends.")
                self.start_button.setFocus()
            else:
                self.phase_text.setText("Recording your answer")
                self.stop_button.setFocus()
        elif a.phase == "deciding":
            self.views.setCurrentWidget(self.deciding)
            self.decide_question.setText(q.text)
            self._fill_takes()
            left = s.takes_left(q)
            self.retake_button.setEnabled(left > 0)
            set_button_text(self.retake_button, f"Record again ({left} left)")
            self.retake_note.setText(
                "No retakes left: choose the take to send."
                if left == 0
                else "You can record again, then choose the take you like best."
            )
        elif a.phase == "writing":
            self.views.setCurrentWidget(self.writing)
            self.write_question.setText(q.text)
            self.write_context.setText(f"Why we ask: {q.context}" if q.context else "")
            if self._editing != q.id:  # one editor serves every written question
                self._editing = q.id
                self.editor.setPlainText(a.text)
                self.editor.moveCursor(QTextCursor.MoveOperation.End)
            self._count()
            self.editor.setFocus()
        self.refresh()

    def _fill_takes(self) -> None:
        s = self.service.session
        a = s.answer
        for b in self.take_group.buttons():
            self.take_group.removeButton(b)
            self.take_box.removeWidget(b)
            b.hide()
            b.deleteLater()
        newest = a.takes[-1]
        chosen = a.chosen_take or newest.number
        for t in a.takes:
            extra = " (recovered after an interruption)" if t.stop_reason == "recovered" else ""
            rb = QRadioButton(f"Take {t.number}: {duration_text(t.duration_seconds)}{extra}")
            rb.setAccessibleName(rb.text())
            self.take_group.addButton(rb, t.number)
            self.take_box.addWidget(rb)
            rb.setChecked(t.number == chosen)
        key = (a.question_id, newest.number)
        if key != self._shown_take:  # a new take plays back at once
            self._shown_take = key
            self.player.load(
                self.service.take_path(a.question_id, newest.number),
                self._audio_only(),
                autoplay=True,
            )
            self.take_group.button(newest.number).setChecked(True)
        self.keep_button.setFocus()

    def refresh(self) -> None:
        s = self.service.session
        if s.step != "questions":
            return
        q, a = s.question, s.answer
        if a.phase == "thinking":
            self.clock.set_time("think", s.think_remaining(), s.think_limit(q))
        elif a.phase == "recording":
            self.clock.set_time("answer", s.answer_remaining(), s.answer_max(q))
            can = s.can_stop()
            self.stop_button.setEnabled(can)
            wait = s.answer_min(q) - s.answer_elapsed()
            self.min_hint.setText(
                "Stop when you are done; recording ends by itself at the limit."
                if can
                else f"You can stop after {mmss(wait)} (minimum length)."
            )
        if a.phase in ("thinking", "recording") and self.preview.isVisible():
            self.preview.show_frame(self.service.preview_frame())


# -- review ----------------------------------------------------------------------------------------
class ReviewPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.layout_.addWidget(label("Review your answers", "Title"))
        self.layout_.addWidget(
            label(
                "Play any answer. You can answer again while a question has takes left.", "Subtitle"
            )
        )
        body = QHBoxLayout()
        body.setSpacing(18)
        self.list_box, self.list_l = card()
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(10)
        self.grid.setColumnStretch(0, 1)
        self.list_l.addLayout(self.grid)
        self.list_l.addStretch(1)
        body.addWidget(self.list_box, 1)
        self.player = TakePlayer("Ctrl+P")
        body.addWidget(self.player)
        self.layout_.addLayout(body, 1)
        self.send_button = button(
            "Seal and save my answers…",
            "Ctrl+Return",
            "PrimaryButton",
            "Seal your answers into one file to send",
        )
        self.layout_.addLayout(self.buttons_row(self.send_button))
        self.send_button.clicked.connect(self.w.do_send)
        self.row_widgets: list[QWidget] = []
        self.play_buttons: dict[str, QPushButton] = {}
        self.redo_buttons: dict[str, QPushButton] = {}

    def sync(self) -> None:
        for wdg in self.row_widgets:
            self.grid.removeWidget(wdg)
            wdg.hide()
            wdg.deleteLater()
        self.row_widgets.clear()
        self.play_buttons.clear()
        self.redo_buttons.clear()
        s = self.service.session
        for i, q in enumerate(s.kit.questions):
            a = s.answer_for(q.id)
            kind = s.answer_type(q)
            title = label(f"{i + 1}. {q.text}")
            if kind == "text":
                preview = a.text if len(a.text) < 90 else a.text[:87] + "…"
                detail = label(f"Written, {len(a.text)} characters: “{preview}”", "Hint")
            else:
                take = s.chosen(q.id)
                secs = duration_text(take.duration_seconds) if take else "-"
                detail = label(
                    f"{'Video' if kind == 'video' else 'Audio'}, {secs}, take "
                    f"{take.number if take else '-'} of {len(a.takes)} "
                    f"({s.takes_left(q)} left)",
                    "Hint",
                )
            texts = QVBoxLayout()
            holder = QWidget()
            holder.setLayout(texts)
            texts.setContentsMargins(0, 0, 0, 0)
            texts.addWidget(title)
            texts.addWidget(detail)
            n = i + 1
            play = button("Play", f"Ctrl+{n}" if n < 10 else None, tip=f"Play answer {n}")
            play.setAccessibleName(f"Play answer {n}")
            if kind == "text":
                play.hide()  # nothing to play (never setVisible(True) on a parentless widget)
            redo = button(
                "Answer again" if kind != "text" else "Edit",
                f"Ctrl+Shift+{n}" if n < 10 else None,
                tip=f"Answer question {n} again",
            )
            redo.setAccessibleName(f"Answer question {n} again")
            redo.setEnabled(s.can_redo(q.id))
            play.clicked.connect(lambda _c=False, qid=q.id: self._play(qid))
            redo.clicked.connect(lambda _c=False, qid=q.id: self._redo(qid))
            self.grid.addWidget(holder, i, 0)
            self.grid.addWidget(play, i, 1)
            self.grid.addWidget(redo, i, 2)
            self.row_widgets += [holder, play, redo]
            self.play_buttons[q.id] = play
            self.redo_buttons[q.id] = redo
        self.send_button.setFocus()

    def _play(self, qid: str) -> None:
        s = self.service.session
        take = s.chosen(qid)
        if take is None:
            return
        self.player.load(
            self.service.take_path(qid, take.number),
            s.answer_type(s.question_for(qid)) != "video",
            autoplay=True,
        )

    def _redo(self, qid: str) -> None:
        self.player.stop()
        self.w.act(lambda: self.service.redo(qid))


# -- sending and the receipt -----------------------------------------------------------------------
class SendPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.title = label("Sealing your answers…", "Title")
        self.layout_.addWidget(self.title)
        box, inner = card()
        self.status = label("Writing one file with every answer and a checksum.", "Fact")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Sealing progress")
        self.progress.setRange(0, 100)
        inner.addWidget(self.status)
        inner.addWidget(self.progress)
        self.layout_.addWidget(box)
        self.layout_.addStretch(1)


class SentPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.layout_.addWidget(label("Your answers are sealed and saved", "Title"))
        self.layout_.addWidget(
            label("Now send the file as your invitation describes. Well done!", "Subtitle")
        )
        box, inner = card()
        inner.addWidget(label("Receipt", "Subtitle"))
        self.receipt = label("", "Fact")
        self.receipt.setAccessibleName("Receipt")
        inner.addWidget(self.receipt)
        self.layout_.addWidget(box)
        nxt, nxt_l = card()
        nxt_l.addWidget(label("What happens next", "Subtitle"))
        self.next_steps = label("")
        nxt_l.addWidget(self.next_steps)
        self.layout_.addWidget(nxt)
        self.layout_.addStretch(1)
        self.folder_button = button("Show the file in its folder", "Ctrl+O")
        self.close_button = button("Close", "Ctrl+Q", "PrimaryButton")
        self.layout_.addLayout(self.buttons_row(self.close_button, left=(self.folder_button,)))
        self.folder_button.clicked.connect(self._open_folder)
        self.close_button.clicked.connect(self.w.close)

    def sync(self) -> None:
        r = self.service.receipt()
        kit = self.service.kit
        self.receipt.setText(
            f"What: {r.answers} answers for {kit.role_title} at {kit.organisation}\n"
            f"File: {r.path.name}\n"
            f"Folder: {r.path.parent}\n"
            f"Size: {r.size / 1e6:.1f} MB ({r.size:,} bytes)\n"
            f"Checksum (SHA-256): {r.sha256.removeprefix('sha256:')}"
        )
        text = r.next_steps.strip() or "The hiring team will be in touch."
        if kit.contact:
            text += f"\n\nQuestions? {kit.contact}"
        self.next_steps.setText(text)
        self.close_button.setFocus()

    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.service.receipt().path.parent)))


# -- the window ------------------------------------------------------------------------------
class CandidateWindow(QWidget):
    """Candidate mode. Options for tests and demos: ``clock``, ``capture_factory``,
    ``choose_bundle_path`` (instead of the save dialog) and ``confirm`` (instead of questions)."""

    def __init__(
        self,
        service: CandidateService,
        *,
        camera: str | None = None,
        mic: str | None = None,
        choose_bundle_path: ChoosePath | None = None,
        confirm: Confirm | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.camera_default = camera
        self.mic_default = mic
        self.self_view = True
        self.sealing = False
        self.choose_bundle_path = choose_bundle_path or self._ask_bundle_path
        self.confirm = confirm or _ask(self)
        self.setObjectName("CandidateWindow")
        kit = service.kit
        self.setWindowTitle(f"OneTake: {kit.role_title}, {kit.organisation}")
        self.setStyleSheet(CANDIDATE_STYLE)
        self.resize(1100, 760)

        header = QHBoxLayout()
        who = label(f"{kit.organisation} · {kit.role_title}", "Hint", wrap=False)
        header.addWidget(who)
        header.addStretch(1)
        self.steps = StepIndicator()
        self.banner = label("", "Banner")
        self.banner.setAccessibleName("Notice")
        self.banner.hide()
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {
            "resume": ResumePage(self),
            "welcome": WelcomePage(self),
            "privacy": PrivacyPage(self),
            "devices": DevicesPage(self),
            "practice": PracticePage(self),
            "questions": QuestionPage(self),
            "review": ReviewPage(self),
            "send": SendPage(self),
            "sent": SentPage(self),
        }
        for page in self.pages.values():
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 20, 32, 24)
        layout.setSpacing(12)
        layout.addLayout(header)
        layout.addWidget(self.steps)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        keys = label(
            "Keyboard: Tab moves between controls, Space presses the focused one, Ctrl+Enter "
            "goes on. Point at a button to see its shortcut.",
            "Hint",
        )
        keys.setAccessibleName("Keyboard help")
        layout.addWidget(keys)
        QShortcut(QKeySequence("Escape"), self, self.banner.hide)

        service.listeners.append(self.sync)
        service.error_listeners.append(self.show_error)
        self.timer = QTimer(self)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.sync()

    # -- plumbing ------------------------------------------------------------------------------
    def page_name(self) -> str:
        if self.service.resumable:
            return "resume"
        if self.sealing:
            return "send"
        return self.service.session.step

    @property
    def page(self) -> Page:
        return self.pages[self.page_name()]

    def sync(self) -> None:
        name = self.page_name()
        step = self.service.session.step
        self.steps.set_step("sent" if name == "send" else step)
        page = self.pages[name]
        page.sync()
        if self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
            self.banner.hide()

    def tick(self) -> None:
        try:
            self.service.tick()
        except OneTakeError as error:
            self.show_error(error)
        self.page.refresh()

    def act(self, fn: Callable[[], Any]) -> None:
        """Run one user action; a problem becomes one calm sentence in the banner."""
        try:
            fn()
        except OneTakeError as error:
            self.show_error(error)
        self.sync()

    def show_error(self, error: BaseException) -> None:
        self.banner.setText(str(error))
        self.banner.show()

    # -- resume ----------------------------------------------------------------------------------
    def do_resume(self) -> None:
        try:
            recovered = self.service.resume()
        except OneTakeError as error:
            self.show_error(error)
            return
        self.sync()
        if recovered:
            self.show_error(
                OneTakeError(
                    "Your interrupted answer was recovered up to its last second; play it back "
                    "and keep it or record again."
                )
            )

    def do_start_over(self) -> None:
        if self.confirm(
            "Start over?",
            "Start the interview again from the beginning? Your earlier recordings are set "
            "aside on this computer, not sent.",
        ):
            self.act(self.service.start_over)

    # -- sending ---------------------------------------------------------------------------------
    def _ask_bundle_path(self, suggested: Path) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save your sealed answers", str(suggested), "OneTake bundles (*.onetake)"
        )
        if not path:
            return None
        out = Path(path)
        return out if out.suffix == ".onetake" else out.with_name(out.name + ".onetake")

    def do_send(self) -> None:
        suggested = Path.home() / self.service.default_bundle_name()
        out = self.choose_bundle_path(suggested)
        if out is None:
            return
        self.service.close_devices()
        self.sealing = True
        page = self.pages["send"]
        assert isinstance(page, SendPage)
        page.progress.setValue(0)
        self.sync()

        def progress(done: int, total: int) -> None:
            page.progress.setValue(int(100 * done / total) if total else 100)

        def finished(receipt: Any) -> None:
            self.sealing = False
            page.progress.setValue(100)
            self.act(lambda: self.service.mark_sent(receipt))

        def failed(error: BaseException) -> None:
            self.sealing = False
            self.sync()
            sentence = (
                str(error)
                if isinstance(error, OneTakeError)
                else (
                    f"The answers could not be sealed ({error}). Nothing was lost; "
                    "please try again."
                )
            )
            self.show_error(OneTakeError(sentence))

        run_task(lambda report: self.service.seal_bundle(out, report), finished, failed, progress)

    # -- closing ---------------------------------------------------------------------------------
    def in_progress(self) -> bool:
        return self.service.session.step not in ("welcome", "sent") and not self.service.resumable

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.sealing:
            self.show_error(OneTakeError("Please wait until your answers are sealed."))
            event.ignore()
            return
        if self.in_progress():
            text = (
                "Leave the interview now? Everything you have done so far is saved on this "
                "computer: open the same kit again to carry on where you left off."
            )
            if self.service.recording:
                text = "You are recording. " + text + " The answer so far is kept."
            if not self.confirm("Leave the interview?", text):
                event.ignore()
                return
        self.timer.stop()
        for page in self.pages.values():
            for player in page.findChildren(TakePlayer):
                player.stop()
        self.service.close()
        event.accept()
