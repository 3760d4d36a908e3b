"""The probe's fast path: an MP4's samples read from its own tables (media/mp4_samples.py)
instead of demuxing every packet in Python (issue 17).

Nothing may get faster by checking less: for honest files of every shape the recorder (and
FFmpeg) writes, the tables give exactly the packet counts and ends the full demux gives, and the
same report; for files that lie (cut short, lying sample runs, times, sizes, parameter sets,
boxes the reader does not model) the probe falls back to the full demux, or refuses them for
the same reason it always did. Each comparison runs the probe both ways on the same real file,
in a child process under the prober's own limits (a hostile header would otherwise cost this
process the memory it asks for).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import struct
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.media.probe import can_fork, probe_media, shared_server
from tests.pipeline.hostile.media import _boxes, resize_bomb, trun_bomb, write_answer

RECORDER = {"movflags": "hybrid_fragmented", "frag_duration": "500000", "flush_packets": "1"}
FRAGMENTED = {"movflags": "frag_keyframe+empty_moov+default_base_moof", "frag_duration": "500000"}

# Both ways in one limited child: the probe as it runs (tables where they are plain), the probe
# with the tables switched off (every packet demuxed, as before issue 17), and the facts each
# way found (sample count and end of each stream).
BOTH_WAYS = """
import json, sys
from onetake_desktop.media.probe_child import _limit_self
_limit_self(512, 120)
import av, av.logging
av.logging.set_level(None)
from onetake_desktop.media import probe_child

def facts(path, tables):
    try:
        with probe_child._open(path) as c:
            probe_child._one_thread(c)
            video = list(c.streams.video)
            found = (
                probe_child._demux_facts(c, video)
                if tables is None
                else probe_child._table_facts(path, tables, c, video)
            )
    except (av.FFmpegError, MemoryError) as error:
        return type(error).__name__
    return found if found is None or isinstance(found, str) else [found[0], found[1]]

reader = probe_child._mp4_tables
out = []
for path in sys.argv[1:]:
    tables = reader(path)
    fast = probe_child._probe_one(path)
    probe_child._mp4_tables = lambda p: None
    full = probe_child._probe_one(path)
    probe_child._mp4_tables = reader
    out.append({
        "fast": fast,
        "full": full,
        "tables": None if tables is None else facts(path, tables),
        "demuxed": facts(path, None),
    })
print(json.dumps(out))
"""


def both_ways(*paths: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-c", BOTH_WAYS, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return list(json.loads(result.stdout))


def same_verdict(answer: dict[str, Any]) -> dict[str, Any]:
    """The fast report, after checking it says exactly what the full demux says."""
    fast = {k: v for k, v in answer["fast"].items() if k != "read"}
    full = {k: v for k, v in answer["full"].items() if k != "read"}
    assert fast == full
    assert answer["full"].get("read", "packets") == "packets"
    return dict(answer["fast"])


def ffmpeg_answer(path: Path, seconds: float, movflags: str) -> Path:
    """What bench/import_bench.py feeds the importer: the ffmpeg command line's fragmented MP4."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", f"{seconds:g}", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", movflags, str(path)],
        check=True,
    )  # fmt: skip
    return path


# --- honest files: the tables are used and agree with every packet ----------------------------


def recorded_take(path: Path, seconds: float) -> Path:
    """A take recorded by media/recorder.py from its synthetic camera and microphone (720p30
    H.264 + AAC, hybrid fragmented MP4, the AAC priming edit)."""
    from onetake_desktop.media.profiles import PROFILES
    from onetake_desktop.media.recorder import CaptureSession

    with CaptureSession("synthetic", "synthetic") as session:
        result = session.start_take(path, PROFILES["default"], max_seconds=seconds).wait(60)
    assert result is not None and result.path == path
    return path


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("honest")
    return {
        "recorder": write_answer(d / "take.mp4", seconds=3.0, options=RECORDER),
        "recorder-720p": write_answer(
            d / "hd.mp4", seconds=2.0, size=(1280, 720), fps=30, options=RECORDER
        ),
        "recorder-video-only": write_answer(d / "v.mp4", seconds=2.0, audio=None, options=RECORDER),
        "recorder-audio-only": write_answer(d / "a.m4a", seconds=2.0, video=None, options=RECORDER),
        "fragmented": write_answer(d / "frag.mp4", seconds=3.0, options=FRAGMENTED),
        # No default_base_moof: each run's data offset counts from an explicit base offset.
        "fragmented-explicit-base": write_answer(
            d / "base.mp4", seconds=2.0, options={"movflags": "frag_keyframe+empty_moov"}
        ),
        # The first fragment's samples indexed in the moov, the rest in moof boxes.
        "fragmented-first-in-moov": write_answer(
            d / "first.mp4", seconds=3.0, options={"movflags": "frag_keyframe"}
        ),
        "ffmpeg-cli": ffmpeg_answer(
            d / "cli.mp4", 3.0, "+frag_keyframe+empty_moov+default_base_moof"
        ),
        # An ordinary MP4, index first; its AAC track's edit list skips the encoder's priming.
        "faststart": write_answer(d / "fast.mp4", seconds=2.0),
        "the-recorder-itself": recorded_take(d / "q01.mp4", seconds=3.0),
    }


