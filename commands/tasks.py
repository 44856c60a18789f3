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
from .dates import DateReading, date_words, looks_like_date, read_date
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
from .parsing import fold, name_key, split_quoted, split_word
from .render import Names, Person, join, render, text
from .task_lifecycle import ACTIVE_TASK, TaskMove, TaskState
from .timefmt import (
    end_of_day,
    from_iso,
    iso,
    parse_day,
    parse_duration,
    show_day,
    show_day_month,
    show_numeric_day,
)

MAX_TITLE = 120
MAX_AWAY = timedelta(days=365)          # an absence longer than a year is a departure
MAX_DUE_AHEAD = timedelta(days=3653)    # due dates within ten years
HISTORY_LINES = 25
LIST_LINES = 50

_DUE_WORDS = {"due", "echeance", "tegen", "deadline"}
# Due words that are common words of a title too ("Actie tegen armoede"): in an unquoted title
# only what looks like a date after them is asked about.
_TITLE_WORDS = {"tegen"}
_OFF_WORDS = {"off", "fin", "retour", "terug", "uit", "back"}
# The words before the last day away, taken off before the date is read: "until", "jusqu'au",
# "tot en met", "t/m"… (an apostrophe typed either way, or left out: "jusqu au").
_UNTIL = re.compile(r"^(?:until|till|jusqu(?:['’]|\s+)?(?:au|à|a)|jusque|au|tot(?:\s+en\s+met)?|t/m)(?:\s+|$)",
                    re.IGNORECASE)
# !tasks done, !tâches abandonnées…: the tasks in that state (the bot shows these words).
_STATE_FILTERS = frozenset(s.value for s in TaskState) - {TaskState.OPEN.value}


def _running(ctx: Context, task: Task) -> Task:
    if task.state not in ACTIVE_TASK:
        raise CommandError("err.task_closed", ref=ref(task),
                           state=text(ctx.lang, f"tstate.{task.state}"))
    return task


def _lead_or_core(ctx: Context, task: Task) -> None:
    if not (leads(ctx, task) or ctx.has_role("core")):
        raise CommandError("err.not_lead_or_core", ref=ref(task), lead=Person.of(task.lead))


def _not_a_contested_decision(ctx: Context, task: Task) -> None:
    """``Decide on C-n`` closes by itself when C-n is resolved or its objections withdrawn;
    closed by hand, the contested proposal would no longer be followed."""
    if task.origin != "decide" or not task.proposal:
        return
    proposal = ctx.repo.proposal_by_key(task.proposal)
    if proposal is not None and proposal.state == State.CONTESTED:
        raise CommandError("err.decision_task_closes_itself", ref=ref(task),
                           proposal=f"C-{proposal.number}")


def _no_feedback_on_a_contested_decision(ctx: Context, task: Task) -> None:
    """``Decide on C-n`` is followed until C-n is decided; the feedback ladder ends once the
    members acked, and would leave the contested proposal followed by nobody."""
    decision = contested_decision(ctx.repo, task)
    if decision is not None:
        raise CommandError("err.decision_task_no_feedback", ref=ref(task),
                           proposal=f"C-{decision.number}")


def _lead_only(ctx: Context, task: Task) -> None:
    if not leads(ctx, task):
        raise CommandError("err.not_lead", ref=ref(task), lead=Person.of(task.lead))


# --- reading a mandate and an absence ----------------------------------------------------------
#
# A due date or the end of an absence is read in words in the three languages by
# ``dates.read_date`` ("10 décembre", "over 2 weken", "next friday", "10/12/2026"), and the
# strict numeric forms of any year by ``parse_day`` (so that 9999-12-30 is refused as too far,
# not as unreadable). Nothing is guessed: words that fairly mean two days are a question
# giving both; words after a due keyword that look like a date but cannot be read are a
# question, never the first words of a description; a date read inside an unquoted title is a
# question too (is the rest of the line the title or a description?).

def _read_day(ctx: Context, said: str) -> DateReading | None:
    """The date at the start of ``said``, or None when there is none. Refuses words that may
    mean two days."""
    reading = read_date(said, ctx.now, ctx.group.zone)
    if reading is None:
        first, after = split_word(said)
        try:
            day = parse_day(first)
        except ValueError:
            return None
        return DateReading(day=day, at=None, due=end_of_day(day, ctx.group.zone), words=1,
                           said=first, rest=after, alternative=None)
    if reading.alternative is not None:
        a, b = reading.day, reading.alternative
        raise CommandError("err.date_two_readings", text=reading.said[:80],
                           a=show_day(a, ctx.lang), b=show_day(b, ctx.lang),
                           a_numeric=show_numeric_day(a), b_numeric=show_numeric_day(b))
    return reading


