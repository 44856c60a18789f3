"""Fuzz of forum replies: the raw text of a post is read as an objection, a support, a
withdrawal or discussion without raising, and the command line made of it is one line;
through ``ForumAdapter.apply_post`` and the real engine, a post is answered at most once,
never with ``err.internal``, and a refusal changes nothing but the adapter's own record of
the posts it read.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from hypothesis import given, note
from hypothesis import strategies as st

from bot.forum import EVENT_PREFIX, ForumAdapter
from commands.forum_text import ReplyCommand, ReplyWords, command_text, read_reply
from tests.fuzzing import (
    FORUM,
    INTERNAL,
    SPACES,
    LogTrap,
    ReplySpy,
    free_text,
    fresh,
    plain_text,
    serials,
    state,
    weighted,
)

# --- forum posts ---------------------------------------------------------------------------------

reply_words = st.builds(
    ReplyWords,
    st.lists(plain_text, min_size=1, max_size=3).map(tuple) | st.just(("objection", "object")),
    st.lists(plain_text, min_size=1, max_size=3).map(tuple) | st.just(("support", "+1")),
    st.lists(plain_text, min_size=1, max_size=3).map(tuple) | st.just(("withdraw",)),
)
KEYWORDS = ["objection", "Objection:", "OBJECTION!", "object", "bezwaar", "+1", "support",
            "soutien", "steun", "withdraw", "retrait", "intrekken", "je-m-oppose", "…", ""]
post_raw = weighted(
    (4, st.builds(lambda k, s, r: k + s + r, st.sampled_from(KEYWORDS), st.sampled_from(SPACES),
                  free_text)),
    (1, free_text), (1, st.text(max_size=60)),
)


@given(raw=post_raw, words=reply_words, number=st.integers(0, 10**12),
       prefix=st.sampled_from(["!", "?", "!!!"]))
def test_forum_reply_text_never_raises(raw, words, number, prefix):
    reply = read_reply(raw, words)
    assert reply is None or (isinstance(reply, ReplyCommand)
                             and reply.kind in ("object", "support", "withdraw"))
    if reply is not None:
        line = command_text(reply, f"C-{number}", prefix)
        assert line.startswith(prefix) and "\n" not in line


@given(posts=st.lists(st.tuples(
    st.sampled_from(["alice", "Alice", "x", "eve", "coopbot", "al\u200bice", "🙂"]),
    st.sampled_from([101, 102, 103]), post_raw, st.integers(1, 3),
    st.timedeltas(min_value=timedelta(days=-20), max_value=timedelta(days=20))),
    min_size=1, max_size=4))
def test_forum_posts_through_the_adapter(template, posts):
    """``ForumAdapter.apply_post``: a reply's raw text becomes a command (or discussion)
    without raising; the command is answered once, never with err.internal, and an engine
    refusal changes nothing but the adapter's own record of the posts it read."""
    with fresh(template) as h, ReplySpy() as spy, LogTrap() as trap:
        runtime = SimpleNamespace(repo=h.repo, engine=h.engine, clock=h.clock, config=h.config)
        adapter = ForumAdapter(runtime, FORUM, client=None)
        for username, topic, raw, version, offset in posts:
            post_id = next(serials) + 10_000
            created = h.clock.now() + offset
            post = {"id": post_id, "topic_id": topic, "post_number": 2, "post_type": 1,
                    "username": username, "raw": raw, "version": version,
                    "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "updated_at": h.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")}
            what = f"forum post by {username} in topic {topic}: {raw!r}"
            note(what)
            before = state(h)
            handled = adapter.apply_post(post)  # must not raise
            trap.check(f"crashed on {what}")
            rows = h.sent()
            assert not [r for r in rows if any(t in r["plain"] for t in INTERNAL)], what
            event_id = f"{EVENT_PREFIX}{post_id}"
            replies = [r for r in rows if r["reply_to"] == event_id]
            assert len(replies) <= 1, what
            if handled and any(k.startswith("err.") for k in spy.keys.get(event_id, [])):
                after = state(h)
                for table in ("forum_posts", "forum_unlinked"):
                    before.pop(table, None), after.pop(table, None)
                changed = {t for t in after if after[t] != before.get(t)}
                assert not changed, f"refused but changed {sorted(changed)}: {what}"
            h.clock.advance(timedelta(seconds=7))