def test_honest_files_are_read_from_their_tables_with_the_demuxs_counts_and_ends(
    honest: dict[str, Path],
) -> None:
    answers = both_ways(*honest.values())
    for name, answer in zip(honest, answers, strict=True):
        report = same_verdict(answer)
        assert report["read"] == "tables", name
        assert "error" not in report, (name, report)
        # The facts behind the report: every stream's sample count and end (pts + duration in
        # its time base), from the tables, are the ones demuxing every packet finds.
        assert answer["tables"] == answer["demuxed"], name
        assert report["duration_seconds"] > 1.5


def test_the_tables_count_every_sample_of_a_long_answer(tmp_path: Path) -> None:
    # 40 s at 30 fps: 1,200 video samples in 80 half-second fragments, 1,875 AAC frames.
    path = write_answer(
        tmp_path / "long.mp4", seconds=40.0, size=(160, 120), fps=30, options=RECORDER
    )
    (answer,) = both_ways(path)
    report = same_verdict(answer)
    assert report["read"] == "tables"
    counts, _ = answer["tables"]
    assert answer["tables"] == answer["demuxed"]
    assert counts["0"] == 1200 and counts["1"] >= 1875
    assert report["duration_seconds"] == pytest.approx(40.0, abs=0.1)


def test_the_probe_through_its_server_reads_the_recorders_files_the_same(
    honest: dict[str, Path],
) -> None:
    # The real prober (limits, forked per bundle) gives the same MediaInfo as before.
    info = probe_media(honest["recorder"])
    assert (info.container, info.video_codec, info.audio_codec) == ("mp4", "h264", "aac")
    assert (info.width, info.height) == (320, 240)
    assert info.duration_seconds == pytest.approx(3.0, abs=0.1)


# --- files that lie: the same verdict as demuxing every packet -------------------------------


def _top(data: bytes) -> list[tuple[bytes, int, int]]:
    return _boxes(data, 0, len(data))


def _inside(data: bytes, at: int, size: int) -> list[tuple[bytes, int, int]]:
    return _boxes(data, at + 8, at + size)


def _last(kind: bytes, boxes: list[tuple[bytes, int, int]]) -> tuple[int, int]:
    return next((at, size) for k, at, size in reversed(boxes) if k == kind)


def _first_traf_box(data: bytes, moof: tuple[int, int], kind: bytes) -> tuple[int, int]:
    traf = next((a, n) for k, a, n in _inside(data, *moof) if k == b"traf")
    return next((a, n) for k, a, n in _inside(data, *traf) if k == kind)


def _fragmented(tmp_path: Path, name: str = "seed.mp4", seconds: float = 3.0) -> bytes:
    return write_answer(tmp_path / name, seconds=seconds, options=FRAGMENTED).read_bytes()


def test_a_file_cut_short_falls_back_to_the_full_demux(tmp_path: Path) -> None:
    data = _fragmented(tmp_path)
    mdat_at, mdat_size = _last(b"mdat", _top(data))
    moof_at, _ = _last(b"moof", _top(data))
    cut_in_data = tmp_path / "cut-in-data.mp4"
    cut_in_data.write_bytes(data[: mdat_at + mdat_size // 2])
    cut_after_header = tmp_path / "cut-after-moof.mp4"
    cut_after_header.write_bytes(data[:mdat_at])
    cut_in_header = tmp_path / "cut-in-moof.mp4"
    cut_in_header.write_bytes(data[: moof_at + 20])
    for answer in both_ways(cut_in_data, cut_after_header, cut_in_header):
        # Samples whose data is not (all) in the file: the tables are not trusted.
        assert answer["tables"] is None
        assert same_verdict(answer)["read"] == "packets"


def test_a_recorder_file_cut_before_its_index_is_refused(tmp_path: Path) -> None:
    data = write_answer(tmp_path / "take.mp4", seconds=2.0, options=RECORDER).read_bytes()
    moov_at, _ = _last(b"moov", _top(data))  # a clean close writes the index at the end
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:moov_at])
    (answer,) = both_ways(cut)
    assert "error" in same_verdict(answer)


