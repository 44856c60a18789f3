"""coopbot on a real Synapse, typed at by real nio clients (SPEC sections 5 and 9).

The bot runs in-process as an asyncio task, with the real clock: windows are a few seconds
long. Every wait polls with a timeout; nothing sleeps blindly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

nio = pytest.importorskip("nio")

from bot.clock import ShiftedClock  # noqa: E402

from .botkit import (  # noqa: E402
    Person,
    en,
    eventually,
    is_bot_notice,
    make_world,
    mentions_of,
    outbox_texts,
    parse_deadline_from_db,
    run_clock_to,
    write_config,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def world(synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, alias=True)
    yield made
    await made.close()


# --- the whole cooptation -------------------------------------------------------------------

@pytest.fixture
async def hour_world(synapse, matrix_user, tmp_path, monkeypatch):
    """Like ``world``, with windows of an hour (last call half an hour before the end): a
    test moves the bot's clock through them instead of racing real time."""
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, alias=True,
                            silence_window="1h", last_call="30m")
    yield made
    await made.close()


async def test_a_whole_cooptation_typed_by_real_clients(hour_world):
    """Proposal, objection addressed by a mention pill, last call, validation by silence;
    the room is configured by its alias; replies are threaded notices.

    The bot's clock is moved to the last call, then to the deadline, once everything said
    in C-1's window has been sent and read: no step depends on a real-time window that a
    busy machine could miss (with windows of seconds, a sync that returned late skipped the
    last call, whose moment had to be read before its deadline came)."""
    world = hour_world
    clock = ShiftedClock()
    bot = await world.start_bot(clock=clock)
    alice, bob, carol, room = world.alice, world.bob, world.carol, world.room_id

    # Carol becomes core: her organisation is outside C-2's case, so she decides it.
    await alice.say(room, f"!role grant core {carol.user_id}")
    # Synapse names a new user by their localpart; the answer shows whom it took, by ID too.
    await alice.wait_for(room, is_bot_notice(
        world, f" role to {carol.user.localpart} ({carol.user_id})"))

    asked = await alice.say(room, '!propose "Repair Together" they fix things with us')
    reply = await alice.reply_to(room, asked)
    assert reply.sender == world.bot_id
    assert reply.msgtype == "m.notice"
    assert reply.body.startswith("Noted: C-1 (Repair Together) is open until")
    assert reply.content["format"] == "org.matrix.custom.html"
    assert "Repair Together" in reply.content["formatted_body"]
    assert mentions_of(reply) == {"user_ids": []}
    announced = await alice.wait_for(room, is_bot_notice(world, "New proposal C-1"))
    assert announced.in_reply_to is None  # an announcement, not a reply

    second = await alice.say(room, '!propose "Bad Corp" they pay well')
    await alice.reply_to(room, second)
    pill = f'<a href="https://matrix.to/#/{world.bot_id}">coopbot</a>: object C-2 a bank'
    objected = await bob.say(room, "coopbot: object C-2 a bank", html=pill,
                             mentions=[world.bot_id])
    ok = await bob.reply_to(room, objected)
    assert ok.body.startswith("Your objection to C-2 is recorded")
    contested = await bob.wait_for(room, is_bot_notice(world, "C-2 (Bad Corp) is contested"))
    # Only the deciders: core members in good standing whose organisation neither proposed
    # (alice, dewey) nor objected (bob, transition).
    assert mentions_of(contested)["user_ids"] == [carol.user_id]
    assert contested.msgtype == "m.text"  # push rules never notify for a notice
    assert f'href="https://matrix.to/#/{carol.user_id}"' in contested.content["formatted_body"]

    # Everything said in C-1's window is sent and read: the clock may run ahead from here.
    deadline = parse_deadline_from_db(bot, 1)
    assert deadline - clock.now() > timedelta(minutes=50)
    await run_clock_to(world, clock, deadline - timedelta(minutes=30) + timedelta(seconds=1))
    last_call = await alice.wait_for(room, is_bot_notice(world, "Last call for C-1"))
    assert sorted(mentions_of(last_call)["user_ids"]) == sorted([bob.user_id, carol.user_id])
    assert bot.repo.proposal("sem", 1).state == "open"

    await run_clock_to(world, clock, deadline + timedelta(seconds=1))
    await alice.wait_for(room, is_bot_notice(world, "C-1 is validated"))
    assert bot.repo.proposal("sem", 1).state == "validated"
    assert bot.repo.proposal("sem", 2).state == "contested"
    assert bot.repo.member("sem", "repair-together").coopted_by == "dewey"

    # Once: a later round trip shows no second validation, no second last call.
    listed = await alice.say(room, "!list all")
    await alice.reply_to(room, listed)
    bodies = [s.body for s in alice.notices(room, world.bot_id)]
    assert sum("C-1 is validated" in b for b in bodies) == 1, bodies
    assert sum("Last call for C-1" in b for b in bodies) == 1, bodies
    # The bot's own notices (and chatter) were never read as commands.
    assert bot.repo.db.execute("select count(*) from processed_events").fetchone()[0] == 5


