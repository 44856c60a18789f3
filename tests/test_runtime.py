"""Restarts, downtime, the scheduler derived from the database, the config file, the console
and the export, through the installed ``coopbot`` command where users meet them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.config import ConfigError, parse
from bot.scheduler import Wakeups
from storage.repository import DatabaseLocked, Repository
from tests.harness import ALICE, BASE_CONFIG, BOB, DAN, Harness, coopbot, console_blocks

PROPOSE = '!propose "Repair Together" they fix things with us'


def test_restart_mid_window_validates_once_at_the_right_time(harness):
    harness.say(ALICE, PROPOSE)
    harness.advance("2d")
    harness.restart()
    harness.advance("2d")
    assert harness.state(1) == "open"
    harness.restart()
    rows = harness.advance("1d")
    assert harness.state(1) == "validated"
    assert sum("is validated" in r["plain"] for r in rows) == 1
    harness.restart()
    assert harness.advance("1d") == []
    admitted = [r for r in harness.repo.audit_rows() if r.action == "member_admitted"]
    assert len(admitted) == 1


def test_deadline_passed_while_stopped_is_handled_once_at_start(harness):
    harness.say(ALICE, PROPOSE)
    deadline = harness.proposal(1).deadline
    harness.clock.set(deadline - timedelta(minutes=10))
    harness.engine.heartbeat()
    harness.close()
    harness.clock.set(deadline + timedelta(minutes=20))  # stopped 30 min, across the deadline
    harness.open()
    harness.engine.recover_downtime()  # 30 min < downtime_grace (1h): no extension
    assert harness.engine.process_due() == 1
    assert harness.state(1) == "validated"
    assert harness.engine.process_due() == 0


def test_long_downtime_extends_the_window_and_says_so(harness):
    harness.say(ALICE, PROPOSE)
    harness.advance("1d")
    harness.engine.heartbeat()
    harness.close()
    harness.clock.advance(timedelta(days=2))  # down for two days inside the window
    harness.open()
    harness.engine.recover_downtime()
    rows = harness.sent()
    assert "offline for 2 days" in rows[0]["plain"]
    assert harness.proposal(1).deadline == harness.clock.now() + timedelta(days=4)


def test_second_instance_on_same_database_refuses(harness):
    with pytest.raises(DatabaseLocked):
        Repository(harness.database)


def test_outbox_survives_a_crash(harness):
    harness.say(ALICE, PROPOSE)
    pending = harness.repo.pending_outbox()
    harness.restart()
    assert [r["txn_id"] for r in harness.repo.pending_outbox()] == [r["txn_id"] for r in pending]


@pytest.mark.asyncio
async def test_scheduler_jobs_derived_from_database(harness):
    harness.say(ALICE, PROPOSE)
    fired = []

    async def on_due():
        fired.append(True)

    wakeups = Wakeups(harness.engine, harness.clock, on_due)
    wakeups.start()
    try:
        # one job at the next instant (C-1's last call), not one per item
        assert wakeups.job_ids() == ["heartbeat", "next"]
        assert wakeups.scheduler.get_job("next").next_run_time == \
            harness.clock.now() + timedelta(days=4)
        wakeups.sync()  # idempotent
        assert wakeups.job_ids() == ["heartbeat", "next"]
        harness.say(ALICE, "!withdraw C-1")
        wakeups.sync()
        assert wakeups.job_ids() == ["heartbeat"]
    finally:
        wakeups.shutdown()


def test_config_errors_name_the_key_and_line():
    bad = BASE_CONFIG.format(database="x.db", language="de", min_supporters=0, charter="[]")
    bad = bad.replace('silence_window = "5d"', 'silence_window = "soon"')
    with pytest.raises(ConfigError) as error:
        parse(bad)
    message = str(error.value)
    assert "groups[0].language: 'de' refused: fr, nl or en" in message
    line = bad.splitlines().index('silence_window = "soon"') + 1
    assert f"<config>:{line}: groups[0].silence_window" in message


def test_config_refuses_secrets_in_the_file():
    text = BASE_CONFIG.format(database="x.db", language="en", min_supporters=0, charter="[]")
    text = '[matrix]\nhomeserver = "https://m.org"\nuser_id = "@bot:m.org"\naccess_token = "abc"\n' + text
    with pytest.raises(ConfigError, match="secrets never go in the file"):
        parse(text)


def test_check_config_masks_secrets(tmp_path, monkeypatch):
    config = tmp_path / "c.toml"
    config.write_text('[matrix]\nhomeserver = "https://matrix.coop.brussels"\n'
                      'user_id = "@bot:coop.brussels"\naccess_token_env = "TEST_TOKEN"\n'
                      + BASE_CONFIG.format(database="x.db", language="fr", min_supporters=0,
                                           charter="[]"))
    monkeypatch.setenv("TEST_TOKEN", "syt_supersecret")
    result = coopbot("check-config", str(config))
    assert result.returncode == 0, result.stderr
    assert "supersecret" not in result.stdout
    assert "secret from $TEST_TOKEN: set" in result.stdout
    assert "silence_window = 5d" in result.stdout


def test_console_script_and_export(tmp_path):
    """The issue's scenario: one proposal validated by silence, one objected to and then
    rejected by core, typed into the console through piped stdin, checked by export."""
    config = tmp_path / "sem.toml"
    config.write_text(BASE_CONFIG.format(database="sem.db", language="en", min_supporters=0,
                                         charter="[]"))
    script = "\n".join([
        '!propose "Repair Together" they fix things with us',
        '!propose "Bad Corp" they pay well',
        "/as @dan:example.org",
        "!object C-2 a bank, not a cooperative",
        "/advance 5d",
        "/as @bob",
        "!resolve C-2 reject the objection stands",
        "/quit",
    ]) + "\n"
    blocks = console_blocks(coopbot("console", "--config", str(config), stdin=script, cwd=tmp_path))
    assert any("C-1 is validated" in b for b in blocks)
    assert any("C-2 is rejected by the core group" in b for b in blocks)

    exported = coopbot("export", "--config", str(config), "--what", "proposals")
    assert exported.returncode == 0, exported.stderr
    proposals = {p["id"]: p for p in json.loads(exported.stdout)}
    assert proposals["C-1"]["state"] == "validated"
    assert proposals["C-1"]["objections"] == []
    assert proposals["C-2"]["state"] == "rejected"
    assert proposals["C-2"]["objections"][0]["person"] == DAN
    assert proposals["C-2"]["objections"][0]["withdrawn_at"] is None
    assert proposals["C-2"]["created_at"].endswith("Z")
    assert set(proposals["C-1"]) >= {"id", "group", "candidate", "state", "proposer",
                                     "created_at", "deadline", "objections", "supports"}

    members = json.loads(coopbot("export", "--config", str(config), "--what", "members").stdout)
    repair = next(m for m in members if m["slug"] == "repair-together")
    assert repair["coopted_by"] == "dewey" and repair["status"] == "active"
    assert not any(m["slug"] == "bad-corp" for m in members)

    audit = coopbot("export", "--config", str(config), "--what", "audit", "--format", "csv")
    assert audit.stdout.splitlines()[0].startswith("id,at,group,actor,action")
    assert "deadline_silent" in audit.stdout and "reject" in audit.stdout


def test_console_demo_without_config(tmp_path):
    result = coopbot("console", stdin="!members\n/quit\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Dewey ASBL" in result.stdout and "Petites Singularités" in result.stdout
    assert (tmp_path / "coopbot-demo.db").exists()


def test_console_multi_line_with_backslash(tmp_path):
    script = '!propose La Ferme\\\nwhy: farming\\\nwebsite: https://ferme.be\n!status C-1\n'
    result = coopbot("console", stdin=script, cwd=tmp_path)
    assert "Website: https://ferme.be" in result.stdout
    assert "Why: farming" in result.stdout


def test_export_without_database_is_not_a_config_error(tmp_path):
    result = coopbot("export", "--what", "proposals", cwd=tmp_path)
    assert result.returncode == 1
    assert "nothing to export" in result.stderr and "configuration error" not in result.stderr


def test_a_group_removed_from_the_config_does_not_stop_the_bot(tmp_path):
    h = Harness(str(tmp_path / "db.sqlite"))
    h.say(ALICE, PROPOSE)
    h.close()
    other = BASE_CONFIG.format(database="x", language="en", min_supporters=0, charter="[]")
    h.config = parse(other.replace('slug = "sem"', 'slug = "other"'))
    h.open()
    h.engine.recover_downtime()
    assert h.engine.process_due() == 0
    assert h.engine.wakeups() == []
    h.close()


def test_dm_of_a_person_in_two_groups_asks_which(tmp_path):
    from bot.clock import FakeClock
    from commands.engine import Engine
    from commands.events import Inbound, Venue

    two = BASE_CONFIG.format(database="x", language="en", min_supporters=0, charter="[]")
    second = two[two.index("[[groups]]"):].replace('slug = "sem"', 'slug = "incommon"', 1)
    config = parse(two + "\n" + second)
    repo = Repository(str(tmp_path / "db.sqlite"))
    clock = FakeClock()
    engine = Engine(repo, clock, config.groups)
    engine.seed()
    dm = lambda n, text: Inbound(f"$dm{n}", BOB, text, clock.now(), Venue.DM)  # noqa: E731
    engine.handle(dm(1, "list"))
    [reply] = repo.pending_outbox()
    assert "several groups (sem, incommon)" in reply["plain"] and reply["target"] == BOB
    engine.handle(dm(2, "incommon propose \"Repair Together\" they fix things"))
    assert repo.proposal("incommon", 1).candidate == "Repair Together"
    assert repo.proposal("sem", 1) is None
    repo.close()
