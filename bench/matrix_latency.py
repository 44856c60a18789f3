#!/usr/bin/env python
"""Command-to-reply latency, CPU per command and idle memory of coopbot against a plain nio
echo bot, on the same Synapse in the same run.

    .venv/bin/python bench/matrix_latency.py [-n 9] [--users 10] [--command "!status C-1"]
                                             [--pause 0.05]

Both bots run as their own processes (``coopbot run --config …`` and the echo bot of
``bench/nio_echo_baseline.py``); the people typing run here. Latency is from just before the
send until the reply shows up in the sender's own /sync (a long poll, as a real client's).
Each person alternates between the two bots command by command (echo first on even rounds,
coopbot first on odd ones), so both see the same homeserver at the same moment, and waits
``pause`` after each reply (neither bot is still busy with its own previous reply coming
back). coopbot allows a person 10 commands a minute, so each person sends ``n`` measured
commands plus one warm-up to each bot (90 samples each by default).

``--echo-mentions`` makes the echo bot's replies carry an empty ``m.mentions`` as coopbot's
always do (Synapse takes about 2 ms longer to store such a message, whatever its size): the
ratio then leaves out what the homeserver spends on that, and shows coopbot's own cost.

CPU per command is each bot process's user+system time (``/proc/<pid>/stat``) over all the
rounds, divided by the commands it answered (warm-ups included); idle RSS is read after 10 s
without traffic. Prints one JSON object; compare the ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nio import (  # noqa: E402
    AsyncClient,
    AsyncClientConfig,
    MatrixRoom,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)

from bench.nio_echo_baseline import LatencyResult, make_client, run_echo_bot  # noqa: E402
from tests.matrix.synapse import Synapse  # noqa: E402

CONFIG = """
[bot]
database = "{database}"

[matrix]
homeserver = "{homeserver}"
user_id = "{bot}"
access_token_env = "BENCH_COOPBOT_TOKEN"

