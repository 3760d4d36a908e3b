"""Stop keeping a candidate longer from the reviewer window: real bundles, a real library,
real dialogs. Offered where "Keep longer…" is (File menu, library context menu, the banner)
while a hold runs; the service decides who may, audits it, and the candidate goes on the date
they were told (at the next start, if it has passed)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.privacy import NOT_HELD, UNDATED, PrivacyService, day_text
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.panel import SqlitePanel
from onetake_desktop.ui.reviewer import privacy as privacy_ui
from onetake_desktop.ui.reviewer.privacy import ERASED_MEANWHILE
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.widgets.plain import plain_tooltip
from tests.pipeline.library_bundles import make_bundle
from tests.ui.test_privacy_window import (
    EMAIL,
    NAME,
    boxes_during,
    candidate_names,
    chair_and_panelist,
    definition,
    due_within_the_week,
    import_one,
    open_window,
    plain_labels,
    save,
    sign_in,
)

HOLD_END = date(2027, 1, 31)


def hold(service: ReviewerService, sid: int, until: date = HOLD_END) -> None:
    """The lone reviewer keeps the candidate longer (as "Keep longer…" would)."""
    clock = privacy_ui.default_clock()
    PrivacyService(service.library, clock).hold(
        service.actor_for(service.default_reviewer.id),
        submission_id=sid,
        until=until,
        reason="appeal pending",
    )


def select(qtbot: QtBot, window: ReviewerWindow, sid: int) -> None:
    window.show_answer(window.service.answers(sid)[0].id)
    qtbot.waitUntil(lambda: window.current_submission_id == sid)


def releases(window: ReviewerWindow) -> list[tuple[int | None, dict[str, object]]]:
    entries = SqlitePanel(window.service.library.db).audit_entries()
    return [(e.actor_id, json.loads(e.details)) for e in entries if e.action == "retention_release"]


def clock() -> ManualClock:
    c = privacy_ui.default_clock()
    assert isinstance(c, ManualClock)
    return c


def test_stop_keeping_longer_from_the_menu_and_the_banner(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, sid = due_within_the_week(tmp_path, monkeypatch)  # told: erased 1 Dec 2026
    hold(service, sid)
    service.close()

    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    (file_menu,) = [m for m in window.menuBar().findChildren(QMenu) if m.title() == "&File"]
    assert controller.release_action in file_menu.actions()
    qtbot.waitUntil(lambda: controller._started)
    assert not controller.banner.isVisible()  # kept until January: nobody goes this week
    select(qtbot, window, sid)
    controller.refresh_actions()  # as the File menu does when it opens
    assert controller.release_action.isVisible()
    assert controller.release_action.statusTip().startswith("Stop keeping the selected")

    dialog = controller.stop_keeping(sid)
    assert dialog is not None and dialog.isVisible()
    texts = "\n".join(label.text() for label in plain_labels(dialog))
    assert "31\u00a0Jan\u00a02027 (appeal pending)" in texts
    assert "1\u00a0Dec\u00a02026, as they were told" in texts
    # The line is the service's answer (release_preview), not a rule of the dialog's own.
    after = controller.service.release_preview(sid)
    assert not after.overdue and after.erase_at is not None
    assert dialog.then.text() == f"{day_text(after.erase_at)}, as they were told"
    assert dialog.candidate.currentText() == f"{NAME} <{EMAIL}>"
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setText("appeal withdrawn")
    assert dialog.ok_button.isEnabled()
    save(dialog, "stop-keeping-longer-offscreen.png")

    # A reason a terminal would act on is refused in the service's sentence; nothing lifted.
    dialog.reason.setText("withdrawn\x1b[2J")
    shot = "stop-keeping-refused-offscreen.png"
    assert boxes_during(dialog.ok_button.click, shot) == [
        (Qt.TextFormat.PlainText, "The reason must not contain control characters.")
    ]
    assert releases(window) == [] and controller.release_action.isVisible()

    dialog = controller.stop_keeping(sid)
    assert dialog is not None
    dialog.reason.setText("appeal withdrawn")
    dialog.ok_button.click()
    # Due again on the promised day, inside the week: the banner says so, unmarked.
    qtbot.waitUntil(controller.banner.isVisible)
    assert controller.banner.text.text() == (
        f"Erased within 7 days, as each candidate was told: {NAME} <{EMAIL}> on"
        " 1\u00a0Dec\u00a02026."
    )
    assert not controller.banner.release_button.isVisible()
    assert not controller.release_action.isVisible()
    assert window.statusBar().currentMessage() == (
        "No longer kept longer: erased on 1\u00a0Dec\u00a02026, as they were told."
    )
    assert releases(window) == [
        (window.current_reviewer_id, {"holds": [1]})  # no reason, nor its hash (s11a N3)
    ]
    rows = window.service.library.db.execute("SELECT * FROM audit_log").fetchall()
    assert not [r for r in rows if "appeal withdrawn" in repr(r)]
    # Nothing to stop any more: the service's sentence, no dialog.
    assert boxes_during(lambda: controller.stop_keeping(sid), shot) == [
        (Qt.TextFormat.PlainText, NOT_HELD)
    ]

    # Kept two days longer than they were told: the banner marks it and offers to stop.
    dialog = controller.keep_longer(sid)
    assert dialog is not None
    dialog.until.setDate(dialog.until.minimumDate().addDays(4))  # 3 Dec 2026
    dialog.reason.setText("second interview")
    dialog.ok_button.click()
    qtbot.waitUntil(controller.banner.release_button.isVisible)
    assert controller.banner.text.text().endswith(
        "on 3\u00a0Dec\u00a02026 (kept longer than they were told)."
    )
    save(window, "banner-stop-keeping-offscreen.png")
    dialog = controller.stop_keeping(None)  # the banner's button
    assert dialog is not None and dialog.candidate.count() == 1
    dialog.reason.setText("no second interview")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not controller.banner.release_button.isVisible())
    assert "kept longer" not in controller.banner.text.text()
    assert len(releases(window)) == 2
    window.close()


def test_past_the_promised_date_they_are_erased_at_the_next_start(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, sid = due_within_the_week(tmp_path, monkeypatch)
    hold(service, sid)
    folder = service.library.submissions.get(sid).folder
    service.close()
    clock().advance(timedelta(days=12).total_seconds())  # 10 Dec 2026: kept by the hold

    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller._started)
    assert controller.startup_box is None  # nobody is due: the hold keeps them
    select(qtbot, window, sid)
    dialog = controller.stop_keeping(sid)
    assert dialog is not None
    then = dialog.then.text()
    # Review s11a N2: not "the next time the window opens": any reader, or the hourly check.
    assert then == (
        "Soon, by the next command that lists or uses candidates (such as 'onetake library"
        " list'), the reviewer window's hourly check, or 'onetake library expire': the date"
        " they were told, 1\u00a0Dec\u00a02026, has passed."
    )
    after = controller.service.release_preview(sid)
    assert after.overdue and after.erase_at is not None
    assert then.endswith(f" {day_text(after.erase_at)}, has passed.")
    dialog.reason.setText("claim settled")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: controller.overdue_box is not None)
    box = controller.overdue_box
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == "The date they were told, 1\u00a0Dec\u00a02026, has passed."
    assert box.informativeText() == (
        "They are erased by the next command that lists or uses candidates (such as 'onetake"
        " library list'), the reviewer window's hourly check, or 'onetake library expire':"
        " recordings, scores and notes."
    )
    save(box, "stop-keeping-overdue-offscreen.png")
    box.button(QMessageBox.StandardButton.Ok).click()
    assert folder.is_dir() and NAME in candidate_names(window)  # said, not yet done
    window.close()

    window = open_window(qtbot)  # the next start erases them, after saying so
    controller = window.privacy  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller.startup_box is not None)
    startup = controller.startup_box
    assert startup.text() == "1 candidate reached the end of the time their answers are kept."
    startup.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))
    assert not folder.exists()
    window.close()


def test_on_a_panel_only_the_chair_stops_keeping_a_candidate_longer(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hold's rule: a panelist who is not the chair sees why in the menu and gets the
    sentence from the menu, the context menu's action and the banner instead of the dialog;
    a dialog confirmed behind a switch of panelist, or after the panel locked, is refused by
    the service. Nothing is lifted for them; the chair lifts it."""
    from onetake_desktop.ui.tasks import set_synchronous

    service, sid = due_within_the_week(tmp_path, monkeypatch)
    people = chair_and_panelist(service)
    service.close()

    set_synchronous(True)
    try:
        window = open_window(qtbot)
        controller = window.privacy  # type: ignore[attr-defined]
        sign_in(qtbot, window, people, "Ana")
        select(qtbot, window, sid)
        dialog = controller.keep_longer(sid)
        assert dialog is not None
        dialog.until.setDate(dialog.until.minimumDate().addDays(4))  # 3 Dec: in the banner
        dialog.reason.setText("second interview")
        dialog.ok_button.click()
        qtbot.waitUntil(controller.banner.release_button.isVisible)
        behind = controller.stop_keeping(sid)  # the chair opens it, then leaves
        assert behind is not None
        behind.reason.setText("withdrawn")
        behind.reject()

        sign_in(qtbot, window, people, "Ben")
        select(qtbot, window, sid)
        refused = "Keeping a candidate longer is for the panel's chair, Ana."
        controller.refresh_actions()
        assert controller.release_action.isVisible()
        assert controller.release_action.statusTip() == refused
        assert controller.release_action.toolTip() == plain_tooltip(refused)
        plain, shot = (Qt.TextFormat.PlainText, refused), "stop-keeping-refused-offscreen.png"
        assert boxes_during(lambda: controller.stop_keeping(sid), shot) == [plain]
        assert boxes_during(controller.banner.release_button.click, shot) == [plain]
        assert boxes_during(controller.release_action.trigger, shot) == [plain]
        assert boxes_during(lambda: controller._release(behind), shot) == [plain]
        assert controller.release_dialog is behind  # no new dialog was opened for Ben

        window.service.scoring.lock()  # nobody signed in
        assert boxes_during(lambda: controller._release(behind), shot) == [
            (Qt.TextFormat.PlainText, "Sign in as Ben first.")
        ]
        assert releases(window) == []
        assert len(controller.service.running_holds(sid)) == 1

        sign_in(qtbot, window, people, "Ana")
        select(qtbot, window, sid)
        dialog = controller.stop_keeping(sid)
        assert dialog is not None
        dialog.reason.setText("withdrawn")
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: not controller.banner.release_button.isVisible())
        assert [actor for actor, _details in releases(window)] == [people["Ana"]]
        assert controller.service.running_holds(sid) == []
        # Ana's hold and release rows are signed: her next sign-in finds nothing amiss.
        assert (
            window.service.scoring.tamper_findings(
                people["Ana"], window.service.actor_for(people["Ana"]).key
            )
            == []
        )
        window.close()
    finally:
        set_synchronous(False)


