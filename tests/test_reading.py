"""Reading what people type forgivingly, never guessing (issue 9 items 4, 7 and 11).

Item 4: a proposal or a task named in any form of its id, or by name, in every command that
takes one; a name never eats the reason after it; an unknown id gets the nearest one; a
command word that is a slip of one the caller may use gets "did you mean…?".
Item 7: what the bot writes in a language (roles, states, list filters, setting values,
durations, dates in words) is understood back in it; a date that may mean two days, or looks
like one but cannot be read, is a question.
Item 11: a task mandated twice to one lead is said; a name without letters is refused with an
example.

Every refusal is asserted word for word in the three languages, and shown to change nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.dates import date_words
from commands.messages import CATALOG, LANGUAGES
from commands.render import text
from commands.settings import LANGUAGE_NAMES
from commands.timefmt import duration_text, parse_duration, show_duration
from storage.timestamps import iso
from tests.harness import ALICE, BOB, CAROL, DAN, STRANGER, Harness

TASK_TABLES = ("tasks", "task_events", "acks", "away")


@pytest.fixture
def group(tmp_path):
    """A harness per language, made on demand: ``group("fr")``."""
    made: dict[str, Harness] = {}

    def make(lang: str = "en") -> Harness:
        h = Harness(str(tmp_path / f"reading-{len(made)}.db"), language=lang)
        made[f"{lang}{len(made)}"] = h
        return h

    yield make
    for h in made.values():
        h.close()


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


# --- item 4: ids in every form, in every command that takes one ------------------------------

PROPOSAL_FORMS = ["C-2", "c-2", "C2", "c2", "C 2", "c - 2", "#2", "# 2", "C-2:", "C-2.", "C2,",
                  "(C-2)", "«C-2»", "C–2", "C-02", "2", "2.", "Ｃ２"]


@pytest.mark.parametrize("form", PROPOSAL_FORMS)
def test_a_proposal_in_any_form_of_its_id(group, form):
    h = group()
    two_proposals(h)
    assert reply(h, STRANGER, f"!status {form}").startswith("C-2 — Repair Café: open\n")
    rows = say(h, BOB, f"!object {form} not an organisation")
    assert rows[0]["plain"] == ("Your objection to C-2 is recorded. You can withdraw it with "
                                "!withdraw C-2.")
    # the id, whatever its form, is never part of the reason
    [objection] = h.repo.objections("sem:C-2")
    assert objection.reason == "not an organisation"
    assert h.state(1) == "open" and h.state(2) == "contested"
    rows = say(h, DAN, f"!support {form} we know them")
    assert rows[0]["plain"].startswith("Your support for C-2 is recorded")
    assert [s.comment for s in h.repo.supports("sem:C-2")] == ["we know them"]


@pytest.mark.parametrize("form", ["T-1", "t1", "T 1", "#1", "T-1:", "T1,", "(T-1).", "1"])
def test_a_task_in_any_form_of_its_id(group, form):
    h = group()
    say(h, ALICE, '!mandate @bob:example.org "Book the room"')
    assert reply(h, BOB, f"!update {form} the hall is free").startswith("Thanks, noted for T-1.")
    assert h.repo.task_events("sem:T-1")[-1].text == "the hall is free"
    assert reply(h, STRANGER, f"!status {form}").startswith("T-1 — Book the room: open")


def test_an_id_of_the_other_kind_is_not_taken(group):
    h = group()
    two_proposals(h)
    say(h, ALICE, '!mandate @bob:example.org "Book the room"')
    assert refused(h, BOB, "!object T-1 no") == (
        "'T-1' is not a proposal number. Write its number, like C-3, or the organisation's "
        "name in quotes.")
    assert refused(h, BOB, "!update C-1 done") == (
        "'C-1' is not a task number. Write its number, like T-2, or its title in quotes.")


# --- item 4: an unknown id names the nearest one ------------------------------------------------

UNKNOWN_PROPOSAL = {
    "fr": "Il n'y a pas de proposition C-9 dans ce groupe. Vouliez-vous dire C-2 (Repair Café) ? "
          "Tapez !liste toutes pour les voir.",
    "nl": "Er is geen voorstel C-9 in deze groep. Bedoelde u C-2 (Repair Café)? Typ !lijst alle "
          "om ze te zien.",
    "en": "There is no proposal C-9 in this group. Did you mean C-2 (Repair Café)? Type !list "
          "all to see them.",
}
UNKNOWN_TASK = {
    "fr": "Il n'y a pas de tâche T-4 dans ce groupe. Vouliez-vous dire T-1 (Book the room) ? "
          "Tapez !tâches toutes pour les voir.",
    "nl": "Er is geen taak T-4 in deze groep. Bedoelde u T-1 (Book the room)? Typ !taken alle "
          "om ze te zien.",
    "en": "There is no task T-4 in this group. Did you mean T-1 (Book the room)? Type !tasks "
          "all to see them.",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unknown_id_suggests_the_closest(group, lang):
    h = group(lang)
    two_proposals(h, lang)
    say(h, ALICE, '!mandate @bob:example.org "Book the room"')
    say(h, BOB, f"!lang {lang}")  # English command words: answered in the group's language
    for line in ("!status C-9", "!object C-9 no", "!support c9", "!withdraw #9", "!object 9 no"):
        assert refused(h, BOB, line) == UNKNOWN_PROPOSAL[lang], line
    for line in ("!status T-4", "!update T 4 news", "!done 4"):
        assert refused(h, BOB, line) == UNKNOWN_TASK[lang], line


def test_an_unknown_id_in_an_empty_group_says_how_to_see_them(group):
    h = group()
    assert refused(h, BOB, "!status C-3") == (
        "There is no proposal C-3 in this group. Type !list to see them.")
    assert refused(h, BOB, "!status 3") == (
        "There is no proposal or task number 3 in this group. Type !list all or !tasks all to "
        "see them.")
    two_proposals(h)
    say(h, ALICE, '!mandate @bob:example.org "Book the room"')
    assert refused(h, BOB, "!status #7") == (
        "There is no proposal or task number 7 in this group. The nearest: C-2 (Repair Café), "
        "T-1 (Book the room).")


def test_hash_or_bare_number_on_status_when_both_exist_is_a_question(group):
    h = group()
    two_proposals(h)
    say(h, ALICE, '!mandate @bob:example.org "Book the room"')
    assert refused(h, BOB, "!status 1") == "'1' could be C-1 or T-1: say which."
    assert reply(h, BOB, "!status 2").startswith("C-2 — Repair Café")
    assert refused(h, BOB, "!status C-1 please") == (
        "I did not understand 'please'. Syntax: !status C-n|T-n")


# --- item 4: names ----------------------------------------------------------------------------

SEVERAL = {
    "fr": "« repair » peut désigner plusieurs : C-1 Repair Together, C-2 Repair Café. Écrivez le "
          "numéro de celle que vous voulez dire, par exemple : !statut C-1",
    "nl": "'repair' kan meerdere aanduiden: C-1 Repair Together, C-2 Repair Café. Schrijf het "
          "nummer van degene die u bedoelt, bijvoorbeeld: !status C-1",
    "en": "'repair' could be several: C-1 Repair Together, C-2 Repair Café. Write the number of "
          "the one you mean, for example: !status C-1",
}
STATUS = {"fr": "!statut", "nl": "!status", "en": "!status"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_status_by_the_candidates_name(group, lang):
    h = group(lang)
    two_proposals(h, lang)
    head = reply(h, STRANGER, f"{STATUS[lang]} Repair Together").split("\n")[0]
    assert head == {"fr": "C-1 — Repair Together : ouvert", "nl": "C-1 — Repair Together: open",
                    "en": "C-1 — Repair Together: open"}[lang]
    # compared as names are: case, accents, spaces and punctuation aside; partly, if only one
    for name in ("repair cafe", "REPAIR-CAFÉ.", "« Repair Café »", "café"):
        assert reply(h, STRANGER, f"{STATUS[lang]} {name}").startswith("C-2 — Repair Café")
    assert refused(h, STRANGER, f"{STATUS[lang]} repair") == SEVERAL[lang]


def test_status_by_a_tasks_title_when_no_candidate_has_it(group):
    h = group()
    two_proposals(h)
    say(h, ALICE, '!mandate @bob:example.org "Book the room"')
    assert reply(h, STRANGER, "!status book the room").startswith("T-1 — Book the room: open")
    assert refused(h, STRANGER, "!status Les Amis du Compost") == (
        "'Les Amis du Compost' is neither a proposal (C-3) nor a task (T-2), nor the name of "
        "one. Type !list all or !tasks all to see them.")


NAME_BEFORE_REASON = {
    "fr": "Vouliez-vous dire C-1 (Repair Together) ? Devant un texte, écrivez le numéro (ou le "
          "nom entre guillemets) : !objection C-1 ce n'est pas une organisation",
    "nl": "Bedoelde u C-1 (Repair Together)? Vóór een tekst schrijft u het nummer (of de naam "
          "tussen aanhalingstekens): !bezwaar C-1 ce n'est pas une organisation",
    "en": "Did you mean C-1 (Repair Together)? Before a text, write the number (or the name in "
          "quotes): !object C-1 ce n'est pas une organisation",
}
OBJECT = {"fr": "!objection", "nl": "!bezwaar", "en": "!object"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_name_never_swallows_the_reason(group, lang):
    h = group(lang)
    two_proposals(h, lang)
    # unquoted, the name would run into the reason: asked, with the command to type instead
    assert refused(h, BOB, f"{OBJECT[lang]} Repair Together ce n'est pas une organisation") \
        == NAME_BEFORE_REASON[lang]
    # quoted, it is read, and the reason is all that follows
    say(h, BOB, f'{OBJECT[lang]} "Repair Together" ce n\'est pas une organisation')
    [objection] = h.repo.objections("sem:C-1")
    assert objection.reason == "ce n'est pas une organisation"
    # an id written in two words is the id, and the rest the reason
    say(h, CAROL, f"{OBJECT[lang]} C 2 raison")
    assert [o.reason for o in h.repo.objections("sem:C-2")] == ["raison"]


def test_a_quoted_part_of_a_name_that_fits_several_is_a_question(group):
    h = group()
    two_proposals(h)
    assert refused(h, DAN, '!support "repair" good people') == (
        "'repair' could be several: C-1 Repair Together, C-2 Repair Café. Write the number of "
        "the one you mean, for example: !support C-1 good people")
    assert refused(h, DAN, '!support "Les Amis" good people') == (
        "No proposal is called 'Les Amis'. Write its number (like C-3); type !list all to see "
        "them.")


def test_a_name_where_only_words_follow_needs_no_quotes(group):
    h = group()
    two_proposals(h)
    rows = say(h, ALICE, "!withdraw Repair Café proposal")
    assert rows[0]["plain"] == "C-2 is withdrawn."
    assert h.state(2) == "withdrawn" and h.state(1) == "open"
    say(h, ALICE, '!mandate @bob:example.org "Book the room"')
    rows = say(h, BOB, "!handover Book the room @carol:example.org")
    assert rows[0]["plain"] == "T-1 is handed over to @carol:example.org."
    rows = say(h, CAROL, '!snooze "book the room" 2d')
    assert rows[0]["plain"].startswith("No reminder for T-1 before")


def test_a_name_given_again_is_the_running_one_for_a_command_that_acts(group):
    h = group()
    say(h, ALICE, '!propose "Repair Together" they fix things')
    say(h, ALICE, "!withdraw C-1")
    say(h, ALICE, '!propose "Repair Together" again, with a better reason')
    say(h, BOB, '!object "Repair Together" still no')
    assert h.state(1) == "withdrawn" and h.state(2) == "contested"
    # only to look at it, both are meant: a question
    assert refused(h, STRANGER, "!status Repair Together") == (
        "'Repair Together' could be several: C-1 Repair Together, C-2 Repair Together. Write "
        "the number of the one you mean, for example: !status C-1")


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


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.sampled_from(["C-2", "C 2", "c2", "#2", "2", "C-2:", "(C-2)", '"Repair Café"']),
       reason=st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                      min_size=1, max_size=40))
def test_whatever_the_reason_the_id_is_never_part_of_it(group, form, reason):
    """Any id form or quoted name, any reason: the reason is stored as typed (trimmed), on C-2,
    or the command is refused and nothing changes."""
    h = group()
    two_proposals(h)
    before = everything(h)
    rows = say(h, BOB, f"!object {form} {reason}")
    objections = h.repo.objections("sem:C-2")
    if objections:
        assert objections[0].reason == reason.strip()
    else:
        assert len(rows) == 1 and everything(h) == before
    h.close()


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


# --- item 7: due dates and absences in words ----------------------------------------------------
# The clock starts on Monday 2 November 2026 at 10:00 in Brussels.

MANDATE = {"fr": "!mandater", "nl": "!mandateren", "en": "!mandate"}
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
