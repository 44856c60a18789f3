"""Trust in the task follow-up (SPEC sections 4 and 7): who may still act for a task once they
no longer stand for an organisation of the group, and what they are told; who an escalation
reaches when the core group is empty or is only the lead."""

from __future__ import annotations

import json

from tests.harness import ALICE, BOB, CAROL, DAN
from tests.tasks_helpers import dms, everything, room, task

MANDATE = '!mandate @dan:example.org "Write the minutes"'


def test_an_unlinked_lead_without_a_role_can_no_longer_act_on_their_task(harness):
    """Unlinked, Dan represents nobody and holds no role: a stranger to the group, who may
    neither close, drop nor hand over the task he led (an admin took him off the group)."""
    harness.say(ALICE, MANDATE)
    harness.say(ALICE, "!unlink @dan:example.org")
    harness.sent()
    before = everything(harness)
    for command in ("!done T-1", "!drop T-1 bye", "!update T-1 still here",
                    "!handover T-1 @bob:example.org", "!snooze T-1 3d"):
        [reply] = harness.say(DAN, command)
        assert "reserved for a task's lead" in reply["plain"], command
    assert everything(harness) == before
    assert task(harness, 1).state == "open"


def test_a_lead_whose_organisation_is_suspended_is_told_why_they_cannot_act(harness):
    harness.say(ALICE, MANDATE)
    harness.say(ALICE, "!member suspend financite")
    harness.sent()
    for command in ("!done T-1", "!snooze T-1 3d"):
        [reply] = harness.say(DAN, command)
        assert "Your organisation (Financité) is 'suspended'" in reply["plain"], command
        assert "you lead no running task" not in reply["plain"]
    assert task(harness, 1).state == "open"


def _to_escalation(h) -> dict:
    """Let a task stall through its two reminders; the escalation in the room."""
    h.advance("8d")
    h.advance("3d")
    [escalation] = room(h.advance("3d"))
    assert "has stalled" in escalation["plain"]
    return escalation


def test_an_escalation_with_no_core_group_reaches_the_admins(harness):
    harness.say(ALICE, MANDATE)
    harness.say(ALICE, "!role revoke core @bob:example.org")
    harness.say(ALICE, "!role revoke core @alice:example.org")
    harness.sent()
    escalation = _to_escalation(harness)
    assert json.loads(escalation["mentions"]) == [ALICE]
    assert "Admins (nobody else in the core group), can you see what is blocking?" \
        in escalation["plain"]


def test_a_lead_alone_in_the_core_group_is_not_the_only_one_told_of_their_stalled_task(harness):
    harness.say(ALICE, "!role revoke core @bob:example.org")
    harness.say(ALICE, "!role grant admin @carol:example.org")
    harness.say(ALICE, '!mandate @alice:example.org "Write the minutes"')
    harness.sent()
    escalation = _to_escalation(harness)
    assert json.loads(escalation["mentions"]) == [CAROL]


def test_a_lead_and_other_core_members_keep_the_core_group_escalation(harness):
    harness.say(ALICE, '!mandate @bob:example.org "Write the minutes"')
    harness.sent()
    escalation = _to_escalation(harness)
    assert json.loads(escalation["mentions"]) == [ALICE, BOB]
    assert "Core group, can you see what is blocking?" in escalation["plain"]


def test_a_lead_who_can_no_longer_act_is_not_nudged_and_the_core_group_is_told(harness):
    """Dan's organisation is suspended: reminders he can no longer act on would only nag him,
    and the ladder would reach the core group two reminders late. The first step of the
    ladder goes to the core group instead, saying why, and the ladder ends there."""
    harness.say(ALICE, MANDATE)
    harness.say(ALICE, "!member suspend financite")
    harness.sent()
    rows = harness.advance("8d")
    assert dms(rows) == []
    [told] = room(rows)
    assert "T-1 'Write the minutes' has stalled, and its lead @dan:example.org can no longer act" \
        in told["plain"]
    assert "!handover T-1 @person" in told["plain"]
    assert json.loads(told["mentions"]) == [ALICE, BOB]
    assert harness.advance("30d") == []


def test_away_until_without_the_apostrophe_is_read(harness):
    """Typed fast, without the apostrophe: "jusqu au 20 décembre" was refused with
    "« jusqu » n'est pas une date"."""
    for said in ("jusqu au 20 décembre", "jusqu a 2026-12-20", "jusqu’au 20 décembre"):
        [reply] = harness.say(DAN, f"!absent {said}")
        assert "Jusqu'au 2026-12-20 inclus" in reply["plain"], said
