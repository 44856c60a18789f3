"""The follow-up the bot gives tasks (SPEC section 4): who answers for a task, the stall and
feedback ladders read from the database, every task state change, and the tasks the bot
creates itself.

Every state change goes through ``move``, which consults the table in ``task_lifecycle``,
appends to the task's history and writes the audit row. When a nudge is due is decided by
``ladder`` from what the database holds; ``send_due`` sends it, recording the step with its
episode and sequence number under a unique index, so it can never go out twice, and stores
when the next one may go (``next_step_at``, read by index by the engine's clock pass).

Tasks of a role. The bot mandates the registrar (``Register <candidate>``) and the core
group (``Decide on C-n``). A task needs one named lead, so its lead is the *first* active
holder of the role (holders sorted by id) and the role is recorded beside it: every active
holder of the role is then told by DM, nudged, and may act as the lead (update, done,
snooze, feedback…); the task's stall clock pauses only while all of them are away. Without a
registrar, a registration goes to the core group, and without a core group to the admins
(without any, no task: the audit log says why). A handover to a person makes it that
person's own task.

``Decide on C-n`` follows the rule that nobody decides their own case: the people answering
for it are the proposal's eligible deciders (``legitimacy.deciders``), or the admins while
nobody may decide (they are asked to grant the missing role). Its lead is reassigned when
an objection, a role or a member changes who is eligible (``assign_decision``), it can be
handed over only to another eligible decider, and its ladder never ends while the proposal
is contested: after an escalation the nudges start again (``ladder``, ``repeat``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from storage.repository import Repository
from storage.rows import Proposal, Task

from . import ladder
from .changes import (
    LadderStepSent,
    NextStepKnown,
    Skipped,
    StepsToRecompute,
    TaskMoved,
    TaskOpened,
    task_move_fields,
)
from .context import Context, Effects, Group
from .ladder import (
    ESCALATION,
    FEEDBACK_ESCALATION,
    FEEDBACK_REMINDER,
    NUDGE,
    Interval,
    Step,
)
from .legitimacy import deciders, in_good_standing_holders
from .lifecycle import State
from .render import Count, Mention, Person, Phrase, text
from .task_lifecycle import ACTIVE_TASK, TaskMove, TaskState

log = logging.getLogger(__name__)

BOT = "coopbot"
ACTIVE_STATES = tuple(s.value for s in ACTIVE_TASK)
_PURPOSE = {NUDGE: "nudge", ESCALATION: "escalate", FEEDBACK_REMINDER: "feedback",
            FEEDBACK_ESCALATION: "feedback_escalate"}
# Who leads a task the bot creates for a role, in order of preference.
_ROLE_FALLBACK = {"registrar": ("registrar", "core", "admin"), "core": ("core", "admin")}


def ref(task: Task) -> str:
    return task.ref


# --- who answers for a task ----------------------------------------------------------------

def active_holders(repo: Repository, group: str, role: str) -> list[str]:
    return in_good_standing_holders(repo, group, role)


def may_lead(repo: Repository, group: str, person: str) -> bool:
    """A lead must be someone the group knows: a representative of an active member, or a
    holder of one of its roles."""
    row = repo.person(group, person)
    if row and row.member:
        return repo.in_good_standing(group, person)
    return any(repo.has_role(group, person, role) for role in ("admin", "core", "registrar"))


def responsible(repo: Repository, task: Task) -> list[str]:
    """Who answers for a task: its lead; for a task of a role, every active holder of the
    role (the lead first, if they still hold it); for a decision, the eligible deciders
    (or, while nobody may decide, the admins, who can grant the missing role)."""
    decision = contested_decision(repo, task)
    if decision is not None:
        people, _ = deciders(repo, decision)
        people = people or active_holders(repo, task.group_slug, "admin")
        if task.lead in people:
            people.remove(task.lead)
            people.insert(0, task.lead)
        return people or [task.lead]
    if task.role:
        holders = active_holders(repo, task.group_slug, task.role)
        if holders:
            if task.lead in holders:
                holders.remove(task.lead)
                holders.insert(0, task.lead)
            return holders
    return [task.lead]


def contested_decision(repo: Repository, task: Task) -> Proposal | None:
    """The contested proposal a ``Decide on C-n`` task is about, or None."""
    if task.origin != "decide" or not task.proposal:
        return None
    proposal = repo.proposal_by_key(task.proposal)
    return proposal if proposal is not None and proposal.state == State.CONTESTED else None


def leads(ctx: Context, task: Task) -> bool:
    """Whether the caller answers for the task and may still act for the group: a person
    unlinked from their organisation, with no role, is a stranger, not a lead any more."""
    if ctx.caller not in responsible(ctx.repo, task):
        return False
    return may_lead(ctx.repo, ctx.group.slug, ctx.caller)


def leads_any(ctx: Context) -> bool:
    """Whether the caller leads some running task of the group (the command table asks this
    before it knows which task a command names)."""
    return any(leads(ctx, task) for task in ctx.repo.tasks(ctx.group.slug, ACTIVE_STATES))


# --- absences ----------------------------------------------------------------------------

def away_intervals(repo: Repository, person: str) -> list[Interval]:
    return [(r.start_at, r.end_at) for r in repo.away_periods(person)]


def is_away(repo: Repository, person: str, moment: datetime) -> bool:
    return any(start <= moment < end for start, end in away_intervals(repo, person))


def away_until(repo: Repository, person: str, moment: datetime) -> datetime | None:
    for start, end in away_intervals(repo, person):
        if start <= moment < end:
            return end
    return None


def paused(repo: Repository, task: Task) -> list[Interval]:
    """When the task's stall clock stands still: everyone responsible for it is away."""
    return ladder.all_away([away_intervals(repo, p) for p in responsible(repo, task)])


