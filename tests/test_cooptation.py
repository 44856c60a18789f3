"""The cooptation lifecycle of SPEC section 3, through the engine and a real SQLite file."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from commands.lifecycle import TRANSITIONS, IllegalTransition, State, Transition, next_state
from tests.harness import ALICE, BOB, CAROL, DAN, STRANGER

PROPOSE = '!propose "Repair Together" they fix things with us'


def test_transition_table_is_the_only_way():
    assert next_state("open", Transition.OBJECT) is State.CONTESTED
    with pytest.raises(IllegalTransition):
        next_state("withdrawn", Transition.DEADLINE_SILENT)
    finals = {State.VALIDATED, State.ACCEPTED, State.REJECTED, State.WITHDRAWN}
    assert not [key for key in TRANSITIONS if key[0] in finals]


def test_propose_announces_and_sets_deadline(harness):
    rows = harness.say(ALICE, PROPOSE)
    assert [r["venue"] for r in rows] == ["room", "room"]
    assert rows[0]["reply_to"] is not None  # the reply threads on the command
    assert "New proposal C-1: Repair Together" in rows[1]["plain"]
    proposal = harness.proposal(1)
    assert proposal.state == "open"
    assert proposal.deadline - proposal.created_at == timedelta(days=5)
    assert harness.repo.electorate(proposal) == ["dewey", "financite", "singularites", "transition"]


def test_silence_validates_at_the_deadline(harness):
    harness.say(ALICE, PROPOSE)
    assert harness.advance(timedelta(days=5) - timedelta(seconds=1)) != []  # the last call
    assert harness.state(1) == "open"
    rows = harness.advance("1s")
    assert harness.state(1) == "validated"
    assert "C-1 is validated" in harness.texts(rows)
    member = harness.repo.member("sem", "repair-together")
    assert member.status == "active" and member.coopted_by == "dewey"
    assert member.proposal == "sem:C-1"
    assert harness.advance("5d") == []  # validated once


def test_multi_line_proposal_with_fields(harness):
    harness.say(ALICE, "!propose La Ferme du Chant des Cailles\nwhy: cooperative farming\n"
                       "we already swap seeds\nwebsite: https://example.org\ncontact: info@ferme.be")
    proposal = harness.proposal(1)
    assert proposal.candidate == "La Ferme du Chant des Cailles"
    assert proposal.rationale == "cooperative farming\nwe already swap seeds"
    assert proposal.website == "https://example.org"
    assert proposal.contact == "info@ferme.be"


@pytest.mark.parametrize("body", [
    "!propose name: La Ferme\nwhy: cooperative farming",
    "!proposer\nnom : La Ferme\npourquoi: cooperative farming",
    "!voordragen\nnaam: La Ferme\nwaarom: cooperative farming",
])
def test_the_name_may_be_labelled_in_each_language(harness, body):
    harness.say(ALICE, body)
    proposal = harness.proposal(1)
    assert (proposal.candidate, proposal.rationale) == ("La Ferme", "cooperative farming")


def test_objection_contests_and_mentions_the_eligible_deciders_only(harness):
    harness.say(ALICE, PROPOSE)
    rows = harness.say(DAN, "!object C-1 not an organisation")
    assert harness.state(1) == "contested"
    [announcement] = [r for r in rows if r["venue"] == "room" and not r["reply_to"]]
    assert "contested" in announcement["plain"]
    # Alice proposed it: only Bob, core and outside the case, is called to decide.
    assert json.loads(announcement["mentions"]) == [BOB]
    assert harness.advance("6d") == [] or harness.state(1) == "contested"
    assert harness.state(1) == "contested"


def test_second_objection_by_same_person_updates_reason(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(BOB, "!object C-1 first reason")
    rows = harness.say(BOB, "!object C-1 better reason")
    assert "updated" in rows[0]["plain"]
    objections = harness.repo.objections("sem:C-1", active_only=True)
    assert [o.reason for o in objections] == ["better reason"]


def test_objection_stamped_before_deadline_but_applied_after_still_blocks(harness):
    harness.say(ALICE, PROPOSE)
    deadline = harness.proposal(1).deadline
    harness.clock.set(deadline + timedelta(hours=2))  # the bot was slow; nothing decided yet
    harness.say(BOB, "!object C-1 too late to read, not too late to count",
                at=deadline - timedelta(minutes=1))
    assert harness.state(1) == "contested"
    harness.engine.process_due()
    assert harness.state(1) == "contested"


def test_objection_stamped_after_deadline_does_not_count(harness):
    harness.say(ALICE, PROPOSE)
    deadline = harness.proposal(1).deadline
    harness.clock.set(deadline + timedelta(minutes=5))
    rows = harness.say(BOB, "!object C-1 late", at=deadline + timedelta(seconds=1))
    assert "too late" in rows[0]["plain"]
    assert harness.repo.objections("sem:C-1") == []
    harness.engine.process_due()
    assert harness.state(1) == "validated"


def test_deadline_waits_for_sources_to_be_read(harness):
    harness.say(ALICE, PROPOSE)
    deadline = harness.proposal(1).deadline
    harness.clock.set(deadline + timedelta(minutes=1))
    harness.engine.process_due(read_until=deadline - timedelta(seconds=30))
    assert harness.state(1) == "open"  # a source is behind: do not decide yet
    harness.engine.process_due(read_until=deadline)
    assert harness.state(1) == "validated"


def test_withdraw_objection_reopens_with_grace_then_validates(harness):
    harness.say(ALICE, PROPOSE)
    harness.advance("4d23h")
    harness.say(BOB, "!object C-1 wait")
    harness.advance("2h")  # past the original deadline while contested
    assert harness.state(1) == "contested"
    rows = harness.say(BOB, "!withdraw C-1")
    assert harness.state(1) == "open"
    assert "open again" in harness.texts(rows)
    deadline = harness.proposal(1).deadline
    assert deadline == harness.clock.now() + timedelta(hours=24)
    harness.advance("23h")
    assert harness.state(1) == "open"
    harness.advance("1h")
    assert harness.state(1) == "validated"


def test_withdraw_objection_keeps_later_deadline(harness):
    harness.say(ALICE, PROPOSE)
    original = harness.proposal(1).deadline
    harness.say(BOB, "!object C-1 hmm")
    harness.say(BOB, "!withdraw C-1 objection")
    assert harness.proposal(1).deadline == original  # max(old deadline, now + grace)


def test_withdrawn_proposal_never_validates(harness):
    harness.say(ALICE, PROPOSE)
    rows = harness.say(ALICE, "!withdraw C-1")
    assert harness.state(1) == "withdrawn"
    assert "withdrawn by" in rows[-1]["plain"]
    harness.advance("10d")
    assert harness.state(1) == "withdrawn"
    assert harness.repo.member("sem", "repair-together") is None
    rows = harness.say(BOB, "!object C-1 anyway")
    assert "already closed" in rows[0]["plain"]


def test_proposer_withdraws_contested_proposal(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(BOB, "!object C-1 no")
    harness.say(ALICE, "!withdraw C-1 proposal")
    assert harness.state(1) == "withdrawn"


def test_resolve_accept_and_reject(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(ALICE, '!propose "Bad Corp" they pay well')
    harness.say(CAROL, "!object C-1 unsure")
    harness.say(CAROL, "!object C-2 a bank")
    rows = harness.say(BOB, "!resolve C-1 accept we talked with them")
    assert harness.state(1) == "accepted"
    assert "accepted by the core group" in rows[-1]["plain"]
    assert harness.repo.member("sem", "repair-together").coopted_by == "dewey"
    harness.say(BOB, "!resolve C-2 reject not a cooperative")
    assert harness.state(2) == "rejected"
    assert harness.proposal(2).decision_reason == "not a cooperative"


def test_min_supporters(make_harness):
    h = make_harness(min_supporters=2)
    h.say(ALICE, PROPOSE)
    rows = h.say(BOB, "!support C-1 good people")
    assert "1 support" in rows[0]["plain"]
    h.say(BOB, "!support C-1 really good")  # a second support by the same person updates it
    h.advance("5d")
    assert h.state(1) == "rejected"
    assert h.proposal(1).decided_by == "coopbot"
    h.say(ALICE, PROPOSE)
    h.say(BOB, "!support C-2")
    h.say(CAROL, "!support C-2")
    h.advance("5d")
    assert h.state(2) == "validated"


def test_last_call_once_and_only_to_the_silent(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(BOB, "!support C-1")
    rows = harness.advance("4d")
    last_calls = [r for r in rows if "Last call" in r["plain"]]
    assert len(last_calls) == 1
    assert sorted(json.loads(last_calls[0]["mentions"])) == [CAROL, DAN]
    assert BOB not in last_calls[0]["plain"] and ALICE not in last_calls[0]["plain"]
    assert not [r for r in harness.advance("12h") if "Last call" in r["plain"]]


def test_frozen_electorate(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(ALICE, '!propose "Late Comer" another one')
    harness.say(DAN, "!object C-1 no")
    harness.say(BOB, "!resolve C-1 accept fine after all")
    harness.say(ALICE, "!link @rita:example.org repair-together")
    rows = harness.say("@rita:example.org", "!object C-2 we came after")
    assert "joined after C-2 was opened" in rows[0]["plain"]
    assert harness.state(2) == "open"
    rows = harness.say("@rita:example.org", "!support C-2")
    assert "joined after" in rows[0]["plain"]


def test_own_member_cannot_object(harness):
    harness.say(ALICE, "!link @alice2:example.org dewey")
    harness.say(ALICE, PROPOSE)
    rows = harness.say("@alice2:example.org", "!object C-1 self")
    assert "Your organisation made this proposal" in rows[0]["plain"]
    assert harness.state(1) == "open"


@pytest.mark.parametrize("text,expected", [
    ('!propose ""', "name of the proposed organisation is missing"),
    ('!propose "Repair Together"', "Say why you propose Repair Together"),
    ('!propose "Dewey  asbl" again', "already an active member"),
    ('!propose "Réseau transition" again', "already an active member"),
    ('!propose "repair   TOGÉTHER" twice', "already proposed: see C-1"),
])
def test_propose_refusals(harness, text, expected):
    harness.say(ALICE, PROPOSE)
    before = harness.snapshot()
    rows = harness.say(BOB, text)
    assert expected in rows[0]["plain"]
    assert len(rows) == 1
    assert harness.snapshot() == before


def test_non_member_cannot_propose(harness):
    before = harness.snapshot()
    rows = harness.say(STRANGER, PROPOSE)
    assert "Only people who represent an active member" in rows[0]["plain"]
    assert harness.snapshot() == before


def test_suspended_member_loses_rights(harness):
    harness.say(ALICE, "!member suspend transition")
    rows = harness.say(BOB, PROPOSE)
    assert "Your organisation (Réseau Transition) is 'suspended'" in rows[0]["plain"]
    rows = harness.say(ALICE, "!role grant admin @bob:example.org")
    assert "reinstate the organisation first" in rows[0]["plain"]
    rows = harness.say(BOB, "!resolve C-1 accept x")
    assert "reserved for the 'core group" in rows[0]["plain"]


def test_charter_must_be_addressed(make_harness):
    h = make_harness(charter=("social purpose", "democratic governance"))
    rows = h.say(ALICE, "!propose Coop X\nwhy: a coop\ncharter 1: non-profit")
    assert "Missing: 2" in rows[0]["plain"]
    assert h.proposal(1) is None
    rows = h.say(ALICE, "!propose Coop X\nwhy: a coop\ncharter 1: non-profit\ncharter 2: one member one vote")
    assert "Charter 2 (democratic governance): one member one vote" in rows[1]["plain"]
    h.say(BOB, "!object C-1 fails principle 2")
    assert h.repo.objections("sem:C-1")[0].principles == "2"


def test_status_list_members(harness):
    harness.say(ALICE, PROPOSE)
    harness.say(BOB, "!object C-1 hmm")
    rows = harness.say(STRANGER, "!status c1")
    assert "C-1 — Repair Together: contested" in rows[0]["plain"]
    assert "@bob:example.org (Réseau Transition) — hmm" in rows[0]["plain"]
    rows = harness.say(STRANGER, "!list")
    assert "C-1 Repair Together — contested" in rows[0]["plain"]
    rows = harness.say(STRANGER, "!list validated")
    assert "No proposals" in rows[0]["plain"]
    rows = harness.say(STRANGER, "!members")
    assert "Active members (4)" in rows[0]["plain"]


def test_dm_command_acts_in_the_persons_group(harness):
    rows = harness.dm(BOB, "status C-9")
    assert rows[0]["venue"] == "dm" and rows[0]["target"] == BOB
    assert "no proposal C-9" in rows[0]["plain"]
    harness.dm(ALICE, PROPOSE)
    assert harness.state(1) == "open"


def test_event_applied_at_most_once(harness):
    harness.say(ALICE, PROPOSE, event_id="$same")
    rows = harness.say(ALICE, '!propose "Other" reason', event_id="$same")
    assert rows == []
    assert harness.proposal(2) is None


def test_no_judge_in_their_own_case(harness):
    harness.say(ALICE, "!role grant core @carol:example.org")
    harness.say(ALICE, PROPOSE)
    rows = harness.say(BOB, "!object C-1 no")
    room = [r for r in rows if r["venue"] == "room" and not r["reply_to"]]
    assert json.loads(room[-1]["mentions"]) == [CAROL]  # only who may decide is pinged
    for judge in (ALICE, BOB):  # the proposer's side, the objector
        rows = harness.say(judge, "!resolve C-1 accept fine")
        assert "You cannot resolve C-1" in rows[0]["plain"] and CAROL in rows[0]["plain"]
        assert harness.state(1) == "contested"
    harness.say(CAROL, "!resolve C-1 accept fine")
    assert harness.state(1) == "accepted"


def test_support_requirement_is_shown(make_harness):
    h = make_harness(min_supporters=1)
    rows = h.say(ALICE, PROPOSE)
    assert "Supports needed to validate: 1 (now 0)" in rows[1]["plain"]
    h.say(BOB, "!support C-1")
    assert "Supports needed to validate: 1 (now 1)" in h.say(DAN, "!status C-1")[0]["plain"]


def test_unquoted_name_with_colon_and_proposer_withdrawing_objection(harness):
    harness.say(ALICE, "!propose Repair Together: they fix things")
    assert harness.proposal(1).candidate == "Repair Together"
    rows = harness.say(ALICE, "!withdraw C-1 objection")
    assert "You have no active objection to C-1" in rows[0]["plain"]
    rows = harness.say(ALICE, "!propose Les Amis du Parc ils plantent des arbres")
    assert 'Put the name in quotes' in rows[0]["plain"]


def test_no_last_call_once_the_deadline_passed(harness):
    harness.say(ALICE, PROPOSE)
    deadline = harness.proposal(1).deadline
    harness.clock.set(deadline + timedelta(hours=1))
    harness.engine.process_due(read_until=deadline - timedelta(hours=2))  # a source is behind
    assert not [r for r in harness.sent() if "Last call" in r["plain"]]
    assert harness.state(1) == "open"


def test_cooptation_never_revives_a_suspended_member(harness):
    harness.say(ALICE, "!member suspend transition")
    rows = harness.say(DAN, '!propose "Réseau Transition" back again')
    assert "suspended member ('transition')" in rows[0]["plain"]
    harness.say(DAN, '!propose "Transition" a different organisation')  # not the slug's owner
    harness.advance("5d")
    assert harness.repo.member("sem", "transition").status == "suspended"
    assert harness.repo.member("sem", "transition-2").status == "active"


def test_last_call_waits_until_sources_are_read_up_to_it(harness):
    harness.say(ALICE, PROPOSE)
    last_call_at = harness.proposal(1).deadline - timedelta(hours=24)
    harness.clock.set(last_call_at + timedelta(minutes=5))
    harness.engine.process_due(read_until=last_call_at - timedelta(minutes=1))
    assert not [r for r in harness.sent() if "Last call" in r["plain"]]
    harness.say(BOB, "!support C-1", at=last_call_at - timedelta(seconds=30))  # read late
    harness.engine.process_due(read_until=harness.clock.now())
    [call] = [r for r in harness.sent() if "Last call" in r["plain"]]
    assert BOB not in json.loads(call["mentions"])