def test_a_fragment_whose_run_declares_samples_not_in_the_file(tmp_path: Path) -> None:
    # The LAST fragment's run claims 100,000 more samples than it holds (the first fragment's
    # case is test_media_bounds' trun bomb): their data would lie past the end of the file.
    data = bytearray(_fragmented(tmp_path))
    trun_at, _ = _first_traf_box(bytes(data), _last(b"moof", _top(bytes(data))), b"trun")
    count = struct.unpack_from(">I", data, trun_at + 12)[0]
    struct.pack_into(">I", data, trun_at + 12, count + 100_000)
    liar = tmp_path / "liar.mp4"
    liar.write_bytes(bytes(data))
    (answer,) = both_ways(liar)
    assert answer["tables"] is None
    same_verdict(answer)


@pytest.mark.parametrize("bomb_samples", [2_000_000, 20_000_000])
def test_the_trun_bombs_are_refused_as_before(tmp_path: Path, bomb_samples: int) -> None:
    (answer,) = both_ways(trun_bomb(tmp_path / "bomb.mp4", samples=bomb_samples))
    assert "error" in same_verdict(answer)


def _with_last_fragment_at(tmp_path: Path, seconds: int, name: str) -> Path:
    """A fragmented file whose last fragment's decode times (tfdt, each track) say it starts
    ``seconds`` in: a jump FFmpeg follows too."""
    data = bytearray(_fragmented(tmp_path, name=name + ".seed.mp4"))
    moof = _last(b"moof", _top(bytes(data)))
    for kind, at, size in _inside(bytes(data), *moof):
        if kind != b"traf":
            continue
        tfhd = next((a, n) for k, a, n in _inside(bytes(data), at, size) if k == b"tfhd")
        tfdt = next((a, n) for k, a, n in _inside(bytes(data), at, size) if k == b"tfdt")
        assert data[tfdt[0] + 8] == 1  # version 1: a 64-bit time
        track_id = struct.unpack_from(">I", data, tfhd[0] + 12)[0]
        timescale = 15360 if track_id == 1 else 48000  # FFmpeg's for 15 fps video and AAC
        struct.pack_into(">Q", data, tfdt[0] + 12, seconds * timescale)
    out = tmp_path / name
    out.write_bytes(bytes(data))
    return out


def test_a_fragment_that_jumps_in_time_is_measured_the_same_way(tmp_path: Path) -> None:
    jump = _with_last_fragment_at(tmp_path, 90, "jump.mp4")
    hours = _with_last_fragment_at(tmp_path, 4 * 3600, "hours.mp4")
    first, second = both_ways(jump, hours)
    # A 3 s take whose last fragment says it starts at 90 s lasts 90+ s both ways (and so
    # does not match its manifest); at 4 hours it is longer than any answer.
    assert first["tables"] == first["demuxed"]
    assert same_verdict(first)["duration_seconds"] > 90
    assert "longer than any answer" in same_verdict(second)["error"]


def test_a_run_whose_sample_sizes_lie_is_not_trusted(tmp_path: Path) -> None:
    # The first fragment's run gives its first video sample 64 more bytes (and the next
    # sample 64 fewer): still inside the file, but the sample no longer ends where its NAL
    # units do. The tables agree with FFmpeg's packets (FFmpeg reads the same run), so what
    # catches it is the walk of every sample's NAL units: the full demux then decides.
    data = bytearray(_fragmented(tmp_path))
    moof = next((a, n) for k, a, n in _top(bytes(data)) if k == b"moof")
    trun_at, _ = _first_traf_box(bytes(data), moof, b"trun")
    flags = struct.unpack_from(">I", data, trun_at + 8)[0] & 0xFFFFFF
    assert flags & 0x200  # per-sample sizes
    fields = [bit for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit]
    first = trun_at + 8 + 4 + 4 + 4 + (4 if flags & 0x004 else 0)
    size_at = first + 4 * fields.index(0x200)
    stride = 4 * len(fields)
    a, b = (
        struct.unpack_from(">I", data, size_at)[0],
        struct.unpack_from(">I", data, size_at + stride)[0],
    )
    struct.pack_into(">I", data, size_at, a + 64)
    struct.pack_into(">I", data, size_at + stride, b - 64)
    liar = tmp_path / "sizes.mp4"
    liar.write_bytes(bytes(data))
    (answer,) = both_ways(liar)
    assert answer["tables"] is None
    same_verdict(answer)


