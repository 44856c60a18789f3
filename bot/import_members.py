"""``coopbot import-members``: a group's existing members from a spreadsheet.

The CSV has the columns ``slug,name,matrix,discourse`` (a header line, then one member a
line; several Matrix IDs or forum usernames in a cell are separated by spaces). Without
``--apply`` it only says what it would do. With it, every new member is added as a founder
(no proposal, ``origin`` ``import``), its representatives are linked, and each change is
audited, all in one transaction: if any row is bad, every bad row is reported with its line
and nothing is applied. Running it twice changes nothing the second time.

It runs beside a live bot, like ``coopbot grant-admin``: it does not take the bot's lock,
SQLite serialises its one transaction with the bot's writes, and the bot reads members and
links from the database at every command. The plan is made again inside the transaction,
so a change the bot made meanwhile (a member admitted by cooptation) is taken into account.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from commands.changes import PersonLinked, StepsToRecompute
from commands.changes_startup import FounderSeeded
from commands.changes import apply as apply_change
from commands.context import Effects, Group
from commands.decisions import follow_decision
from commands.lifecycle import State
from commands.legitimacy import in_good_standing_holders
from commands.parsing import clean_name, is_matrix_id, name_key
from storage.repository import Repository

from .config import is_slug

COLUMNS = ("slug", "name", "matrix", "discourse")
ACTOR = "host"
_FORUM_USER = re.compile(r"^[A-Za-z0-9_.\-]{1,60}$")


class ImportRefused(Exception):
    """The file has bad rows (listed in ``problems``): nothing was applied."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} bad row(s)")
        self.problems = problems


@dataclass(frozen=True)
class Row:
    line: int
    slug: str
    name: str
    people: tuple[str, ...]   # Matrix IDs and forum:username, as the database keeps them


@dataclass
class Plan:
    """What an import would do; ``problems`` are the bad rows, as ``LINE: why``."""

    new_members: list[Row] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)   # (person, member slug)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.new_members and not self.links


def line_of(problem: str) -> int:
    """The line number a problem starts with (``12: why``)."""
    return int(problem.split(":", 1)[0])


def read(text: str) -> tuple[list[Row], list[str]]:
    """The rows of the CSV text, and the problems of its form (line numbers from 1)."""
    rows: list[Row] = []
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = next(reader, None)
        if header is None:
            return [], ["1: the file is empty (expected the header slug,name,matrix,discourse)"]
        if tuple(h.strip().lower() for h in header) != COLUMNS:
            problems.append(f"{reader.line_num}: the header must be {','.join(COLUMNS)}, "
                            f"not {','.join(header)}")
            return [], problems
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(COLUMNS):
                problems.append(f"{line}: {len(cells)} cells, expected {len(COLUMNS)} "
                                f"({','.join(COLUMNS)})")
                continue
            row, why = _row(line, cells)
            problems.extend(f"{line}: {reason}" for reason in why)
            if not why:
                rows.append(row)
    except csv.Error as error:
        problems.append(f"{reader.line_num}: not valid CSV ({error})")
    if not rows and not problems:
        problems.append("2: no member in the file")
    return rows, problems


def _row(line: int, cells: list[str]) -> tuple[Row, list[str]]:
    slug, raw_name, matrix, discourse = (cell.strip() for cell in cells)
    why = []
    if not is_slug(slug):
        why.append(f"slug {slug!r}: lowercase letters, digits, - or _ (for example dewey)")
    name = clean_name(raw_name)
    if not name:
        why.append("the name is empty")
    elif not name_key(name):
        why.append(f"the name {name!r} has no letter or digit")
    people = []
    for person in matrix.split():
        if is_matrix_id(person):
            people.append(person)
        else:
            why.append(f"{person!r} is not a Matrix ID such as @alice:example.org")
    for user in discourse.split():
        user = user.removeprefix("forum:").removeprefix("@")
        if _FORUM_USER.match(user):
            people.append(f"forum:{user.lower()}")
        else:
            why.append(f"{user!r} is not a forum username (letters, digits, _ . -)")
    return Row(line, slug, name, tuple(people)), why


