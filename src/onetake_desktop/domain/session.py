"""The candidate's interview as a state machine, and the state that is saved after every step.

Plain Python: no I/O besides turning the state into a dict and back. The session service
(services/candidate.py) drives it, records takes and writes the state to disk; the windows only
drive the service. Every transition checks that it is allowed now, so a stray click or a
replayed keyboard shortcut can never skip consent, record past the retake limit or submit an
unanswered question.

Steps: welcome > privacy > devices > practice > questions > review > sent.
Inside "questions" each answer moves through phases:
ready (question not shown yet) > thinking (think clock) > recording (answer clock) >
deciding (play back, keep or re-record) > done; text answers go ready > writing > done.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

from onetake_desktop.domain.clock import Clock
from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.kit import AnswerType, Kit, Question
from onetake_desktop.domain.validation import has_control_characters, without_control_characters

if TYPE_CHECKING:  # the submission's records load when it is sealed (issue 17: ~5 ms at start)
    from onetake_desktop.domain.manifest import AnswerRecord, Consent, MediaFile

# Version 2 added restarts, takes used before them, file names used, written answers instead of
# recordings, the recording profile's changes and the sealed bundle's late status. Version 3
# added when a sealed interview was cleared down to its receipt, and when it was uploaded.
SESSION_FORMAT_VERSION = 3

Step = Literal["welcome", "privacy", "devices", "practice", "questions", "review", "sent"]
STEPS: tuple[Step, ...] = (
    "welcome",
    "privacy",
    "devices",
    "practice",
    "questions",
    "review",
    "sent",
)
STEP_LABELS: dict[Step, str] = {
    "welcome": "Welcome",
    "privacy": "Privacy",
    "devices": "Devices",
    "practice": "Practice",
    "questions": "Questions",
    "review": "Review",
    "sent": "Send",
}
Phase = Literal["ready", "thinking", "recording", "deciding", "writing", "done"]
PHASES: tuple[Phase, ...] = ("ready", "thinking", "recording", "deciding", "writing", "done")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SessionStateError(OneTakeError):
    """An action that is not allowed at this point of the interview."""


class _Record:
    """A mutable record, as ``@dataclass`` would make it: equal to a record of the same class
    with equal fields, shown with its fields, not hashable. Written out once here because a
    dataclass compiles its methods every time its module loads (issue 17: these three cost
    ~17 M instructions before the candidate window's first paint)."""

    __hash__ = None  # type: ignore[assignment]  # mutable, as an eq dataclass

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return vars(self) == vars(other)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"{type(self).__name__}({fields})"

    def to_dict(self) -> dict[str, Any]:
        """Its fields as plain data (JSON-ready copies: records, lists and dicts nested)."""
        return {name: _plain(value) for name, value in vars(self).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value  # str, int, float, bool, None


class TakeRecord(_Record):
    """One recorded attempt at a question; ``file`` is relative to the session's takes folder."""

    def __init__(
        self,
        number: int,  # 1-based
        file: str,
        duration_seconds: float,
        started_at: str,  # ISO 8601 UTC
        ended_at: str,
        think_seconds_used: float,
        stop_reason: str,  # "stopped", "limit", "recovered", ...
        size_bytes: int = 0,
        container: str = "mp4",
        video_codec: str | None = None,
        audio_codec: str | None = None,
    ) -> None:
        self.number = number
        self.file = file
        self.duration_seconds = duration_seconds
        self.started_at = started_at
        self.ended_at = ended_at
        self.think_seconds_used = think_seconds_used
        self.stop_reason = stop_reason
        self.size_bytes = size_bytes
        self.container = container
        self.video_codec = video_codec
        self.audio_codec = audio_codec


class AnswerProgress(_Record):
    def __init__(
        self,
        question_id: str,
        phase: Phase = "ready",
        takes: list[TakeRecord] | None = None,
        chosen_take: int | None = None,
        text: str = "",
        text_seconds: float = 0.0,
        text_started_at: str | None = None,
        text_ended_at: str | None = None,
        # The attempt under way: survives a crash so the interrupted take can be recovered.
        recording_file: str | None = None,
        recording_started_at: str | None = None,
        think_seconds_used: float = 0.0,
    ) -> None:
        self.question_id = question_id
        self.phase: Phase = phase
        self.takes: list[TakeRecord] = [] if takes is None else takes
        self.chosen_take = chosen_take
        self.text = text
        self.text_seconds = text_seconds
        self.text_started_at = text_started_at
        self.text_ended_at = text_ended_at
        self.recording_file = recording_file
        self.recording_started_at = recording_started_at
        self.think_seconds_used = think_seconds_used


_SAVED_LISTS = ("accommodations", "restarts", "file_names_used", "profile_changes")
# The saved values the interview reads as soon as it resumes, and the types they must have.
_SAVED_VALUES: dict[str, type | tuple[type, ...]] = {
    "kit_hash": str,
    "step": str,
    "current": int,
    "practice_tries": int,
    "time_multiplier": (int, float),
    "audio_only": bool,
    "written_instead": bool,
}
# Saved times a receipt shows (None: not yet, or not known).
_SAVED_TIMES = ("sent_at", "cleared_at", "uploaded_at")


class SessionState(_Record):
    """Everything needed to resume exactly where the candidate was."""

    def __init__(
        self,
        kit_hash: str,
        answers: list[AnswerProgress],
        step: Step = "welcome",
        candidate_name: str = "",
        candidate_email: str = "",
        consent_notice_sha256: str | None = None,
        consent_given_at: str | None = None,
        accommodations: list[str] | None = None,
        time_multiplier: float = 1.0,
        camera: str | None = None,
        mic: str | None = None,
        audio_only: bool = False,
        practice_tries: int = 0,
        current: int = 0,  # index of the question under way
        returning_to_review: bool = False,
        bundle_path: str | None = None,
        bundle_size: int | None = None,
        bundle_sha256: str | None = None,
        sent_at: str | None = None,
        # When each "Start over" happened, and the takes used before them: a restart never
        # gives back the retake budget, and the bundle tells reviewers about every restart.
        restarts: list[str] | None = None,
        takes_before: dict[str, int] | None = None,
        # Every take file name ever handed out for this kit: never reused, even for a failed
        # take.
        file_names_used: list[str] | None = None,
        written_instead: bool = False,  # the devices failed and the kit allows written answers
        profile: str = "",  # the recording profile in use ("" = the answer type's default)
        profile_changes: list[str] | None = None,
        submitted_late: bool = False,
        # After sealing, the recordings, answers, name and email were deleted from this
        # computer at this time (see cleared_state); only the receipt is left.
        cleared_at: str | None = None,
        # When the employer's side confirmed every byte; kept only in a cleared receipt (a
        # full one reads it beside the bundle, whose path a cleared receipt no longer has).
        uploaded_at: str | None = None,
        format_version: int = SESSION_FORMAT_VERSION,
    ) -> None:
        self.kit_hash = kit_hash
        self.answers = answers
        self.step: Step = step
        self.candidate_name = candidate_name
        self.candidate_email = candidate_email
        self.consent_notice_sha256 = consent_notice_sha256
        self.consent_given_at = consent_given_at
        self.accommodations: list[str] = [] if accommodations is None else accommodations
        self.time_multiplier = time_multiplier
        self.camera = camera
        self.mic = mic
        self.audio_only = audio_only
        self.practice_tries = practice_tries
        self.current = current
        self.returning_to_review = returning_to_review
        self.bundle_path = bundle_path
        self.bundle_size = bundle_size
        self.bundle_sha256 = bundle_sha256
        self.sent_at = sent_at
        self.restarts: list[str] = [] if restarts is None else restarts
        self.takes_before: dict[str, int] = {} if takes_before is None else takes_before
        self.file_names_used: list[str] = [] if file_names_used is None else file_names_used
        self.written_instead = written_instead
        self.profile = profile
        self.profile_changes: list[str] = [] if profile_changes is None else profile_changes
        self.submitted_late = submitted_late
        self.cleared_at = cleared_at
        self.uploaded_at = uploaded_at
        self.format_version = format_version

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionState:
        """Rebuild a saved state, upgrading an older one; a damaged, foreign or newer file
        raises InvalidInputError."""
        try:
            raw = upgrade_state(dict(data))
            # A record's constructor takes None as "none given": a saved null is damage, as
            # is a value of another type where the interview reads one at once.
            if (
                any(not isinstance(raw.get(k, []), list) for k in _SAVED_LISTS)
                or not isinstance(raw.get("takes_before", {}), dict)
                or any(
                    k in raw and not isinstance(raw[k], kinds) for k, kinds in _SAVED_VALUES.items()
                )
                or any(not isinstance(raw.get(k), str | None) for k in _SAVED_TIMES)
            ):
                raise InvalidInputError("The saved interview state is damaged.")
            answers = [
                AnswerProgress(
                    **{
                        **a,
                        "takes": [TakeRecord(**t) for t in a.get("takes", [])],
                    }
                )
                for a in raw.pop("answers")
            ]
            state = cls(answers=answers, **raw)
            if state.step not in STEPS or any(a.phase not in PHASES for a in answers):
                raise InvalidInputError("The saved interview state is damaged.")
            if not 0 <= state.current <= max(len(answers) - 1, 0):
                raise InvalidInputError("The saved interview state is damaged.")
        except InvalidInputError:
            raise
        except (TypeError, KeyError, AttributeError, ValueError) as error:
            raise InvalidInputError("The saved interview state is damaged.") from error
        return state


# -- upgrading saved states (like the database's migrations: ordered, each one step) ---------------
def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    used = [t["file"] for a in data.get("answers", []) for t in a.get("takes", [])]
    used += [a["recording_file"] for a in data.get("answers", []) if a.get("recording_file")]
    data.update(
        restarts=[],
        takes_before={},
        file_names_used=list(dict.fromkeys(used)),
        written_instead=False,
        profile="",
        profile_changes=[],
        submitted_late=False,
        format_version=2,
    )
    return data


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    data.update(cleared_at=None, uploaded_at=None, format_version=3)
    return data


# MIGRATIONS[n] turns a version-n state into version n + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def upgrade_state(data: dict[str, Any]) -> dict[str, Any]:
    """Bring a saved state from any earlier version up to SESSION_FORMAT_VERSION."""
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidInputError("The saved interview state is damaged.")
    if version > SESSION_FORMAT_VERSION:
        raise InvalidInputError(
            "The saved interview was made by a newer version of OneTake; please update it."
        )
    while version < SESSION_FORMAT_VERSION:
        data = MIGRATIONS[version](data)
        version = data["format_version"]
    return data


def _plus_seconds(iso: str, seconds: float) -> str:
    return (datetime.fromisoformat(iso) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


def new_state(kit: Kit, kit_hash: str) -> SessionState:
    return SessionState(
        kit_hash=kit_hash, answers=[AnswerProgress(question_id=q.id) for q in kit.questions]
    )


def restarted_state(kit: Kit, kit_hash: str, old: SessionState, now: str) -> SessionState:
    """A fresh start that keeps what a restart must not undo: the takes already used (the
    retake budget), the file names already used, and the record of every restart."""
    state = new_state(kit, kit_hash)
    before = dict(old.takes_before)
    for a in old.answers:
        if a.takes:
            before[a.question_id] = before.get(a.question_id, 0) + len(a.takes)
    state.takes_before = before
    state.restarts = [*old.restarts, now]
    state.file_names_used = list(old.file_names_used)
    state.profile_changes = list(old.profile_changes)
    return state


def cleared_state(
    state: SessionState, now: str, uploaded_at: str | None = None, *, keep_path: bool = False
) -> SessionState:
    """A sealed interview's receipt without anything personal: the date it was sealed, the
    sealed file's size and checksum, whether it was late and (if known) when it was uploaded.
    Gone: name, email, consent, accommodations (and the extra time they gave), devices,
    answers (text and takes), restarts and the bundle's path (its default name holds the
    candidate's name), unless ``keep_path``: a file not sent yet can then still be sent
    (the policy and what the candidate is told: services/candidate.py)."""
    if state.step != "sent":
        raise SessionStateError("Only a sealed interview is cleared down to its receipt.")
    return SessionState(
        kit_hash=state.kit_hash,
        answers=[AnswerProgress(question_id=a.question_id) for a in state.answers],
        step="sent",
        bundle_path=state.bundle_path if keep_path else None,
        bundle_size=state.bundle_size,
        bundle_sha256=state.bundle_sha256,
        sent_at=state.sent_at,
        submitted_late=state.submitted_late,
        cleared_at=state.cleared_at or now,
        uploaded_at=state.uploaded_at or uploaded_at,
    )


class CandidateSession:
    """The rules of one candidate's interview over a :class:`SessionState`.

    Timers read the injected clock; nothing here sleeps or touches files. Wall-clock
    timestamps are ISO 8601 UTC strings; durations come from ``clock.monotonic()``.
    """

    def __init__(self, kit: Kit, state: SessionState, clock: Clock) -> None:
        if [a.question_id for a in state.answers] != [q.id for q in kit.questions]:
            raise InvalidInputError("The saved interview does not match this kit.")
        self.kit = kit
        self.state = state
        self.clock = clock
        # Monotonic marks of the attempt under way; not saved (a restart restarts the clock).
        self._think_started: float | None = None
        self._record_started: float | None = None
        self._text_started: float | None = None

    # -- reading ----------------------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self.state.step

    @property
    def question(self) -> Question:
        return self.kit.questions[self.state.current]

    @property
    def answer(self) -> AnswerProgress:
        return self.state.answers[self.state.current]

    def answer_for(self, question_id: str) -> AnswerProgress:
        for a in self.state.answers:
            if a.question_id == question_id:
                return a
        raise SessionStateError(f"There is no question {question_id!r} in this interview.")

    def question_for(self, question_id: str) -> Question:
        for q in self.kit.questions:
            if q.id == question_id:
                return q
        raise SessionStateError(f"There is no question {question_id!r} in this interview.")

    def answer_type(self, question: Question) -> AnswerType:
        """What the candidate actually gives: a video question becomes audio without camera."""
        kind = self.kit.answer_type_of(question)
        if self.state.written_instead:
            return "text"
        if kind == "video" and self.state.audio_only:
            return "audio"
        return kind

    @property
    def devices_allowed(self) -> bool:
        """Camera and microphone may open only after consent."""
        return self.state.consent_given_at is not None

    def takes_allowed(self, question: Question) -> int:
        return 1 + question.retakes_allowed

    def takes_used(self, question: Question) -> int:
        """Takes recorded for this question, counting those before any "Start over"."""
        before = self.state.takes_before.get(question.id, 0)
        return before + len(self.answer_for(question.id).takes)

    def takes_left(self, question: Question) -> int:
        return max(0, self.takes_allowed(question) - self.takes_used(question))

    def take_in_view(self, question: Question) -> int:
        """The take the candidate is on: the newest recorded one while choosing, else the
        next one (before it, or while it is thought about or recorded). It counts nothing a
        take has not earned: a take that a dialog or crash ends does not count, so the same
        number shows when it starts again (review s11b L4)."""
        used = self.takes_used(question)
        if self.answer_for(question.id).phase == "deciding":
            return max(1, used)
        return min(used + 1, self.takes_allowed(question))

    def think_limit(self, question: Question) -> float:
        return question.think_seconds * self.state.time_multiplier

    def answer_max(self, question: Question) -> float:
        return question.answer_max_seconds * self.state.time_multiplier

    def answer_min(self, question: Question) -> float:
        return float(question.answer_min_seconds)

    def think_elapsed(self) -> float:
        if self._think_started is None:
            return 0.0
        return self.clock.monotonic() - self._think_started

    def think_remaining(self) -> float:
        return max(0.0, self.think_limit(self.question) - self.think_elapsed())

    def answer_elapsed(self) -> float:
        if self._record_started is None:
            return 0.0
        return self.clock.monotonic() - self._record_started

    def answer_remaining(self) -> float:
        return max(0.0, self.answer_max(self.question) - self.answer_elapsed())

    def can_stop(self) -> bool:
        """The stop button works once the minimum answer length is reached."""
        return (
            self.answer.phase == "recording"
            and self.answer_elapsed() >= self.answer_min(self.question) - 1e-6
        )

    def answered_count(self) -> int:
        return sum(1 for a in self.state.answers if a.phase == "done")

    def all_answered(self) -> bool:
        return all(a.phase == "done" for a in self.state.answers)

    def can_redo(self, question_id: str) -> bool:
        question = self.question_for(question_id)
        if self.state.step != "review":
            return False
        if self.answer_type(question) == "text":
            return self.text_time_left(question) > 0
        return self.takes_left(question) > 0

    def expected_answer_seconds(self) -> float:
        """Upper bound of recorded time, for the disk check and the welcome page."""
        return sum(
            self.answer_max(q) * self.takes_allowed(q)
            for q in self.kit.questions
            if self.kit.answer_type_of(q) != "text"
        )

    # -- transitions ------------------------------------------------------------------------
    def _need_step(self, *steps: Step) -> None:
        if self.state.step not in steps:
            raise SessionStateError(f"That is not possible on the {self.state.step} step.")

    def _need_phase(self, *phases: Phase) -> None:
        self._need_step("questions")
        if self.answer.phase not in phases:
            raise SessionStateError(f"That is not possible while {self.answer.phase}.")

    def _now(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")

    def begin(self) -> None:
        self._need_step("welcome")
        self.state.step = "privacy"

    def back_to_welcome(self) -> None:
        self._need_step("privacy")
        self.state.step = "welcome"

    def give_consent(
        self, name: str, email: str, notice_sha256: str, accommodations: list[str] | None = None
    ) -> None:
        self._need_step("privacy")
        name, email = name.strip(), email.strip()
        if not name:
            raise InvalidInputError("Please enter your name.")
        # Refused here, not at sealing: the bundle format refuses control characters.
        if has_control_characters(name) or has_control_characters(email):
            raise InvalidInputError("Please use only letters, digits and punctuation.")
        if not _EMAIL.match(email):
            raise InvalidInputError("Please enter a valid email address, like name@example.com.")
        chosen = list(dict.fromkeys(accommodations or []))
        offered = {a.id: a for a in self.kit.accommodations}
        unknown = [a for a in chosen if a not in offered]
        if unknown:
            raise InvalidInputError(f"This interview offers no accommodation {unknown[0]!r}.")
        multiplier = 1.0
        for a in chosen:
            multiplier = max(multiplier, offered[a].time_multiplier)
        self.state.candidate_name = name
        self.state.candidate_email = email
        self.state.consent_notice_sha256 = notice_sha256
        self.state.consent_given_at = self._now()
        self.state.accommodations = chosen
        self.state.time_multiplier = multiplier
        # A kit with only written questions needs no devices and has nothing to practise.
        self.state.step = "devices" if self.needs_media() else "questions"

    def needs_media(self) -> bool:
        return not self.state.written_instead and any(
            self.kit.answer_type_of(q) != "text" for q in self.kit.questions
        )

    def choose_written_instead(self) -> None:
        """The devices do not work and the kit allows it: every answer is written instead."""
        self._need_step("devices")
        if not self.kit.written_instead:
            raise SessionStateError("This interview needs recorded answers.")
        self.state.written_instead = True
        self.state.camera = self.state.mic = None
        self.state.step = "questions"

    def devices_ready(self, camera: str | None, mic: str | None) -> None:
        """The devices are checked: on to practice (or the questions, if there is none)."""
        self._need_step("devices")
        if not self.devices_allowed:
            raise SessionStateError("Please agree to the privacy notice first.")
        if self.needs_media() and not mic:
            raise SessionStateError("A microphone is needed to record your answers.")
        self.state.camera = camera
        self.state.mic = mic
        self.state.audio_only = camera is None
        self.state.step = "practice" if self.kit.practice is not None else "questions"

    def back_to_devices(self) -> None:
        self._need_step("practice")
        self.state.step = "devices"

    def practice_take_recorded(self) -> None:
        self._need_step("practice")
        self.state.practice_tries += 1

    def finish_practice(self) -> None:
        self._need_step("practice", "devices")
        if self.state.step == "devices" and self.state.mic is None:
            raise SessionStateError("Please check your devices first.")
        self.state.step = "questions"

    def show_question(self) -> None:
        """Reveal the question: the think clock starts (a written answer being edited again
        goes straight to the editor)."""
        self._need_phase("ready")
        text = self.answer_type(self.question) == "text"
        if text and (
            self.answer.text_started_at is not None or self.think_limit(self.question) <= 0
        ):
            self.start_writing()
            return
        self.answer.phase = "thinking"
        self._think_started = self.clock.monotonic()

    def think_expired(self) -> bool:
        return self.answer.phase == "thinking" and self.think_remaining() <= 0

    def pause_thinking(self) -> None:
        """Back to "ready": the think clock starts again when the question is shown again."""
        self._need_phase("thinking")
        self.answer.phase = "ready"
        self._think_started = None

    # -- written answers: think time, then a writing time limit (the question's answer_max) --
    def start_writing(self) -> None:
        """The editor opens (by the button, when thinking time runs out, or at once)."""
        self._need_phase("ready", "thinking")
        if self.answer_type(self.question) != "text":
            raise SessionStateError("This question asks for a recorded answer.")
        if self.answer.phase == "thinking":
            self.answer.think_seconds_used = min(
                self.think_elapsed(), self.think_limit(self.question)
            )
        self.answer.phase = "writing"
        self._think_started = None
        self._text_started = self.clock.monotonic()
        if self.answer.text_started_at is None:
            self.answer.text_started_at = self._now()

    def text_limit(self, question: Question) -> float:
        """Writing time: the question's answer_max_seconds (kits always set one; 0 in a kit
        built by hand in code means no limit)."""
        if question.answer_max_seconds <= 0:
            return math.inf
        return self.answer_max(question)

    def text_time_left(self, question: Question) -> float:
        """Writing time left for a question (the clock runs only while its editor is open)."""
        used = self.answer_for(question.id).text_seconds
        if question is self.question and self.answer.phase == "writing":
            used += self._writing_elapsed()
        return max(0.0, self.text_limit(question) - used)

    def _writing_elapsed(self) -> float:
        if self._text_started is None:
            return 0.0
        return self.clock.monotonic() - self._text_started

    def text_expired(self) -> bool:
        return self.answer.phase == "writing" and self.text_time_left(self.question) <= 0

    def time_up_text(self) -> int:
        """Writing time is over: what is written is the answer (even if it is empty). A text
        over the limit (a draft kept from before the editor stopped at the limit) keeps its
        first characters; the number left out is returned so the candidate can be told."""
        self._need_phase("writing")
        q = self.question
        text = without_control_characters(self.answer.text, multiline=True).strip()
        left_out = max(0, len(text) - q.text_max_chars)
        self.answer.text = text[: q.text_max_chars]
        self.answer.text_seconds = self.text_limit(q)
        self._text_started = None
        self.answer.text_ended_at = self._now()
        self.answer.phase = "done"
        self._advance()
        return left_out

    def start_answer(self, file_name: str) -> None:
        """The answer clock starts (by the button or when thinking time runs out)."""
        self._need_phase("thinking")
        if self.takes_left(self.question) <= 0:
            raise SessionStateError("There are no takes left for this question.")
        self.answer.think_seconds_used = min(self.think_elapsed(), self.think_limit(self.question))
        self.answer.phase = "recording"
        self.answer.recording_file = file_name
        self.answer.recording_started_at = self._now()
        self._record_started = self.clock.monotonic()
        self._think_started = None

    def recording_started(self) -> None:
        """The recorder is running: the answer clock counts from now (not from the click)."""
        self._need_phase("recording")
        self._record_started = self.clock.monotonic()

    def next_take_number(self) -> int:
        return self.takes_used(self.question) + 1

    def new_take_file(self) -> str:
        """A file name for the next take that this session has never used before."""
        base = f"{self.question.id}-take{self.next_take_number()}"
        name, n = f"{base}.mp4", 1
        while name in self.state.file_names_used:
            n += 1
            name = f"{base}-{n}.mp4"
        self.state.file_names_used.append(name)
        return name

    def answer_expired(self) -> bool:
        return self.answer.phase == "recording" and self.answer_remaining() <= 0

    def take_finished(
        self,
        duration_seconds: float,
        stop_reason: str,
        size_bytes: int = 0,
        video_codec: str | None = None,
        audio_codec: str | None = None,
        container: str = "mp4",
    ) -> TakeRecord:
        """The recorder has closed the take: play it back, then keep or re-record."""
        self._need_phase("recording")
        assert self.answer.recording_file is not None
        take = TakeRecord(
            number=self.next_take_number(),
            file=self.answer.recording_file,
            duration_seconds=round(duration_seconds, 3),
            started_at=self.answer.recording_started_at or self._now(),
            ended_at=self._now(),
            think_seconds_used=round(self.answer.think_seconds_used, 3),
            stop_reason=stop_reason,
            size_bytes=size_bytes,
            container=container,
            video_codec=video_codec,
            audio_codec=audio_codec,
        )
        self.answer.takes.append(take)
        self.answer.phase = "deciding"
        self.answer.recording_file = None
        self.answer.recording_started_at = None
        self._record_started = None
        return take

    def take_failed(self) -> None:
        """The recorder produced nothing usable: the attempt does not count."""
        self._need_phase("recording")
        self.answer.recording_file = None
        self.answer.recording_started_at = None
        self._record_started = None
        self.answer.phase = "deciding" if self.answer.takes else "ready"

    def retake(self) -> None:
        self._need_phase("deciding")
        if self.takes_left(self.question) <= 0:
            raise SessionStateError("There are no retakes left for this question.")
        self.answer.phase = "thinking"
        self._think_started = self.clock.monotonic()

    def keep_take(self, number: int) -> None:
        """Choose the take to submit for the current question and move on."""
        self._need_phase("deciding")
        if not any(t.number == number for t in self.answer.takes):
            raise SessionStateError(f"There is no take {number} for this question.")
        self.answer.chosen_take = number
        self.answer.phase = "done"
        self._advance()

    def draft_text(self, text: str) -> None:
        """Keep what is written so far (saved with the state; a crash loses no words)."""
        self._need_phase("writing")
        self.answer.text = text[: self.question.text_max_chars * 2]

    def save_text(self, text: str) -> None:
        self._need_phase("writing")
        # Pasted text may carry control characters the bundle format refuses; drop them.
        text = without_control_characters(text, multiline=True).strip()
        if not text:
            raise InvalidInputError("Please write your answer before saving it.")
        if len(text) > self.question.text_max_chars:
            raise InvalidInputError(
                f"Your answer is longer than {self.question.text_max_chars} characters."
            )
        self.answer.text = text
        if self._text_started is not None:
            used = self.answer.text_seconds + self._writing_elapsed()
            self.answer.text_seconds = min(used, self.text_limit(self.question))
            self._text_started = None
        self.answer.text_ended_at = self._now()
        self.answer.phase = "done"
        self._advance()

    def _advance(self) -> None:
        if self.all_answered():
            self.state.returning_to_review = False
            self.state.step = "review"
            return
        for i, a in enumerate(self.state.answers):
            if a.phase != "done":
                self.state.current = i
                return

    def redo(self, question_id: str) -> None:
        """From the review: answer a question again while it has takes left."""
        if not self.can_redo(question_id):
            raise SessionStateError("This question has no retakes left.")
        index = next(i for i, a in enumerate(self.state.answers) if a.question_id == question_id)
        self.state.current = index
        self.state.returning_to_review = True
        self.state.step = "questions"
        answer = self.state.answers[index]
        answer.phase = "ready"

    def cancel_redo(self) -> int:
        """Back to the review without a new take (the kept answer stays as it was). A written
        answer keeps what the editor holds; the number of characters over the limit that were
        left out is returned (0 but for a draft kept from an older version)."""
        self._need_phase("ready", "deciding", "writing")
        if not self.state.returning_to_review:
            raise SessionStateError("There is no answer to return to.")
        answer = self.answer
        left_out = 0
        if answer.phase == "writing":
            text = without_control_characters(answer.text, multiline=True).strip()
            left_out = max(0, len(text) - self.question.text_max_chars)
            answer.text = text[: self.question.text_max_chars]
        if answer.phase == "deciding" and answer.chosen_take is None:
            raise SessionStateError("Please choose a take first.")
        if answer.chosen_take is None and not answer.text:
            raise SessionStateError("Please answer this question first.")
        if answer.phase == "writing" and self._text_started is not None:
            used = answer.text_seconds + self._writing_elapsed()
            answer.text_seconds = min(used, self.text_limit(self.question))
        answer.phase = "done"
        self._text_started = None
        self.state.returning_to_review = False
        self.state.step = "review"
        return left_out

    def mark_sent(self, path: str, size: int, sha256: str) -> None:
        self._need_step("review")
        if not self.all_answered():
            raise SessionStateError("Please answer every question before sending.")
        self.state.bundle_path = path
        self.state.bundle_size = size
        self.state.bundle_sha256 = sha256
        self.state.sent_at = self._now()
        self.state.step = "sent"

    # -- after a crash ------------------------------------------------------------------------
    def resume(self, recovered: dict[str, TakeRecord]) -> None:
        """Continue after a restart; ``recovered`` maps take file names to salvaged takes.

        An interrupted take that was salvaged counts as a take (stop reason "recovered") and
        is offered for playback; one that left nothing usable does not count. Thinking time
        starts again, since the candidate lost it to the crash.
        """
        if self.state.step != "questions":
            return
        answer = self.answer
        if answer.phase == "recording":
            file = answer.recording_file
            take = recovered.get(file) if file else None
            answer.recording_file = None
            if take is not None:
                take.number = self.takes_used(self.question) + 1
                take.started_at = answer.recording_started_at or take.started_at or self._now()
                take.ended_at = take.ended_at or _plus_seconds(
                    take.started_at, take.duration_seconds
                )
                take.think_seconds_used = round(answer.think_seconds_used, 3)
                answer.takes.append(take)
                answer.phase = "deciding"
            else:
                answer.phase = "deciding" if answer.takes else "ready"
            answer.recording_started_at = None
        elif answer.phase == "thinking":
            answer.phase = "ready"
        elif answer.phase == "writing":
            self._text_started = self.clock.monotonic()

    # -- the submission ------------------------------------------------------------------------
    def consent(self) -> Consent:
        from onetake_desktop.domain.manifest import Consent

        if self.state.consent_notice_sha256 is None or self.state.consent_given_at is None:
            raise SessionStateError("The candidate has not agreed to the privacy notice.")
        return Consent(self.state.consent_notice_sha256, self.state.consent_given_at)

    def chosen(self, question_id: str) -> TakeRecord | None:
        answer = self.answer_for(question_id)
        for t in answer.takes:
            if t.number == answer.chosen_take:
                return t
        return None

    def answer_records(self, media: dict[str, MediaFile]) -> tuple[AnswerRecord, ...]:
        """One record per question, in kit order; ``media`` maps question ids to bundle files."""
        from onetake_desktop.domain.manifest import AnswerRecord

        if not self.all_answered():
            raise SessionStateError("Please answer every question before sending.")
        records = []
        for q in self.kit.questions:
            answer = self.answer_for(q.id)
            kind = self.answer_type(q)
            if kind == "text":
                records.append(
                    AnswerRecord(
                        question_id=q.id,
                        answer_type="text",
                        takes_used=1,
                        submitted_take=1,
                        think_seconds_used=round(answer.think_seconds_used, 3),
                        answer_seconds=round(answer.text_seconds, 3),
                        started_at=answer.text_started_at or answer.text_ended_at or "",
                        ended_at=answer.text_ended_at or "",
                        text=answer.text,
                    )
                )
                continue
            take = self.chosen(q.id)
            if take is None or q.id not in media:
                raise SessionStateError(f"The answer to {q.id} has no recording.")
            file = media[q.id]
            records.append(
                AnswerRecord(
                    question_id=q.id,
                    answer_type=cast(AnswerType, "audio" if file.video_codec is None else kind),
                    takes_used=self.takes_used(q),
                    submitted_take=take.number,
                    think_seconds_used=take.think_seconds_used,
                    answer_seconds=round(file.duration_seconds, 3),
                    started_at=take.started_at,
                    ended_at=take.ended_at,
                    media=file,
                )
            )
        return tuple(records)
