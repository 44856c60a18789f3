"""The weekly digest (issue 13, item 1): once a week, at the group's ``digest`` moment, the
room (and the forum, when the group has a category) is told what needs attention: proposals
closing before the next digest, contested ones and who may decide them, stalled tasks and
their leads, and the members admitted since the last digest.

**Never twice for a week.** A digest is recorded under its ISO week (``DigestSent``) in the
transaction that queues it; the week's row is the guard, across restarts too.
**Late, but only within its week.** The next digest's instant is stored (``next_at``) and
found by index like every wakeup; if the bot was away at that moment, the digest goes as soon
as it is back and the sources are read, if the week is not over; a week that ended meanwhile
is recorded as missed (``DigestMissed``) and the next week's comes at its time. A late digest
that would go out in the group's quiet hours waits for their end (``DigestHeld``), unless
its own moment lies in them or they end in the next week.
**Only from when it was set.** A schedule counts from the moment it is in force (``since``):
set on Wednesday for Mondays, the first digest is next Monday's, not one sent at once.
**Quiet weeks stay quiet.** A week with nothing to tell posts nothing (it is recorded, and
audited as ``digest_empty``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from storage.repository import Repository

from . import followup, weekly
from .changes import BOT
from .changes_digest import DigestHeld, DigestMissed, DigestScheduled, DigestSent
from .context import Effects, Group
from .ladder import quiet_end
from .legitimacy import deciders, in_good_standing_holders
from .lifecycle import State
from .render import Names, Person, Phrase, Pieces, When, in_languages, text
from .timefmt import end_of_day, parse_quiet_hours, show_day

MAX_LINES = 10      # per section; the rest is counted, with the command that lists it
MAX_DECIDERS = 5    # names per contested proposal


def track(out: Effects, actor: str = BOT) -> datetime | None:
    """Record the group's digest schedule if it is not the one in force: at every start
    (the config file may have changed) and after ``!config set digest|timezone``. A new
    schedule counts from now; a new time zone keeps when the schedule began. Returns the
    next digest's instant (None: off)."""
    group, repo, now = out.group, out.repo, out.now
    schedule, zone_name = group.settings.digest, group.settings.timezone
    row = repo.digest_schedule(group.slug)
    if row is None and schedule == weekly.OFF:
        return None
    if row is not None and row.schedule == schedule and row.timezone == zone_name:
        return row.next_at
    since = now if row is None or row.schedule != schedule else row.since
    next_at = _next(repo, group, since)
    out.apply(DigestScheduled(
        actor=actor, event_id=out.event.event_id if out.event else None, group=group.slug,
        schedule=schedule, timezone=zone_name, since=since, next_at=next_at,
        previous=row.schedule if row else None))
    return next_at


def _next(repo: Repository, group: Group, since: datetime) -> datetime | None:
    moment = weekly.parse(group.settings.digest)
    if moment is None:
        return None
    last = repo.last_digest(group.slug)
    return weekly.first_slot(moment, group.zone, since, last.week if last else None)[1]


def send_due(repo: Repository, group: Group, now: datetime, horizon: datetime) -> int:
    """Make the group's digest if it came due by ``horizon`` (every source read up to it, so
    it tells what was said meanwhile), or record the weeks it missed."""
    row = repo.digest_schedule(group.slug)
    if row is None or row.next_at is None or row.next_at > horizon:
        return 0
    out = Effects(repo, group, now)
    moment = weekly.parse(group.settings.digest)
    if moment is None:  # turned off, not tracked yet: nothing more to send
        track(out)
        out.flush()
        return 0
    zone = group.zone
    monday = weekly.monday_of(row.next_at, zone)
    slot_at = weekly.slot(monday, moment, zone)  # its moment (next_at is later if held)
    if now >= weekly.week_end(monday, zone):
        # The bot was away until after the week's end: each such week is missed; this
        # week's digest is due at its moment (already past: now).
        current = weekly.monday_of(now, zone)
        while monday < current:
            following = weekly.slot(monday + timedelta(days=7), moment, zone)
            out.apply(DigestMissed(actor=BOT, group=group.slug, week=weekly.week_key(monday),
                                   next_at=following))
            monday += timedelta(days=7)
        slot_at = weekly.slot(monday, moment, zone)
        if slot_at > horizon:
            out.flush()
            return 1
    quiet = parse_quiet_hours(group.settings.quiet_hours)
    resume = quiet_end(now, quiet, zone)
    if (now - slot_at > group.settings.downtime_grace and resume > now
            and quiet_end(slot_at, quiet, zone) == slot_at
            and resume < weekly.week_end(monday, zone)):
        # Late, the bot back in the night: a room buzzing at 3 a.m. is what quiet hours are
        # for, so it waits for their end. Not when the group chose a moment inside them
        # (then a digest in the night is what it asked for), nor when they end in the next
        # week: a digest late at night is better than a week without one.
        out.apply(DigestHeld(actor=BOT, group=group.slug, week=weekly.week_key(monday),
                             until=resume))
        out.flush()
        return 1
    _make(out, monday, slot_at, moment)
    out.flush()
    return 1


