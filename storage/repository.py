"""The one repository over the SQLite database (sqlite-utils).

Every write of one command happens inside ``transaction()``; the audit row and the outbox rows
are part of it, so a command either happened entirely (and is announced) or not at all.
Rows are plain dicts; JSON columns are decoded by the helpers that read them.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .schema import migrate
from .timestamps import from_iso, iso

# The stored instant of "never" (a task with no step to come): after every real instant.
NEVER = "9999-12-31T23:59:59Z"


class DatabaseLocked(Exception):
    """Another coopbot process already runs on this database."""


class Repository:
    def __init__(self, path: str | Path, *, lock: bool = True) -> None:
        self.path = str(path)
        self._lock_file = None
        if lock and self.path != ":memory:":
            self._lock_file = _take_lock(self.path + ".lock")
        self.db = Database(self.path)
        if self.path != ":memory:":
            self.db.enable_wal()
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 5000")
        migrate(self.db)

    def close(self) -> None:
        self.db.close()
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit; nested calls become savepoints (rolled back on their own)."""
        with self.db.atomic():
            yield

    # --- generic helpers --------------------------------------------------------------
    def _one(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> dict | None:
        cursor = self.db.conn.execute(sql, params)
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row)) if row is not None else None

    def _all(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict]:
        # The connection directly: sqlite-utils' query() parses every statement for its
        # tracer, which costs more than the query itself on these small indexed reads.
        cursor = self.db.conn.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    # --- meta -----------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._one("select value from meta where key = ?", [key])
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db["meta"].upsert({"key": key, "value": value}, pk="key")

    # --- processed events -----------------------------------------------------------------
    def claim_event(self, event_id: str, at: datetime) -> bool:
        """Record an inbound event; False if it was already applied (never apply twice)."""
        cursor = self.db.execute(
            "insert or ignore into processed_events (event_id, at) values (?, ?)",
            [event_id, iso(at)],
        )
        return cursor.rowcount == 1

    def event_seen(self, event_id: str) -> bool:
        return self._one("select 1 from processed_events where event_id = ?", [event_id]) is not None

    # --- groups and settings ----------------------------------------------------------------
    def ensure_group(self, slug: str, name: str, now: datetime) -> None:
        self.db.execute(
            "insert or ignore into groups (slug, name, next_proposal, next_task, created_at)"
            " values (?, ?, 1, 1, ?)",
            [slug, name, iso(now)],
        )

    def next_number(self, group: str, kind: str) -> int:
        column = {"proposal": "next_proposal", "task": "next_task"}[kind]
        row = self._one(f"select {column} as n from groups where slug = ?", [group])
        assert row is not None, group
        self.db.execute(f"update groups set {column} = {column} + 1 where slug = ?", [group])
        return int(row["n"])

    def settings(self, group: str) -> dict[str, dict]:
        rows = self._all("select * from settings where group_slug = ?", [group])
        return {row["key"]: row for row in rows}

    def set_setting(self, group: str, key: str, value: str, by: str, at: datetime) -> None:
        self.db["settings"].upsert(
            {"group_slug": group, "key": key, "value": value, "changed_by": by,
             "changed_at": iso(at)},
            pk=("group_slug", "key"),
        )

    # --- members ----------------------------------------------------------------------------
    def member(self, group: str, slug: str) -> dict | None:
        return self._one(
            "select * from members where group_slug = ? and slug = ?", [group, slug]
        )

    def members(self, group: str, status: str | None = None) -> list[dict]:
        if status is None:
            return self._all("select * from members where group_slug = ? order by slug", [group])
        return self._all(
            "select * from members where group_slug = ? and status = ? order by slug",
            [group, status],
        )

    def member_by_name_key(self, group: str, name_key: str) -> dict | None:
        """The member with this comparison key of its name (see commands.parsing.name_key);
        an active one first if a name was ever reused."""
        return self._one(
            "select * from members where group_slug = ? and name_key = ?"
            " order by status = 'active' desc, admitted_at desc",
            [group, name_key],
        )

    def add_member(self, row: dict, *, actor: str) -> bool:
        """Insert a new member and open its first period; an existing slug is kept as it is
        (seeding runs at every start): False then."""
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.execute(
            f"insert or ignore into members ({columns}) values ({marks})", list(row.values())
        )
        if cursor.rowcount != 1:
            return False
        self._open_period(row["group_slug"], row["slug"], row["status"], row["admitted_at"],
                          proposal=row.get("proposal"), coopted_by=row.get("coopted_by"),
                          actor=actor)
        return True

    def set_member_status(self, group: str, slug: str, status: str, at: datetime,
                          actor: str) -> None:
        """A new status from ``at``: the current period ends, a new one begins."""
        self.db.execute(
            "update members set status = ? where group_slug = ? and slug = ?",
            [status, group, slug],
        )
        self._open_period(group, slug, status, iso(at), actor=actor)

    def readmit_member(self, group: str, slug: str, *, name: str, at: datetime,
                       proposal: str, coopted_by: str | None, actor: str) -> None:
        """A member that had left comes back by a new cooptation, in its own row; its earlier
        admission stays in its periods."""
        self.db.execute(
            "update members set status = 'active', name = ?, admitted_at = ?, proposal = ?,"
            " coopted_by = ? where group_slug = ? and slug = ?",
            [name, iso(at), proposal, coopted_by, group, slug],
        )
        self._open_period(group, slug, "active", iso(at), proposal=proposal,
                          coopted_by=coopted_by, actor=actor)

    def _open_period(self, group: str, slug: str, status: str, start: str | None, *,
                     proposal: str | None = None, coopted_by: str | None = None,
                     actor: str | None = None) -> None:
        self.db.execute(
            "update member_periods set end_at = ? where group_slug = ? and member = ?"
            " and end_at is null",
            [start, group, slug],
        )
        self.db["member_periods"].insert({
            "group_slug": group, "member": slug, "status": status, "start_at": start,
            "end_at": None, "proposal": proposal, "coopted_by": coopted_by, "actor": actor,
        })

    def member_periods(self, group: str, slug: str) -> list[dict]:
        """A member's history: one row per stretch of one status, oldest first."""
        return self._all(
            "select * from member_periods where group_slug = ? and member = ? order by id",
            [group, slug],
        )

    def period_seq(self) -> int:
        """The newest member period's id: a proposal opened now freezes its electorate as
        the members whose period as of this id is ``active``."""
        row = self._one("select max(id) as seq from member_periods")
        return int(row["seq"] or 0) if row else 0

    def in_electorate(self, proposal: dict, member: str) -> bool:
        """Whether a member was active when the proposal opened."""
        if proposal.get("electorate_seq") is None:  # opened before periods: its copied list
            return member in json.loads(proposal["electorate"] or "[]")
        row = self._one(
            "select status from member_periods where group_slug = ? and member = ? and id <= ?"
            " order by id desc limit 1",
            [proposal["group_slug"], member, proposal["electorate_seq"]],
        )
        return row is not None and row["status"] == "active"

    def electorate(self, proposal: dict) -> list[str]:
        """The members active when the proposal opened, by slug."""
        if proposal.get("electorate_seq") is None:
            return sorted(json.loads(proposal["electorate"] or "[]"))
        rows = self._all(
            "select member from member_periods as p where group_slug = ? and id = ("
            " select max(id) from member_periods where group_slug = p.group_slug"
            " and member = p.member and id <= ?) and status = 'active' order by member",
            [proposal["group_slug"], proposal["electorate_seq"]],
        )
        return [row["member"] for row in rows]

    def silent_voters(self, proposal: dict, spoken: set[str]) -> list[str]:
        """The Matrix people representing the members of the proposal's electorate that are
        still active and have not spoken (the last call names them)."""
        voters = [m for m in self.electorate(proposal) if m not in spoken]
        if not voters:
            return []
        marks = ", ".join("?" for _ in voters)
        rows = self._all(
            "select persons.person from persons join members on members.group_slug ="
            " persons.group_slug and members.slug = persons.member where persons.group_slug = ?"
            f" and members.status = 'active' and persons.member in ({marks})"
            " and persons.person like '@%' order by persons.member, persons.person",
            [proposal["group_slug"], *voters],
        )
        return [row["person"] for row in rows]

    def member_names(self, group: str, slugs: set[str]) -> dict[str, str]:
        """slug -> name for these members only (a status shows a few of thousands)."""
        if not slugs:
            return {}
        ordered = sorted(slugs)
        marks = ", ".join("?" for _ in ordered)
        rows = self._all(f"select slug, name from members where group_slug = ? and slug in ({marks})",
                         [group, *ordered])
        return {row["slug"]: row["name"] for row in rows}

    def members_by_name_key(self, group: str, name_key: str) -> list[dict]:
        return self._all(
            "select * from members where group_slug = ? and name_key = ? order by slug",
            [group, name_key],
        )

    def set_member_name_key(self, group: str, slug: str, key: str) -> None:
        self.db.execute("update members set name_key = ? where group_slug = ? and slug = ?",
                        [key, group, slug])

    def slug_taken(self, group: str, slug: str) -> bool:
        return self.member(group, slug) is not None

    # --- persons ------------------------------------------------------------------------
    def person(self, group: str, person: str) -> dict | None:
        return self._one(
            "select * from persons where group_slug = ? and person = ?", [group, person]
        )

    def linked_member(self, group: str, person: str) -> dict | None:
        """The member (any status) a person represents in a group, or None if unlinked."""
        return self._one(
            "select members.* from persons join members on members.group_slug = persons.group_slug"
            " and members.slug = persons.member where persons.group_slug = ? and persons.person = ?",
            [group, person],
        )

    def in_good_standing(self, group: str, person: str) -> bool:
        """Unlinked, or representing an active member: a suspended or departed member's
        persons lose their rights (SPEC section 3), roles included."""
        member = self.linked_member(group, person)
        return member is None or member["status"] == "active"

    def groups_of(self, person: str) -> list[str]:
        rows = self._all(
            "select group_slug from persons where person = ? and member is not null"
            " order by group_slug",
            [person],
        )
        return [row["group_slug"] for row in rows]

    def persons(self, group: str) -> list[dict]:
        return self._all(
            "select * from persons where group_slug = ? and member is not null order by person",
            [group],
        )

    def representatives(self, group: str, member: str) -> list[str]:
        rows = self._all(
            "select person from persons where group_slug = ? and member = ? order by person",
            [group, member],
        )
        return [row["person"] for row in rows]

    def link_person(self, group: str, person: str, member: str | None, origin: str,
                    at: datetime, *, replace: bool = True) -> bool:
        verb = "insert or replace" if replace else "insert or ignore"
        cursor = self.db.execute(
            f"{verb} into persons (group_slug, person, member, origin, changed_at)"
            " values (?, ?, ?, ?, ?)",
            [group, person, member, origin, iso(at)],
        )
        return cursor.rowcount == 1

    # --- roles ----------------------------------------------------------------------------
    def has_role(self, group: str, person: str, role: str) -> bool:
        return self._one(
            "select 1 from roles where group_slug = ? and person = ? and role = ? and active = 1",
            [group, person, role],
        ) is not None

    def holders(self, group: str, role: str) -> list[str]:
        rows = self._all(
            "select person from roles where group_slug = ? and role = ? and active = 1"
            " order by person",
            [group, role],
        )
        return [row["person"] for row in rows]

    def set_role(self, group: str, person: str, role: str, active: bool, origin: str,
                 at: datetime, *, replace: bool = True) -> bool:
        verb = "insert or replace" if replace else "insert or ignore"
        cursor = self.db.execute(
            f"{verb} into roles (group_slug, person, role, active, origin, changed_at)"
            " values (?, ?, ?, ?, ?, ?)",
            [group, person, role, int(active), origin, iso(at)],
        )
        return cursor.rowcount == 1

    # --- proposals ------------------------------------------------------------------------
    def insert_proposal(self, row: dict) -> None:
        self.db["proposals"].insert(row)

    def proposal(self, group: str, number: int) -> dict | None:
        return self._one(
            "select * from proposals where group_slug = ? and number = ?", [group, number]
        )

    def proposal_by_key(self, key: str) -> dict | None:
        return self._one("select * from proposals where key = ?", [key])

    def _numbered(self, table: str, group: str | None, states: tuple[str, ...] | None) -> list[dict]:
        """Rows of a per-group numbered table (proposals, tasks), optionally filtered."""
        clauses, params = [], []
        if group is not None:
            clauses.append("group_slug = ?")
            params.append(group)
        if states is not None:
            clauses.append(f"state in ({', '.join('?' for _ in states)})")
            params.extend(states)
        where = f"where {' and '.join(clauses)}" if clauses else ""
        return self._all(f"select * from {table} {where} order by group_slug, number", params)

    def proposals(self, group: str | None = None, states: tuple[str, ...] | None = None) -> list[dict]:
        return self._numbered("proposals", group, states)

    def proposals_without_rules(self, group: str) -> list[dict]:
        return self._all("select * from proposals where group_slug = ? and rules is null",
                         [group])

    def proposals_without_last_call_due(self, group: str) -> list[dict]:
        return self._all(
            "select key from proposals where group_slug = ? and state = 'open'"
            " and last_call_due is null and last_call_at is null", [group])

    def active_proposal_for(self, group: str, candidate_key: str) -> dict | None:
        return self._one(
            "select * from proposals where group_slug = ? and candidate_key = ?"
            " and state in ('open', 'contested')",
            [group, candidate_key],
        )

    def update_proposal(self, key: str, **fields: Any) -> None:
        self.db["proposals"].update(key, fields)

    # --- objections and supports ---------------------------------------------------------
    def objections(self, proposal: str, *, active_only: bool = False) -> list[dict]:
        extra = " and withdrawn_at is null" if active_only else ""
        return self._all(
            f"select * from objections where proposal = ?{extra} order by id", [proposal]
        )

    def active_objection(self, proposal: str, person: str) -> dict | None:
        return self._one(
            "select * from objections where proposal = ? and person = ? and withdrawn_at is null",
            [proposal, person],
        )

    def add_objection(self, row: dict) -> None:
        self.db["objections"].insert(row)

    def update_objection(self, objection_id: int, **fields: Any) -> None:
        self.db["objections"].update(objection_id, fields)

    def supports(self, proposal: str) -> list[dict]:
        return self._all("select * from supports where proposal = ? order by at", [proposal])

    def upsert_support(self, row: dict) -> bool:
        """True if new, False if it replaced the person's earlier support."""
        existed = self._one(
            "select 1 from supports where proposal = ? and person = ?",
            [row["proposal"], row["person"]],
        )
        self.db["supports"].upsert(row, pk=("proposal", "person"))
        return existed is None

    # --- tasks (mandates) -------------------------------------------------------------------
    def insert_task(self, row: dict) -> None:
        self.db["tasks"].insert(row)

    def task(self, group: str, number: int) -> dict | None:
        return self._one("select * from tasks where group_slug = ? and number = ?", [group, number])

    def task_by_key(self, key: str) -> dict | None:
        return self._one("select * from tasks where key = ?", [key])

    def tasks(self, group: str | None = None, states: tuple[str, ...] | None = None) -> list[dict]:
        return self._numbered("tasks", group, states)

    def tasks_for_proposal(self, proposal: str, states: tuple[str, ...]) -> list[dict]:
        marks = ", ".join("?" for _ in states)
        return self._all(
            f"select * from tasks where proposal = ? and state in ({marks}) order by number",
            [proposal, *states],
        )

    def update_task(self, key: str, **fields: Any) -> None:
        self.db["tasks"].update(key, fields)

    # --- what is due (indexed: the clock's pass costs what is due, not what is open) -------
    def due_proposals(self, horizon: datetime) -> list[dict]:
        """Open proposals whose deadline or last call has come by ``horizon``."""
        at = iso(horizon)
        return self._all(
            "select key, group_slug from proposals where state = 'open' and deadline <= ?"
            " union select key, group_slug from proposals where state = 'open'"
            " and last_call_due <= ? and last_call_at is null order by key",
            [at, at],
        )

    def due_tasks(self, now: datetime) -> list[dict]:
        """Running tasks whose next step may have come, or is not known yet."""
        return self._all(
            "select key, group_slug from tasks where state in ('open', 'feedback')"
            " and (next_step_at is null or next_step_at <= ?) order by key",
            [iso(now)],
        )

    def unknown_task_wakeups(self) -> list[dict]:
        return self._all("select key, group_slug from tasks where state in ('open', 'feedback')"
                         " and next_step_at is null order by key")

    def next_instants(self, after: datetime | None, groups: tuple[str, ...]) -> dict[str, datetime]:
        """The earliest deadline, last call and task step after ``after`` (all, if None), in
        these groups."""
        floor = iso(after) if after is not None else ""
        marks = ", ".join("?" for _ in groups) or "''"
        queries = {
            "deadline": "select min(deadline) as at from proposals where state = 'open'"
                        f" and deadline > ? and group_slug in ({marks})",
            "last_call": "select min(last_call_due) as at from proposals where state = 'open'"
                         f" and last_call_at is null and last_call_due > ? and group_slug in ({marks})",
            "task": "select min(next_step_at) as at from tasks where state in ('open', 'feedback')"
                    f" and next_step_at > ? and next_step_at < ? and group_slug in ({marks})",
        }
        found = {}
        for purpose, sql in queries.items():
            params = [floor, NEVER] if purpose == "task" else [floor]
            row = self._one(sql, [*params, *groups])
            if row and row["at"]:
                found[purpose] = from_iso(row["at"])
        return found

    def forget_task_wakeups(self, group: str, person: str | None = None) -> None:
        """Ask for the next step of a group's running tasks to be computed again (all of
        them, or those ``person`` leads and the tasks of a role): who answers for them, their
        absences or the group's settings changed."""
        if person is None:
            self.db.execute("update tasks set next_step_at = null where group_slug = ?"
                            " and state in ('open', 'feedback')", [group])
        else:
            self.db.execute("update tasks set next_step_at = null where group_slug = ?"
                            " and state in ('open', 'feedback') and (lead = ? or role is not null)",
                            [group, person])

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
             json.dumps(detail or {}, ensure_ascii=False), event_id],
        )
        return cursor.rowcount == 1

    def task_events(self, task: str) -> list[dict]:
        return self._all("select * from task_events where task = ? order by id", [task])

    def ladder_steps(self, task: str, episode: int) -> list[dict]:
        """The ladder steps already sent in one episode, in order."""
        return self._all(
            "select * from task_events where task = ? and episode = ? and step is not null"
            " order by step",
            [task, episode],
        )

    def upsert_ack(self, row: dict) -> bool:
        """True if new, False if it replaced the person's earlier ack of the same request."""
        existed = self._one(
            "select 1 from acks where task = ? and episode = ? and person = ?",
            [row["task"], row["episode"], row["person"]],
        )
        self.db["acks"].upsert(row, pk=("task", "episode", "person"))
        return existed is None

    def acks(self, task: str, episode: int | None = None) -> list[dict]:
        if episode is None:
            return self._all("select * from acks where task = ? order by at", [task])
        return self._all("select * from acks where task = ? and episode = ? order by at",
                         [task, episode])

    # --- away periods -------------------------------------------------------------------
    def add_away(self, row: dict) -> None:
        self.db["away"].insert(row)

    def end_away(self, person: str, at: datetime) -> int:
        """End the person's current and future absences at ``at``; how many were cut short."""
        cursor = self.db.execute(
            "update away set end_at = case when start_at > ? then start_at else ? end"
            " where person = ? and end_at > ?",
            [iso(at), iso(at), person, iso(at)],
        )
        return cursor.rowcount

    def away_periods(self, person: str) -> list[dict]:
        return self._all(
            "select * from away where person = ? and end_at > start_at order by start_at",
            [person],
        )

    # --- audit ----------------------------------------------------------------------------
    def audit(self, *, at: datetime, group: str | None, actor: str, action: str,
              subject: str | None = None, detail: dict | None = None,
              event_id: str | None = None) -> None:
        self.db["audit"].insert({
            "at": iso(at), "group_slug": group, "actor": actor, "action": action,
            "subject": subject, "detail": json.dumps(detail or {}, ensure_ascii=False),
            "event_id": event_id,
        })

    def audit_rows(self) -> list[dict]:
        return self._all("select * from audit order by id")

    def audit_rows_for(self, group: str, action: str) -> list[dict]:
        return self._all("select * from audit where group_slug = ? and action = ? order by id",
                         [group, action])

    # --- outbox -----------------------------------------------------------------------------
    def enqueue(self, *, group: str | None, venue: str, target: str, plain: str, html: str,
                mentions: tuple[str, ...], reply_to: str | None, subject: str | None,
                at: datetime) -> int:
        table = self.db["outbox"]
        table.insert({
            "group_slug": group, "venue": venue, "target": target, "plain": plain,
            "html": html, "mentions": json.dumps(list(mentions)), "reply_to": reply_to,
            "subject": subject, "txn_id": f"coopbot-{uuid.uuid4().hex}",
            "created_at": iso(at), "sent_at": None, "attempts": 0, "last_error": None,
            "remote_id": None,
        })
        return int(table.last_pk)

    def pending_outbox(self, venues: tuple[str, ...] | None = None) -> list[dict]:
        if venues:
            marks = ", ".join("?" for _ in venues)
            return self._all(
                f"select * from outbox where sent_at is null and venue in ({marks}) order by id",
                list(venues),
            )
        return self._all("select * from outbox where sent_at is null order by id")

    def outbox_row(self, row_id: int) -> dict | None:
        return self._one("select * from outbox where id = ?", [row_id])

    def mark_sent(self, row_id: int, at: datetime, remote_id: str | None = None) -> None:
        self.db.execute(
            "update outbox set sent_at = ?, remote_id = ?, attempts = attempts + 1"
            " where id = ?",
            [iso(at), remote_id, row_id],
        )

    def mark_failed(self, row_id: int, error: str) -> None:
        self.db.execute(
            "update outbox set attempts = attempts + 1, last_error = ? where id = ?",
            [error[:500], row_id],
        )

    # --- Matrix rooms (the Matrix adapter's own table) ------------------------------------
    def matrix_rooms(self, kind: str | None = None) -> list[dict]:
        """Rooms the bot serves and has not left, oldest first."""
        if kind is None:
            return self._all("select * from matrix_rooms where left_at is null order by rowid")
        return self._all(
            "select * from matrix_rooms where left_at is null and kind = ? order by rowid", [kind]
        )

    def matrix_room(self, room_id: str) -> dict | None:
        return self._one("select * from matrix_rooms where room_id = ?", [room_id])

    def set_group_room(self, group: str, room_id: str, at: datetime) -> None:
        """The group's room is ``room_id``; an earlier room of the group is no longer served."""
        self.db.execute(
            "update matrix_rooms set left_at = ? where kind = 'group' and group_slug = ?"
            " and room_id != ? and left_at is null",
            [iso(at), group, room_id],
        )
        self.db.execute(
            "insert into matrix_rooms (room_id, kind, group_slug, created_at) values (?, 'group', ?, ?)"
            " on conflict (room_id) do update set kind = 'group', group_slug = excluded.group_slug,"
            " person = null, left_at = null",
            [room_id, group, iso(at)],
        )

    def dm_room(self, person: str) -> str | None:
        """The direct chat to reach ``person`` in: the one they used last."""
        row = self._one(
            "select room_id from matrix_rooms where kind = 'dm' and person = ? and left_at is null"
            " order by coalesce(used_at, created_at) desc, rowid desc limit 1",
            [person],
        )
        return row["room_id"] if row else None

    def add_dm_room(self, person: str, room_id: str, at: datetime) -> None:
        self.db.execute(
            "insert into matrix_rooms (room_id, kind, person, created_at, used_at)"
            " values (?, 'dm', ?, ?, ?) on conflict (room_id) do update set"
            " left_at = null, used_at = excluded.used_at",
            [room_id, person, iso(at), iso(at)],
        )

    def leave_matrix_room(self, room_id: str, at: datetime) -> None:
        self.db.execute(
            "update matrix_rooms set left_at = ? where room_id = ? and left_at is null",
            [iso(at), room_id],
        )

    def mark_unreadable_notice(self, room_id: str, at: datetime) -> bool:
        """Remember the one 'I cannot read this encrypted room' notice; False if already sent."""
        cursor = self.db.execute(
            "update matrix_rooms set unreadable_notice_at = ? where room_id = ?"
            " and unreadable_notice_at is null",
            [iso(at), room_id],
        )
        return cursor.rowcount == 1


def _take_lock(path: str):
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DatabaseLocked(
            f"another coopbot is already running on {path[:-5]} (lock file {path})"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
