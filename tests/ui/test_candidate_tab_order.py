"""A keyboard user goes through each candidate page in reading order: the page's fields
first, then its row of actions; after Start, the first field (the name) has the focus, so
Space or Enter never goes Back by surprise."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.storage.kitfile import demo_kit_path
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.ui.candidate_walk import make, walk

pytestmark = pytest.mark.timeout(300, method="thread")


def tab_chain(page: QWidget) -> list[QWidget]:
    """The page's widgets a Tab press reaches, in the order it reaches them."""
    chain: list[QWidget] = []
    widget = page.nextInFocusChain()
    while widget is not None and widget is not page and len(chain) < 500:
        if (
            page.isAncestorOf(widget)
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.isVisibleTo(page)
            and widget.isEnabled()
        ):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def test_fields_come_before_the_actions_and_the_name_has_the_focus(
    qtbot: QtBot, tmp_path: Path
) -> None:
    tasks.set_synchronous(True)
    try:
        clock = ManualClock()
        window = make(demo_kit_path(), clock, tmp_path / "answers.onetake")
        qtbot.addWidget(window)
        window.resize(1024, 600)
        window.show()
        qtbot.waitExposed(window)
        checked: dict[str, int] = {}

        def check(w: CandidateWindow, name: str) -> None:
            page = w.stack.currentWidget()
            assert isinstance(page, Page)
            chain = tab_chain(page)
            in_body = [page.content.isAncestorOf(x) for x in chain]
            # Reading order: once the actions begin, no body widget follows.
            assert in_body == sorted(in_body, reverse=True), (name, chain)
            checked[name] = in_body.count(True)
            if name == "privacy":
                QApplication.processEvents()
                focused = QApplication.focusWidget()
                assert focused is not None and focused.accessibleName() == "Your name", focused

        walk(window, clock, check)
        window.close()
    finally:
        tasks.set_synchronous(False)
    # The pages with fields were seen with their fields in the chain.
    assert checked["privacy"] >= 3 and checked["devices"] >= 2, checked
