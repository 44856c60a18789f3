"""Durations, dates and their display (SPEC section 7).

Durations are written ``90s``, ``45m``, ``36h``, ``5d``, ``2w`` or in ISO 8601 (``P5D``,
``PT36H``). Every instant is a timezone-aware UTC ``datetime``; it is shown in the group's
time zone and language only at the very edge, when a reply is rendered: ``show_day``,
``show_moment``, ``show_duration`` and ``relative`` write it with CLDR's words for fr_BE,
nl_BE and en_GB (``calendar_words``, copied from babel; the formats are listed above them
below).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.timestamps import from_iso, iso, utc  # noqa: F401 (the stored form, re-exported)

from .calendar_words import TABLE

_SHORT = re.compile(r"^(?:\d+[smhdwju])+$", re.IGNORECASE)
_SHORT_PART = re.compile(r"(\d+)([smhdwju])", re.IGNORECASE)
_ISO = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$",
    re.IGNORECASE,
)
# j (jour) and u (uur) are what French and Dutch speakers type for d and h.
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "j": 86400, "u": 3600}
# No duration the bot reads has a meaning beyond this; each use has its own, lower bound
# (a silence window, an absence…). Past it, datetime arithmetic would overflow.
MAX_DURATION = timedelta(days=100 * 366)
# The latest calendar day a user may name (a due date, an absence): far enough for any plan,
# near enough that "the day after" still exists.
MAX_YEARS_AHEAD = 10


# A duration in words, as ``show_duration`` writes it in each language ("1 jour et 12 heures",
# "2 weken", "36 hours") and as people type it: a number and a unit, and more of them joined
# by commas, "et", "en" or "and".
_UNIT_WORDS = {
    "s": "s sec secs second seconds seconde secondes seconden",
    "m": "m min mins minute minutes minuut minuten",
    "h": "h u hr hrs hour hours heure heures uur uren",
    "d": "d j day days jour jours dag dagen",
    "w": "w wk wks week weeks semaine semaines sem weken",
}
_UNIT_OF = {word: unit for unit, words in _UNIT_WORDS.items() for word in words.split()}
_JOINER = re.compile(r",|\b(?:et|en|and)\b")
_WORDS_DURATION = re.compile(r"(?:\s*[0-9]{1,12}\s*[a-z]+\s*)+")
_WORDS_PART = re.compile(r"([0-9]+)\s*([a-z]+)")


def _seconds_in_words(text: str) -> int | None:
    """``1 jour et 12 heures`` -> 129600; None if it is not a duration in words."""
    if len(text) > 80:
        return None
    words = _JOINER.sub(" ", text.lower())
    if not _WORDS_DURATION.fullmatch(words):
        return None
    seconds = 0
    for count, word in _WORDS_PART.findall(words):
        unit = _UNIT_OF.get(word)
        if unit is None:
            return None
        seconds += int(count) * _UNIT_SECONDS[unit]
    return seconds


def parse_duration(text: str) -> timedelta:
    """Parse ``5d``, ``1d12h``, ``P5D`` or words (``5 jours``, ``1 dag en 12 uur``, ``2
    weeks``); raise ``ValueError`` on anything else, zero included."""
    in_words = _seconds_in_words(text.strip())
    text = text.strip().replace(" ", "")
    if len(text) > 40:  # no real duration is this long; int() of a huge number is slow
        raise ValueError("not a duration: too long")
    if in_words is not None:
        seconds = in_words
    elif _SHORT.match(text):
        seconds = sum(int(n) * _UNIT_SECONDS[unit.lower()] for n, unit in _SHORT_PART.findall(text))
    else:
        iso = _ISO.match(text)
        if not iso or not any(iso.groupdict().values()):
            raise ValueError(f"not a duration: {text!r}")
        parts = {k: int(v or 0) for k, v in iso.groupdict().items()}
        seconds = (
            parts["w"] * 7 * 86400 + parts["d"] * 86400 + parts["h"] * 3600
            + parts["m"] * 60 + parts["s"]
        )
    if seconds <= 0:
        raise ValueError(f"a duration must be positive: {text!r}")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"a duration this long means nothing here: {text!r}")
    return timedelta(seconds=seconds)


def duration_text(delta: timedelta) -> str:
    """The compact form users type (``36h``, ``5d``), the inverse of ``parse_duration``."""
    seconds = int(delta.total_seconds())
    for unit in ("w", "d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


# "No quiet hours", as people say it in each language.
QUIET_OFF = frozenset({"", "off", "none", "no", "non", "aucune", "aucun", "uit", "geen", "nee"})


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """``21:00-08:00`` -> (21:00, 08:00); ``""``, ``off`` (``aucune``, ``uit``…) -> None."""
    text = text.strip()
    if text.lower() in QUIET_OFF:
        return None
    match = re.match(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$", text)
    if not match:
        raise ValueError(f"not a time range HH:MM-HH:MM: {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return time(h1, m1), time(h2, m2)


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # "Europe" is a directory
        raise ValueError(f"unknown time zone: {name!r}") from exc


def parse_day(text: str) -> date:
    """A calendar day as users write it: ``2026-12-20``, ``20/12/2026`` or ``20-12-2026``."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The last instant of a local calendar day, in UTC (a due date means 'by the end of')."""
    local = datetime.combine(day, time(23, 59, 59), tzinfo=zone)
    return local.astimezone(timezone.utc)


