"""Members, the people who represent them, and roles: who belongs to a group, and as what.

A member's history is kept as periods of one status (``member_periods``), which also freeze a
proposal's electorate without copying it (see ``Proposals`` in ``repository``).
"""

from __future__ import annotations

import json
from datetime import datetime

from .base import Store, stored
from .rows import Member, MemberPeriod, Person, Proposal, build, build_all
from .timestamps import iso


class People(Store):
    # --- members ----------------------------------------------------------------------------
    def member(self, group: str, slug: str) -> Member | None:
        row = self._one(
            "select * from members where group_slug = ? and slug = ?", [group, slug]
        )
        return build(Member, row) if row else None

    def members(self, group: str, status: str | None = None) -> list[Member]:
        if status is None:
            return build_all(Member, self._all(
                "select * from members where group_slug = ? order by slug", [group]))
        return build_all(Member, self._all(
            "select * from members where group_slug = ? and status = ? order by slug",
            [group, status],
        ))

    def member_by_name_key(self, group: str, name_key: str) -> Member | None:
        """The member with this comparison key of its name (see commands.parsing.name_key);
        an active one first if a name was ever reused."""
        row = self._one(
            "select * from members where group_slug = ? and name_key = ?"
            " order by status = 'active' desc, admitted_at desc",
            [group, name_key],
        )
        return build(Member, row) if row else None

    def add_member(self, row: dict, *, actor: str) -> bool:
        """Insert a new member and open its first period; an existing slug is kept as it is
        (seeding runs at every start): False then."""
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.execute(
            f"insert or ignore into members ({columns}) values ({marks})", stored(row.values())
        )
        if cursor.rowcount != 1:
            return False
        self._open_period(row["group_slug"], row["slug"], row["status"],
                          stored([row["admitted_at"]])[0],
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
        self._insert("member_periods", {
            "group_slug": group, "member": slug, "status": status, "start_at": start,
            "end_at": None, "proposal": proposal, "coopted_by": coopted_by, "actor": actor,
        })

    def member_periods(self, group: str, slug: str) -> list[MemberPeriod]:
        """A member's history: one row per stretch of one status, oldest first."""
        return build_all(MemberPeriod, self._all(
            "select * from member_periods where group_slug = ? and member = ? order by id",
            [group, slug],
        ))

    def group_periods(self, group: str) -> list[MemberPeriod]:
        """Every member's history in one read, by member then oldest first (the
        cooptation tree: who admitted whom, and who came back)."""
        return build_all(MemberPeriod, self._all(
            "select * from member_periods where group_slug = ? order by member, id", [group]))

    def period_seq(self) -> int:
        """The newest member period's id: a proposal opened now freezes its electorate as
        the members whose period as of this id is ``active``."""
        row = self._one("select max(id) as seq from member_periods")
        return int(row["seq"] or 0) if row else 0

    def in_electorate(self, proposal: Proposal, member: str) -> bool:
        """Whether a member was active when the proposal opened."""
        if proposal.electorate_seq is None:  # opened before periods: its copied list
            return member in json.loads(proposal.electorate or "[]")
        row = self._one(
            "select status from member_periods where group_slug = ? and member = ? and id <= ?"
            " order by id desc limit 1",
            [proposal.group_slug, member, proposal.electorate_seq],
        )
        return row is not None and row["status"] == "active"

    def electorate(self, proposal: Proposal) -> list[str]:
        """The members active when the proposal opened, by slug."""
        if proposal.electorate_seq is None:
            return sorted(json.loads(proposal.electorate or "[]"))
        rows = self._all(
            "select member from member_periods as p where group_slug = ? and id = ("
            " select max(id) from member_periods where group_slug = p.group_slug"
            " and member = p.member and id <= ?) and status = 'active' order by member",
            [proposal.group_slug, proposal.electorate_seq],
        )
        return [row["member"] for row in rows]

    def silent_voters(self, proposal: Proposal, spoken: set[str]) -> list[str]:
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
            [proposal.group_slug, *voters],
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

    def members_by_name_key(self, group: str, name_key: str) -> list[Member]:
        return build_all(Member, self._all(
            "select * from members where group_slug = ? and name_key = ? order by slug",
            [group, name_key],
        ))

    def set_member_name_key(self, group: str, slug: str, key: str) -> None:
        self.db.execute("update members set name_key = ? where group_slug = ? and slug = ?",
                        [key, group, slug])

    def slug_taken(self, group: str, slug: str) -> bool:
        return self.member(group, slug) is not None

    # --- persons ------------------------------------------------------------------------
    def person(self, group: str, person: str) -> Person | None:
        row = self._one(
            "select * from persons where group_slug = ? and person = ?", [group, person]
        )
        return build(Person, row) if row else None

    def linked_member(self, group: str, person: str) -> Member | None:
        """The member (any status) a person represents in a group, or None if unlinked."""
        row = self._one(
            "select members.* from persons join members on members.group_slug = persons.group_slug"
            " and members.slug = persons.member where persons.group_slug = ? and persons.person = ?",
            [group, person],
        )
        return build(Member, row) if row else None

    def in_good_standing(self, group: str, person: str) -> bool:
        """Unlinked, or representing an active member: a suspended or departed member's
        persons lose their rights (SPEC section 3), roles included."""
        member = self.linked_member(group, person)
        return member is None or member.status == "active"

    def groups_of(self, person: str) -> list[str]:
        rows = self._all(
            "select group_slug from persons where person = ? and member is not null"
            " order by group_slug",
            [person],
        )
        return [row["group_slug"] for row in rows]

    def persons(self, group: str) -> list[Person]:
        return build_all(Person, self._all(
            "select * from persons where group_slug = ? and member is not null order by person",
            [group],
        ))

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
        written = cursor.rowcount == 1
        if written and person.startswith("forum:"):
            # Linked (or unlinked) anew: whichever account holds the name now is the one
            # first seen from here on (``ForumStore.account_of``).
            self.db.execute("delete from forum_accounts where username = ?",
                            [person[len("forum:"):]])
        return written

    # --- languages ------------------------------------------------------------------------
    def language_of(self, person: str) -> str | None:
        """The language a person chose, if they did."""
        row = self._one("select lang from person_languages where person = ?", [person])
        return row["lang"] if row else None

    def languages_of(self, people: list[str]) -> dict[str, str]:
        """person -> chosen language, for those of ``people`` who chose one."""
        if not people:
            return {}
        marks = ", ".join("?" for _ in people)
        rows = self._all(f"select person, lang from person_languages where person in ({marks})",
                         list(people))
        return {row["person"]: row["lang"] for row in rows}

    def set_language(self, person: str, lang: str, at: datetime) -> None:
        self.db.execute(
            "insert into person_languages (person, lang, changed_at) values (?, ?, ?)"
            " on conflict (person) do update set lang = excluded.lang,"
            " changed_at = excluded.changed_at", [person, lang, iso(at)])

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
