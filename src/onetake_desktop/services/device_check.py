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


@dataclass(frozen=True)
class DeviceState:
    """What the device check says once the microphone is open (the page only shows it).

    ``ready``: Continue is the next step. A video interview without a working camera is not
    ready until the candidate has chosen audio only: going on must never switch silently.
    ``problem``: the sentence that needs attention ("" when none), with audio only offered.
    """

    ready: bool
    status: str
    problem: str
    audio_note: str


READY = "Your devices are ready."
ATTENTION = "Something needs your attention."
NO_CAMERA_FOUND = (
    "No camera was found on this computer. If you have a webcam, plug it in (or close other "
    "apps that use it) and press Try again. Or answer with audio only: the employer then "
    "receives your answers as sound, without a picture."
)


def device_state(
    *,
    wants_video: bool,
    cameras_found: bool,
    camera_open: bool,
    camera_problem: str,
    audio_only_chosen: bool,
) -> DeviceState:
    """The state of devices whose microphone works.

    ``cameras_found``: the search offered at least one camera; ``camera_open``: one is
    running now; ``camera_problem``: why the chosen camera failed ("" if it did not);
    ``audio_only_chosen``: the candidate pressed "Answer with audio only" or chose it.
    """
    if not wants_video:
        note = "This interview asks for spoken (audio) answers: no camera is used."
        return DeviceState(True, READY, "", note)
    if camera_open:
        return DeviceState(True, READY, "", "")
    if audio_only_chosen:
        note = "You chose audio only: your answers are recorded as sound, without a picture."
        return DeviceState(True, "Your microphone is ready: you answer with audio only.", "", note)
    problem = camera_problem or (
        NO_CAMERA_FOUND
        if not cameras_found
        else "Your camera is not on. Choose it above, or answer with audio only."
    )
    note = "Without a camera your answers would be recorded as audio only."
    return DeviceState(False, ATTENTION, problem, note)
