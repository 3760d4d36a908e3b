"""From the candidate's app to the reviewer's library through the employer's tus server
(issue 13): a signed kit names the upload address and token; the sealed, encrypted bundle is
sent by ``onetake bundle send`` with the kit's defaults; ``onetake library import STORE``
imports the completed upload and leaves a partial one alone."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import requests

from onetake_desktop.cli import main
from onetake_desktop.domain.errors import EXIT_OK
from onetake_desktop.paths import app_paths
from onetake_desktop.services.candidate import run_headless
from onetake_desktop.services.keys import forget_unlocked
from onetake_desktop.services.upload import load_state
from tests.pipeline.handover_kits import PASSPHRASE, signed_small_kit
from tests.pipeline.tus_fixtures import intake_server, sha256_of

TOKEN = "interview-7f3a"


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = main(args)
    assert isinstance(code, int)
    return code, out.getvalue(), err.getvalue()


def test_kit_to_library_through_the_intake_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_unlocked()
    store = tmp_path / "store"
    with intake_server(store, token=TOKEN) as intake:
        hand_over = f'\n[hand_over]\nupload_url = "{intake.url}"\nupload_token = "{TOKEN}"\n'
        signed = signed_small_kit(tmp_path / "kit", hand_over)
        receipt = run_headless(
            signed.kit,
            camera="synthetic:size=320x240,fps=15",
            mic="synthetic",
            name="Grace Hopper",
            email="grace@example.org",
            answer_seconds=1.0,
            sessions=app_paths().sessions,
            out=tmp_path / "grace.onetake",
        )
        bundle = receipt.path
        assert bundle.name.endswith(".onetake.age")
        # The kit's address and token were kept beside the bundle when it was sealed.
        assert (load_state(bundle).endpoint, load_state(bundle).token) == (intake.url, TOKEN)
        code, out, err = _run(["bundle", "send", str(bundle)], monkeypatch)
        assert code == EXIT_OK, err
        assert f"sha256 {receipt.sha256}" in out
        # A second, partial upload (a candidate whose connection is still away).
        created = requests.post(
            intake.url,
            headers={
                "Tus-Resumable": "1.0.0",
                "Upload-Length": "100000",
                "Authorization": f"Bearer {TOKEN}",
            },
            timeout=10,
        )
        partial_url = created.headers["Location"]
        requests.patch(
            partial_url,
            data=bundle.read_bytes()[:5000],
            headers={
                "Tus-Resumable": "1.0.0",
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
                "Authorization": f"Bearer {TOKEN}",
            },
            timeout=10,
        )
        uploads = intake.uploads()
    assert len(uploads) == 2
    complete = next(p for p in uploads if p.stat().st_size == receipt.size)
    assert sha256_of(complete) == receipt.sha256
    code, out, err = _run(["library", "import", str(store)], monkeypatch, PASSPHRASE + "\n")
    assert code == EXIT_OK, err
    assert f"imported  {complete}: Grace Hopper" in out
    assert partial_url.rsplit("/", 1)[-1] not in out + err  # the partial upload is left alone
