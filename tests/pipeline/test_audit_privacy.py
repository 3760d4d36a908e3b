"""What the audit log says about candidates and colleagues.

- It outlives every candidate (erasure appends to it, never rewrites it), so it keeps nothing
  written about one, not even as a hash: a SHA-256 of "zelda-quokka-panel.csv" or of
  "Thanks Zelda, well done" confirms a guess long after Zelda was erased. Exports are audited
  by kind, format and row count; decisions by their value and whether feedback was given.
- ``panel audit --as X`` shows another panelist's score activity on an answer (which
  answers, how many changes, when) only once X may see their scores there: both have
  submitted it. Whole-candidate submissions stay visible (the decision gate tells them).

Real bundles, a real SQLite library and the real command line.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from onetake_desktop.cli import main
from onetake_desktop.paths import app_paths
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.services.shortlist import ShortlistService
from onetake_desktop.storage.library import Library
from tests.pipeline.library_bundles import make_bundle
from tests.pipeline.test_privacy import import_one

NAME, EMAIL = "Zelda Quokka", "zelda.q@example.org"
OTHER, OTHER_EMAIL = "Yannick Wombat", "yannick.w@example.org"
PASS = {"Ana": "ana passphrase", "Ben": "ben passphrase"}
HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)  # real Argon2id, cheaper


def panel_library(tmp_path: Path) -> dict[str, int]:
    """Zelda and Yannick imported from files named after them, and a panel: Ana (chair) and
    Ben, locked. Returns the submission ids by name."""
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        ids = {
            name: import_one(
                service,
                make_bundle(
                    tmp_path / f"demo-{name.replace(' ', '-')}.onetake", name, email, seconds=1.0
                ),
            )
            for name, email in ((NAME, EMAIL), (OTHER, OTHER_EMAIL))
        }
        panel = PanelService(service.library, hasher=HASHER)
        panel.create_panelist("Ana", PASS["Ana"], chair=True)
        panel.create_panelist("Ben", PASS["Ben"])
        panel.lock()
    finally:
        service.close()
    return ids


def as_panelist(library: Library, name: str) -> tuple[PanelService, Any]:
    panel = PanelService(library, hasher=HASHER)
    return panel, panel.sign_in(panel.panelist_named(name).reviewer_id, PASS[name])


def audit_rows() -> list[str]:
    """Every audit row as the file holds it, every column as text (not the app's view)."""
    conn = sqlite3.connect(app_paths().library / "onetake.sqlite3")
    try:
        return [" ".join(str(v) for v in row) for row in conn.execute("SELECT * FROM audit_log")]
    finally:
        conn.close()


def guessed(text: str) -> list[str]:
    """What a guess of ``text`` would be checked against: its SHA-256, as the app wrote it
    (stripped) and as it is."""
    return [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in {text, text.strip()}]


def test_after_erasure_the_audit_log_confirms_no_guess_of_a_file_name_or_feedback(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    ids = panel_library(tmp_path)
    zelda = ids[NAME]
    reason, feedback = f"{NAME} is a clear fit", "Thanks Zelda, well done"
    correction = "Zelda's sound came back on a second listen"
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        for who in ("Ben", "Ana"):
            panel, actor = as_panelist(service.library, who)
            for a in service.library.submissions.answers(zelda):
                panel.save_score(actor, answer_id=a.id, score=3)
            panel.submit_candidate(actor, submission_id=zelda)
        first = service.library.submissions.answers(zelda)[0].id
        panel.correct_score(actor, answer_id=first, score=4, note="", reason=correction)
        panel.decide(
            actor, submission_id=zelda, decision="advance", reason=reason, feedback=feedback
        )
        # Exports named after her, as people name them: the shortlist and the decisions'.
        (interview,) = [i.id for i in panel.interviews()]
        files = ["shortlist-zelda-quokka.csv", "Zelda Quokka decisions.json"]
        ShortlistService(panel.scoring).export(
            actor, interview_pk=interview, fmt="csv", out=tmp_path / files[0]
        )
        panel.export(actor, interview_pk=interview, fmt="json", out=tmp_path / files[1])
        panel.lock()
    finally:
        service.close()
    files.append("zelda-quokka-panel.csv")  # and the command line's
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASS["Ana"] + "\n"))
    out = str(tmp_path / files[-1])
    assert main(["panel", "export", "--as", "Ana", "--format", "csv", "-o", out], app_context) == 0

    # The exports are audited, by what they were, never by their file's name.
    exports = [r for r in audit_rows() if " export " in r]
    assert len(exports) == 3
    assert all('"format"' in r and '"rows"' in r and '"file"' not in r for r in exports)

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASS["Ana"] + "\n"))
    erase = ["library", "erase", "--email", EMAIL, "--yes", "--as", "Ana"]
    assert main(erase, app_context) == 0
    capsys.readouterr()

    rows = "\n".join(audit_rows())
    assert " erased " in rows and " decide " in rows and " correct " in rows
    guesses = {text: guessed(text) for text in (*files, reason, feedback, correction)}
    for text, hashes in guesses.items():
        assert text not in rows
        for h in hashes:
            assert h not in rows, f"the audit log confirms a guess of {text!r}"
    assert NAME not in rows and EMAIL not in rows and "Zelda" not in rows
    # The decision's row still says what was decided, and that feedback was given.
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        panel, ana = as_panelist(service.library, "Ana")
        (decided,) = [line for line in panel.audit_view(ana) if line.action == "decide"]
        assert decided.details["decision"] == "advance" and decided.details["feedback"] is True
        assert panel.audit_problem() is None
        panel.lock()
    finally:
        service.close()


