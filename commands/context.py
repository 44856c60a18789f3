"""The narrow ports an executor gets: the clock, the repository, the group, the caller and
the effects it may queue. Tests pass the real repository over a temp file and a fake clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from storage.outbox_files import File
from storage.repository import Repository
from storage.rows import Member, Proposal

from .changes import Change, apply
from .errors import CommandError
from .events import Inbound, Venue
from .render import Message, Names, Person, Phrase, Span, When, in_languages, people_in, text
from .settings import GroupSettings


class Clock(Protocol):
    def now(self) -> datetime: ...


class Picture(Protocol):
    """Something drawn for a message (the cooptation tree), in its reader's language."""

    def draw(self, lang: str) -> File: ...


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
        """The group's default language (replies to people who chose none)."""
        return self.settings.language[0]

    @property
    def langs(self) -> tuple[str, ...]:
        """The group's languages, in order: each room announcement carries them all."""
        return self.settings.language

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def when(self, moment: datetime) -> When:
        """An instant for a message: written in its reader's language when rendered."""
        return When(moment, self.zone, self.lang)

    def span(self, delta) -> Span:
        return Span(delta, self.lang)

    def phrase(self, key: str, /, **params: object) -> Phrase:
        """A catalogue entry for a message: written in its reader's language when rendered."""
        return Phrase(key, params, self.lang)


@dataclass
class Outgoing:
    """A message to send: a catalog key and its parameters, rendered at ``flush``."""

    venue: Venue
    target: str          # group slug for the room, person id for a DM, topic subject for the forum
    key: str | None
    params: dict[str, object]
    langs: tuple[str, ...]           # each, in order (a bilingual group's announcement)
    reply_to: str | None = None
    subject: str | None = None
    message: Message | None = None   # already composed (a status block, a list)
    picture: Picture | None = None   # drawn at flush, in the reader's language (a caption)


