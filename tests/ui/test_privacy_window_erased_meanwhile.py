"""The reviewer window's erase, keep-longer and stop-keeping dialogs when another OneTake on
the same library (a second connection: 'library erase' in a terminal, the other laptop's
window) erased the candidate meanwhile: one plain sentence, the list refreshed, nothing
raised, nothing written. Real bundles, a real SQLite library, a real window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.paths import app_paths
from onetake_desktop.services.privacy import PrivacyService
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.storage.panel import SqlitePanel
from onetake_desktop.ui.reviewer.privacy import ERASED_MEANWHILE
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.pipeline.library_bundles import make_bundle
from tests.ui.test_privacy_window import (
    EMAIL,
    NAME,
    boxes_during,
    candidate_names,
    definition,
    due_within_the_week,
    import_one,
    open_window,
)

ELSEWHERE = "Grace Hopper"


def erase_elsewhere(sid: int) -> None:
    """Another OneTake on the library erases the candidate: its own connection."""
    other = open_reviewer_service(app_paths().ensure().library)
    try:
        PrivacyService(other.library, ManualClock()).erase(
            other.actor_for(other.default_reviewer.id), submission_ids=[sid]
        )
    finally:
        other.close()


def audit_actions(window: ReviewerWindow) -> list[str]:
    return [e.action for e in SqlitePanel(window.service.library.db).audit_entries()]


def one_plain_sentence(
    qtbot: QtBot, window: ReviewerWindow, action: Callable[[], object], shot: str
) -> None:
    """``action`` shows exactly ERASED_MEANWHILE as plain text, and the list then lacks them."""
    assert boxes_during(action, shot) == [(Qt.TextFormat.PlainText, ERASED_MEANWHILE)]
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReviewerWindow:
    service, sid = due_within_the_week(tmp_path, monkeypatch)
    service.close()
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.privacy._started)  # type: ignore[attr-defined]
    assert NAME in candidate_names(window)
    window.test_sid = sid  # type: ignore[attr-defined]
    return window


def test_the_erase_dialog_after_an_erasure_elsewhere(qtbot: QtBot, window: ReviewerWindow) -> None:
    sid: int = window.test_sid  # type: ignore[attr-defined]
    controller = window.privacy  # type: ignore[attr-defined]
    window.show_answer(window.service.answers(sid)[0].id)
    qtbot.waitUntil(lambda: window.current_submission_id == sid)
    dialog = controller.erase_selected()
    assert dialog is not None and dialog.isVisible()
    erase_elsewhere(sid)
    before = audit_actions(window)
    one_plain_sentence(qtbot, window, dialog.erase_button.click, "erased-meanwhile-erase.png")
    assert audit_actions(window) == before  # nothing more was written
    assert window.current_submission_id is None  # their answer left the screen


def test_the_keep_longer_dialog_after_an_erasure_elsewhere(
    qtbot: QtBot, window: ReviewerWindow
) -> None:
    sid: int = window.test_sid  # type: ignore[attr-defined]
    controller = window.privacy  # type: ignore[attr-defined]
    dialog = controller.keep_longer(sid)
    assert dialog is not None and dialog.isVisible()
    erase_elsewhere(sid)
    dialog.reason.setText("appeal pending")
    before = audit_actions(window)
    one_plain_sentence(qtbot, window, dialog.ok_button.click, "erased-meanwhile-hold.png")
    assert audit_actions(window) == before
    # Asked again for the candidate the window still had selected: the same sentence.
    assert boxes_during(lambda: controller.keep_longer(sid), "erased-meanwhile-again.png") == [
        (Qt.TextFormat.PlainText, ERASED_MEANWHILE)
    ]


def test_the_stop_keeping_dialog_after_an_erasure_elsewhere(
    qtbot: QtBot, window: ReviewerWindow
) -> None:
    sid: int = window.test_sid  # type: ignore[attr-defined]
    controller = window.privacy  # type: ignore[attr-defined]
    PrivacyService(window.service.library, ManualClock()).hold(
        window.service.actor_for(window.service.default_reviewer.id),
        submission_id=sid,
        until=date(2027, 1, 31),
        reason="appeal pending",
    )
    dialog = controller.stop_keeping(sid)
    assert dialog is not None and dialog.isVisible()
    erase_elsewhere(sid)
    dialog.reason.setText("appeal withdrawn")
    before = audit_actions(window)
    one_plain_sentence(qtbot, window, dialog.ok_button.click, "erased-meanwhile-release.png")
    assert audit_actions(window) == before
    assert boxes_during(lambda: controller.stop_keeping(sid), "erased-meanwhile-again.png") == [
        (Qt.TextFormat.PlainText, ERASED_MEANWHILE)
    ]


def test_the_erase_dialog_when_one_of_two_interviews_went_elsewhere(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s12b #4: a person with two interviews, one erased elsewhere while the dialog
    was open. The window said the candidate was erased meanwhile and nothing was done, while
    their other interview stayed. Now the rest is erased and one sentence says what
    happened."""
    import json

    service, first = due_within_the_week(tmp_path, monkeypatch)
    later = definition("support-followup", 90)
    service.add_definition(later)
    second = import_one(service, make_bundle(tmp_path / "b.onetake", NAME, EMAIL, definition=later))
    import_one(service, make_bundle(tmp_path / "c.onetake", ELSEWHERE))
    folder = Path(service.library.submissions.get(second).folder)
    assert folder.is_dir()
    service.close()
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.privacy._started)  # type: ignore[attr-defined]
    assert candidate_names(window).count(NAME) == 2
    window.show_answer(window.service.answers(second)[0].id)
    qtbot.waitUntil(lambda: window.current_submission_id == second)
    dialog = window.privacy.erase_selected()  # type: ignore[attr-defined]
    assert dialog is not None and dialog.isVisible()
    erase_elsewhere(first)

    shot = "erased-meanwhile-one-of-two.png"
    assert boxes_during(dialog.erase_button.click, shot) == [
        (
            Qt.TextFormat.PlainText,
            "One of their interviews had already been erased (by another OneTake on this "
            "library, or at the end of their retention); the rest is erased now.",
        )
    ]
    qtbot.waitUntil(lambda: NAME not in candidate_names(window))
    assert candidate_names(window) == [ELSEWHERE]
    assert window.current_submission_id is None  # their answer left the screen
    assert not folder.exists()
    erased = [
        json.loads(e.details)["submissions"]
        for e in SqlitePanel(window.service.library.db).audit_entries()
        if e.action == "erased"
    ]
    assert erased == [[first], [second]]  # elsewhere, then this window: each its own


