"""Review s11 M3: a reviewer window left open keeps "kept N days, then deleted" too. After its
first paint it checks every hour (PrivacyController.recheck_timer); whoever fell due since is
erased as at start-up, with the same notice, the one open on screen closed first. Behind the
panel's lock they are erased at once and nothing about them shows. Real windows, a real
library and bundles, the windows' manual clock; the timer's signal is emitted, no waiting."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.storage.panel import SqlitePanel
from onetake_desktop.ui.reviewer import privacy as privacy_ui
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.pipeline.library_bundles import make_bundle
from tests.ui.test_privacy_release_window import clock, hold, select
from tests.ui.test_privacy_window import (
    NAME,
    candidate_names,
    chair_and_panelist,
    definition,
    due_within_the_week,
    import_one,
    open_window,
    save,
    sign_in,
)

HELD = "Harriet Heldmore"  # kept 30 days as NAME, and held until the end of January
OTHER = "Grace Hopper"  # kept 180 days
PAST_THE_DATE = timedelta(days=4).total_seconds()  # 28 Nov -> 2 Dec 2026: NAME is due


def library_with_three(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, Path]:
    """NAME (erased 1 Dec 2026), HELD (same date, held), OTHER (180 days); the windows' clock
    on 28 Nov 2026. NAME's submission id and folder."""
    service, sid = due_within_the_week(tmp_path, monkeypatch)
    try:
        month = definition("thirty-days", 30)
        held = import_one(service, make_bundle(tmp_path / "h.onetake", HELD, definition=month))
        hold(service, held, until=date(2027, 1, 31))
        import_one(service, make_bundle(tmp_path / "o.onetake", OTHER))
        return sid, service.library.submissions.get(sid).folder
    finally:
        service.close()


def started(qtbot: QtBot, window: ReviewerWindow) -> privacy_ui.PrivacyController:
    controller: privacy_ui.PrivacyController = window.privacy  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller._started)
    assert controller.startup_box is None  # nobody due at start
    timer = controller.recheck_timer
    assert timer is not None and timer.isActive() and timer.interval() == 60 * 60 * 1000
    return controller


def tick(controller: privacy_ui.PrivacyController) -> None:
    """The hour is up: the timer's own signal, as the event loop would send it."""
    assert controller.recheck_timer is not None
    controller.recheck_timer.timeout.emit()


def erasures(window: ReviewerWindow) -> list[tuple[int | None, str]]:
    entries = SqlitePanel(window.service.library.db).audit_entries()
    return [
        (e.actor_id, json.loads(e.details)["reason_code"]) for e in entries if e.action == "erased"
    ]


def test_the_hourly_check_erases_who_fell_due_with_the_start_up_notice(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid, folder = library_with_three(tmp_path, monkeypatch)
    window = open_window(qtbot)
    controller = started(qtbot, window)
    clock().advance(3600)
    tick(controller)  # an hour later nobody is due: nothing said, nothing erased
    assert controller.due_box is None and folder.is_dir()

    select(qtbot, window, sid)  # NAME's answer is on screen when their date passes
    clock().advance(PAST_THE_DATE)
    tick(controller)
    box = controller.due_box
    assert box is not None and box.isVisible()
    assert box.text() == "1 candidate reached the end of the time their answers are kept."
    assert box.informativeText().startswith(
        "When they recorded, they were told their answers would be kept for the interview's "
        "retention period and then deleted, so they are erased now"
    )
    # Closed first: the player let go of their files, nothing of theirs is on screen.
    assert window.current_submission_id is None and window.candidate_label.text() != NAME
    assert folder.is_dir() and NAME in candidate_names(window)  # said, not yet done
    save(window, "hourly-expiry-offscreen.png")
    save(box, "hourly-expiry-notice-offscreen.png")
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))
    assert not folder.exists()
    assert sorted(candidate_names(window)) == [OTHER, HELD]  # held: kept
    assert erasures(window) == [(None, "retention")]
    assert window.statusBar().currentMessage().startswith("Erased 1 submission and its recordings.")

    clock().advance(3600)
    tick(controller)  # nobody else is due: no second notice
    assert controller.due_box is box and not box.isVisible()
    window.close()


