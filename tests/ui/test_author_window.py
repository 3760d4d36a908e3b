"""The authoring window (issue 15), driven through its controls: the demo interview built
from nothing, a hand-commented TOML edited with its comments kept, every guard rail shown
beside its field, and the candidate preview that writes nothing."""

from __future__ import annotations

import os
import time
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
)
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.authoring import content_hash_ignoring_version
from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services import author
from onetake_desktop.services.author import AuthorDraft
from onetake_desktop.services.context import AppContext
from onetake_desktop.storage import kitfile
from onetake_desktop.ui.author.fields import Field
from onetake_desktop.ui.author.preview import PREVIEW_NOTICE, PreviewWindow
from onetake_desktop.ui.author.window import AuthorWindow, offset_label
from onetake_desktop.ui.candidate.pages.privacy import PrivacyPage
from onetake_desktop.ui.candidate.pages.welcome import WelcomePage
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.unit.test_authoring import HAND_COMMENTED

pytestmark = pytest.mark.timeout(180, method="thread")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@pytest.fixture
def context(app_context: AppContext) -> AppContext:

    return app_context._replace(clock=ManualClock(NOW))


def make_window(
    qtbot: QtBot, context: AppContext, draft: AuthorDraft | None = None
) -> AuthorWindow:
    window = AuthorWindow(context, draft)
    qtbot.addWidget(window)
    window.ask_unsaved = lambda: "discard"
    window.resize(1024, 600)
    window.show()
    return window


def field(window: AuthorWindow, path: str) -> Field:
    for f in window.fields:
        if f.template == path or f.path(window.question) == path:
            return f
    raise KeyError(path)


def enter(window: AuthorWindow, path: str, value: Any) -> None:
    """Type or choose ``value`` in the control of ``path``, as a user would."""
    w = field(window, path).widget
    assert w.isEnabled(), path
    if isinstance(w, QLineEdit):
        w.setFocus()
        w.selectAll()
        w.insert(value)  # like typing or pasting
    elif isinstance(w, QPlainTextEdit):
        w.setFocus()
        w.selectAll()
        w.insertPlainText(value)
    elif isinstance(w, QSpinBox | QDoubleSpinBox):
        w.setValue(value)
    elif isinstance(w, QCheckBox):
        if w.isChecked() != (value is True):
            w.click()
    else:
        assert isinstance(w, QComboBox)
        w.setCurrentIndex(field(window, path).choices.index(value))
    f = field(window, path)
    assert f.read() == (None if f.optional and value == "" else value), path


