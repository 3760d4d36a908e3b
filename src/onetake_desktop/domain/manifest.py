"""The submission bundle's manifest (candidate -> employer).

Checksums are modelled on BagIt (RFC 8493): every payload file is listed with its size and
SHA-256, and the manifest itself is hashed into the bundle's tag file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onetake_desktop.domain.kit import AnswerType

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
    format_version: int = BUNDLE_FORMAT_VERSION

    @property
    def total_answer_seconds(self) -> float:
        return sum(a.answer_seconds for a in self.answers)

    @property
    def total_media_bytes(self) -> int:
        return sum(a.media.size for a in self.answers if a.media)
