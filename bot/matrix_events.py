"""Matrix events in and out, as pure functions: no I/O, no client, testable on canned JSON.

Inbound, a room message becomes the engine's neutral ``Inbound`` (or ``None`` when it is not
for the bot). The rules, from SPEC section 5 and 10:

- only ``m.text`` messages from someone else count: never the bot's own events, never
  ``m.notice`` (other bots speak in notices), emotes or media, and never an edit
  (``m.replace``: the original event was the command, applying its edit would act twice);
- a mention pill (an ``<a href="https://matrix.to/#/@bob:example.org">Bob</a>`` in the HTML
  body, whose plain body holds only the display name) becomes the user id in the text the
  engine reads, and the reply fallback (``> <@alice> …`` quoted lines, ``<mx-reply>``) is
  dropped;
- the people a command names come from its own text only: its pills (never one inside the
  ``<mx-reply>`` fallback) are ``Inbound.mentions``. The event's ``m.mentions`` is never read:
  Element puts the author of the replied-to message there, so a reply to Carol's message
  saying ``!role grant admin bobb`` would otherwise name Carol;
- in a room, a message is for the bot when it starts with the command prefix, or addresses
  the bot by its user id or pill (``@coopbot:example.org status C-1``) or by name followed
  by a colon or comma (``coopbot: status C-1``); in a direct chat every message is;
- the event id is the ``Inbound.event_id`` (applied at most once) and ``origin_server_ts``
  is ``Inbound.at`` (the source timestamp that decides whether an objection came in time).

Besides commands, what tells who a proposal reached (issue 12) becomes a gesture for the
engine (``to_gesture``, ``read_receipts``): words in a group room not meant for the bot, a
reaction (its key and the event it is on), a redaction (what it removed, and who removed
it), a public read receipt of the main timeline. What they mean is the engine's to decide.

Outbound, an outbox row becomes a notice (an ``m.text`` when it must notify someone): plain body, HTML body,
``m.mentions`` always present (empty when the bot means to ping nobody, so nothing a user
typed can ping), and a reply relation to the command's event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

from commands.events import Inbound, Kind, Venue

HTML_FORMAT = "org.matrix.custom.html"
# Synapse refuses an event over 65,536 bytes (M_TOO_LARGE), envelope and signatures included,
# and an encrypted one weighs a third more: a message's content is kept under this.
MAX_CONTENT_BYTES = 40_000
CUT = "\n[…]\n"  # where a message too large was cut
_MATRIX_TO_USER = re.compile(r"^https://matrix\.to/#/(@[^/?#\s]+)", re.IGNORECASE)
_USER_ID = re.compile(r"^@[^:\s]+:\S+$")
# What may follow a bare name to address the bot: "coopbot: help", "coopbot, help".
_NAME_SEPARATORS = ":,"


@dataclass(frozen=True)
class Addressee:
    """How people address the bot: its user id, the command prefix, and names that work when
    written at the start of a message followed by a colon or a comma."""

    user_id: str
    prefix: str = "!"
    names: tuple[str, ...] = ()

    @classmethod
    def for_bot(cls, user_id: str, prefix: str = "!", display_name: str | None = None,
                ) -> "Addressee":
        localpart = user_id[1:].split(":", 1)[0]
        names = [localpart, "coopbot"]
        if display_name and display_name.strip():
            names.append(display_name.strip())
        unique = tuple(dict.fromkeys(n.casefold() for n in names if n))
        return cls(user_id, prefix, unique)


# --- reading a message -------------------------------------------------------------------

class _PillReader(HTMLParser):
    """HTML body -> text, with each user pill replaced by the user id it links to."""

    _BREAKS = {"br"}
    _BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pills: list[str] = []
        self._skip = 0          # inside <mx-reply>: the quoted fallback of a reply
        self._in_pill = 0       # inside a user pill: its text is replaced by the user id

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mx-reply":
            self._skip += 1
            return
        if self._skip:
            return
        if tag in self._BREAKS:
            self.parts.append("\n")
        elif tag in self._BLOCKS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")
        elif tag == "a":
            href = unquote(dict(attrs).get("href") or "")
            match = _MATRIX_TO_USER.match(href)
            if self._in_pill:
                self._in_pill += 1
            elif match:
                user_id = match.group(1)
                if _USER_ID.match(user_id):
                    self.parts.append(user_id)
                    self.pills.append(user_id)
                    self._in_pill = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "mx-reply":
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag == "a" and self._in_pill:
            self._in_pill -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip and not self._in_pill:
            self.parts.append(data)

    def text(self) -> str:
        return "".join(self.parts).strip()


def read_html(formatted_body: str) -> tuple[str, list[str]]:
    """(text with pills as user ids, the pilled user ids in order)."""
    reader = _PillReader()
    reader.feed(formatted_body)
    reader.close()
    return reader.text(), reader.pills


def _strip_reply_fallback(body: str) -> str:
    """Drop the ``> <@alice:example.org> quoted`` lines older clients put before a reply."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> "):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and not lines[index].strip():
        index += 1
    return "\n".join(lines[index:])


