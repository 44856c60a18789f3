"""The engine: applies neutral inbound events and the clock's due work to the database.

For each command: find the group, check the input, claim the event id (at most once), parse
it against the command table, check the caller's right, run the executor; the state change,
its audit rows and the outbound messages are written in one transaction. A refusal rolls
back whatever the executor wrote and queues the refusal instead.

Due work (deadlines, last calls) is read from the database, never from timers: the
scheduler only wakes the engine up, and the engine decides what is due.
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from storage.repository import Repository

from . import cooptation, tasks
from .context import Clock, Context, Effects, Group
from .errors import CommandError
from .events import Inbound, Venue
from .lifecycle import State
from .parsing import fold, has_control_characters, name_key, split_word
from .settings import SETTINGS, GroupSettings
from .table import check_right, find, parse_args, unknown_command
from .timefmt import from_iso, iso

if TYPE_CHECKING:
    from bot.config import GroupConfig

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 4000
RATE_LIMIT = 10                       # commands per person…
RATE_WINDOW = timedelta(seconds=60)   # …in this window


class Engine:
    def __init__(self, repo: Repository, clock: Clock, groups: Iterable["GroupConfig"],
                 prefix: str = "!") -> None:
        self.repo = repo
        self.clock = clock
        self.prefix = prefix
        self._definitions = {g.slug: g for g in groups}
        self._recent: dict[str, deque[datetime]] = defaultdict(deque)

    # --- groups ------------------------------------------------------------------------
    @property
    def group_slugs(self) -> list[str]:
        return list(self._definitions)

    def group(self, slug: str) -> Group:
        """The group with its effective settings: the config file, then changes by command."""
        definition = self._definitions[slug]
        texts = dict(definition.settings)
        texts.update({key: row["value"] for key, row in self.repo.settings(slug).items()
                      if key in SETTINGS})
        return Group(slug, definition.name, GroupSettings.from_texts(texts),
                     definition.charter, self.prefix)

    def seed(self) -> None:
        """Founders, representatives and roles from the config; the database wins for anything
        that was changed by command (rows are only ever inserted here, never overwritten)."""
        now = self.clock.now()
        with self.repo.transaction():
            for definition in self._definitions.values():
                slug = definition.slug
                self.repo.ensure_group(slug, definition.name, now)
                for founder in definition.members:
                    added = self.repo.add_member({
                        "group_slug": slug, "slug": founder.slug, "name": founder.name,
                        "name_key": name_key(founder.name), "status": "active",
                        "admitted_at": iso(now), "coopted_by": None, "proposal": None,
                        "origin": "config",
                    }, replace=False)
                    if added:
                        self.repo.audit(at=now, group=slug, actor="config", action="member_seeded",
                                        subject=founder.slug)
                    for person in founder.matrix + founder.discourse:
                        self.repo.link_person(slug, person, founder.slug, "config", now,
                                              replace=False)
                for role, people in definition.roles().items():
                    for person in people:
                        if self.repo.set_role(slug, person, role, True, "config", now, replace=False):
                            self.repo.audit(at=now, group=slug, actor="config",
                                            action="role_seeded", subject=person,
                                            detail={"role": role})

    # --- inbound ---------------------------------------------------------------------------
    def handle(self, event: Inbound) -> bool:
        """Apply one message addressed to the bot. Returns False if it was not a command for
        us or was already applied."""
        body = self._command_text(event)
        if body is None:
            return False
        now = self.clock.now()
        with self.repo.transaction():
            if not self.repo.claim_event(event.event_id, now):
                return False
            slug, body, refusal = self._group_for(event, body)
            if slug is None:
                self._reply_without_group(event, refusal, now)
                return True
            group = self.group(slug)
            out = Effects(group, event)
            if self._rate_limited(event, body, out):
                out.flush(self.repo, now)
                return True
            try:
                with self.repo.transaction():  # a savepoint: a refusal undoes it all
                    self._run(Context(self.repo, self.clock, group, event.sender, event, out, now),
                              body)
            except CommandError as error:
                out.discard()
                out.reply(error.key, **error.params)
            except Exception:
                log.exception("command failed: %s", event.event_id)
                out.discard()
                out.reply("err.internal")
            out.flush(self.repo, now)
        return True

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
        out = Effects(lang_group, event)
        out.reply(key or "err.no_group", groups=", ".join(candidates),
                  example=candidates[0] if candidates else "")
        out.flush(self.repo, now)

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
            out.reply("err.rate_limited")
        return True

    def _run(self, ctx: Context, body: str) -> None:
        if len(body) > MAX_INPUT_CHARS:
            raise CommandError("err.too_long", size=len(body), max=MAX_INPUT_CHARS)
        if has_control_characters(body):
            raise CommandError("err.control_chars")
        word, rest = split_word(body)
        command = find(word)
        if command is None:
            raise unknown_command(word[:40], self.prefix)
        check_right(ctx, command)
        command.run(ctx, parse_args(ctx, command, rest))

    # --- the clock ------------------------------------------------------------------------
    def process_due(self, read_until: datetime | None = None) -> int:
        """Decide what came due. Deadlines are decided only up to ``read_until``, the instant up
        to which every source has been read (an objection still in transit must count)."""
        now = self.clock.now()
        horizon = min(now, read_until) if read_until else now
        done = 0
        for row in self._proposals(State.OPEN):
            group = self.group(row["group_slug"])
            with self.repo.transaction():
                proposal = self.repo.proposal_by_key(row["key"])  # fresh, inside the transaction
                if proposal is None or proposal["state"] != State.OPEN:
                    continue
                out = Effects(group)
                deadline = from_iso(proposal["deadline"])
                if deadline <= horizon:
                    cooptation.decide_at_deadline(self.repo, group, out, proposal, now)
                    done += 1
                elif self._last_call_due(group, proposal, now, horizon):
                    cooptation.last_call(self.repo, group, out, proposal, now)
                    done += 1
                out.flush(self.repo, now)
        # Task nudges depend on no outside source: they are decided up to now.
        done += tasks.process_due(self.repo, self.group, self.group_slugs, now)
        return done

    def _last_call_time(self, group: Group, proposal: dict) -> datetime | None:
        if proposal["last_call_at"]:
            return None
        at = from_iso(proposal["deadline"]) - group.settings.last_call
        # A window shorter than the last call gets none: it would repeat the announcement.
        return at if at > from_iso(proposal["created_at"]) else None

    def _last_call_due(self, group: Group, proposal: dict, now: datetime,
                       horizon: datetime) -> bool:
        """Due once every source is read up to its time (it names only those who have not
        spoken: what they said meanwhile must be known), and until the deadline: past it (a
        source is behind and the decision waits) it would announce a window already closed."""
        at = self._last_call_time(group, proposal)
        return at is not None and at <= horizon and now < from_iso(proposal["deadline"])

    def _proposals(self, *states: State) -> list[dict]:
        """Proposals in these states, of the groups still in the config (a group removed from
        the file keeps its history in the database but is no longer run)."""
        return [row for row in self.repo.proposals(states=tuple(s.value for s in states))
                if row["group_slug"] in self._definitions]

    def wakeups(self) -> list[tuple[str, datetime]]:
        """(job id, instant) for everything the clock will have to do; job id = domain id and
        purpose, so the scheduler can be rebuilt from the database at any time."""
        jobs = []
        for proposal in self._proposals(State.OPEN):
            group = self.group(proposal["group_slug"])
            jobs.append((f"{proposal['key']}:deadline", from_iso(proposal["deadline"])))
            at = self._last_call_time(group, proposal)
            if at is not None:
                jobs.append((f"{proposal['key']}:last_call", at))
        jobs.extend(tasks.wakeups(self.repo, self.group, self.group_slugs, self.clock.now()))
        return jobs

    # --- downtime -------------------------------------------------------------------------
    def heartbeat(self) -> None:
        self.repo.set_meta("alive_at", iso(self.clock.now()))

    def recover_downtime(self) -> None:
        """At start: windows that lost more than ``downtime_grace`` to our absence grow back."""
        last = from_iso(self.repo.meta("alive_at"))
        now = self.clock.now()
        if last is None or now <= last:
            return
        for row in self._proposals(State.OPEN, State.CONTESTED):
            group = self.group(row["group_slug"])
            with self.repo.transaction():
                out = Effects(group)
                cooptation.extend_for_downtime(self.repo, group, out, row, last, now)
                out.flush(self.repo, now)
