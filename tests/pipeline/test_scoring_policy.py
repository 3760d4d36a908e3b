"""The one scoring policy (services.scoring) through every read path, on real SQLite files.

Hidden until you submit: nobody's drafts to anyone (service views, every CLI command with and
without --json, every export, the audit view), nothing of the others' submitted work to one who
has not submitted (service views, every export, the audit view); who is told who is still to
submit; decisions only once every panelist has submitted; one transaction per score and its
audit row; signed rows that report a hand edit to its victim at sign-in; people (rename,
remove, passphrase change); erasure that keeps the audit chain whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from onetake_desktop.cli import main as cli_main
from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.panel import GENESIS_HASH, audit_hash
from onetake_desktop.paths import app_paths
from onetake_desktop.services.panel import Actor, NotSignedIn, PanelService, WrongPassphrase
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.services.scoring import derive_key
from onetake_desktop.storage.db import transaction
from onetake_desktop.storage.library import Library, open_library
from onetake_desktop.storage.panel import record_erasure
from tests.pipeline.test_panel_service import NAMES, QUESTIONS, answer_id, make_library

HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
PASS = {"Ana": "ana passphrase", "Ben": "ben passphrase", "Cleo": "cleo passphrase"}
EMAILS = [n.split()[0].lower() + "@example.org" for n in NAMES]


def fast_key(passphrase: str, salt: bytes) -> bytes:
    """The real derivation's shape (salted, keyed by the passphrase) without Argon2id's cost."""
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, 1000)


def panel_service(library: Library) -> PanelService:
    return PanelService(library, ManualClock(), hasher=HASHER, key_deriver=fast_key)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[tuple[Library, int, dict[str, int]]]:
    lib, interview, ids = make_library(tmp_path / "lib", candidates=2)
    yield lib, interview, ids
    lib.close()


def draft_everything(
    panel: PanelService, library: Library, actor: Actor, ids: dict[str, int], score: int
) -> None:
    for sub in ids.values():
        for q in QUESTIONS:
            panel.save_score(
                actor,
                answer_id=answer_id(library, sub, q),
                score=score,
                note=f"SECRET-{actor.name}-{q}",
            )
    panel.scoring.add_note(
        actor,
        answer_id=answer_id(library, next(iter(ids.values())), "q1"),
        position_ms=1500,
        text=f"PIN-{actor.name}",
    )
    panel.scoring.set_recommendation(
        actor, submission_id=next(iter(ids.values())), value="yes", note=f"REC-{actor.name}"
    )


def leaks(text: str, name: str) -> bool:
    return any(marker in text for marker in (f"SECRET-{name}", f"PIN-{name}", f"REC-{name}"))


@pytest.mark.parametrize("count", [2, 3])
def test_no_read_path_shows_another_panelists_unsubmitted_work(
    library: tuple[Library, int, dict[str, int]], tmp_path: Path, count: int
) -> None:
    lib, interview, ids = library
    panel = panel_service(lib)
    names = list(PASS)[:count]
    actors = {n: panel.create_panelist(n, PASS[n]) for n in names}
    for i, n in enumerate(names):
        draft_everything(panel, lib, actors[n], ids, score=i + 2)
    viewer, others = names[0], names[1:]
    # The viewer submits everything; the others have only drafts.
    for sub in ids.values():
        panel.submit_candidate(actors[viewer], submission_id=sub)

    me = actors[viewer]
    other_ids = {actors[o].reviewer_id for o in others}
    seen = panel.visible_scores(me, interview_pk=interview)
    assert {s.reviewer_id for s in seen} == {me.reviewer_id}
    view = panel.view(me, interview_pk=interview)
    assert set(view.panelists) == {me.reviewer_id}
    assert all(set(c.scores) == {me.reviewer_id} for c in view.summary.cells.values())
    for sub in ids.values():
        for q in QUESTIONS:
            a = answer_id(lib, sub, q)
            for o in others:
                oid = actors[o].reviewer_id
                assert panel.scoring.visible_notes(me, answer_id=a, reviewer_id=oid) == []
        for oid in other_ids:
            assert (
                panel.scoring.visible_recommendation(me, submission_id=sub, reviewer_id=oid) is None
            )
    # The audit view: the others' score events do not show at all (which answers, how many
    # changes, when), though the viewer's own do (tests/pipeline/test_audit_privacy.py).
    lines = panel.audit_view(me)
    assert [x for x in lines if x.action in ("score", "correct") and x.actor != viewer] == []
    assert any(x.action == "score" and x.actor == viewer for x in lines)
    # Every export, both formats, per answer and summary.
    for summary in (False, True):
        for fmt in ("csv", "json"):
            out = tmp_path / f"{count}-{summary}.{fmt}"
            panel.export(me, interview_pk=interview, fmt=fmt, out=out, summary=summary)
            text = out.read_text(encoding="utf-8-sig")
            for o in others:
                assert o not in text and not leaks(text, o)
            if summary:  # one row per candidate: no note at all
                assert not leaks(text, viewer)
            else:  # the viewer's own submitted notes, pins and recommendation are theirs
                assert f"SECRET-{viewer}" in text and f"PIN-{viewer}" in text
                assert f"REC-{viewer}" in text
    # The reviewer service's readers (the reviewer window's), as the viewer.
    reviewer = ReviewerService(lib)
    for e in reviewer.entries(me):
        assert e.with_score == len(QUESTIONS)  # the viewer's own progress, nobody else's
    for sub in ids.values():
        for answer in reviewer.answers(sub):
            view_a = reviewer.answer_view(me, answer_id=answer.id)
            assert view_a.score is not None and view_a.score.reviewer_id == me.reviewer_id
            assert all(n.reviewer_id == me.reviewer_id for n in view_a.notes)

    # Without a sign-in, a panelist's scores are nobody's business.
    panel.lock()
    with pytest.raises(NotSignedIn):
        panel.visible_scores(me, interview_pk=interview)
    with pytest.raises(NotSignedIn):
        reviewer.answer_view(me, answer_id=answer_id(lib, next(iter(ids.values())), "q1"))
    with pytest.raises(NotSignedIn):
        reviewer.actor_for(actors[others[0]].reviewer_id)


def test_a_panelist_who_has_not_submitted_sees_nothing_of_the_others_work(
    library: tuple[Library, int, dict[str, int]], tmp_path: Path
) -> None:
    """The other way round from the test above, and the rule services.scoring writes (review
    s14 R2): Ben and Cleo have submitted everything, Ana (the chair) only drafted. Until she
    submits, no read path shows her their scores, notes or recommendations, nor how many
    there are. Once she has submitted a candidate she sees their submitted work on it, by
    design (Panel summary and the exports read the same rule): then who has submitted it is
    hers to read, for that candidate only."""
    lib, interview, ids = library
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"], chair=True)
    others = {n: panel.create_panelist(n, PASS[n]) for n in ("Ben", "Cleo")}
    draft_everything(panel, lib, ana, ids, score=2)
    for i, actor in enumerate(others.values()):
        draft_everything(panel, lib, actor, ids, score=i + 3)
        for sub in ids.values():
            panel.submit_candidate(actor, submission_id=sub)
    other_ids = {a.reviewer_id for a in others.values()}

    def what_ana_reads(tag: str) -> dict[str, str]:
        """Every export, both formats, per answer and summary, as Ana."""
        texts = {}
        for summary in (False, True):
            for fmt in ("csv", "json"):
                out = tmp_path / f"{tag}-{summary}.{fmt}"
                panel.export(ana, interview_pk=interview, fmt=fmt, out=out, summary=summary)
                texts[f"{summary}.{fmt}"] = out.read_text(encoding="utf-8-sig")
        return texts

    for own_drafts in (True, False):  # her drafts are hers; nothing of theirs either way
        records = panel.scoring.visible_scores(ana, interview_pk=interview, own_drafts=own_drafts)
        assert {s.reviewer_id for s in records} == ({ana.reviewer_id} if own_drafts else set())
    view = panel.view(ana, interview_pk=interview)
    assert set(view.panelists) <= {ana.reviewer_id}  # Panel summary's columns
    assert all(set(c.scores) <= {ana.reviewer_id} for c in view.summary.cells.values())
    assert view.summary.candidate_means == {}  # no mean of theirs either
    grid = panel.scoring.visible_grid(ana, interview_pk=interview)
    for _, _, _, _, *scores in grid.rows:  # every panelist's column, none of theirs filled
        for reviewer_id, score in zip(grid.reviewers, scores, strict=True):
            assert score is None or reviewer_id == ana.reviewer_id
    for sub in ids.values():
        for q in QUESTIONS:
            a = answer_id(lib, sub, q)
            for oid in other_ids:
                assert panel.scoring.visible_notes(ana, answer_id=a, reviewer_id=oid) == []
        for oid in other_ids:
            assert (
                panel.scoring.visible_recommendation(ana, submission_id=sub, reviewer_id=oid)
                is None
            )
    for row in panel.scoring.summary_rows(ana, interview_pk=interview):
        assert row["scores_seen"] == "" and row["mean_score"] == ""  # no count of theirs
    for text in what_ana_reads("before").values():
        for name in others:
            assert name not in text and not leaks(text, name)
    lines = panel.audit_view(ana)
    assert [x for x in lines if x.action in ("score", "correct") and x.actor != "Ana"] == []
    for e in ReviewerService(lib).entries(ana):
        assert e.with_score == len(QUESTIONS)  # her own progress, nobody else's

    # Ana submits the first candidate: the others' submitted work on it is hers to read now,
    # named, in the summary and the exports; the second candidate stays as it was.
    first, second = ids[NAMES[0]], ids[NAMES[1]]
    panel.submit_candidate(ana, submission_id=first)
    view = panel.view(ana, interview_pk=interview)
    assert set(view.panelists) == {ana.reviewer_id, *other_ids}
    rows = {r["candidate_code"]: r for r in panel.scoring.summary_rows(ana, interview_pk=interview)}
    codes = {c.submission_id: c.code for c in panel.candidates(interview_pk=interview)}
    assert rows[codes[first]]["scores_seen"] == len(QUESTIONS) * 3
    assert rows[codes[second]]["scores_seen"] == ""
    per_answer = what_ana_reads("after")["False.json"]
    assert "Ben" in per_answer and "Cleo" in per_answer
    seen = {(s.reviewer_id, s.answer_id) for s in panel.visible_scores(ana, interview_pk=interview)}
    second_answers = {answer_id(lib, second, q) for q in QUESTIONS}
    assert not any(r in other_ids and a in second_answers for r, a in seen)


def test_decisions_wait_for_every_panelist_and_for_the_chair(
    library: tuple[Library, int, dict[str, int]],
) -> None:
    lib, interview, ids = library
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"], chair=True)
    with pytest.raises(OneTakeError, match="already has a chair"):
        panel.create_panelist("Zed", "zed passphrase", chair=True)
    ben = panel.create_panelist("Ben", PASS["Ben"])
    cleo = panel.create_panelist("Cleo", PASS["Cleo"])
    ada = ids[NAMES[0]]
    panel.set_blind_mode(ana, True)
    for who in (ana, ben):
        for q in QUESTIONS:
            panel.save_score(who, answer_id=answer_id(lib, ada, q), score=3)
        panel.submit_candidate(who, submission_id=ada)
    with pytest.raises(OneTakeError, match=r"still to submit: Cleo\)"):
        panel.decide(ana, submission_id=ada, decision="advance", reason="Strong")
    with pytest.raises(OneTakeError, match=r"every panelist has submitted this candidate\.$"):
        panel.lift_blind(ben, submission_id=ada)  # (not the chair: nobody named to him)
    assert panel.decision_history(ana, submission_id=ada) == []
    shown = {c.submission_id: c for c in panel.candidates(interview_pk=interview)}
    assert not shown[ada].revealed and shown[ada].email == ""
    for q in QUESTIONS:
        panel.save_score(cleo, answer_id=answer_id(lib, ada, q), score=4)
    panel.submit_candidate(cleo, submission_id=ada)
    with pytest.raises(OneTakeError, match="Only the panel's chair, Ana, records decisions"):
        panel.decide(ben, submission_id=ada, decision="advance", reason="Strong")
    # Blind mode stays on for the candidate until the panel lifts it, audited.
    panel.lift_blind(ben, submission_id=ada)
    shown = {c.submission_id: c for c in panel.candidates(interview_pk=interview)}
    assert shown[ada].revealed and shown[ada].name == NAMES[0]
    assert not shown[ids[NAMES[1]]].revealed
    record = panel.decide(ana, submission_id=ada, decision="advance", reason="Strong, kind")
    assert record.decision == "advance"
    actions = [(line.action, line.actor) for line in panel.audit_view(ana)]
    assert ("blind_lifted", "Ben") in actions and ("decide", "Ana") in actions
    # No personal data in the audit log: the reason is a hash.
    raw = " ".join(e.details + e.subject for e in panel.audit_entries(ana))
    assert "Strong, kind" not in raw and NAMES[0] not in raw and EMAILS[0] not in raw


def test_only_one_who_may_decide_is_told_who_is_still_to_submit(
    library: tuple[Library, int, dict[str, int]],
) -> None:
    """Every path that says the wait (a decision, showing a name, turning blind mode off)
    names who is still to submit to the chair alone; the others read that it waits, and
    whether they themselves are still to submit, with no names and no counts (services.scoring
    gate_refusal), whether they have submitted (Ben) or not (Cleo). Without a chair every
    panelist may decide, so every panelist is told. Only the refusals: what one who has
    submitted reads in the summary and exports is the visibility rule's (the test above)."""
    lib, _interview, ids = library
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"], chair=True)
    ben = panel.create_panelist("Ben", PASS["Ben"])
    cleo = panel.create_panelist("Cleo", PASS["Cleo"])
    ada = ids[NAMES[0]]
    panel.set_blind_mode(ana, True)
    for q in QUESTIONS:
        panel.save_score(ben, answer_id=answer_id(lib, ada, q), score=3)
        panel.save_score(cleo, answer_id=answer_id(lib, ada, q), score=4)
    panel.submit_candidate(ben, submission_id=ada)  # Ana and Cleo are still to submit

    def refusals(actor: Actor) -> list[str]:
        said = [panel.decision_refusal(actor, submission_id=ada) or ""]
        acts: tuple[Callable[[], None], ...] = (
            lambda: panel.lift_blind(actor, submission_id=ada),
            lambda: panel.set_blind_mode(actor, False),
        )
        for act in acts:
            with pytest.raises(OneTakeError) as refused:
                act()
            said.append(str(refused.value))
        return said

    wait = "waits until every panelist has submitted this candidate"
    for actor in (ben, cleo):
        said = refusals(actor)
        for sentence in said[1:]:  # (the first names the chair: who decides, not who waits)
            assert "Ana" not in sentence and "Cleo" not in sentence, sentence
            assert not any(ch.isdigit() for ch in sentence), sentence  # no counts either
        assert said[0] == "Only the panel's chair, Ana, records decisions."
        own = "; you have not submitted them yet." if actor is cleo else "."
        assert said[1] == f"Showing the name {wait}{own}"
        assert said[2].startswith("Blind mode stays on while candidates being scored")
    assert panel.waiting_for(ben, submission_id=ada) is None
    # The chair is told, on every path.
    said = refusals(ana)
    assert said[0] == f"A decision {wait} (still to submit: Ana, Cleo)."
    assert said[1] == f"Showing the name {wait} (still to submit: Ana, Cleo)."
    assert said[2].startswith("Blind mode stays on while 1 candidate being scored")
    assert "(still to submit: Ana, Cleo)" in said[2]
    assert panel.waiting_for(ana, submission_id=ada) == ["Ana", "Cleo"]

    # Without a chair (the chair removed), every panelist may decide, and is told.
    panel.remove_panelist(ben, reviewer_id=ana.reviewer_id)
    said = refusals(ben)
    assert said[0] == f"A decision {wait} (still to submit: Cleo)."
    assert said[1] == f"Showing the name {wait} (still to submit: Cleo)."
    assert "(still to submit: Cleo)" in said[2]


