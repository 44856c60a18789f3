"""The pure pieces of the Discourse adapter: what a topic says, and what a reply means.

No I/O here: ``bot.forum`` calls these with rows from the database and sends the result.

Discourse reads a post's raw as Markdown, and much of what the bot posts was typed by
people (names, reasons, rationales, display names): all of it is shown ``literal``, so that
readers see what was typed, never a link, an image, a heading or HTML in the bot's voice.
The only Markdown in the bot's posts is the one its forum templates
(``commands/messages/forum.py``) and this module write on purpose.

A reply counts as a command when its first word (case-insensitive, trailing punctuation
ignored) is one of the configured objection, support or withdraw keywords; the rest of the
reply is the reason or comment. Anything else is discussion and is ignored. Only the first
version of a post the bot reads counts: editing or deleting it later changes nothing (the
post's id is recorded as applied), which the topic itself tells its readers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from storage.repository import Repository
from storage.rows import Proposal

from . import cooptation
from .context import Group
from .lifecycle import ACTIVE
from .render import NO_NAMES, Names, Person, render_template, text

STATUS_START = "<!-- coopbot:status -->"
STATUS_END = "<!-- /coopbot:status -->"
_TRAILING = ".,;:!?\u2026"
_EMPHASIS = "*_"  # Markdown emphasis around the first word (a reader sees the word)


@dataclass(frozen=True)
class ReplyWords:
    """The first words that make a reply a command (from ``[discourse]`` in the config)."""

    objection: tuple[str, ...]
    support: tuple[str, ...]
    withdraw: tuple[str, ...]


@dataclass(frozen=True)
class ReplyCommand:
    kind: str   # "object" | "support" | "withdraw"
    word: str   # the keyword as the person wrote it
    rest: str   # the reason or comment, possibly empty


def read_reply(raw: str, words: ReplyWords) -> ReplyCommand | None:
    """The command a forum reply carries, or None for discussion: its first word as a
    reader sees it, in the writer's own words (``own_words``)."""
    stripped = own_words(raw or "")
    if not stripped:
        return None
    pieces = stripped.split(maxsplit=1)
    first, rest = pieces[0], pieces[1] if len(pieces) > 1 else ""
    key = "".join(ch for ch in first if unicodedata.category(ch) != "Cf").lower()
    for _ in range(2):  # "**Objection**:" is "objection"; "~~objection~~" is struck out
        key = key.strip(_EMPHASIS)
        key = key.rstrip(_TRAILING) or key  # "Objection:" counts, "+1" stays "+1"
    for kind, vocabulary in (("object", words.objection), ("withdraw", words.withdraw),
                             ("support", words.support)):
        if key in {w.lower() for w in vocabulary}:
            return ReplyCommand(kind, first.strip(), rest.strip())
    return None


_QUOTE_TAG = re.compile(r"\[(/?)quote(?:=[^\]\n]*)?\]", re.IGNORECASE)


def own_words(raw: str) -> str:
    """``raw`` without the quotes it starts with (Discourse's ``[quote="bob, post:3"]…
    [/quote]``, nested or not, and Markdown's ``>`` blocks, up to the blank line that ends
    them: a line right after one is still quoted), stripped. A quote left open is all
    quote: nothing of the writer's own."""
    text = raw.lstrip()
    while text:
        if text.startswith(">"):
            end = re.search(r"\n[ \t]*\n", text)
            text = text[end.end():].lstrip() if end else ""
        elif text[:6].lower() == "[quote" and (opening := _QUOTE_TAG.match(text)):
            depth, at = 1, opening.end()
            for tag in _QUOTE_TAG.finditer(text, at):
                depth += -1 if tag.group(1) else 1
                if depth == 0:
                    at = tag.end()
                    break
            text = text[at:].lstrip() if depth == 0 else ""
        else:
            break
    return text.strip()


def command_text(reply: ReplyCommand, ref: str, prefix: str) -> str:
    """The engine command equivalent to a forum reply about proposal ``ref`` (``!object C-3
    reason…``).

    Withdraw takes no reason in the engine; what follows the keyword is kept in the post only.
    """
    if reply.kind == "withdraw":
        return f"{prefix}withdraw {ref}"
    # One line: the engine refuses control characters, and a reason is one paragraph anyway.
    rest = " ".join(reply.rest.split())
    return f"{prefix}{reply.kind} {ref} {rest}".rstrip()


