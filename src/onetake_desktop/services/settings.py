"""Settings, typed and versioned, in one place.

- Per machine: ``settings.json`` under ``paths.config`` (:class:`Settings`): who reviews on this
  computer by default and which camera and microphone the windows start with. The file carries
  a ``version``; :data:`MIGRATIONS` lift older files step by step, and a file from a newer
  OneTake is read as defaults and never overwritten (downgrading must not lose it).
- Per reviewer: kept in the library database beside their scores (:class:`ReviewerSettings`),
  so a panel's shared laptop remembers each panelist's playback speed and audio-only choice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # the library (and its imports) only when a caller has one open
    from onetake_desktop.storage.library import Library

log = logging.getLogger(__name__)

SETTINGS_VERSION = 3
DEFAULT_REVIEWER_NAME = "Me"
# The playback speeds a reviewer can pick (the player offers these, the service snaps to them).
SPEEDS: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)

Json = dict[str, Any]


def _v0_to_v1(data: Json) -> Json:
    """v0 (no version): {"reviewer_name": ...} and whatever else was lying there."""
    name = data.get("reviewer_name")
    return {"version": 1, "reviewer_name": name if isinstance(name, str) else None}


def _v1_to_v2(data: Json) -> Json:
    """v2 adds the default camera and microphone (None: the built-in defaults)."""
    return {**data, "version": 2, "camera": None, "mic": None}


def _v2_to_v3(data: Json) -> Json:
    """v3 adds candidate mode's text size and its 10-second beep."""
    return {**data, "version": 3, "text_scale": 1.0, "beep": False}


MIGRATIONS: dict[int, Callable[[Json], Json]] = {0: _v0_to_v1, 1: _v1_to_v2, 2: _v2_to_v3}


class Settings(NamedTuple):
    """This computer's settings (``settings.json``). A NamedTuple, not a frozen dataclass:
    every window's start reads them (paths.py says why); a changed copy is ``_replace``'s."""

    reviewer_name: str | None = None  # None: DEFAULT_REVIEWER_NAME
    camera: str | None = None  # None: ONETAKE_CAMERA, else the first camera
    mic: str | None = None  # None: ONETAKE_MIC, else the default microphone
    text_scale: float = 1.0  # candidate mode's text size (Ctrl+plus/minus)
    beep: bool = False  # candidate mode: a beep 10 s before a clock runs out
    newer_file: bool = False  # read from a newer OneTake: never written back

    @property
    def reviewer(self) -> str:
        name = (self.reviewer_name or "").strip()
        return name or DEFAULT_REVIEWER_NAME

    @classmethod
    def from_dict(cls, data: Json) -> Settings:
        version = data.get("version", 0)
        if not isinstance(version, int) or version < 0:
            raise ValueError(f"version {version!r} is not a settings version")
        if version > SETTINGS_VERSION:
            log.warning("settings.json is version %s (newer than %s)", version, SETTINGS_VERSION)
            return cls(newer_file=True)
        while version < SETTINGS_VERSION:
            data = MIGRATIONS[version](data)
            version = data["version"]

        def text(key: str) -> str | None:
            value = data.get(key)
            return value.strip() or None if isinstance(value, str) else None

        scale = data.get("text_scale", 1.0)
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0.5 <= scale <= 3:
            scale = 1.0
        beep = data.get("beep") is True
        return cls(text("reviewer_name"), text("camera"), text("mic"), float(scale), beep)

    def to_dict(self) -> Json:
        data = {k: v for k, v in self._asdict().items() if k != "newer_file"}
        return {"version": SETTINGS_VERSION, **data}

    @classmethod
    def load(cls, path: Path) -> Settings:
        """The settings in ``path``; defaults when it is missing or unreadable (logged)."""
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except OSError as error:
            log.warning("settings cannot be read (%s); using defaults", error)
            return cls()
        # json (and storage.atomic in save) load here, with a settings file to read or write:
        # every window's start looks for one and most computers have none (issue 17).
        import json

        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return cls.from_dict(data)
        except (ValueError, KeyError) as error:
            log.warning("settings.json is damaged (%s); using defaults", error)
            return cls()

    def save(self, path: Path) -> None:
        if self.newer_file:
            raise ValueError("settings from a newer OneTake are not written back")
        import json

        from onetake_desktop.storage.atomic import atomic_write_bytes

        body = json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"
        atomic_write_bytes(path, body.encode("utf-8"))


class ReviewerPrefs(NamedTuple):
    """One reviewer's playback choices. A NamedTuple, not a frozen dataclass: every window's
    start imports this module (paths.py says why)."""

    playback_rate: float = 1.0
    audio_only: bool = False


def nearest_speed(rate: float) -> float:
    return min(SPEEDS, key=lambda s: abs(s - rate))


class ReviewerSettings:
    """Each reviewer's own settings, typed, over the library's ``reviewer_settings`` table."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def get(self, reviewer_id: int) -> ReviewerPrefs:
        repo = self.library.reviewers
        try:
            rate = nearest_speed(float(repo.setting(reviewer_id, "playback_rate", "1.0") or 1.0))
        except ValueError:
            rate = 1.0
        return ReviewerPrefs(rate, repo.setting(reviewer_id, "audio_only", "0") == "1")

    def set_playback_rate(self, reviewer_id: int, rate: float) -> float:
        """Keep the speed nearest ``rate``; returns the one kept."""
        rate = nearest_speed(rate)
        self.library.reviewers.set_setting(reviewer_id, "playback_rate", f"{rate:g}")
        return rate

    def set_audio_only(self, reviewer_id: int, on: bool) -> None:
        self.library.reviewers.set_setting(reviewer_id, "audio_only", "1" if on else "0")