def cli_audit(
    name: str, context: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    """``onetake panel audit --as NAME --json``: the lines NAME is shown."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASS[name] + "\n"))
    assert main(["panel", "audit", "--as", name, "--json"], context) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def activity(lines: list[dict[str, Any]], who: str) -> list[tuple[str, str, object]]:
    """(action, subject, score) of the score rows by ``who`` among these lines."""
    return [
        (line["action"], line["subject"], line["details"]["score"])
        for line in lines
        if line["actor"] == who and line["action"] in ("score", "correct")
    ]


def test_the_audit_view_shows_a_colleagues_score_activity_only_once_both_have_submitted(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    ids = panel_library(tmp_path)
    zelda, yannick = ids[NAME], ids[OTHER]
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        panel, ana = as_panelist(service.library, "Ana")
        zelda_answers = [a.id for a in service.library.submissions.answers(zelda)]
        for a in zelda_answers:
            for score in (2, 3, 4):  # she changes her mind twice on each
                panel.save_score(ana, answer_id=a, score=score)
        panel.submit_candidate(ana, submission_id=zelda)
        panel.correct_score(ana, answer_id=zelda_answers[0], score=5, note="", reason="sound")
        first_of_yannick = service.library.submissions.answers(yannick)[0].id
        for score in (1, 2):  # a draft she has not submitted
            panel.save_score(ana, answer_id=first_of_yannick, score=score)
        panel.lock()
        # The service, as Ben, who has submitted nothing: Ana's submission shows (the
        # decision gate tells it anyway), none of her score activity does.
        panel, ben = as_panelist(service.library, "Ben")
        seen = panel.audit_view(ben)
        assert [(x.action, x.subject) for x in seen if x.actor == "Ana" and x.action == "submit"]
        assert [x for x in seen if x.actor == "Ana" and x.action in ("score", "correct")] == []
        # Her own view is whole: 3 changes on each answer of Zelda, her correction, her draft.
        panel.lock()
        panel, ana = as_panelist(service.library, "Ana")
        own = [x for x in panel.audit_view(ana) if x.action in ("score", "correct")]
        assert len(own) == 3 * len(zelda_answers) + 1 + 2
        panel.lock()
    finally:
        service.close()

    # The command line shows Ben the same.
    lines = cli_audit("Ben", app_context, capsys, monkeypatch)
    assert any(line["actor"] == "Ana" and line["action"] == "submit" for line in lines)
    assert activity(lines, "Ana") == []
    assert not any(f"submission {yannick}" in line["subject"] for line in lines)

    # Ben submits Zelda: Ana's work on her answers opens to him, values and all; her draft on
    # Yannick's answer stays out.
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        panel, ben = as_panelist(service.library, "Ben")
        for a in zelda_answers:
            panel.save_score(ben, answer_id=a, score=3)
        panel.submit_candidate(ben, submission_id=zelda)
        panel.lock()
    finally:
        service.close()
    lines = cli_audit("Ben", app_context, capsys, monkeypatch)
    shown = activity(lines, "Ana")
    assert len(shown) == 3 * len(zelda_answers) + 1
    assert all(subject.startswith(f"submission {zelda} / ") for _, subject, _ in shown)
    assert ("correct", f"submission {zelda} / q1", 5) in shown
    assert "hidden" not in {score for _, _, score in shown}
    assert not any(f"submission {yannick}" in line["subject"] for line in lines)


def test_a_colleagues_deleted_note_shows_in_the_audit_only_once_its_answer_is_open(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    """Review s11a N1: pinning and removing a note is drafting, as scoring is. Ben, who has
    submitted nothing, sees no row of Ana's note deleted on Zelda's answer (not in the
    service's view, not in 'panel audit'); once both have submitted Zelda it shows, with its
    answer; Ana always sees her own."""
    ids = panel_library(tmp_path)
    zelda = ids[NAME]
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        panel, ana = as_panelist(service.library, "Ana")
        answers = [a.id for a in service.library.submissions.answers(zelda)]
        note = panel.scoring.add_note(ana, answer_id=answers[0], position_ms=1500, text="pause")
        panel.scoring.delete_note(ana, note_id=note.id)
        for a in answers:
            panel.save_score(ana, answer_id=a, score=3)
        panel.submit_candidate(ana, submission_id=zelda)
        (own,) = [x for x in panel.audit_view(ana) if x.action == "note_deleted"]
        assert own.details == {"note": note.id, "answer": answers[0]}
        panel.lock()
        panel, ben = as_panelist(service.library, "Ben")
        assert [x for x in panel.audit_view(ben) if x.action == "note_deleted"] == []
        panel.lock()
    finally:
        service.close()
    lines = cli_audit("Ben", app_context, capsys, monkeypatch)
    assert any(line["actor"] == "Ana" and line["action"] == "submit" for line in lines)
    assert [line for line in lines if line["action"] == "note_deleted"] == []

    service = open_reviewer_service(app_paths().ensure().library)
    try:
        panel, ben = as_panelist(service.library, "Ben")
        for a in answers:
            panel.save_score(ben, answer_id=a, score=4)
        panel.submit_candidate(ben, submission_id=zelda)
        panel.lock()
    finally:
        service.close()
    lines = cli_audit("Ben", app_context, capsys, monkeypatch)
    (shown,) = [line for line in lines if line["action"] == "note_deleted"]
    assert shown["actor"] == "Ana" and shown["details"]["answer"] == answers[0]
