"""Who is told who is still to submit, and who may decide, on the real panel windows.

The policy is services.scoring's (``gate_refusal``, ``decider_refusal``): the chair alone is
told who is still to submit, on every path that says the wait (the Decisions window's form
and its "Show the name" button, blind mode switched off from the Panel menu); the Decisions
window asks again who may decide when the chair changes behind it (a command adding a chair,
another window removing one) and a panelist signing in without a lock gets windows of their
own, not the last panelist's.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from onetake_desktop.cli import main as cli_main
from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.paths import app_paths
from onetake_desktop.services.panel import PanelService
from onetake_desktop.storage.library import open_library
from onetake_desktop.ui.panel.decisions import DecisionsWindow
from onetake_desktop.ui.tasks import set_synchronous
from tests.ui.test_panel_people import open_window
from tests.ui.test_panel_window import (
    HASHER,
    PASS,
    all_text,
    make_library,
    score_elsewhere,
    shot,
    sign_in,
)

WAIT = "waits until every panelist has submitted this candidate"


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """The app's library (where the command line finds it): four candidates, nobody scored."""
    set_synchronous(True)
    path = app_paths().ensure().library
    library, _, _ = make_library(path)
    library.close()
    yield path
    set_synchronous(False)


def add_panel(root: Path, chair: str | None) -> dict[str, int]:
    library = open_library(root)
    try:
        service = PanelService(library, ManualClock(), hasher=HASHER)
        return {
            n: service.create_panelist(n, p, chair=n == chair).reviewer_id for n, p in PASS.items()
        }
    finally:
        library.close()


