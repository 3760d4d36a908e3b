"""Decisions per candidate (advance, hold, decline) with a reason and a feedback note, and the
export of decisions, scores and feedback."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QPainter, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.panel import DECISION_LABELS, Actor, PanelService
from onetake_desktop.ui.panel.common import InterviewPicker, PanelWindow
from onetake_desktop.ui.widgets.decision_form import STYLE as FORM_STYLE
from onetake_desktop.ui.widgets.decision_form import DecisionForm
from onetake_desktop.ui.widgets.fit import fit_to_screen
from onetake_desktop.ui.widgets.flags import flagged, flags_tooltip
from onetake_desktop.ui.widgets.qt_numbers import FocusPolicy, set_properties

NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # the candidate's name: cut first when too long
TAIL_ROLE = Qt.ItemDataRole.UserRole + 2  # what follows it (flag mark, mean, decision): kept

Index = QModelIndex | QPersistentModelIndex
SHORT = 500  # a window lower than this (device-independent pixels) is a short one


class NameFirstElided(QStyledItemDelegate):
    """A candidate row cut to the list's width: the name gives way ("…"), so the flag mark, the
    mean and the decision stay readable and the list never scrolls sideways. The item's own
    text (and what assistive tools read) stays whole; the whole name is in its tooltip."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view

    def _fitted(self, option: QStyleOptionViewItem, index: Index) -> QStyleOptionViewItem:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        rect = QRect(opt.rect)  # a wider row (laid out before a resize) is cut to the view
        rect.setRight(min(rect.right(), self.view.viewport().rect().right()))
        opt.rect = rect
        name, tail = index.data(NAME_ROLE), index.data(TAIL_ROLE)
        if isinstance(name, str) and isinstance(tail, str):
            style = self.view.style()
            text = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, self.view)
            # The style keeps this margin on each side of the text (QCommonStyle).
            margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.view)
            room = text.width() - 2 * (margin + 1) - opt.fontMetrics.horizontalAdvance(tail)
            cut = opt.fontMetrics.elidedText(name, Qt.TextElideMode.ElideRight, max(room, 0))
            opt.text = cut + tail
        return opt

    def shown_text(self, index: Index) -> str:
        """The row as painted at the list's current width."""
        option = QStyleOptionViewItem()
        option.initFrom(self.view)
        option.rect = self.view.visualRect(index)
        return str(self._fitted(option, index).text)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        element = QStyle.ControlElement.CE_ItemViewItem
        self.view.style().drawControl(element, self._fitted(option, index), painter, self.view)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(min(hint.width(), self.view.viewport().width()), hint.height())