def test_a_score_and_its_audit_row_are_one_transaction(
    library: tuple[Library, int, dict[str, int]],
) -> None:
    lib, _, ids = library
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"])
    a1 = answer_id(lib, ids[NAMES[0]], "q1")
    rows_before = panel.audit_count()

    def fault() -> None:
        raise OSError("disk unplugged between the score and its audit row")

    panel.scoring.before_audit = fault
    with pytest.raises(OSError):
        panel.save_score(ana, answer_id=a1, score=4)
    panel.scoring.before_audit = None
    assert panel.my_score(ana, answer_id=a1) is None  # neither the score...
    assert panel.audit_count() == rows_before  # ...nor its audit row

    panel.save_score(ana, answer_id=a1, score=4)
    for q in QUESTIONS[1:]:
        panel.save_score(ana, answer_id=answer_id(lib, ids[NAMES[0]], q), score=4)
    panel.submit_candidate(ana, submission_id=ids[NAMES[0]])
    rows_before = panel.audit_count()
    panel.scoring.before_audit = fault
    with pytest.raises(OSError):
        panel.correct_score(ana, answer_id=a1, score=2, note="", reason="Misheard")
    panel.scoring.before_audit = None
    assert len(panel.score_history(ana, answer_id=a1)) == 1  # no correction without its row
    assert panel.audit_count() == rows_before
    assert panel.audit_problem() is None


