"""A real tus server (installers/intake: the official @tus/server) and a TCP proxy that cuts,
slows or refuses connections, both on 127.0.0.1, for the upload tests (issue 13)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import select
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
START = REPO / "installers" / "intake" / "start.sh"


@dataclass
class Intake:
    url: str  # http://127.0.0.1:PORT/files/
    port: int
    store: Path
    process: subprocess.Popen[bytes]

    def uploads(self) -> list[Path]:
        """The upload data files in the store (each beside its ``<id>.json``)."""
        return sorted(p for p in self.store.iterdir() if p.with_name(p.name + ".json").exists())


def node_tools_or_fail() -> None:
    """These tests need Node.js and npm (for the pinned @tus/server): say so plainly."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        raise AssertionError(
            f"{' and '.join(missing)} not found: the upload tests run the real tus server "
            "(installers/intake); install Node.js >= 16 and npm "
            "(Debian: apt-get install nodejs npm)."
        )


@contextlib.contextmanager
def intake_server(
    store: Path, *, token: str = "", max_size: int = 0, timeout: float = 240.0
) -> Iterator[Intake]:
    node_tools_or_fail()
    args = [str(START), "--dir", str(store), "--port", "0", "--host", "127.0.0.1"]
    if token:
        args += ["--token", token]
    if max_size:
        args += ["--max-size", str(max_size)]
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout  # the first start installs the npm packages
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 1.0)
            if ready:
                line = process.stdout.readline()
                if b"listening on" in line or not line:
                    break
            if process.poll() is not None:
                break
        found = re.search(rb"127\.0\.0\.1:(\d+)/files/", line)
        if found is None:
            err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
            raise AssertionError(f"The tus server did not start: {line!r} {err}")
        port = int(found.group(1))
        yield Intake(f"http://127.0.0.1:{port}/files/", port, store, process)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


class Proxy:
    """TCP proxy 127.0.0.1:port -> target. ``cuts``: how many connections to cut after
    ``cut_after`` bytes went client->server on them; ``rate``: bytes/s client->server;
    ``online = False``: connections are accepted and closed at once (no route to the server);
    ``rcvbuf``: a small receive buffer, so that with ``rate`` the client cannot run far ahead of
    what really goes through (small bundles then show their progress, and pause, mid-way);
    ``hold_back``: take what the client sends at once and pass it on at ``rate``: the client's
    whole body leaves it at once, as into a send buffer larger than the body. As that buffer
    would, a client's clean close (FIN) still passes on all it holds, and a reset (RST) drops
    it. ``taken``: bytes taken from clients; ``live``: connections open now; ``resets``:
    connections a client ended with a reset (hold_back only)."""

    def __init__(
        self,
        target_port: int,
        *,
        cuts: int = 0,
        cut_after: int = 2_000_000,
        rate: float = 0,
        rcvbuf: int = 0,
        hold_back: bool = False,
    ) -> None:
        self.target_port = target_port
        self.hold_back = hold_back
        self.taken = 0
        self.live = 0
        self.resets = 0
        self.cuts_left = cuts
        self.cuts_done = 0
        self.cut_after = cut_after
        self.rate = rate
        self.online = True
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:  # before listen(): accepted connections inherit it, window scale included
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            # Loopback's 64 KiB segments would let the client's first window alone hold
            # ~640 KB; Ethernet-sized segments keep its buffers as small as on a real line.
            self._listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1400)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        accept = threading.Thread(target=self._accept, name="test-proxy-accept", daemon=True)
        accept.start()
        self._threads.append(accept)

    def url(self, intake: Intake) -> str:
        return intake.url.replace(f":{intake.port}/", f":{self.port}/")

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.online:
                client.close()
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                cut = self.cuts_left > 0
                self._sockets += [client, server]
                self.live += 1
            pump = self._hold_back if self.hold_back else self._pump
            t = threading.Thread(
                target=pump, args=(client, server, cut), name="test-proxy-pump", daemon=True
            )
            t.start()
            self._threads.append(t)

    def _pump(self, client: socket.socket, server: socket.socket, cut: bool) -> None:
        upstream = 0
        started = time.monotonic()
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([client, server], [], [], 0.2)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    if s is client:
                        upstream += len(data)
                        if cut and upstream >= self.cut_after:
                            with self._lock:
                                if self.cuts_left > 0:
                                    self.cuts_left -= 1
                                    self.cuts_done += 1
                                    server.sendall(data[: len(data) // 2])
                                    return  # cut: both ends closed below
                        server.sendall(data)
                        if self.rate:
                            ahead = upstream / self.rate - (time.monotonic() - started)
                            if ahead > 0:
                                time.sleep(ahead)
                    else:
                        client.sendall(data)
        except OSError:
            return
        finally:
            self._end(client, server)

    def _hold_back(self, client: socket.socket, server: socket.socket, _cut: bool) -> None:
        held = bytearray()
        passed = 0
        started = time.monotonic()
        closed = False  # the client sent its FIN: what is held still goes on, unless it resets
        reset = False
        try:
            while not self._stop.is_set():
                if closed and client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    reset = True
                    return  # reset after its FIN (zero linger): what was held is dropped
                if closed and not held:
                    return
                waiting = [server] if closed else [client, server]
                ready, _, _ = select.select(waiting, [], [], 0.01 if held else 0.2)
                for s in ready:
                    try:
                        data = s.recv(1 << 20)
                    except ConnectionResetError:  # what was held is dropped
                        reset = reset or s is client
                        raise
                    if not data and s is client:
                        closed = True
                    elif not data:
                        return
                    elif s is client:
                        with self._lock:
                            self.taken += len(data)
                        held += data
                    elif not closed:
                        client.sendall(data)
                due = int(self.rate * (time.monotonic() - started)) - passed if self.rate else 0
                n = min(len(held), max(due, 0), 16384) if self.rate else len(held)
                if n:
                    server.sendall(held[:n])
                    del held[:n]
                    passed += n
        except OSError:
            return
        finally:
            # The server may have ended first (a HEAD makes @tus/server abort the PATCH it is
            # receiving): a reset the client sent before is still seen.
            with contextlib.suppress(OSError):
                reset = reset or bool(client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
            if reset:
                with self._lock:
                    self.resets += 1
            self._end(client, server)

    def _end(self, client: socket.socket, server: socket.socket) -> None:
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        with self._lock:
            self.live -= 1

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for t in self._threads:
            t.join(5)


@contextlib.contextmanager
def proxy(target_port: int, **options: float) -> Iterator[Proxy]:
    p = Proxy(target_port, **options)  # type: ignore[arg-type]
    try:
        yield p
    finally:
        p.close()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def random_file(path: Path, size: int) -> Path:
    with open(path, "wb") as handle:
        left = size
        while left:
            n = min(left, 1 << 20)
            handle.write(os.urandom(n))
            left -= n
    return path
