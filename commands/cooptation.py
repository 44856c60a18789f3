"""The cooptation commands (SPEC sections 3 and 10) and what ``!status``, ``!list`` and
``!members`` show. What a proposal goes through besides (moves, the clock's decisions,
admission, the follow-up of a contested decision) is ``decisions``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from storage.repository import Repository
from storage.rows import Member, Proposal, Support

from . import followup, reach, tasks
from .context import Context, Effects, Group
from .changes import Objected, ObjectionReworded, Proposed, Supported
from .reach_changes import SupportWithdrawn
from .decisions import (
    BOT,
    admit,
    deadline_fields,
    follow_decision,
    lapse_name_taken,
    move,
    name_taken,
    ref,
    rules_of,
    withdraw_objection,
)
from .errors import CommandError
from .legitimacy import deciders, in_good_standing_holders
from .lifecycle import ACTIVE, State, Transition
from .parsing import any_ref, clean_name, fold, name_key, split_quoted
from .render import Count, Mention, Message, Names, Person, Phrase, Pieces, join, render, text
from .settings import ProposalRules
from .task_lifecycle import TaskState
from .timefmt import relative

MAX_NAME = 120

# Field labels of the multi-line propose form, in the three languages. The candidate's
# name may be labelled too (the forum template has no "first line"; see forum_template).
FIELD_LABELS = {
    "name": "name", "nom": "name", "naam": "name",
    "why": "rationale", "pourquoi": "rationale", "raison": "rationale", "waarom": "rationale",
    "reden": "rationale", "rationale": "rationale",
    "website": "website", "site": "website", "web": "website", "url": "website",
    "contact": "contact",
    "description": "description", "beschrijving": "description",
}
_LABEL = re.compile(r"^\s*([^\W\d_]+)(?:\s+(\d+))?\s*:\s?(.*)$", re.DOTALL)
CHARTER_LABELS = {"charter", "charte", "principe", "principle", "beginsel"}
_PRINCIPLES = re.compile(
    r"\b(?:principes?|principles?|charte|charter|beginsel(?:en)?)\s*(\d+(?:\s*(?:,|et|and|en)\s*\d+)*)",
    re.IGNORECASE,
)
_SEPARATORS = (" — ", " – ", " - ", ": ")


# --- reading a proposal ------------------------------------------------------------------

def parse_proposal(body: str) -> dict[str, Any]:
    """``"Name" rationale`` or the multi-line form (first line the name, then labelled lines)."""
    fields: dict[str, Any] = {"name": "", "rationale": "", "website": "", "contact": "",
                              "description": "", "charter": {}}
    quoted, rest = split_quoted(body)
    if quoted is not None:
        fields["name"] = quoted
        first, _, tail = rest.partition("\n")
        fields["rationale"] = first.strip().lstrip(":—–-").strip()
        lines = tail.splitlines()
    else:
        # An empty first line is an empty name, not a cue to read the next line as one.
        first, _, tail = body.lstrip(" \t").partition("\n")
        first = first.strip()
        if _name_label(first):  # "name: Repair Together" on the first line is a label
            first, tail = "", f"{first}\n{tail}"
        for separator in _SEPARATORS:
            if separator in first:
                first, rationale = first.split(separator, 1)
                fields["rationale"] = rationale.strip()
                break
        fields["name"] = first.strip()
        lines = tail.splitlines()
    current: tuple[str, int | None] = ("rationale", None)
    for line in lines:
        match = _LABEL.match(line)
        label = fold(match.group(1)) if match else ""
        if match and (label in FIELD_LABELS or (label in CHARTER_LABELS and match.group(2))):
            if label in CHARTER_LABELS:
                current = ("charter", int(match.group(2)))
                fields["charter"][current[1]] = match.group(3).strip()
            else:
                current = (FIELD_LABELS[label], None)
                previous = fields[current[0]] if current[0] != "name" else ""  # a label names
                fields[current[0]] = (previous + "\n" if previous else "") + match.group(3).strip()
            continue
        if not line.strip():
            continue
        if current[0] == "charter":
            fields["charter"][current[1]] += "\n" + line.strip()
        else:
            previous = fields[current[0]]
            fields[current[0]] = (previous + "\n" if previous else "") + line.strip()
    fields["name"] = clean_name(fields["name"].strip().strip('"'))
    return fields


def _name_label(line: str) -> bool:
    """Whether a line is the labelled candidate name (``name:``, ``nom:``, ``naam:``)."""
    match = _LABEL.match(line)
    return bool(match) and FIELD_LABELS.get(fold(match.group(1))) == "name"


# --- executors ---------------------------------------------------------------------------

def propose(ctx: Context, args: dict[str, Any]) -> None:
    """!propose "Name" rationale… — a representative of an active member invites an organisation."""
    member = ctx.caller_member()
    assert member is not None  # the table's right check guarantees it
    fields = parse_proposal(args["name"] or "")
    name = fields["name"]
    if not name:
        raise CommandError("err.empty_name")
    if len(name) > MAX_NAME:
        raise CommandError("err.too_long", size=len(name), max=MAX_NAME)
    if not fields["rationale"].strip():
        raise CommandError("err.empty_rationale", candidate=name)
    key = name_key(name)
    if not key:
        raise CommandError("err.name_no_letters", candidate=name)
    _refuse_taken_name(ctx, name, key)
    duplicate = ctx.repo.active_proposal_for(ctx.group.slug, key)
    if duplicate:
        raise CommandError("err.duplicate_proposal", candidate=name, ref=ref(duplicate),
                           state=text(ctx.lang, f"state.{duplicate.state}"))
    rules = ProposalRules.of(ctx.group.settings, ctx.group.charter)
    answers = {n: fields["charter"].get(n, "").strip() for n in range(1, len(rules.charter) + 1)}
    missing = [str(n) for n, answer in answers.items() if not answer]
    if missing:
        raise CommandError("err.charter_missing", candidate=name, missing=", ".join(missing))

    number = ctx.repo.next_number(ctx.group.slug, "proposal")
    deadline = ctx.now + rules.silence_window
    proposal = Proposal(
        key=f"{ctx.group.slug}:C-{number}", group_slug=ctx.group.slug, number=number,
        candidate=name, candidate_key=key, rationale=fields["rationale"].strip(),
        website=fields["website"] or None, contact=fields["contact"] or None,
        description=fields["description"] or None,
        charter_answers=json.dumps({str(n): a for n, a in answers.items()}, ensure_ascii=False),
        proposer=ctx.caller, proposer_member=member.slug, state=State.OPEN.value,
        created_at=ctx.now, deadline=deadline, last_call_at=None,
        electorate=None, electorate_seq=ctx.repo.period_seq(),
        decided_at=None, decided_by=None, decision_reason=None, member_slug=None,
        extended_by=0, event_id=ctx.event.event_id, rules=rules.to_json(), no_decider_at=None,
        last_call_due=None,
    )
    proposal = replace(proposal, **deadline_fields(ctx.group, proposal, deadline))
    ctx.apply(Proposed(actor=ctx.caller, event_id=ctx.event.event_id, proposal=proposal))
    ctx.out.reply("ok.proposed", ref=ref(proposal), candidate=name, deadline=ctx.group.when(deadline))
    ctx.out.announce("ann.proposed", subject=proposal.key, ref=ref(proposal), candidate=name,
                     proposer=Person.of(ctx.caller), member=member.name,
                     rationale=proposal.rationale,
                     extras=extras(ctx.group, proposal), deadline=ctx.group.when(deadline))


def _refuse_taken_name(ctx: Context, name: str, key: str) -> None:
    """An active or suspended member already has this name (a member that left may be
    coopted again)."""
    for existing in ctx.repo.members_by_name_key(ctx.group.slug, key):
        if existing.status == "active":
            raise CommandError("err.already_member", candidate=existing.name,
                               member=existing.slug)
        if existing.status == "suspended":
            raise CommandError("err.member_suspended", candidate=name, member=existing.slug)


def object_(ctx: Context, args: dict[str, Any]) -> None:
    """!object C-3 reason… — counts if its source timestamp is at or before the deadline."""
    proposal = args["proposal"]
    member = _voter(ctx, proposal)
    deadline = proposal.deadline
    earlier = ctx.repo.active_objection(proposal.key, ctx.caller)
    # The reason of a 👎 sent in time may come after the deadline: the objection counts
    # from the reaction, the reason only says why.
    if ctx.event.at > deadline and (earlier is None or earlier.reason is not None):
        raise CommandError("err.objection_late", ref=ref(proposal), deadline=ctx.group.when(deadline))
    reason = args["reason"]
    principles = _cited_principles(reason, len(rules_of(ctx.group, proposal).charter))
    if earlier:
        ctx.apply(ObjectionReworded(actor=ctx.caller, event_id=ctx.event.event_id,
                                    objection=earlier, reason=reason, principles=principles))
        if earlier.reason is not None:
            ctx.out.reply("ok.objection_updated", ref=ref(proposal))
            return
        # The reason of a 👎, which the room was told would follow.
        ctx.out.reply("ok.objection_reason", ref=ref(proposal))
        ctx.out.announce("ann.objection_reason", subject=proposal.key, ref=ref(proposal),
                         candidate=proposal.candidate, objector=ctx.caller, member=member.name,
                         reason=_cited(ctx.out, reason, principles))
        return
    ctx.out.reply("ok.objection", ref=ref(proposal))
    contest(ctx.out, proposal, ctx.caller, member, reason, principles, ctx.event.at)


def contest(out: Effects, proposal: Proposal, person: str, member: Member, reason: str | None,
            principles: str | None, at: datetime) -> None:
    """An objection that counts (by ``!object``, or a 👎 whose ``reason`` is to follow): the
    proposal is contested at once, the room told and the eligible deciders mentioned."""
    event_id = out.event.event_id if out.event is not None else None
    out.apply(Objected(actor=person, event_id=event_id, proposal=proposal.key, person=person,
                       member=member.slug, reason=reason, principles=principles, at=at))
    was = proposal.state
    proposal = move(out, proposal, Transition.OBJECT, person, reason=reason)
    cited = _cited(out, reason, principles)
    known = None
    if was == State.OPEN:
        known = deciders(out.repo, proposal)
        people = known[0]
        if people:
            out.announce("ann.contested", subject=proposal.key, ref=ref(proposal),
                         candidate=proposal.candidate, objector=Person.of(person), member=member.name,
                         reason=cited, core=Mention(tuple(people)))
        else:  # follow_decision says who is missing, once
            out.announce("ann.contested_plain", subject=proposal.key, ref=ref(proposal),
                         candidate=proposal.candidate, objector=Person.of(person), member=member.name,
                         reason=cited)
    else:
        out.announce("ann.objection_added", subject=proposal.key, ref=ref(proposal),
                     candidate=proposal.candidate, objector=Person.of(person), member=member.name,
                     reason=cited)
    # Contested now, or another organisation in the case: who may decide moves.
    follow_decision(out, proposal, known)


def _cited(out: Effects, reason: str | None, principles: str | None) -> object:
    """An objection's reason as the room reads it: with the principles it cites, or
    "reason to follow" for a 👎 whose reason has not come yet."""
    shown: object = reason if reason is not None else out.group.phrase("objection.to_follow")
    return Pieces.of(shown, out.group.phrase("extra.principles", value=principles)) \
        if principles else shown


def withdraw(ctx: Context, args: dict[str, Any]) -> None:
    """!withdraw C-3 [objection|support|proposal] — one's own objection, support, or
    proposal."""
    proposal = args["proposal"]
    if proposal.state not in ACTIVE:
        raise CommandError("err.proposal_closed", ref=ref(proposal),
                           state=text(ctx.lang, f"state.{proposal.state}"))
    # An objection's author may always withdraw it, whatever became of their standing since
    # (a suspended objector's objection would otherwise block for ever); withdrawing the
    # proposal needs a representative of the proposing member in good standing.
    member = ctx.caller_member()
    objection = ctx.repo.active_objection(proposal.key, ctx.caller)
    support = next((s for s in ctx.repo.supports(proposal.key) if s.person == ctx.caller), None)
    is_proposer = member is not None and member.slug == proposal.proposer_member
    if objection is None and support is None and member is None:
        ctx.require_representative()
    what = args.get("what") or ("objection" if objection else "proposal" if is_proposer
                                else "support" if support else None)
    if what == "objection" and objection:
        ctx.out.reply("ok.objection_withdrawn", ref=ref(proposal))
        withdraw_objection(ctx.out, proposal, objection, ctx.caller)
    elif what == "support" and support:
        if ctx.event.at > proposal.deadline:
            raise CommandError("err.support_withdraw_late", ref=ref(proposal),
                               deadline=ctx.group.when(proposal.deadline))
        withdraw_support(ctx.out, support, ctx.caller)
        ctx.out.reply("ok.support_withdrawn", ref=ref(proposal))
    elif what == "proposal" and is_proposer:
        proposal = move(ctx.out, proposal, Transition.WITHDRAW, ctx.caller)
        ctx.out.reply("ok.proposal_withdrawn", ref=ref(proposal))
        ctx.out.announce("ann.withdrawn", subject=proposal.key, ref=ref(proposal),
                         candidate=proposal.candidate, by=Person.of(ctx.caller))
    elif what == "objection":
        raise CommandError("err.no_objection", ref=ref(proposal))
    elif what == "support":
        raise CommandError("err.no_support", ref=ref(proposal))
    else:
        raise CommandError("err.nothing_to_withdraw", ref=ref(proposal))


def withdraw_support(out: Effects, support: Support, actor: str) -> None:
    """A support taken back (by ``!withdraw C-n support`` or by removing a 👍), before the
    deadline: given by then, it counts."""
    event_id = out.event.event_id if out.event is not None else None
    out.apply(SupportWithdrawn(actor=actor, event_id=event_id, support=support,
                               group=out.group.slug))


def support(ctx: Context, args: dict[str, Any]) -> None:
    """!support C-3 [comment…] — recorded and shown; counts towards ``min_supporters``."""
    proposal = args["proposal"]
    member = _voter(ctx, proposal)
    earlier = next((s for s in ctx.repo.supports(proposal.key) if s.person == ctx.caller), None)
    again = earlier is not None
    # Said again, a support only changes its comment: it counts from when it was first given
    # (a word added after the deadline must not take back a support given in time).
    at = min(earlier.at, ctx.event.at) if earlier is not None else ctx.event.at
    ctx.apply(Supported(actor=ctx.caller, event_id=ctx.event.event_id, proposal=proposal.key,
                        person=ctx.caller, member=member.slug, comment=args.get("comment"),
                        at=at, again=again))
    if not again:
        ctx.out.reply("ok.support", ref=ref(proposal),
                      supports=Count(len(ctx.repo.supports(proposal.key)), "count.support"))
    else:
        ctx.out.reply("ok.support_updated", ref=ref(proposal))


def resolve(ctx: Context, args: dict[str, Any]) -> None:
    """!resolve C-3 accept|reject reason… — an eligible decider decides a contested proposal
    (checked again at every call: an objection or a role may have changed who that is)."""
    proposal = args["proposal"]
    if proposal.state != State.CONTESTED:
        key = "err.not_contested" if proposal.state in ACTIVE else "err.proposal_closed"
        raise CommandError(key, ref=ref(proposal), state=text(ctx.lang, f"state.{proposal.state}"))
    people, _ = deciders(ctx.repo, proposal)
    if ctx.caller not in people:
        if not people:
            raise CommandError("err.no_decider", ref=ref(proposal))
        raise CommandError("err.conflict_of_interest", ref=ref(proposal),
                           people=Person.listed(people))
    accept = args["decision"] == "accept"
    if accept:
        taken = name_taken(ctx.out, proposal)
        if taken is not None:
            ctx.out.reply("ok.resolved_name_taken", ref=ref(proposal), member=taken.name,
                          status=text(ctx.lang, f"member.{taken.status}"))
            lapse_name_taken(ctx.out, proposal, taken, ctx.caller)
            return
    transition = Transition.ACCEPT if accept else Transition.REJECT
    proposal = move(ctx.out, proposal, transition, ctx.caller, decided_at=ctx.now,
                    decided_by=ctx.caller, decision_reason=args["reason"])
    member_slug = admit(ctx.out, proposal, ctx.caller) if accept else None
    ctx.out.reply("ok.resolved", ref=ref(proposal))
    if member_slug is not None:
        followup.mandate_registration(ctx.out, proposal, member_slug)
    ctx.out.announce("ann.accepted" if accept else "ann.rejected", subject=proposal.key,
                     ref=ref(proposal), candidate=proposal.candidate, by=Person.of(ctx.caller),
                     reason=args["reason"])


def status(ctx: Context, args: dict[str, Any]) -> None:
    """!status C-3 — a proposal's state, objections, supports and deadline; !status T-2 — a
    task and its history (``#2`` means whichever exists, and is refused if both do)."""
    kind, number = any_ref(args["ref"])
    task = ctx.repo.task(ctx.group.slug, number) if kind in ("T", None) else None
    if kind is None and task is not None:
        if ctx.repo.proposal(ctx.group.slug, number) is not None:
            raise CommandError("err.ambiguous_ref", text=args["ref"], a=f"C-{number}",
                               b=f"T-{number}")
        kind = "T"
    if kind == "T":
        if task is None:
            raise CommandError("err.unknown_task", ref=f"T-{number}")
        tasks.show(ctx, task)
        return
    proposal = ctx.repo.proposal(ctx.group.slug, number)
    if proposal is None:
        raise CommandError("err.unknown_proposal", ref=f"C-{number}")
    ctx.about.append(proposal)
    ctx.out.reply_message(describe(ctx.repo, ctx.group, proposal, ctx.lang, ctx.now,
                                   names=ctx.out.names()))


def voices(repo: Repository, group: Group, proposal: Proposal, *, with_withdrawn: bool,
           lang: str | None = None, names: Names | None = None,
           support_rows: list[Support] | None = None) -> tuple[list[str], list[str]]:
    """The objections and supports of a proposal, one line each, in ``lang`` (the group's
    by default), people shown by ``names`` (their display names, by default);
    ``support_rows``: the supports, when the caller has read them already."""
    lang = lang or group.lang
    names = names or Names(repo.display_names)
    objection_rows = repo.objections(proposal.key, active_only=not with_withdrawn)
    if support_rows is None:
        support_rows = repo.supports(proposal.key)
    members = repo.member_names(group.slug, {r.member for r in objection_rows + support_rows})
    names.prefetch(r.person for r in objection_rows + support_rows)
    objections = [
        text(lang, "item.objection", names=names, person=Person.of(o.person),
             member=members.get(o.member, o.member),
             reason=o.reason if o.reason is not None else Phrase("objection.to_follow"))
        + (text(lang, "status.withdrawn", at=group.when(o.withdrawn_at))
           if o.withdrawn_at else "")
        for o in objection_rows
    ]
    supports = [
        text(lang, "item.support", names=names, person=Person.of(s.person),
             member=members.get(s.member, s.member))
        for s in support_rows
    ]
    return objections, supports


def describe(repo: Repository, group: Group, proposal: Proposal, lang: str,
             now: datetime, names: Names | None = None) -> Any:
    """A proposal's status block, in the reader's language, ending with what happens next;
    people shown by ``names`` (their display names, by default)."""
    names = names or Names(repo.display_names)
    none = text(lang, "status.none")
    members = repo.member_names(group.slug, {proposal.proposer_member})
    support_rows = repo.supports(proposal.key)
    objections, supports = voices(repo, group, proposal, with_withdrawn=True, lang=lang,
                                  names=names, support_rows=support_rows)
    decision = ""
    if proposal.decided_at:
        by = Person.of(proposal.decided_by) if proposal.decided_by != BOT \
            else text(lang, "status.bot")
        decision = text(lang, "status.decision", names=names, state=text(lang, f"state.{proposal.state}"),
                        at=group.when(proposal.decided_at), by=by,
                        reason=f" — {proposal.decision_reason}" if proposal.decision_reason else "")
    return render(
        lang, "status.proposal", names=names, ref=ref(proposal), candidate=proposal.candidate,
        state=text(lang, f"state.{proposal.state}"), proposer=Person.of(proposal.proposer),
        member=members.get(proposal.proposer_member, proposal.proposer_member),
        created=group.when(proposal.created_at), rationale=proposal.rationale,
        extras=extras(group, proposal, len({s.member for s in support_rows}),
                      lang) + reach.status_line(repo, group, proposal, lang, now),
        next=_next_step(repo, group, proposal, lang, now, names),
        objections=("\n  " + "\n  ".join(objections)) if objections else none,
        supports=("\n  " + "\n  ".join(supports)) if supports else text(lang, "status.no_support"),
        decision=decision,
    )


def _next_step(repo: Repository, group: Group, proposal: Proposal, lang: str,
               now: datetime, names: Names) -> Message:
    """What happens next, and what one can do: who may decide a contested proposal now,
    when an open one is decided, since when a validated one is a member and who registers
    it."""
    params: dict[str, Any] = {"ref": ref(proposal), "prefix": group.prefix}
    if proposal.state == State.OPEN:
        if proposal.deadline <= now:
            return render(lang, "next.open_waiting", deadline=group.when(proposal.deadline))
        return render(lang, "next.open", deadline=group.when(proposal.deadline),
                      relative=relative(proposal.deadline, now, lang), **params)
    if proposal.state == State.CONTESTED:
        people, role = deciders(repo, proposal)
        if not people:
            admins = in_good_standing_holders(repo, group.slug, "admin")
            return render(lang, "next.contested_nobody", names=names,
                          admins=Person.listed(admins))
        # Named, not pinged: whoever asks for a status is not calling the deciders.
        return render(lang, "next.contested", names=names, role=Phrase(f"role.{role}"),
                      people=Person.listed(people), **params)
    if proposal.state in (State.VALIDATED, State.ACCEPTED) and proposal.decided_at:
        task = next((t for t in repo.tasks_for_proposal(proposal.key, tuple(TaskState))
                     if t.origin == "register"), None)
        registration = render(lang, "next.registration", names=names, task=task.ref,
                              lead=Person.of(task.lead),
                              state=Phrase(f"tstate.{task.state}")) if task \
            else render(lang, "next.no_registration")
        return render(lang, "next.member", since=group.when(proposal.decided_at),
                      registration=registration.plain)
    return render(lang, "next.closed", prefix=group.prefix)


_LIST_STATES = {
    None: (State.OPEN, State.CONTESTED),
    "open": (State.OPEN,),
    "contested": (State.CONTESTED,),
    "validated": (State.VALIDATED, State.ACCEPTED),
    "accepted": (State.ACCEPTED,),
    "rejected": (State.REJECTED,),
    "withdrawn": (State.WITHDRAWN,),
    "all": tuple(State),
}


def list_(ctx: Context, args: dict[str, Any]) -> None:
    """!list [open|contested|validated|all] — by default the proposals still running."""
    which = args.get("which")
    if which == "active":  # what the bot calls the default list ("en cours", "lopend")
        which = None
    states = tuple(s.value for s in _LIST_STATES[which])
    label = text(ctx.lang, f"which.{which}") if which else text(ctx.lang, "state.active")
    rows = ctx.repo.proposals(ctx.group.slug, states)
    if not rows:
        ctx.out.reply("list.empty", which=label)
        return
    lines = [render(ctx.lang, "list.header", which=label)]
    for row in rows:
        lines.append(render(ctx.lang, "list.line", ref=ref(row), candidate=row.candidate,
                            state=text(ctx.lang, f"state.{row.state}"),
                            deadline=ctx.group.when(row.deadline)))
    ctx.out.reply_message(join(lines))


def members(ctx: Context, args: dict[str, Any]) -> None:
    """!members — the active members and who represents them."""
    rows = ctx.repo.members(ctx.group.slug)
    active = [m for m in rows if m.status == "active"]
    lines = [render(ctx.lang, "members.header", count=len(active))]
    names = ctx.out.names()
    for member in active:
        people = Person.listed(ctx.repo.representatives(ctx.group.slug, member.slug))
        lines.append(render(ctx.lang, "members.line", names=names, slug=member.slug,
                            name=member.name,
                            people=people))
    others = [f"{m.slug} ({text(ctx.lang, 'member.' + m.status)})"
              for m in rows if m.status != "active"]
    if others:
        lines.append(render(ctx.lang, "members.others", others=", ".join(others)))
    ctx.out.reply_message(join(lines))


# --- helpers -----------------------------------------------------------------------------

def _voter(ctx: Context, proposal: Proposal) -> Member:
    """The caller's member, if it may object to or support this proposal."""
    refusal = why_not_voter(ctx.repo, ctx.group, proposal, ctx.caller, ctx.lang)
    if refusal is not None:
        raise refusal
    member = ctx.caller_member()
    assert member is not None
    return member


def why_not_voter(repo: Repository, group: Group, proposal: Proposal, person: str,
                  lang: str) -> CommandError | None:
    """Why ``person`` may not object to or support ``proposal`` (None: they may): the one
    reading of it, for commands and for reactions alike (``gestures``)."""
    if proposal.state not in ACTIVE:
        return CommandError("err.proposal_closed", ref=ref(proposal),
                            state=text(lang, f"state.{proposal.state}"))
    member = repo.linked_member(group.slug, person)
    if member is None:
        admins = ", ".join(in_good_standing_holders(repo, group.slug, "admin")) or "-"
        return CommandError("err.not_representative", admins=admins)
    if member.status != "active":
        return CommandError("err.member_inactive", member=member.name,
                            status=text(lang, f"member.{member.status}"))
    if member.slug == proposal.proposer_member:
        return CommandError("err.own_proposal", ref=ref(proposal))
    if not repo.in_electorate(proposal, member.slug):
        return CommandError("err.not_in_electorate", ref=ref(proposal))
    return None


def _cited_principles(reason: str, count: int) -> str | None:
    numbers: list[int] = []
    for match in _PRINCIPLES.finditer(reason):
        numbers.extend(int(n) for n in re.findall(r"\d+", match.group(1)))
    valid = sorted({n for n in numbers if 1 <= n <= count})
    return ",".join(str(n) for n in valid) or None


def extras(group: Group, proposal: Proposal, supports: int = 0,
           lang: str | None = None) -> str:
    lang = lang or group.lang
    rules = rules_of(group, proposal)
    parts = []
    if rules.min_supporters and proposal.state in ACTIVE:
        parts.append(text(lang, "extra.needs_support", needed=rules.min_supporters,
                          count=supports))
    for field_name in ("website", "contact", "description"):
        value = getattr(proposal, field_name)
        if value:
            parts.append(text(lang, f"extra.{field_name}", value=value))
    answers = proposal.answers
    for number, principle in enumerate(rules.charter, 1):
        answer = answers.get(str(number))
        if answer:
            parts.append(text(lang, "extra.charter", n=number, principle=principle, value=answer))
    return "".join(parts)


