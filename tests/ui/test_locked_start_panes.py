"""Issue 17: a reviewer window that the panel locks at start paints the lock screen before
its library, answer and scoring panes are built; they are built right after that first frame,
or at any earlier touch, and the window is then the same as one built whole.

"Built whole" is the window as it was built before this deferral: its panes made before the
panel is installed (and locks it). Both are real windows on the same real library, compared
by their pixels (grabs), their menus' items and what each pane holds.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.library import Library, open_library
from onetake_desktop.ui import panel as panel_ui
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.first_paint_probe import AtFirstPaint
from tests.ui.test_panel_window import HASHER, NAMES, PASS, make_library, sign_in

SIZE = (1024, 600)
KINDS = os.environ.get("WLOCK_KINDS", "deferred,whole").split(",")


def _locked_library(root: Path) -> tuple[Path, int]:
    """A library with one panelist: every window on it opens on the lock screen."""
    library, _, _ = make_library(root)
    panel = PanelService(library, ManualClock(), lambda: 1, HASHER)
    ana = panel.create_panelist("Ana", PASS["Ana"]).reviewer_id
    library.close()
    return root, ana


@pytest.fixture
def locked_library(tmp_path: Path) -> Iterator[tuple[Library, int, ManualClock]]:
    root, ana = _locked_library(tmp_path / "lib")
    yield open_library(root), ana, ManualClock()


def _window(
    qtbot: QtBot,
    library: Library,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    *,
    whole: bool = False,
) -> ReviewerWindow:
    real_install = panel_ui.install_panel_features
    if whole:  # the panes first, then the panel (which locks): the window built whole

        def install(window: ReviewerWindow, service: PanelService | None) -> object:
            window._ensure_panes()
            return real_install(window, service)

        monkeypatch.setattr(panel_ui, "install_panel_features", install)
    rng = random.Random(5)
    try:
        window = ReviewerWindow(
            ReviewerService(library),
            panel_service=PanelService(library, clock, lambda: rng.getrandbits(62), HASHER),
        )
    finally:
        monkeypatch.setattr(panel_ui, "install_panel_features", real_install)
    qtbot.addWidget(window)
    window.resize(*SIZE)
    return window


Menus = list[tuple[str, list[tuple[str, str, bool, bool, bool]]]]


def _menus(window: ReviewerWindow) -> Menus:
    """Each menu's title and, per item, its text, keys, and whether enabled/checked/visible."""
    out = []
    for top in window.menuBar().actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        items = [
            (
                a.text(),
                ",".join(k.toString() for k in a.shortcuts()),
                a.isEnabled(),
                a.isChecked(),
                a.isVisible(),
            )
            for a in menu.actions()
        ]
        out.append((top.text(), items))
    return out


def _tab_order(window: ReviewerWindow) -> list[str]:
    """The widgets Tab goes round, in order from the library's search (Tab and Shift+Tab go
    round a ring: where the window's own list of them starts does not show)."""
    out: list[str] = []
    widget = window.nextInFocusChain()
    while widget is not window and widget is not None:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(window):
            out.append(f"{type(widget).__name__}:{widget.objectName()}:{widget.accessibleName()}")
        widget = widget.nextInFocusChain()
    start = out.index("QLineEdit::Search the library")
    return out[start:] + out[:start]


def _everyone_listed(window: ReviewerWindow) -> Callable[[], bool]:
    return lambda: window.model.candidate_count() == len(NAMES)


def _painted(watch: AtFirstPaint) -> Callable[[], bool]:
    return lambda: watch.built is not None


def _settle(qtbot: QtBot, window: ReviewerWindow) -> None:
    qtbot.waitUntil(lambda: window.panes_built and hasattr(window, "transcripts"))
    qtbot.wait(50)  # the rest of what the first paint queued


def _grab(window: ReviewerWindow) -> QImage:
    window.statusBar().clearMessage()  # "Reviewing as ..." has its own timer
    return window.grab().toImage()


