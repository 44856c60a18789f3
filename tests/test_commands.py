"""The command table: rights, bad input, languages, help, admin commands."""

from __future__ import annotations

import re
import string

import pytest

from commands.messages import CATALOG, LANGUAGES
from commands.table import COMMANDS, Right
from tests.harness import ALICE, BOB, CAROL, DAN, STRANGER

PROPOSE = '!propose "Repair Together" they fix things with us'


def test_catalog_complete_in_three_languages():
    for key, texts in CATALOG.items():
        assert set(texts) == set(LANGUAGES), key
        fields = {lang: {f[1] for f in string.Formatter().parse(t) if f[1]} for lang, t in texts.items()}
        assert fields["fr"] == fields["nl"] == fields["en"], key
    for command in COMMANDS:
        for prefix in ("help", "example"):
            assert f"{prefix}.{command.name}" in CATALOG, command.name
        assert set(command.words) == set(LANGUAGES)


# who lacks the right, for each restricted command: a stranger, a plain representative, the
# registrar (no core/admin), a core member who is no admin.
RESTRICTED = [
    ("!resolve C-1 accept fine", Right.CORE, [STRANGER, DAN, CAROL]),
    ("!config set silence_window 3d", Right.ADMIN, [STRANGER, DAN, CAROL, BOB]),
    ("!config show", Right.ADMIN, [STRANGER, DAN, BOB]),
    ("!role grant core @dan:example.org", Right.ADMIN, [STRANGER, DAN, CAROL, BOB]),
    ("!link @eve:example.org financite", Right.ADMIN, [STRANGER, DAN, BOB]),
    ("!unlink @dan:example.org", Right.ADMIN, [STRANGER, DAN, BOB]),
    ("!member suspend financite", Right.ADMIN, [STRANGER, DAN, CAROL, BOB]),
    (PROPOSE, Right.REPRESENTATIVE, [STRANGER]),
    ("!object C-1 no", Right.REPRESENTATIVE, [STRANGER]),
    ("!support C-1", Right.REPRESENTATIVE, [STRANGER]),
    ("!withdraw C-1", Right.REPRESENTATIVE, [STRANGER]),
    # Task commands (issue 5). Carol's objection makes T-1 "Decide on C-1", a task of the
    # core group (Alice and Bob); tests/test_tasks_commands.py covers the rights on a named task.
    ('!mandate @dan:example.org "Book the room"', Right.MANDATE, [STRANGER, DAN, CAROL]),
    ("!update T-1 progress", Right.LEAD_OR_CORE, [STRANGER, DAN, CAROL]),
    ("!done T-1", Right.LEAD_OR_CORE, [STRANGER, DAN, CAROL]),
    ("!drop T-1 no time", Right.LEAD_OR_CORE, [STRANGER, DAN, CAROL]),
    ("!handover T-1 @dan:example.org", Right.LEAD_OR_CORE, [STRANGER, DAN, CAROL]),
    ("!snooze T-1 1d", Right.LEAD, [STRANGER, DAN, CAROL]),
    ("!feedback T-1 https://example.org/draft", Right.LEAD, [STRANGER, DAN, CAROL]),
    ("!ack T-1 fine", Right.REPRESENTATIVE, [STRANGER]),
]


@pytest.mark.parametrize("text,right,callers", RESTRICTED)
def test_rights_refused_and_nothing_changes(harness, text, right, callers):
    harness.say(ALICE, PROPOSE)
    harness.say(CAROL, "!object C-1 to have something to resolve")
    harness.say(ALICE, "!role grant core @dan:example.org")  # a core member…
    harness.say(ALICE, "!role revoke core @dan:example.org")  # …no longer
    for caller in callers:
        before = harness.snapshot()
        rows = harness.say(caller, text)
        assert len(rows) == 1, (caller, text)
        assert any(refusal in rows[0]["plain"] for refusal in (
            "reserved for", "Only people who represent", "Only the lead of")), rows
        assert harness.snapshot() == before


def test_every_restricted_command_is_covered():
    restricted = {c.name for c in COMMANDS if c.right is not Right.ANYONE}
    covered = {re.match(r"!(\w+)", t).group(1) for t, _, _ in RESTRICTED}
    assert restricted <= covered


def test_unknown_command_suggests_the_closest(harness):
    rows = harness.say(BOB, "!objet C-1 no")
    assert "Did you mean !object?" in rows[0]["plain"]
    rows = harness.say(BOB, "!zzzz")
    assert "Type !help" in rows[0]["plain"] and "Did you mean" not in rows[0]["plain"]


