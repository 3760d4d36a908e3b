"""The media probe's child process (see media/probe.py, which starts it and reads its answer).

Run as ``python -P -S -m onetake_desktop.media.probe_child MEMORY_MB CPU_SECONDS``. It limits
itself, imports PyAV, then reads its request from stdin, ``{"cpu_seconds": N, "paths": [...]}``,
lowers its CPU limit to N more seconds, and prints one JSON report per path. Reading the request
only after start-up lets the parent start it early, while the files are still being written.
Start-up is most of its cost, so this module imports only what the child needs (not probe.py's
subprocess, pathlib, dataclasses...).
"""

from __future__ import annotations

import json
import sys
from typing import Any

ALLOWED_CONTAINERS = {"mp4": "mp4", "mov": "mp4", "matroska": "matroska", "webm": "matroska"}
ALLOWED_VIDEO = ("h264", "vp9", "av1")
ALLOWED_AUDIO = ("aac", "opus")
DECODE_PACKETS = 5  # per stream: enough to prove the codec really decodes this data
MAX_PACKETS = 2_000_000
# Bounds on what an answer can be (the longest kit answer, 3600 s, times the largest
# accommodation, 3x, and a minute): checked against what demuxes and decodes, never the header.
MAX_MEDIA_SECONDS = 3 * 3600 + 60
# Samples one stream may declare in its header (its index costs the player ~70 bytes each, so
# this keeps opening any answer under ~100 MB): 60 fps video for MAX_MEDIA_SECONDS is 650,000.
MAX_SAMPLES = 1_000_000
INDEX_BYTES_PER_SAMPLE = 70
MAX_WIDTH, MAX_HEIGHT = 4096, 4096
MAX_PIXELS = 4096 * 2304
MAX_PACKET_BYTES = 16 * 1024 * 1024
# How far the header may disagree with what is really there (a take that ended abruptly, an
# encoder's last fragment): more than this and the header lies.
REDECODE_PACKETS = 16
# What opening and reading one file may add to the prober's resident memory (its index, its
# decoders' pictures): what a player pays to open it, measured, whatever the header said.
OPEN_BUDGET_MB = 256
HEADER_SLACK_SAMPLES = 64
HEADER_SLACK_SECONDS = 2.0
HEADER_SLACK_RATIO = 0.1
_DEMUXER_LIMITS = {"format_whitelist": "mov,matroska", "protocol_whitelist": "file"}


def _limit_self(memory_mb: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout still applies
        return
    limits = {
        resource.RLIMIT_AS: memory_mb * 1024 * 1024,
        resource.RLIMIT_FSIZE: 0,  # writes nothing (stdout is a pipe, which is not limited)
        resource.RLIMIT_CORE: 0,
    }
    for which, value in limits.items():
        _soft, hard = resource.getrlimit(which)
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (cap, cap))
    _set_cpu_limit(cpu_seconds)


