"""Matrix events -> the engine's neutral events, on canned JSON parsed by nio itself
(fast: no homeserver)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

nio = pytest.importorskip("nio")

from nio import Event, RoomMessageText  # noqa: E402
from nio.events.invite_events import InviteEvent  # noqa: E402

from bot.matrix_events import (  # noqa: E402
    Addressee,
    address,
    message_text,
    notice_content,
    read_invite,
    to_inbound,
)
from commands.events import Venue  # noqa: E402

BOT = "@coopbot:example.org"
ALICE = "@alice:example.org"
BOB = "@bob:example.org"
CAROL = "@carol:example.org"
ME = Addressee.for_bot(BOT, "!", "Coop Bot")


def message(content: dict, sender: str = ALICE, event_id: str = "$abc",
            ts: int = 1_790_000_000_123) -> dict:
    return {
        "type": "m.room.message", "event_id": event_id, "sender": sender,
        "origin_server_ts": ts, "content": content,
        "unsigned": {"age": 12}, "room_id": "!opaque",  # room version 12: no server part
    }


def parsed(content: dict, **kwargs) -> Event:
    event = Event.parse_event(message(content, **kwargs))
    assert not isinstance(event, nio.BadEvent), event
    return event


def inbound(content: dict, venue: Venue = Venue.ROOM, **kwargs):
    return to_inbound(parsed(content, **kwargs), ME, venue=venue,
                      group="sem" if venue is Venue.ROOM else None)


def test_a_prefixed_command_becomes_an_inbound_with_the_source_timestamp():
    event = inbound({"msgtype": "m.text", "body": "!status C-1"})
    assert event is not None
    assert event.event_id == "$abc"
    assert event.sender == ALICE
    assert event.text == "!status C-1"
    assert event.at == datetime(2026, 9, 21, 14, 13, 20, 123000, tzinfo=timezone.utc)
    assert event.venue is Venue.ROOM and event.group == "sem"
    assert event.mentions == () and event.reply_to is None


@pytest.mark.parametrize("ts", [-62_135_596_800_001, 10**20])
def test_a_timestamp_no_date_can_hold_is_skipped_not_raised(ts):
    """A broken or hostile server's event must not stop the reading of its whole batch."""
    source = message({"msgtype": "m.text", "body": "!status C-1"}, ts=ts)
    assert to_inbound(source, ME, venue=Venue.ROOM, group="sem") is None


def test_room_message_text_from_dict_gives_the_same_result():
    source = message({"msgtype": "m.text", "body": "!list"})
    event = RoomMessageText.from_dict(source)
    assert to_inbound(event, ME, venue=Venue.ROOM, group="sem").text == "!list"


@pytest.mark.parametrize("content", [
    {"msgtype": "m.notice", "body": "!status C-1"},            # bots speak in notices
    {"msgtype": "m.emote", "body": "!status C-1"},
    {"msgtype": "m.image", "body": "!x.png", "url": "mxc://a/b"},
    {"msgtype": "m.text", "body": "hello all"},                # chatter
    {"msgtype": "m.text", "body": "coopbot is nice"},          # talking about the bot
    {"msgtype": "m.text", "body": "coopbotanist: hi"},
    {"msgtype": "m.text", "body": " * !object C-1 edited",     # an edit: the original counted
     "m.new_content": {"msgtype": "m.text", "body": "!object C-1 edited"},
     "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"}},
])
def test_what_is_not_a_command_for_the_bot(content):
    assert inbound(content) is None


def test_the_bots_own_messages_are_never_read():
    assert inbound({"msgtype": "m.text", "body": "!help"}, sender=BOT) is None


def test_other_event_types_and_redactions_are_ignored():
    member = {"type": "m.room.member", "event_id": "$m", "sender": ALICE, "state_key": ALICE,
              "origin_server_ts": 1, "content": {"membership": "join"}}
    assert to_inbound(Event.parse_event(member), ME, venue=Venue.ROOM, group="sem") is None
    redacted = message({})
    assert to_inbound(redacted, ME, venue=Venue.ROOM, group="sem") is None


@pytest.mark.parametrize("body,expected", [
    ("coopbot: status C-1", "!status C-1"),
    ("Coopbot, list", "!list"),
    ("Coop Bot: members", "!members"),                 # the display name
    ("@coopbot:example.org status C-1", "!status C-1"),  # the user id, as typed
    ("@coopbot:example.org: !list", "!list"),
    ("coopbot:", "!help"),
])
def test_addressing_the_bot_by_name_or_id(body, expected):
    assert inbound({"msgtype": "m.text", "body": body}).text == expected


