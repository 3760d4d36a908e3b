"""Erasure and retention in the reviewer window: real bundles, a real library, real dialogs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.kit import InterviewDefinition
from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from onetake_desktop.storage.panel import SqlitePanel
from onetake_desktop.ui.reviewer import privacy as privacy_ui
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.widgets.plain import plain_tooltip
from tests.pipeline.library_bundles import demo_definition, make_bundle

SCREENS = Path(os.environ.get("ONETAKE_SHOTS", "/work/shots/privacy"))
NAME = "Zebulon Quixotefar"
EMAIL = "zq.erase-me@example.org"


def definition(interview_id: str, retention_days: int) -> InterviewDefinition:
    d = demo_definition()
    return replace(d, kit=d.kit._replace(interview_id=interview_id, retention_days=retention_days))


def import_one(service: ReviewerService, bundle: Path) -> int:
    (outcome,) = service.import_paths([bundle]).outcomes
    assert outcome.status == "imported" and outcome.submission_id is not None, outcome.reason
    return outcome.submission_id


def open_window(qtbot: QtBot) -> ReviewerWindow:
    window = ReviewerWindow(open_reviewer_service(app_paths().ensure().library))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def save(widget: object, name: str) -> None:
    QTest.qWait(50)
    if SCREENS.parent.exists():
        SCREENS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SCREENS / name))  # type: ignore[attr-defined]


def candidate_names(window: ReviewerWindow) -> list[str]:
    out: list[str] = []
    for i in range(window.model.rowCount()):
        out += [name for name, _status in window.candidate_rows(i)]
    return out


def plain_labels(widget: object) -> list[QLabel]:
    labels = widget.findChildren(QLabel)  # type: ignore[attr-defined]
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels if label.text())
    return [label for label in labels if label.text()]


def due_within_the_week(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = NAME, email: str | None = EMAIL
) -> tuple[ReviewerService, int]:
    """One candidate kept 30 days (erased on 1 Dec 2026) and the windows' clock on 28 Nov
    2026, inside the week's warning: the open service and the submission id."""
    clock = ManualClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(privacy_ui, "default_clock", lambda: clock)
    month = definition("thirty-days", 30)
    service = open_reviewer_service(app_paths().ensure().library)
    service.add_definition(month)
    return service, import_one(
        service, make_bundle(tmp_path / "a.onetake", name, email, definition=month)
    )


def chair_and_panelist(service: ReviewerService) -> dict[str, int]:
    """A panel of Ana (the chair) and Ben on this library, locked; their reviewer ids."""
    from argon2 import PasswordHasher

    from onetake_desktop.services.panel import PanelService

    panel = PanelService(
        service.library, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    )
    people = {
        "Ana": panel.create_panelist("Ana", "ana passphrase", chair=True).reviewer_id,
        "Ben": panel.create_panelist("Ben", "ben passphrase").reviewer_id,
    }
    panel.lock()
    return people


def sign_in(qtbot: QtBot, window: ReviewerWindow, people: dict[str, int], name: str) -> None:
    """Switch to this panelist at the window's lock screen (passphrase: their name's)."""
    window.panel.switch_to(people[name])
    lock = window.panel.lock_screen
    lock.passphrase.setText(f"{name.lower()} passphrase")
    lock.sign_in_button.click()
    qtbot.waitUntil(lambda: window.current_reviewer_id == people[name])


def boxes_during(action: Callable[[], object], shot: str) -> list[tuple[Qt.TextFormat, str]]:
    """The (format, text) of each message box ``action`` opens (answered at once)."""
    seen: list[tuple[Qt.TextFormat, str]] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.textFormat(), box.text()))
        save(box, shot)
        box.done(0)

    QTimer.singleShot(0, look)
    action()
    return seen