def external_id(proposal_key: str) -> str:
    """Discourse's ``external_id`` for a proposal's topic: ``sem:C-3`` -> ``coopbot-sem-c-3``
    (at most 50 characters of ``[A-Za-z0-9_-]``, unique case-insensitively)."""
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", proposal_key.lower()).strip("-")
    value = f"coopbot-{cleaned}"
    if len(value) > 50:  # a very long group slug: keep it unique with a digest
        digest = hashlib.sha256(proposal_key.encode()).hexdigest()[:10]
        value = f"{value[:39]}-{digest}"
    return value


def matrix_link(room: str | None) -> str | None:
    return f"https://matrix.to/#/{room}" if room else None


# ASCII punctuation, which CommonMark lets a backslash escape, but "@" (``quiet``'s concern).
_PUNCTUATION = re.compile(r"([!-/:-?\[-`{-~])")


def literal(typed: str) -> str:
    """``typed`` as Markdown that shows exactly it: a single-line piece stays one line of
    text, wherever in a post it is put.

    Every ASCII punctuation character but ``@`` gets a backslash (CommonMark shows an
    escaped one as itself, and markdown-it's typographer and Discourse's inline rules see
    no ``:smile:``, ``(c)`` or ``--`` in it): no link, image, HTML, entity, emphasis, code,
    table, strikethrough, autolink, BBCode or emoji can start, and no line can start a
    heading, quote, list, fence or setext underline. A URL stays text: the bot does not
    link, in its own voice, to wherever someone typed, and the forum never fetches it for a
    preview (a onebox). The indentation of each line is dropped (four spaces would make
    code); line breaks are kept. ``@`` is left to ``quiet``: a backslash may not stop
    Discourse's mentions, a zero-width space does."""
    lines = typed.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_PUNCTUATION.sub(r"\\\1", line.lstrip(" \t")) for line in lines)


def shown(typed: str) -> str:
    """Text posted on the forum as it is (a reply, a digest): literal, notifying nobody."""
    return quiet(literal(typed))


@dataclass(frozen=True)
class Markdown:
    """A parameter of a forum template that is the bot's own Markdown, put in as it is: the
    status block's bullets (each made of ``literal`` text), the room's link, the reply
    keywords in their code spans (from the config, where a backslash would show)."""

    text: str


def _post(lang: str, key: str, /, *, names: Names = NO_NAMES, **params: object) -> str:
    """A forum template in ``lang``: its own Markdown kept, every parameter shown literally
    but the ``Markdown`` ones (each first written in ``lang``: a name, a date, a phrase)."""
    return text(lang, key, **{name: value.text if isinstance(value, Markdown)
                              else literal(_written(lang, value, names))
                              for name, value in params.items()})


def _written(lang: str, value: object, names: Names) -> str:
    """A parameter as text in ``lang``; a string as it is (its spaces too: a reason ends
    with one before the template's next sentence)."""
    if isinstance(value, str):
        return value
    return render_template(lang, "{value}", names=names, value=value).plain


def title(group: Group, proposal: Proposal) -> str:
    """A topic's title: plain text for Discourse (its ``fancy_title`` is HTML-escaped, not
    Markdown), so it is not escaped: a backslash would show."""
    return text(group.lang, "forum.title", group=group.slug, ref=cooptation.ref(proposal),
                candidate=proposal.candidate)


def status_block(repo: Repository, group: Group, proposal: Proposal) -> str:
    """State, deadline, objections and supports, between markers the bot rewrites."""
    lang = group.lang
    none = text(lang, "status.none")
    objections, supports = cooptation.voices(repo, group, proposal, with_withdrawn=False)
    body = _post(
        lang, "forum.status", state=text(lang, f"state.{proposal.state}"),
        deadline=group.when(proposal.deadline),
        objections=_bullets(objections) if objections else none,
        supports=_bullets(supports) if supports else none,
    )
    heading = text(lang, "forum.status_heading")
    return f"{STATUS_START}\n### {heading}\n\n{body}\n{STATUS_END}"


