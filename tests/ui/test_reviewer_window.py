"""Reviewer mode on real bundles, a real library database and real Qt widgets (offscreen)."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from onetake_desktop.paths import app_paths
from onetake_desktop.services.context import AppContext
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.ui.reviewer import open_reviewer_window
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.library_bundles import make_bundle
from tests.ui.reviewer_windows import shown_reviewer_window

SCREENS = Path("/work/screens/reviewer")


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bundles")
    hostile = d / "hostile.onetake"
    hostile.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    return {
        "ada": make_bundle(d / "ada.onetake", "Ada Lovelace", seconds=6.0),
        "grace": make_bundle(d / "grace.onetake", "Grace Hopper", seconds=3.0, audio_only=True),
        "hostile": hostile,
    }


open_window = shown_reviewer_window


def import_and_wait(qtbot: QtBot, window: ReviewerWindow, paths: list[Path]) -> None:
    window.import_paths(paths)
    assert window.progress.isVisible()  # the window is free while the worker verifies
    qtbot.waitUntil(lambda: not window.importing, timeout=30_000)
    wait_for_tasks()


def save(window: ReviewerWindow, name: str) -> None:
    QTest.qWait(50)  # let queued layout requests settle, as they would on screen
    if SCREENS.parent.exists():
        SCREENS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SCREENS / name))


def candidate_names(window: ReviewerWindow) -> list[str]:
    return [name for name, _status in window.candidate_rows()]


def test_import_good_duplicate_and_hostile_bundles(qtbot: QtBot, bundles: dict[str, Path]) -> None:
    window = open_window(qtbot)
    assert window.empty_hint.isVisible()
    save(window, "empty.png")
    import_and_wait(qtbot, window, [bundles["ada"], bundles["hostile"], bundles["grace"]])
    report = window.last_import
    assert report is not None
    assert [o.candidate_name for o in report.imported] == ["Ada Lovelace", "Grace Hopper"]
    assert [o.path.name for o in report.refused] == ["hostile.onetake"]
    assert window.import_box.isVisible()
    assert "hostile.onetake" in window.refused_list.item(0).text()
    assert candidate_names(window) == ["Ada Lovelace", "Grace Hopper"]
    assert window.current_answer_id is not None  # the first imported answer opens
    save(window, "import-refused.png")

    # The same bundle again (here as a folder drop) is recognised and changes nothing.
    folder = bundles["ada"].parent
    import_and_wait(qtbot, window, [bundles["ada"]])
    assert [o.status for o in window.last_import.outcomes] == ["duplicate"]  # type: ignore[union-attr]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    drop = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: not window.importing, timeout=30_000)
    wait_for_tasks()
    statuses = sorted(o.status for o in window.last_import.outcomes)  # type: ignore[union-attr]
    assert statuses == ["duplicate", "duplicate", "refused"]
    assert candidate_names(window) == ["Ada Lovelace", "Grace Hopper"]
    service = open_reviewer_service(app_paths().library)
    assert service.library.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 2
    service.close()


def test_search_and_sort_the_library(qtbot: QtBot, bundles: dict[str, Path]) -> None:
    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundles["ada"], bundles["grace"]])
    window.search.setText("grace")
    assert candidate_names(window) == ["Grace Hopper"]
    window.search.setText("")
    window.show_answer(
        window.service.answers(
            window.service.entries(window.service.actor_for(1))[1].submission_id
        )[0].id
    )
    window.rubric.choose(3)
    window.sort.setCurrentIndex(window.sort.findData("status"))
    assert candidate_names(window) == ["Ada Lovelace", "Grace Hopper"]  # not started first
    status_of = dict(window.candidate_rows())
    assert "draft" in status_of["Grace Hopper"] and "not started" in status_of["Ada Lovelace"]


def _rate_of_advance(qtbot: QtBot, window: ReviewerWindow, rate: float) -> float:
    player = window.player
    player.set_rate(rate)
    player.seek(0)
    qtbot.wait(100)
    player.play()
    qtbot.waitUntil(lambda: player.position() > 150, timeout=5_000)
    p0, t0 = player.position(), time.monotonic()
    qtbot.wait(1500)
    p1, t1 = player.position(), time.monotonic()
    player.pause()
    return (p1 - p0) / ((t1 - t0) * 1000)


def test_player_keeps_the_chosen_speed_with_pitch_kept(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundles["ada"]])
    first = window.service.answers(
        window.service.entries(window.service.actor_for(1))[0].submission_id
    )[0]
    window.show_answer(first.id)
    player = window.player
    qtbot.waitUntil(lambda: player.duration() > 5000, timeout=10_000)
    qtbot.waitUntil(lambda: player.video.frames > 0, timeout=10_000)  # first frame painted
    assert player.media.pitchCompensation()
    fast = _rate_of_advance(qtbot, window, 2.0)
    slow = _rate_of_advance(qtbot, window, 0.5)
    assert 1.6 < fast < 2.4, fast
    assert 0.35 < slow < 0.65, slow
    assert player.media.playbackRate() == 0.5
    save(window, "player.png")
    # The speed is the reviewer's: it comes back in a new window.
    window.close()
    again = open_window(qtbot)
    assert again.player.rate == 0.5


def test_keyboard_controls(qtbot: QtBot, bundles: dict[str, Path]) -> None:
    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundles["ada"]])
    answers = window.service.answers(
        window.service.entries(window.service.actor_for(1))[0].submission_id
    )
    window.show_answer(answers[0].id)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.player.duration() > 5000, timeout=10_000)

    def key(k: Qt.Key, text: str = "") -> None:
        QTest.keyClick(window.tree, k)
        qtbot.wait(30)

    assert window.focusWidget() is window.tree  # keys start on the library, not in search
    window.search.setFocus()
    QTest.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.focusWidget() is window.tree
    assert window.player.rate == 1.0
    key(Qt.Key.Key_BracketRight)
    key(Qt.Key.Key_BracketRight)
    assert window.player.rate == 1.5
    key(Qt.Key.Key_BracketLeft)
    assert window.player.rate == 1.25
    key(Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.player.position() >= 4900, timeout=3_000)
    key(Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: window.player.position() < 200, timeout=3_000)
    key(Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.player.playing, timeout=3_000)
    key(Qt.Key.Key_K)
    qtbot.waitUntil(lambda: not window.player.playing, timeout=3_000)
    key(Qt.Key.Key_4)
    assert window.service.library.scores.current(answers[0].id, 1).score == 4  # type: ignore[union-attr]
    shown: list[int] = []
    window.answer_shown.connect(shown.append)
    key(Qt.Key.Key_N)
    assert window.current_answer_id == answers[1].id
    assert shown == [answers[1].id]
    key(Qt.Key.Key_N)
    assert window.current_answer_id == answers[2].id
    assert window.player.kind == "text"
    assert "I am sorry" in window.player.text.toPlainText()
    key(Qt.Key.Key_P)
    assert window.current_answer_id == answers[1].id
    # Digits typed into a note stay in the note.
    window.rubric.note.setFocus()
    QTest.keyClicks(window.rubric.note, "2 points")
    assert window.rubric.note.toPlainText() == "2 points"
    assert window.service.library.scores.current(answers[1].id, 1) is None


def test_scoring_persists_across_a_restart_and_export_matches(
    qtbot: QtBot, bundles: dict[str, Path], tmp_path: Path
) -> None:
    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundles["ada"], bundles["grace"]])
    sid = window.service.entries(window.service.actor_for(1))[0].submission_id
    answers = window.service.answers(sid)
    window.show_answer(answers[0].id)
    qtbot.waitUntil(lambda: window.player.duration() > 5000, timeout=10_000)
    window.player.seek(3_000)
    qtbot.waitUntil(lambda: window.player.position() >= 2_900, timeout=3_000)
    window.rubric.pin_text.setText("Names the customer's feeling")
    window.rubric.pin_button.click()
    window.rubric.choose(4)
    window.rubric.note.setPlainText("Specific, calm, followed through.")
    window.rubric.flush_note()
    assert not window.submit_button.isEnabled()  # two answers still need a score
    for answer, score in ((answers[1], 3), (answers[2], 5)):
        window.show_answer(answer.id)
        window.rubric.choose(score)
    window.recommend_buttons["yes"].click()
    assert window.submit_button.isEnabled()
    save(window, "scoring.png")
    window.submit_candidate()
    assert window.rubric.buttons[5].isEnabled() is False  # submitted: read-only
    assert "submitted" in window.submit_hint.text()
    window.close()

    again = open_window(qtbot)
    again.show_answer(answers[0].id)
    view = again.view
    assert view is not None and view.score is not None
    assert (view.score.score, view.score.status) == (4, "submitted")
    assert view.score.note == "Specific, calm, followed through."
    assert [(n.position_ms // 1000, n.text) for n in view.notes] == [
        (3, "Names the customer's feeling")
    ]
    assert again.rubric.score() == 4
    assert again.rubric.pins.count() == 1
    # Clicking the pinned note seeks the player there.
    again.player.pause()
    again.rubric.pins.itemClicked.emit(again.rubric.pins.item(0))
    qtbot.waitUntil(lambda: 2_900 <= again.player.position() <= 3_500, timeout=3_000)
    assert view.recommendation is not None and view.recommendation.value == "yes"
    status = again.candidate_rows()[0][1]
    assert "submitted" in status

    out_csv, out_json = tmp_path / "s.csv", tmp_path / "s.json"
    again.export_scores(out_csv, "csv")
    again.export_scores(out_json, "json")
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8-sig")))
    data = json.loads(out_json.read_text(encoding="utf-8"))
    db = again.service.library.db
    expected = db.execute(
        "SELECT a.question_id, sc.score, sc.status, sc.note FROM scores sc"
        " JOIN answers a ON a.id = sc.answer_id ORDER BY a.submission_id, a.position"
    ).fetchall()
    assert [(r["question_id"], int(r["score"]), r["status"], r["note"]) for r in rows] == [
        tuple(e) for e in expected
    ]
    assert [(s["question_id"], s["score"], s["status"], s["note"]) for s in data["scores"]] == [
        tuple(e) for e in expected
    ]
    assert {r["candidate_name"] for r in rows} == {"Ada Lovelace"}
    assert {r["recommendation"] for r in rows} == {"yes"}


def test_audio_answer_shows_a_waveform_and_unknown_definition_is_flagged(
    qtbot: QtBot, bundles: dict[str, Path], tmp_path: Path
) -> None:
    from dataclasses import replace

    from onetake_desktop.storage.kitfile import save_definition
    from tests.pipeline.library_bundles import demo_definition

    demo = demo_definition()
    other = replace(
        demo,
        kit=demo.kit._replace(
            interview_id="night-shift", version="3", role_title="Night support lead"
        ),
    )
    unknown = make_bundle(tmp_path / "lin.onetake", "Lin Chen", definition=other, seconds=2.0)
    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundles["grace"], unknown])
    assert [o.needs_definition for o in window.last_import.imported] == [False, True]  # type: ignore[union-attr]
    grace = next(
        e
        for e in window.service.entries(window.service.actor_for(1))
        if e.candidate_name == "Grace Hopper"
    )
    window.show_answer(window.service.answers(grace.submission_id)[0].id)
    assert window.player.kind == "audio"
    qtbot.waitUntil(lambda: len(window.player.waveform.levels) > 100, timeout=10_000)
    levels = window.player.waveform.levels
    # A steady tone: a full, even band (only the encoder's edges may be quieter).
    assert max(levels) == 1.0 and sorted(levels)[len(levels) // 20] > 0.8
    save(window, "audio.png")

    lin = next(
        e
        for e in window.service.entries(window.service.actor_for(1))
        if e.candidate_name == "Lin Chen"
    )
    assert not lin.has_definition
    window.show_answer(window.service.answers(lin.submission_id)[0].id)
    assert window.flag.isVisible() and "definition" in window.flag.text()
    assert window.player.kind == "video"  # it still plays
    save(window, "definition-missing.png")
    definition_file = tmp_path / "night.onetakeinterview"
    save_definition(other, definition_file)
    assert window.add_definition(definition_file)
    assert not window.flag.isVisible()
    assert window.question_text.text() == other.kit.questions[0].text
    assert window.rubric.competency.text() == other.rubrics["q1"].competency


def test_set_reviewer_shows_only_that_reviewers_scores(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundles["ada"]])
    a1 = window.service.answers(
        window.service.entries(window.service.actor_for(1))[0].submission_id
    )[0]
    window.show_answer(a1.id)
    window.rubric.choose(2)
    other = window.service.library.reviewers.ensure("Grace")
    window.set_reviewer(other.id)
    assert window.current_reviewer_id == other.id
    assert window.rubric.score() is None
    assert "not started" in window.candidate_rows()[0][1]
    window.set_reviewer(1)
    assert window.rubric.score() == 2


def test_player_reports_a_missing_media_file(qtbot: QtBot, bundles: dict[str, Path]) -> None:
    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundles["ada"]])
    a1 = window.service.answers(
        window.service.entries(window.service.actor_for(1))[0].submission_id
    )[1]
    assert a1.media_path is not None and window.current_answer_id != a1.id
    a1.media_path.unlink()
    window.show_answer(a1.id)
    assert "missing" in window.player.placeholder.text()
    assert window.player.media.playbackState() == QMediaPlayer.PlaybackState.StoppedState


def test_an_answer_that_cannot_be_played_shows_no_path_of_the_library(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    """The library's media folder is named after the bundle's hash, which joins a blind code
    to the candidate's file: a player error names the kind of error, never the path."""
    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundles["ada"]])
    a1 = window.service.answers(
        window.service.entries(window.service.actor_for(1))[0].submission_id
    )[1]
    assert a1.media_path is not None
    folder = a1.media_path.parent
    while folder.parent.name != "submissions":
        folder = folder.parent
    a1.media_path.write_bytes(b"not a video" * 100)  # damaged in the library
    window.show_answer(a1.id)
    qtbot.waitUntil(lambda: "cannot be played" in window.player.placeholder.text(), timeout=10_000)
    # A backend that names the file (GStreamer's does) is told the same way.
    window.player.media.errorOccurred.emit(
        QMediaPlayer.Error.ResourceError, f'Could not open file "{a1.media_path}" for reading.'
    )
    text = window.player.placeholder.text()
    assert text == "This answer cannot be played (ResourceError)."
    assert folder.name not in text and len(folder.name) == 16