def test_erase_candidate_from_the_window(
    qtbot: QtBot, tmp_path: Path, onetake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(datetime(2026, 11, 29, 16, 0, tzinfo=UTC))
    monkeypatch.setattr(privacy_ui, "default_clock", lambda: clock)
    service = open_reviewer_service(app_paths().ensure().library)
    second = definition("support-followup", 90)
    service.add_definition(second)
    first = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
    again = import_one(service, make_bundle(tmp_path / "b.onetake", NAME, EMAIL, definition=second))
    import_one(service, make_bundle(tmp_path / "c.onetake", "Grace Hopper"))
    me = service.actor_for(service.default_reviewer.id)
    for a in service.answers(first):
        service.save_score(me, answer_id=a.id, score=3, note=f"{NAME} was clear")
    service.submit_candidate(me, submission_id=first)
    folders = [service.library.submissions.get(s).folder for s in (first, again)]
    service.close()

    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    (file_menu,) = [m for m in window.menuBar().findChildren(QMenu) if m.title() == "&File"]
    assert {controller.erase_action, controller.hold_action} <= set(file_menu.actions())
    assert window.tree.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    assert sorted(candidate_names(window)) == sorted([NAME, NAME, "Grace Hopper"])
    window.show_answer(window.service.answers(first)[0].id)
    qtbot.waitUntil(lambda: window.current_submission_id == first)

    dialog = controller.erase_selected()
    assert dialog is not None and dialog.isVisible()
    texts = "\n".join(label.text() for label in plain_labels(dialog))
    assert f"Erase {NAME} <{EMAIL}>?" in texts
    # Both interviews (here the same role title twice), each named.
    assert "From 2 interviews:" in texts
    assert texts.count("Customer Support Specialist (v2026.11), imported") == 2
    assert "6 answers with 4 recordings" in texts and "3 scores (3 submitted)" in texts
    assert "This cannot be undone." in texts
    assert dialog.cancel_button.isDefault() and not dialog.erase_button.isDefault()
    save(dialog, "erase-dialog-offscreen.png")
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert all(f.is_dir() for f in folders)
    assert candidate_names(window).count(NAME) == 2

    dialog = controller.erase_selected()
    assert dialog is not None
    dialog.erase_button.click()
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))
    assert candidate_names(window) == ["Grace Hopper"]
    assert not any(f.exists() for f in folders)
    assert window.current_submission_id is None  # the erased answers left the screen
    erased = [
        e for e in SqlitePanel(window.service.library.db).audit_entries() if e.action == "erased"
    ]
    assert [e.actor_id for e in erased] == [me.reviewer_id]
    assert sorted(json.loads(erased[0].details)["submissions"]) == sorted([first, again])
    assert all(NAME not in e.details and EMAIL not in e.details for e in erased)
    # With the window (and its database connection) still open, no file under the app's
    # folders holds the name or the email any more.
    for path in onetake_home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for text in (NAME, EMAIL):
                for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                    assert text.encode(encoding) not in data, (path, text, encoding)
    # Their bundles imported again in the window are skipped, each with one line in the
    # import's box (why the files chosen did not come in); nothing of them comes back (review
    # s11 H2). Skipped on purpose, not refused (review s11a M2).
    window.import_paths([tmp_path / "a.onetake", tmp_path / "b.onetake"])
    qtbot.waitUntil(lambda: not window.importing, timeout=30_000)
    sentence = "This bundle belongs to a candidate erased on 2026-11-29; it is not imported again."
    lines = [window.refused_list.item(i).text() for i in range(window.refused_list.count())]
    assert lines == [f"a.onetake: {sentence}", f"b.onetake: {sentence}"]
    assert window.import_box.isVisible()
    assert window.import_title.text() == (
        "Import finished: 0 imported, 2 skipped (their candidates were erased)."
    )
    assert candidate_names(window) == ["Grace Hopper"]
    save(window, "erased-bundle-refused.png")
    window.close()