class DecisionsWindow(PanelWindow):
    def __init__(self, parent: QWidget, service: PanelService, actor: Actor) -> None:
        super().__init__(parent, "Decisions")
        self.setObjectName("DecisionsWindow")
        self.service = service
        self.actor = actor  # the signed-in panelist; stops working when the panel locks
        self.viewer_id = actor.reviewer_id
        # Who may decide is the policy's: one who may never decide (not the chair) reads
        # decisions, with the form greyed. Asked again whenever the form is shown or the
        # window comes back to the front (ask_policy): the chair can change meanwhile.
        self.decider_refusal = self._decider_refusal()
        fit_to_screen(self, 940, 620)

        self.picker = InterviewPicker(service)
        self.candidates = QListWidget()
        self.candidates.setAccessibleName("Candidates: name (or code), mean, decision")
        # A long name is cut, never scrolled to (the whole name is in the row's tooltip).
        self.candidates.setItemDelegate(NameFirstElided(self.candidates))
        self.candidates.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.candidates.setResizeMode(QListView.ResizeMode.Adjust)  # rows follow the width
        self.form = DecisionForm()  # one column: the pane beside the list of candidates
        # The form's second line shows the candidate's email here (empty while blind).
        self.candidate_label, self.email_label = self.form.candidate, self.form.explain
        self.radios = self.form.buttons
        self.reason, self.feedback = self.form.reason, self.form.feedback
        self.save_button = self.form.record_button
        self.lift_button = QPushButton("Show the name to the panel")
        self.lift_button.setToolTip(
            "Blind mode stays on for this candidate until every panelist has submitted them; "
            "showing the name is written to the audit log."
        )
        # On its own line under the name: beside it, it left the name "C…" on a small screen.
        form_column = self.form.layout()
        assert isinstance(form_column, QVBoxLayout)  # (columns=1)
        form_column.insertWidget(1, self.lift_button, 0, Qt.AlignmentFlag.AlignLeft)
        # The refusal and the button stay in sight under the scrolled part (below): the chair
        # reads why and records without scrolling on a short screen.
        for kept in (self.form.refusal, self.save_button):
            form_column.removeWidget(kept)
        self.who_decides = QLabel(self.decider_refusal or "")
        self.who_decides.setObjectName("Hint")
        self.who_decides.setWordWrap(True)
        self.who_decides.setVisible(self.decider_refusal is not None)
        self.history = QListWidget()
        self.history.setAccessibleName("Earlier decisions")
        self.history.setMinimumHeight(40)  # gives way first on a small screen
        self.export_csv = QPushButton("Export CSV…")
        self.export_json = QPushButton("Export JSON…")

        right = QWidget()
        pane = QVBoxLayout(right)
        pane.setContentsMargins(0, 0, 0, 0)
        pane.addWidget(self.who_decides)
        pane.addWidget(self.form)
        pane.addWidget(QLabel("History"))
        pane.addWidget(self.history, 1)
        # Scrolled when the window is short (1024x600 at 150 %): the form's inputs and the
        # history; the refusal (two lines for the chair: who is still to submit) and the
        # button stay under it, always in sight.
        scroll = QScrollArea()
        scroll.setObjectName("DecisionPane")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Not a Tab stop (a scroll area's default): it has no frame and no name, so Tab went
        # into nothing. The inputs in it bring themselves into sight (eventFilter).
        set_properties(scroll, focusPolicy=FocusPolicy.NoFocus)
        scroll.setWidget(right)
        scroll.viewport().setAutoFillBackground(False)  # the window's own background
        right.setAutoFillBackground(False)
        self.pane, self.pane_scroll = right, scroll
        for box in (self.reason, self.feedback):
            box.installEventFilter(self)  # focused: the whole box in sight (eventFilter)
        side = QWidget()
        side.setStyleSheet(FORM_STYLE)  # the refusal's red, now outside the form
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(0, 0, 0, 0)
        side_column.addWidget(scroll, 1)
        side_column.addWidget(self.form.refusal)
        side_column.addWidget(self.save_button)
        split = QSplitter()
        split.setChildrenCollapsible(False)
        split.addWidget(self.candidates)
        split.addWidget(side)
        split.setStretchFactor(1, 2)
        # Two fifths of the width for the list (as before on a wide window; names past it are
        # cut with "…"), at least 180 wide: the form keeps room for its radio buttons.
        fifth = max(self.width() - 40, 600) // 5
        split.setSizes([2 * fifth, 3 * fifth])
        self.candidates.setMinimumWidth(180)
        exports = QHBoxLayout()
        hint = QLabel(
            "Exports hold submitted scores you may see, decisions and feedback; "
            "never anyone's drafts."
        )
        hint.setObjectName("Hint")
        hint.setWordWrap(True)
        exports.addWidget(hint, 1)
        exports.addWidget(self.export_csv)
        exports.addWidget(self.export_json)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.picker)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        layout.addLayout(exports)

        self.picker.changed.connect(lambda _: self.reload())
        self.candidates.currentRowChanged.connect(lambda _: self.show_candidate())
        self.form.record_requested.connect(self.record)
        self.lift_button.clicked.connect(self.lift_blind)
        self.export_csv.clicked.connect(lambda: self._ask_export("csv"))
        self.export_json.clicked.connect(lambda: self._ask_export("json"))
        self.reload()
        self._fit_feedback()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The scroll area by itself brings only a text box's cursor line into sight (its
        # micro focus): the feedback box came up cut on a short screen.
        if event.type() == QEvent.Type.FocusIn and watched in (self.reason, self.feedback):
            box = self.reason if watched is self.reason else self.feedback
            centre = box.mapTo(self.pane, box.rect().center())
            self.pane_scroll.ensureVisible(centre.x(), centre.y(), 0, box.height() // 2 + 2)
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_feedback()

    def _fit_feedback(self) -> None:
        """Two lines of feedback box on a short window (1366x768 at 150 %, 1024x600 at 150 %),
        three otherwise: what the chair types there scrolls, the radio buttons stay in sight."""
        box = self.feedback
        lines = 2 if self.height() < SHORT else 3
        margins = 2 * (box.frameWidth() + round(box.document().documentMargin()))
        box.setFixedHeight(lines * box.fontMetrics().lineSpacing() + margins)

    def reload(self, keep: int | None = None) -> None:
        pk = self.picker.interview_pk()
        self.rows = self.service.candidates(interview_pk=pk) if pk else []
        view = self.service.view(self.actor, interview_pk=pk) if pk else None
        self.candidates.blockSignals(True)
        self.candidates.clear()
        for c in self.rows:
            decision = DECISION_LABELS[c.decision.decision] if c.decision else "no decision"
            mean = view.summary.candidate_means.get(c.submission_id) if view else None
            shown = (
                f"{mean:.2f}"
                if mean is not None and view and view.candidate_open(c.submission_id)
                else "–"
            )
            mark = flagged(c.name, c.flags)[len(c.name) :]  # the flag mark, if any
            tail = f"{mark} · {shown} · {decision}"
            item = QListWidgetItem(c.name + tail)
            item.setData(NAME_ROLE, c.name)
            item.setData(TAIL_ROLE, tail)
            # The whole name (then any flags), as typed: names come from bundles.
            item.setToolTip(flags_tooltip(c.flags, c.name))
            self.candidates.addItem(item)
        self.candidates.blockSignals(False)
        ids = [c.submission_id for c in self.rows]
        self.candidates.setCurrentRow(ids.index(keep) if keep in ids else 0)
        self.show_candidate()

    def select(self, submission_id: int) -> None:
        ids = [c.submission_id for c in self.rows]
        self.candidates.setCurrentRow(ids.index(submission_id))

    def show_candidate(self) -> None:
        self._show_policy()  # asked anew: the chair may have changed since the last candidate
        row = self.candidates.currentRow()
        if row < 0 or row >= len(self.rows):
            self.form.show_none("No candidates yet.")
            self.lift_button.setVisible(False)
            return
        c = self.rows[row]
        self.lift_button.setVisible(not c.revealed)
        # The reason starts empty: a new decision on a candidate says why anew.
        self.form.show_candidate(
            c.name if c.revealed else f"{c.name} (name hidden)",
            c.email,  # empty while blind: the line is hidden
            c.decision.decision if c.decision else None,
            reason="",
            feedback=c.decision.feedback if c.decision else "",
        )
        if self.decider_refusal is not None:
            self.form.say("")  # nothing said for a decider stays (who is still to submit)
            self.form.set_read_only(self.decider_refusal)
        else:  # e.g. "waits until every panelist has submitted": said before filling in
            self._candidate_refusal(c.submission_id)
        self.history.clear()
        try:
            history = self.service.decision_history(self.actor, submission_id=c.submission_id)
            lines = [
                f"{d.created_at[:16].replace('T', ' ')}  {DECISION_LABELS[d.decision]} by "
                f"{self.service.reviewer_name(d.reviewer_id)}: {d.reason}"
                for d in history
            ]
        except OneTakeError as error:  # e.g. this window's actor stopped working
            self._refuse(error)
            return
        self.history.addItems(lines)

    def _refuse(self, error: OneTakeError) -> None:
        """Say why nothing can be done here in the refusal line (plain text), the form
        greyed: shown, never raised (show_candidate runs from events: an activation)."""
        sentence = str(error)
        self.form.set_read_only(sentence)
        self.form.say(sentence)
        if self.who_decides.text() == sentence:  # once is enough
            self.who_decides.setVisible(False)

    # -- who may decide: the policy's, asked again when it may have changed -------------------

    def _decider_refusal(self) -> str | None:
        try:
            return self.service.decider_refusal(self.actor)
        except OneTakeError as error:  # e.g. removed from the panel meanwhile
            return str(error)

    def _show_policy(self) -> None:
        """Ask the service who may decide, and say it above the form."""
        self.decider_refusal = self._decider_refusal()
        self.who_decides.setText(self.decider_refusal or "")
        self.who_decides.setVisible(self.decider_refusal is not None)

    def _candidate_refusal(self, submission_id: int) -> None:
        try:
            refusal = self.service.decision_refusal(self.actor, submission_id=submission_id)
        except OneTakeError as error:
            refusal = str(error)
        self.form.set_refusal(refusal)

    def ask_policy(self) -> None:
        """Ask the service again who may decide and whether this candidate waits: the chair
        can change while the window is open (named from another window or by ``onetake
        panel add --chair`` before scoring began, or removed), and others submit. A changed
        answer shows the candidate afresh (the form greys or opens); an unchanged one keeps
        what was typed and updates only the line above the button."""
        try:
            before = self.decider_refusal
            if self._decider_refusal() != before:
                self.show_candidate()
                return
            row = self.candidates.currentRow()
            if before is None and 0 <= row < len(self.rows):
                self._candidate_refusal(self.rows[row].submission_id)
        except OneTakeError as error:  # from changeEvent: an exception there is a crash
            self._refuse(error)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Back to the front: what another window or a command changed meanwhile shows now.
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.ask_policy()

    def record(self) -> None:
        row = self.candidates.currentRow()
        chosen = self.form.chosen()
        if row < 0:
            return
        if chosen is None:
            self.fail(OneTakeError("Choose advance, hold or decline."))
            return
        c = self.rows[row]
        try:
            self.service.decide(
                self.actor,
                submission_id=c.submission_id,
                decision=chosen,
                reason=self.reason.text(),
                feedback=self.feedback.toPlainText(),
            )
        except OneTakeError as error:
            self.fail(error)
            return
        self.reload(keep=c.submission_id)
        self.inform(f"Decision recorded for {self.rows[self.candidates.currentRow()].name}.")

    def lift_blind(self) -> None:
        """Ask the service to show this candidate's name (refused until every panelist has
        submitted them; who is still to submit is said only to one who may decide)."""
        row = self.candidates.currentRow()
        if row < 0 or row >= len(self.rows):
            return
        c = self.rows[row]
        try:
            self.service.lift_blind(self.actor, submission_id=c.submission_id)
        except OneTakeError as error:
            self.fail(error)
            return
        self.reload(keep=c.submission_id)
        self.inform(f"Name shown to the panel: {self.rows[self.candidates.currentRow()].name}.")

    def export_to(self, path: Path, fmt: Literal["csv", "json"]) -> int:
        try:
            count = self.service.export(
                self.actor, interview_pk=self.picker.interview_pk(), fmt=fmt, out=path
            )
        except OneTakeError as error:
            self.fail(error)
            return 0
        self.inform(f"Exported {count} rows to {path}.")
        return count

    def _ask_export(self, fmt: Literal["csv", "json"]) -> None:
        from onetake_desktop.services.export_names import export_file_name

        default = export_file_name("panel", self.actor, fmt, self.service.clock.now())
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export decisions and scores",
            str(Path.home() / default),
            f"{fmt.upper()} files (*.{fmt})",
        )
        if name:
            self.export_to(Path(name), fmt)
