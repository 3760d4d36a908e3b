"""Issue 17 (quick start): the authoring window, as the app opens it, builds the parts behind
its other tabs right after the first paint. What the first paint shows is the same as a window
built whole, and once the parts are in, the window is the same as one built whole: the same
fields in the same order with the same values, the same labels and checks; a tab chosen before
then is built before it is painted."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QScrollArea
from pytestqt.qtbot import QtBot

from onetake_desktop.cli import GuiRequest
from onetake_desktop.services.author import AuthorDraft
from onetake_desktop.services.context import AppContext
from onetake_desktop.storage import kitfile
from onetake_desktop.ui.application import open_window
from onetake_desktop.ui.author.window import AuthorWindow

pytestmark = pytest.mark.timeout(180, method="thread")


def _source(tmp_path: Path) -> Path:
    """The demo interview as a TOML file: questions, practice, privacy, every part filled."""
    path = tmp_path / "interview.toml"
    path.write_text(kitfile.demo_source_path().read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _state(window: AuthorWindow) -> dict[str, object]:
    return {
        "fields": [(f.template, f.read()) for f in window.fields],
        "labels": dict(window.labels),
        "checks": [window.checks.item(i).text() for i in range(window.checks.count())],
        "summary": window.summary.text(),
        "tabs": [window.tabs.tabText(i) for i in range(window.tabs.count())],
        "questions": [
            window.questions.list.item(i).text() for i in range(window.questions.list.count())
        ],
        "question": window.question,
        "practice": window.has_practice.isChecked(),
        "title": window.windowTitle(),
    }


def test_the_app_builds_the_later_parts_right_after_the_first_paint(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    source = _source(tmp_path)
    whole = AuthorWindow(app_context, AuthorDraft.open(source))
    qtbot.addWidget(whole)
    assert whole.parts_built

    window = open_window(GuiRequest("author", (source,)), app_context)
    assert isinstance(window, AuthorWindow)
    qtbot.addWidget(window)
    # Built, not shown: only the first part so far, and what the first paint shows is whole.
    assert not window.parts_built
    assert window.tabs.currentIndex() == 0
    assert window.summary.text() == whole.summary.text()
    assert [window.tabs.tabText(i) for i in range(6)] == [whole.tabs.tabText(i) for i in range(6)]
    assert window.windowTitle() == whole.windowTitle()

    window.show()
    qtbot.waitUntil(lambda: window.parts_built, timeout=10_000)
    assert _state(window) == _state(whole)
    assert window.tabs.widget(4) is window.questions
    assert window.tabs.currentIndex() == 0  # still on the part the user saw first
    for index in (1, 2, 3, 5):
        scroll = window.tabs.widget(index)
        assert isinstance(scroll, QScrollArea) and scroll.widget() is not None


def test_a_later_tab_chosen_before_the_first_paint_is_built_first(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    window = AuthorWindow(app_context, AuthorDraft.open(_source(tmp_path)), later_parts=True)
    qtbot.addWidget(window)
    assert not window.parts_built
    window.tabs.setCurrentIndex(4)
    assert window.parts_built
    assert window.tabs.currentWidget() is window.questions
    assert window.questions.list.count() == window.draft.question_count() > 0
    assert window.question == window.questions.current() >= 0
    window.tabs.setCurrentIndex(2)
    scroll = window.tabs.currentWidget()
    assert isinstance(scroll, QScrollArea) and scroll.widget() is not None


def test_an_edit_before_the_later_parts_keeps_them_in_step(
    qtbot: QtBot, app_context: AppContext
) -> None:
    """An undo (Ctrl+Z) before the later parts are in shows the draft in the first part, and
    the parts built after it show the same draft."""
    window = AuthorWindow(app_context, later_parts=True)
    qtbot.addWidget(window)
    window.ask_unsaved = lambda: "discard"
    organisation = next(f for f in window.fields if f.template == "organisation")
    organisation.widget.setText("Harbour Lane")  # type: ignore[union-attr]
    assert window.draft.get("organisation") == "Harbour Lane"
    window.undo()
    assert window.draft.get("organisation") in (None, "")
    assert organisation.read() in (None, "")
    window.build_parts()
    whole = AuthorWindow(app_context, window.draft)
    qtbot.addWidget(whole)
    whole.ask_unsaved = lambda: "discard"
    assert [(f.template, f.read()) for f in window.fields] == [
        (f.template, f.read()) for f in whole.fields
    ]


def test_going_to_a_check_before_the_later_parts_opens_the_same_place_as_a_whole_window(
    qtbot: QtBot, app_context: AppContext
) -> None:
    """A click on a problem builds the later parts first (which refreshes the problems list
    under the click) and still opens the part and field a window built whole opens."""
    whole = AuthorWindow(app_context)
    qtbot.addWidget(whole)
    paths = [str(whole.checks.item(i).data(0x0100)) for i in range(whole.checks.count())]
    assert {"questions", "welcome"} <= set(paths), paths  # a later part's fields, and the questions
    for row, path in enumerate(paths):
        whole.tabs.setCurrentIndex(0)
        whole._go_to_check(whole.checks.item(row))
        window = AuthorWindow(app_context, later_parts=True)
        qtbot.addWidget(window)
        assert not window.parts_built
        window._go_to_check(window.checks.item(row))
        assert window.parts_built
        assert window.tabs.currentIndex() == whole.tabs.currentIndex(), path