@pytest.mark.parametrize("text,expected", [
    ("!status C-42", "There is no proposal C-42"),
    ("!object C-42 no", "There is no proposal C-42"),
    ("!object banana no", "'banana' is not a proposal number"),
    ("!link @nobody financite", "I don't recognise '@nobody' as a person"),
    ("!object", "Something is missing. Syntax: !object C-n reason…"),
    ("!object C-1", "A reason is required"),
    ("!resolve C-1 maybe because", "Possible choices: accept, reject"),
    ("!support C-1 x", "Your organisation made this proposal"),
    ("!config set silence_window forever", "Expected: a duration"),
    ("!config set colour blue", "Unknown setting 'colour'"),
    ("!link @nobody:example.org financite-x", "There is no member 'financite-x'"),
])
def test_bad_input_gets_clear_reply_and_changes_nothing(harness, text, expected):
    harness.say(ALICE, PROPOSE)
    before = harness.snapshot()
    rows = harness.say(ALICE, text)
    assert len(rows) == 1 and expected in rows[0]["plain"], rows[0]["plain"]
    assert harness.snapshot() == before


def test_huge_message_and_control_characters(harness):
    before = harness.snapshot()
    rows = harness.say(ALICE, '!propose "Big" ' + "x" * 20_000)
    assert "too long" in rows[0]["plain"]
    rows = harness.say(ALICE, '!propose "Evil\x00Corp" because\x1b[31m')
    assert "control characters" in rows[0]["plain"]
    rows = harness.say(ALICE, '!propose "\u202eproC livE" sneaky')
    assert "control characters" in rows[0]["plain"]
    assert harness.snapshot() == before


def test_replies_in_the_groups_language(make_harness):
    fr = make_harness(language="fr")
    assert "Je ne connais pas la commande" in fr.say(BOB, "!objet C-1")[0]["plain"]
    rows = fr.say(ALICE, '!coopter "Repair Together" ils réparent')
    assert "Nouvelle proposition C-1" in rows[1]["plain"]
    assert "le groupe cœur" not in rows[1]["plain"]
    rows = fr.say(BOB, "!objection C-1 pas une organisation")
    assert "est contesté" in rows[1]["plain"]
    nl = make_harness(language="nl")
    rows = nl.say(ALICE, '!voordragen "Repair Together" ze herstellen')
    assert "Nieuw voorstel C-1" in rows[1]["plain"]
    assert "Dit bericht is te lang" in nl.say(BOB, "!bezwaar C-1 " + "x" * 5000)[0]["plain"]
    nl.advance("5d")
    assert nl.state(1) == "validated"


def test_lang_group_switches_the_groups_language(harness):
    rows = harness.say(ALICE, "!lang group nl")
    assert "Nederlands" in rows[0]["plain"]
    assert "Ik ken het commando" in harness.say(BOB, "!zzz")[0]["plain"]
    harness.say(ALICE, "!taal groep fr")
    assert "Je ne connais pas" in harness.say(BOB, "!zzz")[0]["plain"]


def test_lang_group_is_for_admins_and_refused_politely(harness):
    before = harness.snapshot()
    rows = harness.say(BOB, "!lang group nl")
    assert rows[0]["plain"] == ("Only the admins choose the group's language (ask: "
                                "@alice:example.org). For yourself: !lang en, fr or nl.")
    assert harness.snapshot() == before
    rows = harness.say(BOB, "!lang de")
    assert rows[0]["plain"].startswith("Choose fr, nl or en:")
    assert harness.snapshot() == before


def test_aliases_accented_and_not(harness):
    harness.say(ALICE, "!rôle grant core @carol:example.org")
    assert harness.repo.has_role("sem", CAROL, "core")
    harness.say(ALICE, "!role revoke core @carol:example.org")
    assert not harness.repo.has_role("sem", CAROL, "core")
    harness.say(ALICE, "!ROLE grant registrar @bob")  # bare localpart known in the group
    assert harness.repo.has_role("sem", BOB, "registrar")


def test_help_lists_only_what_the_caller_may_use(harness):
    stranger = harness.dm(STRANGER, "help")[0]["plain"]
    admin = harness.dm(ALICE, "help")[0]["plain"]
    assert "!status" in stranger and "!config" not in stranger and "!propose" not in stranger
    assert "!config" in admin and "!propose" in admin
    detail = harness.say(STRANGER, "!help bezwaar")[0]["plain"]
    assert "!object C-n reason…" in detail and "Example: !object C-3" in detail


