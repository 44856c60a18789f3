"""What happened, and the one place that writes it down: decide, then apply.

Executors and the clock's decisions read what they need and *record* what happened as one of
the changes below; they never write to the repository themselves. ``apply`` is the only
writer of governance state: for each change, the rows it touches and its audit entry, in
the command's transaction (the messages are written by ``Effects.flush``, rendered only
then). A change is applied as soon as it is recorded, so what the executor reads next
already sees it (who may decide after an objection, for instance, must count the objector);
the list of changes is what the command did, and tests read it.

One change, one audit action: the audit log is the list of changes, in the words of the
table in ``lifecycle`` (proposals) and ``task_lifecycle`` (tasks) for moves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import singledispatch
from typing import Any

from storage.repository import NEVER, Repository
from storage.rows import Objection, Proposal, Task

from .lifecycle import Transition, next_state
from .task_lifecycle import TaskMove, next_task_state, restarts_clock

BOT = "coopbot"


@dataclass(frozen=True, kw_only=True)
class Change:
    """Who made it happen (a person, ``coopbot``, ``config``, ``host``) and in answer to
    which inbound event, if any."""

    actor: str
    event_id: str | None = None


# --- proposals ----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Proposed(Change):
    proposal: Proposal


@dataclass(frozen=True, kw_only=True)
class ProposalMoved(Change):
    """One transition of the lifecycle table, with the fields it sets."""

    proposal: Proposal          # as it was before
    transition: Transition
    fields: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    @property
    def after(self) -> Proposal:
        return replace(self.proposal, state=next_state(self.proposal.state,
                                                       self.transition).value, **self.fields)


@dataclass(frozen=True, kw_only=True)
class Objected(Change):
    proposal: str
    person: str
    member: str
    reason: str | None          # None: a 👎 whose reason is to follow (``gestures``)
    principles: str | None
    at: datetime                # the source's timestamp: what counts against the deadline


@dataclass(frozen=True, kw_only=True)
class ObjectionReworded(Change):
    objection: Objection
    reason: str
    principles: str | None


@dataclass(frozen=True, kw_only=True)
class ObjectionWithdrawn(Change):
    objection: Objection


@dataclass(frozen=True, kw_only=True)
class Supported(Change):
    proposal: str
    person: str
    member: str
    comment: str | None
    at: datetime
    again: bool                 # it replaces the person's earlier support


@dataclass(frozen=True, kw_only=True)
class LastCallSent(Change):
    proposal: Proposal
    reminded: list[str]


@dataclass(frozen=True, kw_only=True)
class WindowExtended(Change):
    """Downtime is never silence: the window grows back by what was lost."""

    proposal: Proposal
    fields: dict[str, Any]      # deadline, last_call_due
    lost_seconds: int
    shift_seconds: int


@dataclass(frozen=True, kw_only=True)
class Admitted(Change):
    """The candidate becomes an active member (``readmitted``: in the row of the member that
    had left)."""

    proposal: Proposal
    slug: str
    name: str
    name_key: str
    readmitted: bool


@dataclass(frozen=True, kw_only=True)
class NoDecider(Change):
    """Nobody may decide a contested proposal (told once per such gap); ``admins`` asked."""

    proposal: Proposal
    admins: list[str]


@dataclass(frozen=True, kw_only=True)
class DeciderFound(Change):
    proposal: Proposal


# --- tasks ----------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class TaskOpened(Change):
    task: Task


@dataclass(frozen=True, kw_only=True)
class TaskMoved(Change):
    """One move of the task table, with the fields it sets; the history and audit say who
    (``person``) and what (``note``, ``detail``)."""

    task: Task                  # as it was before
    move: TaskMove
    fields: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    person: str | None = None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class LadderStepSent(Change):
    task: Task
    kind: str
    step: int
    due_at: datetime
    to: list[str]


@dataclass(frozen=True, kw_only=True)
class NextStepKnown(Change):
    """When a task's next ladder step may go (None: never)."""

    task: str
    at: datetime | None


@dataclass(frozen=True, kw_only=True)
class StepsToRecompute(Change):
    """Who answers for tasks, their absences or the group's settings changed: the next step
    of these running tasks is computed again (``group`` None: in every group; ``person``:
    only what they answer for)."""

    group: str | None
    person: str | None = None
    task: str | None = None     # only this one


