"""The command line starts lean (issue 17): ``onetake --help`` lists every command from the
static table without importing any command's module, and a command imports only its own.

These tests guard the behaviour, not the time: each looks at ``sys.modules`` in a fresh
interpreter, so an import moved back to module level in app.py, logs.py, cli/ or a command
module fails here. (bench/panel_bench.py and bench/README.md hold the figures.)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from onetake_desktop import cli

SRC = Path(__file__).resolve().parents[2] / "src"

# Never needed to print help: the GUI toolkit, media libraries, TOML writer, and every layer
# below the command line.
HEAVY_PACKAGES = (
    "PySide6",
    "av",
    "cv2",
    "numpy",
    "tomlkit",
    "sqlite3",
    "cryptography",
    "argon2",
    "platformdirs",
    "onetake_desktop.services",
    "onetake_desktop.storage",
    "onetake_desktop.media",
    "onetake_desktop.ui",
)
# Standard modules that each cost `onetake --help` several milliseconds (measured: together
# more than argparse and the rest of the help); the commands import them when they run.
COSTLY_STDLIB = ("typing", "dataclasses", "pathlib", "logging", "json", "tomllib", "subprocess")


def modules_loaded_by(code: str, **env: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; returns the modules it added to ``sys.modules``
    (``new``) and whatever it stored in ``result``."""
    script = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "result = None\n"
        f"{code}\n"
        "new = sorted(set(sys.modules) - before)\n"
        "import json\n"  # only now: json is among the modules --help must not load
        "print(json.dumps({'new': new, 'result': result}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC), **env},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def offending(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


HELP_THROUGH_APP = """
import contextlib, io
from onetake_desktop.app import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main(["--help"])
    except SystemExit as end:
        result = [end.code, out.getvalue()]
"""