def _not_read(ctx: Context, said: str) -> CommandError:
    """The refusal of words that are no date this bot reads: a question when they look like
    one ("did you mean a date?"), with two ways to write one."""
    if not looks_like_date(said):
        return CommandError("err.bad_date", text=split_word(said)[0][:40])
    example = ctx.now.astimezone(ctx.group.zone).date() + timedelta(days=14)
    return CommandError("err.date_unclear", text=date_words(said)[:60],
                        numeric=show_numeric_day(example),
                        words=show_day_month(example, ctx.lang))


def _within(ctx: Context, day: date, limit: timedelta) -> None:
    """A calendar day no further than ``limit`` from today: a refusal names the latest day
    (a due date in 9999 means nothing, and the day after it cannot be computed)."""
    latest = (ctx.now + limit).astimezone(ctx.group.zone).date()
    if day > latest:
        raise CommandError("err.date_too_far", day=day.isoformat(), max=latest.isoformat())


def read_mandate(ctx: Context, lead: str, body: str) -> tuple[str, datetime | None, str]:
    """``"Title" [due DATE] [description…]``, or unquoted: the first line is the title, with
    ``due DATE`` at its end, and the next lines the description. Returns (title, due instant
    or None, description)."""
    quoted, rest = split_quoted(body)
    if quoted is not None:
        word, after = split_word(rest)
        if fold(word) not in _DUE_WORDS:
            return quoted.strip(), None, rest.strip()
        if not after.strip():
            raise CommandError("err.bad_date", text=word)
        reading = _read_day(ctx, after)
        if reading is None:
            raise _not_read(ctx, after)
        return quoted.strip(), _due(ctx, reading), reading.rest.strip()
    first, _, more = body.strip().partition("\n")
    title, due = _title_and_due(ctx, lead, first.strip())
    return title.strip().strip('"').strip(), due, more.strip()


def _title_and_due(ctx: Context, lead: str, line: str) -> tuple[str, datetime | None]:
    """An unquoted title line and the due date at its end (``Write the minutes due 10
    décembre``). A due word followed by no date is part of the title (``Prepare due
    diligence``, ``Actie tegen armoede``). When no due word ends the line with a date, the
    first doubt is asked about: a date read before more words (is the rest title or
    description?), words after a due word that look like a date, or the one word after
    ``due``, ``échéance`` or ``deadline`` at the end (``… due someday``: a slip, refused as
    before)."""
    doubt: CommandError | None = None
    for match in re.finditer(r"\S+", line):
        if fold(match.group()) not in _DUE_WORDS:
            continue
        said = line[match.end():].strip()
        if not said:
            continue
        before = line[:match.start()].strip()
        reading = _read_day(ctx, said)
        if reading is not None and not reading.rest.strip():
            return before, _due(ctx, reading)
        if doubt is not None:
            continue
        if reading is not None:
            # "Vergadering tegen vrijdag voorbereiden": is "voorbereiden" title or description?
            rest = reading.rest.strip()[:80]
            doubt = CommandError("err.due_inside_title", day=show_day(reading.day, ctx.lang),
                                 lead=lead, title=before, numeric=show_numeric_day(reading.day),
                                 rest=f" {rest}" if rest else "")
        elif looks_like_date(said) or (
                len(said.split()) == 1 and fold(match.group()) not in _TITLE_WORDS):
            doubt = _not_read(ctx, said)
    if doubt is not None:
        raise doubt
    return line, None


def _due(ctx: Context, reading: DateReading) -> datetime:
    _within(ctx, reading.day, MAX_DUE_AHEAD)
    if reading.due <= ctx.now:
        raise CommandError("err.due_past", due=reading.day.isoformat())
    return reading.due


# --- executors ------------------------------------------------------------------------------

