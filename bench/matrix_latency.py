#!/usr/bin/env python
"""Command-to-reply latency through coopbot against a plain nio echo bot, on the same Synapse
in the same run, and coopbot's memory at idle.

    /work/venv/bin/python bench/matrix_latency.py [-n 9] [--users 5] [--command "!status C-1"]

Both bots run as their own processes (``coopbot run --config …`` and the echo bot of
``bench/nio_echo_baseline.py``); the people typing run here, and latency is measured by
``nio_echo_baseline.measure_latency``: from just before the send until the reply shows up in
the sender's own /sync. Rounds alternate between the two bots, person by person, so both see
the same homeserver at the same moment. coopbot allows a person 10 commands a minute, so each
person sends ``n`` measured commands plus one warm-up to each bot (45 samples by default).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nio import AsyncClient, AsyncClientConfig, RoomCreateResponse  # noqa: E402

from bench.nio_echo_baseline import (  # noqa: E402
    LatencyResult,
    make_client,
    measure_latency,
    run_echo_bot,
)
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
name = "Bench Network"
language = "en"
matrix_room = "{room}"
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


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


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


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


async def main_async(n: int, users_count: int, command: str, keep: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="coopbot-latency-"))
    synapse = Synapse(tmp / "synapse")
    synapse.start()
    print(f"Synapse {synapse.url} ({tmp})")
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
        config.write_text(CONFIG.format(
            database=tmp / "coopbot.db", homeserver=synapse.url, bot=coop_user[0],
            room=coop_room.room_id, first=first.user_id,
            members="".join(MEMBER.format(n=i, user=p.user_id) for i, p in enumerate(people))))
        env = dict(os.environ, BENCH_COOPBOT_TOKEN=coop_user[1])
        coop_log, echo_log = tmp / "coopbot.log", tmp / "echobot.log"
        coop = spawn([sys.executable, "-m", "bot.cli", "run", "--config", str(config)], env,
                     coop_log)
        echo = spawn([sys.executable, __file__, "--echo-bot", synapse.url, *echo_user], env,
                     echo_log)
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

        baseline, coopbot = LatencyResult(), LatencyResult()
        for person in people[1:]:
            e = await measure_latency(synapse, person, echo_room.room_id, n, command="!ping",
                                      warmup=1)
            c = await measure_latency(synapse, person, coop_room.room_id, n, command=command,
                                      warmup=1, is_reply=_coopbot_reply(coop_user[0]))
            baseline.samples_ms.extend(e.samples_ms)
            coopbot.samples_ms.extend(c.samples_ms)

        await asyncio.sleep(10.0)  # idle: nothing sent for 10 s
        idle_after = rss_kib(coop.pid)
        echo_rss = rss_kib(echo.pid)

        print(baseline.summary("nio echo bot (baseline)"))
        print(coopbot.summary(f"coopbot ({command})"))
        print(f"ratio coopbot/echo: median {coopbot.median / baseline.median:.2f}x, "
              f"p95 {coopbot.p95 / baseline.p95:.2f}x; coopbot's own cost ~"
              f"{coopbot.median - baseline.median:.1f} ms at the median")
        print(f"coopbot RSS at idle: {idle_before['VmRSS'] / 1024:.1f} MiB after start, "
              f"{idle_after['VmRSS'] / 1024:.1f} MiB after the run "
              f"(peak {idle_after['VmHWM'] / 1024:.1f} MiB); the echo bot: "
              f"{echo_rss['VmRSS'] / 1024:.1f} MiB")
    finally:
        stop(coop)
        stop(echo)
        for person in people:
            await person.close()
        synapse.stop()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _coopbot_reply(bot_id: str):
    def is_reply(event, user_id: str) -> bool:
        return event.sender == bot_id and getattr(event, "source", {}).get(
            "content", {}).get("msgtype") == "m.notice"
    return is_reply


async def echo_bot_process(url: str, user_id: str, token: str, device_id: str) -> None:
    """The baseline bot, alone in its own process like coopbot."""
    bot = AsyncClient(url, user_id, device_id=device_id,
                      config=AsyncClientConfig(max_timeouts=5, request_timeout=30))
    bot.restore_login(user_id, device_id, token)
    print("listening", flush=True)
    await run_echo_bot(bot)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--echo-bot":
        asyncio.run(echo_bot_process(*sys.argv[2:6]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=9, help="measured commands per person and bot")
    parser.add_argument("--users", type=int, default=5, help="people typing, one after another")
    parser.add_argument("--command", default="!status C-1")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    if args.n + 1 > 10:
        parser.error("coopbot allows 10 commands a minute per person: -n 9 at most")
    asyncio.run(main_async(args.n, args.users, args.command, args.keep))


if __name__ == "__main__":
    main()
