"""Forum identities are usernames, and a username given up by a rename can be registered by
anyone: the account first seen under a linked name is the only one that speaks for its
member, until ``!link`` names it again (``bot/forum.py``, ``same_account``)."""

from __future__ import annotations

import pytest
import pytest_asyncio

from commands.events import Inbound, Venue
from tests.forum.test_forum_adapter import ALICE, OBJECTION, Env, fmt


@pytest_asyncio.fixture
async def env(fake_forum, tmp_path):
    fake_forum.add_user("bob", name="Bob")
    e = Env(fake_forum, str(tmp_path / "coopbot.db"))
    yield e
    e.stop()


async def _bob_supports_then_renames(env: Env) -> int:
    """Bob (linked to Réseau Transition) supports C-1 from his account, renames it, and
    someone else registers the name ``bob``; returns the topic id."""
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    env.fake.clock = env.clock.now
    env.fake.user_reply(topic_id, "bob", "support they compost with us",
                        created_at=fmt(env.clock.now()))
    await env.sync()
    assert [s.person for s in env.repo.supports("sem:C-1")] == ["forum:bob"]
    env.fake.rename_user("bob", "bob_transition")
    env.fake.add_user("bob", name="Not Bob")
    return topic_id


@pytest.mark.asyncio
async def test_a_name_taken_again_after_a_rename_speaks_for_nobody(env):
    topic_id = await _bob_supports_then_renames(env)
    env.fake.user_reply(topic_id, "bob", OBJECTION, created_at=fmt(env.clock.now()))
    await env.sync()
    assert env.state() == "open"
    assert env.repo.objections("sem:C-1") == []
    [told] = [p for p in env.fake.posts.values() if "another account" in p.raw]
    assert "changes nothing" in told.raw
    dms = [r for r in env.outbox("dm") if r["target"] == "@carol:example.org"]
    assert "linked to 'Réseau Transition'" in dms[-1]["plain"], dms
    assert "!link forum:bob transition" in dms[-1]["plain"]


@pytest.mark.asyncio
async def test_linked_again_the_account_now_holding_the_name_counts(env):
    topic_id = await _bob_supports_then_renames(env)
    env.runtime.engine.handle(Inbound("$relink", ALICE, "!link forum:bob transition",
                                      env.clock.now(), Venue.ROOM, "sem"))
    env.fake.user_reply(topic_id, "bob", OBJECTION, created_at=fmt(env.clock.now()))
    await env.sync()
    assert env.state() == "contested"
    assert [o.person for o in env.repo.objections("sem:C-1")] == ["forum:bob"]


@pytest.mark.asyncio
async def test_a_proposal_topic_opened_under_a_name_taken_again_opens_nothing(fake_forum, tmp_path):
    from tests.forum.test_forum_born import TEMPLATE, BornEnv

    fake_forum.add_user("bob", name="Bob")
    born = BornEnv(fake_forum, str(tmp_path / "born.db"))
    try:
        await _bob_supports_then_renames(born)
        topic_id = born.open_topic("bob", TEMPLATE.replace("Les Amis du Compost", "Repair"))
        await born.sync()
        assert [p.candidate for p in born.proposals()] == ["Les Amis du Compost"]
        [refusal] = born.bot_posts(topic_id)
        assert "your forum account (bob) is not linked" in refusal.text
    finally:
        born.stop()
