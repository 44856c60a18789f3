"""Fuzz tests of every parser, for trust: no input raises anything but the typed refusal, and a
refusal changes nothing.

The typed refusals are ``CommandError`` for commands (turned by the engine into an ``err.*``
reply), ``ValueError`` for the duration, date, quiet-hours, time-zone and setting parsers,
``ConfigError`` for the configuration file, and ``None`` (not for the bot) from the Matrix
translation ``to_inbound``. Anything else is a bug, as is the engine's catch-all reply
``err.internal`` ("Something went wrong on my side"): it means some input made a command
crash.

Profiles (tests/conftest.py): ``ci`` by default, ``--hypothesis-profile=long`` for 10 000
examples per test.
"""

from __future__ import annotations

import itertools
import json
import logging
import traceback
import re
import shutil
import string
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from hypothesis import note
from hypothesis import strategies as st
from hypothesis import given

from bot.clock import FakeClock
from bot.config import Config, ConfigError, DiscourseConfig, describe, placeholder_problems
from bot.config import parse as parse_config
from bot.forum import EVENT_PREFIX, ForumAdapter
from bot.matrix_events import Addressee, thread_root, to_inbound
from commands.context import Effects
from commands.errors import CommandError
from commands.events import Inbound, Venue
from commands.forum_text import ReplyCommand, ReplyWords, command_text, read_reply
from commands.messages import CATALOG
from commands.parsing import any_ref, fold, name_key, proposal_number, split_word, task_number
from commands.settings import SETTINGS, GroupSettings
from commands.table import COMMANDS, Right, find
from commands.timefmt import parse_day, parse_duration, parse_quiet_hours, parse_zone
from tests.harness import ALICE, BOB, CAROL, DAN, STRANGER, Harness

# --- vocabulary ------------------------------------------------------------------------------

INVISIBLE = ["\u200b", "\u2060", "\u00ad", "\ufeff", "\u200e", "\u200f", "\u061c", "\u180e",
             "\u034f", "\u200c", "\u200d"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
EMOJI = ["🙂", "👩‍👩‍👧", "🏳️‍🌈", "🇧🇪", "🔥", "🧑‍🌾", "e\u0301", "ﬁ", "Ⅻ", "ß", "İ"]
SPACES = [" ", "  ", "\t", "\n", "\u00a0", "\u3000", "\u2003", " \n "]
NAMES = ["Repair Together", "Repair\u200bTogether", "REPAIR TOGETHER", "Dewey ASBL",
         "Réseau Transition", "Reseau Transition", "Les Amis du Compost", "Zero Waste Brussels",
         "@room", "<b>x</b>", "Financité", "Petites Singularités", "x", "Ø"]
WORDS = ["because", "parce que", "omdat", "due", "until", "off", "why:", "website:",
         "charter 1:", "principle 2", "accept", "reject", "objection", "proposal", "all", "mine",
         "show", "set", "\\", "«", "»", '"', "“", "”", "'", "—", ":"]
PERSONS = [ALICE, BOB, CAROL, DAN, STRANGER, "@dan", "@alice", "@ALICE:example.org", "forum:x",
           "forum:alice", "forum:", "forum:ALICE", "@nobody:example.org", '"@bob:example.org"',
           "@room", "@:", "dan", "@dan:example.org:8448", "@d\u200ban:example.org",
           "@coopbot:example.org", "forum:🙂"]
MEMBERS = ["dewey", "transition", "singularites", "financite", "repair-together",
           "Réseau Transition", "Petites Singularités", '"Dewey ASBL"', "DEWEY", "nope",
           "Dewey\u200bASBL", "Dewey ASBL", "« Dewey ASBL »", "member"]
SENDERS = [ALICE, BOB, CAROL, DAN, STRANGER, "forum:alice", "forum:x", "@ALICE:example.org",
           "@x:example.org"]
ZONES = ["Europe/Brussels", "UTC", "Etc/GMT+12", "Etc/GMT-14", "Pacific/Kiritimati", "Europe",
         "America", "a" * 300, "../../etc/passwd", "", "Mars/Olympus", "Europe/Brussels\u200b",
         "EUROPE/BRUSSELS", "posixrules", "Factory", "zone.tab", "tzdata.zi", "__pycache__",
         "Europe/", "/Europe/Brussels"]
QUIET = ["off", "", "none", "OFF", "21:00-08:00", "00:00-00:00", "23:59-00:00", "24:00-01:00",
         "21:00 - 08:00", "9:5-8:00", "12:00-14:00", "21:00-08:00-09:00", "٢١:٠٠-٠٨:٠٠"]
DATES = ["9999-12-31", "9999-12-30", "0001-01-01", "0001-01-02", "2026-02-30", "2026-11-02",
         "2026-11-01", "2026-12-10", "31/12/9999", "01.01.0001", "10000-01-01", "2026-13-01",
         "2026-1-1", "٢٠٢٦-١٢-١٠", "30-12-9999", "1/1/1"]
DURATIONS = ["5000000d", "0s", "P99999999D", "P0D", "PT0S", "1d12h", "2w", "PT36H", "P1W2D",
             "999999999999w", "P", "PT", "-1d", "1,5d", "5 d", "١d", "99999999999d",
             "P99999999999D", "1u", "3j", "2W", "14d", "15d", "1s", "PT1S", "2000000d",
             "365d", "366d", "52w", "53w", "8760h", "8761h", "P365D", "31536000s", "525600m"]
NUMBERS = [0, 1, 2, 3, 4, -1, 999999999, 1000000000, 2**31, 2**63, 10**30]
REFS = ["C-1", "c1", "#1", "C-2", "C-3", "T-1", "T-2", "T-3", "#2", "#3", "T-99999999999",
        "C-١", "c−1", "C–1", "C-1.", "C-01", "c-0", "C-999999999", "#", "C-", "T-4", "C-4"]
SETTING_KEYS = list(SETTINGS) + [k.upper() for k in SETTINGS] + ["nope", "prefix"]

INTERNAL = tuple(CATALOG["err.internal"].values())
ADMIN_COMMANDS = {c.name for c in COMMANDS if c.right is Right.ADMIN}


def _choice_words() -> list[str]:
    words = set()
    for command in COMMANDS:
        for param in command.params:
            for key, per_lang in param.choices.items():
                words.add(key)
                words.update(per_lang.values())
    return sorted(words)


CHOICE_WORDS = _choice_words()
COMMAND_WORDS = sorted({w for c in COMMANDS for ws in c.words.values() for w in ws}
                       | {c.name for c in COMMANDS})

# --- strategies --------------------------------------------------------------------------------

def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """Draw from one of the strategies, each in proportion to its weight (repeating a strategy
    in ``st.one_of`` does not make it more frequent)."""
    strategies = [strategy for _, strategy in choices]
    indexes = [i for i, (weight, _) in enumerate(choices) for _ in range(weight)]
    return st.sampled_from(indexes).flatmap(strategies.__getitem__)


numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(0, 30), st.integers(0, 10**20))
fragment = weighted(
    (4, st.sampled_from(NAMES)), (4, st.sampled_from(WORDS)), (2, st.sampled_from(INVISIBLE)),
    (2, st.sampled_from(EMOJI)), (2, st.sampled_from(SPACES)), (1, st.text(max_size=6)),
    (1, st.sampled_from(BIDI)),  # the engine refuses bidi overrides (err.control_chars)
)
free_text = weighted(
    (8, st.lists(fragment, max_size=8).map("".join)),
    (1, st.text(max_size=40)),
    # around the engine's 4000-character limit, and the 120 of names and titles
    (1, st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "🙂", "\u200b", "a "]),
                  st.sampled_from([119, 120, 121, 3990, 3999, 4000, 4001, 5000]))),
)
name_text = weighted((1, st.sampled_from(NAMES)),
                     (2, st.lists(fragment, min_size=1, max_size=5).map("".join)))


def _ref(prefix: str, number: int) -> str:
    return f"{prefix}{number}"


ref_token = weighted(
    (3, st.sampled_from(["C-1", "C-2", "C-3", "T-1", "T-2", "T-3", "c2", "#3", "t3"])),
    (2, st.sampled_from(REFS)),
    (1, st.builds(_ref, st.sampled_from(["C-", "c", "#", "T-", "t", "c-", "t-", "C", "T", "",
                                         "x-"]), numbers)),
)


def _fmt_day(day: date, style: int) -> str:
    y, m, d = day.year, day.month, day.day
    return [f"{y:04}-{m:02}-{d:02}", f"{d:02}/{m:02}/{y:04}", f"{d:02}-{m:02}-{y:04}",
            f"{d:02}.{m:02}.{y:04}", f"{y}-{m}-{d}"][style]


date_token = st.one_of(st.sampled_from(DATES),
                       st.builds(_fmt_day, st.dates(), st.integers(0, 4)),
                       st.builds(_fmt_day, st.dates(date(2026, 10, 1), date(2027, 3, 1)),
                                 st.integers(0, 4)))


def _iso_duration(w: int, d: int, h: int, m: int, s: int, t: bool) -> str:
    out = "P" + (f"{w}W" if w else "") + (f"{d}D" if d else "")
    if t:
        out += "T" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s else "")
    return out


