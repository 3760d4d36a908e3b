"""Recording profiles: what a take is encoded as.

Plain data, no PyAV: the numbers were measured on a 2-core laptop-class machine (see
``shared/notes/platform.md``): libx264 veryfast + zerolatency encodes 720p30 at ~75 fps on one
loaded core, ultrafast at ~165 fps. The GOP is one second so that a crash loses at most the
last fragment.

The default profile is constrained quality (issue 17), chosen on curves measured with
``bench/quality_bench.py`` (bench/README.md): CRF 23 capped at 1.4 Mbit/s. On talking-head
content that is 0.22x the bytes per minute of the former 1.5 Mbit/s average at the same SSIM;
on hard content (moving detail, strong noise) the cap holds it to 0.98x the former bytes at an
SSIM no lower. A camera's answer costs what its picture needs, not a fixed rate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.kit import Kit

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
    # Constrained quality: x264's CRF (constant quality) with ``maxrate`` as a cap, instead of
    # an average bitrate. None: average bitrate ``video_bitrate`` (capped at ``maxrate``).
    crf: float | None = None
    # What one second of a talking-head answer costs in video bits (measured, see the module
    # docstring): for estimates. An average-bitrate profile costs its average.
    typical_video_bitrate: int = 0

    @property
    def bufsize(self) -> int:
        """Rate-control buffer: one second at the cap, so quality can vary within a GOP."""
        return self.maxrate

    def bytes_per_second(self) -> float:
        """Expected size of one second of the take (upper bound: the video cap, not its mean)."""
        video = 0 if self.audio_only else self.maxrate
        return (video + self.audio_bitrate) / 8 * _CONTAINER_OVERHEAD

    def typical_bytes_per_second(self) -> float:
        """Size of one second of a talking-head take (what answers mostly are)."""
        if self.audio_only:
            video = 0
        elif self.crf is not None:
            video = self.typical_video_bitrate or self.maxrate
        else:
            video = self.video_bitrate
        return (video + self.audio_bitrate) / 8 * _CONTAINER_OVERHEAD

    def scaled(self, width: int, height: int) -> Profile:
        """The same profile at another picture size (tests and benchmarks use small pictures)."""
        return replace(self, width=width, height=height)

    def video_options(self) -> dict[str, str]:
        """libx264 private options; the same values the ffmpeg command line would get."""
        return {"preset": self.preset, "tune": self.tune}

    def rate_options(self) -> dict[str, str]:
        """Rate control, GOP and keyframe options as FFmpeg option names and values: the
        recorder's encoder and the benchmarks' ffmpeg command line both use these."""
        rate = {"crf": f"{self.crf:g}"} if self.crf is not None else {"b": str(self.video_bitrate)}
        return {
            **rate,
            "maxrate": str(self.maxrate),
            "bufsize": str(self.bufsize),
            "g": str(self.gop),
            "sc_threshold": "0",  # keyframes exactly once a GOP, for the fragments
        }

    def ffmpeg_video_args(self) -> list[str]:
        """The same settings as ffmpeg command-line arguments (for ``-c:v libx264``)."""
        options = {**self.video_options(), **self.rate_options()}
        return [arg for key, value in options.items() for arg in (f"-{key}", value)]


_DEFAULT = Profile(
    name="default",
    width=1280,
    height=720,
    fps=30,
    video_codec="libx264",
    preset="veryfast",
    tune="zerolatency",
    gop=30,
    video_bitrate=0,  # constrained quality: no average, CRF and the cap
    maxrate=1_400_000,
    audio_codec="aac",
    audio_bitrate=128_000,
    sample_rate=48_000,
    crf=23,
    # Measured: 2.60 MB per minute (347 kbit/s) on bench/quality_bench.py's synthetic
    # talking head. Real faces and rooms may cost more; the cap bounds every answer.
    typical_video_bitrate=350_000,
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
        crf=None,  # not measured on curves yet: the former average bitrate
        typical_video_bitrate=0,
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


# What a bundle holds besides the answers' media: the manifest, checksums, zip headers.
_BUNDLE_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class BundleEstimate:
    """How big a candidate's bundle will be, from the kit's answer time limits."""

    typical_bytes: int  # every answer at its time limit, talking-head content
    at_most_bytes: int  # every answer at its time limit, every second at the video cap
    media_seconds: float  # recorded seconds at most (video and audio answers)


def estimate_bundle_bytes(
    kit: Kit, profile: Profile, time_multiplier: float = 1.0
) -> BundleEstimate:
    """The bundle size a kit leads to when each recorded answer uses its whole time (times
    ``time_multiplier``, a candidate's extra-time accommodation). Text answers add nothing
    that counts. Audio answers cost the profile's audio only."""
    typical = at_most = 0.0
    seconds = 0.0
    audio_profile = replace(profile, audio_only=True)
    for question in kit.questions:
        kind = kit.answer_type_of(question)
        if kind == "text":
            continue
        length = question.answer_max_seconds * time_multiplier
        used = audio_profile if kind == "audio" else profile
        seconds += length
        typical += used.typical_bytes_per_second() * length
        at_most += used.bytes_per_second() * length
    return BundleEstimate(
        typical_bytes=int(typical) + _BUNDLE_OVERHEAD_BYTES,
        at_most_bytes=int(at_most) + _BUNDLE_OVERHEAD_BYTES,
        media_seconds=seconds,
    )
