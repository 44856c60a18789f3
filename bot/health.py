"""Is the bot synced and delivering? One answer, from the database alone, for ``GET /healthz``
and for ``coopbot health`` (the Dockerfile's HEALTHCHECK), whether or not HTTP is served.

Failing, with the reason, when:

- Matrix has not been synced for ``SYNC_STALE`` (or never, since the database exists);
- the forum, when configured, has not been read completely for ``forum_stale`` (three poll
  intervals, at least ``SYNC_STALE``);
- a message that can be delivered has waited ``DELIVERY_STALE`` in the outbox;
- the database takes no write.

Rows that can never be delivered (a direct message to a person known only on the forum) are
reported apart and do not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from storage.health import FORUM_READ, MATRIX_SYNCED, Backlog, HealthStore
from storage.repository import Repository
from storage.timestamps import iso

from .config import Config

SYNC_STALE = timedelta(minutes=2)
DELIVERY_STALE = timedelta(minutes=5)


@dataclass(frozen=True)
class Health:
    """The verdict, its reasons and what it was judged on (the JSON body of ``/healthz``)."""

    healthy: bool
    reasons: tuple[str, ...]
    report: dict[str, Any] = field(default_factory=dict)


def forum_stale(config: Config) -> timedelta:
    assert config.discourse is not None
    return max(SYNC_STALE, 3 * config.discourse.poll_interval)


def delivered_venues(config: Config) -> tuple[str, ...]:
    """The outbox venues the configured adapters deliver."""
    return (("room", "dm") if config.matrix else ()) + (("forum",) if config.discourse else ())


def check(repo: Repository, config: Config, now: datetime) -> Health:
    """Judge the bot's health at ``now`` from what its database records."""
    store = HealthStore(repo.db)
    marks = store.marks()
    reasons: list[str] = []
    report: dict[str, Any] = {"checked_at": iso(now)}

    if config.matrix is not None:
        synced = marks[MATRIX_SYNCED]
        report["matrix"] = {"last_sync": iso(synced), "sync_age_seconds": _age(now, synced)}
        if synced is None:
            reasons.append("Matrix has not been synced yet")
        elif now - synced > SYNC_STALE:
            reasons.append(f"no successful Matrix sync for {_span(now - synced)}")
    if config.discourse is not None:
        read = marks[FORUM_READ]
        report["forum"] = {"read_until": iso(read), "lag_seconds": _age(now, read)}
        if read is None:
            reasons.append("the forum has not been read yet")
        elif now - read > forum_stale(config):
            reasons.append(f"the forum has not been read for {_span(now - read)}")

    venues = delivered_venues(config)
    pending = store.backlog(venues, deliverable=True)
    never = store.backlog(venues, deliverable=False)
    report["outbox"] = {**_backlog(now, pending, "pending"),
                        **_backlog(now, never, "undeliverable")}
    if pending.oldest is not None and now - pending.oldest > DELIVERY_STALE:
        reasons.append(f"a message has waited {_span(now - pending.oldest)} to be delivered "
                       f"({pending.count} pending)")

    problem = store.writable(now)
    report["database"] = {"writable": problem is None, "error": problem}
    if problem is not None:
        reasons.append(f"the database takes no write ({problem})")

    report["status"] = "failing" if reasons else "ok"
    report["reasons"] = reasons
    return Health(not reasons, tuple(reasons), report)


def _backlog(now: datetime, backlog: Backlog, name: str) -> dict[str, Any]:
    return {name: backlog.count, f"oldest_{name}_age_seconds": _age(now, backlog.oldest)}


def _age(now: datetime, since: datetime | None) -> float | None:
    return None if since is None else round((now - since).total_seconds(), 3)


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 600:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