small = st.one_of(st.integers(0, 100), numbers)
duration_token = st.one_of(
    st.sampled_from(DURATIONS),
    st.builds(lambda n, u: f"{n}{u}", numbers, st.sampled_from(list("smhdwjuSMHDWJU"))),
    st.lists(st.builds(lambda n, u: f"{n}{u}", small, st.sampled_from(list("smhdwju"))),
             min_size=1, max_size=4).map("".join),
    st.builds(_iso_duration, small, small, small, small, small, st.booleans()),
)
quiet_token = st.one_of(
    st.sampled_from(QUIET),
    st.builds(lambda a, b, c, d: f"{a}:{b:02}-{c}:{d:02}", st.integers(0, 99), st.integers(0, 99),
              st.integers(0, 99), st.integers(0, 99)),
)
count_token = st.one_of(st.builds(str, st.integers(-5, 10)), st.builds(str, numbers),
                        st.sampled_from(["1_000", "٣", " 5 ", "1e3", "+2", "-0", "", "0x10",
                                         "9" * 5000, "100", "101", "1000", "1001",
                                         "999999999999", "0000000000001"]))
zone_token = st.sampled_from(ZONES)
senders = weighted((3, st.just(ALICE)), (3, st.sampled_from([BOB, CAROL, DAN])),
                   (1, st.sampled_from(SENDERS)))
choice_token = st.sampled_from(CHOICE_WORDS).flatmap(
    lambda w: st.sampled_from([w, w.upper(), w.title(), w + "\u200b", "\u200e" + w]))


digest_token = st.one_of(
    st.sampled_from(["off", "mon 09:00", "lundi 9h", "maandag om 9 uur", "friday 5pm", "uit",
                     "zo 24:00", "9h", "lundi mardi", "mon 13pm", "every day", ""]),
    st.builds(lambda d, h, m: f"{d} {h}:{m:02}", st.sampled_from(["mon", "Dimanche", "wo", "x"]),
              st.integers(-1, 99), st.integers(0, 99)))


def setting_value(key: str) -> st.SearchStrategy[str]:
    kind = {"min_supporters": count_token, "escalate_after": count_token,
            "quiet_hours": quiet_token, "timezone": zone_token,
            "who_may_mandate": st.sampled_from(["core", "members", "CORE", "all", ""]),
            "language": st.sampled_from(["fr", "nl", "en", "FR", "de", " en ", ""]),
            "digest": digest_token}
    return kind.get(key, duration_token)


any_setting_value = st.one_of(duration_token, count_token, quiet_token, zone_token,
                              st.sampled_from(["core", "members", "fr", "nl", "en"]))
setting_pair = st.one_of(
    st.sampled_from(list(SETTINGS)).flatmap(lambda k: st.tuples(st.just(k), setting_value(k))),
    st.tuples(st.sampled_from(SETTING_KEYS), any_setting_value),
)
any_token = st.one_of(ref_token, date_token, duration_token, st.sampled_from(PERSONS),
                      st.sampled_from(MEMBERS), choice_token, st.sampled_from(SETTING_KEYS),
                      st.builds(str, numbers), name_text, st.sampled_from(COMMAND_WORDS))


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


# --- a group with history, copied for each example --------------------------------------------

@dataclass
class Template:
    path: Path
    now: datetime
    folder: Path
    counter: itertools.count


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    """C-1 validated (T-1 Register), C-2 open with a support, C-3 contested (T-2 Decide),
    T-3 mandated to Dan and waiting for feedback; forum topics 101-103 for C-1..C-3."""
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "template.db"
    h = Harness(str(path))
    h.say(ALICE, '!propose "Repair Together" they fix things with us')
    h.advance("5d1m")
    h.say(ALICE, '!propose "Les Amis du Compost" good neighbours who compost')
    h.say(BOB, '!propose "Zero Waste Brussels" they reduce waste')
    h.say(CAROL, "!object C-3 not a cooperative")
    h.say(ALICE, '!mandate @dan:example.org "Book the room" due 2026-12-10')
    h.say(DAN, "!feedback T-3 https://example.org/draft")
    h.say(DAN, "!support C-2 yes")
    assert [h.state(n) for n in (1, 2, 3)] == ["validated", "open", "contested"]
    assert [t.state for t in h.repo.tasks("sem")] == ["open", "open", "feedback"]
    for number in (1, 2, 3):
        h.repo.db["forum_topics"].insert({"proposal": f"sem:C-{number}", "group_slug": "sem",
                                          "external_id": f"coopbot-sem-c-{number}",
                                          "topic_id": 100 + number, "first_post_id": 1000 + number})
    now = h.clock.now()
    h.close()
    return Template(path, now, folder, itertools.count())


