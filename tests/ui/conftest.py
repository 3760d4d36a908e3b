"""UI tests run offscreen (set in the root conftest) with the app's style applied."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from onetake_desktop.ui.application import ensure_application


@pytest.fixture(scope="session")
def qapp_cls() -> type[QApplication]:
    return QApplication


@pytest.fixture(autouse=True)
def _styled_app(qapp: QApplication) -> QApplication:
    return ensure_application()
