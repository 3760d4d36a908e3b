"""The one decision form (ui/widgets/decision_form.py) of the panel's Decisions window and the
reviewer's Shortlist: the same widget in both, outside text shown as typed, the policy's
refusal shown and obeyed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.paths import app_paths
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.shortlist import ShortlistService
from onetake_desktop.ui.panel.decisions import DecisionsWindow
from onetake_desktop.ui.reviewer.shortlist import ShortlistWindow
from onetake_desktop.ui.widgets.decision_form import DecisionForm
from onetake_desktop.ui.widgets.plain import plain_tooltip
from tests.pipeline.test_panel_service import make_library

HOSTILE = "<b>Ada</b> <a href='x'>Lovelace</a>"


def plain(widget: QWidget) -> list[str]:
    labels = widget.findChildren(QLabel)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    return [label.text() for label in labels]


@pytest.mark.parametrize("columns", [1, 2])
def test_the_form_shows_a_candidate_and_obeys_the_refusal(qtbot: QtBot, columns: int) -> None:
    form = DecisionForm(columns=columns)
    qtbot.addWidget(form)
    form.show_candidate(HOSTILE, "<i>4.50</i>", "hold", reason="why", feedback="note")
    assert HOSTILE in plain(form) and "<i>4.50</i>" in plain(form)
    assert form.chosen() == "hold" and form.buttons["hold"].isChecked()
    assert (form.reason.text(), form.feedback.toPlainText()) == ("why", "note")
    refusal = "A decision waits until every panelist has submitted <b>this</b> candidate."
    form.set_refusal(refusal)
    assert form.refusal.text() == refusal and not form.record_button.isEnabled()
    assert "&lt;b&gt;this&lt;/b&gt;" in form.record_button.toolTip()  # escaped
    form.set_refusal(None)
    assert form.refusal.text() == "" and form.record_button.isEnabled()
    seen: list[bool] = []
    form.record_requested.connect(lambda: seen.append(True))
    form.record_button.click()
    assert seen == [True]
    form.show_candidate("Grace", "", None, reason="", feedback="")
    assert form.chosen() is None and form.explain.isHidden()
    form.show_none("No candidates yet.")
    assert form.candidate.text() == "No candidates yet."
    widgets = [*form.buttons.values(), form.reason, form.feedback, form.record_button]
    assert not any(w.isEnabled() for w in widgets)
    form.set_refusal(None)  # nobody to decide on: still greyed
    assert not form.record_button.isEnabled()


def test_decisions_and_shortlist_share_one_form_showing_names_as_typed(
    qtbot: QtBot, tmp_path: Path
) -> None:
    lib, interview, ids = make_library(app_paths().ensure().library, candidates=2)
    sid = min(ids.values())
    lib.db.execute("UPDATE submissions SET candidate_name = ? WHERE id = ?", (HOSTILE, sid))
    panel = PanelService(
        lib,
        hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1),
        key_deriver=lambda p, salt: hashlib.sha256(salt + p.encode()).digest(),
    )
    ana = panel.create_panelist("Ana", "ana passphrase")
    parent = QWidget()
    qtbot.addWidget(parent)
    decisions = DecisionsWindow(parent, panel, ana)
    shortlist = ShortlistWindow(parent, ShortlistService(panel.scoring), lambda: ana, interview)
    forms = [decisions.form, shortlist.side]
    assert all(isinstance(f, DecisionForm) for f in forms)
    decisions.select(sid)
    shortlist.select(sid)
    for window, form in ((decisions, forms[0]), (shortlist, forms[1])):
        window.show()
        assert form.candidate.text() == HOSTILE, window
        assert form.candidate.textFormat() == Qt.TextFormat.PlainText
        assert form.candidate.toolTip() == plain_tooltip(HOSTILE)  # whole, escaped
        # One line however long the name: the form keeps its height on a small screen.
        assert form.candidate.sizeHint().height() < 2 * form.candidate.fontMetrics().height()
        free = window.screen().availableGeometry()
        assert window.height() <= free.height() and window.width() <= free.width()
        assert [b.text() for b in form.buttons.values()] == ["Advance", "Hold", "Decline"]
    # The shortlist asks the policy before the click; the panel's window says it on the click.
    assert "waits until every panelist has submitted" in shortlist.side.refusal.text()
    assert not shortlist.side.record_button.isEnabled()
    decisions.radios["advance"].setChecked(True)
    decisions.reason.setText("Strong")
    decisions.save_button.click()
    assert "waits until every panelist has submitted" in decisions.message.text()
    for w in (decisions, shortlist):
        w.close()
    lib.close()
