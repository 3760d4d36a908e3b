"""Reviewer mode benchmarks (issue 7); figures are printed, never asserted.

    .venv/bin/python bench/reviewer_bench.py [--candidates 10000] [--answers 12] [--seconds 20]

1. first frame: from selecting an answer in the window to its first frame painted
   (goal <= 250 ms), beside the ffmpeg command line decoding the first frame of the same file.
2. seek: from a seek to the frame at the new position painted (goal <= 100 ms), beside
   ``ffmpeg -ss T -i FILE -frames:v 1``.
3. import: import + verify of real bundles (structure, every hash, media probe) against a plain
   SHA-256 and copy of the same bytes (goal: throughput >= 0.8 of the plain copy).
4. library list: the viewing reviewer's list of 10,000 candidates from SQLite (goal <= 100 ms),
   and filling the window's library tree with it.
5. library tree: filling the window's item model (ui/reviewer/library_model.py) and its view with
   10,000 candidates (goal < 50 ms), beside a bare QTreeWidget filled with the same rows (the
   anchor), interleaved runs, medians and their ratio. ``--only-tree`` runs this part alone.
Runs offscreen with its own ONETAKE_HOME in a temporary folder.
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if sys.version_info < (3, 12):
    # PySide6 6.12 (abi3 wheel) returns None from void methods without a new reference; on
    # Python 3.11, where None is mortal, a few thousand calls abort the interpreter
    # (none_dealloc). Until the app does this at start-up, give None references to spare.
    import ctypes

    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def ffmpeg_time(args: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(["ffmpeg", "-v", "error", *args], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def noisy_answer(
    path: Path,
    *,
    seconds: float,
    video: str | None = "libx264",
    fps: int = 30,
    size: tuple[int, int] = (1280, 720),
) -> Path:
    """Camera-like media that barely compresses (sensor noise), so bundles are realistically
    large: video (when asked) and a 48 kHz AAC tone, as the recorder writes them."""
    from fractions import Fraction

    import av
    import numpy as np

    rng = np.random.default_rng(1)
    w, h = size
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        vs = None
        if video is not None:
            vs = out.add_stream("libx264", rate=fps)
            vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
            # As the recorder writes them: a keyframe every second (so seeks decode at most
            # one second of frames) and a camera-like 4 Mbit/s.
            vs.options = {"preset": "ultrafast"}
            vs.codec_context.gop_size = fps
            vs.codec_context.bit_rate = 4_000_000
        audio = out.add_stream("aac", rate=48000)
        audio.layout = "mono"
        if vs is not None:
            base = np.full((h, w, 3), 90, np.uint8)
            for i in range(round(seconds * fps)):
                image = base + rng.integers(0, 32, (h, w, 3), dtype=np.uint8)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts, frame.time_base = i, Fraction(1, fps)
                for packet in vs.encode(frame):
                    out.mux(packet)
            for packet in vs.encode():
                out.mux(packet)
        t0, rate, chunk = 0, 48000, 1024
        while t0 < seconds * rate:
            t = (np.arange(chunk) + t0) / rate
            samples = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[None, :]
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, t0, Fraction(1, rate)
            for packet in audio.encode(frame):
                out.mux(packet)
            t0 += chunk
        for packet in audio.encode():
            out.mux(packet)
    return path


def bench_import(home: Path, bundles: list[Path]) -> None:
    from onetake_desktop.services.reviewer import open_reviewer_service

    total = sum(b.stat().st_size for b in bundles)
    plain_dir = home / "plain"
    plain_dir.mkdir()
    t0 = time.perf_counter()
    for b in bundles:
        h = hashlib.sha256()
        with b.open("rb") as src, (plain_dir / b.name).open("wb") as dst:
            while chunk := src.read(1 << 20):
                h.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
    plain = time.perf_counter() - t0
    mb = total / 1e6
    print(f"\n3. import + verify of {len(bundles)} bundles, {mb:.1f} MB")
    print(f"   plain sha256 + copy     {ms(plain)}  ({mb / plain:6.1f} MB/s)")
    for workers in (1, 2):
        service = open_reviewer_service(home / f"import-library-{workers}")
        t0 = time.perf_counter()
        report = service.import_paths(bundles, workers=workers)
        ours = time.perf_counter() - t0
        service.close()
        assert len(report.imported) == len(bundles), report.summary()
        print(
            f"   onetake, {workers} checker(s)   {ms(ours)}  ({mb / ours:6.1f} MB/s)"
            f"   ratio {plain / ours:.2f} (goal >= 0.8)"
        )


def bench_list(home: Path, candidates: int) -> tuple[float, Path]:
    from onetake_desktop.domain.manifest import (
        AnswerRecord,
        Consent,
        KitRef,
        SubmissionManifest,
    )
    from onetake_desktop.storage.library import NewAnswer, open_library

    root = home / "big-library"
    lib = open_library(root)
    me = lib.reviewers.ensure("Me")
    h = "sha256:" + "ab" * 32
    qids = ("q1", "q2", "q3")
    t0 = time.perf_counter()
    lib.db.execute("BEGIN")
    for n in range(candidates):
        records = tuple(
            AnswerRecord(
                q, "text", 1, 1, 1.0, 2.0, "2026-11-01T10:00:00Z", "2026-11-01T10:00:02Z", text="x"
            )
            for q in qids
        )
        m = SubmissionManifest(
            KitRef("big", "1", h),
            f"Candidate {n:05d}",
            f"c{n}@example.org",
            Consent(h, "2026-11-01T09:00:00Z"),
            records,
            "2026-11-01T10:01:00Z",
            "0.1.0",
        )
        sub = lib.submissions.add(
            m,
            f"{n:064x}",
            root / f"s{n}",
            [NewAnswer(q, "text", None, "x", 1.0, 2.0, None, 1, 1) for q in qids],
        )
        assert sub is not None
        if n % 3 == 0:  # a third of them partly scored
            a = lib.submissions.answers(sub.id)[0]
            lib.scores.save_draft(a.id, me.id, 3, "")
    lib.db.execute("COMMIT")
    built = time.perf_counter() - t0
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        entries = lib.submissions.entries(me.id)
        times.append(time.perf_counter() - t0)
    assert len(entries) == candidates
    t0 = time.perf_counter()
    searched = lib.submissions.entries(me.id, "Candidate 0099")
    search = time.perf_counter() - t0
    lib.close()
    print(f"\n4. library of {candidates} candidates ({built:.1f} s to build)")
    print(f"   list with statuses      {ms(statistics.median(times))}  (goal <= 100 ms)")
    print(f"   search ({len(searched)} hits)        {ms(search)}")
    return statistics.median(times), root


def bench_tree(candidates: int, runs: int = 7) -> None:
    """Our model + QTreeView against a bare QTreeWidget, the same rows, interleaved runs."""
    from PySide6.QtWidgets import QTreeView, QTreeWidget, QTreeWidgetItem

    from onetake_desktop.storage.library import CandidateEntry
    from onetake_desktop.ui.application import ensure_application
    from onetake_desktop.ui.reviewer.library_model import STATUS_MARKS, LibraryModel

    _app = ensure_application()
    entries = [
        CandidateEntry(
            n,
            1 + n // 5000,
            f"Role {1 + n // 5000} (v1)",
            f"Candidate {n:05d}",
            f"c{n}@example.org",
            "2026-11-01T10:00:00Z",
            "2026-11-01T10:00:00Z",
            3,
            n % 3,
            0,
            True,
        )
        for n in range(candidates)
    ]

    # One widget per contender, refilled each run, as the window refills its tree on every
    # search keystroke; clearing the previous rows is part of the cost.
    tree = QTreeWidget()
    tree.setHeaderLabels(["Candidate", "Status"])
    tree.setUniformRowHeights(True)
    tree.resize(330, 700)
    model = LibraryModel(lambda _sid: [])
    view = QTreeView()
    view.setModel(model)
    view.setUniformRowHeights(True)
    view.resize(330, 700)

    def bare() -> float:
        t0 = time.perf_counter()
        tree.clear()
        tops: dict[int, QTreeWidgetItem] = {}
        for e in entries:
            top = tops.get(e.interview_pk)
            if top is None:
                top = tops[e.interview_pk] = QTreeWidgetItem([e.interview_title, ""])
            QTreeWidgetItem(top, [e.candidate_name, STATUS_MARKS[e.status]])
        tree.addTopLevelItems(list(tops.values()))
        tree.expandToDepth(0)  # lays out every expanded row
        tree.grab()  # and the first paint
        return time.perf_counter() - t0

    def ours() -> float:
        t0 = time.perf_counter()
        model.set_entries(entries)
        view.expandToDepth(0)
        view.grab()
        return time.perf_counter() - t0

    bare(), ours()  # warm-up: first paint, style polish, font caches
    bare_times, our_times = [], []
    for _ in range(runs):  # interleaved, so a busy moment of the machine hits both alike
        bare_times.append(bare())
        our_times.append(ours())
    b, o = statistics.median(bare_times), statistics.median(our_times)
    print(f"\n5. library tree with {candidates} candidates ({runs} interleaved runs, medians)")
    print(f"   bare QTreeWidget fill + expand + paint    {ms(b)}")
    print(f"   LibraryModel + QTreeView, the same       {ms(o)}  (goal < 50 ms)")
    print(f"   ratio ours / bare {o / b:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=12, help="answers to open in turn")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each answer")
    parser.add_argument("--bundles", type=int, default=4)
    parser.add_argument("--only-import", action="store_true", help="skip the other parts")
    parser.add_argument("--only-tree", action="store_true", help="the library tree part alone")
    args = parser.parse_args()
    if args.only_tree:
        bench_tree(args.candidates)
        return 0

    scratch = Path(tempfile.mkdtemp(prefix="onetake-reviewer-bench-"))
    home = scratch / "home"
    home.mkdir()
    os.environ["ONETAKE_HOME"] = str(home)
    try:
        from tests.pipeline.library_bundles import make_bundle

        print(f"Making {args.bundles} bundles of 720p30 answers, {args.seconds:g} s each…")
        bundles = []
        for i in range(args.bundles):
            out = scratch / "in" / f"candidate{i}.onetake"
            out.parent.mkdir(parents=True, exist_ok=True)
            bundles.append(
                make_bundle(
                    out,
                    f"Candidate {i}",
                    seconds=args.seconds,
                    fps=30,
                    size=(1280, 720),
                    writer=noisy_answer,
                )
            )

        if args.only_import:
            bench_import(scratch, bundles)
            return 0

        from PySide6.QtCore import QEventLoop, QTimer

        from onetake_desktop.services.reviewer import open_reviewer_service
        from onetake_desktop.ui.application import ensure_application
        from onetake_desktop.ui.reviewer.window import ReviewerWindow

        _app = ensure_application()  # kept alive for the whole run
        service = open_reviewer_service()
        report = service.import_paths(bundles)
        assert not report.refused, report.summary()
        window = ReviewerWindow(service)
        window.show()

        def wait_for(predicate, timeout: float = 5.0) -> float:  # type: ignore[no-untyped-def]
            # Not app.processEvents(): in PySide6 6.12 every call drops a reference to None
            # and a long loop of them aborts the interpreter (none_dealloc).
            t0 = time.perf_counter()
            while not predicate():
                settle(1)
                if time.perf_counter() - t0 > timeout:
                    raise TimeoutError("no frame")
            return time.perf_counter() - t0

        def settle(ms_: int) -> None:
            loop = QEventLoop()
            QTimer.singleShot(ms_, loop.quit)
            loop.exec()

        videos = [
            a
            for e in service.entries(service.actor_for(window.current_reviewer_id))
            for a in service.answers(e.submission_id)
            if a.answer_type == "video"
        ]
        firsts = []
        for i in range(args.answers):
            answer = videos[i % len(videos)]
            if answer.id == window.current_answer_id:
                answer = videos[(i + 1) % len(videos)]
            settle(150)
            frames = window.player.video.frames
            t0 = time.perf_counter()
            window.show_answer(answer.id)
            wait_for(
                lambda f=frames: (
                    window.player.video.frames > f and not window.player.video.image.isNull()
                )
            )
            firsts.append(time.perf_counter() - t0)
        sample = videos[0].media_path
        assert sample is not None
        ref_first = ffmpeg_time(["-i", str(sample), "-frames:v", "1", "-f", "null", "-"])
        print(f"\n1. select answer -> first frame painted ({len(firsts)} answers, 720p30)")
        print(
            f"   onetake median {ms(statistics.median(firsts))}, worst {ms(max(firsts))}"
            "  (goal <= 250 ms)"
        )
        print(
            f"   ffmpeg CLI, first frame of the same file (process start included) {ms(ref_first)}"
        )

        window.show_answer(videos[0].id)
        wait_for(lambda: window.player.duration() > 0)
        settle(300)
        seeks = []
        duration = window.player.duration()
        for i in range(15):
            target = int(duration * ((i * 7) % 15 + 0.5) / 16)
            frames = window.player.video.frames
            t0 = time.perf_counter()
            window.player.seek(target)
            wait_for(lambda f=frames: window.player.video.frames > f)
            seeks.append(time.perf_counter() - t0)
            settle(50)
        ref_seek = ffmpeg_time(
            [
                "-ss",
                f"{duration / 2000:.2f}",
                "-i",
                str(sample),
                "-frames:v",
                "1",
                "-f",
                "null",
                "-",
            ]
        )
        print(f"\n2. seek -> frame at the new position painted ({len(seeks)} seeks)")
        print(
            f"   onetake median {ms(statistics.median(seeks))}, worst {ms(max(seeks))}"
            "  (goal <= 100 ms)"
        )
        print(f"   ffmpeg CLI -ss to mid-file, one frame (process start included) {ms(ref_seek)}")
        window.close()

        bench_import(scratch, bundles)
        _, big = bench_list(scratch, args.candidates)
        big_service = open_reviewer_service(big)
        window = ReviewerWindow(big_service)
        t0 = time.perf_counter()
        window.reload_library()
        fill = time.perf_counter() - t0
        print(f"   window: list + fill the library tree {ms(fill)}")
        window.close()
        bench_tree(args.candidates)
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
