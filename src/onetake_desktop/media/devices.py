"""What can record here: cameras, microphones, and room on the disk.

``list_devices`` is quick (it opens each camera node once and asks PortAudio for its list) and
never raises: missing pieces become plain sentences in ``DeviceList.notes``.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onetake_desktop.domain.errors import DeviceError, DiskFullError
from onetake_desktop.media.profiles import Profile

# Kept free beyond the estimate, for the database, the bundle manifest and the OS.
DISK_MARGIN_BYTES = 8 * 1024 * 1024
# How many seconds of recording the disk must still hold while a take runs; below, it stops.
RUNNING_RESERVE_SECONDS = 3.0
# When no time limit is known, the pre-take check asks for room for this long an answer.
UNBOUNDED_TAKE_SECONDS = 60.0


@dataclass(frozen=True)
class Device:
    """One camera or microphone, with the source string that selects it."""

    kind: str  # "camera" or "microphone"
    spec: str  # "camera:0", "mic:NAME"
    name: str
    detail: str = ""
    default: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "spec": self.spec,
            "name": self.name,
            "detail": self.detail,
            "default": self.default,
        }


@dataclass(frozen=True)
class DeviceList:
    cameras: list[Device] = field(default_factory=list)
    microphones: list[Device] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cameras": [d.to_dict() for d in self.cameras],
            "microphones": [d.to_dict() for d in self.microphones],
            "notes": list(self.notes),
        }


def list_devices(max_cameras: int = 8) -> DeviceList:
    """Cameras (opened once each with OpenCV) and microphones (PortAudio), never raising."""
    cameras, camera_note = _cameras(max_cameras)
    microphones, mic_note = _microphones()
    notes = [note for note in (camera_note, mic_note) if note]
    return DeviceList(cameras, microphones, notes)


def _camera_indices(max_cameras: int) -> list[int]:
    if sys.platform.startswith("linux"):
        # Only device nodes that exist: opening absent indices costs time and log noise.
        nodes = sorted(Path("/dev").glob("video[0-9]*"))
        return [int(p.name[5:]) for p in nodes if p.name[5:].isdigit()][:max_cameras]
    return list(range(max_cameras))


def _cameras(max_cameras: int) -> tuple[list[Device], str | None]:
    from onetake_desktop.media.sources import CameraSource

    found: list[Device] = []
    for index in _camera_indices(max_cameras):
        try:
            camera = CameraSource(index)
        except DeviceError:
            continue  # metadata nodes and busy cameras: not usable now
        found.append(Device("camera", f"camera:{index}", f"Camera {index}", camera.description))
        camera.stop()
    note = None
    if not found:
        note = (
            "No camera was found; connect one, or record with a stand-in such as "
            "--camera synthetic or --camera file:clip.mp4."
        )
    return found, note


def _microphones() -> tuple[list[Device], str | None]:
    from onetake_desktop.media.sources import load_sounddevice

    try:
        sd = load_sounddevice()
    except DeviceError as error:
        return [], str(error)
    try:
        devices = list(sd.query_devices())
        default_input = sd.default.device[0]
    except Exception:
        devices, default_input = [], -1
    found: list[Device] = []
    for index, info in enumerate(devices):
        if info.get("max_input_channels", 0) <= 0:
            continue
        name = str(info["name"])
        rate = info.get("default_samplerate", 0)
        found.append(
            Device(
                "microphone",
                f"mic:{name}",
                name,
                f"{info['max_input_channels']} channel(s), {rate:g} Hz",
                default=index == default_input,
            )
        )
    note = None
    if not found:
        note = (
            "No microphone was found; connect one, or record with a stand-in such as "
            "--mic synthetic or --mic file:answer.wav."
        )
    return found, note


def required_bytes(seconds: float, profile: Profile) -> int:
    """Room a take needs before it starts: length x bitrate x 1.5, plus a margin."""
    return int(seconds * profile.bytes_per_second() * 1.5) + DISK_MARGIN_BYTES


def running_reserve_bytes(profile: Profile) -> int:
    """Below this much free space a running take stops itself, while it can still close."""
    return int(RUNNING_RESERVE_SECONDS * profile.bytes_per_second()) + 256 * 1024


def check_disk_space(folder: Path, seconds: float, profile: Profile) -> None:
    """Raise DiskFullError when ``folder`` cannot hold a take of ``seconds`` (0 = unknown)."""
    seconds = seconds if seconds > 0 else UNBOUNDED_TAKE_SECONDS
    try:
        free = shutil.disk_usage(folder).free
    except OSError as error:
        raise DiskFullError(
            f"The folder {folder} cannot be checked for free space ({error})."
        ) from None
    need = required_bytes(seconds, profile)
    if free < need:
        raise DiskFullError(
            f"There is not enough free disk space to record ({free / 1e6:.0f} MB free, "
            f"{need / 1e6:.0f} MB needed); free some space and try again."
        )
