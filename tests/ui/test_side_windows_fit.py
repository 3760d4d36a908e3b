"""The panel's and the author's side windows open inside a small screen's free area, their
essential buttons in sight (review s11: they opened at fixed sizes past 1024x600 and past
1366x768 at 150 %, losing Submit, Start and Add).

A screen is emulated by its free area in device-independent pixels (1366/1.5 x 768/1.5 =
910x512 is what Qt lays out with QT_SCALE_FACTOR=1.5), given as QScreen.availableGeometry,
which ``fit_to_screen`` reads. The screenshots at both sizes under Xvfb are in the notes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.services import author
from onetake_desktop.services.context import AppContext
from onetake_desktop.services.panel import Actor, PanelService
from onetake_desktop.storage import kitfile
from onetake_desktop.ui.author.bank import QuestionBankDialog
from onetake_desktop.ui.author.preview import PreviewWindow
from onetake_desktop.ui.panel.compare import CompareWindow
from onetake_desktop.ui.panel.people import AuditWindow
from onetake_desktop.ui.panel.question_mode import QuestionModeWindow
from onetake_desktop.ui.panel.summary import SummaryWindow
from onetake_desktop.ui.panel.switch import PanelistSwitch
from tests.ui.test_decision_form import panel_named

pytestmark = pytest.mark.timeout(180, method="thread")

SCREENS = {"1024x600": (1024, 600), "1366x768@150%": (910, 512)}
LONG_CANDIDATE = "Maximilian-Alexander Featherstonehaugh-Worthington-Smythe"
LONG_PANELIST = "Benedikt Oberhausen-Lindqvist"


@pytest.fixture(params=list(SCREENS))
def free(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> QRect:
    width, height = SCREENS[request.param]
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(0, 0, width, height))
    return QRect(0, 0, width, height)


@pytest.fixture
def panel() -> Iterator[tuple[PanelService, Actor, int]]:
    """Two candidates (the first with a long name) scored and submitted by Ana and by a
    panelist with a long name; the service, the latter, the long-named candidate."""
    service, ana, interview, long_sid = panel_named(LONG_CANDIDATE)
    ben = service.create_panelist(LONG_PANELIST, "ben passphrase")
    for actor, score in ((ana, 4), (ben, 5)):
        for candidate in service.candidates(interview_pk=interview):
            for answer_id in candidate.answers.values():
                service.save_score(actor, answer_id=answer_id, score=score)
        for question in service.questions(interview_pk=interview):
            service.submit_question(actor, interview_pk=interview, question_id=question)
    yield service, ben, long_sid
    service.library.close()


def opened(qtbot: QtBot, window: QWidget) -> QWidget:
    if window.parentWidget() is None:  # (the panel's go with their parent, closed or not)
        qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def unclipped(widget: QWidget, window: QWidget) -> bool:
    """Wholly inside each of its parents up to the window (a scroll area's viewport or a
    splitter's pane cuts what runs past it)."""
    where = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if not QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()).contains(where):
            return False
        parent = parent.parentWidget()
    return True


def assert_fits(window: QWidget, free: QRect, *buttons: QWidget) -> None:
    """The window within the free area, each button (or other part) wholly inside it and not
    clipped by a scroll area or a splitter."""
    size = window.frameGeometry().size()
    assert size.width() <= free.width() and size.height() <= free.height(), size
    for button in buttons:
        assert button.isVisible(), button
        where = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        name = button.text() if isinstance(button, QPushButton) else type(button).__name__
        assert window.rect().contains(where), (name, where, window.size())
        assert unclipped(button, window), name
        assert button.height() >= 20, name


