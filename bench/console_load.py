#!/usr/bin/env python
"""Commands per second through the console, as a scripted session types them: every line
goes through the engine, the clock's pass, delivery (printing) and the scheduler.

    .venv/bin/python bench/console_load.py [--members 1000] [--proposals 100] [--lines 2000]

Prints JSON. Members are inserted in bulk; proposals are opened through the console.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.config import parse  # noqa: E402
from bot.console import Console  # noqa: E402
from storage.timestamps import iso  # noqa: E402

CONFIG = """
[bot]
database = "{database}"

[[groups]]
slug = "big"
name = "A big network"
language = "en"
silence_window = "30d"
admins = ["@admin:example.org"]
core = ["@admin:example.org"]

[[groups.members]]
slug = "founder"
name = "Founder"
matrix = ["@admin:example.org"]
"""


async def run(args: argparse.Namespace, folder: Path) -> dict:
    config = parse(CONFIG.format(database=folder / "console.db"))
    console = Console(config, out=io.StringIO(), err=io.StringIO())
    repo = console.runtime.repo
    console.runtime.prepare()
    with repo.transaction():
        for n in range(args.members):
            slug = f"m{n:05d}"
            repo.add_member({"group_slug": "big", "slug": slug, "name": f"Member {n}",
                             "name_key": f"member{n}", "status": "active",
                             "admitted_at": iso(console.clock.now()), "coopted_by": None,
                             "proposal": None, "origin": "import"}, actor="bench")
            repo.link_person("big", f"@p{n}:example.org", slug, "bench", console.clock.now())
    console.wakeups.start()
    try:
        for n in range(args.proposals):
            console.person = f"@p{n}:example.org"
            await console.feed(f'!propose "Candidate {n}" a reason')
        lines = []
        for n in range(args.lines):
            person = f"@p{(n * 7919) % args.members}:example.org"
            number = n % args.proposals + 1
            lines.append((person, (f"!status C-{number}", f"!support C-{number}")[n % 2]))
        started = time.perf_counter()
        for person, line in lines:
            console.person = person
            await console.feed(line)
        elapsed = time.perf_counter() - started
    finally:
        console.wakeups.shutdown()
        console.runtime.close()
    return {"members": args.members, "open_proposals": args.proposals, "lines": args.lines,
            "console_commands_per_s": round(args.lines / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--proposals", type=int, default=100)
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(asyncio.run(run(args, Path(tmp))), indent=2))


if __name__ == "__main__":
    main()
