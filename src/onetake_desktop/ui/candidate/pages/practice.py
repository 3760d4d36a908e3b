"""The practice question: its own think time, then a recorded try that plays back at once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from onetake_desktop.ui.candidate.pages.base import Page
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
    label,
    set_button_text,
    set_primary,
)

if TYPE_CHECKING:
    from onetake_desktop.ui.candidate.window import CandidateWindow


BACK = "Back to devices"


class PracticePage(Page):
    # Where the row leaves too little room (Page.fit_actions); "Start the interview" and
    # "Record again" keep their words.
    short_words: ClassVar[dict[str, str]] = {BACK: "Back", "Record a practice try": "Record a try"}

    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        practice = self.service.kit.practice
        self.heading.addWidget(label("Practice question", "Title"))
        # The notes under the title; on a screen short for the text size they scroll in their
        # own box (set_short), so the question, the self-view and the buttons keep their room.
        self.notes = QWidget()
        notes = QVBoxLayout(self.notes)
        notes.setContentsMargins(0, 0, 0, 0)
        notes.setSpacing(4)
        notes.addWidget(
            label("Try as often as you like. Practice answers are never saved or sent.", "Subtitle")
        )
        self.heading.addWidget(self.notes)
        box, inner = card()
        self.card = box
        self.question = label(practice.text if practice else "", "Question")
        self.question.setAccessibleName("Practice question")
        inner.addWidget(self.question)
        self.context = self.kit_text(practice.context if practice else "", "Hint")
        inner.addWidget(self.context)
        # The question asks for its whole height; on a short screen it scrolls in its own box
        # and the self-view keeps its smallest size (review s11 #6).
        self.question_box = FittedScroll(box)
        self.layout_.addWidget(self.question_box)
        self.preview = Preview(400, 225)
        # The picture takes the height left under the question (and no more than 16:9 of the
        # width): at 1366x768 and 150 % the whole self-view, and the player's Pause row under
        # the take, stay on screen (review s11 #6).
        self.preview_box = Picture16x9(self.preview)
        self.player = TakePlayer("Ctrl+P")
        # Under the heading: read before the picture, never scrolled away (and, out of the
        # scrolling body, its wrapped lines do not make the body ask for more than it has).
        self.tries = label("", "Hint")
        notes.addWidget(self.tries)
        # One of the two shows (not a QStackedWidget: its size hint is its largest page's,
        # the player's with its Play row, which would make the self-view's page scroll).
        self.layout_.addWidget(self.preview_box, 1)
        self.layout_.addWidget(self.player, 1)
        self.player.hide()
        # The clock column sits outside the scrolling body: it is always on screen.
        self.clock = ClockRing()
        self.meter = LevelMeter()
        self.meter.setFixedWidth(150)
        self.side.addWidget(self.clock, 0, Qt.AlignmentFlag.AlignHCenter)
        self.side.addWidget(self.meter, 0, Qt.AlignmentFlag.AlignHCenter)
        self.side.addStretch(1)
        self.back_button = button(BACK, "Ctrl+B")
        self.record_button = button("Record a practice try", "Ctrl+R", "PrimaryButton")
        self.now_button = button(
            "Answer now", "Ctrl+Shift+R", tip="Skip the rest of the thinking time"
        )
        also_on(self.now_button, "Ctrl+Return")  # as every step forward (review s11 #14)
        self.stop_button = button("Stop", "Ctrl+E", "DangerButton", "Stop the practice answer")
        self.done_button = button("Start the interview", "Ctrl+Return", "PrimaryButton")
        self.saving = SavingNote("Saving your practice answer…")
        self.set_actions(
            self.record_button,
            self.now_button,
            self.stop_button,
            self.done_button,
            left=(self.back_button, self.saving),
        )
        self.record_button.clicked.connect(self._record)
        self.now_button.clicked.connect(lambda: self.w.act(self.service.practice_answer_now))
        self.stop_button.clicked.connect(lambda: self.w.act(self.service.stop_practice))
        self.done_button.clicked.connect(self._done)
        self.back_button.clicked.connect(lambda: self.w.act(self.service.back_to_devices))
        self._shown: Path | None = None
        self._focused: tuple[str, bool] | None = None  # the phase focus was last placed for
        self.short = False  # see set_short
        self._scrolled: tuple[str, Path | None] | None = None  # what the short body shows

    def set_short(self, short: bool) -> None:
        """On a screen short for the text size (1366x768 at 150 %, 175-200 % text) the title,
        the notes, the question, the self-view, the clock and the buttons did not fit one
        above the other. There the notes and the question scroll together in the body (one
        scroll bar, not a box for each), and the self-view sits under the clock at its
        smallest 16:9 size, in view whatever the body shows."""
        super().set_short(short)
        if short == self.short:
            return
        self.short = short
        card = self.card
        if short:
            self.heading.removeWidget(self.notes)
            self.layout_.insertWidget(0, self.notes)
            self.question_box.take_content()
            self.question_box.hide()
            self.layout_.insertWidget(1, card)
            self.layout_.removeWidget(self.preview_box)
            self.side.insertWidget(2, self.preview_box, 0, Qt.AlignmentFlag.AlignHCenter)
            self.layout_.addStretch(0)  # the height the player does not take: below it
        else:
            stretch = self.layout_.takeAt(self.layout_.count() - 1)
            del stretch
            self.side.removeWidget(self.preview_box)
            self.layout_.insertWidget(2, self.preview_box, 1)
            self.layout_.removeWidget(card)
            self.question_box.put_content(card)
            self.question_box.show()
            self.layout_.removeWidget(self.notes)
            self.heading.insertWidget(1, self.notes)
        self._scrolled = None

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
        phase = self.service.practice_phase
        busy = phase != "idle"
        set_button_text(
            self.record_button,
            "Record again" if self.service.last_practice else "Record a practice try",
        )
        # While the try is saved: Stop stays in place, disabled; nothing else acts on it.
        self.stop_button.setEnabled(phase == "recording")
        shown = {
            self.record_button: not busy,
            self.now_button: phase == "thinking",
            self.stop_button: phase in ("recording", "saving"),
            self.saving: phase == "saving",
            self.done_button: not busy,
            self.back_button: not busy,
        }
        # Hidden first, then shown: a row that held both sets for a moment asked for more
        # than the screen's width at large text, and the window grew past it for good.
        for widget, on in sorted(shown.items(), key=lambda item: item[1]):
            widget.setVisible(on)
        self.fit_actions()
        # One filled button (review s11 #28), and the first focus on it (#14): recording a
        # try until there is one, then starting the interview.
        tried = self.service.last_practice is not None
        set_primary(self.record_button, not tried)
        set_primary(self.done_button, tried)
        tries = self.service.session.state.practice_tries
        if phase == "thinking":
            self.tries.setText("Think about your answer. Recording starts when the time is up.")
        elif phase == "saving":
            self.tries.setText("Your practice answer plays back as soon as it is saved.")
        elif tries:
            self.tries.setText(
                f"Practice tries: {tries}. When you are happy with your sound and picture, "
                "start the interview."
            )
        else:
            self.tries.setText(
                "Press Record: you get the thinking time first, then answer and press Stop. "
                "It plays back straight away."
            )
        last = self.service.last_practice
        if phase == "idle" and last is not None and last != self._shown:
            self._shown = last
            self.preview_box.hide()
            self.player.show()
            self.player.load(last, self.service.session.state.audio_only, autoplay=True)
            if not self.short:  # (short: _scroll_to_what_counts) a notice above may cut it
                QTimer.singleShot(0, self, self.keep_in_view)
        elif busy:
            self.player.hide()
            self.preview_box.show()
        self.preview.set_recording(phase == "recording")
        if not self._live():  # words instead of a picture that will not come
            words = (
                "Self-view is off (you are still recorded)"
                if self.service.capture_specs[0] is not None
                else "Audio only: your answers have no picture"
            )
            if self.preview.text() != words:
                self.preview.setText(words)
        if phase == "recording":
            self.stop_button.setFocus()
        elif phase in ("idle", "thinking") and self._focused != (phase, tried):
            # Once per phase, after the player is shown (it would take the focus otherwise).
            if phase == "thinking":
                self.now_button.setFocus()
            else:
                (self.done_button if tried else self.record_button).setFocus()
        self._focused = (phase, tried)
        if self.short:
            self._scroll_to_what_counts(phase)
        self.refresh()

    def _scroll_to_what_counts(self, phase: str) -> None:
        """On a short screen the body scrolls: once per phase it shows the question (thinking,
        recording), the take that plays back, or the notes (idle, before a try)."""
        shown = (phase, self._shown)
        if shown == self._scrolled:
            return
        self._scrolled = shown
        # Once the body is laid out again: the phase has just shown and hidden some parts.
        QTimer.singleShot(0, self, lambda: self._scroll_body(phase))

    def _scroll_body(self, phase: str) -> None:
        # The parts' places and the scroll range for this phase's texts, now (a layout
        # request still queued would move the question after the scroll: its end was cut).
        layout = self.content.layout()
        assert layout is not None
        layout.activate()
        self.body_scroll.setWidgetResizable(True)  # (sizes the body to its parts again)
        bar = self.body_scroll.verticalScrollBar()
        if phase in ("thinking", "recording", "saving"):
            bar.setValue(self.card.y())
        elif self.player.isVisibleTo(self):
            self.body_scroll.ensureWidgetVisible(self.player, 0, 0)
        else:
            bar.setValue(0)

    def refresh(self) -> None:
        svc = self.service
        phase = svc.practice_phase
        if phase == "thinking":
            self.clock.set_time("think", svc.practice_think_remaining(), svc.practice_think_limit())
        elif phase == "recording":
            limit = svc.practice_limit()
            self.clock.set_time("answer", limit - svc.practice_elapsed(), limit)
        elif phase == "saving":  # the clock stays where the try ended
            self.clock.set_time("stopped", self.clock.remaining, self.clock.total)
        else:
            self.clock.set_time("idle", svc.practice_limit(), svc.practice_limit())
        rms, peak = svc.audio_level()
        self.meter.set_level(rms, peak)
        # Idle too: the working camera shows before a try ("Camera off" there read as a
        # camera that broke between the pages, walk s14 W7).
        if self._live():
            self.preview.show_frame(svc.preview_frame())

    def _live(self) -> bool:
        """The self-view shows the camera's picture (one is open and the candidate wants it)."""
        return self.w.self_view and self.service.capture_specs[0] is not None
