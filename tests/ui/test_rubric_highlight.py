"""The rubric shows which level is chosen: that level's anchor gets the highlight, the one
chosen before loses it, and an answer opened without a score shows none. (The panel restyles
an anchor only when its look changes: issue 17; this guards what the reviewer sees.)"""

from __future__ import annotations

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.kit import Rubric, RubricLevel
from onetake_desktop.ui.widgets.rubric import RubricPanel

HIGHLIGHT = QColor("#e8f0fa")
RUBRIC = Rubric("Ownership", tuple(RubricLevel(i, f"Level {i} anchor") for i in range(1, 6)))


def _highlighted(panel: RubricPanel) -> list[int]:
    """The levels whose anchor is painted with the highlight's background (a pixel of its
    rounded box's inside, off the text)."""
    out = []
    for score, label in panel.anchors.items():
        image = label.grab().toImage()
        if image.pixelColor(image.width() - 8, image.height() // 2) == HIGHLIGHT:
            out.append(score)
    return out


def test_the_chosen_level_alone_is_highlighted(qtbot: QtBot) -> None:
    panel = RubricPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_answer(RUBRIC, None, "", ())
    assert _highlighted(panel) == []
    panel.choose(4)
    assert _highlighted(panel) == [4]
    panel.choose(2)
    assert _highlighted(panel) == [2]
    panel.show_answer(RUBRIC, 5, "", ())  # another answer, scored before
    assert _highlighted(panel) == [5]
    panel.show_answer(RUBRIC, None, "", ())  # and one not scored yet
    assert _highlighted(panel) == []
