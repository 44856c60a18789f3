#!/usr/bin/env python
"""A backlog after downtime: how long coopbot takes, once restarted, to apply 10,000 events
typed while it was down and to decide a deadline that came due meanwhile.

    .venv/bin/python bench/matrix_backlog.py [--events 10000] [--people 200] [--replies]
        [--synapse-db sqlite|postgres] [--synapse-analyze]

On a throw-away Synapse (``tests/matrix/synapse.py``, rate limits raised): ``people`` members
in one group room. coopbot runs as its own process (``coopbot run --config …``); C-1 is
proposed with a 30 s silence window and C-2 with 5 days, then coopbot is stopped.
While it is down the people send ``events`` messages, spread evenly over them (each person's
come one after another, ``--concurrency`` sends at a time): ``!status C-1``, ``!support C-2``,
``!status C-2``, ``!list`` and chat. C-1's deadline passes meanwhile. coopbot is started
again and its database is watched (read-only, every 50 ms) from the moment it is spawned:

- ``applied_s``: every command is in ``processed_events`` and the sync position is stored
  (the position moves only once the whole batch, read-back included, is applied);
- ``decided_s``: C-1 is no longer open (deadlines are decided only once the room is read up
  to them);
- ``replies_s`` (with ``--replies``): the outbox is empty (Synapse takes tens of ms a send);
- ``synapse_messages_s``: the time Synapse spent answering the bot's /messages requests
  meanwhile (its access log), the homeserver's share of ``applied_s``: on this test Synapse
  (SQLite) each page costs more the longer the room.

Why, and what a deployment does about it: ~83 % of Synapse's time there (py-spy) is one SQL
query per page, the bundled aggregations' edits lookup (``get_applicable_edits``, run for
every message whatever the page size or filter). Synapse never runs ANALYZE on SQLite, so
the planner has no statistics and joins that query through every event of the room for
each event of the page (~2 ms an event in a 10,000-event room; ~1 ms with statistics for a
whole page). The options, each measured on 10,000 events:

- ``--synapse-db postgres``: Synapse on PostgreSQL (``bench/postgres.py``; as root it runs
  as OS user ``pg``, ``useradd -m pg``; needs ``psycopg2-binary``), what Synapse's docs
  require in production (SQLite is "for testing only"): its autovacuum keeps statistics
  and the query has a PostgreSQL form of its own. synapse_messages_s 22.8 -> 4.7 s,
  applied_s 25.6 -> 17.8 s (later the same day, after the bot's !status got cheaper:
  synapse_messages_s 2.8 s, applied_s 8.2 s; the README has the latest).
- ``--synapse-analyze``: ANALYZE Synapse's database once the backlog is sent, what an
  operator keeping SQLite can do (``sqlite3 homeserver.db ANALYZE``). synapse_messages_s
  -> 2.6 s, applied_s -> 11.8 s (later: 2.2 s and 8.9 s).

With either, the read-back is bound by the bot's own CPU (``bot_cpu_s`` ~ ``applied_s``),
Synapse's pages come while the previous one is applied. Bigger caches (``caches:
global_factor``, ``event_cache_size``) do not help: each event is read once, the query
costs by its plan, not by cache misses.

Commands are rate limited per person by when they were sent (10 a minute): with the default
200 people, how many were over the limit depends on how fast Synapse took them
(``rate_limited_notices`` counts the notices; a command over the limit is still applied).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nio import (  # noqa: E402
    AsyncClient,
    JoinResponse,
    RoomCreateResponse,
    RoomPreset,
    RoomSendResponse,
)

from bench.matrix_latency import (  # noqa: E402
    coopbot_command,
    coopbot_config,
    cpu_seconds,
    rss_kib,
    spawn,
    stop,
    wait_for_text,
)
from bench.nio_echo_baseline import make_client  # noqa: E402
from bench.postgres import Postgres  # noqa: E402
from tests.matrix.synapse import Synapse  # noqa: E402

MIX = [("!status C-1", 30), ("!support C-2", 20), ("!status C-2", 15), ("!list", 5),
       (None, 30)]  # None: chat, not a command
SYNC_TOKEN = "matrix_sync_token"
RATE_LIMITED = "%slow down%"  # the English notice of err.rate_limited



def messages(count: int, people: int, seed: int = 7) -> list[list[str]]:
    """Each person's messages, in order; spread evenly over the people."""
    rng = random.Random(seed)
    texts, weights = zip(*MIX)
    out: list[list[str]] = [[] for _ in range(people)]
    for i in range(count):
        text = rng.choices(texts, weights)[0]
        out[i % people].append(text if text else f"chatting away, message {i}")
    return out


