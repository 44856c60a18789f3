"""The cooptation tree (issue 13, item 2): its JSON and DOT for a small history (founders, a
cooptation, a readmission), its PNG (decoded with Pillow), ``!tree`` through the engine and
the console, ``coopbot export --what tree``, and Pillow imported only when a tree is drawn."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot import export
from commands import tree as trees
from tests.harness import ALICE, BASE_CONFIG, BOB, DAN, coopbot, console_blocks

BRUSSELS = ZoneInfo("Europe/Brussels")


def history(h) -> None:
    """Four founders; Financité coopts Repair Together (C-1), Dewey coopts Other Org (C-2);
    Other Org leaves and comes back, coopted by Réseau Transition (C-3)."""
    h.say(DAN, '!propose "Repair Together" they fix things with us')
    h.say(ALICE, '!propose "Other Org" they do other things')
    h.advance("5d")
    h.say(ALICE, "!member leave other-org")
    h.say(BOB, '!propose "Other Org" they are back')
    h.advance("5d")
    h.sent()


def founder(slug: str, name: str) -> dict:
    return {"group": "sem", "slug": slug, "name": name, "status": "active", "founder": True,
            "depth": 0, "parent": None, "admitted_at": "2026-11-02T09:00:00Z",
            "proposal": None,
            "admissions": [{"at": "2026-11-02T09:00:00Z", "coopted_by": None,
                            "proposal": None, "readmission": False}]}


def test_the_trees_json_for_founders_a_cooptation_and_a_readmission(harness):
    history(harness)
    tree = trees.build(harness.repo, "sem", "SEM")
    assert export._plain(trees.as_json([tree])) == {
        "nodes": [
            founder("dewey", "Dewey ASBL"),
            {"group": "sem", "slug": "other-org", "name": "Other Org", "status": "active",
             "founder": False, "depth": 1, "parent": "dewey",
             "admitted_at": "2026-11-07T09:00:00Z", "proposal": "C-2",
             "admissions": [
                 {"at": "2026-11-07T09:00:00Z", "coopted_by": "dewey", "proposal": "C-2",
                  "readmission": False},
                 {"at": "2026-11-12T09:00:00Z", "coopted_by": "transition",
                  "proposal": "C-3", "readmission": True}]},
            founder("financite", "Financité"),
            {"group": "sem", "slug": "repair-together", "name": "Repair Together",
             "status": "active", "founder": False, "depth": 1, "parent": "financite",
             "admitted_at": "2026-11-07T09:00:00Z", "proposal": "C-1",
             "admissions": [{"at": "2026-11-07T09:00:00Z", "coopted_by": "financite",
                             "proposal": "C-1", "readmission": False}]},
            founder("singularites", "Petites Singularités"),
            founder("transition", "Réseau Transition"),
        ],
        "edges": [
            {"group": "sem", "from": "dewey", "to": "other-org", "at": "2026-11-07T09:00:00Z",
             "proposal": "C-2", "readmission": False},
            {"group": "sem", "from": "transition", "to": "other-org",
             "at": "2026-11-12T09:00:00Z", "proposal": "C-3", "readmission": True},
            {"group": "sem", "from": "financite", "to": "repair-together",
             "at": "2026-11-07T09:00:00Z", "proposal": "C-1", "readmission": False},
        ],
    }


def test_the_trees_dot_text(harness):
    history(harness)
    harness.say(ALICE, "!member suspend repair-together")
    tree = trees.build(harness.repo, "sem", 'Système "SEM"')
    assert trees.as_dot([tree], {"sem": BRUSSELS}, {"sem": "fr"}) == """\
