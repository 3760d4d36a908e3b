"""The rubric panel: anchored 1-5 levels, a note, and notes pinned to moments of the answer.

Self-contained (the reviewer window and the panel both embed it): it shows what it is given with
``show_answer`` and reports what the reviewer does through signals; it never touches storage.
Keys 1-5 choose a level while the window is active (text fields keep their digits).

Every anchor is readable in full wherever the panel is embedded: the levels wrap, and the
rubric and the note scroll together (``levels_area``), so a short window scrolls them instead of
cutting them after two lines. A short host asks for the one-line levels (``set_compact``): each
level is its score and its anchor's beginning on one line, and the whole anchor of the level
pointed at, focused or chosen shows in one box under them (``detail``), so the note and the
buttons under the rubric stay near. The pinned notes (``pins_box``) fold away behind their title.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.ui.widgets.pinned_notes import PinnedNotes
from onetake_desktop.ui.widgets.plain import plain_tooltip

if TYPE_CHECKING:  # only named: the kit reader loads with the first definition (issue 17)
    from onetake_desktop.domain.kit import Rubric

# Local style, so the widget looks the same wherever it is embedded.
STYLE = """
QLabel#SectionTitle { font-size: 13pt; font-weight: 600; }
QLabel#SectionTitle[compact="true"] { font-size: 11pt; }
QPushButton#ScoreButton { padding: 0; font-weight: 600; border-radius: 18px; }
QPushButton#ScoreButton:checked { background: #1f5fa8; color: #ffffff; border: 1px solid #1f5fa8; }
QLabel#Anchor { color: #3c4657; padding: 4px 8px; border-radius: 6px; font-size: 10pt; }
QLabel#Anchor[chosen="true"] { background: #e8f0fa; color: #1d2430; }
QLabel#AnchorDetail { color: #1d2430; background: #f4f6f9; border: 1px solid #d5dbe3;
    border-radius: 6px; padding: 4px 8px; font-size: 10pt; }
"""
NO_LEVEL = "Point at a score, or Tab to it, to read its whole description here."
NOTE_SAVE_DELAY_MS = 600  # a note saves this long after the last keystroke (and on leaving)


@dataclass(frozen=True)
class PinnedNote:
    id: int
    position_ms: int
    text: str


class _NoteEdit(QPlainTextEdit):
    left = Signal()

    def focusOutEvent(self, event):  # type: ignore[no-untyped-def]
        super().focusOutEvent(event)
        self.left.emit()


class _Anchor(QLabel):
    """A level's anchor: wrapped in full, or one line cut with "…" (``one_line``); ``text()``
    stays whole either way. A click on it chooses its level, as a click on its number."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__("")
        self.one_line = False

    def set_one_line(self, on: bool) -> None:
        self.one_line = on
        self.setWordWrap(not on)
        self.updateGeometry()
        self.update()

    def mouseReleaseEvent(self, event):  # type: ignore[no-untyped-def]
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()

    def paintEvent(self, event):  # type: ignore[no-untyped-def]
        if not self.one_line:
            super().paintEvent(event)
            return
        # The style sheet's box (the chosen level's background) is painted before this.
        rect = self.contentsRect()
        painter = QPainter(self)
        line = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        self.style().drawItemText(
            painter,
            rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            line,
            self.foregroundRole(),
        )
        painter.end()


class _Detail(QLabel):
    """The whole anchor of one level, under the one-line levels. As tall as the longest of
    the five at its width, so pointing from one level to another moves nothing below it."""

    def __init__(self) -> None:
        super().__init__("")
        self.setObjectName("AnchorDetail")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # the kit's words, literally
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.texts: list[str] = []

    def heightForWidth(self, width: int) -> int:
        margins = self.contentsMargins()
        inner = max(1, width - margins.left() - margins.right())
        flags = int(Qt.TextFlag.TextWordWrap)
        tallest = max(
            [
                self.fontMetrics().boundingRect(QRect(0, 0, inner, 100000), flags, t).height()
                for t in [*self.texts, self.text()]
            ]
        )
        # (+ a line's leading: QLabel lays its lines out a little looser than boundingRect.)
        return tallest + self.fontMetrics().leading() + 4 + margins.top() + margins.bottom()


