"""Read receipts, for informed silence (issue 12): who read a group's room up to where.

A receipt names the last event someone read. Read up to an event sent after a proposal's
announcement, they read the announcement too, so the engine needs that event's time: this
keeps the send time of the recent events of the group rooms (those the sync and the gaps
bring), and asks the homeserver for the few it does not know (after a restart, a receipt
may name an event read before). What a receipt means is the engine's to decide.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from nio import RoomGetEventResponse

from commands.events import Inbound

from .matrix_events import read_receipts, timestamp
from .matrix_session import Session

log = logging.getLogger(__name__)

KEEP = 20_000           # events whose send time is remembered (a few MB at most)
ASK_AT_MOST = 20        # events whose time is asked for per batch; the others stay unknown


class Receipts:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._sent: OrderedDict[str, datetime] = OrderedDict()

    def saw(self, event: Any) -> None:
        """An event of a group room went by: remember when it was sent."""
        source = getattr(event, "source", event)
        if not isinstance(source, dict):
            return
        event_id, ts = source.get("event_id"), source.get("origin_server_ts")
        if isinstance(event_id, str) and isinstance(ts, int) and not isinstance(ts, bool):
            at = timestamp(ts)
            if at is not None:
                self._remember(event_id, at)

    def sent_at(self, event_id: str) -> datetime | None:
        return self._sent.get(event_id)

    def _remember(self, event_id: str, at: datetime) -> None:
        self._sent[event_id] = at
        self._sent.move_to_end(event_id)
        while len(self._sent) > KEEP:
            self._sent.popitem(last=False)

    async def learn(self, rooms: Iterable[tuple[str, str, list]], user_id: str) -> None:
        """Before a batch is applied: ask for the send time of the events its receipts
        name that were never seen (at most ``ASK_AT_MOST``; a refusal leaves it unknown,
        and such a receipt counts only on the announcement itself)."""
        client = self.session.client
        if client is None:
            return
        asked = 0
        for room_id, group, ephemeral in rooms:
            for read in self.gestures(ephemeral, group, user_id=user_id):
                target = read.target
                if target is None or target in self._sent or asked >= ASK_AT_MOST:
                    continue
                asked += 1
                answer = await self.session.call(
                    "event", lambda target=target: client.room_get_event(room_id, target))
                if isinstance(answer, RoomGetEventResponse):
                    self.saw(answer.event)
                else:
                    log.info("%s: the time of %s is unknown (%s)", room_id, target, answer)

    def gestures(self, ephemeral: list, group: str, *, user_id: str) -> list[Inbound]:
        """The read gestures of one room's ephemeral events."""
        return read_receipts(ephemeral, user_id, group=group, seen_at=self.sent_at)
