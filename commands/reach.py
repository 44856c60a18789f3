"""Informed silence (issue 12, item 1): silence counts only when people were reached.

For each running proposal whose rules of the day ask for it (``min_reached`` above 0), the
bot notes which organisations of its electorate were reached: one of their representatives
read the announcement (a read receipt on it, or on a later event of the room), reacted to
it, wrote in the room after it, replied in the proposal's forum topic, or used a command
about it. A mark keeps the earliest such moment, by the source's own time, so a receipt read
late (after an outage) still counts for when it was sent.

At the deadline (``extend_if_unreached``, checked before ``min_supporters``), judged as of
that instant: over the electorate's organisations still active then, the proposer's left
out, if the share reached is below ``min_reached``, the window grows once by
``reach_extension`` (counted from the decision, so nobody gets less than that to answer),
the representatives of the organisations not reached are told by direct message, and the
room is told who was not reached. An objection sent within the extension counts. After that
one extension the proposal is decided like any other: the unreached were told in person,
and a rule that could extend for ever would let one absent member block every cooptation.

With ``min_reached`` at 0 nothing is counted: the rule is off, and no write is made.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

from storage.reach import ReachMark
from storage.repository import Repository
from storage.rows import Member, Proposal

from . import decisions
from .context import Context, Effects, Group
from .events import Inbound, Venue
from .lifecycle import ACTIVE
from .reach_changes import ReachExtended, ReachMarked
from .render import text
from .settings import share_text

BOT = "coopbot"
# Stored instants keep whole seconds: an event counts as after the announcement only from
# the second after the one it was delivered in (a message of that same second may have been
# written before it appeared).
SECOND = timedelta(seconds=1)
MAX_NAMED = 20          # organisations named in a message; the rest are counted


def counts(group: Group, proposal: Proposal) -> bool:
    """Whether the proposal's rules of the day count who it reached, while it runs."""
    return proposal.state in ACTIVE and decisions.rules_of(group, proposal).min_reached > 0


def note(out: Effects, proposal: Proposal, person: str, at: datetime, how: str) -> None:
    """``person`` showed at ``at`` that their organisation was reached by the proposal."""
    member = out.repo.linked_member(out.group.slug, person)
    if member is not None:
        _mark(out, proposal, member, person, at, how)


def _mark(out: Effects, proposal: Proposal, member: Member, person: str, at: datetime,
          how: str) -> None:
    """Kept if the member is in the electorate, not the proposer's, and not already known
    as reached by then."""
    repo = out.repo
    if member.slug == proposal.proposer_member:
        return
    known = repo.reach_mark(proposal.key, member.slug)
    if known is not None and known.at <= at:
        return
    if not repo.in_electorate(proposal, member.slug):
        return
    event_id = out.event.event_id if out.event is not None else None
    out.apply(ReachMarked(actor=person, event_id=event_id, group=out.group.slug,
                          mark=ReachMark(proposal.key, member.slug, person, at, how)))


def wrote(out: Effects, person: str, at: datetime) -> None:
    """Someone wrote in the group's room at ``at``: every counted announcement delivered
    before then reached them."""
    watched = out.repo.reach_watched(out.group.slug)
    member = out.repo.linked_member(out.group.slug, person) if watched else None
    for proposal, _, sent_at in watched:
        if member is not None and at >= sent_at + SECOND:
            _mark(out, proposal, member, person, at, "message")


def after_command(ctx: Context, about: list[Proposal]) -> None:
    """A command went through: the proposals it was about reached its caller, and, typed in
    the room, so did every announcement before it."""
    if not ctx.repo.reach_counting(ctx.group.slug):
        return  # the usual case: nothing counts who it reached (one query on an index)
    for proposal in {p.key: p for p in about}.values():
        if counts(ctx.group, proposal):
            note(ctx.out, proposal, ctx.caller, ctx.event.at, "command")
    if ctx.event.venue is Venue.ROOM:
        wrote(ctx.out, ctx.caller, ctx.event.at)


def on_chat(out: Effects, event: Inbound) -> None:
    """Words not for the bot: written in the room, or a reply in a proposal's forum topic."""
    if event.venue is Venue.FORUM and event.proposal:
        proposal = out.repo.proposal_by_key(event.proposal)
        if proposal is not None and proposal.group_slug == out.group.slug \
                and counts(out.group, proposal):
            note(out, proposal, event.sender, event.at, "forum")
    elif event.venue is Venue.ROOM:
        wrote(out, event.sender, event.at)