async def test_a_hostile_candidate_name_is_escaped_and_pings_nobody(world):
    await world.start_bot()
    alice, room = world.alice, world.room_id
    asked = await alice.say(room, '!propose "<b>x</b> @room" they write HTML')
    reply = await alice.reply_to(room, asked)
    announced = await alice.wait_for(room, is_bot_notice(world, "New proposal C-1"))
    for notice in (reply, announced):
        html, body = notice.content["formatted_body"], notice.body
        assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html, html
        assert "@room" not in body and "@room" not in html, body
        assert "@\u2060room" in body
        assert mentions_of(notice) == {"user_ids": []}  # no "room": true, nobody named
        assert "matrix.to" not in html.split("Proposed by")[0]


# --- direct chats -----------------------------------------------------------------------

async def test_direct_chats_in_and_out(world, matrix_user, synapse):
    """A known person's DM is accepted and answered (no prefix needed); a stranger's invite
    is declined; the bot opens one DM room per person, once, for its own direct messages."""
    bot = await world.start_bot()
    bob, carol = world.bob, world.carol

    dm = await bob.create_room([world.bot_id], is_direct=True)
    await eventually(lambda: world.bot_id in bob.client.rooms.get(dm, None).users
                     if dm in bob.client.rooms else False, 20, "the bot joins bob's DM")
    asked = await bob.say(dm, "list")
    reply = await bob.reply_to(dm, asked)
    assert reply.msgtype == "m.notice" and reply.body.startswith("No proposals")
    assert bot.repo.dm_room(bob.user_id) == dm

    stranger = Person(synapse, matrix_user("eve"))
    await stranger.start()
    try:
        other = await stranger.create_room([world.bot_id], is_direct=True)

        def declined() -> bool:
            room = stranger.client.rooms.get(other)
            return room is not None and world.bot_id not in room.users \
                and world.bot_id not in room.invited_users
        await eventually(declined, 20, "the bot declines a stranger's invite")
        assert bot.repo.matrix_room(other) is None
    finally:
        await stranger.close()

    # Direct messages the engine queues (nudges, private notices) go to one room per person.
    for text in ("first private word", "second private word"):
        bot.repo.enqueue(group="sem", venue="dm", target=carol.user_id, plain=text,
                         html=text, mentions=(), reply_to=None, subject=None,
                         at=datetime.now(timezone.utc))
    bot.deliver_soon()
    got = await eventually(lambda: [s for s in carol.seen if s.body == "second private word"],
                           20, "carol gets the bot's DMs")
    room = got[0].room_id
    assert [s.body for s in carol.seen if s.room_id == room] == ["first private word",
                                                                 "second private word"]
    assert carol.client.rooms[room].users.keys() >= {carol.user_id, world.bot_id}
    rows = [r for r in bot.repo.matrix_rooms("dm") if r["person"] == carol.user_id]
    assert [r["room_id"] for r in rows] == [room]


