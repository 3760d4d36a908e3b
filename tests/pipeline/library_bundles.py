"""Real submission bundles for the reviewer tests: real media (PyAV), sealed by write_bundle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from onetake_desktop.domain.kit import InterviewDefinition, kit_content_hash, privacy_notice_hash
from onetake_desktop.domain.manifest import (
    AnswerRecord,
    Consent,
    KitRef,
    MediaFile,
    SubmissionManifest,
)
from onetake_desktop.storage.bundle import write_bundle
from onetake_desktop.storage.kitfile import demo_definition_path, load_definition
from tests.pipeline.hostile.media import write_answer


def demo_definition() -> InterviewDefinition:
    return load_definition(demo_definition_path())


def make_bundle(
    out: Path,
    name: str = "Ada Lovelace",
    email: str | None = None,
    *,
    definition: InterviewDefinition | None = None,
    seconds: float = 2.0,
    audio_only: bool = False,
    fps: int = 15,
    size: tuple[int, int] = (320, 240),
    writer: Callable[..., Path] = write_answer,
) -> Path:
    """A bundle answering every question of ``definition`` (the demo by default): video (or
    audio-only) media for media questions, text for text questions."""
    definition = definition or demo_definition()
    kit = definition.kit
    work = out.parent / f".{out.stem}-media"
    work.mkdir(parents=True, exist_ok=True)
    answers: list[AnswerRecord] = []
    media: dict[str, Path] = {}
    for i, q in enumerate(kit.questions):
        kind = kit.answer_type_of(q)
        start, end = f"2026-11-01T10:0{i}:00Z", f"2026-11-01T10:0{i}:30Z"
        if kind == "text":
            answers.append(
                AnswerRecord(
                    q.id,
                    "text",
                    1,
                    1,
                    20.0,
                    95.0,
                    start,
                    end,
                    text=f"{name} writes: I am sorry, here is what I will do.",
                )
            )
            continue
        kind = "audio" if audio_only or kind == "audio" else "video"
        member = f"media/{q.id}.mp4"
        path = writer(
            work / f"{q.id}.mp4",
            seconds=seconds,
            video=None if kind == "audio" else "libx264",
            fps=fps,
            size=size,
        )
        media[member] = path
        answers.append(
            AnswerRecord(
                q.id,
                kind,
                2,
                2,
                7.5 + i,
                seconds,
                start,
                end,
                MediaFile(
                    member, 0, "", "mp4", None if kind == "audio" else "h264", "aac", seconds
                ),
            )
        )
    manifest = SubmissionManifest(
        KitRef(kit.interview_id, kit.version, kit_content_hash(kit)),
        name,
        email or name.split()[0].lower() + "@example.org",
        Consent(privacy_notice_hash(kit), "2026-11-01T09:59:00Z"),
        tuple(answers),
        "2026-11-01T10:10:00Z",
        "0.1.0",
    )
    write_bundle(manifest, media, out)
    return out
