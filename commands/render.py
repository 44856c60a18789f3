"""Turning a catalog key and its parameters into a message, in plain text and in HTML.

Parameters are user text unless wrapped in ``Mention``. User text is HTML-escaped and its
``@room`` is defanged, so a candidate called ``<b>x</b> @room`` can neither format nor ping.
Only ``Mention`` parameters become pills and land in the message's intended mentions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .messages import CATALOG

# A word joiner after the @ breaks the keyword without changing how it looks.


@dataclass(frozen=True)
class Mention:
    """People the bot means to notify (the core group, a lead, the silent voters)."""

    people: tuple[str, ...]

    @classmethod
    def of(cls, *people: str) -> "Mention":
        return cls(tuple(people))


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
    template = CATALOG[key][lang]
    plain_params: dict[str, str] = {}
    html_params: dict[str, str] = {}
    mentions: list[str] = []
    for name, value in params.items():
        if isinstance(value, Mention):
            plain_params[name] = ", ".join(value.people)
            html_params[name] = ", ".join(_pill(p) for p in value.people)
            mentions.extend(p for p in value.people if p.startswith("@") and p not in mentions)
        else:
            safe = _defang(str(value))
            plain_params[name] = safe
            html_params[name] = html.escape(safe)
    plain = template.format(**plain_params)
    rich = html.escape(template, quote=False).format(**html_params).replace("\n", "<br>\n")
    return Message(plain=plain, html=rich, mentions=tuple(mentions))


def join(messages: list[Message], separator: str = "\n") -> Message:
    """Several rendered pieces as one message (a list, a help page)."""
    mentions: list[str] = []
    for message in messages:
        mentions.extend(p for p in message.mentions if p not in mentions)
    html_separator = "<br>\n" if separator == "\n" else html.escape(separator)
    return Message(
        plain=separator.join(m.plain for m in messages),
        html=html_separator.join(m.html for m in messages),
        mentions=tuple(mentions),
    )
