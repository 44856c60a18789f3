"""The one repository over the SQLite database (sqlite-utils).

Every write of one command happens inside ``transaction()``; the audit row and the outbox rows
are part of it, so a command either happened entirely (and is announced) or not at all.
Governance rows come back as frozen dataclasses with ``datetime`` fields (``rows``); the
adapters' own tables (outbox, Matrix rooms) as plain dicts.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .base import stored
from .digests import Digests
from .echoes import clock_cause, salt_of, transaction_id
from .mandates import Mandates
from .names import Names
from .outbox_files import File, OutboxFiles
from .people import People
from .reach import Reach
from .rows import AuditEntry, Objection, Proposal, Setting, Support, build, build_all, values
from .schema import migrate
from .timestamps import from_iso, iso

log = logging.getLogger(__name__)

OUT_OF_ROOM = "matrix_out:"  # meta key prefix: a group room the bot is out of
# The instant of "never" (a task with no step to come): after every real instant.
NEVER = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


class DatabaseLocked(Exception):
    """Another coopbot process already runs on this database."""


class Repository(People, Mandates, Names, Digests, OutboxFiles, Reach):
    """The whole database, one façade: members and people (``People``), tasks
    (``Mandates``), the names people are shown by (``Names``), the weekly digest
    (``Digests``), pictures sent with a message (``OutboxFiles``), who a proposal reached and
    the reactions that voted (``Reach``), and here proposals, what is due, the audit log, the
    outbox and the adapters' own tables."""

    def __init__(self, path: str | Path, *, lock: bool = True) -> None:
        self.path = str(path)
        self._lock_file = None
        self._unreadable: set[tuple[str, str]] = set()  # damaged instants already logged
        if lock and self.path != ":memory:":
            self._lock_file = _take_lock(self.path + ".lock")
        created = self.path != ":memory:" and not os.path.exists(self.path)
        self.db = Database(self.path)
        if created:
            # Everything the group said, direct messages included: for the bot's user alone
            # (SQLite gives its WAL and shared-memory files the database's mode).
            os.chmod(self.path, 0o600)
        if self.path != ":memory:":
            self.db.enable_wal()
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 5000")
        # 8 MiB of page cache instead of SQLite's 2: a big group's indexes stay in memory
        # (30,000 members: !object 1.74 -> 1.29 ms, CPU a command 0.95 -> 0.72 ms); a small
        # database never fills it, and the restart of 1,000 groups stays at 142 MiB.
        self.db.execute("PRAGMA cache_size = -8192")
        migrate(self.db)
        # Autocommit outside transaction(): a write made outside one is durable at once.
        # With the driver's default, such a write opened an implicit transaction that every
        # later transaction() joined as a mere savepoint, so nothing was committed until some
        # helper happened to commit: a crash could lose what had already been announced.
        if self.db.conn.in_transaction:
            self.db.conn.commit()
        self.db.conn.isolation_level = None
        self._salt = salt_of(self.db)  # made with the database (m008), never changed

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

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (a ``transaction()`` now would be a savepoint)."""
        return self.db.conn.in_transaction

    # --- meta -----------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._one("select value from meta where key = ?", [key])
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        # Plain SQL: sqlite-utils' upsert inspects the table first, which cost more than the
        # write (the sync position is stored with every Matrix batch).
        self.db.conn.execute("insert into meta (key, value) values (?, ?)"
                             " on conflict (key) do update set value = excluded.value",
                             [key, value])

    def instant(self, key: str) -> datetime | None:
        """An instant kept in ``meta`` (when something was noted)."""
        return from_iso(self.meta(key))

    def set_instant(self, key: str, at: datetime) -> None:
        self.set_meta(key, iso(at))

    def meta_under(self, prefix: str) -> dict[str, str]:
        """The meta values whose key starts with ``prefix``, by the rest of their key (one
        range read on the key's index)."""
        rows = self._all("select key, value from meta where key >= ? and key < ?",
                         [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)])
        return {row["key"][len(prefix):]: row["value"] for row in rows}

    def delete_meta(self, key: str) -> None:
        self.db.execute("delete from meta where key = ?", [key])

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

    def group_slugs(self) -> list[str]:
        """Every group the database knows, configured today or not, in slug order."""
        return [row["slug"] for row in self._all("select slug from groups order by slug")]

    def settings(self, group: str) -> dict[str, Setting]:
        rows = self._all("select * from settings where group_slug = ?", [group])
        return {row["key"]: build(Setting, row) for row in rows}

    def set_setting(self, group: str, key: str, value: str, by: str, at: datetime) -> None:
        self.db["settings"].upsert(
            {"group_slug": group, "key": key, "value": value, "changed_by": by,
             "changed_at": iso(at)},
            pk=("group_slug", "key"),
        )

    # --- proposals ------------------------------------------------------------------------
    def insert_proposal(self, proposal: Proposal) -> None:
        self._insert("proposals", values(proposal))

    def proposal(self, group: str, number: int) -> Proposal | None:
        row = self._one(
            "select * from proposals where group_slug = ? and number = ?", [group, number]
        )
        return build(Proposal, row) if row else None

    def proposal_by_key(self, key: str) -> Proposal | None:
        row = self._one("select * from proposals where key = ?", [key])
        return build(Proposal, row) if row else None

    def proposals(self, group: str | None = None,
                  states: tuple[str, ...] | None = None) -> list[Proposal]:
        return build_all(Proposal, self._numbered("proposals", group, states))

    def proposal_labels(self, group: str) -> list[tuple[int, str, str]]:
        """(number, candidate, state) of every proposal of the group."""
        return self._labels("proposals", "candidate", group)

    def proposals_without_rules(self, group: str) -> list[Proposal]:
        return build_all(Proposal, self._all(
            "select * from proposals where group_slug = ? and rules is null", [group]))

    def proposals_without_last_call_due(self, group: str) -> list[Proposal]:
        return build_all(Proposal, self._all(
            "select * from proposals where group_slug = ? and state = 'open'"
            " and last_call_due is null and last_call_at is null", [group]))

    def active_proposal_for(self, group: str, candidate_key: str) -> Proposal | None:
        row = self._one(
            "select * from proposals where group_slug = ? and candidate_key = ?"
            " and state in ('open', 'contested')",
            [group, candidate_key],
        )
        return build(Proposal, row) if row else None

    def update_proposal(self, key: str, **fields: Any) -> None:
        self._update("proposals", "key", key, fields)

    # --- objections and supports ---------------------------------------------------------
    def objections(self, proposal: str, *, active_only: bool = False) -> list[Objection]:
        extra = " and withdrawn_at is null" if active_only else ""
        return build_all(Objection, self._all(
            f"select * from objections where proposal = ?{extra} order by id", [proposal]))

    def active_objection(self, proposal: str, person: str) -> Objection | None:
        row = self._one(
            "select * from objections where proposal = ? and person = ? and withdrawn_at is null",
            [proposal, person],
        )
        return build(Objection, row) if row else None

    def add_objection(self, row: dict) -> None:
        self._insert("objections", row)

    def update_objection(self, objection_id: int, **fields: Any) -> None:
        self._update("objections", "id", objection_id, fields)

    def supports(self, proposal: str) -> list[Support]:
        return build_all(Support, self._all(
            "select * from supports where proposal = ? order by at", [proposal]))

    def upsert_support(self, row: dict) -> bool:
        """True if new, False if it replaced the person's earlier support."""
        existed = self._one(
            "select 1 from supports where proposal = ? and person = ?",
            [row["proposal"], row["person"]],
        )
        self.db.execute(
            "insert or replace into supports (proposal, person, member, comment, at, event_id)"
            " values (?, ?, ?, ?, ?, ?)",
            stored([row["proposal"], row["person"], row["member"], row.get("comment"),
                    row["at"], row.get("event_id")]))
        return existed is None

    # --- what is due (indexed: the clock's pass costs what is due, not what is open) -------
    def due_proposals(self, horizon: datetime) -> list[tuple[str, str]]:
        """(group, key) of the open proposals whose deadline or last call has come by
        ``horizon``."""
        at = iso(horizon)
        return self._pairs(
            "select key, group_slug from proposals where state = 'open' and deadline <= ?"
            " union select key, group_slug from proposals where state = 'open'"
            " and last_call_due <= ? and last_call_at is null order by key",
            [at, at],
        )

    def due_tasks(self, now: datetime) -> list[tuple[str, str]]:
        """(group, key) of the running tasks whose next step may have come, or is not known
        yet."""
        return self._pairs(
            "select key, group_slug from tasks where state in ('open', 'feedback')"
            " and (next_step_at is null or next_step_at <= ?) order by key",
            [iso(now)],
        )

    def unknown_task_wakeups(self) -> list[tuple[str, str]]:
        """(group, key) of the running tasks whose next step is to be computed."""
        return self._pairs("select key, group_slug from tasks where state in ('open', 'feedback')"
                           " and next_step_at is null order by key")

    def _pairs(self, sql: str, params: list[Any] | None = None) -> list[tuple[str, str]]:
        return [(row["group_slug"], row["key"]) for row in self._all(sql, params or [])]

    def next_instants(self, after: datetime | None, groups: tuple[str, ...]) -> dict[str, datetime]:
        """The earliest deadline, last call, task step and weekly digest after ``after`` (all,
        if None), in these groups."""
        floor = iso(after) if after is not None else ""
        marks = ", ".join("?" for _ in groups) or "''"
        queries = {
            "deadline": "select min(deadline) as at from proposals where state = 'open'"
                        f" and deadline > ? and group_slug in ({marks})",
            "last_call": "select min(last_call_due) as at from proposals where state = 'open'"
                         f" and last_call_at is null and last_call_due > ? and group_slug in ({marks})",
            "task": "select min(next_step_at) as at from tasks where state in ('open', 'feedback')"
                    f" and next_step_at > ? and next_step_at < ? and group_slug in ({marks})",
            "digest": "select min(next_at) as at from digest_schedules where next_at > ?"
                      f" and group_slug in ({marks})",
        }
        found = {}
        for purpose, sql in queries.items():
            params = [floor, iso(NEVER)] if purpose == "task" else [floor]
            row = self._one(sql, [*params, *groups])
            if row and row["at"]:
                try:
                    found[purpose] = from_iso(row["at"])
                except ValueError:
                    # A damaged row must not stop the bot (this is read at start and after
                    # every sync): skipped, and said once; the heartbeat decides the rest.
                    if (purpose, row["at"]) not in self._unreadable:
                        self._unreadable.add((purpose, row["at"]))
                        log.warning("the next %s instant %r is not a date: skipped", purpose,
                                    row["at"])
        return found

    def forget_task_wakeups(self, group: str | None, person: str | None = None,
                            states: tuple[str, ...] = ("open", "feedback")) -> None:
        """Ask for the next step of running tasks to be computed again: a group's (all of
        them, or those in ``states``), or, for ``person``, those they lead and the tasks of a
        role, in one group or (``group`` None) in all. Who answers for them, their absences
        or the group's settings changed."""
        marks = ", ".join("?" for _ in states)
        clauses, params = [f"state in ({marks})"], list(states)
        if group is not None:
            clauses.append("group_slug = ?")
            params.append(group)
        if person is not None:
            clauses.append("(lead = ? or role is not null)")
            params.append(person)
        self.db.execute(f"update tasks set next_step_at = null where {' and '.join(clauses)}",
                        params)

    # --- audit ----------------------------------------------------------------------------
    def audit(self, *, at: datetime, group: str | None, actor: str, action: str,
              subject: str | None = None, detail: dict | None = None,
              event_id: str | None = None) -> None:
        self._insert("audit", {
            "at": iso(at), "group_slug": group, "actor": actor, "action": action,
            "subject": subject,
            "detail": json.dumps(detail or {}, ensure_ascii=False, default=_instant),
            "event_id": event_id,
        })

    def audit_rows(self) -> list[AuditEntry]:
        return build_all(AuditEntry, self._all("select * from audit order by id"))

    def audit_rows_for(self, group: str, action: str) -> list[AuditEntry]:
        return build_all(AuditEntry, self._all(
            "select * from audit where group_slug = ? and action = ? order by id",
            [group, action]))

    # --- outbox -----------------------------------------------------------------------------
    def enqueue(self, *, group: str | None, venue: str, target: str, plain: str, html: str,
                mentions: tuple[str, ...], reply_to: str | None, subject: str | None,
                at: datetime, cause: str | None = None, attachment: File | None = None) -> int:
        """Queue a message; ``cause`` (the command's event) makes its transaction id the same
        when it is queued again after a restore (see ``storage/echoes.py``); ``attachment``,
        a file sent with it (a picture: its text is then the caption)."""
        txn_id = transaction_id(
            self.db, cause or clock_cause(group, venue, target, subject, plain), self._salt)
        row_id = self._insert("outbox", {
            "group_slug": group, "venue": venue, "target": target, "plain": plain,
            "html": html, "mentions": json.dumps(list(mentions)), "reply_to": reply_to,
            "subject": subject, "txn_id": txn_id,
            "created_at": iso(at), "sent_at": None, "attempts": 0, "last_error": None,
            "remote_id": None, "attachment": attachment.kind if attachment else None,
        })
        if attachment is not None:
            self.add_outbox_file(row_id, attachment)
        return row_id

    def pending_outbox(self, venues: tuple[str, ...] | None = None, *, after: int = 0,
                       limit: int = -1) -> list[dict]:
        """Rows not sent yet, oldest first; ``after`` and ``limit`` read a long outbox (a
        backlog's replies) a page at a time."""
        marks = ", ".join("?" for _ in venues or ())
        venue_clause = f" and venue in ({marks})" if venues else ""
        return self._all(
            f"select * from outbox where sent_at is null and id > ?{venue_clause}"
            " order by id limit ?",
            [after, *(venues or ()), limit],
        )

    def writes(self) -> int:
        """Rows written through this connection so far: compared before and after a pass,
        whether it queued anything (a message, say) to deliver."""
        return self.db.conn.total_changes

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

    # --- Matrix: what survives a restart (undecryptable events, threads, upgrades) ---------
    def note_out_of_room(self, room_id: str, since: str, read_until: datetime | None) -> bool:
        """The bot is out of a group room, read in full up to ``read_until`` from the sync
        position ``since`` (a first record is kept: the room was read no further). False if
        the absence was already noted."""
        if self.meta(OUT_OF_ROOM + room_id) is not None:
            return False
        self.set_meta(OUT_OF_ROOM + room_id, json.dumps(
            {"since": since, "read_until": iso(read_until) if read_until else None}))
        return True

    def rooms_out_of(self) -> dict[str, tuple[str | None, datetime | None]]:
        """The rooms the bot is out of: room id -> (the sync position to read them back
        from, the instant up to which they were read); (None, None) for a damaged record."""
        found: dict[str, tuple[str | None, datetime | None]] = {}
        for room_id, value in self.meta_under(OUT_OF_ROOM).items():
            try:
                record = json.loads(value)
                found[room_id] = (str(record["since"]), from_iso(record.get("read_until")))
            except (ValueError, TypeError, KeyError):
                found[room_id] = (None, None)
        return found

    def back_in_room(self, room_id: str) -> None:
        """The bot is in the room again and has read it back."""
        self.delete_meta(OUT_OF_ROOM + room_id)

    def remember_undecrypted(self, *, event_id: str, room_id: str, sender: str,
                             sender_key: str, session_id: str, sent_ts: int, source: dict,
                             at: datetime) -> bool:
        """Keep an event the bot cannot decrypt yet; False if it was already kept."""
        cursor = self.db.execute(
            "insert or ignore into matrix_undecrypted (event_id, room_id, sender, sender_key,"
            " session_id, sent_ts, source, seen_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [event_id, room_id, sender, sender_key, session_id, sent_ts,
             json.dumps(source, ensure_ascii=False), iso(at)],
        )
        return cursor.rowcount == 1

    def undecrypted_sessions(self) -> list[dict]:
        """The room key sessions that undecryptable events wait for, with the oldest wait
        (``seen_at``, a datetime)."""
        rows = self._all(
            "select room_id, sender_key, session_id, min(seen_at) as seen_at,"
            " min(key_requested_at is not null) as requested from matrix_undecrypted"
            " group by room_id, sender_key, session_id order by min(sent_ts)")
        for row in rows:
            row["seen_at"] = from_iso(row["seen_at"])
        return rows

    def undecrypted_of(self, room_id: str, session_id: str, *,
                       after: tuple[int, str] = (-1, ""), limit: int = -1) -> list[dict]:
        """The events waiting for one room key session, oldest first (``source`` decoded);
        ``after`` (send time, event id) and ``limit`` read them a page at a time."""
        rows = self._all("select * from matrix_undecrypted where room_id = ? and session_id = ?"
                         " and (sent_ts, event_id) > (?, ?) order by sent_ts, event_id limit ?",
                         [room_id, session_id, *after, limit])
        for row in rows:
            row["source"] = json.loads(row["source"])
        return rows

    def forget_undecrypted(self, event_id: str) -> None:
        self.db.execute("delete from matrix_undecrypted where event_id = ?", [event_id])

    def mark_key_requested(self, room_id: str, session_id: str, at: datetime) -> None:
        self.db.execute("update matrix_undecrypted set key_requested_at = ? where room_id = ?"
                        " and session_id = ? and key_requested_at is null",
                        [iso(at), room_id, session_id])

    def oldest_undecrypted_ts(self) -> int | None:
        """The send time (ms) of the oldest event still waiting for its room key."""
        row = self._one("select min(sent_ts) as ts from matrix_undecrypted")
        return row["ts"] if row else None

    def set_reply_thread(self, reply_to: str, thread: str) -> None:
        """The replies to the command ``reply_to`` belong to the thread ``thread``."""
        self.db.execute("update outbox set thread = ? where reply_to = ? and sent_at is null",
                        [thread, reply_to])

    def start_dm_opening(self, person: str, at: datetime) -> None:
        """The bot sets out to create a direct chat with ``person`` (see ``dm_opening``)."""
        self.db.execute("insert or ignore into matrix_dm_openings (person, started_at)"
                        " values (?, ?)", [person, iso(at)])

    def dm_opening(self, person: str) -> bool:
        """Whether a direct chat with ``person`` may have been created and not recorded."""
        return self._one("select 1 from matrix_dm_openings where person = ?",
                         [person]) is not None

    def end_dm_opening(self, person: str) -> None:
        self.db.execute("delete from matrix_dm_openings where person = ?", [person])

    def set_room_replaced(self, room_id: str, replacement: str) -> None:
        self.db.execute("update matrix_rooms set replaced_by = ? where room_id = ?",
                        [replacement, room_id])

    def room_successor(self, room_id: str) -> str:
        """The room that ``room_id`` was upgraded to, following every upgrade since (itself
        if none)."""
        seen = {room_id}
        while True:
            row = self._one("select replaced_by from matrix_rooms where room_id = ?", [room_id])
            if not row or not row["replaced_by"] or row["replaced_by"] in seen:
                return room_id
            room_id = row["replaced_by"]
            seen.add(room_id)


def _instant(value: Any) -> str:
    """JSON for what the audit log's details may hold besides plain values: instants."""
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"not JSON: {value!r}")


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