def test_help_in_a_room_is_short_and_complete_in_a_direct_chat(harness):
    """In the room, where everyone reads it, the everyday commands in at most 8 lines; the
    rest is offered in a direct chat."""
    room = harness.say(ALICE, "!help")[0]["plain"]
    assert len(room.splitlines()) <= 8
    assert room.splitlines()[-1] == "For everything else, write me !help in a direct chat."
    assert "!propose" in room and "!config" not in room
    direct = harness.dm(ALICE, "help")[0]["plain"]
    assert "!config" in direct and len(direct.splitlines()) > 8
    assert harness.say(BOB, "!aide")[0]["plain"].splitlines()[-1] == (
        "Pour tout le reste, écrivez-moi !aide en message direct.")


def test_config_set_show_and_effect(harness):
    rows = harness.say(ALICE, "!config set silence_window 2d")
    assert len(rows) == 1  # in the room, the announcement is the confirmation
    assert "changed the setting silence_window: 2d" in rows[0]["plain"]
    rows = harness.dm(ALICE, "config set last_call 12h")
    assert [r["venue"] for r in rows] == ["dm", "room"]
    assert "last_call is now 12h" in rows[0]["plain"]
    shown = harness.say(ALICE, "!config show")[0]["plain"]
    assert "silence_window = 2d (changed by @alice:example.org)" in shown
    harness.say(BOB, PROPOSE)
    harness.advance("2d")
    assert harness.state(1) == "validated"
    audit = [r.action for r in harness.repo.audit_rows()]
    assert "config_set" in audit


def test_changes_by_command_survive_restart_and_win_over_config(harness):
    harness.say(ALICE, "!role revoke core @bob:example.org")
    harness.say(ALICE, "!config set min_supporters 1")
    harness.say(ALICE, "!unlink @dan:example.org")
    harness.restart()  # seeding runs again from the config file
    assert not harness.repo.has_role("sem", BOB, "core")
    assert harness.engine.group("sem").settings.min_supporters == 1
    assert harness.repo.person("sem", DAN).member is None


def test_last_admin_cannot_be_revoked(harness):
    rows = harness.say(ALICE, "!role revoke admin @alice:example.org")
    assert "without an admin in good standing" in rows[0]["plain"]


def test_hostile_text_is_escaped_and_pings_nobody(harness):
    rows = harness.say(ALICE, '!propose "<b>x</b> @room" hello @room')
    announcement = rows[1]
    assert "<b>" not in announcement["html"] and "&lt;b&gt;x&lt;/b&gt;" in announcement["html"]
    assert "@room" not in announcement["plain"] and "@room" not in announcement["html"]
    assert announcement["mentions"] == "[]"


def test_rate_limit_one_notice_then_silence(harness):
    for _ in range(10):
        assert len(harness.say(STRANGER, "!list")) == 1
    assert "Slow down" in harness.say(STRANGER, "!list")[0]["plain"]
    assert harness.say(STRANGER, "!list") == []
    harness.clock.advance(__import__("datetime").timedelta(minutes=2))
    assert len(harness.say(STRANGER, "!list")) == 1


def test_backlog_is_not_a_burst_and_objections_are_never_dropped(harness):
    """After downtime many old messages arrive at once: they were not sent in a burst."""
    from datetime import timedelta
    for n in range(12):
        harness.say(ALICE, f'!propose "Org {n}" reason')
        harness.clock.advance(timedelta(minutes=10))
    start = harness.clock.now()
    harness.clock.advance(timedelta(hours=20))
    for n in range(1, 13):  # stamped an hour apart, applied in one go
        harness.say(BOB, f"!object C-{n} no", at=start + timedelta(hours=n))
    assert all(harness.state(n) == "contested" for n in range(1, 13))
    for n in range(1, 13):  # a real burst of objections: still every one applied
        harness.say(CAROL, f"!object C-{n} me neither")
    assert len(harness.repo.objections("sem:C-12", active_only=True)) == 2


def test_room_ping_defanged_in_any_case(harness):
    rows = harness.say(ALICE, '!propose "Hey @Room" and @ROOM too')
    assert "@Room" not in rows[1]["plain"] and "@ROOM" not in rows[1]["plain"]


def test_lang_group_from_a_dm_is_announced_in_the_room(harness):
    rows = harness.dm(ALICE, "lang group fr")
    assert [r["venue"] for r in rows] == ["dm", "room"]
    assert "Je parle désormais français" in rows[1]["plain"]


