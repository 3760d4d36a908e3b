"""Candidate mode's rules through the service (no Qt, no PyAV; a stand-in recorder).

Restarts keep the retake budget, a dialog never consumes a take, take file names are never
reused, deadlines follow the kit's late_submissions, written answers obey their time limit,
silent or jerky takes are flagged, devices that do not exist are never offered, the local data
is private and deleted when promised, and an older state.json is upgraded.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import DeviceError, InvalidInputError
from onetake_desktop.domain.handover import HandOver
from onetake_desktop.domain.kit import Kit, Question
from onetake_desktop.domain.session import (
    SESSION_FORMAT_VERSION,
    SessionState,
    SessionStateError,
    upgrade_state,
)
from onetake_desktop.media.devices import Device, DeviceList
from onetake_desktop.media.profiles import get_profile
from onetake_desktop.media.types import TakeResult, TakeStats
from onetake_desktop.services.candidate import (
    RECEIPT_KEEP_DAYS,
    SENT_KEEP_DAYS,
    UNSENT_KEEP_DAYS,
    CandidatePrefs,
    CandidateService,
    _mb,
    load_candidate_prefs,
    purge_unsent_sessions,
    save_candidate_prefs,
    session_folder_name,
    set_aside_folders,
)
from tests.unit.test_session import make_kit
from tests.unit.test_session_service import FakeCapture, FakeTake, take_result

KIT_HASH = "sha256:" + "cd" * 32
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


class QuietCapture(FakeCapture):
    """A microphone that hears (almost) nothing, and a computer that drops pictures."""

    level = (0.0, 0.0)
    stats = TakeStats()

    def audio_level(self) -> tuple[float, float]:
        return self.level

    def start_take(
        self, out: Path, profile: Any, max_seconds: float | None = None, on_finished: Any = None
    ) -> FakeTake:
        take = super().start_take(out, profile, max_seconds, on_finished)
        stats = self.stats

        def stop(reason: str = "stopped") -> TakeResult:
            take.result = dataclasses.replace(FakeTake.stop(take, reason), stats=stats)
            return take.result

        take.stop = stop  # type: ignore[method-assign]
        return take


def make_service(
    tmp_path: Path,
    clock: ManualClock,
    kit: Kit | None = None,
    capture: type[FakeCapture] = FakeCapture,
    folder: str = "session",
) -> CandidateService:
    FakeCapture.opened = []
    svc = CandidateService(
        kit or make_kit(),
        KIT_HASH,
        clock=clock,
        capture_factory=lambda cam, mic: capture(cam, mic, clock),
        session_dir=tmp_path / folder,
        privacy_hash="sha256:notice",
    )
    # the profile only names the encoder settings; these tests never encode
    svc.profile_for = lambda question=None: get_profile(None)  # type: ignore[method-assign]
    return svc


def at_questions(svc: CandidateService) -> CandidateService:
    svc.begin()
    svc.give_consent("Ada", "ada@example.com")
    svc.open_devices("synthetic", "synthetic")
    svc.confirm_devices()
    svc.finish_practice()
    return svc


def phase(svc: CandidateService) -> str:
    """The answer's phase as plain text (mypy narrows attribute reads across calls)."""
    return str(svc.session.answer.phase)


def record(svc: CandidateService, clock: ManualClock, seconds: float = 6.0) -> None:
    svc.show_question()
    svc.start_answer()
    for _ in range(3):
        clock.advance(seconds / 3)
        svc.tick()
    svc.stop_answer()


# -- restarts, names, dialogs ---------------------------------------------------------------------
def test_start_over_keeps_the_retake_budget_and_records_each_restart(
    tmp_path: Path, clock: ManualClock
) -> None:
    svc = at_questions(make_service(tmp_path, clock))
    record(svc, clock)
    q1 = svc.session.question
    assert svc.session.takes_left(q1) == 1
    svc.start_over()
    svc.start_over()  # twice: both are recorded
    assert len(svc.session.state.restarts) == 2
    assert svc.session.step == "welcome"
    at_questions(svc)
    assert svc.session.takes_left(q1) == 1, "a restart does not give takes back"
    record(svc, clock)
    assert svc.session.answer.takes[-1].number == 2  # numbering goes on from before
    assert svc.session.takes_left(q1) == 0
    with pytest.raises(SessionStateError):
        svc.retake()
    svc.keep_take(2)
    # reopening carries the history too
    again = make_service(tmp_path, clock)
    assert again.session.state.restarts == svc.session.state.restarts
    assert again.session.takes_used(q1) == 2


def test_take_file_names_are_never_reused(tmp_path: Path, clock: ManualClock) -> None:
    svc = at_questions(make_service(tmp_path, clock))
    svc.show_question()
    svc.start_answer()
    first = svc.session.answer.recording_file
    take = svc.capture.take  # type: ignore[union-attr]
    assert take is not None
    take.on_finished(take_result(take.out, 0.0, 0, "device_lost", "The microphone stopped."))
    svc.tick()  # the failed take does not count...
    svc.show_question()
    svc.start_answer()
    second = svc.session.answer.recording_file
    assert first == "q1-take1.mp4" and second == "q1-take1-2.mp4"  # ...but its name stays used
    svc.start_over()
    at_questions(svc)
    svc.show_question()
    svc.start_answer()
    assert svc.session.answer.recording_file not in (first, second)


