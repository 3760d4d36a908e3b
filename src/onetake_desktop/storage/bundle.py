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

import dataclasses
import hashlib
import os
import shutil
import stat
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO, Protocol

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
from onetake_desktop.durable import fsync_directory
from onetake_desktop.storage.atomic import atomic_output, os_error_sentence
from onetake_desktop.storage.safe_zip import CHUNK, SafeZip, UnsafeArchiveError

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


def _copy_answer(source: Path, size: int, member: IO[bytes], counted: _ByteProgress) -> str:
    """Stream one answer file into its member and return its SHA-256: exactly ``size``
    bytes, or it changed while being sealed."""
    digest = hashlib.sha256()
    copied = 0
    try:
        src = open(source, "rb")  # noqa: SIM115 (closed below; only opening is about the answer)
    except OSError as error:
        raise OneTakeError(f"Cannot read the answer file {source} ({error.strerror}).") from None
    with src:
        while chunk := src.read(CHUNK):
            if copied + len(chunk) > size:
                break  # it grew
            digest.update(chunk)
            member.write(chunk)
            copied += len(chunk)
            counted.add(len(chunk))
    if copied != size:
        raise OneTakeError(f"The answer file {source} changed while being sealed.")
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
    digests: dict[str, str] = {}
    counted = _ByteProgress(total, progress)
    with atomic_output(out) as handle, zipfile.ZipFile(handle, "w", allowZip64=True) as archive:
        for name in sorted(media):
            with archive.open(_zip_info(name, sizes[name], when), "w") as member:
                digests[name] = _copy_answer(media[name], sizes[name], member, counted)
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
    # Hashed once more from disk: zipfile goes back to finish each local header after its
    # data, so the bytes cannot be hashed as they are written.
    whole = hashlib.sha256()
    with open(out, "rb") as written:
        while chunk := written.read(CHUNK):
            whole.update(chunk)
    return BundleReceipt(out, out.stat().st_size, whole.hexdigest(), sealed)


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


def _write_new(path: Path, data: bytes, *, durable: bool) -> None:
    with _create_new(path) as handle:
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())


class MediaCheck(Protocol):
    """What checks each media file while the rest of the bundle is still being extracted (the
    pipelined import: services/bundles.py probes it). ``started`` gets each media member's
    name and complete file as soon as its bytes are written (its hash not compared yet);
    ``wait`` returns once every check started has finished with the files, before they are
    renamed or removed. Neither raises for a bad file: the caller asks for the verdicts after
    the bundle's own checks, so a damaged bundle is refused for its damage first."""

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

    Every member is streamed to a temporary file in ``dest`` while its SHA-256 and CRC are
    computed, then renamed; nothing is written outside ``dest``. On any failure everything
    written is removed (and ``dest`` too, if this call created it); a full disk is a
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
        except OSError as error:
            discard_import(dest, keep_folder=not created)
            raise os_error_sentence(error, doing) from error
        except BaseException:
            discard_import(dest, keep_folder=not created)
            raise
    return ExtractedBundle(opened.manifest, dest, media, bundle_sha)


def _extract_into(
    opened: OpenedBundle,
    dest: Path,
    progress: Progress | None,
    durable: bool,
    media_check: MediaCheck | None = None,
) -> tuple[dict[str, Path], str]:
    """Stream the media to ``.part`` files, check their hashes, rename, then write the tags."""
    recorded = [(a.question_id, a.media) for a in opened.manifest.answers if a.media is not None]
    (dest / "media").mkdir(mode=0o700)
    # Names were checked strictly (media/<question id>.<ext>): they cannot leave dest.
    finals = {m.name: dest / m.name for _, m in recorded}
    temps = {name: final.with_name(f".{final.name}.part") for name, final in finals.items()}
    sinks: dict[str, BinaryIO] = {}
    try:
        for name, temp in temps.items():
            sinks[name] = _create_new(temp)

        def written(name: str) -> None:
            assert media_check is not None
            sinks[name].flush()  # complete for a reader in another process
            media_check.started(name, temps[name])

        try:
            bundle_sha, hashes = opened.archive.stream(
                sinks, progress, written if media_check is not None else None
            )
            for sink in sinks.values():
                sink.flush()
                if durable:
                    os.fsync(sink.fileno())
        finally:
            if media_check is not None:
                media_check.wait()  # done with the .part files before they move or go
    finally:
        for sink in sinks.values():
            sink.close()
    tags = {
        MANIFEST_NAME: opened.manifest_bytes,
        PAYLOAD_MANIFEST: opened.payload_bytes,
        TAG_MANIFEST: opened.tag_bytes,
    }
    # The checks above read these members before this pass: the same bytes, or the file was
    # changed under us and the bundle's SHA-256 would not describe what we checked.
    if any(hashes[name] != hashlib.sha256(data).hexdigest() for name, data in tags.items()):
        raise UnsafeArchiveError(f"{opened.archive.path.name} changed while it was being read.")
    media: dict[str, Path] = {}
    for question_id, m in recorded:
        if hashes[m.name] != m.sha256:
            raise UnsafeArchiveError(
                f"{m.name} in {opened.archive.path.name} does not match its SHA-256 "
                "(the file was damaged or changed)."
            )
        os.replace(temps[m.name], finals[m.name])
        media[question_id] = finals[m.name]
    if durable:
        fsync_directory(dest / "media")
    for name, data in tags.items():
        _write_new(dest / name, data, durable=durable)
    if durable:
        fsync_directory(dest)
    return media, bundle_sha
