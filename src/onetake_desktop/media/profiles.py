"""Recording profiles: what a take is encoded as.

Plain data, no PyAV: the numbers were measured on a 2-core laptop-class machine (see
``shared/notes/platform.md``): libx264 veryfast + zerolatency encodes 720p30 at ~75 fps on one
loaded core, ultrafast at ~165 fps. The GOP is one second so that a crash loses at most the
last fragment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from onetake_desktop.domain.errors import OneTakeError

# MP4 headers, fragment boxes and AAC/H.264 framing on top of the nominal bitrates.
_CONTAINER_OVERHEAD = 1.03


@dataclass(frozen=True)
class Profile:
    """Encoder settings for one take. Bitrates are in bits per second."""

    name: str
    width: int
    height: int
    fps: int
    video_codec: str
    preset: str
    tune: str
    gop: int
    video_bitrate: int
    maxrate: int
    audio_codec: str
    audio_bitrate: int
    sample_rate: int
    audio_only: bool = False
    channels: int = 1

    @property
    def bufsize(self) -> int:
        """Rate-control buffer: one second at the cap, so quality can vary within a GOP."""
        return self.maxrate

    def bytes_per_second(self) -> float:
        """Expected size of one second of the take (upper bound: the video cap, not its mean)."""
        video = 0 if self.audio_only else self.maxrate
        return (video + self.audio_bitrate) / 8 * _CONTAINER_OVERHEAD

    def scaled(self, width: int, height: int) -> Profile:
        """The same profile at another picture size (tests and benchmarks use small pictures)."""
        return replace(self, width=width, height=height)

    def video_options(self) -> dict[str, str]:
        """libx264 private options; the same values the ffmpeg command line would get."""
        return {"preset": self.preset, "tune": self.tune}


_DEFAULT = Profile(
    name="default",
    width=1280,
    height=720,
    fps=30,
    video_codec="libx264",
    preset="veryfast",
    tune="zerolatency",
    gop=30,
    video_bitrate=1_500_000,
    maxrate=2_000_000,
    audio_codec="aac",
    audio_bitrate=128_000,
    sample_rate=48_000,
)

PROFILES: dict[str, Profile] = {
    "default": _DEFAULT,
    # For weak machines: a smaller picture and the cheapest x264 preset, same container.
    "light": replace(
        _DEFAULT,
        name="light",
        width=640,
        height=480,
        preset="ultrafast",
        video_bitrate=800_000,
        maxrate=1_100_000,
        audio_bitrate=96_000,
    ),
    # Audio answers: the default's sound, no picture.
    "audio": replace(
        _DEFAULT,
        name="audio",
        width=0,
        height=0,
        video_codec="",
        preset="",
        tune="",
        gop=0,
        video_bitrate=0,
        maxrate=0,
        audio_only=True,
    ),
}

# When the machine cannot encode the default profile in real time, takes use this one.
LIGHT_FALLBACK = "light"


def get_profile(name: str | None, audio_only: bool = False) -> Profile:
    """Look a profile up by name; ``audio_only`` turns any profile into its audio-only form."""
    key = name or ("audio" if audio_only else "default")
    try:
        profile = PROFILES[key]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise OneTakeError(f"There is no recording profile called '{key}' (try {known}).") from None
    if audio_only and not profile.audio_only:
        profile = replace(profile, audio_only=True)
    return profile
