"""Mandates (issue 5, SPEC section 4), what people type and read: !mandate and its refusals,
in English, French and Dutch; the rights of every task command and !help by right; !tasks,
!status and the export; a forum lead; the scheduler's jobs; the console end to end."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot import export
from storage.timestamps import iso
from tests.harness import (
    ALICE,
    BASE_CONFIG,
    BOB,
    CAROL,
    DAN,
    STRANGER,
    console_blocks,
    coopbot,
)
from tests.tasks_helpers import PROPOSE, dms, everything, room, task, wakeup

# --- mandate ---------------------------------------------------------------------------------

def test_mandate_tells_the_lead_by_direct_message(harness):
    rows = harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly" '
                              'due 2026-11-20 agenda and room')
    assert "T-1 'Prepare the general assembly', led by @bob:example.org" in rows[0]["plain"]
    assert rows[0]["venue"] == "room" and rows[0]["reply_to"] is not None
    [dm] = dms(rows)
    assert dm["target"] == BOB
    assert "@alice:example.org gives you a task: T-1" in dm["plain"]
    assert "agenda and room" in dm["plain"] and "!update T-1" in dm["plain"]
    t = task(harness, 1)
    assert (t.lead, t.state, t.title, t.description) == (
        BOB, "open", "Prepare the general assembly", "agenda and room")
    assert iso(t.due) == "2026-11-20T22:59:59Z"  # the end of that day in Brussels (CET), in UTC
    assert [a.action for a in harness.repo.audit_rows()][-1] == "task_mandate"
    # ids are per group and sequential; an unquoted title with a trailing due date works too
    harness.say(ALICE, "!mandate @carol:example.org Write the minutes due 2026-12-01")
    t2 = task(harness, 2)
    assert (t2.title, t2.lead, iso(t2.due)) == ("Write the minutes", CAROL, "2026-12-01T22:59:59Z")


@pytest.mark.parametrize("text,expected", [
    ('!mandate @eve:example.org "X"', "is not part of the group"),
    ('!mandate @bob:example.org "X" due 2026-10-01', "has already passed"),
    ('!mandate @bob:example.org "X" due someday', "'someday' is not a date"),
    ("!mandate @bob:example.org", "The task's title is missing"),
    ('!mandate @bob:example.org "' + "x" * 130 + '"', "too long"),
])
def test_mandate_bad_input_changes_nothing(harness, text, expected):
    before = everything(harness)
    rows = harness.say(ALICE, text)
    assert len(rows) == 1 and expected in rows[0]["plain"], rows[0]["plain"]
    assert everything(harness) == before


def test_task_commands_in_french_and_dutch(make_harness):
    fr = make_harness(language="fr")
    rows = fr.say(ALICE, '!mandater @bob:example.org "Préparer l\'AG" échéance 2026-12-10')
    assert "C'est noté : T-1 « Préparer l'AG », responsable @bob:example.org" in rows[0]["plain"]
    assert "vous confie une tâche" in dms(rows, BOB)[0]["plain"]
    assert iso(fr.repo.task("sem", 1).due) == "2026-12-10T22:59:59Z"
    assert "Tâches (en cours, 1)" in fr.say(BOB, "!tâches")[0]["plain"]
    assert "Tâches (les vôtres, 1)" in fr.say(BOB, "!taches miennes")[0]["plain"]
    assert "Merci, c'est noté pour T-1" in fr.say(BOB, "!avancement T-1 salle réservée")[0]["plain"]
    assert "Bonne absence" in fr.say(BOB, "!absent jusqu'au 2026-12-20")[0]["plain"]
    assert "Bon retour" in fr.say(BOB, "!absent fin")[0]["plain"]
    nl = make_harness(language="nl")
    assert "Genoteerd: T-1" in nl.say(ALICE, '!mandateren @bob:example.org "De AV voorbereiden"')[0]["plain"]
    assert "Taken (lopend, 1)" in nl.say(BOB, "!taken")[0]["plain"]
    assert "T-1 is klaar" in nl.say(BOB, "!klaar T-1")[0]["plain"]


# --- rights ------------------------------------------------------------------------------------

# (command, callers lacking the right, what they are told). Setup: T-1 led by Dan (a plain
# representative), waiting for feedback; T-2 led by Carol (the registrar). Alice is admin and
# core, Bob core only.
TASK_RIGHTS = [
    ('!mandate @dan:example.org "Book the room"', [STRANGER, DAN, CAROL],
     "mandating is reserved for the core group and the admins"),
    ("!update T-1 progress", [STRANGER], "reserved for a task's lead and the core group"),
    ("!update T-1 progress", [CAROL], "Only the lead of T-1 (@dan:example.org) or the core group"),
    ("!done T-1", [STRANGER], "reserved for a task's lead and the core group"),
    ("!done T-1", [CAROL], "Only the lead of T-1 (@dan:example.org) or the core group"),
    ("!drop T-1 no time", [STRANGER], "reserved for a task's lead and the core group"),
    ("!drop T-1 no time", [CAROL], "Only the lead of T-1 (@dan:example.org) or the core group"),
    ("!handover T-1 @bob:example.org", [STRANGER], "reserved for a task's lead and the core group"),
    ("!handover T-1 @bob:example.org", [CAROL], "Only the lead of T-1 (@dan:example.org) or the core group"),
    ("!snooze T-1 2d", [STRANGER], "reserved for a task's lead"),
    ("!snooze T-1 2d", [ALICE, BOB, CAROL], "Only the lead of T-1 (@dan:example.org) can do that"),
    ("!feedback T-1 https://example.org/v2", [STRANGER], "reserved for a task's lead"),
    ("!feedback T-1 https://example.org/v2", [ALICE, BOB, CAROL],
     "Only the lead of T-1 (@dan:example.org) can do that"),
    ("!ack T-1 fine", [STRANGER], "Only people who represent an active member"),
    ("!ack T-1 fine", [DAN], "You lead T-1"),
    ("!ack T-2 fine", [ALICE, DAN], "T-2 is not waiting for feedback"),
    ("!update T-9 progress", [ALICE], "There is no task T-9"),
    ("!update T-1", [DAN], "the text is required"),
    ("!drop T-1", [DAN], "A reason is required"),
    ("!handover T-1 @dan:example.org", [DAN], "@dan:example.org already leads T-1"),
    ("!handover T-1 @eve:example.org", [DAN], "is not part of the group"),
    ("!feedback T-1", [DAN], "Say what you want feedback on"),
]


@pytest.mark.parametrize("text,callers,expected", TASK_RIGHTS)
def test_task_command_refused_and_nothing_changes(harness, text, callers, expected):
    harness.say(ALICE, '!mandate @dan:example.org "Book the room"')
    harness.say(ALICE, '!mandate @carol:example.org "Write the minutes"')
    harness.say(DAN, "!feedback T-1 https://example.org/v1")
    for caller in callers:
        before = everything(harness)
        rows = harness.say(caller, text)
        assert len(rows) == 1, (caller, text, rows)
        assert expected in rows[0]["plain"], (caller, rows[0]["plain"])
        assert everything(harness) == before


def test_every_task_command_has_a_rights_case():
    covered = {t.split()[0].lstrip("!") for t, _, _ in TASK_RIGHTS}
    assert covered >= {"mandate", "update", "done", "drop", "handover", "snooze", "feedback", "ack"}


def test_who_may_have_the_right(harness):
    harness.say(ALICE, '!mandate @dan:example.org "Book the room"')
    assert "Thanks, noted for T-1" in harness.say(DAN, "!update T-1 asked the town hall")[0]["plain"]
    assert "Thanks, noted for T-1" in harness.say(BOB, "!update T-1 I called them too")[0]["plain"]
    assert "handed over to @carol" in harness.say(BOB, "!handover T-1 @carol:example.org")[0]["plain"]
    assert "No reminder for T-1" in harness.say(CAROL, "!snooze T-1 1d")[0]["plain"]
    assert "T-1 is dropped" in harness.say(BOB, "!drop T-1 the town hall said no")[0]["plain"]
    rows = harness.say(BOB, "!update T-1 too late?")
    assert "T-1 is already closed (dropped)" in rows[0]["plain"]
    # anyone: tasks, status, away
    assert "Tasks (all, 1)" in harness.say(STRANGER, "!tasks all")[0]["plain"]
    assert "T-1 — Book the room: dropped" in harness.say(STRANGER, "!status T-1")[0]["plain"]
    assert "Enjoy your time away" in harness.say(STRANGER, "!away until 2026-12-01")[0]["plain"]
    # who_may_mandate = members: any representative, still not a stranger
    harness.say(ALICE, "!config set who_may_mandate members")
    assert "Noted: T-2" in harness.say(DAN, '!mandate @carol:example.org "Minutes"')[0]["plain"]
    assert "Only people who represent" in harness.say(STRANGER, '!mandate @dan:example.org "X"')[0]["plain"]


def test_help_lists_task_commands_by_right(harness):
    plain = harness.dm(DAN, "help")[0]["plain"]
    assert "!tasks [mine|stalled|all]" in plain and "!away until YYYY-MM-DD|off" in plain
    assert "!update" not in plain and "!mandate" not in plain
    harness.say(ALICE, '!mandate @dan:example.org "Book the room"')
    plain = harness.dm(DAN, "help")[0]["plain"]
    assert "!update T-n text…" in plain and "!snooze T-n duration" in plain
    assert "!mandate @lead" in harness.dm(ALICE, "help")[0]["plain"]
    assert "Who: the task's lead or the core group" in harness.say(DAN, "!help update")[0]["plain"]


# --- listing, status, export ----------------------------------------------------------------------

def test_tasks_list_and_status(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly" due 2026-11-30')
    harness.say(ALICE, '!mandate @dan:example.org "Book the room"')
    harness.say(ALICE, PROPOSE)
    harness.advance("8d")                                   # T-1, T-2 stalled; C-1 -> T-3
    harness.say(DAN, "!update T-2 booked")
    plain = harness.say(BOB, "!tasks")[0]["plain"]
    assert "Tasks (running, 3)" in plain
    assert "T-1 Prepare the general assembly — @bob:example.org, open, due Monday 30 November 2026" in plain
    assert "stalled" in plain.splitlines()[1] and "stalled" not in plain.splitlines()[2]
    assert "T-3 Register Repair Together — @carol:example.org" in plain
    assert "T-1" in harness.say(BOB, "!tasks mine")[0]["plain"]
    assert "T-2" not in harness.say(BOB, "!tasks mine")[0]["plain"]
    assert "T-3" in harness.say(CAROL, "!tasks mine")[0]["plain"]
    stalled = harness.say(BOB, "!tasks stalled")[0]["plain"]
    assert "T-1" in stalled and "T-2" not in stalled
    assert "No tasks (yours)" in harness.say(ALICE, "!tasks mine")[0]["plain"]
    harness.say(DAN, "!done T-2")
    assert "T-2" not in harness.say(BOB, "!tasks")[0]["plain"]
    assert "T-2" in harness.say(BOB, "!tasks all")[0]["plain"]
    status = harness.say(BOB, "!status T-1")[0]["plain"]
    assert "T-1 — Prepare the general assembly: open" in status
    assert "reminder 1 to @bob:example.org" in status
    assert "Next reminder without news" in status
    assert "There is no task T-7" in harness.say(BOB, "!status T-7")[0]["plain"]
    assert "could be C-1 or T-1" in harness.say(BOB, "!status #1")[0]["plain"]
    assert "T-2 — Book the room: done" in harness.say(BOB, "!status #2")[0]["plain"]


def test_export_tasks(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly" due 2026-11-30')
    harness.advance("8d")
    harness.say(BOB, "!update T-1 progress")
    [exported] = export.rows(harness.repo, "tasks")
    assert {"id", "group", "title", "lead", "state", "due", "last_activity_at", "nudges"} <= set(exported)
    assert (exported["id"], exported["group"], exported["lead"], exported["state"]) == (
        "T-1", "sem", BOB, "open")
    assert exported["due"] == "2026-11-30T22:59:59Z"
    assert exported["last_activity_at"] == "2026-11-10T09:00:00Z"
    assert exported["nudges"] == 1 and exported["steps"][0]["kind"] == "nudge"
    assert exported["steps"][0]["at"].endswith("Z")
    csv_text = export.render(export.rows(harness.repo, "tasks"), "csv")
    assert csv_text.splitlines()[0].startswith("id,group,title,lead")


def test_a_forum_lead_is_named_in_the_room(harness):
    """A forum user has no direct chat with the bot: the fallback is the room."""
    rows = harness.say(ALICE, '!mandate forum:alice "Moderate the forum"')
    assert dms(rows) == []
    assert "forum:alice: @alice:example.org gives you a task: T-1" in room(rows)[-1]["plain"]
    rows = harness.advance("7d")
    assert "forum:alice: Reminder 1 for T-1" in room(rows)[0]["plain"]


@pytest.mark.asyncio
async def test_scheduler_jobs_follow_the_tasks(harness):
    from bot.scheduler import Wakeups

    async def on_due():
        pass

    harness.say(ALICE, '!mandate @bob:example.org "Prepare the general assembly"')
    wakeups = Wakeups(harness.engine, harness.clock, on_due)
    wakeups.start()
    def next_run() -> datetime:
        return wakeups.scheduler.get_job("next").next_run_time

    try:
        assert wakeups.job_ids() == ["heartbeat", "next"]
        assert next_run() == wakeup(harness, "sem:T-1:nudge")
        harness.say(BOB, "!feedback T-1 https://example.org/draft")
        wakeups.sync()
        assert wakeups.job_ids() == ["heartbeat", "next"]
        assert next_run() == wakeup(harness, "sem:T-1:feedback")
        harness.say(BOB, "!done T-1")
        wakeups.sync()
        assert wakeups.job_ids() == ["heartbeat"]
    finally:
        wakeups.shutdown()


# --- the console -----------------------------------------------------------------------------

def test_console_mandate_nudge_and_escalation(tmp_path):
    config = tmp_path / "sem.toml"
    text = BASE_CONFIG.format(database="sem.db", language="en", min_supporters=0, charter="[]")
    # real wall-clock time drives the console: no quiet hours, so the run does not depend on
    # the hour of the day it happens to run at
    config.write_text(text.replace("charter = []", 'charter = []\nquiet_hours = "off"'))
    script = "\n".join([
        '!mandate @bob:example.org "Prepare the general assembly"',
        "/advance 8d",
        "/advance 3d",
        "/advance 3d",
        "/quit",
    ]) + "\n"
    blocks = console_blocks(coopbot("console", "--config", str(config), stdin=script, cwd=tmp_path))
    told = next(i for i, b in enumerate(blocks)
                if b.startswith("[dm @bob:example.org]") and "gives you a task: T-1" in b)
    nudges = [i for i, b in enumerate(blocks)
              if b.startswith("[dm @bob:example.org]") and "Reminder" in b]
    escalation = next(i for i, b in enumerate(blocks)
                      if b.startswith("[room sem]") and "has stalled" in b)
    assert told < nudges[0] < nudges[1] < escalation and len(nudges) == 2
    assert "@alice:example.org, @bob:example.org" in blocks[escalation]

    exported = coopbot("export", "--config", str(config), "--what", "tasks")
    assert exported.returncode == 0, exported.stderr
    [t] = json.loads(exported.stdout)
    assert (t["id"], t["lead"], t["state"], t["nudges"]) == ("T-1", BOB, "open", 3)
    assert t["last_activity_at"].endswith("Z")
