"""What informed silence and one-tap participation keep (issue 12): which organisations
were reached by a proposal, the reactions that voted on it, and where its announcement is.

A proposal's announcement is the first room message queued about it (outbox ``subject``); once
delivered, its ``remote_id`` is the Matrix event people read and react to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .base import Store
from .rows import Proposal, build
from .timestamps import from_iso, iso


@dataclass(frozen=True, slots=True)
class ReachMark:
    proposal: str
    member: str
    person: str
    at: datetime          # the source's time: the earliest sign that the member was reached
    how: str              # read | reaction | message | forum | command


@dataclass(frozen=True, slots=True)
class Reaction:
    """A 👍 or 👎 that counted as a support or an objection."""

    event_id: str
    proposal: str
    person: str
    key: str
    vote: str             # support | object
    at: datetime
    removed_at: datetime | None
    removed_by: str | None


# A proposal's frozen min_reached, as the index ``proposals_reach`` (m012) holds it: a
# proposal that does not count who it reached is skipped without reading its rules. Off is
# written "0" (``settings.share_text``), any other share ("0.6", "1") sorts after it: asked
# as ``> '0'``, the index answers with a range, not a walk through every running proposal.
# Malformed rules (a damaged row) read as "not counted", never as an error: a write to that
# row, or the migration that made the index, must not fail for it.
REACH_COUNTED = ("coalesce(case when json_valid(rules) then json_extract(rules, '$.min_reached')"
                 " end, '0')")

_FIRST_ANNOUNCEMENT = ("select remote_id, sent_at from outbox where subject = ? and"
                       " venue = 'room' order by id limit 1")


class Reach(Store):
    # --- the announcement -------------------------------------------------------------------
    def announcement(self, proposal: str) -> tuple[str, datetime] | None:
        """The delivered announcement of a proposal: (its event id, when it was sent)."""
        row = self._one(_FIRST_ANNOUNCEMENT, [proposal])
        if not row or not row["remote_id"] or not row["sent_at"]:
            return None
        return row["remote_id"], from_iso(row["sent_at"])

    def announced_proposal(self, group: str, remote_id: str) -> str | None:
        """The proposal of the group whose announcement is the event ``remote_id``."""
        for row in self._all("select id, subject from outbox where remote_id = ? and"
                             " venue = 'room' and group_slug = ? and subject is not null",
                             [remote_id, group]):
            first = self._one("select id from outbox where subject = ? and venue = 'room'"
                              " order by id limit 1", [row["subject"]])
            if first and first["id"] == row["id"]:
                return row["subject"]
        return None

    def reach_watched(self, group: str) -> list[tuple[Proposal, str, datetime]]:
        """(proposal, its announcement's event id, when that was sent): the group's running
        proposals whose rules of the day count who was reached (``min_reached`` above 0),
        once their announcement is delivered. Found by index, JSON read only of those."""
        rows = self._all(
            "select p.*, o.remote_id as announcement_id, o.sent_at as announced_at"
            " from proposals as p join outbox as o on o.id = (select id from outbox"
            " where subject = p.key and venue = 'room' order by id limit 1)"
            " where p.group_slug = ? and p.state in ('open', 'contested')"
            f" and {REACH_COUNTED} > '0'", [group])  # rules: the proposal's (outbox has none)
        # (no ORDER BY: it would take another index than proposals_reach)
        return [(build(Proposal, r), r["announcement_id"], from_iso(r["announced_at"]))
                for r in sorted(rows, key=lambda r: r["number"])
                if r["announcement_id"] and r["announced_at"]]

    def reach_counting(self, group: str) -> bool:
        """Whether any running proposal of the group counts who it reached."""
        return self._one(f"select 1 from proposals where group_slug = ? and state in"
                         f" ('open', 'contested') and {REACH_COUNTED} > '0' limit 1",
                         [group]) is not None

    # --- marks ------------------------------------------------------------------------------
    def reach_mark(self, proposal: str, member: str) -> ReachMark | None:
        row = self._one("select * from reach_marks where proposal = ? and member = ?",
                        [proposal, member])
        return build(ReachMark, row) if row else None

    def set_reach_mark(self, mark: ReachMark, event_id: str | None, at: datetime) -> None:
        """Keep the earliest sign that a member was reached (the caller read it first)."""
        self.db.conn.execute(
            "insert into reach_marks (proposal, member, person, at, how, event_id, recorded_at)"
            " values (?, ?, ?, ?, ?, ?, ?) on conflict (proposal, member) do update set"
            " person = excluded.person, at = excluded.at, how = excluded.how,"
            " event_id = excluded.event_id, recorded_at = excluded.recorded_at"
            " where excluded.at < reach_marks.at",
            [mark.proposal, mark.member, mark.person, iso(mark.at), mark.how, event_id, iso(at)])

    def reached_members(self, proposal: str, until: datetime) -> set[str]:
        """The members reached at or before ``until``."""
        return {row["member"] for row in self._all(
            "select member from reach_marks where proposal = ? and at <= ?",
            [proposal, iso(until)])}

    def electorate_active_at(self, proposal: Proposal, at: datetime) -> list[str]:
        """The members of the proposal's frozen electorate whose status at ``at`` was
        active (the share of informed silence is counted over them)."""
        status = {row["member"]: row["status"] for row in self._all(
            "select member, status from member_periods as p where group_slug = ? and id = ("
            " select max(id) from member_periods where group_slug = p.group_slug"
            " and member = p.member and start_at <= ?)", [proposal.group_slug, iso(at)])}
        electorate = self.electorate(proposal)  # type: ignore[attr-defined]  # People's
        return [m for m in electorate if status.get(m) == "active"]

    # --- reactions --------------------------------------------------------------------------
    def add_reaction(self, reaction: Reaction) -> None:
        self.db.conn.execute(
            "insert or ignore into reactions (event_id, proposal, person, key, vote, at)"
            " values (?, ?, ?, ?, ?, ?)",
            [reaction.event_id, reaction.proposal, reaction.person, reaction.key, reaction.vote,
             iso(reaction.at)])

    def reaction(self, event_id: str) -> Reaction | None:
        row = self._one("select * from reactions where event_id = ?", [event_id])
        return build(Reaction, row) if row else None

    def live_reaction(self, proposal: str, person: str, key: str) -> Reaction | None:
        """The person's counted reaction ``key`` on the proposal, not taken back."""
        row = self._one("select * from reactions where proposal = ? and person = ? and key = ?"
                        " and removed_at is null order by at desc limit 1",
                        [proposal, person, key])
        return build(Reaction, row) if row else None

    def remove_reaction(self, event_id: str, by: str, at: datetime) -> None:
        self.db.conn.execute("update reactions set removed_at = ?, removed_by = ?"
                             " where event_id = ? and removed_at is null",
                             [iso(at), by, event_id])

    def delete_support(self, proposal: str, person: str) -> None:
        self.db.conn.execute("delete from supports where proposal = ? and person = ?",
                             [proposal, person])