def _resident_mb() -> float | None:
    """This process's resident memory now (Linux; None where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


# Where the MP4's own tables give every sample, FFmpeg need not read packets ahead while
# opening to guess what the tables say (a fragmented file: ~5 ms of a 2-minute answer's open).
_TABLES_READ = {"probesize": "32", "analyzeduration": "0"}
# Options for the decoders FFmpeg opens while it opens the file (avformat_find_stream_info,
# which otherwise decodes the first pictures to guess what the header already says: ~3 ms of
# a 720p answer's 4 ms open, and again the ~5 s of packets it reads when not limited). Our own
# decoders are other contexts and decode every picture the checks below ask for.
_OPENING_DECODERS = {"skip_frame": "all"}


def _open(path: str, tables_read: bool = False) -> Any:
    import av

    # Only our two demuxers may even look at the file: others (concat, hls, sdp...) open
    # further files or sockets named inside it before we could refuse their format.
    options = {**_DEMUXER_LIMITS, **_TABLES_READ} if tables_read else _DEMUXER_LIMITS
    return av.open(path, mode="r", options=_OPENING_DECODERS, container_options=options)


def _probe_one(path: str, open_budget_mb: float = OPEN_BUDGET_MB) -> dict[str, Any]:
    import av

    before = _resident_mb()
    # An MP4's sample tables (None for anything else, or any MP4 not of the plain shape).
    tracks = _mp4_tables(path)

    try:
        container = _open(path, tables_read=tracks is not None)
    except MemoryError:  # FFmpeg's ENOMEM too: the index its header asks for did not fit
        return {"error": "opening it needs more memory than any answer does."}
    except (av.FFmpegError, OSError, ValueError):
        return {
            "error": "its container is not allowed or it is not a media file (this app reads "
            "MP4/MOV and Matroska/WebM)."
        }
    with container:
        formats = set(container.format.name.split(","))
        family = next((ALLOWED_CONTAINERS[f] for f in ("mp4", "matroska") if f in formats), None)
        if family is None:
            return {"error": f"the container {container.format.name!r} is not allowed."}
        video = list(container.streams.video)
        audio = list(container.streams.audio)
        others = [s for s in container.streams if s.type not in ("video", "audio")]
        if others:
            return {"error": f"it has a {others[0].type} stream; only video and audio are allowed."}
        if len(video) > 1 or len(audio) > 1 or not (video or audio):
            return {"error": "it must have one video and/or one audio stream."}
        for stream, allowed in ((video, ALLOWED_VIDEO), (audio, ALLOWED_AUDIO)):
            if stream:
                codec = stream[0].codec_context.codec.canonical_name
                if codec not in allowed:
                    return {"error": f"the codec {codec!r} is not allowed."}
        _one_thread(container)
        refusal = _header_refusal(container, video)
        if refusal is not None:
            return {"error": refusal}
        # Each stream's sample count, its end (pts + duration, in its own time base) and the
        # sizes of the pictures decoded: from the MP4's own tables where they have the plain
        # shape FFmpeg writes (cross-checked against FFmpeg's packets at both ends), else from
        # demuxing every packet.
        if tracks is None or family != "mp4":
            return _finish(
                container, _demux_facts(container, video), before, open_budget_mb, family, "packets"
            )
        facts = _table_facts(path, tracks, container, video)
        if facts is None:  # FFmpeg reads the file otherwise: demux everything, from the start
            container.close()
            try:
                again = _open(path)
            except (av.FFmpegError, OSError, ValueError, MemoryError):
                return {"error": "it is damaged (it cannot be decoded)."}
            with again:
                _one_thread(again)
                counted = _demux_facts(again, list(again.streams.video))
                return _finish(again, counted, before, open_budget_mb, family, "packets")
        unread = sum(t.count - t.in_moov for t in tracks)
        return _finish(container, facts, before, open_budget_mb, family, "tables", unread)


# What the probe's own video decoders leave out: the deblocking filter, which smooths the
# pixels of a picture already parsed and reconstructed. It has no way to fail, and no check
# looks at pixels (what refuses a file is a slice that does not parse, or a picture of another
# size); it is ~10 % of decoding a recorder's answer (x264 veryfast deblocks; ultrafast does
# not). The same verdicts with and without it: test_probe_tables.py.
PICTURE_DECODER_OPTIONS = {"skip_loop_filter": "all"}


def _one_thread(container: Any) -> None:
    """The probe's decoders: one thread each, and for video PICTURE_DECODER_OPTIONS."""
    for s in container.streams:
        # One decoding thread: a thread per core would each reserve stack and frame memory
        # against the address-space limit, and the first frames decode fast anyway.
        s.codec_context.thread_count = 1
        # Empty only in test_probe_tables.py, which compares the verdicts with full decoding:
        # the decoder then gets no options at all.
        if s.type == "video" and PICTURE_DECODER_OPTIONS:
            s.codec_context.options = dict(PICTURE_DECODER_OPTIONS)


_Facts = tuple[dict[int, int], dict[int, int], list[tuple[int, int]]]


def _finish(
    container: Any,
    facts: _Facts | str,
    before: float | None,
    open_budget_mb: float,
    family: str,
    read: str,
    unread_samples: int = 0,
) -> dict[str, Any]:
    """The report from what was found (the same rules whichever way it was found; ``read``
    says which: "tables" or "packets", for tests and logs). ``unread_samples``: samples in
    fragments FFmpeg has not indexed yet (the tables' path reads only the first and the last),
    counted at what their index costs a player that reads them all."""
    if isinstance(facts, str):
        return {"error": facts}
    counts, ends, sizes = facts
    now = _resident_mb()
    if now is not None:
        now += unread_samples * INDEX_BYTES_PER_SAMPLE / (1024 * 1024)
    if before is not None and now is not None and now - before > open_budget_mb:
        # Still open, index and decoders in memory: the cost a player pays for this file.
        return {
            "error": f"opening it takes {now - before:.0f} MB, more than any answer needs "
            f"(at most {open_budget_mb:g} MB)."
        }
    refusal = _decoded_refusal(container, counts, sizes)
    if refusal is not None:
        return {"error": refusal}
    # The duration is what the packets cover, never what the header says.
    end = 0.0
    for s in container.streams:
        if s.index in ends and s.time_base is not None:
            end = max(end, float(ends[s.index] * s.time_base))
    if not end > 0:
        return {"error": "it has no playable content."}
    if end > MAX_MEDIA_SECONDS:
        return {"error": f"it lasts {end:.0f} s, longer than any answer can be."}
    declared = container.duration / 1_000_000 if container.duration else 0.0
    if declared > end + max(HEADER_SLACK_SECONDS, HEADER_SLACK_RATIO * end):
        return {
            "error": f"its header says it lasts {declared:.1f} s, but only {end:.1f} s "
            "of it is really there."
        }
    video = list(container.streams.video)
    audio = list(container.streams.audio)
    v = video[0] if video else None
    return {
        "container": family,
        "video_codec": v.codec_context.codec.canonical_name if v else None,
        "audio_codec": audio[0].codec_context.codec.canonical_name if audio else None,
        "duration_seconds": round(end, 3),
        "width": v.width if v else None,
        "height": v.height if v else None,
        "read": read,
    }