# --- restarts --------------------------------------------------------------------------------

async def test_a_restart_mid_window_replays_nothing_and_loses_nothing(world):
    await world.start_bot()
    alice, carol, room = world.alice, world.carol, world.room_id
    asked = await alice.say(room, '!propose "Repair Together" they fix things with us')
    await alice.reply_to(room, asked)
    await world.stop_bot()

    supported = await carol.say(room, "!support C-1 good people")  # while the bot is down

    bot = await world.start_bot()
    ok = await carol.reply_to(room, supported)
    assert ok.body.startswith("Your support for C-1")
    await alice.wait_for(room, is_bot_notice(world, "C-1 is validated"), 20)
    listed = await alice.say(room, "!list all")
    await alice.reply_to(room, listed)

    bodies = [s.body for s in alice.notices(room, world.bot_id)]
    assert sum(b.startswith("Noted: C-1") for b in bodies) == 1, bodies      # not replayed
    assert sum("C-1 is validated" in b for b in bodies) == 1, bodies
    assert sum(b.startswith("Your support for C-1") for b in bodies) == 1, bodies
    assert len(bot.repo.supports("sem:C-1")) == 1
    admitted = [r for r in bot.repo.audit_rows() if r.action == "member_admitted"]
    assert len(admitted) == 1
    # Last call went only to bob: carol had spoken (while the bot was down).
    calls = [s for s in alice.notices(room, world.bot_id) if "Last call for C-1" in s.body]
    if calls:  # the last call falls in the restart gap on a slow machine: then it is skipped
        assert mentions_of(calls[0])["user_ids"] == [world.bob.user_id]


async def test_an_objection_sent_while_the_bot_is_stopped_still_blocks(world):
    """Bob objects to C-1 before its deadline while the bot is down; carol objects to C-2 only
    after its deadline. The bot restarts after both deadlines: C-1 is contested, never
    validated; carol's late objection is refused and C-2 is validated."""
    await world.start_bot()
    alice, bob, carol, room = world.alice, world.bob, world.carol, world.room_id
    for name in ("Repair Together", "Bad Corp"):
        asked = await alice.say(room, f'!propose "{name}" they fix things')
        await alice.reply_to(room, asked)
    first_deadline = parse_deadline_from_db(world.bot, 1)
    deadline = parse_deadline_from_db(world.bot, 2)
    await world.stop_bot()

    in_time = await bob.say(room, "!object C-1 not a cooperative")
    assert datetime.now(timezone.utc) < first_deadline
    # Wait for the (known) deadline to pass before carol objects and the bot comes back.
    await asyncio.sleep(max(0.0, (deadline - datetime.now(timezone.utc)).total_seconds()) + 0.3)
    late = await carol.say(room, "!object C-2 too late now")

    bot = await world.start_bot()
    ok = await bob.reply_to(room, in_time)
    assert ok.body.startswith("Your objection to C-1 is recorded")
    refused = await carol.reply_to(room, late)
    assert refused.body.startswith(en("err.objection_late").split("{")[0].strip()[:20])
    await alice.wait_for(room, is_bot_notice(world, "C-2 is validated"), 20)
    assert bot.repo.proposal("sem", 1).state == "contested"
    assert bot.repo.proposal("sem", 2).state == "validated"
    bodies = [s.body for s in alice.notices(room, world.bot_id)]
    assert not any("C-1 is validated" in b for b in bodies), bodies
    assert bot.repo.objections("sem:C-1")[0].person == bob.user_id


# --- the homeserver goes away -------------------------------------------------------------

