from __future__ import annotations

from pathlib import Path

import pytest

from onetake_desktop import paths


def test_onetake_home_redirects_every_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONETAKE_HOME", str(tmp_path))
    p = paths.app_paths().ensure()
    for directory in (p.data, p.config, p.cache, p.logs, p.sessions, p.library):
        assert directory.is_dir()
        assert directory.is_relative_to(tmp_path)
    assert p.database.is_relative_to(tmp_path)


def test_without_override_platform_dirs_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONETAKE_HOME")
    p = paths.app_paths()
    assert "OneTake" in str(p.data)
    assert "OneTake" in str(p.config)


def test_bundled_resources_are_found() -> None:
    assert paths.resource("icons", "onetake.svg").is_file()
    assert paths.resource("styles", "onetake.qss").is_file()
