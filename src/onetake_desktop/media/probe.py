"""Probe media files from outside in a child process with time and memory limits.

A hostile file may crash or hang a demuxer or decoder. We never open one in the app's own
process: a child (``media/probe_child.py``) sets its own resource limits
(address space, CPU seconds, no files written, no core dump) before importing PyAV, finds every
sample of each stream (which also gives the real duration and catches truncation), decodes the
first frames of each stream, and prints JSON. The parent kills it after ``timeout`` seconds.
An MP4's samples come from its own tables where they have the plain shape FFmpeg writes
(``media/mp4_samples.py``, checked against FFmpeg's packets at both ends, the last fragment's
frames decoded too); any other file has every packet demuxed.

Allow list: containers mp4/mov and matroska/webm; video h264, vp9, av1; audio aac, opus; at most
one video and one audio stream, nothing else.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
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
    "ProbeBatch",
    "ProbeChild",
    "ProbeServer",
    "_limit_self",
    "can_fork",
    "close_probe_servers",
    "probe_media",
    "probe_media_files",
    "same_container",
    "shared_server",
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


# glibc's allocator in the prober (ignored elsewhere): a decoder's pictures (1.4 MB each at
# 720p) come from the heap rather than a fresh mapping each, so a bundle's second file reuses
# the first one's pages, and the heap may use 2 MB pages where the kernel allows it. Measured in
# a forked prober probing two 10 s 720p answers: ~5,300 page faults and ~40 ms of CPU before,
# ~1,700 and ~28 ms with these. What the user set comes after, so it wins.
_ALLOCATOR_TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=16777216"


def _child_environment() -> dict[str, str]:
    # The child must import exactly the modules we use (our package, PyAV), wherever they live.
    paths = [p for p in sys.path if p and os.path.isabs(p) and os.path.isdir(p)]
    tunables = ":".join(t for t in (_ALLOCATOR_TUNABLES, os.environ.get("GLIBC_TUNABLES")) if t)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONDONTWRITEBYTECODE": "1",
        "GLIBC_TUNABLES": tunables,
    }


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


class ProbeServer:
    """A warm prober that forks one fresh, limited process per batch of files (POSIX).

    Start-up (Python, then PyAV under the memory limit) was most of a probe's cost: 100 ms of
    CPU per bundle against 30 ms for hashing and copying a small one. The server pays it once;
    each batch (one bundle's media files, see :meth:`batch`) is then opened only in its own
    forked process, with the limits a fresh child had (the server's address-space limit, each
    file's own CPU budget under a ceiling for the batch, no files written, the whole server
    killed after ``timeout`` seconds without an answer), which exits after its batch: no two
    bundles share a prober (the files of one bundle come from one sender and are accepted or
    refused together), and the server never reads outside data itself. Requests from several
    threads take turns.
    """

    def __init__(self, memory_mb: int = 512, open_budget_mb: float = OPEN_BUDGET_MB) -> None:
        self.memory_mb = memory_mb
        self.open_budget_mb = open_budget_mb
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self.last_pid = 0  # the process that probed the last file (tests: never the server)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _started(self) -> subprocess.Popen[bytes]:
        process = self._process
        if process is None or process.poll() is not None:
            command = [*_child_command(), "serve", str(self.memory_mb), "86400", str(_OUTPUT_LIMIT)]
            # Its own process group: a hung prober is killed with the server that forked it.
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_child_environment(),
                start_new_session=True,
            )
            self._process = process
            self._buffer = b""
        return process

    @property
    def running(self) -> bool:
        """Started and not dead (whether or not it is probing now)."""
        process = self._process
        return process is not None and process.poll() is None

    def start(self) -> None:
        """Start the server now (its start-up then overlaps whatever the caller does next)."""
        with self._lock:
            self._started()

    def start_if_idle(self) -> bool:
        """Start the server unless it is running or a batch holds it; never waits (a batch
        holds the server for a whole bundle, seconds: the GUI thread must not wait for it).
        True if this call started it."""
        if not self._lock.acquire(blocking=False):
            return False  # a batch is using it, and starts it itself
        try:
            if self.running:
                return False
            self._started()
            return True
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._kill()

    def close_if_idle(self) -> bool:
        """Stop the server unless a batch holds it; never waits. True if it is stopped."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self._kill()
            return True
        finally:
            self._lock.release()

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
        process.communicate()

    def probe_one(self, path: Path, timeout: float) -> MediaInfo:
        """Probe one complete file within ``timeout`` seconds of wall and CPU time;
        InvalidInputError if it is not allowed, or crashes or hangs its prober."""
        batch = self.batch(timeout)
        batch.submit(path)
        result = batch.results()[0]
        if isinstance(result, InvalidInputError):
            raise result
        return result

    def batch(self, timeout: float) -> ProbeBatch:
        """Files probed one after another while the caller goes on (a bundle's media as each
        is extracted), ``timeout`` seconds each, in one forked prober; see
        :class:`ProbeBatch`."""
        return ProbeBatch(self, timeout)

    # -- used by ProbeBatch, holding self._lock ---------------------------------------------

    def _send(self, path: Path, timeout: float) -> bool:
        request = {
            "cpu_seconds": int(_cpu_seconds(timeout)),
            "path": os.fspath(path),
            "open_budget_mb": self.open_budget_mb,
        }
        process = self._started()
        assert process.stdin is not None
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            process.stdin.flush()
        except OSError:  # the server died (it may not even have started: too little memory)
            return False
        return True

    def _read_line(self, fd: int, timeout: float) -> bytes | None:
        """The server's next answer line (b"" if it died, None after ``timeout`` seconds).
        Unbuffered reads of our own: a buffered reader could hold the next answer already,
        and select() would not see it."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            try:
                ready, _, _ = select.select([fd], [], [], max(0.0, left))
                chunk = os.read(fd, 65536) if ready else None
            except (OSError, ValueError):
                chunk = b""
            if chunk is None:
                return None
            if not chunk or len(self._buffer) > 4 * _OUTPUT_LIMIT:
                self._buffer = b""
                return b""
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _end_batch(self) -> None:
        """The batch's prober may exit (its files are all answered)."""
        process = self._process
        if process is None or process.poll() is not None or process.stdin is None:
            return
        try:
            process.stdin.write(b'{"close": true}\n')
            process.stdin.flush()
        except (OSError, ValueError):  # it died, or its input was closed
            pass

    def _receive(self, path: Path, timeout: float) -> MediaInfo | InvalidInputError:
        name = Path(path).name
        process = self._process
        if process is None or process.stdout is None:
            return InvalidInputError(f"The media checker gave no answer for {name}.")
        line = self._read_line(process.stdout.fileno(), timeout)
        if line is None:
            self._kill()
            return InvalidInputError(
                f"Checking the media ({name}) took longer than {timeout:g} s, so it was refused."
            )
        try:
            answer = json.loads(line)
            returncode, out = int(answer["returncode"]), str(answer["out"]).encode()
            self.last_pid = int(answer["pid"])
        except (ValueError, KeyError, TypeError):
            self._kill()  # the server itself failed (it never reads the files): start anew
            return InvalidInputError(f"The media checker gave no answer for {name}.")
        try:
            return _read_reports(returncode, out, [path], name)[0]
        except InvalidInputError as error:
            return error


class ProbeBatch:
    """Probes submitted one by one while the caller goes on; :meth:`results` waits for them.

    The server probes them in order in one forked process of their own, ``timeout`` seconds each
    (a file's clock starts when its request is sent or when the previous answer is read,
    whichever is later, so each file has at least its own ``timeout``). The batch holds its
    server from the first :meth:`submit` until :meth:`results`; other threads wait their turn.
    Results are a MediaInfo or the InvalidInputError that refuses the file, never raised here.
    """

    def __init__(self, server: ProbeServer, timeout: float) -> None:
        self.server = server
        self.timeout = timeout
        self._pending: list[tuple[Path, bool]] = []
        self._held = False
        self._results: list[MediaInfo | InvalidInputError] | None = None
        self.pids: list[int] = []  # the prober that answered each file (0: none did)

    def submit(self, path: Path) -> None:
        if self._results is not None:
            raise RuntimeError("This batch has given its results.")
        if not self._held:
            self.server._lock.acquire()
            self._held = True
        self._pending.append((Path(path), self.server._send(Path(path), self.timeout)))

    def results(self) -> list[MediaInfo | InvalidInputError]:
        if self._results is None:
            results: list[MediaInfo | InvalidInputError] = []
            try:
                for path, sent in self._pending:
                    self.server.last_pid = 0
                    if sent:
                        results.append(self.server._receive(path, self.timeout))
                        self.pids.append(self.server.last_pid)
                    else:
                        self.pids.append(0)
                        self.server._kill()
                        results.append(
                            InvalidInputError(f"The media checker gave no answer for {path.name}.")
                        )
                self.server._end_batch()
            finally:
                self._release()
            self._results = results
        return self._results

    def _release(self) -> None:
        if self._held:
            self._held = False
            self.server._lock.release()


_servers_lock = threading.Lock()
_servers: dict[tuple[int, float], ProbeServer] = {}


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin" and os.name == "posix"


def shared_server(memory_mb: int = 512, open_budget_mb: float = OPEN_BUDGET_MB) -> ProbeServer:
    """The process's warm prober for these limits (started on first use, stopped at exit)."""
    key = (memory_mb, open_budget_mb)
    with _servers_lock:
        server = _servers.get(key)
        if server is None:
            server = _servers[key] = ProbeServer(memory_mb, open_budget_mb)
    return server


@atexit.register
def close_probe_servers() -> None:
    """Stop every warm prober (at exit; tests may call it)."""
    with _servers_lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.close()


def _cpu_seconds(timeout: float) -> str:
    return str(max(1, int(timeout) + 1))


def probe_media(path: Path, timeout: float = 15.0, memory_mb: int = 512) -> MediaInfo:
    """Probe one file; InvalidInputError if it is not allowed, or crashes or hangs the prober."""
    return probe_media_files([path], timeout, memory_mb)[0]


def probe_media_files(
    paths: Sequence[Path], timeout: float = 15.0, memory_mb: int = 512
) -> list[MediaInfo]:
    """Probe several files (one bundle's) in one limited prober, ``timeout`` seconds each; the
    first bad file raises."""
    if not paths:
        return []
    if can_fork():
        batch = shared_server(memory_mb).batch(timeout)
        for path in paths:
            batch.submit(path)
        infos = []
        for result in batch.results():
            if isinstance(result, InvalidInputError):
                raise result
            infos.append(result)
        return infos
    with ProbeChild(timeout * len(paths), memory_mb) as child:
        return child.probe(paths, timeout * len(paths))


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
