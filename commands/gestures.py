"""What people do besides typing commands (issue 12): read receipts, reactions, redactions
and words not meant for the bot. The adapter says what happened; this decides what it means.

* Every gesture on or after a proposal's announcement tells that an organisation was
  reached (``reach``).
* **One-tap participation.** On a proposal's announcement, 👍 (any skin tone or variant) is a
  support from an eligible member, and taking it back withdraws that support; 👎 is an
  objection at the reaction's time: the proposal is contested at once, the objection shown
  with its "reason to follow", which is asked for by direct message (``!object C-n reason``
  fills it in). Only the reactor's own removal of a 👎 or a 👍 withdraws it: a moderator's
  redaction removes the reaction from the room, not the vote (nobody withdraws another's
  vote), and the author is told so.
* A 👍 or 👎 from someone who may not support or object (not a representative, their
  organisation's own proposal, not in the electorate, a closed proposal, an objection after
  the deadline) counts for nothing and is answered once, by direct message.
"""

from __future__ import annotations

from storage.reach import Reaction
from storage.rows import Proposal

from . import cooptation, decisions, reach
from .changes import Supported
from .context import Effects
from .errors import CommandError
from .events import Inbound, Kind
from .lifecycle import ACTIVE
from .reach_changes import Reacted, ReactionRemoved
from .render import Phrase

THUMBS_UP, THUMBS_DOWN = "\U0001F44D", "\U0001F44E"
# Skin tones, presentation selectors and joiners: 👍🏽 and 👍️ are 👍.
_VARIANTS = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400)) | {"\uFE0F", "\uFE0E", "\u200D"}
_WORDS = {"+1": "support", ":+1:": "support", ":thumbsup:": "support", ":thumbs_up:": "support",
          "-1": "object", ":-1:": "object", ":thumbsdown:": "object", ":thumbs_down:": "object"}


def vote_of(key: str | None) -> str | None:
    """``support`` for a 👍, ``object`` for a 👎 (whatever their variant), else None."""
    bare = "".join(c for c in (key or "").strip() if c not in _VARIANTS)
    if bare == THUMBS_UP:
        return "support"
    if bare == THUMBS_DOWN:
        return "object"
    return _WORDS.get(bare.lower())


def apply(out: Effects, event: Inbound) -> bool:
    """Apply one gesture; True if it changed a vote (or told someone why it did not)."""
    if event.kind in (Kind.CHAT, Kind.MESSAGE):
        reach.on_chat(out, event)
        return False
    if event.kind is Kind.READ:
        reach.on_read(out, event)
        return False
    if event.kind is Kind.REACTION:
        return _reacted(out, event)
    return _taken_back(out, event)


def _announced(out: Effects, event: Inbound) -> Proposal | None:
    key = out.repo.announced_proposal(out.group.slug, event.target) if event.target else None
    return out.repo.proposal_by_key(key) if key else None


def _reacted(out: Effects, event: Inbound) -> bool:
    proposal = _announced(out, event)
    if proposal is None:
        return False  # a reaction to anything else is none of the bot's business
    repo, person = out.repo, event.sender
    if reach.counts(out.group, proposal):
        reach.note(out, proposal, person, event.at, "reaction")
    vote = vote_of(event.key)
    if vote is None or not repo.claim_event(event.event_id, out.now):
        return False
    refusal = _refusal(out, proposal, event, vote)
    if refusal is not None:
        _tell_once(out, proposal, event, refusal)
        return True
    member = repo.linked_member(out.group.slug, person)
    assert member is not None  # _refusal checked it
    reaction = Reaction(event.event_id, proposal.key, person, event.key or "", vote, event.at,
                        None, None)
    if vote == "support":
        if any(s.person == person for s in repo.supports(proposal.key)):
            return False  # supported already (by text or another 👍): nothing to add
        out.apply(Reacted(actor=person, event_id=event.event_id, group=out.group.slug,
                          reaction=reaction))
        out.apply(Supported(actor=person, event_id=event.event_id, proposal=proposal.key,
                            person=person, member=member.slug, comment=None, at=event.at,
                            again=False))
        return True
    if repo.active_objection(proposal.key, person) is not None:
        return False  # their objection stands already, with its reason
    out.apply(Reacted(actor=person, event_id=event.event_id, group=out.group.slug,
                      reaction=reaction))
    cooptation.contest(out, proposal, person, member, reason=None, principles=None,
                       at=event.at)
    out.dm(person, "dm.objection_reason_asked", ref=proposal.ref, candidate=proposal.candidate)
    return True


def _refusal(out: Effects, proposal: Proposal, event: Inbound, vote: str) -> Phrase | None:
    """Why this person's 👍 or 👎 cannot count, as the refusal of the same command would say
    it, in their language (None: it counts)."""
    lang = out.caller_lang or out.group.lang
    refusal = cooptation.why_not_voter(out.repo, out.group, proposal, event.sender, lang)
    if refusal is None and vote == "object" and event.at > proposal.deadline:
        refusal = CommandError("err.objection_late", ref=proposal.ref,
                               deadline=out.group.when(proposal.deadline))
    if refusal is None:
        return None
    return Phrase(refusal.key, {**refusal.params, "prefix": out.group.prefix}, lang)


def _tell_once(out: Effects, proposal: Proposal, event: Inbound, why: Phrase) -> None:
    """A 👍 or 👎 that does not count: said once per person and proposal, by direct message."""
    told = f"reaction_refused:{proposal.key}:{event.sender}"
    if out.repo.meta(told):
        return
    out.repo.set_instant(told, out.now)
    out.dm(event.sender, "dm.reaction_not_counted", ref=proposal.ref, key=event.key or "",
           why=why)


def _taken_back(out: Effects, event: Inbound) -> bool:
    """A reaction removed: by its author (a reaction taken back, or their own redaction),
    which withdraws the vote it made; or redacted by someone else, which does not."""
    repo = out.repo
    if event.kind is Kind.REDACTION:
        reaction = repo.reaction(event.target) if event.target else None
    else:
        proposal = _announced(out, event)
        reaction = repo.live_reaction(proposal.key, event.sender, event.key) \
            if proposal is not None and event.key else None
    if reaction is None or reaction.removed_at is not None \
            or not repo.claim_event(event.event_id, out.now):
        return False
    proposal = repo.proposal_by_key(reaction.proposal)
    if proposal is None:
        return False
    out.apply(ReactionRemoved(actor=event.sender, event_id=event.event_id, group=out.group.slug,
                              reaction=reaction))
    vote_word = out.group.phrase(f"vote.{reaction.vote}")
    if event.sender != reaction.person:
        if proposal.state in ACTIVE:
            out.dm(reaction.person, "dm.reaction_removed_by_other", ref=proposal.ref,
                   by=event.sender, vote=vote_word)
        return True
    if proposal.state not in ACTIVE:
        return True
    if reaction.vote == "support":
        support = next((s for s in repo.supports(proposal.key)
                        if s.person == reaction.person and s.event_id == reaction.event_id), None)
        if support is not None and event.at <= proposal.deadline:
            cooptation.withdraw_support(out, support, event.sender)
        elif support is not None:  # as !withdraw would say: given by then, it counts
            out.dm(event.sender, "err.support_withdraw_late", ref=proposal.ref,
                   deadline=out.group.when(proposal.deadline))
        return True
    objection = next((o for o in repo.objections(proposal.key, active_only=True)
                      if o.event_id == reaction.event_id), None)
    if objection is not None:
        out.dm(event.sender, "ok.objection_withdrawn", ref=proposal.ref)
        decisions.withdraw_objection(out, proposal, objection, event.sender)
    return True
