"""The upload's own socket handling (services/upload.py): the reset a pause does, on whatever
urllib3 gives as a connection's ``sock``, and the send buffer of a PATCH's connection."""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from onetake_desktop.services import upload
from onetake_desktop.services.upload import (
    SEND_BUFFER,
    UploadPausedError,
    _abortable_session,
    _Meter,
    _patch,
    _reset,
)


class Transport:
    """Like urllib3's SSLTransport (HTTPS through an https:// proxy): not a socket, no
    setsockopt or shutdown, the TLS socket under it as ``socket``."""

    def __init__(self, inner: object) -> None:
        self.socket = inner
        self.closed = False

    def close(self) -> None:
        self.closed = True


def linger_of(sock: socket.socket) -> tuple[int, int]:
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)
    on, seconds = struct.unpack("HH" if sys.platform == "win32" else "ii", raw)
    return on, seconds


def test_reset_reaches_the_socket_under_a_transport() -> None:
    """Review s12a L1: the reset used to raise AttributeError on an SSLTransport and kill the
    pause watcher. Now it finds the socket inside (two levels deep, as TLS over TLS) and
    resets that: zero linger, and the peer sees the connection end."""
    ours, theirs = socket.socketpair()
    try:
        _reset(Transport(Transport(ours)))
        assert linger_of(ours) == (1, 0)
        assert theirs.recv(1) == b""  # shut down: the other end reads the end at once
        with pytest.raises(OSError):
            ours.sendall(b"x")
    finally:
        ours.close()
        theirs.close()


def test_reset_of_something_without_a_socket_closes_it_and_never_raises() -> None:
    plain = Transport(None)
    _reset(plain)
    assert plain.closed

    class Broken:
        def close(self) -> None:
            raise RuntimeError("cannot")

    _reset(Broken())  # nothing to reset and closing fails: the caller still goes on
    _reset(object())


class Stalling(BaseHTTPRequestHandler):
    """Reads 1 MB of a PATCH's body, sets ``reached`` and stops reading (a line gone quiet):
    the client is then stuck sending, where only a reset or its timeout ends the request."""

    reached = threading.Event()
    release = threading.Event()

    def do_PATCH(self) -> None:
        with contextlib.suppress(OSError):
            self.rfile.read(1_000_000)
        Stalling.reached.set()
        Stalling.release.wait(30)

    def do_GET(self) -> None:
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def stalling_server() -> Iterator[str]:
    Stalling.reached.clear()
    Stalling.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/files/x"
    finally:
        Stalling.release.set()
        server.shutdown()
        server.server_close()


def test_a_failing_reset_does_not_kill_the_watcher(
    stalling_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the reset does, the watcher thread logs it and goes on, and no thread dies on
    an exception: the paused PATCH still ends as paused (here at the socket's timeout)."""
    deaths: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", deaths.append)
    # The socket's timeout while sending (urllib3 keeps the connect one): the request's end
    # when the reset does nothing.
    monkeypatch.setattr(upload, "CONNECT_TIMEOUT", 2.0)
    resets: list[object] = []

    def failing_reset(conn: object) -> None:
        resets.append(conn)
        raise AttributeError("'SSLTransport' object has no attribute 'setsockopt'")

    monkeypatch.setattr(upload, "_reset", failing_reset)
    size = 32 * 1024 * 1024
    bundle = tmp_path / "b.onetake.age"
    bundle.write_bytes(b"\0" * size)
    uploader = SimpleNamespace(url=stalling_server, offset=0, get_headers=lambda: {})
    stop = threading.Event()
    meter = _Meter(size)

    def pause_once_stuck() -> None:
        # Paused once the client is stuck sending (its count stands still): the body's next
        # read is not coming, so only the watcher can act.
        Stalling.reached.wait(30)
        while True:
            before = meter.sent
            time.sleep(0.3)
            if meter.sent == before:
                stop.set()
                return

    pauser = threading.Thread(target=pause_once_stuck, daemon=True)
    pauser.start()
    with pytest.raises(UploadPausedError):
        _patch(uploader, bundle, size, meter, stop, lambda _state, _message: None, size)
    pauser.join(30)
    assert len(resets) == 1 and deaths == []
    assert meter.sent < size


def test_a_patch_connection_gets_the_send_buffer(stalling_server: str) -> None:
    """Review s12a M3: the option the PATCH's connection is made with, pinned: the same as a
    socket given SEND_BUFFER (the OS may double or clamp it)."""
    sockets: list[Any] = []
    session = _abortable_session(sockets)
    try:
        answer = session.get(stalling_server, timeout=10, stream=True)
        assert answer.status_code == 204  # the connection was made and listed
        (sock,) = sockets
        probe = socket.socket()
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        expected = probe.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        probe.close()
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) == expected
        # Small enough that the count shown stays near the server's on a slow line (the
        # handover test's 1 MB bundle at 40 KB/s), large enough for ~16 Mbit/s at 250 ms.
        assert 128 * 1024 <= SEND_BUFFER <= 256 * 1024
    finally:
        session.close()