def _bullets(items: list[str]) -> Markdown:
    """A list after a label, one bullet per item, each item shown literally."""
    return Markdown("".join(f"\n- {literal(item)}" for item in items))


def first_post(repo: Repository, group: Group, proposal: Proposal, words: ReplyWords,
               room: str | None) -> str:
    """The topic's first post: the proposal, the charter answers, the deadline, how to
    react by replying, a link to the group's Matrix room, and the status block."""
    lang = group.lang
    members = {m.slug: m.name for m in repo.members(group.slug)}
    parts = [
        _post(lang, "forum.intro", names=Names(repo.display_names),
              proposer=Person.of(proposal.proposer),
              member=members.get(proposal.proposer_member, proposal.proposer_member),
              candidate=proposal.candidate, ref=cooptation.ref(proposal),
              rationale=proposal.rationale, extras=cooptation.extras(group, proposal)),
    ]
    if proposal.state in ACTIVE:
        parts.append(_post(lang, "forum.howto", deadline=group.when(proposal.deadline),
                           object=Markdown(words.objection[0]),
                           support=Markdown(words.support[0]),
                           withdraw=Markdown(words.withdraw[0])))
    link = matrix_link(room)
    if link:  # from the config: a link people follow
        parts.append(_post(lang, "forum.room", url=Markdown(link)))
    parts.append(status_block(repo, group, proposal))
    return "\n\n".join(parts)


def born_status_post(repo: Repository, group: Group, proposal: Proposal, words: ReplyWords,
                     room: str | None) -> str:
    """The bot's reply holding the status block in a topic a forum user opened: that the
    proposal was opened from its first post, and then what a topic of the bot's first post
    says (the proposal as read, how to react, the room, the status block)."""
    opened = _post(group.lang, "forum.born_opened", ref=cooptation.ref(proposal))
    return f"{opened}\n\n{first_post(repo, group, proposal, words, room)}"


def outcome(group: Group, proposal: Proposal) -> str:
    lang = group.lang
    reason = proposal.decision_reason or ""
    return _post(lang, "forum.outcome", ref=cooptation.ref(proposal), candidate=proposal.candidate,
                 state=text(lang, f"state.{proposal.state}"),
                 reason=f"{reason}. " if reason and not reason.endswith(".") else
                 (f"{reason} " if reason else ""))


# The bot's marker must be the last thing in a post's raw (see ``trailing_marker``).
_TRAILING_MARKER = re.compile(r"<!--\s*(coopbot:[A-Za-z0-9:_.-]+?)\s*-->\s*\Z")


def marker(kind: str, ident: str) -> str:
    """The invisible tag naming what one post of the bot's is: ``marker("outbox", "12")`` is
    ``<!-- coopbot:outbox:12 -->``, ``marker("outcome", "sem:C-3")`` names a proposal's outcome.

    Discourse keeps raw as it was sent, and its sanitizer drops HTML comments from cooked, so
    readers never see the tag while the bot can find its own post by it after a crash."""
    clean = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9:_.-]+", "-", ident)).strip("-")
    return f"<!-- coopbot:{kind}:{clean} -->"  # no "--" inside: it would end the comment


def marked(body: str, tag: str) -> str:
    """``body`` with ``tag`` as its last paragraph (a paragraph of its own, so that markdown
    treats it as an HTML block and never glues it to the text)."""
    return f"{body.rstrip()}\n\n{tag}"


def trailing_marker(raw: str) -> str | None:
    """The marker that ends ``raw``, normalised as ``marker`` writes it, or None.

    Only the end counts: the bot's posts echo what people wrote (a reason, a candidate's
    name), and a marker typed in there must not pass for the post's own."""
    found = _TRAILING_MARKER.search(raw or "")
    return f"<!-- {found.group(1)} -->" if found else None


def digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def parse_time(value: str) -> datetime:
    """Discourse's ``2025-03-01T10:00:00.000Z`` as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


_FORUM_MENTION = re.compile(r"(?<![\w.])@(?=\w)")


def quiet(text: str) -> str:
    """No @mention in what the bot posts on the forum but the one it means (the user it
    answers): a Matrix ID in a status block or a candidate called '@staff' must notify nobody.
    A zero-width space after the @ keeps the text readable and breaks Discourse's mention."""
    return _FORUM_MENTION.sub("@\u200b", text)