# --- the ladder, from the database -----------------------------------------------------------

def feedback_tally(repo: Repository, task: Task) -> tuple[list[str], set[str]]:
    """(members expected to give feedback, members that acked this request). Expected: the
    active members, except the lead's own organisation."""
    group = task.group_slug
    lead_row = repo.person(group, task.lead)
    lead_member = lead_row.member if lead_row else None
    expected = [m.slug for m in repo.members(group, "active") if m.slug != lead_member]
    acked = {a.member for a in repo.acks(task.key, task.episode) if a.member}
    return expected, acked


def next_step(repo: Repository, group: Group, task: Task) -> Step | None:
    """The next ladder step for a running task, or None (finished, escalated, all acked)."""
    recorded = repo.ladder_steps(task.key, task.episode)
    sent = [s.at for s in recorded]
    snoozed = task.snoozed_until
    if task.state == TaskState.OPEN:
        return ladder.next_stall_step(
            settings=group.settings, episode_start=task.episode_start,
            due=task.due, sent=sent, paused=paused(repo, task),
            snoozed_until=snoozed, escalated=any(s.kind == ESCALATION for s in recorded),
            repeat=task.origin == "decide")
    if task.state == TaskState.FEEDBACK:
        expected, acked = feedback_tally(repo, task)
        return ladder.next_feedback_step(
            settings=group.settings, requested_at=task.episode_start, sent=sent,
            anyone_acked=bool(repo.acks(task.key, task.episode)),
            anyone_left=any(m not in acked for m in expected), snoozed_until=snoozed,
            escalated=any(s.kind == ladder.FEEDBACK_ESCALATION for s in recorded))
    return None


def is_stalled(repo: Repository, group: Group, task: Task, now: datetime) -> bool:
    """Running and past its stall point (or its feedback window), snoozed or not."""
    if task.state not in ACTIVE_TASK:
        return False
    if repo.ladder_steps(task.key, task.episode):
        return True
    step = next_step(repo, group, task)
    return step is not None and step.base <= now


