"""The weekly digest's changes (issue 13, item 1), applied by ``changes.apply`` like every
other change: each with its rows and its audit entry, in the transaction of the pass or the
command that recorded it. (``changes.py`` holds the rest; this module registers its
appliers there.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.repository import Repository

from .changes import Change, register


@dataclass(frozen=True, kw_only=True)
class DigestScheduled(Change):
    """The digest schedule in force changed (by command, in the config file, or the group's
    time zone): slots before ``since`` do not count, the next digest is at ``next_at``."""

    group: str
    schedule: str
    timezone: str
    since: datetime
    next_at: datetime | None
    previous: str | None = None


@dataclass(frozen=True, kw_only=True)
class DigestSent(Change):
    """The digest of a week was made (``posted`` False: nothing to report, nothing posted);
    the next one is at ``next_at``."""

    group: str
    week: str
    slot_at: datetime
    posted: bool
    late: bool
    next_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    forum_title: str | None = None
    forum_body: str | None = None


@dataclass(frozen=True, kw_only=True)
class DigestMissed(Change):
    """The bot was away until a week with a digest due was over: that one is not sent."""

    group: str
    week: str
    next_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class DigestHeld(Change):
    """A late digest (the bot was away at its moment) came during the group's quiet hours:
    it waits for their end (``until``), as nudges do."""

    group: str
    week: str
    until: datetime


def audit(repo: Repository, now: datetime, change: Change, group: str, action: str,
           subject: str, **detail: Any) -> None:
    repo.audit(at=now, group=group, actor=change.actor, action=action, subject=subject,
               detail=detail, event_id=change.event_id)


@register
def _(change: DigestScheduled, repo: Repository, now: datetime) -> None:
    repo.set_digest_schedule(change.group, schedule=change.schedule, timezone=change.timezone,
                             since=change.since, next_at=change.next_at)
    audit(repo, now, change, change.group, "digest_scheduled", change.schedule,
           timezone=change.timezone, since=change.since, next_at=change.next_at,
           previous=change.previous)


@register
def _(change: DigestSent, repo: Repository, now: datetime) -> bool:
    """False if that week's digest was already made (the primary key is the guard): then
    nothing is posted again, and nothing audited again."""
    repo.set_digest_next(change.group, change.next_at)
    if not repo.add_digest({
            "group_slug": change.group, "week": change.week, "slot_at": change.slot_at,
            "made_at": now, "posted": int(change.posted), "forum_title": change.forum_title,
            "forum_body": change.forum_body}):
        return False
    audit(repo, now, change, change.group, "digest_sent" if change.posted else "digest_empty",
           change.week, slot=change.slot_at, late=change.late, next_at=change.next_at,
           **change.counts)
    return True


@register
def _(change: DigestMissed, repo: Repository, now: datetime) -> None:
    repo.set_digest_next(change.group, change.next_at)
    audit(repo, now, change, change.group, "digest_missed", change.week,
           next_at=change.next_at)


@register
def _(change: DigestHeld, repo: Repository, now: datetime) -> None:
    repo.set_digest_next(change.group, change.until)
    audit(repo, now, change, change.group, "digest_held", change.week, until=change.until)
