"""The bot out of its group room while it runs (kicked, banned, or made to leave): it cannot
read what is said there, so that time is not silence (SPEC section 3, "downtime is never
silence"; section 13: no proposal is validated over an objection sent at or before its
deadline). No deadline is decided while it is out, and once it is back in, what was said
while it was out is read back and applied, as after a downtime.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

nio = pytest.importorskip("nio")

from bot.clock import ShiftedClock  # noqa: E402

from .botkit import eventually, make_world, parse_deadline_from_db  # noqa: E402


@pytest.fixture
async def world(synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch,
                            silence_window="1h", last_call="30m")
    yield made
    await made.close()


async def test_an_objection_typed_while_the_bot_was_kicked_still_counts(world):
    """Alice kicks the bot by mistake; Carol objects in time while it is out; the window
    ends before it is invited back. The proposal must not be validated while the bot cannot
    read the room (it was), and the objection, read back once the bot is in again, counts
    (it was taken for history before the bot's join, and lost). What was typed before the
    bot's first join stays history."""
    alice, carol, room = world.alice, world.carol, world.room_id
    before = await alice.say(room, '!propose "Before The Bot" typed before it came')
    clock = ShiftedClock()
    bot = await world.start_bot(clock=clock, sync_timeout=1.0)
    asked = await alice.say(room, '!propose "Repair Together" they fix things')
    await alice.reply_to(room, asked)
    deadline = parse_deadline_from_db(bot, 1)

    kicked = await alice.client.room_kick(room, world.bot_id, reason="by mistake")
    assert isinstance(kicked, nio.RoomKickResponse), kicked
    await eventually(lambda: bot.rooms.out_of(), what="the bot noticing its kick")
    # The room cannot be told: its admin is, once, in a direct chat.
    told = [r for r in bot.repo.db.query("select * from outbox where venue = 'dm'")
            if "no longer in the room" in r["plain"]]
    assert [r["target"] for r in told] == [world.alice.user_id], told
    objected = await carol.say(room, "!object C-1 not a cooperative")
    # Every event of the window is sent: the clock may run past the deadline.
    clock.advance(deadline - clock.now() + timedelta(minutes=1))
    await asyncio.sleep(3)  # the bot syncs on (1 s polls) while it is out of the room
    assert bot.repo.proposal("sem", 1).state == "open"

    invited = await alice.client.room_invite(room, world.bot_id)
    assert isinstance(invited, nio.RoomInviteResponse), invited
    ok = await carol.reply_to(room, objected, timeout=30)
    assert ok.body.startswith("Your objection to C-1 is recorded"), ok.body
    assert bot.repo.proposal("sem", 1).state == "contested"
    await eventually(lambda: bot.read_until and bot.read_until > deadline,
                     what="the watermark moving on once the room is read back")
    bodies = [s.body for s in alice.notices(room, world.bot_id)]
    assert not any("C-1 is validated" in b for b in bodies), bodies
    # Read back from where it was put out, not from the room's start: what was typed before
    # the bot first came stays history.
    assert [p.candidate for p in bot.repo.proposals("sem")] == ["Repair Together"]
    assert before not in {s.in_reply_to for s in alice.notices(room, world.bot_id)}


async def test_a_restart_while_out_of_the_room_still_decides_nothing(world):
    """The record of the absence is durable: a bot kicked, stopped and started again while
    still out decides nothing past where it was put out, and reads the room back once it
    is invited again."""
    alice, bob, room = world.alice, world.bob, world.room_id
    clock = ShiftedClock()
    bot = await world.start_bot(clock=clock, sync_timeout=1.0)
    asked = await alice.say(room, '!propose "Repair Together" they fix things')
    await alice.reply_to(room, asked)
    deadline = parse_deadline_from_db(bot, 1)
    kicked = await alice.client.room_kick(room, world.bot_id)
    assert isinstance(kicked, nio.RoomKickResponse), kicked
    await eventually(lambda: bot.rooms.out_of(), what="the bot noticing its kick")
    await world.stop_bot()

    objected = await bob.say(room, "!object C-1 not a cooperative")
    clock.advance(deadline - clock.now() + timedelta(minutes=1))
    bot = await world.start_bot(clock=clock, sync_timeout=1.0)
    await asyncio.sleep(3)
    assert bot.repo.proposal("sem", 1).state == "open"
    assert bot.read_until is None or bot.read_until < deadline

    invited = await alice.client.room_invite(room, world.bot_id)
    assert isinstance(invited, nio.RoomInviteResponse), invited
    await bob.reply_to(room, objected, timeout=30)
    assert bot.repo.proposal("sem", 1).state == "contested"
    await eventually(lambda: not bot.rooms.out_of(), what="the absence closed")