class Watch:
    """coopbot's database, read-only, as it is being written."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)

    def value(self, sql: str, params: tuple = ()) -> object:
        try:
            row = self.conn.execute(sql, params).fetchone()
        except sqlite3.OperationalError:
            return None  # busy: read again at the next poll
        return row[0] if row else None

    def processed(self) -> int:
        return int(self.value("select count(*) from processed_events") or 0)

    def token(self) -> str | None:
        return self.value("select value from meta where key = ?", (SYNC_TOKEN,))

    def state(self, number: int) -> str | None:
        return self.value("select state from proposals where group_slug = 'bench' and number = ?",
                          (number,))

    def pending(self) -> int:
        return int(self.value("select count(*) from outbox where sent_at is null") or 0)

    def close(self) -> None:
        self.conn.close()


LOG_MARKS = {"read_back_s": "events missed while away",
             "listening_s": "coopbot is listening"}


def log_times(log: Path, spawned_wall: float) -> dict[str, float]:
    """When the restarted bot logged each step, in seconds after its spawn (``read_back_s``:
    the whole gap read from /messages, before any of it is applied)."""
    found = {}
    for line in log.read_text(errors="replace").splitlines():  # spawn() starts it afresh
        for key, text in LOG_MARKS.items():
            if text in line and key not in found:
                try:
                    at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
                except ValueError:
                    continue
                found[key] = round(at - spawned_wall, 2)
    return found


_PROCESSED = re.compile(r"\{(@[^}]+)\} Processed request: ([0-9.]+)sec.*\"[A-Z]+ ([^ ?\"]+)")


def homeserver_time(log: Path, user_id: str, since_wall: float, path_part: str) -> float:
    """Seconds Synapse spent answering ``user_id``'s requests whose path holds ``path_part``
    since ``since_wall`` (its access log): the homeserver's share of the read-back."""
    total = 0.0
    for line in log.read_text(errors="replace").splitlines():
        match = _PROCESSED.search(line)
        if not match or match.group(1) != user_id or path_part not in match.group(3):
            continue
        try:
            at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        except ValueError:
            continue
        if at >= since_wall:
            total += float(match.group(2))
    return round(total, 2)


