"""What a host does and what happens between runs, against the rules no input may break
(SPEC sections 9 and 13): the member import, the configuration file edited between two
runs, and rows damaged in the database. One regression test per trust bug found by an
adversarial hunt. Config (tests.harness): dewey=@alice (admin, core), transition=@bob
(core), singularites=@carol (registrar), financite=@dan."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlite_utils import Database

from bot.config import ConfigError, parse
from bot.import_members import ImportRefused, apply, plan, read
from commands.legitimacy import deciders, in_good_standing_holders
from storage.schema import migrations
from tests.harness import ALICE, BASE_CONFIG, BOB, CAROL, Harness
from tests.tasks_helpers import PROPOSE, everything

ZED = "@zed:example.org"
HEADER = "slug,name,matrix,discourse\n"


def texts(rows: list[dict]) -> str:
    return "\n---\n".join(r["plain"] for r in rows)


def import_rows(csv_text: str):
    rows, problems = read(HEADER + csv_text)
    assert not problems, problems
    return rows


# --- the member import -----------------------------------------------------------------------

def test_an_import_never_leaves_the_group_without_an_admin_in_good_standing(harness):
    """Like ``!link``, the host's import may not link the last admin in good standing to a
    suspended (or departed) organisation: the group would have nobody left to configure it."""
    harness.say(ALICE, f"!role grant admin {ZED}")
    harness.say(ALICE, "!member suspend financite")
    harness.say(ZED, f"!role revoke admin {ALICE}")
    assert in_good_standing_holders(harness.repo, "sem", "admin") == [ZED]
    rows = import_rows(f"financite,Financité,{ZED},\n")
    result = plan(harness.repo, "sem", rows)
    assert result.problems and "admin in good standing" in result.problems[0], result
    assert result.problems[0].startswith("2: ")
    before = everything(harness)
    with pytest.raises(ImportRefused):
        apply(harness.repo, harness.engine.group("sem"), rows, harness.clock.now())
    assert everything(harness) == before
    assert in_good_standing_holders(harness.repo, "sem", "admin") == [ZED]


def test_an_import_that_puts_the_decider_inside_the_case_hands_the_decision_on(harness):
    """An import that links the one eligible decider to the organisation that made a
    contested proposal makes them part of the case: its decision goes to someone else."""
    harness.say(ALICE, f"!role grant core {ZED}")
    harness.say(ALICE, f"!role revoke core {BOB}")
    harness.say(ALICE, f"!role revoke core {ALICE}")
    harness.say(BOB, PROPOSE)
    harness.say(CAROL, "!object C-1 not yet")
    (decision,) = harness.repo.tasks()
    assert decision.lead == ZED
    harness.sent()
    apply(harness.repo, harness.engine.group("sem"),
          import_rows(f"transition,Réseau Transition,{ZED},\n"), harness.clock.now())
    assert deciders(harness.repo, harness.proposal(1)) == ([ALICE], "admin")
    (decision,) = harness.repo.tasks()
    assert decision.lead == ALICE, "the decision stays with someone inside the case"
    nudges = harness.advance("10d")
    assert nudges and all(r["target"] != ZED for r in nudges), texts(nudges)


# --- damaged rows: no stored row can stop the bot or its start ---------------------------------

@pytest.mark.parametrize("damage", [
    "update proposals set deadline = 'not a date' where number = 1",
    "update proposals set last_call_due = 'soon' where number = 1",
    "update digest_schedules set next_at = 'monday'",
])
def test_a_damaged_instant_that_would_be_the_next_wakeup_does_not_stop_the_bot(tmp_path, damage):
    """The next wakeup is read at start and after every sync: one unreadable instant there
    (the only one of its kind, so the earliest) stopped the bot. It is skipped, and said."""
    h = Harness(str(tmp_path / "coopbot.db"), group_extra='digest = "mon 09:00"')
    h.say(ALICE, PROPOSE)
    h.say(ALICE, '!mandate @dan:example.org "Write the newsletter"')
    h.close()
    with sqlite3.connect(h.database) as db:
        db.execute(damage)
    h.open()
    h.engine.recover_downtime()
    wakeups = h.engine.wakeups()  # raised ValueError
    assert isinstance(wakeups, list)
    assert "Dewey ASBL" in texts(h.say(BOB, "!members"))  # and it keeps serving
    h.close()


def test_an_unreadable_mark_of_the_last_run_does_not_stop_the_start(harness):
    harness.say(ALICE, PROPOSE)
    harness.repo.set_meta("alive_at", "yesterday")
    harness.restart()
    harness.engine.recover_downtime()  # raised ValueError
    harness.advance("5d")
    assert harness.state(1) == "validated"


def test_an_older_database_with_a_damaged_audit_row_is_upgraded(tmp_path):
    """The upgrade that rebuilds each member's history from the audit log stopped on one
    unreadable row: the migration failed, and with it every start."""
    path = str(tmp_path / "coopbot.db")
    db = Database(path)
    migrations.apply(db, stop_before="m005_trust")
    db["groups"].insert({"slug": "sem", "name": "S", "next_proposal": 1, "next_task": 1,
                         "created_at": "2026-01-01T00:00:00Z"})
    db["members"].insert({"group_slug": "sem", "slug": "transition", "name": "Réseau Transition",
                          "name_key": "reseautransition", "status": "suspended",
                          "admitted_at": "2026-01-01T00:00:00Z", "coopted_by": None,
                          "proposal": None, "origin": "config"})
    db["audit"].insert({"at": "2026-02-01T00:00:00Z", "group_slug": "sem", "actor": ALICE,
                        "action": "member_status", "subject": "transition",
                        "detail": "{damaged", "event_id": None})
    db.conn.close()
    h = Harness(path)  # raised JSONDecodeError
    assert h.repo.member("sem", "transition").status == "suspended"  # the row wins
    assert "(Réseau Transition) is 'suspended'" in texts(h.say(BOB, PROPOSE))
    h.close()


# --- the configuration file ----------------------------------------------------------------------

def config_text() -> str:
    return BASE_CONFIG.format(database="coopbot.db", language="en", min_supporters=0,
                              charter="[]")


def test_two_groups_cannot_share_one_matrix_room():
    """The Matrix adapter serves one group per room: every command in a shared room went to
    one of the groups (``!object C-1`` meant for the other's C-1, applied to its own)."""
    room = 'matrix_room = "#sem:example.org"\n'
    text = config_text().replace("charter = []\n", f"charter = []\n{room}", 1)
    text += f'\n[[groups]]\nslug = "other"\nname = "Other group"\n{room}'
    with pytest.raises(ConfigError) as refused:
        parse(text)
    assert "#sem:example.org" in str(refused.value) and "matrix_room" in str(refused.value)
    parse(text.replace(f"name = \"Other group\"\n{room}",
                       'name = "Other group"\nmatrix_room = "#other:example.org"\n'))


def test_a_person_listed_under_two_founders_is_refused():
    """A person represents one member: the second listing was silently ignored at seeding,
    while ``check-config`` showed both."""
    text = config_text().replace('matrix = ["@bob:example.org"]',
                                 'matrix = ["@bob:example.org", "@alice:example.org"]')
    with pytest.raises(ConfigError) as refused:
        parse(text)
    assert "@alice:example.org is listed under dewey, transition" in str(refused.value)


def test_an_exported_csv_never_hands_a_spreadsheet_a_formula(harness):
    """Names and reasons are typed by anyone: a cell a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``) is exported as text, with a leading apostrophe."""
    import csv
    import io

    from bot import export

    harness.say(ALICE, '!propose "=HYPERLINK(""http://evil"";""click"")" they fix things')
    harness.say(BOB, "!object C-1 @SUM(1+1) is what I think")
    rows = list(csv.DictReader(io.StringIO(export.render(export.rows(harness.repo, "proposals"),
                                                         "csv"))))
    assert rows[0]["candidate"].startswith("'=HYPERLINK"), rows[0]["candidate"]
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows
                   for value in row.values()), rows
    assert export.render([{"n": -1, "text": "- a dash"}], "csv").splitlines()[1] == "-1,'- a dash"


