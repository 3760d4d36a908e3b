"""The bundles kept while a panel is locked (services/waiting_imports.py): a file in the
library's folder, owner-only, each path once; two OneTake processes add to one list; a crash
mid-write leaves the list as it was. Real files and real processes."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.waiting_imports import (
    DAMAGED_SENTENCE,
    NEWER_SENTENCE,
    WAITING_FILE,
    WaitingImports,
)

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


def test_a_list_that_cannot_be_read_or_written_says_so_in_one_sentence(tmp_path: Path) -> None:
    root = tmp_path / "library"
    waiting = WaitingImports(root)
    # Its place taken by a folder (for any user: the tests may run as root, who reads and
    # writes where the modes say no): neither read (nothing is taken for an empty list) nor
    # replaced.
    (root / WAITING_FILE).mkdir(parents=True)
    refusal = r"^Could not read the list of bundles waiting for a sign-in \(Is a directory\)\.$"
    assert re.match(refusal, waiting.trouble())
    with pytest.raises(OneTakeError, match=refusal):
        waiting.keep([tmp_path / "a.onetake"])
    assert sorted(p.name for p in root.iterdir()) == [WAITING_FILE, "waiting-imports.lock"]


def test_a_damaged_list_reads_as_what_it_still_names_and_is_logged(
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
                "version": 1,
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
    assert waiting.trouble() == DAMAGED_SENTENCE
    # Read as written: settling the path it reads takes it off (else the window would
    # import it again after every import); what it did not understand is set aside.
    waiting.settle(waiting.paths())
    assert waiting.paths() == [] and waiting.trouble() == ""
    assert [p.name for p in root.glob("waiting-imports.damaged-*.json")] != []


def test_settling_none_of_a_damaged_lists_paths_keeps_them_waiting(tmp_path: Path) -> None:
    root = tmp_path / "library"
    root.mkdir()
    body = json.dumps({"version": 1, "waiting": [{"path": "/kept/a.onetake"}, {"path": 3}]})
    (root / WAITING_FILE).write_text(body, encoding="utf-8")
    waiting = WaitingImports(root)
    waiting.settle([tmp_path / "other.onetake"])  # set aside, and what it named written anew
    assert waiting.paths() == [Path("/kept/a.onetake")] and waiting.trouble() == ""
    assert [p.read_text(encoding="utf-8") for p in set_aside(root)] == [body]


def set_aside(root: Path) -> list[Path]:
    return sorted(root.glob("waiting-imports.damaged-*.json"))


@pytest.mark.parametrize(
    "body",
    [
        b'{"version": 1, "waiting": [{"path": "/kept/ana.onetake", "fol',  # torn by a disk
        b"\xff\xfe not text",
        json.dumps(
            {"version": 1, "waiting": [{"path": "/kept/ana.onetake"}, {"path": "by-hand"}]}
        ).encode(),
    ],
    ids=["torn", "not-utf8", "an-entry-by-hand"],
)
def test_a_keep_sets_a_damaged_list_aside_whole_before_writing_a_new_one(
    tmp_path: Path, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Review s14 R6: a keep overwrote what it did not understand, and the kept paths in it
    were gone. Now the damaged file stays, whole and owner-only, beside the new list."""
    root = tmp_path / "library"
    root.mkdir(mode=0o700)
    (root / WAITING_FILE).write_bytes(body)
    os.chmod(root / WAITING_FILE, 0o644)  # as a hand-made file would be
    waiting = WaitingImports(root)
    assert waiting.trouble() == DAMAGED_SENTENCE  # for the one who signs in
    new = tmp_path / "ben.onetake"
    waiting.keep([new])
    (aside,) = set_aside(root)
    assert aside.read_bytes() == body
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert aside.name in caplog.text
    # What it still named waits, then the new one; the new list is understood whole.
    still = [Path("/kept/ana.onetake")] if b"by-hand" in body else []
    assert waiting.paths() == [*still, new] and waiting.trouble() == ""
    # Another damage later gets a name of its own: the first is not overwritten either.
    (root / WAITING_FILE).write_bytes(b"{")
    waiting.keep([new])
    assert [p.read_bytes() for p in set_aside(root)] in ([body, b"{"], [b"{", body])
    assert waiting.paths() == [new]


