"""What happens to a proposal besides the commands that ask for it (SPEC section 3): every
move of the lifecycle table, the rules of the day, the decisions the clock makes (deadline,
last call, downtime), admission and its re-check, and the follow-up of a contested decision.

Every state change goes through ``move``, which consults the transition table in
``lifecycle`` and writes the audit row, so no path can make a move the table forbids.

Rules of legitimacy held here (README, "Rules no input may break"):

* **Nobody decides their own case** (``legitimacy.deciders``): when nobody may decide, the
  room is told once which role is missing and the admins are asked to grant it
  (``follow_decision``), and the follow-up goes on.
* **The rules of the day** (``rules_of``): the silence window, last call, reopen grace,
  minimum supports and charter are frozen with the proposal when it opens.
* **One name, one candidate** (``parsing.name_key``), checked again at admission: an active
  or suspended member of the same name makes the proposal lapse; one that left comes back
  in its own row (``admit``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from storage.repository import Repository
from storage.rows import Member, Objection, Proposal

from . import followup
from .context import Effects, Group
from .legitimacy import deciders, in_good_standing_holders
from .lifecycle import State, Transition, next_state
from .parsing import name_key, slugify
from .render import Mention, text
from .settings import ProposalRules

BOT = "coopbot"


def ref(proposal: Proposal) -> str:
    return proposal.ref


def deadline_fields(group: Group, proposal: Proposal,
                    deadline: datetime) -> dict[str, datetime | None]:
    """The stored fields that follow from a (new) deadline: the deadline, and when its last
    call is due (none once it was sent, nor when the window is shorter than the last call:
    it would only repeat the announcement)."""
    last_call = deadline - rules_of(group, proposal).last_call
    due = None if proposal.last_call_at or last_call <= proposal.created_at else last_call
    return {"deadline": deadline, "last_call_due": due}


def rules_of(group: Group, proposal: Proposal) -> ProposalRules:
    """The rules a proposal is judged by: frozen when it opened (rebuilt at start for the
    proposals opened before rules were frozen, see ``Engine.seed``)."""
    if proposal.rules:
        return ProposalRules.from_json(proposal.rules)
    return ProposalRules.of(group.settings, group.charter)


def move(repo: Repository, proposal: Proposal, transition: Transition, now: datetime,
         actor: str, event_id: str | None, reason: str | None = None,
         **fields: Any) -> Proposal:
    """Apply one transition of the table to a proposal; returns it as it now is."""
    new_state = next_state(proposal.state, transition)
    fields["state"] = new_state.value
    repo.update_proposal(proposal.key, **fields)
    repo.audit(at=now, group=proposal.group_slug, actor=actor, action=transition.value,
               subject=proposal.key,
               detail={"from": proposal.state, "to": new_state.value,
                       **({"reason": reason} if reason else {}),
                       **{k: v for k, v in fields.items() if k != "state"}},
               event_id=event_id)
    return replace(proposal, **fields)


def withdraw_objection(repo: Repository, group: Group, out: Effects, proposal: Proposal,
                       objection: Objection, now: datetime, actor: str,
                       event_id: str | None) -> None:
    """Withdraw one objection; the last one withdrawn reopens the proposal with a grace."""
    repo.update_objection(objection.id, withdrawn_at=now)
    repo.audit(at=now, group=group.slug, actor=actor, action="objection_withdrawn",
               subject=proposal.key, detail={"objection": objection.id}, event_id=event_id)
    if proposal.state == State.CONTESTED and not repo.objections(proposal.key, active_only=True):
        deadline = max(proposal.deadline, now + rules_of(group, proposal).reopen_grace)
        proposal = move(repo, proposal, Transition.LAST_OBJECTION_WITHDRAWN, now, actor, event_id,
             **deadline_fields(group, proposal, deadline))
        followup.close_for_proposal(repo, group, proposal, "reopened", now, actor, event_id)
        out.announce("ann.reopened", subject=proposal.key, ref=ref(proposal),
                     candidate=proposal.candidate, deadline=group.when(deadline))


def decide_at_deadline(repo: Repository, group: Group, out: Effects, proposal: Proposal,
                       now: datetime) -> None:
    """An open proposal whose deadline passed, every source read up to it: validate or lapse,
    by the rules of the day it opened."""
    deadline = proposal.deadline
    counted = [o for o in repo.objections(proposal.key, active_only=True)
               if o.at <= deadline]
    assert not counted, "an open proposal cannot hold a counted objection"
    supporters = {s.member for s in repo.supports(proposal.key)
                  if s.member != proposal.proposer_member and s.at <= deadline}
    needed = rules_of(group, proposal).min_supporters
    if len(supporters) < needed:
        reason = f"{len(supporters)}/{needed} supports"
        move(repo, proposal, Transition.DEADLINE_UNSUPPORTED, now, BOT, None,
             decided_at=now, decided_by=BOT, decision_reason=reason)
        out.announce("ann.lapsed", subject=proposal.key, ref=ref(proposal),
                     candidate=proposal.candidate, needed=needed, count=len(supporters))
        return
    taken = name_taken(repo, group, proposal)
    if taken is not None:
        lapse_name_taken(repo, group, out, proposal, taken, now, BOT, None)
        return
    proposal = move(repo, proposal, Transition.DEADLINE_SILENT, now, BOT, None,
                    decided_at=now, decided_by=BOT)
    member_slug = admit(repo, group, out, proposal, now, BOT, None)
    proposer = repo.member(group.slug, proposal.proposer_member)
    out.announce("ann.validated", subject=proposal.key, ref=ref(proposal),
                 candidate=proposal.candidate,
                 member=proposer.name if proposer else proposal.proposer_member)
    followup.mandate_registration(repo, group, out, proposal, member_slug, now, None)


def name_taken(repo: Repository, group: Group, proposal: Proposal) -> Member | None:
    """The active or suspended member that already bears the candidate's name, if any: the
    admission re-check (a member may have been added, or renamed into a twin, meanwhile)."""
    for member in repo.members_by_name_key(group.slug, name_key(proposal.candidate)):
        if member.status in ("active", "suspended"):
            return member
    return None


def lapse_name_taken(repo: Repository, group: Group, out: Effects, proposal: Proposal,
                     member: Member, now: datetime, actor: str, event_id: str | None) -> None:
    """No second member of one name: the proposal lapses, saying why (a suspended member
    comes back only by ``!member reinstate``)."""
    reason = f"already a member: {member.slug} ({member.status})"
    proposal = move(repo, proposal, Transition.NAME_TAKEN, now, actor, event_id,
                    decided_at=now, decided_by=BOT, decision_reason=reason)
    followup.close_for_proposal(repo, group, proposal, "resolved", now, actor, event_id)
    out.announce("ann.lapsed_name_taken", subject=proposal.key, ref=ref(proposal),
                 candidate=proposal.candidate, member=member.name, slug=member.slug,
                 status=text(group.lang, f"member.{member.status}"))


def last_call(repo: Repository, group: Group, out: Effects, proposal: Proposal,
              now: datetime) -> None:
    """Once per proposal: remind only the members' representatives who have not spoken."""
    spoken = {o.member for o in repo.objections(proposal.key)}
    spoken |= {s.member for s in repo.supports(proposal.key)}
    spoken.add(proposal.proposer_member)
    people = repo.silent_voters(proposal, spoken)
    repo.update_proposal(proposal.key, last_call_at=now)
    repo.audit(at=now, group=group.slug, actor=BOT, action="last_call", subject=proposal.key,
               detail={"reminded": people})
    if people:
        out.announce("ann.last_call", subject=proposal.key, ref=ref(proposal),
                     candidate=proposal.candidate,
                     deadline=group.when(proposal.deadline),
                     people=Mention(tuple(people)))


