"""Informed silence and one-tap participation (issue 12) on a real Synapse, with real nio
clients sending read receipts, reactions and redactions.

Windows are an hour long and the bot's clock is moved through them (``run_clock_to``) once
everything the window needs was sent and read: no step races real time. Every wait polls
with a timeout on what the bot stored or said.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

nio = pytest.importorskip("nio")

from nio import RoomRedactResponse, RoomSendResponse, UpdateReceiptMarkerResponse  # noqa: E402

from bot.clock import ShiftedClock  # noqa: E402

from .botkit import (  # noqa: E402
    Person,
    World,
    eventually,
    is_bot_notice,
    make_world,
    parse_deadline_from_db,
    run_clock_to,
)


async def hour_world(synapse, matrix_user, tmp_path, monkeypatch, group_extra: str = ""):
    return await make_world(synapse, matrix_user, tmp_path, monkeypatch, silence_window="1h",
                            last_call="30m", group_extra=group_extra)


async def read(person: Person, room: str, event_id: str) -> None:
    sent = await person.client.update_receipt_marker(room, event_id)
    assert isinstance(sent, UpdateReceiptMarkerResponse), sent


async def react(person: Person, room: str, event_id: str, key: str) -> str:
    sent = await person.client.room_send(room, "m.reaction", {"m.relates_to": {
        "rel_type": "m.annotation", "event_id": event_id, "key": key}})
    assert isinstance(sent, RoomSendResponse), sent
    return sent.event_id


async def redact(person: Person, room: str, event_id: str) -> None:
    done = await person.client.room_redact(room, event_id)
    assert isinstance(done, RoomRedactResponse), done


def marks(world: World) -> dict[str, str]:
    return {r["member"]: r["how"]
            for r in world.bot.repo.db.query("select member, how from reach_marks")}


def told(person: Person, text: str):
    """What the bot said to ``person`` anywhere (their direct chat included)."""
    return lambda: next((s for s in person.seen if text in s.body), None)


async def test_silence_counts_once_the_organisations_were_reached(synapse, matrix_user,
                                                                  tmp_path, monkeypatch):
    """Three organisations; Alice's proposes. Bob reads the announcement; at the deadline
    Carol's organisation was not reached: the window grows, Carol is told by direct
    message and reads it; at the end of the extension it is validated."""
    world = await hour_world(synapse, matrix_user, tmp_path, monkeypatch,
                             group_extra="min_reached = 1")
    try:
        clock = ShiftedClock()
        bot = await world.start_bot(clock=clock)
        alice, bob, carol, room = world.alice, world.bob, world.carol, world.room_id
        await alice.say(room, '!propose "Repair Together" they fix things with us')
        announced = await alice.wait_for(room, is_bot_notice(world, "New proposal C-1"))
        await eventually(lambda: bot.repo.announcement("sem:C-1"), what="the announcement sent")

        await read(bob, room, announced.event_id)
        await eventually(lambda: marks(world) == {"transition": "read"}, what="bob's read")

        deadline = parse_deadline_from_db(bot, 1)
        await run_clock_to(world, clock, deadline + timedelta(seconds=1))
        extended = await alice.wait_for(room, is_bot_notice(world, "only 1 of 2 organisations"))
        assert "Not reached yet: Petites Singularités." in extended.body
        direct = await eventually(told(carol, "had not seen it yet"), what="carol's DM")
        assert direct.room_id != room and "Petites Singularités" in direct.body
        assert not told(bob, "had not seen it yet")()
        proposal = bot.repo.proposal("sem", 1)
        assert proposal.state == "open" and proposal.deadline > deadline

        await read(carol, room, announced.event_id)
        await eventually(lambda: marks(world) == {"transition": "read", "singularites": "read"},
                         what="carol's read")
        await run_clock_to(world, clock, proposal.deadline + timedelta(seconds=1))
        await alice.wait_for(room, is_bot_notice(world, "C-1 is validated"))
        assert bot.repo.proposal("sem", 1).state == "validated"
        extensions = list(bot.repo.db.query(
            "select * from audit where action = 'reach_extended'"))
        assert len(extensions) == 1
        assert json.loads(extensions[0]["detail"])["unreached"] == ["singularites"]
    finally:
        await world.close()


async def test_thumbs_up_and_down_on_the_announcement(synapse, matrix_user, tmp_path,
                                                      monkeypatch):
    """👍 then removed; 👎 then its reason by text; 👎 removed by its author; 👎 removed by
    a moderator (Alice, who made the room), which withdraws nothing."""
    world = await hour_world(synapse, matrix_user, tmp_path, monkeypatch)
    try:
        bot = await world.start_bot()
        alice, bob, carol, room = world.alice, world.bob, world.carol, world.room_id
        await carol.say(room, '!propose "Repair Together" they fix things with us')
        announced = await carol.wait_for(room, is_bot_notice(world, "New proposal C-1"))
        await eventually(lambda: bot.repo.announcement("sem:C-1"), what="the announcement sent")

        def supporters() -> list[str]:
            return [s.person for s in bot.repo.supports("sem:C-1")]

        def objections() -> list:
            return bot.repo.objections("sem:C-1", active_only=True)

        up = await react(bob, room, announced.event_id, "👍🏽")
        await eventually(lambda: supporters() == [bob.user_id], what="bob's 👍 as a support")
        await redact(bob, room, up)
        await eventually(lambda: supporters() == [], what="bob's 👍 taken back")

        down = await react(bob, room, announced.event_id, "👎")
        contested = await alice.wait_for(room, is_bot_notice(world, "C-1 (Repair Together) is contested"))
        assert "objects — reason to follow" in contested.body
        await eventually(told(bob, "Please give your reason"), what="the reason asked of bob")
        [objection] = objections()
        assert objection.reason is None and objection.event_id == down

        asked = await bob.say(room, "!object C-1 they are a company, not an association")
        reply = await bob.reply_to(room, asked)
        assert reply.body.startswith("The reason for your objection to C-1 is recorded")
        await alice.wait_for(room, is_bot_notice(world, "gives the reason for their objection"))
        assert objections()[0].reason == "they are a company, not an association"

        await redact(bob, room, down)
        await alice.wait_for(room, is_bot_notice(world, "the proposal is open again"))
        assert objections() == [] and bot.repo.proposal("sem", 1).state == "open"

        again = await react(bob, room, announced.event_id, "👎")
        await eventually(lambda: [o.event_id for o in objections()] == [again],
                         what="bob's second 👎")
        await redact(alice, room, again)                 # a moderator's redaction
        await eventually(told(bob, "removed your reaction to C-1 from the room"),
                         what="bob told his objection stands")
        assert [o.event_id for o in objections()] == [again]
        assert bot.repo.proposal("sem", 1).state == "contested"
        removed = list(bot.repo.db.query(
            "select actor, detail from audit where action = 'reaction_removed' order by id"))
        assert [(r["actor"], json.loads(r["detail"])["by_author"]) for r in removed] == [
            (bob.user_id, True), (bob.user_id, True), (alice.user_id, False)]
    finally:
        await world.close()
