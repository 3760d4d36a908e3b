"""The panel window's people actions and the tamper warning at sign-in, on real windows.

People: rename and remove panelists, the lone reviewer's name, one's own passphrase. Tamper
evidence: a score edited by hand in the database file (triggers dropped, hash chain recomputed)
is reported to its owner, and only to its owner, when they sign in at the window.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.panel import GENESIS_HASH, audit_hash
from onetake_desktop.domain.search import fold
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.library import Library, open_library
from onetake_desktop.ui.panel.people import (
    ChangePassphraseDialog,
    PeopleDialog,
    TamperWarningDialog,
)
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import set_synchronous
from tests.ui.test_panel_window import (
    HASHER,
    PASS,
    make_library,
    score_elsewhere,
    shot,
    sign_in,
)


@pytest.fixture
def panel_library(tmp_path: Path) -> Iterator[tuple[Path, list[int], dict[str, int]]]:
    """A library file with Ana, Ben and Cleo; Ana and Ben have submitted every candidate."""
    set_synchronous(True)
    library, _, subs = make_library(tmp_path / "lib")
    service = PanelService(library, ManualClock(), hasher=HASHER)
    people = {n: service.create_panelist(n, p).reviewer_id for n, p in PASS.items()}
    library.close()
    for name in ("Ana", "Ben"):
        score_elsewhere(tmp_path / "lib", name, subs, submit=True)
    yield tmp_path / "lib", subs, people
    set_synchronous(False)


def open_window(qtbot: QtBot, root: Path) -> tuple[ReviewerWindow, Any, Library]:
    library = open_library(root)
    window = ReviewerWindow(
        ReviewerService(library),
        panel_service=PanelService(library, ManualClock(), hasher=HASHER),
    )
    qtbot.addWidget(window)
    window.resize(1320, 860)
    window.show()
    return window, window.panel, library


def edit_score_by_hand(root: Path, reviewer_id: int, new_score: int) -> None:
    """What someone with the file does: drop the guards, change the score and its audit row,
    recompute every hash of the chain and the stored head."""
    conn = sqlite3.connect(root / "onetake.sqlite3")
    conn.execute("DROP TRIGGER scores_submitted_immutable")
    conn.execute("DROP TRIGGER audit_log_no_update")
    answer_id = conn.execute(
        "SELECT MIN(answer_id) FROM scores WHERE reviewer_id = ?", (reviewer_id,)
    ).fetchone()[0]
    conn.execute(
        "UPDATE scores SET score = ? WHERE reviewer_id = ? AND answer_id = ?",
        (new_score, reviewer_id, answer_id),
    )
    rows = conn.execute(
        "SELECT seq, at, actor_id, action, subject, details FROM audit_log ORDER BY seq"
    ).fetchall()
    prev = GENESIS_HASH
    for seq, at, actor_id, action, subject, details in rows:
        parsed = json.loads(details)
        if actor_id == reviewer_id and action == "score" and parsed.get("answer") == answer_id:
            parsed["score"] = new_score
            details = json.dumps(parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        row_hash = audit_hash(prev, seq, at, actor_id, action, subject, details)
        conn.execute(
            "UPDATE audit_log SET details = ?, prev_hash = ?, row_hash = ? WHERE seq = ?",
            (details, prev, row_hash, seq),
        )
        prev = row_hash
    conn.execute(
        "UPDATE panel_settings SET value = ? WHERE key = 'audit_head'", (f"{rows[-1][0]}:{prev}",)
    )
    conn.commit()
    conn.close()


def test_a_hand_edited_score_is_reported_to_its_owner_at_sign_in(
    qtbot: QtBot,
    panel_library: tuple[Path, list[int], dict[str, int]],
    tmp_path: Path,
) -> None:
    root, _, people = panel_library
    edit_score_by_hand(root, people["Ana"], 5)
    window, panel, library = open_window(qtbot, root)
    assert panel.check_audit() is None  # the recomputed chain fools the chain check...

    sign_in(panel, people["Ben"], PASS["Ben"])
    assert panel.tamper_dialog is None  # ...Ben's rows are his and intact
    sign_in(panel, people["Ana"], PASS["Ana"])
    dialog = panel.tamper_dialog
    assert isinstance(dialog, TamperWarningDialog) and dialog.isVisible()  # ...Ana's are not
    text = dialog.findings.text()
    assert "Your score on q1 for Ada Lovelace (now 5) was changed by someone else." in text
    assert "rows were changed by someone else" in window.statusBar().currentMessage()
    shot(dialog, "tamper-warning", tmp_path)
    dialog.accept()
    window.close()
    library.close()


def test_people_dialog_renames_removes_and_names_the_lone_reviewer(
    qtbot: QtBot,
    panel_library: tuple[Path, list[int], dict[str, int]],
    tmp_path: Path,
) -> None:
    root, _, people = panel_library
    window, panel, library = open_window(qtbot, root)
    assert not panel.actions["people"].isEnabled()  # locked: nobody to ask
    sign_in(panel, people["Ana"], PASS["Ana"])
    assert panel.actions["people"].isEnabled()
    dialog = panel.open_people()
    assert isinstance(dialog, PeopleDialog) and dialog.isVisible()

    def listed() -> list[str]:
        return [dialog.list.item(i).text() for i in range(dialog.list.count())]

    assert listed() == ["Ana (you)", "Ben", "Cleo"]
    shot(dialog, "people-dialog", tmp_path)

    assert dialog.rename(people["Ben"], "Benedict")
    assert listed() == ["Ana (you)", "Benedict", "Cleo"] and not dialog.error.isVisible()
    dialog.list.setCurrentRow(2)
    assert not dialog.rename(people["Cleo"], "Benedict")  # names stay unique
    assert "already called Benedict" in dialog.error.text() and dialog.error.isVisible()
    assert dialog.list.currentRow() == 2  # a refusal moves nothing
    assert dialog.remove(people["Cleo"])
    assert listed() == ["Ana (you)", "Benedict"] and not dialog.error.isVisible()
    dialog.list.setCurrentRow(1)
    assert not dialog.set_lone_name("   ")
    assert dialog.error.isVisible() and dialog.error.text()
    assert dialog.set_lone_name("Dana Reviewer")
    assert not dialog.error.isVisible()
    assert dialog.list.currentRow() == 1  # the lone reviewer's name leaves the list alone
    shot(dialog, "people-dialog-after", tmp_path)
    dialog.accept()

    names = [p.name for p in panel.service.panelists()]
    assert names == ["Ana", "Benedict"] and panel.service.lone_reviewer_name() == "Dana Reviewer"
    # The switch and the lock screen offer exactly the panel's people now.
    panel.lock("Locked.")
    buttons = [b.text() for b in panel.lock_screen.group.buttons()]
    assert buttons == ["Ana", "Benedict"]
    ana = panel.service.sign_in(people["Ana"], PASS["Ana"])
    actions = [line.action for line in panel.service.audit_view(ana)]
    assert actions.count("panelist_renamed") == 1 and "panelist_removed" in actions
    assert "reviewer_renamed" in actions
    window.close()
    library.close()


def test_change_passphrase_dialog_re_keys_and_the_new_one_signs_in_cleanly(
    qtbot: QtBot,
    panel_library: tuple[Path, list[int], dict[str, int]],
    tmp_path: Path,
) -> None:
    root, _, people = panel_library
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Ben"], PASS["Ben"])
    dialog = panel.open_change_passphrase()
    assert isinstance(dialog, ChangePassphraseDialog) and dialog.isVisible()
    dialog.old.setText("not ben's")
    dialog.new.setText("a brand new passphrase")
    dialog.repeat.setText("a brand new passphrase")
    shot(dialog, "change-passphrase", tmp_path)
    dialog.change()
    assert dialog.isVisible() and "not Ben's passphrase" in dialog.error.text()
    dialog.old.setText(PASS["Ben"])
    dialog.repeat.setText("a different one")
    dialog.change()
    assert "differ" in dialog.error.text() and dialog.changed is None
    dialog.repeat.setText("a brand new passphrase")
    dialog.change()
    assert dialog.changed is not None and not dialog.isVisible()
    assert "Passphrase changed" in window.statusBar().currentMessage()

    panel.lock("Locked.")
    sign_in(panel, people["Ben"], PASS["Ben"])
    assert panel.lock_screen.isVisible()  # the old passphrase no longer works
    assert "not Ben's passphrase" in panel.lock_screen.error.text()
    panel.service.clock.advance(5)  # wait out the pause after a wrong passphrase
    sign_in(panel, people["Ben"], "a brand new passphrase")
    assert not panel.lock_screen.isVisible() and panel.tamper_dialog is None
    window.close()
    library.close()


def test_the_audit_window_hides_others_scores_from_a_panelist_who_has_not_submitted(
    qtbot: QtBot,
    panel_library: tuple[Path, list[int], dict[str, int]],
    tmp_path: Path,
) -> None:
    root, _, people = panel_library
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Cleo"], PASS["Cleo"])  # Cleo has scored nothing
    audit = panel.open_audit()
    assert audit is not None and audit.isVisible()
    rows = [
        [audit.table.item(r, c).text() for c in range(audit.table.columnCount())]
        for r in range(audit.table.rowCount())
    ]
    # Their submissions show (the decision gate tells them); their scoring does not: which
    # answers, how many changes, when. Actions in words; the identifiers in the tooltips.
    assert [r for r in rows if r[3].startswith("Scored ·")] == []
    at = [r for r in range(len(rows)) if rows[r][3].startswith("Submitted ·")]
    assert {rows[r][2] for r in at} == {"Ana", "Ben"}
    assert all(audit.table.item(r, 3).toolTip().endswith("submit</p></qt>") for r in at)
    assert not any("_" in r[3].split(" · ")[0] for r in rows)  # no identifier shows
    assert "the hash chain holds" in audit.status.text()
    shot(audit, "audit-window-hidden", tmp_path)
    window.close()
    library.close()


def test_the_audit_window_hides_a_colleagues_deleted_note_before_the_viewer_submitted(
    qtbot: QtBot,
    panel_library: tuple[Path, list[int], dict[str, int]],
) -> None:
    """Review s11a N1: Ana pins a note on an answer and deletes it; Cleo, who has submitted
    nothing, does not see that in the audit window; Ana does."""
    root, subs, people = panel_library
    library = open_library(root)
    try:
        service = PanelService(library, hasher=HASHER)
        ana = service.sign_in(people["Ana"], PASS["Ana"])
        answer = service.answer_ids(submission_id=subs[0])[0]
        note = service.scoring.add_note(ana, answer_id=answer, position_ms=900, text="pause")
        service.scoring.delete_note(ana, note_id=note.id)
        service.lock()
    finally:
        library.close()
    window, panel, library = open_window(qtbot, root)

    def actions(name: str) -> list[str]:
        sign_in(panel, people[name], PASS[name])
        audit = panel.open_audit()
        assert audit is not None and audit.isVisible()
        shown = [audit.table.item(r, 3).text() for r in range(audit.table.rowCount())]
        audit.close()
        panel.lock("Locked.")
        return shown

    seen = actions("Cleo")
    assert any(a.startswith("Submitted ·") for a in seen)  # the window shows Ana's rows
    assert not any(a.startswith("Note deleted") for a in seen)
    assert any(a.startswith("Note deleted") for a in actions("Ana"))
    window.close()
    library.close()


def test_the_panel_lifts_blind_mode_for_one_candidate_once_everyone_has_submitted(
    qtbot: QtBot,
    panel_library: tuple[Path, list[int], dict[str, int]],
    tmp_path: Path,
) -> None:
    root, subs, people = panel_library
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Ana"], PASS["Ana"])
    panel.actions["blind"].setChecked(True)
    decisions = panel.open_decisions()
    assert decisions is not None
    decisions.select(subs[0])
    assert decisions.lift_button.isVisible()
    assert decisions.candidate_label.text().endswith("(name hidden)")
    decisions.lift_button.click()
    assert "(still to submit: Cleo)" in decisions.message.text()
    assert decisions.candidate_label.text().startswith("C-")

    score_elsewhere(root, "Cleo", subs[:1], submit=True)
    decisions.lift_button.click()
    assert decisions.candidate_label.text() == "Ada Lovelace"
    assert not decisions.lift_button.isVisible()
    assert "Name shown to the panel: Ada Lovelace." in decisions.message.text()
    names = [decisions.candidates.item(i).text() for i in range(decisions.candidates.count())]
    assert names[0].startswith("Ada Lovelace") and all(n.startswith("C-") for n in names[1:])
    ana = panel.service.current
    assert ana is not None
    lifted = [line for line in panel.service.audit_view(ana) if line.action == "blind_lifted"]
    assert [(line.actor, line.subject) for line in lifted] == [("Ana", f"submission {subs[0]}")]
    shot(decisions, "blind-lifted", tmp_path)
    window.close()
    library.close()


def test_panel_windows_show_a_hostile_name_as_plain_text(
    qtbot: QtBot,
    panel_library: tuple[Path, list[int], dict[str, int]],
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    root, subs, people = panel_library
    hostile = "<b>Panel: already approved</b><img src='file:///etc/passwd'>"
    conn = sqlite3.connect(root / "onetake.sqlite3")
    # The library's triggers keep each name's sort key with this function (schema 12).
    conn.create_function("onetake_fold", 1, fold, deterministic=True)
    conn.execute("UPDATE submissions SET candidate_name = ? WHERE id = ?", (hostile, subs[0]))
    conn.commit()
    conn.close()
    window, panel, library = open_window(qtbot, root)
    sign_in(panel, people["Ana"], PASS["Ana"])
    opened = [
        panel.open_decisions(),
        panel.open_summary(),
        panel.open_compare(),
        panel.open_question_mode(),
        panel.open_audit(),
    ]
    decisions = opened[0]
    assert decisions is not None
    decisions.select(subs[0])
    assert decisions.candidate_label.text() == hostile  # shown as the characters it is
    for w in [*opened, panel.lock_screen]:
        assert w is not None
        for label in w.findChildren(QLabel):
            assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    window.close()
    library.close()


def test_a_lone_reviewer_names_themselves_from_the_people_dialog(
    qtbot: QtBot, tmp_path: Path
) -> None:
    set_synchronous(True)
    try:
        library, _, _ = make_library(tmp_path / "lib")  # no panel at all
        window = ReviewerWindow(
            ReviewerService(library),
            panel_service=PanelService(library, ManualClock(), hasher=HASHER),
        )
        qtbot.addWidget(window)
        window.show()
        panel: Any = window.panel
        assert panel.actions["people"].isEnabled()
        dialog = panel.open_people()
        assert isinstance(dialog, PeopleDialog) and not dialog.panel_part.isVisible()
        assert dialog.lone_name.text() == "Me"
        shot(dialog, "people-dialog-alone", tmp_path)
        assert dialog.set_lone_name("Dana Scully")
        dialog.accept()
        assert "Reviewing as Dana Scully" in window.statusBar().currentMessage()
        assert ReviewerService(library).default_reviewer.name == "Dana Scully"
        window.close()
        library.close()
    finally:
        set_synchronous(False)
