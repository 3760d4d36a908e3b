"""The reviewer window: the library on the left, the answer and its question in the middle,
the rubric and the candidate's recommendation on the right.

Everything the reviewer does saves at once through :class:`ReviewerService`; imports run on a
worker thread (``run_task``) with their own database connection and report back here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import (
    RECOMMENDATION_LABELS,
    AnswerView,
    ImportReport,
    ReviewerService,
    open_reviewer_service,
)
from onetake_desktop.ui.tasks import log_failure, run_task
from onetake_desktop.ui.widgets.player import PlayerWidget, format_ms
from onetake_desktop.ui.widgets.rubric import PinnedNote, RubricPanel

KIND = Qt.ItemDataRole.UserRole
KEY = Qt.ItemDataRole.UserRole + 1
STATUS_COLOURS = {"new": "#4a5568", "in progress": "#9a5b00", "scored": "#1e7a3c"}
STATUS_MARKS = {"new": "○ new", "in progress": "◐ in progress", "scored": "● scored"}
STYLE = """
QLabel#QuestionText { font-size: 14pt; font-weight: 600; }
QLabel#QuestionMeta { color: #4a5568; font-size: 10pt; }
QLabel#Facts { color: #3c4657; }
QLabel#Candidate { font-size: 13pt; font-weight: 600; }
QFrame#ImportBox { background: #fff7e6; border: 1px solid #e0b251; border-radius: 8px; }
QLabel#Flag { background: #fff7e6; border: 1px solid #e0b251; border-radius: 6px; padding: 6px; }
QPushButton#RecommendButton:checked { background: #1f5fa8; color: #ffffff; border-color: #1f5fa8; }
"""


def _seconds(value: float) -> str:
    return format_ms(round(value * 1000))


class ReviewerWindow(QMainWindow):
    """Signals for features layered on top (the panel): ``answer_shown(answer_id)`` after an
    answer and its candidate are on screen, ``library_reloaded()`` after the tree is rebuilt.

    ``blind_codes`` is the one place the window asks who a candidate is shown as: it returns
    submission id -> code for candidates whose name and email must stay hidden (the panel's
    blind mode installs it). Every text that names a candidate goes through ``shown_name``.
    """

    answer_shown = Signal(int)
    library_reloaded = Signal()

    def __init__(
        self,
        service: ReviewerService,
        reviewer_id: int | None = None,
        panel_service: PanelService | None = None,  # the context's, on this window's library
    ) -> None:
        super().__init__()
        self.service = service
        self.current_reviewer_id: int = reviewer_id or service.default_reviewer.id
        self.current_submission_id: int | None = None
        self.current_answer_id: int | None = None
        self.view: AnswerView | None = None
        self.importing = False
        self.last_import: ImportReport | None = None
        self.blind_codes: Callable[[], Mapping[int, str]] = dict
        self._resume: tuple[int, int] | None = None  # (reviewer, answer) hidden by a lock
        self.setWindowTitle("OneTake: review interviews")
        self.setObjectName("ReviewerWindow")
        self.setStyleSheet(STYLE)
        self.setMinimumSize(1100, 700)
        self.resize(self._fitting_size(1320, 900))
        self.setAcceptDrops(True)

        self._build_library_pane()
        self._build_answer_pane()
        self._build_scoring_pane()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.library_pane)
        splitter.addWidget(self.answer_pane)
        splitter.addWidget(self.scoring_pane)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([330, 600, 390])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setVisible(False)
        self.statusBar().addPermanentWidget(self.progress)
        self._build_menus()
        self.set_reviewer(self.current_reviewer_id)

        from onetake_desktop.ui.reviewer.privacy import install_privacy_features

        # Before the panel: its lock then hides the retention banner with the rest.
        install_privacy_features(self)  # erase, keep longer, retention banner and start-up
        from onetake_desktop.ui.panel import install_panel_features

        self.panel = install_panel_features(self, panel_service)

    # -- building -----------------------------------------------------------------------------

    def _build_library_pane(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search candidates, emails, roles…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the library")
        self.sort = QComboBox()
        self.sort.addItem("Name", "name")
        self.sort.addItem("Imported", "imported")
        self.sort.addItem("Status", "status")
        self.sort.setAccessibleName("Sort candidates by")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Candidate", "Status"])
        self.tree.setAccessibleName("Library: interviews, candidates and answers")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setIndentation(14)
        self.empty_hint = QLabel(
            "No interviews yet.\n\nDrop bundles (.onetake) or folders here, or use\n"
            "File > Import bundles… (Ctrl+I)."
        )
        self.empty_hint.setObjectName("Hint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)

        self.import_box = QFrame()
        self.import_box.setObjectName("ImportBox")
        box = QVBoxLayout(self.import_box)
        box.setContentsMargins(10, 8, 10, 8)
        self.import_title = QLabel("")
        self.import_title.setWordWrap(True)
        self.refused_list = QListWidget()
        self.refused_list.setAccessibleName("Refused bundles and why")
        self.refused_list.setMaximumHeight(110)
        self.refused_list.setWordWrap(True)
        dismiss = QPushButton("Dismiss")
        dismiss.clicked.connect(lambda: self.import_box.setVisible(False))
        box.addWidget(self.import_title)
        box.addWidget(self.refused_list)
        box.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignRight)
        self.import_box.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.sort)
        self.library_pane = QWidget()
        layout = QVBoxLayout(self.library_pane)
        layout.setContentsMargins(12, 12, 6, 12)
        layout.addLayout(top)
        layout.addWidget(self.import_box)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_hint, 1)
        self.library_pane.setMinimumWidth(280)

        self.search.textChanged.connect(lambda _t: self.reload_library())
        # Enter or Esc hands the keys back to the library, where Space, J/K/L, 1-5 work.
        self.search.returnPressed.connect(self.tree.setFocus)
        escape = QAction(self.search)
        escape.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        escape.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        escape.triggered.connect(self._leave_search)
        self.search.addAction(escape)
        self.sort.currentIndexChanged.connect(lambda _i: self.reload_library())
        self.tree.itemExpanded.connect(self._fill_answers)
        self.tree.currentItemChanged.connect(self._on_current_item)

    def _build_answer_pane(self) -> None:
        self.question_meta = QLabel("")
        self.question_meta.setObjectName("QuestionMeta")
        self.question_text = QLabel("Choose an answer in the library.")
        self.question_text.setObjectName("QuestionText")
        self.question_text.setWordWrap(True)
        self.question_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.question_context = QLabel("")
        self.question_context.setWordWrap(True)
        self.question_context.setObjectName("Hint")
        self.facts = QLabel("")
        self.facts.setObjectName("Facts")
        self.facts.setWordWrap(True)
        self.flag = QLabel("")
        self.flag.setObjectName("Flag")
        self.flag.setWordWrap(True)
        self.flag.setVisible(False)
        card = QFrame()
        card.setObjectName("Card")
        c = QVBoxLayout(card)
        c.setContentsMargins(16, 12, 16, 12)
        c.setSpacing(6)
        for w in (self.question_meta, self.question_text, self.question_context, self.facts):
            c.addWidget(w)
        self.player = PlayerWidget()
        self.answer_pane = QWidget()
        layout = QVBoxLayout(self.answer_pane)
        layout.setContentsMargins(6, 12, 6, 12)
        layout.setSpacing(10)
        layout.addWidget(card)
        layout.addWidget(self.flag)
        layout.addWidget(self.player, 1)
        self.pins_placeholder = QVBoxLayout()
        layout.addLayout(self.pins_placeholder)
        self.player.rate_changed.connect(self._on_rate)
        self.player.next_requested.connect(lambda: self.step_answer(+1))
        self.player.previous_requested.connect(lambda: self.step_answer(-1))
        self.player.position_changed.connect(lambda ms: self.rubric.set_position(ms))

    def _build_scoring_pane(self) -> None:
        self.candidate_label = QLabel("")
        self.candidate_label.setObjectName("Candidate")
        self.candidate_label.setWordWrap(True)
        self.candidate_email = QLabel("")
        self.candidate_email.setObjectName("Hint")
        self.rubric = RubricPanel(include_pins=False)
        self.correct_button = QPushButton("Correct this score…")
        self.correct_button.setToolTip("A submitted score changes only with a reason")
        self.correct_button.setVisible(False)

        self.recommend_group = QButtonGroup(self)
        rec_row = QHBoxLayout()
        rec_row.setSpacing(6)
        self.recommend_buttons: dict[str, QPushButton] = {}
        for value in ("strong_no", "no", "yes", "strong_yes"):
            b = QPushButton(RECOMMENDATION_LABELS[value])
            b.setObjectName("RecommendButton")
            b.setCheckable(True)
            b.setAccessibleName(f"Recommend: {RECOMMENDATION_LABELS[value]}")
            self.recommend_group.addButton(b)
            self.recommend_buttons[value] = b
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            rec_row.addWidget(b)
            b.clicked.connect(lambda _=False, v=value: self._recommend(v))
        self.submit_button = QPushButton("Submit scores for this candidate")
        self.submit_button.setObjectName("PrimaryButton")
        self.submit_hint = QLabel("")
        self.submit_hint.setObjectName("Hint")
        self.submit_hint.setWordWrap(True)

        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(6, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.candidate_label)
        layout.addWidget(self.candidate_email)
        layout.addWidget(self.rubric)
        layout.addWidget(self.correct_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(6)
        layout.addWidget(QLabel("Overall recommendation for this candidate"))
        layout.addLayout(rec_row)
        layout.addWidget(self.submit_button)
        layout.addWidget(self.submit_hint)
        layout.addStretch(1)
        # No scroll area: word-wrapped anchors get squeezed inside one; the pane fits at the
        # window's minimum height instead.
        self.scoring_hint = QLabel("Choose an answer to score it against the rubric.")
        self.scoring_hint.setObjectName("Hint")
        self.scoring_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scoring_hint.setWordWrap(True)
        self.scoring_pane = QStackedWidget()
        self.scoring_pane.addWidget(self.scoring_hint)
        self.scoring_pane.addWidget(inner)
        self.scoring_content = inner
        self.scoring_pane.setMinimumWidth(360)

        self.rubric.pins.setMaximumHeight(120)
        self.pins_placeholder.addWidget(self.rubric.pins_box)
        self.rubric.score_chosen.connect(self._on_score)
        self.rubric.note_changed.connect(self._on_note)
        self.rubric.pinned_note_added.connect(self._on_pin)
        self.rubric.pinned_note_activated.connect(self.player.seek)
        self.rubric.pinned_note_deleted.connect(self._on_unpin)
        self.correct_button.clicked.connect(self._correct)
        self.submit_button.clicked.connect(self.submit_candidate)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = QAction("&Import bundles…", self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.choose_bundles)
        self.import_folder_action = QAction("Import a &folder of bundles…", self)
        self.import_folder_action.triggered.connect(self.choose_folder)
        self.definition_action = QAction("&Add interview definition…", self)
        self.definition_action.triggered.connect(self.choose_definition)
        self.export_action = QAction("&Export scores…", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.choose_export)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        for a in (self.import_action, self.import_folder_action, self.definition_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        playback = self.menuBar().addMenu("&Playback")
        for a in self.player.actions_for_menu():
            playback.addAction(a)

    # -- reviewer -----------------------------------------------------------------------------

    def lock_out(self) -> None:
        """The panel locks: stop the player and empty every field, so nothing of this
        reviewer's (drafts, notes, the picture) is left in a widget while nobody is signed in."""
        self.rubric.flush_note()
        if self.current_answer_id is not None:
            self._resume = (self.current_reviewer_id, self.current_answer_id)
        self._clear_answer()
        self.tree.clear()

    def set_reviewer(self, reviewer_id: int) -> None:
        """Show everything as this reviewer sees it (their own scores, notes and speed)."""
        self.rubric.flush_note()
        self.current_reviewer_id = reviewer_id
        reviewer = self.service.reviewer(reviewer_id)
        self.statusBar().showMessage(f"Reviewing as {reviewer.name}", 4000)
        self.player.set_rate(self.service.playback_rate(reviewer_id), announce=False)
        answer = self.current_answer_id
        if answer is None and self._resume is not None and self._resume[0] == reviewer_id:
            answer = self._resume[1]  # back after a lock: the same panelist, the same answer
        self._resume = None
        self.reload_library()
        if answer is not None:
            self.show_answer(answer)
        else:
            self._clear_answer()

    def _on_rate(self, rate: float) -> None:
        self.service.set_playback_rate(self.current_reviewer_id, rate)
        self.statusBar().showMessage(f"Speed {rate:g}x (pitch preserved)", 2000)

    # -- library ------------------------------------------------------------------------------

    def reload_library(self) -> None:
        codes = self.blind_codes()
        entries = self.service.entries(
            self.service.actor_for(self.current_reviewer_id),
            search=self.search.text(),
            sort=str(self.sort.currentData()),
            codes=codes,
        )
        self.tree.blockSignals(True)
        self.tree.setUpdatesEnabled(False)
        try:
            self.tree.clear()
            interviews: dict[int, QTreeWidgetItem] = {}
            counts: dict[int, list[int]] = {}
            items: list[QTreeWidgetItem] = []
            for e in entries:
                parent = interviews.get(e.interview_pk)
                if parent is None:
                    title = e.interview_title
                    if not e.has_definition:
                        title += "  (definition missing)"
                    parent = QTreeWidgetItem([title, ""])
                    parent.setData(0, KIND, "interview")
                    parent.setData(0, KEY, e.interview_pk)
                    font = parent.font(0)
                    font.setBold(True)
                    parent.setFont(0, font)
                    interviews[e.interview_pk] = parent
                    counts[e.interview_pk] = [0, 0]
                    items.append(parent)
                child = QTreeWidgetItem(parent, [e.candidate_name, ""])
                child.setData(0, KIND, "candidate")
                child.setData(0, KEY, e.submission_id)
                child.setToolTip(
                    0,
                    "Name hidden (blind mode) until the panel decides"
                    if e.submission_id in codes
                    else f"{e.candidate_name} <{e.candidate_email}>",
                )
                child.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
                self._set_status(child, e.status)
                counts[e.interview_pk][0] += 1
                counts[e.interview_pk][1] += e.status == "scored"
            for pk, parent in interviews.items():
                done, total = counts[pk][1], counts[pk][0]
                parent.setText(1, f"{done}/{total} scored")
            self.tree.addTopLevelItems(items)
            for parent in items:
                parent.setExpanded(True)
        finally:
            self.tree.setUpdatesEnabled(True)
            self.tree.blockSignals(False)
        has_any = bool(entries) or bool(self.search.text())
        self.tree.setVisible(has_any)
        self.empty_hint.setVisible(not has_any)
        self._focus_library()
        self.library_reloaded.emit()
        if self.current_answer_id is not None:
            self._select_answer_item(self.current_answer_id)

    def _leave_search(self) -> None:
        if self.search.text():
            self.search.clear()
        self.tree.setFocus()

    def _focus_library(self) -> None:
        """Keys on the library (where Space, J/K/L and 1-5 work), unless the reviewer is
        typing somewhere: an empty search box that merely got the first focus does not count."""
        current = self.focusWidget()
        if self.tree.isVisible() and (
            current is None or (current is self.search and not self.search.text())
        ):
            self.tree.setFocus()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._focus_library()

    def _set_status(self, item: QTreeWidgetItem, status: str) -> None:
        item.setText(1, STATUS_MARKS[status])
        item.setForeground(1, QBrush(QColor(STATUS_COLOURS[status])))
        item.setData(1, KIND, status)

    def _fill_answers(self, item: QTreeWidgetItem) -> None:
        if item.data(0, KIND) != "candidate" or item.childCount():
            return
        submission_id = int(item.data(0, KEY))
        submission = self.service.submission(submission_id=submission_id)
        statuses = self.service.answer_statuses(
            self.service.actor_for(self.current_reviewer_id), submission_id=submission_id
        )
        for a in self.service.answers(submission_id):
            label = f"{a.position}. {self.service.question_text(submission, a.question_id)}"
            child = QTreeWidgetItem(item, [label, ""])
            child.setData(0, KIND, "answer")
            child.setData(0, KEY, a.id)
            child.setToolTip(0, label)
            self._set_status(child, statuses[a.id])

    @staticmethod
    def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        return [c for c in (item.child(j) for j in range(item.childCount())) if c is not None]

    def _candidates(self) -> list[QTreeWidgetItem]:
        tops = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [c for top in tops if top is not None for c in self._children(top)]

    def _candidate_item(self, submission_id: int) -> QTreeWidgetItem | None:
        for c in self._candidates():
            if int(c.data(0, KEY)) == submission_id:
                return c
        return None

    def _select_answer_item(self, answer_id: int) -> None:
        answer = self.service.answer(answer_id=answer_id)
        cand = self._candidate_item(answer.submission_id)
        if cand is None:
            return
        self._fill_answers(cand)
        cand.setExpanded(True)
        for child in self._children(cand):
            if int(child.data(0, KEY)) == answer_id:
                self.tree.blockSignals(True)
                self.tree.setCurrentItem(child)
                self.tree.blockSignals(False)
                return

    def _on_current_item(self, item: QTreeWidgetItem | None, _prev: Any = None) -> None:
        if item is None:
            return
        kind = item.data(0, KIND)
        if kind == "answer":
            self.show_answer(int(item.data(0, KEY)))
        elif kind == "candidate":
            self._fill_answers(item)
            item.setExpanded(True)
            answers = self._children(item)
            if answers:
                # After the tree has finished moving its own selection to the candidate row,
                # so that the answer row ends up the selected one.
                first = int(answers[0].data(0, KEY))
                QTimer.singleShot(0, lambda: self.show_answer(first))

    def _refresh_statuses(self, submission_id: int) -> None:
        cand = self._candidate_item(submission_id)
        if cand is None:
            return
        statuses = self.service.answer_statuses(
            self.service.actor_for(self.current_reviewer_id), submission_id=submission_id
        )
        for child in self._children(cand):
            self._set_status(child, statuses[int(child.data(0, KEY))])
        values = set(statuses.values())
        overall = (
            "scored" if values == {"scored"} else ("new" if values <= {"new"} else "in progress")
        )
        self._set_status(cand, overall)
        parent = cand.parent()
        if parent is not None:
            siblings = self._children(parent)
            done = sum(c.data(1, KIND) == "scored" for c in siblings)
            parent.setText(1, f"{done}/{len(siblings)} scored")

    def step_answer(self, delta: int) -> None:
        """N/P: next or previous answer; past the last one, on to the next candidate."""
        candidates = self._candidates()
        if not candidates:
            return
        current = (
            None
            if self.current_submission_id is None
            else self._candidate_item(self.current_submission_id)
        )
        if current is None:
            self._fill_answers(candidates[0])
            first = self._children(candidates[0])
            if first:
                self.show_answer(int(first[0].data(0, KEY)))
            return
        answers = [int(c.data(0, KEY)) for c in self._children(current)]
        i = (
            answers.index(self.current_answer_id) + delta
            if self.current_answer_id in answers
            else 0
        )
        if 0 <= i < len(answers):
            self.show_answer(answers[i])
            return
        c = candidates.index(current) + delta
        if 0 <= c < len(candidates):
            self._fill_answers(candidates[c])
            others = self._children(candidates[c])
            if others:
                self.show_answer(int(others[0 if delta > 0 else -1].data(0, KEY)))

    # -- one answer ---------------------------------------------------------------------------

    def _clear_answer(self) -> None:
        self.view = None
        self.current_answer_id = None
        self.current_submission_id = None
        self.player.clear()
        self.question_meta.setText("")
        self.question_text.setText("Choose an answer in the library.")
        self.question_context.setText("")
        self.facts.setText("")
        self.flag.setVisible(False)
        self.scoring_pane.setCurrentWidget(self.scoring_hint)
        self.candidate_label.setText("No candidate selected")
        self.candidate_email.setText("")
        self.rubric.show_answer(None, None, "", [], read_only=True)
        for b in self.recommend_buttons.values():
            b.setEnabled(False)
        self.submit_button.setEnabled(False)
        self.submit_hint.setText("")
        self.correct_button.setVisible(False)

    def show_answer(self, answer_id: int) -> None:
        if self.current_answer_id is not None and self.current_answer_id != answer_id:
            self.rubric.flush_note()
        try:
            view = self.service.answer_view(
                self.service.actor_for(self.current_reviewer_id), answer_id=answer_id
            )
        except OneTakeError:
            self._clear_answer()
            return
        changed = answer_id != self.current_answer_id
        self.view = view
        self.current_answer_id = answer_id
        self.current_submission_id = view.submission.id
        a = view.answer
        q = view.question
        self.question_meta.setText(
            f"Question {view.index + 1} of {view.count}  ·  {a.answer_type} answer"
        )
        self.question_text.setText(view.question_text)
        self.question_context.setText(f"Why we ask: {q.context}" if q and q.context else "")
        self.question_context.setVisible(bool(q and q.context))
        facts = [f"Think time used {_seconds(a.think_seconds_used)}"]
        if q is not None:
            facts[0] += f" of {_seconds(q.think_seconds)}"
        facts.append(f"Answer length {_seconds(a.answer_seconds)}")
        allowed = f" of {q.retakes_allowed + 1}" if q is not None else ""
        facts.append(f"Takes used {a.takes_used}{allowed}")
        if view.submission.time_multiplier != 1.0:
            facts.append(f"Extra time ×{view.submission.time_multiplier:g}")
        self.facts.setText("   ·   ".join(f.replace(" ", "\u00a0") for f in facts))
        if q is None:
            self.flag.setText(
                "This interview's definition is not in the library yet, so its questions and "
                "rubric are unknown. Add it with File > Add interview definition…"
            )
        self.flag.setVisible(q is None)
        self.scoring_pane.setCurrentWidget(self.scoring_content)
        name, email = self.shown_name(view.submission.id)
        self.candidate_label.setText(name)
        self.candidate_email.setText(email)
        self.candidate_email.setVisible(bool(email))  # no empty line under a blind code
        if changed:
            self._load_media(view)
        self.rubric.pins_box.setVisible(a.answer_type != "text")
        self._fit_labels()
        self._show_scoring(view)
        self._select_answer_item(answer_id)
        self.answer_shown.emit(answer_id)

    def shown_name(self, submission_id: int) -> tuple[str, str]:
        """The candidate's name and email as this window may show them (a code and "" while
        the panel keeps them blind)."""
        code = self.blind_codes().get(submission_id)
        if code is not None:
            return code, ""
        submission = self.service.submission(submission_id=submission_id)
        return submission.candidate_name, submission.candidate_email

    def set_blind_codes(self, codes: Callable[[], Mapping[int, str]]) -> None:
        """Install who is hidden behind a code, and show the window that way at once."""
        self.blind_codes = codes
        self.reload_library()
        if self.current_answer_id is not None:
            self.show_answer(self.current_answer_id)

    def _fit_labels(self) -> None:
        # Word-wrapped labels in a layout with a stretching player get less height than their
        # text needs; ask each for its height at its current width.
        for label in (self.question_text, self.question_context, self.facts):
            if label.isVisible() and label.width() > 0:
                label.setMinimumHeight(label.heightForWidth(label.width()))
        layout = self.answer_pane.layout()
        if layout is not None:
            layout.activate()

    def _fitting_size(self, width: int, height: int) -> QSize:
        """The wanted size, shrunk to the screen's free area (small laptop screens)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return QSize(width, height)
        free = screen.availableGeometry()
        return QSize(min(width, free.width() - 40), min(height, free.height() - 60))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit_labels()

    def _load_media(self, view: AnswerView) -> None:
        a = view.answer
        if a.answer_type == "text":
            self.player.show_text(a.text or "(no text)")
            return
        if a.media_path is None or not a.media_path.exists():
            self.player.show_message("The media file of this answer is missing from the library.")
            return
        self.player.load_media(a.media_path, "audio" if a.answer_type == "audio" else "video")
        if a.answer_type == "audio":
            answer_id = a.id

            def done(levels: list[float]) -> None:
                if self.current_answer_id == answer_id:
                    self.player.set_waveform(levels)

            run_task(lambda _p: self.service.waveform(a), done, log_failure(f"waveform {a.id}"))

    def _show_scoring(self, view: AnswerView) -> None:
        score = view.score
        pinned = [PinnedNote(n.id, n.position_ms, n.text) for n in view.notes]
        submitted = view.submitted
        if submitted:
            status = "Submitted. A change needs a correction with a reason."
        elif score is not None and score.score is not None:
            status = "Draft saved. Submit when you have scored every answer."
        else:
            status = "Choose a level (keys 1-5). Everything saves as you go."
        self.rubric.show_answer(
            view.rubric,
            score.score if score else None,
            score.note if score else "",
            pinned,
            read_only=submitted,
            status=status,
        )
        self.correct_button.setVisible(submitted)
        rec = view.recommendation
        rec_locked = rec is not None and rec.status == "submitted"
        self.recommend_group.setExclusive(False)
        for value, b in self.recommend_buttons.items():
            b.setChecked(rec is not None and rec.value == value)
            b.setEnabled(not rec_locked)
        self.recommend_group.setExclusive(True)
        actor = self.service.actor_for(self.current_reviewer_id)
        missing = self.service.unscored_answers(actor, submission_id=view.submission.id)
        statuses = self.service.answer_statuses(actor, submission_id=view.submission.id)
        all_submitted = set(statuses.values()) == {"scored"}
        self.submit_button.setEnabled(not missing and not all_submitted)
        if all_submitted:
            self.submit_hint.setText("Your scores for this candidate are submitted.")
        elif missing:
            self.submit_hint.setText(f"{len(missing)} of {view.count} answers still need a score.")
        else:
            self.submit_hint.setText("Every answer has a score: ready to submit.")

    # -- scoring actions ----------------------------------------------------------------------

    def _guard(self, action: Any) -> Any:
        try:
            return action()
        except OneTakeError as error:
            QMessageBox.warning(self, "OneTake", str(error))
            return None

    def _on_score(self, score: int) -> None:
        if self.view is None:
            return
        answer_id = self.view.answer.id
        note = self.rubric.note_text()
        if self._guard(
            lambda: self.service.save_score(
                self.service.actor_for(self.current_reviewer_id),
                answer_id=answer_id,
                score=score,
                note=note,
            )
        ):
            self._after_change()

    def _on_note(self, note: str) -> None:
        if self.view is None or self.view.submitted:
            return
        answer_id = self.view.answer.id
        current = self._guard(
            lambda: self.service.my_score(
                self.service.actor_for(self.current_reviewer_id), answer_id=answer_id
            )
        )
        score = current.score if current is not None else None
        if self._guard(
            lambda: self.service.save_score(
                self.service.actor_for(self.current_reviewer_id),
                answer_id=answer_id,
                score=score,
                note=note,
            )
        ):
            self._after_change(reload_view=False)

    def _on_pin(self, text: str) -> None:
        if self.view is None:
            return
        answer_id, position = self.view.answer.id, self.player.position()
        if self._guard(
            lambda: self.service.add_note(
                self.service.actor_for(self.current_reviewer_id),
                answer_id=answer_id,
                position_ms=position,
                text=text,
            )
        ):
            self._after_change()

    def _on_unpin(self, note_id: int) -> None:
        self._guard(
            lambda: self.service.delete_note(
                self.service.actor_for(self.current_reviewer_id), note_id=note_id
            )
        )
        self._after_change()

    def _recommend(self, value: str) -> None:
        if self.view is None:
            return
        sid = self.view.submission.id
        self._guard(
            lambda: self.service.set_recommendation(
                self.service.actor_for(self.current_reviewer_id),
                submission_id=sid,
                value=value,  # type: ignore[arg-type]
            )
        )
        self._after_change()

    def _correct(self) -> None:
        if self.view is None or self.view.score is None:
            return
        score, ok = QInputDialog.getInt(
            self, "Correct a submitted score", "New score (1-5):", self.view.score.score or 3, 1, 5
        )
        if not ok:
            return
        reason, ok = QInputDialog.getText(
            self, "Correct a submitted score", "Why does this score change?"
        )
        if not ok or not reason.strip():
            return
        answer_id, note = self.view.answer.id, self.view.score.note
        self._guard(
            lambda: self.service.correct_score(
                self.service.actor_for(self.current_reviewer_id),
                answer_id=answer_id,
                score=score,
                note=note,
                reason=reason,
            )
        )
        self._after_change()

    def submit_candidate(self) -> None:
        if self.view is None:
            return
        self.rubric.flush_note()
        sid = self.view.submission.id
        count = self._guard(
            lambda: self.service.submit_candidate(
                self.service.actor_for(self.current_reviewer_id), submission_id=sid
            )
        )
        if count is not None:
            name = self.shown_name(sid)[0]
            self.statusBar().showMessage(f"Submitted {count} scores for {name}.", 5000)
        self._after_change()

    def _after_change(self, reload_view: bool = True) -> None:
        if self.view is None:
            return
        self._refresh_statuses(self.view.submission.id)
        if reload_view:
            self.view = self.service.answer_view(
                self.service.actor_for(self.current_reviewer_id), answer_id=self.view.answer.id
            )
            self._show_scoring(self.view)

    # -- import, definitions, export ----------------------------------------------------------

    def choose_bundles(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import bundles",
            str(Path.home()),
            "Submission bundles (*.onetake *.onetake.age);;All (*)",
        )
        if files:
            self.import_paths([Path(f) for f in files])

    def _unlock_keys_for(self, paths: Sequence[Path]) -> bool:
        """Encrypted bundles (issue 13): ask once for the organisation key's passphrase.
        False when the reviewer cancels or the passphrase opens no key (nothing imported)."""
        from onetake_desktop.services.keys import key_service_for_library, passphrase_needed

        with key_service_for_library(self.service.library_root()) as keys:
            needed = passphrase_needed(paths, keys)
            if not needed:
                return True
            names = ", ".join(sorted({k.organisation for k in needed}))
            passphrase, ok = QInputDialog.getText(
                self,
                "Encrypted bundles",
                f"Some bundles are encrypted to your organisation key ({names}).\n"
                "Passphrase of the key:",
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                return False
            try:
                keys.unlock_all(passphrase)
            except OneTakeError as error:
                QMessageBox.warning(self, "OneTake", str(error))
                return False
        return True

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of bundles")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: Sequence[Path]) -> None:
        """Verify and import in the background; the window stays responsive."""
        if self.importing:
            self.statusBar().showMessage("An import is already running.", 3000)
            return
        if not self._unlock_keys_for(list(paths)):
            return
        self.importing = True
        self.import_action.setEnabled(False)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.statusBar().showMessage("Checking and importing bundles…")
        root = self.service.library_root()
        paths = list(paths)

        def work(progress: Any) -> ImportReport:
            worker = open_reviewer_service(root)  # its own connection, on the worker thread
            try:
                return worker.import_paths(paths, progress, workers=2)
            finally:
                worker.close()

        run_task(work, self._import_done, self._import_failed, self._import_progress)

    def _import_progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(1000 * done / total) if total else 0)

    def _import_done(self, report: ImportReport) -> None:
        self._import_finished()
        self.last_import = report
        self.statusBar().showMessage(f"Import finished: {report.summary()}", 8000)
        flagged = [o for o in report.imported if o.needs_definition]
        if report.refused or flagged:
            self.refused_list.clear()
            for o in report.refused:
                self.refused_list.addItem(f"{o.path.name}: {o.reason}")
            for o in flagged:
                self.refused_list.addItem(
                    f"{o.path.name}: imported; add its interview definition to see the rubric."
                )
            self.import_title.setText(f"Import finished: {report.summary()}")
            self.import_box.setVisible(True)
        self.reload_library()
        first = next((o.submission_id for o in report.imported if o.submission_id), None)
        if self.current_answer_id is None and first is not None:
            answers = self.service.answers(first)
            if answers:
                self.show_answer(answers[0].id)

    def _import_failed(self, error: BaseException) -> None:
        self._import_finished()
        QMessageBox.warning(self, "OneTake", f"The import stopped: {error}")

    def _import_finished(self) -> None:
        self.importing = False
        self.import_action.setEnabled(True)
        self.progress.setVisible(False)

    def choose_definition(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Add interview definition",
            str(Path.home()),
            "Interview definitions (*.onetakeinterview);;All (*)",
        )
        if path:
            self.add_definition(Path(path))

    def add_definition(self, path: Path) -> bool:
        record = self._guard(lambda: self.service.add_definition_file(path))
        if record is None:
            return False
        self.statusBar().showMessage(f"Added the definition of {record.role_title}.", 5000)
        self.reload_library()
        if self.current_answer_id is not None:
            self.show_answer(self.current_answer_id)
        return True

    def choose_export(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export scores", str(Path.home() / "scores.csv"), "CSV (*.csv);;JSON (*.json)"
        )
        if path:
            fmt = "json" if path.endswith(".json") or "JSON" in chosen else "csv"
            self.export_scores(Path(path), fmt)

    def export_scores(self, path: Path, fmt: str) -> None:
        self.rubric.flush_note()
        # While panelists share the library an export file may travel further than the
        # screen: only submitted scores go in, never a draft (issue 8).
        submitted_only = self.service.has_panelists()
        count = self._guard(
            lambda: self.service.export_scores(
                self.service.actor_for(self.current_reviewer_id),
                fmt=fmt,
                out=path,
                submitted_only=submitted_only,
            )
        )
        if count is not None:
            which = "submitted scores" if submitted_only else "scores"
            self.statusBar().showMessage(f"Exported {count} {which} to {path}.", 6000)

    # -- drag and drop, closing ---------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def closeEvent(self, event: Any) -> None:
        self.rubric.flush_note()
        self.player.clear()
        from onetake_desktop.ui.tasks import wait_for_tasks

        wait_for_tasks(30_000)
        super().closeEvent(event)
        self.service.close()
