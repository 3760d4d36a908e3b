"""What the candidate's device check returns (services/candidate.py makes them).

Their own module (issue 17): the window's first page never checks devices, and each frozen
dataclass costs ~3.5 M instructions to build at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onetake_desktop.services.candidate import CaptureLike


@dataclass(frozen=True)
class DiskReport:
    free_bytes: int
    needed_bytes: int
    ok: bool
    sentence: str


@dataclass(frozen=True)
class DeviceChoices:
    """What the device check offers: (source string, name for people) pairs, defaults first."""

    cameras: list[tuple[str, str]]
    microphones: list[tuple[str, str]]
    notes: list[str]


@dataclass(frozen=True)
class DeviceOpening:
    """What opening the devices gave (made on a worker thread, adopted on the owner's):
    the running capture or None, what it uses, and a problem in the candidate's words."""

    capture: CaptureLike | None
    camera: str | None
    mic: str | None
    problem: str = ""
