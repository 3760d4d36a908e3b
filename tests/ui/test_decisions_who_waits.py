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
from PySide6.QtCore import QTimer
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


@pytest.mark.parametrize("size", [(663, 360), (891, 472)])  # 1024x600, 1366x768 at 150 %
def test_the_chairs_refusal_fits_a_small_screen_without_covering_the_form(
    qtbot: QtBot, root: Path, size: tuple[int, int]
) -> None:
    """The chair's sentence (who is still to submit) takes two lines: on a small screen the
    pane beside the candidates scrolls, and the window fits, rather than the sentence
    sliding over the feedback box and the window growing past the screen."""
    people = add_panel(root, chair="Ana")
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Ana"], PASS["Ana"])
    decisions = panel.open_decisions()
    assert decisions is not None
    decisions.resize(*size)
    qtbot.waitExposed(decisions)
    form = decisions.form
    assert "(still to submit: Ana, Ben, Cleo)" in form.refusal.text()
    qtbot.waitUntil(lambda: form.refusal.geometry().top() >= form.feedback.geometry().bottom())
    assert decisions.height() <= size[1] and decisions.width() <= size[0]
    window.close()
    library.close()
