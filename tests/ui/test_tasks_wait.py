"""ui/tasks.py: a window that closes while its work runs waits for it, and the work's callback
runs before the wait returns, without a turn of the event loop (a quitting app takes none)."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QApplication

from onetake_desktop.ui.tasks import run_task


def test_waiting_for_a_task_runs_its_callback_at_once(qapp: QApplication) -> None:
    release = threading.Event()
    results: list[object] = []
    progress: list[tuple[int, int]] = []

    def work(report: object) -> str:
        assert callable(report)
        report(1, 2)
        release.wait(10)
        return "opened"

    task = run_task(work, results.append, results.append, lambda d, t: progress.append((d, t)))
    assert task.running() and not task.wait(0.05)  # still at work: the wait says so
    release.set()
    assert task.wait(10)
    assert results == ["opened"] and progress == [(1, 2)]  # no event loop ran in between
    assert not task.running()


def test_a_failure_is_delivered_by_the_wait_too(qapp: QApplication) -> None:
    results: list[object] = []

    def work(report: object) -> None:
        raise ValueError("the camera is busy")

    task = run_task(work, results.append, results.append)
    assert task.wait(10)
    [error] = results
    assert isinstance(error, ValueError) and str(error) == "the camera is busy"
