"""Trust bugs found by an adversarial hunt in the engine and its commands, one regression test
each. Config (tests.harness): dewey=@alice (admin, core), transition=@bob (core),
singularites=@carol (registrar), financite=@dan."""

from __future__ import annotations

from datetime import timedelta

from tests.harness import ALICE, BOB, CAROL, DAN
from tests.tasks_helpers import PROPOSE, dms, everything, room, task


# --- a support keeps the moment it was given ---------------------------------------------------

def test_a_support_updated_after_the_deadline_still_counts_from_when_it_was_given(make_harness):
    """``!support C-n`` again only updates the comment: a support given in time must not stop
    counting because its author added a word after the deadline, read before the deadline
    was decided (the bot was down, or a source was behind)."""
    h = make_harness(min_supporters=1)
    h.say(ALICE, PROPOSE)
    h.say(BOB, "!support C-1 they repaired our bikes")
    h.clock.advance(timedelta(days=5, minutes=1))  # past the deadline, not decided yet
    rows = h.say(BOB, "!support C-1 and our kettle")
    assert "updated" in rows[0]["plain"]
    h.engine.process_due()
    assert h.state(1) == "validated"
    support = h.repo.supports("sem:C-1")[0]
    assert support.comment == "and our kettle"
    assert support.at <= h.proposal(1).deadline


# --- a contested decision is followed until decided ---------------------------------------------

def test_a_contested_decision_cannot_escape_its_follow_up_by_a_feedback_request(harness):
    """``Decide on C-n`` is nudged until C-n is decided (SPEC section 3). A feedback request
    would put it on the feedback ladder, which ends once the members acked: the contested
    proposal would then never be followed again. Refused, like ``!done``: nothing changes."""
    harness.say(ALICE, PROPOSE)
    harness.say(DAN, "!object C-1 not an organisation")
    assert task(harness, 1).lead == BOB
    before = everything(harness)
    rows = harness.say(BOB, "!feedback T-1 I lean towards accepting, what do you think?")
    assert len(rows) == 1 and "!resolve C-1" in rows[0]["plain"]
    assert everything(harness) == before
    assert task(harness, 1).state == "open"
    # It stays followed: the eligible decider is reminded.
    rows = harness.advance("7d")
    assert [r["target"] for r in dms(rows)] == [BOB]
    # In the caller's language too.
    harness.say(BOB, "!lang nl")
    assert "beslissen C-1" in harness.say(BOB, "!feedback T-1 wat denken jullie?")[0]["plain"]


# --- odd input never stops the bot -------------------------------------------------------------

def test_a_lone_surrogate_is_refused_with_one_reply_and_changes_nothing(harness):
    """A console fed bytes that are not UTF-8 (read with ``surrogateescape``), or a JSON
    event carrying an escaped lone surrogate, gives text that SQLite cannot store: the
    command must be refused like any invisible character, not crash on its reply."""
    harness.say(ALICE, PROPOSE)
    before = everything(harness)
    for text in ('!status \udcff', '!propose "Repair\ud800 Cafe" they fix things',
                 '!object C-1 no \udcff', '!\ud800'):
        rows = harness.say(BOB, text)
        assert len(rows) == 1 and "invisible" in rows[0]["plain"], text
    assert everything(harness) == before
    assert harness.state(1) == "open"


# --- the host's way back in reaches the decisions waiting for a decider ----------------------

def test_an_admin_granted_by_the_host_is_given_the_decisions_they_may_now_take(harness):
    """``coopbot grant-admin`` runs beside the bot. The admin it names may be the only one
    who may now decide a contested proposal: the decision task must go to them (and they be
    told), not stay with a lead who is no longer in good standing until the next restart."""
    from commands.admin import host_grant_admin

    zoe = "@zoe:example.org"
    harness.say(ALICE, PROPOSE)
    harness.say(BOB, "!object C-1 no")      # Alice's and Bob's organisations are in the case
    assert task(harness, 1).lead == ALICE    # nobody may decide: the admin, to grant a role
    # An older version let the sole admin's organisation be suspended.
    harness.repo.set_member_status("sem", "dewey", "suspended", harness.clock.now(), "old")
    host_grant_admin(harness.repo, harness.engine.group("sem"), zoe, harness.clock.now())
    rows = harness.sent()
    assert task(harness, 1).lead == zoe
    assert "C-1" in " ".join(r["plain"] for r in dms(rows, zoe))
    assert harness.proposal(1).no_decider_at is None
    harness.say(zoe, "!resolve C-1 reject the objection stands")
    assert harness.state(1) == "rejected"
