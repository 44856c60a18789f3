"""Mandates: the task commands (SPEC sections 4 and 10) and what ``!tasks`` and
``!status T-n`` show. Who answers for a task, its ladder and every state change are in
``followup``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from storage.repository import Repository
from storage.rows import Task, TaskEvent

from . import ladder
from .changes import Acked, AwayDeclared, AwayEnded
from .context import Context, Group
from .errors import CommandError
from .followup import (
    ACTIVE_STATES,
    BOT,
    away_until,
    contested_decision,
    create_task,
    description_suffix,
    due_suffix,
    feedback_tally,
    is_stalled,
    leads,
    may_lead,
    move,
    next_step,
    ref,
    responsible,
    tell,
    tell_mandated,
    title_of,
    who_label,
)
from .legitimacy import deciders
from .lifecycle import State
from .parsing import fold, split_quoted, split_word
from .render import join, render, text
from .task_lifecycle import ACTIVE_TASK, TaskMove, TaskState
from .timefmt import end_of_day, from_iso, iso, parse_day, parse_duration

MAX_TITLE = 120
MAX_AWAY = timedelta(days=365)          # an absence longer than a year is a departure
MAX_DUE_AHEAD = timedelta(days=3653)    # due dates within ten years
HISTORY_LINES = 25
LIST_LINES = 50

_DUE_WORDS = {"due", "echeance", "tegen", "deadline"}
_OFF_WORDS = {"off", "fin", "retour", "terug", "uit", "back"}
_UNTIL_WORDS = {"until", "till", "jusqu'au", "jusquau", "jusqu’au", "jusque", "au", "tot"}
_TRAILING_DUE = re.compile(r"\s+(\S+)\s+(\S+)\s*$")


def _running(ctx: Context, task: Task) -> Task:
    if task.state not in ACTIVE_TASK:
        raise CommandError("err.task_closed", ref=ref(task),
                           state=text(ctx.lang, f"tstate.{task.state}"))
    return task


def _lead_or_core(ctx: Context, task: Task) -> None:
    if not (leads(ctx, task) or ctx.has_role("core")):
        raise CommandError("err.not_lead_or_core", ref=ref(task), lead=task.lead)


def _not_a_contested_decision(ctx: Context, task: Task) -> None:
    """``Decide on C-n`` closes by itself when C-n is resolved or its objections withdrawn;
    closed by hand, the contested proposal would no longer be followed."""
    if task.origin != "decide" or not task.proposal:
        return
    proposal = ctx.repo.proposal_by_key(task.proposal)
    if proposal is not None and proposal.state == State.CONTESTED:
        raise CommandError("err.decision_task_closes_itself", ref=ref(task),
                           proposal=f"C-{proposal.number}")


def _lead_only(ctx: Context, task: Task) -> None:
    if not leads(ctx, task):
        raise CommandError("err.not_lead", ref=ref(task), lead=task.lead)


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
    task = create_task(ctx.out, title=title, lead=lead, role=None, description=description,
                       due=due, actor=ctx.caller, origin="command", proposal=None,
                       notify=False)
    step = next_step(ctx.repo, ctx.group, task)
    ctx.out.reply("ok.mandated", ref=ref(task), title=title, lead=lead,
                  due=due_suffix(ctx.group, due),
                  next=ctx.group.when(step.at) if step else "-")
    tell_mandated(ctx.out, task)


def update(ctx: Context, args: dict[str, Any]) -> None:
    """!update T-2 text… — a progress note; the stall clock starts again."""
    task = _running(ctx, args["task"])
    _lead_or_core(ctx, task)
    note = (args["note"] or "").strip()
    if not note:
        raise CommandError("err.note_required", syntax=ctx.usage)
    task = move(ctx.out, task, TaskMove.UPDATE, ctx.caller, note=note)
    step = next_step(ctx.repo, ctx.group, task)
    ctx.out.reply("ok.updated", ref=ref(task), next=ctx.group.when(step.at) if step else "-")


def done(ctx: Context, args: dict[str, Any]) -> None:
    """!done T-2 [note…]."""
    task = _running(ctx, args["task"])
    _lead_or_core(ctx, task)
    _not_a_contested_decision(ctx, task)
    note = args.get("note")
    move(ctx.out, task, TaskMove.DONE, ctx.caller, note=note, closed_at=ctx.now,
         closed_by=ctx.caller, close_reason=note)
    ctx.out.reply("ok.task_done", ref=ref(task))
    ctx.out.announce("ann.task_done", subject=task.key, ref=ref(task), title=title_of(task),
                     by=ctx.caller, note=ctx.phrase("task.note_suffix", note=note) if note else "")


def drop(ctx: Context, args: dict[str, Any]) -> None:
    """!drop T-2 reason… — the reason is required."""
    task = _running(ctx, args["task"])
    _lead_or_core(ctx, task)
    _not_a_contested_decision(ctx, task)
    reason = args["reason"]
    move(ctx.out, task, TaskMove.DROP, ctx.caller, note=reason, closed_at=ctx.now,
         closed_by=ctx.caller, close_reason=reason)
    ctx.out.reply("ok.task_dropped", ref=ref(task))
    ctx.out.announce("ann.task_dropped", subject=task.key, ref=ref(task), title=title_of(task),
                     by=ctx.caller, reason=reason)


def handover(ctx: Context, args: dict[str, Any]) -> None:
    """!handover T-2 @person — the new lead gets a fresh stall clock."""
    task = _running(ctx, args["task"])
    _lead_or_core(ctx, task)
    new, previous = args["person"], task.lead
    if new == previous and not task.role:
        raise CommandError("err.same_lead", ref=ref(task), person=new)
    if not may_lead(ctx.repo, ctx.group.slug, new):
        raise CommandError("err.lead_unknown", person=new)
    decision = contested_decision(ctx.repo, task)
    role = None
    if decision is not None:
        # A decision goes only to someone who may take it: never to an interested party.
        eligible, role = deciders(ctx.repo, decision)
        if new not in eligible:
            raise CommandError("err.handover_not_decider", ref=ref(task), person=new,
                               proposal=f"C-{decision.number}",
                               people=", ".join(eligible) or "-")
    task = move(ctx.out, task, TaskMove.HANDOVER, ctx.caller, person=new,
                detail={"from": previous}, lead=new, role=role)
    ctx.out.reply("ok.handed_over", ref=ref(task), person=new)
    params = {"ref": ref(task), "title": title_of(task), "by": ctx.caller,
              "due": due_suffix(ctx.group, task.due),
              "description": description_suffix(ctx.group, task)}
    if new != ctx.caller:
        tell(ctx.out, new, "dm.handed_over", previous=previous, **params)
    if previous not in (ctx.caller, new) and previous.startswith("@"):
        ctx.out.dm(previous, "dm.handed_over_from", ref=ref(task), title=title_of(task),
                   by=ctx.caller, person=new)
    ctx.out.announce("ann.task_handed_over", subject=task.key, ref=ref(task),
                     title=title_of(task), person=new, previous=previous, by=ctx.caller)


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
    task = move(ctx.out, task, TaskMove.SNOOZE, ctx.caller, note=iso(until),
                snoozed_until=until)
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
    task = move(ctx.out, task, TaskMove.REQUEST_FEEDBACK, ctx.caller, note=deliverable,
                feedback_text=deliverable)
    until = ctx.now + ctx.group.settings.feedback_window
    ctx.out.reply("ok.feedback_requested", ref=ref(task), until=ctx.group.when(until))
    ctx.out.announce("ann.feedback_requested", subject=task.key, ref=ref(task),
                     title=title_of(task), lead=task.lead, feedback=deliverable,
                     until=ctx.group.when(until))


def ack(ctx: Context, args: dict[str, Any]) -> None:
    """!ack T-2 [comment…] — feedback given on what the lead asked about."""
    task = _running(ctx, args["task"])
    if task.state != TaskState.FEEDBACK:
        raise CommandError("err.no_feedback_request", ref=ref(task))
    if ctx.caller in responsible(ctx.repo, task):
        raise CommandError("err.own_task_ack", ref=ref(task))
    member = ctx.caller_member()
    assert member is not None  # the table's right check guarantees it
    comment = args.get("comment")
    new = not any(a.person == ctx.caller for a in ctx.repo.acks(task.key, task.episode))
    ctx.apply(Acked(actor=ctx.caller, event_id=ctx.event.event_id, task=task,
                    person=ctx.caller, member=member.slug, comment=comment))
    task = move(ctx.out, task, TaskMove.ACK, ctx.caller, note=comment, person=ctx.caller,
                detail={"member": member.slug, "new": new})
    expected, acked = feedback_tally(ctx.repo, task)
    ctx.out.reply("ok.acked" if new else "ok.ack_updated", ref=ref(task),
                  count=len(acked & set(expected)), expected=len(expected))
    comment_text = ctx.phrase("task.note_suffix", note=comment) if comment else ""
    for person in responsible(ctx.repo, task):
        if person.startswith("@"):
            ctx.out.dm(person, "dm.acked", ref=ref(task), title=title_of(task), by=ctx.caller,
                       member=member.name, comment=comment_text)


def away(ctx: Context, args: dict[str, Any]) -> None:
    """!away until 2026-12-20 (through that day) / !away off."""
    words = (args["when"] or "").split()
    if not words:
        raise CommandError("err.missing_args", syntax=ctx.usage)
    first = fold(words[0]).replace("’", "'")
    if first in _OFF_WORDS and len(words) == 1:
        if not any(p.end_at > ctx.now for p in ctx.repo.away_periods(ctx.caller)):
            raise CommandError("err.not_away")
        ctx.apply(AwayEnded(actor=ctx.caller, event_id=ctx.event.event_id,
                            group=ctx.group.slug, person=ctx.caller))
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
    ctx.apply(AwayDeclared(actor=ctx.caller, event_id=ctx.event.event_id, group=ctx.group.slug,
                           person=ctx.caller, until=back))
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
        lines.append(render(ctx.lang, "tasks.line", ref=ref(task), title=title_of(task),
                            lead=task.lead, state=text(ctx.lang, f"tstate.{task.state}"),
                            extra=_list_extra(ctx, task)))
    ctx.out.reply_message(join(lines))


def _list_extra(ctx: Context, task: Task) -> str:
    parts = []
    if task.due:
        parts.append(text(ctx.lang, "task.due_suffix", when=ctx.group.when(task.due)))
    if is_stalled(ctx.repo, ctx.group, task, ctx.now):
        parts.append(text(ctx.lang, "task.stalled_suffix"))
    snoozed = task.snoozed_until
    if task.state in ACTIVE_TASK and snoozed and snoozed > ctx.now:
        parts.append(text(ctx.lang, "task.snoozed_suffix", when=ctx.group.when(snoozed)))
    return "".join(parts)


def show(ctx: Context, task: Task) -> None:
    """!status T-2 — the task and its history: updates, nudges, escalations, acks."""
    ctx.out.reply_message(describe(ctx.repo, ctx.group, task, ctx.now, ctx.lang))


def describe(repo: Repository, group: Group, task: Task, now: datetime,
             lang: str | None = None) -> Any:
    """A task's status and history, in the reader's language (the group's by default)."""
    lang = lang or group.lang
    role = text(lang, "task.role_suffix", role=text(lang, f"role.{task.role}")) if task.role else ""
    schedule = ""
    if task.state in ACTIVE_TASK:
        snoozed = task.snoozed_until
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
        schedule = text(lang, "task.closed_line", when=group.when(task.closed_at),
                        by=who_label(group, task.closed_by or BOT))
    feedback_part = ""
    if task.state == TaskState.FEEDBACK:
        expected, acked = feedback_tally(repo, task)
        feedback_part = text(lang, "task.feedback_line", feedback=task.feedback_text or "",
                             count=len(acked & set(expected)), expected=len(expected))
    history = [_history_line(group, event) for event in repo.task_events(task.key)]
    if len(history) > HISTORY_LINES:
        history = [text(lang, "task.history_more", count=len(history) - HISTORY_LINES)] \
            + history[-HISTORY_LINES:]
    return render(
        lang, "status.task", ref=ref(task), title=title_of(task),
        state=text(lang, f"tstate.{task.state}"), lead=task.lead, role=role,
        by=who_label(group, task.created_by), created=group.when(task.created_at),
        due=due_suffix(group, task.due),
        description=description_suffix(group, task), schedule=schedule,
        feedback=feedback_part, history="\n  " + "\n  ".join(history),
    )


def _history_line(group: Group, event: TaskEvent) -> str:
    lang = group.lang
    kind = event.kind
    note = event.text or ""
    if kind == TaskMove.SNOOZE:
        note = group.when(from_iso(note)) if note else ""
    return text(lang, f"history.{kind}", at=group.when(event.at),
                actor=who_label(group, event.actor), person=event.person or "-",
                note=text(lang, "task.note_suffix", note=note) if note else "",
                step=event.step or "")