def running(repo: Repository, slugs: Iterable[str]) -> list[Task]:
    """The running tasks of the groups still in the config."""
    known = set(slugs)
    return [t for t in repo.tasks(states=ACTIVE_STATES) if t.group_slug in known]


def send_due(repo: Repository, group_of: Callable[[str], Group], key: str, now: datetime) -> int:
    """Send one task's ladder step if it came due, then store when the next one may go (the
    engine runs it in a transaction)."""
    task = repo.task_by_key(key)  # fresh, inside the transaction
    if task is None or task.state not in ACTIVE_TASK:
        return 0
    out = Effects(repo, group_of(task.group_slug), now)
    sent = _send_due(out, task)
    _store_wakeup(out, repo.task_by_key(key))
    out.flush()
    return int(sent)


def refresh_wakeup(repo: Repository, group_of: Callable[[str], Group], key: str,
                   now: datetime) -> None:
    """Compute and store when a task's next step may go (asked for by a NULL)."""
    task = repo.task_by_key(key)
    if task is not None and task.state in ACTIVE_TASK:
        _store_wakeup(Effects(repo, group_of(task.group_slug), now), task)


def _store_wakeup(out: Effects, task: Task) -> None:
    step = next_step(out.repo, out.group, task)
    at = _send_at(out.repo, out.group, task, step, out.now) if step is not None else None
    out.apply(NextStepKnown(actor=BOT, task=task.key, at=at))


def wakeups(repo: Repository, group_of: Callable[[str], Group], slugs: Iterable[str],
            now: datetime | None = None) -> list[tuple[str, datetime]]:
    """(job id, instant) of each running task's next step: ``sem:T-3:nudge``… Given ``now``,
    a late step's instant is the one ``_send_due`` will wait for (see ``_send_at``). A task
    whose step cannot be computed gets none (``process_due`` reports it)."""
    jobs = []
    for task in running(repo, slugs):
        try:
            group = group_of(task.group_slug)
            step = next_step(repo, group, task)
            if step is not None:
                at = step.at if now is None else _send_at(repo, group, task, step, now)
                jobs.append((f"{task.key}:{_PURPOSE[step.kind]}", at))
        except Exception:
            log.exception("no wakeup for %s", task.key)
    return jobs


def _send_at(repo: Repository, group: Group, task: Task, step: Step, now: datetime) -> datetime:
    """When a step may go: a late one (the bot was down) is settled again from ``now``, so it
    does not go out in quiet hours, nor while everyone responsible has since gone away."""
    pauses = paused(repo, task) if task.state == TaskState.OPEN else []
    return ladder.late(step, now, settings=group.settings, paused=pauses)


def _send_due(out: Effects, task: Task) -> bool:
    repo, group, now = out.repo, out.group, out.now
    step = next_step(repo, group, task)
    if step is None or _send_at(repo, group, task, step, now) > now:
        return False
    if step.kind == NUDGE and not any(may_lead(repo, group.slug, p)
                                      for p in responsible(repo, task)):
        # Nobody who answers for it may still act (organisation suspended or left, or no
        # longer linked): reminders would nag someone who cannot act, so the core group is
        # told now, and that ends the ladder like any escalation.
        step = replace(step, kind=ESCALATION)
    targets = _queue_step(repo, group, out, task, step, now)
    if step.kind == NUDGE and not targets:
        out.discard()
        return False  # everyone responsible is away: recording it would spend the step on nobody
    # The unique (task, episode, step) index is the guard: a step already recorded (sent
    # before a crash, or by a concurrent wakeup) is not sent again.
    if not out.apply(LadderStepSent(actor=BOT, task=task, kind=step.kind, step=step.number,
                                    due_at=step.at, to=targets)):
        out.discard()
        return False
    return True


