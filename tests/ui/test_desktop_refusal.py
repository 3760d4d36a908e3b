"""A damaged kit opened from the desktop (review s11 #2, #18): the command line says one
sentence on stderr with exit code 3 (a contract); the desktop launch, whose stderr nobody
reads, shows the same sentence in a box too, and still ends with 3. The sentence is in the
candidate's words, with a next step."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from onetake_desktop import app, desktop_entry
from onetake_desktop.domain.errors import EXIT_INVALID_INPUT

DAMAGED = (
    "The interview kit {name} is damaged or is not an interview kit, so it cannot be opened; "
    "ask the employer for a new copy of the interview kit."
)


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[QMessageBox]:
    """Every message box that would wait for the user, recorded instead of waited for."""
    shown: list[QMessageBox] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return shown


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe", b'{"a": 1}', b"[]", b'{"format": "onetake-kit"'],
    ids=["empty", "not-utf8", "not-a-kit", "a-list", "cut-short"],
)
def test_the_command_line_says_one_sentence_and_exits_3(
    tmp_path: Path,
    content: bytes,
    boxes: list[QMessageBox],
    capsys: pytest.CaptureFixture[str],
) -> None:
    kit = tmp_path / "bad.onetakekit"
    kit.write_bytes(content)
    assert app.main(["candidate", str(kit)]) == EXIT_INVALID_INPUT
    captured = capsys.readouterr()
    assert captured.err == f"onetake: {DAMAGED.format(name='bad.onetakekit')}\n"
    assert captured.out == ""
    assert boxes == []  # a terminal user reads stderr: no window of any kind


def test_the_desktop_shows_the_same_sentence_in_a_box_and_exits_3(
    tmp_path: Path, boxes: list[QMessageBox], capsys: pytest.CaptureFixture[str]
) -> None:
    kit = tmp_path / "<b>Offer<b>.onetakekit"  # a name that looks like markup stays as typed
    kit.write_bytes(b"")
    assert desktop_entry.main([str(kit)]) == EXIT_INVALID_INPUT
    sentence = DAMAGED.format(name="<b>Offer<b>.onetakekit")
    assert capsys.readouterr().err == f"onetake: {sentence}\n"  # still said, for the log
    assert len(boxes) == 1
    box = boxes[0]
    assert box.text() == sentence
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.icon() == QMessageBox.Icon.Critical


def test_the_desktop_shows_a_changed_kits_own_sentence(
    tmp_path: Path, boxes: list[QMessageBox], capsys: pytest.CaptureFixture[str]
) -> None:
    # A refusal other than a damaged file (here: no such kit) is shown as the command says it.
    missing = tmp_path / "gone.onetakekit"
    assert desktop_entry.main([str(missing)]) == EXIT_INVALID_INPUT
    said = capsys.readouterr().err.removeprefix("onetake: ").rstrip("\n")
    assert [box.text() for box in boxes] == [said]
    assert "gone.onetakekit" in said


def test_the_start_screens_kit_is_refused_in_the_same_words(tmp_path: Path) -> None:
    # The start screen's "Open another interview kit…" builds the window without the command
    # line's check: the same check runs there, with the same sentence.
    from onetake_desktop.cli import GuiRequest
    from onetake_desktop.domain.errors import InvalidInputError
    from onetake_desktop.services.context import AppContext
    from onetake_desktop.ui.application import open_window

    kit = tmp_path / "bad.onetakekit"
    kit.write_bytes(b"{")
    with pytest.raises(InvalidInputError) as refused:
        open_window(GuiRequest("candidate", (kit,)), AppContext.from_environment())
    assert str(refused.value) == DAMAGED.format(name="bad.onetakekit")
