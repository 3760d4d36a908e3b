"""Reviewer mode on a laptop: the evidence first, every anchor readable, a flow that moves.

Screen sizes: the tests run offscreen in one QApplication, where QT_SCALE_FACTOR cannot change
once the application exists. 1366x768 at 150 % is emulated by its logical size, the window
resized to 1366/1.5 x 768/1.5 = 910x512 device-independent pixels, which is what Qt lays out
under that scale (the screenshots under Xvfb use the real variable).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.services.panel import PanelService
from onetake_desktop.ui.panel.question_mode import QuestionModeWindow
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.widgets.rubric import RubricPanel
from tests.pipeline.library_bundles import make_bundle
from tests.ui.test_panel_window import HASHER
from tests.ui.test_reviewer_window import import_and_wait, open_window

SIZES = {
    "1024x600": (1024, 600),
    "1366x768 at 150%": (round(1366 / 1.5), round(768 / 1.5)),
    "1920x1080": (1920, 1080),
}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bundles")
    return {
        "ada": make_bundle(d / "ada.onetake", "Ada Lovelace", seconds=2.0),
        "grace": make_bundle(d / "grace.onetake", "Grace Hopper", seconds=2.0),
    }


def settle(qtbot: QtBot) -> None:
    QApplication.processEvents()
    qtbot.wait(30)
    QApplication.processEvents()


def reachable(label: QLabel) -> bool:
    """The label shows its whole wrapped text, and scrolling its scroll area brings all of it
    into view."""
    if label.height() < label.heightForWidth(label.width()):
        return False
    area: QWidget | None = label.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is None:
        return label.visibleRegion().boundingRect().height() >= label.height()
    assert isinstance(area, QScrollArea)
    area.ensureWidgetVisible(label, 0, 0)
    QApplication.processEvents()
    top = label.mapTo(area.viewport(), QPoint(0, 0)).y()
    return top >= 0 and top + label.height() <= area.viewport().height()


def assert_rubric_readable(rubric: RubricPanel) -> None:
    """Each anchor whole: wrapped beside its number, or (a short window's one-line levels) in
    the box under them, which fits the longest, and on its number for screen readers."""
    for score, anchor in rubric.anchors.items():
        assert anchor.text() and anchor.text() != "—", score
        assert anchor.textFormat() == Qt.TextFormat.PlainText
        assert rubric.buttons[score].accessibleDescription() == anchor.text()
        if rubric.compact():
            assert reachable(anchor) and reachable(rubric.detail), score
        else:
            assert reachable(anchor), (
                score,
                anchor.height(),
                anchor.heightForWidth(anchor.width()),
            )
    assert rubric.anchors_reachable()


def sized_window(qtbot: QtBot, size: tuple[int, int], bundles: dict[str, Path]) -> ReviewerWindow:
    window = open_window(qtbot)
    window.resize(*size)
    import_and_wait(qtbot, window, [bundles["ada"], bundles["grace"]])
    settle(qtbot)
    return window


@pytest.mark.parametrize("name", list(SIZES))
def test_evidence_first_and_every_anchor_readable(
    qtbot: QtBot, bundles: dict[str, Path], name: str, tmp_path: Path
) -> None:
    size = SIZES[name]
    window = sized_window(qtbot, size, bundles)
    assert (window.width(), window.height()) == size
    assert window.current_answer_id is not None and window.player.kind == "video"
    # The video area takes at least half the window's width, and a picture's height: whole
    # (a picture 135 px tall once ran under the player's buttons, which were cut instead),
    # and on a short screen at least the least height it has so the buttons stay whole.
    video = window.player.video
    assert video.width() >= window.width() / 2, video.width()
    assert video.visibleRegion().boundingRect().height() == video.height() > 0
    assert video.height() >= (130 if name == "1920x1080" else window._picture_minimum)
    controls = window.player.controls
    assert controls.visibleRegion().boundingRect().height() == controls.height()
    assert_rubric_readable(window.rubric)
    assert window.scoring_pane.width() >= 230
    # Every player button shows its whole label (at 1024x600 "−5 s" was cut to "-5 :").
    player = window.player
    for button in (player.play_button, player.back_button, player.forward_button):
        assert button.width() >= button.sizeHint().width(), (button.text(), button.width())

    # The question card and the pinned notes fold away, and come back.
    window.card_toggle.click()
    assert not window.card_body.isVisible()
    window.card_toggle.click()
    assert window.question_text.isVisible()
    window.rubric.pins_toggle.setChecked(True)
    assert window.rubric.pins.isVisible()
    window.rubric.pins_toggle.setChecked(False)
    assert not window.rubric.pins.isVisible()

    # Full screen: the answer and the rubric side by side, the library out of the way.
    window.focus_action.trigger()
    settle(qtbot)
    assert window.isFullScreen() and not window.library_pane.isVisible()
    assert window.rubric.isVisible() and window.player.isVisible()
    assert window.player.video.width() >= window.width() / 2
    QTest.keyClick(window.player, Qt.Key.Key_Escape)
    settle(qtbot)
    assert not window.isFullScreen() and window.library_pane.isVisible()


@pytest.mark.parametrize("name", ["1024x600", "1366x768 at 150%"])
def test_question_mode_rubric_readable_and_its_score_updates_the_tree(
    qtbot: QtBot, bundles: dict[str, Path], name: str
) -> None:
    window = sized_window(qtbot, SIZES[name], bundles)
    panel = PanelService(window.service.library, hasher=HASHER)
    ana = panel.create_panelist("Ana", "correct horse battery")
    window.set_reviewer(ana.reviewer_id)
    qm = QuestionModeWindow(window, panel, ana)
    qtbot.addWidget(qm)
    qm.resize(*SIZES[name])
    qm.show()
    settle(qtbot)
    assert_rubric_readable(qm.rubric)
    here = qm.current()
    assert here is not None
    before = dict(window.candidate_rows())
    shown = panel.candidates(interview_pk=qm.interview_pk)
    name_of = {c.submission_id: c.name for c in shown}
    assert before[name_of[here[0]]] == "not started"
    qm.rubric.choose(4)  # a score in question mode...
    settle(qtbot)
    after = dict(window.candidate_rows())
    # ...shows at once in the main window's tree, as a draft.
    assert after[name_of[here[0]]] == "draft", after
    index = window.model.candidate_index(here[0])
    assert window.model.data(index.siblingAtColumn(1), Qt.ItemDataRole.ToolTipRole) == "draft"
    qm.close()


def test_a_candidate_scored_and_submitted_in_five_keystrokes(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    window = sized_window(qtbot, SIZES["1366x768 at 150%"], bundles)
    window.auto_advance_action.setChecked(True)  # a preference, kept per reviewer
    sid = window.service.entries(window.service.actor_for(window.current_reviewer_id))[
        0
    ].submission_id
    answers = window.service.answers(sid)
    assert len(answers) == 3
    window.show_answer(answers[0].id)
    window.activateWindow()
    window.tree.setFocus()
    keystrokes = 0

    def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        nonlocal keystrokes
        keystrokes += 1
        target = window.focusWidget() or window
        QTest.keyClick(target, key, modifier)
        settle(qtbot)

    press(Qt.Key.Key_4)  # answer 1 scored, on to answer 2
    assert window.current_answer_id == answers[1].id
    press(Qt.Key.Key_3)
    assert window.current_answer_id == answers[2].id
    press(Qt.Key.Key_5)  # the last one: stays, ready to submit
    assert window.current_answer_id == answers[2].id
    press(Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # recommend: yes
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # submit
    assert keystrokes <= 5
    scores = window.service.library.scores.current_for_submission(sid, window.current_reviewer_id)
    assert sorted((s.score, s.status) for s in scores.values()) == [
        (3, "submitted"),
        (4, "submitted"),
        (5, "submitted"),
    ]
    rec = window.service.library.scores.recommendation(sid, window.current_reviewer_id)
    assert rec is not None and (rec.value, rec.status) == ("yes", "submitted")
    assert dict(window.candidate_rows())["Ada Lovelace"] == "submitted"
    # Submitting moved on to the next candidate's first unscored answer.
    settle(qtbot)
    assert window.current_submission_id != sid


def test_next_unscored_skips_submitted_and_scored_answers(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    window = sized_window(qtbot, SIZES["1024x600"], bundles)
    me = window.service.actor_for(window.current_reviewer_id)
    ada, grace = (e.submission_id for e in window.service.entries(me))
    for a in window.service.answers(ada):
        window.service.save_score(me, answer_id=a.id, score=3)
    window.service.submit_candidate(me, submission_id=ada)
    g1, g2, g3 = window.service.answers(grace)
    window.service.save_score(me, answer_id=g1.id, score=2)  # a scored draft: skipped too
    first = window.service.answers(ada)[0]
    window.show_answer(first.id)
    window.activateWindow()
    QTest.keyClick(window.tree, Qt.Key.Key_U)
    assert window.current_answer_id == g2.id
    QTest.keyClick(window.tree, Qt.Key.Key_U)
    assert window.current_answer_id == g3.id
    QTest.keyClick(window.tree, Qt.Key.Key_U)  # wraps round to the only one left before it
    assert window.current_answer_id == g2.id
    window.service.save_score(me, answer_id=g2.id, score=4)
    window.service.save_score(me, answer_id=g3.id, score=4)
    QTest.keyClick(window.tree, Qt.Key.Key_U)
    assert window.current_answer_id == g2.id  # nothing left: stays
    assert "Every answer" in window.statusBar().currentMessage()


def test_esc_leaves_text_fields_and_keys_score_again(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    window = sized_window(qtbot, SIZES["1024x600"], bundles)
    answer = window.current_answer_id
    assert answer is not None
    window.activateWindow()
    for field in (window.rubric.note, window.rubric.pin_text, window.search):
        field.setFocus()
        QTest.keyClicks(field, "2 ")
        QTest.keyClick(field, Qt.Key.Key_Escape)
        assert window.focusWidget() is not field
    assert window.rubric.note.toPlainText() == "2 "  # the digit stayed in the note
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_2)
    score = window.service.library.scores.current(answer, window.current_reviewer_id)
    assert score is not None and score.score == 2


def test_timeline_click_seeks_shows_pins_and_seeking_after_the_end_repaints(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    window = sized_window(qtbot, SIZES["1024x600"], bundles)
    player = window.player
    qtbot.waitUntil(lambda: player.duration() > 1500, timeout=10_000)
    slider = player.slider
    QTest.mouseClick(
        slider, Qt.MouseButton.LeftButton, pos=QPoint(slider.x_of(1500), slider.height() // 2)
    )
    qtbot.waitUntil(lambda: 1300 <= player.position() <= 1700, timeout=3_000)
    window.rubric.pin_text.setText("Clear example")
    window.rubric.pin_button.click()
    assert slider.markers and abs(slider.markers[0] - player.position()) < 300

    player.play()
    qtbot.waitUntil(
        lambda: player.media.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia, timeout=10_000
    )
    frames = player.video.frames
    player.seek(300)
    qtbot.waitUntil(lambda: player.video.frames > frames, timeout=3_000)  # a new picture
    assert player.position() < 1000


def test_audio_only_hides_the_picture_in_the_main_window(
    qtbot: QtBot, bundles: dict[str, Path]
) -> None:
    window = sized_window(qtbot, SIZES["1024x600"], bundles)
    assert window.player.kind == "video"
    window.audio_only_action.trigger()
    assert window.player.kind == "audio" and not window.player.video.isVisible()
    assert window.service.audio_only(window.current_reviewer_id)
    window.step_answer(+1)  # it holds for the next answer too
    window.step_answer(-1)
    assert window.player.kind == "audio"
    window.audio_only_action.trigger()
    assert window.player.kind == "video"


def test_a_definition_dropped_on_the_window_is_added_not_imported(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from dataclasses import replace

    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDropEvent

    from onetake_desktop.storage.kitfile import save_definition
    from tests.pipeline.library_bundles import demo_definition

    demo = demo_definition()
    other = replace(demo, kit=demo.kit._replace(interview_id="night", role_title="Night lead"))
    bundle = make_bundle(tmp_path / "lin.onetake", "Lin Chen", definition=other, seconds=0.5)
    window = open_window(qtbot)
    import_and_wait(qtbot, window, [bundle])
    assert "(definition missing)" in window.tree_texts()[0]
    definition = tmp_path / "night.onetakeinterview"
    save_definition(other, definition)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(definition))])
    drop = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    assert not window.importing  # nothing went to the importer
    assert window.statusBar().currentMessage() == "Added the definition of Night lead."
    assert "(definition missing)" not in window.tree_texts()[0]
    assert window.question_text.text() == other.kit.questions[0].text


def test_player_buttons_keep_their_whole_label_in_a_narrow_pane(qtbot: QtBot) -> None:
    """A pane dragged narrow squeezes the stretch, never the buttons' labels: their
    minimum is the styled size hint (a width measured before the style sheet's font and
    padding applied cut "−5 s" to "-5 :")."""
    from PySide6.QtWidgets import QSplitter

    from onetake_desktop.ui.widgets.player import PlayerWidget

    splitter = QSplitter()
    player = PlayerWidget()
    splitter.addWidget(player)
    splitter.addWidget(QWidget())
    qtbot.addWidget(splitter)
    splitter.resize(600, 300)
    splitter.show()
    qtbot.waitExposed(splitter)
    splitter.setSizes([1, 599])  # as far as the user can drag it
    QApplication.processEvents()
    for button in (player.play_button, player.back_button, player.forward_button):
        assert button.width() >= button.sizeHint().width(), (button.text(), button.width())