@dataclass(frozen=True, kw_only=True)
class Acked(Change):
    task: Task
    person: str
    member: str
    comment: str | None


@dataclass(frozen=True, kw_only=True)
class AwayDeclared(Change):
    group: str
    person: str
    until: datetime


@dataclass(frozen=True, kw_only=True)
class AwayEnded(Change):
    group: str
    person: str


@dataclass(frozen=True, kw_only=True)
class Skipped(Change):
    """Something the bot would have done and could not (no one to give a task to)."""

    group: str
    what: str                   # the audit action
    subject: str
    reason: str


# --- the group's own settings, roles and members --------------------------------------------

@dataclass(frozen=True, kw_only=True)
class SettingChanged(Change):
    group: str
    key: str
    value: str
    previous: str


@dataclass(frozen=True, kw_only=True)
class RoleChanged(Change):
    group: str
    person: str
    role: str
    granted: bool
    origin: str = "command"
    detail: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class PersonLinked(Change):
    group: str
    person: str
    member: str | None          # None: unlinked
    previous: str | None = None
    origin: str = "command"
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class LanguageChosen(Change):
    """A person's own language, for what the bot tells them in every group."""

    group: str
    person: str
    lang: str


@dataclass(frozen=True, kw_only=True)
class MemberStatusChanged(Change):
    group: str
    member: str
    previous: str
    status: str


# --- the applier ------------------------------------------------------------------------------

def apply(repo: Repository, now: datetime, change: Change) -> Any:
    """Write one change: its rows and its audit entry. Returns what the write found out
    when the caller needs it (whether a ladder step was new)."""
    return _apply(change, repo, now)


@singledispatch
def _apply(change: Change, repo: Repository, now: datetime) -> Any:
    raise TypeError(f"no applier for {type(change).__name__}")


# The appliers of changes defined elsewhere (``changes_digest``: the weekly digest;
# ``changes_startup``: the start-up and the host's tools; ``reach_changes``: informed
# silence and reactions) register here and write their audit row with ``audit``: still one
# applier, one audit row per change.
register = _apply.register


def audit(repo: Repository, now: datetime, change: Change, group: str | None, action: str,
           subject: str | None, **detail: Any) -> None:
    repo.audit(at=now, group=group, actor=change.actor, action=action, subject=subject,
               detail=detail, event_id=change.event_id)


@_apply.register
def _(change: Proposed, repo: Repository, now: datetime) -> None:
    proposal = change.proposal
    repo.insert_proposal(proposal)
    audit(repo, now, change, proposal.group_slug, "propose", proposal.key,
           candidate=proposal.candidate, deadline=proposal.deadline,
           rules=_json(proposal.rules))


@_apply.register
def _(change: ProposalMoved, repo: Repository, now: datetime) -> None:
    proposal, new_state = change.proposal, next_state(change.proposal.state, change.transition)
    repo.update_proposal(proposal.key, state=new_state.value, **change.fields)
    audit(repo, now, change, proposal.group_slug, change.transition.value, proposal.key,
           **{"from": proposal.state, "to": new_state.value,
              **({"reason": change.reason} if change.reason else {}), **change.fields})


@_apply.register
def _(change: Objected, repo: Repository, now: datetime) -> None:
    repo.add_objection({
        "proposal": change.proposal, "person": change.person, "member": change.member,
        "reason": change.reason, "principles": change.principles, "at": change.at,
        "recorded_at": now, "withdrawn_at": None, "event_id": change.event_id,
    })


@_apply.register
def _(change: ObjectionReworded, repo: Repository, now: datetime) -> None:
    objection = change.objection
    repo.update_objection(objection.id, reason=change.reason, principles=change.principles)
    audit(repo, now, change, _group_of(objection.proposal), "objection_updated",
           objection.proposal, reason=change.reason)


@_apply.register
def _(change: ObjectionWithdrawn, repo: Repository, now: datetime) -> None:
    objection = change.objection
    repo.update_objection(objection.id, withdrawn_at=now)
    audit(repo, now, change, _group_of(objection.proposal), "objection_withdrawn",
           objection.proposal, objection=objection.id)


