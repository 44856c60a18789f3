"""Informed silence (issue 12, item 1), through the engine, a real SQLite file and a fake clock.

The harness's group: Dewey (alice) proposes; the electorate without the proposer is
Réseau Transition (bob), Petites Singularités (carol) and Financité (dan).
"""

from __future__ import annotations

import json
from datetime import timedelta

from commands.events import Kind, Venue
from tests.harness import ALICE, BOB, CAROL, DAN, STRANGER

PROPOSE = '!propose "Repair Together" they fix things with us'


def open_counting(h, share: str = "0.6", extension: str | None = None) -> None:
    """C-1 opened under min_reached = share, its announcement delivered."""
    h.say(ALICE, f"!config set min_reached {share}")
    if extension:
        h.say(ALICE, f"!config set reach_extension {extension}")
    h.say(ALICE, PROPOSE)
    h.deliver()
    h.sent()


def audit(h, action: str) -> list[dict]:
    return list(h.repo.db.query("select * from audit where action = ? order by id", [action]))


def to_deadline(h, number: int = 1) -> list[dict]:
    h.clock.set(h.proposal(number).deadline)
    h.engine.process_due()
    return h.sent()


def test_below_the_share_the_window_grows_once_and_the_unreached_are_told(harness):
    h = harness
    open_counting(h)
    first = h.proposal(1).deadline
    h.read(BOB, 1)
    rows = to_deadline(h)
    proposal = h.proposal(1)
    assert proposal.state == "open"
    assert proposal.deadline == first + timedelta(hours=24)     # last_call, the default
    assert proposal.reach_extended_at == first
    room = [r for r in rows if r["venue"] == "room"]
    assert len(room) == 1 and room[0]["subject"] == "sem:C-1"
    assert "only 1 of 3 organisations saw the proposal" in room[0]["plain"]
    assert "Not reached yet: Financité, Petites Singularités." in room[0]["plain"]
    assert json.loads(room[0]["mentions"]) == []                # the DMs reach them, not a ping
    dms = sorted(r["target"] for r in rows if r["venue"] == "dm")
    assert dms == [CAROL, DAN]                                  # not bob (reached), not alice
    assert "Petites Singularités" in next(r["plain"] for r in rows if r["target"] == CAROL)
    [extended] = audit(h, "reach_extended")
    assert json.loads(extended["detail"])["unreached"] == ["financite", "singularites"]
    # Once only: at the end of the extension it is decided, short or not.
    assert h.advance(timedelta(hours=24) - timedelta(seconds=1)) == []
    assert h.state(1) == "open"
    rows = h.advance("1s")
    assert h.state(1) == "validated"
    assert len(audit(h, "reach_extended")) == 1
    assert not [r for r in rows if r["venue"] == "dm" and "window was extended" in r["plain"]]


def test_an_objection_sent_within_the_extension_counts(harness):
    h = harness
    open_counting(h)
    to_deadline(h)
    assert h.state(1) == "open"
    rows = h.say(DAN, "!object C-1 we were never asked", at=h.clock.now() + timedelta(hours=5))
    assert "C-1 (Repair Together) is contested" in h.texts(rows)
    h.advance("3d")
    assert h.state(1) == "contested"


def test_an_objection_after_the_extension_is_late(harness):
    h = harness
    open_counting(h)
    to_deadline(h)
    deadline = h.proposal(1).deadline
    h.clock.set(deadline + timedelta(minutes=1))
    rows = h.say(DAN, "!object C-1 too late now", at=deadline + timedelta(seconds=1))
    assert "comes too late" in h.texts(rows)
    h.engine.process_due()
    assert h.state(1) == "validated"


def test_reached_enough_at_the_deadline_is_decided_as_usual(harness):
    h = harness
    open_counting(h, "1")
    h.clock.advance(timedelta(minutes=5))
    h.read(BOB, 1)                                              # a read receipt
    h.chat(CAROL, "I had a look, they seem fine")               # wrote in the room after it
    h.dm(DAN, "!status C-1")                                    # a command about it
    to_deadline(h)
    assert h.state(1) == "validated"
    assert not audit(h, "reach_extended")
    marks = {r["member"]: r["how"] for r in h.repo.db.query("select * from reach_marks")}
    assert marks == {"transition": "read", "singularites": "message", "financite": "command"}


