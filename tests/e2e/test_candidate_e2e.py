"""A whole interview through the real candidate window on a real X display, keyboard only.

The app runs as its own process under Xvfb with the virtual microphone (PulseAudio): speech
made with espeak-ng is played into the virtual speaker while the candidate "answers", so the
takes hold a real recorded voice. The test presses keys with xdotool, follows the saved session
state to know which screen is up, and captures the screen at every step.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop.domain.kit import Kit, PracticeQuestion, Question
from onetake_desktop.storage.bundle import extract_bundle
from onetake_desktop.storage.kitfile import save_kit
from tests.e2e.conftest import app_output, screenshot
from tests.e2e.test_launch import wait_for_window
from tests.e2e.virtual_devices import VirtualDevices

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240, method="thread")]


def quick_kit(path: Path, q1_think: int = 3, q1_max: int = 8) -> Path:
    save_kit(
        Kit(
            interview_id="e2e-support",
            version="1",
            organisation="Harbour Lane Home Supplies",
            role_title="Customer Support Specialist",
            welcome="Hello, and thank you for taking this short interview.",
            instructions="Two spoken answers and one written answer. Take your time.",
            privacy_notice=(
                "Only the hiring panel sees your answers. Nothing leaves this computer until "
                "you send the file yourself. Answers are deleted after 90 days."
            ),
            retention_days=90,
            default_answer_type="video",
            questions=(
                Question(
                    "q1",
                    "Tell us about a time you helped an upset customer.",
                    "Much of this role is helping people on a bad day.",
                    q1_think,
                    1,
                    q1_max,
                    1,
                ),
                Question("q2", "What does good support mean to you?", "Values.", 3, 1, 8, 0),
                Question("q3", "Why this role?", "Motivation.", 0, 0, 60, 0, answer_type="text"),
            ),
            practice=PracticeQuestion("Say hello and your name.", "Unscored.", 1, 10),
            next_steps="We will write to you within ten days.",
            contact="hiring@harbourlane.example",
        ),
        path,
    )
    return path


class Driver:
    """Keys, screenshots and the saved state of one running candidate window."""

    def __init__(self, env: dict[str, str], home: Path, shots: Path) -> None:
        self.env = env
        self.home = home
        self.shots = shots
        self.taken: list[Path] = []
        extra = os.environ.get("ONETAKE_SCREENS")
        self.extra = Path(extra) / "e2e" if extra else None

    def key(self, *keys: str, settle: float = 0.3) -> None:
        subprocess.run(["xdotool", "key", "--delay", "60", *keys], env=self.env, check=True)
        time.sleep(settle)

    def go(self, key: str, *phases: str, timeout: float = 30.0) -> None:
        """Press ``key`` and wait for the screen it leads to: the saved state says when (none
        of these phases is the one the key leaves), so no settling time before the wait."""
        self.key(key, settle=0)
        self.wait_phase(*phases, timeout=timeout)

    def type(self, text: str) -> None:
        subprocess.run(["xdotool", "type", "--delay", "20", text], env=self.env, check=True)
        time.sleep(0.2)

    def state(self) -> dict[str, Any]:
        for path in (self.home / "data" / "sessions").glob("*/state.json"):
            try:
                return dict(json.loads(path.read_text()))
            except (OSError, ValueError):
                return {}  # being replaced right now: read again on the next poll
        return {}

    def phase(self) -> str:
        s = self.state()
        if s.get("step") != "questions":
            return str(s.get("step"))
        return str(s["answers"][s["current"]]["phase"])

    def wait(self, what: Callable[[], bool], timeout: float = 30.0, why: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if what():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {why}; state: {self.state()}")

    def wait_phase(self, *phases: str, timeout: float = 30.0) -> None:
        self.wait(lambda: self.phase() in phases, timeout, " or ".join(phases))
        time.sleep(0.6)  # let the screen repaint before a key or a screenshot

    def shot(self, name: str) -> Path:
        out = self.shots / f"{len(self.taken) + 1:02d}-{name}.png"
        screenshot(self.env, out)
        assert out.stat().st_size > 10_000
        if self.extra is not None:
            self.extra.mkdir(parents=True, exist_ok=True)
            shutil.copy(out, self.extra / out.name)
        self.taken.append(out)
        return out


def speech(folder: Path, text: str) -> Path:
    wav = folder / f"speech-{abs(hash(text))}.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True, timeout=30)
    return wav


def max_volume_db(path: Path, env: dict[str, str]) -> float:
    """Loudest sample of a file's sound in dBFS, measured by the ffmpeg command line."""
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "volumedetect", "-f",
         "null", "-"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    found = re.search(r"max_volume: (-?[\d.]+) dB", result.stderr)
    assert found, result.stderr[-2000:]
    return float(found.group(1))