# --- display ------------------------------------------------------------------------------
#
# One format in every message, per language:
#   a day     "mardi 10 décembre 2026"   "dinsdag 10 december 2026"   "Tuesday 10 December 2026"
#   a moment  "mardi 10 décembre 2026 à 14:00" / "… om 14:00" / "… at 14:00", and the day
#             alone at the end of that day (23:59:59, what a due date means)
#   a span    "1 jour et 12 heures"      "1 dag en 12 uur"            "1 day and 12 hours"
#   a hint    "dans 2 jours", "il y a 3 heures" / "over 2 dagen", "3 uur geleden" /
#             "in 2 days", "3 hours ago"
# The weekday is always written out (people plan by weekday), the year always (a date in
# January said in December is not ambiguous), the time on the 24-hour clock, French 1st as
# "1er". CLDR writes a no-break space between a number and its unit in French; it is
# written as a plain space, so every language's text is plain to copy, search and test.
# Each of these is read back by ``commands.dates``. The words are babel's (CLDR), copied:
# ``tests/test_calendar_words.py`` proves each format writes what babel's would.

_AT = {"fr": "à", "nl": "om", "en": "at"}
_NOW = {"fr": "maintenant", "nl": "nu", "en": "now"}


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _words(lang: str) -> dict:
    return TABLE[lang]


def show_day(day: date, lang: str) -> str:
    """A calendar day: ``mardi 10 décembre 2026`` / ``dinsdag 10 december 2026`` /
    ``Tuesday 10 December 2026`` (``1er`` in French)."""
    words = _words(lang)
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{words['weekdays'][day.weekday()]} {number} {words['months'][day.month - 1]} " \
           f"{day.year}"


def show_day_month(day: date, lang: str) -> str:
    """A day as people write a date in words, without weekday or year (the next such day is
    meant): ``10 décembre``, ``1er décembre`` / ``10 december`` / ``10 December``. For
    examples of what to type; ``commands.dates`` reads it back."""
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{number} {_words(lang)['months'][day.month - 1]}"


def show_short_day(day: date, lang: str) -> str:
    """A day in few characters, for a picture's labels: ``7 nov. 2026`` / ``7 nov 2026`` /
    ``7 Nov 2026``."""
    return f"{day.day} {_words(lang)['months_short'][day.month - 1]} {day.year}"


def show_numeric_day(day: date) -> str:
    """``10/12/2026``: day first, as in Belgium, read back by ``commands.dates``."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def show_moment(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """An instant in the group's zone: ``mardi 10 décembre 2026 à 14:00`` /
    ``dinsdag 10 december 2026 om 14:00`` / ``Tuesday 10 December 2026 at 14:00``.

    The last second of a local day (``end_of_day``: what a due date or an absence typed as a
    day means) is shown as the day alone: "due Monday 30 November 2026", not "… at 23:59"."""
    local = moment.astimezone(zone)
    if local.time().replace(microsecond=0) == time(23, 59, 59):
        return show_day(local.date(), lang)
    return f"{show_day(local.date(), lang)} {_AT[lang]} {local:%H:%M}"


_UNIT_NAMES = {"w": "week", "d": "day", "h": "hour", "m": "minute", "s": "second"}


def plural_form(count: int, lang: str) -> str:
    """CLDR's plural category of a whole number (``one`` or ``other`` in these languages):
    French counts 0 and 1 as one, Dutch and English 1 only."""
    return "one" if count == 1 or (count == 0 and lang == "fr") else "other"


def _count_of(count: int, unit: str, lang: str) -> str:
    words = _words(lang)
    number = f"{count:,}".replace(",", words["group"])
    return _plain(words["counts"][_UNIT_NAMES[unit]][plural_form(count, lang)].format(number))


def show_duration(delta: timedelta, lang: str) -> str:
    """``36h`` -> ``1 jour et 12 heures`` / ``1 dag en 12 uur`` / ``1 day and 12 hours``: at
    most the two largest non-zero units, the rest dropped (a span is shown, not computed
    with)."""
    seconds = max(0, int(delta.total_seconds()))
    parts: list[str] = []
    for unit in ("w", "d", "h", "m", "s"):
        count, seconds = divmod(seconds, _UNIT_SECONDS[unit])
        if count:
            parts.append(_count_of(count, unit, lang))
        if len(parts) == 2:
            break
    if not parts:
        return _count_of(0, "s", lang)
    return parts[0] if len(parts) == 1 else _words(lang)["and"].format(*parts)


# Which unit a hint counts in, by how far the moment is: the largest that reads naturally,
# counted down (floor), so a hint never promises more time than there is.
_HINT_UNITS = (
    (timedelta(weeks=8), "week", 7 * 86400),
    (timedelta(days=1), "day", 86400),
    (timedelta(hours=1), "hour", 3600),
    (timedelta(minutes=1), "minute", 60),
)


def relative(moment: datetime, now: datetime, lang: str) -> str:
    """How far ``moment`` is from ``now``: ``dans 2 jours`` / ``over 2 dagen`` / ``in 2 days``,
    ``il y a 3 heures`` / ``3 uur geleden`` / ``3 hours ago``; ``maintenant``/``nu``/``now``
    within a minute. Counted in weeks from eight weeks, else days from one day, else hours,
    else minutes, always rounded down: a due date at the end of Thursday seen on Tuesday
    morning is ``in 2 days``."""
    delta = moment - now
    size = abs(delta)
    for threshold, unit, seconds in _HINT_UNITS:
        if size >= threshold:
            count = int(size.total_seconds() // seconds)
            direction = "future" if delta > timedelta(0) else "past"
            return _plain(_words(lang)["relative"][unit][direction][plural_form(count, lang)]
                          .format(count))
    return _NOW[lang]
