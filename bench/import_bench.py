"""Seal, import and verify bundles: ours beside the one-pass reference, interleaved (issue 17).

    .venv/bin/python bench/import_bench.py [--runs 5] [--only big,small,verify,seal]
        [--before /work/main]
    .venv/bin/python bench/import_bench.py --runs 5 --only floor,phases

Cases (the bundles are what a candidate's recorder makes: 720p H.264 + AAC at today's 1.5 Mbit/s,
generated once with the ffmpeg command line and kept in --cache):

- ``import 75 MB``: one bundle of two 188 s answers (75 MB) through ``import_bundle`` (structure,
  CRC, SHA-256 of each member and of the whole file, fsync, and every media file probed by
  demuxing all its packets in a limited process) against the reference: read + SHA-256 +
  write + fsync of the same bytes. "warm": the prober server already runs (a batch, the
  window); "cold": this import starts it (a lone ``onetake library import``).
- ``import 20 small``: 20 bundles of two 10 s answers, one after another, against 20 references.
- ``library``: 20 small bundles of 20 different candidates through the reviewer library's
  importer as ``onetake library import`` and the window run it (2 worker threads, staging
  folder moved into place, a database row each), into a new library, against 20 references.
- ``verify 75 MB``: the same checks, nothing kept (no fsync), against read + SHA-256 + write.
- ``seal 75 MB``: ``write_bundle`` of the two answers against read + SHA-256 + write + fsync of
  the same media.
- ``floor``: for 20 small bundles, 75 MB warm, verify 75 MB and 75 MB cold, the work the
  checks cannot skip, done in the cheapest way: in this one process, no fork, no IPC: the
  reference's own pass, the second SHA-256 (the whole file's, beside the members'), the probe's
  media check of each member (probe_child._probe_one, the code a prober runs, on the same
  files, extracted untimed) and, cold, a fresh ``python -c "import av"``. Its CPU split across
  the 2 cores (or its longest serial part, if longer) is an ideal wall bound, and reference /
  that bound is the best ratio any path doing these checks could reach here. An idealised lower
  bound, not a path users run (it probes outside data in the app's own process, without the
  prober's limits).
- ``phases``: where the two 75 MB warm cases spend their wall time (see ``phases``).

Each figure: min / median / max of --runs interleaved runs (ours, reference, ours, ...), wall
time and CPU time (this process and its threads, plus the prober servers and the processes they
forked, read from /proc, once the server has reaped the last bundle's prober). Every run's
outputs are removed untimed after it: kept, new writes got slower run after run on this machine
(the reference's own 75 MB write from 67 to 200-270 ms of CPU after ~300 MB). The ratio is
reference / ours of the medians (goal >= 0.8). The load average is printed before and after: on
a busy machine, trust CPU more than wall time. Page cache warm (the bundle was just read). The
prober servers read compiled modules from a cache filled before the runs, as an installed app
has them (see installed_bytecode).

``--before TREE`` runs every case a second time with another source tree's code (its ``src``),
in a worker process of its own, between our run and the reference's in every run, and prints
its row and the ratios reference/before and ours/before: the two trees side by side under the
same load (on a busy machine, runs minutes apart differ more than the trees do).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from _answers import recorder_like_answer

from onetake_desktop.domain.kit import kit_content_hash, privacy_notice_hash
from onetake_desktop.domain.manifest import (
    AnswerRecord,
    Consent,
    KitRef,
    MediaFile,
    SubmissionManifest,
)
from onetake_desktop.media.probe import _child_command, _child_environment, shared_server
from onetake_desktop.services.bundles import (
    close_spare_probe_child,
    import_bundle,
    probe_servers,
    verify_bundle,
)
from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from onetake_desktop.storage.bundle import write_bundle
from onetake_desktop.storage.kitfile import demo_kit_path, load_kit


def bench_bundle(out: Path, answer: Path, seconds: float, name: str = "Bench") -> Path:
    """A bundle answering the demo kit's two video questions with ``answer`` (text for q3)."""
    kit = load_kit(demo_kit_path())
    answers, media = [], {}
    for q in kit.questions:
        kind = kit.answer_type_of(q)
        file = None
        if kind != "text":
            file = MediaFile(f"media/{q.id}.mp4", 0, "", "mp4", "h264", "aac", seconds)
            media[file.name] = answer
        answers.append(
            AnswerRecord(q.id, kind, 1, 1, 10.0, seconds, "2026-11-23T10:00:00Z",
                         "2026-11-23T10:01:00Z", file, "text" if kind == "text" else None)
        )  # fmt: skip
    manifest = SubmissionManifest(
        KitRef(kit.interview_id, kit.version, kit_content_hash(kit)), name, "b@example.org",
        Consent(privacy_notice_hash(kit), "2026-11-23T09:00:00Z"), tuple(answers),
        "2026-11-23T10:05:00Z", "0.1.0",
    )  # fmt: skip
    if not out.exists():
        write_bundle(manifest, media, out)
    return out