def test_retention_banner_startup_erasure_and_keep_longer(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(privacy_ui, "default_clock", lambda: clock)
    month, day = definition("thirty-days", 30), definition("one-day", 1)
    service = open_reviewer_service(app_paths().ensure().library)
    for d in (month, day):
        service.add_definition(d)
    soon = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL, definition=month))
    import_one(service, make_bundle(tmp_path / "b.onetake", "Grace Hopper"))  # 180 days
    due = import_one(service, make_bundle(tmp_path / "c.onetake", "Alan Turing", definition=day))
    due_folder = service.library.submissions.get(due).folder
    service.close()

    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    # At start-up: first the message, then the erasure (only once it has been said).
    qtbot.waitUntil(lambda: controller.startup_box is not None)
    box = controller.startup_box
    qtbot.waitUntil(box.isVisible)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == "1 candidate reached the end of the time their answers are kept."
    assert box.informativeText().startswith(
        "When they recorded, they were told their answers would be kept for the interview's "
        "retention period and then deleted, so they are erased now"
    )
    assert due_folder.is_dir() and "Alan Turing" in candidate_names(window)
    save(window, "startup-expiry-offscreen.png")
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "Alan Turing" not in candidate_names(window))
    assert not due_folder.exists()
    # The kit's promise kept, nobody's request: audited as retention, with no actor.
    (gone,) = [
        e for e in SqlitePanel(window.service.library.db).audit_entries() if e.action == "erased"
    ]
    assert gone.actor_id is None and json.loads(gone.details)["reason_code"] == "retention"

    # The week-ahead warning names who goes when.
    banner = controller.banner
    assert banner.isVisible()
    assert banner.text.textFormat() == Qt.TextFormat.PlainText
    assert banner.text.text() == (
        f"Erased within 7 days, as each candidate was told: {NAME} <{EMAIL}> on"
        " 1\u00a0Dec\u00a02026."
    )
    save(window, "retention-banner-offscreen.png")
    # Tab reaches its buttons after the panes and before the panel's lock screen, as when the
    # banner was made with the window (it is made with the first candidate due: issue 17).
    ring = window._tab_ring()
    buttons = [w for w in ring if banner.isAncestorOf(w)]
    first = ring.index(buttons[0])
    assert ring[first : first + len(buttons)] == buttons
    assert ring[first - 1] is window.pin_notes.pins
    # A lone reviewer's lock screen is made when first asked for (issue 17): before the
    # panelist switch until then, and when made, its widgets go between the banner and it.
    assert window.panel.made_lock_screen is None
    assert ring[first + len(buttons)] is window.panel.switch
    lock_screen = window.panel.lock_screen
    ring = window._tab_ring()
    first = ring.index(buttons[0])
    assert ring[first : first + len(buttons)] == buttons
    assert lock_screen.isAncestorOf(ring[first + len(buttons)])
    after = next(w for w in ring[first + len(buttons) :] if not lock_screen.isAncestorOf(w))
    assert after is window.panel.switch

    # Keep longer: a reason is required, and the hold is audited.
    dialog = controller.keep_longer(None)
    assert dialog is not None and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()
    dialog.until.setDate(QDate(2027, 1, 31))
    dialog.reason.setText("appeal pending")
    assert dialog.ok_button.isEnabled()
    save(dialog, "keep-longer-offscreen.png")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not banner.isVisible())
    holds = window.privacy.service.holds(soon)  # type: ignore[attr-defined]
    assert [(h.until.date(), h.reason) for h in holds] == [(date(2027, 1, 31), "appeal pending")]
    (entry,) = [
        e
        for e in SqlitePanel(window.service.library.db).audit_entries()
        if e.action == "retention_hold"
    ]
    # The reason stays with the hold: the audit log keeps no text about the candidate, nor
    # its hash (review s11a N3).
    assert json.loads(entry.details) == {"until": "2027-01-31"}
    assert entry.actor_id == window.current_reviewer_id
    window.close()


