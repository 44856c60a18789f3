"""People shown by the names they recognise (issue 9 item 3): display names rendered at
flush, pills with names for whoever must act, plain names for everyone else, and names that
are shown but never trusted."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.matrix_events import member_name
from commands.render import Mention, Names, Person, Phrase, Pieces, render_template, shown_name
from storage.names import name_key
from storage.repository import Repository

from .harness import ALICE, BOB, CAROL, DAN, Harness

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
PILL = '<a href="https://matrix.to/#/{id}">{name}</a>'


def names(**known: tuple[str | None, bool]) -> Names:
    return Names(known={f"@{k}:example.org": v for k, v in known.items()})


# --- rendering --------------------------------------------------------------------------------

def test_a_mention_is_a_pill_with_the_name_and_the_id_in_mentions():
    message = render_template("en", "Over to {who}.", names=names(bob=("Bob", False)),
                              who=Mention.of(BOB))
    assert message.plain == "Over to Bob."
    assert message.html == "Over to " + PILL.format(id=BOB, name="Bob") + "."
    assert message.mentions == (BOB,)


def test_a_person_is_named_without_link_nor_mention():
    message = render_template("en", "{who} proposed it.", names=names(bob=("Bob", False)),
                              who=Person.of(BOB))
    assert message.plain == "Bob proposed it."
    assert message.html == "Bob proposed it."
    assert message.mentions == ()


def test_two_people_of_one_name_are_told_apart_by_their_ids():
    shown = names(bob=("Sam", True), carol=("Sam", True))
    message = render_template("en", "{a} and {b}", names=shown, a=Person.of(BOB),
                              b=Mention.of(CAROL))
    assert message.plain == f"Sam ({BOB}) and Sam ({CAROL})"
    assert PILL.format(id=CAROL, name=f"Sam ({CAROL})") in message.html
    assert message.mentions == (CAROL,)


def test_without_a_name_the_id_is_shown():
    message = render_template("en", "{a}, {b}", names=names(), a=Person.of(BOB),
                              b=Mention.of(CAROL))
    assert message.plain == f"{BOB}, {CAROL}"
    assert message.html == f"{BOB}, " + PILL.format(id=CAROL, name=CAROL)


def test_a_forum_user_is_shown_by_username():
    message = render_template("en", "{a}", names=names(), a=Person.of("forum:alice"))
    assert message.plain == "alice"
    assert shown_name("forum:alice", with_id=True) == "forum:alice"
    # A Matrix user of the same name is about: the forum user keeps their identity.
    assert shown_name("forum:alice", shared=True) == "forum:alice"


def test_a_reply_confirming_whom_a_command_took_shows_the_id_too():
    message = render_template("en", "{a}", names=names(bob=("Bob", False)),
                              a=Person.exact(BOB))
    assert message.plain == f"Bob ({BOB})"


@pytest.mark.parametrize("hostile", [
    "@alice:example.org",           # another person's ID
    "Alice (@alice:example.org)",   # the way the bot tells twins apart
    "@alice",                       # a handle
    "forum:alice",                  # a forum identity
    "",                             # nothing
    "   \u200b\u202e ",             # nothing visible
])
def test_a_name_that_could_pass_for_an_identity_gives_way_to_the_id(hostile):
    message = render_template("en", "{a} / {b}", names=names(mallory=(hostile, False)),
                              a=Person.of("@mallory:example.org"),
                              b=Mention.of("@mallory:example.org"))
    assert message.plain == "@mallory:example.org / @mallory:example.org"
    assert message.mentions == ("@mallory:example.org",)


def test_a_hostile_name_is_escaped_and_defanged_like_user_text():
    hostile = "<b>Boss</b> @room \u202egnp.exe\n\x07&amp;"
    message = render_template("en", "{a} then {b}", names=names(mallory=(hostile, False)),
                              a=Person.of("@mallory:example.org"),
                              b=Mention.of("@mallory:example.org"))
    shown = "<b>Boss</b> @\u2060room gnp.exe &amp;"
    assert message.plain == f"{shown} then {shown}"
    assert "<b>" not in message.html and "@room" not in message.html
    assert "&lt;b&gt;Boss&lt;/b&gt; @\u2060room gnp.exe &amp;amp;" in message.html
    assert message.html.count("<a ") == 1  # the pill, and nothing the name brought
    assert message.mentions == ("@mallory:example.org",)


def test_a_very_long_name_is_cut():
    shown = shown_name(BOB, "x" * 300)
    assert len(shown) == 64 and shown.endswith("…")


def test_names_reach_into_nested_pieces():
    shown = names(bob=("Bob", False), carol=("Carol", False))
    inner = Phrase("item.support", {"person": Person.of(BOB), "member": "Transition"})
    message = render_template("en", "{x} / {y}", names=shown, x=inner,
                              y=Pieces.of(Mention.of(CAROL), " signed"))
    assert message.plain == "Bob (Transition) / Carol signed"
    assert message.mentions == (CAROL,)


def test_outside_a_message_a_person_is_shown_by_id():
    assert str(Person.of(BOB, "forum:alice")) == f"{BOB}, alice"
    assert str(Mention.of(BOB)) == BOB


# --- storage ----------------------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path):
    repository = Repository(tmp_path / "names.db")
    yield repository
    repository.close()


def test_names_are_kept_current_and_compared_as_readers_see_them(repo):
    assert repo.set_display_name(BOB, "Sam", "!room", NOW)
    assert not repo.set_display_name(BOB, "Sam", "!room", NOW)  # nothing new
    repo.set_display_name(CAROL, "  SAM\u200b ", "!room", NOW)
    repo.set_display_name(DAN, "Dan", "!room", NOW)
    found = repo.display_names([BOB, CAROL, DAN, ALICE])
    assert found[BOB] == ("Sam", True) and found[CAROL][1] is True
    assert found[DAN] == ("Dan", False)
    assert ALICE not in found
    repo.set_display_name(CAROL, "Carla", "!room", NOW)  # a change is picked up
    assert repo.display_names([BOB, CAROL]) == {BOB: ("Sam", False), CAROL: ("Carla", False)}
    repo.set_display_name(CAROL, None, "!room", NOW)  # removed: the ID is shown
    assert repo.display_names([CAROL]) == {CAROL: (None, False)}


def test_a_name_shared_with_a_forum_username_is_told_apart(repo):
    repo.link_person("sem", "forum:alice", None, "test", NOW)
    repo.set_display_name(BOB, "Alice", "!room", NOW)
    found = repo.display_names([BOB, "forum:alice"])
    assert found == {BOB: ("Alice", True), "forum:alice": (None, True)}


def test_name_key_ignores_case_width_and_invisible_characters():
    assert name_key("Ｂob\u200b  Smith") == name_key("bob smith")


def test_membership_events_give_names_and_a_leave_keeps_the_last():
    def member(membership: str, **content) -> dict:
        return {"type": "m.room.member", "state_key": BOB, "sender": BOB,
                "content": {"membership": membership, **content}}
    assert member_name(member("join", displayname="Bob")) == (BOB, "Bob")
    assert member_name(member("invite", displayname="Bob")) == (BOB, "Bob")
    assert member_name(member("join")) == (BOB, None)
    assert member_name(member("join", displayname=["x"])) == (BOB, None)
    assert member_name(member("leave")) is None
    assert member_name(member("ban")) is None
    assert member_name({"type": "m.room.message", "content": {}}) is None


# --- through the engine -----------------------------------------------------------------------

@pytest.fixture
def harness(tmp_path):
    h = Harness(str(tmp_path / "coop.db"))
    yield h
    h.close()


def room_rows(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["venue"] == "room"]


def test_announcements_name_people_and_mention_only_the_deciders(harness):
    import json
    repo = harness.repo
    for person, name in ((ALICE, "Alice Dewey"), (BOB, "Sam"), (CAROL, "Sam")):
        repo.set_display_name(person, name, "!room", NOW)
    harness.say(ALICE, f"!role grant core {CAROL}")
    rows = room_rows(harness.say(ALICE, '!propose "Repair Together" they fix things'))
    assert "Proposed by Alice Dewey (Dewey ASBL)" in rows[-1]["plain"]
    assert ALICE not in rows[-1]["plain"] and "matrix.to" not in rows[-1]["html"]
    rows = room_rows(harness.say(BOB, "!object C-1 not now"))
    contested = next(r for r in rows if "is contested" in r["plain"])
    assert f"Sam ({BOB}) (Réseau Transition) objects" in contested["plain"]
    assert f"resolved by (nobody decides their own case): Sam ({CAROL})" in contested["plain"]
    assert PILL.format(id=CAROL, name=f"Sam ({CAROL})") in contested["html"]
    assert f"#/{BOB}" not in contested["html"]
    assert json.loads(contested["mentions"]) == [CAROL]
    # A name changes: the next message shows the new one, and twins are twins no more.
    repo.set_display_name(CAROL, "Carla", "!room", NOW)
    status = harness.say(DAN, "!status C-1")[-1]["plain"]
    assert "Sam (Réseau Transition) — not now" in status
    assert "may decide now (core group): Carla" in status
    assert "Proposed by Alice Dewey (Dewey ASBL)" in status


def test_a_display_name_typed_as_an_argument_is_not_that_person(harness):
    harness.repo.set_display_name(BOB, "Bob", "!room", NOW)
    harness.repo.set_display_name(CAROL, "Carla", "!room", NOW)
    for typed in ("Bob", "Carla", "@Carla", "@Bob Marley"):
        before = harness.snapshot()
        reply = harness.say(ALICE, f"!role grant registrar {typed}")[-1]["plain"]
        assert "I don't recognise" in reply or "I did not understand" in reply, reply
        assert harness.snapshot() == before
    # The ID itself still works, and the answer shows whom it took: name and ID.
    rows = harness.say(ALICE, f"!role grant registrar {BOB}")
    assert f"gave the registrar role to Bob ({BOB})" in room_rows(rows)[-1]["plain"]


def test_a_piece_keeps_its_spaces_and_a_whole_message_loses_trailing_ones():
    from commands.render import Phrase, Pieces, render
    message = render("en", "ann.task_done", ref="T-1", title="x", by="@a:x",
                     note=Pieces.of(" by ", Phrase.of("status.bot"), " "))
    assert " by the bot" in message.plain and not message.plain.endswith(" ")


# --- counted things: singular and plural as each language's rules say --------------------------

@pytest.mark.parametrize("lang, counts", [
    ("fr", {0: "0 soutien", 1: "1 soutien", 2: "2 soutiens"}),
    ("nl", {0: "0 steunbetuigingen", 1: "1 steunbetuiging", 2: "2 steunbetuigingen"}),
    ("en", {0: "0 supports", 1: "1 support", 2: "2 supports"}),
])
def test_a_count_is_singular_or_plural_as_the_language_says(lang, counts):
    from commands.render import Count, render_template
    for count, shown in counts.items():
        assert render_template(lang, "({n})", n=Count(count, "count.support")).plain == \
            f"({shown})"


def test_the_support_reply_counts_without_brackets(make_harness):
    h = make_harness()
    h.say(DAN, '!propose "Repair Together" they fix things with us')
    h.sent()
    [reply] = [r for r in h.say(ALICE, "!support C-1") if r["venue"] == "room"
               and "recorded" in r["plain"]]
    assert reply["plain"] == "Your support for C-1 is recorded (1 support)."
    [reply] = [r for r in h.say(BOB, "!support C-1") if "recorded" in r["plain"]]
    assert reply["plain"] == "Your support for C-1 is recorded (2 supports)."