def test_open_reviewer_window_imports_the_bundles_it_is_given(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    window = open_reviewer_window(
        AppContext.from_environment(), [bundles["grace"]]
    )  # what `onetake review BUNDLE` opens
    assert isinstance(window, ReviewerWindow)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.importing, timeout=30_000)
    wait_for_tasks()
    assert candidate_names(window) == ["Grace Hopper"]


def test_long_playback_does_not_exhaust_references_to_none(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    # PySide6 6.12 dropped a reference to None on every void call (see test_qt_binding.py):
    # minutes of playback brought the interpreter down. None must keep its references.
    import sys

    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundles["ada"]])
    before = sys.getrefcount(None)
    window.player.set_rate(2.0)
    window.player.play()
    qtbot.wait(2500)
    # On a loaded machine (2 shared cores) 2.5 s may show fewer frames; wait for them.
    qtbot.waitUntil(lambda: window.player.video.frames > 30, timeout=15_000)
    window.player.pause()
    assert sys.getrefcount(None) > before - 100


LONG_NAME = "Maximiliana" * 11  # 121 characters, not one place to break the line
LONG_EMAIL = "m" * 60 + "@example.org"
HOSTILE_LONG = "<b>Approved</b><img src='file:///etc/x.png'>" + "W" * 90


@pytest.mark.parametrize("name", [LONG_NAME, HOSTILE_LONG], ids=["unbreakable", "html-looking"])
def test_a_long_candidate_name_is_elided_in_the_scoring_header_with_the_whole_name_in_a_tooltip(
    qtbot: QtBot, tmp_path: Path, name: str
) -> None:
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QWidget

    from onetake_desktop.ui.widgets.plain import ElidedLabel

    bundle = make_bundle(tmp_path / "long.onetake", name, LONG_EMAIL, seconds=1.0)
    window = open_window(qtbot)
    window.resize(910, 512)  # 1366x768 at a scale factor of 1.5
    import_and_wait(qtbot, window, [bundle])
    sid = window.service.entries(window.service.actor_for(1))[0].submission_id
    window.show_answer(window.service.answers(sid)[0].id)
    QTest.qWait(50)  # let queued layout requests settle, as they would on screen
    save(window, "long-name.png")

    def tooltip_shows(text: str) -> str:
        doc = QTextDocument()
        doc.setHtml(text)  # tooltips that look like rich text are read as such
        return doc.toPlainText()

    label, email = window.candidate_label, window.candidate_email
    for widget, whole in ((label, name), (email, LONG_EMAIL)):
        assert isinstance(widget, ElidedLabel)
        assert widget.text() == whole and widget.textFormat() == Qt.TextFormat.PlainText
        shown = widget.shown_text()
        assert shown.endswith("…") and whole.startswith(shown[:-1])
        assert widget.fontMetrics().horizontalAdvance(shown) <= widget.contentsRect().width()
        assert tooltip_shows(widget.toolTip()) == whole  # the whole text, as typed

    # Nothing in the scoring pane is pushed past its edge, nor the pane past the window's.
    viewport = window.scoring_scroll.viewport()
    inner = window.scoring_scroll.widget()
    assert inner is not None
    assert inner.width() <= viewport.width()
    children: list[QWidget] = inner.findChildren(QWidget)
    for child in children:
        if child.isVisible():
            right = child.mapTo(inner, child.rect().topRight()).x()
            assert right < viewport.width(), child
    pane_right = window.scoring_pane.mapTo(window, window.scoring_pane.rect().topRight()).x()
    assert pane_right < window.width()
    assert label.width() > 100  # the name still has room to be read

    # A short name fits whole: nothing is cut, and no tooltip repeats it.
    window._clear_answer()
    assert label.shown_text() == label.text() == "No candidate selected"
    assert label.toolTip() == ""
