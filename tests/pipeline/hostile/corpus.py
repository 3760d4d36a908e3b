"""Generate a corpus of hostile submission bundles, each with the reason it must be refused.

Every case starts from a sound bundle sealed by ``write_bundle`` (real h264/aac and aac media
from PyAV) and breaks exactly one thing, at the byte level where needed: a tiny zip writer
(:class:`RawZip`) controls names, flags, modes, offsets and headers that zipfile would not
let us forge. ``python -m tests.pipeline.hostile.corpus OUT`` writes the corpus to a folder.
"""

from __future__ import annotations

import hashlib
import json
import stat
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from onetake_desktop.domain.kit import Kit, kit_content_hash, privacy_notice_hash
from onetake_desktop.domain.manifest import (
    AnswerRecord,
    Consent,
    KitRef,
    MediaFile,
    SubmissionManifest,
)
from onetake_desktop.storage.bundle import write_bundle
from onetake_desktop.storage.kitfile import demo_kit_path, load_kit
from tests.pipeline.hostile.media import header_bomb, write_answer

# A manifest read back as JSON, to be broken on purpose: any shape goes.
Json = dict[str, Any]

# --- a sound bundle -------------------------------------------------------------------------


def demo_manifest(kit: Kit, media_names: dict[str, str]) -> SubmissionManifest:
    """A complete manifest answering the demo kit: q1, q2 video (files), q3 text."""
    answers = []
    for i, q in enumerate(kit.questions):
        kind = kit.answer_type_of(q)
        media = None
        text = None
        if kind == "text":
            text = "Dear Sam, I am sorry for the wait. Your refund went out today."
        else:
            media = MediaFile(media_names[q.id], 0, "", "mp4", "h264", "aac", 1.0)
        answers.append(
            AnswerRecord(
                question_id=q.id,
                answer_type=kind,
                takes_used=2,
                submitted_take=1 + i % 2,
                think_seconds_used=12.5,
                answer_seconds=1.0 if kind != "text" else 95.0,
                started_at=f"2026-11-23T10:0{i}:00Z",
                ended_at=f"2026-11-23T10:0{i}:30Z",
                media=media,
                text=text,
            )
        )
    return SubmissionManifest(
        kit=KitRef(kit.interview_id, kit.version, kit_content_hash(kit)),
        candidate_name="Alex Example",
        candidate_email="alex@example.org",
        consent=Consent(privacy_notice_hash(kit), "2026-11-23T09:58:00Z"),
        answers=tuple(answers),
        created_at="2026-11-23T10:05:00Z",
        app_version="0.1.0",
        accommodations=("extra-time",),
        time_multiplier=1.5,
        device={"os": "Linux", "camera": "synthetic", "microphone": "synthetic"},
    )


def sound_bundle(folder: Path) -> Path:
    """Seal a sound bundle for the demo kit into ``folder/sound.onetake``."""
    folder.mkdir(parents=True, exist_ok=True)
    kit = load_kit(demo_kit_path())
    media = {}
    names = {}
    for q in kit.questions:
        if kit.answer_type_of(q) != "text":
            names[q.id] = f"media/{q.id}.mp4"
            media[names[q.id]] = write_answer(folder / f"{q.id}.mp4", seconds=1.0)
    return write_bundle(demo_manifest(kit, names), media, folder / "sound.onetake").path


# --- a zip writer that can lie ----------------------------------------------------------------


@dataclass
class Entry:
    name: str
    data: bytes
    method: int = zipfile.ZIP_STORED
    flags: int = 0x800
    mode: int = stat.S_IFREG | 0o644
    create_system: int = 3
    crc: int | None = None  # None: the real CRC-32
    local_name: str | None = None  # a different name in the local header
    local_method: int | None = None
    stored_data: bytes | None = None  # bytes actually written (e.g. compressed)
    windows_attrs: int = 0
    local_extra: bytes = b""  # extra fields in the local header
    comment: bytes = b""  # the member's comment in the central directory


