"""The cooptation commands and the decisions the clock makes (SPEC section 3).

Every state change goes through ``_move``, which consults the transition table in
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

import json
import re
from datetime import datetime
from typing import Any

from storage.repository import Repository

from . import followup, tasks
from .context import Context, Effects, Group
from .errors import CommandError
from .legitimacy import deciders, in_good_standing_holders
from .lifecycle import ACTIVE, State, Transition, next_state
from .parsing import any_ref, clean_name, fold, name_key, slugify, split_quoted
from .render import Mention, join, render, text
from .settings import ProposalRules
from .timefmt import from_iso, iso

BOT = "coopbot"
MAX_NAME = 120

# Field labels of the multi-line propose form, in the three languages.
_FIELDS = {
    "why": "rationale", "pourquoi": "rationale", "raison": "rationale", "waarom": "rationale",
    "reden": "rationale", "rationale": "rationale",
    "website": "website", "site": "website", "web": "website", "url": "website",
    "contact": "contact",
    "description": "description", "beschrijving": "description",
}
_LABEL = re.compile(r"^\s*([^\W\d_]+)(?:\s+(\d+))?\s*:\s?(.*)$", re.DOTALL)
_CHARTER_LABELS = {"charter", "charte", "principe", "principle"}
_PRINCIPLES = re.compile(
    r"\b(?:principes?|principles?|charte|charter|beginsel(?:en)?)\s*(\d+(?:\s*(?:,|et|and|en)\s*\d+)*)",
    re.IGNORECASE,
)
_SEPARATORS = (" — ", " – ", " - ", ": ")


def ref(proposal: dict) -> str:
    return f"C-{proposal['number']}"


def deadline_fields(group: Group, proposal: dict, deadline: datetime) -> dict[str, str | None]:
    """The stored fields that follow from a (new) deadline: the deadline, and when its last
    call is due (none once it was sent, nor when the window is shorter than the last call:
    it would only repeat the announcement)."""
    last_call = deadline - rules_of(group, proposal).last_call
    due = None if proposal.get("last_call_at") or last_call <= from_iso(proposal["created_at"]) \
        else iso(last_call)
    return {"deadline": iso(deadline), "last_call_due": due}


def rules_of(group: Group, proposal: dict) -> ProposalRules:
    """The rules a proposal is judged by: frozen when it opened (rebuilt at start for the
    proposals opened before rules were frozen, see ``Engine.seed``)."""
    if proposal.get("rules"):
        return ProposalRules.from_json(proposal["rules"])
    return ProposalRules.of(group.settings, group.charter)


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
        first, _, tail = body.strip().partition("\n")
        first = first.strip()
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
        if match and (label in _FIELDS or (label in _CHARTER_LABELS and match.group(2))):
            if label in _CHARTER_LABELS:
                current = ("charter", int(match.group(2)))
                fields["charter"][current[1]] = match.group(3).strip()
            else:
                current = (_FIELDS[label], None)
                previous = fields[current[0]]
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
                           state=text(ctx.lang, f"state.{duplicate['state']}"))
    rules = ProposalRules.of(ctx.group.settings, ctx.group.charter)
    answers = {n: fields["charter"].get(n, "").strip() for n in range(1, len(rules.charter) + 1)}
    missing = [str(n) for n, answer in answers.items() if not answer]
    if missing:
        raise CommandError("err.charter_missing", candidate=name, missing=", ".join(missing))

    number = ctx.repo.next_number(ctx.group.slug, "proposal")
    deadline = ctx.now + rules.silence_window
    proposal = {
        "key": f"{ctx.group.slug}:C-{number}", "group_slug": ctx.group.slug, "number": number,
        "candidate": name, "candidate_key": key, "rationale": fields["rationale"].strip(),
        "website": fields["website"] or None, "contact": fields["contact"] or None,
        "description": fields["description"] or None,
        "charter_answers": json.dumps({str(n): a for n, a in answers.items()}, ensure_ascii=False),
        "proposer": ctx.caller, "proposer_member": member["slug"], "state": State.OPEN.value,
        "created_at": iso(ctx.now), "deadline": iso(deadline), "last_call_at": None,
        "electorate": None, "electorate_seq": ctx.repo.period_seq(),
        "decided_at": None, "decided_by": None,
        "decision_reason": None, "member_slug": None, "extended_by": 0,
        "event_id": ctx.event.event_id, "rules": rules.to_json(), "no_decider_at": None,
    }
    proposal.update(deadline_fields(ctx.group, proposal, deadline))
    ctx.repo.insert_proposal(proposal)
    ctx.audit("propose", proposal["key"], candidate=name, deadline=iso(deadline),
              rules=json.loads(proposal["rules"]))
    ctx.out.reply("ok.proposed", ref=ref(proposal), candidate=name, deadline=ctx.group.when(deadline))
    ctx.out.announce("ann.proposed", subject=proposal["key"], ref=ref(proposal), candidate=name,
                     proposer=ctx.caller, member=member["name"],
                     rationale=proposal["rationale"],
                     extras=extras(ctx.group, proposal), deadline=ctx.group.when(deadline))


def _refuse_taken_name(ctx: Context, name: str, key: str) -> None:
    """An active or suspended member already has this name (a member that left may be
    coopted again)."""
    for existing in ctx.repo.members_by_name_key(ctx.group.slug, key):
        if existing["status"] == "active":
            raise CommandError("err.already_member", candidate=existing["name"],
                               member=existing["slug"])
        if existing["status"] == "suspended":
            raise CommandError("err.member_suspended", candidate=name, member=existing["slug"])


def object_(ctx: Context, args: dict[str, Any]) -> None:
    """!object C-3 reason… — counts if its source timestamp is at or before the deadline."""
    proposal = args["proposal"]
    member = _voter(ctx, proposal)
    deadline = from_iso(proposal["deadline"])
    if ctx.event.at > deadline:
        raise CommandError("err.objection_late", ref=ref(proposal), deadline=ctx.group.when(deadline))
    reason = args["reason"]
    principles = _cited_principles(reason, len(rules_of(ctx.group, proposal).charter))
    earlier = ctx.repo.active_objection(proposal["key"], ctx.caller)
    if earlier:
        ctx.repo.update_objection(earlier["id"], reason=reason, principles=principles)
        ctx.audit("objection_updated", proposal["key"], reason=reason)
        ctx.out.reply("ok.objection_updated", ref=ref(proposal))
        return
    ctx.repo.add_objection({
        "proposal": proposal["key"], "person": ctx.caller, "member": member["slug"],
        "reason": reason, "principles": principles, "at": iso(ctx.event.at),
        "recorded_at": iso(ctx.now), "withdrawn_at": None, "event_id": ctx.event.event_id,
    })
    was = proposal["state"]
    _move(ctx.repo, proposal, Transition.OBJECT, ctx.now, ctx.caller, ctx.event.event_id,
          reason=reason)
    ctx.out.reply("ok.objection", ref=ref(proposal))
    cited = text(ctx.lang, "extra.principles", value=principles) if principles else ""
    if was == State.OPEN:
        people, _ = deciders(ctx.repo, proposal)
        if people:
            ctx.out.announce("ann.contested", subject=proposal["key"], ref=ref(proposal),
                             candidate=proposal["candidate"], objector=ctx.caller,
                             member=member["name"], reason=reason + cited,
                             core=Mention(tuple(people)))
        else:  # follow_decision says who is missing, once
            ctx.out.announce("ann.contested_plain", subject=proposal["key"], ref=ref(proposal),
                             candidate=proposal["candidate"], objector=ctx.caller,
                             member=member["name"], reason=reason + cited)
        follow_decision(ctx.repo, ctx.group, ctx.out, proposal, ctx.now, ctx.event.event_id)
    else:
        ctx.out.announce("ann.objection_added", subject=proposal["key"], ref=ref(proposal),
                         candidate=proposal["candidate"], objector=ctx.caller,
                         member=member["name"], reason=reason + cited)
        # Another organisation in the case: its core members may no longer decide.
        follow_decision(ctx.repo, ctx.group, ctx.out, proposal, ctx.now, ctx.event.event_id)


def withdraw(ctx: Context, args: dict[str, Any]) -> None:
    """!withdraw C-3 [objection|proposal] — one's own objection, or one's own proposal."""
    proposal = args["proposal"]
    if proposal["state"] not in ACTIVE:
        raise CommandError("err.proposal_closed", ref=ref(proposal),
                           state=text(ctx.lang, f"state.{proposal['state']}"))
    # An objection's author may always withdraw it, whatever became of their standing since
    # (a suspended objector's objection would otherwise block for ever); withdrawing the
    # proposal needs a representative of the proposing member in good standing.
    member = ctx.caller_member()
    objection = ctx.repo.active_objection(proposal["key"], ctx.caller)
    is_proposer = member is not None and member["slug"] == proposal["proposer_member"]
    if objection is None and member is None:
        ctx.require_representative()
    what = args.get("what") or ("objection" if objection else "proposal" if is_proposer else None)
    if what == "objection" and objection:
        ctx.out.reply("ok.objection_withdrawn", ref=ref(proposal))
        withdraw_objection(ctx.repo, ctx.group, ctx.out, proposal, objection, ctx.now,
                           ctx.caller, ctx.event.event_id)
    elif what == "proposal" and is_proposer:
        _move(ctx.repo, proposal, Transition.WITHDRAW, ctx.now, ctx.caller, ctx.event.event_id)
        followup.close_for_proposal(ctx.repo, ctx.group, proposal, "withdrawn", ctx.now, ctx.caller,
                                 ctx.event.event_id)
        ctx.out.reply("ok.proposal_withdrawn", ref=ref(proposal))
        ctx.out.announce("ann.withdrawn", subject=proposal["key"], ref=ref(proposal),
                         candidate=proposal["candidate"], by=ctx.caller)
    elif what == "objection":
        raise CommandError("err.no_objection", ref=ref(proposal))
    else:
        raise CommandError("err.nothing_to_withdraw", ref=ref(proposal))


def withdraw_objection(repo: Repository, group: Group, out: Effects, proposal: dict,
                       objection: dict, now: datetime, actor: str, event_id: str | None) -> None:
    """Withdraw one objection; the last one withdrawn reopens the proposal with a grace."""
    repo.update_objection(objection["id"], withdrawn_at=iso(now))
    repo.audit(at=now, group=group.slug, actor=actor, action="objection_withdrawn",
               subject=proposal["key"], detail={"objection": objection["id"]}, event_id=event_id)
    if proposal["state"] == State.CONTESTED and not repo.objections(proposal["key"], active_only=True):
        deadline = max(from_iso(proposal["deadline"]), now + rules_of(group, proposal).reopen_grace)
        _move(repo, proposal, Transition.LAST_OBJECTION_WITHDRAWN, now, actor, event_id,
              **deadline_fields(group, proposal, deadline))
        followup.close_for_proposal(repo, group, proposal, "reopened", now, actor, event_id)
        out.announce("ann.reopened", subject=proposal["key"], ref=ref(proposal),
                     candidate=proposal["candidate"], deadline=group.when(deadline))


def support(ctx: Context, args: dict[str, Any]) -> None:
    """!support C-3 [comment…] — recorded and shown; counts towards ``min_supporters``."""
    proposal = args["proposal"]
    member = _voter(ctx, proposal)
    new = ctx.repo.upsert_support({
        "proposal": proposal["key"], "person": ctx.caller, "member": member["slug"],
        "comment": args.get("comment"), "at": iso(ctx.event.at), "event_id": ctx.event.event_id,
    })
    ctx.audit("support" if new else "support_updated", proposal["key"], comment=args.get("comment"))
    if new:
        ctx.out.reply("ok.support", ref=ref(proposal), count=len(ctx.repo.supports(proposal["key"])))
    else:
        ctx.out.reply("ok.support_updated", ref=ref(proposal))


def resolve(ctx: Context, args: dict[str, Any]) -> None:
    """!resolve C-3 accept|reject reason… — an eligible decider decides a contested proposal
    (checked again at every call: an objection or a role may have changed who that is)."""
    proposal = args["proposal"]
    if proposal["state"] != State.CONTESTED:
        key = "err.not_contested" if proposal["state"] in ACTIVE else "err.proposal_closed"
        raise CommandError(key, ref=ref(proposal), state=text(ctx.lang, f"state.{proposal['state']}"))
    people, _ = deciders(ctx.repo, proposal)
    if ctx.caller not in people:
        if not people:
            raise CommandError("err.no_decider", ref=ref(proposal))
        raise CommandError("err.conflict_of_interest", ref=ref(proposal), people=", ".join(people))
    accept = args["decision"] == "accept"
    if accept:
        taken = name_taken(ctx.repo, ctx.group, proposal)
        if taken is not None:
            ctx.out.reply("ok.resolved_name_taken", ref=ref(proposal), member=taken["name"],
                          status=text(ctx.lang, f"member.{taken['status']}"))
            lapse_name_taken(ctx.repo, ctx.group, ctx.out, proposal, taken, ctx.now, ctx.caller,
                             ctx.event.event_id)
            return
    transition = Transition.ACCEPT if accept else Transition.REJECT
    _move(ctx.repo, proposal, transition, ctx.now, ctx.caller, ctx.event.event_id,
          decided_at=iso(ctx.now), decided_by=ctx.caller, decision_reason=args["reason"])
    member_slug = admit(ctx.repo, ctx.group, proposal, ctx.now, ctx.caller,
                        ctx.event.event_id) if accept else None
    followup.close_for_proposal(ctx.repo, ctx.group, proposal, "resolved", ctx.now, ctx.caller,
                             ctx.event.event_id)
    ctx.out.reply("ok.resolved", ref=ref(proposal))
    if member_slug is not None:
        followup.mandate_registration(ctx.repo, ctx.group, ctx.out, proposal, member_slug, ctx.now,
                                   ctx.event.event_id)
    ctx.out.announce("ann.accepted" if accept else "ann.rejected", subject=proposal["key"],
                     ref=ref(proposal), candidate=proposal["candidate"], by=ctx.caller,
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
    ctx.out.reply_message(describe(ctx.repo, ctx.group, proposal))


def voices(repo: Repository, group: Group, proposal: dict, *,
           with_withdrawn: bool) -> tuple[list[str], list[str]]:
    """The objections and supports of a proposal, one line each, in the group's language."""
    lang = group.lang
    objection_rows = repo.objections(proposal["key"], active_only=not with_withdrawn)
    support_rows = repo.supports(proposal["key"])
    members = repo.member_names(group.slug, {r["member"] for r in objection_rows + support_rows})
    objections = [
        text(lang, "item.objection", person=o["person"], member=members.get(o["member"], o["member"]),
             reason=o["reason"])
        + (text(lang, "status.withdrawn", at=group.when(from_iso(o["withdrawn_at"])))
           if o["withdrawn_at"] else "")
        for o in objection_rows
    ]
    supports = [
        text(lang, "item.support", person=s["person"], member=members.get(s["member"], s["member"]))
        for s in support_rows
    ]
    return objections, supports


