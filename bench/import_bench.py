"""Seal, import and verify a bundle; print our times beside a plain copy and ffmpeg.

    .venv/bin/python bench/import_bench.py [--seconds 20] [--size 640x480]

The answer media is noise (so it barely compresses: a large file quickly). Figures are printed,
never asserted: compare "seal" with copying the same bytes, "import" (one pass: CRC, SHA-256 of
each member and of the whole file, temp file + rename) with copying plus sha256sum, and
"verify" (import + probe in a limited child) with ffmpeg demuxing the same files.
"""

from __future__ import annotations

import argparse
import shutil
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
from onetake_desktop.services.bundles import verify_bundle
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


def timed(label: str, fn: object, size: int) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    print(f"  {label:<44} {elapsed:7.2f} s  {size / elapsed / 1e6:8.1f} MB/s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--size", default="640x480")
    args = parser.parse_args()
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
        timed("import (extract_bundle)", lambda: extract_bundle(bundle, work / "imported"), size)
        timed(
            "plain copy of the bundle", lambda: shutil.copyfile(bundle, work / "copy.onetake"), size
        )
        if shutil.which("sha256sum"):
            timed(
                "sha256sum of the bundle",
                lambda: subprocess.run(["sha256sum", str(bundle)], check=True, capture_output=True),
                size,
            )
        timed("verify (import + probe in a child)", lambda: verify_bundle(bundle), size)
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