def _demux_facts(container: Any, video: list[Any]) -> _Facts | str:
    """Every packet demuxed (in PyAV's loop), the first frames of each stream decoded, and the
    packets where the video's parameters change decoded too; a refusal as a sentence."""
    import av

    # The end of each stream in its own time base, as integers: a Fraction per packet
    # was half the time of a whole probe. Demuxed packets carry their stream's time base.
    ends: dict[int, int] = {}
    counts = {s.index: 0 for s in container.streams}
    decoded = {s.index: 0 for s in container.streams}
    sizes: list[tuple[int, int]] = []
    watch = _ParameterWatch(video[0]) if video else None
    video_index = watch.index if watch is not None else -1
    again = 0  # video packets still to decode after its parameters changed
    packets = 0
    last_key: int | None = None  # the last video keyframe's time, and which video packet it was
    last_key_at = video_packets = 0
    try:
        for packet in container.demux():
            index = packet.stream_index
            if not packet.size:
                continue  # the demuxer's end-of-stream marker
            packets += 1
            counts[index] += 1
            if packets > MAX_PACKETS:
                return "it has too many packets."
            if packet.size > MAX_PACKET_BYTES:
                return "it has a frame larger than any answer needs."
            pts = packet.pts
            if pts is not None:
                stop = pts + (packet.duration or 0)
                if stop > ends.get(index, stop - 1):
                    ends[index] = stop
            is_video = index == video_index
            if is_video:
                video_packets += 1
                if packet.is_keyframe:
                    stamp = packet.dts if packet.dts is not None else pts
                    if stamp is not None:
                        last_key, last_key_at = stamp, video_packets
            if is_video and watch is not None and watch.changed(packet):
                # New parameters (picture size) from here on: decode until the pictures
                # they describe come out (a decoder's reorder delay is at most 16).
                again = REDECODE_PACKETS
            if decoded[index] < DECODE_PACKETS or (again and is_video):
                for frame in packet.decode():
                    if isinstance(frame, av.VideoFrame):
                        sizes.append((frame.width, frame.height))
                        if _too_big(frame.width, frame.height):
                            return (
                                f"its pictures decode at {frame.width}x{frame.height}, "
                                "larger than any answer needs."
                            )
                decoded[index] += 1
                if again and is_video:
                    again -= 1
    except (av.FFmpegError, ValueError, OverflowError, ZeroDivisionError):
        return "it is damaged (it cannot be decoded)."
    if video and last_key is not None and last_key_at > DECODE_PACKETS:
        # The last stretch decodes too, as on the tables' path: from the last keyframe.
        refusal = _decode_from(container, video[0], last_key, sizes)
        if refusal is not None:
            return refusal
    return counts, ends, sizes


def _decode_from(
    container: Any, stream: Any, stamp: int, sizes: list[tuple[int, int]]
) -> str | None:
    """The first pictures from the keyframe at ``stamp`` decoded (their sizes added to
    ``sizes``); a refusal if they do not decode. A demuxer that cannot seek back there refuses
    nothing here (the pictures before it were demuxed and checked as always)."""
    import av

    try:
        container.seek(stamp, backward=True, any_frame=False, stream=stream)
    except (av.FFmpegError, ValueError, OverflowError):
        return None
    decoded = 0
    try:
        for packet in container.demux(stream):
            if not packet.size:
                continue
            for frame in packet.decode():
                sizes.append((frame.width, frame.height))
            decoded += 1
            if decoded >= TAIL_DECODE_PACKETS:
                break
    except (av.FFmpegError, ValueError, OverflowError, ZeroDivisionError):
        return "it is damaged (it cannot be decoded)."
    return None


def _mp4_tables(path: str) -> list[Any] | None:
    """The MP4's sample tables (media/mp4_samples.py), or None where they are not of the plain
    shape modelled there."""
    import struct

    from onetake_desktop.media import mp4_samples

    try:
        return mp4_samples.read_tracks(path)
    except (mp4_samples.Unsure, OSError, ValueError, OverflowError, MemoryError, struct.error):
        return None


TAIL_SAMPLES = 8  # the end is checked from the keyframe before the last few video samples
TAIL_PACKETS = 4096  # more packets than this after that keyframe: demux everything instead
HEAD_PACKETS = 4096
TAIL_DECODE_PACKETS = 2  # the last fragment's keyframe and the picture after it decode