def describe(repo: Repository, group: Group, proposal: dict) -> Any:
    lang = group.lang
    none = text(lang, "status.none")
    members = repo.member_names(group.slug, {proposal["proposer_member"]})
    objections, supports = voices(repo, group, proposal, with_withdrawn=True)
    decision = ""
    if proposal["decided_at"]:
        by = proposal["decided_by"] if proposal["decided_by"] != BOT else text(lang, "status.bot")
        decision = text(lang, "status.decision", state=text(lang, f"state.{proposal['state']}"),
                        at=group.when(from_iso(proposal["decided_at"])), by=by,
                        reason=f" — {proposal['decision_reason']}" if proposal["decision_reason"] else "")
    return render(
        lang, "status.proposal", ref=ref(proposal), candidate=proposal["candidate"],
        state=text(lang, f"state.{proposal['state']}"), proposer=proposal["proposer"],
        member=members.get(proposal["proposer_member"], proposal["proposer_member"]),
        created=group.when(from_iso(proposal["created_at"])), rationale=proposal["rationale"],
        extras=extras(group, proposal, len({s["member"] for s in repo.supports(proposal["key"])})),
        deadline=group.when(from_iso(proposal["deadline"])),
        objections=("\n  " + "\n  ".join(objections)) if objections else none,
        supports=("\n  " + "\n  ".join(supports)) if supports else text(lang, "status.no_support"),
        decision=decision,
    )


