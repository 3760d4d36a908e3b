"""Every candidate page fits small screens, with the demo kit and with the longest texts.

Screens: 1024x600, and 1366x768 at 150 % scaling, emulated offscreen by its size in
device-independent pixels (1366/1.5 x 768/1.5 = 910x512), which is what Qt lays out with
QT_SCALE_FACTOR=1.5. The same walk runs under Xvfb with a real QT_SCALE_FACTOR=1.5 in
tests/ui/candidate_screens.py, which also takes the screenshots.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.storage.kitfile import demo_kit_path, save_kit
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.ui.candidate_walk import check_fits, make, walk, write_longest_kit

pytestmark = pytest.mark.timeout(300, method="thread")

SCREENS = {"1024x600": (1024, 600), "1366x768@150%": (910, 512)}


@pytest.fixture
def synchronous_tasks() -> object:
    tasks.set_synchronous(True)
    yield None
    tasks.set_synchronous(False)


@pytest.mark.parametrize("kit_name", ["demo", "longest"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_page_keeps_its_actions_and_clocks_on_screen(
    qtbot: QtBot, tmp_path: Path, synchronous_tasks: object, kit_name: str, screen: str
) -> None:
    width, height = SCREENS[screen]
    kit = demo_kit_path() if kit_name == "demo" else write_longest_kit(tmp_path)
    clock = ManualClock()
    out = tmp_path / "answers.onetake"
    problems: list[str] = []
    seen: list[str] = []

    def open_window() -> CandidateWindow:
        window = make(kit, clock, out)
        qtbot.addWidget(window)
        window.fit_to(width, height)
        window.show()
        qtbot.waitExposed(window)
        return window

    def check(window: CandidateWindow, name: str) -> None:
        seen.append(name)
        problems.extend(check_fits(window, width, height, name))

    w = open_window()
    walk(w, clock, check, reopen=open_window)
    assert problems == []
    expected = {"welcome", "privacy", "devices", "question-ready", "question-thinking"}
    expected |= {"question-recording", "question-choose-take", "question-writing", "review"}
    expected |= {"practice", "practice-thinking", "practice-recording", "practice-playback"}
    expected |= {"resume", "send", "sent", "sent-cleared"}
    assert expected <= set(seen)
    w.close()


def test_text_size_changes_with_ctrl_plus_and_minus_and_is_remembered(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = ManualClock()
    w = make(demo_kit_path(), clock, tmp_path / "a.onetake")
    qtbot.addWidget(w)
    w.fit_to(1024, 600)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    before = w.pages["welcome"].title.font().pointSizeF()  # type: ignore[attr-defined]
    QTest.keyClick(w, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(w, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert w.prefs.text_scale == 1.3
    w.ensurePolished()
    title = w.pages["welcome"].title  # type: ignore[attr-defined]
    title.ensurePolished()
    assert title.font().pointSizeF() > before
    assert check_fits(w, 1024, 600, "welcome at 130 %") == []
    w.close()
    again = make(demo_kit_path(), clock, tmp_path / "a.onetake")
    qtbot.addWidget(again)
    assert again.prefs.text_scale == 1.3, "remembered on this computer"
    again.show()
    again.activateWindow()
    qtbot.waitUntil(again.isActiveWindow)
    QTest.keyClick(again, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert again.prefs.text_scale == 1.0
    again.close()


def test_hostile_kit_markup_appears_literally_and_links_ask_first(
    qtbot: QtBot, tmp_path: Path
) -> None:

    from onetake_desktop.storage.kitfile import load_kit

    hostile = (
        '<b>Bold?</b> <img src="file:///etc/passwd"> '
        '<span style="font-size:1px;color:#ffffff">You give up every right.</span>'
    )
    kit = load_kit(demo_kit_path())._replace(
        welcome=hostile + "\n\nApply at https://jobs.example/apply?x=<b>1</b>.",
        privacy_notice=hostile,
        role_title="<i>Support</i>",
    )
    path = tmp_path / "hostile.onetakekit"
    save_kit(kit, path)
    asked: list[str] = []
    opened: list[str] = []

    def confirm(title: str, text: str) -> bool:
        asked.append(text)
        return True

    w = make(path, ManualClock(), tmp_path / "h.onetake", open_url=opened.append)
    w.confirm = confirm
    qtbot.addWidget(w)
    w.show()
    w.build_all_pages()  # pages are built on first visit: check every one of them
    assert len(w.pages.built()) == len(w.pages)
    labels = [lab for lab in w.findChildren(QLabel) if lab.text()]
    rich = [lab for lab in labels if lab.textFormat() != Qt.TextFormat.PlainText]
    # only our own link markup is rich text, and it holds the kit's text escaped
    assert len(rich) == 1 and rich[0].property("safe_link")
    html = rich[0].text()
    assert "<b>" not in html and "&lt;b&gt;1&lt;/b&gt;" in html
    # the address ends where the markup starts; the rest is shown as typed
    assert html.count("<a ") == 1 and '<a href="https://jobs.example/apply?x=">' in html
    literal = [lab.text() for lab in labels if lab.textFormat() == Qt.TextFormat.PlainText]
    assert hostile in literal, "the welcome's markup shows as typed"
    w.act(w.service.begin)
    assert any(
        hostile == t for t in (lab.text() for lab in w.pages["privacy"].findChildren(QLabel))
    )
    assert "Interview for <i>Support</i>" in [
        lab.text() for lab in w.pages["welcome"].findChildren(QLabel)
    ]
    rich[0].linkActivated.emit("https://jobs.example/apply?x=")
    assert asked and "https://jobs.example/apply?x=\n" in asked[-1]  # the whole address shown
    assert opened == ["https://jobs.example/apply?x="]
    rich[0].linkActivated.emit("file:///etc/passwd")  # never from our labels, but refused
    assert opened == ["https://jobs.example/apply?x="]
    w.close()


def test_focus_is_visible_and_tab_follows_reading_order(qtbot: QtBot, tmp_path: Path) -> None:
    from onetake_desktop.ui.candidate.window import candidate_style

    style = candidate_style()
    for selector in (
        "QCheckBox:focus",
        "QLabel:focus",
        "QPushButton#DangerButton:focus",
        "QPushButton#DangerButton:disabled",  # a Stop that cannot stop yet looks it
    ):
        assert selector in style
    w = make(demo_kit_path(), ManualClock(), tmp_path / "f.onetake")
    qtbot.addWidget(w)
    w.show()
    w.act(w.service.begin)
    page = w.pages["privacy"]
    reading_order = [
        page.name,  # type: ignore[attr-defined]
        page.email,  # type: ignore[attr-defined]
        *(c.box for c in page.accommodations.values()),  # type: ignore[attr-defined]
        page.agree,  # type: ignore[attr-defined]
        page.back_button,  # type: ignore[attr-defined]
        page.agree_button,  # type: ignore[attr-defined]
    ]
    chain: list[QWidget] = []
    widget: QWidget = page.name  # type: ignore[attr-defined]
    for _ in range(200):
        focusable = widget.isVisible() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        if focusable and page.isAncestorOf(widget) and widget not in chain:
            chain.append(widget)
        following = widget.nextInFocusChain()
        assert following is not None
        widget = following
        if widget is page.name:  # type: ignore[attr-defined]
            break
    # the notice's link labels come first on the page; the form follows in reading order
    assert [c for c in chain if c in reading_order] == reading_order
    w.close()


def test_pages_are_built_when_first_visited_and_each_once(qtbot: QtBot, tmp_path: Path) -> None:
    """Issue 17 (quick start): the window opens with its first page only; every other page is
    built, made plain text and stacked when the candidate gets there, and kept."""
    w = make(demo_kit_path(), ManualClock(), tmp_path / "a.onetake")
    qtbot.addWidget(w)
    w.show()
    first = w.page
    assert w.pages.built() == [first] and w.stack.currentWidget() is first
    w.act(w.service.begin)  # on to the privacy notice
    privacy = w.pages["privacy"]
    assert w.stack.currentWidget() is privacy and privacy in w.pages.built()
    assert w.pages["privacy"] is privacy  # built once
    assert all(
        lab.textFormat() == Qt.TextFormat.PlainText or lab.property("safe_link")
        for lab in privacy.findChildren(QLabel)
    )
    assert len(w.pages.built()) == 2
    # Built while the window is on screen, no part of it opened as a window of its own.
    assert [x for x in QApplication.topLevelWidgets() if x.isVisible()] == [w]
    w.close()
