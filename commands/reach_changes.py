"""The changes of informed silence and one-tap participation (issue 12), and their appliers.

They are written like every other change (``changes.apply``, the one writer of governance
state, each with its audit row); they live here, beside the rules they serve, and register
their appliers with ``changes.register``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.reach import Reaction, ReachMark
from storage.repository import Repository
from storage.rows import Proposal, Support

from .changes import Change, audit, register


@dataclass(frozen=True, kw_only=True)
class ReachMarked(Change):
    """An organisation of a proposal's electorate was reached (or reached earlier than it
    was known to be): ``how`` read, reaction, message, forum or command, ``at`` the source's
    time."""

    group: str
    mark: ReachMark


@dataclass(frozen=True, kw_only=True)
class ReachExtended(Change):
    """Too few organisations were reached by the deadline: the window grows, once."""

    proposal: Proposal
    fields: dict[str, Any]      # deadline, last_call_due
    reached: int
    total: int
    unreached: list[str]        # member slugs
    shift_seconds: int


@dataclass(frozen=True, kw_only=True)
class Reacted(Change):
    """A 👍 or 👎 on a proposal's announcement counted as a support or an objection."""

    group: str
    reaction: Reaction


@dataclass(frozen=True, kw_only=True)
class ReactionRemoved(Change):
    """A counted reaction was taken back by its author, or removed by someone else
    (``actor``): only the author's removal withdraws the vote."""

    group: str
    reaction: Reaction


@dataclass(frozen=True, kw_only=True)
class SupportWithdrawn(Change):
    support: Support
    group: str


@register
def _(change: ReachMarked, repo: Repository, now: datetime) -> None:
    mark = change.mark
    repo.set_reach_mark(mark, change.event_id, now)
    audit(repo, now, change, change.group, "reached", mark.proposal, member=mark.member,
          person=mark.person, how=mark.how, at=mark.at)


@register
def _(change: ReachExtended, repo: Repository, now: datetime) -> None:
    proposal = change.proposal
    repo.update_proposal(proposal.key, **change.fields, reach_extended_at=now,
                         extended_by=int(proposal.extended_by or 0) + change.shift_seconds)
    audit(repo, now, change, proposal.group_slug, "reach_extended", proposal.key,
          reached=change.reached, total=change.total, unreached=change.unreached,
          deadline=change.fields["deadline"], shift_seconds=change.shift_seconds)


@register
def _(change: Reacted, repo: Repository, now: datetime) -> None:
    reaction = change.reaction
    repo.add_reaction(reaction)
    audit(repo, now, change, change.group, "reaction", reaction.proposal, key=reaction.key,
          vote=reaction.vote, at=reaction.at)


@register
def _(change: ReactionRemoved, repo: Repository, now: datetime) -> None:
    reaction = change.reaction
    repo.remove_reaction(reaction.event_id, change.actor, now)
    audit(repo, now, change, change.group, "reaction_removed", reaction.proposal,
          key=reaction.key, vote=reaction.vote, author=reaction.person,
          by_author=change.actor == reaction.person)


@register
def _(change: SupportWithdrawn, repo: Repository, now: datetime) -> None:
    support = change.support
    repo.delete_support(support.proposal, support.person)
    audit(repo, now, change, change.group, "support_withdrawn", support.proposal,
          person=support.person, member=support.member)
