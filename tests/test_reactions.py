"""One-tap participation (issue 12, item 2): 👍 and 👎 on a proposal's announcement, through
the engine, a real SQLite file and a fake clock."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from commands.events import Kind
from commands.gestures import vote_of
from tests.harness import ALICE, BOB, CAROL, DAN, STRANGER

PROPOSE = '!propose "Repair Together" they fix things with us'


@pytest.fixture
def h(harness):
    harness.say(ALICE, PROPOSE)
    harness.deliver()
    harness.sent()
    return harness


def supporters(h) -> list[str]:
    return [s.person for s in h.repo.supports("sem:C-1")]


def active_objections(h) -> list:
    return h.repo.objections("sem:C-1", active_only=True)


@pytest.mark.parametrize("key", ["👍", "👍🏽", "👍🏿", "👍️", ":+1:", "+1"])
def test_thumbs_up_in_any_skin_tone_or_variant_is_a_support(key):
    assert vote_of(key) == "support"


@pytest.mark.parametrize("key", ["👎", "👎🏻", "👎️", ":-1:"])
def test_thumbs_down_in_any_variant_is_an_objection(key):
    assert vote_of(key) == "object"


@pytest.mark.parametrize("key", ["🎉", "👌", "❤️", "", "👍👍", "thumbs"])
def test_other_reactions_vote_nothing(key):
    assert vote_of(key) is None


def test_thumbs_up_supports_and_taking_it_back_withdraws_it(h):
    rows = h.react(BOB, 1, "👍🏽", event_id="$up1")
    assert rows == []                                   # a gesture: nothing said in the room
    assert supporters(h) == [BOB]
    [support] = h.repo.supports("sem:C-1")
    assert support.event_id == "$up1" and support.member == "transition"
    assert h.unreact(BOB, 1, "👍🏽") == []
    assert supporters(h) == []
    actions = [r["action"] for r in h.repo.db.query("select action from audit order by id")]
    assert actions[-4:] == ["reaction", "support", "reaction_removed", "support_withdrawn"]


def test_removing_the_thumbs_up_by_redaction_withdraws_the_support(h):
    h.react(CAROL, 1, "👍", event_id="$up2")
    h.redact(CAROL, "$up2")
    assert supporters(h) == []


def test_a_thumbs_up_counts_towards_min_supporters(make_harness):
    h = make_harness(min_supporters=1)
    h.say(ALICE, PROPOSE)
    h.react(DAN, 1, "👍")
    h.advance("5d")
    assert h.state(1) == "validated"


def test_a_thumbs_up_after_a_text_support_adds_nothing_and_its_removal_keeps_it(h):
    h.say(BOB, "!support C-1 we know them")
    h.react(BOB, 1, "👍", event_id="$up3")
    h.redact(BOB, "$up3")
    [support] = h.repo.supports("sem:C-1")
    assert support.comment == "we know them"


def test_thumbs_down_objects_at_once_with_its_reason_to_follow(h):
    at = h.clock.now() + timedelta(minutes=3)
    h.clock.advance(timedelta(hours=1))                 # read an hour after it was sent
    rows = h.react(DAN, 1, "👎", event_id="$down1", at=at)
    assert h.state(1) == "contested"
    [objection] = active_objections(h)
    assert objection.at == at and objection.reason is None and objection.event_id == "$down1"
    room = [r for r in rows if r["venue"] == "room" and "is contested" in r["plain"]]
    assert len(room) == 1
    assert "@dan:example.org (Financité) objects — reason to follow" in room[0]["plain"]
    assert json.loads(room[0]["mentions"]) == [BOB]          # the eligible decider
    [asked] = [r for r in rows if r["venue"] == "dm" and r["target"] == DAN]
    assert "Please give your reason" in asked["plain"] and "!object C-1" in asked["plain"]
    [status] = h.say(CAROL, "!status C-1")
    assert "@dan:example.org (Financité) — reason to follow" in status["plain"]
    # The reason comes by text: the same objection, now with its reason, told to the room.
    rows = h.say(DAN, "!object C-1 they sell repair services, not a cooperative")
    [objection] = active_objections(h)
    assert objection.reason == "they sell repair services, not a cooperative"
    assert objection.at == at                           # still counted from the 👎
    reply = [r for r in rows if r["reply_to"]]
    assert len(reply) == 1 and "reason for your objection" in reply[0]["plain"]
    assert any("gives the reason for their objection — they sell repair services" in r["plain"]
               for r in rows if r["venue"] == "room" and not r["reply_to"])


def test_a_thumbs_down_sent_before_the_deadline_counts_when_read_after(h):
    deadline = h.proposal(1).deadline
    h.clock.set(deadline + timedelta(hours=2))
    h.react(DAN, 1, "👎", at=deadline)
    h.engine.process_due()
    assert h.state(1) == "contested"
    # Its reason may come after the deadline: the objection counted from the reaction.
    h.say(DAN, "!object C-1 not a cooperative")
    assert active_objections(h)[0].reason == "not a cooperative"
    rows = h.say(DAN, "!object C-1 a new reason, too late")
    assert "comes too late" in rows[0]["plain"]
    assert active_objections(h)[0].reason == "not a cooperative"


def test_the_reactors_own_removal_withdraws_the_objection(h):
    h.react(BOB, 1, "👎", event_id="$down2")
    rows = h.redact(BOB, "$down2")
    assert active_objections(h) == [] and h.state(1) == "open"
    assert any("the proposal is open again" in r["plain"] for r in rows if r["venue"] == "room")
    assert any(r["venue"] == "dm" and r["target"] == BOB and "withdrawn" in r["plain"]
               for r in rows)


def test_taking_back_the_thumbs_down_in_the_console_way_withdraws_it_too(h):
    h.react(CAROL, 1, "👎🏾")
    h.unreact(CAROL, 1, "👎🏾")
    assert active_objections(h) == [] and h.state(1) == "open"


def test_a_moderators_redaction_withdraws_nothing(h):
    h.react(BOB, 1, "👎", event_id="$down3")
    h.react(CAROL, 1, "👍", event_id="$up4")
    rows = h.redact(ALICE, "$down3") + h.redact(ALICE, "$up4")
    assert h.state(1) == "contested" and len(active_objections(h)) == 1
    assert supporters(h) == [CAROL]
    told = {r["target"]: r["plain"] for r in rows if r["venue"] == "dm"}
    assert "removed your reaction to C-1 from the room: your objection still counts" in told[BOB]
    assert "!withdraw C-1 objection" in told[BOB]
    assert "your support still counts" in told[CAROL]
    assert not [r for r in rows if r["venue"] == "room"]
    # The author can still withdraw it, by text.
    h.say(BOB, "!withdraw C-1")
    assert h.state(1) == "open"


@pytest.mark.parametrize("person, why", [
    (STRANGER, "Only people who represent an active member organisation"),
    (ALICE, "Your organisation made this proposal"),
])
def test_a_reaction_from_someone_ineligible_is_answered_once_and_not_counted(h, person, why):
    before = h.snapshot()
    rows = h.react(person, 1, "👎")
    assert [r["target"] for r in rows] == [person] and rows[0]["venue"] == "dm"
    assert "Your 👎 on C-1 does not count: " in rows[0]["plain"] and why in rows[0]["plain"]
    assert h.react(person, 1, "👍") == []              # once
    assert h.snapshot() == before


def test_a_late_thumbs_down_is_not_counted(h):
    deadline = h.proposal(1).deadline
    h.clock.set(deadline + timedelta(minutes=1))
    rows = h.react(DAN, 1, "👎", at=deadline + timedelta(seconds=1))
    assert active_objections(h) == []
    assert "comes too late" in rows[0]["plain"] and rows[0]["target"] == DAN


def test_a_member_outside_the_frozen_electorate_is_not_counted(harness):
    h = harness
    h.say(ALICE, "!member suspend financite")
    h.say(ALICE, PROPOSE)
    h.say(ALICE, "!member reinstate financite")
    h.deliver()
    h.sent()
    rows = h.react(DAN, 1, "👍")
    assert supporters(h) == []
    assert "Your organisation joined after C-1 was opened" in h.texts(rows)


def test_a_reaction_on_a_closed_proposal_is_not_counted(h):
    h.advance("5d")
    rows = h.react(BOB, 1, "👎")
    assert h.state(1) == "validated"
    assert "C-1 is already closed (validated)" in h.texts(rows)


def test_a_reaction_on_another_message_or_read_twice_is_applied_once(h):
    rows = h.say(BOB, "!status C-1")
    h.deliver()
    reply_id = h.repo.outbox_row(rows[0]["id"])["remote_id"]
    h.gesture(Kind.REACTION, DAN, target=reply_id, key="👎")
    assert active_objections(h) == []
    h.react(DAN, 1, "👎", event_id="$same")
    h.unreact(DAN, 1, "👎")
    h.react(DAN, 1, "👎", event_id="$same")           # the same event read again
    assert active_objections(h) == [] and h.state(1) == "open"


def test_withdraw_support_in_text(h):
    h.say(BOB, "!support C-1")
    [reply] = h.say(BOB, "!withdraw C-1 support")
    assert "Your support for C-1 is withdrawn" in reply["plain"]
    assert supporters(h) == []
    [reply] = h.say(BOB, "!withdraw C-1 support")
    assert "You do not support C-1" in reply["plain"]
    h.say(CAROL, "!soutenir C-1")
    [reply] = h.say(CAROL, "!retirer C-1")             # all she has on it: her support
    assert "Votre soutien à C-1 est retiré" in reply["plain"]
    h.say(DAN, "!steunen C-1")
    deadline = h.proposal(1).deadline
    h.clock.set(deadline + timedelta(minutes=5))
    before = h.snapshot()
    [reply] = h.say(DAN, "!intrekken C-1 steun", at=deadline + timedelta(seconds=1))
    assert "De termijn van C-1 liep af" in reply["plain"]
    assert h.snapshot() == before


def test_taking_back_one_reaction_is_taking_back_that_one(h):
    """Two 👍 of different tones: the second added nothing; taking it back keeps the first."""
    h.react(BOB, 1, "👍")
    h.react(BOB, 1, "👍🏽")
    h.unreact(BOB, 1, "👍🏽")
    assert supporters(h) == [BOB]
    h.unreact(BOB, 1, "👍")
    assert supporters(h) == []


def test_a_thumbs_up_taken_back_after_the_deadline_still_counts_and_says_so(make_harness):
    h = make_harness(min_supporters=1)
    h.say(ALICE, PROPOSE)
    h.react(DAN, 1, "👍", event_id="$up5")
    deadline = h.proposal(1).deadline
    h.clock.set(deadline + timedelta(minutes=1))
    rows = h.gesture(Kind.REDACTION, DAN, target="$up5", at=deadline + timedelta(seconds=30))
    assert supporters(h) == [DAN]
    assert [r["target"] for r in rows] == [DAN] and "yours stays" in rows[0]["plain"]
    h.engine.process_due()
    assert h.state(1) == "validated"
