"""Command-line start-up (issue 17): ``onetake --help`` and a usage error beside
``python -c pass``; figures are printed, never asserted.

    .venv/bin/python bench/cli_bench.py [--runs 20]

Each side is a fresh interpreter (``python -m onetake_desktop ...``, as the bench of the
library list runs it), its output thrown away. Runs are interleaved (ours, the anchor, ours,
...); each figure is min / median / max of wall time and of the child's CPU time (user +
system), with the 1-minute load average: on a shared machine read the CPU figures and the
ratios. Goal: ``--help`` <= 50 ms. ``library list`` over 10,000 candidates is measured by
bench/panel_bench.py (``--only list``).

The interpreter must find compiled modules (``__pycache__``): with PYTHONDONTWRITEBYTECODE set
and none there, every run compiles the sources again and measures that instead; this script
compiles them first.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def fmt(values: list[float]) -> str:
    v = sorted(values)
    return f"{v[0]:6.1f} / {statistics.median(v):6.1f} / {v[-1]:6.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    compileall.compile_dir(SRC, quiet=1)
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    sides = {
        "onetake --help": [sys.executable, "-m", "onetake_desktop", "--help"],
        "onetake no-such-command (exit 2)": [sys.executable, "-m", "onetake_desktop", "nope"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    wall: dict[str, list[float]] = {k: [] for k in sides}
    cpu: dict[str, list[float]] = {k: [] for k in sides}
    loads: list[float] = []
    for _ in range(args.runs):
        for name, command in sides.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, env=env, capture_output=True, check=False)
            wall[name].append((time.perf_counter() - start) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            cpu[name].append(used * 1000)
            loads.append(os.getloadavg()[0])
    print(f"command-line start-up   (min / median / max of {args.runs} interleaved runs, ms)")
    for name in sides:
        print(f"  {name:34s} wall {fmt(wall[name])}   cpu {fmt(cpu[name])}")
    anchor = "python -c pass"
    for name in list(sides)[:-1]:
        ratio_wall = statistics.median(wall[name]) / statistics.median(wall[anchor])
        ratio_cpu = statistics.median(cpu[name]) / statistics.median(cpu[anchor])
        print(f"  ratio {name} / {anchor}: wall {ratio_wall:.2f}, cpu {ratio_cpu:.2f}")
    print(f"  goal: --help <= 50 ms; load {min(loads):.2f}-{max(loads):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
