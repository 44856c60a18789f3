"""What the Matrix adapter must not lose across a restart or a crash (issue 11, item 5), on
a real Synapse: undecryptable events, the thread of an answer, a direct chat being opened,
a room upgrade, a refused access token; and the direct chats it opens are encrypted."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import urllib.request
import uuid

import pytest

nio = pytest.importorskip("nio")

from bot.matrix_delivery import Delivery  # noqa: E402
from bot.matrix_session import META_DEVICE  # noqa: E402

from .botkit import eventually, make_world  # noqa: E402

needs_e2e = pytest.mark.skipif(not nio.crypto.ENCRYPTION_ENABLED,
                               reason="matrix-nio installed without the [e2e] extra")


@pytest.fixture
async def world(synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, alias=True)
    yield made
    await made.close()


def client_api(synapse, method: str, path: str, token: str | None, body: dict | None = None
               ) -> dict:
    """A client-server API call, as a person's client (or an admin) would make it."""
    request = urllib.request.Request(
        synapse.url + path, method=method, data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"{}")


def db_rows(world, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of the bot's database, read beside it (the bot may be stopped)."""
    with sqlite3.connect(world.config_path.with_suffix(".db")) as db:
        return db.execute(sql, params).fetchall()


def queue_dm(bot, person: str, text: str) -> None:
    bot.repo.enqueue(group="sem", venue="dm", target=person, plain=text, html=text,
                     mentions=(), reply_to=None, subject=None, at=bot.clock.now())
    bot.deliver_soon()


# --- (b) the thread of an answer ----------------------------------------------------------

async def test_an_answer_still_goes_to_its_thread_after_a_restart(world, monkeypatch):
    """The bot stops after it queued the answer to a command typed in a thread and before
    sending it. The thread is stored with the outbox row: after the restart the answer still
    goes to the thread (it used to become a plain reply, the thread being kept in memory)."""
    real_deliver = Delivery.deliver

    async def nothing_goes_out(self):
        return None

    monkeypatch.setattr(Delivery, "deliver", nothing_goes_out)
    await world.start_bot()
    alice, room = world.alice, world.room_id
    root = await alice.say(room, "shall we invite the repair café people?")
    asked = await alice.say(room, "!list", thread=root)
    await eventually(lambda: world.bot.repo.db.execute(
        "select 1 from outbox where reply_to = ?", [asked]).fetchone(), 20, "the answer queued")
    await world.stop_bot()
    assert db_rows(world, "select thread from outbox where reply_to = ?", (asked,)) == [(root,)]

    monkeypatch.setattr(Delivery, "deliver", real_deliver)
    await world.start_bot()
    reply = await alice.reply_to(room, asked)
    relates = reply.content["m.relates_to"]
    assert relates["rel_type"] == "m.thread" and relates["event_id"] == root


# --- (c) one direct chat, whatever crashes ------------------------------------------------

async def test_a_crash_while_opening_a_direct_chat_opens_no_second_one(world, monkeypatch):
    """The bot dies just after the homeserver created the direct chat and before the bot
    recorded it. After the restart, the message goes to that room: no second one is opened
    (the intent was recorded first, and a room with just the two is looked for)."""
    real_create = nio.AsyncClient.room_create
    created: list[str] = []
    died = asyncio.Event()

    async def create_then_die(self, *args, **kwargs):
        answer = await real_create(self, *args, **kwargs)
        created.append(answer.room_id)
        died.set()
        await asyncio.Event().wait()  # the process dies here

    monkeypatch.setattr(nio.AsyncClient, "room_create", create_then_die)
    bob = world.bob
    queue_dm(await world.start_bot(), bob.user_id, "for bob alone")
    await asyncio.wait_for(died.wait(), 20)
    await world.stop_bot()
    assert db_rows(world, "select person from matrix_dm_openings") == [(bob.user_id,)]

    later: list[str] = []

    async def create_counted(self, *args, **kwargs):
        later.append(kwargs.get("invite", [""])[0])
        return await real_create(self, *args, **kwargs)

    monkeypatch.setattr(nio.AsyncClient, "room_create", create_counted)
    await world.start_bot()
    seen = await bob.wait_for(created[0], lambda s: s.body == "for bob alone")
    assert seen.sender == world.bot_id
    assert later == []
    assert db_rows(world, "select person from matrix_dm_openings") == []
    assert world.bot.repo.dm_room(bob.user_id) == created[0]


# --- (d) a room upgrade --------------------------------------------------------------------

async def test_an_upgraded_group_room_is_followed_to_its_new_room(
        synapse, matrix_user, tmp_path, monkeypatch):
    """Alice upgrades the group's room (Synapse's /upgrade: a tombstone in the old room)
    and invites the bot to the new one, as Element does. The bot joins the new room, answers there, and the group's
    announcements go there; after a restart too, though the config still names the old
    room by its id."""
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch)
    try:
        bot = await made.start_bot()
        alice, old = made.alice, made.room_id
        asked = await alice.say(old, "!list")
        await alice.reply_to(old, asked)
        upgraded = client_api(synapse, "POST", f"/_matrix/client/v3/rooms/{old}/upgrade",
                              alice.user.access_token, {"new_version": "12"})
        new = upgraded["replacement_room"]
        # The room is invite-only: Element's upgrade invites the old room's members.
        invited = await alice.client.room_invite(new, made.bot_id)
        assert isinstance(invited, nio.RoomInviteResponse), invited
        await eventually(lambda: bot.rooms.group_room("sem") == new, 20, "the upgrade followed")
        await eventually(lambda: new in bot.client.rooms, 20, "the bot in the new room")

        asked = await alice.say(new, '!propose "Moved Along" they followed us')
        reply = await alice.reply_to(new, asked)
        assert reply.body.startswith("Noted: C-1")
        await alice.wait_for(new, lambda s: s.sender == made.bot_id
                             and "New proposal C-1" in s.body)
        assert bot.repo.matrix_room(old)["replaced_by"] == new

        await made.stop_bot()
        bot = await made.start_bot()
        assert bot.rooms.group_room("sem") == new
        asked = await alice.say(new, "!status C-1")
        reply = await alice.reply_to(new, asked)
        assert reply.body.startswith("C-1 — Moved Along")
    finally:
        await made.close()


