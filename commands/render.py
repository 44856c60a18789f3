"""Turning a catalog key and its parameters into a message, in plain text and in HTML.

Parameters are user text unless wrapped in ``Mention``. User text is HTML-escaped and its
``@room`` is defanged, so a candidate called ``<b>x</b> @room`` can neither format nor ping.
Only ``Mention`` parameters become pills and land in the message's intended mentions.

A parameter may also be a piece written in the reader's language at rendering time:
``Phrase`` (a catalogue entry), ``When`` (an instant), ``Span`` (a duration). Code that
queues a message does not know who will read it (a reply in the caller's language, a room
announcement in each of the group's): it passes these, never text already written in one
language. Outside a message (``str()``), a piece is written in its fallback language.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .messages import CATALOG
from .timefmt import show_duration, show_moment

# A word joiner after the @ breaks the keyword without changing how it looks.


@dataclass(frozen=True)
class Mention:
    """People the bot means to notify (the core group, a lead, the silent voters)."""

    people: tuple[str, ...]

    @classmethod
    def of(cls, *people: str) -> "Mention":
        return cls(tuple(people))


@dataclass(frozen=True)
class Phrase:
    """A catalogue entry, written in the language of whoever reads the message."""

    key: str
    params: dict[str, object] = field(default_factory=dict)
    fallback: str = "en"

    @classmethod
    def of(cls, key: str, /, fallback: str = "en", **params: object) -> "Phrase":
        return cls(key, params, fallback)

    def __str__(self) -> str:
        return render(self.fallback, self.key, **self.params).plain


@dataclass(frozen=True)
class Pieces:
    """Several parameters written one after the other (a reason and the principles it
    cites), each in the reader's language."""

    parts: tuple[object, ...]

    @classmethod
    def of(cls, *parts: object) -> "Pieces":
        return cls(tuple(parts))

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)


@dataclass(frozen=True)
class When:
    """An instant, shown in the group's time zone and the reader's language."""

    moment: datetime
    zone: ZoneInfo
    fallback: str = "en"

    def __str__(self) -> str:
        return show_moment(self.moment, self.zone, self.fallback)


@dataclass(frozen=True)
class Span:
    """A duration, in the reader's language."""

    delta: timedelta
    fallback: str = "en"

    def __str__(self) -> str:
        return show_duration(self.delta, self.fallback)


@dataclass(frozen=True)
class Message:
    plain: str
    html: str
    mentions: tuple[str, ...] = ()


_ROOM_WORD = re.compile(r"@(room)\b", re.IGNORECASE)


def _defang(text: str) -> str:
    """Matrix's legacy @room push rule matches case-insensitively: break every spelling."""
    return _ROOM_WORD.sub("@\u2060\\1", text)


def _pill(person: str) -> str:
    if person.startswith("@"):
        escaped = html.escape(person)
        return f'<a href="https://matrix.to/#/{escaped}">{escaped}</a>'
    return html.escape(person)


def text(lang: str, key: str, /, **params: object) -> str:
    """A catalog entry as plain text (for pieces composed into a larger message)."""
    return render(lang, key, **params).plain


def render(lang: str, key: str, /, **params: object) -> Message:
    return _render(lang, CATALOG[key][lang], params)


def _render(lang: str, template: str, params: dict[str, object]) -> Message:
    plain_params: dict[str, str] = {}
    html_params: dict[str, str] = {}
    mentions: list[str] = []
    for name, value in params.items():
        if isinstance(value, Pieces):
            rendered = [_piece(lang, part) for part in value.parts]
            plain_params[name] = "".join(p for p, _, _ in rendered)
            html_params[name] = "".join(h for _, h, _ in rendered)
            mentions.extend(m for _, _, ms in rendered for m in ms if m not in mentions)
        elif isinstance(value, Mention):
            plain_params[name] = ", ".join(value.people)
            html_params[name] = ", ".join(_pill(p) for p in value.people)
            mentions.extend(p for p in value.people if p.startswith("@") and p not in mentions)
        elif isinstance(value, Message):
            plain_params[name], html_params[name] = value.plain, value.html
            mentions.extend(p for p in value.mentions if p not in mentions)
        elif isinstance(value, Phrase):
            piece = render(lang, value.key, **value.params)
            plain_params[name], html_params[name] = piece.plain, piece.html
            mentions.extend(p for p in piece.mentions if p not in mentions)
        elif isinstance(value, (When, Span)):
            shown = show_moment(value.moment, value.zone, lang) if isinstance(value, When) \
                else show_duration(value.delta, lang)
            plain_params[name], html_params[name] = shown, html.escape(shown)
        else:
            safe = _defang(str(value))
            plain_params[name] = safe
            html_params[name] = html.escape(safe)
    # No line ends in spaces (an empty list after "Objections:", for instance).
    plain = "\n".join(line.rstrip() for line in template.format(**plain_params).split("\n"))
    rich = html.escape(template, quote=False).format(**html_params).replace("\n", "<br>\n")
    return Message(plain=plain, html=rich, mentions=tuple(mentions))


def _piece(lang: str, value: object) -> tuple[str, str, tuple[str, ...]]:
    """One parameter as (plain, html, mentions) in ``lang``."""
    message = render_template(lang, "{value}", value=value)
    return message.plain, message.html, message.mentions


def render_template(lang: str, template: str, /, **params: object) -> Message:
    """``render`` for a template given here rather than a catalogue key."""
    return _render(lang, template, params)


def in_languages(langs: tuple[str, ...], key: str, /, **params: object) -> Message:
    """One message in each of the group's languages, in order, a short rule between them (a
    bilingual group's announcement)."""
    if len(langs) == 1:
        return render(langs[0], key, **params)
    return join([render(lang, key, **params) for lang in langs], RULE)


RULE = "\n———\n"


def join(messages: list[Message], separator: str = "\n") -> Message:
    """Several rendered pieces as one message (a list, a help page)."""
    mentions: list[str] = []
    for message in messages:
        mentions.extend(p for p in message.mentions if p not in mentions)
    html_separator = "<br>\n" if separator == "\n" else "<hr>\n" if separator == RULE \
        else html.escape(separator)
    return Message(
        plain=separator.join(m.plain for m in messages),
        html=html_separator.join(m.html for m in messages),
        mentions=tuple(mentions),
    )
