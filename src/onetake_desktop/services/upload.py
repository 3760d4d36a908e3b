"""Sending a sealed bundle to the employer over a bad connection (issue 13): tus 1.0 uploads.

The upload survives drops, sleep, restarts and kill -9: the upload's address is written beside
the bundle (``NAME.send.json``) as soon as the server creates it, and every attempt first asks
the server how many bytes it holds (HEAD) and goes on from there. It is complete only when the
server says it holds every byte (checked with a last HEAD), never on the client's word.

tuspy creates the upload and reads the server's offset (with timeouts added, so a sleeping
laptop's dead connection cannot hang); the bytes are sent by a streaming PATCH of our own so
that progress (bytes, speed, time left) moves smoothly, memory stays at one 1 MiB block
whatever the size, and pausing stops mid-request (the server keeps what it received).

Pausing cannot wait for the next read of the body: the whole of a small bundle can sit in the
socket's send buffer (Linux grows it to MBs) while the request waits for the server's reply, and
the upload would then finish instead of pausing. So a pause resets the PATCH's connection (the
kernel drops what it has not sent), and the paused figure is what the server says it holds; so
is the figure shown offline, after a dropped connection. The send buffer is also capped, so
that the bytes counted as sent stay near what the server has.

Threading: :func:`send_bundle` runs on the caller's thread and calls ``on_progress`` there.
:class:`UploadJob` runs it on one worker thread for a window: its callbacks come from that
worker thread (a Qt window re-posts them to its GUI thread); ``start``/``pause``/``resume``/
``close`` may be called from any thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urljoin

from onetake_desktop.domain.errors import OneTakeError, UsageError
from onetake_desktop.domain.kit import Kit
from onetake_desktop.storage.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from tusclient.exceptions import TusCommunicationError

# requests and tuspy (aiohttp, ssl: ~200 ms of imports) load on the first upload, not with the
# windows that only show an upload's state (the candidate window opens much faster).

log = logging.getLogger(__name__)

STATE_SUFFIX = ".send.json"
BLOCK = 1024 * 1024
# One PATCH carries at most this much; a drop costs at most what the server did not keep.
REQUEST_BYTES = 64 * 1024 * 1024
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 60.0
# The PATCH socket's send buffer. The "Sending" count is what the socket took, so it runs up to
# a buffer (Linux doubles the value) ahead of the server; autotuning's 4+ MB would show a small
# bundle as all sent at once, then minutes of waiting on a slow line (1 MiB did so for a 1 MB
# bundle at 40 KB/s: tests/ui/test_candidate_handover.py). The cost: setting it turns
# autotuning off, so one connection carries ~512 KiB per round trip (~16 Mbit/s at 250 ms, 40 at
# 100 ms; review s12a M3), above most home upload links. Linux clamps it to net.core.wmem_max.
# Counting only what the kernel has sent (SIOCOUTQ) would free the size; not done yet.
SEND_BUFFER = 256 * 1024
# How often a PATCH in flight looks whether it was paused, and how long a pause (or a dropped
# connection) waits for the server to say what it kept, to connect and then to answer (else its
# last figure is shown): at most ~4 s in all, within the window's 5 s wait for the worker. The
# answer needs its 3 s: a tus server answers the HEAD once it has ended the cut PATCH (1 s was
# too short through the handover test's slow line, and the candidate then saw "Paused at 0").
PAUSE_POLL = 0.05
PAUSE_ASK_TIMEOUT = (1.0, 3.0)  # connect, answer

UploadState = Literal["connecting", "sending", "paused", "offline", "done"]


class UploadRefusedError(OneTakeError):
    """The server said no for a reason retrying cannot fix (token, size)."""


class UploadPausedError(OneTakeError):
    """The upload was paused (or the app is closing); the server keeps what it received."""


class UploadGaveUpError(OneTakeError):
    """No connection for longer than the caller was willing to wait."""


@dataclass(frozen=True)
class UploadProgress:
    state: UploadState
    sent: int  # bytes the server holds (or is receiving now)
    total: int
    bytes_per_second: float | None  # None until there is something to measure
    seconds_left: float | None
    message: str  # one plain sentence for the candidate
    retry_in: float | None = None  # offline: seconds until the next try

    @property
    def fraction(self) -> float:
        return self.sent / self.total if self.total else 1.0


@dataclass(frozen=True)
class UploadReceipt:
    upload_url: str  # the upload's address on the server; its last part is the upload id
    size: int
    sha256: str
    completed_at: str  # ISO 8601 UTC, when the server confirmed every byte

    @property
    def upload_id(self) -> str:
        return self.upload_url.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class SendState:
    """What is kept beside the bundle between attempts (``NAME.send.json``)."""

    endpoint: str = ""
    token: str = ""
    upload_url: str = ""
    size: int = 0
    sha256: str = ""
    completed_at: str = ""


def state_path(bundle: Path) -> Path:
    bundle = Path(bundle)
    return bundle.with_name(bundle.name + STATE_SUFFIX)


def load_state(bundle: Path) -> SendState:
    try:
        data = json.loads(state_path(bundle).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return SendState()
    if not isinstance(data, dict):
        return SendState()
    fields = SendState.__dataclass_fields__
    clean = {
        k: v
        for k, v in data.items()
        if k in fields and isinstance(v, type(getattr(SendState(), k)))
    }
    return SendState(**clean)


def save_state(bundle: Path, state: SendState) -> None:
    atomic_write_bytes(state_path(bundle), json.dumps(asdict(state), indent=2).encode("utf-8"))


def remember_kit_target(bundle: Path, kit: Kit) -> None:
    """At sealing: keep the kit's upload address and token beside the bundle, so that sending
    (now, after a restart, or by ``onetake bundle send``) needs nothing else."""
    hand_over = kit.hand_over
    if hand_over is None or not hand_over.upload_url:
        return
    save_state(bundle, SendState(endpoint=hand_over.upload_url, token=hand_over.upload_token))


def file_sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


# -- the wire -----------------------------------------------------------------------------------


def _tus_error(message: object, status: int | None = None, content: bytes = b"") -> Exception:
    from tusclient.exceptions import TusCommunicationError

    error: Exception = cast(Any, TusCommunicationError)(message, status, content)
    return error


@cache
def _timed_uploader() -> type[Any]:
    """tuspy's uploader with timeouts on creating the upload and asking for its offset (a
    class made on first use, so that tuspy is imported only then)."""
    import requests
    from tusclient.uploader.uploader import Uploader

    class TimedUploader(Uploader):
        def create_url(self) -> str:
            me: Any = self
            try:
                resp = requests.post(
                    me.client.url,
                    headers=me.get_url_creation_headers(),
                    timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                )
            except requests.RequestException as error:
                raise _tus_error(error) from error
            location = resp.headers.get("location")
            if location is None:
                raise _tus_error(
                    f"creating the upload failed with status {resp.status_code}",
                    resp.status_code,
                    resp.content,
                )
            return urljoin(str(me.client.url), location)

        def get_offset(self, timeout: tuple[float, float] | None = None) -> int:
            me: Any = self
            try:
                resp = requests.head(
                    me.url,
                    headers=me.get_headers(),
                    timeout=timeout or (CONNECT_TIMEOUT, READ_TIMEOUT),
                )
            except requests.RequestException as error:
                raise _tus_error(error) from error
            offset = resp.headers.get("upload-offset")
            if offset is None:
                raise _tus_error(
                    f"reading the offset failed with status {resp.status_code}",
                    resp.status_code,
                    resp.content,
                )
            length = resp.headers.get("upload-length")
            if length is not None and int(length) != me.get_file_size():
                raise _tus_error("the upload on the server has another size", 410)
            return int(offset)

    return TimedUploader


def _os_socket(conn: object) -> socket.socket | None:
    """The OS socket under a connection's ``sock``: itself, or the one inside urllib3's
    SSLTransport (HTTPS through an https:// proxy), which is not a socket (review s12a L1)."""
    for _ in range(4):
        if isinstance(conn, socket.socket):
            return conn
        conn = getattr(conn, "socket", None) or getattr(conn, "sock", None)
    return None


def _reset(conn: object) -> None:
    """End a connection another thread is using, at once: the shutdown wakes that thread, and
    with zero linger its close is a reset, so the kernel drops what it has not sent (the server
    keeps only what it received). Never raises: a pause then waits for the next read."""
    sock = _os_socket(conn)
    if sock is None:  # nothing to reset: closing is all that can be done
        with contextlib.suppress(Exception):
            cast(Any, conn).close()
        return
    with contextlib.suppress(OSError):
        linger = struct.pack("HH" if sys.platform == "win32" else "ii", 1, 0)  # on, 0 s
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    with contextlib.suppress(OSError):
        # The plain socket's shutdown: a TLS socket's own would tear down its state under the
        # thread still using it.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _abortable_session(sockets: list[Any]) -> Any:
    """A requests session whose connections have a capped send buffer and are added to
    ``sockets`` as they connect, for :func:`_reset` (requests keeps its sockets to itself).
    Through a SOCKS proxy they are not listed: a pause then waits for the next read."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    options = [
        *HTTPConnection.default_socket_options,
        (socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER),
    ]

    class Listed(HTTPConnection):
        def connect(self) -> None:
            super().connect()
            sockets.append(self.sock)

    class ListedTLS(HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            sockets.append(self.sock)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Listed

    class PoolTLS(HTTPSConnectionPool):
        ConnectionCls = ListedTLS

    pools = {"http": Pool, "https": PoolTLS}

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("socket_options", options)
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
            if proxy.lower().startswith("socks"):
                return super().proxy_manager_for(proxy, **kwargs)
            kwargs.setdefault("socket_options", options)
            manager = super().proxy_manager_for(proxy, **kwargs)
            manager.pool_classes_by_scheme = pools
            return manager

    session = requests.Session()
    adapter = Adapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class _Body:
    """The bytes ``[start, start+length)`` of a file for a streaming PATCH: reports each block
    sent, and stops mid-request when ``stop`` is set."""

    def __init__(
        self,
        path: Path,
        start: int,
        length: int,
        sent: Callable[[int], None],
        stop: threading.Event,
    ) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._file.seek(start)
        self._left = length
        self._length = length
        self._sent = sent
        self._stop = stop

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        if self._stop.is_set():
            raise UploadPausedError("The upload is paused.")
        want = self._left if size is None or size < 0 else min(size, self._left)
        block = self._file.read(min(want, BLOCK))
        self._left -= len(block)
        if block:
            self._sent(len(block))
        return block

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(BLOCK):
            yield block

    def close(self) -> None:
        self._file.close()


def _server_sentence(error: TusCommunicationError, total: int) -> OneTakeError | None:
    """A refusal retrying cannot fix, as one sentence; None for trouble worth retrying."""
    status = error.status_code
    body = error.response_content
    said = body.decode("utf-8", "replace").strip()[:200] if isinstance(body, bytes) else ""
    if status in (401, 403):
        return UploadRefusedError(
            "The employer's server refused the upload token (it may be mistyped or expired); "
            "ask the employer, or save the file and send it another way."
        )
    if status == 413:
        return UploadRefusedError(
            f"The employer's server does not accept files this large ({total:,} bytes); "
            "save the file and send it another way, as the invitation describes."
        )
    if status is not None and 400 <= status < 500 and status not in (404, 409, 410, 423, 429):
        detail = f" ({said})" if said else ""
        return UploadRefusedError(f"The employer's server refused the upload: {status}{detail}.")
    return None


@dataclass
class _Meter:
    """Speed over the last ~5 s (an exponential average), and time left."""

    total: int
    sent: int = 0
    rate: float | None = None
    _t: float = 0.0
    _s: int = 0

    def start(self, sent: int) -> None:
        self.sent = sent
        self._t = time.monotonic()
        self._s = sent

    def add(self, n: int) -> None:
        self.sent += n
        now = time.monotonic()
        dt = now - self._t
        if dt >= 0.25:
            instant = (self.sent - self._s) / dt
            weight = min(1.0, dt / 5.0)
            self.rate = instant if self.rate is None else self.rate + weight * (instant - self.rate)
            self._t, self._s = now, self.sent

    def seconds_left(self) -> float | None:
        if not self.rate:
            return None
        return max(0.0, (self.total - self.sent) / self.rate)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def send_bundle(
    bundle: Path,
    *,
    endpoint: str | None = None,
    token: str | None = None,
    on_progress: Callable[[UploadProgress], None] | None = None,
    stop: threading.Event | None = None,
    give_up_after: float | None = None,
) -> UploadReceipt:
    """Upload ``bundle`` (resuming any earlier upload of the same bytes) until the server holds
    every byte; returns the receipt. Offline, it retries with backoff (doubling to a minute)
    until ``stop`` is set (UploadPausedError) or, with ``give_up_after``, that many seconds pass
    without progress (UploadGaveUpError). A refusal (token, size) raises UploadRefusedError."""
    from tusclient.client import TusClient
    from tusclient.exceptions import TusCommunicationError

    bundle = Path(bundle)
    stop = stop or threading.Event()
    report = on_progress or (lambda _p: None)
    size, sha256 = file_sha256(bundle)
    state = load_state(bundle)
    endpoint = endpoint or state.endpoint
    token = state.token if token is None else token
    if not endpoint:
        raise UsageError(
            f"No upload address for {bundle.name}: the kit it answers names none; "
            "give one with --to URL."
        )
    if (state.size, state.sha256, state.endpoint) != (size, sha256, endpoint):
        state = SendState(endpoint=endpoint, token=token, size=size, sha256=sha256)
    state = replace(state, token=token)
    save_state(bundle, state)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = TusClient(endpoint, headers=headers)
    meter = _Meter(size)
    failures = 0
    best = 0
    acked = 0  # what the server last said it holds (a HEAD, or a PATCH's answer)
    last_progress = time.monotonic()

    def tell(kind: UploadState, message: str, retry_in: float | None = None) -> None:
        report(
            UploadProgress(
                kind, meter.sent, size, meter.rate, meter.seconds_left(), message, retry_in
            )
        )

    while True:
        if stop.is_set():
            tell("paused", "Paused; the server keeps what it received.")
            raise UploadPausedError("The upload is paused; the server keeps what it received.")
        stack = contextlib.ExitStack()
        uploader: Any = None
        try:
            tell("connecting", "Connecting to the employer's server...")
            # tuspy reads the size from a stream we own (given a path, it leaks open files).
            stream = stack.enter_context(open(bundle, "rb"))  # noqa: SIM115
            uploader = _timed_uploader()(
                file_stream=stream,
                client=client,
                # No file name: it often holds the candidate's name, and the server's metadata
                # is not encrypted like the bundle is.
                metadata={"onetake": "bundle"},
            )
            if state.upload_url:
                uploader.url = state.upload_url
                try:
                    uploader.offset = uploader.get_offset()
                except TusCommunicationError as error:
                    if error.status_code not in (404, 410):
                        raise
                    log.info("The server no longer has %s; starting again", state.upload_url)
                    state = replace(state, upload_url="", completed_at="")
                    acked = 0
            if not state.upload_url:
                uploader.url = uploader.create_url()
                uploader.offset = 0
                state = replace(state, upload_url=uploader.url)
                save_state(bundle, state)  # before any byte: a kill -9 resumes this upload
            if uploader.offset > best:  # the server holds more than at the last try
                best, failures, last_progress = uploader.offset, 0, time.monotonic()
            meter.start(uploader.offset)
            acked = uploader.offset
            while uploader.offset < size:
                length = min(REQUEST_BYTES, size - uploader.offset)
                tell("sending", f"Sending: {_mb(meter.sent)} of {_mb(size)}.")
                uploader.offset = _patch(uploader, bundle, length, meter, stop, tell, size)
                acked = uploader.offset
                failures, last_progress = 0, time.monotonic()
            # Complete only on the server's word.
            held = uploader.get_offset()
            if held != size:
                raise _tus_error(f"the server holds {held} of {size} bytes", 409)
        except UploadPausedError:
            if uploader is not None and uploader.url and meter.sent > acked:
                # Paused mid-request: the client counted what its socket took, more than the
                # server may have received; show what the server holds.
                meter.sent = _held_after_cut(uploader, meter.sent, acked)
            tell("paused", "Paused; the server keeps what it received.")
            raise
        except TusCommunicationError as error:
            refusal = _server_sentence(error, size)
            if refusal is not None:
                raise refusal from None
            if uploader is not None and uploader.url and meter.sent > acked:
                # Cut mid-request (review s12a M2): as after a pause, "offline" (and a pause
                # during the wait) shows what the server holds, not what the socket took.
                meter.sent = _held_after_cut(uploader, meter.sent, acked)
            delay = min(BACKOFF_MAX, BACKOFF_FIRST * (2**failures))
            failures += 1
            waited = time.monotonic() - last_progress
            if give_up_after is not None and waited + delay > give_up_after:
                raise UploadGaveUpError(
                    f"The employer's server could not be reached for {waited:.0f} s; "
                    "run the same command again to go on from where it stopped."
                ) from None
            log.info("Upload interrupted (%s); retrying in %.1f s", error, delay)
            when = "in a moment" if delay < 1.5 else f"in {delay:.0f} s"
            tell("offline", f"No connection to the employer's server; trying again {when}.", delay)
            stop.wait(delay)  # woken early by pause/close; the loop's top sees it
            continue
        finally:
            stack.close()
        # Sent before (and still all there): the receipt keeps its first time.
        completed = state.completed_at or datetime.now(UTC).isoformat(timespec="seconds")
        state = replace(state, completed_at=completed)
        save_state(bundle, state)
        receipt = UploadReceipt(state.upload_url, size, sha256, completed)
        meter.sent = size
        tell("done", f"Sent: the employer's server holds all {_mb(size)}.")
        return receipt


def _held_after_cut(uploader: Any, counted: int, acked: int) -> int:
    """What the server holds after a PATCH was cut (a pause, a dropped line); if it does not
    answer soon, the last figure it gave, ``acked`` (never more than the client counted)."""
    from tusclient.exceptions import TusCommunicationError

    try:
        held = int(uploader.get_offset(timeout=PAUSE_ASK_TIMEOUT))
    except (TusCommunicationError, ValueError):
        held = acked
    return min(held, counted)


def _patch(
    uploader: Any,
    bundle: Path,
    length: int,
    meter: _Meter,
    stop: threading.Event,
    tell: Callable[[UploadState, str], None],
    size: int,
) -> int:
    """One PATCH of ``length`` bytes from the uploader's offset; returns the server's offset."""
    import requests

    last = [0.0]

    def sent(n: int) -> None:
        meter.add(n)
        now = time.monotonic()
        if now - last[0] >= 0.2:
            last[0] = now
            tell("sending", f"Sending: {_mb(meter.sent)} of {_mb(size)}.")

    body = _Body(bundle, uploader.offset, length, sent, stop)
    headers = dict(uploader.get_headers())
    headers.update(
        {
            "Upload-Offset": str(uploader.offset),
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(length),
        }
    )
    sockets: list[Any] = []
    session = _abortable_session(sockets)
    finished = threading.Event()

    def watch() -> None:
        # The body's reads stop only while there is room to send: once it is all in the
        # socket's buffer, only a reset ends the wait for the server's reply.
        done: set[int] = set()
        while not finished.wait(PAUSE_POLL):
            if stop.is_set():
                for sock in [s for s in sockets if id(s) not in done]:
                    done.add(id(sock))
                    try:
                        _reset(sock)
                    except Exception:  # never let the watcher die: the pause still comes
                        log.exception("Could not reset the upload's connection")

    watcher = threading.Thread(target=watch, name="onetake-upload-pause", daemon=True)
    watcher.start()
    try:
        resp = session.patch(
            uploader.url, data=body, headers=headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)
        )
    except requests.RequestException as error:
        if stop.is_set():  # our own reset, not the line
            raise UploadPausedError("The upload is paused.") from None
        raise _tus_error(error) from error
    finally:
        finished.set()
        watcher.join()
        body.close()
        session.close()
        for sock in sockets:
            with contextlib.suppress(Exception):
                sock.close()
    offset = resp.headers.get("upload-offset")
    if not 200 <= resp.status_code < 300 or offset is None:
        raise _tus_error(
            f"sending failed with status {resp.status_code}", resp.status_code, resp.content
        )
    return int(offset)


# -- for a window: one upload on a worker thread ------------------------------------------------


class UploadJob:
    """One bundle's upload for the candidate window: start, pause, resume, close.

    Callbacks run on the job's worker thread: ``on_progress(UploadProgress)`` often,
    ``on_done(UploadReceipt)`` once when the server holds every byte, ``on_failed(OneTakeError)``
    when the server refuses (token, size) or something else fails. Pausing keeps the upload on
    the server; ``resume`` (even in a new app run: the address is kept beside the bundle) goes on
    from the server's offset. Offline, it keeps retrying with backoff until paused or closed.
    """

    def __init__(
        self,
        bundle: Path,
        *,
        endpoint: str | None = None,
        token: str | None = None,
        on_progress: Callable[[UploadProgress], None] | None = None,
        on_done: Callable[[UploadReceipt], None] | None = None,
        on_failed: Callable[[OneTakeError], None] | None = None,
    ) -> None:
        self.bundle = Path(bundle)
        self.endpoint = endpoint
        self.token = token
        self.on_progress = on_progress or (lambda _p: None)
        self.on_done = on_done or (lambda _r: None)
        self.on_failed = on_failed or (lambda _e: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.receipt: UploadReceipt | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start (or resume) sending; no-op while already sending or once done."""
        with self._lock:
            if self.running or self.receipt is not None:
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stop,), name="onetake-upload", daemon=True
            )
            self._thread.start()

    resume = start

    def pause(self) -> None:
        """Stop sending soon (mid-request); the server keeps what it has."""
        self._stop.set()

    def wait(self, timeout: float = 10.0) -> None:
        """Wait for the worker thread to end, without asking it to stop (it has reported its
        last word and returns right after)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Pause and wait for the worker thread to end (at window close)."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self, stop: threading.Event) -> None:
        try:
            receipt = send_bundle(
                self.bundle,
                endpoint=self.endpoint,
                token=self.token,
                on_progress=self.on_progress,
                stop=stop,
            )
        except UploadPausedError:
            return
        except OneTakeError as error:
            self.on_failed(error)
            return
        except Exception as error:  # a bug must reach the window as a sentence, not kill it
            log.exception("Upload failed unexpectedly")
            self.on_failed(OneTakeError(f"Sending failed unexpectedly ({type(error).__name__})."))
            return
        self.receipt = receipt
        self.on_done(receipt)
