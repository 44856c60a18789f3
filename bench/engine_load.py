#!/usr/bin/env python
"""The engine under load, in process: commands per second, latency, the clock pass, a wave
of deadlines, and the disk's bare commit rate measured in the same run.

    .venv/bin/python bench/engine_load.py [--members 10000] [--proposals 1000] [--tasks 1000]
                                          [--commands 2000] [--due 1000]

One group; members are inserted in bulk (as an import would), proposals and tasks are opened
through the engine, as people would. Prints one JSON object; compare ratios, not absolutes:
``commands_share_of_bare_commit_rate`` is the median over ten rounds of the commands' rate
divided by the bare commit rate measured just before (as many small commits on the same
disk): the share of the disk's commit rate a command reaches. ``cpu_ms_per_command`` is the
bot's own work, without the waits for the disk. ``grouped``: the same mix committed 4, 16 or
64 commands a transaction (group commit, as the Matrix reader commits a sync batch), with its
share of the bare rate: what allowing it would buy, for the planners, not the goal's figure.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import FakeClock  # noqa: E402
from bot.config import parse  # noqa: E402
from commands.engine import Engine  # noqa: E402
from commands.events import Inbound, Venue  # noqa: E402
from storage.repository import Repository  # noqa: E402
from storage.timestamps import iso  # noqa: E402

CONFIG = """
[bot]
database = "{database}"

[[groups]]
slug = "big"
name = "A big network"
language = "en"
silence_window = "30d"
last_call = "1d"
stall_after = "60d"
quiet_hours = "off"
admins = ["@admin:example.org"]
core = ["@admin:example.org", "@core:example.org"]

[[groups.members]]
slug = "founder"
name = "Founder"
matrix = ["@admin:example.org"]

[[groups.members]]
slug = "core"
name = "Core Org"
matrix = ["@core:example.org"]
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class BareCommits:
    """Small write transactions on the same disk, WAL and synchronous=FULL (the durable
    default the bot keeps): the floor a command's own commit cannot go under. Measured in
    rounds between the rounds of commands, so both see the same load of a shared machine."""

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(folder / "bare.db", isolation_level=None)
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=full")
        self.db.execute("create table t (id integer primary key, v text)")
        # Past the first checkpoint (1,000 pages) before anything is measured: until then
        # each commit grows the WAL file, which costs the file system a journal commit and
        # made the first rounds' bare rate look 2.5 times slower than the steady one (the
        # bot's database, written by the setup, is already there).
        self.rate(2_000)

    def rate(self, count: int) -> float:
        start = time.perf_counter()
        for n in range(count):
            self.db.execute("begin")
            self.db.execute("insert into t (v) values (?)", [str(n)])
            self.db.execute("commit")
        return count / (time.perf_counter() - start)


class Bench:
    def __init__(self, folder: Path) -> None:
        self.config = parse(CONFIG.format(database=folder / "big.db"))
        self.clock = FakeClock()
        self.repo = Repository(self.config.database)
        self.engine = Engine(self.repo, self.clock, self.config.groups, "!")
        self.engine.seed()
        self.ids = 0

    def say(self, person: str, text: str, gap: timedelta = timedelta(milliseconds=10)) -> float:
        self.ids += 1
        event = Inbound(event_id=f"$b{self.ids}", sender=person, text=text, at=self.clock.now(),
                        venue=Venue.ROOM, group="big")
        # Commands 10 ms apart, by people chosen among thousands: the rate limit (10 a minute
        # a person) must not interfere; one person's many commands are spaced by ``gap``.
        self.clock.advance(gap)
        start = time.perf_counter()
        self.engine.handle(event)
        return time.perf_counter() - start

    def add_members(self, count: int) -> None:
        now = iso(self.clock.now())
        with self.repo.transaction():
            for n in range(count):
                slug = f"m{n:05d}"
                self.repo.add_member({
                    "group_slug": "big", "slug": slug, "name": f"Member {n}",
                    "name_key": f"member{n}", "status": "active", "admitted_at": now,
                    "coopted_by": None, "proposal": None, "origin": "import"}, actor="bench")
                self.repo.link_person("big", f"@p{n}:example.org", slug, "bench",
                                      self.clock.now())


