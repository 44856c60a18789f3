"""A restore from a backup, end to end on a real Synapse (issue 11, item 2): stop, copy back,
start. Nothing is lost; the commands typed after the backup are read again from the room and
applied once; the bot finds its own earlier answers to them in the room, by their transaction
ids, instead of answering twice; a command typed while it was stopped is answered once.

"Not twice" is proven twice: by the messages the people see in the room, and by the bot's
own sends. The second matters: Synapse itself swallows a resend of a transaction id it saw
from the same device recently, so the room alone would hide a bot that resends everything
after a restore, which the homeserver no longer deduplicates once its memory of the
transaction has expired (a restore of an older backup). The bot must not send them at all.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing

import pytest

nio = pytest.importorskip("nio")

from bot import matrix_reading  # noqa: E402
from bot.backup import backup  # noqa: E402
from bot.matrix_session import META_SYNC_TOKEN  # noqa: E402
from tests.test_backup import restore  # noqa: E402

from .botkit import Person, World, eventually, is_bot_notice, make_world  # noqa: E402

needs_e2e = pytest.mark.skipif(not nio.crypto.ENCRYPTION_ENABLED,
                               reason="matrix-nio installed without the [e2e] extra")

ANSWERS_TO_C2 = "reply_to = ? or plain like 'New proposal C-2%'"


@pytest.fixture
async def world(synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch)
    yield made
    await made.close()


@pytest.fixture
async def encrypted_world(synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, encrypted=True,
                            e2e_people=True)
    yield made
    await made.close()


@pytest.fixture
def bot_sends(monkeypatch) -> list[tuple[str, str]]:
    """(sender, transaction id) of every message sent through nio, the bot's among them."""
    sent: list[tuple[str, str]] = []
    real_send = nio.AsyncClient.room_send

    async def counted(self, room_id, message_type, content, tx_id=None, *args, **kwargs):
        sent.append((self.user_id, tx_id))
        return await real_send(self, room_id, message_type, content, tx_id, *args, **kwargs)

    monkeypatch.setattr(nio.AsyncClient, "room_send", counted)
    return sent


def sends_of(world: World, sent: list[tuple[str, str]], since: int = 0) -> list[str]:
    return [txn for sender, txn in sent[since:] if sender == world.bot_id]


def outbox(world: World, where: str, *params) -> list[tuple]:
    """The bot's outbox rows (txn_id, remote_id, sent_at), read beside it. The connection is
    closed at once: one left open would keep the replaced database's WAL index mapped in this
    process across the restore (SQLite's locks are per process), a disk I/O error after it."""
    with closing(sqlite3.connect(world.config_path.with_suffix(".db"))) as db:
        return db.execute("select txn_id, remote_id, sent_at from outbox "
                          f"where {where} order by id", params).fetchall()


async def sent_rows(world: World, count: int, where: str, *params) -> list[tuple]:
    """The ``count`` rows matching ``where``, once the bot has recorded them sent (a person
    may see a message before the bot has read the homeserver's answer to its send)."""
    def recorded() -> list[tuple] | None:
        rows = outbox(world, where, *params)
        return rows if len(rows) == count and all(remote for _, remote, _ in rows) else None
    return await eventually(recorded, 20, f"{count} rows sent ({where})")


async def knows_the_bot(world: World, people: tuple[Person, ...]) -> None:
    """In an encrypted room, a person's client shares its room key with the bot's device
    only once it has seen that device: wait for it before they type."""
    device = world.bot.client.device_id
    for person in people:
        await eventually(lambda: any(d.device_id == device for d in
                                     person.client.device_store.active_user_devices(world.bot_id)),
                         20, f"{person.user_id} sees the bot's device")


