"""Submission bundles (``.onetake``): write them atomically, read them as hostile input.

A bundle is a zip whose members are all STORED (media is already compressed)::

    media/q1.mp4 ...          one media file per recorded answer (text answers are in the manifest)
    manifest.json             the SubmissionManifest (domain/manifest.py), UTF-8 JSON
    manifest-sha256.txt       BagIt-style payload manifest: "<sha256>  media/q1.mp4" per media file
    tagmanifest-sha256.txt    BagIt-style tag manifest: hashes of the two files above

Checksums follow BagIt (RFC 8493): after unzipping, ``sha256sum -c manifest-sha256.txt`` and
``sha256sum -c tagmanifest-sha256.txt`` check everything. Media members come first so that one
streaming pass can hash them and then write the manifest that records those hashes.

``write_bundle`` computes each media file's size and SHA-256 itself: callers pass MediaFile
entries with ``size=0, sha256=""`` (or any values; they are replaced) and read the sealed
manifest from the receipt. Container, codecs and duration come from the caller (the recorder
knows them; ``services.bundles.media_file_for`` probes a file to fill them in).
"""

from __future__ import annotations

import _thread
import dataclasses
import hashlib
import os
import queue
import shutil
import stat
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

from onetake_desktop.domain.errors import DiskFullError, OneTakeError
from onetake_desktop.domain.manifest import (
    MANIFEST_NAME,
    SubmissionManifest,
    manifest_from_json,
    manifest_to_dict,
    validate_manifest,
)
from onetake_desktop.domain.progress import Progress
from onetake_desktop.domain.validation import (
    MAX_JSON_BYTES,
    ProblemsError,
    parse_utc_timestamp,
    pretty_json,
)
from onetake_desktop.durable import fsync_together, start_writeback
from onetake_desktop.storage.atomic import atomic_output, os_error_sentence
from onetake_desktop.storage.safe_zip import CHUNK, HashLane, SafeZip, UnsafeArchiveError

BUNDLE_SUFFIX = ".onetake"
PAYLOAD_MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"
TAG_FILES = (MANIFEST_NAME, PAYLOAD_MANIFEST, TAG_MANIFEST)
MAX_CHECKSUM_FILE_BYTES = 64 * 1024
# Room kept free beyond the media when writing or importing a bundle (file system overhead).
DISK_MARGIN_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class BundleReceipt:
    path: Path
    size: int
    sha256: str  # of the whole bundle file
    manifest: SubmissionManifest  # as sealed: media sizes and hashes filled in


@dataclass(frozen=True)
class ExtractedBundle:
    manifest: SubmissionManifest
    folder: Path
    media: dict[str, Path]  # question_id -> extracted file
    bundle_sha256: str


# --- writing ----------------------------------------------------------------------------------


def checksum_lines(entries: Mapping[str, str]) -> bytes:
    """BagIt manifest lines, ``<hex>  <name>``, sorted by name (sha256sum -c reads them too)."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(entries.items())).encode()


def _tag_digests(manifest_bytes: bytes, payload_bytes: bytes) -> dict[str, str]:
    """What the tag manifest lists: the SHA-256 of manifest.json and of the payload manifest."""
    return {
        MANIFEST_NAME: hashlib.sha256(manifest_bytes).hexdigest(),
        PAYLOAD_MANIFEST: hashlib.sha256(payload_bytes).hexdigest(),
    }


def _zip_time(manifest: SubmissionManifest) -> tuple[int, int, int, int, int, int]:
    sealed = parse_utc_timestamp(manifest.created_at) or datetime.now(UTC)
    t = sealed.astimezone(UTC)
    return (max(1980, t.year), t.month, t.day, t.hour, t.minute, t.second)


def _zip_info(name: str, size: int, when: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # unix: the mode below means "regular file, rw-r--r--"
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.file_size = size  # known up front, so zipfile picks zip64 itself for huge answers
    return info


@dataclass
class _ByteProgress:
    """Bytes copied so far across all members, reported to the caller's ``progress``."""

    total: int
    progress: Progress | None
    done: int = 0

    def add(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)


