"""The reviewer window on a modest laptop (review s11: #3, #4, #7, #8, #11, #13), real bundles,
a real library and real Qt widgets (offscreen).

Screen sizes are emulated by the window's logical size (see test_reviewer_layout_flow.py):
1024x600, 1366x768 at 150 % (911x512) and the window's own minimum, 800x480, which is what
the window fits itself to on a 1366x768 screen at 150 % with a panel or task bar.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QScrollArea,
    QSizeGrip,
    QStyleOptionViewItem,
    QWidget,
)
from pytestqt.qtbot import QtBot

from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.storage.transcripts import SqliteTranscripts
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.library_bundles import make_bundle
from tests.ui.reviewer_windows import shown_reviewer_window
from tests.ui.test_transcript_window import features, words_of

SIZES = {"1024x600": (1024, 600), "1366x768 at 150%": (911, 512), "minimum": (800, 480)}
SAID = (
    "So the customer called me twice about the damaged parcel and I listened first, then I "
    "explained what our policy allows and offered a replacement with express delivery; she "
    "was calm by the end and thanked me."
)


@pytest.fixture
def library(tmp_path: Path) -> dict[str, list[int]]:
    """Ada (video) and Grace (audio only), each media answer transcribed (stored as the
    engine would store it): the answers' ids by name."""
    service = open_reviewer_service(app_paths().ensure().library)
    ids: dict[str, list[int]] = {}
    try:
        for name, audio_only in (("Ada Lovelace", False), ("Grace Hopper", True)):
            bundle = make_bundle(
                tmp_path / f"{name.split()[0]}.onetake", name, seconds=2.0, audio_only=audio_only
            )
            (outcome,) = service.import_paths([bundle]).outcomes
            assert outcome.submission_id is not None
            answers = [a.id for a in service.answers(outcome.submission_id)]
            store = SqliteTranscripts(service.library.db)
            for answer in service.answers(outcome.submission_id):
                if answer.media_path:
                    store.save(answer.id, words_of(SAID), rank=1)
            ids[name] = answers
    finally:
        service.close()
    return ids


def settle(qtbot: QtBot) -> None:
    for _ in range(3):  # the transcript's share of the height follows the layout (a timer)
        QApplication.processEvents()
        qtbot.wait(30)


def sized(qtbot: QtBot, size: tuple[int, int]) -> ReviewerWindow:
    window = shown_reviewer_window(qtbot)
    window.resize(*size)
    settle(qtbot)
    assert (window.width(), window.height()) == size
    return window


def assert_whole(widget: QWidget, within: QWidget) -> None:
    """``widget`` lies inside ``within`` and nothing cuts or covers any of it."""
    rect = QRect(widget.mapTo(within, QPoint(0, 0)), widget.size())
    assert within.rect().contains(rect), (widget, rect, within.rect())
    assert widget.visibleRegion().boundingRect().size() == widget.size(), widget


