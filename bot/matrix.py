"""The Matrix adapter (``coopbot run``): the same engine, storage and timers as the console,
fed by a matrix-nio sync loop and speaking through the outbox.

Nothing lost, nothing applied twice, nothing sent twice:

- **Reading.** The sync position (``next_batch``) is stored in the database only after every
  event of its batch went through ``Engine.handle``, which claims each Matrix event id once.
  A crash mid-batch makes the next start read the batch again, and the events already applied
  are refused by their stored ids. A timeline the server cut short (``limited``) is completed
  from ``/messages`` back to the stored position, however long the absence (downtime is
  never silence), and applied oldest first. On a new database the first sync is history,
  not commands; after a restart it is ``full_state`` (nio keeps no room state across runs).
- **Deciding.** Deadlines are decided by ``Runtime.catch_up(read_until)``: ``read_until`` is
  the moment the last applied sync *started*, minus a small margin (an event stamped just
  before may still be being written; the bot's and the homeserver's clocks may differ a
  little). An objection typed while the bot was down, before the deadline, is therefore read
  and counted before the deadline is decided. The long poll is shortened to end just after
  the next deadline, so a decision is not late by a whole poll.
- **Writing.** Every message is an outbox row, written in the transaction of the change it
  announces. The delivery loop sends rows in order with ``room_send(tx_id=row's txn_id)``:
  the homeserver answers a resend of the same transaction id (after a lost answer or a crash
  between sending and ``mark_sent``) with the original event instead of a second message.
  While the homeserver is unreachable, rows stay in the outbox and are retried with
  exponential backoff; a room that refuses the bot holds only its own rows back.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    JoinResponse,
    LocalProtocolError,
    LoginResponse,
    MegolmEvent,
    MessageDirection,
    ProfileGetDisplayNameResponse,
    RoomCreateResponse,
    RoomMemberEvent,
    RoomMessagesResponse,
    RoomPreset,
    RoomResolveAliasResponse,
    RoomSendResponse,
    SyncResponse,
    WhoamiResponse,
)
from nio.crypto import ENCRYPTION_ENABLED

from commands.events import Venue
from commands.render import render

from .clock import SystemClock
from .config import Config, ConfigError
from .matrix_events import (Addressee, notice_content, read_invite, thread_root, timestamp,
                            to_inbound)
from .runtime import Runtime
from .scheduler import Wakeups

log = logging.getLogger(__name__)

META_USER = "matrix_user_id"
META_DEVICE = "matrix_device_id"
META_SYNC_TOKEN = "matrix_sync_token"
META_CRYPTO_DEVICE = "matrix_crypto_device"  # the device whose keys live in the crypto store

REQUEST_TIMEOUT = 30.0           # seconds, for every request but the long poll
HISTORY_PAGE = 100               # events per /messages page when a gap is read back
# Gap events kept in memory while a gap is read back (10,000 is a long absence in a busy
# room); the pages beyond are remembered by their token only, and read again in their turn.
HELD_EVENTS = 10_000
# What a gap is read for: commands, undecryptable messages, joins and leaves (reactions and
# the like would only make the pages longer).
GAP_TYPES = ["m.room.message", "m.room.encrypted", "m.room.member"]
UNDECRYPTED_PATIENCE = 600.0     # seconds an undecryptable event waits for its room key
# Errors after which resending the same row can never succeed: the row is given up (logged).
REJECTED = {"M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON", "M_INVALID_PARAM"}
TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, OSError)
_TOKEN_IN_URL = re.compile(r"access_token=[^&\s'\"]+")

T = TypeVar("T")


class MatrixFatal(Exception):
    """A problem that retrying cannot fix: a refused token, a wrong account."""


class _Transient(Exception):
    """The homeserver failed in a way that should pass (5xx, overload)."""


def _describe(error: BaseException | ErrorResponse) -> str:
    """An error for the log, never with the access token nio puts in request URLs."""
    if isinstance(error, ErrorResponse):
        text = f"{error.status_code or 'HTTP error'}: {error.message}"
    else:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return _TOKEN_IN_URL.sub("access_token=<hidden>", text)


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


def _transient(response: ErrorResponse) -> bool:
    """A failure worth waiting out (overload, a restart), not a refusal."""
    status = getattr(getattr(response, "transport_response", None), "status", None)
    if status is not None:
        return status >= 500 or status == 429
    return response.status_code in (None, "M_LIMIT_EXCEEDED")


async def cancel_all(tasks: list[asyncio.Task]) -> None:
    """Cancel tasks and wait for them, cancelling again if one swallowed it (Python 3.11's
    ``wait_for`` can lose a cancellation that arrives as its inner call completes)."""
    pending = {t for t in tasks if not t.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=1.0)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: no "exception never retrieved" noise at exit


class Backoff:
    """Exponential: first, 2×first, 4×first… capped; reset by a success."""

    def __init__(self, first: float = 0.5, cap: float = 60.0) -> None:
        self.first, self.cap, self.failures = first, cap, 0

    def failed(self) -> float:
        self.failures += 1
        return min(self.cap, self.first * 2 ** (self.failures - 1))

    def reset(self) -> None:
        self.failures = 0


@dataclass
class _GapPage:
    """One /messages page of a gap read back: the token it was read from, how many of its
    events (newest first) belong to the gap, and those events while memory allows."""

    start: str
    kept: int
    events: list | None


@dataclass
class _Retry:
    backoff: Backoff
    at: float = 0.0   # time.monotonic() before which the destination is not tried again


class MatrixBot:
    """One bot account on one homeserver, serving the configured groups' rooms and the direct
    chats of known persons. ``run()`` until cancelled."""

    def __init__(self, config: Config, clock=None, *, encryption: bool | None = None,
                 sync_timeout: float = 30.0, timeline_limit: int = 50,
                 read_margin: timedelta = timedelta(seconds=2), retry_first: float = 0.5,
                 retry_cap: float = 60.0) -> None:
        if config.matrix is None:
            raise ConfigError("[matrix] is needed by coopbot run")
        self.config = config
        self.settings = config.matrix
        self.user_id = config.matrix.user_id
        self._login_kind, self._secret = config.matrix.secret()  # refuse early when unset
        if encryption and not ENCRYPTION_ENABLED:
            raise ConfigError("encrypted rooms need matrix-nio's e2e extra: "
                              "pip install 'coopbot[e2e]'")
        self.encryption = ENCRYPTION_ENABLED if encryption is None else bool(encryption)
        self.sync_timeout = sync_timeout
        self.timeline_limit = timeline_limit
        self.read_margin = read_margin
        self.retry_first, self.retry_cap = retry_first, retry_cap
        self.clock = clock or SystemClock()
        self.runtime = Runtime(config, self.clock)
        # Other sources (the forum) decide deadlines through the same runtime: none is decided
        # before Matrix too has been read up to it.
        self.runtime.watermarks.append(self.watermark)
        self.repo = self.runtime.repo
        self.engine = self.runtime.engine
        self.wakeups = Wakeups(self.engine, self.clock, self._due)
        self.addressee = Addressee.for_bot(self.user_id, config.command_prefix)
        self.client: AsyncClient | None = None
        self.ready = asyncio.Event()        # set once the first sync is applied
        self.read_until: datetime | None = None
        self._threads: dict[str, str] = {}  # command event id -> its thread root
        self._token: str | None = None
        self._group_rooms: dict[str, str] = {}    # group slug -> room id
        self._room_groups: dict[str, str] = {}    # room id -> group slug
        self._unresolved: dict[str, str] = {}     # group slug -> alias not resolved yet
        self._joined: set[str] = set()            # rooms joined by this run
        self._undecrypted: list[tuple[str, MegolmEvent, float]] = []
        self._to_leave: list[str] = []
        self._kick = asyncio.Event()              # "the outbox may hold something new"
        self._stopping = False
        self._retries: dict[str, _Retry] = {}     # destination -> its own backoff
        self._down = _Retry(Backoff(retry_first, retry_cap))  # the homeserver as a whole

    # --- the loop -------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect, read, decide, deliver; until cancelled (then close everything)."""
        loops: list[asyncio.Task] = []
        try:
            self.runtime.prepare()  # seed, stretch windows that lost time; decide nothing yet
            if not self.encryption:
                log.warning("encrypted rooms are unreadable: matrix-nio runs without its e2e "
                            "extra (pip install 'coopbot[e2e]'); the bot will say so once "
                            "in each encrypted room it serves")
            await self._connect()
            await self._find_rooms()
            await self._first_sync()
            await self._join_rooms()
            self.wakeups.start()
            self.ready.set()
            log.info("coopbot is listening as %s (device %s)", self.user_id,
                     self.client.device_id if self.client else "?")
            loops = [asyncio.create_task(self._sync_loop(), name="matrix-sync"),
                     asyncio.create_task(self._delivery_loop(), name="matrix-delivery")]
            done, _ = await asyncio.wait(loops, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()
        finally:
            self._stopping = True
            await cancel_all(loops)
            self.wakeups.shutdown()
            if self.client is not None:
                await self.client.close()
            self.runtime.close()

    async def _sync_loop(self) -> None:
        backoff = Backoff(self.retry_first, self.retry_cap)
        last_resolve = time.monotonic()
        while not self._stopping:
            try:
                response, started = await self._sync()
                await self._apply(response, started)
                await self._leave_rooms()
                if self._unresolved and time.monotonic() - last_resolve > 60:
                    last_resolve = time.monotonic()
                    await self._resolve_pending()
                backoff.reset()
            except (MatrixFatal, asyncio.CancelledError):
                raise
            except Exception:
                # The position was not stored: the same batch is read again, and what was
                # already applied is refused by its event id.
                delay = backoff.failed()
                log.exception("a sync batch failed; reading it again in %.1f s", delay)
                await asyncio.sleep(delay)

    def watermark(self) -> datetime | None:
        """Every Matrix event stamped before this instant has been applied (None: not yet)."""
        return self.read_until

    def deliver_soon(self) -> None:
        """Wake the delivery loop (after something was queued outside a sync batch)."""
        self._kick.set()

    async def _due(self) -> None:
        """A timer fired: decide what came due, up to where Matrix has been read."""
        if self.read_until is None:
            return  # nothing read since the start: an objection may still be in transit
        self.runtime.catch_up(self.read_until)
        self.wakeups.sync()
        self._kick.set()

    # --- connecting -----------------------------------------------------------------------
    def _client_config(self) -> AsyncClientConfig:
        # max_timeouts=0: nio would otherwise retry a dead homeserver forever inside one call;
        # retries and their backoff live here instead. The sync position is ours, not nio's.
        return AsyncClientConfig(encryption_enabled=self.encryption, store_sync_tokens=False,
                                 max_timeouts=0, request_timeout=REQUEST_TIMEOUT)

    def store_path(self) -> Path:
        """The crypto store: ``matrix.store_path`` (relative to the config file), or beside
        the database. It must live and die with the database: it holds the device's keys."""
        if not self.settings.store_path:
            return Path(self.config.database + ".crypto")
        path = Path(self.settings.store_path)
        if not path.is_absolute() and self.config.path is not None:
            path = self.config.path.parent / path
        return path

    def _check_crypto_store(self, stored_device: str | None) -> str | None:
        """The device's keys live in the crypto store: if it is gone while the database still
        names the device, that device can read nothing any more. With a password, log in as a
        new device; with a token (tied to the old device), stop and say what to do."""
        if not stored_device or self.repo.meta(META_CRYPTO_DEVICE) != stored_device:
            return stored_device
        if (self.store_path() / f"{self.user_id}_{stored_device}.db").exists():
            return stored_device
        if self._login_kind == "token":
            raise MatrixFatal(
                f"the crypto store of device {stored_device} is missing from {self.store_path()}: "
                "restore it from the backup of the database, or log in again to get a new access "
                "token (a new device) for the bot")
        log.warning("the crypto store of device %s is missing from %s: logging in as a new "
                    "device (encrypted messages sent before are unreadable to it)",
                    stored_device, self.store_path())
        return None

    async def _connect(self) -> None:
        same_account = self.repo.meta(META_USER) == self.user_id
        stored_device = self.repo.meta(META_DEVICE) if same_account else None
        store = ""
        if self.encryption:
            stored_device = self._check_crypto_store(stored_device)
            self.store_path().mkdir(parents=True, exist_ok=True)
            store = str(self.store_path())
        client = AsyncClient(self.settings.homeserver, self.user_id, device_id=stored_device,
                             store_path=store, config=self._client_config())
        self.client = client
        if self._login_kind == "token":
            client.access_token = self._secret
            who = await self._call("whoami", client.whoami)
            if not isinstance(who, WhoamiResponse):
                raise MatrixFatal(f"the homeserver refused the access token in "
                                  f"${self.settings.access_token_env}: {_describe(who)}")
            if who.user_id != self.user_id:
                raise MatrixFatal(f"the access token in ${self.settings.access_token_env} is "
                                  f"{who.user_id}'s, not {self.user_id}'s (matrix.user_id)")
            device_id = who.device_id or stored_device
            if not device_id:
                raise MatrixFatal("the access token belongs to no device; log in once to get one")
            client.restore_login(self.user_id, device_id, self._secret)
        else:
            login = await self._call("login", lambda: client.login(
                self._secret, device_name=self.settings.device_name))
            if not isinstance(login, LoginResponse):
                raise MatrixFatal(f"login as {self.user_id} refused: {_describe(login)}")
            device_id = login.device_id
        if stored_device and stored_device != device_id:
            log.warning("the bot now runs as device %s (it was %s): encrypted messages sent "
                        "to the old device are unreadable to this one", device_id, stored_device)
        with self.repo.transaction():
            if not same_account:
                self.repo.db.execute("delete from meta where key = ?", [META_SYNC_TOKEN])
            self.repo.set_meta(META_USER, self.user_id)
            self.repo.set_meta(META_DEVICE, device_id)
            if self.encryption:
                self.repo.set_meta(META_CRYPTO_DEVICE, device_id)
        self._token = self.repo.meta(META_SYNC_TOKEN)
        if self.encryption and client.should_upload_keys:
            await self._call("keys upload", client.keys_upload)
        try:
            profile = await client.get_displayname()
            if isinstance(profile, ProfileGetDisplayNameResponse) and profile.displayname:
                self.addressee = Addressee.for_bot(self.user_id, self.config.command_prefix,
                                                   profile.displayname)
        except TRANSPORT_ERRORS:
            pass  # addressing by display name is a nicety

    async def _call(self, what: str, request: Callable[[], Awaitable[T]]) -> T:
        """One request, retried with backoff while the homeserver is unreachable or failing;
        a definite answer (success or refusal) is returned."""
        backoff = Backoff(self.retry_first, self.retry_cap)
        while True:
            try:
                response = await request()
            except TRANSPORT_ERRORS as error:
                delay = backoff.failed()
                log.warning("%s: homeserver unreachable (%s); again in %.1f s", what,
                            _describe(error), delay)
            else:
                if not (isinstance(response, ErrorResponse) and _transient(response)):
                    return response
                delay = backoff.failed()
                log.warning("%s failed (%s); again in %.1f s", what, _describe(response), delay)
            await asyncio.sleep(delay)

    # --- rooms ----------------------------------------------------------------------------
    async def _find_rooms(self) -> None:
        """Each group's room id (aliases resolved), before the first sync reads them."""
        for group in self.config.groups:
            if not group.matrix_room:
                log.warning("group %s has no matrix_room: its announcements wait in the outbox",
                            group.slug)
                continue
            await self._place_group(group.slug, group.matrix_room)

    async def _join_rooms(self) -> None:
        """Join the groups' rooms the bot is not in yet. After the first sync, so that on a new
        database nothing said after the join is taken for history."""
        assert self.client is not None
        for slug, room_id in list(self._group_rooms.items()):
            if room_id in self.client.rooms or room_id in self._joined:
                continue
            await self._join_group_room(slug, room_id)

    async def _join_group_room(self, slug: str, room_id: str) -> None:
        assert self.client is not None
        client = self.client
        group = self.config.group(slug)
        # Joining by alias lets the homeserver find a room that lives on another server.
        target = group.matrix_room if group and group.matrix_room else room_id
        response = await self._call(f"join {target}", lambda: client.join(target))
        if isinstance(response, JoinResponse):
            self._joined.add(room_id)
            log.info("group %s: joined %s", slug, target)
        else:
            log.warning("group %s: cannot join %s yet (%s); invite %s there", slug, target,
                        _describe(response), self.user_id)

    async def _place_group(self, slug: str, room: str) -> str | None:
        """Resolve the group's room (alias or id) and remember it."""
        assert self.client is not None
        client = self.client
        room_id = room
        if room.startswith("#"):
            resolved = await self._call(f"resolve {room}", lambda: client.room_resolve_alias(room))
            if isinstance(resolved, RoomResolveAliasResponse):
                room_id = resolved.room_id
            else:
                stored = [r["room_id"] for r in self.repo.matrix_rooms("group")
                          if r["group_slug"] == slug]
                if not stored:
                    self._unresolved[slug] = room
                    log.warning("group %s: cannot resolve %s (%s); trying again later", slug,
                                room, _describe(resolved))
                    return None
                room_id = stored[-1]
                log.warning("group %s: cannot resolve %s now; using its known room %s", slug,
                            room, room_id)
        self._unresolved.pop(slug, None)
        self.repo.set_group_room(slug, room_id, self.clock.now())
        self._group_rooms[slug] = room_id
        self._room_groups = {r: s for s, r in self._group_rooms.items()}
        return room_id

    async def _resolve_pending(self) -> None:
        for slug, alias in list(self._unresolved.items()):
            room_id = await self._place_group(slug, alias)
            if room_id and self.client is not None and room_id not in self.client.rooms:
                await self._join_group_room(slug, room_id)

    def _where(self, room_id: str) -> tuple[Venue, str] | None:
        """(ROOM, group slug) for a group's room, (DM, person) for a direct chat, else None."""
        if room_id in self._room_groups:
            return Venue.ROOM, self._room_groups[room_id]
        row = self.repo.matrix_room(room_id)
        if row and row["kind"] == "dm" and row["left_at"] is None:
            return Venue.DM, row["person"]
        return None

    def _known(self, person: str) -> bool:
        """Represents a member of a configured group, or holds a role in one (the engine's
        own rule for whose direct messages it answers)."""
        linked = set(self.repo.groups_of(person))
        return any(g.slug in linked or any(self.repo.has_role(g.slug, person, role)
                                           for role in ("admin", "core", "registrar"))
                   for g in self.config.groups)

    async def _on_invite(self, room_id: str, invite_state: list) -> None:
        assert self.client is not None
        client = self.client
        invite = read_invite(self.user_id, invite_state)
        if room_id not in self._room_groups and self._unresolved:
            await self._resolve_pending()  # the alias may exist by now
        if room_id in self._room_groups:
            response = await self._call("join", lambda: client.join(room_id))
            if isinstance(response, JoinResponse):
                self._joined.add(room_id)
            log.info("joined %s, group %s's room, on invitation (%s)", room_id,
                     self._room_groups[room_id], type(response).__name__)
            return
        if invite is not None and invite.is_direct and self._known(invite.inviter):
            response = await self._call("join", lambda: client.join(room_id))
            if isinstance(response, JoinResponse):
                self.repo.add_dm_room(invite.inviter, room_id, self.clock.now())
                log.info("direct chat with %s: %s", invite.inviter, room_id)
            return
        log.info("declining an invitation to %s from %s: not a configured room, nor a direct "
                 "chat from a known person", room_id, invite.inviter if invite else "?")
        await self._call("decline", lambda: client.room_leave(room_id))

    async def _leave_rooms(self) -> None:
        while self._to_leave and self.client is not None:
            room_id = self._to_leave.pop()
            client = self.client
            await self._call("leave", lambda: client.room_leave(room_id))

    # --- reading ----------------------------------------------------------------------------
    def _poll_timeout(self) -> float:
        """The long poll's length: up to ``sync_timeout``, but ending just after the next
        instant the engine waits for, so a deadline is decided when it comes.

        A poll that ends there started before it, so it cannot read up to it: the sync after
        it does, and it does not wait (a second's long poll there made every decision a
        second late, a last call due two seconds before its deadline nearly missed).
        """
        limit = self.sync_timeout
        now = self.clock.now()
        try:
            wakeups = self.engine.wakeups()
        except Exception:
            log.exception("cannot list the coming deadlines")
            return limit
        # While reading is held back (an event waits for its key), a sync cannot move the
        # watermark past an instant already come: at least a second, or it is a busy loop.
        floor = 1.0 if self._undecrypted else 0.0
        for _, at in wakeups:
            if self.read_until is not None and at <= self.read_until:
                continue  # read past it already: nothing there waits for reading
            until = (at + self.read_margin - now).total_seconds() + 0.05
            limit = min(limit, max(floor, until))
        return limit

    async def _sync(self, *, full_state: bool = False,
                    timeout: float | None = None) -> tuple[SyncResponse, datetime]:
        """One /sync from the stored position, retried with backoff until it answers."""
        assert self.client is not None
        backoff = Backoff(self.retry_first, self.retry_cap)
        sync_filter = {"room": {"timeline": {"limit": self.timeline_limit}},
                       "presence": {"not_types": ["*"]}}
        while True:
            wait = self._poll_timeout() if timeout is None else timeout
            started = self.clock.now()
            # nio skips a response whose next_batch it has seen: make it compare with ours.
            # A full-state sync after a quiet restart answers the same next_batch; nio must
            # still take its room state, or nothing can be sent to encrypted rooms.
            self.client.next_batch = "" if full_state else (self._token or "")
            try:
                response = await asyncio.wait_for(
                    self.client.sync(timeout=int(wait * 1000), since=self._token,
                                     full_state=full_state or None, sync_filter=sync_filter),
                    wait + REQUEST_TIMEOUT)
            except TRANSPORT_ERRORS as error:
                delay = backoff.failed()
                log.warning("sync: homeserver unreachable (%s); again in %.1f s",
                            _describe(error), delay)
            else:
                if isinstance(response, SyncResponse):
                    await self._keys()
                    return response, started
                if response.status_code == "M_UNKNOWN_TOKEN":
                    raise MatrixFatal(f"the homeserver no longer accepts the bot's access token "
                                      f"({_describe(response)})")
                delay = backoff.failed()
                log.warning("sync failed (%s); again in %.1f s", _describe(response), delay)
            await asyncio.sleep(delay)

    async def _keys(self) -> None:
        """What nio's sync_forever does between syncs for end-to-end encryption."""
        client = self.client
        if not self.encryption or client is None:
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except TRANSPORT_ERRORS as error:
            log.warning("key exchange postponed (%s)", _describe(error))

    async def _first_sync(self) -> None:
        response, started = await self._sync(full_state=True, timeout=0)
        # On a new database what was said before the bot existed is history, not commands.
        await self._apply(response, started, history=self._token is None)

    async def _apply(self, response: SyncResponse, started: datetime,
                     history: bool = False) -> None:
        """Apply one batch, then store its position, then decide what came due."""
        for room_id, info in response.rooms.invite.items():
            await self._on_invite(room_id, info.invite_state)
        for room_id in response.rooms.leave:
            where = self._where(room_id)
            if where and where[0] is Venue.DM:
                self.repo.leave_matrix_room(room_id, self.clock.now())
            elif where:
                log.warning("the bot is no longer in group %s's room %s: invite it back",
                            where[1], room_id)
        for room_id, info in response.rooms.join.items():
            where = self._where(room_id)
            if where is None:
                continue  # a room it does not serve
            if not history:
                events = list(info.timeline.events)
                # In a group room what came before the bot's join is past; in a direct chat
                # the first message usually comes with the invitation, and it is for the bot.
                group_room = where[0] is not Venue.DM
                joined = _own_join(events, self.user_id) if group_room else None
                if joined is not None:
                    events = events[joined + 1:]  # a gap, if any, is all before the join
                elif info.timeline.limited and self._token and info.timeline.prev_batch:
                    # Applied as it is read back, oldest first, before the timeline's events.
                    async for event in self._missed(room_id, info.timeline.prev_batch,
                                                    group_room=group_room):
                        self._on_event(room_id, where, event)
                for event in events:
                    self._on_event(room_id, where, event)
            self._check_readable(room_id, where)
        self._retry_undecrypted()
        self._advance(response.next_batch, started)

    async def _missed(self, room_id: str, prev_batch: str, *,
                      group_room: bool) -> AsyncIterator[Any]:
        """Every event the server left out of a limited timeline, oldest first.

        Downtime is never silence, however long: the room is read back page by page from
        ``prev_batch`` until the stored position, the room's start or (in a group room) the
        bot's own join, with no cap on how far. Up to ``HELD_EVENTS`` events are kept from
        the first pages read; older pages are remembered by their token only and read again
        when their turn comes, so memory stays bounded whatever the backlog. The stored
        position moves only after the whole batch (gap included) is applied, so no deadline
        is decided on a room read halfway.
        """
        pages: list[_GapPage] = []
        holding, held = True, 0
        start = prev_batch
        while True:
            page = await self._history_page(room_id, start)
            if page is None:
                break
            chunk = list(page.chunk)  # newest first
            kept = len(chunk)
            joined = _own_join(chunk[::-1], self.user_id) if group_room else None
            if joined is not None:
                kept = len(chunk) - joined - 1  # what came after the join
            if kept:
                holding = holding and held + kept <= HELD_EVENTS
                pages.append(_GapPage(start, kept, chunk[:kept] if holding else None))
                held += kept if holding else 0
            if joined is not None or not chunk or not page.end or page.end == start:
                break
            start = page.end
        if len(pages) > 1:
            log.info("%s: read %d events missed while away (%d pages)", room_id,
                     sum(p.kept for p in pages), len(pages))
        for gap_page in reversed(pages):
            events = gap_page.events
            gap_page.events = None  # applied pages need not stay in memory
            if events is None:
                again = await self._history_page(room_id, gap_page.start)
                events = list(again.chunk)[:gap_page.kept] if again is not None else []
            for event in reversed(events):
                yield event

    async def _history_page(self, room_id: str, start: str) -> RoomMessagesResponse | None:
        """One page of the room's history, back from ``start`` to the stored position (the
        same request gives the same page when a page is read again). None: refused."""
        assert self.client is not None
        client, since = self.client, self._token
        page = await self._call("history", lambda: client.room_messages(
            room_id, start=start, end=since, direction=MessageDirection.back,
            limit=HISTORY_PAGE, message_filter={"types": GAP_TYPES}))
        if isinstance(page, RoomMessagesResponse):
            return page
        log.warning("cannot read the history of %s (%s): commands sent while the bot was "
                    "away may be missed", room_id, _describe(page))
        return None

    def _on_event(self, room_id: str, where: tuple[Venue, str], event: Any) -> None:
        venue, who = where
        if isinstance(event, MegolmEvent):
            if timestamp(event.server_timestamp) is None:
                # No instant to hold the watermark at: waiting for its key would break
                # the reading of every batch after it.
                log.warning("skipping %s from %s in %s: its timestamp is not a date",
                            event.event_id, event.sender, room_id)
                return
            if event.sender != self.user_id:
                log.warning("cannot decrypt %s from %s in %s yet", event.event_id, event.sender,
                            room_id)
                self._undecrypted.append((room_id, event, time.monotonic()))
            return
        if (venue is Venue.DM and isinstance(event, RoomMemberEvent) and event.state_key == who
                and event.membership in ("leave", "ban")):
            # They left the direct chat: the next message to them opens a new one.
            self.repo.leave_matrix_room(room_id, self.clock.now())
            self._to_leave.append(room_id)
            return
        inbound = to_inbound(event, self.addressee, venue=venue,
                             group=who if venue is Venue.ROOM else None)
        if inbound is None:
            return
        root = thread_root(event)
        if root is not None:
            # Remember where to answer; bounded: an answer not sent before this many newer
            # thread commands (or before a restart) goes to the main timeline, as a reply.
            self._threads[inbound.event_id] = root
            while len(self._threads) > 1000:
                self._threads.pop(next(iter(self._threads)))
        if venue is Venue.DM and inbound.sender == who and self.repo.dm_room(who) != room_id:
            self.repo.add_dm_room(who, room_id, self.clock.now())  # answer where they spoke
        try:
            self.engine.handle(inbound)
        except sqlite3.Error:
            raise  # the batch is read again: its position is not stored
        except Exception:
            # At most once: an event that cannot be applied is logged and skipped, it does
            # not hold the whole room back.
            log.exception("event %s in %s could not be applied", inbound.event_id, room_id)

    def _retry_undecrypted(self) -> None:
        if not self._undecrypted or self.client is None:
            return
        waiting = []
        for room_id, event, since in self._undecrypted:
            try:
                decrypted = self.client.decrypt_event(event)
            except Exception:
                decrypted = None
            where = self._where(room_id)
            if decrypted is not None and not isinstance(decrypted, MegolmEvent) and where:
                self._on_event(room_id, where, decrypted)
            elif time.monotonic() - since < UNDECRYPTED_PATIENCE:
                waiting.append((room_id, event, since))
            else:
                log.warning("gave up decrypting %s from %s in %s", event.event_id,
                            event.sender, room_id)
        self._undecrypted = waiting

    def _advance(self, next_batch: str, started: datetime) -> None:
        self.repo.set_meta(META_SYNC_TOKEN, next_batch)
        self._token = next_batch
        horizon = started - self.read_margin
        if self._undecrypted:
            # An event not read yet (no key) must not be overtaken by a deadline decision.
            oldest = min(event.server_timestamp for _, event, _ in self._undecrypted)
            held_at = timestamp(oldest - 1)
            if held_at is not None:
                horizon = min(horizon, held_at)
        if self.read_until is None or horizon > self.read_until:
            self.read_until = horizon
        self.runtime.catch_up(self.read_until)
        self.wakeups.sync()
        self._kick.set()

    def _check_readable(self, room_id: str, where: tuple[Venue, str]) -> None:
        """Without the e2e extra, say once in an encrypted room that the bot cannot read it."""
        if self.encryption or self.client is None:
            return
        room = self.client.rooms.get(room_id)
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

    # --- delivering ---------------------------------------------------------------------------
    async def _delivery_loop(self) -> None:
        while not self._stopping:
            self._kick.clear()
            try:
                wait = await self._deliver()
            except (MatrixFatal, asyncio.CancelledError):
                raise
            except Exception:
                log.exception("delivery failed; the outbox keeps every message")
                wait = self._down.backoff.failed()
            try:
                await asyncio.wait_for(self._kick.wait(), wait)
            except TimeoutError:
                pass

    async def _deliver(self) -> float | None:
        """Send what the outbox holds, in order per destination. Returns how long to wait
        before the next retry, or None when nothing waits for a retry."""
        now = time.monotonic()
        if now < self._down.at:
            return self._down.at - now
        waits: list[float] = []
        held: set[str] = set()
        for row in self.repo.pending_outbox(("room", "dm")):
            if row["venue"] == "dm" and not row["target"].startswith("@"):
                continue  # a forum-only person: not for Matrix to deliver
            key = f"{row['venue']}:{row['target']}"
            if key in held:
                continue  # keep the order: nothing overtakes a row that waits
            retry = self._retries.get(key)
            if retry and retry.at > time.monotonic():
                held.add(key)
                waits.append(retry.at - time.monotonic())
                continue
            try:
                error = await self._send(row)
            except (MatrixFatal, asyncio.CancelledError):
                raise
            except (_Transient, *TRANSPORT_ERRORS) as failure:
                self.repo.mark_failed(row["id"], _describe(failure))
                self._forget_room_key(row)
                delay = self._down.backoff.failed()
                self._down.at = time.monotonic() + delay
                log.warning("delivery: homeserver unavailable (%s); the outbox waits %.1f s",
                            _describe(failure), delay)
                return delay
            except Exception as failure:
                # Anything else (say, from the encryption code) holds back this destination
                # only, with its own backoff: one bad row must not stop the whole outbox.
                log.exception("delivery of outbox row %s failed", row["id"])
                error = f"{type(failure).__name__}: {failure}"
            self._down.backoff.reset()
            if error is None:
                self._retries.pop(key, None)
                continue
            self.repo.mark_failed(row["id"], error)
            retry = self._retries.setdefault(key, _Retry(Backoff(self.retry_first, self.retry_cap)))
            delay = retry.backoff.failed()
            retry.at = time.monotonic() + delay
            held.add(key)
            waits.append(delay)
            if retry.backoff.failures == 1 or retry.backoff.failures % 10 == 0:
                log.warning("delivery to %s failed %d time(s) (%s); retrying every %.0f s at "
                            "most", key, retry.backoff.failures, error, self.retry_cap)
        return min(waits) if waits else None

    def _forget_room_key(self, row: dict) -> None:
        """nio marks a room key as shared even when sharing it failed: after a failed send
        in an encrypted room, start a new key so the resend is readable."""
        if not self.encryption or self.client is None:
            return
        room_id = self._group_rooms.get(row["target"]) if row["venue"] == "room" \
            else self.repo.dm_room(row["target"])
        room = self.client.rooms.get(room_id) if room_id else None
        if room is not None and room.encrypted:
            try:
                self.client.invalidate_outbound_session(room_id)
            except Exception:
                log.debug("no outbound session to forget in %s", room_id)

    async def _send(self, row: dict) -> str | None:
        """Send one row; None when it is delivered (or given up), else why it must wait."""
        assert self.client is not None
        room_id = await self._destination(row)
        if room_id is None:
            return f"no Matrix room for {row['venue']} {row['target']} yet"
        try:
            if self.encryption and self.client.should_claim_keys:
                # nio shares a room key only with devices it has an Olm session with.
                await self.client.keys_claim(self.client.get_users_for_key_claiming())
            response = await self.client.room_send(
                room_id, "m.room.message", notice_content(row, self._threads.get(row["reply_to"])),
                tx_id=row["txn_id"],
                ignore_unverified_devices=True)
        except LocalProtocolError as error:
            return _describe(error)  # e.g. a new direct chat nio has not synced yet
        if isinstance(response, RoomSendResponse):
            self.repo.mark_sent(row["id"], self.clock.now(), response.event_id)
            return None
        if _transient(response):
            raise _Transient(_describe(response))
        if response.status_code in REJECTED:
            log.error("outbox row %s refused for good by the homeserver (%s); given up",
                      row["id"], _describe(response))
            with self.repo.transaction():
                self.repo.mark_failed(row["id"], _describe(response))
                self.repo.mark_sent(row["id"], self.clock.now(), None)
            return None
        return _describe(response)

    async def _destination(self, row: dict) -> str | None:
        """The room a row goes to; a person's direct chat is created on first need."""
        assert self.client is not None
        if row["venue"] == "room":
            return self._group_rooms.get(row["target"])
        person = row["target"]
        room_id = self.repo.dm_room(person)
        room = self.client.rooms.get(room_id) if room_id else None
        if room is not None and room.member_count > 2:
            # Someone else is (or was invited) in it: it is not private any more.
            log.warning("%s is no longer a private chat with %s; opening another", room_id, person)
            self.repo.leave_matrix_room(room_id, self.clock.now())
            room_id = None
        if room_id is not None:
            return room_id
        created = await self.client.room_create(is_direct=True, invite=[person],
                                                preset=RoomPreset.trusted_private_chat)
        if isinstance(created, RoomCreateResponse):
            self.repo.add_dm_room(person, created.room_id, self.clock.now())
            log.info("opened a direct chat with %s: %s", person, created.room_id)
            return created.room_id
        if _transient(created):
            raise _Transient(_describe(created))
        log.warning("cannot open a direct chat with %s (%s)", person, _describe(created))
        return None