_LIST_STATES = {
    None: (State.OPEN, State.CONTESTED),
    "open": (State.OPEN,),
    "contested": (State.CONTESTED,),
    "validated": (State.VALIDATED, State.ACCEPTED),
    "all": tuple(State),
}


def list_(ctx: Context, args: dict[str, Any]) -> None:
    """!list [open|contested|validated|all] — by default the proposals still running."""
    which = args.get("which")
    states = tuple(s.value for s in _LIST_STATES[which])
    label = text(ctx.lang, f"which.{which}") if which else text(ctx.lang, "state.active")
    rows = ctx.repo.proposals(ctx.group.slug, states)
    if not rows:
        ctx.out.reply("list.empty", which=label)
        return
    lines = [render(ctx.lang, "list.header", which=label)]
    for row in rows:
        lines.append(render(ctx.lang, "list.line", ref=ref(row), candidate=row["candidate"],
                            state=text(ctx.lang, f"state.{row['state']}"),
                            deadline=ctx.group.when(from_iso(row["deadline"]))))
    ctx.out.reply_message(join(lines))


def members(ctx: Context, args: dict[str, Any]) -> None:
    """!members — the active members and who represents them."""
    rows = ctx.repo.members(ctx.group.slug)
    active = [m for m in rows if m["status"] == "active"]
    lines = [render(ctx.lang, "members.header", count=len(active))]
    for member in active:
        people = ", ".join(ctx.repo.representatives(ctx.group.slug, member["slug"])) or "-"
        lines.append(render(ctx.lang, "members.line", slug=member["slug"], name=member["name"],
                            people=people))
    others = [f"{m['slug']} ({text(ctx.lang, 'member.' + m['status'])})"
              for m in rows if m["status"] != "active"]
    if others:
        lines.append(render(ctx.lang, "members.others", others=", ".join(others)))
    ctx.out.reply_message(join(lines))


