"""Finding and keeping takes that were interrupted (a crash, a kill, a power cut).

A take is written as fragmented MP4 (``q01.mp4.partial``): a header, then self-contained
fragments (``moof`` + ``mdat``) every half second. Whatever the interruption, every fragment
that reached the disk whole is playable. Recovery cuts the file after its last whole fragment,
copies the packets (no re-encoding) into an ordinary MP4 under the final name, and reports
how much was kept. The box walk is plain Python; only the copy uses PyAV.
"""

from __future__ import annotations

import contextlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from onetake_desktop.durable import fsync_directory

PARTIAL_SUFFIX = ".partial"
_HEADER_BOXES = {b"ftyp", b"moov", b"free", b"skip", b"wide", b"uuid", b"styp", b"sidx"}


@dataclass(frozen=True)
class Box:
    kind: bytes
    offset: int
    size: int

    @property
    def end(self) -> int:
        return self.offset + self.size


def read_boxes(stream: BinaryIO, length: int) -> tuple[list[Box], bool]:
    """Top-level boxes that lie whole within ``length`` bytes, and whether all of them did."""
    boxes: list[Box] = []
    offset = 0
    while offset + 8 <= length:
        stream.seek(offset)
        header = stream.read(16)
        if len(header) < 8:
            return boxes, False
        size, kind = struct.unpack(">I4s", header[:8])
        if size == 1:
            if len(header) < 16:
                return boxes, False
            size = struct.unpack(">Q", header[8:16])[0]
        elif size == 0:  # "to the end of the file": only a finished writer may say that
            size = length - offset
        if size < 8 or offset + size > length:
            return boxes, False
        boxes.append(Box(kind, offset, size))
        offset += size
    return boxes, offset == length


def last_whole_fragment_end(boxes: list[Box]) -> tuple[int, bool]:
    """(bytes worth keeping, whether they hold any media) for a box list from ``read_boxes``.

    Media ends after an ``mdat``; a ``moof`` without its ``mdat`` is cut off, as is anything
    before the ``moov`` header exists.
    """
    keep = 0
    has_moov = False
    has_media = False
    for box in boxes:
        if box.kind == b"moov":
            has_moov = True
            keep = box.end
        elif box.kind == b"mdat":
            if has_moov:
                keep, has_media = box.end, True
        elif box.kind in _HEADER_BOXES and not has_media:
            keep = box.end if has_moov else keep
    # A finished plain MP4 (ftyp, mdat, moov) keeps everything.
    kinds = [b.kind for b in boxes]
    if b"mdat" in kinds and b"moov" in kinds and kinds.index(b"mdat") < kinds.index(b"moov"):
        return boxes[-1].end, True
    return keep, has_media


def truncate_to_last_fragment(path: Path) -> tuple[int, bool]:
    """Cut ``path`` after its last whole fragment, in place; (bytes kept, has media)."""
    with path.open("r+b") as stream:
        length = os.fstat(stream.fileno()).st_size
        boxes, _ = read_boxes(stream, length)
        keep, has_media = last_whole_fragment_end(boxes)
        if keep < length:
            stream.truncate(keep)
            stream.flush()
            os.fsync(stream.fileno())
    return keep, has_media


def _children(data: bytes, start: int, end: int) -> list[Box]:
    boxes = []
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size < 8 or offset + size > end:
            break
        boxes.append(Box(kind, offset, size))
        offset += size
    return boxes


def drop_edit_lists(path: Path) -> int:
    """Turn every ``moov/trak/edts`` box into ``free`` in place; returns how many.

    The header a take writes first carries an edit list from before the take's length was
    known; a file cut after its first fragment would show one picture with it.
    """
    patched = 0
    with path.open("r+b") as stream:
        length = os.fstat(stream.fileno()).st_size
        boxes, _ = read_boxes(stream, length)
        for moov in (b for b in boxes if b.kind == b"moov"):
            stream.seek(moov.offset)
            data = stream.read(moov.size)
            for trak in _children(data, 8, len(data)):
                if trak.kind != b"trak":
                    continue
                for child in _children(data, trak.offset + 8, trak.end):
                    if child.kind == b"edts":
                        stream.seek(moov.offset + child.offset + 4)
                        stream.write(b"free")
                        patched += 1
        if patched:
            stream.flush()
            os.fsync(stream.fileno())
    return patched


@dataclass(frozen=True)
class RecoveredTake:
    """One interrupted take: kept under ``path`` with ``duration_seconds``, or discarded."""

    partial: Path
    path: Path | None
    kept: bool
    duration_seconds: float
    size_bytes: int
    message: str
    container: str = "mp4"
    video_codec: str | None = None
    audio_codec: str | None = None


def recover_partials(folder: Path) -> list[RecoveredTake]:
    """Keep every ``*.partial`` take in ``folder`` up to its last whole fragment."""
    results = []
    for partial in sorted(folder.glob(f"*{PARTIAL_SUFFIX}")):
        if partial.is_file():
            results.append(recover_partial(partial))
    return results


