"""The weekly digest on the forum (issue 13, item 1): a topic of its own in the group's
category, made once (found by its external_id when an answer was lost), against the Discourse
fake with a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import pytest_asyncio

from bot.clock import FakeClock
from bot.config import parse
from bot.forum import ForumAdapter, NoSleepDiscourseClient
from bot.runtime import Runtime
from commands.events import Inbound, Venue

from .test_forum_adapter import CONFIG

UTC = timezone.utc
SUNDAY = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
MONDAY_10 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)   # 10:00 in Brussels
EID = "coopbot-sem-digest-2026-w45"


class DigestEnv:
    def __init__(self, fake, database: str) -> None:
        self.fake = fake
        self.clock = FakeClock(SUNDAY)
        text = CONFIG.format(database=database, url=fake.url)
        self.config = parse(text.replace('last_call = "24h"',
                                         'last_call = "24h"\ndigest = "lundi 10h"'))
        self.start()

    def start(self) -> None:
        self.runtime = Runtime(self.config, self.clock)
        self.runtime.prepare()
        client = NoSleepDiscourseClient(self.fake.url, api_username=self.fake.api_username,
                                        api_key=self.fake.api_key, timeout=5)
        self.adapter = ForumAdapter(self.runtime, self.config.discourse, client)
        self.runtime.watermarks.append(self.adapter.watermark)

    def restart(self) -> None:
        self.runtime.close()
        self.start()

    async def sync(self) -> None:
        await self.adapter.sync(decide=self.runtime.catch_up)

    def digest_topics(self):
        return [t for t in self.fake.topics.values() if t.external_id == EID]


@pytest_asyncio.fixture
async def env(fake_forum, tmp_path):
    e = DigestEnv(fake_forum, str(tmp_path / "coopbot.db"))
    yield e
    e.runtime.close()


@pytest.mark.asyncio
async def test_the_digest_gets_one_topic_in_the_category_even_when_the_answer_is_lost(env):
    env.fake.settings.api_post_memoize_seconds = 0
    env.runtime.engine.handle(Inbound("$p1", "@alice:example.org",
                                      '!propose "Les Amis du Compost" good neighbours',
                                      env.clock.now(), Venue.ROOM, "sem"))
    await env.sync()  # the proposal's topic
    assert env.digest_topics() == []
    env.clock.set(MONDAY_10 + timedelta(minutes=1))  # the first poll read past ten o'clock
    env.fake.drop_response_next(r"^/posts(\.json)?$", method="POST")
    await env.sync()  # the digest is made; its topic created, the answer lost
    assert len(env.digest_topics()) == 1
    env.clock.advance(timedelta(minutes=30))
    env.restart()
    await env.sync()
    await env.sync()
    topics = env.digest_topics()
    assert len(topics) == 1  # found by its external_id, not made again
    topic = topics[0]
    assert topic.category_id == env.fake.general_id
    assert topic.title == ("Weekly digest, week of Monday 2 November 2026 — Système "
                           "d'Échange du Mycélium")
    body = env.fake.posts[topic.post_ids[0]].text
    assert body.startswith("Weekly digest, week of Monday 2 November 2026")
    assert "C-1 Les Amis du Compost — on Friday 6 November 2026 at 13:00" in body
    row = next(iter(env.runtime.repo.db.query("select * from digests")))
    assert row["forum_topic_id"] == topic.id
    # The room had it once too.
    room = [r for r in env.runtime.repo.db.query("select * from outbox where venue = 'room'")
            if (r["subject"] or "").startswith("digest:")]
    assert len(room) == 1
    before = len(env.fake.requests_to("POST"))
    env.clock.advance(timedelta(days=1))
    await env.sync()
    assert len(env.fake.requests_to("POST")) == before


@pytest.mark.asyncio
async def test_a_quiet_week_makes_no_topic(env):
    env.clock.set(MONDAY_10 + timedelta(minutes=5))
    await env.sync()
    await env.sync()
    assert env.digest_topics() == []
    assert [r["posted"] for r in env.runtime.repo.db.query("select * from digests")] == [0]
