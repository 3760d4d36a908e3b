"""Import flags (issue 11) beside the candidate in every window that lists candidates: a mark
in the library tree with the sentences as a plain-text tooltip, the sentences in the answer
header, a mark in question mode, compare, the summary and decisions. Real bundles edited to
break their interview's rules, a real library, real windows."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.ui.reviewer.library_model import FLAGS_ROLE
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.widgets.flags import FLAG_MARK
from tests.pipeline.hostile.corpus import CONFORMANCE_CASES, edited, entries_of, sound_bundle
from tests.pipeline.library_bundles import make_bundle

SHOTS = Path(os.environ.get("ONETAKE_SHOTS", "/work/shots/shortlist"))


def flagged_bundle(folder: Path) -> Path:
    """The demo kit's bundle with 11 takes on one answer and an hour-long answer on another."""
    cases = {c.name: c for c in CONFORMANCE_CASES}

    def both(manifest: dict[str, Any]) -> None:
        cases["eleven-takes"].edit(manifest)
        cases["hour-long-answer"].edit(manifest)

    out = folder / "flagged.onetake"
    out.write_bytes(edited(entries_of(sound_bundle(folder / "work")), both))
    return out


def candidate_index(window: ReviewerWindow, submission_id: int) -> QModelIndex:
    index = window.model.candidate_index(submission_id)
    assert index.isValid()
    return index


def test_flags_show_in_the_tree_the_header_and_the_panel_windows(
    qtbot: QtBot, tmp_path: Path
) -> None:
    service = open_reviewer_service(app_paths().ensure().library)
    report = service.import_paths([flagged_bundle(tmp_path), make_bundle(tmp_path / "g.onetake")])
    flagged_id, plain_id = (o.submission_id or 0 for o in report.outcomes)
    flags = service.flags(flagged_id)
    assert {f.code for f in flags} == {"takes-over-limit", "answer-time-over-limit"}
    assert service.flags(plain_id) == ()
    service.close()

    window = ReviewerWindow(open_reviewer_service(app_paths().ensure().library))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)

    # The tree: a mark beside the flagged candidate only, its sentences in the tooltip.
    marked = candidate_index(window, flagged_id)
    plain = candidate_index(window, plain_id)
    assert marked.data(Qt.ItemDataRole.DecorationRole) is not None
    assert plain.data(Qt.ItemDataRole.DecorationRole) is None
    assert marked.data(FLAGS_ROLE) == flags
    tip = str(marked.data(Qt.ItemDataRole.ToolTipRole))
    for f in flags:
        assert html.escape(f.message) in tip  # escaped: shown as typed, never as markup
    assert "Flagged on import (2 rules of the interview broken)" in tip
    assert "Flagged" not in str(plain.data(Qt.ItemDataRole.ToolTipRole))
    assert FLAG_MARK in str(marked.data(Qt.ItemDataRole.AccessibleDescriptionRole))

    # The answer header: the sentences, plain text, this answer's flag first.
    answers = window.service.answers(flagged_id)
    window.show_answer(answers[1].id)
    label = window.flags_label
    assert label.isVisible() and label.textFormat() == Qt.TextFormat.PlainText
    text = label.text()
    assert text.startswith("Flagged on import: 2 rules of the interview broken")
    for f in flags:
        assert f.message in text
    about_this = [f for f in flags if f.question_id == answers[1].question_id]
    assert about_this and text.splitlines()[1] == f"{FLAG_MARK} {about_this[0].message}"
    QTest.qWait(50)
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "flags-reviewer-offscreen.png"))
    # A short window (1024x600) gives its height to the video: one line, all in the tooltip.
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: window._compact)
    window.show_answer(answers[0].id)
    short = label.text()
    assert "\n" not in short and not label.wordWrap()
    assert short.startswith(f"{FLAG_MARK} 2 import flags (hover to read): ")
    assert label.sizeHint().width() <= window.answer_pane.width()  # one line that fits
    for f in flags:
        assert html.escape(f.message) in label.toolTip()
    window.show_answer(window.service.answers(plain_id)[0].id)
    assert not window.flags_label.isVisible()

    # The panel windows: a mark beside the flagged candidate wherever candidates are listed.
    panel = window.panel
    panel.service.create_panelist("Dana", "correct horse battery")
    panel._update_actions()
    decisions = panel.open_decisions()
    assert decisions is not None
    items = [decisions.candidates.item(i) for i in range(decisions.candidates.count())]
    assert sum(FLAG_MARK in i.text() for i in items) == 1
    (mark_item,) = [i for i in items if FLAG_MARK in i.text()]
    assert html.escape(flags[0].message) in mark_item.toolTip()
    summary = panel.open_summary()
    assert summary is not None
    model = summary.model
    names = [str(model.data(model.index(r, 0))) for r in range(model.rowCount())]
    assert sum(n.endswith(FLAG_MARK) for n in names) == 1
    compare = panel.open_compare()
    assert compare is not None
    combo = compare.sides[0][0]
    assert sum(FLAG_MARK in combo.itemText(i) for i in range(combo.count())) == 1
    question = panel.open_question_mode()
    assert question is not None
    assert all(w.textFormat() == Qt.TextFormat.PlainText for w in question.findChildren(QLabel))
    marks = []
    for i, (sid, _question) in enumerate(question.queue):
        question.go(i)
        marks.append((sid, question.candidate_label.text().endswith(FLAG_MARK)))
    assert {sid for sid, marked in marks if marked} == {flagged_id}
    assert {sid for sid, marked in marks if not marked} == {plain_id}
    QTest.qWait(50)
    window.close()
