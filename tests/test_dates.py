"""commands/dates.py: due dates in words, in French, Dutch and English (issue 9).

The examples are seen from Wednesday 18 November 2026, 11:00 in Brussels, unless a test says.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.dates import DATED_WEEKDAYS, MONTHS, WEEKDAYS, looks_like_date, read_date
from commands.timefmt import end_of_day

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=timezone.utc)   # Wednesday, 11:00 in Brussels
TODAY = date(2026, 11, 18)


def day_of(text: str, now: datetime = NOW, zone: ZoneInfo = BRUSSELS) -> date | None:
    reading = read_date(text, now, zone)
    return reading.day if reading else None


# --- the examples of the issue, in the three languages -------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # day and month: the next such day
    ("10 décembre", date(2026, 12, 10)),
    ("10 decembre", date(2026, 12, 10)),
    ("10 DÉCEMBRE", date(2026, 12, 10)),
    ("10 déc.", date(2026, 12, 10)),
    ("10 dec", date(2026, 12, 10)),
    ("le 10 décembre", date(2026, 12, 10)),
    ("10 december", date(2026, 12, 10)),
    ("December 10", date(2026, 12, 10)),
    ("Dec 10th", date(2026, 12, 10)),
    ("Dec. 10", date(2026, 12, 10)),
    ("the 10th of December", date(2026, 12, 10)),
    ("10th of December", date(2026, 12, 10)),
    ("de 10de december", date(2026, 12, 10)),
    ("1er mai", date(2027, 5, 1)),                # May 2026 has passed
    ("1 mei", date(2027, 5, 1)),
    ("May 1st", date(2027, 5, 1)),
    ("18 novembre", TODAY),                      # today is not in the past
    ("17 novembre", date(2027, 11, 17)),         # yesterday's is next year's
    ("29 février", date(2028, 2, 29)),           # the next 29 February there is
    ("3 maart", date(2027, 3, 3)),
    ("3 mrt", date(2027, 3, 3)),
    ("3 mars", date(2027, 3, 3)),
    ("3 March", date(2027, 3, 3)),
    ("15 août", date(2027, 8, 15)),
    ("15 aout", date(2027, 8, 15)),
    ("15 augustus", date(2027, 8, 15)),
    ("15 Sept", date(2027, 9, 15)),
    ("15 sep", date(2027, 9, 15)),
    ("15 okt", date(2027, 10, 15)),
    ("15 oct", date(2027, 10, 15)),
    ("20 janv.", date(2027, 1, 20)),
    ("20 févr.", date(2027, 2, 20)),
    ("20 juil.", date(2027, 7, 20)),
    # with the year
    ("10 décembre 2026", date(2026, 12, 10)),
    ("10 december 2027", date(2027, 12, 10)),
    ("December 10, 2026", date(2026, 12, 10)),
    ("Dec 10th, 2027", date(2027, 12, 10)),
    ("10 December, 2026", date(2026, 12, 10)),
    ("2 décembre 2025", date(2025, 12, 2)),      # a past date is read: the caller refuses it
    # numbers: day first, always
    ("10/12/2026", date(2026, 12, 10)),
    ("10-12-2026", date(2026, 12, 10)),
    ("10.12.2026", date(2026, 12, 10)),
    ("10/12", date(2026, 12, 10)),
    ("10.12", date(2026, 12, 10)),
    ("10-12", date(2026, 12, 10)),
    ("1/2", date(2027, 2, 1)),
    ("10/12/26", date(2026, 12, 10)),
    ("2026-12-10", date(2026, 12, 10)),
    ("2026/12/10", date(2026, 12, 10)),
    ("12/10", date(2027, 10, 12)),               # 12 October, never December 10
    # relative days
    ("demain", date(2026, 11, 19)),
    ("morgen", date(2026, 11, 19)),
    ("tomorrow", date(2026, 11, 19)),
    ("Demain", date(2026, 11, 19)),
    ("aujourd'hui", TODAY),
    ("aujourd’hui", TODAY),
    ("vandaag", TODAY),
    ("today", TODAY),
    ("ce soir", TODAY),
    ("vanavond", TODAY),
    ("tonight", TODAY),
    ("après-demain", date(2026, 11, 20)),
    ("apres demain", date(2026, 11, 20)),
    ("overmorgen", date(2026, 11, 20)),
    ("the day after tomorrow", date(2026, 11, 20)),
    # spans from today
    ("dans 2 semaines", date(2026, 12, 2)),
    ("dans 3 jours", date(2026, 11, 21)),
    ("over 2 weken", date(2026, 12, 2)),
    ("over 3 dagen", date(2026, 11, 21)),
    ("in 2 weeks", date(2026, 12, 2)),
    ("in 3 days", date(2026, 11, 21)),
    ("in 1 day", date(2026, 11, 19)),
    ("in 2 weken", date(2026, 12, 2)),
    ("binnen 2 weken", date(2026, 12, 2)),
    ("d'ici 10 jours", date(2026, 11, 28)),
    ("dans deux semaines", date(2026, 12, 2)),
    ("dans une semaine", date(2026, 11, 25)),
    ("dans un mois", date(2026, 12, 18)),
    ("dans 3 mois", date(2027, 2, 18)),
    ("dans 1 an", date(2027, 11, 18)),
    ("over twee weken", date(2026, 12, 2)),
    ("over een week", date(2026, 11, 25)),
    ("over drie dagen", date(2026, 11, 21)),
    ("over veertien dagen", date(2026, 12, 2)),
    ("over twaalf maanden", date(2027, 11, 18)),
    ("in a week", date(2026, 11, 25)),
    ("in two weeks", date(2026, 12, 2)),
    ("in twelve days", date(2026, 11, 30)),
    ("in a month", date(2026, 12, 18)),
    ("in 1 year", date(2027, 11, 18)),
    ("dans douze jours", date(2026, 11, 30)),
    ("dans sept jours", date(2026, 11, 25)),     # sept the number, not September
    # weekdays (today is a Wednesday)
    ("vendredi", date(2026, 11, 20)),
    ("vrijdag", date(2026, 11, 20)),
    ("friday", date(2026, 11, 20)),
    ("Friday", date(2026, 11, 20)),
    ("fri", date(2026, 11, 20)),
    ("ven", date(2026, 11, 20)),
    ("lundi", date(2026, 11, 23)),
    ("maandag", date(2026, 11, 23)),
    ("monday", date(2026, 11, 23)),
    ("ce vendredi", date(2026, 11, 20)),
    ("this friday", date(2026, 11, 20)),
    ("deze vrijdag", date(2026, 11, 20)),
    ("aanstaande vrijdag", date(2026, 11, 20)),
    ("komende vrijdag", date(2026, 11, 20)),
    ("next friday", date(2026, 11, 20)),
    ("vendredi prochain", date(2026, 11, 20)),
    ("prochain vendredi", date(2026, 11, 20)),
    ("volgende vrijdag", date(2026, 11, 20)),
    ("next monday", date(2026, 11, 23)),
    ("pour vendredi", date(2026, 11, 20)),
    ("on friday", date(2026, 11, 20)),
    ("op vrijdag", date(2026, 11, 20)),
    ("by friday", date(2026, 11, 20)),
    ("tegen vrijdag", date(2026, 11, 20)),
    ("uiterlijk vrijdag", date(2026, 11, 20)),
    # a weekday with its date, which must agree
    ("jeudi 10 décembre", date(2026, 12, 10)),
    ("jeudi 10 décembre 2026", date(2026, 12, 10)),
    ("jeudi le 10 décembre", date(2026, 12, 10)),
    ("donderdag 10 december 2026", date(2026, 12, 10)),
    ("Thursday 10 December 2026", date(2026, 12, 10)),
    ("Thursday, December 10, 2026", date(2026, 12, 10)),
    ("jeu. 10 déc.", date(2026, 12, 10)),
    ("do 10 dec", date(2026, 12, 10)),
    ("Thu 10 Dec", date(2026, 12, 10)),
    ("jeudi 10/12", date(2026, 12, 10)),
    ("vendredi 20", date(2026, 11, 20)),
    ("vendredi le 20", date(2026, 11, 20)),
    ("mar. 10 novembre 2026", date(2026, 11, 10)),  # mar. before a date is mardi
    ("Mar 10", date(2027, 3, 10)),                  # and before a bare number, March
    # the end of a month
    ("fin du mois", date(2026, 11, 30)),
    ("fin de mois", date(2026, 11, 30)),
    ("end of the month", date(2026, 11, 30)),
    ("end of month", date(2026, 11, 30)),
    ("eind van de maand", date(2026, 11, 30)),
    ("einde van de maand", date(2026, 11, 30)),
    ("fin décembre", date(2026, 12, 31)),
    ("fin février", date(2027, 2, 28)),
    ("end of February 2028", date(2028, 2, 29)),
    ("eind december", date(2026, 12, 31)),
    ("fin novembre", date(2026, 11, 30)),
    # a day of this month or the next
    ("le 10", date(2026, 12, 10)),
    ("le 20", date(2026, 11, 20)),
    ("the 20th", date(2026, 11, 20)),
    ("20th", date(2026, 11, 20)),
    ("le 1er", date(2026, 12, 1)),
    ("le 31", date(2026, 12, 31)),               # November has no 31st
    # lead words
    ("d'ici le 10 décembre", date(2026, 12, 10)),
    ("jusqu'au 10 décembre", date(2026, 12, 10)),
    ("until 10 December", date(2026, 12, 10)),
    ("tot 10 december", date(2026, 12, 10)),
    ("on the 10th of December", date(2026, 12, 10)),
])
def test_the_examples(text, expected):
    assert day_of(text) == expected


def test_the_year_is_kept_in_a_day_month_when_given_so_a_past_one_is_the_callers_to_refuse():
    assert day_of("10/12/2025") == date(2025, 12, 10)
    assert day_of("2025-12-10") == date(2025, 12, 10)


# --- what is no date ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    # cannot be
    "31/02", "31/02/2026", "30 février", "le 45 mars", "32 décembre", "0 décembre", "00/12",
    "10/13", "12/25", "2026-02-30", "2026-13-01", "le 32", "le 0", "31 avril",
    "mardi 10 décembre 2026",             # it is a Thursday: which part is the slip?
    "Tuesday, December 10, 2026",
    "vendredi 21",                        # the next 21st is a Saturday
    "mar 10 novembre",                    # 10 November 2027 is a Wednesday
    "10 décembre à 25h", "10 décembre à 14:75", "demain à 2",  # "à 2": night or afternoon?
    "10 dec at 13pm", "10 mai 26",        # a year cut short, or a count?
    "dans 3 heures", "in 2 hours", "over 30 minuten",  # a due date is a day
    "dans 0 jours",
    "10/12/1899", "10/12/3000", "dans 999 ans",         # outside the readable years
    # no date, or not yet a date
    "10", "2024", "3 semaines", "2 weeks", "décembre", "December", "dans deux", "in",
    "semaine prochaine", "next week", "volgende week", "mois prochain", "next month",
    "dans quelques jours", "over een paar dagen", "in a few days", "dans vingt jours",
    "ma", "mar", "do", "zo 10",           # abbreviations that are words too, without a date
    "Prepare the meeting", "the meeting on friday", "le comité", "de vergadering", "",
    "   ", "\n", "🙂", "«»", "C-2", "@bob:example.org",
])
def test_no_reading(text):
    assert read_date(text, NOW, BRUSSELS) is None


@pytest.mark.parametrize("text", [
    "31/02", "le 45 mars", "30 février", "12/25", "mardi 10 décembre 2026", "vendredi 21",
    "dans deux", "dans quelques jours", "dans vingt jours", "over een paar dagen",
    "in a few days", "dans 3 heures", "in 2 hours", "3 semaines", "deux semaines",
    "2 weeks", "twee weken", "semaine prochaine", "next week", "volgende week",
    "mois prochain", "next month", "décembre", "December", "mai 2026", "10", "2024",
    "10 mai 26", "demain à 2", "10 décembre à 25h", "10/12/3000", "fin de la semaine",
    "end of next week", "fin d'année", "fin de l'année", "end of the year",
    "eind van het jaar", "cette semaine", "this week", "mar", "ma 10", "do 10/12", "le 32",
    "14h", "the 45th",
    "jusqu'au 31/02", "le 10 décembre", "vendredi", "dans 2 semaines", "10/12/2026",
])
def test_looks_like_a_date(text):
    assert looks_like_date(text)


@pytest.mark.parametrize("text", [
    "Prepare the meeting", "Préparer la réunion", "De vergadering voorbereiden", "le comité",
    "the budget", "over the budget", "in the room", "dans la salle", "ma tante", "do it",
    "", "   ", "🙂", "C-2", "@bob:example.org", "https://example.org/10/12",
    "peut-être", "d'ici peu",
])
def test_does_not_look_like_a_date(text):
    assert not looks_like_date(text)


# --- what a reading carries -----------------------------------------------------------------------

def test_words_said_and_rest_split_a_date_from_a_description():
    reading = read_date("10 décembre Préparer la réunion", NOW, BRUSSELS)
    assert (reading.day, reading.words, reading.said, reading.rest) == \
        (date(2026, 12, 10), 2, "10 décembre", "Préparer la réunion")
    reading = read_date("le 10 décembre Prepare the meeting", NOW, BRUSSELS)
    assert (reading.words, reading.rest) == (3, "Prepare the meeting")
    reading = read_date("Dec 10th, 2026 — agenda", NOW, BRUSSELS)
    assert (reading.words, reading.said, reading.rest) == (3, "Dec 10th, 2026", "— agenda")
    reading = read_date("over 2 weken\nDe zaal boeken", NOW, BRUSSELS)
    assert (reading.words, reading.rest) == (3, "\nDe zaal boeken")
    reading = read_date("demain", NOW, BRUSSELS)
    assert (reading.words, reading.rest) == (1, "")


def test_a_description_starting_with_a_number_after_a_day_is_not_a_year():
    reading = read_date("10 décembre 300 flyers", NOW, BRUSSELS)
    assert (reading.day, reading.rest) == (date(2026, 12, 10), "300 flyers")
    reading = read_date("10 décembre 2 réunions", NOW, BRUSSELS)
    assert (reading.day, reading.rest) == (date(2026, 12, 10), "2 réunions")


def test_the_due_instant_is_the_end_of_the_local_day_as_the_tasks_code_stores_it():
    reading = read_date("20/11/2026", NOW, BRUSSELS)
    assert reading.at is None
    assert reading.due == end_of_day(date(2026, 11, 20), BRUSSELS)
    assert reading.due == datetime(2026, 11, 20, 22, 59, 59, tzinfo=timezone.utc)
    summer = read_date("20/07/2027", NOW, BRUSSELS)
    assert summer.due == datetime(2027, 7, 20, 21, 59, 59, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, at", [
    ("demain à 17h", time(17, 0)),
    ("demain à 17h30", time(17, 30)),
    ("demain a 17h", time(17, 0)),
    ("demain 17h", time(17, 0)),
    ("demain à 17:30", time(17, 30)),
    ("morgen om 17 uur", time(17, 0)),
    ("morgen om 17u", time(17, 0)),
    ("morgen om 17u30", time(17, 30)),
    ("morgen om 17.30", time(17, 30)),
    ("morgen om 17.30 uur", time(17, 30)),
    ("morgen om 17:00 uur", time(17, 0)),
    ("tomorrow at 5pm", time(17, 0)),
    ("tomorrow at 5 pm", time(17, 0)),
    ("tomorrow at 5:30pm", time(17, 30)),
    ("tomorrow at 12am", time(0, 0)),
    ("tomorrow at 12pm", time(12, 0)),
    ("tomorrow at 9 a.m.", time(9, 0)),
    ("tomorrow @ 17:00", time(17, 0)),
    ("tomorrow 17:00", time(17, 0)),
    ("tomorrow 00:00", time(0, 0)),
])
def test_a_time_after_the_day(text, at):
    reading = read_date(text + " Prepare", NOW, BRUSSELS)
    assert (reading.day, reading.at, reading.rest) == (date(2026, 11, 19), at, "Prepare")
    local = datetime.combine(date(2026, 11, 19), at, tzinfo=BRUSSELS)
    assert reading.due == local.astimezone(timezone.utc)


def test_words_after_a_day_that_are_no_time_stay_in_the_rest():
    reading = read_date("demain à Bruxelles", NOW, BRUSSELS)
    assert (reading.at, reading.rest) == (None, "à Bruxelles")
    reading = read_date("morgen om de vergadering te plannen", NOW, BRUSSELS)
    assert (reading.at, reading.rest) == (None, "om de vergadering te plannen")
    reading = read_date("10 dec 3 people", NOW, BRUSSELS)
    assert (reading.at, reading.rest) == (None, "3 people")


def test_two_digits_after_a_day_and_month_are_asked_about():
    # "10 mai 26": the year cut short, or 26 of something? Not for the bot to pick.
    for text in ("10 mai 26", "10 dec 14 people"):
        assert read_date(text, NOW, BRUSSELS) is None
        assert looks_like_date(text)
    assert read_date("10 dec 14 uur", NOW, BRUSSELS).at == time(14, 0)


# --- never a guess: the other day a reading may mean ----------------------------------------------

def test_next_weekday_early_in_the_week_may_be_this_one_or_the_one_after():
    # Wednesday: Friday is still this week.
    for text in ("next friday", "vendredi prochain", "volgende vrijdag", "prochain vendredi"):
        reading = read_date(text, NOW, BRUSSELS)
        assert (reading.day, reading.alternative) == (date(2026, 11, 20), date(2026, 11, 27))
    # Monday is next week already: one meaning only.
    for text in ("next monday", "lundi prochain", "volgende maandag"):
        reading = read_date(text, NOW, BRUSSELS)
        assert (reading.day, reading.alternative) == (date(2026, 11, 23), None)


def test_a_plain_or_this_weekday_is_the_coming_one_and_no_question():
    for text in ("friday", "vendredi", "vrijdag", "this friday", "ce vendredi",
                 "aanstaande vrijdag", "deze vrijdag", "komende vrijdag"):
        assert read_date(text, NOW, BRUSSELS).alternative is None


def test_todays_weekday_may_mean_today_or_in_a_week():
    reading = read_date("mercredi", NOW, BRUSSELS)
    assert (reading.day, reading.alternative) == (date(2026, 11, 25), TODAY)
    reading = read_date("next wednesday", NOW, BRUSSELS)
    assert (reading.day, reading.alternative) == (date(2026, 11, 25), None)


def test_huit_jours_and_quinze_jours_may_mean_a_week_and_two():
    reading = read_date("dans huit jours", NOW, BRUSSELS)
    assert (reading.day, reading.alternative) == (date(2026, 11, 26), date(2026, 11, 25))
    reading = read_date("dans 15 jours", NOW, BRUSSELS)
    assert (reading.day, reading.alternative) == (date(2026, 12, 3), date(2026, 12, 2))
    reading = read_date("dans quinze jours", NOW, BRUSSELS)
    assert (reading.day, reading.alternative) == (date(2026, 12, 3), date(2026, 12, 2))
    assert read_date("in 8 days", NOW, BRUSSELS).alternative is None
    assert read_date("over 8 dagen", NOW, BRUSSELS).alternative is None


def test_months_added_keep_the_day_or_take_the_last_one():
    end_of_january = datetime(2027, 1, 31, 12, 0, tzinfo=timezone.utc)
    assert day_of("dans 1 mois", end_of_january) == date(2027, 2, 28)
    assert day_of("in 13 months", end_of_january) == date(2028, 2, 29)


def test_today_is_the_groups_local_day():
    late = datetime(2026, 11, 18, 23, 30, tzinfo=timezone.utc)   # already the 19th in Brussels
    assert day_of("demain", late) == date(2026, 11, 20)
    assert day_of("demain", late, ZoneInfo("UTC")) == date(2026, 11, 19)
    assert day_of("19 novembre", late) == date(2026, 11, 19)
    assert day_of("18 novembre", late) == date(2027, 11, 18)


def test_the_end_of_month_on_its_last_day_is_today():
    last = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
    assert day_of("fin du mois", last) == date(2026, 11, 30)
    assert day_of("fin novembre", last) == date(2026, 11, 30)
    assert day_of("fin octobre", last) == date(2027, 10, 31)


def test_a_naive_now_is_taken_as_utc():
    assert day_of("demain", NOW.replace(tzinfo=None)) == date(2026, 11, 19)


# --- the vocabulary: every name the formatter writes is read back ---------------------------------

@pytest.mark.parametrize("locale", ["fr_BE", "nl_BE", "en_GB"])
def test_every_month_name_babel_writes_is_read(locale):
    from babel.dates import get_month_names

    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, locale).items():
                assert day_of(f"10 {name} 2027") == date(2027, number, 10), (locale, name)
                assert day_of(f"{name} 10, 2027") == date(2027, number, 10), (locale, name)


@pytest.mark.parametrize("locale", ["fr_BE", "nl_BE", "en_GB"])
def test_every_weekday_name_babel_writes_is_read(locale):
    from babel.dates import get_day_names

    monday = date(2026, 11, 23)
    # Babel's "short" width is not read: French "ma" (mardi) is Dutch "ma" (maandag).
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_day_names(width, context, locale).items():
                day = monday + timedelta(days=number)         # babel counts Monday as 0 too
                assert day_of(f"{name} {day.day}/{day.month}/{day.year}") == day, (locale, name)
                assert day_of(f"{name} {day.day} November {day.year}") == day, (locale, name)
                if width == "wide":                                 # alone too
                    assert day_of(name).weekday() == number, (locale, name)


def test_the_vocabulary_tables_are_consistent():
    assert set(MONTHS.values()) == set(range(1, 13))
    assert set(WEEKDAYS.values()) == set(range(7))
    assert set(WEEKDAYS.items()) <= set(DATED_WEEKDAYS.items())
    assert "mar" in MONTHS and "mar" not in WEEKDAYS     # March alone, mardi only with its date


# --- properties -----------------------------------------------------------------------------------

ZONES = st.sampled_from([ZoneInfo(z) for z in ("Europe/Brussels", "UTC", "Pacific/Kiritimati",
                                              "Etc/GMT+12", "America/New_York")])
NOWS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31),
                    timezones=st.just(timezone.utc))
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
MONTH_NAMES = {number: [name for name, n in MONTHS.items() if n == number]
               for number in range(1, 13)}


@given(st.text(max_size=80), NOWS, ZONES)
def test_nothing_raises_and_a_reading_looks_like_a_date(text, now, zone):
    reading = read_date(text, now, zone)
    looks = looks_like_date(text)
    if reading is not None:
        assert looks
        assert 1 <= reading.words <= len(text.split())
        assert reading.said.split() == text.split()[:reading.words]
        assert text.endswith(reading.rest)
        assert reading.rest.split() == text.split()[reading.words:]


DATE_WORDS = st.sampled_from(
    sorted(MONTHS) + sorted(DATED_WEEKDAYS) + ["le", "the", "de", "dans", "over", "in", "next",
                                               "prochain", "volgende", "fin", "du", "mois",
                                               "à", "om", "at", "demain", "morgen", "jours",
                                               "weken", "days", "deux", "twee", "two", "h", "uur",
                                               "pm", "of", ",", "."])
NUMBERS = st.integers(min_value=0, max_value=3000).map(str)
SEPARATED = st.tuples(st.integers(0, 40), st.sampled_from("/.-"), st.integers(0, 15),
                      st.sampled_from(["", "/2026", "-2026", ".2026", "/26", "/1899"])).map(
    lambda t: f"{t[0]}{t[1]}{t[2]}{t[3]}")


@given(st.lists(st.one_of(DATE_WORDS, NUMBERS, SEPARATED, st.sampled_from(["17h", "14:00",
                                                                        "1er", "10th"])),
                min_size=1, max_size=7), NOWS, ZONES)
def test_word_salads_of_date_words_never_raise(words, now, zone):
    text = " ".join(words)
    reading = read_date(text, now, zone)
    if reading is not None:
        assert looks_like_date(text)
        assert date(1900, 1, 1) <= reading.day <= date(2999, 12, 31)
        assert reading.due.tzinfo is not None


@given(NOWS, ZONES, st.integers(1, 12), st.integers(1, 31), st.data())
def test_a_day_and_month_without_year_is_the_next_one_never_past(now, zone, month, day, data):
    name = data.draw(st.sampled_from(MONTH_NAMES[month]))
    form = data.draw(st.sampled_from(["{d} {m}", "le {d} {m}", "{m} {d}", "{d}/{mm}",
                                      "{d}.{mm}", "the {d}th of {m}"]))
    text = form.format(d=day, m=name, mm=month)
    reading = read_date(text, now, zone)
    today = now.astimezone(zone).date()
    try:
        date(2000, month, day)
    except ValueError:
        assert reading is None                # 31 April, 30 February: no reading
        return
    assert reading is not None, text
    assert (reading.day.month, reading.day.day) == (month, day)
    assert reading.day >= today
    if (month, day) != (2, 29):
        assert (reading.day - today).days < 366


@given(NOWS, ZONES, st.sampled_from(sorted(WEEKDAYS)))
def test_a_weekday_alone_is_within_the_next_seven_days(now, zone, name):
    today = now.astimezone(zone).date()
    reading = read_date(name, now, zone)
    assert reading.day.weekday() == WEEKDAYS[name]
    assert 1 <= (reading.day - today).days <= 7
    assert reading.alternative == (today if (reading.day - today).days == 7 else None)


@given(NOWS, ZONES, st.sampled_from(["next", "volgende"]), st.sampled_from(sorted(WEEKDAYS)))
def test_next_weekday_is_the_coming_one_and_says_when_it_could_be_a_week_later(
        now, zone, word, name):
    today = now.astimezone(zone).date()
    reading = read_date(f"{word} {name}", now, zone)
    assert reading.day.weekday() == WEEKDAYS[name]
    assert 1 <= (reading.day - today).days <= 7
    same_week = reading.day.isocalendar()[:2] == today.isocalendar()[:2]
    assert reading.alternative == (reading.day + timedelta(days=7) if same_week else None)


@given(NOWS, ZONES, st.integers(1, 400),
       st.sampled_from([("dans", "jours", 1), ("over", "dagen", 1), ("in", "days", 1),
                        ("dans", "semaines", 7), ("over", "weken", 7), ("in", "weeks", 7)]))
def test_spans_count_from_the_local_today(now, zone, count, words):
    prefix, unit, size = words
    today = now.astimezone(zone).date()
    assert day_of(f"{prefix} {count} {unit}", now, zone) == today + timedelta(days=count * size)


@given(DAYS, NOWS, ZONES, st.sampled_from(["{d}/{m}/{y}", "{d}-{m}-{y}", "{d}.{m}.{y}",
                                          "{y}-{m:02d}-{d:02d}", "{d:02d}/{m:02d}/{y}"]))
def test_numeric_dates_with_a_year_are_that_day_whatever_today(day, now, zone, form):
    text = form.format(d=day.day, m=day.month, y=day.year)
    assert day_of(text, now, zone) == day
