"""A small, bounded reader of MP4 sample tables for the media probe (media/probe_child.py).

Demuxing every packet through PyAV costs ~4 us of Python per packet (~50 ms for a 2-minute
720p answer). What the probe needs from that loop (how many samples each track has, the
largest, where each one's data is, and where the track ends) is written in the file's boxes:
``moov/trak/.../stbl`` (stsz, stco/co64, stsc, stts, ctts) for an ordinary MP4 (what the
recorder leaves after a clean close) and ``moof/traf`` (tfhd, tfdt, trun) for a fragmented one.
This module reads those boxes with ``os.pread`` (never the whole file: the prober's address
space is limited) and expands them with arrays, not a loop per sample.

It models only the plain shape FFmpeg and the recorder write (H.264 and AAC, one sample
description each, at most the AAC priming edit). Anything else (a box it does not know in a
place that matters, another edit list, several sample descriptions, a lying size, data past
the end of the file, a bound exceeded) raises :class:`Unsure`, and the probe demuxes every
packet instead, exactly as before. It never refuses a file itself: what it
returns is checked by the same rules as the full demux, and the probe cross-checks it against
FFmpeg's own packets at the start and at the end of each track.
"""

from __future__ import annotations

import os
import struct
import sys
from array import array
from itertools import accumulate, pairwise

MAX_TOP_BOXES = 200_000  # a 3-hour take in half-second fragments has ~43,000 moof + mdat
MAX_MOOV_BYTES = 64 * 1024 * 1024
MAX_MOOF_BYTES = 4 * 1024 * 1024
MAX_TRACK_SAMPLES = 1_000_000  # probe_child.MAX_SAMPLES
MAX_TRACKS = 2
_SKIPPED_TOP = {b"ftyp", b"free", b"skip", b"wide", b"mdat", b"mfra"}
_MOOV_CHILDREN = {b"mvhd", b"trak", b"mvex", b"udta", b"free", b"skip", b"iods"}
_TRAK_CHILDREN = {b"tkhd", b"mdia", b"edts", b"udta", b"free", b"skip"}
_MDIA_CHILDREN = {b"mdhd", b"hdlr", b"minf", b"udta", b"free", b"skip"}
_MINF_CHILDREN = {b"vmhd", b"smhd", b"dinf", b"stbl", b"free", b"skip"}
_STBL_CHILDREN = {
    *(b"stsd", b"stts", b"stss", b"ctts", b"stsc", b"stsz", b"stco", b"co64"),
    *(b"sgpd", b"sbgp", b"sdtp", b"free", b"skip"),
}
_CODECS = {b"vide": b"avc1", b"soun": b"mp4a"}  # what the fast path knows: H.264 and AAC


assert array("I").itemsize == 4


class Unsure(Exception):
    """Not the plain shape modelled here: demux every packet instead."""


class Run:
    """Consecutive samples of one track stored back to back (an stbl chunk, a trun)."""

    __slots__ = ("first", "offset")

    def __init__(self, offset: int, first: int) -> None:
        self.offset = offset  # file offset of the first sample's data
        self.first = first  # index of its first sample in the track


class Track:
    """One track's samples as the tables give them. (Plain classes, not dataclasses: the
    prober imports as little as it can at start-up.)"""

    def __init__(self, track_id: int, handler: bytes, timescale: int, shift: int = 0) -> None:
        self.track_id = track_id
        self.handler = handler  # b"vide" or b"soun"
        self.timescale = timescale
        self.sizes: array[int] = array("I")
        self.dts: array[int] = array("q")
        self.runs: list[Run] = []
        self.end = 0  # the latest pts + duration, in the track's time base
        self.next_dts = 0  # where the next fragment may start
        self.default_duration = 0  # trex
        self.default_size = 0
        self.in_moov = 0  # samples described by the moov's own table
        self.shift = shift  # where its edit starts: FFmpeg's timestamps are the tables' minus it
        self.fragmented = False  # it has defaults for fragments (trex): FFmpeg reads its trafs

    @property
    def count(self) -> int:
        return len(self.sizes)

    def run_bounds(self, i: int) -> tuple[int, int, int]:
        """(file offset, first sample, sample after the last) of run ``i``."""
        run = self.runs[i]
        stop = self.runs[i + 1].first if i + 1 < len(self.runs) else len(self.sizes)
        return run.offset, run.first, stop


