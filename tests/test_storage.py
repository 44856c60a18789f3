"""The storage layer: typed rows, instants kept as ISO text, and the queries that must stay
indexed (a plan that walks a table is a cost that grows with the group)."""

from __future__ import annotations

from datetime import datetime, timezone

from storage.repository import Repository
from storage.rows import Member


def _plan(repo: Repository, sql: str, params: list) -> str:
    return " ".join(row[3] for row in repo.db.execute(f"explain query plan {sql}", params))


def test_members_of_one_name_are_found_by_their_index(tmp_path):
    repo = Repository(tmp_path / "c.db")
    plan = _plan(repo, "select * from members where group_slug = ? and name_key = ?"
                       " order by slug", ["sem", "repairtogether"])
    assert "name_key=?" in plan and "TEMP B-TREE" not in plan, plan
    repo.close()


def test_rows_come_back_typed_and_instants_are_stored_as_iso(tmp_path):
    repo = Repository(tmp_path / "c.db")
    at = datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc)
    repo.add_member({"group_slug": "sem", "slug": "dewey", "name": "Dewey ASBL",
                     "name_key": "deweyasbl", "status": "active", "admitted_at": at,
                     "coopted_by": None, "proposal": None, "origin": "config"}, actor="config")
    member = repo.member("sem", "dewey")
    assert isinstance(member, Member) and member.admitted_at == at
    stored = repo.db.execute("select admitted_at from members").fetchone()[0]
    assert stored == "2026-12-01T14:00:00Z"
    [period] = repo.member_periods("sem", "dewey")
    assert period.start_at == at and period.end_at is None
    repo.close()
