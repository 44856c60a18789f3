"""Fuzz of command lines through the real engine: whatever a line says, whoever sends it,
the engine never raises, never answers ``err.internal`` (nor logs a caught exception),
answers each command once (or announces an admin change), and a refusal changes nothing.

The typed refusal of a command is ``CommandError``, turned by the engine into an ``err.*``
reply. A setting ``!config set`` accepts is one every later command, and the clock's work,
can live with.
"""

from __future__ import annotations

import re
import string
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st

from commands.events import Inbound, Venue
from commands.messages import CATALOG
from commands.parsing import fold, split_word
from commands.settings import SETTINGS
from commands.table import COMMANDS, Right, find
from tests.fuzzing import (
    COMMAND_WORDS,
    INTERNAL,
    MEMBERS,
    PERSONS,
    SENDERS,
    SETTING_KEYS,
    LogTrap,
    ReplySpy,
    any_setting_value,
    any_token,
    choice_token,
    date_token,
    duration_token,
    free_text,
    fresh,
    name_text,
    ref_token,
    serials,
    setting_value,
    state,
    weighted,
)
from tests.harness import ALICE, BOB, CAROL, DAN, Harness

# --- lines shaped like the command table ------------------------------------------------------

senders = weighted((3, st.just(ALICE)), (3, st.sampled_from([BOB, CAROL, DAN])),
                   (1, st.sampled_from(SENDERS)))
setting_pair = st.one_of(
    st.sampled_from(list(SETTINGS)).flatmap(lambda k: st.tuples(st.just(k), setting_value(k))),
    st.tuples(st.sampled_from(SETTING_KEYS), any_setting_value),
)


def _quote(name: str, style: int) -> str:
    return ['"{}"', "«{}»", "“{}”", "'{}'", "„{}“", "{}", '"{}'][style].format(name)


quoted_name = st.builds(_quote, name_text, st.integers(0, 6))


def _join(parts: list[str], sep: str) -> str:
    return sep.join(p for p in parts if p is not None)


def body_for(command: str) -> st.SearchStrategy[str]:
    """The free-form bodies of propose, mandate, away, update and feedback."""
    if command == "propose":
        multi = st.builds(lambda n, why, extra: f"{n}\nwhy: {why}{extra}", name_text, free_text,
                          st.sampled_from(["", "\nwebsite: https://x.org", "\ncharter 1: yes",
                                           "\ncharter 99999999999999: x", "\ncontact: @room"]))
        return st.one_of(st.builds(lambda q, r: f"{q} {r}", quoted_name, free_text), multi,
                         st.builds(lambda n, r: f"{n} — {r}", name_text, free_text), free_text)
    if command == "mandate":
        return st.one_of(
            st.builds(lambda q, w, d, desc: _join([q, w, d, desc], " "), quoted_name,
                      st.sampled_from(["due", "échéance", "tegen", "DUE", None]), date_token,
                      free_text),
            st.builds(lambda t, d: f"{t} due {d}", name_text, date_token),
            free_text)
    if command == "away":
        return st.one_of(
            st.builds(lambda w, d: f"{w} {d}", st.sampled_from(
                ["until", "jusqu'au", "jusqu’au", "tot", "au", "UNTIL", "till", ""]), date_token),
            st.sampled_from(["off", "fin", "terug", "back", "OFF", "off off", ""]),
            free_text)
    return free_text


def args_for(command) -> st.SearchStrategy[list[str]]:
    """Arguments shaped like the command's parameters in the table, often valid, often not."""
    if command.name == "config":
        return st.one_of(
            setting_pair.map(lambda kv: ["set", kv[0], kv[1]]),
            st.builds(lambda v, kv: [v, *kv], st.sampled_from(
                ["set", "changer", "instellen", "SET", "show", "voir", "tonen"]), setting_pair),
            st.sampled_from([["show"], ["set"], ["show", "x"], []]))
    parts = []
    for param in command.params:
        if param.kind in ("proposal", "task"):
            own = ["C-1", "C-2", "C-3", "c2", "#3"] if param.kind == "proposal" else \
                ["T-1", "T-2", "T-3", "t3", "#1"]
            strategy = weighted((3, st.sampled_from(own)), (1, ref_token))
        elif param.kind == "person":
            strategy = st.sampled_from(PERSONS)
        elif param.kind == "member":
            strategy = st.sampled_from(MEMBERS)
        elif param.kind == "choice":
            own = sorted({w for key, per in param.choices.items() for w in (key, *per.values())})
            strategy = st.one_of(st.sampled_from(own), choice_token)
        elif param.kind == "word":
            strategy = {"duration": duration_token, "ref": ref_token,
                        "command": st.sampled_from(COMMAND_WORDS)}.get(param.name, any_token)
        elif param.kind == "body":
            strategy = body_for(command.name)
        else:
            strategy = free_text
        parts.append(weighted((8, strategy), (1, any_token), (1, st.just(""))))
    base = st.tuples(*parts).map(list) if parts else st.just([])
    # mostly as the table says; sometimes one more argument, sometimes cut short
    extra = weighted((6, st.just([])), (1, st.lists(any_token, min_size=1, max_size=2)))
    keep = weighted((6, st.just(99)), (1, st.integers(0, len(command.params))))
    return st.builds(lambda a, b, k: (a + b)[:k], base, extra, keep)


