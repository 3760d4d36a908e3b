"""Run slow work off the GUI thread and come back on it with the result or the error.

``run_task(fn, on_done, on_error, on_progress)`` runs ``fn(progress)`` in Qt's global thread
pool; ``progress(done, total)`` may be called from the worker thread. Every callback runs on
the GUI thread (queued signals), so callbacks may touch widgets. It returns a :class:`Task`,
which a window that closes while the work runs waits for (``Task.wait``): work left on the pool
would finish after the window, opening devices or touching files nobody looks after any more.
Tests can switch the pool to synchronous mode with ``set_synchronous(True)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, QThreadPool, Signal, Slot

from onetake_desktop.domain.progress import Progress as ProgressFn

_synchronous = False
_live: set[_Relay] = set()  # keep relays alive until their task reports back


def set_synchronous(value: bool) -> None:
    """Run tasks inline on the calling thread (tests); callbacks still fire."""
    global _synchronous
    _synchronous = value


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues the call onto the GUI thread.
    The callbacks are its own slots, so the queued calls are posted to it (Task.wait)."""

    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: ProgressFn | None,
    ) -> None:
        super().__init__()
        self._on_done, self._on_error, self._on_progress = on_done, on_error, on_progress
        self.done.connect(self._finish_ok)
        self.failed.connect(self._finish_error)
        if on_progress is not None:
            self.progressed.connect(self._progress)

    @Slot(object)
    def _finish_ok(self, result: Any) -> None:
        _live.discard(self)
        self._on_done(result)

    @Slot(object)
    def _finish_error(self, error: BaseException) -> None:
        _live.discard(self)
        self._on_error(error)

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        if self._on_progress is not None:
            self._on_progress(done, total)


class _Runnable(QRunnable):
    def __init__(
        self, fn: Callable[[ProgressFn], Any], relay: _Relay, ended: threading.Event
    ) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.ended = ended

    def run(self) -> None:  # worker thread
        try:
            result = self.fn(self.relay.progressed.emit)
        except BaseException as error:  # reported on the GUI thread, never lost
            self.relay.failed.emit(error)
        else:
            self.relay.done.emit(result)
        finally:
            self.ended.set()


class Task:
    """Work started by :func:`run_task`, for its owner to wait for when it closes."""

    def __init__(self, relay: _Relay) -> None:
        self._relay = relay
        self._ended = threading.Event()

    def running(self) -> bool:
        return not self._ended.is_set()

    def wait(self, timeout: float) -> bool:
        """GUI thread: block until the work has ended (at most ``timeout`` seconds), then run
        its callback now instead of at a later turn of the event loop, which a closing window
        or a quitting app may never take. False if the work still runs."""
        if not self._ended.wait(timeout):
            return False
        QCoreApplication.sendPostedEvents(self._relay, QEvent.Type.MetaCall)
        return True


def run_task(
    fn: Callable[[ProgressFn], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    on_progress: ProgressFn | None = None,
) -> Task:
    relay = _Relay(on_done, on_error, on_progress)
    _live.add(relay)
    task = Task(relay)
    runnable = _Runnable(fn, relay, task._ended)
    if _synchronous:
        runnable.run()
        return task
    QThreadPool.globalInstance().start(runnable)
    return task


def log_failure(what: str) -> Callable[[BaseException], None]:
    """An ``on_error`` for work whose failure the window can live with (a waveform that is
    not drawn): the error still goes to the log with its traceback, never nowhere."""

    def on_error(error: BaseException) -> None:
        # logging is named here, not at import: PySide6's import hook reads the source of each
        # module an import statement names for the first time after PySide6 is loaded, and in
        # the reviewer's start this module was the first to name logging (2,300 lines, ~1.5 M
        # instructions before its first frame; issue 17).
        import logging

        logging.getLogger(__name__).warning("%s failed: %s", what, error, exc_info=error)

    return on_error


def wait_for_tasks(timeout_ms: int = 30_000) -> bool:
    """Block until the pool is idle (shutdown and tests)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
