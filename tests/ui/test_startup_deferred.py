"""Issue 17 (quick start): what the reviewer window no longer does before its first paint
still happens, right after it, and what it shows at first paint is complete.

- The library tree is filled while the window is built (once), before it is shown.
- A panel that locks the window at start leaves nothing behind the lock: the tree is empty
  until a panelist signs in, and then holds their library.
- The audit chain check runs at start-up without anyone asking: a tampered row shows on the
  lock screen right after the first paint.
"""

from __future__ import annotations

import gc
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.conformance import Flag
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.library import Library
from onetake_desktop.ui.reviewer.library_model import LibraryModel
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.test_panel_window import HASHER, NAMES, PASS, make_library, sign_in


def _window(qtbot: QtBot, library: Library, clock: ManualClock) -> ReviewerWindow:
    rng = random.Random(5)
    window = ReviewerWindow(
        ReviewerService(library),
        panel_service=PanelService(library, clock, lambda: rng.getrandbits(62), HASHER),
    )
    qtbot.addWidget(window)
    return window


def test_the_tree_is_filled_before_the_window_is_shown(tmp_path: Path, qtbot: QtBot) -> None:
    library, _, _ = make_library(tmp_path / "lib")
    window = _window(qtbot, library, ManualClock())
    reloads: list[int] = []
    window.library_reloaded.connect(lambda: reloads.append(1))
    # Built, not shown: every candidate is already there for the first paint.
    assert sorted(name for name, _ in window.candidate_rows()) == sorted(NAMES)
    window.show()
    qtbot.waitExposed(window)
    assert sorted(name for name, _ in window.candidate_rows()) == sorted(NAMES)
    assert reloads == []  # showing it did not fill it again
    window.close()


def test_a_panel_locked_at_start_shows_nothing_behind_the_lock_until_sign_in(
    tmp_path: Path, qtbot: QtBot
) -> None:
    clock = ManualClock()
    library, _, _ = make_library(tmp_path / "lib")
    first = PanelService(library, clock, lambda: 1, HASHER)
    ana = first.create_panelist("Ana", PASS["Ana"]).reviewer_id
    window = _window(qtbot, library, clock)
    window.show()
    qtbot.waitExposed(window)
    assert window.panel.lock_screen.isVisible()
    assert window.model.candidate_count() == 0  # nothing of anyone's behind the lock
    sign_in(window.panel, ana, PASS["Ana"])  # as on the lock screen (checked off the GUI thread)
    qtbot.waitUntil(lambda: window.model.candidate_count() == len(NAMES), timeout=10_000)
    assert sorted(name for name, _ in window.candidate_rows()) == sorted(NAMES)
    window.close()


