"""Clocks: the system's, and a movable one for the console and tests.

The engine asks its clock for the time and never sleeps; tests move a ``FakeClock`` instead
of waiting through a silence window.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class SystemClock:
    offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ShiftedClock:
    """The real time plus an offset that only grows: the console's ``/advance``."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class FakeClock:
    """A clock that moves only when told to."""

    offset = timedelta(0)

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment
