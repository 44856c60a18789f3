"""The engine: applies neutral inbound events and the clock's due work to the database.

For each command: find the group, check the input, claim the event id (at most once), parse
it against the command table, check the caller's right, run the executor; the state change,
its audit rows and the outbound messages are written in one transaction. A refusal rolls
back whatever the executor wrote and queues the refusal instead.

Due work (deadlines, last calls) is read from the database, never from timers: the
scheduler only wakes the engine up, and the engine decides what is due, found by index. Each
due item is decided in its own savepoint and its own ``try`` (a pass commits once): one bad
row is logged, retried at the next pass and reported once to the admins, and never stops the
others, the loop or a start.

Two invariants are checked after every command that could break them, whatever it did: after
an admin command, the group still has an admin in good standing (``legitimacy``); after a
command that can change who may decide (``Command.moves_deciders``), every contested proposal
is followed by an eligible decider (``decisions.follow_decision``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict, deque
from collections.abc import Iterable
from datetime import datetime, timedelta

from storage.repository import Repository
from storage.rows import Member, Proposal

from . import decisions, followup, gestures, reach
from . import digest as weekly_digest
from . import changes
from .changes import StepsToRecompute
from .changes_startup import (
    FounderSeeded,
    LastCallScheduled,
    NameRekeyed,
    Noted,
    PersonSeeded,
    RoleSeeded,
    RulesRebuilt,
)
from .context import Clock, Context, Effects, Group
from .definitions import GroupDefinition
from .errors import CommandError
from .events import Inbound, Kind, Venue
from .legitimacy import in_good_standing_holders
from .lifecycle import State
from .parsing import fold, has_control_characters, name_key, split_word
from .render import Mention
from .settings import PROPOSAL_RULES, SETTINGS, GroupSettings, ProposalRules
from .table import Right, check_right, find, parse_args, syntax, unknown_command, word_language

log = logging.getLogger(__name__)

BOT = "coopbot"
MAX_INPUT_CHARS = 4000
NAME_KEYS = "2"     # the version of commands.parsing.name_key the stored keys follow
TASK_HINTS = "1"    # the version of how a task's next_step_at is computed
HEARTBEAT_EVERY = timedelta(seconds=10)  # far below any downtime_grace worth having
SERVED_GROUPS = "served_groups"  # meta: the groups the last start served (JSON list of slugs)
GROUP_OUT = "group_out:"         # meta: a group left out of the config, since when
RATE_LIMIT = 10                       # commands per person…
RATE_WINDOW = timedelta(seconds=60)   # …in this window


class Engine:
    def __init__(self, repo: Repository, clock: Clock, groups: Iterable[GroupDefinition],
                 prefix: str = "!") -> None:
        self.repo = repo
        self.clock = clock
        self.prefix = prefix
        self._definitions = {g.slug: g for g in groups}
        # Each group as last built, with the stored settings it was built from: one small
        # indexed read per command, instead of parsing every setting again.
        self._groups: dict[str, tuple[tuple[tuple[str, str], ...], Group]] = {}
        self._recent: dict[str, deque[datetime]] = defaultdict(deque)
        self._alive_noted: datetime | None = None

    # --- groups ------------------------------------------------------------------------
    @property
    def group_slugs(self) -> list[str]:
        return list(self._definitions)

    def group(self, slug: str) -> Group:
        """The group with its effective settings: the config file, then changes by command.
        A stored value that is no longer accepted (stored before its range existed) is
        ignored, with a warning: the file's value holds instead of the group stopping."""
        stored = tuple(sorted((key, row.value) for key, row in self.repo.settings(slug).items()))
        cached = self._groups.get(slug)
        if cached is not None and cached[0] == stored:
            return cached[1]  # the same stored values: parsing them again would give the same
        definition = self._definitions[slug]
        texts = dict(definition.settings)
        for key, value in stored:
            if key not in SETTINGS:
                continue
            try:
                SETTINGS[key].parse(value)
            except (ValueError, TypeError):
                log.warning("group %s: stored %s=%r is out of range; ignored", slug, key, value)
                continue
            texts[key] = value
        group = Group(slug, definition.name, GroupSettings.from_texts(texts),
                      definition.charter, self.prefix)
        self._groups[slug] = (stored, group)
        return group

    def seed(self) -> None:
        """Founders, representatives and roles from the config; the database wins for anything
        that was changed by command (rows are only ever inserted here, never overwritten).
        A group whose definition did not change since the last start is not read again (a
        digest of it is kept), so a start costs what changed, not every founder of every group."""
        now = self.clock.now()
        with self.repo.transaction():
            for definition in self._definitions.values():
                slug = definition.slug
                digest = _digest(definition)
                if self.repo.meta(f"seeded:{slug}") == digest:
                    continue
                self.repo.set_meta(f"seeded:{slug}", digest)
                self.repo.ensure_group(slug, definition.name, now)
                out = Effects(self.repo, self.group(slug), now)
                # Settings or role holders in the file may have changed: every running task
                # of the group computes its next step again.
                out.apply(StepsToRecompute(actor="config", group=slug))
                for founder in definition.founders:
                    if self._founder_twin(out, founder):
                        continue
                    out.apply(FounderSeeded(actor="config", group=slug, slug=founder.slug,
                                            name=founder.name, name_key=name_key(founder.name)))
                    for person in founder.people:
                        out.apply(PersonSeeded(actor="config", group=slug, person=person,
                                               member=founder.slug))
                for role, people in definition.roles().items():
                    for person in people:
                        out.apply(RoleSeeded(actor="config", group=slug, person=person,
                                             role=role))
                out.flush()
        with self.repo.transaction():  # one commit; each group in its own savepoint
            if self.repo.meta("task_hints") != TASK_HINTS:  # computed by another version
                self.repo.set_meta("task_hints", TASK_HINTS)
                changes.apply(self.repo, now, StepsToRecompute(actor=BOT, group=None))
            for slug in self._definitions:
                self._isolated(f"{slug}:start", slug, lambda slug=slug: self._upgrade(slug, now))

    def _founder_twin(self, out: Effects, founder) -> bool:
        """A founder new to the database whose name an active or suspended member already
        bears (one name, one member): not added; the admins are told once."""
        slug, now = out.group.slug, out.now
        if self.repo.member(slug, founder.slug) is not None:
            return False
        twins = [m for m in self.repo.members_by_name_key(slug, name_key(founder.name))
                 if m.status in ("active", "suspended")]
        if not twins:
            return False
        if not self.repo.meta(f"founder_twin:{slug}:{founder.slug}"):
            self.repo.set_instant(f"founder_twin:{slug}:{founder.slug}", now)
            out.apply(Noted(actor="config", group=slug, action="founder_twin",
                            subject=founder.slug, detail={"member": twins[0].slug}))
            out.announce("ann.founder_twin", name=founder.name, slug=founder.slug,
                         member=twins[0].name, member_slug=twins[0].slug,
                         admins=Mention(tuple(in_good_standing_holders(self.repo, slug, "admin"))))
        return True

    def _upgrade(self, slug: str, now: datetime) -> None:
        """Bring what older versions stored up to today's rules (idempotent, and cheap when
        there is nothing to do): the rules of the day of proposals opened before rules were
        frozen, rebuilt from the audit log; their last call's due time; name keys under
        today's normalisation (twins are kept, and the admins told once); contested
        proposals followed by an eligible decider; the weekly digest's schedule."""
        group = self.group(slug)
        out = Effects(self.repo, group, now)
        for proposal in self.repo.proposals_without_rules(slug):
            rules = self._rules_at_opening(group, proposal)
            out.apply(RulesRebuilt(actor=BOT, proposal=proposal, rules=rules.to_json()))
        for proposal in self.repo.proposals_without_last_call_due(slug):
            due = decisions.deadline_fields(group, proposal, proposal.deadline)["last_call_due"]
            if due:
                out.apply(LastCallScheduled(actor=BOT, proposal=proposal, due=due))
        if self.repo.meta(f"name_keys:{slug}") != NAME_KEYS:
            self.repo.set_meta(f"name_keys:{slug}", NAME_KEYS)
            self._rekey_names(group, out, now)
        for proposal in self.repo.proposals(slug, (State.CONTESTED.value,)):
            decisions.follow_decision(out, proposal)
        weekly_digest.track(out)  # the file's digest schedule or time zone may have changed
        out.flush()

    def _rekey_names(self, group: Group, out: Effects, now: datetime) -> None:
        """Today's name normalisation for every stored name (once per version of it)."""
        slug = group.slug
        for proposal in self.repo.proposals(slug):
            key = name_key(proposal.candidate)
            if proposal.candidate_key != key:
                out.apply(NameRekeyed(actor=BOT, group=slug, proposal=proposal.key, key=key))
        twins: dict[str, list[Member]] = defaultdict(list)
        for member in self.repo.members(slug):
            key = name_key(member.name)
            if member.name_key != key:
                out.apply(NameRekeyed(actor=BOT, group=slug, member=member.slug, key=key))
            twins[key].append(member)
        for key, members in twins.items():
            if len(members) > 1 and not self.repo.meta(f"twins_told:{slug}:{key}"):
                self.repo.set_instant(f"twins_told:{slug}:{key}", now)
                out.apply(Noted(actor=BOT, group=slug, action="twin_members", subject=key,
                                detail={"members": [m.slug for m in members]}))
                out.announce("ann.twin_members", members=", ".join(
                    f"{m.name} ({m.slug})" for m in members),
                    admins=Mention(tuple(in_good_standing_holders(self.repo, slug, "admin"))))

    def _rules_at_opening(self, group: Group, proposal: Proposal) -> ProposalRules:
        """The rules in force when a proposal opened: for each rule, the value the first
        change after its opening replaced, or else today's value (the config file's, or the
        last change by command)."""
        texts = {key: group.settings.text(key) for key in PROPOSAL_RULES}
        opened = proposal.created_at
        changes: dict[str, str] = {}
        for row in self.repo.audit_rows_for(group.slug, "config_set"):
            key = row.subject
            if key in texts and row.at > opened and key not in changes:
                previous = row.details.get("previous")
                if previous is not None:
                    changes[key] = previous
        merged = {**texts, **changes}
        try:
            return ProposalRules.from_texts(merged, group.charter)
        except ValueError:  # a value stored before ranges existed: today's rules instead
            return ProposalRules.of(group.settings, group.charter)

    # --- inbound ---------------------------------------------------------------------------
    def handle(self, event: Inbound) -> bool:
        """Apply one message addressed to the bot, or a gesture (``gestures``). Returns False
        if it was not a command for us (nor a gesture that changed a vote) or was already
        applied."""
        body = self._command_text(event) if event.kind is Kind.MESSAGE else None
        if body is None:
            return self._gesture(event)
        now = self.clock.now()
        with self.repo.transaction():
            if not self.repo.claim_event(event.event_id, now):
                return False
            slug, body, refusal = self._group_for(event, body)
            if slug is None:
                self._reply_without_group(event, refusal, now)
                return True
            group = self.group(slug)
            out = Effects(self.repo, group, now, event,
                          caller_lang=self._caller_language(event, body, group))
            if self._rate_limited(event, body, out):
                out.flush()
                return True
            try:
                with self.repo.transaction():  # a savepoint: a refusal undoes it all
                    ctx = Context(self.repo, self.clock, group, event.sender, event, out, now)
                    self._run(ctx, body)
            except CommandError as error:
                out.discard()
                out.reply(error.key, **error.params)
            except Exception:
                log.exception("command failed: %s", event.event_id)
                out.discard()
                out.reply("err.internal")
            out.flush()
        return True

    def _gesture(self, event: Inbound) -> bool:
        """A read receipt, a reaction, a redaction, or words in the room not for the bot:
        who they show was reached, and the votes reactions make. Only in a group's room or
        forum topic; a failure is logged and changes nothing (it is no command to answer)."""
        if event.group not in self._definitions or event.venue is Venue.DM:
            return False
        if event.kind in (Kind.MESSAGE, Kind.CHAT, Kind.READ) and event.proposal is None \
                and not self.repo.reach_counting(event.group):
            return False  # nothing counts who it reached: no write, no more reading
        now = self.clock.now()
        with self.repo.transaction():
            group = self.group(event.group)
            out = Effects(self.repo, group, now, event,
                          caller_lang=self.repo.language_of(event.sender) or group.lang)
            try:
                with self.repo.transaction():
                    acted = gestures.apply(out, event)
            except Exception:
                log.exception("gesture failed: %s", event.event_id)
                out.discard()
                return False
            out.flush()
        return acted

    def _caller_language(self, event: Inbound, body: str, group: Group) -> str:
        """Who typed answers in: the language they chose; until they choose, the language of
        the command word they typed when it belongs to one language only (``!bezwaar``:
        Dutch); else the group's. On the forum the command word is the adapter's
        translation (``!object`` for a reply "bezwaar"), not the person's: the group's."""
        chosen = self.repo.language_of(event.sender)
        if chosen or event.venue is Venue.FORUM:
            return chosen or group.lang
        return word_language(split_word(body)[0]) or group.lang

    def _command_text(self, event: Inbound) -> str | None:
        text = event.text.strip()
        if text.startswith(self.prefix):
            return text[len(self.prefix):]
        if event.venue is Venue.DM and text:
            return text  # in a direct chat the prefix is optional
        return None

    def _group_for(self, event: Inbound, body: str) -> tuple[str | None, str, str | None]:
        """The group a command acts in: the room's, or in a DM the person's only group, or the
        group named by the first word (``!sem status C-1``)."""
        if event.group is not None:
            return event.group, body, None
        candidates = self._groups_of(event.sender)
        first, rest = split_word(body)
        if fold(first) in self._definitions and (fold(first) in candidates or not candidates):
            return fold(first), rest, None
        if len(candidates) == 1:
            return candidates[0], body, None
        if not candidates and len(self._definitions) == 1:
            return self.group_slugs[0], body, None  # anyone may ask for help or a status
        return None, body, ("err.which_group" if candidates else "err.no_group")

    def _groups_of(self, person: str) -> list[str]:
        """The configured groups a person represents a member of or holds a role in."""
        linked = self.repo.groups_of(person)
        return [g for g in self.group_slugs if g in linked or any(
            self.repo.has_role(g, person, r) for r in ("admin", "core", "registrar"))]

    def _reply_without_group(self, event: Inbound, key: str | None, now: datetime) -> None:
        candidates = self._groups_of(event.sender)
        lang_group = self.group(candidates[0] if candidates else self.group_slugs[0])
        out = Effects(self.repo, lang_group, now, event,
                      caller_lang=self._caller_language(event, event.text.strip(
                          ).removeprefix(self.prefix), lang_group))
        out.reply(key or "err.no_group", groups=", ".join(candidates),
                  example=candidates[0] if candidates else "")
        out.flush()

    def _rate_limited(self, event: Inbound, body: str, out: Effects) -> bool:
        """Per-person limit on commands, counted by when they were *sent* (a backlog read
        after downtime is not a burst). The first command over it gets one notice, the rest
        silence; objections and withdrawals are never dropped: a vote must not be lost."""
        command = find(split_word(body)[0])
        if command is not None and command.name in ("object", "withdraw"):
            return False
        recent = self._recent[event.sender]
        while recent and event.at - recent[0] > RATE_WINDOW:
            recent.popleft()
        recent.append(event.at)
        if len(recent) <= RATE_LIMIT:
            return False
        if len(recent) == RATE_LIMIT + 1:
            # The count falls back under the limit when the oldest command leaves the window.
            out.reply("err.rate_limited", at=out.group.when(recent[0] + RATE_WINDOW))
        return True

    def _run(self, ctx: Context, body: str) -> None:
        if len(body) > MAX_INPUT_CHARS:
            raise CommandError("err.too_long", size=len(body), max=MAX_INPUT_CHARS)
        if has_control_characters(body):
            raise CommandError("err.control_chars")
        word, rest = split_word(body)
        command = find(word)
        if command is None:
            raise unknown_command(word[:40], self.prefix, ctx)
        check_right(ctx, command, word[:40])
        ctx.usage = syntax(command, ctx.lang, ctx.group.prefix)
        slug = ctx.group.slug
        had_admin = command.right is Right.ADMIN \
            and bool(in_good_standing_holders(self.repo, slug, "admin"))
        args = parse_args(ctx, command, rest)
        command.run(ctx, args)
        reach.after_command(ctx, ctx.about + [v for v in args.values()
                                              if isinstance(v, Proposal)])
        if had_admin and not in_good_standing_holders(self.repo, slug, "admin"):
            raise CommandError("err.no_admin_left")
        if command.right is Right.ADMIN:
            # Settings, roles, links and members decide who answers for a task and when it
            # is nudged: the group's tasks compute their next step again.
            ctx.apply(StepsToRecompute(actor=ctx.caller, event_id=ctx.event.event_id,
                                       group=slug))
        if command.moves_deciders:
            for proposal in self.repo.proposals(slug, (State.CONTESTED.value,)):
                decisions.follow_decision(ctx.out, proposal)

    # --- the clock ------------------------------------------------------------------------
    def process_due(self, read_until: datetime | None = None) -> int:
        """Decide what came due. Deadlines are decided only up to ``read_until``, the instant up
        to which every source has been read (an objection still in transit must count). What
        is due is found by index: a pass with nothing due costs two small queries."""
        now = self.clock.now()
        horizon = min(now, read_until) if read_until else now
        # One commit for the whole pass, each item in its own savepoint: a wave of deadlines
        # costs one disk sync, not one each. Nothing of it is sent before the commit.
        with self.repo.transaction():
            return self._process_due(now, horizon)

    def _process_due(self, now: datetime, horizon: datetime) -> int:
        done = 0
        for slug, key in self.repo.due_proposals(horizon):
            if slug in self._definitions:
                done += self._isolated(f"{key}:due", slug,
                                       lambda key=key: self._decide_due(key, now, horizon))
        # Task nudges depend on no outside source: they are decided up to now.
        for slug, key in self.repo.due_tasks(now):
            if slug in self._definitions:
                done += self._isolated(f"{key}:ladder", slug,
                                       lambda key=key: followup.send_due(
                                           self.repo, self.group, key, now))
        # The weekly digest tells what was said up to it: decided up to the horizon too.
        for slug in self.repo.due_digests(horizon):
            if slug in self._definitions:
                done += self._isolated(f"{slug}:digest", slug,
                                       lambda slug=slug: weekly_digest.send_due(
                                           self.repo, self.group(slug), now, horizon))
        return done

    def _decide_due(self, key: str, now: datetime, horizon: datetime) -> int:
        proposal = self.repo.proposal_by_key(key)  # fresh, inside the transaction
        if proposal is None or proposal.state != State.OPEN:
            return 0
        group = self.group(proposal.group_slug)
        out = Effects(self.repo, group, now)
        if proposal.deadline <= horizon:
            decisions.decide_at_deadline(out, proposal)
        elif self._last_call_due(group, proposal, now, horizon):
            decisions.last_call(out, proposal)
        else:
            return 0
        out.flush()
        return 1

    def _isolated(self, item: str, slug: str, work) -> int:
        """Run one item's work in its own transaction. If it fails, roll it back, log it,
        tell the group's admins once (until it succeeds again), and go on: it stays due and
        is retried at the next pass. One bad row never stops the bot or its start."""
        outer = self.repo.in_transaction
        try:
            with self.repo.transaction():
                result = work()
        except Exception:
            if outer and not self.repo.in_transaction:
                # SQLite rolled the whole pass back (disk full, I/O error): not this item's
                # fault, and going on would commit the rest piecemeal. Stop the pass.
                raise
            log.exception("could not process %s; retried at the next pass", item)
            self._report_failure(item, slug)
            return 0
        if self.repo.meta(f"failed:{item}"):
            self.repo.set_meta(f"failed:{item}", "")
        return int(result or 0)

    def _report_failure(self, item: str, slug: str) -> None:
        try:
            with self.repo.transaction():
                if self.repo.meta(f"failed:{item}"):
                    return  # told once
                now = self.clock.now()
                self.repo.set_instant(f"failed:{item}", now)
                if slug not in self._definitions:
                    changes.apply(self.repo, now, Noted(actor=BOT, group=slug,
                                                        action="item_failed", subject=item))
                else:
                    out = Effects(self.repo, self.group(slug), now)
                    out.apply(Noted(actor=BOT, group=slug, action="item_failed", subject=item))
                    out.announce("ann.item_failed", item=item, admins=Mention(tuple(
                        in_good_standing_holders(self.repo, slug, "admin"))))
                    out.flush()
        except Exception:
            log.exception("could not report the failure of %s", item)

    def _last_call_due(self, group: Group, proposal: Proposal, now: datetime,
                       horizon: datetime) -> bool:
        """Due once every source is read up to its time (it names only those who have not
        spoken: what they said meanwhile must be known), and until the deadline: past it (a
        source is behind and the decision waits) it would announce a window already closed."""
        if proposal.last_call_at or not proposal.last_call_due:
            return False
        return proposal.last_call_due <= horizon and now < proposal.deadline

    def _proposals(self, *states: State) -> list[Proposal]:
        """Proposals in these states, of the groups still in the config (a group removed from
        the file keeps its history in the database but is no longer run)."""
        return [row for row in self.repo.proposals(states=tuple(s.value for s in states))
                if row.group_slug in self._definitions]

    def wakeups(self, after: datetime | None = None) -> list[tuple[str, datetime]]:
        """(purpose, instant) of the next things the clock will have to do, after ``after``:
        the next deadline, last call, task step and weekly digest (the scheduler holds only
        the earliest).
        Tasks whose next step is not known yet get it computed first."""
        now = self.clock.now()
        for slug, key in self.repo.unknown_task_wakeups():
            if slug in self._definitions:
                self._isolated(f"{key}:ladder", slug,
                               lambda key=key: followup.refresh_wakeup(
                                   self.repo, self.group, key, now))
        found = self.repo.next_instants(after, tuple(self._definitions))
        return sorted(((f"next:{purpose}", at) for purpose, at in found.items()),
                      key=lambda item: item[1])

    # --- downtime -------------------------------------------------------------------------
    def heartbeat(self, *, force: bool = False) -> None:
        """Note that the bot is alive (``recover_downtime`` measures an outage from it). At
        most every ``HEARTBEAT_EVERY`` of clock time, unless ``force``d (at a clean stop): a
        disk write per command would cost more than the command."""
        now = self.clock.now()
        if force or self._alive_noted is None or now - self._alive_noted >= HEARTBEAT_EVERY \
                or now < self._alive_noted:
            self.repo.set_instant("alive_at", now)
            self._alive_noted = now

    def recover_downtime(self) -> None:
        """At start: windows that lost more than ``downtime_grace`` to our absence grow back,
        and those of a group the config left out for a while (``_groups_back``) too."""
        try:
            last = self.repo.instant("alive_at")
        except ValueError:  # a damaged row must not stop the start: said, and no extension
            log.warning("the last sign of life %r is not a date: no window is extended for "
                        "a downtime this time", self.repo.meta("alive_at"))
            last = None
        now = self.clock.now()
        with self.repo.transaction():  # the absences' marks go with the extensions they make
            back = self._groups_back(last)
            if not back and (last is None or now <= last):
                return
            for proposal in self._proposals(State.OPEN, State.CONTESTED):
                since = back.get(proposal.group_slug, last)
                if since is not None and now > since:
                    self._isolated(f"{proposal.key}:downtime", proposal.group_slug,
                                   lambda proposal=proposal, since=since:
                                   self._extend(proposal, since, now))

    def _groups_back(self, last: datetime | None) -> dict[str, datetime]:
        """The configured groups that the previous runs did not serve, and since when: a
        group left out of the config file for a while had its room and forum unread (an
        objection typed there then was never applied), which is downtime for it alone. The
        groups served are noted at each start; one that goes missing is marked with the last
        sign of life of the run that served it."""
        configured = sorted(self._definitions)
        out = set(self.repo.meta_under(GROUP_OUT))  # one read, whatever the number of groups
        try:
            served = json.loads(self.repo.meta(SERVED_GROUPS) or "null")
        except ValueError:  # a damaged mark must not stop the start: nothing is inferred
            served = None
        if isinstance(served, list) and last is not None:
            for slug in set(served) - set(configured) - out:
                self.repo.set_instant(GROUP_OUT + slug, last)
                out.add(slug)
        back = {}
        for slug in sorted(out):
            if slug not in self._definitions:
                waiting = len(self.repo.proposals(slug, (State.OPEN.value, State.CONTESTED.value)))
                log.warning("group %s is no longer in the config: its room and forum are not "
                            "read, and its %d running proposal(s) wait (their windows are "
                            "extended when it is back)", slug, waiting)
                continue
            try:
                since = self.repo.instant(GROUP_OUT + slug)
            except ValueError:  # damaged: the bot's own downtime is all that is measured
                since = None
            if since is not None:
                back[slug] = since
            self.repo.delete_meta(GROUP_OUT + slug)
        self.repo.set_meta(SERVED_GROUPS, json.dumps(configured))
        return back

    def _extend(self, proposal: Proposal, last: datetime, now: datetime) -> None:
        out = Effects(self.repo, self.group(proposal.group_slug), now)
        decisions.extend_for_downtime(out, proposal, last)
        out.flush()


def _digest(definition: GroupDefinition) -> str:
    """What seeding reads of a group's definition, as one hash."""
    described = {
        "name": definition.name, "settings": dict(sorted(definition.settings.items())),
        "founders": [(f.slug, f.name, list(f.people)) for f in definition.founders],
        "roles": {role: list(people) for role, people in sorted(definition.roles().items())},
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
