"""The log file, --verbose, the last-resort hooks outside Qt, and a closed pipe."""

from __future__ import annotations

import importlib
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from onetake_desktop import cli, logs
from onetake_desktop.paths import app_paths

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "kits" / "demo-interview.toml"


@pytest.fixture
def restore_hooks() -> Iterator[None]:
    before = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = before


def test_a_command_writes_the_log_file_under_paths_logs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["kit", "validate", str(DEMO)]) == 0
    text = logs.log_file(app_paths().logs).read_text(encoding="utf-8")
    assert "onetake 0.1.0: kit" in text
    assert "demo-interview" not in text  # the command, never its arguments
    assert capsys.readouterr().err == ""  # quiet without --verbose


def test_verbose_logs_to_stderr_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--verbose", "kit", "validate", str(DEMO)]) == 0
    assert "onetake: INFO onetake_desktop.cli: onetake 0.1.0: kit" in capsys.readouterr().err
    assert logging.getLogger("onetake_desktop").level == logging.DEBUG


def test_the_log_rotates(tmp_path: Path) -> None:
    path = logs.setup_logging(tmp_path)
    chunk = "x" * 10_000
    for _ in range(2 * logs.MAX_BYTES // len(chunk)):
        logging.getLogger("onetake_desktop.test").info(chunk)
    assert path.stat().st_size <= logs.MAX_BYTES
    assert (tmp_path / "onetake.log.1").exists()


def test_rotation_keeps_the_newest_lines_in_numbered_files(tmp_path: Path) -> None:
    """onetake.log holds the newest lines, .1 the ones before, ...; each under the limit, at
    most ``backups`` old files, and no line is lost from those kept."""
    from onetake_desktop.log_rotation import RotatingFile

    path = tmp_path / "logs" / "onetake.log"
    path.parent.mkdir()
    handler = RotatingFile(path, max_bytes=1000, backups=2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("onetake_desktop.test.rotation")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for n in range(100):
            logger.warning("line %03d %s", n, "é" * 20)  # 2 bytes a character in UTF-8
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = [path.with_name("onetake.log.2"), path.with_name("onetake.log.1"), path]
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(p.name for p in files)
    assert all(p.stat().st_size <= 1000 for p in files)
    kept = [line[:8] for p in files for line in p.read_text(encoding="utf-8").splitlines()]
    assert kept[-1] == "line 099"
    assert kept == [f"line {n:03d}" for n in range(100 - len(kept), 100)]


def test_an_uncaught_error_in_a_thread_is_logged_and_reported(restore_hooks: None) -> None:
    path = logs.setup_logging(app_paths().logs)
    said: list[str] = []
    logs.install_excepthooks(said.append)

    def work(n: int = 17) -> None:
        raise ValueError(f"worker failed {n}")  # (the log's frames show this line's source)

    worker = threading.Thread(target=work, name="worker-17")
    worker.start()
    worker.join()
    assert said == [logs.UNEXPECTED]
    text = path.read_text(encoding="utf-8")
    assert "unexpected error in thread worker-17: ValueError" in text
    assert "Traceback (most recent call last)" in text and "in work" in text
    # Its type and frames, not its message: messages name files (log_privacy tests).
    assert "worker failed 17" not in text


def test_an_uncaught_error_on_the_main_thread_is_logged_and_reported(
    restore_hooks: None,
) -> None:
    path = logs.setup_logging(app_paths().logs)
    said: list[str] = []
    logs.install_excepthooks(said.append)
    thing = "no such thing"
    try:
        raise KeyError(thing)  # (the log's frames show this line's source)
    except KeyError:
        sys.excepthook(*sys.exc_info())  # what Python does with an uncaught error
    assert said == [logs.UNEXPECTED]
    text = path.read_text(encoding="utf-8")
    assert "unexpected error: KeyError" in text and "no such thing" not in text


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    env = {"ONETAKE_HOME": str(tmp_path), "PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin"}
    child = subprocess.Popen(
        [sys.executable, "-m", "onetake_desktop", "kit", "show", str(DEMO)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader (`| head`) is gone before the command writes a byte
    err = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait(timeout=60) == 1
    assert err == ""


def test_the_log_file_keeps_exceptions_types_and_frames_and_stderr_keeps_their_messages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """log_rotation.FileFormatter: an exception in exc_info, in the arguments or as the
    message itself goes to the file without its message (a chain, each link); an OS
    error keeps its number and the system's words, an import error its message (what a
    broken install is found by). --verbose's stderr, read by the user, is unchanged."""
    path = logs.setup_logging(app_paths().logs, verbose=True)
    log = logging.getLogger("onetake_desktop.test.scrub")
    where = "/home/x/interview-" + "Zelda-Quokka.onetake"  # not in any source line below

    def read(bundle: str) -> None:
        try:
            Path(bundle).read_bytes()  # an OSError with the path in it
        except OSError as error:
            raise ValueError(f"cannot read {bundle}") from error

    try:
        read(where)
    except ValueError as error:
        log.exception("import of bundle %d failed: %s", 7, error)
        log.warning(error)
        log.warning("%(what)s went wrong", {"what": error})
    try:
        importlib.import_module("onetake_desktop.no_such_module")
    except ImportError:
        log.exception("a broken install")
    text = path.read_text(encoding="utf-8")
    assert "Zelda" not in text
    assert "import of bundle 7 failed: ValueError\n" in text
    assert "FileNotFoundError [Errno 2] No such file or directory (message left out" in text
    assert "ValueError (message left out of the log)" in text and "in read" in text
    assert text.count("Then, while it was handled or because of it") == 1
    assert "] ValueError\n" in text and "] ValueError went wrong\n" in text
    assert "No module named 'onetake_desktop.no_such_module'" in text
    err = capsys.readouterr().err
    assert f"import of bundle 7 failed: cannot read {where}" in err  # the user's, unchanged
    assert f"ValueError: cannot read {where}" in err
    logs.setup_logging(app_paths().logs)  # without the stderr handler