def _copy_answer(
    source: Path, size: int, member: IO[bytes], counted: _ByteProgress, out: _OutputHasher
) -> str:
    """Stream one answer file into its member and return its SHA-256: exactly ``size``
    bytes, or it changed while being sealed. The SHA-256 and the CRC-32 run on a helper
    thread beside the reading and writing."""
    copied = 0
    direct = _stored_member_file(member)
    try:
        src = open(source, "rb")  # noqa: SIM115 (closed below; only opening is about the answer)
    except OSError as error:
        raise OneTakeError(f"Cannot read the answer file {source} ({error.strerror}).") from None
    with src, HashLane() as lane:
        while True:
            view = lane.free_buffer()
            got = src.readinto(view)
            if not got:
                break
            if copied + got > size:
                break  # it grew
            chunk = view[:got]
            lane.submit(chunk, "member")
            if direct is not None:
                direct.write(chunk)
            else:
                member.write(chunk)
            copied += got
            counted.add(got)
            out.written()
        crc = lane.crc("member")
        digest = lane.hexdigest()
    if copied != size:
        raise OneTakeError(f"The answer file {source} changed while being sealed.")
    if direct is not None:  # what zipfile's own write() would have counted
        any_member: Any = member
        any_member._file_size, any_member._crc = copied, crc
    return digest


def _stored_member_file(member: IO[bytes]) -> IO[bytes] | None:
    """The archive file under a stored member being written, or None to write through it.

    zipfile's member writer computes the CRC-32 with zlib on this thread (29 ms per 75 MB);
    HashLane computes it with zlib-ng beside the SHA-256 instead, and the data goes straight
    to the archive file. That uses CPython's member writer's counters (``_file_size``,
    ``_crc``, unchanged since 3.6), so any other shape of it is written through it instead;
    test_seal_hashes_exactly_the_bytes_it_wrote checks every CRC with zipfile's testzip."""
    fields = ("_fileobj", "_file_size", "_crc", "_compressor")
    if not all(hasattr(member, name) for name in fields):
        return None
    any_member: Any = member
    if any_member._compressor is not None or any_member._file_size != 0:
        return None
    archive_file: IO[bytes] = any_member._fileobj
    return archive_file


