"""One question at a time: ready, thinking and recording (one view), choosing a take, writing.

Each view has a scrolling part (question, context, preview or player), a clock column that does
not scroll, and its own row of actions at the bottom, so a long question never pushes the
clock or the Stop button off the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QEvent, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.ui.candidate.pages.base import Page, scrolling
from onetake_desktop.ui.candidate.saving import SavingNote
from onetake_desktop.ui.candidate.widgets import (
    ClockRing,
    FittedScroll,
    LevelMeter,
    Picture16x9,
    Preview,
    TakePlayer,
    also_on,
    button,
    card,
    duration_text,
    label,
    mmss,
    set_button_text,
)

if TYPE_CHECKING:
    from onetake_desktop.ui.candidate.window import CandidateWindow


class _View(QWidget):
    """A view of the question page; ``side`` (its column beside the body, if any) and
    ``buttons`` (its row of buttons) are kept for set_short, which moves words between them."""

    side: QVBoxLayout | None = None
    buttons: QHBoxLayout


def _view(
    body: list[QWidget | QLayout | tuple[QWidget | QLayout, int]],
    side: list[QWidget] | None,
    actions: list[QPushButton],
    left: list[QWidget] | None = None,
) -> _View:
    """A view: scrolling body, optional fixed side column, fixed actions row."""
    view = _View()
    outer = QVBoxLayout(view)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.setSpacing(8)
    content = QWidget()
    content_l = QVBoxLayout(content)
    content_l.setContentsMargins(0, 0, 6, 0)
    content_l.setSpacing(12)
    for item in body:
        if isinstance(item, QLayout):
            content_l.addLayout(item)
        elif isinstance(item, tuple):  # (part, stretch): it takes the height left over
            part, stretch = item
            if isinstance(part, QLayout):
                content_l.addLayout(part, stretch)
            else:
                content_l.addWidget(part, stretch)
        else:
            content_l.addWidget(item)
    # What no widget takes stays below the content (a stretch factor of 0: a widget given
    # one above takes the height first, and this takes it when that widget is hidden).
    content_l.addStretch(0)
    row = QHBoxLayout()
    row.setSpacing(18)
    row.addWidget(scrolling(content), 1)
    if side:
        col = QVBoxLayout()
        col.setSpacing(6)
        for w in side:
            col.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        col.addStretch(1)
        row.addLayout(col)
        view.side = col
    outer.addLayout(row, 1)
    actions_row = QHBoxLayout()
    actions_row.setSpacing(10)
    for b in left or []:
        actions_row.addWidget(b)
    actions_row.addStretch(1)
    for b in actions:
        actions_row.addWidget(b)
    outer.addLayout(actions_row)
    view.buttons = actions_row
    return view


class LimitedEditor(QPlainTextEdit):
    """The written answer's editor: typing, pasting, dropping or composing text stops at the
    kit's character limit (a text cut later, when the time runs out, lost the candidate's
    last words without a word, walk s14 W9). ``overflow`` tells how many pasted characters were
    left out. A draft restored by setPlainText is shown whole: the candidate shortens it."""

    overflow = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.limit = 0  # 0: no limit

    def room(self) -> int:
        """Characters that may still go in, in place of the selection."""
        if self.limit <= 0:
            return 1 << 30
        selected = len(self.textCursor().selectedText())
        return max(0, self.limit - len(self.toPlainText()) + selected)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Only Ctrl or Meta without Alt makes a shortcut: AltGr arrives as Ctrl+Alt on
        # Windows and as GroupSwitch on X11, Option as Alt on macOS, and each writes a
        # character (Polish ł, German @) that counts like any other (review s14b B3).
        mods = event.modifiers()
        command = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier
        shortcut = bool(mods & command) and not mods & Qt.KeyboardModifier.AltModifier
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        typed = 1 if enter else len(event.text()) if event.text().isprintable() else 0
        if typed and not shortcut and typed > self.room():
            event.accept()  # at the limit the key writes nothing (the counter says why)
            return
        super().keyPressEvent(event)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        commit = event.commitString()
        room = self.room()
        if len(commit) > room:
            cut = QInputMethodEvent(event.preeditString(), event.attributes())
            cut.setCommitString(commit[:room], event.replacementStart(), event.replacementLength())
            super().inputMethodEvent(cut)
            self.overflow.emit(len(commit) - room)
            return
        super().inputMethodEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:
        text = source.text() if source.hasText() else ""
        room = self.room()
        if len(text) <= room:
            super().insertFromMimeData(source)
            return
        self.textCursor().insertText(text[:room])
        self.ensureCursorVisible()
        self.overflow.emit(len(text) - room)


class QuestionPage(Page):
    # Where a view's row leaves too little room (Page.fit_actions): with a wider font at
    # 200 % text on a 910-px screen, Record again and Keep this take and continue left 64 px.
    short_words: ClassVar[dict[str, str]] = {
        "Back to review": "Back",
        "Keep this take and continue": "Keep this take",
        "Save my answer and continue": "Save my answer",
    }

    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        top = QHBoxLayout()
        self.title = label("", "Title", wrap=False)
        self.takes_pill = label("", "Pill", wrap=False)
        self.takes_pill.setAccessibleName("Takes")
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.takes_pill)
        self.heading.addLayout(top)
        # The views replace the page's own scrolling body and actions row.
        self.body_scroll.hide()
        self.views = QStackedWidget()
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.insertWidget(1, self.views, 1)
        self._build_ready()
        self._build_live()
        self._build_deciding()
        self._build_writing()
        self._shown_take: tuple[str, int] | None = None
        self._picked: dict[str, int] = {}  # the take each question's radio buttons show
        self._editing: str | None = None
        self.short = False  # see set_short
        self._fit_side()

    def _fit_side(self) -> None:
        """The words beside the clock get a column as wide as the text size asks (200 px at
        100 %): at 175-200 % in 200 px they ran to five lines, the column was taller than a
        600-px screen has, and the clock, those words and the action button were squeezed
        into each other."""
        width = round(200 * max(1.0, 0.9 * self.w.prefs.text_scale))
        for words in (self.phase_text, self.min_hint, self.write_hint):
            if words is self.min_hint and self.short:
                continue  # in the row of buttons (set_short)
            if words.width() != width or words.minimumWidth() != width:
                words.setFixedWidth(width)

    def set_short(self, short: bool) -> None:
        """On a screen short for the text size the words under the clock (what starts or
        stops the recording, three lines at 200 % text) made its column taller than the
        page had, and squeezed: there they go beside the Start and Stop buttons they are
        about, in the row of buttons."""
        super().set_short(short)
        if short == self.short:
            return
        self.short = short
        live, hint = self.live, self.min_hint
        for view in (self.ready, self.live, self.deciding, self.writing):
            view_layout = view.layout()
            assert view_layout is not None
            view_layout.setSpacing(4 if short else 8)
        assert live.side is not None
        if short:
            live.side.removeWidget(hint)
            hint.setMinimumWidth(0)
            hint.setMaximumWidth(16_777_215)  # QWIDGETSIZE_MAX: the row's free width
            hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            # After the saving note (left) and the row's stretch, before the buttons.
            live.buttons.insertWidget(live.buttons.count() - 2, hint, 8)
        else:
            live.buttons.removeWidget(hint)
            hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            live.side.insertWidget(3, hint, 0, Qt.AlignmentFlag.AlignHCenter)
            self._fit_side()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:  # the text size changed (Ctrl+plus)
            self._fit_side()

    def button_rows(self) -> list[QHBoxLayout]:
        return [view.buttons for view in (self.ready, self.live, self.deciding, self.writing)]

    # ready: the candidate opens the question when ready
    def _build_ready(self) -> None:
        box, inner = card()
        self.ready_text = label("", "Fact")
        inner.addWidget(self.ready_text)
        self.back_review_ready = button("Back to review", "Ctrl+B")
        self.show_button = button("Show the question", "Ctrl+Return", "PrimaryButton")
        self.ready = _view([box], None, [self.show_button], [self.back_review_ready])
        self.views.addWidget(self.ready)
        self.show_button.clicked.connect(lambda: self.w.act(self.service.show_question))
        self.back_review_ready.clicked.connect(lambda: self.w.act(self.service.cancel_redo))

    # thinking and recording share one view: the question stays on screen
    def _build_live(self) -> None:
        box, inner = card()
        self.question_text = label("", "Question")
        self.question_text.setAccessibleName("Question")
        self.context_text = self.kit_text("", "Hint")
        inner.addWidget(self.question_text)
        inner.addWidget(self.context_text)
        self.preview = Preview(400, 225)
        # Scales to the height under the question (review s11 #6): never past the page.
        self.preview_box = Picture16x9(self.preview)
        self.clock = ClockRing()
        self.phase_text = label("", "Subtitle")
        self.phase_text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.meter = LevelMeter()
        self.meter.setFixedWidth(180)
        self.min_hint = label("", "Hint")
        self.min_hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.start_button = button(
            "Start answering now", "Ctrl+R", "PrimaryButton", "Start recording your answer now"
        )
        # Ctrl+Return goes on at every step (review s11 #14); Ctrl+R records, as on practice.
        also_on(self.start_button, "Ctrl+Return")
        self.stop_button = button("Stop recording", "Ctrl+E", "DangerButton")
        # After Stop (or the time limit) until the recorder has finished the file.
        self.saving = SavingNote()
        self._saving_said = False
        # The question asks for its whole height; on a short screen it scrolls in its own
        # box and the self-view below keeps its smallest size (review s11 #6).
        self.live_question_box = FittedScroll(box)
        self.live = _view(
            [self.live_question_box, (self.preview_box, 1)],
            [self.clock, self.phase_text, self.meter, self.min_hint],
            [self.start_button, self.stop_button],
            [self.saving],
        )
        self.views.addWidget(self.live)
        self.start_button.clicked.connect(self._start_now)
        self.stop_button.clicked.connect(lambda: self.w.act(self.service.stop_answer))

    # deciding: play back, choose, keep or re-record
    def _build_deciding(self) -> None:
        self.player = TakePlayer("Ctrl+P")
        side, side_l = card()
        side_l.addWidget(label("Which take do you want to send?", "Subtitle"))
        self.take_box = QVBoxLayout()
        side_l.addLayout(self.take_box)
        self.take_group = QButtonGroup(self)
        self.take_group.idClicked.connect(self._take_chosen)
        self.warning = label("", "Error")
        self.warning.setAccessibleName("Warning about this take")
        side_l.addWidget(self.warning)
        self.retake_note = label("", "Hint")
        side_l.addWidget(self.retake_note)
        # A reminder of the question (shortened: the full text was on the previous screen).
        self.decide_question = label("", "Hint")
        self.decide_question.setAccessibleName("Question")
        side_l.addWidget(self.decide_question)
        self.keep_button = button(
            "Keep this take and continue", "Ctrl+Return", "PrimaryButton", "Keep the chosen take"
        )
        self.retake_button = button("Record again", "Ctrl+Shift+R", tip="Re-record this answer")
        row = QHBoxLayout()
        row.setSpacing(18)
        # The player takes the free height (its picture scales, its Play row stays in view).
        # At the top of its column: no taller than the scrolling part (Page.fit_players), it
        # is not centred beside taller words with its Play row below the fold.
        column = QVBoxLayout()
        column.addWidget(self.player, 1)
        column.addStretch(0)
        row.addLayout(column, 1)
        row.addWidget(side, 1, Qt.AlignmentFlag.AlignTop)
        self.deciding = _view([(row, 1)], None, [self.retake_button, self.keep_button])
        self.views.addWidget(self.deciding)
        self.keep_button.clicked.connect(self._keep)
        self.retake_button.clicked.connect(self._retake)

    def _build_writing(self) -> None:
        box, inner = card()
        self.write_question = label("", "Question")
        self.write_question.setAccessibleName("Question")
        self.write_context = self.kit_text("", "Hint")
        inner.addWidget(self.write_question)
        inner.addWidget(self.write_context)
        self.editor = LimitedEditor()
        self.editor.setAccessibleName("Your written answer")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(120)
        # One line (no word wrap): the view's parts then ask for the heights they need and
        # the page scrolls only when even their smallest do not fit.
        self.count = label("", "Hint", wrap=False)
        self.count.setAccessibleName("Characters")
        self.write_clock = ClockRing()
        self.write_hint = label("", "Hint")
        self.write_hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.save_text_button = button(
            "Save my answer and continue", "Ctrl+Return", "PrimaryButton"
        )
        self.back_review_write = button("Back to review", "Ctrl+B")
        # The question gets its whole height up to a cap, the editor the rest (review s11 #5);
        # a long question scrolls in its own box, so the editor is always in view.
        self.write_question_box = FittedScroll(box, tallest=220)
        self.writing = _view(
            [self.write_question_box, (self.editor, 1), self.count],
            [self.write_clock, self.write_hint],
            [self.save_text_button],
            [self.back_review_write],
        )
        self.views.addWidget(self.writing)
        self.editor.textChanged.connect(self._count)
        self.editor.overflow.connect(self._paste_cut)
        # Save the draft a second after typing pauses: a crash loses at most a second of words.
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(1000)
        self.draft_timer.timeout.connect(self._save_draft)
        self.editor.textChanged.connect(self.draft_timer.start)
        self.save_text_button.clicked.connect(self._save_text)
        self.back_review_write.clicked.connect(self._back_from_writing)

    # -- behaviour -------------------------------------------------------------------------------
    def _start_now(self) -> None:
        s = self.service.session
        if s.answer.phase != "thinking" or self.service.finishing:
            return  # a late press during the take (walk s14 W4): nothing to start
        if s.answer_type(s.question) == "text":
            self.w.act(self.service.start_writing)
        else:
            self.w.act(self.service.start_answer)

    def _save_draft(self) -> None:
        self.service.save_draft(self.editor.toPlainText())

    def before_tick(self) -> None:
        """The writing clock may end the answer on this tick: hand it every word first."""
        s = self.service.session
        writing = s.step == "questions" and s.answer.phase == "writing"
        if writing and self._editing == s.question.id and s.text_time_left(s.question) < 1.0:
            self._save_draft()

    def _take_chosen(self, number: int) -> None:
        qid = self.service.session.question.id
        self._picked[qid] = number
        path = self.service.take_path(qid, number)
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

    def _back_from_writing(self) -> None:
        self.draft_timer.stop()
        self._save_draft()
        self.w.act(self.service.cancel_redo)

    def _paste_cut(self, left_out: int) -> None:
        limit = self.editor.limit
        self.w.show_notice(
            f"Your answer can have up to {limit} characters, so the last {left_out} "
            f"character{'s' if left_out != 1 else ''} of what you pasted "
            f"{'were' if left_out != 1 else 'was'} left out."
        )

    def _count(self) -> None:
        limit = self.service.session.question.text_max_chars
        n = len(self.editor.toPlainText())
        over = n > limit
        if over:
            more = f": {n - limit} too many; please shorten your answer."
        elif n == limit:
            more = ": the limit is reached."
        else:
            more = ""
        self.count.setText(f"{n} of {limit} characters{more}")
        self.count.setObjectName("Error" if over else "Hint")
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)
        self.save_text_button.setEnabled(bool(self.editor.toPlainText().strip()) and not over)

    def sync(self) -> None:
        s = self.service.session
        if s.step != "questions":
            return
        q, a = s.question, s.answer
        kind = s.answer_type(q)
        total = len(s.kit.questions)
        self.title.setText(f"Question {s.state.current + 1} of {total}")
        self.takes_pill.setText(self.service.takes_pill())
        self.takes_pill.setAccessibleName(self.takes_pill.text())
        if not self.service.finishing:
            self._saving_said = False
        returning = s.state.returning_to_review
        self.back_review_ready.setVisible(returning)
        self.back_review_write.setVisible(returning)
        if a.phase == "ready":
            self.views.setCurrentWidget(self.ready)
            kept = self.service.kept_sentence_before_answering()
            self.ready_text.setText(self._ready_sentence() + "\n\n" + kept)
            self.show_button.setFocus()
        elif a.phase in ("thinking", "recording"):
            self.views.setCurrentWidget(self.live)
            self.question_text.setText(q.text)
            self.context_text.set_text(f"Why we ask: {q.context}" if q.context else "")
            thinking = a.phase == "thinking"
            self.start_button.setVisible(thinking)
            self.stop_button.setVisible(not thinking)
            set_button_text(
                self.start_button,
                "Start writing now" if kind == "text" else "Start answering now",
            )
            show_preview = self.w.self_view and kind == "video"
            self.preview_box.setVisible(show_preview)
            saving = self.service.finishing
            self.saving.setVisible(saving)
            self.preview.set_recording(a.phase == "recording" and not saving)
            self.meter.setVisible(kind != "text" and not saving)
            if saving:
                # Nothing acts on the take until it is saved and counted.
                self.stop_button.setEnabled(False)
                self.phase_text.setText("Recording stopped")
                self.min_hint.setText("Your answer is being saved; this takes a moment.")
                self.clock.set_warning(False)
                self.clock.set_time("stopped", self.clock.remaining, self.clock.total)
                if not self._saving_said:
                    self._saving_said = True
                    self.w._announce(self.saving, "Recording stopped. Saving your answer.")
            elif thinking:
                self.phase_text.setText("Not recording yet" if kind != "text" else "Thinking")
                self.min_hint.setText(
                    "The editor opens by itself when thinking time ends."
                    if kind == "text"
                    else "Recording starts by itself when thinking time ends."
                )
                self.start_button.setFocus()
            else:
                self.phase_text.setText("Recording your answer")
                self.stop_button.setFocus()
        elif a.phase == "deciding":
            self.views.setCurrentWidget(self.deciding)
            self.decide_question.setText(
                "The question: " + (q.text if len(q.text) <= 160 else q.text[:159] + "…")
            )
            self._fill_takes()
            left = s.takes_left(q)
            self.retake_button.setEnabled(left > 0)
            set_button_text(self.retake_button, f"Record again ({left} left)")
            self.retake_note.setText(
                "No retakes left: choose the take to send."
                if left == 0
                else "You can record again, then choose the take you like best."
            )
            self.warning.setText(self.service.take_warning)
            self.warning.setVisible(bool(self.service.take_warning))
        elif a.phase == "writing":
            self.views.setCurrentWidget(self.writing)
            self.write_question.setText(q.text)
            self.write_context.set_text(f"Why we ask: {q.context}" if q.context else "")
            if self._editing != q.id:  # one editor serves every written question
                self._editing = q.id
                self.editor.limit = q.text_max_chars
                self.editor.setPlainText(a.text)
                self.editor.moveCursor(QTextCursor.MoveOperation.End)
            self._count()
            self.editor.setFocus()
        self.refresh()

    def _ready_sentence(self) -> str:
        s = self.service.session
        q = s.question
        if s.answer_type(q) == "text":
            limit = s.text_limit(q)
            parts = ["This question asks for a written answer"]
            if s.think_limit(q) > 0 and s.answer.text_started_at is None:
                parts.append(f"; when you open it you have {mmss(s.think_limit(q))} to think")
            if limit != float("inf"):
                parts.append(
                    f". You have {mmss(s.text_time_left(q))} to write, up to "
                    f"{q.text_max_chars} characters; when the time is up, what you wrote is "
                    "saved as your answer."
                )
            else:
                parts.append(f", up to {q.text_max_chars} characters.")
            return "".join(parts)
        text = (
            f"When you open the question you have {mmss(s.think_limit(q))} to think. "
            f"Recording starts when you press Start answering now, or when thinking time "
            f"ends. Answers run from {duration_text(s.answer_min(q))} to "
            f"{mmss(s.answer_max(q))}. "
            f"You have {s.takes_left(q)} take{'s' if s.takes_left(q) != 1 else ''} left."
        )
        if s.answer_type(q) == "audio":
            text += " Your answer is recorded as sound only."
        return text

    def _fill_takes(self) -> None:
        s = self.service.session
        a = s.answer
        for b in self.take_group.buttons():
            self.take_group.removeButton(b)
            self.take_box.removeWidget(b)
            b.hide()
            b.deleteLater()
        newest = a.takes[-1]
        key = (a.question_id, newest.number)
        if key != self._shown_take:
            # A new take: the service's choice is selected (the new take, but after a crash
            # the complete take over a recovered fragment, walk s14 W2), and it plays at once.
            self._shown_take = key
            best = self.service.preselected_take(a.question_id) or newest.number
            self._picked[a.question_id] = best
            self.player.load(
                self.service.take_path(a.question_id, best), self._audio_only(), autoplay=True
            )
        picked = self._picked.get(a.question_id, a.chosen_take or newest.number)
        if not any(t.number == picked for t in a.takes):
            picked = newest.number
        for t in a.takes:
            rb = QRadioButton(self.service.take_label(s.question, t))
            rb.setAccessibleName(rb.text())
            self.take_group.addButton(rb, t.number)
            self.take_box.addWidget(rb)
            rb.setChecked(t.number == picked)
        self.keep_button.setFocus()

    def _focus_stop(self) -> None:
        """A disabled Stop cannot hold the focus, and hiding Start dropped it (walk s14 W3):
        once Stop is on, Space stops, unless the candidate has put the focus somewhere."""
        there = self.window().focusWidget()
        if there is None or there is self.start_button or not there.isVisible():
            self.stop_button.setFocus()

    def refresh(self) -> None:
        s = self.service.session
        if s.step != "questions":
            return
        q, a = s.question, s.answer
        if a.phase == "thinking":
            self.clock.set_time("think", s.think_remaining(), s.think_limit(q))
            self.w.countdown(self.clock, s.think_remaining(), "Thinking time")
        elif a.phase == "recording" and self.service.finishing:
            pass  # the clock stays where the answer ended while the take is saved
        elif a.phase == "recording":
            self.clock.set_time("answer", s.answer_remaining(), s.answer_max(q))
            self.w.countdown(self.clock, s.answer_remaining(), "Answer time")
            can = s.can_stop()
            opened = can and not self.stop_button.isEnabled()
            self.stop_button.setEnabled(can)
            if opened:
                self._focus_stop()
            wait = s.answer_min(q) - s.answer_elapsed()
            self.min_hint.setText(
                "Stop when you are done; recording ends by itself at the limit."
                if can
                else f"You can stop after {mmss(wait)} (minimum length)."
            )
            rms, peak = self.service.audio_level()
            self.meter.set_level(rms, peak)
        elif a.phase == "writing":
            limit = s.text_limit(q)
            if limit == float("inf"):
                self.write_clock.hide()
                self.write_hint.setText("Take the time you need.")
            else:
                left = s.text_time_left(q)
                self.write_clock.show()
                self.write_clock.set_time("write", left, limit)
                self.w.countdown(self.write_clock, left, "Writing time")
                over = len(self.editor.toPlainText()) > q.text_max_chars
                self.write_hint.setText(
                    f"When the time is up, only the first {q.text_max_chars} characters are "
                    "saved: please shorten your answer."
                    if over
                    else "When the time is up, what you have written is saved as your answer."
                )
        if a.phase in ("thinking", "recording") and self.preview.isVisible():
            self.preview.show_frame(self.service.preview_frame())
