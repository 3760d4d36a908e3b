"""Organisation keys (issue 13): made, listed, sealed by the passphrase, exported for age."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest

from onetake_desktop.cli import main
from onetake_desktop.domain.errors import EXIT_FAILURE, EXIT_OK, UsageError
from onetake_desktop.paths import app_paths
from onetake_desktop.services.keys import KeyService, WrongPassphraseError, forget_unlocked

PASS = "correct horse battery"


@pytest.fixture(autouse=True)
def _forget() -> None:
    forget_unlocked()


def test_new_key_is_sealed_and_opens_only_with_its_passphrase(onetake_home: Path) -> None:
    with KeyService(app_paths().ensure().database) as keys:
        record = keys.new_key("Acme  Ltd", PASS)
        assert record.organisation == "Acme Ltd"
        assert record.age_recipient.startswith("age1")
        assert len(record.short_fingerprint) == 19
        raw = keys.db.execute("SELECT sealed_secret FROM org_keys").fetchone()[0]
        assert b"AGE-SECRET-KEY" not in bytes(raw)
        with pytest.raises(WrongPassphraseError, match="does not open the key of Acme Ltd"):
            keys.unlock("not the passphrase")
        unlocked = keys.unlock(PASS)
        assert str(unlocked.identity.to_public()) == record.age_recipient
        # The identity really decrypts what is encrypted to the recipient.
        box = pyrage.encrypt(b"hello", [pyrage.x25519.Recipient.from_str(record.age_recipient)])
        assert pyrage.decrypt(box, [unlocked.identity]) == b"hello"


def test_short_passphrase_refused(onetake_home: Path) -> None:
    with (
        KeyService(app_paths().ensure().database) as keys,
        pytest.raises(UsageError, match="at least 8"),
    ):
        keys.new_key("Acme", "short")


def test_keys_live_in_the_library_the_caller_names(
    onetake_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """services.keys reads no environment and no user folder: the command's context (and a
    window's library) says which database holds the keys."""
    from onetake_desktop.services.context import AppContext

    elsewhere = app_paths({"ONETAKE_HOME": str(tmp_path / "elsewhere")})
    with KeyService(elsewhere.ensure().database) as keys:
        keys.new_key("Elsewhere Ltd", PASS)
    assert not app_paths().database.exists()  # ONETAKE_HOME's library was not touched
    assert main(["keys", "list"], AppContext(elsewhere)) == EXIT_OK
    assert "Elsewhere Ltd" in capsys.readouterr().out
    assert not app_paths().database.exists()


def _cli(args: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    result = main(args)
    assert isinstance(result, int)
    return result


def test_cli_new_list_export_and_age_tool_reads_the_identity(
    onetake_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _cli(["keys", "new", "--org", "Acme"], PASS + "\n", monkeypatch) == EXIT_OK
    assert _cli(["keys", "list"], "", monkeypatch) == EXIT_OK
    listed = capsys.readouterr().out
    with KeyService(app_paths().ensure().database) as keys:
        record = keys.current()
    assert record.short_fingerprint in listed and record.age_recipient in listed
    out = tmp_path / "identity.txt"
    assert _cli(["keys", "export", "--identity", str(out)], "wrong one!\n", monkeypatch) == (
        EXIT_FAILURE
    )
    assert "does not open any organisation key" in capsys.readouterr().err
    assert not out.exists()
    assert _cli(["keys", "export", "--identity", str(out)], PASS + "\n", monkeypatch) == EXIT_OK
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    secret = tmp_path / "secret.age"
    recipient = pyrage.x25519.Recipient.from_str(record.age_recipient)
    secret.write_bytes(pyrage.encrypt(b"for the employer", [recipient]))
    opened = subprocess.run(
        ["age", "-d", "-i", str(out), str(secret)], capture_output=True, check=True
    )
    assert opened.stdout == b"for the employer"


def test_export_holds_every_key_so_older_bundles_still_open(
    onetake_home: Path, tmp_path: Path
) -> None:
    with KeyService(app_paths().ensure().database) as keys:
        old = keys.new_key("Acme", PASS)
        new = keys.new_key("Acme", PASS)
        out = tmp_path / "identity.txt"
        assert [r.id for r in keys.export_identity(out, PASS)] == [old.id, new.id]
    for record in (old, new):
        secret = tmp_path / f"{record.id}.age"
        to = pyrage.x25519.Recipient.from_str(record.age_recipient)
        secret.write_bytes(pyrage.encrypt(record.age_recipient.encode(), [to]))
        opened = subprocess.run(
            ["age", "-d", "-i", str(out), str(secret)], capture_output=True, check=True
        )
        assert opened.stdout == record.age_recipient.encode()


def test_no_passphrase_on_stdin_exits_3_from_keys_and_kit_build_sign_as_from_panel(
    onetake_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Review s13b B12: the same sentence exited 2 here and 3 from ``panel``/``library --as``
    (README: 3 is invalid input; a panel's wrong passphrase is 3 too). One reader now."""
    from onetake_desktop.domain.errors import EXIT_INVALID_INPUT
    from onetake_desktop.storage import kitfile

    assert _cli(["keys", "new", "--org", "Acme"], PASS + "\n", monkeypatch) == EXIT_OK
    source = tmp_path / "role.toml"
    source.write_bytes(kitfile.demo_source_path().read_bytes())
    kit = tmp_path / "role.onetakekit"
    identity = tmp_path / "identity.txt"
    commands = (
        ["keys", "export", "--identity", str(identity)],
        ["kit", "build", str(source), "-o", str(kit), "--sign"],
        ["keys", "new", "--org", "Acme"],
    )
    for args in commands:
        for empty in ("", "\n", "\r\n"):
            capsys.readouterr()
            assert _cli(args, empty, monkeypatch) == EXIT_INVALID_INPUT, (args, empty)
            assert capsys.readouterr().err == (
                "onetake: No passphrase was given on standard input.\n"
            ), (args, empty)
    assert not identity.exists() and not kit.exists()
    with KeyService(app_paths().ensure().database) as keys:
        assert len(keys.keys()) == 1
