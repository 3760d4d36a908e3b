"""Walk s14 W12: a bundle goes to an https:// address, or over plain http:// only to this
computer (loopback). Through ``onetake_desktop.cli.main`` with a real kit TOML, real kit and
definition files and a real bundle: ``kit build``/``kit validate`` refuse any other address as
an invalid field (exit 3), and ``bundle send`` refuses it with one sentence before any
connection (exit 3), whether given with ``--to`` or kept from an older kit at sealing."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import socket
import ssl
import sys
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_INVALID_INPUT, EXIT_OK
from onetake_desktop.domain.handover import HandOver
from onetake_desktop.services import upload
from onetake_desktop.services.upload import remember_kit_target, state_path
from onetake_desktop.storage import kitfile
from tests.pipeline.handover_kits import SMALL_TOML
from tests.pipeline.library_bundles import make_bundle
from tests.unit.test_upload_sockets import _certificate

TLS_HOST = "intake.onetake.test"  # exists only in this test's lookup

RULE = (
    "hand_over.upload_url must be an https:// address (a tus upload endpoint); http:// only "
    "for this computer (localhost, 127.0.0.1 or [::1])"
)
REFUSED = [
    "http://intake.example.com/files/",
    "http://localhost.example.com/files/",
    "ftp://intake.example.com/files/",
    "file:///tmp/files/",
    "javascript:alert(1)",
    "intake.example.com/files/",
]
ACCEPTED = [
    "https://intake.example.com/files/",
    "http://127.0.0.1:1080/files/",
    "http://localhost:1080/files/",
    "http://[::1]:1080/files/",
]


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = main(args)
    assert isinstance(code, int)
    return code, out.getvalue(), err.getvalue()


def _toml(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "interview.toml"
    source.write_text(SMALL_TOML + f'\n[hand_over]\nupload_url = "{url}"\n', encoding="utf-8")
    return source


def test_kit_build_and_validate_accept_only_https_or_loopback_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i, url in enumerate(REFUSED):
        source = _toml(tmp_path / f"refused{i}", url)
        kit = source.parent / "role.onetakekit"
        build = ["kit", "build", str(source), "-o", str(kit)]
        for args in (["kit", "validate", str(source)], build):
            code, out, err = _run(args, monkeypatch)
            assert code == EXIT_INVALID_INPUT, (url, args[1], out, err)
            assert RULE in err, (url, args[1], err)
        assert not kit.exists()  # nothing built to hand out
    for i, url in enumerate(ACCEPTED):
        source = _toml(tmp_path / f"accepted{i}", url)
        kit = source.parent / "role.onetakekit"
        code, out, err = _run(["kit", "build", str(source), "-o", str(kit)], monkeypatch)
        assert code == EXIT_OK, (url, err)
        assert kitfile.load_kit(kit).hand_over == HandOver(upload_url=url)
        assert _run(["kit", "validate", str(kit)], monkeypatch)[0] == EXIT_OK


def test_kit_validate_refuses_an_older_kit_and_definition_with_an_http_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built before the rule: the files still read (a candidate can still answer, see
    tests/ui/test_candidate_handover.py), but checking them says what is wrong."""
    definition = kitfile.load_toml(_toml(tmp_path, "https://intake.example.com/files/"))
    older = definition.kit._replace(
        hand_over=HandOver(upload_url="http://intake.example.com/files/")
    )
    kit = tmp_path / "older.onetakekit"
    kitfile.save_kit(older, kit)
    interview = kitfile.definition_path_for(kit)
    kitfile.save_definition(dataclasses.replace(definition, kit=older), interview)
    assert kitfile.load_kit(kit).hand_over == older.hand_over  # it reads

    code, out, err = _run(["kit", "validate", str(kit)], monkeypatch)
    assert (code, out) == (EXIT_INVALID_INPUT, "")
    assert err == f"{kit}: 1 problem in this interview kit:\n  - {RULE}\n"
    code, out, err = _run(["kit", "validate", str(interview)], monkeypatch)
    assert (code, out) == (EXIT_INVALID_INPUT, "")
    assert err == f"{interview}: 1 problem in this interview definition:\n  - kit.{RULE}\n"


