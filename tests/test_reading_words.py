"""Words read back (issue 9 items 4 and 7): a command word that is a slip of one the caller
may use gets "did you mean…?" (item 4); what the bot writes in a language (roles, states,
list filters, setting values, durations) is understood back in it (item 7).

Every refusal is asserted word for word, and shown to change nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from commands.messages import CATALOG, LANGUAGES
from commands.render import text
from commands.settings import LANGUAGE_NAMES
from commands.timefmt import duration_text, parse_duration, show_duration
from tests.harness import ALICE, BOB, DAN, STRANGER
from tests.reading import refused, reply, say, two_proposals

# --- item 4: command words ----------------------------------------------------------------------

NOT_YOURS = {
    "fr": "Vouliez-vous dire !membres ? (!membre : Cette commande est réservée au rôle « admin » "
          "(@alice:example.org) : demandez-leur. Ce que vous pouvez faire : !aide)",
    "nl": "Bedoelde u !leden? (!lid: Dit commando is voorbehouden aan de rol 'admin' "
          "(@alice:example.org): vraag het hun. Wat u kunt doen: !hulp)",
    "en": "Did you mean !members? (!member: This command is reserved for the 'admin' role "
          "(@alice:example.org): ask them. What you can do: !help)",
}
SLIP = {
    "fr": "Je ne connais pas la commande « tahces ». Vouliez-vous dire !tâches ? Tapez !aide pour "
          "la liste.",
    "nl": "Ik ken het commando 'lijts' niet. Bedoelde u !lijst? Typ !hulp voor de lijst.",
    "en": "I don't know the command 'stauts'. Did you mean !status? Type !help for the list.",
}
SLIPPED = {"fr": "!tahces", "nl": "!lijts", "en": "!stauts"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_command_word_close_to_one_the_caller_may_use(group, lang):
    h = group(lang)
    typed = {"fr": "!membre suspend dewey", "nl": "!lid suspend dewey",
             "en": "!member suspend dewey"}[lang]
    if lang == "nl":  # "lid" is one slip from nothing a member may use: no question then
        assert refused(h, DAN, typed) == ("Dit commando is voorbehouden aan de rol 'admin' "
                                          "(@alice:example.org): vraag het hun. Wat u kunt "
                                          "doen: !hulp")
    else:
        assert refused(h, DAN, typed) == NOT_YOURS[lang]
    assert refused(h, DAN, SLIPPED[lang]) == SLIP[lang]


def test_only_commands_the_caller_may_use_are_suggested(group):
    h = group()
    # "objet" is a slip of "object", which a stranger may not use: no suggestion for them
    assert refused(h, STRANGER, "!objet C-1 no") == (
        "I don't know the command 'objet'. Type !help for the list.")
    assert refused(h, BOB, "!objet C-1 no") == (
        "I don't know the command 'objet'. Did you mean !object? Type !help for the list.")
    # two words of one command as close are still one answer; of two commands, none
    assert refused(h, BOB, "!statu C-1").startswith(
        "I don't know the command 'statu'. Did you mean !status?")
    assert refused(h, BOB, "!hlp") == ("I don't know the command 'hlp'. Did you mean !help? "
                                       "Type !help for the list.")
    fr = group("fr")
    assert refused(fr, BOB, "!statu C-1").startswith(
        "Je ne connais pas la commande « statu ». Vouliez-vous dire !statut ?")


# --- item 7: every word the bot shows is understood back -----------------------------------------

def _words(prefix: str) -> list[tuple[str, str, str]]:
    """(key, language, word) for every catalog key under ``prefix``."""
    return [(key, lang, words[lang]) for key, words in sorted(CATALOG.items())
            if key.startswith(prefix + ".") for lang in LANGUAGES]


# role.* keys that name no role one holds: who may use a command ("the task's lead", "member
# representative"), and the verbs of a sentence ("holds"). Any other role.* key must be a
# role that !role grants, and then it is tested below.
NOT_ROLES = {"role.decide", "role.holds", "role.lacks", "role.lead", "role.lead_or_core",
             "role.mandate", "role.representative"}


def test_every_role_word_the_bot_shows_grants_that_role(group):
    h = {lang: group(lang) for lang in LANGUAGES}
    command = {"fr": "!rôle donner", "nl": "!rol toekennen", "en": "!role grant"}
    revoke = {"fr": "!rôle retirer", "nl": "!rol afnemen", "en": "!role revoke"}
    tested = set()
    for key, lang, word in _words("role"):
        if key in NOT_ROLES:
            continue
        role = key.split(".", 1)[1]
        say(h[lang], ALICE, f"{command[lang]} {word} @dan:example.org")
        assert h[lang].repo.has_role("sem", DAN, role), (key, lang, word)
        say(h[lang], ALICE, f"{revoke[lang]} {word} @dan:example.org")
        assert not h[lang].repo.has_role("sem", DAN, role), (key, lang, word)
        tested.add(role)
    assert tested == {"admin", "core", "registrar"}


LIST = {"fr": "!liste", "nl": "!lijst", "en": "!list"}
TASKS = {"fr": "!tâches", "nl": "!taken", "en": "!tasks"}


def test_every_state_and_filter_word_the_bot_shows_filters_the_list(group):
    """``which.*`` (the list's filters) and ``state.*`` (a proposal's state, as !list and
    !status write it) each give the list of that state; ``state.active`` is what the bot
    calls the default list."""
    h = {lang: group(lang) for lang in LANGUAGES}
    for key, lang, word in _words("which") + _words("state"):
        value = key.split(".", 1)[1]
        label = text(lang, "state.active") if value == "active" else text(lang, f"which.{value}")
        expected = text(lang, "list.empty", which=label, prefix="!")
        assert reply(h[lang], STRANGER, f"{LIST[lang]} {word}") == expected, (key, lang, word)


def test_every_task_state_and_filter_word_the_bot_shows_filters_the_tasks(group):
    """``tasks.which.*`` and ``tstate.*``; ``tstate.open`` ("en cours", "lopend") is the word
    the bot also uses for the running tasks, the default list."""
    h = {lang: group(lang) for lang in LANGUAGES}
    for key, lang, word in _words("tasks.which") + _words("tstate"):
        value = key.rsplit(".", 1)[1]
        value = "active" if key == "tstate.open" else value
        expected = text(lang, "tasks.empty", which=text(lang, f"tasks.which.{value}"), prefix="!")
        assert reply(h[lang], STRANGER, f"{TASKS[lang]} {word}") == expected, (key, lang, word)


def test_a_members_status_word_sets_that_status(group):
    h = {lang: group(lang) for lang in LANGUAGES}
    command = {"fr": "!membre", "nl": "!lid", "en": "!member"}
    for key, lang, word in _words("member"):
        status = key.split(".", 1)[1]
        if status == "active":
            say(h[lang], ALICE, f"{command[lang]} suspend financite")
        say(h[lang], ALICE, f"{command[lang]} {word} financite")
        assert h[lang].repo.member("sem", "financite").status == status, (key, lang, word)
        say(h[lang], ALICE, f"{command[lang]} reinstate financite")


def test_filters_as_people_say_them(group):
    h = group("fr")
    two_proposals(h, "fr")
    say(h, BOB, "!objection C-2 non")
    assert reply(h, STRANGER, "!liste contesté").split("\n")[:2] == [
        "Propositions (contestées) :", "C-2 Repair Café — contesté, échéance samedi 7 novembre "
        "2026 à 10:00"]
    # the French example of !aide liste says "tout"
    assert reply(h, STRANGER, "!liste tout").startswith("Propositions (toutes) :")
    assert reply(h, STRANGER, "!liste Ouvertes.").startswith("Propositions (ouvertes) :")
    assert reply(h, STRANGER, "!tâches a l'arret") == (
        "Aucune tâche (à l'arrêt). Pour en confier une : !mandater @personne \"Titre\"")


def test_setting_values_as_the_bot_writes_them(group):
    h = group("fr")
    for word in CATALOG["role.core"].values():
        say(h, ALICE, "!config set who_may_mandate membres")
        assert h.engine.group("sem").settings.who_may_mandate == "members"
        say(h, ALICE, f"!config set who_may_mandate {word}")
        assert h.engine.group("sem").settings.who_may_mandate == "core", word
    say(h, ALICE, "!config set who_may_mandate membres")
    say(h, ALICE, "!config set who_may_mandate Groupe Coeur")  # typed without the ligature
    assert h.engine.group("sem").settings.who_may_mandate == "core"
    say(h, ALICE, "!rôle donner groupe coeur @dan:example.org")
    assert h.repo.has_role("sem", DAN, "core")
    rows = say(h, ALICE, "!config set quiet_hours aucune")
    assert rows[0]["plain"] == "@alice:example.org a changé le réglage quiet_hours : off."
    rows = say(h, ALICE, "!config set silence_window 1 jour et 12 heures")
    assert rows[0]["plain"] == ("@alice:example.org a changé le réglage silence_window : 36h. "
                                "Cela vaut pour les nouvelles propositions ; celles en cours "
                                "gardent les règles de leur ouverture.")
    for code, names in LANGUAGE_NAMES.items():
        for name in names:
            say(h, ALICE, f"!lang group {name}")
            assert h.engine.group("sem").settings.language == (code,), name
            say(h, BOB, f"!lang {name}")
            assert h.repo.language_of(BOB) == code, name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_duration_the_bot_writes_reads_back(lang):
    for seconds in (1, 60, 120, 3600, 36 * 3600, 86400, 5 * 86400, 7 * 86400, 17 * 86400,
                    14 * 86400, 90 * 60, 3 * 86400 + 4 * 3600):
        delta = timedelta(seconds=seconds)
        assert parse_duration(show_duration(delta, lang)) == delta, show_duration(delta, lang)
    assert duration_text(parse_duration("2 semaines")) == "2w"


def test_snooze_in_words(group):
    h = group("nl")
    say(h, ALICE, '!mandateren @bob:example.org "De zaal boeken"')
    rows = say(h, BOB, "!uitstellen T-1 2 weken")
    assert rows[0]["plain"] == ("Geen herinnering voor T-1 vóór maandag 16 november 2026 om "
                                "10:00. Volgende herinnering zonder nieuws: maandag 16 november "
                                "2026 om 10:00.")
    too_long = {"fr": "!reporter T-1 3 semaines", "nl": "!uitstellen T-1 3 weken"}
    assert refused(h, BOB, too_long["nl"]) == (
        "Uitstel geweigerd: 3 weken is meer dan het maximum van de groep (2 weken).")
    assert refused(h, BOB, "!uitstellen T-1") == "Er ontbreekt iets. Syntaxis: !uitstellen T-n duur"
