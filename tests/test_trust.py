"""The rules no input may break (SPEC section 13), one regression test per reproduction of
the trust issue. Config (tests.harness): dewey=@alice (admin, core), transition=@bob (core),
singularites=@carol (registrar), financite=@dan."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.config import parse
from commands.events import Inbound, Venue
from commands.legitimacy import deciders
from commands.parsing import name_key
from commands.settings import ProposalRules
from commands.timefmt import iso
from tests.harness import ALICE, BASE_CONFIG, BOB, CAROL, DAN, Harness, coopbot
from tests.tasks_helpers import PROPOSE, dms, everything, room, steps, task


def texts(rows: list[dict]) -> str:
    return "\n---\n".join(r["plain"] for r in rows)


# --- 1. nobody decides their own case -------------------------------------------------------

def test_nobody_decides_their_own_case_even_when_no_other_core_member_is_left(harness):
    harness.say(ALICE, PROPOSE)
    rows = harness.say(BOB, "!object C-1 no")
    # Alice's organisation proposed it, Bob objected: no core member nor admin is outside.
    announcement = room(rows)
    assert "Nobody may resolve C-1" in texts(announcement)
    assert json.loads(announcement[-1]["mentions"]) == [ALICE]  # the admins, to grant a role
    before = everything(harness)
    rows = harness.say(ALICE, "!resolve C-1 accept mine")
    assert "Nobody may resolve C-1 for now" in rows[0]["plain"]
    assert harness.state(1) == "contested" and everything(harness) == before
    # The room is told once, not at every command.
    assert "Nobody may resolve" not in texts(harness.say(DAN, "!status C-1"))
    # Granting is not deciding: once Carol is core, she decides, and she is told so.
    rows = harness.say(ALICE, "!role grant core @carol:example.org")
    assert "It is now yours to resolve C-1" in texts(dms(rows, CAROL))
    assert task(harness, 1).lead == CAROL
    rows = harness.say(CAROL, "!resolve C-1 reject the objection stands")
    assert harness.state(1) == "rejected" and harness.proposal(1).decided_by == CAROL


def test_a_withdrawn_objection_still_excludes_its_organisation(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(BOB, "!object C-1 hmm")
    harness.say(DAN, "!object C-1 no")
    harness.say(BOB, "!withdraw C-1")
    assert harness.state(1) == "contested"
    assert deciders(harness.repo, harness.proposal(1)) == ([], None)
    assert "Nobody may resolve" in harness.say(BOB, "!resolve C-1 accept fine")[0]["plain"]


def test_admins_decide_when_no_core_member_is_outside_the_case(harness):
    harness.say(ALICE, "!role grant admin @carol:example.org")
    harness.say(ALICE, PROPOSE)
    rows = harness.say(BOB, "!object C-1 no")
    assert json.loads(room(rows)[-1]["mentions"]) == [CAROL]  # the only eligible decider
    assert "You cannot resolve C-1" in harness.say(ALICE, "!resolve C-1 accept x")[0]["plain"]
    harness.say(CAROL, "!resolve C-1 accept we checked")
    assert harness.state(1) == "accepted"


# --- 2. the decision task follows the same rule ---------------------------------------------

def test_the_decision_task_goes_to_an_eligible_decider_and_follows_eligibility(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(DAN, "!object C-1 no")
    assert task(harness, 1).lead == BOB
    # handed over only to another eligible decider
    rows = harness.say(BOB, "!handover T-1 @alice:example.org")
    assert "can only go to someone who may resolve C-1" in rows[0]["plain"]
    # Bob's organisation objects too: nobody is eligible; the admins are asked to grant
    rows = harness.say(BOB, "!object C-1 me neither")
    assert "Nobody may resolve C-1" in texts(room(rows))
    assert task(harness, 1).lead == ALICE  # an admin, who can grant the missing role
    rows = harness.say(ALICE, "!role grant core @carol:example.org")
    assert task(harness, 1).lead == CAROL and dms(rows, CAROL)


def test_a_contested_proposal_is_followed_up_until_decided(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(DAN, "!object C-1 no")
    kinds = []
    for _ in range(12):
        harness.advance("3d")
    kinds = [s.kind for s in steps(harness, 1)]
    # escalate_after = 2: nudge, nudge, escalation, and again, never silent for good
    assert kinds[:6] == ["nudge", "nudge", "escalation"] * 2, kinds
    escalations = [e for e in harness.repo.audit_rows() if e.action == "task_escalation"]
    assert len(escalations) >= 2
    assert all(json.loads(e.detail)["to"] == [BOB] for e in escalations)


# --- 3. the rules of the day ------------------------------------------------------------------

def test_a_proposal_is_judged_by_the_rules_in_force_when_it_opened(harness):
    harness.say(ALICE, PROPOSE)
    rows = harness.say(ALICE, "!config set min_supporters 3")
    assert "applies to new proposals" in texts(rows)
    harness.say(ALICE, "!config set silence_window 1d")
    harness.say(ALICE, "!config set last_call 2h")
    harness.say(ALICE, '!propose "Other Coop" another one')
    assert harness.proposal(1).deadline - harness.proposal(1).created_at \
        == timedelta(days=5)
    harness.advance("1d")
    assert harness.state(2) == "rejected"  # by today's rules: 3 supports needed
    harness.advance("4d")
    assert harness.state(1) == "validated"  # by its own: none needed, 5 days


def test_rules_of_proposals_opened_before_they_were_frozen_are_rebuilt_from_the_audit(tmp_path):
    h = Harness(str(tmp_path / "coopbot.db"))
    h.say(ALICE, PROPOSE)
    h.advance("1h")
    h.say(ALICE, "!config set min_supporters 2")
    h.say(ALICE, "!config set reopen_grace 3d")
    # As an older version left it: no rules stored with the proposal.
    h.repo.db.execute("update proposals set rules = null")
    h.restart()
    rules = ProposalRules.from_json(h.proposal(1).rules)
    assert (rules.min_supporters, rules.reopen_grace, rules.silence_window) == \
        (0, timedelta(hours=24), timedelta(days=5))
    h.advance("5d")
    assert h.state(1) == "validated"
    h.close()


# --- 4. one name, one candidate --------------------------------------------------------------

def test_invisible_characters_and_punctuation_make_no_second_candidate(harness):
    harness.say(ALICE, PROPOSE)
    for name in ("Repair\u200bTogether", "Repair Together.", "repair-together", "RÉPAIR\u00adTOGETHER"):
        rows = harness.say(DAN, f'!propose "{name}" again')
        assert "already proposed" in rows[0]["plain"] or "C-1" in rows[0]["plain"], rows[0]["plain"]
    for name in ("Dewey ASBL\u200b", "dewey a.s.b.l", "ＤＥＷＥＹ ＡＳＢＬ"):
        rows = harness.say(DAN, f'!propose "{name}" why')
        assert "already an active member" in rows[0]["plain"], name
    rows = harness.say(DAN, '!propose "\u200b" why')
    assert "name of the proposed organisation is missing" in rows[0]["plain"]
    rows = harness.say(DAN, '!propose "..." why')
    assert "needs at least one letter or digit" in rows[0]["plain"]
    assert len(harness.repo.proposals("sem")) == 1


def test_members_that_became_twins_are_kept_and_the_admins_told_once(tmp_path):
    h = Harness(str(tmp_path / "coopbot.db"))
    h.repo.add_member({"group_slug": "sem", "slug": "dewey-2", "name": "Dewey A.S.B.L.",
                       "name_key": "dewey.a.s.b.l.", "status": "active",
                       "admitted_at": iso(h.clock.now()), "coopted_by": None, "proposal": None,
                       "origin": "cooptation"}, actor="old version")
    h.repo.set_meta("name_keys:sem", "1")  # as an older version left it
    h.restart()
    told = [r for r in h.repo.db.query("select * from outbox") if "share one name" in r["plain"]]
    assert len(told) == 1 and "Dewey ASBL (dewey)" in told[0]["plain"]
    assert {m.slug for m in h.repo.members_by_name_key("sem", name_key("Dewey ASBL"))} == \
        {"dewey", "dewey-2"}
    h.restart()
    assert len([r for r in h.repo.db.query("select * from outbox")
                if "share one name" in r["plain"]]) == 1
    h.close()


# --- 5. admission re-checks -----------------------------------------------------------------

def test_a_suspended_twin_makes_the_proposal_lapse_at_the_deadline(harness):
    harness.say(ALICE, "!member leave financite")
    harness.say(ALICE, '!propose "Financité" back with us')
    harness.say(ALICE, "!member suspend financite")
    rows = harness.advance("5d")
    assert harness.state(1) == "rejected"
    assert "cannot be admitted: Financité ('financite') is already a member (suspended)" in texts(rows)
    assert [m.slug for m in harness.repo.members("sem")].count("financite-2") == 0
    assert harness.repo.member("sem", "financite").status == "suspended"


def test_a_member_that_left_comes_back_in_its_own_row_with_its_history(harness):
    harness.say(ALICE, "!member leave financite")
    harness.say(ALICE, '!propose "Financite" back with us')
    harness.advance("5d")
    member = harness.repo.member("sem", "financite")
    assert (member.status, member.proposal, member.coopted_by) == \
        ("active", "sem:C-1", "dewey")
    periods = harness.repo.member_periods("sem", "financite")
    assert [(p.status, p.proposal) for p in periods] == \
        [("active", None), ("left", None), ("active", "sem:C-1")]
    assert periods[0].actor == "config" and periods[0].end_at == periods[1].start_at


def test_accepting_a_proposal_whose_name_became_a_member_meanwhile_lapses(harness):
    harness.say(ALICE, '!propose "Bees Coop" bees')
    harness.say(DAN, "!object C-1 hmm")
    harness.say(ALICE, '!propose "Bees-Coop." bees again')  # refused: already proposed
    harness.repo.add_member({"group_slug": "sem", "slug": "bees", "name": "BEES COOP",
                             "name_key": name_key("BEES COOP"), "status": "active",
                             "admitted_at": iso(harness.clock.now()), "coopted_by": None,
                             "proposal": None, "origin": "config"}, actor="config")
    rows = harness.say(BOB, "!resolve C-1 accept fine")
    assert "C-1 cannot be accepted: BEES COOP is already a member" in texts(rows)
    assert harness.state(1) == "rejected"
    assert len(harness.repo.members_by_name_key("sem", name_key("Bees Coop"))) == 1


# --- 6. arguments come from the command's own text -------------------------------------------

def test_a_reply_mention_never_names_the_person_argument(harness):
    before = everything(harness)
    # Alice replies to Carol's message: Element lists Carol in m.mentions.
    rows = harness.say(ALICE, "!role grant admin bobb", mentions=(CAROL,))
    assert "I don't recognise 'bobb' as a person" in rows[0]["plain"]
    assert not harness.repo.has_role("sem", CAROL, "admin") and everything(harness) == before
    rows = harness.say(ALICE, "!role grant registrar @dan:example.org")
    assert DAN in texts(rows)  # the answer repeats whom it resolved


# --- 7. every value has a range ---------------------------------------------------------------

def test_out_of_range_values_are_refused_with_their_range(harness):
    harness.say(ALICE, '!mandate @dan:example.org "Write the newsletter"')
    before = everything(harness)
    cases = {
        "!away until 9999-12-30": "too far ahead",
        "!config set silence_window 5000000d": "from 1s to 365d",
        "!config set min_supporters 99999": "from 0 to 1000",
        "!config set escalate_after 0": "from 1 to 100",
        '!mandate @dan:example.org "X" due 9999-01-01': "too far ahead",
        "!snooze T-1 3000000d": "not a duration",
    }
    for command, expected in cases.items():
        person = DAN if command.startswith(("!away", "!snooze")) else ALICE
        rows = harness.say(person, command)
        assert expected in rows[0]["plain"], (command, rows[0]["plain"])
    assert everything(harness) == before
    assert harness.say(ALICE, "!propose \"Coop\" fine")[0]["plain"].startswith("Noted: C-1")


def test_console_advance_is_bounded(tmp_path):
    config = tmp_path / "sem.toml"
    config.write_text(BASE_CONFIG.format(database="sem.db", language="en", min_supporters=0,
                                         charter="[]"))
    result = coopbot("console", "--config", str(config), stdin="/advance 3000000d\n!list\n",
                     cwd=tmp_path)
    assert result.returncode == 0 and "at most 3650d" in result.stderr
    again = coopbot("console", "--config", str(config), stdin="!list\n", cwd=tmp_path)
    assert again.returncode == 0 and "[room sem]" in again.stdout


# --- 8. one bad row never stops the bot --------------------------------------------------------

def test_a_bad_row_is_isolated_logged_and_reported_once(harness):
    harness.say(ALICE, '!mandate @dan:example.org "Write the newsletter"')
    harness.say(ALICE, PROPOSE)
    harness.say(ALICE, '!propose "Other Coop" too')
    # An absence stored by an older version without bounds, and a corrupt deadline.
    harness.repo.add_away({"person": DAN, "start_at": iso(harness.clock.now()),
                           "end_at": "9999-12-31T00:00:00Z", "declared_at": iso(harness.clock.now()),
                           "group_slug": "sem", "event_id": "old"})
    harness.repo.update_proposal("sem:C-1", deadline="not a date")
    harness.restart()  # a start that meets such rows starts anyway
    harness.engine.recover_downtime()
    assert harness.engine.wakeups() is not None
    rows = harness.advance("5d")
    assert harness.state(2) == "validated"  # the others go on
    failures = sorted(r["plain"] for r in rows if "I cannot process" in r["plain"])
    assert len(failures) == 2, failures  # each bad item told once
    assert "sem:C-1" in failures[0] and "sem:T-1" in failures[1]
    assert not [r for r in harness.advance("1d") if "I cannot process" in r["plain"]]


# --- 9. there is always a way out ---------------------------------------------------------------

def test_no_command_leaves_the_group_without_an_admin_in_good_standing(harness):
    before = everything(harness)
    for command in ("!member suspend dewey", "!member leave dewey",
                    "!role revoke admin @alice:example.org"):
        rows = harness.say(ALICE, command)
        assert "without an admin in good standing" in rows[0]["plain"], command
    assert everything(harness) == before
    harness.say(ALICE, "!member suspend financite")
    before = everything(harness)
    rows = harness.say(ALICE, "!link @alice:example.org financite")
    assert "without an admin in good standing" in rows[0]["plain"]
    assert everything(harness) == before


def test_the_host_grants_admin_only_when_none_is_left_even_while_the_bot_runs(tmp_path):
    config = tmp_path / "sem.toml"
    config.write_text(BASE_CONFIG.format(database="sem.db", language="en", min_supporters=0,
                                         charter="[]"))
    h = Harness(str(tmp_path / "sem.db"))  # the running bot holds the database's lock
    refused = coopbot("grant-admin", "--config", str(config), "--group", "sem", BOB)
    assert refused.returncode == 1 and "still has an admin in good standing" in refused.stderr
    # An older version let the sole admin's organisation be suspended.
    h.repo.set_member_status("sem", "dewey", "suspended", h.clock.now(), "old version")
    rows = h.say(ALICE, "!config show")
    assert "dewey" not in rows[0]["plain"] or "reserved" in rows[0]["plain"]
    done = coopbot("grant-admin", "--config", str(config), "--group", "sem", BOB)
    assert done.returncode == 0, done.stderr
    assert h.repo.has_role("sem", BOB, "admin")
    assert [a for a in h.repo.audit_rows() if a.actor == "host"]
    announced = h.sent()
    assert "The bot's host gave the admin role back to @bob:example.org" in texts(announced)
    assert "Settings of" in h.say(BOB, "!config show")[0]["plain"]
    h.close()


# --- 10. an objection's author can always withdraw it -------------------------------------------

def test_a_suspended_objector_can_still_withdraw(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(DAN, "!object C-1 no")
    harness.say(ALICE, "!member suspend financite")
    rows = harness.say(DAN, "!withdraw C-1")
    assert "withdrawn" in rows[0]["plain"]
    assert harness.state(1) == "open"
    # …but a suspended member's person may not withdraw what is not theirs
    rows = harness.say(DAN, "!withdraw C-1 proposal")
    assert "is 'suspended'" in rows[0]["plain"]


# --- nothing is lost on a crash ---------------------------------------------------------------

def test_writes_are_on_disk_when_they_return_even_outside_a_transaction(harness):
    import sqlite3

    # A write outside transaction() (an import, an adapter's bookkeeping) must not leave an
    # open transaction that every later command would only join, never commit.
    harness.repo.add_member({"group_slug": "sem", "slug": "bees", "name": "Bees",
                             "name_key": "bees", "status": "active",
                             "admitted_at": iso(harness.clock.now()), "coopted_by": None,
                             "proposal": None, "origin": "import"}, actor="import")
    harness.say(ALICE, PROPOSE)
    other = sqlite3.connect(harness.database)  # another process, or the disk after a crash
    try:
        assert other.execute("select count(*) from proposals").fetchone()[0] == 1
        assert other.execute("select count(*) from member_periods where member = 'bees'"
                             ).fetchone()[0] == 1
    finally:
        other.close()

# --- found in review: what moves a task's next step, a founder twin, a readmission ---------
# (tests written by the reviewer, kept as regression tests)

def nudges(rows, person):
    return [r for r in rows if r["target"] == person and "Reminder" in r["plain"]]


# A config-file change of the ladder settings at restart leaves next_step_at stale.
def test_a_config_file_change_at_restart_moves_the_task_ladder(tmp_path):
    h = Harness(str(tmp_path / "a.db"))
    h.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    h.advance("1m")                      # the pass stores next_step_at = now + 7d
    # the host lowers stall_after in the file and restarts
    text = BASE_CONFIG.replace('reopen_grace = "24h"', 'reopen_grace = "24h"\nstall_after = "1d"')
    h.config = parse(text.format(database=h.database, language="en", min_supporters=0,
                                 charter="[]"))
    h.restart()
    assert h.engine.group("sem").settings.stall_after == timedelta(days=1)
    rows = h.advance("2d")               # 2 days of stall, stall_after 1d: step 1 is due
    h.close()
    assert nudges(rows, BOB), "nudge due after 1d of stall was not sent (hint still +7d)"


# `!away off` in one group ends the absence everywhere, but resets hints in that group only.
TWO_GROUPS = BASE_CONFIG + """
[[groups]]
slug = "b2"
name = "Second"
language = "en"
admins = ["@alice:example.org"]
core = ["@alice:example.org", "@bob:example.org"]