def test_a_notice_nobody_answers_does_not_hold_the_erasure_back(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lone reviewer's window left open, unattended: the notice waits, the promise does
    not. The next check erases them under the notice; its OK then erases nobody else."""
    sid, folder = library_with_three(tmp_path, monkeypatch)
    window = open_window(qtbot)
    controller = started(qtbot, window)
    clock().advance(PAST_THE_DATE)
    tick(controller)
    box = controller.due_box
    assert box is not None and box.isVisible() and folder.is_dir()
    clock().advance(3600)
    tick(controller)  # an hour on, still unanswered
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))
    assert not folder.exists() and sid not in {
        s.id for s in window.service.library.submissions.all()
    }
    assert controller.due_box is box  # no second notice over the first
    box.button(QMessageBox.StandardButton.Ok).click()
    assert erasures(window) == [(None, "retention")]  # once
    assert sorted(candidate_names(window)) == [OTHER, HELD]
    window.close()


def texts_on_screen() -> list[str]:
    """Every label, button and window title a person at the screen can see now."""
    seen: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        seen.append(top.windowTitle())
        for label in top.findChildren(QLabel):
            if label.isVisible():
                seen += [label.text(), label.toolTip()]
        for button in top.findChildren(QAbstractButton):
            if button.isVisible():
                seen.append(button.text())
    return [t for t in seen if t]


def test_behind_the_panels_lock_they_are_erased_at_once_and_nothing_shows(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onetake_desktop.ui.tasks import set_synchronous

    sid, folder = library_with_three(tmp_path, monkeypatch)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        people = chair_and_panelist(service)
    finally:
        service.close()
    set_synchronous(True)
    try:
        window = open_window(qtbot)
        controller = started(qtbot, window)
        sign_in(qtbot, window, people, "Ana")
        select(qtbot, window, sid)  # Ana left NAME's answer open when the panel locked
        window.panel.lock("Locked after a few idle minutes.")
        assert window.locked()
        before = texts_on_screen()
        clock().advance(PAST_THE_DATE)
        tick(controller)
        assert sid not in {s.id for s in window.service.library.submissions.all()}
        assert not folder.exists()
        assert erasures(window) == [(None, "retention")]
        # Nothing on the lock screen: no notice, no status line, no name, no count.
        assert controller.due_box is None and QApplication.activeModalWidget() is None
        assert window.statusBar().currentMessage() == ""
        assert texts_on_screen() == before
        assert not [t for t in texts_on_screen() if NAME in t or "rased" in t]
        save(window, "hourly-expiry-locked-offscreen.png")

        # Ana back: the answer she left is gone with its candidate, nothing fails.
        sign_in(qtbot, window, people, "Ana")
        qtbot.waitUntil(lambda: OTHER in candidate_names(window))
        assert NAME not in candidate_names(window) and window.current_submission_id is None
        assert sorted(candidate_names(window)) == [OTHER, HELD]
    finally:
        set_synchronous(False)
    window.close()


def retry(controller: privacy_ui.PrivacyController) -> None:
    """The put-off check's few minutes are up (its timer's own signal)."""
    timer = controller.retry_timer
    assert timer is not None and timer.isActive() and timer.interval() == 5 * 60 * 1000
    clock().advance(5 * 60)
    timer.timeout.emit()


def test_the_check_waits_for_an_open_erase_dialog_instead_of_erasing_under_it(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s11b M1: a panelist has "Erase candidate…" open for NAME when NAME falls due.
    The check is put off (no notice over the dialog, nobody erased); their Erase then does
    what it says, with no error about a candidate already gone."""
    sid, folder = library_with_three(tmp_path, monkeypatch)
    window = open_window(qtbot)
    controller = started(qtbot, window)
    select(qtbot, window, sid)
    dialog = controller.erase_selected()
    assert dialog is not None and dialog.isVisible()
    assert QApplication.activeModalWidget() is dialog  # window-modal, open(): no wait here
    clock().advance(PAST_THE_DATE)
    tick(controller)
    assert controller.due_box is None and dialog.isVisible()
    assert folder.is_dir() and NAME in candidate_names(window)
    assert window.current_submission_id == sid  # the answer the dialog is about stays
    retry(controller)  # a few minutes on, still open: put off again
    assert controller.due_box is None and folder.is_dir()

    dialog.erase_button.click()
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))
    assert not folder.exists() and QApplication.activeModalWidget() is None  # no error box
    assert erasures(window) == [(window.service.default_reviewer.id, "candidate_request")]
    assert window.statusBar().currentMessage().startswith("Erased 1 submission and its recordings.")
    retry(controller)  # nobody else due: nothing said
    assert controller.due_box is None
    window.close()


def test_a_modal_dialog_puts_the_check_off_until_it_closes(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any modal dialog over the window (not only the privacy ones) holds the notice back;
    the retry after it closes erases as the hourly check does."""
    from PySide6.QtWidgets import QDialog

    _sid, folder = library_with_three(tmp_path, monkeypatch)
    window = open_window(qtbot)
    controller = started(qtbot, window)
    other = QDialog(window)
    other.setWindowTitle("Some other dialog")
    other.open()
    assert QApplication.activeModalWidget() is other
    clock().advance(PAST_THE_DATE)
    tick(controller)
    assert controller.due_box is None and folder.is_dir()
    other.reject()
    retry(controller)
    box = controller.due_box
    assert box is not None and box.isVisible()
    assert box.text() == "1 candidate reached the end of the time their answers are kept."
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))
    assert not folder.exists() and erasures(window) == [(None, "retention")]
    window.close()


def test_a_dialog_left_open_an_hour_is_taken_down_and_the_promise_kept(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unattended, a half-filled "Keep longer…" does not hold the erasure back for ever:
    after an hour of retries it is taken down (as the panel's lock does) and the notice
    shows; nothing is kept longer."""
    sid, folder = library_with_three(tmp_path, monkeypatch)
    window = open_window(qtbot)
    controller = started(qtbot, window)
    hold_dialog = controller.keep_longer(sid)
    assert hold_dialog is not None and hold_dialog.isVisible()
    hold_dialog.reason.setText("typed, never confirmed")
    clock().advance(PAST_THE_DATE)
    tick(controller)
    for _ in range(11):  # 55 minutes of retries
        retry(controller)
        assert controller.due_box is None and hold_dialog.isVisible()
    clock().advance(5 * 60)
    tick(controller)  # the hour is up
    assert not hold_dialog.isVisible() and hold_dialog.result() == 0  # rejected: no hold
    box = controller.due_box
    assert box is not None and box.isVisible()
    assert QApplication.activeModalWidget() is box
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))
    assert not folder.exists() and erasures(window) == [(None, "retention")]
    window.close()
