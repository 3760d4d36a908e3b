"""Issue 17: a lone reviewer's window makes the panel's lock screen when first asked for, not
before its first frame. Made late, it is complete when shown (names, the audit problem, the
right words) and Tab reaches it where it did when made with the window: before the switch."""

from __future__ import annotations

import random
from pathlib import Path

from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.ui.panel.lock import SUBTITLE
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.test_panel_window import HASHER, PASS, make_library, sign_in


def test_a_lone_reviewers_lock_screen_is_made_at_the_first_lock_complete(
    tmp_path: Path, qtbot: QtBot
) -> None:
    library, _, _ = make_library(tmp_path / "lib")
    rng = random.Random(3)
    panel = PanelService(library, ManualClock(), lambda: rng.getrandbits(62), HASHER)
    window = ReviewerWindow(ReviewerService(library), panel_service=panel)
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.panes_built and hasattr(window, "transcripts"))
    controller = window.panel
    assert controller.made_lock_screen is None and not controller.lock_screen_shown()
    # The audit check (after the first frame) found a problem: kept for the lock screen.
    controller._audit_sentence = "row 3 was changed."
    ana = panel.create_panelist("Ana", PASS["Ana"]).reviewer_id
    controller.lock("Locked.")
    screen = controller.made_lock_screen
    assert screen is not None and screen.isVisible() and controller.lock_screen_shown()
    # All of the window under its menu bar, which stays in sight (Panel menu, the switch).
    assert screen.geometry() == window.rect().adjusted(
        0, window.menuBar().geometry().bottom() + 1, 0, 0
    )
    assert screen.title.text() == "Who is scoring?" and screen.subtitle.text() == SUBTITLE
    assert screen.audit_banner.isVisibleTo(screen)
    assert "row 3 was changed." in screen.audit_banner.text()
    assert [b.text() for b in screen.group.buttons()] == ["Ana"]
    assert screen.group.checkedId() == ana and screen.prompt.text() == "Locked."
    assert window.focusWidget() is screen.passphrase
    assert window.centralWidget().isHidden()  # nothing of anyone's behind it
    # Tab: the lock screen's widgets right before the panelist switch, as when made first.
    ring = window._tab_ring()  # the window's own walk of its focus chain
    # (the name buttons are made afresh at each lock)
    ours = [w for w in ring if screen.isAncestorOf(w) and w.objectName() != "PanelistButton"]
    assert ours == [screen.passphrase, screen.sign_in_button, screen.new_button]
    first = ring.index(ours[0])
    assert ring[first : first + len(ours)] == ours
    after = next(w for w in (ring + ring)[first:] if not screen.isAncestorOf(w))
    assert after is controller.switch
    sign_in(controller, ana, PASS["Ana"])
    qtbot.waitUntil(lambda: not controller.lock_screen_shown())
    assert controller.lock_screen is screen  # made once
