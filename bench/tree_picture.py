#!/usr/bin/env python
"""The cooptation tree's picture at a group's size: time, PNG size and dimensions, and what
drawing it costs in memory.

    .venv/bin/python bench/tree_picture.py [--members 200] [--out tree.png]

Fills a database with ``members`` members (four founders, then each new member coopted by a
random earlier one, some that left and came back), then, in a fresh process as the bot would
be: the RSS before anything is drawn, what importing Pillow and loading the font add, the
time to read the tree and draw it (a first drawing, in French, then a second one in Dutch),
the PNG's size and dimensions, the RSS after and the peak. Prints JSON; ``--out`` keeps the
picture to look at.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("Repair", "Together", "Réseau", "Transition", "Coopérative", "Mycélium", "Buurt",
         "Wijkhuis", "Atelier", "Vélo", "Cuisine", "Solidaire", "Brussel", "Quartier",
         "Énergie", "Citoyenne", "Jardin", "Collectif", "Kring", "Samen", "Léger", "Café")

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})

def rss():  # the current resident set, in MiB (Linux)
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

from storage.repository import Repository
from commands import tree as trees
from zoneinfo import ZoneInfo
from datetime import date
repo = Repository({database!r}, lock=False)
before = rss()
assert "PIL" not in sys.modules
from commands import tree_picture
from PIL import Image, ImageDraw, ImageFont
tree_picture._fonts()
after_import = rss()
started = time.perf_counter()
tree = trees.build(repo, "sem", "Système d'Échange du Mycélium")
read = time.perf_counter() - started
picture = trees.TreePicture(tree, ZoneInfo("Europe/Brussels"), date(2026, 11, 2))
started = time.perf_counter()
first = picture.draw("fr")
first_seconds = time.perf_counter() - started
after_first = rss()
started = time.perf_counter()
second = picture.draw("nl")
second_seconds = time.perf_counter() - started
if {out!r}:
    open({out!r}, "wb").write(first.data)
print(json.dumps({{
    "members": len(tree.nodes), "read_seconds": round(read, 4),
    "first_draw_seconds": round(first_seconds, 3),
    "second_draw_seconds": round(second_seconds, 3),
    "png_bytes": len(first.data), "width": first.width, "height": first.height,
    "rss_before_mib": round(before, 1), "rss_pillow_and_font_mib": round(after_import - before, 1),
    "rss_after_draw_mib": round(after_first, 1),
    "rss_cost_mib": round(after_first - before, 1),
    "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
}}))
"""


def fill(database: str, members: int, seed: int = 13) -> None:
    from storage.repository import Repository

    rng = random.Random(seed)
    repo = Repository(database, lock=False)
    start = datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)
    slugs: list[str] = []
    with repo.transaction():
        repo.ensure_group("sem", "Système d'Échange du Mycélium", start)
        for index in range(members):
            slug = f"m{index:04d}"
            name = " ".join(rng.sample(WORDS, rng.randint(2, 4))) + f" {index}"
            founder = index < 4
            at = start + timedelta(days=3 * index)
            repo.add_member({
                "group_slug": "sem", "slug": slug, "name": name, "name_key": slug,
                "status": "active", "admitted_at": at,
                "coopted_by": None if founder else rng.choice(slugs[-40:] + slugs[:4]),
                "proposal": None if founder else f"sem:C-{index}",
                "origin": "config" if founder else "cooptation"}, actor="bench")
            slugs.append(slug)
            if not founder and rng.random() < 0.05:
                repo.set_member_status("sem", slug, "left", at + timedelta(days=30), "bench")
                if rng.random() < 0.5:
                    repo.readmit_member("sem", slug, name=name, at=at + timedelta(days=90),
                                        proposal=f"sem:C-{members + index}",
                                        coopted_by=rng.choice(slugs[:4]), actor="bench")
    repo.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "tree.db")
        fill(database, args.members)
        child = CHILD.format(root=str(ROOT), database=database, out=args.out)
        result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                                check=True)
        print(json.dumps(json.loads(result.stdout)))


if __name__ == "__main__":
    main()