@_apply.register
def _(change: Supported, repo: Repository, now: datetime) -> None:
    repo.upsert_support({"proposal": change.proposal, "person": change.person,
                         "member": change.member, "comment": change.comment, "at": change.at,
                         "event_id": change.event_id})
    audit(repo, now, change, _group_of(change.proposal),
           "support_updated" if change.again else "support", change.proposal,
           comment=change.comment)


@_apply.register
def _(change: LastCallSent, repo: Repository, now: datetime) -> None:
    repo.update_proposal(change.proposal.key, last_call_at=now)
    audit(repo, now, change, change.proposal.group_slug, "last_call", change.proposal.key,
           reminded=change.reminded)


@_apply.register
def _(change: WindowExtended, repo: Repository, now: datetime) -> None:
    proposal = change.proposal
    repo.update_proposal(proposal.key, **change.fields,
                         extended_by=int(proposal.extended_by or 0) + change.shift_seconds)
    audit(repo, now, change, proposal.group_slug, "extended", proposal.key,
           downtime_seconds=change.lost_seconds, deadline=change.fields["deadline"])


@_apply.register
def _(change: Admitted, repo: Repository, now: datetime) -> None:
    proposal, group = change.proposal, change.proposal.group_slug
    if change.readmitted:
        repo.readmit_member(group, change.slug, name=change.name, at=now,
                            proposal=proposal.key, coopted_by=proposal.proposer_member,
                            actor=change.actor)
    else:
        repo.add_member({
            "group_slug": group, "slug": change.slug, "name": change.name,
            "name_key": change.name_key, "status": "active", "admitted_at": now,
            "coopted_by": proposal.proposer_member, "proposal": proposal.key,
            "origin": "cooptation",
        }, actor=change.actor)
    repo.update_proposal(proposal.key, member_slug=change.slug)
    audit(repo, now, change, group, "member_admitted", change.slug, proposal=proposal.key,
           coopted_by=proposal.proposer_member, readmitted=change.readmitted)
    # A new member is expected to give feedback (the tasks waiting for it compute their
    # next step again); a returning one's people answer for tasks of their roles again
    # (every task of the group does).
    repo.forget_task_wakeups(group, states=("open", "feedback") if change.readmitted
                             else ("feedback",))


@_apply.register
def _(change: NoDecider, repo: Repository, now: datetime) -> None:
    repo.update_proposal(change.proposal.key, no_decider_at=now)
    audit(repo, now, change, change.proposal.group_slug, "no_decider", change.proposal.key,
           admins=change.admins)


@_apply.register
def _(change: DeciderFound, repo: Repository, now: datetime) -> None:
    repo.update_proposal(change.proposal.key, no_decider_at=None)


@_apply.register
def _(change: TaskOpened, repo: Repository, now: datetime) -> None:
    task = change.task
    repo.insert_task(task)
    repo.add_task_event(task=task.key, at=now, actor=change.actor, kind="mandate", episode=1,
                        person=task.lead, text=task.title,
                        detail={"role": task.role} if task.role else None,
                        event_id=change.event_id)
    audit(repo, now, change, task.group_slug, "task_mandate", task.key, title=task.title,
           lead=task.lead, role=task.role, due=task.due, origin=task.origin,
           proposal=task.proposal)


@_apply.register
def _(change: TaskMoved, repo: Repository, now: datetime) -> None:
    task = change.task
    fields = task_move_fields(task, change.move, now, change.actor, change.fields)
    repo.update_task(task.key, **fields)
    repo.add_task_event(task=task.key, at=now, actor=change.actor, kind=change.move.value,
                        episode=fields.get("episode", task.episode), person=change.person,
                        text=change.note, detail=change.detail, event_id=change.event_id)
    audit(repo, now, change, task.group_slug, f"task_{change.move.value}", task.key,
           **{"from": task.state, "to": fields["state"],
              **({"note": change.note} if change.note else {}),
              **({"person": change.person} if change.person else {}),
              **(change.detail or {})})


def task_move_fields(task: Task, move: TaskMove, now: datetime, actor: str,
                     fields: dict[str, Any]) -> dict[str, Any]:
    """Every field a move sets: the new state, a new episode when it restarts the clock,
    the last activity of a person, and the next step to be computed again."""
    result = dict(fields)
    result["state"] = next_task_state(task.state, move).value
    if restarts_clock(task.state, move):
        result["episode"] = int(task.episode) + 1
        result["episode_start"] = now
    if actor != BOT:
        result.setdefault("last_activity_at", now)
    result["next_step_at"] = None  # to be computed again (see ``followup.send_due``)
    return result


