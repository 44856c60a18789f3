"""``coopbot export``: the state on stdout, as JSON (an array of objects) or CSV; the
cooptation tree as JSON (nodes and edges), DOT or PNG."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from storage.repository import Repository
from storage.rows import Member, Proposal, Task
from storage.timestamps import iso

WHATS = ("proposals", "members", "tasks", "audit", "tree")
FORMATS = ("json", "csv", "dot", "png")
TREE_FORMATS = ("json", "dot", "png")


def rows(repo: Repository, what: str) -> list[dict[str, Any]]:
    return [_plain(row) for row in _rows(repo, what)]


def _plain(value: Any) -> Any:
    """Instants as the ISO text they are stored as (``storage.timestamps``)."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _rows(repo: Repository, what: str) -> list[dict[str, Any]]:
    if what == "proposals":
        return [_proposal(repo, p) for p in repo.proposals()]
    if what == "members":
        return [_member(repo, m) for g in repo.group_slugs() for m in repo.members(g)]
    if what == "tasks":
        return [_task(repo, t) for t in repo.tasks()]
    if what == "audit":
        return [{"id": r.id, "at": r.at, "group": r.group_slug, "actor": r.actor,
                 "action": r.action, "subject": r.subject,
                 "detail": json.loads(r.detail or "{}"), "event_id": r.event_id}
                for r in repo.audit_rows()]
    raise ValueError(f"unknown export: {what}")


def _proposal(repo: Repository, p: Proposal) -> dict[str, Any]:
    return {
        "id": f"C-{p.number}", "group": p.group_slug, "candidate": p.candidate,
        "state": p.state, "proposer": p.proposer, "proposer_member": p.proposer_member,
        "rationale": p.rationale, "website": p.website, "contact": p.contact,
        "description": p.description,
        "charter_answers": json.loads(p.charter_answers or "{}"),
        "created_at": p.created_at, "deadline": p.deadline,
        "last_call_at": p.last_call_at, "decided_at": p.decided_at,
        "decided_by": p.decided_by, "decision_reason": p.decision_reason,
        "member": p.member_slug, "electorate": repo.electorate(p),
        "objections": [
            {"person": o.person, "member": o.member, "reason": o.reason,
             "principles": o.principles, "at": o.at, "recorded_at": o.recorded_at,
             "withdrawn_at": o.withdrawn_at}
            for o in repo.objections(p.key)
        ],
        "supports": [
            {"person": s.person, "member": s.member, "comment": s.comment, "at": s.at}
            for s in repo.supports(p.key)
        ],
    }


_LADDER_KINDS = ("nudge", "escalation", "feedback_reminder", "feedback_escalation")


def _task(repo: Repository, t: Task) -> dict[str, Any]:
    """A task; ``nudges`` counts every ladder step sent (reminders and escalations), which
    ``steps`` lists."""
    events = repo.task_events(t.key)
    steps = [
        {"at": e.at, "kind": e.kind, "episode": e.episode, "step": e.step,
         "to": json.loads(e.detail or "{}").get("to", [])}
        for e in events if e.step is not None and e.kind in _LADDER_KINDS
    ]
    return {
        "id": f"T-{t.number}", "group": t.group_slug, "title": t.title,
        "lead": t.lead, "role": t.role, "state": t.state, "due": t.due,
        "last_activity_at": t.last_activity_at, "nudges": len(steps),
        "description": t.description, "origin": t.origin,
        "proposal": t.proposal.split(":")[-1] if t.proposal else None,
        "created_at": t.created_at, "created_by": t.created_by,
        "snoozed_until": t.snoozed_until, "feedback": t.feedback_text,
        "closed_at": t.closed_at, "closed_by": t.closed_by,
        "close_reason": t.close_reason, "steps": steps,
        "acks": [{"person": a.person, "member": a.member, "comment": a.comment,
                  "at": a.at} for a in repo.acks(t.key)],
    }


def _member(repo: Repository, m: Member) -> dict[str, Any]:
    return {
        "group": m.group_slug, "slug": m.slug, "name": m.name, "status": m.status,
        "admitted_at": m.admitted_at, "coopted_by": m.coopted_by,
        "proposal": m.proposal.split(":")[-1] if m.proposal else None,
        "representatives": repo.representatives(m.group_slug, m.slug),
    }


# A spreadsheet reads a cell that starts with one of these as a formula: text people typed
# (a candidate's name, a reason) could then run in the host's spreadsheet ("CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """One CSV cell: lists and objects as JSON, and a text a spreadsheet would take for a
    formula kept as text, with a leading apostrophe (as OWASP advises)."""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render(data: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    if data:
        writer = csv.DictWriter(buffer, fieldnames=list(data[0]))
        writer.writeheader()
        for row in data:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


# --- the cooptation tree (commands/tree.py) ----------------------------------------------------

def tree_output(engine, slugs: list[str], fmt: str, today) -> bytes:
    """The trees of these groups (as the engine sees them: names, zones and languages in
    force) in ``fmt``: JSON nodes and edges, DOT text, or one group's PNG."""
    from commands import tree as trees

    groups = [engine.group(slug) for slug in slugs]
    built = [trees.build(engine.repo, g.slug, g.name) for g in groups]
    if fmt == "json":
        text = json.dumps(_plain(trees.as_json(built)), ensure_ascii=False, indent=2)
        return (text + "\n").encode()
    if fmt == "dot":
        return trees.as_dot(built, {g.slug: g.zone for g in groups},
                            {g.slug: g.lang for g in groups}).encode()
    group, tree = groups[0], built[0]
    picture = trees.TreePicture(tree, group.zone, today)
    return picture.draw(group.lang).data