def _why(repo: Repository, group: Group, task: Task, now: datetime) -> str:
    decision = contested_decision(repo, task)
    if decision is not None and not deciders(repo, decision)[0]:
        return group.phrase("task.why_no_decider", ref=f"C-{decision.number}")
    due = task.due
    if due is not None and due <= now:
        return group.phrase("task.why_overdue", due=group.when(due))
    since = task.episode_start
    return group.phrase("task.why_stalled", since=group.when(since),
                span=group.span(now - since))


def _queue_step(repo: Repository, group: Group, out: Effects, task: Task, step: Step,
                now: datetime) -> list[str]:
    """Queue the messages of one step; returns who they are for."""
    common = {"ref": ref(task), "title": title_of(task)}
    if step.kind == NUDGE:
        people = [p for p in responsible(repo, task) if not is_away(repo, p, now)]
        decision = contested_decision(repo, task)
        for person in people:
            if decision is not None:  # a decision is taken with !resolve, never with !done
                tell(out, person, "dm.nudge_decide", subject=task.key,
                     why=_why(repo, group, task, now), step=step.number,
                     proposal=decision.ref, **common)
            else:
                tell(out, person, "dm.nudge", subject=task.key,
                     why=_why(repo, group, task, now), step=step.number, **common)
        return people
    core, to = _escalation_people(repo, group, task, now)
    if step.kind == ESCALATION and not any(may_lead(repo, group.slug, p)
                                           for p in responsible(repo, task)):
        out.announce("ann.task_lead_gone", subject=task.key, lead=Person.of(task.lead),
                     core=Mention(tuple(core)), to=to, **common)
        return core
    if step.kind == ESCALATION:
        out.announce("ann.task_escalated", subject=task.key, lead=Person.of(task.lead),
                     why=_why(repo, group, task, now),
                     reminders=Count(step.number - 1, "count.reminder"),
                     core=Mention(tuple(core)), to=to, **common)
        return core
    expected, acked = feedback_tally(repo, task)
    if step.kind == FEEDBACK_ESCALATION:
        out.announce("ann.feedback_escalated", subject=task.key, lead=Person.of(task.lead),
                     since=group.when(task.episode_start),
                     core=Mention(tuple(core)), to=to, **common)
        return core
    silent = [p for m in expected if m not in acked for p in repo.representatives(group.slug, m)
              if p.startswith("@") and not is_away(repo, p, now)]
    key = "ann.feedback_reminder" if silent else "ann.feedback_reminder_plain"
    out.announce(key, subject=task.key, lead=Person.of(task.lead), feedback=task.feedback_text or "",
                 count=len(acked & set(expected)), expected=len(expected),
                 people=Mention(tuple(silent)), **common)
    return silent


def _escalation_people(repo: Repository, group: Group, task: Task,
                       now: datetime) -> tuple[list[str], Phrase]:
    """Who an escalation mentions, and how it addresses them: the core group (for a
    decision, its eligible deciders), those not away. An escalation is there to reach
    someone besides the lead: when the core group is empty, or is only the lead, it goes to
    the admins other than the lead (if there are none either, to the core group as before)."""
    to_core = group.phrase("task.escalate_to_core")
    if task.origin == "decide":
        return [p for p in responsible(repo, task) if not is_away(repo, p, now)], to_core
    core = [p for p in active_holders(repo, group.slug, "core") if not is_away(repo, p, now)]
    if any(p != task.lead for p in core):
        return core, to_core
    admins = [p for p in active_holders(repo, group.slug, "admin")
              if p != task.lead and not is_away(repo, p, now)]
    if admins:
        return admins, group.phrase("task.escalate_to_admins")
    return core, to_core


def tell(out: Effects, person: str, key: str, *, subject: str, **params: Any) -> None:
    """A direct message about ``subject`` (a task's or proposal's key); a forum user, who has
    no direct chat with the bot, is named in the room instead."""
    if person.startswith("@"):
        out.dm(person, key, subject=subject, **params)
    else:
        message = out.group.phrase(key, prefix=out.group.prefix, **params)
        out.announce("ann.for_person", subject=subject, person=Person.exact(person),
                     message=message)


