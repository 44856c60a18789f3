"""The words ``commands.timefmt`` writes dates and durations with come from babel's CLDR data,
copied into ``commands/calendar_words.py`` so that the running bot does not load babel's
locale data (about 5 MiB of a bot's memory, for some forty words a language). These tests
prove the copy is what babel says, and that every format built on it writes exactly what
babel writes, over years of days and every count the bot shows.

After a babel upgrade that changes a word, the first test fails; write the table again with
``.venv/bin/python -m tests.test_calendar_words`` and read the diff.
"""

from __future__ import annotations

import pprint
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_date, format_timedelta
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from commands import calendar_words, timefmt

LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}
UNITS = ("week", "day", "hour", "minute", "second")
TABLE_FILE = Path(calendar_words.__file__)
DAY_PATTERN = "EEEE d MMMM y"
FIRST_DAY_PATTERN = {"fr": "EEEE d'er' MMMM y"}  # "mardi 1er décembre 2026"


def extract() -> dict:
    """The words and patterns, read from babel by formatting samples (no private API)."""
    table: dict = {}
    for lang, code in LOCALES.items():
        loc = Locale.parse(code)
        monday = date(2024, 1, 1)

        def pattern(text: str, count: int) -> str:
            assert text.count(str(count)) == 1, text
            return text.replace(str(count), "{0}")

        table[lang] = {
            "weekdays": tuple(format_date(monday + timedelta(days=n), "EEEE", locale=loc)
                              for n in range(7)),
            "months": tuple(format_date(date(2024, m, 1), "MMMM", locale=loc)
                            for m in range(1, 13)),
            "months_short": tuple(format_date(date(2024, m, 1), "MMM", locale=loc)
                                  for m in range(1, 13)),
            "group": format_decimal(1000, locale=loc)[1:-3],
            "and": format_list(["{0}", "{1}"], style="standard", locale=loc),
            # one: the form babel gives 1, other: 7 (fr counts 0 as one: "0 seconde")
            "counts": {unit: {form: pattern(format_unit(n, f"duration-{unit}", length="long",
                                                         locale=loc), n)
                              for form, n in (("one", 1), ("other", 7))} for unit in UNITS},
            "relative": {unit: {direction: {form: pattern(format_timedelta(
                sign * timedelta(seconds=n * timefmt._UNIT_SECONDS[unit[0]]), granularity=unit,
                threshold=float("inf"), add_direction=True, format="long", locale=loc), n)
                for form, n in (("one", 1), ("other", 7))}
                for direction, sign in (("future", 1), ("past", -1))}
                for unit in UNITS[:4]},
        }
    return table


def write() -> None:
    text = TABLE_FILE.read_text(encoding="utf-8")
    head = text[:text.index("TABLE = ")]
    TABLE_FILE.write_text(head + "TABLE = " + pprint.pformat(extract(), width=96,
                                                               sort_dicts=False) + "\n",
                          encoding="utf-8")


def test_the_copied_table_is_what_babel_says():
    assert calendar_words.TABLE == extract()


def _babel_locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[lang])


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("lang", LOCALES)
def test_days_are_written_as_babel_writes_them(lang):
    loc = _babel_locale(lang)
    day = date(2025, 1, 1)
    while day < date(2027, 1, 1):
        whole = FIRST_DAY_PATTERN.get(lang, DAY_PATTERN) if day.day == 1 else DAY_PATTERN
        assert timefmt.show_day(day, lang) == _plain(format_date(day, whole, locale=loc))
        short = "d'er' MMMM" if lang == "fr" and day.day == 1 else "d MMMM"
        assert timefmt.show_day_month(day, lang) == _plain(format_date(day, short, locale=loc))
        assert timefmt.show_short_day(day, lang) == _plain(format_date(day, "d MMM y",
                                                                       locale=loc))
        day += timedelta(days=1)


@pytest.mark.parametrize("lang", LOCALES)
def test_durations_are_written_as_babel_writes_them(lang):
    loc = _babel_locale(lang)
    seconds = [0, 1, 2, 59, 60, 61, 3599, 3600, 3601, 5400, 86399, 86400, 86401, 129600,
               7 * 86400, 7 * 86400 + 1, 8 * 86400, 14 * 86400 + 3600, 1000 * 7 * 86400,
               5229 * 7 * 86400 + 6 * 86400, 36600 * 86400]
    for total in seconds:
        parts, rest = [], total
        for unit in UNITS:
            count, rest = divmod(rest, timefmt._UNIT_SECONDS[unit[0]])
            if count:
                parts.append(format_unit(count, f"duration-{unit}", length="long", locale=loc))
            if len(parts) == 2:
                break
        expected = format_list(parts, style="standard", locale=loc) if parts else \
            format_unit(0, "duration-second", length="long", locale=loc)
        assert timefmt.show_duration(timedelta(seconds=total), lang) == _plain(expected)


@pytest.mark.parametrize("lang", LOCALES)
def test_relative_hints_are_written_as_babel_writes_them(lang):
    loc = _babel_locale(lang)
    now = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
    for seconds in [0, 30, 59, 60, 61, 119, 120, 3599, 3600, 7200, 86399, 86400, 2 * 86400,
                    55 * 86400, 56 * 86400, 57 * 86400, 70 * 86400, 400 * 86400,
                    3650 * 86400]:
        for sign in (1, -1):
            delta = timedelta(seconds=sign * seconds)
            ours = timefmt.relative(now + delta, now, lang)
            size = abs(delta)
            for threshold, unit, per in timefmt._HINT_UNITS:
                if size >= threshold:
                    exact = timedelta(seconds=int(size.total_seconds() // per) * per)
                    expected = _plain(format_timedelta(
                        exact if sign > 0 else -exact, granularity=unit,
                        threshold=float("inf"), add_direction=True, format="long", locale=loc))
                    break
            else:
                expected = timefmt._NOW[lang]
            assert ours == expected, (seconds, sign)


def test_the_running_bot_does_not_load_babel():
    """Writing every kind of date and duration leaves babel unimported (a fresh process:
    this one imported babel to compare)."""
    import subprocess
    code = ("import sys; from datetime import *; from zoneinfo import ZoneInfo; "
            "from commands import timefmt as t; now = datetime.now(timezone.utc); "
            "[t.show_moment(now, ZoneInfo('Europe/Brussels'), l) + t.show_duration("
            "timedelta(hours=36), l) + t.relative(now + timedelta(days=3), now, l) + "
            "t.show_day_month(now.date(), l) + t.show_short_day(now.date(), l) "
            "for l in ('fr', 'nl', 'en')]; "
            "print(any(m == 'babel' or m.startswith('babel.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=TABLE_FILE.parents[1])
    assert out.stdout.strip() == "False"


if __name__ == "__main__":
    write()


@pytest.mark.parametrize("lang", LOCALES)
def test_plural_forms_are_babels(lang):
    """``timefmt.plural_form`` (which ``render.Count`` and the durations use) picks the form
    CLDR's rules give, for every count a message shows."""
    rule = _babel_locale(lang).plural_form
    for count in [*range(0, 2_001), 10_000, 100_000, 999_999]:
        assert timefmt.plural_form(count, lang) == rule(count), count
