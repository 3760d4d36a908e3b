"""The log holds ids, never a candidate's name or email: erasing a candidate must leave no
trace, and the log files are not erased with them. Every command, with --verbose and with
--debug, and the unexpected errors (whose tracebacks are logged): an exception goes to the
file as its type and frames, never its message, which often names a bundle file named after
the candidate. What the user reads on stderr does not change."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from onetake_desktop import cli, logs
from onetake_desktop.paths import app_paths
from tests.pipeline.library_bundles import make_bundle

NAME, EMAIL = "Zelda Quartermaine", "zelda.q@example.org"
SECRETS = (NAME, EMAIL, "zelda", "Zelda", "Quartermaine")


def log_text() -> str:
    return logs.log_file(app_paths().logs).read_text(encoding="utf-8")


def assert_no_candidate(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


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
    text = log_text()
    assert text.count("onetake 0.1.0:") == len(runs)  # ...and logged every run...
    assert_no_candidate(text)  # ...without the candidate
    assert_no_candidate(out.err)


def test_debug_logs_the_traceback_without_the_message_that_names_the_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--debug logs a refused command's traceback: its frames and the error's type, not its
    sentence. The user still reads the sentence and the whole traceback on stderr."""
    bundle = make_bundle(tmp_path / "Zelda_Quartermaine.onetake", NAME, EMAIL, seconds=1.0)
    folder = tmp_path / "Zelda-Quartermaine.onetake"
    folder.mkdir()
    runs = [
        (["--debug", "bundle", "verify", f"{bundle}.missing"], "There is no bundle at"),
        (["--debug", "--verbose", "bundle", "inspect", str(folder)], "is a folder"),
        (["--debug", "library", "import", str(bundle)], None),  # works: nothing to refuse
        (["--debug", "library", "erase", "--email", EMAIL, "--yes"], None),
    ]
    for argv, sentence in runs:
        code = cli.main(argv)
        err = capsys.readouterr().err
        if sentence is not None:
            assert code != 0 and sentence in err and "Zelda" in err, argv  # unchanged for them
            assert "Traceback (most recent call last)" in err
    text = log_text()
    assert text.count("Traceback (most recent call last)") == 2  # the refusals, with frames
    assert "InvalidInputError (message left out of the log)" in text
    assert_no_candidate(text)


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_naming_the_bundle_is_logged_without_its_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    debug: bool,
) -> None:
    """A bug or a failing disk while a bundle named after the candidate is read: an error
    the commands do not expect, whose message (and its cause's) names the file."""
    from onetake_desktop.services import bundles, importing

    bundle = make_bundle(tmp_path / "Zelda_Quartermaine.onetake", NAME, EMAIL, seconds=1.0)

    def failing_disk(path: Path, *args: object, **kwargs: object) -> None:
        try:
            raise OSError(errno.EIO, "Input/output error", str(path))
        except OSError as error:
            raise RuntimeError(f"cannot read {path}") from error

    monkeypatch.setattr(bundles, "inspect_bundle", failing_disk)
    monkeypatch.setattr(importing, "import_judged", failing_disk)
    flag = ["--debug"] if debug else []
    assert cli.main([*flag, "bundle", "inspect", str(bundle)]) == 1
    err = capsys.readouterr().err
    assert f"unexpected error (RuntimeError: cannot read {bundle})" in err  # as before
    assert cli.main([*flag, "library", "import", str(bundle)]) != 0  # refused, logged
    capsys.readouterr()
    text = log_text()
    # Both tracebacks, each with its cause: types, frames and the system's words for errno.
    assert text.count("RuntimeError (message left out of the log)") == 2
    assert text.count("OSError [Errno 5] Input/output error (message left out") == 2
    assert "in failing_disk" in text
    assert_no_candidate(text)