def on_read(out: Effects, event: Inbound) -> None:
    """A read receipt: on an announcement, or on a later event of the room (read up to
    there, the announcement was read too)."""
    watched = out.repo.reach_watched(out.group.slug)
    member = out.repo.linked_member(out.group.slug, event.sender) if watched else None
    for proposal, remote_id, sent_at in watched:
        if member is not None and (event.target == remote_id or (
                event.target_at is not None and event.target_at >= sent_at + SECOND)):
            _mark(out, proposal, member, event.sender, event.at, "read")


# --- the count --------------------------------------------------------------------------------

def tally(repo: Repository, proposal: Proposal, as_of: datetime) -> tuple[list[str], list[str]]:
    """(reached, not reached): the members of the electorate active at ``as_of``, the
    proposer's left out, by whether a sign of theirs came at or before it."""
    members = [m for m in repo.electorate_active_at(proposal, as_of)
               if m != proposal.proposer_member]
    reached = repo.reached_members(proposal.key, as_of)
    return [m for m in members if m in reached], [m for m in members if m not in reached]


def short(needed: Fraction, reached: int, total: int) -> bool:
    """Below the share (nobody to reach is never short: there is nobody to tell)."""
    return total > 0 and Fraction(reached, total) < needed


def percent(share: Fraction) -> str:
    return f"{share_text(share * 100)}%"


def named(repo: Repository, group: str, members: list[str]) -> str:
    """The organisations' names, at most ``MAX_NAMED`` of them, then how many more."""
    names = repo.member_names(group, set(members[:MAX_NAMED]))
    shown = ", ".join(names.get(m, m) for m in members[:MAX_NAMED])
    more = len(members) - MAX_NAMED
    return f"{shown} (+{more})" if more > 0 else (shown or "-")


def extend_if_unreached(out: Effects, proposal: Proposal) -> bool:
    """At the deadline: too few organisations reached by then, and never extended for it
    before, the window grows once, the unreached are told by direct message and the room
    is told. True if it grew (nothing else is decided now)."""
    repo, group, now = out.repo, out.group, out.now
    rules = decisions.rules_of(group, proposal)
    if rules.min_reached <= 0 or proposal.reach_extended_at is not None:
        return False
    reached, unreached = tally(repo, proposal, proposal.deadline)
    total = len(reached) + len(unreached)
    if not short(rules.min_reached, len(reached), total):
        return False
    deadline = max(proposal.deadline, now) + rules.extension
    # No last call on top of the direct messages: they are the reminder.
    out.apply(ReachExtended(
        actor=BOT, proposal=proposal, fields={"deadline": deadline, "last_call_due": None},
        reached=len(reached), total=total, unreached=unreached,
        shift_seconds=int((deadline - proposal.deadline).total_seconds())))
    out.announce("ann.reach_extended", subject=proposal.key, ref=proposal.ref,
                 candidate=proposal.candidate, reached=len(reached), total=total,
                 needed=percent(rules.min_reached), unreached=named(repo, group.slug, unreached),
                 deadline=group.when(deadline))
    names = repo.member_names(group.slug, set(unreached))
    for member in unreached:
        for person in repo.representatives(group.slug, member):
            if person.startswith("@"):  # a forum-only person has no direct chat
                out.dm(person, "dm.reach_extended", subject=proposal.key, ref=proposal.ref,
                       candidate=proposal.candidate, member=names.get(member, member),
                       deadline=group.when(deadline))
    return True


def status_line(repo: Repository, group: Group, proposal: Proposal, lang: str,
                now: datetime) -> str:
    """For ``!status``: how many organisations were reached so far and who was not (empty
    when the proposal does not count them)."""
    if not counts(group, proposal):
        return ""
    rules = decisions.rules_of(group, proposal)
    reached, unreached = tally(repo, proposal, now)
    return text(lang, "extra.reach", reached=len(reached), total=len(reached) + len(unreached),
                needed=percent(rules.min_reached),
                unreached=named(repo, group.slug, unreached),
                extended=text(lang, "extra.reach_extended") if proposal.reach_extended_at
                else "")
