"""Events waiting for their room key, kept in the database (``bot/matrix_undecrypted.py``):
with a canned client and a fake clock, no homeserver."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

nio = pytest.importorskip("nio")

from bot import matrix_undecrypted  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.matrix_undecrypted import Undecrypted  # noqa: E402
from storage.repository import Repository  # noqa: E402

ROOM = "!sem:example.org"


def encrypted(n: int, session: str = "s1") -> nio.MegolmEvent:
    event = nio.MegolmEvent.from_dict({
        "type": "m.room.encrypted", "event_id": f"$e{n:04d}", "sender": "@alice:example.org",
        "origin_server_ts": 1_700_000_000_000 + n, "room_id": ROOM,
        "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": f"c{n}",
                    "sender_key": "curve", "session_id": session, "device_id": "ALICE"}})
    assert isinstance(event, nio.MegolmEvent), event
    return event


class KeyStore:
    def __init__(self) -> None:
        self.sessions: set[str] = set()

    def get(self, room_id: str, sender_key: str, session_id: str):
        return object() if session_id in self.sessions else None


class CannedClient:
    def __init__(self) -> None:
        self.olm = SimpleNamespace(inbound_group_store=KeyStore())

    def decrypt_event(self, event: nio.MegolmEvent):
        if event.session_id not in self.olm.inbound_group_store.sessions:
            raise nio.EncryptionError("no session")
        return SimpleNamespace(event_id=event.event_id, text=event.ciphertext)


@pytest.fixture
def kept(tmp_path, monkeypatch):
    monkeypatch.setattr(matrix_undecrypted, "PAGE", 7)
    repo = Repository(tmp_path / "coopbot.db")
    clock = FakeClock()
    session = SimpleNamespace(client=CannedClient(), encryption=True)
    yield SimpleNamespace(repo=repo, clock=clock, client=session.client,
                          undecrypted=Undecrypted(session, repo, clock))
    repo.close()


def test_kept_events_are_applied_in_order_once_their_key_comes(kept):
    for n in range(30, 0, -1):
        kept.undecrypted.remember(ROOM, encrypted(n))
    kept.undecrypted.remember(ROOM, encrypted(5))  # the same event read again: kept once
    kept.undecrypted.remember(ROOM, encrypted(99, session="s2"))
    assert kept.undecrypted.waiting
    held = kept.undecrypted.held_at()  # just before the oldest event
    assert held is not None and int(held.timestamp() * 1000) == 1_700_000_000_000
    applied: list[str] = []
    kept.undecrypted.retry(lambda room_id, event: applied.append(event.event_id))
    assert applied == [] and kept.undecrypted.held_at() == held   # no key yet

    kept.client.olm.inbound_group_store.sessions.add("s1")
    kept.undecrypted.retry(lambda room_id, event: applied.append(event.event_id))
    assert applied == [f"$e{n:04d}" for n in range(1, 31)]        # oldest first, all pages
    assert kept.undecrypted.waiting                                # s2 still waits
    assert kept.undecrypted.held_at() > held


def test_an_event_whose_key_never_comes_is_given_up_after_the_patience(kept):
    kept.undecrypted.remember(ROOM, encrypted(1))
    applied: list[str] = []
    kept.clock.advance(timedelta(minutes=9))
    kept.undecrypted.retry(lambda room_id, event: applied.append(event.event_id))
    assert kept.undecrypted.waiting
    kept.clock.advance(timedelta(minutes=2))
    kept.undecrypted.retry(lambda room_id, event: applied.append(event.event_id))
    assert applied == [] and not kept.undecrypted.waiting


def test_what_waits_is_still_there_after_a_restart(kept):
    kept.undecrypted.remember(ROOM, encrypted(1))
    again = Undecrypted(SimpleNamespace(client=kept.client, encryption=True), kept.repo,
                        kept.clock)
    assert again.waiting and again.held_at() == kept.undecrypted.held_at()
