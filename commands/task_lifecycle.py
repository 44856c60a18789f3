"""The task lifecycle, in one table (SPEC section 4).

A task is born ``open`` with a named lead: mandated by a person, or created by the bot for
the registrar (``Register <candidate>``) or the core group (``Decide on C-n``).

* An update, a handover or a snooze keeps it ``open``; an update and a handover restart its
  stall clock (a new *episode* of the ladder, see ``commands.ladder``).
* The lead asks for feedback -> ``feedback``: the task waits for acks, and the reminders go
  to the group instead of the lead. A new request replaces the old one (its acks start
  afresh); an update means the lead has moved on -> back to ``open``.
* The lead or the core group closes it: ``done``, or ``dropped`` with a reason.
* The bot ``cancelled`` it: the proposal a ``Decide on C-n`` task was about was withdrawn,
  or returned to ``open`` because its objections were withdrawn. A resolved proposal makes
  that task ``done``.

``done``, ``dropped`` and ``cancelled`` are final. Any transition not in this table is
refused, so no path can, say, nudge about or reopen a finished task.
"""

from __future__ import annotations

from enum import StrEnum

from .machine import IllegalMove, Machine


class TaskState(StrEnum):
    OPEN = "open"
    FEEDBACK = "feedback"
    DONE = "done"
    DROPPED = "dropped"
    CANCELLED = "cancelled"


class TaskMove(StrEnum):
    UPDATE = "update"
    HANDOVER = "handover"
    SNOOZE = "snooze"
    REQUEST_FEEDBACK = "request_feedback"
    ACK = "ack"
    DONE = "done"
    DROP = "drop"
    CANCEL = "cancel"


_O, _F = TaskState.OPEN, TaskState.FEEDBACK

TASK_TRANSITIONS: dict[tuple[TaskState, TaskMove], TaskState] = {
    (_O, TaskMove.UPDATE): _O,
    (_F, TaskMove.UPDATE): _O,
    (_O, TaskMove.HANDOVER): _O,
    (_F, TaskMove.HANDOVER): _F,
    (_O, TaskMove.SNOOZE): _O,
    (_F, TaskMove.SNOOZE): _F,
    (_O, TaskMove.REQUEST_FEEDBACK): _F,
    (_F, TaskMove.REQUEST_FEEDBACK): _F,
    (_F, TaskMove.ACK): _F,
    (_O, TaskMove.DONE): TaskState.DONE,
    (_F, TaskMove.DONE): TaskState.DONE,
    (_O, TaskMove.DROP): TaskState.DROPPED,
    (_F, TaskMove.DROP): TaskState.DROPPED,
    (_O, TaskMove.CANCEL): TaskState.CANCELLED,
    (_F, TaskMove.CANCEL): TaskState.CANCELLED,
}

# Moves that start a new episode: the stall (or feedback) clock starts again from zero. A
# handover while the task waits for feedback keeps the request, its acks and its reminders.
RESTARTS_CLOCK = frozenset({TaskMove.UPDATE, TaskMove.HANDOVER, TaskMove.REQUEST_FEEDBACK})


def restarts_clock(state: TaskState | str, move: TaskMove) -> bool:
    if move is TaskMove.HANDOVER and TaskState(state) is TaskState.FEEDBACK:
        return False
    return move in RESTARTS_CLOCK


TASKS: Machine[TaskState, TaskMove] = Machine(TaskState, TASK_TRANSITIONS)
FINAL_TASK = TASKS.finals
ACTIVE_TASK = frozenset(TaskState) - FINAL_TASK

IllegalTaskMove = IllegalMove  # a code path tried a move the table does not allow


def next_task_state(state: TaskState | str, move: TaskMove) -> TaskState:
    return TASKS.next(state, move)
