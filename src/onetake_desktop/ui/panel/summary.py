"""The panel summary: each panelist's submitted score per candidate and question, mean,
median, spread, disagreement flags, Krippendorff's alpha per question, rater leniency, and a
chart of the score distribution. Only what the viewer may see (their submitted answers).

The table is a view on a model that makes each cell's text when Qt paints it, so a panel of
10,000 candidates opens as fast as one of ten (no widget item per cell, rows of a fixed
height rather than measured one by one)."""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.panel import SCORE_MAX, SCORE_MIN
from onetake_desktop.services.panel import DECISION_LABELS, Actor, PanelService
from onetake_desktop.services.panel_records import PanelView
from onetake_desktop.ui.panel.common import InterviewPicker, PanelWindow
from onetake_desktop.ui.widgets.fit import fit_to_screen
from onetake_desktop.ui.widgets.flags import flagged as with_mark
from onetake_desktop.ui.widgets.flags import flags_tooltip
from onetake_desktop.ui.widgets.plain import plain_tooltip
from onetake_desktop.ui.widgets.wheel import wheel_when_focused

FLAG_BACKGROUND = QColor("#fdecea")
LOCKED_TEXT = "submit yours to see"
BAR_COLOURS = ("#1f5fa8", "#d97706", "#2f855a", "#7b4fa8", "#b42318", "#4a5568")
LOCKED_COLOUR = QColor("#6b7686")
FLAGGED_SHOWN = 6  # disagreements named under the table; the rest are counted
SCORE_LINES = 6  # panelists' lines a cell's height holds; more are in its tooltip
FIRST_QUESTION = 3  # columns: Candidate, Mean, Decision, Q1, Q2, ...
NAME_EMS = 16  # the Candidate column's widest (a longer name is cut, whole in its tooltip)


def _tick_step(top: int, ticks: int = 10) -> int:
    """A whole, round step (1, 2, 5, 10, 20, ...) giving at most ``ticks`` steps up to top."""
    step = 1
    while top > step * ticks:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if top <= step * ticks:
                break
    return step


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


_Index = QModelIndex | QPersistentModelIndex


