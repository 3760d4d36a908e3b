"""Review > Shortlist… and its follow-up dialog on a real library and real windows: ranking,
sorting, the flag mark, a lone reviewer's decision with a reason, the export, and the
follow-up drafts (parsed back) with the day they went out shown. Screenshots go to
$ONETAKE_SHOTS (default /work/shots/shortlist) when that folder's parent exists."""

from __future__ import annotations

import csv
import email
import io
import os
from email import policy
from email.message import EmailMessage
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.conformance import Flag
from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.services.scoring import scoring_for
from onetake_desktop.ui.reviewer.shortlist import FollowupDialog, ShortlistWindow
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.widgets.flags import FLAG_MARK
from tests.pipeline.test_panel_service import make_library
from tests.pipeline.test_shortlist import ADA, BRIAN, CAROL, DENNIS, score

SHOTS = Path(os.environ.get("ONETAKE_SHOTS", "/work/shots/shortlist"))


def shot(widget: QWidget, name: str) -> None:
    QTest.qWait(30)
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / name))


def all_plain(widget: QWidget) -> None:
    labels = widget.findChildren(QLabel)
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_shortlist_ranks_decides_exports_and_sends_follow_up(qtbot: QtBot, tmp_path: Path) -> None:
    lib, _interview, ids = make_library(app_paths().ensure().library, candidates=4)
    scoring = scoring_for(lib)
    me = scoring.actor_for(scoring.lone_reviewer("Me").id)
    score(scoring, lib, me, ids[ADA], (5, 3), "yes")
    score(scoring, lib, me, ids[BRIAN], (4, 4), "strong_yes")
    score(scoring, lib, me, ids[CAROL], (5, 4), "no")
    lib.submissions.set_flags(
        ids[CAROL], [Flag("takes-over-limit", "Question q1: 4 takes; <b>allows</b> 2.")]
    )
    lib.close()

    window = ReviewerWindow(open_reviewer_service(app_paths().ensure().library))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    assert window.shortlist_action.shortcut().toString() == "Ctrl+Shift+L"
    window.shortlist_action.trigger()
    dialog = window.shortlist_window  # type: ignore[attr-defined]
    assert isinstance(dialog, ShortlistWindow) and dialog.isVisible()
    all_plain(dialog)

    assert dialog.table_order() == [ids[CAROL], ids[BRIAN], ids[ADA], ids[DENNIS]]
    first = dialog.table_texts(0)
    assert first[:4] == ["1", f"{CAROL}  {FLAG_MARK}", "4.50", "4.50"]
    assert first[4:6] == ["No", "1"]
    assert dialog.table_texts(3)[2:4] == ["–", "–"]  # Dennis: nothing submitted
    tip = dialog.table.item(0, 1).toolTip()  # type: ignore[union-attr]
    assert "&lt;b&gt;allows&lt;/b&gt;" in tip  # the flag's sentence escaped, shown as typed

    dialog.sort.setCurrentIndex(dialog.sort.findData("recommendation"))
    assert dialog.table_order() == [ids[BRIAN], ids[ADA], ids[CAROL], ids[DENNIS]]
    dialog.sort.setCurrentIndex(dialog.sort.findData("flags"))
    assert dialog.table_order() == [ids[BRIAN], ids[ADA], ids[CAROL], ids[DENNIS]]
    dialog.table.sortItems(1, Qt.SortOrder.AscendingOrder)  # a heading click: by name
    assert dialog.table_order() == [ids[ADA], ids[BRIAN], ids[CAROL], ids[DENNIS]]
    dialog.sort.setCurrentIndex(dialog.sort.findData("mean"))

    # A lone reviewer decides, with a reason (refused without one, in one sentence).
    dialog.select(ids[CAROL])
    assert dialog.refusal.text() == "" and dialog.decide_button.isEnabled()
    dialog.decision_buttons["advance"].setChecked(True)
    dialog.decide_button.click()
    assert dialog.refusal.text() == "A decision needs a reason."
    dialog.reason.setText("Best structured answers")
    dialog.feedback.setPlainText("Your escalation plan stood out.")
    dialog.decide_button.click()
    assert dialog.table_texts(0)[6] == "Advance"
    assert dialog.status.text() == f"Decision recorded for {CAROL}: Advance."
    dialog.select(ids[ADA])
    dialog.decision_buttons["decline"].setChecked(True)
    dialog.reason.setText("Another candidate fits better")
    dialog.decide_button.click()
    dialog.select(ids[CAROL])
    shot(dialog, "shortlist-offscreen.png")
    # No candidate selected: the greyed form keeps nothing of Carol's decision.
    dialog.table.clearSelection()
    assert dialog.side.candidate.text() == "No candidate selected"
    assert dialog.chosen_decision() is None and not dialog.decide_button.isEnabled()
    assert (dialog.reason.text(), dialog.feedback.toPlainText()) == ("", "")
    dialog.select(ids[CAROL])
    assert dialog.feedback.toPlainText() == "Your escalation plan stood out."

    # The export carries the ranking and the scores.
    assert dialog.export(tmp_path / "shortlist.csv", "csv") == 4
    rows = list(
        csv.DictReader(io.StringIO((tmp_path / "shortlist.csv").read_text(encoding="utf-8-sig")))
    )
    assert [r["candidate_name"] for r in rows] == [CAROL, BRIAN, ADA, DENNIS]
    assert rows[0]["decision_reason"] == "Best structured answers"

    # Follow-up: edit a template (a wrong placeholder is refused), export, see the date.
    follow = dialog.open_followup()
    assert isinstance(follow, FollowupDialog) and follow.isVisible()
    all_plain(follow)
    assert [follow.recipients.item(i).text() for i in range(follow.recipients.count())] == [
        f"{ADA} · Decline · not sent yet",
        f"{CAROL} · Advance · not sent yet",
    ]
    follow.decision.setCurrentIndex(follow.decision.findData("advance"))
    follow.subject.setText("Next step at {company}")
    assert not follow.save_template()
    assert follow.message.text().startswith("{company} is not a placeholder")
    follow.subject.setText("{candidate_name}: next step for {role_title}")
    follow.sender_name.setText("Riya Patel")
    assert follow.save_template()
    follow.recipients.setCurrentRow(1)
    assert follow.preview.toPlainText().startswith(
        f"To: {CAROL} <carol@example.org>\nSubject: {CAROL}: next step for Support lead\n"
    )
    assert "Your escalation plan stood out." in follow.preview.toPlainText()
    shot(follow, "followup-offscreen.png")
    out = tmp_path / "drafts"
    assert follow.export(out)
    assert follow.message.text().startswith(f"Wrote 2 drafts (.eml) and mail-merge.csv to {out}")
    texts = [follow.recipients.item(i).text() for i in range(follow.recipients.count())]
    assert all(" · sent 20" in t for t in texts)
    drafts = sorted(out.glob("*.eml"))
    assert len(drafts) == 2
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in drafts]
    carol = next(m for m in messages if "carol@" in str(m["To"]))
    assert carol["Subject"] == f"{CAROL}: next step for Support lead"
    assert carol["X-Unsent"] == "1" and carol.get_content_type() == "text/plain"
    assert isinstance(carol, EmailMessage)
    assert "Riya Patel" in carol.get_content()
    # The shortlist shows when each went out.
    sent = {dialog.table_order()[r]: dialog.table_texts(r)[7] for r in range(4)}
    assert sent[ids[CAROL]].startswith("20") and sent[ids[ADA]].startswith("20")
    assert sent[ids[BRIAN]] == "" and sent[ids[DENNIS]] == ""
    follow.close()
    dialog.close()
    assert dialog.table.rowCount() == 0  # nothing kept in a hidden window (a panel lock)
    window.shortlist_action.trigger()  # opened again: the same window, read afresh
    assert window.shortlist_window is dialog and dialog.table.rowCount() == 4  # type: ignore[attr-defined]
    dialog.close()
    window.close()