def test_help_through_the_entry_point_imports_no_command_and_nothing_heavy(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    loaded = modules_loaded_by(HELP_THROUGH_APP, ONETAKE_HOME=str(home))
    new = loaded["new"]
    assert isinstance(new, list)
    assert loaded["result"][0] == 0  # type: ignore[index]
    assert offending(new, HEAVY_PACKAGES) == []
    assert offending(new, COSTLY_STDLIB) == []
    # Only the package, its parser, the version action and the error types.
    commands = [m for m in new if m.startswith("onetake_desktop.cli.")]
    assert commands == ["onetake_desktop.cli.about"]
    # Nothing was made: the settings and the log are read or made only by a command.
    assert not home.exists()


def test_a_usage_error_imports_no_command_either(tmp_path: Path) -> None:
    loaded = modules_loaded_by(
        "import contextlib, io\n"
        "from onetake_desktop.app import main\n"
        "with contextlib.redirect_stderr(io.StringIO()):\n"
        "    try:\n"
        "        main(['no-such-command'])\n"
        "    except SystemExit as end:\n"
        "        result = end.code\n",
        ONETAKE_HOME=str(tmp_path),
    )
    assert loaded["result"] == 2
    new = loaded["new"]
    assert isinstance(new, list)
    assert offending(new, HEAVY_PACKAGES) == []
    assert [m for m in new if m.startswith("onetake_desktop.cli.")] == ["onetake_desktop.cli.about"]


def test_parsing_one_command_imports_only_its_module() -> None:
    """`onetake library list` does not load the kit author, bundle checks, keys or panel."""
    loaded = modules_loaded_by(
        "from onetake_desktop import cli\nresult = cli.parse(['library', 'list']).command\n"
    )
    assert loaded["result"] == "library"
    new = loaded["new"]
    assert isinstance(new, list)
    others = [
        f"onetake_desktop.cli.{module}"
        for name, (module, _) in cli.COMMANDS.items()
        if name != "library" and module != "transcripts"  # library registers its search
    ]
    assert offending(new, tuple(others)) == []
    assert offending(new, ("PySide6", "av", "cv2", "tomlkit", "onetake_desktop.services")) == []
    # `library transcribe --model` lists the speech models when it is the action used only.
    assert offending(new, ("onetake_desktop.media", "onetake_desktop.storage")) == []


@pytest.mark.parametrize(
    "argv",
    [["library", "--help"], ["library", "hold", "--help"], ["library", "release", "--help"]],
    ids=" ".join,
)
def test_library_help_and_its_privacy_actions_import_nothing_heavy(argv: list[str]) -> None:
    """`library hold|release` join the group's parser: its help (and theirs) still loads no
    service, storage, GUI or media module."""
    loaded = modules_loaded_by(
        "import contextlib, io\n"
        "from onetake_desktop.app import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit as end:\n"
        "        result = [end.code, out.getvalue()]\n"
    )
    result = loaded["result"]
    assert isinstance(result, list)
    code, text = result
    assert code == 0
    if argv == ["library", "--help"]:
        assert "hold" in text and "release" in text
    else:
        assert "--reason TEXT" in text and "exit codes" in text
        said = " ".join(text.split())  # argparse wraps the epilog
        assert "rows were changed by someone else (nothing done)" in said
        assert "written but its sign-out could not be audited" in said
    new = loaded["new"]
    assert isinstance(new, list)
    assert offending(new, HEAVY_PACKAGES) == []


def test_library_list_loads_no_importer_media_signing_or_kit_reader(tmp_path: Path) -> None:
    """The list of a library reads rows: it does not load what imports, plays, signs or
    authors (each of these moved out of its path once and must stay out). The first open of
    a library adds the demo definition; the list after it is what is checked."""
    home = tmp_path / "home"
    first = subprocess.run(
        [sys.executable, "-m", "onetake_desktop", "library", "list"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC), "ONETAKE_HOME": str(home)},
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    loaded = modules_loaded_by(
        "import contextlib, io\n"
        "from onetake_desktop.app import main\n"
        "for argv in (['library', 'list'], ['library', 'list', '--json']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        code = main(argv)\n"
        "    assert code == 0, code\n"
        "result = out.getvalue()\n",
        ONETAKE_HOME=str(home),
    )
    assert '"candidates": []' in str(loaded["result"])
    new = loaded["new"]
    assert isinstance(new, list)
    assert "onetake_desktop.services.scoring" in new  # the policy is still asked
    assert (
        offending(
            new,
            (
                "PySide6",
                "av",
                "cv2",
                "numpy",
                "tomlkit",
                "tomllib",
                "cryptography",
                "zipfile",
                "subprocess",
                "logging.handlers",
                "argon2",
                "onetake_desktop.storage.transcripts",
                "onetake_desktop.media",
                "onetake_desktop.services.importing",
                "onetake_desktop.services.bundles",
                "onetake_desktop.storage.kitfile",
                "onetake_desktop.storage.kit_signature",
                "onetake_desktop.storage.safe_zip",
                "onetake_desktop.domain.kit",
                "onetake_desktop.domain.manifest",
            ),
        )
        == []
    )


def test_deferred_arguments_are_there_when_their_action_is_used(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from onetake_desktop.media.transcribe import DEFAULT_MODEL, MODELS

    args = cli.parse(["library", "transcribe", "--model", sorted(MODELS)[0], "--threads", "3"])
    assert (args.model, args.threads) == (sorted(MODELS)[0], 3)
    assert cli.parse(["library", "transcribe"]).model == DEFAULT_MODEL
    with pytest.raises(SystemExit) as end:
        cli.parse(["library", "transcribe", "--help"])
    assert end.value.code == 0
    assert "--model {" + ",".join(sorted(MODELS)) + "}" in capsys.readouterr().out


def test_help_lists_every_command_with_its_help_and_exits_0() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "onetake_desktop", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "200"},
        timeout=60,
    )
    assert result.returncode == 0
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    for name, (_, help_text) in cli.COMMANDS.items():
        assert f"{name} {help_text}" in lines, name


