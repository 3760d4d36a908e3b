"""Transcripts in the reviewer window (issue 16), real bundles and a real library: the panel
beside the player, click-to-seek, the interview-wide search jumping to another candidate's
moment, "transcript only" mode (no picture, no sound), and the background run after import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.transcript import Transcript, Word
from onetake_desktop.media.transcribe import unavailable_reason
from onetake_desktop.paths import app_paths
from onetake_desktop.services.context import AppContext
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.storage.transcripts import SqliteTranscripts
from onetake_desktop.ui.reviewer import open_reviewer_window
from onetake_desktop.ui.reviewer.transcript import (
    TRANSCRIPT_ONLY_MESSAGE,
    TranscriptFeatures,
    TranscriptPanel,
)
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.library_bundles import make_bundle
from tests.pipeline.speech import SpokenAnswer, espeak_available, speech_writer
from tests.ui.reviewer_windows import shown_reviewer_window

SHOTS = Path(os.environ.get("ONETAKE_SHOTS", "/work/shots/transcripts"))


def words_of(text: str, step: float = 0.4) -> Transcript:
    words = tuple(
        Word(w, round(i * step, 3), round(i * step + 0.3, 3)) for i, w in enumerate(text.split())
    )
    return Transcript(text, words, "whisper-tiny.en", "test", "en", 6.0)


open_window = shown_reviewer_window


def import_and_wait(qtbot: QtBot, window: ReviewerWindow, paths: list[Path]) -> None:
    window.import_paths(paths)
    qtbot.waitUntil(lambda: not window.importing, timeout=60_000)
    wait_for_tasks()


def features(window: ReviewerWindow) -> TranscriptFeatures:
    found = getattr(window, "transcripts", None)
    assert isinstance(found, TranscriptFeatures)
    return found


@pytest.fixture
def two_candidates(tmp_path: Path) -> dict[str, list[int]]:
    """Ada (video) and Grace (video), both transcribed (stored as the engine would)."""
    service = open_reviewer_service(app_paths().ensure().library)
    ids: dict[str, list[int]] = {}
    try:
        for name, said in (
            ("Ada Lovelace", "I built the analytical engine notes with great care"),
            ("Grace Hopper", "We found a moth in the relay and fixed the compiler"),
        ):
            bundle = make_bundle(tmp_path / f"{name.split()[0]}.onetake", name, seconds=6.0)
            (outcome,) = service.import_paths([bundle]).outcomes
            assert outcome.submission_id is not None
            answers = [a.id for a in service.answers(outcome.submission_id) if a.media_path]
            SqliteTranscripts(service.library.db).save(answers[0], words_of(said), rank=1)
            ids[name] = answers
    finally:
        service.close()
    return ids


def test_click_a_word_seeks_and_search_jumps_to_another_candidate(
    qtbot: QtBot, two_candidates: dict[str, list[int]]
) -> None:
    window = open_window(qtbot)
    f = features(window)
    ada = two_candidates["Ada Lovelace"][0]
    window.show_answer(ada)
    assert f.panel.text.toPlainText().startswith("I built the analytical engine")
    assert window.player.kind == "video"
    # Clicking "engine" (the fifth word, at 1.6 s) plays from there.
    start, _ = f.panel.text.span(4)
    cursor = f.panel.text.textCursor()
    cursor.setPosition(start + 1)
    point = f.panel.text.cursorRect(cursor).center()
    QTest.mouseClick(f.panel.text.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: abs(window.player.position() - 1600) <= 100, timeout=10_000)
    # The highlighted word follows the position.
    assert f.panel.text.extraSelections()[0].cursor.selectedText() == "engine"
    # Search the interview: Grace's answer opens at the moment "moth" was said.
    f.panel.search.setText("MOTH in the")
    QTest.keyClick(f.panel.search, Qt.Key.Key_Return)
    assert f.panel.results.count() == 1
    assert f.panel.results.item(0).text().startswith("Grace Hopper, answer 1 at 0:01")
    f.panel.results.itemActivated.emit(f.panel.results.item(0))
    grace = two_candidates["Grace Hopper"][0]
    assert window.current_answer_id == grace
    assert window.candidate_label.text() == "Grace Hopper"
    qtbot.waitUntil(lambda: abs(window.player.position() - 1200) <= 100, timeout=10_000)
    save_shots(window, "window")


def test_transcript_only_shows_no_picture_and_plays_no_sound(
    qtbot: QtBot, two_candidates: dict[str, list[int]]
) -> None:
    window = open_window(qtbot)
    f = features(window)
    ada = two_candidates["Ada Lovelace"][0]
    window.show_answer(ada)
    assert window.player.media.source().isValid()
    f.only_action.trigger()
    assert f.transcript_only
    for answer_id in (ada, two_candidates["Grace Hopper"][0], ada):  # and on every answer shown
        window.show_answer(answer_id)
        player = window.player
        assert not player.media.source().isValid()  # nothing loaded: no frame, no sample
        assert not player.video.isVisible()
        assert player.stack.currentWidget() is player.placeholder
        assert player.placeholder.text() == TRANSCRIPT_ONLY_MESSAGE
        player.toggle()  # Space: nothing to play
        QTest.qWait(100)
        assert player.media.playbackState() == QMediaPlayer.PlaybackState.StoppedState
        assert f.panel.text.isVisible() and f.panel.text.toPlainText()
    # Audio only cannot bring the sound back while transcript only is on.
    window.audio_only_action.trigger()
    assert not window.player.media.source().isValid()
    window.audio_only_action.trigger()
    save_shots(window, "transcript-only")
    f.only_action.trigger()
    assert window.player.media.source().isValid() and window.player.kind == "video"


def save_shots(window: ReviewerWindow, name: str) -> None:
    if not SHOTS.parent.exists():
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen = window.screen().availableGeometry()
    window.resize(screen.width(), screen.height())
    QTest.qWait(100)
    window.grab().save(str(SHOTS / f"{name}-{screen.width()}x{screen.height()}.png"))


@pytest.mark.slow
@pytest.mark.background_transcription
@pytest.mark.skipif(
    unavailable_reason() is not None or not espeak_available(),
    reason="needs the [transcripts] extra and espeak-ng (CI installs both)",
)
def test_imported_answers_are_transcribed_in_the_background_and_can_pause(
    qtbot: QtBot, tmp_path: Path
) -> None:
    moments: dict[str, float] = {}
    spoken = {
        "q1": SpokenAnswer("Thank you for the question.", "Migration was the hardest part."),
        "q2": SpokenAnswer("In my last job I helped customers.", "Listening matters most to me."),
    }
    bundle = make_bundle(
        tmp_path / "speech.onetake",
        "Ada Lovelace",
        audio_only=True,
        seconds=7.0,
        writer=speech_writer(spoken, moments),
    )
    window = open_window(qtbot)
    f = features(window)
    import_and_wait(qtbot, window, [bundle])
    assert f.panel.running and f.panel.run_row.isVisible()
    QTest.mouseClick(f.panel.pause_button, Qt.MouseButton.LeftButton)
    assert f.panel.progress.format().startswith("Paused")
    QTest.mouseClick(f.panel.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not f.panel.running, timeout=180_000)
    assert not f.panel.run_row.isVisible()
    first = window.current_answer_id
    assert first is not None
    window.show_answer(first)
    assert "Migration" in f.panel.text.toPlainText()
    (hit,) = f.panel.service.search("migration")
    assert abs(hit.seconds - moments["q1"]) <= 0.5


@pytest.mark.background_transcription
def test_a_window_closed_before_its_background_start_runs_starts_nothing(qtbot: QtBot) -> None:
    """The background run is asked for right after the first paint; a window closed before
    that (its library closed with it) starts nothing and raises nothing ("Cannot operate on a
    closed database" before), and a late library reload after closing starts nothing either."""
    window = open_reviewer_window(AppContext.from_environment())
    assert isinstance(window, ReviewerWindow)
    qtbot.addWidget(window)
    f = features(window)
    window.show()
    window.close()  # before the event loop ran: no paint, nothing queued has run yet
    qtbot.wait(50)  # an exception in a queued call here fails the test (pytest-qt)
    assert not f.panel.running
    assert f.start_background() is False


@pytest.mark.background_transcription
def test_the_background_start_is_asked_right_after_the_first_paint(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not while the window is built (its library's first fill asks too): the pending query
    and the worker wait for the first paint."""
    asked: list[bool] = []
    real = TranscriptPanel.start_background

    def spy(self: TranscriptPanel, open_service: Any) -> bool:
        asked.append(self.window().isVisible())
        return real(self, open_service)

    monkeypatch.setattr(TranscriptPanel, "start_background", spy)
    window = open_reviewer_window(AppContext.from_environment())
    assert isinstance(window, ReviewerWindow)
    qtbot.addWidget(window)
    assert asked == []  # not while the window is built
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: asked == [True])
    window.close()


class GatedTranscriber:
    """A transcriber that holds each answer until the test lets it go (the run's layout is
    what is tested here, not the speech engine)."""

    model = "whisper-tiny.en"

    def __init__(self) -> None:
        import threading

        self.gate = threading.Event()

    def transcribe(self, media: Path) -> Transcript:
        self.gate.wait(30)
        return words_of("held until the test let it go")

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass

    def close(self) -> None:
        self.gate.set()


def test_a_run_under_the_player_squeezes_neither_the_search_nor_its_progress(
    qtbot: QtBot, two_candidates: dict[str, list[int]]
) -> None:
    """1366x768 at 150 % (911x512 points): the transcript sits under the player; while a run
    goes, the search line, the progress and Pause each get their full height (they were cut
    to a sliver), the words stay readable and the player keeps its buttons."""
    from onetake_desktop.services.transcripts import TranscriptService
    from onetake_desktop.storage.library import open_library

    window = open_window(qtbot)
    window.resize(911, 512)
    f = features(window)
    gate = GatedTranscriber()
    root = window.service.library.root
    f.panel.service = TranscriptService(window.service.library, cache=root, transcriber=gate)
    window.show_answer(two_candidates["Ada Lovelace"][0])
    qtbot.waitUntil(lambda: f.splitter.orientation() == Qt.Orientation.Vertical)
    assert f.panel.compact
    started = f.panel.start_background(
        lambda: TranscriptService(open_library(root), cache=root, transcriber=gate)
    )
    assert started and f.panel.running
    QTest.qWait(100)  # the layout settles
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "transcribing-under-the-player-911x512.png"))
    panel = f.panel
    assert panel.run_row.isVisible() and panel.progress.isVisible()
    for widget in (panel.search, panel.progress, panel.pause_button):
        assert widget.height() >= widget.minimumSizeHint().height(), widget
        assert widget.visibleRegion().boundingRect().height() == widget.height(), widget
    assert "analytical" in panel.text.toPlainText() and panel.text.isVisible()
    assert panel.text.viewport().height() >= panel.fontMetrics().height()  # a whole line
    # The run's first count comes from its worker (queued): wait for it, not for a fixed time.
    qtbot.waitUntil(lambda: panel.progress.text() == "Transcribing 0/2")  # (the short form)
    assert panel.progress.width() >= panel.fontMetrics().horizontalAdvance(panel.progress.text())
    controls = window.player.controls
    assert controls.height() >= controls.minimumSizeHint().height()
    gate.gate.set()
    qtbot.waitUntil(lambda: not panel.running, timeout=20_000)
    assert not panel.run_row.isVisible()
    window.close()


def test_the_transcript_models_are_cached_where_the_apps_context_says(
    tmp_path: Path, qtbot: QtBot, onetake_home: Path
) -> None:
    """The window's transcripts take their cache from the AppContext it was opened with, not
    from the environment (which names another home here)."""
    context = AppContext(paths=app_paths({"ONETAKE_HOME": str(tmp_path / "other-home")}))
    window = open_reviewer_window(context)
    assert isinstance(window, ReviewerWindow)
    qtbot.addWidget(window)
    assert context.paths.cache != app_paths().cache
    assert features(window).service.cache == context.paths.cache
    window.close()


def test_the_panel_makes_its_service_when_first_asked_from_make_service(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A panel is given its service, or (keyword ``make_service``) what makes it when first
    needed, once; never both or neither."""
    from onetake_desktop.services.transcripts import TranscriptService

    reviewer = open_reviewer_service(app_paths().ensure().library)
    library = reviewer.library
    made: list[TranscriptService] = []

    def make() -> TranscriptService:
        made.append(TranscriptService(library, cache=tmp_path))
        return made[-1]

    panel = TranscriptPanel(make_service=make)
    qtbot.addWidget(panel)
    assert made == []  # not while it is built
    assert panel.service is made[0] and panel.service is made[0]
    assert len(made) == 1
    given = TranscriptService(library, cache=tmp_path)
    kept = TranscriptPanel(given)
    qtbot.addWidget(kept)
    assert kept.service is given
    with pytest.raises(TypeError):
        TranscriptPanel()
    with pytest.raises(TypeError):
        TranscriptPanel(given, make_service=make)
    reviewer.close()


def test_a_run_that_ends_as_the_window_closes_touches_nothing_after_it(
    qtbot: QtBot, two_candidates: dict[str, list[int]]
) -> None:
    """Closing the window stops the background run; the run's last word (finished, queued to
    the GUI thread) arrives after the window closed its library. The panel ignores it (it
    re-read the answer on screen: "Cannot operate on a closed database")."""
    from onetake_desktop.services.transcripts import TranscriptService
    from onetake_desktop.storage.library import open_library

    window = open_window(qtbot)
    f = features(window)
    gate = GatedTranscriber()
    root = window.service.library.root
    f.panel.service = TranscriptService(window.service.library, cache=root, transcriber=gate)
    window.show_answer(two_candidates["Ada Lovelace"][0])
    assert f.panel.answer_id is not None
    assert f.panel.start_background(
        lambda: TranscriptService(open_library(root), cache=root, transcriber=gate)
    )
    window.close()  # stops the run (its transcriber lets the answer go) and closes the library
    assert not f.panel.running
    qtbot.wait(50)  # the run's queued signals arrive: an exception here fails the test


def test_a_written_answer_says_there_is_nothing_to_transcribe(qtbot: QtBot, tmp_path: Path) -> None:
    # Walk s13 Low 4: a written answer was promised "Not transcribed yet: it will appear here".
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        (outcome,) = service.import_paths([make_bundle(tmp_path / "ada.onetake", "Ada")]).outcomes
        assert outcome.submission_id is not None
        answers = service.answers(outcome.submission_id)
    finally:
        service.close()
    written = [a.id for a in answers if a.answer_type == "text"]
    recorded = [a.id for a in answers if a.answer_type != "text"]
    assert written and recorded
    window = open_window(qtbot)
    f = features(window)
    window.show_answer(written[0])
    assert f.panel.status.text() == "A written answer: there is nothing to transcribe."
    assert "transcribed yet" not in f.panel.status.text()
    window.show_answer(recorded[0])  # a recorded one still waits for its transcript
    assert f.panel.status.text() != "A written answer: there is nothing to transcribe."
    assert not f.panel.written