async def restore_and_read_again(world: World, bot_sends: list, *, encryption: bool = False,
                                 crypto_store: bool = True, **restart) -> None:
    """The story, in the group's room: C-1 is proposed and answered; a backup is taken while
    the bot runs; bob proposes C-2, answered (a reply and an announcement); the bot is stopped
    and the backup copied back; carol asks for the list while it is stopped; it starts again
    (with the ``restart`` options). C-2 is read again from the room and applied once, its
    answers are found in the room and not sent again, carol's question is answered once."""
    alice, bob, carol, room = world.alice, world.bob, world.carol, world.room_id
    bot = await world.start_bot(encryption=encryption)
    if encryption:
        await knows_the_bot(world, (alice, bob, carol))
    before = await alice.say(room, '!propose "Repair Together" they fix things')
    assert (await alice.reply_to(room, before)).body.startswith("Noted: C-1")
    await alice.wait_for(room, is_bot_notice(world, "New proposal C-1"))

    saved = world.tmp_path / "saved"
    taken = backup(bot.config, saved, bot.clock.now())          # while the bot runs
    assert (taken.crypto_store is not None) == encryption

    typed = await bob.say(room, '!propose "Seed Library" they lend seeds')
    reply = await bob.reply_to(room, typed)
    assert reply.body.startswith("Noted: C-2")
    announced = await bob.wait_for(room, is_bot_notice(world, "New proposal C-2"))
    answers = await sent_rows(world, 2, ANSWERS_TO_C2, typed)
    assert {remote for _, remote, _ in answers} == {reply.event_id, announced.event_id}
    answer_txns = {txn for txn, _, _ in answers}
    assert answer_txns <= set(sends_of(world, bot_sends))

    await world.stop_bot()                                      # stop, copy back, start
    restore(saved, world.config_path.with_suffix(".db"), crypto_store=crypto_store)
    assert outbox(world, ANSWERS_TO_C2, typed) == []            # the backup's moment
    asked = await carol.say(room, "!list")                      # while the bot is stopped
    since = len(bot_sends)

    bot = await world.start_bot(encryption=encryption, **restart)
    listed = await carol.reply_to(room, asked)
    assert "C-1" in listed.body and "C-2" in listed.body         # nothing lost
    assert listed.decrypted == encryption
    await eventually(lambda: not bot.repo.pending_outbox(("room", "dm")), 20,
                     "the outbox delivered")

    # Applied once: one proposal each, C-2 read again from the room.
    assert [p.candidate for p in bot.repo.proposals("sem")] == ["Repair Together",
                                                                  "Seed Library"]
    # Its answers queued again have the ids they had, and are the messages already there.
    assert [(txn, remote) for txn, remote, _ in outbox(world, ANSWERS_TO_C2, typed)] == \
        [(txn, remote) for txn, remote, _ in answers]
    # Not sent again: the only message the restarted bot sent is the answer to carol.
    [(answer_to_carol, _, _)] = outbox(world, "reply_to = ?", asked)
    assert sends_of(world, bot_sends, since) == [answer_to_carol]
    # As a person sees the room (carol has seen all up to her answer, which the delivery
    # sends after the rows queued before it): each answer once.
    mine = carol.notices(room, world.bot_id)
    assert [s.in_reply_to for s in mine].count(typed) == 1
    assert [s.in_reply_to for s in mine].count(asked) == 1
    assert sum("New proposal C-2" in s.body for s in mine) == 1
    assert sum("New proposal C-1" in s.body for s in mine) == 1
    stored = [e for e in await carol.history(room) if e["sender"] == world.bot_id]
    assert len(stored) == len(mine) == 5  # C-1: reply, announcement; C-2: same; the list


async def test_a_restore_reads_the_commands_again_and_answers_none_twice(world, bot_sends):
    """The restored bot reads what came after the backup in its first sync's timeline."""
    await restore_and_read_again(world, bot_sends)


async def test_a_restore_finds_its_answers_in_a_gap_read_back_page_by_page(
        world, bot_sends, monkeypatch, caplog):
    """The restored bot's first sync is cut short (one event): the command and the bot's
    answers to it are read back through /messages, one event a page, so the answers come
    pages after the command they answer (each page applied in its own transaction)."""
    monkeypatch.setattr(matrix_reading, "HISTORY_PAGE", 1)
    caplog.set_level(logging.INFO, logger="bot.matrix_reading")
    await restore_and_read_again(world, bot_sends, timeline_limit=1)
    assert any("events missed while away" in r.getMessage() for r in caplog.records), \
        "the gap was not read through /messages"


