"""Probe media files from outside in a child process with time and memory limits.

A hostile file may crash or hang a demuxer or decoder. We never open one in the app's own
process: a child (``python -m onetake_desktop.media.probe``) sets its own resource limits
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

ALLOWED_CONTAINERS = {"mp4": "mp4", "mov": "mp4", "matroska": "matroska", "webm": "matroska"}
ALLOWED_VIDEO = ("h264", "vp9", "av1")
ALLOWED_AUDIO = ("aac", "opus")
DECODE_PACKETS = 5  # per stream: enough to prove the codec really decodes this data
MAX_PACKETS = 2_000_000
_OUTPUT_LIMIT = 1024 * 1024
_DEMUXER_LIMITS = {"format_whitelist": "mov,matroska", "protocol_whitelist": "file"}


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
    return [executable, "-P", "-m", "onetake_desktop.media.probe"]


def _child_environment() -> dict[str, str]:
    # The child must import exactly the modules we use (our package, PyAV), wherever they live.
    paths = [p for p in sys.path if p and os.path.isabs(p) and os.path.isdir(p)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


def probe_media(path: Path, timeout: float = 15.0, memory_mb: int = 512) -> MediaInfo:
    """Probe one file; InvalidInputError if it is not allowed, or crashes or hangs the prober."""
    return probe_media_files([path], timeout, memory_mb)[0]


def probe_media_files(
    paths: Sequence[Path], timeout: float = 15.0, memory_mb: int = 512
) -> list[MediaInfo]:
    """Probe several files in one child (one start-up cost); the first bad file raises."""
    if not paths:
        return []
    command = [
        *_child_command(),
        str(memory_mb),
        str(max(1, int(timeout) + 1)),
        *(os.fspath(p) for p in paths),
    ]
    names = ", ".join(Path(p).name for p in paths)
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
            env=_child_environment(),
        )
    except subprocess.TimeoutExpired:  # run() has killed and reaped the child
        raise InvalidInputError(
            f"Checking the media ({names}) took longer than {timeout:g} s, so it was refused."
        ) from None
    if result.returncode != 0 or len(result.stdout) > _OUTPUT_LIMIT:
        raise InvalidInputError(
            f"The media checker {_how_it_failed(result.returncode)} on {names}, so it was refused."
        )
    try:
        reports: list[dict[str, Any]] = json.loads(result.stdout)
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


# --- the child ---------------------------------------------------------------------------------


def _limit_self(memory_mb: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout still applies
        return
    limits = {
        resource.RLIMIT_AS: memory_mb * 1024 * 1024,
        resource.RLIMIT_CPU: cpu_seconds,
        resource.RLIMIT_FSIZE: 0,  # writes nothing (stdout is a pipe, which is not limited)
        resource.RLIMIT_CORE: 0,
    }
    for which, value in limits.items():
        _soft, hard = resource.getrlimit(which)
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        # A CPU hard limit above the soft one: the kernel sends SIGXCPU (which the parent can
        # name) a second before SIGKILL.
        roomy = hard == resource.RLIM_INFINITY or cap < hard
        ceiling = cap + 1 if which == resource.RLIMIT_CPU and roomy else cap
        resource.setrlimit(which, (cap, ceiling))


def _probe_one(path: str) -> dict[str, Any]:
    import av

    try:
        # Only our two demuxers may even look at the file: others (concat, hls, sdp...) open
        # further files or sockets named inside it before we could refuse their format.
        container = av.open(path, mode="r", container_options=_DEMUXER_LIMITS)
    except (av.FFmpegError, OSError, ValueError):
        return {
            "error": "its container is not allowed or it is not a media file (this app reads "
            "MP4/MOV and Matroska/WebM)."
        }
    with container:
        formats = set(container.format.name.split(","))
        family = next((ALLOWED_CONTAINERS[f] for f in ("mp4", "matroska") if f in formats), None)
        if family is None:
            return {"error": f"the container {container.format.name!r} is not allowed."}
        video = list(container.streams.video)
        audio = list(container.streams.audio)
        others = [s for s in container.streams if s.type not in ("video", "audio")]
        if others:
            return {"error": f"it has a {others[0].type} stream; only video and audio are allowed."}
        if len(video) > 1 or len(audio) > 1 or not (video or audio):
            return {"error": "it must have one video and/or one audio stream."}
        for stream, allowed in ((video, ALLOWED_VIDEO), (audio, ALLOWED_AUDIO)):
            if stream:
                codec = stream[0].codec_context.codec.canonical_name
                if codec not in allowed:
                    return {"error": f"the codec {codec!r} is not allowed."}
        for s in container.streams:
            # One decoding thread: a thread per core would each reserve stack and frame memory
            # against the address-space limit, and the first frames decode fast anyway.
            s.codec_context.thread_count = 1
        end = 0.0
        decoded = {s.index: 0 for s in container.streams}
        packets = 0
        try:
            for packet in container.demux():
                packets += 1
                if packets > MAX_PACKETS:
                    return {"error": "it has too many packets."}
                if packet.pts is not None and packet.time_base is not None:
                    stop = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                    end = max(end, stop)
                index = packet.stream.index
                if decoded[index] < DECODE_PACKETS and packet.size:
                    packet.decode()
                    decoded[index] += 1
        except (av.FFmpegError, ValueError, OverflowError, ZeroDivisionError):
            return {"error": "it is damaged (it cannot be decoded)."}
        if container.duration and container.duration > 0:
            end = max(end, container.duration / 1_000_000)
        if not end > 0:
            return {"error": "it has no playable content."}
        v = video[0] if video else None
        return {
            "container": family,
            "video_codec": v.codec_context.codec.canonical_name if v else None,
            "audio_codec": audio[0].codec_context.codec.canonical_name if audio else None,
            "duration_seconds": round(end, 3),
            "width": v.width if v else None,
            "height": v.height if v else None,
        }


def _child_main(argv: list[str]) -> int:
    memory_mb, cpu_seconds, *paths = argv
    _limit_self(int(memory_mb), int(cpu_seconds))
    import av.logging

    av.logging.set_level(None)  # FFmpeg's own log lines would only be noise here
    reports = []
    for path in paths:
        try:
            reports.append(_probe_one(path))
        except MemoryError:
            reports.append({"error": "checking it needed more memory than allowed."})
    sys.stdout.write(json.dumps(reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