def test_full_interview_in_the_real_window(
    app_env: dict[str, str],
    onetake_home: Path,
    virtual_devices: VirtualDevices,
    tmp_path: Path,
) -> None:
    # Limits near the shortest a kit allows: each second here is waited in real time.
    kit = quick_kit(tmp_path / "e2e.onetakekit", q1_think=2, q1_max=5)
    out = tmp_path / "sent" / "ada.onetake"
    out.parent.mkdir()
    shots = tmp_path / "screens"
    shots.mkdir()
    d = Driver(app_env, onetake_home, shots)
    answer = speech(tmp_path, "I listened first, then I fixed the delivery and called her back.")
    app = subprocess.Popen(
        [sys.executable, "-m", "onetake_desktop", "candidate", str(kit),
         "--camera", "synthetic:size=640x360,fps=15", "--mic", "mic:default"],
        env=app_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        window = wait_for_window(app_env, "OneTake: Customer Support", timeout=60)
        subprocess.run(["xdotool", "windowmove", window, "0", "0"], env=app_env, check=True)
        subprocess.run(["xdotool", "windowsize", window, "1180", "800"], env=app_env, check=True)
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=app_env, check=True)
        time.sleep(1.5)
        d.shot("welcome")
        d.go("ctrl+Return", "privacy")
        d.key("alt+n")
        d.type("Ada Lovelace")
        d.key("alt+m")
        d.type("ada@example.com")
        d.key("alt+a")  # "I have read this notice and agree"
        d.shot("privacy")
        d.go("ctrl+Return", "devices")
        virtual_devices.play(answer)  # the level meter moves with the voice
        time.sleep(2.0)
        d.shot("devices")
        d.go("ctrl+Return", "practice")
        d.key("ctrl+r")  # the practice question's think time (1 s) comes first
        time.sleep(2.5)
        d.shot("practice-recording")
        d.key("ctrl+e")
        time.sleep(1.5)
        d.shot("practice-playback")
        d.key("ctrl+Return", settle=0)

        # q1: the think clock runs out by itself, then the answer records the played voice.
        d.wait_phase("ready")
        d.shot("question-ready")
        d.go("ctrl+Return", "thinking")
        d.shot("question-thinking")
        d.wait_phase("recording", timeout=10)
        virtual_devices.play(answer)
        time.sleep(2.5)
        d.shot("question-recording")
        d.go("ctrl+e", "deciding")
        time.sleep(1.0)
        d.shot("question-playback")
        # a second take with "start answering now", which the limit (5 s) stops by itself
        d.go("ctrl+shift+r", "thinking")
        d.go("ctrl+r", "recording")
        virtual_devices.play(answer)
        d.wait_phase("deciding", timeout=20)
        d.shot("question-choose-take")
        d.key("ctrl+Return", settle=0)

        # q2: one take only
        d.wait_phase("ready")
        d.go("ctrl+Return", "thinking")
        d.go("ctrl+r", "recording")
        virtual_devices.play(answer)
        time.sleep(2.0)
        d.go("ctrl+e", "deciding")
        d.key("ctrl+Return", settle=0)

        # q3: written
        d.wait_phase("ready")
        d.go("ctrl+Return", "writing")
        d.type("I like solving problems for people, calmly and kindly.")
        d.shot("question-text")
        d.key("ctrl+Return", settle=0)

        d.wait_phase("review")
        d.key("ctrl+1")  # play answer 1
        time.sleep(1.5)
        d.shot("review")
        d.key("ctrl+Return")  # opens the save dialog
        time.sleep(2.0)
        d.shot("save-dialog")
        d.key("ctrl+a")
        d.type(str(out))
        d.key("Return", settle=0)
        d.wait(out.is_file, 60, "the bundle")
        d.wait_phase("sent", timeout=30)
        # no window manager here to give the focus back after the dialog: do it ourselves
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=app_env, check=True)
        time.sleep(0.5)
        d.shot("sent")
        d.key("ctrl+q")
        app.wait(30)
    except AssertionError as error:
        app.kill()
        stderr = app.communicate(timeout=30)[1]
        said = app_output(stderr, onetake_home)
        raise AssertionError(f"{error}\napp output:\n{said[-4000:]}") from None
    finally:
        if app.poll() is None:
            app.kill()
        _, stderr = app.communicate(timeout=30)
    said = app_output(stderr, onetake_home)
    assert app.returncode == 0, said[-3000:]
    assert "Traceback" not in said
    assert len(d.taken) == 14

    bundle = extract_bundle(out, tmp_path / "check")
    m = bundle.manifest
    assert m.candidate_name == "Ada Lovelace" and m.candidate_email == "ada@example.com"
    q1, q2, q3 = m.answers
    assert q1.takes_used == 2 and q1.submitted_take == 2
    assert q2.takes_used == 1 and 1.0 <= q2.answer_seconds <= 8.5
    assert 3.5 <= q1.answer_seconds <= 5.5  # the second take ran into the 5 s limit
    assert q3.text == "I like solving problems for people, calmly and kindly."
    # the virtual microphone really carried the voice into the takes
    assert max_volume_db(bundle.media["q1"], app_env) > -40
    assert max_volume_db(bundle.media["q2"], app_env) > -40


