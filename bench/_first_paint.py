"""Driver for bench/startup_bench.py: run a window's real start-up path, stop at its first paint.

    python bench/_first_paint.py [ONETAKE ARGS ...]   # onetake_desktop.app.main(ARGS)
    python bench/_first_paint.py --bare               # the anchor: QMainWindow with a QLabel

``QApplication.exec`` is patched (here, never in the app) to install an application-wide
event filter first; at the first ``QEvent.Paint`` delivered to a top-level window the driver
prints one line on stdout and ends the process at once with ``os._exit(0)``:

    FIRST_PAINT <time.monotonic()> <CPU seconds of this process> <class> <objectName>

CLOCK_MONOTONIC is shared by all processes, so the parent measures from just before its
``Popen`` to that timestamp. stdout, because the app points stderr at its native.log.
Both sides go through this same file: the anchor imports only QtWidgets (and this driver's
own few standard modules), the app everything its real entry point imports.
"""

from __future__ import annotations

import os
import resource
import sys
import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.isWindow()
        ):
            now = time.monotonic()
            cpu = _cpu_seconds()
            name = watched.objectName() or "-"
            sys.stdout.write(f"FIRST_PAINT {now:.6f} {cpu:.6f} {type(watched).__name__} {name}\n")
            sys.stdout.flush()
            os._exit(0)
        return False


_real_exec = QApplication.exec


def _exec_watching(*_self: object) -> int:  # app.exec() or QApplication.exec()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(_FirstPaint(app))
    return int(_real_exec())


QApplication.exec = _exec_watching  # type: ignore[method-assign,assignment]


def bare() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setObjectName("Bare")
    window.setCentralWidget(QLabel("A bare PySide6 window"))
    window.resize(800, 480)
    window.show()
    return app.exec()


def main() -> int:
    args = sys.argv[1:]
    if args == ["--bare"]:
        return bare()
    from onetake_desktop.app import main as onetake_main

    code = onetake_main(args)
    # The app ended without painting a window (a usage error, a refused kit...).
    sys.stdout.write(f"NO_PAINT exit {code}\n")
    sys.stdout.flush()
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