def test_a_newer_onetakes_list_is_left_as_it_is_and_refuses_a_keep(tmp_path: Path) -> None:
    """Review s14 R6: a version-2 list was read as version 1 and rewritten as one, losing
    whatever the newer OneTake kept in it. It is its writer's to import: left alone."""
    root = tmp_path / "library"
    root.mkdir()
    body = json.dumps(
        {"version": 2, "waiting": [{"path": "/kept/ana.onetake", "source": "mail"}]}
    ).encode()
    (root / WAITING_FILE).write_bytes(body)
    waiting = WaitingImports(root)
    # The lock card counts none; the one who signs in is told why.
    assert waiting.entries() == [] and waiting.sentence() == ""
    assert waiting.trouble() == NEWER_SENTENCE
    with pytest.raises(OneTakeError) as refused:
        waiting.keep([tmp_path / "ben.onetake"])
    assert str(refused.value) == NEWER_SENTENCE
    with pytest.raises(OneTakeError):
        waiting.settle([Path("/kept/ana.onetake")])
    assert (root / WAITING_FILE).read_bytes() == body and set_aside(root) == []


def test_a_list_that_cannot_be_read_refuses_a_keep_in_one_sentence(tmp_path: Path) -> None:
    """Review s14 R6: a list it could not read was taken for none and replaced. Made
    unreadable for real: mode 000 for its owner; under root (CI), who reads any file, the
    list is root's and the keep runs as another user (nobody) in a folder both may write."""
    refusal = r"^Could not read the list of bundles waiting for a sign-in \(Permission denied\)\.$"
    new = tmp_path / "ben.onetake"
    if os.geteuid() != 0:
        root = tmp_path / "library"
        WaitingImports(root).keep([tmp_path / "ana.onetake"])
        body = (root / WAITING_FILE).read_bytes()
        os.chmod(root / WAITING_FILE, 0)
        waiting = WaitingImports(root)
        assert waiting.entries() == [] and re.match(refusal, waiting.trouble())
        with pytest.raises(OneTakeError, match=refusal):
            waiting.keep([new])
        os.chmod(root / WAITING_FILE, 0o600)
        assert (root / WAITING_FILE).read_bytes() == body
        return
    # The modules the keep loads when it runs, loaded now: nobody may not read the sources.
    import fcntl  # noqa: F401
    import time  # noqa: F401

    import onetake_desktop.paths
    import onetake_desktop.storage.atomic  # noqa: F401

    root = Path(tempfile.mkdtemp(prefix="waiting-root-"))  # (pytest's own is root's only)
    try:
        os.chmod(root, 0o777)
        WaitingImports(root).keep([tmp_path / "ana.onetake"])
        os.chmod(root, 0o777)  # (the keep made it owner-only again)
        (root / "waiting-imports.lock").unlink()  # root's, 0600: the other user makes its own
        body = (root / WAITING_FILE).read_bytes()
        waiting = WaitingImports(root)
        nobody = 65534
        os.setegid(nobody)
        os.seteuid(nobody)
        try:
            with pytest.raises(OneTakeError, match=refusal):
                waiting.keep([new])
            trouble = waiting.trouble()
        finally:
            os.seteuid(0)
            os.setegid(0)
        assert re.match(refusal, trouble)
        assert (root / WAITING_FILE).read_bytes() == body
    finally:
        shutil.rmtree(root)


def test_a_lock_the_file_system_refuses_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s14 R7: on NFS without a lock daemon flock fails with ENOLCK, and the raw
    OSError skipped the window's one-sentence path (it catches OneTakeError)."""
    import fcntl

    root = tmp_path / "library"
    WaitingImports(root).keep([tmp_path / "ana.onetake"])
    body = (root / WAITING_FILE).read_bytes()

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    waiting = WaitingImports(root)
    refusal = r"^Could not lock the list of bundles waiting for a sign-in \(No locks available\)\.$"
    with pytest.raises(OneTakeError, match=refusal):
        waiting.keep([tmp_path / "ben.onetake"])
    with pytest.raises(OneTakeError, match=refusal):
        waiting.settle([tmp_path / "ana.onetake"])
    assert (root / WAITING_FILE).read_bytes() == body