def test_a_dialog_during_an_answer_ends_the_take_without_counting_it(
    tmp_path: Path, clock: ManualClock
) -> None:
    svc = at_questions(make_service(tmp_path, clock))
    svc.show_question()
    svc.start_answer()
    clock.advance(8)
    path = svc.takes_dir / str(svc.session.answer.recording_file)
    sentence = svc.interrupt()
    assert "does not count" in sentence and "2 takes" in sentence
    assert not svc.recording and not path.exists()
    assert svc.session.answer.phase == "ready"
    assert svc.session.takes_left(svc.session.question) == 2
    clock.advance(600)  # however long the dialog stays open, nothing records
    svc.tick()
    assert svc.session.answer.phase == "ready" and not svc.recording
    # thinking time is stopped too (it would run out into a recording behind the dialog)
    svc.show_question()
    assert "thinking time" in svc.interrupt().lower()
    clock.advance(600)
    svc.tick()
    assert svc.session.answer.phase == "ready"
    assert svc.interrupt() == ""


def test_the_takes_pill_names_the_take_and_counts_only_what_was_recorded(
    tmp_path: Path, clock: ManualClock
) -> None:
    """One wording before, during and after a take, and nothing a dialog takes back: the
    pill never says a take is used that the session then gives back (review s11b L4)."""
    svc = at_questions(make_service(tmp_path, clock))
    seen = [svc.takes_pill()]  # ready
    svc.show_question()
    seen.append(svc.takes_pill())  # thinking
    svc.start_answer()
    seen.append(svc.takes_pill())  # recording
    svc.interrupt()  # a dialog: the take does not count
    seen.append(svc.takes_pill())  # ready again, the same take
    assert seen == ["Take 1 of 2"] * 4
    record(svc, clock)
    assert phase(svc) == "deciding" and svc.takes_pill() == "Take 1 of 2"
    svc.retake()
    assert svc.takes_pill() == "Take 2 of 2"  # thinking about the second take
    svc.interrupt()  # the thinking stops; the next take is still the second
    assert phase(svc) == "ready" and svc.takes_pill() == "Take 2 of 2"
    record(svc, clock)
    assert phase(svc) == "deciding" and svc.takes_pill() == "Take 2 of 2"
    # After a restart with every take used, the pill says so instead of naming a take 3.
    svc.start_over()
    at_questions(svc)
    assert phase(svc) == "ready" and svc.takes_pill() == "All 2 takes used"
    # A written question has no takes.
    svc.session.state.current = 2
    assert svc.takes_pill() == "Written answer"