@needs_e2e
async def test_a_restore_in_an_encrypted_room_keeping_the_live_crypto_store(
        encrypted_world, bot_sends):
    """An encrypted room, the database copied back and the live crypto store kept (as the
    README says when it is intact): bob's command, encrypted with a room key the bot received
    after the backup, is read again and applied once; the bot decrypts its own earlier
    answers, finds their transaction ids, and does not send them again."""
    await restore_and_read_again(encrypted_world, bot_sends, encryption=True,
                                 crypto_store=False)


@needs_e2e
async def test_a_crypto_store_copied_back_has_forgotten_the_keys_received_since(
        encrypted_world, bot_sends):
    """Why the README says to keep the live crypto store: the backup's copy has not the room
    keys that came after it, and the homeserver does not send them again (they went to the
    device once, and the bot acknowledged them). Bob's first command, typed after the backup,
    cannot be read by the restored bot: it is kept and its key asked for, not applied."""
    world = encrypted_world
    alice, bob, room = world.alice, world.bob, world.room_id
    bot = await world.start_bot(encryption=True)
    await knows_the_bot(world, (alice, bob))
    before = await alice.say(room, '!propose "Repair Together" they fix things')
    await alice.reply_to(room, before)
    saved = world.tmp_path / "saved"
    backup(bot.config, saved, bot.clock.now())
    typed = await bob.say(room, '!propose "Seed Library" they lend seeds')  # bob's first key
    await bob.reply_to(room, typed)
    # Bob's key came to the device with the batch that applied his command (its position is
    # stored with it). The homeserver drops a device's messages once a sync asks from past
    # them: wait for the next batch (some chatter makes one), or the restored bot may still
    # be given the key.
    applied_at = bot.repo.meta(META_SYNC_TOKEN)
    await alice.say(room, "(seeds, how nice)")
    await eventually(lambda: bot.repo.meta(META_SYNC_TOKEN) != applied_at, 20,
                     "a sync from past bob's key")
    await world.stop_bot()
    restore(saved, world.config_path.with_suffix(".db"), crypto_store=True)

    bot = await world.start_bot(encryption=True)
    await eventually(lambda: bot.repo.db.execute(
        "select key_requested_at from matrix_undecrypted where event_id = ?",
        [typed]).fetchone() not in (None, (None,)), 20, "bob's command kept, its key asked for")
    assert [p.candidate for p in bot.repo.proposals("sem")] == ["Repair Together"]


async def test_a_direct_chat_opened_after_the_backup_is_still_served_after_the_restore(
        world, bot_sends):
    """Bob opens a direct chat with the bot after the backup and asks there. The restored
    database has never heard of that chat: the bot must still take it for bob's (it is in
    it, with him alone), read his question again without answering twice, and answer what
    he asked there while it was stopped. (It used to ignore the room: both were lost, and
    everything bob typed there afterwards.)"""
    bob = world.bob
    bot = await world.start_bot()
    saved = world.tmp_path / "saved"
    backup(bot.config, saved, bot.clock.now())

    dm = await bob.create_room([world.bot_id], is_direct=True)
    first = await bob.say(dm, "list")
    reply = await bob.reply_to(dm, first)
    assert reply.body.startswith("No proposals")
    [(answer_txn, _, _)] = await sent_rows(world, 1, "reply_to = ?", first)

    await world.stop_bot()
    restore(saved, world.config_path.with_suffix(".db"))
    second = await bob.say(dm, "members")                       # while the bot is stopped
    since = len(bot_sends)

    bot = await world.start_bot()
    await bob.reply_to(dm, second)
    await eventually(lambda: not bot.repo.pending_outbox(("room", "dm")), 20,
                     "the outbox delivered")
    assert bot.repo.dm_room(bob.user_id) == dm
    assert [(txn, remote) for txn, remote, _ in outbox(world, "reply_to = ?", first)] == \
        [(answer_txn, reply.event_id)]
    [(answer_to_second, _, _)] = outbox(world, "reply_to = ?", second)
    assert sends_of(world, bot_sends, since) == [answer_to_second]
    answers = [s.in_reply_to for s in bob.notices(dm, world.bot_id)]
    assert answers.count(first) == 1 and answers.count(second) == 1
