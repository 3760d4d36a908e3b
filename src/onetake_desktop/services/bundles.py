"""Bundle use cases: seal (write), verify, inspect and import submission bundles.

Verification = safe structural checks and hashes (storage/bundle.py) plus a probe of every
media file in a limited child process (media/probe.py), compared with what the manifest says.
"""

from __future__ import annotations

import _thread
import atexit
import hashlib
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from onetake_desktop.domain.conformance import Conformance
from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.manifest import AnswerRecord, MediaFile, SubmissionManifest
from onetake_desktop.domain.progress import Progress
from onetake_desktop.media.probe import (
    MediaInfo,
    ProbeServer,
    can_fork,
    close_probe_servers,
    probe_media,
    probe_media_files,
    same_container,
    shared_server,
)
from onetake_desktop.storage.bundle import (
    BundleReceipt,
    ExtractedBundle,
    discard_import,
    extract_bundle,
    read_manifest,
    write_bundle,
)
from onetake_desktop.storage.safe_zip import CHUNK

# How far a manifest's media duration may differ from the probed one (container rounding,
# audio priming, the last fragment of a take that ended abruptly).
DURATION_TOLERANCE_SECONDS = 2.0
DURATION_TOLERANCE_RATIO = 0.1


# Judges a checked manifest against its interview (domain/conformance.py): the verdict, or
# None when the interview is not known.
Judge = Callable[[SubmissionManifest], Conformance | None]


@dataclass(frozen=True)
class BundleReport:
    """What ``verify_bundle`` found: everything checked, nothing kept."""

    path: Path
    size: int
    bundle_sha256: str
    manifest: SubmissionManifest
    media: dict[str, MediaInfo]  # question_id -> probed facts
    conformance: Conformance | None = None  # None: not checked against its interview


@dataclass(frozen=True)
class ImportedBundle:
    """A bundle checked completely and extracted, with its verdict against its interview."""

    extracted: ExtractedBundle
    conformance: Conformance | None  # None: its interview is not known


def _accepting(
    judge: Judge | None, verdict: list[Conformance | None]
) -> Callable[[SubmissionManifest], None]:
    """The ``accept`` hook for extract_bundle: refuse what the judge refuses, keep its verdict."""

    def accept(manifest: SubmissionManifest) -> None:
        result = judge(manifest) if judge is not None else None
        if result is not None and result.refusal is not None:
            raise InvalidInputError(result.refusal)
        verdict.append(result)

    return accept


def media_file_for(path: Path, name: str, *, timeout: float = 15.0) -> MediaFile:
    """Describe an answer file for a manifest: probe it (container, codecs, duration), hash it."""
    info = probe_media(path, timeout=timeout)
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return MediaFile(
        name=name,
        size=size,
        sha256=digest.hexdigest(),
        container=info.container,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        duration_seconds=info.duration_seconds,
    )


def seal_bundle(
    manifest: SubmissionManifest,
    media: Mapping[str, Path],
    out: Path,
    progress: Progress | None = None,
) -> BundleReceipt:
    """Write a bundle (see storage.bundle.write_bundle: sizes and hashes are filled in)."""
    return write_bundle(manifest, media, out, progress)


def _check_media(answer: AnswerRecord, info: MediaInfo) -> None:
    media = answer.media
    assert media is not None  # only answers with media are probed
    where = media.name
    if not same_container(media.container, info.container):
        raise InvalidInputError(
            f"{where} is a {info.container} file, but the manifest says {media.container}."
        )
    if (media.video_codec, media.audio_codec) != (info.video_codec, info.audio_codec):
        raise InvalidInputError(
            f"{where} has codecs {info.video_codec or 'no video'}/{info.audio_codec or 'no audio'}"
            f", but the manifest says {media.video_codec or 'no video'}/"
            f"{media.audio_codec or 'no audio'}."
        )
    if answer.answer_type == "video" and info.video_codec is None:
        raise InvalidInputError(f"{where} has no video, but the answer is a video answer.")
    if answer.answer_type == "audio" and info.video_codec is not None:
        raise InvalidInputError(f"{where} has video, but the answer is an audio answer.")
    allowed = max(DURATION_TOLERANCE_SECONDS, DURATION_TOLERANCE_RATIO * info.duration_seconds)
    if abs(info.duration_seconds - media.duration_seconds) > allowed:
        raise InvalidInputError(
            f"{where} lasts {info.duration_seconds:.1f} s, but the manifest says "
            f"{media.duration_seconds:.1f} s."
        )


