"""What the repository hands out: frozen rows with ``datetime`` fields.

ISO strings live only in ``storage/``: a column holding an instant is read back as an aware
``datetime`` here, and any ``datetime`` given to a write is stored as ISO (``base.Store``).
JSON columns are decoded by the properties that need them. A row is a snapshot: to see a
change, read it again (or ``dataclasses.replace`` it where the code made the change itself).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar, get_type_hints

from .timestamps import from_iso

R = TypeVar("R")

@dataclass(frozen=True, slots=True)
class Member:
    group_slug: str
    slug: str
    name: str
    name_key: str
    status: str          # active | suspended | left
    admitted_at: datetime | None
    coopted_by: str | None
    proposal: str | None
    origin: str | None   # config | cooptation | command


@dataclass(frozen=True, slots=True)
class MemberPeriod:
    id: int
    group_slug: str
    member: str
    status: str
    start_at: datetime | None
    end_at: datetime | None
    proposal: str | None
    coopted_by: str | None
    actor: str | None


@dataclass(frozen=True, slots=True)
class Person:
    group_slug: str
    person: str
    member: str | None   # None: known, linked to no member
    origin: str | None
    changed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Proposal:
    key: str
    group_slug: str
    number: int
    candidate: str
    candidate_key: str
    rationale: str | None
    website: str | None
    contact: str | None
    description: str | None
    charter_answers: str | None   # JSON: {principle number: answer}
    proposer: str
    proposer_member: str
    state: str
    created_at: datetime
    deadline: datetime
    last_call_at: datetime | None
    electorate: str | None        # JSON list, only for proposals opened before member periods
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    member_slug: str | None
    extended_by: int | None
    event_id: str | None
    rules: str | None             # JSON: the rules of the day it opened (ProposalRules)
    no_decider_at: datetime | None
    electorate_seq: int | None
    last_call_due: datetime | None
    reach_extended_at: datetime | None = None  # the one extension for want of reach

    @property
    def ref(self) -> str:
        return f"C-{self.number}"

    @property
    def answers(self) -> dict[str, str]:
        return json.loads(self.charter_answers or "{}")


@dataclass(frozen=True, slots=True)
class Objection:
    id: int
    proposal: str
    person: str
    member: str
    reason: str | None
    principles: str | None   # the charter principles cited, "1,3"
    at: datetime
    recorded_at: datetime | None
    withdrawn_at: datetime | None
    event_id: str | None


@dataclass(frozen=True, slots=True)
class Support:
    proposal: str
    person: str
    member: str
    comment: str | None
    at: datetime
    event_id: str | None


@dataclass(frozen=True, slots=True)
class Task:
    key: str
    group_slug: str
    number: int
    title: str
    description: str | None
    lead: str
    role: str | None
    state: str
    due: datetime | None
    created_at: datetime
    created_by: str
    origin: str | None
    proposal: str | None
    episode: int
    episode_start: datetime
    last_activity_at: datetime | None
    snoozed_until: datetime | None
    feedback_text: str | None
    closed_at: datetime | None
    closed_by: str | None
    close_reason: str | None
    event_id: str | None
    next_step_at: datetime | None
    title_key: str | None = None          # a task the bot made: its title as a catalogue key
    title_params: str | None = None       # … and its parameters (JSON)
    description_key: str | None = None
    description_params: str | None = None

    @property
    def ref(self) -> str:
        return f"T-{self.number}"


@dataclass(frozen=True, slots=True)
class TaskEvent:
    id: int
    task: str
    at: datetime
    actor: str
    kind: str
    episode: int | None
    step: int | None
    person: str | None
    text: str | None
    detail: str | None
    event_id: str | None

    @property
    def details(self) -> dict[str, Any]:
        return json.loads(self.detail or "{}")


@dataclass(frozen=True, slots=True)
class Ack:
    task: str
    episode: int
    person: str
    member: str | None
    comment: str | None
    at: datetime
    event_id: str | None


@dataclass(frozen=True, slots=True)
class Away:
    id: int
    person: str
    start_at: datetime
    end_at: datetime
    declared_at: datetime | None
    group_slug: str | None
    event_id: str | None


@dataclass(frozen=True, slots=True)
class Setting:
    group_slug: str
    key: str
    value: str
    changed_by: str | None
    changed_at: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    group_slug: str | None
    actor: str
    action: str
    subject: str | None
    detail: str | None
    event_id: str | None

    @property
    def details(self) -> dict[str, Any]:
        return json.loads(self.detail or "{}")


# --- reading rows into them ------------------------------------------------------------------

_SHAPES: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}


def _shape(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
    """A row class's field names, and those holding an instant (computed once)."""
    shape = _SHAPES.get(cls)
    if shape is None:
        hints = get_type_hints(cls)
        names = tuple(f.name for f in fields(cls))
        instants = frozenset(n for n in names if datetime in (hints[n], *getattr(hints[n], "__args__", ())))
        shape = _SHAPES[cls] = (names, instants)
    return shape


def build(cls: type[R], row: dict[str, Any]) -> R:
    """A row class from a database row (columns it does not know are left out)."""
    names, instants = _shape(cls)
    values = {}
    for name in names:
        value = row.get(name)
        if name in instants and value is not None:
            value = from_iso(value)
        values[name] = value
    return cls(**values)


def build_all(cls: type[R], rows: list[dict[str, Any]]) -> list[R]:
    return [build(cls, row) for row in rows]


def values(row: Any) -> dict[str, Any]:
    """A row class's fields by name, to be written (instants become ISO in ``base``)."""
    names, _ = _shape(type(row))
    return {name: getattr(row, name) for name in names}