def test_kit_show_shows_an_older_kit_with_an_http_address_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Showing is reading, and reading old kits keeps working (review s14b B2): the kit and
    its definition are shown as before (exit 0), the rule they miss is one warning."""
    definition = kitfile.load_toml(_toml(tmp_path, "https://intake.example.com/files/"))
    older = definition.kit._replace(
        hand_over=HandOver(upload_url="http://intake.example.com/files/")
    )
    kit = tmp_path / "older.onetakekit"
    kitfile.save_kit(older, kit)
    interview = kitfile.definition_path_for(kit)
    kitfile.save_definition(dataclasses.replace(definition, kit=older), interview)

    for path, field, kind in (
        (kit, RULE, "interview kit"),
        (interview, f"kit.{RULE}", "interview definition"),
    ):
        code, out, err = _run(["kit", "show", str(path)], monkeypatch)
        assert code == EXIT_OK, err
        assert out.startswith(f"{older.role_title} at "), out
        assert all(q.text in out for q in older.questions), out
        warnings = err.splitlines()
        assert len(warnings) == 1, err
        assert warnings[0].startswith(f"onetake: warning: {path}: {field.rstrip('.')}; ")
        assert f"this {kind} was built before that rule" in warnings[0]
    # Checking stays strict.
    assert _run(["kit", "validate", str(kit)], monkeypatch)[0] == EXIT_INVALID_INPUT


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bundle(tmp_path_factory.mktemp("bundle") / "ada.onetake", seconds=1.0)


def _no_connection(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every name other than 127.0.0.1 the upload would look up (none may be), and
    answer none of them."""
    asked: list[str] = []

    def lookup(host: str, port: int, family: int) -> Sequence[upload.AddressInfo]:
        if host == "127.0.0.1":
            return upload.system_lookup(host, port, family)
        asked.append(host)
        raise OSError("no network in this test")

    monkeypatch.setattr(upload, "name_lookup", lookup)
    return asked


