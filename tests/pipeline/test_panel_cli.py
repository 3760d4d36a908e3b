"""``onetake panel list|audit|export`` on a real library in ONETAKE_HOME."""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from onetake_desktop.cli import panel as panel_cli
from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.paths import app_paths
from onetake_desktop.services.panel import PanelService

QUESTIONS = ("q1", "q2")


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="onetake")
    panel_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


@pytest.fixture
def library_with_scores() -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "panel_service_test", Path(__file__).with_name("test_panel_service.py")
    )
    assert spec is not None and spec.loader is not None
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    root = app_paths().ensure().library
    library, _, ids = helpers.make_library(root, candidates=2)
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    service = PanelService(library, hasher=hasher)
    a = service.create_panelist("Ana", "ana passphrase")
    b = service.create_panelist("Ben", "ben passphrase")
    for sub in ids.values():
        for q in QUESTIONS:
            answer = helpers.answer_id(library, sub, q)
            service.save_score(a, answer_id=answer, score=4, note="Ana's note")
            service.save_score(b, answer_id=answer, score=2, note="Ben's private draft note")
        service.submit_candidate(a, submission_id=sub)
    library.close()
    return root


def test_list_audit_and_export_as_one_panelist(
    library_with_scores: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run(["panel", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["panelists"] == ["Ana", "Ben"] and listed["interviews"][0]["candidates"] == 2

    assert run(["panel", "audit"]) == 0
    assert "hash chain verified" in capsys.readouterr().out

    # Ben has not submitted: his export holds no score at all, not even his own drafts.
    # The passphrase comes from standard input when it is not a terminal.
    monkeypatch.setattr("sys.stdin", io.StringIO("ben passphrase\n"))
    out = tmp_path / "ben.json"
    assert run(["panel", "export", "--panelist", "Ben", "--format", "json", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Ana" not in text and "private draft" not in text
    assert {r["score"] for r in json.loads(text)["scores"]} == {""}

    monkeypatch.setattr("sys.stdin", io.StringIO("ana passphrase\n"))
    out = tmp_path / "ana.csv"
    assert run(["panel", "export", "--panelist", "Ana", "--format", "csv", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count("Ana's note") == 4

    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    with pytest.raises(OneTakeError, match="not Ana's passphrase") as raised:
        run(["panel", "export", "--panelist", "Ana", "--format", "csv", "-o", str(out)])
    assert raised.value.exit_code == 3

    conn = sqlite3.connect(library_with_scores / "onetake.sqlite3")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET action = 'nothing' WHERE seq = 5")
    conn.commit()
    conn.close()
    capsys.readouterr()
    assert run(["panel", "audit"]) == 1
    assert "Audit log row 5 was changed after it was written." in capsys.readouterr().err


def test_scores_export_refuses_a_panelists_scores_without_their_passphrase(
    library_with_scores: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 8: no export shows another panelist's drafts; `scores export` knows no
    passphrase, so it points to `panel export` instead (exit 3) and writes nothing."""
    from onetake_desktop.cli import scores as scores_cli
    from onetake_desktop.domain.errors import InvalidInputError

    parser = argparse.ArgumentParser(prog="onetake")
    scores_cli.register(parser.add_subparsers(dest="command"))
    out = tmp_path / "ben.csv"
    for name in ("Ben", "Ana"):  # Ben has drafts only; Ana submitted (Ben has not)
        args = parser.parse_args(
            ["scores", "export", "--reviewer", name, "--format", "csv", "-o", str(out)]
        )
        with pytest.raises(InvalidInputError) as raised:
            args.handler(args)
        assert str(raised.value) == (
            f"{name} is a panelist, so their scores export only with their passphrase: "
            f"use onetake panel export --panelist {name}."
        )
        assert raised.value.exit_code == 3
        assert not out.exists()
    assert "private draft" not in capsys.readouterr().out

    # A plain reviewer (no passphrase) in the same library still exports as before.
    from onetake_desktop.storage.library import open_library

    library = open_library(library_with_scores)
    library.reviewers.ensure("Rita")
    library.close()
    args = parser.parse_args(
        ["scores", "export", "--reviewer", "Rita", "--format", "csv", "-o", str(out)]
    )
    assert args.handler(args) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 1  # header only: Rita scored nothing


def test_library_list_keeps_blind_mode(
    library_with_scores: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Blind mode hides names from anyone at the laptop, the terminal included."""
    from onetake_desktop.cli import library as library_cli
    from onetake_desktop.storage.library import open_library

    parser = argparse.ArgumentParser(prog="onetake")
    library_cli.register(parser.add_subparsers(dest="command"))

    def listed(*extra: str) -> str:
        args = parser.parse_args(["library", "list", *extra])
        assert args.handler(args) == 0
        return capsys.readouterr().out

    plain = json.loads(listed("--json"))
    assert plain["blind"] is False
    names = {c["candidate_name"] for c in plain["candidates"]}
    assert len(names) == 2 and not any(n.startswith("C-") for n in names)

    library = open_library(library_with_scores)
    service = PanelService(library)
    ana = service.sign_in(service.panelist_named("Ana").reviewer_id, "ana passphrase")
    service.set_blind_mode(ana, True)
    library.close()
    blind = json.loads(listed("--json"))
    assert blind["blind"] is True
    assert all(c["candidate_name"].startswith("C-") for c in blind["candidates"])
    assert {c["candidate_email"] for c in blind["candidates"]} == {""}
    text = listed()
    assert "Blind mode is on" in text and not any(n in text for n in names)
    for n in names:  # searching a real first name finds nobody behind a code
        found = listed("--search", n.split()[0])
        assert "No candidate matches" in found and n not in found and "C-" not in found


def test_an_empty_passphrase_is_refused_as_empty_and_is_not_a_try(
    library_with_scores: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walk s13 Low 7: ``--as Ben </dev/null`` said "That is not Ben's passphrase." and made
    the next try wait; no passphrase at all is not a wrong one."""
    from onetake_desktop.storage.library import open_library

    out = tmp_path / "ben.json"
    export = ["panel", "export", "--panelist", "Ben", "--format", "json", "-o", str(out)]
    for empty in ("", "\n", "\r\n"):  # /dev/null, an empty line, a Windows empty line
        monkeypatch.setattr("sys.stdin", io.StringIO(empty))
        with pytest.raises(OneTakeError) as raised:
            run(export)
        assert str(raised.value) == "No passphrase was given on standard input."
        assert raised.value.exit_code == 3  # as a wrong passphrase, the panel's contract
    assert not out.exists()
    library = open_library(library_with_scores)
    try:
        ben = PanelService(library).panelist_named("Ben")
        assert (ben.failed_attempts, ben.retry_after) == (0, None)  # no try was counted
    finally:
        library.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("ben passphrase\n"))
    assert run(export) == 0  # at once: no "Wait 1 second before trying again."