# --- decisions the clock makes -----------------------------------------------------------

def decide_at_deadline(repo: Repository, group: Group, out: Effects, proposal: dict,
                       now: datetime) -> None:
    """An open proposal whose deadline passed, every source read up to it: validate or lapse,
    by the rules of the day it opened."""
    deadline = from_iso(proposal["deadline"])
    counted = [o for o in repo.objections(proposal["key"], active_only=True)
               if from_iso(o["at"]) <= deadline]
    assert not counted, "an open proposal cannot hold a counted objection"
    supporters = {s["member"] for s in repo.supports(proposal["key"])
                  if s["member"] != proposal["proposer_member"] and from_iso(s["at"]) <= deadline}
    needed = rules_of(group, proposal).min_supporters
    if len(supporters) < needed:
        reason = f"{len(supporters)}/{needed} supports"
        _move(repo, proposal, Transition.DEADLINE_UNSUPPORTED, now, BOT, None,
              decided_at=iso(now), decided_by=BOT, decision_reason=reason)
        out.announce("ann.lapsed", subject=proposal["key"], ref=ref(proposal),
                     candidate=proposal["candidate"], needed=needed, count=len(supporters))
        return
    taken = name_taken(repo, group, proposal)
    if taken is not None:
        lapse_name_taken(repo, group, out, proposal, taken, now, BOT, None)
        return
    _move(repo, proposal, Transition.DEADLINE_SILENT, now, BOT, None,
          decided_at=iso(now), decided_by=BOT)
    member_slug = admit(repo, group, proposal, now, BOT, None)
    proposer = repo.member(group.slug, proposal["proposer_member"])
    out.announce("ann.validated", subject=proposal["key"], ref=ref(proposal),
                 candidate=proposal["candidate"],
                 member=proposer["name"] if proposer else proposal["proposer_member"])
    followup.mandate_registration(repo, group, out, proposal, member_slug, now, None)