def test_blind_mode_hides_names_in_the_erase_dialog_and_the_banner(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, sid = due_within_the_week(tmp_path, monkeypatch)
    SqlitePanel(service.library.db).set_setting("blind_mode", "1")
    service.close()

    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    code = window.blind_codes()[sid]
    assert code and NAME not in code
    qtbot.waitUntil(controller.banner.isVisible)  # filled right after the first paint
    assert code in controller.banner.text.text()
    assert NAME not in controller.banner.text.text() and EMAIL not in controller.banner.text.text()
    window.show_answer(window.service.answers(sid)[0].id)
    dialog = controller.erase_selected()
    assert dialog is not None
    texts = "\n".join(label.text() for label in plain_labels(dialog))
    assert f"Erase {code}?" in texts and NAME not in texts and EMAIL not in texts
    dialog.reject()
    hold = controller.keep_longer(sid)
    assert hold is not None
    assert hold.candidate.currentText() == code
    hold.reject()
    window.close()


def test_the_retention_banner_is_one_line_that_leaves_the_player_its_buttons(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 1366x768 x1.5 (911x512 logical) two wrapped lines of banner clipped the player's
    buttons: the banner is one line cut to the width, the whole sentence in a plain tooltip."""
    long_name = "Maximiliana <b>Wolfeschlegelsteinhausenbergerdorff</b> Featherstonehaugh"
    service, sid = due_within_the_week(tmp_path, monkeypatch, long_name, None)
    service.close()

    window = open_window(qtbot)
    window.resize(911, 512)
    controller = window.privacy  # type: ignore[attr-defined]
    label = controller.banner.text
    qtbot.waitUntil(controller.banner.isVisible)
    window.show_answer(window.service.answers(sid)[0].id)
    save(window, "retention-banner-911x512.png")
    sentence = label.text()
    assert sentence.startswith("Erased within 7 days") and long_name in sentence  # whole
    assert label.textFormat() == Qt.TextFormat.PlainText
    one_line = 2 * label.fontMetrics().height()
    assert label.sizeHint().height() < one_line and label.minimumSizeHint().height() < one_line
    assert label.wordWrap() is False
    assert label.is_elided() and label.shown_text().endswith("…")
    assert label.toolTip() == plain_tooltip(sentence)  # the whole sentence, as typed
    assert "<b>" not in label.toolTip()  # escaped: shown as the characters typed
    controls = window.player.controls
    assert controls.height() >= controls.minimumSizeHint().height()  # buttons not clipped
    assert window.player.play_button.visibleRegion().boundingRect().height() == (
        window.player.play_button.height()
    )
    window.close()


def test_erase_error_names_the_candidate_as_plain_text(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, onetake_home: Path
) -> None:
    """An error that names a candidate or a file is shown as typed, never as rich text."""
    service = open_reviewer_service(app_paths().ensure().library)
    hostile = "<b>Panel: approved</b>"
    first = import_one(service, make_bundle(tmp_path / "a.onetake", hostile, EMAIL))
    service.close()
    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    window.show_answer(window.service.answers(first)[0].id)
    qtbot.waitUntil(lambda: window.current_submission_id == first)

    def refuse(_ids: list[int]) -> object:
        raise OneTakeError(f"{hostile} cannot be erased from <i>a.onetake</i>.")

    monkeypatch.setattr(controller.service, "plan", refuse)
    seen: list[tuple[Qt.TextFormat, str]] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.textFormat(), box.text()))
        box.done(0)

    QTimer.singleShot(0, look)
    assert controller.erase_selected() is None
    assert seen == [(Qt.TextFormat.PlainText, f"{hostile} cannot be erased from <i>a.onetake</i>.")]
    window.close()


def test_on_a_panel_only_the_chair_erases_from_the_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window asks the policy: a panelist who is not the chair sees why in the menu and
    gets the service's sentence instead of the dialog; even a confirmed erasure that reaches
    the service for them (a switch of panelist behind an open dialog) is refused there."""
    from onetake_desktop.ui.tasks import set_synchronous

    service = open_reviewer_service(app_paths().ensure().library)
    sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
    folder = service.library.submissions.get(sid).folder
    people = chair_and_panelist(service)
    service.close()

    set_synchronous(True)
    try:
        window = open_window(qtbot)
        controller = window.privacy  # type: ignore[attr-defined]

        shot = "erase-refused-offscreen.png"
        sign_in(qtbot, window, people, "Ben")
        answer = window.service.answers(sid)[0].id
        window.show_answer(answer)
        qtbot.waitUntil(lambda: window.current_submission_id == sid)
        refused = "Erasing a candidate is for the panel's chair, Ana."
        controller.refresh_actions()
        assert controller.erase_action.statusTip() == refused
        assert boxes_during(controller.erase_selected, shot) == [(Qt.TextFormat.PlainText, refused)]
        assert controller.erase_dialog is None
        # Past the window's own check, the service still refuses.
        assert boxes_during(lambda: controller._erase([sid]), shot) == [
            (Qt.TextFormat.PlainText, refused)
        ]
        assert window.current_answer_id == answer  # a refusal lets go of nothing on screen
        assert folder.is_dir() and NAME in candidate_names(window)

        sign_in(qtbot, window, people, "Ana")
        controller.refresh_actions()
        assert controller.erase_action.statusTip().startswith("Erase the selected candidate")
        window.show_answer(window.service.answers(sid)[0].id)
        dialog = controller.erase_selected()
        assert dialog is not None
        dialog.erase_button.click()
        qtbot.waitUntil(lambda: NAME not in candidate_names(window))
        assert not folder.exists()
        erased = [
            e
            for e in SqlitePanel(window.service.library.db).audit_entries()
            if e.action == "erased"
        ]
        assert [e.actor_id for e in erased] == [people["Ana"]]
        window.close()
    finally:
        set_synchronous(False)


def test_on_a_panel_only_the_chair_keeps_a_candidate_longer_from_the_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keeping a candidate past the date they were told is the policy's, as erasure is: a
    panelist who is not the chair sees why in the menu, gets the service's sentence from the
    menu and from the banner's Keep longer… instead of the dialog, and a dialog confirmed
    for them anyway (a switch of panelist behind it) is refused by the service: no hold, no
    audit row, and the banner still says when the candidate goes. The chair keeps them."""
    from onetake_desktop.ui.tasks import set_synchronous

    service, sid = due_within_the_week(tmp_path, monkeypatch)
    people = chair_and_panelist(service)
    service.close()

    def holds() -> list[tuple[int, int | None]]:
        db = window.service.library.db
        kept = db.execute("SELECT submission_id, reviewer_id FROM retention_holds").fetchall()
        audited = [e for e in SqlitePanel(db).audit_entries() if e.action == "retention_hold"]
        assert [(f"submission {s}", r) for s, r in kept] == [
            (e.subject, e.actor_id) for e in audited
        ]
        return [(int(s), r) for s, r in kept]

    set_synchronous(True)
    try:
        window = open_window(qtbot)
        controller = window.privacy  # type: ignore[attr-defined]

        # The chair opens the dialog, then leaves Ben at the laptop.
        sign_in(qtbot, window, people, "Ana")
        dialog = controller.keep_longer(sid)
        assert dialog is not None
        dialog.until.setDate(QDate(2027, 1, 31))
        dialog.reason.setText("appeal pending")
        dialog.reject()

        sign_in(qtbot, window, people, "Ben")
        qtbot.waitUntil(controller.banner.isVisible)
        refused = "Keeping a candidate longer is for the panel's chair, Ana."
        controller.refresh_actions()
        assert controller.hold_action.statusTip() == refused
        assert controller.hold_action.toolTip() == plain_tooltip(refused)
        plain, shot = (Qt.TextFormat.PlainText, refused), "keep-longer-refused-offscreen.png"
        assert boxes_during(lambda: controller.keep_longer(sid), shot) == [plain]
        assert boxes_during(controller.banner.keep_button.click, shot) == [plain]
        assert boxes_during(controller.hold_action.trigger, shot) == [plain]
        # Past the window's own check, the service still refuses.
        assert boxes_during(lambda: controller._hold(dialog), shot) == [plain]
        assert holds() == []
        assert controller.banner.isVisible()  # still erased on the promised day
        assert "1\u00a0Dec\u00a02026" in controller.banner.text.text()

        sign_in(qtbot, window, people, "Ana")
        controller.refresh_actions()
        # Not refused; nobody is selected here, so the tip says what to select.
        assert controller.hold_action.statusTip() == privacy_ui.SELECT_TO_KEEP
        dialog = controller.keep_longer(sid)
        assert dialog is not None
        dialog.until.setDate(QDate(2027, 1, 31))
        dialog.reason.setText("appeal pending")
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: not controller.banner.isVisible())
        assert holds() == [(sid, people["Ana"])]
        window.close()
    finally:
        set_synchronous(False)


def test_startup_expiry_erases_exactly_whom_it_announced(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start-up message counts who is due, the player lets go of their files, and exactly
    they are erased: someone who falls due while the message waits (or between letting go
    and erasing) stays until the next time, so their files are never deleted under the
    player."""
    service, announced = due_within_the_week(tmp_path, monkeypatch)
    later = definition("thirty-one-days", 31)  # falls due a day after the first
    service.add_definition(later)
    waiting = import_one(
        service, make_bundle(tmp_path / "b.onetake", "Grace Hopper", definition=later)
    )
    waiting_folder = service.library.submissions.get(waiting).folder
    service.close()
    clock = privacy_ui.default_clock()
    assert isinstance(clock, ManualClock)
    clock.advance(3 * 86400 + 3 * 3600)  # 1 Dec 2026 12:00: only the first is due

    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    let_go: list[list[int]] = []
    original = controller._let_go

    def let_go_then_time_passes(ids: list[int]) -> None:
        let_go.append(sorted(ids))
        original(ids)
        clock.advance(86400)  # the second is due by the time the erasure runs

    monkeypatch.setattr(controller, "_let_go", let_go_then_time_passes)
    qtbot.waitUntil(lambda: controller.startup_box is not None)
    box = controller.startup_box
    qtbot.waitUntil(box.isVisible)
    assert box.text() == "1 candidate reached the end of the time their answers are kept."
    clock.advance(3600)  # the message waits an hour for its OK
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))
    assert let_go == [[announced]]
    assert "Grace Hopper" in candidate_names(window) and waiting_folder.is_dir()
    assert [s.id for s in window.service.library.submissions.all()] == [waiting]
    window.close()


