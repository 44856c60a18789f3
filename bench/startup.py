#!/usr/bin/env python
"""Start-up to first answer of a bot serving many groups, and its memory.

    .venv/bin/python bench/startup.py [--groups 1000] [--members 100] [--proposals 10] [--tasks 10]

Builds a config file with ``groups`` groups of ``members`` founding members each, fills the
database once through the engine (``proposals`` and ``tasks`` per group), then starts the
bot again in a fresh process, as after a restart: parse the config, open the database, seed,
recover, decide what is due, answer one ``!status``. Prints JSON: the time the TOML parser
alone takes on that file (the floor), the start-up beyond it, and the peak RSS.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time, tomllib
sys.path.insert(0, {root!r})
started = time.perf_counter()
text = open({config!r}, encoding="utf-8").read()
tomllib.loads(text)
toml_seconds = time.perf_counter() - started
from bot.clock import FakeClock
from bot.config import load
from bot.runtime import Runtime
from commands.events import Inbound, Venue
from datetime import datetime, timezone
begin = time.perf_counter()
config = load({config!r})
clock = FakeClock(datetime(2026, 11, 3, 9, 0, tzinfo=timezone.utc))
runtime = Runtime(config, clock)
runtime.prepare()
if {setup}:
    for g, group in enumerate(config.groups):
        for n in range({proposals}):
            runtime.engine.handle(Inbound(f"$p{{g}}-{{n}}", f"@u{{g}}-{{n % {members}}}:x.org",
                f'!propose "Candidate {{n}}" a reason', clock.now(), Venue.ROOM, group.slug))
        for n in range({tasks}):
            runtime.engine.handle(Inbound(f"$t{{g}}-{{n}}", f"@u{{g}}-0:x.org",
                f'!mandate @u{{g}}-{{n % {members}}}:x.org "Task {{n}}"', clock.now(),
                Venue.ROOM, group.slug))
runtime.catch_up()
runtime.engine.handle(Inbound("$first", "@u0-1:x.org", "!status C-1", clock.now(), Venue.ROOM,
                              config.groups[0].slug))
answered = time.perf_counter() - begin
runtime.close()
print(json.dumps({{"toml_seconds": toml_seconds, "start_to_first_answer_seconds": answered,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def write_config(folder: Path, groups: int, members: int) -> Path:
    parts = [f'[bot]\ndatabase = "{folder / "start.db"}"\n']
    for g in range(groups):
        parts.append(f'[[groups]]\nslug = "g{g}"\nname = "Group {g}"\nlanguage = "en"\n'
                     f'admins = ["@u{g}-0:x.org"]\ncore = ["@u{g}-0:x.org", "@u{g}-1:x.org"]\n')
        for m in range(members):
            parts.append(f'[[groups.members]]\nslug = "m{m}"\nname = "Member {g}-{m}"\n'
                         f'matrix = ["@u{g}-{m}:x.org"]\n')
    path = folder / "start.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def run_child(config: Path, args: argparse.Namespace, setup: bool) -> dict:
    code = CHILD.format(root=str(ROOT), config=str(config), setup=setup,
                        proposals=args.proposals, tasks=args.tasks, members=args.members)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--proposals", type=int, default=10)
    parser.add_argument("--tasks", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), args.groups, args.members)
        started = time.perf_counter()
        first = run_child(config, args, setup=True)
        setup_seconds = time.perf_counter() - started
        again = run_child(config, args, setup=False)
    print(json.dumps({
        "groups": args.groups, "members": args.groups * args.members,
        "proposals": args.groups * args.proposals, "tasks": args.groups * args.tasks,
        "first_start_and_fill_seconds": round(setup_seconds, 1),
        "toml_parse_seconds": round(again["toml_seconds"], 2),
        "restart_to_first_answer_seconds": round(again["start_to_first_answer_seconds"], 2),
        "beyond_toml_seconds": round(again["start_to_first_answer_seconds"]
                                     - again["toml_seconds"], 2),
        "peak_rss_mib": round(again["peak_rss_mib"], 1),
        "first_start_peak_rss_mib": round(first["peak_rss_mib"], 1),
    }, indent=2))


if __name__ == "__main__":
    main()
