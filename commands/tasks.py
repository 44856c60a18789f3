"""Mandates: tasks with a named lead, and the follow-up the bot gives them (SPEC section 4).

Every state change goes through ``_move``, which consults the table in ``task_lifecycle``,
appends to the task's history and writes the audit row. When a nudge is due is decided by
``ladder`` from what the database holds; ``process_due`` sends it, recording the step with
its episode and sequence number under a unique index, so it can never go out twice.

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

import logging
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from storage.repository import NEVER, Repository

from . import ladder
from .context import Context, Effects, Group
from .legitimacy import deciders, in_good_standing_holders
from .errors import CommandError
from .ladder import ESCALATION, FEEDBACK_ESCALATION, FEEDBACK_REMINDER, NUDGE, Interval, Step
from .lifecycle import State
from .parsing import fold, split_quoted, split_word
from .render import Mention, join, render, text
from .task_lifecycle import (
    ACTIVE_TASK, TaskMove, TaskState, next_task_state, restarts_clock,
)
from .timefmt import end_of_day, from_iso, iso, parse_day, parse_duration

log = logging.getLogger(__name__)

BOT = "coopbot"
MAX_TITLE = 120
MAX_AWAY = timedelta(days=365)          # an absence longer than a year is a departure
MAX_DUE_AHEAD = timedelta(days=3653)    # due dates within ten years
HISTORY_LINES = 25
LIST_LINES = 50
ACTIVE_STATES = tuple(s.value for s in ACTIVE_TASK)

_DUE_WORDS = {"due", "echeance", "tegen", "deadline"}
_OFF_WORDS = {"off", "fin", "retour", "terug", "uit", "back"}
_UNTIL_WORDS = {"until", "till", "jusqu'au", "jusquau", "jusqu’au", "jusque", "au", "tot"}
_TRAILING_DUE = re.compile(r"\s+(\S+)\s+(\S+)\s*$")
_PURPOSE = {NUDGE: "nudge", ESCALATION: "escalate", FEEDBACK_REMINDER: "feedback",
            FEEDBACK_ESCALATION: "feedback_escalate"}
# Who leads a task the bot creates for a role, in order of preference.
_ROLE_FALLBACK = {"registrar": ("registrar", "core", "admin"), "core": ("core", "admin")}


def ref(task: dict) -> str:
    return f"T-{task['number']}"


# --- who answers for a task ----------------------------------------------------------------

def active_holders(repo: Repository, group: str, role: str) -> list[str]:
    return in_good_standing_holders(repo, group, role)


def may_lead(repo: Repository, group: str, person: str) -> bool:
    """A lead must be someone the group knows: a representative of an active member, or a
    holder of one of its roles."""
    row = repo.person(group, person)
    if row and row["member"]:
        return repo.in_good_standing(group, person)
    return any(repo.has_role(group, person, role) for role in ("admin", "core", "registrar"))


def responsible(repo: Repository, task: dict) -> list[str]:
    """Who answers for a task: its lead; for a task of a role, every active holder of the
    role (the lead first, if they still hold it); for a decision, the eligible deciders
    (or, while nobody may decide, the admins, who can grant the missing role)."""
    decision = _contested_decision(repo, task)
    if decision is not None:
        people, _ = deciders(repo, decision)
        people = people or active_holders(repo, task["group_slug"], "admin")
        if task["lead"] in people:
            people.remove(task["lead"])
            people.insert(0, task["lead"])
        return people or [task["lead"]]
    if task["role"]:
        holders = active_holders(repo, task["group_slug"], task["role"])
        if holders:
            if task["lead"] in holders:
                holders.remove(task["lead"])
                holders.insert(0, task["lead"])
            return holders
    return [task["lead"]]


def _contested_decision(repo: Repository, task: dict) -> dict | None:
    """The contested proposal a ``Decide on C-n`` task is about, or None."""
    if task["origin"] != "decide" or not task["proposal"]:
        return None
    proposal = repo.proposal_by_key(task["proposal"])
    return proposal if proposal is not None and proposal["state"] == State.CONTESTED else None


def leads(ctx: Context, task: dict) -> bool:
    if ctx.caller not in responsible(ctx.repo, task):
        return False
    return ctx.repo.in_good_standing(ctx.group.slug, ctx.caller)


def leads_any(ctx: Context) -> bool:
    """Whether the caller leads some running task of the group (the command table asks this
    before it knows which task a command names)."""
    return any(leads(ctx, task) for task in ctx.repo.tasks(ctx.group.slug, ACTIVE_STATES))


# --- absences ----------------------------------------------------------------------------

def away_intervals(repo: Repository, person: str) -> list[Interval]:
    return [(from_iso(r["start_at"]), from_iso(r["end_at"])) for r in repo.away_periods(person)]


def is_away(repo: Repository, person: str, moment: datetime) -> bool:
    return any(start <= moment < end for start, end in away_intervals(repo, person))


def away_until(repo: Repository, person: str, moment: datetime) -> datetime | None:
    for start, end in away_intervals(repo, person):
        if start <= moment < end:
            return end
    return None


def paused(repo: Repository, task: dict) -> list[Interval]:
    """When the task's stall clock stands still: everyone responsible for it is away."""
    return ladder.all_away([away_intervals(repo, p) for p in responsible(repo, task)])