def test_a_persons_language_is_theirs_and_the_room_keeps_the_groups(harness):
    """!taal nl: Bob is answered in Dutch in every reply, refusal and direct message; the
    room's announcements stay in the group's English."""
    rows = harness.say(BOB, "!taal nl")
    assert [r["plain"] for r in rows] == [
        "Ik antwoord u voortaan in het Nederlands, in al uw groepen."]
    assert "Ik ken het commando" in harness.say(BOB, "!zzz")[0]["plain"]
    assert "I don't know the command" in harness.say(CAROL, "!zzz")[0]["plain"]
    harness.say(ALICE, '!propose "Repair Together" they fix things')
    rows = harness.say(BOB, "!object C-1 not a cooperative")
    reply = [r for r in rows if r["reply_to"]]
    room = [r for r in rows if not r["reply_to"] and r["venue"] == "room"]
    assert reply and "bezwaar" in reply[0]["plain"].lower()
    assert room and "contested" in room[0]["plain"]
    rows = harness.say(ALICE, '!mandate @bob:example.org "Book the room"')
    [dm] = [r for r in rows if r["venue"] == "dm" and r["target"] == BOB]
    assert "taak" in dm["plain"].lower(), dm["plain"]


def test_a_command_word_of_one_language_answers_in_it(harness):
    """Until a person chooses, the language of a command word that belongs to one language
    only: !bezwaar is Dutch, !objection French; !status is shared and says nothing."""
    harness.say(ALICE, '!propose "Repair Together" they fix things')
    rows = harness.say(BOB, "!bezwaar C-9 nee")
    assert rows[0]["plain"].startswith("Er is geen voorstel C-9"), rows[0]["plain"]
    rows = harness.say(BOB, "!status C-9")
    assert rows[0]["plain"].startswith("There is no proposal C-9"), rows[0]["plain"]


def test_support_is_also_the_noun_as_objection_is(harness):
    """!objection and !bezwaar are nouns: people who type them type !soutien and !steun
    too, and are answered in their language."""
    harness.say(ALICE, '!propose "Repair Together" they fix things')
    rows = harness.say(BOB, "!soutien C-1 je les connais")
    assert rows[0]["plain"].startswith("Votre soutien à C-1"), rows[0]["plain"]
    rows = harness.say(CAROL, "!steun C-1")
    assert rows[0]["plain"].startswith("Uw steun"), rows[0]["plain"]
    assert len(harness.repo.supports(harness.repo.proposal("sem", 1).key)) == 2


def test_done_is_also_the_words_people_type_first(harness):
    """!fini and !terminé (any accent) in French, !gedaan in Dutch: the task is done and the
    reply is in that language."""
    for n, (person, word, reply) in enumerate([(BOB, "!fini", "T-1 est faite"),
                                               (BOB, "!termine", "T-2 est faite"),
                                               (BOB, "!gedaan", "T-3 is klaar")], start=1):
        harness.say(ALICE, f'!mandate {BOB} "Task {n}"')
        rows = harness.say(person, f"{word} T-{n}")
        assert rows[0]["plain"].startswith(reply), rows[0]["plain"]


def test_a_bilingual_group_announces_in_both_languages(make_harness):
    h = make_harness(language='["fr", "nl"]')
    rows = h.say(ALICE, '!propose "Repair Together" they fix things')
    [announcement] = [r for r in rows if r["venue"] == "room" and not r["reply_to"]]
    french, dutch = announcement["plain"].split("\n———\n")
    assert french.startswith("Nouvelle proposition C-1") and dutch.startswith("Nieuw voorstel C-1")
    assert "<hr>" in announcement["html"]
    reply = [r for r in rows if r["reply_to"]]
    assert not reply or "———" not in reply[0]["plain"]  # a reply: the first language only


def test_member_named_in_full_or_by_slug(harness):
    harness.say(ALICE, "!member suspend Réseau Transition")
    assert harness.repo.member("sem", "transition").status == "suspended"
    harness.say(ALICE, '!membre réintégrer "réseau transition"')
    assert harness.repo.member("sem", "transition").status == "active"
    harness.say(ALICE, "!link @zoe:example.org Petites Singularités")
    assert harness.repo.person("sem", "@zoe:example.org").member == "singularites"


def test_a_bilingual_language_is_checked_in_the_file_and_shown_by_config_show(make_harness):
    """`language` may be a list: the config checker refuses an unknown or repeated language,
    and !config show says the languages in order."""
    from bot.config import ConfigError, parse
    from tests.harness import BASE_CONFIG
    for bad in ('["fr", "de"]', '["fr", "fr"]', "[]"):
        text = BASE_CONFIG.format(database="x.db", language="fr", min_supporters=0,
                                  charter="[]").replace('language = "fr"', f"language = {bad}")
        with pytest.raises(ConfigError, match="groups\\[0\\].language"):
            parse(text)
    h = make_harness(language='["nl", "fr"]')
    shown = h.dm(ALICE, "config show")[0]["plain"]
    assert "language = nl, fr" in shown, shown