@contextmanager
def fresh(template: Template):
    """A copy of the template database, opened by a new engine at the template's time."""
    path = template.folder / f"run{next(template.counter)}.db"
    for suffix in ("", "-wal"):
        if Path(f"{template.path}{suffix}").exists():
            shutil.copyfile(f"{template.path}{suffix}", f"{path}{suffix}")
    h = Harness(str(path), clock=FakeClock(template.now))
    try:
        yield h
    finally:
        h.close()
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def state(h: Harness) -> dict[str, list]:
    """Harness.snapshot() plus every other table but the outbox (where replies go) and
    processed_events (the claimed event id): tasks, their history, acks, absences, audit…"""
    snap = h.snapshot()
    tables = [r["name"] for r in h.repo.db.query(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
        " and name not like '\\_%' escape '\\'")]
    for table in tables:
        if table not in snap and table not in ("outbox", "processed_events"):
            snap[table] = list(h.repo.db.query(f"select * from [{table}] order by rowid"))
    return snap


class ReplySpy:
    """The catalogue keys of the replies each event kept.

    The engine answers a refusal by discarding the command's effects and replying with the
    ``CommandError``'s key (``Effects.discard`` then ``Effects.reply("err.…")``). Wrapping
    those two methods tells, exactly and whatever the language or the user text in the
    message, whether a reply is a refusal: a kept key starting with ``err.``. If a future
    engine answered without ``Effects.reply`` the spy would see nothing, and the reply text
    is then matched against every ``err.*`` template of the catalogue instead.
    """

    def __init__(self) -> None:
        self.keys: dict[str, list[str]] = defaultdict(list)

    def __enter__(self) -> "ReplySpy":
        original_reply, original_discard = Effects.reply, Effects.discard
        keys = self.keys

        def reply(effects, key, /, **params):
            if effects.event is not None:
                keys[effects.event.event_id].append(key)
            return original_reply(effects, key, **params)

        def discard(effects):
            if effects.event is not None:
                keys.pop(effects.event.event_id, None)
            return original_discard(effects)

        self._patches = [mock.patch.object(Effects, "reply", reply),
                         mock.patch.object(Effects, "discard", discard)]
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc) -> None:
        for patch in self._patches:
            patch.stop()