digraph cooptation {
  rankdir=LR;
  node [shape=box, style=rounded, fontname="Helvetica"];
  edge [fontname="Helvetica", fontsize=10];
  subgraph "cluster_sem" {
    label="Système \\"SEM\\"";
    "sem/dewey" [label="Dewey ASBL", peripheries=2];
    "sem/other-org" [label="Other Org"];
    "sem/financite" [label="Financité", peripheries=2];
    "sem/repair-together" [label="Repair Together\\n(suspendu)", color=gray50, fontcolor=gray50];
    "sem/singularites" [label="Petites Singularités", peripheries=2];
    "sem/transition" [label="Réseau Transition", peripheries=2];
    "sem/dewey" -> "sem/other-org" [label="2026-11-07 C-2"];
    "sem/transition" -> "sem/other-org" [label="2026-11-12 C-3", style=dashed];
    "sem/financite" -> "sem/repair-together" [label="2026-11-07 C-1"];
  }
}
"""


def synthetic(count: int) -> trees.Tree:
    """A tree of ``count`` members: four founders, then each coopted by an earlier one."""
    start = datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)
    nodes, children = {}, {}
    for index in range(count):
        slug = f"m{index}"
        parent = None if index < 4 else f"m{(index * 7) % index}"
        at = start + timedelta(days=index)
        nodes[slug] = trees.Node(slug, f"Organisation {index} à Bruxelles", "active",
                                 (trees.Admission(at, parent, None if parent is None
                                                  else f"C-{index}", False),), parent)
        children.setdefault(parent, []).append(slug)
    return trees.Tree("sem", "SEM", nodes, children)


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_picture_is_a_png_whose_size_grows_with_the_members():
    sizes = []
    for count in (3, 30, 200):
        picture = trees.TreePicture(synthetic(count), BRUSSELS, date(2026, 11, 2)).draw("en")
        image = decode(picture.data)
        assert image.format == "PNG" and picture.mimetype == "image/png"
        assert image.size == (picture.width, picture.height)
        sizes.append(image.size)
    (w3, h3), (w30, h30), (w200, h200) = sizes
    assert h3 < h30 and w3 <= w30 < w200
    assert w3 * h3 < w30 * h30 < w200 * h200
    # 200 members are set in columns, not one strip thousands of pixels high.
    assert h200 < 26 * 200 / 2 and w200 > 2 * w30


def test_tree_replies_with_a_picture_in_the_callers_language(harness):
    history(harness)
    rows = harness.say(ALICE, "!tree")
    assert len(rows) == 1 and rows[0]["attachment"] == "image"
    assert rows[0]["plain"] == ("Système d'Échange du Mycélium: who coopted whom — 6 members, "
                                "4 of them founders (Thursday 12 November 2026).")
    stored = harness.repo.outbox_file(rows[0]["id"])
    assert stored.filename == "coopbot-tree-sem-2026-11-12.png"
    assert decode(stored.data).size == (stored.width, stored.height) and stored.size > 0
    dutch = harness.say(BOB, "!stamboom")
    assert dutch[0]["plain"].startswith("Système d'Échange du Mycélium: wie wie heeft "
                                        "gecoöpteerd — 6 leden, waarvan 4 stichtend")
    assert harness.repo.outbox_file(dutch[0]["id"]).data != stored.data  # written in Dutch
    refused = harness.say(ALICE, "!tree please")
    assert (refused[0]["attachment"], refused[0]["plain"]) == (
        None, "I did not understand 'please'. Syntax: !tree")


def test_a_tree_too_big_to_draw_says_how_to_export_it(harness, monkeypatch):
    monkeypatch.setattr(trees, "MAX_DRAWN", 3)
    rows = harness.say(ALICE, "!tree")
    assert rows[0]["attachment"] is None
    assert rows[0]["plain"] == ("The tree has 4 members: too many for one picture (at most 3). "
                                "The bot's host can export it as text: coopbot export --what "
                                "tree --format dot")


def test_tree_in_the_console_writes_the_picture_and_says_where(tmp_path):
    config = tmp_path / "sem.toml"
    config.write_text(BASE_CONFIG.format(database="sem.db", language="fr", min_supporters=0,
                                         charter="[]"))
    script = ['!coopter "Repair Together" ils réparent', "/advance 5d", "!arbre", "/quit"]
    blocks = console_blocks(coopbot("console", "--config", str(config),
                                    stdin="\n".join(script) + "\n", cwd=tmp_path))
    last = blocks[-1].splitlines()
    assert last[0] == "[room sem]"
    assert last[1].startswith("Système d'Échange du Mycélium : qui a coopté qui — 5 membres, "
                              "dont 4 fondateurs (")
    assert last[2].startswith("(picture: ") and last[2].endswith(".png)")
    path = Path(last[2][len("(picture: "):-1])
    assert path.parent == tmp_path / "sem-pictures"
    image = decode(path.read_bytes())
    assert image.width > 300 and image.height > 150
    # Once shown, the outbox keeps what was sent, not the bytes.
    database = sqlite3.connect(tmp_path / "sem.db")
    assert database.execute("select length(data), size from outbox_files").fetchall() \
        == [(0, len(path.read_bytes()))]


def test_export_the_tree_as_json_dot_and_png(tmp_path):
    config = tmp_path / "sem.toml"
    config.write_text(BASE_CONFIG.format(database="sem.db", language="en", min_supporters=0,
                                         charter="[]"))
    coopbot("console", "--config", str(config),
            stdin='!propose "Repair Together" they fix\n/advance 5d\n/quit\n', cwd=tmp_path)
    as_json = coopbot("export", "--config", str(config), "--what", "tree")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert [n["slug"] for n in data["nodes"]] == ["dewey", "repair-together", "financite",
                                                  "singularites", "transition"]
    assert [(e["from"], e["to"], e["proposal"]) for e in data["edges"]] == \
        [("dewey", "repair-together", "C-1")]
    dot = coopbot("export", "--config", str(config), "--what", "tree", "--format", "dot")
    assert dot.stdout.startswith("digraph cooptation {\n")
    assert '"sem/dewey" -> "sem/repair-together" [label="' in dot.stdout
    out = tmp_path / "tree.png"
    png = coopbot("export", "--config", str(config), "--what", "tree", "--format", "png",
                  "--output", str(out))
    assert png.returncode == 0, png.stderr
    assert decode(out.read_bytes()).format == "PNG"
    piped = subprocess.run([*_coopbot_command(), "export", "--config", str(config), "--what",
                            "tree", "--format", "png"], capture_output=True, timeout=60)
    assert piped.returncode == 0 and piped.stdout == out.read_bytes()
    csv = coopbot("export", "--config", str(config), "--what", "tree", "--format", "csv")
    assert csv.returncode == 1
    assert "the tree is exported as json, dot, png, not csv" in csv.stderr
    wrong = coopbot("export", "--config", str(config), "--what", "members", "--format", "png")
    assert wrong.returncode == 1 and "for --what tree" in wrong.stderr


def _coopbot_command() -> list[str]:
    script = Path(sys.executable).with_name("coopbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


LAZY = r"""
import sys, tempfile, os
sys.path.insert(0, {root!r})
import bot.cli, bot.console, bot.matrix, bot.runtime, commands.engine, commands.table
from tests.harness import Harness, ALICE
h = Harness(os.path.join(tempfile.mkdtemp(), "c.db"))
h.say(ALICE, "!status C-1")
h.advance("1d")
before = "PIL" in sys.modules
h.say(ALICE, "!tree")
print(before, "PIL" in sys.modules)
"""


def test_pillow_is_imported_only_when_a_tree_is_drawn():
    root = str(Path(__file__).resolve().parents[1])
    result = subprocess.run([sys.executable, "-c", LAZY.format(root=root)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def chain(count: int) -> trees.Tree:
    """A tree of ``count`` members each coopted by the one before: one founder, one line."""
    start = datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)
    nodes, children = {}, {}
    for index in range(count):
        slug, parent = f"m{index}", (f"m{index - 1}" if index else None)
        nodes[slug] = trees.Node(slug, f"Organisation {index} à Bruxelles", "active",
                                 (trees.Admission(start + timedelta(days=index), parent,
                                                  f"C-{index}" if parent else None, False),),
                                 parent)
        children.setdefault(parent, []).append(slug)
    return trees.Tree("sem", "SEM", nodes, children)


def test_a_tree_too_deep_for_one_picture_is_refused_before_it_is_drawn(harness, monkeypatch):
    """Far under ``MAX_DRAWN`` members, a deep line (each member coopted by the one before)
    grows the outline in width (its indentation) and in height (each column repeats the
    ancestors of its first row): 1,000 members in a line would be 34,000 x 26,000 pixels,
    gigabytes of memory for one ``!tree``. Such a tree is refused like a tree too big, by its
    picture's size, and nothing is drawn; a broad tree of as many members is still drawn."""
    from commands import tree_picture

    drawn = []
    monkeypatch.setattr(tree_picture, "draw", lambda *args: drawn.append(args))
    monkeypatch.setattr(trees, "build", lambda repo, group, name: chain(1000))
    [reply] = harness.say(ALICE, "!tree")
    assert reply["attachment"] is None and drawn == []
    assert "too deep: its picture would be too large (33707 × 26118 pixels" in reply["plain"]
    assert "coopbot export --what tree --format dot" in reply["plain"]
    [fr] = harness.say(ALICE, "!arbre")
    assert "trop profond : son image serait trop grande" in fr["plain"]
    width, height = tree_picture.layout(synthetic(1000), "en", BRUSSELS, date(2026, 11, 2))
    assert width * height <= trees.MAX_PIXELS                  # as the bench draws it
