"""What a take produces, as plain types: services and tests type against these without
importing PyAV or OpenCV (nothing here imports them; tests/unit runs where they are absent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TakeStats:
    """What happened during a take. ``cpu_seconds`` is the whole process (capture, encoder
    threads and anything else running), over the take's wall time ``wall_seconds``."""

    frames_captured: int = 0
    frames_encoded: int = 0
    frames_dropped: int = 0
    frames_merged: int = 0  # a source faster than the profile: frames sharing one pts slot
    audio_samples: int = 0
    audio_gap_fill_samples: int = 0  # silence put where the device lost sound
    video_seconds: float = 0.0
    audio_seconds: float = 0.0
    # How far apart in the file are a picture and a sound captured at the same instant
    # (positive: the picture comes later), at the first and at the last picture. Each
    # stream's error is its file time minus its capture time since t0: pictures are rounded to
    # the frame grid, sound counts samples (so a microphone's clock drift shows here).
    av_start_offset_ms: float = 0.0
    av_offset_ms: float = 0.0
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    # Pixel conversions, by kind: how many pictures each. On the way to the encoder
    # ("yuyv422->yuv420p (swscale)", "mjpeg->yuvj422p (PyAV)" then "yuvj422p->yuv420p
    # (swscale)", "bgr->yuv420p (OpenCV)"; none for a file already in I420), and for the
    # preview while the take ran ("preview ..." kinds: made at the preview's size).
    conversions: dict[str, int] = field(default_factory=dict)
    # How the pictures reached the encoder: "yuyv422 raw (V4L2)", "mjpeg raw (V4L2)",
    # "bgr (OpenCV decodes, MSMF)", "yuv420p (PyAV file)", ... ("" for sound only).
    capture_path: str = ""


@dataclass(frozen=True)
class TakeResult:
    path: Path
    duration_seconds: float
    size_bytes: int
    container: str
    video_codec: str | None
    audio_codec: str | None
    stop_reason: str
    message: str | None
    stats: TakeStats = field(default_factory=TakeStats)
    profile: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "duration_seconds": round(self.duration_seconds, 3),
            "size_bytes": self.size_bytes,
            "container": self.container,
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "stop_reason": self.stop_reason,
            "message": self.message,
            "profile": self.profile,
            "stats": {
                "frames_captured": self.stats.frames_captured,
                "frames_encoded": self.stats.frames_encoded,
                "frames_dropped": self.stats.frames_dropped,
                "frames_merged": self.stats.frames_merged,
                "audio_samples": self.stats.audio_samples,
                "audio_gap_fill_samples": self.stats.audio_gap_fill_samples,
                "video_seconds": round(self.stats.video_seconds, 3),
                "audio_seconds": round(self.stats.audio_seconds, 3),
                "av_start_offset_ms": round(self.stats.av_start_offset_ms, 1),
                "av_offset_ms": round(self.stats.av_offset_ms, 1),
                "cpu_seconds": round(self.stats.cpu_seconds, 3),
                "wall_seconds": round(self.stats.wall_seconds, 3),
                "conversions": dict(self.stats.conversions),
                "capture_path": self.stats.capture_path,
            },
        }