class LogTrap(logging.Handler):
    """Exceptions the bot caught and logged (the engine's catch-all, a due item that failed):
    each one is a crash the user sees only as "something went wrong" (or not at all)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.crashes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            frames = traceback.extract_tb(record.exc_info[2])
            where = f"{frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" \
                if frames else "?"
            self.crashes.append(f"{record.exc_info[0].__name__}: {record.exc_info[1]} ({where})")

    def __enter__(self) -> "LogTrap":
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger().removeHandler(self)

    def check(self, what: str) -> None:
        crashes, self.crashes = self.crashes, []
        assert not crashes, f"{what}: {'; '.join(crashes)}"


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


_ids = itertools.count()


def run_line(h: Harness, spy: ReplySpy, trap: LogTrap, sender: str, text: str,
             venue: Venue = Venue.ROOM, at: datetime | timedelta | None = None) -> list[dict]:
    """One command through the real engine, with every property checked."""
    if isinstance(at, timedelta):
        at = h.clock.now() + at
    event_id = f"$fuzz{next(_ids)}"
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


# --- the small parsers ----------------------------------------------------------------------------

def only(error: type[Exception], fn, *args) -> Any:
    try:
        return fn(*args)
    except error:
        return None


@given(text=st.one_of(duration_token, st.text(max_size=30),
                      st.builds(lambda a, b: a + b, duration_token, fragment)))
def test_parse_duration_refuses_with_value_error(text):
    result = only(ValueError, parse_duration, text)
    assert result is None or (isinstance(result, timedelta) and result > timedelta(0))


@given(text=st.one_of(date_token, st.text(max_size=20)))
def test_parse_day_refuses_with_value_error(text):
    result = only(ValueError, parse_day, text)
    assert result is None or isinstance(result, date)


@given(text=st.one_of(quiet_token, st.text(max_size=20)))
def test_parse_quiet_hours_refuses_with_value_error(text):
    result = only(ValueError, parse_quiet_hours, text)
    assert result is None or (isinstance(result[0], time) and isinstance(result[1], time))


@given(text=st.one_of(zone_token, st.text(max_size=20),
                      st.builds(lambda a, b: a + b, zone_token, fragment)))
def test_parse_zone_refuses_with_value_error(text):
    only(ValueError, parse_zone, text)


@given(text=st.one_of(name_text, st.text()))
def test_name_key_never_raises(text):
    assert isinstance(name_key(text), str)


@given(token=st.one_of(ref_token, st.text(max_size=12), any_token))
def test_refs_refuse_with_command_error(token):
    for parse in (proposal_number, task_number):
        number = only(CommandError, parse, token)
        assert number is None or 0 <= number <= 999_999_999
    ref = only(CommandError, any_ref, token)
    assert ref is None or (ref[0] in ("C", "T", None) and 0 <= ref[1] <= 999_999_999)


@given(setting=st.one_of(
    st.sampled_from(list(SETTINGS)).flatmap(lambda k: st.tuples(st.just(k), setting_value(k))),
    st.tuples(st.sampled_from(list(SETTINGS)), st.one_of(any_setting_value, st.text(max_size=20)))))
def test_setting_parsers_refuse_with_value_error(setting):
    """Every ``SETTINGS[key].parse``: a value or ValueError; and the canonical text of an
    accepted value (what ``!config set`` stores) parses again to the same value."""
    key, text = setting
    entry = SETTINGS[key]
    value = only(ValueError, entry.parse, text)
    if value is not None:
        canonical = entry.show(value)
        assert entry.parse(canonical) == value


# --- the configuration file -------------------------------------------------------------------

def _toml_str(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(repr(value), repr(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_str(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_document(data: dict[str, Any]) -> str:
    """Tables as ``[name]``, a list of tables as ``[[name]]`` (and ``[[groups.members]]``)."""
    lines = []
    for key, value in data.items():
        if not isinstance(value, (dict, list)) or (isinstance(value, list) and not all(
                isinstance(v, dict) for v in value)) or value == []:
            lines.append(f"{_toml_str(key)} = {toml_value(value)}")
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines.extend(f"{_toml_str(k)} = {toml_value(v)}" for k, v in value.items())
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for table in value:
                lines.append(f"[[{key}]]")
                members = table.get("members")
                nested = isinstance(members, list) and members and all(
                    isinstance(m, dict) for m in members)
                lines.extend(f"{_toml_str(k)} = {toml_value(v)}" for k, v in table.items()
                             if not (nested and k == "members"))
                for member in members if nested else []:
                    lines.append(f"[[{key}.members]]")
                    lines.extend(f"{_toml_str(k)} = {toml_value(v)}" for k, v in member.items())
    return "\n".join(lines) + "\n"


plain_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
toml_scalar = st.one_of(
    plain_text, st.integers(-(2**63), 2**63 - 1), st.floats(), st.booleans(),
    st.datetimes(timezones=st.just(timezone.utc)), st.dates(), st.times(),
)
toml_any = st.recursive(toml_scalar, lambda c: st.one_of(
    st.lists(c, max_size=3), st.dictionaries(plain_text, c, max_size=3)), max_leaves=6)
ids = st.one_of(st.sampled_from(PERSONS), plain_text)
people_list = st.one_of(st.lists(ids, max_size=3), toml_any)
slug = st.one_of(st.sampled_from(["sem", "dewey", "a", "x-1", "Sem", "", "a" * 42, "é"]),
                 plain_text)


def maybe(strategy, junk=None, weight: int = 3) -> st.SearchStrategy:
    """The key's value (``weight`` times out of ``weight + 2``), a wrong type, or the key
    left out (MISSING)."""
    return weighted((weight, strategy), (1, junk if junk is not None else toml_any),
                    (1, st.just(MISSING)))


MISSING = object()


def present(mapping: dict) -> dict:
    return {k: v for k, v in mapping.items() if v is not MISSING}


member_table = st.fixed_dictionaries({
    "slug": maybe(slug), "name": maybe(name_text), "matrix": maybe(people_list),
    "discourse": maybe(st.one_of(st.lists(plain_text, max_size=2), toml_any)),
}).map(present)
group_table = st.fixed_dictionaries({
    "slug": maybe(slug), "name": maybe(name_text),
    **{key: maybe(weighted((3, setting_value(key)), (1, st.integers(-3, 10**6))))
       for key in SETTINGS},
    "matrix_room": maybe(st.sampled_from(["#sem:example.org", "!abc:example.org", ""])),
    "discourse_category": maybe(st.one_of(st.integers(), plain_text)),
    "charter": maybe(st.lists(free_text, max_size=3)),
    "admins": maybe(people_list), "core": maybe(people_list), "registrar": maybe(people_list),
    "members": maybe(st.lists(weighted((3, member_table), (1, toml_any)), max_size=3)),
    "unknown_key": st.one_of(st.just(MISSING), st.just(MISSING), toml_any),
}).map(present)
bot_table = st.fixed_dictionaries({
    "database": maybe(st.one_of(st.just("coopbot.db"), plain_text)),
    "command_prefix": maybe(st.sampled_from(["!", "?", "!!!", "!!!!", "", " ", "c!"])),
}).map(present)
discourse_table = st.fixed_dictionaries({
    "url": maybe(st.just("https://forum.example.org")), "api_username": maybe(plain_text),
    "api_key_env": maybe(st.just("COOPBOT_KEY")), "poll_interval": maybe(duration_token),
    "objection_words": maybe(st.lists(plain_text, max_size=3)),
    "support_words": maybe(st.lists(plain_text, max_size=3)),
    "withdraw_words": maybe(st.lists(plain_text, max_size=3)),
    "webhook_listen": maybe(st.just("127.0.0.1:8090")),
    "webhook_secret_env": maybe(st.just("COOPBOT_HOOK")),
}).map(present)
matrix_table = st.fixed_dictionaries({
    "homeserver": maybe(st.just("https://matrix.example.org")),
    "user_id": maybe(st.sampled_from(["@coopbot:example.org", "coopbot", ""])),
    "access_token_env": maybe(st.just("COOPBOT_TOKEN")), "device_name": maybe(plain_text),
}).map(present)
wild_documents = st.fixed_dictionaries({
    "bot": maybe(bot_table),
    "matrix": st.one_of(st.just(MISSING), matrix_table, toml_any),
    "discourse": st.one_of(st.just(MISSING), discourse_table, toml_any),
    "groups": maybe(st.lists(weighted((4, group_table), (1, toml_any)),
                             min_size=1, max_size=2)),
}).map(present)


@st.composite
def sane_documents(draw) -> dict[str, Any]:
    """A valid file (one group, its founders) with a few settings of random value: these
    reach the end of the loader and the typed settings."""
    group: dict[str, Any] = {"slug": "sem", "name": draw(name_text),
                             "admins": [ALICE], "core": [ALICE, BOB], "registrar": [CAROL]}
    for key in draw(st.lists(st.sampled_from(list(SETTINGS)), max_size=4, unique=True)):
        group[key] = draw(weighted((4, setting_value(key)), (1, st.integers(-3, 10**6))))
    group["members"] = [{"slug": "dewey", "name": "Dewey ASBL", "matrix": [ALICE]},
                        {"slug": "transition", "name": draw(name_text), "matrix": [BOB]}]
    odd = weighted((4, st.just(MISSING)), (1, toml_any))  # now and then a value of any type
    for key, good in (("matrix_room", "#sem:example.org"), ("discourse_category", "coops")):
        group[key] = draw(weighted((3, st.just(good)), (1, odd)))
    document = {"bot": {"database": "coopbot.db", "command_prefix": "!"},
                "groups": [present(group)]}
    if draw(st.booleans()):
        document["matrix"] = {"homeserver": "https://matrix.example.org",
                              "user_id": "@coopbot:example.org",
                              "access_token_env": draw(weighted((3, st.just("COOPBOT_TOKEN")),
                                                                (1, toml_any))),
                              "password_env": draw(odd), "store_path": draw(odd)}
    if draw(st.booleans()):
        document["discourse"] = {"url": "https://forum.example.org", "api_username": "coopbot",
                                 "api_key_env": "COOPBOT_KEY",
                                 "poll_interval": draw(duration_token),
                                 "webhook_listen": draw(odd), "webhook_secret_env": draw(odd)}
    return {k: present(v) if isinstance(v, dict) else v for k, v in document.items()}


config_documents = weighted((1, wild_documents), (1, sane_documents()))


OPTIONAL_TEXT = {"matrix_room", "discourse_category", "access_token_env", "password_env",
                 "store_path", "webhook_listen", "webhook_secret_env"}


@given(document=config_documents, with_path=st.booleans())
def test_config_file_refuses_with_config_error(document, with_path):
    """``bot.config.parse`` on TOML built from random values of every key: a Config or
    ConfigError, nothing else. An accepted Config is one the bot can use: its groups'
    settings load, its optional texts are texts (not a number or a list from the file), and
    ``coopbot check-config`` can print it (``describe``, ``placeholder_problems``)."""
    text = toml_document(document)
    note(text)
    path = Path("/tmp/coopbot-fuzz/config.toml") if with_path else None
    try:
        config = parse_config(text, path)
    except ConfigError:
        return
    assert isinstance(config, Config)
    for group in config.groups:
        assert isinstance(group.typed_settings, GroupSettings)
    for part in (*config.groups, config.matrix, config.discourse):
        for name in OPTIONAL_TEXT & set(getattr(part, "__dataclass_fields__", ())):
            value = getattr(part, name)
            assert value is None or isinstance(value, str), f"accepted {name} = {value!r}"
    assert isinstance(describe(config), str)
    assert isinstance(placeholder_problems(config), list)


@given(text=st.one_of(st.text(max_size=200), st.lists(st.one_of(
    st.sampled_from(["[bot]", "[[groups]]", "[[groups.members]]", "[discourse]", "slug = \"sem\"",
                     "name = \"x\"", "groups = 1", "bot = 1", "members = \"abc\"", "= 1", "\n"]),
    st.text(max_size=10)), max_size=10).map("\n".join)))
def test_config_file_from_random_text(text):
    try:
        assert isinstance(parse_config(text), Config)
    except ConfigError:
        pass


# --- forum posts ---------------------------------------------------------------------------------

reply_words = st.builds(
    ReplyWords,
    st.lists(plain_text, min_size=1, max_size=3).map(tuple) | st.just(("objection", "object")),
    st.lists(plain_text, min_size=1, max_size=3).map(tuple) | st.just(("support", "+1")),
    st.lists(plain_text, min_size=1, max_size=3).map(tuple) | st.just(("withdraw",)),
)
KEYWORDS = ["objection", "Objection:", "OBJECTION!", "object", "bezwaar", "+1", "support",
            "soutien", "steun", "withdraw", "retrait", "intrekken", "je-m-oppose", "…", ""]
post_raw = weighted(
    (4, st.builds(lambda k, s, r: k + s + r, st.sampled_from(KEYWORDS), st.sampled_from(SPACES),
                  free_text)),
    (1, free_text), (1, st.text(max_size=60)),
)


@given(raw=post_raw, words=reply_words, number=st.integers(0, 10**12),
       prefix=st.sampled_from(["!", "?", "!!!"]))
def test_forum_reply_text_never_raises(raw, words, number, prefix):
    reply = read_reply(raw, words)
    assert reply is None or (isinstance(reply, ReplyCommand)
                             and reply.kind in ("object", "support", "withdraw"))
    if reply is not None:
        line = command_text(reply, f"C-{number}", prefix)
        assert line.startswith(prefix) and "\n" not in line


FORUM = DiscourseConfig(url="https://forum.example.org", api_username="coopbot",
                        api_key_env="COOPBOT_FUZZ_KEY")


@given(posts=st.lists(st.tuples(
    st.sampled_from(["alice", "Alice", "x", "eve", "coopbot", "al\u200bice", "🙂"]),
    st.sampled_from([101, 102, 103]), post_raw, st.integers(1, 3),
    st.timedeltas(min_value=timedelta(days=-20), max_value=timedelta(days=20))),
    min_size=1, max_size=4))
def test_forum_posts_through_the_adapter(template, posts):
    """``ForumAdapter.apply_post``: a reply's raw text becomes a command (or discussion)
    without raising; the command is answered once, never with err.internal, and an engine
    refusal changes nothing but the adapter's own record of the posts it read."""
    with fresh(template) as h, ReplySpy() as spy, LogTrap() as trap:
        runtime = SimpleNamespace(repo=h.repo, engine=h.engine, clock=h.clock, config=h.config)
        adapter = ForumAdapter(runtime, FORUM, client=None)
        for username, topic, raw, version, offset in posts:
            post_id = next(_ids) + 10_000
            created = h.clock.now() + offset
            post = {"id": post_id, "topic_id": topic, "post_number": 2, "post_type": 1,
                    "username": username, "raw": raw, "version": version,
                    "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "updated_at": h.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")}
            what = f"forum post by {username} in topic {topic}: {raw!r}"
            note(what)
            before = state(h)
            handled = adapter.apply_post(post)  # must not raise
            trap.check(f"crashed on {what}")
            rows = h.sent()
            assert not [r for r in rows if any(t in r["plain"] for t in INTERNAL)], what
            event_id = f"{EVENT_PREFIX}{post_id}"
            replies = [r for r in rows if r["reply_to"] == event_id]
            assert len(replies) <= 1, what
            if handled and any(k.startswith("err.") for k in spy.keys.get(event_id, [])):
                after = state(h)
                for table in ("forum_posts", "forum_unlinked"):
                    before.pop(table, None), after.pop(table, None)
                changed = {t for t in after if after[t] != before.get(t)}
                assert not changed, f"refused but changed {sorted(changed)}: {what}"
            h.clock.advance(timedelta(seconds=7))