# Who holds each right in the template (T-1 Register: Carol; T-2 Decide: core; T-3: Dan).
HOLDERS = {"anyone": SENDERS, "representative": [ALICE, BOB, CAROL, DAN, "forum:alice"],
           "core": [ALICE, BOB], "decide": [ALICE, BOB], "admin": [ALICE],
           "mandate": [ALICE, BOB], "lead": [DAN, CAROL, ALICE],
           "lead_or_core": [DAN, CAROL, ALICE, BOB]}


@st.composite
def command_steps(draw) -> tuple[str, str]:
    """(sender, line): a command of the table, often sent by someone who holds its right."""
    command = draw(st.sampled_from(COMMANDS))
    holders = HOLDERS.get(str(command.right.value), SENDERS)
    sender = draw(weighted((3, st.sampled_from(holders)), (1, senders)))
    words = sorted({w for ws in command.words.values() for w in ws} | {command.name})
    word = draw(st.sampled_from(words))
    word = draw(weighted((6, st.just(word)), (1, st.sampled_from(
        [word.upper(), word.title(), fold(word), word + "\u200b", "\u200e" + word]))))
    args = draw(args_for(command))
    sep = draw(st.sampled_from([" ", " ", " ", "  ", "\n", "\t", "\u00a0"]))
    prefix = draw(weighted((12, st.just("!")), (1, st.sampled_from(
        ["", " !", "!!", "! ", "！", "?", "/", "!sem ", "coopbot: "]))))
    return sender, prefix + _join([word, *args], sep)


random_lines = st.builds(lambda p, t: p + t, st.sampled_from(["!", "", "!sem "]),
                         st.one_of(st.text(max_size=80),
                                   st.lists(any_token, max_size=5).map(" ".join)))

ats = weighted(
    (6, st.none()),
    (2, st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=400))),
    (1, st.sampled_from([datetime(1, 1, 1, tzinfo=timezone.utc),
                         datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)])),
)
venues = weighted((4, st.just(Venue.ROOM)), (1, st.sampled_from(list(Venue))))


@st.composite
def steps(draw) -> tuple[str, str, Venue, Any]:
    """(sender, line, venue, the event's source time: None for now, an offset, or an extreme)."""
    sender, line = draw(weighted((6, command_steps()), (1, st.tuples(senders, random_lines))))
    return sender, line, draw(venues), draw(ats)


# --- what the engine answered -----------------------------------------------------------------

ADMIN_COMMANDS = {c.name for c in COMMANDS if c.right is Right.ADMIN}


def _template_regex(template: str) -> re.Pattern:
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".*?")
    return re.compile("".join(parts), re.DOTALL)


REFUSALS = [_template_regex(t) for key, per in CATALOG.items() if key.startswith("err.")
            for t in per.values()]


def looks_refused(plain: str) -> bool:
    return any(p.fullmatch(plain) for p in REFUSALS)


def command_of(text: str, venue: Venue) -> str | None:
    """The table's name of the command a line calls, if any (after the prefix and a group)."""
    body = text.strip()
    body = body[1:] if body.startswith("!") else body
    word, rest = split_word(body)
    if fold(word) == "sem" and venue is Venue.DM:
        word, _ = split_word(rest)
    command = find(word)
    return command.name if command else None


