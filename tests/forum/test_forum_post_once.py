"""Forum posts of the bot's are never doubled: each carries a marker in its raw, and after a
crash or a lost answer the bot finds its earlier post by that marker instead of posting again.

The fake forum runs on the test's clock (``fake.clock = env.clock.now``), so a restart "long
after" is also past Discourse's 120 s memo of identical API posts: only the marker can help.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from commands.forum_text import marked, marker, quiet, trailing_marker

from .test_forum_adapter import OBJECTION, env, fmt  # noqa: F401  (env is a fixture)

POSTS = r"^/posts(\.json)?$"


class Crash(Exception):
    """The process dies: here, after the forum made the post, before the bot stored its id."""


def crash_after_posting(env) -> None:
    """The next post id the adapter stores is never stored (the transaction rolls back)."""
    def crash(attempt: str) -> None:
        raise Crash(attempt)
    env.adapter._forget = crash


def ignore_username_filter(env) -> None:
    """A forum that ignores ``username_filters``: every post comes back, by whomever."""
    plain = env.adapter.client.topic_posts
    env.adapter.client.topic_posts = lambda topic_id, **kwargs: plain(
        topic_id, **{k: v for k, v in kwargs.items() if k != "username_filters"})


def bot_posts(env, topic_id: int, tag: str) -> list:
    """The bot's replies in the topic whose raw ends with ``tag``."""
    return [p for p in env.fake.topic_posts(topic_id)
            if p.user_id == env.fake.api_user.id and p.post_number > 1
            and p.raw.rstrip().endswith(tag)]


async def start_topic(env) -> int:
    env.fake.clock = env.clock.now
    env.propose()
    await env.sync()
    return env.topic_id()


async def object_and_fail(env, topic_id: int, failure: str) -> dict:
    """Bob objects; the bot's answer fails as told. Returns the answer's outbox row."""
    env.fake.user_reply(topic_id, "bob", OBJECTION, created_at=fmt(env.clock.now()))
    env.clock.advance(timedelta(minutes=1))
    if failure == "crash":
        crash_after_posting(env)
        with pytest.raises(Crash):
            await env.sync()
    else:
        if failure == "lost":   # made on the forum, the answer never arrives
            env.fake.drop_response_next(POSTS, method="POST")
        else:                   # "refused": a 500 before anything was made
            env.fake.fail_next(1, 500, path=POSTS, method="POST")
        await env.sync()
    row = env.outbox("forum")[-1]
    assert row["sent_at"] is None and row["plain"]
    return row


def restart_later(env) -> None:
    env.restart()
    env.clock.advance(timedelta(minutes=10))  # far past Discourse's 120 s memo


# --- pure pieces -------------------------------------------------------------------------

def test_a_marker_names_one_post_and_counts_only_at_its_end():
    assert marker("outcome", "sem:C-3") == "<!-- coopbot:outcome:sem:C-3 -->"
    assert "--" not in marker("outbox", "a -- b>c")[4:-3]  # cannot end the comment early
    twelve = marker("outbox", "12")
    assert trailing_marker(marked("@bob Objection recorded.", twelve)) == twelve
    assert trailing_marker("@bob ok\n\n<!--coopbot:outbox:12-->  \n") == twelve  # spacing aside
    assert trailing_marker(marked("x", twelve)) != marker("outbox", "1")
    # a marker echoed from someone's text is not the post's own
    echoed = marked(f"@bob your reason: {marker('outbox', '13')} indeed", twelve)
    assert trailing_marker(echoed) == twelve
    assert trailing_marker(f"{marker('outbox', '13')}\n\nand then some text") is None


