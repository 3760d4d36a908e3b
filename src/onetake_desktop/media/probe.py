"""Probe media files from outside in a child process with time and memory limits.

A hostile file may crash or hang a demuxer or decoder. We never open one in the app's own
process: a child (``media/probe_child.py``) sets its own resource limits
(address space, CPU seconds, no files written, no core dump) before importing PyAV, demuxes
every packet (which also finds the real duration and catches truncation), decodes the first
frames of each stream, and prints JSON. The parent kills it after ``timeout`` seconds.

Allow list: containers mp4/mov and matroska/webm; video h264, vp9, av1; audio aac, opus; at most
one video and one audio stream, nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.media.probe_child import (
    ALLOWED_AUDIO,
    ALLOWED_CONTAINERS,
    ALLOWED_VIDEO,
    DECODE_PACKETS,
    MAX_PACKETS,
    OPEN_BUDGET_MB,
    _limit_self,
)

__all__ = [
    "ALLOWED_AUDIO",
    "ALLOWED_CONTAINERS",
    "ALLOWED_VIDEO",
    "DECODE_PACKETS",
    "MAX_PACKETS",
    "OPEN_BUDGET_MB",
    "MediaInfo",
    "ProbeChild",
    "_limit_self",
    "probe_media",
    "probe_media_files",
    "same_container",
]

_OUTPUT_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class MediaInfo:
    container: str  # "mp4" (mp4/mov family) or "matroska" (matroska/webm)
    video_codec: str | None
    audio_codec: str | None
    duration_seconds: float
    width: int | None
    height: int | None


def same_container(declared: str, probed: str) -> bool:
    """Does a manifest's container name ("mp4", "mov", "webm"...) match what was probed?"""
    return ALLOWED_CONTAINERS.get(declared) == probed


def _child_command() -> list[str]:
    """A Python interpreter running this module. A packaged app's executable may be a launcher
    stub rather than Python (it would start the app again), so fall back to a real one."""
    executable = sys.executable
    if not Path(executable).name.lower().startswith("python"):
        base = getattr(sys, "_base_executable", "")
        if base and Path(base).name.lower().startswith("python"):
            executable = base
        else:
            executable = shutil.which("python3") or executable
    # -P: the working folder (wherever the user ran us) is not put on the import path.
    # -S: no site processing at start-up; the parent's whole import path is handed over below.
    return [executable, "-P", "-S", "-m", "onetake_desktop.media.probe_child"]


def _child_environment() -> dict[str, str]:
    # The child must import exactly the modules we use (our package, PyAV), wherever they live.
    paths = [p for p in sys.path if p and os.path.isabs(p) and os.path.isdir(p)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


class ProbeChild:
    """One limited probe child, started before its files exist.

    Start-up (Python, then PyAV under the limits) is most of a probe's cost, so a caller that
    is about to write the files (bundle import) starts the child first and hands it the paths
    with :meth:`probe` once they are complete. The child reads nothing before that, and its CPU
    limit is lowered to the request's budget when the request arrives. One call to
    :meth:`probe` per child (one child per bundle: no two bundles share a process);
    :meth:`close` (or leaving the ``with`` block) kills a child that was never asked. The
    object is used by one thread at a time.

    ``timeout`` is the default for :meth:`probe` and the child's CPU ceiling.
    """

    def __init__(
        self, timeout: float = 15.0, memory_mb: int = 512, open_budget_mb: float = OPEN_BUDGET_MB
    ) -> None:
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.open_budget_mb = open_budget_mb  # what opening one file may cost (probe_child.py)
        command = [*_child_command(), str(memory_mb), _cpu_seconds(timeout)]
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_environment(),
        )

    def __enter__(self) -> ProbeChild:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def usable(self) -> bool:
        """Not asked yet, and still running (it did not die during start-up)."""
        return self._process is not None and self._process.poll() is None

    def close(self) -> None:
        """Kill the child if it is still running and reap it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.communicate()

    def probe(self, paths: Sequence[Path], timeout: float | None = None) -> list[MediaInfo]:
        """Probe ``paths`` (complete files) within ``timeout`` seconds of wall and CPU time
        (default: the one given at start); the first bad file raises InvalidInputError."""
        timeout = self.timeout if timeout is None else min(timeout, self.timeout)
        process, self._process = self._process, None
        if process is None:
            raise RuntimeError("A ProbeChild probes once.")
        names = ", ".join(Path(p).name for p in paths)
        request = {
            "cpu_seconds": int(_cpu_seconds(timeout)),
            "paths": [os.fspath(p) for p in paths],
            "open_budget_mb": self.open_budget_mb,
        }
        try:
            out, _ = process.communicate(json.dumps(request).encode(), timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise InvalidInputError(
                f"Checking the media ({names}) took longer than {timeout:g} s, so it was refused."
            ) from None
        except BaseException:
            process.kill()
            process.communicate()
            raise
        return _read_reports(process.returncode, out, paths, names)


def _cpu_seconds(timeout: float) -> str:
    return str(max(1, int(timeout) + 1))


def probe_media(path: Path, timeout: float = 15.0, memory_mb: int = 512) -> MediaInfo:
    """Probe one file; InvalidInputError if it is not allowed, or crashes or hangs the prober."""
    return probe_media_files([path], timeout, memory_mb)[0]


def probe_media_files(
    paths: Sequence[Path], timeout: float = 15.0, memory_mb: int = 512
) -> list[MediaInfo]:
    """Probe several files in one child (one start-up cost); the first bad file raises."""
    if not paths:
        return []
    with ProbeChild(timeout, memory_mb) as child:
        return child.probe(paths)


def _read_reports(
    returncode: int, out: bytes, paths: Sequence[Path], names: str
) -> list[MediaInfo]:
    if returncode != 0 or len(out) > _OUTPUT_LIMIT:
        raise InvalidInputError(
            f"The media checker {_how_it_failed(returncode)} on {names}, so it was refused."
        )
    try:
        reports: list[dict[str, Any]] = json.loads(out)
    except ValueError:
        reports = []
    if not isinstance(reports, list) or len(reports) != len(paths):
        raise InvalidInputError(f"The media checker gave no answer for {names}.")
    infos = []
    for path, report in zip(paths, reports, strict=True):
        if "error" in report:
            raise InvalidInputError(f"{Path(path).name}: {report['error']}")
        infos.append(
            MediaInfo(
                container=str(report["container"]),
                video_codec=report["video_codec"],
                audio_codec=report["audio_codec"],
                duration_seconds=float(report["duration_seconds"]),
                width=report["width"],
                height=report["height"],
            )
        )
    return infos


def _how_it_failed(returncode: int) -> str:
    if returncode == -getattr(signal, "SIGXCPU", -1):
        return "used more processor time than allowed"
    if returncode < 0:
        return "crashed"
    return "failed (it may need more memory than allowed)"
