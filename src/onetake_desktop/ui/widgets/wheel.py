"""Spin boxes and combo boxes in a scrolling form take the mouse wheel only once focused.

Qt gives a spin box or a combo box the wheel (and the focus) as soon as the pointer passes
over it: scrolling a long form then changed whichever value came under the pointer (walk s13
Medium 1: "Time to think" went from 5 s to 0 s, and was saved). Guarded, the box takes the
focus by click or Tab only, and a wheel over it while unfocused goes on to the scroll area.
"""

from __future__ import annotations

import weakref

from onetake_desktop.ui.widgets.qt_numbers import FocusPolicy, set_properties

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

    Box = TypeVar("Box", bound=QAbstractSpinBox | QComboBox)


def wheel_when_focused(box: Box) -> Box:
    """Returns ``box``, which now changes by the wheel only while it has the focus.

    Call it right after making the box, before any wheel reaches it."""
    # By number: the candidate's devices page is built before its first paint (qt_numbers).
    set_properties(box, focusPolicy=FocusPolicy.StrongFocus)
    own: Callable[..., None] = type(box).wheelEvent  # Qt's handler, called non-virtually
    held = weakref.ref(box)  # the handler lives in the box's own dict: no cycle through it

    def wheel_event(event: QWheelEvent) -> None:
        target = held()
        if target is not None and target.hasFocus():
            own(target, event)
        else:
            event.ignore()  # Qt hands an ignored wheel event on to the parent: the scroll area

    # On the instance, not a subclass or an event filter: PySide6 looks for a virtual's Python
    # override in the object's dict, so only wheel events reach Python (every event goes
    # through an event filter: ~1.5 M instructions a window before its first paint, issue 17)
    # and the box keeps its own class (fields.Field tells editors apart by class).
    setattr(box, "wheelEvent", wheel_event)  # noqa: B010 (mypy refuses assigning a method)
    return box