# --- the ladder, from the database -----------------------------------------------------------

def feedback_tally(repo: Repository, task: dict) -> tuple[list[str], set[str]]:
    """(members expected to give feedback, members that acked this request). Expected: the
    active members, except the lead's own organisation."""
    group = task["group_slug"]
    lead_row = repo.person(group, task["lead"])
    lead_member = lead_row["member"] if lead_row else None
    expected = [m["slug"] for m in repo.members(group, "active") if m["slug"] != lead_member]
    acked = {a["member"] for a in repo.acks(task["key"], task["episode"]) if a["member"]}
    return expected, acked


def next_step(repo: Repository, group: Group, task: dict) -> Step | None:
    """The next ladder step for a running task, or None (finished, escalated, all acked)."""
    recorded = repo.ladder_steps(task["key"], task["episode"])
    sent = [from_iso(s["at"]) for s in recorded]
    snoozed = from_iso(task["snoozed_until"])
    if task["state"] == TaskState.OPEN:
        return ladder.next_stall_step(
            settings=group.settings, episode_start=from_iso(task["episode_start"]),
            due=from_iso(task["due"]), sent=sent, paused=paused(repo, task),
            snoozed_until=snoozed, escalated=any(s["kind"] == ESCALATION for s in recorded),
            repeat=task["origin"] == "decide")
    if task["state"] == TaskState.FEEDBACK:
        expected, acked = feedback_tally(repo, task)
        return ladder.next_feedback_step(
            settings=group.settings, requested_at=from_iso(task["episode_start"]), sent=sent,
            anyone_acked=bool(repo.acks(task["key"], task["episode"])),
            anyone_left=any(m not in acked for m in expected), snoozed_until=snoozed,
            escalated=any(s["kind"] == ladder.FEEDBACK_ESCALATION for s in recorded))
    return None


def is_stalled(repo: Repository, group: Group, task: dict, now: datetime) -> bool:
    """Running and past its stall point (or its feedback window), snoozed or not."""
    if task["state"] not in ACTIVE_TASK:
        return False
    if repo.ladder_steps(task["key"], task["episode"]):
        return True
    step = next_step(repo, group, task)
    return step is not None and step.base <= now


def running(repo: Repository, slugs: Iterable[str]) -> list[dict]:
    """The running tasks of the groups still in the config."""
    known = set(slugs)
    return [t for t in repo.tasks(states=ACTIVE_STATES) if t["group_slug"] in known]


def send_due(repo: Repository, group_of: Callable[[str], Group], key: str, now: datetime) -> int:
    """Send one task's ladder step if it came due, then store when the next one may go (the
    engine runs it in a transaction)."""
    task = repo.task_by_key(key)  # fresh, inside the transaction
    if task is None or task["state"] not in ACTIVE_TASK:
        return 0
    group = group_of(task["group_slug"])
    sent = _send_due(repo, group, task, now)
    _store_wakeup(repo, group, repo.task_by_key(key), now)
    return int(sent)


def refresh_wakeup(repo: Repository, group_of: Callable[[str], Group], key: str,
                   now: datetime) -> None:
    """Compute and store when a task's next step may go (asked for by a NULL)."""
    task = repo.task_by_key(key)
    if task is not None and task["state"] in ACTIVE_TASK:
        _store_wakeup(repo, group_of(task["group_slug"]), task, now)


def _store_wakeup(repo: Repository, group: Group, task: dict, now: datetime) -> None:
    step = next_step(repo, group, task)
    at = iso(_send_at(repo, group, task, step, now)) if step is not None else NEVER
    repo.update_task(task["key"], next_step_at=at)


def wakeups(repo: Repository, group_of: Callable[[str], Group], slugs: Iterable[str],
            now: datetime | None = None) -> list[tuple[str, datetime]]:
    """(job id, instant) of each running task's next step: ``sem:T-3:nudge``… Given ``now``,
    a late step's instant is the one ``_send_due`` will wait for (see ``_send_at``). A task
    whose step cannot be computed gets none (``process_due`` reports it)."""
    jobs = []
    for task in running(repo, slugs):
        try:
            group = group_of(task["group_slug"])
            step = next_step(repo, group, task)
            if step is not None:
                at = step.at if now is None else _send_at(repo, group, task, step, now)
                jobs.append((f"{task['key']}:{_PURPOSE[step.kind]}", at))
        except Exception:
            log.exception("no wakeup for %s", task["key"])
    return jobs


def _send_at(repo: Repository, group: Group, task: dict, step: Step, now: datetime) -> datetime:
    """When a step may go: a late one (the bot was down) is settled again from ``now``, so it
    does not go out in quiet hours, nor while everyone responsible has since gone away."""
    pauses = paused(repo, task) if task["state"] == TaskState.OPEN else []
    return ladder.late(step, now, settings=group.settings, paused=pauses)