# --- Matrix events --------------------------------------------------------------------------------

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12))
json_any = st.recursive(json_scalar, lambda c: st.one_of(
    st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)), max_leaves=8)
USER_IDS = ["@alice:example.org", "@coopbot:example.org", "@bob:example.org", "@b:x", "@:",
            "@room", "@bob%3Aexample.org", "@x:example.org/#frag"]
html_piece = st.one_of(
    st.sampled_from([
        "<mx-reply><blockquote>quoted</blockquote></mx-reply>", "<mx-reply>", "</mx-reply>",
        "</a>", "<br>", "<p>", "</p>", "<![foo[ x ]]>", "<![CDATA[x", "<!--", "-->", "<!x",
        "&#99999999999;", "&#xD800;", "&amp;", "<a>", "<a href>", "<script>", "<",
        "https://matrix.to/#/", "!status C-1", "coopbot: ", "!link ", " dewey",
    ]),
    st.builds(lambda u, t: f'<a href="https://matrix.to/#/{u}">{t}', st.sampled_from(USER_IDS),
              st.text(max_size=6)),
    st.text(max_size=8),
)
body_text = st.one_of(
    st.sampled_from(["!status C-1", "coopbot: help", "@coopbot:example.org status C-1",
                     "> <@alice:example.org> quoted\n\n!help", "coopbot", "coopbot,", "",
                     "Coop Bot: help", "!"]),
    st.builds(lambda a, b: a + b, st.sampled_from(["!", "coopbot: ", "", "> x\n"]), free_text),
)
timestamps = st.one_of(st.integers(0, 2**41), st.integers(0, 2**41), st.integers(),
                       st.integers(-(2**70), 2**70),
                       st.sampled_from([-1, 2**63, 253402300800000, -62135596800001, 10**20]))
