"""The one decision form (ui/widgets/decision_form.py) of the panel's Decisions window and the
reviewer's Shortlist: the same widget in both, outside text shown as typed, the policy's
refusal shown and obeyed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.paths import app_paths
from onetake_desktop.services.panel import DECISION_LABELS, Actor, PanelService
from onetake_desktop.services.shortlist import ShortlistService
from onetake_desktop.ui.panel.decisions import DecisionsWindow, NameFirstElided
from onetake_desktop.ui.reviewer.shortlist import ShortlistWindow
from onetake_desktop.ui.widgets.decision_form import DECISION_WORDS, DecisionForm
from onetake_desktop.ui.widgets.plain import plain_tooltip
from tests.pipeline.test_panel_service import make_library

HOSTILE = "<b>Ada</b> <a href='x'>Lovelace</a>"


def plain(widget: QWidget) -> list[str]:
    labels = widget.findChildren(QLabel)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    return [label.text() for label in labels]


def panel_named(name: str) -> tuple[PanelService, Actor, int, int]:
    """A library of two candidates, the first called ``name``, and Ana on its panel: the
    panel service, Ana, the interview and the first candidate's submission id."""
    lib, interview, ids = make_library(app_paths().ensure().library, candidates=2)
    sid = min(ids.values())
    lib.db.execute("UPDATE submissions SET candidate_name = ? WHERE id = ?", (name, sid))
    panel = PanelService(
        lib,
        hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1),
        key_deriver=lambda p, salt: hashlib.sha256(salt + p.encode()).digest(),
    )
    return panel, panel.create_panelist("Ana", "ana passphrase"), interview, sid


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
    form.show_candidate("Ada", "ada@example.org", "decline", reason="why", feedback="note")
    form.show_none("No candidates yet.")
    assert form.candidate.text() == "No candidates yet."
    # Nothing of the last candidate stays in the greyed fields.
    assert form.chosen() is None and form.explain.isHidden()
    assert (form.reason.text(), form.feedback.toPlainText()) == ("", "")
    widgets = [*form.buttons.values(), form.reason, form.feedback, form.record_button]
    assert not any(w.isEnabled() for w in widgets)
    form.set_refusal(None)  # nobody to decide on: still greyed
    assert not form.record_button.isEnabled()


def test_every_window_spells_the_decisions_as_the_panel_service_does() -> None:
    assert DECISION_WORDS is DECISION_LABELS


def test_decisions_and_shortlist_share_one_form_showing_names_as_typed(
    qtbot: QtBot, tmp_path: Path
) -> None:
    panel, ana, interview, sid = panel_named(HOSTILE)
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
    # The Decisions window names the form's second line for what it shows there.
    email = panel.library.db.execute(
        "SELECT candidate_email FROM submissions WHERE id = ?", (sid,)
    ).fetchone()[0]
    assert email and decisions.email_label.text() == email
    # Both ask the policy before the click (the panel's window said it only on the click).
    for form in forms:
        assert "waits until every panelist has submitted" in form.refusal.text()
        assert not form.record_button.isEnabled()
    decisions.radios["advance"].setChecked(True)
    decisions.reason.setText("Strong")
    decisions.record()  # (called all the same: the service refuses it)
    assert "waits until every panelist has submitted" in decisions.message.text()
    for w in (decisions, shortlist):
        w.close()
    panel.library.close()


