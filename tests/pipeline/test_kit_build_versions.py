"""`onetake kit build` over a published kit follows the authoring window's rule: the old
version stays beside the new one, so bundles that answer it still import (walk s13, HIGH-1).
Through ``onetake_desktop.cli.main``, with a real kit, a real bundle and a real library."""

from __future__ import annotations

from pathlib import Path

import pytest

from onetake_desktop.cli import main
from onetake_desktop.storage import kitfile
from tests.pipeline.library_bundles import make_bundle


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    assert isinstance(code, int)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_rebuild_with_changes_keeps_the_answered_version_importable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "k.toml"
    source.write_text(kitfile.demo_source_path().read_text(encoding="utf-8"), encoding="utf-8")
    kit = tmp_path / "ov" / "role.onetakekit"
    definition = kitfile.definition_path_for(kit)
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert code == 0, err
    first = kit.read_bytes(), definition.read_bytes()

    # The same content again: the same files, nothing kept aside, the TOML untouched.
    toml_before = source.read_bytes()
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert code == 0, err
    assert (kit.read_bytes(), definition.read_bytes()) == first
    assert sorted(p.name for p in kit.parent.iterdir()) == [
        "role.onetakeinterview",
        "role.onetakekit",
    ]
    assert source.read_bytes() == toml_before
    assert len(out.strip().splitlines()) == 1  # just "Wrote ..."

    # A candidate answers version 2026.11.
    bundle = make_bundle(
        tmp_path / "eve.onetake", "Eve Example", definition=kitfile.load_definition(definition)
    )

    # One "why we ask" line changes, the version stamp does not.
    edited = source.read_text(encoding="utf-8").replace(
        "About half of our support happens in writing.", "Most of our support is written."
    )
    assert edited != source.read_text(encoding="utf-8")
    source.write_text(edited, encoding="utf-8")
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"Wrote {kit} ")
    assert lines[1:] == [
        "role.onetakekit held another published version: it stays as "
        "role-2026.11.onetakekit, so bundles that answer it still import; this build is "
        f"version 2026.12, now written into {source}."
    ]
    kept = kit.with_name("role-2026.11.onetakekit")
    assert (kept.read_bytes(), kitfile.definition_path_for(kept).read_bytes()) == first
    assert kitfile.load_kit(kit).version == "2026.12"
    assert kitfile.load_definition(definition).kit.version == "2026.12"
    # The TOML is the draft: it now says what was published, comments kept.
    assert 'version = "2026.12"' in source.read_text(encoding="utf-8")
    assert (
        source.read_text(encoding="utf-8").replace('version = "2026.12"', 'version = "2026.11"')
        == edited
    )

    # Both definitions go into the library; the bundle answered to 2026.11 imports.
    for file in (definition, kitfile.definition_path_for(kept)):
        code, _, err = run(capsys, "library", "add-definition", str(file))
        assert code == 0, err
    code, out, err = run(capsys, "library", "import", str(bundle))
    assert code == 0, err
    assert "refused" not in out + err

    # Building the bumped TOML again is a no-op.
    now = kit.read_bytes(), definition.read_bytes(), source.read_bytes()
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert code == 0, err
    assert (kit.read_bytes(), definition.read_bytes(), source.read_bytes()) == now
    assert len(list(kit.parent.glob("*.onetakekit"))) == 2

    # A version stamp already published with other content is refused, nothing written.
    source.write_text(edited.replace("Most of our support", "All of our support"), "utf-8")
    before = {p.name: p.read_bytes() for p in kit.parent.iterdir()}
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        "onetake: Version 2026.11 was already published with other content (kept as "
        "role-2026.11.onetakekit); give this interview a new version first."
    ]
    assert {p.name: p.read_bytes() for p in kit.parent.iterdir()} == before