async def test_the_homeserver_stops_while_a_message_is_pending(world, synapse):
    """The outbox keeps the message through the outage and delivers it once; a resend of the
    same row (a crash between sending and recording it) is deduplicated by its txn id."""
    bot = await world.start_bot()
    alice, room = world.alice, world.room_id
    asked = await alice.say(room, "!list")
    await alice.reply_to(room, asked)

    await synapse.astop()
    try:
        row_id = bot.repo.enqueue(group="sem", venue="room", target="sem",
                                  plain="pending through the outage", html="pending through "
                                  "the <i>outage</i>", mentions=(), reply_to=None, subject=None,
                                  at=datetime.now(timezone.utc))
        bot.deliver_soon()
        await eventually(lambda: bot.repo.outbox_row(row_id)["attempts"] >= 2, 20,
                         "delivery attempts while the homeserver is down")
        assert bot.repo.outbox_row(row_id)["sent_at"] is None
    finally:
        await synapse.astart()

    got = await alice.wait_for(room, lambda s: s.body == "pending through the outage", 30)
    row = await eventually(lambda: (r := bot.repo.outbox_row(row_id))["sent_at"] and r, 10,
                           "the row marked sent")
    assert row["remote_id"] == got.event_id

    # As if the bot had crashed after sending, before recording it: it sends again, with the
    # same transaction id, and the homeserver answers with the first event.
    bot.repo.db.execute("update outbox set sent_at = null, remote_id = null where id = ?",
                        [row_id])
    bot.deliver_soon()
    again = await eventually(lambda: (r := bot.repo.outbox_row(row_id))["sent_at"] and r, 20,
                             "the row sent again")
    assert again["remote_id"] == got.event_id

    # Sync resumed too: commands work again.
    asked = await alice.say(room, "!members")
    await alice.reply_to(room, asked)
    history = await alice.history(room)
    assert sum(e["content"].get("body") == "pending through the outage" for e in history) == 1


# --- encrypted rooms ------------------------------------------------------------------------

async def test_an_encrypted_room_round_trip(synapse, matrix_user, tmp_path, monkeypatch):
    if not nio.crypto.ENCRYPTION_ENABLED:
        pytest.skip("matrix-nio installed without the [e2e] extra")
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, encrypted=True,
                            e2e_people=True)
    try:
        bot = await made.start_bot(encryption=True)
        alice, room = made.alice, made.room_id
        assert bot.store_path().is_dir()

        def alice_knows_the_bot() -> bool:
            joined = alice.client.rooms.get(room)
            devices = list(alice.client.device_store.active_user_devices(made.bot_id))
            return bool(joined and joined.encrypted and made.bot_id in joined.users
                        and any(d.device_id == bot.client.device_id for d in devices))
        await eventually(alice_knows_the_bot, 20, "alice sees the bot's device")
        asked = await alice.say(room, '!propose "Secret Garden" they grow things')
        reply = await alice.reply_to(room, asked)
        assert reply.msgtype == "m.notice" and reply.body.startswith("Noted: C-1")
        assert reply.decrypted and reply.in_reply_to == asked
        announced = await alice.wait_for(room, is_bot_notice(made, "New proposal C-1"))
        assert announced.decrypted

        # Restarted on the same database and crypto store: same device, its keys kept, and
        # what was sent while it was down is read.
        device = bot.client.device_id
        await made.stop_bot()
        asked = await alice.say(room, "!status C-1")
        bot = await made.start_bot(encryption=True)
        assert bot.client.device_id == device
        reply = await alice.reply_to(room, asked)
        assert reply.decrypted and reply.body.startswith("C-1 — Secret Garden")
        assert not alice.undecrypted, alice.undecrypted
    finally:
        await made.close()


async def test_without_the_e2e_extra_it_says_once_that_it_cannot_read(
        synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, encrypted=True)
    try:
        await made.start_bot(encryption=False)
        alice, room = made.alice, made.room_id
        notice = await alice.wait_for(room, is_bot_notice(made, "I cannot read this room"))
        assert "coopbot[e2e]" in notice.body
        await made.stop_bot()
        bot = await made.start_bot(encryption=False)
        texts = outbox_texts(bot)
        assert sum(t.startswith("I cannot read this room") for t in texts) == 1, texts
        assert bot.repo.matrix_room(room)["unreadable_notice_at"] is not None
    finally:
        await made.close()