def _u32s(data: bytes, at: int, count: int) -> array[int]:
    values = array("I")  # 4 bytes wherever Python runs (checked at import)
    values.frombytes(data[at : at + 4 * count])
    if len(values) != count:
        raise Unsure
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _i32(values: array[int]) -> list[int]:
    return [v - (1 << 32) if v >= 1 << 31 else v for v in values]


def _children(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes in data[start:end]; a size that does not
    fit its parent raises Unsure."""
    out = []
    at = start
    while at < end:
        if at + 8 > end:
            raise Unsure
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            if at + 16 > end:
                raise Unsure
            size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise Unsure
        out.append((kind, at + header, at + size))
        at += size
        if len(out) > 10_000:
            raise Unsure
    return out


def _only(
    found: list[tuple[bytes, int, int]], allowed: set[bytes]
) -> dict[bytes, list[tuple[int, int]]]:
    boxes: dict[bytes, list[tuple[int, int]]] = {}
    for kind, start, end in found:
        if kind not in allowed:
            raise Unsure
        boxes.setdefault(kind, []).append((start, end))
    return boxes


def _one(
    boxes: dict[bytes, list[tuple[int, int]]], kind: bytes, needed: bool = True
) -> tuple[int, int] | None:
    found = boxes.get(kind, [])
    if len(found) > 1 or (needed and not found):
        raise Unsure
    return found[0] if found else None


def _full(data: bytes, box: tuple[int, int], minimum: int) -> tuple[int, int, int]:
    """A full box's version, flags and payload start (after them); at least ``minimum``
    payload bytes after version and flags."""
    start, end = box
    if end - start < 4 + minimum:
        raise Unsure
    word = struct.unpack_from(">I", data, start)[0]
    return word >> 24, word & 0xFFFFFF, start + 4


class _File:
    def __init__(self, fd: int, size: int) -> None:
        self.fd, self.size = fd, size

    def read(self, at: int, n: int) -> bytes:
        data = os.pread(self.fd, n, at)
        if len(data) != n:
            raise Unsure
        return data


def read_tracks(path: str) -> list[Track]:
    """The sample tables of an MP4 file, in the order of its tracks; Unsure if the file is not
    of the plain shape modelled here."""
    if not hasattr(os, "pread"):  # Windows: the probe demuxes every packet there
        raise Unsure
    fd = os.open(path, os.O_RDONLY)
    try:
        return _read(_File(fd, os.fstat(fd).st_size))
    finally:
        os.close(fd)


def _read(f: _File) -> list[Track]:
    tracks: list[Track] | None = None
    at, boxes = 0, 0
    ahead, ahead_at = b"", -1  # the next box's header, read with the box before it
    while at < f.size:
        boxes += 1
        if boxes > MAX_TOP_BOXES or at + 8 > f.size:
            raise Unsure
        want = min(16, f.size - at)
        head = ahead[:want] if ahead_at == at and len(ahead) >= want else f.read(at, want)
        size, kind = struct.unpack_from(">I4s", head)
        header = 8
        if size == 1:
            if len(head) < 16:
                raise Unsure
            size, header = struct.unpack_from(">Q", head, 8)[0], 16
        elif size == 0:
            size = f.size - at
        if size < header or at + size > f.size:
            raise Unsure  # cut short or lying: the full demux decides
        if kind == b"moov":
            if tracks is not None or size > MAX_MOOV_BYTES:
                raise Unsure
            tracks = _moov(f.read(at + header, size - header), f.size)
        elif kind == b"moof":
            if tracks is None or size > MAX_MOOF_BYTES:
                raise Unsure
            data = f.read(at, min(size + 16, f.size - at))  # and the mdat's header
            ahead, ahead_at = data[size:], at + size
            _moof(data[:size], header, at, tracks, f.size)
        elif kind not in _SKIPPED_TOP:
            raise Unsure
        at += size
    if tracks is None or not all(track.count for track in tracks):
        raise Unsure
    return tracks


def _moov(data: bytes, file_size: int) -> list[Track]:
    boxes = _only(_children(data, 0, len(data)), _MOOV_CHILDREN)
    traks = boxes.get(b"trak", [])
    if not 1 <= len(traks) <= MAX_TRACKS:
        raise Unsure
    tracks = [_trak(data, start, end, file_size) for start, end in traks]
    if len({t.track_id for t in tracks}) != len(tracks):
        raise Unsure
    mvex = _one(boxes, b"mvex", needed=False)
    if mvex is not None:
        inside = _only(_children(data, *mvex), {b"mehd", b"trex"})
        by_id = {t.track_id: t for t in tracks}
        for box in inside.get(b"trex", []):
            _version, _flags, p = _full(data, box, 20)
            track_id, description, duration, size = struct.unpack_from(">IIII", data, p)
            track = by_id.get(track_id)
            if track is None or description != 1:
                raise Unsure
            track.default_duration, track.default_size = duration, size
            track.fragmented = True
    return tracks


def _trak(data: bytes, start: int, end: int, file_size: int) -> Track:
    trak = _only(_children(data, start, end), _TRAK_CHILDREN)
    version, _flags, p = _full(data, _one(trak, b"tkhd") or (0, 0), 20)
    track_id = struct.unpack_from(">I", data, p + (16 if version == 1 else 8))[0]
    edts = _one(trak, b"edts", needed=False)
    shift = _edit_start(data, edts) if edts is not None else 0
    mdia = _only(_children(data, *(_one(trak, b"mdia") or (0, 0))), _MDIA_CHILDREN)
    version, _flags, p = _full(data, _one(mdia, b"mdhd") or (0, 0), 20)
    timescale = struct.unpack_from(">I", data, p + (16 if version == 1 else 8))[0]
    _v, _f, p = _full(data, _one(mdia, b"hdlr") or (0, 0), 8)
    handler = data[p + 4 : p + 8]
    if handler not in _CODECS or not timescale or (shift and handler != b"soun"):
        raise Unsure
    track = Track(track_id, handler, timescale, shift=shift)
    minf = _only(_children(data, *(_one(mdia, b"minf") or (0, 0))), _MINF_CHILDREN)
    _data_is_in_this_file(data, _one(minf, b"dinf") or (0, 0))
    _stbl(data, _one(minf, b"stbl") or (0, 0), track, file_size)
    return track


def _edit_start(data: bytes, edts: tuple[int, int]) -> int:
    """Where a track's one edit starts in its media (FFmpeg then gives every timestamp that
    much earlier: the recorder's AAC track starts 1024 samples in, after the encoder's
    priming). Several edits, an empty one or another rate drop or move samples: Unsure."""
    inside = _only(_children(data, *edts), {b"elst"})
    version, _flags, p = _full(data, _one(inside, b"elst") or (0, 0), 4)
    count = struct.unpack_from(">I", data, p)[0]
    width = 8 if version == 1 else 4
    if count != 1 or p + 4 + 2 * width + 4 > edts[1]:
        raise Unsure
    media_time = int.from_bytes(data[p + 4 + width : p + 4 + 2 * width], "big", signed=True)
    rate = struct.unpack_from(">I", data, p + 4 + 2 * width)[0]
    if media_time < 0 or media_time >= 1 << 31 or rate != 0x00010000:
        raise Unsure
    return media_time


def _data_is_in_this_file(data: bytes, dinf: tuple[int, int]) -> None:
    # A data reference to another file would make FFmpeg open it: only "this file".
    inside = _only(_children(data, *dinf), {b"dref"})
    _v, _f, p = _full(data, _one(inside, b"dref") or (0, 0), 4)
    if struct.unpack_from(">I", data, p)[0] != 1:
        raise Unsure
    entries = _children(data, p + 4, inside[b"dref"][0][1])
    if len(entries) != 1 or entries[0][0] != b"url ":
        raise Unsure
    _v, flags, _p = _full(data, entries[0][1:], 0)
    if flags != 1:
        raise Unsure


def _table(
    data: bytes, box: tuple[int, int] | None, width: int, skip: int = 0
) -> tuple[int, array[int]]:
    """A full box's entry count and entries (``width`` 32-bit words each) after ``skip``
    bytes; the count must fit the box and the sample bound."""
    if box is None:
        return 0, array("I")
    version, _flags, p = _full(data, box, skip + 4)
    count = struct.unpack_from(">I", data, p + skip)[0]
    if count > MAX_TRACK_SAMPLES or p + skip + 4 + 4 * width * count > box[1]:
        raise Unsure
    return version, _u32s(data, p + skip + 4, width * count)


def _stbl(data: bytes, box: tuple[int, int], track: Track, file_size: int) -> None:
    stbl = _only(_children(data, *box), _STBL_CHILDREN)
    _v, _f, p = _full(data, _one(stbl, b"stsd") or (0, 0), 12)
    if struct.unpack_from(">I", data, p)[0] != 1:  # one sample description: no new extradata
        raise Unsure
    if data[p + 8 : p + 12] != _CODECS[track.handler]:
        raise Unsure
    # Sizes: a constant, or one per sample.
    _v, _f, p = _full(data, _one(stbl, b"stsz") or (0, 0), 8)
    constant, count = struct.unpack_from(">II", data, p)
    if count > MAX_TRACK_SAMPLES:
        raise Unsure
    if constant:
        sizes = array("I", [constant]) * count
    else:
        if p + 8 + 4 * count > stbl[b"stsz"][0][1]:
            raise Unsure
        sizes = _u32s(data, p + 8, count)
    if _one(stbl, b"stco", needed=False) is not None:
        if b"co64" in stbl:
            raise Unsure
        _v, stco = _table(data, _one(stbl, b"stco"), 1)
        chunk_offsets: list[int] = stco.tolist()
    else:
        _v, words = _table(data, _one(stbl, b"co64"), 2)
        chunk_offsets = [hi << 32 | lo for hi, lo in zip(words[::2], words[1::2], strict=True)]
    _v, stsc = _table(data, _one(stbl, b"stsc"), 3)
    _v, stts = _table(data, _one(stbl, b"stts"), 2)
    _v, ctts = _table(data, _one(stbl, b"ctts", needed=False), 2)
    if not count:
        if chunk_offsets or len(stsc) or len(stts) or len(ctts):
            raise Unsure
        return
    # Samples per chunk: runs of chunks with the same count, description 1 only.
    firsts, per_chunk, descriptions = stsc[::3], stsc[1::3], stsc[2::3]
    if not firsts or firsts[0] != 1 or any(d != 1 for d in descriptions) or 0 in per_chunk:
        raise Unsure
    chunks = len(chunk_offsets)
    bounds = [*firsts, chunks + 1]
    if any(b >= c for b, c in pairwise(bounds)):
        raise Unsure
    track.sizes = sizes
    sample = 0
    for j, n in enumerate(per_chunk):
        for chunk in range(bounds[j] - 1, bounds[j + 1] - 1):
            if sample + n > count:
                raise Unsure
            track.runs.append(Run(chunk_offsets[chunk], sample))
            sample += n
    if sample != count:
        raise Unsure
    _runs_fit_the_file(track, 0, file_size)
    if track.handler == b"soun" and len(stts) == 2 and stts[1] == 1:
        raise Unsure  # FFmpeg reads such audio a chunk per packet, not a sample per packet
    durations = _expand(stts, count)
    offsets: array[int] | None = None
    if len(ctts):  # FFmpeg reads composition offsets as signed, whatever the version
        offsets = _expand(array("q", _i32(ctts)), count)
    _timestamps(track, 0, durations, offsets)
    track.in_moov = count


def _expand(pairs: array[int], count: int) -> array[int]:
    """(count, value) runs as one value per sample; they must cover exactly ``count``."""
    runs, values = pairs[::2], pairs[1::2]
    if sum(runs) != count:
        raise Unsure
    out = array("q")
    for n, value in zip(runs, values, strict=True):
        out.extend(array("q", [value]) * n)
    return out


def _timestamps(
    track: Track, start: int, durations: array[int], offsets: array[int] | None
) -> None:
    """Append the decode times of new samples starting at ``start`` and move the track's end:
    FFmpeg's pts is dts plus the composition offset, its duration the sample's."""
    if len(durations) and max(durations) >= 1 << 31:  # FFmpeg reads these as negative
        raise Unsure
    dts = array("q", accumulate(durations, initial=start))
    track.next_dts = dts.pop()
    track.dts.extend(dts)
    if offsets is None:
        end = track.next_dts
    else:
        if len(offsets) != len(durations) or (len(offsets) and min(offsets) < 0):
            raise Unsure
        end = max(map(sum, zip(dts, offsets, durations, strict=True)))
    track.end = max(track.end, end)


def _runs_fit_the_file(track: Track, first_run: int, file_size: int) -> None:
    """Every sample's data lies inside the file, and no sample is empty or overlong."""
    for i in range(first_run, len(track.runs)):
        offset, first, stop = track.run_bounds(i)
        if offset < 0 or offset + sum(track.sizes[first:stop]) > file_size:
            raise Unsure
    if len(track.sizes) and min(track.sizes[track.runs[first_run].first :]) == 0:
        raise Unsure


