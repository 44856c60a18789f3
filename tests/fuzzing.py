"""What the fuzz tests (tests/test_fuzz_*.py) share: the vocabulary of awkward input, the
strategies that draw tokens from it, and a group with history that each example of the
engine's tests runs on a copy of.

Together the fuzz modules prove, for trust, that no input to any parser raises anything but
the parser's typed refusal, and that a refusal changes nothing; each module's docstring names
the refusal of what it fuzzes. Anything else is a bug, as is the engine's catch-all reply
``err.internal`` ("Something went wrong on my side"): it means some input made a command
crash.

Profiles (tests/conftest.py): ``ci`` by default, ``--hypothesis-profile=long`` for 10 000
examples per test.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import traceback
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from unittest import mock

from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.config import DiscourseConfig
from commands.context import Effects
from commands.messages import CATALOG
from commands.settings import SETTINGS
from commands.table import COMMANDS
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

INTERNAL = tuple(CATALOG["err.internal"].values())  # the catch-all reply, in every language


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
any_token = st.one_of(ref_token, date_token, duration_token, st.sampled_from(PERSONS),
                      st.sampled_from(MEMBERS), choice_token, st.sampled_from(SETTING_KEYS),
                      st.builds(str, numbers), name_text, st.sampled_from(COMMAND_WORDS))

# Short text of any character but a lone surrogate (which no file holds): the keys and values
# of the configuration file, the words of forum replies.
plain_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)

# A key left out of a table or an object (config files, Matrix events).
MISSING = object()

# Event and post numbers, unique in a run.
serials = itertools.count()

FORUM = DiscourseConfig(url="https://forum.example.org", api_username="coopbot",
                        api_key_env="COOPBOT_FUZZ_KEY")


# --- a group with history, copied for each example --------------------------------------------

@dataclass
class Template:
    path: Path
    now: datetime
    folder: Path
    counter: itertools.count


def make_template(tmp_path_factory) -> Template:
    """The ``template`` fixture of tests/conftest.py, made once per module that asks for it:
    C-1 validated (T-1 Register), C-2 open with a support, C-3 contested (T-2 Decide),
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
