"""The proposals' topics on the forum (part of the Discourse adapter, ``bot/forum.py``).

* **A topic per proposal.** Every active proposal of a group with a ``discourse_category``
  gets a topic. Before creating one the adapter looks it up by its ``external_id``
  (``coopbot-sem-c-3``), so a crash or a lost answer between the request and storing the
  topic id never makes a second topic. Once the topic exists, the room is told where it is.
* **The status block.** The post holding it (the topic's first post, which holds the
  proposal too) is rewritten whenever its text changes (a hash of the last version is
  stored). A topic a forum user opened (the proposal was born there, ``bot/forum_born.py``)
  keeps their first post as they wrote it: the status block is in a reply of the bot's own,
  made once (marked, like every post of the bot's) and then rewritten the same way.
* **The outcome.** On a final state the outcome is posted once and the topic closed (both
  stored).
* **Read in full before a deadline is decided** (``read_due``, called by the poll): the
  poll's cursor reads each post id once, so a reply hidden when it was listed and restored
  since would otherwise never be read.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydiscourse.exceptions import DiscourseClientError

from commands import cooptation, forum_text
from commands.context import Effects, Group
from commands.legitimacy import in_good_standing_holders
from commands.lifecycle import ACTIVE
from storage.forum_store import ForumTopic
from storage.rows import Proposal

from .retry import Deferred

if TYPE_CHECKING:
    from .forum import ForumAdapter


class ForumTopics:
    """Topics and their status blocks, for one ``ForumAdapter`` (its calls, store, engine)."""

    def __init__(self, adapter: "ForumAdapter") -> None:
        self.adapter = adapter
        self.store = adapter.store
        self.repo = adapter.repo
        self.engine = adapter.engine
        self.clock = adapter.clock
        # (proposal, deadline) whose topic was read in full once the deadline had come
        self._read_due: set[tuple[str, datetime]] = set()

    def category_missing(self, slug: str, wanted: str) -> None:
        """A group's category is not found: nothing of the forum is read, so no deadline is
        decided. The group's admins hear it once, in a direct chat, with what to do."""
        now = self.clock.now()
        with self.repo.transaction():
            if not self.store.category_missing(slug, now):
                return
            group = self.engine.group(slug)
            out = Effects(self.repo, group, now)
            for admin in in_good_standing_holders(self.repo, slug, "admin"):
                out.dm(admin, "dm.forum_category_missing", subject=f"category:{slug}",
                       group=group.name, category=wanted)
            out.flush()

    def category_found(self, slug: str) -> None:
        with self.repo.transaction():
            self.store.category_found(slug)

    async def reconcile(self) -> None:
        """Give every active proposal its topic, and bring existing topics up to date."""
        adapter = self.adapter
        for slug, category_id in adapter.categories.items():
            for proposal in self.repo.proposals(slug):
                try:
                    if not self.store.has_topic(proposal.key):
                        if proposal.state in ACTIVE:
                            await self.ensure_topic(proposal, category_id)
                    else:
                        await self.refresh_topic(proposal)
                except Deferred:
                    continue
                except DiscourseClientError as error:
                    adapter.fail(f"topic:{proposal.key}", error)

    async def ensure_topic(self, proposal: Proposal, category_id: int) -> int:
        """The proposal's topic id: found by external_id, or created, then stored."""
        adapter = self.adapter
        key = proposal.key
        item = f"topic:{key}"
        eid = forum_text.external_id(key)
        self.store.reserve_topic(key, proposal.group_slug, eid)
        found = await adapter.topic_by_external_id(item, eid)
        if found:
            topic_id = int(found["id"])
            posts = (found.get("post_stream") or {}).get("posts") or []
            first = next((p["id"] for p in posts if p.get("post_number") == 1), None)
            first_post_id = int(first or (found.get("post_stream") or {}).get("stream", [0])[0])
            body_hash = None  # unknown: the next refresh rewrites it
        else:
            group = self.engine.group(proposal.group_slug)
            body = self.first_post(group, proposal)
            created = await adapter._call(
                item, adapter.client.create_post, body, category_id=category_id,
                title=forum_text.title(group, proposal), external_id=eid,
                skip_validations="true")
            topic_id, first_post_id = int(created["topic_id"]), int(created["id"])
            body_hash = forum_text.digest(body)
        now = self.clock.now()
        with self.repo.transaction():
            self.store.set_topic(key, topic_id=topic_id, first_post_id=first_post_id,
                                 body_hash=body_hash, at=now)
            self.announce(proposal, topic_id)
        return topic_id

    def announce(self, proposal: Proposal, topic_id: int) -> None:
        """Tell the room where the proposal's topic is (once; in the caller's transaction)."""
        now = self.clock.now()
        if self.store.mark_announced(proposal.key, now):
            out = Effects(self.repo, self.engine.group(proposal.group_slug), now)
            out.announce("ann.forum_topic", subject=proposal.key, ref=cooptation.ref(proposal),
                         candidate=proposal.candidate, url=self.url(topic_id))
            out.flush()

    def url(self, topic_id: int) -> str:
        """The address of a topic on the forum, as people open it."""
        return f"{self.adapter.config.url}/t/{topic_id}"

    def first_post(self, group: Group, proposal: Proposal) -> str:
        """The first post of a topic the bot opens: the proposal and its status block."""
        return forum_text.quiet(forum_text.first_post(
            self.repo, group, proposal, self.adapter.words, self._room(group)))

    def _room(self, group: Group) -> str | None:
        configured = self.adapter.groups.get(group.slug)
        return configured.matrix_room if configured else None

    def status_post(self, group: Group, proposal: Proposal, topic: ForumTopic) -> str:
        """The text of the post holding the status block, as it stands on the forum: the
        first post of the bot's topic, or the bot's marked reply in a forum user's topic."""
        if topic.born_post_id is None:
            return self.first_post(group, proposal)
        body = forum_text.quiet(forum_text.born_status_post(
            self.repo, group, proposal, self.adapter.words, self._room(group)))
        return forum_text.marked(body, forum_text.marker("status", proposal.key))

    async def refresh_topic(self, proposal: Proposal) -> None:
        """Make the status post of a forum user's topic if it is not made yet; rewrite the
        status post if its text changed; on a final state post the outcome once and close
        the topic once."""
        adapter = self.adapter
        key = proposal.key
        topic = self.store.topic(key)
        if topic is None or topic.closed_at or topic.topic_id is None:
            return
        item = f"refresh:{key}"
        group = self.engine.group(proposal.group_slug)
        body = self.status_post(group, proposal, topic)
        digest = forum_text.digest(body)
        if topic.first_post_id is None:  # a forum user's topic, without the bot's reply yet
            await self._make_status_post(item, proposal, topic, body)
        elif digest != topic.body_hash:
            await adapter._call(item, adapter.client.update_post, topic.first_post_id, body,
                                "status", skip_validations="true")
            self.store.set_body_hash(key, digest, self.clock.now())
        if proposal.state in ACTIVE:
            return
        if not topic.outcome_post_id:
            body = forum_text.quiet(forum_text.outcome(group, proposal))
            attempt = f"forum:outcome_attempt:{key}"
            post_id = await adapter._post_once(item, topic.topic_id, body,
                                               forum_text.marker("outcome", key), attempt)
            with self.repo.transaction():
                self.store.set_outcome_post(key, post_id)
                adapter._forget(attempt)
        await adapter._call(item, adapter.client.update_topic_status, topic.topic_id, "closed",
                            True)
        self.store.mark_closed(key, self.clock.now())

    async def _make_status_post(self, item: str, proposal: Proposal, topic: ForumTopic,
                                body: str) -> None:
        """The bot's reply holding the status block in a forum user's topic, made once: a
        crash or a lost answer is found again by its marker (``_post_once``)."""
        adapter = self.adapter
        tag = forum_text.marker("status", proposal.key)
        unmarked = body[:body.rindex(tag)]  # ``_post_once`` marks it again, the same way
        attempt = f"forum:status_attempt:{proposal.key}"
        post_id = await adapter._post_once(item, topic.topic_id, unmarked, tag, attempt)
        with self.repo.transaction():
            self.store.set_status_post(proposal.key, post_id, forum_text.digest(body),
                                       self.clock.now())
            adapter._forget(attempt)

    async def read_due(self, read_until: datetime) -> int:
        """Read in full, once, the topic of each open proposal whose deadline the watermark
        is about to pass (``read_until``), before it lets it be decided.

        The cursor reads each post id once, when ``GET /posts.json`` lists it: a reply that
        was not listed then (hidden by flags and restored by a moderator, or still being
        written when the poll ran) would be left behind for good, and the proposal validated
        over an objection made in time. A failure raises (``Deferred``, a refusal): the
        watermark stays, so nothing is decided on a topic not read."""
        applied = 0
        for topic in self.store.topics().values():
            if topic.closed_at or topic.topic_id is None:
                continue
            proposal = self.repo.proposal_by_key(topic.proposal)
            if proposal is None or proposal.state != "open" or proposal.deadline > read_until:
                continue
            mark = (proposal.key, proposal.deadline)
            if mark not in self._read_due:
                applied += await self._read_topic(topic.topic_id)
                self._read_due.add(mark)
        return applied

    async def _read_topic(self, topic_id: int) -> int:
        """Apply the replies of a topic that were never read (each fetched alone, for its
        raw); a topic deleted or hidden from the bot has nothing to read."""
        item = f"read:{topic_id}"
        me = self.adapter.config.api_username.lower()
        seen: set[int] = set()
        applied, after = 0, 1
        while True:
            try:
                page = await self.adapter._call(item, self.adapter.client.topic_posts, topic_id,
                                                asc="true", post_number=after)
            except DiscourseClientError as error:
                if error.response is not None and error.response.status_code in (403, 404):
                    return applied
                raise
            posts = [p for p in ((page or {}).get("post_stream") or {}).get("posts") or []
                     if int(p["id"]) not in seen]
            if not posts:
                return applied
            for post in posts:
                post_id = int(post["id"])
                seen.add(post_id)
                if (int(post.get("post_number") or 0) <= 1
                        or str(post.get("username") or "").lower() == me
                        or post.get("deleted_at") or post.get("user_deleted")
                        or self.store.reply_target(post_id) is not None):
                    continue
                try:
                    full = await self.adapter._call(item, self.adapter.client.post_by_id, post_id)
                except DiscourseClientError as error:
                    if error.response is None or error.response.status_code not in (403, 404):
                        raise
                    continue  # deleted since the listing
                if full and not full.get("deleted_at") and not full.get("user_deleted"):
                    applied += self.adapter.apply_post(full)
            after = int(posts[-1]["post_number"])
