"""Operations on a real run (issue 11): coopbot served as ``coopbot run`` serves it, with
``[bot] http_listen``, in a group room on the test Synapse; ``GET /healthz``, ``GET /metrics``
and ``coopbot health`` through a command, a decision, an outage of the homeserver and its
return.

Time that must pass (a silence window, two minutes without a sync) is the bot's clock moved
forward (``ShiftedClock``); every wait polls a condition with a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time
from datetime import timedelta

import pytest
from aiohttp import ClientSession

pytest.importorskip("nio")

from bot import cli  # noqa: E402
from bot import clock as clock_module  # noqa: E402
from bot.clock import ShiftedClock  # noqa: E402
from bot.health import SYNC_STALE  # noqa: E402

from tests.harness import coopbot  # noqa: E402

from .botkit import (  # noqa: E402
    eventually,
    is_bot_notice,
    make_world,
    parse_deadline_from_db,
    run_clock_to,
)
from .synapse import free_port  # noqa: E402


@pytest.fixture
async def served_world(synapse, matrix_user, tmp_path, monkeypatch):
    """A group room whose config sets ``http_listen`` on a free port; windows of an hour."""
    port = free_port()
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch,
                            silence_window="1h", last_call="30m",
                            bot_extra=f'http_listen = "127.0.0.1:{port}"')
    made.http = f"http://127.0.0.1:{port}"
    yield made
    await made.close()


async def get(session: ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url) as answer:
        return answer.status, await answer.text()


def metric_lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if not line.startswith("#")}


def metric(text: str, name_and_labels: str) -> float:
    [value] = [float(line.rsplit(" ", 1)[1]) for line in metric_lines(text)
               if line.rsplit(" ", 1)[0] == name_and_labels]
    return value


async def eventually_async(check, expected, what: str, timeout: float = 30.0) -> None:
    """``eventually`` for an awaited check: poll until it gives ``expected``."""
    seen = []

    async def poll() -> bool:
        seen.append(await check())
        return seen[-1] == expected

    deadline = time.monotonic() + timeout
    while not await poll():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s (last: {seen[-1]})")
        await asyncio.sleep(0.1)


def coopbot_health(config_path, clock: ShiftedClock, monkeypatch) -> tuple[int, dict]:
    """``coopbot health --config FILE`` as the command line parses and runs it, in this
    process: it reads the database beside the running bot, judging at the bot's clock (a
    subprocess would judge at the real time, which the moved clock left behind)."""
    args = cli.parser().parse_args(["health", "--config", str(config_path)])
    out = io.StringIO()
    with monkeypatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setattr(clock_module.SystemClock, "now", lambda self: clock.now())
        code = args.func(args)
    return code, json.loads(out.getvalue())


async def test_health_and_metrics_through_a_run_an_outage_and_the_return(served_world, synapse,
                                                                        monkeypatch):
    world = served_world
    clock = ShiftedClock()
    bot = await world.start_bot(clock=clock, served=True)
    alice, bob, room = world.alice, world.bob, world.room_id

    async with ClientSession() as http:
        # Synced (the first sync is applied before the bot says it is ready), nothing waiting.
        status, body = await get(http, f"{world.http}/healthz")
        assert status == 200, body
        assert json.loads(body)["status"] == "ok"
        # The command itself, beside the running bot (the clock is not moved yet: the real
        # time is the bot's).
        ran = await asyncio.to_thread(coopbot, "health", "--config", str(world.config_path))
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert json.loads(ran.stdout)["status"] == "ok"

        # One command, one refusal, one decision: C-1 validated when its window has passed.
        asked = await alice.say(room, '!propose "Repair Together" they fix things with us')
        assert (await alice.reply_to(room, asked)).body.startswith("Noted: C-1")
        await alice.wait_for(room, is_bot_notice(world, "New proposal C-1"))
        refused = await bob.say(room, "!status C-9")
        await bob.reply_to(room, refused)
        # Everything said so far is delivered before the clock jumps an hour: a message left
        # behind would be an hour old at once (the health check rightly fails on it).
        await eventually(lambda: bot.repo.pending_outbox() == [], 20, "the outbox emptied")
        await run_clock_to(world, clock, parse_deadline_from_db(bot, 1) + timedelta(seconds=1))
        await alice.wait_for(room, is_bot_notice(world, "C-1 is validated"))
        assert bot.repo.proposal("sem", 1).state == "validated"

        status, body = await get(http, f"{world.http}/healthz")
        assert status == 200, body
        assert json.loads(body)["reasons"] == []
        status, text = await get(http, f"{world.http}/metrics")
        assert status == 200
        assert metric(text, 'coopbot_commands_total{command="propose",outcome="ok"}') == 1
        assert metric(text, 'coopbot_commands_total{command="status",outcome="refused"}') == 1
        assert metric(text, 'coopbot_decisions_total{outcome="validated"}') == 1
        assert metric(text, 'coopbot_decisions_total{outcome="rejected"}') == 0
        assert metric(text, 'coopbot_source_lag_seconds{source="matrix"}') < SYNC_STALE.seconds
        assert metric(text, 'coopbot_messages_sent_total') >= 3
        code, report = coopbot_health(world.config_path, clock, monkeypatch)
        assert (code, report["status"]) == (0, "ok"), report

        # A command typed just before the homeserver stops: the bot may or may not have read
        # it, and its reply may or may not have left; either way it is applied once.
        late = await alice.say(room, '!propose "Bike Kitchen" they fix bikes with us')
        await synapse.astop()
        try:
            # Two minutes without a successful sync: failing, with the reason.
            clock.advance(SYNC_STALE + timedelta(seconds=1))
            status, body = await get(http, f"{world.http}/healthz")
            assert status == 503, body
            report = json.loads(body)
            [reason] = report["reasons"]
            assert reason.startswith("no successful Matrix sync for "), reason
            assert report["status"] == "failing"
            assert report["matrix"]["sync_age_seconds"] > SYNC_STALE.total_seconds()
            code, cli_report = coopbot_health(world.config_path, clock, monkeypatch)
            assert code == 1 and cli_report["reasons"] == [reason], cli_report
            status, text = await get(http, f"{world.http}/metrics")
            assert status == 200
            assert metric(text, 'coopbot_source_lag_seconds{source="matrix"}') > 120
        finally:
            await synapse.astart()

        # Back: healthy again once a sync is applied, and the command typed before the stop
        # is answered, once.
        async def healthz() -> int:
            return (await get(http, f"{world.http}/healthz"))[0]
        await eventually_async(healthz, 200, "healthz 200 after the restart")
        reply = await alice.reply_to(room, late, 30)
        assert reply.body.startswith("Noted: C-2"), reply.body
        code, report = coopbot_health(world.config_path, clock, monkeypatch)
        assert (code, report["status"]) == (0, "ok"), report

        # Nothing lost, nothing twice: a round trip after it shows one reply and one C-2.
        listed = await alice.say(room, "!list all")
        await alice.reply_to(room, listed)
        history = await alice.history(room)
        replies = [e for e in history if e["sender"] == world.bot_id
                   and e["content"].get("m.relates_to", {}).get("m.in_reply_to", {})
                   .get("event_id") == late]
        assert len(replies) == 1, replies
        assert bot.repo.proposal("sem", 2).candidate == "Bike Kitchen"
        assert bot.repo.proposal("sem", 3) is None
        status, text = await get(http, f"{world.http}/metrics")
        assert metric(text, 'coopbot_commands_total{command="propose",outcome="ok"}') == 2
        assert metric(text, 'coopbot_commands_total{command="list",outcome="ok"}') == 1
        # An outage of the homeserver is warnings, not errors: the alert on errors stays quiet.
        assert metric(text, 'coopbot_errors_total{logger="bot"}') == 0
        await eventually(lambda: bot.repo.pending_outbox() == [], 20, "the outbox emptied")
        status, text = await get(http, f"{world.http}/metrics")
        assert metric(text, 'coopbot_outbox_pending{kind="deliverable"}') == 0

