"""The notes pinned to moments of an answer (the rubric's, placed by the host).

Its own module: the reviewer window shows these notes under its player in its first frame,
and builds the rest of the rubric (ui/widgets/rubric.py, with the Qt classes only it names)
with its first answer (issue 17).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.ui.widgets.plain import plain_tooltip
from onetake_desktop.ui.widgets.qt_numbers import (
    ArrowType,
    ContextMenuPolicy,
    FocusPolicy,
    ItemDataRole,
    ShortcutContext,
    ToolButtonStyle,
    set_properties,
)

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:  # defined with the rest of the rubric
    from collections.abc import Sequence

    # (A note's list item, and its Python type and enums, come with the first note.)
    from PySide6.QtWidgets import QListWidgetItem

    from onetake_desktop.ui.widgets.rubric import PinnedNote


def _format_ms(ms: int) -> str:
    seconds = max(0, int(ms)) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


class PinnedNotes(QWidget):
    """The notes pinned to moments of an answer: a folding title, a line to write one, the
    button that pins it at the player's position, and the list (activate one to seek there).

    Its own widget, so a host can show it before the rest of the rubric is built (the reviewer
    window places it under its player, and builds the rubric with its first answer: issue 17).
    Signals: ``added(str)``, ``activated(int position_ms)``, ``deleted(int note_id)``,
    ``expanded(bool)`` (the list shown or folded, by the toggle or by ``set_expanded``)."""

    added = Signal(str)
    activated = Signal(int)
    deleted = Signal(int)
    expanded = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pin_text = QLineEdit()
        self.pin_text.setPlaceholderText("Note at the current moment…")
        self.pin_text.setAccessibleName("Note pinned to the current moment")
        self.pin_button = QPushButton("Pin at 0:00")
        self.pin_button.setToolTip("Add the note at the player's position (Enter)")
        self.pins = QListWidget()
        self.pins.setObjectName("PinnedNotes")
        self.pins.setAccessibleName("Notes pinned to moments; activate one to seek there")
        self.pins.setMinimumHeight(80)
        # Enum-typed properties by number: the reviewer's first frame shows these notes, and
        # naming Qt's enums would build its whole namespace first (ui/widgets/qt_numbers.py).
        set_properties(self.pins, contextMenuPolicy=ContextMenuPolicy.ActionsContextMenu)
        delete = QAction("Delete note", self.pins)
        set_properties(
            delete,
            shortcut=QKeySequence(QKeySequence.StandardKey.Delete),
            shortcutContext=ShortcutContext.WidgetShortcut,
        )
        delete.triggered.connect(self._delete_selected)
        self.pins.addAction(delete)

        pin_row = QHBoxLayout()
        pin_row.addWidget(self.pin_text, 1)
        pin_row.addWidget(self.pin_button)
        self._pin_row = pin_row
        self.compact = False  # the title on the note's line (set_compact)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.toggle = QToolButton()
        self.toggle.setObjectName("PinsToggle")
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        set_properties(
            self.toggle,
            toolButtonStyle=ToolButtonStyle.ToolButtonTextBesideIcon,
            arrowType=ArrowType.DownArrow,
        )
        self.toggle.setAutoRaise(True)
        set_properties(self.toggle, focusPolicy=FocusPolicy.TabFocus)
        self.toggle.toggled.connect(self.set_expanded)
        layout.addWidget(self.toggle)
        layout.addLayout(pin_row)
        layout.addWidget(self.pins, 1)
        self._update_title()

        self.pin_button.clicked.connect(self._pin)
        self.pin_text.returnPressed.connect(self._pin)
        self.pins.itemClicked.connect(self._activate)
        self.pins.itemActivated.connect(self._activate)

    def set_expanded(self, on: bool) -> None:
        """Fold the list of pinned notes away (the player's timeline still marks them)."""
        self.toggle.blockSignals(True)
        self.toggle.setChecked(on)
        self.toggle.blockSignals(False)
        set_properties(self.toggle, arrowType=ArrowType.DownArrow if on else ArrowType.RightArrow)
        self.pins.setVisible(on)
        self.expanded.emit(on)

    def set_compact(self, on: bool) -> None:
        """A short window (on): the folding title goes on the note's line, in short words
        (its own line took the height the transcript under the player needs)."""
        if on == self.compact:
            return
        self.compact = on
        # A short window: two rows at least (the list scrolls), so the player above keeps
        # its picture while a note is written (walk s13 LOW-5).
        rows = 2 * (self.pins.fontMetrics().lineSpacing() + 4) + 2 * self.pins.frameWidth()
        self.pins.setMinimumHeight(rows if on else 80)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        (self._pin_row if on else layout).removeWidget(self.toggle)
        if on:
            self._pin_row.insertWidget(0, self.toggle)
        else:
            layout.insertWidget(0, self.toggle)
        self._update_title()

    def _update_title(self) -> None:
        n = self.pins.count()
        count = "none yet" if n == 0 else ("1 note" if n == 1 else f"{n} notes")
        if self.compact:
            self.toggle.setText(f"Notes ({count})")
            self.toggle.setToolTip("Notes at moments: click one to jump there")
        else:
            self.toggle.setText(f"Notes at moments ({count}); click one to jump there")
            self.toggle.setToolTip("")

    def set_pinned(self, pinned: Sequence[PinnedNote]) -> None:
        self.pins.clear()
        if pinned:
            from PySide6.QtWidgets import QListWidgetItem  # (see the TYPE_CHECKING imports)
        for p in pinned:
            item = QListWidgetItem(f"{_format_ms(p.position_ms)}   {p.text}")
            item.setData(ItemDataRole.UserRole, p.position_ms)
            item.setData(ItemDataRole.UserRole + 1, p.id)
            item.setToolTip(plain_tooltip(f"Jump to {_format_ms(p.position_ms)}: {p.text}"))
            self.pins.addItem(item)
        self._update_title()

    def set_position(self, position_ms: int) -> None:
        self.pin_button.setText(f"Pin at {_format_ms(position_ms)}")

    def reset(self) -> None:
        """Empty the note line and its undo history (at a lock, or another answer): what one
        panelist typed must not reach the next, not even through Ctrl+Z."""
        self.pin_text.setText("")  # setText drops the undo history; clear() is undoable

    def _pin(self) -> None:
        text = self.pin_text.text().strip()
        if text:
            self.reset()
            self.added.emit(text)

    def _activate(self, item: QListWidgetItem) -> None:
        self.activated.emit(int(item.data(ItemDataRole.UserRole)))

    def _delete_selected(self) -> None:
        item = self.pins.currentItem()
        if item is not None:
            self.deleted.emit(int(item.data(ItemDataRole.UserRole + 1)))
