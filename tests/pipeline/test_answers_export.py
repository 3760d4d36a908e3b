"""Issue 17: the per-answer export gives the same rows and the same file bytes as the way it
was first written, one row at a time.

The oracle below is the export as it was before it read notes and recommendations once per
interview and wrote tuples: per shown score, it asks the public single-item readers
(``visible_notes``, ``visible_recommendation``) and builds a dictionary per row, and the
files are written by the old writers (``csv.DictWriter`` with the formula guard, and
``json.dumps(indent=2)``). The library has what makes the rule matter: three panelists and a
reviewer without a passphrase whose name sorts level with a panelist's ("ana" and "Ana"),
drafts, note-only drafts, corrections, pinned notes, draft and submitted recommendations,
decisions, blind mode with one name shown, import flags, a transcript, hostile text, an
erasure that keeps the candidate and one that removes it, and two interviews.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop.domain.conformance import Flag
from onetake_desktop.domain.kit import InterviewDefinition, Kit, Question, Rubric, RubricLevel
from onetake_desktop.domain.manifest import AnswerRecord, Consent, KitRef, SubmissionManifest
from onetake_desktop.domain.transcript import Transcript, Word
from onetake_desktop.services.panel import Actor, PanelService
from onetake_desktop.services.scoring import EXPORT_FIELDS, ScoringService, _flags_text
from onetake_desktop.storage.library import RECOMMENDATIONS, Library, NewAnswer
from onetake_desktop.storage.panel import record_erasure
from onetake_desktop.storage.transcripts import SqliteTranscripts
from tests.pipeline.test_panel_service import QUESTIONS, answer_id, make_library
from tests.pipeline.test_scoring_policy import PASS, panel_service
from tests.unit.test_csv_export import _old_csv_bytes, _old_json_cells

HASH2 = "sha256:" + "ef" * 32
HOSTILE = ['=HYPERLINK("https://evil.example","x")', "+1 555", "Zoë 😀 \u2028 line\nbreak", "-"]


def _second_interview(library: Library, names: list[str]) -> list[int]:
    """A second interview (one question, q9, another competency) and its candidates."""
    question = Question("q9", "And another thing?", "why", 10, 5, 60, 1, "text")
    kit = Kit("panel-two", "2", "Acme", "Night lead", "hi", "do", "privacy", 30, "text",
              (question,))  # fmt: skip
    levels = tuple(RubricLevel(i, f"level {i}") for i in range(1, 6))
    definition = InterviewDefinition(kit, {"q9": Rubric("Judgement", levels)})
    library.interviews.add_definition(HASH2, definition)
    subs: list[int] = []
    for i, name in enumerate(names):
        answers = (
            AnswerRecord(
                "q9", "text", 1, 1, 5.0, 30.0, "2026-11-01T10:00:00Z", "2026-11-01T10:01:00Z",
                text="x",
            ),
        )  # fmt: skip
        manifest = SubmissionManifest(
            KitRef("panel-two", "2", HASH2),
            name,
            f"two{i}@example.org",
            Consent("11" * 32, "2026-11-01T09:59:00Z"),
            answers,
            "2026-11-01T10:05:00Z",
            "0.1.0",
        )
        folder = library.root / "submissions" / f"two{i}"
        folder.mkdir(parents=True)
        new = [NewAnswer("q9", "text", None, "x", 5.0, 30.0, None, 1, 1)]
        record = library.submissions.add(manifest, f"{100 + i:064x}", folder, new)
        assert record is not None
        subs.append(record.id)
    return subs


@pytest.fixture(scope="module")
def scene(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Library, PanelService, dict[str, Actor], list[int]]]:
    lib, interview, ids = make_library(tmp_path_factory.mktemp("export") / "lib", candidates=5)
    subs = list(ids.values()) + _second_interview(lib, [HOSTILE[0], "Ola Nordmann", "Pat Two"])
    lib.submissions.set_flags(subs[1], [Flag("answer_too_long", "q1 took 3600 s.", "q1")])
    panel = panel_service(lib)
    actors = {n: panel.create_panelist(n, PASS[n]) for n in PASS}
    panel.scoring.set_blind_mode(actors["Ana"], on=True)
    lone = lib.reviewers.ensure("ana")  # no passphrase; level with "Ana" under NOCASE
    actors["ana"] = panel.scoring.actor_for(lone.id)
    rng = random.Random(17)
    answers = [a.id for s in subs for a in lib.submissions.answers(s)]
    everyone = {a.id for s in (subs[0], subs[2], subs[5]) for a in lib.submissions.answers(s)}
    for name, actor in actors.items():
        for a in answers:
            state = rng.choice(["none", "note", "draft", "submitted", "submitted", "corrected"])
            if a in everyone:  # submitted by all: these can be decided and named
                state = rng.choice(["submitted", "corrected"])
            if state == "none":
                continue
            score = None if state == "note" else rng.randint(1, 5)
            note = rng.choice(["", f"n{a}-{name}", *HOSTILE])
            panel.save_score(actor, answer_id=a, score=score, note=note)
            if rng.random() < 0.4:
                for k in range(rng.randint(1, 2)):
                    at = rng.choice([0, 500, 500, 1500])  # equal positions: then by id
                    text = f"pin{k}-{name}-{rng.choice(HOSTILE)}"
                    panel.scoring.add_note(actor, answer_id=a, position_ms=at, text=text)
            if state in ("submitted", "corrected"):
                panel.scoring.submit_answers(actor, answer_ids=[a], subject="t")
            if state == "corrected":
                panel.correct_score(
                    actor, answer_id=a, score=rng.randint(1, 5), note="", reason="second look"
                )
        for sub in subs:
            if rng.random() < 0.7:
                value = rng.choice(RECOMMENDATIONS)
                panel.scoring.set_recommendation(
                    actor, submission_id=sub, value=value, note=f"rec-{name} {HOSTILE[1]}"
                )
    for sub in (subs[0], subs[2], subs[5]):
        for actor in actors.values():
            panel.scoring.submit_candidate(actor, submission_id=sub)
    ana = actors["Ana"]
    panel.decide(ana, submission_id=subs[0], decision="advance", reason="strong", feedback="-ok")
    panel.decide(ana, submission_id=subs[5], decision="decline", reason="=no", feedback="")
    panel.scoring.lift_blind(ana, submission_id=subs[2])
    first = lib.submissions.answers(subs[0])[0].id
    words = tuple(Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(["I", "led", "it"]))
    transcript = Transcript("I led it", words, "t", "t 0", "en", 3.0)
    SqliteTranscripts(lib.db).save(first, transcript, rank=2)
    record_erasure(lib.db, submission_ids=[subs[3]], reason_code="candidate_request")
    record_erasure(
        lib.db, submission_ids=[subs[4]], reason_code="retention", remove_submissions=True
    )
    assert interview
    yield lib, panel, actors, subs
    lib.close()


def oracle_rows(
    scoring: ScoringService,
    actor: Actor,
    interview_pk: int | None,
    submitted_only: bool | None,
    every_candidate: bool,
    transcripts: bool,
) -> list[dict[str, Any]]:
    """The per-answer export's rows as first written: a dictionary per row, each shown
    score's notes and recommendation asked of the single-item readers."""
    library = scoring.library
    if submitted_only is None:
        submitted_only = scoring.drafts_stay_home(actor)
    names = {r.id: r.name for r in library.reviewers.all()}
    rows: list[dict[str, Any]] = []
    for interview in library.interviews.all():
        if interview_pk is not None and interview.id != interview_pk:
            continue
        definition = library.interviews.definition(interview.id)
        questions = {q.id: q.text for q in definition.kit.questions} if definition else {}
        by_answer: dict[int, list[Any]] = {}
        for sc in scoring.visible_scores(actor, interview_pk=interview.id, own_drafts=True):
            if sc.score is None or (submitted_only and sc.status != "submitted"):
                continue
            by_answer.setdefault(sc.answer_id, []).append(sc)
        hashes = library.submissions.bundle_hashes(interview.id)
        flags = library.submissions.all_flags()
        for c in scoring.candidates(interview_pk=interview.id):
            d = c.decision
            base = {
                "interview_id": interview.interview_id,
                "interview_version": interview.version,
                "role_title": interview.role_title,
                "candidate_code": c.code,
                "candidate_name": c.name if c.revealed else "",
                "candidate_email": c.email,
                # Empty while blind mode hides the candidate: the hash names their file.
                "bundle_sha256": hashes[c.submission_id] if c.revealed else "",
                "flags": _flags_text(flags.get(c.submission_id, ())),
                "decision": d.decision if d else "",
                "decision_reason": d.reason if d else "",
                "feedback": d.feedback if d else "",
                "decided_at": d.created_at if d else "",
                "decided_by": names.get(d.reviewer_id, "") if d else "",
            }
            mine: list[dict[str, Any]] = []
            for question_id, a in c.answers.items():
                rubric = definition.rubrics.get(question_id) if definition else None
                for sc in by_answer.get(a, []):
                    rec = scoring.visible_recommendation(
                        actor, submission_id=c.submission_id, reviewer_id=sc.reviewer_id
                    )
                    if rec is not None and submitted_only and rec.status != "submitted":
                        rec = None
                    notes = scoring.visible_notes(actor, answer_id=a, reviewer_id=sc.reviewer_id)
                    stored = SqliteTranscripts(library.db).get(a)
                    mine.append(
                        {
                            **base,
                            "question_id": question_id,
                            "question_text": questions.get(question_id, f"Question {question_id}"),
                            "competency": rubric.competency if rubric else "",
                            "reviewer": sc.reviewer_name,
                            "score": sc.score,
                            "status": sc.status,
                            "note": sc.note,
                            "scored_at": sc.created_at,
                            "supersedes_id": sc.supersedes_id,
                            "reason": sc.reason or "",
                            "timestamped_notes": [
                                {"at_ms": n.position_ms, "text": n.text, "at": n.created_at}
                                for n in notes
                            ],
                            "recommendation": rec.value if rec else "",
                            "recommendation_note": rec.note if rec else "",
                            "recommendation_status": rec.status if rec else "",
                            "recommendation_at": rec.created_at if rec else "",
                            "transcript": stored.transcript.text if stored else "",
                        }
                    )
            if not mine and (every_candidate or d is not None):
                mine.append({k: base.get(k, "") for k in EXPORT_FIELDS})
            rows.extend(mine)
    fields = (*EXPORT_FIELDS, "transcript") if transcripts else EXPORT_FIELDS
    return [{k: row.get(k, "") for k in fields} for row in rows]