def _recompute_chain(conn: sqlite3.Connection) -> None:
    """What an attacker with the file does after editing: rewrite every hash and the head."""
    prev = GENESIS_HASH
    rows = conn.execute(
        "SELECT seq, at, actor_id, action, subject, details FROM audit_log ORDER BY seq"
    ).fetchall()
    for seq, at, actor_id, action, subject, details in rows:
        row_hash = audit_hash(prev, seq, at, actor_id, action, subject, details)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE seq = ?", (prev, row_hash, seq)
        )
        prev = row_hash
    conn.execute(
        "UPDATE panel_settings SET value = ? WHERE key = 'audit_head'", (f"{rows[-1][0]}:{prev}",)
    )


def test_a_hand_edit_of_another_panelists_score_is_reported_to_them_at_sign_in(
    tmp_path: Path,
) -> None:
    lib, _, ids = make_library(tmp_path / "lib", candidates=1)
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"])
    ben = panel.create_panelist("Ben", PASS["Ben"])
    sub = ids[NAMES[0]]
    for who, score in ((ana, 2), (ben, 4)):
        for q in QUESTIONS:
            panel.save_score(who, answer_id=answer_id(lib, sub, q), score=score)
        panel.submit_candidate(who, submission_id=sub)
    ana_id, ben_id = ana.reviewer_id, ben.reviewer_id
    lib.close()

    # Ben, with the database file, raises Ana's q1 score to 5 and covers his tracks: triggers
    # dropped, the audit row edited to match, the whole hash chain recomputed.
    conn = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3")
    conn.execute("DROP TRIGGER scores_submitted_immutable")
    conn.execute("DROP TRIGGER audit_log_no_update")
    a1 = conn.execute(
        "SELECT a.id FROM answers a WHERE a.submission_id = ? AND a.question_id = 'q1'", (sub,)
    ).fetchone()[0]
    conn.execute(
        "UPDATE scores SET score = 5 WHERE reviewer_id = ? AND answer_id = ?", (ana_id, a1)
    )
    for seq, details in conn.execute(
        "SELECT seq, details FROM audit_log WHERE actor_id = ? AND action = 'score'", (ana_id,)
    ).fetchall():
        parsed = json.loads(details)
        if parsed["answer"] == a1:
            parsed["score"] = 5
            conn.execute(
                "UPDATE audit_log SET details = ? WHERE seq = ?",
                (json.dumps(parsed, sort_keys=True, separators=(",", ":")), seq),
            )
    _recompute_chain(conn)
    conn.commit()
    conn.close()

    reopened = panel_service(open_library(tmp_path / "lib"))
    assert reopened.audit_problem() is None  # the chain alone is fooled...
    ben_again = reopened.sign_in(ben_id, PASS["Ben"])
    assert ben_again.warnings == ()  # Ben's own rows are untouched
    ana_again = reopened.sign_in(ana_id, PASS["Ana"])  # ...Ana's signatures are not
    assert ana_again.warnings
    assert f"Your score on q1 for {NAMES[0]} (now 5) was changed by someone else." in (
        ana_again.warnings
    )
    assert any(w.startswith("Your audit log row ") for w in ana_again.warnings)
    reopened.library.close()