def test_the_table_is_what_each_module_registers() -> None:
    """The table's order and help are the full parser's: `onetake --help` is unchanged."""
    full = cli.build_parser("*")
    (commands,) = [a for a in full._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(commands.choices) == list(cli.COMMANDS)
    listed = {a.dest: a.help for a in commands._choices_actions}
    assert listed == {name: help_text for name, (_, help_text) in cli.COMMANDS.items()}


def help_of(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            parser.parse_args(argv)
            code: object = "parsed"
        except SystemExit as end:
            code = end.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h", "kit"],
        ["no-such-command"],
        ["--no-such-flag"],
        ["-"],
        ["-1", "kit"],
        ["--debug", "-v", "kit", "--help"],
        ["library", "list", "--help"],
        ["library", "list", "--no-such-flag"],
        ["--", "kit", "--help"],
        ["--", "--help"],
        ["kit", "build", "x.toml"],
        ["panel"],
        ["review", "--help"],
        ["--debug", "review", "--no-such-flag"],
        ["-v", "library", "list", "--no-such-flag"],
        ["--verbose", "--no-such-flag", "review"],
        ["-v", "--help"],
        ["--debug", "no-such-command"],
        ["--", "review"],
        ["-1", "review"],
        ["-vh"],
    ],
    ids=" ".join,
)
def test_lazy_parser_answers_as_the_full_one(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Help, usage and errors (and their exit codes) are the same whichever modules load,
    and whether or not the other commands are listed (as `parse` builds it)."""
    monkeypatch.setenv("COLUMNS", "100")
    command = cli.command_in(argv)
    lazy = help_of(cli.build_parser(command, others=cli.lists_commands(argv, command)), argv)
    assert lazy == help_of(cli.build_parser("*"), argv)
    assert lazy[0] != "parsed" or argv == ["panel"]


@pytest.mark.parametrize(
    "argv",
    [[], ["--debug"], ["-v", "--verbose"], ["review"], ["--debug", "-v", "author", "x.toml"]],
    ids=lambda argv: " ".join(argv) or "(none)",
)
def test_a_quiet_command_line_builds_no_other_commands_parser(argv: list[str]) -> None:
    """What every window's start parses: nothing there can print the list of commands."""
    command = cli.command_in(argv)
    assert not cli.lists_commands(argv, command)
    (commands,) = [
        a
        for a in cli.build_parser(command, others=False)._actions
        if isinstance(a, argparse._SubParsersAction)
    ]
    assert list(commands.choices) == ([] if command is None else [command])


@pytest.mark.parametrize(
    "argv",
    [
        ["library", "list", "--json", "--sort", "status"],
        ["--verbose", "library", "list"],
        ["-v", "--debug", "kit", "validate", "x.toml"],
        ["review", "a.onetake", "folder"],
        [],
        ["--debug"],
        ["-v", "author"],
    ],
    ids=lambda argv: " ".join(argv) or "(none)",
)
def test_lazy_parse_gives_the_full_parsers_arguments(argv: list[str]) -> None:
    def plain(args: argparse.Namespace) -> dict[str, object]:
        return {k: v for k, v in vars(args).items() if k != "group_parser"}

    assert plain(cli.parse(argv)) == plain(cli.build_parser("*").parse_args(argv))


def test_command_in_finds_the_word_argparse_takes() -> None:
    assert cli.command_in([]) is None
    assert cli.command_in(["--debug", "-v"]) is None
    assert cli.command_in(["-v", "library", "list"]) == "library"
    # (Python 3.11's argparse then refuses "--" itself as the command: an error either way.)
    assert cli.command_in(["--", "kit"]) == "kit"
    assert cli.command_in(["-"]) == "-"


def test_the_services_imported_before_the_gui_exist_and_load_no_gui_or_media() -> None:
    # app.py imports them before PySide6 (its import hook then reads fewer sources): a name
    # that no longer exists, or a service that pulls in Qt or the media stack, would make
    # that silently useless or costly.
    from onetake_desktop import app

    names = [n for mode in app.SERVICES_BEFORE_QT.values() for n in mode]
    assert names
    loaded = modules_loaded_by("\n".join(f"import {n}" for n in names))
    new = loaded["new"]
    assert isinstance(new, list)
    assert set(names) <= set(new)
    assert offending(new, ("PySide6", "av", "cv2", "numpy", "onetake_desktop.ui")) == []


def test_a_service_that_cannot_import_is_skipped_before_the_gui(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No error here and nothing half-imported left behind: the window's own import of that
    # module raises it again, where the user sees it in a window.
    import sys

    from onetake_desktop import app

    monkeypatch.setitem(app.SERVICES_BEFORE_QT, "review", ("onetake_desktop.no_such_service",))
    app._import_services("review")
    assert "onetake_desktop.no_such_service" not in sys.modules
    app._import_services("start")  # the start screen has none
