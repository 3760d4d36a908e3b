"""An injectable clock, so timers and timestamps can be driven by tests."""

from __future__ import annotations

import importlib
import time
from typing import TYPE_CHECKING, Protocol

# datetime loads with the first timestamp asked for: every window's start makes a SystemClock,
# the start screen never asks it the time (issue 17).
if TYPE_CHECKING:
    from datetime import datetime


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for durations and pts)."""
        ...

    def now(self) -> datetime:
        """Wall-clock time, timezone-aware UTC (for records people read)."""
        ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        # importlib, not an import statement: the first timestamp is often asked for after
        # PySide6 has loaded, and its import hook then reads the source of every module an
        # import statement names (datetime.py: ~2 M instructions; issue 17).
        clock = importlib.import_module("datetime")
        now: datetime = clock.datetime.now(clock.UTC)
        return now


class ManualClock:
    """A clock that moves only when told to; for tests and scripted sessions."""

    def __init__(self, start: datetime | None = None) -> None:
        from datetime import UTC, datetime

        self._t = 0.0
        self._start = start or datetime(2026, 1, 1, 9, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self._t

    def now(self) -> datetime:
        from datetime import timedelta

        return self._start + timedelta(seconds=self._t)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._t += seconds


class IdleTimer:
    """Lock the panel after ``minutes`` without activity, on the injectable clock.

    Here rather than in domain.panel: every reviewer window makes one, and a lone reviewer's
    window opens without loading the panel's statistics and audit chain (issue 17)."""

    def __init__(self, clock: Clock, minutes: float) -> None:
        self.clock = clock
        self.minutes = minutes
        self._last = clock.monotonic()

    def touch(self) -> None:
        self._last = self.clock.monotonic()

    def seconds_left(self) -> float:
        return self.minutes * 60 - (self.clock.monotonic() - self._last)

    def is_idle(self) -> bool:
        return self.minutes > 0 and self.seconds_left() <= 0
