"""Who may decide, and who must always remain: the rules of legitimacy, in one place.

* **Nobody decides their own case** (SPEC section 3): a contested proposal is decided by a
  core member in good standing whose organisation neither made it nor objected to it
  (withdrawn or not); failing that, by an admin under the same condition; failing that, by
  nobody (the room is told which role is missing; granting a role is not deciding).
* **There is always a way out** (SPEC section 13): a group keeps at least one admin in good
  standing; no command may remove the last one (the host's ``coopbot grant-admin`` restores
  one when none is left).

Good standing: the person's own organisation, if they represent one, is active.
"""

from __future__ import annotations

from storage.repository import Repository
from storage.rows import Proposal

DECIDING_ROLES = ("core", "admin")


def in_good_standing_holders(repo: Repository, group: str, role: str) -> list[str]:
    """The holders of a role whose organisation (if any) is active, sorted by id."""
    return [p for p in repo.holders(group, role) if repo.in_good_standing(group, p)]


def deciders(repo: Repository, proposal: Proposal) -> tuple[list[str], str | None]:
    """Who may decide a contested proposal, and by which role: ``([], None)`` when nobody.

    Outside the case means: neither the proposer nor an objector (withdrawn or not) in
    person, and representing neither the proposing organisation nor an objecting one."""
    group = proposal.group_slug
    objections = repo.objections(proposal.key)
    people = {proposal.proposer} | {o.person for o in objections}
    organisations = {proposal.proposer_member} | {o.member for o in objections}

    def outside(person: str) -> bool:
        if person in people:
            return False
        member = repo.linked_member(group, person)
        return member is None or member.slug not in organisations

    for role in DECIDING_ROLES:
        eligible = [p for p in in_good_standing_holders(repo, group, role) if outside(p)]
        if eligible:
            return eligible, role
    return [], None
