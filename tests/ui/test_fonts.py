"""Candidate names and kits come in any script: the machine has fonts for them (setup-dev.sh
and the Debian package install fonts-noto-core and fonts-noto-cjk), so no name shows as boxes."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QRawFont
from PySide6.QtWidgets import QApplication

WS = QFontDatabase.WritingSystem
NAMES = {
    WS.SimplifiedChinese: "王小明",
    WS.Japanese: "田中さくら",
    WS.Korean: "김민준",
    WS.Arabic: "محمد",
    WS.Hebrew: "נועה",
    WS.Devanagari: "अनन्या",
    WS.Thai: "สมชาย",
    WS.Cyrillic: "Анна",
    WS.Greek: "Ελένη",
}


@pytest.mark.parametrize("system", list(NAMES), ids=lambda s: s.name)
def test_a_name_in_this_script_has_a_font(
    qapp: QApplication, system: QFontDatabase.WritingSystem
) -> None:
    families = QFontDatabase.families(system)
    assert families, f"no font for {system.name}: install fonts-noto-core and fonts-noto-cjk"
    name = NAMES[system]
    covering = [
        family
        for family in families
        if all(
            QRawFont.fromFont(QFont(family), system).supportsCharacter(ord(c))
            for c in name
            if not c.isspace()
        )
    ]
    assert covering, f"no installed font draws {name!r}"
