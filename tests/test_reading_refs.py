"""Proposals and tasks named as people name them (issue 9 item 4): in any form of their id,
or by name, in every command that takes one; a name never eats the reason after it; an
unknown id gets the nearest one; what may mean two things is a question.

Every refusal is asserted word for word, and shown to change nothing.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.messages import LANGUAGES
from tests.harness import ALICE, BOB, CAROL, DAN, STRANGER
from tests.reading import everything, refused, reply, say, two_proposals

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
