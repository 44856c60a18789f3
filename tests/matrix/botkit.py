"""Helpers for the end-to-end Matrix tests: people typing through real nio clients, and
coopbot running in-process (an asyncio task) against the session's Synapse.

Nothing here sleeps blindly: ``Person.wait_for`` and ``eventually`` poll with a timeout.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    JoinResponse,
    MatrixRoom,
    MegolmEvent,
    RoomCreateResponse,
    RoomEncryptedImage,
    RoomMessageImage,
    RoomMessageNotice,
    RoomMessagesResponse,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)

from bot import cli
from bot.clock import ShiftedClock
from bot.config import load
from bot.matrix import MatrixBot, cancel_all
from commands.messages import CATALOG

from .conftest import MatrixUser
from .synapse import Synapse

# Tests read with a shorter safety margin than production (same machine, same clock).
# A person's client sees every message (Synapse's default timeline of 10 events a sync would
# hide some of a burst of replies from a test's person, who reads no history).
_SEE_ALL = {"room": {"timeline": {"limit": 1000}}}
_MARGIN = timedelta(seconds=0.5)


async def eventually(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition",
                     interval: float = 0.05) -> Any:
    """Poll ``check()`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(interval)


@dataclass
class Seen:
    room_id: str
    source: dict
    decrypted: bool = False

    @property
    def content(self) -> dict:
        return self.source.get("content", {})

    @property
    def body(self) -> str:
        return self.content.get("body", "")

    @property
    def sender(self) -> str:
        return self.source.get("sender", "")

    @property
    def event_id(self) -> str:
        return self.source.get("event_id", "")

    @property
    def msgtype(self) -> str:
        return self.content.get("msgtype", "")

    @property
    def in_reply_to(self) -> str | None:
        return self.content.get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")


class Person:
    """Someone with a Matrix client: types into rooms, and sees what arrives there (their own
    /sync loop runs in the background, through outages too)."""

    def __init__(self, synapse: Synapse, user: MatrixUser, *, store: Path | None = None,
                 auto_join: bool = False) -> None:
        self.user = user
        self.user_id = user.user_id
        self.e2e = store is not None
        self.auto_join = auto_join
        self.client = AsyncClient(
            synapse.url, user.user_id, device_id=user.device_id,
            store_path=str(store) if store else "",
            config=AsyncClientConfig(encryption_enabled=self.e2e, store_sync_tokens=self.e2e,
                                     max_timeouts=0, request_timeout=20),
        )
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.seen: list[Seen] = []
        self.undecrypted: list[MegolmEvent] = []
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        if self.e2e and self.client.should_upload_keys:
            await self.client.keys_upload()
        first = await self.client.sync(timeout=0, full_state=True)
        assert isinstance(first, SyncResponse), first
        self.client.add_event_callback(self._on_message, (RoomMessageText, RoomMessageNotice,
                                                          RoomMessageImage, RoomEncryptedImage))
        self.client.add_event_callback(self._on_undecrypted, MegolmEvent)
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            try:
                response = await self.client.sync(timeout=1000, sync_filter=_SEE_ALL)
                if not isinstance(response, SyncResponse):
                    await asyncio.sleep(0.2)
                    continue
                if self.e2e:
                    if self.client.should_query_keys:
                        await self.client.keys_query()
                    if self.client.should_claim_keys:
                        await self.client.keys_claim(self.client.get_users_for_key_claiming())
                    await self.client.send_to_device_messages()
            except asyncio.CancelledError:
                raise
            except Exception:  # the homeserver is down: try again
                await asyncio.sleep(0.2)

    async def _on_message(self, room: MatrixRoom, event) -> None:
        self.seen.append(Seen(room.room_id, event.source, bool(getattr(event, "decrypted", False))))

    async def _on_undecrypted(self, room: MatrixRoom, event: MegolmEvent) -> None:
        self.undecrypted.append(event)

    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if self.auto_join and event.state_key == self.user_id and event.membership == "invite":
            await self.client.join(room.room_id)

    async def close(self) -> None:
        if self._task is not None:
            await cancel_all([self._task])
        await self.client.close()

    # --- acting ---------------------------------------------------------------------------
    async def say(self, room_id: str, body: str, *, html: str | None = None,
                  mentions: list[str] | None = None, thread: str | None = None,
                  reply_to: str | None = None) -> str:
        """Send an ``m.text`` as a client would: ``html`` as its formatted body, ``mentions``
        as its ``m.mentions``, in a ``thread`` or as a reply to the event ``reply_to`` (the
        fallback, if any, is the caller's to put in ``body`` and ``html``)."""
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if thread is not None:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread,
                                       "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread}}
        elif reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        if html is not None:
            content.update(format="org.matrix.custom.html", formatted_body=html)
        if mentions is not None:
            content["m.mentions"] = {"user_ids": mentions}
        if self.e2e:  # as sync_forever would have done by now: know every device, and
            # hold an Olm session with each, or nio leaves it out of the room key
            if self.client.should_query_keys:
                await self.client.keys_query()
            if self.client.should_claim_keys:
                await self.client.keys_claim(self.client.get_users_for_key_claiming())
        sent = await self.client.room_send(room_id, "m.room.message", content,
                                           ignore_unverified_devices=True)
        assert isinstance(sent, RoomSendResponse), sent
        return sent.event_id

    async def create_room(self, invite: list[str], **kwargs) -> str:
        created = await self.client.room_create(invite=invite, **kwargs)
        assert isinstance(created, RoomCreateResponse), created
        return created.room_id

    async def join(self, room_id: str) -> None:
        joined = await self.client.join(room_id)
        assert isinstance(joined, JoinResponse), joined

    # --- watching -------------------------------------------------------------------------
    def notices(self, room_id: str, sender: str | None = None) -> list[Seen]:
        return [s for s in self.seen if s.room_id == room_id
                and s.msgtype in ("m.notice", "m.text")
                and (sender is None or s.sender == sender)]

    async def wait_for(self, room_id: str, match: Callable[[Seen], bool], timeout: float = 20.0,
                       what: str = "a message") -> Seen:
        def found() -> Seen | None:
            return next((s for s in self.seen if s.room_id == room_id and match(s)), None)
        return await eventually(found, timeout, f"{self.user_id} waiting for {what}")

    async def reply_to(self, room_id: str, event_id: str, timeout: float = 20.0) -> Seen:
        return await self.wait_for(room_id, lambda s: s.in_reply_to == event_id, timeout,
                                   f"the reply to {event_id}")

    async def history(self, room_id: str, limit: int = 200) -> list[dict]:
        """The room's messages as the homeserver stores them (not this client's view)."""
        response = await self.client.room_messages(room_id, start="", limit=limit)
        assert isinstance(response, RoomMessagesResponse), response
        return [e.source for e in reversed(response.chunk)
                if e.source.get("type") in ("m.room.message", "m.room.encrypted")]


GROUP_CONFIG = """
[bot]
database = "{database}"
{bot_extra}

[matrix]
homeserver = "{homeserver}"
user_id = "{bot}"
{secret_key} = "{token_env}"
{matrix_extra}

[[groups]]
slug = "sem"
name = "Système d'Échange du Mycélium"
language = "en"
timezone = "Europe/Brussels"
matrix_room = "{room}"
silence_window = "{silence_window}"
last_call = "{last_call}"
{group_extra}
admins = ["{alice}"]
core = ["{alice}", "{bob}"]
registrar = ["{carol}"]

[[groups.members]]
slug = "dewey"
name = "Dewey ASBL"
matrix = ["{alice}"]

[[groups.members]]
slug = "transition"
name = "Réseau Transition"
matrix = ["{bob}"]

[[groups.members]]
slug = "singularites"
name = "Petites Singularités"
matrix = ["{carol}"]
"""


@dataclass
class World:
    """A group room with alice (admin, core), bob (core), carol (registrar) and the bot
    invited; a config file naming it; coopbot started and stopped on demand."""

    synapse: Synapse
    tmp_path: Path
    bot_user: MatrixUser
    alice: Person
    bob: Person
    carol: Person
    room_id: str
    config_path: Path
    token_env: str
    bots: list[MatrixBot] = field(default_factory=list)
    tasks: list[asyncio.Task] = field(default_factory=list)

    @property
    def bot_id(self) -> str:
        return self.bot_user.user_id

    async def start_bot(self, *, served: bool = False, **options) -> MatrixBot:
        """Start coopbot; ``served``: as ``coopbot run`` does (``cli._serve``: with the HTTP
        server of ``[bot] http_listen``, and a clean stop on cancellation)."""
        options.setdefault("read_margin", _MARGIN)
        options.setdefault("retry_cap", 2.0)
        options.setdefault("encryption", False)
        bot = MatrixBot(load(self.config_path), **options)
        task = asyncio.create_task(cli._serve(bot) if served else bot.run())
        self.bots.append(bot)
        self.tasks.append(task)
        ready = asyncio.create_task(bot.ready.wait())
        done, _ = await asyncio.wait({task, ready}, timeout=30,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises what stopped it
            raise AssertionError("the bot stopped during its start")
        assert ready in done, "the bot was not ready within 30 s"
        return bot

    async def stop_bot(self) -> None:
        """Stop the running bot (as a SIGTERM would), releasing its database."""
        task = self.tasks[-1]
        await cancel_all([task])
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()

    @property
    def bot(self) -> MatrixBot:
        return self.bots[-1]

    async def close(self) -> None:
        await cancel_all(self.tasks)
        for person in (self.alice, self.bob, self.carol):
            await person.close()


async def make_world(synapse, matrix_user, tmp_path, monkeypatch, *, alias: bool = False,
                     encrypted: bool = False, e2e_people: bool = False,
                     silence_window: str = "4s", last_call: str = "2s",
                     matrix_extra: str = "", group_extra: str = "",
                     bot_extra: str = "") -> World:
    bot_user = matrix_user("coopbot")
    users = [matrix_user(n) for n in ("alice", "bob", "carol")]
    people = []
    for user in users:
        store = None
        if e2e_people:
            store = tmp_path / f"store-{user.localpart}"
            store.mkdir()
        people.append(Person(synapse, user, store=store, auto_join=True))
    alice, bob, carol = people
    for person in people:
        await person.start()
    options = {}
    if alias:
        options["alias"] = f"sem-{uuid.uuid4().hex[:8]}"
    if encrypted:
        options["initial_state"] = [{"type": "m.room.encryption", "state_key": "",
                                     "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
    room_id = await alice.create_room([bot_user.user_id, bob.user_id, carol.user_id],
                                      name="SEM", **options)
    await bob.join(room_id)
    await carol.join(room_id)
    token_env = f"COOPBOT_TEST_TOKEN_{uuid.uuid4().hex[:6].upper()}"
    monkeypatch.setenv(token_env, bot_user.access_token)
    room = f"#{options['alias']}:{synapse.server_name}" if alias else room_id
    config = write_config(tmp_path / "coopbot.toml", synapse, bot=bot_user.user_id,
                          alice=alice.user_id, bob=bob.user_id, carol=carol.user_id, room=room,
                          token_env=token_env, silence_window=silence_window,
                          last_call=last_call, matrix_extra=matrix_extra,
                          group_extra=group_extra, bot_extra=bot_extra)
    return World(synapse, tmp_path, bot_user, alice, bob, carol, room_id, config, token_env)


def en(key: str) -> str:
    return CATALOG[key]["en"]


def is_bot_notice(world: World, text: str):
    """A message of the bot's: a notice, or an m.text when it must notify someone."""
    return lambda s: (s.sender == world.bot_id and s.msgtype in ("m.notice", "m.text")
                      and text in s.body)


def write_config(path: Path, synapse: Synapse, *, bot: str, alice: str, bob: str, carol: str,
                 room: str, token_env: str, silence_window: str = "4s", last_call: str = "2s",
                 matrix_extra: str = "", database: str | None = None,
                 secret_key: str = "access_token_env", group_extra: str = "",
                 bot_extra: str = "") -> Path:
    """The group's config file; ``group_extra`` holds more of the group's settings (TOML
    lines, such as ``downtime_grace = "1d"``), ``bot_extra`` more of ``[bot]``'s (such as
    ``http_listen``)."""
    path.write_text(GROUP_CONFIG.format(
        database=database or str(path.with_suffix(".db")), homeserver=synapse.url, bot=bot,
        token_env=token_env, secret_key=secret_key, matrix_extra=matrix_extra, room=room,
        silence_window=silence_window, last_call=last_call, alice=alice, bob=bob, carol=carol,
        group_extra=group_extra, bot_extra=bot_extra,
    ))
    return path


async def run_clock_to(world: World, clock: ShiftedClock, moment: datetime) -> None:
    """Move the bot's clock forward to ``moment``, then have a client chat so that the bot's
    long poll ends and its next sync, which starts after the move, reads the room up to it.

    Synapse stamps events in real time: move the clock only once every event of the windows
    it closes has been sent, or an event stamped before a deadline could come after it.
    """
    clock.advance(max(timedelta(0), moment - clock.now()))
    await world.alice.say(world.room_id, "(the clock moves on)")  # chatter: not a command


def parse_deadline_from_db(bot: MatrixBot, number: int) -> datetime:
    return bot.repo.proposal("sem", number).deadline


def outbox_texts(bot: MatrixBot) -> list[str]:
    return [r["plain"] for r in bot.repo.db.query("select plain from outbox order by id")]


def mentions_of(seen: Seen) -> dict:
    return seen.content.get("m.mentions")

