"""Reading zip archives from outside without trusting them.

What this module refuses (each with one plain sentence, as InvalidInputError): anything that is
not a regular file, truncated or corrupt archives, multi-disk or encrypted archives, too many
members or an oversized central directory, compressed members (no ratio bombs: bundles hold
already-compressed media), directories, links and special files, unsafe names (``..``,
absolute paths, drive letters, backslashes, control characters), duplicate and case-folded
duplicate names, local headers that disagree with the central directory, and any member byte
range that overlaps another or leaves unexplained bytes between members (Python 3.11.7's
zipfile lacks the overlapping-entry fix, so we check ranges ourselves).

Members are never extracted by zipfile: :meth:`SafeZip.stream` reads the archive once,
front to back, hashing the whole file and copying each member's byte range to a sink while
checking its CRC-32 and SHA-256. Memory stays bounded by the chunk size.
"""

from __future__ import annotations

import _thread
import hashlib
import itertools
import os
import queue
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.progress import Progress  # (bytes done, bytes in all)
from onetake_desktop.storage.regular_file import open_regular_file

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

_crc32: Callable[[ReadableBuffer, int], int] | None = None


def crc32(data: ReadableBuffer, value: int = 0) -> int:
    """Zip's CRC-32 of ``data``, continuing from ``value``: zlib-ng's (carry-less
    multiplication, ~20x zlib's: 1.4 ms for 75 MB here), or zlib's where it is not installed
    (the core environment). Looked up on first use: importing zlib-ng costs 2 ms of start-up."""
    global _crc32
    if _crc32 is None:
        try:
            from zlib_ng.zlib_ng import crc32 as fast
        except ImportError:
            from zlib import crc32 as fast
        _crc32 = fast
    return _crc32(data, value)


MAX_MEMBERS = 64
MAX_CENTRAL_DIRECTORY_BYTES = 1024 * 1024
MAX_NAME_LENGTH = 255
CHUNK = 1024 * 1024

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_LOCAL = b"PK\x03\x04"
_EOCD64_LOCATOR_RECORD = struct.Struct("<4sIQI")
_EOCD64_RECORD = struct.Struct("<4sQHHIIQQQQ")
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_ZIP64_EXTRA_ID = 0x0001
_FLAG_ENCRYPTED = 0x1 | 0x40 | 0x2000  # traditional, strong, and central-directory encryption
_FLAG_DATA_DESCRIPTOR = 0x8
_FLAG_UTF8 = 0x800
_WINDOWS_DIRECTORY = 0x10
_WINDOWS_REPARSE_POINT = 0x400


class UnsafeArchiveError(InvalidInputError):
    """The archive is malformed or hostile; ``str()`` says why in one sentence."""


@dataclass(frozen=True)
class Member:
    name: str
    header_offset: int
    data_offset: int
    size: int
    crc: int

    @property
    def data_end(self) -> int:
        return self.data_offset + self.size


def check_member_name(name: str) -> None:
    """Refuse names that could escape a folder or collide on some file system."""
    if not name:
        raise UnsafeArchiveError("A member has an empty name.")
    shown = name if len(name) <= 60 and name.isprintable() else repr(name[:60])
    if len(name) > MAX_NAME_LENGTH:
        raise UnsafeArchiveError(f"Member {shown} has a name longer than {MAX_NAME_LENGTH}.")
    if "\\" in name:
        raise UnsafeArchiveError(f"Member {shown} uses a backslash in its path, which is unsafe.")
    if name.startswith("/"):
        raise UnsafeArchiveError(f"Member {shown} is an absolute path, which is unsafe.")
    if ":" in name:
        raise UnsafeArchiveError(f"Member {shown} names a drive or stream (':'), which is unsafe.")
    if any(not ch.isprintable() for ch in name):
        raise UnsafeArchiveError(f"Member {shown} has control characters in its name.")
    if name.endswith("/"):
        raise UnsafeArchiveError(f"Member {shown} is a folder entry; bundles have none.")
    parts = name.split("/")
    if ".." in parts:
        raise UnsafeArchiveError(f"Member {shown} points outside the bundle ('..').")
    if any(part in ("", ".") for part in parts):
        raise UnsafeArchiveError(f"Member {shown} has an empty or '.' path part.")
    if any(part.endswith((".", " ")) for part in parts):
        # Windows drops them: "manifest.json." would land on manifest.json.
        raise UnsafeArchiveError(
            f"Member {name[:60]!r} ends with a dot or space, which is unsafe on Windows."
        )


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    encoding = "utf-8" if info.flag_bits & _FLAG_UTF8 else "cp437"
    return info.orig_filename.encode(encoding, "replace")


