"""The candidate session state machine: consent gating, clocks, retakes, review, resume."""

from __future__ import annotations

import json

import pytest

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.kit import Accommodation, Kit, PracticeQuestion, Question
from onetake_desktop.domain.manifest import MediaFile
from onetake_desktop.domain.session import (
    AnswerProgress,
    CandidateSession,
    SessionState,
    SessionStateError,
    TakeRecord,
    new_state,
)


def make_kit(practice: bool = True) -> Kit:
    return Kit(
        interview_id="acme-support",
        version="1",
        organisation="Acme",
        role_title="Support engineer",
        welcome="Hello",
        instructions="Answer calmly.",
        privacy_notice="Only the hiring team sees your answers.",
        retention_days=90,
        default_answer_type="video",
        questions=(
            Question("q1", "Tell us about you", "warm-up", 10, 5, 60, 1),
            Question("q2", "A hard bug", "debugging", 20, 0, 30, 0),
            Question("q3", "Why us?", "motivation", 0, 0, 0, 0, answer_type="text"),
        ),
        practice=PracticeQuestion("Say hello") if practice else None,
        accommodations=(Accommodation("extra-time", "Extra time (x1.5)", 1.5),),
    )


def session_at_questions(clock: ManualClock, **consent: object) -> CandidateSession:
    session = CandidateSession(make_kit(), new_state(make_kit(), "sha256:abc"), clock)
    session.begin()
    session.give_consent("Ada Lovelace", "ada@example.com", "sha256:notice", **consent)  # type: ignore[arg-type]
    session.devices_ready("synthetic", "synthetic")
    session.practice_take_recorded()
    session.finish_practice()
    return session


def record(session: CandidateSession, clock: ManualClock, seconds: float) -> TakeRecord:
    session.start_answer(f"{session.question.id}-take{session.next_take_number()}.mp4")
    clock.advance(seconds)
    return session.take_finished(seconds, "stopped", size_bytes=1000, video_codec="h264")


def test_consent_gates_the_devices_and_checks_the_form() -> None:
    clock = ManualClock()
    kit = make_kit()
    session = CandidateSession(kit, new_state(kit, "sha256:abc"), clock)
    assert not session.devices_allowed
    with pytest.raises(SessionStateError):
        session.devices_ready("synthetic", "synthetic")
    session.begin()
    with pytest.raises(InvalidInputError, match="name"):
        session.give_consent(" ", "ada@example.com", "sha256:n")
    with pytest.raises(InvalidInputError, match="email"):
        session.give_consent("Ada", "not-an-email", "sha256:n")
    with pytest.raises(InvalidInputError, match="accommodation"):
        session.give_consent("Ada", "ada@example.com", "sha256:n", ["telepathy"])
    # Refused at the form, not at sealing time (the bundle format refuses them).
    with pytest.raises(InvalidInputError, match="letters"):
        session.give_consent("Ada\x1b[31m", "ada@example.com", "sha256:n")
    with pytest.raises(InvalidInputError, match="letters"):
        session.give_consent("Ada \u202eecilA", "ada@example.com", "sha256:n")
    assert not session.devices_allowed
    session.give_consent("Ada", "ada@example.com", "sha256:n", ["extra-time"])
    assert session.devices_allowed
    assert session.step == "devices"
    assert session.state.time_multiplier == 1.5
    assert session.consent().notice_sha256 == "sha256:n"


def test_think_then_answer_clocks_and_minimum_length() -> None:
    clock = ManualClock()
    session = session_at_questions(clock)
    assert session.answer.phase == "ready"
    session.show_question()
    assert session.answer.phase == "thinking"
    clock.advance(4)
    assert session.think_remaining() == pytest.approx(6)
    assert not session.think_expired()
    clock.advance(6)
    assert session.think_expired()
    session.start_answer("q1-take1.mp4")
    assert session.answer.think_seconds_used == pytest.approx(10)
    assert session.answer_remaining() == pytest.approx(60)
    clock.advance(3)
    assert not session.can_stop()  # minimum is 5 s
    clock.advance(2)
    assert session.can_stop()
    clock.advance(55)
    assert session.answer_expired()
    take = session.take_finished(60.0, "limit")
    assert take.number == 1 and take.stop_reason == "limit"
    assert session.answer.phase == "deciding"


def test_accommodation_multiplies_think_and_answer_time_but_not_the_minimum() -> None:
    clock = ManualClock()
    session = session_at_questions(clock, accommodations=["extra-time"])
    q1 = session.question
    assert session.think_limit(q1) == 15
    assert session.answer_max(q1) == 90
    assert session.answer_min(q1) == 5


