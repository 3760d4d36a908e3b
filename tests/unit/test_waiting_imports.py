"""The bundles kept while a panel is locked (services/waiting_imports.py): a file in the
library's folder, owner-only, each path once; two OneTake processes add to one list; a crash
mid-write leaves the list as it was. Real files and real processes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.waiting_imports import WAITING_FILE, WaitingImports

SRC = Path(__file__).resolve().parents[2] / "src"


def run(code: str, *args: str) -> subprocess.Popen[str]:
    """Python in a new process on this checkout's sources (a second OneTake on the library)."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_each_path_is_kept_once_absolute_and_counted_as_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "library"
    folder = tmp_path / "inbox"
    folder.mkdir()
    bundle = tmp_path / "ana.onetake"
    bundle.write_bytes(b"x")
    waiting = WaitingImports(root)
    assert waiting.entries() == [] and waiting.sentence() == ""
    monkeypatch.chdir(tmp_path)
    # A command line's relative path, the same file by its full path, and a folder.
    waiting.keep([Path("ana.onetake"), folder])
    waiting.keep([bundle, tmp_path / "inbox"])
    assert waiting.entries() == [(bundle, False), (folder, True)]
    assert waiting.counts() == (1, 1)
    assert waiting.sentence() == (
        "1 bundle and 1 folder of bundles will be imported once a panelist signs in"
        " (kept if OneTake closes)."
    )
    # Counted as opened: a bundle deleted since is still one bundle waiting (the import
    # reports it as not found).
    bundle.unlink()
    assert waiting.counts() == (1, 1)
    # Owner-only, as the rest of the library; read back by a new instance (a restart).
    made = root / WAITING_FILE
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert WaitingImports(root).paths() == [bundle, folder]


def test_settling_takes_off_only_what_was_imported(tmp_path: Path) -> None:
    root = tmp_path / "library"
    first, second, third = (tmp_path / f"{n}.onetake" for n in ("a", "b", "c"))
    here = WaitingImports(root)
    here.keep([first, second])
    # While this one imports a and b, another OneTake on the library keeps c.
    WaitingImports(root).keep([third])
    here.settle([first, second])
    assert here.paths() == [third]
    here.settle([third])
    assert here.paths() == [] and not (root / WAITING_FILE).exists()


def test_two_processes_keeping_at_once_lose_none_of_each_others_paths(tmp_path: Path) -> None:
    root = tmp_path / "library"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from onetake_desktop.services.waiting_imports import WaitingImports\n"
        "waiting = WaitingImports(Path(sys.argv[1]))\n"
        "for i in range(40):\n"
        "    waiting.keep([Path(sys.argv[1]).parent / f'{sys.argv[2]}-{i}.onetake'])\n"
    )
    workers = [run(code, str(root), name) for name in ("one", "two", "three")]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    kept = {p.name for p in WaitingImports(root).paths()}
    expected = {f"{n}-{i}.onetake" for n in ("one", "two", "three") for i in range(40)}
    assert kept == expected


def test_a_crash_mid_write_leaves_the_list_as_it_was(tmp_path: Path) -> None:
    root = tmp_path / "library"
    before = tmp_path / "kept.onetake"
    WaitingImports(root).keep([before])
    # Killed between writing the new list and putting it in place (the fsync before the
    # rename): no clean-up runs, as in a power cut.
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from onetake_desktop.services.waiting_imports import WaitingImports\n"
        "os.fsync = lambda fd: os._exit(9)\n"
        "WaitingImports(Path(sys.argv[1])).keep([Path(sys.argv[1]).parent / 'new.onetake'])\n"
    )
    crashed = run(code, str(root))
    crashed.communicate(timeout=120)
    assert crashed.returncode == 9
    json.loads((root / WAITING_FILE).read_text(encoding="utf-8"))  # whole, not torn
    waiting = WaitingImports(root)
    assert waiting.paths() == [before]
    # The lock died with the process: the next change goes through.
    waiting.keep([tmp_path / "after.onetake"])
    assert waiting.paths() == [before, tmp_path / "after.onetake"]


def test_a_list_that_cannot_be_written_says_so_in_one_sentence(tmp_path: Path) -> None:
    root = tmp_path / "library"
    waiting = WaitingImports(root)
    # Its place taken by a folder (as a full disk or a read-only mount, for any user: the
    # tests may run as root, who writes to read-only folders).
    (root / WAITING_FILE).mkdir(parents=True)
    with pytest.raises(OneTakeError, match=r"^Could not write waiting-imports\.json \("):
        waiting.keep([tmp_path / "a.onetake"])
    assert sorted(p.name for p in root.iterdir()) == [WAITING_FILE, "waiting-imports.lock"]


def test_a_damaged_list_reads_as_empty_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "library"
    root.mkdir()
    (root / WAITING_FILE).write_text('{"version": 1, "waiting": [', encoding="utf-8")
    assert WaitingImports(root).entries() == []
    assert "damaged" in caplog.text
    # Entries it cannot use (relative, not text) are skipped; the rest are read.
    (root / WAITING_FILE).write_text(
        json.dumps(
            {
                "version": 2,
                "waiting": [
                    {"path": "relative.onetake"},
                    {"path": 3},
                    {"path": f"{tmp_path}/x/../ok.onetake", "folder": False, "more": 1},
                ],
            }
        ),
        encoding="utf-8",
    )
    waiting = WaitingImports(root)
    assert waiting.entries() == [(tmp_path / "ok.onetake", False)]
    # Read as written: settling the path it reads takes it off (else the window would
    # import it again after every import).
    waiting.settle(waiting.paths())
    assert waiting.paths() == []
