"""Turning a catalog key and its parameters into a message, in plain text and in HTML.

Parameters are user text unless wrapped in ``Mention`` or ``Person``. User text is
HTML-escaped and its ``@room`` is defanged, so a candidate called ``<b>x</b> @room`` can
neither format nor ping. Only ``Mention`` parameters become pills and land in the message's
intended mentions.

People are shown by the names they recognise (``Names``): ``Mention`` (whoever must act: a
pill whose text is the name, the ID in the link and in ``m.mentions``) and ``Person`` (named,
not pinged: the name as plain text) are resolved when the message is rendered, with the names
the renderer is given (``Effects.flush`` fetches those of every person a message names, in
one query). A display name is shown, never trusted: it is cleaned like user text, one that
looks like an ID (or is empty) gives way to the ID, and two people of one name are told apart
the way Matrix clients do, ``Bob (@bob:example.org)``. Without names (the console) people are
shown by their ID, a forum user by their forum username.

A parameter may also be a piece written in the reader's language at rendering time:
``Phrase`` (a catalogue entry), ``When`` (an instant), ``Span`` (a duration). Code that
queues a message does not know who will read it (a reply in the caller's language, a room
announcement in each of the group's): it passes these, never text already written in one
language. Outside a message (``str()``), a piece is written in its fallback language.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .messages import CATALOG
from .timefmt import plural_form, show_duration, show_moment

# A word joiner after the @ breaks the keyword without changing how it looks.


@dataclass(frozen=True)
class Mention:
    """People the bot means to notify (the core group, a lead, the silent voters): each a
    pill (a matrix.to link whose text is their name) in HTML, their name in plain text, and
    their Matrix ID in the message's ``m.mentions``."""

    people: tuple[str, ...]

    @classmethod
    def of(cls, *people: str) -> "Mention":
        return cls(tuple(people))

    def __str__(self) -> str:
        return ", ".join(shown_name(p) for p in self.people)


@dataclass(frozen=True)
class Person:
    """People named, not pinged (a proposer, an objector, who did something): their name as
    plain text, no link, not in ``m.mentions``. ``with_id`` shows the ID after the name
    even when the name is unique: for a reply that confirms which identity a command took
    (an admin granting a role must see whom, not only a name anyone can take)."""

    people: tuple[str, ...]
    with_id: bool = False

    @classmethod
    def of(cls, *people: str) -> "Person":
        return cls(tuple(people))

    @classmethod
    def exact(cls, *people: str) -> "Person":
        return cls(tuple(people), with_id=True)

    @classmethod
    def listed(cls, people: Iterable[str], empty: str = "-") -> "Person | str":
        """Everyone in ``people``, or ``empty`` when there is nobody to name."""
        people = tuple(people)
        return cls(people) if people else empty

    def __str__(self) -> str:
        return ", ".join(shown_name(p, with_id=self.with_id) for p in self.people)


@dataclass(frozen=True)
class Count:
    """A number of things in the reader's language, singular or plural as its rules say
    (``1 soutien``, ``2 soutiens``; ``0 soutien`` in French, ``0 supports`` in English): the
    catalogue entries ``<key>.one`` and ``<key>.other``, each with ``{count}``."""

    count: int
    key: str

    def written(self, lang: str) -> str:
        return CATALOG[f"{self.key}.{plural_form(self.count, lang)}"][lang].format(
            count=self.count)


# A display name as the platform gave it, and whether someone else bears the same name.
Known = tuple["str | None", bool]