def _extra_fields(extra: bytes) -> dict[int, bytes] | None:
    """A header's extra fields by id; None if they are malformed or any but zip64's.

    zipfile writes only the zip64 field; anything else would be bytes no check explains.
    """
    fields: dict[int, bytes] = {}
    pos = 0
    while pos < len(extra):
        if pos + 4 > len(extra):
            return None
        header_id, size = struct.unpack_from("<HH", extra, pos)
        if header_id != _ZIP64_EXTRA_ID or header_id in fields or pos + 4 + size > len(extra):
            return None
        fields[header_id] = extra[pos + 4 : pos + 4 + size]
        pos += 4 + size
    return fields


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


class SafeZip:
    """A validated archive, open for reading. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = open_regular_file(self.path, "bundle")
        try:
            self.size = os.fstat(self._file.fileno()).st_size  # read no further than this
            self.members = self._read_directory()
        except BaseException:
            self._file.close()
            raise

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    # -- structure ------------------------------------------------------------------------

    def _read_at(self, offset: int, length: int) -> bytes:
        self._file.seek(offset)
        data = self._file.read(length)
        if len(data) != length:
            raise UnsafeArchiveError(f"{self.path.name} is truncated.")
        return data

    def _find_end_record(self) -> tuple[int, int, int, int]:
        """(entries, central directory size, its offset, where the end records start)."""
        not_zip = UnsafeArchiveError(
            f"{self.path.name} is not a complete bundle (no zip end record; truncated or "
            "not a zip file)."
        )
        if self.size < 22:
            raise not_zip
        tail_len = min(self.size, 22 + 65535)
        tail = self._read_at(self.size - tail_len, tail_len)
        # An end record is 22 bytes plus its comment and ends the file. Find every signature
        # that could be one: more than one means a record hidden in another's comment.
        candidates = []
        pos = tail.rfind(_EOCD)
        while pos >= 0:
            if pos + 22 <= tail_len:
                (length,) = struct.unpack_from("<H", tail, pos + 20)
                if pos + 22 + length == tail_len:
                    candidates.append(pos)
            pos = tail.rfind(_EOCD, 0, pos)
        if not candidates:
            raise not_zip
        if len(candidates) > 1:
            raise UnsafeArchiveError(f"{self.path.name} has a zip comment; bundles have none.")
        pos = candidates[0]
        eocd_offset = self.size - tail_len + pos
        disk, cd_disk, n_here, n_total, cd_size, cd_offset, comment_len = struct.unpack_from(
            "<HHHHIIH", tail, pos + 4
        )
        if comment_len:
            # Bundles never carry one, and a comment can hide a second, fake end record that
            # other zip readers would follow instead of this one.
            raise UnsafeArchiveError(f"{self.path.name} has a zip comment; bundles have none.")
        if disk != 0 or cd_disk != 0 or n_here != n_total:
            raise UnsafeArchiveError(f"{self.path.name} is a multi-part archive, not a bundle.")
        end_start = eocd_offset
        # A zip64 end record sits just before the classic one whenever the writer needed it;
        # Python's zipfile writes it from 2 GiB on, while the classic fields may still hold
        # real values, so look for its locator rather than only for 0xFFFF... markers.
        markers = n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF
        locator = self._read_at(eocd_offset - 20, 20) if eocd_offset >= 20 else b""
        if locator[:4] == _EOCD64_LOCATOR:
            _sig, locator_disk, record_offset, disks = _EOCD64_LOCATOR_RECORD.unpack(locator)
            # zipfile ignores the locator's offset and reads the record right before it, so
            # anywhere else (or with extensible data) two readers would see two directories.
            if record_offset != eocd_offset - 20 - _EOCD64_RECORD.size:
                raise not_zip
            record = _EOCD64_RECORD.unpack(self._read_at(record_offset, _EOCD64_RECORD.size))
            sig, record_size = record[:2]  # then "made by" and "needed" versions
            disk, cd_disk, n_here, n_total, cd_size, cd_offset = record[4:]
            if sig != _EOCD64 or record_size != _EOCD64_RECORD.size - 12:
                raise not_zip
            if locator_disk or disks != 1 or disk or cd_disk or n_here != n_total:
                raise UnsafeArchiveError(f"{self.path.name} is a multi-part archive, not a bundle.")
            end_start = record_offset
        elif markers:
            raise not_zip
        if n_total > MAX_MEMBERS:
            raise UnsafeArchiveError(
                f"{self.path.name} has {n_total} members; a bundle has at most {MAX_MEMBERS}."
            )
        if cd_size > MAX_CENTRAL_DIRECTORY_BYTES:
            raise UnsafeArchiveError(f"{self.path.name} has an oversized zip directory.")
        if cd_offset + cd_size != end_start:
            raise UnsafeArchiveError(
                f"{self.path.name} has data where its zip directory should be (corrupt, or "
                "something was hidden in it)."
            )
        return n_total, cd_size, cd_offset, end_start

    def _read_directory(self) -> dict[str, Member]:
        n_total, _cd_size, cd_offset, _ = self._find_end_record()
        try:
            self._file.seek(0)
            with zipfile.ZipFile(self._file) as archive:
                infos = archive.infolist()
        except Exception:  # zipfile raises many types on malformed input; all mean the same
            raise UnsafeArchiveError(
                f"{self.path.name} is corrupt (its zip directory cannot be read)."
            ) from None
        if len(infos) != n_total:
            raise UnsafeArchiveError(f"{self.path.name} is corrupt (member count mismatch).")
        # Overlap check from the directory alone, before any local header is trusted: each
        # member needs at least a header, its name and its data before the next one starts.
        ordered = sorted(infos, key=lambda i: i.header_offset)
        for before, after in itertools.pairwise(ordered):
            least_end = (
                before.header_offset
                + _LOCAL_HEADER.size
                + len(_raw_name(before))
                + before.compress_size
            )
            if after.header_offset < least_end:
                raise UnsafeArchiveError(
                    f"{self.path.name} has overlapping members ({after.filename} starts inside "
                    f"{before.filename}), a zip bomb trick."
                )
        members: list[Member] = []
        folded: set[str] = set()
        for info in infos:
            members.append(self._check_member(info, folded))
        members.sort(key=lambda m: m.header_offset)
        expected = 0
        for m in members:
            if m.header_offset < expected:
                raise UnsafeArchiveError(
                    f"{self.path.name} has overlapping members ({m.name} starts inside the "
                    "previous one), a zip bomb trick."
                )
            if m.header_offset > expected:
                raise UnsafeArchiveError(
                    f"{self.path.name} has unexplained data before member {m.name}."
                )
            expected = m.data_end
        if expected != cd_offset:
            raise UnsafeArchiveError(
                f"{self.path.name} has overlapping or unexplained data before its zip directory."
            )
        return {m.name: m for m in members}

    def _check_member(self, info: zipfile.ZipInfo, folded: set[str]) -> Member:
        name = info.filename
        check_member_name(info.orig_filename)  # zipfile cuts names at NUL; check the original
        if info.is_dir():
            raise UnsafeArchiveError(f"Member {name} is a folder entry; bundles have none.")
        mode = info.external_attr >> 16
        # Unzip tools honour these Unix mode bits for entries "made by" many systems, not only
        # Unix (3), so a link or device type is refused whatever system the entry claims.
        if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            kind = "a link" if stat.S_ISLNK(mode) else "a special file"
            raise UnsafeArchiveError(f"Member {name} is {kind}, not a plain file.")
        if info.external_attr & (_WINDOWS_DIRECTORY | _WINDOWS_REPARSE_POINT):
            raise UnsafeArchiveError(f"Member {name} is a folder or link, not a plain file.")
        if _fold(name) in folded:
            raise UnsafeArchiveError(
                f"Member {name} appears twice (names may differ only in letter case), "
                "which is unsafe."
            )
        folded.add(_fold(name))
        if info.flag_bits & _FLAG_ENCRYPTED:
            raise UnsafeArchiveError(f"Member {name} is encrypted; bundles are not.")
        if info.compress_type != zipfile.ZIP_STORED:
            raise UnsafeArchiveError(
                f"Member {name} is compressed; bundle members must be stored uncompressed."
            )
        if info.flag_bits & _FLAG_DATA_DESCRIPTOR:
            raise UnsafeArchiveError(f"Member {name} was not written by OneTake (data descriptor).")
        if info.comment:
            raise UnsafeArchiveError(f"Member {name} has a comment; bundles have none.")
        if _extra_fields(info.extra) is None:
            raise UnsafeArchiveError(f"Member {name} has an extra field bundles never carry.")
        if info.flag_bits & ~_FLAG_UTF8:
            raise UnsafeArchiveError(f"Member {name} has unknown flags (0x{info.flag_bits:04x}).")
        if info.compress_size != info.file_size:
            raise UnsafeArchiveError(f"Member {name} has inconsistent sizes.")
        data_offset = self._check_local_header(info)
        if data_offset + info.file_size > self.size:
            raise UnsafeArchiveError(f"{self.path.name} is truncated (member {name} is cut off).")
        return Member(name, info.header_offset, data_offset, info.file_size, info.CRC)

    def _check_local_header(self, info: zipfile.ZipInfo) -> int:
        """Where the member's data starts, once its local header says what the directory says
        (readers that follow local headers must see the same archive as we do)."""
        forged = UnsafeArchiveError(
            f"Member {info.filename}'s local header disagrees with the zip directory "
            "(corrupt or forged)."
        )
        if info.header_offset + _LOCAL_HEADER.size > self.size:
            raise UnsafeArchiveError(f"{self.path.name} is truncated.")
        header = _LOCAL_HEADER.unpack(self._read_at(info.header_offset, _LOCAL_HEADER.size))
        sig, _ver, flags, method, _t, _d, crc, csize, usize, name_len, extra_len = header
        if sig != _LOCAL or method != zipfile.ZIP_STORED or flags != info.flag_bits:
            raise forged
        name_at = info.header_offset + _LOCAL_HEADER.size
        try:
            local_name = self._read_at(name_at, name_len).decode(
                "utf-8" if flags & _FLAG_UTF8 else "cp437"
            )
        except UnicodeDecodeError:
            raise forged from None
        if local_name != info.orig_filename or crc != info.CRC:
            raise forged
        extra = _extra_fields(self._read_at(name_at + name_len, extra_len))
        if extra is None:
            raise UnsafeArchiveError(
                f"Member {info.filename} has an extra field bundles never carry."
            )
        zip64 = extra.get(_ZIP64_EXTRA_ID, b"")
        if csize == usize == 0xFFFFFFFF and len(zip64) >= 16:  # the real sizes are here
            usize, csize = struct.unpack_from("<QQ", zip64)
        if (csize, usize) != (info.compress_size, info.file_size):
            raise forged
        data_offset: int = name_at + name_len + extra_len
        return data_offset

    # -- reading ---------------------------------------------------------------------------

    def read_small(self, name: str, limit: int) -> bytes:
        """The whole content of a small member (manifest, checksum lists), CRC-checked."""
        member = self.members[name]
        if member.size > limit:
            raise UnsafeArchiveError(f"Member {name} is {member.size:,} bytes; at most {limit:,}.")
        data = self._read_at(member.data_offset, member.size)
        if zlib.crc32(data) != member.crc:
            raise UnsafeArchiveError(f"Member {name} is corrupt (CRC mismatch).")
        return data

    def stream(
        self,
        sinks: Mapping[str, Sink],
        progress: Progress | None = None,
        finished: Callable[[str], None] | None = None,
    ) -> tuple[str, dict[str, str]]:
        """Read the archive once: (SHA-256 of the whole file, SHA-256 of each member).

        Each member named in ``sinks`` is copied to its sink as it passes. CRC-32 is checked.
        ``finished(name)`` is called once a sink's member has passed (its CRC is compared at the
        end, its hash by the caller): the pipelined import starts its media check there.
        Work is split over two threads so that neither waits for the other for long: this one
        reads, hashes each member and writes it; a helper (see HashLane) hashes the whole file
        and computes each member's CRC-32 from the same buffers.
        """
        hashes: dict[str, str] = {}
        pos = 0
        self._file.seek(0)
        if hasattr(os, "posix_fadvise"):  # read front to back once: a bigger readahead helps
            os.posix_fadvise(self._file.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        with HashLane() as lane:

            def pump(until: int, member: str | None, sink: Sink | None) -> hashlib._Hash | None:
                nonlocal pos
                member_hash = hashlib.sha256() if member is not None else None
                while pos < until:
                    view = lane.free_buffer()
                    got = self._file.readinto(view[: min(CHUNK, until - pos)])
                    if not got:
                        raise UnsafeArchiveError(f"{self.path.name} is truncated.")
                    chunk = view[:got]
                    pos += got
                    lane.submit(chunk, member)
                    if member_hash is not None:
                        member_hash.update(chunk)
                    if sink is not None:
                        sink.write(chunk)
                    if progress is not None:
                        progress(pos, self.size)
                return member_hash

            passed: list[Member] = []  # read, CRC not compared yet

            def check_crcs() -> None:
                """Compare the CRCs of the members read so far, in file order (one wait for
                the helper, not one per member: this thread reads on meanwhile)."""
                crcs = lane.crcs()
                for m in passed:
                    if crcs.get(m.name, 0) != m.crc:
                        raise UnsafeArchiveError(f"Member {m.name} is corrupt (CRC mismatch).")
                passed.clear()

            try:
                for member in sorted(self.members.values(), key=lambda m: m.data_offset):
                    pump(member.data_offset, None, None)
                    h = pump(member.data_end, member.name, sinks.get(member.name))
                    assert h is not None
                    passed.append(member)
                    hashes[member.name] = h.hexdigest()
                    if finished is not None and member.name in sinks:
                        finished(member.name)  # its CRC, like its hash, is compared later
                pump(self.size, None, None)
            except BaseException:
                check_crcs()  # a corrupt member before the failure is the first thing wrong
                raise
            check_crcs()
            digest = lane.hexdigest()
        return digest, hashes


class Sink(Protocol):
    """Where :meth:`SafeZip.stream` copies a member (a binary file, or a wrapper of one)."""

    def write(self, data: memoryview, /) -> object: ...


# Spare buffer sets for HashLane: allocating (and faulting in) 3 MiB cost more than hashing
# a small bundle's manifest; a few sets are kept for the next bundle (bounded: one per thread
# that imports at once is enough).
_spare_buffers: queue.SimpleQueue[list[memoryview]] = queue.SimpleQueue()
_MAX_SPARE_SETS = 4


def _take_buffers(count: int, size: int) -> list[memoryview]:
    try:
        buffers = _spare_buffers.get_nowait()
    except queue.Empty:
        buffers = []
    if len(buffers) == count and all(len(b) == size for b in buffers):
        return buffers
    return [memoryview(bytearray(size)) for _ in range(count)]


def _give_buffers(buffers: list[memoryview]) -> None:
    if _spare_buffers.qsize() < _MAX_SPARE_SETS:
        _spare_buffers.put(buffers)


class HashLane:
    """SHA-256 of a stream of chunks, and the CRC-32 of tagged runs of them, on a helper thread
    (hashlib and zlib release the GIL for large buffers, so this runs beside the caller's own
    hashing and writing on another core).

    The caller reads into :meth:`free_buffer` (one of a few reused buffers: no fresh 1 MiB
    object and its page faults per chunk), passes the filled part to :meth:`submit` (with a
    tag to also add it to that tag's CRC-32), and gets results from :meth:`crc` (waits for the
    chunks submitted so far) and :meth:`hexdigest`. Leaving the ``with`` block always ends the
    helper before returning. The helper is a bare ``_thread``: the caller may be a Qt pool
    thread, which ``threading`` would register for good as a dummy thread; nothing outlives
    the call.
    """

    _BUFFERS = 3

    def __init__(self, buffer_size: int = CHUNK) -> None:
        self._hash = hashlib.sha256()
        self._crcs: dict[str, int] = {}
        self._buffers = _take_buffers(self._BUFFERS, buffer_size)
        self._free: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in range(self._BUFFERS):
            self._free.put(index)
        # (chunk, its buffer, CRC tag) or (None, -1, None) plus a lock to release: a barrier
        self._work: queue.SimpleQueue[
            tuple[memoryview | None, int, str | None, _thread.LockType | None] | None
        ] = queue.SimpleQueue()
        self._current = -1
        self._finished = _thread.allocate_lock()
        self._finished.acquire()
        self._error: BaseException | None = None
        self._open = True
        _thread.start_new_thread(self._run, ())

    def _run(self) -> None:
        try:
            while (item := self._work.get()) is not None:
                chunk, index, tag, barrier = item
                if barrier is not None:
                    barrier.release()
                    continue
                assert chunk is not None
                if self._error is None:
                    try:
                        self._hash.update(chunk)
                        if tag is not None:
                            self._crcs[tag] = crc32(chunk, self._crcs.get(tag, 0))
                    except BaseException as error:  # kept for the caller; keep draining
                        self._error = error
                self._free.put(index)
        finally:
            self._finished.release()

    def free_buffer(self) -> memoryview:
        """A buffer the helper is done with (waits for one if all are being hashed)."""
        self._current = self._free.get()
        return self._buffers[self._current]

    def submit(self, chunk: memoryview, crc_tag: str | None = None) -> None:
        """Hash ``chunk`` (a slice of the last free_buffer()); it must not change until then.
        With ``crc_tag``, the chunk is also added to that tag's CRC-32."""
        self._work.put((chunk, self._current, crc_tag, None))
        self._current = -1

    def crcs(self) -> dict[str, int]:
        """The CRC-32 of the chunks submitted with each tag, once all submitted are done."""
        barrier = _thread.allocate_lock()
        barrier.acquire()
        self._work.put((None, -1, None, barrier))
        barrier.acquire()
        if self._error is not None:
            raise self._error
        return dict(self._crcs)

    def crc(self, tag: str) -> int:
        """The CRC-32 of every chunk submitted with ``tag`` (0 for none), once hashed."""
        return self.crcs().get(tag, 0)

    def _finish(self) -> None:
        if self._open:
            self._open = False
            self._work.put(None)
            self._finished.acquire()
            _give_buffers(self._buffers)  # the helper is done with them

    def hexdigest(self) -> str:
        self._finish()
        if self._error is not None:
            raise self._error
        return self._hash.hexdigest()

    def __enter__(self) -> HashLane:
        return self

    def __exit__(self, *exc: object) -> None:
        self._finish()