def test_a_new_parameter_set_inside_the_stream_is_decoded_by_the_full_demux(
    tmp_path: Path,
) -> None:
    # The picture grows to 4608x64 one second in (an SPS inside the stream): the tables parse,
    # but a parameter set other than the header's sends the probe to the demux, which decodes
    # where it changes and refuses the pictures; the same SPS repeated is fine.
    bomb = resize_bomb(tmp_path / "resize.mp4")
    same = resize_bomb(tmp_path / "same.mp4", big=(320, 240))
    grow, keep = both_ways(bomb, same)
    assert grow["tables"] is None
    assert "4608x64" in same_verdict(grow)["error"]
    assert same_verdict(keep)["read"] == "tables"


def _with_top_box(data: bytes, kind: bytes, payload: bytes) -> bytes:
    """``data`` with a box inserted after its first top-level box (ftyp)."""
    _, at, size = _top(data)[0]
    return (
        data[: at + size]
        + struct.pack(">I4s", len(payload) + 8, kind)
        + payload
        + data[at + size :]
    )


def test_boxes_the_reader_does_not_model_send_the_probe_to_the_full_demux(tmp_path: Path) -> None:
    data = _fragmented(tmp_path)
    unknown = tmp_path / "uuid.mp4"
    unknown.write_bytes(_with_top_box(data, b"uuid", b"\x00" * 24))
    index = tmp_path / "sidx.mp4"
    index.write_bytes(_with_top_box(data, b"sidx", b"\x00" * 24))
    second_description = bytearray(data)
    moof = next((a, n) for k, a, n in _top(data) if k == b"moof")
    tfhd_at, _ = _first_traf_box(data, moof, b"tfhd")
    flags = struct.unpack_from(">I", data, tfhd_at + 8)[0] & 0xFFFFFF
    if flags & 0x02:  # a sample description index in the fragment: point it at entry 2
        struct.pack_into(">I", second_description, tfhd_at + 16 + (8 if flags & 1 else 0), 2)
    else:
        second_description = bytearray(_with_top_box(data, b"styp", b"msdh\x00\x00\x00\x00"))
    other = tmp_path / "sdi.mp4"
    other.write_bytes(bytes(second_description))
    # An edit list that starts the video 512 ticks in (FFmpeg then drops or flags pictures
    # before it): only the audio's priming edit is modelled.
    edited = bytearray(write_answer(tmp_path / "edit.mp4", seconds=2.0).read_bytes())
    elst = edited.index(b"elst")  # the video track's comes first
    assert struct.unpack_from(">II", edited, elst + 4) == (0, 1)  # version 0, one edit
    struct.pack_into(">I", edited, elst + 16, 512)  # its media time
    shifted = tmp_path / "shifted.mp4"
    shifted.write_bytes(bytes(edited))
    for answer in both_ways(unknown, index, other, shifted):
        assert answer["tables"] is None
        assert same_verdict(answer)["read"] == "packets"


def test_the_mp4_reader_refuses_lying_sizes_itself(tmp_path: Path) -> None:
    # Box sizes that overrun their parent or the file, or are smaller than a header, never
    # reach the tables' arithmetic.
    from onetake_desktop.media import mp4_samples

    data = _fragmented(tmp_path)
    moov_at = next(a for k, a, _ in _top(data) if k == b"moov")
    cases = {
        "overrun": struct.pack(">I", len(data)),  # the moov claims the whole file and more
        "tiny": struct.pack(">I", 4),
        "largesize": struct.pack(">I", 1),  # a 64-bit size follows: the type's bytes, huge
    }
    for name, size in cases.items():
        bad = tmp_path / f"{name}.mp4"
        bad.write_bytes(data[:moov_at] + size + data[moov_at + 4 :])
        with pytest.raises(mp4_samples.Unsure):
            mp4_samples.read_tracks(str(bad))
        assert both_ways(bad)[0]["tables"] is None


# --- one forked prober per bundle ---------------------------------------------------------------


needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork: one child per bundle instead")


@needs_fork
def test_a_bundles_files_share_one_prober_and_bundles_never_do(honest: dict[str, Path]) -> None:
    server = shared_server()
    first = server.batch(15.0)
    first.submit(honest["recorder"])
    first.submit(honest["fragmented"])
    one, two = first.results()
    assert not isinstance(one, InvalidInputError) and not isinstance(two, InvalidInputError)
    assert len(set(first.pids)) == 1 and first.pids[0] != server.pid
    second = server.batch(15.0)
    second.submit(honest["recorder"])
    assert second.results()[0] == one
    assert second.pids[0] not in first.pids  # a fresh prober for the next bundle


@needs_fork
def test_a_bad_file_refuses_itself_and_the_bundles_next_file_is_still_probed(
    tmp_path: Path, honest: dict[str, Path]
) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00" * 4096)
    batch = shared_server().batch(15.0)
    batch.submit(garbage)
    batch.submit(honest["recorder"])
    bad, good = batch.results()
    assert isinstance(bad, InvalidInputError) and "not a media file" in str(bad)
    assert not isinstance(good, InvalidInputError) and good.video_codec == "h264"