@dataclass
class RawZip:
    entries: list[Entry] = field(default_factory=list)
    prefix: bytes = b""
    gap_after: dict[int, bytes] = field(default_factory=dict)  # hidden bytes after entry i
    extra_central: list[tuple[str, int]] = field(default_factory=list)  # (name, entry index)
    disk_number: int = 0
    count_override: int | None = None

    def build(self) -> bytes:
        out = bytearray(self.prefix)
        central = bytearray()
        offsets: list[int] = []
        records: list[tuple[Entry, int, int]] = []
        for i, e in enumerate(self.entries):
            payload = e.stored_data if e.stored_data is not None else e.data
            crc = zlib.crc32(e.data) if e.crc is None else e.crc
            local_name = (e.local_name if e.local_name is not None else e.name).encode()
            offsets.append(len(out))
            out += struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                e.flags,
                e.method if e.local_method is None else e.local_method,
                0,
                0x5821,
                crc,
                len(payload),
                len(e.data),
                len(local_name),
                len(e.local_extra),
            )
            out += local_name + e.local_extra + payload
            out += self.gap_after.get(i, b"")
            records.append((e, crc, len(payload)))
        extra = [(replace(self.entries[i], name=n), i) for n, i in self.extra_central]
        for (e, crc, csize), offset in [
            *zip(records, offsets, strict=True),
            *(((e, records[i][1], records[i][2]), offsets[i]) for e, i in extra),
        ]:
            name = e.name.encode()
            central += struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                (e.create_system << 8) | 20,
                20,
                e.flags,
                e.method,
                0,
                0x5821,
                crc,
                csize,
                len(e.data),
                len(name),
                0,
                len(e.comment),
                0,
                0,
                (e.mode << 16) | e.windows_attrs,
                offset,
            )
            central += name + e.comment
        cd_offset = len(out)
        n = len(self.entries) + len(self.extra_central)
        count = n if self.count_override is None else self.count_override
        out += central
        out += struct.pack(
            "<4sHHHHIIH",
            b"PK\x05\x06",
            self.disk_number,
            self.disk_number,
            count,
            count,
            len(central),
            cd_offset,
            0,
        )
        return bytes(out)


def entries_of(bundle: Path) -> list[Entry]:
    with zipfile.ZipFile(bundle) as z:
        return [Entry(i.filename, z.read(i)) for i in z.infolist()]


def _tags(manifest: bytes, payload: bytes) -> bytes:
    lines = {
        "manifest.json": hashlib.sha256(manifest).hexdigest(),
        "manifest-sha256.txt": hashlib.sha256(payload).hexdigest(),
    }
    return "".join(f"{d}  {n}\n" for n, d in sorted(lines.items())).encode()


def _payload(media: dict[str, bytes]) -> bytes:
    return "".join(
        f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(media.items())
    ).encode()


def rebuild(
    entries: list[Entry],
    *,
    manifest: bytes | None = None,
    media: dict[str, bytes] | None = None,
    fix_payload: bool = True,
) -> list[Entry]:
    """Replace the manifest and/or media and recompute the checksum files so they agree."""
    by_name = {e.name: e for e in entries}
    m = manifest if manifest is not None else by_name["manifest.json"].data
    files = {n: e.data for n, e in by_name.items() if n.startswith("media/")}
    if media is not None:
        files = media
    payload = _payload(files) if fix_payload else by_name["manifest-sha256.txt"].data
    out = [Entry(n, d) for n, d in sorted(files.items())]
    out += [
        Entry("manifest.json", m),
        Entry("manifest-sha256.txt", payload),
        Entry("tagmanifest-sha256.txt", _tags(m, payload)),
    ]
    return out


def manifest_dict(entries: list[Entry]) -> Json:
    data: Json = json.loads(next(e for e in entries if e.name == "manifest.json").data)
    return data


def with_manifest(entries: list[Entry], edit: Callable[[dict[str, Any]], object]) -> bytes:
    """Edit the manifest (JSON), keep every checksum consistent: only the edit is wrong."""
    data = manifest_dict(entries)
    result = edit(data)
    if result is not None:
        data = result  # type: ignore[assignment]
    raw = json.dumps(data).encode()
    return RawZip(rebuild(entries, manifest=raw)).build()


def with_media(entries: list[Entry], name: str, content: bytes, **answer: object) -> bytes:
    """Swap a media file's bytes; the manifest gets the right size/sha (and ``answer`` edits)."""
    data = manifest_dict(entries)
    for a in data["answers"]:
        if a.get("media") and a["media"]["name"] == name:
            a["media"]["size"] = len(content)
            a["media"]["sha256"] = hashlib.sha256(content).hexdigest()
            for k, v in answer.items():
                a["media"][k] = v
    listed: list[dict[str, Any]] = data["answers"]
    data["totals"]["media_bytes"] = sum(a["media"]["size"] for a in listed if a.get("media"))
    files = {e.name: e.data for e in entries if e.name.startswith("media/")}
    files[name] = content
    return RawZip(rebuild(entries, manifest=json.dumps(data).encode(), media=files)).build()