def test_a_forged_row_in_a_panelists_name_and_a_removed_row_are_reported(
    tmp_path: Path,
) -> None:
    lib, _, ids = make_library(tmp_path / "lib", candidates=2)
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"])
    subs = list(ids.values())
    panel.save_score(ana, answer_id=answer_id(lib, subs[0], "q1"), score=3)
    ana_id = ana.reviewer_id
    lib.close()
    conn = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3")
    conn.execute(
        "INSERT INTO scores (answer_id, reviewer_id, score, note, status, created_at)"
        " VALUES (?, ?, 1, '', 'draft', '2026-11-01T00:00:00Z')",
        (answer_id(open_library(tmp_path / "lib"), subs[1], "q1"), ana_id),
    )
    conn.commit()
    conn.close()
    reopened = panel_service(open_library(tmp_path / "lib"))
    warnings = reopened.sign_in(ana_id, PASS["Ana"]).warnings
    assert any("added in your name" in w for w in warnings)
    reopened.library.close()

    conn = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3")
    conn.execute("DELETE FROM scores WHERE reviewer_id = ?", (ana_id,))
    conn.commit()
    conn.close()
    reopened = panel_service(open_library(tmp_path / "lib"))
    warnings = reopened.sign_in(ana_id, PASS["Ana"]).warnings
    assert any("was removed by someone else" in w for w in warnings)
    reopened.library.close()


