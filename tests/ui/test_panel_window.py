"""The panel inside the real reviewer window (pytest-qt, offscreen): switch, lock, question
mode, independence on screen, summary with its chart, compare, decisions, blind mode, audit.

Set ONETAKE_SCREENSHOTS=/some/folder to keep the screenshots taken along the way.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import pytest
from argon2 import PasswordHasher
from PySide6.QtCharts import QBarSeries
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QMainWindow,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.kit import InterviewDefinition, Kit, Question, Rubric, RubricLevel
from onetake_desktop.domain.manifest import AnswerRecord, Consent, KitRef, SubmissionManifest
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.panel_records import Verified
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.library import Library, NewAnswer, open_library
from onetake_desktop.storage.panel_records import PanelistRecord
from onetake_desktop.ui import panel as panel_ui
from onetake_desktop.ui.panel.lock import CHOOSE_PROMPT
from onetake_desktop.ui.panel.question_mode import QuestionModeWindow
from onetake_desktop.ui.panel.summary import LOCKED_TEXT
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import set_synchronous

HASH = "sha256:" + "ef" * 32
QUESTIONS = {
    "q1": "Tell us about a time you owned a problem nobody else wanted.",
    "q2": "How would you explain a delay to an upset customer?",
}
NAMES = ("Ada Lovelace", "Brian Kernighan", "Carol Shaw", "Dennis Ritchie")
PASS = {"Ana": "ana passphrase", "Ben": "ben passphrase", "Cleo": "cleo passphrase"}
ANCHORS = (
    "Blames others; no example.",
    "Vague example; little ownership.",
    "Clear example; owned part of it.",
    "Owned it end to end; clear result.",
    "Owned it, fixed the cause, shared what was learned.",
)


def make_library(root: Path) -> tuple[Library, int, list[int]]:
    library = open_library(root)
    questions = tuple(
        Question(q, text, "We want to hear how you act.", 10, 5, 90, 1, "text")
        for q, text in QUESTIONS.items()
    )
    kit = Kit("support-lead", "1", "Acme", "Support lead", "hi", "do", "p", 30, "text", questions)
    levels = tuple(RubricLevel(i + 1, a) for i, a in enumerate(ANCHORS))
    interview = library.interviews.add_definition(
        HASH, InterviewDefinition(kit, {q: Rubric("Ownership", levels) for q in QUESTIONS})
    )
    ids = []
    for i, name in enumerate(NAMES):
        answers = tuple(
            AnswerRecord(
                q,
                "text",
                1,
                1,
                5.0,
                40.0,
                "2026-11-01T10:00:00Z",
                "2026-11-01T10:01:00Z",
                text=f"({name}) When the release broke on a Friday I stayed, found the cause "
                f"and wrote the post-mortem for {q}.",
            )
            for q in QUESTIONS
        )
        manifest = SubmissionManifest(
            KitRef("support-lead", "1", HASH),
            name,
            name.split()[0].lower() + "@example.org",
            Consent("11" * 32, "2026-11-01T09:59:00Z"),
            answers,
            "2026-11-01T10:05:00Z",
            "0.1.0",
        )
        new = [
            NewAnswer(a.question_id, "text", None, a.text, 5.0, 40.0, None, 1, 1) for a in answers
        ]
        folder = root / "submissions" / f"s{i}"
        folder.mkdir(parents=True)
        record = library.submissions.add(manifest, f"{i + 100:064x}", folder, new)
        assert record is not None
        ids.append(record.id)
    return library, interview.id, ids


HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)  # real Argon2id, cheaper


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def central(window: QMainWindow) -> QWidget:
    widget = window.centralWidget()
    assert widget is not None
    return widget


class Setup(TypedDict):
    window: ReviewerWindow
    interview: int
    subs: list[int]
    people: dict[str, int]
    library: Library
    panel: panel_ui.PanelController


@pytest.fixture
def setup(tmp_path: Path, clock: ManualClock, qtbot: QtBot) -> Iterator[Setup]:
    set_synchronous(True)
    library, interview, subs = make_library(tmp_path / "lib")
    rng = random.Random(3)
    made: list[PanelService] = []

    def factory(lib: Library) -> PanelService:
        made.append(PanelService(lib, clock, lambda: rng.getrandbits(62), HASHER))
        return made[-1]

    first = factory(library)
    people = {n: first.create_panelist(n, p).reviewer_id for n, p in PASS.items()}
    window = ReviewerWindow(ReviewerService(library), panel_service=factory(library))
    qtbot.addWidget(window)
    window.resize(1320, 860)
    window.show()
    yield {
        "window": window,
        "interview": interview,
        "subs": subs,
        "people": people,
        "library": library,
        "panel": window.panel,
    }
    set_synchronous(False)
    for w in list(window.panel.windows.values()):
        w.close()
    window.close()


def shot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    QApplication.processEvents()
    path = tmp_path / f"{name}.png"
    assert widget.grab().save(str(path))
    target = os.environ.get("ONETAKE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)
    return path


def score_elsewhere(root: Path, name: str, subs: list[int], *, submit: bool) -> None:
    """Another panelist scores every answer on a second connection to the same library file
    (as a script would, through the same use case), each answer 3."""
    library = open_library(root)
    try:
        service = PanelService(library, hasher=HASHER)
        actor = service.sign_in(service.panelist_named(name).reviewer_id, PASS[name])
        for sid in subs:
            open_answers = [
                a
                for a in service.answer_ids(submission_id=sid)
                if getattr(service.my_score(actor, answer_id=a), "status", "") != "submitted"
            ]
            for answer_id in open_answers:  # what this panelist has not submitted yet
                service.save_score(actor, answer_id=answer_id, score=3, note=f"{name} note")
            if submit and open_answers:
                service.submit_candidate(actor, submission_id=sid)
    finally:
        library.close()


def sign_in(panel: panel_ui.PanelController, reviewer_id: int, passphrase: str) -> None:
    panel.switch_to(reviewer_id)
    lock = panel.lock_screen
    assert lock.isVisible() and lock.group.checkedId() == reviewer_id
    lock.passphrase.setText(passphrase)
    lock.sign_in_button.click()


def all_text(widget: QWidget) -> str:
    """Every piece of text a user could read in the widget (visible labels, buttons, tables,
    lists and editors)."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QListWidget, QPlainTextEdit

    def shown(w: QWidget) -> bool:
        return w.isVisibleTo(widget)

    parts: list[str] = []
    parts += [w.text() for w in widget.findChildren(QLabel) if shown(w)]
    parts += [w.text() for w in widget.findChildren(QAbstractButton) if shown(w)]
    # Tables of widget items and views on a model (the summary) alike: every cell's text.
    for table in (t for t in widget.findChildren(QTableView) if shown(t)):
        model = table.model()
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                parts.append(str(model.index(r, c).data() or ""))
    for lst in (w for w in widget.findChildren(QListWidget) if shown(w)):
        parts.extend(lst.item(i).text() for i in range(lst.count()))
    parts += [w.toPlainText() for w in widget.findChildren(QPlainTextEdit) if shown(w)]
    return "\n".join(parts)