def test_the_context_menu_offers_stop_keeping_only_while_a_hold_runs(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, sid = due_within_the_week(tmp_path, monkeypatch)
    service.close()
    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    select(qtbot, window, sid)
    shown: list[list[str]] = []

    def popup(menu: QMenu, *_args: object) -> None:
        shown.append([a.text() for a in menu.actions()])

    monkeypatch.setattr(QMenu, "popup", popup)
    index = window.tree.currentIndex()
    pos = window.tree.visualRect(index).center()
    controller._context_menu(pos)
    hold(window.service, sid)
    controller._context_menu(pos)
    assert shown == [
        ["&Keep candidate longer…", "E&rase candidate…"],
        ["&Keep candidate longer…", "&Stop keeping candidate longer…", "E&rase candidate…"],
    ]
    window.close()


def test_blind_mode_hides_the_name_in_stop_keeping_longer(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, sid = due_within_the_week(tmp_path, monkeypatch)
    hold(service, sid, until=date(2026, 12, 3))  # in the banner, marked kept longer
    SqlitePanel(service.library.db).set_setting("blind_mode", "1")
    service.close()
    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    code = window.blind_codes()[sid]
    qtbot.waitUntil(controller.banner.release_button.isVisible)
    banner = controller.banner.text.text() + controller.banner.text.toolTip()
    assert code in banner and NAME not in banner and EMAIL not in banner
    dialog = controller.stop_keeping(None)
    assert dialog is not None
    assert dialog.candidate.currentText() == code
    texts = "\n".join(label.text() for label in plain_labels(dialog))
    assert NAME not in texts and EMAIL not in texts
    dialog.reject()
    window.close()


def test_a_candidate_with_no_expiry_yet_is_told_so_in_the_dialogs(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their interview's definition is not in the library: no date to show, so "Keep
    longer" and "Stop keeping longer" say why in a sentence (no '?'), and so does the
    status line after."""
    service, _sid = due_within_the_week(tmp_path, monkeypatch)
    unknown = definition("not-in-the-library", 30)
    sid = import_one(
        service, make_bundle(tmp_path / "c.onetake", "Grace Hopper", definition=unknown)
    )
    assert PrivacyService(service.library).candidate(sid).erase_at is None
    service.close()

    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller._started)
    select(qtbot, window, sid)
    sentence = UNDATED[0].upper() + UNDATED[1:]
    assert sentence == (
        "No erasure date yet: it is set when their interview's definition is added to the library"
    )
    keep = controller.keep_longer(sid)
    assert keep is not None
    assert keep.due.text() == sentence
    keep.reason.setText("appeal pending")
    keep.ok_button.click()
    qtbot.waitUntil(lambda: bool(controller.service.running_holds(sid)))

    dialog = controller.stop_keeping(sid)
    assert dialog is not None
    assert dialog.then.text() == sentence
    texts = "\n".join(label.text() for label in plain_labels(dialog))
    assert "?" not in texts
    save(dialog, "stop-keeping-undated-offscreen.png")
    dialog.reason.setText("appeal withdrawn")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not controller.service.running_holds(sid))
    assert window.statusBar().currentMessage() == f"No longer kept longer: {UNDATED}."
    assert controller.overdue_box is None
    window.close()


def test_a_hold_lifted_elsewhere_while_the_dialog_is_open_gets_the_services_sentence(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'library release' (another connection) lifts the hold while the dialog is open: its
    OK gets NOT_HELD in a plain box, never a database error; one release is audited. A
    candidate erased meanwhile gets the window's sentence for that instead of a dialog."""
    from onetake_desktop.services.reviewer import open_reviewer_service

    service, sid = due_within_the_week(tmp_path, monkeypatch)
    hold(service, sid)
    service.close()
    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    select(qtbot, window, sid)
    dialog = controller.stop_keeping(sid)
    assert dialog is not None
    dialog.reason.setText("appeal withdrawn")
    other = open_reviewer_service(window.service.library.root)
    try:
        PrivacyService(other.library, clock()).release(
            other.actor_for(other.default_reviewer.id), submission_id=sid, reason="withdrawn"
        )
    finally:
        other.close()
    shot = "stop-keeping-lifted-elsewhere-offscreen.png"
    assert boxes_during(dialog.ok_button.click, shot) == [(Qt.TextFormat.PlainText, NOT_HELD)]
    assert len(releases(window)) == 1
    # The window names only candidates it listed: one it cannot find was erased meanwhile.
    assert boxes_during(lambda: controller.stop_keeping(sid + 40), shot) == [
        (Qt.TextFormat.PlainText, ERASED_MEANWHILE)
    ]
    window.close()
