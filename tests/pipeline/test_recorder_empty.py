"""A take that holds nothing: stopped before its first picture and its first sound.

FFmpeg's MP4 muxer crashes the process (SIGSEGV in ``av_write_trailer``) when it closes a
fragmented file that holds no packet; a quick Stop on a busy machine made exactly that file and
took the app (and a test run) down. Each case runs in a child process, so a crash fails the
test instead of ending the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.pipeline.test_recorder import decode_all

# Every mix of tracks, closed the normal way and after a write error, without a single frame.
EMPTY_ENCODERS = r"""
import json, sys
from pathlib import Path
from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import _Encoder

folder = Path(sys.argv[1])
profile = PROFILES["light"].scaled(320, 240)
made = []
for video, audio in ((True, True), (True, False), (False, True)):
    for how in ("finish", "abandon"):
        path = folder / f"{int(video)}{int(audio)}-{how}.mp4"
        encoder = _Encoder(path, profile, video, audio)
        getattr(encoder, how)()
        made.append(str(path))
print(json.dumps(made))
"""

# A real take on real sources, stopped at its first instant: nothing captured belongs to it.
TAKE_STOPPED_AT_ONCE = r"""
import json, sys
from pathlib import Path
from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import STOPPED, CaptureSession

out = Path(sys.argv[1])
with CaptureSession("synthetic", "synthetic") as session:
    take = session.start_take(out, PROFILES["light"].scaled(320, 240))
    take._request_stop(STOPPED, None, at=take.started_at)
    result = take.stop()
stats = result.stats
print(json.dumps([str(result.path), result.stop_reason, stats.frames_encoded, stats.audio_samples]))
"""


# Encoders that fail before their first packet reached the muxer, then are abandoned the way
# a take's writer does. The cause is real: a block of sound the AAC encoder refuses (float64,
# as from a source that skipped its conversion) is buffered, so it breaks finish() and the
# flush in abandon() alike -- nothing ever reaches the muxer.
FAILED_BEFORE_THE_FIRST_PACKET = r"""
import json, sys
import numpy as np
from pathlib import Path
from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import _Encoder

folder = Path(sys.argv[1])
profile = PROFILES["light"].scaled(320, 240)
seen = []
for video in (True, False):
    path = folder / f"{int(video)}1.mp4.partial"
    encoder = _Encoder(path, profile, video, True)
    encoder.encode_audio(np.zeros(100, np.float64))
    try:
        encoder.finish()
    except ValueError as error:
        seen.append([str(path), encoder._muxed, str(error)])
    encoder.abandon()
print(json.dumps(seen))
"""

# A real take whose file cannot grow past its header (RLIMIT_FSIZE, as a full disk would
# refuse it): its first write fails. The limit is the header's size, read from a probe file
# made the same way, so it is in place before the take starts.
TAKE_ON_A_FULL_FILE = r"""
import json, resource, signal, sys
from pathlib import Path
from onetake_desktop.media.profiles import PROFILES
from onetake_desktop.media.recorder import STOPPED, CaptureSession, _Encoder

out = Path(sys.argv[1])
profile = PROFILES["light"].scaled(320, 240)
probe = out.with_name("probe.mp4")
encoder = _Encoder(probe, profile, True, True)
header = probe.stat().st_size
encoder.abandon()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (header, resource.RLIM_INFINITY))
with CaptureSession("synthetic", "synthetic") as session:
    take = session.start_take(out, profile)
    take._request_stop(STOPPED, None, at=take.started_at)
    result = take.stop()
print(json.dumps([str(result.path), result.stop_reason, result.message, header]))
"""


def run_child(script: str, arg: Path) -> Any:
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", script, str(arg)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_encoders_closed_without_a_frame_leave_a_playable_file(tmp_path: Path) -> None:
    made = run_child(EMPTY_ENCODERS, tmp_path)
    assert isinstance(made, list) and len(made) == 6
    for name in made:
        path = Path(name)
        tracks = path.name[:2]
        frames = decode_all(path)
        # one blank frame keeps the muxer from crashing: silence, else a black picture
        if tracks[1] == "1":
            assert frames["audio"], path.name
        else:
            assert frames["video"], path.name


def test_a_take_stopped_before_anything_arrived_finishes_its_file(tmp_path: Path) -> None:
    out = tmp_path / "q01.mp4"
    path, reason, encoded, samples = run_child(TAKE_STOPPED_AT_ONCE, out)
    assert (Path(path), reason) == (out, "stopped")
    assert (encoded, samples) == (0, 0)  # the blank frame is not counted as captured
    assert out.exists() and not (tmp_path / "q01.mp4.partial").exists()
    assert decode_all(out)["audio"]


def test_an_encoder_that_fails_before_its_first_packet_is_abandoned_without_a_crash(
    tmp_path: Path,
) -> None:
    seen = run_child(FAILED_BEFORE_THE_FIRST_PACKET, tmp_path)
    assert [(Path(path).name, muxed) for path, muxed, _ in seen] == [
        ("11.mp4.partial", 0),
        ("01.mp4.partial", 0),
    ]
    assert all("float32" in error for *_, error in seen)
    for path, *_ in seen:
        # released without the trailer: the header alone, which recovery removes
        assert 0 < Path(path).stat().st_size < 200


def test_a_take_whose_first_write_fails_ends_with_a_plain_error(tmp_path: Path) -> None:
    out = tmp_path / "q01.mp4"
    path, reason, message, header = run_child(TAKE_ON_A_FULL_FILE, out)
    assert reason == "error"
    assert message.startswith("The recording failed (") and "File too large" in message
    # nothing whole was written, so the start-up recovery's rule removed the header
    assert not (tmp_path / "q01.mp4.partial").exists()
    assert Path(path) == out and not out.exists()
    assert header > 0