def test_choose_who_is_scoring_goes_once_a_name_is_chosen(setup: Setup) -> None:
    """The prompt is done with once a name is chosen; a reason for the lock stays."""
    panel, people = setup["panel"], setup["people"]
    lock = panel.lock_screen
    assert lock.prompt.text() == CHOOSE_PROMPT == "Choose who is scoring."
    assert lock.prompt.isVisible()
    lock.group.button(people["Ben"]).click()
    assert lock.prompt.isHidden()
    panel.lock("Locked after a few idle minutes.")
    lock.group.button(people["Ana"]).click()
    assert lock.prompt.isVisible() and lock.prompt.text() == "Locked after a few idle minutes."
    # Asked by the controller (you removed yourself), not read back from the label's text.
    panel.lock(ask_who=True)
    assert lock.prompt.text() == CHOOSE_PROMPT and lock.prompt.isVisible()
    lock.group.button(people["Ben"]).click()
    assert lock.prompt.isHidden()


def test_switch_panelist_in_two_clicks_and_lock_when_idle(
    setup: Setup,
    clock: ManualClock,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    window, panel, people = setup["window"], setup["panel"], setup["people"]
    # Every Panel menu item has its own Alt letter, as in the window's other menus.
    texts = [a.text() for a in panel.menu.actions() if not a.isSeparator()]
    letters = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(letters) == len(texts) == len(set(letters)) > 10, texts
    # Panelists exist: the window opens locked, its content hidden, its menu keys dead.
    assert panel.lock_screen.isVisible() and not central(window).isVisible()
    window.activateWindow()  # shortcuts reach only the active window (a real display too)
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    imports: list[bool] = []
    window.import_action.triggered.disconnect()
    window.import_action.triggered.connect(lambda: imports.append(True))
    QTest.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert imports == []
    sign_in(panel, people["Ana"], PASS["Ana"])
    assert window.current_reviewer_id == people["Ana"]
    assert central(window).isVisible() and not panel.lock_screen.isVisible()
    QTest.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert imports == [True]
    assert panel.switch.text() == "Panelist: Ana ▾"
    assert panel.switch.width() >= panel.switch.fontMetrics().horizontalAdvance("Panelist: Ana")

    # Two clicks: the switch, then a name -> the lock screen asks that panelist's passphrase.
    menu = panel.switch.menu()
    menu.aboutToShow.emit()
    ben = next(a for a in menu.actions() if a.text() == "Ben")
    ben.trigger()
    assert panel.lock_screen.isVisible() and panel.lock_screen.group.checkedId() == people["Ben"]
    assert not central(window).isVisible()
    panel.lock_screen.passphrase.setText("not it")
    panel.lock_screen.sign_in_button.click()
    assert "not Ben's passphrase" in panel.lock_screen.error.text()
    panel.lock_screen.passphrase.setText(PASS["Ben"])
    panel.lock_screen.sign_in_button.click()
    assert "Wait 1 second before trying again." in panel.lock_screen.error.text()
    shot(window, "panelist-switch-locked", tmp_path)
    clock.advance(1)
    panel.lock_screen.passphrase.setText(PASS["Ben"])
    panel.lock_screen.sign_in_button.click()
    assert window.current_reviewer_id == people["Ben"] and not panel.lock_screen.isVisible()

    menu.aboutToShow.emit()
    menu.popup(panel.switch.mapToGlobal(panel.switch.rect().bottomLeft()))
    shot(menu, "panelist-switch-menu", tmp_path)
    menu.hide()

    # Idle: nothing happens for the configured minutes -> locked, panel windows closed.
    summary = panel.open_summary()
    assert summary is not None
    assert summary is not None and summary.isVisible()
    clock.advance(4 * 60)
    panel.check_idle()
    assert not panel.lock_screen.isVisible()
    clock.advance(61)
    panel.check_idle()
    assert panel.lock_screen.isVisible() and panel.service.current_id is None
    assert panel.windows == {} and not central(window).isVisible()


# Scores each panelist gives on q1 and q2, by candidate (Ada, Brian, Carol, Dennis).
SCORES = {
    "Ana": {"q1": (4, 2, 3, 5), "q2": (3, 3, 4, 4)},
    "Ben": {"q1": (4, 3, 1, 5), "q2": (3, 2, 4, 5)},
    "Cleo": {"q1": (5, 2, 3, 4), "q2": (2, 3, 4, 4)},
}


def score_in_question_mode(
    panel: panel_ui.PanelController, name: str, subs: list[int]
) -> QuestionModeWindow:
    """Score every answer of the interview through the question-mode window, in its order."""
    window = panel.open_question_mode()
    assert isinstance(window, QuestionModeWindow)
    for i in range(len(window.queue)):
        window.go(i)
        shown = window.current()
        assert shown is not None
        submission_id, question_id, _ = shown
        score = SCORES[name][question_id][subs.index(submission_id)]
        window.rubric.choose(score)
    return window


def test_question_mode_keeps_each_panelist_blind_to_the_others_until_they_submit(
    setup: Setup,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    panel, people, subs = setup["panel"], setup["people"], setup["subs"]
    window = setup["window"]
    sign_in(panel, people["Ana"], PASS["Ana"])
    qm = score_in_question_mode(panel, "Ana", subs)
    # Question-major order, and this panelist's own shuffle of the candidates.
    assert [q for _, q in qm.queue] == ["q1"] * 4 + ["q2"] * 4
    ana_order = [c for c, _ in qm.queue[:4]]
    qm.go(0)
    assert qm.submit_button.isEnabled() and qm.submit_button.text() == "Submit my question 1 scores"
    assert "Question 1 of 2" in qm.question_label.text()
    shot(qm, "question-mode", tmp_path)
    qm.submit_button.click()
    assert qm.submit_button.text() == "Question 1 submitted"
    assert "Submitted 4 scores" in qm.message.text()

    # Ben: nothing of Ana's on his screens, neither in question mode nor in the summary.
    sign_in(panel, people["Ben"], PASS["Ben"])
    assert window.current_reviewer_id == people["Ben"]
    again = panel.open_question_mode()
    assert again is not None
    qm = again
    assert qm is not None
    assert [c for c, _ in qm.queue[:4]] != ana_order  # his own order
    assert qm.rubric.score() is None and "Not scored yet" in qm.rubric.status.text()
    summary = panel.open_summary()
    assert summary is not None
    assert summary is not None
    text = all_text(summary)
    assert "Ana" not in text and text.count(LOCKED_TEXT) >= 8
    assert summary.distribution("") == {}
    assert "Ana" not in all_text(window)  # the reviewer window shows only Ben's work
    score_in_question_mode(panel, "Ben", subs)
    summary.refresh()
    assert "Ana" not in all_text(summary)  # Ben's drafts do not open anything
    qm.go(0)
    qm.submit_button.click()
    summary.refresh()
    # Now q1 is open for Ben: Ana's submitted q1 scores show, her q2 drafts do not.
    ada = summary.cell_text(subs[0], "q1")
    # A line per panelist, score first (a long name is cut at its end, never its score).
    assert ada == "4  Ana\n4  Ben\nmean 4 · median 4 · spread 0"
    assert summary.cell_text(subs[0], "q2") == LOCKED_TEXT
    assert summary.alpha_text("q2") == LOCKED_TEXT

    sign_in(panel, people["Cleo"], PASS["Cleo"])
    score_in_question_mode(panel, "Cleo", subs)
    reopened = panel.windows["question_mode"]
    assert isinstance(reopened, QuestionModeWindow)
    qm = reopened
    qm.go(0)
    qm.submit_button.click()
    qm.go(len(qm.queue) - 1)
    qm.submit_button.click()
    summary = panel.open_summary()
    assert summary is not None
    # Cleo submitted both questions; Ana and Ben only q1 so far.
    carol = summary.cell_text(subs[2], "q1")  # Ana 3, Ben 1, Cleo 3 -> flagged
    assert carol.startswith("3  Ana\n1  Ben\n3  Cleo\n") and "spread 2  ⚑" in carol
    assert "mean 2.33 · median 3" in carol
    assert summary.cell_text(subs[1], "q2") == "3  Cleo\nmean 3 · median 3 · spread 0"
    # q1 alpha over the three panelists equals the domain's computation on the same table.
    from onetake_desktop.domain.panel import ordinal_alpha

    q1 = {s: {p: SCORES[n]["q1"][i] for n, p in people.items()} for i, s in enumerate(subs)}
    assert summary.alpha_text("q1") == f"{ordinal_alpha(q1):.3f}"
    counts = summary.distribution("q1")
    assert counts[people["Ben"]] == [1, 0, 1, 1, 1]
    bars = summary.chart.series()[0]
    assert isinstance(bars, QBarSeries) and bars.count() == 3  # one bar set per panelist
    summary.chart_question.setCurrentIndex(0)
    shot(summary, "panel-summary", tmp_path)


def test_compare_decisions_blind_mode_and_audit_banner(
    setup: Setup,
    tmp_path: Path,
) -> None:
    panel, people, subs = setup["panel"], setup["people"], setup["subs"]
    window, interview = setup["window"], setup["interview"]
    sign_in(panel, people["Ana"], PASS["Ana"])
    panel.actions["blind"].setChecked(True)
    names = [name for name, _ in window.candidate_rows()]
    assert all(n.startswith("C-") for n in names) and not set(names) & set(NAMES)

    compare = panel.open_compare()
    assert compare is not None
    compare.choose(subs[0], subs[2], "q2")
    left, right = compare.sides[0][1], compare.sides[1][1]
    assert "(Ada Lovelace)" in left.text.toPlainText() and "q2" in left.text.toPlainText()
    assert "(Carol Shaw)" in right.text.toPlainText()
    assert compare.sides[0][0].currentText().startswith("C-")  # blind: codes in the pickers
    shot(compare, "compare", tmp_path)

    decisions = panel.open_decisions()
    assert decisions is not None
    decisions.select(subs[0])
    decisions.radios["advance"].setChecked(True)
    decisions.reason.setText("Strongest ownership examples")
    decisions.record()
    assert "waits until every panelist has submitted" in decisions.message.text()
    score_in_question_mode(panel, "Ana", subs)
    ana = panel.service.current
    assert ana is not None
    for q in ("q1", "q2"):
        panel.service.submit_question(ana, interview_pk=interview, question_id=q)
    decisions.reload(keep=subs[0])
    decisions.radios["advance"].setChecked(True)
    decisions.reason.setText("Strongest ownership examples")
    decisions.record()
    # Ana alone has submitted: the decision still waits for the others, named.
    assert "(still to submit: Ben, Cleo)" in decisions.message.text()
    assert panel.service.decision_history(ana, submission_id=subs[0]) == []
    shot(decisions, "decision-refused", tmp_path)
    for name in ("Ben", "Cleo"):
        score_elsewhere(setup["library"].root, name, subs, submit=True)
    decisions.reload(keep=subs[0])
    decisions.radios["advance"].setChecked(True)
    decisions.reason.setText("Strongest ownership examples")
    decisions.feedback.setPlainText("Thank you; we would like to meet you.")
    decisions.record()
    assert "Decision recorded for Ada Lovelace" in decisions.message.text()  # name revealed
    window.reload_library()
    QApplication.processEvents()  # the blind relabelling runs right after the reload
    names = [name for name, _ in window.candidate_rows()]
    assert "Ada Lovelace" in names  # decided: revealed
    assert sum(n.startswith("C-") for n in names) == 3
    out = tmp_path / "panel.json"
    # Everyone submitted: Ana's export holds all 3 x 8 submitted scores, one per row.
    assert decisions.export_to(out, "json") == 24
    exported = out.read_text(encoding="utf-8")
    assert "Thank you; we would like to meet you." in exported and "Brian" not in exported
    shot(decisions, "decisions", tmp_path)

    # The audit log is checked at start-up; a row edited with sqlite3 shows on the lock screen.
    db_file = setup["library"].root / "onetake.sqlite3"
    conn = sqlite3.connect(db_file)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor_id = 999 WHERE seq = 3")
    conn.commit()
    conn.close()
    assert panel.check_audit() == "Audit log row 3 was changed after it was written."
    panel.lock("Locked.")
    assert panel.lock_screen.audit_banner.isVisible()
    assert "row 3 was changed" in panel.lock_screen.audit_banner.text()
    shot(window, "audit-tampered-lock-screen", tmp_path)


def test_first_panelist_from_the_menu_and_reviewer_window_scoring_is_audited(
    tmp_path: Path, clock: ManualClock, qtbot: QtBot
) -> None:
    from PySide6.QtCore import QTimer

    from onetake_desktop.ui.panel.new_panelist import NewPanelistDialog

    set_synchronous(True)
    library, _, subs = make_library(tmp_path / "lib")
    try:
        window = ReviewerWindow(
            ReviewerService(library), panel_service=PanelService(library, clock, hasher=HASHER)
        )
        qtbot.addWidget(window)
        window.show()
        panel = window.panel
        # No panelists yet: a plain reviewer window; panel views wait for a panelist.
        assert not panel.lock_screen.isVisible() and central(window).isVisible()
        assert not panel.actions["summary"].isEnabled() and panel.actions["new"].isEnabled()

        def fill() -> None:
            dialog = window.findChild(NewPanelistDialog, "NewPanelistDialog")
            assert dialog is not None
            dialog.name.setText("Dana")
            dialog.passphrase.setText("dana passphrase")
            dialog.repeat.setText("dana passphrase")
            dialog.create_and_sign_in()

        QTimer.singleShot(0, fill)
        panel.actions["new"].trigger()
        dana = panel.service.current_id
        assert dana is not None and window.current_reviewer_id == dana
        assert panel.actions["summary"].isEnabled()

        # Scoring in the reviewer window itself lands in the audit log too.
        answers = library.submissions.answers(subs[0])
        for a in answers:
            window.show_answer(a.id)
            window.rubric.choose(4)
        window.submit_button.click()
        assert panel.service.current is not None
        entries = panel.service.audit_entries(panel.service.current)
        assert [e.action for e in entries] == [
            "panelist_created",
            "sign_in",
            "score",
            "score",
            "submit",
        ]
        assert '"score":4' in entries[2].details
        assert f"submission {subs[0]}" == entries[4].subject
        assert panel.service.audit_problem() is None
        window.close()
    finally:
        set_synchronous(False)


def test_audio_only_review_hides_the_picture(tmp_path: Path, qtbot: QtBot) -> None:
    import subprocess

    from onetake_desktop.ui.panel.question_mode import load_answer
    from onetake_desktop.ui.widgets.player import PlayerWidget

    set_synchronous(True)
    try:
        root = tmp_path / "lib"
        library = open_library(root)
        library.interviews.ensure("clip", "1", HASH)
        folder = root / "submissions" / "clip"
        (folder / "media").mkdir(parents=True)
        clip = folder / "media" / "q1.mp4"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=15",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440",
                "-t",
                "1.5",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest",
                str(clip),
            ],
            check=True,
            timeout=60,
        )
        answer = AnswerRecord(
            "q1", "video", 1, 1, 1.0, 1.5, "2026-11-01T10:00:00Z", "2026-11-01T10:00:02Z"
        )
        manifest = SubmissionManifest(
            KitRef("clip", "1", HASH),
            "Eve Example",
            "eve@example.org",
            Consent("11" * 32, "2026-11-01T09:59:00Z"),
            (answer,),
            "2026-11-01T10:05:00Z",
            "0.1",
        )
        record = library.submissions.add(
            manifest,
            "ab" * 32,
            folder,
            [NewAnswer("q1", "video", "media/q1.mp4", None, 1.0, 1.5, 1.5, 1, 1)],
        )
        assert record is not None
        answer_id = library.submissions.answers(record.id)[0].id
        service = PanelService(library, hasher=HASHER)
        ida = service.create_panelist("Ida", "ida passphrase")
        player = PlayerWidget()
        qtbot.addWidget(player)

        load_answer(player, service, ida, answer_id)
        assert player.kind == "video" and player.stack.currentWidget() is player.video
        service.set_audio_only(ida, True)
        load_answer(player, service, ida, answer_id)
        assert player.kind == "audio" and player.stack.currentWidget() is player.waveform
        assert len(player.waveform.levels) > 0 and max(player.waveform.levels) > 0  # the tone
        player.clear()
        library.close()
    finally:
        set_synchronous(False)