def test_people_rename_remove_and_passphrase_change_re_keys_honestly(
    library: tuple[Library, int, dict[str, int]],
) -> None:
    lib, _, ids = library
    clock = ManualClock()
    panel = PanelService(lib, clock, hasher=HASHER, key_deriver=fast_key)
    reviewer = ReviewerService(lib)
    me = reviewer.actor_for(reviewer.default_reviewer.id)
    assert reviewer.set_my_name(me, name="Dana Scully").name == "Dana Scully"
    assert ReviewerService(lib).default_reviewer.name == "Dana Scully"  # kept, not "Me" again

    ana = panel.create_panelist("Ana", PASS["Ana"])
    ben = panel.create_panelist("Ben", PASS["Ben"])
    sub = ids[NAMES[0]]
    for q in QUESTIONS:
        panel.save_score(ana, answer_id=answer_id(lib, sub, q), score=3, note="Ana on " + q)
    panel.submit_candidate(ana, submission_id=sub)
    panel.rename_panelist(ben, reviewer_id=ana.reviewer_id, name="Ana Lima")
    assert [p.name for p in panel.panelists()] == ["Ana Lima", "Ben"]

    ana = panel.sign_in(ana.reviewer_id, PASS["Ana"])
    with pytest.raises(WrongPassphrase):
        panel.change_passphrase(ana, old="not the passphrase", new="new ana passphrase")
    ana = panel.change_passphrase(ana, old=PASS["Ana"], new="new ana passphrase")
    panel.lock()
    with pytest.raises(WrongPassphrase):
        panel.sign_in(ana.reviewer_id, PASS["Ana"])
    clock.advance(5)  # wait out the pause after the wrong passphrase
    again = panel.sign_in(ana.reviewer_id, "new ana passphrase")
    assert again.warnings == ()  # every row signed again with the new key

    ben = panel.sign_in(ben.reviewer_id, PASS["Ben"])
    panel.remove_panelist(again, reviewer_id=ben.reviewer_id)
    assert [p.name for p in panel.panelists()] == ["Ana Lima"]
    with pytest.raises(OneTakeError):
        panel.sign_in(ben.reviewer_id, PASS["Ben"])
    with pytest.raises(OneTakeError, match="last panelist"):
        panel.remove_panelist(again, reviewer_id=again.reviewer_id)
    actions = [line.action for line in panel.audit_view(again)]
    for needed in (
        "reviewer_renamed",
        "panelist_renamed",
        "passphrase_changed",
        "panelist_removed",
    ):
        assert needed in actions
    raw = " ".join(e.details + e.subject for e in panel.audit_entries(again))
    assert "Ana Lima" not in raw and "Dana" not in raw  # names only as hashes


def test_a_tampered_panelist_cannot_re_key_over_the_tampering(
    tmp_path: Path,
) -> None:
    lib, _, ids = make_library(tmp_path / "lib", candidates=1)
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"])
    panel.save_score(ana, answer_id=answer_id(lib, ids[NAMES[0]], "q1"), score=2)
    ana_id = ana.reviewer_id
    lib.close()
    conn = sqlite3.connect(tmp_path / "lib" / "onetake.sqlite3")
    conn.execute("UPDATE scores SET score = 5 WHERE reviewer_id = ?", (ana_id,))
    conn.commit()
    conn.close()
    reopened = panel_service(open_library(tmp_path / "lib"))
    ana = reopened.sign_in(ana_id, PASS["Ana"])
    assert ana.warnings
    with pytest.raises(OneTakeError, match="cannot be signed again"):
        reopened.change_passphrase(ana, old=PASS["Ana"], new="a fresh passphrase")
    reopened.library.close()


