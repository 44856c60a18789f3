"""Reading what the bot missed (SPEC section 9): after a downtime or a limited sync, every
event between the stored position and the new sync is applied exactly once, in order,
nothing skipped, across crashes at any point; the stored position never moves past an
event not applied yet.

Pages of the gap are made small here (``HISTORY_PAGE``) so that a gap of a few dozen events
spans many pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import timedelta

import pytest

nio = pytest.importorskip("nio")

from bot import matrix_reading  # noqa: E402
from bot.clock import ShiftedClock  # noqa: E402
from bot.matrix_session import META_SYNC_TOKEN  # noqa: E402

from .botkit import make_world, parse_deadline_from_db  # noqa: E402


@pytest.fixture
async def world(synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, alias=True)
    yield made
    await made.close()


def stored_position(world) -> str | None:
    """The sync position in the database, read while no bot runs."""
    with sqlite3.connect(world.config_path.with_suffix(".db")) as db:
        row = db.execute("select value from meta where key = ?", [META_SYNC_TOKEN]).fetchone()
    return row[0] if row else None


async def propose_many(world, name: str, count: int) -> list[str]:
    """``count`` proposals named ``name 1``… typed in turn by alice, bob and carol (each
    person may type 10 commands a minute)."""
    people = (world.alice, world.bob, world.carol)
    return [await people[n % 3].say(world.room_id, f'!propose "{name} {n}" reason {n}')
            for n in range(1, count + 1)]


def answers_per_command(world, room: str, commands: list[str]) -> dict[str, int]:
    replies = [s.in_reply_to for s in world.alice.notices(room, world.bot_id)]
    return {event_id: replies.count(event_id) for event_id in commands}


async def bot_rejoins_while_down(world, synapse, during) -> None:
    """As the bot's own account: leave the group room, let ``during()`` happen, be invited
    back and join again (the bot itself is stopped)."""
    room = world.room_id
    own = nio.AsyncClient(synapse.url, world.bot_id, device_id=world.bot_user.device_id,
                          config=nio.AsyncClientConfig(encryption_enabled=False))
    own.restore_login(world.bot_id, world.bot_user.device_id, world.bot_user.access_token)
    try:
        assert isinstance(await own.room_leave(room), nio.RoomLeaveResponse)
        await during()
        assert isinstance(await world.alice.client.room_invite(room, world.bot_id),
                          nio.RoomInviteResponse)
        assert isinstance(await own.join(room), nio.JoinResponse)
    finally:
        await own.close()


# --- a long absence ---------------------------------------------------------------------------

async def test_commands_beyond_a_limited_timeline_are_read_from_history(world):
    """While the bot is down more happens than one sync returns (timeline limit 3 here):
    the gap is read back through /messages, in order, each command once."""
    await world.start_bot(timeline_limit=3)
    alice, room = world.alice, world.room_id
    first = await alice.say(room, "!list")
    await alice.reply_to(room, first)
    await world.stop_bot()
    sent = [await alice.say(room, f'!propose "Gap {n}" reason {n}') for n in range(1, 7)]
    bot = await world.start_bot(timeline_limit=3)
    for event_id in sent:
        await alice.reply_to(room, event_id)
    names = [p.candidate for p in bot.repo.proposals("sem")]
    assert names == [f"Gap {n}" for n in range(1, 7)]


async def test_what_came_before_a_join_during_an_absence_is_history(world, synapse):
    """The bot leaves its group room and joins it again while the bot is down (as after a
    crash right after a join), and more happens than one sync returns: what was typed
    before its join is history, never answered; what came after is read back and applied,
    oldest first, each once."""
    await world.start_bot(timeline_limit=3)
    alice, room = world.alice, world.room_id
    first = await alice.say(room, "!list")
    await alice.reply_to(room, first)
    await world.stop_bot()

    before: list[str] = []

    async def typed_meanwhile() -> None:
        before.extend([await alice.say(room, f'!propose "Before {n}" reason {n}')
                       for n in (1, 2)])

    await bot_rejoins_while_down(world, synapse, typed_meanwhile)
    after = [await alice.say(room, f'!propose "After {n}" reason {n}') for n in range(1, 6)]

    bot = await world.start_bot(timeline_limit=3)
    for event_id in after:
        await alice.reply_to(room, event_id)
    assert [p.candidate for p in bot.repo.proposals("sem")] == [
        f"After {n}" for n in range(1, 6)]
    answered = {s.in_reply_to for s in alice.notices(room, world.bot_id)}
    assert not answered & set(before)


async def test_an_objection_at_the_start_of_a_long_absence_still_counts(
        synapse, matrix_user, tmp_path, monkeypatch):
    """Downtime is never silence, however long. Pages of 5 events here: the 46 events of the
    absence take 9 pages beyond the timeline (the old cap of 20 pages, scaled to 4 pages of
    5, read only the newest 20 and dropped the objection). Bob objects first of all; the bot
    comes back after C-1's deadline, reads the whole absence before deciding anything, and
    C-1 is contested, never validated. The proposals in the backlog are applied oldest
    first, each once."""
    monkeypatch.setattr(matrix_reading, "HISTORY_PAGE", 5)
    pages: list[str] = []
    real_page = matrix_reading.Reader._history_page

    async def counted(self, room_id: str, start: str, end: str):
        pages.append(start)
        return await real_page(self, room_id, start, end)

    monkeypatch.setattr(matrix_reading.Reader, "_history_page", counted)
    # An hour-long window, and a downtime grace longer than the clock's jump: the window
    # must close while the bot is away, not grow back.
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, silence_window="1h",
                            last_call="30m", group_extra='downtime_grace = "1d"')
    try:
        clock = ShiftedClock()
        await made.start_bot(timeline_limit=3, clock=clock)
        alice, bob, carol, room = made.alice, made.bob, made.carol, made.room_id
        asked = await alice.say(room, '!propose "Repair Together" they fix things')
        await alice.reply_to(room, asked)
        deadline = parse_deadline_from_db(made.bot, 1)
        await made.stop_bot()

        objected = await bob.say(room, "!object C-1 not a cooperative")
        proposed = []
        for n in range(1, 46):
            if n % 15 == 0:
                proposed.append(await carol.say(room, f'!propose "Gap {n}" reason {n}'))
            else:
                await carol.say(room, f"chatting while the bot is away, {n}")
        # Every event of C-1's window is sent: the clock may now run past its deadline.
        clock.advance(deadline - clock.now() + timedelta(minutes=1))
        pages.clear()

        bot = await made.start_bot(timeline_limit=3, clock=clock)
        ok = await bob.reply_to(room, objected)
        assert ok.body.startswith("Your objection to C-1 is recorded")
        for event_id in proposed:
            await carol.reply_to(room, event_id)
        assert bot.repo.proposal("sem", 1).state == "contested"
        assert [p.candidate for p in bot.repo.proposals("sem")] == [
            "Repair Together", "Gap 15", "Gap 30", "Gap 45"]
        assert len(bot.repo.objections("sem:C-1")) == 1
        bodies = [s.body for s in alice.notices(room, made.bot_id)]
        assert not any("C-1 is validated" in b for b in bodies), bodies
        # Read from the stored position: the 46 events (and perhaps the bot's last
        # announcement) less the timeline's last 3 make at least 9 pages of 5, each read once.
        assert len(set(pages)) >= 9, pages
        assert len(set(pages)) == len(pages), pages
    finally:
        await made.close()




async def test_what_the_bot_may_not_see_does_not_end_the_reading_of_a_gap(
        world, synapse, monkeypatch):
    """History visible to members only while joined: the pages of the gap written while the
    bot was out of the room come back empty, with an ``end`` to go on from. An empty page is
    not the end of the gap: what came after the bot's join is read and applied, in order,
    each once (reading stopped at the first empty page and lost it)."""
    monkeypatch.setattr(matrix_reading, "HISTORY_PAGE", 5)
    alice, room = world.alice, world.room_id
    hidden = await alice.client.room_put_state(
        room, "m.room.history_visibility", {"history_visibility": "joined"})
    assert isinstance(hidden, nio.RoomPutStateResponse), hidden
    await world.start_bot(timeline_limit=3)
    first = await alice.say(room, "!list")
    await alice.reply_to(room, first)
    await world.stop_bot()

    async def chat_meanwhile() -> None:
        for n in range(12):
            await alice.say(room, f"while the bot is out of the room, {n}")

    await bot_rejoins_while_down(world, synapse, chat_meanwhile)
    after = await propose_many(world, "After", 7)

    bot = await world.start_bot(timeline_limit=3)
    for event_id in after:
        await alice.reply_to(room, event_id)
    assert [p.candidate for p in bot.repo.proposals("sem")] == [
        f"After {n}" for n in range(1, 8)]
    assert set(answers_per_command(world, room, after).values()) == {1}


async def test_a_gap_the_homeserver_refuses_for_now_is_read_again_not_skipped(
        world, monkeypatch):
    """The homeserver answers a page of the gap with a refusal that is not a rate limit nor
    a 5xx (here ``M_UNKNOWN``, once). The batch fails and is read again: its position is
    not stored past the gap, and every command of the gap is applied once, in order (the
    gap used to be given up with a warning, and the position stored past it)."""
    monkeypatch.setattr(matrix_reading, "HISTORY_PAGE", 5)
    alice, room = world.alice, world.room_id
    await world.start_bot(timeline_limit=3)
    first = await alice.say(room, "!list")
    await alice.reply_to(room, first)
    await world.stop_bot()
    sent = await propose_many(world, "Gap", 12)

    refused: list[str] = []
    real = nio.AsyncClient.room_messages

    async def room_messages(self, room_id, *args, **kwargs):
        if kwargs.get("direction") == nio.MessageDirection.front and not refused:
            refused.append(room_id)
            return nio.RoomMessagesError("try again later", "M_UNKNOWN")
        return await real(self, room_id, *args, **kwargs)

    monkeypatch.setattr(nio.AsyncClient, "room_messages", room_messages)
    bot = await world.start_bot(timeline_limit=3, retry_first=0.1)
    for event_id in sent:
        await alice.reply_to(room, event_id)
    assert refused == [room]
    assert [p.candidate for p in bot.repo.proposals("sem")] == [
        f"Gap {n}" for n in range(1, 13)]
    assert set(answers_per_command(world, room, sent).values()) == {1}


async def test_a_crash_between_two_pages_of_a_gap_loses_nothing_and_repeats_nothing(
        world, monkeypatch):
    """The bot dies while a long gap is read back, after some pages were applied (their
    replies queued) and before the rest. The stored position has not moved; the next start
    reads the gap again, refuses what was applied by its event id, applies the rest, and
    every command is answered exactly once, in order."""
    monkeypatch.setattr(matrix_reading, "HISTORY_PAGE", 5)
    alice, room = world.alice, world.room_id
    await world.start_bot(timeline_limit=3)
    first = await alice.say(room, "!list")
    await alice.reply_to(room, first)
    await world.stop_bot()
    position = stored_position(world)
    sent = await propose_many(world, "Gap", 18)

    pages: list[str] = []
    stuck = asyncio.Event()
    real_page = matrix_reading.Reader._history_page

    async def dies_on_the_third_page(self, room_id: str, start: str, end: str):
        pages.append(start)
        if len(pages) == 3:
            stuck.set()
            await asyncio.Event().wait()  # the process dies here
        return await real_page(self, room_id, start, end)

    monkeypatch.setattr(matrix_reading.Reader, "_history_page", dies_on_the_third_page)
    starting = asyncio.create_task(world.start_bot(timeline_limit=3))
    await asyncio.wait_for(stuck.wait(), 30)
    applied = [p.candidate for p in world.bot.repo.proposals("sem")]
    await world.stop_bot()  # the process dies between two pages
    with contextlib.suppress(asyncio.CancelledError):
        await starting
    # Two pages of five committed (the first may hold the bot's last reply), none beyond.
    assert 9 <= len(applied) <= 10 and applied == [f"Gap {n}" for n in range(1, len(applied) + 1)]
    assert stored_position(world) == position

    monkeypatch.setattr(matrix_reading.Reader, "_history_page", real_page)
    bot = await world.start_bot(timeline_limit=3)
    for event_id in sent:
        await alice.reply_to(room, event_id)
    assert [p.candidate for p in bot.repo.proposals("sem")] == [
        f"Gap {n}" for n in range(1, 19)]
    assert set(answers_per_command(world, room, sent).values()) == {1}
    assert stored_position(world) != position


async def test_a_sync_cut_short_while_running_is_completed_from_history(world, monkeypatch):
    """No downtime: the bot is slow to poll again (held here before its next long poll)
    while more is said than one sync returns. That sync is limited; its gap is read back
    from the position stored by the previous batch, and every command is applied once, in
    order, before the timeline's own."""
    monkeypatch.setattr(matrix_reading, "HISTORY_PAGE", 5)
    alice, room = world.alice, world.room_id
    bot = await world.start_bot(timeline_limit=3)
    held, release = asyncio.Event(), asyncio.Event()

    async def slow_to_poll() -> None:
        held.set()
        await release.wait()

    bot.reader.before_poll = slow_to_poll
    await alice.say(room, "a word to end the long poll under way")
    await asyncio.wait_for(held.wait(), 20)
    sent = await propose_many(world, "Busy", 14)
    bot.reader.before_poll = None
    release.set()
    for event_id in sent:
        await alice.reply_to(room, event_id)
    assert [p.candidate for p in bot.repo.proposals("sem")] == [
        f"Busy {n}" for n in range(1, 15)]
    assert set(answers_per_command(world, room, sent).values()) == {1}