async def test_a_reply_names_only_whom_its_own_text_names(world, matrix_user):
    """Alice replies to Carol's message as Element does (a reply relation, the quoted
    fallback with a pill of Carol, ``m.mentions`` naming Carol) with ``!role grant admin
    bobb``: 'bobb' is nobody the bot knows, so it refuses, and Carol is not made admin. A
    pill in the command's own text still names its person."""
    bot = await world.start_bot()
    alice, carol, room = world.alice, world.carol, world.room_id
    quoted = "bob should take the admin work"
    said = await carol.say(room, quoted)
    asked = await alice.say(
        room, f"> <{carol.user_id}> {quoted}\n\n!role grant admin bobb",
        html=f'<mx-reply><blockquote><a href="https://matrix.to/#/{room}/{said}">In reply to'
             f'</a> <a href="https://matrix.to/#/{carol.user_id}">{carol.user_id}</a><br>'
             f"{quoted}</blockquote></mx-reply>!role grant admin bobb",
        mentions=[carol.user_id], reply_to=said)
    refused = await alice.reply_to(room, asked)
    assert refused.body == en("err.unknown_person").format(text="bobb"), refused.body
    assert not bot.repo.has_role("sem", carol.user_id, "admin")
    assert bot.repo.holders("sem", "admin") == [alice.user_id]

    dan = matrix_user("dan")
    pill = f'<a href="https://matrix.to/#/{dan.user_id}">Dan</a>'
    await alice.say(room, "!role grant core Dan", html=f"!role grant core {pill}",
                    mentions=[dan.user_id])
    await alice.wait_for(room, is_bot_notice(world, f" role to {dan.user_id}"))
    assert bot.repo.has_role("sem", dan.user_id, "core")
    assert not bot.repo.has_role("sem", carol.user_id, "core")


# --- logging in with a password ------------------------------------------------------------

async def test_password_login_keeps_one_device_across_restarts(world, monkeypatch):
    password_env = world.token_env + "_PW"
    monkeypatch.setenv(password_env, world.bot_user.password)
    write_config(world.config_path, world.synapse, bot=world.bot_id, alice=world.alice.user_id,
                 bob=world.bob.user_id, carol=world.carol.user_id, room=world.room_id,
                 token_env=password_env, secret_key="password_env")
    bot = await world.start_bot()
    device = bot.client.device_id
    assert device and device != world.bot_user.device_id  # its own login, its own device
    assert bot.repo.meta("matrix_device_id") == device
    asked = await world.alice.say(world.room_id, "!list")
    await world.alice.reply_to(world.room_id, asked)
    await world.stop_bot()

    bot = await world.start_bot()
    assert bot.client.device_id == device
    asked = await world.alice.say(world.room_id, "!members")
    await world.alice.reply_to(world.room_id, asked)


# --- the command line ----------------------------------------------------------------------------

async def test_coopbot_run_answers_and_stops_on_sigterm(world):
    env = dict(os.environ)
    env[world.token_env] = world.bot_user.access_token
    log_path = world.tmp_path / "run.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--config", str(world.config_path)],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        await eventually(lambda: "listening" in log_path.read_text() or process.poll() is not None,
                         40, "coopbot run is listening")
        assert process.poll() is None, log_path.read_text()
        asked = await world.alice.say(world.room_id, "!help")
        try:
            reply = await world.alice.reply_to(world.room_id, asked, timeout=40)
        except AssertionError:
            raise AssertionError(log_path.read_text()) from None
        assert reply.msgtype == "m.notice"
        process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(process.wait, 20) == 0, log_path.read_text()
        assert world.bot_user.access_token not in log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


