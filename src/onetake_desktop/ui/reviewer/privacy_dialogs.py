"""The privacy dialogs of the reviewer window: erase, keep longer and stop keeping longer.

Loaded with the first of them (ui/reviewer/privacy.py opens them): their Qt classes
(QDialog, QDialogButtonBox, QDateEdit, QFormLayout...) and the dialogs' own classes are no
part of the window's first frame (issue 17). Thin, as privacy.py: every decision is
services/privacy.py's; names and emails come from bundles, so every label is plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.ui.reviewer.privacy import BANNER_STYLE, day_label, plain_label, undated_line

if TYPE_CHECKING:
    from onetake_desktop.services.privacy import AfterRelease, Candidate, ErasurePlan, Hold


class EraseDialog(QDialog):
    """Names who and what goes; Cancel is the default button."""

    def __init__(
        self, parent: QWidget, plan: ErasurePlan, who: str, interviews: Sequence[str]
    ) -> None:
        from onetake_desktop.domain.words import plural

        super().__init__(parent)
        self.setWindowTitle("Erase candidate")
        self.setObjectName("EraseDialog")
        self.setStyleSheet(BANNER_STYLE)
        layout = QVBoxLayout(self)
        self.who = plain_label(f"Erase {who}?", name="EraseWho")
        font = self.who.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.who.setFont(font)
        layout.addWidget(self.who)
        self.interviews = plain_label(
            f"From {plural(len(interviews), 'interview')}:\n"
            + "\n".join(f"  •  {i}" for i in interviews)
        )
        layout.addWidget(self.interviews)
        self.what = plain_label(f"This removes {plan.describe()}")
        layout.addWidget(self.what)
        layout.addWidget(
            plain_label(
                "The recordings are deleted from this computer and the rows overwritten. The "
                "audit log keeps only that an erasure happened: no name, email, score or note. "
                "Exports saved elsewhere are not touched."
            )
        )
        layout.addWidget(plain_label("This cannot be undone.", name="DialogWarning"))
        buttons = QDialogButtonBox()
        self.erase_button = QPushButton("Erase for good")
        self.erase_button.setAutoDefault(False)
        buttons.addButton(self.erase_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None
        self.cancel_button = cancel
        self.cancel_button.setDefault(True)
        self.erase_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        _fit_width(self, 560)


def _fit_width(dialog: QDialog, wanted: int) -> None:
    """A fixed width that fits the screen, so wrapped labels get their full height."""
    screen = dialog.screen()
    free = screen.availableGeometry().width() - 40 if screen is not None else wanted
    width = max(320, min(wanted, free))
    dialog.setFixedWidth(width)
    layout = dialog.layout()
    if layout is not None and layout.hasHeightForWidth():
        dialog.setMinimumHeight(layout.totalHeightForWidth(width))


def _reason_and_buttons(
    dialog: QDialog, form: QFormLayout, layout: QVBoxLayout, *, about: str, ok_text: str
) -> tuple[QLineEdit, Any]:
    """What both hold dialogs end with: the reason (kept with the hold) as the form's
    last row, then OK (named ``ok_text``, on only once a reason is typed) and Cancel."""
    reason = QLineEdit()
    reason.setPlaceholderText("Why (kept with the hold: no names)")
    reason.setAccessibleName(about)
    reason.setMaxLength(500)
    form.addRow(plain_label("Reason", wrap=False), reason)
    layout.addLayout(form)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok_button.setText(ok_text)
    ok_button.setEnabled(False)
    reason.textChanged.connect(lambda t: ok_button.setEnabled(bool(t.strip())))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return reason, ok_button


def _intro_and_candidate(
    dialog: QDialog, intro: str, about: str, candidates: Sequence[tuple[str, int]]
) -> tuple[QVBoxLayout, QFormLayout, QComboBox]:
    """A hold dialog's top: its intro sentence, then a form whose first row picks the
    candidate (shown name, submission id); the dialog adds its own rows below."""
    layout = QVBoxLayout(dialog)
    layout.addWidget(plain_label(intro))
    form = QFormLayout()
    candidate = QComboBox()
    candidate.setAccessibleName(about)
    for name, submission_id in candidates:
        candidate.addItem(name, submission_id)  # combo items are plain text
    form.addRow(plain_label("Candidate", wrap=False), candidate)
    return layout, form, candidate


class HoldDialog(QDialog):
    """Keep a candidate past their retention: an end date and a reason, both required."""

    def __init__(
        self,
        parent: QWidget,
        choices: Sequence[tuple[Candidate, str]],
        today: datetime,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keep candidate longer")
        self.setObjectName("HoldDialog")
        self.choices = list(choices)
        self._today = today
        layout, form, self.candidate = _intro_and_candidate(
            self,
            "Each candidate was told how long their answers are kept. Keep one longer "
            "only for a reason you can give them (an appeal, a legal claim).",
            "Candidate to keep longer",
            [(name, c.submission_id) for c, name in self.choices],
        )
        self.due = plain_label()
        form.addRow(plain_label("Erased on", wrap=False), self.due)
        self.until = QDateEdit()
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("d MMM yyyy")
        tomorrow = today.date() + timedelta(days=1)
        self.until.setMinimumDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        self.until.setAccessibleName("Keep until")
        form.addRow(plain_label("Keep until", wrap=False), self.until)
        self.reason, self.ok_button = _reason_and_buttons(
            self, form, layout, about="Reason for keeping longer", ok_text="Keep longer"
        )
        self.candidate.currentIndexChanged.connect(self._default_date)
        self._default_date()
        _fit_width(self, 520)

    def _default_date(self) -> None:
        index = max(0, self.candidate.currentIndex())
        if not self.choices:
            return
        chosen = self.choices[index][0]
        days = f" (kept {chosen.retention_days} days, as they were told)"
        if chosen.erase_at is None:
            self.due.setText(undated_line())
        else:
            self.due.setText(day_label(chosen.erase_at) + (days if chosen.retention_days else ""))
        due = chosen.erase_at or self._today  # undated: a month from today
        later = (due + timedelta(days=30)).date()
        self.until.setDate(QDate(later.year, later.month, later.day))

    def submission_id(self) -> int:
        return int(self.candidate.currentData())

    def chosen(self) -> Candidate:
        """The candidate chosen, as the dialog read them (the service checks it is still
        them: ids are reused once the newest is erased)."""
        return self.choices[max(0, self.candidate.currentIndex())][0]

    def until_date(self) -> Any:
        return self.until.date().toPython()


class ReleaseDialog(QDialog):
    """Stop keeping a candidate longer: which one, what happens then, and a reason."""

    def __init__(
        self,
        parent: QWidget,
        choices: Sequence[tuple[Candidate, str, Sequence[Hold], AfterRelease]],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stop keeping candidate longer")
        self.setObjectName("ReleaseDialog")
        self.choices = list(choices)
        layout, form, self.candidate = _intro_and_candidate(
            self,
            "The candidate is then erased on the date they were told, or at the next "
            "expiry if that date has passed.",
            "Candidate to stop keeping longer",
            [(name, c.submission_id) for c, name, _holds, _after in self.choices],
        )
        self.kept = plain_label(name="KeptUntil")  # the hold's reason is typed text: plain
        form.addRow(plain_label("Kept until", wrap=False), self.kept)
        self.then = plain_label(name="ThenErased")
        form.addRow(plain_label("Then erased", wrap=False), self.then)
        self.reason, self.ok_button = _reason_and_buttons(
            self,
            form,
            layout,
            about="Reason for no longer keeping them",
            ok_text="Stop keeping longer",
        )
        self.candidate.currentIndexChanged.connect(self._describe)
        self._describe()
        _fit_width(self, 520)

    def _describe(self) -> None:
        if not self.choices:
            return
        chosen, _name, holds, after = self.choices[max(0, self.candidate.currentIndex())]
        latest = max(holds, key=lambda h: h.until)
        self.kept.setText(f"{day_label(latest.until)} ({latest.reason})")
        # The service's answer (release_preview): the dialog restates no rule.
        if after.erase_at is None:
            self.then.setText(undated_line())
        elif after.overdue:
            from onetake_desktop.services.privacy import ERASED_NEXT

            self.then.setText(
                f"Soon, {ERASED_NEXT}: the date they were told,"
                f" {day_label(chosen.expires_at or after.erase_at)}, has passed."
            )
        else:
            self.then.setText(f"{day_label(after.erase_at)}, as they were told")

    def submission_id(self) -> int:
        return int(self.candidate.currentData())

    def chosen(self) -> Candidate:
        """The candidate chosen, as the dialog read them (see HoldDialog.chosen)."""
        return self.choices[max(0, self.candidate.currentIndex())][0]
