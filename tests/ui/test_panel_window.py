"""The panel inside the real reviewer window (pytest-qt, offscreen): switch, lock, question
mode, independence on screen, summary with its chart, compare, decisions, blind mode, audit.

Set ONETAKE_SCREENSHOTS=/some/folder to keep the screenshots taken along the way.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtWidgets import QApplication, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.kit import InterviewDefinition, Kit, Question, Rubric, RubricLevel
from onetake_desktop.domain.manifest import AnswerRecord, Consent, KitRef, SubmissionManifest
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.library import Library, NewAnswer, open_library
from onetake_desktop.ui import panel as panel_ui
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import set_synchronous

HASH = "sha256:" + "ef" * 32
QUESTIONS = {
    "q1": "Tell us about a time you owned a problem nobody else wanted.",
    "q2": "How would you explain a delay to an upset customer?",
}
NAMES = ("Ada Lovelace", "Brian Kernighan", "Carol Shaw", "Dennis Ritchie")
PASS = {"Ana": "ana passphrase", "Ben": "ben passphrase", "Cleo": "cleo passphrase"}
ANCHORS = (
    "Blames others; no example.",
    "Vague example; little ownership.",
    "Clear example; owned part of it.",
    "Owned it end to end; clear result.",
    "Owned it, fixed the cause, shared what was learned.",
)


def make_library(root: Path) -> tuple[Library, int, list[int]]:
    library = open_library(root)
    questions = tuple(
        Question(q, text, "We want to hear how you act.", 10, 5, 90, 1, "text")
        for q, text in QUESTIONS.items()
    )
    kit = Kit("support-lead", "1", "Acme", "Support lead", "hi", "do", "p", 30, "text", questions)
    levels = tuple(RubricLevel(i + 1, a) for i, a in enumerate(ANCHORS))
    interview = library.interviews.add_definition(
        HASH, InterviewDefinition(kit, {q: Rubric("Ownership", levels) for q in QUESTIONS})
    )
    ids = []
    for i, name in enumerate(NAMES):
        answers = tuple(
            AnswerRecord(
                q,
                "text",
                1,
                1,
                5.0,
                40.0,
                "2026-11-01T10:00:00Z",
                "2026-11-01T10:01:00Z",
                text=f"({name}) When the release broke on a Friday I stayed, found the cause "
                f"and wrote the post-mortem for {q}.",
            )
            for q in QUESTIONS
        )
        manifest = SubmissionManifest(
            KitRef("support-lead", "1", HASH),
            name,
            name.split()[0].lower() + "@example.org",
            Consent("11" * 32, "2026-11-01T09:59:00Z"),
            answers,
            "2026-11-01T10:05:00Z",
            "0.1.0",
        )
        new = [
            NewAnswer(a.question_id, "text", None, a.text, 5.0, 40.0, None, 1, 1) for a in answers
        ]
        folder = root / "submissions" / f"s{i}"
        folder.mkdir(parents=True)
        record = library.submissions.add(manifest, f"{i + 100:064x}", folder, new)
        assert record is not None
        ids.append(record.id)
    return library, interview.id, ids


HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)  # real Argon2id, cheaper


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def setup(tmp_path: Path, clock: ManualClock, qtbot: QtBot) -> Iterator[dict]:  # type: ignore[type-arg]
    set_synchronous(True)
    library, interview, subs = make_library(tmp_path / "lib")
    rng = random.Random(3)
    made: list[PanelService] = []

    def factory(lib: Library) -> PanelService:
        made.append(PanelService(lib, clock, lambda: rng.getrandbits(62), HASHER))
        return made[-1]

    first = factory(library)
    people = {n: first.create_panelist(n, p).reviewer_id for n, p in PASS.items()}
    panel_ui.set_service_factory(factory)
    window = ReviewerWindow(ReviewerService(library))
    qtbot.addWidget(window)
    window.resize(1320, 860)
    window.show()
    yield {
        "window": window,
        "interview": interview,
        "subs": subs,
        "people": people,
        "library": library,
        "panel": window.panel,
    }
    panel_ui.set_service_factory(None)
    set_synchronous(False)
    for w in list(window.panel.windows.values()):
        w.close()
    window.close()


def shot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    QApplication.processEvents()
    path = tmp_path / f"{name}.png"
    assert widget.grab().save(str(path))
    target = os.environ.get("ONETAKE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)
    return path


def sign_in(panel: panel_ui.PanelController, reviewer_id: int, passphrase: str) -> None:
    panel.switch_to(reviewer_id)
    lock = panel.lock_screen
    assert lock.isVisible() and lock.group.checkedId() == reviewer_id
    lock.passphrase.setText(passphrase)
    lock.sign_in_button.click()


def all_text(widget: QWidget) -> str:
    """Every piece of text a user could read in the widget (labels, tables, lists, editors)."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QListWidget, QPlainTextEdit

    parts: list[str] = []
    for label in widget.findChildren(QLabel):
        if label.isVisibleTo(widget):
            parts.append(label.text())
    for button in widget.findChildren(QAbstractButton):
        parts.append(button.text())
    for table in widget.findChildren(QTableWidget):
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                item = table.item(r, c)
                parts.append(item.text() if item else "")
    for lst in widget.findChildren(QListWidget):
        parts.extend(lst.item(i).text() for i in range(lst.count()))
    for edit in widget.findChildren(QPlainTextEdit):
        parts.append(edit.toPlainText())
    return "\n".join(parts)