# --- the cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    expect: str  # a fragment of the one-sentence reason
    make: Callable[[list[Entry], Path], bytes]


def _add(entries: list[Entry], *extra: Entry) -> bytes:
    return RawZip([*entries, *extra]).build()


def _swap(entries: list[Entry], target: str, **changes: object) -> list[Entry]:
    return [replace(e, **changes) if e.name == target else e for e in entries]  # type: ignore[arg-type]


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _media_bytes(work: Path, stem: str, **kwargs: object) -> bytes:
    path = write_answer(work / f"{stem}.bin", **kwargs)  # type: ignore[arg-type]
    return path.read_bytes()


def _nested(depth: int) -> Callable[[dict[str, Any]], object]:
    def edit(d: dict[str, Any]) -> None:
        value: object = 1
        for _ in range(depth):
            value = [value]
        d["device"] = {"os": "x"}
        d["nested"] = value

    return edit


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def edit(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: object = d
        for p in parents:
            target = target[int(p)] if isinstance(target, list) else target[p]  # type: ignore[index]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value  # type: ignore[index]

    return edit


def _size_lie(d: dict[str, Any]) -> None:
    # The manifest (and its totals) claim another size than the member really has.
    d["answers"][0]["media"]["size"] += 1000
    d["totals"]["media_bytes"] += 1000


def _raw_manifest(raw: bytes) -> Callable[[list[Entry], Path], bytes]:
    return lambda e, w: RawZip(rebuild(e, manifest=raw)).build()


def _overlap_partial(e: list[Entry], w: Path) -> bytes:
    # The second central entry points into the middle of the first member's data.
    data = bytearray(RawZip(e).build())
    first = bytes(data).find(b"PK\x01\x02")
    second = bytes(data).find(b"PK\x01\x02", first + 4)
    struct.pack_into("<I", data, second + 42, 60)
    return bytes(data)


def _count_patch(e: list[Entry], w: Path) -> bytes:
    return RawZip(e, count_override=len(e) + 1).build()


def _fake_end_in_comment(e: list[Entry], w: Path) -> bytes:
    # A real end record whose comment is a second end record: readers disagree on which counts.
    data = bytearray(RawZip(e).build())
    fake = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, 46 + 12, 0, 0)
    struct.pack_into("<H", data, len(data) - 2, len(fake))
    return bytes(data) + fake


def _bogus_zip64_locator(e: list[Entry], w: Path) -> bytes:
    data = RawZip(e).build()
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, 0, 1)  # says the zip64 record is at 0
    return data[:-22] + locator + data[-22:]


def _truncate(fraction: float) -> Callable[[list[Entry], Path], bytes]:
    def make(e: list[Entry], w: Path) -> bytes:
        data = RawZip(e).build()
        return data[: int(len(data) * fraction)]

    return make


def _flip_media_byte(keep_crc: bool) -> Callable[[list[Entry], Path], bytes]:
    def make(e: list[Entry], w: Path) -> bytes:
        out = []
        for entry in e:
            if entry.name == "media/q1.mp4":
                changed = bytearray(entry.data)
                changed[len(changed) // 2] ^= 0xFF
                crc = zlib.crc32(entry.data) if keep_crc else None
                entry = replace(entry, data=bytes(changed), crc=crc)
            out.append(entry)
        return RawZip(out).build()

    return make


def _corrupt_central(e: list[Entry], w: Path) -> bytes:
    data = bytearray(RawZip(e).build())
    first_cd = bytes(data).find(b"PK\x01\x02")
    data[first_cd : first_cd + 4] = b"XXXX"
    return bytes(data)


def zip64_end(gap: bytes) -> Callable[[list[Entry], Path], bytes]:
    """Add a zip64 end record and locator; ``gap`` bytes hidden between them.

    Python's zipfile assumes the record sits right before its locator while the locator names
    its own offset: with a gap, two readers would see two different directories.
    """

    def make(e: list[Entry], w: Path) -> bytes:
        data = RawZip(e).build()
        n, cd_size, cd_offset = struct.unpack_from("<HxxII", data, len(data) - 22 + 8)
        record_offset = len(data) - 22
        record = struct.pack(
            "<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, cd_size, cd_offset
        )
        locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, record_offset, 1)
        return data[:-22] + record + gap + locator + data[-22:]

    return make