def _moof(data: bytes, header: int, moof_at: int, tracks: list[Track], file_size: int) -> None:
    inside = _only(_children(data, header, len(data)), {b"mfhd", b"traf"})
    _one(inside, b"mfhd")
    by_id = {t.track_id: t for t in tracks}
    seen: set[int] = set()
    for start, end in inside.get(b"traf", []):
        traf = _only(_children(data, start, end), {b"tfhd", b"tfdt", b"trun", b"sdtp"})
        _v, flags, p = _full(data, _one(traf, b"tfhd") or (0, 0), 4)
        if flags & ~0x3003B:
            raise Unsure
        track_id = struct.unpack_from(">I", data, p)[0]
        track = by_id.get(track_id)
        if track is None or track_id in seen or not track.fragmented:
            raise Unsure  # without its trex FFmpeg skips the fragment: not modelled
        seen.add(track_id)
        p += 4
        fields: list[int | None] = []
        for bit in (0x01, 0x02, 0x08, 0x10, 0x20):
            if flags & bit:
                width = 8 if bit == 0x01 else 4
                if p + width > end:
                    raise Unsure
                fields.append(int.from_bytes(data[p : p + width], "big"))
                p += width
            else:
                fields.append(None)
        base, description, duration, size, _sample_flags = fields
        if description not in (None, 1) or flags & 0x10000:
            raise Unsure
        if base is None:
            if not flags & 0x20000:  # the implicit base (end of the previous data): not modelled
                raise Unsure
            base = moof_at
        duration = track.default_duration if duration is None else duration
        size = track.default_size if size is None else size
        version, _f, p = _full(data, _one(traf, b"tfdt") or (0, 0), 4)
        width = 8 if version == 1 else 4
        if p + width > end:
            raise Unsure
        dts = int.from_bytes(data[p : p + width], "big")
        if dts < track.next_dts:  # overlapping fragments: FFmpeg merges them its own way
            raise Unsure
        for box in traf.get(b"trun", []):
            dts = _trun(data, box, track, base, duration, size, dts, file_size)


