"""What health checks and metrics read: the bot's marks of progress, the outbox's backlog and
the counts of what the bot did, all from the database.

The running bot writes its marks here (``meta``): when it last applied a Matrix sync, up to
when the forum has been read. So ``coopbot health`` answers from the database alone, whether
or not the bot serves HTTP, and a bot that stopped making progress is seen as such.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from .timestamps import from_iso, iso

MATRIX_SYNCED = "health:matrix_synced_at"   # meta: the last Matrix sync applied
FORUM_READ = "health:forum_read_until"      # meta: every forum post before it is applied
MARKS = (MATRIX_SYNCED, FORUM_READ)
PROBE = "health:write_probe_at"            # meta: the health check's own write

# Ladder steps the bot sends on its own (task_events.kind): nudges, escalations, reminders.
LADDER_KINDS = ("nudge", "escalation", "feedback_reminder", "feedback_escalation")
FINAL_STATES = ("validated", "accepted", "rejected", "withdrawn")


@dataclass(frozen=True)
class Backlog:
    """Outbox rows not sent yet: how many, and when the oldest was queued."""

    count: int
    oldest: datetime | None


class HealthStore:
    """Reads and writes of the health marks and counts, over the repository's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- marks ----------------------------------------------------------------------------
    def mark(self, key: str, at: datetime) -> None:
        """Note a mark of progress (one of ``MARKS``)."""
        self.db.conn.execute("insert into meta (key, value) values (?, ?) on conflict (key)"
                             " do update set value = excluded.value", [key, iso(at)])

    def marks(self) -> dict[str, datetime | None]:
        marks = ", ".join("?" for _ in MARKS)
        rows = self.db.conn.execute(f"select key, value from meta where key in ({marks})",
                                    list(MARKS)).fetchall()
        found = {key: from_iso(value) for key, value in rows}
        return {key: found.get(key) for key in MARKS}

    # --- the outbox -----------------------------------------------------------------------
    def backlog(self, venues: tuple[str, ...], *, deliverable: bool) -> Backlog:
        """Pending rows of these venues that can be delivered (``deliverable``), or those
        that never can: a direct message to a person known only on the forum (no Matrix
        account to open a chat with), which waits in the outbox for ever."""
        never = "(venue = 'dm' and target not like '@%')"
        where = f"not {never}" if deliverable else never
        marks = ", ".join("?" for _ in venues) or "''"
        row = self.db.conn.execute(
            f"select count(*), min(created_at) from outbox where sent_at is null"
            f" and venue in ({marks}) and {where}", list(venues)).fetchone()
        return Backlog(int(row[0]), from_iso(row[1]))

    def sent_count(self) -> int:
        row = self.db.conn.execute("select count(*) from outbox where sent_at is not null")
        return int(row.fetchone()[0])

    # --- counts of what the bot did -------------------------------------------------------
    def decisions(self) -> dict[str, int]:
        """Proposals decided, by outcome (their final state)."""
        marks = ", ".join("?" for _ in FINAL_STATES)
        rows = self.db.conn.execute(
            f"select state, count(*) from proposals where state in ({marks}) group by state",
            list(FINAL_STATES)).fetchall()
        found = dict(rows)
        return {state: int(found.get(state, 0)) for state in FINAL_STATES}

    def ladder_steps(self) -> dict[str, int]:
        """Nudges, escalations and feedback reminders sent, by kind."""
        marks = ", ".join("?" for _ in LADDER_KINDS)
        rows = self.db.conn.execute(
            f"select kind, count(*) from task_events where step is not null"
            f" and kind in ({marks}) group by kind", list(LADDER_KINDS)).fetchall()
        found = dict(rows)
        return {kind: int(found.get(kind, 0)) for kind in LADDER_KINDS}

    # --- the file itself --------------------------------------------------------------------
    def writable(self, at: datetime) -> str | None:
        """None if the database takes a write now (one is made: ``PROBE``, committed, so a
        full disk or a read-only file shows); else why not."""
        conn = self.db.conn
        if conn.in_transaction:
            return None  # a write of ours is under way: the file takes writes
        try:
            conn.execute("begin immediate")
            conn.execute("insert into meta (key, value) values (?, ?) on conflict (key)"
                         " do update set value = excluded.value", [PROBE, iso(at)])
            conn.execute("commit")
        except sqlite3.Error as error:
            if conn.in_transaction:
                conn.execute("rollback")
            return f"{type(error).__name__}: {error}"
        return None
