"""Trust in the task follow-up (SPEC sections 4 and 7): who may still act for a task once they
no longer stand for an organisation of the group, and what they are told."""

from __future__ import annotations

from tests.harness import ALICE, DAN
from tests.tasks_helpers import everything, task

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