class RubricPanel(QWidget):
    """Signals: ``score_chosen(int)``, ``note_changed(str)`` (debounced),
    ``pinned_note_added(str)`` (the window pins it at the player's position),
    ``pinned_note_activated(int position_ms)``, ``pinned_note_deleted(int note_id)``."""

    score_chosen = Signal(int)
    note_changed = Signal(str)
    pinned_note_added = Signal(str)
    pinned_note_activated = Signal(int)
    pinned_note_deleted = Signal(int)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        include_pins: bool = True,
        shortcuts: bool = True,
        scroll_levels: bool = True,
        pins: PinnedNotes | None = None,
    ) -> None:
        """``include_pins=False`` leaves ``pins_box`` (the notes at moments) for the host to
        place, e.g. under its player; ``pins``: the host's, already placed (made here if
        None); ``shortcuts=False`` for a second panel in one window; ``scroll_levels=False``
        when the host scrolls the whole panel (the levels then take their full height, so one
        scroll bar reaches everything)."""
        super().__init__(parent)
        self.setObjectName("RubricPanel")
        self.setStyleSheet(STYLE)
        self._loading = False
        self._read_only = False

        self.competency = QLabel("Rubric")
        self.competency.setObjectName("SectionTitle")
        self.competency.setWordWrap(True)
        self.competency.setTextFormat(Qt.TextFormat.PlainText)
        self.status = QLabel("")
        self.status.setObjectName("Hint")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[int, QPushButton] = {}
        self.anchors: dict[int, QLabel] = {}
        self._anchor_texts: dict[int, str] = {}
        self._compact = False
        self._pointed: int | None = None  # the level under the mouse
        self._focused: int | None = None  # the score button with the keyboard's focus
        levels = QWidget()
        levels.setObjectName("RubricLevels")
        grid = QGridLayout(levels)
        grid.setContentsMargins(0, 0, 4, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for row, score in enumerate(range(5, 0, -1)):  # 5 at the top, as rubrics are read
            button = QPushButton(str(score))
            button.setObjectName("ScoreButton")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click keeps Space for playback
            button.setFixedSize(40, 34)
            button.setAccessibleName(f"Score {score}")
            button.setToolTip(f"Score {score} (key {score})")
            anchor = _Anchor()
            anchor.setWordWrap(True)
            anchor.setObjectName("Anchor")
            anchor.setTextFormat(Qt.TextFormat.PlainText)  # anchors come from the kit's author
            anchor.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            anchor.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
            anchor.clicked.connect(lambda s=score: self.choose(s))
            button.installEventFilter(self)
            anchor.installEventFilter(self)
            self.group.addButton(button, score)
            self.buttons[score] = button
            self.anchors[score] = anchor
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(anchor, row, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        # The whole anchor of the level pointed at, focused or chosen (one-line levels only).
        self.detail = _Detail()
        self.detail.setVisible(False)
        grid.addWidget(self.detail, 5, 0, 1, 2)
        grid.setRowStretch(6, 1)
        # The levels scroll on their own: never cut, whatever height the host leaves them.
        self.levels_area = QScrollArea()
        self.levels_area.setObjectName("RubricLevelsArea")
        self.levels_area.setWidgetResizable(True)
        self.levels_area.setFrameShape(QFrame.Shape.NoFrame)
        self.levels_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.levels_area.setMinimumHeight(90)
        self.levels_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._levels = levels

        self.note = _NoteEdit()
        self.note.setPlaceholderText("Note on this answer (saved as you type)")
        self.note.setAccessibleName("Note on this answer")
        # Tab moves on (to the recommendation, Submit), as in every other form: a tab typed
        # here trapped the keyboard user and was saved as the note.
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(60)
        self.pins_box = pins if pins is not None else PinnedNotes()
        # The list and its parts by their names here too (tests, the window's menu).
        self.pin_text = self.pins_box.pin_text
        self.pin_button = self.pins_box.pin_button
        self.pins = self.pins_box.pins
        self.pins_toggle = self.pins_box.toggle

        card = QFrame()
        card.setObjectName("Card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(10, 10, 10, 10)
        inner.setSpacing(8)
        inner.addWidget(self.competency)
        inner.addWidget(levels, 1)
        inner.addWidget(self.status)
        self._card_layout = inner
        self._grid = grid

        # One scroll area for the rubric and its note (one nested inside another would cut
        # word-wrapped anchors); a host that scrolls its whole pane passes scroll_levels=False.
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 4 if scroll_levels else 0, 0)
        body_layout.setSpacing(8)
        body_layout.addWidget(card, 1)
        body_layout.addWidget(QLabel("Note"))
        body_layout.addWidget(self.note)
        self._body_layout = body_layout
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        if scroll_levels:
            self.levels_area.setWidget(body)
            layout.addWidget(self.levels_area, 1)
        else:
            self.levels_area.setVisible(False)
            layout.addWidget(body, 1)
        if include_pins and pins is None:
            layout.addWidget(self.pins_box)

        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._note_timer.timeout.connect(self._emit_note)
        self._last_note = ""

        self.group.idClicked.connect(self._on_clicked)
        self.note.textChanged.connect(self._on_note_typed)
        self.note.left.connect(self.flush_note)
        self.pins_box.added.connect(self.pinned_note_added)
        self.pins_box.activated.connect(self.pinned_note_activated)
        self.pins_box.deleted.connect(self.pinned_note_deleted)

        for score in range(1, 6) if shortcuts else ():
            action = QAction(f"Score {score}", self)
            action.setShortcut(QKeySequence(str(score)))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, s=score: self.choose(s))
            self.addAction(action)
        self.show_answer(None, None, "", [], read_only=True, status="")

    # -- what the window shows ----------------------------------------------------------------

    def show_answer(
        self,
        rubric: Rubric | None,
        score: int | None,
        note: str,
        pinned: Sequence[PinnedNote],
        *,
        read_only: bool = False,
        status: str = "",
    ) -> None:
        self._loading = True
        try:
            self._note_timer.stop()
            self._read_only = read_only
            if rubric is not None:
                self.competency.setText(rubric.competency)
                levels = {lv.score: lv.anchor for lv in rubric.levels}
            else:
                self.competency.setText("Score 1 to 5")
                levels = {}
            for s in range(1, 6):
                text = levels.get(s, "") or "—"
                self._anchor_texts[s] = text
                self.anchors[s].setText(text)
                self.buttons[s].setEnabled(not read_only)
                # The whole anchor wherever the level is cut to one line, and for screen
                # readers on the number itself. (Tooltips read rich text: escaped.)
                self.buttons[s].setAccessibleDescription(text)
                self.buttons[s].setToolTip(plain_tooltip(f"Score {s} (key {s})\n{text}"))
                self.anchors[s].setToolTip(plain_tooltip(text) if self._compact else "")
            # Sized for every text it can show (as it shows them), so none moves the note.
            self.detail.texts = [NO_LEVEL, *(self._detail_text(s) for s in range(1, 6))]
            self.detail.updateGeometry()
            self.group.setExclusive(False)
            for b in self.buttons.values():
                b.setChecked(False)
            self.group.setExclusive(True)
            if score is not None:
                self.buttons[score].setChecked(True)
            self._highlight(score)
            self._show_detail()
            self.note.setPlainText(note)
            self.note.setReadOnly(read_only)
            self._last_note = note
            self.set_pinned(pinned)
            self.status.setText(status)
        finally:
            self._loading = False

    def set_compact(self, on: bool) -> None:
        """One line per level and the whole anchor of one level in ``detail`` (a short
        host), or every anchor wrapped in full (the default)."""
        if on == self._compact:
            return
        self._compact = on
        for s, anchor in self.anchors.items():
            assert isinstance(anchor, _Anchor)
            anchor.set_one_line(on)
            anchor.setToolTip(plain_tooltip(self._anchor_texts.get(s, "")) if on else "")
            self.buttons[s].setFixedSize(40, 28 if on else 34)
        self.detail.setVisible(on)
        # Tighter gaps too: at 911x512 points they are what keeps Submit in sight.
        self._card_layout.setSpacing(4 if on else 8)
        self._card_layout.setContentsMargins(*(4 * [8 if on else 10]))
        self._grid.setVerticalSpacing(2 if on else 4)
        self._grid.setHorizontalSpacing(4 if on else 10)  # a few more words on each line
        self._body_layout.setSpacing(4 if on else 8)
        self.competency.setProperty("compact", on)
        self.competency.style().unpolish(self.competency)
        self.competency.style().polish(self.competency)
        self._show_detail()

    def compact(self) -> bool:
        return self._compact

    def detail_score(self) -> int | None:
        """The level whose whole anchor ``detail`` shows: the one pointed at, else the focused
        one, else the chosen one."""
        for s in (self._pointed, self._focused, self.score()):
            if s is not None:
                return s
        return None

    def _show_detail(self) -> None:
        if not self._compact:
            return
        s = self.detail_score()
        if s is None:
            self.detail.setText(NO_LEVEL)
        else:
            self.detail.setText(self._detail_text(s))

    def _detail_text(self, score: int) -> str:
        return f"{score} · {self._anchor_texts.get(score, '—')}"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (
            QEvent.Type.Enter,
            QEvent.Type.Leave,
            QEvent.Type.FocusIn,
            QEvent.Type.FocusOut,
        ):
            score = next(
                (s for s in range(1, 6) if watched in (self.buttons[s], self.anchors[s])), None
            )
            if kind == QEvent.Type.Enter:
                self._pointed = score
            elif kind == QEvent.Type.Leave:
                if self._pointed == score:
                    self._pointed = None
            elif kind == QEvent.Type.FocusIn:
                self._focused = score
            elif self._focused == score:
                self._focused = None
            self._show_detail()
        return super().eventFilter(watched, event)

    def set_pins_expanded(self, on: bool) -> None:
        """Fold the list of pinned notes away (the player's timeline still marks them)."""
        self.pins_box.set_expanded(on)

    def anchors_reachable(self) -> bool:
        """Whether every anchor's full text fits its label (the scroll area reaches them all):
        the layout check tests and the window's own checks rely on. One-line levels: the box
        that shows a level's whole anchor fits the longest one."""
        if self._compact:
            box = self.detail
            return box.isVisible() and box.height() >= box.heightForWidth(box.width())
        for label in self.anchors.values():
            if label.isVisible() and label.height() < label.heightForWidth(label.width()):
                return False
        return self._levels.height() >= self._levels.minimumSizeHint().height()

    def set_pinned(self, pinned: Sequence[PinnedNote]) -> None:
        self.pins_box.set_pinned(pinned)

    def set_position(self, position_ms: int) -> None:
        self.pins_box.set_position(position_ms)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def score(self) -> int | None:
        checked = self.group.checkedId()
        return checked if checked > 0 else None

    def note_text(self) -> str:
        return self.note.toPlainText()

    # -- reviewer actions ---------------------------------------------------------------------

    def choose(self, score: int) -> None:
        if self._read_only or not self.buttons[score].isEnabled():
            return
        self.buttons[score].setChecked(True)
        self._on_clicked(score)

    def _on_clicked(self, score: int) -> None:
        self._highlight(score)
        self._show_detail()
        if not self._loading:
            self.score_chosen.emit(score)

    def _highlight(self, score: int | None) -> None:
        for s, label in self.anchors.items():
            chosen = s == score
            was = bool(label.property("chosen"))
            label.setProperty("chosen", chosen)
            if chosen != was:
                # Restyled only when its look changes (the style sheet matches "true"): asking
                # for style() makes QStyle's Python type and enums, ~45 M instructions that
                # an empty reviewer window's first frame needs nowhere else (issue 17).
                label.style().unpolish(label)
                label.style().polish(label)

    def _on_note_typed(self) -> None:
        if not self._loading:
            self._note_timer.start()

    def flush_note(self) -> None:
        """Save a pending note now (leaving the answer, closing the window)."""
        self._note_timer.stop()
        self._emit_note()

    def _emit_note(self) -> None:
        text = self.note.toPlainText()
        if text != self._last_note and not self._read_only:
            self._last_note = text
            self.note_changed.emit(text)
