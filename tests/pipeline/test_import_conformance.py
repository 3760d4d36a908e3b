"""Bundles that contradict their interview, and outside text that is not plain text, through
every way in: ``onetake library import``, ``onetake bundle verify [--definition]``, the reviewer
service, ``library list`` (plain and JSON). Real bundles (real media, sealed by write_bundle,
edited at the byte level with every checksum kept consistent)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from onetake_desktop import cli
from onetake_desktop.domain.errors import EXIT_INVALID_INPUT, EXIT_OK
from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from onetake_desktop.storage.kitfile import demo_definition_path
from tests.pipeline.hostile.corpus import (
    CONFORMANCE_CASES,
    TEXT_CASES,
    ConformanceCase,
    edited,
    entries_of,
    sound_bundle,
)
from tests.pipeline.library_bundles import make_bundle

DEFINITION = str(demo_definition_path())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("contradicting")
    work = folder / "work"
    entries = entries_of(sound_bundle(work))
    out = {"sound": work / "sound.onetake"}
    for case in CONFORMANCE_CASES:
        out[case.name] = folder / f"{case.name}.onetake"
        out[case.name].write_bytes(edited(entries, case.edit))
    for text_case in TEXT_CASES:
        out[text_case.name] = folder / f"{text_case.name}.onetake"
        out[text_case.name].write_bytes(text_case.make(entries, work))
    return out


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    assert isinstance(code, int)  # commands that open no window return their exit code
    out, err = capsys.readouterr()
    return code, out, err


def library_consistent(service: ReviewerService) -> None:
    """Every submission folder has its row, every row its folder; nothing staged is left."""
    root = service.library.root / "submissions"
    folders = {p.resolve() for p in root.iterdir()} if root.exists() else set()
    rows = {s.folder.resolve() for s in service.library.submissions.all()}
    assert folders == rows
    assert all(f.is_dir() for f in rows)


def test_the_corpus_covers_the_issue() -> None:
    outcomes = {c.outcome for c in CONFORMANCE_CASES}
    assert "refused" in outcomes
    assert {
        "takes-over-limit", "answer-time-over-limit", "think-time-over-limit",
        "consent-not-the-notice", "accommodation-not-offered", "time-multiplier-too-high",
        "text-too-long", "answer-missing",
    } <= outcomes  # fmt: skip
    refused = {c.name for c in CONFORMANCE_CASES if c.outcome == "refused"}
    assert {"unknown-question", "video-question-typed", "unknown-kit-hash"} <= refused
    texts = " ".join(c.expect for c in TEXT_CASES)
    for kind in ("surrogate", "separators", "bidirectional", "byte-order mark"):
        assert kind in texts


@pytest.mark.parametrize("case", CONFORMANCE_CASES, ids=lambda c: c.name)
def test_verify_with_the_definition_refuses_or_flags(
    case: ConformanceCase, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "bundle", "verify", str(corpus[case.name]), "--definition", DEFINITION
    )
    if case.outcome == "refused":
        assert code == EXIT_INVALID_INPUT, out
        assert out == ""
        (line,) = err.strip().splitlines()
        assert case.expect in line and line.endswith(".")
    else:
        assert code == EXIT_OK, err
        assert "Flagged: it breaks" in out
        flag_lines = [x.strip() for x in out.splitlines() if x.strip().startswith("flag ")]
        assert any(
            line.startswith(f"flag {case.outcome}:") and case.expect in line for line in flag_lines
        ), out


@pytest.mark.parametrize("case", CONFORMANCE_CASES, ids=lambda c: c.name)
def test_library_import_refuses_or_flags_and_every_window_can_see_it(
    case: ConformanceCase, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "library", "import", str(corpus[case.name]))
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        library_consistent(service)
        subs = service.library.submissions.all()
        if case.outcome == "refused":
            assert code == EXIT_INVALID_INPUT
            (line,) = err.strip().splitlines()
            assert line.startswith("refused") and case.expect in line
            assert subs == []
            return
        assert code == EXIT_OK, err
        assert f"flag {case.outcome}:" in out
        (sub,) = subs
        assert case.outcome in {f.code for f in sub.flags}
        # The reviewer service gives windows the same flags, for any reviewer.
        assert service.flags(sub.id) == sub.flags
        service.library.reviewers.ensure("Sam")  # a second reviewer of this library
    finally:
        service.close()
    listed = json.loads(run(capsys, "library", "list", "--json")[1])
    (entry,) = listed["candidates"]
    assert case.outcome in [f["code"] for f in entry["flags"]]
    assert all(f["message"].endswith(".") for f in entry["flags"])
    sam = open_reviewer_service(app_paths().ensure().library)
    sam.library.reviewers.ensure("Sam")  # --reviewer names an existing reviewer (issue 18)
    sam.close()
    other = json.loads(run(capsys, "library", "list", "--json", "--reviewer", "Sam")[1])
    assert other["candidates"][0]["flags"] == entry["flags"]
    plain = run(capsys, "library", "list")[1]
    assert f"FLAGGED ({len(entry['flags'])})" in plain


def test_a_sound_bundle_keeps_every_rule(
    corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "bundle", "verify", str(corpus["sound"]), "--definition", DEFINITION)
    assert code == EXIT_OK and "It keeps to every rule of its interview." in out
    # Without --definition the library's interviews are used (every library knows the demo).
    code, out, _ = run(capsys, "bundle", "verify", str(corpus["sound"]))
    assert code == EXIT_OK and "It keeps to every rule of its interview." in out
    assert run(capsys, "library", "import", str(corpus["sound"]))[0] == EXIT_OK
    listed = json.loads(run(capsys, "library", "list", "--json")[1])
    assert listed["candidates"][0]["flags"] == []
    assert "FLAGGED" not in run(capsys, "library", "list")[1]


def test_verify_uses_the_librarys_interviews(
    corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "library", "list")[0] == EXIT_OK  # a library exists, with the demo
    code, out, _ = run(capsys, "bundle", "verify", str(corpus["eleven-takes"]))
    assert code == EXIT_OK and "flag takes-over-limit: Question q1: 11 takes" in out
    code, _, err = run(capsys, "bundle", "verify", str(corpus["unknown-kit-hash"]))
    assert code == EXIT_INVALID_INPUT and "does not know" in err


def test_a_bundle_of_another_interview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dataclasses import replace

    from tests.pipeline.library_bundles import demo_definition

    demo = demo_definition()
    other = replace(demo, kit=demo.kit._replace(interview_id="warehouse-2027"))
    bundle = make_bundle(tmp_path / "other.onetake", "Kim Park", definition=other, seconds=1.0)
    code, _, err = run(capsys, "bundle", "verify", str(bundle), "--definition", DEFINITION)
    assert code == EXIT_INVALID_INPUT
    assert "answers the interview 'warehouse-2027', not 'demo-customer-support'" in err
    # The library has never seen that interview: imported unchecked, its definition asked for.
    code, out, _ = run(capsys, "bundle", "verify", str(bundle))
    assert code == EXIT_OK and "Not checked against its interview" in out
    code, out, _ = run(capsys, "library", "import", str(bundle))
    assert code == EXIT_OK and "interview definition not in the library yet" in out


@pytest.mark.parametrize("case", TEXT_CASES, ids=lambda c: c.name)
def test_text_that_is_not_plain_is_refused_by_verify(
    case: object, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    name, expect = case.name, case.expect  # type: ignore[attr-defined]
    code, out, err = run(capsys, "bundle", "verify", str(corpus[name]))
    assert code == EXIT_INVALID_INPUT and out == ""
    (line,) = err.strip().splitlines()
    assert expect in line and line.endswith(".")
    line.encode("utf-8")  # printable: the refusal never carries the bad text itself


def test_a_batch_goes_on_past_every_bad_bundle(
    corpus: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    bad = [c.name for c in TEXT_CASES] + ["unknown-question", "unknown-kit-hash"]
    for name in ["sound", *bad, "eleven-takes"]:
        (batch / f"{name}.onetake").write_bytes(corpus[name].read_bytes())
    make_bundle(batch / "zz-ada.onetake", "Ada Lovelace", seconds=1.0)
    code, out, err = run(capsys, "library", "import", str(batch))
    assert code == EXIT_INVALID_INPUT
    refused = {
        Path(line.split(": ")[0].split()[-1]).stem: line for line in err.strip().splitlines()
    }
    assert set(refused) == set(bad)
    for case in TEXT_CASES:
        assert case.expect in refused[case.name]
    assert f"3 imported, 1 of them flagged, {len(bad)} refused." in out
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        names = sorted(s.candidate_name for s in service.library.submissions.all())
        assert names == ["Ada Lovelace", "Alex Example", "Alex Example"]
        library_consistent(service)
    finally:
        service.close()


def test_an_unexpected_error_costs_one_bundle_not_the_batch(
    corpus: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = make_bundle(tmp_path / "ada.onetake", "Ada Lovelace", seconds=1.0)
    grace = make_bundle(tmp_path / "grace.onetake", "Grace Hopper", seconds=1.0)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        real_add = service.library.submissions.add

        def add_failing_for_ada(manifest, *args, **kwargs):  # type: ignore[no-untyped-def]
            if manifest.candidate_name == "Ada Lovelace":
                raise sqlite3.OperationalError("disk I/O error")  # what no test expected
            return real_add(manifest, *args, **kwargs)

        monkeypatch.setattr(service.library.submissions, "add", add_failing_for_ada)
        report = service.import_paths([ada, corpus["sound"], grace])
        statuses = [(o.path.name, o.status) for o in report.outcomes]
        assert statuses == [
            ("ada.onetake", "refused"),
            ("sound.onetake", "imported"),
            ("grace.onetake", "imported"),
        ]
        assert "unexpected error (OperationalError)" in report.outcomes[0].reason
        library_consistent(service)  # Ada's folder went with her row
    finally:
        service.close()


def test_a_check_that_raises_costs_one_bundle(
    corpus: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onetake_desktop.services import importing

    real = importing.import_judged  # type: ignore[attr-defined]

    def judged(path: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if path.name == "eleven-takes.onetake":
            raise KeyError("a bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(importing, "import_judged", judged)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        report = service.import_paths([corpus["eleven-takes"], corpus["sound"]], workers=2)
        assert [o.status for o in report.outcomes] == ["refused", "imported"]
        assert "unexpected error (KeyError)" in report.outcomes[0].reason
        library_consistent(service)
    finally:
        service.close()


def test_leftovers_of_a_killed_import_are_swept(corpus: dict[str, Path]) -> None:
    import os

    service = open_reviewer_service(app_paths().ensure().library)
    try:
        assert service.import_paths([corpus["sound"]]).imported
        root = service.library.root / "submissions"
        stale = [root / ".incoming-0123456789ab", root / "00112233aabbccdd"]
        fresh = root / ".incoming-fedcba987654"
        for folder in (*stale, fresh):
            (folder / "media").mkdir(parents=True)
            (folder / "media" / "q1.mp4").write_bytes(b"x")
        for folder in stale:
            os.utime(folder, (1_000_000_000, 1_000_000_000))  # long ago
        service.import_paths([corpus["eleven-takes"]])
        assert not any(p.exists() for p in stale)
        assert fresh.exists()  # maybe another OneTake's import in progress: left alone
        assert len(service.library.submissions.all()) == 2
    finally:
        service.close()


def test_a_definition_added_later_judges_what_was_imported_before_it(tmp_path: Path) -> None:
    from dataclasses import replace

    from tests.pipeline.hostile.corpus import _answer
    from tests.pipeline.library_bundles import demo_definition

    demo = demo_definition()
    other = replace(demo, kit=demo.kit._replace(interview_id="warehouse-2027"))
    sound = make_bundle(tmp_path / "kim.onetake", "Kim Park", definition=other, seconds=1.0)
    entries = entries_of(sound)

    (tmp_path / "takes.onetake").write_bytes(edited(entries, _answer(0, takes_used=11)))
    (tmp_path / "q9.onetake").write_bytes(edited(entries, _answer(2, question_id="q9")))
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        report = service.import_paths([tmp_path / "takes.onetake", tmp_path / "q9.onetake"])
        assert [(o.status, o.needs_definition, o.flags) for o in report.outcomes] == [
            ("imported", True, ()),
            ("imported", True, ()),
        ]
        service.add_definition(other)
        takes, q9 = (service.flags(o.submission_id or 0) for o in report.outcomes)
        assert [f.code for f in takes] == ["takes-over-limit"]
        assert [f.code for f in q9] == ["does-not-fit-interview"]
        assert "does not ask ('q9')" in q9[0].message
    finally:
        service.close()
