"""The reviewer service over a real library database (plain Python: no Qt, no PyAV)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.search import fold
from onetake_desktop.services.context import AppContext
from onetake_desktop.services.reviewer import (
    ReviewerService,
    find_bundles,
    open_reviewer_service,
)
from onetake_desktop.storage.library import NewAnswer
from tests.unit.test_library_storage import HASH, make_definition, make_manifest, new_answers


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ReviewerService]:
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
    svc = AppContext.from_environment().reviewer_service()
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
    me = service.actor_for(service.default_reviewer.id)
    sid = add(service, "Ada Lovelace", "a" * 64)
    a1, a2 = service.answers(sid)
    service.save_score(me, answer_id=a1.id, score=4, note="")
    service.save_score(me, answer_id=a2.id, score=None, note="only a note so far")
    with pytest.raises(OneTakeError, match="q2"):
        service.submit_candidate(me, submission_id=sid)
    service.save_score(me, answer_id=a2.id, score=2, note="only a note so far")
    assert service.submit_candidate(me, submission_id=sid) == 2
    view = service.answer_view(me, answer_id=a1.id)
    assert view.submitted and view.status == "submitted"
    assert view.question is None and view.question_text == "Question q1"


def test_answer_view_uses_the_definition_once_added(service: ReviewerService) -> None:
    me = service.actor_for(service.default_reviewer.id)
    sid = add(service, "Ada Lovelace", "a" * 64)
    service.library.interviews.add_definition(HASH, make_definition())
    view = service.answer_view(me, answer_id=service.answers(sid)[0].id)
    assert view.question_text == "Tell us about a hard bug."
    assert view.rubric is not None and view.rubric.competency == "Debugging"
    assert (view.index, view.count) == (0, 2)


def test_entries_sort_by_name_imported_and_status(service: ReviewerService) -> None:
    me = service.actor_for(service.default_reviewer.id)
    b = add(service, "Brian Kernighan", "b" * 64)
    add(service, "Ada Lovelace", "a" * 64)
    service.save_score(me, answer_id=service.answers(b)[0].id, score=3, note="")

    def names(sort: str) -> list[str]:
        return [e.candidate_name for e in service.entries(me, sort=sort)]

    assert names("name") == ["Ada Lovelace", "Brian Kernighan"]
    assert names("imported") == ["Brian Kernighan", "Ada Lovelace"]
    assert names("status") == ["Ada Lovelace", "Brian Kernighan"]
    with pytest.raises(InvalidInputError):
        service.entries(me, sort="age")


def test_export_has_only_the_viewers_scores(service: ReviewerService, tmp_path: Path) -> None:
    me = service.actor_for(service.default_reviewer.id)
    other = service.actor_for(service.library.reviewers.ensure("Grace").id)
    sid = add(service, "Ada Lovelace", "a" * 64)
    a1, a2 = service.answers(sid)
    service.save_score(me, answer_id=a1.id, score=5, note='said "sorry", then fixed it')
    service.save_score(me, answer_id=a2.id, score=None, note="note without a score")
    service.save_score(other, answer_id=a1.id, score=1, note="someone else's draft")
    service.set_recommendation(me, submission_id=sid, value="strong_yes")
    assert service.export_scores(me, fmt="csv", out=tmp_path / "out" / "s.csv") == 1
    rows = list(csv.DictReader((tmp_path / "out" / "s.csv").open(encoding="utf-8-sig", newline="")))
    assert [
        (r["question_id"], r["score"], r["status"], r["note"], r["reviewer"]) for r in rows
    ] == [("q1", "5", "draft", 'said "sorry", then fixed it', "Me")]
    assert rows[0]["recommendation"] == "strong_yes"
    service.export_scores(other, fmt="json", out=tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert data["reviewer"] == "Grace"
    assert [(s["score"], s["note"]) for s in data["scores"]] == [(1, "someone else's draft")]
    assert not list((tmp_path / "out").glob(".*"))  # the temporary file was renamed away


def test_blind_codes_replace_names_for_search_and_sort_too(service: ReviewerService) -> None:
    me = service.actor_for(service.default_reviewer.id)
    ada = add(service, "Ada Lovelace", "a" * 64)
    brian = add(service, "Brian Kernighan", "b" * 64)
    codes = {ada: "C-ZZ", brian: "C-AA"}
    shown = service.entries(me, sort="name", codes=codes)
    assert [(e.candidate_name, e.candidate_email) for e in shown] == [("C-AA", ""), ("C-ZZ", "")]
    # A real name or email finds nobody; a code finds its candidate.
    assert service.entries(me, search="Ada", codes=codes) == []
    assert service.entries(me, search="@", codes=codes) == []
    assert [e.submission_id for e in service.entries(me, search="c-zz", codes=codes)] == [ada]
    # Only the coded candidates are hidden.
    partly = service.entries(me, search="Brian", codes={ada: "C-ZZ"})
    assert [e.candidate_name for e in partly] == ["Brian Kernighan"]


def test_export_of_submitted_scores_only_leaves_every_draft_out(
    service: ReviewerService, tmp_path: Path
) -> None:
    me = service.actor_for(service.default_reviewer.id)
    ada = add(service, "Ada Lovelace", "a" * 64)
    brian = add(service, "Brian Kernighan", "b" * 64)
    for sid, score in ((ada, 5), (brian, 2)):
        for a in service.answers(sid):
            service.save_score(me, answer_id=a.id, score=score, note=f"draft note {score}")
        service.set_recommendation(me, submission_id=sid, value="yes")
    service.submit_candidate(me, submission_id=brian)
    assert not service.has_panelists()
    out = tmp_path / "s.json"
    assert service.export_scores(me, fmt="json", out=out, submitted_only=True) == 2
    rows = json.loads(out.read_text(encoding="utf-8"))["scores"]
    assert {(r["candidate_name"], r["status"]) for r in rows} == {("Brian Kernighan", "submitted")}
    assert "draft note 5" not in out.read_text(encoding="utf-8")
    # The default for a lone reviewer: everything, drafts too.
    assert service.export_scores(me, fmt="csv", out=tmp_path / "all.csv") == 4


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


def test_summary_export_has_one_row_per_candidate_and_a_bom(
    service: ReviewerService, tmp_path: Path
) -> None:
    me = service.actor_for(service.default_reviewer.id)
    ada = add(service, "Ada Lovelace", "a" * 64)
    add(service, "Brian Kernighan", "b" * 64)
    for a, score in zip(service.answers(ada), (4, 2), strict=True):
        service.save_score(me, answer_id=a.id, score=score, note="")
    service.set_recommendation(me, submission_id=ada, value="yes")
    service.submit_candidate(me, submission_id=ada)
    out = tmp_path / "summary.csv"
    assert service.export_scores(me, fmt="csv", out=out, summary=True) == 2
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = {
        r["candidate_name"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig", newline=""))
    }
    assert rows["Ada Lovelace"]["mean_score"] == "3.0"
    assert rows["Ada Lovelace"]["recommendation"] == "yes"
    assert rows["Brian Kernighan"]["mean_score"] == "" and rows["Brian Kernighan"]["flags"] == ""


@pytest.mark.parametrize(
    "names",
    [
        ["bob", "Alice", "alice", "ALICE", "Al", "al ice", "Zed", "zed", "_under", "[x", "a~"],
        ["Émile", "Emma", "eve", "Straße", "Strasse", "strasse", "Zoë", "zoe", "Ada", "ada"],
        ["a\x00b", "a", "aa", "A\x00", "ab"],
    ],
)
def test_the_name_sort_ignores_case_and_accents_whatever_the_names(
    service: ReviewerService, names: list[str]
) -> None:
    """The list's name order is the folded names' (domain.search ``fold``: no case, no
    accents; then the candidate's id), whatever the names: the library's own order."""
    me = service.actor_for(service.default_reviewer.id)
    ids = {add(service, name, f"{i:064x}"): name for i, name in enumerate(names)}
    expected = [ids[i] for i in sorted(ids, key=lambda i: (fold(ids[i]), i))]
    assert [e.candidate_name for e in service.entries(me, sort="name")] == expected
    rows = service.entry_rows(me, sort="name")
    assert [r[3] for r in rows] == expected
