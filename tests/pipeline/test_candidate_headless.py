"""The candidate session service on the real recording engine: headless CLI and crash resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onetake_desktop.cli import main as cli_main
from onetake_desktop.domain.kit import Accommodation, Kit, PracticeQuestion, Question
from onetake_desktop.media.probe import probe_media
from onetake_desktop.paths import app_paths
from onetake_desktop.services.candidate import CandidateService
from onetake_desktop.storage.bundle import extract_bundle
from onetake_desktop.storage.kitfile import save_kit

SMALL_CAMERA = "synthetic:size=320x240,fps=15"
REPO = Path(__file__).resolve().parents[2]


def small_kit(answer_type: str = "video", max_seconds: int = 20) -> Kit:
    """Three questions: two recorded (one with a retake), one written."""
    return Kit(
        interview_id="test-support",
        version="1",
        organisation="Test Org",
        role_title="Support engineer",
        welcome="Hello and welcome.",
        instructions="Answer three short questions.",
        privacy_notice="Only the hiring team sees your answers; kept 30 days.",
        retention_days=30,
        default_answer_type=answer_type,  # type: ignore[arg-type]
        questions=(
            Question("q1", "Tell us about yourself.", "A warm-up.", 10, 1, max_seconds, 1),
            Question("q2", "Describe a hard problem you solved.", "Depth.", 10, 2, max_seconds, 0),
            Question("q3", "Why this role?", "Motivation.", 0, 0, 60, 0, answer_type="text"),
        ),
        practice=PracticeQuestion("Say hello.", "Unscored.", 5, 10),
        accommodations=(Accommodation("extra-time", "Extra time (x1.5)", 1.5),),
        next_steps="We will write to you within ten days.",
        contact="hiring@example.com",
    )


def write_kit(folder: Path, answer_type: str = "video", max_seconds: int = 20) -> Path:
    path = folder / f"test-{answer_type}-{max_seconds}.onetakekit"
    save_kit(small_kit(answer_type, max_seconds), path)
    return path


def test_headless_session_writes_a_valid_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kit = write_kit(tmp_path)
    out = tmp_path / "ada.onetake"
    code = cli_main(
        [
            "candidate", str(kit), "--headless", "--camera", SMALL_CAMERA, "--mic", "synthetic",
            "--name", "Ada Lovelace", "--email", "ada@example.com",
            "--answer-seconds", "0.5", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert f"bundle: {out}" in printed and "sha256: " in printed
    assert cli_main(["bundle", "verify", str(out)]) == 0  # what a reviewer's machine checks
    extracted = extract_bundle(out, tmp_path / "extracted")  # checks every checksum
    m = extracted.manifest
    assert m.candidate_name == "Ada Lovelace" and m.candidate_email == "ada@example.com"
    assert [a.question_id for a in m.answers] == ["q1", "q2", "q3"]
    q1, q2, q3 = m.answers
    # 0.5 s is clamped up to each question's minimum (1 s and 2 s)
    assert q1.media is not None and q1.media.video_codec == "h264" and q1.media.audio_codec == "aac"
    assert 0.9 <= q1.answer_seconds <= 2.0
    assert q2.media is not None and 1.9 <= q2.answer_seconds <= 3.2
    assert q3.answer_type == "text" and q3.text and "scripted session" in q3.text
    assert q1.takes_used == 1 and q1.submitted_take == 1
    info = probe_media(extracted.media["q2"])
    assert info.video_codec == "h264" and info.width == 1280 and info.height == 720
    assert abs(info.duration_seconds - q2.answer_seconds) < 0.3
    # the headless session folder is gone once everything is in the bundle
    sessions = Path(os.environ["ONETAKE_HOME"]) / "data" / "sessions"
    assert not any(sessions.glob("headless-*"))


def test_headless_clamps_to_the_maximum_and_records_audio_only(tmp_path: Path) -> None:
    kit = write_kit(tmp_path, "audio", max_seconds=5)
    out = tmp_path / "audio.onetake"
    code = cli_main(
        [
            "candidate", str(kit), "--headless", "--mic", "synthetic", "--name", "Bo",
            "--email", "bo@example.com", "--answer-seconds", "9", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    m = extract_bundle(out, tmp_path / "x").manifest
    assert [a.answer_type for a in m.answers] == ["audio", "audio", "text"]
    assert all(a.media.video_codec is None for a in m.answers[:2] if a.media)
    # 9 s is clamped down to each question's 5 s maximum
    assert all(4.5 <= a.answer_seconds <= 5.3 for a in m.answers[:2]), m.answers


def test_headless_answers_a_written_question_that_has_think_time(tmp_path: Path) -> None:
    # The demo kit's written question has think time: the scripted session opens the editor
    # at once instead of recording a video for it (the bundle was then refused at sealing).
    kit = small_kit("audio", max_seconds=5)
    q3 = kit.questions[2]
    kit = kit._replace(questions=(*kit.questions[:2], q3._replace(think_seconds=30)))
    path = tmp_path / "think.onetakekit"
    save_kit(kit, path)
    out = tmp_path / "think.onetake"
    code = cli_main(
        [
            "candidate", str(path), "--headless", "--mic", "synthetic", "--name", "Cy",
            "--email", "cy@example.com", "--answer-seconds", "1", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    m = extract_bundle(out, tmp_path / "x").manifest
    written = m.answers[2]
    assert written.answer_type == "text" and written.media is None
    assert written.text and "scripted session" in written.text


def test_headless_usage_and_input_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kit = write_kit(tmp_path)
    assert cli_main(["candidate", str(kit), "--headless", "--mic", "synthetic"]) == 2
    assert "--name" in capsys.readouterr().err
    bad = tmp_path / "bad.onetakekit"
    bad.write_text("{not json")
    code = cli_main(
        [
            "candidate", str(bad), "--headless", "--mic", "synthetic", "--name", "A",
            "--email", "a@example.com", "--answer-seconds", "1", "--out", str(tmp_path / "o"),
        ]
    )  # fmt: skip
    assert code == 3
    err = capsys.readouterr().err
    assert err.startswith("onetake: ") and "Traceback" not in err


CRASHING_CANDIDATE = """
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
time.sleep(1.2)
service.stop_answer()  # returns while the take is saved
service.wait_for_take()
print("TAKE1", flush=True)
service.retake()
service.start_answer()
print("RECORDING", flush=True)
while True:
    service.tick()
    time.sleep(0.03)
