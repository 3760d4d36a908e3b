"""What the one-pass import and seal promise besides speed (issue 17): the whole-file SHA-256
computed while writing is the file's, and an imported submission is on disk before its row.

Import writes each file once under its final name in a staging folder, starts writeback early
and fsyncs every file and folder; the library then moves the folder into place, fsyncs
``submissions/`` and only then writes the row, so a power cut can leave a folder without a
row (swept at the next import) but never a row without its folder.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import zipfile
from pathlib import Path

import pytest

from onetake_desktop.paths import app_paths
from onetake_desktop.services.importing import STAGING_PREFIX
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.storage import bundle
from onetake_desktop.storage.bundle import write_bundle
from onetake_desktop.storage.kitfile import demo_kit_path, load_kit
from onetake_desktop.storage.safe_zip import CHUNK, SafeZip
from tests.pipeline.hostile.corpus import demo_manifest
from tests.pipeline.library_bundles import make_bundle


@pytest.mark.parametrize(
    ("direct", "reads"),
    [(True, "preadv"), (False, "preadv"), (True, "pread"), (True, "none")],
    ids=["around-zipfile", "through-zipfile", "pread-only", "hashed-after"],
)
def test_seal_hashes_exactly_the_bytes_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct: bool, reads: str
) -> None:
    # Answers of several chunks, not a whole number of them, past the 8 MiB writeback step:
    # the SHA-256 of the whole bundle is computed beside the writing (from each member once
    # zipfile has finished its header), not by reading the file again afterwards. The data
    # goes around zipfile's member writer (our CRC-32), or through it where that is not
    # possible: both give the same, correct archive.
    with (
        zipfile.ZipFile(tmp_path / "probe.zip", "w") as probe,
        probe.open(zipfile.ZipInfo("x"), "w") as member,
    ):
        assert bundle._stored_member_file(member) is not None  # this Python: around
    if not direct:
        monkeypatch.setattr(bundle, "_stored_member_file", lambda member: None)
    # Systems without positional reads of several buffers (macOS: pread only) or any (Windows:
    # the finished file is hashed once more) give the same receipt.
    if reads in ("pread", "none"):
        monkeypatch.delattr(os, "preadv", raising=False)
    if reads == "none":
        monkeypatch.delattr(os, "pread", raising=False)
    kit = load_kit(demo_kit_path())
    manifest = demo_manifest(kit, {"q1": "media/q1.mp4", "q2": "media/q2.mp4"})
    media = {}
    for name, size in (("media/q1.mp4", 9 * CHUNK + 12_345), ("media/q2.mp4", CHUNK - 1)):
        source = tmp_path / name.split("/")[1]
        source.write_bytes(os.urandom(size))
        media[name] = source
    receipt = write_bundle(manifest, media, tmp_path / "b.onetake")
    raw = receipt.path.read_bytes()
    assert receipt.size == len(raw)
    assert receipt.sha256 == hashlib.sha256(raw).hexdigest()
    for answer in receipt.manifest.answers:
        if answer.media is not None:
            data = media[answer.media.name].read_bytes()
            assert answer.media.sha256 == hashlib.sha256(data).hexdigest()
            assert answer.media.size == len(data)
    with zipfile.ZipFile(receipt.path) as written:
        assert written.testzip() is None  # every CRC-32 in it is right
    with SafeZip(receipt.path) as ours:
        whole, hashes = ours.stream({})  # our reader: the same whole-file hash
    assert whole == receipt.sha256
    assert hashes["media/q1.mp4"] == hashlib.sha256(media["media/q1.mp4"].read_bytes()).hexdigest()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="names fds via /proc/self/fd")
def test_an_imported_submission_is_on_disk_before_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = make_bundle(tmp_path / "ada.onetake", "Ada Lovelace", seconds=1.0)
    service = open_reviewer_service(app_paths().library)
    try:
        events: list[tuple[str, str]] = []
        real_fsync = os.fsync

        def noting_fsync(fd: int) -> None:
            events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
            real_fsync(fd)

        real_add = service.library.submissions.add

        def noting_add(*args, **kwargs):  # type: ignore[no-untyped-def]
            events.append(("row", ""))
            return real_add(*args, **kwargs)

        monkeypatch.setattr(os, "fsync", noting_fsync)
        monkeypatch.setattr(service.library.submissions, "add", noting_add)
        report = service.import_paths([bundle])
        monkeypatch.undo()
        (outcome,) = report.outcomes
        assert outcome.status == "imported", outcome.reason
        submissions = (service.library.root / "submissions").resolve()
        folder = service.library.submissions.get(outcome.submission_id or 0).folder.resolve()
    finally:
        service.close()
    row = events.index(("row", ""))
    synced = [path for kind, path in events[:row] if kind == "fsync"]
    # The folder's last fsync before the row is the one of submissions/, after the move.
    assert synced[-1] == str(submissions)
    staging = {Path(p).relative_to(submissions).parts[0] for p in synced[:-1]}
    assert len(staging) == 1 and staging.pop().startswith(STAGING_PREFIX)
    inside = {Path(p).relative_to(submissions).parts[1:] for p in synced[:-1]}
    kept = {p.relative_to(folder).parts for p in folder.rglob("*")}
    assert kept | {()} == inside  # every file and folder kept (and the folder itself) synced


def test_the_next_import_sweeps_what_a_killed_one_left(tmp_path: Path) -> None:
    # A folder under submissions/ that no row names is a killed import's (its staging folder,
    # or one moved into place before its row): removed at the start of the next import once
    # it is an hour old (another OneTake may be between its move and its row before that).
    # Folders that rows name are found by their stored path, without resolving each one.
    bundle = make_bundle(tmp_path / "ada.onetake", "Ada Lovelace", seconds=1.0)
    service = open_reviewer_service(app_paths().library)
    try:
        report = service.import_paths([bundle])
        (outcome,) = report.outcomes
        kept = service.library.submissions.get(outcome.submission_id or 0).folder
        root = service.library.root / "submissions"
        old = time.time() - 2 * 3600
        dead_staging = root / f"{STAGING_PREFIX}0123456789ab"
        dead_moved = root / "00112233445566ff"
        fresh = root / f"{STAGING_PREFIX}ba9876543210"  # another import still at work
        for folder in (dead_staging, dead_moved, fresh):
            (folder / "media").mkdir(parents=True)
            (folder / "media" / "q1.mp4").write_bytes(b"half an answer")
        (root / "notes.txt").write_text("not a folder: not ours to judge")
        (root / "elsewhere").symlink_to(tmp_path)  # a link is never followed nor removed
        for path in (dead_staging, dead_moved, kept, root / "notes.txt"):
            os.utime(path, (old, old))
        removed = service.importer.sweep_orphans()
        assert sorted(removed) == sorted([dead_staging, dead_moved])
        assert {p.name for p in root.iterdir()} == {
            kept.name, fresh.name, "notes.txt", "elsewhere",
        }  # fmt: skip
        assert (kept / "media").is_dir() and tmp_path.is_dir()

        def every_record() -> list[object]:
            raise AssertionError("every row's folder resolved with nothing to sweep")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(service.library.submissions, "all", every_record)
            assert service.importer.sweep_orphans() == []  # named by rows, or too young
        assert service.importer.sweep_orphans(older_than=0) == [fresh]
    finally:
        service.close()
