"""commands/refs.py: ids as people type them, and the "did you mean…?" helpers (issue 9)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from commands.parsing import fold, name_key
from commands.refs import (
    PROPOSAL,
    TASK,
    Ref,
    closest,
    did_you_mean,
    match_name,
    parse_ref,
    read_ref,
    take_ref,
)
from commands.table import COMMANDS

# --- read_ref: the forms that read --------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "C-2", "c-2", "C2", "c2", "C 2", "c 2", "#2", "# 2", "C-02", "c-002", "C - 2", "C- 2",
    "C–2", "C—2", "C‑2", "C−2",           # dashes a phone or a word processor puts
    "C-2:", "C-2.", "C2,", "C-2;", "C-2!", "C-2?", "C-2?!", "C-2…", "C-2...",
    "(C-2)", "[C-2]", "{c2}", "<C-2>", "«C-2»", "« C-2 »", '"C-2"', "'C-2'", "“C-2”",
    "(C-2).", "(C-2),", "C-2)",                     # unbalanced: still C-2
    "  C-2  ", "Ｃ２", "Ｃ－２", "C\u200b-2", "\u200eC-2", "C-2\u2060",
    "2", "02", "(2)", "2.", "#002",
])
def test_a_proposal_id_in_any_of_its_forms_reads_as_its_number(text):
    assert read_ref(text, "C") == 2


@pytest.mark.parametrize("text", ["T-2", "t2", "T 2", "#2", "(T-2)", "T-02:", "2"])
def test_a_task_id_reads_with_the_task_prefix(text):
    assert read_ref(text, "T") == 2


@pytest.mark.parametrize("text", [
    "C-2a", "C-2-3", "C-2/3", "C-2.5", "C2b", "C-2_", "CC-2", "C--2", "C-", "C", "#", "-2",
    "+2", "2a", "a2", "X-2", "P-2", "C#2", "C-二", "C-٢", "2024", "1200", "0002024",
    "C 2 3", "C-2 C-3", "", "   ", "C-1234567890", "#1234567890", "c-2'a",
])
def test_what_is_not_a_proposal_id(text):
    assert read_ref(text, "C") is None


def test_another_kind_is_never_read_as_this_one():
    assert read_ref("T-2", "C") is None
    assert read_ref("C-2", "T") is None
    assert read_ref("t2", PROPOSAL) is None
    assert read_ref("c2", TASK) is None


def test_a_bare_number_is_the_callers_to_allow():
    assert read_ref("2", "C") == 2
    assert read_ref("2", "C", bare=False) is None
    assert read_ref("#2", "C", bare=False) == 2          # '#' is a mark, not a bare number
    assert read_ref("C-2", "C", bare=False) == 2


def test_a_year_alone_is_no_id_but_with_its_prefix_it_is():
    assert read_ref("2024", "C") is None
    assert read_ref("999", "C") == 999
    assert read_ref("C-2024", "C") == 2024
    assert read_ref("#2024", "C") == 2024
    assert read_ref("C-123456789", "C") == 123456789


def test_parse_ref_says_which_kind_and_whether_bare():
    assert parse_ref("(c-3).") == Ref("C", 3, False)
    assert parse_ref("t 12") == Ref("T", 12, False)
    assert parse_ref("#7") == Ref(None, 7, False)
    assert parse_ref("7") == Ref(None, 7, True)
    assert parse_ref("x7") is None
    assert str(parse_ref("c3")) == "C-3"
    assert str(parse_ref("#3")) == "#3"


def test_zero_reads_so_the_caller_can_say_it_does_not_exist():
    assert read_ref("C-0", "C") == 0


# --- take_ref: an id at the start of a command's text ---------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("C-2 because it is late", (2, "because it is late")),
    ("C 2 because it is late", (2, "because it is late")),
    ("c - 2 parce que", (2, "parce que")),
    ("# 2 omdat", (2, "omdat")),
    ("(C-2): reason", (2, "reason")),
    ("C-2", (2, "")),
    ("C-2 3 things", (2, "3 things")),
    ("2 3", (2, "3")),
    ("C-2\nline two", (2, "\nline two")),
])
def test_take_ref_reads_the_id_and_keeps_the_rest(text, expected):
    assert take_ref(text, "C") == expected


@pytest.mark.parametrize("text", ["T 2 reason", "because C-2", "C-2a reason", "", "C", "2024 x"])
def test_take_ref_takes_nothing_that_is_not_an_id_at_the_start(text):
    assert take_ref(text, "C") is None


def test_take_ref_bare_numbers_only_if_allowed():
    assert take_ref("2 reason", "C", bare=False) is None
    assert take_ref("#2 reason", "C", bare=False) == (2, "reason")


# --- closest ------------------------------------------------------------------------------------


def test_closest_is_the_nearest_existing_number():
    assert closest(7, [1, 2, 3, 9]) == 9
    assert closest(5, [1, 2, 3, 9]) == 3
    assert closest(0, [4, 5]) == 4
    assert closest(100, [1, 2, 3]) == 3


def test_closest_on_a_tie_is_the_most_recent():
    assert closest(5, [4, 6]) == 6
    assert closest(5, [6, 4]) == 6


def test_closest_of_an_existing_number_is_itself_and_of_nothing_is_none():
    assert closest(3, [1, 3, 5]) == 3
    assert closest(3, []) is None


# --- match_name ---------------------------------------------------------------------------------

CANDIDATES = {
    1: "La Ferme du Chant",
    2: "Ferme Nos Pilifs",
    3: "Repair Together",
    4: "Repair Together Brussels",
    5: "Réseau Transition",
    6: "Dewey ASBL",
}


@pytest.mark.parametrize("text, expected", [
    ("Repair Together", [3]),               # exact first, though 4 starts with it
    ("repair-together.", [3]),
    ("REPAIR\u200bTOGETHER", [3]),
    ("reseau transition", [5]),
    ("Réseau", [5]),
    ("transition", [5]),
    ("ferme", [1, 2]),                       # start or middle: both, the caller asks
    ("repair", [3, 4]),
    ("dewey", [6]),
    ("asbl", [6]),
    ("Les Amis du Compost", []),
    ("de", []),                              # too short to name anything partly
    ("", []),
    ("!!!", []),
])
def test_match_name(text, expected):
    assert match_name(text, CANDIDATES) == expected


def test_match_name_exact_short_names_still_match():
    assert match_name("ab", {1: "AB", 2: "ABC"}) == [1]
    assert match_name("a", {1: "ab"}) == []


# --- did_you_mean -------------------------------------------------------------------------------

WORDS = sorted({w for command in COMMANDS for ws in command.words.values() for w in ws})


@pytest.mark.parametrize("typed, expected", [
    ("membres", "membres"),
    ("Membres", "membres"),
    ("taches", "tâches"),                     # accents are optional
    ("TACHES", "tâches"),
    ("tache", "tâches"),
    ("lsit", "list"),                         # two letters swapped
    ("lijts", "lijst"),
    ("mandat", "mandate"),
    ("voortgan", "voortgang"),
    ("stauts", "status"),
    ("objetcion", "objection"),
    ("withdraww", "withdraw"),
    ("propse", "propose"),
])
def test_did_you_mean_finds_the_slip(typed, expected):
    assert did_you_mean(typed, WORDS) == expected


@pytest.mark.parametrize("typed", [
    "xyz", "banana", "hello", "membrs",        # membre or membres? not for the bot to pick
    "hlp",                                     # help or hulp?
    "statu",                                   # status or statut (the bot may map both to
                                               # one command; this function does not know)
    "a", "li", "", "   ", "x" * 200,
])
def test_did_you_mean_is_conservative(typed):
    assert did_you_mean(typed, WORDS) is None


def test_did_you_mean_the_example_of_the_issue():
    assert did_you_mean("membre", ["members", "membres", "leden"]) == "membres"
    assert did_you_mean("membre", []) is None


# --- properties ---------------------------------------------------------------------------------

PREFIXES = st.sampled_from(["C", "c"])
SEPARATORS = st.sampled_from(["", "-", " ", " - ", "–", "—", "‑", "- ", " -"])
OPENINGS = st.sampled_from(["", "(", "[", "«", "« ", '"', "“", "'", "{", "<"])
CLOSINGS = st.sampled_from(["", ")", "]", "»", " »", '"', "”", ".", ",", ":", ";", "!", "?",
                            "?!", "...", "…", ").", "),", "):"])


@given(st.integers(min_value=0, max_value=999_999_999), PREFIXES, SEPARATORS,
       st.integers(min_value=0, max_value=3), OPENINGS, CLOSINGS)
def test_any_prefixed_form_reads_back(number, prefix, separator, zeros, opening, closing):
    text = f"{opening}{prefix}{separator}{'0' * zeros}{number}{closing}"
    assert read_ref(text, "C") == number
    assert read_ref(text.replace(prefix, "T" if prefix == "C" else "t"), "T") == number
    assert read_ref(text, "T") is None


@given(st.integers(min_value=0, max_value=999_999_999), st.sampled_from(["#", "# "]),
       OPENINGS, CLOSINGS)
def test_any_hash_form_reads_back_for_either_kind(number, mark, opening, closing):
    text = f"{opening}{mark}{number}{closing}"
    assert read_ref(text, "C") == number
    assert read_ref(text, "T") == number


@given(st.integers(min_value=0, max_value=999), OPENINGS, CLOSINGS)
def test_bare_numbers_up_to_three_digits_read_back(number, opening, closing):
    assert read_ref(f"{opening}{number}{closing}", "C") == number


@given(st.integers(min_value=1000, max_value=10**12))
def test_bare_numbers_of_four_digits_and_more_do_not_read(number):
    assert read_ref(str(number), "C") is None


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from("abzT_/-+#&"),
       st.text(alphabet="abz_/-.0123456789", max_size=4))
def test_an_id_with_more_stuck_to_it_is_not_read(number, glued, more):
    # C-2a, C-2-3, C-2/3, C-2_x: something else than an id, never the id it starts with.
    assert read_ref(f"C-{number}{glued}{more}", "C") is None


@given(st.text(max_size=120))
def test_nothing_raises_on_any_text(text):
    for prefix in ("C", "T"):
        number = read_ref(text, prefix)
        assert number is None or number >= 0
        taken = take_ref(text, prefix)
        if taken is not None:
            assert text.endswith(taken[1])
    parse_ref(text)
    match_name(text, CANDIDATES)
    did_you_mean(text, WORDS)


@given(st.integers(min_value=-10**6, max_value=10**6),
       st.lists(st.integers(min_value=0, max_value=10**6), max_size=30))
def test_closest_is_nearest_and_most_recent_on_ties(number, existing):
    found = closest(number, existing)
    if not existing:
        assert found is None
        return
    distance = abs(found - number)
    assert all(abs(other - number) >= distance for other in existing)
    assert all(other <= found for other in existing if abs(other - number) == distance)


@given(st.dictionaries(st.integers(min_value=1, max_value=50),
                       st.text(min_size=1, max_size=30), max_size=8),
       st.text(max_size=30))
def test_match_name_returns_only_candidates_that_contain_the_key(candidates, text):
    found = match_name(text, candidates)
    assert found == sorted(found)
    key = name_key(text)
    for number in found:
        assert key and key in name_key(candidates[number])
    if key and any(name_key(name) == key for name in candidates.values()):
        assert all(name_key(candidates[n]) == key for n in found)


@given(st.sampled_from(WORDS))
def test_did_you_mean_of_a_known_word_is_itself(word):
    # "rôle" (fr) and "role" (en) are one word to the bot: either may come back.
    assert fold(did_you_mean(word, WORDS)) == fold(word)


@given(st.sampled_from(WORDS), st.data())
def test_did_you_mean_after_one_slip_is_the_word_or_nothing(word, data):
    assume(len(word) >= 4)
    position = data.draw(st.integers(min_value=0, max_value=len(word) - 1))
    slipped = word[:position] + word[position + 1:]           # one letter dropped
    suggestion = did_you_mean(slipped, WORDS)
    if suggestion is not None:
        # Never a far word: within the allowance of the typed word's length.
        assert suggestion in WORDS
        from commands.refs import _edit_distance
        assert _edit_distance(fold(slipped), fold(suggestion), 2) <= 2