@pytest.mark.parametrize("kind", ["video", "audio"])
@pytest.mark.parametrize("name", list(SIZES))
def test_the_players_control_row_is_whole_and_the_transcript_takes_what_is_left(
    qtbot: QtBot, library: dict[str, list[int]], name: str, kind: str
) -> None:
    window = sized(qtbot, SIZES[name])
    answer = library["Ada Lovelace" if kind == "video" else "Grace Hopper"][0]
    window.show_answer(answer)
    settle(qtbot)
    player, panel = window.player, features(window).panel
    assert player.kind == kind
    # Under the player on these screens, the transcript's words showing.
    assert features(window).splitter.orientation() == Qt.Orientation.Vertical
    assert panel.text.isVisible() and panel.text.toPlainText().startswith("So the customer")

    def check() -> None:
        assert_whole(window.player_split, window.answer_pane)
        assert_whole(player, window.player_split)
        assert_whole(player.controls, player)
        for button in (
            player.play_button,
            player.back_button,
            player.forward_button,
            player.slower_button,
            player.faster_button,
        ):
            assert_whole(button, player.controls)
            assert button.height() >= button.sizeHint().height(), button.text()
        picture = player.video if kind == "video" else player.waveform
        assert_whole(picture, player)
        assert picture.height() >= window._picture_minimum
        assert_whole(panel.search, panel)

    check()
    # The transcript: two whole lines at least (it showed one and a cut one).
    lines = panel.text.viewport().height() // panel.text.fontMetrics().lineSpacing()
    assert lines >= 2, (panel.text.viewport().height(), panel.text.height())

    # A search's results take the transcript's room, never the player's.
    panel.search.setText("replacement")
    QTest.keyClick(panel.search, Qt.Key.Key_Return)
    settle(qtbot)
    assert panel.results.isVisible() and panel.results.count() == 4  # every media answer
    check()
    # The results whole too, two lines at least; where both do not fit, they take the words'
    # place until the search is cleared.
    assert_whole(panel.results, panel)
    assert panel.results.viewport().height() >= 2 * panel.results.fontMetrics().lineSpacing()
    if panel.text.isVisible():
        assert_whole(panel.text, panel)
    panel.search.clear()
    QTest.keyClick(panel.search, Qt.Key.Key_Return)
    settle(qtbot)
    assert not panel.results.isVisible() and panel.text.isVisible()
    window.close()


def test_tab_leaves_the_note_and_types_no_tab(qtbot: QtBot, library: dict[str, list[int]]) -> None:
    window = sized(qtbot, SIZES["1366x768 at 150%"])
    answer = library["Ada Lovelace"][0]
    window.show_answer(answer)
    window.activateWindow()
    note = window.rubric.note
    note.setFocus()
    QTest.keyClicks(note, "Calm")
    QTest.keyClick(note, Qt.Key.Key_Tab)
    assert note.toPlainText() == "Calm"  # no tab typed
    assert window.focusWidget() is not note
    # On to the recommendation, then Submit: a keyboard user reaches them by Tab.
    assert window.focusWidget() in window.recommend_buttons.values()
    window.flush_note()
    saved = window.service.library.scores.current(answer, window.current_reviewer_id)
    assert saved is not None and saved.note == "Calm"
    window.close()