def test_the_transcript_panel_waits_behind_the_lock_and_is_there_at_sign_in(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """Locked at start, the first frame is the lock screen: the transcript panel is added
    after it (or at the first sign-in, if that came first); signed in, it is beside the
    player with its View actions, as in a window without a panel."""
    clock = ManualClock()
    library, _, _ = make_library(tmp_path / "lib")
    first = PanelService(library, clock, lambda: 1, HASHER)
    ana = first.create_panelist("Ana", PASS["Ana"]).reviewer_id
    window = _window(qtbot, library, clock)
    assert not hasattr(window, "transcripts")  # built, not yet painted: only the lock
    window.show()
    qtbot.waitUntil(lambda: hasattr(window, "transcripts"))  # right after the first paint
    features = getattr(window, "transcripts")  # noqa: B009 (set by the transcript features)
    assert window.panel.lock_screen.isVisible() and not features.panel.isVisible()
    sign_in(window.panel, ana, PASS["Ana"])
    qtbot.waitUntil(lambda: window.model.candidate_count() == len(NAMES), timeout=10_000)
    assert getattr(window, "transcripts") is features  # noqa: B009 (added once)
    assert features.panel.isVisible() and features.player is window.player
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert isinstance(view, QMenu)
    assert features.show_action in view.actions() and features.only_action in view.actions()
    window.close()


def test_the_audit_check_runs_right_after_the_first_paint(tmp_path: Path, qtbot: QtBot) -> None:
    clock = ManualClock()
    library, _, _ = make_library(tmp_path / "lib")
    PanelService(library, clock, lambda: 1, HASHER).create_panelist("Ana", PASS["Ana"])
    conn = sqlite3.connect(library.root / "onetake.sqlite3")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor_id = 999 WHERE seq = 1")
    conn.commit()
    conn.close()
    window = _window(qtbot, library, clock)
    window.show()
    banner = window.panel.lock_screen.audit_banner
    qtbot.waitUntil(banner.isVisible)  # nobody called check_audit: the start-up did
    assert "row 1 was changed" in banner.text()
    assert "row 1 was changed" in window.panel.audit_label.text()
    window.close()


def test_activity_keeps_the_panel_unlocked_once_the_window_is_on_screen(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The idle lock counts every key press and click in the application; the filter that sees
    them is installed right after the first paint (before it, nobody can press anything)."""
    clock = ManualClock()
    library, _, _ = make_library(tmp_path / "lib")
    ana = PanelService(library, clock, lambda: 1, HASHER).create_panelist("Ana", PASS["Ana"])
    window = _window(qtbot, library, clock)
    assert not window.panel.watching_activity  # built, not shown: nothing watched yet
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.panel.watching_activity)
    sign_in(window.panel, ana.reviewer_id, PASS["Ana"])  # checked off the GUI thread
    qtbot.waitUntil(lambda: not window.panel.lock_screen.isVisible(), timeout=10_000)
    clock.advance(4 * 60)
    QTest.keyClick(window.tree, Qt.Key.Key_Down)  # activity: the idle minutes start again
    clock.advance(4 * 60)
    window.panel.check_idle()
    assert not window.panel.lock_screen.isVisible()
    clock.advance(61)  # five idle minutes since the key press
    window.panel.check_idle()
    assert window.panel.lock_screen.isVisible()
    window.close()


def test_a_large_interview_paints_its_first_rows_and_has_them_all_right_after(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first frame lays out an interview's first rows only (10,000 candidates: the rows
    in view and a scroll bar that looks the same); every candidate is in the tree right after
    it, and any question asked of the tree before then answers about them all."""
    library, _, _ = make_library(tmp_path / "lib")
    monkeypatch.setattr(ReviewerWindow, "_first_frame_rows", lambda self: 2)
    window = _window(qtbot, library, ManualClock())
    interview = window.model.index(0, 0)
    assert window.model.rowCount(interview) == 2  # built, not shown: the first frame's rows
    assert window.model.candidate_count() == len(NAMES)
    assert window.model.interview_status(0) == f"0/{len(NAMES)} submitted"  # counts them all
    assert not window.model.showing_all()
    window.show()
    qtbot.waitUntil(window.model.showing_all)  # right after the first paint
    assert window.model.rowCount(interview) == len(NAMES)
    assert sorted(name for name, _ in window.candidate_rows()) == sorted(NAMES)
    window.close()


def test_a_reload_while_hidden_after_the_first_paint_shows_every_candidate(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first frame's rows are held back once, before the first paint (whose callback adds
    the rest). A reload while the window is hidden after that paint has no paint left to add
    them: it fills every row."""
    library, _, _ = make_library(tmp_path / "lib")
    monkeypatch.setattr(ReviewerWindow, "_first_frame_rows", lambda self: 1)
    window = _window(qtbot, library, ManualClock())
    window.show()
    qtbot.waitUntil(window.model.showing_all)  # right after the first paint
    window.hide()
    window.reload_library()
    assert window.model.showing_all()
    assert window.model.rowCount(window.model.index(0, 0)) == len(NAMES)
    window.close()


LOOKUPS: dict[str, Callable[[LibraryModel, int, list[int], tuple[Flag, ...]], bool]] = {
    "candidate_index": lambda model, sid, _a, _f: model.candidate_index(sid).isValid(),
    "answer_index": lambda model, sid, answers, _f: model.answer_index(sid, answers[-1]).isValid(),
    "answer_ids": lambda model, sid, answers, _f: model.answer_ids(sid) == answers,
    "flags_of": lambda model, sid, _a, flags: model.flags_of(sid) == flags,
    "status_of_candidate": lambda model, sid, _a, _f: model.status_of_candidate(sid) is not None,
    "submission_ids": lambda model, sid, _a, _f: model.submission_ids()[-1] == sid,
}


@pytest.mark.parametrize("lookup", sorted(LOOKUPS))
def test_asking_the_tree_before_the_first_paint_shows_every_candidate(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, lookup: str
) -> None:
    """Each lookup by candidate or answer, asked before the first paint about a candidate
    beyond the first frame's rows, finds them (it adds the rest of the rows itself)."""
    library, _, ids = make_library(tmp_path / "lib")
    last_name = max(NAMES)  # the tree sorts by name: the last row, beyond the first one
    last = ids[NAMES.index(last_name)]
    flags = (Flag("takes-over-limit", "More takes than the interview allows.", "q1"),)
    library.submissions.set_flags(last, flags)
    answers = [a.id for a in library.submissions.answers(last)]
    monkeypatch.setattr(ReviewerWindow, "_first_frame_rows", lambda self: 1)
    window = _window(qtbot, library, ManualClock())
    model = window.model
    interview = model.index(0, 0)
    # Nothing has asked yet: the first row only, and it is not the one asked about.
    assert not model.showing_all()
    assert model.rowCount(interview) == 1
    assert model.index(0, 0, interview).data() != last_name
    assert LOOKUPS[lookup](model, last, answers, flags)
    assert model.showing_all()
    window.close()


def test_stepping_before_the_first_paint_goes_through_every_candidate(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, _, _ = make_library(tmp_path / "lib")
    monkeypatch.setattr(ReviewerWindow, "_first_frame_rows", lambda self: 1)
    window = _window(qtbot, library, ManualClock())
    assert not window.model.showing_all()
    window.step_answer(+1)  # N on the first candidate, then on through the rest
    assert window.current_answer_id is not None
    assert sorted(name for name, _ in window.candidate_rows()) == sorted(NAMES)
    window.close()


def test_the_cycle_collector_is_on_again_after_every_fill_of_the_tree(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fill pauses the collector (tens of thousands of new objects at 10,000 candidates):
    it is on again afterwards, also when the fill fails."""
    library, _, _ = make_library(tmp_path / "lib")
    window = _window(qtbot, library, ManualClock())
    assert gc.isenabled()
    window.search.setText("Ada")
    assert [name for name, _ in window.candidate_rows()] == ["Ada Lovelace"]
    assert gc.isenabled()

    def broken(*_args: object, **_kwargs: object) -> list[object]:
        raise OSError("disk gone")

    monkeypatch.setattr(window.service, "entry_rows", broken)
    with pytest.raises(OSError):
        window.reload_library()
    assert gc.isenabled()
    window.close()
