"""Issue 17: measured labels (ui.widgets.measured_label: the author window's labels, and the
base of the candidate's TextLabel) keep the heights they measured per width. A kept height must
always be the one a plain QLabel would give: after the text, the font, the style sheet, the
margins, the wrapping or the alignment change."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from onetake_desktop.ui.author.fields import plain_label
from onetake_desktop.ui.widgets.measured_label import MeasuredLabel

TEXT = "Building changed content over a published kit moves this on by itself."
LONG = " ".join(["Candidates may write every answer instead of recording it."] * 4)
WIDTHS = [40, 90, 150, 233, 400, 800]

Change = Callable[[QLabel], object]
CHANGES: list[tuple[str, Change]] = [
    ("text", lambda w: w.setText(LONG)),
    ("cleared", lambda w: w.clear()),
    ("font", lambda w: w.setFont(QFont(w.font().family(), 19))),
    ("style sheet", lambda w: w.setStyleSheet("font-size: 23px; padding: 7px;")),
    ("margins", lambda w: w.setContentsMargins(30, 4, 30, 4)),
    ("no wrap", lambda w: w.setWordWrap(False)),
    ("indent", lambda w: w.setIndent(40)),
    ("margin", lambda w: w.setMargin(12)),
    ("alignment", lambda w: w.setAlignment(Qt.AlignmentFlag.AlignRight)),
    ("selectable", lambda w: w.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditable)),
]


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _heights(label: QLabel) -> list[int]:
    return [label.heightForWidth(w) for w in WIDTHS]


def test_the_author_labels_are_measured_plain_labels(qtbot: QtBot) -> None:
    label = plain_label(TEXT, "Hint")
    qtbot.addWidget(label)
    assert isinstance(label, MeasuredLabel)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.wordWrap()


@pytest.mark.parametrize(("name", "change"), CHANGES, ids=[name for name, _ in CHANGES])
def test_kept_heights_are_a_plain_labels_after_a_change(
    qtbot: QtBot, name: str, change: Change
) -> None:
    ours, theirs = plain_label(TEXT), _plain(TEXT)
    for w in (ours, theirs):
        qtbot.addWidget(w)
        w.show()
    before = _heights(ours)
    assert before == _heights(theirs)
    assert _heights(ours) == before  # the kept answers
    change(ours)
    change(theirs)
    assert _heights(ours) == _heights(theirs), name
    # The change took effect (the test would pass vacuously otherwise) for those that
    # change the heights at these widths.
    if name not in {"alignment", "selectable"}:
        assert _heights(ours) != before, name
