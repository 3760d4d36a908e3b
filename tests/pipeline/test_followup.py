"""Follow-up that goes out (services.followup) on a real SQLite library: templates the
recruiter edits, ``.eml`` drafts parsed back with the stdlib ``email`` package, the mail-merge
CSV read back, the day each went out recorded, only decided (and, in blind mode, revealed)
candidates, and ``onetake library followup`` for scripts."""

from __future__ import annotations

import csv
import email
import io
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.followup import Template
from onetake_desktop.services.followup import MAILMERGE_FIELDS, FollowupService
from onetake_desktop.services.scoring import scoring_for
from onetake_desktop.storage.erasure import erase_submissions
from onetake_desktop.storage.library import Library
from onetake_desktop.storage.panel import SqlitePanel
from tests.pipeline.test_panel_service import make_library
from tests.pipeline.test_scoring_policy import panel_service
from tests.pipeline.test_shortlist import ADA, BRIAN, CAROL, score

WHEN = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[tuple[Library, int, dict[str, int]]]:
    lib, interview, ids = make_library(tmp_path / "lib", candidates=3)
    yield lib, interview, ids
    lib.close()


def parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_drafts_and_mail_merge_for_decided_candidates(
    library: tuple[Library, int, dict[str, int]], tmp_path: Path
) -> None:
    lib, interview, ids = library
    scoring = scoring_for(lib, clock=ManualClock(WHEN))
    me = scoring.actor_for(scoring.lone_reviewer("Me").id)
    followup = FollowupService(scoring)
    with pytest.raises(OneTakeError, match="record a decision first"):
        followup.export(me, interview_pk=interview, folder=tmp_path / "none")
    assert not (tmp_path / "none").exists() or not any((tmp_path / "none").iterdir())

    scoring.decide(
        me,
        submission_id=ids[ADA],
        decision="advance",
        reason="Clear, structured answers",
        feedback="Your answer on escalation was the best we heard.",
    )
    scoring.decide(me, submission_id=ids[BRIAN], decision="decline", reason="Other fit")
    # The recruiter edits the decline note; placeholders are checked, the subject is one line.
    with pytest.raises(InvalidInputError, match=r"\{salary\} is not a placeholder"):
        followup.set_template(
            me,
            interview_pk=interview,
            decision="decline",
            template=Template("Hi", "Dear {candidate_name}, {salary}"),
        )
    with pytest.raises(InvalidInputError, match="one line"):
        followup.set_template(
            me,
            interview_pk=interview,
            decision="decline",
            template=Template("Hi\nBcc: x@example.org", "Dear {candidate_name}"),
        )
    followup.set_template(
        me,
        interview_pk=interview,
        decision="decline",
        template=Template(
            "{role_title}: our answer",
            "Dear {candidate_name},\n\nWe are {decision} for {role_title} at {organisation}."
            " <b>Not bold</b> {{braces}}\n\n{feedback}\n\n{sender_name}\n",
        ),
    )
    followup.set_sender(me, name="Riya Patel, Talent", address="talent@acme.example")
    assert followup.template(me, interview_pk=interview, decision="decline").subject == (
        "{role_title}: our answer"
    )
    assert followup.sent(me, interview_pk=interview) == {}

    out = tmp_path / "followup"
    result = followup.export(me, interview_pk=interview, folder=out)
    assert len(result.drafts) == 2  # Carol has no decision: no draft
    assert {p.suffix for p in result.drafts} == {".eml"}
    assert all(CAROL.split()[0] not in p.name for p in out.iterdir())
    messages = {str(parse(p)["To"]): parse(p) for p in result.drafts}
    ada = messages[f"{ADA} <ada@example.org>"]
    brian = messages[f"{BRIAN} <brian@example.org>"]
    for m in (ada, brian):
        assert m["X-Unsent"] == "1"
        assert m["From"] == "talent@acme.example"
        assert m.get_content_type() == "text/plain" and not m.is_multipart()
        assert email.utils.parsedate_to_datetime(str(m["Date"])) == WHEN
    assert ada["Subject"] == "Your application for Support lead at Acme"
    ada_body = ada.get_content().replace("\r\n", "\n")
    assert ada_body.startswith(f"Dear {ADA},\n")
    assert "we are moving forward with your application" in ada_body
    assert "Your answer on escalation was the best we heard." in ada_body
    assert "Riya Patel, Talent" in ada_body
    assert "Clear, structured" not in ada_body  # the reason is the panel's, not the candidate's
    assert brian["Subject"] == "Support lead: our answer"
    brian_body = brian.get_content().replace("\r\n", "\n")
    assert "We are not moving forward for Support lead at Acme." in brian_body
    assert "<b>Not bold</b> {braces}" in brian_body  # plain text, as typed
    assert "\n\n\n" not in brian_body  # no feedback: no empty gap

    raw = result.mailmerge.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(MAILMERGE_FIELDS)
    by_email = {r["email"]: r for r in rows}
    assert set(by_email) == {"ada@example.org", "brian@example.org"}
    assert by_email["ada@example.org"]["body"] == ada_body
    assert by_email["brian@example.org"]["decision"] == "decline"
    assert by_email["ada@example.org"]["sent_at"] == "2026-11-28T09:30:00+00:00"
    assert (out / by_email["ada@example.org"]["draft_file"]).is_file()

    # The day each went out is recorded (and audited without names or text).
    sent = followup.sent(me, interview_pk=interview)
    assert sent == {ids[ADA]: result.sent_at, ids[BRIAN]: result.sent_at}
    (audit,) = [e for e in SqlitePanel(lib.db).audit_entries() if e.action == "followup_export"]
    assert ADA not in audit.details and "escalation" not in audit.details

    # Erasing a candidate takes their follow-up record with them (no trace of who was sent).
    erase_submissions(lib.db, lib.root, [ids[ADA]], reason_code="request", actor_id=None)
    assert followup.sent(me, interview_pk=interview) == {ids[BRIAN]: result.sent_at}
    assert (
        lib.db.execute(
            "SELECT COUNT(*) FROM followups_sent WHERE submission_id = ?", (ids[ADA],)
        ).fetchone()[0]
        == 0
    )


