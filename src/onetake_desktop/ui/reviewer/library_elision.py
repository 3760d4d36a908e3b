"""How the library tree cuts a row too long for it (review s11 #8).

The view's own mode keeps a candidate's name's both ends ("Maximi…Smythe": the first and last
words tell candidates apart). An interview's title and a question read from their beginning
("1. Tell us about a time…", not "1. Tell u…d it end?"). A view has one mode for all its rows,
so this delegate sets the others' row by row.

Its own module, set on the tree after the window's first frame (window._first_frame_out): the
delegate's Python class, and the Qt namespace its enum is in, are no part of that frame
(issue 17); that frame shows the interview and candidates' rows.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from onetake_desktop.ui.reviewer.library_model import KIND_ROLE


class RowElision(QStyledItemDelegate):
    """Interview and question rows elide on the right; candidates keep the view's mode."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.column() == 0 and index.data(KIND_ROLE) != "candidate":
            option.textElideMode = Qt.TextElideMode.ElideRight
