"""Which Matrix rooms the bot serves: each group's room, and one direct chat per known person.

- **Group rooms** are configured by alias or id; aliases are resolved at start (a known room
  is used while an alias cannot be resolved, and unresolved aliases are tried again every
  minute). The bot joins them by itself after its first sync, or as soon as it is invited.
- **Invitations** to anything else are accepted only for a direct chat from a known person (a
  representative of a member, or a role holder); every other invitation is declined.
- **Direct chats** are remembered per person in the database: the one the person last spoke
  in, or one the bot opens on first need. A chat someone else joined is no longer private,
  and one the person left is left too: the next message opens a new one. Opening one is
  idempotent across a crash: the intent is recorded before the room is created, and a room
  with just the bot and the person is looked for (in nio's view, then, after a crash, on
  the homeserver) before another is created. With the e2e extra, the chats it opens are
  encrypted. A chat the database does not know (lost with a restore of an older backup) is
  taken up again when it is read: a room with just the bot and a known person.
- **Upgrades.** A group's room replaced by a new version (``m.room.tombstone``) is followed:
  the group's room becomes the new one (in the database, so a config naming the old room
  keeps leading there), and the bot joins it.
- **Out of a group room.** A bot kicked, banned or made to leave a group's room cannot read
  it: that time is not silence. The database keeps, per such room, the sync position from
  which it was last read in full and how far it was read; the reader decides no deadline
  past that instant while the record is there, and reads the room back from that position
  once the bot is in again (``Reader``).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from nio import (JoinedRoomsResponse, JoinResponse, RoomCreateResponse, RoomGetStateResponse,
                 RoomPreset, RoomResolveAliasResponse)

from commands.context import Clock
from commands.events import Venue
from storage.repository import Repository

from .config import Config
from .matrix_events import read_invite
from .matrix_session import Session, Transient, describe, is_transient, server_wait, token_refused

log = logging.getLogger(__name__)

RESOLVE_EVERY = 60.0  # seconds between attempts at aliases that could not be resolved
# The state that makes a room encrypted from its creation.
ENCRYPTED = {"type": "m.room.encryption", "state_key": "",
             "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


class RoomDirectory:
    """The rooms one bot account serves, and the joins, invitations and leaves that change them."""

    def __init__(self, config: Config, session: Session, repo: Repository, clock: Clock) -> None:
        self.config = config
        self.session = session
        self.repo = repo
        self.clock = clock
        self._group_rooms: dict[str, str] = {}    # group slug -> room id
        self._room_groups: dict[str, str] = {}    # room id -> group slug
        self._unresolved: dict[str, str] = {}     # group slug -> alias not resolved yet
        self._joined: set[str] = set()            # rooms joined by this run
        self._to_leave: list[str] = []            # direct chats their person left
        self._to_join: dict[str, str] = {}        # group slug -> its room's replacement
        self._configured: dict[str, tuple[str, str]] = {}  # slug -> (room id, as configured)
        self._resolved_at = time.monotonic()

    @property
    def user_id(self) -> str:
        """The bot's own Matrix ID."""
        return self.session.user_id

    # --- group rooms ----------------------------------------------------------------------
    async def find(self) -> None:
        """Each group's room id (aliases resolved), before the first sync reads them."""
        self._resolved_at = time.monotonic()
        for group in self.config.groups:
            if not group.matrix_room:
                log.warning("group %s has no matrix_room: its announcements wait in the outbox",
                            group.slug)
                continue
            await self._place_group(group.slug, group.matrix_room)

    async def join_missing(self) -> None:
        """Join the groups' rooms the bot is not in yet. After the first sync, so that on a new
        database nothing said after the join is taken for history. A group room already
        upgraded (its tombstone in the room's state, as on a first start) is followed."""
        client = self.session.client
        assert client is not None
        self._follow_tombstones()
        self._to_join.clear()  # joined below, with the others
        for slug, room_id in list(self._group_rooms.items()):
            if room_id in client.rooms or room_id in self._joined:
                continue
            await self._join_group_room(slug, room_id)

    async def _join_group_room(self, slug: str, room_id: str) -> None:
        client = self.session.client
        assert client is not None
        # Joining by alias lets the homeserver find a room that lives on another server; a
        # room that replaced the configured one is joined by its id.
        placed = self._configured.get(slug)
        target = placed[1] if placed and placed[0] == room_id else room_id
        response = await self.session.call(f"join {target}", lambda: client.join(target))
        if isinstance(response, JoinResponse):
            self._joined.add(room_id)
            log.info("group %s: joined %s", slug, target)
        else:
            log.warning("group %s: cannot join %s yet (%s); invite %s there", slug, target,
                        describe(response), self.user_id)

    async def _place_group(self, slug: str, room: str) -> str | None:
        """Resolve the group's room (alias or id) and remember it."""
        client = self.session.client
        assert client is not None
        room_id = room
        if room.startswith("#"):
            resolved = await self.session.call(f"resolve {room}",
                                               lambda: client.room_resolve_alias(room))
            if isinstance(resolved, RoomResolveAliasResponse):
                room_id = resolved.room_id
            else:
                stored = [r["room_id"] for r in self.repo.matrix_rooms("group")
                          if r["group_slug"] == slug]
                if not stored:
                    self._unresolved[slug] = room
                    log.warning("group %s: cannot resolve %s (%s); trying again later", slug,
                                room, describe(resolved))
                    return None
                room_id = stored[-1]
                log.warning("group %s: cannot resolve %s now; using its known room %s", slug,
                            room, room_id)
        self._unresolved.pop(slug, None)
        self._configured[slug] = (room_id, room)
        room_id = self.repo.room_successor(room_id)  # upgraded meanwhile: the new room
        self.repo.set_group_room(slug, room_id, self.clock.now())
        self._group_rooms[slug] = room_id
        self._room_groups = {r: s for s, r in self._group_rooms.items()}
        return room_id

    async def _resolve_pending(self) -> None:
        for slug, alias in list(self._unresolved.items()):
            room_id = await self._place_group(slug, alias)
            client = self.session.client
            if room_id and client is not None and room_id not in client.rooms:
                await self._join_group_room(slug, room_id)

    async def retry_unresolved(self) -> None:
        """Try the aliases not resolved yet again, at most once a minute."""
        if self._unresolved and time.monotonic() - self._resolved_at > RESOLVE_EVERY:
            self._resolved_at = time.monotonic()
            await self._resolve_pending()

    # --- upgrades ---------------------------------------------------------------------------
    def room_upgraded(self, room_id: str, replacement: str) -> None:
        """A group's room was upgraded (its ``m.room.tombstone``, inside the batch's
        transaction): the group's room is now ``replacement``, joined after the batch. Only
        a room the group is in now counts: an older room's tombstone read again must not take
        the group back. (Memory moved on while a failed batch's transaction was rolled back:
        at the next start, nio's view of the tombstone moves the database too.)"""
        slug = self._room_groups.get(room_id)
        if slug is None or replacement == room_id:
            return
        self.repo.set_group_room(slug, replacement, self.clock.now())
        self.repo.set_room_replaced(room_id, replacement)
        self._group_rooms[slug] = replacement
        self._room_groups = {r: s for s, r in self._group_rooms.items()}
        self._to_join[slug] = replacement
        log.info("group %s's room %s was upgraded: it is now %s", slug, room_id, replacement)

    def _replaced_by(self, new: str) -> str | None:
        """The group room whose tombstone (as nio has synced it) names ``new`` as its
        replacement. Only the tombstone counts: anyone can create a room that names one of
        ours as its predecessor, only the old room's admins can close it."""
        client = self.session.client
        assert client is not None
        for old in self._room_groups:
            room = client.rooms.get(old)
            if room is not None and room.replacement_room == new:
                return old
        return None

    def _follow_tombstones(self) -> None:
        """Follow the group rooms whose state, as nio has synced it, holds a tombstone (one
        before the bot's own join is not in what the reader applies)."""
        client = self.session.client
        assert client is not None
        for room_id in list(self._room_groups):
            room = client.rooms.get(room_id)
            if room is not None and room.replacement_room not in (None, "", room_id):
                with self.repo.transaction():
                    self.room_upgraded(room_id, room.replacement_room)

    async def join_upgraded(self) -> None:
        """Join the rooms that replaced group rooms (else an invitation there is accepted)."""
        self._follow_tombstones()
        client = self.session.client
        while self._to_join and client is not None:
            slug, room_id = self._to_join.popitem()
            if room_id not in client.rooms:
                await self._join_group_room(slug, room_id)

    def group_room(self, slug: str) -> str | None:
        """The room id of a group's room, once known."""
        return self._group_rooms.get(slug)

    # --- which room is what ---------------------------------------------------------------
    def where(self, room_id: str) -> tuple[Venue, str] | None:
        """(ROOM, group slug) for a group's room, (DM, person) for a direct chat, else None."""
        if room_id in self._room_groups:
            return Venue.ROOM, self._room_groups[room_id]
        row = self.repo.matrix_room(room_id)
        if row and row["kind"] == "dm" and row["left_at"] is None:
            return Venue.DM, row["person"]
        return None

    def adopt_chat(self, room_id: str) -> tuple[Venue, str] | None:
        """A room the bot is in that the database does not know: a known person's direct
        chat whose record was lost (a restore of a backup taken before it was opened, or a
        crash between joining and recording it) is taken up again as theirs, (DM, person);
        anything else stays unserved (None). The bot joins only group rooms and the direct
        chats of known persons, so a room with just it and one known person, never recorded,
        is such a chat: without this, what that person typed there (since the backup, and
        from then on) was never read."""
        client = self.session.client
        room = client.rooms.get(room_id) if client is not None else None
        if room is None or room_id in self._room_groups or self.repo.matrix_room(room_id):
            return None
        others = set(room.users) - {self.user_id}
        if len(others) != 1:
            return None
        person = others.pop()
        if not self._known(person):
            return None
        self._record_chat(person, room_id)  # a chat being opened (then a crash) is this one
        log.info("direct chat with %s found again: %s (not in the database)", person, room_id)
        return Venue.DM, person

    def room_of(self, venue: str, target: str) -> str | None:
        """The room an outbox row for ``venue`` ("room" or "dm") and ``target`` goes to, if
        one is known (nothing is opened here)."""
        return self.group_room(target) if venue == "room" else self.repo.dm_room(target)

    def _known(self, person: str) -> bool:
        """Represents a member of a configured group, or holds a role in one (the engine's
        own rule for whose direct messages it answers)."""
        linked = set(self.repo.groups_of(person))
        return any(g.slug in linked or any(self.repo.has_role(g.slug, person, role)
                                           for role in ("admin", "core", "registrar"))
                   for g in self.config.groups)

    # --- invitations and leaves -----------------------------------------------------------
    async def on_invite(self, room_id: str, invite_state: list) -> None:
        """Join a group's room or a known person's direct chat; decline anything else."""
        client = self.session.client
        assert client is not None
        invite = read_invite(self.user_id, invite_state)
        if room_id not in self._room_groups and self._unresolved:
            await self._resolve_pending()  # the alias may exist by now
        replaced = self._replaced_by(room_id)
        if replaced is not None and room_id not in self._room_groups:
            # The invitation to a group room's upgrade comes in the batch of the tombstone,
            # and invitations are handled before the timelines that carry it.
            with self.repo.transaction():
                self.room_upgraded(replaced, room_id)
        if room_id in self._room_groups:
            response = await self.session.call("join", lambda: client.join(room_id))
            if isinstance(response, JoinResponse):
                self._joined.add(room_id)
            log.info("joined %s, group %s's room, on invitation (%s)", room_id,
                     self._room_groups[room_id], type(response).__name__)
            return
        if invite is not None and invite.is_direct and self._known(invite.inviter):
            response = await self.session.call("join", lambda: client.join(room_id))
            if isinstance(response, JoinResponse):
                self.repo.add_dm_room(invite.inviter, room_id, self.clock.now())
                log.info("direct chat with %s: %s", invite.inviter, room_id)
            return
        log.info("declining an invitation to %s from %s: not a configured room, nor a direct "
                 "chat from a known person", room_id, invite.inviter if invite else "?")
        await self.session.call("decline", lambda: client.room_leave(room_id))

    def on_left(self, room_id: str, *, since: str | None = None,
                read_until: datetime | None = None) -> str | None:
        """The bot is no longer in ``room_id`` (kicked, banned, or it left). ``since``: the
        sync position its room was last read in full from; ``read_until``: how far. Returns
        the group whose room it is when this absence is new (its admins are to be told)."""
        where = self.where(room_id)
        if where and where[0] is Venue.DM:
            self.repo.leave_matrix_room(room_id, self.clock.now())
        elif where:
            log.warning("the bot is no longer in group %s's room %s: invite it back; no "
                        "deadline is decided until it is in again and has read what was "
                        "said meanwhile", where[1], room_id)
            if since is not None and self.went_out(room_id, since, read_until):
                return where[1]
        return None

    # --- out of a group room --------------------------------------------------------------
    def went_out(self, room_id: str, since: str, read_until: datetime | None) -> bool:
        """Remember (durably, at once) that the bot is out of a group room, read in full up
        to ``read_until`` from the sync position ``since``; a first record is kept (False:
        the absence was known)."""
        return self.repo.note_out_of_room(room_id, since, read_until)

    def out_of(self) -> dict[str, tuple[str | None, datetime | None]]:
        """The group rooms the bot is out of: room id -> (the sync position to read them
        back from, the instant up to which they were read; None: not known)."""
        return {room_id: record for room_id, record in self.repo.rooms_out_of().items()
                if room_id in self._room_groups}  # else upgraded, or the config changed

    def back_in(self, room_id: str) -> None:
        """The bot is in the group room again and has read it back."""
        self.repo.back_in_room(room_id)

    def person_left(self, room_id: str) -> None:
        """The person left their direct chat: forget it, and leave it at the end of the batch;
        the next message to them opens a new one."""
        self.repo.leave_matrix_room(room_id, self.clock.now())
        self._to_leave.append(room_id)

    def person_spoke(self, person: str, room_id: str) -> None:
        """The person wrote in this direct chat: answer them there from now on."""
        if self.repo.dm_room(person) != room_id:
            self.repo.add_dm_room(person, room_id, self.clock.now())

    async def leave_pending(self) -> None:
        """Leave the direct chats their person left."""
        while self._to_leave and self.session.client is not None:
            room_id = self._to_leave.pop()
            client = self.session.client
            await self.session.call("leave", lambda: client.room_leave(room_id))

    # --- direct chats the bot opens ------------------------------------------------------
    async def direct_chat(self, person: str) -> str | None:
        """The person's direct chat, opened on first need; None when it cannot be opened.
        Raises ``Transient`` when the homeserver failed in a way that should pass."""
        client = self.session.client
        assert client is not None
        room_id = self.repo.dm_room(person)
        room = client.rooms.get(room_id) if room_id else None
        if room is not None and room.member_count > 2:
            # Someone else is (or was invited) in it: it is not private any more.
            log.warning("%s is no longer a private chat with %s; opening another", room_id, person)
            self.repo.leave_matrix_room(room_id, self.clock.now())
            room_id = None
        if room_id is not None:
            return room_id
        found = self._chat_known_to_nio(person)
        if found is None and self.repo.dm_opening(person):
            found = await self._chat_on_homeserver(person)  # created, then a crash
        if found is not None:
            self._record_chat(person, found)
            log.info("found the direct chat with %s: %s", person, found)
            return found
        # The intent is durable before the room exists: a crash once it is created leaves a
        # trace that makes the next attempt look for it instead of creating another.
        self.repo.start_dm_opening(person, self.clock.now())
        token = client.access_token
        created = await client.room_create(
            is_direct=True, invite=[person], preset=RoomPreset.trusted_private_chat,
            initial_state=[ENCRYPTED] if self.session.encryption else [])
        if isinstance(created, RoomCreateResponse):
            self._record_chat(person, created.room_id)
            log.info("opened a direct chat with %s: %s", person, created.room_id)
            return created.room_id
        if is_transient(created):
            raise Transient(describe(created), server_wait(created))
        if token_refused(created):
            await self.session.renew_login(refused=token)
            raise Transient("the access token was renewed", timedelta(0))
        self.repo.end_dm_opening(person)  # refused: nothing was created
        log.warning("cannot open a direct chat with %s (%s)", person, describe(created))
        return None

    def _record_chat(self, person: str, room_id: str) -> None:
        with self.repo.transaction():
            self.repo.add_dm_room(person, room_id, self.clock.now())
            self.repo.end_dm_opening(person)

    def _is_chat_with(self, room_id: str, members: set[str], person: str) -> bool:
        """A room with just the bot and ``person`` (joined or invited) that is no group's
        room, nor a chat the bot left."""
        if room_id in self._room_groups or members != {self.user_id, person}:
            return False
        row = self.repo.matrix_room(room_id)
        return row is None or (row["kind"] == "dm" and row["left_at"] is None)

    def _chat_known_to_nio(self, person: str) -> str | None:
        """A direct chat with ``person`` among the rooms nio has synced."""
        client = self.session.client
        assert client is not None
        for room_id, room in client.rooms.items():
            if self._is_chat_with(room_id, set(room.users), person):
                return room_id
        return None

    async def _chat_on_homeserver(self, person: str) -> str | None:
        """A direct chat with ``person`` among the rooms the bot is in, asked of the
        homeserver (after a crash, the room created may not be synced yet)."""
        client = self.session.client
        assert client is not None
        joined = await self.session.call("joined rooms", client.joined_rooms)
        if not isinstance(joined, JoinedRoomsResponse):
            raise Transient(f"cannot list the bot's rooms ({describe(joined)})")
        for room_id in joined.rooms:
            if room_id in self._room_groups:
                continue
            state = await self.session.call("room state",
                                            lambda room_id=room_id: client.room_get_state(room_id))
            if not isinstance(state, RoomGetStateResponse):
                continue
            members = {event.get("state_key") for event in state.events
                       if event.get("type") == "m.room.member"
                       and event.get("content", {}).get("membership") in ("join", "invite")}
            if self._is_chat_with(room_id, members, person):
                return room_id
        return None
