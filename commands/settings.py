"""A group's tunable settings: one registry used by the config file and by ``!config set``.

The config file gives each group its defaults; a change by command is stored in the
database and wins over the file from then on (SPEC section 2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .timefmt import duration_text, parse_duration, parse_quiet_hours, parse_zone

LANGUAGES = ("fr", "nl", "en")


@dataclass(frozen=True)
class Setting:
    parse: Callable[[str], Any]      # text (file or chat) -> value; ValueError if bad
    show: Callable[[Any], str]       # value -> text, the inverse of parse
    hint: str                        # what a good value looks like, shown on refusal


def _count(text: str) -> int:
    value = int(str(text).strip())
    if value < 0:
        raise ValueError("must be >= 0")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise ValueError("must be >= 1")
    return value


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = str(text).strip().lower()
        if value not in choices:
            raise ValueError(f"one of {', '.join(choices)}")
        return value
    return parse


def _quiet(text: str) -> str:
    parse_quiet_hours(text)
    return str(text).strip()


def _zone(text: str) -> str:
    parse_zone(str(text).strip())
    return str(text).strip()


_DURATION = Setting(parse_duration, duration_text, "a duration such as 36h, 5d, 2w")

SETTINGS: dict[str, Setting] = {
    "silence_window": _DURATION,
    "last_call": _DURATION,
    "reopen_grace": _DURATION,
    "min_supporters": Setting(_count, str, "a whole number, 0 or more"),
    "stall_after": _DURATION,
    "nudge_every": _DURATION,
    "escalate_after": Setting(_positive, str, "a whole number, 1 or more"),
    "feedback_window": _DURATION,
    "quiet_hours": Setting(_quiet, str, "HH:MM-HH:MM, or off"),
    "max_snooze": _DURATION,
    "downtime_grace": _DURATION,
    "who_may_mandate": Setting(_choice("core", "members"), str, "core or members"),
    "timezone": Setting(_zone, str, "a time zone such as Europe/Brussels"),
    "language": Setting(_choice(*LANGUAGES), str, "fr, nl or en"),
}

DEFAULTS: dict[str, str] = {
    "silence_window": "5d",
    "last_call": "24h",
    "reopen_grace": "24h",
    "min_supporters": "0",
    "stall_after": "7d",
    "nudge_every": "3d",
    "escalate_after": "2",
    "feedback_window": "5d",
    "quiet_hours": "21:00-08:00",
    "max_snooze": "14d",
    "downtime_grace": "1h",
    "who_may_mandate": "core",
    "timezone": "Europe/Brussels",
    "language": "fr",
}


@dataclass(frozen=True)
class GroupSettings:
    """The effective settings of one group, typed."""

    silence_window: timedelta
    last_call: timedelta
    reopen_grace: timedelta
    min_supporters: int
    stall_after: timedelta
    nudge_every: timedelta
    escalate_after: int
    feedback_window: timedelta
    quiet_hours: str
    max_snooze: timedelta
    downtime_grace: timedelta
    who_may_mandate: str
    timezone: str
    language: str

    @classmethod
    def from_texts(cls, texts: dict[str, str]) -> "GroupSettings":
        merged = {**DEFAULTS, **texts}
        return cls(**{key: SETTINGS[key].parse(merged[key]) for key in SETTINGS})

    def text(self, key: str) -> str:
        return SETTINGS[key].show(getattr(self, key))
