"""What the reading tests (tests/test_reading_*.py) share: a command's one reply, a refusal
that changes nothing, and two proposals to name.

They prove that the bot reads what people type forgivingly, never guessing (issue 9 items 4,
7 and 11). Every refusal is asserted word for word in the three languages, and shown to
change nothing. A harness per language is the ``group`` fixture of tests/conftest.py.
"""

from __future__ import annotations

from datetime import timedelta

from tests.harness import ALICE, Harness

TASK_TABLES = ("tasks", "task_events", "acks", "away")


def say(h: Harness, person: str, line: str) -> list[dict]:
    """What the bot queued for one command; the clock moves on a little so that a long test
    stays under the rate limit."""
    rows = h.say(person, line)
    h.clock.advance(timedelta(seconds=7))
    return rows


def reply(h: Harness, person: str, line: str) -> str:
    """The one message a command got (a refusal, a view)."""
    rows = say(h, person, line)
    assert len(rows) == 1, [r["plain"] for r in rows]
    return rows[0]["plain"]


def everything(h: Harness) -> dict:
    state = h.snapshot()
    for table in TASK_TABLES:
        state[table] = list(h.repo.db.query(f"select * from {table} order by rowid"))
    return state


def refused(h: Harness, person: str, line: str) -> str:
    """A refusal: one reply, and nothing changed."""
    before = everything(h)
    plain = reply(h, person, line)
    assert everything(h) == before, line
    return plain


PROPOSE = {"fr": "!coopter", "nl": "!voordragen", "en": "!propose"}


def two_proposals(h: Harness, lang: str = "en") -> None:
    """C-1 Repair Together and C-2 Repair Café, both proposed by Alice (Dewey ASBL)."""
    say(h, ALICE, f'{PROPOSE[lang]} "Repair Together" they fix things')
    say(h, ALICE, f'{PROPOSE[lang]} "Repair Café" a café that repairs')


MANDATE = {"fr": "!mandater", "nl": "!mandateren", "en": "!mandate"}