def extend_for_downtime(repo: Repository, group: Group, out: Effects, proposal: Proposal,
                        downtime_start: datetime, now: datetime) -> None:
    """Downtime is never silence: a window that lost more than ``downtime_grace`` grows back."""
    created, deadline = proposal.created_at, proposal.deadline
    lost = min(deadline, now) - max(created, downtime_start)
    if lost <= group.settings.downtime_grace:
        return
    # Back after the deadline, the lost time counts from the return: an extension that ended
    # in the past would decide at once, over a window nobody could use.
    new_deadline = max(deadline, now) + lost
    shift = int((new_deadline - deadline).total_seconds())
    repo.update_proposal(proposal.key, **deadline_fields(group, proposal, new_deadline),
                         extended_by=int(proposal.extended_by or 0) + shift)
    repo.audit(at=now, group=group.slug, actor=BOT, action="extended", subject=proposal.key,
               detail={"downtime_seconds": int(lost.total_seconds()), "deadline": new_deadline})
    out.announce("ann.extended", subject=proposal.key, ref=ref(proposal),
                 candidate=proposal.candidate, downtime=group.span(lost),
                 deadline=group.when(new_deadline))


def admit(repo: Repository, group: Group, out: Effects, proposal: Proposal, now: datetime,
          actor: str, event_id: str | None) -> str:
    """The candidate becomes an active member, coopted by the proposer's member. Called after
    ``name_taken`` found no active or suspended twin: an organisation that had left comes back
    in its own row (its earlier admission stays in its history), any other is new.

    A new member is expected to give feedback, and a returning one gives its people back their
    standing (roles included): the group's tasks compute their next step again, and a
    returning member's people may be deciders again."""
    key = name_key(proposal.candidate)
    departed = [m for m in repo.members_by_name_key(group.slug, key) if m.status == "left"]
    if departed:
        slug = departed[0].slug
        repo.readmit_member(group.slug, slug, name=proposal.candidate, at=now,
                            proposal=proposal.key, coopted_by=proposal.proposer_member,
                            actor=actor)
    else:
        slug = free_slug(repo, group.slug, proposal.candidate)
        repo.add_member({
            "group_slug": group.slug, "slug": slug, "name": proposal.candidate,
            "name_key": key, "status": "active", "admitted_at": now,
            "coopted_by": proposal.proposer_member, "proposal": proposal.key,
            "origin": "cooptation",
        }, actor=actor)
    repo.update_proposal(proposal.key, member_slug=slug)
    repo.audit(at=now, group=group.slug, actor=actor, action="member_admitted", subject=slug,
               detail={"proposal": proposal.key, "coopted_by": proposal.proposer_member,
                       "readmitted": bool(departed)},
               event_id=event_id)
    repo.forget_task_wakeups(group.slug)
    if departed:
        for contested in repo.proposals(group.slug, (State.CONTESTED.value,)):
            follow_decision(repo, group, out, contested, now, event_id)
    return slug