def test_switch_panelist_in_two_clicks_and_lock_when_idle(
    setup: dict,
    clock: ManualClock,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    window, panel, people = setup["window"], setup["panel"], setup["people"]
    # Panelists exist: the window opens locked, its content hidden.
    assert panel.lock_screen.isVisible() and not window.centralWidget().isVisible()
    sign_in(panel, people["Ana"], PASS["Ana"])
    assert window.current_reviewer_id == people["Ana"]
    assert window.centralWidget().isVisible() and not panel.lock_screen.isVisible()
    assert panel.switch.text() == "Panelist: Ana ▾"
    assert panel.switch.width() >= panel.switch.fontMetrics().horizontalAdvance("Panelist: Ana")

    # Two clicks: the switch, then a name -> the lock screen asks that panelist's passphrase.
    menu = panel.switch.menu()
    menu.aboutToShow.emit()
    ben = next(a for a in menu.actions() if a.text() == "Ben")
    ben.trigger()
    assert panel.lock_screen.isVisible() and panel.lock_screen.group.checkedId() == people["Ben"]
    assert not window.centralWidget().isVisible()
    panel.lock_screen.passphrase.setText("not it")
    panel.lock_screen.sign_in_button.click()
    assert "not Ben's passphrase" in panel.lock_screen.error.text()
    panel.lock_screen.passphrase.setText(PASS["Ben"])
    panel.lock_screen.sign_in_button.click()
    assert "try again in 1 second" in panel.lock_screen.error.text()
    shot(window, "panelist-switch-locked", tmp_path)
    clock.advance(1)
    panel.lock_screen.passphrase.setText(PASS["Ben"])
    panel.lock_screen.sign_in_button.click()
    assert window.current_reviewer_id == people["Ben"] and not panel.lock_screen.isVisible()

    menu.aboutToShow.emit()
    menu.popup(panel.switch.mapToGlobal(panel.switch.rect().bottomLeft()))
    shot(menu, "panelist-switch-menu", tmp_path)
    menu.hide()

    # Idle: nothing happens for the configured minutes -> locked, panel windows closed.
    summary = panel.open_summary()
    assert summary is not None and summary.isVisible()
    clock.advance(4 * 60)
    panel.check_idle()
    assert not panel.lock_screen.isVisible()
    clock.advance(61)
    panel.check_idle()
    assert panel.lock_screen.isVisible() and panel.service.current_id is None
    assert panel.windows == {} and not window.centralWidget().isVisible()
