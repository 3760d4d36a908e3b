"""Issue 11: the retention the candidate reads in the window is the one the reviewer keeps.

The candidate window's privacy page states the kit's ``retention_days``; the reviewer library
stamps the same number of days on the submission when it is imported (tests/pipeline/
test_privacy.py erases it exactly then). This test ties the window's sentence to the kit, so a
change of wording or of the field it reads fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.storage.kitfile import save_kit
from tests.pipeline.test_candidate_headless import small_kit
from tests.ui.candidate_walk import make

pytestmark = pytest.mark.timeout(120, method="thread")


@pytest.mark.parametrize("days", [30, 180])
def test_the_privacy_page_states_the_kits_retention(
    qtbot: QtBot, tmp_path: Path, days: int
) -> None:

    kit = small_kit()._replace(retention_days=days)
    path = tmp_path / "kit.onetakekit"
    save_kit(kit, path)
    window = make(path, ManualClock(), tmp_path / "a.onetake")
    qtbot.addWidget(window)
    window.show()
    window.act(window.service.begin)
    QApplication.processEvents()
    texts = [label.text() for label in window.findChildren(QLabel) if label.isVisible()]
    assert f"The employer keeps your answers for {days} days." in texts
    assert not any(f"for {other} days" in t for t in texts for other in (30, 180) if other != days)
    window.close()