def onetake(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    result = cli_main(argv)
    assert isinstance(result, int)
    return result


def inputs_enabled(decisions: DecisionsWindow) -> bool:
    form = decisions.form
    return all(w.isEnabled() for w in (*form.buttons.values(), form.reason, form.feedback))


def activate(qtbot: QtBot, decisions: DecisionsWindow) -> None:
    """Bring the window to the front, as a click on it does after working elsewhere."""
    parent = decisions.parentWidget()
    assert parent is not None
    parent.activateWindow()
    qtbot.waitUntil(parent.isActiveWindow)
    decisions.activateWindow()
    qtbot.waitUntil(decisions.isActiveWindow)


def test_only_the_chair_is_told_who_is_still_to_submit_in_the_windows(
    qtbot: QtBot, root: Path, tmp_path: Path
) -> None:
    people = add_panel(root, chair="Ana")
    window, panel, library = open_window(qtbot, root)
    subs = sorted(c.submission_id for c in panel.service.candidates(interview_pk=1))
    score_elsewhere(root, "Ben", subs[:1], submit=True)  # Ana and Cleo are still to submit
    score_elsewhere(root, "Cleo", subs[:1], submit=False)  # begun: blind mode holds for it
    # Ben, who may never decide: the wait, and his own part in it, but nobody named.
    sign_in(panel, people["Ben"], PASS["Ben"])
    panel.actions["blind"].setChecked(True)
    decisions = panel.open_decisions()
    assert decisions is not None
    decisions.resize(1000, 560)
    decisions.select(subs[0])
    decisions.lift_button.click()
    assert decisions.message.text() == f"Showing the name {WAIT}."
    decisions.select(subs[1])
    decisions.lift_button.click()
    assert decisions.message.text() == f"Showing the name {WAIT}; you have not submitted them yet."
    shown = all_text(decisions)
    assert "still to submit" not in shown and "Cleo" not in shown, shown
    shot(decisions, "decisions-lift-refused-not-chair", tmp_path)
    panel.actions["blind"].setChecked(False)  # the menu: refused, stays on, nobody named
    said = window.statusBar().currentMessage()
    assert said.startswith("Blind mode stays on while candidates being scored"), said
    assert "Ana" not in said and "Cleo" not in said and panel.actions["blind"].isChecked()

    # Ana, the chair: told who is still to submit, in the form, by the button and the menu.
    sign_in(panel, people["Ana"], PASS["Ana"])
    decisions = panel.open_decisions()
    assert decisions is not None
    decisions.select(subs[0])
    assert decisions.form.refusal.text() == f"A decision {WAIT} (still to submit: Ana, Cleo)."
    decisions.lift_button.click()
    assert decisions.message.text() == f"Showing the name {WAIT} (still to submit: Ana, Cleo)."
    panel.actions["blind"].setChecked(False)
    said = window.statusBar().currentMessage()
    assert "1 candidate being scored" in said and "(still to submit: Ana, Cleo)" in said, said
    assert panel.actions["blind"].isChecked()
    window.close()
    library.close()


def test_the_decisions_window_asks_again_when_the_chair_changes_behind_it(
    qtbot: QtBot, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    people = add_panel(root, chair=None)  # nobody scored yet: a chair may still be named
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Ana"], PASS["Ana"])
    decisions = panel.open_decisions()
    assert decisions is not None
    qtbot.waitExposed(decisions)
    assert not decisions.who_decides.isVisible() and inputs_enabled(decisions)
    assert "(still to submit: Ana, Ben, Cleo)" in decisions.form.refusal.text()

    # A chair named from the command line while the window is open: at the window's next
    # activation Ana reads who decides, the form greys and nobody still to submit is named.
    assert onetake(["panel", "add", "Zed", "--chair"], "zed passphrase\n", monkeypatch) == 0
    assert "Zed" in capsys.readouterr().out
    activate(qtbot, decisions)
    line = "Only the panel's chair, Zed, records decisions."
    assert decisions.who_decides.isVisible() and decisions.who_decides.text() == line
    assert not inputs_enabled(decisions) and not decisions.form.record_button.isEnabled()
    assert "still to submit" not in all_text(decisions)
    decisions.lift_button.click()
    assert decisions.message.text() == f"Showing the name {WAIT}; you have not submitted them yet."

    # The chair removed from another window on the same library: the form opens again, at
    # the next candidate shown (no activation needed).
    other = open_library(root)
    try:
        service = PanelService(other, ManualClock(), hasher=HASHER)
        ben = service.sign_in(people["Ben"], PASS["Ben"])
        service.remove_panelist(ben, reviewer_id=service.panelist_named("Zed").reviewer_id)
    finally:
        other.close()
    rows = [c.submission_id for c in decisions.rows]
    decisions.select(rows[1])
    assert not decisions.who_decides.isVisible() and inputs_enabled(decisions)
    assert "(still to submit: Ana, Ben, Cleo)" in decisions.form.refusal.text()
    window.close()
    library.close()


def test_a_panelist_signed_in_without_a_lock_gets_decisions_of_their_own(
    qtbot: QtBot, root: Path
) -> None:
    """A new panelist signs in from the Panel menu without a lock in between: the windows
    the last panelist had open close, and Decisions opens for the new one (here the chair)."""
    from onetake_desktop.ui.panel.new_panelist import NewPanelistDialog

    people = add_panel(root, chair=None)
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Ben"], PASS["Ben"])
    bens = panel.open_decisions()
    assert bens is not None
    qtbot.waitExposed(bens)
    assert not bens.who_decides.isVisible() and inputs_enabled(bens)

    def fill() -> None:
        dialog = window.findChild(NewPanelistDialog, "NewPanelistDialog")
        assert dialog is not None and dialog.chair.isVisible()
        dialog.name.setText("Dana")
        dialog.passphrase.setText("dana passphrase")
        dialog.repeat.setText("dana passphrase")
        dialog.chair.setChecked(True)
        dialog.create_and_sign_in()

    QTimer.singleShot(0, fill)
    panel.actions["new"].trigger()
    dana = panel.service.current
    assert dana is not None and dana.name == "Dana"
    qtbot.waitUntil(lambda: not bens.isVisible())  # Ben's view is not left to Dana
    decisions = panel.open_decisions()
    assert decisions is not None and decisions is not bens and decisions.actor is dana
    assert not decisions.who_decides.isVisible() and inputs_enabled(decisions)
    assert "(still to submit: Ana, Ben, Cleo, Dana)" in decisions.form.refusal.text()
    window.close()
    library.close()


def test_renaming_yourself_in_people_leaves_no_dead_decisions_window(
    qtbot: QtBot, root: Path
) -> None:
    """Review s14 R3: renaming yourself in People makes a new actor and stops the one the open
    panel windows hold. They close, as after a passphrase change, and open afresh for the new
    name. A window still holding a dead actor says so in its refusal line when it comes to the
    front, the form greyed, rather than raising from changeEvent (the unexpected-error dialog
    at every activation)."""
    people = add_panel(root, chair="Ana")
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Ana"], PASS["Ana"])
    decisions = panel.open_decisions()
    assert decisions is not None
    qtbot.waitExposed(decisions)
    dialog = panel.open_people()
    assert dialog is not None and dialog.rename(people["Ana"], "Anna")
    dialog.accept()
    qtbot.waitUntil(lambda: not decisions.isVisible())  # closed with its dead actor
    anna = panel.service.current
    assert anna is not None and anna.name == "Anna"
    fresh = panel.open_decisions()
    assert fresh is not None and fresh is not decisions and fresh.actor is anna
    qtbot.waitExposed(fresh)
    activate(qtbot, fresh)
    assert not fresh.who_decides.isVisible() and inputs_enabled(fresh)
    assert fresh.form.refusal.text() == f"A decision {WAIT} (still to submit: Anna, Ben, Cleo)."

    # Renamed behind the window (not through People, so nothing closes it): at its next
    # activation it says why, once, in plain text, and offers nothing to fill in.
    panel.service.rename_panelist(anna, reviewer_id=people["Ana"], name="Ana")
    activate(qtbot, fresh)
    said = fresh.form.refusal
    assert said.isVisible() and said.text() == "Sign in as Anna first."
    assert said.textFormat() == Qt.TextFormat.PlainText
    assert not fresh.who_decides.isVisible()  # (the same sentence: said once)
    assert not inputs_enabled(fresh) and not fresh.form.record_button.isEnabled()
    assert fresh.history.count() == 0
    window.close()
    library.close()


@pytest.mark.parametrize("size", [(663, 360), (891, 472)])  # 1024x600, 1366x768 at 150 %
def test_the_chairs_refusal_fits_a_small_screen_without_covering_the_form(
    qtbot: QtBot, root: Path, size: tuple[int, int]
) -> None:
    """The chair's sentence (who is still to submit) takes two lines: on a small screen the
    pane beside the candidates scrolls, and the window fits, rather than the sentence
    sliding over the feedback box and the window growing past the screen. (Since s14 the
    sentence sits under the scrolled part, with the button: below all of it.)"""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QScrollArea

    people = add_panel(root, chair="Ana")
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Ana"], PASS["Ana"])
    decisions = panel.open_decisions()
    assert decisions is not None
    decisions.resize(*size)
    qtbot.waitExposed(decisions)
    form = decisions.form
    assert "(still to submit: Ana, Ben, Cleo)" in form.refusal.text()
    scroll = decisions.findChild(QScrollArea, "DecisionPane")
    assert isinstance(scroll, QScrollArea) and scroll.isAncestorOf(form.feedback)

    def below_the_pane() -> bool:
        top: int = form.refusal.mapTo(decisions, QPoint(0, 0)).y()
        bottom: int = scroll.mapTo(decisions, QPoint(0, scroll.height())).y()
        return top >= bottom

    qtbot.waitUntil(below_the_pane)
    assert decisions.height() <= size[1] and decisions.width() <= size[0]
    window.close()
    library.close()


TWENTY = "Maria-José Fernandes"  # a usual full name: 20 characters
SCREENS = {  # free area in device-independent pixels (what Qt lays out at that scale)
    "1024x600": (1024, 600),
    "1366x768@150%": (910, 512),
    "1024x600@150%": (683, 400),
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_chair_reads_the_name_and_reaches_the_button_on_a_small_screen(
    qtbot: QtBot, root: Path, tmp_path: Path, screen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s14 (panelgate shots): on a small screen the "Show the name to the panel" button
    beside the title cut it to "C…", and the chair scrolled the pane to reach "Record
    decision". The title is now a line of its own, whole for a blind code and for a
    20-character name; the refusal and the button sit under the scrolled part, in sight, also
    with the window's banner shown; Tab goes through the form as before."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QScrollArea

    from tests.ui.test_side_windows_fit import assert_fits, unclipped

    width, height = SCREENS[screen]
    free = QRect(0, 0, width, height)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: free)
    library = open_library(root)
    sid = library.db.execute("SELECT MIN(id) FROM submissions").fetchone()[0]
    library.db.execute("UPDATE submissions SET candidate_name = ? WHERE id = ?", (TWENTY, sid))
    library.close()
    people = add_panel(root, chair="Ana")
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Ana"], PASS["Ana"])
    decisions = panel.open_decisions()
    assert decisions is not None
    qtbot.waitExposed(decisions)
    form, title = decisions.form, decisions.candidate_label
    roomy = screen != "1024x600@150%"  # (at 150 % the inputs above may scroll; not the button)
    inputs = [*decisions.radios.values(), decisions.reason, decisions.feedback] if roomy else []

    def check(expected: str) -> None:
        QApplication.processEvents()
        assert title.text() == expected and not title.is_elided(), (title.width(), expected)
        assert title.shown_text() == expected
        assert_fits(decisions, free, title, form.refusal, decisions.save_button, *inputs)
        scroll = decisions.findChild(QScrollArea, "DecisionPane")
        assert isinstance(scroll, QScrollArea) and scroll.verticalScrollBar().value() == 0
        assert not scroll.isAncestorOf(decisions.save_button)  # never scrolled away
        assert unclipped(decisions.lift_button, decisions) or not decisions.lift_button.isVisible()

    decisions.select(sid)  # blind off: the name
    check(TWENTY)
    panel.actions["blind"].setChecked(True)
    assert panel.open_decisions() is decisions
    decisions.select(sid)
    code = decisions.rows[[c.submission_id for c in decisions.rows].index(sid)].name
    assert code.startswith("C-") and len(code) == 6
    assert decisions.lift_button.isVisible()
    check(f"{code} (name hidden)")
    decisions.lift_button.click()  # refused: the banner says who is still to submit
    assert decisions.message.isVisible() and "still to submit" in decisions.message.text()
    check(f"{code} (name hidden)")
    assert "(still to submit: Ana, Ben, Cleo)" in form.refusal.text()
    # Tab through the form as before: the choices, why, feedback, the button, then "Show".
    ring, widget = [], decisions.nextInFocusChain()
    while widget is not decisions:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(decisions):
            ring.append(widget)
        widget = widget.nextInFocusChain()
    ours = [*decisions.radios.values(), decisions.reason, decisions.feedback]
    ours += [decisions.save_button, decisions.lift_button]
    assert [w for w in ring if w in ours] == ours
    # From the list of candidates Tab goes straight to the first choice: the pane's scroll
    # area was a stop of its own, with no frame and no name (review s14 R5).
    after_list = ring[ring.index(decisions.candidates) + 1]
    assert after_list is ours[0], after_list.metaObject().className()
    # Tab from the reason into the feedback box brings it into sight where the pane scrolls.
    activate(qtbot, decisions)
    decisions.reason.setFocus()
    qtbot.waitUntil(decisions.reason.hasFocus)
    QTest.keyClick(decisions.reason, Qt.Key.Key_Tab)
    qtbot.waitUntil(decisions.feedback.hasFocus)
    qtbot.waitUntil(lambda: unclipped(decisions.feedback, decisions))
    assert unclipped(decisions.save_button, decisions)
    shot(decisions, f"decisions-small-{screen}", tmp_path)
    window.close()
    library.close()