def _send_due(repo: Repository, group: Group, task: dict, now: datetime) -> bool:
    step = next_step(repo, group, task)
    if step is None or _send_at(repo, group, task, step, now) > now:
        return False
    out = Effects(group)
    targets = _queue_step(repo, group, out, task, step, now)
    if step.kind == NUDGE and not targets:
        return False  # everyone responsible is away: recording it would spend the step on nobody
    # The unique (task, episode, step) index is the guard: a step already recorded (sent
    # before a crash, or by a concurrent wakeup) is not sent again.
    if not repo.add_task_event(task=task["key"], at=now, actor=BOT, kind=step.kind,
                               episode=task["episode"], step=step.number,
                               person=", ".join(targets) or None,
                               detail={"due_at": iso(step.at), "to": targets}):
        return False
    repo.audit(at=now, group=group.slug, actor=BOT, action=f"task_{step.kind}",
               subject=task["key"], detail={"step": step.number, "episode": task["episode"],
                                            "to": targets})
    out.flush(repo, now)
    return True


def _why(repo: Repository, group: Group, task: dict, now: datetime) -> str:
    decision = _contested_decision(repo, task)
    if decision is not None and not deciders(repo, decision)[0]:
        return text(group.lang, "task.why_no_decider", ref=f"C-{decision['number']}")
    due = from_iso(task["due"])
    if due is not None and due <= now:
        return text(group.lang, "task.why_overdue", due=group.when(due))
    since = from_iso(task["episode_start"])
    return text(group.lang, "task.why_stalled", since=group.when(since),
                span=group.span(now - since))


def _queue_step(repo: Repository, group: Group, out: Effects, task: dict, step: Step,
                now: datetime) -> list[str]:
    """Queue the messages of one step; returns who they are for."""
    common = {"ref": ref(task), "title": task["title"]}
    if step.kind == NUDGE:
        people = [p for p in responsible(repo, task) if not is_away(repo, p, now)]
        for person in people:
            _tell(out, person, "dm.nudge", why=_why(repo, group, task, now), step=step.number,
                  **common)
        return people
    escalate_to = responsible(repo, task) if task["origin"] == "decide" \
        else active_holders(repo, group.slug, "core")
    core = [p for p in escalate_to if not is_away(repo, p, now)]
    if step.kind == ESCALATION:
        out.announce("ann.task_escalated", subject=task["key"], lead=task["lead"],
                     why=_why(repo, group, task, now), count=step.number - 1,
                     core=Mention(tuple(core)), **common)
        return core
    expected, acked = feedback_tally(repo, task)
    if step.kind == FEEDBACK_ESCALATION:
        out.announce("ann.feedback_escalated", subject=task["key"], lead=task["lead"],
                     since=group.when(from_iso(task["episode_start"])),
                     core=Mention(tuple(core)), **common)
        return core
    silent = [p for m in expected if m not in acked for p in repo.representatives(group.slug, m)
              if p.startswith("@") and not is_away(repo, p, now)]
    key = "ann.feedback_reminder" if silent else "ann.feedback_reminder_plain"
    out.announce(key, subject=task["key"], lead=task["lead"], feedback=task["feedback_text"] or "",
                 count=len(acked & set(expected)), expected=len(expected),
                 people=Mention(tuple(silent)), **common)
    return silent


def _tell(out: Effects, person: str, key: str, **params: Any) -> None:
    """A direct message; a forum user, who has no direct chat with the bot, is named in the
    room instead."""
    if person.startswith("@"):
        out.dm(person, key, **params)
    else:
        message = text(out.group.lang, key, prefix=out.group.prefix, **params)
        out.announce("ann.for_person", person=person, message=message)


# --- state changes -------------------------------------------------------------------------

def _move(repo: Repository, task: dict, move: TaskMove, now: datetime, actor: str,
          event_id: str | None, *, note: str | None = None, person: str | None = None,
          detail: dict | None = None, **fields: Any) -> None:
    """Apply one move of the table to a task (the dict is updated in place), append it to the
    history and to the audit log."""
    new_state = next_task_state(task["state"], move)
    fields["state"] = new_state.value
    if restarts_clock(task["state"], move):
        fields["episode"] = int(task["episode"]) + 1
        fields["episode_start"] = iso(now)
    if actor != BOT:
        fields.setdefault("last_activity_at", iso(now))
    fields["next_step_at"] = None  # to be computed again (see ``send_due``)
    repo.update_task(task["key"], **fields)
    repo.add_task_event(task=task["key"], at=now, actor=actor, kind=move.value,
                        episode=fields.get("episode", task["episode"]), person=person,
                        text=note, detail=detail, event_id=event_id)
    repo.audit(at=now, group=task["group_slug"], actor=actor, action=f"task_{move.value}",
               subject=task["key"],
               detail={"from": task["state"], "to": new_state.value,
                       **({"note": note} if note else {}), **({"person": person} if person else {}),
                       **(detail or {})},
               event_id=event_id)
    task.update(fields)