def test_ctrl_enter_that_cannot_submit_says_why_in_the_status_bar(
    qtbot: QtBot, library: dict[str, list[int]]
) -> None:
    window = sized(qtbot, SIZES["1024x600"])
    window.show_answer(library["Ada Lovelace"][0])
    window.rubric.choose(4)  # one of three scored
    window.activateWindow()
    window.tree.setFocus()
    QTest.keyClick(window.tree, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not window.submit_button.isEnabled()
    assert window.statusBar().currentMessage() == (
        "Not submitted: 2 of 3 answers still need a score."
    )
    statuses = window.service.answer_statuses(
        window.service.actor_for(window.current_reviewer_id),
        submission_id=window.current_submission_id or 0,
    )
    assert "submitted" not in statuses.values()
    window.close()


def test_no_answer_no_live_looking_controls_and_the_empty_library_offers_import(
    qtbot: QtBot,
) -> None:
    window = sized(qtbot, SIZES["1024x600"])
    assert window.empty_hint.isVisible()
    assert window.empty_import.isVisible() and window.empty_import.text() == "Import bundles…"
    # The button is File > Import bundles… (Ctrl+I): the same action, the same guards.
    window.import_action.triggered.disconnect()
    asked: list[bool] = []
    window.import_action.triggered.connect(lambda: asked.append(True))
    window.empty_import.click()
    assert asked == [True]
    player = window.player
    for widget in (
        window.pin_notes.pin_text,
        window.pin_notes.pin_button,
        player.slower_button,
        player.faster_button,
        player.play_button,
        window.card_toggle,
    ):
        assert not widget.isEnabled(), widget
    panel = features(window).panel
    assert panel.status.text() == "Choose an answer to read what was said."
    window.close()


def test_an_answer_enables_them_and_clearing_it_greys_them_and_empties_the_transcript(
    qtbot: QtBot, library: dict[str, list[int]]
) -> None:
    window = sized(qtbot, SIZES["1024x600"])
    window.show_answer(library["Ada Lovelace"][0])
    player, panel = window.player, features(window).panel
    live = (window.pin_notes.pin_text, player.slower_button, player.faster_button)
    assert all(w.isEnabled() for w in (*live, window.card_toggle))
    assert panel.words
    window._clear_answer()  # as an erase of the shown candidate leaves it
    assert not any(w.isEnabled() for w in (*live, window.card_toggle))
    assert panel.words == () and not panel.text.isVisible()
    assert panel.status.text() == "Choose an answer to read what was said."
    window.close()


def test_q_and_show_the_notes_do_nothing_while_no_answer_shows(
    qtbot: QtBot, library: dict[str, list[int]]
) -> None:
    """Review s11b L1: toggle() ignores a greyed button, so Q and "Show the notes at
    moments" folded the card and the notes behind greyed controls. With no answer both
    actions are greyed and do nothing; with one, they work."""
    window = sized(qtbot, SIZES["1024x600"])
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    card, pins = window.card_toggle, window.pin_notes.toggle
    before = (card.isChecked(), pins.isChecked())
    assert not window.card_action.isEnabled() and not window.pins_action.isEnabled()
    QTest.keyClick(window, Qt.Key.Key_Q)
    window.card_action.trigger()
    window.pins_action.trigger()
    assert (card.isChecked(), pins.isChecked()) == before
    # The panel's sign-in enables every window action before the answer is back: the
    # actions themselves still leave greyed controls alone.
    for action in (window.card_action, window.pins_action):
        action.setEnabled(True)
        action.trigger()
    assert (card.isChecked(), pins.isChecked()) == before

    window.show_answer(library["Ada Lovelace"][0])
    assert window.card_action.isEnabled() and window.pins_action.isEnabled()
    QTest.keyClick(window, Qt.Key.Key_Q)
    window.pins_action.trigger()
    assert (card.isChecked(), pins.isChecked()) == (not before[0], not before[1])
    window._clear_answer()
    assert not window.card_action.isEnabled() and not window.pins_action.isEnabled()
    window.close()


def test_questions_keep_their_beginning_and_names_both_ends_when_cut(
    qtbot: QtBot, library: dict[str, list[int]]
) -> None:
    window = sized(qtbot, SIZES["1366x768 at 150%"])
    window.show_answer(library["Ada Lovelace"][0])
    settle(qtbot)
    tree, model = window.tree, window.model
    interview = model.index(0, 0)
    ada = model.index(0, 0, interview)
    question = model.index(0, 0, ada)
    assert question.data().startswith("1. ")

    def drawn(index: object) -> Qt.TextElideMode:
        option = QStyleOptionViewItem()
        tree.itemDelegate().initStyleOption(option, index)  # type: ignore[attr-defined]
        return option.textElideMode

    assert drawn(question) == Qt.TextElideMode.ElideRight
    assert drawn(interview) == Qt.TextElideMode.ElideRight
    assert drawn(ada) == Qt.TextElideMode.ElideMiddle  # the view's: "Maximi…Smythe"
    # The question is too long for the pane here: what is drawn is its beginning.
    width = tree.visualRect(question).width()
    metrics = tree.fontMetrics()
    assert metrics.horizontalAdvance(question.data()) > width
    shown = metrics.elidedText(question.data(), drawn(question), width)
    assert shown.startswith("1. Tell us") and shown.endswith("…"), shown
    window.close()


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_a_long_reviewer_name_is_cut_in_the_status_bar_and_whole_in_its_tooltip(
    qtbot: QtBot, size: tuple[int, int]
) -> None:
    """'Reviewing as <name>' fits the one-line status bar (a pasted long name ran past the
    window's edge); the whole name is the tooltip while the message shows, and only then."""
    window = sized(qtbot, size)
    name = "Benedikt Oberhausen-Lindqvist von Hohenzollern-Sigmaringen " * 4 + "Ende"
    reviewer = window.service.library.reviewers.ensure(name)
    window.set_reviewer(reviewer.id)
    bar = window.statusBar()
    message = bar.currentMessage()
    assert message.startswith("Reviewing as Benedikt") and message.endswith("…")
    # QStatusBar draws the message from x=6 to its size grip or first permanent widget shown.
    shown = [c for c in bar.findChildren(QWidget) if c.isVisible() and c.parentWidget() is bar]
    assert any(isinstance(c, QSizeGrip) for c in shown)
    ends = 6 + 2 + bar.fontMetrics().horizontalAdvance(message)
    assert all(ends <= c.x() for c in shown), [(c, c.x(), ends) for c in shown]
    assert name in bar.toolTip() and "Ende" not in message
    bar.clearMessage()  # the message ends (its timer, or a lock): its tooltip goes with it
    assert bar.toolTip() == ""
    short = window.service.library.reviewers.ensure("Ada")
    window.set_reviewer(short.id)
    assert bar.currentMessage() == "Reviewing as Ada" and bar.toolTip() == ""


def in_sight(widget: QWidget, scroll: QScrollArea) -> bool:
    """``widget`` lies whole inside the scroll area's viewport as it is scrolled now."""
    viewport = scroll.viewport()
    return viewport.rect().contains(QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size()))


