"""The library from scripts: reviewers by name, accent-insensitive search, honest messages,
interview definitions (in process, through ``onetake_desktop.cli.main``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onetake_desktop.cli import main
from onetake_desktop.paths import app_paths
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.storage.kitfile import demo_definition_path
from tests.pipeline.library_bundles import make_bundle


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli-bundles")
    return {
        "anders": make_bundle(d / "anders.onetake", "Anders Ångström", seconds=0.5),
        "grace": make_bundle(d / "grace.onetake", "Grace Hopper", seconds=0.5),
    }


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    assert isinstance(code, int)
    out = capsys.readouterr()
    return code, out.out, out.err


def imported(capsys: pytest.CaptureFixture[str], bundles: dict[str, Path]) -> None:
    code, _, err = run(capsys, "library", "import", *(str(p) for p in bundles.values()))
    assert code == 0, err


def reviewer_count() -> int:
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        return len(service.library.reviewers.all())
    finally:
        service.close()


def test_a_reviewer_name_that_matches_nobody_exits_3_naming_the_ones_that_exist(
    capsys: pytest.CaptureFixture[str], bundles: dict[str, Path], tmp_path: Path
) -> None:
    imported(capsys, bundles)
    before = reviewer_count()
    code, out, err = run(capsys, "library", "list", "--reviewer", "Nobody")
    assert code == 3 and out == ""
    assert "There is no reviewer called 'Nobody'" in err and "'Me'" in err
    code, _, err = run(
        capsys, "scores", "export", "--format", "csv", "-o", str(tmp_path / "s.csv"),
        "--reviewer", "Nobody",
    )  # fmt: skip
    assert code == 3 and "'Me'" in err
    assert not (tmp_path / "s.csv").exists()
    assert reviewer_count() == before  # nobody was created on the way
    # "me" for "Me": case (and accents) aside, one reviewer matches, so it is that one.
    code, out, _ = run(capsys, "library", "list", "--reviewer", "me", "--json")
    assert code == 0 and json.loads(out)["reviewer"] == "Me"
    assert reviewer_count() == before


def test_search_ignores_case_and_accents_and_no_match_is_not_empty(
    capsys: pytest.CaptureFixture[str], bundles: dict[str, Path]
) -> None:
    code, out, _ = run(capsys, "library", "list", "--search", "angstrom")
    assert code == 0 and out.startswith("The library is empty")
    imported(capsys, bundles)
    code, out, _ = run(capsys, "library", "list", "--search", "angstrom", "--json")
    assert [c["candidate_name"] for c in json.loads(out)["candidates"]] == ["Anders Ångström"]
    code, out, _ = run(capsys, "library", "list", "--search", "ÅNGSTRÖM")
    assert "Anders Ångström" in out and "Grace" not in out
    code, out, _ = run(capsys, "library", "list", "--search", "zzz")
    assert code == 0 and out.strip() == "No candidate matches 'zzz'."
    assert "empty" not in out


def test_statuses_and_plurals_say_what_they_mean(
    capsys: pytest.CaptureFixture[str], bundles: dict[str, Path], tmp_path: Path
) -> None:
    imported(capsys, bundles)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        me = service.actor_for(service.default_reviewer.id)
        anders = next(e for e in service.entries(me) if e.candidate_name.startswith("Anders"))
        first, *rest = service.answers(anders.submission_id)
        service.save_score(me, answer_id=first.id, score=4)
        service.add_note(
            me, answer_id=rest[0].id, position_ms=100, text="a pin alone is not a score"
        )
    finally:
        service.close()
    code, out, _ = run(capsys, "library", "list")
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "draft" in lines["Anders"] and "1 of 3 answers scored, 0 submitted" in lines["Anders"]
    assert "not started" in lines["Grace"] and "0 of 3 answers scored" in lines["Grace"]
    code, out, _ = run(capsys, "scores", "export", "--format", "csv", "-o", str(tmp_path / "s"))
    assert code == 0 and out.startswith("Wrote 1 score by Me")


def test_definitions_are_added_and_recognised_by_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    definition = tmp_path / "demo.onetakeinterview"
    definition.write_bytes(demo_definition_path().read_bytes())
    code, out, err = run(capsys, "library", "import", str(definition))
    assert code == 3
    assert "is an interview definition, not a submission bundle" in err
    assert f"onetake library add-definition {definition}" in err
    renamed = tmp_path / "renamed.onetake"  # recognised by its content, whatever its name
    renamed.write_bytes(definition.read_bytes())
    code, _, err = run(capsys, "library", "import", str(renamed))
    assert code == 3 and "interview definition" in err and "truncated" not in err

    code, out, err = run(capsys, "library", "add-definition", str(definition))
    assert code == 0, err
    assert out.startswith("Added the interview definition of Customer Support")
    code, _, err = run(capsys, "library", "add-definition", str(tmp_path / "missing.x"))
    assert code == 3 and "does not exist" in err
    broken = tmp_path / "broken.onetakeinterview"
    broken.write_text("{ not json")
    code, _, err = run(capsys, "library", "add-definition", str(broken))
    assert code == 3 and err.startswith("onetake: ")