def message_text(content: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The text the engine should read, and the users pilled in it.

    The plain body is used unless the HTML body holds user pills: then the HTML is read, so
    that ``!object C-1`` … ``!link <pill>Bob</pill> dewey`` names ``@bob:example.org``. Pills
    of the reply fallback (``<mx-reply>``, a quote of someone else's message) are not the
    command's: they are left out of both the text and the list.
    """
    body = content.get("body")
    body = body if isinstance(body, str) else ""
    replying = bool(_in_reply_to(content))
    formatted = content.get("formatted_body")
    if content.get("format") == HTML_FORMAT and isinstance(formatted, str) \
            and "matrix.to" in formatted:
        try:
            text, pills = read_html(formatted)
        except (AssertionError, ValueError):
            # html.parser asserts on some broken markup (``<![foo[``): read the plain body,
            # rather than let one message stop the reading of its whole batch.
            text, pills = "", []
        if pills:
            return (_strip_reply_fallback(text) if replying else text), pills
    return (_strip_reply_fallback(body) if replying else body).strip(), []


def _in_reply_to(content: Mapping[str, Any]) -> str | None:
    relates = content.get("m.relates_to")
    if not isinstance(relates, Mapping):
        return None
    reply = relates.get("m.in_reply_to")
    if isinstance(reply, Mapping) and isinstance(reply.get("event_id"), str):
        return reply["event_id"]
    return None


def address(text: str, addressee: Addressee, venue: Venue) -> str | None:
    """The command text, with the prefix, if the message is for the bot; else None.

    ``@coopbot:example.org status C-1``, ``coopbot: status C-1`` and ``!status C-1`` all
    become ``!status C-1``. In a direct chat, unaddressed text is returned as it is (the
    engine does not need the prefix there).
    """
    stripped = text.strip()
    prefix = addressee.prefix
    if stripped.startswith(prefix):
        return stripped
    folded = stripped.casefold()
    callers = [(addressee.user_id.casefold(), True)] + [(n, False) for n in addressee.names]
    for name, is_id in callers:
        if not folded.startswith(name):
            continue
        rest = stripped[len(name):]
        if rest[:1] and rest[:1] in _NAME_SEPARATORS:
            rest = rest[1:]
        elif not (is_id and (not rest or rest[:1].isspace())):
            continue  # "coopbotanist", or a bare name without ':' (just chatting about it)
        rest = rest.strip()
        if rest.startswith(prefix):
            return rest
        return prefix + (rest or "help")
    if venue is Venue.DM:
        return stripped or None
    return None


def timestamp(origin_server_ts: int) -> datetime | None:
    """An ``origin_server_ts`` (milliseconds) as a UTC instant; None when no date can hold it
    (a broken or hostile server's event must be skipped, not stop the reading of a batch)."""
    try:
        return datetime.fromtimestamp(origin_server_ts / 1000, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def thread_root(event: Any) -> str | None:
    """The root of the thread a message was written in (Element's threads), or None."""
    source = getattr(event, "source", event)
    content = source.get("content") if isinstance(source, Mapping) else None
    relates = content.get("m.relates_to") if isinstance(content, Mapping) else None
    if isinstance(relates, Mapping) and relates.get("rel_type") == "m.thread":
        root = relates.get("event_id")
        return root if isinstance(root, str) else None
    return None


def to_inbound(event: Any, addressee: Addressee, *, venue: Venue,
               group: str | None) -> Inbound | None:
    """A nio event (or its JSON) from a room the bot serves -> ``Inbound``, or None."""
    source = getattr(event, "source", event)
    if not isinstance(source, Mapping) or source.get("type") != "m.room.message":
        return None
    sender = source.get("sender")
    if not isinstance(sender, str) or sender == addressee.user_id:
        return None
    content = source.get("content")
    if not isinstance(content, Mapping) or content.get("msgtype") != "m.text":
        return None
    relates = content.get("m.relates_to")
    if isinstance(relates, Mapping) and relates.get("rel_type") == "m.replace":
        return None
    event_id, ts = source.get("event_id"), source.get("origin_server_ts")
    if not isinstance(event_id, str) or not isinstance(ts, int) or isinstance(ts, bool):
        return None
    at = timestamp(ts)
    if at is None:
        return None
    text, pills = message_text(content)
    command = address(text, addressee, venue)
    if command is None:
        return None
    # Only the pills of the command's own text: ``m.mentions`` lists whom the client chose to
    # notify (the replied-to author, for one), which is not whom the command is about.
    mentions = tuple(dict.fromkeys(u for u in pills if u != addressee.user_id))
    return Inbound(
        event_id=event_id, sender=sender, text=command, at=at, venue=venue,
        group=group if venue is Venue.ROOM else None, reply_to=_in_reply_to(content),
        mentions=mentions,
    )


# --- display names -------------------------------------------------------------------------

def member_name(event: Any) -> tuple[str, str | None] | None:
    """(user id, display name, None if they set none) from an ``m.room.member`` event that
    makes someone a member (joined or invited); None for a leave, a ban, a knock (a person
    who left keeps their last name) or any other event. Shown, never trusted: the user id
    stays who they are."""
    source = getattr(event, "source", event)
    if not isinstance(source, Mapping) or source.get("type") != "m.room.member":
        return None
    user, content = source.get("state_key"), source.get("content")
    if not isinstance(user, str) or not _USER_ID.match(user) or not isinstance(content, Mapping):
        return None
    if content.get("membership") not in ("join", "invite"):
        return None
    name = content.get("displayname")
    return user, (name if isinstance(name, str) else None)


# --- gestures (issue 12): what tells who was reached, and reactions that vote ---------------

def to_gesture(event: Any, user_id: str, *, group: str) -> Inbound | None:
    """An event of a group's room that is no command -> a gesture for the engine, or None:
    a message from someone (words not for the bot: they wrote in the room), a reaction
    (``m.annotation``: its key and the event it is on), or a redaction (what it removed and
    who removed it). Never the bot's own events, nor notices (other bots)."""
    source = getattr(event, "source", event)
    if not isinstance(source, Mapping):
        return None
    sender, event_id = source.get("sender"), source.get("event_id")
    ts = source.get("origin_server_ts")
    if not isinstance(sender, str) or sender == user_id or not isinstance(event_id, str) \
            or not isinstance(ts, int) or isinstance(ts, bool):
        return None
    at = timestamp(ts)
    content = source.get("content")
    if at is None or not isinstance(content, Mapping):
        return None
    kind, target, key = _gesture_of(source.get("type"), source, content)
    if kind is None:
        return None
    return Inbound(event_id=event_id, sender=sender, text="", at=at, venue=Venue.ROOM,
                   group=group, kind=kind, target=target, key=key)


def _gesture_of(kind: Any, source: Mapping[str, Any], content: Mapping[str, Any]
                ) -> tuple[Kind | None, str | None, str | None]:
    if kind == "m.room.message":
        return (None, None, None) if content.get("msgtype") == "m.notice" \
            else (Kind.CHAT, None, None)
    if kind == "m.reaction":
        relates = content.get("m.relates_to")
        if isinstance(relates, Mapping) and relates.get("rel_type") == "m.annotation" \
                and isinstance(relates.get("event_id"), str) \
                and isinstance(relates.get("key"), str):
            return Kind.REACTION, relates["event_id"], relates["key"][:64]
        return None, None, None
    if kind == "m.room.redaction":
        # Room versions from 11 keep ``redacts`` in the content; older ones beside it.
        redacts = content.get("redacts") or source.get("redacts")
        return (Kind.REDACTION, redacts, None) if isinstance(redacts, str) \
            else (None, None, None)
    return None, None, None


def read_receipts(ephemeral: Iterable[Any], user_id: str, *, group: str,
                  seen_at: Callable[[str], datetime | None]) -> list[Inbound]:
    """A room's ``m.receipt`` events -> read gestures: who read up to which event, when
    (the receipt's ``ts``), and when that event was sent if known (``seen_at``): a read of a
    later event is a read of the announcement too. Only public read receipts of the main
    timeline count (a receipt in a thread says nothing of the room's own timeline); the
    bot's own are not read."""
    found: list[Inbound] = []
    for event in ephemeral:
        for target, reader, ts, thread in _receipts(event):
            at = timestamp(ts)
            if reader == user_id or at is None or thread not in (None, "main"):
                continue
            found.append(Inbound(event_id=f"receipt:{reader}:{target}", sender=reader, text="",
                                 at=at, venue=Venue.ROOM, group=group, kind=Kind.READ,
                                 target=target, target_at=seen_at(target)))
    return found


def _receipts(event: Any) -> Iterable[tuple[str, str, int, Any]]:
    """(event id, reader, ts, thread) of the ``m.read`` receipts in one ephemeral event, as
    nio parsed it (``ReceiptEvent``) or as JSON."""
    receipts = getattr(event, "receipts", None)
    if receipts is not None:
        for receipt in receipts:
            if receipt.receipt_type == "m.read" and isinstance(receipt.timestamp, int):
                yield receipt.event_id, receipt.user_id, receipt.timestamp, receipt.thread_id
        return
    if not isinstance(event, Mapping) or event.get("type") != "m.receipt" \
            or not isinstance(event.get("content"), Mapping):
        return
    for target, kinds in event["content"].items():
        readers = kinds.get("m.read") if isinstance(kinds, Mapping) else None
        for reader, info in (readers or {}).items() if isinstance(readers, Mapping) else ():
            if isinstance(info, Mapping) and isinstance(info.get("ts"), int) \
                    and not isinstance(info.get("ts"), bool):
                yield target, reader, info["ts"], info.get("thread_id")


# --- invites -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Invite:
    inviter: str
    is_direct: bool
    encrypted: bool


def read_invite(user_id: str, invite_state: Iterable[Any]) -> Invite | None:
    """Who invited ``user_id`` and whether as a direct chat, from a room's stripped state."""
    inviter, is_direct, encrypted = None, False, False
    for event in invite_state:
        source = getattr(event, "source", event)
        if not isinstance(source, Mapping):
            continue
        # nio's parsed invite member event keeps its content as an attribute, not in source.
        content = source.get("content") or getattr(event, "content", None) or {}
        if source.get("type") == "m.room.encryption":
            encrypted = True
        elif (source.get("type") == "m.room.member" and source.get("state_key") == user_id
              and content.get("membership") == "invite"):
            inviter = source.get("sender")
            is_direct = content.get("is_direct") is True
    if not isinstance(inviter, str):
        return None
    return Invite(inviter, is_direct, encrypted)


# --- writing a reply ----------------------------------------------------------------------

def notice_content(row: Mapping[str, Any], thread: str | None = None) -> dict[str, Any]:
    """An outbox row as the content of the ``m.notice`` the bot sends.

    ``m.mentions`` is always there: clients that honour intentional mentions then ping only
    the people the bot meant (the core group, a lead), never what a user's text contains.
    """
    mentions = row.get("mentions") or "[]"
    people = json.loads(mentions) if isinstance(mentions, str) else list(mentions)
    reply_to = row.get("reply_to")
    is_reply = isinstance(reply_to, str) and reply_to.startswith("$")
    # Replies are notices. A message meant to reach someone (the core group on a contested
    # proposal, the silent voters, a nudge by DM) is m.text: Synapse's default push rules
    # never notify for notices, so a mention in a notice would ping nobody.
    notify = not is_reply and (any(isinstance(p, str) and p.startswith("@") for p in people)
                               or row.get("venue") == "dm")
    content: dict[str, Any] = {
        "msgtype": "m.text" if notify else "m.notice",
        "body": row["plain"],
        "format": HTML_FORMAT,
        "formatted_body": row["html"],
        "m.mentions": {"user_ids": [p for p in people if isinstance(p, str) and p.startswith("@")]},
    }
    if is_reply and thread:
        # A command typed in a thread is answered in that thread (clients without threads
        # still see a reply, through the fallback).
        content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread,
                                   "is_falling_back": False,
                                   "m.in_reply_to": {"event_id": reply_to}}
    elif is_reply:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return fit(content)


def _size(content: Mapping[str, Any]) -> int:
    return len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())


def fit(content: dict[str, Any]) -> dict[str, Any]:
    """A content too large for one event (what people typed, repeated: a long rationale, long
    objections, in each of a group's languages), shortened rather than refused and lost: its
    plain body only (HTML cannot be cut safely), its middle cut out, so that its start (what
    it is about) and its end (the deadline, how to answer) stay; mentions and relations kept."""
    if _size(content) <= MAX_CONTENT_BYTES:
        return content
    short = {k: v for k, v in content.items() if k not in ("format", "formatted_body")}
    body = str(content.get("body") or "")
    low, high = 0, len(body)  # the most characters kept that fit
    while low < high:
        keep = (low + high + 1) // 2
        short["body"] = _cut(body, keep)
        if _size(short) <= MAX_CONTENT_BYTES:
            low = keep
        else:
            high = keep - 1
    short["body"] = _cut(body, low)
    return short


def _cut(body: str, keep: int) -> str:
    head = keep * 2 // 3
    return body[:head] + CUT + body[len(body) - (keep - head):] if keep < len(body) else body
