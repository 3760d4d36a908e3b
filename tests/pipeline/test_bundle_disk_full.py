"""A disk that fills up while a bundle is written or imported: one sentence, no half file.

The disk is real: a small tmpfs (this needs the right to mount, as root in our containers and
CI). Another program fills it while we write, through the progress callback, after the
up-front free-space check has passed, so the failure comes from a real ENOSPC mid-stream.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from onetake_desktop.domain.errors import DiskFullError
from onetake_desktop.storage.bundle import extract_bundle, write_bundle
from onetake_desktop.storage.kitfile import demo_kit_path, load_kit
from tests.pipeline.hostile.corpus import demo_manifest
from tests.pipeline.hostile.media import write_answer

DISK_MB = 24  # the write needs media + 16 MiB free up front


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (tests/unit covers ENOSPC mapping)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    """What another program does: take every free byte."""
    with open(disk / "filler", "wb", buffering=0) as handle:
        try:
            while handle.write(b"\0" * 4096):
                pass
        except OSError:  # ENOSPC: the disk is full now
            pass


def answer_files(folder: Path) -> dict[str, Path]:
    big = folder / "q1.mp4"
    shutil.copyfile(write_answer(folder / "seed.mp4"), big)
    with open(big, "ab") as handle:  # 3 MiB: several chunks, so the fill lands mid-stream
        handle.write(os.urandom(3 * 1024 * 1024))
    return {"media/q1.mp4": big, "media/q2.mp4": write_answer(folder / "q2.mp4")}


def test_disk_full_while_sealing(small_disk: Path, tmp_path: Path) -> None:
    kit = load_kit(demo_kit_path())
    manifest = demo_manifest(kit, {"q1": "media/q1.mp4", "q2": "media/q2.mp4"})
    filled: list[int] = []

    def other_program(done: int, total: int) -> None:
        if not filled:
            fill(small_disk)
            filled.append(done)

    out = small_disk / "answers.onetake"
    with pytest.raises(DiskFullError) as caught:
        write_bundle(manifest, answer_files(tmp_path), out, progress=other_program)
    assert filled, caught.value
    assert str(caught.value) == "There is not enough free disk space to write answers.onetake."
    assert sorted(os.listdir(small_disk)) == ["filler"]  # no half bundle, no temporary file


def test_disk_full_while_importing(small_disk: Path, tmp_path: Path) -> None:
    kit = load_kit(demo_kit_path())
    manifest = demo_manifest(kit, {"q1": "media/q1.mp4", "q2": "media/q2.mp4"})
    bundle = write_bundle(manifest, answer_files(tmp_path), tmp_path / "answers.onetake").path
    filled: list[int] = []

    def other_program(done: int, total: int) -> None:
        if not filled:
            fill(small_disk)
            filled.append(done)

    with pytest.raises(DiskFullError) as caught:
        extract_bundle(bundle, small_disk / "incoming", progress=other_program)
    assert filled, caught.value
    assert str(caught.value) == "There is not enough free disk space to import answers.onetake."
    assert sorted(os.listdir(small_disk)) == ["filler"]
