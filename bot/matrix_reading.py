"""Reading Matrix: the sync loop, the read-back of gaps, undecryptable events, the watermark.

- **Once, in order.** The sync position (``next_batch``) is stored in the database only after
  every event of its batch went through ``Engine.handle``, which claims each Matrix event id
  once: in the transaction of the batch's last events, so a batch costs one disk sync. A
  crash mid-batch makes the next start read the batch again, and the events already
  applied (a gap's pages are committed one by one) are refused by their stored ids. On a
  new database the first sync is history, not commands; after a restart it is
  ``full_state`` (nio keeps no room state across runs).
- **Downtime is never silence.** A timeline the server cut short (``limited``) is completed
  from ``/messages``, forward from the stored position, however long the absence, and
  applied oldest first as it comes (the next page is fetched while one is applied), before
  the timeline's own events.
- **Who was reached.** Words in a group room that are not for the bot, reactions,
  redactions and read receipts go to the engine as gestures (``matrix_events.to_gesture``,
  ``matrix_receipts``), in the batch's own transaction: the watermark covers them too, so no
  deadline is judged before the receipts sent up to it are read.
- **The watermark.** ``read_until`` is the moment the last applied sync *started*, minus a
  small margin (an event stamped just before may still be being written; the bot's and the
  homeserver's clocks may differ a little), and never past an event still waiting for its
  room key. Deadlines are decided only up to it, so an objection typed while the bot was
  down, before the deadline, is read and counted first. The long poll is shortened to end
  just after the next deadline, so a decision is not late by a whole poll.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any

from nio import (ErrorResponse, MegolmEvent, MessageDirection, RoomMemberEvent,
                 RoomMessagesResponse, RoomUpgradeEvent, SyncResponse)

from commands.context import Effects
from commands.events import Inbound, Venue
from commands.legitimacy import in_good_standing_holders
from commands.render import render
from storage.echoes import PREFIX as ECHO_PREFIX
from storage.echoes import Echoes
from storage.health import MATRIX_SYNCED, HealthStore

from .config import Config
from .matrix_events import (Addressee, member_name, thread_root, timestamp, to_gesture,
                            to_inbound)
from .matrix_receipts import Receipts
from .matrix_rooms import RoomDirectory
from .matrix_undecrypted import Undecrypted
from .matrix_session import (META_SYNC_TOKEN, REQUEST_TIMEOUT, TRANSPORT_ERRORS, MatrixFatal,
                             Session, describe, server_wait, token_refused)
from .retry import Backoff, MonotonicClock, Retries
from .runtime import Runtime

log = logging.getLogger(__name__)

HISTORY_PAGE = 100               # events per /messages page when a gap is read back
# What a gap is read for: commands and words, undecryptable messages, joins and leaves, a
# room's upgrade, reactions and their redactions (a 👎 sent while the bot was down counts).
GAP_TYPES = ["m.room.message", "m.room.encrypted", "m.room.member", "m.room.tombstone",
             "m.reaction", "m.room.redaction"]


def _own_join(events: list, user_id: str) -> int | None:
    """The index of the bot's last own join among events in time order, or None: in a
    newly joined group room what came before is history, and commands typed before the bot
    came are not for it."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if (isinstance(event, RoomMemberEvent) and event.state_key == user_id
                and event.membership == "join" and event.prev_membership != "join"):
            return index
    return None


class GapUnread(Exception):
    """A gap could not be read back now: its batch fails, and is read again."""