relations = st.one_of(
    st.builds(lambda e: {"m.in_reply_to": {"event_id": e}}, st.sampled_from(["$parent", ""])),
    st.builds(lambda r: {"rel_type": r, "event_id": "$root"},
              st.sampled_from(["m.replace", "m.thread", "m.annotation"])),
    st.just({"rel_type": "m.thread", "event_id": "$root", "m.in_reply_to": {"event_id": "$p"}}),
)
FIELDS = [("type",), ("sender",), ("event_id",), ("origin_server_ts",), ("content",),
          ("content", "msgtype"), ("content", "body"), ("content", "format"),
          ("content", "formatted_body"), ("content", "m.relates_to"),
          ("content", "m.relates_to", "m.in_reply_to"), ("content", "m.relates_to", "rel_type"),
          ("content", "m.mentions"), ("content", "m.mentions", "user_ids")]


@st.composite
def matrix_events(draw, html: bool) -> Any:
    """A well-formed ``m.room.message`` (so that it gets far into ``to_inbound``), then up to
    three of its fields, at any depth, replaced by random JSON of any type or left out.
    ``html``: with a random HTML body (the pills' reader), and a sane timestamp."""
    content: dict[str, Any] = {"msgtype": "m.text", "body": draw(body_text)}
    if html:
        content["format"] = "org.matrix.custom.html"
        pieces = draw(st.lists(html_piece, max_size=6))
        pill = f'<a href="https://matrix.to/#/{draw(st.sampled_from(USER_IDS))}">x</a>'
        pieces.insert(draw(st.integers(0, len(pieces))), pill)  # else the HTML is not read
        content["formatted_body"] = "".join(pieces)
    if draw(st.booleans()):
        content["m.relates_to"] = draw(relations)
    if draw(st.booleans()):
        content["m.mentions"] = {"user_ids": draw(st.lists(
            st.one_of(st.sampled_from(USER_IDS), json_scalar), max_size=3))}
    event = {"type": "m.room.message", "sender": draw(st.sampled_from(USER_IDS)),
             "event_id": "$event", "content": content,
             "origin_server_ts": draw(st.integers(0, 2**41) if html else timestamps)}
    for path in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        parent = event
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            value = draw(st.one_of(json_any, st.just(MISSING)))
            if value is MISSING:
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = value
    return event