def _media_answers(manifest: SubmissionManifest) -> list[AnswerRecord]:
    return [a for a in manifest.answers if a.media is not None]


_PROBE_TIMEOUT_SECONDS = 15.0  # per media file, wall and CPU


class _PipelinedProbe:
    """The pipelined import's media check (storage.bundle.MediaCheck): each media file goes to
    the warm prober (media/probe.py ProbeServer: one fresh forked process per bundle, same
    limits) as soon as it is written, so probing one answer overlaps extracting the next.

    The prober serves one bundle at a time (its batch holds it until the results are read), so
    the files are handed over by a helper thread: extraction goes on while another bundle of
    the batch still holds the prober, and the prober starts on this bundle's files as soon as
    it is free. (A second prober taking every other file of a bundle was tried: with the
    probe's tables path, one prober per bundle costs less CPU and no more time; two bundles
    checked at once each get their own, see _take_prober.)"""

    def __init__(self, timeout: float, server: ProbeServer | None = None) -> None:
        self.batch = (server or shared_server()).batch(timeout)
        self.names: list[str] = []
        self._handover: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self._handing = _thread.allocate_lock()  # held while the helper runs
        self._helper_error: BaseException | None = None

    def started(self, name: str, path: Path) -> None:
        self.names.append(name)
        if not self._handing.locked():
            self._handing.acquire()
            # A bare thread, as in storage/safe_zip.py: the caller may be a Qt pool thread.
            _thread.start_new_thread(self._hand_over, ())
        self._handover.put(path)

    def _hand_over(self) -> None:
        try:
            while (path := self._handover.get()) is not None:
                if self._helper_error is None:
                    try:
                        self.batch.submit(path)  # waits while another bundle holds the prober
                    except BaseException as error:  # kept for wait(); keep draining
                        self._helper_error = error
        finally:
            self._handing.release()

    def wait(self) -> None:
        if self._handing.locked():
            self._handover.put(None)
            with self._handing:  # the helper has handed every file over and ended
                pass
        self.batch.results()  # every probe done, and the prober free for the next bundle
        if self._helper_error is not None:
            raise self._helper_error

    def verdicts(self, extracted: ExtractedBundle) -> dict[str, MediaInfo]:
        """Each answer's probed facts, compared with its manifest; the first refusal raises."""
        found = dict(zip(self.names, self.batch.results(), strict=True))
        answers = _media_answers(extracted.manifest)
        infos: dict[str, MediaInfo] = {}
        for answer in answers:
            assert answer.media is not None
            result = found[answer.media.name]
            if isinstance(result, InvalidInputError):
                raise result
            infos[answer.question_id] = result
        for answer in answers:
            _check_media(answer, infos[answer.question_id])
        return infos


def probe_extracted(
    extracted: ExtractedBundle, timeout: float = _PROBE_TIMEOUT_SECONDS
) -> dict[str, MediaInfo]:
    """Probe every extracted media file (``timeout`` seconds each, in limited children) and
    compare with the manifest."""
    answers = _media_answers(extracted.manifest)
    paths = [extracted.media[a.question_id] for a in answers]
    infos = probe_media_files(paths, timeout)
    for answer, info in zip(answers, infos, strict=True):
        _check_media(answer, info)
    return {a.question_id: info for a, info in zip(answers, infos, strict=True)}


