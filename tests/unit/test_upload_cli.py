"""``onetake bundle send`` without a server (issue 13): no address is a usage error; a server
that cannot be reached is retried, then given up on with a sentence that says how to go on."""

from __future__ import annotations

import io
import socket
import sys
from pathlib import Path

import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_USAGE
from onetake_desktop.services.upload import load_state


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    code = main(args)
    assert isinstance(code, int)
    return code, err.getvalue()


def test_no_address_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "a.onetake.age"
    bundle.write_bytes(b"age-encryption.org/v1\n" + b"x" * 100)
    code, err = _run(["bundle", "send", str(bundle)], monkeypatch)
    assert code == EXIT_USAGE
    assert "No upload address for a.onetake.age" in err and "--to URL" in err


def test_unreachable_server_is_retried_then_given_up_resumably(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bundle = tmp_path / "a.onetake.age"
    bundle.write_bytes(b"age-encryption.org/v1\n" + b"x" * 1000)
    url = f"http://127.0.0.1:{port}/files/"
    code, err = _run(
        ["bundle", "send", str(bundle), "--to", url, "--give-up-after", "2"], monkeypatch
    )
    assert code == EXIT_FAILURE
    assert "No connection to the employer's server; trying again in a moment." in err
    assert "could not be reached" in err and "run the same command again" in err
    assert load_state(bundle).endpoint == url  # kept: the next run goes on from here
