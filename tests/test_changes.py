"""Decide, then apply: every write of governance state is a recorded change, and the one
applier (``commands.changes.apply``) writes it with its audit row."""

from __future__ import annotations

import pytest

from commands import changes, changes_startup, context
from commands.changes import Objected, ProposalMoved, TaskMoved
from commands.lifecycle import CLOSES_DECISION_TASK, Transition

from .harness import ALICE, BOB, CAROL, DAN

# Changes that write no audit row of their own (the move they come with does, or they only
# note when to look again).
SILENT = (changes.Objected, changes.Acked, changes.DeciderFound, changes.NextStepKnown,
          changes.StepsToRecompute)


@pytest.fixture
def recorded(monkeypatch):
    """Every change applied, in order."""
    seen: list[changes.Change] = []
    real = context.apply

    def spy(repo, now, change):
        seen.append(change)
        return real(repo, now, change)

    monkeypatch.setattr(context, "apply", spy)
    return seen


def _audit_count(h) -> int:
    return h.repo.db.execute("select count(*) from audit").fetchone()[0]


def test_every_audit_row_is_a_recorded_change(harness, recorded):
    """A journey through proposals, objections, decisions, tasks and admin commands: the
    audit rows written are exactly the auditing changes recorded (nothing writes around the
    applier)."""
    h = harness
    before = _audit_count(h)
    h.say(ALICE, '!propose "Repair Together" they fix things')
    h.say(BOB, "!object C-1 not a cooperative")
    h.say(DAN, "!support C-1 fine by us")
    h.say(BOB, "!withdraw C-1")
    h.say(BOB, "!object C-1 on second thought, no")
    h.say(ALICE, '!mandate @carol:example.org "Book the room" due 2026-12-10')
    h.say(CAROL, "!update T-2 asked the town hall")
    h.say(CAROL, "!feedback T-2 https://example.org/room")
    h.say(DAN, "!ack T-2 ok")
    h.say(ALICE, "!config set last_call 12h")
    h.say(ALICE, "!member suspend financite")
    h.advance("6d")
    auditing = [c for c in recorded if not isinstance(c, SILENT)]
    assert auditing, "the journey recorded nothing"
    assert _audit_count(h) - before == len(auditing)


def test_an_objection_is_recorded_then_moves_the_proposal(harness, recorded):
    harness.say(ALICE, '!propose "Repair Together" they fix things')
    recorded.clear()
    harness.say(BOB, "!object C-1 not a cooperative")
    objected = [c for c in recorded if isinstance(c, Objected)]
    moved = [c for c in recorded if isinstance(c, ProposalMoved)]
    assert [(c.person, c.reason) for c in objected] == [(BOB, "not a cooperative")]
    assert [(c.transition, c.after.state) for c in moved] == [(Transition.OBJECT, "contested")]
    assert recorded.index(objected[0]) < recorded.index(moved[0])


@pytest.mark.parametrize("closing", ["withdraw proposal", "withdraw objection", "resolve"])
def test_the_table_closes_the_decision_task(harness, recorded, closing):
    """``CLOSES_DECISION_TASK``: withdrawing, reopening or resolving a contested proposal
    closes its ``Decide on C-n`` task, whichever command did it."""
    h = harness
    h.say(ALICE, '!propose "Repair Together" they fix things')
    h.say(BOB, "!object C-1 not a cooperative")
    recorded.clear()
    if closing == "withdraw proposal":
        h.say(ALICE, "!withdraw C-1 proposal")
    elif closing == "withdraw objection":
        h.say(BOB, "!withdraw C-1 objection")
    else:
        h.say(CAROL, "!role grant core @carol:example.org")  # refused: not an admin
        h.say(ALICE, "!role grant core @carol:example.org")
        recorded.clear()
        h.say(CAROL, "!resolve C-1 reject not a cooperative")
    [moved] = [c for c in recorded if isinstance(c, ProposalMoved)]
    closed = [c for c in recorded if isinstance(c, TaskMoved)]
    assert [c.task.origin for c in closed] == ["decide"]
    assert closed[0].note and CLOSES_DECISION_TASK[moved.transition]
    task = h.repo.task("sem", closed[0].task.number)
    assert task.state == ("done" if closing == "resolve" else "cancelled")


def test_the_start_up_records_its_changes_too(make_harness, recorded):
    """Seeding the founders, their people and roles from the file is recorded like any
    command's changes: every audit row of a first start is a recorded change."""
    h = make_harness()
    rows = h.repo.db.execute("select action from audit order by id").fetchall()
    auditing = [c for c in recorded if not isinstance(c, SILENT + (changes_startup.PersonSeeded,))]
    assert [r[0] for r in rows] == [
        "member_seeded" if isinstance(c, changes_startup.FounderSeeded) else "role_seeded"
        for c in auditing]
    assert len(rows) >= 4 + 4  # four founders, and roles