@needs_fork
def test_a_hang_in_a_bundle_refuses_it_and_the_next_bundle_is_probed(
    tmp_path: Path, honest: dict[str, Path]
) -> None:
    fifo = tmp_path / "hang.mp4"
    os.mkfifo(fifo)  # opening it blocks forever: a demuxer that hangs
    server = shared_server()
    batch = server.batch(1.0)
    batch.submit(fifo)
    batch.submit(honest["recorder"])
    hung, after = batch.results()
    assert isinstance(hung, InvalidInputError) and "took longer than 1 s" in str(hung)
    assert isinstance(after, InvalidInputError)  # its prober was killed with the bundle
    assert server.probe_one(honest["recorder"], 15.0).video_codec == "h264"


@needs_fork
def test_a_prober_takes_a_fresh_one_after_its_batch_limit(honest: dict[str, Path]) -> None:
    from onetake_desktop.media.probe_child import BATCH_FILES

    batch = shared_server().batch(15.0)
    for _ in range(BATCH_FILES + 1):
        batch.submit(honest["recorder-video-only"])
    results = batch.results()
    assert not [r for r in results if isinstance(r, InvalidInputError)]
    assert len(set(batch.pids[:BATCH_FILES])) == 1
    assert batch.pids[BATCH_FILES] != batch.pids[0]


def _run_limited(code: str) -> subprocess.CompletedProcess[str]:
    prelude = "from onetake_desktop.media.probe import _limit_self\n_limit_self(200, 86400)\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=60
    )


def test_each_file_of_a_batch_gets_its_own_cpu_budget_under_the_batchs_ceiling() -> None:
    # A batch prober: a ceiling for the batch (10 s here), then one second per file. The first
    # "file" uses most of its second and finishes; the next gets a second of its own, spins,
    # and SIGXCPU stops it long before the batch's ceiling.
    result = _run_limited(
        "import os, resource\n"
        "from onetake_desktop.media.probe_child import _set_cpu_limit, _next_file_cpu_limit\n"
        "def used():\n"
        "    r = resource.getrusage(resource.RUSAGE_SELF)\n"
        "    return r.ru_utime + r.ru_stime\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    _set_cpu_limit(10)\n"
        "    _next_file_cpu_limit(1)\n"
        "    while used() < 0.8: pass\n"
        "    _next_file_cpu_limit(1)\n"
        "    while True: pass\n"
        "_, status, usage = os.wait4(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime)\n"
    )
    assert result.returncode == 0, result.stderr
    code, cpu = result.stdout.split()
    assert int(code) == -signal.SIGXCPU
    assert 0.8 < float(cpu) < 5.0


def test_a_forked_prober_loads_no_module_the_server_did_not(
    tmp_path: Path, honest: dict[str, Path]
) -> None:
    # Whatever a prober imports is loaded again in every fork, one per bundle (a shared
    # library: relocations and page faults): the server's warm-up loads it once instead. Both
    # ways of reading a file: an MP4's tables, and the packet by packet demux (Matroska).
    mkv = tmp_path / "answer.mkv"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
         "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t", "2", "-c:v", "libx264",
         "-preset", "ultrafast", "-g", "30", "-c:a", "aac", str(mkv)],
        check=True,
    )  # fmt: skip
    files = [str(honest["fragmented"]), str(mkv)]
    result = _run_limited(
        "import json, sys\n"
        "import av.logging\n"
        "av.logging.set_level(None)\n"
        "from onetake_desktop.media import probe_child\n"
        "probe_child._warm_up()\n"
        "loaded = set(sys.modules)\n"
        f"reports = [probe_child._probe_one(p) for p in {files!r}]\n"
        "print(json.dumps([reports, sorted(set(sys.modules) - loaded)]))\n"
    )
    assert result.returncode == 0, result.stderr
    reports, new = json.loads(result.stdout)
    assert [r.get("read") for r in reports] == ["tables", "packets"], reports
    assert new == []