def name_taken(repo: Repository, group: Group, proposal: dict) -> dict | None:
    """The active or suspended member that already bears the candidate's name, if any: the
    admission re-check (a member may have been added, or renamed into a twin, meanwhile)."""
    for member in repo.members_by_name_key(group.slug, name_key(proposal["candidate"])):
        if member["status"] in ("active", "suspended"):
            return member
    return None


def lapse_name_taken(repo: Repository, group: Group, out: Effects, proposal: dict,
                     member: dict, now: datetime, actor: str, event_id: str | None) -> None:
    """No second member of one name: the proposal lapses, saying why (a suspended member
    comes back only by ``!member reinstate``)."""
    reason = f"already a member: {member['slug']} ({member['status']})"
    _move(repo, proposal, Transition.NAME_TAKEN, now, actor, event_id,
          decided_at=iso(now), decided_by=BOT, decision_reason=reason)
    followup.close_for_proposal(repo, group, proposal, "resolved", now, actor, event_id)
    out.announce("ann.lapsed_name_taken", subject=proposal["key"], ref=ref(proposal),
                 candidate=proposal["candidate"], member=member["name"], slug=member["slug"],
                 status=text(group.lang, f"member.{member['status']}"))


def last_call(repo: Repository, group: Group, out: Effects, proposal: dict, now: datetime) -> None:
    """Once per proposal: remind only the members' representatives who have not spoken."""
    spoken = {o["member"] for o in repo.objections(proposal["key"])}
    spoken |= {s["member"] for s in repo.supports(proposal["key"])}
    spoken.add(proposal["proposer_member"])
    people = repo.silent_voters(proposal, spoken)
    repo.update_proposal(proposal["key"], last_call_at=iso(now))
    repo.audit(at=now, group=group.slug, actor=BOT, action="last_call", subject=proposal["key"],
               detail={"reminded": people})
    if people:
        out.announce("ann.last_call", subject=proposal["key"], ref=ref(proposal),
                     candidate=proposal["candidate"],
                     deadline=group.when(from_iso(proposal["deadline"])),
                     people=Mention(tuple(people)))


