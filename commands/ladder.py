"""When the bot may next nudge about a task: the stall ladder and the feedback ladder.

Pure functions of what the database holds (SPEC section 4), so the answer is the same after
a restart and no in-memory timer is ever trusted:

* **Stall ladder** (task ``open``): step 1 comes when the lead has had ``stall_after`` of
  *active* time since the episode began (an update, a handover or the mandate), or at the due
  date if that is sooner. If the episode began after the due date (an overdue task that got an
  update), step 1 comes after ``nudge_every`` instead, so an overdue task keeps being followed
  without the update itself triggering a nudge. Steps ``2..escalate_after`` come ``nudge_every``
  of active time after the previous step was actually sent (a late step never causes a burst);
  the step after ``escalate_after`` nudges is the escalation to the core group (if
  ``escalate_after`` is lowered mid-ladder, the next step), and only a recorded escalation ends
  the ladder for the episode. The nudges go to the lead by direct message. A ladder that
  ``repeat``s (a contested proposal's decision, followed up until decided) does not end
  there: every ``nudge_every`` another nudge, and every ``escalate_after + 1``-th step
  another escalation.
* **Feedback ladder** (task ``feedback``): step 1 comes ``feedback_window`` after the request,
  then every ``nudge_every``; steps ``1..escalate_after`` remind, in the room, the members who
  have not acked; step ``escalate_after + 1`` goes to the core group, only if nobody acked at
  all. The ladder stops as soon as every member has acked.

*Active* time excludes the intervals in which the people responsible for the task are all away
(``paused``): their stall clock stops. Every step is then *settled*: moved to the end of a
snooze, out of an away interval, and out of the group's quiet hours, computed on local wall
time with ``zoneinfo`` so the daylight-saving changes of Europe/Brussels fall right. A step
whose instant has passed (the bot was down) is settled again from *now* (``late``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .settings import GroupSettings
from .timefmt import parse_quiet_hours

Interval = tuple[datetime, datetime]

NUDGE, ESCALATION = "nudge", "escalation"
FEEDBACK_REMINDER, FEEDBACK_ESCALATION = "feedback_reminder", "feedback_escalation"


@dataclass(frozen=True)
class Step:
    number: int        # 1-based, within the episode; stored with the step so it is sent once
    kind: str          # NUDGE | ESCALATION | FEEDBACK_REMINDER | FEEDBACK_ESCALATION
    at: datetime       # when it may be sent (settled)
    base: datetime     # when it is due before snooze, absences and quiet hours


# --- intervals ---------------------------------------------------------------------------

def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals (touching ones joined)."""
    result: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """The instants in both sets of intervals."""
    result: list[Interval] = []
    for a_start, a_end in merge(a):
        for b_start, b_end in merge(b):
            start, end = max(a_start, b_start), min(a_end, b_end)
            if end > start:
                result.append((start, end))
    return merge(result)


def all_away(per_person: Sequence[Sequence[Interval]]) -> list[Interval]:
    """When every one of these people is away at once (nobody: never)."""
    if not per_person:
        return []
    common = merge(per_person[0])
    for intervals in per_person[1:]:
        common = intersect(common, intervals)
    return common


def active_after(start: datetime, duration: timedelta, paused: Sequence[Interval]) -> datetime:
    """The instant at which ``duration`` of time outside ``paused`` has passed since ``start``."""
    moment, remaining = start, duration
    for pause_start, pause_end in merge(paused):
        if pause_end <= moment:
            continue
        if pause_start > moment:
            if pause_start - moment >= remaining:
                return moment + remaining
            remaining -= pause_start - moment
        moment = max(moment, pause_end)
    return moment + remaining


def outside(paused: Sequence[Interval], moment: datetime) -> datetime:
    """``moment``, or the end of the pause it falls in."""
    for pause_start, pause_end in merge(paused):
        if pause_start <= moment < pause_end:
            return pause_end
    return moment


# --- quiet hours -------------------------------------------------------------------------

