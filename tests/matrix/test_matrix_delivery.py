"""Matrix delivery under the shared retry policy, with a canned homeserver and a fake clock:
what waits, for how long, and what goes on meanwhile (no network, no sleeps)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

nio = pytest.importorskip("nio")

from nio import ErrorResponse, RoomSendResponse  # noqa: E402

from bot.clock import FakeClock  # noqa: E402
from bot import matrix_delivery  # noqa: E402
from bot.matrix_delivery import HOMESERVER, Delivery  # noqa: E402
from bot.matrix_session import server_wait  # noqa: E402
from bot.retry import RATE_LIMITED, Backoff, Retries  # noqa: E402
from storage.repository import Repository  # noqa: E402

ROOM = "!sem:example.org"
BOB = "@bob:example.org"


class CannedClient:
    """A nio client whose ``room_send`` answers from a script, per room."""

    should_claim_keys = False
    access_token = "a token"

    def __init__(self) -> None:
        self.rooms: dict[str, Any] = {}
        self.script: dict[str, list[Any]] = {}
        self.sent: list[tuple[str, str]] = []   # (room id, body) of every attempt

    async def room_send(self, room_id: str, event_type: str, content: dict, *, tx_id: str,
                        ignore_unverified_devices: bool) -> Any:
        self.sent.append((room_id, content["body"]))
        answers = self.script.get(room_id) or []
        return answers.pop(0) if answers else RoomSendResponse(f"$ev{len(self.sent)}", room_id)


@pytest.fixture
def world(tmp_path):
    clock = FakeClock()
    repo = Repository(tmp_path / "coopbot.db")
    client = CannedClient()
    session = SimpleNamespace(client=client, encryption=False)

    async def direct_chat(person: str) -> str:
        return f"!dm-{person}"

    rooms = SimpleNamespace(group_room=lambda slug: ROOM, direct_chat=direct_chat,
                            room_of=lambda venue, target: ROOM)
    delivery = Delivery(session, rooms, repo, clock, backoff=Backoff.seconds(0.5, 60))
    delivery.retries = Retries(delivery.retries.backoff, clock)  # waits on the fake clock
    yield SimpleNamespace(clock=clock, repo=repo, client=client, delivery=delivery)
    repo.close()


def queue(world, text: str, venue: str = "room", target: str = "sem") -> int:
    return world.repo.enqueue(group="sem", venue=venue, target=target, plain=text, html=text,
                              mentions=(), reply_to=None, subject=None, at=world.clock.now())


def limited(ms: int | None) -> ErrorResponse:
    return ErrorResponse("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=ms)


def test_what_the_homeserver_asks_is_read_from_its_answer():
    assert server_wait(limited(1500)) == timedelta(seconds=1.5)
    assert server_wait(limited(None)) is None
    assert server_wait(ErrorResponse("Internal error", None)) is None


async def test_a_rate_limit_holds_the_outbox_as_long_as_asked(world):
    row = queue(world, "hello")
    world.client.script[ROOM] = [limited(1500)]
    assert await world.delivery.deliver() == timedelta(seconds=1.5)  # not the backoff's 0.5 s
    waiting = world.delivery.retries.waiting[HOMESERVER]
    assert waiting.reason == RATE_LIMITED and waiting.failures == 0
    assert world.repo.outbox_row(row)["sent_at"] is None

    world.clock.advance(timedelta(seconds=1))
    assert await world.delivery.deliver() == timedelta(seconds=0.5)  # nothing tried meanwhile
    assert len(world.client.sent) == 1
    world.clock.advance(timedelta(seconds=0.5))
    assert await world.delivery.deliver() is None
    assert world.repo.outbox_row(row)["sent_at"] is not None
    assert HOMESERVER not in world.delivery.retries.waiting  # a success resets the backoff


async def test_a_failing_homeserver_is_backed_off_and_nothing_is_lost(world):
    row = queue(world, "through the outage")
    world.client.script[ROOM] = [ErrorResponse("Internal error", None)] * 3
    waits = []
    for _ in range(3):
        waits.append(await world.delivery.deliver())
        world.clock.advance(waits[-1])
    assert waits == [timedelta(seconds=s) for s in (0.5, 1, 2)]
    assert await world.delivery.deliver() is None
    assert world.repo.outbox_row(row)["attempts"] == 4
    assert world.repo.outbox_row(row)["sent_at"] is not None


async def test_a_refusing_room_holds_back_only_its_own_rows(world):
    first = queue(world, "first for the room")
    for_bob = queue(world, "for bob", venue="dm", target=BOB)
    second = queue(world, "second for the room")
    world.client.script[ROOM] = [ErrorResponse("not in the room", "M_FORBIDDEN")]
    assert await world.delivery.deliver() == timedelta(seconds=0.5)
    assert world.repo.outbox_row(for_bob)["sent_at"] is not None
    assert world.repo.outbox_row(first)["sent_at"] is None
    assert world.repo.outbox_row(second)["sent_at"] is None  # nothing overtakes a waiting row
    assert [body for _, body in world.client.sent] == ["first for the room", "for bob"]
    assert world.delivery.retries.failures("room:sem") == 1

    world.clock.advance(timedelta(seconds=0.5))
    assert await world.delivery.deliver() is None
    assert all(world.repo.outbox_row(r)["sent_at"] is not None for r in (first, second))
    assert "room:sem" not in world.delivery.retries.waiting


async def test_a_long_outbox_is_read_a_page_at_a_time_in_order(world, monkeypatch):
    """The replies to a long backlog: every row goes once, in order, and the outbox is never
    read whole into memory (pages of 7 here), also when one destination is held back."""
    monkeypatch.setattr(matrix_delivery, "OUTBOX_PAGE", 7)
    read: list[int] = []
    real = world.repo.pending_outbox

    def pending(*args, **kwargs):
        rows = real(*args, **kwargs)
        read.append(len(rows))
        return rows

    monkeypatch.setattr(world.repo, "pending_outbox", pending)
    rows = [queue(world, f"reply {n}") if n % 5 else queue(world, f"dm {n}", "dm", BOB)
            for n in range(1, 51)]
    world.client.script[f"!dm-{BOB}"] = [ErrorResponse("not yet", "M_FORBIDDEN")]
    assert await world.delivery.deliver() == timedelta(seconds=0.5)
    assert max(read) == 7
    assert [body for _, body in world.client.sent] == [
        f"reply {n}" if n % 5 else f"dm {n}" for n in range(1, 51) if n % 5 or n == 5]
    world.clock.advance(timedelta(seconds=0.5))
    assert await world.delivery.deliver() is None
    assert all(world.repo.outbox_row(r)["sent_at"] is not None for r in rows)
    assert len(world.client.sent) == 51
