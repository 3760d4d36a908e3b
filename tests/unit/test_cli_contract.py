"""The command-line contract: names, help, exit codes and one-sentence errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from onetake_desktop import cli

SUBCOMMANDS = [
    ["candidate"],
    ["review"],
    ["author"],
    ["kit"],
    ["kit", "build"],
    ["kit", "new"],
    ["kit", "validate"],
    ["kit", "show"],
    ["bundle"],
    ["bundle", "inspect"],
    ["bundle", "verify"],
    ["record"],
    ["devices"],
    ["library"],
    ["library", "import"],
    ["library", "list"],
    ["library", "erase"],
    ["library", "expire"],
    ["library", "hold"],
    ["library", "release"],
    ["scores"],
    ["scores", "export"],
    ["panel"],
    ["panel", "list"],
    ["panel", "add"],
    ["panel", "score"],
    ["panel", "submit"],
    ["panel", "audit"],
    ["panel", "export"],
    ["transcribe"],
    ["library", "transcribe"],
    ["library", "search"],
]


@pytest.mark.parametrize("command", ["add", "score", "submit", "audit", "export"])
def test_panel_help_documents_the_passphrase_and_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["panel", command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "standard input when it is not a terminal" in text
    assert "3 unknown panelist or candidate, or a wrong passphrase" in text


def run_onetake(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onetake_desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_lists_every_subcommand() -> None:
    result = run_onetake("--help")
    assert result.returncode == 0
    for name in ("candidate", "review", "kit", "bundle", "record", "devices", "library", "scores"):
        assert name in result.stdout


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*words, "--help"])
    assert exit_info.value.code == 0
    assert "usage: onetake" in capsys.readouterr().out


def test_bad_argument_exits_2_with_one_sentence() -> None:
    result = run_onetake("--no-such-flag")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Traceback" not in result.stderr
    assert "--no-such-flag" in lines[0]
    assert lines[0].endswith("Try 'onetake --help'.")


def test_missing_required_argument_exits_2() -> None:
    result = run_onetake("kit", "build", "x.toml")
    assert result.returncode == 2
    assert "-o/--output" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_command_asks_for_the_start_screen() -> None:
    assert cli.main([]) == cli.GuiRequest("start")


def test_gui_commands_do_not_need_qt_to_parse() -> None:
    request = cli.main(["review", "a.onetake", "folder"])
    assert isinstance(request, cli.GuiRequest)
    assert request.mode == "review"
    assert [p.name for p in request.paths] == ["a.onetake", "folder"]


def test_gui_without_display_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in __import__("os").environ.items()}
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(key, None)
    result = subprocess.run(
        [sys.executable, "-m", "onetake_desktop"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "onetake: no display found. Start it from a desktop session, or use the command line "
        "(see 'onetake --help')."
    )
