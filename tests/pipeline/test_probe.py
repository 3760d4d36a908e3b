"""The media probe: allow list, real facts, and a child process that cannot hang or crash us."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.media.probe import MediaInfo, ProbeChild, probe_media, probe_media_files
from tests.pipeline.hostile.media import write_answer


def test_allowed_files_report_their_facts(tmp_path: Path) -> None:
    mp4 = write_answer(tmp_path / "v.mp4", seconds=2.0, size=(320, 240))
    m4a = write_answer(tmp_path / "a.m4a", video=None, seconds=1.0)
    webm = write_answer(
        tmp_path / "w.webm", video="libvpx-vp9", audio="libopus", container="webm", seconds=1.0
    )
    infos = probe_media_files([mp4, m4a, webm])
    assert infos[0] == MediaInfo("mp4", "h264", "aac", pytest.approx(2.0, abs=0.1), 320, 240)  # type: ignore[arg-type]
    assert (infos[1].container, infos[1].video_codec, infos[1].audio_codec) == ("mp4", None, "aac")
    assert infos[1].width is None
    assert (infos[2].container, infos[2].video_codec, infos[2].audio_codec) == (
        "matroska", "vp9", "opus",
    )  # fmt: skip


@pytest.mark.parametrize(
    "movflags", ["hybrid_fragmented", "frag_keyframe+empty_moov+default_base_moof"]
)
def test_the_recorders_fragmented_mp4_files(tmp_path: Path, movflags: str) -> None:
    # What media/recorder.py writes: crash-safe fragmented (or hybrid) MP4, every packet flushed.
    path = write_answer(
        tmp_path / "take.mp4", seconds=2.0, options={"movflags": movflags, "flush_packets": "1"}
    )
    info = probe_media(path)
    assert (info.container, info.video_codec, info.audio_codec) == ("mp4", "h264", "aac")
    assert info.duration_seconds == pytest.approx(2.0, abs=0.1)


def test_av1_video_is_allowed(tmp_path: Path) -> None:
    path = write_answer(tmp_path / "av1.mp4", video="libsvtav1", audio=None, size=(160, 128))
    assert probe_media(path).video_codec == "av1"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"video": "mpeg4"}, "codec 'mpeg4' is not allowed"),
        ({"video": None, "audio": "flac", "container": "matroska"}, "codec 'flac' is not allowed"),
        ({"container": "mpegts"}, "container is not allowed"),
        ({"container": "avi"}, "container is not allowed"),
    ],
)
def test_not_on_the_allow_list(tmp_path: Path, kwargs: dict[str, object], reason: str) -> None:
    path = write_answer(tmp_path / "x.bin", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=reason):
        probe_media(path)


def test_garbage_and_truncated_files_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(os.urandom(50_000))
    with pytest.raises(InvalidInputError, match="not a media file"):
        probe_media(garbage)
    good = write_answer(tmp_path / "good.mp4", seconds=1.0)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInputError, match=r"empty\.mp4"):
        probe_media(empty)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(good.read_bytes()[:400])  # the header only
    with pytest.raises(InvalidInputError, match=r"cut\.mp4"):
        probe_media(cut)


def test_a_hanging_probe_is_killed_after_its_timeout(tmp_path: Path) -> None:
    # Opening a FIFO that nobody writes blocks forever: a stand-in for a demuxer that hangs.
    fifo = tmp_path / "hang.mp4"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InvalidInputError, match="took longer than 1 s"):
        probe_media(fifo, timeout=1.0)
    assert time.monotonic() - started < 4.0


def test_the_memory_limit_applies_to_the_child(tmp_path: Path) -> None:
    path = write_answer(tmp_path / "v.mp4")
    # 40 MB of address space is not even enough to load FFmpeg: the child fails, we do not.
    with pytest.raises(InvalidInputError, match="media checker"):
        probe_media(path, memory_mb=40)
    assert probe_media(path, memory_mb=512).video_codec == "h264"


def test_a_packaged_apps_launcher_is_not_used_as_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a packaged app sys.executable can be the app's own launcher; running it would start
    # another app. The probe then finds a real interpreter and hands it our import path.
    monkeypatch.setattr("sys.executable", "/opt/onetake/bin/OneTake")
    path = write_answer(tmp_path / "v.mp4")
    assert probe_media(path).video_codec == "h264"


def test_other_demuxers_never_read_the_file(tmp_path: Path) -> None:
    # An ffconcat script named like an answer: FFmpeg's concat demuxer would open the files it
    # names (here a FIFO nobody writes, which would hang it) before we could refuse 'concat'.
    os.mkfifo(tmp_path / "hang.mp4")
    script = tmp_path / "q1.mp4"
    script.write_text("ffconcat version 1.0\nfile hang.mp4\n")
    started = time.monotonic()
    with pytest.raises(InvalidInputError, match="not a media file"):
        probe_media(script, timeout=5.0)
    assert time.monotonic() - started < 4.0


def _run_limited(code: str, memory_mb: int, cpu_seconds: int) -> subprocess.CompletedProcess[str]:
    # The probe child's own first step (_limit_self), then hostile work in its place.
    prelude = (
        "from onetake_desktop.media.probe import _limit_self\n"
        f"_limit_self({memory_mb}, {cpu_seconds})\n"
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=30
    )


def test_a_child_that_allocates_forever_hits_its_memory_limit() -> None:
    started = time.monotonic()
    result = _run_limited("x = []\nwhile True: x.append(bytearray(10**7))", 200, 20)
    assert result.returncode == 1 and "MemoryError" in result.stderr
    assert time.monotonic() - started < 10.0


def test_a_child_that_spins_forever_hits_its_cpu_limit() -> None:
    started = time.monotonic()
    result = _run_limited("while True: pass", 200, 1)
    assert result.returncode == -signal.SIGXCPU
    assert time.monotonic() - started < 10.0


def test_the_working_folder_is_not_on_the_childs_import_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone runs `onetake bundle verify` from a folder holding a module named like ours.
    path = write_answer(tmp_path / "v.mp4")
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "av.py").write_text("raise SystemExit(5)\n")
    monkeypatch.chdir(planted)
    assert probe_media(path).video_codec == "h264"


def test_a_child_started_before_its_file_exists_probes_it(tmp_path: Path) -> None:
    # Bundle import starts the child first and writes the files while it starts up.
    with ProbeChild(timeout=15.0) as child:
        path = write_answer(tmp_path / "late.mp4")
        (info,) = child.probe([path], timeout=15.0)
        assert info.video_codec == "h264" and not child.usable
        with pytest.raises(RuntimeError):
            child.probe([path])


def test_an_unused_child_is_killed_and_reaped_on_close() -> None:
    child = ProbeChild(timeout=15.0)
    assert child.usable
    process = child._process
    child.close()
    assert process is not None and process.returncode is not None and not child.usable


def test_the_request_lowers_a_roomy_cpu_ceiling() -> None:
    # A child started with a large ceiling (the spare kept for the next import) gets only its
    # request's budget: one CPU second here, then SIGXCPU.
    started = time.monotonic()
    result = _run_limited(
        "from onetake_desktop.media.probe_child import _limit_cpu_from_now\n"
        "_limit_cpu_from_now(1)\nwhile True: pass",
        200,
        600,
    )
    assert result.returncode == -signal.SIGXCPU
    assert time.monotonic() - started < 10.0


def test_a_forked_prober_gets_only_its_requests_cpu_budget() -> None:
    # The warm server starts with a day of CPU; each process it forks for one file is held to
    # the request's budget (one second here), then SIGXCPU, which the server reports.
    result = _run_limited(
        "import os\n"
        "from onetake_desktop.media.probe_child import _set_cpu_limit\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    _set_cpu_limit(1)\n"
        "    while True: pass\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status))\n",
        200,
        86400,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == -signal.SIGXCPU


def test_the_warm_prober_survives_a_bad_file_and_probes_the_next(tmp_path: Path) -> None:
    from onetake_desktop.media.probe import can_fork, shared_server

    if not can_fork():
        pytest.skip("no fork on this platform: one fresh child per bundle is used instead")
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00" * 4096)
    good = write_answer(tmp_path / "good.mp4")
    server = shared_server()
    with pytest.raises(InvalidInputError):
        server.probe_one(garbage, 15.0)
    first_server, first_prober = server.pid, server.last_pid
    assert server.probe_one(good, 15.0).video_codec == "h264"
    assert server.pid == first_server  # the same server: nothing of the bad file was in it
    assert server.last_pid not in (first_prober, first_server)  # a fresh prober per file
