"""Proposals born in the forum (issue 13, item 3): a topic in the cooptation category whose
first post carries the template opens a proposal like ``!propose``; a malformed one is
answered and read again after an edit; a topic never opens two proposals, across crashes
too. Against the Discourse fake (every answer validated against the OpenAPI file), with the
real engine, a SQLite file and a fake clock that the fake forum shares."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FakeClock
from bot.config import parse
from commands.cooptation import parse_proposal
from commands.events import Inbound, Venue
from commands.forum_template import problems, propose_text, read_template
from commands.parsing import split_word
from commands.table import find
from commands.forum_text import marker
from commands.render import render

from .test_forum_adapter import ALICE, CONFIG, OBJECTION, Env, fmt

POSTS = r"^/posts(\.json)?$"

TEMPLATE = """Hello everyone, here is a proposal.

name: Les Amis du Compost
why: good neighbours who compost
  with the whole street
website: https://compost.example.org
Thanks, Alice"""

NO_WHY = "name: Les Amis du Compost\nwebsite: https://compost.example.org\n\nThanks, Alice"


class Crash(BaseException):
    """The process dies at this point (not an error the bot could handle: a BaseException,
    like the SystemExit of a kill)."""


class BornEnv(Env):
    """The adapter tests' environment, with the group's language and charter to choose."""

    def __init__(self, fake, database: str, language: str = "en",
                 charter: tuple[str, ...] = ()) -> None:
        self.fake = fake
        self.database = database
        self.clock = FakeClock()
        text = CONFIG.replace('language = "en"', f"language = {json.dumps(language)}")
        text = text.replace('last_call = "24h"',
                            f'last_call = "24h"\ncharter = {json.dumps(list(charter))}')
        self.config = parse(text.format(database=database, url=fake.url))
        fake.clock = self.clock.now
        self.start()

    def open_topic(self, username: str, raw: str, title: str = "A proposal for our network") -> int:
        post = self.fake.user_create_topic(username, title, raw, self.fake.general_id,
                                           created_at=fmt(self.clock.now()))
        return post["topic_id"]

    def bot_posts(self, topic_id: int) -> list:
        return [p for p in self.fake.topic_posts(topic_id)
                if p.user_id == self.fake.api_user.id and p.post_number > 1]

    def proposals(self) -> list:
        return self.repo.proposals("sem")

    def topic_row(self, proposal: str = "sem:C-1") -> dict:
        return next(iter(self.repo.db.query("select * from forum_topics where proposal = ?",
                                            [proposal])))


@pytest_asyncio.fixture
async def born(fake_forum, tmp_path):
    fake_forum.add_user("bob", name="Bob")
    fake_forum.add_user("eve", name="Eve")
    e = BornEnv(fake_forum, str(tmp_path / "coopbot.db"))
    await e.sync()  # the bot's first read: what the forum held is history
    yield e
    e.stop()


# --- the template (pure) --------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    TEMPLATE,
    "nom : Les Amis du Compost\npourquoi: good neighbours who compost\nwith the whole street\n"
    "site: https://compost.example.org",
    "**Naam:** Les Amis du Compost\n- **waarom**: good neighbours who compost\n"
    "  with the whole street\n* Website: https://compost.example.org\n\nGroeten",
])
def test_the_template_is_read_in_each_language_and_through_markdown(raw):
    template = read_template(raw)
    fields = template.fields
    assert fields["name"] == "Les Amis du Compost"
    assert fields["rationale"] == "good neighbours who compost\nwith the whole street"
    assert fields["website"] == "https://compost.example.org"  # a signature is no website
    assert engine_reads(propose_text(template, "!")) == fields


def engine_reads(line: str, prefix: str = "!") -> dict:
    """What ``!propose`` reads of a command line, as the engine hands it the text
    (``Engine._command_text``, ``split_word``, then the body as it is)."""
    word, body = split_word(line.strip()[len(prefix):])
    assert find(word).name == "propose"
    return parse_proposal(body)


@pytest.mark.parametrize("raw", [
    "(Replace this first paragraph with a brief description of your new category.)",
    "Why: I wonder whether we should meet more often.\nContact: me",
    "My name is Alice and I like compost.",
    "",
])
def test_a_post_without_the_name_label_is_no_proposal(raw):
    assert read_template(raw) is None


def test_problems_list_every_missing_field_in_the_readers_language():
    found = problems(read_template("naam:\nwebsite: x"), 2, 4000, "!")
    assert [p.key for p in found] == ["forum.born_missing"]
    assert render("nl", "forum.born_missing", **found[0].params).plain == \
        "- ontbreekt of is leeg: `naam:`, `waarom:`, `charter 1:`, `charter 2:`"
    long = read_template("name: X\nwhy: y\ndescription: " + "z" * 4000)
    assert [p.key for p in problems(long, 0, 4000, "!")] == ["forum.born_too_long"]
    assert [p.key for p in problems(read_template("name: ???\nwhy: y"), 0, 4000, "!")] == \
        ["forum.born_bad_name"]
    assert problems(read_template(TEMPLATE), 0, 4000, "!") == []


# --- opened -------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_a_forum_born_proposal_opens_like_propose_and_the_topic_becomes_its_own(born):
    about = born.fake.categories[born.fake.general_id].topic_id
    talk = born.open_topic("bob", "Shall we meet on Friday to talk about the compost project?")
    opened_at = born.clock.now() + timedelta(minutes=3)
    born.clock.advance(timedelta(minutes=3))
    topic_id = born.open_topic("alice", TEMPLATE)
    await born.sync()

    [proposal] = born.proposals()
    assert (proposal.candidate, proposal.proposer, proposal.proposer_member) == \
        ("Les Amis du Compost", "forum:alice", "dewey")
    assert proposal.rationale == "good neighbours who compost\nwith the whole street"
    assert proposal.website == "https://compost.example.org"
    assert proposal.state == "open" and proposal.deadline == opened_at + timedelta(days=5)
    row = born.topic_row()
    assert (row["topic_id"], row["external_id"]) == (topic_id, None)  # the user's topic

    [status] = born.bot_posts(topic_id)
    assert status.raw.rstrip().endswith(marker("status", "sem:C-1"))
    assert status.text.startswith("I opened C-1 from the first post of this topic")
    assert "State: open" in status.text and "objection" in status.text  # how to react
    assert row["first_post_id"] == status.id
    assert born.fake.posts[born.fake.topics[topic_id].post_ids[0]].raw == TEMPLATE  # untouched
    room = [r["plain"] for r in born.outbox("room")]
    assert room[0].startswith("New proposal C-1: Les Amis du Compost")
    assert room[1] == f"C-1 (Les Amis du Compost) is also discussed on the forum: {born.fake.url}/t/{topic_id}"
    [noted] = born.outbox("forum")  # the engine's "noted": the status post says it
    assert noted["sent_at"] and noted["remote_id"] == "status-post"
    assert born.bot_posts(about) == [] and born.bot_posts(talk) == []  # left alone

    # The topic is the proposal's thread: a reply there counts, the status post follows.
    born.fake.user_reply(topic_id, "bob", OBJECTION, created_at=fmt(born.clock.now()))
    born.clock.advance(timedelta(minutes=1))
    await born.sync()
    assert born.state() == "contested"
    assert "State: contested" in born.fake.posts[status.id].text
    assert born.fake.posts[status.id].raw.rstrip().endswith(marker("status", "sem:C-1"))

    # An edit after the opening changes nothing, and nothing is read twice.
    born.fake.edit_post(born.fake.topics[topic_id].post_ids[0],
                        TEMPLATE.replace("Les Amis du Compost", "Compost Twins"))
    posts = len(born.posts_requests())
    await born.sync()
    await born.sync()
    assert len(born.proposals()) == 1 and len(born.posts_requests()) == posts


@pytest.mark.asyncio
async def test_topics_before_the_first_read_and_the_bots_own_are_no_proposals(fake_forum, tmp_path):
    env = BornEnv(fake_forum, str(tmp_path / "coopbot.db"))
    try:
        old = env.open_topic("alice", TEMPLATE)  # before the bot ever read the forum
        await env.sync()
        digest = env.open_topic("coopbot", "Weekly digest\n\n" + TEMPLATE)  # e.g. a digest
        await env.sync()
        assert env.proposals() == []
        assert env.bot_posts(old) == [] and env.bot_posts(digest) == []
    finally:
        env.stop()


@pytest.mark.asyncio
async def test_a_born_proposal_is_refused_by_the_engine_like_propose(born):
    born.propose()  # "Les Amis du Compost" from the room
    await born.sync()
    topic_id = born.open_topic("bob", TEMPLATE.replace("Alice", "Bob"))
    await born.sync()
    [refusal] = born.bot_posts(topic_id)
    assert refusal.text.startswith("@bob Les Amis du Compost is already proposed: see C-1")
    assert len(born.proposals()) == 1
    # Read again after an edit: another candidate opens.
    born.fake.edit_post(born.fake.topics[topic_id].post_ids[0],
                        TEMPLATE.replace("Les Amis du Compost", "Repair Together"))
    await born.sync()
    assert [p.candidate for p in born.proposals()] == ["Les Amis du Compost", "Repair Together"]
    assert born.proposals()[1].proposer == "forum:bob"


# --- refused, then fixed ------------------------------------------------------------------

@pytest.mark.asyncio
async def test_a_malformed_template_is_answered_once_and_read_again_after_an_edit(born):
    topic_id = born.open_topic("alice", NO_WHY)
    await born.sync()
    await born.sync()
    [refusal] = born.bot_posts(topic_id)  # one answer for this version
    assert refusal.text.startswith("@alice I cannot open a proposal from this topic yet:")
    assert "- missing or empty: `why:`" in refusal.text
    assert "name: the organisation's name" in refusal.text  # the lines to copy
    assert "not linked" not in refusal.text
    assert born.proposals() == []

    first = born.fake.topics[topic_id].post_ids[0]
    born.fake.edit_post(first, NO_WHY + "\nsee you")  # still no why: a new version, a new answer
    await born.sync()
    assert len(born.bot_posts(topic_id)) == 2 and born.proposals() == []

    born.clock.advance(timedelta(hours=2))
    born.fake.edit_post(first, TEMPLATE)  # fixed
    await born.sync()
    [proposal] = born.proposals()
    assert proposal.candidate == "Les Amis du Compost"
    assert proposal.deadline == born.clock.now() + timedelta(days=5)  # from the opening
    assert born.bot_posts(topic_id)[-1].text.startswith("I opened C-1")
    reads = len(born.fake.requests_to("GET", rf"^/posts/{first}"))
    await born.sync()
    assert len(born.fake.requests_to("GET", rf"^/posts/{first}")) == reads  # no longer read
    assert len(born.bot_posts(topic_id)) == 3


@pytest.mark.asyncio
async def test_a_refused_topic_is_read_again_less_often_as_it_ages_then_left_alone(born):
    topic_id = born.open_topic("alice", NO_WHY)
    await born.sync()
    first = born.fake.topics[topic_id].post_ids[0]

    def reads() -> int:
        return len(born.fake.requests_to("GET", rf"^/posts/{first}(\.json)?$"))
    counts = []
    for step in (timedelta(minutes=1), timedelta(days=1), timedelta(minutes=1),
                 timedelta(minutes=15), timedelta(days=30)):
        born.clock.advance(step)
        before = reads()
        await born.sync()
        counts.append(reads() - before)
    assert counts == [1, 1, 0, 1, 0]  # fresh: each pass; a day on: every 15 min; a month: never
    born.fake.edit_post(first, TEMPLATE)  # too late for polling to notice
    await born.sync()
    assert born.proposals() == []


@pytest.mark.asyncio
async def test_an_unlinked_author_is_told_everything_to_fix_and_the_registrar_once(born):
    topic_id = born.open_topic("eve", NO_WHY.replace("Alice", "Eve"))
    await born.sync()
    [refusal] = born.bot_posts(topic_id)
    assert "- your forum account (eve) is not linked to a member organisation" in refusal.text
    assert "- missing or empty: `why:`" in refusal.text  # everything at once
    [dm] = born.outbox("dm")
    assert dm["target"] == "@carol:example.org"
    assert f"opened a proposal topic ({born.fake.url}/t/{topic_id})" in dm["plain"]
    assert "!link forum:eve <member>" in dm["plain"]
    # Linked, then an edit: opened (and the registrar is not told again).
    born.runtime.engine.handle(Inbound("$link", ALICE, "!link forum:eve singularites",
                                       born.clock.now(), Venue.ROOM, "sem"))
    born.fake.edit_post(born.fake.topics[topic_id].post_ids[0], TEMPLATE)
    await born.sync()
    [proposal] = born.proposals()
    assert (proposal.proposer, proposal.proposer_member) == ("forum:eve", "singularites")
    assert len(born.outbox("dm")) == 1


@pytest.mark.asyncio
async def test_a_refusal_is_in_the_groups_language_unless_the_author_chose_one(fake_forum, tmp_path):
    fake_forum.add_user("bob", name="Bob")
    env = BornEnv(fake_forum, str(tmp_path / "coopbot.db"), language="fr",
                  charter=("sans but lucratif", "une voix par membre"))
    try:
        await env.sync()
        topic_id = env.open_topic("alice", "nom: Les Amis du Compost\npourquoi: voisins\n"
                                           "charte 1: une ASBL")
        await env.sync()
        [refusal] = env.bot_posts(topic_id)
        assert "- il manque (ou est vide) : `charte 2:`" in refusal.text
        assert "charte 2: comment elle respecte « une voix par membre »" in refusal.text
        # Bob chose Dutch: his refusal is in Dutch, his objections' answers too.
        env.runtime.engine.handle(Inbound("$lang", "forum:bob", "!taal nl", env.clock.now(),
                                          Venue.ROOM, "sem"))
        other = env.open_topic("bob", "naam: Repair Together\nwaarom: ze herstellen")
        await env.sync()
        [dutch] = env.bot_posts(other)
        assert "- ontbreekt of is leeg: `charter 1:`, `charter 2:`" in dutch.text
        env.fake.edit_post(env.fake.topics[topic_id].post_ids[0],
                           "nom: Les Amis du Compost\npourquoi: voisins\ncharte 1: une ASBL\n"
                           "charte 2: oui")
        await env.sync()
        status = env.bot_posts(topic_id)[-1].text
        # the catalogue's own apostrophe is typeset by Discourse; what people typed is not
        assert status.startswith("J’ai ouvert C-1") and "État : ouvert" in status
        env.fake.user_reply(topic_id, "alice", "soutien bien sûr", created_at=fmt(env.clock.now()))
        await env.sync()
        # A forum reply is answered in the group's language, whatever word the bot translated it to.
        answer = env.bot_posts(topic_id)[-1].text
        assert answer.startswith("@alice Votre organisation a fait cette proposition")
    finally:
        env.stop()


@pytest.mark.asyncio
async def test_an_edit_reaches_the_bot_by_webhook_and_a_deleted_topic_is_given_up(born):
    app = born.adapter.webhook_app("s3cret")
    topic_id = born.open_topic("alice", NO_WHY)
    gone = born.open_topic("bob", NO_WHY.replace("Alice", "Bob"))
    await born.sync()
    assert len(born.bot_posts(topic_id)) == 1 and len(born.bot_posts(gone)) == 1
    async with TestClient(TestServer(app)) as client:
        url = str(client.make_url("/hook"))
        first = born.fake.topics[topic_id].post_ids[0]
        born.fake.register_webhook(url, "s3cret", events=["post_edited"])
        born.fake.edit_post(first, TEMPLATE)
        await born.fake.flush_webhooks()
    [proposal] = born.proposals()  # opened by the webhook, before any poll
    assert proposal.candidate == "Les Amis du Compost"
    born.fake.delete_post(born.fake.topics[gone].post_ids[0])  # staff deletes Bob's topic
    await born.sync()
    row = next(iter(born.repo.db.query("select state from forum_born where topic_id = ?", [gone])))
    assert row["state"] == "gone"
    reads = len(born.fake.requests_to("GET", r"^/posts/\d+"))
    await born.sync()
    assert len(born.fake.requests_to("GET", r"^/posts/\d+")) == reads


# --- crashes ------------------------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize("moment", ["opening", "before-reply", "after-reply"])
async def test_a_crash_never_makes_two_proposals_nor_two_replies(born, moment):
    born.fake.settings.api_post_memoize_seconds = 0  # no help from Discourse's memo
    topic_id = born.open_topic("alice", TEMPLATE)
    if moment == "opening":  # inside the transaction that opens the proposal
        def crash(*args):
            raise Crash("opening")
        born.adapter.born._adopt = crash
    elif moment == "before-reply":  # the proposal is opened, the status post never sent
        def crash(*args, **kwargs):
            raise Crash("before the reply")
        born.adapter.client.create_post = crash
    else:  # the status post is made on the forum, its id never stored
        def crash(attempt):
            raise Crash(attempt)
        born.adapter._forget = crash
    with pytest.raises(Crash):
        await born.sync()
    opened = 0 if moment == "opening" else 1
    assert len(born.proposals()) == opened
    assert len(born.bot_posts(topic_id)) == (1 if moment == "after-reply" else 0)

    born.restart()
    born.clock.advance(timedelta(minutes=10))  # past Discourse's 120 s memo anyway
    await born.sync()
    await born.sync()
    [proposal] = born.proposals()
    assert proposal.key == "sem:C-1"
    [status] = born.bot_posts(topic_id)
    assert status.raw.rstrip().endswith(marker("status", "sem:C-1"))
    assert born.topic_row()["first_post_id"] == status.id
    announced = [r for r in born.outbox("room") if r["plain"].startswith("New proposal")]
    assert len(announced) == 1
    assert born.repo.meta("forum:status_attempt:sem:C-1") is None


@pytest.mark.asyncio
async def test_no_first_post_is_left_behind_while_the_categories_cannot_be_read(born):
    born.restart()  # a new adapter: its categories are read again
    topic_id = born.open_topic("alice", TEMPLATE)
    born.fake.fail_next(1, 502, path=r"^/categories", method="GET")
    read_until = born.adapter.watermark()
    await born.sync()
    assert born.proposals() == [] and born.adapter.watermark() == read_until  # nothing read
    born.clock.advance(timedelta(seconds=5))  # the backoff
    await born.sync()
    assert [p.candidate for p in born.proposals()] == ["Les Amis du Compost"]
    assert len(born.bot_posts(topic_id)) == 1


@pytest.mark.asyncio
async def test_a_first_post_that_cannot_be_read_holds_nothing_up(born):
    topic_id = born.open_topic("alice", TEMPLATE.replace("Les Amis du Compost", "Repair Together"))
    born.propose()  # "Les Amis du Compost" from the room: its topic is made in the same pass
    working = born.adapter.born._adopt

    def broken(*args):
        raise RuntimeError("a bug")
    born.adapter.born._adopt = broken
    await born.sync()
    assert [p.candidate for p in born.proposals()] == ["Les Amis du Compost"]  # the room's
    assert born.adapter.watermark() is not None  # the poll went on
    assert born.repo.db.execute("select count(*) from forum_topics where topic_id is not null"
                                ).fetchone()[0] == 1  # and the room's proposal got its topic
    assert born.bot_posts(topic_id) == []
    born.adapter.born._adopt = working
    await born.sync()  # read again
    assert [p.candidate for p in born.proposals()] == ["Les Amis du Compost", "Repair Together"]
    [status] = born.bot_posts(topic_id)
    assert status.text.startswith("I opened C-2")


# --- moved out of the category ----------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize("by", ["poll", "webhook"])
async def test_a_refused_topic_moved_out_of_the_category_opens_nothing_when_fixed(born, by):
    """A moderator who moves a refused topic out of the cooptation category (to another
    category, another group's included) says it is no proposal here: an edit that fixes
    it afterwards opens nothing, as a topic moved into the category is never read."""
    elsewhere = born.fake.add_category("offtopic", "Off topic")
    topic_id = born.open_topic("alice", NO_WHY)
    await born.sync()
    assert len(born.bot_posts(topic_id)) == 1  # refused: read again after an edit
    born.fake.topics[topic_id].category_id = elsewhere  # moved by a moderator
    born.clock.advance(timedelta(minutes=5))
    first = born.fake.topics[topic_id].post_ids[0]
    if by == "webhook":
        async with TestClient(TestServer(born.adapter.webhook_app("s3cret"))) as client:
            born.fake.register_webhook(str(client.make_url("/hook")), "s3cret",
                                       events=["post_edited"])
            born.fake.edit_post(first, TEMPLATE)
            await born.fake.flush_webhooks()
    else:
        born.fake.edit_post(first, TEMPLATE)
    await born.sync()
    await born.sync()
    assert born.proposals() == []
    assert len(born.bot_posts(topic_id)) == 1  # and nothing more is said there


@pytest.mark.asyncio
async def test_no_first_post_is_left_behind_while_a_category_is_not_found(born):
    """A category renamed (its slug no longer the configured one) is not found at a
    restart: reading the forum on would leave the first posts written there behind the
    cursor for good, so nothing is read (and no deadline decided) until it is found."""
    category = born.fake.categories[born.fake.general_id]
    category.slug = "cooptation"  # renamed by an admin
    born.restart()
    topic_id = born.open_topic("alice", TEMPLATE)
    read_until = born.adapter.watermark()
    await born.sync()
    assert born.proposals() == [] and born.adapter.watermark() == read_until  # nothing read
    await born.sync()
    # The admins are told once (the room is told nothing by the forum, which is not read).
    told = [r for r in born.outbox("dm") if "cannot find the forum category" in r["plain"]]
    assert [r["target"] for r in told] == [ALICE], told
    category.slug = "general"  # the name (or the configuration) is set right
    await born.sync()
    assert [p.candidate for p in born.proposals()] == ["Les Amis du Compost"]
    assert len(born.bot_posts(topic_id)) == 1