# --- state changes -------------------------------------------------------------------------

def move(out: Effects, task: Task, kind: TaskMove, actor: str, *, note: str | None = None,
         person: str | None = None, detail: dict | None = None, **fields: Any) -> Task:
    """One move of the table (refused by it if not listed), appended to the task's history
    and the audit log; returns the task as it now is."""
    changed = task_move_fields(task, kind, out.now, actor, fields)  # the table's verdict
    out.apply(TaskMoved(actor=actor, event_id=out.event_id, task=task, move=kind,
                        fields=fields, note=note, person=person, detail=detail))
    return replace(task, **changed)



def create_task(out: Effects, *, title: "str | Phrase", lead: str, role: str | None,
                description: "str | Phrase | None", due: datetime | None, actor: str,
                origin: str, proposal: str | None, notify: bool = True) -> Task:
    """A new running task ``T-n``; its lead (every holder, for a role) is told by DM, unless
    ``notify`` is False because the caller has already told them. A title or description
    given as a ``Phrase`` (a task the bot makes) is stored as its key and parameters."""
    repo, group, now, event_id = out.repo, out.group, out.now, out.event_id
    number = repo.next_number(group.slug, "task")
    task = Task(
        key=f"{group.slug}:T-{number}", group_slug=group.slug, number=number,
        title=str(title), description=str(description) if description else None,
        lead=lead, role=role,
        state=TaskState.OPEN.value, due=due, created_at=now,
        created_by=actor, origin=origin, proposal=proposal, episode=1,
        episode_start=now, last_activity_at=now, snoozed_until=None,
        feedback_text=None, closed_at=None, closed_by=None, close_reason=None,
        event_id=event_id, next_step_at=None, **_as_key("title", title),
        **_as_key("description", description),
    )
    out.apply(TaskOpened(actor=actor, event_id=event_id, task=task))
    if notify:
        tell_mandated(out, task)
    return task


def _as_key(column: str, value: object) -> dict[str, str]:
    if not isinstance(value, Phrase):
        return {}
    return {f"{column}_key": value.key,
            f"{column}_params": json.dumps(value.params, ensure_ascii=False)}


def tell_mandated(out: Effects, task: Task) -> None:
    """Tell a new task's lead (every holder, for a task of a role) by direct message."""
    repo, group = out.repo, out.group
    params = {"ref": ref(task), "title": title_of(task), "by": who_label(group, task.created_by),
              "due": due_suffix(group, task.due),
              "description": description_suffix(group, task)}
    if task.role:
        label = group.phrase(f"role.{task.role}")
        for person in responsible(repo, task):
            tell(out, person, "dm.mandated_role", subject=task.key, role=label,
                 lead=Person.of(task.lead), **params)
    elif task.lead != task.created_by:
        tell(out, task.lead, "dm.mandated", subject=task.key, **params)


def who_label(group: Group, actor: str) -> "Person | Phrase":
    return group.phrase("status.bot") if actor == BOT else Person.of(actor)


def due_suffix(group: Group, due: datetime | None) -> "str | Phrase":
    return group.phrase("task.due_suffix", when=group.when(due)) if due else ""


def description_suffix(group: Group, task: Task) -> "str | Phrase":
    if not task.description:
        return ""
    return group.phrase("task.description_suffix", value=description_of(task))


def title_of(task: Task) -> "str | Phrase":
    """A task's title for a message: a task the bot made is written in the reader's
    language; one a person made, as they typed it."""
    if task.title_key:
        return Phrase(task.title_key, json.loads(task.title_params or "{}"), "en")
    return task.title


def description_of(task: Task) -> "str | Phrase":
    if task.description_key:
        return Phrase(task.description_key, json.loads(task.description_params or "{}"), "en")
    return task.description or ""



# --- tasks the bot creates itself -------------------------------------------------------------

