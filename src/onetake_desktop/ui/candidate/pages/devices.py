"""The device check: only devices that exist, found and opened off the GUI thread.

Looking for devices and opening them can take seconds (a camera that is slow to wake, a
sound server that answers late), so both run in the task pool while the page says what it is
doing. A problem is one sentence in the candidate's words, with the ways forward the kit allows
(audio only, written answers, the employer's contact with a prepared note).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.device_check import (
    ATTENTION,
    DeviceChoices,
    DeviceOpening,
    DeviceState,
)
from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.widgets import (
    LevelMeter,
    Picture16x9,
    Preview,
    button,
    card,
    label,
    set_primary,
)
from onetake_desktop.ui.tasks import Task, run_task
from onetake_desktop.ui.widgets.wheel import wheel_when_focused

if TYPE_CHECKING:
    from onetake_desktop.services.candidate import CaptureLike
    from onetake_desktop.ui.candidate.window import CandidateWindow

NO_CAMERA = "none"
# How long a closing window waits for its device searches and openings, all together (a camera
# slow to wake takes seconds; a driver that never answers must not keep the window open for ever).
SETTLE_SECONDS = 10.0


class DevicesPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.heading.addWidget(label("Check your camera and microphone", "Title"))
        self.heading.addWidget(
            label("Say a few words: the bar should move. Nothing is recorded here.", "Subtitle")
        )
        row = QHBoxLayout()
        row.setSpacing(18)
        self.preview = Preview(400, 225)
        # 400x225 when there is room, down to 192x108 (16:9) when not: fixed, it made the page
        # scroll sideways at large text on a small screen, the settings beside it cut off.
        self.preview_box = Picture16x9(self.preview, largest=(400, 225), preferred=(400, 225))
        self.preview_box.setMaximumWidth(400)
        left = QVBoxLayout()
        left.addWidget(self.preview_box, 1)
        left.addStretch(0)
        row.addLayout(left)
        side, side_l = card()
        self.status = label("", "Fact")
        self.status.setAccessibleName("Device status")
        side_l.addWidget(self.status)
        # What needs attention, and the ways forward, come first in the card: further down they
        # were below the fold at 1366x768 and 150 % (walk s14 W1).
        self.error = label("", "Error")
        self.error.setAccessibleName("Device problem")
        side_l.addWidget(self.error)
        self.error.hide()
        # Ways forward when a device fails (shown only when they apply).
        self.audio_button = button(
            "Answer with audio only", "Ctrl+Shift+A", tip="Go on without a camera"
        )
        self.written_button = button(
            "Write my answers instead", "Ctrl+Shift+W", tip="Answer every question in writing"
        )
        self.contact_button = button(
            "Contact the employer…", "Ctrl+Shift+E", tip="A note to send to the employer"
        )
        for b in (self.audio_button, self.written_button, self.contact_button):
            side_l.addWidget(b)
            b.hide()
        # The page scrolls: the wheel goes to it unless a device list was clicked into.
        self.camera = wheel_when_focused(QComboBox())
        self.camera.setAccessibleName("Camera")
        self.mic = wheel_when_focused(QComboBox())
        self.mic.setAccessibleName("Microphone")
        self.cam_label = QLabel("&Camera")
        self.cam_label.setBuddy(self.camera)
        mic_label = QLabel("&Microphone")
        mic_label.setBuddy(self.mic)
        side_l.addWidget(self.cam_label)
        side_l.addWidget(self.camera)
        side_l.addWidget(mic_label)
        side_l.addWidget(self.mic)
        self.meter = LevelMeter()
        side_l.addWidget(self.meter)
        self.self_view = QCheckBox("&Show me while I answer (self-view)")
        self.self_view.setChecked(True)
        self.self_view.setAccessibleName("Self-view")
        side_l.addWidget(self.self_view)
        self.beep = QCheckBox("&Beep 10 seconds before time runs out")
        self.beep.setAccessibleName("Beep 10 seconds before time runs out")
        self.beep.setChecked(self.w.prefs.beep)
        side_l.addWidget(self.beep)
        self.audio_note = label("", "Hint")
        side_l.addWidget(self.audio_note)
        self.disk = label("", "Hint")
        self.disk.setAccessibleName("Free disk space")
        side_l.addWidget(self.disk)
        self.bundle_size = label("", "Hint")
        self.bundle_size.setAccessibleName("Size of the file to send")
        side_l.addWidget(self.bundle_size)
        side_l.addStretch(1)
        row.addWidget(side, 1)
        self.layout_.addLayout(row)
        self.layout_.addStretch(1)
        self.retry_button = button("Try again", "Ctrl+T", tip="Open the chosen devices again")
        self.continue_button = button("Continue", "Ctrl+Return", "PrimaryButton")
        self.set_actions(self.continue_button, left=(self.retry_button,))
        self.searching = False
        self.opening = False
        self._choices: DeviceChoices | None = None
        # The problem last scrolled into view (the choice of audio only and the camera's
        # problem are the service's: confirm_devices enforces them).
        self._problem_shown = ""
        self._tasks: list[Task] = []  # searches and openings
        # Captures opened on the pool whose callback has not taken them yet, and whether the
        # window has closed (then an opening closes what it brings itself, on its thread).
        self._handover = threading.Lock()
        self._unclaimed: list[CaptureLike] = []
        self._settled = False
        self.camera.activated.connect(self._camera_chosen)
        self.mic.activated.connect(lambda _i: self.open_selected())
        self.retry_button.clicked.connect(self._retry)
        self.continue_button.clicked.connect(lambda: self.w.act(self.service.confirm_devices))
        self.self_view.toggled.connect(self._self_view)
        self.beep.toggled.connect(self.w.set_beep)
        self.audio_button.clicked.connect(self._audio_only)
        self.written_button.clicked.connect(self._written)
        self.contact_button.clicked.connect(self.w.show_contact_note)

    # -- finding devices (task pool) ------------------------------------------------------
    def _search(self) -> None:
        if self.searching:
            return
        self.searching = True
        self.status.setText("Looking for your camera and microphone…")
        self.preview.setText("Looking for your camera…")
        self._update_buttons()
        cam, mic = self.w.camera_default, self.w.mic_default
        self._started(
            run_task(
                lambda _p: self.service.device_choices(cam, mic), self._found, self._search_failed
            )
        )

    def _here(self) -> bool:
        """Still on the device check (a late answer from the pool must not touch devices)."""
        return not self.w.closing and self.service.session.step == "devices"

    def _found(self, choices: DeviceChoices) -> None:
        self.searching = False
        if not self._here():
            return
        self._choices = choices
        self.camera.clear()
        self.mic.clear()
        if self.service.wants_video:
            for spec, name in choices.cameras:
                self.camera.addItem(name, spec)
        self.camera.addItem("No camera: answer with audio only", NO_CAMERA)
        for spec, name in choices.microphones:
            self.mic.addItem(name, spec)
        self.camera.setVisible(self.service.wants_video)
        self.cam_label.setVisible(self.service.wants_video)
        if not choices.microphones:
            self._show_problem(self.service.no_microphone_sentence(), mic_failed=True)
            return
        self.open_selected()

    def _search_failed(self, error: BaseException) -> None:
        self.searching = False
        if not self._here():
            return
        self._show_problem(self.service.device_problem_sentence(error), mic_failed=True)

    def _camera_chosen(self, _index: int) -> None:
        self.service.choose_audio_only(self.camera.currentData() == NO_CAMERA)
        self.open_selected()

    def _retry(self) -> None:
        self.service.choose_audio_only(False)  # the candidate wants the camera to work
        choices = self._choices
        no_camera = choices is not None and self.service.wants_video and not choices.cameras
        if choices is None or not choices.microphones or no_camera:  # a camera plugged in since
            self._choices = None
            self._search()
        else:
            self.open_selected()

    # -- opening devices (task pool) ----------------------------------------------------------
    def open_selected(self) -> None:
        if self.opening or self.searching or not self._here():
            return
        data = self.camera.currentData()
        camera = None if data in (None, NO_CAMERA) else str(data)
        mic_data = self.mic.currentData()
        mic = None if mic_data is None else str(mic_data)
        if mic is None:
            self._show_problem(self.service.no_microphone_sentence(), mic_failed=True)
            return
        self._say("")
        self._hide_ways()
        self.opening = True
        self.preview.clear()
        self.preview.setText("Starting the camera…" if camera else "Camera off")
        self.status.setText(
            "Starting your camera and microphone…" if camera else "Starting your microphone…"
        )
        self._update_buttons()
        try:
            self.service.close_devices()  # the old capture closes before the new one opens
        except OneTakeError as error:
            self.w.show_error(error)
        self._started(
            run_task(
                lambda _p: self._hand_over(self.service.start_devices(camera, mic)),
                self._opened,
                self._open_failed,
            )
        )

    def _hand_over(self, opening: DeviceOpening) -> DeviceOpening:
        """Pool thread: the capture goes to the GUI thread's callback, unless the window has
        closed; then nobody would take it, and it is closed here."""
        capture = opening.capture
        if capture is None:
            return opening
        with self._handover:
            if not self._settled:
                self._unclaimed.append(capture)
                return opening
        capture.close()
        return opening

    def _started(self, task: Task) -> None:
        # Kept until the window closes, ended or not: an ended task's callback may still wait
        # for a turn of the event loop. A search and a few openings per interview at most.
        self._tasks.append(task)

    def settle(self) -> None:
        """The window closes: devices a late opening brings are closed now (its callback runs
        in the wait, sees the window closing and closes them), not after the window is gone.
        One deadline for all the work; an opening still running after it closes its capture
        itself when it ends (``_hand_over``), since no turn of the event loop may come."""
        deadline = time.monotonic() + SETTLE_SECONDS
        late = [t for t in self._tasks if not t.wait(max(0.0, deadline - time.monotonic()))]
        with self._handover:
            self._settled = True
            unclaimed, self._unclaimed = self._unclaimed, []
        for capture in unclaimed:  # opened just now: their callback did not run in the wait
            capture.close()
        self._tasks = []
        if late:
            import logging  # named here, not at import (see ui/tasks.log_failure)

            logging.getLogger(__name__).warning(
                "the device check was still at work when its window closed; what it opens "
                "is closed when it ends"
            )

    def _opened(self, opening: DeviceOpening) -> None:
        self.opening = False
        with self._handover:
            self._unclaimed = [c for c in self._unclaimed if c is not opening.capture]
        if not self._here():
            if opening.capture is not None:
                opening.capture.close()
            return
        try:
            self.service.use_devices(opening)
        except OneTakeError as error:
            self._show_problem(str(error), mic_failed=True)
            return
        if opening.capture is None:
            self._show_problem(opening.problem, mic_failed=True)
            return
        if opening.problem:  # the camera failed, the microphone works: audio only offered
            self.camera.setCurrentIndex(self.camera.findData(NO_CAMERA))
        if opening.camera is None:
            none_found = self.service.wants_video and not (self._choices and self._choices.cameras)
            self.preview.setText("No camera found" if none_found else "Camera off")
        self._notes()

    def _open_failed(self, error: BaseException) -> None:
        self.opening = False
        if not self._here():
            return
        self._show_problem(self.service.device_problem_sentence(error), mic_failed=True)

    def _show_problem(self, sentence: str, *, mic_failed: bool) -> None:
        self.status.setText(ATTENTION)
        self._say(sentence)
        ways = self.service.device_ways_forward(mic_failed=mic_failed)
        self.audio_button.setVisible("audio_only" in ways)
        self.written_button.setVisible("written" in ways)
        self.contact_button.setVisible("contact" in ways)
        if sentence != self._problem_shown:
            # Once per problem, after the layout has placed it: in view on a short screen.
            self._problem_shown = sentence
            focus = self.audio_button if self.audio_button.isVisibleTo(self) else None
            QTimer.singleShot(0, self, lambda: self._bring_into_view(focus))
        if mic_failed:
            self._notes()
        else:
            self._update_buttons()

    def _bring_into_view(self, focus: QWidget | None) -> None:
        if not self.error.text():
            return
        last = next(
            (
                b
                for b in (self.contact_button, self.written_button, self.audio_button)
                if b.isVisibleTo(self)
            ),
            self.error,
        )
        self.body_scroll.ensureWidgetVisible(last, 0, 8)
        self.body_scroll.ensureWidgetVisible(self.status, 0, 8)
        if focus is not None and focus.isVisible():
            focus.setFocus()

    def _say(self, sentence: str) -> None:
        """The problem's sentence; hidden when there is none (its empty line left a gap)."""
        self.error.setText(sentence)
        self.error.setVisible(bool(sentence))

    def _hide_ways(self) -> None:
        for b in (self.audio_button, self.written_button, self.contact_button):
            b.hide()

    def _audio_only(self) -> None:
        self.service.choose_audio_only()
        self.camera.setCurrentIndex(self.camera.findData(NO_CAMERA))
        if self.service.capture is not None and self.service.capture_specs[0] is None:
            self._hide_ways()
            self._say("")
            self._notes()
            return
        self.open_selected()

    def _written(self) -> None:
        self.w.act(self.service.choose_written_answers)

    # -- state --------------------------------------------------------------------------------
    def sync(self) -> None:
        if self.service.session.step != "devices":
            return
        if self._choices is None and not self.searching:
            self._search()
        self._notes()

    def _update_buttons(self) -> None:
        busy = self.searching or self.opening
        state = self._state()
        ready = state is not None and state.ready
        # Without a working camera a video interview goes on only once audio only is chosen:
        # Continue is neither enabled nor filled before (walk s14 W1).
        self.continue_button.setEnabled(not busy and ready)
        set_primary(self.continue_button, ready or state is None)
        set_primary(self.audio_button, not ready and self.audio_button.isVisibleTo(self))
        self.retry_button.setEnabled(not busy)
        self.camera.setEnabled(not busy and self.service.wants_video)
        self.mic.setEnabled(not busy)

    def _state(self) -> DeviceState | None:
        """The devices' state once the microphone is open (None before: busy or a problem)."""
        if self.searching or self.opening:
            return None
        return self.service.device_state(
            cameras_found=bool(self._choices and self._choices.cameras)
        )

    def _notes(self) -> None:
        state = self._state()
        if state is not None:
            self.status.setText(state.status)
            self.audio_note.setText(state.audio_note)
            if state.problem:
                self._show_problem(state.problem, mic_failed=False)
            else:
                self._say("")
                self._hide_ways()
                self._problem_shown = ""
        elif not self.service.wants_video:
            self.audio_note.setText(
                "This interview asks for spoken (audio) answers: no camera is used."
            )
        else:
            self.audio_note.setText("")
        self.audio_note.setVisible(bool(self.audio_note.text()))  # (an empty line left a gap)
        self._update_buttons()
        try:
            report = self.service.disk_report()
        except OneTakeError as error:
            self.disk.setText(str(error))
        else:
            self.disk.setText(("Disk space: " if report.ok else "") + report.sentence)
            self.disk.setObjectName("Hint" if report.ok else "Error")
            self.disk.style().unpolish(self.disk)
            self.disk.style().polish(self.disk)
        self.bundle_size.setText(self.service.bundle_size_sentence())
        self.bundle_size.setVisible(bool(self.bundle_size.text()))

    def _self_view(self, on: bool) -> None:
        self.w.self_view = on
        if not on:
            self.preview.clear()
            self.preview.setText("Self-view is off (you are still recorded)")

    def refresh(self) -> None:
        rms, peak = self.service.audio_level()
        self.meter.set_level(rms, peak)
        if self.w.self_view and self.service.capture_specs[0] is not None:
            self.preview.show_frame(self.service.preview_frame())
