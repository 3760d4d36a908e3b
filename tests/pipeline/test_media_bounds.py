"""Media probed by what decodes, not by what the header says; opening any accepted answer stays
within a few hundred MB.

The header bomb: a real h264 MP4 whose sample table declares tens of millions of samples in a
few dozen bytes. The probe used to give up under its memory limit and trust the header; a player
that opens it unchecked builds an index of every declared sample. "Opening" is measured the way
the reviewer's player does it (FFmpeg's demuxer through PyAV, every packet read, frames decoded),
in a child process whose peak resident memory is read back.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.media.probe import OPEN_BUDGET_MB, ProbeChild, probe_media
from onetake_desktop.media.probe_child import MAX_SAMPLES
from tests.pipeline.hostile.media import (
    _boxes,
    _rebuild,
    header_bomb,
    resize_bomb,
    trun_bomb,
    write_answer,
)

PLAYER_BUDGET_MB = 400  # "a few hundred MB" for opening one answer (~120 MB measured for 720p)

# What the player does with a file, in a fresh process: open, read every packet, decode every
# frame (the whole answer is played), then report the peak resident memory.
OPEN_LIKE_THE_PLAYER = """
import json, sys
import av
av.logging.set_level(None)
frames = 0
try:
    with av.open(sys.argv[1]) as container:
        for stream in container.streams:
            stream.codec_context.thread_count = 2
        for packet in container.demux():
            for _ in packet.decode():
                frames += 1
except av.FFmpegError:
    pass
