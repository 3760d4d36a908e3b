"""A vanished camera and a full disk: one plain sentence, nothing recorded is lost, a way on."""

from __future__ import annotations

import shutil
import time
from collections import namedtuple
from pathlib import Path

import pytest

from onetake_desktop.media.probe import probe_media
from onetake_desktop.paths import app_paths
from onetake_desktop.services.candidate import CandidateService
from tests.pipeline.test_candidate_headless import write_kit

Usage = namedtuple("Usage", "total used free")


def at_first_question(kit: Path, camera: str) -> tuple[CandidateService, list[str]]:
    service = CandidateService.from_kit_file(kit, sessions=app_paths().sessions)
    heard: list[str] = []
    service.error_listeners.append(lambda error: heard.append(str(error)))
    service.begin()
    service.give_consent("Ada Lovelace", "ada@example.com")
    service.open_devices(camera, "synthetic")
    service.confirm_devices()
    service.finish_practice()
    service.show_question()
    return service, heard


def test_a_camera_that_vanishes_mid_answer_keeps_the_take(tmp_path: Path) -> None:
    kit = write_kit(tmp_path)
    service, heard = at_first_question(kit, "synthetic:size=320x240,fps=15,fail_after=2.5")
    try:
        service.start_answer()
        deadline = time.monotonic() + 15
        while service.session.answer.phase == "recording" and time.monotonic() < deadline:
            service.tick()
            time.sleep(0.03)
        answer = service.session.answer
        assert answer.phase == "deciding"
        take = answer.takes[0]
        assert take.stop_reason == "device_lost"
        assert len(heard) == 1 and heard[0].endswith("Your take was kept up to that moment.")
        assert "camera or microphone stopped" in heard[0]
        path = service.takes_dir / take.file
        assert 0.5 < probe_media(path).duration_seconds < 3.0
        # a way on: the take can be kept, or recorded again once the device is back
        assert service.session.takes_left(service.session.question) == 1
    finally:
        service.close()


def test_a_full_disk_stops_before_recording_with_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = write_kit(tmp_path)
    service, heard = at_first_question(kit, "synthetic:size=320x240,fps=15")
    try:
        real = shutil.disk_usage

        def nearly_full(path: object) -> Usage:
            total, used, _free = real(path)  # type: ignore[arg-type]
            return Usage(total, used, 2 * 1024 * 1024)

        monkeypatch.setattr(shutil, "disk_usage", nearly_full)
        report = service.disk_report()
        assert not report.ok and "not enough free disk space" in report.sentence
        service.start_answer()
        assert heard and "not enough free disk space" in heard[0] and "." in heard[0]
        assert service.session.answer.phase == "ready"  # the attempt does not count
        assert service.session.takes_left(service.session.question) == 2
        monkeypatch.setattr(shutil, "disk_usage", real)  # space was freed: try again
        service.show_question()
        service.start_answer()
        assert service.session.answer.phase == "recording"
        time.sleep(1.2)
        service.stop_answer()
        service.wait_for_take()
        assert service.session.answer.phase == "deciding"
    finally:
        service.close()
