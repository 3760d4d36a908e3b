"""The transcript beside the player (issue 16): words that follow playback, click to seek, pin
a note to a word, search every candidate of the interview, background progress with pause.

Thin: the words, the search and the run come from services.transcripts; this module only shows
them. A transcript is the candidate's words (outside text): it sits in a read-only
QPlainTextEdit and is highlighted with extra selections, never rendered as rich text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.ui.widgets.first_paint import after_first_paint
from onetake_desktop.ui.widgets.plain import plain_label, plain_tooltip
from onetake_desktop.ui.widgets.qt_numbers import (
    ItemDataRole,
    Orientation,
    ScrollBarPolicy,
    ShortcutContext,
    set_properties,
)

# Loaded when first needed, not with the window (issue 17): the service (the window's first
# frame asks no transcript), and Qt's classes for the highlight, the context menu and the note
# dialog (PySide6 makes each Python class, with its enums, on first use: 1-2 ms each).
TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path  # a name only (PySide6's import hook reads each module named)
    from typing import Any

    # The search's results list (and QListView's enums behind it) with the first search.
    from PySide6.QtWidgets import QListWidget, QListWidgetItem

    # Its two frozen dataclasses (~9 M instructions) load with the first position or words:
    # the window's first frame shows no transcript (issue 17).
    from onetake_desktop.domain.transcript import Word
    from onetake_desktop.services.transcripts import (
        BackgroundTranscription,
        RunReport,
        SearchHit,
        TranscriptService,
    )

    # The words' view (transcript_words.py: QPlainTextEdit's Python type and enums) with the
    # first answer that has some.
    from onetake_desktop.ui.reviewer.transcript_words import TranscriptWords

# By number, as the panel's other Qt enums before the first paint (ui/widgets/qt_numbers.py).
HIT_ROLE = ItemDataRole.UserRole + 1


class _Bridge(QObject):
    """Carries the background thread's callbacks to the GUI thread (queued signals), each
    with the run it comes from."""

    progress = Signal(object, int, int)
    finished = Signal(object, object, object)


class TranscriptPanel(QWidget):
    """Emits ``seek_requested(ms)``, ``pin_requested(ms)`` and ``jump_requested(answer_id, ms)``
    (a search result: the window opens that answer there)."""

    seek_requested = Signal(int)
    pin_requested = Signal(int)
    jump_requested = Signal(int, int)

    def __init__(
        self,
        service: TranscriptService | None = None,
        parent: QWidget | None = None,
        *,
        make_service: Callable[[], TranscriptService] | None = None,
    ) -> None:
        """``service``, or ``make_service`` that makes it when first needed (the reviewer
        window's first frame shows the panel without asking it anything: its import waits
        until then); one of the two."""
        if (service is None) == (make_service is None):
            raise TypeError("TranscriptPanel takes a service or make_service, one of the two.")
        super().__init__(parent)
        self.setObjectName("TranscriptPanel")
        self._service: TranscriptService | None = service
        self._make_service = make_service
        self.interview_pk: int | None = None
        self.answer_id: int | None = None
        self.written = False  # the answer shown was written, not recorded: nothing to transcribe
        self.words: tuple[Word, ...] = ()
        self.current: int | None = None
        self._run: BackgroundTranscription | None = None
        self.compact = False  # under the player in a small window: the status line hides

        self.status = plain_label("", object_name="Hint", wrap=True)
        # The words are shown in a text view made with the first answer that has some: hidden
        # until then, it is no part of the reviewer's first frame (issue 17).
        self._text: TranscriptWords | None = None
        self._text_minimum_height = 0
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search what candidates said…")
        self.search.setToolTip(
            plain_tooltip("Finds words and phrases in every candidate's answers to this interview")
        )
        self.search.setAccessibleName("Search transcripts")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.run_search)
        # The search's results (a list under the search line) are made with the first search:
        # hidden until then, they are no part of the reviewer's first frame (issue 17).
        self._results: QListWidget | None = None
        # A few lines tall, by the font the panel has as it is made (as when the list was made
        # with the panel: the same height).
        self._results_height = self.fontMetrics().height() * 6
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        # Not "Pause": it sits by the player, where Pause means playback.
        self.pause_button = QPushButton("Pause transcribing")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip(plain_tooltip("Pause transcribing in the background"))
        self.pause_button.toggled.connect(self._on_pause)
        self._show_progress_format()
        self.run_row = QWidget()
        row = QHBoxLayout(self.run_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress, 1)
        row.addWidget(self.pause_button)
        self.run_row.setVisible(False)

        # The search line; under the player (compact) the run's progress and Pause share it,
        # so a run never squeezes the words or the search out of a short window.
        self.top_row = QHBoxLayout()
        self.top_row.setContentsMargins(0, 0, 0, 0)
        self.top_row.setSpacing(6)
        self.top_row.addWidget(self.search, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self.top_row)
        # (the search's results go here, at 1, when first needed)
        layout.addWidget(self.status)
        # (the words go here, under the status line, when first needed)
        layout.addWidget(self.run_row)
        self._column = layout
        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self._on_progress)
        self._bridge.finished.connect(self._on_finished)
        self.show_answer(None)

    @property
    def service(self) -> TranscriptService:
        if self._service is None:
            assert self._make_service is not None
            self._service = self._make_service()
        return self._service

    @service.setter
    def service(self, service: TranscriptService) -> None:
        self._service = service

    # -- one answer -----------------------------------------------------------------------------

    def show_answer(
        self, answer_id: int | None, interview_pk: int | None = None, *, written: bool = False
    ) -> None:
        """``written``: the answer was typed, not recorded (walk s13 Low 4: it was promised a
        transcript that never comes)."""
        self.answer_id = answer_id
        self.written = written and answer_id is not None
        if interview_pk is not None:
            self.interview_pk = interview_pk
        self.current = None
        stored = self.service.transcript(answer_id) if answer_id is not None else None
        self.words = stored.transcript.words if stored is not None else ()
        if self.words or self._text is not None:
            self.text.set_words(self.words)
            self._fit_words()
        self._show_status()
        if answer_id is None:
            self.status.setText("Choose an answer to read what was said.")
        elif self.written and stored is None:
            self.status.setText("A written answer: there is nothing to transcribe.")
        elif stored is not None:
            self.status.setText(f"Transcript ({stored.transcript.model}, made here)")
            self.status.setToolTip(
                plain_tooltip("Click a word to play from there; right-click it to pin a note.")
            )
        else:
            reason = self.service.unavailable()
            self.status.setText(reason or "Not transcribed yet: it will appear here when done.")

    def reset(self) -> None:
        """No answer and no search (at a lock): the next panelist finds neither the last
        one's search words, nor its undo history, nor where they were."""
        self.search.setText("")  # setText drops the undo history; clear() is undoable
        if self._results is not None:
            self._results.clear()
            self._results.setVisible(False)
            self._fit_words()
        self.show_answer(None)

    def set_compact(self, on: bool) -> None:
        """Under the player in a small window (on) or beside it: compact puts the run's
        progress on the search line and hides the status line while words or a run show."""
        if on == self.compact:
            return
        self.compact = on
        (self._column if on else self.top_row).removeWidget(self.run_row)
        if on:
            self.top_row.addWidget(self.run_row, 2)
        else:
            self._column.addWidget(self.run_row)
        self._show_progress_format()
        self._show_status()

    def _fit_words(self) -> None:
        """The words shown when there are some, at least two whole lines tall; under the
        player in a window too short for both, a search's results take their place until
        the search is cleared (both squeezed, neither was readable, nor the search line)."""
        if self._text is None:
            return
        text = self._text
        text.ensurePolished()  # its style sheet's padding and font, measured below
        margins = text.contentsMargins()
        two_lines = (
            2 * text.fontMetrics().lineSpacing()
            + round(2 * text.document().documentMargin())
            + margins.top()
            + margins.bottom()
        )
        text.setMinimumHeight(max(self._text_minimum_height, two_lines))
        show = bool(self.words)
        if show and self.compact:
            # Under the player: the words only where two whole lines of them fit under the
            # search line (and its results): the notes opened under it in a short window
            # leave it the search line alone (walk s13 LOW-5), which a cut view covered.
            needed = self.search_line_height() + self.words_height()
            if self._results is not None and self._results.isVisible():
                needed += self._results.minimumHeight() + self._column.spacing()
            show = self.height() >= needed
        text.setVisible(show)

    def _show_progress_format(self) -> None:
        # Shorter on the search line (compact), where it and "Pause transcribing" share the
        # width with the search; its words whole either way.
        of = "/" if self.compact else " of "
        paused = self.pause_button.isChecked()
        self.progress.setFormat(f"{'Paused at' if paused else 'Transcribing'} %v{of}%m")
        self.progress.setMinimumWidth(
            self.fontMetrics().horizontalAdvance(f"Transcribing 000{of}000") + 16
        )

    def words_height(self) -> int:
        """What the words add under the search line when they show (two whole lines and a
        gap; 0 while the answer has none), whether they show now or not."""
        if not self.words or self._text is None:
            return 0
        return self._text.minimumHeight() + self._column.spacing()

    def search_line_height(self) -> int:
        """The search line's height, a run's progress and Pause on it or not."""
        return max(w.sizeHint().height() for w in (self.search, self.progress, self.pause_button))

    def _show_status(self) -> None:
        # Compact: the model's name goes to a tooltip under words; a run's progress says it.
        self.status.setVisible(not (self.compact and (self.words or self._run is not None)))

    def set_position(self, position_ms: int) -> None:
        """Highlight the word being spoken at ``position_ms`` (the player's position)."""
        from onetake_desktop.domain.transcript import word_at  # (see the TYPE_CHECKING imports)

        index = word_at(self.words, position_ms / 1000)
        if index == self.current:
            return
        self.current = index
        selections = []
        if index is not None:
            from PySide6.QtGui import QTextCharFormat, QTextCursor
            from PySide6.QtWidgets import QTextEdit

            start, end = self.text.span(index)
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("#ffd866"))
            fmt.setForeground(QColor("#1a1a1a"))
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
            self.text.setTextCursor(QTextCursor(cursor.block()))
            self.text.ensureCursorVisible()
        self.text.setExtraSelections(selections)

    def _on_word(self, index: int) -> None:
        self.seek_requested.emit(round(self.words[index].start * 1000))

    def _on_pin(self, index: int) -> None:
        self.pin_requested.emit(round(self.words[index].start * 1000))

    @property
    def text(self) -> TranscriptWords:
        """The answer's words, under the status line (hidden while there are none)."""
        if self._text is None:
            # (See the top: loads with the first answer that has words.)
            from onetake_desktop.ui.reviewer.transcript_words import TranscriptWords

            text = TranscriptWords()
            text.setVisible(False)
            self._column.insertWidget(self._column.indexOf(self.status) + 1, text, 3)
            text.setMinimumHeight(self._text_minimum_height)
            text.word_clicked.connect(self._on_word)
            text.pin_requested.connect(self._on_pin)
            # Tab: the search, its results, the words, Pause (as when made with the panel).
            previous = self._results if self._results is not None else self.search
            QWidget.setTabOrder(previous, text)
            self._text = text
        return self._text

    def set_text_minimum_height(self, height: int) -> None:
        """The words' least height (now, or when their view is made)."""
        self._text_minimum_height = height
        if self._text is not None:
            self._text.setMinimumHeight(height)

    # -- search ---------------------------------------------------------------------------------

    @property
    def results(self) -> QListWidget:
        """The search's results, under the search line (hidden until a search shows them)."""
        if self._results is None:
            from PySide6.QtWidgets import QListWidget  # with the first search (its enums)

            results = QListWidget()
            results.setVisible(False)
            self._column.insertWidget(1, results)  # top-down: in the panel before it is set up
            results.setAccessibleName("Transcript search results")
            results.itemActivated.connect(self._on_result)
            results.itemClicked.connect(self._on_result)
            # Results wrap instead of scrolling sideways, and stay a few lines tall.
            results.setWordWrap(True)
            set_properties(results, horizontalScrollBarPolicy=ScrollBarPolicy.ScrollBarAlwaysOff)
            results.setMaximumHeight(self._results_height)
            # At least two lines, not a list view's default (~5): under the player in a short
            # window the results share what the player leaves with the words.
            results.setMinimumHeight(self._results_height // 3 + 2 * results.frameWidth())
            QWidget.setTabOrder(self.search, results)  # Tab: search, its results, the words
            self._results = results
        return self._results

    def run_search(self) -> list[SearchHit]:
        from PySide6.QtWidgets import QListWidgetItem  # (see results)

        self.results.clear()
        text = self.search.text().strip()
        if not text:
            self.results.setVisible(False)
            self._fit_words()
            return []
        hits = self.service.search(text, interview_pk=self.interview_pk)
        for h in hits:
            minutes, seconds = divmod(int(h.seconds), 60)
            item = QListWidgetItem(
                f"{h.candidate}, answer {h.position} at {minutes}:{seconds:02d}: …{h.context}…"
            )
            item.setData(HIT_ROLE, (h.answer_id, round(h.seconds * 1000)))
            self.results.addItem(item)
        if not hits:
            done, total = self.service.progress()
            note = f" ({total - done} answers not transcribed yet)" if done < total else ""
            self.results.addItem(QListWidgetItem(f"No transcript holds {text!r}{note}."))
        self.results.setVisible(True)
        self._fit_words()
        return hits

    def _on_result(self, item: QListWidgetItem) -> None:
        data = item.data(HIT_ROLE)
        if data:
            answer_id, ms = data
            self.jump_requested.emit(int(answer_id), int(ms))

    # -- background run -------------------------------------------------------------------------

    def start_background(self, open_service: Callable[[], TranscriptService]) -> bool:
        """Transcribe what is pending on a worker (its own connection); False if nothing to
        do or the extra is missing (the status line says which)."""
        if self._run is not None or self.service.unavailable() is not None:
            return False
        if not self.service.pending():
            return False
        from onetake_desktop.services.transcripts import BackgroundTranscription

        bridge = self._bridge
        run = BackgroundTranscription(
            open_service,
            on_progress=lambda done, total: bridge.progress.emit(run, done, total),
            on_finished=lambda report, error: bridge.finished.emit(run, report, error),
        )
        self._run = run
        self.run_row.setVisible(True)
        self._show_status()
        run.start()
        return True

    def _on_progress(self, run: object, done: int, total: int) -> None:
        if run is not self._run:
            return  # a stopped run's late word (see _on_finished)
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        if self.answer_id is not None and not self.words:
            self.show_answer(self.answer_id, written=self.written)  # may be done now

    def _on_finished(self, run: object, report: RunReport | None, error: str | None) -> None:
        if run is not self._run:
            # Stopped (the window closed): its last word comes after, when the window's
            # library may be closed; there is nothing to show any more.
            return
        self._run = None
        self.run_row.setVisible(False)
        self.pause_button.setChecked(False)
        self._show_status()
        if error:
            self.status.setText(error)
            self.status.setVisible(True)
        elif self.answer_id is not None:
            self.show_answer(self.answer_id, written=self.written)

    def _on_pause(self, on: bool) -> None:
        if self._run is None:
            return
        if on:
            self._run.pause()
        else:
            self._run.resume()
        self._show_progress_format()
        self.pause_button.setText("Resume transcribing" if on else "Pause transcribing")

    @property
    def running(self) -> bool:
        return self._run is not None

    def stop_background(self) -> None:
        run, self._run = self._run, None
        if run is not None:
            run.stop()


# -- the reviewer window's transcript features ---------------------------------------------------

TRANSCRIPT_ONLY_MESSAGE = (
    "Transcript only: the picture and the sound are off, so you judge the words alone. "
    "Turn it off in View > Transcript only."
)


class TranscriptFeatures(QObject):
    """Wires a :class:`TranscriptPanel` into the reviewer window (kept as
    ``window.transcripts``): beside the player, following it, searching the interview,
    transcribing in the background after imports, and the "transcript only" blind mode."""

    def __init__(
        self,
        window: QMainWindow,
        service: TranscriptService | None = None,
        *,
        make_service: Callable[[], TranscriptService] | None = None,
    ) -> None:
        """``service`` or ``make_service``: see :class:`TranscriptPanel`."""
        super().__init__(window)
        self.window = window
        w: Any = window
        self.player = w.player
        self.panel = TranscriptPanel(service, make_service=make_service)
        self.panel.setMinimumWidth(220)
        # No fixed minimum height: the panel's layout states what its visible rows need (a
        # fixed three lines squeezed the search and the run's row while transcribing).
        # Two whole lines (with the view's frame and margins: two bare line heights showed one
        # line and a cut one).
        self.panel.set_text_minimum_height(self.panel.fontMetrics().lineSpacing() * 2 + 12)
        # The window's splitter around the player (ReviewerWindow.player_split).
        self.splitter: QSplitter = w.player_split
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        # Beside the player when both fit (the player's buttons need their width), under it
        # in a narrow window (1366x768 at 150 %, netbooks).
        w.answer_pane.installEventFilter(self)
        # The player's splitter is made side by side (ReviewerWindow): _fit turns it, and keeps
        # this in step (its orientation() is an enum of the Qt namespace, which reading would
        # build before the first paint: ui/widgets/qt_numbers.py).
        self._beside = True
        self._user_sized = False  # a divider the reviewer dragged stays where they put it
        # Runs start once the window is on screen (the library's fill while it is built asks
        # nothing) and never after it closes (it closes its library).
        self._shown = False
        self._closed = False
        self.splitter.splitterMoved.connect(lambda *_: setattr(self, "_user_sized", True))
        self.splitter.splitterMoved.connect(lambda *_: self._fit_words())

        self.player.position_changed.connect(self.panel.set_position)
        self.panel.seek_requested.connect(self._seek)
        self.panel.jump_requested.connect(self.jump)
        self.panel.pin_requested.connect(self.pin_at)
        w.answer_shown.connect(self._on_answer_shown)
        w.library_reloaded.connect(self.start_background)

        menu = self._view_menu()
        self.show_action = QAction("Show the &transcript", window)
        self.show_action.setCheckable(True)
        self.show_action.setChecked(True)
        set_properties(
            self.show_action,
            shortcut=QKeySequence("T"),
            shortcutContext=ShortcutContext.WindowShortcut,
        )
        self.show_action.toggled.connect(self.panel.setVisible)
        self.only_action = QAction("Transcript &only (no picture, no sound)", window)
        self.only_action.setCheckable(True)
        self.only_action.toggled.connect(self.set_transcript_only)
        for action in (self.show_action, self.only_action):
            window.addAction(action)
            menu.addAction(action)
        # Every time the window loads an answer's media, transcript-only mode may refuse it.
        self._load_media = w._load_media
        w._load_media = self._load_media_unless_blind
        window.installEventFilter(self)

    def _view_menu(self) -> QMenu:
        for action in self.window.menuBar().actions():
            menu = action.menu()  # typed QObject by PySide6: a menu bar's menus are QMenus
            if action.text().replace("&", "") == "View" and isinstance(menu, QMenu):
                return menu
        return self.window.menuBar().addMenu("&View")

    # -- following the window ---------------------------------------------------------------------

    def _on_answer_shown(self, answer_id: int) -> None:
        view = getattr(self.window, "view", None)
        pk = view.submission.interview_pk if view is not None else None
        if answer_id != self.panel.answer_id:
            written = (
                view is not None
                and view.answer.id == answer_id
                and view.answer.answer_type == "text"
            )
            self.panel.show_answer(answer_id, pk, written=written)
            if not self._beside and not self._user_sized:
                # Its words may have come (their view is made with the first answer that
                # has some): the height shared again with them.
                QTimer.singleShot(0, self._share_height)

    def _seek(self, position_ms: int) -> None:
        if not self.only_action.isChecked():
            self.player.seek(position_ms)
        self.panel.set_position(position_ms)

    def jump(self, answer_id: int, position_ms: int) -> None:
        """A search result: open that answer (any candidate of the interview) at the moment."""
        w: Any = self.window
        w.show_answer(answer_id)
        self._seek(position_ms)

    def pin_at(self, position_ms: int) -> None:
        """Pin a note to a word: asked for here, saved through the reviewer service (which
        decides whether this reviewer may)."""
        w: Any = self.window
        view = w.view
        if view is None:
            return
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(
            self.window, "Pin a note to this word", f"Note at {position_ms / 1000:.1f} s:"
        )
        if not ok or not text.strip():
            return
        actor = w.service.actor_for(w.current_reviewer_id)
        if w._guard(
            lambda: w.service.add_note(
                actor, answer_id=view.answer.id, position_ms=position_ms, text=text.strip()
            )
        ):
            w._after_change()

    # -- transcript only ----------------------------------------------------------------------

    def set_transcript_only(self, on: bool) -> None:
        if on and not self.show_action.isChecked():
            self.show_action.setChecked(True)
        view = getattr(self.window, "view", None)
        if view is not None:
            self._load_media_unless_blind(view)

    @property
    def transcript_only(self) -> bool:
        return self.only_action.isChecked()

    def _load_media_unless_blind(self, view: Any) -> None:
        if self.only_action.isChecked() and view.answer.answer_type != "text":
            self.player.show_message(TRANSCRIPT_ONLY_MESSAGE)  # stops and unloads the media
            return
        self._load_media(view)

    # -- background ---------------------------------------------------------------------------

    @property
    def service(self) -> TranscriptService:
        """The panel's (made on first use)."""
        return self.panel.service

    def first_start(self) -> bool:
        self._shown = True
        return self.start_background()

    def start_background(self) -> bool:
        if self._closed or not self._shown:
            return False
        root = self.service.library.root
        cache = self.service.cache

        def open_service() -> TranscriptService:
            from onetake_desktop.services.transcripts import TranscriptService
            from onetake_desktop.storage.library import open_library

            return TranscriptService(open_library(root), cache=cache, model=self.service.model)

        return self.panel.start_background(open_service)

    def refit(self) -> None:
        """The room under the player changed (the notes under it opened or folded): share
        the height again, unless the reviewer placed the divider."""
        self._fit()

    def _fit(self) -> None:
        controls = getattr(self.player, "controls", None)
        needed = controls.sizeHint().width() if controls is not None else 420
        # The picture keeps at least half the window's width (the reviewer window's promise).
        needed = max(needed, self.window.width() // 2 + 16)
        wide = self.splitter.width() >= needed + self.panel.minimumWidth() + 12
        if wide != self._beside:
            orientation = Orientation.Horizontal if wide else Orientation.Vertical
            set_properties(self.splitter, orientation=orientation)
            self._beside = wide
            self._user_sized = False
            # Under the player, every line counts (TranscriptPanel.set_compact).
            self.panel.set_compact(not wide)
            # Under the player, the transcript gives way first: its least height is its
            # search line (with a run's progress and Pause on it), so a short splitter
            # shrinks its words, never the player's buttons (a splitter too short for both
            # minimums squeezes the bigger one: the player, whose control row was cut in
            # half at 1366x768 x1.5). 0: its layout's own.
            self.panel.setMinimumHeight(0 if wide else self.panel.search_line_height())
        if self._user_sized:
            return
        if wide:
            total = self.splitter.width()
            player = max(total * 3 // 5, needed)
            self.splitter.setSizes([player, total - player])
        else:
            QTimer.singleShot(0, self._share_height)  # once the new layout has settled

    def _share_height(self) -> None:
        total = self.splitter.height() - self.splitter.handleWidth()
        # Its words count while squeezed out too (they hide where two lines do not fit).
        words = self.panel.search_line_height() + self.panel.words_height()
        panel = max(self.panel.minimumSizeHint().height(), words)
        # The player whole first (its control row and a small picture: the window keeps the
        # picture's least height small), then the panel's rows whole, then a share of the
        # rest; in a window too short for both, the transcript takes what is left.
        player = max(self.player.minimumSizeHint().height(), min(total * 3 // 5, total - panel))
        player = min(player, total)
        self.splitter.setSizes([player, max(0, total - player)])
        self._fit_words()

    def _fit_words(self) -> None:
        # Room for the words beside a search's results, or not (TranscriptPanel._fit_words),
        # once the splitter has its sizes (not from the panel's resizeEvent: a Python
        # override every resize of the window's first frame would go through).
        if self.panel.isVisible():
            QTimer.singleShot(0, self.panel._fit_words)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self._closed = True
            self.panel.stop_background()
        elif watched is getattr(self.window, "answer_pane", None) and (
            event.type() in (QEvent.Type.Resize, QEvent.Type.Show)
        ):
            QTimer.singleShot(0, self._fit)
        return False


def install_transcript_features(
    window: QMainWindow, cache: Path, painted: bool = False
) -> TranscriptFeatures:
    """Add transcripts to the reviewer window (kept as ``window.transcripts``), their models
    cached under ``cache`` (the context's ``paths.cache``). ``painted``: the window is on
    screen already (added after its first frame)."""
    library = window.service.library  # type: ignore[attr-defined]

    def make_service() -> TranscriptService:
        # services.transcripts (with the transcriber's and the store's modules) loads here:
        # the first frame shows the panel's search line and hint, and asks it nothing.
        from onetake_desktop.services.transcripts import TranscriptService

        return TranscriptService(library, cache=cache)

    features = TranscriptFeatures(window, make_service=make_service)
    window.transcripts = features  # type: ignore[attr-defined]
    # What earlier imports left to do: asked once the window is on screen (a query, and maybe
    # a worker), never if it closes first.
    if painted:
        QTimer.singleShot(0, features.first_start)
    else:
        after_first_paint(window, features.first_start)
    return features
