"""Run slow work off the GUI thread and come back on it with the result or the error.

``run_task(fn, on_done, on_error, on_progress)`` runs ``fn(progress)`` in Qt's global thread
pool; ``progress(done, total)`` may be called from the worker thread. Every callback runs on
the GUI thread (queued signals), so callbacks may touch widgets. Tests can switch the pool to
synchronous mode with ``set_synchronous(True)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from onetake_desktop.domain.progress import Progress as ProgressFn

_synchronous = False
_live: set[_Relay] = set()  # keep relays alive until their task reports back


def set_synchronous(value: bool) -> None:
    """Run tasks inline on the calling thread (tests); callbacks still fire."""
    global _synchronous
    _synchronous = value


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues the call onto the GUI thread."""

    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[ProgressFn], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:  # worker thread
        try:
            result = self.fn(self.relay.progressed.emit)
        except BaseException as error:  # reported on the GUI thread, never lost
            self.relay.failed.emit(error)
        else:
            self.relay.done.emit(result)


def run_task(
    fn: Callable[[ProgressFn], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    on_progress: ProgressFn | None = None,
) -> None:
    relay = _Relay()
    _live.add(relay)

    def finish_ok(result: Any) -> None:
        _live.discard(relay)
        on_done(result)

    def finish_error(error: BaseException) -> None:
        _live.discard(relay)
        on_error(error)

    relay.done.connect(finish_ok)
    relay.failed.connect(finish_error)
    if on_progress is not None:
        relay.progressed.connect(on_progress)
    if _synchronous:
        _Runnable(fn, relay).run()
        return
    QThreadPool.globalInstance().start(_Runnable(fn, relay))


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
