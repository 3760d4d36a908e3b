"""Seal, import and verify bundles: ours beside the one-pass reference, interleaved (issue 17).

    .venv/bin/python bench/import_bench.py [--runs 5] [--only big,small,verify,seal]

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

Each figure: min / median / max of --runs interleaved runs (ours, reference, ours, ...), wall
time and CPU time (this process and its threads, plus the prober servers and the processes they
forked, read from /proc). The ratio is reference / ours of the medians (goal >= 0.8). The load
average is printed before and after: on a busy machine, trust CPU more than wall time. Page
cache warm (the bundle was just read). The prober servers read compiled modules from a cache
filled before the runs, as an installed app has them (see installed_bytecode).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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


def _servers_cpu() -> dict[int, float]:
    """CPU seconds of each running prober server and the probers it forked and reaped
    (/proc), by process id."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for server in probe_servers():
        pid = server.pid
        if pid is None:
            continue
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
) -> None:
    """Interleave runs; print min/median/max of wall and CPU for both sides and the ratios.
    ``prepare`` runs untimed before each run of ours."""
    rows: dict[str, list[tuple[float, float]]] = {"ours": [], "reference": []}
    for _ in range(runs):
        if prepare is not None:
            prepare()
        rows["ours"].append(measure(ours))
        rows["reference"].append(measure(reference))
    print(f"{label}  (ms, min / median / max of {runs})")
    for side, got in rows.items():
        print(
            f"  {side:<10} wall {spread([w for w, _ in got])}   cpu {spread([c for _, c in got])}"
        )
    ow = statistics.median(w for w, _ in rows["ours"])
    oc = statistics.median(c for _, c in rows["ours"])
    rw = statistics.median(w for w, _ in rows["reference"])
    rc = statistics.median(c for _, c in rows["reference"])
    print(f"  ratio reference/ours: wall {rw / ow:.2f}, cpu {rc / oc:.2f} (goal >= 0.8)")


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="big,cold,small,library,verify,seal")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "onetake-bench")
    args = parser.parse_args()
    if not shutil.which("ffmpeg"):
        print("This bench needs the ffmpeg command line to make its answers.")
        return 1
    only = set(args.only.split(","))
    args.cache.mkdir(exist_ok=True)
    big_answer = recorder_like_answer(args.cache / "answer-188s.mp4", 188.0)
    small_answer = recorder_like_answer(args.cache / "answer-10s.mp4", 10.0)
    big = bench_bundle(args.cache / "big.onetake", big_answer, 188.0)
    small = bench_bundle(args.cache / "small.onetake", small_answer, 10.0)
    # 20 different candidates (the library refuses a bundle it already holds as a duplicate)
    batch = [
        bench_bundle(args.cache / f"small-{i:02}.onetake", small_answer, 10.0, f"Bench {i}")
        for i in range(20)
    ]
    print(
        f"big bundle {big.stat().st_size / 1e6:.1f} MB, small bundle "
        f"{small.stat().st_size / 1e6:.1f} MB; {load()}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="onetake-bench-", dir=args.cache) as tmp,
        tempfile.TemporaryDirectory(prefix="onetake-bench-pycache-", dir=args.cache) as pycache,
    ):
        installed_bytecode(Path(pycache))  # not under work: clean() empties that
        work = Path(tmp)
        counter = iter(range(1_000_000))

        def fresh() -> Path:
            path = work / f"run{next(counter)}"
            return path

        def clean() -> None:
            for child in work.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()

        reference_copy(big, fresh())  # page cache warm for both sides

        def warm() -> None:
            """The prober running, as in a batch or the window (one untimed import)."""
            shared_server().start()
            import_bundle(small, fresh())

        if "big" in only:
            warm()
            compare(
                "import 75 MB bundle, prober warm",
                lambda: import_bundle(big, fresh()),
                lambda: reference_copy(big, fresh()),
                args.runs,
            )
            clean()
        if "cold" in only:

            def cold() -> None:
                close_spare_probe_child()
                import_bundle(big, fresh())

            compare(
                "import 75 MB bundle, prober started by this import",
                cold,
                lambda: reference_copy(big, fresh()),
                args.runs,
            )
            clean()
        if "small" in only:
            warm()
            compare(
                "import 20 small bundles, one after another",
                lambda: [import_bundle(small, fresh()) for _ in range(20)],
                lambda: [reference_copy(small, fresh()) for _ in range(20)],
                args.runs,
            )
            clean()
        if "library" in only:
            warm()
            libraries: list[ReviewerService] = []

            def library_import() -> None:
                service = libraries[-1]
                report = service.import_paths(batch, workers=2)  # as `onetake library import`
                assert len(report.imported) == len(batch), report.summary()

            def fresh_library() -> None:
                for service in libraries:
                    service.close()
                libraries.append(open_reviewer_service(fresh()))

            def reference_batch() -> None:
                for bundle in batch:
                    reference_copy(bundle, fresh())

            compare(
                "library import of 20 small bundles (Importer, 2 workers, database rows)",
                library_import,
                reference_batch,
                args.runs,
                prepare=fresh_library,  # a new library each run, created untimed
            )
            for service in libraries:
                service.close()
            clean()
        if "verify" in only:
            compare(
                "verify 75 MB bundle (nothing kept, no fsync)",
                lambda: verify_bundle(big),
                lambda: reference_copy(big, fresh(), durable=False),
                args.runs,
            )
            clean()
        if "seal" in only:
            seal_media = {"media/q1.mp4": big_answer, "media/q2.mp4": big_answer}
            sealed = bench_bundle(args.cache / "big.onetake", big_answer, 188.0)
            from onetake_desktop.storage.bundle import read_manifest

            manifest = read_manifest(sealed)

            def reference_seal() -> None:
                target = fresh()
                target.mkdir()
                for name, source in seal_media.items():
                    reference_copy(source, target / Path(name).name)

            compare(
                "seal 75 MB bundle (write_bundle, fsync)",
                lambda: write_bundle(manifest, seal_media, fresh()),
                reference_seal,
                args.runs,
            )
            clean()
    close_spare_probe_child()
    print(load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
