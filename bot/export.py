"""``coopbot export``: the state on stdout, as JSON (an array of objects) or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from storage.repository import Repository

WHATS = ("proposals", "members", "audit")


def rows(repo: Repository, what: str) -> list[dict[str, Any]]:
    if what == "proposals":
        return [_proposal(repo, p) for p in repo.proposals()]
    if what == "members":
        return [_member(repo, m) for g in _groups(repo) for m in repo.members(g)]
    if what == "audit":
        return [{"id": r["id"], "at": r["at"], "group": r["group_slug"], "actor": r["actor"],
                 "action": r["action"], "subject": r["subject"],
                 "detail": json.loads(r["detail"] or "{}"), "event_id": r["event_id"]}
                for r in repo.audit_rows()]
    raise ValueError(f"unknown export: {what}")


def _groups(repo: Repository) -> list[str]:
    return [row["slug"] for row in repo.db.query("select slug from groups order by slug")]


def _proposal(repo: Repository, p: dict) -> dict[str, Any]:
    return {
        "id": f"C-{p['number']}", "group": p["group_slug"], "candidate": p["candidate"],
        "state": p["state"], "proposer": p["proposer"], "proposer_member": p["proposer_member"],
        "rationale": p["rationale"], "website": p["website"], "contact": p["contact"],
        "description": p["description"],
        "charter_answers": json.loads(p["charter_answers"] or "{}"),
        "created_at": p["created_at"], "deadline": p["deadline"],
        "last_call_at": p["last_call_at"], "decided_at": p["decided_at"],
        "decided_by": p["decided_by"], "decision_reason": p["decision_reason"],
        "member": p["member_slug"], "electorate": json.loads(p["electorate"] or "[]"),
        "objections": [
            {"person": o["person"], "member": o["member"], "reason": o["reason"],
             "principles": o["principles"], "at": o["at"], "recorded_at": o["recorded_at"],
             "withdrawn_at": o["withdrawn_at"]}
            for o in repo.objections(p["key"])
        ],
        "supports": [
            {"person": s["person"], "member": s["member"], "comment": s["comment"], "at": s["at"]}
            for s in repo.supports(p["key"])
        ],
    }


def _member(repo: Repository, m: dict) -> dict[str, Any]:
    return {
        "group": m["group_slug"], "slug": m["slug"], "name": m["name"], "status": m["status"],
        "admitted_at": m["admitted_at"], "coopted_by": m["coopted_by"],
        "proposal": m["proposal"].split(":")[-1] if m["proposal"] else None,
        "representatives": repo.representatives(m["group_slug"], m["slug"]),
    }


def render(data: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    if data:
        writer = csv.DictWriter(buffer, fieldnames=list(data[0]))
        writer.writeheader()
        for row in data:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                             for k, v in row.items()})
    return buffer.getvalue()
