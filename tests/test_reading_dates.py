"""Dates in words (issue 9 item 7): a due date or the end of an absence written as people
say it, in each language, is understood; a date that may mean two days, or looks like one
but cannot be read, is a question; the ranges of dates still hold.

Every refusal is asserted word for word, and shown to change nothing.
"""

from __future__ import annotations

import pytest

from commands.dates import date_words
from commands.messages import LANGUAGES
from storage.timestamps import iso
from tests.harness import ALICE, BOB
from tests.reading import MANDATE, refused, say

# --- item 7: due dates and absences in words ----------------------------------------------------
# The clock starts on Monday 2 November 2026 at 10:00 in Brussels.

DUE = {"fr": "échéance", "nl": "deadline", "en": "due"}


@pytest.mark.parametrize("lang, said, due", [
    ("fr", "10 décembre", "2026-12-10T22:59:59Z"),
    ("fr", "le 10 déc.", "2026-12-10T22:59:59Z"),
    ("fr", "dans 2 semaines", "2026-11-16T22:59:59Z"),
    ("fr", "10/12/2026", "2026-12-10T22:59:59Z"),
    ("fr", "vendredi à 14h", "2026-11-06T13:00:00Z"),
    ("nl", "10 december", "2026-12-10T22:59:59Z"),
    ("nl", "over 2 weken", "2026-11-16T22:59:59Z"),
    ("nl", "morgen", "2026-11-03T22:59:59Z"),
    ("en", "December 10", "2026-12-10T22:59:59Z"),
    ("en", "in 2 weeks", "2026-11-16T22:59:59Z"),
    ("en", "the 10th of December", "2026-12-10T22:59:59Z"),
    ("en", "2026-12-10", "2026-12-10T22:59:59Z"),
])
def test_a_due_date_in_words(group, lang, said, due):
    h = group(lang)
    say(h, ALICE, f'{MANDATE[lang]} @bob:example.org "Book the room" {DUE[lang]} {said} '
                  "call the town hall first")
    task = h.repo.task("sem", 1)
    assert (task.title, iso(task.due), task.description) == (
        "Book the room", due, "call the town hall first")
    # unquoted, the date ends the title line
    say(h, ALICE, f"{MANDATE[lang]} @bob:example.org Write the minutes {DUE[lang]} {said}")
    task = h.repo.task("sem", 2)
    assert (task.title, iso(task.due)) == ("Write the minutes", due)


def test_the_mandate_reply_echoes_the_day_understood(group):
    h = group("fr")
    rows = say(h, ALICE, '!mandater @bob:example.org "Réserver la salle" échéance 10 décembre')
    assert rows[0]["plain"] == (
        "C'est noté : T-1 « Réserver la salle », responsable @bob:example.org, échéance jeudi "
        "10 décembre 2026. Sans nouvelles, premier rappel le lundi 9 novembre 2026 à 10:00.")