def test_the_demo_interview_built_from_nothing_through_the_controls(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    demo = tomllib.loads(kitfile.demo_source_path().read_text(encoding="utf-8"))
    handled = {
        "organisation",
        "role_title",
        "contact",
        "interview_id",
        "version",
        "default_answer_type",
        "deadline",
        "accommodations",
        "welcome",
        "instructions",
        "next_steps",
        "privacy_notice",
        "retention_days",
        "practice",
        "questions",
        "late_submissions",
        "written_instead",
    }
    assert set(demo) <= handled, "a new field of the demo: enter it below"
    w = make_window(qtbot, context)
    assert w.draft.question_count() == 0
    if "late_submissions" in demo:
        enter(
            w,
            "late_submissions",
            "" if demo["late_submissions"] == "allow" else demo["late_submissions"],
        )
    if demo.get("written_instead"):
        enter(w, "written_instead", True)

    for key in ("organisation", "role_title", "contact", "interview_id", "version"):
        enter(w, key, demo[key])
    enter(w, "default_answer_type", demo["default_answer_type"])
    QTest.mouseClick(w.has_deadline, Qt.MouseButton.LeftButton)
    deadline: datetime = demo["deadline"]
    w.deadline_zone.setCurrentIndex(w.deadline_zone.findText("UTC"))
    # The field holds the wall-clock time of the zone chosen beside it, counted in UTC (the
    # window's _FIELD_ZONE): a value in this computer's zone would be converted first.
    w.deadline_edit.setDateTime(
        QDateTime(
            QDate(deadline.year, deadline.month, deadline.day),
            QTime(deadline.hour, deadline.minute),
            QTimeZone(QTimeZone.Initialization.UTC),
        )
    )
    for i, acc in enumerate(demo["accommodations"]):
        QTest.mouseClick(w.add_accommodation_button, Qt.MouseButton.LeftButton)
        for key in ("id", "label", "time_multiplier"):
            enter(w, f"accommodations[{i}].{key}", acc[key])
    for key in ("welcome", "instructions", "next_steps", "privacy_notice", "retention_days"):
        enter(w, key, demo[key])
    w.tabs.setCurrentIndex(3)
    QTest.mouseClick(w.has_practice, Qt.MouseButton.LeftButton)
    for key, value in demo["practice"].items():
        enter(w, f"practice.{key}", value)

    w.tabs.setCurrentWidget(w.questions)
    for i, q in enumerate(demo["questions"]):
        QTest.mouseClick(w.questions.add_button, Qt.MouseButton.LeftButton)
        assert w.question == i
        enter(w, "questions[{q}].answer_type", q.get("answer_type", ""))
        for key, value in q.items():
            if key == "rubric":
                for level, anchor in value.items():
                    enter(w, f"questions[{{q}}].rubric.{level}", anchor)
            elif key != "answer_type":
                enter(w, f"questions[{{q}}].{key}", value)
    assert w.summary.text().startswith("Ready to build"), w.draft.problems()

    w.choose_kit_path = lambda: tmp_path / "built.onetakekit"
    # Never saved: building saves it first, asking where (walk s13 LOW-3).
    w.choose_save_path = lambda: tmp_path / "demo.toml"
    w.build_action.trigger()
    assert not w.draft.dirty and (tmp_path / "demo.toml").exists()
    built = kitfile.load_kit(tmp_path / "built.onetakekit")
    committed = kitfile.load_kit(kitfile.demo_kit_path())
    assert content_hash_ignoring_version(built) == content_hash_ignoring_version(committed)
    built_definition = kitfile.load_definition(tmp_path / "built.onetakeinterview")
    committed_definition = kitfile.load_definition(kitfile.demo_definition_path())
    assert built_definition.rubrics == committed_definition.rubrics

    # Save it; the saved TOML reads back as the same interview.
    w.save_action.trigger()
    assert not w.draft.dirty and not w.isWindowModified()
    saved = kitfile.load_toml(tmp_path / "demo.toml")
    assert content_hash_ignoring_version(saved.kit) == content_hash_ignoring_version(committed)
    assert author.recent_files(context.paths).paths()[0] == (tmp_path / "demo.toml").resolve()
    assert [a.text() for a in w.recent_menu.actions()] == [str((tmp_path / "demo.toml").resolve())]
    assert field(w, "organisation").widget.accessibleName() == "Organisation"


def test_a_hand_commented_toml_opened_edited_and_saved_keeps_its_comments(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    source = tmp_path / "spring.toml"
    source.write_text(HAND_COMMENTED, encoding="utf-8")
    w = make_window(qtbot, context)
    assert w.open_file(source)
    enter(w, "role_title", "Customer Support Specialist")
    enter(w, "late_submissions", "mark")
    enter(w, "written_instead", True)
    w.tabs.setCurrentWidget(w.questions)
    enter(w, "questions[{q}].rubric.3", "A clear, specific example with a good outcome.")
    enter(w, "questions[{q}].think_seconds", 45)
    assert w.draft.dirty and w.isWindowModified()
    w.save_action.trigger()
    text = source.read_text(encoding="utf-8")
    for comment in (
        "# Our spring hiring round: keep this comment.",
        "# never change once published",
        "# warm-up",
        "# The one real question.",
        "# from the 2026 framework",
    ):
        assert comment in text
    saved = tomllib.loads(text)
    assert saved["role_title"] == "Customer Support Specialist"
    assert (saved["late_submissions"], saved["written_instead"]) == ("mark", True)
    assert saved["questions"][0]["think_seconds"] == 45
    kit = kitfile.load_toml(source).kit
    assert (kit.late_submissions, kit.written_instead) == ("mark", True)
    # Back to the defaults: the keys go, as the format writes them only when they differ.
    enter(w, "late_submissions", "")
    enter(w, "written_instead", "")
    w.save_action.trigger()
    again = tomllib.loads(source.read_text(encoding="utf-8"))
    assert "late_submissions" not in again and "written_instead" not in again
    assert saved["questions"][0]["rubric"]["3"].startswith("A clear, specific")


def test_undo_redo_reorder_by_keyboard_and_the_unsaved_prompt(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    w = make_window(qtbot, context, AuthorDraft.open(kitfile.demo_source_path()))
    w.tabs.setCurrentWidget(w.questions)
    w.questions.list.setCurrentRow(0)
    w.questions.list.setFocus()
    QTest.keyClick(w.questions.list, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert [q["id"] for q in w.draft.data()["questions"]] == ["q2", "q1", "q3"]
    assert w.question == 1
    QTest.mouseClick(w.questions.duplicate_button, Qt.MouseButton.LeftButton)
    assert w.draft.question_count() == 4
    w.undo_action.trigger()
    w.undo_action.trigger()
    assert [q["id"] for q in w.draft.data()["questions"]] == ["q1", "q2", "q3"]
    assert w.questions.list.count() == 3
    w.redo_action.trigger()
    assert [q["id"] for q in w.draft.data()["questions"]] == ["q2", "q1", "q3"]
    asked: list[str] = []
    w.ask_unsaved = lambda: asked.append("asked") or "cancel"  # type: ignore[func-returns-value]
    assert not w.close()
    assert asked == ["asked"] and w.isVisible()
    w.ask_unsaved = lambda: "discard"
    assert w.close()


def test_every_guard_rail_shows_beside_its_field(qtbot: QtBot, context: AppContext) -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    draft.remove("practice")
    draft.set("deadline", NOW + timedelta(days=2))
    draft.set("privacy_notice", "We take privacy seriously.")
    for _ in range(5):
        draft.add_question(bank=author.question_bank()[0])
    draft.set("questions[0].think_seconds", 10)
    draft.set("questions[1].retakes_allowed", 0)
    draft.set("questions[2].context", "")
    draft.set("questions[0].rubric.2", str(draft.get("questions[0].rubric.1")) + " ")
    draft.set("questions[3].answer_max_seconds", 1800)
    draft.set("organisation", "Your organisation")  # left as the template wrote it
    advice = draft.advice(NOW)
    assert {a.rule for a in advice} == {
        "placeholder",
        "promises_practice",  # the demo's instructions promise a practice question...
        "promises_rerecords",  # ... and 2 re-records of each answer
        "no_practice",
        "deadline_soon",
        "privacy_incomplete",
        "too_many_questions",
        "too_long",
        "short_think",
        "no_retakes",
        "no_why",
        "repeated_anchors",
    }
    w = make_window(qtbot, context, draft)
    assert w.checks.count() == len(advice)
    texts = [w.checks.item(i).text() for i in range(w.checks.count())]
    assert "⚠ Question 1, Time to think: is under 15 seconds" in "\n".join(texts)
    assert "⚠ Question 1, Anchor 2: reads almost the same as level 1" in "\n".join(texts)
    assert w.checks.isHidden()
    QTest.mouseClick(w.checks_button, Qt.MouseButton.LeftButton)
    assert not w.checks.isHidden()
    assert w.summary.text() == "Ready to build; 12 suggestions."
    for a in advice:
        if a.path.startswith("questions["):
            index = int(a.path.split("]")[0][len("questions[") :])
            w.questions.list.setCurrentRow(index)
            note = field(w, a.path).note
        else:
            notes = {
                "deadline": w.deadline_note,
                "practice": w.practice_note,
                "questions": w.questions.list_note,
            }
            note = notes[a.path] if a.path in notes else field(w, a.path).note
        assert not note.isHidden(), a
        assert a.message in note.text(), a
        assert note.textFormat() == Qt.TextFormat.PlainText
    assert w.questions.list.item(0).text().startswith("⚠")
    # Fixing one takes its warning away at once.
    w.questions.list.setCurrentRow(0)
    enter(w, "questions[{q}].think_seconds", 20)
    assert field(w, "questions[{q}].think_seconds").note.isHidden()


def test_a_hard_error_is_shown_at_its_field_and_stops_the_build(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    w = make_window(qtbot, context, AuthorDraft.open(kitfile.demo_source_path()))
    w.show_messages = False
    enter(w, "interview_id", "Not An Id")
    note = field(w, "interview_id").note
    assert not note.isHidden() and note.text().startswith("✖ Interview id must be lowercase")
    w.choose_kit_path = lambda: tmp_path / "x.onetakekit"
    w.build_action.trigger()
    assert w.last_message.startswith("Fix 1 problem first: Interview id must be lowercase")
    assert not (tmp_path / "x.onetakekit").exists()
    # The checks list names the field's path, and takes you to it.
    QTest.mouseClick(w.checks_button, Qt.MouseButton.LeftButton)
    w.tabs.setCurrentWidget(w.questions)
    item = w.checks.item(0)
    assert item.text().startswith("✖ Interview id (interview_id): must be lowercase")
    w.checks.itemClicked.emit(item)
    assert w.tabs.currentIndex() == 0


def test_questions_reorder_by_drag_and_come_from_the_bank(
    qtbot: QtBot, context: AppContext
) -> None:
    from PySide6.QtCore import QModelIndex

    from onetake_desktop.ui.author.bank import QuestionBankDialog

    w = make_window(qtbot, context, AuthorDraft.open(kitfile.demo_source_path()))
    w.tabs.setCurrentWidget(w.questions)
    # A drop moves the row in the list's model; the draft follows once the drop is over.
    assert w.questions.list.model().moveRow(QModelIndex(), 0, QModelIndex(), 3)
    qtbot.waitUntil(lambda: [q["id"] for q in w.draft.data()["questions"]] == ["q2", "q3", "q1"])
    assert w.questions.list.item(2).text().startswith("3. Tell us about a time you helped")

    dialog = QuestionBankDialog(w)
    qtbot.addWidget(dialog)
    dialog.choose("ownership-1")
    assert "Why we ask" in dialog.preview.toPlainText()
    chosen = dialog.chosen()
    assert chosen is not None and chosen.competency == "Ownership"
    w.pick_from_bank = lambda: chosen
    QTest.mouseClick(w.questions.bank_button, Qt.MouseButton.LeftButton)
    assert w.question == 3
    assert field(w, "questions[{q}].text").read() == chosen.text
    assert field(w, "questions[{q}].rubric.competency").read() == "Ownership"
    assert field(w, "questions[{q}].rubric.5").read() == chosen.rubric["5"]
    assert w.draft.problems() == []


def test_preview_runs_the_candidate_flow_on_the_draft_and_writes_nothing(
    qtbot: QtBot, context: AppContext
) -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    draft.set("role_title", "Draft role, not yet saved")
    w = make_window(qtbot, context, draft)
    preview = w.open_preview()
    assert isinstance(preview, PreviewWindow)
    qtbot.addWidget(preview)
    candidate = preview.candidate
    assert isinstance(candidate, CandidateWindow)
    assert candidate.service.kit.role_title == "Draft role, not yet saved"
    folder = preview.folder
    pages = candidate.pages
    assert candidate.page_name() == "welcome"
    assert preview.banner.isVisible() and preview.banner.text() == PREVIEW_NOTICE
    welcome = pages["welcome"]
    assert isinstance(welcome, WelcomePage)
    QTest.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    assert candidate.page_name() == "privacy"
    assert "Draft role" in preview.windowTitle()
    privacy = pages["privacy"]
    assert isinstance(privacy, PrivacyPage)
    privacy.name.setText("Preview Person")
    privacy.email.setText("preview@example.com")
    privacy.agree.setChecked(True)
    assert preview.banner.isVisible()
    QTest.mouseClick(privacy.agree_button, Qt.MouseButton.LeftButton)
    assert candidate.page_name() == "devices"
    assert preview.banner.isVisible() and preview.banner.text() == PREVIEW_NOTICE
    assert preview.banner.textFormat() == Qt.TextFormat.PlainText
    preview.close()
    qtbot.waitUntil(lambda: not folder.exists(), timeout=10_000)
    sessions = context.paths.sessions
    assert not sessions.exists() or not any(sessions.iterdir())
    assert not context.paths.settings.exists(), "the candidate's preferences are the preview's"


def test_the_privacy_guide_writes_a_notice_that_says_who_how_long_and_where(
    qtbot: QtBot, context: AppContext
) -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    draft.set("privacy_notice", "We take privacy seriously.")
    w = make_window(qtbot, context, draft)
    w.tabs.setCurrentIndex(2)
    assert not field(w, "privacy_notice").note.isHidden()
    w.privacy_who.setText("the two people on the hiring panel, and nobody else.")
    w.privacy_where.setText("they stay on this computer until you send them to us.")
    w.privacy_how_long.setText("90 days, then they are deleted.")
    QTest.mouseClick(w.write_notice_button, Qt.MouseButton.LeftButton)
    notice = field(w, "privacy_notice").read()
    assert notice.startswith("Who sees your answers: the two people on the hiring panel")
    assert "How long we keep them: 90 days" in notice
    assert field(w, "privacy_notice").note.isHidden(), field(w, "privacy_notice").note.text()
    assert not [a for a in w.draft.advice(NOW) if a.path == "privacy_notice"]
    w.undo_action.trigger()
    assert field(w, "privacy_notice").read() == "We take privacy seriously."


ODD_TOML = """interview_id = "odd"
practice = "not a table"
questions = 5
accommodations = "none"
"""


def test_a_file_the_form_cannot_edit_says_so_and_loses_nothing(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    source = tmp_path / "odd.toml"
    source.write_text(ODD_TOML, encoding="utf-8")
    w = make_window(qtbot, context)
    w.show_messages = False
    assert w.open_file(source)
    assert w.draft.question_count() == 0
    assert {p.path for p in w.draft.problems()} >= {"practice", "questions"}
    QTest.mouseClick(w.questions.add_button, Qt.MouseButton.LeftButton)
    assert "questions in this file is not written the way the form edits it" in w.last_message
    QTest.mouseClick(w.add_accommodation_button, Qt.MouseButton.LeftButton)
    assert w.last_message.startswith("accommodations in this file")
    assert w.draft.text() == ODD_TOML
    assert not w.draft.dirty


def test_building_changed_content_over_a_published_kit_makes_a_new_version(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    source = tmp_path / "support.toml"  # building saves the draft: not over the bundled demo
    source.write_bytes(kitfile.demo_source_path().read_bytes())
    w = make_window(qtbot, context, AuthorDraft.open(source))
    w.choose_kit_path = lambda: tmp_path / "support.onetakekit"
    w.build_action.trigger()
    assert "version 2026.11" in w.statusBar().currentMessage()
    w.tabs.setCurrentWidget(w.questions)
    enter(w, "questions[{q}].think_seconds", 45)
    w.build_action.trigger()
    message = w.statusBar().currentMessage()
    assert "version 2026.12" in message
    assert "The previous version stays as support-2026.11.onetakekit." in message
    assert field(w, "version").read() == "2026.12"  # the form shows the new stamp
    assert kitfile.load_kit(tmp_path / "support-2026.11.onetakekit").version == "2026.11"
    assert kitfile.load_kit(tmp_path / "support.onetakekit").version == "2026.12"
    # ... and so does the saved TOML: the published version has its source on disk.
    assert not w.draft.dirty and not w.isWindowModified()
    assert kitfile.load_toml(source).kit == kitfile.load_kit(tmp_path / "support.onetakekit")


def test_building_saves_the_draft_first_so_every_published_kit_has_its_toml(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    """Walk s13 LOW-3: the window built from an unsaved draft (title still ``name.toml*``), so
    a published kit could have no saved TOML that says the same."""
    source = tmp_path / "role.toml"
    source.write_bytes(kitfile.demo_source_path().read_bytes())
    w = make_window(qtbot, context, AuthorDraft.open(source))
    enter(w, "role_title", "Support Lead")
    assert w.isWindowModified() and w.draft.dirty
    w.choose_kit_path = lambda: tmp_path / "role.onetakekit"
    w.build_action.trigger()
    assert not w.draft.dirty and not w.isWindowModified()
    saved = kitfile.load_toml(source)
    assert saved.kit.role_title == "Support Lead"
    assert saved.kit == kitfile.load_kit(tmp_path / "role.onetakekit")

    # Never saved, and the save dialog cancelled: nothing is built, the kit is not asked for.
    blank = make_window(qtbot, context, AuthorDraft.open(tmp_path / "role.onetakekit"))
    assert blank.draft.path is None
    asked: list[str] = []
    blank.choose_save_path = lambda: None

    def choose_kit_path() -> Path:
        asked.append("kit")
        return tmp_path / "other.onetakekit"

    blank.choose_kit_path = choose_kit_path
    blank.build_action.trigger()
    assert asked == [] and not (tmp_path / "other.onetakekit").exists()


def test_a_read_only_toml_is_not_saved_over_and_nothing_is_built(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    """Review s13b B1/B2, the window's half: a read-only TOML was replaced anyway (as a 0600
    file); now saving it says so in one sentence, and building (which saves first) stops."""
    source = tmp_path / "role.toml"
    source.write_bytes(kitfile.demo_source_path().read_bytes())
    source.chmod(0o444)
    before = source.read_bytes()
    w = make_window(qtbot, context, AuthorDraft.open(source))
    w.show_messages = False
    enter(w, "role_title", "Support Lead")
    w.choose_kit_path = lambda: tmp_path / "role.onetakekit"
    w.build_action.trigger()
    assert w.last_message == (
        "Could not write role.toml (it is read-only), so nothing was built: make it writable, "
        "or save the interview as another file, then build again."
    )
    assert w.draft.dirty and w.isWindowModified()
    w.save_action.trigger()
    assert w.last_message == "Could not write role.toml (it is read-only)."
    assert w.draft.dirty and w.isWindowModified()
    assert source.read_bytes() == before and source.stat().st_mode & 0o777 == 0o444
    assert not (tmp_path / "role.onetakekit").exists()


def test_a_clean_read_only_toml_over_another_version_builds_nothing(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    """Review s13c C1: a draft with no edits was not saved before its build, so a read-only
    TOML changed in an editor was built, renumbered and the old kit archived, and only then
    did the save of the new version fail. Now the window refuses before writing anything."""
    folder = tmp_path / "work"  # tmp_path also holds the app's home
    folder.mkdir()
    source = folder / "role.toml"
    source.write_bytes(kitfile.demo_source_path().read_bytes())
    kit = folder / "role.onetakekit"
    author.build_kit(source, kit)
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Harbour Lane Home Supplies", "Harbour Lane"), encoding="utf-8")
    source.chmod(0o444)
    folder_before = {p.name: p.read_bytes() for p in folder.iterdir()}
    w = make_window(qtbot, context, AuthorDraft.open(source))
    w.show_messages = False
    assert not w.draft.dirty
    asked: list[str] = []

    def choose_kit_path() -> Path:
        asked.append("kit")
        return kit

    w.choose_kit_path = choose_kit_path
    w.build_action.trigger()
    assert w.last_message == (
        "Could not write role.toml (it is read-only), so nothing was built: make it writable, "
        "or save the interview as another file, then build again."
    )
    assert asked == []  # refused before the kit is even asked for
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == folder_before
    assert not w.draft.dirty and w.draft.get("version") == "2026.11"

    # Made writable, the same clean draft builds as the next version and saves it.
    source.chmod(0o644)
    w.build_action.trigger()
    assert asked == ["kit"]
    assert kitfile.load_kit(kit).version == "2026.12"
    assert 'version = "2026.12"' in source.read_text(encoding="utf-8")
    assert not w.draft.dirty


def test_save_as_gives_a_new_toml_the_users_usual_permissions(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    """Review s13c C7: a new TOML was mkstemp's 0600; an editor gives 0666 less the umask."""
    source = tmp_path / "role.toml"
    source.write_bytes(kitfile.demo_source_path().read_bytes())
    w = make_window(qtbot, context, AuthorDraft.open(source))
    w.show_messages = False
    copy = tmp_path / "shared" / "copy.toml"
    copy.parent.mkdir()
    w.choose_save_path = lambda: copy
    previous = os.umask(0o027)  # a umask unlike the usual 022, so a fixed 0644 would fail
    try:
        w.save_as_action.trigger()
    finally:
        os.umask(previous)
    assert w.last_message == "" and w.draft.path == copy
    assert copy.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.toml"]


def test_build_and_sign_is_offered_once_the_library_has_an_organisation_key(
    qtbot: QtBot, context: AppContext
) -> None:
    """The window asks whether it can sign right after it is on screen (issue 17: not before
    its first paint) and again whenever the File menu opens: a key made meanwhile counts."""
    from onetake_desktop.services.keys import key_service_for_library

    window = make_window(qtbot, context)
    qtbot.waitExposed(window)
    QApplication.processEvents()
    assert not window.sign_action.isEnabled()  # no key in this library
    library = context.paths.ensure().library
    with key_service_for_library(library) as keys:
        keys.new_key("Harbour Lane", "correct horse")
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    file_menu.aboutToShow.emit()
    assert window.sign_action.isEnabled()
    again = make_window(qtbot, context)
    qtbot.waitUntil(again.sign_action.isEnabled)  # after its first paint


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Kolkata", "UTC+05:30"),
        ("America/Sao_Paulo", "UTC−03:00"),
        ("Asia/Kathmandu", "UTC+05:45"),  # not a half hour: added to the list
        ("UTC", "UTC"),
    ],
)
def test_the_deadline_zone_defaults_to_this_computers_offset_and_is_saved(
    qtbot: QtBot,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    zone: str,
    expected: str,
) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        local = datetime.now().astimezone().utcoffset()
        assert local is not None
        source = tmp_path / "local.toml"
        source.write_text(kitfile.demo_source_path().read_text(encoding="utf-8"), "utf-8")
        w = make_window(qtbot, context, AuthorDraft.open(source))
        w.draft.set("deadline", None)
        w.load()
        assert w.deadline_zone.currentText() == expected
        QTest.mouseClick(w.has_deadline, Qt.MouseButton.LeftButton)
        w.save_action.trigger()
        saved = kitfile.load_toml(tmp_path / "local.toml").kit.deadline
        assert saved is not None and saved.utcoffset() == local
        # Opened again, the saved zone is the one shown, listed once.
        again = make_window(qtbot, context, AuthorDraft.open(tmp_path / "local.toml"))
        assert again.deadline_zone.currentText() == expected
        labels = [again.deadline_zone.itemText(i) for i in range(again.deadline_zone.count())]
        assert labels.count(expected) == 1
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("now", "zone", "shown", "offset"),
    [
        # 23:30 UTC on 1 June is already 2 June in Kolkata: the suggestion counts from 2 June.
        (datetime(2026, 6, 1, 23, 30, tzinfo=UTC), "Asia/Kolkata", "2026-06-16 23:59", 330),
        # Berlin on 20 March 2027 is at UTC+01:00; two weeks later (3 April) summer time has
        # begun: 23:59 that evening on this computer is 23:59 at UTC+02:00.
        (datetime(2027, 3, 20, 9, 0, tzinfo=UTC), "Europe/Berlin", "2027-04-03 23:59", 120),
    ],
    ids=["this computer's calendar", "the offset of its own date"],
)
def test_the_suggested_deadline_is_two_weeks_from_today_at_2359_on_this_computer(
    qtbot: QtBot,
    app_context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    now: datetime,
    zone: str,
    shown: str,
    offset: int,  # minutes east of UTC
) -> None:
    context = app_context._replace(clock=ManualClock(now))
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        source = tmp_path / "local.toml"
        source.write_text(kitfile.demo_source_path().read_text(encoding="utf-8"), "utf-8")
        w = make_window(qtbot, context, AuthorDraft.open(source))
        w.draft.set("deadline", None)
        w.load()
        assert w.deadline_edit.text() == shown
        assert w.deadline_zone.currentText() == offset_label(timedelta(minutes=offset))
        QTest.mouseClick(w.has_deadline, Qt.MouseButton.LeftButton)
        expected = datetime.fromisoformat(shown).replace(tzinfo=timezone(timedelta(minutes=offset)))
        assert w.draft.get("deadline") == expected
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_deadline_at_a_time_this_computers_zone_skips_is_shown_and_kept(
    qtbot: QtBot,
    app_context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 02:30 on 28 March 2027 does not exist in Berlin (clocks go from 02:00 to 03:00), but the
    # deadline is 02:30 at UTC+05:30: the field shows the wall-clock time of the chosen offset,
    # whatever this computer's own zone skips, and an edit elsewhere keeps it as it is.
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        source = tmp_path / "gap.toml"
        source.write_text(kitfile.demo_source_path().read_text(encoding="utf-8"), "utf-8")
        draft = AuthorDraft.open(source)
        deadline = datetime(2027, 3, 28, 2, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
        draft.set("deadline", deadline)
        w = make_window(qtbot, app_context, draft)
        assert w.deadline_edit.text() == "2027-03-28 02:30"
        assert w.deadline_zone.currentText() == "UTC+05:30"
        w.deadline_zone.setCurrentIndex(w.deadline_zone.findText("UTC+05:30"))
        w._deadline_edited()  # the form's value read back, as after any edit of the row
        assert w.draft.get("deadline") == deadline
        w.deadline_edit.setDateTime(w.deadline_edit.dateTime().addSecs(60))
        assert w.draft.get("deadline") == deadline + timedelta(minutes=1)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_field_words_name_a_questions_field_and_never_fail_on_a_bare_question(
    qtbot: QtBot, context: AppContext
) -> None:
    """Review s11b N5: field_words split where()'s words at ", " for any questions[...] path,
    so one naming a question but no field (no ", " in its words) raised IndexError."""
    window = make_window(qtbot, context, AuthorDraft.open(kitfile.demo_source_path()))
    window.build_parts()
    assert window.where("questions[1].think_seconds") == "Question 2, Time to think"
    assert window.field_words("questions[1].think_seconds") == "Time to think"
    assert window.field_words("questions[0]") == window.where("questions[0]")
    assert window.field_words("deadline") == window.where("deadline")


def test_a_plain_http_upload_address_is_a_hard_error_at_its_field(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    """Walk s14 W12: a bundle must not go out in clear text, so an http:// upload address
    (other than to this computer) stops the build as any invalid field does."""
    w = make_window(qtbot, context, AuthorDraft.open(kitfile.demo_source_path()))
    w.show_messages = False
    enter(w, "hand_over.upload_url", "http://intake.example.org/files/")
    note = field(w, "hand_over.upload_url").note
    rule = (
        "must be an https:// address (a tus upload endpoint); http:// only for this computer "
        "(localhost, 127.0.0.1 or [::1])"
    )
    assert not note.isHidden() and note.text() == f"✖ Upload address {rule}"
    w.choose_kit_path = lambda: tmp_path / "x.onetakekit"
    w.build_action.trigger()
    assert w.last_message.startswith(f"Fix 1 problem first: Upload address {rule}")
    assert not (tmp_path / "x.onetakekit").exists()
    # To this computer (a local intake server), plain http:// is fine.
    enter(w, "hand_over.upload_url", "http://127.0.0.1:1080/files/")
    assert note.isHidden() and w.draft.problems() == []
