"""Delivering the outbox to Matrix: in order per destination, each row once.

Every message is an outbox row, written in the transaction of the change it announces. The
delivery loop sends rows in order with ``room_send(tx_id=row's txn_id)``: the homeserver
answers a resend of the same transaction id (after a lost answer, or a crash between sending
and ``mark_sent``) with the original event instead of a second message.

Failures wait under the shared retry policy (``bot/retry.py``): while the homeserver is
unreachable, failing or rate limiting, every row stays in the outbox and the whole outbox
waits (the key ``homeserver``); a destination that refuses the bot holds back only its own
rows, with its own backoff; a row the homeserver can never accept is given up and logged.
A row with a picture is uploaded first and sent as ``m.image`` (``matrix_media.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta

from nio import LocalProtocolError, RoomSendResponse

from commands.context import Clock
from storage.echoes import Echoes
from storage.repository import Repository

from .matrix_events import notice_content
from .matrix_media import UploadRefused, image_content
from .matrix_rooms import RoomDirectory
from .matrix_session import (TRANSPORT_ERRORS, MatrixFatal, Session, Transient, describe,
                             is_transient, server_wait, token_refused)
from .retry import Backoff, MonotonicClock, Retries

log = logging.getLogger(__name__)

# Errors after which resending the same row can never succeed: the row is given up (logged).
REJECTED = {"M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON", "M_INVALID_PARAM"}
HOMESERVER = "homeserver"  # the retry key that holds every destination back
OUTBOX_PAGE = 200          # outbox rows read at a time


class Delivery:
    """Sends what the outbox holds for Matrix ("room" and "dm" rows); ``run()`` until stopped.
    A reply to a command typed in a thread goes to that thread (the row's ``thread``)."""

    def __init__(self, session: Session, rooms: RoomDirectory, repo: Repository, clock: Clock,
                 *, backoff: Backoff) -> None:
        self.session = session
        self.rooms = rooms
        self.repo = repo
        self.clock = clock
        # Waits are measured on a clock that never jumps, not the bot's (tests move theirs).
        self.retries = Retries(backoff, MonotonicClock())
        self.echoes = Echoes(repo.db)
        self._kick = asyncio.Event()   # "the outbox may hold something new"
        self._idle = asyncio.Event()   # no pass under way, and no kick waiting for one
        self._idle.set()
        self._stopping = False

    def soon(self) -> None:
        """Wake the loop: something may have been queued."""
        self._kick.set()
        self._idle.clear()

    async def settled(self, timeout: float) -> None:
        """Wait until what was queued before this call has been handled (sent, given up or
        waiting for a retry), at most ``timeout`` seconds."""
        if self._idle.is_set():
            return
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            pass

    def stop(self) -> None:
        """End the loop after the pass under way."""
        self._stopping = True

    async def run(self) -> None:
        """Deliver, then wait for a kick or the next retry; until stopped or cancelled."""
        while not self._stopping:
            self._kick.clear()
            try:
                wait = await self.deliver()
            except (MatrixFatal, asyncio.CancelledError):
                raise
            except Exception:
                log.exception("delivery failed; the outbox keeps every message")
                wait = self.retries.failed(HOMESERVER)
            if not self._kick.is_set():
                self._idle.set()
            try:
                await asyncio.wait_for(self._kick.wait(),
                                       wait.total_seconds() if wait is not None else None)
            except TimeoutError:
                pass

    async def deliver(self) -> timedelta | None:
        """Send what the outbox holds, in order per destination. Returns how long to wait
        before the next retry, or None when nothing waits for a retry."""
        down = self.retries.wait(HOMESERVER)
        if down is not None:
            return down
        waits: list[timedelta] = []
        held: set[str] = set()
        for row in self._pending():
            if row["venue"] == "dm" and not row["target"].startswith("@"):
                continue  # a forum-only person: not for Matrix to deliver
            key = f"{row['venue']}:{row['target']}"
            if key in held:
                continue  # keep the order: nothing overtakes a row that waits
            wait = self.retries.wait(key)
            if wait is not None:
                held.add(key)
                waits.append(wait)
                continue
            echo = self.echoes.seen("matrix", row["txn_id"])
            if echo is not None:
                # Sent before a restore from a backup: the homeserver gave the event back.
                log.info("outbox row %s was sent before as %s; not sent again", row["id"], echo)
                self._sent(row, echo)
                continue
            try:
                error = await self._send(row)
            except (MatrixFatal, asyncio.CancelledError):
                raise
            except (Transient, *TRANSPORT_ERRORS) as failure:
                self.repo.mark_failed(row["id"], describe(failure))
                self._forget_room_key(row)
                asked = failure.retry_after if isinstance(failure, Transient) else None
                delay = self.retries.failed(HOMESERVER, retry_after=asked)
                log.warning("delivery: homeserver unavailable (%s); the outbox waits %.1f s",
                            describe(failure), delay.total_seconds())
                return delay
            except Exception as failure:
                # Anything else (say, from the encryption code) holds back this destination
                # only, with its own backoff: one bad row must not stop the whole outbox.
                log.exception("delivery of outbox row %s failed", row["id"])
                error = f"{type(failure).__name__}: {failure}"
            self.retries.succeeded(HOMESERVER)
            if error is None:
                self.retries.succeeded(key)
                continue
            self.repo.mark_failed(row["id"], error)
            delay = self.retries.failed(key)
            held.add(key)
            waits.append(delay)
            failures = self.retries.failures(key)
            if failures == 1 or failures % 10 == 0:
                log.warning("delivery to %s failed %d time(s) (%s); retrying every %.0f s at "
                            "most", key, failures, error,
                            self.retries.backoff.cap.total_seconds())
        return min(waits) if waits else None

    def _pending(self) -> Iterator[dict]:
        """The rows waiting for Matrix, oldest first, read ``OUTBOX_PAGE`` at a time: the
        replies to a long backlog are never all in memory at once."""
        after = 0
        while True:
            rows = self.repo.pending_outbox(("room", "dm"), after=after, limit=OUTBOX_PAGE)
            yield from rows
            if len(rows) < OUTBOX_PAGE:
                return
            after = rows[-1]["id"]

    def _forget_room_key(self, row: dict) -> None:
        """nio marks a room key as shared even when sharing it failed: after a failed send
        in an encrypted room, start a new key so the resend is readable."""
        client = self.session.client
        if not self.session.encryption or client is None:
            return
        room_id = self.rooms.room_of(row["venue"], row["target"])
        room = client.rooms.get(room_id) if room_id else None
        if room is not None and room.encrypted:
            try:
                client.invalidate_outbound_session(room_id)
            except Exception:
                log.debug("no outbound session to forget in %s", room_id)

    async def _send(self, row: dict) -> str | None:
        """Send one row; None when it is delivered (or given up), else why it must wait."""
        client = self.session.client
        assert client is not None
        room_id = await self._destination(row)
        if room_id is None:
            return f"no Matrix room for {row['venue']} {row['target']} yet"
        token = client.access_token
        try:
            if self.session.encryption and client.should_claim_keys:
                # nio shares a room key only with devices it has an Olm session with.
                await client.keys_claim(client.get_users_for_key_claiming())
            content = notice_content(row, row.get("thread"))
            if row.get("attachment"):  # a picture (!tree): uploaded once, sent as m.image
                content = await image_content(client, self.repo, row, row.get("thread"),
                                              self._encrypted(room_id))
            response = await client.room_send(
                room_id, "m.room.message", content, tx_id=row["txn_id"],
                ignore_unverified_devices=True)
        except LocalProtocolError as error:
            return describe(error)  # e.g. a new direct chat nio has not synced yet
        except UploadRefused as refused:
            response = refused.response
        if isinstance(response, RoomSendResponse):
            self._sent(row, response.event_id)
            return None
        if response is not None and is_transient(response):
            raise Transient(describe(response), server_wait(response))
        if response is not None and token_refused(response):
            await self.session.renew_login(refused=token)
            raise Transient("the access token was renewed", timedelta(0))
        if response is None or response.status_code in REJECTED:
            why = describe(response) if response is not None else "its picture is missing"
            log.error("outbox row %s refused for good by the homeserver (%s); given up",
                      row["id"], why)
            with self.repo.transaction():
                self.repo.mark_failed(row["id"], why)
                self._sent(row, None)
            return None
        return describe(response)

    def _sent(self, row: dict, event_id: str | None) -> None:
        self.repo.mark_sent(row["id"], self.clock.now(), event_id)
        if row.get("attachment"):
            self.repo.release_outbox_file(row["id"])

    def _encrypted(self, room_id: str) -> bool:
        """Whether a file for this room must be uploaded encrypted."""
        client = self.session.client
        room = client.rooms.get(room_id) if client is not None and self.session.encryption \
            else None
        return bool(room is not None and room.encrypted)

    async def _destination(self, row: dict) -> str | None:
        """The room a row goes to; a person's direct chat is opened on first need."""
        if row["venue"] == "room":
            return self.rooms.group_room(row["target"])
        return await self.rooms.direct_chat(row["target"])
