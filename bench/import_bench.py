"""Seal, import and verify a bundle; print our times beside a plain copy and ffmpeg.

    .venv/bin/python bench/import_bench.py [--seconds 20] [--size 640x480]

The answer media is noise (so it barely compresses: a large file quickly). Figures are printed,
never asserted: compare "seal" with copying the same bytes, "import" (one pass: CRC, SHA-256 of
each member and of the whole file, temp file + rename, fsync) and "import + probe" with a plain
SHA-256 + copy + fsync of the same bytes (the goal of issue 7: ratio >= 0.8), and "verify"
(the same checks, nothing kept, so no fsync) with ffmpeg demuxing the same files. Every figure
is the median of --runs, page cache warm (the bundle was just written); CPU is this process
plus its children (the probe), so a busy machine shows in wall time but much less in CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from onetake_desktop.domain.kit import kit_content_hash, privacy_notice_hash
from onetake_desktop.domain.manifest import (
    AnswerRecord,
    Consent,
    KitRef,
    MediaFile,
    SubmissionManifest,
)
from onetake_desktop.media.probe import ProbeChild
from onetake_desktop.services.bundles import close_spare_probe_child, import_bundle, verify_bundle
from onetake_desktop.storage.bundle import extract_bundle, write_bundle
from onetake_desktop.storage.kitfile import demo_kit_path, load_kit


def noise_clip(path: Path, seconds: float, width: int, height: int, fps: int = 30) -> Path:
    rng = np.random.default_rng(1)
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.options = {"preset": "ultrafast", "crf": "10"}
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(
                rng.integers(0, 255, (height, width, 3), dtype=np.uint8), format="rgb24"
            )
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for p in v.encode(frame):
                out.mux(p)
        for p in v.encode():
            out.mux(p)
    return path


RUNS = 5


def timed(label: str, fn: object, size: int) -> float:
    """Median wall time of RUNS calls (printed with MB/s and CPU seconds)."""
    walls, cpus = [], []
    for _ in range(RUNS):
        before = os.times()
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(
            sum(getattr(after, f) - getattr(before, f) for f in ("user", "system"))
            + sum(
                getattr(after, f) - getattr(before, f) for f in ("children_user", "children_system")
            )
        )
    elapsed = statistics.median(walls)
    print(
        f"  {label:<44} {elapsed * 1000:7.0f} ms  {size / elapsed / 1e6:8.1f} MB/s"
        f"  cpu {statistics.median(cpus) * 1000:5.0f} ms"
    )
    return elapsed


def plain_hash_and_copy(source: Path, target: Path) -> str:
    """The reference: read, SHA-256 and write the same bytes once, then fsync."""
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest()


def fresh(folder: Path) -> Path:
    """A new, not yet existing folder under ``folder`` for one run."""
    folder.mkdir(exist_ok=True)
    return folder / f"run{len(list(folder.iterdir()))}"


def main() -> None:
    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    RUNS = args.runs
    width, height = (int(x) for x in args.size.split("x"))
    kit = load_kit(demo_kit_path())
    with tempfile.TemporaryDirectory(prefix="onetake-bench-") as tmp:
        work = Path(tmp)
        q1 = noise_clip(work / "q1.mp4", args.seconds, width, height)
        q2 = work / "q2.mp4"
        shutil.copyfile(q1, q2)
        media_bytes = q1.stat().st_size * 2
        print(f"two answers of {q1.stat().st_size / 1e6:.1f} MB each ({args.seconds:g} s noise)")
        answers = []
        for q in kit.questions:
            kind = kit.answer_type_of(q)
            media = (
                MediaFile(f"media/{q.id}.mp4", 0, "", "mp4", "h264", None, args.seconds)
                if kind != "text"
                else None
            )
            answers.append(
                AnswerRecord(q.id, kind, 1, 1, 10.0, args.seconds, "2026-11-23T10:00:00Z",
                             "2026-11-23T10:01:00Z", media, "text" if kind == "text" else None)
            )  # fmt: skip
        manifest = SubmissionManifest(
            KitRef(kit.interview_id, kit.version, kit_content_hash(kit)), "Bench", "b@example.org",
            Consent(privacy_notice_hash(kit), "2026-11-23T09:00:00Z"), tuple(answers),
            "2026-11-23T10:05:00Z", "0.1.0",
        )  # fmt: skip
        bundle = work / "bench.onetake"
        media = {"media/q1.mp4": q1, "media/q2.mp4": q2}
        timed("seal (write_bundle)", lambda: write_bundle(manifest, media, bundle), media_bytes)
        copies = work / "copies"
        copies.mkdir()
        timed(
            "plain copy of the two media files",
            lambda: [shutil.copyfile(p, copies / p.name) for p in media.values()],
            media_bytes,
        )
        size = bundle.stat().st_size
        print(f"bundle {size / 1e6:.1f} MB, median of {RUNS} runs, page cache warm")
        plain = timed(
            "plain sha256 + copy + fsync (reference)",
            lambda: plain_hash_and_copy(bundle, fresh(work / "plain")),
            size,
        )
        timed(
            "plain copy of the bundle (no hash, no fsync)",
            lambda: shutil.copyfile(bundle, work / "copy.onetake"),
            size,
        )
        if shutil.which("sha256sum"):
            timed(
                "sha256sum of the bundle",
                lambda: subprocess.run(["sha256sum", str(bundle)], check=True, capture_output=True),
                size,
            )
        extract = timed(
            "extract (extract_bundle: hashes, CRC, fsync)",
            lambda: extract_bundle(bundle, fresh(work / "extracted")),
            size,
        )
        timed("probe child start-up alone (Python + PyAV)", lambda: ProbeChild().probe([]), size)

        def lone_import() -> None:
            close_spare_probe_child()  # no child started by an import before: a single import
            import_bundle(bundle, fresh(work / "imported"))

        timed("import + probe, a single bundle", lone_import, size)
        full = timed(
            "import + probe, one of a batch (child started ahead)",
            lambda: import_bundle(bundle, fresh(work / "imported")),
            size,
        )
        timed("verify (checks of import + probe, no fsync)", lambda: verify_bundle(bundle), size)
        close_spare_probe_child()
        print(
            f"  ratio to the reference: extract {plain / extract:.2f}, "
            f"import + probe {plain / full:.2f} (goal >= 0.8)"
        )
        if shutil.which("ffmpeg"):
            timed(
                "ffmpeg -c copy -f null (demux both files)",
                lambda: [
                    subprocess.run(
                        ["ffmpeg", "-v", "error", "-i", str(p), "-c", "copy", "-f", "null", "-"],
                        check=True,
                    )
                    for p in media.values()
                ],
                media_bytes,
            )


if __name__ == "__main__":
    sys.exit(main())
