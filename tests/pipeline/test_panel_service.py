"""Panels on a real library database: independence, summary, order, decisions, audit chain."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.kit import InterviewDefinition, Kit, Question, Rubric, RubricLevel
from onetake_desktop.domain.manifest import AnswerRecord, Consent, KitRef, SubmissionManifest
from onetake_desktop.services.panel import NotSignedIn, PanelService, WrongPassphrase
from onetake_desktop.storage.library import Library, NewAnswer, open_library

HASH = "sha256:" + "cd" * 32
QUESTIONS = ("q1", "q2")
NAMES = ("Ada Lovelace", "Brian Kernighan", "Carol Shaw", "Dennis Ritchie", "Edsger Dijkstra")
PASS = "correct horse battery"


def _definition() -> InterviewDefinition:
    questions = tuple(
        Question(q, f"Tell us about {q}.", "why", 10, 5, 60, 1, "text") for q in QUESTIONS
    )
    kit = Kit(
        "panel-demo", "1", "Acme", "Support lead", "hi", "do", "privacy", 30, "text", questions
    )
    levels = tuple(RubricLevel(i, f"level {i}") for i in range(1, 6))
    return InterviewDefinition(kit, {q: Rubric("Ownership", levels) for q in QUESTIONS})


def make_library(root: Path, candidates: int = 4) -> tuple[Library, int, dict[str, int]]:
    """A library with one interview and ``candidates`` text submissions; returns the library,
    the interview pk and submission ids by candidate name."""
    library = open_library(root)
    interview = library.interviews.add_definition(HASH, _definition())
    ids: dict[str, int] = {}
    for i, name in enumerate(NAMES[:candidates]):
        answers = tuple(
            AnswerRecord(
                q,
                "text",
                1,
                1,
                5.0,
                30.0,
                "2026-11-01T10:00:00Z",
                "2026-11-01T10:01:00Z",
                text=f"{name} on {q}",
            )
            for q in QUESTIONS
        )
        manifest = SubmissionManifest(
            KitRef("panel-demo", "1", HASH),
            name,
            name.split()[0].lower() + "@example.org",
            Consent("11" * 32, "2026-11-01T09:59:00Z"),
            answers,
            "2026-11-01T10:05:00Z",
            "0.1.0",
        )
        new = [
            NewAnswer(a.question_id, "text", None, a.text, 5.0, 30.0, None, 1, 1) for a in answers
        ]
        folder = root / "submissions" / f"s{i}"
        folder.mkdir(parents=True)
        record = library.submissions.add(manifest, f"{i:064x}", folder, new)
        assert record is not None
        ids[name] = record.id
    return library, interview.id, ids


def answer_id(library: Library, submission_id: int, question_id: str) -> int:
    return next(
        a.id for a in library.submissions.answers(submission_id) if a.question_id == question_id
    )


@pytest.fixture
def fast_hasher() -> PasswordHasher:
    # Real Argon2id, smaller memory cost than the app's default so the suite stays quick.
    return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def service(
    library: Library, hasher: PasswordHasher, clock: ManualClock | None = None, seed: int = 7
) -> PanelService:
    rng = random.Random(seed)
    return PanelService(library, clock or ManualClock(), lambda: rng.getrandbits(62), hasher)


# Same three-panelist matrix as tests/unit/test_panel_domain.py (alpha worked out by hand there):
#            A   B   C   D
#   P1       1   2   2   3
#   P2       1   2   4   -      (P2 does not score D)
#   P3       2   2   4   3
Q1 = {"P1": (1, 2, 2, 3), "P2": (1, 2, 4, None), "P3": (2, 2, 4, 3)}
Q1_ALPHA = 1 - 85 / 216.7
Q2 = {"P1": (3, 3, 3, 3), "P2": (4, 3, 3, None), "P3": (3, 3, 2, 5)}


def test_three_panelists_score_independently_then_see_the_hand_computed_summary(
    tmp_path: Path, fast_hasher: PasswordHasher
) -> None:
    library, interview, ids = make_library(tmp_path / "lib")
    panel = service(library, fast_hasher)
    actors = {n: panel.create_panelist(n, PASS) for n in ("P1", "P2", "P3")}
    people = {n: a.reviewer_id for n, a in actors.items()}
    candidates = [ids[n] for n in NAMES[:4]]

    for name in people:
        for qid, table in (("q1", Q1), ("q2", Q2)):
            for sub, score in zip(candidates, table[name], strict=True):
                if score is not None:
                    panel.save_score(
                        actors[name],
                        answer_id=answer_id(library, sub, qid),
                        score=score,
                        note=f"{name} note",
                    )

    def others_seen(viewer: str) -> set[int]:
        pid = people[viewer]
        scores = panel.visible_scores(actors[viewer], interview_pk=interview)
        view = panel.view(actors[viewer], interview_pk=interview)
        seen = {s.reviewer_id for s in scores} | set(view.panelists)
        for cell in view.summary.cells.values():
            seen |= set(cell.scores)
        return seen - {pid}

    # Before anyone submits: each sees only their own drafts, and exports hold no score at all.
    for name, pid in people.items():
        assert others_seen(name) == set()
        visible = panel.visible_scores(actors[name], interview_pk=interview)
        assert all(s.reviewer_id == pid for s in visible)
        view = panel.view(actors[name], interview_pk=interview)
        assert len(view.own_drafts) == (8 if name != "P2" else 6)
        assert view.summary.cells == {} and view.alpha("q1") is None
        out = tmp_path / f"{name}.json"
        panel.export(actors[name], interview_pk=interview, fmt="json", out=out)
        rows = json.loads(out.read_text())["scores"]
        assert [r["score"] for r in rows] == [""] * 4 and all(r["reviewer"] == "" for r in rows)
        text = out.read_text()
        assert not any(f"{n} note" in text for n in people)  # no draft note, not even one's own
        assert all(r["note"] == "" and r["timestamped_notes"] == "" for r in rows)

    # P3 submits everything; P1 still sees nothing of P3 (P1 has not submitted) and vice versa
    # P3 sees nobody's drafts.
    for sub in candidates:
        panel.submit_candidate(actors["P3"], submission_id=sub)
    assert others_seen("P1") == set() and others_seen("P3") == set()
    csv_out = tmp_path / "p1.csv"
    panel.export(actors["P1"], interview_pk=interview, fmt="csv", out=csv_out)
    assert {r["score"] for r in csv.DictReader(csv_out.open(encoding="utf-8-sig"))} == {""}

    # Everyone submits (P2 only the three candidates they scored).
    for sub in candidates:
        panel.submit_candidate(actors["P1"], submission_id=sub)
    for sub in candidates[:3]:
        panel.submit_candidate(actors["P2"], submission_id=sub)

    view = panel.view(actors["P1"], interview_pk=interview)
    assert view.question_open("q1") and view.candidate_open(candidates[0])
    assert view.alpha("q1") == pytest.approx(Q1_ALPHA, abs=1e-12)
    c = view.stats(candidates[2], "q1")  # candidate C: 2, 4, 4
    assert c is not None
    assert c.mean == pytest.approx(10 / 3)
    assert (c.median, c.spread, c.disagreement) == (4.0, 2, True)
    assert c.scores == {people["P1"]: 2, people["P2"]: 4, people["P3"]: 4}
    d = view.stats(candidates[3], "q2")  # candidate D on q2: 3 and 5, P2 missing
    assert d is not None and (d.mean, d.spread, d.disagreement) == (4.0, 2, True)
    assert view.summary.disagreements() == [(candidates[2], "q1"), (candidates[3], "q2")]
    p2 = next(x for x in view.summary.leniency if x.panelist_id == people["P2"])
    # P2's six scores 1,2,4,4,3,3 (mean 17/6) against the cell means there:
    # q1 4/3, 2, 10/3 and q2 10/3, 3, 8/3 -> (4/3+2+10/3+10/3+3+8/3)/6 = 47/18.
    assert p2.own_mean == pytest.approx(17 / 6) and p2.panel_mean == pytest.approx(47 / 18)

    # P2 never scored D, so D stays closed to P2, and so do both questions as a whole.
    view2 = panel.view(actors["P2"], interview_pk=interview)
    assert view2.stats(candidates[3], "q1") is None and view2.alpha("q1") is None
    assert not view2.candidate_open(candidates[3])
    assert view2.stats(candidates[2], "q1") is not None

    # The export after submission holds exactly the submitted scores the viewer may see.
    out = tmp_path / "after.json"
    panel.export(actors["P1"], interview_pk=interview, fmt="json", out=out)
    rows = [r for r in json.loads(out.read_text())["scores"] if r["score"] != ""]
    assert len(rows) == 8 + 6 + 8
    assert {r["reviewer"] for r in rows} == {"P1", "P2", "P3"}


def test_two_panelists_question_mode_summary_matches_the_hand_computed_alpha(
    tmp_path: Path, fast_hasher: PasswordHasher
) -> None:
    library, interview, ids = make_library(tmp_path / "lib", candidates=3)
    panel = service(library, fast_hasher)
    pat = panel.create_panelist("Pat", PASS)
    sam = panel.create_panelist("Sam", PASS)
    p1 = pat.reviewer_id
    subs = [ids[n] for n in NAMES[:3]]
    # P1: 2 3 5, P2: 2 4 3 on q1 -> alpha = 1 - 17/39.6 (worked out in the unit test).
    for who, scores in ((pat, (2, 3, 5)), (sam, (2, 4, 3))):
        by_candidate = dict(zip(subs, scores, strict=True))
        queue = panel.question_queue(who, interview_pk=interview)
        for sub, q in queue[:3]:  # q1 in this panelist's order
            assert q == "q1"
            panel.save_score(who, answer_id=answer_id(library, sub, q), score=by_candidate[sub])
    with pytest.raises(OneTakeError, match="Score every answer"):
        panel.submit_question(pat, interview_pk=interview, question_id="q2")
    assert panel.submit_question(pat, interview_pk=interview, question_id="q1") == 3
    cells = panel.view(pat, interview_pk=interview).summary.cells
    assert cells.get((subs[0], "q1")).scores == {p1: 2}  # type: ignore[union-attr]
    assert panel.view(sam, interview_pk=interview).summary.cells == {}  # Sam: only drafts
    panel.submit_question(sam, interview_pk=interview, question_id="q1")
    view = panel.view(sam, interview_pk=interview)
    assert view.question_open("q1") and not view.question_open("q2")
    assert view.alpha("q1") == pytest.approx(1 - 17 / 39.6, abs=1e-12)
    assert view.stats(subs[2], "q1").spread == 2  # type: ignore[union-attr]
    # Question 2 is still closed: nobody's q2 draft shows.
    assert all(q == "q1" for (_, q) in view.summary.cells)


def test_order_is_stable_per_panelist_and_differs_between_panelists(
    tmp_path: Path, fast_hasher: PasswordHasher
) -> None:
    library, interview, _ = make_library(tmp_path / "lib", candidates=5)
    panel = service(library, fast_hasher, seed=11)
    a = panel.create_panelist("Ann", PASS).reviewer_id
    b = panel.create_panelist("Bob", PASS).reviewer_id
    ann = panel.sign_in(a, PASS)
    order_a = panel.order(ann, interview_pk=interview, question_id="q1")
    queue_a = panel.question_queue(ann, interview_pk=interview)
    library.close()

    # Reopen the library: the seed is stored, so the order comes back the same.
    library2 = open_library(tmp_path / "lib")
    again = PanelService(library2, ManualClock(), hasher=fast_hasher)
    ann = again.sign_in(a, PASS)
    bob = again.sign_in(b, PASS)
    assert again.order(ann, interview_pk=interview, question_id="q1") == order_a
    assert again.question_queue(ann, interview_pk=interview) == queue_a
    assert [q for _, q in queue_a] == ["q1"] * 5 + ["q2"] * 5
    assert again.order(bob, interview_pk=interview, question_id="q1") != order_a
    assert sorted(again.order(bob, interview_pk=interview, question_id="q1")) == sorted(order_a)
    library2.close()


def test_passphrases_are_argon2id_and_wrong_ones_slow_down(
    tmp_path: Path, fast_hasher: PasswordHasher
) -> None:
    library, _, _ = make_library(tmp_path / "lib", candidates=1)
    clock = ManualClock()
    panel = service(library, fast_hasher, clock)
    pid = panel.create_panelist("Kim", PASS).reviewer_id
    stored = library.reviewers.get(pid).passphrase_hash
    assert stored is not None and stored.startswith("$argon2id$") and PASS not in stored
    with pytest.raises(OneTakeError, match="at least 8"):
        panel.create_panelist("Lee", "short")

    with pytest.raises(WrongPassphrase, match="not Kim's passphrase"):
        panel.sign_in(pid, "wrong one")
    # Even the right passphrase waits out the pause (1 s after one failure).
    with pytest.raises(WrongPassphrase, match=r"^Wait 1 second before trying again\.$"):
        panel.sign_in(pid, PASS)
    clock.advance(1.0)
    with pytest.raises(WrongPassphrase):
        panel.sign_in(pid, "wrong again")
    clock.advance(1.5)
    # 2 s after the second failure; "too many" now that there were several.
    with pytest.raises(WrongPassphrase, match=r"^Too many wrong passphrases for Kim; try again"):
        panel.sign_in(pid, PASS)
    clock.advance(1.0)
    kim = panel.sign_in(pid, PASS)
    assert kim.name == "Kim"
    assert panel.current_id == pid
    assert panel.begin_sign_in(pid).failed_attempts == 0

    # Idle lock on the injected clock.
    panel.set_idle_minutes(kim, 2)
    clock.advance(119)
    assert not panel.lock_if_idle()
    panel.touch()
    clock.advance(119)
    assert not panel.lock_if_idle()
    clock.advance(2)
    assert panel.lock_if_idle() and panel.current_id is None
    with pytest.raises(NotSignedIn):  # the lock ended Kim's actor
        panel.audit_entries(kim)
    actions = [e.action for e in panel.audit_entries(panel.sign_in(pid, PASS))]
    assert actions.count("sign_in_failed") == 2 and "sign_in" in actions and "lock" in actions


def test_corrections_decisions_blind_mode_and_export(
    tmp_path: Path, fast_hasher: PasswordHasher
) -> None:
    library, interview, ids = make_library(tmp_path / "lib", candidates=2)
    panel = service(library, fast_hasher)
    jo = panel.create_panelist("Jo", PASS)
    ada = ids["Ada Lovelace"]
    panel.set_blind_mode(jo, True)
    names = {c.name for c in panel.candidates(interview_pk=interview)}
    assert names.isdisjoint(NAMES) and all(n.startswith("C-") for n in names)

    with pytest.raises(OneTakeError, match="every panelist has submitted"):
        panel.decide(jo, submission_id=ada, decision="advance", reason="Strong answers")
    for q in QUESTIONS:
        panel.save_score(jo, answer_id=answer_id(library, ada, q), score=4)
    panel.submit_candidate(jo, submission_id=ada)
    a1 = answer_id(library, ada, "q1")
    with pytest.raises(OneTakeError, match="correction"):
        panel.save_score(jo, answer_id=a1, score=2)
    corrected = panel.correct_score(
        jo, answer_id=a1, score=5, note="", reason="Re-watched the end of the answer"
    )
    assert corrected.supersedes_id is not None and corrected.status == "submitted"
    assert len(panel.score_history(jo, answer_id=a1)) == 2

    first = panel.decide(
        jo, submission_id=ada, decision="hold", reason="Compare with the next batch"
    )
    second = panel.decide(
        jo,
        submission_id=ada,
        decision="advance",
        reason="Best on ownership",
        feedback="Thank you, see you soon.",
    )
    assert second.supersedes_id == first.id
    history = panel.decision_history(jo, submission_id=ada)
    assert [d.decision for d in history] == ["hold", "advance"]
    by_id = {c.submission_id: c for c in panel.candidates(interview_pk=interview)}
    assert by_id[ada].revealed and by_id[ada].name == "Ada Lovelace"
    other = ids["Brian Kernighan"]
    assert not by_id[other].revealed and by_id[other].email == ""

    out = tmp_path / "export.csv"
    panel.export(jo, interview_pk=interview, fmt="csv", out=out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with the BOM
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    ada_rows = [r for r in rows if r["candidate_name"] == "Ada Lovelace"]
    assert {(r["question_id"], r["score"]) for r in ada_rows} == {("q1", "5"), ("q2", "4")}
    assert ada_rows[0]["decision"] == "advance"
    assert ada_rows[0]["feedback"] == "Thank you, see you soon."
    assert {r["reason"] for r in ada_rows} == {"Re-watched the end of the answer", ""}
    hidden = [r for r in rows if r["candidate_code"] == by_id[other].code]
    assert hidden[0]["candidate_name"] == "" and hidden[0]["candidate_email"] == ""
    assert "Brian" not in out.read_text(encoding="utf-8")

    actions = [e.action for e in panel.audit_entries(jo)]
    for needed in ("score", "submit", "correct", "decide", "export"):
        assert needed in actions
    assert panel.audit_problem() is None


def test_editing_an_audit_row_with_sqlite3_is_detected(
    tmp_path: Path, fast_hasher: PasswordHasher
) -> None:
    library, _, ids = make_library(tmp_path / "lib", candidates=1)
    panel = service(library, fast_hasher)
    max_ = panel.create_panelist("Max", PASS)
    sub = ids["Ada Lovelace"]
    for q in QUESTIONS:
        panel.save_score(max_, answer_id=answer_id(library, sub, q), score=3)
    panel.submit_candidate(max_, submission_id=sub)
    # created, signed in, two scores, one submission
    assert len(panel.audit_entries(max_)) == 5 and panel.audit_problem() is None
    library.close()

    db_file = tmp_path / "lib" / "onetake.sqlite3"
    conn = sqlite3.connect(db_file)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET details = '{\"score\":5}' WHERE seq = 3")
    # A determined editor drops the guard first; the hash chain still tells.
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET details = ? WHERE seq = 3", ('{"answer":1,"score":5}',))
    conn.commit()
    conn.close()

    reopened = PanelService(open_library(tmp_path / "lib"), ManualClock(), hasher=fast_hasher)
    problem = reopened.audit_problem()
    assert problem is not None and problem.seq == 3
    assert problem.sentence == "Audit log row 3 was changed after it was written."
    reopened.library.close()


def test_removing_the_newest_audit_rows_is_detected(
    tmp_path: Path, fast_hasher: PasswordHasher
) -> None:
    library, _, _ = make_library(tmp_path / "lib", candidates=1)
    panel = service(library, fast_hasher)
    max_ = panel.create_panelist("Max", PASS)
    panel.set_blind_mode(max_, True)
    panel.set_blind_mode(max_, False)
    library.close()
    conn = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE seq = 4")  # the newest row
    conn.commit()
    conn.close()
    reopened = PanelService(open_library(tmp_path / "lib"), ManualClock(), hasher=fast_hasher)
    problem = reopened.audit_problem()
    assert problem is not None and "after row 3 were removed" in problem.sentence
    reopened.library.close()


def test_a_draft_with_only_a_note_is_neither_submitted_nor_shown(
    tmp_path: Path, fast_hasher: PasswordHasher
) -> None:
    library, interview, ids = make_library(tmp_path / "lib", candidates=1)
    panel = service(library, fast_hasher)
    ann = panel.create_panelist("Ann", PASS)
    bob = panel.create_panelist("Bob", PASS)
    a, b = ann.reviewer_id, bob.reviewer_id
    sub = ids["Ada Lovelace"]
    q1, q2 = (answer_id(library, sub, q) for q in QUESTIONS)
    panel.save_score(ann, answer_id=q1, score=None, note="thinking about it")
    panel.save_score(ann, answer_id=q2, score=3)
    with pytest.raises(OneTakeError, match="Score every answer"):
        panel.submit_candidate(ann, submission_id=sub)
    assert panel.view(ann, interview_pk=interview).own_drafts == {(sub, "q2"): 3}
    panel.save_score(ann, answer_id=q1, score=2, note="thinking about it")
    panel.submit_candidate(ann, submission_id=sub)
    for q in (q1, q2):
        panel.save_score(bob, answer_id=q, score=4)
    panel.submit_candidate(bob, submission_id=sub)
    view = panel.view(bob, interview_pk=interview)
    assert view.stats(sub, "q1").scores == {a: 2, b: 4}  # type: ignore[union-attr]
    actions = [e.action for e in panel.audit_entries(bob)]
    assert actions.count("score") == 4  # notes alone: none


def test_locked_means_a_panel_with_nobody_signed_in(
    tmp_path: Path, fast_hasher: PasswordHasher
) -> None:
    """What the reviewer window asks before a drop or an import (ui/reviewer/window.py)."""
    library, _, _ = make_library(tmp_path / "lib")
    clock = ManualClock()
    panel = service(library, fast_hasher, clock)
    assert not panel.locked()  # a lone reviewer: no panel to lock
    ana = panel.create_panelist("Ana", PASS)  # creating signs her in
    assert not panel.locked()
    panel.lock()
    assert panel.locked()
    panel.sign_in(ana.reviewer_id, PASS)
    assert not panel.locked()
    clock.advance(seconds=panel.idle_minutes() * 60 + 1)
    assert panel.lock_if_idle() and panel.locked()