UNCLEAR = {
    "fr": "« 31/02 » ressemble à une date, mais je n'ai pas pu la lire. Vouliez-vous dire une "
          "date ? Écrivez-la comme 16/11/2026 ou 16 novembre.",
    "nl": "'31/02' lijkt op een datum, maar ik kon hem niet lezen. Bedoelde u een datum? Schrijf "
          "hem als 16/11/2026 of 16 november.",
    "en": "'31/02' looks like a date, but I could not read it. Did you mean a date? Write it "
          "like 16/11/2026 or 16 November.",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_words_that_look_like_a_date_but_are_none_are_a_question(group, lang):
    h = group(lang)
    for line in (f'{MANDATE[lang]} @bob:example.org "Book the room" {DUE[lang]} 31/02 agenda',
                 f"{MANDATE[lang]} @bob:example.org Book the room {DUE[lang]} 31/02"):
        assert refused(h, ALICE, line) == UNCLEAR[lang]
    away = {"fr": "!absent jusqu'au 31/02", "nl": "!afwezig tot 31/02", "en": "!away until 31/02"}
    assert refused(h, BOB, away[lang]) == UNCLEAR[lang]


@pytest.mark.parametrize("said, words", [
    ("31/02 agenda", "31/02"), ("le 45 mars Préparer la salle", "le 45 mars"),
    ("10 mai 26 personnes", "10 mai 26"), ("in 3 hours to go", "in 3 hours"),
    ("soon", "soon"), ("", ""),
])
def test_a_date_question_repeats_the_date_words_only(said, words):
    assert date_words(said) == words


def test_more_that_looks_like_a_date_is_asked_about(group):
    h = group()
    for said in ("le 45 mars", "10 mai 26", "in 3 hours", "mardi 10 décembre 2026"):
        plain = refused(h, ALICE, f'!mandate @bob:example.org "X" due {said}')
        assert plain.startswith(f"'{said}") and "looks like a date" in plain, plain
    assert refused(h, BOB, "!away 2 weeks") == (
        "'2 weeks' looks like a date, but I could not read it. Did you mean a date? Write it "
        "like 16/11/2026 or 16 November.")


TWO_READINGS = {
    "fr": "« dans huit jours » peut vouloir dire mardi 10 novembre 2026 ou lundi 9 novembre "
          "2026. Lequel ? Écrivez 10/11/2026 ou 09/11/2026.",
    "nl": "'volgende vrijdag' kan vrijdag 6 november 2026 of vrijdag 13 november 2026 "
          "betekenen. Welke bedoelt u? Schrijf 06/11/2026 of 13/11/2026.",
    "en": "'next friday' can mean Friday 6 November 2026 or Friday 13 November 2026. Which "
          "one? Write 06/11/2026 or 13/11/2026.",
}
TWO_WAYS = {"fr": "dans huit jours", "nl": "volgende vrijdag", "en": "next friday"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_words_that_may_mean_two_days_are_asked_about(group, lang):
    h = group(lang)
    assert refused(h, ALICE, f'{MANDATE[lang]} @bob:example.org "X" {DUE[lang]} '
                             f"{TWO_WAYS[lang]}") == TWO_READINGS[lang]
    away = {"fr": "!absent jusqu'au", "nl": "!afwezig tot", "en": "!away until"}
    assert refused(h, BOB, f"{away[lang]} {TWO_WAYS[lang]}") == TWO_READINGS[lang]


INSIDE_TITLE = {
    "fr": "J'ai lu une échéance (vendredi 6 novembre 2026) au milieu du titre. Mettez le titre "
          "entre guillemets, puis l'échéance, par exemple : !mandater @bob:example.org "
          "\"Vergadering\" échéance 06/11/2026 voorbereiden",
    "nl": "Ik las een deadline (vrijdag 6 november 2026) midden in de titel. Zet de titel tussen "
          "aanhalingstekens, dan de deadline, bijvoorbeeld: !mandateren @bob:example.org "
          "\"Vergadering\" deadline 06/11/2026 voorbereiden",
    "en": "I read a due date (Friday 6 November 2026) inside the title. Put the title in quotes, "
          "then the date, for example: !mandate @bob:example.org \"Vergadering\" due 06/11/2026 "
          "voorbereiden",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_date_inside_an_unquoted_title_is_a_question(group, lang):
    h = group(lang)
    assert refused(h, ALICE, f"{MANDATE[lang]} @bob:example.org Vergadering tegen vrijdag "
                             "voorbereiden") == INSIDE_TITLE[lang]


def test_due_words_in_a_title_that_are_no_date_stay_in_it(group):
    h = group()
    say(h, ALICE, "!mandate @bob:example.org Prepare due diligence for the bank due tomorrow")
    task = h.repo.task("sem", 1)
    assert (task.title, iso(task.due)) == ("Prepare due diligence for the bank",
                                           "2026-11-03T22:59:59Z")
    say(h, ALICE, "!mandate @bob:example.org Pay due 10 bills due friday")
    task = h.repo.task("sem", 2)
    assert (task.title, iso(task.due)) == ("Pay due 10 bills", "2026-11-06T22:59:59Z")
    say(h, ALICE, "!mandate @bob:example.org Actie tegen armoede")
    task = h.repo.task("sem", 3)
    assert (task.title, task.due) == ("Actie tegen armoede", None)
    # after "due" at the end, one word that is no date is a slip: refused, as before
    assert refused(h, ALICE, "!mandate @bob:example.org Write the minutes due someday") == (
        "'someday' is not a date. Example: 2026-12-20.")


@pytest.mark.parametrize("lang, said, back", [
    ("fr", "jusqu'au 20 décembre", "2026-12-20T23:00:00Z"),
    ("fr", "jusqu’au 20/12/2026", "2026-12-20T23:00:00Z"),
    ("fr", "dans 2 semaines", "2026-11-16T23:00:00Z"),
    ("fr", "jusqu'à demain 14h", "2026-11-03T13:00:00Z"),
    ("nl", "tot en met 20 december", "2026-12-20T23:00:00Z"),
    ("nl", "tot vrijdag", "2026-11-06T23:00:00Z"),
    ("en", "until December 20", "2026-12-20T23:00:00Z"),
    ("en", "until 2026-12-20", "2026-12-20T23:00:00Z"),
])
def test_away_until_a_day_in_words(group, lang, said, back):
    h = group(lang)
    word = {"fr": "!absent", "nl": "!afwezig", "en": "!away"}[lang]
    say(h, BOB, f"{word} {said}")
    [period] = h.repo.away_periods(BOB)
    assert iso(period.end_at) == back


@pytest.mark.parametrize("lang", LANGUAGES)
def test_away_refuses_what_follows_the_date(group, lang):
    h = group(lang)
    expected = {
        "fr": "J'ai lu dimanche 20 décembre 2026, mais pas ce qui suit : « pour les vacances ». "
              "Écrivez seulement votre dernier jour d'absence, par exemple : !absent jusqu'au "
              "20/12/2026",
        "nl": "Ik las zondag 20 december 2026, maar niet wat volgt: 'pour les vacances'. Schrijf "
              "alleen uw laatste afwezige dag, bijvoorbeeld: !afwezig tot 20/12/2026",
        "en": "I read Sunday 20 December 2026, but not what follows: 'pour les vacances'. Write "
              "only your last day away, for example: !away until 20/12/2026",
    }
    say(h, BOB, f"!lang {lang}")  # an English command word: answered in the chosen language
    assert refused(h, BOB, "!away until 20 December pour les vacances") == expected[lang]


def test_the_ranges_stay(group):
    h = group()
    assert refused(h, ALICE, '!mandate @bob:example.org "X" due 10 December 2037') == (
        "2037-12-10 is too far ahead: 2036-11-02 at the latest.")
    assert refused(h, ALICE, '!mandate @bob:example.org "X" due 9999-12-30') == (
        "9999-12-30 is too far ahead: 2036-11-02 at the latest.")
    assert refused(h, ALICE, '!mandate @bob:example.org "X" due 01/10/2026') == (
        "The due date 2026-10-01 has already passed: choose a date to come.")
    assert refused(h, BOB, "!away until 20 December 2027") == (
        "2027-12-20 is too far ahead: 2027-11-02 at the latest.")
    assert refused(h, BOB, "!away until 01/11/2026") == (
        "2026-11-01 has already passed: give the date of your last day away (example: !away "
        "until 2026-12-20).")