def create_task(repo: Repository, group: Group, out: Effects, *, title: str, lead: str,
                role: str | None, description: str | None, due: datetime | None,
                now: datetime, actor: str, origin: str, proposal: str | None,
                event_id: str | None, notify: bool = True) -> dict:
    """A new running task ``T-n``; its lead (every holder, for a role) is told by DM, unless
    ``notify`` is False because the caller has already told them."""
    number = repo.next_number(group.slug, "task")
    task = {
        "key": f"{group.slug}:T-{number}", "group_slug": group.slug, "number": number,
        "title": title, "description": description or None, "lead": lead, "role": role,
        "state": TaskState.OPEN.value, "due": iso(due), "created_at": iso(now),
        "created_by": actor, "origin": origin, "proposal": proposal, "episode": 1,
        "episode_start": iso(now), "last_activity_at": iso(now), "snoozed_until": None,
        "feedback_text": None, "closed_at": None, "closed_by": None, "close_reason": None,
        "event_id": event_id, "next_step_at": None,
    }
    repo.insert_task(task)
    repo.add_task_event(task=task["key"], at=now, actor=actor, kind="mandate", episode=1,
                        person=lead, text=title, detail={"role": role} if role else None,
                        event_id=event_id)
    repo.audit(at=now, group=group.slug, actor=actor, action="task_mandate", subject=task["key"],
               detail={"title": title, "lead": lead, "role": role, "due": iso(due),
                       "origin": origin, "proposal": proposal},
               event_id=event_id)
    if notify:
        tell_mandated(repo, group, out, task)
    return task


def tell_mandated(repo: Repository, group: Group, out: Effects, task: dict) -> None:
    """Tell a new task's lead (every holder, for a task of a role) by direct message."""
    params = {"ref": ref(task), "title": task["title"], "by": _who(group, task["created_by"]),
              "due": _due_suffix(group, from_iso(task["due"])),
              "description": _description_suffix(group, task)}
    if task["role"]:
        label = text(group.lang, f"role.{task['role']}")
        for person in responsible(repo, task):
            _tell(out, person, "dm.mandated_role", role=label, lead=task["lead"], **params)
    elif task["lead"] != task["created_by"]:
        _tell(out, task["lead"], "dm.mandated", **params)


def _who(group: Group, actor: str) -> str:
    return text(group.lang, "status.bot") if actor == BOT else actor


def _due_suffix(group: Group, due: datetime | None) -> str:
    return text(group.lang, "task.due_suffix", when=group.when(due)) if due else ""


def _description_suffix(group: Group, task: dict) -> str:
    if not task["description"]:
        return ""
    return text(group.lang, "task.description_suffix", value=task["description"])


def _running(ctx: Context, task: dict) -> dict:
    if task["state"] not in ACTIVE_TASK:
        raise CommandError("err.task_closed", ref=ref(task),
                           state=text(ctx.lang, f"tstate.{task['state']}"))
    return task


def _lead_or_core(ctx: Context, task: dict) -> None:
    if not (leads(ctx, task) or ctx.has_role("core")):
        raise CommandError("err.not_lead_or_core", ref=ref(task), lead=task["lead"])


def _not_a_contested_decision(ctx: Context, task: dict) -> None:
    """``Decide on C-n`` closes by itself when C-n is resolved or its objections withdrawn;
    closed by hand, the contested proposal would no longer be followed."""
    if task["origin"] != "decide" or not task["proposal"]:
        return
    proposal = ctx.repo.proposal_by_key(task["proposal"])
    if proposal is not None and proposal["state"] == State.CONTESTED:
        raise CommandError("err.decision_task_closes_itself", ref=ref(task),
                           proposal=f"C-{proposal['number']}")


def _lead_only(ctx: Context, task: dict) -> None:
    if not leads(ctx, task):
        raise CommandError("err.not_lead", ref=ref(task), lead=task["lead"])


# --- reading a mandate --------------------------------------------------------------------

def parse_mandate(body: str) -> tuple[str, str | None, str]:
    """``"Title" [due 2026-12-10] [description…]``, or unquoted: the first line is the title
    (a trailing ``due DATE`` is peeled off it) and the next lines the description. Returns
    (title, due date text or None, description)."""
    quoted, rest = split_quoted(body)
    due: str | None = None
    if quoted is not None:
        title = quoted
        word, after = split_word(rest)
        if fold(word) in _DUE_WORDS:
            due, rest = split_word(after)
            if not due:
                raise CommandError("err.bad_date", text=word)
        description = rest.strip()
    else:
        first, _, more = body.strip().partition("\n")
        title, description = first.strip(), more.strip()
        match = _TRAILING_DUE.search(title)
        if match and fold(match.group(1)) in _DUE_WORDS:
            due, title = match.group(2), title[:match.start()].strip()
    return title.strip().strip('"').strip(), due, description