def test_a_pill_to_the_bot_addresses_it_and_is_not_a_mention_of_someone():
    content = {
        "msgtype": "m.text", "body": "Coop Bot: object C-2 a bank",
        "format": "org.matrix.custom.html",
        "formatted_body": f'<a href="https://matrix.to/#/{BOT}">Coop Bot</a>: object C-2 a bank',
        "m.mentions": {"user_ids": [BOT]},
    }
    event = inbound(content)
    assert event.text == "!object C-2 a bank"
    assert event.mentions == ()


def test_pills_become_user_ids_in_the_text_the_engine_reads():
    content = {
        "msgtype": "m.text", "body": "!role grant core Bob",
        "format": "org.matrix.custom.html",
        "formatted_body": '!role grant core <a href="https://matrix.to/#/%40bob%3Aexample.org">'
                          '<b>Bob</b></a>',
        "m.mentions": {"user_ids": [BOB]},
    }
    event = inbound(content)
    assert event.text == f"!role grant core {BOB}"
    assert event.mentions == (BOB,)


def _reply_to_carol(command_html: str, command_body: str) -> dict:
    """A reply to Carol's message as Element sends it: a reply relation, the quoted fallback
    (plain and ``<mx-reply>``, with a pill of Carol) and ``m.mentions`` naming Carol."""
    return {
        "msgtype": "m.text",
        "body": f"> <{CAROL}> we should give bob more rights\n\n{command_body}",
        "format": "org.matrix.custom.html",
        "formatted_body": '<mx-reply><blockquote><a href="https://matrix.to/#/!r/$carols">In '
                          f'reply to</a> <a href="https://matrix.to/#/{CAROL}">{CAROL}</a><br>'
                          "we should give bob more rights</blockquote></mx-reply>"
                          + command_html,
        "m.mentions": {"user_ids": [CAROL]},
        "m.relates_to": {"m.in_reply_to": {"event_id": "$carols"}},
    }


def test_a_reply_names_nobody_the_command_does_not_name():
    """Element lists the replied-to author in m.mentions and pills her in the fallback: the
    command ``!role grant admin bobb`` still names nobody but 'bobb' (which the engine
    refuses), never Carol."""
    event = inbound(_reply_to_carol("!role grant admin bobb", "!role grant admin bobb"))
    assert event.text == "!role grant admin bobb"
    assert event.reply_to == "$carols"
    assert event.mentions == ()


def test_a_pill_in_a_replys_own_text_is_its_only_mention():
    pill = f'<a href="https://matrix.to/#/{BOB}">Bob</a>'
    event = inbound(_reply_to_carol(f"!role grant core {pill}", "!role grant core Bob"))
    assert event.text == f"!role grant core {BOB}"
    assert event.mentions == (BOB,)


@pytest.mark.parametrize("content", [
    # Element without a reply fallback (recent versions): only the relation and m.mentions.
    {"msgtype": "m.text", "body": "!role grant admin bobb", "m.mentions": {"user_ids": [CAROL]},
     "m.relates_to": {"m.in_reply_to": {"event_id": "$carols"}}},
    # A display name typed as text, with the client's intended mentions beside it.
    {"msgtype": "m.text", "body": "!role grant core Carol", "m.mentions": {"user_ids": [CAROL]}},
    # HTML formatting but no pill in the command itself.
    {"msgtype": "m.text", "body": "!role grant core Carol", "format": "org.matrix.custom.html",
     "formatted_body": "<b>!role</b> grant core Carol", "m.mentions": {"user_ids": [CAROL]}},
])
def test_m_mentions_is_never_read(content):
    event = inbound(content)
    assert event is not None and event.mentions == ()


def test_pills_in_the_reply_fallback_are_ignored_by_message_text():
    text, pills = message_text(_reply_to_carol("!list", "!list"))
    assert text == "!list" and pills == []
    text, pills = message_text(_reply_to_carol(
        f'!link <a href="https://matrix.to/#/{BOB}">Bob</a> dewey', "!link Bob dewey"))
    assert text == f"!link {BOB} dewey" and pills == [BOB]


def test_html_without_pills_is_not_used_and_entities_are_read():
    text, pills = message_text({"body": "!propose \"A & B\" <why>", "format":
                                "org.matrix.custom.html",
                                "formatted_body": "!propose \"A &amp; B\" &lt;why&gt;"})
    assert text == '!propose "A & B" <why>' and pills == []
    text, _ = message_text({"body": "x", "format": "org.matrix.custom.html",
                            "formatted_body": 'a<br>b <a href="https://matrix.to/#/@c:d.e">C</a>'
                                              '<p>next</p>'})
    assert text == "a\nb @c:d.e\nnext"