def out_of_sight(widget: QWidget, scroll: QScrollArea) -> bool:
    """No row of ``widget`` shows in the scroll area's viewport as it is scrolled now."""
    rect = QRect(widget.mapTo(scroll.viewport(), QPoint(0, 0)), widget.size())
    return not scroll.viewport().rect().intersects(rect)


def shows_whole(label: QLabel) -> bool:
    """The label's text, wrapped at its width, fits its height (nothing cut at the bottom)."""
    rect = label.contentsRect()
    wrap = int(Qt.TextFlag.TextWordWrap)
    needed = label.fontMetrics().boundingRect(QRect(0, 0, rect.width(), 10**5), wrap, label.text())
    return needed.height() <= rect.height()


@pytest.mark.parametrize("name", ["1024x600", "1366x768 at 150%"])
def test_on_a_short_window_a_level_is_a_line_and_its_whole_anchor_shows_under_them(
    qtbot: QtBot, library: dict[str, list[int]], name: str
) -> None:
    """Review s11 #16: at 911x512 points each anchor wrapped to ~8 lines, so the note and Submit
    were 2-3 screens down (scroll range 854 px after a score). Now a level takes one line, the
    whole anchor of the level pointed at, focused or chosen shows in one box under them, and a
    score brings the note and Submit into sight."""
    window = sized(qtbot, SIZES[name])
    window.show_answer(library["Ada Lovelace"][1])  # the demo's question 2: long anchors
    settle(qtbot)
    assert window.view is not None and window.view.rubric is not None
    anchors = {level.score: level.anchor for level in window.view.rubric.levels}
    rubric, scroll = window.rubric, window.scoring_scroll
    viewport = scroll.viewport().height()
    # A line a level, and the whole rubric with its note and the buttons within 3/4 of a
    # viewport's scrolling (it was ~1.9 viewports).
    for score, label in rubric.anchors.items():
        assert label.text() == anchors[score]  # cut when painted only
        assert label.height() < 2 * label.fontMetrics().lineSpacing(), score
    assert scroll.verticalScrollBar().maximum() < 0.75 * viewport
    assert rubric.compact() and rubric.detail.isVisible()

    # Every anchor whole: in the box for the number the keyboard is on (Tab), for screen
    # readers on the number, and in its tooltip (plain text, as the kit wrote it).
    window.activateWindow()
    for score, text in anchors.items():
        button = rubric.buttons[score]
        button.setFocus(Qt.FocusReason.TabFocusReason)
        QApplication.processEvents()
        assert button.hasFocus()
        assert rubric.detail.text() == f"{score} · {text}"
        scroll.ensureWidgetVisible(rubric.detail, 0, 0)
        assert in_sight(rubric.detail, scroll) and shows_whole(rubric.detail), score
        assert button.accessibleDescription() == text
        tip = QTextDocument()
        tip.setHtml(button.toolTip())
        assert text in tip.toPlainText()
    # The mouse on a level's words shows that one; leaving it, the focused one again.
    QApplication.sendEvent(rubric.anchors[2], QEvent(QEvent.Type.Enter))
    assert rubric.detail.text() == f"2 · {anchors[2]}"
    QApplication.sendEvent(rubric.anchors[2], QEvent(QEvent.Type.Leave))
    assert rubric.detail.text() == f"5 · {anchors[5]}"  # the last focused

    # A score by its key: the note and Submit come into sight, and the box keeps the choice.
    scroll.verticalScrollBar().setValue(0)
    window.tree.setFocus()
    QTest.keyClick(window.tree, Qt.Key.Key_4)
    settle(qtbot)
    assert rubric.score() == 4 and rubric.detail.text() == f"4 · {anchors[4]}"
    assert in_sight(rubric.note, scroll) and in_sight(window.submit_button, scroll)
    # A click on a level's words chooses it too.
    scroll.ensureWidgetVisible(rubric.anchors[3], 0, 0)
    QTest.mouseClick(rubric.anchors[3], Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert rubric.score() == 3

    # A tall window: every anchor wrapped in full beside its number, no box.
    window.resize(SIZES[name][0], 800)
    settle(qtbot)
    assert not rubric.compact() and not rubric.detail.isVisible()
    for score, label in rubric.anchors.items():
        assert label.height() >= label.heightForWidth(label.width()), score
    window.close()


@pytest.mark.parametrize("name", ["1024x600", "1366x768 at 150%"])
def test_after_a_score_the_line_under_submit_shows_whole_or_not_at_all(
    qtbot: QtBot, library: dict[str, list[int]], name: str
) -> None:
    """Review s12b #8: at 911x512, after a score, "2 of 3 answers still need a score." was
    left cut in half at the viewport's bottom edge. The pane was measured while its status
    still took two lines ("Choose a level..."); "Draft saved." takes one, and the content
    moved up under the scroll. Now it is whole, or out of sight, from wherever the pane was
    scrolled, and the chosen level's box, the note and Submit stay in sight."""
    window = sized(qtbot, SIZES[name])
    window.show_answer(library["Ada Lovelace"][1])
    settle(qtbot)
    rubric, scroll, hint = window.rubric, window.scoring_scroll, window.submit_hint
    bar = scroll.verticalScrollBar()
    bar.setValue(0)
    assert rubric.status.text().startswith("Choose a level")
    window._on_score(4)
    # What the app's window did: the scroll ran (its timer) before the layouts had heard of
    # the status' new height.
    window._show_note_and_submit()
    settle(qtbot)
    assert (
        rubric.status.text() == "Draft saved."
        and hint.text() == "2 of 3 answers still need a score."
    )

    def whole_or_out() -> bool:
        return in_sight(hint, scroll) or out_of_sight(hint, scroll)

    def chosen_in_sight() -> bool:
        return in_sight(rubric.detail, scroll)

    assert whole_or_out(), (name, hint.mapTo(scroll.viewport(), QPoint(0, 0)).y())
    assert in_sight(rubric.note, scroll) and in_sight(window.submit_button, scroll)
    assert chosen_in_sight()
    # From wherever the reviewer had scrolled the pane.
    cut = []
    for start in range(0, bar.maximum() + 1, 4):
        bar.setValue(start)
        window._show_note_and_submit()
        assert in_sight(window.submit_button, scroll), start
        if not whole_or_out():
            cut.append(start)
    assert cut == [], name
    window.close()


# The picture's least height with the notes at moments open (walk s13 LOW-5: a 48 px strip
# at 1024x600): a 16:9 picture about 180 px high there, and its share on smaller windows
# (where the transcript's two lines and the notes' two rows take the rest).
PICTURE_WITH_NOTES = {"1024x600": 180, "1366x768 at 150%": 100, "minimum": 64}


@pytest.mark.parametrize("name", list(SIZES))
def test_opening_the_notes_keeps_the_answers_picture(
    qtbot: QtBot, library: dict[str, list[int]], name: str
) -> None:
    """A reviewer writes a note while watching: the notes' list opened under the player
    scrolls in the height left (two rows at least), and the transcript keeps its search
    line, but the picture keeps its share and the player its buttons."""
    window = sized(qtbot, SIZES[name])
    answer = library["Ada Lovelace"][0]
    window.show_answer(answer)
    actor = window.service.actor_for(window.current_reviewer_id)
    for ms, text in ((500, "Good eye contact"), (1200, "Offers a replacement"), (1500, "Calm")):
        window.service.add_note(actor, answer_id=answer, position_ms=ms, text=text)
    window._after_change()
    settle(qtbot)
    player, pins, panel = window.player, window.pin_notes, features(window).panel
    assert pins.pins.count() == 3 and not pins.pins.isVisible()  # short windows start folded
    least = PICTURE_WITH_NOTES[name]
    assert player.video.height() >= least, player.video.height()

    window.pins_action.trigger()  # View > Show the notes at moments
    settle(qtbot)
    assert pins.pins.isVisible()
    assert player.video.height() >= least, (player.video.height(), pins.pins.height())
    assert_whole(player.video, player)
    assert_whole(player.controls, player)
    assert_whole(panel.search, panel)
    assert_whole(pins.pin_text, window.answer_pane)
    # The list: two rows at least, the rest by scrolling.
    assert_whole(pins.pins, window.answer_pane)
    row = pins.pins.visualItemRect(pins.pins.item(0)).height()
    assert pins.pins.viewport().height() >= 2 * row - 2, (pins.pins.viewport().height(), row)
    # The window still fits the screen it was sized for.
    assert (window.width(), window.height()) == SIZES[name]

    # Folded again: the transcript's words come back under the search line.
    window.pins_action.trigger()
    settle(qtbot)
    assert not pins.pins.isVisible() and panel.text.isVisible()
    assert player.video.height() >= least
    assert_whole(panel.text, panel)
    window.close()


@pytest.fixture
def refused(tmp_path: Path) -> list[Path]:
    """Four files an import refuses, each for a sentence-long reason."""
    d = tmp_path / "refused"
    d.mkdir()
    files = {
        "hostile.onetake": b"PK\x03\x04" + b"\x00" * 200,
        "trunc.onetake": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x01" * 64,
        "empty.onetake": b"",
        "notes.onetake": b"Dear hiring team, please find my answers attached.\n" * 3,
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    return sorted(d.iterdir())


@pytest.mark.parametrize("name", list(SIZES))
def test_the_refused_imports_read_across_the_window(
    qtbot: QtBot, library: dict[str, list[int]], refused: list[Path], name: str
) -> None:
    """Walk s13 LOW-5: in the library's column (~150 px) each refusal wrapped into a word or
    two a line. Across the top of the panes a refusal takes a line or two, the box a few
    lines (it scrolls), and the answer under it keeps its player whole."""
    window = sized(qtbot, SIZES[name])
    window.show_answer(library["Ada Lovelace"][0])
    window.import_paths(refused)
    qtbot.waitUntil(lambda: not window.importing, timeout=30_000)
    wait_for_tasks()
    settle(qtbot)
    box, refusals = window.import_box, window.refused_list
    assert box.isVisible() and refusals.count() == len(refused)
    assert box.width() >= 0.9 * window.width(), (box.width(), window.width())
    line = refusals.fontMetrics().lineSpacing()
    for i in range(refusals.count()):
        rows = refusals.visualItemRect(refusals.item(i)).height() / line
        assert rows < 3, (refusals.item(i).text(), rows)
    # A few lines tall: the answer below keeps its picture's floor and its buttons.
    assert box.height() <= 7 * line, box.height()
    assert refusals.verticalScrollBar().maximum() > 0 or refusals.count() <= 3
    player = window.player
    assert player.video.height() >= window._picture_minimum
    assert_whole(player.controls, player)
    assert (window.width(), window.height()) == SIZES[name]
    window._dismiss_import_report()
    settle(qtbot)
    assert not box.isVisible()
    window.close()
