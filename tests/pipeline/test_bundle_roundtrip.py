"""Round trip: build kit from TOML -> synthetic answers -> bundle -> verify -> inspect -> import."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from onetake_desktop import cli
from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.kit import Kit
from onetake_desktop.domain.manifest import (
    AnswerRecord,
    MediaFile,
    check_against_kit,
    manifest_from_json,
)
from onetake_desktop.services.bundles import (
    import_bundle,
    inspect_bundle,
    media_file_for,
    verify_bundle,
)
from onetake_desktop.storage.bundle import read_manifest, write_bundle
from onetake_desktop.storage.kitfile import build_from_toml, demo_source_path
from tests.pipeline.hostile.corpus import demo_manifest
from tests.pipeline.hostile.media import write_answer


@pytest.fixture
def kit(tmp_path: Path) -> Kit:
    kit_path, _ = build_from_toml(demo_source_path(), tmp_path / "kits" / "role.onetakekit")
    from onetake_desktop.storage.kitfile import load_kit

    return load_kit(kit_path)


def answers(tmp_path: Path, kit: Kit) -> dict[str, Path]:
    media = {}
    for q in kit.questions:
        if kit.answer_type_of(q) != "text":
            name = f"media/{q.id}.mp4"
            media[name] = write_answer(tmp_path / f"take-{q.id}.mp4", seconds=1.5)
    return media


def test_round_trip_build_seal_verify_inspect_import(
    kit: Kit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    media = answers(tmp_path, kit)
    names = {n.split("/")[1].split(".")[0]: n for n in media}
    manifest = demo_manifest(kit, names)
    manifest = dataclasses.replace(
        manifest,
        answers=tuple(
            dataclasses.replace(a, media=dataclasses.replace(a.media, duration_seconds=1.5))
            if a.media
            else a
            for a in manifest.answers
        ),
    )
    seen: list[tuple[int, int]] = []
    receipt = write_bundle(
        manifest, media, tmp_path / "alex.onetake", progress=lambda d, t: seen.append((d, t))
    )

    # The receipt's manifest carries the real sizes and hashes; the file is what it says.
    assert receipt.sha256 == hashlib.sha256(receipt.path.read_bytes()).hexdigest()
    for a in receipt.manifest.answers:
        if a.media:
            data = media[a.media.name].read_bytes()
            assert a.media.size == len(data)
            assert a.media.sha256 == hashlib.sha256(data).hexdigest()
    assert seen[-1][0] == seen[-1][1] == receipt.manifest.total_media_bytes
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert check_against_kit(receipt.manifest, kit) == []

    # Every member is STORED, media first, then the manifest and the BagIt-style lists.
    with zipfile.ZipFile(receipt.path) as z:
        infos = z.infolist()
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
    assert [i.filename for i in infos] == [
        "media/q1.mp4", "media/q2.mp4", "manifest.json", "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
    ]  # fmt: skip

    report = verify_bundle(receipt.path)
    assert report.bundle_sha256 == receipt.sha256
    assert report.manifest == receipt.manifest
    assert report.media["q1"].video_codec == "h264" and report.media["q1"].audio_codec == "aac"
    assert report.media["q1"].duration_seconds == pytest.approx(1.5, abs=0.1)

    assert cli.main(["bundle", "verify", str(receipt.path)]) == 0
    assert cli.main(["bundle", "inspect", str(receipt.path)]) == 0
    out = capsys.readouterr().out
    assert "OK. 3 answers from Alex Example" in out
    assert "media/q1.mp4: mp4 h264+aac, 1.5 s" in out
    assert "q3 [text]" in out and "Dear Sam" in out
    assert inspect_bundle(receipt.path).startswith("alex.onetake: submission for demo-customer")

    dest = tmp_path / "library" / "alex"
    dest.parent.mkdir()
    extracted = import_bundle(receipt.path, dest)
    assert extracted.folder == dest
    assert extracted.bundle_sha256 == receipt.sha256
    assert extracted.media == {"q1": dest / "media/q1.mp4", "q2": dest / "media/q2.mp4"}
    assert extracted.media["q2"].read_bytes() == media["media/q2.mp4"].read_bytes()
    assert manifest_from_json((dest / "manifest.json").read_bytes()) == receipt.manifest
    assert sorted(p.name for p in dest.rglob("*")) == sorted(
        ["manifest.json", "manifest-sha256.txt", "tagmanifest-sha256.txt", "media", "q1.mp4",
         "q2.mp4"]
    )  # fmt: skip
    # BagIt-style checksum files check with standard tools.
    if shutil.which("sha256sum"):
        for listing in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
            subprocess.run(["sha256sum", "--quiet", "-c", listing], cwd=dest, check=True)


def test_audio_only_and_webm_answers(kit: Kit, tmp_path: Path) -> None:
    q1 = write_answer(tmp_path / "a.m4a", video=None, seconds=1.0)
    q2 = write_answer(
        tmp_path / "b.webm", video="libvpx-vp9", audio="libopus", container="webm", seconds=1.0
    )
    described = {
        "q1": media_file_for(q1, "media/q1.m4a"),
        "q2": media_file_for(q2, "media/q2.webm"),
    }
    assert described["q1"].video_codec is None and described["q1"].audio_codec == "aac"
    assert described["q2"].container == "matroska" and described["q2"].video_codec == "vp9"
    manifest = demo_manifest(kit, {"q1": "media/q1.m4a", "q2": "media/q2.webm"})
    answers_: list[AnswerRecord] = []
    for a in manifest.answers:
        if a.question_id == "q1":
            a = dataclasses.replace(a, answer_type="audio", media=described["q1"])
        elif a.question_id == "q2":
            a = dataclasses.replace(a, media=described["q2"])
        answers_.append(a)
    manifest = dataclasses.replace(manifest, answers=tuple(answers_))
    receipt = write_bundle(
        manifest, {"media/q1.m4a": q1, "media/q2.webm": q2}, tmp_path / "mixed.onetake"
    )
    report = verify_bundle(receipt.path)
    assert report.media["q1"].video_codec is None
    assert report.media["q2"].audio_codec == "opus"
    # The kit asks for video on q1, so checking against the kit names the mismatch.
    problems = check_against_kit(receipt.manifest, kit)
    assert [str(p) for p in problems] == ["answers[0].answer_type must be video for this question"]


def test_write_is_atomic_and_checks_its_inputs(kit: Kit, tmp_path: Path) -> None:
    media = answers(tmp_path, kit)
    names = {n.split("/")[1].split(".")[0]: n for n in media}
    manifest = demo_manifest(kit, names)
    out = tmp_path / "out" / "bundle.onetake"
    out.parent.mkdir()
    out.write_bytes(b"previous bundle")

    missing = {k: v for k, v in media.items() if k != "media/q2.mp4"}
    with pytest.raises(OneTakeError, match="media files and answers differ"):
        write_bundle(manifest, missing, out)

    def fail(done: int, total: int) -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        write_bundle(manifest, media, out, progress=fail)
    # The old file is intact and no temporary file is left behind.
    assert out.read_bytes() == b"previous bundle"
    assert sorted(os.listdir(out.parent)) == ["bundle.onetake"]

    receipt = write_bundle(manifest, media, out)
    assert read_manifest(out) == receipt.manifest
    assert sorted(os.listdir(out.parent)) == ["bundle.onetake"]

    def remove_q2(done: int, total: int) -> None:  # gone after the up-front checks
        media["media/q2.mp4"].unlink(missing_ok=True)

    with pytest.raises(OneTakeError, match=r"Cannot read the answer file .*take-q2\.mp4"):
        write_bundle(manifest, media, out, progress=remove_q2)
    assert read_manifest(out) == receipt.manifest
    assert sorted(os.listdir(out.parent)) == ["bundle.onetake"]


def test_a_bundle_streams_media_it_does_not_hold_in_memory(kit: Kit, tmp_path: Path) -> None:
    import tracemalloc

    big = tmp_path / "big.mp4"
    shutil.copyfile(write_answer(tmp_path / "seed.mp4"), big)
    with open(big, "ab") as handle:  # trailing bytes: still one valid mp4 for the writer
        handle.write(os.urandom(1024 * 1024) * 24)
    media = {"media/q1.mp4": big, "media/q2.mp4": write_answer(tmp_path / "q2.mp4")}
    manifest = demo_manifest(kit, {"q1": "media/q1.mp4", "q2": "media/q2.mp4"})
    tracemalloc.start()
    try:
        write_bundle(manifest, media, tmp_path / "big.onetake")
        dest = tmp_path / "x"
        from onetake_desktop.storage.bundle import extract_bundle

        extract_bundle(tmp_path / "big.onetake", dest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (dest / "media/q1.mp4").stat().st_size == big.stat().st_size
    assert peak < 8 * 1024 * 1024  # chunks of 1 MiB, never the 24 MiB file


def test_media_file_for_is_what_the_writer_records(tmp_path: Path) -> None:
    path = write_answer(tmp_path / "q.mp4", seconds=1.0)
    described = media_file_for(path, "media/q1.mp4")
    assert described == MediaFile(
        "media/q1.mp4",
        path.stat().st_size,
        hashlib.sha256(path.read_bytes()).hexdigest(),
        "mp4",
        "h264",
        "aac",
        pytest.approx(1.0, abs=0.1),  # type: ignore[arg-type]
    )


def test_cli_verify_in_a_fresh_process(kit: Kit, tmp_path: Path) -> None:
    media = answers(tmp_path, kit)
    names = {n.split("/")[1].split(".")[0]: n for n in media}
    manifest = demo_manifest(kit, names)
    manifest = dataclasses.replace(
        manifest,
        answers=tuple(
            dataclasses.replace(a, media=dataclasses.replace(a.media, duration_seconds=1.5))
            if a.media
            else a
            for a in manifest.answers
        ),
    )
    receipt = write_bundle(manifest, media, tmp_path / "b.onetake")
    result = subprocess.run(
        [sys.executable, "-m", "onetake_desktop", "bundle", "verify", str(receipt.path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert receipt.sha256 in result.stdout


def test_import_destination_rules(kit: Kit, tmp_path: Path) -> None:
    media = answers(tmp_path, kit)
    names = {n.split("/")[1].split(".")[0]: n for n in media}
    receipt = write_bundle(demo_manifest(kit, names), media, tmp_path / "b.onetake")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(OneTakeError, match="is not empty"):
        import_bundle(receipt.path, busy)
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]  # untouched
    with pytest.raises(OneTakeError, match="does not exist"):
        import_bundle(receipt.path, tmp_path / "no" / "such" / "folder")
    assert not (tmp_path / "no").exists()
    with pytest.raises(OneTakeError, match="does not exist"):
        write_bundle(receipt.manifest, media, tmp_path / "missing" / "b.onetake")
    steps: list[int] = []
    from onetake_desktop.storage.bundle import extract_bundle

    extract_bundle(receipt.path, tmp_path / "fresh", progress=lambda d, t: steps.append(d))
    assert steps[-1] == receipt.size


def test_a_bundle_changed_while_it_is_imported_is_refused(kit: Kit, tmp_path: Path) -> None:
    from onetake_desktop.domain.errors import InvalidInputError
    from onetake_desktop.storage.bundle import extract_bundle

    media = answers(tmp_path, kit)
    manifest = demo_manifest(kit, {n.split("/")[1].split(".")[0]: n for n in media})
    bundle = write_bundle(manifest, media, tmp_path / "b.onetake").path
    at = bundle.read_bytes().index(b"Alex Example")

    def someone_edits_it(done: int, total: int) -> None:
        # After the manifest was checked, before this pass reaches it (media come first).
        with open(bundle, "r+b") as handle:
            handle.seek(at)
            handle.write(b"Alix")

    dest = tmp_path / "incoming"
    # CRC-32 notices this edit; the SHA-256 comparison also catches one forged to keep the CRC.
    with pytest.raises(InvalidInputError, match=r"CRC mismatch|changed while it was being read"):
        extract_bundle(bundle, dest, progress=someone_edits_it)
    assert not dest.exists()


def test_each_bundle_is_probed_in_its_own_process(kit: Kit, tmp_path: Path) -> None:
    # The warm prober forks one fresh process per bundle (issue 17: its media files, from one
    # sender, share it): no two bundles share a prober, and the server that forks them never
    # opens a file itself.
    from onetake_desktop.media.probe import can_fork, shared_server
    from onetake_desktop.services import bundles

    if not can_fork():
        pytest.skip("no fork on this platform: one fresh child per bundle is used instead")
    media = answers(tmp_path, kit)
    names = {n.split("/")[1].split(".")[0]: n for n in media}
    receipt = write_bundle(demo_manifest(kit, names), media, tmp_path / "b.onetake")
    server = shared_server()
    probers: list[int] = []
    original = server._receive

    def noting(path: Path, timeout: float) -> object:
        result = original(path, timeout)
        probers.append(server.last_pid)
        return result

    server._receive = noting  # type: ignore[method-assign,assignment]
    try:
        import_bundle(receipt.path, tmp_path / "first")
        import_bundle(receipt.path, tmp_path / "second")
    finally:
        del server._receive
    assert len(probers) == 2 * len(media) and len(media) > 1  # every file probed
    first, second = probers[: len(media)], probers[len(media) :]
    assert len(set(first)) == len(set(second)) == 1  # one prober per bundle
    assert set(first).isdisjoint(second)  # and never the same for two bundles
    assert server.pid is not None and server.pid not in probers
    bundles.close_spare_probe_child()
    assert server.pid is None
    assert sorted(p.name for p in (tmp_path / "second" / "media").iterdir()) == sorted(
        n.split("/")[1] for n in media
    )


def test_extracting_on_a_foreign_thread_registers_no_thread(kit: Kit, tmp_path: Path) -> None:
    # The window imports on Qt pool threads: the hashing helper must not make threading
    # register the caller as a dummy thread (it would stay listed for good).
    import _thread
    import threading

    from onetake_desktop.storage.bundle import extract_bundle

    media = answers(tmp_path, kit)
    names = {n.split("/")[1].split(".")[0]: n for n in media}
    receipt = write_bundle(demo_manifest(kit, names), media, tmp_path / "b.onetake")
    before = set(threading.enumerate())
    done = _thread.allocate_lock()
    done.acquire()
    result: list[str] = []

    def foreign() -> None:
        try:
            result.append(extract_bundle(receipt.path, tmp_path / "x").bundle_sha256)
        finally:
            done.release()

    _thread.start_new_thread(foreign, ())
    assert done.acquire(timeout=60)
    assert result == [receipt.sha256]
    assert set(threading.enumerate()) == before