def test_keep_longer_is_greyed_out_until_a_candidate_is_selected(
    qtbot: QtBot, tmp_path: Path, onetake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walk s13 Low 7: with nobody selected, File > Keep candidate longer… opened a box that
    said only "Choose a candidate first."; now it is greyed out and its tip says what to do."""
    window = open_window(qtbot)  # an empty library: nobody to select
    controller = window.privacy  # type: ignore[attr-defined]
    (file_menu,) = [m for m in window.menuBar().findChildren(QMenu) if m.title() == "&File"]
    file_menu.aboutToShow.emit()  # what opening the menu does
    assert controller.selected_submission() is None
    assert not controller.hold_action.isEnabled()
    assert controller.hold_action.statusTip() == privacy_ui.SELECT_TO_KEEP
    assert controller.hold_action.toolTip() == plain_tooltip(privacy_ui.SELECT_TO_KEEP)
    boxes: list[str] = []  # (a box left open would block the test: recorded instead)
    with monkeypatch.context() as patched:  # (undo() would also drop ONETAKE_HOME)
        patched.setattr(QMessageBox, "information", lambda _w, _t, text: boxes.append(text))
        controller.hold_action.trigger()  # a greyed-out action does nothing
        controller.keep_longer(None)  # the banner's button, with nobody due: what to select
    assert boxes == [privacy_ui.SELECT_TO_KEEP]
    assert controller.hold_dialog is None
    window.close()

    service = open_reviewer_service(app_paths().ensure().library)
    sid = import_one(service, make_bundle(tmp_path / "a.onetake", NAME, EMAIL))
    service.close()
    window = open_window(qtbot)
    controller = window.privacy  # type: ignore[attr-defined]
    window.show_answer(window.service.answers(sid)[0].id)
    qtbot.waitUntil(lambda: window.current_submission_id == sid)
    (file_menu,) = [m for m in window.menuBar().findChildren(QMenu) if m.title() == "&File"]
    file_menu.aboutToShow.emit()
    assert controller.hold_action.isEnabled()
    assert controller.hold_action.statusTip().startswith("Keep the selected candidate")
    controller.hold_action.trigger()
    dialog = controller.hold_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reject()
    window.close()
