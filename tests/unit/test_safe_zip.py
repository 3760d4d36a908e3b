"""Safe archive reading and atomic writes, on real files (no media needed)."""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onetake_desktop.domain.errors import DiskFullError, InvalidInputError, OneTakeError
from onetake_desktop.storage.atomic import atomic_output, atomic_write_bytes
from onetake_desktop.storage.kitfile import load_kit
from onetake_desktop.storage.safe_zip import MAX_MEMBERS, SafeZip, check_member_name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../x", "outside the bundle"),
        ("a/../../x", "outside the bundle"),
        ("/etc/passwd", "absolute path"),
        ("C:/Windows/x", "drive"),
        ("C:x", "drive"),
        ("a\\b", "backslash"),
        ("media/q1.mp4\x00", "control characters"),
        ("media/\u202eq1.mp4", "control characters"),  # right-to-left override
        ("media//q1.mp4", "empty or '.'"),
        ("./manifest.json", "empty or '.'"),
        ("media/", "folder entry"),
        ("manifest.json.", "dot or space"),  # Windows would write manifest.json
        ("media/q1.mp4 ", "dot or space"),
        ("media./q1.mp4", "dot or space"),
        ("", "empty name"),
        ("a" * 300, "longer than"),
    ],
)
def test_unsafe_names(name: str, reason: str) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        check_member_name(name)


@pytest.mark.parametrize("name", ["manifest.json", "media/q1.mp4", "media/q-2_b.webm"])
def test_safe_names(name: str) -> None:
    check_member_name(name)


def stored_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_stream_hashes_every_member_and_the_whole_file(tmp_path: Path) -> None:
    members = {"a.bin": os.urandom(3_000_000), "b.txt": b"hello", "c/d.bin": b""}
    path = stored_zip(tmp_path / "x.zip", members)
    seen: list[int] = []
    with SafeZip(path) as archive:
        assert list(archive.members) == list(members)
        assert archive.read_small("b.txt", 10) == b"hello"
        sink = io.BytesIO()
        whole, hashes = archive.stream({"a.bin": sink}, lambda d, t: seen.append(d))
    assert sink.getvalue() == members["a.bin"]
    assert whole == hashlib.sha256(path.read_bytes()).hexdigest()
    assert hashes == {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}
    assert seen[-1] == path.stat().st_size and seen == sorted(seen)


def test_a_member_is_written_completely_before_its_check_starts(tmp_path: Path) -> None:
    """``finished`` (where the import starts probing a member) comes once the member's bytes
    are all in its sink; the hashes returned at the end describe every member and the file."""
    members = {"a.bin": os.urandom(2_500_000), "b.bin": os.urandom(3_100_000)}
    path = stored_zip(tmp_path / "x.zip", members)
    sinks = {name: io.BytesIO() for name in members}
    written: dict[str, bytes] = {}
    with SafeZip(path) as archive:
        whole, hashes = archive.stream(
            sinks, None, lambda name: written.update({name: sinks[name].getvalue()})
        )
    assert written == members
    assert whole == hashlib.sha256(path.read_bytes()).hexdigest()
    assert hashes == {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}


def test_read_small_has_a_limit(tmp_path: Path) -> None:
    path = stored_zip(tmp_path / "x.zip", {"big": b"x" * 5000})
    with SafeZip(path) as archive, pytest.raises(InvalidInputError, match="at most 100"):
        archive.read_small("big", 100)


def test_compressed_members_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("media/q1.mp4", b"\0" * 10_000_000)  # 10 MB in about 10 KB
    assert path.stat().st_size < 100_000
    with pytest.raises(InvalidInputError, match="compressed"):
        SafeZip(path)


def test_too_many_members_are_refused_before_reading_them(tmp_path: Path) -> None:
    path = stored_zip(tmp_path / "many.zip", {f"f{i}": b"" for i in range(MAX_MEMBERS + 1)})
    with pytest.raises(InvalidInputError, match=f"at most {MAX_MEMBERS}"):
        SafeZip(path)


def test_overlapping_members_are_refused(tmp_path: Path) -> None:
    path = stored_zip(tmp_path / "x.zip", {"a": b"A" * 1000, "b": b"B" * 1000})
    data = bytearray(path.read_bytes())
    second = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, second + 42, 0)  # b's directory entry now points at a
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidInputError, match="overlapping"):
        SafeZip(path)


