"""``coopbot import-members``: a dry run by default, every bad row named with its line and
nothing applied, idempotent, and beside a live bot (it does not take the bot's lock)."""

from __future__ import annotations

import json

import pytest

from bot.clock import FakeClock
from bot.config import parse
from bot.import_members import ImportRefused, apply, plan, read
from bot.runtime import Runtime
from commands.events import Inbound, Venue
from tests.harness import BASE_CONFIG, coopbot

HEADER = "slug,name,matrix,discourse\n"
GOOD = HEADER + (
    'ferme,"La Ferme du Chant des Cailles",@lea:example.org @marc:example.org,lea Marc\n'
    "compost,Les Amis du Compost,,compostier\n"
    "transition,Réseau Transition,@bob2:example.org,\n"   # an existing member: a new link
)


@pytest.fixture
def config_path(tmp_path):
    path = tmp_path / "coopbot.toml"
    path.write_text(BASE_CONFIG.format(database="coopbot.db", language="en", min_supporters=0,
                                       charter="[]"))
    return path


def run(config_path, csv_text: str, *more: str):
    (config_path.parent / "members.csv").write_text(csv_text, encoding="utf-8")
    return coopbot("import-members", "--config", str(config_path), "--group", "sem",
                   str(config_path.parent / "members.csv"), *more)


def state(config_path) -> dict:
    result = {}
    for what in ("members", "audit"):
        out = coopbot("export", "--config", str(config_path), "--what", what)
        assert out.returncode == 0, out.stderr
        result[what] = json.loads(out.stdout)
    return result


@pytest.fixture
def live_bot(config_path):
    """A running bot's runtime on the same database, holding its lock."""
    runtime = Runtime(parse(config_path.read_text(), config_path), FakeClock())
    runtime.prepare()
    yield runtime
    runtime.close()


def test_a_dry_run_then_apply_beside_the_live_bot_then_nothing_twice(config_path, live_bot):
    before = state(config_path)
    dry = run(config_path, GOOD)
    assert dry.returncode == 0, dry.stderr
    assert "would add member ferme: La Ferme du Chant des Cailles" in dry.stdout
    assert "would link @bob2:example.org to transition" in dry.stdout
    assert "run again with --apply" in dry.stdout
    assert state(config_path) == before  # a dry run changes nothing

    done = run(config_path, GOOD, "--apply")
    assert done.returncode == 0, done.stderr
    assert "added member compost: Les Amis du Compost" in done.stdout
    after = state(config_path)
    members = {m["slug"]: m for m in after["members"]}
    assert members["ferme"]["status"] == "active" and members["ferme"]["coopted_by"] is None
    assert members["ferme"]["representatives"] == ["@lea:example.org", "@marc:example.org",
                                                   "forum:lea", "forum:marc"]
    assert members["compost"]["representatives"] == ["forum:compostier"]
    assert "@bob2:example.org" in members["transition"]["representatives"]
    repo = live_bot.repo
    assert repo.member("sem", "ferme").origin == "import"
    assert repo.person("sem", "@lea:example.org").origin == "import"
    audited = [(a["action"], a["subject"], a["actor"]) for a in after["audit"][len(before["audit"]):]]
    assert ("member_imported", "ferme", "host") in audited
    assert ("linked", "@bob2:example.org", "host") in audited and len(audited) == 8

    # The live bot sees them at once: Léa may propose.
    live_bot.engine.handle(Inbound("$lea", "@lea:example.org", '!propose "Repair Together" ok',
                                   live_bot.clock.now(), Venue.ROOM, "sem"))
    assert repo.proposal("sem", 1).proposer_member == "ferme"

    after = state(config_path)
    again = run(config_path, GOOD, "--apply")
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout
    assert state(config_path) == after


BAD = HEADER + (
    "ok,Good Name,@good:example.org,\n"                     # 2: fine, but not applied
    "Bad Slug,Some Name,,\n"                                # 3
    "empty,,,\n"                                            # 4
    "dots,...,,\n"                                          # 5
    "twin,DEWEY asbl!,,\n"                                  # 6: one name with dewey
    "badid,Bad Id,alice@example.org,\n"                     # 7
    "ok,Another Name,,\n"                                   # 8: duplicate slug
    "grabber,Grabber,@alice:example.org,\n"                 # 9: alice represents dewey
    "dewey,Not Dewey,,\n"                                   # 10: slug taken, another name
    "short,Too,few\n"                                       # 11: three cells
    "again,Good-Name,,\n"                                   # 12: one name with line 2
    "forumbad,Forum Bad,,bad/name\n"                        # 13
)


def test_every_bad_row_is_named_and_nothing_is_applied(config_path, live_bot):
    before = state(config_path)
    result = run(config_path, BAD, "--apply")
    assert result.returncode == 1
    errors = result.stderr
    expected = {
        3: "slug 'Bad Slug'", 4: "the name is empty", 5: "'...' has no letter or digit",
        6: "is one name with the member 'Dewey ASBL' (dewey)",
        7: "'alice@example.org' is not a Matrix ID", 8: "the slug ok is also on line 2",
        9: "@alice:example.org already represents the member dewey",
        10: "the slug dewey is already the member 'Dewey ASBL'", 11: "3 cells, expected 4",
        12: "is one name with line 2", 13: "'bad/name' is not a forum username",
    }
    for line, why in expected.items():
        assert any(l.startswith(f"{config_path.parent / 'members.csv'}:{line}: ") and why in l
                   for l in errors.splitlines()), (line, errors)
    assert ":2:" not in errors
    assert "nothing applied" in errors
    assert state(config_path) == before


@pytest.mark.parametrize("text, why", [
    ("", "1: the file is empty"),
    ("slug,name\nx,y\n", "1: the header must be slug,name,matrix,discourse"),
    (HEADER, "2: no member in the file"),
])
def test_a_file_of_the_wrong_shape(text, why):
    rows, problems = read(text)
    assert rows == [] and problems == [why] or problems[0].startswith(why)


def test_unknown_group_and_unreadable_file(config_path):
    (config_path.parent / "members.csv").write_text(GOOD)
    result = coopbot("import-members", "--config", str(config_path), "--group", "nope",
                     str(config_path.parent / "members.csv"))
    assert result.returncode == 2 and "no group 'nope'" in result.stderr
    result = coopbot("import-members", "--config", str(config_path), "--group", "sem",
                     str(config_path.parent / "missing.csv"))
    assert result.returncode == 1 and "cannot read" in result.stderr


def test_the_plan_is_made_again_inside_the_transaction(live_bot):
    """A member the bot admitted between the dry run and --apply makes the row a twin."""
    rows, problems = read(HEADER + "repair,Repair Together,,\n")
    assert not problems and not plan(live_bot.repo, "sem", rows).problems
    live_bot.repo.add_member({"group_slug": "sem", "slug": "repair-together",
                              "name": "Repair Together", "name_key": "repairtogether",
                              "status": "active", "admitted_at": "2026-11-02T09:00:00Z",
                              "coopted_by": "dewey", "proposal": "sem:C-1", "origin": "proposal"},
                             actor="coopbot")
    with pytest.raises(ImportRefused) as refused:
        apply(live_bot.repo, live_bot.engine.group("sem"), rows, live_bot.clock.now())
    assert "one name with the member 'Repair Together'" in refused.value.problems[0]
    assert live_bot.repo.member("sem", "repair") is None