def mandate(ctx: Context, args: dict[str, Any]) -> None:
    """!mandate @lead "Title" [due 2026-12-10] [description…] — a named lead for a task."""
    lead = args["lead"]
    title, due, description = read_mandate(ctx, lead, args["title"] or "")
    if not title:
        raise CommandError("err.empty_title", syntax=ctx.usage)
    if len(title) > MAX_TITLE:
        raise CommandError("err.too_long", size=len(title), max=MAX_TITLE)
    if not may_lead(ctx.repo, ctx.group.slug, lead):
        raise CommandError("err.lead_unknown", person=Person.exact(lead))
    twins = _twins(ctx, lead, title)
    task = create_task(ctx.out, title=title, lead=lead, role=None, description=description,
                       due=due, actor=ctx.caller, origin="command", proposal=None,
                       notify=False)
    step = next_step(ctx.repo, ctx.group, task)
    twin = ctx.phrase("task.twin_suffix", lead=Person.of(lead), twin=twins[-1], ref=ref(task),
                      prefix=ctx.group.prefix) if twins else ""
    ctx.out.reply("ok.mandated", ref=ref(task), title=title, lead=Person.exact(lead),
                  due=due_suffix(ctx.group, due),
                  next=ctx.group.when(step.at) if step else "-", twin=twin)
    tell_mandated(ctx.out, task)


def _twins(ctx: Context, lead: str, title: str) -> list[str]:
    """The running tasks of ``lead`` with this title (compared as names are), oldest first:
    a task mandated twice, by two people or by one, is still made (it may be meant), and the
    reply names the latest such task and how to drop the new one."""
    key = name_key(title)
    return [f"T-{number}" for number, other in
            ctx.repo.lead_titles(ctx.group.slug, lead, ACTIVE_STATES)
            if key and name_key(other) == key]


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
                     by=Person.of(ctx.caller),
                     note=ctx.phrase("task.note_suffix", note=note) if note else "")


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
                     by=Person.of(ctx.caller), reason=reason)


def handover(ctx: Context, args: dict[str, Any]) -> None:
    """!handover T-2 @person — the new lead gets a fresh stall clock."""
    task = _running(ctx, args["task"])
    _lead_or_core(ctx, task)
    new, previous = args["person"], task.lead
    if new == previous and not task.role:
        raise CommandError("err.same_lead", ref=ref(task), person=Person.exact(new))
    if not may_lead(ctx.repo, ctx.group.slug, new):
        raise CommandError("err.lead_unknown", person=Person.exact(new))
    decision = contested_decision(ctx.repo, task)
    role = None
    if decision is not None:
        # A decision goes only to someone who may take it: never to an interested party.
        eligible, role = deciders(ctx.repo, decision)
        if new not in eligible:
            raise CommandError("err.handover_not_decider", ref=ref(task),
                               person=Person.exact(new), proposal=f"C-{decision.number}",
                               people=Person.listed(eligible))
    task = move(ctx.out, task, TaskMove.HANDOVER, ctx.caller, person=new,
                detail={"from": previous}, lead=new, role=role)
    ctx.out.reply("ok.handed_over", ref=ref(task), person=Person.exact(new))
    params = {"ref": ref(task), "title": title_of(task), "by": Person.of(ctx.caller),
              "due": due_suffix(ctx.group, task.due),
              "description": description_suffix(ctx.group, task)}
    if new != ctx.caller:
        tell(ctx.out, new, "dm.handed_over", subject=task.key, previous=Person.of(previous),
             **params)
    if previous not in (ctx.caller, new) and previous.startswith("@"):
        ctx.out.dm(previous, "dm.handed_over_from", ref=ref(task), title=title_of(task),
                   by=Person.of(ctx.caller), person=Person.of(new))
    ctx.out.announce("ann.task_handed_over", subject=task.key, ref=ref(task),
                     title=title_of(task), person=Person.of(new), previous=Person.of(previous),
                     by=Person.of(ctx.caller))


