"""Closing the candidate window while the device check still opens the devices: the window
waits for the opening and closes what it brings, rather than leaving a camera and microphone
open on Qt's pool after the window is gone (found by the pool check in tests/ui/conftest.py:
the author's preview closed during its device check)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.storage.kitfile import demo_kit_path
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.ui.candidate_walk import make


class SlowCapture:
    """Devices that finish opening only once their window has begun to close."""

    def __init__(self, window: list[CandidateWindow]) -> None:
        self.window = window
        self.opening = threading.Event()
        self.closed = threading.Event()

    def start(self) -> None:  # a pool thread
        self.opening.set()
        deadline = time.monotonic() + 10
        while not self.window[0].closing and time.monotonic() < deadline:
            time.sleep(0.01)

    def latest_frame(self) -> Any:
        return None

    def audio_level(self) -> tuple[float, float]:
        return (0.0, 0.0)

    def start_take(self, *args: object, **kwargs: object) -> Any:
        raise AssertionError("nothing is recorded on the device check")

    def close(self) -> None:
        self.closed.set()


def test_closing_during_the_device_check_closes_the_devices_it_was_opening(
    qtbot: QtBot, tmp_path: Path
) -> None:
    held: list[CandidateWindow] = []
    capture = SlowCapture(held)
    w = make(
        demo_kit_path(),
        ManualClock(),
        tmp_path / "answers.onetake",
        capture_factory=lambda camera, mic: capture,
    )
    held.append(w)
    qtbot.addWidget(w)
    w.show()
    w.act(w.service.begin)
    w.act(lambda: w.service.give_consent("Ada Example", "ada@example.org"))
    assert w.service.session.step == "devices"
    qtbot.waitUntil(capture.opening.is_set, timeout=10_000)
    w.close()
    # Closed before close() returned, not at some later turn of the event loop.
    assert capture.closed.is_set()
    assert w.service.capture is None
