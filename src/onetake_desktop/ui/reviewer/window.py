"""The reviewer window: the library on the left, the answer and its question in the middle,
the rubric and the candidate's recommendation on the right.

Everything the reviewer does saves at once through :class:`ReviewerService`; imports run on a
worker thread (``run_task``) with their own database connection and report back here.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QModelIndex, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError

# Our modules that load after PySide6 are named by their package ("from package import
# module"), not by their own name: PySide6's import hook reads the source of the module an
# import statement returns, the first time it sees its name (inspect.getsource, kept in
# linecache), so "from services.reviewer import X" reads reviewer.py's 31 KB at the window's
# start and "from services import reviewer" only the package's __init__ (issue 17).
from onetake_desktop.services import panel as panel_services
from onetake_desktop.services import reviewer as reviewer_services
from onetake_desktop.ui.widgets.first_paint import after_first_paint
from onetake_desktop.ui.widgets.flags import flags_tooltip, header_text
from onetake_desktop.ui.widgets.plain import (
    ElidedLabel,
    make_plain,
    plain_label,
    plain_tooltip,
    warn,
)
from onetake_desktop.ui.widgets.qt_numbers import (
    AlignmentFlag,
    ArrowType,
    FocusPolicy,
    ShortcutContext,
    TextElideMode,
    TextInteractionFlag,
    set_properties,
)

# Not typing's: PySide6's import hook reads the source of each module an import statement
# names after it has loaded (typing.py, collections/abc.py: ~0.6 ms; issue 17; see
# ui/candidate/window.py). mypy reads any TYPE_CHECKING alike.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, Literal

if TYPE_CHECKING:  # Qt's Python classes are made on first use, each with its enums (issue 17)
    # (pathlib too, where a path is made: PySide6's import hook reads the source of each
    # module an import statement names after it loads, pathlib.py ~0.2 ms: issue 17.)
    from pathlib import Path

    from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFontMetrics, QKeyEvent
    from PySide6.QtWidgets import QAbstractButton, QListWidget

if TYPE_CHECKING:  # with the panes: a window locked at start builds them after its first frame
    from onetake_desktop.ui.reviewer.library_model import AnswerRow

if TYPE_CHECKING:  # the importer (bundles, probes, zip checks) loads on the first import
    from onetake_desktop.services.context import AppContext
    from onetake_desktop.services.importing import ImportReport
    from onetake_desktop.services.panel import PanelService
    from onetake_desktop.services.reviewer import AnswerView, ReviewerService

STYLE = """
QLabel#QuestionText { font-size: 12pt; font-weight: 600; }
QLabel#QuestionMeta { color: #4a5568; font-size: 10pt; }
QLabel#Facts { color: #3c4657; }
QLabel#Candidate { font-size: 13pt; font-weight: 600; }
QFrame#ImportBox {
    background: #fff7e6; border: 1px solid #e0b251; border-radius: 8px; margin: 6px 8px 0 8px;
}
QLabel#Flag { background: #fff7e6; border: 1px solid #e0b251; border-radius: 6px; padding: 6px; }
QPushButton#RecommendButton:checked { background: #1f5fa8; color: #ffffff; border-color: #1f5fa8; }
QProgressBar::chunk { background: #a9cbf2; }
"""


SIGN_IN_TO_IMPORT = "Sign in to import bundles."  # dropped while locked (the cursor refuses)


# The recommendation's title: one line on a short window (its rubric takes one line a level).
RECOMMEND_TITLE = {
    False: "Overall recommendation for this candidate",
    True: "Overall recommendation",
}
TREE_INDENTATION = 12  # the library tree's, in pixels (its width is measured before it is made)


def _seconds(value: float) -> str:
    from onetake_desktop.ui.widgets import player  # loaded with the panes (module: see top)

    return player.format_ms(round(value * 1000))


class _EndedImport:
    """An import that ended and is not yet read or dismissed by who started it: its report,
    or why it stopped (``report`` None), and whether its end was told (ReviewerWindow.
    _tell_import). A plain class: a NamedTuple costs its compile at every start (issue 17)."""

    __slots__ = ("error", "report", "told")

    def __init__(self, report: ImportReport | None, error: str, told: bool) -> None:
        self.report = report
        self.error = error
        self.told = told


class ReviewerWindow(QMainWindow):
    """Signals for features layered on top (the panel): ``answer_shown(answer_id)`` after an
    answer and its candidate are on screen, ``library_reloaded()`` after the tree is rebuilt.

    ``blind_codes`` is the one place the window asks who a candidate is shown as: it returns
    submission id -> code for candidates whose name and email must stay hidden (the panel's
    blind mode installs it). Every text that names a candidate goes through ``shown_name``.
    """

    _import_box: tuple[QFrame, QLabel, QListWidget] | None  # made on first use

    answer_shown = Signal(int)
    library_reloaded = Signal()

    def __init__(
        self,
        service: ReviewerService,
        reviewer_id: int | None = None,
        panel_service: PanelService | None = None,  # the context's, on this window's library
        context: AppContext | None = None,
    ) -> None:
        """``context``: the app's (app.py's); its paths hold the transcripts' model cache.
        Without one (tests, benches) the environment's paths are read, as
        ``AppContext.from_environment`` reads them."""
        super().__init__()
        self.service = service
        self.context = context
        self.current_reviewer_id: int = reviewer_id or service.default_reviewer.id
        self.current_submission_id: int | None = None
        self.current_answer_id: int | None = None
        self.view: AnswerView | None = None
        self.importing = False
        self._painted = False  # the first frame is out (see _fill_library)
        self.last_import: ImportReport | None = None
        # Each panelist's last import, ended but not yet read or dismissed (None: the lone
        # reviewer's): its report, or why it stopped, and whether its end was told. Who may
        # read which is the panel's policy (_readable_import).
        self._import_reports: dict[int | None, _EndedImport] = {}
        self._import_owner: int | None = None
        # Bundles and folders opened while the panel is locked (``onetake review BUNDLE``, a
        # double-clicked file) are kept by the panel service, in the library's folder, and
        # imported right after the next sign-in that may (_import_waiting). These are the kept
        # ones the running import was started with: off the list once it has reported them.
        self._importing_waiting: list[Path] = []
        # Who is hidden is the policy's: the service answers even before a panel controller
        # installs its own view of it (which goes through the same service).
        self.blind_codes: Callable[[], Mapping[int, str]] = service.hidden_codes
        self._resume: tuple[int, int] | None = None  # (reviewer, answer) hidden by a lock
        self.setWindowTitle("OneTake: review interviews")
        self.setObjectName("ReviewerWindow")
        self.setStyleSheet(STYLE)
        # Small enough for 1366x768 at 150 % (910x512 logical pixels) and 1024x600 netbooks.
        self.setMinimumSize(800, 480)
        self.resize(self._fitting_size(1320, 900))
        self.setAcceptDrops(True)

        self._dirty_answers: set[int] = set()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh_dirty)
        # A column over the panes, so a banner (the retention warning) goes above them
        # without taking the central widget out and back. Built top-down: the column and the
        # splitter are in the window before the panes go in, so each finished pane is moved
        # once (each move into a new parent restyles every widget moved: 10-30 ms at start-up).
        central = QWidget()
        self.central_column = QVBoxLayout(central)
        self.central_column.setContentsMargins(0, 0, 0, 0)
        self.central_column.setSpacing(0)
        # Side by side: a splitter's own orientation (naming Qt's would build its namespace
        # before the first paint: ui/widgets/qt_numbers.py).
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(5)  # before the panes: later, it lays them all out again
        self.central_column.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.splitter = splitter
        self._user_sized = False  # once the reviewer drags a divider, their sizes stay
        self._compact = False
        self._compact_set = False
        splitter.splitterMoved.connect(lambda *_: setattr(self, "_user_sized", True))
        # The library, answer and scoring panes: built below, or, when the panel locks the
        # window at start, right after its first frame (the lock screen alone) or at the first
        # touch of any of their parts, whichever comes first (_ensure_panes, __getattr__).
        self._panes_state = "none"  # "building", "built"
        self._scoring_page_built = False  # see _ensure_scoring_page
        self._panes_late = False  # built after the panel's widgets (see _install_transcripts)
        self._when_library_view: list[Callable[[], object]] = []  # see _ensure_library_view
        self._library_view_building = False
        self._status_compact = False  # the status column's marks only (_set_compact)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setVisible(False)
        self.statusBar().addPermanentWidget(self.progress)
        self._build_menus()
        # The library is filled once, at the end of building: the features below (blind
        # codes, the panel's lock) would each refill it, or empty it again, on the way.
        self._building = True
        self._reload_pending = False
        self._transcripts_pending = False
        from onetake_desktop.ui import panel as panel_ui  # the package, not its name: see top

        if panel_service is None:  # as install_panel_features would make it
            panel_service = panel_services.PanelService(service.library)
        locked = panel_ui.locks_at_start(panel_service)
        if not locked:  # first, as in the focus chain (Tab, the first focus)
            self._ensure_panes()
        # Scores written anywhere on this library (question mode, panel windows) update the
        # tree live, not at the next sign-in.
        self._stop_watching = service.watch_scores(self._on_scores_written)

        from onetake_desktop.ui.reviewer import privacy  # the module by its package: see top

        # Before the panel: its lock then hides the retention banner with the rest.
        privacy.install_privacy_features(self)  # erase, keep longer, retention banner and start-up
        self.panel = panel = panel_ui.install_panel_features(self, panel_service)
        audio = panel.actions.get("audio_only")
        if audio is not None:
            audio.toggled.connect(self._on_panel_audio_only)
        self._transcripts_pending = True  # (set_reviewer adds them first from now on)
        if not panel.lock_screen_shown():
            self._ensure_panes()  # built above already, unless locks_at_start said otherwise
            self._transcripts_pending = False
            self.set_reviewer(self.current_reviewer_id)
            self._transcripts_pending = True
            self._install_transcripts()
        else:
            # Locked: the first frame is the lock screen alone. The panes, and the transcripts
            # beside the player, come right after it, or at the first sign-in (set_reviewer)
            # or touch of a pane if sooner (issue 17). Nothing of anyone's is shown or filled
            # behind the lock (lock_out); the menus' items are in place and disabled.
            self._show_settings(self.current_reviewer_id)
            after_first_paint(self, self._install_transcripts)
        self._building = False
        # The rest of a large library's rows (see reload_library), once the first frame is out.
        after_first_paint(self, self._first_frame_out)
        if self._reload_pending:  # not when the panel locked the window: nothing to show
            self.reload_library()

    # Every attribute the panes set (_ensure_panes): reading one before they are built builds
    # them, complete, first (any path: a test, a panel window, a shortcut, a drop, privacy).
    PANE_ATTRIBUTES = frozenset(
        [
            "library_pane",
            "answer_pane",
            "scoring_pane",
            "search",
            "sort",
            "model",
            "tree",
            "no_match",
            "empty_hint",
            "empty_import",
            "_bar_probe",
            "_import_box",
            "_selecting",
            "question_meta",
            "question_text",
            "question_context",
            "facts",
            "flag",
            "flags_label",
            "card_toggle",
            "card_body",
            "question_card",
            "player_split",
            "player",
            "_picture_minimum",
            "_picture_least",
            "_picture_refit_pending",
            "pins_placeholder",
            "pin_notes",
            "scoring_hint",
        ]
    )
    # The library's tree and its model (_ensure_library_view): made with the panes once the
    # first frame is out; before it, with the first rows or search, or the first touch of
    # either, once the panes are built (the same rule).
    LIBRARY_VIEW_ATTRIBUTES = frozenset(["model", "tree"])
    # Every attribute the scoring page sets (_ensure_scoring_page): the same rule.
    SCORING_PAGE_ATTRIBUTES = frozenset(
        [
            "candidate_label",
            "candidate_email",
            "rubric",
            "correct_button",
            "recommend_group",
            "recommend_buttons",
            "submit_button",
            "submit_hint",
            "recommend_title",
            "scoring_scroll",
            "scoring_content",
        ]
    )

    if not TYPE_CHECKING:  # hidden from mypy, which would then accept any attribute name

        def __getattr__(self, name: str) -> Any:
            # Called only for an attribute not found: a part of the panes, or of the scoring
            # page, before it is built.
            page = name in ReviewerWindow.SCORING_PAGE_ATTRIBUTES
            if page or name in ReviewerWindow.PANE_ATTRIBUTES:
                if self.__dict__.get("_panes_state") == "none":
                    self._ensure_panes()
                if page and self.__dict__.get("_panes_state") == "built":
                    self._ensure_scoring_page()
                if name in ReviewerWindow.LIBRARY_VIEW_ATTRIBUTES and "_bar_probe" in self.__dict__:
                    self._ensure_library_view()
                if name in self.__dict__:
                    return self.__dict__[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def panes_built(self) -> bool:
        return self.__dict__.get("_panes_state") == "built"

    def _ensure_panes(self) -> None:
        """Build the library, answer and scoring panes unless they are: complete, as the
        window built whole has them (its first fill and sign-in do the rest)."""
        if self._panes_state != "none":
            return
        self._panes_state = "building"
        splitter = self.splitter
        # Each pane goes into the splitter before its content goes into it (top-down).
        self.library_pane = QWidget()
        splitter.addWidget(self.library_pane)
        self._build_library_pane()
        self.answer_pane = QWidget()
        splitter.addWidget(self.answer_pane)
        self._build_answer_pane()
        self._build_scoring_pane(splitter)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        playback = self.__dict__.get("playback_menu")
        if playback is not None:  # else _build_menus fills it
            playback.addActions(self.player.actions_for_menu())
        # (Every other label of the panes is made plain text with the scoring page, before
        # any answer can show: _ensure_scoring_page.)
        self._panes_state = "built"
        panel = self.__dict__.get("panel")
        self._panes_late = panel is not None  # after the panel's widgets (see _tab_ring)
        if not self._building or (panel is not None and panel.lock_screen_shown()):
            # Built behind the lock (after the first frame, or at a touch): as set_reviewer
            # and the lock (lock_out) leave them, with the reviewer's speed.
            self._show_settings(self.current_reviewer_id)
            self._clear_answer()
            if self.library_view_built:  # (else made empty)
                self.model.set_rows([])
        # The status column's words or marks, chosen for the window's first size before the
        # model is filled: switching later relays out every row of the tree.
        self._set_compact(0 < self._library_width() < 260)
        if self.isVisible():  # its resize came and went: sized now for the window as it is
            self._apply_sizes()
            self._fit_labels()
        if not self._building:  # (else right after the first frame: _first_frame_out)
            self._ensure_scoring_page()
            self._ensure_library_view()

    def _import_parts(self) -> tuple[QFrame, QLabel, QListWidget]:
        """The import box across the top of the panes (hidden): its title, the list of
        refused bundles and why, and Dismiss; made on first use. Across the window, not in
        the library's column, where each refusal wrapped to a word or two a line (walk s13
        LOW-5); a few lines tall, the rest by scrolling, so the answer keeps its height."""
        if self._import_box is None:
            from PySide6.QtWidgets import QListWidget as ListWidget  # with the box (its enums)

            box = QFrame()
            box.setObjectName("ImportBox")
            box.setVisible(False)
            # Top-down: in the window before its content, above the panes (under a banner).
            column = self.central_column
            column.insertWidget(column.indexOf(self.splitter), box)
            row = QHBoxLayout(box)
            row.setContentsMargins(10, 6, 10, 6)
            text = QVBoxLayout()
            text.setSpacing(4)
            title = QLabel("")
            title.setWordWrap(True)
            make_plain(title)  # names files from outside
            refused = ListWidget()
            refused.setAccessibleName("Refused bundles and why")
            refused.setWordWrap(True)
            # Three lines, then it scrolls.
            lines = 3 * refused.fontMetrics().lineSpacing() + 8
            refused.setMaximumHeight(lines + 2 * refused.frameWidth())
            dismiss = QPushButton("Dismiss")
            dismiss.clicked.connect(self._dismiss_import_report)
            from PySide6.QtCore import Qt  # made after the first paint (qt_numbers.py)

            text.addWidget(title)
            text.addWidget(refused)
            row.addLayout(text, 1)
            row.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)
            self._import_box = (box, title, refused)
        return self._import_box

    @property
    def import_box(self) -> QFrame:
        return self._import_parts()[0]

    @property
    def import_title(self) -> QLabel:
        return self._import_parts()[1]

    @property
    def refused_list(self) -> QListWidget:
        return self._import_parts()[2]

    def _first_frame_out(self) -> None:
        self._painted = True
        self._ensure_panes()  # locked at start: built now, behind the lock screen
        self._ensure_scoring_page()
        self._ensure_library_view()  # an empty library's (its first frame shows the hint)
        from onetake_desktop.ui.reviewer.library_elision import RowElision  # (its module)

        # Questions and interviews keep their beginning when cut; names keep both ends.
        self.tree.setItemDelegate(RowElision(self.tree))
        # The rest of a first page. Should its read fail, the error is reported as any failed
        # read of the library (logged, one sentence: the excepthook) and the rows stay
        # pending: the next lookup, or the next reload, reads them.
        self.model.show_all()

    # -- building -----------------------------------------------------------------------------

    def _install_transcripts(self) -> None:
        if not getattr(self, "_transcripts_pending", False):
            return
        self._transcripts_pending = False
        self._ensure_panes()  # beside the player
        from onetake_desktop.ui.reviewer import transcript  # the module by its package: see top

        if self.context is not None:
            paths = self.context.paths
        else:
            from onetake_desktop.paths import app_paths

            paths = app_paths()
        panel = self.__dict__.get("panel")
        before = set(self._tab_ring()) if panel is not None and self._panes_late else set()
        transcript.install_transcript_features(
            self, paths.cache, painted=self.isVisible() and not self._building
        )
        if before and panel is not None:
            # Tab goes round a ring: built whole, the window's is panes, banner, lock screen,
            # panelist switch, transcripts. Panes built after the panel join it after the
            # switch (the same ring); the transcripts' widgets go to their place, after it.
            previous: QWidget = panel.switch
            for widget in self._tab_ring():
                if widget not in before:
                    QWidget.setTabOrder(previous, widget)
                    previous = widget

    def _tab_ring(self) -> list[QWidget]:
        """The window's widgets that Tab can reach, in the order of its focus chain."""
        # Only after the first paint (the focusPolicy it reads is a Qt namespace enum).
        from PySide6.QtCore import Qt

        out: list[QWidget] = []
        widget = self.nextInFocusChain()
        while widget is not None and widget is not self:
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                out.append(widget)
            widget = widget.nextInFocusChain()
        return out

    def _build_library_pane(self) -> None:
        # Qt classes only the panes name load with them (each makes its Python enums).
        from PySide6.QtWidgets import QComboBox

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search candidates, emails, roles…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the library")
        self.sort = QComboBox()
        self.sort.addItem("Name", "name")
        self.sort.addItem("Imported", "imported")
        self.sort.addItem("Status", "status")
        self.sort.setAccessibleName("Sort candidates by")
        # Search on its own line: the library may be narrow (evidence first).
        top = QVBoxLayout()
        top.setSpacing(4)
        top.addWidget(self.search)
        sort_row = QHBoxLayout()
        sort_row.addWidget(QLabel("Sort by"))
        sort_row.addWidget(self.sort, 1)
        top.addLayout(sort_row)
        layout = QVBoxLayout(self.library_pane)
        layout.setContentsMargins(8, 8, 2, 8)
        layout.addLayout(top)
        self._selecting = False
        self.no_match = plain_label("No candidate matches this search.", object_name="Hint")
        self.no_match.setVisible(False)
        # The empty library's hint, with a button that does what File > Import bundles…
        # (Ctrl+I) does: a first-time reviewer sees what to do, not only read about it.
        self.empty_hint = QWidget()
        hint = QLabel(
            "No interviews yet.\n\nDrop bundles (.onetake) or folders here, or import them "
            "(File > Import bundles…, Ctrl+I)."
        )
        hint.setObjectName("Hint")
        set_properties(hint, alignment=AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        self.empty_import = QPushButton("Import bundles…")
        self.empty_import.setObjectName("PrimaryButton")  # the one thing to do here
        self.empty_import.setToolTip("Choose submission bundles to import (Ctrl+I)")
        self.empty_import.clicked.connect(lambda _=False: self.import_action.trigger())
        column = QVBoxLayout(self.empty_hint)
        column.setContentsMargins(0, 0, 0, 0)
        column.addStretch(1)
        column.addWidget(hint)
        row = QHBoxLayout()  # centred by stretches: an alignment is a Qt namespace enum
        row.addStretch(1)
        row.addWidget(self.empty_import)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)

        # The box listing refused bundles after an import (above the panes) is made with the
        # first such list (import_box): hidden until then, no part of the first frame (issue 17).
        self._import_box = None

        layout.addWidget(self.no_match)
        # (the tree goes here, under the hint for no match, when first needed)
        layout.addWidget(self.empty_hint, 1)
        self.library_pane.setMinimumWidth(150)
        # The tree and its model are made with the first rows, the first search or the first
        # touch of either (_ensure_library_view): an empty library's first frame shows its
        # hint instead, and the tree's twelve widgets, its model and their Qt classes cost
        # ~13 M instructions there (issue 17). Until then the library's width and its first
        # page are measured as the tree would measure them: its font is the pane's, and its
        # scroll bar one of these (a lone hidden bar, not the tree's dozen widgets).
        from PySide6.QtWidgets import QScrollBar  # (see above)

        self._bar_probe = QScrollBar(parent=self.library_pane)
        self._bar_probe.setVisible(False)

        self.search.textChanged.connect(lambda _t: self.reload_library())
        # Enter or Esc hands the keys back to the library, where Space, J/K/L, 1-5 work.
        self.search.returnPressed.connect(lambda: self.tree.setFocus())
        escape = QAction(self.search)
        set_properties(
            escape,
            shortcut=QKeySequence("Esc"),
            shortcutContext=ShortcutContext.WidgetShortcut,
        )
        escape.triggered.connect(self._leave_search)
        self.search.addAction(escape)
        self.sort.currentIndexChanged.connect(lambda _i: self.reload_library())

    @property
    def library_view_built(self) -> bool:
        """Whether the library's tree and model are made (reading ``tree`` makes them)."""
        return "tree" in self.__dict__

    def when_library_view_built(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the library's tree is made (now, if it is): a feature that
        hooks into it (privacy's menu on the tree) without making it for an empty library."""
        if self.library_view_built:
            callback()
        else:
            self._when_library_view.append(callback)

    def _ensure_library_view(self) -> None:
        """Make the library's tree and model unless they are: complete, as the pane built
        whole has them (hidden while the empty library's hint shows; each fill shows it)."""
        if self.library_view_built or self._library_view_building:
            return
        # Asked again while made (before ``tree`` is set), it would make a second tree.
        self._library_view_building = True
        try:
            self._build_library_view()
        finally:
            self._library_view_building = False

    def _build_library_view(self) -> None:
        # Qt classes only the tree names load with it (each makes its Python enums).
        from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView

        # The model's module (and the Qt classes only it names) load with the tree.
        from onetake_desktop.ui.reviewer.library_model import LibraryModel

        model = LibraryModel(self._answer_rows)
        model.replaced.connect(self._library_replaced)
        model.set_compact(self._status_compact)
        # Made in the pane, which is in the window already: made outside and moved in, the
        # tree (its header, viewport and scroll bars) was styled again and laid out once for
        # each change of style and font on the way (~4 M instructions; issue 17).
        tree = QTreeView(self.library_pane)
        tree.setVisible(self.empty_hint.isHidden())  # (each fill shows the one or the other)
        tree.setModel(model)
        # The header's words from a C++ model, not from the library model's Python headerData
        # (see LibraryModel.header_labels); its sections are set up below, on this model.
        tree.header().setModel(model.header_labels)
        tree.setAccessibleName("Library: interviews, candidates and answers")
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setUniformRowHeights(True)
        # The names take what the status column leaves: that column is as wide as the
        # widest text it can show (a few fixed words or marks, and each interview's count;
        # _size_status_column), not sized from the rows by the view (which asked 40,000
        # times at 10,000 candidates) and not wider than a cap.
        header = tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(tree.fontMetrics().averageCharWidth() * 2)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        # A name too long for a narrow tree loses its middle ("Maximiliana…Smythe"): the
        # first and last words tell candidates apart, and the whole name is in the row's
        # tooltip (plain text).
        # (Enum-typed properties are set by number before the first paint: qt_numbers.py.)
        set_properties(tree, textElideMode=TextElideMode.ElideMiddle)
        tree.setIndentation(TREE_INDENTATION)
        layout = self.library_pane.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.empty_hint), tree, 1)
        # Tab reaches it where it did when the pane was built whole: search, sort, tree.
        QWidget.setTabOrder(self.sort, tree)
        tree.selectionModel().currentChanged.connect(self._on_current_index)
        # Styled now, as it was when made with the pane (whose splitter polished it): its
        # font and header are the style sheet's when the first page is measured.
        tree.ensurePolished()
        self.model = model
        self.tree = tree
        self._size_status_column()
        callbacks, self._when_library_view = self._when_library_view, []
        for callback in callbacks:
            callback()

    def _build_answer_pane(self) -> None:
        self.question_meta = QLabel("")
        self.question_meta.setObjectName("QuestionMeta")
        self.question_text = QLabel("Choose an answer in the library.")
        self.question_text.setObjectName("QuestionText")
        self.question_text.setWordWrap(True)
        set_properties(
            self.question_text, textInteractionFlags=TextInteractionFlag.TextSelectableByMouse
        )
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
        # The import checks' flags on this candidate (plain sentences; issue 11).
        self.flags_label = plain_label(object_name="Flag", wrap=True)
        self.flags_label.setAccessibleName("Flagged on import")
        self.flags_label.setVisible(False)
        card = QFrame()
        card.setObjectName("Card")
        c = QVBoxLayout(card)
        c.setContentsMargins(12, 8, 12, 8)
        c.setSpacing(4)
        make_plain(
            self.question_meta, self.question_text, self.question_context, self.facts, self.flag
        )
        # The card folds to its one-line header, so a short screen gives the height to the
        # video; the toggle says what it hides.
        self.card_toggle = QToolButton()
        self.card_toggle.setObjectName("CardToggle")
        self.card_toggle.setCheckable(True)
        self.card_toggle.setChecked(True)
        self.card_toggle.setAutoRaise(True)
        set_properties(
            self.card_toggle, arrowType=ArrowType.DownArrow, focusPolicy=FocusPolicy.TabFocus
        )
        self.card_toggle.setAccessibleName("Show or hide the question")
        self.card_toggle.setToolTip("Show or hide the question and its facts (Q)")
        self.card_toggle.toggled.connect(self.set_card_expanded)
        self.card_toggle.setEnabled(False)  # until an answer shows (show_answer)
        header = QHBoxLayout()
        header.setSpacing(4)
        header.addWidget(self.card_toggle)
        header.addWidget(self.question_meta, 1)
        c.addLayout(header)
        self.card_body = QWidget()
        body = QVBoxLayout(self.card_body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(4)
        for w in (self.question_text, self.question_context, self.facts):
            body.addWidget(w)
        c.addWidget(self.card_body)
        self.question_card = card
        layout = QVBoxLayout(self.answer_pane)
        layout.setContentsMargins(2, 8, 2, 8)
        layout.setSpacing(6)
        layout.addWidget(card)
        layout.addWidget(self.flag)
        layout.addWidget(self.flags_label)
        # The player in a splitter of its own, where the transcript panel goes beside it: in
        # the window before the player goes in (moving it later restyles all of it, issue 17).
        self.player_split = QSplitter()  # side by side: its own orientation (see __init__)
        self.player_split.setChildrenCollapsible(False)
        layout.addWidget(self.player_split, 1)
        from onetake_desktop.ui.widgets import player  # with the panes (module: see top)

        # Made in the window, not outside and moved in (which styles all of it again).
        self.player = player.PlayerWidget(self.player_split)
        self.player_split.addWidget(self.player)
        # In a short window the picture gives way before the player's buttons: its least
        # height is two lines, not a full picture's, so the player's minimum (what the
        # transcript under it leaves it) holds the control row whole (1366x768 x1.5). The
        # written answer's view, made later, gets the same (_load_media).
        self._picture_minimum = 2 * self.player.fontMetrics().lineSpacing() + 8
        self.player.video.setMinimumHeight(self._picture_minimum)
        self.player.waveform.setMinimumHeight(self._picture_minimum)
        # Above that floor the picture keeps a share of the pane's height (_fit_picture).
        self._picture_least = self._picture_minimum
        self._picture_refit_pending = False
        self.pins_placeholder = QVBoxLayout()
        layout.addLayout(self.pins_placeholder)
        self.player.rate_changed.connect(self._on_rate)
        self.player.next_requested.connect(lambda: self.step_answer(+1))
        self.player.previous_requested.connect(lambda: self.step_answer(-1))
        self.player.position_changed.connect(lambda ms: self.pin_notes.set_position(ms))

    def _build_scoring_pane(self, splitter: QSplitter) -> None:
        """The scoring pane as the first frame shows it: its hint (no answer is chosen yet)
        and the notes at moments under the player. The page an answer is scored on comes
        after that frame (_ensure_scoring_page)."""
        from PySide6.QtWidgets import QStackedWidget  # (see above)

        self.scoring_pane = QStackedWidget()
        splitter.addWidget(self.scoring_pane)
        self.scoring_hint = QLabel("Choose an answer to score it against the rubric.")
        self.scoring_hint.setObjectName("Hint")
        set_properties(self.scoring_hint, alignment=AlignmentFlag.AlignCenter)
        self.scoring_hint.setWordWrap(True)
        self.scoring_pane.addWidget(self.scoring_hint)
        self.scoring_pane.setMinimumWidth(230)
        from onetake_desktop.ui.widgets import pinned_notes  # with the panes (see top)

        # The rubric's notes at moments, under the player (the rubric is given them).
        # Made in the window (see the player).
        self.pin_notes = pinned_notes.PinnedNotes(self.answer_pane)
        self.pin_notes.pins.setMaximumHeight(110)
        self.pin_notes.setEnabled(False)  # until an answer shows (show_answer)
        self.pins_placeholder.addWidget(self.pin_notes)
        self.pin_notes.added.connect(self._on_pin)
        self.pin_notes.activated.connect(self.player.seek)
        self.pin_notes.deleted.connect(self._on_unpin)
        # Opening the notes takes height: the picture keeps its share (_fit_picture).
        self.pin_notes.expanded.connect(lambda _on: self._refit_picture())

    def _ensure_scoring_page(self) -> None:
        """Build the page an answer is scored on (candidate, rubric, note, recommendation,
        submit) unless it is: right after the first frame, or at the first touch of one of
        its parts (an answer shown, a test, a key) if sooner. No frame shows it before an
        answer is chosen, and building it cost ~40 M instructions before the first frame of
        an empty library (issue 17). Built, it is as _clear_answer leaves it."""
        if self._scoring_page_built:
            return
        self._ensure_panes()
        self._scoring_page_built = True
        from PySide6.QtCore import Qt  # after the first paint, as the page (qt_numbers.py)

        # Top-down: the scroll area and the scrolled widget are in the window before their
        # content goes in (each move of a finished subtree restyles all of it: 6 ms).
        from PySide6.QtWidgets import QButtonGroup, QGridLayout, QScrollArea  # (see above)

        scroll = QScrollArea()
        scroll.setObjectName("ScoringScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scoring_pane.addWidget(scroll)
        inner = QWidget()
        scroll.setWidget(inner)
        # One line each, cut with "…" (whole in the tooltip): a name with no place to break
        # would otherwise widen the whole pane and push the rubric and buttons out of sight.
        self.candidate_label = ElidedLabel(object_name="Candidate")
        self.candidate_email = ElidedLabel(object_name="Hint")
        # The rubric's module (and the Qt classes only it names) loads with the page.
        from onetake_desktop.ui.widgets.rubric import RubricPanel

        self.rubric = RubricPanel(include_pins=False, scroll_levels=False, pins=self.pin_notes)
        # Short windows: one line per level, the whole anchor of one in a box under them, so
        # the note and Submit are a short scroll away, not three screens (review s11 #16).
        self.rubric.set_compact(self._compact)
        self.correct_button = QPushButton("Correct this score…")
        self.correct_button.setToolTip("A submitted score changes only with a reason")
        self.correct_button.setVisible(False)

        self.recommend_group = QButtonGroup(self)
        rec_row = QGridLayout()
        rec_row.setSpacing(6)
        self.recommend_buttons: dict[str, QPushButton] = {}
        for i, value in enumerate(reviewer_services.RECOMMENDATION_ORDER):
            label = reviewer_services.RECOMMENDATION_LABELS[value]
            b = QPushButton(label)
            b.setObjectName("RecommendButton")
            b.setCheckable(True)
            b.setAccessibleName(f"Recommend: {label}")
            b.setToolTip(f"Recommend: {label} (Ctrl+{i + 1})")
            self.recommend_group.addButton(b)
            self.recommend_buttons[value] = b
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            rec_row.addWidget(b, i // 2, i % 2)
            b.clicked.connect(lambda _=False, v=value: self._recommend(v))
        self.submit_button = QPushButton("Submit (Ctrl+Enter)")
        self.submit_button.setToolTip("Submit your scores for this candidate (Ctrl+Enter)")
        self.submit_button.setObjectName("PrimaryButton")
        self.submit_hint = QLabel("")
        self.submit_hint.setObjectName("Hint")
        self.submit_hint.setWordWrap(True)

        layout = QVBoxLayout(inner)
        layout.setContentsMargins(6, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.candidate_label)
        layout.addWidget(self.candidate_email)
        layout.addWidget(self.rubric, 1)
        layout.addWidget(self.correct_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(6)
        recommend_title = QLabel(RECOMMEND_TITLE[self._compact])
        recommend_title.setWordWrap(True)
        self.recommend_title = recommend_title
        layout.addWidget(recommend_title)
        layout.addLayout(rec_row)
        layout.addWidget(self.submit_button)
        layout.addWidget(self.submit_hint)
        # The whole pane scrolls as one (every anchor in full, whatever the height): a scroll
        # area of its own inside would cut word-wrapped anchors.
        self.scoring_scroll = scroll
        self.scoring_content = scroll

        self.rubric.score_chosen.connect(self._on_score)
        self.rubric.note_changed.connect(self._on_note)
        self.correct_button.clicked.connect(self._correct)
        self.submit_button.clicked.connect(self.submit_candidate)
        # Outside text is plain text: the labels that show names, emails, question texts and
        # file names are set so explicitly where they are built; this sweep keeps any other
        # label of the panes (ours, the rubric's, the player's, the transcripts') from
        # guessing rich text. Here, not with the panes: no answer shows before this page is
        # built (show_answer builds it first), and PySide6 wraps every object the sweep walks
        # (the text views' documents, the combo box's list...), making each one's Python type
        # and enums: ~22 M instructions an empty library's first frame needs nowhere else.
        make_plain(*self.splitter.findChildren(QLabel))
        self._clear_scoring()
        # Tab reaches the page where it did when the panes were built whole: after the
        # player, before the notes at moments (made later, its widgets came last).
        # (setTabOrder moves nothing after a widget Tab cannot reach: from the one before.)
        ring = self._tab_ring()
        page = [w for w in ring if w is scroll or scroll.isAncestorOf(w)]
        others = [w for w in ring if w not in page]
        toggle = others.index(self.pin_notes.toggle)
        previous = others[toggle - 1]
        for widget in page:
            QWidget.setTabOrder(previous, widget)
            previous = widget

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        # Shortcuts as properties: QAction.setShortcut's overloads take the Qt namespace's
        # Key, which PySide6 would build before the first paint (ui/widgets/qt_numbers.py).
        self.import_action = QAction("&Import bundles…", self)
        set_properties(self.import_action, shortcut=QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.choose_bundles)
        self.import_folder_action = QAction("Import a &folder of bundles…", self)
        self.import_folder_action.triggered.connect(self.choose_folder)
        self.definition_action = QAction("&Add interview definition…", self)
        self.definition_action.triggered.connect(self.choose_definition)
        self.export_action = QAction("&Export scores…", self)
        set_properties(self.export_action, shortcut=QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.choose_export)
        quit_action = QAction("&Quit", self)
        set_properties(quit_action, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        for a in (self.import_action, self.import_folder_action, self.definition_action):
            file_menu.addAction(a)
        # Organisation keys (issue 13): their window's module loads when first opened.
        self.keys_action = QAction("Organisation &keys…", self)
        set_properties(self.keys_action, shortcut=QKeySequence("Ctrl+K"))
        self.keys_action.triggered.connect(self._open_keys)
        file_menu.addAction(self.keys_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        # The player's items go in with the player (_ensure_panes).
        self.playback_menu = self.menuBar().addMenu("&Playback")
        self.playback_menu.aboutToShow.connect(self._ensure_panes)  # opened first: complete
        if self.panes_built:
            self.playback_menu.addActions(self.player.actions_for_menu())
        self._build_review_menu()
        self._build_view_menu()

    def _open_keys(self) -> None:
        from onetake_desktop.ui.reviewer.keys import open_keys_window

        open_keys_window(self, self.service.library_root)

    def _action(
        self, text: str, slot: Callable[[], Any], *keys: str, checkable: bool = False
    ) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
            set_properties(action, shortcutContext=ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(lambda _on: slot())
        else:
            action.triggered.connect(lambda _=False: slot())
        self.addAction(action)  # shortcuts work while the menu bar is hidden (full screen)
        return action

    def _build_review_menu(self) -> None:
        """The scoring flow by keyboard: 1-5 score, U next unscored, Ctrl+1..4 recommend,
        Ctrl+Enter submit; with "Advance after scoring" a score moves on by itself."""
        menu = self.menuBar().addMenu("&Review")
        self.next_unscored_action = self._action("Next &unscored answer", self.next_unscored, "U")
        self.auto_advance_action = self._action(
            "&Advance after scoring", self._on_auto_advance, checkable=True
        )
        self.submit_action = self._action(
            "&Submit scores for this candidate", self.submit_candidate, "Ctrl+Return", "Ctrl+Enter"
        )
        menu.addAction(self.next_unscored_action)
        menu.addAction(self.auto_advance_action)
        menu.addSeparator()
        self.recommend_actions: dict[str, QAction] = {}
        for i, value in enumerate(reviewer_services.RECOMMENDATION_ORDER, start=1):
            action = self._action(
                f"Recommend: {reviewer_services.RECOMMENDATION_LABELS[value]}",
                # (Not functools.partial: PySide6's import hook reads the source of each
                # module an import statement names after it loads, functools.py ~0.3 ms.)
                self._recommend_slot(value),
                f"Ctrl+{i}",
            )
            self.recommend_actions[value] = action
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.submit_action)
        # The interview's candidates ranked, decisions and follow-up (ui/reviewer/shortlist.py).
        menu.addSeparator()
        self.shortlist_action = self._action("Short&list…", self.open_shortlist, "Ctrl+Shift+L")
        menu.addAction(self.shortlist_action)

    def _build_view_menu(self) -> None:
        menu = self.menuBar().addMenu("&View")
        self.focus_action = self._action(
            "&Full screen: answer and rubric", self._on_focus_mode, "F11", checkable=True
        )
        self.audio_only_action = self._action(
            "Audio only (&hide the picture)", self._on_audio_only, checkable=True
        )
        # toggle() ignores a greyed button: with no answer shown, the key and the menu do
        # nothing either (greyed with it in _clear_answer; the lock's sign-in enables every
        # window action again before the answer is back, hence the check too).
        self.card_action = self._action(
            "Show the &question", lambda: self._toggle_if_enabled(self.card_toggle), "Q"
        )
        self.pins_action = self._action(
            "Show the notes at &moments", lambda: self._toggle_if_enabled(self.pin_notes.toggle)
        )
        self.card_action.setEnabled(False)  # until an answer shows (show_answer)
        self.pins_action.setEnabled(False)
        for a in (self.focus_action, self.audio_only_action, self.card_action, self.pins_action):
            menu.addAction(a)

    @staticmethod
    def _toggle_if_enabled(button: QAbstractButton) -> None:
        if button.isEnabled():
            button.toggle()

    # -- reviewer -----------------------------------------------------------------------------

    def lock_out(self) -> None:
        """The panel locks: stop the player and empty every field, so nothing of this
        reviewer's (drafts, notes, the picture) is left in a widget while nobody is signed in."""
        self._reload_pending = False
        if not self.panes_built:
            return  # locked at start: nothing was ever shown (built later, as left here)
        self.flush_note()
        if self.current_answer_id is not None:
            self._resume = (self.current_reviewer_id, self.current_answer_id)
        self._hide_import_box()  # kept for whoever started the import (_tell_import)
        self._clear_answer()
        # What they typed goes too, undo history and all: the library's search (quietly: the
        # list is emptied below), the transcripts' search and words, the pinned-note line.
        self.search.blockSignals(True)
        self.search.setText("")  # setText drops the undo history; clear() is undoable
        self.search.blockSignals(False)
        transcripts = self.__dict__.get("transcripts")
        if transcripts is not None:
            transcripts.panel.reset()
        self._reload_pending = False
        if self.library_view_built:  # (an empty library's tree is not made for this)
            self.model.set_rows([])

    def set_reviewer(self, reviewer_id: int) -> None:
        """Show everything as this reviewer sees it (their own scores, notes and speed)."""
        self._install_transcripts()  # before an answer shows: the panel follows it
        self.flush_note()
        self.current_reviewer_id = reviewer_id
        reviewer = self.service.reviewer(reviewer_id)
        self.__dict__.get("_status_tips", {}).clear()  # the last panelist's cut names
        self.statusBar().showMessage(self._reviewing_as(reviewer.name), 4000)
        self._show_settings(reviewer_id)
        answer = self.current_answer_id
        if answer is None and self._resume is not None and self._resume[0] == reviewer_id:
            answer = self._resume[1]  # back after a lock: the same panelist, the same answer
        self._resume = None
        self.reload_library()
        # Theirs, ended while away (the name keeps a third of the line: the outcome follows).
        told = self._tell_import(self._reviewing_as(reviewer.name, share=3) + ". ")
        if answer is not None:
            self.show_answer(answer)
        else:
            self._clear_answer()
        # Bundles opened while locked: theirs to import and read (or, once, why none can be).
        self._import_waiting(tell_trouble=not told)

    def _show_settings(self, reviewer_id: int) -> None:
        """This reviewer's speed (once the player is built) and menu switches."""
        if self.panes_built:
            self.player.set_rate(self.service.playback_rate(reviewer_id), announce=False)
        for action, on in (
            (self.audio_only_action, self.service.audio_only(reviewer_id)),
            (self.auto_advance_action, self.service.auto_advance(reviewer_id)),
        ):
            action.blockSignals(True)
            action.setChecked(on)
            action.blockSignals(False)

    def _on_rate(self, rate: float) -> None:
        self.service.set_playback_rate(self.current_reviewer_id, rate)
        self.statusBar().showMessage(f"Speed {rate:g}x (pitch preserved)", 2000)

    # -- library ------------------------------------------------------------------------------

    def reload_library(self) -> None:
        if self._building:
            self._reload_pending = True
            return
        if self.locked():
            return  # nothing of anyone's behind the lock (lock_out); sign-in reloads
        # 10,000 candidates are ~40,000 new objects (rows, tuples, nodes), none of them in a
        # cycle: the cycle collector would scan the young ones ~50 times on the way, and the
        # whole heap once (15-20 ms at start-up). It resumes when the fill is done.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._fill_library()
        finally:
            if collecting:
                gc.enable()

    def _fill_library(self) -> None:
        codes = self.blind_codes()
        # Before the window is on screen (its first fill), a large library is read and laid
        # out for the first frame from its first rows only; the rest follow right after that
        # frame (the model's show_all). Not once that frame is out: a reload while hidden
        # then has no paint left to add them. Plain rows, not an object per candidate.
        actor = self.service.actor_for(self.current_reviewer_id)
        search, sort = self.search.text(), str(self.sort.currentData())
        first = None if self._painted or self.isVisible() else self._first_frame_rows()
        page = self.service.entry_page(actor, first=first, search=search, sort=sort, codes=codes)
        if not page.rows and not search.strip() and not self.library_view_built:
            self._show_filled(False)  # the empty library's hint: no tree to fill (yet)
            return
        if first is not None and not self.library_view_built:
            # The first page was measured without the tree, with no room for its header: at
            # least the rows its first frame shows. Made now, should the tree need more (its
            # font or scroll bar unlike the pane's), the page is read again.
            self._ensure_library_view()
            needed = self._first_frame_rows()
            if needed > first and page.rest is not None:
                first = needed
                page = self.service.entry_page(
                    actor, first=first, search=search, sort=sort, codes=codes
                )
        self.tree.setUpdatesEnabled(False)
        try:
            self.model.set_page(page, codes, first=first)
            self._open_interviews()
        finally:
            self.tree.setUpdatesEnabled(True)
        self._show_filled(bool(page.rows))

    def _library_replaced(self) -> None:
        """The rest of a first page came as the whole list, the library having changed in
        between (LibraryModel.replaced): shown as after a reload."""
        self._open_interviews()
        self._show_filled(self.model.rowCount() > 0)

    def _open_interviews(self) -> None:
        # Each interview open. expand() right after the model's reset only records it
        # (expandToDepth lays out every candidate now, and the view does it again when
        # shown: 20,000 calls into the model at 10,000 candidates instead of 10,000).
        for row in range(self.model.rowCount()):
            self.tree.expand(self.model.index(row, 0))

    def _show_filled(self, has_rows: bool) -> None:
        """What follows a fill of the tree: its sizes, the hints, the focus, the selection."""
        searching = bool(self.search.text().strip())
        has_any = has_rows or searching
        if has_any or self.library_view_built:  # (no tree yet: hidden, as it would be)
            self._size_status_column()  # an interview's count may be wider now
            self.tree.setVisible(has_any)
        self.empty_hint.setVisible(not has_any)
        # "No matches" is not "empty": the library has candidates, the search found none.
        self.no_match.setVisible(searching and not has_rows)
        self._focus_library()
        self.library_reloaded.emit()
        if self.current_answer_id is not None:
            self._select_answer_item(self.current_answer_id)

    def _first_frame_rows(self) -> int:
        """Candidates that look, in the first frame, as all of them would: the rows in view,
        and a scroll bar whose slider is at its shortest with this many rows (its length is
        track x rows in view / rows). The tree's height bounds both: at most the window's
        less what is always above or below it (the menu bar in the window, the status bar,
        the search line), whose heights are known before the window is laid out. At least
        500, so that a small library is read at once. Each row read and laid out before the
        first frame costs ~46 K instructions (issue 17)."""
        bar = self.menuBar()
        above_below = [self.statusBar(), self.search] + ([] if bar.isNativeMenuBar() else [bar])
        tree = max(self.height() - sum(w.sizeHint().height() for w in above_below), 1)
        row = max(self._tree_metrics().height(), 1)
        if self.library_view_built:
            header = self.tree.header()
            rows_tall = tree - (0 if header.isHidden() else header.sizeHint().height())
        else:
            # Before the tree is made (_fill_library): its font is the pane's, and its header
            # one line of it, no taller than the header is (a row more, never one fewer: the
            # first frame looks the same; _fill_library reads again should the tree need more).
            rows_tall = tree - row
        in_view = max(rows_tall, 0) // row + 1
        # The shortest slider from the bar's size hint (QScrollBar::sizeHint: two extents,
        # for the arrows, and the shortest slider), not from QStyle, whose Python type and
        # enums (~45 M instructions) an empty library's first frame needs nowhere else.
        hint = self._tree_bar_hint()
        shortest = hint.height() - 2 * hint.width()
        return max(500, in_view * tree // max(shortest, 4) + in_view)

    def _tree_metrics(self) -> QFontMetrics:
        """The library tree's font metrics: the pane's until the tree is made (the same
        font: the style sheet's, for every widget of the pane)."""
        return (self.tree if self.library_view_built else self.library_pane).fontMetrics()

    def _tree_bar_hint(self) -> QSize:
        """The size hint of the tree's vertical scroll bar (a bar of the pane's until the tree
        is made: the same style)."""
        if self.library_view_built:
            return self.tree.verticalScrollBar().sizeHint()
        return self._bar_probe.sizeHint()

    def candidate_rows(self, interview_row: int = 0) -> list[tuple[str, str]]:
        """(name as shown, status word) of each candidate under one interview. The status
        column shows the word, or only its mark while the library is narrow (the word is
        then the cell's tooltip and accessible text)."""
        from onetake_desktop.ui.reviewer.library_model import STATUS_ROLE

        self.model.show_all()
        parent = self.model.index(interview_row, 0)
        if not parent.isValid():
            return []
        return [
            (
                str(self.model.index(i, 0, parent).data()),
                str(self.model.index(i, 1, parent).data(STATUS_ROLE)),
            )
            for i in range(self.model.rowCount(parent))
        ]

    def tree_texts(self) -> list[str]:
        """Every text and tooltip of the rows the tree holds now (loaded answers included)."""
        from PySide6.QtCore import Qt  # a test's question, after the first paint

        out: list[str] = []
        self.model.show_all()

        def walk(parent: QModelIndex) -> None:
            for i in range(self.model.rowCount(parent)):
                for col in (0, 1):
                    index = self.model.index(i, col, parent)
                    out.append(str(index.data() or ""))
                    out.append(str(index.data(Qt.ItemDataRole.ToolTipRole) or ""))
                walk(self.model.index(i, 0, parent))

        walk(QModelIndex())
        return out

    def _leave_search(self) -> None:
        if self.search.text():
            self.search.clear()
        self.tree.setFocus()

    def _focus_library(self) -> None:
        """Keys on the library (where Space, J/K/L and 1-5 work), unless the reviewer is
        typing somewhere: an empty search box that merely got the first focus does not count."""
        current = self.focusWidget()
        if not self.panes_built or not self.library_view_built:
            return  # locked at start (the lock screen has the keys), or no tree yet
        if self.tree.isVisible() and (
            current is None or (current is self.search and not self.search.text())
        ):
            self.tree.setFocus()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._focus_library()

    def _answer_rows(self, submission_id: int) -> list[AnswerRow]:
        from onetake_desktop.ui.reviewer.library_model import AnswerRow

        submission = self.service.submission(submission_id=submission_id)
        statuses = self.service.answer_statuses(
            self.service.actor_for(self.current_reviewer_id), submission_id=submission_id
        )
        return [
            AnswerRow(
                a.id,
                f"{a.position}. {self.service.question_text(submission, a.question_id)}",
                statuses[a.id],
            )
            for a in self.service.answers(submission_id)
        ]

    def _select_answer_item(self, answer_id: int) -> None:
        try:
            answer = self.service.answer(answer_id=answer_id)
        except OneTakeError:
            return
        index = self.model.answer_index(answer.submission_id, answer_id)
        if not index.isValid():
            return
        self.tree.expand(index.parent())
        self._selecting = True
        try:
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
        finally:
            self._selecting = False

    def _on_current_index(self, index: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting or not index.isValid():
            return
        kind = self.model.kind(index)
        if kind == "answer":
            self.show_answer(self.model.key(index))
        elif kind == "candidate":
            answers = self.model.answer_ids(self.model.key(index))
            self.tree.expand(index.sibling(index.row(), 0))
            if answers:
                # After the view has finished moving its own selection to the candidate row,
                # so that the answer row ends up the selected one.
                first = answers[0]
                QTimer.singleShot(0, lambda: self.show_answer(first))

    def _on_scores_written(self, answer_id: int) -> None:
        """A score or note was written (this window, question mode, a panel window): refresh
        that candidate's statuses once the write is done (this runs inside the statement)."""
        self._dirty_answers.add(answer_id)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh_dirty(self) -> None:
        answers, self._dirty_answers = self._dirty_answers, set()
        if self.locked():
            return  # the list is empty behind the lock; sign-in reloads it whole
        submissions: set[int] = set()
        for answer_id in answers:
            try:
                submissions.add(self.service.answer(answer_id=answer_id).submission_id)
            except OneTakeError:  # erased meanwhile
                continue
        for sid in submissions:
            self._refresh_statuses(sid)

    def _refresh_statuses(self, submission_id: int) -> None:
        if not self.library_view_built:
            return  # no rows shown: nothing to refresh
        statuses = self.service.answer_statuses(
            self.service.actor_for(self.current_reviewer_id), submission_id=submission_id
        )
        self.model.set_answer_statuses(submission_id, statuses)

    def step_answer(self, delta: int) -> None:
        """N/P: next or previous answer; past the last one, on to the next candidate."""
        candidates = self._listed_submissions()
        if not candidates:
            return
        current = self.current_submission_id
        if current is None or current not in candidates:
            first = self.model.answer_ids(candidates[0])
            if first:
                self.show_answer(first[0])
            return
        answers = self.model.answer_ids(current)
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
            others = self.model.answer_ids(candidates[c])
            if others:
                self.show_answer(others[0 if delta > 0 else -1])

    # -- one answer ---------------------------------------------------------------------------

    def _clear_answer(self) -> None:
        self.view = None
        self.current_answer_id = None
        self.current_submission_id = None
        self.player.clear()
        self._fit_picture()  # its hint: the picture's floor
        self.question_meta.setText("")
        self.question_text.setText("Choose an answer in the library.")
        self.question_context.setText("")
        self.facts.setText("")
        self.flag.setVisible(False)
        self.flags_label.setVisible(False)
        self.scoring_pane.setCurrentWidget(self.scoring_hint)
        self.pin_notes.reset()  # a note typed for this answer, not pinned, goes with it
        # Nothing to pin a note to or fold: greyed, not live-looking (the player greys its own).
        self.pin_notes.setEnabled(False)
        self.card_toggle.setEnabled(False)
        self.card_action.setEnabled(False)
        self.pins_action.setEnabled(False)
        transcripts = self.__dict__.get("transcripts")
        if transcripts is not None:  # not the last answer's words under no answer
            transcripts.panel.show_answer(None)
        if self._scoring_page_built:  # (else built so: _ensure_scoring_page)
            self._clear_scoring()
        else:
            self.pin_notes.set_pinned([])

    def _clear_scoring(self) -> None:
        """The scoring page with no answer: nobody's name, score, note or recommendation."""
        self._show_candidate("", "")
        self.candidate_label.setText("No candidate selected")
        self.rubric.show_answer(None, None, "", [], read_only=True)
        for b in self.recommend_buttons.values():
            b.setEnabled(False)
        self.submit_button.setEnabled(False)
        self.submit_hint.setText("")
        self.correct_button.setVisible(False)

    def flush_note(self) -> None:
        """Save the rubric's pending note now (none is pending before its page is built)."""
        if self._scoring_page_built:
            self.rubric.flush_note()

    def show_answer(self, answer_id: int) -> None:
        self._ensure_scoring_page()  # first: every label of the panes plain text (see there)
        if self.current_answer_id is not None and self.current_answer_id != answer_id:
            self.flush_note()
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
        facts = [f"Think time used {_seconds(a.think_seconds_used)}"]
        if q is not None:
            facts[0] += f" of {_seconds(q.think_seconds)}"
        facts.append(f"Answer length {_seconds(a.answer_seconds)}")
        allowed = f" of {q.retakes_allowed + 1}" if q is not None else ""
        facts.append(f"Takes used {a.takes_used}{allowed}")
        if view.submission.time_multiplier != 1.0:
            facts.append(f"Extra time ×{view.submission.time_multiplier:g}")
        self.facts.setText("   ·   ".join(f.replace(" ", "\u00a0") for f in facts))
        self.question_meta.setToolTip(
            plain_tooltip("\n".join([self.question_context.text(), ", ".join(facts)]).strip())
        )
        self._show_details()
        if q is None:
            self.flag.setText(
                "This interview's definition is not in the library yet, so its questions and "
                "rubric are unknown. Add it with File > Add interview definition…"
            )
        self.flag.setVisible(q is None)
        self._show_flags(view.submission.id, a.question_id)
        self.scoring_pane.setCurrentWidget(self.scoring_content)
        self.pin_notes.setEnabled(True)
        self.card_toggle.setEnabled(True)
        self.card_action.setEnabled(True)
        self.pins_action.setEnabled(True)
        name, email = self.shown_name(view.submission.id)
        self._show_candidate(name, email)
        if changed:
            self.pin_notes.reset()  # a line typed for the last answer is not this one's note
            # Another answer: its rubric from the top (scoring the last may have scrolled).
            self.scoring_scroll.verticalScrollBar().setValue(0)
            self._load_media(view)
        self.pin_notes.setVisible(a.answer_type != "text")
        self._fit_labels()
        self._show_scoring(view)
        self._select_answer_item(answer_id)
        self.answer_shown.emit(answer_id)
        self._refit_picture()  # with this answer's question and transcript in place

    def _show_candidate(self, name: str, email: str) -> None:
        # The tooltip whatever the width: the pane can be widened or narrowed at any time.
        for label, text in ((self.candidate_label, name), (self.candidate_email, email)):
            label.setText(text)
            label.setToolTip(plain_tooltip(text))
        self.candidate_email.setVisible(bool(email))  # no empty line under a blind code

    def shown_name(self, submission_id: int) -> tuple[str, str]:
        """The candidate's name and email as this window may show them (a code and "" while
        the panel keeps them blind)."""
        code = self.blind_codes().get(submission_id)
        if code is not None:
            return code, ""
        submission = self.service.submission(submission_id=submission_id)
        return submission.candidate_name, submission.candidate_email

    def shown_names(self, people: Sequence[tuple[int, str, str]]) -> list[tuple[str, str]]:
        """``shown_name`` for many candidates whose (submission id, name, email) the caller
        already holds: the same rule, asked once (a banner over thousands of candidates)."""
        codes = self.blind_codes()
        return [(codes[sid], "") if sid in codes else (name, email) for sid, name, email in people]

    def _show_flags(self, submission_id: int, question_id: str) -> None:
        flags = self.service.flags(submission_id)
        # A short window gives its height to the video: one line, cut to the pane's width
        # (every sentence is in the tooltip).
        from PySide6.QtCore import Qt  # with an answer, after the first paint

        label = self.flags_label
        label.setWordWrap(not self._compact)
        text = header_text(flags, question_id, 1 if self._compact else 3)
        if self._compact:
            width = max(120, self.answer_pane.width() - 40)
            text = label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
        label.setText(text)
        self.flags_label.setToolTip(flags_tooltip(flags))
        self.flags_label.setVisible(bool(flags))

    def set_blind_codes(self, codes: Callable[[], Mapping[int, str]]) -> None:
        """Install who is hidden behind a code, and show the window that way at once."""
        self.blind_codes = codes
        self.reload_library()
        if self.current_answer_id is not None:
            self.show_answer(self.current_answer_id)

    def _fit_labels(self) -> None:
        # Word-wrapped labels in a layout with a stretching player get less height than their
        # text needs; ask each for its height at its current width.
        for label in (self.question_text, self.question_context, self.facts, self.flags_label):
            if label.isVisible() and label.width() > 0 and label.wordWrap():
                label.setMinimumHeight(label.heightForWidth(label.width()))
            elif label.isVisible():
                label.setMinimumHeight(0)  # one line (the flags in a short window)
        self._fit_picture()
        layout = self.answer_pane.layout()
        if layout is not None:
            layout.activate()

    def _refit_picture(self) -> None:
        """Fit the picture now, and again once the layouts have taken in what changed (a
        label's new height reaches the pane's layout an event-loop turn per level)."""
        self._fit_picture()
        if not self._picture_refit_pending:
            self._picture_refit_pending = True
            # The window as context: closed and deleted in the same turn, no late call.
            QTimer.singleShot(0, self, self._refit_picture_later)

    def _refit_picture_later(self) -> None:
        self._picture_refit_pending = False
        self._fit_picture()
        features = self.__dict__.get("transcripts")
        if features is not None:
            features.refit()  # the transcript under the player: its share and its words

    def _fit_picture(self) -> None:
        """The picture's least height: a third of the answer pane (a 16:9 picture about
        180 px high at 1024x600) as far as the parts around it keep their own least heights,
        never less than two lines (the floor the waveform and a written answer keep). The
        notes' list and the transcript under the player then give way (they scroll), not the
        answer a reviewer is writing a note about (their minimums once left the picture a
        48 px strip: walk s13 LOW-5)."""
        layout = self.answer_pane.layout()
        pane = self.answer_pane.height()
        if not isinstance(layout, QVBoxLayout) or pane <= 0:
            return
        least = self._picture_minimum
        # A picture only (a waveform, a message or transcript only: their floor, and the
        # transcript keeps its words): the stack's least height is its tallest page's.
        if self.player.stack.currentWidget() is self.player.video:
            share = min(pane * 34 // 100, self.player.width() * 9 // 16)
            least = max(least, min(share, pane - self._around_picture(layout)))
        if least != self._picture_least:
            self._picture_least = least
            self.player.video.setMinimumHeight(least)

    def _around_picture(self, layout: QVBoxLayout) -> int:
        """The least height of the answer pane's parts but the picture, asked of each part
        (a layout's own total, and its items' cached sizes, lag a change by an event-loop
        turn per level: a folded list still counted)."""

        def least(widget: QWidget) -> int:
            return max(widget.minimumHeight(), widget.minimumSizeHint().height())

        def stacked(layout: QVBoxLayout, skip: QWidget | None = None) -> int:
            margins = layout.contentsMargins()
            total, shown = margins.top() + margins.bottom(), 0
            for i in range(layout.count()):
                item = layout.itemAt(i)
                if item is None or item.isEmpty():
                    continue
                shown += 1
                widget, inner = item.widget(), item.layout()
                if widget is not None:
                    total += 0 if widget is skip else least(widget)
                elif isinstance(inner, QVBoxLayout):  # the notes' place
                    total += stacked(inner)
                else:
                    total += item.minimumSize().height()
            return total + layout.spacing() * max(0, shown - 1)

        total = stacked(layout, skip=self.player_split)
        # The player's buttons and timeline, under the picture.
        rows = self.player.layout()
        total += least(self.player.controls) + (rows.spacing() if rows is not None else 0)
        features = self.__dict__.get("transcripts")
        if features is not None and features.panel.isVisibleTo(self):
            panel = features.panel
            # Under the player its least height is its search line (TranscriptFeatures._fit);
            # beside it now, it may go under at the next layout (a timer): counted either way,
            # so that turn cannot squeeze the player's buttons.
            total += panel.search_line_height() + self.player_split.handleWidth()
            if not self.pin_notes.pins.isVisibleTo(self):
                # With the notes folded its words keep two lines too. Opened notes take
                # their place (the reviewer asked for them), never the picture's.
                # (Its words, or its status line while it has none: asked of the words
                # themselves too, which hide while squeezed.)
                column = panel.layout()
                status = column.totalMinimumSize().height() if column is not None else 0
                total += max(0, status - panel.minimumHeight(), panel.words_height())
        return total

    def _fitting_size(self, width: int, height: int) -> QSize:
        """The wanted size, shrunk to the screen's free area (small laptop screens)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return QSize(width, height)
        free = screen.availableGeometry()
        return QSize(min(width, free.width() - 40), min(height, free.height() - 60))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if not self.panes_built:
            return  # sized when built (_ensure_panes)
        self._apply_sizes()
        self._fit_labels()

    def _apply_sizes(self) -> None:
        """Evidence first: the library and the rubric take what they need (a share of the
        width within bounds) and the answer gets the rest, at least half the window from
        1024x600 and 1366x768 at 150 % up. A divider the reviewer dragged stays put."""
        width = self.width()
        if not self._compact_set or self._compact != (self.height() < 700):
            # Short windows start with the pinned-note list folded (the timeline marks them).
            self._compact = self.height() < 700
            self._compact_set = True
            self.pin_notes.set_expanded(not self._compact)
            self.pin_notes.set_compact(self._compact)  # its title on the note's line
            if self._scoring_page_built:  # (else made so)
                self.rubric.set_compact(self._compact)
                self.recommend_title.setText(RECOMMEND_TITLE[self._compact])
            # Short windows: tighter margins and gaps around the answer, so the player keeps
            # its buttons under a banner (911x512 points at 1366x768 x1.5).
            answer = self.answer_pane.layout()
            if answer is not None:
                margin = 2 if self._compact else 8
                answer.setContentsMargins(2, margin, 2, margin)
                answer.setSpacing(3 if self._compact else 6)
            # Short windows keep the question and fold "why we ask" and the facts into the
            # header's tooltip.
            self._show_details()
        if self._user_sized:
            return
        handles = 2 * self.splitter.handleWidth()
        library = self._library_width()
        self._set_compact(0 < library < 260)
        scoring = self._scoring_width(width)
        self.splitter.setSizes([library, max(0, width - library - scoring - handles), scoring])

    def _set_compact(self, on: bool) -> None:
        """Marks only in the status column while the library is narrow (the words are then
        the tooltip), and that column sized to what it shows."""
        self._status_compact = on
        if self.library_view_built:  # (else made so)
            self.model.set_compact(on)
            self._size_status_column()

    def _listed_submissions(self) -> list[int]:
        """The candidates in the library's order (none before the tree is made)."""
        return self.model.submission_ids() if self.library_view_built else []

    def _size_status_column(self) -> None:
        if self.model.rowCount() == 0 and not self.search.text().strip():
            # Nothing to show: the tree is hidden behind the empty library's hint until a
            # fill with rows, or a search, shows it, and each fill sizes it again. (Sizing
            # it asks QStyle, ~45 M instructions an empty library's first frame needs
            # nowhere else; issue 17.)
            return
        normal, bold = self.model.status_samples()
        plain = self.tree.font()
        from PySide6.QtGui import QFont, QFontMetrics  # with the panes (their enums)

        heavy = QFont(plain)
        heavy.setBold(True)  # interview rows
        widest = max(
            [QFontMetrics(plain).horizontalAdvance(t) for t in normal]
            + [QFontMetrics(heavy).horizontalAdvance(t) for t in bold]
        )
        if not self.model.compact:  # the header's word too (blank while compact)
            header = self.tree.header()
            widest = max(widest, header.fontMetrics().horizontalAdvance("Status") + 8)
        average = self.tree.fontMetrics().averageCharWidth()
        # Text margins of an item (the focus frame's, +1, on each side).
        from PySide6.QtWidgets import QStyle  # with the panes (its enums)

        margin = self.tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
        self.tree.header().resizeSection(1, min(widest + 2 * margin + 2, 16 * average))

    def _library_width(self) -> int:
        """The library's share of the width: enough for a name of ~18 average characters
        beside the status marks (from the font, so it holds at any scale) or a fifth of a
        wide window, as far as the answer keeps half the window and the rubric its share."""
        if self.library_pane.isHidden():
            return 0
        width = self.width()
        average = self._tree_metrics().averageCharWidth()
        # The width the view gives its scroll bar (QAbstractScrollArea lays it out at its size
        # hint), without asking QStyle: its Python type and enums cost ~45 M instructions,
        # which an empty library's first frame needs nowhere else (issue 17).
        bar = self._tree_bar_hint().width()
        # name + a candidate's indentation (its interview's and its own branch) + marks
        # + the scroll bar + the pane's margins and the tree's frame
        wanted = 18 * average + 2 * TREE_INDENTATION + 3 * average + bar + 16
        room = width - self._answer_minimum(width) - self._scoring_width(width)
        room -= 2 * self.splitter.handleWidth()
        return max(150, min(max(wanted, int(0.19 * width)), max(330, wanted), room))

    def _answer_minimum(self, width: int) -> int:
        """Evidence first: the answer's pane keeps half the window for the video, and its
        margins."""
        layout = self.answer_pane.layout()
        margins = layout.contentsMargins() if layout is not None else None
        return (width + 1) // 2 + (margins.left() + margins.right() if margins is not None else 16)

    @staticmethod
    def _scoring_width(width: int) -> int:
        return max(230, min(440, int(0.28 * width)))

    def _show_details(self) -> None:
        self.question_context.setVisible(bool(self.question_context.text()) and not self._compact)
        self.facts.setVisible(bool(self.facts.text()) and not self._compact)
        self._fit_labels()

    def set_card_expanded(self, on: bool) -> None:
        """Fold the question card to its header line (Q), giving the height to the video."""
        self.card_toggle.blockSignals(True)
        self.card_toggle.setChecked(on)
        self.card_toggle.blockSignals(False)
        set_properties(
            self.card_toggle, arrowType=ArrowType.DownArrow if on else ArrowType.RightArrow
        )
        self.card_body.setVisible(on)
        self._fit_labels()

    def set_focus_mode(self, on: bool) -> None:
        """Full screen with the answer and the rubric side by side (F11; Esc leaves)."""
        self.focus_action.blockSignals(True)
        self.focus_action.setChecked(on)
        self.focus_action.blockSignals(False)
        self.library_pane.setVisible(not on)
        self.menuBar().setVisible(not on)
        if on:
            self.showFullScreen()
        else:
            self.showNormal()
        self._user_sized = False
        self._apply_sizes()
        self._home_focus()

    def _on_focus_mode(self) -> None:
        self.set_focus_mode(self.focus_action.isChecked())

    def _home_focus(self) -> None:
        """Keys back where the shortcuts work: the library, or nowhere in particular."""
        if self.library_view_built and self.tree.isVisible():
            self.tree.setFocus()
        else:
            focused = self.focusWidget()
            if focused is not None:
                focused.clearFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Text fields ignore Esc, so it reaches the window: leave the field (the note saves
        # as it does on any focus change), or leave full screen.
        from PySide6.QtCore import Qt  # a key: after the first paint

        if event.key() == Qt.Key.Key_Escape:
            focused = self.focusWidget()
            from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

            if isinstance(focused, QLineEdit | QPlainTextEdit | QTextEdit):
                self._home_focus()
            elif self.focus_action.isChecked():
                self.set_focus_mode(False)
            event.accept()
            return
        super().keyPressEvent(event)

    def _load_media(self, view: AnswerView) -> None:
        a = view.answer
        if a.answer_type == "text":
            self.player.show_text(a.text or "(no text)")
            # Its view's least height as the picture's (its own, a text view's, is taller:
            # the player would measure differently once it is made).
            self.player.text.setMinimumHeight(self._picture_minimum)
            return
        if a.media_path is None or not a.media_path.exists():
            self.player.show_message("The media file of this answer is missing from the library.")
            return
        by_ear = a.answer_type == "audio" or self.audio_only_action.isChecked()
        self.player.load_media(a.media_path, "audio" if by_ear else "video")
        if by_ear:
            answer_id = a.id

            def done(levels: list[float]) -> None:
                if self.current_answer_id == answer_id:
                    self.player.set_waveform(levels)

            from onetake_desktop.ui.tasks import log_failure, run_task  # see import_paths

            run_task(lambda _p: self.service.waveform(a), done, log_failure(f"waveform {a.id}"))

    def _show_scoring(self, view: AnswerView) -> None:
        score = view.score
        from onetake_desktop.ui.widgets.rubric import PinnedNote

        pinned = [PinnedNote(n.id, n.position_ms, n.text) for n in view.notes]
        self.player.set_markers([n.position_ms for n in view.notes])
        submitted = view.submitted
        if submitted:
            status = "Submitted. A change needs a correction with a reason."
        elif score is not None and score.score is not None:
            status = "Draft saved."  # what is left to score: under Submit
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
        all_submitted = set(statuses.values()) == {"submitted"}
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
            warn(self, str(error))
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
            if self.auto_advance_action.isChecked():
                self._advance_within_candidate()
            else:
                # Next come the note and Submit: in sight (a short window scrolls to them,
                # keeping the chosen level's whole anchor), once the lines the score changed
                # have their height.
                QTimer.singleShot(0, self._show_note_and_submit)

    def _show_note_and_submit(self) -> None:
        """The note and Submit in sight, and as much of the chosen level's whole anchor (the
        box under one-line levels, else its own) as they leave room for; the line under
        Submit whole, or out of sight (review s12b #8: it was left cut at the bottom edge)."""
        from PySide6.QtCore import QCoreApplication, QEvent

        # Measure the pane as the score left it: its status went from two lines to one, and
        # the layouts hear of that through posted requests (a level each) that may still wait.
        for _ in range(4):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        scroll = self.scoring_scroll
        score = self.rubric.score()
        chosen = (
            self.rubric.detail
            if self.rubric.compact()
            else self.rubric.anchors[score]
            if score is not None
            else None
        )
        if chosen is not None:
            scroll.ensureWidgetVisible(chosen, 0, 0)
        scroll.ensureWidgetVisible(self.rubric.note, 0, 0)
        scroll.ensureWidgetVisible(self.submit_button, 0, 0)
        # And the line under Submit (why it is greyed), unless that cuts the chosen anchor.
        bar = scroll.verticalScrollBar()
        kept = bar.value()
        scroll.ensureWidgetVisible(self.submit_hint, 0, 0)
        if chosen is not None and chosen.mapTo(scroll.viewport(), chosen.rect().topLeft()).y() < 0:
            bar.setValue(kept)
        # No room for it whole: scroll it just out of sight (everything above it moves down).
        top = self.submit_hint.mapTo(scroll.viewport(), self.submit_hint.rect().topLeft()).y()
        room = scroll.viewport().height()
        if top < room < top + self.submit_hint.height():
            bar.setValue(bar.value() - (room - top))

    def _advance_within_candidate(self) -> None:
        """After a score: this candidate's next unscored answer, or stay and say what is next
        (the recommendation and Submit apply to the candidate on screen)."""
        if self.view is None:
            return
        sid = self.view.submission.id
        target = self.service.next_unscored(
            self.service.actor_for(self.current_reviewer_id),
            submission_ids=[sid],
            after_answer_id=self.view.answer.id,
        )
        if target is not None:
            QTimer.singleShot(0, lambda: self.show_answer(target))
        else:
            self.statusBar().showMessage(
                "Every answer has a score: Ctrl+1 to Ctrl+4 recommend, Ctrl+Enter submits.", 6000
            )

    def next_unscored(self) -> None:
        """U: the next answer without a score, in the library's order (submitted answers and
        scored drafts are skipped), wrapping round."""
        target = self.service.next_unscored(
            self.service.actor_for(self.current_reviewer_id),
            submission_ids=self._listed_submissions(),
            after_answer_id=self.current_answer_id,
        )
        if target is None:
            self.statusBar().showMessage("Every answer in the list has a score.", 5000)
            return
        self.show_answer(target)

    def _on_auto_advance(self) -> None:
        on = self.auto_advance_action.isChecked()
        self.service.set_auto_advance(self.current_reviewer_id, on)
        self.statusBar().showMessage(
            "A score now moves on to the next unscored answer."
            if on
            else "A score no longer moves on by itself.",
            4000,
        )

    def _on_audio_only(self) -> None:
        on = self.audio_only_action.isChecked()
        self.service.set_audio_only(self.current_reviewer_id, on)
        panel = getattr(self, "panel", None)
        action = getattr(panel, "actions", {}).get("audio_only") if panel else None
        if action is not None and action.isChecked() != on:
            action.blockSignals(True)
            action.setChecked(on)
            action.blockSignals(False)
        if self.view is not None and self.view.answer.answer_type == "video":
            position = self.player.position()
            self._load_media(self.view)
            self.player.seek(position)
            self._refit_picture()  # a picture, or a waveform that needs no third of the pane

    def _on_panel_audio_only(self, on: bool) -> None:
        """The panel's menu item writes the same setting; show it here at once."""
        if self.audio_only_action.isChecked() != on:
            self.audio_only_action.setChecked(on)

    def _recommend_slot(self, value: str) -> Callable[[], None]:
        return lambda: self._recommend_key(value)

    def _recommend_key(self, value: str) -> None:
        if self.view is None:
            return  # no answer, no candidate to recommend
        button = self.recommend_buttons[value]
        if button.isEnabled():
            button.setChecked(True)
            self._recommend(value)

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
        from PySide6.QtWidgets import QInputDialog  # when asked (issue 17: its enums)

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
        if not self.submit_button.isEnabled():
            # Ctrl+Enter that cannot submit says why where it is seen: the pane's own hint is
            # often scrolled out of sight under the rubric.
            self.statusBar().showMessage(f"Not submitted: {self.submit_hint.text()}", 5000)
            return
        self.flush_note()
        sid = self.view.submission.id
        count = self._guard(
            lambda: self.service.submit_candidate(
                self.service.actor_for(self.current_reviewer_id), submission_id=sid
            )
        )
        if count is not None:
            name = self.shown_name(sid)[0]
            noun = "score" if count == 1 else "scores"
            self.statusBar().showMessage(f"Submitted {count} {noun} for {name}.", 5000)
        self._after_change()
        if count is not None and self.auto_advance_action.isChecked():
            target = self.service.next_unscored(
                self.service.actor_for(self.current_reviewer_id),
                submission_ids=self.model.submission_ids(),
                after_answer_id=self.current_answer_id,
            )
            if target is not None:
                QTimer.singleShot(0, lambda: self.show_answer(target))

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
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog  # when asked (issue 17)

        from onetake_desktop.services.bundles import start_prober, stop_idle_prober

        # Its start-up hides behind the choosing (issue 17); never while an import runs.
        started = not self.importing and start_prober()
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import bundles",
            str(Path.home()),
            "Submission bundles (*.onetake *.onetake.age);;All (*)",
        )
        if files:
            self.import_paths([Path(f) for f in files])
        if not self.importing:  # nothing chosen, or the passphrase asked for was not given
            stop_idle_prober(started)

    def _unlock_keys_for(self, paths: Sequence[Path]) -> bool:
        """Encrypted bundles (issue 13): ask once for the organisation key's passphrase.
        False when the reviewer cancels or the passphrase opens no key (nothing imported)."""
        from onetake_desktop.services.keys import key_service_for_library, passphrase_needed

        with key_service_for_library(self.service.library_root()) as keys:
            needed = passphrase_needed(paths, keys)
            if not needed:
                return True
            names = ", ".join(sorted({k.organisation for k in needed}))
            from PySide6.QtWidgets import QInputDialog, QMessageBox  # when asked (issue 17)

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
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog  # when asked (issue 17)

        from onetake_desktop.services.bundles import start_prober, stop_idle_prober

        # Its start-up hides behind the choosing (issue 17); never while an import runs.
        started = not self.importing and start_prober()
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of bundles")
        if folder:
            self.import_paths([Path(folder)])
        if not self.importing:
            stop_idle_prober(started)

    def locked(self) -> bool:
        """Whether the panel is locked: nobody may see anyone's work or change the library
        (the panel service decides; a window without its panel yet is building, not locked)."""
        panel = self.__dict__.get("panel")
        return panel is not None and bool(panel.service.locked())

    def _refused_while_locked(self, sentence: str) -> bool:
        """True, saying ``sentence`` in the status bar, while the panel is locked."""
        if not self.locked():
            return False
        self.statusBar().showMessage(sentence, 8000)
        return True

    def import_paths(self, paths: Sequence[Path]) -> None:
        """Verify and import in the background; the window stays responsive. While the
        panel is locked the paths wait for the next sign-in (_import_waiting), and the lock
        screen says how many: opening a bundle from the file manager is not lost."""
        if self.locked():  # every way in (open request, menu, folder) comes through here
            self._keep_for_sign_in(paths)
            return
        if self.importing:
            self.statusBar().showMessage("An import is already running.", 3000)
            return
        if not self._unlock_keys_for(list(paths)):
            return
        self._start_import(paths)

    def _start_import(self, paths: Sequence[Path]) -> None:
        self.importing = True
        self._import_owner = self.panel.service.import_report_owner()
        self.import_action.setEnabled(False)
        self.import_folder_action.setEnabled(False)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.statusBar().showMessage("Checking and importing bundles…")
        root = self.service.library_root()
        paths = list(paths)

        def work(progress: Any) -> ImportReport:
            # Its own connection, on the worker thread.
            worker = reviewer_services.open_reviewer_service(root)
            try:
                return worker.import_paths(paths, progress, workers=2)
            finally:
                worker.close()

        # ui.tasks (and Qt's thread pool and runnable classes) loads with the first task: no
        # part of the window's first frame (issue 17).
        from onetake_desktop.ui.tasks import run_task

        run_task(work, self._import_done, self._import_failed, self._import_progress)

    def _keep_for_sign_in(self, paths: Sequence[Path]) -> None:
        """Kept by the panel service for the next sign-in (each path once, in the library's
        folder: a restart loses none); the lock card and the status bar say how many."""
        try:
            sentence = self.panel.service.keep_for_sign_in(paths)
        except OneTakeError as error:  # a full disk, a read-only library: said, not hidden
            self.statusBar().showMessage(f"Not kept for the next sign-in: {error}", 8000)
            return
        self.panel.lock_screen.set_waiting(sentence)
        self.statusBar().showMessage(sentence, 8000)

    def _import_waiting(self, *, tell_trouble: bool = False) -> None:
        """Import what was opened while locked, now that someone is signed in, if the policy
        lets them add to the library (the panel service decides: imports_due); after any
        import already running. The kept paths leave the list once the import has reported
        them: a cancelled passphrase, or an import that stopped, leaves them waiting for the
        next sign-in, and closing the window meanwhile loses none. ``tell_trouble`` (at a
        sign-in, when no import report is being told): a list that cannot be read, is
        damaged or a newer OneTake's, counted as empty on the lock card, is said once."""
        panel = self.__dict__.get("panel")  # (None while the window is being built)
        if panel is None or self.importing or self.locked():
            return
        try:
            paths = panel.service.imports_due()  # (one stat when nothing waits)
        except OneTakeError as error:
            self.statusBar().showMessage(str(error), 8000)
            return
        if not paths:
            trouble = panel.service.waiting_trouble() if tell_trouble else ""
            if trouble:
                self.statusBar().showMessage(trouble, 8000)
            return
        if self._building:  # a lone reviewer's start, with paths kept before the panel went
            after_first_paint(self, self._import_waiting)
            return
        if not self._unlock_keys_for(paths):
            self.statusBar().showMessage(
                "The bundles opened while locked still wait: they import at the next sign-in.",
                8000,
            )
            return
        self._importing_waiting = paths
        self._start_import(paths)

    def _waiting_imported(self, reported: bool) -> bool:
        """The running import ended: the kept paths it was started with wait no more if it
        ``reported`` each of them (imported, refused, not found); if it stopped, they wait
        for the next sign-in, not at once (the same error would stop it again). False when
        they could not be taken off the list: then nothing more is imported until then."""
        done, self._importing_waiting = self._importing_waiting, []
        if not done:
            return True
        if not reported:
            return False
        try:
            self.panel.service.imports_done(done)
        except OneTakeError as error:
            self.statusBar().showMessage(str(error), 8000)
            return False
        screen = self.panel.made_lock_screen
        if screen is not None:  # (hidden: nobody reads it; the next lock counts again)
            screen.show_waiting()
        return True

    def _import_progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(1000 * done / total) if total else 0)

    def _import_done(self, report: ImportReport) -> None:
        self._import_finished()
        go_on = self._waiting_imported(True)
        self.last_import = report
        owner = self._import_owner
        self._import_reports[owner] = _EndedImport(report, "", False)
        self._tell_import()
        self.reload_library()
        # Locked, or someone else's: the list fills for them, nothing opens.
        if self.panel.service.may_read_import_report(owner):
            first = next((o.submission_id for o in report.imported if o.submission_id), None)
            if self.current_answer_id is None and first is not None:
                answers = self.service.answers(first)
                if answers:
                    self.show_answer(answers[0].id)
        if go_on:
            self._import_waiting()  # opened behind the lock while this one ran

    def _reviewing_as(self, name: str, share: int = 1) -> str:
        """ "Reviewing as <name>" for the one-line status bar, the name cut with "…" to fit
        (in 1/``share`` of the line): a long panelist name ran past the window's edge on a
        small screen and hid what followed it. While a message with a cut name shows, the
        whole name is the bar's tooltip."""
        words = f"Reviewing as {name}"
        if len(name) <= 24:  # a usual name fits any window (and costs no font metrics before
            return words  # the first paint, where the first sign-in is: issue 17)
        from PySide6.QtCore import Qt  # a long name only
        from PySide6.QtWidgets import QWidget

        bar = self.statusBar()
        metrics = bar.fontMetrics()
        # The message's room as QStatusBar draws it: from x=6 to 12 from the edge, the size
        # grip or a permanent widget shown (the progress, the panel's audit warning).
        right = bar.width() - 12
        for child in bar.findChildren(QWidget):
            if child.isVisible() and child.parentWidget() is bar:
                right = min(right, child.x() - 2)
        room = (right - 8) // share - metrics.horizontalAdvance("Reviewing as ")
        cut = f"Reviewing as {metrics.elidedText(name, Qt.TextElideMode.ElideRight, max(room, 60))}"
        if cut == words:
            return words
        tips: dict[str, str] | None = self.__dict__.get("_status_tips")
        if tips is None:
            # The tooltip goes with the message (a lock clears it: the name must not stay).
            made: dict[str, str] = {}
            self._status_tips = tips = made

            def follow(text: str) -> None:
                bar.setToolTip(next((t for s, t in made.items() if text.startswith(s)), ""))

            bar.messageChanged.connect(follow)
        tips[cut] = plain_tooltip(words)
        return cut

    def _readable_import(self) -> int | Literal[False] | None:
        """The owner key of the ended import the one at the laptop may read (False: none).
        The panel's policy decides (services.scoring.may_read_report): only the panelist who
        started it, while signed in; the lone reviewer their own, while there is no panel."""
        service = self.panel.service
        return next((o for o in self._import_reports if service.may_read_import_report(o)), False)

    def _tell_import(self, lead: str = "") -> bool:
        """Tell the one at the laptop how their import ended, if one did and they may read it:
        once, in the status bar (after ``lead``: "Reviewing as ..." at a sign-in), or why it
        stopped; and its box (refused bundles, those that need their definition) until they
        dismiss it. Anyone else sees no box: it is hidden and emptied. Called when an import
        ends and at every sign-in, so what ended behind the lock waits for its own panelist
        and the next one at the laptop never reads it. True if they may read one."""
        owner = self._readable_import()
        if owner is False:
            self._hide_import_box()
            return False
        ended = self._import_reports[owner]
        report = ended.report
        if report is None:  # it stopped: once, then it is gone
            del self._import_reports[owner]
            if lead:  # at a sign-in: the box, not a dialog in the middle of it
                self._fill_import_box(f"The import stopped: {ended.error}", [])
            else:
                warn(self, f"The import stopped: {ended.error}")
            return True
        if not ended.told:
            self.statusBar().showMessage(f"{lead}Import finished: {report.summary()}", 8000)
            ended.told = True
        # Erased candidates' bundles are skipped on purpose, but someone who chose those
        # files is told why they did not come in (after the refusals).
        lines = [o.line() for o in [*report.refused, *report.erased]]
        lines += [
            f"{o.path.name}: imported; add its interview definition to see the rubric."
            for o in report.imported
            if o.needs_definition
        ]
        if not lines:
            del self._import_reports[owner]  # nothing for the box: the status line said it all
            self._hide_import_box()
            return True
        self._fill_import_box(f"Import finished: {report.summary()}", lines)
        return True

    def _fill_import_box(self, title: str, lines: list[str]) -> None:
        self.refused_list.clear()
        self.refused_list.addItems(lines)
        self.refused_list.setVisible(bool(lines))
        self.import_title.setText(title)
        self.import_box.setVisible(True)
        self._refit_picture()  # the panes are shorter by the box

    def _dismiss_import_report(self) -> None:
        owner = self._readable_import()
        if owner is not False:
            del self._import_reports[owner]
        self._hide_import_box()

    def _hide_import_box(self) -> None:
        """Hidden and emptied: no file name stays in a hidden widget (a report not yet
        dismissed is kept for its panelist: _tell_import fills the box again)."""
        if self._import_box is None:
            return
        box, title, refused = self._import_box
        box.setVisible(False)
        title.clear()
        refused.clear()
        self._refit_picture()  # the panes have the box's height back

    def _import_failed(self, error: BaseException) -> None:
        self._import_finished()
        # Said to whoever started it only (the error can name a file): now, or at their
        # next sign-in.
        self._import_reports[self._import_owner] = _EndedImport(None, str(error), False)
        self._tell_import()
        if self._waiting_imported(False):  # False: kept ones stopped; they wait for a sign-in
            self._import_waiting()

    def _import_finished(self) -> None:
        self.importing = False
        self.import_action.setEnabled(True)
        self.import_folder_action.setEnabled(True)
        self.progress.setVisible(False)

    def choose_definition(self) -> None:
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog  # when asked (issue 17)

        path, _ = QFileDialog.getOpenFileName(
            self,
            "Add interview definition",
            str(Path.home()),
            "Interview definitions (*.onetakeinterview);;All (*)",
        )
        if path:
            self.add_definition(Path(path))

    def add_definition(self, path: Path) -> bool:
        if self._refused_while_locked("Sign in to add interview definitions."):
            return False
        record = self._guard(lambda: self.service.add_definition_file(path))
        if record is None:
            return False
        self.statusBar().showMessage(f"Added the definition of {record.role_title}.", 5000)
        self.reload_library()
        if self.current_answer_id is not None:
            self.show_answer(self.current_answer_id)
        return True

    def choose_export(self) -> None:
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog  # when asked (issue 17)

        from onetake_desktop.services.export_names import export_file_name

        actor = self.service.actor_for(self.current_reviewer_id)
        name = export_file_name("scores", actor, "csv", self.service.scoring.clock.now())
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export scores", str(Path.home() / name), "CSV (*.csv);;JSON (*.json)"
        )
        if path:
            fmt = "json" if path.endswith(".json") or "JSON" in chosen else "csv"
            self.export_scores(Path(path), fmt)

    def export_scores(self, path: Path, fmt: str) -> None:
        self.flush_note()
        actor = self.service.actor_for(self.current_reviewer_id)
        # Which scores go in is the policy's (services.scoring): no drafts while a panel
        # shares the library; the window only says what it got.
        count = self._guard(lambda: self.service.export_scores(actor, fmt=fmt, out=path))
        if count is not None:
            which = "submitted scores" if self.service.drafts_stay_home(actor) else "scores"
            self.statusBar().showMessage(f"Exported {count} {which} to {path}.", 6000)

    # -- shortlist ----------------------------------------------------------------------------

    def open_shortlist(self) -> Any:
        """Review > Shortlist…: the current candidate's interview ranked (a dialog of this
        window, so a panel lock closes it)."""
        from onetake_desktop.ui.reviewer.shortlist import open_shortlist

        return open_shortlist(self)

    # -- drag and drop, closing ---------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            if self._refused_while_locked(SIGN_IN_TO_IMPORT):
                event.ignore()  # the cursor shows it: no drop here while the panel is locked
                return
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        from pathlib import Path

        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        if self._refused_while_locked(SIGN_IN_TO_IMPORT):
            event.ignore()
            return
        event.acceptProposedAction()
        # Interview definitions dropped with (or without) bundles are added, not imported.
        from onetake_desktop.services.importing import is_definition_file

        definitions = [p for p in paths if p.is_file() and is_definition_file(p)]
        for path in definitions:
            self.add_definition(path)
        bundles = [p for p in paths if p not in definitions]
        if bundles:
            self.import_paths(bundles)

    def closeEvent(self, event: Any) -> None:
        if self.panes_built:  # (closed before a locked start built them: nothing to let go)
            self.flush_note()
            self.player.clear()
        from onetake_desktop.ui.tasks import wait_for_tasks

        wait_for_tasks(30_000)
        super().closeEvent(event)
        self._stop_watching()
        self._refresh_timer.stop()
        self.service.close()