def test_shapes_ffmpeg_reads_otherwise_are_not_read_from_the_tables(tmp_path: Path) -> None:
    from tests.pipeline.hostile.media import _rebuild

    # Fragments without their track's defaults (trex): FFmpeg skips such fragments.
    data = _fragmented(tmp_path)
    moov_at, moov_size = next((a, n) for k, a, n in _top(data) if k == b"moov")
    kept = b"".join(
        data[a : a + n] for k, a, n in _inside(data, moov_at, moov_size) if k != b"mvex"
    )
    no_trex = tmp_path / "no-trex.mp4"
    no_trex.write_bytes(
        data[:moov_at]
        + struct.pack(">I4s", len(kept) + 8, b"moov")
        + kept
        + data[moov_at + moov_size :]
    )
    # Audio whose samples each last one tick: FFmpeg reads it a chunk per packet.
    audio = write_answer(tmp_path / "a.m4a", seconds=2.0, video=None, options=RECORDER).read_bytes()
    moov_at, moov_size = _last(b"moov", _top(audio))
    stsz = audio.index(b"stsz", moov_at) - 4
    count = struct.unpack_from(">I", audio, stsz + 16)[0]
    ticks = _rebuild(
        audio, moov_at, moov_at + moov_size, {b"stts": struct.pack(">IIII", 0, 1, count, 1)}
    )
    chunked = tmp_path / "chunked.m4a"
    chunked.write_bytes(audio[:moov_at] + ticks + audio[moov_at + moov_size :])
    skipped, by_chunk = both_ways(no_trex, chunked)
    assert skipped["tables"] is None and by_chunk["tables"] is None
    assert "not a media file" in same_verdict(skipped)["error"]  # FFmpeg refuses to open it
    report = same_verdict(by_chunk)
    assert report.get("read", "packets") == "packets"


# --- through the importer: recorder-shaped answers take the tables' path, lies are refused ------


def _recorder_bundle(folder: Path, seconds: float = 2.0) -> Path:
    from onetake_desktop.storage.bundle import write_bundle
    from onetake_desktop.storage.kitfile import demo_kit_path, load_kit
    from tests.pipeline.hostile.corpus import demo_manifest

    folder.mkdir(parents=True, exist_ok=True)
    kit = load_kit(demo_kit_path())
    names, media = {}, {}
    for q in kit.questions:
        if kit.answer_type_of(q) != "text":
            names[q.id] = f"media/{q.id}.mp4"
            media[names[q.id]] = write_answer(
                folder / f"{q.id}.mp4", seconds=seconds, options=RECORDER
            )
    manifest = demo_manifest(kit, names)
    answers = tuple(
        a if a.media is None else replace(a, media=replace(a.media, duration_seconds=seconds))
        for a in manifest.answers
    )
    return write_bundle(replace(manifest, answers=answers), media, folder / "take.onetake").path