async def test_a_group_room_upgraded_before_the_bot_ever_joined_it_is_followed(
        synapse, matrix_user, tmp_path, monkeypatch):
    """The configured room was upgraded before the bot's first start: the tombstone is
    before the bot's own join, so it is history to the reader; nio's view of the room's
    state still shows it, and the bot moves the group to the new room, which it joins once
    invited there."""
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch)
    try:
        alice, old = made.alice, made.room_id
        new = client_api(synapse, "POST", f"/_matrix/client/v3/rooms/{old}/upgrade",
                         alice.user.access_token, {"new_version": "12"})["replacement_room"]
        bot = await made.start_bot()
        await eventually(lambda: bot.rooms.group_room("sem") == new, 20, "the upgrade followed")
        invited = await alice.client.room_invite(new, made.bot_id)
        assert isinstance(invited, nio.RoomInviteResponse), invited
        await eventually(lambda: new in bot.client.rooms, 20, "the bot in the new room")
        asked = await alice.say(new, "!list")
        reply = await alice.reply_to(new, asked)
        assert reply.sender == made.bot_id
    finally:
        await made.close()


# --- (e) a refused access token --------------------------------------------------------------

async def test_a_refused_access_token_falls_back_to_the_password(
        synapse, matrix_user, tmp_path, monkeypatch):
    """An admin logs the bot's token out while it runs. With ``password_env`` set too, the
    bot logs in again with the password on the same device and goes on answering (it used
    to stop)."""
    password_env = f"COOPBOT_TEST_PASSWORD_{uuid.uuid4().hex[:6].upper()}"
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch,
                            matrix_extra=f'password_env = "{password_env}"')
    try:
        bot_user = made.bot_user
        monkeypatch.setenv(password_env, bot_user.password)
        login = client_api(synapse, "POST", "/_matrix/client/v3/login", None, {
            "type": "m.login.password", "password": bot_user.password,
            "identifier": {"type": "m.id.user", "user": bot_user.localpart}})
        monkeypatch.setenv(made.token_env, login["access_token"])
        bot = await made.start_bot()
        device = bot.client.device_id
        assert device == login["device_id"]
        alice, room = made.alice, made.room_id
        asked = await alice.say(room, "!list")
        await alice.reply_to(room, asked)

        client_api(synapse, "POST", "/_matrix/client/v3/logout", login["access_token"])
        asked = await alice.say(room, "!members")
        reply = await alice.reply_to(room, asked)
        assert reply.sender == made.bot_id
        assert not made.tasks[-1].done()
        assert bot.client.access_token != login["access_token"]
        assert bot.client.device_id == device
        assert bot.repo.meta(META_DEVICE) == device
    finally:
        await made.close()


