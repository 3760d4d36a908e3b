"""Form fields bound to the draft's field paths, each with a note for its warnings and errors.

A field knows its path (``questions[{q}].think_seconds``: ``{q}`` is the question shown), how to
show a value and how to read one back; edits go to the window, which asks the draft to change.
Kit text is outside text: every label that shows it is plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit

from onetake_desktop.ui.widgets.measured_label import MeasuredLabel
from onetake_desktop.ui.widgets.qt_numbers import TextFormat
from onetake_desktop.ui.widgets.wheel import wheel_when_focused

if TYPE_CHECKING:
    # The editors of later tabs (paragraphs, seconds, time factors) are imported where they
    # are made or told apart: the first tab has none of them, and naming one makes PySide6
    # build its Python class (issue 17: ~7 M instructions before the first paint).
    from PySide6.QtWidgets import QDoubleSpinBox, QPlainTextEdit, QSpinBox

Editor: TypeAlias = "QLineEdit | QPlainTextEdit | QSpinBox | QDoubleSpinBox | QComboBox | QCheckBox"


def plain_label(text: str = "", name: str = "", *, wrap: bool = True) -> QLabel:
    label = MeasuredLabel(text)  # heights kept per width: laid out once each (issue 17)
    label.set_text_format(TextFormat.PlainText)  # by number: see ui/widgets/qt_numbers.py
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def note_label() -> QLabel:
    """Where a field's warnings (amber) and errors (red) appear, hidden when there are none."""
    note = plain_label("", "FieldNote")
    note.setAccessibleName("Advice for this field")
    note.hide()
    return note


def show_notes(note: QLabel, errors: list[str], advice: list[str]) -> None:
    lines = [f"✖ {m}" for m in errors] + [f"⚠ {m}" for m in advice]
    note.setText("\n".join(lines))
    # A widget's own style sheet is costly to set (issue 17: ~38 notes at every refresh, the
    # first before the window's first paint): set when the colour changes; a hidden note
    # keeps whichever it had.
    severity = "error" if errors else "advice"
    if lines and note.property("severity") != severity:
        note.setProperty("severity", severity)
        note.setStyleSheet(
            "color: #b42318; font-weight: 600;" if errors else "color: #8a5a00; font-weight: 600;"
        )
    note.setVisible(bool(lines))


class Field:
    """One widget bound to one path of the draft."""

    def __init__(
        self,
        template: str,
        widget: Editor,
        *,
        optional: bool = False,
        choices: tuple[str, ...] = (),
        default: Any = None,
    ) -> None:
        self.template = template
        self.default = default  # what the format assumes when the field is left out
        self.widget = widget
        self.optional = optional
        self.choices = choices  # for a combo box: the stored values, "" for "not set"
        self.note = note_label()
        self.widget.setProperty("fieldPath", template)

    def path(self, question: int) -> str:
        return self.template.format(q=question)

    def show(self, value: Any) -> None:
        w = self.widget
        value = self.default if value is None else value
        # The first tab's editors first, the later tabs' after their import (see Editor).
        if isinstance(w, QLineEdit):
            text = value if isinstance(value, str) else ""
            if w.text() != text:
                w.setText(text)
        elif isinstance(w, QCheckBox):
            w.setChecked(value is True)
        elif isinstance(w, QComboBox):
            key = value if isinstance(value, str) else ""
            w.setCurrentIndex(self.choices.index(key) if key in self.choices else 0)
        else:
            from PySide6.QtWidgets import QDoubleSpinBox, QPlainTextEdit

            if isinstance(w, QPlainTextEdit):
                text = value if isinstance(value, str) else ""
                if w.toPlainText() != text:
                    w.setPlainText(text)
            elif isinstance(w, QDoubleSpinBox):
                w.setValue(float(value) if isinstance(value, int | float) else w.minimum())
            else:
                w.setValue(value if isinstance(value, int) else w.minimum())

    def read(self) -> Any:
        """The value to store; None removes an optional field left empty."""
        w = self.widget
        value: Any
        if isinstance(w, QLineEdit):
            value = w.text()
        elif isinstance(w, QCheckBox):
            value = True if w.isChecked() else ("" if self.optional else False)
        elif isinstance(w, QComboBox):
            value = self.choices[w.currentIndex()]
        else:
            from PySide6.QtWidgets import QDoubleSpinBox, QPlainTextEdit

            if isinstance(w, QPlainTextEdit):
                value = w.toPlainText()
            elif isinstance(w, QDoubleSpinBox):
                value = round(w.value(), 2)
            else:
                value = w.value()
        if self.optional and value == "":
            return None
        return value

    def on_change(self, slot: Callable[[Field], None]) -> None:
        w = self.widget
        if isinstance(w, QLineEdit):
            w.textChanged.connect(lambda _t: slot(self))
        elif isinstance(w, QCheckBox):
            w.toggled.connect(lambda _on: slot(self))
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(lambda _i: slot(self))
        else:
            from PySide6.QtWidgets import QPlainTextEdit

            if isinstance(w, QPlainTextEdit):
                w.textChanged.connect(lambda: slot(self))
            else:  # QSpinBox or QDoubleSpinBox
                w.valueChanged.connect(lambda _v: slot(self))


def line(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    return edit


def paragraph(placeholder: str = "", height: int = 90) -> QPlainTextEdit:
    from PySide6.QtWidgets import QPlainTextEdit

    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)  # Tab moves on, as in every other field of the form
    edit.setMinimumHeight(height)
    edit.setMaximumHeight(height * 3 // 2)
    return edit


def seconds(low: int, high: int, suffix: str = " s") -> QSpinBox:
    from PySide6.QtWidgets import QSpinBox

    box = QSpinBox()
    box.setRange(low, high)
    box.setSuffix(suffix)
    box.setAccelerated(True)
    return wheel_when_focused(box)  # the form scrolls: see ui/widgets/wheel.py


def combo(labels: tuple[str, ...]) -> QComboBox:
    box = QComboBox()
    box.addItems(list(labels))
    return wheel_when_focused(box)
