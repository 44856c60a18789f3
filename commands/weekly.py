"""A weekly moment (the digest's ``mon 09:00``): read in French, Dutch and English, written
one way, and placed in the group's calendar weeks.

Weeks are ISO weeks of the group's local calendar (Monday to Sunday), named ``2026-W45``:
the key under which a week's digest is recorded, so it is never made twice. A week is over
at the local midnight that starts the next Monday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .date_words import DATED_WEEKDAYS, WEEKDAYS
from .parsing import fold
from .timefmt import QUIET_OFF

OFF = "off"
DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIME = time(9, 0)
# "Off" as people say it, besides the words for no quiet hours ("aucune", "uit"…).
_OFF_WORDS = QUIET_OFF | {"desactive", "desactivee", "jamais", "uitgeschakeld", "nooit",
                          "never", "disabled"}
# Words around a day and an hour that mean nothing more: "tous les lundis à 9h", "elke
# maandag om 9 uur", "every monday at 9".
_FILLER = {"a", "à", "at", "om", "le", "les", "tous", "chaque", "elke", "iedere", "every",
           "each", "on", "op", "de", "h", "u", "uur", "heure", "heures", "o'clock"}
# Day names and their short forms (Dutch "ma", "zo" too: here nothing else is meant), and
# their plurals: "tous les lundis", "maandagen", "mondays".
_DAYS = dict(DATED_WEEKDAYS)
for _name, _number in WEEKDAYS.items():
    if len(_name) > 3:
        _DAYS[_name + "s"] = _number
        _DAYS[_name + "en"] = _number
_HOUR = re.compile(r"^(\d{1,2})(?:[:h.u](\d{2})?)?(h|u|uur|am|pm)?$")


@dataclass(frozen=True)
class Weekly:
    """A day of the week (Monday is 0) and a wall-clock time in the group's zone."""

    weekday: int
    at: time

    def text(self) -> str:
        return f"{DAY_CODES[self.weekday]} {self.at:%H:%M}"


def parse(text: str) -> Weekly | None:
    """``mon 09:00``, ``lundi 9h``, ``maandag om 9 uur``, ``every Monday at 9:30``, ``9h
    lundi``; ``lundi`` alone is 09:00. None for off (``off``, ``aucun``, ``uit``…).
    ValueError for anything else."""
    raw = str(text).strip()
    if len(raw) > 60:
        raise ValueError("a day and an hour")
    words = [fold(w) for w in re.split(r"[\s,;]+", raw.lower()) if w]
    if not words or (len(words) == 1 and words[0] in _OFF_WORDS):
        return None
    day: int | None = None
    at: time | None = None
    for word in words:
        word = word.strip(".")
        if word in _FILLER or not word:
            continue
        if word in _DAYS and day is None:
            day = _DAYS[word]
            continue
        match = _HOUR.match(word)
        if match and at is None:
            at = _hour(match)
            continue
        raise ValueError(f"not a day and an hour: {raw!r}")
    if day is None:
        raise ValueError(f"which day? {raw!r}")
    return Weekly(day, at or DEFAULT_TIME)


def _hour(match: re.Match) -> time:
    hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise ValueError("an hour from 1 to 12 before am or pm")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError("an hour from 00:00 to 23:59")
    return time(hour, minute)


def canonical(text: str) -> str:
    """How the setting is stored and shown: ``mon 09:00``, or ``off``."""
    weekly = parse(text)
    return weekly.text() if weekly else OFF


# --- weeks ---------------------------------------------------------------------------------

def monday_of(moment: datetime, zone: ZoneInfo) -> date:
    """The Monday of the local week ``moment`` falls in."""
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def week_key(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of_key(key: str) -> date:
    year, week = key.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def slot(monday: date, weekly: Weekly, zone: ZoneInfo) -> datetime:
    """The instant of the weekly moment in the week starting ``monday`` (UTC)."""
    from .ladder import first_instant_at  # ladder needs settings, which need this module

    return first_instant_at(monday + timedelta(days=weekly.weekday), weekly.at, zone)


def week_end(monday: date, zone: ZoneInfo) -> datetime:
    """The first instant of the next week (UTC): the week is over from then on."""
    from .ladder import first_instant_at

    return first_instant_at(monday + timedelta(days=7), time(0, 0), zone)


def first_slot(weekly: Weekly, zone: ZoneInfo, since: datetime,
               after_week: str | None = None) -> tuple[date, datetime]:
    """The first week (its Monday) whose moment is at or after ``since`` and that comes after
    ``after_week`` (the last week already done), and that moment."""
    monday = monday_of(since, zone)
    if after_week is not None:
        monday = max(monday, monday_of_key(after_week) + timedelta(days=7))
    while True:
        moment = slot(monday, weekly, zone)
        if moment >= since:
            return monday, moment
        monday += timedelta(days=7)