def reference_copy(source: Path, target: Path, *, durable: bool = True) -> str:
    """The one-pass reference: read, SHA-256 and write the same bytes once, then fsync."""
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        if durable:
            os.fsync(dst.fileno())
    return digest.hexdigest()


def _reaped(pid: int) -> None:
    """Wait (at most a second) until the prober server ``pid`` has reaped the prober of its
    last batch: the import has its answers before the server has waited for that prober, and
    only then does the prober's CPU time count in the server's. Without this the last bundle's
    probe was missed (a 75 MB warm import showed no prober CPU at all)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        try:
            if not children.read_text().strip():
                return
        except OSError:  # gone, or no such file on this kernel
            return
        time.sleep(0.001)


def _servers_cpu() -> dict[int, float]:
    """CPU seconds of each running prober server and the probers it forked and reaped
    (/proc), by process id."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for server in probe_servers():
        pid = server.pid
        if pid is None:
            continue
        _reaped(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks  # u/s + children
    return found


def _self_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call, the prober servers' included: a server started
    during the call counts whole."""
    before_servers = _servers_cpu()
    before = _self_cpu()
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    servers = sum(cpu - before_servers.get(pid, 0.0) for pid, cpu in _servers_cpu().items())
    return wall, _self_cpu() - before + servers


def spread(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{min(ms):6.0f} /{statistics.median(ms):6.0f} /{max(ms):6.0f}"


def compare(
    label: str,
    ours: Callable[[], object],
    reference: Callable[[], object],
    runs: int,
    prepare: Callable[[], object] | None = None,
    before: Callable[[], tuple[float, float]] | None = None,
    after_reference: Callable[[], object] | None = None,
    after_run: Callable[[], object] | None = None,
) -> None:
    """Interleave runs; print min/median/max of wall and CPU for each side and the ratios.
    ``prepare`` runs untimed before each run of ours; ``before`` (--before: another tree's code
    in its worker, which prepares and measures itself) runs between ours and the reference;
    ``after_reference`` untimed after each reference run, ``after_run`` after each run."""
    rows: dict[str, list[tuple[float, float]]] = {"ours": [], "reference": []}
    if before is not None:
        rows = {"ours": [], "before": [], "reference": []}
    for _ in range(runs):
        if prepare is not None:
            prepare()
        rows["ours"].append(measure(ours))
        if before is not None:
            rows["before"].append(before())
        rows["reference"].append(measure(reference))
        if after_reference is not None:
            after_reference()
        if after_run is not None:
            after_run()
    print(f"{label}  (ms, min / median / max of {runs})")
    for side, got in rows.items():
        print(
            f"  {side:<10} wall {spread([w for w, _ in got])}   cpu {spread([c for _, c in got])}"
        )
    med = {
        side: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got))
        for side, got in rows.items()
    }
    (ow, oc), (rw, rc) = med["ours"], med["reference"]
    print(f"  ratio reference/ours: wall {rw / ow:.2f}, cpu {rc / oc:.2f} (goal >= 0.8)")
    if "before" in med:
        bw, bc = med["before"]
        print(
            f"  ratio reference/before: wall {rw / bw:.2f}, cpu {rc / bc:.2f}; "
            f"ours/before: wall {ow / bw:.2f}, cpu {oc / bc:.2f}"
        )


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def installed_bytecode(prefix: Path) -> None:
    """Give the prober servers compiled modules, as an installed app has them (see
    startup_bench.py): this build environment sets PYTHONDONTWRITEBYTECODE, which the servers
    also get, so each one compiled probe_child.py, mp4_samples.py and the package's __init__
    files again (~8-10 ms of a cold start's CPU that a packaged app does not pay). Its imports
    run here with bytecode writing allowed fills a cache in ``prefix`` (with the standard
    library's and PyAV's modules too: a prefix applies to every module), and every server
    started later reads it."""
    os.environ["PYTHONPYCACHEPREFIX"] = str(prefix)  # the servers inherit our environment
    env = {**_child_environment(), "PYTHONPYCACHEPREFIX": str(prefix)}
    env.pop("PYTHONDONTWRITEBYTECODE")
    # What a server imports, without its limits (they forbid writing files).
    warm = "import av.logging\nfrom onetake_desktop.media import probe_child as c\nc._warm_up()"
    subprocess.run([*_child_command()[:-2], "-c", warm], env=env, check=True)


class Cases:
    """The cases, as this process's code runs them (ours; with --worker, another tree's) over
    the bundles in ``cache`` and a work folder of its own. Each timed case has the name the
    worker is asked by; ``prepare_<name>`` runs untimed before it where there is one."""

    def __init__(self, cache: Path, work: Path) -> None:
        self.big_answer = recorder_like_answer(cache / "answer-188s.mp4", 188.0)
        small_answer = recorder_like_answer(cache / "answer-10s.mp4", 10.0)
        self.big = bench_bundle(cache / "big.onetake", self.big_answer, 188.0)
        self.small = bench_bundle(cache / "small.onetake", small_answer, 10.0)
        # 20 different candidates (the library refuses a bundle it already holds as a duplicate)
        self.batch = [
            bench_bundle(cache / f"small-{i:02}.onetake", small_answer, 10.0, f"Bench {i}")
            for i in range(20)
        ]
        self.work = work
        self.counter = iter(range(1_000_000))
        self.libraries: list[ReviewerService] = []

    def fresh(self) -> Path:
        return self.work / f"run{next(self.counter)}"

    def clean(self) -> None:
        for service in self.libraries:
            service.close()
        self.libraries.clear()
        for child in self.work.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()

    def warm(self) -> None:
        """The prober running, as in a batch or the window (one untimed import)."""
        shared_server().start()
        import_bundle(self.small, self.fresh())

    def big_warm(self) -> None:
        import_bundle(self.big, self.fresh())

    def prepare_cold(self) -> None:
        """The probers stopped, untimed: reaping a server adds its whole life's CPU (every
        earlier run's probes) to this process's children's time, which the run counted."""
        close_spare_probe_child()

    def cold(self) -> None:
        import_bundle(self.big, self.fresh())

    def small_batch(self) -> None:
        for _ in range(20):
            import_bundle(self.small, self.fresh())

    def prepare_library(self) -> None:
        """A new library for each run, created untimed."""
        for service in self.libraries:
            service.close()
        self.libraries.append(open_reviewer_service(self.fresh()))

    def library(self) -> None:
        report = self.libraries[-1].import_paths(self.batch, workers=2)  # as `library import`
        assert len(report.imported) == len(self.batch), report.summary()

    def verify(self) -> None:
        verify_bundle(self.big)

    def prepare_seal(self) -> None:
        from onetake_desktop.storage.bundle import read_manifest

        self.seal_manifest = read_manifest(self.big)

    def seal(self) -> None:
        media = {"media/q1.mp4": self.big_answer, "media/q2.mp4": self.big_answer}
        write_bundle(self.seal_manifest, media, self.fresh())


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call in this process alone (no prober is involved)."""
    cpu, start = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def _started(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a fresh process running ``command`` to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


class Floor:
    """--only floor: the work the import checks cannot skip, done the cheapest way, in this
    process (no fork, no IPC), beside ours and the reference. An idealised lower bound, not a
    path users run: it probes outside data here, without the prober's limits.

    Per bundle the floor is: the reference's own pass (read + SHA-256 + write [+ fsync], as
    measured for the reference row), a second SHA-256 of the bundle's bytes (held in memory:
    the whole-file digest, beside the members' that the reference's pass stands for), the probe
    of each media member in this process (probe_child._probe_one, the code a prober runs, on
    the members extracted untimed, page cache warm) and, cold, a fresh ``python -c "import
    av"`` with the prober's interpreter flags and environment."""

    def __init__(self, cases: Cases, scratch: Path) -> None:
        import av.logging

        from onetake_desktop.media import probe_child
        from onetake_desktop.storage.bundle import extract_bundle

        av.logging.set_level(None)  # as a prober does
        probe_child._warm_up()  # imports and decoders, as the prober server has them
        self.probe_one = probe_child._probe_one
        self.members: dict[Path, list[str]] = {}
        self.data: dict[Path, bytes] = {}
        scratch.mkdir(parents=True, exist_ok=True)
        for bundle in (cases.big, cases.small):
            extracted = extract_bundle(bundle, scratch / bundle.stem, durable=False)
            self.members[bundle] = [str(p) for p in extracted.media.values()]
            self.data[bundle] = bundle.read_bytes()
            for path in self.members[bundle]:  # each verdict is an answer's, as ours gives
                report = self.probe_one(path)
                assert "error" not in report, report
        env = _child_environment()  # PYTHONPYCACHEPREFIX too: compiled modules, as installed
        python = _child_command()[:-2]  # the prober's interpreter and flags
        self.start_av = partial(_started, [*python, "-c", "import av"], env)
        self.start_python = partial(_started, [*python, "-c", "pass"], env)

    def extra(self, bundle: Path, times: int, cold: bool) -> dict[str, Any]:
        """The floor's work beyond the reference's pass for ``times`` imports of ``bundle``:
        CPU seconds of each part, and the longest piece that cannot be split across cores."""
        data = memoryview(self.data[bundle])
        sha = probe = 0.0
        longest_probe = longest_sha = longest_bundle = 0.0
        for _ in range(times):
            wall, cpu = _timed(lambda: hashlib.sha256(data).digest())
            sha += cpu
            longest_sha = max(longest_sha, wall)
            bundle_wall = 0.0
            for path in self.members[bundle]:
                wall, cpu = _timed(partial(self.probe_one, path))
                probe += cpu
                longest_probe = max(longest_probe, wall)
                bundle_wall += wall
            longest_bundle = max(longest_bundle, bundle_wall)
        start_wall = start_cpu = python_cpu = 0.0
        if cold:
            start_wall, start_cpu = self.start_av()
            python_cpu = self.start_python()[1]
        return {
            "sha": sha,
            "probe": probe,
            "start": start_cpu,
            "python": python_cpu,
            # Serial: one bundle's second digest; (cold) the start-up, then a member's probe.
            "serial_sha": longest_sha,
            "serial_probe": start_wall + longest_probe,
            # The same with a bundle's members probed one after another (one prober each, ours).
            "serial_bundle": start_wall + longest_bundle,
        }


