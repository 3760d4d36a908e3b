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
