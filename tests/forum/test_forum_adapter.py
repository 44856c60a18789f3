"""The forum adapter against the Discourse fake (every answer validated against the OpenAPI
description), with the real engine over a SQLite file and a fake clock: no sleeps, no timing
asserts. One ``adapter.sync()`` is one pass of the adapter's loop."""

from __future__ import annotations

from datetime import timedelta

import pytest
import pytest_asyncio
from aiohttp import web

from bot.clock import FakeClock
from bot.config import parse
from bot.forum import ForumAdapter, NoSleepDiscourseClient
from bot.runtime import Runtime
from commands.events import Inbound, Venue
from commands.forum_text import ReplyWords, command_text, external_id, read_reply

CONFIG = """
[bot]
database = "{database}"

[discourse]
url = "{url}"
api_username = "coopbot"
api_key_env = "COOPBOT_TEST_DISCOURSE_KEY"
poll_interval = "60s"

[[groups]]
slug = "sem"
name = "Système d'Échange du Mycélium"
language = "en"
matrix_room = "#sem:example.org"
discourse_category = "general"
silence_window = "5d"
last_call = "24h"
admins = ["@alice:example.org"]
core = ["@alice:example.org"]
registrar = ["@carol:example.org"]

[[groups.members]]
slug = "dewey"
name = "Dewey ASBL"
matrix = ["@alice:example.org"]
discourse = ["alice"]

[[groups.members]]
slug = "transition"
name = "Réseau Transition"
matrix = ["@bob:example.org"]
discourse = ["Bob"]

[[groups.members]]
slug = "singularites"
name = "Petites Singularités"
matrix = ["@carol:example.org"]
"""

ALICE = "@alice:example.org"
OBJECTION = "objection they are not a cooperative at all"