def check_outcome(h: Harness, spy: ReplySpy, event_id: str, what: str, before: dict,
                  handled: bool, command: str | None, venue: Venue) -> list[dict]:
    """The properties of one handled event (see the module docstring and ``ReplySpy``)."""
    rows = h.sent()
    crashed = [r["plain"] for r in rows if any(t in r["plain"] for t in INTERNAL)]
    assert not crashed, f"err.internal for {what}"
    replies = [r for r in rows if r["reply_to"] == event_id]
    after = state(h)
    if not handled:
        assert rows == [] and after == before, f"not a command, yet something happened: {what}"
        return rows
    kept = spy.keys.get(event_id, [])
    refused = any(k.startswith("err.") for k in kept) or (
        not kept and len(replies) == 1 and looks_refused(replies[0]["plain"]))
    if refused:
        assert len(replies) == 1, f"a refusal must be one reply: {what}: {rows}"
        assert len(rows) == 1, f"a refusal must send nothing else: {what}: {rows}"
        changed = {t for t in after if after[t] != before.get(t)}
        assert not changed, f"refused ({kept}) but changed {sorted(changed)}: {what}"
        return rows
    if len(replies) == 1:
        return rows
    announced = [r for r in rows if r["reply_to"] is None and r["venue"] == "room"]
    assert (not replies and command in ADMIN_COMMANDS and venue is Venue.ROOM and announced), \
        f"expected one reply to the command (or an admin announcement): {what}: {rows}"
    return rows


def run_line(h: Harness, spy: ReplySpy, trap: LogTrap, sender: str, text: str,
             venue: Venue = Venue.ROOM, at: datetime | timedelta | None = None) -> list[dict]:
    """One command through the real engine, with every property checked."""
    if isinstance(at, timedelta):
        at = h.clock.now() + at
    event_id = f"$fuzz{next(serials)}"
    event = Inbound(event_id=event_id, sender=sender, text=text, at=at or h.clock.now(),
                    venue=venue, group=None if venue is Venue.DM else "sem")
    what = f"{sender} in {venue}: {text!r}"
    note(what)
    before = state(h)
    handled = h.engine.handle(event)  # must not raise
    trap.check(f"crashed on {what}")
    return check_outcome(h, spy, event_id, what, before, handled, command_of(text, venue), venue)


# --- command lines through the real engine ----------------------------------------------------

@given(script=st.lists(steps(), min_size=1, max_size=6))
def test_command_lines_through_the_engine(template, script):
    """Random prefixes, command words of the table in fr/nl/en, arguments shaped like the
    table's parameters (valid and invalid refs, dates, durations, persons, names with
    invisible and bidi characters, emoji, long text), random senders and venues: the engine
    never raises, never answers err.internal (nor logs a caught exception), answers each
    command once (or announces an admin change), and a refusal changes nothing.

    Refusal or success: ``ReplySpy`` records the catalogue key of the reply each command kept
    (the engine discards a refused command's effects, then replies ``error.key``), so a kept
    ``err.*`` key is a refusal whatever the language or user text; without a recorded key
    the reply text is matched against the ``err.*`` templates. For a refusal, the reply must
    be the only message and every table but the outbox and processed_events (a superset of
    ``Harness.snapshot()``) must be unchanged. The clock moves 7 s per command to stay
    under the rate limit, whose silence would otherwise look like a missing reply."""
    with fresh(template) as h, ReplySpy() as spy, LogTrap() as trap:
        for sender, text, venue, at in script:
            run_line(h, spy, trap, sender, text, venue, at)
            h.clock.advance(timedelta(seconds=7))  # under the rate limit of 10 a minute


# Commands that compute with the settings: deadlines, the ladder, snoozes, absences.
FOLLOW_UPS = [
    (ALICE, '!propose "Fuzz Org" a reason to invite them'),
    (ALICE, '!mandate @dan:example.org "Fuzz task" due 2026-12-20'),
    (CAROL, "!withdraw C-3"),  # the last objection: reopens with reopen_grace
    (ALICE, "!status T-3"),
    (ALICE, "!tasks stalled"),
    (DAN, "!snooze T-3 1d"),
    (DAN, "!away until 2026-12-24"),
    (ALICE, "!config show"),
]


@given(setting=st.sampled_from(list(SETTINGS)).flatmap(
    lambda k: st.tuples(st.just(k), setting_value(k))))
def test_an_accepted_setting_never_breaks_the_engine(template, setting):
    """``!config set KEY VALUE`` either refuses or stores a value every later command, and the
    clock's work (process_due, wakeups), can live with."""
    key, value = setting
    with fresh(template) as h, ReplySpy() as spy, LogTrap() as trap:
        run_line(h, spy, trap, ALICE, f"!config set {key} {value}")
        for sender, text in FOLLOW_UPS:
            run_line(h, spy, trap, sender, text)
        for _ in range(2):
            h.engine.wakeups()
            trap.check(f"wakeups() after {key} = {value!r}")
            h.clock.advance(timedelta(days=20))
            h.engine.process_due()
            trap.check(f"process_due() after {key} = {value!r}")
            assert not [r for r in h.sent() if any(t in r["plain"] for t in INTERNAL)]
