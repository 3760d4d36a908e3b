"""The licences that `onetake --version` and Help > About name hold for the libraries
installed: if PyAV stopped shipping x264, or Qt's licence changed, the About text would be
wrong and this fails."""

from __future__ import annotations

from importlib import metadata

import av

from onetake_desktop.services.about import BUNDLED


def _component(distribution: str) -> str:
    return next(c.licence for c in BUNDLED if c.distribution == distribution)


def test_pyav_ships_x264_so_the_gpl_applies() -> None:
    assert "libx264" in av.codecs_available
    assert "GPL-2.0-or-later" in _component("av")


def test_qt_is_offered_under_the_lgpl() -> None:
    licence = metadata.metadata("PySide6-Essentials")["License"]
    assert "LGPL-3.0" in licence
    assert _component("PySide6-Essentials") == "LGPL-3.0"


def test_every_bundled_component_is_installed() -> None:
    for component in BUNDLED:
        assert metadata.version(component.distribution)
