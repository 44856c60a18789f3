"""The Discourse adapter: one topic per proposal, and replies there count.

The database is the source of truth; the adapter reconciles the forum with it instead of
trusting events:

* **Topics.** Every active proposal of a group with a ``discourse_category`` gets a topic,
  made once (found by its ``external_id`` before any creation), with the proposal and a status
  block the bot keeps current; at the end the outcome is posted and the topic closed
  (``bot/forum_topics.py``).
* **Proposals born in the forum.** A new topic in the category whose first post carries the
  proposal template opens a proposal like ``!propose``, and becomes its topic; a refused one
  is read again after an edit (``bot/forum_born.py``).
* **Posting once.** Every reply and outcome the bot posts ends with an invisible marker
  (``<!-- coopbot:outbox:12 -->``). When an earlier attempt may have posted it (a crash, a lost
  answer), the bot's posts in the topic are searched for the marker, in raw, before posting.
* **Replies.** Polling ``GET /posts.json`` (newest first, paged back to the last post applied;
  it also brings the first posts of new topics) every ``poll_interval``, and optionally a
  signed webhook; polling always runs, because webhook deliveries can be lost. A reply whose
  first word is an objection, support or withdraw keyword becomes the engine command (``!object C-3 reason``) with the post's ``created_at`` as its
  source timestamp and ``discourse:post:<id>`` as its event id, so the engine applies it once.
  **Edits and deletions change nothing**: the first version the bot reads is the one that
  counts (to take an objection back, reply ``withdraw``). Other replies are discussion.
* **Forum identities.** ``forum:<username>`` persons are linked by the config or ``!link``.
  An unlinked user's keyword reply changes nothing; they are answered once (remembered per user
  and group) and the registrars get a direct message.
* **Reading before deciding.** ``watermark()`` is the clock time at which the last complete poll
  started, less a read margin (2 s, as for Matrix): every post created before it has been
  applied. The runtime decides deadlines only
  up to the minimum of all sources' watermarks. Before a deadline is passed by the
  watermark, its topic is read in full once (a reply hidden when the poll ran, restored
  since, is behind the cursor).
* **Failures.** pydiscourse is synchronous: every call goes through ``asyncio.to_thread`` under a
  timeout, with ``NoSleepDiscourseClient`` (``bot/discourse_client.py``) so a 429 raises at once
  instead of sleeping. Waits follow the shared policy of ``bot/retry.py``, one key per work
  item: a 429 closes the gate for ``wait_seconds`` (the admin API limit is site-wide), so every
  item is deferred, nothing sleeps, the rest of the bot runs on; 5xx, timeouts and connection
  errors defer only the item that failed, with exponential backoff.
* **Storage.** The adapter's tables and marks are read and written through
  ``storage/forum_store.py``.
* **The weekly digest** gets a topic of its own in the group's category: ``forum_digest.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
from aiohttp import web
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import DiscourseClientError, DiscourseError, DiscourseRateLimitedError

from commands import cooptation, forum_text
from commands.context import Effects
from commands.events import Inbound, Kind, Venue
from storage.echoes import Echoes
from storage.forum_store import ForumStore, ReplyTarget
from storage.health import FORUM_READ, HealthStore

from .config import ConfigError, DiscourseConfig, GroupConfig
from .discourse_client import DEFAULT_RATE_WAIT, NoSleepDiscourseClient, make_client
from .forum_born import BORN_PREFIX, BornTopics
from .forum_digest import post_digests
from .forum_topics import ForumTopics
from .retry import Backoff, Deferred, Retries, Waiting

if TYPE_CHECKING:
    from .runtime import Runtime

__all__ = ["EVENT_PREFIX", "Deferred", "ForumAdapter", "NoSleepDiscourseClient", "make_client",
           "run_forum"]

log = logging.getLogger(__name__)

EVENT_PREFIX = "discourse:post:"


class ForumAdapter:
    """The Discourse side of one runtime. ``sync()`` is one full pass; ``run_forum`` loops it."""

    def __init__(self, runtime: "Runtime", config: DiscourseConfig, client: DiscourseClient, *,
                 call_timeout: float = 40.0, backoff_base: timedelta = timedelta(seconds=5),
                 backoff_max: timedelta = timedelta(minutes=10),
                 read_margin: timedelta = timedelta(seconds=2)) -> None:
        self.runtime = runtime
        self.repo = runtime.repo
        self.engine = runtime.engine
        self.clock = runtime.clock
        self.config = config
        self.client = client
        self.words = forum_text.ReplyWords(config.objection_words, config.support_words,
                                           config.withdraw_words)
        self.groups: dict[str, GroupConfig] = {
            g.slug: g for g in runtime.config.groups if g.discourse_category}
        self.categories: dict[str, int] = {}   # group slug -> category id, resolved at start
        self.call_timeout = call_timeout
        self.store = ForumStore(runtime.repo.db)
        self.echoes = Echoes(runtime.repo.db)
        self.health = HealthStore(runtime.repo.db)
        # One key per work item ("poll", "topic:sem:C-3", "reply:12"…); a 429 holds them all,
        # as the admin API limit is site-wide.
        self.retries = Retries(Backoff(backoff_base, backoff_max), self.clock)
        self._read_until: datetime | None = None
        # The watermark stays this far behind the poll's start, as Matrix's does: a post
        # still being saved when the poll ran, or stamped by a forum clock a little behind
        # ours, is read by the next poll before a deadline it beat is decided.
        self.read_margin = read_margin
        # post id -> the marker ending its raw, for the bot's replies read while looking for
        # an earlier attempt's post (a retry after a 429 need not read them again)
        self._markers: dict[int, str | None] = {}
        self.wake = asyncio.Event()
        self.topics = ForumTopics(self)
        self.born = BornTopics(self)

    @property
    def deferred(self) -> dict[str, Waiting]:
        """The work items waiting for a retry, with why and until when."""
        return self.retries.waiting

    @property
    def gate_until(self) -> datetime | None:
        """Until when a rate limit holds every request (the last 429's wait)."""
        return self.retries.held_until

    # --- calls -----------------------------------------------------------------------------
    async def _call(self, item: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One pydiscourse call for one work item, off the loop, under a timeout.

        Raises ``Deferred`` while the item waits (429 gate or backoff) and after a 429, a 5xx,
        a timeout or a connection error; a 4xx other than 429 is raised to the caller."""
        if self.retries.wait(item) is not None:
            raise Deferred(item)
        try:
            result = await asyncio.wait_for(asyncio.to_thread(fn, *args, **kwargs),
                                            self.call_timeout)
        except DiscourseRateLimitedError as error:
            asked = timedelta(seconds=getattr(error, "retry_after", DEFAULT_RATE_WAIT))
            wait = self.retries.failed(item, retry_after=asked)
            log.warning("discourse: rate limited on %s, waiting %ss", item, wait.total_seconds())
            raise Deferred(item) from None
        except DiscourseClientError:
            raise
        except (DiscourseError, requests.RequestException, TimeoutError, OSError) as error:
            self.fail(item, error)
            raise Deferred(item) from None
        self.retries.succeeded(item)
        return result

    async def topic_by_external_id(self, item: str, eid: str) -> dict | None:
        """The topic made under ``external_id`` (ours: a proposal's, a digest's), or None if
        there is none yet: always looked for before a topic is made, so none is made twice."""
        try:
            found = await self._call(item, self.client._get, f"/t/external_id/{eid}.json",
                                     override_request_kwargs={"allow_redirects": True})
        except DiscourseClientError as error:
            if error.response is None or error.response.status_code != 404:
                raise
            return None
        return found or None

    def fail(self, item: str, error: BaseException) -> None:
        """One more failure of a work item: it backs off (exponentially, capped)."""
        delay = self.retries.failed(item)
        log.warning("discourse: %s failed (%s: %s); retry in %ss", item,
                    type(error).__name__, str(error)[:200], delay.total_seconds())

    # --- one pass --------------------------------------------------------------------------
    async def sync(self, decide: Callable[[], object] | None = None) -> None:
        """Read the forum, let the runtime decide what came due, then bring topics and
        replies up to date. Each step that cannot run now is left for the next pass."""
        try:
            # Without its category, a group's new topics would be read as nobody's and left
            # behind by the cursor: no poll (and no watermark) until the categories are read.
            if await self.resolve_categories():
                await self.poll()
        except Deferred:
            pass
        except DiscourseClientError as error:
            # A refusal (403 after a key rotation, say) must not stop the bot: back off, and
            # the watermark stays put, so no deadline is decided on a forum we cannot read.
            self.fail("poll", error)
        await self.born.read_again()
        if decide is not None:
            decide()
        await self.topics.reconcile()
        await post_digests(self)
        await self.deliver_outbox()

    def watermark(self) -> datetime | None:
        """Every post created before this instant has been applied (None: not read yet)."""
        return self._read_until

    # --- categories ------------------------------------------------------------------------
    async def resolve_categories(self) -> bool:
        """Find each group's category id (by slug or number); a miss is logged and retried.
        False if the categories could not be read (a failure, retried at the next pass), or
        a group's is not found (renamed, deleted, mistyped): the first posts written there
        would be read as nobody's and left behind by the cursor for good."""
        missing = [slug for slug in self.groups if slug not in self.categories]
        if not missing:
            return True
        try:
            found = await self._call("categories", self.client.categories)
        except (Deferred, DiscourseClientError) as error:
            if isinstance(error, DiscourseClientError):
                self.fail("categories", error)
            return False
        by_slug = {str(c["slug"]).lower(): int(c["id"]) for c in found or []}
        ids = set(by_slug.values())
        for slug in missing:
            wanted = str(self.groups[slug].discourse_category).strip()
            if wanted.isdigit() and int(wanted) in ids:
                self.categories[slug] = int(wanted)
            elif wanted.lower() in by_slug:
                self.categories[slug] = by_slug[wanted.lower()]
            else:
                log.error("discourse: group %s: no category %r on %s; the forum is not read"
                          " (and no deadline decided) until it is found", slug, wanted,
                          self.config.url)
                self.topics.category_missing(slug, wanted)
                continue
            self.topics.category_found(slug)
        return all(slug in self.categories for slug in self.groups)

    # --- reading replies -------------------------------------------------------------------
    async def poll(self) -> int:
        """Apply every post newer than the stored cursor, oldest first; the cursor and the
        watermark move only once they all are applied."""
        started = self.clock.now()
        cursor = self.store.last_post_id()
        active_first = [t.first_post_id for t in self.store.topics().values()
                        if t.first_post_id and not t.closed_at]
        # Back to the cursor: a new topic's first post may be older than our newest topic.
        # On a first read, replies in our topics are newer than their first post, and what
        # the forum held before is history: no need to page further back.
        floor = cursor or (min(active_first) if active_first else 0)
        collected: dict[int, dict] = {}
        newest = cursor
        before: int | None = None
        while True:
            page = await self._call("poll", self.client.latest_posts, before=before)
            posts = (page or {}).get("latest_posts") or []
            if not posts:
                break
            newest = max(newest, max(int(p["id"]) for p in posts))
            fresh = [p for p in posts if int(p["id"]) > floor]
            for post in fresh:
                collected[int(post["id"])] = post
            oldest = min(int(p["id"]) for p in posts)
            if len(fresh) < len(posts) or (not cursor and not active_first) or oldest <= 1:
                break
            before = oldest - 1
        if self.store.born_after() is None:  # the first read: every topic so far is history
            self.store.set_born_after(cursor or newest)
        applied = 0
        for post_id in sorted(collected):
            applied += self.apply_post(collected[post_id])
        with self.repo.transaction():  # one commit: the cursor, and the health mark
            if newest > cursor:
                self.store.set_last_post_id(newest)
            self.health.mark(FORUM_READ, started)
        read_until = started - self.read_margin
        applied += await self.topics.read_due(read_until)
        self._read_until = read_until
        return applied

    def apply_post(self, post: dict) -> bool:
        """Apply one post (from a poll or a webhook). True if it was a command for us."""
        if int(post.get("post_type") or 1) != 1:
            return False
        if int(post.get("post_number") or 0) <= 1:
            return self.born.first_post(post)
        username = str(post.get("username") or "")
        if username.lower() == self.config.api_username.lower():
            self._echo(post)
            return False
        if not username:
            return False
        topic = self.store.topic_by_id(int(post["topic_id"]))
        if topic is None:
            return False  # not one of our topics
        post_id = int(post["id"])
        reply = forum_text.read_reply(str(post.get("raw") or ""), self.words)
        with self.repo.transaction():
            self.store.record_post(
                post_id=post_id, topic_id=int(post["topic_id"]), proposal=topic.proposal,
                username=username, created_at=post.get("created_at"),
                kind=reply.kind if reply else "discussion", at=self.clock.now())
        proposal = self.repo.proposal_by_key(topic.proposal)
        if proposal is None:
            return False
        person = f"forum:{username.lower()}"
        # The text we read is the post's latest version: if it was edited, it was written
        # no earlier than its last edit, so an objection edited in after the deadline is late.
        try:
            at = forum_text.parse_time(str(post["created_at"]))
            if int(post.get("version") or 1) > 1 and post.get("updated_at"):
                at = max(at, forum_text.parse_time(str(post["updated_at"])))
        except (KeyError, ValueError, TypeError):
            if reply is None:
                return False  # discussion of unknown date: no sign to count
            raise
        same_account = self.same_account(username, post)
        if reply is None:
            if not same_account:
                return False  # not the account linked under this name: no sign of anyone
            # Discussion: no command, but a sign that the writer's organisation saw the
            # proposal (informed silence; the engine decides what it counts for).
            self.engine.handle(Inbound(
                event_id=f"{EVENT_PREFIX}{post_id}", sender=person, text="", at=at,
                venue=Venue.FORUM, group=topic.group_slug, kind=Kind.CHAT,
                proposal=topic.proposal))
            return False
        event = Inbound(
            event_id=f"{EVENT_PREFIX}{post_id}", sender=person,
            text=forum_text.command_text(reply, proposal.ref, self.engine.prefix),
            at=at, venue=Venue.FORUM, group=topic.group_slug,
        )
        linked = self.repo.person(topic.group_slug, person)
        if not linked or not linked.member:
            return self._unlinked(event, username, reply, proposal)
        if not same_account:
            return self._unlinked(event, username, reply, proposal, member=linked.member)
        return self.engine.handle(event)

    def same_account(self, username: str, post: dict) -> bool:
        """Whether the post's author is the account first seen under its username. A name
        given up by a rename can be registered by anyone: under another account it speaks
        for nobody until ``!link`` names it again."""
        if post.get("user_id") is None:
            return True  # nothing to compare (Discourse always says)
        user_id = int(post["user_id"])
        with self.repo.transaction():
            first = self.store.account_of(username, user_id, self.clock.now())
        if first != user_id:
            log.warning("forum post %s: the name %s belongs to account %s, linked as %s;"
                        " it counts for nobody", post.get("id"), username, user_id, first)
        return first == user_id

    def _echo(self, post: dict) -> None:
        """One of the bot's own replies, read back: noted by its marker, so that a reply or
        outcome queued again after a restore from a backup is recognised as posted."""
        tag = forum_text.trailing_marker(str(post.get("raw") or ""))
        if tag is not None:
            self.echoes.note("forum", tag, str(post["id"]), self.clock.now())

    def _unlinked(self, event: Inbound, username: str, reply: forum_text.ReplyCommand,
                  proposal: dict, member: str | None = None) -> bool:
        """Nothing changes; the user is told once how to get linked, and the registrars.
        ``member``: the name is linked to it, but under another account (``same_account``)."""
        now = self.clock.now()
        group = self.engine.group(event.group)
        with self.repo.transaction():
            if not self.repo.claim_event(event.event_id, now):
                return False
            told = self.store.mark_told_unlinked(group.slug, event.sender, now,
                                                 int(event.event_id[len(EVENT_PREFIX):]))
            self.repo.audit(at=now, group=group.slug, actor=event.sender, action="forum_unlinked",
                            subject=proposal.key, detail={"word": reply.word, "told": told,
                                    **({"linked_to": member} if member else {})},
                            event_id=event.event_id)
            if told:
                registrars = self.repo.holders(group.slug, "registrar")
                out = Effects(self.repo, group, now, event)
                reply_key, dm_key = (("forum.account_changed", "dm.forum_account_changed")
                                     if member else ("forum.unlinked", "dm.forum_unlinked"))
                out.reply(reply_key, user=username, word=reply.word,
                          registrars=", ".join(registrars) or "-")
                linked = self.repo.member(group.slug, member) if member else None
                for registrar in registrars:
                    out.dm(registrar, dm_key, user=username.lower(),
                           word=reply.word, ref=cooptation.ref(proposal),
                           candidate=proposal.candidate, slug=member or "",
                           member=linked.name if linked else member or "")
                out.flush()
        return True

    # --- posting once ----------------------------------------------------------------------
    async def _post_once(self, item: str, topic_id: int, body: str, tag: str,
                         attempt: str, legacy: str | None = None) -> int:
        """The id of the bot's post ``body``, marked ``tag``, in the topic: the one an earlier
        attempt made if any, else a new one. ``attempt`` (a meta key, dropped by the caller
        with the id stored) is written before each request, as only the topic can tell what a
        crash or a lost answer left; Discourse's memo of identical API posts lasts 120 s.
        A post read back by a poll (``_echo``) needs no search: after a restore from a backup
        the attempt marks are gone, and the echo is what finds it. ``legacy``: the tag an
        older version gave the same post."""
        tags = (tag,) if legacy is None else (tag, legacy)
        for known in tags:
            echo = self.echoes.seen("forum", known)
            if echo is not None:
                return int(echo)
        if self.store.attempt_started(attempt):
            found = await self._find_marked(item, topic_id, tags)
            if found is not None:
                return found
        self.store.start_attempt(attempt, self.clock.now())
        posted = await self._call(item, self.client.create_post, forum_text.marked(body, tag),
                                  topic_id=topic_id, skip_validations="true")
        return int(posted["id"])

    def _forget(self, attempt: str) -> None:
        """Drop an attempt mark once its post id is stored (or the post is given up)."""
        self.store.end_attempt(attempt)

    async def _find_marked(self, item: str, topic_id: int, tags: tuple[str, ...]) -> int | None:
        """The bot's post in the topic whose raw ends with one of ``tags`` (newest first).

        Raw, as cooked drops HTML comments. The API describes ``raw`` for ``GET /posts/{id}``
        but not in topic listings, so each candidate is read alone, and remembered."""
        for post_id in reversed(await self._bot_replies(item, topic_id)):
            if post_id not in self._markers:
                try:
                    post = await self._call(item, self.client.post_by_id, post_id)
                except DiscourseClientError as error:
                    if error.response is None or error.response.status_code != 404:
                        raise
                    continue  # deleted since the listing
                raw = str((post or {}).get("raw") or "")
                self._markers[post_id] = forum_text.trailing_marker(raw)
            if self._markers[post_id] in tags:
                return post_id
        return None

    async def _bot_replies(self, item: str, topic_id: int) -> list[int]:
        """The ids of the bot's replies in the whole topic, in order: ``GET /t/{id}/posts``
        20 at a time after ``post_number`` (``asc``), Discourse's paging for long topics.
        ``username_filters`` asks for the bot's posts only; the author is checked here too."""
        me = self.config.api_username.lower()
        seen: dict[int, bool] = {}  # post id -> a reply of the bot's
        after = 1  # the first post is the proposal itself
        while True:
            page = await self._call(item, self.client.topic_posts, topic_id, asc="true",
                                    post_number=after, username_filters=self.config.api_username)
            posts = [p for p in ((page or {}).get("post_stream") or {}).get("posts") or []
                     if int(p["id"]) not in seen]
            if not posts:  # the end (a page with nothing new also ends a stuck paging)
                return [post_id for post_id, mine in seen.items() if mine]
            for post in posts:
                seen[int(post["id"])] = (str(post.get("username") or "").lower() == me
                                         and int(post.get("post_type") or 1) == 1
                                         and int(post.get("post_number") or 0) > 1)
            after = int(posts[-1]["post_number"])

    # --- outbox ----------------------------------------------------------------------------
    async def deliver_outbox(self) -> None:
        """The engine's answers to forum commands: one reply per outbox row, in the topic of
        the post it answers, marked with the row's id so that it is made once. The row's
        plain text mixes the catalogue's words with what people typed: all of it is shown
        literally (``forum_text.shown``), as it is plain text in the room too."""
        for row in self.repo.pending_outbox(("forum",)):
            target = self._answered_post(row)
            if target is None:
                log.warning("discourse: outbox row %s answers no known post; dropped", row["id"])
                self.repo.mark_sent(row["id"], self.clock.now(), "undeliverable")
                continue
            topic_id = target.topic_id
            # The mention is the bot's; the rest is the engine's plain text, shown as written.
            body = f"@{target.username} {forum_text.shown(row['plain'])}"
            # Named by its transaction id, the same for the row queued again after a restore.
            tag = forum_text.marker("outbox", row["txn_id"])
            attempt = f"forum:reply_attempt:{row['id']}"
            try:
                post_id = await self._post_once(f"reply:{row['id']}", topic_id, body, tag, attempt,
                                                legacy=forum_text.marker("outbox", str(row["id"])))
            except Deferred:
                continue
            except DiscourseClientError as error:
                # e.g. the topic was closed meanwhile: nothing to retry for ever
                log.warning("discourse: reply in topic %s refused: %s", topic_id, error)
                with self.repo.transaction():
                    self.repo.mark_failed(row["id"], str(error))
                    self.repo.mark_sent(row["id"], self.clock.now(), "refused")
                    self._forget(attempt)
                continue
            with self.repo.transaction():
                self.repo.mark_sent(row["id"], self.clock.now(), str(post_id))
                self._forget(attempt)

    def _answered_post(self, row: dict) -> ReplyTarget | None:
        """The topic and author of the forum post an outbox row answers (None: unknown)."""
        source = str(row["reply_to"] or "")
        if source.startswith(BORN_PREFIX):
            return self.born.reply_target(source)
        if not source.startswith(EVENT_PREFIX):
            return None
        return self.store.reply_target(int(source[len(EVENT_PREFIX):]))

    # --- webhook ---------------------------------------------------------------------------
    def webhook_app(self, secret: str) -> web.Application:
        """An aiohttp app that accepts Discourse webhooks signed with ``secret``: 401 without
        a signature, 403 with a wrong one. ``post_created`` posts are applied at once."""
        key = secret.encode("utf-8")

        async def receive(request: web.Request) -> web.Response:
            body = await request.read()
            signature = request.headers.get("X-Discourse-Event-Signature")
            if not signature:
                return web.Response(status=401, text="signature required")
            expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(signature.encode(), expected.encode()):
                return web.Response(status=403, text="bad signature")
            try:
                payload = json.loads(body)
            except ValueError:
                return web.Response(status=400, text="not JSON")
            event = request.headers.get("X-Discourse-Event", "")
            post = payload.get("post")
            apply = {"post_created": self.apply_post, "post_edited": self.born.edited}.get(event)
            if apply is not None and isinstance(post, dict):
                try:
                    apply(post)
                except (KeyError, ValueError, TypeError):
                    return web.Response(status=400, text="not a post")
                self.wake.set()  # deliver the answer without waiting for the next poll
            # Other edits and deletions change nothing (see above); an edited first post of a
            # refused proposal is read again (``bot/forum_born.py``), by polling too.
            return web.Response(text="ok")

        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/{tail:.*}", receive)
        return app


async def run_forum(runtime: "Runtime", config: DiscourseConfig, *,
                    client: DiscourseClient | None = None, stop: asyncio.Event | None = None,
                    ready: Callable[[ForumAdapter], Awaitable[None] | None] | None = None,
                    after_pass: Callable[[], None] | None = None) -> None:
    """Run the forum adapter until ``stop`` is set.

    Registers the adapter's watermark on the runtime, so no deadline is decided before the
    forum was read up to it; the first pass (categories, a full poll) runs before ``ready`` is
    called, and each pass lets the runtime decide what came due (``runtime.catch_up``).
    The webhook receiver starts when ``webhook_listen`` is set (host:port)."""
    adapter = ForumAdapter(runtime, config, client or make_client(config))
    runtime.watermarks.append(adapter.watermark)
    stop = stop or asyncio.Event()
    webhook = None
    if config.webhook_listen:
        secret = os.environ.get(config.webhook_secret_env or "")
        if not secret:
            raise ConfigError(f"discourse: the environment variable {config.webhook_secret_env} "
                              "is not set (unsigned webhooks are refused)")
        host, _, port = config.webhook_listen.rpartition(":")
        webhook = web.AppRunner(adapter.webhook_app(secret))
        await webhook.setup()
        await web.TCPSite(webhook, host or "127.0.0.1", int(port)).start()
    try:
        first = True
        while not stop.is_set():
            adapter.wake.clear()
            try:
                await adapter.sync(decide=runtime.catch_up)
            except Exception:
                # One bad pass must not stop the bot (Matrix runs beside it): the database is
                # the truth, the next pass reconciles.
                log.exception("discourse: a pass failed; retrying at the next one")
            if after_pass is not None:
                after_pass()  # e.g. let Matrix deliver what this pass queued (a decision)
            if first and ready is not None:
                result = ready(adapter)
                if asyncio.iscoroutine(result):
                    await result
                first = False
            waiter = asyncio.ensure_future(adapter.wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=config.poll_interval.total_seconds(),
                               return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()
    finally:
        if webhook is not None:
            await webhook.cleanup()