[[groups]]
slug = "bench"
name = "{name}"
language = "en"
matrix_room = "{room}"
{settings}
admins = ["{first}"]
core = ["{first}"]
{members}
"""

MEMBER = """
[[groups.members]]
slug = "org{n}"
name = "Organisation {n}"
matrix = ["{user}"]
"""


def coopbot_config(*, database: Path, homeserver: str, bot: str, room: str,
                   people: list[str], name: str = "Bench Network", settings: str = "") -> str:
    """The config of coopbot for a Matrix bench (its token in ``BENCH_COOPBOT_TOKEN``): one
    group in ``room``, each of ``people`` representing an organisation of its own, the
    first also admin and core; ``settings``, more lines of the group's (its rules)."""
    return CONFIG.format(
        database=database, homeserver=homeserver, bot=bot, room=room, name=name,
        settings=settings, first=people[0],
        members="".join(MEMBER.format(n=i, user=user) for i, user in enumerate(people)))


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, in seconds (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ``coopbot run`` under cProfile counting CPU time (not time spent waiting for the disk or
# the network): the profile is written to the file named by argv[1] when the bot stops.
_PROFILED = """import cProfile, runpy, sys, time
out = sys.argv.pop(1)
profile = cProfile.Profile(time.process_time)
profile.enable()
try:
    runpy.run_module("bot.cli", run_name="__main__")
finally:
    profile.disable()
    profile.dump_stats(out)
"""


def coopbot_command(config: Path) -> list[str]:
    """``coopbot run`` as a process of its own; profiled (CPU time) when ``COOPBOT_PROFILE``
    names a file to write the profile to (read it with ``python -m pstats FILE``)."""
    profile = os.environ.get("COOPBOT_PROFILE")
    main = ["-c", _PROFILED, profile] if profile else ["-m", "bot.cli"]
    return [sys.executable, *main, "run", "--config", str(config)]


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


async def wait_for_text(path: Path, text: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text(errors="replace"):
        if process.poll() is not None:
            raise RuntimeError(f"{path.name}: exited early:\n{path.read_text()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name}: no {text!r} within {timeout} s")
        await asyncio.sleep(0.1)


@dataclass
class Target:
    """One bot to measure: its room, the command to send and how its reply is recognised."""

    room_id: str
    command: str
    is_reply: Callable[[object], bool]
    result: LatencyResult = field(default_factory=LatencyResult)
    sent: int = 0


async def measure_alternating(person: AsyncClient, targets: list[Target], n: int, *,
                              warmup: int = 1, pause: float = 0.05,
                              reply_timeout: float = 10.0) -> None:
    """``warmup + n`` commands from ``person`` to each target, alternating target by target
    (the order flips every round), ``pause`` seconds apart after each reply so that neither
    bot is still busy with the previous one. Latency: from just before the send until the
    reply to that very command shows up in the person's own long-poll /sync."""
    seen: dict[str, float] = {}  # the command's event id -> when its reply arrived
    arrived = asyncio.Event()
    by_room = {t.room_id: t for t in targets}

    async def on_message(room: MatrixRoom, event) -> None:
        target = by_room.get(room.room_id)
        relates = getattr(event, "source", {}).get("content", {}).get("m.relates_to", {})
        command = relates.get("m.in_reply_to", {}).get("event_id")
        if target is not None and target.is_reply(event) and command:
            seen.setdefault(command, time.perf_counter())
            arrived.set()

    first = await person.sync(timeout=0, full_state=True)  # older replies are not counted
    assert isinstance(first, SyncResponse), first
    person.add_event_callback(on_message, (RoomMessageNotice, RoomMessageText))

    async def sync_loop() -> None:
        while True:
            if not isinstance(await person.sync(timeout=30000), SyncResponse):
                await asyncio.sleep(0.1)

    syncer = asyncio.create_task(sync_loop())
    try:
        await asyncio.sleep(0.2)  # the long poll reaches the server before the first command
        for i in range(warmup + n):
            for target in (targets if i % 2 == 0 else targets[::-1]):
                arrived.clear()
                t0 = time.perf_counter()
                sent = await person.room_send(target.room_id, "m.room.message",
                                              {"msgtype": "m.text", "body": target.command})
                if not isinstance(sent, RoomSendResponse):
                    raise RuntimeError(f"send failed: {sent}")
                target.sent += 1
                while sent.event_id not in seen:
                    remaining = t0 + reply_timeout - time.perf_counter()
                    if remaining <= 0:
                        raise TimeoutError(f"no reply to {target.command!r} {i} "
                                           f"({sent.event_id}) in {reply_timeout} s")
                    try:
                        await asyncio.wait_for(arrived.wait(), remaining)
                    except TimeoutError:
                        pass
                    arrived.clear()
                if i >= warmup:
                    target.result.samples_ms.append((seen[sent.event_id] - t0) * 1000)
                await asyncio.sleep(pause)
    finally:
        syncer.cancel()
        try:
            await syncer
        except (asyncio.CancelledError, Exception):
            pass
        person.event_callbacks[:] = [cb for cb in person.event_callbacks
                                     if cb.func is not on_message]


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


async def main_async(n: int, users_count: int, command: str, pause: float, keep: bool,
                     echo_mentions: bool = False) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="coopbot-latency-"))
    synapse = Synapse(tmp / "synapse")
    synapse.start()
    print(f"Synapse {synapse.url} ({tmp})", file=sys.stderr)
    people = []
    echo = coop = None
    try:
        # person0 only makes the proposal that !status shows; the others are measured.
        registered = [synapse.register(f"person{i}", f"pw-person{i}")
                      for i in range(users_count + 1)]
        people = [make_client(synapse, *r) for r in registered]
        echo_user = synapse.register("echobot", "pw-echobot")
        coop_user = synapse.register("coopbot", "pw-coopbot")
        first = people[0]
        others = [p.user_id for p in people[1:]]

        echo_room = await first.room_create(name="echo", invite=[echo_user[0], *others])
        coop_room = await first.room_create(name="coop", invite=[coop_user[0], *others])
        assert isinstance(echo_room, RoomCreateResponse) and isinstance(coop_room,
                                                                        RoomCreateResponse)
        echo_client = make_client(synapse, *echo_user)
        await echo_client.join(echo_room.room_id)
        await echo_client.close()
        for person in people[1:]:
            await person.join(echo_room.room_id)
            await person.join(coop_room.room_id)

        config = tmp / "coopbot.toml"
        config.write_text(coopbot_config(
            database=tmp / "coopbot.db", homeserver=synapse.url, bot=coop_user[0],
            room=coop_room.room_id, people=[p.user_id for p in people]))
        env = dict(os.environ, BENCH_COOPBOT_TOKEN=coop_user[1])
        coop_log, echo_log = tmp / "coopbot.log", tmp / "echobot.log"
        coop = spawn(coopbot_command(config), env,
                     coop_log)
        echo = spawn([sys.executable, __file__, "--echo-bot", synapse.url, *echo_user,
                      "mentions" if echo_mentions else ""], env, echo_log)
        await wait_for_text(coop_log, "listening", coop, 60)
        await wait_for_text(echo_log, "listening", echo, 60)
        await asyncio.sleep(1.0)  # both bots in their long poll
        idle_before = rss_kib(coop.pid)

        # Something for !status to show: one open proposal.
        proposed = await first.room_send(
            coop_room.room_id, "m.room.message",
            {"msgtype": "m.text", "body": '!propose "Bench Coop" measured things'})
        assert hasattr(proposed, "event_id"), proposed
        await asyncio.sleep(1.0)

        echo_target = Target(echo_room.room_id, "!ping",
                             lambda event: event.sender == echo_user[0])
        coop_target = Target(coop_room.room_id, command, _coopbot_reply(coop_user[0]))
        cpu_before = {"echo": cpu_seconds(echo.pid), "coopbot": cpu_seconds(coop.pid)}
        for person in people[1:]:
            await measure_alternating(person, [echo_target, coop_target], n, pause=pause)
        cpu_after = {"echo": cpu_seconds(echo.pid), "coopbot": cpu_seconds(coop.pid)}

        await asyncio.sleep(10.0)  # idle: nothing sent for 10 s
        idle_after = rss_kib(coop.pid)
        echo_rss = rss_kib(echo.pid)
    finally:
        stop(coop)
        stop(echo)
        for person in people:
            await person.close()
        synapse.stop()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)

    def figures(target: Target, cpu: float) -> dict:
        result = target.result
        return {"samples": len(result.samples_ms), "median_ms": round(result.median, 1),
                "p95_ms": round(result.p95, 1), "min_ms": round(min(result.samples_ms), 1),
                "max_ms": round(max(result.samples_ms), 1),
                "cpu_ms_per_command": round(cpu * 1000 / target.sent, 2)}

    echo_cpu = cpu_after["echo"] - cpu_before["echo"]
    coop_cpu = cpu_after["coopbot"] - cpu_before["coopbot"]
    baseline, coopbot = echo_target.result, coop_target.result
    return {
        "command": command,
        "echo_mentions": echo_mentions,
        "echo": {**figures(echo_target, echo_cpu), "idle_rss_mib": round(echo_rss["VmRSS"] / 1024, 1)},
        "coopbot": {**figures(coop_target, coop_cpu),
                    "idle_rss_mib": round(idle_after["VmRSS"] / 1024, 1),
                    "rss_after_start_mib": round(idle_before["VmRSS"] / 1024, 1),
                    "peak_rss_mib": round(idle_after["VmHWM"] / 1024, 1)},
        "ratio": {"median": round(coopbot.median / baseline.median, 3),
                  "p95": round(coopbot.p95 / baseline.p95, 3),
                  "idle_rss": round(idle_after["VmRSS"] / echo_rss["VmRSS"], 3),
                  "cpu": round(coop_cpu / echo_cpu, 2) if echo_cpu else None},
        "coopbot_own_median_ms": round(coopbot.median - baseline.median, 1),
        "goals": {"median": 1.05, "p95": 1.15, "idle_rss": 1.25, "cpu_ms_per_command": 8.0},
    }


