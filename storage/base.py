"""What every part of the repository stands on: the database and two ways to read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from .timestamps import iso


class Store:
    """Reads over the shared sqlite-utils database (one connection, one transaction)."""

    db: Database

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

    def _labels(self, table: str, column: str, group: str) -> list[tuple[int, str, str]]:
        """(number, name, state) of a group's proposals or tasks, by number: what people
        call them by, read without building whole rows (a name lookup, a nearest id)."""
        cursor = self.db.conn.execute(
            f"select number, {column}, state from {table} where group_slug = ? order by number",
            [group])
        return [(int(number), name, state) for number, name, state in cursor.fetchall()]

    # Writes straight to the connection, like the reads: sqlite-utils' table helpers look the
    # table up and check the row first, which costs more than the write itself. Column names
    # come from this code, never from user input.
    def _insert(self, table: str, row: dict[str, Any]) -> int:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.conn.execute(f"insert into {table} ({columns}) values ({marks})",
                                      stored(row.values()))
        return int(cursor.lastrowid or 0)

    def _update(self, table: str, key_column: str, key: Any, fields: dict[str, Any]) -> None:
        if not fields:
            return
        assignments = ", ".join(f"{column} = ?" for column in fields)
        self.db.conn.execute(f"update {table} set {assignments} where {key_column} = ?",
                             [*stored(fields.values()), key])


def stored(values) -> list[Any]:
    """Values as SQLite keeps them: an instant as its ISO text (see ``timestamps``)."""
    return [iso(v) if isinstance(v, datetime) else v for v in values]
