"""While a hiring panel is locked (the lock screen shows, nobody signed in), nothing of
anyone's work is visible or reachable and nothing changes the library: a bundle dropped on the
reviewer window is refused with one sentence, an import that finishes behind the lock raises
nothing, and every window-wide key is dead until someone signs in (real windows, a real
library file, real bundle files).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.library import Library
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.library_bundles import make_bundle
from tests.ui.test_panel_window import HASHER, PASS, central, make_library
from tests.ui.test_panel_window import sign_in as click_sign_in

REFUSED = "Sign in to import bundles."
# Every window-wide key of the reviewer window (its menus' and the panel's too).
KEYS = (
    "U",
    "Ctrl+1",
    "Ctrl+2",
    "Ctrl+3",
    "Ctrl+4",
    "Ctrl+Return",
    "Ctrl+Enter",
    "F11",
    "Q",
    "T",
    "Ctrl+Shift+L",
    "Ctrl+I",
    "Ctrl+E",
    "Ctrl+K",
    "Ctrl+Q",
    "Ctrl+L",
    "Ctrl+Shift+Q",
    "Ctrl+Shift+C",
    "Ctrl+Shift+S",
    "Ctrl+Shift+D",
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundles")
    return make_bundle(folder / "lin.onetake", "Lin Chen", seconds=1.0, size=(160, 120))


def open_locked(
    root: Path, qtbot: QtBot, names: tuple[str, ...], seed: int
) -> tuple[ReviewerWindow, Library, dict[str, int]]:
    """A real reviewer window on a library with a panel of ``names`` (passphrases: PASS):
    it opens locked, its panes built behind the lock."""
    library, _, _ = make_library(root)
    rng = random.Random(seed)
    panel = PanelService(library, ManualClock(), lambda: rng.getrandbits(62), HASHER)
    people = {name: panel.create_panelist(name, PASS[name]).reviewer_id for name in names}
    window = ReviewerWindow(ReviewerService(library), panel_service=panel)
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    qtbot.waitUntil(lambda: window.panes_built and hasattr(window, "transcripts"))
    assert window.panel.lock_screen.isVisible()
    return window, library, people


@pytest.fixture
def locked(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[ReviewerWindow, Library, int]]:
    """A real reviewer window on a library with a panel: it opens locked."""
    window, library, people = open_locked(tmp_path / "lib", qtbot, ("Ana",), 7)
    yield window, library, people["Ana"]
    wait_for_tasks()
    if window.isVisible():
        window.close()


def sign_in(window: ReviewerWindow, qtbot: QtBot, reviewer_id: int) -> None:
    """Ana types her passphrase; checked on a worker thread, as on a real laptop."""
    click_sign_in(window.panel, reviewer_id, PASS["Ana"])
    qtbot.waitUntil(lambda: window.panel.service.current is not None, timeout=30_000)
    assert not window.panel.lock_screen.isVisible()


def _submissions(library: Library) -> int:
    return int(library.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0])


def _mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


_COPY = Qt.DropAction.CopyAction


def _deliver(window: ReviewerWindow, event: QDropEvent) -> bool:
    """A drag entering the window, or a drop on it, handed over as Qt does: was it taken?"""
    event.ignore()
    if isinstance(event, QDragEnterEvent):
        window.dragEnterEvent(event)
    else:
        window.dropEvent(event)
    return event.isAccepted()


def _drag_enter(window: ReviewerWindow, mime: QMimeData) -> bool:
    button, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    return _deliver(window, QDragEnterEvent(QPoint(20, 20), _COPY, mime, button, keys))


def _drop(window: ReviewerWindow, mime: QMimeData) -> bool:
    button, keys = Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    return _deliver(window, QDropEvent(QPoint(20, 20), _COPY, mime, button, keys))


def _wait_import(qtbot: QtBot, window: ReviewerWindow) -> None:
    qtbot.waitUntil(lambda: not window.importing, timeout=60_000)
    wait_for_tasks()


def test_a_bundle_dropped_on_the_locked_window_is_refused_until_someone_signs_in(
    locked: tuple[ReviewerWindow, Library, int], bundle: Path, qtbot: QtBot
) -> None:
    window, library, ana = locked
    before = _submissions(library)
    definition = Path(__file__).parents[2] / "no-such.onetakeinterview"  # not read: refused
    with qtbot.captureExceptions() as errors:
        assert not _drag_enter(window, _mime(bundle))  # the cursor says: no drop here
        assert window.statusBar().currentMessage() == REFUSED
        window.statusBar().clearMessage()
        assert not _drop(window, _mime(bundle, bundle.parent, definition))
        qtbot.wait(100)  # an import, had one started, would report back by now
        wait_for_tasks()
    assert errors == []
    assert not window.importing and window.last_import is None
    assert window.statusBar().currentMessage() == REFUSED
    assert _submissions(library) == before
    assert window.panel.lock_screen.isVisible() and not central(window).isVisible()
    assert window.model.candidate_count() == 0  # nothing of anyone's behind the lock

    # Signed in, the same drop imports it.
    sign_in(window, qtbot, ana)
    with qtbot.captureExceptions() as errors:
        assert _drag_enter(window, _mime(bundle))
        assert _drop(window, _mime(bundle))
        _wait_import(qtbot, window)
    assert errors == []
    assert _submissions(library) == before + 1
    assert "Lin Chen" in [name for name, _ in window.candidate_rows(1)]


def test_an_import_that_finishes_behind_the_lock_raises_nothing_and_shows_nothing(
    locked: tuple[ReviewerWindow, Library, int], bundle: Path, qtbot: QtBot
) -> None:
    window, library, ana = locked
    sign_in(window, qtbot, ana)
    before = _submissions(library)
    shown = len(window.tree_texts())
    with qtbot.captureExceptions() as errors:
        window.import_paths([bundle])
        assert window.importing
        window.panel.lock("Locked after a few idle minutes.")  # before the worker reports
        _wait_import(qtbot, window)
        qtbot.wait(50)
    assert errors == []
    assert window.last_import is not None  # it reported back, behind the lock...
    # ...and the status bar under the lock screen says nothing of it ("Import finished: 1
    # imported." would tell whoever is at the laptop what the library holds).
    assert window.statusBar().currentMessage() == ""
    assert _submissions(library) == before + 1  # it was started by a signed-in panelist
    assert window.panel.lock_screen.isVisible() and not central(window).isVisible()
    assert window.model.candidate_count() == 0 and window.current_answer_id is None
    # The import's keys are not back behind the lock.
    assert not window.menuBar().actions()[0].isEnabled()  # File (Ctrl+I with it)
    sign_in(window, qtbot, ana)
    assert len(window.tree_texts()) > shown
    assert "Lin Chen" in [name for name, _ in window.candidate_rows(1)]


def _press(window: ReviewerWindow, keys: str) -> None:
    QTest.keySequence(window, QKeySequence(keys))


def test_every_window_wide_key_is_dead_while_locked_and_alive_after_sign_in(
    locked: tuple[ReviewerWindow, Library, int], qtbot: QtBot
) -> None:
    window, _library, ana = locked
    window.activateWindow()  # shortcuts reach only the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    fired: list[str] = []
    actions = window.findChildren(QAction)
    for action in actions:
        action.triggered.connect(lambda _=False, a=action: fired.append(a.text()))
    # The named ones and every key any action of the window carries (the player's K, J, L,
    # the rubric's 1-5, ...: their panes are hidden, and so they are dead too). Not Space:
    # it would press the focused name on the lock screen (K plays and pauses as well).
    every = sorted(set(KEYS) | {k.toString() for a in actions for k in a.shortcuts()} - {"Space"})
    assert {"K", "J", "1", "5"} <= set(every)
    # Focus on the lock screen's name, not its passphrase field (which takes letters).
    button = window.panel.lock_screen.group.buttons()[0]
    button.setFocus()
    with qtbot.captureExceptions() as errors:
        for keys in every:
            _press(window, keys)
            qtbot.wait(10)
    assert errors == []
    assert fired == [], fired
    assert window.isVisible() and not window.isFullScreen()
    assert window.panel.lock_screen.isVisible() and not central(window).isVisible()
    assert not [d for d in window.findChildren(QDialog) if d.isVisible()]
    assert window.statusBar().currentMessage() == ""
    assert not window.focus_action.isChecked()
    assert window.panel.windows == {}
    # Every window-wide action is off while locked (the menu shows the same).
    window_wide = [a for a in window.actions() if a.shortcuts()]
    assert window_wide and not [a.text() for a in window_wide if a.isEnabled()]

    sign_in(window, qtbot, ana)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.tree.setFocus()
    card = window.card_toggle.isChecked()
    with qtbot.captureExceptions() as errors:
        for keys in ("U", "Q", "T", "F11", "F11"):
            _press(window, keys)
            qtbot.wait(10)
    assert errors == []
    assert window.card_toggle.isChecked() != card
    for text in ("Next &unscored answer", "Show the &question", "Show the &transcript"):
        assert text in fired
    assert fired.count("&Full screen: answer and rubric") == 2
    assert all(a.isEnabled() for a in window.actions() if a.shortcuts())
    # Locked again: dead again.
    window.panel.lock("Locked.")
    fired.clear()
    button = window.panel.lock_screen.group.buttons()[0]
    button.setFocus()
    with qtbot.captureExceptions() as errors:
        for keys in every:
            _press(window, keys)
            qtbot.wait(10)
    assert errors == [] and fired == []