def extend_for_downtime(repo: Repository, group: Group, out: Effects, proposal: dict,
                        downtime_start: datetime, now: datetime) -> None:
    """Downtime is never silence: a window that lost more than ``downtime_grace`` grows back."""
    created, deadline = from_iso(proposal["created_at"]), from_iso(proposal["deadline"])
    lost = min(deadline, now) - max(created, downtime_start)
    if lost <= group.settings.downtime_grace:
        return
    new_deadline = deadline + lost
    repo.update_proposal(proposal["key"], **deadline_fields(group, proposal, new_deadline),
                         extended_by=int(proposal["extended_by"] or 0) + int(lost.total_seconds()))
    repo.audit(at=now, group=group.slug, actor=BOT, action="extended", subject=proposal["key"],
               detail={"downtime_seconds": int(lost.total_seconds()), "deadline": iso(new_deadline)})
    out.announce("ann.extended", subject=proposal["key"], ref=ref(proposal),
                 candidate=proposal["candidate"], downtime=group.span(lost),
                 deadline=group.when(new_deadline))


def admit(repo: Repository, group: Group, proposal: dict, now: datetime, actor: str,
          event_id: str | None) -> str:
    """The candidate becomes an active member, coopted by the proposer's member. Called after
    ``name_taken`` found no active or suspended twin: an organisation that had left comes back
    in its own row (its earlier admission stays in its history), any other is new."""
    key = name_key(proposal["candidate"])
    departed = [m for m in repo.members_by_name_key(group.slug, key) if m["status"] == "left"]
    if departed:
        slug = departed[0]["slug"]
        repo.readmit_member(group.slug, slug, name=proposal["candidate"], at=now,
                            proposal=proposal["key"], coopted_by=proposal["proposer_member"],
                            actor=actor)
    else:
        slug = _free_slug(repo, group.slug, proposal["candidate"])
        repo.add_member({
            "group_slug": group.slug, "slug": slug, "name": proposal["candidate"],
            "name_key": key, "status": "active", "admitted_at": iso(now),
            "coopted_by": proposal["proposer_member"], "proposal": proposal["key"],
            "origin": "cooptation",
        }, actor=actor)
    repo.update_proposal(proposal["key"], member_slug=slug)
    repo.audit(at=now, group=group.slug, actor=actor, action="member_admitted", subject=slug,
               detail={"proposal": proposal["key"], "coopted_by": proposal["proposer_member"],
                       "readmitted": bool(departed)},
               event_id=event_id)
    return slug