def _make(out: Effects, monday: date, slot_at: datetime, moment: weekly.Weekly) -> None:
    repo, group, now = out.repo, out.group, out.now
    week = weekly.week_key(monday)
    next_at = weekly.slot(monday + timedelta(days=7), moment, group.zone)
    last = repo.last_digest(group.slug)
    since = last.made_at if last else slot_at - timedelta(days=7)
    late = now - slot_at > group.settings.downtime_grace
    params, counts = compose(repo, group, now, until=next_at, since=since, monday=monday,
                             late_since=slot_at if late else None)
    posted = any(counts.values())
    title = body = None
    if posted:
        title = " / ".join(text(lang, "digest.forum_title", group=group.name,
                                monday=show_day(monday, lang)) for lang in group.langs)
        body = in_languages(group.langs, "digest.body", names=Names(repo.display_names),
                            prefix=group.prefix, **params).plain
    made = out.apply(DigestSent(actor=BOT, group=group.slug, week=week, slot_at=slot_at,
                                posted=posted, late=late, next_at=next_at, counts=counts,
                                forum_title=title, forum_body=body))
    if made and posted:
        out.announce("digest.body", subject=f"digest:{week}", **params)


def compose(repo: Repository, group: Group, now: datetime, *, until: datetime,
            since: datetime, monday: date, late_since: datetime | None = None
            ) -> tuple[dict[str, Any], dict[str, int]]:
    """The digest's parameters (pieces written in each reader's language) and how many
    items each section holds."""
    sections: list[object] = []
    counts = {
        "closing": _section(sections, "closing", _closing(repo, group, now, until), group),
        "contested": _section(sections, "contested", _contested(repo, group), group),
        "stalled": _section(sections, "stalled", _stalled(repo, group, now), group),
        "admitted": _section(sections, "admitted", _admitted(repo, group, since, now), group),
    }
    late = Phrase.of("digest.late", at=group.when(late_since)) if late_since else ""
    header = Phrase.of("digest.header", group=group.name,
                       monday=When(end_of_day(monday, group.zone), group.zone), late=late)
    return {"header": header, "sections": Pieces(tuple(sections))}, counts


def _section(parts: list[object], name: str, lines: list[Phrase], group: Group) -> int:
    if not lines:
        return 0
    # One line break, no blank line: a message is one block wherever it is shown (the
    # console separates messages by blank lines); each section's header ends with a colon.
    parts += ["\n", Phrase.of(f"digest.{name}", count=len(lines))]
    for line in lines[:MAX_LINES]:
        parts += ["\n", line]
    if len(lines) > MAX_LINES:
        parts += ["\n", Phrase.of(f"digest.more_{name}", count=len(lines) - MAX_LINES,
                                  prefix=group.prefix)]
    return len(lines)


def _closing(repo: Repository, group: Group, now: datetime, until: datetime) -> list[Phrase]:
    return [Phrase.of("digest.closing_line", ref=p.ref, candidate=p.candidate,
                      deadline=group.when(p.deadline))
            for p in repo.proposals_closing(group.slug, now, until)]


def _contested(repo: Repository, group: Group) -> list[Phrase]:
    lines = []
    for proposal in repo.proposals(group.slug, (State.CONTESTED.value,)):
        people, role = deciders(repo, proposal)
        count = len(repo.objections(proposal.key, active_only=True))
        if not people:
            admins = in_good_standing_holders(repo, group.slug, "admin")
            lines.append(Phrase.of("digest.contested_nobody", ref=proposal.ref,
                                   candidate=proposal.candidate, objections=count,
                                   admins=Person(tuple(admins)) if admins else "-"))
            continue
        # Named as people know them, never pinged: the digest asks nobody in particular.
        shown = Pieces.of(Person(tuple(people[:MAX_DECIDERS])),
                          "…" if len(people) > MAX_DECIDERS else "")
        lines.append(Phrase.of("digest.contested_line", ref=proposal.ref,
                               candidate=proposal.candidate, objections=count,
                               role=Phrase.of(f"role.{role}"), people=shown))
    return lines


def _stalled(repo: Repository, group: Group, now: datetime) -> list[Phrase]:
    return [Phrase.of("digest.stalled_line", ref=followup.ref(task),
                      title=followup.title_of(task), lead=Person.of(task.lead),
                      since=group.when(task.last_activity_at or task.created_at))
            for task in repo.tasks(group.slug, followup.ACTIVE_STATES)
            if followup.is_stalled(repo, group, task, now)]


def _admitted(repo: Repository, group: Group, since: datetime, now: datetime) -> list[Phrase]:
    periods = repo.admissions_since(group.slug, since, now)
    names = repo.member_names(group.slug, {p.member for p in periods}
                              | {p.coopted_by for p in periods if p.coopted_by})
    lines = []
    for period in periods:
        first = repo.member_periods(group.slug, period.member)[0]
        key = "digest.admitted_line" if first.id == period.id else "digest.readmitted_line"
        lines.append(Phrase.of(key, name=names.get(period.member, period.member),
                               by=names.get(period.coopted_by or "", period.coopted_by or "-"),
                               ref=(period.proposal or "").rsplit(":", 1)[-1],
                               at=group.when(period.start_at)))
    return lines