# -- leaks between reviewer mode and the panel (drafts, names) --------------------------------


def reviewer_window_texts(window: ReviewerWindow) -> str:
    """Every text the reviewer window can show about a candidate, hidden parts included: a
    name that is merely hidden still leaks the moment its pane shows again."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    parts = [window.windowTitle(), window.statusBar().currentMessage()]
    parts += [w.text() for w in window.findChildren(QLabel)]
    parts += [w.text() + w.toolTip() for w in window.findChildren(QAbstractButton)]
    parts += window.tree_texts()
    return "\n".join(parts)


def assert_no_real_names(window: ReviewerWindow) -> None:
    text = reviewer_window_texts(window)
    for name in NAMES:
        first = name.split()[0]
        assert first not in text, f"{first} shows in the reviewer window while blind"
        assert f"{first.lower()}@example.org" not in text
    # Nor the bundle's hash, or the start of it that names an imported bundle's media
    # folder: it joins a code to the candidate's file (tests/pipeline/test_blind_exports.py).
    for submission in window.service.library.submissions.all():
        assert submission.bundle_sha256[:16] not in text


def test_blind_mode_leaves_no_real_name_in_the_reviewer_window(
    setup: Setup,
    tmp_path: Path,
) -> None:
    window, panel, people, subs = setup["window"], setup["panel"], setup["people"], setup["subs"]
    sign_in(panel, people["Ana"], PASS["Ana"])
    panel.actions["blind"].setChecked(True)
    assert_no_real_names(window)
    # Score and submit Ada's answers in the reviewer window itself, stepping with N.
    window.show_answer(setup["library"].submissions.answers(subs[0])[0].id)
    assert window.candidate_label.text().startswith("C-")
    assert window.candidate_email.text() == ""
    for _ in range(2):
        window.rubric.choose(4)
        assert_no_real_names(window)
        window.step_answer(+1)
    window.show_answer(setup["library"].submissions.answers(subs[0])[1].id)
    window.submit_button.click()
    assert window.statusBar().currentMessage().startswith("Submitted 2 scores for C-")
    assert_no_real_names(window)
    for _ in range(6):  # N through the other candidates, P back
        window.step_answer(+1)
        assert_no_real_names(window)
    window.step_answer(-1)
    assert_no_real_names(window)
    # Neither searching for a real name nor sorting by name can tell who is behind a code.
    window.search.setText("Ada")
    assert window.candidate_rows() == []
    code = window.candidate_label.text()
    window.search.setText(code)
    assert [name for name, _ in window.candidate_rows()] == [code]
    window.search.clear()
    window.sort.setCurrentIndex(window.sort.findData("name"))
    shown = [name for name, _ in window.candidate_rows()]
    assert shown == sorted(shown, key=str.casefold)
    assert_no_real_names(window)
    shot(window, "blind-reviewer-window", tmp_path)
    # Blind mode stays on while a candidate being scored still waits for a panelist: a single
    # panelist cannot switch it off for everyone.
    panel.actions["blind"].setChecked(False)
    assert panel.actions["blind"].isChecked() and panel.service.blind_mode()
    assert "Blind mode stays on" in window.statusBar().currentMessage()
    assert_no_real_names(window)
    # Once every panelist has submitted, blind mode off: the real names come back at once.
    for name in ("Ana", "Ben", "Cleo"):
        score_elsewhere(setup["library"].root, name, subs, submit=True)
    panel.actions["blind"].setChecked(False)
    assert not panel.actions["blind"].isChecked()
    assert window.candidate_label.text() in NAMES
    assert "Ada Lovelace" in reviewer_window_texts(window)


def test_export_from_the_reviewer_window_holds_no_draft_while_panelists_exist(
    setup: Setup,
    tmp_path: Path,
) -> None:
    import json

    window, panel, people, subs = setup["window"], setup["panel"], setup["people"], setup["subs"]
    library = setup["library"]
    sign_in(panel, people["Ana"], PASS["Ana"])
    for sub, score in ((subs[0], 5), (subs[1], 2)):
        for a in library.submissions.answers(sub):
            window.show_answer(a.id)
            window.rubric.choose(score)
        window.recommend_buttons["yes"].click()
    window.submit_button.click()  # Brian's (subs[1]) scores and recommendation submitted
    out = tmp_path / "scores.json"
    window.export_scores(out, "json")
    rows = json.loads(out.read_text(encoding="utf-8"))["scores"]
    assert [(r["candidate_name"], r["score"], r["status"]) for r in rows] == [
        ("Brian Kernighan", 2, "submitted"),
        ("Brian Kernighan", 2, "submitted"),
    ]
    assert {r["recommendation"] for r in rows} == {"yes"}
    assert "Exported 2 submitted scores" in window.statusBar().currentMessage()
    # Panel exports never hold a draft either: Ada's 5s are Ana's drafts.
    decisions = panel.open_decisions()
    assert decisions is not None
    panel_out = tmp_path / "panel.json"
    decisions.export_to(panel_out, "json")
    panel_rows = json.loads(panel_out.read_text(encoding="utf-8"))["scores"]
    assert {r["score"] for r in panel_rows} <= {"", 2}
    assert all(r["score"] == "" for r in panel_rows if r["candidate_name"] == "Ada Lovelace")


def test_lock_stops_and_empties_the_window_and_a_switch_shows_none_of_the_last_drafts(
    setup: Setup,
    tmp_path: Path,
) -> None:
    from PySide6.QtWidgets import QPlainTextEdit

    window, panel, people, subs = setup["window"], setup["panel"], setup["people"], setup["subs"]
    first = setup["library"].submissions.answers(subs[0])[0].id
    sign_in(panel, people["Ana"], PASS["Ana"])
    window.show_answer(first)
    window.rubric.choose(4)
    window.rubric.note.setPlainText("Ana's private note")
    window.rubric.flush_note()
    window.player.seek(0)
    window.service.add_note(
        window.service.actor_for(people["Ana"]),
        answer_id=first,
        position_ms=1000,
        text="Ana's pinned thought",
    )
    window.recommend_buttons["strong_yes"].click()
    window.show_answer(first)
    assert window.rubric.score() == 4 and window.rubric.pins.count() == 1

    correction = QInputDialog(window)  # e.g. "Correct a submitted score", left open
    correction.show()
    panel.lock("Locked.")
    assert not correction.isVisible()
    assert not central(window).isVisible() and not window.player.isVisible()
    assert window.player.kind == "none" and not window.player.playing
    texts = reviewer_window_texts(window)
    texts += "\n".join(w.toPlainText() for w in window.findChildren(QPlainTextEdit))
    assert "Ana's" not in texts and window.rubric.score() is None
    assert window.model.rowCount() == 0  # her statuses are hers too

    # Ben signs in: nothing of Ana's on any field, even on the very answer she scored.
    sign_in(panel, people["Ben"], PASS["Ben"])
    assert window.current_answer_id is None  # Ben does not land where Ana was
    window.show_answer(first)
    assert window.rubric.score() is None and window.rubric.note_text() == ""
    assert window.rubric.pins.count() == 0
    assert not any(b.isChecked() for b in window.recommend_buttons.values())
    statuses = {status for _, status in window.candidate_rows()}
    assert statuses == {"not started"}
    assert "Ana's" not in reviewer_window_texts(window)
    # Ana back: her own drafts; after a lock with nobody in between, on the same answer.
    panel.lock("Locked.")
    sign_in(panel, people["Ana"], PASS["Ana"])
    window.show_answer(first)
    panel.lock("Locked after a few idle minutes.")
    sign_in(panel, people["Ana"], PASS["Ana"])
    assert window.current_answer_id == first and window.candidate_label.text() == NAMES[0]
    assert window.rubric.score() == 4 and window.rubric.note_text() == "Ana's private note"
    assert window.recommend_buttons["strong_yes"].isChecked()


def test_sign_in_checks_the_passphrase_off_the_gui_thread(
    setup: Setup,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    window, panel, people = setup["window"], setup["panel"], setup["people"]
    service = panel.service
    threads: list[int] = []  # idents: current_thread() would leave a dummy Thread behind
    verify = service.verify_passphrase

    def watched(record: PanelistRecord, passphrase: str) -> Verified:
        threads.append(threading.get_ident())
        return verify(record, passphrase)

    monkeypatch.setattr(service, "verify_passphrase", watched)
    set_synchronous(False)
    try:
        panel.switch_to(people["Ben"])
        lock = panel.lock_screen
        lock.passphrase.setText(PASS["Ben"])
        lock.sign_in_button.click()
        # Busy while Argon2id runs: a bar, no second try, the window not yet open.
        assert lock.busy and lock.checking.isVisibleTo(lock)
        assert not lock.sign_in_button.isEnabled() and not lock.passphrase.isEnabled()
        qtbot.waitUntil(lambda: not lock.isVisible(), timeout=5000)
    finally:
        from onetake_desktop.ui.tasks import wait_for_tasks

        wait_for_tasks(5000)
        set_synchronous(True)
    assert threads and threads[0] != threading.main_thread().ident
    assert window.current_reviewer_id == people["Ben"] and not lock.checking.isVisible()


def test_new_panelist_hashes_the_passphrase_off_the_gui_thread(
    setup: Setup,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from onetake_desktop.ui.panel.new_panelist import NewPanelistDialog
    from onetake_desktop.ui.tasks import wait_for_tasks

    window, panel = setup["window"], setup["panel"]
    service = panel.service
    threads: list[int] = []
    prepare = service.prepare_panelist

    def watched(passphrase: str) -> tuple[str, bytes, bytes]:
        threads.append(threading.get_ident())
        return prepare(passphrase)

    monkeypatch.setattr(service, "prepare_panelist", watched)
    dialog = NewPanelistDialog(service, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("Dana")
    dialog.passphrase.setText("dana passphrase")
    dialog.repeat.setText("dana passphrase")
    set_synchronous(False)
    try:
        dialog.create_and_sign_in()
        assert dialog.busy and not dialog.ok_button.isEnabled()
        assert dialog.ok_button.text() == "Creating…"
        qtbot.waitUntil(lambda: dialog.created_id is not None, timeout=5000)
    finally:
        wait_for_tasks(5000)
        set_synchronous(True)
    assert threads and threads[0] != threading.main_thread().ident
    assert service.current_id == dialog.created_id
    dana = next(p for p in service.panelists() if p.name == "Dana")
    service.lock()
    dana_actor = service.sign_in(dana.reviewer_id, "dana passphrase")  # the real stored hash
    assert dana_actor.warnings == ()  # the key from the passphrase checks her signed rows
    actions = [e.action for e in service.audit_entries(dana_actor)]
    assert actions[-4:] == ["panelist_created", "sign_in", "lock", "sign_in"]
