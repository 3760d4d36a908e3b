"""The answer player: video, audio with a waveform, or text, with speed and keyboard control.

Self-contained (the reviewer window and the panel both embed it): give it a file with
``load_media`` or text with ``show_text``; it owns its QMediaPlayer. Speeds go from 0.5x to 2x in
steps with pitch compensation on, so a voice at 2x still sounds like that person.

The timeline seeks where it is clicked and marks the notes pinned to moments
(``set_markers``). A seek while stopped (after the end) shows the frame at the new position.

Keyboard (actions on the window, listed in ``actions()`` for a menu): Space play/pause, K
play/pause, J/L back/forward 10 s, Left/Right 5 s, [ and ] slower/faster, N/P next/previous
answer (``next_requested``/``previous_requested``). Text fields keep their own keys.
All of it runs on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import (
    Q_ARG,
    QMetaObject,
    QPointF,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpacerItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.services.settings import SPEEDS  # the one list of speeds
from onetake_desktop.ui.widgets.qt_numbers import (
    AlignmentFlag,
    FocusPolicy,
    Orientation,
    ShortcutContext,
    TextFormat,
    set_properties,
)

# Qt Multimedia (and QtNetwork behind it, their enums, the backend) loads with the first
# media: a window that shows no answer yet does not pay for it before its first paint.
TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path  # a name only (PySide6's import hook reads each module named)

    from PySide6.QtCore import QRect, QUrl
    from PySide6.QtGui import (
        QImage,  # a video's frames, with the first of them
        QShowEvent,
    )
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink

    # A written answer's view (and QPlainTextEdit's Python type and enums) comes with the
    # first written answer (PlayerWidget.text).
    from PySide6.QtWidgets import QPlainTextEdit

SKIP_MS = 5_000
JUMP_MS = 10_000


# Qt's FFmpeg backend logs from its decoder and renderer threads ("No HW decoder found",
# "No RHI backend"). A Python message handler (the app's log, pytest-qt's capture) then runs on
# that thread and needs the GIL, which the GUI thread holds inside QMediaPlayer.stop() while it
# waits for that thread: the player hung in tests. Those categories are filtered in Qt, before
# any handler is called.
_MEDIA_THREAD_LOGS = "qt.multimedia.*=false\nqt.rhi.*=false"
_quieted = False


def _quiet_media_threads() -> None:
    global _quieted
    if not _quieted:
        from PySide6.QtCore import QLoggingCategory  # with the first media player (its enums)

        QLoggingCategory.setFilterRules(_MEDIA_THREAD_LOGS)
        _quieted = True


def stop_without_gil(media: QMediaPlayer) -> None:
    """``media.stop()`` without the GIL. Stopping joins Qt's audio renderer thread, which
    calls virtuals (connectNotify...) on our Python-made QAudioOutput and so waits for the
    GIL: called from Python, stop() held the GIL and hung (seen in tests, in gdb). Invoked
    through the meta-object, PySide releases the GIL for the call."""
    # With media, after the first paint: Qt's namespace costs its start-up (qt_numbers.py).
    from PySide6.QtCore import Qt

    QMetaObject.invokeMethod(media, "stop", Qt.ConnectionType.DirectConnection)


def set_source_without_gil(media: QMediaPlayer, url: QUrl) -> None:
    """``media.setSource(url)`` without the GIL (it stops the previous source, as above)."""
    from PySide6.QtCore import Qt, QUrl  # with the first media: QUrl makes five enum types

    QMetaObject.invokeMethod(
        media, "setSource", Qt.ConnectionType.DirectConnection, Q_ARG(QUrl, url)
    )


def format_ms(ms: int) -> str:
    seconds = max(0, int(ms)) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def format_speed(rate: float) -> str:
    return f"{rate:g}x"


class WaveformView(QWidget):
    """Peak levels as bars with a playhead; click or drag to seek."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.levels: list[float] = []
        self.duration_ms = 0
        self.position_ms = 0
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._cursor_set = False  # see showEvent
        self.setAccessibleName("Waveform of the answer; click to seek")

    def showEvent(self, event: QShowEvent) -> None:
        # The hand over it, set when it is first shown (before any pointer can be over it):
        # a cursor shape is a Qt namespace enum, with no property to set by number, and the
        # reviewer's first frame shows no waveform (issue 17; ui/widgets/qt_numbers.py).
        if not self._cursor_set:
            from PySide6.QtCore import Qt

            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self._cursor_set = True
        super().showEvent(event)

    def set_levels(self, levels: Sequence[float]) -> None:
        self.levels = list(levels)
        self.update()

    def set_position(self, position_ms: int, duration_ms: int) -> None:
        self.position_ms, self.duration_ms = position_ms, duration_ms
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        # Qt's painting classes only the hidden pages use (their enums) load when first
        # painted: an empty reviewer window's first frame shows none of them (issue 17).
        from PySide6.QtCore import QRectF, Qt
        from PySide6.QtGui import QPen

        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(12, 16, -12, -16)
        p.fillRect(self.rect(), QColor("#1d2430"))
        mid = r.center().y()
        p.setPen(QPen(QColor("#3c4657"), 1))
        p.drawLine(QPointF(r.left(), mid), QPointF(r.right(), mid))
        if self.levels:
            played = (
                r.left() + r.width() * self.position_ms / self.duration_ms
                if self.duration_ms
                else r.left()
            )
            n = len(self.levels)
            step = r.width() / n
            bar = max(1.0, step * 0.7)
            for i, level in enumerate(self.levels):
                x = r.left() + i * step
                h = max(1.5, level * r.height() / 2)
                colour = QColor("#7fb3ea") if x <= played else QColor("#56627a")
                p.fillRect(QRectF(x, mid - h, bar, 2 * h), colour)
            p.setPen(QPen(QColor("#ffffff"), 2))
            p.drawLine(QPointF(played, r.top() - 6), QPointF(played, r.bottom() + 6))
        else:
            p.setPen(QColor("#c9d2de"))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, "Audio answer")
        p.end()

    def _seek_to(self, x: float) -> None:
        from PySide6.QtCore import QRectF  # (see paintEvent)

        r = QRectF(self.rect()).adjusted(12, 0, -12, 0)
        if self.duration_ms and r.width() > 0:
            frac = min(1.0, max(0.0, (x - r.left()) / r.width()))
            self.seek_requested.emit(int(frac * self.duration_ms))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._seek_to(event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        from PySide6.QtCore import Qt  # (user input: after the first paint)

        if event.buttons() & Qt.MouseButton.LeftButton:
            self._seek_to(event.position().x())


class TimelineSlider(QSlider):
    """The answer's timeline: a click jumps there (not a page step), a drag scrubs, and notes
    pinned to moments are drawn on it as small marks."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        # By keyword, and the orientation by number: QSlider's positional overloads include
        # one taking Qt's Orientation, and choosing among them (or naming the enum) builds the
        # whole Qt namespace before the first paint (ui/widgets/qt_numbers.py).
        super().__init__(parent=parent)
        set_properties(self, orientation=Orientation.Horizontal)
        self.markers: list[int] = []
        self.setMinimumHeight(24)

    def set_markers(self, positions_ms: Sequence[int]) -> None:
        self.markers = sorted(int(p) for p in positions_ms)
        self.update()

    def _groove_and_handle(self) -> tuple[QRect, QRect]:
        # QStyle loads here, with the first click or mark: its Python type and enums cost
        # ~45 M instructions, and an empty reviewer window's first frame needs none (issue 17).
        from PySide6.QtWidgets import QStyle, QStyleOptionSlider

        option = QStyleOptionSlider()
        self.initStyleOption(option)
        slider = QStyle.ComplexControl.CC_Slider
        style = self.style()
        groove = style.subControlRect(slider, option, QStyle.SubControl.SC_SliderGroove, self)
        handle = style.subControlRect(slider, option, QStyle.SubControl.SC_SliderHandle, self)
        return groove, handle

    def _value_at(self, x: float) -> int:
        from PySide6.QtWidgets import QStyle  # (see _groove_and_handle)

        groove, handle = self._groove_and_handle()
        span = max(1, groove.width() - handle.width())
        offset = int(x) - groove.x() - handle.width() // 2
        return QStyle.sliderValueFromPosition(
            self.minimum(), self.maximum(), max(0, min(span, offset)), span
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        from PySide6.QtCore import Qt  # (user input: after the first paint)

        if event.button() == Qt.MouseButton.LeftButton and self.isEnabled() and self.maximum():
            value = self._value_at(event.position().x())
            self.setValue(value)
            self.seek_requested.emit(value)
        super().mousePressEvent(event)

    def x_of(self, position_ms: int) -> int:
        """Where a moment sits on the timeline (markers, tests)."""
        from PySide6.QtWidgets import QStyle  # (see _groove_and_handle)

        groove, handle = self._groove_and_handle()
        span = max(1, groove.width() - handle.width())
        pos = QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), position_ms, span)
        return groove.x() + handle.width() // 2 + pos

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.markers or self.maximum() <= 0:
            return
        from PySide6.QtCore import QRectF, Qt  # with the first mark (their enums)

        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#d97706"))
        for ms in self.markers:
            if 0 <= ms <= self.maximum():
                x = self.x_of(ms)
                p.drawRoundedRect(QRectF(x - 2, 1, 4, 7), 1.5, 1.5)
        p.end()


class VideoView(QWidget):
    """Paints the latest frame from its QVideoSink, letterboxed on a dark background.

    Painting frames ourselves (rather than QVideoWidget's native surface) renders the same
    everywhere: on screen, offscreen, in ``grab()`` screenshots and under Xvfb.

    Threads: Qt's FFmpeg backend emits ``videoFrameChanged`` on its renderer thread. A Python
    slot there needs the GIL, which the GUI thread holds while ``QMediaPlayer.stop()`` waits
    for that very thread: a deadlock seen in tests. So no Python runs on the renderer thread:
    the GUI thread pulls the latest frame on a short timer and emits ``frame_shown``.
    """

    frame_shown = Signal()
    POLL_MS = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sink: QVideoSink | None = None
        # The last frame shown, none until then (QImage's Python type and enums come with
        # the first frame: an empty reviewer window's first frame shows no video, issue 17).
        self.image: QImage | None = None
        self.frames = 0
        self._last: QVideoFrame | None = None
        self.setMinimumSize(240, 135)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Answer video")
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._pull)

    @property
    def sink(self) -> QVideoSink:
        """Where the media player renders; made with the media player (Qt Multimedia)."""
        if self._sink is None:
            from PySide6.QtMultimedia import QVideoSink

            self._sink = QVideoSink(self)
        return self._sink

    def start(self) -> None:
        """Pull frames (a source is loaded)."""
        self._poll.start()

    def stop(self) -> None:
        self._poll.stop()

    def _pull(self) -> None:
        frame = self.sink.videoFrame()
        if not frame.isValid() or (self._last is not None and frame == self._last):
            return
        self._last = frame
        self.image = frame.toImage()
        self.frames += 1
        self.update()
        self.frame_shown.emit()

    def clear(self) -> None:
        self.image = None
        self._last = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#10151d"))
        if self.image is not None and not self.image.isNull():
            from PySide6.QtCore import QRectF, Qt  # (see WaveformView.paintEvent)

            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - size.width()) // 2
            y = (self.height() - size.height()) // 2
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(QRectF(x, y, size.width(), size.height()), self.image)
        p.end()


class PlayerWidget(QWidget):
    """Plays one answer; emits ``position_changed(ms)``, ``rate_changed(float)``,
    ``next_requested`` and ``previous_requested``."""

    position_changed = Signal(int)
    rate_changed = Signal(float)
    next_requested = Signal()
    previous_requested = Signal()
    first_frame_shown = Signal()

    def __init__(self, parent: QWidget | None = None, *, shortcuts: bool = True) -> None:
        """``shortcuts=False`` for a second player in the same window (side-by-side compare),
        whose keys would otherwise clash with the first one's."""
        super().__init__(parent)
        self.setObjectName("Player")
        self._with_shortcuts = shortcuts
        self.kind: str = "none"
        self._rate = 1.0
        self._awaiting_frame = False
        self._pending_seek: int | None = None

        # The media player and its audio output are made on first use (``media``): Qt
        # Multimedia's backend and the sound server cost the window's first paint otherwise.
        self._media: QMediaPlayer | None = None
        self.audio: QAudioOutput | None = None
        self.video = VideoView()
        self.video.frame_shown.connect(self._on_frame)
        self.waveform = WaveformView()
        # A written answer's view (a text view: seven widgets with its scroll bars) is made
        # with the first written answer (``text``): until then a plain page stands for it in
        # the stack, with a text view's size hint (QAbstractScrollArea's, 256x192, whatever
        # the style), so the stack, and the window around it, measure the same (issue 17).
        self._text: QPlainTextEdit | None = None
        stand_in_page = QWidget()
        stand_in = QVBoxLayout(stand_in_page)
        stand_in.setContentsMargins(0, 0, 0, 0)
        expanding = QSizePolicy.Policy.Expanding
        stand_in.addItem(QSpacerItem(256, 192, expanding, expanding))
        stand_in_page.setSizePolicy(expanding, expanding)
        self._text_stand_in: QWidget | None = stand_in_page  # None once replaced (deleted)
        self.placeholder = QLabel("Choose an answer in the library to play it.")
        self.placeholder.setObjectName("Hint")
        # Enum-typed properties by number before the first paint (ui/widgets/qt_numbers.py).
        set_properties(self.placeholder, alignment=AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        # Plain: it may name a file or a Qt error.
        set_properties(self.placeholder, textFormat=TextFormat.PlainText)

        self.stack = QStackedWidget()
        for w in (self.placeholder, self.video, self.waveform, stand_in_page):
            self.stack.addWidget(w)

        self.play_button = QPushButton("Play")
        self.play_button.setObjectName("PrimaryButton")
        self.play_button.setToolTip("Play or pause (Space)")
        self.play_button.setFixedWidth(76)
        self.back_button = QPushButton("−5 s")
        self.back_button.setToolTip("Back 5 seconds (Left)")
        self.forward_button = QPushButton("+5 s")
        self.forward_button.setToolTip("Forward 5 seconds (Right)")
        self.slider = TimelineSlider()
        self.slider.setAccessibleName("Position in the answer; click to seek")
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setMinimumWidth(92)
        self.slower_button = QPushButton("−")
        self.slower_button.setToolTip("Slower ([)")
        self.slower_button.setAccessibleName("Slower")
        self.speed_label = QLabel("1x")
        self.speed_label.setObjectName("SpeedLabel")
        set_properties(self.speed_label, alignment=AlignmentFlag.AlignCenter)
        self.speed_label.setMinimumWidth(48)
        self.speed_label.setToolTip("Playback speed; pitch is preserved")
        self.faster_button = QPushButton("+")
        self.faster_button.setToolTip("Faster (])")
        self.faster_button.setAccessibleName("Faster")
        for b in (self.slower_button, self.faster_button):
            b.setFixedWidth(40)
        # Tab reaches the controls, but a click leaves the keyboard focus where it was, so
        # Space keeps meaning play/pause instead of pressing the last button clicked.
        for b in (
            self.play_button,
            self.back_button,
            self.forward_button,
            self.slower_button,
            self.faster_button,
        ):
            set_properties(b, focusPolicy=FocusPolicy.TabFocus)
        set_properties(self.slider, focusPolicy=FocusPolicy.TabFocus)
        set_properties(
            self.time_label, alignment=AlignmentFlag.AlignRight | AlignmentFlag.AlignVCenter
        )

        timeline = QHBoxLayout()
        timeline.addWidget(self.slider, 1)
        timeline.addWidget(self.time_label)
        controls = QHBoxLayout()
        controls.setSpacing(8)
        controls.addWidget(self.play_button)
        controls.addWidget(self.back_button)
        controls.addWidget(self.forward_button)
        controls.addStretch(1)
        controls.addWidget(self.slower_button)
        controls.addWidget(self.speed_label)
        controls.addWidget(self.faster_button)
        self.controls = QWidget()
        rows = QVBoxLayout(self.controls)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(6)
        rows.addLayout(timeline)
        rows.addLayout(controls)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.controls)

        self.play_button.clicked.connect(self.toggle)
        self.back_button.clicked.connect(lambda: self.skip(-SKIP_MS))
        self.forward_button.clicked.connect(lambda: self.skip(SKIP_MS))
        self.slower_button.clicked.connect(self.slower)
        self.faster_button.clicked.connect(self.faster)
        self.slider.sliderMoved.connect(self.seek)
        self.slider.seek_requested.connect(self.seek)
        self.waveform.seek_requested.connect(self.seek)
        self._actions = self._make_actions()
        self._set_enabled(False)

    @property
    def text(self) -> QPlainTextEdit:
        """The written answer's view (made with the first written answer, or when asked)."""
        if self._text is None:
            from PySide6.QtWidgets import QPlainTextEdit  # (see the TYPE_CHECKING imports)

            text = QPlainTextEdit()
            text.setReadOnly(True)
            text.setObjectName("AnswerText")
            text.setAccessibleName("Written answer")
            # In the stand-in's place: the stack's last page, as when made with the player.
            stand_in = self._text_stand_in
            assert stand_in is not None  # (there until the text view is made, once)
            at = self.stack.indexOf(stand_in)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            self._text_stand_in = None  # nothing keeps pointing at the deleted page
            self.stack.insertWidget(at, text)
            # Tab: right before the timeline, where it was when made with the player (its
            # first), after the last widget before it that Tab reaches (setTabOrder moves
            # nothing after one it cannot reach).
            from PySide6.QtCore import Qt  # with a written answer, after the first paint

            previous = self.slider.previousInFocusChain()
            while previous is not None and previous is not self.slider:
                if previous.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    QWidget.setTabOrder(previous, text)
                    break
                previous = previous.previousInFocusChain()
            self._text = text
        return self._text

    @property
    def media(self) -> QMediaPlayer:
        """The media player, made (with its audio output) the first time it is needed."""
        if self._media is None:
            # Its threads' log categories are filtered before the first of them exists.
            _quiet_media_threads()
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            self.audio = QAudioOutput(self)
            media = QMediaPlayer(self)
            media.setAudioOutput(self.audio)
            if hasattr(media, "setPitchCompensation"):  # Qt >= 6.10
                media.setPitchCompensation(True)
            media.setVideoOutput(self.video.sink)
            media.setPlaybackRate(self._rate)
            media.positionChanged.connect(self._on_position)
            media.durationChanged.connect(self._on_duration)
            media.mediaStatusChanged.connect(self._on_status)
            media.playbackStateChanged.connect(self._on_state)
            media.errorOccurred.connect(self._on_error)
            self._media = media
        return self._media

    # -- actions (keyboard) -------------------------------------------------------------------

    def _make_actions(self) -> list[QAction]:
        spec = [
            ("Play / pause", ("Space", "K"), self.toggle),
            ("Back 5 seconds", ("Left",), lambda: self.skip(-SKIP_MS)),
            ("Forward 5 seconds", ("Right",), lambda: self.skip(SKIP_MS)),
            ("Back 10 seconds", ("J",), lambda: self.skip(-JUMP_MS)),
            ("Forward 10 seconds", ("L",), lambda: self.skip(JUMP_MS)),
            ("Slower", ("[",), self.slower),
            ("Faster", ("]",), self.faster),
            ("Next answer", ("N",), self.next_requested.emit),
            ("Previous answer", ("P",), self.previous_requested.emit),
        ]
        actions = []
        for text, keys, slot in spec:
            action = QAction(text, self)
            if self._with_shortcuts:
                action.setShortcuts([QKeySequence(k) for k in keys])
            set_properties(action, shortcutContext=ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            actions.append(action)
        return actions

    def actions_for_menu(self) -> list[QAction]:
        return list(self._actions)

    # -- loading ------------------------------------------------------------------------------

    def load_media(self, path: Path, kind: str = "video") -> None:
        """Show a video (``kind="video"``) or an audio answer with its waveform."""
        stop_without_gil(self.media)
        self.kind = kind
        self.video.clear()
        self._pending_seek = None
        self.waveform.set_levels([])
        self.stack.setCurrentWidget(self.video if kind == "video" else self.waveform)
        self._awaiting_frame = kind == "video"
        from PySide6.QtCore import QUrl

        set_source_without_gil(self.media, QUrl.fromLocalFile(str(path)))
        if kind == "video":
            self.video.start()
        else:
            self.video.stop()
        self.media.setPlaybackRate(self._rate)
        self._set_enabled(True)
        self.controls.setVisible(True)
        if kind == "video":
            # Pausing decodes and shows the first frame instead of a black box.
            self.media.pause()

    def set_waveform(self, levels: Sequence[float]) -> None:
        self.waveform.set_levels(levels)

    def show_text(self, text: str) -> None:
        self.clear()
        self.kind = "text"
        self.text.setPlainText(text)
        self.stack.setCurrentWidget(self.text)
        self.controls.setVisible(False)  # nothing to play

    def show_message(self, text: str) -> None:
        self.clear()
        self.placeholder.setText(text)

    def clear(self) -> None:
        self.slider.set_markers([])
        self.video.stop()
        if self._media is not None:  # nothing loaded yet: nothing to stop
            from PySide6.QtCore import QUrl

            stop_without_gil(self._media)
            set_source_without_gil(self._media, QUrl())
        self.kind = "none"
        if self._text is not None:  # a written answer must not stay in a hidden view (lock)
            self._text.clear()
        self.placeholder.setText("Choose an answer in the library to play it.")
        self.stack.setCurrentWidget(self.placeholder)
        self._set_enabled(False)
        self.controls.setVisible(True)
        self.time_label.setText("0:00 / 0:00")
        self.slider.setValue(0)

    def _set_enabled(self, on: bool) -> None:
        for w in (self.play_button, self.back_button, self.forward_button, self.slider):
            w.setEnabled(on)
        self._loaded = on
        self._enable_speed()

    def _enable_speed(self) -> None:
        # Greyed with nothing loaded (they looked live with no answer), and at the ends.
        self.slower_button.setEnabled(self._loaded and self._rate > SPEEDS[0])
        self.faster_button.setEnabled(self._loaded and self._rate < SPEEDS[-1])

    # -- transport ----------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        media = self._media
        return media is not None and media.playbackState() == type(media).PlaybackState.PlayingState

    def position(self) -> int:
        return 0 if self._media is None else int(self._media.position())

    def duration(self) -> int:
        return 0 if self._media is None else int(self._media.duration())

    def play(self) -> None:
        if self.kind in ("video", "audio"):
            self.media.play()

    def pause(self) -> None:
        if self.kind in ("video", "audio"):
            self.media.pause()

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def seek(self, position_ms: int) -> None:
        if self.kind not in ("video", "audio"):
            return
        duration = self.duration()
        position_ms = max(0, int(position_ms))
        if duration <= 0 or not self._ready():  # still loading: seek once it is loaded
            self._pending_seek = position_ms
            return
        self.media.setPosition(min(position_ms, duration))
        if self.media.playbackState() == type(self.media).PlaybackState.StoppedState:
            # After the end the player is stopped and a new position alone paints nothing
            # (the label moved, the picture did not): pausing there decodes that frame.
            self.media.pause()

    def set_markers(self, positions_ms: Sequence[int]) -> None:
        """Mark notes pinned to moments on the timeline."""
        self.slider.set_markers(positions_ms)

    def _ready(self) -> bool:
        from PySide6.QtMultimedia import QMediaPlayer

        status = self.media.mediaStatus()
        return status in (
            QMediaPlayer.MediaStatus.LoadedMedia,
            QMediaPlayer.MediaStatus.BufferedMedia,
            QMediaPlayer.MediaStatus.BufferingMedia,
            QMediaPlayer.MediaStatus.EndOfMedia,
        )

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if self._pending_seek is not None and self._ready() and self.duration() > 0:
            target, self._pending_seek = self._pending_seek, None
            self.media.setPosition(min(target, self.duration()))

    def skip(self, delta_ms: int) -> None:
        self.seek(self.position() + delta_ms)

    # -- speed --------------------------------------------------------------------------------

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float, *, announce: bool = True) -> None:
        """Snap to the nearest step from 0.5x to 2x."""
        rate = min(SPEEDS, key=lambda s: abs(s - rate))
        changed = rate != self._rate
        self._rate = rate
        if self._media is not None:  # else the player starts at this rate when made
            self._media.setPlaybackRate(rate)
        self.speed_label.setText(format_speed(rate))
        self._enable_speed()
        if changed and announce:
            self.rate_changed.emit(rate)

    def faster(self) -> None:
        i = SPEEDS.index(self._rate)
        self.set_rate(SPEEDS[min(len(SPEEDS) - 1, i + 1)])

    def slower(self) -> None:
        i = SPEEDS.index(self._rate)
        self.set_rate(SPEEDS[max(0, i - 1)])

    # -- media callbacks ----------------------------------------------------------------------

    def _on_frame(self) -> None:
        if self._awaiting_frame:
            self._awaiting_frame = False
            self.first_frame_shown.emit()

    def _on_position(self, position: int) -> None:
        duration = self.duration()
        if not self.slider.isSliderDown():
            self.slider.setValue(int(position))
        self.time_label.setText(f"{format_ms(position)} / {format_ms(duration)}")
        self.waveform.set_position(int(position), duration)
        self.position_changed.emit(int(position))

    def _on_duration(self, duration: int) -> None:
        self.slider.setRange(0, int(duration))
        self._on_status(self.media.mediaStatus())
        self.time_label.setText(f"{format_ms(self.position())} / {format_ms(duration)}")

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        self.play_button.setText(
            "Pause" if state == QMediaPlayer.PlaybackState.PlayingState else "Play"
        )

    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if error != QMediaPlayer.Error.NoError:
            # Some backends (GStreamer's) name the file. Its library folder is named after the
            # bundle's hash, which joins a blind code to the candidate's file: the kind only.
            name = self.media.source().fileName()
            if (name and name in message) or "/" in message or "\\" in message:
                message = ""
            self.show_message(f"This answer cannot be played ({message or error.name}).")
