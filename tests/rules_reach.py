"""Informed silence and one-tap participation (issue 12) in the state machine of the rules
(``tests/test_rules_stateful.py``): what a chat client does besides typing, as steps, and the
rule that silence counts only when people were reached, as an invariant.

A mixin of ``Rules``: it uses the machine's harness (``self.h``), its model of each
proposal's frozen electorate (``self.electorates``) and its step counter (``self.events``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from fractions import Fraction

from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from commands.events import Inbound, Kind, Venue
from commands.timefmt import from_iso
from tests.harness import ALICE, BOB, CAROL, DAN, STRANGER
from tests.rules_model import BOT, _frozen

PEOPLE = [ALICE, BOB, CAROL, DAN, STRANGER, "@frank:example.org", "forum:x"]
voters = st.one_of(st.sampled_from([ALICE, BOB, CAROL, DAN]), st.sampled_from(PEOPLE))
# Reactions, of which 👍 and 👎 vote.
REACTION_KEYS = ["👍", "👍🏽", "👎", "👎🏿", "🎉", ":+1:"]


class ReachSteps:
    # --- steps: what a chat client does besides typing ----------------------------------------
    def _announced(self) -> list[tuple[str, str]]:
        """(proposal key, its announcement's event id) of the delivered announcements."""
        found = [(p.key, self.repo.announcement(p.key)) for p in self.repo.proposals("sem")]
        return [(key, announced[0]) for key, announced in found if announced]

    def _gesture(self, kind: Kind, person: str, at: datetime, **fields) -> str:
        self.events += 1
        event_id = f"$g{self.events}"
        self.h.engine.handle(Inbound(event_id=event_id, sender=person, text="", at=at,
                                     venue=Venue.ROOM, group="sem", kind=kind, **fields))
        self.h.sent()
        return event_id

    @rule()
    def deliver(self):
        """The outbox is delivered: the announcements get their event ids."""
        self.h.deliver()

    @precondition(lambda self: self._announced())
    @rule(person=voters, pick=st.integers(0, 100),
          backdate=st.sampled_from([0, 0, 60, 3600, 86400, 6 * 86400]))
    def read(self, person, pick, backdate):
        """A read receipt on an announcement (sent ``backdate`` ago, read only now)."""
        announced = self._announced()
        _, target = announced[pick % len(announced)]
        self._gesture(Kind.READ, person, self.h.clock.now() - timedelta(seconds=backdate),
                      target=target)

    @precondition(lambda self: self._announced())
    @rule(person=voters, pick=st.integers(0, 100), key=st.sampled_from(REACTION_KEYS),
          backdate=st.sampled_from([0, 0, 60, 3600, 86400, 6 * 86400]))
    def react(self, person, pick, key, backdate):
        announced = self._announced()
        _, target = announced[pick % len(announced)]
        event_id = self._gesture(Kind.REACTION, person,
                                 self.h.clock.now() - timedelta(seconds=backdate),
                                 target=target, key=key)
        self.reactions.append((event_id, person, target, key))

    @precondition(lambda self: self.reactions)
    @rule(pick=st.integers(0, 1000), how=st.sampled_from(["redact", "unreact", "moderator"]))
    def take_back_reaction(self, pick, how):
        """A reaction removed: by its author (a redaction, or taken back), or redacted by a
        moderator (which withdraws nothing)."""
        event_id, person, target, key = self.reactions[pick % len(self.reactions)]
        now = self.h.clock.now()
        if how == "unreact":
            self._gesture(Kind.UNREACTION, person, now, target=target, key=key)
        else:
            self._gesture(Kind.REDACTION, person if how == "redact" else ALICE, now,
                          target=event_id)

    @rule(person=st.sampled_from(PEOPLE), backdate=st.sampled_from([0, 0, 3600, 86400]))
    def chat(self, person, backdate):
        """Words in the room that are no command."""
        self._gesture(Kind.CHAT, person, self.h.clock.now() - timedelta(seconds=backdate))

    # --- the rule ------------------------------------------------------------------------------
    @invariant()
    def silence_counts_only_when_people_were_reached(self):
        """Rule 3 (cont., issue 12): a proposal whose rules of the day ask for min_reached
        is never decided by the clock below that share of its electorate's organisations
        (still active at the deadline, the proposer's left out, reached by then) unless its
        window was extended for it first; that extension happens at most once, and only
        when the share was short. (An objection sent within it counts: rule 1 judges by the
        extended deadline.)"""
        extensions = defaultdict(list)
        for row in self.repo.db.query("select * from audit where action = 'reach_extended'"):
            extensions[row["subject"]].append(row)
        decided = {row["subject"]: row for row in self.repo.db.query(
            "select * from audit where actor = ? and action in"
            " ('deadline_silent', 'deadline_unsupported')", [BOT])}
        for proposal in self._proposals():
            needed = _frozen(proposal.rules, "min_reached")
            rows = extensions.get(proposal.key, [])
            assert len(rows) <= 1, f"{proposal.key} was extended for reach {len(rows)} times"
            for row in rows:
                detail = json.loads(row["detail"])
                assert needed > 0 and detail["total"] > 0 and \
                    Fraction(detail["reached"], detail["total"]) < needed, \
                    f"{proposal.key} extended for reach while it was not short: {detail}"
            if proposal.key not in decided or needed == 0 or rows:
                continue
            reached, total = self._reach(proposal)
            assert total == 0 or Fraction(reached, total) >= needed, (
                f"{proposal.key} decided by the clock with {reached} of {total} organisations "
                f"reached (needed {needed}) and no extension")

    def _reach(self, proposal) -> tuple[int, int]:
        """(reached, counted) as of the proposal's deadline, from the stored rows, by the
        model's own reading: the electorate frozen when it opened, the status of each
        member at the deadline from its periods."""
        deadline = proposal.deadline
        counted = set()
        for member in self.electorates[proposal.key] - {proposal.proposer_member}:
            periods = [p for p in self.repo.member_periods("sem", member)
                       if p.start_at is not None and p.start_at <= deadline]
            if periods and periods[-1].status == "active":
                counted.add(member)
        reached = {row["member"] for row in self.repo.db.query(
            "select member, at from reach_marks where proposal = ?", [proposal.key])
            if from_iso(row["at"]) <= deadline}
        return len(reached & counted), len(counted)