# --- (f) and (a): encryption ------------------------------------------------------------------

@needs_e2e
async def test_the_direct_chats_the_bot_opens_are_encrypted(
        synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, e2e_people=True)
    try:
        bot = await made.start_bot(encryption=True)
        bob = made.bob
        queue_dm(bot, bob.user_id, "a private word")
        room_id = await eventually(lambda: bot.repo.dm_room(bob.user_id), 20, "the chat opened")
        seen = await bob.wait_for(room_id, lambda s: s.body == "a private word")
        assert seen.decrypted
        assert bob.client.rooms[room_id].encrypted
    finally:
        await made.close()


@needs_e2e
async def test_an_undecryptable_command_is_kept_and_applied_once_its_key_comes(
        synapse, matrix_user, tmp_path, monkeypatch):
    """Alice's client withholds the room key from the bot's device: the bot cannot read her
    command. It keeps the event in its database and asks for the key; its sync position
    moves on. It is stopped; the key reaches its device's store meanwhile (as a key backup
    would bring it). After the restart the event, long behind the stored position, is
    decrypted and applied once (it used to live in memory only, lost at the restart)."""
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, encrypted=True,
                            e2e_people=True)
    try:
        bot = await made.start_bot(encryption=True)
        alice, room = made.alice, made.room_id
        device_id = bot.client.device_id

        def bots_device():
            return alice.client.device_store.active_user_devices(made.bot_id)

        await eventually(lambda: any(d.device_id == device_id for d in bots_device()), 20,
                         "alice sees the bot's device")
        for device in bots_device():
            alice.client.blacklist_device(device)
        asked = await alice.say(room, '!propose "Hidden Garden" they grow things')
        await eventually(lambda: bot.repo.db.execute(
            "select key_requested_at from matrix_undecrypted where event_id = ?",
            [asked]).fetchone() not in (None, (None,)), 20, "the event kept, its key asked for")
        assert bot.repo.proposals("sem") == []
        await made.stop_bot()

        keys = tmp_path / "alice-keys.txt"
        await alice.client.export_keys(str(keys), "a passphrase")
        own = nio.AsyncClient(synapse.url, made.bot_id, device_id=device_id,
                              store_path=str(bot.store_path()),
                              config=nio.AsyncClientConfig(encryption_enabled=True,
                                                           store_sync_tokens=False))
        own.restore_login(made.bot_id, device_id, made.bot_user.access_token)
        try:
            await own.import_keys(str(keys), "a passphrase")
        finally:
            await own.close()
        for device in bots_device():
            alice.client.unblacklist_device(device)

        bot = await made.start_bot(encryption=True)
        reply = await alice.reply_to(room, asked)
        assert reply.body.startswith("Noted: C-1")
        assert [p.candidate for p in bot.repo.proposals("sem")] == ["Hidden Garden"]
        assert db_rows(made, "select count(*) from matrix_undecrypted") == [(0,)]
    finally:
        await made.close()