class _OutputHasher:
    """The SHA-256 of the bundle as it is written, without a second pass at the end: a helper
    thread reads back (from the page cache) and hashes each part of the file once it is final,
    while the next answer is being written. zipfile goes back to finish each member's local
    header after its data, so a member's bytes are final only once it is closed
    (:meth:`final_up_to`). Also asks for early writeback of what was written, so the fsync at
    the end has little left to wait for. Where positional reads do not exist (Windows),
    :meth:`hexdigest` gives None and the caller hashes the finished file instead."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._hash = hashlib.sha256()
        self._limits: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._done = _thread.allocate_lock()
        self._error: BaseException | None = None
        self._started = 0  # bytes whose writeback was asked for
        # Reads at an offset only (never the file position the writer uses, which a dup shares).
        self.running = hasattr(os, "preadv") or hasattr(os, "pread")
        self._open = self.running
        self._fd = os.dup(handle.fileno()) if self.running else -1  # read on after the writer
        if self.running:
            self._done.acquire()
            _thread.start_new_thread(self._run, ())

    def _read_at(self, buffer: memoryview, pos: int) -> int:
        if hasattr(os, "preadv"):
            return os.preadv(self._fd, [buffer], pos)
        data = os.pread(self._fd, len(buffer), pos)
        buffer[: len(data)] = data
        return len(data)

    def _run(self) -> None:
        buffer = memoryview(bytearray(CHUNK))
        pos = 0
        try:
            while (limit := self._limits.get()) is not None:
                while pos < limit and self._error is None:
                    try:
                        got = self._read_at(buffer[: min(CHUNK, limit - pos)], pos)
                        if not got:
                            raise OSError(f"the bundle being written ended at {pos:,} bytes")
                        self._hash.update(buffer[:got])
                        pos += got
                    except BaseException as error:  # kept for the caller
                        self._error = error
        finally:
            os.close(self._fd)
            self._done.release()

    def written(self) -> None:
        """Some bytes were written: start their writeback every few megabytes."""
        end = self._handle.tell()
        if end - self._started >= _Sink.STEP:
            self._handle.flush()
            start_writeback(self._handle.fileno(), self._started, end - self._started)
            self._started = end

    def final_up_to(self) -> None:
        """Everything written so far will not change any more: hash it."""
        if self._open:
            self._handle.flush()
            self._limits.put(self._handle.tell())

    def close(self) -> None:
        if self._open:
            self._open = False
            self._limits.put(None)
            self._done.acquire()

    def hexdigest(self) -> str | None:
        if not self.running:
            return None
        self.close()
        if self._error is not None:
            raise self._error
        return self._hash.hexdigest()


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as written:
        while chunk := written.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_bundle(
    manifest: SubmissionManifest,
    media: Mapping[str, Path],
    out: Path,
    progress: Progress | None = None,
) -> BundleReceipt:
    """Seal answers into ``out`` atomically, streaming each media file once.

    ``media`` maps member names (``AnswerRecord.media.name``) to files on disk; it must match
    the manifest's media entries exactly. ``progress(done_bytes, total_bytes)``.
    """
    out = Path(out)
    problems = validate_manifest(manifest, allow_unhashed_media=True)
    if problems:
        raise ProblemsError(problems, "Cannot seal the bundle")
    wanted = {a.media.name for a in manifest.answers if a.media is not None}
    if set(media) != wanted:
        missing = sorted(wanted - set(media)) or sorted(set(media) - wanted)
        raise OneTakeError(
            f"Cannot seal the bundle: media files and answers differ ({missing[0]})."
        )
    sizes: dict[str, int] = {}
    for name, source in media.items():
        try:
            info = os.stat(source)
        except OSError as error:
            raise OneTakeError(
                f"Cannot read the answer file {source} ({error.strerror})."
            ) from None
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
            raise OneTakeError(f"The answer file {source} is empty or not a regular file.")
        sizes[name] = info.st_size
    total = sum(sizes.values())
    if not out.parent.is_dir():
        raise OneTakeError(f"The folder {out.parent} does not exist.")
    free = shutil.disk_usage(out.parent).free
    if free < total + DISK_MARGIN_BYTES:
        raise DiskFullError(
            f"There is not enough free disk space to write {out.name} ({total:,} bytes needed)."
        )
    when = _zip_time(manifest)
    counted = _ByteProgress(total, progress)
    hasher: _OutputHasher | None = None
    try:
        with atomic_output(out) as handle:
            hasher = _OutputHasher(handle)
            with zipfile.ZipFile(handle, "w", allowZip64=True) as archive:
                sealed = _write_members(archive, manifest, media, sizes, when, counted, hasher)
            hasher.final_up_to()
        whole = hasher.hexdigest()  # its last part was hashed during the fsync
    finally:
        if hasher is not None:
            hasher.close()
    if whole is None:
        whole = _sha256_of(out)
    return BundleReceipt(out, out.stat().st_size, whole, sealed)


def _write_members(
    archive: zipfile.ZipFile,
    manifest: SubmissionManifest,
    media: Mapping[str, Path],
    sizes: Mapping[str, int],
    when: tuple[int, int, int, int, int, int],
    counted: _ByteProgress,
    hasher: _OutputHasher,
) -> SubmissionManifest:
    """The media members, then the manifest and the two checksum lists; the sealed manifest."""
    digests: dict[str, str] = {}
    for name in sorted(media):
        with archive.open(_zip_info(name, sizes[name], when), "w") as member:
            digests[name] = _copy_answer(media[name], sizes[name], member, counted, hasher)
        hasher.final_up_to()  # its local header is finished now
    answers = tuple(
        dataclasses.replace(
            a,
            media=dataclasses.replace(
                a.media, size=sizes[a.media.name], sha256=digests[a.media.name]
            ),
        )
        if a.media is not None
        else a
        for a in manifest.answers
    )
    sealed = dataclasses.replace(manifest, answers=answers)
    manifest_bytes = pretty_json(manifest_to_dict(sealed))
    payload = checksum_lines(digests)
    tags = checksum_lines(_tag_digests(manifest_bytes, payload))
    for name, data in (
        (MANIFEST_NAME, manifest_bytes),
        (PAYLOAD_MANIFEST, payload),
        (TAG_MANIFEST, tags),
    ):
        archive.writestr(_zip_info(name, len(data), when), data)
    return sealed


# --- reading ----------------------------------------------------------------------------------


def _parse_checksums(raw: bytes, what: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsafeArchiveError(f"The bundle's {what} is not UTF-8 text.") from None
    for line in text.splitlines():
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or name in entries:
            raise UnsafeArchiveError(f"The bundle's {what} is malformed.")
        entries[name] = digest
    return entries


@dataclass(frozen=True)
class OpenedBundle:
    """A bundle whose structure, manifest and tag checksums have been checked (media not yet)."""

    archive: SafeZip
    manifest: SubmissionManifest
    manifest_bytes: bytes
    payload_bytes: bytes
    tag_bytes: bytes


def open_bundle(path: Path) -> OpenedBundle:
    """Check everything that does not need reading the media; the caller closes ``archive``."""
    archive = SafeZip(path)
    try:
        name = Path(path).name
        for required in TAG_FILES:
            if required not in archive.members:
                raise UnsafeArchiveError(f"{name} is not a OneTake bundle (no {required}).")
        manifest_bytes = archive.read_small(MANIFEST_NAME, MAX_JSON_BYTES)
        payload_bytes = archive.read_small(PAYLOAD_MANIFEST, MAX_CHECKSUM_FILE_BYTES)
        tag_bytes = archive.read_small(TAG_MANIFEST, MAX_CHECKSUM_FILE_BYTES)
        tags = _parse_checksums(tag_bytes, TAG_MANIFEST)
        expected_tags = _tag_digests(manifest_bytes, payload_bytes)
        if set(tags) != set(expected_tags):
            raise UnsafeArchiveError(f"{name}'s {TAG_MANIFEST} does not list the right files.")
        for tag_name, digest in expected_tags.items():
            if tags[tag_name] != digest:
                raise UnsafeArchiveError(
                    f"{name}'s {tag_name} does not match its checksum (it was changed)."
                )
        manifest = manifest_from_json(manifest_bytes)
        media = {a.media.name: a.media for a in manifest.answers if a.media is not None}
        for member in archive.members:
            if member not in media and member not in TAG_FILES:
                raise UnsafeArchiveError(f"{name} contains an unexpected file, {member}.")
        for media_name, media_file in media.items():
            if media_name not in archive.members:
                raise UnsafeArchiveError(f"{name} is missing the answer file {media_name}.")
            if archive.members[media_name].size != media_file.size:
                raise UnsafeArchiveError(
                    f"{media_name} in {name} is {archive.members[media_name].size:,} bytes, "
                    f"but the manifest says {media_file.size:,}."
                )
        payload = _parse_checksums(payload_bytes, PAYLOAD_MANIFEST)
        if payload != {n: m.sha256 for n, m in media.items()}:
            raise UnsafeArchiveError(f"{name}'s {PAYLOAD_MANIFEST} disagrees with its manifest.")
        return OpenedBundle(archive, manifest, manifest_bytes, payload_bytes, tag_bytes)
    except BaseException:
        archive.close()
        raise


def read_manifest(path: Path) -> SubmissionManifest:
    """The checked manifest of a bundle, without reading its media (fast)."""
    opened = open_bundle(path)
    opened.archive.close()
    return opened.manifest


def _prepare_destination(dest: Path) -> bool:
    """Create ``dest`` (True) or accept an existing empty folder (False)."""
    if dest.is_symlink():
        raise OneTakeError(f"The import folder {dest} is a link; choose a real folder.")
    if dest.exists():
        if not dest.is_dir() or any(dest.iterdir()):
            raise OneTakeError(f"The import folder {dest} is not empty.")
        return False
    if not dest.parent.is_dir():
        raise OneTakeError(f"The folder {dest.parent} does not exist.")
    dest.mkdir(mode=0o700)  # candidates' recordings: their owner only (paths.private_dir)
    return True


def discard_import(dest: Path, *, keep_folder: bool) -> None:
    """Undo an import into ``dest``: remove it, or (a folder we were given empty) empty it."""
    if not keep_folder:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _create_new(path: Path) -> BinaryIO:
    # O_EXCL and O_NOFOLLOW: never write through something that appeared at this name.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    return os.fdopen(os.open(path, flags, 0o600), "wb")


class MediaCheck(Protocol):
    """What checks each media file while the rest of the bundle is still being extracted (the
    pipelined import: services/bundles.py probes it). ``started`` gets each media member's name and
    complete file (under its final name) as soon as its bytes are written (its hash not compared
    yet); ``wait`` returns once every check started has finished with the files. extract_bundle
    waits before it removes them on failure; on success the caller waits before it moves or removes
    the folder, so the probes overlap the fsyncs. Neither raises for a bad file: the caller asks for
    the verdicts after the bundle's own checks, so a damaged bundle is refused for its damage
    first."""

    def started(self, name: str, path: Path) -> None: ...

    def wait(self) -> None: ...


def extract_bundle(
    path: Path,
    dest: Path,
    progress: Progress | None = None,
    *,
    durable: bool = True,
    accept: Callable[[SubmissionManifest], None] | None = None,
    media_check: MediaCheck | None = None,
) -> ExtractedBundle:
    """Check a bundle completely and extract it into ``dest`` (new, or an empty folder).

    Every member is streamed into ``dest`` while its SHA-256 and CRC are computed (one read of the
    bundle, which also gives its whole-file SHA-256); nothing is written outside ``dest``, and
    nothing in it counts until the caller moves or keeps it (see _extract_into). On any failure
    everything written is removed (and ``dest`` too, if this call created it); a full disk is a
    DiskFullError. ``durable=False`` skips the fsyncs, for a caller that deletes ``dest``
    right after checking (verify): every check is the same. ``accept(manifest)`` is called once
    the manifest is checked and before anything is written: it refuses by raising (the
    interview's own rules, domain/conformance.py). ``media_check`` (see MediaCheck) is handed
    each media file as soon as it is written.
    """
    dest = Path(dest)
    doing = f"import {Path(path).name}"
    opened = open_bundle(path)
    with opened.archive:
        if accept is not None:
            accept(opened.manifest)
        if dest.parent.is_dir():
            free = shutil.disk_usage(dest.parent).free
            if free < opened.manifest.total_media_bytes + DISK_MARGIN_BYTES:
                raise DiskFullError(f"There is not enough free disk space to {doing}.")
        created = _prepare_destination(dest)
        try:
            media, bundle_sha = _extract_into(opened, dest, progress, durable, media_check)
        except BaseException as error:
            if media_check is not None:
                media_check.wait()  # its probers are done with the files before they go
            discard_import(dest, keep_folder=not created)
            if isinstance(error, OSError):
                raise os_error_sentence(error, doing) from error
            raise
    return ExtractedBundle(opened.manifest, dest, media, bundle_sha)


def _extract_into(
    opened: OpenedBundle,
    dest: Path,
    progress: Progress | None,
    durable: bool,
    media_check: MediaCheck | None = None,
) -> tuple[dict[str, Path], str]:
    """Stream the media into ``dest``, check their hashes, write the tags, then make it all
    durable with one fsync per file and per folder. ``dest`` is the caller's staging folder
    (the library moves it into place and records it in one step; verify removes it), so files
    are written under their final names: nothing in it counts before the caller says so."""
    recorded = [(a.question_id, a.media) for a in opened.manifest.answers if a.media is not None]
    (dest / "media").mkdir(mode=0o700)
    # Names were checked strictly (media/<question id>.<ext>): they cannot leave dest.
    finals = {m.name: dest / m.name for _, m in recorded}
    sinks: dict[str, _Sink] = {}
    try:
        for name, final in finals.items():
            sinks[name] = _Sink(_create_new(final), writeback=durable)

        def written(name: str) -> None:
            assert media_check is not None
            sinks[name].finish()  # complete for a reader in another process
            media_check.started(name, finals[name])

        bundle_sha, hashes = opened.archive.stream(
            sinks, progress, written if media_check is not None else None
        )
        tags = {
            MANIFEST_NAME: opened.manifest_bytes,
            PAYLOAD_MANIFEST: opened.payload_bytes,
            TAG_MANIFEST: opened.tag_bytes,
        }
        # The checks above read these members before this pass: the same bytes, or the file
        # was changed under us and the bundle's SHA-256 would not describe what we checked.
        if any(hashes[name] != hashlib.sha256(data).hexdigest() for name, data in tags.items()):
            raise UnsafeArchiveError(f"{opened.archive.path.name} changed while it was being read.")
        media: dict[str, Path] = {}
        for question_id, m in recorded:
            if hashes[m.name] != m.sha256:
                raise UnsafeArchiveError(
                    f"{m.name} in {opened.archive.path.name} does not match its SHA-256 "
                    "(the file was damaged or changed)."
                )
            media[question_id] = finals[m.name]
        for name, data in tags.items():
            sinks[name] = _Sink(_create_new(dest / name), writeback=durable)
            sinks[name].write(data)
        for sink in sinks.values():
            sink.finish()  # every file's writeback started before the first fsync waits
        if durable:  # all in one journal commit where the file system allows
            fsync_together([s.fileno() for s in sinks.values()], [dest / "media", dest])
    finally:
        for sink in sinks.values():
            sink.close()
    return media, bundle_sha


class _Sink:
    """A new file being written in big steps. With ``writeback``, the kernel is asked to start
    writing each few megabytes to disk as soon as they are written (durable.start_writeback),
    so the fsync at the end has little left to wait for."""

    STEP = 8 * 1024 * 1024

    def __init__(self, handle: BinaryIO, *, writeback: bool) -> None:
        self._handle = handle
        self._writeback = writeback
        self._written = 0
        self._started = 0  # bytes whose writeback was asked for

    def write(self, data: bytes | memoryview) -> int:
        self._handle.write(data)
        self._written += len(data)
        if self._writeback and self._written - self._started >= self.STEP:
            self._handle.flush()
            start_writeback(self._handle.fileno(), self._started, self._written - self._started)
            self._started = self._written
        return len(data)

    def finish(self) -> None:
        """Everything written handed to the kernel (readable by another process), and its
        writeback started."""
        self._handle.flush()
        if self._writeback and self._written > self._started:
            start_writeback(self._handle.fileno(), self._started, self._written - self._started)
            self._started = self._written

    def fileno(self) -> int:
        return self._handle.fileno()

    def close(self) -> None:
        self._handle.close()