def _coopbot_reply(bot_id: str):
    def is_reply(event) -> bool:
        return event.sender == bot_id and getattr(event, "source", {}).get(
            "content", {}).get("msgtype") == "m.notice"
    return is_reply


async def echo_bot_process(url: str, user_id: str, token: str, device_id: str,
                           mentions: str = "") -> None:
    """The baseline bot, alone in its own process like coopbot."""
    bot = AsyncClient(url, user_id, device_id=device_id,
                      config=AsyncClientConfig(max_timeouts=5, request_timeout=30))
    bot.restore_login(user_id, device_id, token)
    print("listening", flush=True)
    await run_echo_bot(bot, mentions=mentions == "mentions")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--echo-bot":
        asyncio.run(echo_bot_process(*sys.argv[2:7]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=9, help="measured commands per person and bot")
    parser.add_argument("--users", type=int, default=10, help="people typing, one after another")
    parser.add_argument("--command", default="!status C-1")
    parser.add_argument("--pause", type=float, default=0.05,
                        help="seconds between a reply and the next command")
    parser.add_argument("--echo-mentions", action="store_true",
                        help="the echo bot's replies carry an empty m.mentions, as coopbot's")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    if args.n + 1 > 10:
        parser.error("coopbot allows 10 commands a minute per person: -n 9 at most")
    print(json.dumps(asyncio.run(main_async(args.n, args.users, args.command, args.pause,
                                            args.keep, args.echo_mentions)), indent=2))


if __name__ == "__main__":
    main()
