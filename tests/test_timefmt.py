"""commands/timefmt.py: dates, times, spans and hints as each language writes them (issue 9),
and the round trip with commands/dates.py: what the bot writes, it reads back."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.dates import read_date
from commands.calendar_words import TABLE
from commands.timefmt import (
    end_of_day,
    relative,
    show_day,
    show_duration,
    show_moment,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
LANGS = ("fr", "nl", "en")


# --- the one format of each language --------------------------------------------------------------

@pytest.mark.parametrize("lang, expected", [
    ("fr", "jeudi 10 décembre 2026 à 14:00"),
    ("nl", "donderdag 10 december 2026 om 14:00"),
    ("en", "Thursday 10 December 2026 at 14:00"),
])
def test_a_moment(lang, expected):
    moment = datetime(2026, 12, 10, 13, 0, tzinfo=timezone.utc)
    assert show_moment(moment, BRUSSELS, lang) == expected


@pytest.mark.parametrize("lang, expected", [
    ("fr", "mercredi 15 juillet 2026 à 09:05"),
    ("nl", "woensdag 15 juli 2026 om 09:05"),
    ("en", "Wednesday 15 July 2026 at 09:05"),
])
def test_a_summer_moment_is_in_summer_time(lang, expected):
    moment = datetime(2026, 7, 15, 7, 5, tzinfo=timezone.utc)       # 09:05 CEST
    assert show_moment(moment, BRUSSELS, lang) == expected


@pytest.mark.parametrize("lang, expected", [
    ("fr", "mardi 1er décembre 2026"),
    ("nl", "dinsdag 1 december 2026"),
    ("en", "Tuesday 1 December 2026"),
])
def test_a_first_of_the_month(lang, expected):
    assert show_day(date(2026, 12, 1), lang) == expected


@pytest.mark.parametrize("lang, expected", [
    ("fr", "lundi 30 novembre 2026"),
    ("nl", "maandag 30 november 2026"),
    ("en", "Monday 30 November 2026"),
])
def test_a_due_date_is_the_day_alone(lang, expected):
    due = end_of_day(date(2026, 11, 30), BRUSSELS)
    assert show_moment(due, BRUSSELS, lang) == expected
    assert show_moment(due - timedelta(seconds=1), BRUSSELS, lang).endswith("23:59")


def test_the_moment_is_shown_in_the_groups_zone():
    moment = datetime(2026, 12, 10, 23, 30, tzinfo=timezone.utc)
    assert show_moment(moment, BRUSSELS, "en") == "Friday 11 December 2026 at 00:30"
    assert show_moment(moment, ZoneInfo("UTC"), "en") == "Thursday 10 December 2026 at 23:30"


def test_no_special_spaces_in_what_is_written():
    moment = datetime(2026, 12, 10, 13, 0, tzinfo=timezone.utc)
    for lang in LANGS:
        for written in (show_moment(moment, BRUSSELS, lang),
                        show_duration(timedelta(days=1, hours=12), lang),
                        relative(moment, moment - timedelta(days=2), lang)):
            assert "\u00a0" not in written and "\u202f" not in written


# --- spans ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("delta, fr, nl, en", [
    (timedelta(days=3), "3 jours", "3 dagen", "3 days"),
    (timedelta(weeks=2), "2 semaines", "2 weken", "2 weeks"),
    (timedelta(days=1), "1 jour", "1 dag", "1 day"),
    (timedelta(hours=1), "1 heure", "1 uur", "1 hour"),
    (timedelta(hours=5), "5 heures", "5 uur", "5 hours"),
    (timedelta(minutes=45), "45 minutes", "45 minuten", "45 minutes"),
    (timedelta(minutes=1), "1 minute", "1 minuut", "1 minute"),
    (timedelta(seconds=90), "1 minute et 30 secondes", "1 minuut en 30 seconden",
     "1 minute and 30 seconds"),
    (timedelta(hours=36), "1 jour et 12 heures", "1 dag en 12 uur", "1 day and 12 hours"),
    (timedelta(weeks=1, hours=1), "1 semaine et 1 heure", "1 week en 1 uur",
     "1 week and 1 hour"),
    (timedelta(weeks=1, days=2, hours=3), "1 semaine et 2 jours", "1 week en 2 dagen",
     "1 week and 2 days"),                       # the two largest units, the rest dropped
    (timedelta(0), "0 seconde", "0 seconden", "0 seconds"),
    (timedelta(seconds=-5), "0 seconde", "0 seconden", "0 seconds"),
])
def test_spans(delta, fr, nl, en):
    assert (show_duration(delta, "fr"), show_duration(delta, "nl"),
            show_duration(delta, "en")) == (fr, nl, en)


# --- relative hints -------------------------------------------------------------------------------

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=timezone.utc)          # Tuesday, 10:00 in Brussels


@pytest.mark.parametrize("offset, fr, nl, en", [
    (timedelta(days=2), "dans 2 jours", "over 2 dagen", "in 2 days"),
    (timedelta(days=2, hours=23), "dans 2 jours", "over 2 dagen", "in 2 days"),   # floor
    (timedelta(days=1), "dans 1 jour", "over 1 dag", "in 1 day"),
    (timedelta(hours=3), "dans 3 heures", "over 3 uur", "in 3 hours"),
    (timedelta(hours=23, minutes=59), "dans 23 heures", "over 23 uur", "in 23 hours"),
    (timedelta(minutes=5), "dans 5 minutes", "over 5 minuten", "in 5 minutes"),
    (timedelta(seconds=30), "maintenant", "nu", "now"),
    (timedelta(0), "maintenant", "nu", "now"),
    (timedelta(weeks=10), "dans 10 semaines", "over 10 weken", "in 10 weeks"),
    (timedelta(days=55), "dans 55 jours", "over 55 dagen", "in 55 days"),
    (-timedelta(hours=2), "il y a 2 heures", "2 uur geleden", "2 hours ago"),
    (-timedelta(days=3, hours=5), "il y a 3 jours", "3 dagen geleden", "3 days ago"),
    (-timedelta(minutes=1), "il y a 1 minute", "1 minuut geleden", "1 minute ago"),
])
def test_relative(offset, fr, nl, en):
    moment = NOW + offset
    assert (relative(moment, NOW, "fr"), relative(moment, NOW, "nl"),
            relative(moment, NOW, "en")) == (fr, nl, en)


def test_a_due_date_on_thursday_seen_on_tuesday_morning_is_in_two_days():
    due = end_of_day(date(2026, 12, 10), BRUSSELS)
    assert relative(due, NOW, "en") == "in 2 days"
    assert relative(due, NOW, "fr") == "dans 2 jours"


# --- the round trip: what is written is read back ------------------------------------------------

MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2990, 12, 31),
                       timezones=st.just(timezone.utc))
ZONES = st.sampled_from([ZoneInfo(z) for z in ("Europe/Brussels", "UTC", "Pacific/Kiritimati",
                                              "Etc/GMT+12", "America/New_York", "Asia/Kolkata")])
NOWS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1),
                    timezones=st.just(timezone.utc))


@given(MOMENTS, ZONES, st.sampled_from(LANGS), NOWS)
def test_any_moment_written_in_a_language_is_read_back_to_its_day_and_minute(
        moment, zone, lang, now):
    written = show_moment(moment, zone, lang)
    reading = read_date(written + " Prepare the meeting", now, zone)
    local = moment.astimezone(zone)
    assert reading is not None, written
    assert reading.day == local.date(), written
    assert reading.rest == "Prepare the meeting"
    assert reading.said == written
    if local.time().replace(microsecond=0) == time(23, 59, 59):
        assert reading.at is None and reading.due == end_of_day(local.date(), zone)
    else:
        assert reading.at == time(local.hour, local.minute)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)),
       st.sampled_from(LANGS), NOWS)
def test_any_day_written_in_a_language_is_read_back(day, lang, now):
    written = show_day(day, lang)
    reading = read_date(written, now, BRUSSELS)
    assert reading is not None and reading.day == day, written
    assert reading.words == 4


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2999, 12, 31)), NOWS)
def test_a_due_date_shown_is_read_back_to_the_same_instant(day, now):
    for zone in (BRUSSELS, ZoneInfo("America/New_York")):
        due = end_of_day(day, zone)
        for lang in LANGS:
            assert read_date(show_moment(due, zone, lang), now, zone).due == due


# --- the cost: babel's locale data is never loaded by the bot (tests/test_calendar_words.py) -----

def test_importing_the_date_modules_does_not_load_babel():
    code = ("import sys, commands.timefmt, commands.dates, commands.refs, commands.table; "
            "print('babel' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_every_language_has_its_words():
    assert set(TABLE) == set(LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_every_month_and_weekday_the_formatter_writes_is_read_back(lang):
    now = datetime(2026, 11, 18, 10, 0, tzinfo=timezone.utc)
    for month in range(1, 13):
        for day in (1, 10, 28):
            shown = show_day(date(2027, month, day), lang)
            assert read_date(shown, now, BRUSSELS).day == date(2027, month, day), shown
    for offset in range(7):
        day = date(2027, 3, 1) + timedelta(days=offset)
        shown = show_day(day, lang)
        weekday = shown.split()[0]
        assert read_date(shown, now, BRUSSELS).day == day, shown
        assert read_date(weekday, now, BRUSSELS).day.weekday() == day.weekday(), weekday


def test_the_stored_form_tells_the_two_halves_of_the_autumn_hour_apart():
    """02:30 in Brussels happens twice on 25 October 2026; Python finds the two equal (they
    differ by ``fold`` only), so the stored form must not be remembered by local time."""
    from storage.timestamps import iso
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BRUSSELS)
    second = first.replace(fold=1)
    assert (iso(first), iso(second)) == ("2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z")
    assert (iso(second), iso(first)) == ("2026-10-25T01:30:00Z", "2026-10-25T00:30:00Z")
