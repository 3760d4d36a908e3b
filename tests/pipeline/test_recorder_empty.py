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
