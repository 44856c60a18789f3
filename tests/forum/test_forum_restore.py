"""A restore from a backup, through the forum fake: the reply typed after the backup is read
again and counts again, and the bot recognises its earlier answer by its marker (read back by
the poll) instead of answering twice. The restore is the README's: stop, copy back, start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.backup import backup
from commands.forum_text import marker
from tests.test_backup import restore

from .test_forum_adapter import OBJECTION, env, fmt  # noqa: F401  (env is a fixture)


@pytest.mark.asyncio
async def test_after_a_restore_a_reply_read_again_is_not_answered_twice(env, tmp_path):
    env.fake.clock = env.clock.now
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    saved = tmp_path / "saved"
    backup(env.config, saved, env.clock.now())          # while the bot runs

    env.fake.user_reply(topic_id, "bob", OBJECTION, created_at=fmt(env.clock.now()))
    env.clock.advance(timedelta(minutes=1))
    await env.sync()
    assert env.state() == "contested"
    [answer] = env.outbox("forum")
    tag = marker("outbox", answer["txn_id"])
    posts = len(env.posts_requests())

    env.stop()                                           # stop, copy back, start
    restore(saved, Path(env.database))
    env.clock.advance(timedelta(hours=2))
    env.start()
    assert env.state() == "open" and env.outbox("forum") == []  # the backup's moment
    await env.sync()
    assert env.state() == "contested"                    # the objection, read again
    [objection] = env.repo.objections("sem:C-1")
    assert objection.person == "forum:bob"
    [again] = env.outbox("forum")
    assert again["txn_id"] == answer["txn_id"] and again["sent_at"]
    mine = [p for p in env.fake.topic_posts(topic_id) if p.raw.rstrip().endswith(tag)]
    assert len(mine) == 1 and again["remote_id"] == str(mine[0].id)
    assert len(env.posts_requests()) == posts            # nothing posted twice