def recover_partial(partial: Path) -> RecoveredTake:
    final = partial.with_name(partial.name[: -len(PARTIAL_SUFFIX)])
    if final.exists():
        # The rename is the last step of a finished take, so the final file is the whole one.
        partial.unlink()
        return RecoveredTake(partial, final, False, 0.0, 0, "A leftover copy was removed.")
    try:
        _, has_media = truncate_to_last_fragment(partial)
    except OSError as error:
        return RecoveredTake(
            partial, None, False, 0.0, 0, f"The interrupted take could not be read ({error})."
        )
    if not has_media:
        partial.unlink()
        return RecoveredTake(
            partial,
            None,
            False,
            0.0,
            0,
            "The take was interrupted before anything could be saved, so it was removed.",
        )
    temp = final.with_name(final.name + ".recovering")
    try:
        duration = _remux(partial, temp)
        os.replace(temp, final)
        partial.unlink()
    except Exception:
        with contextlib.suppress(OSError):
            temp.unlink()
        # Still playable as a fragmented MP4 (no room for a copy, say): keep it as it is
        # under the final name, without the early edit list that would hide its pictures.
        try:
            drop_edit_lists(partial)
            duration = probe_duration(partial)
        except Exception:
            damaged = final.with_name(final.name + ".damaged")
            os.replace(partial, damaged)  # kept aside, never offered as an answer
            return RecoveredTake(
                partial, damaged, False, 0.0, 0, "The interrupted take was unreadable."
            )
        os.replace(partial, final)
    with contextlib.suppress(OSError):  # the take is whole; durability is best effort here
        fsync_directory(final.parent)
    video_codec, audio_codec = _codecs(final)
    return RecoveredTake(
        partial,
        final,
        True,
        duration,
        final.stat().st_size,
        f"An interrupted take was recovered ({duration:.1f} s kept).",
        "mp4",
        video_codec,
        audio_codec,
    )


def _codecs(path: Path) -> tuple[str | None, str | None]:
    import av

    video = audio = None
    with contextlib.suppress(Exception), av.open(str(path)) as container:
        if container.streams.video:
            video = container.streams.video[0].codec_context.name
        if container.streams.audio:
            audio = container.streams.audio[0].codec_context.name
    return video, audio


def _media_extent(packets: dict[int, list[float]]) -> float:
    starts = [span[0] for span in packets.values()]
    ends = [span[1] for span in packets.values()]
    return max(ends) - max(0.0, min(starts)) if ends else 0.0


# FFmpeg's AAC encoder starts every stream with 1024 samples of priming.
AAC_PRIMING_SAMPLES = 1024
# The header a take writes first holds an edit list from before the take's length was known;
# read the raw sample timing instead (and skip the AAC priming ourselves).
_RAW_TIMING = {"ignore_editlist": "1"}


def _priming(stream: Any) -> int:
    """AAC priming in the stream's time base, to move its first real sample to zero."""
    if stream.type != "audio" or stream.codec_context.name != "aac":
        return 0
    rate = stream.codec_context.sample_rate or 48_000
    samples: int = round(AAC_PRIMING_SAMPLES / rate / stream.time_base)
    return samples


def _remux(source: Path, target: Path) -> float:
    import av

    spans: dict[int, list[float]] = {}
    with (
        av.open(str(source), options=_RAW_TIMING) as inp,
        av.open(str(target), "w", format="mp4") as out,
    ):
        mapping: dict[int, Any] = {}
        shift: dict[int, int] = {}
        for stream in inp.streams:
            if stream.type in ("video", "audio"):
                mapping[stream.index] = out.add_stream_from_template(stream)
                shift[stream.index] = _priming(stream)
        for packet in inp.demux(*[inp.streams[i] for i in mapping]):
            if packet.dts is None or packet.pts is None:
                continue
            index = packet.stream.index
            packet.pts -= shift[index]
            packet.dts -= shift[index]
            _extend(spans, packet)
            packet.stream = mapping[index]
            out.mux(packet)
    with target.open("rb") as written:
        os.fsync(written.fileno())
    return _media_extent(spans)


def _extend(spans: dict[int, list[float]], packet: Any) -> None:
    tb = packet.time_base
    start = float(packet.pts * tb)
    end = float((packet.pts + (packet.duration or 0)) * tb)
    span = spans.setdefault(packet.stream.index, [start, end])
    span[0], span[1] = min(span[0], start), max(span[1], end)


def probe_duration(path: Path) -> float:
    """Seconds of media in ``path`` from its packets (works for fragmented files too)."""
    import av

    spans: dict[int, list[float]] = {}
    with av.open(str(path), options=_RAW_TIMING) as inp:
        shift = {stream.index: _priming(stream) for stream in inp.streams}
        for packet in inp.demux():
            if packet.pts is not None:
                packet.pts -= shift[packet.stream.index]
                _extend(spans, packet)
    return _media_extent(spans)