def first_instant_at(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the local wall clock shows ``wall`` or later on ``day``.

    Usually ``wall`` on that day; when it does not exist (the spring-forward gap), the instant
    the clock jumps over it; when it exists twice (autumn), the first of the two.
    """
    naive = datetime.combine(day, wall)
    earlier = naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
    if earlier.astimezone(zone).replace(tzinfo=None) == naive:
        return earlier
    # A wall time in the gap: scan the gap by the minute for the first instant past it.
    later = naive.replace(tzinfo=zone, fold=1).astimezone(timezone.utc)
    low, high = min(earlier, later), max(earlier, later)
    moment = low
    while moment < high and moment.astimezone(zone).replace(tzinfo=None) < naive:
        moment += timedelta(minutes=1)
    return moment


def quiet_end(moment: datetime, quiet: tuple[time, time] | None, zone: ZoneInfo) -> datetime:
    """``moment``, or the end of the quiet hours it falls in (group time zone)."""
    if quiet is None or quiet[0] == quiet[1]:
        return moment
    start, end = quiet
    local = moment.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if start < end:              # e.g. 12:00-14:00, within one day
        inside, end_day = start <= wall < end, local.date()
    elif wall >= start:          # e.g. 21:00-08:00, evening part: ends tomorrow morning
        inside, end_day = True, local.date() + timedelta(days=1)
    else:                        # morning part: ends today
        inside, end_day = wall < end, local.date()
    if not inside:
        return moment
    return max(moment, first_instant_at(end_day, end, zone))


def settle(moment: datetime, *, zone: ZoneInfo, quiet: tuple[time, time] | None,
           paused: Sequence[Interval] = (), not_before: datetime | None = None) -> datetime:
    """The first instant at or after ``moment`` that is past the snooze, outside every
    pause and outside quiet hours (each move can land in another constraint: repeat)."""
    for _ in range(64):
        moved = max(moment, not_before) if not_before else moment
        moved = quiet_end(outside(paused, moved), quiet, zone)
        if moved == moment:
            return moment
        moment = moved
    return moment


# --- the ladders -------------------------------------------------------------------------

def _quiet(settings: GroupSettings) -> tuple[time, time] | None:
    return parse_quiet_hours(settings.quiet_hours)


def next_stall_step(*, settings: GroupSettings, episode_start: datetime, due: datetime | None,
                    sent: Sequence[datetime], paused: Sequence[Interval],
                    snoozed_until: datetime | None, escalated: bool = False,
                    repeat: bool = False) -> Step | None:
    """The next step of the stall ladder, given the instants the earlier steps were sent and
    whether one of them was the escalation."""
    if escalated and not repeat:
        return None  # the core group knows: the ladder is over for this episode
    count = len(sent)
    if count == 0:
        base = active_after(episode_start, settings.stall_after, paused)
        if due is not None:
            if due > episode_start:
                base = min(base, due)
            else:
                base = active_after(episode_start, min(settings.nudge_every, settings.stall_after),
                                    paused)
    else:
        base = active_after(sent[-1], settings.nudge_every, paused)
    if repeat:
        kind = ESCALATION if (count + 1) % (settings.escalate_after + 1) == 0 else NUDGE
    else:
        kind = NUDGE if count < settings.escalate_after else ESCALATION
    at = settle(base, zone=ZoneInfo(settings.timezone), quiet=_quiet(settings), paused=paused,
                not_before=snoozed_until)
    return Step(count + 1, kind, at, base)


def late(step: Step, now: datetime, *, settings: GroupSettings,
         paused: Sequence[Interval] = ()) -> datetime:
    """When a step may go: its instant, or, once that has passed (the bot was down), the first
    instant from ``now`` outside quiet hours and ``paused`` (the snooze ended before ``step.at``)."""
    if step.at >= now:
        return step.at
    return settle(now, zone=ZoneInfo(settings.timezone), quiet=_quiet(settings), paused=paused)


def next_feedback_step(*, settings: GroupSettings, requested_at: datetime,
                       sent: Sequence[datetime], anyone_acked: bool, anyone_left: bool,
                       snoozed_until: datetime | None, escalated: bool = False) -> Step | None:
    """The next step of the feedback ladder (reminders to the members who have not acked).
    It ends once the escalation was recorded, even if ``escalate_after`` was lowered since."""
    if not anyone_left or escalated:
        return None
    count = len(sent)
    if count < settings.escalate_after:
        kind = FEEDBACK_REMINDER
    elif not anyone_acked:
        kind = FEEDBACK_ESCALATION
    else:
        return None
    base = requested_at + settings.feedback_window if count == 0 else sent[-1] + settings.nudge_every
    at = settle(base, zone=ZoneInfo(settings.timezone), quiet=_quiet(settings),
                not_before=snoozed_until)
    return Step(count + 1, kind, at, base)