def _day_within(ctx: Context, text_: str, limit: timedelta) -> date:
    """A calendar day no further than ``limit`` from today: a refusal names the latest day
    (a due date in 9999 means nothing, and the day after it cannot be computed)."""
    try:
        day = parse_day(text_)
    except ValueError:
        raise CommandError("err.bad_date", text=text_[:40]) from None
    latest = (ctx.now + limit).astimezone(ctx.group.zone).date()
    if day > latest:
        raise CommandError("err.date_too_far", day=day.isoformat(), max=latest.isoformat())
    return day


def _parse_due(ctx: Context, due_text: str | None) -> datetime | None:
    if due_text is None:
        return None
    day = _day_within(ctx, due_text, MAX_DUE_AHEAD)
    due = end_of_day(day, ctx.group.zone)
    if due <= ctx.now:
        raise CommandError("err.due_past", due=day.isoformat())
    return due


# --- executors ------------------------------------------------------------------------------

def mandate(ctx: Context, args: dict[str, Any]) -> None:
    """!mandate @lead "Title" [due 2026-12-10] [description…] — a named lead for a task."""
    lead = args["lead"]
    title, due_text, description = parse_mandate(args["title"] or "")
    if not title:
        raise CommandError("err.empty_title", syntax=ctx.usage)
    if len(title) > MAX_TITLE:
        raise CommandError("err.too_long", size=len(title), max=MAX_TITLE)
    if not may_lead(ctx.repo, ctx.group.slug, lead):
        raise CommandError("err.lead_unknown", person=lead)
    due = _parse_due(ctx, due_text)
    task = create_task(ctx.repo, ctx.group, ctx.out, title=title, lead=lead, role=None,
                       description=description, due=due, now=ctx.now, actor=ctx.caller,
                       origin="command", proposal=None, event_id=ctx.event.event_id,
                       notify=False)
    step = next_step(ctx.repo, ctx.group, task)
    ctx.out.reply("ok.mandated", ref=ref(task), title=title, lead=lead,
                  due=_due_suffix(ctx.group, due),
                  next=ctx.group.when(step.at) if step else "-")
    tell_mandated(ctx.repo, ctx.group, ctx.out, task)


def update(ctx: Context, args: dict[str, Any]) -> None:
    """!update T-2 text… — a progress note; the stall clock starts again."""
    task = _running(ctx, args["task"])
    _lead_or_core(ctx, task)
    note = (args["note"] or "").strip()
    if not note:
        raise CommandError("err.note_required", syntax=ctx.usage)
    _move(ctx.repo, task, TaskMove.UPDATE, ctx.now, ctx.caller, ctx.event.event_id, note=note)
    step = next_step(ctx.repo, ctx.group, task)
    ctx.out.reply("ok.updated", ref=ref(task), next=ctx.group.when(step.at) if step else "-")


def done(ctx: Context, args: dict[str, Any]) -> None:
    """!done T-2 [note…]."""
    task = _running(ctx, args["task"])
    _lead_or_core(ctx, task)
    _not_a_contested_decision(ctx, task)
    note = args.get("note")
    _move(ctx.repo, task, TaskMove.DONE, ctx.now, ctx.caller, ctx.event.event_id, note=note,
          closed_at=iso(ctx.now), closed_by=ctx.caller, close_reason=note)
    ctx.out.reply("ok.task_done", ref=ref(task))
    ctx.out.announce("ann.task_done", subject=task["key"], ref=ref(task), title=task["title"],
                     by=ctx.caller, note=text(ctx.lang, "task.note_suffix", note=note) if note else "")


def drop(ctx: Context, args: dict[str, Any]) -> None:
    """!drop T-2 reason… — the reason is required."""
    task = _running(ctx, args["task"])
    _lead_or_core(ctx, task)
    _not_a_contested_decision(ctx, task)
    reason = args["reason"]
    _move(ctx.repo, task, TaskMove.DROP, ctx.now, ctx.caller, ctx.event.event_id, note=reason,
          closed_at=iso(ctx.now), closed_by=ctx.caller, close_reason=reason)
    ctx.out.reply("ok.task_dropped", ref=ref(task))
    ctx.out.announce("ann.task_dropped", subject=task["key"], ref=ref(task), title=task["title"],
                     by=ctx.caller, reason=reason)


