"""Durations, dates and their display (SPEC section 7).

Durations are written ``90s``, ``45m``, ``36h``, ``5d``, ``2w`` or in ISO 8601 (``P5D``,
``PT36H``). Every instant is a timezone-aware UTC ``datetime``; it is shown in the group's
time zone and language only at the very edge, when a reply is rendered.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.timestamps import from_iso, iso, utc  # noqa: F401 (the stored form, re-exported)

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


def parse_duration(text: str) -> timedelta:
    """Parse ``5d``, ``1d12h`` or ``P5D``; raise ``ValueError`` on anything else, zero included."""
    text = text.strip().replace(" ", "")
    if len(text) > 40:  # no real duration is this long; int() of a huge number is slow
        raise ValueError("not a duration: too long")
    if _SHORT.match(text):
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


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """``21:00-08:00`` -> (21:00, 08:00); ``""`` or ``off`` -> None."""
    text = text.strip()
    if text.lower() in ("", "off", "none"):
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


_DATE_FORMATS = {
    "fr": "%d/%m/%Y à %H:%M",
    "nl": "%d-%m-%Y om %H:%M",
    "en": "%Y-%m-%d at %H:%M",
}


def show_moment(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    local = moment.astimezone(zone)
    return f"{local.strftime(_DATE_FORMATS[lang])} ({local.tzname()})"


_UNITS = {
    "fr": {"w": ("semaine", "semaines"), "d": ("jour", "jours"), "h": ("heure", "heures"),
           "m": ("minute", "minutes"), "s": ("seconde", "secondes")},
    "nl": {"w": ("week", "weken"), "d": ("dag", "dagen"), "h": ("uur", "uur"),
           "m": ("minuut", "minuten"), "s": ("seconde", "seconden")},
    "en": {"w": ("week", "weeks"), "d": ("day", "days"), "h": ("hour", "hours"),
           "m": ("minute", "minutes"), "s": ("second", "seconds")},
}


def show_duration(delta: timedelta, lang: str) -> str:
    """``36h`` -> ``1 jour 12 heures``: at most the two largest non-zero units."""
    seconds = max(0, int(delta.total_seconds()))
    parts: list[str] = []
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        count, seconds = divmod(seconds, size)
        if count:
            singular, plural = _UNITS[lang][unit]
            parts.append(f"{count} {singular if count == 1 else plural}")
        if len(parts) == 2:
            break
    return " ".join(parts) or f"0 {_UNITS[lang]['s'][1]}"