def test_retake_limit_take_choice_text_answer_and_review() -> None:
    clock = ManualClock()
    session = session_at_questions(clock)
    session.show_question()
    record(session, clock, 8)
    assert session.takes_left(session.question) == 1
    session.retake()
    assert session.answer.phase == "thinking"
    record(session, clock, 12)
    assert session.takes_left(session.question) == 0
    with pytest.raises(SessionStateError, match="retakes"):
        session.retake()
    with pytest.raises(SessionStateError):
        session.keep_take(3)
    session.keep_take(1)  # the first take was better
    assert session.state.current == 1
    session.show_question()
    record(session, clock, 4)
    with pytest.raises(SessionStateError):
        session.retake()  # q2 allows one take only
    session.keep_take(1)
    assert session.question.id == "q3"
    session.show_question()
    assert session.answer.phase == "writing"
    with pytest.raises(InvalidInputError):
        session.save_text("   ")
    clock.advance(30)
    session.save_text("Because you\x07 ship calm software.\x1b")  # pasted with a bell
    assert session.state.answers[2].text == "Because you ship calm software."
    assert session.step == "review"
    assert session.can_redo("q3") and not session.can_redo("q1") and not session.can_redo("q2")
    media = {
        qid: MediaFile(f"media/{qid}.mp4", 100, "sha256:x", "mp4", "h264", "aac", 8.0)
        for qid in ("q1", "q2")
    }
    records = session.answer_records(media)
    assert [r.question_id for r in records] == ["q1", "q2", "q3"]
    assert records[0].takes_used == 2 and records[0].submitted_take == 1
    assert records[2].text == "Because you ship calm software."
    assert records[2].answer_seconds == pytest.approx(30)
    session.mark_sent("/tmp/x.onetake", 100, "sha256:y")
    assert session.step == "sent"


def test_redo_from_review_returns_to_review() -> None:
    clock = ManualClock()
    session = session_at_questions(clock)
    for _ in range(2):
        session.show_question()
        record(session, clock, 6)
        session.keep_take(1)
    session.show_question()
    session.save_text("Text")
    session.redo("q1")
    assert session.step == "questions" and session.question.id == "q1"
    session.show_question()
    record(session, clock, 7)
    session.keep_take(2)
    assert session.step == "review"
    assert session.chosen("q1") is not None and session.chosen("q1").number == 2
    session.redo("q3")
    session.cancel_redo()
    assert session.step == "review"


def test_audio_only_when_there_is_no_camera() -> None:
    clock = ManualClock()
    kit = make_kit(practice=False)
    session = CandidateSession(kit, new_state(kit, "sha256:abc"), clock)
    session.begin()
    session.give_consent("Ada", "ada@example.com", "sha256:n")
    with pytest.raises(SessionStateError, match="microphone"):
        session.devices_ready(None, None)
    session.devices_ready(None, "mic:default")
    assert session.step == "questions"  # no practice question in this kit
    assert session.state.audio_only
    assert session.answer_type(session.question) == "audio"


def test_state_round_trips_through_json_and_resumes_an_interrupted_take() -> None:
    clock = ManualClock()
    session = session_at_questions(clock)
    session.show_question()
    record(session, clock, 6)
    session.retake()
    session.start_answer("q1-take2.mp4")
    clock.advance(9)
    saved = json.loads(json.dumps(session.state.to_dict()))

    restored = CandidateSession(make_kit(), SessionState.from_dict(saved), ManualClock())
    assert restored.answer.phase == "recording"
    salvaged = TakeRecord(2, "q1-take2.mp4", 8.5, "", "", 0.0, "recovered", 5000)
    restored.resume({"q1-take2.mp4": salvaged})
    assert restored.answer.phase == "deciding"
    assert [t.number for t in restored.answer.takes] == [1, 2]
    assert restored.answer.takes[1].stop_reason == "recovered"
    assert restored.takes_left(restored.question) == 0


def test_the_take_in_view_is_the_next_one_until_a_take_is_recorded() -> None:
    clock = ManualClock()
    session = session_at_questions(clock)
    q = session.question
    assert session.take_in_view(q) == 1  # ready
    session.show_question()
    session.start_answer("q1-take1.mp4")
    assert session.take_in_view(q) == 1  # recording: the take under way, not yet counted
    record_after = session.take_finished(5, "stopped")
    assert record_after.number == 1 and session.take_in_view(q) == 1  # choosing: the newest
    session.retake()
    assert session.take_in_view(q) == 2  # thinking about the second (and last) take
    record(session, clock, 5)
    assert session.takes_left(q) == 0 and session.take_in_view(q) == 2


def test_an_interrupted_take_that_left_nothing_does_not_count() -> None:
    clock = ManualClock()
    session = session_at_questions(clock)
    session.show_question()
    session.start_answer("q1-take1.mp4")
    restored = CandidateSession(
        make_kit(), SessionState.from_dict(session.state.to_dict()), ManualClock()
    )
    restored.resume({})
    assert restored.answer.phase == "ready"
    assert restored.takes_left(restored.question) == 2