class Names:
    """The names people are shown by, looked up as needed: ``fetch`` answers for many people
    at once (``Repository.display_names``), each person is asked for once. Without ``fetch``
    nobody has a name: IDs are shown (the console)."""

    def __init__(self, fetch: Callable[[Collection[str]], Mapping[str, Known]] | None = None,
                 known: Mapping[str, Known] | None = None) -> None:
        self._fetch = fetch
        self._known: dict[str, Known] = dict(known or {})

    def prefetch(self, people: Iterable[str]) -> None:
        """Look up, in one call, the names of those of ``people`` not known yet."""
        missing = sorted({p for p in people if p not in self._known})
        if missing and self._fetch is not None:
            found = self._fetch(missing)
            for person in missing:
                self._known[person] = found.get(person, (None, False))

    def label(self, person: str, *, with_id: bool = False) -> str:
        """How ``person`` is shown (see ``shown_name``)."""
        if person not in self._known:
            self.prefetch([person])
        name, shared = self._known.get(person, (None, False))
        return shown_name(person, name, shared=shared, with_id=with_id)


NO_NAMES = Names()

# What may pass for an identity inside a name: a Matrix ID (``@alice:example.org``), a
# leading ``@`` (``@alice``), or a forum identity (``forum:alice``).
_ID_LIKE = re.compile(r"^@|@[^\s:]*:\S|forum:", re.IGNORECASE)
_KEPT_FORMAT = {"\u200c", "\u200d"}  # joiners: emoji sequences and some scripts need them
MAX_NAME = 64