async def test_a_dm_command_sent_with_the_invitation_is_answered(world):
    """Element creates the direct chat, invites the bot and sends the first message at once:
    that message comes before the bot's join, and it is for the bot."""
    await world.start_bot()
    bob = world.bob
    dm = await bob.create_room([world.bot_id], is_direct=True)
    asked = await bob.say(dm, "list")
    reply = await bob.reply_to(dm, asked, timeout=20)
    assert reply.body.startswith("No proposals")


async def test_a_quiet_restart_can_still_speak_in_an_encrypted_room(
        synapse, matrix_user, tmp_path, monkeypatch):
    """Nothing happens while the bot is down: its first sync returns the stored position
    again, and nio must still learn the rooms, or nothing can be sent to them."""
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, encrypted=True,
                            e2e_people=True)
    try:
        bot = await made.start_bot(encryption=True)
        alice, room = made.alice, made.room_id

        def alice_knows_the_bot() -> bool:
            devices = list(alice.client.device_store.active_user_devices(made.bot_id))
            return any(d.device_id == bot.client.device_id for d in devices)

        await eventually(alice_knows_the_bot, 20)
        asked = await alice.say(room, "!list")
        await alice.reply_to(room, asked, timeout=20)
        await made.stop_bot()
        bot = await made.start_bot(encryption=True)  # nothing happened meanwhile
        assert bot.client.rooms.get(room) is not None
        bot.repo.enqueue(group="sem", venue="room", target="sem", plain="after a quiet restart",
                         html="after a quiet restart", mentions=(), reply_to=None, subject=None,
                         at=bot.clock.now())
        bot.deliver_soon()
        seen = await alice.wait_for(room, is_bot_notice(made, "after a quiet restart"), 20)
        assert seen.decrypted
    finally:
        await made.close()


async def test_a_lost_crypto_store_stops_the_bot_with_a_clear_message(
        synapse, matrix_user, tmp_path, monkeypatch):
    """The database names a device whose keys are gone: reusing it would read nothing."""
    if not nio.crypto.ENCRYPTION_ENABLED:
        pytest.skip("matrix-nio installed without the [e2e] extra")
    import shutil

    from bot.matrix import MatrixFatal

    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, encrypted=True,
                            e2e_people=True)
    try:
        bot = await made.start_bot(encryption=True)
        store = bot.store_path()
        await made.stop_bot()
        shutil.rmtree(store)
        with pytest.raises(MatrixFatal, match="crypto store of device"):
            await made.start_bot(encryption=True)
    finally:
        await made.close()


async def test_a_command_typed_in_a_thread_is_answered_there(world):
    await world.start_bot()
    alice, room = world.alice, world.room_id
    root = await alice.say(room, "shall we invite the repair café people?")
    asked = await alice.say(room, "!list", thread=root)
    reply = await alice.reply_to(room, asked)
    relates = reply.content["m.relates_to"]
    assert relates["rel_type"] == "m.thread" and relates["event_id"] == root


async def test_one_bad_outbox_row_does_not_stop_the_others(world, monkeypatch):
    bot = await world.start_bot()
    bob = world.bob
    real_send = bot.delivery._send
    bad = bot.repo.enqueue(group="sem", venue="room", target="sem", plain="boom", html="boom",
                           mentions=(), reply_to=None, subject=None, at=bot.clock.now())

    async def send(row):
        if row["id"] == bad:
            raise RuntimeError("a bug in the encryption code, say")
        return await real_send(row)

    monkeypatch.setattr(bot.delivery, "_send", send)
    bot.repo.enqueue(group="sem", venue="dm", target=bob.user_id, plain="for bob alone",
                     html="for bob alone", mentions=(), reply_to=None, subject=None,
                     at=bot.clock.now())
    bot.deliver_soon()

    def delivered() -> bool:
        row = bot.repo.db.execute("select sent_at from outbox where plain = 'for bob alone'")
        return row.fetchone()[0] is not None

    await eventually(delivered, 20, "the DM behind a failing room row")
    assert bot.repo.outbox_row(bad)["sent_at"] is None
