"""The submission bundle's manifest (candidate -> employer).

Checksums are modelled on BagIt (RFC 8493): every payload file is listed with its size and
SHA-256, and the manifest itself is hashed into the bundle's tag file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from onetake_desktop.domain.kit import (
    ACCOMMODATION_ID,
    ANSWER_TYPES,
    INTERVIEW_ID,
    MAX_ACCOMMODATIONS,
    MAX_QUESTIONS,
    MAX_TEXT_ANSWER_CHARS,
    MAX_TIME_MULTIPLIER,
    QUESTION_ID,
    VERSION_TEXT,
    AnswerType,
    Kit,
    kit_content_hash,
    privacy_notice_hash,
    read_answer_type,
)
from onetake_desktop.domain.validation import (
    PREFIXED_SHA256,
    SHA256_HEX,
    Checker,
    Fields,
    Problem,
    ProblemsError,
    check_format,
    load_json_bytes,
    parse_utc_timestamp,
    shown_key,
    text_problem,
)

BUNDLE_FORMAT_VERSION = 1


@dataclass(frozen=True)
class KitRef:
    interview_id: str
    version: str
    content_hash: str  # "sha256:<hex>" of the kit's canonical JSON


@dataclass(frozen=True)
class Consent:
    notice_sha256: str  # hash of the privacy notice text they agreed to
    given_at: str  # ISO 8601 UTC


@dataclass(frozen=True)
class MediaFile:
    name: str  # member name inside the bundle, e.g. "media/q1.mp4"
    size: int
    sha256: str
    container: str  # "mp4"
    video_codec: str | None  # "h264" or None for audio-only
    audio_codec: str | None  # "aac"
    duration_seconds: float


@dataclass(frozen=True)
class AnswerRecord:
    question_id: str
    answer_type: AnswerType
    takes_used: int
    submitted_take: int  # 1-based number of the take they chose
    think_seconds_used: float
    answer_seconds: float
    started_at: str  # ISO 8601 UTC
    ended_at: str
    media: MediaFile | None = None  # video/audio answers
    text: str | None = None  # text answers live in the manifest


@dataclass(frozen=True)
class SubmissionManifest:
    kit: KitRef
    candidate_name: str
    candidate_email: str
    consent: Consent
    answers: tuple[AnswerRecord, ...]
    created_at: str  # ISO 8601 UTC, when the bundle was sealed
    app_version: str
    accommodations: tuple[str, ...] = ()  # accommodation ids applied
    time_multiplier: float = 1.0
    device: dict[str, str] = field(default_factory=dict)  # os, camera, microphone, profile
    # What happened on the candidate's side that reviewers should know (all optional):
    restarts: tuple[str, ...] = ()  # when the candidate chose "Start over" (ISO 8601 UTC)
    submitted_late: bool = False  # sealed after the kit's deadline
    late_submissions: str = "allow"  # the kit's rule then: allow | mark | refuse
    written_instead: bool = False  # the devices failed; the kit allowed written answers
    profile_changes: tuple[str, ...] = ()  # "<when> <question>: default -> light (why)"
    format_version: int = BUNDLE_FORMAT_VERSION

    @property
    def total_answer_seconds(self) -> float:
        return sum(a.answer_seconds for a in self.answers)

    @property
    def total_media_bytes(self) -> int:
        return sum(a.media.size for a in self.answers if a.media)


# --- limits and rules (docs/formats.md and docs/schemas/submission-manifest.schema.json) -------

MANIFEST_FORMAT = "onetake-submission"
MANIFEST_NAME = "manifest.json"
MEDIA_EXTENSIONS = ("mp4", "m4a", "mov", "mkv", "webm")
CONTAINERS = ("mp4", "mov", "matroska", "webm")
VIDEO_CODECS = ("h264", "vp9", "av1")
AUDIO_CODECS = ("aac", "opus")
MAX_MEDIA_BYTES = 64 * 1024**3
MAX_SECONDS = 24 * 3600.0
MAX_TAKES = 100
MAX_DEVICE_ENTRIES = 16
MEDIA_NAME = re.compile(r"media/([a-z0-9][a-z0-9_-]{0,31})\.(" + "|".join(MEDIA_EXTENSIONS) + ")")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
APP_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,39}")
CODEC_NAME = re.compile(r"[a-z0-9_]{1,32}")


def _media_to_dict(m: MediaFile) -> dict[str, Any]:
    return {
        "name": m.name,
        "size": m.size,
        "sha256": m.sha256,
        "container": m.container,
        "video_codec": m.video_codec,
        "audio_codec": m.audio_codec,
        "duration_seconds": m.duration_seconds,
    }


def _answer_to_dict(a: AnswerRecord) -> dict[str, Any]:
    d: dict[str, Any] = {
        "question_id": a.question_id,
        "answer_type": a.answer_type,
        "takes_used": a.takes_used,
        "submitted_take": a.submitted_take,
        "think_seconds_used": a.think_seconds_used,
        "answer_seconds": a.answer_seconds,
        "started_at": a.started_at,
        "ended_at": a.ended_at,
    }
    if a.media is not None:
        d["media"] = _media_to_dict(a.media)
    if a.text is not None:
        d["text"] = a.text
    return d


def _session_facts_to_dict(m: SubmissionManifest) -> dict[str, Any]:
    """The optional candidate-side facts, written only when they say something."""
    d: dict[str, Any] = {}
    if m.restarts:
        d["restarts"] = list(m.restarts)
    if m.submitted_late or m.late_submissions != "allow":
        d["submitted_late"] = m.submitted_late
        d["late_submissions"] = m.late_submissions
    if m.written_instead:
        d["written_instead"] = True
    if m.profile_changes:
        d["profile_changes"] = list(m.profile_changes)
    return d


def _read_session_facts(f: Fields) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for key in ("restarts", "profile_changes"):
        values = []
        for path, value in f.items(key, max_items=MAX_TAKES, required=False):
            if isinstance(value, str) and len(value) <= 200:
                values.append(value)
            else:
                f.problems.append(Problem(path, "must be text of at most 200 characters"))
        facts[key] = tuple(values)
    for key in ("submitted_late", "written_instead"):
        if f.has(key):
            value = f.raw(key)
            if isinstance(value, bool):
                facts[key] = value
            else:
                f.problem(key, "must be true or false")
    if f.has("late_submissions"):
        late = f.text("late_submissions")
        if late in ("allow", "mark", "refuse"):
            facts["late_submissions"] = late
        else:
            f.problem("late_submissions", "must be one of allow, mark, refuse")
    return facts


def manifest_to_dict(m: SubmissionManifest) -> dict[str, Any]:
    """JSON-ready data; ``totals`` are derived and checked again when read."""
    return {
        "format": MANIFEST_FORMAT,
        "format_version": m.format_version,
        "kit": {
            "interview_id": m.kit.interview_id,
            "version": m.kit.version,
            "content_hash": m.kit.content_hash,
        },
        "candidate_name": m.candidate_name,
        "candidate_email": m.candidate_email,
        "consent": {"notice_sha256": m.consent.notice_sha256, "given_at": m.consent.given_at},
        "accommodations": list(m.accommodations),
        "time_multiplier": m.time_multiplier,
        "answers": [_answer_to_dict(a) for a in m.answers],
        "created_at": m.created_at,
        "app_version": m.app_version,
        "device": dict(m.device),
        **_session_facts_to_dict(m),
        "totals": {
            "answers": len(m.answers),
            "answer_seconds": round(m.total_answer_seconds, 3),
            "media_files": sum(1 for a in m.answers if a.media),
            "media_bytes": m.total_media_bytes,
        },
    }


def _optional_codec(f: Fields, key: str) -> str | None:
    if f.has(key) and f.raw(key) is None:  # null: no such stream (audio-only answers)
        return None
    return f.text(key)


def _read_media(f: Fields) -> MediaFile:
    media = MediaFile(
        name=f.text("name"),
        size=f.integer("size"),
        sha256=f.text("sha256"),
        container=f.text("container"),
        video_codec=_optional_codec(f, "video_codec"),
        audio_codec=_optional_codec(f, "audio_codec"),
        duration_seconds=f.number("duration_seconds"),
    )
    f.done()
    return media


def _read_answer(f: Fields) -> AnswerRecord:
    m = f.obj("media", required=False)
    answer = AnswerRecord(
        question_id=f.text("question_id"),
        answer_type=read_answer_type(f, "answer_type", required=True) or "video",
        takes_used=f.integer("takes_used", 1),
        submitted_take=f.integer("submitted_take", 1),
        think_seconds_used=f.number("think_seconds_used"),
        answer_seconds=f.number("answer_seconds"),
        started_at=f.text("started_at"),
        ended_at=f.text("ended_at"),
        media=_read_media(m) if m is not None else None,
        text=f.optional_text("text"),
    )
    f.done()
    return answer


def _check_totals(t: Fields, manifest: SubmissionManifest) -> None:
    expected = {
        "answers": len(manifest.answers),
        "media_files": sum(1 for a in manifest.answers if a.media),
        "media_bytes": manifest.total_media_bytes,
    }
    for key, value in expected.items():
        if t.integer(key, value) != value:
            t.problem(key, f"does not match the answers listed ({value})")
    seconds = t.number("answer_seconds", manifest.total_answer_seconds)
    if abs(seconds - manifest.total_answer_seconds) > 0.01:
        t.problem("answer_seconds", "does not match the answers listed")
    t.done()


def manifest_from_dict(data: object) -> SubmissionManifest:
    """Strictly read a manifest: types, limits, names; a newer ``format_version`` is refused."""
    problems: list[Problem] = []
    f = Fields(data, "", problems)
    check_format(f, MANIFEST_FORMAT, BUNDLE_FORMAT_VERSION, "submission manifest")
    k = f.obj("kit")
    kit_ref = KitRef("", "", "")
    if k is not None:
        kit_ref = KitRef(k.text("interview_id"), k.text("version"), k.text("content_hash"))
        k.done()
    c = f.obj("consent")
    consent = Consent("", "")
    if c is not None:
        consent = Consent(c.text("notice_sha256"), c.text("given_at"))
        c.done()
    answers = []
    for path, value in f.items("answers", max_items=MAX_QUESTIONS):
        answers.append(_read_answer(Fields(value, path, problems)))
    accommodations = []
    for path, value in f.items("accommodations", max_items=MAX_ACCOMMODATIONS, required=False):
        if isinstance(value, str):
            accommodations.append(value)
        else:
            problems.append(Problem(path, "must be text"))
    manifest = SubmissionManifest(
        kit=kit_ref,
        candidate_name=f.text("candidate_name"),
        candidate_email=f.text("candidate_email"),
        consent=consent,
        answers=tuple(answers),
        created_at=f.text("created_at"),
        app_version=f.text("app_version"),
        accommodations=tuple(accommodations),
        time_multiplier=f.number("time_multiplier", 1.0, required=False),
        device=f.text_map("device", max_items=MAX_DEVICE_ENTRIES, max_len=200),
        **_read_session_facts(f),
    )
    totals = f.obj("totals", required=False)
    f.done()
    if not problems:
        problems.extend(validate_manifest(manifest))
    if not problems and totals is not None:
        _check_totals(totals, manifest)
    if problems:
        raise ProblemsError(problems, "Invalid bundle manifest")
    return manifest


def manifest_from_json(raw: bytes) -> SubmissionManifest:
    """Parse manifest.json bytes from outside (size, depth and JSON checks, then strict read)."""
    return manifest_from_dict(load_json_bytes(raw, "bundle manifest", allow_bom=False))


def validate_manifest(
    m: SubmissionManifest, *, allow_unhashed_media: bool = False
) -> list[Problem]:
    """Every problem with a manifest's values. ``allow_unhashed_media``: size 0 and sha256 ""
    are accepted (a manifest about to be sealed by write_bundle, which fills them in)."""
    c = Checker()
    c.text(
        "kit.interview_id",
        m.kit.interview_id,
        max_len=64,
        pattern=INTERVIEW_ID,
        pattern_help="an interview id (lowercase letters, digits, '.', '_' or '-')",
    )
    c.text(
        "kit.version",
        m.kit.version,
        max_len=32,
        pattern=VERSION_TEXT,
        pattern_help="a kit version (letters, digits, '.', '_', '+' or '-')",
    )
    c.text(
        "kit.content_hash",
        m.kit.content_hash,
        max_len=71,
        pattern=PREFIXED_SHA256,
        pattern_help="'sha256:' and 64 lowercase hex digits",
    )
    c.text("candidate_name", m.candidate_name, max_len=200)
    c.text(
        "candidate_email",
        m.candidate_email,
        max_len=320,
        pattern=EMAIL,
        pattern_help="an e-mail address",
    )
    c.text(
        "consent.notice_sha256",
        m.consent.notice_sha256,
        max_len=71,
        pattern=PREFIXED_SHA256,
        pattern_help="'sha256:' and 64 lowercase hex digits",
    )
    c.timestamp("consent.given_at", m.consent.given_at)
    c.timestamp("created_at", m.created_at)
    c.text(
        "app_version",
        m.app_version,
        max_len=40,
        pattern=APP_VERSION,
        pattern_help="a version such as 0.1.0",
    )
    c.number("time_multiplier", m.time_multiplier, 1.0, MAX_TIME_MULTIPLIER)
    if len(m.accommodations) > MAX_ACCOMMODATIONS:
        c.add("accommodations", f"at most {MAX_ACCOMMODATIONS} are allowed")
    for i, acc in enumerate(m.accommodations):
        c.text(
            f"accommodations[{i}]",
            acc,
            max_len=32,
            pattern=ACCOMMODATION_ID,
            pattern_help="an accommodation id",
        )
    if len(set(m.accommodations)) != len(m.accommodations):
        c.add("accommodations", "lists the same accommodation twice")
    if len(m.device) > MAX_DEVICE_ENTRIES:
        c.add("device", f"at most {MAX_DEVICE_ENTRIES} entries are allowed")
    for key, value in m.device.items():
        if len(key) > 200 or len(value) > 200 or not key:
            c.add(f"device.{shown_key(key)}", "must be text of at most 200 characters")
        elif (problem := text_problem(key) or text_problem(value)) is not None:
            c.add(f"device.{shown_key(key)}", problem)
    if not m.answers:
        c.add("answers", "must list at least one answer")
    if len(m.answers) > MAX_QUESTIONS:
        c.add("answers", f"at most {MAX_QUESTIONS} are allowed")
    if m.format_version != BUNDLE_FORMAT_VERSION:
        c.add("format_version", f"must be {BUNDLE_FORMAT_VERSION}")
    ids: set[str] = set()
    for i, a in enumerate(m.answers):
        _check_answer(c, f"answers[{i}]", a, allow_unhashed_media)
        if a.question_id in ids:
            c.add(f"answers[{i}].question_id", f"repeats {a.question_id!r}; one answer each")
        ids.add(a.question_id)
    return c.problems


def _check_answer(c: Checker, path: str, a: AnswerRecord, allow_unhashed: bool) -> None:
    c.text(
        f"{path}.question_id",
        a.question_id,
        max_len=32,
        pattern=QUESTION_ID,
        pattern_help="a question id (lowercase letters, digits, '_' or '-')",
    )
    if a.answer_type not in ANSWER_TYPES:
        c.add(f"{path}.answer_type", "must be one of video, audio, text")
    if not 1 <= a.takes_used <= MAX_TAKES:
        c.add(f"{path}.takes_used", f"must be between 1 and {MAX_TAKES}")
    if not 1 <= a.submitted_take <= max(1, a.takes_used):
        c.add(f"{path}.submitted_take", "must be between 1 and takes_used")
    c.number(f"{path}.think_seconds_used", a.think_seconds_used, 0.0, MAX_SECONDS)
    c.number(f"{path}.answer_seconds", a.answer_seconds, 0.0, MAX_SECONDS)
    c.timestamp(f"{path}.started_at", a.started_at)
    c.timestamp(f"{path}.ended_at", a.ended_at)
    start, end = parse_utc_timestamp(a.started_at), parse_utc_timestamp(a.ended_at)
    if start is not None and end is not None and end < start:
        c.add(f"{path}.ended_at", "must not be before started_at")
    if a.answer_type == "text":
        if a.media is not None:
            c.add(f"{path}.media", "must be absent for a text answer")
        if a.text is None:
            c.add(f"{path}.text", "is required for a text answer")
        else:
            c.text(f"{path}.text", a.text, max_len=MAX_TEXT_ANSWER_CHARS, min_len=0, multiline=True)
        return
    if a.text is not None:
        c.add(f"{path}.text", f"must be absent for a {a.answer_type} answer")
    if a.media is None:
        c.add(f"{path}.media", f"is required for a {a.answer_type} answer")
        return
    _check_media(c, f"{path}.media", a.media, a, allow_unhashed)


def _check_media(c: Checker, path: str, media: MediaFile, a: AnswerRecord, unhashed: bool) -> None:
    match = MEDIA_NAME.fullmatch(media.name)
    if match is None:
        c.add(f"{path}.name", "must look like media/<question id>.mp4 (or .m4a .mov .mkv .webm)")
    elif match.group(1) != a.question_id:
        c.add(f"{path}.name", f"must be named after its question ({a.question_id!r})")
    if not (unhashed and media.size == 0) and not 1 <= media.size <= MAX_MEDIA_BYTES:
        c.add(f"{path}.size", f"must be between 1 and {MAX_MEDIA_BYTES} bytes")
    if not (unhashed and media.sha256 == "") and not SHA256_HEX.fullmatch(media.sha256):
        c.add(f"{path}.sha256", "must be 64 lowercase hex digits")
    if media.container not in CONTAINERS:
        c.add(f"{path}.container", f"must be one of {', '.join(CONTAINERS)}")
    if media.video_codec is not None and media.video_codec not in VIDEO_CODECS:
        c.add(f"{path}.video_codec", f"must be one of {', '.join(VIDEO_CODECS)}, or null")
    if media.audio_codec is not None and media.audio_codec not in AUDIO_CODECS:
        c.add(f"{path}.audio_codec", f"must be one of {', '.join(AUDIO_CODECS)}, or null")
    if a.answer_type == "video" and media.video_codec is None:
        c.add(f"{path}.video_codec", "is required for a video answer")
    if a.answer_type == "audio":
        if media.video_codec is not None:
            c.add(f"{path}.video_codec", "must be null for an audio answer")
        if media.audio_codec is None:
            c.add(f"{path}.audio_codec", "is required for an audio answer")
    if not (math.isfinite(media.duration_seconds) and 0 < media.duration_seconds <= MAX_SECONDS):
        c.add(f"{path}.duration_seconds", f"must be between 0 and {MAX_SECONDS:g}")


def check_against_kit(
    m: SubmissionManifest, kit: Kit, tolerance_seconds: float = 2.0
) -> list[Problem]:
    """Does this manifest answer this kit? (kit hash, questions, types, limits, consent)"""
    c = Checker()
    if (m.kit.interview_id, m.kit.version) != (kit.interview_id, kit.version):
        c.add(
            "kit",
            f"answers {m.kit.interview_id} {m.kit.version}, not {kit.interview_id} {kit.version}",
        )
    elif m.kit.content_hash != kit_content_hash(kit):
        c.add("kit.content_hash", "does not match the kit (the kit was changed)")
    if m.consent.notice_sha256 != privacy_notice_hash(kit):
        c.add("consent.notice_sha256", "does not match the kit's privacy notice")
    offered = {a.id: a for a in kit.accommodations}
    for i, acc in enumerate(m.accommodations):
        if acc not in offered:
            c.add(f"accommodations[{i}]", f"{acc!r} is not offered by the kit")
    allowed_multiplier = max(
        [1.0, *(offered[a].time_multiplier for a in m.accommodations if a in offered)]
    )
    if m.time_multiplier > allowed_multiplier + 1e-9:
        c.add("time_multiplier", f"must be at most {allowed_multiplier:g} for these accommodations")
    questions = {q.id: q for q in kit.questions}
    for i, a in enumerate(m.answers):
        q = questions.get(a.question_id)
        path = f"answers[{i}]"
        if q is None:
            c.add(f"{path}.question_id", f"{a.question_id!r} is not a question in the kit")
            continue
        if a.answer_type != kit.answer_type_of(q):
            c.add(f"{path}.answer_type", f"must be {kit.answer_type_of(q)} for this question")
        if a.takes_used > q.retakes_allowed + 1:
            c.add(f"{path}.takes_used", f"is more than the {q.retakes_allowed + 1} takes allowed")
        limit = q.answer_max_seconds * m.time_multiplier + tolerance_seconds
        if a.answer_type != "text" and a.answer_seconds > limit:
            c.add(f"{path}.answer_seconds", f"is longer than the {limit:g} s allowed")
        if a.text is not None and len(a.text) > q.text_max_chars:
            c.add(f"{path}.text", f"is longer than the {q.text_max_chars} characters allowed")
    return c.problems