def test_html_the_parser_cannot_read_leaves_the_plain_body():
    text, pills = message_text({
        "body": "!status C-1", "format": "org.matrix.custom.html",
        "formatted_body": f'<a href="https://matrix.to/#/{BOB}">Bob</a><![foo[ x ]]>'})
    assert text == "!status C-1" and pills == []


def test_the_reply_fallback_is_dropped():
    content = {
        "msgtype": "m.text",
        "body": "> <@bob:example.org> C-1 is open\n> second line\n\n!object C-1 not a coop",
        "format": "org.matrix.custom.html",
        "formatted_body": '<mx-reply><blockquote><a href="https://matrix.to/#/!r/$e">In reply '
                          'to</a> <a href="https://matrix.to/#/@bob:example.org">Bob</a><br>C-1 '
                          'is open</blockquote></mx-reply>!object C-1 not a coop',
        "m.relates_to": {"m.in_reply_to": {"event_id": "$announcement"}},
    }
    event = inbound(content)
    assert event.text == "!object C-1 not a coop"
    assert event.reply_to == "$announcement"
    assert event.mentions == ()
    content.pop("formatted_body")
    assert inbound(content).text == "!object C-1 not a coop"


def test_a_direct_message_needs_no_prefix_and_has_no_group():
    event = inbound({"msgtype": "m.text", "body": "status C-1"}, venue=Venue.DM)
    assert event.venue is Venue.DM and event.group is None
    assert event.text == "status C-1"
    assert inbound({"msgtype": "m.text", "body": "coopbot: list"}, venue=Venue.DM).text == "!list"
    assert inbound({"msgtype": "m.text", "body": "   "}, venue=Venue.DM) is None


def test_address_keeps_the_prefix_configured():
    me = Addressee.for_bot(BOT, "?")
    assert address("?list", me, Venue.ROOM) == "?list"
    assert address("coopbot: list", me, Venue.ROOM) == "?list"
    assert address("!list", me, Venue.ROOM) is None


def test_invites_read_from_stripped_state():
    state = [
        {"type": "m.room.name", "state_key": "", "sender": ALICE, "content": {"name": "x"}},
        {"type": "m.room.encryption", "state_key": "", "sender": ALICE,
         "content": {"algorithm": "m.megolm.v1.aes-sha2"}},
        {"type": "m.room.member", "state_key": BOT, "sender": ALICE,
         "content": {"membership": "invite", "is_direct": True}},
    ]
    invite = read_invite(BOT, state)
    assert invite.inviter == ALICE and invite.is_direct and invite.encrypted
    state[2]["content"].pop("is_direct")
    assert not read_invite(BOT, state).is_direct
    assert read_invite(BOT, state[:2]) is None
    # nio's parsed invite events work as well as the JSON
    info = nio.InviteInfo([InviteEvent.parse_event(e) for e in state])
    assert read_invite(BOT, info.invite_state).inviter == ALICE


def test_notice_content_threads_escapes_and_never_pings_by_accident():
    row = {"plain": "C-1 (<b>x</b> @\u2060room) is open", "html": "C-1 (&lt;b&gt;x&lt;/b&gt; "
           "@\u2060room) is open", "mentions": "[]", "reply_to": "$cmd"}
    content = notice_content(row)
    assert content["msgtype"] == "m.notice"
    assert content["format"] == "org.matrix.custom.html"
    assert content["m.mentions"] == {"user_ids": []}
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    assert "<b>" not in content["formatted_body"]
    row.update(mentions=json.dumps([ALICE, "forum:bob"]), reply_to="console:1")
    content = notice_content(row)
    assert content["m.mentions"] == {"user_ids": [ALICE]}
    assert "m.relates_to" not in content


def test_what_must_notify_is_text_and_replies_are_notices():
    from bot.matrix_events import notice_content
    base = {"plain": "p", "html": "h", "mentions": "[]", "reply_to": None, "venue": "room"}
    assert notice_content(base)["msgtype"] == "m.notice"
    assert notice_content({**base, "reply_to": "$cmd"})["msgtype"] == "m.notice"
    pinging = {**base, "mentions": '["@alice:example.org"]'}
    assert notice_content(pinging)["msgtype"] == "m.text"  # notices never notify
    assert notice_content({**base, "venue": "dm"})["msgtype"] == "m.text"  # a nudge
    assert notice_content({**base, "venue": "dm", "reply_to": "$cmd"})["msgtype"] == "m.notice"


