"""Driver for bench/startup_bench.py: run a window's real start-up path, stop at its first paint.

    python bench/_first_paint.py [ONETAKE ARGS ...]   # onetake_desktop.app.main(ARGS)
    python bench/_first_paint.py --bare               # the anchor: QMainWindow with a QLabel

``QApplication.exec`` is patched (here, never in the app) to install an event filter on each
top-level widget first (the windows the app has made by then; ours show theirs before
``exec``); at the first ``QEvent.Paint`` delivered to a top-level window the driver prints one
line on stdout and ends the process at once with ``os._exit(0)``:

    FIRST_PAINT <time.monotonic()> <CPU seconds of this process> <class> <objectName>

With FIRST_PAINT_PROFILE=FILE, a cProfile of the run up to that paint is written to FILE; with
FIRST_PAINT_MODULES=FILE, the names of the modules imported by then (and a last line
``QtCore.Qt built: yes|no``: whether PySide6 has built its ``Qt`` namespace's enums, see
``ui/widgets/qt_numbers.py``); with FIRST_PAINT_COUNTS=FILE, the process's page faults, system
calls and more by then (bench/_first_paint_counts.py); with FIRST_PAINT_KEEP_STDERR=1, stderr is not
pointed at native.log (for ``-X importtime``; this imports ui.application before the app does);
with FIRST_PAINT_APP_FILTER=1, the filter is installed on the application instead, as before
session 4 (see ``_patch_exec``: it makes PySide6 build Python types and enums that neither side
would build without the driver).
CLOCK_MONOTONIC is shared by all processes, so the parent measures from just before its
``Popen`` to that timestamp. stdout, because the app points stderr at its native.log.
Both sides go through this same file: the anchor imports only QtWidgets (and this driver's
own few standard modules), the app everything its real entry point imports.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import resource
import sys
import time
from types import ModuleType
from typing import Any

_profile: Any = None
_gui_code: list[float] = []  # when the GUI code began: run_gui called (the anchor: after import)
if os.environ.get("FIRST_PAINT_PROFILE"):  # cProfile of everything up to the first paint
    import cProfile

    _profile = cProfile.Profile()
    _profile.enable()


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _first_paint_filter(qt_core: ModuleType, qt_widgets: ModuleType) -> Any:
    paint = qt_core.QEvent.Type.Paint

    class FirstPaint(qt_core.QObject):  # type: ignore[misc,name-defined]
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if (
                event.type() == paint
                and isinstance(watched, qt_widgets.QWidget)
                and watched.isWindow()
            ):
                now = time.monotonic()
                cpu = _cpu_seconds()
                name = watched.objectName() or "-"
                gui = _gui_code[0] if _gui_code else now
                line = (
                    f"FIRST_PAINT {now:.6f} {cpu:.6f} {type(watched).__name__} {name} {gui:.6f}\n"
                )
                sys.stdout.write(line)
                sys.stdout.flush()
                if os.environ.get("FIRST_PAINT_MODULES"):  # what was imported by then
                    built = "Qt" in vars(sys.modules["PySide6.QtCore"])  # resolved lazily
                    with open(os.environ["FIRST_PAINT_MODULES"], "w") as out:
                        out.write("\n".join(sorted(sys.modules)) + "\n")
                        out.write(f"QtCore.Qt built: {'yes' if built else 'no'}\n")
                if os.environ.get("FIRST_PAINT_COUNTS"):  # read after the CPU time above
                    # Before the import below, which reads a file and adds a module.
                    own = resource.getrusage(resource.RUSAGE_SELF)
                    with open("/proc/self/io") as io:
                        before = (own, io.read(), len(sys.modules))
                    import _first_paint_counts  # beside this file; not compiled in every run

                    _first_paint_counts.write(os.environ["FIRST_PAINT_COUNTS"], *before)
                if _profile is not None:
                    _profile.disable()
                    _profile.dump_stats(os.environ["FIRST_PAINT_PROFILE"])
                os._exit(0)
            return False

    return FirstPaint


def _patch_exec(qt_widgets: ModuleType) -> None:
    import PySide6.QtCore as qt_core

    app_class = qt_widgets.QApplication
    real_exec = app_class.exec
    first_paint = _first_paint_filter(qt_core, qt_widgets)

    def exec_watching(*_self: object) -> int:  # app.exec() or QApplication.exec()
        app = app_class.instance()
        assert app is not None
        watcher = first_paint(app)
        if os.environ.get("FIRST_PAINT_APP_FILTER"):  # the figures before session 4
            app.installEventFilter(watcher)
        else:
            # Not on the application: a Python filter there is handed every object that gets
            # an event, and PySide6 must find a Python type for each object it has not wrapped
            # yet (QWidgetWindow, QAnimationTimer...): it walks the QObject class tree, making
            # each class's Python type and enums on the way (~180 enum classes, ~30 ms of the
            # bare window's ~150 ms CPU; less for windows that had made them anyway). No app
            # pays that without the driver, so it measured the driver, not the window.
            for window in app_class.topLevelWidgets():
                window.installEventFilter(watcher)
        return int(real_exec())

    app_class.exec = exec_watching


def _patch_run_gui(application: ModuleType) -> None:
    real_run_gui = application.run_gui

    def run_gui(*args: Any, **kwargs: Any) -> Any:
        _gui_code.append(time.monotonic())
        return real_run_gui(*args, **kwargs)

    application.run_gui = run_gui


_PATCHES = {"PySide6.QtWidgets": _patch_exec, "onetake_desktop.ui.application": _patch_run_gui}


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patch QApplication.exec right after the app imports QtWidgets, not before: importing
    PySide6 here first would change what the app pays (PySide6 hooks every import after it).
    The same for ``run_gui``, to time the command line's part apart from the window's."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        patch = _PATCHES.pop(name, None)
        if patch is None:
            return None
        # Find the real spec with this finder out of the way.
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            if _PATCHES:
                sys.meta_path.insert(0, self)
        assert spec is not None and spec.loader is not None
        real = spec.loader

        class Loader(importlib.abc.Loader):
            def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
                return real.create_module(spec)

            def exec_module(self, module: ModuleType) -> None:
                real.exec_module(module)
                patch(module)

        spec.loader = Loader()
        return spec


sys.meta_path.insert(0, _PatchOnImport())


def bare() -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    _gui_code.append(time.monotonic())
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

    if os.environ.get("FIRST_PAINT_KEEP_STDERR"):  # for -X importtime: stderr stays here
        import onetake_desktop.ui.application as application

        application.route_native_messages = lambda logs_dir: logs_dir  # type: ignore[assignment]

    code = onetake_main(args)
    # The app ended without painting a window (a usage error, a refused kit...).
    sys.stdout.write(f"NO_PAINT exit {code}\n")
    sys.stdout.flush()
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