def _table_facts(path: str, tracks: list[Any], container: Any, video: list[Any]) -> _Facts | None:
    """The facts from the MP4's tables, once FFmpeg agrees with them: its first packets of each
    stream and every packet from the last keyframe to the end have the tables' times and sizes,
    and decode (the first frames, and the last fragment's first frames); every video sample's
    parameter sets are the header's. None: demux everything instead."""
    import bisect

    import av

    streams = list(container.streams)
    kinds = {b"vide": "video", b"soun": "audio"}
    if len(streams) != len(tracks):
        return None
    for s, t in zip(streams, tracks, strict=True):
        if s.id != t.track_id or s.type != kinds[t.handler] or s.time_base is None:
            return None
        if s.time_base * t.timescale != 1:
            return None
    if sum(t.count for t in tracks) > MAX_PACKETS:
        return None
    if max(max(t.sizes) for t in tracks) > MAX_PACKET_BYTES:
        return None
    if video and not _same_parameters(path, tracks[video[0].index], video[0]):
        return None  # new parameters inside the stream: the demux decodes where they change
    sizes: list[tuple[int, int]] = []
    seen = [0] * len(tracks)

    def agrees(packet: Any, k: int) -> bool:
        t = tracks[packet.stream_index]
        return bool(k < t.count and packet.dts == t.dts[k] - t.shift and packet.size == t.sizes[k])

    def decode(packet: Any) -> None:
        for frame in packet.decode():
            if isinstance(frame, av.VideoFrame):
                sizes.append((frame.width, frame.height))

    try:
        # The start: the first packets of each stream, decoded.
        wanted = [min(DECODE_PACKETS, t.count) for t in tracks]
        for n, packet in enumerate(container.demux()):
            if n > HEAD_PACKETS or not packet.size:
                return None
            i = packet.stream_index
            if not agrees(packet, seen[i]):
                return None
            if seen[i] < wanted[i]:
                decode(packet)
            seen[i] += 1
            if all(s >= w for s, w in zip(seen, wanted, strict=True)):
                break
        if any(s < w for s, w in zip(seen, wanted, strict=True)):
            return None  # FFmpeg ran out of packets the tables have
        # The end: from the keyframe before the last few samples of the first track, every
        # packet to the end of the file is the tables' (the last fragment, whole and in place),
        # and the last frames decode.
        first = tracks[0]
        target = first.dts[max(0, first.count - TAIL_SAMPLES)] - first.shift
        container.seek(target, backward=True, any_frame=False, stream=streams[0])
        at: list[int | None] = [None] * len(tracks)
        decoded = [0] * len(tracks)
        ends = [0] * len(tracks)
        for n, packet in enumerate(container.demux()):
            if not packet.size:
                continue
            i = packet.stream_index
            if n > TAIL_PACKETS:
                return None
            k = at[i]
            if k is None:
                k = bisect.bisect_left(tracks[i].dts, packet.dts + tracks[i].shift)
            if not agrees(packet, k):
                return None
            at[i] = k + 1
            ends[i] = max(ends[i], packet.pts + (packet.duration or 0))
            if decoded[i] < TAIL_DECODE_PACKETS:
                decode(packet)
                decoded[i] += 1
        for t, k, end in zip(tracks, at, ends, strict=True):
            if k != t.count or end != t.end - t.shift:
                return None
    except (av.FFmpegError, ValueError, TypeError, OverflowError, ZeroDivisionError, MemoryError):
        return None  # e.g. a packet without a timestamp: the full demux decides
    counts = {s.index: t.count for s, t in zip(streams, tracks, strict=True)}
    ends_by_index = {s.index: t.end - t.shift for s, t in zip(streams, tracks, strict=True)}
    return counts, ends_by_index, sizes


WINDOW_BYTES = 32 * 1024 * 1024  # how much of the file is mapped at once (address space)


def _same_parameters(path: str, track: Any, stream: Any) -> bool:
    """Every video sample's NAL units found through their length prefixes: False if one is a
    sequence parameter set other than the header's, or the lengths do not add up to the
    sample's size. The file is mapped a window at a time (the address space is limited), and
    the first unit of every sample is read in C (one slice per sample); only samples holding
    several units, or a parameter set, are walked unit by unit."""
    import mmap
    import os

    watch = _ParameterWatch(stream)
    if watch.codec != "h264" or not watch.nal_length:
        return False
    width, last = watch.nal_length, watch.last
    fd = os.open(path, os.O_RDONLY)
    try:
        for base, span, starts, sizes in _windows(track):
            if span > 4 * WINDOW_BYTES:
                return False  # one run larger than any answer's fragment: demux it instead
            with mmap.mmap(fd, span, access=mmap.ACCESS_READ, offset=base) as data:
                odd = _unusual_samples(data, starts, sizes, width)
                for i in odd:
                    if not _units_are_known(data, starts[i], sizes[i], width, last):
                        return False
    except (OSError, ValueError, IndexError, TypeError):
        return False
    finally:
        os.close(fd)
    return True


# NAL unit header bytes mapped to 1 where the unit is of type 7 (a sequence parameter set).
_SPS_MARKS = bytes(int(b & 0x1F == 7) for b in range(256))