# --- replies to forum commands -----------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize("failure", ["lost", "crash"])
async def test_a_reply_is_made_once_across_a_lost_answer_or_a_crash(env, failure):
    topic_id = await start_topic(env)
    row = await object_and_fail(env, topic_id, failure)
    tag = marker("outbox", row["txn_id"])
    assert len(bot_posts(env, topic_id, tag)) == 1  # the forum made it
    creates = len(env.posts_requests())
    restart_later(env)
    await env.sync()
    mine = bot_posts(env, topic_id, tag)
    assert len(mine) == 1 and len(env.posts_requests()) == creates  # found, not made again
    row = env.repo.outbox_row(row["id"])
    assert row["sent_at"] and row["remote_id"] == str(mine[0].id)
    assert mine[0].raw.startswith("@bob ") and "coopbot:" not in mine[0].cooked  # hidden
    assert env.repo.meta(f"forum:reply_attempt:{row['id']}") is None  # no mark left behind


@pytest.mark.asyncio
async def test_the_earlier_reply_is_found_pages_deep_in_a_long_topic(env):
    topic_id = await start_topic(env)
    for i in range(25):  # older answers of the bot's, and discussion: two pages of the bot's
        older = marked(f"@alice an older answer, number {i}", marker("outbox", str(900 + i)))
        env.fake.user_reply(topic_id, "coopbot", older)
        env.fake.user_reply(topic_id, "alice", f"thanks, that answers my question {i}")
    row = await object_and_fail(env, topic_id, "lost")
    restart_later(env)
    # Delivered before any poll: a poll would read the post back (its echo) and spare the
    # search; here only the topic can tell.
    await env.adapter.deliver_outbox()
    mine = bot_posts(env, topic_id, marker("outbox", row["txn_id"]))
    assert len(mine) == 1
    assert env.repo.outbox_row(row["id"])["remote_id"] == str(mine[0].id)
    assert len(env.fake.requests_to("GET", rf"^/t/{topic_id}/posts")) >= 2  # paged


@pytest.mark.asyncio
@pytest.mark.parametrize("made", [True, False], ids=["made", "never-made"])
@pytest.mark.parametrize("decoy", ["quote", "forged"])
async def test_only_the_bots_own_marked_post_counts(env, decoy, made):
    topic_id = await start_topic(env)
    row = await object_and_fail(env, topic_id, "lost" if made else "refused")
    tag = marker("outbox", row["txn_id"])
    text = f"@bob {quiet(row['plain'])}"
    if decoy == "quote":  # the bot's words without its marker, by someone else
        quote = f'[quote="coopbot"]\n{text}\n[/quote]\nso it is contested'
        env.fake.user_reply(topic_id, "alice", quote)
    else:                 # the bot's words and its marker, typed by someone else
        env.fake.user_reply(topic_id, "eve", marked(text, tag))
    restart_later(env)
    ignore_username_filter(env)  # the bot checks the author itself
    await env.sync()
    mine = bot_posts(env, topic_id, tag)
    assert len(mine) == 1
    assert env.repo.outbox_row(row["id"])["remote_id"] == str(mine[0].id)


# --- the outcome -------------------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize("failure", ["lost", "crash"])
async def test_the_outcome_is_made_once_in_a_long_topic(env, failure):
    topic_id = await start_topic(env)
    for i in range(30):  # more than a page of discussion before the outcome
        env.fake.user_reply(topic_id, "alice" if i % 2 else "eve",
                            f"a thought about compost, number {i}")
    env.clock.advance(timedelta(days=5, minutes=1))
    if failure == "crash":
        crash_after_posting(env)
        with pytest.raises(Crash):
            await env.sync()
    else:
        env.fake.drop_response_next(POSTS, method="POST")
        await env.sync()
    assert env.state() == "validated"
    tag = marker("outcome", "sem:C-1")
    assert len(bot_posts(env, topic_id, tag)) == 1  # made, its id not stored
    restart_later(env)
    await env.sync()
    outcomes = [p for p in env.fake.topic_posts(topic_id) if "Decision on C-1" in p.text]
    assert len(outcomes) == 1 and outcomes[0].raw.rstrip().endswith(tag)
    assert "coopbot:" not in outcomes[0].cooked
    row = next(iter(env.repo.db.query("select * from forum_topics where proposal = 'sem:C-1'")))
    assert row["outcome_post_id"] == outcomes[0].id and env.fake.topics[topic_id].closed
    assert env.repo.meta("forum:outcome_attempt:sem:C-1") is None
