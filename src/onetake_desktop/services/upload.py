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
the upload would then finish instead of pausing. Nor can it wait out a slow server's answer to
the creating POST or a HEAD. So every request of an attempt goes through one :class:`_Line`
whose watcher resets its connections when a pause comes (the kernel drops what it has not
sent), and the paused figure is what the server then says it holds; so is the figure shown
offline, after a dropped connection. A name lookup, which nothing can cut, runs on a thread of
its own that a pause leaves behind.

The "Sending" figure is what the other end has acknowledged (the socket's written bytes less
its unacknowledged queue: SIOCOUTQ on Linux, SO_NWRITE on macOS), not what the socket took, so
it moves with the line however large the kernel lets the send buffer grow. Where the queue
cannot be read (Windows), the send buffer is capped instead, so that the count stays near.
The count errs low: the queue holds TLS records and headers, the count only the body's bytes;
behind a proxy it is what the proxy acknowledged.

Threading: :func:`send_bundle` runs on the caller's thread and calls ``on_progress`` there,
except while a PATCH is sending: then its line's watcher thread reports the count, while the
caller's thread waits in the request; never two reports at once, and always in order.
:class:`UploadJob` runs it on one worker thread for a window: its callbacks come from that
worker thread or its watcher (a Qt window re-posts them to its GUI thread); ``start``/
``pause``/``resume``/``close`` may be called from any thread. Name lookups run on short-lived
daemon threads that call nothing back.
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urljoin

from onetake_desktop.domain.errors import InvalidInputError, OneTakeError, UsageError
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
# Where the unacknowledged queue cannot be read, a PATCH connection's send buffer: the count
# shown is then what the socket took, up to a buffer (Linux would double it) ahead of the other
# end. Capping it turns autotuning off (~512 KiB per round trip: ~16 Mbit/s at 250 ms), so it is
# set only there.
SEND_BUFFER = 256 * 1024
# How often the line's watcher looks for a pause (and, during a PATCH, reads the count).
PAUSE_POLL = 0.05
# After a cut (a pause, a dropped line), how long to wait for the server to say what it kept,
# to connect and then to answer: a tus server answers once it has ended the cut PATCH, which
# took 1.4 s through the handover test's slow line and more than 3 s under load (the candidate
# then saw "Paused at 0"). The page says "Pausing" meanwhile; a window that is closing does not
# ask at all.
PAUSE_ASK_TIMEOUT = (2.0, 10.0)  # connect, answer
# After a dropped line, the same question asked quickly: "offline" is shown meanwhile.
CUT_ASK_TIMEOUT = (1.0, 3.0)

UploadState = Literal["connecting", "sending", "pausing", "paused", "offline", "done"]

# One address of a name, as socket.getaddrinfo gives it for a TCP connection.
AddressInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[Any, ...]]
NameLookup = Callable[[str, int, int], Sequence[AddressInfo]]  # host, port, family


def system_lookup(host: str, port: int, family: int) -> Sequence[AddressInfo]:
    return socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)


# How a connection looks up the server's name; a module attribute so that a test can give a
# lookup that hangs, as the system's does on a bad line.
name_lookup: NameLookup = system_lookup


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


def _shown(url: str) -> str:
    """An address from outside (a kit, a server's answer) as a sentence may quote it."""
    return url if len(url) <= 80 and url.isprintable() else ascii(url[:80])


def refused_address(url: str) -> str | None:
    """The sentence refusing to send to ``url`` (domain.handover's rule), or None."""
    from onetake_desktop.domain.handover import upload_address_problem

    if upload_address_problem(url) is None:
        return None
    return (
        f"Not sending to {_shown(url)}: the address must start with https:// (so that the file "
        "cannot be read on the way; http:// only to this computer), so save the file and "
        "send it another way."
    )


# The server (or a redirect) named an upload address the rule refuses.
LEFT_TLS = (
    "The employer's server gave an upload address that does not start with https://, so "
    "nothing more is sent; save the file and send it another way."
)


# The server named a plain http:// address on this computer while the kit's is elsewhere: the
# intake behind a proxy that does not pass on the public host (review s14b B6).
LOOPBACK_FROM_AFAR = (
    "The employer's server gave an upload address on this computer ({shown}) instead of its "
    "own: it is set up wrongly behind its proxy (ONETAKE_INTAKE_BEHIND_PROXY=1 is missing), "
    "so nothing more is sent; save the file and send it another way."
)


def _on_this_computer(url: str) -> bool:
    from urllib.parse import urlsplit

    from onetake_desktop.domain.handover import LOOPBACK_HOSTS

    try:
        return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS
    except ValueError:
        return False


