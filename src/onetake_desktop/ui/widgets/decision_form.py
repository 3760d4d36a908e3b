"""The decision form: Advance / Hold / Decline, a reason, a feedback note and one button.

One widget for the panel's Decisions window and the reviewer's Shortlist. It decides nothing:
who may record a decision is the scoring policy's (the windows pass its refusal in), and the
windows record through their service. The candidate's name and the texts shown beside it come
from bundles, so every label is plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.panel import DECISIONS, Decision
from onetake_desktop.services.panel import DECISION_LABELS
from onetake_desktop.ui.widgets.plain import ElidedLabel, plain_label, plain_tooltip

DECISION_WORDS = DECISION_LABELS  # one spelling of the decisions for every window
STYLE = """
QLabel#DecisionCandidate { font-size: 13pt; font-weight: 600; }
QLabel#Refusal { color: #8a1c1c; }
"""


class DecisionForm(QWidget):
    """``columns=1``: a side pane, top to bottom (the panel's Decisions window); ``columns=2``:
    two short columns under a table (the Shortlist, which keeps the table the whole width)."""

    record_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, columns: int = 1) -> None:
        super().__init__(parent)
        self.setObjectName("DecisionForm")
        self.setStyleSheet(STYLE)
        # One line (a long name is cut with "…", whole in the tooltip): the form keeps its
        # height under the shortlist's table on a small screen.
        self.candidate = ElidedLabel(object_name="DecisionCandidate")
        self.explain = plain_label("", object_name="Hint", wrap=True)
        self.explain.setVisible(False)  # shown with a text: no empty gap
        self.title_row = QHBoxLayout()  # the window may add its own buttons beside the name
        self.title_row.addWidget(self.candidate, 1)
        self.group = QButtonGroup(self)
        radios = QHBoxLayout()
        self.buttons: dict[Decision, QRadioButton] = {}
        for d in DECISIONS:
            radio = QRadioButton(DECISION_WORDS[d])
            self.group.addButton(radio)
            self.buttons[d] = radio
            radios.addWidget(radio)
        radios.addStretch(1)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why (kept with the decision; not sent to the candidate)")
        self.reason.setAccessibleName("Reason for the decision")
        self.feedback = QPlainTextEdit()
        self.feedback.setPlaceholderText(
            "Feedback for the candidate (optional; goes into the follow-up)"
        )
        self.feedback.setAccessibleName("Feedback for the candidate")
        self.feedback.setTabChangesFocus(True)
        # The policy's refusal, and any sentence the window reports about this form (say()).
        self.refusal = plain_label("", object_name="Refusal", wrap=True)
        self.refusal.setVisible(False)  # no empty gap above the button
        self.record_button = QPushButton("Record decision")
        self.record_button.setObjectName("PrimaryButton")
        self.record_button.clicked.connect(self.record_requested)

        if columns == 2:
            self.feedback.setMaximumHeight(64)
            grid = QGridLayout(self)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setHorizontalSpacing(12)
            grid.setVerticalSpacing(4)
            grid.addLayout(self.title_row, 0, 0)
            grid.addWidget(self.explain, 1, 0)
            grid.addLayout(radios, 2, 0)
            grid.addWidget(self.refusal, 3, 0)
            grid.addWidget(self.reason, 0, 1)
            grid.addWidget(self.feedback, 1, 1, 2, 1)
            grid.addWidget(self.record_button, 3, 1, Qt.AlignmentFlag.AlignRight)
            grid.setColumnStretch(0, 1)
            grid.setColumnStretch(1, 1)
            grid.setRowStretch(4, 1)
        else:
            # Not taller: with the window's banner the pane still fits 1366x768 at 150 %.
            self.feedback.setFixedHeight(72)
            column = QVBoxLayout(self)
            column.setContentsMargins(0, 0, 0, 0)
            column.addLayout(self.title_row)
            column.addWidget(self.explain)
            column.addLayout(radios)
            column.addWidget(self.reason)
            column.addWidget(self.feedback)
            column.addWidget(self.refusal)
            column.addWidget(self.record_button)

    # -- what the window shows ------------------------------------------------------------------

    def show_candidate(
        self, title: str, explain: str, decision: str | None, *, reason: str, feedback: str
    ) -> None:
        """One candidate: their name (or code), a line about them, and the form filled with
        ``decision`` (None: nothing chosen), ``reason`` and ``feedback``."""
        self._enable(True)
        self._fill(title, explain, decision, reason, feedback)

    def show_none(self, title: str) -> None:
        """No candidate to decide on: the form stays, greyed and empty (nothing of the last
        candidate's), under ``title`` (a sentence the window put in ``refusal``, say why the
        list is empty, stays)."""
        self._fill(title, "", None, "", "")
        self._enable(False)

    def _fill(
        self, title: str, explain: str, decision: str | None, reason: str, feedback: str
    ) -> None:
        self._title(title)
        self.explain.setText(explain)
        self.explain.setVisible(bool(explain))
        self.group.setExclusive(False)  # so that every button can be unchecked
        for key, radio in self.buttons.items():
            radio.setChecked(key == decision)
        self.group.setExclusive(True)
        self.reason.setText(reason)
        self.feedback.setPlainText(feedback)

    def set_refusal(self, refusal: str | None) -> None:
        """The policy's sentence why this actor may not decide now (None: they may)."""
        self.say(refusal or "")
        self.record_button.setEnabled(refusal is None and self.reason.isEnabled())
        self.record_button.setToolTip(plain_tooltip(refusal or "Record the decision (audited)"))

    def set_read_only(self, refusal: str) -> None:
        """Greyed whole, nothing to fill in: the policy says this actor may never decide
        here (``refusal``, the button's tooltip; the window shows it as its own line)."""
        self._enable(False)
        self.record_button.setToolTip(plain_tooltip(refusal))

    def say(self, sentence: str) -> None:
        """Show one sentence (red) above the button; "" hides the line."""
        self.refusal.setText(sentence)
        self.refusal.setVisible(bool(sentence))

    def chosen(self) -> Decision | None:
        return next((key for key, radio in self.buttons.items() if radio.isChecked()), None)

    def _title(self, title: str) -> None:
        self.candidate.setText(title)
        self.candidate.setToolTip(plain_tooltip(title))

    def _enable(self, on: bool) -> None:
        for w in (*self.buttons.values(), self.reason, self.feedback, self.record_button):
            w.setEnabled(on)