def test_damaged_state_is_refused_with_a_sentence() -> None:
    with pytest.raises(InvalidInputError, match="damaged"):
        SessionState.from_dict({"format_version": 1, "answers": [{"nope": 1}]})
    with pytest.raises(InvalidInputError, match="version"):
        SessionState.from_dict({"format_version": 99})
    state = new_state(make_kit(), "sha256:abc").to_dict()
    state["step"] = "hacking"
    with pytest.raises(InvalidInputError):
        SessionState.from_dict(state)
    other = make_kit()._replace(questions=make_kit().questions[:1])
    with pytest.raises(InvalidInputError, match="match"):
        CandidateSession(other, new_state(make_kit(), "sha256:abc"), ManualClock())
    # A null where a list or a mapping is saved is damage, not "none yet".
    for key in (
        "accommodations",
        "restarts",
        "file_names_used",
        "profile_changes",
        "takes_before",
    ):
        state = new_state(make_kit(), "sha256:abc").to_dict()
        state[key] = None
        with pytest.raises(InvalidInputError, match="damaged"):
            SessionState.from_dict(state)
    for key in ("current", "practice_tries", "time_multiplier", "kit_hash", "step"):
        state = new_state(make_kit(), "sha256:abc").to_dict()
        state[key] = None
        with pytest.raises(InvalidInputError, match="damaged"):
            SessionState.from_dict(state)
    state = new_state(make_kit(), "sha256:abc").to_dict()
    state["answers"][0]["takes"] = None
    with pytest.raises(InvalidInputError, match="damaged"):
        SessionState.from_dict(state)


def test_saved_state_records_keep_their_format_equality_and_copies() -> None:
    """The records were dataclasses (issue 17: now written out): the state file's fields, the
    copies to_dict makes, equality, repr and unhashability stay as they were."""
    take1 = TakeRecord(
        1, "q1-take1.mp4", 6.0, "t0", "t6", 2.5, "stopped", 1000, "mp4", "h264", "aac"
    )
    take2 = TakeRecord(2, "q1-take2.mp4", 8.5, "", "", 0.0, "recovered")
    first = AnswerProgress("q1", "deciding", [take1, take2], 2, think_seconds_used=2.5)
    second = AnswerProgress("q2", "writing", text="typed words", recording_file="q2-take1.mp4")
    state = SessionState(
        "sha256:abc",
        [first, second],
        step="questions",
        accommodations=["extra-time"],
        time_multiplier=1.5,
        restarts=["t0"],
        takes_before={"q1": 2},
        file_names_used=["q1-take1.mp4"],
        profile_changes=["small at q2"],
    )
    take_fields = {
        "number": 1,
        "file": "q1-take1.mp4",
        "duration_seconds": 6.0,
        "started_at": "t0",
        "ended_at": "t6",
        "think_seconds_used": 2.5,
        "stop_reason": "stopped",
        "size_bytes": 1000,
        "container": "mp4",
        "video_codec": "h264",
        "audio_codec": "aac",
    }
    data = state.to_dict()
    assert data["answers"][0]["takes"][0] == take_fields
    assert data["answers"][0]["takes"][1]["video_codec"] is None
    assert data["answers"][1] == {
        "question_id": "q2",
        "phase": "writing",
        "takes": [],
        "chosen_take": None,
        "text": "typed words",
        "text_seconds": 0.0,
        "text_started_at": None,
        "text_ended_at": None,
        "recording_file": "q2-take1.mp4",
        "recording_started_at": None,
        "think_seconds_used": 0.0,
    }
    names = (
        "kit_hash answers step candidate_name candidate_email consent_notice_sha256 "
        "consent_given_at accommodations time_multiplier camera mic audio_only practice_tries "
        "current returning_to_review bundle_path bundle_size bundle_sha256 sent_at restarts "
        "takes_before file_names_used written_instead profile profile_changes submitted_late "
        "cleared_at uploaded_at format_version"
    )
    assert sorted(data) == sorted(names.split())
    assert data["takes_before"] == {"q1": 2} and data["format_version"] == 3
    # Copies, as dataclasses.asdict made: changing the data changes nothing in the state.
    data["answers"][0]["takes"].clear()
    data["restarts"].append("t9")
    data["takes_before"]["q2"] = 1
    assert len(first.takes) == 2 and state.restarts == ["t0"] and state.takes_before == {"q1": 2}
    again = SessionState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state and again is not state
    again.answers[0].takes[0].size_bytes = 1
    assert again != state and take1 != take2 and take1 != take_fields
    assert repr(take2) == (
        "TakeRecord(number=2, file='q1-take2.mp4', duration_seconds=8.5, started_at='', "
        "ended_at='', think_seconds_used=0.0, stop_reason='recovered', size_bytes=0, "
        "container='mp4', video_codec=None, audio_codec=None)"
    )
    with pytest.raises(TypeError):
        hash(state)
    # Each record has its own lists, never one shared default.
    a, b = SessionState("k", []), SessionState("k", [])
    a.restarts.append("t0")
    AnswerProgress("q1").takes.append(take1)
    assert b.restarts == [] and AnswerProgress("q1").takes == []
