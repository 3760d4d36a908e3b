"""Submission manifests: strict reading, every problem named, checks against the kit, fuzzing."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.kit import Kit, kit_content_hash, privacy_notice_hash
from onetake_desktop.domain.manifest import (
    AnswerRecord,
    Consent,
    KitRef,
    MediaFile,
    SubmissionManifest,
    check_against_kit,
    manifest_from_dict,
    manifest_from_json,
    manifest_to_dict,
    validate_manifest,
)
from onetake_desktop.domain.validation import ProblemsError
from onetake_desktop.storage.kitfile import demo_kit_path, load_kit

KIT = load_kit(demo_kit_path())
T0 = "2026-11-23T10:00:00Z"
TEXT = "Hello Sam,\nI am sorry for the wait."


def sample_manifest(kit: Kit = KIT) -> SubmissionManifest:
    def media(qid: str) -> MediaFile:
        return MediaFile(f"media/{qid}.mp4", 123_456, "ab" * 32, "mp4", "h264", "aac", 61.2)

    return SubmissionManifest(
        kit=KitRef(kit.interview_id, kit.version, kit_content_hash(kit)),
        candidate_name="Zoë Ngata-Smith",
        candidate_email="zoe@example.org",
        consent=Consent(privacy_notice_hash(kit), "2026-11-23T09:58:00+00:00"),
        answers=(
            AnswerRecord("q1", "video", 2, 2, 21.5, 61.0, T0, "2026-11-23T10:01:01Z", media("q1")),
            AnswerRecord("q2", "video", 1, 1, 30.0, 118.0, T0, "2026-11-23T10:01:58Z", media("q2")),
            AnswerRecord("q3", "text", 1, 1, 20.0, 240.0, T0, "2026-11-23T10:04:00Z", text=TEXT),
        ),
        created_at="2026-11-23T10:09:00Z",
        app_version="0.1.0",
        accommodations=("extra-time",),
        time_multiplier=1.5,
        device={"os": "Linux 6.1", "camera": "Integrated Webcam", "microphone": "USB mic"},
    )


SAMPLE = manifest_to_dict(sample_manifest())


def test_round_trip_and_totals() -> None:
    m = sample_manifest()
    data = manifest_to_dict(m)
    assert data["totals"] == {
        "answers": 3, "answer_seconds": 419.0, "media_files": 2, "media_bytes": 246_912,
    }  # fmt: skip
    assert manifest_from_dict(data) == m
    assert manifest_from_json(json.dumps(data).encode()) == m
    assert check_against_kit(m, KIT) == []
    assert validate_manifest(m) == []


def edited(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(SAMPLE)
    change(data)
    return data


def at(path: str, value: object) -> Any:
    """A change that sets one field, given as a dotted path (list indexes as numbers)."""

    def change(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is DROP:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


DROP = object()
A0 = "answers.0"
M0 = "answers.0.media"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (at("format_version", 2), "format version 2"),
        (at("format", "zip"), "format must be 'onetake-submission'"),
        (at("candidate_email", DROP), "candidate_email is required"),
        (at("candidate_email", "not an email"), "candidate_email must be an e-mail"),
        (at("extra", 1), "extra is not a known field"),
        (at(f"{A0}.takes_used", True), "answers[0].takes_used must be a whole number"),
        (at(f"{M0}.sha256", "AB" * 32), "answers[0].media.sha256 must be 64 lowercase hex"),
        (at(f"{M0}.name", "media/q2.mp4"), "must be named after its question"),
        (at(f"{M0}.name", "media/q1.exe"), "must look like media/"),
        (at(f"{M0}.video_codec", "mpeg4"), "video_codec must be one of h264"),
        (at(f"{M0}.duration_seconds", -1), "duration_seconds must be between"),
        (at(f"{A0}.ended_at", "2026-11-23T09:00:00Z"), "ended_at must not be before started_at"),
        (at(f"{A0}.started_at", "2026-11-23 10:00"), "started_at must be an ISO 8601 time"),
        (at("answers.2.media", SAMPLE["answers"][0]["media"]), "media must be absent for a text"),
        (at("answers.1.media", DROP), "answers[1].media is required for a video answer"),
        (at("answers", [*SAMPLE["answers"], SAMPLE["answers"][0]]), "repeats 'q1'"),
        (at("answers", []), "must list at least one answer"),
        (at("time_multiplier", 10), "time_multiplier must be between 1 and 3"),
        (at("device", {"os": "x" * 300}), "device.os must be text of at most 200"),
        (at("totals.answers", 4), "totals.answers does not match"),
        (at("consent.notice_sha256", "abc"), "consent.notice_sha256 must be 'sha256:'"),
        (at("answers", SAMPLE["answers"] * 20), "at most 50 are allowed"),
        (at("candidate_name", "Alex\x1b[2J"), "candidate_name must not contain control char"),
        (at("candidate_name", "Alex\nExample"), "candidate_name must not contain control char"),
        (at("answers.2.text", "Hi\x07"), "answers[2].text must not contain control characters"),
        (at("\x1b]0;x\x07", 1), "'\\x1b]0;x\\x07' is not a known field"),
    ],
)
def test_strict_reading_names_the_field(change: Any, message: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        manifest_from_dict(edited(change))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_every_problem_is_listed() -> None:
    def change(d: dict[str, Any]) -> None:
        d["candidate_name"] = ""
        d["answers"][0]["submitted_take"] = 9
        d["answers"][1]["media"]["size"] = 0
        d["totals"]["media_bytes"] = 123_456

    with pytest.raises(ProblemsError) as info:
        manifest_from_dict(edited(change))
    assert [str(p) for p in info.value.problems] == [
        "candidate_name must not be empty",
        "answers[0].submitted_take must be between 1 and takes_used",
        "answers[1].media.size must be between 1 and 68719476736 bytes",
    ]


def test_check_against_kit_finds_what_does_not_fit() -> None:
    m = sample_manifest()
    too_long = dataclasses.replace(
        m.answers[1], answer_seconds=200.0, takes_used=4, submitted_take=4
    )
    other = dataclasses.replace(
        m,
        kit=dataclasses.replace(m.kit, content_hash="sha256:" + "0" * 64),
        accommodations=("extra-time", "sign-language"),
        answers=(m.answers[0], too_long, dataclasses.replace(m.answers[2], question_id="q9")),
    )
    assert [str(p) for p in check_against_kit(other, KIT)] == [
        "kit.content_hash does not match the kit (the kit was changed)",
        "accommodations[1] 'sign-language' is not offered by the kit",
        "answers[1].takes_used is more than the 3 takes allowed",
        "answers[1].answer_seconds is longer than the 182 s allowed",
        "answers[2].question_id 'q9' is not a question in the kit",
    ]
    no_extra_time = dataclasses.replace(m, accommodations=())
    assert [str(p) for p in check_against_kit(no_extra_time, KIT)] == [
        "time_multiplier must be at most 1 for these accommodations"
    ]


# --- fuzzing the parser: only InvalidInputError may come out, and what parses round-trips -------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def leaf_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [prefix] + [p for k, v in value.items() for p in leaf_paths(v, (*prefix, k))]
    if isinstance(value, list):
        return [prefix] + [p for i, v in enumerate(value) for p in leaf_paths(v, (*prefix, i))]
    return [prefix]


PATHS = [p for p in leaf_paths(SAMPLE) if p]


def parse_or_refuse(data: object) -> None:
    try:
        manifest = manifest_from_dict(data)
    except InvalidInputError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert manifest_from_dict(manifest_to_dict(manifest)) == manifest


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_fuzz_arbitrary_json(value: object) -> None:
    parse_or_refuse(value)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(PATHS), st.one_of(st.just("<delete>"), json_values)),
        min_size=1,
        max_size=3,
    )
)
def test_fuzz_mutated_manifests(mutations: list[tuple[tuple[Any, ...], object]]) -> None:
    data = copy.deepcopy(SAMPLE)
    for path, value in mutations:
        parent: Any = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    parse_or_refuse(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_fuzz_raw_bytes(raw: bytes) -> None:
    try:
        manifest_from_json(raw)
    except InvalidInputError as error:
        assert "\n" not in str(error)


def test_paragraphs_keep_their_line_breaks_and_names_their_scripts() -> None:
    text = "Dear Sam,\r\n\tthe refund went out today.\nשלום, Alex"
    d = edited(at("answers.2.text", text))
    d["candidate_name"] = "Zoë Ōkubo-אברהם"
    manifest = manifest_from_dict(d)
    assert manifest.answers[2].text == text
    assert manifest.candidate_name == "Zoë Ōkubo-אברהם"