def start_app(kit: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    app = subprocess.Popen(
        [sys.executable, "-m", "onetake_desktop", "candidate", str(kit),
         "--camera", "synthetic:size=640x360,fps=15", "--mic", "mic:default"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    window = wait_for_window(env, "OneTake: Customer Support", timeout=60)
    subprocess.run(["xdotool", "windowmove", window, "0", "0"], env=env, check=True)
    subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True)
    time.sleep(1.5)
    return app, window


def test_kill_9_mid_answer_then_reopen_and_resume(
    app_env: dict[str, str],
    onetake_home: Path,
    virtual_devices: VirtualDevices,
    tmp_path: Path,
) -> None:
    kit = quick_kit(tmp_path / "e2e.onetakekit")
    shots = tmp_path / "screens"
    shots.mkdir()
    d = Driver(app_env, onetake_home, shots)
    d.taken = [Path("x")] * 14  # number these after the full interview's screens
    answer = speech(tmp_path, "I stayed calm and asked what would help her most.")
    app, _ = start_app(kit, app_env)
    try:
        d.go("ctrl+Return", "privacy")
        d.key("alt+n")
        d.type("Ada Lovelace")
        d.key("alt+m")
        d.type("ada@example.com")
        d.key("alt+a", "ctrl+Return", settle=0)
        d.wait_phase("devices")
        time.sleep(2.5)  # the devices are found and opened off the GUI thread
        d.go("ctrl+Return", "practice")
        d.go("ctrl+Return", "ready")
        d.go("ctrl+Return", "thinking")
        d.go("ctrl+r", "recording")
        virtual_devices.play(answer)
        time.sleep(3.5)
        app.kill()  # SIGKILL: no chance to close anything
        app.wait(10)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
    takes = next((onetake_home / "data" / "sessions").glob("*/takes"))
    assert [p.name for p in takes.iterdir()] == ["q1-take1.mp4.partial"]
    assert d.phase() == "recording"

    app, _ = start_app(kit, app_env)
    try:
        d.shot("resume-after-crash")
        d.go("ctrl+Return", "deciding")  # Carry on
        time.sleep(1.0)
        d.shot("recovered-take")
        take = d.state()["answers"][0]["takes"][0]
        assert take["stop_reason"] == "recovered"
        assert 2.0 <= take["duration_seconds"] <= 4.5
        assert sorted(p.name for p in takes.iterdir()) == ["q1-take1.mp4"]
        assert max_volume_db(takes / "q1-take1.mp4", app_env) > -40
        d.go("ctrl+Return", "ready")  # keep the recovered take
        assert d.state()["answers"][0]["chosen_take"] == 1
    finally:
        app.terminate()
        _, stderr = app.communicate(timeout=30)
    assert "Traceback" not in app_output(stderr, onetake_home)