def measure_split(fn: Callable[[], object]) -> tuple[float, float, float]:
    """(wall, CPU of this process, CPU of the prober servers and their probers) of one call."""
    before_servers = _servers_cpu()
    before = _self_cpu()
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    servers = sum(cpu - before_servers.get(pid, 0.0) for pid, cpu in _servers_cpu().items())
    return wall, _self_cpu() - before, servers


def floor_case(
    label: str,
    ours: Callable[[], object],
    reference: Callable[[], object],
    extra: Callable[[], dict[str, Any]],
    runs: int,
    after_reference: Callable[[], object] | None = None,
    prepare: Callable[[], object] | None = None,
    after_run: Callable[[], object] | None = None,
) -> None:
    """Interleave ours, the reference and the floor's own parts; print the ideal bound.
    ``prepare`` runs untimed before ours, ``after_reference`` after the reference."""
    rows: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        rows.setdefault(key, []).append(value)

    for _ in range(runs):
        if prepare is not None:
            prepare()
        wall, own, probers = measure_split(ours)
        add("ours wall", wall)
        add("ours cpu", own + probers)
        add("ours cpu here", own)
        add("ours cpu probers", probers)
        ref_wall, ref_cpu = measure(reference)
        if after_reference is not None:
            after_reference()
        add("reference wall", ref_wall)
        add("reference cpu", ref_cpu)
        parts = extra()
        floor_cpu = ref_cpu + parts["sha"] + parts["probe"] + parts["start"]
        serial = max(ref_wall, parts["serial_sha"], parts["serial_probe"])
        ideal = max(floor_cpu / 2, serial)
        add("floor cpu", floor_cpu)
        add("floor sha", parts["sha"])
        add("floor probe", parts["probe"])
        add("floor start", parts["start"])
        add("floor python", parts["python"])
        add("floor serial", serial)
        add("ideal wall", ideal)
        add("best ratio", ref_wall / ideal)
        one_prober = max(floor_cpu / 2, serial, parts["serial_bundle"])
        add("one prober ratio", ref_wall / one_prober)
        add("ratio now", ref_wall / wall)
        # The same bound from CPU alone (the reference's fsync waits left out): what a busy
        # machine, whose disk stretches the reference's wall time, still shows.
        add("cpu ratio", ref_cpu / max(floor_cpu / 2, ref_cpu))
        # Where ours spends more CPU than the floor: in this process (beside the reference's
        # pass and the second digest), and in the probers (beside the probe itself).
        add("more here", own - ref_cpu - parts["sha"])
        add("more probers", probers - parts["probe"] - parts["start"])
        if after_run is not None:
            after_run()
    med = {key: statistics.median(values) for key, values in rows.items()}

    def show(key: str) -> str:
        return spread(rows[key])

    print(f"floor: {label}  (ms, min / median / max of {runs})")
    print("  (the floor is an idealised lower bound, not a path users run)")
    print(f"  reference   wall {show('reference wall')}   cpu {show('reference cpu')}")
    print(
        f"  ours        wall {show('ours wall')}   cpu {show('ours cpu')}"
        f"  (here {show('ours cpu here')}, probers {show('ours cpu probers')})"
    )
    cold = med["floor start"] > 0
    started = (
        f", start-up {show('floor start')} (python -c pass alone {show('floor python')})"
        if cold
        else ""
    )
    print(
        f"  floor cpu   {show('floor cpu')}: reference's pass, second SHA-256 "
        f"{show('floor sha')}, probe in process {show('floor probe')}{started}"
    )
    print(
        f"  ideal wall  {show('ideal wall')}  = max(floor cpu / 2 cores, longest serial part "
        f"{show('floor serial')})"
    )

    print(
        f"  ours' CPU beyond the floor: here {show('more here')}, in the probers "
        f"{show('more probers')} (fork, IPC, a fresh prober's page faults)"
    )

    def per_run(key: str) -> str:
        got = rows[key]
        return f"{min(got):.2f} / {statistics.median(got):.2f} / {max(got):.2f}"

    print(
        f"  best ratio reachable, reference / ideal wall, per run: {per_run('best ratio')} "
        f"(goal >= 0.8); today, reference / ours wall: {per_run('ratio now')}"
    )
    print(
        f"  the same from CPU alone, reference CPU / max(floor CPU / 2, reference CPU): "
        f"{per_run('cpu ratio')}"
    )
    print(
        f"  with a bundle's members probed one after another (one prober per bundle, as ours "
        f"does), reference / ideal wall: {per_run('one prober ratio')}"
    )


