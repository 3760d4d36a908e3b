"""Signed kits (issue 13): signed by the organisation key, refused once changed, unsigned still
opens with a plain notice; the hand-over settings travel inside the signed content."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.errors import EXIT_INVALID_INPUT, EXIT_OK, InvalidInputError
from onetake_desktop.domain.kit import kit_content_hash, kit_from_dict
from onetake_desktop.paths import app_paths
from onetake_desktop.services import author
from onetake_desktop.services.handover import send_options
from onetake_desktop.services.keys import KeyService, forget_unlocked
from onetake_desktop.storage import kitfile

PASS = "correct horse battery"
HAND_OVER = """
[hand_over]
upload_url = "https://intake.example.com/files/"
upload_token = "interview-7f3a"
instructions = "Or send the file by any file transfer service to hiring@example.com."
"""


@pytest.fixture(autouse=True)
def _forget() -> None:
    forget_unlocked()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    toml = tmp_path / "interview.toml"
    toml.write_text(kitfile.demo_source_path().read_text(encoding="utf-8") + HAND_OVER)
    return toml


def _signed(source: Path, tmp_path: Path, org: str = "Harbour Lane") -> tuple[Path, str, str]:
    with KeyService(app_paths().ensure().database) as keys:
        record = keys.new_key(org, PASS)
        kit_path, _ = kitfile.build_from_toml(source, tmp_path / "signed", keys.signer(PASS))
    return kit_path, record.short_fingerprint, record.age_recipient


def test_signed_kit_names_its_signer_and_carries_the_hand_over(
    source: Path, tmp_path: Path
) -> None:
    kit_path, fingerprint, recipient = _signed(source, tmp_path)
    signed = kitfile.load_signed_kit(kit_path)
    assert signed.signature is not None
    assert signed.signature.organisation == "Harbour Lane"
    assert signed.signature.short_fingerprint == fingerprint
    assert signed.signature.notice == f"Signed by Harbour Lane (key {fingerprint})."
    hand_over = signed.kit.hand_over
    assert hand_over is not None
    assert hand_over.upload_url == "https://intake.example.com/files/"
    assert hand_over.upload_token == "interview-7f3a"
    assert hand_over.recipient == recipient
    # The reviewers' definition holds the same kit (same content hash, recipient included).
    definition = kitfile.load_definition(kitfile.definition_path_for(kit_path))
    assert kit_content_hash(definition.kit) == kit_content_hash(signed.kit)


def _refused(kit_path: Path) -> str:
    with pytest.raises(InvalidInputError) as caught:
        kitfile.load_kit(kit_path)
    return str(caught.value)


def test_one_byte_of_a_question_changed_is_refused(source: Path, tmp_path: Path) -> None:
    kit_path, fingerprint, _ = _signed(source, tmp_path)
    raw = kit_path.read_bytes()
    data = json.loads(raw)
    text = data["questions"][0]["text"]
    at = raw.index(text.encode("utf-8"))
    tampered = bytearray(raw)
    tampered[at] = ord("X") if tampered[at] != ord("X") else ord("Y")
    kit_path.write_bytes(bytes(tampered))
    message = _refused(kit_path)
    assert message == (
        f"This interview kit was changed after Harbour Lane (key {fingerprint}) signed it, "
        "so it cannot be trusted; ask Harbour Lane for a fresh copy."
    )


def test_changed_kit_with_its_content_hash_recomputed_is_refused(
    source: Path, tmp_path: Path
) -> None:
    kit_path, _, _ = _signed(source, tmp_path)
    data = json.loads(kit_path.read_bytes())
    data["hand_over"]["upload_url"] = "https://attacker.example.net/files/"
    content = {k: v for k, v in data.items() if k not in ("content_hash", "signature")}
    data["content_hash"] = kit_content_hash(kit_from_dict(content))
    kit_path.write_text(json.dumps(data))
    assert "was changed after Harbour Lane" in _refused(kit_path)


def test_signature_relabelled_with_another_key_is_refused(source: Path, tmp_path: Path) -> None:
    kit_path, _, _ = _signed(source, tmp_path)
    other, _, _ = _signed(source, tmp_path / "other", org="Someone Else")
    data = json.loads(kit_path.read_bytes())
    data["signature"]["public_key"] = json.loads(other.read_bytes())["signature"]["public_key"]
    kit_path.write_text(json.dumps(data))
    assert "was changed after Harbour Lane" in _refused(kit_path)
    data["signature"]["value"] = "not base64!"
    kit_path.write_text(json.dumps(data))
    assert "signature is damaged" in _refused(kit_path)


def test_send_options_follow_the_kit(source: Path, tmp_path: Path) -> None:
    kit_path, _, _ = _signed(source, tmp_path)
    options = send_options(kitfile.load_kit(kit_path))
    assert options.can_upload and options.encrypted
    assert options.upload_url == "https://intake.example.com/files/"
    assert options.instructions.startswith("Or send the file")
    plain = send_options(kitfile.load_kit(kitfile.demo_kit_path()))
    assert (plain.can_upload, plain.encrypted, plain.instructions) == (False, False, "")


def test_unsigned_kit_opens_with_the_plain_notice(source: Path, tmp_path: Path) -> None:
    kit_path, _ = kitfile.build_from_toml(source, tmp_path / "plain")
    signed = kitfile.load_signed_kit(kit_path)
    assert signed.signature is None
    assert signed.kit.hand_over is not None and signed.kit.hand_over.recipient == ""
    assert author.trust_line(kit_path) == "This interview kit is not signed."


def test_bad_hand_over_values_are_listed(tmp_path: Path) -> None:
    toml = tmp_path / "bad.toml"
    toml.write_text(
        kitfile.demo_source_path().read_text(encoding="utf-8")
        + '\n[hand_over]\nupload_url = "ftp://x"\nupload_token = "has space"\nrecipient = "age1x"\n'
    )
    report = author.validate_file(toml)
    paths = {p.path for p in report.problems}
    assert paths == {"hand_over.upload_url", "hand_over.upload_token", "hand_over.recipient"}


def _cli(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    result = main(args)
    assert isinstance(result, int)
    return result


def test_cli_build_sign_then_validate_show_and_candidate_refuse_a_changed_kit(
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with KeyService(app_paths().ensure().database) as keys:
        keys.new_key("Harbour Lane", PASS)
    out = tmp_path / "role.onetakekit"
    assert _cli(["kit", "build", str(source), "-o", str(out), "--sign"], monkeypatch, PASS) == 0
    assert _cli(["kit", "validate", str(out)], monkeypatch) == EXIT_OK
    assert "Signed by Harbour Lane (key " in capsys.readouterr().out
    out.write_bytes(out.read_bytes().replace(b"Tell us", b"Tell me", 1))
    for args in (
        ["kit", "validate", str(out)],
        ["kit", "show", str(out)],
        ["candidate", str(out)],  # the window is never opened
        [
            *("candidate", str(out), "--headless", "--name", "A", "--email", "a@b.example"),
            *("--camera", "synthetic", "--mic", "synthetic", "--answer-seconds", "5"),
            *("--out", str(tmp_path / "never.onetake")),
        ],
    ):
        assert _cli(args, monkeypatch) == EXIT_INVALID_INPUT
        assert "was changed after Harbour Lane" in capsys.readouterr().err


@pytest.mark.parametrize("key_org", ["Harbour Lane Home Supplies", "Harbour Lane"])
def test_cli_build_sign_names_the_signer_and_warns_of_another_organisation(
    key_org: str,
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Walk s13 LOW-2, as the authoring window now does it: `kit build --sign` says whose key
    signed, and warns when that key's organisation is not the one the kit names (the demo's
    is "Harbour Lane Home Supplies"), since candidates would read "Signed by" the key's."""
    with KeyService(app_paths().ensure().database) as keys:
        keys.new_key(key_org, PASS)
    out = tmp_path / "role.onetakekit"
    assert _cli(["kit", "build", str(source), "-o", str(out), "--sign"], monkeypatch, PASS) == 0
    said = capsys.readouterr()
    assert f"Signed with {key_org}'s key (" in said.out
    warned = "onetake: warning: This kit names the organisation" in said.err
    assert warned == (key_org == "Harbour Lane")