def snooze(ctx: Context, args: dict[str, Any]) -> None:
    """!snooze T-2 3d — no nudge before then (at most ``max_snooze`` from now)."""
    task = _running(ctx, args["task"])
    _lead_only(ctx, task)
    said = (args["duration"] or "").strip()
    if not said:
        raise CommandError("err.missing_args", syntax=ctx.usage)
    try:
        delta = parse_duration(said)
    except ValueError:
        raise CommandError("err.bad_duration", text=said[:80]) from None
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
    _no_feedback_on_a_contested_decision(ctx, task)
    deliverable = (args["deliverable"] or "").strip()
    if not deliverable:
        raise CommandError("err.feedback_required", syntax=ctx.usage)
    task = move(ctx.out, task, TaskMove.REQUEST_FEEDBACK, ctx.caller, note=deliverable,
                feedback_text=deliverable)
    until = ctx.now + ctx.group.settings.feedback_window
    ctx.out.reply("ok.feedback_requested", ref=ref(task), until=ctx.group.when(until))
    ctx.out.announce("ann.feedback_requested", subject=task.key, ref=ref(task),
                     title=title_of(task), lead=Person.of(task.lead), feedback=deliverable,
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
            ctx.out.dm(person, "dm.acked", ref=ref(task), title=title_of(task),
                       by=Person.of(ctx.caller),
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
    said = _UNTIL.sub("", args["when"].strip(), count=1)
    if not said:
        raise CommandError("err.missing_args", syntax=ctx.usage)
    reading = _read_day(ctx, said)
    if reading is None:
        raise _not_read(ctx, said)
    if reading.rest.strip():
        raise CommandError("err.away_date_then_text", day=show_day(reading.day, ctx.lang),
                           extra=reading.rest.strip()[:80],
                           numeric=show_numeric_day(reading.day))
    day = reading.day
    _within(ctx, day, MAX_AWAY)
    if reading.at is not None:  # "jusqu'à demain 14h": back at that time
        back = reading.due
    else:  # away through the named day: back at the start of the next local day
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
    if which == "active":  # what the bot calls the default list ("en cours", "lopend")
        which = None
    if which in _STATE_FILTERS:
        states = (which,)
    else:
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
    names = ctx.out.names()
    names.prefetch(task.lead for task in rows[-LIST_LINES:])
    for task in rows[-LIST_LINES:]:
        lines.append(render(ctx.lang, "tasks.line", names=names, ref=ref(task),
                            title=title_of(task), lead=Person.of(task.lead), state=text(ctx.lang, f"tstate.{task.state}"),
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
    ctx.out.reply_message(describe(ctx.repo, ctx.group, task, ctx.now, ctx.lang,
                                   names=ctx.out.names()))


def describe(repo: Repository, group: Group, task: Task, now: datetime,
             lang: str | None = None, names: Names | None = None) -> Any:
    """A task's status and history, in the reader's language (the group's by default),
    people shown by ``names`` (their display names, by default)."""
    lang = lang or group.lang
    names = names or Names(repo.display_names)
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
                schedule += text(lang, "task.away_line", names=names, person=Person.of(person),
                                 when=group.when(back))
    else:
        schedule = text(lang, "task.closed_line", names=names, when=group.when(task.closed_at),
                        by=who_label(group, task.closed_by or BOT))
    feedback_part = ""
    if task.state == TaskState.FEEDBACK:
        expected, acked = feedback_tally(repo, task)
        feedback_part = text(lang, "task.feedback_line", feedback=task.feedback_text or "",
                             count=len(acked & set(expected)), expected=len(expected))
    events = repo.task_events(task.key)
    names.prefetch({task.lead, *(e.actor for e in events), *(e.person for e in events if e.person)})
    history = [_history_line(group, event, names, lang) for event in events]
    if len(history) > HISTORY_LINES:
        history = [text(lang, "task.history_more", count=len(history) - HISTORY_LINES)] \
            + history[-HISTORY_LINES:]
    return render(
        lang, "status.task", names=names, ref=ref(task), title=title_of(task),
        state=text(lang, f"tstate.{task.state}"), lead=Person.of(task.lead), role=role,
        by=who_label(group, task.created_by), created=group.when(task.created_at),
        due=due_suffix(group, task.due),
        description=description_suffix(group, task), schedule=schedule,
        feedback=feedback_part, history="\n  " + "\n  ".join(history),
    )


def _history_line(group: Group, event: TaskEvent, names: Names, lang: str) -> str:
    """One line of a task's history, in the reader's language."""
    kind = event.kind
    note = event.text or ""
    if kind == TaskMove.SNOOZE:
        note = group.when(from_iso(note)) if note else ""
    return text(lang, f"history.{kind}", names=names, at=group.when(event.at),
                actor=who_label(group, event.actor),
                person=Person.of(*event.person.split(", ")) if event.person else "-",
                note=text(lang, "task.note_suffix", note=note) if note else "",
                step=event.step or "")
