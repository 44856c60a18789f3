"""The narrow ports an executor gets: the clock, the repository, the group, the caller and
the effects it may queue. Tests pass the real repository over a temp file and a fake clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from storage.repository import Repository

from .errors import CommandError
from .events import Inbound, Venue
from .render import Message, render, text
from .settings import GroupSettings
from .timefmt import show_duration, show_moment


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Group:
    """A group as the engine sees it: its config-file identity and its effective settings."""

    slug: str
    name: str
    settings: GroupSettings
    charter: tuple[str, ...] = ()
    prefix: str = "!"

    @property
    def lang(self) -> str:
        return self.settings.language

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def when(self, moment: datetime) -> str:
        return show_moment(moment, self.zone, self.lang)

    def span(self, delta) -> str:
        return show_duration(delta, self.lang)


@dataclass
class Outgoing:
    venue: Venue
    target: str          # group slug for the room, person id for a DM, topic subject for the forum
    message: Message
    reply_to: str | None = None
    subject: str | None = None


@dataclass
class Effects:
    """Messages a command queues; written to the outbox in the command's own transaction."""

    group: Group
    event: Inbound | None = None
    items: list[Outgoing] = field(default_factory=list)

    def _render(self, key: str, params: dict) -> Message:
        return render(self.group.lang, key, prefix=self.group.prefix, **params)

    def reply(self, key: str, /, **params: object) -> None:
        """Answer the caller where they spoke (threaded on their message)."""
        assert self.event is not None
        message = self._render(key, params)
        if self.event.venue is Venue.DM:
            self.items.append(Outgoing(Venue.DM, self.event.sender, message, self.event.event_id))
        elif self.event.venue is Venue.FORUM:
            self.items.append(Outgoing(Venue.FORUM, self.group.slug, message, self.event.event_id))
        else:
            self.items.append(Outgoing(Venue.ROOM, self.group.slug, message, self.event.event_id))

    def confirm(self, key: str, /, **params: object) -> None:
        """A reply that a room announcement would only repeat: sent outside the room only."""
        assert self.event is not None
        if self.event.venue is not Venue.ROOM:
            self.reply(key, **params)

    def reply_message(self, message: Message) -> None:
        assert self.event is not None
        venue = self.event.venue
        target = self.event.sender if venue is Venue.DM else self.group.slug
        self.items.append(Outgoing(venue, target, message, self.event.event_id))

    def announce(self, key: str, /, subject: str | None = None, **params: object) -> None:
        """Tell the whole group, in its room."""
        self.items.append(Outgoing(Venue.ROOM, self.group.slug, self._render(key, params),
                                   subject=subject))

    def dm(self, person: str, key: str, /, **params: object) -> None:
        self.items.append(Outgoing(Venue.DM, person, self._render(key, params)))

    def discard(self) -> None:
        self.items.clear()

    def flush(self, repo: Repository, now: datetime) -> None:
        for item in self.items:
            repo.enqueue(
                group=self.group.slug, venue=str(item.venue), target=item.target,
                plain=item.message.plain, html=item.message.html,
                mentions=item.message.mentions, reply_to=item.reply_to,
                subject=item.subject, at=now,
                cause=f"event:{self.event.event_id}" if self.event else None,
            )
        self.items.clear()


@dataclass
class Context:
    """Everything an executor may touch."""

    repo: Repository
    clock: Clock
    group: Group
    caller: str
    event: Inbound
    out: Effects
    now: datetime
    usage: str = ""      # the running command's syntax, for refusals that show it

    @property
    def lang(self) -> str:
        return self.group.lang

    def caller_member(self) -> dict | None:
        """The active member the caller represents, or None."""
        member = self.repo.linked_member(self.group.slug, self.caller)
        return member if member and member["status"] == "active" else None

    def require_representative(self) -> dict:
        """The caller's active member, or the refusal that tells them why not: their
        organisation is suspended or left, or they represent none."""
        member = self.repo.linked_member(self.group.slug, self.caller)
        if member and member["status"] == "active":
            return member
        if member:
            raise CommandError("err.member_inactive", member=member["name"],
                               status=text(self.lang, f"member.{member['status']}"))
        raise CommandError("err.not_representative")

    def has_role(self, role: str) -> bool:
        """A role counts only while the person's own organisation (if any) is active."""
        return (self.repo.has_role(self.group.slug, self.caller, role)
                and self.repo.in_good_standing(self.group.slug, self.caller))

    def audit(self, action: str, subject: str | None = None, **detail: object) -> None:
        self.repo.audit(at=self.now, group=self.group.slug, actor=self.caller, action=action,
                        subject=subject, detail=detail, event_id=self.event.event_id)
