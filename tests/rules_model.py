"""The model of the state machine of the rules (``tests/test_rules_stateful.py``): what the
test believes the state should be, and the rules no input may break (SPEC section 13)
checked against the database after every step, one ``@invariant`` per rule, its docstring
naming it.

A mixin of ``Rules``, like ``tests.rules_reach.ReachSteps``: it reads the machine's harness
(``self.h``, ``self.repo``) and what the machine's steps noted while they sent (set up in
``Rules.__init__``): the rate limit as modelled (``self.recent``), the commands of the step
(``self.calls``), who could decide each ``!resolve`` (``self.eligible``), each proposal's
rules of the day, electorate and typed name, the config changes and withdrawals to check,
how far the sources were read (``self.horizon``) and the errors the engine logged.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import datetime, timedelta

from hypothesis.stateful import invariant

from commands.engine import RATE_LIMIT, RATE_WINDOW
from commands.events import Venue
from commands.legitimacy import in_good_standing_holders
from commands.messages import CATALOG
from commands.parsing import name_key, split_word
from commands.render import RULE
from commands.settings import SETTINGS
from commands.table import find
from commands.timefmt import from_iso

BOT = "coopbot"

ADMIN_CONFIRMS = {"config", "role", "link", "unlink", "member", "lang"}
INTERNAL = [text for text in CATALOG["err.internal"].values()]
RATE_NOTICE = [text.split("{")[0] for text in CATALOG["err.rate_limited"].values()]
BAD_VALUE = tuple(text.split("{")[0] for text in CATALOG["err.bad_value"].values())


def _frozen(rules_json: str, key: str):
    return SETTINGS[key].parse(json.loads(rules_json)[key])


class ErrorLog(logging.Handler):
    """Errors the engine logged while it swallowed an exception."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class RulesModel:
    # --- the model: the rate limit --------------------------------------------------------
    def _expected(self, sender: str, body: str, at: datetime) -> str:
        """What the rate limit lets through: 'answer', 'notice' (the one notice of a burst) or
        'silence'; objections and withdrawals are never limited."""
        command = find(split_word(body)[0])
        if command is not None and command.name in ("object", "withdraw"):
            return "answer"
        recent = self.recent[sender]
        while recent and at - recent[0] > RATE_WINDOW:
            recent.popleft()
        recent.append(at)
        if len(recent) <= RATE_LIMIT:
            return "answer"
        return "notice" if len(recent) == RATE_LIMIT + 1 else "silence"

    # --- invariants -------------------------------------------------------------------------
    def _proposals(self) -> list:
        return self.repo.proposals("sem")

    @invariant()
    def no_validation_over_an_objection(self):
        """Rule 1: no proposal is validated over an objection sent at or before its deadline
        and not withdrawn before the decision."""
        for proposal in self._proposals():
            if proposal.state != "validated":
                continue
            deadline = proposal.deadline
            for objection in self.repo.objections(proposal.key):
                if objection.at > deadline:
                    continue
                withdrawn = objection.withdrawn_at
                assert withdrawn is not None and withdrawn <= proposal.decided_at, (
                    f"C-{proposal.number} validated at {proposal.decided_at} over the "
                    f"objection of {objection.person} sent {objection.at}, "
                    f"withdrawn {withdrawn}")

    @invariant()
    def no_deadline_decided_before_it_is_read(self):
        """Rule 1 (cont.): the clock decides a deadline only once every source has been
        read up to it (an objection still in transit must count)."""
        for row in self.repo.db.query(
                "select audit.subject, proposals.deadline from audit join proposals"
                " on proposals.key = audit.subject where audit.actor = ? and audit.action in"
                " ('deadline_silent', 'deadline_unsupported', 'name_taken')", [BOT]):
            assert from_iso(row["deadline"]) <= self.horizon, (
                f"{row['subject']} decided by the clock, deadline {row['deadline']}, while "
                f"the sources were read up to {self.horizon.isoformat()}")

    @invariant()
    def nobody_decides_their_own_case(self):
        """Rule 2: every resolve decision was taken by someone eligible at that moment, and
        never by a proposer or an objector, in person or through their organisation."""
        for event_id, record in self.eligible.items():
            assert not record["decided"] or record["sender"] in record["people"], (
                f"{record['sender']} decided with {event_id} while the eligible deciders "
                f"were {record['people']}")
        for row in self.repo.db.query(
                "select * from audit where action in ('accept', 'reject')"
                " or (action = 'name_taken' and actor != ?)", [BOT]):
            record = self.eligible.get(row["event_id"])
            assert record is not None, f"a decision from an unknown command: {dict(row)}"
            assert row["actor"] in record["people"], (
                f"{row['actor']} decided {row['subject']} ({row['action']}) while the "
                f"eligible deciders were {record['people']}")
        decisions = {r["subject"]: r for r in self.repo.db.query(
            "select * from audit where action in ('accept', 'reject')")}
        for proposal in self._proposals():
            by = proposal.decided_by
            if by in (None, BOT):
                continue
            objections = self.repo.objections(proposal.key)
            assert by != proposal.proposer, f"the proposer decided {proposal.key}"
            assert by not in {o.person for o in objections}, \
                f"an objector decided {proposal.key}"
            record = self.eligible.get(decisions[proposal.key]["event_id"], {})
            organisations = {proposal.proposer_member} | {o.member for o in objections}
            assert record["member"] is None or record["member"] not in organisations, (
                f"{by} of {record['member']} decided {proposal.key}, a case of "
                f"{sorted(organisations)}")

    @invariant()
    def rules_of_the_day(self):
        """Rule 3: a proposal's frozen rules never change after creation, are the group's
        rules when it opened, and its deadline is created_at + the frozen silence window,
        grown only by downtime extensions and reopenings (max(deadline, now + reopen_grace))."""
        for proposal in self._proposals():
            key, rules = proposal.key, proposal.rules
            assert rules, f"{key} has no frozen rules"
            assert self.rules_seen.setdefault(key, rules) == rules, \
                f"{key}'s rules changed: {self.rules_seen[key]} -> {rules}"
            if key in self.rules_expected:
                assert json.loads(rules) == json.loads(self.rules_expected[key]), \
                    f"{key} froze {rules}, the rules of the day were {self.rules_expected[key]}"
            deadline = proposal.created_at + _frozen(rules, "silence_window")
            extended = 0
            for row in self.repo.db.query(
                    "select * from audit where subject = ? and action in"
                    " ('extended', 'last_objection_withdrawn', 'reach_extended') order by id",
                    [key]):
                if row["action"] == "reach_extended":
                    # Once, by the frozen reach_extension (last_call when it follows it),
                    # from the deadline or, decided late, from the decision.
                    grows = _frozen(rules, "reach_extension") or _frozen(rules, "last_call")
                    extended_to = max(deadline, from_iso(row["at"])) + grows
                    extended += int((extended_to - deadline).total_seconds())
                    deadline = extended_to
                elif row["action"] == "extended":
                    # The lost time is added to the deadline, or, back after it, to the
                    # moment of return (decisions.extend_for_downtime).
                    seconds = json.loads(row["detail"])["downtime_seconds"]
                    extended_to = max(deadline, from_iso(row["at"])) + timedelta(seconds=seconds)
                    extended += int((extended_to - deadline).total_seconds())
                    deadline = extended_to
                else:
                    deadline = max(deadline,
                                   from_iso(row["at"]) + _frozen(rules, "reopen_grace"))
            assert proposal.deadline == deadline, \
                f"{key}: deadline {proposal.deadline}, expected {deadline.isoformat()}"
            assert int(proposal.extended_by or 0) == extended, key

    @invariant()
    def judged_by_its_electorate_and_supports(self):
        """Rule 3 (cont.): only the frozen electorate objects or supports, and a validated
        proposal had the frozen min_supporters from other members by its deadline (and a
        lapsed one had not)."""
        lapsed = {row["subject"] for row in self.repo.db.query(
            "select subject from audit where action = 'deadline_unsupported'")}
        for proposal in self._proposals():
            electorate = self.electorates[proposal.key]
            if hasattr(self.repo, "electorate"):
                assert set(self.repo.electorate(proposal)) == electorate, (
                    f"{proposal.key}: electorate {self.repo.electorate(proposal)}, active "
                    f"when it opened: {sorted(electorate)}")
            objections = self.repo.objections(proposal.key)
            supports = self.repo.supports(proposal.key)
            for voice in objections + supports:
                assert voice.member in electorate, \
                    f"{voice.person} of {voice.member} spoke on {proposal.key}"
            deadline = proposal.deadline
            counted = {s.member for s in supports
                       if s.member != proposal.proposer_member
                       and s.at <= deadline}
            needed = _frozen(proposal.rules, "min_supporters")
            if proposal.state == "validated":
                assert len(counted) >= needed, \
                    f"{proposal.key} validated with {len(counted)}/{needed} supports"
            if proposal.key in lapsed:
                assert len(counted) < needed, \
                    f"{proposal.key} lapsed with {len(counted)}/{needed} supports"

    @invariant()
    def the_name_typed(self):
        """SPEC section 3: a proposal opens for the name that was typed, and never for an
        empty or invisible one (refused: "an empty name")."""
        for proposal in self._proposals():
            typed = self.typed_names.get(proposal.key)
            if typed is None:
                continue
            assert name_key(typed), \
                f"{proposal.key} opened for {proposal.candidate!r}; the name typed " \
                f"was {typed!r}"
            assert name_key(proposal.candidate) == name_key(typed), \
                f"{proposal.key} opened for {proposal.candidate!r}, not {typed!r}"

    @invariant()
    def one_name_one_member(self):
        """Rule 4: no two members of a group share a normalised name (founders of the
        config file excepted)."""
        by_key: dict[str, list[dict]] = defaultdict(list)
        for member in self.repo.members("sem"):
            by_key[name_key(member.name)].append(member)
        for key, members in by_key.items():
            if len(members) > 1:
                assert all(m.slug in self.founders and m.origin == "config"
                           for m in members), \
                    f"members share the name {key!r}: {[(m.slug, m.name) for m in members]}"

    @invariant()
    def an_admin_remains(self):
        """Rule 5: the group always has an admin in good standing."""
        assert in_good_standing_holders(self.repo, "sem", "admin"), "no admin left"

    @invariant()
    def an_objection_can_be_withdrawn(self):
        """Rule 6: an objection's author can always withdraw it, whatever their standing
        (``author_withdraws_objection`` sends it; here it must have been withdrawn)."""
        withdrawals, self.withdrawals = self.withdrawals, []
        for objection, call in withdrawals:
            [row] = [o for o in self.repo.objections(objection.proposal) if o.id == objection.id]
            assert row.withdrawn_at is not None, (
                f"{objection.person} could not withdraw their objection to "
                f"{objection.proposal}: {[r['plain'] for r in call['rows']]}")

    @invariant()
    def one_answer_per_command(self):
        """Rule 7: every handled command gets exactly one answer addressed to it (or, for an
        admin command typed in the room, its announcement), or the one rate-limit notice of
        a burst and silence after it."""
        calls, self.calls = self.calls, []
        for call in calls:
            rows, what = call["rows"], f"{call['sender']} {call['text']!r}"
            if call["expect"] == "ignored":
                assert not call["handled"], f"{what} was not a command, yet handled"
                continue
            assert call["handled"], f"{what} was not handled"
            replies = [r for r in rows if r["reply_to"] == call["event_id"]]
            if call["expect"] == "silence":
                assert rows == [], f"{what} is over the rate limit, yet: {rows}"
                continue
            if call["expect"] == "notice":
                assert len(rows) == 1 and replies and \
                    any(n in replies[0]["plain"] for n in RATE_NOTICE), \
                    f"{what} should get the one rate-limit notice: {[r['plain'] for r in rows]}"
                continue
            if not replies and call["venue"] is Venue.ROOM and call["word"] in ADMIN_CONFIRMS:
                assert any(r["venue"] == "room" and r["reply_to"] is None for r in rows), \
                    f"{what}: no reply and no announcement"
                continue
            assert len(replies) == 1, \
                f"{what} got {len(replies)} replies: {[r['plain'] for r in replies]}"
            reply = replies[0]
            assert reply["venue"] == str(call["venue"]), f"{what} answered in {reply['venue']}"
            if call["venue"] is Venue.DM:
                assert reply["target"] == call["sender"], f"{what} answered to {reply['target']}"
            assert not any(n in replies[0]["plain"] for n in RATE_NOTICE), \
                f"{what} was rate-limited, though within the limit"
            # A reply is for one reader, in one language: only room announcements carry a
            # bilingual group's languages one after the other.
            assert RULE not in reply["plain"], f"{what} was answered in several languages"

    @invariant()
    def every_value_has_a_range(self):
        """Every value has a range and a refusal names it: a stored setting is always in
        range, and a value out of range is refused with a reply that says the range."""
        for row in self.repo.db.query("select * from settings"):
            SETTINGS[row["key"]].parse(row["value"])
        checks, self.range_checks = self.range_checks, []
        for event_id, key, value in checks:
            setting = SETTINGS.get(key.lower())
            if setting is None or not value:
                continue
            try:
                setting.parse(value)
                continue
            except (ValueError, TypeError):
                pass
            replies = [r["plain"] for r in self.repo.db.query(
                "select plain from outbox where reply_to = ?", [event_id])]
            refused = [p for p in replies if p.startswith(BAD_VALUE)]  # not a rights refusal
            if setting.high:
                assert all(setting.high in p for p in refused), \
                    f"the refusal of {key}={value!r} does not name the range: {refused}"

    @invariant()
    def no_internal_error(self):
        """Rule 8: no reply is the internal-error message."""
        for row in self.repo.db.query("select * from outbox where id > ? order by id",
                                      [self.outbox_checked]):
            self.outbox_checked = row["id"]
            assert not any(text in row["plain"] for text in INTERNAL), \
                f"internal error in reply to {row['reply_to']}: {row['plain']}"

    @invariant()
    def engine_never_fails(self):
        """Rule 9: the engine never raises (a raise fails the step itself); wakeups() never
        raises; and nothing was swallowed either: no error logged, no due item failed."""
        self.h.engine.wakeups()
        assert not self.errors.records, [
            (r.getMessage(), r.exc_text or (r.exc_info and repr(r.exc_info[1])))
            for r in self.errors.records]
        failed = list(self.repo.db.query("select * from audit where action = 'item_failed'"))
        assert not failed, failed