# --- who decides ---------------------------------------------------------------------------

def follow_decision(repo: Repository, group: Group, out: Effects, proposal: Proposal,
                    now: datetime, event_id: str | None) -> None:
    """Keep a contested proposal's follow-up in line with who may decide it: its
    ``Decide on C-n`` task led by an eligible decider (reassigned when an objection, a role or
    a member changes that), or, when nobody may decide, the room told once which role is
    missing and the admins asked to grant it. Run after every change that can move it."""
    if proposal.state != State.CONTESTED:
        return
    people, role = deciders(repo, proposal)
    if people:
        if proposal.no_decider_at:
            repo.update_proposal(proposal.key, no_decider_at=None)
        followup.assign_decision(repo, group, out, proposal, people, role, now, event_id)
        return
    if not proposal.no_decider_at:
        repo.update_proposal(proposal.key, no_decider_at=now)
        admins = in_good_standing_holders(repo, group.slug, "admin")
        repo.audit(at=now, group=group.slug, actor=BOT, action="no_decider",
                   subject=proposal.key, detail={"admins": admins}, event_id=event_id)
        out.announce("ann.no_decider", subject=proposal.key, ref=ref(proposal),
                     candidate=proposal.candidate, admins=Mention(tuple(admins)))
    followup.assign_decision(repo, group, out, proposal, [], None, now, event_id)


def free_slug(repo: Repository, group: str, name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while repo.slug_taken(group, slug):
        slug, n = f"{base}-{n}", n + 1
    return slug