class Before:
    """--before: the same cases run by another tree's code (``tree``/src), in a worker process
    of its own (this script with --worker), asked between our run and the reference's, so
    both trees see the same load. Its CPU is counted as ours is (the worker and its probers)."""

    def __init__(self, tree: Path, cache: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree.resolve() / "src")}
        env.pop("PYTHONPYCACHEPREFIX", None)  # the worker fills a bytecode cache of its own
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", "--cache", str(cache)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        where = self.ask("where")
        print(f"before: {tree} (its package at {where})")

    def ask(self, command: str) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the --before worker ended on {command!r}")
        return json.loads(line)

    def timed(self, name: str) -> Callable[[], tuple[float, float]]:
        return lambda: tuple(self.ask(name))  # type: ignore[return-value]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(60)


def worker(cache: Path) -> int:
    """--worker: run the cases this process's code has, one command per line on stdin (a
    case's name: its [wall, cpu] seconds; "warm", "clean", "where": untimed)."""
    import onetake_desktop

    with (
        tempfile.TemporaryDirectory(prefix="onetake-bench-before-", dir=cache) as tmp,
        tempfile.TemporaryDirectory(prefix="onetake-bench-pycache-", dir=cache) as pycache,
    ):
        installed_bytecode(Path(pycache))
        cases = Cases(cache, Path(tmp))
        for line in sys.stdin:
            name = line.strip()
            answer: object = None
            if name == "where":
                answer = str(Path(onetake_desktop.__file__).parent)
            elif name in ("warm", "clean"):
                getattr(cases, name)()
            else:
                prepare = getattr(cases, f"prepare_{name}", None)
                if prepare is not None:
                    prepare()
                answer = measure(getattr(cases, name))
            print(json.dumps(answer), flush=True)
        cases.clean()
    close_spare_probe_child()
    return 0