class Reader:
    """Reads the served rooms into the engine, batch by batch, and says how far it has read.
    ``on_applied`` is called after each commit of applied events (what they queued may go),
    ``on_read`` after each batch is applied and its position stored (deadlines may be
    decided up to ``read_until``), and ``before_poll`` is awaited before each long poll."""

    def __init__(self, config: Config, session: Session, rooms: RoomDirectory, runtime: Runtime,
                 *, sync_timeout: float, timeline_limit: int, read_margin: timedelta,
                 backoff: Backoff, on_read: Callable[[], None],
                 on_applied: Callable[[], None] = lambda: None,
                 before_poll: Callable[[], Awaitable[None]] | None = None) -> None:
        self.config = config
        self.session = session
        self.rooms = rooms
        self.runtime = runtime
        self.repo = runtime.repo
        self.engine = runtime.engine
        self.clock = runtime.clock
        self.sync_timeout = sync_timeout
        self.timeline_limit = timeline_limit
        self.read_margin = read_margin
        self.backoff = backoff
        self.on_read = on_read
        self.on_applied = on_applied
        self.before_poll = before_poll
        self.user_id = session.user_id
        self.addressee = Addressee.for_bot(self.user_id, config.command_prefix)
        self.read_until: datetime | None = None
        self.health = HealthStore(self.repo.db)
        self.echoes = Echoes(self.repo.db)
        self._token: str | None = None
        self.undecrypted = Undecrypted(session, self.repo, self.clock)
        self.receipts = Receipts(session)
        self._changed = False  # a command was applied since take_changed() last asked
        self._stopping = False

    def stop(self) -> None:
        """End the sync loop after the batch under way."""
        self._stopping = True

    def take_changed(self) -> bool:
        """Whether a command was applied since the last call (what is due may have moved)."""
        changed, self._changed = self._changed, False
        return changed

    # --- the loop ---------------------------------------------------------------------------
    async def first_sync(self) -> None:
        """The first sync after connecting: full state (nio keeps no room state across runs);
        on a new database what was said before the bot existed is history, not commands."""
        self._token = self.repo.meta(META_SYNC_TOKEN)
        self.addressee = Addressee.for_bot(self.user_id, self.config.command_prefix,
                                           self.session.display_name)
        retries = Retries(self.backoff, MonotonicClock())
        while True:
            try:
                response, started = await self._sync(full_state=True, timeout=0)
                await self._apply(response, started, history=self._token is None)
                return
            except (MatrixFatal, asyncio.CancelledError):
                raise
            except Exception:
                await asyncio.sleep(self._failed(retries))

    async def run(self) -> None:
        """Sync, apply, store the position; until stopped or cancelled."""
        retries = Retries(self.backoff, MonotonicClock())
        while not self._stopping:
            try:
                if self.before_poll is not None:
                    await self.before_poll()
                response, started = await self._sync()
                await self._apply(response, started)
                await self.rooms.leave_pending()
                await self.rooms.join_upgraded()
                await self.rooms.retry_unresolved()
                retries.succeeded("batch")
            except (MatrixFatal, asyncio.CancelledError):
                raise
            except Exception:
                await asyncio.sleep(self._failed(retries))

    @staticmethod
    def _failed(retries: Retries) -> float:
        """A batch failed (the database, a gap the homeserver would not serve now): its
        position was not stored, so the same batch is read again after a backoff, and what
        was already applied is refused by its event id."""
        delay = retries.failed("batch")
        log.exception("a sync batch failed; reading it again in %.1f s", delay.total_seconds())
        return delay.total_seconds()

    def _poll_timeout(self) -> float:
        """The long poll's length: up to ``sync_timeout``, but ending just after the next
        instant the engine waits for, so a deadline is decided when it comes.

        A poll that ends there started before it, so it cannot read up to it: the sync after
        it does, and it does not wait (a second's long poll there made every decision a
        second late, a last call due two seconds before its deadline nearly missed).
        """
        limit = self.sync_timeout
        if self.rooms.out_of():
            return limit  # nothing is decided until the bot is back, which a sync will bring
        now = self.clock.now()
        try:
            # Only what lies beyond the watermark: the engine gives the earliest instant of
            # each kind, and one already read past would hide the next.
            wakeups = self.engine.wakeups(after=self.read_until)
        except Exception:
            log.exception("cannot list the coming deadlines")
            return limit
        # While reading is held back (an event waits for its key), a sync cannot move the
        # watermark past an instant already come: at least a second, or it is a busy loop.
        floor = 1.0 if self.undecrypted.waiting else 0.0
        for _, at in wakeups:
            if self.read_until is not None and at <= self.read_until:
                continue  # read past it already: nothing there waits for reading
            until = (at + self.read_margin - now).total_seconds() + 0.05
            limit = min(limit, max(floor, until))
        return limit

    async def _sync(self, *, full_state: bool = False,
                    timeout: float | None = None) -> tuple[SyncResponse, datetime]:
        """One /sync from the stored position, retried until it answers (backing off, or
        waiting what the homeserver asks)."""
        client = self.session.client
        assert client is not None
        retries = Retries(self.backoff, MonotonicClock())
        sync_filter = {"room": {"timeline": {"limit": self.timeline_limit}},
                       "presence": {"not_types": ["*"]}}
        while True:
            wait = self._poll_timeout() if timeout is None else timeout
            started = self.clock.now()
            # nio skips a response whose next_batch it has seen: make it compare with ours.
            # A full-state sync after a quiet restart answers the same next_batch; nio must
            # still take its room state, or nothing can be sent to encrypted rooms.
            client.next_batch = "" if full_state else (self._token or "")
            asked_with = client.access_token
            try:
                response = await asyncio.wait_for(
                    client.sync(timeout=int(wait * 1000), since=self._token,
                                full_state=full_state or None, sync_filter=sync_filter),
                    wait + REQUEST_TIMEOUT)
            except TRANSPORT_ERRORS as error:
                delay = retries.failed("sync")
                log.warning("sync: homeserver unreachable (%s); again in %.1f s",
                            describe(error), delay.total_seconds())
            else:
                if isinstance(response, SyncResponse):
                    await self.session.share_keys()
                    return response, started
                if token_refused(response):
                    await self.session.renew_login(refused=asked_with)
                    continue
                delay = retries.failed("sync", retry_after=server_wait(response))
                log.warning("sync failed (%s); again in %.1f s", describe(response),
                            delay.total_seconds())
            await asyncio.sleep(delay.total_seconds())

    # --- one batch ---------------------------------------------------------------------------
    async def _apply(self, response: SyncResponse, started: datetime,
                     history: bool = False) -> None:
        """Apply one batch and store its position in the same commit, then let the replies
        go and decide what came due.

        The batch's own events and its position are one transaction (one disk sync for the
        batch, not one per command plus one for the position); a room's gap read back from
        /messages comes first, page by page, each page in its own transaction. No
        transaction stays open across an ``await``: the delivery loop and the forum share
        the connection. The replies a commit made durable are handed to the delivery loop
        before anything is decided.
        """
        for room_id, info in response.rooms.invite.items():
            await self.rooms.on_invite(room_id, info.invite_state)
        for room_id in response.rooms.leave:
            with self.repo.transaction():
                out_of = self.rooms.on_left(room_id, since=self._token,
                                            read_until=self.read_until)
                if out_of is not None:
                    self._tell_admins_out(out_of)
        out_of = self.rooms.out_of()
        back: list[str] = []
        timelines: list[tuple[str, tuple[Venue, str], list]] = []
        for room_id, info in response.rooms.join.items():
            # A direct chat the database lost (a restore) is found again, not left unread.
            where = self.rooms.where(room_id) or self.rooms.adopt_chat(room_id)
            if where is None:
                continue  # a room it does not serve
            events: list = []
            if not history:
                events = list(info.timeline.events)
                # In a group room what came before the bot's join is past; in a direct chat
                # the first message usually comes with the invitation, and it is for the bot.
                # A group room the bot was put out of is read back, up to now, from where it
                # was last read in full (its timeline, on a join, may reach further back):
                # what was said while it was out is not history.
                group_room = where[0] is not Venue.DM
                since = out_of[room_id][0] if room_id in out_of else None
                if room_id in out_of:
                    back.append(room_id)
                joined = _own_join(events, self.user_id) if group_room and not since else None
                if joined is not None:
                    events = events[joined + 1:]  # a gap, if any, is all before the join
                elif since or (info.timeline.limited and self._token
                               and info.timeline.prev_batch):
                    up_to = response.next_batch if since else info.timeline.prev_batch
                    events = [] if since else events
                    # Applied as it is read back, oldest first, before the timeline's events.
                    async with aclosing(self._missed(
                            room_id, up_to, start=since,
                            group_room=group_room and not since)) as pages:
                        async for page in pages:
                            with self.repo.transaction():
                                for event in page:
                                    self._on_event(room_id, where, event)
                            self.on_applied()
            timelines.append((room_id, where, events))
        receipts = [] if history else await self._receipts(response, timelines)
        with self.repo.transaction():
            for room_id, where, _ in timelines:
                # Names from a group room's state and its whole timeline, history included:
                # who is called what is a fact, not a command.
                if where[0] is Venue.ROOM:
                    info = response.rooms.join[room_id]
                    self._note_names(room_id, [*info.state, *info.timeline.events])
            for room_id, where, events in timelines:
                for event in events:
                    self._on_event(room_id, where, event)
                self._check_readable(room_id, where)
            for room_id, group, ephemeral in receipts:
                for read in self.receipts.gestures(ephemeral, group, user_id=self.user_id):
                    self._hand(room_id, read)
            self.undecrypted.retry(self._on_decrypted)
            for room_id in back:
                self.rooms.back_in(room_id)
            self._store_position(response.next_batch)
        self._token = response.next_batch
        self.on_applied()
        # Let the delivery loop put the replies on the wire before the decisions run.
        await asyncio.sleep(0)
        self._advance(started)
        await self.undecrypted.request_keys()

    async def _receipts(self, response: SyncResponse,
                        timelines: list[tuple[str, tuple[Venue, str], list]]
                        ) -> list[tuple[str, str, list]]:
        """The group rooms' ephemeral events of a batch, once the send time of the events
        their receipts name is known (the batch's own events first)."""
        for _, where, events in timelines:
            if where[0] is Venue.ROOM:
                for event in events:
                    self.receipts.saw(event)
        rooms = []
        for room_id, info in response.rooms.join.items():
            where = self.rooms.where(room_id)
            if where is not None and where[0] is Venue.ROOM and info.ephemeral:
                rooms.append((room_id, where[1], list(info.ephemeral)))
        if rooms:
            await self.receipts.learn(rooms, self.user_id)
        return rooms

    async def _missed(self, room_id: str, prev_batch: str, *, group_room: bool,
                      start: str | None = None) -> AsyncIterator[list]:
        """Every event the server left out of a limited timeline, oldest first, a page at a
        time.

        Downtime is never silence, however long: the room is read forward from the stored
        position up to the timeline (``prev_batch``), page by page, with no cap on how far.
        Each page is asked for as soon as the previous one has come, so the homeserver
        prepares it while that one is applied; no more than those two pages are in memory,
        whatever the backlog. In a group room the bot joined meanwhile, what came before
        its own join is history (found first by reading back the bot's own membership
        events only). The stored position moves only after the whole batch (gap included)
        is applied, so no deadline is decided on a room read halfway.
        """
        skip_to = await self._own_join_in_gap(room_id, prev_batch) if group_room else None
        start = start or self._token
        assert start is not None
        pages = read = 0
        fetch: asyncio.Future | None = asyncio.ensure_future(
            self._history_page(room_id, start, prev_batch))
        try:
            while fetch is not None:
                page, fetch = await fetch, None
                if page is None:
                    break
                chunk = list(page.chunk)  # oldest first
                pages += 1
                # Only a page without ``end`` closes the gap: an empty page is not the end
                # (the homeserver drops what the bot may not see after cutting the page).
                if page.end and page.end != start:
                    start = page.end
                    fetch = asyncio.ensure_future(self._history_page(room_id, start, prev_batch))
                    await asyncio.sleep(0)  # on its way before this page is applied
                if skip_to is not None:
                    ids = [event.event_id for event in chunk]
                    if skip_to in ids:
                        chunk, skip_to = chunk[ids.index(skip_to) + 1:], None
                    else:
                        chunk = []  # before the bot's join: history
                read += len(chunk)
                if chunk:
                    yield chunk
        finally:
            if fetch is not None:
                fetch.cancel()
        if pages > 1:
            log.info("%s: read %d events missed while away (%d pages)", room_id, read, pages)

    async def _own_join_in_gap(self, room_id: str, prev_batch: str) -> str | None:
        """The event id of the bot's last own join between the stored position and
        ``prev_batch``, if it joined the room meanwhile (only its own membership events are
        read, newest first)."""
        client = self.session.client
        assert client is not None
        start = prev_batch
        while True:
            page = await self.session.call("history", lambda: client.room_messages(
                room_id, start=start, end=self._token, direction=MessageDirection.back,
                limit=HISTORY_PAGE, message_filter={"types": ["m.room.member"],
                                                    "senders": [self.user_id]}))
            if not isinstance(page, RoomMessagesResponse):
                self._history_refused(room_id, page)
                return None
            chunk = list(page.chunk)[::-1]  # oldest first
            joined = _own_join(chunk, self.user_id)
            if joined is not None:
                return chunk[joined].event_id
            if not page.end or page.end == start:
                return None
            start = page.end

    async def _history_page(self, room_id: str, start: str,
                            end: str) -> RoomMessagesResponse | None:
        """One page of the room's history, forward from ``start`` up to ``end`` (the same
        request gives the same page when it is read again). None: refused."""
        client = self.session.client
        assert client is not None
        page = await self.session.call("history", lambda: client.room_messages(
            room_id, start=start, end=end, direction=MessageDirection.front,
            limit=HISTORY_PAGE, message_filter={"types": GAP_TYPES}))
        if isinstance(page, RoomMessagesResponse):
            return page
        self._history_refused(room_id, page)
        return None

    def _history_refused(self, room_id: str, refusal: ErrorResponse) -> None:
        """The homeserver refused a page of a gap (what it could serve later, ``Session.call``
        already waited out). Only a room the bot may not read (``M_FORBIDDEN``) is given up,
        as nothing said there can reach the bot; any other refusal fails the batch, whose
        position is then not stored: the gap is read again, never skipped."""
        if refusal.status_code == "M_FORBIDDEN":
            log.warning("%s: not allowed to read what was said there while the bot was away "
                        "(%s)", room_id, describe(refusal))
            return
        raise GapUnread(f"cannot read the history of {room_id} ({describe(refusal)}); "
                        "the batch is read again")

    def _note_names(self, room_id: str, events: list) -> None:
        """The display names a group room's membership events give (its members' current
        ones from its state, changes as they come); a person who left keeps their last."""
        now = self.clock.now()
        for event in events:
            found = member_name(event)
            if found is not None:
                self.repo.set_display_name(found[0], found[1], room_id, now)

    def _on_event(self, room_id: str, where: tuple[Venue, str], event: Any) -> None:
        venue, who = where
        if venue is Venue.ROOM and isinstance(event, RoomMemberEvent):
            self._note_names(room_id, [event])  # a gap read back, in time order
        if venue is Venue.ROOM:
            self.receipts.saw(event)
        if getattr(event, "sender", None) == self.user_id:
            self._echo(event)
            return
        if isinstance(event, MegolmEvent):
            if timestamp(event.server_timestamp) is None:
                # No instant to hold the watermark at: waiting for its key would break
                # the reading of every batch after it.
                log.warning("skipping %s from %s in %s: its timestamp is not a date",
                            event.event_id, event.sender, room_id)
                return
            if event.sender != self.user_id:
                self.undecrypted.remember(room_id, event)
            return
        if isinstance(event, RoomUpgradeEvent):
            if venue is Venue.ROOM and event.replacement_room:
                self.rooms.room_upgraded(room_id, event.replacement_room)
            return
        if (venue is Venue.DM and isinstance(event, RoomMemberEvent) and event.state_key == who
                and event.membership in ("leave", "ban")):
            self.rooms.person_left(room_id)
            return
        inbound = to_inbound(event, self.addressee, venue=venue,
                             group=who if venue is Venue.ROOM else None)
        if inbound is None:
            if venue is Venue.ROOM:  # words not for the bot, a reaction, a redaction
                gesture = to_gesture(event, self.user_id, group=who)
                if gesture is not None:
                    self._hand(room_id, gesture)
            return
        if venue is Venue.DM:
            if inbound.sender != who:
                # Someone let into a person's direct chat: it is that person's, not theirs
                # (every word there would be a command, answered in a chat opened with them).
                return
            self.rooms.person_spoke(who, room_id)  # answer where they spoke
        if self._hand(room_id, inbound):
            root = thread_root(event)
            if root is not None:
                # The answer goes to the command's thread, after a restart too.
                self.repo.set_reply_thread(inbound.event_id, root)

    def _hand(self, room_id: str, inbound: Inbound) -> bool:
        """Hand one event to the engine; True if it changed something."""
        try:
            if self.engine.handle(inbound):
                self._changed = True
                return True
        except sqlite3.Error:
            raise  # the batch is read again: its position is not stored
        except Exception:
            # At most once: an event that cannot be applied is logged and skipped, it does
            # not hold the whole room back.
            log.exception("event %s in %s could not be applied", inbound.event_id, room_id)
        return False

    def _echo(self, event: Any) -> None:
        """One of the bot's own messages, read back: noted by its transaction id (which the
        homeserver gives back to the device that sent it), so that a row queued again after
        a restore from a backup is recognised as sent (``storage/echoes.py``)."""
        unsigned = (getattr(event, "source", None) or {}).get("unsigned") or {}
        txn_id = unsigned.get("transaction_id")
        if isinstance(txn_id, str) and txn_id.startswith(ECHO_PREFIX):
            self.echoes.note("matrix", txn_id, event.event_id, self.clock.now())

    def _store_position(self, next_batch: str) -> None:
        """In the batch's own commit: the position past its events, and the health mark
        (``coopbot health`` reads when the last sync was applied)."""
        self.repo.set_meta(META_SYNC_TOKEN, next_batch)
        self.health.mark(MATRIX_SYNCED, self.clock.now())

    def _on_decrypted(self, room_id: str, event: Any) -> None:
        """An event kept for want of its key, decrypted at last: applied like any other."""
        where = self.rooms.where(room_id)
        if where is not None:
            self._on_event(room_id, where, event)

    def _advance(self, started: datetime) -> None:
        """The batch read from ``started`` is applied and stored: move the watermark and
        decide what came due up to it."""
        horizon = started - self.read_margin
        held_at = self.undecrypted.held_at()
        if held_at is not None:
            # An event not read yet (no key) must not be overtaken by a deadline decision.
            horizon = min(horizon, held_at)
        for _, read_to in self.rooms.out_of().values():
            # A group room the bot is out of is read only up to when it was put out.
            if read_to is None:
                self.on_read()
                return
            horizon = min(horizon, read_to)
        if self.read_until is None or horizon > self.read_until:
            self.read_until = horizon
        self.on_read()

    def _tell_admins_out(self, slug: str) -> None:
        """Put out of a group's room, the bot cannot tell the room: the group's admins hear
        it in a direct chat, once for this absence, with what it means and what to do."""
        group = self.engine.group(slug)
        out = Effects(self.repo, group, self.clock.now())
        for admin in in_good_standing_holders(self.repo, slug, "admin"):
            out.dm(admin, "dm.bot_out_of_room", subject=f"out_of_room:{slug}",
                   group=group.name, bot=self.user_id)
        out.flush()

    def _check_readable(self, room_id: str, where: tuple[Venue, str]) -> None:
        """Without the e2e extra, say once in an encrypted room that the bot cannot read it."""
        client = self.session.client
        if self.session.encryption or client is None:
            return
        room = client.rooms.get(room_id)
        if room is None or not room.encrypted:
            return
        venue, who = where
        now = self.clock.now()
        with self.repo.transaction():
            if not self.repo.mark_unreadable_notice(room_id, now):
                return
            if venue is Venue.ROOM:
                slug = who
            else:
                linked = self.repo.groups_of(who)
                slug = linked[0] if linked else self.config.groups[0].slug
            message = render(self.engine.group(slug).lang, "err.encrypted_unreadable",
                             prefix=self.config.command_prefix)
            self.repo.enqueue(group=slug, venue=str(venue), target=who, plain=message.plain,
                              html=message.html, mentions=(), reply_to=None, subject=None,
                              at=now)
        log.warning("%s is encrypted and unreadable without the e2e extra; said so there once",
                    room_id)