def test_every_sign_of_having_seen_it_counts_once_at_its_earliest(harness):
    h = harness
    open_counting(h, "1")
    sent = h.repo.announcement("sem:C-1")[1]
    h.clock.advance(timedelta(hours=1))
    # A receipt on a later event of the room: read up to there, the announcement was read.
    h.gesture(Kind.READ, BOB, target="$later", target_at=sent + timedelta(minutes=3))
    # A reaction of any kind; a reply in the proposal's forum topic (a linked forum user).
    h.react(CAROL, 1, "🎉")
    h.say(ALICE, "!link forum:zed financite")
    h.gesture(Kind.CHAT, "forum:zed", venue=Venue.FORUM, proposal="sem:C-1")
    marks = {r["member"]: r["how"] for r in h.repo.db.query("select * from reach_marks")}
    assert marks == {"transition": "read", "singularites": "reaction", "financite": "forum"}
    # Seen again later: the earliest sign stays, and is audited once.
    h.read(BOB, 1, at=h.clock.now() + timedelta(hours=1))
    assert len(audit(h, "reached")) == 3
    # An earlier sign read late (after an outage) moves it back.
    h.gesture(Kind.READ, BOB, target="$later", target_at=sent + timedelta(seconds=2),
              at=sent + timedelta(seconds=5))
    [bob] = [r for r in h.repo.db.query("select * from reach_marks where member = 'transition'")]
    assert bob["at"] == (sent + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_what_came_before_the_announcement_or_from_outside_does_not_count(harness):
    h = harness
    open_counting(h, "1")
    sent = h.repo.announcement("sem:C-1")[1]
    h.gesture(Kind.READ, BOB, target="$earlier", target_at=sent - timedelta(minutes=1))
    h.gesture(Kind.READ, CAROL, target="$unknown")              # a target of unknown time
    h.chat(DAN, "hello", at=sent - timedelta(minutes=1))        # before it was delivered
    h.chat(STRANGER, "who are you all?")                        # represents nobody
    h.chat(ALICE, "please have a look")                         # the proposer's own
    h.gesture(Kind.READ, DAN, target=h.announcement(1), venue=Venue.DM)  # not in the room
    assert list(h.repo.db.query("select * from reach_marks")) == []
    to_deadline(h)
    assert h.state(1) == "open" and audit(h, "reach_extended")


def test_judged_as_of_the_deadline(harness):
    """A sign sent after the deadline does not count for it, even if read before the
    decision (a source lagging behind); one sent exactly at it does."""
    h = harness
    open_counting(h, "0.6")
    deadline = h.proposal(1).deadline
    h.read(BOB, 1, at=deadline)
    h.clock.set(deadline + timedelta(minutes=10))
    h.read(CAROL, 1, at=deadline + timedelta(seconds=1))
    h.engine.process_due()
    assert h.state(1) == "open"
    [extended] = audit(h, "reach_extended")
    detail = json.loads(extended["detail"])
    assert (detail["reached"], detail["total"]) == (1, 3)
    # Decided ten minutes late: the extension still gives its whole length from now.
    assert h.proposal(1).deadline == h.clock.now() + timedelta(hours=24)


def test_counted_over_the_organisations_still_active_the_proposers_left_out(harness):
    h = harness
    open_counting(h, "1")
    h.read(BOB, 1)
    h.read(CAROL, 1)
    h.say(ALICE, "!member suspend financite")
    to_deadline(h)
    assert h.state(1) == "validated"                            # 2 of 2: dan's org is out


def test_checked_before_min_supporters(harness):
    h = harness
    h.say(ALICE, "!config set min_supporters 1")
    open_counting(h, "0.5")
    to_deadline(h)
    assert h.state(1) == "open" and audit(h, "reach_extended")  # grown, not lapsed
    h.say(BOB, "!support C-1")
    h.advance("1d")
    assert h.state(1) == "validated"


def test_the_rule_and_its_extension_are_frozen_with_the_proposal(harness):
    h = harness
    open_counting(h, "1", extension="2d")                       # C-1: counts, grows by 2 days
    h.say(ALICE, "!config set min_reached 0")
    h.say(ALICE, "!config set reach_extension 1h")
    h.say(BOB, '!propose "Les Amis du Compost" compost for all')  # C-2: counts nothing
    h.say(ALICE, "!config set min_reached 1")
    rules = json.loads(h.proposal(1).rules)
    assert (rules["min_reached"], rules["reach_extension"]) == ("1", "2d")
    assert json.loads(h.proposal(2).rules)["min_reached"] == "0"
    first = h.proposal(1).deadline
    h.clock.set(max(first, h.proposal(2).deadline))
    h.engine.process_due()
    assert h.state(2) == "validated"                            # the rule was off for it
    assert h.proposal(1).deadline == h.clock.now() + timedelta(days=2)


def test_status_says_how_many_were_reached_and_who_was_not(harness):
    h = harness
    open_counting(h, "60%")
    h.read(BOB, 1)
    [reply] = h.say(DAN, "!status C-1")
    assert ("Reached 1 of 3 organisations (60% needed); not yet: Financité, "
            "Petites Singularités") in reply["plain"]
    [again] = h.say(DAN, "!status C-1")         # his first !status was a sign of his own
    assert "Reached 2 of 3 organisations" in again["plain"]
    [fr] = h.say(CAROL, "!statut C-1")
    assert "Organisations atteintes : 2 sur 3 (il en faut 60%)" in fr["plain"]


def test_off_by_default_nothing_is_counted_nor_written(harness):
    h = harness
    h.say(ALICE, PROPOSE)
    h.deliver()
    h.read(BOB, 1)
    h.chat(CAROL, "hello")
    [reply] = h.say(DAN, "!status C-1")
    assert "Reached" not in reply["plain"]
    assert list(h.repo.db.query("select * from reach_marks")) == []
    assert not audit(h, "reached")
    to_deadline(h)
    assert h.state(1) == "validated"


def test_the_extension_happens_once_across_a_restart(harness):
    h = harness
    open_counting(h)
    h.read(BOB, 1)
    to_deadline(h)
    h.restart()
    h.clock.set(h.proposal(1).deadline)
    h.engine.process_due()
    assert h.state(1) == "validated"
    assert len(audit(h, "reach_extended")) == 1


def test_bad_values_are_refused_and_change_nothing(harness):
    h = harness
    before = h.snapshot()
    for value in ("1.5", "-0.1", "150%", "half", "0.5.5"):
        [reply] = h.say(ALICE, f"!config set min_reached {value}")
        assert "from 0 (off) to 1" in reply["plain"], reply["plain"]
    [reply] = h.say(ALICE, "!config set reach_extension forever")
    assert "or last_call" in reply["plain"]
    assert h.snapshot() == before
    rows = h.dm(ALICE, "!config set min_reached 0,75")          # a Belgian decimal comma
    assert "min_reached is now 0.75" in rows[0]["plain"]
    rows = h.dm(ALICE, "config set reach_extension dernier appel")
    assert "reach_extension is now last_call" in rows[0]["plain"]


def test_the_console_reads_and_reacts_where_a_chat_client_would(tmp_path):
    """``/read C-1`` and ``/react C-1 👍``: the gestures with no typed form, as a person."""
    from tests.harness import BASE_CONFIG, console_blocks, coopbot

    config = tmp_path / "sem.toml"
    config.write_text(BASE_CONFIG.format(database="sem.db", language="en", min_supporters=0,
                                         charter="[]"))
    script = "\n".join([
        "!config set min_reached 1",
        '!propose "Repair Together" they fix things with us',
        "/advance 1m",
        "/as @bob", "/read C-1",
        "/as @carol", "/react C-1 👍🏽",
        "/as @dan", "/react C-1 👎",
        "!status C-1",
        "/unreact C-1 👎",
        "/react C-9 👍", "/read", "/react C-1",
        "/quit",
    ]) + "\n"
    run = coopbot("console", "--config", str(config), stdin=script, cwd=tmp_path)
    blocks = console_blocks(run)
    status = next(b for b in blocks if "C-1 — Repair Together: contested" in b)
    assert "Reached 3 of 3 organisations (100% needed)" in status
    assert "@dan:example.org (Financité) — reason to follow" in status
    assert "@carol:example.org (Petites Singularités)" in status.split("Supports:")[1]
    assert any(b.startswith("[dm @dan:example.org]") and "Please give your reason" in b
               for b in blocks)
    assert "the proposal is open again" in blocks[-1]         # dan took his 👎 back
    assert "C-9 has no announcement in sem" in run.stderr
    assert "usage: /read C-1" in run.stderr and "usage: /react C-1 👍" in run.stderr
