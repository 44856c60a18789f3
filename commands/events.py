"""Neutral events: what adapters hand to the engine, whatever the platform.

An adapter (Matrix, Discourse, the console) turns a platform event into an ``Inbound``; the
engine never sees nio or pydiscourse objects. Outbound messages are rows of the outbox
(see ``storage``), queued in the same transaction as the change they announce.

Besides messages, an adapter passes on the gestures that tell whether people were reached
(issue 12): a read receipt, a reaction added or removed, a redaction and who made it. The
adapter only says what happened; the engine decides what it means (which proposal's
announcement was read, whether a 👎 counts, whether a redaction withdraws anything).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Venue(StrEnum):
    ROOM = "room"   # the group's chat room
    DM = "dm"       # a direct chat with the bot
    FORUM = "forum"  # a reply in a Discourse topic


class Kind(StrEnum):
    MESSAGE = "message"      # text that may be a command (``text``)
    CHAT = "chat"            # text that is not for the bot: someone wrote in the room, or
                             # replied in a proposal's forum topic (``proposal``)
    READ = "read"            # a read receipt: ``sender`` read up to ``target``
    REACTION = "reaction"    # ``sender`` reacted ``key`` to ``target`` (``event_id``: the
                             # reaction's own id)
    UNREACTION = "unreaction"  # ``sender`` took back their reaction ``key`` to ``target``
    REDACTION = "redaction"  # ``sender`` (the redacter) removed the event ``target``


@dataclass(frozen=True)
class Inbound:
    """One message or gesture for the engine.

    ``event_id`` is the platform's stable id (applied at most once); ``at`` is the source
    timestamp (Matrix ``origin_server_ts`` or a receipt's ``ts``, Discourse ``created_at``)
    that decides whether an objection came in time; ``sender`` is a person id
    (``@alice:example.org`` or ``forum:alice``); ``group`` is known for room and forum
    messages, ``None`` in a DM. For a gesture, ``target`` is the event it is about and
    ``target_at`` that event's own timestamp when the adapter knows it (a receipt on a
    message after an announcement means the announcement was read too).
    """

    event_id: str
    sender: str
    text: str
    at: datetime
    venue: Venue
    group: str | None = None
    reply_to: str | None = None
    mentions: tuple[str, ...] = field(default=())
    kind: Kind = Kind.MESSAGE
    target: str | None = None
    target_at: datetime | None = None
    key: str | None = None          # a reaction's key (an emoji)
    proposal: str | None = None     # the proposal a forum post was written under (its key)
