"""Proposals born in the forum (part of the Discourse adapter, ``bot/forum.py``).

People who already write in the forum start a proposal there: a new topic in the group's
cooptation category whose first post carries the proposal template (``name:``/``nom:``/
``naam:``, ``why:``… in any of the three languages; ``commands/forum_template.py``).

* **Found by the poll.** ``GET /posts.json``, which the adapter already pages back to its
  cursor, brings every new first post with its raw and category (a webhook's
  ``post_created`` too): no other request. What the forum held at the bot's first read is
  history (``forum:born_after``). Posts of the bot's own (a digest topic, a proposal's
  topic) and of Discourse's ``system`` user (the "About the category" topic) are never read
  as proposals; nor are first posts without the name label.
* **Opened like ``!propose``.** The template's labelled lines are handed to the engine as
  the multi-line ``!propose`` form, from the author (``forum:alice``), with its rights and
  checks; the window starts when the bot opens it. The event id is
  ``discourse:topic:<topic id>:<digest of the first post's raw>``: one answer per version of
  the post, whatever Discourse's ``version`` says (edits within its grace period keep it).
* **Never two proposals from one topic.** The proposal, the topic adopted as its topic
  (``forum_topics`` with ``born_post_id``) and the topic marked ``opened`` (``forum_born``)
  are written in one transaction, around the engine's own: after a crash either all are
  there, and the topic is never read as a proposal again, or none, and the post is read
  again (the poll's cursor moves only after). The status block is then posted as a reply of
  the bot's, once (``bot/forum_topics.py``); it also answers the command, so the engine's
  "noted" reply is not posted on its own. The room hears of the proposal from the engine,
  and of its topic as for any topic.
* **Refused, read again.** An unlinked (or suspended) author, or a missing field, gets one
  reply per version of the post listing everything to fix and the template to copy, in the
  group's language (or the author's, if they chose one); the registrars are told once of an
  unlinked author. Refusals by the engine (a name already proposed, already a member) are
  its own replies, in the topic. A refused topic is read again (``GET /posts/{id}.json``)
  at each pass for a day after its last version was read, then every quarter of an hour
  until ``READ_AGAIN_FOR``, and at once on a webhook's ``post_edited``; deleted, or moved
  out of the category (checked before a new version is read), it is given up.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydiscourse.exceptions import DiscourseClientError

from commands import forum_template, forum_text
from commands.context import Effects, Group
from commands.engine import MAX_INPUT_CHARS
from commands.events import Inbound, Venue
from commands.render import Phrase, Pieces
from storage.forum_store import BornTopic, ReplyTarget

from .retry import Deferred

if TYPE_CHECKING:
    from .forum import ForumAdapter

log = logging.getLogger(__name__)

BORN_PREFIX = "discourse:topic:"
READ_AGAIN_FOR = timedelta(days=30)  # a refused topic nobody edited for a month is left alone
# Each pass while a refusal is fresh (its author is likely at it), then every quarter of an
# hour: a request per refused topic per pass would eat the site-wide API limit (60 a minute).
READ_AGAIN_FRESH = timedelta(days=1)
READ_AGAIN_EVERY = timedelta(minutes=15)
SYSTEM_USER = "system"  # Discourse's own posts: the "About the category" topics


class BornTopics:
    """Topics of the groups' categories that open proposals, for one ``ForumAdapter``."""

    def __init__(self, adapter: "ForumAdapter") -> None:
        self.adapter = adapter
        self.store = adapter.store
        self.repo = adapter.repo
        self.engine = adapter.engine
        self.clock = adapter.clock
        self._checked: dict[int, datetime] = {}  # topic id -> when its first post was last read

    # --- reading first posts ----------------------------------------------------------------
    def first_post(self, post: dict) -> bool:
        """A topic's first post, from a poll or a webhook. True if it was read as a
        proposal (opened or refused)."""
        username = str(post.get("username") or "").lower()
        if username in ("", SYSTEM_USER, self.adapter.config.api_username.lower()):
            return False
        slug = self._group_of(post.get("category_id"))
        after = self.store.born_after()
        if slug is None or after is None or int(post["id"]) <= after:
            return False  # another category, or written before the bot first read the forum
        return self.read(slug, post)

    def edited(self, post: dict) -> bool:
        """A webhook's ``post_edited``: the first post of a refused topic is read again now
        (polling reads it too, later)."""
        if int(post.get("post_number") or 0) != 1:
            return False
        born = self.store.born(int(post["topic_id"]))
        if born is None or born.state != "waiting":
            return False
        if self._group_of(post.get("category_id")) != born.group_slug:
            return False  # moved out of the category (or not said): the poll sees to it
        return self.read(born.group_slug, post)

    async def read_again(self) -> None:
        """Read the first post of each refused topic again: an edit may have fixed it."""
        now = self.clock.now()
        waiting = self.store.born_waiting(now - READ_AGAIN_FOR)
        self._checked = {topic: at for topic, at in self._checked.items()
                         if topic in {born.topic_id for born in waiting}}
        for born in waiting:
            if born.group_slug not in self.adapter.categories:
                continue
            every = timedelta(0) if now - born.read_at < READ_AGAIN_FRESH else READ_AGAIN_EVERY
            checked = self._checked.get(born.topic_id)
            if checked is not None and timedelta(0) <= now - checked < every:
                continue
            self._checked[born.topic_id] = now
            item = f"born:{born.topic_id}"
            try:
                post = await self.adapter._call(item, self.adapter.client.post_by_id,
                                                born.post_id)
            except Deferred:
                continue
            except DiscourseClientError as error:
                if error.response is not None and error.response.status_code in (403, 404):
                    self.store.born_gone(born.topic_id)  # deleted (or hidden from the bot)
                else:
                    self.adapter.fail(item, error)
                continue
            if not post:
                continue
            if post.get("deleted_at") or post.get("user_deleted"):
                self.store.born_gone(born.topic_id)
                continue
            if forum_text.digest(str(post.get("raw") or "")) == born.digest:
                continue  # this version was answered
            try:
                moved = not await self._in_category(item, born, post)
            except Deferred:
                continue
            except DiscourseClientError as error:
                if error.response is not None and error.response.status_code in (403, 404):
                    self.store.born_gone(born.topic_id)
                else:
                    self.adapter.fail(item, error)
                continue
            if moved:
                self.store.born_gone(born.topic_id)  # moved out: no proposal here any more
                continue
            self.read(born.group_slug, post)

    async def _in_category(self, item: str, born: BornTopic, post: dict) -> bool:
        """Whether the topic is still in its group's category (an edited post says nothing
        of it: ``GET /t/{slug}/{id}.json``). Asked only for a new version, before it is read:
        a moderator who moved the topic out said it is no proposal of this group."""
        topic = await self.adapter._call(
            item, self.adapter.client.topic, str(post.get("topic_slug") or "topic"),
            born.topic_id, override_request_kwargs={"allow_redirects": True})
        return self._group_of((topic or {}).get("category_id")) == born.group_slug

    def read(self, slug: str, post: dict) -> bool:
        """Open the proposal a first post carries, or say what to fix; once per version of
        the post, and never for a topic that already opened one. A post that cannot be
        read (a bug, a strange answer) must not stop the poll behind it: it is logged and
        read again at the next pass."""
        try:
            return self._read(slug, post)
        except Exception:
            log.exception("discourse: could not read the first post of topic %s; read again"
                          " at the next pass", post.get("topic_id"))
            self.store.note_born(topic_id=int(post["topic_id"]), group=slug,
                                 post_id=int(post["id"]), username=str(post["username"]),
                                 digest="", at=self.clock.now())
            return False

    def _read(self, slug: str, post: dict) -> bool:
        topic_id = int(post["topic_id"])
        if self.store.topic_by_id(topic_id) is not None:
            return False  # a topic of the bot's, or one that already opened its proposal
        born = self.store.born(topic_id)
        if born is not None and born.state != "waiting":
            return False
        raw = str(post.get("raw") or "")
        digest = forum_text.digest(raw)
        if born is not None and born.digest == digest:
            return False  # this version was answered
        template = forum_template.read_template(raw)
        if template is None and born is None:
            return False  # no template: a discussion, left alone
        username = str(post["username"])
        now = self.clock.now()
        with self.repo.transaction():
            self.store.note_born(topic_id=topic_id, group=slug, post_id=int(post["id"]),
                                 username=username, digest=digest, at=now)
            if template is None:
                return False  # the labels were edited away: nothing to answer
            event = Inbound(
                event_id=f"{BORN_PREFIX}{topic_id}:{digest[:16]}",
                sender=f"forum:{username.lower()}",
                text=forum_template.propose_text(template, self.engine.prefix),
                at=_written_at(post), venue=Venue.FORUM, group=slug,
            )
            group = self.engine.group(slug)
            problems, unlinked = self._problems(group, event.sender, username, template,
                                                same_account=self.adapter.same_account(
                                                    username, post))
            if problems:
                return self._refuse(group, event, post, problems, unlinked)
            handled = self.engine.handle(event)
            key = self.store.proposal_from_event(event.event_id)
            if key is not None:
                self._adopt(key, topic_id, int(post["id"]), event.event_id)
        return handled

    def reply_target(self, event_id: str) -> ReplyTarget | None:
        """Where an answer to a first post goes: its topic, to its author."""
        topic = event_id[len(BORN_PREFIX):].split(":", 1)[0]
        born = self.store.born(int(topic)) if topic.isdigit() else None
        return ReplyTarget(born.topic_id, born.username) if born else None

    # --- deciding -------------------------------------------------------------------------
    def _group_of(self, category_id: object) -> str | None:
        try:
            wanted = int(category_id)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return next((slug for slug, found in self.adapter.categories.items()
                     if found == wanted), None)

    def _problems(self, group: Group, person: str, username: str,
                  template: forum_template.Template, *, same_account: bool = True,
                  ) -> tuple[list[forum_template.Problem], bool]:
        """Everything to fix before the engine is asked (all at once: one reply), and whether
        the author is unlinked (or writes from another account than the one linked under
        their name: they speak for nobody)."""
        problems: list[forum_template.Problem] = []
        member = self.repo.linked_member(group.slug, person) if same_account else None
        if member is None:
            registrars = ", ".join(self.repo.holders(group.slug, "registrar")) or "-"
            problems.append(forum_template.Problem(
                "forum.born_unlinked", {"user": username, "registrars": registrars}))
        elif member.status != "active":
            problems.append(forum_template.Problem(
                "forum.born_inactive",
                {"member": member.name, "status": Phrase.of(f"member.{member.status}")}))
        problems += forum_template.problems(template, len(group.charter), MAX_INPUT_CHARS,
                                            self.engine.prefix)
        return problems, member is None

    def _refuse(self, group: Group, event: Inbound, post: dict,
                problems: list[forum_template.Problem], unlinked: bool) -> bool:
        """One reply in the topic saying what to fix (nothing else changes); the registrars
        hear once of an unlinked author."""
        now = self.clock.now()
        if not self.repo.claim_event(event.event_id, now):
            return False
        topic_id = int(post["topic_id"])
        lang = self.repo.language_of(event.sender) or group.lang
        out = Effects(self.repo, group, now, event, caller_lang=lang)
        listed: list[object] = []
        for problem in problems:
            listed += ["\n", Phrase(problem.key, problem.params)]
        out.reply("forum.born_refused", problems=Pieces(tuple(listed[1:])),
                  template=forum_template.template(group.charter))
        if unlinked and self.store.mark_told_unlinked(group.slug, event.sender, now,
                                                      int(post["id"])):
            for registrar in self.repo.holders(group.slug, "registrar"):
                out.dm(registrar, "dm.forum_born_unlinked", user=str(post["username"]).lower(),
                       url=self.adapter.topics.url(topic_id))
        self.repo.audit(at=now, group=group.slug, actor=event.sender,
                        action="forum_born_refused", subject=f"topic:{topic_id}",
                        detail={"problems": [p.key for p in problems]},
                        event_id=event.event_id)
        out.flush()
        return True

    def _adopt(self, key: str, topic_id: int, post_id: int, event_id: str) -> None:
        """The topic becomes the proposal's, in the transaction that opened it."""
        now = self.clock.now()
        proposal = self.repo.proposal_by_key(key)
        assert proposal is not None  # just opened, in this transaction
        self.store.adopt_topic(key, proposal.group_slug, topic_id=topic_id,
                               born_post_id=post_id, at=now)
        self.store.born_opened(topic_id, key)
        for row in self.store.pending_replies(event_id):
            self.repo.mark_sent(row, now, "status-post")  # the status post answers it
        self.adapter.topics.announce(proposal, topic_id)
        log.info("discourse: topic %s opened %s", topic_id, key)


def _written_at(post: dict) -> datetime:
    """When the version read was written: its last edit, else its creation."""
    at = forum_text.parse_time(str(post["created_at"]))
    if post.get("updated_at"):
        at = max(at, forum_text.parse_time(str(post["updated_at"])))
    return at
