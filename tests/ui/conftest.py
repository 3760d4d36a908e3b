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
def _fixed_retention_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reviewer windows erase candidates whose retention has ended at start-up. Test bundles
    are sealed on 2026-11-01 (make_bundle); windows see a fixed day soon after, so no test
    finds its candidates erased on some later date."""
    from datetime import UTC, datetime

    from onetake_desktop.domain.clock import ManualClock
    from onetake_desktop.ui.reviewer import privacy

    monkeypatch.setattr(
        privacy, "default_clock", lambda: ManualClock(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    )


def _pool_idle_after(request: pytest.FixtureRequest) -> Iterator[None]:
    """A task still running on Qt's pool after a test would touch the next one's data."""
    yield
    if not QThreadPool.globalInstance().waitForDone(10_000):
        pytest.fail(f"{request.node.nodeid} left work running on Qt's thread pool", pytrace=False)
