"""The one retry policy for every remote the bot talks to: Matrix sync, Matrix sends, Discourse.

- **Exponential backoff, capped.** The n-th failure in a row waits ``first × 2ⁿ⁻¹``, never more
  than ``cap``; a success resets the count.
- **Per key.** Each key (a Matrix destination, a forum work item, the homeserver as a whole)
  keeps its own count and its own instant to wait for, so one failing thing holds back only
  itself.
- **The server's word wins.** When a server says how long to wait (HTTP 429 with Retry-After,
  Discourse's ``wait_seconds``, Matrix's ``retry_after_ms``), exactly that is waited instead of
  the backoff, and it holds every key: a rate limit is the account's (the admin API key's, the
  bot user's), not one request's. It does not count as a failure of the key.

Nothing here sleeps or does I/O: callers ask how long to wait and do the waiting themselves
(``asyncio.sleep``, or leaving a work item for the next pass). Time comes from an injected
clock, so tests move a ``FakeClock`` instead of waiting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from commands.context import Clock

ERROR = "error"
RATE_LIMITED = "rate_limited"


class Deferred(Exception):
    """A work item is not due yet (rate limit or backoff); it is retried on a later pass."""


class MonotonicClock:
    """``time.monotonic()`` as instants: waits measured on it survive the wall clock being set
    back (a backoff must not stall for the hour an NTP correction took away)."""

    _ORIGIN = datetime(1970, 1, 1, tzinfo=timezone.utc)

    def now(self) -> datetime:
        """An instant on a clock that never jumps; only differences between them mean anything."""
        return self._ORIGIN + timedelta(seconds=time.monotonic())


@dataclass(frozen=True)
class Backoff:
    """How long to wait after failures in a row: ``first``, then twice as long each time,
    at most ``cap``."""

    first: timedelta
    cap: timedelta

    @classmethod
    def seconds(cls, first: float, cap: float) -> "Backoff":
        """The policy from seconds, as the Matrix adapter's options give them."""
        return cls(timedelta(seconds=first), timedelta(seconds=cap))

    def delay(self, failures: int) -> timedelta:
        """The wait after the ``failures``-th failure in a row (nothing before the first)."""
        if failures <= 0:
            return timedelta(0)
        delay = self.first
        # Doubled step by step rather than ``first * 2 ** n``: a key failing for days would
        # otherwise overflow ``timedelta`` long after the cap was reached.
        for _ in range(failures - 1):
            if delay >= self.cap:
                break
            delay *= 2
        return min(delay, self.cap)


@dataclass(frozen=True)
class Waiting:
    """Why a key waits (``"error"`` or ``"rate_limited"``), until when, and after how many
    failures in a row."""

    until: datetime
    reason: str
    failures: int = 0


class Retries:
    """The retry state of a set of keys under one ``Backoff`` and one clock."""

    def __init__(self, backoff: Backoff, clock: Clock) -> None:
        self.backoff = backoff
        self.clock = clock
        self.waiting: dict[str, Waiting] = {}     # key -> its last failure's wait
        self.held_until: datetime | None = None   # a rate limit holds every key until then

    def wait(self, key: str) -> timedelta | None:
        """How long ``key`` must still wait before it is tried again; None: it may go now."""
        now = self.clock.now()
        waiting = self.waiting.get(key)
        ends = [end for end in (self.held_until, waiting.until if waiting else None)
                if end is not None and end > now]
        return max(ends) - now if ends else None

    def failed(self, key: str, *, retry_after: timedelta | None = None) -> timedelta:
        """Record a failure of ``key`` and return how long it now waits.

        ``retry_after`` is what the server asked (a rate limit): that is waited, by every key,
        and the key's count of failures stays as it was. Without it the key backs off: one
        more failure, twice the last wait, up to the cap."""
        now = self.clock.now()
        previous = self.waiting.get(key)
        failures = previous.failures if previous else 0
        if retry_after is not None:
            delay = max(retry_after, timedelta(0))
            # The server's latest word replaces an earlier one, shorter or longer.
            self.held_until = now + delay
            self.waiting[key] = Waiting(now + delay, RATE_LIMITED, failures)
            return delay
        delay = self.backoff.delay(failures + 1)
        self.waiting[key] = Waiting(now + delay, ERROR, failures + 1)
        return delay

    def succeeded(self, key: str) -> None:
        """``key`` worked: its next failure starts the backoff from ``first`` again."""
        self.waiting.pop(key, None)

    def failures(self, key: str) -> int:
        """How many times in a row ``key`` has failed (0 after a success)."""
        waiting = self.waiting.get(key)
        return waiting.failures if waiting else 0