def test_the_locked_window_paints_before_its_panes_and_then_equals_the_whole_one(
    locked_library: tuple[Library, int, ManualClock],
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, ana, clock = locked_library
    first.close()
    shots: dict[str, dict[str, QImage]] = {}
    menus: dict[str, tuple[Menus, Menus, list[str]]] = {}
    for kind in KINDS:
        # The same library for both (a copy: closing a window closes its library).
        root = tmp_path / kind
        shutil.copytree(first.root, root)
        library = open_library(root)
        window = _window(qtbot, library, clock, monkeypatch, whole=kind == "whole")
        watch = AtFirstPaint(window, partial(getattr, window, "panes_built"))  # this loop's
        assert window.panes_built == (kind == "whole")
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(_painted(watch))
        # The deferred window's first frame is the lock screen, without the panes behind it.
        assert watch.built == (kind == "whole")
        _settle(qtbot, window)
        assert window.panel.lock_screen.isVisible()
        assert window.model.candidate_count() == 0  # nothing of anyone's behind the lock
        locked_menus = _menus(window)
        shots[kind] = {"locked": _grab(window)}
        sign_in(window.panel, ana, PASS["Ana"])
        qtbot.waitUntil(_everyone_listed(window), timeout=10_000)
        window.step_answer(+1)  # an answer on screen: player, question card, rubric
        # The transcript under the player shares out the height on a zero timer that races
        # Qt's own layout pass (its split moved by a pixel in ~1 run in 4): asked once more,
        # on the settled layout, it is the same in both.
        qtbot.wait(100)
        window.transcripts._fit()  # type: ignore[attr-defined]
        qtbot.wait(100)
        assert window.current_answer_id is not None
        shots[kind]["signed in"] = _grab(window)
        menus[kind] = (locked_menus, _menus(window), _tab_order(window))
        # Privacy's menu on the tree is there in both (hooked once the tree exists).
        assert window.tree.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
        window.close()
    for moment in ("locked", "signed in"):
        if os.environ.get("ONETAKE_SCREENSHOTS"):
            for kind, images in shots.items():
                images[moment].save(
                    str(Path(os.environ["ONETAKE_SCREENSHOTS"]) / f"{kind}-{moment}.png")
                )
        assert shots["deferred"][moment] == shots["whole"][moment], moment
    assert menus["deferred"] == menus["whole"]
    playback = next(items for title, items in menus["deferred"][1] if title == "&Playback")
    assert playback  # the player's items are in its menu


def test_the_pane_attributes_are_every_attribute_the_panes_set(
    locked_library: tuple[Library, int, ManualClock],
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The list that makes a touch build the panes names exactly what building them sets."""
    library, _, clock = locked_library
    window = _window(qtbot, library, clock, monkeypatch)
    before = set(window.__dict__)
    window._ensure_panes()  # after the first frame: the scoring page is built with them
    added = set(window.__dict__) - before
    parts = ReviewerWindow.PANE_ATTRIBUTES | ReviewerWindow.SCORING_PAGE_ATTRIBUTES
    assert added == parts - before
    assert set(window.__dict__) >= parts
    window.close()


def _signed_in(window: ReviewerWindow, reviewer_id: int) -> None:
    """The lock screen's sign-in, done at once (its passphrase check runs on a worker)."""
    service = window.panel.service
    record = service.begin_sign_in(reviewer_id)
    actor = service.finish_sign_in(record, service.verify_passphrase(record, PASS["Ana"]))
    window.panel.lock_screen.hide()
    window.panel._on_signed_in(actor)  # set_reviewer


def _open_playback(window: ReviewerWindow) -> object:
    window.playback_menu.aboutToShow.emit()
    return window.playback_menu.actions()


TOUCHES: dict[str, Callable[[ReviewerWindow, int], object]] = {
    "the tree (privacy, tests)": lambda w, _a: w.tree.currentIndex(),
    "the model": lambda w, _a: w.model.candidate_count(),
    "the player": lambda w, _a: w.player.position(),
    "the rubric": lambda w, _a: w.rubric.score(),
    # (Q itself is dead while locked: test_locked_window_drops_and_keys.py.)
    "the question card (Q's)": lambda w, _a: w.card_toggle.isChecked(),
    "the Playback menu opened": lambda w, _a: _open_playback(w),
    "a sign-in (set_reviewer)": _signed_in,
    "the transcripts": lambda w, _a: w._install_transcripts(),
    "the import box": lambda w, _a: w.import_box,
}


@pytest.mark.parametrize("touch", sorted(TOUCHES))
def test_each_touch_before_the_first_paint_builds_the_panes_complete(
    locked_library: tuple[Library, int, ManualClock],
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    touch: str,
) -> None:
    library, ana, clock = locked_library
    window = _window(qtbot, library, clock, monkeypatch)
    assert not window.panes_built
    window.lock_out()  # the lock itself builds nothing
    assert not window.panes_built
    TOUCHES[touch](window, ana)
    assert window.panes_built
    assert set(window.__dict__) >= ReviewerWindow.PANE_ATTRIBUTES
    assert window.playback_menu.actions() == window.player.actions_for_menu()
    assert window.tree.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    window.show()
    qtbot.waitExposed(window)
    _settle(qtbot, window)
    if window.panel.lock_screen.isVisible():
        assert window.model.candidate_count() == 0
        sign_in(window.panel, ana, PASS["Ana"])
    qtbot.waitUntil(lambda: window.model.candidate_count() == len(NAMES), timeout=10_000)
    window.close()


def test_closing_a_locked_window_before_its_first_paint_builds_nothing(
    locked_library: tuple[Library, int, ManualClock],
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    library, _, clock = locked_library
    window = _window(qtbot, library, clock, monkeypatch)
    window.close()
    assert not window.panes_built