def test_duplicate_and_case_folded_names_are_refused(tmp_path: Path) -> None:
    path = stored_zip(tmp_path / "x.zip", {"Media/Q1.mp4": b"1", "media/q1.mp4": b"2"})
    with pytest.raises(InvalidInputError, match="appears twice"):
        SafeZip(path)


def test_a_truncated_archive_is_refused(tmp_path: Path) -> None:
    path = stored_zip(tmp_path / "x.zip", {"a": os.urandom(10_000)})
    data = path.read_bytes()
    for cut in (len(data) - 1, len(data) - 30, len(data) // 2, 10):
        path.write_bytes(data[:cut])
        with pytest.raises(InvalidInputError):
            SafeZip(path)


def test_folders_and_missing_files_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="is a folder"):
        SafeZip(tmp_path)
    with pytest.raises(InvalidInputError, match="There is no bundle at"):
        SafeZip(tmp_path / "nothing.onetake")


# --- atomic writes ------------------------------------------------------------------------------


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp: Path) -> None:
    target = tmp / "file.json"
    target.write_bytes(b"old")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp) == ["file.json"]


def test_atomic_output_keeps_the_old_file_when_writing_fails(tmp: Path) -> None:
    target = tmp / "file.json"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("crash")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp) == ["file.json"]


def test_a_full_disk_is_a_disk_full_error(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(DiskFullError, match=r"not enough free disk space to write big\.onetake"):
        atomic_write_bytes(tmp / "big.onetake", b"x" * 1000)
    assert os.listdir(tmp) == []


def test_fifos_and_devices_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "bundle.onetake"
    os.mkfifo(fifo)  # opening this for a blocking read would wait forever for a writer
    with pytest.raises(InvalidInputError, match="not a regular file"):
        SafeZip(fifo)
    with pytest.raises(InvalidInputError, match="not a regular file"):
        load_kit(fifo)
    if Path("/dev/zero").exists():
        with pytest.raises(InvalidInputError, match="not a regular file"):
            SafeZip(Path("/dev/zero"))


def test_a_link_to_a_regular_bundle_is_fine(tmp_path: Path) -> None:
    target = stored_zip(tmp_path / "x.zip", {"a": b"1"})
    link = tmp_path / "link.onetake"
    link.symlink_to(target)
    with SafeZip(link) as archive:
        assert list(archive.members) == ["a"]


def test_zip64_members_are_read(tmp_path: Path) -> None:
    # Answers over 4 GiB get zip64 headers; the same code must read them (shown small here).
    path = tmp_path / "z64.zip"
    data = os.urandom(100_000)
    with (
        zipfile.ZipFile(path, "w") as z,
        z.open(zipfile.ZipInfo("media/q1.mp4"), "w", force_zip64=True) as w,
    ):
        w.write(data)
    with SafeZip(path) as archive:
        sink = io.BytesIO()
        _, hashes = archive.stream({"media/q1.mp4": sink})
    assert sink.getvalue() == data
    assert hashes["media/q1.mp4"] == hashlib.sha256(data).hexdigest()


def test_zip64_end_records_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # zipfile writes zip64 end records from 2 GiB on; pretend the limit is 1 KB to get them.
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1000)
    path = stored_zip(tmp_path / "big.zip", {"media/q1.mp4": os.urandom(5000), "m.json": b"{}"})
    monkeypatch.undo()
    assert b"PK\x06\x06" in path.read_bytes()
    with SafeZip(path) as archive:
        assert list(archive.members) == ["media/q1.mp4", "m.json"]
        whole, _ = archive.stream({})
    assert whole == hashlib.sha256(path.read_bytes()).hexdigest()


# --- fuzzing: any damage is one sentence, never another exception -------------------------------

_SOUND = io.BytesIO()
with zipfile.ZipFile(_SOUND, "w", zipfile.ZIP_STORED) as _z:
    _z.writestr("media/q1.mp4", b"\x00\x01video" * 40)
    _z.writestr("manifest.json", b'{"format": "onetake-submission"}')
    _z.writestr("tagmanifest-sha256.txt", b"0" * 64 + b"  manifest.json\n")