def test_erasure_removes_scores_keeps_the_chain_and_is_not_tampering(
    library: tuple[Library, int, dict[str, int]],
) -> None:
    lib, interview, ids = library
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"])
    ben = panel.create_panelist("Ben", PASS["Ben"])
    for who in (ana, ben):
        draft_everything(panel, lib, who, ids, score=3)
        for sub in ids.values():
            panel.submit_candidate(who, submission_id=sub)
    ada = ids[NAMES[0]]
    panel.decide(ana, submission_id=ada, decision="decline", reason="Not this time")
    panel.lock()

    # What the privacy service does (storage.erasure): one transaction that removes the work,
    # the submission rows and appends the audit row. Outside it the schema refuses the delete.
    with pytest.raises(sqlite3.IntegrityError, match="only by erasing"):
        lib.db.execute("DELETE FROM submissions WHERE id = ?", (ada,))
    with transaction(lib.db):
        record_erasure(
            lib.db, submission_ids=[ada], reason_code="candidate_request", remove_submissions=True
        )
    assert panel.audit_problem() is None
    for name in ("Ana", "Ben"):
        actor = panel.sign_in(panel.panelist_named(name).reviewer_id, PASS[name])
        assert actor.warnings == ()
    left = lib.db.execute(
        "SELECT COUNT(*) FROM scores sc JOIN answers a ON a.id = sc.answer_id"
        " WHERE a.submission_id = ?",
        (ada,),
    ).fetchone()[0]
    assert left == 0
    assert [c.submission_id for c in panel.candidates(interview_pk=interview)] == [ids[NAMES[1]]]
    audit_text = " ".join(
        f"{e.subject} {e.details}"
        for e in panel.audit_entries(panel.current)  # type: ignore[arg-type]
    )
    for personal in (NAMES[0], EMAILS[0], "Not this time", "SECRET-", "PIN-", "REC-"):
        assert personal not in audit_text
    assert "candidate_request" in audit_text
    with pytest.raises(OneTakeError, match="reason code"):
        record_erasure(lib.db, submission_ids=[ids[NAMES[1]]], reason_code="Asked by Ada")


def test_the_signing_key_comes_from_the_passphrase_and_is_never_stored(
    library: tuple[Library, int, dict[str, int]],
) -> None:
    lib, _, _ = library
    panel = PanelService(lib, ManualClock(), hasher=HASHER)  # the real Argon2id key derivation
    ana = panel.create_panelist("Ana", PASS["Ana"])
    record = panel.panelist_named("Ana")
    salt = bytes.fromhex(json.loads(record.key_record or "{}")["salt"])
    assert derive_key(PASS["Ana"], salt) == ana.key
    assert derive_key("another passphrase", salt) != ana.key
    dump = "\n".join(lib.db.conn.iterdump())
    assert ana.key.hex() not in dump and PASS["Ana"] not in dump


# -- the scripted panel: exact command contract ------------------------------------------------


def onetake(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    result = cli_main(argv)
    assert isinstance(result, int)
    return result


def test_scripted_panel_add_score_submit_audit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = app_paths().ensure().library
    library, _, _ = make_library(root, candidates=1)
    library.close()
    email = EMAILS[0]
    for name in ("Ana", "Ben"):
        assert onetake(["panel", "add", name], PASS[name] + "\n", monkeypatch) == 0
    assert "Added panelist Ana." in capsys.readouterr().out
    for q in QUESTIONS:
        argv = ["panel", "score", "--as", "Ana", "--candidate", email, "--question", q]
        assert (
            onetake([*argv, "--score", "4", "--note", "SECRET-Ana"], PASS["Ana"], monkeypatch) == 0
        )
        argv = ["panel", "score", "--as", "Ben", "--candidate", email, "--question", q]
        assert (
            onetake([*argv, "--score", "2", "--note", "SECRET-Ben"], PASS["Ben"], monkeypatch) == 0
        )
    assert (
        onetake(["panel", "submit", "--as", "Ana", "--candidate", email], PASS["Ana"], monkeypatch)
        == 0
    )
    capsys.readouterr()

    # Without --as: only whether the chain holds, no row.
    assert onetake(["panel", "audit"], "", monkeypatch) == 0
    out = capsys.readouterr().out
    assert "hash chain verified" in out and "score" not in out
    assert onetake(["panel", "audit", "--json"], "", monkeypatch) == 0
    assert json.loads(capsys.readouterr().out)["intact"] is True

    # As Ana (submitted): Ben's drafting stays out (which answers, how often, the values),
    # with and without --json; her own rows are there.
    assert onetake(["panel", "audit", "--as", "Ana", "--json"], PASS["Ana"], monkeypatch) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x for x in lines if x["actor"] == "Ben" and x["action"] == "score"] == []
    assert len([x for x in lines if x["actor"] == "Ana" and x["action"] == "score"]) == 2
    assert onetake(["panel", "audit", "--as", "Ana"], PASS["Ana"], monkeypatch) == 0
    text = capsys.readouterr().out
    assert [x for x in text.splitlines() if " Ben " in x and " score " in x] == []
    assert "SECRET" not in text and " Ana " in text

    # Each command's export and list, with and without --json, as Ana: nothing of Ben's.
    for argv in (
        ["panel", "list"],
        ["panel", "list", "--json"],
        ["library", "list"],
        ["library", "list", "--json"],
    ):
        assert onetake(argv, "", monkeypatch) == 0
        assert not leaks(capsys.readouterr().out, "Ben")
    # A panelist's progress is theirs: it needs their sign-in, and the refusal names the
    # way to give it (walk s13 LOW-1: 'library list' had no --as).
    assert onetake(["library", "list", "--reviewer", "Ben"], "", monkeypatch) == 1
    assert capsys.readouterr().err.strip() == (
        "onetake: Sign in as Ben first. To list as them: onetake library list --as Ben "
        "(the passphrase is read from standard input when it is not a terminal)"
    )
    assert onetake(["library", "list", "--as", "Ben"], PASS["Ben"] + "\n", monkeypatch) == 0
    ben_list = capsys.readouterr().out
    assert " of 2 answers scored, 0 submitted" in ben_list and not leaks(ben_list, "Ana")
    assert onetake(["library", "list", "--as", "Ben", "--json"], PASS["Ben"], monkeypatch) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["reviewer"] == "Ben"
    assert [(c["with_score"], c["submitted"]) for c in listed["candidates"]] == [(2, 0)]
    with pytest.raises(SystemExit) as usage:
        onetake(["library", "list", "--as", "Ben", "--reviewer", "Ben"], "", monkeypatch)
    assert usage.value.code == 2
    capsys.readouterr()
    out_file = root.parent / "ana.json"
    argv = ["panel", "export", "--as", "Ana", "--format", "json", "-o", str(out_file)]
    assert onetake(argv, PASS["Ana"], monkeypatch) == 0
    exported = out_file.read_text(encoding="utf-8")
    assert "Ben" not in exported and "SECRET-Ana" in exported and not leaks(exported, "Ben")

    # Wrong passphrase and unknown name: one sentence, exit 3.
    capsys.readouterr()
    assert (
        onetake(["panel", "submit", "--as", "Ben", "--candidate", email], "nope", monkeypatch) == 3
    )
    assert capsys.readouterr().err.strip() == "onetake: That is not Ben's passphrase."
    assert onetake(["panel", "audit", "--as", "Nobody"], "x", monkeypatch) == 3
    assert "There is no panelist called Nobody." in capsys.readouterr().err
    assert (
        onetake(
            ["panel", "submit", "--as", "Ana", "--candidate", "x@y.z"], PASS["Ana"], monkeypatch
        )
        == 3
    )


