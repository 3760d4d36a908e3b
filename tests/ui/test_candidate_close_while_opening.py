"""Closing the candidate window while the device check still opens the devices: the window
waits for the opening and closes what it brings, rather than leaving a camera and microphone
open on Qt's pool after the window is gone (found by the pool check in tests/ui/conftest.py:
the author's preview closed during its device check)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
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


class HeldCapture:
    """Devices that finish opening only when the test lets them, long after a window closed."""

    def __init__(self) -> None:
        self.opening = threading.Event()
        self.release = threading.Event()
        self.closed = threading.Event()
        self.closed_on: threading.Thread | None = None

    def start(self) -> None:  # a pool thread
        self.opening.set()
        self.release.wait(30)

    def latest_frame(self) -> Any:
        return None

    def audio_level(self) -> tuple[float, float]:
        return (0.0, 0.0)

    def start_take(self, *args: object, **kwargs: object) -> Any:
        raise AssertionError("nothing is recorded on the device check")

    def close(self) -> None:
        if self.closed_on is None:
            self.closed_on = threading.current_thread()
        self.closed.set()


def test_work_still_running_after_the_close_shares_one_wait_and_closes_what_it_opens(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two slow tasks: an opening and a search (the page does not start both at once today,
    # but the close must not care). The close waits for them together, once; the devices the
    # opening brings after that are closed by the opening itself, on its thread, because a
    # closing app may never turn its event loop again to run the opening's callback.
    from onetake_desktop.ui.candidate.pages import devices
    from onetake_desktop.ui.candidate.pages.devices import DevicesPage
    from onetake_desktop.ui.tasks import Task

    capture = HeldCapture()
    w = make(
        demo_kit_path(),
        ManualClock(),
        tmp_path / "answers.onetake",
        capture_factory=lambda camera, mic: capture,
    )
    qtbot.addWidget(w)
    w.show()
    w.act(w.service.begin)
    w.act(lambda: w.service.give_consent("Ada Example", "ada@example.org"))
    qtbot.waitUntil(capture.opening.is_set, timeout=10_000)
    page = w.pages["devices"]
    assert isinstance(page, DevicesPage)
    searching, release_search = threading.Event(), threading.Event()
    find = w.service.device_choices

    def slow_search(camera: str | None, mic: str | None) -> Any:
        searching.set()
        release_search.wait(30)
        return find(camera, mic)

    monkeypatch.setattr(w.service, "device_choices", slow_search)
    page._search()
    assert searching.wait(10)
    waits: list[float] = []
    wait = Task.wait

    def noted_wait(task: Task, timeout: float) -> bool:
        waits.append(timeout)
        return wait(task, timeout)

    monkeypatch.setattr(Task, "wait", noted_wait)
    monkeypatch.setattr(devices, "SETTLE_SECONDS", 0.5)
    try:
        w.close()
        # the first search (ended), the opening, the second search: the opening's wait used
        # up the one deadline, so the search got what was left of it, not a wait of its own
        assert len(waits) == 3 and waits[0] <= 0.5
        assert waits[2] < 0.05
        assert not capture.closed.is_set()  # still opening
        assert w.service.capture is None
    finally:
        capture.release.set()
        release_search.set()
    # No event is processed here: only the opening's own thread can close the devices.
    assert capture.closed.wait(10)
    assert capture.closed_on is not None
    assert capture.closed_on is not threading.main_thread()
