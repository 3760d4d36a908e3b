"""People on the panel: rename and remove panelists, the lone reviewer's name, one's own
passphrase; the tamper warning shown at sign-in; the audit log as the signed-in panelist may
see it. Every rule is the service's; these dialogs only ask."""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.panel import MIN_PASSPHRASE, Actor, PanelService
from onetake_desktop.ui.panel.common import STYLE, PanelWindow, passphrase_dialog_body
from onetake_desktop.ui.widgets.fit import fit_to_screen
from onetake_desktop.ui.widgets.plain import plain_tooltip


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names come from people: never rich text
    label.setWordWrap(True)
    return label


class PeopleDialog(QDialog):
    """Rename or remove panelists, and name the lone reviewer (audited by the service)."""

    def __init__(self, service: PanelService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.actor = actor
        self.setObjectName("PeopleDialog")
        self.setWindowTitle("Panel people")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(440)
        self.list = QListWidget()
        self.list.setAccessibleName("Panelists")
        self.rename_button = QPushButton("Rename…")
        self.remove_button = QPushButton("Remove…")
        self.lone_name = QLineEdit(service.lone_reviewer_name() or "")
        self.lone_name.setAccessibleName("Reviewer name when scoring alone")
        self.lone_name.setMinimumWidth(180)
        self.lone_button = QPushButton("Save name")
        self.error = _plain("")
        self.error.setObjectName("Flag")
        self.error.hide()
        hint = _plain(
            "Renaming or removing a panelist is written to the audit log. A removed panelist "
            "can no longer sign in; the scores they submitted stay."
        )
        hint.setObjectName("Hint")

        buttons = QHBoxLayout()
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        lone = QFormLayout()
        lone_row = QHBoxLayout()
        lone_row.addWidget(self.lone_name, 1)
        lone_row.addWidget(self.lone_button)
        lone.addRow("Name when reviewing alone", lone_row)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        self.panel_part = QWidget()
        panel_layout = QVBoxLayout(self.panel_part)
        panel_layout.setContentsMargins(0, 0, 0, 0)
        panel_layout.addWidget(_plain("Panelists"))
        panel_layout.addWidget(self.list, 1)
        panel_layout.addLayout(buttons)
        panel_layout.addWidget(hint)
        self.panel_part.setVisible(actor.panelist)  # alone: only your own name
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel_part, 1)
        layout.addLayout(lone)
        layout.addWidget(self.error)
        layout.addWidget(close)

        self.rename_button.clicked.connect(self._ask_rename)
        self.remove_button.clicked.connect(self._ask_remove)
        self.lone_button.clicked.connect(lambda: self.set_lone_name(self.lone_name.text()))
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        chair = self.service.chair_name()
        for p in self.service.panelists():
            suffix = " (chair)" if p.name == chair else ""
            suffix += " (you)" if p.reviewer_id == self.actor.reviewer_id else ""
            item = QListWidgetItem(p.name + suffix)
            item.setData(Qt.ItemDataRole.UserRole, p.reviewer_id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _chosen(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def _attempt(self, change: Callable[[], object], *, refresh: bool = True) -> bool:
        """Ask the service for one change: its refusal shows under the list (nothing else
        moves); a success clears it and, if it changed the panel, lists the panel again."""
        try:
            change()
        except OneTakeError as error:
            self.error.setText(str(error))
            self.error.show()
            return False
        self.error.hide()
        if refresh:
            self.refresh()
        return True

    def rename(self, reviewer_id: int, name: str) -> bool:
        return self._attempt(
            lambda: self.service.rename_panelist(self.actor, reviewer_id=reviewer_id, name=name)
        )

    def remove(self, reviewer_id: int) -> bool:
        return self._attempt(
            lambda: self.service.remove_panelist(self.actor, reviewer_id=reviewer_id)
        )

    def set_lone_name(self, name: str) -> bool:
        # Not a panelist: the list (and its selection) stays as it is.
        return self._attempt(
            lambda: self.service.set_lone_name(self.actor, name=name), refresh=False
        )

    def _ask_rename(self) -> None:
        reviewer_id = self._chosen()
        if reviewer_id is None:
            return
        old = self.service.reviewer_name(reviewer_id)
        # The dialog's label guesses rich text: the name goes in escaped.
        name, ok = QInputDialog.getText(
            self, "Rename panelist", f"New name for {html.escape(old)}", text=old
        )
        if ok:
            self.rename(reviewer_id, name)

    def _ask_remove(self) -> None:
        reviewer_id = self._chosen()
        if reviewer_id is None:
            return
        name = self.service.reviewer_name(reviewer_id)
        box = QMessageBox(self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle("Remove panelist")
        box.setText(f"Remove {name} from the panel? Their submitted scores stay.")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if box.exec() == QMessageBox.StandardButton.Yes:
            self.remove(reviewer_id)


class ChangePassphraseDialog(QDialog):
    """The current passphrase, then the new one twice. The service checks every row signed
    with the old key, then signs them again with the new one (a few seconds at most)."""

    def __init__(self, service: PanelService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.actor = actor
        self.changed: Actor | None = None
        self.setObjectName("ChangePassphraseDialog")
        self.setWindowTitle("Change my passphrase")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(420)
        self.old = QLineEdit()
        self.new = QLineEdit()
        self.repeat = QLineEdit()
        for field, name in ((self.old, "Current"), (self.new, "New"), (self.repeat, "Repeat")):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setAccessibleName(f"{name} passphrase")
        self.error = _plain("")
        self.error.setObjectName("Flag")
        self.error.hide()
        hint = _plain(
            f"At least {MIN_PASSPHRASE} characters. Your scores are signed with a key made "
            "from your passphrase; they are signed again with the new one."
        )
        hint.setObjectName("Hint")
        form = QFormLayout()
        form.addRow(_plain(actor.name))
        form.addRow("Current", self.old)
        form.addRow("New", self.new)
        form.addRow("Repeat", self.repeat)
        self.ok_button = passphrase_dialog_body(
            self, form, (hint, self.error), "Change passphrase", self.change
        )

    def change(self) -> None:
        if self.new.text() != self.repeat.text():
            self.error.setText("The two new passphrases differ.")
            self.error.show()
            return
        try:
            self.changed = self.service.change_passphrase(
                self.actor, old=self.old.text(), new=self.new.text()
            )
        except OneTakeError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.accept()


class TamperWarningDialog(QDialog):
    """Shown right after a sign-in that found someone else's changes to the panelist's rows."""

    def __init__(self, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TamperWarningDialog")
        self.setWindowTitle("Your scores were changed")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(460)
        title = _plain(f"{actor.name}, someone changed your rows in the library")
        title.setObjectName("PanelTitle")
        intro = _plain(
            "These rows no longer carry your signature, so they were edited outside OneTake "
            "(for example with a database tool) since you last signed in:"
        )
        self.findings = _plain("\n".join(f"• {w}" for w in actor.warnings))
        self.findings.setObjectName("Banner")
        advice = _plain(
            "Tell the panel before anyone decides. Check your scores in the panel summary and "
            "correct any that are wrong (a correction needs a reason and is audited)."
        )
        ok = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        ok.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.findings)
        layout.addWidget(advice)
        layout.addWidget(ok)


# The audit log's actions in words (the log keeps its identifiers: scripts and the export
# read those); an action not named here shows as its identifier made readable.
ACTION_WORDS = {
    "panelist_created": "Panelist added",
    "panelist_renamed": "Panelist renamed",
    "panelist_removed": "Panelist removed",
    "reviewer_renamed": "Reviewer renamed",
    "passphrase_changed": "Passphrase changed",
    "sign_in": "Signed in",
    "sign_in_failed": "Wrong passphrase",
    "lock": "Locked",
    "score": "Scored",
    "correct": "Score corrected",
    "submit": "Submitted",
    "decide": "Decision recorded",
    "export": "Exported",
    "note_deleted": "Note deleted",
    "blind_lifted": "Name shown",
    "setting": "Setting changed",
    "erased": "Erased",
    "retention_hold": "Kept longer",
    "retention_release": "Hold released",
    "followup_template": "Follow-up text saved",
    "followup_export": "Follow-ups exported",
}

DETAIL_WORDS = {"n": "wrong in a row"}  # sign_in_failed's count


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action) or action.replace("_", " ").capitalize()


def detail_words(details: dict[str, object]) -> str:
    """``{"chair": false, "tamper_findings": 0}`` as "chair: no; tamper findings: 0"."""

    def value(v: object) -> str:
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, list):
            return ", ".join(value(x) for x in v)
        if isinstance(v, dict):
            return "(" + detail_words(v) + ")"
        return "–" if v is None else str(v)

    return "; ".join(
        f"{DETAIL_WORDS.get(k, k.replace('_', ' '))}: {value(v)}" for k, v in details.items()
    )


class AuditWindow(PanelWindow):
    """The audit log as the signed-in panelist may see it (``ScoringService.audit_view``:
    others' score rows stay out until the panelist has submitted theirs on that answer)."""

    def __init__(self, parent: QWidget, service: PanelService, actor: Actor) -> None:
        super().__init__(parent, "Audit log")
        self.setObjectName("AuditWindow")
        self.service = service
        self.actor = actor
        self.viewer_id = actor.reviewer_id
        self.status = _plain("")
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["#", "When (UTC)", "Who", "What", "Details"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        fit_to_screen(self, 900, 520)
        self.refresh()

    def refresh(self) -> None:
        problem = self.service.audit_problem()
        try:
            lines = self.service.audit_view(self.actor)
        except OneTakeError as error:
            self.fail(error)
            return
        self.status.setText(
            f"Hash chain broken: {problem.sentence}"
            if problem
            else f"{len(lines)} rows; the hash chain holds."
        )
        self.table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            values = (
                str(line.seq),
                line.at[:19].replace("T", " "),
                line.actor,
                f"{action_words(line.action)} · {line.subject}",
                detail_words(line.details),
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 3:  # the identifier, as the log and its export keep it
                    item.setToolTip(plain_tooltip(line.action))
                elif c == 4:  # the row's details as stored
                    item.setToolTip(plain_tooltip(json.dumps(line.details, ensure_ascii=False)))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
