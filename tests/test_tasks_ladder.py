"""Mandates (issue 5, SPEC section 4), following a running task: the stall ladder (nudges, then
escalation to the core group) through quiet hours and daylight-saving changes, a due date,
away and snooze, late nudges after downtime, escalate_after changed mid-ladder, handover,
restarts, and the feedback ladder with its acks."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from commands import followup, ladder
from commands.settings import GroupSettings
from storage.timestamps import iso
from tests.harness import ALICE, BOB, CAROL, DAN, Harness
from tests.tasks_helpers import (
    PROPOSE,
    dms,
    everything,
    room,
    run_at,
    steps,
    task,
    utc,
    wakeup,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def at_time(tmp_path):
    """A harness whose fake clock starts at a chosen instant."""
    made = []

    def make(start: datetime, **options) -> Harness:
        h = Harness(str(tmp_path / f"tasks{len(made)}.db"), clock=FakeClock(start), **options)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


# --- the ladder --------------------------------------------------------------------------------

def test_whole_ladder_through_quiet_hours_and_the_autumn_dst_change(at_time):
    """Brussels leaves summer time on Sunday 2026-10-25 at 03:00 CEST (01:00 UTC). A nudge
    due at 05:30 UTC that morning is 06:30 CET, inside quiet hours (21:00-08:00): it must wait
    for 08:00 *CET* = 07:00 UTC, not 08:00 CEST = 06:00 UTC (the offset at mandate time)."""
    h = at_time(utc(2026, 10, 18, 5, 30))  # 07:30 CEST
    h.say(ALICE, "!config set nudge_every 62h")
    h.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    h.sent()

    first = utc(2026, 10, 25, 7, 0)
    assert wakeup(h, "sem:T-1:nudge") == first
    assert dms(run_at(h, utc(2026, 10, 25, 5, 30))) == []        # stalled, but quiet hours
    assert dms(run_at(h, first - timedelta(seconds=1))) == []     # 07:59:59 CET, still quiet
    [nudge] = run_at(h, first)
    assert (nudge["venue"], nudge["target"]) == ("dm", BOB)
    assert "Reminder 1 for T-1 'Prepare the general assembly'" in nudge["plain"]
    assert "no news since Sunday 18 October 2026 at 07:30 (1 week and 1 hour)" in nudge["plain"]

    # 62 h later is 22:00 CET on Tuesday: quiet, so 08:00 CET on Wednesday
    second = utc(2026, 10, 28, 7, 0)
    assert wakeup(h, "sem:T-1:nudge") == second
    assert run_at(h, utc(2026, 10, 27, 21, 0)) == []
    assert run_at(h, second - timedelta(seconds=1)) == []
    [nudge] = run_at(h, second)
    assert nudge["target"] == BOB and "Reminder 2" in nudge["plain"]

    # after escalate_after (2) nudges: the room, mentioning the core group
    third = utc(2026, 10, 31, 7, 0)
    assert wakeup(h, "sem:T-1:escalate") == third
    assert run_at(h, third - timedelta(seconds=1)) == []
    [escalation] = run_at(h, third)
    assert (escalation["venue"], escalation["target"]) == ("room", "sem")
    assert "T-1 'Prepare the general assembly' (lead @bob:example.org) has stalled" in escalation["plain"]
    assert json.loads(escalation["mentions"]) == [ALICE, BOB]
    assert 'href="https://matrix.to/#/@alice:example.org"' in escalation["html"]

    # the ladder is over for this episode: nothing more, however long we wait
    assert wakeup(h, "sem:T-1:nudge") is None and wakeup(h, "sem:T-1:escalate") is None
    assert run_at(h, utc(2026, 12, 31, 12, 0)) == []
    assert [(s.kind, s.step) for s in steps(h, 1)] == [
        ("nudge", 1), ("nudge", 2), ("escalation", 3)]


def test_spring_dst_change_quiet_hours_end_at_local_eight(at_time):
    """Brussels enters summer time on Sunday 2026-03-29 at 02:00 CET (01:00 UTC). A nudge due
    at 05:00 UTC is 07:00 CEST, quiet: it goes at 08:00 CEST = 06:00 UTC (not 07:00 UTC)."""
    h = at_time(utc(2026, 3, 22, 5, 0))
    h.say(ALICE, '!mandate @bob:example.org "Spring cleaning"')
    h.sent()
    assert wakeup(h, "sem:T-1:nudge") == utc(2026, 3, 29, 6, 0)
    assert run_at(h, utc(2026, 3, 29, 5, 59, 59)) == []
    assert "Reminder 1" in dms(run_at(h, utc(2026, 3, 29, 6, 0)), BOB)[0]["plain"]


def test_quiet_hours_and_pauses_computed_on_local_wall_time():
    quiet = (time(21, 0), time(8, 0))
    # an evening instant waits for tomorrow 08:00; a daytime one does not move
    assert ladder.quiet_end(utc(2026, 11, 2, 20, 30), quiet, BRUSSELS) == utc(2026, 11, 3, 7, 0)
    assert ladder.quiet_end(utc(2026, 11, 2, 12, 0), quiet, BRUSSELS) == utc(2026, 11, 2, 12, 0)
    # a quiet period ending at a wall time that does not exist (the spring gap): the jump
    assert ladder.first_instant_at(date(2026, 3, 29), time(2, 30), BRUSSELS) == utc(2026, 3, 29, 1, 0)
    # a wall time that exists twice (autumn): the first one
    assert ladder.first_instant_at(date(2026, 10, 25), time(2, 30), BRUSSELS) == utc(2026, 10, 25, 0, 30)
    assert ladder.quiet_end(utc(2026, 3, 29, 0, 30), (time(1, 0), time(2, 30)), BRUSSELS) == \
        utc(2026, 3, 29, 1, 0)
    # away time does not count toward a duration
    start = utc(2026, 11, 2, 9, 0)
    paused = [(start + timedelta(days=1), start + timedelta(days=3))]
    assert ladder.active_after(start, timedelta(days=7), paused) == start + timedelta(days=9)
    assert ladder.active_after(start, timedelta(hours=12), paused) == start + timedelta(hours=12)
    # a task of a role pauses only while all its holders are away
    a = [(start, start + timedelta(days=4))]
    b = [(start + timedelta(days=2), start + timedelta(days=6))]
    assert ladder.all_away([a, b]) == [(start + timedelta(days=2), start + timedelta(days=4))]
    settings = GroupSettings.from_texts({"quiet_hours": "off"})
    step = ladder.next_stall_step(settings=settings, episode_start=start, due=None, sent=[],
                                  paused=[], snoozed_until=None)
    assert (step.number, step.kind, step.at) == (1, "nudge", start + timedelta(days=7))


def test_due_date_stalls_before_stall_after(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Send the invitations" due 2026-11-04')
    harness.sent()
    # due at the end of 4 November (23:59:59 CET), quiet: the nudge comes at 08:00 CET the next day
    assert wakeup(harness, "sem:T-1:nudge") == utc(2026, 11, 5, 7, 0)
    [nudge] = run_at(harness, utc(2026, 11, 5, 7, 0))
    assert "it was due on Wednesday 4 November 2026." in nudge["plain"]
    # an update after the due date restarts the clock, with nudge_every as the delay
    harness.say(BOB, "!update T-1 printing them now")
    assert wakeup(harness, "sem:T-1:nudge") == utc(2026, 11, 8, 7, 0)


# --- away and snooze ----------------------------------------------------------------------------

def test_away_pauses_the_stall_clock_and_silences_nudges(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    run_at(harness, utc(2026, 11, 4, 9, 0))
    rows = harness.say(BOB, "!away until 2026-11-07")
    assert "Through 2026-11-07 (back on Sunday 8 November 2026 at 00:00)" in rows[0]["plain"]
    assert "the clock of your tasks (1) is paused" in rows[0]["plain"]
    assert "@bob:example.org is away until Sunday 8 November 2026 at 00:00" in harness.say(DAN, "!status T-1")[0]["plain"]
    # 2 days ran before the absence; the other 5 run from 8 November 00:00 CET: 13 November
    # 00:00 CET, quiet, so 08:00 CET
    expected = utc(2026, 11, 13, 7, 0)
    assert wakeup(harness, "sem:T-1:nudge") == expected
    assert run_at(harness, utc(2026, 11, 9, 9, 0)) == []      # 7 days after the mandate
    assert run_at(harness, expected - timedelta(seconds=1)) == []
    assert "Reminder 1" in dms(run_at(harness, expected), BOB)[0]["plain"]


def test_away_off_resumes_the_clock(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    run_at(harness, utc(2026, 11, 3, 9, 0))
    harness.say(BOB, "!away until 2026-12-31")
    run_at(harness, utc(2026, 11, 4, 9, 0))
    assert "Welcome back" in harness.say(BOB, "!away off")[0]["plain"]
    assert "You were not away" in harness.say(BOB, "!away off")[0]["plain"]
    assert "has already passed" in harness.say(BOB, "!away until 2026-11-01")[0]["plain"]
    assert "'soon' is not a date" in harness.say(BOB, "!away until soon")[0]["plain"]
    assert wakeup(harness, "sem:T-1:nudge") == utc(2026, 11, 10, 9, 0)  # one day paused


def test_away_holders_of_a_role_task_are_not_nudged(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(CAROL, "!object C-1 not sure")            # T-1: Decide on C-1, for the core group
    harness.say(ALICE, "!away until 2026-12-31")
    harness.sent()
    # one core member is still here: the clock runs, and only Bob is nudged
    assert wakeup(harness, "sem:T-1:nudge") == utc(2026, 11, 9, 9, 0)
    rows = run_at(harness, utc(2026, 11, 9, 9, 0))
    assert [r["target"] for r in dms(rows)] == [BOB]
    assert rows[0]["plain"].startswith(
        "Reminder 1: C-1 awaits your decision (T-1 'Decide on C-1 (Repair Together)')")
    # a decision is taken with !resolve, never with !done
    assert "!resolve C-1 accept|reject reason…" in rows[0]["plain"]
    assert "!done" not in rows[0]["plain"]


def test_snooze_defers_nudges_within_max_snooze(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    run_at(harness, utc(2026, 11, 8, 9, 0))
    before = everything(harness)
    assert "more than the group's maximum (2 weeks)" in harness.say(BOB, "!snooze T-1 15d")[0]["plain"]
    assert "'soon' is not a duration" in harness.say(BOB, "!snooze T-1 soon")[0]["plain"]
    assert everything(harness) == before
    rows = harness.say(BOB, "!snooze T-1 5d")
    assert "No reminder for T-1 before Friday 13 November 2026 at 10:00" in rows[0]["plain"]
    assert wakeup(harness, "sem:T-1:nudge") == utc(2026, 11, 13, 9, 0)
    assert run_at(harness, utc(2026, 11, 9, 9, 0)) == []     # would have been the first nudge
    assert run_at(harness, utc(2026, 11, 13, 8, 59)) == []
    assert "Reminder 1" in run_at(harness, utc(2026, 11, 13, 9, 0))[0]["plain"]


def test_late_nudge_after_downtime_waits_for_the_end_of_quiet_hours(harness):
    """The bot was down when step 1 came due (Monday 10:00 CET) and is back at 22:30 CET:
    the late nudge must not go out inside quiet hours, but at 08:00 CET the next morning."""
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    harness.sent()
    assert run_at(harness, utc(2026, 11, 9, 21, 30)) == []        # 22:30 CET: quiet
    assert run_at(harness, utc(2026, 11, 10, 6, 59)) == []         # 07:59 CET: still quiet
    assert steps(harness, 1) == []
    assert followup.wakeups(harness.repo, harness.engine.group, ["sem"],
                         now=utc(2026, 11, 9, 21, 30)) == [("sem:T-1:nudge", utc(2026, 11, 10, 7, 0))]
    [nudge] = run_at(harness, utc(2026, 11, 10, 7, 0))
    assert nudge["target"] == BOB and "Reminder 1" in nudge["plain"]
    assert [(s.kind, iso(s.at)) for s in steps(harness, 1)] == [("nudge", "2026-11-10T07:00:00Z")]


def test_late_nudge_to_a_lead_who_went_away_meanwhile_waits_for_their_return(harness):
    """Step 1 came due while the bot was down; Bob declared an absence before it was back:
    nothing is recorded as sent (to nobody), and the nudge reaches Bob when he is back."""
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    harness.clock.set(utc(2026, 11, 9, 12, 0))                     # step 1 was due at 09:00
    harness.say(BOB, "!away until 2026-11-12")
    harness.sent()
    assert harness.engine.process_due() == 0
    assert harness.sent() == [] and steps(harness, 1) == []
    assert run_at(harness, utc(2026, 11, 12, 12, 0)) == []         # still away
    # back at midnight (quiet hours): the nudge waits for 08:00 CET
    assert run_at(harness, utc(2026, 11, 12, 23, 0)) == []
    [nudge] = run_at(harness, utc(2026, 11, 13, 7, 0))
    assert nudge["target"] == BOB and "Reminder 1" in nudge["plain"]
    assert [(s.kind, s.step, s.person) for s in steps(harness, 1)] == [("nudge", 1, BOB)]


def test_lowering_escalate_after_mid_ladder_escalates_at_the_next_step(harness):
    harness.say(ALICE, "!config set escalate_after 3")
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    assert "Reminder 1" in dms(run_at(harness, utc(2026, 11, 9, 9, 0)), BOB)[0]["plain"]
    assert "Reminder 2" in dms(run_at(harness, utc(2026, 11, 12, 9, 0)), BOB)[0]["plain"]
    harness.say(ALICE, "!config set escalate_after 1")
    harness.sent()
    assert wakeup(harness, "sem:T-1:escalate") == utc(2026, 11, 15, 9, 0)
    [escalation] = run_at(harness, utc(2026, 11, 15, 9, 0))
    assert escalation["venue"] == "room" and "has stalled" in escalation["plain"]
    assert wakeup(harness, "sem:T-1:nudge") is None and wakeup(harness, "sem:T-1:escalate") is None
    assert run_at(harness, utc(2026, 12, 31, 9, 0)) == []
    assert [(s.kind, s.step) for s in steps(harness, 1)] == [
        ("nudge", 1), ("nudge", 2), ("escalation", 3)]
    # raising it again after the escalation does not restart the ladder of the episode
    harness.say(ALICE, "!config set escalate_after 5")
    assert wakeup(harness, "sem:T-1:nudge") is None
    assert run_at(harness, utc(2027, 1, 31, 9, 0)) == []


# --- handover, restart ----------------------------------------------------------------------------

def test_handover_mid_ladder(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    assert dms(run_at(harness, utc(2026, 11, 9, 9, 0)), BOB)  # nudge 1 to Bob
    rows = harness.say(ALICE, "!handover T-1 @carol:example.org")
    assert "T-1 is handed over to @carol:example.org" in rows[0]["plain"]
    assert "hands T-1 'Prepare the general assembly' over to you" in dms(rows, CAROL)[0]["plain"]
    assert "you no longer lead it" in dms(rows, BOB)[0]["plain"]
    assert "passes from @bob:example.org to @carol:example.org" in room(rows)[-1]["plain"]
    t = task(harness, 1)
    assert (t.lead, t.episode) == (CAROL, 2)
    # Bob's second nudge (12 Nov) never comes; Carol gets a fresh stall clock
    assert run_at(harness, utc(2026, 11, 12, 9, 0)) == []
    assert run_at(harness, utc(2026, 11, 16, 8, 59)) == []
    rows = run_at(harness, utc(2026, 11, 16, 9, 0))
    assert [(r["target"], "Reminder 1" in r["plain"]) for r in rows] == [(CAROL, True)]
    assert "handed over to @carol:example.org by @alice:example.org" in \
        harness.say(DAN, "!status T-1")[0]["plain"]


def test_restart_mid_ladder_loses_and_doubles_nothing(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    assert len(dms(harness.advance("7d"))) == 1            # nudge 1
    harness.restart()
    assert harness.advance("1d") == []
    harness.restart()
    rows = harness.advance("2d")                          # nudge 2, once
    assert len(rows) == 1 and "Reminder 2" in rows[0]["plain"]
    assert harness.engine.process_due() == 0               # a second wakeup changes nothing
    # down while the escalation came due: handled once at start, not lost
    harness.close()
    harness.clock.advance(timedelta(days=5))
    harness.open()
    assert harness.engine.process_due() == 1
    assert harness.engine.process_due() == 0
    rows = harness.sent()
    assert len(rows) == 1 and "has stalled" in rows[0]["plain"]
    harness.restart()
    assert harness.advance("30d") == []
    assert [s.step for s in steps(harness, 1)] == [1, 2, 3]
    # the database itself refuses a second copy of a step
    assert not harness.repo.add_task_event(task="sem:T-1", at=harness.clock.now(), actor="x",
                                           kind="nudge", episode=1, step=2)
    with pytest.raises(sqlite3.IntegrityError):
        harness.repo.db.execute("insert into task_events (task, kind, episode, step)"
                                " values ('sem:T-1', 'nudge', 1, 2)")


# --- feedback -------------------------------------------------------------------------------

def test_feedback_with_partial_acks(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Draft the charter"')
    rows = harness.say(BOB, "!feedback T-1 https://talk.example.org/t/charter/12")
    assert task(harness, 1).state == "feedback"
    assert "asks for your feedback on T-1 'Draft the charter'" in room(rows)[-1]["plain"]
    rows = harness.say(CAROL, "!ack T-1 looks good")
    assert "(1/3 members have answered)" in rows[0]["plain"]       # Bob's own member not counted
    assert "(Petites Singularités) gave feedback on T-1" in dms(rows, BOB)[0]["plain"]
    assert "updated" in harness.say(CAROL, "!ack T-1 looks very good")[0]["plain"]
    harness.say(DAN, "!away until 2026-11-08")
    # after feedback_window (5d): only those who have not acked and are not away
    rows = run_at(harness, utc(2026, 11, 7, 9, 0))
    assert len(rows) == 1 and rows[0]["venue"] == "room"
    assert json.loads(rows[0]["mentions"]) == [ALICE]
    assert "1/3 members have answered" in rows[0]["plain"]
    harness.say(DAN, "!ack T-1")
    rows = run_at(harness, utc(2026, 11, 10, 9, 0))                 # nudge_every later
    assert json.loads(rows[0]["mentions"]) == [ALICE] and "2/3" in rows[0]["plain"]
    # people acked: no escalation to the core group after the reminders
    assert run_at(harness, utc(2026, 12, 31, 9, 0)) == []
    status = harness.say(DAN, "!status T-1")[0]["plain"]
    assert "ack by @carol:example.org — looks very good" in status
    assert "feedback reminder 1 (@alice:example.org)" in status
    assert "Answers: 2/3 members" in status
    # an update means the lead moved on: the stall ladder again
    harness.say(BOB, "!update T-1 merged the comments")
    assert task(harness, 1).state == "open"


def test_feedback_without_any_ack_reaches_the_core_group(harness):
    harness.say(ALICE, '!mandate @dan:example.org "Draft the charter"')
    harness.say(DAN, "!feedback T-1 the draft is in the shared folder")
    harness.sent()
    first = run_at(harness, utc(2026, 11, 7, 9, 0))
    assert sorted(json.loads(first[0]["mentions"])) == [ALICE, BOB, CAROL]  # not Dan, the lead
    second = run_at(harness, utc(2026, 11, 10, 9, 0))
    assert "Reminder" in second[0]["plain"]
    [core] = run_at(harness, utc(2026, 11, 13, 9, 0))
    assert "Nobody has given feedback on T-1" in core["plain"]
    assert json.loads(core["mentions"]) == [ALICE, BOB]
    assert run_at(harness, utc(2026, 12, 13, 9, 0)) == []
    # everyone acks a new request: the ladder has nothing left to remind
    harness.say(DAN, "!feedback T-1 second draft")
    for person in (ALICE, BOB, CAROL):
        harness.say(person, "!ack T-1")
    assert wakeup(harness, "sem:T-1:feedback") is None
    assert run_at(harness, utc(2027, 1, 31, 9, 0)) == []


def test_lowering_escalate_after_mid_feedback_ladder_still_reaches_the_core_group(harness):
    harness.say(ALICE, "!config set escalate_after 3")
    harness.say(ALICE, '!mandate @dan:example.org "Draft the charter"')
    harness.say(DAN, "!feedback T-1 the draft is in the shared folder")
    harness.sent()
    run_at(harness, utc(2026, 11, 7, 9, 0))
    run_at(harness, utc(2026, 11, 10, 9, 0))       # two reminders sent
    harness.say(ALICE, "!config set escalate_after 1")
    harness.sent()
    [core] = run_at(harness, utc(2026, 11, 13, 9, 0))
    assert "Nobody has given feedback on T-1" in core["plain"]
    assert run_at(harness, utc(2026, 12, 13, 9, 0)) == []
