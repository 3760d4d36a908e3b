"""Qt's enum values as plain numbers, for the code a window runs before its first paint.

The first time anything names PySide6's ``Qt`` namespace (``from PySide6.QtCore import Qt``,
or a call whose overloads take one of its enums, such as ``QAbstractButton.setShortcut`` or a
model's ``headerData``), PySide6 builds a Python enum class for every one of its ~95 enums at
once: ~126 M instructions, a fifth of a bare window's whole start-up (issue 17). So the
code on a window's way to its first paint sets enum-typed Q_PROPERTYs by number with
:func:`set_properties` (Qt converts the number to the property's enum, as it does for a style
sheet's ``qproperty-``), and whatever has no property waits for ``after_first_paint``.

The classes below mirror the ``Qt`` namespace's names (``TextFormat.PlainText``) so that a
reader sees which value is meant; tests/ui/test_first_paint_enums.py checks every number
against PySide6's own and that no window builds the namespace before its first paint.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from PySide6.QtCore import QObject


class TextFormat:
    PlainText = 0
    RichText = 1
    AutoText = 2  # QLabel's default


class AlignmentFlag:
    AlignLeft = 0x1
    AlignRight = 0x2
    AlignHCenter = 0x4
    AlignTop = 0x20
    AlignBottom = 0x40
    AlignVCenter = 0x80
    AlignCenter = 0x84


class TextFlag:
    TextWordWrap = 0x1000


class TextInteractionFlag:
    NoTextInteraction = 0
    TextSelectableByMouse = 1
    TextSelectableByKeyboard = 2
    LinksAccessibleByMouse = 4
    LinksAccessibleByKeyboard = 8


class FocusPolicy:
    NoFocus = 0
    TabFocus = 1
    ClickFocus = 2
    StrongFocus = 11
    WheelFocus = 15


class Orientation:
    Horizontal = 1
    Vertical = 2


class ShortcutContext:
    WidgetShortcut = 0
    WindowShortcut = 1
    ApplicationShortcut = 2
    WidgetWithChildrenShortcut = 3


class ContextMenuPolicy:
    NoContextMenu = 0
    DefaultContextMenu = 1
    ActionsContextMenu = 2
    CustomContextMenu = 3
    PreventContextMenu = 4


class ToolButtonStyle:
    ToolButtonIconOnly = 0
    ToolButtonTextOnly = 1
    ToolButtonTextBesideIcon = 2
    ToolButtonTextUnderIcon = 3
    ToolButtonFollowStyle = 4


class ArrowType:
    NoArrow = 0
    UpArrow = 1
    DownArrow = 2
    LeftArrow = 3
    RightArrow = 4


class TextElideMode:
    ElideLeft = 0
    ElideRight = 1
    ElideMiddle = 2
    ElideNone = 3


class ScrollBarPolicy:
    ScrollBarAsNeeded = 0
    ScrollBarAlwaysOff = 1
    ScrollBarAlwaysOn = 2


class ItemDataRole:
    # A model's data(index, role) receives the role as a plain int: compare it with these.
    DisplayRole = 0
    DecorationRole = 1
    EditRole = 2
    ToolTipRole = 3
    StatusTipRole = 4
    WhatsThisRole = 5
    FontRole = 6
    TextAlignmentRole = 7
    BackgroundRole = 8
    ForegroundRole = 9
    CheckStateRole = 10
    AccessibleTextRole = 11
    AccessibleDescriptionRole = 12
    SizeHintRole = 13
    UserRole = 256


def set_properties(target: QObject, **values: object) -> None:
    """``target.setProperty(name, value)`` for each, refusing a name that is not one of the
    class's declared properties or a value of a type Qt cannot convert to it (``setProperty``
    would quietly make a dynamic property, or leave the old value, and return False). A
    number is not checked against the enum's values: take it from the classes above, which
    the tests check against Qt's own."""
    for name, value in values.items():
        if not target.setProperty(name, value):
            raise ValueError(f"{type(target).__name__} has no property {name!r} taking {value!r}")