def test_blind_panel_writes_only_to_revealed_candidates(
    library: tuple[Library, int, dict[str, int]], tmp_path: Path
) -> None:
    lib, interview, ids = library
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", "ana passphrase")
    panel.set_blind_mode(ana, True)
    scoring = scoring_for(lib)
    for name in (ADA, BRIAN):
        score(scoring, lib, ana, ids[name], (4, 4), "yes")
    scoring.decide(ana, submission_id=ids[ADA], decision="hold", reason="Wait for the round")
    followup = FollowupService(scoring)
    # Brian is submitted but hidden and undecided; Carol is hidden: neither gets a draft.
    pending = followup.pending(ana, interview_pk=interview)
    assert [p.submission_id for p in pending] == [ids[ADA]]
    result = followup.export(ana, interview_pk=interview, folder=tmp_path / "out")
    texts = b"".join(p.read_bytes() for p in (tmp_path / "out").iterdir())
    assert ADA.encode() in texts
    for hidden in (BRIAN, CAROL, "brian@", "carol@"):
        assert hidden.encode() not in texts
    assert parse(result.drafts[0])["To"] == f"{ADA} <ada@example.org>"
    # A lone reviewer's actor cannot export while a panel exists: the panel decides.
    lone = scoring.actor_for(scoring.lone_reviewer("Me").id)
    with pytest.raises(OneTakeError, match="sign in as a panelist"):
        followup.pending(lone, interview_pk=interview)


def test_library_followup_command(
    onetake_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from onetake_desktop.cli import main as cli_main
    from onetake_desktop.paths import app_paths

    lib, interview, ids = make_library(app_paths().ensure().library, candidates=2)
    scoring = scoring_for(lib)
    me = scoring.actor_for(scoring.lone_reviewer("Me").id)
    scoring.decide(me, submission_id=ids[ADA], decision="advance", reason="Strong")
    lib.close()

    assert cli_main(["library", "followup", "--interview", "99", "-o", str(tmp_path)]) == 3
    assert "There is no interview 99" in capsys.readouterr().err
    out = tmp_path / "drafts"
    code = cli_main(["library", "followup", "--interview", str(interview), "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert printed.startswith(f"Wrote 1 draft and mail-merge.csv to {out}")
    (draft,) = out.glob("*.eml")
    assert parse(draft)["To"] == f"{ADA} <ada@example.org>"
    rows = list(csv.DictReader(io.StringIO((out / "mail-merge.csv").read_text("utf-8-sig"))))
    assert [r["email"] for r in rows] == ["ada@example.org"]


def test_library_followup_with_a_panel_needs_a_signed_in_panelist(
    onetake_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from onetake_desktop.cli import main as cli_main
    from onetake_desktop.paths import app_paths
    from onetake_desktop.services.panel import PanelService

    lib, interview, ids = make_library(app_paths().ensure().library, candidates=2)
    panel = PanelService(lib)
    ana = panel.create_panelist("Ana", "ana passphrase")
    score(panel.scoring, lib, ana, ids[ADA], (4, 4), "yes")
    panel.scoring.decide(ana, submission_id=ids[ADA], decision="hold", reason="Next round")
    lib.close()
    args = ["library", "followup", "--interview", str(interview), "-o", str(tmp_path / "d")]

    def reviewers() -> int:
        db = sqlite3.connect(app_paths().library / "onetake.sqlite3")
        try:
            return int(db.execute("SELECT COUNT(*) FROM reviewers").fetchone()[0])
        finally:
            db.close()

    before = reviewers()
    assert cli_main(args) == 1  # the policy's refusal, as for every panel command
    assert "Follow-up is the panel's: sign in as a panelist." in capsys.readouterr().err
    wrong = [*args[:2], "--interview", "999", *args[4:]]
    assert cli_main(wrong) == 1  # asked first: nothing looked up before it...
    assert "Follow-up is the panel's" in capsys.readouterr().err
    # ...nor made: no lone reviewer is created just to be refused.
    assert reviewers() == before
    assert cli_main([*args, "--as", "Bob"]) == 3  # no such panelist
    assert not (tmp_path / "d").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("ana passphrase\n"))
    capsys.readouterr()
    assert cli_main([*args, "--as", "Ana"]) == 0
    assert "Wrote 1 draft" in capsys.readouterr().out
    (draft,) = (tmp_path / "d").glob("*.eml")
    assert parse(draft)["To"] == f"{ADA} <ada@example.org>"
    # A file where the folder should be: one sentence, exit 1, nothing recorded as sent.
    (tmp_path / "file").write_text("x")
    monkeypatch.setattr("sys.stdin", io.StringIO("ana passphrase\n"))
    bad = ["library", "followup", "--interview", str(interview), "-o", str(tmp_path / "file")]
    assert cli_main([*bad, "--as", "Ana"]) == 1
    err = capsys.readouterr().err
    assert "The follow-up cannot be written to" in err and len(err.strip().splitlines()) == 1
    from onetake_desktop.storage.library import open_library

    again = open_library(app_paths().ensure().library)
    try:
        rows = again.db.execute("SELECT submission_id FROM followups_sent").fetchall()
        assert [int(r[0]) for r in rows] == [ids[ADA]]  # only the run that wrote its files
    finally:
        again.close()
