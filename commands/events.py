"""Neutral events: what adapters hand to the engine, whatever the platform.

An adapter (Matrix, Discourse, the console) turns a platform event into an ``Inbound``; the
engine never sees nio or pydiscourse objects. Outbound messages are rows of the outbox
(see ``storage``), queued in the same transaction as the change they announce.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Venue(StrEnum):
    ROOM = "room"   # the group's chat room
    DM = "dm"       # a direct chat with the bot
    FORUM = "forum"  # a reply in a Discourse topic


@dataclass(frozen=True)
class Inbound:
    """One message addressed to the bot.

    ``event_id`` is the platform's stable id (applied at most once); ``at`` is the source
    timestamp (Matrix ``origin_server_ts``, Discourse ``created_at``) that decides whether an
    objection came in time; ``sender`` is a person id (``@alice:example.org`` or
    ``forum:alice``); ``group`` is known for room and forum messages, ``None`` in a DM.
    """

    event_id: str
    sender: str
    text: str
    at: datetime
    venue: Venue
    group: str | None = None
    reply_to: str | None = None
    mentions: tuple[str, ...] = field(default=())