class SummaryModel(QAbstractTableModel):
    """One row per candidate: name, mean, decision, then one column per question (plain
    text). The mean and the decision come first: on a narrow screen the questions scroll
    sideways and those two stay in sight."""

    def __init__(self, window: SummaryWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view: PanelView | None = None

    def reset(self, view: PanelView) -> None:
        self.beginResetModel()
        self.view = view
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if self.view is None or parent.isValid() else len(self.view.candidates)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if self.view is None or parent.isValid() else len(self.view.questions) + 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and section >= FIRST_QUESTION:
            return plain_tooltip(self.window.question_legend(section - FIRST_QUESTION + 1))
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if section < FIRST_QUESTION:
            return ("Candidate", "Mean", "Decision")[section]
        return f"Q{section - FIRST_QUESTION + 1}"

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        view = self.view
        if view is None or not index.isValid():
            return None
        c = view.candidates[index.row()]
        col = index.column()
        if col >= FIRST_QUESTION:
            q = view.questions[col - FIRST_QUESTION]
            if role == Qt.ItemDataRole.DisplayRole:
                return self.window.cell_text(c.submission_id, q)
            stats = view.stats(c.submission_id, q)
            if role == Qt.ItemDataRole.ToolTipRole:  # the whole cell, should it be cut short
                flag = stats is not None and stats.disagreement
                text = self.window.cell_text(c.submission_id, q)
                # Names of panelists and candidates: shown literally, never as rich text.
                return plain_tooltip(
                    text + ("\nPanelists are 2 or more points apart." if flag else "")
                )
            if role == Qt.ItemDataRole.ForegroundRole and stats is None:
                return QBrush(LOCKED_COLOUR)
            flagged = stats is not None and stats.disagreement
            if role == Qt.ItemDataRole.BackgroundRole and flagged:
                return QBrush(FLAG_BACKGROUND)
            return None
        if col == 0 and role == Qt.ItemDataRole.ToolTipRole:  # the whole name, should it be cut
            return flags_tooltip(c.flags, c.name)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return with_mark(c.name, c.flags)
        if col == 1:
            mean = view.summary.candidate_means.get(c.submission_id)
            return _fmt(mean) if view.candidate_open(c.submission_id) else LOCKED_TEXT
        if col == 2:
            return DECISION_LABELS[c.decision.decision] if c.decision else "–"
        return None


class SummaryWindow(PanelWindow):
    def __init__(self, parent: QWidget, service: PanelService, actor: Actor) -> None:
        super().__init__(parent, "Panel summary")
        self.setObjectName("SummaryWindow")
        self.service = service
        self.actor = actor  # the signed-in panelist; stops working when the panel locks
        self.viewer_id = actor.reviewer_id
        self.view: PanelView | None = None
        fit_to_screen(self, 1180, 780)

        self.picker = InterviewPicker(service)
        title = QLabel("Panel summary")
        title.setObjectName("PanelTitle")
        self.explain = QLabel(
            "A cell opens once you have submitted your own score for it. ⚑ marks answers where "
            "panelists are 2 or more points apart: talk about those first."
        )
        self.explain.setObjectName("Hint")
        self.explain.setWordWrap(True)
        self.legend = QLabel("")
        self.legend.setObjectName("Hint")
        self.legend.setWordWrap(True)

        self.model = SummaryModel(self)
        self.table = QTableView()
        self.table.setObjectName("SummaryTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        # One panelist per line, score first, each line cut on its own: a long name loses
        # its end, never its score (wrapping cut the second panelist's score off).
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        # A fixed height (the panel's lines, then one of figures), so no row is ever measured.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.ensurePolished()  # the style sheet's font, not the default one, sizes rows
        self._row_height(2)
        self.agreement = QLabel("")
        self.agreement.setObjectName("AgreementLabel")
        self.agreement.setWordWrap(True)
        self.leniency = QTableWidget()
        self.leniency.setObjectName("LeniencyTable")
        self.leniency.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.leniency.verticalHeader().setVisible(False)

        self.chart_question = wheel_when_focused(QComboBox())  # in the statistics' scroll
        self.chart_question.setAccessibleName("Question shown in the chart")
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(240)

        lower_left = QWidget()
        ll = QVBoxLayout(lower_left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("Agreement per question (Krippendorff's alpha, ordinal)"))
        ll.addWidget(self.agreement)
        ll.addWidget(QLabel("Rater leniency: each panelist's mean against the panel's"))
        ll.addWidget(self.leniency, 1)
        lower_right = QWidget()
        lr = QVBoxLayout(lower_right)
        lr.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Distribution of scores for"))
        row.addWidget(self.chart_question, 1)
        lr.addLayout(row)
        lr.addWidget(self.chart_view, 1)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(lower_left)
        lower.addWidget(lower_right)
        lower.setStretchFactor(1, 1)
        lower.setSizes([540, 640])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        # The statistics scroll rather than squeeze the table to nothing on a short screen.
        lower_scroll = QScrollArea()
        lower_scroll.setWidgetResizable(True)
        lower_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # What the table's marks and columns mean: read once, so below it where a short
        # screen scrolls them rather than squeezing the table (each header's tooltip says its
        # question too). Above the splitter, not in it: a splitter's pane does not grow for a
        # wrapped label's lines, which were cut off.
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 4, 0, 0)
        below_layout.addWidget(self.explain)
        below_layout.addWidget(self.legend)
        below_layout.addWidget(lower, 1)
        lower_scroll.setWidget(below)
        split.addWidget(lower_scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        # The table first: on a short screen the statistics below scroll, the rows should not
        # shrink to one or two (sizes are shares of the height the window gets).
        split.setSizes([650, 350])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.picker)
        layout.addWidget(title)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

        self.picker.changed.connect(lambda _: self.refresh())
        self.chart_question.currentIndexChanged.connect(lambda _: self._fill_chart())
        self.refresh()

    def refresh(self) -> None:
        pk = self.picker.interview_pk()
        if not pk:
            self.agreement.setText("No candidates yet.")
            return
        self.view = self.service.view(self.actor, interview_pk=pk)
        self._fill_table()
        self._fill_agreement()
        self._fill_leniency()
        current = self.chart_question.currentData()
        self.chart_question.blockSignals(True)
        self.chart_question.clear()
        for i, q in enumerate(self.view.questions, start=1):
            self.chart_question.addItem(f"Question {i} ({q})", q)
        self.chart_question.addItem("All questions", "")
        index = self.chart_question.findData(current)
        self.chart_question.setCurrentIndex(max(0, index))
        self.chart_question.blockSignals(False)
        self._fill_chart()

    def _row_height(self, panelists: int) -> None:
        lines = min(max(panelists, 1), SCORE_LINES) + 1
        spacing = self.table.fontMetrics().lineSpacing()
        self.table.verticalHeader().setDefaultSectionSize(spacing * lines + 12)

    def question_legend(self, number: int) -> str:
        """ "Q2: " and the second question's text."""
        assert self.view is not None
        pk = self.picker.interview_pk()
        question = self.view.questions[number - 1]
        return f"Q{number}: " + self.service.question_text(interview_pk=pk, question_id=question)

    def cell_text(self, submission_id: int, question_id: str) -> str:
        """What the table shows for one answer (tests read it): a line per panelist, score
        first, then the figures."""
        assert self.view is not None
        stats = self.view.stats(submission_id, question_id)
        if stats is None:
            return LOCKED_TEXT
        names = self.view.panelists
        scores = "\n".join(
            f"{s}  {names[p]}" for p, s in sorted(stats.scores.items(), key=lambda x: names[x[0]])
        )
        flag = "  ⚑" if stats.disagreement else ""
        return (
            f"{scores}\nmean {_fmt(stats.mean)} · median {_fmt(stats.median)} · "
            f"spread {stats.spread}{flag}"
        )

    def _fill_table(self) -> None:
        view = self.view
        assert view is not None
        legend = [self.question_legend(i) for i in range(1, len(view.questions) + 1)]
        self.legend.setText("\n".join(legend))
        self._row_height(len(view.panelists))
        self.model.reset(view)
        header = self.table.horizontalHeader()
        # Sized from the text they can hold, not by measuring 10,000 rows. A question column
        # holds its line of figures: on a narrow screen the questions scroll sideways rather
        # than cut the scores; the last column takes what is left on a wide one.
        metrics = self.table.fontMetrics()
        name_width = max(
            (metrics.horizontalAdvance(c.name) for c in view.candidates[:200]), default=0
        )
        figures = metrics.horizontalAdvance("mean 4.67 · median 4.5 · spread 2  ⚑")
        widths = [
            min(
                max(name_width, metrics.horizontalAdvance("Candidate")),
                metrics.horizontalAdvance("M") * NAME_EMS,
            ),
            metrics.horizontalAdvance(LOCKED_TEXT),
            metrics.horizontalAdvance("Decline  "),
            *([figures] * len(view.questions)),
        ]
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate(widths):
            header.resizeSection(col, width + 24)

    def alpha_text(self, question_id: str) -> str:
        assert self.view is not None
        if not self.view.question_open(question_id):
            return LOCKED_TEXT
        alpha = self.view.alpha(question_id)
        if alpha is None:
            return "not defined yet (needs two panelists on the same answers, and some variation)"
        return f"{alpha:.3f}"

    def _fill_agreement(self) -> None:
        view = self.view
        assert view is not None
        lines = [
            f"Q{i} ({q}): α = {self.alpha_text(q)}" for i, q in enumerate(view.questions, start=1)
        ]
        flagged = view.disagreements()
        if flagged:
            more = len(flagged) - FLAGGED_SHOWN
            lines.append(
                "⚑ 2+ points apart: "
                + "; ".join(f"{view.by_id[s].name} on {q}" for s, q in flagged[:FLAGGED_SHOWN])
                + (f"; and {more} more (⚑ in the table)" if more > 0 else "")
            )
        self.agreement.setText("\n".join(lines))

    def _fill_leniency(self) -> None:
        view = self.view
        assert view is not None
        rows = view.summary.leniency
        self.leniency.clear()
        self.leniency.setColumnCount(5)
        self.leniency.setHorizontalHeaderLabels(
            ["Panelist", "Answers", "Their mean", "Panel mean", "Difference"]
        )
        self.leniency.setRowCount(len(rows))
        for r, x in enumerate(rows):
            diff = f"{x.difference:+.2f}"
            for col, text in enumerate(
                (
                    view.panelists[x.panelist_id],
                    str(x.count),
                    _fmt(x.own_mean),
                    _fmt(x.panel_mean),
                    diff,
                )
            ):
                item = QTableWidgetItem(text)
                if col == 0:  # the whole name, should it be cut
                    item.setToolTip(plain_tooltip(text))
                self.leniency.setItem(r, col, item)
        # The figures at their width, the name in what is left (cut, never "Difference").
        header = self.leniency.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def distribution(self, question_id: str) -> dict[int, list[int]]:
        """Panelist id -> count of each score 1..5 among the visible cells."""
        assert self.view is not None
        return self.view.summary.cells.counts(question_id)

    def _fill_chart(self) -> None:
        if self.view is None:
            return
        chart = self.chart
        chart.removeAllSeries()
        for axis in list(chart.axes()):
            chart.removeAxis(axis)
        question = self.chart_question.currentData() or ""
        counts = self.distribution(question)
        series = QBarSeries()
        top = 1
        for i, (p, values) in enumerate(
            sorted(counts.items(), key=lambda x: self.view.panelists[x[0]])  # type: ignore[union-attr]
        ):
            bar = QBarSet(self.view.panelists[p])
            bar.setColor(QColor(BAR_COLOURS[i % len(BAR_COLOURS)]))
            bar.append([float(v) for v in values])
            series.append(bar)
            top = max(top, *values)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append([str(s) for s in range(SCORE_MIN, SCORE_MAX + 1)])
        x.setTitleText("Score")
        y = QValueAxis()
        step = _tick_step(top)  # one tick per answer would be thousands on a large panel
        top = -(-top // step) * step
        y.setRange(0, top)
        y.setTickCount(top // step + 1)
        y.setLabelFormat("%d")
        y.setTitleText("Answers")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        chart.setTitle("" if counts else "Nothing to show until you submit your scores.")