async def until(check, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        await asyncio.sleep(interval)


def analyze(synapse: Synapse, postgres: Postgres | None) -> None:
    """What the homeserver's operator does to its database: ANALYZE, the statistics the query
    planner chooses join orders by. PostgreSQL's autovacuum keeps them; nothing runs it on
    Synapse's SQLite, which then plans without any (``sqlite_stat1`` never written)."""
    if postgres is not None:
        conn = postgres.connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("ANALYZE")
        conn.close()
        return
    conn = sqlite3.connect(synapse.base_dir / "homeserver.db", timeout=60)
    try:
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()


async def main_async(args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="coopbot-backlog-"))
    postgres = None
    if args.synapse_db == "postgres":
        # Its own folder: the server may run as another OS user, who cannot enter ``tmp``.
        postgres = Postgres(Path(tempfile.mkdtemp(prefix="coopbot-backlog-pg-")))
        postgres.start()
    synapse = Synapse(tmp / "synapse",
                      database=postgres.synapse_database() if postgres else None)
    try:
        synapse.start()
    except BaseException:
        if postgres is not None:
            postgres.stop()
        raise
    print(f"Synapse {synapse.url} ({tmp}) on {args.synapse_db}", file=sys.stderr)
    clients: list[AsyncClient] = []
    coop = None
    figures: dict = {"events": args.events, "people": args.people,
                     "synapse_db": args.synapse_db, "synapse_analyze": args.synapse_analyze}
    try:
        people = [synapse.register(f"p{i}", f"pw-p{i}") for i in range(args.people)]
        bot_user = synapse.register("coopbot", "pw-coopbot")
        clients = [make_client(synapse, *p, request_timeout=60, encryption=False)
                   for p in people]
        first = clients[0]
        created = await first.room_create(name="backlog", preset=RoomPreset.public_chat,
                                          invite=[bot_user[0]])
        assert isinstance(created, RoomCreateResponse), created
        room = created.room_id
        gate = asyncio.Semaphore(args.concurrency)

        async def join(client: AsyncClient) -> None:
            async with gate:
                joined = await client.join(room)
                assert isinstance(joined, JoinResponse), joined
        await asyncio.gather(*(join(c) for c in clients[1:]))

        database = tmp / "coopbot.db"
        config = tmp / "coopbot.toml"
        config.write_text(coopbot_config(
            database=database, homeserver=synapse.url, bot=bot_user[0], room=room,
            people=[p[0] for p in people], name="Backlog Network",
            settings='silence_window = "5d"'))
        env = dict(os.environ, BENCH_COOPBOT_TOKEN=bot_user[1])
        command = coopbot_command(config)
        log = tmp / "coopbot.log"
        coop = spawn(command, env, log)
        await wait_for_text(log, "listening", coop, 60)
        watch = Watch(database)

        # C-1 falls due while the bot is down; C-2 stays open (5 days).
        for text in ("!config set silence_window 30s", "!config set last_call 10s",
                     '!propose "Backlog One" due while the bot is away',
                     "!config set silence_window 5d", "!config set last_call 24h",
                     '!propose "Backlog Two" open for days'):
            sent = await first.room_send(room, "m.room.message",
                                         {"msgtype": "m.text", "body": text})
            assert isinstance(sent, RoomSendResponse), sent
        await until(lambda: watch.state(2) == "open" and watch.pending() == 0, 60,
                    "the proposals made and announced")
        deadline = datetime.fromisoformat(str(watch.value(
            "select deadline from proposals where group_slug = 'bench' and number = 1"
        )).replace("Z", "+00:00")).timestamp()
        stop(coop)
        coop = None
        token_before = watch.token()
        processed_before = watch.processed()
        outbox_before = int(watch.value("select max(id) from outbox") or 0)

        # The backlog, while the bot is down.
        plan = messages(args.events, args.people)
        commands = sum(1 for texts in plan for text in texts if text.startswith("!"))
        started = time.monotonic()

        async def type_all(client: AsyncClient, texts: list[str]) -> None:
            for text in texts:
                async with gate:
                    sent = await client.room_send(room, "m.room.message",
                                                  {"msgtype": "m.text", "body": text})
                assert isinstance(sent, RoomSendResponse), sent
        await asyncio.gather(*(type_all(c, texts) for c, texts in zip(clients, plan)))
        figures["sent_in_s"] = round(time.monotonic() - started, 1)
        figures["commands"] = commands
        # Past C-1's deadline by more than the bot's read margin (2 s): the first batch read
        # after the restart covers it.
        await asyncio.sleep(max(0.0, deadline + 3.0 - time.time()))
        assert watch.state(1) == "open", "C-1 was decided before the restart"
        if args.synapse_analyze:
            started = time.monotonic()
            analyze(synapse, postgres)
            figures["analyze_s"] = round(time.monotonic() - started, 2)

        # The restart, measured from the spawn.
        spawned, spawned_wall = time.monotonic(), time.time()
        coop = spawn(command, env, log)
        applied_at = decided_at = None
        while applied_at is None or decided_at is None:
            if coop.poll() is not None:
                raise RuntimeError(f"coopbot exited:\n{log.read_text()[-3000:]}")
            now = time.monotonic()
            if now - spawned > args.timeout:
                raise TimeoutError(f"backlog not applied and decided within {args.timeout} s: "
                                   f"{watch.processed() - processed_before} of {commands} "
                                   f"commands applied")
            if applied_at is None and watch.token() != token_before \
                    and watch.processed() - processed_before >= commands:
                applied_at = now
            if decided_at is None and watch.state(1) not in ("open", None):
                decided_at = now
            await asyncio.sleep(0.05)
        figures["applied_s"] = round(applied_at - spawned, 2)
        figures["decided_s"] = round(decided_at - spawned, 2)
        figures["c1_state"] = watch.state(1)
        figures["log_s"] = log_times(log, spawned_wall)
        figures["synapse_messages_s"] = homeserver_time(synapse.log_path, bot_user[0],
                                                        spawned_wall, "/messages")
        figures["bot_cpu_s"] = round(cpu_seconds(coop.pid), 2)
        figures["bot_peak_rss_mib"] = round(rss_kib(coop.pid)["VmHWM"] / 1024, 1)
        figures["replies_queued"] = int(watch.value(
            "select count(*) from outbox where id > ?", (outbox_before,)) or 0)
        figures["rate_limited_notices"] = int(watch.value(
            "select count(*) from outbox where id > ? and plain like ?",
            (outbox_before, RATE_LIMITED)) or 0)
        if args.replies:
            await until(lambda: watch.pending() == 0, args.timeout * 30, "every reply sent",
                        interval=0.5)
            figures["replies_s"] = round(time.monotonic() - spawned, 1)
        else:
            figures["replies_pending"] = watch.pending()
        figures["goal_s"] = 20.0
        watch.close()
    finally:
        stop(coop)
        for client in clients:
            await client.close()
        synapse.stop()
        if postgres is not None:
            postgres.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
            if postgres is not None:
                shutil.rmtree(postgres.base_dir, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="messages sent while down")
    parser.add_argument("--people", type=int, default=200, help="members typing them")
    parser.add_argument("--concurrency", type=int, default=16, help="sends at a time")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds, after restart")
    parser.add_argument("--replies", action="store_true", help="wait for every reply too")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument("--synapse-db", choices=("sqlite", "postgres"), default="sqlite",
                        help="Synapse's database (postgres: see bench/postgres.py)")
    parser.add_argument("--synapse-analyze", action="store_true",
                        help="ANALYZE Synapse's database once the backlog is sent")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args)), indent=2))


if __name__ == "__main__":
    main()
