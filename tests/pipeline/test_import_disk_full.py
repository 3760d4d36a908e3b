"""A batch import on a disk that fills up: the bundle that hits it is refused with a sentence,
the batch goes on, and no submission folder is left without its database row (nor a row without
its folder). A real small tmpfs (tests/pipeline/test_bundle_disk_full.py), filled by "another
program" at the worst moments: while a bundle is extracted, and just before its row is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from onetake_desktop.services.reviewer import ReviewerService, open_reviewer_service
from tests.pipeline.library_bundles import make_bundle
from tests.pipeline.test_bundle_disk_full import fill, small_disk

__all__ = ["small_disk"]  # the fixture, used by name


def noise_answer(
    path: Path, *, seconds: float = 1.0, video: str | None = "libx264", **_: object
) -> Path:
    """An answer of noise (barely compresses): about 1.5 MB, so extraction takes chunks."""
    rng = np.random.default_rng(7)
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        vs = out.add_stream("libx264", rate=15)
        vs.width, vs.height, vs.pix_fmt = 320, 240, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "8"}
        as_ = out.add_stream("aac", rate=48000)
        as_.layout = "mono"
        for i in range(round(seconds * 15)):
            frame = av.VideoFrame.from_ndarray(
                rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), format="rgb24"
            )
            frame.pts, frame.time_base = i, Fraction(1, 15)
            for packet in vs.encode(frame):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        for t0 in range(0, round(seconds * 48000), 1024):
            samples = np.zeros((1, 1024), np.float32)
            aframe = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            aframe.sample_rate, aframe.pts, aframe.time_base = 48000, t0, Fraction(1, 48000)
            for packet in as_.encode(aframe):
                out.mux(packet)
        for packet in as_.encode():
            out.mux(packet)
    return path


@pytest.fixture
def bundles(tmp_path: Path) -> list[Path]:
    return [
        make_bundle(
            tmp_path / f"{name.split()[0].lower()}.onetake", name, seconds=1.0, writer=noise_answer
        )
        for name in ("Ada Lovelace", "Grace Hopper", "Katherine Johnson")
    ]


@pytest.fixture
def service(small_disk: Path) -> Iterator[ReviewerService]:
    svc = open_reviewer_service(small_disk / "library")
    yield svc
    svc.close()


def consistent(service: ReviewerService) -> None:
    root = service.library.root / "submissions"
    folders = {p.resolve() for p in root.iterdir()}
    rows = {s.folder.resolve() for s in service.library.submissions.all()}
    assert folders == rows
    for s in service.library.submissions.all():
        for answer in service.answers(s.id):
            assert answer.media_path is None or answer.media_path.is_file()


def test_the_disk_fills_while_a_bundle_is_extracted(
    small_disk: Path, service: ReviewerService, bundles: list[Path]
) -> None:
    sizes = [b.stat().st_size for b in bundles]
    filler = small_disk / "filler"
    events: list[str] = []

    def other_program(done: int, total: int) -> None:
        if done > sizes[0] and "filled" not in events:  # Grace's bundle is being extracted
            fill(small_disk)
            events.append("filled")
        elif done >= sizes[0] + sizes[1] and filler.exists():  # Grace is over: space again
            filler.unlink()
            events.append("freed")

    report = service.import_paths(bundles, progress=other_program)
    assert events == ["filled", "freed"]
    assert [o.status for o in report.outcomes] == ["imported", "refused", "imported"], report
    assert report.outcomes[1].reason == (
        "There is not enough free disk space to import grace.onetake."
    )
    consistent(service)
    assert sorted(s.candidate_name for s in service.library.submissions.all()) == [
        "Ada Lovelace", "Katherine Johnson",
    ]  # fmt: skip


def test_the_disk_fills_just_before_a_row_is_written(
    small_disk: Path, service: ReviewerService, bundles: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_add = service.library.submissions.add
    filler = small_disk / "filler"

    def add_on_a_full_disk(manifest, *args, **kwargs):  # type: ignore[no-untyped-def]
        if manifest.candidate_name != "Grace Hopper":
            return real_add(manifest, *args, **kwargs)
        fill(small_disk)  # the folder is in place; now the database must grow
        try:
            return real_add(manifest, *args, **kwargs)
        finally:
            os.unlink(filler)

    monkeypatch.setattr(service.library.submissions, "add", add_on_a_full_disk)
    report = service.import_paths(bundles)
    assert [o.status for o in report.outcomes] == ["imported", "refused", "imported"]
    assert "disk is full" in report.outcomes[1].reason
    assert report.outcomes[1].reason.startswith("grace.onetake: ")
    consistent(service)  # Grace's extracted folder went with her failed row