def _extract_and_probe(
    path: Path,
    dest: Path,
    progress: Progress | None,
    *,
    durable: bool = True,
    accept: Callable[[SubmissionManifest], None] | None = None,
) -> tuple[ExtractedBundle, dict[str, MediaInfo]]:
    """The one import pipeline (CLI import and verify, the library's window and command): the
    bundle's structure and hashes (storage/bundle.py) and each media file's probe, which starts
    as soon as that file is written. Every check of the sequential path is made; a bundle that
    fails both its hashes and its media is refused for its hashes, as before."""
    dest = Path(dest)
    given = dest.is_dir()  # an empty folder we were given is emptied again, not removed
    if not can_fork():  # no warm prober here: one fresh child per bundle, after extraction
        extracted = extract_bundle(path, dest, progress, durable=durable, accept=accept)
        try:
            return extracted, probe_extracted(extracted)
        except BaseException:
            discard_import(dest, keep_folder=given)
            raise
    server = _take_prober()
    try:
        server.start()  # a no-op once running; else its start-up overlaps the hashing
        check = _PipelinedProbe(_PROBE_TIMEOUT_SECONDS, server)
        try:
            extracted = extract_bundle(
                path, dest, progress, durable=durable, accept=accept, media_check=check
            )
        finally:
            check.wait()
    finally:
        _give_prober(server)
    try:
        media = check.verdicts(extracted)
    except BaseException:
        discard_import(dest, keep_folder=given)
        raise
    return extracted, media


def import_bundle(path: Path, dest: Path, progress: Progress | None = None) -> ExtractedBundle:
    """Verify everything and keep the files in ``dest`` (no interview rules: see
    :func:`import_judged`). ``dest`` must not exist (or be an empty folder); on failure it is
    removed (emptied) again."""
    return _extract_and_probe(path, dest, progress)[0]


def import_judged(
    path: Path, dest: Path, progress: Progress | None = None, *, judge: Judge | None = None
) -> ImportedBundle:
    """What the reviewer library calls: :func:`import_bundle`, and the bundle judged against its
    interview before anything is written (a refusal raises InvalidInputError)."""
    verdict: list[Conformance | None] = []
    extracted, _ = _extract_and_probe(path, dest, progress, accept=_accepting(judge, verdict))
    return ImportedBundle(extracted, verdict[0] if verdict else None)


def verify_bundle(
    path: Path, progress: Progress | None = None, *, judge: Judge | None = None
) -> BundleReport:
    """Check everything (structure, hashes, media, and the interview's rules when ``judge``
    knows it) in a temporary folder that is then removed."""
    path = Path(path)
    verdict: list[Conformance | None] = []
    with tempfile.TemporaryDirectory(prefix="onetake-verify-") as scratch:
        # Nothing is kept, so nothing needs to reach the disk (no fsync); the checks are the same.
        extracted, media = _extract_and_probe(
            path,
            Path(scratch) / "bundle",
            progress,
            durable=False,
            accept=_accepting(judge, verdict),
        )
        return BundleReport(
            path,
            path.stat().st_size,
            extracted.bundle_sha256,
            extracted.manifest,
            media,
            verdict[0] if verdict else None,
        )


def inspect_bundle(path: Path) -> str:
    """A readable summary of a bundle (structure and manifest checked; media not decoded)."""
    path = Path(path)
    m = read_manifest(path)
    lines = [
        f"{path.name}: submission for {m.kit.interview_id} version {m.kit.version}",
        f"  kit hash: {m.kit.content_hash}",
        f"  candidate: {m.candidate_name} <{m.candidate_email}>",
        f"  consent given: {m.consent.given_at} (notice {m.consent.notice_sha256[:19]}...)",
        f"  sealed: {m.created_at} by OneTake {m.app_version}",
    ]
    if m.accommodations:
        lines.append(
            f"  accommodations: {', '.join(m.accommodations)} (time x{m.time_multiplier:g})"
        )
    if m.device:
        lines.append("  device: " + ", ".join(f"{k}={v}" for k, v in sorted(m.device.items())))
    lines.append(
        f"  {len(m.answers)} answers, {m.total_answer_seconds:.1f} s recorded, "
        f"{m.total_media_bytes:,} bytes of media"
    )
    for a in m.answers:
        head = (
            f"   {a.question_id} [{a.answer_type}] take {a.submitted_take} of {a.takes_used}, "
            f"thought {a.think_seconds_used:.0f} s, answered {a.answer_seconds:.1f} s"
        )
        lines.append(head)
        if a.media is not None:
            codecs = "+".join(c for c in (a.media.video_codec, a.media.audio_codec) if c)
            lines.append(
                f"      {a.media.name}: {a.media.container} {codecs}, "
                f"{a.media.duration_seconds:.1f} s, {a.media.size:,} bytes, "
                f"sha256 {a.media.sha256[:16]}..."
            )
        if a.text is not None:
            preview = " ".join(a.text.split())
            preview = preview if len(preview) <= 70 else preview[:67] + "..."
            lines.append(f"      text ({len(a.text)} characters): {preview}")
    return "\n".join(lines)


