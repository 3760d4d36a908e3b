"""Helpers for .ci/run that must fail loudly rather than pass by accident.

``python3 installers/ci.py readme-command`` prints the test command README.md gives (the fenced
block after the ``<!-- test-command -->`` marker) and exits 1 with one sentence when the marker
or the command is missing, empty, or does not run installers/test.sh (the one place the pytest
invocation lives). .ci/run runs exactly what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MARKER = "<!-- test-command -->"
TEST_SCRIPT = "installers/test.sh"


class CiError(Exception):
    """Something CI depends on is missing: .ci/run must stop with this sentence."""


def readme_test_command(readme: str) -> str:
    """The shell command in the fenced block right after the marker (one or more lines)."""
    if MARKER not in readme:
        raise CiError(f"README.md has no {MARKER} marker, so CI would not know what to test.")
    after = readme.split(MARKER, 1)[1].lstrip("\n")
    lines = after.splitlines()
    if not lines or not lines[0].startswith("```"):
        raise CiError(f"The {MARKER} marker in README.md is not followed by a code block.")
    body: list[str] = []
    for line in lines[1:]:
        if line.startswith("```"):
            break
        body.append(line)
    else:
        raise CiError("The test command block in README.md is never closed.")
    command = "\n".join(line for line in body if line.strip()).strip()
    if not command:
        raise CiError("The test command in README.md is empty.")
    if TEST_SCRIPT not in command:
        raise CiError(f"The test command in README.md does not run {TEST_SCRIPT}.")
    return command


def main(argv: list[str]) -> int:
    if argv[:1] != ["readme-command"]:
        sys.stderr.write("usage: ci.py readme-command [README]\n")
        return 2
    readme = Path(argv[1]) if len(argv) > 1 else REPO / "README.md"
    try:
        text = readme.read_text(encoding="utf-8")
        print(readme_test_command(text))
    except (OSError, CiError) as error:
        sys.stderr.write(f"ci: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
