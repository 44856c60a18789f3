"""The cooptation lifecycle, in one table (SPEC section 3).

A proposal is born ``open`` with ``deadline = created_at + silence_window``.

* Silence until the deadline (every source read up to it, enough supports) -> ``validated``.
* An objection whose *source* timestamp is at or before the deadline -> ``contested``,
  whenever the bot happens to process it.
* All objections withdrawn before any core decision -> back to ``open``, with
  ``deadline = max(old deadline, now + reopen_grace)``.
* The core group resolves a contested proposal -> ``accepted`` or ``rejected``.
* The deadline passes without enough supports -> ``rejected`` (the bot decides: it lapses).
* The proposer withdraws an open or contested proposal -> ``withdrawn``.
* At admission (the deadline, or an accepting decision) an organisation of the same name is
  already a member, active or suspended -> ``rejected`` (it lapses: no second member is made).

``validated``, ``accepted``, ``rejected`` and ``withdrawn`` are final. Any transition not in
this table is refused, so no code path can, say, validate a withdrawn proposal.
"""

from __future__ import annotations

from enum import StrEnum

from .machine import IllegalMove, Machine


class State(StrEnum):
    OPEN = "open"
    CONTESTED = "contested"
    VALIDATED = "validated"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Transition(StrEnum):
    OBJECT = "object"
    LAST_OBJECTION_WITHDRAWN = "last_objection_withdrawn"
    DEADLINE_SILENT = "deadline_silent"
    DEADLINE_UNSUPPORTED = "deadline_unsupported"
    ACCEPT = "accept"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    NAME_TAKEN = "name_taken"


TRANSITIONS: dict[tuple[State, Transition], State] = {
    (State.OPEN, Transition.OBJECT): State.CONTESTED,
    (State.CONTESTED, Transition.OBJECT): State.CONTESTED,
    (State.CONTESTED, Transition.LAST_OBJECTION_WITHDRAWN): State.OPEN,
    (State.OPEN, Transition.DEADLINE_SILENT): State.VALIDATED,
    (State.OPEN, Transition.DEADLINE_UNSUPPORTED): State.REJECTED,
    (State.CONTESTED, Transition.ACCEPT): State.ACCEPTED,
    (State.CONTESTED, Transition.REJECT): State.REJECTED,
    (State.OPEN, Transition.WITHDRAW): State.WITHDRAWN,
    (State.CONTESTED, Transition.WITHDRAW): State.WITHDRAWN,
    (State.OPEN, Transition.NAME_TAKEN): State.REJECTED,
    (State.CONTESTED, Transition.NAME_TAKEN): State.REJECTED,
}

# What each transition does to the ``Decide on C-n`` task besides the state: closes it, as
# ``resolved`` (done) or ``withdrawn``/``reopened`` (cancelled). ``decisions.move`` applies it,
# so no path that decides, withdraws or reopens a proposal can leave its decision task open.
CLOSES_DECISION_TASK: dict[Transition, str] = {
    Transition.LAST_OBJECTION_WITHDRAWN: "reopened",
    Transition.ACCEPT: "resolved",
    Transition.REJECT: "resolved",
    Transition.NAME_TAKEN: "resolved",
    Transition.WITHDRAW: "withdrawn",
}

PROPOSALS: Machine[State, Transition] = Machine(State, TRANSITIONS)
FINAL = PROPOSALS.finals
ACTIVE = frozenset(State) - FINAL

IllegalTransition = IllegalMove  # a code path tried a move the table does not allow


def next_state(state: State | str, transition: Transition) -> State:
    return PROPOSALS.next(state, transition)