def test_a_kit_path_holding_something_else_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The old `kit build` wrote over any file at -o; it now reads what is there first."""
    notes = tmp_path / "notes.onetakekit"
    notes.write_text("my notes", encoding="utf-8")
    source = kitfile.demo_source_path()
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(notes))
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        "onetake: notes.onetakekit already exists and is not an interview kit (The kit file "
        "notes.onetakekit is not valid JSON (Expecting value)); choose another file name."
    ]
    assert notes.read_text(encoding="utf-8") == "my notes"
    assert not kitfile.definition_path_for(notes).exists()


# --- review s13b: the version write-back and the kept copies -----------------------------------

ABOUT = "About half of our support happens in writing."


def _demo_source(path: Path, interview_id: str = "demo-customer-support") -> Path:
    text = kitfile.demo_source_path().read_text(encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        text.replace('interview_id = "demo-customer-support"', f'interview_id = "{interview_id}"'),
        encoding="utf-8",
    )
    return path


def _edit(source: Path) -> None:
    """One "why we ask" line changes; the version stamp does not."""
    text = source.read_text(encoding="utf-8")
    assert ABOUT in text
    source.write_text(text.replace(ABOUT, "Most of our support is written."), encoding="utf-8")


def _folder(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_read_only_toml_still_gets_its_kit_and_a_sentence_saying_which_version_to_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """B1 (and B2's read-only case): the TOML is never replaced behind its mode; the kit is
    built all the same (exit 0) and stderr says which version to set by hand."""
    source = _demo_source(tmp_path / "k.toml")
    kit = tmp_path / "role.onetakekit"
    code, _, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert code == 0, err
    _edit(source)
    source.chmod(0o444)
    toml_before = source.read_bytes()
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"Wrote {kit} ")
    assert lines[1] == (
        "role.onetakekit held another published version: it stays as "
        "role-2026.11.onetakekit, so bundles that answer it still import; this build is "
        "version 2026.12."
    )
    assert err.strip().splitlines() == [
        'onetake: warning: Could not write k.toml (it is read-only); set version = "2026.12" '
        "in k.toml yourself before the next build."
    ]
    assert kitfile.load_kit(kit).version == "2026.12"
    assert kitfile.load_kit(kit.with_name("role-2026.11.onetakekit")).version == "2026.11"
    assert source.read_bytes() == toml_before
    assert source.stat().st_mode & 0o777 == 0o444


def test_the_version_goes_into_the_real_toml_with_its_mode_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """B2: a shared 0640 TOML stays 0640; a symlinked TOML stays a link, its target changes."""
    real = _demo_source(tmp_path / "repo" / "interview.toml")
    real.chmod(0o640)
    link = tmp_path / "k.toml"
    link.symlink_to(real)
    kit = tmp_path / "out" / "role.onetakekit"
    code, _, err = run(capsys, "kit", "build", str(link), "-o", str(kit))
    assert code == 0, err
    _edit(real)
    code, out, err = run(capsys, "kit", "build", str(link), "-o", str(kit))
    assert code == 0, err
    assert out.strip().splitlines()[1].endswith(f"version 2026.12, now written into {link}.")
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert 'version = "2026.12"' in real.read_text(encoding="utf-8")
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["interview.toml"]  # no temp left
    # The next build from the real file is the same content: nothing new, nothing refused.
    code, out, err = run(capsys, "kit", "build", str(real), "-o", str(kit))
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1


def test_a_leftover_kept_file_is_not_trusted_over_the_only_published_kit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """B3: an empty ROLE-VERSION.onetakekit (an interrupted copy) is refused, the published
    kit untouched; a true copy is trusted, and the line names the kit kept, not its
    definition."""
    source = _demo_source(tmp_path / "k.toml")
    kit = tmp_path / "out" / "role.onetakekit"
    code, _, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert code == 0, err
    published = kit.read_bytes()
    keep = kit.with_name("role-2026.11.onetakekit")
    keep.write_bytes(b"")
    _edit(source)
    # The draft still says 2026.11: the leftover sits where that stamp would be kept.
    toml_before = source.read_bytes()
    before = _folder(kit.parent)
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        "onetake: role-2026.11.onetakekit already exists and cannot be read as a kit "
        "(The kit file role-2026.11.onetakekit is not valid JSON (Expecting value)); move it "
        "aside and build again."
    ]
    assert _folder(kit.parent) == before
    assert source.read_bytes() == toml_before

    # The author moved the version on by hand: the published 2026.11 kit would be kept where
    # the leftover is. It used to be skipped, and the only good 2026.11 kit written over.
    source.write_text(
        source.read_text(encoding="utf-8").replace('version = "2026.11"', 'version = "2026.12"'),
        encoding="utf-8",
    )
    toml_before = source.read_bytes()
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        "onetake: role-2026.11.onetakekit already exists but is not the version 2026.11 "
        "interview kit in role.onetakekit, which would be kept there; move it aside and build "
        "again."
    ]
    assert _folder(kit.parent) == before
    assert kit.read_bytes() == published
    assert source.read_bytes() == toml_before

    # A true copy of the kit (its definition not kept yet): trusted, the definition copied.
    keep.write_bytes(published)
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert code == 0, err
    assert out.strip().splitlines()[1] == (
        "role.onetakekit held another published version: it stays as "
        "role-2026.11.onetakekit, so bundles that answer it still import; this build is "
        "version 2026.12."
    )
    assert keep.read_bytes() == published
    assert kitfile.load_definition(kitfile.definition_path_for(keep)).kit.version == "2026.11"
    assert kitfile.load_kit(kit).version == "2026.12"


def test_another_interviews_kit_at_the_output_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """B4: building interview B to a file holding interview A's kit neither keeps A's kit as
    a version of B nor numbers B after it."""
    kit = tmp_path / "out" / "role.onetakekit"
    first = _demo_source(tmp_path / "a.toml")
    code, _, err = run(capsys, "kit", "build", str(first), "-o", str(kit))
    assert code == 0, err
    other = _demo_source(tmp_path / "b.toml", interview_id="driver-2027")
    other_before = other.read_bytes()
    before = _folder(kit.parent)
    code, out, err = run(capsys, "kit", "build", str(other), "-o", str(kit))
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        "onetake: role.onetakekit holds the kit of another interview (demo-customer-support); "
        "choose another file name."
    ]
    assert _folder(kit.parent) == before
    assert other.read_bytes() == other_before


def test_a_kit_this_build_cannot_read_is_called_that_not_a_non_kit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """B7: a kit of a newer format is still a kit: the sentence says why it cannot be read."""
    source = _demo_source(tmp_path / "k.toml")
    kit = tmp_path / "out" / "role.onetakekit"
    code, _, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert code == 0, err
    kit.write_bytes(kit.read_bytes().replace(b'"format_version": 1', b'"format_version": 9'))
    before = _folder(kit.parent)
    code, out, err = run(capsys, "kit", "build", str(source), "-o", str(kit))
    assert (code, out) == (2, "")
    assert err.strip().startswith(
        "onetake: role.onetakekit already exists and cannot be read as a kit ("
    )
    assert err.strip().endswith("); choose another file name.")
    assert _folder(kit.parent) == before


def test_build_help_says_signing_is_a_new_version(capsys: pytest.CaptureFixture[str]) -> None:
    """B8: a signed build over an unsigned kit counts as new content; the help says so."""
    with pytest.raises(SystemExit):
        main(["kit", "build", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "a signed build over an unsigned kit (or the other way round) is new content" in text