def test_the_importer_accepts_recorder_answers_and_refuses_one_whose_fragment_lies(
    tmp_path: Path,
) -> None:
    from onetake_desktop.services.bundles import import_bundle, verify_bundle
    from tests.pipeline.hostile.corpus import entries_of, with_media

    sound = _recorder_bundle(tmp_path / "sound")
    report = verify_bundle(sound)
    assert {round(m.duration_seconds) for m in report.media.values()} == {2}
    assert import_bundle(sound, tmp_path / "kept").media
    # The first answer swapped for a fragmented take whose last fragment says it starts 90 s
    # in; the manifest (checksums recomputed) still says 2 s.
    jump = _with_last_fragment_at(tmp_path, 90, "jump.mp4").read_bytes()
    liar = tmp_path / "liar.onetake"
    liar.write_bytes(with_media(entries_of(sound), "media/q1.mp4", jump))
    with pytest.raises(InvalidInputError, match=r"lasts 9\d\.\d s, but the manifest says"):
        verify_bundle(liar)
    with pytest.raises(InvalidInputError, match="lasts"):
        import_bundle(liar, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()


def test_what_a_player_would_index_counts_against_the_open_budget(tmp_path: Path) -> None:
    # The full demux reads every fragment, so FFmpeg's index of all of them shows in the
    # prober's memory; the tables' path reads only the first and the last, so the samples of
    # the others are counted at what their index costs a player (INDEX_BYTES_PER_SAMPLE).
    # Priced at 16 MB a sample, a 3 s take is far over budget, and refused the same way.
    path = write_answer(tmp_path / "frag.mp4", seconds=3.0, options=FRAGMENTED)
    code = (
        "import json, sys\n"
        "from onetake_desktop.media.probe_child import _limit_self\n"
        "_limit_self(512, 60)\n"
        "import av.logging\n"
        "av.logging.set_level(None)\n"
        "from onetake_desktop.media import probe_child\n"
        "honest = probe_child._probe_one(sys.argv[1])\n"
        "probe_child.INDEX_BYTES_PER_SAMPLE = 16 * 1024 * 1024\n"
        "priced = probe_child._probe_one(sys.argv[1])\n"
        "print(json.dumps([honest, priced]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    honest, priced = json.loads(result.stdout)
    assert honest["read"] == "tables"
    assert "more than any answer needs" in priced["error"] and "opening it takes" in priced["error"]


def test_the_first_units_are_read_in_c_exactly_as_a_walk_reads_them() -> None:
    # Samples of length-prefixed NAL units: most one unit filling the sample, some with a
    # parameter set (type 7) first, several units, a wrong length, or a set later in the
    # sample. The gathered comparison must flag exactly the samples a plain walk would.
    import random

    from onetake_desktop.media.probe_child import _unusual_samples

    rng = random.Random(17)
    data, starts, sizes, truth = bytearray(), [], [], []
    for i in range(3000):
        kind = rng.choice(["plain"] * 20 + ["sps", "two", "wrong", "late-sps"])
        body = bytes([0x65 if i % 30 == 0 else 0x41]) + rng.randbytes(rng.randint(1, 300))
        if kind == "plain":
            sample = struct.pack(">I", len(body)) + body
        elif kind == "sps":
            sample = struct.pack(">I", len(body)) + bytes([0x67]) + body[1:]
        elif kind == "two":
            sample = struct.pack(">I", 3) + b"\x06\x01\x02" + struct.pack(">I", len(body)) + body
        elif kind == "wrong":
            sample = struct.pack(">I", len(body) + 1) + body
        else:  # a parameter set as a second unit: the first unit does not fill the sample
            sps = b"\x67\x42\x00\x1e"
            sample = struct.pack(">I", len(body)) + body + struct.pack(">I", len(sps)) + sps
        starts.append(len(data))
        sizes.append(len(sample))
        data += sample
        first = int.from_bytes(sample[:4], "big")
        truth.append(first + 4 != len(sample) or sample[4] & 0x1F == 7)
    found = _unusual_samples(bytes(data), starts, sizes, 4)
    assert found == [i for i, odd in enumerate(truth) if odd]
    assert 0 < len(found) < len(starts)
    assert _unusual_samples(bytes(data), starts, sizes, 2) == list(range(len(starts)))


APP_THAT_DIES = """
import sys, time
from pathlib import Path
from onetake_desktop.media.probe import ProbeServer
server = ProbeServer()
batch = server.batch(600.0)
batch.submit(Path(sys.argv[1]))  # a FIFO: its prober hangs opening it
print(server.pid, flush=True)
time.sleep(600)
"""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie (its parent has not reaped it yet) is gone for our purpose
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


@needs_fork
def test_a_server_whose_app_is_gone_ends_its_hung_prober(tmp_path: Path) -> None:
    # The app is killed while a prober hangs on a file: the server sees the end of its input,
    # kills the prober and exits, leaving no process behind.
    if not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists():
        pytest.skip("no /proc children list here")
    fifo = tmp_path / "hang.mp4"
    os.mkfifo(fifo)
    app = subprocess.Popen(
        [sys.executable, "-c", APP_THAT_DIES, str(fifo)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert app.stdout is not None
        server = int(app.stdout.readline())
        deadline = time.monotonic() + 30
        while not _children(server) and time.monotonic() < deadline:
            time.sleep(0.05)  # the server forks the batch's prober once it reads the request
        (prober,) = _children(server)
    finally:
        app.kill()
        app.wait()
    try:
        assert _gone(server, 20) and _gone(prober, 20)
    finally:  # never leave them behind, even when the test fails
        with contextlib.suppress(OSError):
            os.killpg(server, signal.SIGKILL)


def _garble_picture(path: Path, last: bool = False, after: int = 0, keep: int = 2) -> None:
    """Overwrite the slice data of the video's first sample, or of its last keyframe (``last``),
    or of the ``after``-th picture after either, keeping the NAL length prefixes and unit
    headers (and ``keep`` bytes from the unit header on: 1 garbles the slice header itself), so
    that the tables and the parameter-set scan still read the file as before."""
    from onetake_desktop.media import mp4_samples

    video = mp4_samples.read_tracks(str(path))[0]
    starts: list[int] = []
    for run in range(len(video.runs)):
        offset, first, stop = video.run_bounds(run)
        for k in range(first, stop):
            starts.append(offset)
            offset += int(video.sizes[k])
    data = bytearray(path.read_bytes())

    def units(k: int) -> list[tuple[int, int]]:
        at, end, found = starts[k], starts[k] + int(video.sizes[k]), []
        while at < end:
            size = int.from_bytes(data[at : at + 4], "big")
            found.append((at, size))
            at += 4 + size
        return found

    order = range(len(starts) - 1, -1, -1) if last else range(len(starts))
    k = next(k for k in order if any(data[at + 4] & 0x1F == 5 for at, _ in units(k)))
    assert not last or k > 5  # past the first pictures, which are decoded anyway
    k += after
    assert not after or not any(data[at + 4] & 0x1F == 5 for at, _ in units(k))  # not a keyframe
    for at, size in units(k):
        if data[at + 4] & 0x1F in (1, 5):  # a slice
            data[at + 4 + keep : at + 4 + size] = bytes(
                (i * 151 + 89) & 0xFF for i in range(size - keep)
            )
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("last", [False, True], ids=["first", "last-keyframe"])
@pytest.mark.parametrize(
    "movflags", ["+faststart", "+frag_keyframe+empty_moov+default_base_moof"], ids=["plain", "frag"]
)
def test_pictures_that_do_not_decode_refuse_the_file(
    tmp_path: Path, movflags: str, last: bool
) -> None:
    # The probe decodes the first pictures itself (FFmpeg's own decoders, opened while it opens
    # the file, skip every picture) and those from the last keyframe on, whichever way the file
    # is read: a first picture or a last keyframe that cannot be decoded refuses the file (the
    # last one makes the tables' path give up, and the full demux decodes it too).
    path = ffmpeg_answer(tmp_path / "garbled.mp4", 3.0, movflags)  # a keyframe every second
    probe_media(path)  # honest before
    _garble_picture(path, last=last)
    with pytest.raises(InvalidInputError, match="damaged"):
        probe_media(path)


@pytest.mark.parametrize(("last", "after"), [(False, 1), (False, 4), (True, 1)])
@pytest.mark.parametrize(
    "movflags", ["+faststart", "+frag_keyframe+empty_moov+default_base_moof"], ids=["plain", "frag"]
)
def test_a_predicted_picture_whose_slice_header_is_garbage_refuses_the_file(
    tmp_path: Path, movflags: str, last: bool, after: int
) -> None:
    # What decoding pictures catches that no table or NAL scan does: FFmpeg refuses a slice
    # whose header does not parse, but conceals garbage in the picture data after a sound
    # header (measured: such files pass, keyframe or not). So the check is only as wide as the
    # pictures it decodes, predicted ones included: the 2nd and 5th at the start, and the one
    # after the last keyframe. Decoding only keyframes (skip_frame=nonkey) or fewer pictures
    # would accept these files; this test fails if the probe is narrowed so.
    path = ffmpeg_answer(tmp_path / "garbled.mp4", 3.0, movflags)
    _garble_picture(path, last=last, after=after, keep=1)
    with pytest.raises(InvalidInputError, match="damaged"):
        probe_media(path)


def test_the_probe_decodes_without_deblocking_and_refuses_the_same_files(tmp_path: Path) -> None:
    # A recorder's answer (x264 veryfast: CABAC, deblocked) with the slice data of one picture
    # garbled in many ways: the probe's verdict on each is the same with the deblocking filter
    # skipped (PICTURE_DECODER_OPTIONS) as with every step of decoding, and some are refused.
    source = tmp_path / "veryfast.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3",
         "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", str(source)],
        check=True,
    )  # fmt: skip
    files = [str(source)]
    for last, after in [(False, 0), (False, 1), (False, 4), (True, 0), (True, 1)]:
        for keep in (1, 2, 3, 4, 6):
            garbled = tmp_path / f"g-{int(last)}-{after}-{keep}.mp4"
            garbled.write_bytes(source.read_bytes())
            _garble_picture(garbled, last=last, after=after, keep=keep)
            files.append(str(garbled))
    result = _run_limited(
        "import json\n"
        "import av.logging\n"
        "av.logging.set_level(None)\n"
        "from onetake_desktop.media import probe_child\n"
        "assert probe_child.PICTURE_DECODER_OPTIONS == {'skip_loop_filter': 'all'}\n"
        f"files = {files!r}\n"
        "skipping = [probe_child._probe_one(f).get('error') for f in files]\n"
        "probe_child.PICTURE_DECODER_OPTIONS = {}\n"
        "whole = [probe_child._probe_one(f).get('error') for f in files]\n"
        "print(json.dumps([skipping, whole]))\n"
    )
    assert result.returncode == 0, result.stderr
    skipping, whole = json.loads(result.stdout)
    assert skipping == whole
    assert skipping[0] is None  # the honest answer passes
    assert sum("damaged" in (e or "") for e in skipping) >= 5  # the sweep is not vacuous


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("b-frames.mkv", ["-c:v", "libx264", "-preset", "ultrafast", "-bf", "2"]),
        ("vp9.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"]),
    ],
)
def test_honest_matroska_answers_decode_their_last_stretch_and_pass(
    tmp_path: Path, name: str, codec: list[str]
) -> None:
    # A keyframe every second: the full demux seeks back to the last one and decodes from there.
    path = tmp_path / name
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
         "-t", "3", *codec, "-g", "30", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    info = probe_media(path)
    assert info.container == "matroska" and info.width == 320
    assert 2.9 < info.duration_seconds < 3.1
