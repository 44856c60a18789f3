"""The Matrix adapter (``coopbot run``): the same engine, storage and timers as the console,
fed by a matrix-nio sync loop and speaking through the outbox.

Nothing lost, nothing applied twice, nothing sent twice. ``MatrixBot`` only wires the parts,
each in its own module:

- ``bot/matrix_session.py``: the client, the login (token or password), the device and its
  crypto store; requests retried while the homeserver is away;
- ``bot/matrix_rooms.py``: which rooms the bot serves (group rooms, direct chats), joins,
  invitations and leaves;
- ``bot/matrix_reading.py``: the sync loop, the read-back of gaps, undecryptable events and
  the watermark up to which deadlines may be decided;
- ``bot/matrix_delivery.py``: the outbox to Matrix, with transaction ids and destinations;
- ``bot/matrix_events.py``: the pure translation of events in and out;
- ``bot/retry.py``: the retry policy they share with the forum.

The start order matters: connect, find the group rooms, apply the first sync (history on a
new database), only then join the rooms not joined yet and start the timers and loops.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

from nio import AsyncClient

from commands.context import Clock

from .clock import SystemClock
from .config import Config
from .matrix_delivery import Delivery
from .matrix_reading import Reader
from .matrix_rooms import RoomDirectory
from .matrix_session import MatrixFatal, Session
from .retry import Backoff
from .runtime import Runtime
from .scheduler import Wakeups

__all__ = ["MatrixBot", "MatrixFatal", "cancel_all"]

log = logging.getLogger(__name__)

# Seconds the next long poll waits at most for the replies of the batch just read to go out.
REPLY_SETTLE = 0.5


async def cancel_all(tasks: list[asyncio.Task]) -> None:
    """Cancel tasks and wait for them, cancelling again if one swallowed it (Python 3.11's
    ``wait_for`` can lose a cancellation that arrives as its inner call completes)."""
    pending = {t for t in tasks if not t.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=1.0)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: no "exception never retrieved" noise at exit


class MatrixBot:
    """One bot account on one homeserver, serving the configured groups' rooms and the direct
    chats of known persons. ``run()`` until cancelled."""

    def __init__(self, config: Config, clock: Clock | None = None, *,
                 encryption: bool | None = None, sync_timeout: float = 30.0,
                 timeline_limit: int = 50, read_margin: timedelta = timedelta(seconds=2),
                 retry_first: float = 0.5, retry_cap: float = 60.0) -> None:
        backoff = Backoff.seconds(retry_first, retry_cap)
        # First, as it refuses a missing secret or e2e extra before the database is opened.
        self.session = Session(config, encryption=encryption, backoff=backoff)
        self.config = config
        self.user_id = self.session.user_id
        self.clock = clock or SystemClock()
        self.runtime = Runtime(config, self.clock)
        # Other sources (the forum) decide deadlines through the same runtime: none is decided
        # before Matrix too has been read up to it.
        self.runtime.watermarks.append(self.watermark)
        self.repo = self.runtime.repo
        self.engine = self.runtime.engine
        self.wakeups = Wakeups(self.engine, self.clock, self._due)
        self.rooms = RoomDirectory(config, self.session, self.repo, self.clock)
        self.reader = Reader(config, self.session, self.rooms, self.runtime,
                             sync_timeout=sync_timeout, timeline_limit=timeline_limit,
                             read_margin=read_margin, backoff=backoff, on_read=self._decide,
                             on_applied=self.deliver_soon, before_poll=self._replies_out)
        self.delivery = Delivery(self.session, self.rooms, self.repo, self.clock,
                                 backoff=backoff)
        self.ready = asyncio.Event()        # set once the first sync is applied

    @property
    def client(self) -> AsyncClient | None:
        """The logged-in nio client (None before ``run()`` connects)."""
        return self.session.client

    @property
    def encryption(self) -> bool:
        """Whether encrypted rooms are read and written (matrix-nio's e2e extra)."""
        return self.session.encryption

    @property
    def read_until(self) -> datetime | None:
        """How far Matrix has been read (see ``watermark``)."""
        return self.reader.read_until

    def store_path(self) -> Path:
        """The crypto store's directory (see ``Session.store_path``)."""
        return self.session.store_path()

    # --- the loop -------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect, read, decide, deliver; until cancelled (then close everything)."""
        loops: list[asyncio.Task] = []
        try:
            self.runtime.prepare()  # seed, stretch windows that lost time; decide nothing yet
            if not self.encryption:
                log.warning("encrypted rooms are unreadable: matrix-nio runs without its e2e "
                            "extra (pip install 'coopbot[e2e]'); the bot will say so once "
                            "in each encrypted room it serves")
            await self.session.connect(self.repo)
            await self.rooms.find()
            await self.reader.first_sync()
            await self.rooms.join_missing()
            self.wakeups.start()
            self.ready.set()
            log.info("coopbot is listening as %s (device %s)", self.user_id,
                     self.client.device_id if self.client else "?")
            loops = [asyncio.create_task(self.reader.run(), name="matrix-sync"),
                     asyncio.create_task(self.delivery.run(), name="matrix-delivery")]
            done, _ = await asyncio.wait(loops, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()
        finally:
            self.reader.stop()
            self.delivery.stop()
            await cancel_all(loops)
            self.wakeups.shutdown()
            await self.session.close()
            self.runtime.close()

    def watermark(self) -> datetime | None:
        """Every Matrix event stamped before this instant has been applied (None: not yet)."""
        return self.reader.read_until

    def deliver_soon(self) -> None:
        """Wake the delivery loop (after something was queued outside a sync batch)."""
        self.delivery.soon()

    async def _replies_out(self) -> None:
        """Before the next long poll, let the replies of the batch just read reach the
        homeserver (at most ``REPLY_SETTLE``): a long poll that arrives with them makes the
        homeserver answer the bot's own sync while it should be storing and passing on the
        reply, a few milliseconds of every round trip (a plain nio bot sends from its sync
        callback, before it polls again). Under a flood of replies reading goes on anyway."""
        await self.delivery.settled(REPLY_SETTLE)

    def _decide(self) -> None:
        """Matrix has been read further (the batch's replies are already on their way):
        decide what came due up to there, and deliver what the decisions queued. The timer
        moves only when a command was applied or something decided: a batch that changed
        nothing (the bot's own replies coming back, an empty long poll) leaves the next
        instants where they were, and the reader cuts its long poll at the next one anyway."""
        changed = self.reader.take_changed()
        writes = self.repo.writes()
        decided = self.runtime.catch_up(self.reader.read_until)
        if decided or changed:
            self.wakeups.sync()
        if decided or self.repo.writes() != writes:
            # Not only decisions queue messages: a due item that fails tells the admins.
            self.delivery.soon()

    async def _due(self) -> None:
        """A timer fired (the next instant, or the heartbeat): decide what came due, up to
        where Matrix has been read, re-derive the timer, and deliver what waits (rows queued
        by another process, such as ``coopbot grant-admin``, too)."""
        if self.reader.read_until is None:
            return  # nothing read since the start: an objection may still be in transit
        self.runtime.catch_up(self.reader.read_until)
        self.wakeups.sync()
        self.delivery.soon()