def _duplicate_answer(d: dict[str, Any]) -> None:
    # The same question (and so the same media file) answered twice.
    d["answers"].append(d["answers"][0])
    d["totals"]["answers"] += 1
    d["totals"]["media_files"] += 1
    d["totals"]["media_bytes"] += d["answers"][0]["media"]["size"]
    d["totals"]["answer_seconds"] += d["answers"][0]["answer_seconds"]


def _local_zip64_sizes(e: list[Entry], w: Path) -> bytes:
    # The local header of media/q1.mp4 claims zip64 sizes (0xFFFFFFFF) the directory lacks, so
    # a reader that follows local headers would take another length than we do.
    data = bytearray(RawZip(e).build())
    at = bytes(data).find(b"PK\x03\x04")
    while bytes(data[at + 30 : at + 42]) != b"media/q1.mp4":
        at = bytes(data).find(b"PK\x03\x04", at + 4)
    struct.pack_into("<II", data, at + 18, 0xFFFFFFFF, 0xFFFFFFFF)
    return bytes(data)


CASES: list[Case] = [
    # names and member types
    Case(
        "traversal-dotdot", "outside the bundle", lambda e, w: _add(e, Entry("../evil.txt", b"x"))
    ),
    Case(
        "traversal-nested",
        "outside the bundle",
        lambda e, w: _add(e, Entry("media/../../evil.txt", b"x")),
    ),
    Case("absolute-path", "absolute path", lambda e, w: _add(e, Entry("/tmp/evil.txt", b"x"))),
    Case("drive-letter", "drive", lambda e, w: _add(e, Entry("C:/evil.txt", b"x"))),
    Case("backslash", "backslash", lambda e, w: _add(e, Entry("media\\..\\evil.txt", b"x"))),
    Case(
        "nul-in-name",
        "control characters",
        lambda e, w: _add(e, Entry("media/q9.mp4\x00.txt", b"x")),
    ),
    Case(
        "control-char-name",
        "control characters",
        lambda e, w: _add(e, Entry("media/q\x07.mp4", b"x")),
    ),
    Case(
        "symlink-member",
        "a link",
        lambda e, w: RawZip(_swap(e, "media/q1.mp4", mode=stat.S_IFLNK | 0o777)).build(),
    ),
    Case(
        "fifo-member",
        "special file",
        lambda e, w: RawZip(_swap(e, "media/q2.mp4", mode=stat.S_IFIFO | 0o644)).build(),
    ),
    Case(
        "windows-reparse-point",
        "folder or link",
        lambda e, w: RawZip(
            _swap(e, "media/q1.mp4", create_system=0, mode=0, windows_attrs=0x400)
        ).build(),
    ),
    Case("directory-entry", "folder entry", lambda e, w: _add(e, Entry("media/extra/", b""))),
    Case("duplicate-name", "appears twice", lambda e, w: _add(e, Entry("manifest.json", b"{}"))),
    Case(
        "casefold-duplicate", "appears twice", lambda e, w: _add(e, Entry("MANIFEST.json", b"{}"))
    ),
    Case(
        "casefold-duplicate-media",
        "appears twice",
        lambda e, w: _add(e, Entry("media/Q1.mp4", b"x")),
    ),
    Case(
        "casefold-duplicate-long-s",
        "appears twice",
        lambda e, w: _add(e, Entry("manife\u017ft.json", b"{}")),  # long s folds to s
    ),
    Case(
        "dot-slash-name",
        "'.' path part",
        lambda e, w: RawZip(_swap(e, "manifest.json", name="./manifest.json")).build(),
    ),
    Case(
        "trailing-dot-name",
        "ends with a dot or space",
        lambda e, w: _add(e, Entry("manifest.json.", b"{}")),
    ),
    Case(
        "trailing-space-name",
        "ends with a dot or space",
        lambda e, w: _add(e, Entry("media/q1.mp4 ", b"x")),
    ),
    Case(
        "fullwidth-dotdot",
        "unexpected file",
        lambda e, w: _add(e, Entry("\uff0e\uff0e/evil.txt", b"x")),
    ),
    Case(
        "symlink-bits-other-system",
        "a link",
        lambda e, w: RawZip(
            _swap(e, "media/q1.mp4", create_system=19, mode=stat.S_IFLNK | 0o777)
        ).build(),
    ),
    Case(
        "strong-encryption-flag",
        "encrypted",
        lambda e, w: RawZip(_swap(e, "media/q1.mp4", flags=0x840)).build(),
    ),
    Case(
        "unknown-flag-bits",
        "unknown flags",
        lambda e, w: RawZip(_swap(e, "media/q1.mp4", flags=0x820)).build(),
    ),
    Case("zip64-record-apart-from-locator", "not a complete bundle", zip64_end(b"HIDE")),
    Case("local-header-zip64-sizes", "local header", _local_zip64_sizes),
    Case(
        "member-comment",
        "comment",
        lambda e, w: RawZip(_swap(e, "media/q1.mp4", comment=b"hidden words")).build(),
    ),
    Case(
        "hidden-local-extra-field",
        "extra field",
        lambda e, w: RawZip(
            _swap(e, "media/q1.mp4", local_extra=struct.pack("<HH", 0xCAFE, 6) + b"HIDDEN")
        ).build(),
    ),
    # compression and encryption
    Case(
        "deflated-manifest",
        "compressed",
        lambda e, w: RawZip(
            _swap(
                e,
                "manifest.json",
                method=zipfile.ZIP_DEFLATED,
                stored_data=_deflate(next(x.data for x in e if x.name == "manifest.json")),
            )
        ).build(),
    ),
    Case(
        "deflate-ratio-bomb",
        "compressed",
        lambda e, w: _add(
            e,
            Entry(
                "media/bomb.mp4",
                b"\0" * 5_000_000,
                method=zipfile.ZIP_DEFLATED,
                stored_data=_deflate(b"\0" * 5_000_000),
            ),
        ),
    ),
    Case(
        "lzma-member",
        "compressed",
        lambda e, w: RawZip(_swap(e, "media/q1.mp4", method=zipfile.ZIP_LZMA)).build(),
    ),
    Case(
        "encrypted-member",
        "encrypted",
        lambda e, w: RawZip(_swap(e, "media/q1.mp4", flags=0x801)).build(),
    ),
    Case(
        "data-descriptor",
        "data descriptor",
        lambda e, w: RawZip(_swap(e, "media/q1.mp4", flags=0x808)).build(),
    ),
    # byte ranges and headers
    Case(
        "overlap-same-offset",
        "overlapping",
        lambda e, w: RawZip(e, extra_central=[("media/q3.mp4", 0)]).build(),
    ),
    Case("overlap-partial", "overlapping", _overlap_partial),
    Case(
        "hidden-gap", "unexplained data", lambda e, w: RawZip(e, gap_after={0: b"HIDDEN"}).build()
    ),
    Case(
        "prepended-data",
        "unexplained data",
        lambda e, w: RawZip(e, prefix=b"MZ" + b"\0" * 200).build(),
    ),
    Case(
        "local-name-mismatch",
        "local header",
        lambda e, w: RawZip(_swap(e, "media/q1.mp4", local_name="media/q1.mp5")).build(),
    ),
    Case(
        "local-method-mismatch",
        "local header",
        lambda e, w: RawZip(_swap(e, "media/q1.mp4", local_method=zipfile.ZIP_DEFLATED)).build(),
    ),
    Case(
        "too-many-members",
        "at most 64",
        lambda e, w: _add(e, *(Entry(f"media/x{i}.mp4", b"x") for i in range(70))),
    ),
    Case("multi-disk", "multi-part", lambda e, w: RawZip(e, disk_number=1).build()),
    Case("count-mismatch", "corrupt", _count_patch),
    Case("corrupt-central-directory", "corrupt", _corrupt_central),
    # the archive itself
    Case("fake-end-record-in-comment", "zip comment", _fake_end_in_comment),
    Case("bogus-zip64-locator", "not a complete bundle", _bogus_zip64_locator),
    Case("truncated-half", "truncated", _truncate(0.5)),
    Case("truncated-one-byte", "not a complete bundle", _truncate(0.9999)),
    Case("not-a-zip", "not a complete bundle", lambda e, w: b"This is not a zip file.\n" * 100),
    Case("empty-file", "not a complete bundle", lambda e, w: b""),
    Case("crc-mismatch", "CRC", _flip_media_byte(keep_crc=True)),
    # manifest: size, depth, JSON, types, versions
    Case(
        "manifest-over-1mib",
        "at most 1,048,576",
        lambda e, w: with_manifest(e, _set("device.os", "x" * 1_100_000)),
    ),
    Case(
        "manifest-deep-nesting",
        "nested more than",
        _raw_manifest(
            b'{"format": "onetake-submission", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        ),
    ),
    Case("manifest-just-too-deep", "nested more than", lambda e, w: with_manifest(e, _nested(20))),
    Case("manifest-truncated-json", "not valid JSON", _raw_manifest(b'{"format": "onetake-sub')),
    Case("manifest-not-utf8", "not valid UTF-8", _raw_manifest(b'{"format": "\xff\xfe"}')),
    Case(
        "manifest-nan",
        "not valid JSON",
        _raw_manifest(b'{"format": "onetake-submission", "time_multiplier": NaN}'),
    ),
    Case(
        "manifest-duplicate-key",
        "duplicate key",
        _raw_manifest(b'{"format": "onetake-submission", "format": "x"}'),
    ),
    Case(
        "manifest-huge-integer",
        "not valid JSON",
        _raw_manifest(b'{"format_version": ' + b"9" * 5000 + b"}"),
    ),
    Case("manifest-not-an-object", "must be a table/object", _raw_manifest(b"[1, 2, 3]")),
    Case(
        "manifest-wrong-type-answers",
        "answers must be a list",
        lambda e, w: with_manifest(e, _set("answers", "all of them")),
    ),
    Case(
        "manifest-wrong-type-size",
        "size must be a whole number",
        lambda e, w: with_manifest(e, _set("answers.0.media.size", "16078")),
    ),
    Case(
        "manifest-future-version",
        "format version 2",
        lambda e, w: with_manifest(e, _set("format_version", 2)),
    ),
    Case(
        "manifest-unknown-field",
        "not a known field",
        lambda e, w: with_manifest(e, _set("upload_to", "http://evil.example")),
    ),
    Case(
        "manifest-wrong-format",
        "not a submission manifest",
        lambda e, w: with_manifest(e, _set("format", "onetake-kit")),
    ),
    Case(
        "manifest-bad-take-number",
        "submitted_take",
        lambda e, w: with_manifest(e, _set("answers.0.submitted_take", 7)),
    ),
    Case(
        "manifest-media-name-traversal",
        "must look like media/",
        lambda e, w: with_manifest(e, _set("answers.0.media.name", "../q1.mp4")),
    ),
    Case(
        "manifest-lists-a-file-twice",
        "repeats 'q1'",
        lambda e, w: with_manifest(e, _duplicate_answer),
    ),
    Case(
        "manifest-terminal-escape-in-name",
        "control characters",
        lambda e, w: with_manifest(e, _set("candidate_name", "Alex\x1b]0;owned\x07\x1b[2J")),
    ),
    Case(
        "manifest-bidi-override-in-name",
        "bidirectional text controls",
        lambda e, w: with_manifest(e, _set("candidate_name", "Alex \u202egpj.exe")),
    ),
    Case(
        "manifest-terminal-escape-in-text-answer",
        "control characters",
        lambda e, w: with_manifest(e, _set("answers.2.text", "Dear Sam,\n\x1b[31mrefund\x1b[0m")),
    ),
    Case(
        "manifest-terminal-escape-in-device",
        "control characters",
        lambda e, w: with_manifest(e, _set("device.camera", "cam\x1b[2J")),
    ),
    Case(
        "manifest-terminal-escape-in-unknown-key",
        "\\x1b[2J",  # shown escaped, never sent to the terminal as it is
        lambda e, w: with_manifest(e, _set("\x1b[2J", 1)),
    ),
    Case(
        "manifest-totals-lie",
        "does not match",
        lambda e, w: with_manifest(e, _set("totals.media_bytes", 1)),
    ),
    # files versus manifest
    Case(
        "missing-media",
        "missing the answer file",
        lambda e, w: RawZip(
            rebuild(
                [x for x in e if x.name != "media/q2.mp4"],
                media={n.name: n.data for n in e if n.name == "media/q1.mp4"},
                fix_payload=False,
            )
        ).build(),
    ),
    Case(
        "extra-file", "unexpected file", lambda e, w: _add(e, Entry("media/q9.mp4", b"not listed"))
    ),
    Case(
        "missing-manifest",
        "no manifest.json",
        lambda e, w: RawZip([x for x in e if x.name != "manifest.json"]).build(),
    ),
    Case(
        "missing-tag-manifest",
        "no tagmanifest",
        lambda e, w: RawZip([x for x in e if x.name != "tagmanifest-sha256.txt"]).build(),
    ),
    Case(
        "size-mismatch",
        "but the manifest says",
        lambda e, w: with_manifest(e, _size_lie),
    ),
    Case("sha256-mismatch", "does not match its SHA-256", _flip_media_byte(keep_crc=False)),
    Case(
        "manifest-changed-after-sealing",
        "does not match its checksum",
        lambda e, w: RawZip(
            _swap(
                e,
                "manifest.json",
                data=next(x.data for x in e if x.name == "manifest.json").replace(b"Alex", b"Alix"),
            )
        ).build(),
    ),
    Case(
        "payload-manifest-disagrees",
        "disagrees with its manifest",
        lambda e, w: RawZip(_payload_swap(e)).build(),
    ),
    # media content (allow list, probed in a limited child process)
    Case(
        "media-codec-not-allowed",
        "codec 'mpeg4' is not allowed",
        lambda e, w: with_media(e, "media/q1.mp4", _media_bytes(w, "mpeg4", video="mpeg4")),
    ),
    Case(
        "media-audio-codec-not-allowed",
        "codec 'mp3' is not allowed",
        lambda e, w: with_media(
            e, "media/q1.mp4", _media_bytes(w, "mp3", video="libx264", audio="libmp3lame")
        ),
    ),
    Case(
        "media-container-not-allowed",
        "container",
        lambda e, w: with_media(e, "media/q1.mp4", _media_bytes(w, "ts", container="mpegts")),
    ),
    Case(
        "media-garbage",
        "not a media file",
        lambda e, w: with_media(e, "media/q1.mp4", b"\x00garbage" * 2000),
    ),
    Case(
        "media-vp8-in-webm",
        "codec 'vp8' is not allowed",
        lambda e, w: with_media(
            e,
            "media/q2.mp4",
            _media_bytes(
                w, "vp8", video="libvpx", audio="libopus", container="webm", size=(160, 120)
            ),
            container="webm",
            video_codec="vp9",  # the manifest lies; the probe finds VP8
            audio_codec="opus",
        ),
    ),
    Case(
        "media-no-video-for-video-answer",
        "but the manifest says",
        lambda e, w: with_media(e, "media/q1.mp4", _media_bytes(w, "audio", video=None)),
    ),
    Case(
        "media-header-bomb",  # 40 M samples declared in 60 bytes: 2.8 GB to open unchecked
        "header declares 40,000,000 samples",
        lambda e, w: with_media(e, "media/q1.mp4", header_bomb(w / "bomb.mp4").read_bytes()),
    ),
    Case(
        "media-duration-lies",
        "lasts",
        lambda e, w: with_media(e, "media/q1.mp4", _media_bytes(w, "long", seconds=4.0)),
    ),
]


def _payload_swap(e: list[Entry]) -> list[Entry]:
    # The payload manifest names a different hash than manifest.json (tags kept consistent).
    by = {x.name: x for x in e}
    payload = b"0" * 64 + by["manifest-sha256.txt"].data[64:]
    m = by["manifest.json"].data
    return [
        *(x for x in e if x.name.startswith("media/")),
        Entry("manifest.json", m),
        Entry("manifest-sha256.txt", payload),
        Entry("tagmanifest-sha256.txt", _tags(m, payload)),
    ]


def generate(folder: Path) -> list[tuple[Case, Path]]:
    """Write the sound bundle and every hostile case into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / "work"
    base = sound_bundle(work)
    entries = entries_of(base)
    out = []
    for case in CASES:
        path = folder / f"{case.name}.onetake"
        path.write_bytes(case.make(entries, work))
        out.append((case, path))
    return out


if __name__ == "__main__":
    written = generate(Path(sys.argv[1]))
    print(f"{len(written)} hostile bundles in {sys.argv[1]}")


# --- bundles that are well formed but contradict their interview (domain/conformance.py) -----


def _retotal(d: dict[str, Any]) -> None:
    """Recompute the manifest's totals after an edit, so that only the edit is wrong."""
    answers = d["answers"]
    d["totals"] = {
        "answers": len(answers),
        "answer_seconds": round(sum(a["answer_seconds"] for a in answers), 3),
        "media_files": sum(1 for a in answers if a.get("media")),
        "media_bytes": sum(a["media"]["size"] for a in answers if a.get("media")),
    }


def edited(entries: list[Entry], edit: Callable[[dict[str, Any]], object]) -> bytes:
    """A bundle whose manifest ``edit`` changed, with totals, checksums and media members made
    to agree with it (a media file the edit no longer names is left out)."""
    data = manifest_dict(entries)
    edit(data)
    _retotal(data)
    answers: list[dict[str, Any]] = data["answers"]
    named = {a["media"]["name"] for a in answers if a.get("media")}
    files = {e.name: e.data for e in entries if e.name in named}
    return RawZip(rebuild(entries, manifest=json.dumps(data).encode(), media=files)).build()


@dataclass(frozen=True)
class ConformanceCase:
    name: str
    # "refused" (with ``expect`` in the sentence), or the flag code it is imported with
    outcome: str
    expect: str
    edit: Callable[[dict[str, Any]], object]


def _answer(i: int, **changes: object) -> Callable[[dict[str, Any]], None]:
    def edit(d: dict[str, Any]) -> None:
        d["answers"][i].update(changes)

    return edit


def _video_as_text(d: dict[str, Any]) -> None:
    a = d["answers"][0]
    a.pop("media")
    a.update(answer_type="text", text="I would rather type.")


CONFORMANCE_CASES: list[ConformanceCase] = [
    # impossible: refused
    ConformanceCase(
        "unknown-question", "refused", "does not ask ('q9')", _answer(2, question_id="q9")
    ),
    ConformanceCase("video-question-typed", "refused", "asks for a video answer", _video_as_text),
    ConformanceCase(
        "unknown-kit-hash", "refused", "kit", _set("kit.content_hash", "sha256:" + "1" * 64)
    ),
    # rule breaches: imported with a flag
    ConformanceCase("eleven-takes", "takes-over-limit", "11 takes", _answer(0, takes_used=11)),
    ConformanceCase(
        "hour-long-answer", "answer-time-over-limit", "3600 s", _answer(1, answer_seconds=3600.0)
    ),
    ConformanceCase(
        "long-typing",
        "answer-time-over-limit",
        "the limit is 900 s",
        _answer(2, answer_seconds=5000.0),
    ),
    ConformanceCase(
        "long-thinking", "think-time-over-limit", "300 s", _answer(0, think_seconds_used=300.0)
    ),
    ConformanceCase(
        "other-notice",
        "consent-not-the-notice",
        "another privacy notice",
        _set("consent.notice_sha256", "sha256:" + "2" * 64),
    ),
    ConformanceCase(
        "accommodation-not-offered",
        "accommodation-not-offered",
        "'sign-language'",
        _set("accommodations", ["extra-time", "sign-language"]),
    ),
    ConformanceCase(
        "triple-time", "time-multiplier-too-high", "at most 1.5", _set("time_multiplier", 3.0)
    ),
    ConformanceCase(
        "text-too-long", "text-too-long", "the limit is 1,500", _answer(2, text="word " * 400)
    ),
    ConformanceCase(
        "missing-answer",
        "answer-missing",
        "Question q3 was not answered",
        lambda d: d["answers"].pop(2),
    ),
]

# Outside text that is not plain text: each refused with one sentence (exit 3).
TEXT_CASES: list[Case] = [
    Case(
        "lone-surrogate-in-name",
        "lone UTF-16 surrogate",
        lambda e, w: with_manifest(e, _set("candidate_name", "Alex \ud800Example")),
    ),
    Case(
        "line-separator-in-name",
        "line or paragraph separators",
        lambda e, w: with_manifest(e, _set("candidate_name", "Alex\u2028Panel: approved")),
    ),
    Case(
        "paragraph-separator-in-answer",
        "line or paragraph separators",
        lambda e, w: with_manifest(e, _set("answers.2.text", "Dear Sam,\u2029Score: 5")),
    ),
    Case(
        "bidi-isolate-in-name",
        "bidirectional text controls",
        lambda e, w: with_manifest(e, _set("candidate_name", "Alex \u2067Example\u2069")),
    ),
    Case(
        "right-to-left-mark-in-email",
        "bidirectional text controls",
        lambda e, w: with_manifest(e, _set("candidate_email", "alex\u200f@example.org")),
    ),
    Case(
        "arabic-letter-mark-in-answer",
        "bidirectional text controls",
        lambda e, w: with_manifest(e, _set("answers.2.text", "Dear Sam,\n\u061cthanks")),
    ),
    Case(
        "lone-surrogate-in-device",
        "lone UTF-16 surrogate",
        lambda e, w: with_manifest(e, _set("device.camera", "cam \udfff")),
    ),
    Case(
        "manifest-starts-with-bom",
        "byte-order mark",
        lambda e, w: RawZip(rebuild(e, manifest=b"\xef\xbb\xbf" + manifest_dict_bytes(e))).build(),
    ),
]


def manifest_dict_bytes(entries: list[Entry]) -> bytes:
    return next(x.data for x in entries if x.name == "manifest.json")