def oracle_file(
    scoring: ScoringService, actor: Actor, fmt: str, rows: list[dict[str, Any]], transcripts: bool
) -> bytes:
    if fmt == "csv":
        fields = [*EXPORT_FIELDS, "transcript"] if transcripts else list(EXPORT_FIELDS)
        return _old_csv_bytes(fields, _old_json_cells(rows))
    envelope = {
        "format_version": 2,
        "kind": "answers",
        "reviewer": actor.name,
        "exported_at": scoring.clock.now().isoformat(),
        "blind": scoring.blind_mode(),
        "scores": rows,
    }
    return json.dumps(envelope, indent=2, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("who", ["Ana", "Ben", "Cleo", "ana"])
def test_the_answers_export_gives_the_rows_and_bytes_of_the_row_by_row_export(
    scene: tuple[Library, PanelService, dict[str, Actor], list[int]], tmp_path: Path, who: str
) -> None:
    lib, panel, actors, _ = scene
    scoring = panel.scoring
    actor = actors[who]
    interviews = [i.id for i in lib.interviews.all()]
    assert len(interviews) == 2 and scoring.blind_mode()
    checked = 0
    for interview_pk in (None, *interviews):
        for submitted_only in (None, False, True):
            for every_candidate in (False, True):
                for transcripts in (False, True):
                    args = (interview_pk, submitted_only, every_candidate, transcripts)
                    expected = oracle_rows(scoring, actor, *args)
                    got = scoring.export_rows(
                        actor,
                        interview_pk=interview_pk,
                        submitted_only=submitted_only,
                        every_candidate=every_candidate,
                        transcripts=transcripts,
                    )
                    assert got == expected, args
                    # Types too (1 and True, 1 and 1.0 compare equal).
                    assert [list(map(type, r.values())) for r in got] == [
                        list(map(type, r.values())) for r in expected
                    ], args
                    for fmt in ("csv", "json"):
                        out = tmp_path / f"export.{fmt}"
                        count = scoring.export(
                            actor,
                            fmt=fmt,
                            out=out,
                            interview_pk=interview_pk,
                            submitted_only=submitted_only,
                            every_candidate=every_candidate,
                            transcripts=transcripts,
                        )
                        assert count == len(expected)
                        want = oracle_file(scoring, actor, fmt, expected, transcripts)
                        assert out.read_bytes() == want, (fmt, args)
                    checked += len(expected)
    assert checked
    # The scene shows what the rule is about, so that the comparison means something.
    rows = scoring.export_rows(actor, submitted_only=False, every_candidate=True)
    shown = {r["reviewer"] for r in rows} - {""}
    if actor.panelist:
        assert len(shown) >= 3  # others' scores, where the viewer submitted
        assert any(r["timestamped_notes"] for r in rows if r["reviewer"] != who)
        assert any(r["recommendation"] for r in rows if r["reviewer"] != who)
    else:
        assert shown == {who}
    assert any(r["candidate_name"] == "" and r["candidate_code"] for r in rows)  # blind
    assert any(r["decision"] for r in rows) and any(r["flags"] for r in rows)


def test_the_scene_has_ties_corrections_drafts_and_an_erasure(
    scene: tuple[Library, PanelService, dict[str, Actor], list[int]],
) -> None:
    """What the comparison above relies on is really in the library."""
    lib, _, _, subs = scene
    db = lib.db
    assert db.execute("SELECT COUNT(*) FROM scores WHERE supersedes_id IS NOT NULL").fetchone()[0]
    assert db.execute("SELECT COUNT(*) FROM scores WHERE status = 'draft'").fetchone()[0]
    assert db.execute(
        "SELECT COUNT(*) FROM scores WHERE status = 'draft' AND score IS NULL"
    ).fetchone()[0]
    assert db.execute("SELECT COUNT(*) FROM recommendations WHERE status = 'draft'").fetchone()[0]
    tie = db.execute(
        "SELECT COUNT(*) FROM (SELECT answer_id, position_ms FROM timestamped_notes"
        " GROUP BY answer_id, reviewer_id, position_ms HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    assert tie  # notes at the same moment: ordered by id
    erased = [a.id for a in lib.submissions.answers(subs[3])]
    assert (
        erased
        and not db.execute(
            f"SELECT COUNT(*) FROM scores WHERE answer_id IN ({','.join(map(str, erased))})"
        ).fetchone()[0]
    )
    assert subs[4] not in {int(r[0]) for r in db.execute("SELECT id FROM submissions")}
    assert answer_id(lib, subs[0], QUESTIONS[0])