# Warm probers for imports that run at once (the library's two worker threads): the shared
# one, and on a machine with more than one core a second one, started the first time two
# bundles are checked together. Each bundle still has one prober of its own (media/probe.py);
# two bundles are probed side by side instead of one after the other.
_MAX_PROBERS = 2
_probers_lock = threading.Lock()
_extra_probers: list[ProbeServer] = []
_busy_probers: dict[int, int] = {}  # id() of a server -> bundles being checked with it


def _take_prober() -> ProbeServer:
    """An idle warm prober for one bundle (a new one if all are busy and there is room; else
    the least busy, whose batches take turns)."""
    with _probers_lock:
        servers = [shared_server(), *_extra_probers]
        idle = [s for s in servers if not _busy_probers.get(id(s))]
        if idle:
            server = idle[0]
        elif len(servers) < min(_MAX_PROBERS, os.cpu_count() or 1):
            server = ProbeServer(servers[0].memory_mb, servers[0].open_budget_mb)
            _extra_probers.append(server)
        else:
            server = min(servers, key=lambda s: _busy_probers.get(id(s), 0))
        _busy_probers[id(server)] = _busy_probers.get(id(server), 0) + 1
        return server


def _give_prober(server: ProbeServer) -> None:
    with _probers_lock:
        left = _busy_probers.pop(id(server), 1) - 1
        if left > 0:
            _busy_probers[id(server)] = left


def start_prober() -> bool:
    """Start the warm prober now if it is not running (POSIX; elsewhere each bundle has a fresh
    child), so that its start-up (Python and PyAV: ~80-100 ms of CPU) overlaps whatever the
    caller does before the first media file is written: opening the library, sweeping, reading
    and hashing the bundle, or the reviewer choosing the bundles. Call it only once an import
    or a verify is really under way (or a chooser for one opens: see :func:`stop_idle_prober`):
    a reviewer who only scores never pays for a process. True if this call started it.
    Never waits: an import's batch holds the prober for a whole bundle, and the caller may be
    the GUI thread."""
    if not can_fork():
        return False
    return shared_server().start_if_idle()


def stop_idle_prober(started: bool) -> None:
    """A chooser opened for an import was cancelled: stop the warm prober again if ``started``
    (:func:`start_prober` started it for that chooser) and no import is using it, so that a
    reviewer who opens the chooser and changes their mind pays for no process. Never waits,
    and never stops a prober that a batch holds (an import, or a probe that does not count
    itself in ``_busy_probers``); under ``_probers_lock`` no import can take it meanwhile."""
    if not started:
        return
    server = shared_server()
    with _probers_lock:
        if not _busy_probers.get(id(server)):
            server.close_if_idle()


def probe_servers() -> list[ProbeServer]:
    """Every warm prober started for imports (the bench counts their CPU time)."""
    with _probers_lock:
        return [shared_server(), *_extra_probers]


@atexit.register
def close_spare_probe_child() -> None:
    """Stop the warm probers (the library closing, tests, exit); the next import starts them
    again."""
    with _probers_lock:
        extras = list(_extra_probers)
        _extra_probers.clear()
    for server in extras:
        server.close()
    close_probe_servers()
