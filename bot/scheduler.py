"""Timers derived from the database.

The engine says what the clock will have to do (``Engine.wakeups``); this module keeps one
APScheduler job per item, with the domain id and purpose as job id, and rebuilds the set
after every change. A job only wakes the runtime up: what is due is decided from the
database, so a job fired twice, late or after a restart changes nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from commands.engine import Engine

log = logging.getLogger(__name__)
HEARTBEAT_JOB = "heartbeat"


class Wakeups:
    def __init__(self, engine: Engine, clock, on_due: Callable[[], Awaitable[None]],
                 heartbeat: timedelta = timedelta(seconds=60)) -> None:
        self.engine = engine
        self.clock = clock
        self.on_due = on_due
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
        """Make the scheduler's jobs match the database's wakeups (idempotent)."""
        wanted = dict(self.engine.wakeups())
        for job in self.scheduler.get_jobs():
            if job.id != HEARTBEAT_JOB and job.id not in wanted:
                job.remove()
        for job_id, at in wanted.items():
            # The clock may run ahead of real time (the console's /advance).
            run_date = at - getattr(self.clock, "offset", timedelta(0))
            self.scheduler.add_job(self._fire, "date", run_date=run_date, id=job_id,
                                   replace_existing=True, coalesce=True, misfire_grace_time=None)

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