def handover(ctx: Context, args: dict[str, Any]) -> None:
    """!handover T-2 @person — the new lead gets a fresh stall clock."""
    task = _running(ctx, args["task"])
    _lead_or_core(ctx, task)
    new, previous = args["person"], task["lead"]
    if new == previous and not task["role"]:
        raise CommandError("err.same_lead", ref=ref(task), person=new)
    if not may_lead(ctx.repo, ctx.group.slug, new):
        raise CommandError("err.lead_unknown", person=new)
    decision = _contested_decision(ctx.repo, task)
    role = None
    if decision is not None:
        # A decision goes only to someone who may take it: never to an interested party.
        eligible, role = deciders(ctx.repo, decision)
        if new not in eligible:
            raise CommandError("err.handover_not_decider", ref=ref(task), person=new,
                               proposal=f"C-{decision['number']}",
                               people=", ".join(eligible) or "-")
    _move(ctx.repo, task, TaskMove.HANDOVER, ctx.now, ctx.caller, ctx.event.event_id,
          person=new, detail={"from": previous}, lead=new, role=role)
    ctx.out.reply("ok.handed_over", ref=ref(task), person=new)
    params = {"ref": ref(task), "title": task["title"], "by": ctx.caller,
              "due": _due_suffix(ctx.group, from_iso(task["due"])),
              "description": _description_suffix(ctx.group, task)}
    if new != ctx.caller:
        _tell(ctx.out, new, "dm.handed_over", previous=previous, **params)
    if previous not in (ctx.caller, new) and previous.startswith("@"):
        ctx.out.dm(previous, "dm.handed_over_from", ref=ref(task), title=task["title"],
                   by=ctx.caller, person=new)
    ctx.out.announce("ann.task_handed_over", subject=task["key"], ref=ref(task),
                     title=task["title"], person=new, previous=previous, by=ctx.caller)


def snooze(ctx: Context, args: dict[str, Any]) -> None:
    """!snooze T-2 3d — no nudge before then (at most ``max_snooze`` from now)."""
    task = _running(ctx, args["task"])
    _lead_only(ctx, task)
    try:
        delta = parse_duration(args["duration"])
    except ValueError:
        raise CommandError("err.bad_duration", text=args["duration"]) from None
    limit = ctx.group.settings.max_snooze
    if delta > limit:
        raise CommandError("err.snooze_too_long", asked=ctx.group.span(delta),
                           max=ctx.group.span(limit))
    until = ctx.now + delta
    _move(ctx.repo, task, TaskMove.SNOOZE, ctx.now, ctx.caller, ctx.event.event_id,
          note=iso(until), snoozed_until=iso(until))
    step = next_step(ctx.repo, ctx.group, task)
    ctx.out.reply("ok.snoozed", ref=ref(task), until=ctx.group.when(until),
                  next=ctx.group.when(step.at) if step else "-")


def feedback(ctx: Context, args: dict[str, Any]) -> None:
    """!feedback T-2 link-or-text… — the task waits for the members' acks."""
    task = _running(ctx, args["task"])
    _lead_only(ctx, task)
    deliverable = (args["deliverable"] or "").strip()
    if not deliverable:
        raise CommandError("err.feedback_required", syntax=ctx.usage)
    _move(ctx.repo, task, TaskMove.REQUEST_FEEDBACK, ctx.now, ctx.caller, ctx.event.event_id,
          note=deliverable, feedback_text=deliverable)
    until = ctx.now + ctx.group.settings.feedback_window
    ctx.out.reply("ok.feedback_requested", ref=ref(task), until=ctx.group.when(until))
    ctx.out.announce("ann.feedback_requested", subject=task["key"], ref=ref(task),
                     title=task["title"], lead=task["lead"], feedback=deliverable,
                     until=ctx.group.when(until))


def ack(ctx: Context, args: dict[str, Any]) -> None:
    """!ack T-2 [comment…] — feedback given on what the lead asked about."""
    task = _running(ctx, args["task"])
    if task["state"] != TaskState.FEEDBACK:
        raise CommandError("err.no_feedback_request", ref=ref(task))
    if ctx.caller in responsible(ctx.repo, task):
        raise CommandError("err.own_task_ack", ref=ref(task))
    member = ctx.caller_member()
    assert member is not None  # the table's right check guarantees it
    comment = args.get("comment")
    new = ctx.repo.upsert_ack({
        "task": task["key"], "episode": task["episode"], "person": ctx.caller,
        "member": member["slug"], "comment": comment, "at": iso(ctx.now),
        "event_id": ctx.event.event_id,
    })
    _move(ctx.repo, task, TaskMove.ACK, ctx.now, ctx.caller, ctx.event.event_id, note=comment,
          person=ctx.caller, detail={"member": member["slug"], "new": new})
    expected, acked = feedback_tally(ctx.repo, task)
    ctx.out.reply("ok.acked" if new else "ok.ack_updated", ref=ref(task),
                  count=len(acked & set(expected)), expected=len(expected))
    comment_text = text(ctx.lang, "task.note_suffix", note=comment) if comment else ""
    for person in responsible(ctx.repo, task):
        if person.startswith("@"):
            ctx.out.dm(person, "dm.acked", ref=ref(task), title=task["title"], by=ctx.caller,
                       member=member["name"], comment=comment_text)


