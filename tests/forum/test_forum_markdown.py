"""What people typed is shown literally on the forum (``forum_text.literal``): a candidate,
a rationale, a reason, a display name or an organisation's name never becomes a link, an
image, HTML, a heading, a quote or a list in the bot's posts, while the Markdown the bot
writes on purpose (the status block's heading and bullets, its markers, the room's link)
stays. Rendered with markdown-it-py, as Discourse's markdown-it would (``markdown.py``)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import pytest_asyncio
from hypothesis import given, strategies as st

from bot.clock import FakeClock
from bot.config import parse
from commands.events import Inbound, Venue
from commands.forum_text import literal, quiet, shown, trailing_marker

from .markdown import DISCOURSE, collapsed, read
from .test_forum_adapter import ALICE, CONFIG, Env, fmt
from .test_forum_born import BornEnv

LINK = "[Click here](http://evil.example)"
IMAGE = "![](http://tracker.example/p.png)"
HOSTILE_NAME = "Dewey <img src=x> [ASBL](http://evil.example/member)"
HOSTILE_DISPLAY = f"{IMAGE} Alice"
HOSTILE_REASON = "> ~~not~~ a *coop* `at` all | a | b | :smile: &amp; " + LINK
RATIONALE = "# Heading\n1. listed\n    indented code\n===\n<div>html</div>\n- bullet"
FORBIDDEN = ("a", "img", "h1", "h2", "h4", "h5", "h6", "em", "table", "blockquote", "ol",
             "del", "s", "pre", "div", "hr")
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(")


class HostileEnv(Env):
    """The adapter tests' environment, the proposer's organisation and display name hostile."""

    def __init__(self, fake, database: str) -> None:
        self.fake = fake
        self.database = database
        self.clock = FakeClock()
        toml_name = HOSTILE_NAME.replace("\\", "\\\\").replace('"', '\\"')
        self.config = parse(CONFIG.format(database=database, url=fake.url)
                            .replace('name = "Dewey ASBL"', f'name = "{toml_name}"'))
        self.start()
        self.repo.set_display_name(ALICE, HOSTILE_DISPLAY, "!room:example.org", self.clock.now())

    def propose(self) -> None:
        self.runtime.engine.handle(Inbound(
            "$propose", ALICE, f"!propose\nname: {LINK}\nwhy: {RATIONALE}",
            self.clock.now(), Venue.ROOM, "sem"))


@pytest_asyncio.fixture
async def hostile(fake_forum, tmp_path):
    fake_forum.add_user("bob", name="Bob")
    e = HostileEnv(fake_forum, str(tmp_path / "coopbot.db"))
    yield e
    e.stop()


# Any text, and text made of what Markdown, HTML and Discourse are built of (random Unicode
# seldom writes "](" or a line starting "1. ").
MARKDOWNISH = "[]()!<>&#;*_`~|:-+=.,\\\"'/@$^%?{} \t1a"
LINE = st.one_of(st.text(alphabet=st.characters(blacklist_characters="\x00\n\r")),
                 st.text(alphabet=st.sampled_from(MARKDOWNISH)))
TEXT = st.one_of(st.text(alphabet=st.characters(blacklist_characters="\x00")),
                 st.text(alphabet=st.sampled_from(MARKDOWNISH + "\n\r")))


def tags_of(cooked: str) -> list[str]:
    return read(cooked)[0]


# --- literal, for any text ----------------------------------------------------------------

@given(LINE)
def test_a_line_of_anything_is_one_paragraph_of_exactly_that(typed):
    tags, seen = read(DISCOURSE.render(literal(typed)))
    assert tags in ([], ["p"])  # a paragraph of nothing visible (a form feed) is harmless
    assert seen == collapsed(typed)


@given(TEXT)
def test_any_text_is_paragraphs_and_line_breaks_of_exactly_that(typed):
    tags, seen = read(DISCOURSE.render(literal(typed)))
    assert set(tags) <= {"p", "br"}
    assert seen == collapsed(typed)


@given(TEXT)
def test_anything_after_a_label_or_a_bullet_adds_no_markdown(typed):
    for template in ("Why: {}", "Objections:\n- x\n- {}", "**State: x**\n{}"):
        tags, seen = read(DISCOURSE.render(template.format(literal(typed))))
        assert set(tags) <= {"p", "br", "ul", "li", "strong"}
        assert collapsed(typed) in seen


def test_literal_examples():
    assert literal(LINK) == r"\[Click here\]\(http\:\/\/evil\.example\)"
    assert literal("&amp; a\\b") == r"\&amp\; a\\b"
    assert literal("    code\n  # heading") == "code\n\\# heading"
    assert quiet(literal("@staff mail@example.org")) == shown("@staff mail@example.org") \
        == "@\u200bstaff mail@example\\.org"
    for typed in ("(c) -- ... \"quoted\" 'single'", ":smile: :)", "www.example.org", "a\r\nb"):
        assert read(DISCOURSE.render(literal(typed)))[1] == collapsed(typed)


# --- the posts --------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_hostile_names_and_texts_are_shown_as_typed_in_the_topic(hostile):
    hostile.propose()
    await hostile.sync()
    topic_id = hostile.topic_id()
    hostile.fake.user_reply(topic_id, "bob", f"objection {HOSTILE_REASON}",
                            created_at=fmt(hostile.clock.now()))
    hostile.clock.advance(timedelta(minutes=1))
    await hostile.sync()
    assert hostile.state() == "contested"
    first = hostile.fake.posts[hostile.fake.topics[topic_id].post_ids[0]]

    assert r"\[Click here\]\(http\:\/\/evil\.example\)" in first.raw
    assert not UNESCAPED_LINK.search(first.raw)
    tags = tags_of(first.cooked)
    assert not set(tags) & set(FORBIDDEN), tags
    assert tags.count("strong") == 3 and tags.count("h3") == 1  # the bot's own Markdown
    assert tags.count("code") == 3  # the keywords of how to react
    for typed in (LINK, HOSTILE_DISPLAY, HOSTILE_NAME, HOSTILE_REASON, *RATIONALE.split("\n")):
        assert collapsed(typed) in first.text, typed
    # The structure the bot adds: the status block between its markers, its heading, its
    # bullets (the objection's), the room's link as a link.
    assert "<!-- coopbot:status -->\n### Status (kept current by the bot)\n" in first.raw
    assert first.raw.rstrip().endswith("<!-- /coopbot:status -->")
    assert "\nObjections:\n- bob \\(Réseau Transition\\) — \\> \\~\\~not" in first.raw
    assert "<li>bob (Réseau Transition) — &gt; ~~not~~ a *coop*" in first.cooked
    assert "\nThe group's Matrix room: https://matrix.to/#/#sem:example.org\n" in first.raw
    # Nothing loops: the status block, once current, is not written again.
    before = len(hostile.fake.requests)
    await hostile.sync()
    assert [r.method for r in hostile.fake.requests[before:]] == ["GET"]


@pytest.mark.asyncio
async def test_the_outcome_shows_the_candidate_as_typed_and_ends_with_its_marker(hostile):
    hostile.propose()
    await hostile.sync()
    topic_id = hostile.topic_id()
    hostile.clock.advance(timedelta(days=5, minutes=1))
    await hostile.sync()
    assert hostile.state() == "validated"
    [outcome] = [p for p in hostile.fake.topic_posts(topic_id) if "Decision on" in p.text]
    assert f"Decision on C-1 ({LINK}): <strong>validated</strong>." in outcome.cooked
    assert not set(tags_of(outcome.cooked)) & set(FORBIDDEN)
    assert trailing_marker(outcome.raw) == "<!-- coopbot:outcome:sem:C-1 -->"


@pytest.mark.asyncio
async def test_replies_to_forum_posts_are_shown_as_typed(born):
    born.propose_named(LINK)
    await born.sync()
    topic_id = born.open_topic("bob", f"name: {LINK}\nwhy: {HOSTILE_REASON}")
    await born.sync()
    [refusal] = born.bot_posts(topic_id)
    assert refusal.raw.startswith("@bob \\[Click here\\]\\(http\\:\\/\\/evil\\.example\\) is")
    assert refusal.text.startswith(f"@bob {LINK} is already proposed: see C-1")
    assert not set(tags_of(refusal.cooked)) & set(FORBIDDEN)
    assert trailing_marker(refusal.raw) is not None  # the marker ends the raw, unescaped
    # The bot's posts are never read as commands, whatever they echo.
    assert len(born.proposals()) == 1


@pytest_asyncio.fixture
async def born(fake_forum, tmp_path):
    fake_forum.add_user("bob", name="Bob")

    class Named(BornEnv):
        def propose_named(self, candidate: str) -> None:
            self.runtime.engine.handle(Inbound(
                "$propose", ALICE, f"!propose\nname: {candidate}\nwhy: good neighbours",
                self.clock.now(), Venue.ROOM, "sem"))

    e = Named(fake_forum, str(tmp_path / "coopbot.db"))
    await e.sync()  # the bot's first read: what the forum held is history
    yield e
    e.stop()
