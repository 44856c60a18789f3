"""What happens to a proposal besides the commands that ask for it (SPEC section 3): every
move of the lifecycle table, the rules of the day, the decisions the clock makes (deadline,
last call, downtime), admission and its re-check, and the follow-up of a contested decision.

Every state change goes through ``move``, which consults the transition table in
``lifecycle``; like every change, it is recorded on the command's ``Effects`` and written by
the one applier (``changes``), so no path can make a move the table forbids or leave one
unaudited.

Rules of legitimacy held here (README, "Rules no input may break"):

* **Nobody decides their own case** (``legitimacy.deciders``): when nobody may decide, the
  room is told once which role is missing and the admins are asked to grant it
  (``follow_decision``), and the follow-up goes on.
* **The rules of the day** (``rules_of``): the silence window, last call, reopen grace,
  minimum supports, informed silence (``min_reached``, ``reach_extension``: see ``reach``)
  and charter are frozen with the proposal when it opens.
* **One name, one candidate** (``parsing.name_key``), checked again at admission: an active
  or suspended member of the same name makes the proposal lapse; one that left comes back
  in its own row (``admit``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.rows import Member, Objection, Proposal

from . import followup, reach
from .changes import (
    Admitted,
    DeciderFound,
    LastCallSent,
    NoDecider,
    ObjectionWithdrawn,
    ProposalMoved,
    WindowExtended,
)
from .context import Effects, Group
from .legitimacy import deciders, in_good_standing_holders
from .lifecycle import CLOSES_DECISION_TASK, State, Transition
from .parsing import name_key, slugify
from .render import Count, Mention
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



def move(out: Effects, proposal: Proposal, transition: Transition, actor: str,
         reason: str | None = None, **fields: Any) -> Proposal:
    """One transition of the table (refused by it if not listed), with what the table says
    follows from it (``CLOSES_DECISION_TASK``); returns the proposal as it now is."""
    change = ProposalMoved(actor=actor, event_id=out.event_id, proposal=proposal,
                           transition=transition, fields=fields, reason=reason)
    after = change.after  # the table's verdict, before anything is written
    out.apply(change)
    if transition in CLOSES_DECISION_TASK:
        followup.close_for_proposal(out, after, CLOSES_DECISION_TASK[transition], actor)
    return after


def withdraw_objection(out: Effects, proposal: Proposal, objection: Objection,
                       actor: str) -> None:
    """Withdraw one objection; the last one withdrawn reopens the proposal with a grace."""
    repo, group, now = out.repo, out.group, out.now
    out.apply(ObjectionWithdrawn(actor=actor, event_id=out.event_id, objection=objection))
    if proposal.state == State.CONTESTED and not repo.objections(proposal.key, active_only=True):
        deadline = max(proposal.deadline, now + rules_of(group, proposal).reopen_grace)
        proposal = move(out, proposal, Transition.LAST_OBJECTION_WITHDRAWN, actor,
                        **deadline_fields(group, proposal, deadline))
        out.announce("ann.reopened", subject=proposal.key, ref=ref(proposal),
                     candidate=proposal.candidate, deadline=group.when(deadline))


def decide_at_deadline(out: Effects, proposal: Proposal) -> None:
    """An open proposal whose deadline passed, every source read up to it: validate or lapse,
    by the rules of the day it opened."""
    repo, group, now = out.repo, out.group, out.now
    deadline = proposal.deadline
    counted = [o for o in repo.objections(proposal.key, active_only=True) if o.at <= deadline]
    assert not counted, "an open proposal cannot hold a counted objection"
    if reach.extend_if_unreached(out, proposal):
        return  # informed silence: too few were reached by now; the window grows, once
    supporters = {s.member for s in repo.supports(proposal.key)
                  if s.member != proposal.proposer_member and s.at <= deadline}
    needed = rules_of(group, proposal).min_supporters
    if len(supporters) < needed:
        reason = f"{len(supporters)}/{needed} supports"
        move(out, proposal, Transition.DEADLINE_UNSUPPORTED, BOT,
             decided_at=now, decided_by=BOT, decision_reason=reason)
        out.announce("ann.lapsed", subject=proposal.key, ref=ref(proposal),
                     candidate=proposal.candidate, needed=Count(needed, "count.support"),
                     count=len(supporters))
        return
    taken = name_taken(out, proposal)
    if taken is not None:
        lapse_name_taken(out, proposal, taken, BOT)
        return
    proposal = move(out, proposal, Transition.DEADLINE_SILENT, BOT, decided_at=now,
                    decided_by=BOT)
    member_slug = admit(out, proposal, BOT)
    proposer = repo.member(group.slug, proposal.proposer_member)
    out.announce("ann.validated", subject=proposal.key, ref=ref(proposal),
                 candidate=proposal.candidate,
                 member=proposer.name if proposer else proposal.proposer_member)
    followup.mandate_registration(out, proposal, member_slug)


def name_taken(out: Effects, proposal: Proposal) -> Member | None:
    """The active or suspended member that already bears the candidate's name, if any: the
    admission re-check (a member may have been added, or renamed into a twin, meanwhile)."""
    for member in out.repo.members_by_name_key(out.group.slug, name_key(proposal.candidate)):
        if member.status in ("active", "suspended"):
            return member
    return None


def lapse_name_taken(out: Effects, proposal: Proposal, member: Member, actor: str) -> None:
    """No second member of one name: the proposal lapses, saying why (a suspended member
    comes back only by ``!member reinstate``)."""
    reason = f"already a member: {member.slug} ({member.status})"
    proposal = move(out, proposal, Transition.NAME_TAKEN, actor, decided_at=out.now,
                    decided_by=BOT, decision_reason=reason)
    out.announce("ann.lapsed_name_taken", subject=proposal.key, ref=ref(proposal),
                 candidate=proposal.candidate, member=member.name, slug=member.slug,
                 status=out.group.phrase(f"member.{member.status}"))


def last_call(out: Effects, proposal: Proposal) -> None:
    """Once per proposal: remind only the members' representatives who have not spoken."""
    repo = out.repo
    spoken = {o.member for o in repo.objections(proposal.key)}
    spoken |= {s.member for s in repo.supports(proposal.key)}
    spoken.add(proposal.proposer_member)
    people = repo.silent_voters(proposal, spoken)
    out.apply(LastCallSent(actor=BOT, proposal=proposal, reminded=people))
    if people:
        out.announce("ann.last_call", subject=proposal.key, ref=ref(proposal),
                     candidate=proposal.candidate,
                     deadline=out.group.when(proposal.deadline),
                     people=Mention(tuple(people)))


