"""Walk s13 LOW-7, in a real authoring window: a refusal names the field as the form labels
it ("Role", not the TOML key ``role_title``), and the advice about an address that will not
become a link quotes the address it found, not the markup around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from onetake_desktop.services.author import AuthorDraft
from onetake_desktop.services.context import AppContext
from onetake_desktop.storage import kitfile
from onetake_desktop.ui.author.window import AuthorWindow

pytestmark = pytest.mark.timeout(180, method="thread")


def _window(qtbot: QtBot, context: AppContext) -> AuthorWindow:
    window = AuthorWindow(context, AuthorDraft.open(kitfile.demo_source_path()))
    qtbot.addWidget(window)
    window.ask_unsaved = lambda: "discard"
    window.show_messages = False
    window.resize(1024, 600)
    window.show()
    return window


def _type(window: AuthorWindow, path: str, text: str) -> QLineEdit:
    field = next(f for f in window.fields if f.template == path)
    line = field.widget
    assert isinstance(line, QLineEdit)
    line.setFocus()
    line.selectAll()
    line.insert(text)  # like typing or pasting
    return line


def test_the_preview_and_build_refusals_name_the_field_as_the_form_does(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    window = _window(qtbot, app_context)
    assert window.where("role_title") == "Role"  # the form's label for that key
    _type(window, "role_title", "R" * 448)
    assert window.open_preview() is None
    assert window.last_message == (
        "The draft cannot be previewed yet: Role is 448 characters long; at most 200 are allowed."
    )
    window.choose_kit_path = lambda: tmp_path / "x.onetakekit"
    window.build_action.trigger()
    assert window.last_message == (
        "Fix 1 problem first: Role is 448 characters long; at most 200 are allowed."
    )
    assert not (tmp_path / "x.onetakekit").exists()


def test_the_link_advice_quotes_the_address_not_the_tag_around_it(
    qtbot: QtBot, app_context: AppContext
) -> None:
    window = _window(qtbot, app_context)
    _type(window, "organisation", "<b>Evil</b> <a href='http://x'>Corp</a> <img src=x>")
    note = next(f for f in window.fields if f.template == "organisation").note
    assert not note.isHidden()
    assert note.textFormat() == Qt.TextFormat.PlainText
    assert "has the address 'http://x': only https: and mailto: addresses become links" in (
        note.text()
    )
    assert "Corp</a>" not in note.text()
    listed = [window.checks.item(i).text() for i in range(window.checks.count())]
    advice = "has the address 'http://x': only https: and mailto: addresses become links"
    assert f"⚠ Organisation: {advice}" in listed
