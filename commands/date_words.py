"""The words due dates are written with, in French, Dutch and English (folded: lowercase, no
accents), and the shapes of numbers and dates: the vocabulary ``dates`` reads with."""

from __future__ import annotations

import re


# --- vocabulary (folded: lowercase, no accents) ---------------------------------------------

MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
    "janvier janv jan januari january",
    "fevrier fevr fev februari feb february",
    "mars mar maart mrt march",
    "avril avr april apr",
    "mai mei may",
    "juin juni jun june",
    "juillet juil juli jul july",
    "aout augustus aug august",
    "septembre sept sep september",
    "octobre oct oktober okt october",
    "novembre nov november",
    "decembre dec december",
), start=1):
    for _name in _names.split():
        MONTHS[_name] = _number

# Monday is 0, as date.weekday() counts.
WEEKDAYS: dict[str, int] = {}
# Read alone as well as before a date: full names and abbreviations that are no other word
# a due date could start with.
for _number, _names in enumerate((
    "lundi maandag monday lun mon",
    "mardi dinsdag tuesday tue tues",
    "mercredi woensdag wednesday mer wed",
    "jeudi donderdag thursday jeu thu thur thurs",
    "vendredi vrijdag friday ven fri",
    "samedi zaterdag saturday sam sat",
    "dimanche zondag sunday dim sun",
)):
    for _name in _names.split():
        WEEKDAYS[_name] = _number
# Read only before the date they must agree with: French ``mar.`` is also March, and the
# Dutch two-letter abbreviations are common words (``do``, ``ma``, ``zo``).
DATED_WEEKDAYS: dict[str, int] = dict(WEEKDAYS)
DATED_WEEKDAYS.update({"mar": 1, "ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6})

NUMBER_WORDS: dict[str, int] = {}
for _language in (
    "un:1 une:1 deux:2 trois:3 quatre:4 cinq:5 six:6 sept:7 huit:8 neuf:9 dix:10 onze:11 "
    "douze:12 quinze:15",
    "een:1 twee:2 drie:3 vier:4 vijf:5 zes:6 zeven:7 acht:8 negen:9 tien:10 elf:11 "
    "twaalf:12 veertien:14",
    "a:1 an:1 one:1 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 "
    "eleven:11 twelve:12",
):
    for _pair in _language.split():
        _word, _value = _pair.split(":")
        NUMBER_WORDS[_word] = int(_value)

DAY_UNITS = {"jour", "jours", "j", "dag", "dagen", "day", "days"}
WEEK_UNITS = {"semaine", "semaines", "sem", "week", "weken", "weeks", "wk"}
MONTH_UNITS = {"mois", "maand", "maanden", "month", "months"}
YEAR_UNITS = {"an", "ans", "annee", "annees", "jaar", "jaren", "year", "years"}
# Spans a due date cannot be counted in: they only make words look like a date.
CLOCK_UNITS = {"heure", "heures", "h", "uur", "u", "hour", "hours", "hr", "hrs", "minute",
                "minutes", "min", "mins", "minuut", "minuten"}
ALL_UNITS = DAY_UNITS | WEEK_UNITS | MONTH_UNITS | YEAR_UNITS | CLOCK_UNITS

SPAN_PREFIXES = {"dans", "over", "in", "binnen", "within", "d'ici"}
LEAD = {"le", "the", "on", "op", "by", "tegen", "pour", "d'ici", "uiterlijk", "de",
         "until", "till", "jusqu'au", "jusqu'a", "tot"}
ARTICLES = {"le", "the", "de"}
NEXT = {"next", "prochain", "prochaine", "volgende"}
COMING = {"this", "ce", "cette", "deze", "aanstaande", "komende", "coming"}
TODAY = {"aujourd'hui", "aujourdhui", "vandaag", "today", "tonight", "vanavond"}
TOMORROW = {"demain", "morgen", "tomorrow"}
AFTER_TOMORROW = {"apres-demain", "overmorgen"}
END = {"fin", "end", "eind", "einde"}
END_LINKS = {"du", "de", "of", "the", "van", "la", "le", "d'"}
TIME_LINKS = {"a", "om", "at", "@"}
HOUR_WORDS = {"h", "u", "uur", "heure", "heures"}
MERIDIEM = {"am", "pm", "a.m", "p.m"}

ORDINAL = r"(?:st|nd|rd|th|er|re|e|eme|de|ste)"
DAY = re.compile(rf"(\d{{1,2}})({ORDINAL})?")
YEAR = re.compile(r"\d{4}")
NUMBER = re.compile(r"\d{1,3}")
DMY = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})(?:\2(\d{4}|\d{2}))?")
YMD = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})")
CLOCK = re.compile(r"(\d{1,2})(?::(\d{2})|h(\d{2})?|u(\d{2})?)")
DOT_CLOCK = re.compile(r"(\d{1,2})\.(\d{2})")
AMPM = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm|a\.m|p\.m)")
DATEISH = re.compile(r"\d{1,4}[/.\-]\d{1,4}(?:[/.\-]\d{1,4})?")
NUMBERISH = re.compile(rf"\d{{1,4}}(?:{ORDINAL}|[h:u]\d{{0,2}})?")

OPENING = "([{<«‹“‘„\"'"
CLOSING = ")]}>»›”’\"',;:!?…"
