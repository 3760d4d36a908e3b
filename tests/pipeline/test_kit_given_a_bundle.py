"""Walk s13 Low 7: a bundle given where a kit is expected is named for what it is.

`onetake kit show ada.onetake` said "ada.onetake is larger than 1,048,576 bytes"; it now says
that the file is a candidate's submission bundle and how to look inside it, with the exit
code the command gives any file that is not a kit (3)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from onetake_desktop import cli
from onetake_desktop.domain.errors import EXIT_INVALID_INPUT, InvalidInputError
from onetake_desktop.storage.kitfile import load_definition, load_kit
from tests.pipeline.library_bundles import make_bundle


def test_kit_show_and_validate_on_a_real_bundle_say_it_is_a_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path / "ada lovelace.onetake", seconds=6.0)
    sentence = (
        "ada lovelace.onetake is a candidate's submission bundle, not an interview kit; to see"
        f" what it holds, run: onetake bundle inspect '{bundle}'"
    )
    for action in ("show", "validate"):
        assert cli.main(["kit", action, str(bundle)]) == EXIT_INVALID_INPUT == 3
        captured = capsys.readouterr()
        assert captured.out == ""
        assert f"  - {sentence}\n" in captured.err
        assert "larger than" not in captured.err


def test_a_bundle_renamed_or_any_zip_is_refused_as_a_zip_file(tmp_path: Path) -> None:
    big = tmp_path / "renamed.onetakekit"
    with zipfile.ZipFile(big, "w") as archive:  # stored, over the 1 MB a kit may have
        archive.writestr("media/q1.mp4", b"\0" * 1_200_000)
    with pytest.raises(InvalidInputError, match=r"^renamed\.onetakekit is a zip file, not an"):
        load_kit(big)
    empty = tmp_path / "empty.onetakeinterview"
    zipfile.ZipFile(empty, "w").close()  # only the end record: PK\x05\x06
    with pytest.raises(InvalidInputError, match="is a zip file, not an interview definition"):
        load_definition(empty)


def test_an_encrypted_bundle_is_named_as_one_by_its_header_or_its_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review s13b B13: an encrypted ``.onetake.age`` still got "larger than" / "not UTF-8"."""
    import pyrage

    plain = make_bundle(tmp_path / "plain" / "ada.onetake")
    recipient = pyrage.x25519.Identity.generate().to_public()
    sealed = tmp_path / "ada lovelace.onetake.age"
    sealed.write_bytes(pyrage.encrypt(plain.read_bytes(), [recipient]))
    assert sealed.read_bytes().startswith(b"age-encryption.org/v1\n")
    sentence = (
        "ada lovelace.onetake.age is a candidate's encrypted submission bundle, not an interview"
        f" kit; to see what it holds, run: onetake bundle inspect '{sealed}'"
    )
    for action in ("show", "validate"):
        assert cli.main(["kit", action, str(sealed)]) == EXIT_INVALID_INPUT
        captured = capsys.readouterr()
        assert captured.out == ""
        assert f"  - {sentence}\n" in captured.err
        assert "larger than" not in captured.err and "UTF-8" not in captured.err
    # The header alone, under another name: an encrypted file, not a kit.
    renamed = tmp_path / "renamed.onetakekit"
    renamed.write_bytes(sealed.read_bytes())
    with pytest.raises(InvalidInputError) as raised:
        load_kit(renamed)
    assert str(raised.value) == (
        "renamed.onetakekit is an encrypted (age) file, not an interview kit."
    )
    # The suffix alone (a sealed bundle cut short before its header): still named a bundle.
    cut = tmp_path / "cut.onetake.age"
    cut.write_bytes(b"age-encr")
    with pytest.raises(InvalidInputError, match=r"^cut\.onetake\.age is a candidate's encrypted"):
        load_definition(cut)
