"""How instants are stored: ISO 8601 in UTC with a ``Z`` (``2026-12-01T14:00:00Z``).

The one place that turns a ``datetime`` into the stored text and back; the text sorts as
the instant does, so SQL can compare it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every instant must carry its time zone")
    return moment.astimezone(timezone.utc)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a ``Z``, as stored and exported."""
    if moment is None:
        return None
    return _iso_utc(moment if moment.tzinfo is timezone.utc else utc(moment))


# Both conversions are pure and the same instants come back again and again (a proposal's
# deadline, the command's moment): remembered, they cost a dictionary lookup. Only UTC
# instants are keys: two local times of the hour repeated in autumn compare equal in Python
# (they differ by ``fold`` only) and would share one answer.
@lru_cache(maxsize=4096)
def _iso_utc(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@lru_cache(maxsize=4096)
def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