[[groups.members]]
slug = "dewey"
name = "Dewey ASBL"
matrix = ["@alice:example.org"]

[[groups.members]]
slug = "transition"
name = "Réseau Transition"
matrix = ["@bob:example.org"]
"""


def say_in(h, group, person, text):
    event = Inbound(event_id=f"$b2{h.clock.now().timestamp()}{text}", sender=person, text=text,
                    at=h.clock.now(), venue=Venue.ROOM, group=group, mentions=())
    h.engine.handle(event)
    return h.sent()


def test_away_off_moves_the_ladders_of_every_group(tmp_path):
    h = Harness(str(tmp_path / "b.db"))
    h.config = parse(TWO_GROUPS.format(database=h.database, language="en", min_supporters=0,
                                       charter="[]"))
    h.restart()
    say_in(h, "b2", ALICE, '!mandate @bob:example.org "Second group task"')
    say_in(h, "b2", BOB, "!away until " + (h.clock.now() + timedelta(days=40)).date().isoformat())
    h.advance("1m")                      # b2:T-1 next_step_at ~ +47d
    h.advance("1d")
    h.say(BOB, "!away off")              # in the sem room: ends the absence everywhere
    rows = h.advance("8d")               # ~7d of active time since: step 1 is due
    h.close()
    assert nudges(rows, BOB), "b2:T-1 nudge due but its hint was not reset"


# A founder added to the config is seeded as a twin of an existing member.
def test_a_founder_added_to_the_config_never_makes_a_twin(tmp_path):
    h = Harness(str(tmp_path / "c.db"))
    h.say(ALICE, '!propose "Repair Together" fixes things')
    h.advance("6d")
    assert h.state(1) == "validated"
    text = BASE_CONFIG + '\n[[groups.members]]\nslug = "repair"\nname = "repair-together."\n'
    h.config = parse(text.format(database=h.database, language="en", min_supporters=0,
                                 charter="[]"))
    h.restart()
    active = [m for m in h.repo.members("sem", "active") if m.name_key == "repairtogether"]
    h.close()
    assert len(active) == 1, f"two active members of one name: {[m.slug for m in active]}"


# A readmission by the clock (or by !resolve accept) changes who may decide other contested
#    proposals, but follow_decision / the hint reset only run after ADMIN/moves_deciders commands.
def test_a_readmission_by_the_clock_reassigns_a_decision(tmp_path):
    h = Harness(str(tmp_path / "d.db"))
    h.say(ALICE, "!member leave transition")        # Bob (core) loses good standing
    h.say(DAN, '!propose "Green Coop" good people')
    h.say(ALICE, "!object C-1 not convinced")         # deciders: nobody (Alice objects, Bob out)
    assert h.proposal(1).no_decider_at
    h.say(CAROL, '!propose "Réseau Transition" they are back')
    h.sent()
    rows = h.advance("5d1m")                          # C-2 validated: transition readmitted
    assert h.state(2) == "validated"
    decide = [t for t in h.repo.tasks("sem") if t.origin == "decide"][0]
    p1 = h.proposal(1)
    h.close()
    assert decide.lead == BOB and not p1.no_decider_at, (
        f"Decide on C-1 still led by {decide['lead']}, no_decider_at={p1['no_decider_at']}; "
        f"Bob told: {[r['plain'][:60] for r in rows if r['target'] == BOB]}")


def test_an_item_that_keeps_failing_does_not_make_the_scheduler_spin(tmp_path):
    import asyncio

    from bot.scheduler import Wakeups

    h = Harness(str(tmp_path / "e.db"))
    h.say(ALICE, '!propose "Repair Together" fixes things')
    h.repo.db.execute("update proposals set rules = '{' where number = 1")   # one bad row
    h.advance("6d")                                   # fails, is reported, stays due

    async def check() -> None:
        async def on_due() -> None:
            pass
        wakeups = Wakeups(h.engine, h.clock, on_due)
        wakeups.start()
        try:
            job = wakeups.scheduler.get_job("next")
            assert job is None or job.next_run_time > h.clock.now()
        finally:
            wakeups.shutdown()

    asyncio.run(check())
    h.close()


# --- found by the stateful test ------------------------------------------------------------------

def test_an_empty_first_line_is_an_empty_name_not_the_next_label(harness):
    before = everything(harness)
    rows = harness.say(ALICE, "!propose \nwhy: they fix things")
    assert "name of the proposed organisation is missing" in rows[0]["plain"]
    assert everything(harness) == before


def test_hangul_fillers_make_no_second_candidate(harness):
    harness.say(ALICE, PROPOSE)
    rows = harness.say(DAN, '!propose "Repair\u3164Together" again')
    assert "already proposed" in rows[0]["plain"] or "C-1" in rows[0]["plain"]
    assert "is missing" in harness.say(DAN, '!propose "\u3164" x')[0]["plain"]


def test_back_after_the_deadline_the_lost_time_counts_from_the_return(harness):
    harness.say(ALICE, PROPOSE)
    harness.engine.heartbeat(force=True)
    harness.clock.advance(timedelta(days=5) - timedelta(hours=2))  # down 2 h before the deadline
    harness.engine.heartbeat(force=True)
    harness.clock.advance(timedelta(hours=12))                      # back 10 h after it
    harness.engine.recover_downtime()
    deadline = harness.proposal(1).deadline
    assert deadline == harness.clock.now() + timedelta(hours=2)
    assert harness.advance("1m") == [] or harness.state(1) == "open"
    assert harness.state(1) == "open"