def test_the_command_line_reports_a_hand_edit_to_its_victim_with_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = app_paths().ensure().library
    lib, _, ids = make_library(root, candidates=1)
    panel = PanelService(lib, hasher=HASHER)  # the CLI's own key derivation (Argon2id)
    ana = panel.create_panelist("Ana", PASS["Ana"])
    ben = panel.create_panelist("Ben", PASS["Ben"])
    sub = ids[NAMES[0]]
    for who in (ana, ben):
        for q in QUESTIONS:
            panel.save_score(who, answer_id=answer_id(lib, sub, q), score=2)
    ana_id = ana.reviewer_id
    lib.close()
    conn = sqlite3.connect(root / "onetake.sqlite3")
    conn.execute("UPDATE scores SET score = 4 WHERE reviewer_id = ?", (ana_id,))
    conn.commit()
    conn.close()
    # Ben's own commands work; Ana's first command tells her, one line per finding, exit 1.
    assert onetake(["panel", "audit", "--as", "Ben"], PASS["Ben"], monkeypatch) == 0
    capsys.readouterr()
    argv = ["panel", "submit", "--as", "Ana", "--candidate", EMAILS[0]]
    assert onetake(argv, PASS["Ana"], monkeypatch) == 1
    err = capsys.readouterr().err
    assert f"Your score on q1 for {NAMES[0]} (now 4) was changed by someone else." in err
    assert "Someone changed Ana's rows in the library" in err


