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


def _look(app: QApplication) -> tuple[object, ...]:
    """All that ensure_application() sets on the application."""
    return (
        app.styleSheet(),
        app.applicationName(),
        app.applicationDisplayName(),
        app.applicationVersion(),
        app.organizationName(),
        app.desktopFileName(),
        app.windowIcon().cacheKey(),
    )


_styled: list[tuple[object, ...]] = []  # the look ensure_application() last left


@pytest.fixture(autouse=True)
def _styled_app(qapp: QApplication) -> QApplication:
    """The app's style for every test. Set again when anything differs from what
    ensure_application() left, not every time: setting the same style sheet again changes
    nothing, yet Qt repolishes every widget still alive with it, and earlier tests' closed
    windows stay alive (their deleteLater() waits for an event loop that does not come), so
    that cost seconds per test once thousands had piled up."""
    if not _styled or _look(qapp) != _styled[0]:
        ensure_application()
        _styled[:] = [_look(qapp)]
    return qapp


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


@pytest.fixture(autouse=True)
def _pool_idle_after(request: pytest.FixtureRequest) -> Iterator[None]:
    """A task still running on Qt's pool after a test would touch the next one's data.
    Autouse fixtures are set up first and torn down last, so this looks after qtbot has closed
    the test's windows: what it waits for is work their close left running."""
    yield
    if not QThreadPool.globalInstance().waitForDone(10_000):
        pytest.fail(f"{request.node.nodeid} left work running on Qt's thread pool", pytrace=False)


@pytest.fixture(autouse=True)
def _no_background_transcription(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reviewer windows transcribe imported answers in the background (issue 16); a worker
    process per window test would only load the machine. Tests of that run mark themselves
    ``background_transcription``."""
    if request.node.get_closest_marker("background_transcription") is None:
        from onetake_desktop.ui.reviewer.transcript import TranscriptFeatures

        monkeypatch.setattr(TranscriptFeatures, "start_background", lambda self: False)
