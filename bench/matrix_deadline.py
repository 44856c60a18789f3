#!/usr/bin/env python
"""How late a decision is announced after its deadline, on a real Synapse.

    .venv/bin/python bench/matrix_deadline.py [--proposals 8] [--window 20]

coopbot runs as its own process (``coopbot run``) in one group room; ``proposals`` proposals
are made a few seconds apart by different people, each with a silence window of ``window``
seconds, and nobody objects: each is validated by the clock at its deadline. A person's
client, in its own long poll, notes when each "C-n is validated" announcement reaches it.

For each decision (the proposal's stored deadline is read from the bot's database, read-only):

- ``announced_after_deadline_s``: the announcement's ``origin_server_ts`` minus the deadline;
- ``seen_after_deadline_s``: when the person's client received it, minus the deadline;
- ``after_sources_read_s``: ``announced_after_deadline_s`` minus the read margin (2 s). The
  bot decides a deadline only once the room is read up to it: the sync that reads up to an
  instant is one that *started* at least the read margin after it (an event stamped just
  before the deadline may still be being written, and the bot's and the homeserver's clocks
  may differ a little). From that moment, what remains is the bot's own work and the send.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nio import RoomCreateResponse, RoomMessageNotice, RoomMessageText  # noqa: E402

from bench.matrix_latency import (  # noqa: E402
    coopbot_command,
    coopbot_config,
    spawn,
    stop,
    wait_for_text,
)
from bench.nio_echo_baseline import make_client  # noqa: E402
from tests.matrix.synapse import Synapse  # noqa: E402

READ_MARGIN_S = 2.0  # bot.matrix.MatrixAdapter's default read_margin

VALIDATED = re.compile(r"^(C-\d+) is validated")


def deadlines(database: Path) -> dict[str, datetime]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        rows = conn.execute("select number, deadline from proposals").fetchall()
    finally:
        conn.close()
    return {f"C-{number}": datetime.fromisoformat(deadline.replace("Z", "+00:00"))
            for number, deadline in rows}


async def main_async(proposals: int, window: int, keep: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="coopbot-deadline-"))
    synapse = Synapse(tmp / "synapse")
    synapse.start()
    print(f"Synapse {synapse.url} ({tmp})", file=sys.stderr)
    people = []
    coop = None
    try:
        registered = [synapse.register(f"person{i}", f"pw-person{i}")
                      for i in range(proposals + 1)]
        people = [make_client(synapse, *r) for r in registered]
        coop_user = synapse.register("coopbot", "pw-coopbot")
        watcher = people[0]
        room = await watcher.room_create(name="coop", invite=[coop_user[0],
                                                               *[p.user_id for p in people[1:]]])
        assert isinstance(room, RoomCreateResponse), room
        for person in people[1:]:
            await person.join(room.room_id)
        config = tmp / "coopbot.toml"
        config.write_text(coopbot_config(
            database=tmp / "coopbot.db", homeserver=synapse.url, bot=coop_user[0],
            room=room.room_id, people=[p.user_id for p in people], name="Deadline Network",
            settings=f'silence_window = "{window}s"\nlast_call = "1s"\nquiet_hours = "off"'))
        env = dict(os.environ, BENCH_COOPBOT_TOKEN=coop_user[1])
        log = tmp / "coopbot.log"
        coop = spawn(coopbot_command(config), env, log)
        await wait_for_text(log, "listening", coop, 60)

        seen: dict[str, tuple[float, float]] = {}  # ref -> (origin_server_ts, received)

        def on_message(_room, event) -> None:
            if event.sender != coop_user[0]:
                return
            found = VALIDATED.match(event.body or "")
            if found and found.group(1) not in seen:
                seen[found.group(1)] = (event.server_timestamp / 1000, time.time())

        watcher.add_event_callback(on_message, (RoomMessageText, RoomMessageNotice))
        await watcher.sync(timeout=0)  # from now on
        for n, person in enumerate(people[1:], start=1):
            sent = await person.room_send(room.room_id, "m.room.message", {
                "msgtype": "m.text", "body": f'!propose "Deadline Coop {n}" measured'})
            assert hasattr(sent, "event_id"), sent
            await asyncio.sleep(2.5)
        give_up = time.monotonic() + window + 30
        while len(seen) < proposals and time.monotonic() < give_up:
            await watcher.sync(timeout=1000)
        due = deadlines(tmp / "coopbot.db")
    finally:
        stop(coop)
        for person in people:
            await person.close()
        synapse.stop()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)

    announced = [seen[ref][0] - due[ref].timestamp() for ref in seen]
    received = [seen[ref][1] - due[ref].timestamp() for ref in seen]
    return {
        "proposals": proposals,
        "decided": len(seen),
        "announced_after_deadline_s": {"median": round(statistics.median(announced), 2),
                                       "max": round(max(announced), 2)},
        "seen_after_deadline_s": {"median": round(statistics.median(received), 2),
                                  "max": round(max(received), 2)},
        "read_margin_s": READ_MARGIN_S,
        "after_sources_read_s": {"median": round(statistics.median(announced) - READ_MARGIN_S, 2),
                                 "max": round(max(announced) - READ_MARGIN_S, 2)},
        "goal_after_sources_read_s": 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=8)
    parser.add_argument("--window", type=int, default=20, help="silence window, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args.proposals, args.window, args.keep)), indent=2))


if __name__ == "__main__":
    main()
