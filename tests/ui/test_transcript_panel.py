"""The transcript panel (issue 16) on a real library: the current word follows the position,
clicking a word seeks, a word can take a pinned note, search jumps to a candidate's moment,
and the background run shows progress and pauses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.transcript import Transcript, Word
from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from onetake_desktop.services.transcripts import TranscriptService
from onetake_desktop.storage.library import open_library
from onetake_desktop.storage.transcripts import SqliteTranscripts
from onetake_desktop.ui.reviewer.transcript import HIT_ROLE, TranscriptPanel
from tests.pipeline.library_bundles import make_bundle

SPOKEN = "Thank you. I rewrote our Résumé parser at the Straße office in Berlin."


def fake(text: str) -> Transcript:
    words = tuple(Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(text.split(" ")))
    return Transcript(text, words, "whisper-base", "test", "en", 8.0)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[tuple[ReviewerService, list[int]]]:
    service = open_reviewer_service(app_paths().ensure().library)
    bundle = make_bundle(tmp_path / "a.onetake", "Zoë Müller", audio_only=True, seconds=1.0)
    (outcome,) = service.import_paths([bundle]).outcomes
    assert outcome.submission_id is not None
    ids = [a.id for a in service.answers(outcome.submission_id) if a.media_path]
    SqliteTranscripts(service.library.db).save(ids[0], fake(SPOKEN), rank=2)
    yield service, ids
    service.close()


def next_for_tab(widget: QWidget) -> QWidget:
    """The next widget in the focus chain that Tab stops at."""
    following = widget.nextInFocusChain()
    while following is not None and not following.focusPolicy() & Qt.FocusPolicy.TabFocus:
        following = following.nextInFocusChain()
    assert following is not None
    return following


def word_point(panel: TranscriptPanel, index: int) -> QPoint:
    start, _end = panel.text.span(index)
    cursor = panel.text.textCursor()
    cursor.setPosition(start + 1)
    return panel.text.cursorRect(cursor).center()


def test_words_follow_playback_and_a_click_seeks(
    qtbot: QtBot, library: tuple[ReviewerService, list[int]], tmp_path: Path
) -> None:
    service, ids = library
    panel = TranscriptPanel(TranscriptService(service.library, cache=tmp_path))
    qtbot.addWidget(panel)
    panel.resize(420, 500)
    panel.show()
    assert panel._text is None  # made with the first answer that has words (issue 17)
    panel.show_answer(ids[0])
    assert panel.text.isVisible()
    # Under the status line, and for Tab after the search (and its results) and before Pause.
    column = panel.layout()
    assert column is not None
    assert column.indexOf(panel.text) == column.indexOf(panel.status) + 1
    assert next_for_tab(panel.search) is panel.text
    assert next_for_tab(panel.results) is panel.text  # (made after the words: placed before)
    assert next_for_tab(panel.search) is panel.results
    assert next_for_tab(panel.text) is panel.pause_button
    panel.set_position(2600)  # 2.6 s: the sixth word ("Résumé" starts at 2.5)
    (selection,) = panel.text.extraSelections()
    assert selection.cursor.selectedText() == "Résumé"
    panel.set_position(0)
    assert panel.text.extraSelections()[0].cursor.selectedText() == "Thank"
    with qtbot.waitSignal(panel.seek_requested) as sought:
        QTest.mouseClick(panel.text.viewport(), Qt.MouseButton.LeftButton, pos=word_point(panel, 9))
    assert sought.args == [4500]  # "Straße"
    # Pin a note to a word: the panel asks for a note at that word's moment.
    with qtbot.waitSignal(panel.pin_requested) as pinned:
        panel.text.pin_requested.emit(4)
    assert pinned.args == [2000]
    # An answer with no transcript says so, in words.
    panel.show_answer(ids[1])
    assert not panel.text.isVisible()
    assert "Not transcribed yet" in panel.status.text()


def test_search_lists_candidates_and_jumps_to_the_moment(
    qtbot: QtBot, library: tuple[ReviewerService, list[int]], tmp_path: Path
) -> None:
    service, ids = library
    panel = TranscriptPanel(TranscriptService(service.library, cache=tmp_path))
    qtbot.addWidget(panel)
    panel.show()
    assert panel._results is None  # made with the first search (issue 17)
    panel.search.setText("STRASSE office")
    QTest.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.results.count() == 1
    assert panel.results.isVisible()  # under the search line, next after it for Tab
    assert panel.search.nextInFocusChain() is panel.results
    item = panel.results.item(0)
    assert item.text().startswith("Zoë Müller, answer 1 at 0:04")
    assert item.data(HIT_ROLE) == (ids[0], 4500)
    with qtbot.waitSignal(panel.jump_requested) as jumped:
        panel.results.itemActivated.emit(item)
    assert jumped.args == [ids[0], 4500]
    panel.search.setText("kubernetes")
    QTest.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.results.item(0).text() == (
        "No transcript holds 'kubernetes' (1 answers not transcribed yet)."
    )


class GatedTranscriber:
    """Stands in for the engine (tested for real in tests/pipeline/test_transcripts.py): each
    answer waits for the test to let it through, so progress and pause can be seen."""

    model = "base"

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.paused = False

    def transcribe(self, media: Path) -> Transcript:
        assert media.is_file()
        assert self.gate.wait(30)
        return fake("Patience matters most")

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def close(self) -> None:
        self.gate.set()


def test_background_progress_shows_and_pauses(
    qtbot: QtBot, library: tuple[ReviewerService, list[int]], tmp_path: Path
) -> None:
    service, ids = library
    engine = GatedTranscriber()
    panel = TranscriptPanel(TranscriptService(service.library, cache=tmp_path))
    qtbot.addWidget(panel)
    panel.show()
    panel.show_answer(ids[1])
    root = service.library.root

    def open_service() -> TranscriptService:
        return TranscriptService(open_library(root), cache=tmp_path, transcriber=engine)

    assert panel.start_background(open_service)
    assert panel.run_row.isVisible()
    QTest.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: engine.paused)
    assert panel.pause_button.text() == "Resume transcribing"
    QTest.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert not engine.paused
    engine.gate.set()
    qtbot.waitUntil(lambda: not panel.running, timeout=20_000)
    assert not panel.run_row.isVisible()
    assert panel.text.isVisible() and panel.text.toPlainText() == "Patience matters most"
