"""``coopbot backup`` while the bot runs, and the restore the README describes (stop, copy
back, start): nothing lost, and the commands read again after it are not answered twice.

Proven here: the copy and its check beside a live bot, the crypto store copied with it, and
the Matrix side's two halves on canned events: the reader notes the bot's own event by its
transaction id, the delivery marks the row queued again as sent without sending. The restore
through the forum fake is in tests/forum/test_forum_restore.py.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from nio import RoomMessageNotice

from bot.backup import TAKEN_KEY, BackupError, backup
from bot.clock import FakeClock
from bot.config import parse
from bot.matrix_delivery import Delivery
from bot.matrix_reading import Reader
from bot.retry import Backoff
from bot.runtime import Runtime
from commands.events import Inbound, Venue
from storage.echoes import Echoes
from tests.harness import ALICE, BASE_CONFIG, coopbot

BOT = "@coopbot:coop.brussels"


def restore(backup_dir: Path, database: Path, *, crypto_store: bool = True) -> None:
    """The README's restore, with the bot stopped: the copy replaces the database (its -wal
    and -shm files removed: they belong to the replaced one), the crypto store likewise
    unless ``crypto_store`` is False (the README's advice when the live one is intact)."""
    for side in ("-wal", "-shm"):
        Path(f"{database}{side}").unlink(missing_ok=True)
    shutil.copy2(backup_dir / database.name, database)
    store = Path(f"{database}.crypto")
    if crypto_store and (backup_dir / store.name).is_dir():
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(backup_dir / store.name, store)


@pytest.fixture
def live(tmp_path):
    """A config file and a bot running on its database (the runtime holds the lock)."""
    path = tmp_path / "coopbot.toml"
    path.write_text(BASE_CONFIG.format(database="coopbot.db", language="en", min_supporters=0,
                                       charter="[]"))
    runtime = Runtime(parse(path.read_text(), path), FakeClock())
    runtime.prepare()
    yield path, runtime
    try:
        runtime.close()
    except sqlite3.ProgrammingError:
        pass  # the test stopped it already


def propose(runtime: Runtime, name: str, n: int) -> None:
    runtime.engine.handle(Inbound(f"$p{n}", ALICE, f'!propose "{name}" good people',
                                  runtime.clock.now(), Venue.ROOM, "sem"))


def test_a_backup_beside_the_running_bot_then_a_restore_loses_nothing_before_it(live, tmp_path):
    path, runtime = live
    propose(runtime, "Repair Together", 1)
    store = Path(runtime.config.database + ".crypto")  # as nio leaves it: SQLite and a key file
    store.mkdir()
    keys = sqlite3.connect(store / f"{BOT}_DEVICE.db")
    keys.execute("create table accounts (device text, pickle text)")
    keys.execute("insert into accounts values ('DEVICE', 'olm pickle')")
    keys.commit()
    (store / "notes.txt").write_text("kept as it is")

    result = coopbot("backup", "--config", str(path), str(tmp_path / "saved"))
    assert result.returncode == 0, result.stderr
    assert "integrity checked" in result.stdout and "crypto store copied" in result.stdout
    saved = tmp_path / "saved"
    copy = sqlite3.connect(saved / "coopbot.db")
    assert copy.execute("pragma integrity_check").fetchone() == ("ok",)
    assert copy.execute("select value from meta where key = ?", [TAKEN_KEY]).fetchone()
    copy.close()
    copied_keys = sqlite3.connect(saved / "coopbot.db.crypto" / f"{BOT}_DEVICE.db")
    assert copied_keys.execute("select pickle from accounts").fetchone() == ("olm pickle",)
    copied_keys.close()
    assert (saved / "coopbot.db.crypto" / "notes.txt").read_text() == "kept as it is"

    propose(runtime, "Bad Corp", 2)  # after the backup
    keys.execute("delete from accounts")
    keys.commit()
    keys.close()
    runtime.close()                  # stop
    restore(saved, Path(runtime.config.database))
    again = Runtime(parse(path.read_text(), path), FakeClock())  # start
    try:
        again.prepare()
        assert again.repo.proposal("sem", 1).candidate == "Repair Together"
        assert again.repo.proposal("sem", 2) is None  # typed after the backup: not in it
        assert [m.slug for m in again.repo.members("sem")] == \
            ["dewey", "financite", "singularites", "transition"]
    finally:
        again.close()
    restored = sqlite3.connect(store / f"{BOT}_DEVICE.db")
    assert restored.execute("select pickle from accounts").fetchone() == ("olm pickle",)
    restored.close()


def test_a_backup_never_overwrites_and_says_why(live, tmp_path):
    path, _ = live
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "something").write_text("x")
    result = coopbot("backup", "--config", str(path), str(taken))
    assert result.returncode == 1 and "is not an empty folder" in result.stderr
    assert (taken / "something").read_text() == "x"
    with pytest.raises(BackupError, match="no database at"):
        backup(parse(path.read_text().replace("coopbot.db", "none.db"), path), tmp_path / "n",
               FakeClock().now())
    assert not (tmp_path / "n").exists()


def test_a_copy_that_fails_its_check_is_removed(live, tmp_path, monkeypatch):
    _, runtime = live
    import bot.backup as module

    monkeypatch.setattr(module, "integrity_problems",
                        lambda conn: ["*** in database main *** Page 3 is never used"])
    with pytest.raises(BackupError, match="fails its integrity check: .*Page 3"):
        backup(runtime.config, tmp_path / "bad", runtime.clock.now())
    assert not (tmp_path / "bad").exists()


