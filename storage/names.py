"""The names people are shown by: Matrix display names, written by the Matrix adapter as the
group rooms' membership events arrive, read by the renderer (``commands.render.Names``).

A display name is shown, never trusted: nothing here decides who anyone is. Two names
compare equal when they look alike to a reader (case, width, invisible characters and spaces
aside): both are then shown with their IDs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from datetime import datetime

from .base import Store
from .timestamps import iso

MAX_STORED = 256  # characters kept of a display name (Synapse's own limit)
FORUM = "forum:"


def name_key(name: str) -> str:
    """A display name as compared: without control and invisible formatting characters,
    NFKC-normalised, case-folded, its spaces collapsed."""
    visible = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(unicodedata.normalize("NFKC", visible).casefold().split())


class Names(Store):
    def set_display_name(self, person: str, name: str | None, room_id: str | None,
                         at: datetime) -> bool:
        """The display name ``person`` now has (None: none set); False when it was known."""
        if name is not None:
            name = name[:MAX_STORED]
        key = name_key(name) if name else None
        cursor = self.db.conn.execute(
            "insert into display_names (person, name, name_key, room_id, changed_at)"
            " values (?, ?, ?, ?, ?) on conflict (person) do update set name = excluded.name,"
            " name_key = excluded.name_key, room_id = excluded.room_id,"
            " changed_at = excluded.changed_at where name is not excluded.name",
            [person, name, key or None, room_id, iso(at)])
        return cursor.rowcount == 1

    def display_names(self, people: Collection[str]) -> dict[str, tuple[str | None, bool]]:
        """person -> (display name or None, whether someone else is shown by the same name),
        for those of ``people`` the bot knows a name of; in one query. A forum user is shown
        by their username: it counts as a name here too."""
        people = list(dict.fromkeys(people))
        if not people:
            return {}
        marks = ", ".join("?" for _ in people)
        found: dict[str, tuple[str | None, bool]] = {}
        rows = self._all(
            "select d.person, d.name, d.name_key is not null and (exists (select 1 from"
            " display_names as o where o.name_key = d.name_key and o.person != d.person)"
            " or exists (select 1 from persons where person = 'forum:' || d.name_key))"
            f" as shared from display_names as d where d.person in ({marks})", people)
        for row in rows:
            found[row["person"]] = (row["name"], bool(row["shared"]))
        forum = [p for p in people if p.startswith(FORUM) and p not in found]
        if forum:
            marks = ", ".join("?" for _ in forum)
            rows = self._all(f"select distinct name_key from display_names where name_key in"
                             f" ({marks})", [p[len(FORUM):] for p in forum])
            taken = {row["name_key"] for row in rows}
            for person in forum:
                if person[len(FORUM):] in taken:
                    found[person] = (None, True)
        return found