ADDRESSEES = st.builds(Addressee.for_bot, st.just("@coopbot:example.org"),
                      st.sampled_from(["!", "?", "!!"]),
                      st.one_of(st.none(), st.sampled_from(["Coop Bot", "ß", "İ", "", " "]),
                                st.text(max_size=6)))


def check_inbound(event: Any, addressee: Addressee, venue: Venue) -> None:
    note(json.dumps(event, default=repr, ensure_ascii=False))
    inbound = to_inbound(event, addressee, venue=venue, group="sem")  # must not raise
    assert inbound is None or isinstance(inbound, Inbound)
    if inbound is not None:
        assert isinstance(inbound.text, str) and inbound.at.tzinfo is not None
        assert all(isinstance(m, str) for m in inbound.mentions)
    root = thread_root(event)
    assert root is None or isinstance(root, str)


@given(event=weighted((4, matrix_events(html=False)), (1, json_any)),
       addressee=ADDRESSEES, venue=st.sampled_from([Venue.ROOM, Venue.DM]))
def test_matrix_events_become_inbound_or_none(event, addressee, venue):
    """``to_inbound`` on random nested JSON, with wrong types for content, body,
    m.relates_to, m.mentions and origin_server_ts: None or an Inbound, never an exception."""
    check_inbound(event, addressee, venue)


@given(event=matrix_events(html=True), addressee=ADDRESSEES,
       venue=st.sampled_from([Venue.ROOM, Venue.DM]))
def test_matrix_html_bodies_become_inbound_or_none(event, addressee, venue):
    """The same with a random ``formatted_body``: pills, reply fallbacks, broken markup."""
    check_inbound(event, addressee, venue)
