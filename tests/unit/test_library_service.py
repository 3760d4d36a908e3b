"""The reviewer service over a real library database (plain Python: no Qt, no PyAV)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.services.reviewer import (
    ReviewerService,
    find_bundles,
    open_reviewer_service,
)
from onetake_desktop.storage.library import NewAnswer
from tests.unit.test_library_storage import HASH, make_definition, make_manifest, new_answers


@pytest.fixture
def service(tmp_path: Path) -> ReviewerService:
    svc = open_reviewer_service(tmp_path / "library")
    yield svc
    svc.close()


def add(service: ReviewerService, name: str, sha: str) -> int:
    m = make_manifest(name)
    record = service.library.submissions.add(m, sha, service.library.root / sha[:8], new_answers(m))
    assert record is not None
    return record.id


def test_default_reviewer_comes_from_settings(tmp_path: Path, onetake_home: Path) -> None:
    settings = onetake_home / "config" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"reviewer_name": "Dana"}))
    svc = open_reviewer_service(tmp_path / "lib")
    assert svc.default_reviewer.name == "Dana"
    svc.close()


def test_the_demo_definition_is_known_to_every_library(service: ReviewerService) -> None:
    interviews = service.interviews()
    assert any(i.has_definition and i.interview_id.startswith("demo") for i in interviews)


def test_playback_rate_snaps_to_steps_per_reviewer(service: ReviewerService) -> None:
    me = service.default_reviewer.id
    other = service.library.reviewers.ensure("Grace").id
    assert service.playback_rate(me) == 1.0
    assert service.set_playback_rate(me, 1.6) == 1.5
    assert service.set_playback_rate(other, 9.0) == 2.0
    assert (service.playback_rate(me), service.playback_rate(other)) == (1.5, 2.0)


def test_submitting_needs_every_answer_scored(service: ReviewerService) -> None:
    me = service.default_reviewer.id
    sid = add(service, "Ada Lovelace", "a" * 64)
    a1, a2 = service.answers(sid)
    service.save_score(a1.id, me, 4, "")
    service.save_score(a2.id, me, None, "only a note so far")
    with pytest.raises(OneTakeError, match="q2"):
        service.submit_candidate(sid, me)
    service.save_score(a2.id, me, 2, "only a note so far")
    assert service.submit_candidate(sid, me) == 2
    view = service.answer_view(a1.id, me)
    assert view.submitted and view.status == "submitted"
    assert view.question is None and view.question_text == "Question q1"


def test_answer_view_uses_the_definition_once_added(service: ReviewerService) -> None:
    me = service.default_reviewer.id
    sid = add(service, "Ada Lovelace", "a" * 64)
    service.library.interviews.add_definition(HASH, make_definition())
    view = service.answer_view(service.answers(sid)[0].id, me)
    assert view.question_text == "Tell us about a hard bug."
    assert view.rubric is not None and view.rubric.competency == "Debugging"
    assert (view.index, view.count) == (0, 2)


def test_entries_sort_by_name_imported_and_status(service: ReviewerService) -> None:
    me = service.default_reviewer.id
    b = add(service, "Brian Kernighan", "b" * 64)
    add(service, "Ada Lovelace", "a" * 64)
    service.save_score(service.answers(b)[0].id, me, 3, "")
    names = lambda sort: [e.candidate_name for e in service.entries(me, sort=sort)]  # noqa: E731
    assert names("name") == ["Ada Lovelace", "Brian Kernighan"]
    assert names("imported") == ["Brian Kernighan", "Ada Lovelace"]
    assert names("status") == ["Ada Lovelace", "Brian Kernighan"]
    with pytest.raises(InvalidInputError):
        service.entries(me, sort="age")


def test_export_has_only_the_viewers_scores(service: ReviewerService, tmp_path: Path) -> None:
    me = service.default_reviewer.id
    other = service.library.reviewers.ensure("Grace").id
    sid = add(service, "Ada Lovelace", "a" * 64)
    a1, a2 = service.answers(sid)
    service.save_score(a1.id, me, 5, 'said "sorry", then fixed it')
    service.save_score(a2.id, me, None, "note without a score")
    service.save_score(a1.id, other, 1, "someone else's draft")
    service.set_recommendation(sid, me, "strong_yes")
    assert service.export_scores(me, "csv", tmp_path / "out" / "s.csv") == 1
    rows = list(csv.DictReader((tmp_path / "out" / "s.csv").open(encoding="utf-8", newline="")))
    assert [
        (r["question_id"], r["score"], r["status"], r["note"], r["reviewer"]) for r in rows
    ] == [("q1", "5", "draft", 'said "sorry", then fixed it', "Me")]
    assert rows[0]["recommendation"] == "strong_yes"
    service.export_scores(other, "json", tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert data["reviewer"] == "Grace"
    assert [(s["score"], s["note"]) for s in data["scores"]] == [(1, "someone else's draft")]
    assert not list((tmp_path / "out").glob(".*"))  # the temporary file was renamed away


def test_blind_codes_replace_names_for_search_and_sort_too(service: ReviewerService) -> None:
    me = service.default_reviewer.id
    ada = add(service, "Ada Lovelace", "a" * 64)
    brian = add(service, "Brian Kernighan", "b" * 64)
    codes = {ada: "C-ZZ", brian: "C-AA"}
    shown = service.entries(me, sort="name", codes=codes)
    assert [(e.candidate_name, e.candidate_email) for e in shown] == [("C-AA", ""), ("C-ZZ", "")]
    # A real name or email finds nobody; a code finds its candidate.
    assert service.entries(me, "Ada", codes=codes) == []
    assert service.entries(me, "@", codes=codes) == []
    assert [e.submission_id for e in service.entries(me, "c-zz", codes=codes)] == [ada]
    # Only the coded candidates are hidden.
    partly = service.entries(me, "Brian", codes={ada: "C-ZZ"})
    assert [e.candidate_name for e in partly] == ["Brian Kernighan"]


def test_export_of_submitted_scores_only_leaves_every_draft_out(
    service: ReviewerService, tmp_path: Path
) -> None:
    me = service.default_reviewer.id
    ada = add(service, "Ada Lovelace", "a" * 64)
    brian = add(service, "Brian Kernighan", "b" * 64)
    for sid, score in ((ada, 5), (brian, 2)):
        for a in service.answers(sid):
            service.save_score(a.id, me, score, f"draft note {score}")
        service.set_recommendation(sid, me, "yes")
    service.submit_candidate(brian, me)
    assert not service.has_panelists()
    out = tmp_path / "s.json"
    assert service.export_scores(me, "json", out, submitted_only=True) == 2
    rows = json.loads(out.read_text(encoding="utf-8"))["scores"]
    assert {(r["candidate_name"], r["status"]) for r in rows} == {("Brian Kernighan", "submitted")}
    assert "draft note 5" not in out.read_text(encoding="utf-8")
    assert service.export_scores(me, "csv", tmp_path / "all.csv") == 4  # the default: everything


def test_find_bundles_expands_folders_and_reports_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "a.onetake").write_bytes(b"x")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "b.onetake").write_bytes(b"x")
    (tmp_path / "deep" / "readme.txt").write_text("x")
    found, missing = find_bundles([tmp_path, tmp_path / "a.onetake", tmp_path / "nope.onetake"])
    assert [p.name for p in found] == ["a.onetake", "b.onetake"]  # once each
    assert [(o.path.name, o.status) for o in missing] == [("nope.onetake", "refused")]


def test_unreadable_bundles_are_refused_with_a_sentence(
    service: ReviewerService, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.onetake"
    bad.write_bytes(b"not a zip at all")
    report = service.import_paths([bad, tmp_path / "missing.onetake"])
    assert [o.status for o in report.outcomes] == ["refused", "refused"]
    assert all(o.reason.endswith(".") for o in report.outcomes)
    assert report.summary() == "0 imported, 2 refused."
    assert not [p for p in (service.library.root / "submissions").iterdir()]


def test_new_answer_rows_need_no_media(service: ReviewerService) -> None:
    m = make_manifest("Text Only")
    answers = [NewAnswer("q1", "text", None, "hello", 0, 1, None, 1, 1)]
    record = service.library.submissions.add(m, "t" * 64, service.library.root, answers)
    assert record is not None
    assert service.answers(record.id)[0].media_path is None
