"""UI tests run offscreen (set in the root conftest) with the app's style applied."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from onetake_desktop.ui.application import ensure_application


@pytest.fixture(scope="session")
def qapp_cls() -> type[QApplication]:
    return QApplication


@pytest.fixture(autouse=True)
def _styled_app(qapp: QApplication) -> QApplication:
    return ensure_application()


@pytest.fixture(autouse=True)
def _pool_idle_after(request: pytest.FixtureRequest) -> Iterator[None]:
    """A task still running on Qt's pool after a test would touch the next one's data."""
    yield
    if not QThreadPool.globalInstance().waitForDone(10_000):
        pytest.fail(f"{request.node.nodeid} left work running on Qt's thread pool", pytrace=False)