# --- who decides ---------------------------------------------------------------------------

def follow_decision(repo: Repository, group: Group, out: Effects, proposal: dict,
                    now: datetime, event_id: str | None) -> None:
    """Keep a contested proposal's follow-up in line with who may decide it: its
    ``Decide on C-n`` task led by an eligible decider (reassigned when an objection, a role or
    a member changes that), or, when nobody may decide, the room told once which role is
    missing and the admins asked to grant it. Run after every change that can move it."""
    if proposal["state"] != State.CONTESTED:
        return
    people, role = deciders(repo, proposal)
    if people:
        if proposal.get("no_decider_at"):
            repo.update_proposal(proposal["key"], no_decider_at=None)
            proposal["no_decider_at"] = None
        followup.assign_decision(repo, group, out, proposal, people, role, now, event_id)
        return
    if not proposal.get("no_decider_at"):
        repo.update_proposal(proposal["key"], no_decider_at=iso(now))
        proposal["no_decider_at"] = iso(now)
        admins = in_good_standing_holders(repo, group.slug, "admin")
        repo.audit(at=now, group=group.slug, actor=BOT, action="no_decider",
                   subject=proposal["key"], detail={"admins": admins}, event_id=event_id)
        out.announce("ann.no_decider", subject=proposal["key"], ref=ref(proposal),
                     candidate=proposal["candidate"], admins=Mention(tuple(admins)))
    followup.assign_decision(repo, group, out, proposal, [], None, now, event_id)


# --- helpers -----------------------------------------------------------------------------

def _move(repo: Repository, proposal: dict, transition: Transition, now: datetime, actor: str,
          event_id: str | None, reason: str | None = None, **fields: Any) -> None:
    """Apply one transition of the table to a proposal (the dict is updated in place)."""
    new_state = next_state(proposal["state"], transition)
    fields["state"] = new_state.value
    repo.update_proposal(proposal["key"], **fields)
    repo.audit(at=now, group=proposal["group_slug"], actor=actor, action=transition.value,
               subject=proposal["key"],
               detail={"from": proposal["state"], "to": new_state.value,
                       **({"reason": reason} if reason else {}),
                       **{k: v for k, v in fields.items() if k not in ("state",)}},
               event_id=event_id)
    proposal.update(fields)


def _voter(ctx: Context, proposal: dict) -> dict:
    """The caller's member, if it may object to or support this proposal."""
    if proposal["state"] not in ACTIVE:
        raise CommandError("err.proposal_closed", ref=ref(proposal),
                           state=text(ctx.lang, f"state.{proposal['state']}"))
    member = ctx.caller_member()
    assert member is not None
    if member["slug"] == proposal["proposer_member"]:
        raise CommandError("err.own_proposal", ref=ref(proposal))
    if not ctx.repo.in_electorate(proposal, member["slug"]):
        raise CommandError("err.not_in_electorate", ref=ref(proposal))
    return member


def _cited_principles(reason: str, count: int) -> str | None:
    numbers: list[int] = []
    for match in _PRINCIPLES.finditer(reason):
        numbers.extend(int(n) for n in re.findall(r"\d+", match.group(1)))
    valid = sorted({n for n in numbers if 1 <= n <= count})
    return ",".join(str(n) for n in valid) or None


def extras(group: Group, proposal: dict, supports: int = 0) -> str:
    lang = group.lang
    rules = rules_of(group, proposal)
    parts = []
    if rules.min_supporters and proposal["state"] in ACTIVE:
        parts.append(text(lang, "extra.needs_support", needed=rules.min_supporters,
                          count=supports))
    for field_name in ("website", "contact", "description"):
        if proposal.get(field_name):
            parts.append(text(lang, f"extra.{field_name}", value=proposal[field_name]))
    answers = json.loads(proposal.get("charter_answers") or "{}")
    for number, principle in enumerate(rules.charter, 1):
        answer = answers.get(str(number))
        if answer:
            parts.append(text(lang, "extra.charter", n=number, principle=principle, value=answer))
    return "".join(parts)


def _free_slug(repo: Repository, group: str, name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while repo.slug_taken(group, slug):
        slug, n = f"{base}-{n}", n + 1
    return slug
