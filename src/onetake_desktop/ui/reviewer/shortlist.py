"""Review > Shortlist…: one interview's candidates ranked, a decision and reason each, the
export, and the follow-up that goes out (templates, .eml drafts, mail-merge CSV).

A thin window: every figure, who may decide and who gets a note are asked of
services/shortlist.py and services/followup.py (which ask services/scoring.py). Names, emails,
flags, reasons and templates are outside text: item texts are plain, labels are PlainText,
tooltips escaped, the template editors are plain-text fields. Both windows are dialogs of
the reviewer window, so a panel lock closes them with the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.followup import PLACEHOLDERS, Template
from onetake_desktop.domain.panel import DECISIONS, Decision
from onetake_desktop.domain.search import fold
from onetake_desktop.services.followup import FollowupService, Pending
from onetake_desktop.services.scoring import Actor
from onetake_desktop.services.shortlist import (
    SORT_KEYS,
    SORT_LABELS,
    ShortlistRow,
    ShortlistService,
    SortKey,
)
from onetake_desktop.ui.widgets.decision_form import DECISION_WORDS, DecisionForm
from onetake_desktop.ui.widgets.fit import fit_to_screen
from onetake_desktop.ui.widgets.flags import FLAG_MARK, flags_tooltip
from onetake_desktop.ui.widgets.plain import make_plain, plain_label, plain_tooltip

T = TypeVar("T")

if TYPE_CHECKING:
    from onetake_desktop.ui.reviewer.window import ReviewerWindow

# Short headings: at 1366x768 with 150 % scaling the window is 910 logical pixels wide.
COLUMNS = ("#", "Candidate", "Mean", "Median", "Recommended", "Flags", "Decision", "Sent")
COLUMN_TIPS = (
    "Rank",
    "Name (a code while blind mode hides it); ⚑ marks import flags",
    "Mean of the submitted scores you may see",
    "Median of the submitted scores you may see",
    "Overall recommendations you may see",
    "Rules of the interview the bundle broke (import checks)",
    "The decision recorded",
    "When the follow-up e-mail went out",
)
STYLE = """
QLabel#Refusal { color: #8a1c1c; }
QLabel#Notice { color: #1e5a36; }
"""


class _Item(QTableWidgetItem):
    """A cell that sorts by a number when it has one (blank cells last)."""

    def __init__(self, text: str, key: float | str | None = None) -> None:
        super().__init__(text)
        self.key = key
        self.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine = self.key
        theirs = other.key if isinstance(other, _Item) else None
        if isinstance(mine, float | int) and isinstance(theirs, float | int):
            return mine < theirs
        if mine is None or theirs is None:
            return theirs is None and mine is not None
        return fold(str(mine)) < fold(str(theirs))  # as the library list sorts names


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


class ShortlistWindow(QDialog):
    """The ranked list of one interview, with decisions, export and follow-up."""

    def __init__(
        self,
        parent: QWidget,
        shortlist: ShortlistService,
        actor: Callable[[], Actor],
        interview_pk: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Shortlist — OneTake")
        self.setObjectName("ShortlistWindow")
        self.setStyleSheet(STYLE)
        self.setModal(False)
        self.shortlist = shortlist
        self.followup = FollowupService(shortlist.scoring)
        self.actor = actor
        self.rows: list[ShortlistRow] = []
        self.followup_dialog: FollowupDialog | None = None

        self.interview = QComboBox()
        self.interview.setAccessibleName("Interview")
        for i in shortlist.interviews():
            self.interview.addItem(f"{i.role_title or i.interview_id} (v{i.version})", i.id)
        if interview_pk is not None and self.interview.findData(interview_pk) >= 0:
            self.interview.setCurrentIndex(self.interview.findData(interview_pk))
        self.sort = QComboBox()
        self.sort.setAccessibleName("Rank by")
        for key in SORT_KEYS:
            self.sort.addItem(SORT_LABELS[key], key)
        top = QHBoxLayout()
        top.addWidget(QLabel("Interview"))
        top.addWidget(self.interview, 1)
        top.addWidget(QLabel("Rank by"))
        top.addWidget(self.sort)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        for c, tip in enumerate(COLUMN_TIPS):
            heading = self.table.horizontalHeaderItem(c)
            if heading is not None:
                heading.setToolTip(tip)
        self.table.setAccessibleName("Shortlist: candidates ranked")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Every column as wide as its text; the last takes what is left, so the names (the
        # column that matters) are never squeezed behind a scroll bar.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setSortingEnabled(True)  # a click on a heading sorts; "Rank by" re-ranks

        # The decision for the selected candidate, under the table in two columns: the table
        # keeps the whole width (at 1366x768 with 150 % scaling every column shows).
        self.side = DecisionForm(columns=2)
        self.candidate, self.explain = self.side.candidate, self.side.explain
        self.decision_buttons, self.decision_group = self.side.buttons, self.side.group
        self.reason, self.feedback = self.side.reason, self.side.feedback
        self.refusal, self.decide_button = self.side.refusal, self.side.record_button
        self.status = plain_label("", object_name="Notice", wrap=True)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.side)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setChildrenCollapsible(False)

        self.export_button = QPushButton("Export shortlist…")
        self.export_button.setToolTip("CSV (opens in Excel) or JSON, with the scores")
        self.followup_button = QPushButton("Follow-up e-mails…")
        self.followup_button.setToolTip("Notes to decided candidates: .eml drafts and a CSV")
        close = QPushButton("Close")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.followup_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        make_plain(*self.findChildren(QLabel))

        self.interview.currentIndexChanged.connect(lambda _i: self.reload())
        self.sort.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.itemSelectionChanged.connect(self.show_selected)
        self.side.record_requested.connect(self.record_decision)
        self.export_button.clicked.connect(self.choose_export)
        self.followup_button.clicked.connect(self.open_followup)
        close.clicked.connect(self.close)
        self.reload()

    def hideEvent(self, event: QHideEvent) -> None:
        # A panel lock rejects this dialog: keep nothing of that panelist's view in it.
        self.rows = []
        self.table.setRowCount(0)
        self.show_selected()
        super().hideEvent(event)

    def refresh_interviews(self) -> None:
        """The interviews with candidates now (an import may have added one)."""
        keep = self.interview_pk()
        self.interview.blockSignals(True)
        self.interview.clear()
        for i in self.shortlist.interviews():
            self.interview.addItem(f"{i.role_title or i.interview_id} (v{i.version})", i.id)
        found = self.interview.findData(keep)
        self.interview.setCurrentIndex(max(found, 0))
        self.interview.blockSignals(False)

    # -- reading --------------------------------------------------------------------------------

    def sort_key(self) -> SortKey:
        data = self.sort.currentData()
        return data if data in SORT_KEYS else "mean"

    def interview_pk(self) -> int:
        data = self.interview.currentData()
        return int(data) if data is not None else 0

    def _guard(self, call: Callable[[], T]) -> T | None:
        try:
            return call()
        except OneTakeError as error:
            self.side.say(str(error))
            return None

    def reload(self, keep: int | None = None) -> None:
        pk = self.interview_pk()
        keep = keep if keep is not None else self.selected_id()
        self.side.say("")
        if not pk:
            self.rows = []
        else:
            sort = self.sort_key()
            rows = self._guard(
                lambda: self.shortlist.rows(self.actor(), interview_pk=pk, sort=sort)
            )
            self.rows = rows or []
        sent = self._guard(lambda: self.followup.sent(self.actor(), interview_pk=pk)) if pk else {}
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            name = row.name + (f"  {FLAG_MARK}" if row.flags else "")
            d = row.decision
            went_out = (sent or {}).get(row.submission_id, "")
            cells = [
                _Item(str(row.rank), row.rank),
                _Item(name, row.name),
                _Item(_fmt(row.mean), row.mean),
                _Item(_fmt(row.median), row.median),
                _Item(row.recommendation_text or "–", row.recommendation),
                _Item(str(len(row.flags)) if row.flags else "", float(len(row.flags))),
                _Item(DECISION_WORDS[d.decision] if d else "", d.decision if d else None),
                _Item(went_out[:10], went_out or None),
            ]
            first = f"{row.name} <{row.email}>" if row.email else row.name
            cells[1].setToolTip(flags_tooltip(row.flags, first))
            cells[1].setData(Qt.ItemDataRole.UserRole, row.submission_id)
            if row.flags:
                cells[5].setToolTip(flags_tooltip(row.flags))
            if d is not None:
                cells[6].setToolTip(plain_tooltip(f"Reason: {d.reason}"))
            if row.mean is None:
                cells[2].setToolTip(plain_tooltip(self._no_mean(row)))
            for c, item in enumerate(cells):
                if c != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        self.table.sortItems(0, Qt.SortOrder.AscendingOrder)
        ids = [row.submission_id for row in self.rows]
        if ids:
            self.select(keep if keep in ids else self.table_order()[0])
        else:
            self.show_selected()
        n = len(self.rows)
        self.status.setText(
            f"{n} candidate{'' if n == 1 else 's'}; ranked by "
            f"{SORT_LABELS[str(self.sort.currentData())].lower()}."
            if n
            else "No candidates yet."
        )

    def _no_mean(self, row: ShortlistRow) -> str:
        if self.actor().panelist:
            return "Shown once you have submitted this candidate."
        return "No submitted scores yet."

    def table_order(self) -> list[int]:
        """Submission ids in the order the table shows them."""
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 1)
            if item is not None:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def table_texts(self, row: int) -> list[str]:
        items = [self.table.item(row, c) for c in range(self.table.columnCount())]
        return [i.text() if i is not None else "" for i in items]

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        if not items:
            return None
        item = self.table.item(items[0].row(), 1)
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def select(self, submission_id: int) -> None:
        order = self.table_order()
        if submission_id in order:
            self.table.selectRow(order.index(submission_id))
        self.show_selected()

    def show_selected(self) -> None:
        sid = self.selected_id()
        row = next((r for r in self.rows if r.submission_id == sid), None)
        if row is None:
            self.side.show_none("No candidate selected")
            return
        parts = [
            f"Mean {_fmt(row.mean)}, median {_fmt(row.median)} from {row.scores_seen} "
            f"score{'' if row.scores_seen == 1 else 's'}"
            if row.scores_seen
            else self._no_mean(row).rstrip(".")
        ]
        if row.recommendations:
            parts.append(f"recommended: {row.recommendation_text}")
        if row.flags:
            n = len(row.flags)
            parts.append(f"{FLAG_MARK} {n} import flag{'' if n == 1 else 's'}: hover the name")
        d = row.decision
        self.side.show_candidate(
            row.name,
            "; ".join(parts) + ".",
            d.decision if d else None,
            reason=d.reason if d else "",
            feedback=d.feedback if d else "",
        )
        try:
            refusal = self.shortlist.decision_refusal(self.actor(), submission_id=row.submission_id)
        except OneTakeError as error:  # nobody signed in (the panel locked): say so, greyed
            refusal = str(error)
        self.side.set_refusal(refusal)

    # -- acting ---------------------------------------------------------------------------------

    def chosen_decision(self) -> Decision | None:
        return self.side.chosen()

    def record_decision(self) -> None:
        sid = self.selected_id()
        decision = self.chosen_decision()
        if sid is None:
            return
        if decision is None:
            self.side.say("Choose Advance, Hold or Decline first.")
            return
        record = self._guard(
            lambda: self.shortlist.decide(
                self.actor(),
                submission_id=sid,
                decision=decision,
                reason=self.reason.text(),
                feedback=self.feedback.toPlainText(),
            )
        )
        if record is not None:
            self.reload(keep=sid)
            name = next((r.name for r in self.rows if r.submission_id == sid), "")
            self.status.setText(f"Decision recorded for {name}: {DECISION_WORDS[decision]}.")

    def choose_export(self) -> None:
        from onetake_desktop.services.export_names import export_file_name

        now = self.shortlist.scoring.clock.now()
        name = export_file_name("shortlist", self.actor(), "csv", now)
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export the shortlist", str(Path.home() / name),
            "CSV (*.csv);;JSON (*.json)",
        )  # fmt: skip
        if path:
            fmt = "json" if path.endswith(".json") or "JSON" in chosen else "csv"
            self.export(Path(path), fmt)

    def export(self, path: Path, fmt: str) -> int | None:
        pk = self.interview_pk()
        sort = self.sort_key()
        count = self._guard(
            lambda: self.shortlist.export(
                self.actor(), interview_pk=pk, fmt=fmt, out=path, sort=sort
            )
        )
        if count is not None:
            self.status.setText(f"Exported {count} candidates with their scores to {path}.")
        return count

    def open_followup(self) -> FollowupDialog:
        if self.followup_dialog is None:
            self.followup_dialog = FollowupDialog(self, self.followup, self.actor)
            self.followup_dialog.exported.connect(lambda: self.reload())
        self.followup_dialog.set_interview(self.interview_pk())
        self.followup_dialog.show()
        self.followup_dialog.raise_()
        return self.followup_dialog


class FollowupDialog(QDialog):
    """The recruiter's templates per decision, who gets a note, a preview, and the export."""

    exported = Signal()

    def __init__(
        self, parent: QWidget, followup: FollowupService, actor: Callable[[], Actor]
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Follow-up e-mails — OneTake")
        self.setObjectName("FollowupDialog")
        self.setStyleSheet(STYLE)
        self.followup = followup
        self.actor = actor
        self.interview_pk = 0

        self.decision = QComboBox()
        self.decision.setAccessibleName("Template for the decision")
        for d in DECISIONS:
            self.decision.addItem(f"{DECISION_WORDS[d]} note", d)
        self.subject = QLineEdit()
        self.subject.setAccessibleName("Subject")
        self.body = QPlainTextEdit()  # plain text only: what the candidate receives
        self.body.setAccessibleName("Body")
        self.body.setTabChangesFocus(True)
        self.sender_name = QLineEdit()
        self.sender_name.setPlaceholderText("Who signs (default: the organisation)")
        self.sender_address = QLineEdit()
        self.sender_address.setPlaceholderText("From address (optional)")
        hint = plain_label(
            "Placeholders: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + ".", wrap=True
        )
        hint.setObjectName("Hint")
        hint.setToolTip(plain_tooltip("\n".join(f"{{{k}}}: {v}" for k, v in PLACEHOLDERS.items())))
        self.save_button = QPushButton("Save template")
        self.recipients = QListWidget()
        self.recipients.setAccessibleName("Candidates who get a note, and when it last went out")
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Preview of the selected note")
        self.message = plain_label("", object_name="Notice", wrap=True)
        self.export_button = QPushButton("Export drafts and mail-merge CSV…")
        self.export_button.setObjectName("PrimaryButton")
        close = QPushButton("Close")

        form = QFormLayout()
        form.addRow("Template", self.decision)
        form.addRow("Subject", self.subject)
        form.addRow("Signed by", self.sender_name)
        form.addRow("From", self.sender_address)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.body, 1)
        left.addWidget(hint)
        left.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        right = QVBoxLayout()
        right.addWidget(plain_label("Who gets a note (a decision, name shown)"))
        right.addWidget(self.recipients, 1)
        right.addWidget(plain_label("Preview"))
        right.addWidget(self.preview, 2)
        grid = QGridLayout()
        lw, rw = QWidget(), QWidget()
        lw.setLayout(left)
        rw.setLayout(right)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(lw)
        split.addWidget(rw)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        grid.addWidget(split, 0, 0)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addLayout(bottom)
        make_plain(*self.findChildren(QLabel))

        self.decision.currentIndexChanged.connect(lambda _i: self.show_template())
        self.save_button.clicked.connect(self.save_template)
        self.recipients.currentRowChanged.connect(lambda _r: self.show_preview())
        self.export_button.clicked.connect(self.choose_folder)
        close.clicked.connect(self.close)
        self.pending: list[Pending] = []
        fit_to_screen(self, 980, 620)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setObjectName("Refusal" if error else "Notice")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def set_interview(self, interview_pk: int) -> None:
        self.interview_pk = interview_pk
        name, address = self.followup.sender()
        self.sender_name.setText(name)
        self.sender_address.setText(address)
        self.show_template()
        self.reload_recipients()

    def chosen(self) -> Decision:
        return self.decision.currentData()  # type: ignore[no-any-return]

    def show_template(self) -> None:
        if not self.interview_pk:
            return
        try:
            t = self.followup.template(
                self.actor(), interview_pk=self.interview_pk, decision=self.chosen()
            )
        except OneTakeError as error:
            self._say(str(error), True)
            return
        self.subject.setText(t.subject)
        self.body.setPlainText(t.body)

    def save_template(self) -> bool:
        try:
            self.followup.set_template(
                self.actor(),
                interview_pk=self.interview_pk,
                decision=self.chosen(),
                template=Template(self.subject.text(), self.body.toPlainText()),
            )
            self.followup.set_sender(
                self.actor(), name=self.sender_name.text(), address=self.sender_address.text()
            )
        except OneTakeError as error:
            self._say(str(error), True)
            return False
        self._say(f"Saved the {DECISION_WORDS[self.chosen()].lower()} note.")
        self.reload_recipients()
        return True

    def reload_recipients(self) -> None:
        keep = self.recipients.currentRow()
        self.recipients.clear()
        try:
            self.pending = self.followup.pending(self.actor(), interview_pk=self.interview_pk)
            left_out = self.followup.left_out(self.actor(), interview_pk=self.interview_pk)
        except OneTakeError as error:
            self.pending = []
            self._say(str(error), True)
            self.export_button.setEnabled(False)
            return
        for p in self.pending:
            when = f"sent {p.last_sent[:10]}" if p.last_sent else "not sent yet"
            self.recipients.addItem(f"{p.draft.to_name} · {DECISION_WORDS[p.decision]} · {when}")
        self.export_button.setEnabled(bool(self.pending))
        if not self.pending:
            self._say("No candidate has a decision yet: record one in the shortlist first.")
        elif left_out:
            self._say(f"{left_out} decided candidate(s) left out: name still hidden.")
        self.recipients.setCurrentRow(min(max(keep, 0), len(self.pending) - 1))
        self.show_preview()

    def show_preview(self) -> None:
        row = self.recipients.currentRow()
        if not 0 <= row < len(self.pending):
            self.preview.setPlainText("")
            return
        d = self.pending[row].draft
        self.preview.setPlainText(
            f"To: {d.to_name} <{d.to_email}>\nSubject: {d.subject}\n\n{d.body}"
        )

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the e-mail drafts")
        if folder:
            self.export(Path(folder))

    def export(self, folder: Path) -> bool:
        if not self.save_template():
            return False
        try:
            result = self.followup.export(
                self.actor(), interview_pk=self.interview_pk, folder=folder
            )
        except OneTakeError as error:
            self._say(str(error), True)
            return False
        n = len(result.drafts)
        self.reload_recipients()
        self._say(
            f"Wrote {n} draft{'' if n == 1 else 's'} (.eml) and {result.mailmerge.name} to "
            f"{folder}; recorded as sent on {result.sent_at[:10]}. Open a draft to send it."
        )
        self.exported.emit()
        return True


def open_shortlist(window: ReviewerWindow) -> ShortlistWindow:
    """Open (or show again) the reviewer window's shortlist, on the current candidate's
    interview; it asks for the actor at every call (a panel switch changes who acts)."""
    interview_pk = None
    if window.current_submission_id is not None:
        current = window.service.submission(submission_id=window.current_submission_id)
        interview_pk = current.interview_pk
    dialog = getattr(window, "shortlist_window", None)
    if not isinstance(dialog, ShortlistWindow):
        dialog = ShortlistWindow(
            window,
            ShortlistService(window.service.scoring),
            lambda: window.service.actor_for(window.current_reviewer_id),
            interview_pk,
        )
        fit_to_screen(dialog, 1100, 640)
        window.shortlist_window = dialog  # type: ignore[attr-defined]
    else:
        dialog.refresh_interviews()
        if interview_pk is not None and dialog.interview.findData(interview_pk) >= 0:
            dialog.interview.setCurrentIndex(dialog.interview.findData(interview_pk))
        dialog.reload()
    dialog.show()
    dialog.raise_()
    return dialog