def _unusual_samples(data: Any, starts: list[int], sizes: list[int], width: int) -> list[int]:
    """The samples whose first NAL unit does not fill them, or is a parameter set: all of them
    unless ``width`` is 4 (then the 5 header bytes of every sample's first unit are gathered in
    C, one slice per sample, and compared at once with the lengths the sizes call for)."""
    from array import array
    from itertools import repeat
    from operator import add, itemgetter, sub

    n = len(starts)
    if width != 4 or n < 2:
        return list(range(n))
    heads = b"".join(itemgetter(*map(slice, starts, map(add, starts, repeat(5))))(data))
    if len(heads) != 5 * n:  # a sample starts too near the end of its window
        return list(range(n))
    lengths = array("I", map(sub, sizes, repeat(4)))
    if sys.byteorder == "little":
        lengths.byteswap()
    wanted = lengths.tobytes()
    expected = bytearray(5 * n)
    for i in range(4):
        expected[i::5] = wanted[i::4]
    types = heads[4::5]
    expected[4::5] = types
    odd: set[int] = set()
    # Records that differ, found by halving (a few odd samples cost a few comparisons each).
    got, want = memoryview(heads), memoryview(expected)
    ranges = [(0, n)]
    while ranges:
        lo, hi = ranges.pop()
        if got[5 * lo : 5 * hi] == want[5 * lo : 5 * hi]:
            continue
        if hi - lo == 1:
            odd.add(lo)
        else:
            ranges += [(lo, (lo + hi) // 2), ((lo + hi) // 2, hi)]
    # Units of type 7 (a parameter set), wherever they begin a sample.
    marks = types.translate(_SPS_MARKS)
    at = marks.find(1)
    while at >= 0:
        odd.add(at)
        at = marks.find(1, at + 1)
    return sorted(odd)


def _units_are_known(data: Any, at: int, size: int, width: int, last: bytes | None) -> bool:
    """One sample's NAL units walked: their lengths fill it exactly, and any parameter set is
    the header's."""
    end = at + size
    while at < end:
        start = at + width
        unit = int.from_bytes(data[at:start], "big")
        if unit == 0 or start + unit > end:
            return False
        if data[start] & 0x1F == 7 and data[start : start + unit] != last:
            return False
        at = start + unit
    return True


def _windows(track: Any) -> Any:
    """(file offset, length, sample starts within it, sample sizes) of consecutive runs of the
    track, grouped so that each window spans at most WINDOW_BYTES (or one run)."""
    import mmap
    from itertools import accumulate

    granularity = mmap.ALLOCATIONGRANULARITY
    base = end = -1
    starts: list[int] = []
    sizes: list[int] = []
    for i in range(len(track.runs)):
        offset, first, stop = track.run_bounds(i)
        run = track.sizes[first:stop].tolist()
        run_end = offset + sum(run)
        if starts and (offset < end or run_end - base > WINDOW_BYTES):
            yield base, end - base, starts, sizes
            starts, sizes = [], []
        if not starts:
            base = offset - offset % granularity
        starts.extend(accumulate(run[:-1], initial=offset - base))
        sizes.extend(run)
        end = run_end
    if starts:
        yield base, end - base, starts, sizes


class _ParameterWatch:
    """Finds the packets where a video stream's parameters (its picture size) may change, so
    that only those are decoded, not every frame.

    H.264: a sequence parameter set (SPS) in the stream that differs from the last one seen
    (length-prefixed NAL units, as MP4 and Matroska store them, or Annex B start codes). AV1: a
    sequence header OBU that differs from the last one. VP9 carries its size in every keyframe
    header: each keyframe is decoded. Any codec: new extradata from the demuxer (an MP4 whose
    sample descriptions change). What this leaves out: VP9's size change on an inter frame.
    """

    def __init__(self, stream: Any) -> None:
        self.index: int = stream.index
        self.codec: str = stream.codec_context.codec.canonical_name
        extradata = bytes(stream.codec_context.extradata or b"")
        self.nal_length = 4
        self.last: bytes | None = None
        if self.codec == "h264" and len(extradata) > 7 and extradata[0] == 1:  # avcC
            self.nal_length = (extradata[4] & 3) + 1
            size = int.from_bytes(extradata[6:8], "big")
            if extradata[5] & 0x1F:
                self.last = extradata[8 : 8 + size]
        elif self.codec == "h264" and extradata:
            self.nal_length = 0  # Annex B
            sets = _annexb_parameter_sets(extradata)
            self.last = sets[-1] if sets else None
        elif self.codec == "av1" and len(extradata) > 4:  # av1C, then config OBUs
            headers = _av1_sequence_headers(extradata[4:])
            self.last = headers[-1] if headers else None

    def changed(self, packet: Any) -> bool:
        # has_sidedata() costs five times more than asking whether there is any side data
        # at all, which almost no packet has.
        if any(True for _ in packet.iter_sidedata()) and packet.has_sidedata("new_extradata"):
            return True
        if self.codec == "vp9":
            return bool(packet.is_keyframe)
        data = memoryview(packet)  # no copy: only the units' first bytes are read
        if self.codec == "h264":
            sets = (
                _avcc_parameter_sets(data, self.nal_length)
                if self.nal_length
                else _annexb_parameter_sets(bytes(data))
            )
        elif self.codec == "av1":
            sets = _av1_sequence_headers(data)
        else:
            return False
        new = [s for s in sets if s != self.last]
        if new:
            self.last = new[-1]
        return bool(new)


def _avcc_parameter_sets(data: bytes | memoryview, nal_length: int) -> list[bytes]:
    """The SPS NAL units (type 7) of a length-prefixed H.264 packet."""
    found = []
    at, end = 0, len(data)
    while at + nal_length < end:
        size = int.from_bytes(data[at : at + nal_length], "big")
        start = at + nal_length
        if size == 0 or start + size > end:
            break
        if data[start] & 0x1F == 7:
            found.append(bytes(data[start : start + size]))
        at = start + size
    return found


def _annexb_parameter_sets(data: bytes) -> list[bytes]:
    """The SPS NAL units of an Annex B H.264 packet (units separated by 00 00 01)."""
    return [unit for unit in data.split(b"\x00\x00\x01")[1:] if unit and unit[0] & 0x1F == 7]


def _av1_sequence_headers(data: bytes | memoryview) -> list[bytes]:
    """The sequence header OBUs (type 1) of an AV1 packet (low-overhead format)."""
    found = []
    at, end = 0, len(data)
    while at < end:
        header = data[at]
        kind = (header >> 3) & 0xF
        start = at + 1 + (1 if header & 0x04 else 0)  # extension byte
        if not header & 0x02:  # no size field: the OBU runs to the end
            size, start = end - start, start
        else:
            size, shift = 0, 0
            while start < end and shift < 56:
                byte = data[start]
                size |= (byte & 0x7F) << shift
                start += 1
                shift += 7
                if not byte & 0x80:
                    break
        if start + size > end:
            break
        if kind == 1:
            found.append(bytes(data[start : start + size]))
        at = start + size
    return found


def _header_refusal(container: Any, video: list[Any]) -> str | None:
    """What the header declares, against the bounds, before anything is read: a header's
    sample count and picture size are what a player allocates for when it opens the file."""
    for s in container.streams:
        if s.frames > MAX_SAMPLES:
            return (
                f"its header declares {s.frames:,} samples in one stream, more than any answer "
                f"has (at most {MAX_SAMPLES:,})."
            )
    if video:
        w, h = video[0].codec_context.width, video[0].codec_context.height
        if _too_big(w, h):
            return f"its picture is {w}x{h}, larger than any answer needs."
    return None


def _too_big(w: int, h: int) -> bool:
    return w > MAX_WIDTH or h > MAX_HEIGHT or w * h > MAX_PIXELS


def _decoded_refusal(
    container: Any, counts: dict[int, int], sizes: list[tuple[int, int]]
) -> str | None:
    """What demuxed and decoded, against what the header declared."""
    for s in container.streams:
        declared, found = s.frames, counts[s.index]
        if declared > found + HEADER_SLACK_SAMPLES + HEADER_SLACK_RATIO * found:
            return (
                f"its header declares {declared:,} samples in one stream, but only {found:,} "
                "are really there."
            )
    for w, h in sizes:
        if _too_big(w, h):
            return f"its pictures decode at {w}x{h}, larger than any answer needs."
    return None


def _cpu_seconds_used() -> int:
    """This process's CPU time so far in whole seconds, rounded up (what RLIMIT_CPU counts)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return int(usage.ru_utime + usage.ru_stime) + 1


def _apply_cpu_limit(cap: int, *, keep_hard: bool = False) -> None:
    """Set RLIMIT_CPU's soft limit (SIGXCPU, which the parent can name) to ``cap`` seconds of
    this process's CPU time, never above the hard limit. The hard limit (SIGKILL) becomes a
    second above it where there is room, or stays as it is with ``keep_hard`` (a batch
    prober's ceiling, fixed when it was forked, so that no file can raise it)."""
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout still applies
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard - 1 if keep_hard else hard)
    if keep_hard:
        ceiling = hard
    else:
        ceiling = cap + 1 if hard == resource.RLIM_INFINITY or cap < hard else cap
    resource.setrlimit(resource.RLIMIT_CPU, (max(1, cap), ceiling))


def _limit_cpu_from_now(cpu_seconds: int) -> None:
    """Lower the CPU limit to ``cpu_seconds`` beyond what was used so far (start-up, waiting):
    lowering is always allowed, so the request's budget applies whatever the start allowed."""
    try:
        import resource
    except ImportError:
        return
    soft, _hard = resource.getrlimit(resource.RLIMIT_CPU)
    cap = _cpu_seconds_used() + cpu_seconds
    _apply_cpu_limit(cap if soft == resource.RLIM_INFINITY else min(cap, soft))


def _set_cpu_limit(cpu_seconds: int) -> None:
    """A forked prober's CPU limit: its own CPU time starts at zero, so ``cpu_seconds`` is its
    whole budget (SIGXCPU at the soft limit, SIGKILL a second later)."""
    _apply_cpu_limit(cpu_seconds)


BATCH_FILES = 16  # files one forked prober may probe (a bundle's answers); then a fresh one


def _next_file_cpu_limit(cpu_seconds: int) -> None:
    """A batch prober's limit for its next file: ``cpu_seconds`` more than it has used so far
    (the soft limit, SIGXCPU), under the hard ceiling it was forked with (SIGKILL)."""
    _apply_cpu_limit(_cpu_seconds_used() + cpu_seconds, keep_hard=True)


def _read_line(fd: int, limit: int) -> bytes | None:
    """One line from ``fd`` (without its newline), unbuffered, at most ``limit`` bytes; None at
    the end of the input or past the limit."""
    import os

    parts, total = [], 0
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        parts.append(chunk)
        total += len(chunk)
        if b"\n" in chunk:
            line, _, rest = b"".join(parts).partition(b"\n")
            if rest:  # one request at a time: nothing may follow its line
                return None
            return line
        if total > limit:
            return None


class _Input:
    """The server's requests (stdin), read without a buffer we cannot see into, so that the
    end of the input (the app is gone) is noticed even while a prober works."""

    LIMIT = 1 << 20

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def fill(self) -> None:
        import os

        chunk = os.read(self.fd, 65536)
        if not chunk or len(self.buffer) > self.LIMIT:
            self.closed = True
        else:
            self.buffer += chunk

    def readline(self) -> bytes:
        """The next line, with its newline; b"" at the end of the input."""
        while b"\n" not in self.buffer and not self.closed:
            self.fill()
        if b"\n" not in self.buffer:
            return b""
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"


def _batch_prober(requests: int, answers: int, cpu_seconds: int, open_budget: float) -> None:
    """A forked prober for one batch (a bundle's media files, one request line each): each file
    gets ``cpu_seconds`` of its own under a ceiling for the whole batch, and the server's memory
    limit; one JSON line answers each. It exits when the server closes its requests."""
    import os

    _set_cpu_limit(cpu_seconds * BATCH_FILES + 1)
    while True:
        line = _read_line(requests, 1 << 16)
        if line is None:
            return
        path = json.loads(line)
        if not isinstance(path, str):
            return
        _next_file_cpu_limit(cpu_seconds)
        try:
            report = _probe_one(path, open_budget)
        except MemoryError:
            report = {"error": "checking it needed more memory than allowed."}
        view = memoryview(json.dumps([report]).encode() + b"\n")
        while view:
            view = view[os.write(answers, view) :]


class _Batch:
    """The server's side of one forked batch prober."""

    def __init__(self, cpu_seconds: int, open_budget: float) -> None:
        import gc
        import os

        self.cpu_seconds, self.open_budget = cpu_seconds, open_budget
        self.files = 0
        self.returncode: int | None = None  # once it has died
        to_child, self.requests = os.pipe()
        self.answers, from_child = os.pipe()
        sys.stdout.flush()
        # The server's objects out of the collector's reach: a collection in the prober would
        # otherwise write to every page holding one (copy-on-write faults: ~2 ms a file).
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # the prober of this batch
            code = 0
            try:
                os.close(self.requests)
                os.close(self.answers)
                _batch_prober(to_child, from_child, cpu_seconds, open_budget)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        self.pid = pid
        os.close(to_child)
        os.close(from_child)

    def probe(self, path: str, output_limit: int, app: _Input) -> tuple[int, str]:
        """(returncode, out) for one file: 0 and the prober's JSON, or how it died. If the
        app goes away meanwhile (the end of ``app``), the prober is killed."""
        import os

        if self.returncode is None:
            self.files += 1
            try:
                os.write(self.requests, json.dumps(path).encode() + b"\n")
                line = self._answer(output_limit, app)
            except OSError:
                line = None
            if line is not None:
                return 0, line.decode("utf-8", "replace")
            self.close(kill=True)
        assert self.returncode is not None
        return self.returncode or 1, ""

    def _answer(self, limit: int, app: _Input) -> bytes | None:
        """The prober's answer line; None if it died, overran ``limit`` or the app is gone."""
        import os
        import select

        parts: list[bytes] = []
        total = 0
        while True:
            watched = [self.answers] if app.closed else [self.answers, app.fd]
            ready, _, _ = select.select(watched, [], [])
            if app.fd in ready:
                app.fill()
                if app.closed:
                    return None
                continue
            chunk = os.read(self.answers, 65536)
            if not chunk:
                return None
            parts.append(chunk)
            total += len(chunk)
            if b"\n" in chunk:
                line, _, rest = b"".join(parts).partition(b"\n")
                return None if rest else line  # one answer per request, nothing after it
            if total > limit:
                return None

    def close(self, kill: bool = False) -> None:
        import contextlib
        import os

        if self.returncode is not None:
            return
        os.close(self.requests)
        if kill:
            with contextlib.suppress(OSError):
                os.kill(self.pid, 9)
        _, status = os.waitpid(self.pid, 0)
        os.close(self.answers)
        code = os.waitstatus_to_exitcode(status)
        # A prober that stopped answering but exited 0 on its own still failed its file.
        self.returncode = code if code or not kill else 1


def _warm_up() -> None:
    """What every prober would otherwise do first, done once in the server so that the forks
    inherit it: import the modules the probe imports when it runs (PyAV loads its subtitle
    stream module, a shared library, the first time it lists a file's streams: ~1-2 ms of CPU
    and 80-350 page faults per forked prober while it was loaded there), and open one decoder
    of each allowed codec (each fills its static tables once per process: AAC's alone cost a
    forked prober ~6 ms of CPU and page faults). No outside data is read."""
    import bisect  # noqa: F401
    import contextlib  # noqa: F401
    import mmap  # noqa: F401
    import struct  # noqa: F401

    import av
    import av.subtitles.stream

    from onetake_desktop.media import mp4_samples  # noqa: F401

    for name in (*ALLOWED_VIDEO, *ALLOWED_AUDIO):
        try:
            av.CodecContext.create(name, "r").open()
        except (av.FFmpegError, ValueError, TypeError, AttributeError):
            continue  # not in this build: the probe refuses what it cannot decode anyway


def serve_main(argv: list[str]) -> int:
    """A warm prober (POSIX): limits itself, imports PyAV once, then forks one fresh process
    per batch of files (a bundle's media) and hands it the files one by one.

    Requests are JSON lines on stdin: ``{"path", "cpu_seconds", "open_budget_mb"}`` probes a
    file in the open batch (forking its prober first if none is open, or if it has had
    ``BATCH_FILES`` files), ``{"close": true}`` ends the batch. The server itself never opens
    outside data: files are opened only in a forked prober, with the server's memory limit and
    each file's own CPU budget, which exits at the end of its batch; no two batches share a
    prober. Each file's answer is one JSON line on stdout: ``{"pid", "returncode", "out"}``
    with what the prober printed for it.
    """
    memory_mb, cpu_seconds, output_limit = (int(a) for a in argv)
    _limit_self(memory_mb, cpu_seconds)
    import av.logging

    av.logging.set_level(None)
    _warm_up()
    app = _Input(sys.stdin.fileno())
    stdout = sys.stdout
    batch: _Batch | None = None
    while True:
        line = app.readline()
        if not line:  # the app is gone: nobody waits for an answer
            if batch is not None:
                batch.close(kill=True)
            return 0
        try:
            request = json.loads(line)
            if request.get("close"):
                if batch is not None:
                    batch.close()
                batch = None
                continue
            path = request["path"]
            budget = max(1, int(request["cpu_seconds"]))
            open_budget = float(request.get("open_budget_mb", OPEN_BUDGET_MB))
        except (ValueError, KeyError, TypeError, AttributeError):
            return 2
        if not isinstance(path, str):
            return 2
        if batch is not None and (
            batch.files >= BATCH_FILES
            or (batch.cpu_seconds, batch.open_budget) != (budget, open_budget)
        ):
            batch.close()
            batch = None
        if batch is None:
            batch = _Batch(budget, open_budget)
        returncode, out = batch.probe(path, output_limit, app)
        if app.closed:  # the app went away while the file was probed: nobody waits for it
            batch.close(kill=True)
            return 0
        answer = {"pid": batch.pid, "returncode": returncode, "out": out}
        stdout.write(json.dumps(answer) + "\n")
        stdout.flush()


def child_main(argv: list[str]) -> int:
    if argv and argv[0] == "serve":
        return serve_main(argv[1:])
    memory_mb, cpu_seconds = argv
    _limit_self(int(memory_mb), int(cpu_seconds))
    import av.logging

    av.logging.set_level(None)  # FFmpeg's own log lines would only be noise here
    try:
        request = json.loads(sys.stdin.read())
        paths = request["paths"]
        budget = int(request["cpu_seconds"])
        open_budget = float(request.get("open_budget_mb", OPEN_BUDGET_MB))
    except (ValueError, KeyError, TypeError):
        return 2
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        return 2
    _limit_cpu_from_now(max(1, budget))
    reports = []
    for path in paths:
        try:
            reports.append(_probe_one(path, open_budget))
        except MemoryError:
            reports.append({"error": "checking it needed more memory than allowed."})
    sys.stdout.write(json.dumps(reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(child_main(sys.argv[1:]))
