"""The rules no input may break (SPEC section 13), proved by a state machine.

A hypothesis ``RuleBasedStateMachine`` drives the real engine over a real SQLite file
(``tests.harness.Harness``, a ``FakeClock``): random commands from random people with valid
and invalid arguments, clock advances that fire whatever came due, restarts (with and
without downtime). After every step each rule is checked on the database, one
``@invariant`` per rule, its docstring naming it.

This module holds the machine: what is generated and its steps, the rules of the machine
in one place. What the test believes the state should be and the invariants checked
against it are in ``tests/rules_model.py``; the steps of a chat client besides typing, and
the rule of informed silence, in ``tests/rules_reach.py``.

Profiles (tests/conftest.py): ``ci`` by default; ``--hypothesis-profile=long`` scales the
number of runs. Only the number of steps per run is set here.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import unicodedata
from collections import defaultdict, deque
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from commands.events import Inbound, Venue
from commands.legitimacy import deciders
from commands.parsing import fold, split_word
from commands.refs import read_ref
from commands.settings import ProposalRules
from commands.table import find
from storage.rows import Objection
from tests.harness import ALICE, BOB, CAROL, DAN, STRANGER, Harness
from tests.rules_model import ErrorLog, RulesModel
from tests.rules_reach import ReachSteps

EVE = STRANGER
FRANK, GINA = "@frank:example.org", "@gina:example.org"
FORUM_X, FORUM_ALICE = "forum:x", "forum:alice"
MATRIX_PEOPLE = [ALICE, BOB, CAROL, DAN, EVE, FRANK, GINA]
PEOPLE = MATRIX_PEOPLE + [FORUM_X, FORUM_ALICE]

# --- vocabulary -------------------------------------------------------------------------------

INVISIBLE = ["\u200b", "\u2060", "\u00ad", "\ufeff", "\u200e", "\u202e"]
CANDIDATES = ["Repair Together", "Les Amis du Compost", "Zero Waste Brussels", "Ferme du Chant"]
BASE_NAMES = CANDIDATES + CANDIDATES + [
    # founders, and spellings of them
    "Dewey ASBL", "Réseau Transition", "Reseau Transition", "Petites Singularités",
    "Financité", "Financite", "dewey", "Dewey-ASBL", "Répair Together",
]
ODD_NAMES = ["", " ", "\u200b", "\u200b\u2060\u00ad\ufeff", " \ufeff ", "...", "!?", "—", "'"]
TRAILING = ["", "", ".", "!", " .", "…", "?!", " -", ",", "\u200b"]
RATIONALES = ["they fix things with us", "they fix things with us", "", "good neighbours", "   ",
              "why not\nwebsite: x"]

# Values a person may type for a setting: accepted, at the edges, and out of range. The
# rules of the day (SPEC section 3) first; then the task settings, whose odd values (empty
# quiet hours, far time zones) move every nudge.
DURATIONS = ["30s", "1m", "10m", "2h", "1d", "5d", "2w", "365d", "366d", "5000000d", "-1",
             "0", "99999", "abc", "P5D", "PT1H", "1d12h", "", "0s", "9" * 20]
SETTING_VALUES = {
    "silence_window": DURATIONS, "last_call": DURATIONS, "reopen_grace": DURATIONS,
    "min_supporters": ["0", "1", "2", "-1", "99999", "1000", "1001", "1.5", "", "9" * 20],
    "min_reached": ["0", "0.5", "1", "60%", "0,75", "1.5", "-1", "abc", "150%", ""],
    "reach_extension": ["1h", "last_call", "2d", "366d", "0", "abc"],
    "downtime_grace": DURATIONS, "stall_after": DURATIONS, "nudge_every": DURATIONS,
    "feedback_window": DURATIONS, "max_snooze": DURATIONS,
    "escalate_after": ["1", "2", "100", "101", "0", "-1"],
    "quiet_hours": ["off", "21:00-08:00", "00:00-00:00", "23:59-00:00", "00:00-23:59",
                    "24:00-01:00", "9:5-8:00"],
    "timezone": ["UTC", "Etc/GMT+12", "Pacific/Kiritimati", "Europe", "Mars/Olympus"],
    "who_may_mandate": ["members", "core", "everyone"],
    "language": ["nl", "fr", "en", "de"],
    "SILENCE_WINDOW": ["1m"], "nonsense": ["1"],
}
RULE_KEYS = ["silence_window", "last_call", "reopen_grace", "min_supporters", "min_reached",
             "reach_extension"]
setting_changes = st.one_of(
    st.sampled_from(RULE_KEYS), st.sampled_from(sorted(SETTING_VALUES)),
).flatmap(lambda key: st.tuples(st.just(key), st.sampled_from(SETTING_VALUES[key])))

PERSON_TOKENS = PEOPLE + ["@dan", "@alice", "forum:X", "@nobody:example.org", "garbage", "@",
                          "forum:", '"@bob:example.org"']
MEMBER_TOKENS = ["dewey", "transition", "singularites", "financite", "repair-together",
                 "les-amis-du-compost", "zero-waste-brussels", "ferme-du-chant",
                 "Réseau Transition", "DEWEY", '"Dewey ASBL"', "Dewey\u200bASBL", "nope"]
DAYS = ["2026-12-20", "2026-11-02", "2026-11-03", "9999-12-30", "9999-12-31", "2025-01-01",
        "2027-11-02", "2027-11-03", "2036-10-31", "2036-11-01", "2036-11-03", "31/12/2026",
        "2026-02-30", "soon", "0001-01-01"]
BAD_REFS = ["C-999999999", "C-0", "C-1000000000", "C-x", "T-1", "c-", "#", "C-1.", "#0",
            "C--1", "Ｃ-1"]


def refs() -> st.SearchStrategy[str]:
    """A proposal reference: mostly one that may exist, in each written form, or garbage."""
    n = st.one_of(st.integers(1, 3), st.integers(1, 8))
    return st.one_of(
        n.map(lambda k: f"C-{k}"), n.map(lambda k: f"C-{k}"), n.map(lambda k: f"#{k}"),
        n.map(lambda k: f"c{k}"), st.sampled_from(BAD_REFS),
    )


def task_refs() -> st.SearchStrategy[str]:
    n = st.integers(1, 6)
    return st.one_of(n.map(lambda k: f"T-{k}"), n.map(lambda k: f"#{k}"),
                     st.sampled_from(["T-999999999", "T-0", "C-1", "x"]))


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                                if not unicodedata.combining(c)))


@st.composite
def candidate_names(draw) -> str:
    """Names of existing members and candidates, disguised: invisible characters, trailing
    punctuation, accents, case; and names with no letter at all."""
    if draw(st.integers(0, 7)) == 0:
        return draw(st.sampled_from(ODD_NAMES))
    name = draw(st.sampled_from(BASE_NAMES))
    case = draw(st.sampled_from(["same", "upper", "lower", "swap"]))
    name = {"same": name, "upper": name.upper(), "lower": name.lower(),
            "swap": name.swapcase()}[case]
    if draw(st.booleans()):
        name = _strip_accents(name)
    for position, char in draw(st.lists(st.tuples(st.integers(0, 30),
                                                  st.sampled_from(INVISIBLE)), max_size=3)):
        position = min(position, len(name))
        name = name[:position] + char + name[position:]
    return name + draw(st.sampled_from(TRAILING))


senders = st.sampled_from(PEOPLE)
# Representatives of the founders half of the time, so that votes happen.
voters = st.one_of(st.sampled_from([ALICE, BOB, CAROL, DAN]), senders)
# Commands that need a role are sent by a holder half of the time, so that they happen.
admin_senders = st.one_of(st.just(ALICE), senders)
core_senders = st.one_of(st.sampled_from([ALICE, BOB]), senders)
venues = st.sampled_from(["room", "room", "room", "dm", "dm-bare", "dm-group"])
durations = st.one_of(
    st.sampled_from([1, 30, 59, 61, 600, 3600, 23 * 3600, 86400, 4 * 86400 + 23 * 3600,
                     5 * 86400, 6 * 86400, 14 * 86400]),
    st.integers(1, 21 * 86400),
)


class Rules(ReachSteps, RulesModel, RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="coopbot-rules-"))
        self.h = Harness(str(self.folder / "coopbot.db"))
        self.founders = {m.slug for g in self.h.config.groups for m in g.members}
        self.events = 0
        self.recent: dict[str, deque[datetime]] = defaultdict(deque)  # the rate limit, modelled
        self.calls: list[dict] = []             # commands of the current step, to check
        self.eligible: dict[str, dict] = {}     # resolve event id -> who could decide then
        self.rules_seen: dict[str, str] = {}    # proposal key -> rules first seen
        self.rules_expected: dict[str, str] = {}  # proposal key -> the rules of the day
        self.electorates: dict[str, set[str]] = {}  # proposal key -> members active then
        self.typed_names: dict[str, str] = {}   # proposal key -> the name typed in !propose
        self.outbox_checked = 0
        self.horizon = self.h.clock.now()       # every source read up to here, at most
        self.range_checks: list[tuple[str, str, str]] = []  # config set commands to check
        self.withdrawals: list[tuple[dict, dict]] = []  # (objection, its author's withdraw)
        self.reactions: list[tuple[str, str, str, str]] = []  # (event id, person, target, key)
        self.errors = ErrorLog()
        for name in ("commands", "storage"):
            logging.getLogger(name).addHandler(self.errors)

    def teardown(self) -> None:
        for name in ("commands", "storage"):
            logging.getLogger(name).removeHandler(self.errors)
        self.h.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- sending --------------------------------------------------------------------------
    @property
    def repo(self):
        return self.h.repo

    def send(self, sender: str, command: str, venue: str = "room",
             at: datetime | None = None) -> str:
        """Say ``!command`` as ``sender``; returns the event id. ``venue``: room, dm (with the
        prefix), dm-bare (without), dm-group (``!sem command``)."""
        self.events += 1
        event_id = f"$e{self.events}"
        at = at or self.h.clock.now()
        if sender.startswith("forum:"):
            kind, text, body = Venue.FORUM, f"!{command}", command
        elif venue == "room":
            kind, text, body = Venue.ROOM, f"!{command}", command
        elif venue == "dm-bare":
            kind, text, body = Venue.DM, command, command
        elif venue == "dm-group":
            kind, text, body = Venue.DM, f"!sem {command}", command
        else:
            kind, text, body = Venue.DM, f"!{command}", command
        stripped = text.strip()
        handled_expected = bool(stripped) and (kind is Venue.DM or stripped.startswith("!"))
        if kind is Venue.DM and not stripped.startswith("!"):
            body = stripped
        elif handled_expected:
            body = stripped[1:]
        if kind is Venue.DM:
            first, rest = split_word(body)
            if fold(first) == "sem":
                body = rest
        expect = self._expected(sender, body, at) if handled_expected else "ignored"
        self.h.sent()
        event = Inbound(event_id=event_id, sender=sender, text=text, at=at, venue=kind,
                        group=None if kind is Venue.DM else "sem")
        handled = self.h.engine.handle(event)
        rows = self.h.sent()
        found = find(split_word(body)[0]) if handled_expected else None
        self.calls.append({"event_id": event_id, "sender": sender, "text": text,
                           "venue": kind, "handled": handled, "expect": expect,
                           "word": found.name if found else None, "rows": rows})
        return event_id

    # --- rules: cooptation ------------------------------------------------------------------
    @initialize(proposals=st.lists(st.tuples(st.sampled_from([ALICE, BOB, CAROL, DAN]),
                                             st.sampled_from(CANDIDATES)),
                                   min_size=1, max_size=3),
                reach=st.sampled_from(["0", "0", "0.5", "1"]))
    def some_proposals(self, proposals, reach):
        """Most runs start with a few proposals (else few would be made by chance), half of
        them counting who they reach (informed silence)."""
        if reach != "0":
            self.change_rules_of_the_day("min_reached", {"0.5": "2", "1": "1"}[reach])
        for sender, name in proposals:
            self.propose(sender, "room", name, "they fix things with us", "quoted")

    @rule(sender=voters, venue=venues, name=candidate_names(),
          rationale=st.sampled_from(RATIONALES),
          form=st.sampled_from(["quoted", "multiline", "dash", "fr"]))
    def propose(self, sender, venue, name, rationale, form):
        command = {
            "quoted": f'propose "{name}" {rationale}',
            "multiline": f"propose {name}\nwhy: {rationale}",
            "dash": f"propose {name} - {rationale}",
            "fr": f'coopter « {name} » {rationale}',
        }[form]
        group = self.h.engine.group("sem")
        rules = ProposalRules.of(group.settings, group.charter).to_json()
        active = {m.slug for m in self.repo.members("sem", "active")}
        before = {p.key for p in self.repo.proposals("sem")}
        self.send(sender, command, venue)
        for proposal in self.repo.proposals("sem"):
            if proposal.key not in before:
                self.rules_expected[proposal.key] = rules
                self.electorates[proposal.key] = active
                self.typed_names[proposal.key] = name

    @rule(sender=voters, venue=venues, ref=refs(),
          reason=st.sampled_from(["not an organisation", "", "principle 1 and 2", "x" * 300]),
          backdate=st.sampled_from([0, 0, 0, 60, 3600, 86400, 6 * 86400]))
    def object_(self, sender, venue, ref, reason, backdate):
        at = self.h.clock.now() - timedelta(seconds=backdate)
        self.send(sender, f"object {ref} {reason}", venue, at=at)

    @precondition(lambda self: self._running("open", "contested"))
    @rule(pick=st.integers(0, 100), sender=voters, venue=venues,
          backdate=st.sampled_from([0, 0, 0, 60, 3600, 86400, 6 * 86400]))
    def object_running(self, pick, sender, venue, backdate):
        """An objection to a running proposal (random ones rarely hit one)."""
        running = self._running("open", "contested")
        ref = running[pick % len(running)].ref
        self.object_(sender, venue, ref, "not an organisation", backdate)

    def _running(self, *states: str) -> list[dict]:
        return self.repo.proposals("sem", states)

    @rule(sender=voters, venue=venues, ref=refs(),
          what=st.sampled_from(["", "", "objection", "proposal", "proposition", "both",
                                "support"]))
    def withdraw(self, sender, venue, ref, what):
        self.send(sender, f"withdraw {ref} {what}", venue)

    @rule(sender=voters, venue=venues, ref=refs(), comment=st.sampled_from(["", "yes!"]))
    def support(self, sender, venue, ref, comment):
        self.send(sender, f"support {ref} {comment}", venue)

    @rule(sender=core_senders, venue=venues, ref=refs(),
          decision=st.sampled_from(["accept", "reject", "accepter", "weigeren", "maybe"]),
          reason=st.sampled_from(["we talked", ""]))
    def resolve(self, sender, venue, ref, decision, reason):
        self._resolve(sender, venue, ref, decision, reason)

    @precondition(lambda self: self._running("contested"))
    @rule(pick=st.integers(0, 100), sender=core_senders, venue=venues,
          decision=st.sampled_from(["accept", "reject"]))
    def resolve_contested(self, pick, sender, venue, decision):
        """A decision on a contested proposal (random ones rarely hit one)."""
        contested = self._running("contested")
        ref = contested[pick % len(contested)].ref
        self._resolve(sender, venue, ref, decision, "we talked")

    def _resolve(self, sender, venue, ref, decision, reason):
        """Who could decide is computed before the command; the decision is checked by
        ``nobody_decides_their_own_case``."""
        # The number as the engine reads it (``C-1.``, ``(C-1)``, ``#1`` all name C-1).
        number = read_ref(ref, "C")
        proposal = self.repo.proposal("sem", number) if number is not None else None
        eligible: list[str] = []
        if proposal is not None and proposal.state == "contested":
            eligible, _ = deciders(self.repo, proposal)
        member = self.repo.linked_member("sem", sender)
        event_id = self.send(sender, f"resolve {ref} {decision} {reason}", venue)
        after = self.repo.proposal_by_key(proposal.key) if proposal else None
        self.eligible[event_id] = {
            "people": eligible, "sender": sender, "member": member.slug if member else None,
            "decided": after is not None and after.state in ("accepted", "rejected")
            and after.state != proposal.state and after.decided_by == sender,
        }

    @precondition(lambda self: self._active_objections())
    @rule(pick=st.integers(0, 1000), venue=venues,
          what=st.sampled_from(["", "objection"]))
    def author_withdraws_objection(self, pick, venue, what):
        """Rule 6: an objection's author can always withdraw it, whatever their standing."""
        objections = self._active_objections()
        objection = objections[pick % len(objections)]
        proposal = self.repo.proposal_by_key(objection.proposal)
        self.send(objection.person, f"withdraw C-{proposal.number} {what}", venue)
        self.withdrawals.append((objection, self.calls[-1]))

    @precondition(lambda self: self._active_objections())
    @rule(pick=st.integers(0, 1000), venue=venues,
          how=st.sampled_from(["member suspend", "member leave", "unlink"]))
    def objector_loses_standing(self, pick, venue, how):
        """An admin suspends the organisation of an objection's author, or unlinks them (then
        ``author_withdraws_objection`` proves they can still withdraw it)."""
        objections = self._active_objections()
        objection = objections[pick % len(objections)]
        target = objection.person if how == "unlink" else objection.member
        self.send(ALICE, f"{how} {target}", venue)

    def _active_objections(self) -> list[Objection]:
        return [o for p in self.repo.proposals("sem", ("open", "contested"))
                for o in self.repo.objections(p.key, active_only=True)]

    # --- rules: admin ---------------------------------------------------------------------
    @rule(sender=admin_senders, venue=venues, change=setting_changes)
    def config_set(self, sender, venue, change):
        key, value = change
        event_id = self.send(sender, f"config set {key} {value}", venue)
        self.range_checks.append((event_id, key, value))

    @rule(key=st.sampled_from(RULE_KEYS), value=st.sampled_from(["1", "2", "30s", "10m", "36h",
                                                                  "3d", "2w"]))
    def change_rules_of_the_day(self, key, value):
        """An admin changes a rule of the day (running proposals keep theirs)."""
        if key == "min_supporters":
            value = str(len(value) % 3)
        elif key == "min_reached":  # informed silence on (mostly) or off
            value = {"1": "1", "2": "0.5", "30s": "0.67", "10m": "0"}.get(value, "1")
        elif key == "reach_extension" and value in ("1", "2"):
            value = "last_call"
        event_id = self.send(ALICE, f"config set {key} {value}", "room")
        self.range_checks.append((event_id, key, value))

    @rule(sender=admin_senders, venue=venues, verb=st.sampled_from(["grant", "revoke", "donner"]),
          role=st.sampled_from(["core", "admin", "registrar", "king"]),
          person=st.sampled_from(PERSON_TOKENS))
    def role(self, sender, venue, verb, role, person):
        self.send(sender, f"role {verb} {role} {person}", venue)

    @rule(sender=admin_senders, venue=venues,
          verb=st.sampled_from(["suspend", "leave", "reinstate", "départ"]),
          member=st.sampled_from(MEMBER_TOKENS))
    def member(self, sender, venue, verb, member):
        self.send(sender, f"member {verb} {member}", venue)

    @rule(sender=admin_senders, venue=venues, person=st.sampled_from(PERSON_TOKENS),
          member=st.sampled_from(MEMBER_TOKENS), unlink=st.booleans())
    def link(self, sender, venue, person, member, unlink):
        self.send(sender, f"unlink {person}" if unlink else f"link {person} {member}", venue)

    @rule(sender=admin_senders, venue=venues,
          lang=st.sampled_from(["fr", "nl", "en", "de", "Nederlands", "group fr",
                                "groupe nl fr", "group en nl fr", "group de"]))
    def lang(self, sender, venue, lang):
        """A person's own language (anyone), or the group's, bilingual too (admins): every
        command still gets exactly one reply, in one language."""
        self.send(sender, f"lang {lang}", venue)

    # --- rules: tasks -------------------------------------------------------------------------
    @rule(sender=core_senders, venue=venues, lead=st.sampled_from(PERSON_TOKENS),
          due=st.one_of(st.just(""), st.sampled_from(DAYS).map(lambda d: f" due {d}")))
    def mandate(self, sender, venue, lead, due):
        self.send(sender, f'mandate {lead} "Book the room"{due} and the chairs', venue)

    @rule(sender=senders, venue=venues, task=task_refs(), person=st.sampled_from(PERSON_TOKENS))
    def handover(self, sender, venue, task, person):
        self.send(sender, f"handover {task} {person}", venue)

    @rule(sender=senders, venue=venues,
          when=st.one_of(st.just("off"), st.sampled_from(DAYS).map(lambda d: f"until {d}")))
    def away(self, sender, venue, when):
        self.send(sender, f"away {when}", venue)

    @rule(sender=senders, venue=venues, task=task_refs(), ref=refs(),
          command=st.sampled_from([
              "update {t} progress", "done {t}", "drop {t} no longer needed", "snooze {t} 3d",
              "snooze {t} 99999d", "feedback {t} https://example.org", "ack {t} fine",
              "tasks", "tasks mine", "status {t}", "status {c}", "list all", "list", "members",
              "help", "help propose", "config show", "tree", "frobnicate", "", "\u200b",
              "status {c} extra words",
          ]))
    def other(self, sender, venue, task, ref, command):
        self.send(sender, command.format(t=task, c=ref), venue)

    # --- rules: time and restarts ----------------------------------------------------------------
    @rule(seconds=durations, lag=st.sampled_from([0, 0, 60, 3600, 86400, 3 * 86400]))
    def advance(self, seconds, lag):
        """Time passes and due work is done, every source read up to ``now - lag`` (a source
        lagging behind holds its deadlines back)."""
        self.h.clock.advance(timedelta(seconds=seconds))
        now = self.h.clock.now()
        read_until = now - timedelta(seconds=lag) if lag else None
        self.h.engine.process_due(read_until)
        self.horizon = max(self.horizon, read_until or now)

    @rule()
    def restart(self):
        self.h.restart()
        self.recent.clear()  # the rate limit lives in the engine's memory

    @rule(seconds=durations)
    def restart_after_downtime(self, seconds):
        """Down for a while (nothing read, nothing decided), then started as the runtime
        does: seed, stretch the windows that lost time, then decide what came due."""
        self.h.engine.heartbeat()
        self.h.close()
        self.h.clock.advance(timedelta(seconds=seconds))
        self.h.open()
        self.h.engine.recover_downtime()
        self.h.engine.process_due()
        self.horizon = max(self.horizon, self.h.clock.now())
        self.recent.clear()


Rules.TestCase.settings = settings(stateful_step_count=30)
TestRules = Rules.TestCase
