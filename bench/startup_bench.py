"""Start-up benchmarks (issue 17): from spawning the process to the first paint of its first
window, for each window of the app beside a bare PySide6 window; figures are printed, never
asserted.

    .venv/bin/python bench/startup_bench.py [--runs 7] [--platform offscreen|xcb]
                                            [--candidates 10000] [--cache DIR] [--only a,b]
                                            [--before CHECKOUT] [--app-filter]

Each window runs through its real entry point (``onetake_desktop.app.main``) under
bench/_first_paint.py, which patches ``QApplication.exec`` to watch for the first
``QEvent.Paint`` of a top-level window (an event filter on each top-level widget; with
``--app-filter`` on the application, as the figures before session 4 were taken: that filter
made PySide6 build ~180 Python enum classes in the bare window, ~30 ms of its CPU), prints a
CLOCK_MONOTONIC timestamp and its CPU time, and ends the process there. The anchor is the
same driver with ``--bare``: a QMainWindow with a QLabel, importing only QtWidgets.
``onetake --help`` is timed to its exit beside ``python -c pass``.

Cases: ``bare`` (anchor), ``start`` (``onetake``), ``candidate`` (``onetake candidate`` on the
demo kit), ``review`` (``onetake review`` on an empty library), ``review10k`` (on a library
of N candidates x 3 questions x 3 panelists, built once by bench/panel_bench.py's ``build``:
it has panelists, so the window opens on its lock screen with the library filled behind it),
``review10k-solo`` (the same library with its panelists removed: the window opens on the
library tree, filled), ``author`` (``onetake author``); ``help`` and ``pass``.

Runs are interleaved: each round runs every case once, in an order rotated from round to
round, after one warm-up round that is not counted (it also creates the empty library).
Each line: wall min / median / max, CPU median (user + system of the process up to its first
paint), ratios of medians to the anchor, and the median wall time split in two: from the
spawn to the GUI code (``run_gui`` called: Python, the command line, PySide6's import; the
anchor: after its import) and from there to the first paint (the window's own part). The
1-minute load average is printed before and after. On a shared machine, read the CPU ratios:
wall times swing with the load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
DRIVER = REPO / "bench" / "_first_paint.py"
DEMO_KIT = REPO / "resources" / "kits" / "demo.onetakekit"
# Ratio to the bare window; every other window 1.5.
GOALS = {"review10k": 2.0, "review10k-solo": 2.0}
HANG_SECONDS = 120  # a run that has not painted by then is killed and reported


@dataclass(frozen=True)
class Case:
    name: str
    argv: list[str]
    home: str  # "empty", "big" or "solo"
    expect: str | None  # class of the window painted first; None: timed to its exit
    src: Path = SRC  # the sources run (--before: another checkout's)

    @property
    def painted(self) -> bool:
        return self.expect is not None


CASES = [
    Case("bare", [str(DRIVER), "--bare"], "empty", "QMainWindow"),
    Case("start", [str(DRIVER)], "empty", "StartWindow"),
    Case("candidate", [str(DRIVER), "candidate", str(DEMO_KIT)], "empty", "CandidateWindow"),
    Case("review", [str(DRIVER), "review"], "empty", "ReviewerWindow"),
    Case("review10k", [str(DRIVER), "review"], "big", "ReviewerWindow"),
    Case("review10k-solo", [str(DRIVER), "review"], "solo", "ReviewerWindow"),
    Case("author", [str(DRIVER), "author"], "empty", "AuthorWindow"),
    Case("help", ["-m", "onetake_desktop", "--help"], "empty", None),
    Case("pass", ["-c", "pass"], "empty", None),
]


@dataclass
class Sample:
    wall: float
    cpu: float
    to_gui: float = 0.0  # spawn to the GUI code (run_gui; the anchor: after its import)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (5 min {five:.2f})"


def run_once(case: Case, env: dict[str, str]) -> Sample:
    """One process of ``case``: wall seconds to its first paint (or exit), and its CPU."""
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, *case.argv],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    # A run that never paints (an error box waiting for a click: e.g. a library written by a
    # newer schema) would hang the bench: killed after HANG_SECONDS and reported.
    watchdog = threading.Timer(HANG_SECONDS, proc.kill)
    watchdog.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    watchdog.cancel()
    if status and os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9:
        raise SystemExit(
            f"{case.name}: nothing painted within {HANG_SECONDS} s (an error box? see"
            f" {env.get('ONETAKE_HOME')}/logs/onetake.log)"
        )
    proc.returncode = os.waitstatus_to_exitcode(status)
    end = time.monotonic()
    cpu = usage.ru_utime + usage.ru_stime
    if not case.painted:
        if proc.returncode != 0:
            raise SystemExit(f"{case.name}: exit {proc.returncode}")
        return Sample(end - t0, cpu)
    line = next((x for x in out.splitlines() if x.startswith("FIRST_PAINT")), None)
    if line is None:
        raise SystemExit(f"{case.name}: no window painted ({out.strip()[-300:]!r})")
    _, stamp, child_cpu, cls, _name, gui = line.split()
    if cls != case.expect:
        raise SystemExit(f"{case.name}: first painted {cls}, expected {case.expect}")
    return Sample(float(stamp) - t0, float(child_cpu), float(gui) - t0)


def big_homes(cache: Path, candidates: int, builder: Path = REPO) -> tuple[Path, Path]:
    """The library of bench/panel_bench.py, built once into ``cache`` and reused; and a copy
    whose panelists are all removed (one reviewer: the window opens on the filled library
    instead of the panel's lock screen). ``builder`` is the checkout whose sources build it
    (with this checkout's panel_bench): with ``--before``, the older side, whose schema the
    newer side migrates in its warm-up (the other way round, the older side would refuse a
    library of a newer schema)."""
    tag = "" if builder == REPO else "-" + hashlib.sha256(str(builder).encode()).hexdigest()[:8]
    # "intl": names of many languages (panel_bench.FIRST_NAMES, session 10); the libraries
    # cached before, all "Candidate NNNNN", stay where they are, unused.
    home = cache / f"home-{candidates}-intl{tag}"
    marker = home / "panel-bench.json"
    solo = cache / f"solo-{candidates}-intl{tag}"
    if not marker.exists():
        print(f"building a library of {candidates} candidates in {home} ...", flush=True)
        # In a process of its own, on the builder's sources (sets QT_QPA_PLATFORM if unset),
        # with this checkout's panel_bench (its names): the same library whatever builds it.
        code = (
            "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
            " import panel_bench;"
            " info = panel_bench.build(Path(sys.argv[2]), int(sys.argv[3]));"
            " print(json.dumps(info, default=str))"
        )
        built = subprocess.run(
            [sys.executable, "-c", code, str(REPO / "bench"), str(home), str(candidates)],
            # panel_bench puts ONETAKE_BENCH_SRC first on its path: the builder's sources.
            # (Its build uses what the storage and scoring modules of session 9 provide.)
            env={**os.environ, "ONETAKE_BENCH_SRC": str(builder / "src")},
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        info = json.loads(built.stdout.splitlines()[-1])
        marker.write_text(json.dumps({**info, "home": str(home), "candidates": candidates}))
        print(f"built in {info['seconds']:.1f} s, {info['rows']}", flush=True)
        shutil.rmtree(solo, ignore_errors=True)
    if not (solo / "panel-bench.json").exists():
        shutil.copytree(home, solo)
        db = sqlite3.connect(solo / "data" / "library" / "onetake.sqlite3")
        with db:
            db.execute("UPDATE panelists SET removed_at = '2026-11-21 10:00:00'")
        db.close()
    return home, solo


def fmt(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"{ms[0]:6.0f} / {statistics.median(ms):6.0f} / {ms[-1]:6.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--platform",
        choices=("offscreen", "xcb"),
        default="offscreen",
        help="Qt platform plugin; xcb uses $DISPLAY (an Xvfb)",
    )
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, help="keep the big library here between runs")
    parser.add_argument("--only", help="comma-separated cases (bare and pass always run)")
    parser.add_argument(
        "--before",
        type=Path,
        metavar="CHECKOUT",
        help="also run each case on another checkout's sources (e.g. /work/main), interleaved",
    )
    parser.add_argument(
        "--app-filter",
        action="store_true",
        help="watch for the paint with an application-wide filter (the figures before session 4)",
    )
    args = parser.parse_args()
    cases = CASES
    if args.only:
        wanted = {"bare", "pass", *args.only.split(",")}
        cases = [c for c in CASES if c.name in wanted]
    if args.before:
        before = args.before.resolve() / "src"
        cases = cases + [
            Case(f"{c.name}@before", c.argv, c.home, c.expect, before)
            for c in cases
            if c.name not in ("bare", "pass")
        ]
    if args.platform == "xcb" and not os.environ.get("DISPLAY"):
        parser.error("--platform xcb needs DISPLAY (start an Xvfb)")

    with tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp:
        homes: dict[str, Path] = {"empty": Path(tmp) / "empty"}
        if any(c.home in ("big", "solo") for c in cases):
            builder = args.before.resolve() if args.before else REPO
            homes["big"], homes["solo"] = big_homes(
                args.cache or Path(tmp), args.candidates, builder
            )
        base = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "ONETAKE_HOME")}
        base["PYTHONPATH"] = str(SRC)
        # Bytecode as an installed app has it: this environment sets PYTHONDONTWRITEBYTECODE,
        # and without .pyc files every run compiles the app's sources again (~50-150 ms).
        # The warm-up round writes them, outside the work tree.
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        base["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        base["QT_QPA_PLATFORM"] = args.platform
        base.pop("FIRST_PAINT_APP_FILTER", None)
        if args.app_filter:
            base["FIRST_PAINT_APP_FILTER"] = "1"
        envs = {name: {**base, "ONETAKE_HOME": str(home)} for name, home in homes.items()}
        display = f" on DISPLAY={os.environ['DISPLAY']}" if args.platform == "xcb" else ""
        print(
            f"start-up to first paint, QT_QPA_PLATFORM={args.platform}{display}; "
            f"{args.runs} interleaved rounds after one warm-up; Python {sys.version.split()[0]};"
            " bytecode cached (PYTHONPYCACHEPREFIX); paint watched on the "
            + ("application (--app-filter)" if args.app_filter else "top-level widgets")
        )
        print(f"load average before: {load()}")

        if args.before:
            # Each side gets its own copies (the cached library stays at the builder's
            # schema): a newer side migrates its copy in the warm-up, which the other side
            # would then refuse to open.
            for name, home in list(homes.items()):
                for side, key in (("ours", name), ("before", f"{name}@before")):
                    copy = Path(tmp) / f"{side}-{name}"
                    if home.exists():
                        shutil.copytree(home, copy)
                    envs[key] = {**base, "ONETAKE_HOME": str(copy)}

        def run(case: Case) -> Sample:
            home = case.home if case.src == SRC else f"{case.home}@before"
            return run_once(case, {**envs[home], "PYTHONPATH": str(case.src)})

        for case in cases:  # warm-up: caches, the empty library's first creation
            run(case)
        samples: dict[str, list[Sample]] = {c.name: [] for c in cases}
        for r in range(args.runs):
            shift = r % len(cases)
            for case in cases[shift:] + cases[:shift]:
                samples[case.name].append(run(case))
        print(f"load average after:  {load()}\n")

        def median(name: str, attr: str) -> float:
            return statistics.median(getattr(s, attr) for s in samples[name])

        print(f"{'case':<22} {'wall ms min / median / max':>27} {'CPU ms':>7}"
              f" {'wall ratio':>10} {'CPU ratio':>9} {'to GUI ms':>9} {'GUI ms':>7}"
              "  goal")  # fmt: skip
        for case in cases:
            walls = [s.wall for s in samples[case.name]]
            anchor = "bare" if case.painted else "pass"
            wall_ratio = median(case.name, "wall") / median(anchor, "wall")
            cpu_ratio = median(case.name, "cpu") / median(anchor, "cpu")
            if case.name in (anchor,):
                goal = "(anchor)"
            elif case.src != SRC:
                goal = f"(before: {case.src.parent})"
            elif case.painted:
                goal = f"<= {GOALS.get(case.name, 1.5)}x bare"
            else:
                goal = "<= 50 ms"
            split = "" if not case.painted else (
                f" {median(case.name, 'to_gui') * 1000:9.0f}"
                f" {(median(case.name, 'wall') - median(case.name, 'to_gui')) * 1000:7.0f}"
            )  # fmt: skip
            print(
                f"{case.name:<22} {fmt(walls):>27} {median(case.name, 'cpu') * 1000:7.0f}"
                f" {wall_ratio:10.2f} {cpu_ratio:9.2f}{split or ' ' * 17}  {goal}"
            )
        # Each round's CPU against the anchor's of the same round (the load moves both).
        print("\nCPU ratio per round (case / anchor, same round): min / median / max")
        for case in cases:
            anchor = "bare" if case.painted else "pass"
            if case.name == anchor:
                continue
            pairs = zip(samples[case.name], samples[anchor], strict=False)
            ratios = sorted(s.cpu / a.cpu for s, a in pairs)
            print(
                f"{case.name:<22} {ratios[0]:5.2f} / {statistics.median(ratios):5.2f}"
                f" / {ratios[-1]:5.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
