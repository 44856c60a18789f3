"""Fuzz of Matrix events: ``to_inbound`` turns any event, well formed or random nested JSON
with fields of the wrong type, and any HTML body, into an Inbound or ``None`` (not for the
bot), never an exception; ``thread_root`` into an event id or ``None``.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st

from bot.matrix_events import Addressee, thread_root, to_inbound
from commands.events import Inbound, Venue
from tests.fuzzing import MISSING, free_text, weighted

# --- Matrix events --------------------------------------------------------------------------------

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12))
json_any = st.recursive(json_scalar, lambda c: st.one_of(
    st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)), max_leaves=8)
USER_IDS = ["@alice:example.org", "@coopbot:example.org", "@bob:example.org", "@b:x", "@:",
            "@room", "@bob%3Aexample.org", "@x:example.org/#frag"]
html_piece = st.one_of(
    st.sampled_from([
        "<mx-reply><blockquote>quoted</blockquote></mx-reply>", "<mx-reply>", "</mx-reply>",
        "</a>", "<br>", "<p>", "</p>", "<![foo[ x ]]>", "<![CDATA[x", "<!--", "-->", "<!x",
        "&#99999999999;", "&#xD800;", "&amp;", "<a>", "<a href>", "<script>", "<",
        "https://matrix.to/#/", "!status C-1", "coopbot: ", "!link ", " dewey",
    ]),
    st.builds(lambda u, t: f'<a href="https://matrix.to/#/{u}">{t}', st.sampled_from(USER_IDS),
              st.text(max_size=6)),
    st.text(max_size=8),
)
body_text = st.one_of(
    st.sampled_from(["!status C-1", "coopbot: help", "@coopbot:example.org status C-1",
                     "> <@alice:example.org> quoted\n\n!help", "coopbot", "coopbot,", "",
                     "Coop Bot: help", "!"]),
    st.builds(lambda a, b: a + b, st.sampled_from(["!", "coopbot: ", "", "> x\n"]), free_text),
)
timestamps = st.one_of(st.integers(0, 2**41), st.integers(0, 2**41), st.integers(),
                       st.integers(-(2**70), 2**70),
                       st.sampled_from([-1, 2**63, 253402300800000, -62135596800001, 10**20]))
relations = st.one_of(
    st.builds(lambda e: {"m.in_reply_to": {"event_id": e}}, st.sampled_from(["$parent", ""])),
    st.builds(lambda r: {"rel_type": r, "event_id": "$root"},
              st.sampled_from(["m.replace", "m.thread", "m.annotation"])),
    st.just({"rel_type": "m.thread", "event_id": "$root", "m.in_reply_to": {"event_id": "$p"}}),
)
FIELDS = [("type",), ("sender",), ("event_id",), ("origin_server_ts",), ("content",),
          ("content", "msgtype"), ("content", "body"), ("content", "format"),
          ("content", "formatted_body"), ("content", "m.relates_to"),
          ("content", "m.relates_to", "m.in_reply_to"), ("content", "m.relates_to", "rel_type"),
          ("content", "m.mentions"), ("content", "m.mentions", "user_ids")]


@st.composite
def matrix_events(draw, html: bool) -> Any:
    """A well-formed ``m.room.message`` (so that it gets far into ``to_inbound``), then up to
    three of its fields, at any depth, replaced by random JSON of any type or left out.
    ``html``: with a random HTML body (the pills' reader), and a sane timestamp."""
    content: dict[str, Any] = {"msgtype": "m.text", "body": draw(body_text)}
    if html:
        content["format"] = "org.matrix.custom.html"
        pieces = draw(st.lists(html_piece, max_size=6))
        pill = f'<a href="https://matrix.to/#/{draw(st.sampled_from(USER_IDS))}">x</a>'
        pieces.insert(draw(st.integers(0, len(pieces))), pill)  # else the HTML is not read
        content["formatted_body"] = "".join(pieces)
    if draw(st.booleans()):
        content["m.relates_to"] = draw(relations)
    if draw(st.booleans()):
        content["m.mentions"] = {"user_ids": draw(st.lists(
            st.one_of(st.sampled_from(USER_IDS), json_scalar), max_size=3))}
    event = {"type": "m.room.message", "sender": draw(st.sampled_from(USER_IDS)),
             "event_id": "$event", "content": content,
             "origin_server_ts": draw(st.integers(0, 2**41) if html else timestamps)}
    for path in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        parent = event
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            value = draw(st.one_of(json_any, st.just(MISSING)))
            if value is MISSING:
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = value
    return event


ADDRESSEES = st.builds(Addressee.for_bot, st.just("@coopbot:example.org"),
                      st.sampled_from(["!", "?", "!!"]),
                      st.one_of(st.none(), st.sampled_from(["Coop Bot", "ß", "İ", "", " "]),
                                st.text(max_size=6)))


def check_inbound(event: Any, addressee: Addressee, venue: Venue) -> None:
    note(json.dumps(event, default=repr, ensure_ascii=False))
    inbound = to_inbound(event, addressee, venue=venue, group="sem")  # must not raise
    assert inbound is None or isinstance(inbound, Inbound)
    if inbound is not None:
        assert isinstance(inbound.text, str) and inbound.at.tzinfo is not None
        assert all(isinstance(m, str) for m in inbound.mentions)
    root = thread_root(event)
    assert root is None or isinstance(root, str)


@given(event=weighted((4, matrix_events(html=False)), (1, json_any)),
       addressee=ADDRESSEES, venue=st.sampled_from([Venue.ROOM, Venue.DM]))
def test_matrix_events_become_inbound_or_none(event, addressee, venue):
    """``to_inbound`` on random nested JSON, with wrong types for content, body,
    m.relates_to, m.mentions and origin_server_ts: None or an Inbound, never an exception."""
    check_inbound(event, addressee, venue)


@given(event=matrix_events(html=True), addressee=ADDRESSEES,
       venue=st.sampled_from([Venue.ROOM, Venue.DM]))
def test_matrix_html_bodies_become_inbound_or_none(event, addressee, venue):
    """The same with a random ``formatted_body``: pills, reply fallbacks, broken markup."""
    check_inbound(event, addressee, venue)