def test_a_panelist_who_has_not_submitted_sees_no_other_scores_and_why_they_cannot_decide(
    qtbot: QtBot,
) -> None:
    lib, _interview, ids = make_library(app_paths().ensure().library, candidates=2)
    lib.close()
    window = ReviewerWindow(open_reviewer_service(app_paths().ensure().library))
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    qtbot.waitExposed(window)
    panel = window.panel.service
    scoring = window.service.scoring
    ben = panel.create_panelist("Ben", "ben passphrase")
    for name in (ADA, BRIAN):
        score(scoring, scoring.library, ben, ids[name], (5, 4), "strong_yes")
    cleo = panel.create_panelist("Cleo", "cleo passphrase")
    score(scoring, scoring.library, cleo, ids[ADA], (2, 2), "no", submit=False)
    window.set_reviewer(cleo.reviewer_id)

    dialog = window.open_shortlist()
    assert isinstance(dialog, ShortlistWindow)
    assert sorted(dialog.table_texts(r)[1] for r in range(2)) == [ADA, BRIAN]
    for r in range(2):  # neither Ben's scores nor his recommendations, nor Cleo's drafts
        assert dialog.table_texts(r)[2:5] == ["–", "–", "–"]
    tip = dialog.table.item(0, 2).toolTip()  # type: ignore[union-attr]
    assert "Shown once you have submitted this candidate." in tip
    dialog.select(ids[ADA])
    assert not dialog.decide_button.isEnabled()
    assert dialog.explain.text() == "Shown once you have submitted this candidate."
    assert dialog.refusal.text() == (
        "A decision waits until every panelist has submitted this candidate "
        "(still to submit: Cleo)."
    )
    shot(dialog, "shortlist-panel-not-submitted-offscreen.png")

    scoring.submit_candidate(cleo, submission_id=ids[ADA])
    dialog.reload()
    ada_row = dialog.table_order().index(ids[ADA])
    assert dialog.table_texts(ada_row)[2:4] == ["3.25", "3.00"]  # Ben 5,4 and Cleo 2,2
    assert dialog.refusal.text() == "" and dialog.decide_button.isEnabled()
    # The panel locks behind the open shortlist: showing the candidate again says why
    # nobody may decide now, and Record stays greyed.
    scoring.lock()
    dialog.select(ids[ADA])
    assert dialog.refusal.isVisible() and dialog.refusal.text()
    assert "sign" in dialog.refusal.text().lower(), dialog.refusal.text()
    assert not dialog.decide_button.isEnabled()
    dialog.close()
    window.close()


def test_the_name_column_sorts_without_case_or_accents(qtbot: QtBot) -> None:
    """Clicking Name sorts as the library list does: Émile between Emil and Emma."""
    from PySide6.QtWidgets import QTableWidget

    from onetake_desktop.ui.reviewer.shortlist import _Item

    table = QTableWidget(0, 1)
    qtbot.addWidget(table)
    for name in ("Zoë", "Emma", "Émile", "Emil"):
        row = table.rowCount()
        table.insertRow(row)
        table.setItem(row, 0, _Item(name, name))
    table.sortItems(0)
    shown = []
    for r in range(4):
        item = table.item(r, 0)
        assert item is not None
        shown.append(item.text())
    assert shown == ["Emil", "Émile", "Emma", "Zoë"]
