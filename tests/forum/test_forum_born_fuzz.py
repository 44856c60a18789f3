"""Fuzz of proposals born in the forum, the way ``tests/test_fuzz_*.py`` fuzz every parser:
any first post (labels in any language and case, markdown, invisible and control characters,
names and texts around the limits) is read without raising; a template means what the chat
form ``!propose`` means; through the adapter and the real engine, a first post is answered
at most once per version, never with err.internal, a refusal changes nothing but the
adapter's records, and a topic never opens two proposals."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from hypothesis import given, note
from hypothesis import strategies as st

from bot.forum import ForumAdapter
from bot.forum_born import BORN_PREFIX
from commands.forum_template import problems, propose_text, read_template
from tests.forum.test_forum_born import engine_reads
from tests.fuzzing import (
    FORUM,
    INTERNAL,
    SPACES,
    LogTrap,
    ReplySpy,
    free_text,
    fresh,
    name_text,
    state,
    weighted,
)

LABELS = ["name", "Nom", "NAAM", "naam ", "why", "Pourquoi", "waarom", "reden", "raison",
          "website", "site", "url", "web", "contact", "description", "beschrijving",
          "charter 1", "charte 2", "principe 3", "beginsel 1", "charter 99999999999999",
          "name 2", "charter", "foo", "", "nom\u200b"]
DECORATIONS = [("", ""), ("**", "**"), ("- ", ""), ("> ", ""), ("* ", ""), ("__", "__"),
               ("**", ""), ("", "**")]
label_line = st.builds(
    lambda d, label, colon, value: f"{d[0]}{label}{d[1]}{colon}{value}",
    st.sampled_from(DECORATIONS), st.sampled_from(LABELS),
    st.sampled_from([":", ": ", " : ", ":** ", "", "\uff1a"]),
    weighted((3, name_text), (3, free_text)),
)
first_post_raw = weighted(
    (6, st.lists(weighted((3, label_line), (1, free_text), (1, st.sampled_from(SPACES))),
                 max_size=8).map("\n".join)),
    (1, free_text), (1, st.text(max_size=80)),
)


@given(raw=first_post_raw, charter=st.integers(0, 3))
def test_a_template_is_read_without_raising_and_means_what_propose_means(raw, charter):
    found = read_template(raw)  # never raises
    if found is None:
        return
    assert engine_reads(propose_text(found, "!")) == found.fields
    problems(found, charter, 4000, "!")  # never raises


@given(posts=st.lists(st.tuples(
    st.sampled_from(["alice", "Alice", "eve", "coopbot", "system", "bob"]),
    st.sampled_from([201, 202]), first_post_raw), min_size=1, max_size=4))
def test_first_posts_through_the_adapter(template, posts):
    """``ForumAdapter.apply_post`` for first posts in the group's category (the versions of
    two topics' first posts): the properties of the module docstring. ``forum:alice`` is
    linked (Dewey ASBL); the others are not, or are the bot and Discourse itself."""
    with fresh(template) as h, ReplySpy() as spy, LogTrap() as trap:
        runtime = SimpleNamespace(repo=h.repo, engine=h.engine, clock=h.clock, config=h.config)
        adapter = ForumAdapter(runtime, FORUM, client=None)
        adapter.categories = {"sem": 7}
        adapter.store.set_born_after(0)
        authors: dict[int, str] = {}
        for username, topic, raw in posts:
            username = authors.setdefault(topic, username)  # versions of one first post
            stamp = h.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
            post = {"id": 20_000 + topic, "topic_id": topic, "post_number": 1, "post_type": 1,
                    "category_id": 7, "username": username, "raw": raw, "version": 1,
                    "created_at": stamp, "updated_at": stamp}
            what = f"first post by {username} in topic {topic}: {raw!r}"
            note(what)
            before = state(h)
            opened_before = _opened(h, topic)
            handled = adapter.apply_post(post)  # must not raise
            trap.check(f"crashed on {what}")
            rows = h.sent()
            assert not [r for r in rows if any(t in r["plain"] for t in INTERNAL)], what
            answers = [r for r in rows if str(r["reply_to"] or "").startswith(BORN_PREFIX)]
            assert len(answers) <= 1, what
            opened = _opened(h, topic)
            assert len(opened) <= 1, f"two proposals from one topic: {what}"
            if opened and not opened_before:
                fields = read_template(raw).fields
                proposal = opened[0]
                assert (proposal["candidate"], proposal["rationale"]) == \
                    (fields["name"], fields["rationale"].strip()), what
                assert proposal["proposer"] == "forum:alice", what
            elif handled:
                event_ids = [e for e in spy.keys if e.startswith(BORN_PREFIX)]
                refused = any(k.startswith(("err.", "forum.born_refused"))
                              for e in event_ids for k in spy.keys[e])
                assert refused, f"neither opened nor refused: {what}"
                after = state(h)
                for table in ("forum_born", "forum_unlinked"):
                    before.pop(table, None), after.pop(table, None)
                earlier = before.pop("audit")
                added = [row for row in after.pop("audit") if row not in earlier]
                assert all(row["action"] == "forum_born_refused" for row in added), what
                changed = {t for t in after if after[t] != before.get(t)}
                assert not changed, f"refused but changed {sorted(changed)}: {what}"
            spy.keys.clear()
            h.clock.advance(timedelta(seconds=7))


def _opened(h, topic: int) -> list[dict]:
    """The proposals opened from a topic's first post (by the event ids of its versions)."""
    return list(h.repo.db.query("select * from proposals where event_id like ?",
                                [f"{BORN_PREFIX}{topic}:%"]))
