"""The media probe alone: ours before and after issue 17's work, beside a one-pass read + SHA-256.

    .venv/bin/python bench/probe_bench.py [--runs 5] [--before REF] [--only big,hybrid,small,cold]

Cases (answers as a candidate's recorder makes them, generated once into --cache):

- ``big``: one 2-minute 720p30 answer (H.264 1.5 Mbit/s, 1 s GOP, AAC), fragmented MP4 written by
  the ffmpeg command line (the shape bench/import_bench.py uses: frag_keyframe+empty_moov).
- ``hybrid``: the same packets remuxed by PyAV the way media/recorder.py writes a take
  (``hybrid_fragmented``, 0.5 s fragments): after a clean close an ordinary MP4 whose moov
  (at the end) indexes every sample.
- ``small``: 20 small files (10 s answers, hybrid), probed as 10 bundles of two.
- ``cold``: one small bundle with a prober server started for it (its start-up counted: what a
  lone ``onetake library import`` pays once).

CPU is read from /proc in clock ticks (10 ms), so the 2-minute answer is probed ``--repeat``
times per run (each probe its own bundle) and the figures are for all of them.

"Before" is the probe at git ``--before`` (default: the commit this work started from), run from
a copy of its sources; "after" is this tree. Both are the warm prober server each app process
keeps (media/probe.py ``ProbeServer``, started before timing: its ~100 ms start-up is paid once
per process), driven through the same client: before forks one prober per file, after one per
bundle. The anchor reads the same bytes once and hashes them with SHA-256 (page cache warm).
``--before-batches`` drives "before" exactly as "after" (a prober per bundle, the allocator's
tunables): use it when "before" is a later ref that has them (without it, a later "before" would
keep one prober for up to 16 files and look cheaper than it is).

Each figure is min / median / max of ``--runs`` interleaved runs (the order rotates every run),
wall time and CPU time (for the probe: the server and the probers it forked and reaped, from
/proc; for the anchor: this process). The load average is printed before and after: on a busy
machine trust CPU more than wall time. Every run also checks that before and after give the
same answer for every file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import av
from _answers import recorder_like_answer

ROOT = Path(__file__).resolve().parents[1]
START_OF_THIS_WORK = "a4e3df2"  # main when issue 17's probe work began


def as_the_recorder_writes(source: Path, path: Path) -> Path:
    """``source``'s packets remuxed with the recorder's muxer settings (media/recorder.py)."""
    if not path.exists():
        tmp = path.with_suffix(".tmp.mp4")
        options = {"movflags": "hybrid_fragmented", "frag_duration": "500000"}
        with av.open(str(source)) as src, av.open(str(tmp), "w", "mp4", options=options) as out:
            mapping = {s.index: out.add_stream_from_template(s) for s in src.streams}
            for packet in src.demux():
                if packet.dts is None:
                    continue
                packet.stream = mapping[packet.stream_index]
                out.mux(packet)
        os.replace(tmp, path)
    return path


class Server:
    """A prober server (``probe_child serve``) from the sources under ``src``, driven the way
    media/probe.py drives it: one request line per file, one answer line back."""

    def __init__(self, src: Path, batches: bool, tunables: str = "") -> None:
        paths = [str(src)] + [p for p in sys.path if p and os.path.isabs(p) and os.path.isdir(p)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}
        if tunables:  # what media/probe.py gives its prober (after: its _ALLOCATOR_TUNABLES)
            env["GLIBC_TUNABLES"] = tunables
        self.batches = batches
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-S", "-m", "onetake_desktop.media.probe_child", "serve",
             "512", "86400", str(1024 * 1024)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True,
        )  # fmt: skip

    def probe(self, bundle: list[Path]) -> list[dict[str, object]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        reports = []
        for path in bundle:
            request = {"cpu_seconds": 16, "path": str(path), "open_budget_mb": 256.0}
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
            answer = json.loads(self.process.stdout.readline())
            assert answer["returncode"] == 0, answer
            (report,) = json.loads(answer["out"])
            report.pop("read", None)  # which way it was read (after only)
            reports.append(report)
        if self.batches:
            self.process.stdin.write(b'{"close": true}\n')
            self.process.stdin.flush()
            self._wait_for_no_children()
        return reports

    def _wait_for_no_children(self) -> None:
        # The batch's prober is reaped after "close": wait for that so its CPU is counted.
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            try:
                if not children.read_text().strip():
                    return
            except OSError:
                return
            time.sleep(0.0005)

    def cpu(self) -> float:
        """CPU seconds of the server and the probers it forked and reaped (/proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(fields[i]) for i in (11, 12, 13, 14)) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.process.kill()
        self.process.communicate()


def anchor(bundles: list[list[Path]]) -> None:
    """One pass over the same bytes: read and SHA-256."""
    for bundle in bundles:
        for path in bundle:
            digest = hashlib.sha256()
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)