def test_the_panel_windows_fit_with_their_buttons_in_sight(
    qtbot: QtBot, free: QRect, panel: tuple[PanelService, Actor, int]
) -> None:
    service, ben, long_sid = panel
    parent = QWidget()
    qtbot.addWidget(parent)

    question = opened(qtbot, QuestionModeWindow(parent, service, ben))
    assert isinstance(question, QuestionModeWindow)
    for i, (sid, _question) in enumerate(question.queue):
        question.go(i)
        QApplication.processEvents()
        assert_fits(question, free, question.previous_button, question.next_button)
        assert_fits(question, free, question.submit_button, question.rubric)
        if sid == long_sid:  # cut to its room, not widening the window; whole in the tooltip
            assert question.candidate_label.text() == LONG_CANDIDATE
            assert LONG_CANDIDATE in question.candidate_label.toolTip()
    question.close()

    compare = opened(qtbot, CompareWindow(parent, service, ben))
    assert isinstance(compare, CompareWindow)
    for combo, player, mine in compare.sides:  # (text answers: no playing controls)
        assert_fits(compare, free, combo, player, mine)
        assert mine.text().startswith("Your score: 5")
    compare.close()

    audit = opened(qtbot, AuditWindow(parent, service, ben))
    assert_fits(audit, free)
    audit.close()

    summary = opened(qtbot, SummaryWindow(parent, service, ben))
    assert isinstance(summary, SummaryWindow)
    assert_fits(summary, free)
    table, model = summary.table, summary.model
    header = table.horizontalHeader()
    # Mean and Decision come right after the name, in sight; the questions scroll sideways
    # when they do not fit, and every column can be reached.
    assert [model.headerData(c, header.orientation()) for c in range(3)] == [
        "Candidate",
        "Mean",
        "Decision",
    ]
    assert header.sectionViewportPosition(2) + header.sectionSize(2) <= table.viewport().width()
    last = model.columnCount() - 1
    bar = table.horizontalScrollBar()
    assert header.length() <= table.viewport().width() or bar.maximum() > 0
    table.scrollTo(model.index(0, last))
    assert header.sectionViewportPosition(last) < table.viewport().width()
    # A cell: one line per panelist, score first, so a long name is cut and never a score.
    sid = service.candidates(interview_pk=summary.picker.interview_pk())[0].submission_id
    text = summary.cell_text(sid, "q1")
    assert text.splitlines()[:2] == ["4  Ana", f"5  {LONG_PANELIST}"]
    assert not table.wordWrap()
    lines = len(text.splitlines())
    assert table.verticalHeader().defaultSectionSize() >= lines * table.fontMetrics().lineSpacing()
    figures = text.splitlines()[-1]
    assert header.sectionSize(3) >= table.fontMetrics().horizontalAdvance(figures)
    summary.close()


def test_the_author_side_windows_fit_with_their_buttons_in_sight(
    qtbot: QtBot, free: QRect, app_context: AppContext
) -> None:
    bank = opened(qtbot, QuestionBankDialog())
    assert isinstance(bank, QuestionBankDialog)
    cancel = [b for b in bank.findChildren(QPushButton) if b is not bank.add_button]
    assert_fits(bank, free, bank.add_button, *cancel)
    bank.close()

    draft = author.AuthorDraft.open(kitfile.demo_source_path())
    preview = opened(qtbot, PreviewWindow(draft, app_context))
    assert isinstance(preview, PreviewWindow)
    start = preview.candidate.pages["welcome"].start_button  # type: ignore[attr-defined]
    assert_fits(preview, free, start)
    # The banner is its line (the height left over went to it), the rest the candidate's.
    banner = preview.banner
    assert banner.height() <= banner.heightForWidth(banner.width()) + 4
    preview.close()


def test_a_long_panelist_name_is_cut_on_the_switch_which_stays_in_the_window(
    qtbot: QtBot, panel: tuple[PanelService, Actor, int]
) -> None:
    service, ben, _ = panel
    window, switch = switch_in_a_window(qtbot, service)
    assert switch.text() == "Panel locked ▾"
    service.sign_in(ben.reviewer_id, "ben passphrase")
    switch.update_label()  # (the panel controller does, on a sign-in)
    QApplication.processEvents()
    assert switch.text().startswith("Panelist: Benedikt") and switch.text().endswith("… ▾")
    assert LONG_PANELIST in switch.toolTip() and LONG_PANELIST in switch.accessibleName()
    # Placed again for its new width: wholly inside the menu bar, not past the window's edge.
    bar = window.menuBar()
    assert bar.rect().contains(switch.geometry()), (switch.geometry(), bar.rect())


def switch_in_a_window(qtbot: QtBot, service: PanelService) -> tuple[QMainWindow, PanelistSwitch]:
    """The switch at the top right of a reviewer-like window's menu bar, shown, locked."""
    window = QMainWindow()
    qtbot.addWidget(window)
    for name in ("File", "Playback", "Review", "View", "Panel", "Help"):
        window.menuBar().addMenu(name)
    window.setCentralWidget(QLineEdit())  # somewhere else the focus could go
    service.lock()
    switch = PanelistSwitch(service, lambda _rid: None, window)
    window.menuBar().setCornerWidget(switch)
    window.resize(760, 400)
    window.show()
    qtbot.waitExposed(window)
    return window, switch


