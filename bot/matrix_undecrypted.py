"""Events the bot cannot decrypt yet (their room key has not reached its device).

- **Remembered, not held in memory.** Such an event is written to the database in the
  transaction of its batch, the one that stores the sync position past it: a restart retries
  it instead of losing it, and a long gap in an encrypted room costs no memory.
- **The key is asked for** once per session, after the batch is committed: nio sends an
  ``m.room_key_request`` to the bot's other devices and to the sender's.
- **Retried after every batch**, for the sessions whose key nio now holds only: a decrypted
  event is applied like any other, and forgotten in the same transaction.
- **The watermark waits for it.** No deadline is decided past an event not read yet, until
  ``UNDECRYPTED_PATIENCE`` after it was first seen: it is then given up (logged), and the
  watermark moves on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from nio import LocalProtocolError, MegolmEvent, RoomKeyRequestResponse

from commands.context import Clock
from storage.repository import Repository

from .matrix_events import timestamp
from .matrix_session import TRANSPORT_ERRORS, Session, describe

log = logging.getLogger(__name__)

UNDECRYPTED_PATIENCE = timedelta(minutes=10)  # how long an event waits for its room key
PAGE = 200  # kept events read at a time (a long gap in an encrypted room may hold thousands)


class Undecrypted:
    """The events waiting for their room key, in the database."""

    def __init__(self, session: Session, repo: Repository, clock: Clock) -> None:
        self.session = session
        self.repo = repo
        self.clock = clock
        self._oldest: int | None = repo.oldest_undecrypted_ts()  # ms, None: none waits

    @property
    def waiting(self) -> bool:
        """Whether some event still waits for its key (the watermark is held)."""
        return self._oldest is not None

    def held_at(self) -> datetime | None:
        """The watermark may not pass this instant: just before the oldest waiting event."""
        return timestamp(self._oldest - 1) if self._oldest is not None else None

    def remember(self, room_id: str, event: MegolmEvent) -> None:
        """Keep ``event`` until it can be read (inside the batch's transaction)."""
        kept = self.repo.remember_undecrypted(
            event_id=event.event_id, room_id=room_id, sender=event.sender,
            sender_key=event.sender_key or "", session_id=event.session_id or "",
            sent_ts=event.server_timestamp, source=event.source, at=self.clock.now())
        if kept:
            log.warning("cannot decrypt %s from %s in %s yet; kept until its room key comes",
                        event.event_id, event.sender, room_id)
        self._oldest = self.repo.oldest_undecrypted_ts()

    async def request_keys(self) -> None:
        """Ask for the room keys not asked for yet (after the batch is committed)."""
        client = self.session.client
        if not self.waiting or client is None or not self.session.encryption:
            return
        for wait in self.repo.undecrypted_sessions():
            if wait["requested"]:
                continue
            rows = self.repo.undecrypted_of(wait["room_id"], wait["session_id"], limit=1)
            if not rows:
                continue
            event = _megolm(rows[0])
            try:
                answer = await client.request_room_key(event)
            except LocalProtocolError:
                answer = None  # nio asked already (it remembers its requests in its store)
            except TRANSPORT_ERRORS as error:
                log.warning("room key request postponed (%s)", describe(error))
                return
            if answer is None or isinstance(answer, RoomKeyRequestResponse):
                self.repo.mark_key_requested(wait["room_id"], wait["session_id"],
                                             self.clock.now())
                log.info("asked for the room key of %s's session %s in %s", event.sender,
                         wait["session_id"], wait["room_id"])
            else:
                log.warning("room key request refused (%s)", describe(answer))

    def retry(self, apply: Callable[[str, Any], None]) -> None:
        """Decrypt what now can be and ``apply(room_id, event)`` it; give up what waited too
        long (inside the batch's transaction)."""
        client = self.session.client
        if not self.waiting or client is None:
            return
        olm = getattr(client, "olm", None)
        now = self.clock.now()
        for wait in self.repo.undecrypted_sessions():
            has_key = olm is not None and olm.inbound_group_store.get(
                wait["room_id"], wait["sender_key"], wait["session_id"]) is not None
            too_old = now - (wait["seen_at"] or now) > UNDECRYPTED_PATIENCE
            if not has_key and not too_old:
                continue
            for row in self._session_rows(wait["room_id"], wait["session_id"]):
                decrypted = self._decrypt(row) if has_key else None
                if decrypted is not None:
                    apply(row["room_id"], decrypted)
                elif too_old:
                    log.warning("gave up decrypting %s from %s in %s", row["event_id"],
                                row["sender"], row["room_id"])
                else:
                    continue
                self.repo.forget_undecrypted(row["event_id"])
        self._oldest = self.repo.oldest_undecrypted_ts()

    def _session_rows(self, room_id: str, session_id: str) -> Iterator[dict]:
        """The events kept for one session, oldest first, ``PAGE`` at a time."""
        after = (-1, "")
        while True:
            rows = self.repo.undecrypted_of(room_id, session_id, after=after, limit=PAGE)
            yield from rows
            if len(rows) < PAGE:
                return
            after = (rows[-1]["sent_ts"], rows[-1]["event_id"])

    def _decrypt(self, row: dict) -> Any | None:
        client = self.session.client
        assert client is not None
        try:
            decrypted = client.decrypt_event(_megolm(row))
        except Exception as error:  # nio raises EncryptionError, or worse on a bad event
            log.warning("cannot decrypt %s yet (%s)", row["event_id"], error)
            return None
        return None if isinstance(decrypted, MegolmEvent) else decrypted


def _megolm(row: dict) -> MegolmEvent:
    """A kept event as nio's ``MegolmEvent`` again, with its room."""
    event = MegolmEvent.from_dict(row["source"])
    event.room_id = row["room_id"]
    return event
