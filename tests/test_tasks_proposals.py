"""Mandates (issue 5, SPEC section 4), the tasks the bot creates itself: registering a
validated proposal (the registrar, or the core group when there is none) and deciding a
contested one (the core group members outside the case), and how each closes with its
proposal."""

from __future__ import annotations

from tests.harness import ALICE, BOB, CAROL, DAN
from tests.tasks_helpers import PROPOSE, dms, everything, steps, task

# --- the tasks the bot creates -----------------------------------------------------------------

def test_validated_proposal_mandates_the_registrar(harness):
    harness.say(ALICE, PROPOSE)
    rows = harness.advance("5d")
    assert harness.state(1) == "validated"
    t = task(harness, 1)
    assert (t.title, t.lead, t.role, t.origin, t.proposal) == (
        "Register Repair Together", CAROL, "registrar", "register", "sem:C-1")
    [dm] = dms(rows)
    assert dm["target"] == CAROL and "New task for the registrar role" in dm["plain"]
    assert "member 'repair-together'" in dm["plain"]
    assert "T-1 is done" in harness.say(CAROL, "!done T-1 signed up")[0]["plain"]


def test_no_registrar_falls_back_to_the_core_group(harness):
    harness.say(ALICE, "!role revoke registrar @carol:example.org")
    harness.say(ALICE, PROPOSE)
    rows = harness.advance("5d")
    t = task(harness, 1)
    assert (t.lead, t.role) == (ALICE, "core")
    assert sorted(r["target"] for r in dms(rows)) == [ALICE, BOB]


def test_contested_proposal_is_a_task_of_the_core_group_until_resolved(harness):
    harness.say(ALICE, PROPOSE)
    rows = harness.say(DAN, "!object C-1 not an organisation")
    # The lead of the decision hears it directly, with the command that decides.
    [dm] = dms(rows)
    assert dm["target"] == BOB and dm["plain"] == (
        "C-1 (Repair Together) is contested, and you may decide it (T-1). See !status C-1, "
        "then !resolve C-1 accept|reject reason… — or !handover T-1 @person (someone else "
        "who may decide).")
    t = task(harness, 1)
    # Alice's organisation proposed it: the decision goes to Bob, the core member outside it.
    assert (t.title, t.lead, t.role, t.origin) == (
        "Decide on C-1 (Repair Together)", BOB, "core", "decide")
    # a stalled decision nudges every eligible decider, and only them
    rows = harness.advance("7d")
    assert sorted(r["target"] for r in dms(rows)) == [BOB]
    rows = harness.say(BOB, "!resolve C-1 accept we talked with them")
    assert "accepted by the core group" in rows[-1]["plain"]
    t = task(harness, 1)
    assert (t.state, t.closed_by, t.close_reason) == ("done", BOB, "C-1 is resolved")
    register = task(harness, 2)
    assert register.title == "Register Repair Together" and register.lead == CAROL
    assert "Register Repair Together" in dms(rows, CAROL)[0]["plain"]
    assert "done (@bob:example.org) — C-1 is resolved" in harness.say(DAN, "!status T-1")[0]["plain"]


def test_decision_task_cannot_be_closed_by_hand_while_the_proposal_is_contested(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(CAROL, "!object C-1 not sure")             # T-1: Decide on C-1, core group
    harness.sent()
    for caller, command in ((ALICE, "!done T-1"), (BOB, "!drop T-1 no time for this")):
        before = everything(harness)
        rows = harness.say(caller, command)
        assert len(rows) == 1, rows
        assert ("T-1 closes by itself when C-1 is resolved (!resolve C-1 accept|reject reason…)"
                " or its objections are withdrawn") in rows[0]["plain"]
        assert everything(harness) == before
    # a handover within the core group is fine: the task keeps running and being followed
    assert "handed over to @bob" in harness.say(ALICE, "!handover T-1 @bob:example.org")[0]["plain"]
    assert task(harness, 1).state == "open"
    assert "closes by itself" in harness.say(BOB, "!done T-1")[0]["plain"]
    assert "Reminder 1" in dms(harness.advance("7d"), BOB)[0]["plain"]
    harness.say(BOB, "!resolve C-1 reject not now")
    assert (task(harness, 1).state, task(harness, 1).close_reason) == ("done", "C-1 is resolved")


def test_rejected_withdrawn_or_reopened_proposal_closes_its_decision_task(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(ALICE, '!propose "Bad Corp" they pay well')
    harness.say(ALICE, '!propose "Third Place" a café')
    harness.say(CAROL, "!object C-1 unsure")
    harness.say(CAROL, "!object C-2 a bank")
    harness.say(CAROL, "!object C-3 hmm")
    assert [task(harness, n).title for n in (1, 2, 3)] == [
        "Decide on C-1 (Repair Together)", "Decide on C-2 (Bad Corp)", "Decide on C-3 (Third Place)"]
    harness.say(BOB, "!resolve C-1 reject not now")
    harness.say(ALICE, "!withdraw C-2 proposal")
    harness.say(CAROL, "!withdraw C-3")
    assert harness.state(3) == "open"
    assert [task(harness, n).state for n in (1, 2, 3)] == ["done", "cancelled", "cancelled"]
    assert task(harness, 3).close_reason == "the objections to C-3 are withdrawn"
    assert harness.repo.task("sem", 4) is None             # a rejection registers nobody
    # contested again: a new decision task
    harness.say(DAN, "!object C-3 still unsure")
    assert task(harness, 4).title == "Decide on C-3 (Third Place)"
    assert task(harness, 4).state == "open"
    harness.sent()
    assert harness.advance("8d") != []                      # only T-4 is still followed
    assert {s.task for n in (1, 2, 3, 4) for s in steps(harness, n)} == {"sem:T-4"}

