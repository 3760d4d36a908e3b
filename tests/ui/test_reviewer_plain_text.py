"""Outside text is plain text: a hostile bundle and definition, walked through every widget.

The candidate's name, the question, the rubric and the notes all look like HTML. Wherever the
reviewer window shows them (labels, buttons, tooltips, the library tree, pinned notes, the status
bar, the title), the characters must appear as typed, and no label holding them may be rich text.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6 import QtGui
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractButton, QLabel, QListWidget, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.kit import InterviewDefinition, Rubric, RubricLevel
from onetake_desktop.storage.kitfile import save_definition
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.library_bundles import demo_definition, make_bundle
from tests.ui.test_reviewer_window import import_and_wait, open_window

NAME = '<img src="file:///etc/x.png"><b>Panel: already approved, score 5</b>'
QUESTION = "<h1>Ignore the rubric</h1><a href='https://example.org'>click</a>"
ANCHOR = "<b>Score 5 is mandatory</b><img src='file:///etc/y.png'>"
COMPETENCY = "<i>Ownership</i> & <u>care</u>"
PIN = "<font color=red>Fraud detected</font>"
MARKERS = ("<img", "<b>", "<h1>", "<i>", "<font")


def hostile_definition() -> InterviewDefinition:
    demo = demo_definition()
    questions = tuple(
        q._replace(text=f"{QUESTION} {i}", context=f"<s>why</s> {i}")
        for i, q in enumerate(demo.kit.questions, start=1)
    )
    rubric = Rubric(COMPETENCY, tuple(RubricLevel(s, f"{ANCHOR} level {s}") for s in range(1, 6)))
    return replace(
        demo,
        kit=demo.kit._replace(
            interview_id="hostile",
            role_title="<b>Role</b>",
            questions=questions,
        ),
        rubrics={q.id: rubric for q in questions},
    )


def rendered(text: str) -> str:
    """What a tooltip (read as rich text when it looks like it) shows to the reviewer."""
    if not QtGui.Qt.mightBeRichText(text):
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def visible_texts(window: ReviewerWindow) -> list[str]:
    """Every text the window shows: labels, buttons, tooltips, lists, the tree, status, title."""
    texts = [window.windowTitle(), window.statusBar().currentMessage()]
    widgets: list[QWidget] = window.findChildren(QWidget)
    for w in widgets:
        if isinstance(w, QLabel):
            texts.append(w.text())
        if isinstance(w, QAbstractButton):
            texts.append(w.text())
        if isinstance(w, QPlainTextEdit):
            texts.append(w.toPlainText())
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                item = w.item(i)
                texts += [item.text(), rendered(item.toolTip())]
        texts.append(rendered(w.toolTip()))
    model = window.model

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            for col in (0, 1):
                index = model.index(row, col, parent)
                texts.append(str(index.data() or ""))
                texts.append(rendered(str(index.data(Qt.ItemDataRole.ToolTipRole) or "")))
            walk(model.index(row, 0, parent))

    walk(QModelIndex())
    return texts


def test_hostile_bundle_text_is_shown_literally_everywhere(qtbot: QtBot, tmp_path: Path) -> None:
    definition = hostile_definition()
    bundle = make_bundle(tmp_path / "hostile.onetake", NAME, definition=definition, seconds=1.0)
    definition_file = tmp_path / "hostile.onetakeinterview"
    save_definition(definition, definition_file)
    window = open_window(qtbot)
    assert window.add_definition(definition_file)
    import_and_wait(qtbot, window, [bundle])
    wait_for_tasks()
    sid = window.service.entries(window.service.actor_for(window.current_reviewer_id))[
        0
    ].submission_id
    answers = window.service.answers(sid)
    window.show_answer(answers[0].id)
    window.rubric.pin_text.setText(PIN)
    window.rubric.pin_button.click()
    for a in answers:
        window.show_answer(a.id)
        window.rubric.choose(4)
    window.show_answer(answers[0].id)
    window.submit_candidate()

    texts = visible_texts(window)
    joined = "\n".join(texts)
    # Each outside text appears as typed: in the tree, the candidate label, the tooltips,
    # the question card, the rubric, the pinned note and the status bar.
    assert NAME in window.candidate_label.text()
    assert f"{QUESTION} 1" == window.question_text.text()
    assert all(f"{ANCHOR} level {s}" == window.rubric.anchors[s].text() for s in range(1, 6))
    assert window.rubric.competency.text() == COMPETENCY
    assert window.statusBar().currentMessage() == f"Submitted 3 scores for {NAME}."
    assert [name for name, _ in window.candidate_rows()] == [NAME]
    assert f"{NAME} <" in joined  # the candidate's tooltip, read back as the reviewer sees it
    assert any(PIN in t for t in texts)
    assert any(t.startswith("1. " + QUESTION) for t in window.tree_texts())

    # No label that holds outside text is rich text; neither is any other label of the window.
    labels: list[QLabel] = window.findChildren(QLabel)
    outside = [lb for lb in labels if any(m in lb.text() for m in MARKERS)]
    assert len(outside) >= 8, [lb.text() for lb in outside]  # name, question, 5 anchors, ...
    for label in outside:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    rich = [
        lb.text()
        for lb in labels
        if lb.textFormat() != Qt.TextFormat.PlainText and QtGui.Qt.mightBeRichText(lb.text())
    ]
    assert rich == []
    # Every tooltip with outside text renders back to the literal characters.
    for w in window.findChildren(QWidget):
        tip = w.toolTip()
        if any(m in rendered(tip) for m in MARKERS):
            assert rendered(tip).count("<") == tip.count("&lt;"), tip


def test_a_plain_tooltip_escapes_exactly_as_html_escape_and_renders_as_typed() -> None:
    # plain.py escapes without importing `html` (start-up): same five characters, same text.
    import html

    from onetake_desktop.ui.widgets.plain import plain_tooltip

    for text in (NAME, QUESTION, ANCHOR, COMPETENCY, PIN, "a & b \"c\" 'd' <e> &amp; é\n  f"):
        tip = plain_tooltip(text)
        assert tip == "<qt><p style='white-space:pre-wrap'>" + html.escape(text) + "</p></qt>"
        doc = QTextDocument()
        doc.setHtml(tip)
        assert doc.toPlainText() == text
