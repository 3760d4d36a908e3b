"""The authoring window: every field of the interview format as a form, with guard-rail advice
and validation errors beside the field they are about. Thin: the draft (services/author.py)
holds the document, the undo history and the rules; this window shows and forwards."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from PySide6.QtCore import QDate, QDateTime, QTime, QTimer, QTimeZone
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.authoring import privacy_notice_from_template
from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services import author
from onetake_desktop.services.author import AuthorDraft
from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.author.fields import (
    Field,
    combo,
    line,
    note_label,
    paragraph,
    plain_label,
    seconds,
    show_notes,
)
from onetake_desktop.ui.widgets.qt_numbers import set_properties
from onetake_desktop.ui.widgets.wheel import wheel_when_focused

if TYPE_CHECKING:  # the checks list loads its Qt classes when it is built (issue 17)
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QDialog, QDoubleSpinBox, QListWidget, QListWidgetItem

    from onetake_desktop.domain.authoring import Advice
    from onetake_desktop.domain.validation import Problem
    from onetake_desktop.services.author_records import BankQuestion, Published
    from onetake_desktop.storage.kit_signature import KitSigner

PARTS = ("Interview", "Candidate's pages", "Privacy", "Practice", "Questions", "Hand-over")
DEFAULT_TYPES = ("video", "audio", "text")
DEFAULT_TYPE_LABELS = ("Video", "Audio only", "Written")
LATE_LABELS = (
    "Accept answers as usual",
    "Accept answers, marked as late",
    "Do not accept answers (candidates are asked to contact you)",
)
LATE_VALUES = ("", "mark", "refuse")  # "" : the format's default, "allow"
# Offsets every half hour from UTC-12 to UTC+14: a deadline is a moment, shown with its zone.
OFFSETS = [timedelta(minutes=m) for m in range(-12 * 60, 14 * 60 + 1, 30)]
Unsaved = Literal["save", "discard", "cancel"]
_Page = TypeVar("_Page", bound=QWidget)


def offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _minutes(offset: timedelta) -> int:
    return int(offset.total_seconds() // 60)


# The deadline field holds a wall-clock date and time; its zone is the list beside it. The field
# itself counts in UTC, where every wall-clock time exists: in this computer's own zone, Qt
# converts each value it parses or shows through the C library's local time (issue 17: ~5 M
# instructions before the first paint), and a time skipped by a daylight-saving change there
# could not be shown or typed even when the chosen offset has it.
_FIELD_ZONE = QTimeZone(QTimeZone.Initialization.UTC)


def _qt_datetime(value: datetime) -> QDateTime:
    return QDateTime(
        QDate(value.year, value.month, value.day), QTime(value.hour, value.minute), _FIELD_ZONE
    )


class AuthorWindow(QMainWindow):
    """Options for tests: replace ``choose_save_path``, ``choose_kit_path``, ``ask_unsaved``,
    ``confirm_signing`` and ``pick_from_bank`` instead of dialogs, and ``run_sign_dialog`` to
    drive the passphrase dialog instead of running it modally.

    ``later_parts``: build the parts behind tabs 2-6 right after the window's first paint (or
    at once when one of those tabs is chosen first) instead of now, as the app opens the
    window (issue 17: ~30 ms of the first paint went on parts nobody sees yet). Until then
    ``parts_built`` is False and ``fields`` holds the first part's fields only."""

    def __init__(
        self, context: AppContext, draft: AuthorDraft | None = None, *, later_parts: bool = False
    ) -> None:
        super().__init__()
        self._painted = False  # see paintEvent
        self.context = context
        self.draft = draft or AuthorDraft.blank()
        self.recent = author.recent_files(context.paths)
        self.loading = False
        self.question = -1
        self.fields: list[Field] = []
        self.labels: dict[str, str] = {
            "deadline": "Deadline",
            "practice": "Practice question",
            "questions": "Questions",
        }
        self.accommodation_fields: list[Field] = []
        self.preview: QWidget | None = None
        self.choose_save_path: Callable[[], Path | None] = self._ask_save_path
        self.choose_kit_path: Callable[[], Path | None] = self._ask_kit_path
        self.ask_unsaved: Callable[[], Unsaved] = self._ask_unsaved
        self.confirm_signing: Callable[[str], bool] = self._ask_sign_anyway
        self.run_sign_dialog: Callable[[QDialog], bool] = self._run_dialog
        self.pick_from_bank: Callable[[], BankQuestion | None] = self._ask_bank
        self.show_messages = True  # tests read ``last_message`` instead of clicking a box
        self.last_message = ""
        self.setObjectName("AuthorWindow")
        # Never bigger than the screen's free area (1366x768 at 150 % is 911x512 logical).
        screen = self.screen() or QGuiApplication.primaryScreen()
        free = screen.availableGeometry() if screen is not None else None
        self.resize(
            1100 if free is None else min(1100, free.width() - 40),
            760 if free is None else min(760, free.height() - 60),
        )

        # Built top-down: the window, its column and the tabs first, then each part into its
        # place. A finished part moved into a new parent is restyled whole (the application's
        # style sheet) at every move: built bottom-up, each form moved four times (issue 17:
        # ~50 ms before the first paint).
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("AuthorParts")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        first = QWidget()
        self._scrolled_tab(PARTS[0]).setWidget(first)
        self._interview_part(first)
        # Every tab is there from the start, holding an empty placeholder until _build_parts
        # puts its part in: their scroll areas (~1 M instructions each) would otherwise be
        # built before the first paint for tabs nobody sees yet.
        for title in PARTS[1:]:
            self.tabs.addTab(QWidget(), title)
        self.parts_built = False
        if later_parts:
            self.tabs.currentChanged.connect(self._part_chosen)
        else:
            self._build_parts()

        self.summary = plain_label("", "ChecksSummary")
        # Advice already sits beside each field; the full list is one click away, so that a
        # small screen keeps its height for the form. That list is hidden until then, so it
        # is built when first needed (see ``checks``), not before the first paint (issue 17).
        self._checks: QListWidget | None = None
        self._listed: tuple[list[Problem], list[Advice]] = ([], [])
        self.checks_button = QPushButton("Show all")
        self.checks_button.setCheckable(True)
        self.checks_button.setAccessibleName("Show every problem and suggestion")
        self.checks_button.toggled.connect(self._show_checks)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.checks_button)
        self._bottom = QVBoxLayout()
        self._bottom.setContentsMargins(8, 0, 8, 0)
        self._bottom.addLayout(summary_row)
        layout.addLayout(self._bottom)
        self._actions()
        self.load()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            # The window's first frame: what waited for it comes right after (queued, so that
            # this frame is finished first). Watched here rather than through
            # widgets.first_paint's event filter, which runs Python for every event the window
            # gets until it paints (issue 17: ~7 M instructions before this first frame).
            # A window paints itself only where its children leave it uncovered; its layout's
            # margins do, so this runs with the first frame (test_author_later_parts fails if
            # it ever stops: the later tabs and "Build and sign" would wait for a click).
            self._painted = True
            QTimer.singleShot(0, self, self._on_first_paint)

    @property
    def checks(self) -> QListWidget:
        """Every problem and piece of advice, each taking you to its field: built (below the
        summary, hidden) the first time it is asked for, and kept up to date from then on."""
        if self._checks is None:
            # Imported here: QListWidget's Python class and enums cost ~10 M instructions.
            from PySide6.QtWidgets import QListWidget

            checks = QListWidget()
            checks.setObjectName("ChecksList")
            checks.setAccessibleName("Problems and advice")
            checks.setWordWrap(True)
            checks.itemActivated.connect(self._go_to_check)
            checks.itemClicked.connect(self._go_to_check)
            checks.setMaximumHeight(150)
            checks.hide()
            self._bottom.addWidget(checks)
            self._checks = checks
            self._fill_checks(checks)
        return self._checks

    def _fill_checks(self, checks: QListWidget) -> None:
        # Qt (its namespace's enums: ui/widgets/qt_numbers.py) loads with the first checks.
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QListWidgetItem

        problems, advice = self._listed
        checks.clear()
        for p in problems:
            item = QListWidgetItem(f"✖ {self.where(p.path)} ({p.path}): {p.message}")
            item.setData(Qt.ItemDataRole.UserRole, p.path)
            item.setForeground(Qt.GlobalColor.darkRed)
            checks.addItem(item)
        for a in advice:
            item = QListWidgetItem(f"⚠ {self.where(a.path)}: {a.message}")
            item.setData(Qt.ItemDataRole.UserRole, a.path)
            checks.addItem(item)

    def _on_first_paint(self) -> None:
        if not self.isVisible():  # closed in the meantime
            return
        self.build_parts()  # a no-op when built whole
        self._update_sign_action()

    # --- building the parts ----------------------------------------------------------------

    def build_parts(self) -> None:
        """Build the parts behind tabs 2-6 now if they wait (``later_parts``) and show the
        draft in them."""
        if not self.parts_built:
            self._build_parts()
            self.load()

    def _part_chosen(self, index: int) -> None:
        if index > 0 and not self.parts_built:  # built before that tab is ever painted
            self.build_parts()

    def _build_parts(self) -> None:
        # Imported with the parts it builds (issue 17): not before the first paint.
        from onetake_desktop.ui.author.questions import QuestionsPage

        self.parts_built = True
        # Each scroll area takes its tab before its part is built into it (top-down, as in
        # __init__: a finished part moved into a new parent is restyled whole).
        self._in_tab(1, self._scroll_area()).setWidget(self._pages_part())
        self._in_tab(2, self._scroll_area()).setWidget(self._privacy_part())
        self._in_tab(3, self._scroll_area()).setWidget(self._practice_part())
        self.questions = QuestionsPage(self)
        self.fields.extend(self.questions.fields)
        self.labels.update(self.questions.labels)
        self._in_tab(4, self.questions)
        self._in_tab(5, self._scroll_area()).setWidget(self._hand_over_part())

    def _in_tab(self, index: int, page: _Page) -> _Page:
        """``page`` in tab ``index``, in place of its placeholder; the chosen tab stays chosen."""
        placeholder = self.tabs.widget(index)
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)  # the same tab stays chosen: no currentChanged
        try:
            self.tabs.insertTab(index, page, PARTS[index])
            self.tabs.removeTab(index + 1)
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(False)
        if placeholder is not None:
            placeholder.deleteLater()
        return page

    def _scrolled_tab(self, title: str) -> QScrollArea:
        """A new tab holding an empty scroll area, for its part to be placed in."""
        scroll = self._scroll_area()
        self.tabs.addTab(scroll, title)
        return scroll

    @staticmethod
    def _scroll_area() -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        return scroll

    def _bind(
        self,
        form: QFormLayout,
        label: str,
        template: str,
        widget: object,
        *,
        optional: bool = False,
        choices: tuple[str, ...] = (),
        hint: str = "",
        default: object = None,
    ) -> Field:
        field = Field(template, widget, optional=optional, choices=choices, default=default)  # type: ignore[arg-type]
        field.on_change(self.edited)
        if not field.widget.accessibleName():
            field.widget.setAccessibleName(label)  # the form's label is not its buddy
        self.labels[template] = label
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(field.widget)
        if hint:
            box.addWidget(plain_label(hint, "Hint"))
        box.addWidget(field.note)
        form.addRow(label, box)
        self.fields.append(field)
        return field

    @staticmethod
    def _form(parent: QWidget, intro: str) -> QFormLayout:
        outer = QVBoxLayout(parent)
        outer.addWidget(plain_label(intro, "Hint"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        outer.addLayout(form)
        outer.addStretch(1)
        return form

    def _interview_part(self, part: QWidget) -> QWidget:
        form = self._form(part, "Who is hiring, for what, and the rules of this interview.")
        self._bind(form, "Organisation", "organisation", line("e.g. Harbour Lane"))
        self._bind(form, "Role", "role_title", line("e.g. Customer Support Specialist"))
        self._bind(
            form,
            "Contact for help",
            "contact",
            line("A name and an address candidates can write to"),
            optional=True,
        )
        self._bind(
            form,
            "Default answer type",
            "default_answer_type",
            combo(DEFAULT_TYPE_LABELS),
            choices=DEFAULT_TYPES,
        )
        # The deadline: a date and time in a chosen time zone, or none.
        self.has_deadline = QCheckBox("Answers are due by")
        self.deadline_edit = wheel_when_focused(QDateTimeEdit())  # the form scrolls
        self.deadline_edit.setTimeZone(_FIELD_ZONE)  # first: see _FIELD_ZONE
        self.deadline_edit.setCalendarPopup(True)
        self.deadline_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.deadline_edit.setDateTime(_qt_datetime(self._shown_deadline()))
        self.deadline_zone = wheel_when_focused(QComboBox())
        self.deadline_zone.setAccessibleName("Time zone of the deadline")
        # The offset of each entry, in whole minutes, kept beside the list rather than as item
        # data: one call fills the list (issue 17: 53 calls cost ~3 M instructions). Entry i
        # of deadline_zone is _zone_minutes[i]; only _choose_zone adds to either.
        self._zone_minutes = [_minutes(offset) for offset in OFFSETS]
        self.deadline_zone.addItems([offset_label(offset) for offset in OFFSETS])
        row = QHBoxLayout()
        row.addWidget(self.has_deadline)
        row.addWidget(self.deadline_edit, 1)
        row.addWidget(self.deadline_zone)
        self.deadline_note = note_label()
        box = QVBoxLayout()
        box.addLayout(row)
        box.addWidget(self.deadline_note)
        form.addRow("Deadline", box)
        self.has_deadline.toggled.connect(self._deadline_edited)
        self.deadline_edit.dateTimeChanged.connect(self._deadline_edited)
        self.deadline_zone.currentIndexChanged.connect(self._deadline_edited)

        self._bind(
            form,
            "After the deadline",
            "late_submissions",
            combo(LATE_LABELS),
            optional=True,
            choices=LATE_VALUES,
        )
        self._bind(
            form,
            "If devices fail",
            "written_instead",
            QCheckBox("Candidates may write every answer instead of recording it"),
            optional=True,
        )
        # Accommodations: rows rebuilt from the draft.
        self.accommodation_rows = QGridLayout()
        self.add_accommodation_button = QPushButton("Add an accommodation")
        self.add_accommodation_button.clicked.connect(self._add_accommodation)
        acc_box = QVBoxLayout()
        acc_box.addLayout(self.accommodation_rows)
        # At its own width, on the left: what AlignLeft would do, without naming the Qt
        # namespace before the first paint (ui/widgets/qt_numbers.py).
        self.add_accommodation_button.setSizePolicy(
            QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed
        )
        acc_box.addWidget(self.add_accommodation_button)
        form.addRow("Accommodations", acc_box)
        self._bind(
            form,
            "Interview id",
            "interview_id",
            line("support-2027"),
            hint="Stays the same across versions: bundles name it.",
        )
        self._bind(
            form,
            "Version",
            "version",
            line("1"),
            hint="Building changed content over a published kit moves this on by itself.",
        )
        return part

    def _pages_part(self) -> QWidget:
        part = QWidget()
        form = self._form(part, "What candidates read before they start and after they finish.")
        self._bind(form, "Welcome", "welcome", paragraph("Greet candidates.", 110))
        self._bind(
            form,
            "Instructions",
            "instructions",
            paragraph("How many questions, the times, retakes, what to prepare.", 140),
        )
        self._bind(
            form,
            "After they send",
            "next_steps",
            paragraph("What happens next, and when they will hear from you.", 90),
            optional=True,
        )
        return part

    def _privacy_part(self) -> QWidget:
        part = QWidget()
        form = self._form(
            part,
            "Candidates see this notice before anything is recorded. Say who sees the answers, "
            "where they go and how long they are kept; the guide below writes it for you.",
        )
        self.privacy_who = line("e.g. the three people on the hiring panel, and nobody else")
        self.privacy_where = line("e.g. they stay on this computer until you send the file")
        self.privacy_how_long = line("e.g. 180 days after you send them, then deleted")
        form.addRow("Who sees the answers", self.privacy_who)
        form.addRow("Where they go", self.privacy_where)
        form.addRow("How long they are kept", self.privacy_how_long)
        self.write_notice_button = QPushButton("Write the notice from these")
        self.write_notice_button.clicked.connect(self._write_notice)
        form.addRow("", self.write_notice_button)
        self._bind(form, "Privacy notice", "privacy_notice", paragraph("", 120))
        self._bind(
            form,
            "Keep answers for",
            "retention_days",
            seconds(1, 3650, " days"),
            hint="The reviewers' library erases a candidate's answers after this.",
        )
        return part

    def _practice_part(self) -> QWidget:
        from PySide6.QtCore import Qt  # a later tab's: built after the first paint

        part = QWidget()
        form = self._form(
            part,
            "An unscored warm-up: candidates check their camera and sound and the timer. Its "
            "takes are never saved.",
        )
        self.has_practice = QCheckBox("Offer a practice question")
        self.has_practice.toggled.connect(self._practice_toggled)
        self.practice_note = note_label()
        box = QVBoxLayout()
        box.addWidget(self.has_practice, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.practice_note)
        form.addRow("", box)
        self.practice_fields = [
            self._bind(form, "Practice question", "practice.text", paragraph("", 60)),
            self._bind(form, "Why", "practice.context", paragraph("", 50), optional=True),
            self._bind(
                form, "Time to think", "practice.think_seconds", seconds(0, 600), default=15
            ),
            self._bind(
                form,
                "Longest answer",
                "practice.answer_max_seconds",
                seconds(5, 3600),
                default=30,
            ),
        ]
        return part

    def _hand_over_part(self) -> QWidget:
        part = QWidget()
        form = self._form(
            part,
            "How candidates send you their answers. Leave empty to let them save the file "
            "and follow your invitation. Building with your organisation key encrypts "
            "bundles to you.",
        )
        self._bind(
            form,
            "Upload address",
            "hand_over.upload_url",
            line("https://intake.example.org/files/"),
            optional=True,
        )
        self._bind(form, "Upload token", "hand_over.upload_token", line(""), optional=True)
        self._bind(
            form,
            "Other ways to send",
            "hand_over.instructions",
            paragraph("e.g. e-mail it to hiring@example.org", 70),
            optional=True,
        )
        return part

    def _actions(self) -> None:
        def action(text: str, slot: Callable[[], object], keys: object = None) -> QAction:
            act = QAction(text, self)
            if keys is not None:
                # As a property: setShortcut's overloads take the Qt namespace's Key, which
                # PySide6 would build before the first paint (ui/widgets/qt_numbers.py).
                set_properties(act, shortcut=QKeySequence(keys))  # type: ignore[call-overload]
            act.triggered.connect(lambda _checked=False: slot())
            return act

        self.new_action = action("&New interview", self.new_interview, QKeySequence.StandardKey.New)
        self.open_action = action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.save_action = action("&Save", self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = action(
            "Save &as…", lambda: self.save(ask=True), QKeySequence.StandardKey.SaveAs
        )
        self.build_action = action("&Build kit…", self.build, "Ctrl+B")
        self.sign_action = action("Build and si&gn kit…", lambda: self.build(sign=True))
        self.preview_action = action("&Preview as the candidate", self.open_preview, "Ctrl+P")
        self.close_action = action("&Close", self.close, QKeySequence.StandardKey.Close)
        self.undo_action = action("&Undo", self.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = action("&Redo", self.redo, QKeySequence.StandardKey.Redo)
        self.recent_menu = QMenu("Open &recent", self)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addActions([self.build_action, self.sign_action, self.preview_action])
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        # Whether the library holds an organisation key (a database and cryptography to open):
        # asked when the menu opens and once the window is on screen, not at every edit.
        self.sign_action.setEnabled(False)
        file_menu.aboutToShow.connect(self._update_sign_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        bar = self.addToolBar("Authoring")
        bar.setObjectName("AuthorToolbar")
        bar.setMovable(False)
        bar.addActions([self.save_action, self.undo_action, self.redo_action, self.build_action])
        bar.addActions([self.sign_action, self.preview_action])
        self._fill_recent()

    # --- showing the draft -----------------------------------------------------------------

    def load(self, select: int | None = None) -> None:
        """Show the whole draft (after opening, undo or redo)."""
        self.loading = True
        try:
            if self.parts_built:
                self.questions.reload(select)
                self.question = self.questions.current()
            for field in self.fields:
                if self.question >= 0 or "{q}" not in field.template:
                    field.show(self.draft.get(field.path(self.question)))
            self._load_deadline()
            self._load_accommodations()
            if self.parts_built:
                practice = isinstance(self.draft.get("practice"), dict)
                self.has_practice.setChecked(practice)
                for field in self.practice_fields:
                    field.widget.setEnabled(practice)
        finally:
            self.loading = False
        self.refresh()

    def show_question(self, index: int) -> None:
        self.question = index
        was = self.loading
        self.loading = True
        try:
            for field in self.questions.fields:
                field.show(self.draft.get(field.path(index)))
        finally:
            self.loading = was
        self.draft.end_typing()
        self.refresh()

    def _load_deadline(self) -> None:
        value = self.draft.get("deadline")
        self.has_deadline.setChecked(isinstance(value, datetime))
        shown = self._shown_deadline()
        # The draft's own zone, or (none yet) this computer's offset on the suggested date.
        self._choose_zone(shown.utcoffset() or timedelta(0))
        self.deadline_edit.setDateTime(_qt_datetime(shown))
        self.deadline_edit.setEnabled(self.has_deadline.isChecked())
        self.deadline_zone.setEnabled(self.has_deadline.isChecked())

    def _shown_deadline(self) -> datetime:
        """The draft's deadline, or (none yet) one to offer: two weeks from today at 23:59 on
        this computer's calendar, not UTC's (late evening in the Americas is already
        tomorrow in UTC), at the offset this computer has on that date (a daylight-saving
        change may come in between)."""
        value = self.draft.get("deadline")
        if isinstance(value, datetime) and value.utcoffset() is not None:
            return value
        day = self.context.clock.now().astimezone().date() + timedelta(days=14)
        # A naive local time: astimezone() gives it the offset the computer's zone has then.
        return datetime(day.year, day.month, day.day, 23, 59).astimezone()

    def _choose_zone(self, offset: timedelta) -> None:
        """Select ``offset`` in the zone list, adding it when it is not a half hour."""
        minutes = _minutes(offset)
        if minutes not in self._zone_minutes:
            self._zone_minutes.append(minutes)
            self.deadline_zone.addItem(offset_label(offset))
        self.deadline_zone.setCurrentIndex(self._zone_minutes.index(minutes))

    def _load_accommodations(self) -> None:
        while self.accommodation_rows.count():
            item = self.accommodation_rows.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.hide()
                old.deleteLater()
        for field in self.accommodation_fields:
            self.fields.remove(field)
        self.accommodation_fields = []
        offered = self.draft.get("accommodations") or []
        for i, _ in enumerate(offered):
            label_edit = line("e.g. Extra time: 1.5x (no need to explain)")
            label_edit.setAccessibleName(f"Accommodation {i + 1}")
            id_edit = line("extra-time")
            id_edit.setMaximumWidth(130)
            id_edit.setAccessibleName(f"Accommodation {i + 1} id")
            from PySide6.QtWidgets import QDoubleSpinBox  # see fields.Editor

            factor = wheel_when_focused(QDoubleSpinBox())
            factor.setRange(1.0, 3.0)
            factor.setSingleStep(0.25)
            factor.setPrefix("time x")
            remove = QPushButton("Remove")
            remove.clicked.connect(lambda _c=False, n=i: self._remove_accommodation(n))
            row: tuple[tuple[str, QLineEdit | QDoubleSpinBox], ...] = (
                (f"accommodations[{i}].id", id_edit),
                (f"accommodations[{i}].label", label_edit),
                (f"accommodations[{i}].time_multiplier", factor),
            )
            for column, (template, widget) in enumerate(row):
                field = Field(template, widget)
                field.show(self.draft.get(template))
                field.on_change(self.edited)
                self.accommodation_fields.append(field)
                self.fields.append(field)
                self.accommodation_rows.addWidget(widget, 2 * i, column)
                self.accommodation_rows.addWidget(field.note, 2 * i + 1, 0, 1, 4)
            self.accommodation_rows.addWidget(remove, 2 * i, 3)
        self.accommodation_rows.setColumnStretch(1, 1)

    def refresh(self) -> None:
        """Notes beside the fields, the checks list, the title and the actions."""
        problems, advice = self.draft.checks(self.context.clock.now())
        q = self.question
        for field in self.fields:
            path = field.path(q)
            show_notes(
                field.note,
                # Named as the form labels it ("Role is required", not role_title's path).
                [f"{self.field_words(path)} {p.message}" for p in problems if p.path == path],
                [a.message for a in advice if a.path == path],
            )
        notes = [(self.deadline_note, "deadline")]
        if self.parts_built:
            notes += [(self.practice_note, "practice"), (self.questions.list_note, "questions")]
        for note, path in notes:
            show_notes(
                note,
                [p.message for p in problems if p.path == path],
                [a.message for a in advice if a.path == path],
            )
        if self.parts_built:
            flagged = {
                int(path.split("]")[0].split("[")[1])
                for path in [*(p.path for p in problems), *(a.path for a in advice)]
                if path.startswith("questions[")
            }
            self.questions.retitle(flagged)
        self._listed = (problems, advice)
        if self._checks is not None:
            self._fill_checks(self._checks)
        if problems:
            count = len(problems)
            summary = f"{count} problem{'s' if count > 1 else ''} to fix before building"
        else:
            summary = "Ready to build"
        if advice:
            summary += f"; {len(advice)} suggestion{'s' if len(advice) > 1 else ''}"
        self.summary.setText(summary + ".")
        listed = len(problems) + len(advice)
        self.checks_button.setEnabled(listed > 0)
        if self._checks is not None:
            self._checks.setVisible(self.checks_button.isChecked() and listed > 0)
        name = self.draft.path.name if self.draft.path else "New interview"
        self.setWindowTitle(f"{name}[*] · OneTake interview author")
        self.setWindowModified(self.draft.dirty)
        self.undo_action.setEnabled(self.draft.can_undo)
        self.redo_action.setEnabled(self.draft.can_redo)

    def _update_sign_action(self) -> None:
        self.sign_action.setEnabled(author.has_organisation_key(self.context.paths.library))

    # --- editing ---------------------------------------------------------------------------

    def attempt(self, action: Callable[[], object]) -> bool:
        """Run one edit; a file the form cannot edit that way says so in one sentence (the
        draft is unchanged) and the form shows the draft again."""
        try:
            action()
        except OneTakeError as error:
            self.tell(str(error))
            self.load(self.question)
            return False
        return True

    def edited(self, field: Field) -> None:
        if self.loading:
            return
        if self.attempt(lambda: self.draft.set(field.path(self.question), field.read())):
            self.refresh()

    def _deadline_edited(self, *_args: object) -> None:
        on = self.has_deadline.isChecked()
        self.deadline_edit.setEnabled(on)
        self.deadline_zone.setEnabled(on)
        if self.loading:
            return
        value: datetime | None = None
        if on:
            offset = timedelta(minutes=self._zone_minutes[self.deadline_zone.currentIndex()])
            qdt = self.deadline_edit.dateTime()
            d, t = qdt.date(), qdt.time()
            value = datetime(
                d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=timezone(offset)
            )
        self.attempt(lambda: self.draft.set("deadline", value))
        self.refresh()

    def _practice_toggled(self, on: bool) -> None:
        for field in self.practice_fields:
            field.widget.setEnabled(on)
        if self.loading:
            return
        practice = {
            "text": "Practice: tell us about a place you enjoy visiting.",
            "think_seconds": 15,
            "answer_max_seconds": 30,
        }
        self.attempt(lambda: self.draft.set("practice", practice if on else None))
        self.draft.end_typing()
        self.load()

    def _write_notice(self) -> None:
        parts = [self.privacy_who.text(), self.privacy_how_long.text(), self.privacy_where.text()]
        if not all(p.strip() for p in parts):
            self.tell("Fill in who, where and how long first.")
            return
        notice = privacy_notice_from_template(parts[0], parts[1], parts[2])
        self.attempt(lambda: self.draft.set("privacy_notice", notice))
        self.draft.end_typing()
        self.load()

    def _add_accommodation(self) -> None:
        if self.attempt(self.draft.add_accommodation):
            self.load()

    def _remove_accommodation(self, index: int) -> None:
        if self.attempt(lambda: self.draft.remove_accommodation(index)):
            self.load()

    def add_question(self, bank: BankQuestion | None = None) -> None:
        self.build_parts()
        added: list[int] = []
        if not self.attempt(lambda: added.append(self.draft.add_question(None, bank))):
            return
        self.load(added[0])
        self.tabs.setCurrentWidget(self.questions)
        self.questions.text.widget.setFocus()

    def add_from_bank(self) -> None:
        chosen = self.pick_from_bank()
        if chosen is not None:
            self.add_question(chosen)

    def duplicate_question(self) -> None:
        if self.question >= 0:
            added: list[int] = []
            if self.attempt(lambda: added.append(self.draft.duplicate_question(self.question))):
                self.load(added[0])

    def remove_question(self) -> None:
        if self.question >= 0 and self.attempt(lambda: self.draft.remove_question(self.question)):
            self.load(max(0, self.question - 1))

    def move_question(self, source: int, target: int) -> None:
        if self.attempt(lambda: self.draft.move_question(source, target)):
            self.load(target)
        self.questions.list.setFocus()

    def undo(self) -> None:
        self.draft.undo()
        self.load()

    def redo(self) -> None:
        self.draft.redo()
        self.load()

    def where(self, path: str) -> str:
        """A field path as the form names it: questions[1].think_seconds -> "Question 2, Time
        to think"."""
        field = self._question_field(path)
        if field is not None:
            return f"Question {field[0] + 1}, {field[1]}"
        match = re.fullmatch(r"accommodations\[(\d+)\].*", path)
        if match is not None:
            return f"Accommodation {int(match.group(1)) + 1}"
        return self.labels.get(path, path.replace("_", " ").capitalize() or "The interview")

    def _question_field(self, path: str) -> tuple[int, str] | None:
        """A question's field path as (question index, the field's label); None otherwise."""
        match = re.fullmatch(r"questions\[(\d+)\]\.(.+)", path)
        if match is None:
            return None
        template = "questions[{q}]." + match.group(2)
        return int(match.group(1)), self.labels.get(template, match.group(2))

    def said(self, problem: Problem) -> str:
        """A problem in the form's words: "Role is 448 characters long", not the TOML key
        ``role_title`` (walk s13 LOW-7)."""
        message = problem.message.rstrip(".")
        return f"{self.where(problem.path)} {message}" if problem.path else message

    def field_words(self, path: str) -> str:
        """The field's own label, beside it: where() without its "Question 2, " (a path that
        names a question but no field of it is said as where() says it)."""
        field = self._question_field(path)
        return field[1] if field is not None else self.where(path)

    def _show_checks(self, on: bool) -> None:
        self.checks_button.setText("Hide the list" if on else "Show all")
        self.checks.setVisible(on and self.checks.count() > 0)

    def _go_to_check(self, item: QListWidgetItem) -> None:
        from PySide6.QtCore import Qt

        # Read the item first: building the parts refreshes the list, which deletes it.
        path = str(item.data(Qt.ItemDataRole.UserRole) or "")
        self.build_parts()  # its field may be in a part still to be built
        if path.startswith("questions["):
            index = int(path.split("]")[0].split("[")[1])
            self.tabs.setCurrentWidget(self.questions)
            if 0 <= index < self.questions.list.count():
                self.questions.list.setCurrentRow(index)
        for field in self.fields:
            if field.path(self.question) == path:
                self._reveal(field.widget)
                return
        tops = {"deadline": 0, "accommodations": 0, "practice": 3, "questions": 4}
        top = path.split(".")[0].split("[")[0]
        part = {"welcome": 1, "instructions": 1, "next_steps": 1, "privacy_notice": 2}
        self.tabs.setCurrentIndex(tops.get(top, part.get(top, self.tabs.currentIndex())))

    def _reveal(self, widget: QWidget) -> None:
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if page is not None and page.isAncestorOf(widget):
                self.tabs.setCurrentIndex(i)
                break
        widget.setFocus()

    # --- files -----------------------------------------------------------------------------

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for path in paths:
            act = self.recent_menu.addAction(str(path))
            act.triggered.connect(lambda _c=False, p=path: self.open_file(p))
        self.recent_menu.setEnabled(bool(paths))

    def _settle_unsaved(self) -> bool:
        """True when the current draft may be replaced or closed."""
        if not self.draft.dirty:
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_interview(self) -> None:
        if self._settle_unsaved():
            self.draft = AuthorDraft.blank()
            self.load(0)

    def open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # issue 17: dialogs' Qt classes load when used

        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open an interview",
            str(Path.home()),
            "Interviews (*.toml *.onetakekit *.onetakeinterview)",
        )
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> bool:
        if not self._settle_unsaved():
            return False
        try:
            self.draft = AuthorDraft.open(path)
        except OneTakeError as error:
            self.tell(str(error))
            return False
        if self.draft.path is not None:
            self.recent.add(self.draft.path)
            self._fill_recent()
        self.load(0)
        return True

    def save(self, ask: bool = False) -> bool:
        target = self.draft.path
        if ask or target is None:
            target = self.choose_save_path()
            if target is None:
                return False
        try:
            self.draft.save(target)
        except OneTakeError as error:  # storage words OS errors; a read-only TOML is refused
            self.tell(str(error))
            return False
        except OSError as error:
            self.tell(f"Could not save {target.name}: {error}.")
            return False
        self.recent.add(target)
        self._fill_recent()
        self.refresh()
        self.statusBar().showMessage(f"Saved {target}.", 5000)
        return True

    def build(self, sign: bool = False) -> Published | None:
        problems = self.draft.problems()
        if problems:
            self.tell(
                f"Fix {len(problems)} problem{'s' if len(problems) > 1 else ''} first: "
                f"{self.said(problems[0])}.",
            )
            return None
        # A build may renumber the draft and must then write the new version into its TOML,
        # so one that cannot be written builds nothing, edited or not (review s13c C1).
        refused = self.draft.cannot_save()
        if refused is not None:
            self.tell(
                f"{refused.rstrip('.')}, so nothing was built: make it writable, or save the "
                "interview as another file, then build again."
            )
            return None
        # A published version must have a saved source that says the same (walk s13 LOW-3):
        # save first; an interview never saved asks where, and cancelling that builds nothing.
        if (self.draft.dirty or self.draft.path is None) and not self.save():
            return None
        target = self.choose_kit_path()
        if target is None:
            return None
        signer = None
        if sign:
            signer = self._unlock_signer()
            if signer is None:
                return None
        try:
            published = self.draft.publish(target, signer)
        except (OneTakeError, OSError) as error:
            self.tell(str(error))
            return None
        if published.renumbered:  # the next version stamp goes into the saved TOML too
            self.save()
        self.load(self.question)
        kept = (
            f" The previous version stays as {published.kept_kit.name}."
            if published.archived and published.kept_kit is not None
            else ""
        )
        # Who signed, as candidates will be told (walk s13 LOW-2): the kit first, as the
        # definition is never signed.
        signed = f", signed by {published.signed_by}," if published.signed_by else ""
        self.statusBar().showMessage(
            f"Built {published.kit.name} (version {published.version}){signed} and "
            f"{published.definition.name}.{kept}",
            10000,
        )
        return published

    def _unlock_signer(self) -> KitSigner | None:
        """The library's organisation key, opened to sign; None when the author stops. A key
        of another organisation than the kit names is warned about first (services decide
        that), then its passphrase is asked for until it opens the key or the author cancels
        (walk s13 LOW-2: one wrong passphrase used to throw the whole build away)."""
        from onetake_desktop.ui.author.sign import SignDialog  # with the first signing

        library = self.context.paths.library
        try:
            key = author.signing_key(library)
        except OneTakeError as error:
            self.tell(str(error))
            return None
        warning = author.organisation_mismatch(self.draft.get("organisation"), key.organisation)
        if warning is not None and not self.confirm_signing(warning):
            return None
        dialog = SignDialog(
            author.key_words(key.organisation, key.short_fingerprint),
            lambda passphrase: author.signer_for(library, passphrase, key),
            self,
        )
        accepted = self.run_sign_dialog(dialog)
        signer, failure = dialog.take_signer(), dialog.failure
        # Not WA_DeleteOnClose: exec() would delete it before the key is taken out. Dropped
        # here, no child of the window keeps the passphrase or the opened key (s13b B6).
        dialog.deleteLater()
        if failure is not None:
            self.tell(str(failure))
            return None
        return signer if accepted else None

    def open_preview(self) -> QWidget | None:
        from onetake_desktop.ui.author.preview import PreviewWindow

        problems = self.draft.problems()
        if problems:
            self.tell(f"The draft cannot be previewed yet: {self.said(problems[0])}.")
            return None
        if self.preview is not None:
            self.preview.close()
        self.preview = PreviewWindow(self.draft, self.context)
        self.preview.show()
        return self.preview

    # --- dialogs (replaceable in tests) ----------------------------------------------------

    def tell(self, sentence: str) -> None:
        """One sentence in a box, as plain text: it may quote a file name or kit text."""
        # QMessageBox loads with the first box (each Qt class makes its enums when first named).
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        self.last_message = sentence
        box = QMessageBox(QMessageBox.Icon.Warning, "OneTake", sentence, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setObjectName("AuthorMessage")
        if self.show_messages:
            box.exec()

    def _ask_save_path(self) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, "Save the interview", str(Path.home() / "interview.toml"), "TOML (*.toml)"
        )
        return Path(path) if path else None

    def _ask_kit_path(self) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        suggested = (self.draft.path or Path.home() / "interview").with_suffix(".onetakekit")
        path, _ = QFileDialog.getSaveFileName(
            self, "Build the kit", str(suggested), "Interview kits (*.onetakekit)"
        )
        return Path(path) if path else None

    def _ask_unsaved(self) -> Unsaved:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setWindowTitle("OneTake")
        box.setText("Save the changes to this interview?")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return "save"
        if answer == QMessageBox.StandardButton.Discard:
            return "discard"
        return "cancel"

    def _ask_sign_anyway(self, sentence: str) -> bool:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, "Sign the kit", sentence, parent=self)
        box.setObjectName("SignAnyway")
        box.setTextFormat(Qt.TextFormat.PlainText)  # both organisation names are outside text
        sign = box.addButton("Sign anyway", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is sign

    def _run_dialog(self, dialog: QDialog) -> bool:
        from PySide6.QtWidgets import QDialog

        return dialog.exec() == QDialog.DialogCode.Accepted

    def _ask_bank(self) -> BankQuestion | None:
        from PySide6.QtWidgets import QDialog

        from onetake_desktop.ui.author.bank import QuestionBankDialog

        dialog = QuestionBankDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.chosen()
        return None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._settle_unsaved():
            if self.preview is not None:
                self.preview.close()
            event.accept()
        else:
            event.ignore()
