"""The candidate's interview as a use case: what the window (and the headless CLI) drives.

:class:`CandidateService` owns one session folder under the context's ``paths.sessions``::

    <kit hash>/state.json      the SessionState, rewritten atomically after every step
    <kit hash>/takes/          every recorded take (q1-take1.mp4, ...), kept until sent
    <kit hash>/practice/       the practice take, overwritten by each try, never sent

After sealing, "Delete my data" (or :func:`purge_unsent_sessions`, SENT_KEEP_DAYS later) clears
the folder down to a state.json that is only the receipt: no name, email, answers or bundle
path (:func:`onetake_desktop.domain.session.cleared_state`). Then a new person may start this
kit's interview here (:meth:`CandidateService.start_new`). The automatic clearing keeps the
bundle's path while the file is not known to be uploaded, so the app can still send it (and
resume its upload); that path goes at the first opening after the upload, with the receipt,
or with "Delete my data" (:func:`tidy_sealed_session`).

It opens the devices only after consent, runs the think and answer clocks from the injected
clock, starts and stops takes on the recording engine, and seals the bundle.

Threads: every public method is called from one thread (the GUI thread, or the headless
loop). Stopping a take does not wait for the recorder to finish its file (draining, flushing
the encoder, fsyncing take a noticeable time on a weak laptop): :attr:`finishing` is true
meanwhile. The recording engine reports every take that ended (stopped, time limit, device
lost) from its own writer thread through ``on_finished``; that only enqueues the result and
calls the ``take_wakeups`` (thread-safe callables: a window's posts an event, no more), and
:meth:`collect_finished`, or :meth:`tick` called about 30 times a second, turns it into a
state change on the owner's thread. Listeners are plain callables and are always called on the
owner's thread. A dialog (:meth:`interrupt`) stops a take the same way, without waiting; that
take does not count and its file is deleted when the recorder reports it finished. Closing the
devices (and so closing the session) waits for a take being finished: it is kept and counts.
:meth:`seal_bundle` is the one method meant for a worker thread: it reads the state and writes
files, and changes nothing.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from onetake_desktop.domain.clock import Clock, SystemClock
from onetake_desktop.domain.errors import DeviceError, InvalidInputError, OneTakeError
from onetake_desktop.domain.kit import Kit, Question, kit_content_hash, privacy_notice_hash
from onetake_desktop.domain.session import (
    SESSION_FORMAT_VERSION,
    CandidateSession,
    SessionState,
    SessionStateError,
    TakeRecord,
    cleared_state,
    new_state,
    restarted_state,
)
from onetake_desktop.domain.words import plural
from onetake_desktop.services.handover import KitTrust, trust_of

# Settings, kit_content_hash and privacy_notice_hash are imported here, not in the functions
# that use them (every start has loaded their modules already): those run after PySide6 has
# loaded, and its import hook reads the source of each module an import statement names then
# (issue 17: ~1 M instructions before the candidate window's first paint).
from onetake_desktop.services.settings import Settings

if TYPE_CHECKING:  # issue 17: what sealing, recording and sending use loads when they run
    from concurrent.futures import Future

    from onetake_desktop.domain.progress import Progress as ProgressFn
    from onetake_desktop.media.profiles import Profile
    from onetake_desktop.media.recovery import RecoveredTake
    from onetake_desktop.media.types import TakeResult
    from onetake_desktop.services.device_check import (
        DeviceChoices,
        DeviceOpening,
        DeviceState,
        DiskReport,
    )
    from onetake_desktop.services.handover import SendOptions
    from onetake_desktop.services.sending import SendStatus
    from onetake_desktop.services.upload import UploadJob, UploadProgress, UploadReceipt
    from onetake_desktop.storage.kitfile import SignedKit

log = logging.getLogger(__name__)

STATE_FILE = "state.json"

# Local data the candidate is told about (privacy page, receipt): how long this computer keeps
# it. An interview never sealed is deleted this many days after it was last touched; after
# sealing, its recordings, answers, name and email are kept this many days (to send or copy the
# sealed file from here) unless the candidate deletes them at once; the receipt left then
# (no personal data) goes this many days after that, or when a new interview starts.
UNSENT_KEEP_DAYS = 30
SENT_KEEP_DAYS = 7
RECEIPT_KEEP_DAYS = 30
# Below this peak level (about -50 dBFS) a take is "nearly silent".
SILENT_PEAK = 0.003
# More than this share of pictures dropped: the computer is falling behind.
DROPPED_SHARE = 0.10
LATE_WORDS = {
    "allow": "You can still send your answers.",
    "mark": "You can still send your answers; they will be marked as late.",
    "refuse": "This employer does not accept answers after the deadline, so they cannot be "
    "sealed. Please contact them first.",
}


# -- the recording engine as this service sees it (media/recorder.py implements it) ------------
class TakeLike(Protocol):
    @property
    def elapsed(self) -> float: ...

    @property
    def running(self) -> bool: ...

    def stop(self) -> TakeResult: ...

    def request_stop(self) -> Future[TakeResult]: ...


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


def capture_on(clock: Clock) -> CaptureFactory:
    """Opens the real recording engine on ``clock``: takes and the session agree on "now"."""

    def open_capture(video_spec: str | None, audio_spec: str | None) -> CaptureLike:
        from onetake_desktop.media.recorder import CaptureSession

        return CaptureSession(video_spec, audio_spec, clock)

    return open_capture


def real_capture(video_spec: str | None, audio_spec: str | None) -> CaptureLike:
    """The real engine on the system clock (for a session driven by a manual clock in tests,
    whose recorder must still keep real time)."""
    return capture_on(SystemClock())(video_spec, audio_spec)


def session_folder_name(kit_hash: str) -> str:
    """A file-name-safe folder for one kit: the first 16 hex digits of its content hash."""
    digest = kit_hash.split(":", 1)[-1]
    return "".join(c for c in digest if c.isalnum())[:16] or "kit"


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


# A NamedTuple, not a frozen dataclass: as immutable and typed, ~3 M instructions less to
# define at start-up on Python 3.11 (issue 17).
class Receipt(NamedTuple):
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
        self.capture_factory: CaptureFactory = capture_factory or capture_on(self.clock)
        self.dir = session_dir
        self.takes_dir = self.dir / "takes"
        self.practice_dir = self.dir / "practice"
        self.privacy_hash = privacy_hash or _privacy_hash(kit)
        self.capture: CaptureLike | None = None
        self.capture_specs: tuple[str | None, str | None] = (None, None)
        # The device check's facts (review s14b B4): kept here, so that going on without a
        # camera needs the candidate's choice whoever asks, not only the page's button.
        self.audio_only_chosen = False
        self.camera_problem = ""  # why the chosen camera failed, "" if it did not
        self._take: TakeLike | None = None  # recording, or being finished after a stop
        self._take_token: object | None = None  # tells this take's reports from older ones
        self._take_stopping: Future[TakeResult] | None = None  # set once a stop was asked
        self._take_reason = ""  # why this service stopped it ("stopped", "time_limit", ...)
        self._take_out = Path()
        self._take_is_practice = False
        self._practice_started: float | None = None
        self._finished: queue.Queue[tuple[object, TakeResult]] = queue.Queue()
        # Takes a dialog interrupted (they do not count), by token: the recorder finishes each
        # in the background and its file is deleted when it reports back (collect_finished).
        self._discarding: dict[object, tuple[Future[TakeResult], Path]] = {}
        # Called on the recorder's writer thread when a take has ended: thread-safe work only
        # (a window's posts an event, then calls collect_finished on its own thread).
        self.take_wakeups: list[Callable[[], None]] = []
        # "Practice answers are never saved or sent": a practice take left by a crash or a
        # closed window goes as soon as the session is opened again.
        shutil.rmtree(self.practice_dir, ignore_errors=True)
        self.last_practice: Path | None = None
        self.listeners: list[Callable[[], None]] = []
        self.error_listeners: list[Callable[[OneTakeError], None]] = []
        self.notice_listeners: list[Callable[[str], None]] = []
        self.resumable = False
        # Practice: "idle", "thinking" (its own think time), "recording" or "saving".
        self.practice_phase = "idle"
        self._practice_think_started: float | None = None
        self._take_peak = 0.0  # loudest level seen during the take under way
        self.take_warning = ""  # what was wrong with the last take (silent, dropped pictures)
        # Who signed the kit (issue 13); from_kit_file sets it from the verified signature.
        self.trust: KitTrust = trust_of(None)
        if sessions is not None:  # the app's own sessions folder: keep the stated promise
            purge_unsent_sessions(sessions, self.clock, keep=self.dir.name)
        saved = self._load_state()
        if saved is not None and saved.step == "sent" and sessions is not None:
            saved = self._past_its_days(saved)  # the sweep above leaves this one to us
        if saved is not None and saved.step == "sent":
            # A sealed interview shows its receipt again; nothing can wipe it by accident.
            self.session = CandidateSession(kit, saved, self.clock)
        elif saved is not None and saved.step != "welcome":
            self.resumable = True
            self.session = CandidateSession(kit, saved, self.clock)
        else:  # a saved "welcome" state keeps its history (restarts, budget, names)
            state = saved if saved is not None else new_state(kit, kit_hash)
            self.session = CandidateSession(kit, state, self.clock)

    def _past_its_days(self, saved: SessionState) -> SessionState | None:
        """This kit's own sealed session, as purge_unsent_sessions treats the others (its state
        is read here anyway): :func:`tidy_sealed_session` (None: start anew). With no time
        saved, nothing goes (the folder's own time is that of this very reading)."""
        try:
            return tidy_sealed_session(self.dir, saved, self.clock.now(), 0.0)
        except (OSError, OneTakeError):  # shown as it is; "Delete my data" is still offered
            log.warning("a sealed session could not be cleaned up", exc_info=True)
        return saved

    @classmethod
    def from_kit_file(cls, path: Path | str, **options: Any) -> CandidateService:
        from onetake_desktop.storage.kitfile import load_signed_kit

        # A kit changed after signing is refused here, before any page (InvalidInputError).
        return cls.from_checked_kit(load_signed_kit(Path(path)), **options)

    @classmethod
    def from_checked_kit(cls, signed: SignedKit, **options: Any) -> CandidateService:
        """A kit ``load_signed_kit`` has read and checked (services.handover.checked_kit)."""
        service = cls(signed.kit, kit_content_hash(signed.kit), **options)
        service.trust = trust_of(signed.signature)
        return service

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
        write_state(self.dir, self.session.state)

    def _notice(self, sentence: str) -> None:
        for fn in list(self.notice_listeners):
            fn(sentence)

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

    def trust_lines(self) -> tuple[str, str]:
        """Who signed this kit, in two plain sentences: the notice and what it means."""
        t = self.trust
        if t.signed:
            return (
                t.notice,
                "It has not been changed since it was signed. If the employer gave you a key "
                "number, it should be the same.",
            )
        return (
            t.notice,
            "OneTake cannot check who made it: go on if it came to you straight from the employer.",
        )

    # -- resume or start over -----------------------------------------------------------------
    def resume_summary(self) -> str:
        """Welcome back: how many questions have a usable answer (a kept one, or a complete
        take still to choose: counting only kept answers said "0 of 3" with a whole take on
        disk, walk s14 W2), what each unfinished question has, and what a restart means."""
        from onetake_desktop.domain.session import STEP_LABELS

        s = self.session
        total = len(self.kit.questions)
        lines = [
            f"You have a usable answer for {self.usable_answer_count()} of {total} questions "
            f"(you were on the {STEP_LABELS[s.step]} step)."
        ]
        if s.step == "questions":
            for n, q in enumerate(self.kit.questions, 1):
                words = self._unfinished_words(q)
                if words:
                    lines.append(f"Question {n}: {words}.")
        lines.append(
            "If you start over, the takes you have used still count, and the employer sees "
            "that you started over."
        )
        return "\n".join(lines)

    def usable_take(self, question: Question, take: TakeRecord) -> bool:
        """A take that may be sent as it is: a complete one, or a recovered one at least as
        long as the question's minimum."""
        return take.stop_reason != "recovered" or (
            take.duration_seconds >= self.session.answer_min(question)
        )

    def usable_answer_count(self) -> int:
        s = self.session
        count = 0
        for q in self.kit.questions:
            a = s.answer_for(q.id)
            if a.phase == "done" or any(self.usable_take(q, t) for t in a.takes):
                count += 1
        return count

    def _unfinished_words(self, question: Question) -> str:
        """What an unanswered question has on disk, for the welcome back ("" if nothing)."""
        s = self.session
        a = s.answer_for(question.id)
        if a.phase == "done":
            return ""
        parts = []
        complete = [t for t in a.takes if t.stop_reason != "recovered"]
        recovered = [t for t in a.takes if t.stop_reason == "recovered"]
        if complete:
            parts.append(
                ", ".join(f"take {t.number} ({_clock(t.duration_seconds)})" for t in complete)
                + (" is complete" if len(complete) == 1 else " are complete")
            )
        for t in recovered:
            parts.append(
                f"take {t.number} ({_clock(t.duration_seconds)}) was recovered after an "
                "interruption"
            )
        if a.phase == "recording" and a.recording_file:
            parts.append(
                f"take {s.takes_used(question) + 1} was interrupted; what it recorded is "
                "recovered when you carry on"
            )
        if a.phase == "writing" and a.text:
            parts.append(f"your draft ({plural(len(a.text), 'character')}) is kept")
        return "; ".join(parts)

    def preselected_take(self, question_id: str) -> int | None:
        """The take selected when the candidate chooses: the newest complete one (after a
        crash, not the recovered fragment, which stays choosable), else the newest usable
        recovered one, else the newest."""
        s = self.session
        q = s.question_for(question_id)
        takes = s.answer_for(question_id).takes
        complete = [t for t in takes if t.stop_reason != "recovered"]
        usable = [t for t in takes if self.usable_take(q, t)]
        best = complete or usable or takes
        return best[-1].number if best else None

    def take_label(self, question: Question, take: TakeRecord) -> str:
        """A take as the candidate chooses it: its length, and whether it was recovered
        after an interruption and is shorter than the question's minimum."""
        text = f"Take {take.number}: {_clock(take.duration_seconds)}"
        if take.stop_reason != "recovered":
            return text
        if self.usable_take(question, take):
            return text + " (recovered after an interruption)"
        # Short: a radio button does not wrap (the notice after Carry on says the rest).
        return text + " (recovered; under the minimum)"

    def recovered_sentence(self) -> str:
        """Said after Carry on when an interrupted take was recovered: which take is
        selected, and why it is not the recovered one."""
        s = self.session
        if s.step != "questions" or not s.answer.takes:
            return ""
        q, takes = s.question, s.answer.takes
        take = takes[-1]
        if take.stop_reason != "recovered":
            return ""
        said = (
            f"Your interrupted take {take.number} was recovered up to its last second "
            f"({_clock(take.duration_seconds)})."
        )
        chosen = self.preselected_take(q.id)
        if chosen == take.number:
            return said + " Play it back, then keep it or record again."
        kept = next(t for t in takes if t.number == chosen)
        why = (
            f" It is shorter than the {_clock(s.answer_min(q))} minimum, so"
            if not self.usable_take(q, take)
            else " So that you send a whole answer,"
        )
        return (
            f"{said}{why} your complete take {kept.number} ({_clock(kept.duration_seconds)}) "
            "is selected; you can still play the recovered one and choose it."
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
        """Begin again. The retake budget is kept (takes already used still count) and the
        restart is recorded for the bundle; the old takes are moved aside, not deleted."""
        old = self.session.state
        if old.step == "sent":
            raise SessionStateError("These answers are sealed; the receipt stays as it is.")
        self.close_devices()
        if self.dir.exists():
            stamp = self.clock.now().strftime("%Y%m%dT%H%M%S")
            n = 1
            aside = self.dir.with_name(f"{self.dir.name}-set-aside-{stamp}")
            while aside.exists():
                n += 1
                aside = self.dir.with_name(f"{self.dir.name}-set-aside-{stamp}-{n}")
            self.dir.rename(aside)
        state = restarted_state(self.kit, self.kit_hash, old, self.session._now())
        self.session = CandidateSession(self.kit, state, self.clock)
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
        return self.session.needs_media()

    @property
    def wants_video(self) -> bool:
        return any(self.kit.answer_type_of(q) == "video" for q in self.kit.questions)

    def open_devices(self, camera: str | None, mic: str | None) -> None:
        """Open (or switch) camera and microphone; only after consent. DeviceError says why."""
        self._may_open()
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
        self.camera_problem = ""

    def _may_open(self) -> None:
        if not self.session.devices_allowed:
            raise SessionStateError("Please agree to the privacy notice first.")
        if self._take is not None:
            raise SessionStateError("Please finish the recording first.")

    def start_devices(self, camera: str | None, mic: str | None) -> DeviceOpening:
        """Open the devices (worker thread: changes nothing here; :meth:`use_devices` adopts
        the result on the owner's thread). A camera that fails is left out and the microphone
        tried alone, so the candidate can go on with sound only."""
        from onetake_desktop.services.device_check import DeviceOpening

        self._may_open()
        camera = camera if self.wants_video else None
        if mic is None:
            return DeviceOpening(None, camera, None, self.no_microphone_sentence())
        first_error: BaseException | None = None
        for cam in [camera, None] if camera else [None]:
            capture: CaptureLike | None = None
            try:
                capture = self.capture_factory(cam, mic)
                capture.start()
            except Exception as error:
                if capture is not None:
                    capture.close()
                first_error = first_error or error
                continue
            problem = ""
            if cam is None and camera is not None:
                problem = (
                    "Your camera could not be started: another program may be using it, or "
                    "your computer's privacy settings may block it. Close other video apps "
                    "and press Try again, or answer with sound only."
                )
            return DeviceOpening(capture, cam, mic, problem)
        return DeviceOpening(None, camera, mic, self.device_problem_sentence(first_error))

    def use_devices(self, opening: DeviceOpening) -> None:
        """Adopt what :meth:`start_devices` opened (the previous devices are closed)."""
        if opening.capture is None:
            return
        if self.session.step != "devices":  # the check is over: a late opening is not wanted
            opening.capture.close()
            return
        try:
            self._may_open()
        except OneTakeError:
            opening.capture.close()
            raise
        self.close_devices()
        self.capture = opening.capture
        self.capture_specs = (opening.camera, opening.mic)
        self.camera_problem = opening.problem

    def no_microphone_sentence(self) -> str:
        return (
            "No microphone was found on this computer. If you have a headset or webcam with a "
            "microphone, plug it in and press Try again."
        )

    def device_problem_sentence(self, error: BaseException | None) -> str:
        """A device failure in words a candidate understands (never a command to run)."""
        return (
            "Your microphone could not be started: another program may be using it, or your "
            "computer's privacy settings may block it. Close other apps that use sound and "
            "press Try again, or choose another microphone."
        )

    def device_ways_forward(self, *, mic_failed: bool) -> list[str]:
        """What the candidate can do now: "audio_only", "written", "contact"."""
        ways = []
        if not mic_failed and self.wants_video:
            ways.append("audio_only")
        if mic_failed and self.kit.written_instead:
            ways.append("written")
        if self.kit.contact:
            ways.append("contact")
        return ways

    def contact_note(self) -> str:
        """A note the candidate can send to the employer when the devices do not work."""
        kit = self.kit
        st = self.session.state
        return (
            f"Hello,\n\nI am taking the recorded interview for {kit.role_title} at "
            f"{kit.organisation} (interview {kit.interview_id}, version {kit.version}). "
            "My camera or microphone does not work with the interview app on my computer, "
            "so I cannot record my answers. Could you suggest another way to answer?\n\n"
            f"Kind regards,\n{st.candidate_name or '(your name)'}"
        )

    def choose_written_answers(self) -> None:
        """Devices failed and the kit allows it: answer every question in writing."""
        self.close_devices()
        self.session.choose_written_instead()
        self._changed()

    def close_devices(self) -> None:
        """Close camera and microphone; a take under way or being finished is waited for,
        kept and counted (closing the window or the app never loses it). An interrupted take's
        file is gone before the devices close."""
        if self._take is not None:
            self._stop_take("closed", wait=True)
        self._settle_discards(wait=True)
        if self.capture is not None:
            capture, self.capture = self.capture, None
            self.capture_specs = (None, None)
            capture.close()

    def device_choices(self, camera: str | None, mic: str | None) -> DeviceChoices:
        """The given defaults (command line or ONETAKE_CAMERA/MIC) first, then what is found."""
        from onetake_desktop.media.devices import list_devices
        from onetake_desktop.services.device_check import DeviceChoices

        found = list_devices()
        cameras: list[tuple[str, str]] = []
        mics: list[tuple[str, str]] = []
        # A default is offered only if it exists: a stand-in source (synthetic, file) always
        # does; "camera:N" only if that camera was found; "mic:default" only if any was.
        found_cameras = {d.spec for d in found.cameras}
        if camera and (not camera.startswith("camera:") or camera in found_cameras):
            cameras.append((camera, describe_source(camera)))
        cameras += [
            (d.spec, f"{d.name} {d.detail}".strip()) for d in found.cameras if d.spec != camera
        ]
        found_mics = {d.spec for d in found.microphones}
        if mic and (
            not mic.startswith("mic:")
            or mic in found_mics
            or (mic == "mic:default" and bool(found_mics))
        ):
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
        return get_profile(None if audio_only else (st.profile or None), audio_only=audio_only)

    def disk_report(self) -> DiskReport:
        """Free space where takes go against the longest the interview can record."""
        from onetake_desktop.media.devices import check_disk_space, required_bytes
        from onetake_desktop.services.device_check import DiskReport

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

    def bundle_size_sentence(self) -> str:
        """The size of the file the candidate will send, from the kit's answer limits and the
        profile in use (the device check shows it; it matters on a slow connection)."""
        from onetake_desktop.media.profiles import estimate_bundle_bytes

        estimate = estimate_bundle_bytes(
            self.kit, self.profile_for(), self.session.state.time_multiplier
        )
        if estimate.media_seconds <= 0:
            return ""
        typical, at_most = _mb(estimate.typical_bytes), _mb(estimate.at_most_bytes)
        upper = "" if at_most == typical else f" (at most {at_most})"
        return f"Your answers will make a file of about {typical}{upper} to send."

    def choose_audio_only(self, chosen: bool = True) -> None:
        """The candidate chose to answer a video interview with sound only (``False``: they
        want the camera again, e.g. pressing Try again)."""
        self.audio_only_chosen = chosen

    def device_state(self, *, cameras_found: bool) -> DeviceState | None:
        """What the device check says now (None while no microphone is open);
        ``cameras_found``: the search offered a camera (it only words the problem)."""
        from onetake_desktop.services.device_check import device_state

        if self.capture is None:
            return None
        return device_state(
            wants_video=self.wants_video,
            cameras_found=cameras_found,
            camera_open=self.capture_specs[0] is not None,
            camera_problem=self.camera_problem,
            audio_only_chosen=self.audio_only_chosen,
        )

    def confirm_devices(self) -> None:
        camera, mic = self.capture_specs
        if self.needs_media and self.capture is None:
            raise DeviceError("Please choose a microphone that works before going on.")
        state = self.device_state(cameras_found=True)
        if state is not None and not state.ready:  # never switch to audio only silently
            raise DeviceError(
                "Please start your camera, or choose to answer with audio only, before going on."
            )
        self.session.devices_ready(camera, mic if self.capture is not None else None)
        self._changed()

    def back_to_devices(self) -> None:
        self.session.back_to_devices()
        self._changed()

    # -- practice -------------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        """A take is capturing (not yet asked to stop)."""
        return self._take is not None and self._take_stopping is None

    @property
    def finishing(self) -> bool:
        """A take was stopped and the recorder is still finishing its file: the pages show
        "Saving your answer…" and nothing may act on the take until it is counted."""
        return self._take is not None and self._take_stopping is not None

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

    def practice_think_limit(self) -> float:
        practice = self.kit.practice
        seconds = practice.think_seconds if practice else 0
        return seconds * self.session.state.time_multiplier

    def practice_think_remaining(self) -> float:
        if self._practice_think_started is None:
            return self.practice_think_limit()
        used = self.clock.monotonic() - self._practice_think_started
        return max(0.0, self.practice_think_limit() - used)

    def start_practice(self) -> None:
        """A practice try: the practice question's think time first (if any), then recording."""
        if self.session.step != "practice":
            raise SessionStateError("The practice question is over.")
        if self.practice_phase != "idle":
            return
        self._ensure_devices()
        if self.practice_think_limit() > 0:
            self.practice_phase = "thinking"
            self._practice_think_started = self.clock.monotonic()
            for fn in list(self.listeners):
                fn()
            return
        self.practice_answer_now()

    def practice_answer_now(self) -> None:
        """Start recording the practice answer (the button, or its think time running out)."""
        if self.session.step != "practice" or self.practice_phase == "recording":
            return
        self._practice_think_started = None
        self._ensure_devices()
        self.practice_dir.mkdir(parents=True, exist_ok=True)
        private_dir(self.practice_dir)
        first = self.kit.questions[0] if self.kit.questions else None
        out = self.practice_dir / "practice.mp4"
        self._settle_discards(wait=True)  # an interrupted try used the same file name
        out.unlink(missing_ok=True)
        try:
            self._start_take(out, self.profile_for(first), self.practice_limit(), practice=True)
        except OneTakeError:
            self.practice_phase = "idle"
            raise
        self.practice_phase = "recording"
        self._practice_started = self.clock.monotonic()
        for fn in list(self.listeners):
            fn()

    def stop_practice(self) -> None:
        if not self._take_is_practice or self._take is None:
            return
        self._stop_take("stopped")

    def finish_practice(self) -> None:
        if self._take is not None:  # its folder is deleted below: the writer must be done
            self._stop_take("stopped", wait=True)
        self._settle_discards(wait=True)
        self.practice_phase = "idle"
        self._practice_think_started = None
        self.session.finish_practice()
        shutil.rmtree(self.practice_dir, ignore_errors=True)
        self.last_practice = None
        self._changed()

    # -- questions --------------------------------------------------------------------------------
    def takes_pill(self) -> str:
        """The words of the current question's takes pill: one wording before, during and
        after a take (review s11 #15), naming the take the candidate is on and counting
        nothing a dialog could take back (s11b L4)."""
        s = self.session
        q = s.question
        if s.answer_type(q) == "text":
            return "Written answer"
        allowed = s.takes_allowed(q)
        if s.answer.phase == "ready" and s.takes_left(q) == 0:
            return f"All {allowed} takes used" if allowed > 1 else "The one take is used"
        return f"Take {s.take_in_view(q)} of {allowed}"

    def kept_sentence_before_answering(self) -> str:
        """Under the current question before it is opened: what it already has. "Nothing is
        recorded yet." while a take was kept read as "my answer is gone" (walk s14 W10)."""
        s = self.session
        q, a = s.question, s.answer
        back = s.state.returning_to_review
        if s.answer_type(q) == "text":
            if not a.text:
                return "Nothing is written yet."
            return f"Your written answer ({plural(len(a.text), 'character')}) is kept." + (
                " Back to review keeps it as it is." if back else ""
            )
        kept = s.chosen(q.id)
        if kept is not None:
            return (
                f"Your take {kept.number} ({_clock(kept.duration_seconds)}) is kept. A new "
                "take is added to it, and you then choose which one to send."
                + (" Back to review keeps the current one." if back else "")
            )
        if a.takes:
            done = ", ".join(f"take {t.number} ({_clock(t.duration_seconds)})" for t in a.takes)
            return f"Already recorded: {done}. After the next take you choose which one to send."
        return "Nothing is recorded yet."

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
        private_dir(self.takes_dir)
        name = s.new_take_file()
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

    def start_writing(self) -> None:
        """Open the editor of a written answer now (before its thinking time is over)."""
        self.session.start_writing()
        self._changed()

    def interrupt(self) -> str:
        """Something else needs the candidate (a dialog): no clock may run on behind it.

        A take under way stops cleanly, its file is deleted and it does not count (the question
        goes back to where it was, with the same takes left); thinking time starts again later.
        Returns the sentence to show afterwards ("" when nothing was running)."""
        s = self.session
        take = self._take
        if take is not None and self.finishing:
            # Stopped before the dialog: it is being saved and counts; nothing runs on.
            return ""
        if take is not None:
            practice = self._take_is_practice
            token = self._take_token if self._take_token is not None else object()
            # Stopped without waiting (a dialog must not freeze the window while the encoder
            # drains and fsyncs): the file is deleted once the recorder reports it finished.
            self._discarding[token] = (take.request_stop(), self._take_out)
            self._take = None
            self._take_token = None
            self._take_is_practice = False
            self._settle_discards()
            if practice:
                self.practice_phase = "idle"
                self._practice_started = None
            else:
                s.take_failed()
            self._changed()
            return "The recording was stopped and does not count; you still have " + (
                "as many practice tries as you like."
                if practice
                else f"{plural(s.takes_left(s.question), 'take')} for this question."
            )
        if self.practice_phase == "thinking":
            self.practice_phase = "idle"
            self._practice_think_started = None
            self._changed()
            return "Your thinking time was stopped; it starts again when you record."
        if s.step == "questions" and s.answer.phase == "thinking":
            s.pause_thinking()
            self._changed()
            return "Your thinking time was stopped; it starts again when you show the question."
        return ""

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
        question = self.session.question
        left_out = self.session.cancel_redo()
        self._changed()
        if left_out:
            self._notice(self.time_up_sentence(question, left_out, time_up=False))

    def collect_finished(self) -> None:
        """Count the takes the recorder has finished since the last call (owner's thread:
        after a take wake-up, and on every tick)."""
        while True:
            try:
                token, result = self._finished.get_nowait()
            except queue.Empty:
                break
            if token in self._discarding:
                self._discarding.pop(token)
                self._delete_take_files(result.path)
                continue
            self._take_done(token, result)
        self._settle_discards()

    def _settle_discards(self, wait: bool = False) -> None:
        """Delete the files of interrupted takes the recorder has finished (all of them with
        ``wait``: before their folder goes or a new practice take reuses the name)."""
        for token, (stopping, out) in list(self._discarding.items()):
            if not (wait or stopping.done()):
                continue
            del self._discarding[token]
            try:
                self._delete_take_files(stopping.result().path, out)
            except Exception:  # the writer broke: whatever it left goes too
                log.exception("the recorder failed while finishing %s", out.name)
                self._delete_take_files(out)

    @staticmethod
    def _delete_take_files(*paths: Path) -> None:
        for path in paths:
            for p in (path, path.with_name(path.name + ".partial")):
                p.unlink(missing_ok=True)

    def wait_for_take(self) -> None:
        """Block until a take being finished is saved and counted (the headless loop; a
        window waits for the wake-up instead)."""
        if self.finishing:
            self._stop_take(self._take_reason, wait=True)

    def tick(self) -> None:
        """Advance the clocks: called about 30 times a second on the owner's thread."""
        self.collect_finished()
        s = self.session
        if self.finishing:
            pass  # the answer is over; its file is being saved
        elif self._take is not None:
            level = self.audio_level()[1]
            self._take_peak = max(self._take_peak, level)
            limit = (
                self.practice_elapsed() >= self.practice_limit()
                if self._take_is_practice
                else s.answer_expired()
            )
            if limit:
                self._stop_take("time_limit")
        elif self.practice_phase == "thinking" and self.practice_think_remaining() <= 0:
            self.practice_answer_now()
        elif s.step == "questions" and s.think_expired():
            if s.answer_type(s.question) == "text":
                self.start_writing()
            else:
                self.start_answer()
        elif s.step == "questions" and s.text_expired():
            question = s.question
            left_out = s.time_up_text()
            self._changed()
            self._notice(self.time_up_sentence(question, left_out))

    def time_up_sentence(self, question: Question, left_out: int, time_up: bool = True) -> str:
        """What the candidate is told when a written answer is saved without the Save button
        (the time ran out, or Back to review): never a silent cut."""
        if not left_out:
            return "Time's up: your written answer was saved as it was."
        kept = self.session.answer_for(question.id).text
        end = kept[-40:].replace("\n", " ").strip()
        start = "Time's up: your" if time_up else "Your"
        limit = question.text_max_chars
        return (
            f"{start} answer was longer than {limit} characters, so only the first {limit} "
            f'were saved and the last {left_out} were left out; it now ends with "…{end}".'
        )

    # -- takes on the engine -------------------------------------------------------------------
    def _start_take(
        self, out: Path, profile: Profile, max_seconds: float, practice: bool = False
    ) -> None:
        if self.capture is None:
            raise DeviceError("The microphone is not open; please check your devices.")
        token = object()

        def finished(result: TakeResult) -> None:  # the recorder's writer thread
            self._finished.put((token, result))
            for wake in list(self.take_wakeups):
                try:
                    wake()
                except Exception:  # the result is queued: the next tick still counts it
                    log.exception("a take wake-up failed")

        self._take_is_practice = practice
        self._take_out = out
        self._take_peak = 0.0
        self._take_stopping, self._take_reason = None, ""
        self._take = self.capture.start_take(
            out, profile, max_seconds=max_seconds, on_finished=finished
        )
        self._take_token = token

    def _stop_take(self, reason: str, wait: bool = False) -> None:
        """Ask the recorder to end the take; counted at once if it is already finished (or
        ``wait``), else when it reports back (:meth:`collect_finished`)."""
        take = self._take
        if take is None:
            return
        if self._take_stopping is None:
            self._take_reason = reason
            self._take_stopping = take.request_stop()
            if self._take_is_practice:
                self.practice_phase = "saving"
        stopping = self._take_stopping
        if wait or stopping.done():
            # The engine also reports the take through on_finished: the token counts it once.
            self._take_done(self._take_token, self._result_of(stopping))
        else:
            self._notify()  # the pages show that the answer is being saved

    def _result_of(self, stopping: Future[TakeResult]) -> TakeResult:
        try:
            return stopping.result()
        except Exception as error:  # the writer broke: an unusable take, said in words
            from onetake_desktop.media.types import TakeResult

            log.exception("the recorder failed while finishing %s", self._take_out.name)
            return TakeResult(
                self._take_out,
                0.0,
                0,
                "mp4",
                None,
                None,
                "error",
                f"The recording failed ({error}); please record again.",
            )

    def _notify(self) -> None:
        for fn in list(self.listeners):
            fn()

    def _take_done(self, token: object | None, result: TakeResult) -> None:
        if self._take is None or token is not self._take_token:
            return  # already counted (a stop and on_finished both report a take)
        reason = self._take_reason or None
        self._take = None
        self._take_token, self._take_stopping, self._take_reason = None, None, ""
        practice, self._take_is_practice = self._take_is_practice, False
        path = result.path
        usable = path.exists() and result.duration_seconds > 0
        message = result.message or ""
        if practice:
            self._practice_started = None
            self.practice_phase = "idle"
            if usable:
                self.take_warning = self._quality_warning(result)
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
        private_file(path)
        self.take_warning = self._quality_warning(result)
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
        elif take.stop_reason == "time_limit":
            self._notice("Time's up: your answer was recorded up to the time limit.")

    def _quality_warning(self, result: Any) -> str:
        """A sentence when the take is nearly silent or the computer dropped many pictures;
        a computer that falls behind records the following takes with the light profile."""
        if self._take_peak < SILENT_PEAK:
            return (
                "This take is nearly silent: your microphone may be muted or too far away. "
                "Play it back, and record it again if you cannot hear yourself."
            )
        stats = getattr(result, "stats", None)
        captured = int(getattr(stats, "frames_captured", 0) or 0)
        dropped = int(getattr(stats, "frames_dropped", 0) or 0)
        if captured >= 10 and dropped / captured > DROPPED_SHARE:
            lighter = self._switch_to_light_profile(dropped, captured)
            return (
                f"Your computer could not keep up: {dropped} of {captured} pictures were "
                "dropped, so the video may look jerky. Play it back and record again if needed."
                + (" The next takes use a lighter picture setting." if lighter else "")
            )
        return ""

    def _switch_to_light_profile(self, dropped: int, captured: int) -> bool:
        from onetake_desktop.media.profiles import LIGHT_FALLBACK

        st = self.session.state
        if st.profile == LIGHT_FALLBACK or st.audio_only:
            return False
        where = self.session.question.id if self.session.step == "questions" else "practice"
        st.profile_changes.append(
            f"{self.session._now()} {where}: {st.profile or 'default'} -> {LIGHT_FALLBACK} "
            f"({dropped} of {captured} pictures dropped)"
        )
        st.profile = LIGHT_FALLBACK
        return True

    # -- what the pages say (policy and wording in one place) -------------------------------------
    def deadline_passed(self) -> bool:
        return self.kit.deadline is not None and self.clock.now() > self.kit.deadline

    def deadline_notice(self) -> str:
        """One plain sentence for every page once the deadline has passed ("" before)."""
        if not self.deadline_passed() or self.session.step == "sent":
            return ""
        assert self.kit.deadline is not None
        when = self.kit.deadline.strftime("%d %B %Y, %H:%M %Z").strip()
        return (
            f"The deadline for this interview was {when}. " + LATE_WORDS[self.kit.late_submissions]
        )

    def can_seal(self) -> bool:
        return not (self.deadline_passed() and self.kit.late_submissions == "refuse")

    def welcome_facts(self) -> list[str]:
        kit = self.kit
        s = self.session
        n = len(kit.questions)
        minutes = (
            sum(q.think_seconds + q.answer_max_seconds for q in kit.questions)
            * s.state.time_multiplier
            / 60
        )
        recorded = [q for q in kit.questions if kit.answer_type_of(q) != "text"]
        written = n - len(recorded)
        lines = [
            f"{n} question{'s' if n != 1 else ''}"
            + (
                " (all written)"
                if not recorded
                else (f", {written} of them written" if written else "")
            ),
            f"About {max(5, round(minutes + 5))} minutes, at a time that suits you",
        ]
        if kit.deadline is not None:
            when = kit.deadline.strftime("%d %B %Y, %H:%M %Z").strip()
            left = kit.deadline - self.clock.now()
            if left.total_seconds() > 0:
                days = left.days
                lines.append(
                    f"Please send your answers by {when} "
                    f"({days} day{'s' if days != 1 else ''} left)"
                )
            else:
                lines.append(f"The deadline was {when}. " + LATE_WORDS[kit.late_submissions])
        if not recorded:
            need = "a quiet place and time to write; no camera or microphone is used"
        elif all(kit.answer_type_of(q) == "audio" for q in recorded):
            need = "a quiet place and your microphone (no camera: spoken answers only)"
        else:
            need = "a quiet place, your camera and microphone"
        lines.append(f"You will need {need}")
        lines.append("Nothing leaves this computer until you send it yourself")
        if kit.contact:
            lines.append(f"Questions? {kit.contact}")
        return lines

    def local_data_sentence(self) -> str:
        """What this computer keeps, and for how long (privacy page; every claim is tested
        against the session folder: tests/unit/test_candidate_rules.py)."""
        return (
            "On this computer, your recordings, written answers, name and email are kept in a "
            "private folder. Before you seal them, if you never come back, they are deleted "
            f"when another interview is opened here more than {UNSENT_KEEP_DAYS} days after "
            "you last worked on them. After you seal them, you can delete them at once, or "
            "they are deleted when an interview is opened here more than "
            f"{SENT_KEEP_DAYS} days later. Only a receipt without them then stays, "
            "until a new interview is started here or an interview is opened here more than "
            f"{RECEIPT_KEEP_DAYS} days after the deletion. {self._place_kept_words()}"
        )

    def _place_kept_words(self) -> str:
        """What the automatic clearing keeps of a sealed file not sent yet (tidy_sealed_session),
        said on the privacy page and on the receipt."""
        if self.send_options().can_upload:
            return (
                "Until OneTake has sent your sealed file, that receipt also keeps where the "
                "file is, so that it can still be sent from here; the file's name holds your "
                "name unless you chose another. It is forgotten when an interview is opened "
                "here after the file was sent."
            )
        return (
            "That receipt also keeps where your sealed file is, so that you can still copy it "
            "from here; the file's name holds your name unless you chose another."
        )

    # -- local data after sealing -------------------------------------------------------------
    def local_recordings_bytes(self) -> int:
        """Bytes of takes kept here: this session's, and those a "Start over" set aside."""
        total = 0
        for folder in (self.takes_dir, self.practice_dir, *set_aside_folders(self.dir)):
            if folder.is_dir():
                total += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        return total

    def kept_sentence(self) -> str:
        """After sealing: what is still on this computer, and until when (every claim is
        tested against the session folder: tests/unit/test_candidate_rules.py)."""
        st = self.session.state
        if self.cleared:
            when = _day(st.cleared_at, self.clock.now())
            return (
                "The recordings, written answers, name and email of this interview were "
                f"deleted from this computer on {when}. Only this receipt stays, "
                "without them: it is deleted when an interview is opened here more than "
                f"{RECEIPT_KEEP_DAYS} days after that, or when a new interview is started here."
            )
        if st.cleared_at is not None:  # cleared by the days, the file not sent yet
            when = _day(st.cleared_at, self.clock.now())
            return (
                "The recordings, written answers, name and email of this interview were "
                f"deleted from this computer on {when}. This receipt stays, without them: it "
                f"is deleted when an interview is opened here more than {RECEIPT_KEEP_DAYS} "
                "days after that. "
                + self._place_kept_words()
                + " The button below forgets it now. The sealed file stays where you saved it."
            )
        size = self.local_recordings_bytes()
        kept = [f"your recordings ({_mb(size)})"] if size else []
        if any(a.text for a in st.answers):
            kept.append("your written answers")
        kept.append("your name and email")
        listed = ", ".join(kept[:-1]) + (" and " if len(kept) > 1 else "") + kept[-1]
        return (
            f"This computer still keeps {listed} in a private folder, so that you can send "
            "or copy the sealed file from here. They are deleted when an interview is opened "
            f"here more than {SENT_KEEP_DAYS} days after sealing, or now with the button below. "
            "The sealed file stays where you saved it."
        )

    def sealed_on(self) -> str:
        """When the answers were sealed, as the receipt says it ("" if not known)."""
        return _day(self.session.state.sent_at, self.clock.now(), with_time=True)

    def uploaded_on(self) -> str:
        """When a cleared receipt's file reached the employer ("" if not known)."""
        return _day(self.session.state.uploaded_at, self.clock.now(), with_time=True)

    def delete_question(self) -> str:
        """What "Delete my data" asks before it deletes (the window asks it as a question)."""
        st = self.session.state
        text = (
            "Delete the recordings, written answers, name and email of this interview from "
            "this computer? Only a receipt without them stays."
            if st.cleared_at is None
            else "Forget where the sealed file of this interview is? Only a receipt without "
            "it stays."
        )
        if st.bundle_path:
            text += f" The sealed file is not touched: it stays at {st.bundle_path}."
            if self.send_options().can_upload and self.send_status().receipt is None:
                text += (
                    " It has not been sent yet: after this, OneTake cannot send it for you, "
                    "so send that file yourself as the employer describes."
                )
        return text

    def delete_recordings(self) -> None:
        """After sealing: delete the recordings, written answers, name and email of this
        interview from this computer, leaving its receipt (:func:`clear_sealed_session`).
        Before sealing nothing is deleted: an answer not yet in a sealed file is never lost."""
        if self.session.step != "sent":
            raise SessionStateError("Your recordings are deleted only after you have sealed them.")
        self.close_devices()
        self.last_practice = None
        cleared = clear_sealed_session(self.dir, self.session.state, self.session._now())
        self.session = CandidateSession(self.kit, cleared, self.clock)
        self._changed()

    @property
    def cleared(self) -> bool:
        """The sealed interview was cleared down to its receipt (no personal data left, and
        no file to send from here). A receipt cleared by the days that still keeps where an
        unsent file is (tidy_sealed_session) is not: it can still send it."""
        st = self.session.state
        return st.cleared_at is not None and not st.bundle_path

    def can_start_new(self) -> bool:
        """A new person may start this kit's interview here once the sealed one is cleared:
        nothing of the last candidate is left to lose, or for the next one to see."""
        return self.session.step == "sent" and self.cleared

    def start_new_question(self) -> str:
        return (
            "Start a new interview on this computer? The receipt of the interview sealed here "
            "is deleted, and the new interview begins from the start."
        )

    def start_new(self) -> None:
        """Begin a fresh interview of this kit (a new person): the cleared receipt goes."""
        if not self.can_start_new():
            raise SessionStateError(
                "A new interview can start here only once the recordings, answers, name and "
                "email of the sealed one are deleted from this computer."
            )
        self.close_devices()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.session = CandidateSession(self.kit, new_state(self.kit, self.kit_hash), self.clock)
        self.resumable = False
        self.take_warning = ""
        self.last_practice = None
        self._changed()

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
        from onetake_desktop import __version__
        from onetake_desktop.domain.manifest import KitRef, MediaFile, SubmissionManifest
        from onetake_desktop.domain.validation import without_control_characters
        from onetake_desktop.storage.bundle import write_bundle

        if not self.can_seal():
            raise SessionStateError(self.deadline_notice())
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
            restarts=tuple(state.restarts),
            submitted_late=self.deadline_passed(),
            late_submissions=self.kit.late_submissions,
            written_instead=state.written_instead,
            profile_changes=tuple(state.profile_changes),
        )
        from onetake_desktop.services.handover import seal_for_kit

        # issue 13: encrypted to the employer when the kit names a recipient (.onetake.age)
        receipt = seal_for_kit(
            self.kit, lambda path: write_bundle(manifest, media, path, progress=progress), out
        )
        # Read back from the disk before telling the candidate it is safe to delete takes.
        if _sha256_of(Path(receipt.path)) != str(receipt.sha256).removeprefix("sha256:"):
            raise OneTakeError(
                "The sealed file did not match its checksum when read back; nothing was "
                "deleted. Please seal your answers again, perhaps to another folder."
            )
        return receipt

    def mark_sent(self, receipt: Any) -> Receipt:
        """The bundle is sealed (and checked against its checksum by :meth:`seal_bundle`)."""
        self.session.state.submitted_late = self.deadline_passed()
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

    # -- handing over (issue 13): the Send page asks, services/sending.py decides ----------------
    def send_options(self) -> SendOptions:
        from onetake_desktop.services.handover import send_options

        return send_options(self.kit)

    def send_status(self) -> SendStatus:
        """Where sending stands; a cleared receipt has no file to send any more."""
        from onetake_desktop.services.sending import SendStatus, send_status

        if self.cleared or not self.session.state.bundle_path:
            return SendStatus(self.send_options(), False, None)
        r = self.receipt()
        return send_status(self.kit, r.path, r.size, r.sha256)

    def upload_job(
        self,
        on_progress: Callable[[UploadProgress], None],
        on_done: Callable[[UploadReceipt], None],
        on_failed: Callable[[OneTakeError], None],
    ) -> UploadJob:
        """The upload of the sealed file to the kit's address (callbacks on its worker thread);
        it goes on from whatever the employer's side already holds."""
        if self.session.step != "sent":
            raise SessionStateError("Your answers are sent only after they are sealed.")
        if self.cleared:
            raise SessionStateError(
                "This interview was deleted from this computer: send the sealed file yourself."
            )
        hand_over = self.kit.hand_over
        if hand_over is None or not hand_over.upload_url:
            raise SessionStateError("This interview has no address to send your answers to.")
        if refused := self.send_options().refused:  # an older kit's http:// address
            raise SessionStateError(refused)
        from onetake_desktop.services.upload import UploadJob

        return UploadJob(
            self.receipt().path,
            endpoint=hand_over.upload_url,
            token=hand_over.upload_token,
            on_progress=on_progress,
            on_done=on_done,
            on_failed=on_failed,
        )

    def close(self) -> None:
        """Stop any take and close the devices (the state is already on disk); the practice
        take never outlives the window."""
        self.close_devices()
        shutil.rmtree(self.practice_dir, ignore_errors=True)


# -- per-machine preferences of candidate mode ---------------------------------------------------
# Kept in this computer's typed settings (services/settings.py: text_scale, beep).
TEXT_SCALES = (0.85, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)


class CandidatePrefs(NamedTuple):  # a NamedTuple: see Receipt
    """This computer's text size and beep choice for candidate mode."""

    text_scale: float = 1.0
    beep: bool = False  # a short sound 10 seconds before a clock runs out


def load_candidate_prefs(path: Path | None) -> CandidatePrefs:
    """This computer's text size and beep choice (defaults without a settings file)."""
    if path is None:
        return CandidatePrefs()
    settings = Settings.load(path)
    scale = min(TEXT_SCALES, key=lambda s: abs(s - settings.text_scale))
    return CandidatePrefs(scale, settings.beep)


def save_candidate_prefs(prefs: CandidatePrefs, path: Path | None) -> None:
    if path is None:
        return
    settings = Settings.load(path)
    if settings.newer_file:  # a newer OneTake's file is never overwritten
        return
    settings._replace(text_scale=prefs.text_scale, beep=prefs.beep).save(path)


def _sha256_of(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def private_dir(folder: Path) -> None:
    """Create a folder only its owner can open (0700): recordings are personal data."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        folder.chmod(0o700)


def private_file(path: Path) -> None:
    if os.name == "posix" and path.exists():
        path.chmod(0o600)


def write_state(folder: Path, state: SessionState) -> None:
    """Save a session's state in its folder (atomically, private to this computer's user)."""
    from onetake_desktop.storage.atomic import atomic_write_bytes

    private_dir(folder)
    path = folder / STATE_FILE
    data = json.dumps(state.to_dict(), indent=1, sort_keys=True)
    atomic_write_bytes(path, data.encode("utf-8"))
    private_file(path)


def set_aside_folders(folder: Path) -> list[Path]:
    """The folders "Start over" moved this session's earlier takes and state to."""
    prefix = f"{folder.name}-set-aside-"
    try:
        return [p for p in folder.parent.iterdir() if p.name.startswith(prefix) and p.is_dir()]
    except OSError:
        return []


def clear_sealed_session(
    folder: Path, state: SessionState, now: str, *, keep_unsent: bool = False
) -> SessionState:
    """Delete everything of a sealed interview on this computer but its receipt: the takes, the
    practice take, damaged states kept aside and the folders "Start over" set aside; then the
    state is rewritten as :func:`cleared_state` (no name, email, answers or bundle path). With
    ``keep_unsent``, a file not known to be uploaded keeps its path, so it can still be sent
    (its upload's state is beside it, not in this folder).

    Files first, the state last: if this stops half-way, the state is still the full one,
    so "Delete my data" is still offered and the next clearing finishes the work."""
    uploaded = _uploaded_at(state)
    try:
        for leftover in set_aside_folders(folder):
            shutil.rmtree(leftover)
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name == STATE_FILE:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
    except OSError as error:
        from onetake_desktop.storage.atomic import os_error_sentence

        raise os_error_sentence(error, "delete your recordings from this computer") from error
    cleared = cleared_state(state, now, uploaded, keep_path=keep_unsent and uploaded is None)
    write_state(folder, cleared)
    return cleared


def tidy_sealed_session(
    folder: Path, state: SessionState, now: Any, fallback_days: float
) -> SessionState | None:
    """The days of a sealed session (what kept_sentence and local_data_sentence promise), for
    the kit being opened and for the others alike; ``fallback_days`` counts when no time is
    saved. Returns the state kept, or None if the folder was deleted:

    - sealed more than SENT_KEEP_DAYS ago: cleared down to its receipt, which keeps the
      file's path if it is not known to be uploaded (so it can still be sent);
    - such a receipt, once its file is known to be uploaded: the path goes too;
    - a receipt cleared more than RECEIPT_KEEP_DAYS ago: deleted."""
    stamp = now.isoformat(timespec="seconds")
    if state.cleared_at is not None:
        if _days_since(state.cleared_at, now, fallback_days) > RECEIPT_KEEP_DAYS:
            shutil.rmtree(folder)
            return None
        if state.bundle_path and _uploaded_at(state):
            return clear_sealed_session(folder, state, stamp)
        return state
    if _days_since(state.sent_at, now, fallback_days) > SENT_KEEP_DAYS:
        return clear_sealed_session(folder, state, stamp, keep_unsent=True)
    return state


def _uploaded_at(state: SessionState) -> str | None:
    """When the employer's side confirmed every byte of this sealed file (None: not known)."""
    if state.uploaded_at or not state.bundle_path:
        return state.uploaded_at
    from onetake_desktop.services.upload import load_state

    kept = load_state(Path(state.bundle_path))
    same = kept.size == state.bundle_size and kept.sha256 == str(
        state.bundle_sha256 or ""
    ).removeprefix("sha256:")
    return kept.completed_at if same and kept.completed_at else None


def purge_unsent_sessions(root: Path, clock: Clock, keep: str = "") -> list[Path]:
    """Keep what the candidate is told (local_data_sentence, kept_sentence) for every session
    folder under ``root`` (the app's sessions folder) when an interview is opened:

    - never sealed and untouched for more than UNSENT_KEEP_DAYS: deleted;
    - sealed: :func:`tidy_sealed_session` (cleared down to its receipt more than
      SENT_KEEP_DAYS after sealing, that receipt deleted RECEIPT_KEEP_DAYS after that).

    ``keep``, the folder of the kit being opened, is left to its CandidateService (which
    reads its state anyway, resumes it if unsealed, and applies the same days if sealed).
    Sealed folders count from the times in their state (the folder's time if none is
    readable). Returns the folders deleted or cleared."""
    if not root.is_dir():
        return []
    now = clock.now()
    done: list[Path] = []
    for folder in sorted(root.iterdir()):  # a list: clearing deletes set-aside siblings
        if not folder.is_dir() or folder.name == keep:
            continue
        state = folder / STATE_FILE
        try:
            touched = max(p.stat().st_mtime for p in [folder, *folder.iterdir()])
            raw = json.loads(state.read_bytes()) if state.is_file() else {}
        except (OSError, ValueError):
            continue
        raw = raw if isinstance(raw, dict) else {}
        idle_days = (now.timestamp() - touched) / 86400
        try:
            if raw.get("step") != "sent":
                if idle_days > UNSENT_KEEP_DAYS:
                    shutil.rmtree(folder)
                    done.append(folder)
                continue
            version = raw.get("format_version")
            if isinstance(version, int) and version > SESSION_FORMAT_VERSION:
                continue  # a newer OneTake's sealed session: its own rules, never ours
            try:
                sealed = SessionState.from_dict(raw)
            except InvalidInputError:  # unreadable: nothing to show, so nothing stays
                cleared_at = raw.get("cleared_at")
                days = _days_since(cleared_at or raw.get("sent_at"), now, idle_days)
                if days > (RECEIPT_KEEP_DAYS if cleared_at else SENT_KEEP_DAYS):
                    shutil.rmtree(folder)
                    done.append(folder)
                continue
            if tidy_sealed_session(folder, sealed, now, idle_days) is not sealed:
                done.append(folder)
        except (OSError, OneTakeError):
            log.warning("a session folder could not be cleaned up", exc_info=True)
    return done


# The two helpers below read a saved time with the class of the clock's own "now": no import
# statement (the sealed interview's page can be a window's first; issue 17, see clock.py).
def _days_since(iso: object, now: Any, fallback: float) -> float:
    try:
        then = type(now).fromisoformat(str(iso))
        return float((now - then).total_seconds() / 86400)
    except (TypeError, ValueError):  # no time, or a naive one: the folder's own time
        return fallback


def _day(iso: str | None, now: Any, *, with_time: bool = False) -> str:
    """A saved time as the candidate reads it, on this computer's clock ("" if none)."""
    try:
        when = type(now).fromisoformat(str(iso)).astimezone()
    except (TypeError, ValueError):
        return ""
    day = f"{when.day} {when:%B %Y}"  # "1 June 2026": %-d is not on every system
    return f"{day}, {when:%H:%M}" if with_time else day


def _stem(path: Any) -> str:
    return Path(path).name.removesuffix(".partial")


def _clock(seconds: float) -> str:
    """A length as m:ss, as the candidate window shows takes."""
    n = round(seconds)
    return f"{n // 60}:{n % 60:02d}"


def _mb(n: int) -> str:
    if n >= 10 * 1024**3:
        return f"{n / 1024**3:.0f} GB"
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    return f"{max(1, round(n / 1024**2))} MB"


def _privacy_hash(kit: Kit) -> str:
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
    session_dir: Path | None = None,
) -> Receipt:
    """The whole interview without windows; consent is given because ``--headless`` says so.

    ``session_dir``: keep the sealed session there (a window opening the kit then shows its
    receipt and Send page); by default it lives in a scratch folder removed at the end."""
    from onetake_desktop.storage.kitfile import load_kit

    say = log or (lambda _line: None)
    kit = load_kit(kit_path)
    kit_hash = kit_content_hash(kit)
    folder = session_dir or sessions / f"headless-{session_folder_name(kit_hash)}-{os.getpid()}"
    if session_dir is None:
        shutil.rmtree(folder, ignore_errors=True)
    service = CandidateService(kit, kit_hash, clock=clock, session_dir=folder)
    try:
        service.begin()
        service.give_consent(name, email)
        if service.needs_media:
            service.open_devices(camera, mic)
            if camera is None:  # the caller named no camera: it chose sound only
                service.choose_audio_only()
            report = service.disk_report()
            if not report.ok:
                from onetake_desktop.domain.errors import DiskFullError

                raise DiskFullError(report.sentence)
        if service.session.step == "devices":  # a written-only kit has no device step
            service.confirm_devices()
        if service.session.step == "practice":
            service.finish_practice()  # scripted sessions skip the practice question
        s = service.session
        while s.step == "questions":
            q = s.question
            service.show_question()
            if s.answer_type(q) == "text":
                # A written question starts with its think time too: open the editor at once.
                if s.answer.phase != "writing":
                    service.start_writing()
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
                    service.wait_for_take()
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
    if session_dir is None:
        shutil.rmtree(folder, ignore_errors=True)  # everything is in the bundle now
    return done