def server_address_problem(url: str, endpoint: str | None) -> str | None:
    """Why not to send to the address the server named (its answer, a redirect), or None: the
    kit's rule, and plain http:// to this computer only when ``endpoint`` is on it too (a
    remote server has no business sending the bytes to the candidate's own computer).
    ``endpoint`` None: the kit's rule only."""
    if refused_address(url) is not None:
        return LEFT_TLS
    remote = endpoint is not None and not _on_this_computer(endpoint)
    if remote and url.lower().startswith("http://"):
        return LOOPBACK_FROM_AFAR.format(shown=_shown(url))
    return None


def _checked_upload(url: str, endpoint: str) -> str:
    """The upload's address as the server named it, unless :func:`server_address_problem`."""
    problem = server_address_problem(url, endpoint)
    if problem is not None:
        raise UploadRefusedError(problem)
    return url


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
    """tuspy's uploader with timeouts on creating the upload and asking for its offset, through
    the attempt's line (a class made on first use, so that tuspy is imported only then)."""
    import requests
    from tusclient.uploader.uploader import Uploader

    class TimedUploader(Uploader):
        session: Any = requests  # the attempt's line sets its own (see _Line)

        def create_url(self) -> str:
            me: Any = self
            try:
                resp = me.session.post(
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
            return urljoin(str(me.client.url), str(location))

        def get_offset(
            self, timeout: tuple[float, float] | None = None, session: Any = None
        ) -> int:
            me: Any = self
            try:
                resp = (session or me.session).head(
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
    keeps only what it received). Never raises. Without an OS socket to reach, it does nothing
    (closing a TLS object under the thread writing to it is not safe, review s12c L4): the
    pause then comes at the body's next read, or the request's timeout."""
    sock = _os_socket(conn)
    if sock is None:
        log.warning("A paused connection has no socket to reset; it ends at its next read")
        return
    with contextlib.suppress(OSError):
        linger = struct.pack("HH" if sys.platform == "win32" else "ii", 1, 0)  # on, 0 s
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    with contextlib.suppress(OSError):
        # The plain socket's shutdown: a TLS socket's own would tear down its state under the
        # thread still using it.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


SO_NWRITE = 0x1024  # macOS: bytes in the send buffer the peer has not acknowledged
COUNTS_ACKNOWLEDGED = sys.platform.startswith("linux") or sys.platform == "darwin"


def _unacknowledged(sock: socket.socket | None) -> int | None:
    """Bytes written to ``sock`` that the other end has not acknowledged yet (None: unknown)."""
    if sock is None or not COUNTS_ACKNOWLEDGED:
        return None
    try:
        if sys.platform == "darwin":
            return int(sock.getsockopt(socket.SOL_SOCKET, SO_NWRITE))
        import fcntl
        import termios

        # SIOCOUTQ (== TIOCOUTQ): for TCP, written but not yet acknowledged.
        raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
        return int(struct.unpack("i", raw)[0])
    except (OSError, ValueError):  # closed meanwhile, or not a TCP socket
        return None


class _Line:
    """The connections of one attempt (create, ask, send): when ``stop`` is set, a watcher
    thread resets each of them, so a pause never waits for a step to end by itself. During a
    PATCH the same thread runs ``tick`` (the count and its reports), never at the same time as
    the attempt's own thread reports: one report at a time, in order. The attempt's thread
    calls ``look_up``, which waits for a lookup thread of its own until ``stop``."""

    def __init__(self, stop: threading.Event, endpoint: str | None = None) -> None:
        self.stop = stop
        self.endpoint = endpoint  # where redirects may lead: server_address_problem
        self.refused: str | None = None  # why a redirect was not followed
        self.sockets: list[Any] = []
        self.current: Any = None  # the connection of the request in flight
        self.session = _abortable_session(self)
        self._tick: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._ended = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="onetake-upload-line")
        self._watcher.daemon = True
        self._watcher.start()

    def _watch(self) -> None:
        done: set[int] = set()
        failed = False
        while not self._ended.wait(PAUSE_POLL):
            if self.stop.is_set():
                for sock in [s for s in self.sockets if id(s) not in done]:
                    done.add(id(sock))
                    try:
                        _reset(sock)
                    except Exception:  # never let the watcher die: the pause still comes
                        log.exception("Could not reset the upload's connection")
                    # Our duplicate, closed now: the connection's own close (the request's
                    # error) is then its last, a reset that drops what was not sent. Kept
                    # open, the kernel would go on sending it until the line closed.
                    with contextlib.suppress(Exception):
                        sock.close()
                continue
            with self._lock:
                if self._tick is not None:
                    try:
                        self._tick()
                    except Exception:  # a report that fails must not stop the pause watch
                        if not failed:  # once: it would fail again 20 times a second
                            log.exception("Could not report the upload's progress")
                        failed = True

    @contextlib.contextmanager
    def ticking(self, tick: Callable[[], None]) -> Iterator[None]:
        with self._lock:
            self._tick = tick
        try:
            yield
        finally:
            with self._lock:  # waits for a tick under way: none runs after this
                self._tick = None

    def unacknowledged(self) -> int | None:
        return _unacknowledged(_os_socket(getattr(self.current, "sock", None)))

    def look_up(self, host: str, port: int, family: int) -> Sequence[AddressInfo] | None:
        """The addresses of ``host`` (what :data:`name_lookup` gives or raises), or None if the
        line stopped first. The system's lookup cannot be cut, and on a bad line it takes 5-30 s
        (the resolver's timeout times its tries): it runs on a daemon thread of its own, which
        a pause leaves to end by itself, its answer unread, while the attempt ends at once."""
        lookup = name_lookup
        answer: list[Sequence[AddressInfo]] = []
        failure: list[Exception] = []
        done = threading.Event()  # set last: the lists are read only after it

        def run() -> None:
            try:
                answer.append(lookup(host, port, family))
            except Exception as error:  # raised on the attempt's thread, if it still waits
                failure.append(error)
            finally:
                done.set()

        if self.stop.is_set():
            return None
        threading.Thread(target=run, name="onetake-upload-lookup", daemon=True).start()
        while not done.wait(PAUSE_POLL):
            if self.stop.is_set():
                return None
        if failure:
            raise failure[0]
        return answer[0] if answer else []

    def close(self) -> None:
        self._ended.set()
        self._watcher.join()
        self.session.close()
        for sock in self.sockets:
            with contextlib.suppress(Exception):
                sock.close()


def _abortable_session(line: _Line) -> Any:
    """A requests session whose connections are added to ``line.sockets`` as they connect, for
    :func:`_reset` (requests keeps its sockets to itself), and named ``line.current`` as they
    carry a request; their send buffer is capped where the count cannot be read. Through a
    SOCKS proxy they are not listed: a pause then waits for the next read."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    options = list(HTTPConnection.default_socket_options)
    if not COUNTS_ACKNOWLEDGED:
        options.append((socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER))

    class Listed(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _listed_connection(self, line)

        def request(self, *args: Any, **kwargs: Any) -> None:
            line.current = self
            super().request(*args, **kwargs)

    class ListedTLS(Listed, HTTPSConnection):  # the same, before HTTPSConnection's TLS
        pass

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

    class Session(requests.Session):
        def get_redirect_target(self, resp: Any) -> str | None:
            target = super().get_redirect_target(resp)
            # Not followed to an address the rule refuses (https:// to plain http://): the
            # redirect comes back as the answer, and the upload is refused (_server_sentence).
            if target:
                problem = server_address_problem(urljoin(str(resp.url), target), line.endpoint)
                if problem is not None:
                    line.refused = problem
                    return None
            return target

    session = Session()
    adapter = Adapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _listed_connection(conn: Any, line: _Line) -> socket.socket:
    """urllib3's ``HTTPConnection._new_conn`` (``util.connection.create_connection``), except
    that each socket joins the line before it connects: a pause then also cuts a connect or a
    TLS handshake that hangs (a black-holed address, a captive portal: review s13a M1), which
    would otherwise hold it for CONNECT_TIMEOUT; the name lookup before it is left behind
    (:meth:`_Line.look_up`). The addresses are tried in the order the lookup gives them (IPv6
    before IPv4 where the system prefers it); TLS, after this, still names and checks the
    host, not the address."""
    from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
    from urllib3.util.connection import allowed_gai_family
    from urllib3.util.timeout import _DEFAULT_TIMEOUT

    host = str(conn._dns_host).strip("[]")
    try:
        addresses = line.look_up(host, conn.port, allowed_gai_family())
    except socket.gaierror as error:
        raise NameResolutionError(conn.host, conn, error) from error
    if addresses is None:  # the request's error; the attempt sees the pause and says so
        raise NewConnectionError(conn, f"Paused while looking up {conn.host}")
    failure: OSError = OSError("getaddrinfo returns an empty list")
    for family, kind, proto, _name, address in addresses:
        sock = socket.socket(family, kind, proto)
        # Listed as a duplicate, kept open until the line closes: a TLS handshake takes the
        # socket over (detaching its object, whose reset would then reach nothing), and the
        # number of a closed descriptor may be another file's by the time a pause comes.
        line.sockets.append(sock.dup())
        try:
            for option in conn.socket_options or ():
                sock.setsockopt(*option)
            if conn.timeout is not _DEFAULT_TIMEOUT:
                sock.settimeout(conn.timeout)
            if conn.source_address:
                sock.bind(conn.source_address)
            sock.connect(address)
            return sock
        except OSError as error:
            sock.close()
            failure = error
            if line.stop.is_set():  # paused: no other address is tried
                break
    if isinstance(failure, TimeoutError):
        raise ConnectTimeoutError(
            conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
        ) from failure
    raise NewConnectionError(conn, f"Failed to establish a new connection: {failure}") from failure


class _Body:
    """The bytes ``[start, start+length)`` of a file for a streaming PATCH; stops mid-request
    when ``stop`` is set. ``written``: the bytes the socket has taken whole (urllib3 reads a
    block, sends all of it, then reads the next)."""

    def __init__(self, path: Path, start: int, length: int, stop: threading.Event) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._file.seek(start)
        self._left = length
        self._length = length
        self._stop = stop
        self._returned = 0
        self.written = 0

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        if self._stop.is_set():
            raise UploadPausedError("The upload is paused.")
        self.written = self._returned  # asked for more: what it had is in the socket
        want = self._left if size is None or size < 0 else min(size, self._left)
        block = self._file.read(min(want, BLOCK))
        self._left -= len(block)
        self._returned += len(block)
        if not block:
            self.written = self._returned
        return block

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(BLOCK):
            yield block

    def close(self) -> None:
        self._file.close()


def _server_sentence(
    error: TusCommunicationError, total: int, refused_redirect: str | None = None
) -> OneTakeError | None:
    """A refusal retrying cannot fix, as one sentence; None for trouble worth retrying.
    ``refused_redirect``: why the session did not follow a redirect, if it refused one."""
    status = error.status_code
    body = error.response_content
    said = body.decode("utf-8", "replace").strip()[:200] if isinstance(body, bytes) else ""
    if status is not None and 300 <= status < 400:  # a redirect the session did not follow
        if refused_redirect is not None:
            return UploadRefusedError(refused_redirect)
        # No usable Location (300, 304, none given): not an http:// address (review s14b B5).
        return UploadRefusedError(
            f"The employer's server gave an unexpected answer ({status}) instead of taking "
            "the upload, so nothing more is sent; save the file and send it another way."
        )
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

    def update(self, sent: int) -> None:
        self.sent = sent
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
    closing: threading.Event | None = None,
    give_up_after: float | None = None,
) -> UploadReceipt:
    """Upload ``bundle`` (resuming any earlier upload of the same bytes) until the server holds
    every byte; returns the receipt. Offline, it retries with backoff (doubling to a minute)
    until ``stop`` is set (UploadPausedError) or, with ``give_up_after``, that many seconds pass
    without progress (UploadGaveUpError). A refusal (token, size) raises UploadRefusedError.
    Paused mid-request, it reports "pausing" and asks the server what it kept, unless (or
    until) ``closing`` is set: nobody is left to read the answer."""
    from tusclient.client import TusClient
    from tusclient.exceptions import TusCommunicationError

    bundle = Path(bundle)
    stop = stop or threading.Event()
    closing = closing or threading.Event()
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
    refused = refused_address(endpoint)
    if refused is not None:  # before any connection (and before it is kept beside the bundle)
        raise InvalidInputError(refused)
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

    def paused(uploader: Any) -> UploadPausedError:
        """Say where the pause left the upload; the error for the caller to raise."""
        if uploader is not None and uploader.url and meter.sent > acked:
            # Cut mid-request: the other end acknowledged more than the server may have kept.
            if closing.is_set():
                meter.sent = acked
            else:
                tell("pausing", "Pausing; asking the server what it received...")
                meter.sent = _held_after_cut(uploader, meter.sent, acked, closing, pausing=True)
        tell("paused", "Paused; the server keeps what it received.")
        return UploadPausedError("The upload is paused; the server keeps what it received.")

    while True:
        if stop.is_set():
            raise paused(None)
        stack = contextlib.ExitStack()
        uploader: Any = None
        try:
            line = _Line(stop, endpoint)
            stack.callback(line.close)
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
            uploader.session = line.session
            if state.upload_url:
                uploader.url = _checked_upload(state.upload_url, endpoint)
                try:
                    uploader.offset = uploader.get_offset()
                except TusCommunicationError as error:
                    if error.status_code not in (404, 410):
                        raise
                    log.info("The server no longer has %s; starting again", state.upload_url)
                    state = replace(state, upload_url="", completed_at="")
                    acked = 0
            if not state.upload_url:
                # A pause that cuts this POST after the server made the upload leaves that one
                # unused (the address never came): the next try makes another (review s13a L4).
                # The first holds no byte of the bundle; installers/intake sets no expiry, so it
                # stays an empty partial upload that import skips until the operator removes it.
                uploader.url = _checked_upload(uploader.create_url(), endpoint)
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
                uploader.offset = acked = _patch(uploader, line, bundle, length, meter, tell)
                meter.update(max(meter.sent, acked))
                failures, last_progress = 0, time.monotonic()
            # Complete only on the server's word.
            held = uploader.get_offset()
            if held != size:
                raise _tus_error(f"the server holds {held} of {size} bytes", 409)
        except UploadPausedError:
            raise paused(uploader) from None
        except TusCommunicationError as error:
            refusal = _server_sentence(error, size, line.refused)
            if refusal is not None:
                raise refusal from None
            if stop.is_set():  # our own reset of a step (create, ask), not the line
                raise paused(uploader) from None
            if uploader is not None and uploader.url and meter.sent > acked:
                # Cut mid-request (review s12a M2): as after a pause, "offline" (and a pause
                # during the wait) shows what the server holds, not what was acknowledged.
                meter.sent = _held_after_cut(uploader, meter.sent, acked, stop)
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


def _held_after_cut(
    uploader: Any, counted: int, acked: int, give_up: threading.Event, *, pausing: bool = False
) -> int:
    """What the server holds after a PATCH was cut (a pause, a dropped line), asked on a line
    of its own that ``give_up`` cuts; if it does not answer in time, the last figure it gave,
    ``acked`` (never more than the client counted)."""
    from tusclient.exceptions import TusCommunicationError

    ask = _Line(give_up)
    try:
        timeout = PAUSE_ASK_TIMEOUT if pausing else CUT_ASK_TIMEOUT
        held = int(uploader.get_offset(timeout=timeout, session=ask.session))
    except (TusCommunicationError, ValueError):
        held = acked
    finally:
        ask.close()
    return min(held, counted)


def _patch(
    uploader: Any,
    line: _Line,
    bundle: Path,
    length: int,
    meter: _Meter,
    tell: Callable[[UploadState, str], None],
) -> int:
    """One PATCH of ``length`` bytes from the uploader's offset; returns the server's offset.
    Meanwhile the line's watcher counts what the other end acknowledged and reports it."""
    import requests

    start = uploader.offset
    body = _Body(bundle, start, length, line.stop)
    headers = dict(uploader.get_headers())
    headers.update(
        {
            "Upload-Offset": str(start),
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(length),
        }
    )
    last = [time.monotonic()]

    def tick() -> None:
        written = body.written
        unacknowledged = line.unacknowledged()
        if unacknowledged is None and COUNTS_ACKNOWLEDGED:
            return  # the socket is going (an error mid-request): its uncapped buffer is no count
        across = written if unacknowledged is None else max(0, written - unacknowledged)
        if start + across > meter.sent:
            meter.update(start + across)
        now = time.monotonic()
        if now - last[0] >= 0.2:
            last[0] = now
            tell("sending", f"Sending: {_mb(meter.sent)} of {_mb(meter.total)}.")

    try:
        with line.ticking(tick):
            resp = line.session.patch(
                uploader.url, data=body, headers=headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)
            )
    except requests.RequestException as error:
        if line.stop.is_set():  # our own reset, not the line
            raise UploadPausedError("The upload is paused.") from None
        raise _tus_error(error) from error
    finally:
        body.close()
    offset = resp.headers.get("upload-offset")
    if not 200 <= resp.status_code < 300 or offset is None:
        raise _tus_error(
            f"sending failed with status {resp.status_code}", resp.status_code, resp.content
        )
    return int(offset)


# -- for a window: one upload on a worker thread ------------------------------------------------


class UploadJob:
    """One bundle's upload for the candidate window: start, pause, resume, close.

    Callbacks run on the job's threads (see the module's "Threading"), one at a time:
    ``on_progress(UploadProgress)`` often,
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
        self._closing = threading.Event()  # set once: the window is going away
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
        """Pause and wait for the worker thread to end (at window close), without asking the
        server what it kept: nobody is left to read it, and the next run asks anyway."""
        self._closing.set()
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
                closing=self._closing,
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