def erase_and_import_elsewhere(sid: int, bundle: Path) -> int:
    """Another OneTake erases the newest candidate and imports someone else, who takes the
    freed id again (ids are rowids without AUTOINCREMENT)."""
    erase_elsewhere(sid)
    other = open_reviewer_service(app_paths().ensure().library)
    try:
        return import_one(other, make_bundle(bundle, NEWCOMER))
    finally:
        other.close()


NEWCOMER = "Dora Newcomer"


@pytest.mark.parametrize("decision", ["keep longer", "stop keeping"])
def test_a_dialog_never_decides_for_whoever_took_the_id_again(
    qtbot: QtBot, window: ReviewerWindow, tmp_path: Path, decision: str
) -> None:
    """Keep longer and Stop keeping longer name one submission id; with the candidate erased
    elsewhere while the dialog was open and a new import given the same id, the window held
    (or released) the newcomer and said "Kept until ...". Now it is the person the dialog
    read or nobody: the erased-meanwhile sentence, the newcomer untouched."""
    sid: int = window.test_sid  # type: ignore[attr-defined]
    controller = window.privacy  # type: ignore[attr-defined]
    privacy = PrivacyService(window.service.library, ManualClock())
    lone = window.service.actor_for(window.service.default_reviewer.id)
    if decision == "keep longer":
        dialog = controller.keep_longer(sid)
    else:
        privacy.hold(lone, submission_id=sid, until=date(2027, 1, 31), reason="appeal pending")
        dialog = controller.stop_keeping(sid)
    assert dialog is not None and dialog.isVisible()
    newcomer = erase_and_import_elsewhere(sid, tmp_path / "d.onetake")
    assert newcomer == sid
    if decision == "stop keeping":  # the newcomer has a hold of their own, not to be lifted
        privacy.hold(lone, submission_id=newcomer, until=date(2027, 3, 31), reason="their own")
    dialog.reason.setText("appeal settled")
    before = audit_actions(window)
    holds_before = privacy.holds(newcomer)
    one_plain_sentence(qtbot, window, dialog.ok_button.click, f"reused-id-{decision}.png")
    assert audit_actions(window) == before
    assert privacy.holds(newcomer) == holds_before
    assert all(h.released_at is None for h in holds_before)
    qtbot.waitUntil(lambda: NEWCOMER in candidate_names(window))
