"""Tasks, their history, feedback acks and absences (SPEC section 4)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .base import Store, stored
from .rows import Ack, Away, Task, TaskEvent, build, build_all, values
from .timestamps import iso


class Mandates(Store):
    # --- tasks (mandates) -------------------------------------------------------------------
    def insert_task(self, task: Task) -> None:
        self._insert("tasks", values(task))

    def task(self, group: str, number: int) -> Task | None:
        row = self._one("select * from tasks where group_slug = ? and number = ?", [group, number])
        return build(Task, row) if row else None

    def task_by_key(self, key: str) -> Task | None:
        row = self._one("select * from tasks where key = ?", [key])
        return build(Task, row) if row else None

    def tasks(self, group: str | None = None, states: tuple[str, ...] | None = None) -> list[Task]:
        return build_all(Task, self._numbered("tasks", group, states))

    def task_labels(self, group: str) -> list[tuple[int, str, str]]:
        """(number, title, state) of every task of the group."""
        return self._labels("tasks", "title", group)

    def lead_titles(self, group: str, lead: str, states: tuple[str, ...]) -> list[tuple[int, str]]:
        """(number, title) of the tasks ``lead`` leads in these states, by number."""
        marks = ", ".join("?" for _ in states)
        cursor = self.db.conn.execute(
            f"select number, title from tasks where group_slug = ? and lead = ?"
            f" and state in ({marks}) order by number", [group, lead, *states])
        return [(int(number), title) for number, title in cursor.fetchall()]

    def tasks_for_proposal(self, proposal: str, states: tuple[str, ...]) -> list[Task]:
        marks = ", ".join("?" for _ in states)
        return build_all(Task, self._all(
            f"select * from tasks where proposal = ? and state in ({marks}) order by number",
            [proposal, *states],
        ))

    def update_task(self, key: str, **fields: Any) -> None:
        self._update("tasks", "key", key, fields)

    # --- task history, acks and absences -------------------------------------------------
    def add_task_event(self, *, task: str, at: datetime, actor: str, kind: str,
                       episode: int | None = None, step: int | None = None,
                       person: str | None = None, text: str | None = None,
                       detail: dict | None = None, event_id: str | None = None) -> bool:
        """Append to a task's history. A ladder step (``step`` set) is recorded at most once
        per task and episode: False means it already was, and must not be sent again."""
        cursor = self.db.execute(
            "insert or ignore into task_events (task, at, actor, kind, episode, step, person,"
            " text, detail, event_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [task, iso(at), actor, kind, episode, step, person, text,
             json.dumps(detail or {}, ensure_ascii=False, default=iso), event_id],
        )
        return cursor.rowcount == 1

    def task_events(self, task: str) -> list[TaskEvent]:
        return build_all(TaskEvent, self._all(
            "select * from task_events where task = ? order by id", [task]))

    def ladder_steps(self, task: str, episode: int) -> list[TaskEvent]:
        """The ladder steps already sent in one episode, in order."""
        return build_all(TaskEvent, self._all(
            "select * from task_events where task = ? and episode = ? and step is not null"
            " order by step",
            [task, episode],
        ))

    def upsert_ack(self, row: dict) -> bool:
        """True if new, False if it replaced the person's earlier ack of the same request."""
        existed = self._one(
            "select 1 from acks where task = ? and episode = ? and person = ?",
            [row["task"], row["episode"], row["person"]],
        )
        self.db.execute(
            "insert or replace into acks (task, episode, person, member, comment, at, event_id)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            stored([row["task"], row["episode"], row["person"], row.get("member"),
                    row.get("comment"), row["at"], row.get("event_id")]))
        return existed is None

    def acks(self, task: str, episode: int | None = None) -> list[Ack]:
        if episode is None:
            return build_all(Ack, self._all("select * from acks where task = ? order by at",
                                            [task]))
        return build_all(Ack, self._all(
            "select * from acks where task = ? and episode = ? order by at", [task, episode]))

    # --- away periods -------------------------------------------------------------------
    def add_away(self, row: dict) -> None:
        self._insert("away", row)

    def end_away(self, person: str, at: datetime) -> int:
        """End the person's current and future absences at ``at``; how many were cut short."""
        cursor = self.db.execute(
            "update away set end_at = case when start_at > ? then start_at else ? end"
            " where person = ? and end_at > ?",
            [iso(at), iso(at), person, iso(at)],
        )
        return cursor.rowcount

    def away_periods(self, person: str) -> list[Away]:
        return build_all(Away, self._all(
            "select * from away where person = ? and end_at > start_at order by start_at",
            [person],
        ))
