"""Welcome back after a real crash (kill -9 during a second take), on the real recorder.

Walk s14 W2: the welcome back counted "0 of 3" with a complete take on disk, and the recovered
fragment, shorter than the question's minimum, was the take selected to send.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from onetake_desktop.paths import app_paths
from onetake_desktop.services.candidate import CandidateService
from onetake_desktop.storage.kitfile import save_kit
from tests.pipeline.test_candidate_headless import REPO, SMALL_CAMERA, small_kit

MINIMUM = 5  # q1's minimum length in seconds: the first take is longer, the fragment shorter

CRASH_IN_SECOND_TAKE = """
import sys, time
from pathlib import Path
from onetake_desktop.paths import app_paths
from onetake_desktop.services.candidate import CandidateService
service = CandidateService.from_kit_file(Path(sys.argv[1]), sessions=app_paths().sessions)
service.begin()
service.give_consent("Ada Lovelace", "ada@example.com")
service.open_devices(sys.argv[2], "synthetic")
service.confirm_devices()
service.finish_practice()
service.show_question()
service.start_answer()
time.sleep(float(sys.argv[3]))
service.stop_answer()
service.wait_for_take()
service.retake()
service.start_answer()
print("RECORDING", flush=True)
while True:
    service.tick()
    time.sleep(0.03)
"""


def write_minimum_kit(folder: Path) -> Path:
    kit = small_kit()
    q1 = kit.questions[0]._replace(answer_min_seconds=MINIMUM)
    path = folder / "minimum.onetakekit"
    save_kit(kit._replace(questions=(q1, *kit.questions[1:])), path)
    return path


def crash_in_second_take(kit: Path, first: float = MINIMUM + 1.5, second: float = 3.0) -> None:
    """Record a complete first take of q1, then kill -9 the process ``second`` seconds into
    the second take: the state says "recording" and the take is a .partial on disk."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", CRASH_IN_SECOND_TAKE, str(kit), SMALL_CAMERA, str(first)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = ""
        deadline = time.monotonic() + 90
        while line != "RECORDING" and time.monotonic() < deadline:
            line = child.stdout.readline().strip()
            if not line and child.poll() is not None:
                break
        assert line == "RECORDING", child.stderr.read() if child.stderr else line
        time.sleep(second)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL


def test_welcome_back_counts_the_complete_take_and_selects_it_over_a_short_fragment(
    tmp_path: Path,
) -> None:
    kit = write_minimum_kit(tmp_path)
    crash_in_second_take(kit)
    service = CandidateService.from_kit_file(kit, sessions=app_paths().sessions)
    try:
        assert service.resumable
        summary = service.resume_summary()
        assert summary.startswith("You have a usable answer for 1 of 3 questions"), summary
        first = service.session.answer.takes[0]
        assert (
            f"Question 1: take 1 (0:{round(first.duration_seconds):02d}) is complete; take 2 "
            "was interrupted; what it recorded is recovered when you carry on." in summary
        )
        assert service.resume()
        s = service.session
        assert s.answer.phase == "deciding"
        complete, fragment = s.answer.takes
        assert complete.stop_reason == "stopped"
        assert fragment.stop_reason == "recovered" and fragment.duration_seconds < MINIMUM
        assert service.preselected_take("q1") == 1
        q1 = s.question
        assert service.take_label(q1, fragment).endswith("(recovered; under the minimum)")
        assert "recovered" not in service.take_label(q1, complete)
        said = service.recovered_sentence()
        assert said.startswith("Your interrupted take 2 was recovered up to its last second")
        assert "your complete take 1" in said and "choose it" in said
        # The fragment is still a choice the candidate may make.
        service.keep_take(2)
        assert s.answer_for("q1").chosen_take == 2
    finally:
        service.close()
