"""Commands in pipeline tests read a fixed calendar unless a test gives its own clock.

Every command that reads the library erases the candidates past their keeping date first
(cli/privacy.py ``erase_due_first``), and test bundles are sealed on 2026-11-01 and kept the
demo kit's 180 days (tests/pipeline/library_bundles.py): on the system clock these tests would
find their candidates erased from 30 April 2027 on. As the windows' (tests/ui/conftest.py),
the commands' calendar here starts soon after the seal, on 20 November 2026, and runs in real
time (durations, the panel's pauses and idle minutes stay real). A test about dates gives its
context a ManualClock (``app_context._replace(clock=...)``), which wins.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from onetake_desktop.services.context import AppContext

CALENDAR_START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class CalendarFrom:
    """A clock whose day starts at ``start`` and moves in real time from its making."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._made = time.monotonic()

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._made)


@pytest.fixture(autouse=True)
def _commands_on_a_fixed_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main(argv)`` without a context, and a handler run on its own, make theirs here."""
    made = AppContext.from_environment

    def from_environment(
        cls: type[AppContext], environ: Mapping[str, str] | None = None
    ) -> AppContext:
        return made(environ)._replace(clock=CalendarFrom(CALENDAR_START))

    monkeypatch.setattr(AppContext, "from_environment", classmethod(from_environment))


@pytest.fixture
def app_context(app_context: AppContext) -> AppContext:
    return app_context._replace(clock=CalendarFrom(CALENDAR_START))
