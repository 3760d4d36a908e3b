"""What a window's start-up costs the system beside its instructions, up to its first paint,
beside a bare PySide6 window (issue 17); figures are printed, never asserted.

    .venv/bin/python bench/first_paint_counts.py [--runs 5] [--only review,candidate]
                                                 [--src SRC] [--no-strace]

The per-round CPU ratio of bench/startup_bench.py is larger than the ratio of instructions
(bench/first_paint_instructions.sh): the kernel's share (page faults, system calls) and a
slower execution per instruction (more code and data touched) are not in the count. These
counters are deterministic or nearly so, and load does not move them, so an A/B of a change
reads them on a shared machine: each run goes through bench/_first_paint.py with
FIRST_PAINT_COUNTS (getrusage, /proc/self/io, threads, shared objects mapped, modules,
memory, all read at the first paint), the median of ``--runs``; then one run under
``strace -f -c`` (if installed) for the system calls by name, fsync and fdatasync included.
Each case runs on its own empty home (created by a warm-up run), with bytecode cached as
startup_bench does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DRIVER = REPO / "bench" / "_first_paint.py"
DEMO_KIT = REPO / "resources" / "kits" / "demo.onetakekit"
CASES = {
    "bare": ["--bare"],
    "start": [],
    "candidate": ["candidate", str(DEMO_KIT)],
    "review": ["review"],
    "author": ["author"],
}
ROWS = [  # (counter, what it is)
    ("minflt", "minor page faults"),
    ("majflt", "major page faults"),
    ("nvcsw", "voluntary context switches"),
    ("nivcsw", "involuntary context switches"),
    ("inblock", "blocks read (512 B)"),
    ("oublock", "blocks written (512 B)"),
    ("rchar", "bytes read (read calls)"),
    ("syscr", "read calls"),
    ("syscw", "write calls"),
    ("shared_objects", "shared objects mapped"),
    ("modules", "Python modules"),
    ("threads", "threads"),
    ("RssAnon", "anonymous memory (kB)"),
    ("RssFile", "file-backed memory (kB)"),
]
SYSCALLS = ("total", "newfstatat", "openat", "read", "readlink", "mmap", "write", "pread64",
            "fsync", "fdatasync")  # fmt: skip


def run(argv: list[str], env: dict[str, str], counts: Path, wrap: tuple[str, ...] = ()) -> None:
    proc = subprocess.run(
        [*wrap, sys.executable, str(DRIVER), *argv],
        env={**env, "FIRST_PAINT_COUNTS": str(counts)},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        timeout=300,
    )
    if "FIRST_PAINT" not in proc.stdout:
        raise SystemExit(f"{argv}: no window painted ({proc.stdout.strip()[-300:]!r})")


def syscalls(table: Path) -> dict[str, int]:
    """strace -c's table: calls per system call, and the total."""
    found: dict[str, int] = {}
    for line in table.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[3].isdigit():
            found[parts[-1]] = int(parts[3])
        elif len(parts) >= 3 and parts[-1] == "total":
            found["total"] = int(parts[2])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="comma-separated windows (bare always runs)")
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the sources run")
    parser.add_argument("--no-strace", action="store_true")
    args = parser.parse_args()
    names = ["bare", *(n for n in (args.only.split(",") if args.only else CASES) if n != "bare")]
    strace = None if args.no_strace else shutil.which("strace")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FIRST_PAINT_", "ONETAKE"))}
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    base["PYTHONPATH"] = str(args.src.resolve())
    base.setdefault("QT_QPA_PLATFORM", "offscreen")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="first-paint-counts-") as tmp:
        base["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        out = Path(tmp) / "counts.json"
        for name in names:
            env = {**base, "ONETAKE_HOME": str(Path(tmp) / f"home-{name}")}
            run(CASES[name], env, out)  # warm-up: bytecode, the empty library
            samples = []
            for _ in range(args.runs):
                run(CASES[name], env, out)
                samples.append(json.loads(out.read_text()))
            results[name] = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
            if strace:
                table = Path(tmp) / f"strace-{name}.txt"
                run(CASES[name], env, out, (strace, "-f", "-c", "-o", str(table)))
                for call in SYSCALLS:
                    results[name][f"sys:{call}"] = syscalls(table).get(call, 0)
    print(f"at the first paint; medians of {args.runs} runs; sources {args.src}")
    print(f"{'counter':<34}" + "".join(f"{n:>11}" for n in names) + "   ratio to bare")
    rows = ROWS + [(f"sys:{c}", f"system calls: {c}") for c in SYSCALLS if strace]
    for key, label in rows:
        bare = results["bare"].get(key, 0)
        line = f"{label:<34}" + "".join(f"{results[n].get(key, 0):>11.0f}" for n in names)
        ratios = [f"{results[n].get(key, 0) / bare:.2f}" if bare else "-" for n in names[1:]]
        print(line + "   " + " ".join(ratios))
    # Not interleaved, and each counter's median apart: times are startup_bench.py's work.
    print("CPU ms, user / system (medians, not interleaved: see startup_bench.py for times): "
          + ", ".join(f"{n} {results[n]['utime'] * 1000:.0f} / {results[n]['stime'] * 1000:.0f}"
                      for n in names))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
