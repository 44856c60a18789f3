"""A group's tunable settings: one registry used by the config file and by ``!config set``.

The config file gives each group its defaults; a change by command is stored in the
database and wins over the file from then on (SPEC section 2). Every value has a range, the
same in the file and in the chat, and a refusal names it (SPEC section 13): a silence window
of a year is already absurd, one of 5,000,000 days would overflow every date computed from
it. Short values stay possible (tests and demos run one-minute windows).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from . import weekly
from .messages import CATALOG
from .parsing import choice_key
from .timefmt import duration_text, parse_duration, parse_quiet_hours, parse_zone

LANGUAGES = ("fr", "nl", "en")
# A language by its code or its name, as people write it in each of the three (the bot says
# "Je parle désormais français", "Ik spreek voortaan Nederlands", "I now speak English").
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "fr": ("français", "francais", "frans", "french"),
    "nl": ("nederlands", "néerlandais", "neerlandais", "dutch", "vlaams", "flamand", "flemish"),
    "en": ("english", "anglais", "engels"),
}
# who_may_mandate as the bot writes it: "core" is the core group (role.core in each
# language), "members" any member organisation.
_MANDATE_WORDS: dict[str, tuple[str, ...]] = {
    "core": tuple(CATALOG["role.core"].values()),
    "members": ("membres", "leden", "member", "membre", "lid"),
}


@dataclass(frozen=True)
class Setting:
    parse: Callable[[str], Any]      # text (file or chat) -> value; ValueError if bad
    show: Callable[[Any], str]       # value -> text, the inverse of parse
    hint: str                        # what a good value looks like (English, for the file)
    kind: str = "text"               # catalog key hint.<kind> says it in the group's language
    low: str = ""
    high: str = ""


def _count_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        raw = str(text).strip()
        if len(raw) > 12:
            raise ValueError(f"between {low} and {high}")
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"between {low} and {high}")
        return value
    return parse


def _count(low: int, high: int) -> Setting:
    return Setting(_count_between(low, high), str, f"a whole number from {low} to {high}",
                   "count", str(low), str(high))


def _duration_up_to(high: timedelta) -> Callable[[str], timedelta]:
    def parse(text: str) -> timedelta:
        value = parse_duration(str(text))
        if value > high:
            raise ValueError(f"at most {duration_text(high)}")
        return value
    return parse


def _duration(high: timedelta) -> Setting:
    return Setting(_duration_up_to(high), duration_text,
                   f"a duration from 1s to {duration_text(high)}, such as 36h, 5d, 2w",
                   "duration", "1s", duration_text(high))


def _choice(*choices: str, words: dict[str, tuple[str, ...]] | None = None
            ) -> Callable[[str], str]:
    """One of ``choices``, or a word for one of them (``words``: value -> words), compared
    as ``parsing.choice_key`` (no case, accents or extra spaces)."""
    known = {choice_key(choice): choice for choice in choices}
    for value, names in (words or {}).items():
        known.update({choice_key(name): value for name in names})

    def parse(text: str) -> str:
        value = known.get(choice_key(str(text)))
        if value is None:
            raise ValueError(f"one of {', '.join(choices)}")
        return value
    return parse


def language_code(word: str) -> str:
    """``nl`` for ``nl``, ``Nederlands``, ``néerlandais`` or ``Dutch``; else the word itself."""
    folded = word.strip().lower()
    for code, names in LANGUAGE_NAMES.items():
        if folded == code or folded in names:
            return code
    return folded


def _languages(text: str) -> tuple[str, ...]:
    """``fr``, or a bilingual group's ``fr, nl`` (the first is the default for replies;
    announcements carry each, in this order)."""
    raw = str(text).strip().strip("[]")
    chosen = tuple(language_code(part.strip().strip("'\""))
                   for part in raw.replace(" ", ",").split(",") if part.strip())
    if not chosen or len(chosen) > len(LANGUAGES) or len(set(chosen)) != len(chosen) \
            or any(lang not in LANGUAGES for lang in chosen):
        raise ValueError(f"one or more of {', '.join(LANGUAGES)}, each once")
    return chosen


def _quiet(text: str) -> str:
    if parse_quiet_hours(str(text)) is None:
        return "off"  # however it was said ("aucune", "uit", "none"), stored one way
    return str(text).strip()


def _zone(text: str) -> str:
    parse_zone(str(text).strip())
    return str(text).strip()


YEAR = timedelta(days=365)


def _share(text: str) -> Fraction:
    """A share of the electorate's organisations: ``0.6``, ``0,6`` (a Belgian decimal comma)
    or ``60%``; from 0 (off) to 1. Kept exact: 7 of 10 is exactly 0.7, never a hair below."""
    raw = str(text).strip().replace(",", ".").replace(" ", "")
    percent = raw.endswith("%")
    raw = raw.removesuffix("%")
    if not raw or len(raw) > 12 or not all(c.isdigit() or c == "." for c in raw) \
            or raw.count(".") > 1 or raw == ".":
        raise ValueError("between 0 and 1")
    value = Fraction(raw) / (100 if percent else 1)
    if not 0 <= value <= 1:
        raise ValueError("between 0 and 1")
    return value


def share_text(value: Fraction) -> str:
    """A share written back as a decimal (``0.7``; ``0`` when off)."""
    if value.denominator == 1:
        return str(value.numerator)
    written = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return written.rstrip("0").rstrip(".") if "." in written else written


# ``reach_extension`` may follow the group's last call (its default): said with this word
# (or the last call's name in a language).
FOLLOWS_LAST_CALL = "last_call"
_LAST_CALL_WORDS = frozenset(choice_key(w) for w in (
    FOLLOWS_LAST_CALL, "last call", "lastcall", "dernier appel", "laatste oproep"))


def _extension(text: str) -> timedelta | None:
    if choice_key(str(text)) in _LAST_CALL_WORDS:
        return None
    return _duration_up_to(YEAR)(text)


def _extension_text(value: timedelta | None) -> str:
    return FOLLOWS_LAST_CALL if value is None else duration_text(value)


SETTINGS: dict[str, Setting] = {
    "silence_window": _duration(YEAR),
    "last_call": _duration(YEAR),
    "reopen_grace": _duration(YEAR),
    "min_supporters": _count(0, 1000),
    "min_reached": Setting(_share, share_text, "a share from 0 (off) to 1, such as 0.6 or 60%",
                           "share", "0", "1"),
    "reach_extension": Setting(_extension, _extension_text,
                               "a duration from 1s to 365d, or last_call (the same as it)",
                               "extension", "1s", duration_text(YEAR)),
    "stall_after": _duration(YEAR),
    "nudge_every": _duration(YEAR),
    "escalate_after": _count(1, 100),
    "feedback_window": _duration(YEAR),
    "quiet_hours": Setting(_quiet, str, "HH:MM-HH:MM, or off", "quiet"),
    "max_snooze": _duration(YEAR),
    "downtime_grace": _duration(YEAR),
    "who_may_mandate": Setting(_choice("core", "members", words=_MANDATE_WORDS), str,
                               "core or members", "choice", "core, members"),
    "timezone": Setting(_zone, str, "a time zone such as Europe/Brussels", "zone"),
    "language": Setting(_languages, ", ".join,
                        'fr, nl or en, or several in order such as ["fr", "nl"]', "languages",
                        "fr, nl, en"),
    # The weekly digest: a day and an hour in the group's zone (``lundi 9h`` is stored as
    # ``mon 09:00``), or off.
    "digest": Setting(weekly.canonical, str, 'a day and an hour such as "mon 09:00", or off',
                      "digest"),
}

# The settings a proposal is judged by, frozen with it when it opens (SPEC section 3, "the
# rules of the day"); a later change applies to new proposals only.
PROPOSAL_RULES = ("silence_window", "last_call", "reopen_grace", "min_supporters",
                  "min_reached", "reach_extension")

DEFAULTS: dict[str, str] = {
    "silence_window": "5d",
    "last_call": "24h",
    "reopen_grace": "24h",
    "min_supporters": "0",
    "min_reached": "0",
    "reach_extension": FOLLOWS_LAST_CALL,
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
    "digest": "off",
}


@dataclass(frozen=True)
class GroupSettings:
    """The effective settings of one group, typed."""

    silence_window: timedelta
    last_call: timedelta
    reopen_grace: timedelta
    min_supporters: int
    min_reached: Fraction
    reach_extension: timedelta | None   # None: as long as last_call
    stall_after: timedelta
    nudge_every: timedelta
    escalate_after: int
    feedback_window: timedelta
    quiet_hours: str
    max_snooze: timedelta
    downtime_grace: timedelta
    who_may_mandate: str
    timezone: str
    language: tuple[str, ...]    # the first is the default for replies
    digest: str                  # "mon 09:00" or "off" (commands.weekly)

    @classmethod
    def from_texts(cls, texts: dict[str, str]) -> "GroupSettings":
        merged = {**DEFAULTS, **texts}
        return cls(**{key: SETTINGS[key].parse(merged[key]) for key in SETTINGS})

    def text(self, key: str) -> str:
        return SETTINGS[key].show(getattr(self, key))


@dataclass(frozen=True)
class ProposalRules:
    """The rules one proposal is judged by: the group's, as they were when it opened."""

    silence_window: timedelta
    last_call: timedelta
    reopen_grace: timedelta
    min_supporters: int
    min_reached: Fraction = Fraction(0)       # informed silence (issue 12); 0: off
    reach_extension: timedelta | None = None  # None: as long as this proposal's last_call
    charter: tuple[str, ...] = ()

    @property
    def extension(self) -> timedelta:
        """How long the window grows, once, when too few organisations were reached."""
        return self.reach_extension if self.reach_extension is not None else self.last_call

    @classmethod
    def of(cls, settings: GroupSettings, charter: tuple[str, ...]) -> "ProposalRules":
        return cls(**{key: getattr(settings, key) for key in PROPOSAL_RULES},
                   charter=tuple(charter))

    @classmethod
    def from_texts(cls, texts: dict[str, str], charter: tuple[str, ...]) -> "ProposalRules":
        merged = {**DEFAULTS, **texts}
        return cls(**{key: SETTINGS[key].parse(merged[key]) for key in PROPOSAL_RULES},
                   charter=tuple(charter))

    def to_json(self) -> str:
        texts: dict[str, Any] = {key: SETTINGS[key].show(getattr(self, key))
                                 for key in PROPOSAL_RULES}
        texts["charter"] = list(self.charter)
        return json.dumps(texts, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> "ProposalRules":
        return _rules_from_json(raw)


@lru_cache(maxsize=4096)
def _rules_from_json(raw: str) -> ProposalRules:
    """Frozen rules as a proposal stores them, read once per distinct text: they are read at
    every command about the proposal, and never change (the result is immutable)."""
    data = json.loads(raw)
    return ProposalRules.from_texts({key: data[key] for key in PROPOSAL_RULES if key in data},
                                    tuple(data.get("charter") or ()))
