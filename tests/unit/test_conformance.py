"""A submission against its interview (domain/conformance.py), and outside text as plain text."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from onetake_desktop.domain.conformance import (
    FLAG_CODES,
    Conformance,
    Flag,
    KnownInterviews,
    check_submission,
    flags_from_json,
    flags_to_json,
)
from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.kit import validate_kit
from onetake_desktop.domain.manifest import SubmissionManifest, manifest_from_json, manifest_to_dict
from onetake_desktop.domain.validation import (
    has_control_characters,
    text_problem,
    without_control_characters,
)
from tests.unit.test_manifest import KIT, sample_manifest

M = sample_manifest()  # q1, q2 video, q3 text; extra-time (x1.5) applied


def answers(**changes: dict[str, object]) -> SubmissionManifest:
    """M with answer fields changed, e.g. ``answers(q1={"takes_used": 4})``."""
    return dataclasses.replace(
        M,
        answers=tuple(
            dataclasses.replace(a, **changes.get(a.question_id, {}))  # type: ignore[arg-type]
            for a in M.answers
        ),
    )


def codes(result: Conformance) -> list[tuple[str, str | None]]:
    assert result.refusal is None, result.refusal
    return [(f.code, f.question_id) for f in result.flags]


def test_a_submission_that_keeps_the_rules_has_no_flags() -> None:
    assert check_submission(M, KIT) == Conformance(None, ())


@pytest.mark.parametrize(
    ("manifest", "fragment"),
    [
        (answers(q3={"question_id": "q9"}), "does not ask ('q9')"),
        (
            answers(q3={"answer_type": "video"}),
            "'q3' with video, but the interview asks for a text",
        ),
        (answers(q1={"answer_type": "text"}), "'q1' with text, but the interview asks for a video"),
        (
            dataclasses.replace(
                M, kit=dataclasses.replace(M.kit, content_hash="sha256:" + "0" * 64)
            ),
            "not the one known here",
        ),
        (
            dataclasses.replace(M, kit=dataclasses.replace(M.kit, interview_id="another-job")),
            "answers the interview 'another-job', not 'demo-customer-support'",
        ),
    ],
)
def test_impossible_submissions_are_refused_with_one_sentence(
    manifest: SubmissionManifest, fragment: str
) -> None:
    result = check_submission(manifest, KIT)
    assert result.refused and result.refusal is not None
    assert fragment in result.refusal
    assert result.refusal.endswith(".") and "\n" not in result.refusal
    assert result.flags == ()


def test_a_video_question_answered_with_sound_only_is_the_apps_own_way() -> None:
    # No camera: the candidate app records audio for video questions (domain/session.py).
    assert codes(check_submission(answers(q1={"answer_type": "audio"}), KIT)) == []


def test_every_rule_breach_is_a_flag_with_a_stable_code() -> None:
    broken = dataclasses.replace(
        answers(
            q1={"takes_used": 11, "think_seconds_used": 300.0},
            q2={"answer_seconds": 3600.0},
            q3={"text": "x" * 1501},
        ),
        consent=dataclasses.replace(M.consent, notice_sha256="sha256:" + "2" * 64),
        accommodations=("extra-time", "sign-language"),
        time_multiplier=3.0,
    )
    result = check_submission(broken, KIT)
    assert codes(result) == [
        ("consent-not-the-notice", None),
        ("accommodation-not-offered", None),
        ("time-multiplier-too-high", None),
        ("takes-over-limit", "q1"),
        ("think-time-over-limit", "q1"),
        ("answer-time-over-limit", "q2"),
        ("text-too-long", "q3"),
    ]
    assert {f.code for f in result.flags} <= set(FLAG_CODES)
    messages = [f.message for f in result.flags]
    assert "Question q1: 11 takes were recorded; the interview allows 3." in messages
    # Limits use what the kit allows (1.5x), never the 3x the bundle claims.
    assert "Question q2: the answer lasts 3600 s; the limit is 180 s." in messages
    assert all(m.endswith(".") and "\n" not in m for m in messages)


def test_limits_allow_the_accommodation_and_a_small_tolerance() -> None:
    # q2: 120 s x 1.5 = 180 s; tolerance 0.5 s + 2 % = 4.1 s.
    assert codes(check_submission(answers(q2={"answer_seconds": 184.0}), KIT)) == []
    assert codes(check_submission(answers(q2={"answer_seconds": 184.2}), KIT)) == [
        ("answer-time-over-limit", "q2")
    ]
    # Without the accommodation, q2's 118 s still fits 120 s, and 30 s of thinking fits 30 s.
    no_extra = dataclasses.replace(M, accommodations=(), time_multiplier=1.0)
    assert codes(check_submission(no_extra, KIT)) == []
    slow = dataclasses.replace(no_extra, answers=answers(q2={"answer_seconds": 130.0}).answers)
    assert codes(check_submission(slow, KIT)) == [("answer-time-over-limit", "q2")]
    # The media's own duration counts too (a manifest that understates answer_seconds).
    first = M.answers[0].media
    assert first is not None
    longer_file = answers(q1={"media": dataclasses.replace(first, duration_seconds=400.0)})
    assert codes(check_submission(longer_file, KIT)) == [("answer-time-over-limit", "q1")]


def test_missing_answers_are_flagged() -> None:
    partial = dataclasses.replace(M, answers=M.answers[:1])
    assert codes(check_submission(partial, KIT)) == [
        ("answer-missing", "q2"),
        ("answer-missing", "q3"),
    ]


def test_known_interviews_refuse_an_unknown_kit_of_a_known_interview() -> None:
    known = KnownInterviews((KIT,))
    assert known.judge(M) == Conformance(None, ())
    changed = dataclasses.replace(
        M, kit=dataclasses.replace(M.kit, content_hash="sha256:" + "3" * 64)
    )
    verdict = known.judge(changed)
    assert verdict is not None and verdict.refusal is not None
    assert "does not know" in verdict.refusal
    # An interview the library has never seen is imported unchecked (its definition comes later).
    other = dataclasses.replace(changed, kit=dataclasses.replace(changed.kit, interview_id="x"))
    assert known.judge(other) is None
    assert KnownInterviews().judge(M) is None


def test_flags_round_trip_through_their_stored_form() -> None:
    flags = (
        Flag("takes-over-limit", "Question q1: 11 takes …", "q1"),
        Flag("consent-not-the-notice", "x"),
    )
    assert flags_from_json(flags_to_json(flags)) == flags
    assert flags_from_json("[]") == () and flags_from_json(None) == ()
    assert flags_from_json("not json") == () and flags_from_json('{"a": 1}') == ()


# --- outside text is plain text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Alex \ud800", "lone UTF-16 surrogate"),
        ("Alex \udfff", "lone UTF-16 surrogate"),
        ("Alex\u2028Bo", "line or paragraph separators"),
        ("Alex\u2029Bo", "line or paragraph separators"),
        *(
            (f"Alex {ch}x", "bidirectional text controls")
            for ch in "\u202a\u202b\u202c\u202d\u202e"
        ),
        *((f"Alex {ch}x", "bidirectional text controls") for ch in "\u2066\u2067\u2068\u2069"),
        *((f"Alex {ch}x", "bidirectional text controls") for ch in "\u200e\u200f\u061c"),
        ("Alex\x1b[2J", "control characters"),
    ],
)
def test_text_that_is_not_plain_is_named(text: str, problem: str) -> None:
    for multiline in (False, True):  # paragraphs (answers, notes) follow the same rules
        found = text_problem(text, multiline=multiline)
        assert found is not None and problem in found
        assert has_control_characters(text, multiline=multiline)
        assert not has_control_characters(without_control_characters(text, multiline=multiline))


def test_plain_text_in_any_script_passes() -> None:
    for text in ("Zoë Ngata-Smith", "محمد عبد الله", "שלום", "李小龍", "👩🏽‍💻 dev", "a\tb\nc\r\n"):
        assert text_problem(text, multiline=True) is None


@pytest.mark.parametrize(
    ("path", "value", "sentence"),
    [
        (("candidate_name",), "Alex \ud800", "candidate_name contains a lone UTF-16 surrogate"),
        (
            ("candidate_email",),
            "alex\u200f@example.org",
            "candidate_email must not contain bidirectional text controls",
        ),
        (
            ("answers", 2, "text"),
            "Hi\u2029there",
            "answers[2].text must not contain Unicode line or paragraph separators",
        ),
        (("device", "camera"), "cam\ud800", "device.camera contains a lone UTF-16 surrogate"),
    ],
)
def test_manifest_text_fields_refuse_it(
    path: tuple[str | int, ...], value: str, sentence: str
) -> None:
    data = manifest_to_dict(M)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    raw = json.dumps(data).encode()  # \ud800 written as a JSON escape, as an attacker would
    with pytest.raises(InvalidInputError) as caught:
        manifest_from_json(raw)
    message = str(caught.value)
    assert message == f"Invalid bundle manifest: {sentence} (not a character)." or (
        message == f"Invalid bundle manifest: {sentence}."
    )
    message.encode("utf-8")  # the sentence itself can be printed


def test_a_manifest_that_starts_with_a_bom_is_refused() -> None:
    raw = json.dumps(manifest_to_dict(M)).encode()
    assert manifest_from_json(raw) == M
    with pytest.raises(InvalidInputError, match="starts with a byte-order mark"):
        manifest_from_json(b"\xef\xbb\xbf" + raw)


def test_kits_follow_the_same_rules() -> None:
    spoofed = KIT._replace(role_title="Support \u202eevil")
    assert [str(p) for p in validate_kit(spoofed)] == [
        "role_title must not contain bidirectional text controls"
    ]
    question = KIT.questions[0]._replace(text="Tell us\u2028about it")
    hidden = KIT._replace(questions=(question, *KIT.questions[1:]))
    assert [str(p) for p in validate_kit(hidden)] == [
        "questions[0].text must not contain Unicode line or paragraph separators"
    ]
