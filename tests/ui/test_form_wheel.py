"""Walk s13 Medium 1: the mouse wheel over a scrolling form scrolls it. A spin box or combo box
under the pointer changes by the wheel only once it was clicked or tabbed into (the wheel took
"Time to think" from 5 s to 0 s, and Ctrl+S saved it). Real windows, real wheel events sent
through the window as the window system would (QTest.wheelEvent: spontaneous, so Qt hands an
ignored one on to the parents as it does for a real mouse)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from onetake_desktop.services.author import AuthorDraft
from onetake_desktop.services.context import AppContext
from onetake_desktop.storage import kitfile
from onetake_desktop.ui.author.window import AuthorWindow
from onetake_desktop.ui.widgets.wheel import wheel_when_focused
from tests.ui.test_author_window import field, make_window

pytestmark = pytest.mark.timeout(120, method="thread")
DOWN = QPoint(0, -120)  # one notch towards the user: the page moves down


def _scroll_area(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def _wheel_over(widget: QWidget, delta: QPoint = DOWN) -> None:
    """One notch of the wheel with the pointer on ``widget``'s middle, through its window."""
    window = widget.window()
    handle = window.windowHandle()
    assert handle is not None
    inside = widget.mapTo(window, widget.rect().center())
    assert window.childAt(inside) in (widget, *widget.findChildren(QWidget))  # it is on top
    QTest.wheelEvent(handle, QPointF(inside), delta)
    QApplication.processEvents()


def _questions_form(qtbot: QtBot, app_context: AppContext) -> tuple[AuthorWindow, QScrollArea]:
    w = make_window(qtbot, app_context, AuthorDraft.open(kitfile.demo_source_path()))
    qtbot.waitExposed(w)
    w.tabs.setCurrentWidget(w.questions)
    w.questions.list.setCurrentRow(0)
    w.questions.list.setFocus()  # the list has the focus, as after choosing a question
    think = field(w, "questions[{q}].think_seconds").widget
    area = _scroll_area(think)
    assert area is not None
    assert area.verticalScrollBar().maximum() > 0  # at 1024x600 the form scrolls
    return w, area


def test_the_wheel_over_an_unfocused_spin_box_scrolls_the_form(
    qtbot: QtBot, app_context: AppContext
) -> None:
    w, area = _questions_form(qtbot, app_context)
    think = field(w, "questions[{q}].think_seconds").widget
    assert isinstance(think, QSpinBox)
    before = think.value()
    assert before == w.draft.get("questions[0].think_seconds") and before > think.minimum()
    area.ensureWidgetVisible(think)
    QApplication.processEvents()
    top = area.verticalScrollBar().value()

    _wheel_over(think)

    assert think.value() == before  # the number stays
    assert not think.hasFocus()  # the wheel does not take the focus either
    assert area.verticalScrollBar().value() > top  # the page moved instead
    assert w.draft.get("questions[0].think_seconds") == before
    assert not w.draft.can_undo

    # Clicked into (here: focused, as a click or Tab does), the wheel changes it.
    area.ensureWidgetVisible(think)
    QApplication.processEvents()
    think.setFocus()
    QApplication.processEvents()
    assert think.hasFocus()
    scrolled = area.verticalScrollBar().value()
    _wheel_over(think)
    assert think.value() == before - 1
    assert w.draft.get("questions[0].think_seconds") == before - 1
    assert area.verticalScrollBar().value() == scrolled  # the page stays while it changes


def test_the_wheel_over_an_unfocused_combo_box_scrolls_the_form(
    qtbot: QtBot, app_context: AppContext
) -> None:
    w, area = _questions_form(qtbot, app_context)
    kind = field(w, "questions[{q}].answer_type").widget
    assert isinstance(kind, QComboBox)
    index = kind.currentIndex()
    area.verticalScrollBar().setValue(0)
    QApplication.processEvents()

    _wheel_over(kind)

    assert kind.currentIndex() == index
    assert area.verticalScrollBar().value() > 0
    assert not w.draft.can_undo


def test_every_spin_and_combo_box_in_the_authors_scrolling_tabs_is_guarded(
    qtbot: QtBot, app_context: AppContext
) -> None:
    # The demo has an accommodation (its time factor) and a deadline row: all of them there.
    w = make_window(qtbot, app_context, AuthorDraft.open(kitfile.demo_source_path()))
    w.build_parts()
    boxes = [
        box
        for box in w.findChildren(QWidget)
        if isinstance(box, QAbstractSpinBox | QComboBox) and _scroll_area(box) is not None
    ]
    names = {type(box).__name__ for box in boxes}
    assert {"QSpinBox", "QDoubleSpinBox", "QDateTimeEdit", "QComboBox"} <= names
    unguarded = [
        field_path
        for box in boxes
        if box.focusPolicy() != Qt.FocusPolicy.StrongFocus or "wheelEvent" not in vars(box)
        for field_path in [box.property("fieldPath") or box.accessibleName() or repr(box)]
    ]
    assert unguarded == []


def test_the_guard_hands_the_wheel_on_to_any_scroll_area(qtbot: QtBot) -> None:
    area = QScrollArea()
    qtbot.addWidget(area)
    area.setWidgetResizable(True)
    inner = QWidget()
    layout = QVBoxLayout(inner)
    spin = wheel_when_focused(QSpinBox())
    combo = wheel_when_focused(QComboBox())
    combo.addItems(["one", "two", "three"])
    layout.addWidget(spin)
    layout.addWidget(combo)
    layout.addSpacing(2000)
    area.setWidget(inner)
    area.resize(300, 300)
    area.show()
    qtbot.waitExposed(area)
    spin.setValue(5)
    combo.setCurrentIndex(1)
    readings = ((spin, spin.value, 5, 4), (combo, combo.currentIndex, 1, 2))
    for box, reading, unfocused, focused in readings:
        area.verticalScrollBar().setValue(0)
        area.setFocus()
        QApplication.processEvents()
        _wheel_over(box)
        assert reading() == unfocused
        assert area.verticalScrollBar().value() > 0
        area.verticalScrollBar().setValue(0)
        box.setFocus()
        QApplication.processEvents()
        _wheel_over(box)
        assert reading() == focused
        assert area.verticalScrollBar().value() == 0