def _role_lead(repo: Repository, group: str, role: str) -> tuple[str | None, str | None]:
    for candidate in _ROLE_FALLBACK[role]:
        holders = active_holders(repo, group, candidate)
        if holders:
            return holders[0], candidate
    return None, None


def mandate_registration(out: Effects, proposal: Proposal, member_slug: str) -> Task | None:
    """``Register <candidate>`` for the registrar, on every validated or accepted proposal."""
    repo, group = out.repo, out.group
    lead, role = _role_lead(repo, group.slug, "registrar")
    if lead is None:
        out.apply(Skipped(actor=BOT, group=group.slug, what="task_skipped",
                          subject=proposal.key, reason="no registrar, core or admin"))
        return None
    return create_task(
        out, title=group.phrase("task.register_title", candidate=proposal.candidate),
        lead=lead, role=role,
        description=group.phrase("task.register_description", ref=proposal.ref,
                         candidate=proposal.candidate, member=member_slug),
        due=None, actor=BOT, origin="register", proposal=proposal.key)


def assign_decision(out: Effects, proposal: Proposal, eligible: list[str],
                    role: str | None) -> Task | None:
    """The ``Decide on C-n`` task of a contested proposal, led by an eligible decider: opened
    when the proposal is first contested (its lead told by DM how to decide), and handed to the first eligible decider by the bot when its lead no longer
    is one (they are told by DM). While nobody may decide (``eligible`` empty), its lead is
    an admin, asked to grant the missing role; without any admin, no task (audited)."""
    repo, group = out.repo, out.group
    task = next((t for t in repo.tasks_for_proposal(proposal.key, ACTIVE_STATES)
                 if t.origin == "decide"), None)
    fallback = eligible or active_holders(repo, group.slug, "admin")
    if task is None:
        if not fallback:
            out.apply(Skipped(actor=BOT, group=group.slug, what="task_skipped",
                              subject=proposal.key, reason="no decider and no admin"))
            return None
        task = create_task(
            out, title=group.phrase("task.decide_title", ref=proposal.ref,
                                    candidate=proposal.candidate),
            lead=fallback[0], role=role or "admin",
            description=group.phrase("task.decide_description", ref=proposal.ref,
                             prefix=group.prefix),
            due=None, actor=BOT, origin="decide", proposal=proposal.key, notify=False)
        if eligible:  # the lead hears it directly, not only in the room's announcement
            tell(out, eligible[0], "dm.decide_opened", subject=task.key, ref=ref(task),
                 proposal=proposal.ref, candidate=proposal.candidate)
        return task
    if fallback and task.lead not in fallback:
        previous, lead = task.lead, fallback[0]
        task = move(out, task, TaskMove.HANDOVER, BOT, person=lead,
                    detail={"from": previous, "why": "eligibility"}, lead=lead,
                    role=role or "admin")
        if eligible:
            tell(out, lead, "dm.decide_assigned", subject=task.key, ref=ref(task),
                 title=title_of(task), proposal=proposal.ref)
    # Who answers for it may have changed without a new lead: its next step is computed again.
    out.apply(StepsToRecompute(actor=BOT, group=group.slug, task=task.key))
    return task


def close_for_proposal(out: Effects, proposal: Proposal, outcome: str, actor: str) -> None:
    """Close the ``Decide on C-n`` task by itself: ``done`` when the proposal is resolved,
    ``cancelled`` when it is withdrawn or back to ``open`` (``outcome``: resolved, withdrawn,
    reopened)."""
    for task in out.repo.tasks_for_proposal(proposal.key, ACTIVE_STATES):
        if task.origin != "decide":
            continue
        note = text(out.group.lang, f"task.closed_{outcome}", ref=proposal.ref)
        closing = TaskMove.DONE if outcome == "resolved" else TaskMove.CANCEL
        move(out, task, closing, actor, note=note, closed_at=out.now, closed_by=actor,
             close_reason=note)