def away(ctx: Context, args: dict[str, Any]) -> None:
    """!away until 2026-12-20 (through that day) / !away off."""
    words = (args["when"] or "").split()
    if not words:
        raise CommandError("err.missing_args", syntax=ctx.usage)
    first = fold(words[0]).replace("’", "'")
    # An absence moves the stall clocks of what the caller answers for.
    ctx.repo.forget_task_wakeups(ctx.group.slug, ctx.caller)
    if first in _OFF_WORDS and len(words) == 1:
        if not ctx.repo.end_away(ctx.caller, ctx.now):
            raise CommandError("err.not_away")
        ctx.repo.audit(at=ctx.now, group=ctx.group.slug, actor=ctx.caller, action="away_off",
                       subject=ctx.caller, event_id=ctx.event.event_id)
        ctx.out.reply("ok.back")
        return
    if first in _UNTIL_WORDS:
        words = words[1:]
    if len(words) != 1:
        raise CommandError("err.missing_args", syntax=ctx.usage)
    day = _day_within(ctx, words[0], MAX_AWAY)
    # Away through the named day: back at the start of the next local day.
    back = ladder.first_instant_at(day + timedelta(days=1), time(0, 0), ctx.group.zone)
    if back <= ctx.now:
        raise CommandError("err.away_past", day=day.isoformat())
    ctx.repo.end_away(ctx.caller, ctx.now)
    ctx.repo.add_away({"person": ctx.caller, "start_at": iso(ctx.now), "end_at": iso(back),
                       "declared_at": iso(ctx.now), "group_slug": ctx.group.slug,
                       "event_id": ctx.event.event_id})
    ctx.repo.audit(at=ctx.now, group=ctx.group.slug, actor=ctx.caller, action="away",
                   subject=ctx.caller, detail={"until": iso(back)}, event_id=ctx.event.event_id)
    mine = [t for t in ctx.repo.tasks(ctx.group.slug, ACTIVE_STATES) if leads(ctx, t)]
    ctx.out.reply("ok.away", day=day.isoformat(), back=ctx.group.when(back), count=len(mine))


def list_tasks(ctx: Context, args: dict[str, Any]) -> None:
    """!tasks [mine|stalled|all] — by default the running tasks."""
    which = args.get("which")
    states = None if which == "all" else ACTIVE_STATES
    rows = ctx.repo.tasks(ctx.group.slug, states)
    if which == "mine":
        rows = [t for t in rows if leads(ctx, t)]
    elif which == "stalled":
        rows = [t for t in rows if is_stalled(ctx.repo, ctx.group, t, ctx.now)]
    label = text(ctx.lang, f"tasks.which.{which or 'active'}")
    if not rows:
        ctx.out.reply("tasks.empty", which=label)
        return
    lines = [render(ctx.lang, "tasks.header", which=label, count=len(rows))]
    for task in rows[-LIST_LINES:]:
        lines.append(render(ctx.lang, "tasks.line", ref=ref(task), title=task["title"],
                            lead=task["lead"], state=text(ctx.lang, f"tstate.{task['state']}"),
                            extra=_list_extra(ctx, task)))
    ctx.out.reply_message(join(lines))


def _list_extra(ctx: Context, task: dict) -> str:
    parts = []
    if task["due"]:
        parts.append(text(ctx.lang, "task.due_suffix", when=ctx.group.when(from_iso(task["due"]))))
    if is_stalled(ctx.repo, ctx.group, task, ctx.now):
        parts.append(text(ctx.lang, "task.stalled_suffix"))
    snoozed = from_iso(task["snoozed_until"])
    if task["state"] in ACTIVE_TASK and snoozed and snoozed > ctx.now:
        parts.append(text(ctx.lang, "task.snoozed_suffix", when=ctx.group.when(snoozed)))
    return "".join(parts)


def show(ctx: Context, task: dict) -> None:
    """!status T-2 — the task and its history: updates, nudges, escalations, acks."""
    ctx.out.reply_message(describe(ctx.repo, ctx.group, task, ctx.now))


def describe(repo: Repository, group: Group, task: dict, now: datetime) -> Any:
    lang = group.lang
    role = text(lang, "task.role_suffix", role=text(lang, f"role.{task['role']}")) if task["role"] else ""
    schedule = ""
    if task["state"] in ACTIVE_TASK:
        snoozed = from_iso(task["snoozed_until"])
        if snoozed and snoozed > now:
            schedule += text(lang, "task.snoozed_line", when=group.when(snoozed))
        step = next_step(repo, group, task)
        if step is not None:
            schedule += text(lang, f"task.next_{step.kind}", when=group.when(step.at))
        for person in responsible(repo, task):
            back = away_until(repo, person, now)
            if back:
                schedule += text(lang, "task.away_line", person=person, when=group.when(back))
    else:
        schedule = text(lang, "task.closed_line", when=group.when(from_iso(task["closed_at"])),
                        by=_who(group, task["closed_by"] or BOT))
    feedback_part = ""
    if task["state"] == TaskState.FEEDBACK:
        expected, acked = feedback_tally(repo, task)
        feedback_part = text(lang, "task.feedback_line", feedback=task["feedback_text"] or "",
                             count=len(acked & set(expected)), expected=len(expected))
    history = [_history_line(group, event) for event in repo.task_events(task["key"])]
    if len(history) > HISTORY_LINES:
        history = [text(lang, "task.history_more", count=len(history) - HISTORY_LINES)] \
            + history[-HISTORY_LINES:]
    return render(
        lang, "status.task", ref=ref(task), title=task["title"],
        state=text(lang, f"tstate.{task['state']}"), lead=task["lead"], role=role,
        by=_who(group, task["created_by"]), created=group.when(from_iso(task["created_at"])),
        due=_due_suffix(group, from_iso(task["due"])),
        description=_description_suffix(group, task), schedule=schedule,
        feedback=feedback_part, history="\n  " + "\n  ".join(history),
    )


