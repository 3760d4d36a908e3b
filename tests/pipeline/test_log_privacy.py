"""The log holds ids, never a candidate's name or email: erasing a candidate must leave no
trace, and the log files are not erased with them. Every command, with --verbose."""

from __future__ import annotations

from pathlib import Path

import pytest

from onetake_desktop import cli, logs
from onetake_desktop.paths import app_paths
from tests.pipeline.library_bundles import make_bundle

NAME, EMAIL = "Zelda Quartermaine", "zelda.q@example.org"


def test_importing_listing_and_exporting_log_no_name_or_email(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path / "zelda-quartermaine.onetake", NAME, EMAIL, seconds=1.0)
    runs = [
        ["--verbose", "bundle", "verify", str(bundle)],
        ["--verbose", "bundle", "inspect", str(bundle)],
        ["--verbose", "library", "import", str(bundle)],
        ["--verbose", "library", "list"],
        ["--verbose", "scores", "export", "--format", "csv", "-o", str(tmp_path / "s.csv")],
        ["--verbose", "library", "import", str(tmp_path / "missing.onetake")],  # an error too
    ]
    for argv in runs:
        cli.main(argv)
    out = capsys.readouterr()
    assert NAME in out.out  # the commands did show the candidate to the user...
    text = logs.log_file(app_paths().logs).read_text(encoding="utf-8")
    assert text.count("onetake 0.1.0:") == len(runs)  # ...and logged every run...
    for secret in (NAME, EMAIL, "zelda", "Zelda", "Quartermaine"):
        assert secret not in text  # ...without the candidate
        assert secret not in out.err
