"""Pure-Python parts of the recording engine: profiles, source strings, disk math, MP4 boxes.

No PyAV or OpenCV here (tests/unit runs where neither is installed).
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onetake_desktop.domain.errors import DeviceError, DiskFullError, OneTakeError
from onetake_desktop.media import devices
from onetake_desktop.media.profiles import PROFILES, estimate_bundle_bytes, get_profile
from onetake_desktop.media.recovery import (
    drop_edit_lists,
    last_whole_fragment_end,
    read_boxes,
    recover_partials,
    truncate_to_last_fragment,
)
from onetake_desktop.media.sources import parse_spec
from onetake_desktop.storage.kitfile import demo_kit_path, load_kit


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_profiles_match_the_issue() -> None:
    default = PROFILES["default"]
    assert (default.width, default.height, default.fps, default.gop) == (1280, 720, 30, 30)
    assert (default.video_codec, default.preset, default.tune) == (
        "libx264",
        "veryfast",
        "zerolatency",
    )
    # Constrained quality (issue 17): CRF 23 under a 1.4 Mbit/s cap, chosen on the curves of
    # bench/quality_bench.py; the same 1 s GOP with keyframes only on the grid.
    assert (default.crf, default.maxrate, default.bufsize) == (23, 1_400_000, 1_400_000)
    assert default.audio_bitrate == 128_000 and default.sample_rate == 48_000
    assert default.rate_options() == {
        "crf": "23",
        "maxrate": "1400000",
        "bufsize": "1400000",
        "g": "30",
        "sc_threshold": "0",
    }
    light = PROFILES["light"]
    assert (light.width, light.height) == (640, 480) and light.preset == "ultrafast"
    assert light.rate_options()["b"] == "800000"  # not measured on curves yet: as before
    audio = PROFILES["audio"]
    assert audio.audio_only and audio.bytes_per_second() < 20_000
    # bytes_per_second is an upper bound: the video cap plus sound
    assert 190_000 < default.bytes_per_second() < 200_000
    assert default.typical_bytes_per_second() < default.bytes_per_second() / 2


def test_the_bundle_estimate_follows_the_kits_time_limits() -> None:
    kit = load_kit(demo_kit_path())
    default = PROFILES["default"]
    estimate = estimate_bundle_bytes(kit, default)
    recorded = [q for q in kit.questions if kit.answer_type_of(q) != "text"]
    seconds = sum(q.answer_max_seconds for q in recorded)
    assert estimate.media_seconds == seconds
    assert estimate.typical_bytes < estimate.at_most_bytes
    assert abs(estimate.at_most_bytes - seconds * default.bytes_per_second()) < 100_000
    assert abs(estimate.typical_bytes - seconds * default.typical_bytes_per_second()) < 100_000
    # Extra time (an accommodation) makes the answers, and so the bundle, longer.
    longer = estimate_bundle_bytes(kit, default, time_multiplier=1.5)
    assert longer.media_seconds == 1.5 * seconds and longer.typical_bytes > estimate.typical_bytes
    # Three 2-minute talking-head answers fit in 25 MB (most e-mail's limit).
    three = kit._replace(
        questions=tuple(
            kit.questions[0]._replace(id=f"q{i}", answer_max_seconds=120) for i in range(3)
        ),
    )
    assert three.answer_type_of(three.questions[0]) == "video"
    assert estimate_bundle_bytes(three, default).typical_bytes < 25_000_000


def test_profile_lookup() -> None:
    assert get_profile(None) is PROFILES["default"]
    assert get_profile("light", audio_only=True).audio_only
    with pytest.raises(OneTakeError, match="no recording profile called 'huge'"):
        get_profile("huge")


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("camera:0", ("camera", "0")),
        ("mic:default", ("mic", "default")),
        ("mic:USB Audio: 1", ("mic", "USB Audio: 1")),
        ("file:/tmp/a:b.mp4", ("file", "/tmp/a:b.mp4")),
        ("synthetic", ("synthetic", "")),
        ("synthetic:size=320x240", ("synthetic", "size=320x240")),
    ],
)
def test_source_strings(spec: str, parsed: tuple[str, str]) -> None:
    assert parse_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["webcam:0", "camera:", "", "mic"])
def test_bad_source_strings_are_one_sentence(spec: str) -> None:
    with pytest.raises(DeviceError) as error:
        parse_spec(spec)
    assert "\n" not in str(error.value) and str(error.value).endswith(".")


def test_disk_check_needs_length_times_rate_times_one_and_a_half(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = PROFILES["default"]
    need = devices.required_bytes(600, profile)
    assert need == int(600 * profile.bytes_per_second() * 1.5) + devices.DISK_MARGIN_BYTES

    class Usage:
        free = need - 1

    monkeypatch.setattr(shutil, "disk_usage", lambda folder: Usage)
    with pytest.raises(DiskFullError, match="not enough free disk space"):
        devices.check_disk_space(tmp_path, 600, profile)
    Usage.free = need
    devices.check_disk_space(tmp_path, 600, profile)


def fragmented(fragments: int) -> bytes:
    trak = box(b"trak", box(b"tkhd", b"\0" * 8) + box(b"edts", box(b"elst", b"\0" * 12)))
    head = box(b"ftyp", b"isom") + box(b"free") + box(b"moov", box(b"mvhd", b"\0" * 4) + trak)
    body = b"".join(box(b"moof", b"m" * 20) + box(b"mdat", b"d" * 100) for _ in range(fragments))
    return head + body


def test_box_walk_keeps_whole_fragments(tmp_path: Path) -> None:
    data = fragmented(3)
    path = tmp_path / "a.mp4.partial"
    path.write_bytes(data)
    with path.open("rb") as stream:
        boxes, whole = read_boxes(stream, len(data))
    assert whole and [b.kind for b in boxes][-2:] == [b"moof", b"mdat"]
    assert last_whole_fragment_end(boxes) == (len(data), True)


@given(cut=st.integers(min_value=0, max_value=len(fragmented(3))))
def test_truncation_at_any_byte_keeps_only_whole_fragments(cut: int) -> None:
    import tempfile

    data = fragmented(3)
    fragment = len(box(b"moof", b"m" * 20) + box(b"mdat", b"d" * 100))
    header = len(data) - 3 * fragment
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "q.mp4.partial"
        path.write_bytes(data[:cut])
        kept, has_media = truncate_to_last_fragment(path)
        whole = max(0, (cut - header) // fragment)
        assert has_media == (whole > 0)
        if whole:
            assert kept == header + whole * fragment
        else:
            assert kept in (0, header) and kept <= cut
        assert path.read_bytes() == data[:kept]


def test_finished_plain_mp4_is_kept_whole(tmp_path: Path) -> None:
    data = box(b"ftyp", b"isom") + box(b"mdat", b"x" * 50) + box(b"moov", b"y" * 30)
    path = tmp_path / "q.mp4.partial"
    path.write_bytes(data)
    assert truncate_to_last_fragment(path) == (len(data), True)


def test_edit_lists_can_be_dropped_in_place(tmp_path: Path) -> None:
    path = tmp_path / "q.mp4"
    path.write_bytes(fragmented(1))
    assert drop_edit_lists(path) == 1
    assert b"edts" not in path.read_bytes() and len(path.read_bytes()) == len(fragmented(1))


def test_take_interrupted_before_any_fragment_is_removed(tmp_path: Path) -> None:
    (tmp_path / "q01.mp4.partial").write_bytes(fragmented(0)[:40])
    (result,) = recover_partials(tmp_path)
    assert not result.kept and result.path is None
    assert "\n" not in result.message and not (tmp_path / "q01.mp4.partial").exists()


def test_leftover_partial_beside_a_finished_take_is_removed(tmp_path: Path) -> None:
    (tmp_path / "q01.mp4").write_bytes(b"whole")
    (tmp_path / "q01.mp4.partial").write_bytes(fragmented(1))
    (result,) = recover_partials(tmp_path)
    assert not result.kept and (tmp_path / "q01.mp4").read_bytes() == b"whole"
