"""`onetake --version` says the version, the bundled licences and where files live; the
package's uninstall message and file associations say the same things as the app."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from onetake_desktop import __version__, cli
from onetake_desktop.desktop_entry import BUNDLE_SUFFIXES, KIT_SUFFIXES, command_for
from onetake_desktop.logs import log_file
from onetake_desktop.paths import app_paths
from onetake_desktop.services.about import BUNDLED, about_text

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "installers" / "linux"


def test_version_names_version_licences_and_this_installations_folders(
    onetake_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        cli.main(["--version"])
    assert ended.value.code == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"OneTake {__version__}"
    assert "GPL-3.0-or-later" in out
    assert "Qt 6 (PySide6-Essentials" in out and "LGPL-3.0" in out
    assert "x264" in out and "GPL-2.0-or-later" in out
    paths = app_paths({"ONETAKE_HOME": str(onetake_home)})
    assert f"Data (recordings, sessions, reviewer library): {paths.data}\n" in out
    assert f"Logs: {log_file(paths.logs)}\n" in out
    assert "leaves these folders in place" in out


def test_about_text_lists_every_bundled_component(tmp_path: Path) -> None:
    text = about_text(app_paths({"ONETAKE_HOME": str(tmp_path)}))
    for component in BUNDLED:
        assert f"  {component.name} ({component.distribution} " in text
        assert component.licence in text


def test_uninstall_message_names_the_folders_the_app_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default (no ONETAKE_HOME) Linux folders, written with ~ for the user's home.
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "ONETAKE_HOME"):
        monkeypatch.delenv(variable, raising=False)
    paths = app_paths({})
    postrm = (LINUX / "deb" / "postrm").read_text(encoding="utf-8")
    for folder in (paths.data, paths.config, paths.logs):
        assert f"~/{folder.relative_to(tmp_path)} " in postrm
    assert "$ONETAKE_HOME" in postrm
    assert "rm " not in postrm  # it tells; it never deletes


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["/home/a/Interview.onetakekit"], ["candidate", "/home/a/Interview.onetakekit"]),
        (["/home/a/Ana.ONETAKE"], ["review", "/home/a/Ana.ONETAKE"]),
        (["/home/a/Ana.onetake.age"], ["review", "/home/a/Ana.onetake.age"]),
        ([], []),
        (["--version"], ["--version"]),
        (["notes.txt"], ["notes.txt"]),  # the command line's own error, exit 2
        (["kit", "show", "a.onetakekit"], ["kit", "show", "a.onetakekit"]),
    ],
)
def test_desktop_entry_opens_kits_as_candidate_and_bundles_as_reviewer(
    argv: list[str], expected: list[str]
) -> None:
    assert command_for(argv) == expected


def test_mime_types_desktop_entry_and_launcher_agree() -> None:
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(LINUX / "onetake-mime.xml").getroot()
    globs = {
        t.get("type"): [g.get("pattern") for g in t.findall("m:glob", ns)]
        for t in root.findall("m:mime-type", ns)
    }
    assert globs["application/x-onetake-kit"] == [f"*{s}" for s in KIT_SUFFIXES]
    assert globs["application/x-onetake-bundle"] == ["*.onetake"]
    assert globs["application/x-onetake-bundle-encrypted"] == ["*.onetake.age"]
    assert set(BUNDLE_SUFFIXES) == {".onetake", ".onetake.age"}
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(LINUX / "onetake-desktop.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"] == "onetake-desktop %f"
    assert desktop["Icon"] == "onetake-desktop"
    declared = set(filter(None, desktop["MimeType"].split(";")))
    assert {
        "application/x-onetake-kit",
        "application/x-onetake-bundle",
        "application/x-onetake-bundle-encrypted",
    } <= declared