def floor_cases(cases: Cases, scratch: Path, runs: int) -> None:
    """--only floor: each case's ideal bound beside ours and the reference (see Floor)."""
    floor = Floor(cases, scratch)
    big, small, fresh = cases.big, cases.small, cases.fresh
    cases.warm()
    floor_case(
        "import 20 small bundles, one after another, prober warm",
        cases.small_batch,
        lambda: [reference_copy(small, fresh()) for _ in range(20)],
        partial(floor.extra, small, 20, False),
        runs,
        after_run=cases.clean,
    )
    cases.clean()
    floor_case(
        "import 75 MB bundle, prober warm",
        cases.big_warm,
        lambda: reference_copy(big, fresh()),
        partial(floor.extra, big, 1, False),
        runs,
        after_run=cases.clean,
    )
    cases.clean()
    scratch_copy = fresh()
    floor_case(
        "verify 75 MB bundle (nothing kept, no fsync), prober warm",
        cases.verify,
        lambda: reference_copy(big, scratch_copy, durable=False),
        partial(floor.extra, big, 1, False),
        runs,
        after_run=cases.clean,
        after_reference=partial(scratch_copy.unlink, missing_ok=True),  # as in the verify case
    )
    cases.clean()
    floor_case(
        "import 75 MB bundle, prober started by this import",
        cases.cold,
        lambda: reference_copy(big, fresh()),
        partial(floor.extra, big, 1, True),
        runs,
        after_run=cases.clean,
        prepare=cases.prepare_cold,
    )
    cases.clean()