@dataclass
class Effects:
    """What one command, or one due item, did: the changes it recorded (each applied at
    once by ``changes.apply``, in the command's transaction) and the messages it queued
    (rendered and written to the outbox by ``flush``, in the same transaction)."""

    repo: Repository
    group: Group
    now: datetime
    event: Inbound | None = None
    caller_lang: str | None = None   # the language the caller is answered in
    changes: list[Change] = field(default_factory=list)
    items: list[Outgoing] = field(default_factory=list)

    @property
    def event_id(self) -> str | None:
        """The inbound event this answers, if any (the clock's work answers none)."""
        return self.event.event_id if self.event is not None else None

    def apply(self, change: Change) -> Any:
        """Record what happened; the applier writes it (the only writer of governance
        state). Returns what the write found out, when the caller needs it."""
        self.changes.append(change)
        return apply(self.repo, self.now, change)

    def _here(self) -> tuple[Venue, str]:
        """Where the caller spoke: their direct chat, the forum topic, or the room."""
        assert self.event is not None
        venue = self.event.venue
        if venue is Venue.DM:
            return venue, self.event.sender
        return (Venue.FORUM if venue is Venue.FORUM else Venue.ROOM), self.group.slug

    def _caller_langs(self) -> tuple[str, ...]:
        return (self.caller_lang or self.group.lang,)

    def reply(self, key: str, /, **params: object) -> None:
        """Answer the caller where they spoke (threaded on their message), in their language."""
        venue, target = self._here()
        self.items.append(Outgoing(venue, target, key, params, self._caller_langs(),
                                   self.event.event_id))

    def confirm(self, key: str, /, **params: object) -> None:
        """A reply that a room announcement would only repeat: sent outside the room only."""
        assert self.event is not None
        if self.event.venue is not Venue.ROOM:
            self.reply(key, **params)

    def reply_picture(self, picture: Picture, key: str, /, **params: object) -> None:
        """Answer the caller with a picture, captioned by ``key`` (both in their language)."""
        self.reply(key, **params)
        self.items[-1].picture = picture

    def reply_message(self, message: Message) -> None:
        venue, target = self._here()
        self.items.append(Outgoing(venue, target, None, {}, self._caller_langs(),
                                   self.event.event_id, message=message))

    def announce(self, key: str, /, subject: str | None = None, **params: object) -> None:
        """Tell the whole group, in its room, in each of its languages."""
        self.items.append(Outgoing(Venue.ROOM, self.group.slug, key, params, self.group.langs,
                                   subject=subject))

    def dm(self, person: str, key: str, /, subject: str | None = None,
           **params: object) -> None:
        """A direct message, in the language the person chose (else the caller's, when it is
        the caller, else the group's). ``subject``: the proposal or task it is about; the
        clock's messages (which answer no event) take their transaction id from it, so one
        queued again after a restore is known as already sent (``storage/echoes.py``)."""
        lang = self.repo.language_of(person)
        if lang is None and self.event is not None and person == self.event.sender:
            lang = self.caller_lang
        self.items.append(Outgoing(Venue.DM, person, key, params, (lang or self.group.lang,),
                                   subject=subject))

    def discard(self) -> None:
        """Forget what a refused command said and did (its writes are rolled back)."""
        self.items.clear()
        self.changes.clear()

    def names(self) -> Names:
        """The names people are shown by, from the repository (one query for many)."""
        return Names(self.repo.display_names)

    def flush(self) -> None:
        """Render the queued messages and write them to the outbox, the people they name
        shown by their names as known now (looked up in one query)."""
        names = self.names()
        names.prefetch(person for item in self.items for person in people_in(item.params))
        for item in self.items:
            message = item.message or in_languages(item.langs, item.key, names=names,
                                                    prefix=self.group.prefix, **item.params)
            self.repo.enqueue(
                group=self.group.slug, venue=str(item.venue), target=item.target,
                plain=message.plain, html=message.html, mentions=message.mentions,
                reply_to=item.reply_to, subject=item.subject, at=self.now,
                cause=f"event:{self.event.event_id}" if self.event else None,
                attachment=item.picture.draw(item.langs[0]) if item.picture else None,
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
    lang: str = ""       # the caller's: chosen, else their command word's, else the group's
    # The proposals the command was about besides its arguments (``!status C-3``): they
    # reached the caller (``reach.after_command``).
    about: list[Proposal] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lang = self.lang or self.out.caller_lang or self.group.lang

    def phrase(self, key: str, /, **params: object) -> Phrase:
        """A catalogue entry for a message, written in its reader's language (the caller's
        for a reply, the group's for an announcement)."""
        return Phrase(key, params, self.lang)

    def caller_member(self) -> Member | None:
        """The active member the caller represents, or None."""
        member = self.repo.linked_member(self.group.slug, self.caller)
        return member if member and member.status == "active" else None

    def require_representative(self) -> Member:
        """The caller's active member, or the refusal that tells them why not: their
        organisation is suspended or left, or they represent none."""
        member = self.repo.linked_member(self.group.slug, self.caller)
        if member and member.status == "active":
            return member
        if member:
            raise CommandError("err.member_inactive", member=member.name,
                               status=text(self.lang, f"member.{member.status}"))
        raise CommandError("err.not_representative", admins=self.admins())

    def admins(self) -> Person | str:
        """The group's admins in good standing, to name in a refusal (whom to ask)."""
        people = [p for p in self.repo.holders(self.group.slug, "admin")
                  if self.repo.in_good_standing(self.group.slug, p)]
        return Person(tuple(people)) if people else "-"

    def has_role(self, role: str) -> bool:
        """A role counts only while the person's own organisation (if any) is active."""
        return (self.repo.has_role(self.group.slug, self.caller, role)
                and self.repo.in_good_standing(self.group.slug, self.caller))

    def apply(self, change: Change) -> Any:
        return self.out.apply(change)