def grouped(bench: Bench, bare: BareCommits, make_command, *, sizes: tuple[int, ...],
            count: int) -> dict[str, dict[str, float]]:
    """What committing commands that arrive together in one transaction would buy (group
    commit; the Matrix reader already applies a sync batch so, its replies going out after
    the batch's commit): for ``size`` commands a commit, the rate, its share of the bare
    commit rate measured just before, and the bot's CPU a command. Not what one command
    arriving alone costs (above): the figure for a decision on the goal, not the goal's."""
    figures = {}
    for size in sizes:
        commands = [make_command(n) for n in range(count)]
        rate = bare.rate(count)
        start, cpu_start = time.perf_counter(), time.process_time()
        for first in range(0, count, size):
            with bench.repo.transaction():
                for _, person, text in commands[first:first + size]:
                    bench.say(person, text)
        seconds = time.perf_counter() - start
        figures[f"{size}_a_commit"] = {
            "commands_per_s": round(count / seconds),
            "share_of_bare_commit_rate": round(count / seconds / rate, 3),
            "cpu_ms_per_command": round((time.process_time() - cpu_start) * 1000 / count, 3)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--proposals", type=int, default=1_000)
    parser.add_argument("--tasks", type=int, default=1_000)
    parser.add_argument("--commands", type=int, default=2_000)
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()
    figures: dict[str, object] = {"members": args.members, "open_proposals": args.proposals,
                                  "open_tasks": args.tasks}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = BareCommits(folder)
        bench = Bench(folder)
        bench.add_members(args.members)
        start = time.perf_counter()
        for n in range(args.proposals):
            bench.say(f"@p{n % args.members}:example.org", f'!propose "Candidate {n}" a reason')
        figures["setup_propose_ms_each"] = round(
            (time.perf_counter() - start) * 1000 / max(1, args.proposals), 2)
        for n in range(args.tasks):  # one admin, 10 commands a minute at most
            bench.say("@admin:example.org", f'!mandate @p{n % args.members}:example.org "Task {n}"',
                      gap=timedelta(seconds=7))
        # What the figures are about, counted (a refused setup command would make it less).
        conn = bench.repo.db.conn
        figures["open_proposals"] = conn.execute(
            "select count(*) from proposals where state = 'open'").fetchone()[0]
        figures["open_tasks"] = conn.execute(
            "select count(*) from tasks where state in ('open', 'feedback')").fetchone()[0]
        rng = random.Random(1)
        latencies: dict[str, list[float]] = {"status": [], "object": [], "support": [],
                                             "update": []}
        # Rounds of commands, each after a round of bare commits of as many: the share is the
        # median of the rounds' ratios (a shared machine's load moves within a run).

        def make_command(n: int) -> tuple[str, str, str]:
            kind = list(latencies)[n % len(latencies)]
            person = f"@p{rng.randrange(args.members)}:example.org"
            number = rng.randrange(1, args.proposals + 1)
            task = rng.randrange(1, args.tasks + 1)
            text = {"status": f"!status C-{number}", "object": f"!object C-{number} no",
                    "support": f"!support C-{number}",
                    "update": f"!update T-{task} progress"}[kind]
            if kind == "update":  # by the task's lead (T-n is led by @p{n-1})
                person = f"@p{(task - 1) % args.members}:example.org"
            return kind, person, text

        commands = [make_command(n) for n in range(args.commands)]
        rounds = 10
        size = max(1, len(commands) // rounds)
        bare_rates, command_rates, shares = [], [], []
        cpu = elapsed = 0.0
        for first in range(0, len(commands), size):
            chunk = commands[first:first + size]
            bare_rates.append(bare.rate(len(chunk)))
            start, cpu_start = time.perf_counter(), time.process_time()
            for kind, person, text in chunk:
                latencies[kind].append(bench.say(person, text))
            seconds = time.perf_counter() - start
            cpu += time.process_time() - cpu_start
            elapsed += seconds
            command_rates.append(len(chunk) / seconds)
            shares.append(command_rates[-1] / bare_rates[-1])
        figures["bare_commits_per_s"] = round(statistics.median(bare_rates))
        every = [x for values in latencies.values() for x in values]
        figures["commands_per_s"] = round(len(every) / elapsed, 1)
        figures["command_p50_ms"] = round(statistics.median(every) * 1000, 2)
        figures["command_p99_ms"] = round(percentile(every, 0.99) * 1000, 2)
        for kind, values in latencies.items():
            figures[f"{kind}_p50_ms"] = round(statistics.median(values) * 1000, 2)
        figures["commands_share_of_bare_commit_rate"] = round(statistics.median(shares), 3)
        figures["share_by_round"] = [round(x, 2) for x in shares]
        figures["bare_commits_per_s_by_round"] = [round(x) for x in bare_rates]
        figures["commands_per_s_by_round"] = [round(x) for x in command_rates]
        # CPU, not waiting for the disk: what the bot's own code costs
        figures["cpu_ms_per_command"] = round(cpu * 1000 / len(commands), 3)
        figures["grouped"] = grouped(bench, bare, make_command, sizes=(4, 16, 64),
                                     count=max(64, args.commands // 5))
        # The clock pass with nothing due (every deadline is 30 days away).
        passes = []
        for _ in range(20):
            start = time.perf_counter()
            bench.engine.process_due()
            bench.engine.wakeups()
            passes.append(time.perf_counter() - start)
        figures["idle_clock_pass_ms"] = round(statistics.median(passes) * 1000, 2)
        # A wave of deadlines: the open proposals all fall due at once.
        bench.clock.advance(timedelta(days=31))
        start = time.perf_counter()
        decided = bench.engine.process_due()
        seconds = time.perf_counter() - start
        figures["deadline_wave"] = {"decided_and_nudged": decided, "seconds": round(seconds, 2),
                                    "seconds_per_1000": round(seconds * 1000 / max(1, decided), 2)}
        bench.repo.close()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
