"""The weekly digest's rows (``digest_schedules``, ``digests``: migration m012) and the reads
that fill a digest: proposals closing soon, the members admitted since the last one.

What is due is found by index, like deadlines and task steps: ``next_at`` is the instant of a
group's next digest, so the clock's pass and the scheduler's next wakeup cost one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .base import Store
from .rows import MemberPeriod, Proposal, build, build_all
from .timestamps import iso


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    group_slug: str
    schedule: str            # as the setting stores it: "mon 09:00", or "off"
    timezone: str            # the zone next_at was computed in
    since: datetime          # slots before this instant do not count
    next_at: datetime | None


@dataclass(frozen=True, slots=True)
class Digest:
    group_slug: str
    week: str                # ISO week of the group's calendar: "2026-W45"
    slot_at: datetime
    made_at: datetime
    posted: int              # 0: nothing to report, nothing was posted
    forum_title: str | None
    forum_body: str | None
    forum_topic_id: int | None
    forum_posted_at: datetime | None


class Digests(Store):
    # --- schedules ----------------------------------------------------------------------
    def digest_schedule(self, group: str) -> DigestSchedule | None:
        row = self._one("select * from digest_schedules where group_slug = ?", [group])
        return build(DigestSchedule, row) if row else None

    def set_digest_schedule(self, group: str, *, schedule: str, timezone: str,
                            since: datetime, next_at: datetime | None) -> None:
        self.db.conn.execute(
            "insert into digest_schedules (group_slug, schedule, timezone, since, next_at)"
            " values (?, ?, ?, ?, ?) on conflict (group_slug) do update set"
            " schedule = excluded.schedule, timezone = excluded.timezone,"
            " since = excluded.since, next_at = excluded.next_at",
            [group, schedule, timezone, iso(since), iso(next_at) if next_at else None])

    def set_digest_next(self, group: str, next_at: datetime | None) -> None:
        self.db.conn.execute("update digest_schedules set next_at = ? where group_slug = ?",
                             [iso(next_at) if next_at else None, group])

    def due_digests(self, horizon: datetime) -> list[str]:
        """The groups whose next digest has come by ``horizon``."""
        return [row["group_slug"] for row in self._all(
            "select group_slug from digest_schedules where next_at <= ? order by group_slug",
            [iso(horizon)])]

    # --- digests made ---------------------------------------------------------------------
    def add_digest(self, row: dict) -> bool:
        """Record the digest of a week; False if that week already has one (the guard)."""
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.conn.execute(
            f"insert or ignore into digests ({columns}) values ({marks})",
            [iso(v) if isinstance(v, datetime) else v for v in row.values()])
        return cursor.rowcount == 1

    def last_digest(self, group: str) -> Digest | None:
        row = self._one("select * from digests where group_slug = ?"
                        " order by week desc limit 1", [group])
        return build(Digest, row) if row else None

    def digests_for_forum(self, groups: tuple[str, ...], made_after: datetime) -> list[Digest]:
        """Posted digests of these groups made after ``made_after`` whose forum topic is not
        known to exist yet, oldest first."""
        if not groups:
            return []
        marks = ", ".join("?" for _ in groups)
        return build_all(Digest, self._all(
            "select * from digests where posted = 1 and forum_topic_id is null"
            f" and made_at > ? and group_slug in ({marks}) order by made_at",
            [iso(made_after), *groups]))

    def set_digest_topic(self, group: str, week: str, topic_id: int, at: datetime) -> None:
        self.db.conn.execute(
            "update digests set forum_topic_id = ?, forum_posted_at = ?"
            " where group_slug = ? and week = ?", [topic_id, iso(at), group, week])

    # --- what a digest tells ----------------------------------------------------------------
    def proposals_closing(self, group: str, start: datetime, end: datetime) -> list[Proposal]:
        """Open proposals whose deadline falls in [start, end), soonest first."""
        return build_all(Proposal, self._all(
            "select * from proposals where state = 'open' and deadline >= ? and deadline < ?"
            " and group_slug = ? order by deadline, number", [iso(start), iso(end), group]))

    def admissions_since(self, group: str, since: datetime, until: datetime) -> list[MemberPeriod]:
        """The cooptations (first admissions and readmissions by a proposal) of the group in
        (since, until], oldest first."""
        return build_all(MemberPeriod, self._all(
            "select * from member_periods where group_slug = ? and proposal is not null"
            " and status = 'active' and start_at > ? and start_at <= ? order by start_at, id",
            [group, iso(since), iso(until)]))