# VmHWM is this program's own peak: ru_maxrss would also count the moment between fork and
# exec, when the child still is a copy of the (large) test process.
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"frames": frames, "peak_mb": peak_kb / 1024}))
"""


def open_like_the_player(path: Path) -> tuple[int, float]:
    result = subprocess.run(
        [sys.executable, "-c", OPEN_LIKE_THE_PLAYER, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(result.stdout)
    return int(report["frames"]), float(report["peak_mb"])


def test_the_header_bomb_is_refused(tmp_path: Path) -> None:
    bomb = header_bomb(tmp_path / "bomb.mp4", samples=40_000_000)
    assert bomb.stat().st_size < 20_000
    with pytest.raises(InvalidInputError, match=r"header declares 40,000,000 samples"):
        probe_media(bomb)


def test_a_bomb_under_the_sample_bound_is_refused_by_what_demuxes(tmp_path: Path) -> None:
    # Declares fewer samples than the bound, but they are not in the file.
    bomb = header_bomb(tmp_path / "bomb.mp4", samples=MAX_SAMPLES - 1)
    with pytest.raises(InvalidInputError) as caught:
        probe_media(bomb)
    assert "really there" in str(caught.value) or "damaged" in str(caught.value)


def test_the_bomb_would_cost_the_player_and_accepted_answers_do_not(tmp_path: Path) -> None:
    # Big enough to show the measure bites (about 0.74 GB to open), small enough for a shared
    # test machine; the real bomb in the corpus declares 40 M samples (2.8 GB).
    bomb = header_bomb(tmp_path / "bomb.mp4", samples=10_000_000)
    with pytest.raises(InvalidInputError, match="header declares"):
        probe_media(bomb)
    _, bomb_peak = open_like_the_player(bomb)
    assert bomb_peak > PLAYER_BUDGET_MB
    accepted = [
        write_answer(tmp_path / "hd.mp4", seconds=3.0, size=(1280, 720), fps=30),
        write_answer(
            tmp_path / "take.mp4",
            seconds=3.0,
            size=(640, 480),
            options={"movflags": "hybrid_fragmented", "flush_packets": "1"},
        ),  # what the recorder writes
        write_answer(
            tmp_path / "w.webm", video="libvpx-vp9", audio="libopus", container="webm", seconds=2.0
        ),
        write_answer(tmp_path / "a.m4a", video=None, seconds=3.0),
    ]
    for path in accepted:
        info = probe_media(path)  # accepted
        frames, peak = open_like_the_player(path)
        assert frames > 0
        assert peak < PLAYER_BUDGET_MB, (path.name, peak)
        assert info.duration_seconds > 0


def _find(data: bytes, start: int, end: int, path: list[bytes]) -> tuple[int, int]:
    """Offset and size of the box at ``path`` (e.g. moov/trak/mdia/mdhd), first match."""
    for kind, at, size in _boxes(data, start, end):
        if kind == path[0]:
            return (at, size) if len(path) == 1 else _find(data, at + 8, at + size, path[1:])
    raise LookupError(path)


def _claiming(data: bytes, path: list[bytes], seconds: int) -> bytes:
    """A version-0 mvhd/mdhd body (same layout) whose duration says ``seconds``."""
    at, size = _find(data, 0, len(data), path)
    body = bytearray(data[at + 8 : at + size])
    assert body[0] == 0  # version 0: 32-bit times
    timescale = struct.unpack_from(">I", body, 12)[0]
    struct.pack_into(">I", body, 16, seconds * timescale)
    return bytes(body)


def _with_duration(path: Path, out: Path, seconds: int) -> Path:
    """``path`` (one track, moov after mdat) with its movie and track headers claiming
    ``seconds``; the samples are unchanged."""
    data = path.read_bytes()
    moov_at, moov_size = _find(data, 0, len(data), [b"moov"])
    edit = {
        b"mvhd": _claiming(data, [b"moov", b"mvhd"], seconds),
        b"mdhd": _claiming(data, [b"moov", b"trak", b"mdia", b"mdhd"], seconds),
    }
    moov = _rebuild(data, moov_at, moov_at + moov_size, edit)
    out.write_bytes(data[:moov_at] + moov + data[moov_at + moov_size :])
    return out


def test_the_duration_is_what_the_packets_cover_not_the_header(tmp_path: Path) -> None:
    clip = write_answer(tmp_path / "clip.mp4", seconds=2.0, audio=None, options={})
    liar = _with_duration(clip, tmp_path / "liar.mp4", 3600)  # movie and track headers: 1 hour
    info = probe_media(liar)
    assert info.duration_seconds == pytest.approx(2.0, abs=0.2)
    # So a manifest that repeats the header's hour is caught by the import's comparison.
    from onetake_desktop.services.bundles import DURATION_TOLERANCE_SECONDS

    assert abs(3600 - info.duration_seconds) > DURATION_TOLERANCE_SECONDS


def test_pictures_larger_than_any_answer_are_refused(tmp_path: Path) -> None:
    wide = write_answer(tmp_path / "wide.mp4", seconds=0.2, size=(4608, 64), audio=None, fps=5)
    with pytest.raises(InvalidInputError, match="4608x64, larger than any answer needs"):
        probe_media(wide)


def test_a_picture_size_change_in_the_middle_of_the_stream_is_found(tmp_path: Path) -> None:
    # Header and first frames say 320x240; one second in, a new SPS makes every picture
    # 4608x64. Only the packets where the parameters change are decoded, not every frame.
    bomb = resize_bomb(tmp_path / "resize.mp4")
    with pytest.raises(InvalidInputError, match="pictures decode at 4608x64"):
        probe_media(bomb)
    same = resize_bomb(tmp_path / "same.mp4", big=(320, 240))  # in-band SPS, same size: fine
    assert (probe_media(same).width, probe_media(same).height) == (320, 240)


def test_what_opening_a_file_costs_the_prober_is_measured_and_bounded(tmp_path: Path) -> None:
    # Any index a demuxer builds (an MP4 sample table, Matroska cues, fragment runs) and any
    # pictures its decoder allocates show in the prober's resident memory while the file is
    # open: measured, not predicted from the header. An honest 720p answer takes ~20 MB.
    clip = write_answer(tmp_path / "hd.mp4", seconds=2.0, size=(1280, 720), fps=30)
    with ProbeChild() as child:
        assert child.probe([clip])[0].width == 1280  # within the default budget
    with (
        ProbeChild(open_budget_mb=1) as child,
        pytest.raises(
            InvalidInputError, match=r"opening it takes \d+ MB, more than any answer needs"
        ),
    ):
        child.probe([clip])
    assert OPEN_BUDGET_MB <= PLAYER_BUDGET_MB


@pytest.mark.parametrize(
    ("samples", "reason"),
    [
        (2_000_000, "damaged"),  # the index fits the prober; the samples are not there
        (20_000_000, "needs more memory than any answer does"),  # 0.75 GB to open unchecked
    ],
)
def test_a_fragment_run_bomb_is_refused(tmp_path: Path, samples: int, reason: str) -> None:
    bomb = trun_bomb(tmp_path / "frag.mp4", samples=samples)
    assert bomb.stat().st_size < 20_000
    with pytest.raises(InvalidInputError, match=reason):
        probe_media(bomb)