def test_a_very_long_panelist_name_is_cut_in_one_measure(
    qtbot: QtBot, panel: tuple[PanelService, Actor, int]
) -> None:
    """Review s11b L2: names have no length limit (a pasted paragraph); the switch cut one
    character at a time, measuring the whole rest each time (8000 characters: 5.9 s of the
    GUI thread at every sign-in and lock). Now one elidedText: it completes, and fits."""
    from onetake_desktop.ui.panel.switch import NAME_EMS

    service, _ben, _ = panel
    long_name = "Paste " + "x" * 8000
    who = service.create_panelist(long_name, "long passphrase")
    window, switch = switch_in_a_window(qtbot, service)
    service.sign_in(who.reviewer_id, "long passphrase")
    switch.update_label()
    QApplication.processEvents()
    text = switch.text()
    assert text.startswith("Panelist: Paste x") and text.endswith("… ▾"), text[:80]
    cut = text.removeprefix("Panelist: ").removesuffix(" ▾")
    metrics = switch.fontMetrics()
    assert metrics.horizontalAdvance(cut) <= metrics.horizontalAdvance("M") * NAME_EMS
    assert len(cut) < 100
    assert long_name in switch.accessibleName()  # the whole name, for a screen reader
    bar = window.menuBar()
    assert bar.rect().contains(switch.geometry()), (switch.geometry(), bar.rect())


def test_placing_the_switch_again_keeps_its_keyboard_focus(
    qtbot: QtBot, panel: tuple[PanelService, Actor, int]
) -> None:
    """Review s11b L3: a new label placed the switch again by hide() and show(), which took
    the keyboard focus away from it (a keyboard user on it at a sign-in or lock)."""
    service, ben, _ = panel
    window, switch = switch_in_a_window(qtbot, service)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    switch.setFocus()
    qtbot.waitUntil(switch.hasFocus)
    service.sign_in(ben.reviewer_id, "ben passphrase")
    switch.update_label()  # "Panel locked" -> the long name: wider, placed again
    QApplication.processEvents()
    assert switch.text().startswith("Panelist: Benedikt")
    assert switch.hasFocus() and QApplication.focusWidget() is switch
    bar = window.menuBar()
    assert bar.rect().contains(switch.geometry()), (switch.geometry(), bar.rect())
    named = switch.geometry()
    service.lock()
    switch.update_label()  # and back, narrower
    QApplication.processEvents()
    assert switch.text() == "Panel locked ▾" and switch.hasFocus()
    narrower = switch.geometry()
    assert narrower.width() < named.width() and narrower.right() == named.right()


def test_the_rubric_anchors_stack_when_the_form_is_narrow(
    qtbot: QtBot, app_context: AppContext
) -> None:
    from PySide6.QtWidgets import QScrollArea

    from onetake_desktop.ui.author.window import AuthorWindow

    window = AuthorWindow(app_context, author.AuthorDraft.open(kitfile.demo_source_path()))
    qtbot.addWidget(window)
    window.ask_unsaved = lambda: "discard"
    window.resize(*SCREENS["1366x768@150%"])
    window.show()
    qtbot.waitExposed(window)
    window.build_parts()
    window.tabs.setCurrentWidget(window.questions)
    rows = window.questions.anchor_rows
    scroll = rows.parentWidget()
    while scroll is not None and not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    assert isinstance(scroll, QScrollArea)
    # Narrow: one under the other, nothing scrolls sideways.
    qtbot.waitUntil(lambda: rows.side_by_side is False and rows.isVisible())
    assert scroll.horizontalScrollBar().maximum() == 0
    edits = [edit for _heading, edit, _note in rows.parts]
    assert len({e.x() for e in edits}) == 1 and len({e.y() for e in edits}) == 5
    # Wide: side by side, each box wide enough for its words.
    window.resize(1700, 900)
    qtbot.waitUntil(lambda: rows.side_by_side is True)
    QApplication.processEvents()
    assert len({e.y() for e in edits}) == 1 and min(e.width() for e in edits) >= 150