def plan(repo: Repository, group: str, rows: list[Row]) -> Plan:
    """What importing ``rows`` into ``group`` would do, against the database as it is."""
    result = Plan()
    slugs: dict[str, int] = {}
    keys: dict[str, int] = {}
    people: dict[str, int] = {}
    for row in rows:
        why = []
        key = name_key(row.name)
        if row.slug in slugs:
            why.append(f"the slug {row.slug} is also on line {slugs[row.slug]}")
        if key in keys:
            why.append(f"{row.name!r} is one name with line {keys[key]} (case, accents, "
                       "spaces and punctuation aside)")
        slugs.setdefault(row.slug, row.line)
        keys.setdefault(key, row.line)
        existing = repo.member(group, row.slug)
        if existing is not None and existing.name_key != key:
            why.append(f"the slug {row.slug} is already the member {existing.name!r}")
        twins = [m for m in repo.members_by_name_key(group, key) if m.slug != row.slug]
        if twins:
            why.append(f"{row.name!r} is one name with the member {twins[0].name!r} "
                       f"({twins[0].slug})")
        links = []
        for person in row.people:
            if person in people:
                why.append(f"{person} is also on line {people[person]}")
                continue
            people[person] = row.line
            linked = repo.person(group, person)
            if linked is not None and linked.member not in (None, row.slug):
                why.append(f"{person} already represents the member {linked.member}")
            elif linked is None or linked.member is None:
                links.append((person, row.slug))
        if why:
            result.problems.extend(f"{row.line}: {reason}" for reason in why)
            continue
        if existing is None:
            result.new_members.append(row)
        elif not links:
            result.unchanged.append(f"{row.slug} ({existing.status})")
        result.links.extend(links)
    result.problems.extend(_last_admins(repo, group, rows, result.links))
    return result


def _last_admins(repo: Repository, group: str, rows: list[Row],
                 links: list[tuple[str, str]]) -> list[str]:
    """An admin in good standing always remains (SPEC section 13): like ``!link``, an import
    may not link the last ones to an organisation that is not active (a new member is)."""
    admins = in_good_standing_holders(repo, group, "admin")
    losing = {}
    for person, slug in links:
        member = repo.member(group, slug)
        if person in admins and member is not None and member.status != "active":
            losing[person] = member
    if not admins or set(admins) - set(losing):
        return []
    line = {person: row.line for row in rows for person in row.people}
    return [f"{line[person]}: {person} is an admin, and {member.slug} is {member.status}: "
            "the group would be left without an admin in good standing"
            for person, member in losing.items()]


def apply(repo: Repository, group: Group, rows: list[Row], now: datetime) -> Plan:
    """Import ``rows`` into ``group`` (as the engine defines it: ``Engine.group``) in one
    transaction, planned again inside it; raises ``ImportRefused`` with every bad row,
    having changed nothing."""
    with repo.transaction():
        result = plan(repo, group.slug, rows)
        if result.problems:
            raise ImportRefused(result.problems)
        repo.ensure_group(group.slug, group.name, now)
        for row in result.new_members:
            apply_change(repo, now, FounderSeeded(
                actor=ACTOR, group=group.slug, slug=row.slug, name=row.name,
                name_key=name_key(row.name), origin="import",
                detail={"name": row.name, "line": row.line, "by": "coopbot import-members"}))
        for person, member in result.links:
            apply_change(repo, now, PersonLinked(
                actor=ACTOR, group=group.slug, person=person, member=member, origin="import",
                detail={"by": "coopbot import-members"}))
        if not result.empty:  # who answers for a task may have changed
            apply_change(repo, now, StepsToRecompute(actor=ACTOR, group=group.slug))
            # …and who may decide a contested proposal: a person linked to the organisation
            # that made it or objected is part of the case (like ``!link``).
            out = Effects(repo, group, now)
            for proposal in repo.proposals(group.slug, (State.CONTESTED.value,)):
                follow_decision(out, proposal)
            out.flush()
    return result


def describe(result: Plan, applied: bool) -> str:
    """The plan (or what was done) for the host's terminal."""
    verb = ("added", "linked") if applied else ("would add", "would link")
    lines = [f"{verb[0]} member {row.slug}: {row.name}" for row in result.new_members]
    lines += [f"{verb[1]} {person} to {member}" for person, member in result.links]
    lines += [f"unchanged: {what}" for what in result.unchanged]
    if result.empty:
        lines.append("nothing to do: every member and link is already there")
    return "\n".join(lines)
