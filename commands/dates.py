"""Due dates in words, in French, Dutch and English (issue 9).

``read_date`` reads a day at the start of a text, relative to now and the group's time zone,
and says how many words it took, so ``10 décembre Préparer la réunion`` is a date and a
description. It reads:

* day and month, year optional: ``10 décembre``, ``le 10 déc.``, ``10 december 2026``,
  ``December 10``, ``Dec 10th, 2026``, ``the 10th of December``, ``1er mai``, ``le 10``;
* numbers: ``10/12/2026``, ``10-12-2026``, ``10.12.2026``, ``10/12``, ``10/12/26``,
  ``2026-12-10`` (always day first, as in Belgium and Britain; ``12/25`` is no date);
* relative days: ``demain``/``morgen``/``tomorrow``, ``aujourd'hui``/``vandaag``/``today``
  (and ``ce soir``/``vanavond``/``tonight``), ``après-demain``/``overmorgen``/``the day
  after tomorrow``;
* spans from today: ``dans 2 semaines``, ``over 3 dagen``, ``in 3 days``, ``in a week``,
  ``dans deux mois``, ``binnen twee weken``, ``d'ici 10 jours`` (numbers in digits or in
  words, one to twelve, and ``quinze``/``veertien``);
* weekdays: ``vendredi``, ``vrijdag``, ``friday``, ``ce vendredi``, ``aanstaande vrijdag``,
  ``next friday``, ``vendredi prochain``, ``volgende vrijdag``, and a weekday with its date
  (``mardi 10 décembre 2026``, ``vendredi 10``), which must agree;
* the end of a month: ``fin du mois``, ``end of the month``, ``eind van de maand``,
  ``fin décembre``, ``end of December 2026``;
* optionally a time after the day: ``à 14h``, ``à 14h30``, ``om 14 uur``, ``om 14.30``,
  ``at 2pm``, ``14:00``.

Month and weekday names are read in all three languages whatever the speaker's (people in
Brussels mix them; no full name means two things across the three), accents optional, case
ignored. Leading ``le``, ``the``, ``on``, ``op``, ``by``, ``tegen``, ``pour``, ``d'ici``,
``uiterlijk``, ``until``, ``jusqu'au``, ``tot`` are taken with the date.

It never guesses:

* a day and month without a year is the next such day, today included, never a past one;
* a weekday alone is the next such day after today; on that very weekday ``vendredi`` may
  mean today or in a week, so the reading carries the other day in ``alternative``;
* ``next friday``, ``vendredi prochain``, ``volgende vrijdag`` said early in a week may mean
  this week's or next week's Friday: the coming one, with next week's in ``alternative``;
  ``this friday``, ``ce vendredi``, ``aanstaande vrijdag``, ``komende vrijdag`` mean the
  coming one and carry none;
* ``dans huit jours`` and ``dans quinze jours`` are one and two weeks to many French
  speakers: the literal day, with the idiom's in ``alternative``;
* a date that cannot be (``31/02``, ``le 45 mars``, ``mardi 10 décembre 2026`` when that is
  a Thursday, ``à 25h``) is no reading at all, never a nearby day: ``read_date`` returns
  ``None`` and ``looks_like_date`` says it looked like one, so the caller asks instead of
  storing the words as a description;
* only days from 1900 to 2999 are read (whether one is too far or past is the caller's rule).

A caller should echo the day it understood in full (``timefmt.show_day``) and ask when the
reading has an ``alternative``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import islice
from zoneinfo import ZoneInfo

from .parsing import fold
from .timefmt import end_of_day

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)

from .date_words import (
    DATED_WEEKDAYS,
    MONTHS,
    WEEKDAYS,
    AFTER_TOMORROW,
    ALL_UNITS,
    AMPM,
    ARTICLES,
    CLOCK,
    CLOCK_UNITS,
    CLOSING,
    COMING,
    DATEISH,
    DAY,
    DAY_UNITS,
    DMY,
    DOT_CLOCK,
    END,
    END_LINKS,
    HOUR_WORDS,
    LEAD,
    MERIDIEM,
    MONTH_UNITS,
    NEXT,
    NUMBER,
    NUMBERISH,
    NUMBER_WORDS,
    OPENING,
    SPAN_PREFIXES,
    TIME_LINKS,
    TODAY,
    TOMORROW,
    WEEK_UNITS,
    YEAR,
    YMD,
)

MAX_WORD = 40      # no date word is longer; a longer one is skipped, not folded
LOOKAHEAD = 12     # no reading takes more words


@dataclass(frozen=True)
class DateReading:
    """What ``read_date`` understood at the start of a text."""

    day: date                 # the local calendar day
    at: time | None           # the local time of day, when one was written after the day
    due: datetime             # UTC: the end of that day (23:59:59 local), or the time given
    words: int                # how many whitespace-separated words were taken
    said: str                 # those words as written
    rest: str                 # what follows them (inner line breaks kept)
    alternative: date | None  # another day the same words may fairly mean: ask which


class _Nonsense(Exception):
    """Words that are a date by their form and cannot be one (``31/02``): read no date."""


@dataclass(frozen=True)
class _Word:
    raw: str
    key: str
    end: int


@dataclass(frozen=True)
class _Found:
    day: date
    next: int                      # index of the first word not taken
    alternative: date | None = None


def _key(raw: str) -> str:
    if len(raw) > MAX_WORD:
        return ""
    folded = fold(raw).replace("’", "'").replace("‘", "'")
    folded = folded.lstrip(OPENING).rstrip(CLOSING)
    # A trailing dot ends an abbreviation (``déc.``) or a sentence; ``a.m.`` keeps its inner
    # one. Dots inside a word (``10.12.2026``) stay.
    return folded[:-1] if folded.endswith(".") else folded


def _words(text: str) -> list[_Word]:
    return [_Word(m.group(), _key(m.group()), m.end())
            for m in islice(re.finditer(r"\S+", text), LOOKAHEAD)]


# --- the calendar ---------------------------------------------------------------------------

def _checked(year: int, month: int, day: int) -> date:
    try:
        result = date(year, month, day)
    except ValueError:
        raise _Nonsense from None
    if not FIRST_DAY <= result <= LAST_DAY:
        raise _Nonsense
    return result


def _next_day_month(today: date, day: int, month: int) -> date:
    """The first ``day month`` from today on (29 February: the next leap year's)."""
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise _Nonsense
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return _checked(candidate.year, candidate.month, candidate.day)
    raise _Nonsense


def _next_day_of_month(today: date, day: int) -> date:
    """The first day numbered ``day`` from today on: ``le 10`` on the 12th is next month's."""
    if not 1 <= day <= 31:
        raise _Nonsense
    year, month = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return _checked(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise _Nonsense


def _add_months(today: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (31 January + 1 month is the
    28th or 29th of February)."""
    index = today.year * 12 + today.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if year > LAST_DAY.year:
        raise _Nonsense
    return _checked(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _plus_days(today: date, days: int) -> date:
    try:
        result = today + timedelta(days=days)
    except OverflowError:
        raise _Nonsense from None
    if result > LAST_DAY:
        raise _Nonsense
    return result


def _end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


# --- the grammar: each rule reads at words[i] or returns None -------------------------------

def _year_at(words: list[_Word], i: int) -> int | None:
    """A four-digit year at ``i``: after a day and month a four-digit number is read as its
    year (``10 décembre 2000`` is a past date for the caller to refuse, not a count)."""
    if i < len(words) and YEAR.fullmatch(words[i].key):
        return int(words[i].key)
    return None


def _day_number(key: str) -> tuple[int, bool] | None:
    """``10`` -> (10, False), ``10th``/``1er``/``3de`` -> (n, True)."""
    match = DAY.fullmatch(key)
    if not match:
        return None
    return int(match.group(1)), match.group(2) is not None


def _with_year(today: date, day: int, month: int, year: int | None) -> date:
    if year is None:
        return _next_day_month(today, day, month)
    return _checked(year, month, day)


def _day_month(words: list[_Word], i: int, today: date) -> _Found | None:
    """``10 décembre [2026]``, ``10th of December``, ``1er mai``."""
    if i + 1 >= len(words):
        return None
    number = _day_number(words[i].key)
    if number is None:
        return None
    j = i + 1
    if words[j].key == "of" and j + 1 < len(words):
        j += 1
    month = MONTHS.get(words[j].key)
    if month is None:
        return None
    year = _year_at(words, j + 1)
    if year is None and j + 1 < len(words) and re.fullmatch(r"\d{2}", words[j + 1].key):
        after = words[j + 2].key if j + 2 < len(words) else ""
        if after not in HOUR_WORDS | MERIDIEM:
            raise _Nonsense  # "10 mai 26": a year cut short, or a count? The user says.
    end = j + 2 if year is not None else j + 1
    return _Found(_with_year(today, number[0], month, year), end)


def _month_day(words: list[_Word], i: int, today: date) -> _Found | None:
    """``December 10``, ``Dec 10th, 2026``."""
    if i + 1 >= len(words) or words[i].key not in MONTHS:
        return None
    number = _day_number(words[i + 1].key)
    if number is None:
        return None
    year = _year_at(words, i + 2)
    end = i + 3 if year is not None else i + 2
    return _Found(_with_year(today, number[0], MONTHS[words[i].key], year), end)


def _numeric(words: list[_Word], i: int, today: date) -> _Found | None:
    """``10/12/2026``, ``10-12-2026``, ``10.12.2026``, ``10/12``, ``10/12/26``, ``2026-12-10``."""
    if i >= len(words):
        return None
    key = words[i].key
    iso = YMD.fullmatch(key)
    if iso:
        return _Found(_checked(int(iso.group(1)), int(iso.group(3)), int(iso.group(4))), i + 1)
    dmy = DMY.fullmatch(key)
    if not dmy:
        return None
    day, month, year = int(dmy.group(1)), int(dmy.group(3)), dmy.group(4)
    if year is None:
        return _Found(_next_day_month(today, day, month), i + 1)
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    return _Found(_checked(full_year, month, day), i + 1)


def _day_only(words: list[_Word], i: int, today: date) -> _Found | None:
    """``le 10``, ``the 10th``, ``10th``: the next day with that number. A plain number is
    read only after an article: ``10`` alone could be anything."""
    if i >= len(words):
        return None
    number = _day_number(words[i].key)
    if number is None:
        return None
    after_article = i > 0 and words[i - 1].key in ARTICLES
    if not (number[1] or after_article):
        return None
    return _Found(_next_day_of_month(today, number[0]), i + 1)


def _dated(words: list[_Word], i: int, today: date) -> _Found | None:
    """A day written out, as after a weekday."""
    for rule in (_numeric, _day_month, _month_day):
        found = rule(words, i, today)
        if found is not None:
            return found
    return None


def _named_day(words: list[_Word], i: int, today: date) -> _Found | None:
    key = words[i].key
    if key in TODAY:
        return _Found(today, i + 1)
    if key in TOMORROW:
        return _Found(_plus_days(today, 1), i + 1)
    if key in AFTER_TOMORROW:
        return _Found(_plus_days(today, 2), i + 1)
    keys = [w.key for w in words[i:i + 3]]
    if keys[:2] == ["ce", "soir"]:
        return _Found(today, i + 2)
    if keys[:2] == ["apres", "demain"]:
        return _Found(_plus_days(today, 2), i + 2)
    if keys == ["day", "after", "tomorrow"]:
        return _Found(_plus_days(today, 2), i + 3)
    return None


def _count(key: str) -> int | None:
    if NUMBER.fullmatch(key):
        return int(key)
    return NUMBER_WORDS.get(key)


def _span(words: list[_Word], i: int, today: date) -> _Found | None:
    """``dans 2 semaines``, ``over drie dagen``, ``in a week``, ``d'ici 10 jours``."""
    if words[i].key not in SPAN_PREFIXES or i + 2 >= len(words):
        return None
    count = _count(words[i + 1].key)
    unit = words[i + 2].key
    if count is None or unit not in ALL_UNITS:
        return None
    if unit in CLOCK_UNITS or count == 0:
        raise _Nonsense  # a due date is a day: "in 3 hours" is for the caller to ask about
    alternative = None
    if unit in DAY_UNITS:
        day = _plus_days(today, count)
        # French "dans huit jours" / "dans quinze jours" mean a week / two weeks to many.
        if unit in ("jour", "jours", "j") and count in (8, 15):
            alternative = _plus_days(today, count - 1)
    elif unit in WEEK_UNITS:
        day = _plus_days(today, 7 * count)
    elif unit in MONTH_UNITS:
        day = _add_months(today, count)
    else:
        day = _add_months(today, 12 * count)
    return _Found(day, i + 3, alternative)


def _month_end(words: list[_Word], i: int, today: date) -> _Found | None:
    """``fin du mois``, ``end of the month``, ``eind van de maand``, ``fin décembre [2026]``."""
    if words[i].key not in END:
        return None
    j = i + 1
    while j < len(words) and j < i + 3 and words[j].key in END_LINKS:
        j += 1
    if j >= len(words):
        return None
    key = words[j].key
    if key in MONTH_UNITS:
        return _Found(_end_of_month(today), j + 1)
    if key not in MONTHS:
        return None
    year = _year_at(words, j + 1)
    if year is not None:
        return _Found(_end_of_month(_checked(year, MONTHS[key], 1)), j + 2)
    last = _end_of_month(date(today.year, MONTHS[key], 1))
    if last < today:
        last = _end_of_month(_checked(today.year + 1, MONTHS[key], 1))
    return _Found(last, j + 1)


def _weekday(words: list[_Word], i: int, today: date) -> _Found | None:
    """``vendredi``, ``next friday``, ``vendredi prochain``, ``mardi 10 décembre 2026``."""
    j, mode = i, None
    if words[j].key in NEXT:
        j, mode = j + 1, "next"
    elif words[j].key in COMING:
        j, mode = j + 1, "coming"
    if j >= len(words) or words[j].key not in DATED_WEEKDAYS:
        return None
    name = words[j].key
    weekday = DATED_WEEKDAYS[name]
    j += 1
    if mode is None and j < len(words) and words[j].key in ("prochain", "prochaine"):
        j, mode = j + 1, "next"
    # With its date, the weekday is a check: "mardi 10 décembre" in a year where the 10th is
    # a Thursday is a slip somewhere, and which part is wrong is the user's to say.
    found = _weekday_date(words, j, today, bare_day=name in WEEKDAYS)
    if found is not None:
        if found.day.weekday() != weekday:
            raise _Nonsense
        return found
    if name not in WEEKDAYS:
        return None  # "mar", "do" alone are no weekdays, only before their date
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0:
        # Said on that very weekday: a week from now or, unless "next", today.
        return _Found(_plus_days(today, 7), j, None if mode == "next" else today)
    day = _plus_days(today, ahead)
    if mode == "next" and weekday > today.weekday():
        # Still in this week: "next friday" may be this one or the one after.
        return _Found(day, j, _plus_days(day, 7))
    return _Found(day, j)


def _weekday_date(words: list[_Word], j: int, today: date, bare_day: bool) -> _Found | None:
    """The date after a weekday: ``10 décembre``, ``le 10 décembre``, ``10/12``, and with
    ``bare_day`` a day number alone (``vendredi 10``; not after ``mar``, which before a
    number is March: ``Mar 10``)."""
    if j < len(words) and words[j].key in ARTICLES:
        j += 1
    found = _dated(words, j, today)
    if found is None and bare_day and j < len(words):
        number = _day_number(words[j].key)
        if number is not None:  # "vendredi 10": Friday the 10th
            found = _Found(_next_day_of_month(today, number[0]), j + 1)
    return found


_RULES = (_named_day, _span, _month_end, _weekday, _numeric, _day_month, _month_day, _day_only)


# --- the time of day ------------------------------------------------------------------------

def _clock(hour: int, minute: int, meridiem: str | None = None) -> time:
    if meridiem is not None:
        if not 1 <= hour <= 12:
            raise _Nonsense
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise _Nonsense
    return time(hour, minute)


def _time_at(words: list[_Word], i: int) -> tuple[time, int] | None:
    """An optional time after the day: ``à 14h``, ``om 14.30 uur``, ``at 2 pm``, ``14:00``.
    Returns the time and the index of the first word after it."""
    if i >= len(words):
        return None
    linked = words[i].key in TIME_LINKS
    j = i + 1 if linked else i
    if j >= len(words):
        return None
    key = words[j].key
    following = words[j + 1].key if j + 1 < len(words) else ""
    if match := CLOCK.fullmatch(key):
        minute = match.group(2) or match.group(3) or match.group(4) or "0"
        at, after = _clock(int(match.group(1)), int(minute)), j + 1
    elif match := AMPM.fullmatch(key):
        return _clock(int(match.group(1)), int(match.group(2) or 0), match.group(3)), j + 1
    elif (match := DOT_CLOCK.fullmatch(key)) and linked:
        at, after = _clock(int(match.group(1)), int(match.group(2))), j + 1
    elif key.isdigit() and len(key) <= 2:
        if following in MERIDIEM:
            return _clock(int(key), 0, following), j + 2
        if following in HOUR_WORDS:
            return _clock(int(key), 0), j + 2
        if linked:
            raise _Nonsense  # "à 2": in the night or the afternoon?
        return None
    elif linked and key[:1].isdigit():
        raise _Nonsense      # "à 25h", "om 14:7": a time, but no time there is
    else:
        return None
    if following == "uur":   # "om 14.30 uur"
        after += 1
    return at, after


# --- the public functions -------------------------------------------------------------------

def _leads(words: list[_Word]) -> Iterator[int]:
    """Where a date may start: at the first word, or after one or two lead words."""
    yield 0
    for skip in (1, 2):
        if len(words) > skip and words[skip - 1].key in LEAD:
            yield skip
        else:
            return


def read_date(text: str, now: datetime, zone: ZoneInfo) -> DateReading | None:
    """The date written at the start of ``text``, seen from ``now`` in ``zone``, or ``None``
    when the text does not start with a date this module understands (see the module's
    docstring). Never raises on any text."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    today = now.astimezone(zone).date()
    words = _words(text)
    try:
        for start in _leads(words):
            if start >= len(words):
                break
            for rule in _RULES:
                found = rule(words, start, today)
                if found is not None:
                    return _reading(text, words, found, zone)
    except _Nonsense:
        return None
    return None


def _reading(text: str, words: list[_Word], found: _Found, zone: ZoneInfo) -> DateReading:
    taken = found.next
    at = None
    clock = _time_at(words, taken)
    if clock is not None:
        at, taken = clock
    if at is None:
        due = end_of_day(found.day, zone)
    else:
        due = datetime.combine(found.day, at, tzinfo=zone).astimezone(timezone.utc)
    end = words[taken - 1].end
    return DateReading(day=found.day, at=at, due=due, words=taken,
                       said=" ".join(w.raw for w in words[:taken]),
                       rest=text[end:].lstrip(" \t"), alternative=found.alternative)


def _unelided(key: str) -> str:
    """``d'annee`` -> ``annee``, ``l'annee`` -> ``annee``."""
    return key[2:] if key[:2] in ("d'", "l'") else key


def looks_like_date(text: str) -> bool:
    """Whether the start of ``text`` has the look of a date: a month or weekday name, a
    number, ``12/25``, ``dans … semaines``, ``demain``, ``fin …``. True for what
    ``read_date`` understands too: call it when ``read_date`` gave nothing, to ask the user
    instead of taking their date for the first words of a description. Meant for the words
    after a due keyword, where a leading number is a date more often than not."""
    words = _words(text)
    for start in _leads(words):
        keys = [w.key for w in words[start:start + 4]] + ["", "", "", ""]
        first, second, third = keys[0], keys[1], keys[2]
        if (first in MONTHS or first in WEEKDAYS or first in TODAY or first in TOMORROW
                or first in AFTER_TOMORROW or first == "apres"):
            return True
        if first in DATED_WEEKDAYS and (DATEISH.fullmatch(second) or DAY.fullmatch(second)):
            return True
        if DATEISH.fullmatch(first) or NUMBERISH.fullmatch(first):
            return True
        if first in NEXT or first in COMING:
            if second in DATED_WEEKDAYS or second in ALL_UNITS:
                return True
        if first in SPAN_PREFIXES and (_count(second) is not None or second in ALL_UNITS
                                        or third in ALL_UNITS or NUMBERISH.fullmatch(second)):
            return True
        if first in NUMBER_WORDS and first not in ("a", "an") and second in ALL_UNITS:
            return True
        if first in ALL_UNITS and second in NEXT:
            return True  # "semaine prochaine", "mois prochain"
        if first in END and any(_unelided(k) in MONTHS or _unelided(k) in ALL_UNITS
                                 for k in keys[1:4]):
            return True  # "fin de semaine", "end of the year", "fin d'année": which day?
        if first == "day" and second == "after":
            return True
    return False


_DATE_VOCABULARY = (set(MONTHS) | set(DATED_WEEKDAYS) | LEAD | NEXT | COMING | TODAY
                    | TOMORROW | AFTER_TOMORROW | {"apres"} | SPAN_PREFIXES | ALL_UNITS
                    | END | END_LINKS | TIME_LINKS | HOUR_WORDS | MERIDIEM
                    | set(NUMBER_WORDS) | {"after", "day", "prochain", "prochaine"})


def date_words(text: str) -> str:
    """The first words of ``text`` that are made of what dates are written with (numbers,
    month and weekday names, ``dans``, ``semaines``, ``à``, ``14h``…), as written: what a
    question about a date that ``read_date`` could not read repeats (``31/02`` of ``31/02
    agenda``, ``le 45 mars`` of ``le 45 mars Préparer la salle``). The first word if none is."""
    words = _words(text)
    taken = 0
    for word in words:
        if not (word.key in _DATE_VOCABULARY or any(ch.isdigit() for ch in word.key)):
            break
        taken += 1
    return " ".join(w.raw for w in words[:max(taken, 1)])
