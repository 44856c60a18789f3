"""Mistakes caught (issue 9 item 11): a second running task with the same title for the same
lead is said (and the advice given works); a name without letters or digits is refused
with an example.

Every refusal is asserted word for word, and shown to change nothing.
"""

from __future__ import annotations

import pytest

from commands.messages import LANGUAGES
from tests.harness import ALICE, BOB
from tests.reading import MANDATE, PROPOSE, refused, say

# --- item 11: mistakes caught --------------------------------------------------------------------

TWIN = {
    "fr": "C'est noté : T-2 « réserver la salle. », responsable @bob:example.org. Sans nouvelles, "
          "premier rappel le lundi 9 novembre 2026 à 10:00. Attention : T-1 a déjà ce titre "
          "pour @bob:example.org ; si c'est la même tâche, !abandonner T-2 doublon",
    "nl": "Genoteerd: T-2 'réserver la salle.', trekker @bob:example.org. Zonder nieuws volgt "
          "een eerste herinnering op maandag 9 november 2026 om 10:00. Let op: T-1 heeft al "
          "deze titel voor @bob:example.org; als het dezelfde taak is: !schrappen T-2 dubbel",
    "en": "Noted: T-2 'réserver la salle.', led by @bob:example.org. Without news, a first "
          "reminder comes on Monday 9 November 2026 at 10:00. Careful: T-1 already has this "
          "title for @bob:example.org; if it is the same task, !drop T-2 duplicate",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_second_running_task_with_the_same_title_for_the_same_lead_is_said(group, lang):
    h = group(lang)
    say(h, ALICE, f'{MANDATE[lang]} @bob:example.org "Réserver la salle"')
    rows = say(h, ALICE, f'{MANDATE[lang]} @bob:example.org "réserver la salle."')
    assert rows[0]["plain"] == TWIN[lang]
    assert h.repo.task("sem", 2).title == "réserver la salle."  # still made
    # the advice, typed as given, works: the duplicate goes, the first stays
    advice = TWIN[lang].rsplit(", ", 1)[1] if lang != "nl" else TWIN[lang].rsplit(": ", 1)[1]
    say(h, BOB, advice)
    assert (h.repo.task("sem", 1).state, h.repo.task("sem", 2).state) == ("open", "dropped")


def test_no_twin_warning_for_another_lead_or_a_closed_task(group):
    h = group()
    say(h, ALICE, '!mandate @bob:example.org "Book the room"')
    rows = say(h, ALICE, '!mandate @carol:example.org "Book the room"')
    assert "Careful" not in rows[0]["plain"]
    say(h, BOB, "!done T-1")
    rows = say(h, ALICE, '!mandate @bob:example.org "Book the room"')
    assert "Careful" not in rows[0]["plain"]


NO_LETTERS = {
    "fr": "« !!! » n'est pas un nom : il faut au moins une lettre ou un chiffre. Exemple : "
          "!coopter \"Repair Together\" ils réparent avec nous",
    "nl": "'!!!' is geen naam: er is minstens één letter of cijfer nodig. Voorbeeld: "
          "!voordragen \"Repair Together\" ze herstellen samen met ons",
    "en": "'!!!' is not a name: it needs at least one letter or digit. Example: !propose "
          "\"Repair Together\" they repair things with us",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_name_without_letters_or_digits_is_refused_with_an_example(group, lang):
    h = group(lang)
    assert refused(h, ALICE, f'{PROPOSE[lang]} "!!!" because') == NO_LETTERS[lang]
    assert refused(h, ALICE, f"{PROPOSE[lang]} \u200b — because").startswith(
        {"fr": "Il manque le nom", "nl": "De naam", "en": "The name"}[lang])
