"""The changes the start-up and the host's tools record (seeding founders, their people and
roles from the config file or a member import; bringing what older versions stored up to
today's rules; notes for the admins), applied by ``changes.apply`` like every other change.
(``changes.py`` holds the rest; this module registers its appliers there.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.repository import Repository
from storage.rows import Proposal

from .changes import Change, audit, register


@dataclass(frozen=True, kw_only=True)
class FounderSeeded(Change):
    """A founding member from the config file (``origin`` config) or the host's member import
    (``import``); one already in the database is kept as it is (the database wins)."""

    group: str
    slug: str
    name: str
    name_key: str
    origin: str = "config"
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class PersonSeeded(Change):
    group: str
    person: str
    member: str


@dataclass(frozen=True, kw_only=True)
class RoleSeeded(Change):
    group: str
    person: str
    role: str


@dataclass(frozen=True, kw_only=True)
class RulesRebuilt(Change):
    """The rules of the day of a proposal opened before rules were frozen."""

    proposal: Proposal
    rules: str


@dataclass(frozen=True, kw_only=True)
class LastCallScheduled(Change):
    proposal: Proposal
    due: datetime


@dataclass(frozen=True, kw_only=True)
class NameRekeyed(Change):
    """A stored name's comparison key under today's normalisation (``parsing.name_key``)."""

    group: str
    proposal: str | None = None
    member: str | None = None
    key: str


@dataclass(frozen=True, kw_only=True)
class Noted(Change):
    """Something the admins were told about, in the audit log only (twins, a failure)."""

    group: str
    action: str
    subject: str
    detail: dict[str, Any] = field(default_factory=dict)


@register
def _(change: FounderSeeded, repo: Repository, now: datetime) -> bool:
    added = repo.add_member({
        "group_slug": change.group, "slug": change.slug, "name": change.name,
        "name_key": change.name_key, "status": "active", "admitted_at": now,
        "coopted_by": None, "proposal": None, "origin": change.origin}, actor=change.actor)
    if added:
        audit(repo, now, change, change.group,
               "member_seeded" if change.origin == "config" else "member_imported",
               change.slug, **change.detail)
    return added


@register
def _(change: PersonSeeded, repo: Repository, now: datetime) -> None:
    repo.link_person(change.group, change.person, change.member, "config", now, replace=False)


@register
def _(change: RoleSeeded, repo: Repository, now: datetime) -> None:
    if repo.set_role(change.group, change.person, change.role, True, "config", now,
                     replace=False):
        audit(repo, now, change, change.group, "role_seeded", change.person, role=change.role)


@register
def _(change: RulesRebuilt, repo: Repository, now: datetime) -> None:
    repo.update_proposal(change.proposal.key, rules=change.rules)
    audit(repo, now, change, change.proposal.group_slug, "rules_rebuilt", change.proposal.key,
           rules=change.rules)


@register
def _(change: LastCallScheduled, repo: Repository, now: datetime) -> None:
    repo.update_proposal(change.proposal.key, last_call_due=change.due)


@register
def _(change: NameRekeyed, repo: Repository, now: datetime) -> None:
    if change.proposal is not None:
        repo.update_proposal(change.proposal, candidate_key=change.key)
    if change.member is not None:
        repo.set_member_name_key(change.group, change.member, change.key)


@register
def _(change: Noted, repo: Repository, now: datetime) -> None:
    audit(repo, now, change, change.group, change.action, change.subject, **change.detail)