@_apply.register
def _(change: LadderStepSent, repo: Repository, now: datetime) -> bool:
    """False if this step of this episode was already recorded (sent before a crash, or by
    a concurrent wake-up): the unique index is the guard, and nothing is audited again."""
    task = change.task
    if not repo.add_task_event(task=task.key, at=now, actor=change.actor, kind=change.kind,
                               episode=task.episode, step=change.step,
                               person=", ".join(change.to) or None,
                               detail={"due_at": change.due_at, "to": change.to}):
        return False
    audit(repo, now, change, task.group_slug, f"task_{change.kind}", task.key,
           step=change.step, episode=task.episode, to=change.to)
    return True


@_apply.register
def _(change: NextStepKnown, repo: Repository, now: datetime) -> None:
    repo.update_task(change.task, next_step_at=change.at if change.at is not None else NEVER)


@_apply.register
def _(change: StepsToRecompute, repo: Repository, now: datetime) -> None:
    if change.task is not None:
        repo.update_task(change.task, next_step_at=None)
    else:
        repo.forget_task_wakeups(change.group, change.person)


@_apply.register
def _(change: Acked, repo: Repository, now: datetime) -> None:
    repo.upsert_ack({"task": change.task.key, "episode": change.task.episode,
                     "person": change.person, "member": change.member,
                     "comment": change.comment, "at": now, "event_id": change.event_id})


@_apply.register
def _(change: AwayDeclared, repo: Repository, now: datetime) -> None:
    repo.end_away(change.person, now)
    repo.add_away({"person": change.person, "start_at": now, "end_at": change.until,
                   "declared_at": now, "group_slug": change.group,
                   "event_id": change.event_id})
    # An absence moves the stall clocks of what they answer for, in every group.
    repo.forget_task_wakeups(None, change.person)
    audit(repo, now, change, change.group, "away", change.person, until=change.until)


@_apply.register
def _(change: AwayEnded, repo: Repository, now: datetime) -> None:
    repo.end_away(change.person, now)
    repo.forget_task_wakeups(None, change.person)
    audit(repo, now, change, change.group, "away_off", change.person)


@_apply.register
def _(change: Skipped, repo: Repository, now: datetime) -> None:
    audit(repo, now, change, change.group, change.what, change.subject, reason=change.reason)


@_apply.register
def _(change: SettingChanged, repo: Repository, now: datetime) -> None:
    repo.set_setting(change.group, change.key, change.value, change.actor, now)
    audit(repo, now, change, change.group, "config_set", change.key, value=change.value,
           previous=change.previous)


@_apply.register
def _(change: RoleChanged, repo: Repository, now: datetime) -> None:
    repo.set_role(change.group, change.person, change.role, change.granted, change.origin, now)
    audit(repo, now, change, change.group,
           "role_granted" if change.granted else "role_revoked", change.person,
           role=change.role, **(change.detail or {}))


@_apply.register
def _(change: PersonLinked, repo: Repository, now: datetime) -> None:
    repo.link_person(change.group, change.person, change.member, change.origin, now)
    if change.member is None:
        audit(repo, now, change, change.group, "unlinked", change.person,
               member=change.previous, **change.detail)
    else:
        audit(repo, now, change, change.group, "linked", change.person, member=change.member,
               **change.detail)


@_apply.register
def _(change: MemberStatusChanged, repo: Repository, now: datetime) -> None:
    repo.set_member_status(change.group, change.member, change.status, now, change.actor)
    audit(repo, now, change, change.group, "member_status", change.member,
           previous=change.previous, status=change.status)


@_apply.register
def _(change: LanguageChosen, repo: Repository, now: datetime) -> None:
    repo.set_language(change.person, change.lang, now)
    audit(repo, now, change, change.group, "language_chosen", change.person,
           lang=change.lang)


def _group_of(key: str) -> str:
    """A proposal's or task's group, from its key (``sem:C-3``)."""
    return key.rsplit(":", 1)[0]


def _json(value: str | None) -> Any:
    return json.loads(value) if value else None
