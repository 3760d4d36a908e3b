"""The Questions part: the list (add, duplicate, remove, reorder by drag or Alt+Up/Down) and
the editor of the selected question with its rubric's five anchors side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.ui.author.fields import (
    Field,
    combo,
    line,
    paragraph,
    plain_label,
    seconds,
)

if TYPE_CHECKING:
    from onetake_desktop.ui.author.window import AuthorWindow

ANSWER_TYPE_LABELS = ("The interview's default", "Video", "Audio only", "Written")
ANSWER_TYPE_VALUES = ("", "video", "audio", "text")
LEVEL_HINTS = ("lowest", "", "meets the bar", "", "highest")
ANCHOR_HEIGHT = 170  # an anchor's box side by side; stacked, each line holds more words
ANCHOR_WIDE = 160  # the narrowest an anchor's box is side by side


class AnchorRows(QWidget):
    """The five anchors side by side where each gets ANCHOR_WIDE, else one under the other:
    five ~110 px boxes broke words mid-word ("acknowledg ed") and pushed the form sideways
    on a small screen (review s11)."""

    def __init__(self) -> None:
        super().__init__()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(8)
        self.parts: list[tuple[QWidget, QWidget, QWidget]] = []
        self.side_by_side: bool | None = None

    def add(self, heading: QWidget, edit: QWidget, note: QWidget) -> None:
        self.parts.append((heading, edit, note))
        self._arrange(side_by_side=False, force=True)

    def _arrange(self, *, side_by_side: bool, force: bool = False) -> None:
        if side_by_side == self.side_by_side and not force:
            return
        self.side_by_side = side_by_side
        grid = self.grid
        for widgets in self.parts:
            for widget in widgets:
                grid.removeWidget(widget)
        for column in range(len(self.parts)):
            grid.setColumnStretch(column, 0)
        for i, (heading, edit, note) in enumerate(self.parts):
            if side_by_side:
                grid.addWidget(heading, 0, i)
                grid.addWidget(edit, 1, i)
                grid.addWidget(note, 2, i, Qt.AlignmentFlag.AlignTop)
                grid.setColumnStretch(i, 1)
                edit.setMinimumHeight(ANCHOR_HEIGHT)
                edit.setMaximumHeight(ANCHOR_HEIGHT * 3 // 2)
            else:
                grid.addWidget(heading, 3 * i, 0)
                grid.addWidget(edit, 3 * i + 1, 0)
                grid.addWidget(note, 3 * i + 2, 0)
                edit.setMinimumHeight(ANCHOR_HEIGHT * 2 // 5)
                edit.setMaximumHeight(ANCHOR_HEIGHT * 2 // 3)
        if not side_by_side:
            grid.setColumnStretch(0, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        room = event.size().width() - 8 * (len(self.parts) - 1)
        self._arrange(side_by_side=room >= ANCHOR_WIDE * len(self.parts))
        super().resizeEvent(event)


class QuestionsPage(QWidget):
    def __init__(self, window: AuthorWindow) -> None:
        super().__init__()
        self.window_ = window
        self.list = QListWidget()
        self.list.setObjectName("QuestionList")
        self.list.setAccessibleName("Questions, in the order candidates see them")
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setWordWrap(True)
        self.list.setMinimumWidth(160)
        self.list.setMaximumWidth(230)
        self.list.model().rowsMoved.connect(self._dragged)
        self.list.currentRowChanged.connect(self._selected)
        self.list.installEventFilter(self)  # Alt+Up / Alt+Down move the selected question

        self.add_button = QPushButton("&Add")
        self.bank_button = QPushButton("From the &bank…")
        self.duplicate_button = QPushButton("D&uplicate")
        self.remove_button = QPushButton("&Remove")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.up_button.setToolTip("Move the question up (Alt+Up; or drag it)")
        self.down_button.setToolTip("Move the question down (Alt+Down; or drag it)")
        self.add_button.clicked.connect(lambda: window.add_question())
        self.bank_button.clicked.connect(window.add_from_bank)
        self.duplicate_button.clicked.connect(lambda: window.duplicate_question())
        self.remove_button.clicked.connect(lambda: window.remove_question())
        self.up_button.clicked.connect(lambda: self.move_by(-1))
        self.down_button.clicked.connect(lambda: self.move_by(1))
        buttons = QGridLayout()
        for i, b in enumerate(
            (
                self.add_button,
                self.bank_button,
                self.duplicate_button,
                self.remove_button,
                self.up_button,
                self.down_button,
            )
        ):
            buttons.addWidget(b, i // 2, i % 2)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addLayout(buttons)

        # The editor of the selected question; its fields' paths name "questions[{q}]".
        self.fields: list[Field] = []
        self.labels: dict[str, str] = {
            f"questions[{{q}}].rubric.{level}": f"Anchor {level}" for level in range(1, 6)
        }
        self.empty = plain_label(
            "No questions yet. Add one, or start from the question bank.", "Hint"
        )
        editor = QWidget()
        self.editor = editor
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.text = self._field(form, "Question", "questions[{q}].text", paragraph("", 70))
        self.context = self._field(
            form,
            "Why we ask",
            "questions[{q}].context",
            paragraph("Tell candidates what the question is for.", 50),
            optional=True,
        )
        self.answer_type = self._field(
            form,
            "Answer type",
            "questions[{q}].answer_type",
            combo(ANSWER_TYPE_LABELS),
            optional=True,
            choices=ANSWER_TYPE_VALUES,
        )
        self.think = self._field(
            form, "Time to think", "questions[{q}].think_seconds", seconds(0, 600)
        )
        self.min_answer = self._field(
            form,
            "Shortest answer",
            "questions[{q}].answer_min_seconds",
            seconds(0, 3600),
            default=0,
        )
        self.max_answer = self._field(
            form, "Longest answer", "questions[{q}].answer_max_seconds", seconds(5, 3600)
        )
        self.retakes = self._field(
            form,
            "Retakes allowed",
            "questions[{q}].retakes_allowed",
            seconds(0, 10, ""),
            default=0,
        )
        self.text_limit = self._field(
            form,
            "Written answer limit",
            "questions[{q}].text_max_chars",
            seconds(1, 20000, " characters"),
            default=3000,
        )
        self.question_id = self._field(form, "Question id", "questions[{q}].id", line("q1"))
        self.competency = self._field(
            form,
            "Competency scored",
            "questions[{q}].rubric.competency",
            line("e.g. Problem solving"),
        )
        anchors = AnchorRows()
        self.anchor_rows = anchors
        self.anchors: list[Field] = []
        for level in range(1, 6):
            hint = f" ({LEVEL_HINTS[level - 1]})" if LEVEL_HINTS[level - 1] else ""
            heading = plain_label(f"{level}{hint}", "AnchorHeading")
            edit = paragraph(f"What an answer at level {level} shows", ANCHOR_HEIGHT)
            edit.setAccessibleName(f"Anchor for level {level}")
            field = Field(f"questions[{{q}}].rubric.{level}", edit)
            field.on_change(window.edited)
            self.fields.append(field)
            self.anchors.append(field)
            anchors.add(heading, edit, field.note)
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addLayout(form)
        editor_layout.addWidget(
            plain_label(
                "Rubric anchors: what an answer at each level shows, in behaviour a reviewer "
                "can see or hear.",
                "Hint",
            )
        )
        editor_layout.addWidget(anchors)
        editor_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.addWidget(self.empty)
        holder_layout.addWidget(editor)
        scroll.setWidget(holder)
        self.list_note = plain_label("", "FieldNote")
        left.addWidget(self.list_note)

        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addWidget(scroll, 1)

    def _field(
        self,
        form: QFormLayout,
        label: str,
        template: str,
        widget: object,
        *,
        optional: bool = False,
        choices: tuple[str, ...] = (),
        default: object = None,
    ) -> Field:
        field = Field(template, widget, optional=optional, choices=choices, default=default)  # type: ignore[arg-type]
        field.on_change(self.window_.edited)
        if not field.widget.accessibleName():
            field.widget.setAccessibleName(label)  # the form's label is not its buddy
        self.labels[template] = label
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(field.widget)
        box.addWidget(field.note)
        form.addRow(label, box)
        self.fields.append(field)
        return field

    # --- the list --------------------------------------------------------------------------

    def current(self) -> int:
        return self.list.currentRow()

    def reload(self, select: int | None = None) -> None:
        """Rebuild the list from the draft; select ``select`` (or keep the selection)."""
        draft = self.window_.draft
        keep = self.current() if select is None else select
        count = draft.question_count()
        self.list.blockSignals(True)
        self.list.clear()
        for i in range(count):
            item = QListWidgetItem(self.title(i))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsDragEnabled)
            self.list.addItem(item)
        self.list.blockSignals(False)
        row = min(max(keep, 0), count - 1)
        self.list.setCurrentRow(row)
        self._selected(row)

    def title(self, i: int) -> str:
        draft = self.window_.draft
        text = str(draft.get(f"questions[{i}].text", "") or "").strip().replace("\n", " ")
        short = text if len(text) <= 60 else text[:57] + "…"
        return f"{i + 1}. {short or '(no text yet)'}"

    def retitle(self, flagged: set[int]) -> None:
        for i in range(self.list.count()):
            mark = "⚠ " if i in flagged else ""
            self.list.item(i).setText(mark + self.title(i))

    def _selected(self, row: int) -> None:
        has = row >= 0
        self.editor.setVisible(has)
        self.empty.setVisible(not has)
        for b in (self.duplicate_button, self.remove_button, self.up_button, self.down_button):
            b.setEnabled(has)
        if has:
            self.window_.show_question(row)

    def _dragged(
        self, _parent: QModelIndex, start: int, _end: int, _dest: QModelIndex, row: int
    ) -> None:
        target = row if row < start else row - 1
        # The list has moved its item already; the draft follows once the drop is over.
        QTimer.singleShot(0, lambda: self.window_.move_question(start, target))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.modifiers() & Qt.KeyboardModifier.AltModifier:
                step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}.get(Qt.Key(event.key()))
                if step is not None:
                    self.move_by(step)
                    return True
        return super().eventFilter(watched, event)

    def move_by(self, step: int) -> None:
        row = self.current()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        self.window_.move_question(row, target)