def phases(cases: Cases, floor: Floor, runs: int) -> None:
    """--only phases: where ours spends its wall time in the two 75 MB warm cases, from
    timestamps taken around the pipelined probe (services/bundles.py ``_PipelinedProbe``; the
    bench wraps its methods, the import runs as always): when the last media file was handed
    to the prober, when extraction returned (with its fsync for import), when the probes'
    answers were in, and the end; beside the reference, the same extraction without any probe
    (storage/bundle.py extract_bundle: hashes, CRCs, writes) and the last member's probe in
    this process."""
    from onetake_desktop.services import bundles
    from onetake_desktop.storage.bundle import extract_bundle

    probe_class = bundles._PipelinedProbe
    marks: dict[str, float] = {}
    started, wait = probe_class.started, probe_class.wait

    def timed_started(self: Any, name: str, path: Path) -> None:
        marks["handed"] = time.perf_counter()
        started(self, name, path)

    def timed_wait(self: Any) -> None:
        marks["extracted"] = time.perf_counter()
        wait(self)
        marks["probed"] = time.perf_counter()

    probe_class.started, probe_class.wait = timed_started, timed_wait  # type: ignore[method-assign]
    last = floor.members[cases.big][-1]
    try:
        cases.warm()
        for label, ours, durable in (
            ("verify 75 MB", cases.verify, False),
            ("import 75 MB, prober warm", cases.big_warm, True),
        ):
            rows: dict[str, list[float]] = {}
            for _ in range(runs):
                start = time.perf_counter()
                ours()
                end = time.perf_counter()
                reference = partial(reference_copy, cases.big, cases.fresh(), durable=durable)
                alone = partial(extract_bundle, cases.big, cases.fresh(), durable=durable)
                got = {
                    "last file handed to the prober": marks["handed"] - start,
                    "extraction returned": marks["extracted"] - start,
                    "probes answered": marks["probed"] - start,
                    "ours, end": end - start,
                    "reference, end": _timed(reference)[0],
                    "extraction alone (no probe), end": _timed(alone)[0],
                    "last member's probe, in this process": _timed(partial(floor.probe_one, last))[
                        0
                    ],
                }
                for key, value in got.items():
                    rows.setdefault(key, []).append(value)
                cases.clean()
            print(f"phases: {label}  (ms from the start, min / median / max of {runs})")
            for key, values in rows.items():
                print(f"  {key:<38} {spread(values)}")
    finally:
        probe_class.started, probe_class.wait = started, wait  # type: ignore[method-assign]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="big,cold,small,library,verify,seal")
    # "floor" and "phases" are not in the default: questions about the checks, not figures.
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "onetake-bench")
    parser.add_argument(
        "--before",
        type=Path,
        help="another source tree (e.g. /work/main): its code runs the same cases in a worker "
        "process, interleaved with ours and the reference in every run",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not shutil.which("ffmpeg"):
        print("This bench needs the ffmpeg command line to make its answers.")
        return 1
    args.cache.mkdir(exist_ok=True)
    if args.worker:
        return worker(args.cache)
    only = set(args.only.split(","))
    with (
        tempfile.TemporaryDirectory(prefix="onetake-bench-", dir=args.cache) as tmp,
        tempfile.TemporaryDirectory(prefix="onetake-bench-pycache-", dir=args.cache) as pycache,
        tempfile.TemporaryDirectory(prefix="onetake-bench-floor-", dir=args.cache) as floor_scratch,
    ):
        cases = Cases(args.cache, Path(tmp))
        big, small, batch = cases.big, cases.small, cases.batch
        print(
            f"big bundle {big.stat().st_size / 1e6:.1f} MB, small bundle "
            f"{small.stat().st_size / 1e6:.1f} MB; {load()}"
        )
        before = Before(args.before, args.cache) if args.before else None
        installed_bytecode(Path(pycache))  # not under work: clean() empties that
        fresh = cases.fresh
        reference_copy(big, fresh())  # page cache warm for both sides

        def warm() -> None:
            cases.warm()
            if before is not None:
                before.ask("warm")

        def clean() -> None:
            cases.clean()
            if before is not None:
                before.ask("clean")

        def timed(name: str) -> Callable[[], tuple[float, float]] | None:
            return before.timed(name) if before is not None else None

        def reference_batch() -> None:
            for bundle in batch:
                reference_copy(bundle, fresh())

        if "big" in only:
            warm()
            compare(
                "import 75 MB bundle, prober warm",
                cases.big_warm,
                lambda: reference_copy(big, fresh()),
                args.runs,
                before=timed("big_warm"),
                after_run=clean,
            )
            clean()
        if "cold" in only:
            compare(
                "import 75 MB bundle, prober started by this import",
                cases.cold,
                lambda: reference_copy(big, fresh()),
                args.runs,
                prepare=cases.prepare_cold,
                before=timed("cold"),
                after_run=clean,
            )
            clean()
        if "small" in only:
            warm()
            compare(
                "import 20 small bundles, one after another",
                cases.small_batch,
                lambda: [reference_copy(small, fresh()) for _ in range(20)],
                args.runs,
                before=timed("small_batch"),
                after_run=clean,
            )
            clean()
        if "library" in only:
            warm()
            compare(
                "library import of 20 small bundles (Importer, 2 workers, database rows)",
                cases.library,
                reference_batch,
                args.runs,
                prepare=cases.prepare_library,  # a new library each run, created untimed
                before=timed("library"),
                after_run=clean,
            )
            clean()
        if "verify" in only:
            scratch = fresh()
            compare(
                "verify 75 MB bundle (nothing kept, no fsync)",
                cases.verify,
                lambda: reference_copy(big, scratch, durable=False),
                args.runs,
                before=timed("verify"),
                # Nothing kept on either side: the reference's copy goes, untimed (75 MB of
                # unwritten pages left per run made the next runs' writes, ours included,
                # slower and slower: ours 120 -> 260 ms of CPU over four runs).
                after_reference=partial(scratch.unlink, missing_ok=True),
            )
            clean()
        if "seal" in only:
            seal_media = {"media/q1.mp4": cases.big_answer, "media/q2.mp4": cases.big_answer}

            def reference_seal() -> None:
                target = fresh()
                target.mkdir()
                for name, source in seal_media.items():
                    reference_copy(source, target / Path(name).name)

            compare(
                "seal 75 MB bundle (write_bundle, fsync)",
                cases.seal,
                reference_seal,
                args.runs,
                prepare=cases.prepare_seal,
                before=timed("seal"),
                after_run=clean,
            )
            clean()
        if "floor" in only:
            floor_cases(cases, Path(floor_scratch), args.runs)
        if "phases" in only:
            phases(cases, Floor(cases, Path(floor_scratch) / "phases"), args.runs)
        if before is not None:
            before.close()
    close_spare_probe_child()
    print(load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
