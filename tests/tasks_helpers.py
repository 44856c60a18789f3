"""What the task tests share (tests/test_tasks_*.py, and tests/test_trust.py): read what the bot
sent (direct messages, the room), a task, its steps and its next wakeup, move the clock and
let due work run, and a snapshot of the whole state to prove a refusal changed nothing."""

from __future__ import annotations

from datetime import datetime, timezone

from commands import followup
from tests.harness import Harness

PROPOSE = '!propose "Repair Together" they fix things with us'
TASK_TABLES = ("tasks", "task_events", "acks", "away")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def run_at(h: Harness, moment: datetime) -> list[dict]:
    """Move the clock to ``moment``, let the engine handle what came due, return what it sent."""
    h.clock.set(moment)
    h.engine.process_due()
    return h.sent()


def dms(rows: list[dict], person: str | None = None) -> list[dict]:
    return [r for r in rows if r["venue"] == "dm" and (person is None or r["target"] == person)]


def room(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["venue"] == "room"]


def wakeup(h: Harness, job_id: str) -> datetime | None:
    """When one task's next step may go (``sem:T-1:nudge``…), computed from the database."""
    return dict(followup.wakeups(h.repo, h.engine.group, h.engine.group_slugs,
                              h.clock.now())).get(job_id)


def task(h: Harness, number: int) -> dict:
    return h.repo.task("sem", number)


def steps(h: Harness, number: int) -> list[dict]:
    return [e for e in h.repo.task_events(f"sem:T-{number}") if e.step is not None]


def everything(h: Harness) -> dict:
    """The harness snapshot plus the task tables: to prove a refusal changed nothing."""
    state = h.snapshot()
    for table in TASK_TABLES:
        state[table] = list(h.repo.db.query(f"select * from {table} order by rowid"))
    return state
