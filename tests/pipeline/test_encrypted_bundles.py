"""Bundles encrypted to the employer (issue 13): sealed by the app as one age file that the
``age`` tool opens with the exported identity; imported transparently after the passphrase;
refused with one sentence when meant for another organisation's key."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pyrage
import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.errors import EXIT_INVALID_INPUT, EXIT_OK
from onetake_desktop.paths import app_paths
from onetake_desktop.services.bundles import verify_bundle
from onetake_desktop.services.candidate import run_headless
from onetake_desktop.services.handover import AGE_MAGIC, encrypt_file, kit_trust
from onetake_desktop.services.keys import KeyService, forget_unlocked
from tests.pipeline.handover_kits import PASSPHRASE, signed_small_kit
from tests.pipeline.library_bundles import make_bundle

SMALL_CAMERA = "synthetic:size=320x240,fps=15"


@pytest.fixture(autouse=True)
def _forget() -> None:
    forget_unlocked()


def _cli(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    result = main(args)
    assert isinstance(result, int)
    return result


def test_app_sealed_bundle_is_encrypted_and_the_age_tool_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = signed_small_kit(tmp_path / "kit")
    trust = kit_trust(signed.kit)
    assert trust.signed and trust.organisation == "Harbour Lane"
    assert trust.notice == f"Signed by Harbour Lane (key {signed.short_fingerprint})."
    receipt = run_headless(
        signed.kit,
        camera=SMALL_CAMERA,
        mic="synthetic",
        name="Ada Lovelace",
        email="ada@example.org",
        answer_seconds=1.0,
        sessions=app_paths().sessions,
        out=tmp_path / "ada.onetake",
    )
    sent = receipt.path
    assert sent.name == "ada.onetake.age"
    assert not [p for p in sent.parent.iterdir() if ".onetake" in p.name and p != sent]
    raw = sent.read_bytes()
    assert raw.startswith(AGE_MAGIC)
    # The receipt describes exactly the file the candidate sends.
    assert receipt.size == len(raw)
    assert receipt.sha256 == hashlib.sha256(raw).hexdigest()
    identity = tmp_path / "identity.txt"
    assert _cli(["keys", "export", "--identity", str(identity)], monkeypatch, PASSPHRASE) == 0
    plain = tmp_path / "opened.onetake"
    subprocess.run(["age", "-d", "-i", str(identity), "-o", str(plain), str(sent)], check=True)
    assert zipfile.is_zipfile(plain)
    report = verify_bundle(plain)
    assert report.manifest.candidate_name == "Ada Lovelace"


def _library_import(
    path: Path, monkeypatch: pytest.MonkeyPatch, stdin: str, *options: str
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = _cli(["library", "import", str(path), *options], monkeypatch, stdin)
    return code, out.getvalue(), err.getvalue()


def test_encrypted_bundle_imports_after_the_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = signed_small_kit(tmp_path / "kit")
    plain = make_bundle(tmp_path / "b" / "grace.onetake", "Grace Hopper")
    sealed = tmp_path / "in" / "grace.onetake.age"
    sealed.parent.mkdir()
    encrypt_file(plain, sealed, signed.recipient)
    # Without the passphrase nothing opens: one sentence, nothing imported.
    code, _, err = _library_import(sealed.parent, monkeypatch, "wrong passphrase\n")
    assert code != EXIT_OK and "passphrase does not open" in err
    code, out, _ = _library_import(sealed.parent, monkeypatch, PASSPHRASE + "\n")
    assert code == EXIT_OK, out
    assert "imported" in out and "Grace Hopper" in out
    leftovers = [p.name for p in (app_paths().library / "submissions").iterdir()]
    assert not [n for n in leftovers if n.startswith(".incoming")]  # decrypted copy removed


def test_bundle_for_another_organisations_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with KeyService(app_paths().ensure().database) as keys:
        keys.new_key("Harbour Lane", PASSPHRASE)
    other = pyrage.x25519.Identity.generate()
    plain = make_bundle(tmp_path / "b" / "eve.onetake", "Eve")
    sealed = tmp_path / "eve.onetake.age"
    encrypt_file(plain, sealed, str(other.to_public()))
    code, _, err = _library_import(sealed, monkeypatch, PASSPHRASE + "\n")
    assert code == EXIT_INVALID_INPUT
    assert (
        "eve.onetake.age is encrypted for another organisation's key, not this library's, "
        "so it cannot be opened here." in err
    )


def test_hostile_rules_apply_after_decryption_exactly_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = signed_small_kit(tmp_path / "kit")
    hostile = tmp_path / "h" / "bad.onetake"
    hostile.parent.mkdir()
    with zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as z:  # compressed: refused
        z.writestr("manifest.json", "{}")
    code, _, plain_err = _library_import(hostile, monkeypatch, "")
    assert code == EXIT_INVALID_INPUT
    sealed = tmp_path / "bad.onetake.age"
    encrypt_file(hostile, sealed, signed.recipient)
    code, _, err = _library_import(sealed, monkeypatch, PASSPHRASE + "\n")
    assert code == EXIT_INVALID_INPUT
    reason = "Member manifest.json is compressed; bundle members must be stored uncompressed."
    assert plain_err == f"refused   {hostile}: {reason}\n"
    assert err == f"refused   {sealed}: {reason}\n"


def test_bundle_verify_and_inspect_open_an_encrypted_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = signed_small_kit(tmp_path / "kit")
    plain = make_bundle(tmp_path / "b" / "ada.onetake", "Ada Lovelace")
    sealed = tmp_path / "ada.onetake.age"
    encrypt_file(plain, sealed, signed.recipient)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert _cli(["bundle", "verify", str(sealed)], monkeypatch, PASSPHRASE + "\n") == EXIT_OK
    assert "OK. 3 answers from Ada Lovelace" in out.getvalue()
    assert _cli(["bundle", "inspect", str(sealed)], monkeypatch) == EXIT_OK  # still unlocked
    assert "candidate: Ada Lovelace" in out.getvalue()
    assert not list((app_paths().cache).glob(".incoming-decrypted-*"))  # nothing left behind


def test_truncated_encrypted_bundle_is_refused_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = signed_small_kit(tmp_path / "kit")
    plain = make_bundle(tmp_path / "b" / "cut.onetake", "Cut Short")
    sealed = tmp_path / "cut.onetake.age"
    encrypt_file(plain, sealed, signed.recipient)
    sealed.write_bytes(sealed.read_bytes()[:-100])  # a download that stopped early
    code, _, err = _library_import(sealed, monkeypatch, PASSPHRASE + "\n")
    assert code == EXIT_INVALID_INPUT
    assert "cut.onetake.age is damaged: its encryption does not check out." in err
    submissions = app_paths().library / "submissions"
    assert not [p for p in submissions.iterdir() if p.name.startswith(".incoming")]


def test_on_a_panel_the_panelists_passphrase_comes_first_then_the_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``library import --as NAME``'s help: the panelist's passphrase on the first line of
    standard input, the organisation key's on the next. Refused (no --as), nothing is read."""
    from argon2 import PasswordHasher

    from onetake_desktop.services.panel import PanelService
    from onetake_desktop.services.reviewer import open_reviewer_service

    signed = signed_small_kit(tmp_path / "kit")
    plain = make_bundle(tmp_path / "b" / "grace.onetake", "Grace Hopper")
    sealed = tmp_path / "in" / "grace.onetake.age"
    sealed.parent.mkdir()
    encrypt_file(plain, sealed, signed.recipient)
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        panel = PanelService(
            service.library, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
        )
        panel.create_panelist("Ana", "ana passphrase", chair=True)
        panel.lock()
    finally:
        service.close()

    stdin = io.StringIO(f"ana passphrase\n{PASSPHRASE}\n")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["library", "import", str(sealed.parent)]) == 1
    assert stdin.tell() == 0  # refused before any passphrase was asked for

    code, out, err = _library_import(sealed.parent, monkeypatch, stdin.getvalue(), "--as", "Ana")
    assert code == EXIT_OK, err
    assert "imported" in out and out.rstrip().endswith("1 imported.")
