"""TextLabel (ui/candidate/widgets.py) remembers its height per width (issue 17): it must
answer exactly what a plain QLabel answers, after every change that moves its text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.ui.candidate.widgets import TextLabel
from onetake_desktop.ui.widgets.qt_numbers import TextFormat, TextInteractionFlag, set_properties

TEXT = (
    "Before each recorded answer you get 30 seconds to think; the question stays on screen "
    "and your answer may run up to two minutes.<br><br>(Markup shows as typed in plain text.)"
)
WIDTHS = tuple(range(60, 901, 7))


def twins(qtbot: QtBot) -> tuple[QWidget, TextLabel, QLabel]:
    """A TextLabel and a plain QLabel with the same text, side by side in one styled box."""
    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    ours, plain = TextLabel(), QLabel()
    for lab in (ours, plain):
        lab.setTextFormat(Qt.TextFormat.PlainText)
        lab.setWordWrap(True)
        lab.setText(TEXT)
        layout.addWidget(lab)
    return box, ours, plain


def heights(lab: QLabel) -> list[int]:
    return [lab.heightForWidth(w) for w in WIDTHS]


CHANGES: dict[str, Callable[[QWidget, QLabel], object]] = {
    "text": lambda box, lab: lab.setText(TEXT + " " + TEXT),
    "text as a property": lambda box, lab: lab.setProperty("text", TEXT + " " + TEXT),
    "cleared": lambda box, lab: lab.clear(),
    "a number": lambda box, lab: lab.setNum(7),
    "selectable": lambda box, lab: lab.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
    ),
    "font": lambda box, lab: lab.setFont(lab.font().__class__("Sans", 19)),
    "style sheet": lambda box, lab: box.setStyleSheet(
        "QLabel { font-size: 17pt; padding: 6px 20px; border: 3px solid #888; }"
    ),
    "margin": lambda box, lab: lab.setMargin(9),
    "indent": lambda box, lab: lab.setIndent(30),
    "contents margins": lambda box, lab: lab.setContentsMargins(25, 3, 40, 3),
    "no wrap": lambda box, lab: lab.setWordWrap(False),
    "rich text": lambda box, lab: lab.setTextFormat(Qt.TextFormat.RichText),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_heights_follow_every_change_like_a_plain_label(qtbot: QtBot, change: str) -> None:
    box, ours, plain = twins(qtbot)
    box.show()
    assert heights(ours) == heights(plain)  # asked once: now remembered
    before = heights(plain)
    for lab in (ours, plain):
        if change == "style sheet":
            CHANGES[change](box, lab)
            break
        CHANGES[change](box, lab)
    after = heights(plain)
    if change != "selectable":  # measured another way, often to the same pixel
        assert after != before, f"the test's {change!r} must change the heights"
    assert heights(ours) == after


def test_the_same_width_is_laid_out_once(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    _box, ours, _plain = twins(qtbot)
    asked: list[int] = []
    real = QLabel.heightForWidth

    def counting(self: QLabel, width: int) -> int:
        asked.append(width)
        return real(self, width)

    monkeypatch.setattr(QLabel, "heightForWidth", counting)
    first = [ours.heightForWidth(233) for _ in range(5)]
    assert asked == [233] and len(set(first)) == 1


SELECTABLE_TEXTS = {
    "kit prose": TEXT,
    "lines": "First line\nsecond line\n\nafter a blank line\n",
    "one long word": "Supercalifragilistic" * 12 + " end",
    "right to left": "שלום עולם مرحبا بالعالم mixed 123 " * 6,
    "wide and combining": "日本語のテキスト 😀🎉 e\u0301\u0301 " * 10,
    "tabs": "tab\there\tand\tthere " * 12,
    "zero-width spaces": "zero\u200bwidth\u200b" * 30,
}
SCALE_FONTS = (9, 12.5, 17)


@pytest.mark.parametrize(
    "start",
    [Qt.TextInteractionFlag.LinksAccessibleByMouse, Qt.TextInteractionFlag.NoTextInteraction],
)
@pytest.mark.parametrize("name", list(SELECTABLE_TEXTS))
def test_heights_kept_when_made_selectable_are_what_a_selectable_label_measures(
    qtbot: QtBot, name: str, start: Qt.TextInteractionFlag
) -> None:
    """Turning a label selectable keeps its remembered heights only where a selectable plain
    QLabel measures the same; tabs and zero-width spaces measure otherwise and are redone."""
    box, ours, plain = twins(qtbot)
    box.show()
    for size in SCALE_FONTS:
        font = ours.font()
        font.setPointSizeF(size)
        for lab in (ours, plain):
            lab.setTextInteractionFlags(start)  # LinksAccessibleByMouse: QLabel's default
            lab.setFont(font)
            lab.setText(SELECTABLE_TEXTS[name])
        heights(ours)  # remembered as a label that is not selectable
        for lab in (ours, plain):
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        assert heights(ours) == heights(plain), f"{name} at {size} pt"


def test_a_text_label_records_a_format_and_flags_set_by_property(qtbot: QtBot) -> None:
    """set_properties (by number, before a first paint) goes through the label's own setters:
    what it records is what Qt shows, and measures_alike_when_selectable reads that."""
    label = TextLabel("Plain words that wrap.")
    qtbot.addWidget(label)
    set_properties(
        label,
        textFormat=TextFormat.PlainText,
        textInteractionFlags=TextInteractionFlag.TextSelectableByMouse,
    )
    assert label.text_format == label.textFormat().value == TextFormat.PlainText
    flags = TextInteractionFlag.TextSelectableByMouse
    assert label.interaction_flags == label.textInteractionFlags().value == flags
