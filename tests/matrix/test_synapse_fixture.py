"""The Synapse fixture works end to end with real matrix-nio clients."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Callable

import pytest

nio = pytest.importorskip("nio")

from nio import (  # noqa: E402
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)


def make_client(synapse, user, store_path: Path | None = None, e2e: bool = False) -> AsyncClient:
    config = AsyncClientConfig(
        encryption_enabled=e2e,
        store_sync_tokens=e2e,
        max_timeouts=5,  # nio retries connection errors forever by default
        request_timeout=20,
    )
    client = AsyncClient(
        synapse.url,
        user.user_id,
        device_id=user.device_id,
        store_path=str(store_path) if store_path else "",
        config=config,
    )
    # restore_login keeps the device that the admin registration API created
    # (and, with a store, loads/creates its Olm account for that device).
    client.restore_login(user.user_id, user.device_id, user.access_token)
    return client


async def sync_until(
    client: AsyncClient,
    found: Callable[[], bool],
    timeout: float = 15.0,
    **sync_kwargs,
) -> None:
    """Long-poll /sync (1 s at a time) until ``found()`` or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not found():
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{client.user_id}: condition not met within {timeout} s"
        resp = await asyncio.wait_for(
            client.sync(timeout=1000, **sync_kwargs), timeout=remaining + 5
        )
        assert isinstance(resp, SyncResponse), resp
        if client.should_query_keys:
            await client.keys_query()
        sync_kwargs.pop("full_state", None)


def collect(client: AsyncClient, room_id: str, event_type=RoomMessageText) -> list:
    received: list = []

    async def on_event(room, event):
        if room.room_id == room_id:
            received.append(event)

    client.add_event_callback(on_event, event_type)
    return received


async def setup_room(alice: AsyncClient, bob: AsyncClient, **create_kwargs) -> str:
    created = await alice.room_create(invite=[bob.user_id], **create_kwargs)
    assert isinstance(created, RoomCreateResponse), created
    joined = await bob.join(created.room_id)
    assert isinstance(joined, JoinResponse), joined
    return created.room_id


@pytest.mark.asyncio
async def test_two_users_exchange_messages_across_restart(synapse, matrix_user):
    alice = make_client(synapse, matrix_user("alice"))
    bob = make_client(synapse, matrix_user("bob"))
    try:
        room_id = await setup_room(alice, bob, name="fixture test")
        received = collect(bob, room_id)
        # A first sync so that "next_batch" is set: only new messages matter after.
        await bob.sync(timeout=0)
        received.clear()

        sent = await alice.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": "hello bob"}
        )
        assert isinstance(sent, RoomSendResponse), sent
        await sync_until(bob, lambda: any(e.body == "hello bob" for e in received))
        assert [e.sender for e in received] == [alice.user_id]

        # Simulated outage: same port, same database.
        synapse.stop()
        assert not synapse.is_running()
        synapse.start()

        sent = await alice.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": "after restart"}
        )
        assert isinstance(sent, RoomSendResponse), sent
        await sync_until(bob, lambda: any(e.body == "after restart" for e in received))
        # Incremental sync from the pre-restart token: no duplicate of the old message.
        assert [e.body for e in received] == ["hello bob", "after restart"]
    finally:
        synapse.start()  # no-op when running; leaves it up for the next tests
        await alice.close()
        await bob.close()


@pytest.mark.asyncio
async def test_encrypted_room_between_two_nio_clients(synapse, matrix_user, tmp_path):
    if not nio.crypto.ENCRYPTION_ENABLED:
        pytest.skip("matrix-nio installed without the [e2e] extra")
    (tmp_path / "alice").mkdir()
    (tmp_path / "bob").mkdir()
    alice = make_client(synapse, matrix_user("alice"), tmp_path / "alice", e2e=True)
    bob = make_client(synapse, matrix_user("bob"), tmp_path / "bob", e2e=True)
    try:
        for client in (alice, bob):
            assert client.should_upload_keys
            await client.keys_upload()

        room_id = await setup_room(
            alice,
            bob,
            name="e2e fixture test",
            initial_state=[
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            ],
        )
        received = collect(bob, room_id)
        undecrypted = collect(bob, room_id, MegolmEvent)

        # Alice must know the room (encrypted, bob joined) before sending into it.
        def alice_sees_bob() -> bool:
            room = alice.rooms.get(room_id)
            return room is not None and room.encrypted and bob.user_id in room.users

        await sync_until(alice, alice_sees_bob)

        sent = await alice.room_send(
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": "secret hello"},
            ignore_unverified_devices=True,
        )
        assert isinstance(sent, RoomSendResponse), sent

        await sync_until(bob, lambda: bool(received) or bool(undecrypted))
        assert not undecrypted, f"bob could not decrypt: {undecrypted}"
        assert isinstance(received[0], RoomMessageText)
        assert received[0].body == "secret hello"
        assert received[0].decrypted
        assert received[0].sender == alice.user_id
    finally:
        await alice.close()
        await bob.close()
