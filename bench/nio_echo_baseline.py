#!/usr/bin/env python
"""Baseline: command-to-reply latency of a bare matrix-nio echo bot on a real Synapse.

    /work/venv/bin/python bench/nio_echo_baseline.py [-n 50]

Starts a throw-away Synapse (tests/matrix/synapse.py) in a temp dir, registers
a user and an "echo bot" user, runs a plain nio bot that answers each ``!ping``
text with an ``m.notice``, sends N pings one at a time from the user and
measures the time from just before the send to the moment the reply is seen
in the user's /sync.  Prints median and p95 in ms.

``measure_latency(synapse, user_client, bot_room_id, n)`` knows nothing about
the bot on the other side: to compare coopbot against this floor, start
coopbot against the same ``synapse`` in the same run and call it again with a
room that coopbot is in.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nio import (  # noqa: E402
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    MatrixRoom,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)

from tests.matrix.synapse import Synapse  # noqa: E402


@dataclass
class LatencyResult:
    samples_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        if len(self.samples_ms) < 2:
            return self.samples_ms[0]
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[94]

    def summary(self, label: str) -> str:
        s = self.samples_ms
        return (
            f"{label}: n={len(s)} median={self.median:.1f} ms p95={self.p95:.1f} ms "
            f"min={min(s):.1f} ms max={max(s):.1f} ms"
        )


def make_client(synapse: Synapse, user_id: str, token: str, device_id: str, *,
                request_timeout: int = 30, encryption: bool | None = None) -> AsyncClient:
    """A logged-in client; ``encryption`` None: nio's default (on when its e2e extra is
    installed)."""
    extra = {} if encryption is None else {"encryption_enabled": encryption}
    client = AsyncClient(
        synapse.url,
        user_id,
        device_id=device_id,
        config=AsyncClientConfig(max_timeouts=5, request_timeout=request_timeout, **extra),
    )
    client.restore_login(user_id, device_id, token)
    return client


def default_is_reply(event, user_id: str) -> bool:
    """Any notice or text from someone other than the user counts as the reply."""
    return event.sender != user_id and isinstance(event, (RoomMessageNotice, RoomMessageText))


async def measure_latency(
    synapse: Synapse,
    user_client: AsyncClient,
    bot_room_id: str,
    n: int = 50,
    *,
    command: str = "!ping",
    warmup: int = 3,
    reply_timeout: float = 10.0,
    is_reply: Callable[[object, str], bool] = default_is_reply,
) -> LatencyResult:
    """Send ``command`` n times (one at a time) into ``bot_room_id``; return latencies.

    Latency = from just before ``room_send`` until the first reply (per
    ``is_reply``) shows up in ``user_client``'s own /sync loop, which runs
    concurrently as a real client would.  ``warmup`` extra pings are sent first
    and not counted.  ``synapse`` is unused for now but kept so that callers can
    e.g. restart it between rounds.
    """
    del synapse
    replies: list[float] = []  # perf_counter() at which each reply was seen
    new_reply = asyncio.Event()

    async def on_message(room: MatrixRoom, event) -> None:
        if room.room_id == bot_room_id and is_reply(event, user_client.user_id):
            replies.append(time.perf_counter())
            new_reply.set()

    # Catch up first so that older replies in the room are not counted.
    first = await user_client.sync(timeout=0, full_state=True)
    assert isinstance(first, SyncResponse), first
    user_client.add_event_callback(on_message, (RoomMessageNotice, RoomMessageText))

    async def sync_loop() -> None:
        while True:
            resp = await user_client.sync(timeout=30000)
            if not isinstance(resp, SyncResponse):
                await asyncio.sleep(0.1)

    syncer = asyncio.create_task(sync_loop())
    result = LatencyResult()
    try:
        # Let the long-poll /sync get to the server before the first ping.
        await asyncio.sleep(0.2)
        for i in range(warmup + n):
            seen_before = len(replies)
            new_reply.clear()
            t0 = time.perf_counter()
            sent = await user_client.room_send(
                bot_room_id, "m.room.message", {"msgtype": "m.text", "body": f"{command} {i}"}
            )
            if not isinstance(sent, RoomSendResponse):
                raise RuntimeError(f"send failed: {sent}")
            deadline = t0 + reply_timeout
            while len(replies) <= seen_before:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise TimeoutError(f"no reply to ping {i} within {reply_timeout} s")
                try:
                    await asyncio.wait_for(new_reply.wait(), remaining)
                except asyncio.TimeoutError:
                    pass
                new_reply.clear()
            if i >= warmup:
                result.samples_ms.append((replies[seen_before] - t0) * 1000)
    finally:
        syncer.cancel()
        try:
            await syncer
        except (asyncio.CancelledError, Exception):
            pass
        # nio 0.26 has no remove_event_callback.
        user_client.event_callbacks[:] = [
            cb for cb in user_client.event_callbacks if cb.func is not on_message
        ]
    return result


async def run_echo_bot(bot: AsyncClient, command: str = "!ping", *,
                       mentions: bool = False) -> None:
    """A plain nio bot: reply to each ``command`` text with a notice (forever). With
    ``mentions``, each reply carries an empty ``m.mentions``, as coopbot's do."""
    first = await bot.sync(timeout=0, full_state=True)  # skip history
    assert isinstance(first, SyncResponse), first

    async def on_text(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == bot.user_id or not event.body.startswith(command):
            return
        content = {
            "msgtype": "m.notice",
            "body": "pong" + event.body[len(command):],
            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
        }
        if mentions:
            content["m.mentions"] = {"user_ids": []}
        await bot.room_send(room.room_id, "m.room.message", content)

    bot.add_event_callback(on_text, RoomMessageText)
    await bot.sync_forever(timeout=30000)


async def main_async(n: int, keep: bool) -> LatencyResult:
    tmp = tempfile.mkdtemp(prefix="nio-echo-bench-")
    synapse = Synapse(tmp)
    t0 = time.monotonic()
    synapse.start()
    print(f"Synapse {synapse.url} started in {time.monotonic() - t0:.2f} s (data in {tmp})")
    user = bot = None
    bot_task = None
    try:
        user = make_client(synapse, *synapse.register("benchuser", "pw-benchuser"))
        bot = make_client(synapse, *synapse.register("echobot", "pw-echobot"))
        created = await user.room_create(name="echo bench", invite=[bot.user_id])
        assert isinstance(created, RoomCreateResponse), created
        joined = await bot.join(created.room_id)
        assert isinstance(joined, JoinResponse), joined

        bot_task = asyncio.create_task(run_echo_bot(bot))
        await asyncio.sleep(0.3)  # the bot's first sync
        result = await measure_latency(synapse, user, created.room_id, n)
        print(result.summary("nio echo bot (baseline)"))
        return result
    finally:
        if bot_task is not None:
            bot_task.cancel()
            try:
                await bot_task
            except (asyncio.CancelledError, Exception):
                pass
        for client in (user, bot):
            if client is not None:
                await client.close()
        synapse.stop()
        if not keep:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="number of measured pings")
    parser.add_argument("--keep", action="store_true", help="keep the Synapse data dir")
    args = parser.parse_args()
    asyncio.run(main_async(args.n, args.keep))


if __name__ == "__main__":
    main()