"""


def test_resume_after_kill_9_keeps_every_take(tmp_path: Path) -> None:
    kit = write_kit(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHING_CANDIDATE, str(kit), SMALL_CAMERA],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while "RECORDING" not in lines and time.monotonic() < deadline:
            line = child.stdout.readline().strip()
            if not line and child.poll() is not None:
                break
            lines.append(line)
        assert "RECORDING" in lines, child.stderr.read() if child.stderr else lines
        time.sleep(2.5)  # 2.5 s into the second take
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL

    service = CandidateService.from_kit_file(kit, sessions=app_paths().sessions)
    try:
        assert service.resumable
        assert service.session.answer.phase == "recording"  # as saved when it died
        assert "usable answer for 1 of 3" in service.resume_summary()
        recovered = service.resume()
        s = service.session
        assert len(recovered) == 1
        assert s.answer.phase == "deciding"
        first, second = s.answer.takes
        assert first.stop_reason == "stopped" and second.stop_reason == "recovered"
        assert 1.5 <= second.duration_seconds <= 3.0
        assert s.takes_left(s.question) == 0
        for take in (first, second):
            path = service.takes_dir / take.file
            assert path.is_file() and not path.with_name(path.name + ".partial").exists()
            assert probe_media(path).video_codec == "h264"
        # finish the interview with the recovered take and seal it
        service.keep_take(2)
        service.show_question()
        service.start_answer()
        time.sleep(2.2)
        service.stop_answer()
        service.wait_for_take()
        service.keep_take(1)
        service.show_question()
        service.save_text("Because I like helping people.")
        assert s.step == "review"
        service.close_devices()
        receipt = service.seal_bundle(tmp_path / "resumed.onetake")
        service.mark_sent(receipt)
    finally:
        service.close()
    manifest = extract_bundle(tmp_path / "resumed.onetake", tmp_path / "r").manifest
    assert manifest.answers[0].submitted_take == 2 and manifest.answers[0].takes_used == 2
    assert abs(manifest.answers[0].answer_seconds - second.duration_seconds) < 0.5