@pytest.mark.parametrize("url", REFUSED)
def test_bundle_send_to_a_refused_address_says_so_before_any_connection(
    url: str, bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _no_connection(monkeypatch)
    state_path(bundle).unlink(missing_ok=True)
    args = ["bundle", "send", str(bundle), "--to", url, "--give-up-after", "1"]
    code, out, err = _run(args, monkeypatch)
    assert (code, out) == (EXIT_INVALID_INPUT, "")
    assert err == (
        f"onetake: Not sending to {url}: the address must start with https:// (so that the "
        "file cannot be read on the way; http:// only to this computer), so save the file "
        "and send it another way.\n"
    )
    assert asked == [] and not state_path(bundle).exists()  # nothing tried, nothing kept


def test_bundle_send_refuses_the_http_address_an_older_kit_left_beside_its_bundle(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _no_connection(monkeypatch)
    state_path(bundle).unlink(missing_ok=True)
    older = kitfile.load_toml(_toml(bundle.parent, "https://intake.example.com/files/")).kit
    url = "http://intake.example.com/files/"
    remember_kit_target(bundle, older._replace(hand_over=HandOver(upload_url=url)))
    kept = state_path(bundle).read_bytes()
    code, out, err = _run(["bundle", "send", str(bundle), "--give-up-after", "1"], monkeypatch)
    assert (code, out) == (EXIT_INVALID_INPUT, "")
    assert err.startswith(f"onetake: Not sending to {url}: the address must start with https://")
    assert err.count("\n") == 1 and asked == []
    assert state_path(bundle).read_bytes() == kept
    assert json.loads(kept)["upload_url"] == ""  # no upload was ever created


@contextlib.contextmanager
def _server_naming(status: int, location: str, tls: Path | None = None) -> Iterator[str]:
    """A server on 127.0.0.1 that answers a tus POST with ``status`` and ``location``, as a
    misconfigured proxy in front of a real one would (it forwards http, or redirects to it).
    ``tls``: its certificate and key; it then speaks https as ``intake.onetake.test``."""
    posts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            posts.append(self.path)
            self.send_response(status)
            if location:  # "": none given
                self.send_header("Location", location)
            self.send_header("Tus-Resumable", "1.0.0")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield f"https://{TLS_HOST}:{port}/files/" if tls else f"http://127.0.0.1:{port}/files/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert posts == ["/files/"]  # asked once, never again


@pytest.mark.parametrize("status", [201, 307])
def test_an_upload_address_the_server_gives_in_plain_http_is_not_sent_to(
    status: int, bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's answer to creating the upload names where the bytes go: a proxy that
    forwards (201) or redirects (307) to plain http:// elsewhere is refused like --to is."""
    asked = _no_connection(monkeypatch)
    state_path(bundle).unlink(missing_ok=True)
    with _server_naming(status, "http://intake.example.com/files/abc") as url:
        args = ["bundle", "send", str(bundle), "--to", url, "--give-up-after", "2"]
        code, out, err = _run(args, monkeypatch)
    assert (code, out) == (EXIT_FAILURE, "")
    assert err.splitlines()[0].endswith("Connecting to the employer's server...")
    assert err.split("\n", 1)[1] == (
        "onetake: The employer's server gave an upload address that does not start with "
        "https://, so nothing more is sent; save the file and send it another way.\n"
    )
    assert asked == []  # intake.example.com was never looked up
    assert json.loads(state_path(bundle).read_text(encoding="utf-8"))["upload_url"] == ""


@pytest.mark.parametrize("status", [201, 307])
def test_a_remote_server_naming_an_address_on_this_computer_is_not_sent_to(
    status: int, bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s14b B6: an https:// intake behind a proxy that does not pass on the public host
    answers with its own loopback address (http://127.0.0.1:1080/...); plain http:// to this
    computer is for a kit whose own address is on this computer, so the upload stops with
    one sentence naming the mistake, and the candidate's computer is never sent to."""
    asked: list[tuple[str, int]] = []

    def lookup(host: str, port: int, family: int) -> Sequence[upload.AddressInfo]:
        asked.append((host, port))
        if host != TLS_HOST:
            raise OSError("no network in this test")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(upload, "name_lookup", lookup)
    ca, certificate = _certificate(TLS_HOST, tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    state_path(bundle).unlink(missing_ok=True)
    local = "http://127.0.0.1:1080/files/abc"
    with _server_naming(status, local, tls=certificate) as url:
        args = ["bundle", "send", str(bundle), "--to", url, "--give-up-after", "2"]
        code, out, err = _run(args, monkeypatch)
    assert (code, out) == (EXIT_FAILURE, "")
    assert err.split("\n", 1)[1] == (
        f"onetake: The employer's server gave an upload address on this computer ({local}) "
        "instead of its own: it is set up wrongly behind its proxy "
        "(ONETAKE_INTAKE_BEHIND_PROXY=1 is missing), so nothing more is sent; save the file "
        "and send it another way.\n"
    )
    assert [host for host, _port in asked] == [TLS_HOST]  # 127.0.0.1:1080 never tried
    assert json.loads(state_path(bundle).read_text(encoding="utf-8"))["upload_url"] == ""


def test_a_redirect_without_a_usable_address_is_not_called_an_http_address(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s14b B5: a 3xx the session does not follow (no Location here, as a misconfigured
    proxy may answer) is an unexpected answer, not "an address that does not start with
    https://"."""
    _no_connection(monkeypatch)
    state_path(bundle).unlink(missing_ok=True)
    with _server_naming(303, "") as url:
        args = ["bundle", "send", str(bundle), "--to", url, "--give-up-after", "2"]
        code, out, err = _run(args, monkeypatch)
    assert (code, out) == (EXIT_FAILURE, "")
    assert err.split("\n", 1)[1] == (
        "onetake: The employer's server gave an unexpected answer (303) instead of taking the "
        "upload, so nothing more is sent; save the file and send it another way.\n"
    )
