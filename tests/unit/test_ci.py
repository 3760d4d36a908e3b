"""CI cannot go green by accident: the README test command is what .ci/run runs, a missing or
empty command stops it, and under CI=true a skipped test fails."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def _ci_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("onetake_ci", REPO / "installers" / "ci.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ci = _ci_module()


def run_helper(readme: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "installers" / "ci.py"), "readme-command", str(readme)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_readme_command_runs_the_one_test_script() -> None:
    command = ci.readme_test_command((REPO / "README.md").read_text(encoding="utf-8"))
    assert command == "bash installers/setup-dev.sh && bash installers/test.sh"
    script = (REPO / "installers" / "test.sh").read_text(encoding="utf-8")
    assert "-m pytest" in script


def test_ci_run_executes_the_readme_command_with_ci_set() -> None:
    run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in run
    assert "export CI=true" in run
    assert "cmd=$(python3 installers/ci.py readme-command)" in run
    assert 'bash -c "$cmd"' in run
    # The type check covers the tests too.
    assert ".venv/bin/mypy src tests" in run


@pytest.mark.parametrize(
    "readme",
    [
        "# OneTake\n\nNo marker here.\n",
        "<!-- test-command -->\n```bash\n```\n",
        "<!-- test-command -->\n```bash\n   \n```\n",
        "<!-- test-command -->\nsome prose\n",
        "<!-- test-command -->\n```bash\n.venv/bin/python -m pytest -q\n```\n",
    ],
    ids=["no-marker", "empty", "blank", "no-block", "bypasses-test-script"],
)
def test_a_missing_or_empty_command_turns_ci_red(readme: str, tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text(readme, encoding="utf-8")
    with pytest.raises(ci.CiError):
        ci.readme_test_command(readme)
    done = run_helper(path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("ci: ") and done.stderr.count("\n") == 1


def test_the_real_readme_passes_the_helper() -> None:
    done = run_helper(REPO / "README.md")
    assert done.returncode == 0, done.stderr
    assert "installers/test.sh" in done.stdout


SKIPPING = """
import pytest

def test_needs_a_tool():
    pytest.skip("espeak-ng is not installed")

@pytest.mark.ci_may_skip(reason="documented: CI has no camera")
def test_opted_out():
    pytest.skip("no camera")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False

def test_runs():
    assert True
"""


def _run_with_conftest(pytester: pytest.Pytester, ci_value: str | None) -> pytest.RunResult:
    pytester.makeconftest((REPO / "tests" / "conftest.py").read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    ci_may_skip(reason): the only skip CI accepts\n")
    pytester.makepyfile(test_skips=SKIPPING)
    if ci_value is None:
        pytester._monkeypatch.delenv("CI", raising=False)
    else:
        pytester._monkeypatch.setenv("CI", ci_value)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider")


def test_under_ci_an_environment_skip_is_a_failure(pytester: pytest.Pytester) -> None:
    result = _run_with_conftest(pytester, "true")
    result.assert_outcomes(passed=1, failed=1, skipped=1, xfailed=1)
    result.stdout.fnmatch_lines(["*skipped under CI (espeak-ng is not installed)*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_module_skipped_at_import_fails_under_ci(pytester: pytest.Pytester) -> None:
    pytester.makeconftest((REPO / "tests" / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_gone='import pytest\npytest.importorskip("no_such_module_x")\n')
    pytester._monkeypatch.setenv("CI", "true")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret != pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*skipped under CI*no_such_module_x*"])


def test_outside_ci_a_skip_stays_a_skip(pytester: pytest.Pytester) -> None:
    result = _run_with_conftest(pytester, None)
    result.assert_outcomes(passed=1, skipped=2, xfailed=1)
    assert result.ret == pytest.ExitCode.OK
