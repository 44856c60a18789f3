"""Timers derived from the database.

The engine says when the clock will next have something to do (``Engine.wakeups``, read by
index); this module keeps one APScheduler job at that instant, ``next``, moved after every
change, and a heartbeat. A job only wakes the runtime up: what is due is decided from the
database, so a job fired twice, late or after a restart changes nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from commands.engine import Engine

log = logging.getLogger(__name__)
HEARTBEAT_JOB = "heartbeat"
NEXT_JOB = "next"


class Wakeups:
    def __init__(self, engine: Engine, clock, on_due: Callable[[], Awaitable[None]],
                 heartbeat: timedelta = timedelta(seconds=60)) -> None:
        self.engine = engine
        self.clock = clock
        self.on_due = on_due
        self._next_run: datetime | None = None  # the run date NEXT_JOB was last given
        self.scheduler = AsyncIOScheduler(timezone=timezone.utc)
        self.scheduler.add_job(self._heartbeat, "interval", seconds=heartbeat.total_seconds(),
                               id=HEARTBEAT_JOB, coalesce=True, misfire_grace_time=None)

    def start(self) -> None:
        self.scheduler.start()
        self.sync()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def sync(self) -> None:
        """Hold one job at the database's next wakeup, or none (idempotent)."""
        # Only what is still to come: an item that is due but waits (a source not read yet,
        # a row that keeps failing) is retried at the heartbeat, not in a busy loop.
        wakeups = self.engine.wakeups(after=self.clock.now())
        if not wakeups:
            if self.scheduler.get_job(NEXT_JOB) is not None:
                self.scheduler.remove_job(NEXT_JOB)
            return
        at = min(instant for _, instant in wakeups)
        # The clock may run ahead of real time (the console's /advance).
        run_date = at - getattr(self.clock, "offset", timedelta(0))
        job = self.scheduler.get_job(NEXT_JOB)
        if job is not None and self._next_run == run_date:
            return  # already there: most commands move nothing, and a new job costs more
        self.scheduler.add_job(self._fire, "date", run_date=run_date, id=NEXT_JOB,
                               replace_existing=True, coalesce=True, misfire_grace_time=None)
        self._next_run = run_date

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self.scheduler.get_jobs())

    async def _fire(self) -> None:
        try:
            await self.on_due()
        except Exception:
            log.exception("due work failed; it stays due and is retried at the next wakeup")

    async def _heartbeat(self) -> None:
        self.engine.heartbeat()
        await self._fire()