def fmt(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Env:
    def __init__(self, fake, database: str) -> None:
        self.fake = fake
        self.database = database
        self.clock = FakeClock()
        self.config = parse(CONFIG.format(database=database, url=fake.url))
        self.start()

    def start(self) -> None:
        self.runtime = Runtime(self.config, self.clock)
        self.runtime.prepare()
        client = NoSleepDiscourseClient(self.fake.url, api_username=self.fake.api_username,
                                        api_key=self.fake.api_key, timeout=5)
        self.adapter = ForumAdapter(self.runtime, self.config.discourse, client)
        self.runtime.watermarks.append(self.adapter.watermark)

    def stop(self) -> None:
        self.runtime.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    async def sync(self) -> None:
        await self.adapter.sync(decide=self.runtime.catch_up)

    def propose(self) -> None:
        self.runtime.engine.handle(Inbound(
            "$propose", ALICE, '!propose "Les Amis du Compost" good neighbours who compost',
            self.clock.now(), Venue.ROOM, "sem"))

    @property
    def repo(self):
        return self.runtime.repo

    def state(self) -> str:
        return self.repo.proposal("sem", 1).state

    def topic_id(self) -> int:
        row = next(iter(self.repo.db.query("select * from forum_topics where proposal = 'sem:C-1'")))
        return row["topic_id"]

    def outbox(self, venue: str) -> list[dict]:
        return list(self.repo.db.query("select * from outbox where venue = ? order by id", [venue]))

    def posts_requests(self, method: str = "POST", path: str = r"^/posts(\.json)?$"):
        return self.fake.requests_to(method, path)


@pytest_asyncio.fixture
async def env(fake_forum, tmp_path):
    fake_forum.add_user("bob", name="Bob")
    fake_forum.add_user("eve", name="Eve")
    e = Env(fake_forum, str(tmp_path / "coopbot.db"))
    yield e
    e.stop()


# --- pure pieces -------------------------------------------------------------------------

WORDS = ReplyWords(("objection", "object", "bezwaar"), ("support", "+1"), ("withdraw",))


def test_reply_keywords():
    assert read_reply("Objection: not a coop", WORDS).kind == "object"
    assert read_reply("objection: not a coop", WORDS).rest == "not a coop"
    assert read_reply("+1", WORDS).kind == "support"
    assert read_reply("BEZWAAR\ngeen coöperatie", WORDS).rest == "geen coöperatie"
    assert read_reply("I object to the agenda", WORDS) is None  # not the first word
    assert read_reply("objectionable wording", WORDS) is None
    assert command_text(read_reply("object  two\nlines", WORDS), "C-3", "!") == "!object C-3 two lines"
    assert command_text(read_reply("withdraw, sorry", WORDS), "C-3", "!") == "!withdraw C-3"
    assert external_id("sem:C-3") == "coopbot-sem-c-3"
    assert len(external_id("x" * 80 + ":C-3")) <= 50


def test_reply_keywords_read_as_the_reader_sees_them():
    """The first word of the writer's own words: after the quotes a reply starts with
    (Discourse's "quote" button, a Markdown quote), without emphasis or invisible
    characters around it; a quoted objection is never the quoter's."""
    quoted = '[quote="bob, post:3, topic:7"]\nobjection not a coop\n[/quote]\n\n'
    assert read_reply(quoted + "objection I agree with Bob", WORDS).kind == "object"
    assert read_reply(quoted + "objection I agree", WORDS).rest == "I agree"
    assert read_reply(quoted + "Thanks Bob, I see it otherwise", WORDS) is None
    assert read_reply(quoted.strip(), WORDS) is None
    nested = '[quote="a"]\n[quote="b"]\nsupport\n[/quote]\nobjection\n[/quote]\nI wonder'
    assert read_reply(nested, WORDS) is None
    assert read_reply('[quote="bob"]\nobjection never closed', WORDS) is None
    assert read_reply("> objection not a coop\n\nsupport they are", WORDS).kind == "support"
    assert read_reply("> objection not a coop\nlazily still quoted", WORDS) is None
    assert read_reply("**Objection**: not a coop", WORDS).rest == "not a coop"
    assert read_reply("_objection_ not a coop", WORDS).kind == "object"
    assert read_reply("\ufeff\u200bobjection not a coop", WORDS).kind == "object"
    assert read_reply("~~objection~~ support", WORDS) is None  # struck out: not said


# --- topics ------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_topic_created_once_even_when_the_answer_is_lost(env):
    env.fake.settings.api_post_memoize_seconds = 0  # no help from Discourse's memo
    env.propose()
    env.fake.drop_response_next(r"^/posts(\.json)?$", method="POST")
    await env.sync()
    assert env.fake.topic_by_external_id("coopbot-sem-c-1") is not None  # created, answer lost
    assert env.adapter.deferred["topic:sem:C-1"].reason == "error"
    await env.sync()  # still backing off: no new request
    assert len(env.posts_requests()) == 1
    env.clock.advance(timedelta(seconds=5))
    await env.sync()
    topics = [t for t in env.fake.topics.values() if t.external_id == "coopbot-sem-c-1"]
    assert len(topics) == 1 and env.topic_id() == topics[0].id
    assert len(env.posts_requests()) == 1  # found by external_id, not created again
    first = env.fake.posts[topics[0].post_ids[0]].raw
    assert "Les Amis du Compost" in first and "https://matrix.to/#/#sem:example.org" in first
    assert "objection" in first  # how to object by replying
    room = [r["plain"] for r in env.outbox("room") if "forum" in r["plain"]]
    assert room == [f"C-1 (Les Amis du Compost) is also discussed on the forum: {env.fake.url}/t/{topics[0].id}"]


@pytest.mark.asyncio
async def test_status_block_updated_then_outcome_posted_and_topic_closed(env):
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    env.fake.user_reply(topic_id, "bob", "support they run the best compost in town",
                        created_at=fmt(env.clock.now() + timedelta(hours=1)))
    env.clock.advance(timedelta(hours=2))
    await env.sync()
    first = env.fake.posts[env.fake.topics[topic_id].post_ids[0]]
    # A forum user is shown by their username, as the forum shows it.
    assert "<li>bob (Réseau Transition)</li>" in first.cooked and "State: open" in first.text
    env.clock.advance(timedelta(days=5))
    await env.sync()
    assert env.state() == "validated"
    topic = env.fake.topics[topic_id]
    assert topic.closed
    assert "State: validated" in env.fake.posts[topic.post_ids[0]].text
    assert any("Decision on C-1" in p.text and "validated" in p.text
               for p in env.fake.topic_posts(topic_id))
    before = len(env.fake.requests)
    await env.sync()
    assert [r.method for r in env.fake.requests[before:]] == ["GET"]  # only the poll: all done once


# --- replies -----------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_forum_objection_blocks_validation(env):
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    env.fake.user_reply(topic_id, "alice", "I am curious to meet them, this sounds nice.",
                        created_at=fmt(env.clock.now()))
    env.fake.user_reply(topic_id, "bob", OBJECTION, created_at=fmt(env.clock.now()))
    env.clock.advance(timedelta(minutes=1))
    await env.sync()
    assert env.state() == "contested"
    objection = env.repo.objections("sem:C-1")[0]
    assert (objection.person, objection.member) == ("forum:bob", "transition")
    assert objection.reason == "they are not a cooperative at all"
    answers = [p for p in env.fake.topic_posts(topic_id) if p.raw.startswith("@bob ")]
    assert len(answers) == 1  # the engine's confirmation, in the topic
    env.clock.advance(timedelta(days=6))
    await env.sync()
    assert env.state() == "contested"
    assert not env.fake.topics[topic_id].closed


@pytest.mark.asyncio
async def test_unlinked_user_is_answered_once_and_the_registrar_told(env):
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    env.fake.user_reply(topic_id, "eve", OBJECTION, created_at=fmt(env.clock.now()))
    await env.sync()
    env.fake.user_reply(topic_id, "eve", "objection and I insist on it very much",
                        created_at=fmt(env.clock.now()))
    await env.sync()
    assert env.state() == "open" and env.repo.objections("sem:C-1") == []
    answers = [p.raw for p in env.fake.topic_posts(topic_id) if p.raw.startswith("@eve ")]
    assert len(answers) == 1 and "not linked" in answers[0]
    dms = env.outbox("dm")
    assert [r["target"] for r in dms] == ["@carol:example.org"]
    assert "!link forum:eve <member>" in dms[0]["plain"]


@pytest.mark.asyncio
async def test_objection_made_while_the_bot_was_stopped_counts_after_restart(env):
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    env.stop()
    env.fake.user_reply(topic_id, "bob", OBJECTION,
                        created_at=fmt(env.clock.now() + timedelta(days=4)))
    env.clock.advance(timedelta(days=6))  # past the deadline
    env.start()
    env.runtime.catch_up()  # nothing read yet: no deadline may be decided
    assert env.state() == "open"
    await env.sync()
    assert env.state() == "contested"
    assert env.repo.objections("sem:C-1")[0].person == "forum:bob"


# --- failures ----------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_429_storm_defers_work_without_blocking(env):
    env.propose()
    env.fake.rate_limit_next(3, wait_seconds=30)
    start = env.clock.now()
    for _ in range(3):
        before = len(env.fake.requests)
        await env.sync()
        assert [r.status for r in env.fake.requests[before:]] == [429]  # one try, then deferred
        assert env.adapter.gate_until == env.clock.now() + timedelta(seconds=30)
        before = len(env.fake.requests)
        await env.sync()  # inside the window: no request at all
        assert len(env.fake.requests) == before
        # the rest of the bot runs on meanwhile
        assert env.runtime.engine.handle(Inbound(
            f"$status{len(env.fake.requests)}", ALICE, "!status C-1", env.clock.now(), Venue.ROOM, "sem"))
        env.clock.advance(timedelta(seconds=30))
    await env.sync()
    assert env.clock.now() - start == timedelta(seconds=90)
    assert [t.id for t in env.fake.topics.values() if t.external_id == "coopbot-sem-c-1"] == [env.topic_id()]


@pytest.mark.asyncio
async def test_server_errors_are_retried_with_backoff(env):
    env.propose()
    env.fake.fail_next(2, 500, path=r"^/posts(\.json)?$", method="POST")
    await env.sync()
    assert env.adapter.deferred["topic:sem:C-1"].failures == 1
    env.clock.advance(timedelta(seconds=5))
    await env.sync()
    waiting = env.adapter.deferred["topic:sem:C-1"]
    assert waiting.failures == 2 and waiting.until == env.clock.now() + timedelta(seconds=10)
    env.clock.advance(timedelta(seconds=9))
    await env.sync()
    assert len(env.posts_requests()) == 2  # not yet
    env.clock.advance(timedelta(seconds=1))
    await env.sync()
    assert "topic:sem:C-1" not in env.adapter.deferred
    assert len([t for t in env.fake.topics.values() if t.external_id == "coopbot-sem-c-1"]) == 1


# --- webhook -----------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_webhook_signed_accepted_unsigned_and_wrong_rejected(env):
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    runner = web.AppRunner(env.adapter.webhook_app("s3cret"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/discourse"
    try:
        reply = env.fake.user_reply(topic_id, "bob", OBJECTION, created_at=fmt(env.clock.now()))
        unsigned = await env.fake.send_webhook(url, "post_created", reply["id"], None)
        wrong = await env.fake.send_webhook(url, "post_created", reply["id"], "not-the-secret")
        assert (unsigned.status, wrong.status) == (401, 403)
        assert env.state() == "open"
        signed = await env.fake.send_webhook(url, "post_created", reply["id"], "s3cret")
        assert signed.status == 200
        assert env.state() == "contested"  # applied without a poll
        again = await env.fake.send_webhook(url, "post_created", reply["id"], "s3cret")
        assert again.status == 200 and len(env.repo.objections("sem:C-1")) == 1
        await env.sync()  # the poll sees the same post: applied once only
        assert len(env.repo.objections("sem:C-1")) == 1
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_a_poll_just_after_the_deadline_leaves_a_margin_for_a_post_still_being_saved(env):
    """A poll that starts a second after the deadline cannot vouch for the posts stamped just
    before it (one still being saved, or stamped by a forum clock a little behind ours): the
    watermark stays two seconds behind the poll's start, as Matrix's does, and the next
    poll reads the objection before the deadline is decided."""
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    deadline = env.clock.now() + timedelta(days=5)
    env.clock.set(deadline + timedelta(seconds=1))
    await env.sync()
    assert env.state() == "open"  # not decided on a read that started too close to it
    env.fake.user_reply(topic_id, "bob", OBJECTION,
                        created_at=fmt(deadline - timedelta(seconds=1)))
    env.clock.set(deadline + timedelta(minutes=1))
    await env.sync()
    assert env.state() == "contested"


@pytest.mark.asyncio
async def test_an_objection_edited_in_after_the_deadline_is_late(env):
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    deadline = env.clock.now() + timedelta(days=5)
    env.clock.set(deadline - timedelta(minutes=10))
    await env.sync()
    env.stop()  # down 10 minutes before the deadline: too short to extend the window
    post = env.fake.user_reply(topic_id, "bob", "nice compost, I wonder about their statutes",
                               created_at=fmt(deadline - timedelta(minutes=5)))
    # while the bot is down, bob turns his discussion into an objection after the deadline
    env.clock.set(deadline + timedelta(days=2))
    env.fake.clock = lambda: deadline + timedelta(days=2)
    env.fake.edit_post(post["id"], "objection their statutes are not democratic")
    env.start()
    await env.sync()
    assert env.state() == "validated"


@pytest.mark.asyncio
async def test_an_objection_hidden_then_restored_before_the_deadline_counts(env):
    """``GET /posts.json`` leaves hidden posts out, and the cursor then moves past them: a
    reply hidden by flags when a poll ran, restored by a moderator later, is read by the
    full read of its topic that comes before its deadline is decided."""
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    env.fake.clock = env.clock.now
    post = env.fake.user_reply(topic_id, "bob", OBJECTION, created_at=fmt(env.clock.now()))
    env.fake.posts[post["id"]].hidden = True  # hidden by community flags at once
    env.fake.user_reply(topic_id, "alice", "looking forward to meeting them soon",
                        created_at=fmt(env.clock.now()))
    env.clock.advance(timedelta(minutes=1))
    await env.sync()
    assert env.repo.objections("sem:C-1") == []
    env.clock.advance(timedelta(days=1))
    env.fake.posts[post["id"]].hidden = False  # a moderator restores it
    await env.sync()
    env.clock.advance(timedelta(days=5))  # past the deadline
    await env.sync()
    assert env.state() == "contested"
    assert env.repo.objections("sem:C-1")[0].person == "forum:bob"
    before = len(env.fake.requests)
    await env.sync()  # read in full once: no request more than the poll's
    assert [r.path for r in env.fake.requests[before:]] == ["/posts.json"]


@pytest.mark.asyncio
async def test_an_objection_restored_after_the_deadline_is_dated_by_its_creation(env):
    """Hiding and restoring a post move its ``updated_at`` (Discourse saves the post), not
    its version: an objection made in time, hidden, and restored by a moderator after the
    deadline while the bot was away, is still the objection made in time. (An edit within
    Discourse's grace period also keeps version 1: a support turned into an objection there
    after the deadline counts as in time, and the proposal goes to a decision; the other
    way round, an objection would be lost, and a validation over it is what must never
    happen.)"""
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    env.fake.clock = env.clock.now
    deadline = env.clock.now() + timedelta(days=5)
    env.clock.set(deadline - timedelta(hours=1))
    post = env.fake.user_reply(topic_id, "bob", OBJECTION, created_at=fmt(env.clock.now()))
    env.fake.posts[post["id"]].hidden = True  # hidden by community flags at once
    env.fake.user_reply(topic_id, "alice", "looking forward to meeting them soon",
                        created_at=fmt(env.clock.now()))
    env.clock.advance(timedelta(minutes=1))
    await env.sync()
    assert env.repo.objections("sem:C-1") == []
    env.clock.set(deadline + timedelta(minutes=30))  # the bot is away; a moderator restores it
    restored = env.fake.posts[post["id"]]
    restored.hidden = False
    restored.updated_at = env.clock.now()
    assert restored.version == 1
    env.clock.set(deadline + timedelta(hours=1))
    await env.sync()
    assert env.state() == "contested"
    assert env.repo.objections("sem:C-1")[0].person == "forum:bob"


@pytest.mark.asyncio
async def test_a_refused_poll_does_not_stop_the_bot_nor_decide(env):
    env.propose()
    await env.sync()
    env.clock.advance(timedelta(days=6))
    env.fake.fail_next(1, status=403, path=r"^/posts(\.json)?$", method="GET")
    await env.sync()  # no exception escapes
    assert env.adapter.deferred["poll"].reason == "error"


def test_forum_posts_ping_nobody_by_accident():
    from commands.forum_text import quiet
    assert quiet("forum:bob (@bob:example.org) — @staff please") == \
        "forum:bob (@\u200bbob:example.org) — @\u200bstaff please"
    assert quiet("contact: info@ferme.be") == "contact: info@ferme.be"  # e-mails stay links


@pytest.mark.asyncio
async def test_outcome_posted_once_even_when_its_answer_is_lost(env):
    env.fake.settings.api_post_memoize_seconds = 0  # no help from Discourse's memo
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    env.clock.advance(timedelta(days=5, minutes=1))
    env.fake.drop_response_next(r"^/posts(\.json)?$", method="POST")
    await env.sync()  # decided; the outcome is posted but its answer is lost
    env.clock.advance(timedelta(minutes=5))
    await env.sync()
    outcomes = [p for p in env.fake.topic_posts(topic_id) if "Decision on C-1" in p.text]
    assert len(outcomes) == 1
    assert env.fake.topics[topic_id].closed


@pytest.mark.asyncio
async def test_run_forum_lets_the_chat_deliver_after_each_pass(env):
    import asyncio

    from bot.forum import run_forum

    env.propose()
    stop, passes = asyncio.Event(), []
    client = NoSleepDiscourseClient(env.fake.url, api_username=env.fake.api_username,
                                    api_key=env.fake.api_key, timeout=5)
    await asyncio.wait_for(run_forum(env.runtime, env.config.discourse, client=client, stop=stop,
                                     ready=lambda adapter: stop.set(),
                                     after_pass=lambda: passes.append(env.clock.now())), 30)
    assert passes  # Matrix is woken to deliver what the pass queued (the topic's address)
    assert env.topic_id() is not None


@pytest.mark.asyncio
async def test_a_discussion_reply_shows_its_organisation_was_reached(env):
    """Informed silence (issue 12): a reply in the proposal's topic, even with no keyword,
    counts as its writer's organisation having seen the proposal; an unlinked user's not."""
    env.runtime.engine.handle(Inbound("$share", ALICE, "!config set min_reached 0.5",
                                      env.clock.now(), Venue.ROOM, "sem"))
    env.propose()
    await env.sync()
    topic_id = env.topic_id()
    env.fake.user_reply(topic_id, "eve", "who are they?", created_at=fmt(env.clock.now()))
    env.fake.user_reply(topic_id, "bob", "I read their website, interesting",
                        created_at=fmt(env.clock.now() + timedelta(minutes=30)))
    env.clock.advance(timedelta(hours=1))
    await env.sync()
    marks = list(env.repo.db.query("select member, person, how from reach_marks"))
    assert marks == [{"member": "transition", "person": "forum:bob", "how": "forum"}]
    env.clock.advance(timedelta(days=5))
    await env.sync()
    assert env.state() == "validated"           # 1 of 2 reached: the share was met
    assert not list(env.repo.db.query("select * from audit where action = 'reach_extended'"))