def extend_for_downtime(out: Effects, proposal: Proposal, downtime_start: datetime) -> None:
    """Downtime is never silence: a window that lost more than ``downtime_grace`` grows back."""
    group, now = out.group, out.now
    created, deadline = proposal.created_at, proposal.deadline
    lost = min(deadline, now) - max(created, downtime_start)
    if lost <= group.settings.downtime_grace:
        return
    # Back after the deadline, the lost time counts from the return: an extension that ended
    # in the past would decide at once, over a window nobody could use.
    new_deadline = max(deadline, now) + lost
    out.apply(WindowExtended(
        actor=BOT, proposal=proposal, fields=deadline_fields(group, proposal, new_deadline),
        lost_seconds=int(lost.total_seconds()),
        shift_seconds=int((new_deadline - deadline).total_seconds())))
    out.announce("ann.extended", subject=proposal.key, ref=ref(proposal),
                 candidate=proposal.candidate, downtime=group.span(lost),
                 deadline=group.when(new_deadline))


def admit(out: Effects, proposal: Proposal, actor: str) -> str:
    """The candidate becomes an active member, coopted by the proposer's member. Called after
    ``name_taken`` found no active or suspended twin: an organisation that had left comes back
    in its own row (its earlier admission stays in its history), any other is new.

    A returning member gives its people back their standing (roles included): they may be
    deciders again, so every contested proposal is followed again."""
    repo, group = out.repo, out.group
    key = name_key(proposal.candidate)
    departed = [m for m in repo.members_by_name_key(group.slug, key) if m.status == "left"]
    slug = departed[0].slug if departed else free_slug(out, proposal.candidate)
    out.apply(Admitted(actor=actor, event_id=out.event_id, proposal=proposal, slug=slug,
                       name=proposal.candidate, name_key=key, readmitted=bool(departed)))
    if departed:
        for contested in repo.proposals(group.slug, (State.CONTESTED.value,)):
            follow_decision(out, contested)
    return slug


# --- who decides ---------------------------------------------------------------------------

def follow_decision(out: Effects, proposal: Proposal,
                    known: tuple[list[str], str | None] | None = None) -> None:
    """Keep a contested proposal's follow-up in line with who may decide it: its
    ``Decide on C-n`` task led by an eligible decider (reassigned when an objection, a role or
    a member changes that), or, when nobody may decide, the room told once which role is
    missing and the admins asked to grant it. Run after every change that can move it.
    ``known``: ``deciders(repo, proposal)``, when the caller has just computed it."""
    if proposal.state != State.CONTESTED:
        return
    repo, group = out.repo, out.group
    people, role = known if known is not None else deciders(repo, proposal)
    if people:
        if proposal.no_decider_at:
            out.apply(DeciderFound(actor=BOT, event_id=out.event_id, proposal=proposal))
        followup.assign_decision(out, proposal, people, role)
        return
    if not proposal.no_decider_at:
        admins = in_good_standing_holders(repo, group.slug, "admin")
        out.apply(NoDecider(actor=BOT, event_id=out.event_id, proposal=proposal,
                            admins=admins))
        out.announce("ann.no_decider", subject=proposal.key, ref=ref(proposal),
                     candidate=proposal.candidate, admins=Mention(tuple(admins)))
    followup.assign_decision(out, proposal, [], None)


def free_slug(out: Effects, name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while out.repo.slug_taken(out.group.slug, slug):
        slug, n = f"{base}-{n}", n + 1
    return slug