# -- the kit's rules ------------------------------------------------------------------------------
def deadline_kit(policy: str, days: int = -1) -> Kit:
    return make_kit()._replace(
        deadline=NOW + timedelta(days=days),
        late_submissions=policy,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("policy", ["allow", "mark", "refuse"])
def test_a_passed_deadline_is_stated_and_follows_late_submissions(
    tmp_path: Path, clock: ManualClock, policy: str
) -> None:
    svc = make_service(tmp_path, clock, deadline_kit(policy))
    notice = svc.deadline_notice()
    assert notice.startswith("The deadline for this interview was ")
    assert any(line.startswith("The deadline was") for line in svc.welcome_facts())
    if policy == "refuse":
        assert not svc.can_seal() and "cannot be sealed" in notice
        with pytest.raises(SessionStateError, match="deadline"):
            svc.seal_bundle(tmp_path / "x.onetake")
    else:
        assert svc.can_seal()
        assert ("marked as late" in notice) == (policy == "mark")
    on_time = make_service(tmp_path, clock, deadline_kit(policy, days=3), folder="other")
    assert on_time.deadline_notice() == "" and on_time.can_seal()
    assert any("days left" in line for line in on_time.welcome_facts())


def test_written_answer_has_think_time_and_its_time_limit_is_enforced(
    tmp_path: Path, clock: ManualClock
) -> None:
    kit = make_kit()._replace(
        questions=(Question("w1", "Write to a customer.", "", 20, 0, 120, 0, answer_type="text"),),
    )
    notices: list[str] = []
    svc = make_service(tmp_path, clock, kit)
    svc.notice_listeners.append(notices.append)
    svc.begin()
    svc.give_consent("Ada", "ada@example.com")
    assert svc.session.step == "questions", "a written-only kit skips devices and practice"
    svc.show_question()
    assert phase(svc) == "thinking"
    clock.advance(20)
    svc.tick()
    assert phase(svc) == "writing"
    svc.save_draft("Dear customer, thank you")
    clock.advance(119)
    svc.tick()
    assert phase(svc) == "writing"
    assert 0 < svc.session.text_time_left(kit.questions[0]) <= 1
    clock.advance(1)
    svc.tick()
    assert str(svc.session.step) == "review"
    a = svc.session.answer_for("w1")
    assert a.text == "Dear customer, thank you" and a.text_seconds == 120
    assert notices == ["Time's up: your written answer was saved as it was."]
    assert not svc.session.can_redo("w1"), "no writing time is left to edit it"


def test_practice_has_its_own_think_time(tmp_path: Path, clock: ManualClock) -> None:
    svc = make_service(tmp_path, clock)
    svc.begin()
    svc.give_consent("Ada", "ada@example.com")
    svc.open_devices("synthetic", "synthetic")
    svc.confirm_devices()
    svc.start_practice()
    assert svc.practice_phase == "thinking" and svc.practice_think_limit() == 15
    clock.advance(14)
    svc.tick()
    assert not svc.recording
    clock.advance(1)
    svc.tick()
    assert svc.recording and svc.practice_phase == "recording"


def test_a_silent_take_is_flagged(tmp_path: Path, clock: ManualClock) -> None:
    QuietCapture.level = (0.0, 0.0005)  # about -66 dBFS
    svc = at_questions(make_service(tmp_path, clock, capture=QuietCapture))
    svc.show_question()
    svc.start_answer()
    for _ in range(5):
        clock.advance(1.5)
        svc.tick()
    svc.stop_answer()
    assert "nearly silent" in svc.take_warning
    assert svc.session.takes_left(svc.session.question) == 1  # the choice to record again
    QuietCapture.level = (0.1, 0.4)
    svc.retake()
    svc.start_answer()
    clock.advance(6)
    svc.tick()
    svc.stop_answer()
    assert svc.take_warning == ""


def test_many_dropped_pictures_switch_to_the_light_profile_and_say_so(
    tmp_path: Path, clock: ManualClock
) -> None:
    QuietCapture.level = (0.1, 0.4)
    QuietCapture.stats = TakeStats(frames_captured=300, frames_dropped=90)
    try:
        svc = at_questions(make_service(tmp_path, clock, capture=QuietCapture))
        record(svc, clock)
    finally:
        QuietCapture.stats = TakeStats()
    assert "could not keep up" in svc.take_warning and "lighter" in svc.take_warning
    st = svc.session.state
    assert st.profile == "light"
    assert len(st.profile_changes) == 1 and "q1: default -> light" in st.profile_changes[0]


# -- devices --------------------------------------------------------------------------------------
def test_only_devices_that_exist_are_offered(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onetake_desktop.media.devices as devices

    svc = make_service(tmp_path, clock)
    monkeypatch.setattr(devices, "list_devices", lambda: DeviceList([], [], ["x"]))
    choices = svc.device_choices("camera:0", "mic:default")
    assert choices.cameras == [] and choices.microphones == []  # no phantom "Camera 0"
    found = DeviceList(
        [Device("camera", "camera:2", "Camera 2")],
        [Device("microphone", "mic:USB", "USB", default=True)],
    )
    monkeypatch.setattr(devices, "list_devices", lambda: found)
    choices = svc.device_choices("camera:0", "mic:default")
    assert [c[0] for c in choices.cameras] == ["camera:2"]
    assert [m[0] for m in choices.microphones] == ["mic:default", "mic:USB"]
    # stand-ins chosen on the command line are always offered
    choices = svc.device_choices("synthetic", "synthetic")
    assert choices.cameras[0][0] == "synthetic" and choices.microphones[0][0] == "synthetic"


class NoCameraCapture(FakeCapture):
    def start(self) -> None:
        if self.specs[0] is not None:
            raise DeviceError("OpenCV: VIDEOIO could not open /dev/video0; run v4l2-ctl")
        super().start()


def test_a_camera_that_fails_leads_to_audio_only_in_plain_words(
    tmp_path: Path, clock: ManualClock
) -> None:
    svc = make_service(tmp_path, clock, capture=NoCameraCapture)
    svc.begin()
    svc.give_consent("Ada", "ada@example.com")
    opening = svc.start_devices("camera:0", "synthetic")
    assert opening.capture is not None and opening.camera is None
    assert "camera could not be started" in opening.problem
    assert "v4l2" not in opening.problem and "--" not in opening.problem
    svc.use_devices(opening)
    assert svc.capture_specs == (None, "synthetic")
    assert svc.device_ways_forward(mic_failed=False) == ["audio_only"]
    with pytest.raises(DeviceError, match="audio only"):  # not without the candidate's choice
        svc.confirm_devices()
    svc.choose_audio_only()
    svc.confirm_devices()
    assert svc.session.state.audio_only


def test_a_video_interview_goes_on_without_a_camera_only_once_audio_only_is_chosen(
    tmp_path: Path, clock: ManualClock
) -> None:
    svc = make_service(tmp_path, clock)
    assert svc.wants_video
    svc.begin()
    svc.give_consent("Ada", "ada@example.com")
    svc.open_devices(None, "synthetic")  # no camera found: the microphone alone
    with pytest.raises(DeviceError) as refused:
        svc.confirm_devices()
    assert str(refused.value) == (
        "Please start your camera, or choose to answer with audio only, before going on."
    )
    assert svc.session.step == "devices"
    state = svc.device_state(cameras_found=False)
    assert state is not None and not state.ready and "No camera was found" in state.problem
    svc.choose_audio_only()
    svc.choose_audio_only(False)  # Try again: the candidate wants the camera after all
    with pytest.raises(DeviceError):
        svc.confirm_devices()
    svc.open_devices("synthetic", "synthetic")  # a camera works: no choice is needed
    svc.confirm_devices()
    assert svc.session.step == "practice" and not svc.session.state.audio_only


def test_no_microphone_offers_written_answers_when_the_kit_allows_and_a_note(
    tmp_path: Path, clock: ManualClock
) -> None:
    kit = make_kit()._replace(written_instead=True, contact="jo@example.org")
    svc = make_service(tmp_path, clock, kit)
    svc.begin()
    svc.give_consent("Ada", "ada@example.com")
    opening = svc.start_devices("synthetic", "mic:broken")
    assert opening.capture is None
    assert "microphone could not be started" in opening.problem and "mic:" not in opening.problem
    assert svc.device_ways_forward(mic_failed=True) == ["written", "contact"]
    note = svc.contact_note()
    assert "Support engineer" in note and "Ada" in note and "acme-support" in note
    with pytest.raises(DeviceError):
        svc.confirm_devices()
    svc.choose_written_answers()
    s = svc.session
    assert s.step == "questions" and s.state.written_instead
    assert all(s.answer_type(q) == "text" for q in kit.questions)
    # a kit that does not allow it offers only the contact (or nothing)
    plain = make_service(tmp_path, clock, folder="plain")
    plain.begin()
    plain.give_consent("Ada", "ada@example.com")
    assert plain.device_ways_forward(mic_failed=True) == []
    with pytest.raises(SessionStateError):
        plain.choose_written_answers()


# -- local data -----------------------------------------------------------------------------------
def test_session_folders_and_files_are_private(tmp_path: Path, clock: ManualClock) -> None:
    svc = at_questions(make_service(tmp_path, clock))
    record(svc, clock)
    for folder in (svc.dir, svc.takes_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(svc.state_path.stat().st_mode) == 0o600
    take = svc.takes_dir / svc.session.answer.takes[0].file
    assert stat.S_IMODE(take.stat().st_mode) == 0o600


NAME, EMAIL, WRITTEN = "Zoë Quokka", "zoe.quokka@example.org", "Because the wombats asked."


def answer_everything(svc: CandidateService, clock: ManualClock) -> None:
    """From consent to the end: devices, practice, two takes kept and the written answer."""
    svc.open_devices("synthetic", "synthetic")
    svc.confirm_devices()
    svc.finish_practice()
    for _ in range(2):
        record(svc, clock)
        svc.keep_take(svc.session.answer.takes[-1].number)
    svc.show_question()
    svc.save_text(WRITTEN)


def sent_service(
    tmp_path: Path,
    clock: ManualClock,
    folder: str = "session",
    restart: bool = False,
    kit: Kit | None = None,
) -> CandidateService:
    """A sealed interview (two takes and a written answer), consent with extra time; with
    ``restart``, a first attempt was set aside by "Start over" before it. The sealed file
    has the default name (which holds the candidate's name)."""
    svc = make_service(tmp_path, clock, folder=folder, kit=kit)
    svc.begin()
    svc.give_consent(NAME, EMAIL, ["extra-time"])
    if restart:
        svc.open_devices("synthetic", "synthetic")
        svc.confirm_devices()
        svc.finish_practice()
        record(svc, clock)
        svc.start_over()
        svc.begin()
        svc.give_consent(NAME, EMAIL, ["extra-time"])
    answer_everything(svc, clock)
    bundle = tmp_path / svc.default_bundle_name()
    assert "Quokka" in bundle.name
    bundle.write_bytes(b"sealed")
    receipt = type("R", (), {"path": bundle, "size": 6, "sha256": "ab" * 32})()
    svc.mark_sent(receipt)
    svc.close()
    return svc


def personal_data_in(*folders: Path, but: str = "") -> list[str]:
    """Every file under ``folders`` (and their set-aside siblings) that holds the candidate's
    name, email or written answer, as UTF-8 or as JSON writes it (non-ASCII escaped); ``but``
    (a sealed file's path, as the state saves it) is left out of the search."""
    needles: list[bytes] = []
    for text in (NAME, EMAIL, WRITTEN, *NAME.split(), EMAIL.split("@")[0]):
        needles += [text.encode("utf-8"), json.dumps(text)[1:-1].encode("ascii")]
    found = []
    for folder in folders:
        for path in [folder, *set_aside_folders(folder)]:
            for f in path.rglob("*"):
                data = f.read_bytes() if f.is_file() else b""
                for form in (json.dumps(but)[1:-1].encode("ascii"), but.encode("utf-8")):
                    data = data.replace(form, b"") if but else data
                if any(n in data for n in needles):
                    found.append(str(f.relative_to(folder.parent)))
    return found


def saved(svc: CandidateService) -> dict[str, Any]:
    """The state file as it is on the disk (not the service's copy in memory)."""
    data: dict[str, Any] = json.loads(svc.state_path.read_bytes())
    return data


# What a cleared receipt may keep: nothing else differs from a new state's defaults.
RECEIPT_FIELDS = {
    "kit_hash",
    "answers",
    "step",
    "bundle_size",
    "bundle_sha256",
    "sent_at",
    "submitted_late",
    "cleared_at",
    "uploaded_at",
    "format_version",
}


def test_delete_my_data_leaves_a_receipt_without_name_email_or_answers(
    tmp_path: Path, clock: ManualClock
) -> None:
    early = at_questions(make_service(tmp_path, clock, folder="early"))
    record(early, clock)
    with pytest.raises(SessionStateError):
        early.delete_recordings()  # before sealing nothing is deleted: no answer is lost
    assert saved(early)["candidate_name"] == "Ada" and any(early.takes_dir.iterdir())

    svc = sent_service(tmp_path, clock, restart=True)
    (svc.dir / "state-damaged-1.json").write_text(json.dumps({"candidate_email": EMAIL}))
    assert len(set_aside_folders(svc.dir)) == 1
    # What the receipt says is kept is what the folder holds.
    size = svc.local_recordings_bytes()
    said = svc.kept_sentence()
    assert said.startswith(
        f"This computer still keeps your recordings ({_mb(size)}), your written answers and "
        "your name and email in a private folder"
    )
    state = saved(svc)
    assert state["candidate_name"] == NAME and state["candidate_email"] == EMAIL
    assert [a["text"] for a in state["answers"]][-1] == WRITTEN
    assert personal_data_in(svc.dir)

    svc.delete_recordings()
    assert personal_data_in(svc.dir) == [], "nothing personal is left in any file"
    assert [p.name for p in svc.dir.iterdir()] == ["state.json"]
    assert set_aside_folders(svc.dir) == [] and svc.local_recordings_bytes() == 0
    state = saved(svc)
    blank = SessionState(kit_hash=KIT_HASH, answers=[]).to_dict()
    assert {k for k, v in state.items() if v != blank.get(k)} <= RECEIPT_FIELDS
    assert state["bundle_path"] is None and state["time_multiplier"] == 1.0
    now = clock.now()
    assert state["bundle_sha256"] == "ab" * 32
    assert state["cleared_at"] == now.isoformat(timespec="seconds")
    assert all(a == {**a, "text": "", "takes": []} for a in state["answers"])
    assert svc.kept_sentence().startswith(
        "The recordings, written answers, name and email of this interview were deleted "
        f"from this computer on {now.astimezone().day} {now.astimezone():%B %Y}. Only this "
        "receipt stays"
    )
    assert (tmp_path / f"acme-support-{NAME.replace(' ', '-')}.onetake").is_file()
    # Reopened, the kit shows the receipt; start over still cannot touch a sealed interview.
    again = make_service(tmp_path, clock)
    assert again.session.step == "sent" and again.cleared and not again.resumable
    assert again.session.state.bundle_sha256 == "ab" * 32
    with pytest.raises(SessionStateError):
        again.start_over()


def test_a_new_interview_starts_here_once_the_sealed_one_is_cleared(
    tmp_path: Path, clock: ManualClock
) -> None:
    svc = sent_service(tmp_path, clock)
    assert not svc.can_start_new()  # the last candidate's data is still here
    with pytest.raises(SessionStateError):
        svc.start_new()
    assert saved(svc)["candidate_name"] == NAME
    svc.delete_recordings()
    assert svc.can_start_new()
    svc.start_new()
    assert svc.session.step == "welcome" and not svc.cleared and not svc.resumable
    state = saved(svc)
    assert state["bundle_sha256"] is None and state["sent_at"] is None
    assert state["restarts"] == [] and state["takes_before"] == {}  # a new person's budget
    assert [p.name for p in svc.dir.iterdir()] == ["state.json"]
    # The next person takes the interview as anyone would; reopening resumes theirs.
    svc.begin()
    svc.give_consent("Ben Wombat", "ben@example.org")
    again = make_service(tmp_path, clock)
    assert again.resumable and again.session.state.candidate_name == "Ben Wombat"


def test_a_cleared_receipt_keeps_the_upload_time_and_nothing_to_send(
    tmp_path: Path, clock: ManualClock
) -> None:
    svc = sent_service(tmp_path, clock)
    bundle = Path(svc.session.state.bundle_path or "")
    uploaded = "2026-06-01T12:30:00+00:00"
    bundle.with_name(bundle.name + ".send.json").write_text(
        json.dumps(
            {
                "upload_url": "https://x/files/abc",
                "size": 6,
                "sha256": "ab" * 32,
                "completed_at": uploaded,
            }
        )
    )
    svc.delete_recordings()
    assert saved(svc)["uploaded_at"] == uploaded
    assert svc.uploaded_on() and not svc.send_status().pending
    with pytest.raises(SessionStateError):
        svc.upload_job(lambda p: None, lambda r: None, lambda e: None)


def test_the_deletion_question_names_the_file_and_warns_while_it_is_not_sent(
    tmp_path: Path, clock: ManualClock
) -> None:
    kit = make_kit()._replace(hand_over=HandOver(upload_url="https://intake.example.org/files/"))
    svc = make_service(tmp_path, clock, kit=kit)
    svc.begin()
    svc.give_consent(NAME, EMAIL)
    answer_everything(svc, clock)
    bundle = tmp_path / "answers.onetake"
    bundle.write_bytes(b"sealed")
    svc.mark_sent(type("R", (), {"path": bundle, "size": 6, "sha256": "ab" * 32})())
    asked = svc.delete_question()
    assert f"stays at {bundle}" in asked and "not been sent yet" in asked
    mark_uploaded(svc)  # beside ``bundle``: mark_sent saved its path
    assert "not been sent" not in svc.delete_question()


def _days(sentence: str, pattern: str) -> int:
    """The number of days a sentence states, read from the sentence itself."""
    found = re.search(pattern, sentence)
    assert found is not None, f"{pattern!r} not in {sentence!r}"
    return int(found[1])


def open_another_interview(root: Path, clock: ManualClock) -> None:
    """What keeps the promise: opening any interview in the app's sessions folder."""
    CandidateService(make_kit(), "sha256:" + "ef" * 32, clock=clock, sessions=root)


def mark_uploaded(svc: CandidateService, when: str = "2026-06-01T12:30:00+00:00") -> None:
    """What a finished upload leaves beside the sealed file (services/upload.py)."""
    bundle = Path(svc.session.state.bundle_path or "")
    bundle.with_name(bundle.name + ".send.json").write_text(
        json.dumps(
            {
                "upload_url": "https://intake.example.org/files/abc",
                "size": 6,
                "sha256": "ab" * 32,
                "completed_at": when,
            }
        )
    )


def test_the_privacy_page_and_the_receipt_say_what_happens_to_the_data(
    tmp_path: Path, clock: ManualClock
) -> None:
    root = tmp_path / "sessions"
    svc = sent_service(tmp_path, clock, folder=f"sessions/{session_folder_name(KIT_HASH)}")
    mark_uploaded(svc)  # sent: nothing is kept to send it (an unsent file: the test below)
    told = svc.local_data_sentence()
    sealed_days = _days(told, r"more than (\d+) days later")
    receipt_days = _days(told, r"more than (\d+) days after the deletion")
    assert sealed_days == _days(svc.kept_sentence(), r"more than (\d+) days after sealing")
    day = 86400.0
    # Sealed: kept until more than the stated days have passed, then cleared.
    clock.advance(sealed_days * day - 60)
    open_another_interview(root, clock)
    assert saved(svc)["candidate_name"] == NAME and svc.takes_dir.is_dir()
    clock.advance(120)
    open_another_interview(root, clock)
    assert personal_data_in(svc.dir) == [] and [p.name for p in svc.dir.iterdir()] == ["state.json"]
    again = make_service(tmp_path, clock, folder=f"sessions/{svc.dir.name}")
    assert again.cleared
    assert receipt_days == _days(again.kept_sentence(), r"more than (\d+) days after that")
    # The receipt: kept until more than the stated days after the deletion, then deleted.
    clock.advance(receipt_days * day - 60)
    open_another_interview(root, clock)
    assert saved(again)["step"] == "sent"
    clock.advance(120)
    open_another_interview(root, clock)
    assert not again.dir.exists()


def test_the_kit_being_opened_keeps_the_same_promise_for_its_own_sealed_session(
    tmp_path: Path, clock: ManualClock
) -> None:
    root = tmp_path / "sessions"
    svc = sent_service(tmp_path, clock, folder=f"sessions/{session_folder_name(KIT_HASH)}")
    mark_uploaded(svc)
    clock.advance((SENT_KEEP_DAYS + 1) * 86400)
    reopened = CandidateService(make_kit(), KIT_HASH, clock=clock, sessions=root)
    assert reopened.session.step == "sent" and reopened.cleared
    assert personal_data_in(svc.dir) == []
    assert reopened.can_start_new()
    clock.advance((RECEIPT_KEEP_DAYS + 1) * 86400)
    fresh = CandidateService(make_kit(), KIT_HASH, clock=clock, sessions=root)
    assert fresh.session.step == "welcome" and not svc.dir.exists()


@pytest.mark.parametrize("opened", ["itself", "another"])
@pytest.mark.parametrize("can_upload", [True, False])
def test_a_file_not_sent_keeps_its_place_after_the_days_and_only_that(
    tmp_path: Path, clock: ManualClock, opened: str, can_upload: bool
) -> None:
    """Cleared by the days before it was sent, a sealed file can still be sent from here (the
    real upload: tests/pipeline/test_upload.py); its place goes once it is sent."""
    root = tmp_path / "sessions"
    kit = make_kit()
    if can_upload:
        kit = kit._replace(hand_over=HandOver(upload_url="https://intake.example.org/files/"))
    folder = f"sessions/{session_folder_name(KIT_HASH)}"
    svc = sent_service(tmp_path, clock, folder=folder, kit=kit)
    bundle = svc.session.state.bundle_path or ""
    told = svc.local_data_sentence()
    sealed_days = _days(told, r"more than (\d+) days later")
    receipt_days = _days(told, r"more than (\d+) days after the deletion")
    assert "the file's name holds your name unless you chose another" in told
    clock.advance(sealed_days * 86400.0 + 60)

    def reopen() -> CandidateService:
        if opened == "another":
            open_another_interview(root, clock)
        return CandidateService(kit, KIT_HASH, clock=clock, sessions=root)

    again = reopen()
    state = saved(again)
    assert again.session.step == "sent" and not again.cleared and state["cleared_at"]
    assert state["bundle_path"] == bundle and "Quokka" in bundle  # the default name
    assert state["candidate_name"] == state["candidate_email"] == ""
    assert state["accommodations"] == [] and state["camera"] is None
    assert all(a["text"] == "" and a["takes"] == [] for a in state["answers"])
    assert [p.name for p in again.dir.iterdir()] == ["state.json"]
    assert personal_data_in(again.dir, but=bundle) == [], "only the file's place names them"
    said = again.kept_sentence()
    assert "the file's name holds your name unless you chose another" in said
    assert _days(said, r"more than (\d+) days after that") == receipt_days
    assert again.receipt().path == Path(bundle) and not again.can_start_new()
    assert "not been sent yet" in again.delete_question() or not can_upload
    assert "The button below forgets it now." in said
    assert again.send_options().can_upload == can_upload
    if can_upload:
        assert "can still be sent from here" in said and "after the file was sent" in said
        again.upload_job(lambda p: None, lambda r: None, lambda e: None).close()
        mark_uploaded(again)  # sent: its place is forgotten at the next opening
        sent = reopen()
        assert sent.cleared and sent.uploaded_on() and saved(sent)["bundle_path"] is None
        assert personal_data_in(sent.dir) == []
        assert saved(sent)["cleared_at"] == state["cleared_at"]  # the days still count
    else:
        assert "so that you can still copy it from here" in said
        again.delete_recordings()  # the button: the place goes now, the receipt stays
        assert again.cleared and saved(again)["bundle_path"] is None
        assert personal_data_in(again.dir) == [] and again.can_start_new()
    # Sent or not, the receipt goes after the stated days, and with it the file's place.
    clock.advance(receipt_days * 86400.0 - 120)
    assert reopen().session.step == "sent"
    clock.advance(180)
    assert reopen().session.step == "welcome"
    assert not (root / session_folder_name(KIT_HASH) / "takes").exists()
    assert personal_data_in(root) == []


def test_unsent_sessions_are_deleted_after_the_stated_period(
    tmp_path: Path, clock: ManualClock
) -> None:
    root = tmp_path / "sessions"
    told = make_service(tmp_path, clock).local_data_sentence()
    unsent_days = _days(told, r"more than (\d+) days after you last worked on them")
    assert unsent_days == UNSENT_KEEP_DAYS
    old, fresh, mine = root / "old", root / "fresh", root / "mine"
    for folder in (old, fresh, mine):
        (folder / "takes").mkdir(parents=True)
        (folder / "takes" / "q1-take1.mp4").write_bytes(b"x")
        (folder / "state.json").write_text(json.dumps({"step": "questions"}))
    now = datetime.now(UTC)
    for folder, days in ((old, unsent_days + 1), (mine, unsent_days + 1), (fresh, unsent_days - 1)):
        then = now.timestamp() - days * 86400
        for p in [*folder.rglob("*"), folder]:
            os.utime(p, (then, then))
    # The interview being opened (``keep``) resumes: before sealing no answer is lost.
    deleted = purge_unsent_sessions(root, ManualClock(now), keep="mine")
    assert deleted == [old] and not old.exists() and fresh.exists() and mine.exists()
    # opening any interview in the app's sessions folder keeps the promise
    (old / "takes").mkdir(parents=True)
    for p in [*old.rglob("*"), old]:
        os.utime(p, (now.timestamp() - (unsent_days + 1) * 86400,) * 2)
    CandidateService(make_kit(), KIT_HASH, clock=ManualClock(now), sessions=root)
    assert not old.exists() and fresh.exists()


def test_a_damaged_sealed_state_past_its_days_goes_whole_a_newer_one_stays(
    tmp_path: Path, clock: ManualClock
) -> None:
    root = tmp_path / "sessions"
    broken = root / "broken"
    (broken / "takes").mkdir(parents=True)
    (broken / "state.json").write_text(
        json.dumps({"step": "sent", "sent_at": NOW.isoformat(), "candidate_name": NAME})
    )
    newer = root / "newer"
    newer.mkdir()
    (newer / "state.json").write_text(
        json.dumps({"step": "sent", "sent_at": NOW.isoformat(), "format_version": 99})
    )
    clock.advance((SENT_KEEP_DAYS + 1) * 86400)
    assert purge_unsent_sessions(root, clock) == [broken] and not broken.exists()
    assert newer.exists(), "a newer OneTake's session is left to it"


# -- state that survives an update -----------------------------------------------------------------
def test_a_state_file_from_version_1_is_upgraded(tmp_path: Path, clock: ManualClock) -> None:
    svc = at_questions(make_service(tmp_path, clock))
    record(svc, clock)
    data = svc.session.state.to_dict()
    for key in (
        "restarts",
        "takes_before",
        "file_names_used",
        "written_instead",
        "profile",
        "profile_changes",
        "submitted_late",
    ):
        del data[key]
    data["format_version"] = 1
    svc.close()
    svc.state_path.write_text(json.dumps(data))
    again = make_service(tmp_path, clock)
    assert again.resumable, "the interview in progress is not discarded"
    st = again.session.state
    assert st.format_version == SESSION_FORMAT_VERSION
    assert st.file_names_used == ["q1-take1.mp4"] and st.restarts == []
    assert st.cleared_at is None and st.uploaded_at is None  # version 3: not cleared
    assert again.session.answer.takes[0].file == "q1-take1.mp4"
    # a newer version is refused (kept aside, never deleted)
    with pytest.raises(Exception, match="newer version"):
        upgrade_state({**data, "format_version": SESSION_FORMAT_VERSION + 1})
    assert SessionState.from_dict(upgrade_state(dict(data))).file_names_used == ["q1-take1.mp4"]
    # a receipt's time that is not text is damage, not a date to show
    with pytest.raises(InvalidInputError):
        SessionState.from_dict({**upgrade_state(dict(data)), "cleared_at": 5})


def test_text_size_and_beep_are_remembered_per_machine(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 2, "reviewer_name": "Sam"}))
    assert load_candidate_prefs(path) == CandidatePrefs()
    save_candidate_prefs(CandidatePrefs(1.3, True), path)
    assert load_candidate_prefs(path) == CandidatePrefs(1.3, True)
    saved = json.loads(path.read_text())
    assert saved["reviewer_name"] == "Sam" and saved["text_scale"] == 1.3  # one settings file
    path.write_text("{broken")
    assert load_candidate_prefs(path) == CandidatePrefs()
    assert load_candidate_prefs(None) == CandidatePrefs()


def test_practice_answers_are_never_kept(tmp_path: Path, clock: ManualClock) -> None:
    """The practice page says "Practice answers are never saved or sent": the practice take
    is gone when the window closes mid-practice, and a take a crash left behind is gone as
    soon as the session opens again."""
    svc = make_service(tmp_path, clock)
    svc.begin()
    svc.give_consent("Ada", "ada@example.com")
    svc.open_devices("synthetic", "synthetic")
    svc.confirm_devices()
    svc.practice_answer_now()
    (svc.practice_dir / "practice.mp4").write_bytes(b"a practice answer")
    svc.close()  # the candidate leaves during the practice
    assert not svc.practice_dir.exists()

    left = tmp_path / "session" / "practice"
    left.mkdir(parents=True)
    (left / "practice.mp4").write_bytes(b"left by a crash")
    again = make_service(tmp_path, clock)
    assert not again.practice_dir.exists()
    again.close()


def test_a_written_answer_over_the_limit_is_never_cut_silently(
    tmp_path: Path, clock: ManualClock
) -> None:
    kit = make_kit()._replace(
        questions=(
            Question(
                "w1", "Write to a customer.", "", 0, 0, 60, 0, answer_type="text", text_max_chars=20
            ),
        ),
    )
    notices: list[str] = []
    svc = make_service(tmp_path, clock, kit)
    svc.notice_listeners.append(notices.append)
    svc.begin()
    svc.give_consent("Ada", "ada@example.com")
    svc.show_question()
    svc.save_draft("Dear customer, thank you for writing.")  # 37 characters, from an old draft
    clock.advance(60)
    svc.tick()
    assert svc.session.answer_for("w1").text == "Dear customer, thank"
    assert notices == [
        "Time's up: your answer was longer than 20 characters, so only the first 20 were "
        'saved and the last 17 were left out; it now ends with "…Dear customer, thank".'
    ]
    # The state on disk holds what the candidate was told, not the longer draft.
    saved = json.loads((tmp_path / "session" / "state.json").read_text())
    assert saved["answers"][0]["text"] == "Dear customer, thank"


def test_back_to_review_with_a_draft_over_the_limit_says_what_was_kept(
    tmp_path: Path, clock: ManualClock
) -> None:
    kit = make_kit()._replace(
        questions=(
            Question(
                "w1", "Write to a customer.", "", 0, 0, 60, 0, answer_type="text", text_max_chars=20
            ),
        ),
    )
    notices: list[str] = []
    svc = make_service(tmp_path, clock, kit)
    svc.notice_listeners.append(notices.append)
    svc.begin()
    svc.give_consent("Ada", "ada@example.com")
    svc.show_question()
    svc.save_text("Dear customer.")
    svc.redo("w1")
    svc.show_question()
    svc.save_draft("Dear customer, thank you for writing.")
    svc.cancel_redo()
    assert svc.session.answer_for("w1").text == "Dear customer, thank"
    assert notices == [
        "Your answer was longer than 20 characters, so only the first 20 were saved and the "
        'last 17 were left out; it now ends with "…Dear customer, thank".'
    ]