def clean_name(name: str | None) -> str:
    """A display name as it may be shown: without control or invisible formatting
    characters (bidirectional overrides, zero-width spaces), its spaces collapsed, at most
    ``MAX_NAME`` characters."""
    if not name:
        return ""
    kept = "".join(" " if c.isspace() else c for c in name
                   if c.isspace() or c in _KEPT_FORMAT
                   or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs", "Cn"))
    kept = " ".join(kept.split())
    return kept if len(kept) <= MAX_NAME else kept[:MAX_NAME - 1].rstrip() + "…"


def shown_name(person: str, name: str | None = None, *, shared: bool = False,
               with_id: bool = False) -> str:
    """How a person is shown: their display name, with their ID in brackets when someone else
    bears the same name (as Matrix clients do) or ``with_id`` asks for it; their ID when the
    name is empty or could pass for an identity (``@alice:example.org``, ``@alice``,
    ``forum:alice``); a forum user with no other name by their forum username."""
    shown = clean_name(name)
    if not shown or _ID_LIKE.search(shown):
        if person.startswith("forum:") and not (shared or with_id):
            return person[len("forum:"):]
        return person
    if shared or with_id:
        return f"{shown} ({person})"
    return shown


def people_in(value: object) -> set[str]:
    """Everyone a message parameter names (``Mention``, ``Person``), however deep."""
    if isinstance(value, (Mention, Person)):
        return set(value.people)
    if isinstance(value, Phrase):
        return set().union(*(people_in(v) for v in value.params.values()))
    if isinstance(value, Pieces):
        return set().union(*(people_in(part) for part in value.parts))
    if isinstance(value, Mapping):
        return set().union(*(people_in(v) for v in value.values()))
    return set()


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
    return _ROOM_WORD.sub("@\u2060\\1", text) if "@" in text else text


def _pill(person: str, label: str) -> str:
    """A mention: a link to the person's ID whose text is their name (user text: escaped)."""
    shown = html.escape(_defang(label))
    if person.startswith("@"):
        return f'<a href="https://matrix.to/#/{html.escape(person)}">{shown}</a>'
    return shown


def text(lang: str, key: str, /, *, names: Names = NO_NAMES, **params: object) -> str:
    """A catalog entry as plain text (for pieces composed into a larger message): its HTML
    is not written at all."""
    return _render(lang, CATALOG[key][lang], params, names, whole=True, rich=False).plain


def render(lang: str, key: str, /, *, names: Names = NO_NAMES, **params: object) -> Message:
    """A catalogue entry in ``lang``, the people it names shown by ``names``."""
    return _render(lang, CATALOG[key][lang], params, names, whole=True)


def _render(lang: str, template: str, params: dict[str, object],
            names: Names = NO_NAMES, *, whole: bool = False, rich: bool = True) -> Message:
    """``whole``: a message as sent, no line ending in spaces; a piece inside one keeps
    its spaces (``Pieces.of("by ", person)``). ``rich``: write the HTML too (a piece of
    plain text, such as a status line, has none: ``html`` is then empty)."""
    plain_params: dict[str, str] = {}
    html_params: dict[str, str] = {}
    mentions: list[str] = []
    for name, value in params.items():
        if isinstance(value, str):  # the most common: user text, a reference
            safe = plain_params[name] = _defang(value)
            if rich:
                html_params[name] = html.escape(safe)
        elif isinstance(value, Pieces):
            rendered = [_piece(lang, part, names, rich) for part in value.parts]
            plain_params[name] = "".join(p for p, _, _ in rendered)
            html_params[name] = "".join(h for _, h, _ in rendered)
            mentions.extend(m for _, _, ms in rendered for m in ms if m not in mentions)
        elif isinstance(value, Mention):
            labels = [names.label(p) for p in value.people]
            plain_params[name] = ", ".join(_defang(label) for label in labels)
            if rich:
                html_params[name] = ", ".join(_pill(p, label)
                                              for p, label in zip(value.people, labels))
            mentions.extend(p for p in value.people if p.startswith("@") and p not in mentions)
        elif isinstance(value, Person):
            shown = ", ".join(_defang(names.label(p, with_id=value.with_id))
                              for p in value.people)
            plain_params[name] = shown
            if rich:
                html_params[name] = html.escape(shown)
        elif isinstance(value, Message):
            plain_params[name], html_params[name] = value.plain, value.html
            mentions.extend(p for p in value.mentions if p not in mentions)
        elif isinstance(value, Phrase):
            piece = _render(lang, CATALOG[value.key][lang], value.params, names, rich=rich)
            plain_params[name], html_params[name] = piece.plain, piece.html
            mentions.extend(p for p in piece.mentions if p not in mentions)
        elif isinstance(value, Count):
            shown = plain_params[name] = value.written(lang)
            if rich:
                html_params[name] = html.escape(shown)
        elif isinstance(value, (When, Span)):
            shown = show_moment(value.moment, value.zone, lang) if isinstance(value, When) \
                else show_duration(value.delta, lang)
            plain_params[name] = shown
            if rich:
                html_params[name] = html.escape(shown)
        else:
            safe = plain_params[name] = _defang(str(value))
            if rich:
                html_params[name] = html.escape(safe)
    plain = template.format(**plain_params)
    if whole:  # no line ends in spaces (an empty list after "Objections:", for instance)
        plain = "\n".join(line.rstrip() for line in plain.split("\n"))
    if not rich:
        return Message(plain=plain, html="", mentions=tuple(mentions))
    rich_text = _html_template(template).format(**html_params).replace("\n", "<br>\n")
    return Message(plain=plain, html=rich_text, mentions=tuple(mentions))


@lru_cache(maxsize=4096)
def _html_template(template: str) -> str:
    """A template's own text escaped for HTML, the same at every use."""
    return html.escape(template, quote=False)


def _piece(lang: str, value: object, names: Names,
           rich: bool = True) -> tuple[str, str, tuple[str, ...]]:
    """One parameter as (plain, html, mentions) in ``lang``."""
    message = _render(lang, "{value}", {"value": value}, names, rich=rich)
    return message.plain, message.html, message.mentions


def render_template(lang: str, template: str, /, *, names: Names = NO_NAMES,
                    **params: object) -> Message:
    """``render`` for a template given here rather than a catalogue key."""
    return _render(lang, template, params, names, whole=True)


def in_languages(langs: tuple[str, ...], key: str, /, *, names: Names = NO_NAMES,
                 **params: object) -> Message:
    """One message in each of the group's languages, in order, a short rule between them (a
    bilingual group's announcement)."""
    if len(langs) == 1:
        return render(langs[0], key, names=names, **params)
    return join([render(lang, key, names=names, **params) for lang in langs], RULE)


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