def test_a_command_in_a_thread_is_answered_in_the_thread():
    from bot.matrix_events import notice_content, thread_root
    event = {"type": "m.room.message", "event_id": "$cmd", "sender": "@bob:x",
             "origin_server_ts": 1, "content": {"msgtype": "m.text", "body": "!list",
                                                "m.relates_to": {"rel_type": "m.thread",
                                                                 "event_id": "$root"}}}
    assert thread_root(event) == "$root"
    row = {"plain": "p", "html": "h", "mentions": "[]", "reply_to": "$cmd", "venue": "room"}
    relates = notice_content(row, thread_root(event))["m.relates_to"]
    assert relates["rel_type"] == "m.thread" and relates["event_id"] == "$root"
    assert relates["m.in_reply_to"] == {"event_id": "$cmd"}
    assert notice_content(row)["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}


# --- gestures (issue 12) ---------------------------------------------------------------------

from bot.matrix_events import read_receipts, to_gesture  # noqa: E402
from commands.events import Kind  # noqa: E402


def event_of(kind: str, content: dict, sender: str = BOB, **extra) -> dict:
    return {"type": kind, "event_id": "$g1", "sender": sender,
            "origin_server_ts": 1_790_000_000_123, "content": content, "room_id": "!opaque",
            **extra}


def test_a_reaction_becomes_a_reaction_gesture_on_its_target():
    source = event_of("m.reaction", {"m.relates_to": {
        "rel_type": "m.annotation", "event_id": "$announce", "key": "👍🏽"}})
    for event in (source, Event.parse_event(source)):
        gesture = to_gesture(event, BOT, group="sem")
        assert gesture.kind is Kind.REACTION and gesture.target == "$announce"
        assert gesture.key == "👍🏽" and gesture.event_id == "$g1" and gesture.sender == BOB
        assert gesture.at == datetime(2026, 9, 21, 14, 13, 20, 123000, tzinfo=timezone.utc)


@pytest.mark.parametrize("where", ["content", "top"])
def test_a_redaction_names_what_it_removed_and_who_removed_it(where):
    extra = {"redacts": "$reaction"} if where == "top" else {}
    content = {"redacts": "$reaction"} if where == "content" else {}
    gesture = to_gesture(Event.parse_event(event_of("m.room.redaction", content, ALICE,
                                                    **extra)), BOT, group="sem")
    assert gesture.kind is Kind.REDACTION and gesture.target == "$reaction"
    assert gesture.sender == ALICE


def test_words_not_for_the_bot_are_a_chat_gesture():
    gesture = to_gesture(parsed({"msgtype": "m.text", "body": "nice idea"}), BOT, group="sem")
    assert gesture.kind is Kind.CHAT and gesture.group == "sem"


@pytest.mark.parametrize("source", [
    message({"msgtype": "m.notice", "body": "a bot"}),                  # other bots
    message({"msgtype": "m.text", "body": "mine"}, sender=BOT),          # the bot's own
    event_of("m.reaction", {"m.relates_to": {"rel_type": "m.reference", "event_id": "$x"}}),
    event_of("m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$x"}}),
    event_of("m.room.redaction", {}),
    event_of("m.room.topic", {"topic": "x"}),
    event_of("m.reaction", "not a mapping"),
    {**event_of("m.reaction", {}), "origin_server_ts": "yesterday"},
])
def test_what_is_no_gesture(source):
    assert to_gesture(source, BOT, group="sem") is None


def test_read_receipts_of_the_main_timeline_become_read_gestures():
    receipts = {"type": "m.receipt", "content": {
        "$announce": {"m.read": {BOB: {"ts": 1_790_000_100_000},
                                 BOT: {"ts": 1_790_000_100_000}}},
        "$later": {"m.read": {CAROL: {"ts": 1_790_000_200_000, "thread_id": "main"}},
                   "m.read.private": {ALICE: {"ts": 1_790_000_200_000}}},
        "$in_thread": {"m.read": {ALICE: {"ts": 1_790_000_300_000, "thread_id": "$root"}}},
    }}
    known = {"$later": datetime(2026, 9, 21, 14, 20, tzinfo=timezone.utc)}
    for ephemeral in ([receipts], [nio.ReceiptEvent.from_dict(receipts)]):
        reads = {r.sender: r for r in read_receipts(ephemeral, BOT, group="sem",
                                                    seen_at=known.get)}
        assert set(reads) == {BOB, CAROL}
        assert reads[BOB].kind is Kind.READ and reads[BOB].target == "$announce"
        assert reads[BOB].target_at is None
        assert reads[CAROL].target_at == known["$later"]
        assert reads[CAROL].at == datetime(2026, 9, 21, 14, 16, 40, tzinfo=timezone.utc)
