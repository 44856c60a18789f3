"""Messages too large for one Matrix event (Synapse refuses an event over 64 KiB with
M_TOO_LARGE): whatever people typed, the bot's message still goes out, shortened, rather
than being given up (SPEC 13: every command gets exactly one answer; nothing is lost)."""

from __future__ import annotations

import json

import pytest

nio = pytest.importorskip("nio")

from bot.matrix_events import MAX_CONTENT_BYTES, notice_content  # noqa: E402

from .botkit import make_world  # noqa: E402


def size(content: dict) -> int:
    return len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())


def test_a_content_too_large_is_cut_in_its_middle_and_keeps_what_matters():
    """Its start (what it is about) and end (the deadline, how to answer) stay, its
    mentions and reply relation too; the HTML, which cannot be cut safely, goes."""
    middle = "😀" * 20000
    plain = f"New proposal C-1: Big Talk\nWhy: {middle}\nTo object: !object C-1 reason"
    row = {"plain": plain, "html": plain.replace("\n", "<br>"), "venue": "room",
           "mentions": json.dumps(["@alice:example.org"]), "reply_to": "$command"}
    content = notice_content(row)
    assert size(content) <= MAX_CONTENT_BYTES
    assert content["body"].startswith("New proposal C-1: Big Talk")
    assert content["body"].endswith("To object: !object C-1 reason")
    assert "[…]" in content["body"] and "formatted_body" not in content
    assert content["m.mentions"] == {"user_ids": ["@alice:example.org"]}
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$command"}}
    small = notice_content({**row, "plain": "hello", "html": "<b>hello</b>"})
    assert small["formatted_body"] == "<b>hello</b>" and small["body"] == "hello"


@pytest.fixture
async def world(synapse, matrix_user, tmp_path, monkeypatch):
    made = await make_world(synapse, matrix_user, tmp_path, monkeypatch, silence_window="1h",
                            last_call="30m")
    yield made
    await made.close()


async def test_an_answer_too_large_for_one_event_is_shortened_not_dropped(world):
    """A status that repeats a long rationale and two long objections outgrew Synapse's
    event size (M_TOO_LARGE) and was given up: no answer at all. It is sent shortened."""
    await world.start_bot()
    alice, bob, carol, room = world.alice, world.bob, world.carol, world.room_id
    long = "😀" * 3900  # 4 bytes each, in the plain body and again in the HTML
    for person, command in ((alice, f'!propose "Big Talk" {long}'),
                            (bob, f"!object C-1 {long}"), (carol, f"!object C-1 {long}")):
        await person.reply_to(room, await person.say(room, command))
    asked = await alice.say(room, "!status C-1")
    answer = await alice.reply_to(room, asked, timeout=30)
    assert "Big Talk" in answer.body and "[…]" in answer.body, answer.body[:200]
