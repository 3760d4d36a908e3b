"""The library tree as an item model: interviews > candidates > answers.

A QTreeWidget builds one C++ item per row up front (10,000 candidates took 180-330 ms); this
model keeps one small Python node per row and lets the view ask only for the rows it shows.
Answers of a candidate are loaded when the candidate is first expanded (``fetchMore``).

A view lays out every row of an expanded interview (two calls into Python per row: 30 ms at
10,000 candidates, and 15 ms to build their nodes). For the window's first frame the model can
hold each interview's first rows only (``set_rows(..., first=N)``, N large enough that the rows
in view and the scroll bar look as with all of them; the counts cover every row) and
:meth:`show_all` adds the rest right after that frame; any lookup by candidate or answer adds
them first (issue 17).

Every text here comes from outside (names, emails, question texts): the view paints
``DisplayRole`` as plain text, and tooltips, which Qt would read as rich text, are escaped
(:func:`plain_tooltip`). GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QStandardItemModel
from PySide6.QtWidgets import QApplication

from onetake_desktop.domain.conformance import Flag
from onetake_desktop.services.reviewer import (
    ENTRY_FIELDS,
    AnswerStatus,
    EntryPage,
    EntryRow,
    candidate_status,
)
from onetake_desktop.ui.widgets.flags import FLAG_MARK, flags_tooltip
from onetake_desktop.ui.widgets.plain import plain_tooltip
from onetake_desktop.ui.widgets.qt_numbers import ItemDataRole, Orientation

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont

    from onetake_desktop.services.reviewer import CandidateEntry

Kind = Literal["interview", "candidate", "answer"]
Index = QModelIndex | QPersistentModelIndex

# Roles by number: data() receives its role as an int, and naming Qt's would build the Qt
# namespace before the first paint (ui/widgets/qt_numbers.py).
KIND_ROLE = ItemDataRole.UserRole
KEY_ROLE = ItemDataRole.UserRole + 1
STATUS_ROLE = ItemDataRole.UserRole + 2
FLAGS_ROLE = ItemDataRole.UserRole + 3  # a candidate's import flags (tuple of Flag)

# The same words everywhere (tree, hints, `onetake library list`): what the reviewer's own work
# on it is. The mark only repeats the word for a quick scan.
STATUS_MARKS: dict[str, str] = {
    "not started": "○ not started",
    "draft": "◐ draft",
    "submitted": "● submitted",
}
BLIND = "\0blind"  # a candidate's tooltip detail when blind mode hides the name
STATUS_SHORT: dict[str, str] = {"not started": "○", "draft": "◐", "submitted": "●"}
STATUS_COLOURS: dict[str, str] = {
    "not started": "#4a5568",
    "draft": "#9a5b00",
    "submitted": "#1e7a3c",
}


def progress_mark(status: str) -> str:
    """An interview's "a/b submitted" as the candidates' marks say it, for a narrow tree
    (the count, "0/10000", would take the names' width): none, some or all submitted."""
    done, _, total = status.partition(" ")[0].partition("/")
    if done == total and done not in ("", "0"):
        return STATUS_SHORT["submitted"]
    return STATUS_SHORT["not started" if done in ("", "0") else "draft"]


class AnswerRow(NamedTuple):
    """What the tree shows for one answer (the window builds these from the service)."""

    answer_id: int
    label: str
    status: AnswerStatus


class _Node:
    """One row of the tree: an interview, a candidate or an answer. A plain class with
    slots: as a dataclass it cost ~3 M instructions to define at every start (issue 17)."""

    __slots__ = ("children", "detail", "flags", "key", "kind", "label", "parent", "row", "status")

    def __init__(
        self,
        kind: Kind,
        key: int,  # interview pk, submission id or answer id
        label: str,
        detail: str,  # what the tooltip says besides the label (an email), built when asked
        status: str,  # an AnswerStatus, or "a/b submitted" for an interview
        parent: int,  # node id of the parent, -1 at the top
        row: int,
        children: list[int] | None = None,  # None: answers not loaded yet
        flags: tuple[Flag, ...] = (),  # a candidate's import flags (interview rules broken)
    ) -> None:
        self.kind = kind
        self.key = key
        self.label = label
        self.detail = detail
        self.status = status
        self.parent = parent
        self.row = row
        self.children = children
        self.flags = flags


def _root(top: list[int]) -> _Node:
    """Node 0: what an invalid index (internal id 0) stands for, the top of the tree, whose
    children are the interviews. index() and hasChildren(), which the view calls for every
    row it lays out, then need no isValid() call into Qt (issue 17). ``top`` is the model's
    ``_top`` itself, not a copy: rowCount() reads one, index() the other."""
    return _Node("interview", 0, "", "", "", -1, -1, top)


class LibraryModel(QAbstractItemModel):
    """Two columns: the name (or question) and the reviewer's status.

    ``answers_for(submission_id)`` is asked once per candidate, when it is expanded.
    """

    HEADERS = ("Candidate", "Status")
    # The rest of a first page came as the whole list (the library changed in between): the
    # model was reset to it, so the view's interviews are closed and its selection gone.
    replaced = Signal()

    def __init__(self, answers_for: Callable[[int], Sequence[AnswerRow]]) -> None:
        super().__init__()
        self._answers_for = answers_for
        self._top: list[int] = []
        self._nodes: list[_Node] = [_root(self._top)]
        self._candidates: dict[int, int] = {}  # submission id -> node id
        self._answers: dict[int, int] = {}  # answer id -> node id
        # interview node id -> its candidates' rows not yet made nodes (the first frame of a
        # large library; empty otherwise), with the blind codes and flags they are shown with.
        self._pending: dict[int, list[EntryRow]] = {}
        self._pending_marks: tuple[Mapping[int, str], Mapping[int, tuple[Flag, ...]]] = ({}, {})
        # The rows a first page left out, not yet read (EntryPage.rest), and the counts its
        # interviews show until then.
        self._more: Callable[[], EntryPage] | None = None
        # Those rows were read: show_all counts each interview from its rows, not the page's.
        self._recount = False
        self.compact = False  # a narrow library: marks only, the words in the tooltip
        # The interviews' bold font, made with the first interview row the view paints: an
        # empty library's first frame has none (QFont's Python type and enums, issue 17).
        self._bold: QFont | None = None
        self._brushes = {k: QColor(v) for k, v in STATUS_COLOURS.items()}
        self._flag_icon: QIcon | None = None
        # The words the view's header shows, held in C++ (the view gives its header this
        # model): a headerData override in Python is handed its orientation as the Qt
        # namespace's enum, whose first use builds all ~95 of its enums, ~120 M instructions
        # before the first paint (issue 17; ui/widgets/qt_numbers.py).
        self.header_labels = QStandardItemModel(self)
        self.header_labels.setHorizontalHeaderLabels(self.header_words())
        # Its changes are this model's (headerData answers the same words), signal to signal.
        self.header_labels.headerDataChanged.connect(self.headerDataChanged)

    # -- filling ------------------------------------------------------------------------------

    def set_entries(
        self,
        entries: Sequence[CandidateEntry],
        hidden: Mapping[int, str] | None = None,
        flags: Mapping[int, tuple[Flag, ...]] | None = None,
    ) -> None:
        """:meth:`set_rows` from entry objects (bench/reviewer_bench.py)."""
        rows = [tuple(getattr(e, name) for name in ENTRY_FIELDS) for e in entries]
        self.set_rows(cast(list[EntryRow], rows), hidden, flags)

    def set_rows(
        self,
        rows: Sequence[EntryRow],
        hidden: Mapping[int, str] | None = None,
        flags: Mapping[int, tuple[Flag, ...]] | None = None,
        first: int | None = None,
    ) -> None:
        """Replace everything with these candidates (``ReviewerService.entry_rows``: already
        sorted and filtered, one plain tuple each, as the service gives them without an object
        per candidate); ``hidden`` holds the submissions shown under a blind code (their
        tooltip says so), ``flags`` the import flags by submission (a mark beside the name,
        the sentences in its tooltip). ``first``: the view sees only each interview's first
        ``first`` candidates until :meth:`show_all` (the counts cover them all)."""
        hidden = hidden or {}
        flags = flags or {}
        self.beginResetModel()
        top: list[int] = []
        nodes: list[_Node] = [_root(top)]
        candidates: dict[int, int] = {}
        interviews: dict[int, int] = {}
        pending: dict[int, list[EntryRow]] = {}
        siblings: list[int] = []
        later: list[EntryRow] = []
        limit = len(rows) if first is None else first
        last_pk: int | None = None
        parent = -1
        # Positions (ENTRY_FIELDS): 0 submission id, 1 interview pk, 2 interview title,
        # 3 name, 4 email, 7 answers, 8 with a score, 9 submitted, 10 has a definition.
        for r in rows:
            pk = r[1]
            if pk != last_pk:  # rows come grouped by interview; a dict lookup only on a change
                last_pk = pk
                found = interviews.get(pk)
                if found is None:
                    found = len(nodes)
                    title = r[2] if r[10] else r[2] + "  (definition missing)"
                    nodes.append(_Node("interview", pk, title, "", "", -1, len(top), []))
                    interviews[pk] = found
                    top.append(found)
                parent = found
                kids = nodes[parent].children
                assert kids is not None
                siblings = kids
                later = pending.setdefault(parent, [])
            if len(siblings) < limit:
                self._add_candidate(nodes, candidates, siblings, parent, r, hidden, flags)
            else:
                later.append(r)
        self._nodes, self._top, self._candidates, self._answers = nodes, top, candidates, {}
        assert self._nodes[0].children is self._top  # see _root
        self._pending = {k: v for k, v in pending.items() if v}
        self._pending_marks = (hidden, flags)
        self._more = None
        self._recount = False
        for node_id in top:
            self._count_interview(node_id)
        self.endResetModel()

    def set_page(
        self, page: EntryPage, hidden: Mapping[int, str] | None = None, first: int | None = None
    ) -> None:
        """:meth:`set_rows` from ``ReviewerService.entry_page``: a whole list as set_rows
        takes it; a first page with every interview (and its counts) and those rows only,
        the rest read by :meth:`show_all` (which the window calls right after its first
        frame, and every lookup by candidate or answer first). ``first`` is set_rows' (each
        interview's first rows), for a whole list only; entry_page's counts the list's."""
        if page.rest is None:
            self.set_rows(page.rows, hidden, page.flags, first)
            return
        hidden = hidden or {}
        flags = page.flags
        self.beginResetModel()
        top: list[int] = []
        nodes: list[_Node] = [_root(top)]
        candidates: dict[int, int] = {}
        interviews: dict[int, int] = {}
        for pk, title, defined, count, submitted in page.interviews:
            interviews[pk] = len(nodes)
            top.append(len(nodes))
            label = title if defined else title + "  (definition missing)"
            status = f"{submitted}/{count} submitted"
            nodes.append(_Node("interview", pk, label, "", status, -1, len(top) - 1, []))
        for r in page.rows:
            parent = interviews[r[1]]
            kids = nodes[parent].children
            assert kids is not None
            self._add_candidate(nodes, candidates, kids, parent, r, hidden, flags)
        self._nodes, self._top, self._candidates, self._answers = nodes, top, candidates, {}
        assert self._nodes[0].children is self._top  # see _root
        self._pending = {}
        self._pending_marks = (hidden, flags)
        self._more = page.rest
        self._recount = False
        self.endResetModel()

    def _read_more(self) -> None:
        """The rows a first page left out, read now and held as a first frame's rows are."""
        more = self._more
        if more is None:
            return
        # Cleared only once read: should the read fail (a locked database, a sign-in the
        # panel asks for since), the error goes up to the caller (after the first frame: the
        # window's error report, as any failed read of the library) and the rows stay
        # pending, read again by the next lookup; showing_all() says so meanwhile.
        rest = more()
        self._more = None
        hidden = {**self._pending_marks[0], **(rest.hidden or {})}
        if rest.whole:
            # The library changed since the page (an import committed on its own connection):
            # the whole list in its place, as a reload shows it; the window, told, opens the
            # interviews and selects again as after any reload.
            self.set_rows(rest.rows, hidden, rest.flags)
            self.replaced.emit()
            return
        # The same library as the page's: every interview of the rest is one of the page's
        # (the page has them all, with their counts).
        interviews = {self._nodes[n].key: n for n in self._top}
        self._pending_marks = (hidden, {**self._pending_marks[1], **rest.flags})
        for r in rest.rows:
            self._pending.setdefault(interviews[r[1]], []).append(r)
        self._recount = True

    @staticmethod
    def _add_candidate(
        nodes: list[_Node],
        candidates: dict[int, int],
        siblings: list[int],
        parent: int,
        r: EntryRow,
        hidden: Mapping[int, str],
        flags: Mapping[int, tuple[Flag, ...]],
    ) -> None:
        sid = r[0]
        node_id = len(nodes)
        nodes.append(
            _Node(
                "candidate",
                sid,
                r[3],
                BLIND if sid in hidden else r[4],
                candidate_status(r[7], r[8], r[9]),
                parent,
                len(siblings),
                None,
                flags.get(sid, ()),
            )
        )
        siblings.append(node_id)
        candidates[sid] = node_id

    def show_all(self) -> None:
        """Every candidate in the tree (the rest of a first frame's rows, or of its page)."""
        self._read_more()
        pending, self._pending = self._pending, {}
        hidden, flags = self._pending_marks
        for node_id, rows in pending.items():
            kids = self._nodes[node_id].children
            assert kids is not None
            self.beginInsertRows(self._index_of(node_id, 0), len(kids), len(kids) + len(rows) - 1)
            for r in rows:
                self._add_candidate(self._nodes, self._candidates, kids, node_id, r, hidden, flags)
            self.endInsertRows()
        if self._recount:  # the counts from the rows themselves now, as a whole list has them
            self._recount = False  # (also when candidate_count() read them: not shown yet)
            for node_id in self._top:
                before = self._nodes[node_id].status
                self._count_interview(node_id)
                if self._nodes[node_id].status != before:
                    self._changed(node_id)

    def showing_all(self) -> bool:
        return not self._pending and self._more is None

    def _count_interview(self, node_id: int) -> None:
        node = self._nodes[node_id]
        kids = node.children or []
        done = sum(self._nodes[c].status == "submitted" for c in kids)
        later = self._pending.get(node_id, ())
        done += sum(candidate_status(r[7], r[8], r[9]) == "submitted" for r in later)
        node.status = f"{done}/{len(kids) + len(later)} submitted"

    def set_answer_statuses(self, submission_id: int, statuses: Mapping[int, AnswerStatus]) -> None:
        """One candidate's answers changed (a score, a submit, from any window)."""
        self.show_all()
        cand_id = self._candidates.get(submission_id)
        if cand_id is None:
            return
        cand = self._nodes[cand_id]
        for child in cand.children or []:
            node = self._nodes[child]
            if node.key in statuses and node.status != statuses[node.key]:
                node.status = statuses[node.key]
                self._changed(child)
        values = list(statuses.values())
        overall = (
            "submitted"
            if values and all(v == "submitted" for v in values)
            else ("draft" if any(v != "not started" for v in values) else "not started")
        )
        if cand.status != overall:
            cand.status = overall
            self._changed(cand_id)
            self._count_interview(cand.parent)
            self._changed(cand.parent)

    def set_compact(self, on: bool) -> None:
        if on != self.compact:
            self.show_all()
            self.compact = on
            self.header_labels.setHorizontalHeaderLabels(self.header_words())
            if self._top:
                last = self._top[-1]
                self.dataChanged.emit(self.index(0, 1), self._index_of(last, 1))
                for top in self._top:
                    kids = self._nodes[top].children or []
                    if kids:
                        self.dataChanged.emit(
                            self._index_of(kids[0], 1), self._index_of(kids[-1], 1)
                        )

    def _changed(self, node_id: int) -> None:
        index = self._index_of(node_id, 1)
        self.dataChanged.emit(index, index)

    # -- lookups the window uses --------------------------------------------------------------

    def kind(self, index: Index) -> Kind | None:
        return self._node(index).kind if index.isValid() else None

    def key(self, index: Index) -> int:
        return self._node(index).key

    def candidate_index(self, submission_id: int) -> QModelIndex:
        self.show_all()
        node_id = self._candidates.get(submission_id)
        return QModelIndex() if node_id is None else self._index_of(node_id, 0)

    def answer_index(self, submission_id: int, answer_id: int) -> QModelIndex:
        self.show_all()
        cand = self._candidates.get(submission_id)
        if cand is None:
            return QModelIndex()
        self._load(cand)
        node_id = self._answers.get(answer_id)
        return QModelIndex() if node_id is None else self._index_of(node_id, 0)

    def submission_ids(self) -> list[int]:
        """Candidates in the order shown."""
        self.show_all()
        return [self._nodes[c].key for t in self._top for c in self._nodes[t].children or []]

    def answer_ids(self, submission_id: int) -> list[int]:
        self.show_all()
        cand = self._candidates.get(submission_id)
        if cand is None:
            return []
        self._load(cand)
        return [self._nodes[a].key for a in self._nodes[cand].children or []]

    def status_of_candidate(self, submission_id: int) -> str | None:
        self.show_all()
        cand = self._candidates.get(submission_id)
        return None if cand is None else self._nodes[cand].status

    def interview_status(self, row: int) -> str:
        return self._nodes[self._top[row]].status

    def status_samples(self) -> tuple[list[str], list[str]]:
        """The widest texts the status column can show now (candidates' and answers' in the
        normal font, interviews' in bold): what the window sizes that column to."""
        if self.compact:
            marks = list(STATUS_SHORT.values())
            return marks, marks
        interviews = []
        for node_id in self._top:
            total = self._nodes[node_id].status.partition(" ")[0].partition("/")[2]
            interviews.append(f"{total}/{total}")  # as wide as its count gets
        return list(STATUS_MARKS.values()), interviews

    def candidate_count(self) -> int:
        self._read_more()
        return len(self._candidates) + sum(len(rows) for rows in self._pending.values())

    def flags_of(self, submission_id: int) -> tuple[Flag, ...]:
        self.show_all()
        cand = self._candidates.get(submission_id)
        return () if cand is None else self._nodes[cand].flags

    # -- QAbstractItemModel -------------------------------------------------------------------

    def _node(self, index: Index) -> _Node:
        return self._nodes[int(index.internalId())]

    def _index_of(self, node_id: int, column: int) -> QModelIndex:
        return self.createIndex(self._nodes[node_id].row, column, node_id)

    def _load(self, node_id: int) -> None:
        node = self._nodes[node_id]
        if node.kind != "candidate" or node.children is not None:
            return
        rows = list(self._answers_for(node.key))
        node.children = []
        if not rows:
            return
        parent = self._index_of(node_id, 0)
        first = len(self._nodes)
        self.beginInsertRows(parent, 0, len(rows) - 1)
        for i, r in enumerate(rows):
            self._nodes.append(_Node("answer", r.answer_id, r.label, "", r.status, node_id, i))
            node.children.append(first + i)
            self._answers[r.answer_id] = first + i
        self.endInsertRows()

    # index() and hasChildren() run once per row whenever the view lays out an expanded
    # interview (10,000 calls each from C++): kept to a few attribute lookups.
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        kids = self._nodes[parent.internalId()].children or ()  # node 0: the interviews
        if 0 <= row < len(kids) and 0 <= column < 2:
            return self.createIndex(row, column, kids[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self._nodes[int(index.internalId())].parent
        return QModelIndex() if parent < 0 else self._index_of(parent, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._top)
        if parent.column() > 0:
            return 0
        return len(self._node(parent).children or [])

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 2

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        node = self._nodes[parent.internalId()]  # node 0 (no parent): the interviews
        children = node.children
        if children is None:
            return node.kind == "candidate"  # answers not loaded yet: a candidate has some
        return bool(children)

    def canFetchMore(self, parent: Index) -> bool:
        return parent.isValid() and self._node(parent).children is None

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            self._load(int(parent.internalId()))

    @staticmethod
    def _tooltip(node: _Node) -> str:
        if node.kind == "candidate":
            if node.detail == BLIND:
                first = "Name hidden (blind mode) until the panel decides"
            else:
                first = f"{node.label} <{node.detail}>"
            return flags_tooltip(node.flags, first)
        if node.kind == "interview":  # the count, also when a narrow tree shows its mark only
            return plain_tooltip(f"{node.label}\n{node.status}")
        return plain_tooltip(node.label)

    def _bold_font(self) -> QFont:
        if self._bold is None:
            from PySide6.QtGui import QFont

            self._bold = QFont()
            self._bold.setBold(True)
        return self._bold

    def _flag_mark(self) -> QIcon:
        if self._flag_icon is None:
            # QStyle (its Python type and enums: ~45 M instructions) loads with the first
            # flagged row: an empty library's first frame shows none (issue 17).
            from PySide6.QtWidgets import QStyle

            self._flag_icon = QApplication.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning
            )
        return self._flag_icon

    def header_words(self) -> list[str]:
        """The header's words: the status column's is blank while the library is narrow
        (only marks below it; each cell's word is in its tooltip and accessible text)."""
        return [
            "" if self.compact and section == 1 else word
            for section, word in enumerate(self.HEADERS)
        ]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = ItemDataRole.DisplayRole
    ) -> Any:
        # For whoever asks the model itself (the view's header asks header_labels): the same
        # words, changed with headerDataChanged (forwarded from header_labels).
        if orientation.value == Orientation.Horizontal and role == ItemDataRole.DisplayRole:
            return self.header_words()[section]
        return None

    def data(self, index: Index, role: int = ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._nodes[int(index.internalId())]
        column = index.column()
        if role == ItemDataRole.DisplayRole:
            if column == 0:
                return node.label
            if node.kind == "interview":  # "a/b submitted": the count (the words: tooltip)
                return progress_mark(node.status) if self.compact else node.status.split(" ")[0]
            if self.compact:
                return STATUS_SHORT.get(node.status, node.status)
            return STATUS_MARKS.get(node.status, node.status)
        if role == ItemDataRole.ToolTipRole:
            return self._tooltip(node) if column == 0 else node.status
        if role == ItemDataRole.DecorationRole and column == 0 and node.flags:
            return self._flag_mark()  # the import flagged this candidate: see the tooltip
        if role == ItemDataRole.AccessibleDescriptionRole and column == 0 and node.flags:
            return f"{FLAG_MARK} flagged: " + " ".join(f.message for f in node.flags)
        if role == FLAGS_ROLE:
            return node.flags
        if role == ItemDataRole.ForegroundRole and column == 1:
            return self._brushes.get(node.status)
        if role == ItemDataRole.FontRole and node.kind == "interview":
            return self._bold_font()
        if role == KIND_ROLE:
            return node.kind
        if role == KEY_ROLE:
            return node.key
        if role == STATUS_ROLE:
            return node.status
        if role == ItemDataRole.AccessibleTextRole and column == 1:
            return node.status
        return None
