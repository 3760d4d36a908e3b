"""The candidate's interview as a use case: what the window (and the headless CLI) drives.

:class:`CandidateService` owns one session folder under the context's ``paths.sessions``::

    <kit hash>/state.json      the SessionState, rewritten atomically after every step
    <kit hash>/takes/          every recorded take (q1-take1.mp4, ...), kept until sent
    <kit hash>/practice/       the practice take, overwritten by each try, never sent

It opens the devices only after consent, runs the think and answer clocks from the injected
clock, starts and stops takes on the recording engine, and seals the bundle.

Threads: every public method is called from one thread (the GUI thread, or the headless
loop). The recording engine reports a take that stopped itself (time limit, device lost) from
its own thread through ``on_finished``; that only enqueues the result, and :meth:`tick`, called
on the owner's thread about 30 times a second, turns it into a state change. Listeners are
plain callables and are always called on the owner's thread. :meth:`seal_bundle` is the one
method meant for a worker thread: it reads the state and writes files, and changes nothing.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from onetake_desktop import __version__
from onetake_desktop.domain.clock import Clock, SystemClock
from onetake_desktop.domain.errors import DeviceError, InvalidInputError, OneTakeError
from onetake_desktop.domain.kit import Kit, Question
from onetake_desktop.domain.manifest import KitRef, MediaFile, SubmissionManifest
from onetake_desktop.domain.progress import Progress as ProgressFn
from onetake_desktop.domain.session import (
    CandidateSession,
    SessionState,
    SessionStateError,
    TakeRecord,
    new_state,
)
from onetake_desktop.domain.validation import without_control_characters
from onetake_desktop.media.profiles import Profile
from onetake_desktop.media.recovery import RecoveredTake
from onetake_desktop.media.types import TakeResult

STATE_FILE = "state.json"


# -- the recording engine as this service sees it (media/recorder.py implements it) ------------
class TakeLike(Protocol):
    @property
    def elapsed(self) -> float: ...

    @property
    def running(self) -> bool: ...

    def stop(self) -> TakeResult: ...


class CaptureLike(Protocol):
    def start(self) -> None: ...

    def latest_frame(self) -> Any: ...

    def audio_level(self) -> tuple[float, float]: ...

    def start_take(
        self,
        out_path: Path,
        profile: Profile,
        max_seconds: float | None = None,
        on_finished: Callable[[TakeResult], None] | None = None,
    ) -> TakeLike: ...

    def close(self) -> None: ...


CaptureFactory = Callable[[str | None, str | None], CaptureLike]


def real_capture(video_spec: str | None, audio_spec: str | None) -> CaptureLike:
    from onetake_desktop.media.recorder import CaptureSession

    return CaptureSession(video_spec, audio_spec)


def session_folder_name(kit_hash: str) -> str:
    """A file-name-safe folder for one kit: the first 16 hex digits of its content hash."""
    digest = kit_hash.split(":", 1)[-1]
    return "".join(c for c in digest if c.isalnum())[:16] or "kit"


@dataclass(frozen=True)
class DiskReport:
    free_bytes: int
    needed_bytes: int
    ok: bool
    sentence: str


@dataclass(frozen=True)
class DeviceChoices:
    """What the device check offers: (source string, name for people) pairs, defaults first."""

    cameras: list[tuple[str, str]]
    microphones: list[tuple[str, str]]
    notes: list[str]


def describe_source(spec: str) -> str:
    """A source string as people would say it."""
    kind, _, rest = spec.partition(":")
    if kind == "synthetic":
        return "Test source (synthetic)"
    if kind in ("file", "file-once"):
        return f"Stand-in file: {Path(rest).name}"
    if kind == "camera":
        return f"Camera {rest}"
    if spec == "mic:default":
        return "Default microphone"
    if kind == "mic":
        return f"Microphone: {rest}"
    return spec


@dataclass(frozen=True)
class Receipt:
    """What the candidate sent: shown on the last screen and kept in the saved state."""

    path: Path
    size: int
    sha256: str
    answers: int
    next_steps: str


class CandidateService:
    """One candidate session over one kit; see the module docstring for threads and files."""

    def __init__(
        self,
        kit: Kit,
        kit_hash: str,
        *,
        clock: Clock | None = None,
        capture_factory: CaptureFactory | None = None,
        session_dir: Path | None = None,
        privacy_hash: str | None = None,
        sessions: Path | None = None,
    ) -> None:
        """``session_dir``: this session's folder; or ``sessions`` (the context's
        ``paths.sessions``) to keep it in the kit's own folder there."""
        if session_dir is None:
            if sessions is None:
                raise ValueError("a candidate session needs session_dir or sessions")
            session_dir = sessions / session_folder_name(kit_hash)
        self.kit = kit
        self.kit_hash = kit_hash
        self.clock: Clock = clock or SystemClock()
        self.capture_factory: CaptureFactory = capture_factory or real_capture
        self.dir = session_dir
        self.takes_dir = self.dir / "takes"
        self.practice_dir = self.dir / "practice"
        self.privacy_hash = privacy_hash or _privacy_hash(kit)
        self.capture: CaptureLike | None = None
        self.capture_specs: tuple[str | None, str | None] = (None, None)
        self._take: TakeLike | None = None
        self._take_out = Path()
        self._take_is_practice = False
        self._practice_started: float | None = None
        self._finished: queue.Queue[TakeResult] = queue.Queue()
        self.last_practice: Path | None = None
        self.listeners: list[Callable[[], None]] = []
        self.error_listeners: list[Callable[[OneTakeError], None]] = []
        self.resumable = False
        saved = self._load_state()
        if saved is not None and saved.step not in ("welcome", "sent"):
            self.resumable = True
            self.session = CandidateSession(kit, saved, self.clock)
        else:
            self.session = CandidateSession(kit, new_state(kit, kit_hash), self.clock)

    @classmethod
    def from_kit_file(cls, path: Path, **options: Any) -> CandidateService:
        from onetake_desktop.domain.kit import kit_content_hash
        from onetake_desktop.storage.kitfile import load_kit

        kit = load_kit(path)
        return cls(kit, kit_content_hash(kit), **options)

    # -- listeners and saving -----------------------------------------------------------------
    def _changed(self) -> None:
        self.save()
        for fn in list(self.listeners):
            fn()

    def _error(self, error: OneTakeError) -> None:
        for fn in list(self.error_listeners):
            fn(error)

    @property
    def state_path(self) -> Path:
        return self.dir / STATE_FILE

    def save(self) -> None:
        from onetake_desktop.storage.atomic import atomic_write_bytes

        self.dir.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self.session.state.to_dict(), indent=1, sort_keys=True)
        atomic_write_bytes(self.state_path, data.encode("utf-8"))

    def _load_state(self) -> SessionState | None:
        try:
            raw = self.state_path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            state = SessionState.from_dict(json.loads(raw))
        except (ValueError, InvalidInputError):
            # Unreadable state: keep it beside (never delete a candidate's data) and start anew.
            self.state_path.replace(self.dir / f"state-damaged-{int(time.time())}.json")
            return None
        if state.kit_hash != self.kit_hash:
            return None
        return state

    # -- resume or start over -----------------------------------------------------------------
    def resume_summary(self) -> str:
        s = self.session
        return (
            f"You had answered {s.answered_count()} of {len(self.kit.questions)} questions "
            f"(on the {s.step} step)."
        )

    def resume(self) -> list[TakeRecord]:
        """Continue a saved session: salvage an interrupted take, then carry on."""
        from onetake_desktop.media.recovery import probe_duration, recover_partials

        recovered: dict[str, TakeRecord] = {}
        if self.takes_dir.is_dir():
            for result in recover_partials(self.takes_dir):
                if result.kept and result.path is not None:
                    take = _take_record(result, stop_reason="recovered")
                    recovered[take.file] = take
        s = self.session
        pending = s.answer.recording_file if s.step == "questions" else None
        if pending and pending not in recovered and (self.takes_dir / pending).is_file():
            # The take had finished and was renamed, but the state was not saved after it.
            path = self.takes_dir / pending
            try:
                seconds = probe_duration(path)
            except Exception:
                seconds = 0.0
            if seconds > 0:
                recovered[pending] = TakeRecord(
                    0, pending, round(seconds, 3), "", "", 0.0, "recovered", path.stat().st_size
                )
        s.resume(recovered)
        self.resumable = False
        self._changed()
        return list(recovered.values())

    def start_over(self) -> None:
        """Begin again; the old takes are moved aside, not deleted."""
        if self.dir.exists():
            self.dir.rename(self.dir.with_name(f"{self.dir.name}-set-aside-{int(time.time())}"))
        self.session = CandidateSession(self.kit, new_state(self.kit, self.kit_hash), self.clock)
        self.resumable = False
        self._changed()

    # -- welcome and privacy ------------------------------------------------------------------
    def begin(self) -> None:
        self.session.begin()
        self._changed()

    def back_to_welcome(self) -> None:
        self.session.back_to_welcome()
        self._changed()

    def give_consent(self, name: str, email: str, accommodations: list[str] | None = None) -> None:
        self.session.give_consent(name, email, self.privacy_hash, accommodations)
        self._changed()

    # -- devices --------------------------------------------------------------------------------
    @property
    def needs_media(self) -> bool:
        return any(self.kit.answer_type_of(q) != "text" for q in self.kit.questions)

    @property
    def wants_video(self) -> bool:
        return any(self.kit.answer_type_of(q) == "video" for q in self.kit.questions)

    def open_devices(self, camera: str | None, mic: str | None) -> None:
        """Open (or switch) camera and microphone; only after consent. DeviceError says why."""
        if not self.session.devices_allowed:
            raise SessionStateError("Please agree to the privacy notice first.")
        if self._take is not None:
            raise SessionStateError("Please finish the recording first.")
        camera = camera if self.wants_video else None
        if self.capture is not None and self.capture_specs == (camera, mic):
            return
        self.close_devices()
        if mic is None and camera is None:
            return
        capture = self.capture_factory(camera, mic)
        try:
            capture.start()
        except BaseException:
            capture.close()
            raise
        self.capture = capture
        self.capture_specs = (camera, mic)

    def close_devices(self) -> None:
        if self._take is not None:
            self._stop_take("closed")
        if self.capture is not None:
            capture, self.capture = self.capture, None
            self.capture_specs = (None, None)
            capture.close()

    def device_choices(self, camera: str | None, mic: str | None) -> DeviceChoices:
        """The given defaults (command line or ONETAKE_CAMERA/MIC) first, then what is found."""
        from onetake_desktop.media.devices import list_devices

        found = list_devices()
        cameras: list[tuple[str, str]] = []
        mics: list[tuple[str, str]] = []
        if camera:
            cameras.append((camera, describe_source(camera)))
        cameras += [
            (d.spec, f"{d.name} {d.detail}".strip()) for d in found.cameras if d.spec != camera
        ]
        if mic:
            mics.append((mic, describe_source(mic)))
        ordered = sorted(found.microphones, key=lambda d: not d.default)
        mics += [(d.spec, d.name) for d in ordered if d.spec != mic]
        return DeviceChoices(cameras, mics, list(found.notes))

    def preview_frame(self) -> Any:
        return self.capture.latest_frame() if self.capture is not None else None

    def audio_level(self) -> tuple[float, float]:
        return self.capture.audio_level() if self.capture is not None else (0.0, 0.0)

    def profile_for(self, question: Question | None = None) -> Profile:
        from onetake_desktop.media.profiles import get_profile

        st = self.session.state
        # Before the device check is confirmed the open devices decide; after it, the saved choice.
        audio_only = st.audio_only if st.mic else self.capture_specs[0] is None
        if question is not None and self.kit.answer_type_of(question) == "audio":
            audio_only = True
        return get_profile(None, audio_only=audio_only)

    def disk_report(self) -> DiskReport:
        """Free space where takes go against the longest the interview can record."""
        from onetake_desktop.media.devices import check_disk_space, required_bytes

        self.dir.mkdir(parents=True, exist_ok=True)
        seconds = self.session.expected_answer_seconds()
        profile = self.profile_for()
        needed = required_bytes(seconds * 2, profile)  # takes + the sealed bundle
        free = shutil.disk_usage(self.dir).free
        try:
            check_disk_space(self.dir, seconds * 2, profile)
        except OneTakeError as error:
            return DiskReport(free, needed, False, str(error))
        return DiskReport(
            free,
            needed,
            True,
            f"{_mb(free)} free; this interview needs at most {_mb(needed)}.",
        )

    def confirm_devices(self) -> None:
        camera, mic = self.capture_specs
        if self.needs_media and self.capture is None:
            raise DeviceError("Please choose a microphone that works before going on.")
        self.session.devices_ready(camera, mic if self.capture is not None else None)
        self._changed()

    def back_to_devices(self) -> None:
        self.session.back_to_devices()
        self._changed()

    # -- practice -------------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self._take is not None

    def take_elapsed(self) -> float:
        """Seconds the recorder has captured in the take under way (0 if none)."""
        return float(self._take.elapsed) if self._take is not None else 0.0

    def practice_elapsed(self) -> float:
        if self._practice_started is None:
            return 0.0
        return self.clock.monotonic() - self._practice_started

    def practice_limit(self) -> float:
        practice = self.kit.practice
        seconds = practice.answer_max_seconds if practice else 30
        return seconds * self.session.state.time_multiplier

    def start_practice(self) -> None:
        if self.session.step != "practice":
            raise SessionStateError("The practice question is over.")
        self._ensure_devices()
        self.practice_dir.mkdir(parents=True, exist_ok=True)
        first = self.kit.questions[0] if self.kit.questions else None
        out = self.practice_dir / "practice.mp4"
        out.unlink(missing_ok=True)
        self._start_take(out, self.profile_for(first), self.practice_limit(), practice=True)
        self._practice_started = self.clock.monotonic()
        for fn in list(self.listeners):
            fn()

    def stop_practice(self) -> None:
        if not self._take_is_practice or self._take is None:
            return
        self._stop_take("stopped")

    def finish_practice(self) -> None:
        if self._take is not None:
            self._stop_take("stopped")
        self.session.finish_practice()
        shutil.rmtree(self.practice_dir, ignore_errors=True)
        self.last_practice = None
        self._changed()

    # -- questions --------------------------------------------------------------------------------
    def take_path(self, question_id: str, number: int) -> Path | None:
        for t in self.session.answer_for(question_id).takes:
            if t.number == number:
                return self.takes_dir / t.file
        return None

    def _ensure_devices(self) -> None:
        """After a restart the devices are closed: open the ones chosen in the device check."""
        st = self.session.state
        if self.capture is None and st.mic is not None:
            self.open_devices(st.camera, st.mic)

    def show_question(self) -> None:
        s = self.session
        if s.answer.phase == "ready" and s.answer_type(s.question) != "text":
            self._ensure_devices()  # DeviceError here: the think clock has not started
        s.show_question()
        self._changed()

    def start_answer(self) -> None:
        """Start recording now (the button, or the think clock running out)."""
        s = self.session
        if s.answer.phase != "thinking":
            raise SessionStateError("Please open the question first.")
        question = s.question
        if s.takes_left(question) <= 0:
            raise SessionStateError("There are no takes left for this question.")
        self._ensure_devices()
        self.takes_dir.mkdir(parents=True, exist_ok=True)
        name = f"{question.id}-take{s.next_take_number()}.mp4"
        s.start_answer(name)
        self._changed()  # saved before the first frame: a crash now still knows the file
        try:
            self._start_take(
                self.takes_dir / name, self.profile_for(question), s.answer_max(question)
            )
        except OneTakeError as error:
            s.take_failed()
            self._changed()
            self._error(error)
            return
        s.recording_started()

    def stop_answer(self) -> None:
        if not self.session.can_stop():
            raise SessionStateError(
                f"Please keep going until the minimum of "
                f"{self.session.answer_min(self.session.question):.0f} seconds."
            )
        self._stop_take("stopped")

    def keep_take(self, number: int) -> None:
        self.session.keep_take(number)
        self._changed()

    def retake(self) -> None:
        self.session.retake()
        self._changed()

    def save_draft(self, text: str) -> None:
        """Save the written answer so far without moving on (no listeners: nothing changes)."""
        s = self.session
        if s.step == "questions" and s.answer.phase == "writing" and s.answer.text != text:
            s.draft_text(text)
            self.save()

    def save_text(self, text: str) -> None:
        self.session.save_text(text)
        self._changed()

    def redo(self, question_id: str) -> None:
        self.session.redo(question_id)
        self._changed()

    def cancel_redo(self) -> None:
        self.session.cancel_redo()
        self._changed()

    def tick(self) -> None:
        """Advance the clocks: called about 30 times a second on the owner's thread."""
        while True:
            try:
                result = self._finished.get_nowait()
            except queue.Empty:
                break
            self._take_done(result)
        s = self.session
        if self._take is not None:
            limit = (
                self.practice_elapsed() >= self.practice_limit()
                if self._take_is_practice
                else s.answer_expired()
            )
            if limit:
                self._stop_take("time_limit")
        elif s.step == "questions" and s.think_expired():
            self.start_answer()

    # -- takes on the engine -------------------------------------------------------------------
    def _start_take(
        self, out: Path, profile: Profile, max_seconds: float, practice: bool = False
    ) -> None:
        if self.capture is None:
            raise DeviceError("The microphone is not open; please check your devices.")
        self._take_is_practice = practice
        self._take_out = out
        self._take = self.capture.start_take(
            out, profile, max_seconds=max_seconds, on_finished=self._finished.put
        )

    def _stop_take(self, reason: str) -> None:
        take = self._take
        if take is None:
            return
        result = take.stop()
        # The engine may also report the same take through on_finished; handle it once.
        self._take_done(result, reason)

    def _take_done(self, result: TakeResult, reason: str | None = None) -> None:
        if self._take is None or _stem(result.path) != _stem(self._take_out):
            return  # already handled (stop() and on_finished both report a take)
        self._take = None
        practice, self._take_is_practice = self._take_is_practice, False
        path = result.path
        usable = path.exists() and result.duration_seconds > 0
        message = result.message or ""
        if practice:
            self._practice_started = None
            if usable:
                self.last_practice = path
                self.session.practice_take_recorded()
            self._changed()
            if not usable:
                self._error(DeviceError(message or "The practice take could not be recorded."))
            return
        s = self.session
        if not usable:
            s.take_failed()
            self._changed()
            self._error(DeviceError(message or "The take could not be recorded; please retry."))
            return
        take = _take_record(result, reason or str(result.stop_reason))
        s.take_finished(
            take.duration_seconds,
            take.stop_reason,
            take.size_bytes,
            take.video_codec,
            take.audio_codec,
            take.container,
        )
        self._changed()
        if str(result.stop_reason) in ("device_lost", "error", "disk_full") and message:
            self._error(DeviceError(message + " Your take was kept up to that moment."))

    # -- sending --------------------------------------------------------------------------------
    def default_bundle_name(self) -> str:
        who = "".join(c if c.isalnum() else "-" for c in self.session.state.candidate_name)
        who = "-".join(p for p in who.split("-") if p) or "candidate"
        return f"{self.kit.interview_id}-{who}.onetake"

    def seal_bundle(self, out: Path, progress: ProgressFn | None = None) -> Any:
        """Write the sealed bundle (worker thread allowed): returns the BundleReceipt.

        Container, codecs and duration come from the recorder, which wrote these files (or
        from recovery, which rewrote them); only a take whose codecs are unknown is probed.
        write_bundle fills in sizes and checksums while it streams the files.
        """
        from onetake_desktop.storage.bundle import write_bundle

        s = self.session
        media: dict[str, Path] = {}
        files: dict[str, MediaFile] = {}
        for q in self.kit.questions:
            if s.answer_type(q) == "text":
                continue
            take = s.chosen(q.id)
            if take is None:
                raise SessionStateError(f"Please choose a take for {q.id}.")
            name = f"media/{q.id}.mp4"
            path = self.takes_dir / take.file
            media[name] = path
            container, video, audio, seconds = (
                take.container or "mp4",
                take.video_codec,
                take.audio_codec,
                take.duration_seconds,
            )
            if video is None and audio is None:
                from onetake_desktop.media.probe import probe_media

                info = probe_media(path, timeout=60)
                container, video, audio = info.container, info.video_codec, info.audio_codec
                seconds = info.duration_seconds
            files[q.id] = MediaFile(name, 0, "", container, video, audio, round(seconds, 3))
        state = s.state
        manifest = SubmissionManifest(
            kit=KitRef(self.kit.interview_id, self.kit.version, self.kit_hash),
            candidate_name=state.candidate_name,
            candidate_email=state.candidate_email,
            consent=s.consent(),
            answers=s.answer_records(files),
            created_at=self.clock.now().isoformat(timespec="seconds"),
            app_version=__version__,
            accommodations=tuple(state.accommodations),
            time_multiplier=state.time_multiplier,
            device={
                "os": os.uname().sysname if hasattr(os, "uname") else os.name,
                "camera": without_control_characters(state.camera or "none"),
                "microphone": without_control_characters(state.mic or "none"),
                "profile": str(self.profile_for().name),
            },
        )
        from onetake_desktop.services.handover import seal_for_kit

        # issue 13: encrypted to the employer when the kit names a recipient (.onetake.age)
        return seal_for_kit(
            self.kit, lambda path: write_bundle(manifest, media, path, progress=progress), out
        )

    def mark_sent(self, receipt: Any) -> Receipt:
        self.session.mark_sent(str(receipt.path), int(receipt.size), str(receipt.sha256))
        self._changed()
        return self.receipt()

    def receipt(self) -> Receipt:
        st = self.session.state
        return Receipt(
            Path(st.bundle_path or ""),
            st.bundle_size or 0,
            st.bundle_sha256 or "",
            len(self.kit.questions),
            self.kit.next_steps,
        )

    def close(self) -> None:
        """Stop any take and close the devices (the state is already on disk)."""
        self.close_devices()


