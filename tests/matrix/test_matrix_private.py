"""Direct chats stay one person's (SPEC section 5: the bot joins only configured rooms and
the direct chats of known persons): someone else let into a person's direct chat with the
bot is not a person the bot talks to there, nor a reason to open a chat with them."""

from __future__ import annotations

import pytest

nio = pytest.importorskip("nio")

from .botkit import Person, eventually, make_world  # noqa: E402


@pytest.fixture
async def world(synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch)
    yield made
    await made.close()


async def test_a_guest_in_someones_direct_chat_is_not_answered_nor_messaged(
        world, matrix_user, synapse):
    """Bob lets Eve (a stranger, whose own invitation the bot would decline) into his direct
    chat with the bot, and she chats there. Every word of hers was a command for the bot (no
    prefix is needed in a direct chat), answered by opening a direct chat with her: the
    bot invited a stranger and spammed her with "unknown command". Only Bob speaks to the
    bot there; his own commands are still answered (privately, as the chat is no longer)."""
    bot = await world.start_bot()
    bob = world.bob
    dm = await bob.create_room([world.bot_id], is_direct=True)
    first = await bob.say(dm, "list")
    await bob.reply_to(dm, first)

    eve = Person(synapse, matrix_user("eve"), auto_join=True)
    await eve.start()
    try:
        invited = await bob.client.room_invite(dm, eve.user_id)
        assert isinstance(invited, nio.RoomInviteResponse), invited
        await eventually(lambda: dm in eve.client.rooms, what="eve joins bob's chat")
        await eve.say(dm, "hi bob, who is this bot?")
        await eve.say(dm, "!members")
        again = await bob.say(dm, "list")
        await eventually(lambda: [s for s in bob.seen if s.in_reply_to == again], 20,
                         "bob's command answered")
        to_eve = bot.repo.db.query("select plain from outbox where target = ?", [eve.user_id])
        assert list(to_eve) == []
        assert not eve.client.invited_rooms
        assert not [r for r in eve.client.rooms if r != dm]
    finally:
        await eve.close()
