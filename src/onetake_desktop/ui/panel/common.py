"""Pieces the panel windows share: the interview picker, a small window base class and the
framed error line of their dialogs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.panel import PanelService
from onetake_desktop.ui.widgets.qt_numbers import TextFormat, set_properties

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QDialog, QFormLayout, QPushButton

STYLE = """
QWidget#QuestionModeWindow, QWidget#SummaryWindow, QWidget#CompareWindow,
QWidget#DecisionsWindow { background: #f6f7f9; }
QLabel#PanelTitle { font-size: 15pt; font-weight: 600; }
QLabel#Flag { color: #b42318; font-weight: 600; }
QLabel#Locked { color: #4a5568; font-style: italic; }
QLabel#Banner { background: #fdecea; color: #8a1c12; border: 1px solid #f5c2bd;
                border-radius: 6px; padding: 8px 12px; }
QLabel#Notice { background: #e7f4ec; color: #1e5a36; border: 1px solid #b9dfc7;
                border-radius: 6px; padding: 8px 12px; }
QLabel#CandidateLabel { font-size: 13pt; font-weight: 600; color: #1f5fa8; }
"""


def narrow_combo(combo: QComboBox, letters: int = 14) -> QComboBox:
    """A combo box that asks for ``letters`` of width, not its longest item's: a long role or
    candidate name cannot widen a window past a small screen (the list still shows it whole,
    the closed box cuts it)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(letters)
    return combo


class InterviewPicker(QWidget):
    """A labelled combo box of the library's interviews that have candidates."""

    changed = Signal(int)

    def __init__(self, service: PanelService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = narrow_combo(QComboBox())
        self.combo.setAccessibleName("Interview")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Interview"))
        layout.addWidget(self.combo, 1)
        for interview in service.interviews():
            title = interview.role_title or interview.interview_id
            self.combo.addItem(f"{title} (v{interview.version})", interview.id)
        self.combo.currentIndexChanged.connect(lambda _: self.changed.emit(self.interview_pk()))

    def interview_pk(self) -> int:
        data = self.combo.currentData()
        return int(data) if data is not None else 0


def plain_text_labels(root: QWidget) -> None:
    """Every label under ``root`` shows plain text: names, emails, answers and reasons come
    from outside (bundles, people) and must never render as rich text."""
    for label in root.findChildren(QLabel):
        # By number: the lock screen's labels are made before a locked window's first paint
        # (ui/widgets/qt_numbers.py).
        set_properties(label, textFormat=TextFormat.PlainText)


class PanelWindow(QWidget):
    """A top-level window of the panel, owned by the reviewer window (closes with it, and when
    the panel locks, so nobody sees the previous panelist's view)."""

    def __init__(self, parent: QWidget, title: str) -> None:
        from PySide6.QtCore import Qt  # opened from a menu, after the first paint

        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(f"{title} — OneTake panel")
        self.setStyleSheet(STYLE)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Errors show inline (one sentence), never as a modal box that blocks the panel.
        self.message = QLabel("")
        self.message.setObjectName("Banner")
        self.message.setWordWrap(True)
        self.message.hide()

    def showEvent(self, event: QShowEvent) -> None:
        plain_text_labels(self)
        super().showEvent(event)

    def fail(self, error: OneTakeError) -> None:
        self._say(str(error), "Banner")

    def inform(self, text: str) -> None:
        self._say(text, "Notice")

    def _say(self, text: str, kind: str) -> None:
        self.message.setObjectName(kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()

    def clear_message(self) -> None:
        self.message.hide()


class FlagLabel(QLabel):
    """The framed error box, there only while it has something to say (an empty frame looks
    like a broken field)."""

    def __init__(self) -> None:
        super().__init__("")
        self.setObjectName("Flag")
        self.setWordWrap(True)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


def passphrase_dialog_body(
    dialog: QDialog,
    form: QFormLayout,
    below: tuple[QWidget, ...],
    ok_text: str,
    on_ok: Callable[[], None],
) -> QPushButton:
    """Lay a passphrase dialog out: its form, then ``below`` (a hint, the error line), then
    OK (reading ``ok_text``, running ``on_ok``) and Cancel (closing it). Returns OK."""
    from PySide6.QtWidgets import QDialogButtonBox, QVBoxLayout  # with the first dialog

    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    for widget in below:
        layout.addWidget(widget)
    layout.addWidget(buttons)
    return ok