# --- restore: what is read again is not answered twice -------------------------------------

def test_the_matrix_reader_notes_the_bots_own_events_by_transaction_id(live):
    _, runtime = live
    reader = Reader(runtime.config, SimpleNamespace(user_id=BOT), None, runtime,
                    sync_timeout=30, timeline_limit=50, read_margin=timedelta(0),
                    backoff=Backoff.seconds(0.5, 60), on_read=lambda: None)

    def notice(event_id: str, sender: str, txn: str | None) -> RoomMessageNotice:
        source = {"type": "m.room.message", "event_id": event_id, "sender": sender,
                  "origin_server_ts": 1_790_000_000_000,
                  "content": {"msgtype": "m.notice", "body": "Noted: C-1"},
                  "unsigned": {"transaction_id": txn} if txn else {}}
        return RoomMessageNotice.from_dict(source)

    reader._on_event("!room", (Venue.ROOM, "sem"), notice("$mine", BOT, "coopbot-abc-0"))
    reader._on_event("!room", (Venue.ROOM, "sem"), notice("$other", BOT, "someone-else-1"))
    reader._on_event("!room", (Venue.ROOM, "sem"), notice("$eve", "@eve:x.org", "coopbot-e-0"))
    echoes = Echoes(runtime.repo.db)
    assert echoes.seen("matrix", "coopbot-abc-0") == "$mine"
    assert echoes.seen("matrix", "someone-else-1") is None
    assert echoes.seen("matrix", "coopbot-e-0") is None  # not the bot's


@pytest.mark.asyncio
async def test_matrix_delivery_does_not_send_a_row_whose_echo_was_read(live):
    _, runtime = live
    propose(runtime, "Repair Together", 1)
    [first, *rest] = runtime.repo.pending_outbox()
    Echoes(runtime.repo.db).note("matrix", first["txn_id"], "$sent-before", runtime.clock.now())
    sent = []

    class Client:
        should_claim_keys = False
        access_token = "token"

        async def room_send(self, room_id, *args, **kwargs):
            sent.append(kwargs["tx_id"])
            return SimpleNamespace()  # not a RoomSendResponse: the row waits

    rooms = SimpleNamespace(group_room=lambda slug: "!room", room_of=lambda *a: "!room")
    session = SimpleNamespace(client=Client(), encryption=False)
    delivery = Delivery(session, rooms, runtime.repo, runtime.clock,
                        backoff=Backoff.seconds(0.5, 60))
    await delivery.deliver()
    row = runtime.repo.outbox_row(first["id"])
    assert row["sent_at"] and row["remote_id"] == "$sent-before"
    assert first["txn_id"] not in sent and sent == [rest[0]["txn_id"]] if rest else sent == []


def test_a_command_queued_again_gets_the_transaction_id_it_had(live, tmp_path):
    """What the restore relies on: the same event gives the same ids, rank by rank; another
    database (another salt) other ids."""
    path, runtime = live
    saved = tmp_path / "saved"
    backup(runtime.config, saved, runtime.clock.now())
    propose(runtime, "Repair Together", 1)
    first = [r["txn_id"] for r in runtime.repo.pending_outbox()]
    runtime.close()
    restore(saved, Path(runtime.config.database))
    again = Runtime(parse(path.read_text(), path), FakeClock())
    try:
        propose(again, "Repair Together", 1)
        assert [r["txn_id"] for r in again.repo.pending_outbox()] == first
    finally:
        again.close()
    other = Runtime(parse(BASE_CONFIG.format(database=str(tmp_path / "other.db"), language="en",
                                             min_supporters=0, charter="[]")), FakeClock())
    try:
        propose(other, "Repair Together", 1)
        assert not set(r["txn_id"] for r in other.repo.pending_outbox()) & set(first)
    finally:
        other.close()


def test_a_nudge_the_clock_sends_again_after_a_restore_gets_the_id_it_had(live, tmp_path):
    """The clock's direct messages (a task's nudge) answer no event: their transaction id
    comes from the task they are about and their words, so the nudge sent before a restore
    and queued again after it is recognised, not sent twice."""
    path, runtime = live
    runtime.engine.handle(Inbound("$m1", ALICE, '!mandate @bob:example.org "Write the minutes"',
                                  runtime.clock.now(), Venue.ROOM, "sem"))
    saved = tmp_path / "saved"
    backup(runtime.config, saved, runtime.clock.now())

    def nudges(rt: Runtime) -> list[str]:
        rt.clock.advance(timedelta(days=9))
        rt.engine.process_due()
        return [r["txn_id"] for r in rt.repo.pending_outbox()
                if r["venue"] == "dm" and "T-1" in r["plain"] and "!update" in r["plain"]]

    first = nudges(runtime)
    # derived from its cause (``coopbot-<digest>-<rank>``), not a random ``coopbot-<uuid>``
    assert first and all(re.fullmatch(r"coopbot-[0-9a-f]{32}-\d+", t) for t in first)
    runtime.close()
    restore(saved, Path(runtime.config.database))
    again = Runtime(parse(path.read_text(), path), FakeClock())
    try:
        assert nudges(again) == first
    finally:
        again.close()