def test_a_long_name_in_the_decisions_list_is_cut_not_scrolled_sideways(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A long name in the Decisions window's list of candidates is cut with "…" to the list's
    width (the mean and the decision stay readable), never scrolled to; the whole name is in
    the row's tooltip, escaped, and the row's text stays whole."""
    long_name = (
        "Maximiliana <b>Wolfeschlegelsteinhausenbergerdorff</b> Featherstonehaugh-Cholmondeley"
    )
    panel, ana, _interview, sid = panel_named(long_name)
    parent = QWidget()
    qtbot.addWidget(parent)
    decisions = DecisionsWindow(parent, panel, ana)
    decisions.show()
    qtbot.waitExposed(decisions)
    decisions.select(sid)
    view = decisions.candidates
    row = [c.submission_id for c in decisions.rows].index(sid)
    item, index = view.item(row), view.model().index(row, 0)
    tail = " · – · no decision"
    assert item.text() == long_name + tail  # whole, for the tests and assistive tools
    assert item.toolTip() == plain_tooltip(long_name)  # the whole name, as typed
    assert "&lt;b&gt;Wolfeschlegel" in item.toolTip()  # escaped, never bold
    delegate = view.itemDelegate()
    assert isinstance(delegate, NameFirstElided)
    assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    split = view.parentWidget()
    assert isinstance(split, QSplitter)

    def fits() -> bool:
        width = view.viewport().width()
        return (
            view.horizontalScrollBar().maximum() == 0
            and view.visualRect(index).width() <= width
            and view.fontMetrics().horizontalAdvance(delegate.shown_text(index)) <= width
        )

    whole = view.fontMetrics().horizontalAdvance(item.text()) + 60
    decisions.resize(whole + 600, decisions.height())  # room for the whole row
    split.setSizes([whole, 600])
    qtbot.waitUntil(lambda: fits() and delegate.shown_text(index) == item.text())
    decisions.resize(780, decisions.height())  # narrowed: the rows follow the width
    total = sum(split.sizes())
    split.setSizes([300, total - 300])
    qtbot.waitUntil(lambda: fits() and "…" in delegate.shown_text(index))
    shown = delegate.shown_text(index)
    assert shown.startswith("Maximiliana <b>Wolfe") and shown.endswith("…" + tail)
    other = view.model().index(1 - row, 0)
    assert delegate.shown_text(other) == view.item(1 - row).text()  # short names are whole
    save = tmp_path / "decisions-long-name.png"
    assert decisions.grab().save(str(save))
    decisions.close()
    panel.library.close()


def test_the_decisions_window_tells_a_non_chair_at_once_and_greys_the_form(
    qtbot: QtBot,
) -> None:
    """Who may decide is asked of the policy when the window opens (walk s13): Ben, not the
    chair, reads one plain line and a greyed form, for every candidate, before typing
    anything; the chair gets the form, with each candidate's own refusal said up front."""
    lib, _interview, ids = make_library(app_paths().ensure().library, candidates=2)
    panel = PanelService(
        lib,
        hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1),
        key_deriver=lambda p, salt: hashlib.sha256(salt + p.encode()).digest(),
    )
    chair = panel.create_panelist("Ana <b>Chair</b>", "ana passphrase", chair=True)
    ben = panel.create_panelist("Ben", "ben passphrase")
    parent = QWidget()
    qtbot.addWidget(parent)
    ben_window = DecisionsWindow(parent, panel, ben)
    ben_window.show()
    qtbot.waitExposed(ben_window)
    line = "Only the panel's chair, Ana <b>Chair</b>, records decisions."
    assert ben_window.who_decides.isVisible() and ben_window.who_decides.text() == line
    assert ben_window.who_decides.textFormat() == Qt.TextFormat.PlainText
    form = ben_window.form
    inputs = [*form.buttons.values(), form.reason, form.feedback, form.record_button]
    for sid in sorted(ids.values()):
        ben_window.select(sid)
        assert not any(w.isEnabled() for w in inputs), sid
        # Nobody still to submit is named to one who may not decide anyway.
        assert "still to submit" not in " ".join(plain(ben_window))
    assert form.record_button.toolTip() == plain_tooltip(line)
    # The service says the same if asked anyway.
    form.buttons["advance"].setChecked(True)
    ben_window.record()
    assert ben_window.message.text() == line
    ben_window.close()

    chair_window = DecisionsWindow(parent, panel, chair)  # (still signed in: made so)
    chair_window.show()
    qtbot.waitExposed(chair_window)
    assert not chair_window.who_decides.isVisible()
    form = chair_window.form
    assert all(w.isEnabled() for w in (*form.buttons.values(), form.reason, form.feedback))
    assert not form.record_button.isEnabled()
    assert "(still to submit: Ana <b>Chair</b>, Ben)" in form.refusal.text()
    chair_window.close()
    lib.close()