def _history_line(group: Group, event: dict) -> str:
    lang = group.lang
    kind = event["kind"]
    note = event["text"] or ""
    if kind == TaskMove.SNOOZE:
        note = group.when(from_iso(note)) if note else ""
    return text(lang, f"history.{kind}", at=group.when(from_iso(event["at"])),
                actor=_who(group, event["actor"]), person=event["person"] or "-",
                note=text(lang, "task.note_suffix", note=note) if note else "",
                step=event["step"] or "")


# --- tasks the bot creates itself -------------------------------------------------------------

def _role_lead(repo: Repository, group: str, role: str) -> tuple[str | None, str | None]:
    for candidate in _ROLE_FALLBACK[role]:
        holders = active_holders(repo, group, candidate)
        if holders:
            return holders[0], candidate
    return None, None


def mandate_registration(repo: Repository, group: Group, out: Effects, proposal: dict,
                         member_slug: str, now: datetime, event_id: str | None) -> dict | None:
    """``Register <candidate>`` for the registrar, on every validated or accepted proposal."""
    lead, role = _role_lead(repo, group.slug, "registrar")
    proposal_ref = f"C-{proposal['number']}"
    if lead is None:
        repo.audit(at=now, group=group.slug, actor=BOT, action="task_skipped",
                   subject=proposal["key"], detail={"reason": "no registrar, core or admin"})
        return None
    return create_task(
        repo, group, out, title=text(group.lang, "task.register_title",
                                     candidate=proposal["candidate"]),
        lead=lead, role=role,
        description=text(group.lang, "task.register_description", ref=proposal_ref,
                         candidate=proposal["candidate"], member=member_slug),
        due=None, now=now, actor=BOT, origin="register", proposal=proposal["key"],
        event_id=event_id)


def assign_decision(repo: Repository, group: Group, out: Effects, proposal: dict,
                    eligible: list[str], role: str | None, now: datetime,
                    event_id: str | None) -> dict | None:
    """The ``Decide on C-n`` task of a contested proposal, led by an eligible decider: opened
    when the proposal is first contested (without a DM: the announcement mentions the
    deciders), and handed to the first eligible decider by the bot when its lead no longer
    is one (they are told by DM). While nobody may decide (``eligible`` empty), its lead is
    an admin, asked to grant the missing role; without any admin, no task (audited)."""
    task = next((t for t in repo.tasks_for_proposal(proposal["key"], ACTIVE_STATES)
                 if t["origin"] == "decide"), None)
    fallback = eligible or active_holders(repo, group.slug, "admin")
    proposal_ref = f"C-{proposal['number']}"
    if task is None:
        if not fallback:
            repo.audit(at=now, group=group.slug, actor=BOT, action="task_skipped",
                       subject=proposal["key"], detail={"reason": "no decider and no admin"})
            return None
        task = create_task(
            repo, group, out, title=text(group.lang, "task.decide_title", ref=proposal_ref,
                                         candidate=proposal["candidate"]),
            lead=fallback[0], role=role or "admin",
            description=text(group.lang, "task.decide_description", ref=proposal_ref,
                             prefix=group.prefix),
            due=None, now=now, actor=BOT, origin="decide", proposal=proposal["key"],
            event_id=event_id, notify=False)
        return task
    if fallback and task["lead"] not in fallback:
        previous, lead = task["lead"], fallback[0]
        _move(repo, task, TaskMove.HANDOVER, now, BOT, event_id, person=lead,
              detail={"from": previous, "why": "eligibility"}, lead=lead,
              role=role or "admin")
        if eligible:
            _tell(out, lead, "dm.decide_assigned", ref=ref(task), title=task["title"],
                  proposal=proposal_ref)
    # Who answers for it may have changed without a new lead: its next step is computed again.
    repo.update_task(task["key"], next_step_at=None)
    return task


def close_for_proposal(repo: Repository, group: Group, proposal: dict, outcome: str,
                       now: datetime, actor: str, event_id: str | None) -> None:
    """Close the ``Decide on C-n`` task by itself: ``done`` when the proposal is resolved,
    ``cancelled`` when it is withdrawn or back to ``open`` (``outcome``: resolved, withdrawn,
    reopened)."""
    proposal_ref = f"C-{proposal['number']}"
    for task in repo.tasks_for_proposal(proposal["key"], ACTIVE_STATES):
        if task["origin"] != "decide":
            continue
        note = text(group.lang, f"task.closed_{outcome}", ref=proposal_ref)
        move = TaskMove.DONE if outcome == "resolved" else TaskMove.CANCEL
        _move(repo, task, move, now, actor, event_id, note=note,
              closed_at=iso(now), closed_by=actor, close_reason=note)