def test_exports_carry_the_import_flags_beside_each_candidate(
    library: tuple[Library, int, dict[str, int]], tmp_path: Path
) -> None:
    from onetake_desktop.domain.conformance import Flag

    lib, interview, ids = library
    ada, brian = ids[NAMES[0]], ids[NAMES[1]]
    lib.submissions.set_flags(
        ada, [Flag("answer_too_long", "The answer to q1 took 3600 s; the limit is 120 s.", "q1")]
    )
    panel = panel_service(lib)
    ana = panel.create_panelist("Ana", PASS["Ana"])
    for sub in (ada, brian):
        for q in QUESTIONS:
            panel.save_score(ana, answer_id=answer_id(lib, sub, q), score=3)
        panel.submit_candidate(ana, submission_id=sub)
    for summary in (False, True):
        out = tmp_path / f"flags-{summary}.json"
        panel.export(ana, interview_pk=interview, fmt="json", out=out, summary=summary)
        data = json.loads(out.read_text(encoding="utf-8"))
        rows = data["candidates" if summary else "scores"]
        flagged = {r["candidate_name"]: r["flags"] for r in rows}
        assert (
            flagged[NAMES[0]]
            == "answer_too_long: The answer to q1 took 3600 s; the limit is 120 s."
        )
        assert flagged[NAMES[1]] == ""


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summary_grid_and_the_score_records_apply_the_same_rule(
    tmp_path: Path, seed: int
) -> None:
    """Issue 17: the summary reads a per-answer grid, the exports and the shortlist read score
    records; both must show exactly the same scores to every viewer, drafts or not."""
    import random

    lib, interview, ids = make_library(tmp_path / "lib", candidates=3)
    try:
        panel = panel_service(lib)
        actors = {n: panel.create_panelist(n, PASS[n]) for n in PASS}
        # A reviewer without a passphrase scores in the same library: a panelist sees their
        # submitted scores like anyone's; they see only their own.
        lone = lib.reviewers.ensure("Lone Reviewer")
        actors["Lone Reviewer"] = panel.scoring.actor_for(lone.id)
        assert not actors["Lone Reviewer"].panelist
        rng = random.Random(seed)
        shown_others = shown_lone = 0
        answers = [answer_id(lib, sub, q) for sub in ids.values() for q in QUESTIONS]
        for actor in actors.values():
            for a in answers:
                state = rng.choice(["none", "note", "draft", "submitted", "corrected"])
                if a in answers[: len(QUESTIONS)]:  # everyone submits the first candidate
                    state = rng.choice(["submitted", "corrected"])
                if state == "none":
                    continue
                score = None if state == "note" else rng.randint(1, 5)
                panel.save_score(actor, answer_id=a, score=score, note=f"n{a}")
                if state in ("submitted", "corrected"):
                    panel.scoring.submit_answers(actor, answer_ids=[a], subject="t")
                if state == "corrected":
                    panel.correct_score(
                        actor, answer_id=a, score=rng.randint(1, 5), note="", reason="again"
                    )
        for actor in actors.values():
            for own_drafts in (True, False):
                records = {
                    (s.answer_id, s.reviewer_id, s.score, s.status == "submitted")
                    for s in panel.scoring.visible_scores(
                        actor, interview_pk=interview, own_drafts=own_drafts
                    )
                    if s.score is not None
                }
                grid = panel.scoring.visible_grid(
                    actor, interview_pk=interview, own_drafts=own_drafts
                )
                assert grid.reviewers[0] == actor.reviewer_id
                if not actor.panelist:
                    assert grid.reviewers == [actor.reviewer_id]
                cells: set[tuple[int, int, int | None, bool]] = set()
                for _, _, a, own, *scores in grid.rows:
                    for reviewer_id, score in zip(grid.reviewers, scores, strict=True):
                        if score is not None:
                            mine = reviewer_id == actor.reviewer_id
                            cells.add((a, reviewer_id, score, bool(own) if mine else True))
                assert cells == records, (actor.name, own_drafts)
                # Another's score shows only where the viewer's own is submitted.
                own_submitted = {a for a, r, _, sub in records if r == actor.reviewer_id and sub}
                others = [a for a, r, _, _ in records if r != actor.reviewer_id]
                assert all(a in own_submitted for a in others)
                shown_others += len(others)
                if not own_drafts:
                    check_summary_rows(panel, actor, interview, records)
                if actor.panelist:
                    shown_lone += sum(1 for _, r, _, _ in records if r == lone.id)
        assert shown_others  # the fixture is one where the rule shows something, too
        assert shown_lone
    finally:
        lib.close()


def check_summary_rows(
    panel: PanelService,
    actor: Actor,
    interview: int,
    records: set[tuple[int, int, int, bool]],
) -> None:
    """The one-row-per-candidate export counts exactly the score records the actor may see:
    their submitted answers, and the mean and count of the scores once all are submitted."""
    answers = {a: c.submission_id for c in panel.candidates(interview_pk=interview)
               for a in c.answers.values()}  # fmt: skip
    per_answer = {c.submission_id: len(c.answers) for c in panel.candidates(interview_pk=interview)}
    rows = {
        r["candidate_code"]: r for r in panel.scoring.summary_rows(actor, interview_pk=interview)
    }
    for c in panel.candidates(interview_pk=interview):
        mine = [
            r for r in records if answers[r[0]] == c.submission_id and r[1] == actor.reviewer_id
        ]
        seen = [r[2] for r in records if answers[r[0]] == c.submission_id]
        row = rows[c.code]
        assert row["my_submitted"] == len(mine)
        done = len(mine) == per_answer[c.submission_id]
        assert row["scores_seen"] == (len(seen) if done else "")
        assert row["mean_score"] == (round(sum(seen) / len(seen), 3) if done and seen else "")
        if c.submission_id == min(per_answer):  # submitted by everyone: the figures show
            everyone = len(PASS) + 1 if actor.panelist else 1
            assert done and row["scores_seen"] == per_answer[c.submission_id] * everyone


def test_an_import_report_is_read_only_by_the_panelist_who_started_it(
    library: tuple[Library, int, dict[str, int]],
) -> None:
    """Its refused file names can name candidates that blind review hides: only its own
    panelist reads it, while signed in; never behind the lock, never the next panelist."""
    lib, _, _ = library
    panel = panel_service(lib)
    lone = panel.import_report_owner()
    assert lone is None and panel.may_read_import_report(lone)  # no panel: the lone reviewer
    ana = panel.create_panelist("Ana", PASS["Ana"])  # signs her in
    started = panel.import_report_owner()
    assert started == ana.reviewer_id and panel.may_read_import_report(started)
    assert not panel.may_read_import_report(lone)  # a panel now: the lone one's is nobody's
    ben = panel.create_panelist("Ben", PASS["Ben"])  # Ben at the laptop now
    assert panel.current_id == ben.reviewer_id
    assert not panel.may_read_import_report(started)
    panel.lock()
    assert not panel.may_read_import_report(started)  # behind the lock: nobody's
    assert not panel.may_read_import_report(None)
    panel.sign_in(ana.reviewer_id, PASS["Ana"])
    assert panel.may_read_import_report(started)  # hers again at her next sign-in