def test_a_group_left_out_of_the_config_for_a_while_gets_its_lost_time_back(tmp_path, caplog):
    """Left out of the config file for three weeks, a group's room was read by nobody (an
    objection typed there then was never applied), though the bot ran for others: when it
    comes back, its open windows get that time back, as after a downtime, instead of its
    passed deadlines being decided at once."""
    import dataclasses
    from datetime import timedelta

    from commands.engine import Engine

    h = Harness(str(tmp_path / "coopbot.db"))
    h.engine.recover_downtime()  # a start: the groups served are noted
    h.say(ALICE, PROPOSE)
    deadline = h.proposal(1).deadline
    h.engine.heartbeat(force=True)
    other = dataclasses.replace(h.config.groups[0], slug="other",
                                matrix_room="#other:example.org")
    away = Engine(h.repo, h.clock, [other], h.config.command_prefix)  # the host's new file
    away.seed()
    with caplog.at_level(logging.WARNING, logger="commands.engine"):
        away.recover_downtime()
    assert "group sem is no longer in the config" in caplog.text
    assert "its 1 running proposal(s) wait" in caplog.text
    h.clock.advance(timedelta(days=21))
    away.heartbeat(force=True)
    back = Engine(h.repo, h.clock, h.config.groups, h.config.command_prefix)  # back in it
    back.recover_downtime()
    extended = h.proposal(1)
    assert extended.deadline > h.clock.now() > deadline, (extended.deadline, deadline)
    back.process_due()
    assert h.proposal(1).state == "open"