def _stem(path: Any) -> str:
    return Path(path).name.removesuffix(".partial")


def _mb(n: int) -> str:
    if n >= 10 * 1024**3:
        return f"{n / 1024**3:.0f} GB"
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    return f"{max(1, round(n / 1024**2))} MB"


def _privacy_hash(kit: Kit) -> str:
    from onetake_desktop.domain.kit import privacy_notice_hash

    return str(privacy_notice_hash(kit))


def _take_record(result: TakeResult | RecoveredTake, stop_reason: str) -> TakeRecord:
    """The session's record of a finished take, or of one salvaged after a crash."""
    assert result.path is not None  # recovered takes come here only when kept
    return TakeRecord(
        number=0,
        file=result.path.name,
        duration_seconds=round(result.duration_seconds, 3),
        started_at="",
        ended_at="",
        think_seconds_used=0.0,
        stop_reason=stop_reason,
        size_bytes=result.size_bytes,
        container=result.container,
        video_codec=result.video_codec,
        audio_codec=result.audio_codec,
    )


# -- the scripted session ------------------------------------------------------------------------
PLACEHOLDER_TEXT = (
    "This answer was written by a scripted session (onetake candidate --headless) for "
    "demonstration and training. Question: {question}"
)


def run_headless(
    kit_path: Path,
    *,
    camera: str | None,
    mic: str | None,
    name: str,
    email: str,
    answer_seconds: float,
    out: Path,
    sessions: Path,
    clock: Clock | None = None,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] | None = None,
) -> Receipt:
    """The whole interview without windows; consent is given because ``--headless`` says so."""
    from onetake_desktop.domain.kit import kit_content_hash
    from onetake_desktop.storage.kitfile import load_kit

    say = log or (lambda _line: None)
    kit = load_kit(kit_path)
    kit_hash = kit_content_hash(kit)
    folder = sessions / f"headless-{session_folder_name(kit_hash)}-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    service = CandidateService(kit, kit_hash, clock=clock, session_dir=folder)
    try:
        service.begin()
        service.give_consent(name, email)
        if service.needs_media:
            service.open_devices(camera, mic)
            report = service.disk_report()
            if not report.ok:
                from onetake_desktop.domain.errors import DiskFullError

                raise DiskFullError(report.sentence)
        service.confirm_devices()
        if service.session.step == "practice":
            service.finish_practice()  # scripted sessions skip the practice question
        s = service.session
        while s.step == "questions":
            q = s.question
            service.show_question()
            if s.answer.phase == "writing":
                service.save_text(PLACEHOLDER_TEXT.format(question=q.text)[: q.text_max_chars])
                say(f"{q.id}: text answer written")
                continue
            target = min(max(answer_seconds, s.answer_min(q)), s.answer_max(q))
            service.start_answer()
            if s.answer.phase != "recording":
                raise DeviceError(f"Recording {q.id} could not start.")
            while s.answer.phase == "recording":
                if min(s.answer_elapsed(), service.take_elapsed()) >= target and s.can_stop():
                    service.stop_answer()
                    break
                sleep(0.02)
                service.tick()
            phase: str = s.answer.phase  # changed by stop_answer()/tick() above
            if phase != "deciding":
                raise DeviceError(f"The answer to {q.id} could not be recorded.")
            take = s.answer.takes[-1]
            service.keep_take(take.number)
            say(f"{q.id}: {take.duration_seconds:.1f} s recorded")
        service.close_devices()
        receipt = service.seal_bundle(out)
        done = service.mark_sent(receipt)
    finally:
        service.close()
    shutil.rmtree(folder, ignore_errors=True)  # everything is in the bundle now
    return done
