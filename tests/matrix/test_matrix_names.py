"""Names people recognise, on a real Synapse (issue 9 item 3): members set display names
with their own clients; the bot's messages show those names, ping with pills whose text is
the name, and never take a name for a person.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

nio = pytest.importorskip("nio")

from nio import ProfileSetDisplayNameResponse, RoomGetStateEventResponse  # noqa: E402

from .botkit import Person, World, is_bot_notice, make_world, mentions_of  # noqa: E402


@pytest.fixture
async def world(synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch,
                            silence_window="1h", last_call="30m")
    yield made
    await made.close()


async def name_as(world: World, person: Person, name: str, timeout: float = 20.0) -> None:
    """``person`` takes the display name ``name``, and the group room's state says so: what
    they or anyone type after this comes after the change in the room's timeline."""
    answer = await person.client.set_displayname(name)
    assert isinstance(answer, ProfileSetDisplayNameResponse), answer
    deadline = time.monotonic() + timeout
    while True:
        state = await person.client.room_get_state_event(world.room_id, "m.room.member",
                                                         person.user_id)
        if isinstance(state, RoomGetStateEventResponse) \
                and state.content.get("displayname") == name:
            return
        assert time.monotonic() < deadline, f"{person.user_id} not named {name!r} in the room"
        await asyncio.sleep(0.05)


async def highlighted(world: World, person: Person) -> set[str]:
    """The events whose notification the homeserver highlights for ``person``: those that
    mention them (every message notifies, quietly, by the default push rules)."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{world.synapse.url}/_matrix/client/v3/notifications",
                               headers={"Authorization": f"Bearer {person.user.access_token}"},
                               ) as answer:
            assert answer.status == 200, await answer.text()
            body = await answer.json()
    return {n["event"]["event_id"] for n in body["notifications"]
            if any(isinstance(a, dict) and a.get("set_tweak") == "highlight"
                   and a.get("value", True) for a in n["actions"])}


def pill(user_id: str, name: str) -> str:
    return f'<a href="https://matrix.to/#/{user_id}">{name}</a>'


async def test_messages_show_display_names_pills_and_changes(world):
    alice, bob, carol, room = world.alice, world.bob, world.carol, world.room_id
    # Set before the bot starts: read from the room's state at its first sync.
    await name_as(world, alice, "Alice Dewey")
    await name_as(world, bob, "Sam")
    await name_as(world, carol, "Sam")  # two people of one name
    await world.start_bot()

    # A reply confirming whom a command took: the name and the ID.
    await alice.say(room, f"!role grant core {carol.user_id}")
    granted = await alice.wait_for(room, is_bot_notice(world, "gave the core group role"))
    assert f"Alice Dewey gave the core group role to Sam ({carol.user_id})." in granted.body

    await alice.say(room, '!propose "Repair Together" they fix things with us')
    proposed = await alice.wait_for(room, is_bot_notice(world, "New proposal C-1"))
    assert "Proposed by Alice Dewey (Dewey ASBL)." in proposed.body
    assert alice.user_id not in proposed.body
    assert "matrix.to" not in proposed.content["formatted_body"]
    assert mentions_of(proposed) == {"user_ids": []}

    # The objector is named, the only eligible decider (carol) pinged; twins told apart.
    await bob.say(room, "!object C-1 not this year")
    contested = await alice.wait_for(room, is_bot_notice(world, "is contested"))
    assert f"Sam ({bob.user_id}) (Réseau Transition) objects" in contested.body
    assert contested.body.endswith(f"(nobody decides their own case): Sam ({carol.user_id})")
    html = contested.content["formatted_body"]
    assert pill(carol.user_id, f"Sam ({carol.user_id})") in html
    assert f"#/{bob.user_id}" not in html and f"#/{alice.user_id}" not in html
    assert mentions_of(contested) == {"user_ids": [carol.user_id]}
    # Only the pinged one is mentioned: a name (or an ID) in the text pings nobody, since
    # the message says whom it mentions (m.mentions turns off the legacy name rules).
    assert contested.event_id in await highlighted(world, carol)
    assert contested.event_id not in await highlighted(world, bob)

    # A change of name is picked up: no more twins.
    await name_as(world, carol, "Carla")
    asked = await alice.say(room, "!status C-1")
    status = await alice.reply_to(room, asked)
    assert "Sam (Réseau Transition) — not this year" in status.body
    assert "may decide now (core group): Carla —" in status.body
    assert "Proposed by Alice Dewey (Dewey ASBL)" in status.body
    assert mentions_of(status) == {"user_ids": []}  # a status names, it does not ping

    # A display name typed as a command's argument is not that person.
    for typed in ("Carla", "@Carla", "Sam"):
        asked = await alice.say(room, f"!role grant registrar {typed}")
        refused = await alice.reply_to(room, asked)
        assert f"I don't recognise '{typed}' as a person" in refused.body, refused.body
    assert world.bot.repo.holders("sem", "registrar") == [carol.user_id]  # as configured

    # A person who left keeps their last name.
    left = await carol.client.room_leave(room)
    assert isinstance(left, nio.RoomLeaveResponse), left
    asked = await alice.say(room, "!status C-1")
    status = await alice.reply_to(room, asked)
    assert "may decide now (core group): Carla —" in status.body


async def test_a_hostile_display_name_is_shown_as_harmless_text(world):
    alice, bob, room = world.alice, world.bob, world.room_id
    await world.start_bot()
    await name_as(world, bob, "<b>Boss</b> @room \u202eevil")
    await alice.say(room, '!propose "Repair Together" they fix things with us')
    await alice.wait_for(room, is_bot_notice(world, "New proposal C-1"))
    await bob.say(room, "!object C-1 no")
    contested = await alice.wait_for(room, is_bot_notice(world, "objects"))
    assert "<b>Boss</b> @\u2060room evil (Réseau Transition) objects" in contested.body
    html = contested.content["formatted_body"]
    assert "&lt;b&gt;Boss&lt;/b&gt; @\u2060room evil" in html and "<b>" not in html
    assert "\u202e" not in contested.body
    assert bob.user_id not in mentions_of(contested)["user_ids"]

    # A name that imitates another person's ID shows the real ID instead.
    await name_as(world, bob, alice.user_id)
    asked = await alice.say(room, "!status C-1")
    status = await alice.reply_to(room, asked)
    assert f"{bob.user_id} (Réseau Transition) — no" in status.body
    assert f"{alice.user_id} (Réseau Transition)" not in status.body


async def test_a_name_changed_while_the_bot_was_away_is_read_at_restart(world):
    alice, bob, room = world.alice, world.bob, world.room_id
    await world.start_bot()
    await alice.say(room, '!propose "Repair Together" they fix things with us')
    await alice.wait_for(room, is_bot_notice(world, "New proposal C-1"))
    await world.stop_bot()
    await name_as(world, bob, "Robert")
    await world.start_bot()
    asked = await bob.say(room, "!object C-1 not this year")
    reply = await bob.reply_to(room, asked)
    assert reply.sender == world.bot_id
    contested = await alice.wait_for(room, is_bot_notice(world, "is contested"))
    assert "Robert (Réseau Transition) objects" in contested.body