def run_case(
    before: Server, after: Server, bundles: list[list[Path]], runs: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU times of ``runs`` interleaved runs of each side (the order rotates)."""
    times: dict[str, tuple[list[float], list[float]]] = {
        k: ([], []) for k in ("before", "after", "anchor")
    }
    sides: list[tuple[str, Callable[[], object], Callable[[], float]]] = [
        ("before", lambda: [before.probe(b) for b in bundles], before.cpu),
        ("after", lambda: [after.probe(b) for b in bundles], after.cpu),
        ("anchor", lambda: anchor(bundles), time.process_time),
    ]
    for run in range(runs):
        for key, work, cpu in sides[run % 3 :] + sides[: run % 3]:
            c0, t0 = cpu(), time.perf_counter()
            work()
            wall, used = time.perf_counter() - t0, cpu() - c0
            times[key][0].append(wall)
            times[key][1].append(used)
    return times


def run_cold(
    start_before: Callable[[], Server],
    start_after: Callable[[], Server],
    bundle: list[Path],
    runs: int,
) -> dict[str, tuple[list[float], list[float]]]:
    """A prober server started for one bundle (a lone ``onetake library import``): its
    start-up, the bundle's probe, all of it counted."""
    times: dict[str, tuple[list[float], list[float]]] = {
        k: ([], []) for k in ("before", "after", "anchor")
    }

    def cold(start: Callable[[], Server]) -> Callable[[], tuple[float, float]]:
        def work() -> tuple[float, float]:
            t0 = time.perf_counter()
            server = start()
            try:
                server.probe(bundle)
                return time.perf_counter() - t0, server.cpu()
            finally:
                server.close()

        return work

    def reference() -> tuple[float, float]:
        c0, t0 = time.process_time(), time.perf_counter()
        anchor([bundle])
        return time.perf_counter() - t0, time.process_time() - c0

    sides = [("before", cold(start_before)), ("after", cold(start_after)), ("anchor", reference)]
    for run in range(runs):
        for key, work in sides[run % 3 :] + sides[: run % 3]:
            wall, used = work()
            times[key][0].append(wall)
            times[key][1].append(used)
    return times


def _ms(values: list[float]) -> str:
    return " / ".join(
        f"{v * 1000:6.1f}" for v in (min(values), statistics.median(values), max(values))
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", default=START_OF_THIS_WORK, help="git ref of 'before'")
    parser.add_argument("--only", default="big,hybrid,small,cold")
    parser.add_argument(
        "--before-batches",
        action="store_true",
        help="drive 'before' as 'after' is driven (one prober per bundle, the allocator's "
        "tunables): for a 'before' that already has them (a ref after issue 17's probe work)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=10,
        help="probes of the big answer per run (CPU is read "
        "from /proc in 10 ms ticks, so one run must be long enough)",
    )
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "onetake-probe-bench"
    )
    args = parser.parse_args()
    args.cache.mkdir(exist_ok=True)
    big = recorder_like_answer(args.cache / "answer-120s.mp4", 120.0)
    hybrid = as_the_recorder_writes(big, args.cache / "answer-120s-hybrid.mp4")
    small_source = as_the_recorder_writes(
        recorder_like_answer(args.cache / "answer-10s.mp4", 10.0),
        args.cache / "answer-10s-hybrid.mp4",
    )
    smalls = []
    for i in range(20):
        copy = args.cache / f"small-{i:02d}.mp4"
        if not copy.exists():
            shutil.copyfile(small_source, copy)
        smalls.append(copy)
    cases = {
        "big": (
            f"one 2-minute 720p answer, fragmented (ffmpeg CLI), x{args.repeat}",
            [[big]] * args.repeat,
        ),
        "hybrid": (
            f"one 2-minute 720p answer, as the recorder writes it, x{args.repeat}",
            [[hybrid]] * args.repeat,
        ),
        "small": (
            "20 small files (10 s), 10 bundles of two",
            [smalls[i : i + 2] for i in range(0, 20, 2)],
        ),
        "cold": (
            "one small bundle (two 10 s files), prober server started for it",
            [smalls[:2]],
        ),
    }
    wanted = [c.strip() for c in args.only.split(",") if c.strip()]

    with tempfile.TemporaryDirectory(prefix="onetake-probe-before-") as old:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.before, "src/onetake_desktop"],
            check=True, capture_output=True,
        ).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        from onetake_desktop.media.probe import _child_environment

        tunables = _child_environment().get("GLIBC_TUNABLES", "")
        old_batches = args.before_batches
        old_tunables = tunables if old_batches else ""
        before = Server(Path(old) / "src", batches=old_batches, tunables=old_tunables)
        after = Server(ROOT / "src", batches=True, tunables=tunables)
        try:
            print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            for name in wanted:
                title, bundles = cases[name]
                # Warm up both servers (and the page cache) and check they agree.
                expected = [before.probe(b) for b in bundles]
                assert [after.probe(b) for b in bundles] == expected, name
                anchor(bundles)
                if name == "cold":
                    times = run_cold(
                        lambda: Server(Path(old) / "src", old_batches, old_tunables),
                        lambda: Server(ROOT / "src", batches=True, tunables=tunables),
                        bundles[0],
                        args.runs,
                    )
                else:
                    times = run_case(before, after, bundles, args.runs)
                print(f"{title}  (ms, min / median / max of {args.runs})")
                for key in ("before", "after", "anchor"):
                    wall, cpu = times[key]
                    print(f"  {key:<7} wall {_ms(wall)}   cpu {_ms(cpu)}")
                med = {
                    k: (statistics.median(w), statistics.median(c)) for k, (w, c) in times.items()
                }
                print(
                    f"  after/before: wall {med['after'][0] / med['before'][0]:.2f}, "
                    f"cpu {med['after'][1] / med['before'][1]:.2f};  "
                    f"anchor/after: wall {med['anchor'][0] / med['after'][0]:.2f}, "
                    f"cpu {med['anchor'][1] / max(med['after'][1], 1e-9):.2f}"
                )
            print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            before.close()
            after.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