SOUND_ZIP = _SOUND.getvalue()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(
            # anywhere, and more often in the central directory and end record
            st.integers(0, len(SOUND_ZIP) - 1)
            | st.integers(len(SOUND_ZIP) - 250, len(SOUND_ZIP) - 1),
            st.integers(0, 255),
        ),
        min_size=1,
        max_size=6,
    ),
    cut=st.one_of(st.none(), st.integers(0, len(SOUND_ZIP))),
)
def test_fuzz_damaged_archives(
    tmp_path: Path, edits: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(SOUND_ZIP)
    for at, value in edits:
        data[at] = value
    path = tmp_path / "fuzz.onetake"
    path.write_bytes(bytes(data[:cut]) if cut is not None else bytes(data))
    try:
        with SafeZip(path) as archive:
            archive.stream({})
            for name, member in archive.members.items():
                archive.read_small(name, member.size)
    except InvalidInputError as error:
        message = str(error)
        assert message.endswith(".") and "\n" not in message


def test_the_fast_crc_is_zips_crc() -> None:
    # Members are checked with zlib-ng's CRC-32 when installed: the same value as zlib's,
    # chunk by chunk, or every bundle would be refused (or a corrupt one accepted).
    import zlib

    from onetake_desktop.storage import safe_zip

    data = os.urandom(3 * 1024 * 1024 + 7)
    crc = 0
    for start in range(0, len(data), 1024 * 1024):
        crc = safe_zip.crc32(data[start : start + 1024 * 1024], crc)
    assert crc == zlib.crc32(data)
    assert safe_zip.crc32(b"") == 0


def test_a_corrupt_member_is_the_reason_even_when_a_later_one_fails(tmp_path: Path) -> None:
    # CRCs are compared once the helper thread has caught up, not member by member; the
    # first thing wrong in file order is still what the bundle is refused for.
    path = stored_zip(tmp_path / "x.zip", {"a.bin": os.urandom(2_500_000), "b.bin": b"b" * 99})
    raw = bytearray(path.read_bytes())
    raw[1_000_000] ^= 0xFF  # inside a.bin: its CRC no longer matches
    path.write_bytes(bytes(raw))

    class FullDisk(io.BytesIO):
        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    started: list[str] = []
    with SafeZip(path) as archive, pytest.raises(InvalidInputError, match=r"a\.bin is corrupt"):
        archive.stream({"a.bin": io.BytesIO(), "b.bin": FullDisk()}, finished=started.append)
    assert started == ["a.bin"]  # its check could start; its CRC still refused the archive
    with SafeZip(path) as archive, pytest.raises(InvalidInputError, match=r"a\.bin is corrupt"):
        archive.stream({})


def test_a_refused_chmod_does_not_fail_the_save_of_a_kept_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Review s13c C6: some CIFS/FUSE mounts refuse chmod; keeping a TOML's mode is best
    effort, so the author's save still succeeds (it failed whole), and the log says so."""
    from onetake_desktop.services.author import AuthorDraft
    from onetake_desktop.storage.kitfile import demo_source_path

    source = tmp_path / "work" / "role.toml"
    source.parent.mkdir()
    source.write_bytes(demo_source_path().read_bytes())
    source.chmod(0o640)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    monkeypatch.setattr(os, "fchmod", refuse)
    draft = AuthorDraft.open_toml(source)
    draft.set("role_title", "Support Lead")
    with caplog.at_level(logging.INFO, logger="onetake_desktop.storage.atomic"):
        assert draft.save() == source
    assert 'role_title = "Support Lead"' in source.read_text(encoding="utf-8")
    assert not draft.dirty
    assert sorted(os.listdir(source.parent)) == ["role.toml"]
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "Kept role.toml without its mode 640" in caplog.records[0].getMessage()


def test_can_rewrite_says_why_a_kept_file_cannot_be_written(tmp_path: Path) -> None:
    """The rule rewrite_kept_file refuses by, asked before a build (review s13c C1)."""
    from onetake_desktop.storage.atomic import can_rewrite, rewrite_kept_file

    kept = tmp_path / "role.toml"
    assert can_rewrite(kept) is None  # missing, in a folder that is there: it can be made
    kept.write_bytes(b"x = 1\n")
    assert can_rewrite(kept) is None
    kept.chmod(0o444)
    assert can_rewrite(kept) == "Could not write role.toml (it is read-only)."
    gone = tmp_path / "moved" / "role.toml"
    assert can_rewrite(gone) == "Could not write role.toml (its folder is missing)."
    with pytest.raises(OneTakeError, match=r"role\.toml \(its folder is missing\)"):
        rewrite_kept_file(gone, b"x = 2\n")
    assert not gone.parent.exists()