def _trun(
    data: bytes,
    box: tuple[int, int],
    track: Track,
    base: int,
    default_duration: int,
    default_size: int,
    dts: int,
    file_size: int,
) -> int:
    _version, flags, p = _full(data, box, 4)
    if flags & ~0xF05 or not flags & 0x001:  # the data offset must be given
        raise Unsure
    count = struct.unpack_from(">I", data, p)[0]
    data_offset = struct.unpack_from(">i", data, p + 4)[0]
    p += 8 + (4 if flags & 0x004 else 0)
    per = [bit for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit]
    if not count or track.count + count > MAX_TRACK_SAMPLES or p + 4 * len(per) * count > box[1]:
        raise Unsure
    words = _u32s(data, p, len(per) * count)
    column = {bit: words[i :: len(per)] for i, bit in enumerate(per)}
    durations = column.get(0x100, array("I", [default_duration]) * count)
    sizes = column.get(0x200, array("I", [default_size]) * count)
    offsets = column.get(0x800)
    if offsets is not None:  # signed, as FFmpeg reads them
        offsets = array("q", _i32(offsets))
    offset = base + data_offset
    if offset < 0 or offset + sum(sizes) > file_size or not min(sizes):
        raise Unsure  # data past the end of the file, or an empty sample
    track.runs.append(Run(offset, track.count))
    track.sizes.extend(sizes)
    _timestamps(track, dts, array("q", durations), offsets)
    return track.next_dts
