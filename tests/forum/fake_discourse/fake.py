"""``FakeDiscourse`` itself: its state, its start and stop, and the helpers with which a
test acts as the forum's users; the rest is in its parts, one module each (the HTTP
plumbing, categories, topics, posts, the forum's logic, webhooks, faults)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Optional, Union

from aiohttp import web

from .categories import CategoryRoutes
from .faults import Faults, _Fault, _make_predicate, _PathPredicate
from .forum import ForumLogic
from .models import (
    FakeCategory,
    FakePost,
    FakeTopic,
    FakeUser,
    ForumSettings,
    LoggedRequest,
    WebhookDelivery,
    _parse_time,
)
from .posts import PostRoutes
from .server import HttpServer
from .spec import SpecViolation
from .topics import TopicRoutes
from .webhooks import Webhooks


class FakeDiscourse(HttpServer, CategoryRoutes, TopicRoutes, PostRoutes, ForumLogic, Webhooks, Faults):
    """An aiohttp app faking a Discourse forum on 127.0.0.1.

    >>> fake = FakeDiscourse()
    >>> await fake.start()          # fake.url == "http://127.0.0.1:PORT"
    >>> client = DiscourseClient(fake.url, api_username=fake.api_username,
    ...                          api_key=fake.api_key, timeout=5)
    >>> await fake.stop()
    """

    def __init__(
        self,
        *,
        api_key: str = "test-api-key",
        api_username: str = "coopbot",
        api_user_admin: bool = True,
        single_user_key: bool = False,
        check_auth: bool = True,
        validate: bool = True,
        settings: Optional[ForumSettings] = None,
        host: str = "127.0.0.1",
        port: int = 0,
        title: str = "Coop Forum",
        clock: Optional[Callable[[], datetime]] = None,
    ):
        self.api_key = api_key
        self.api_username = api_username
        self.single_user_key = single_user_key
        self.check_auth = check_auth
        self.validate = validate
        self.settings = settings or ForumSettings()
        self.host = host
        self.port = port
        self.title = title
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(timezone.utc))

        self.users: dict[str, FakeUser] = {}  # by lower-case username
        self.categories: dict[int, FakeCategory] = {}
        self.topics: dict[int, FakeTopic] = {}
        self.posts: dict[int, FakePost] = {}
        self.requests: list[LoggedRequest] = []
        self.spec_violations: list[SpecViolation] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.webhooks: list[dict] = []

        self._user_ids = itertools.count(2)
        self._category_ids = itertools.count(5)  # 1-4 are seeded in a real forum
        self._topic_ids = itertools.count(1)
        self._post_ids = itertools.count(1)
        self._event_ids = itertools.count(1)
        self._faults: list[_Fault] = []
        self._memo: dict[tuple, tuple[datetime, int, bytes]] = {}
        self._api_hits: list[float] = []
        self._pending_webhooks: set[asyncio.Task] = set()
        self._runner: Optional[web.AppRunner] = None
        self._site: Optional[web.TCPSite] = None
        self.url: Optional[str] = None

        self.system_user = FakeUser(id=-1, username="system", name="system", admin=True, moderator=True, trust_level=4)
        self.users["system"] = self.system_user
        self.api_user = FakeUser(id=1, username=api_username, name=api_username, admin=api_user_admin, trust_level=4)
        self.users[api_username.lower()] = self.api_user
        uncategorized = FakeCategory(
            id=1, name="Uncategorized", slug="uncategorized", color="0088CC",
            description="Topics that don't need a category, or don't fit into any other existing category.",
            is_uncategorized=True,
        )
        self.categories[1] = uncategorized

        self.app = self._build_app()

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        sock = self._site._server.sockets[0]  # type: ignore[union-attr]
        self.port = sock.getsockname()[1]
        self.url = f"http://{self.host}:{self.port}"
        return self.url

    async def stop(self) -> None:
        await self.flush_webhooks()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._site = None

    async def __aenter__(self) -> "FakeDiscourse":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    def assert_no_spec_violations(self) -> None:
        if self.spec_violations:
            raise SpecViolation("\n\n".join(str(v) for v in self.spec_violations))

    # ------------------------------------------------------------ test helpers

    def now(self) -> datetime:
        return self.clock()

    def add_user(
        self,
        username: str,
        *,
        name: Optional[str] = None,
        admin: bool = False,
        moderator: bool = False,
        trust_level: int = 1,
    ) -> FakeUser:
        key = username.lower()
        if key in self.users:
            raise ValueError(f"user {username!r} exists")
        user = FakeUser(
            id=next(self._user_ids), username=username, name=name if name is not None else username.capitalize(),
            admin=admin, moderator=moderator, trust_level=trust_level, created_at=self.now(),
        )
        self.users[key] = user
        return user

    def rename_user(self, username: str, new_username: str) -> FakeUser:
        """A user changes their username (the old one is free for anyone to register)."""
        user = self.users.pop(username.lower())
        user.username = new_username
        self.users[new_username.lower()] = user
        return user

    def user(self, username: str) -> FakeUser:
        return self.users[username.lower()]

    def user_by_id(self, user_id: int) -> FakeUser:
        for u in self.users.values():
            if u.id == user_id:
                return u
        raise KeyError(user_id)

    def add_category(
        self,
        slug: str,
        name: Optional[str] = None,
        *,
        description: Optional[str] = None,
        color: str = "25AAE2",
        about_topic: bool = True,
    ) -> int:
        """Create a category (and its pinned "About the … category" topic); return its id."""
        if any(c.slug == slug for c in self.categories.values()):
            raise ValueError(f"category slug {slug!r} exists")
        name = name or slug.replace("-", " ").title()
        cat = FakeCategory(
            id=next(self._category_ids), name=name, slug=slug, color=color, description=description,
            position=len(self.categories),
        )
        self.categories[cat.id] = cat
        if about_topic:
            desc = description or "(Replace this first paragraph with a brief description of your new category.)"
            topic, _ = self._create_topic(
                self.system_user, f"About the {name} category", desc, cat.id, validate=False,
            )
            topic.pinned_at = topic.created_at
            cat.topic_id = topic.id
        return cat.id

    def category_by_slug(self, slug: str) -> FakeCategory:
        for c in self.categories.values():
            if c.slug == slug:
                return c
        raise KeyError(slug)

    def user_create_topic(
        self, username: str, title: str, raw: str, category_id: int, *, created_at=None,
        external_id: Optional[str] = None,
    ) -> dict:
        """A forum user opens a topic; returns the first post as GET /posts/{id}.json shows it."""
        user = self.user(username)
        topic, post = self._create_topic(
            user, title, raw, category_id, created_at=_parse_time(created_at), external_id=external_id,
            validate=False,
        )
        self._emit_post_event("post_created", post)
        return self._post_single(post, self.api_user)

    def user_reply(
        self,
        topic_id: int,
        username: str,
        raw: str,
        created_at: Union[str, datetime, None] = None,
        *,
        reply_to_post_number: Optional[int] = None,
    ) -> dict:
        """A forum user replies in a topic; returns the post as GET /posts/{id}.json shows it."""
        user = self.user(username)
        topic = self.topics[topic_id]
        if topic.deleted_at is not None or (topic.closed and not user.staff):
            raise ValueError(f"{username} cannot reply in topic {topic_id} (closed or deleted)")
        post = self._add_post(topic, user, raw, created_at=_parse_time(created_at),
                              reply_to_post_number=reply_to_post_number)
        self._emit_post_event("post_created", post)
        return self._post_single(post, self.api_user)

    def edit_post(self, post_id: int, raw: str, *, username: Optional[str] = None,
                  edit_reason: Optional[str] = None) -> dict:
        """Edit a post's raw (as its author unless ``username``); returns the getPost shape."""
        post = self.posts[post_id]
        editor = self.user(username) if username else self.user_by_id(post.user_id)
        self._revise(post, editor, raw, edit_reason)
        self._emit_post_event("post_edited", post)
        return self._post_single(post, self.api_user)

    def delete_post(self, post_id: int, *, by_author: bool = False, username: Optional[str] = None) -> None:
        """Delete a post as staff (soft delete; post 1 deletes the topic), or as its
        author (``by_author=True``: text replaced by "(post deleted by author)")."""
        post = self.posts[post_id]
        if by_author:
            actor = self.user_by_id(post.user_id)
        else:
            actor = self.user(username) if username else self.system_user
        self._destroy_post(post, actor)
        self._emit_post_event("post_destroyed", post)

    def close_topic(self, topic_id: int, closed: bool = True, *, username: Optional[str] = None) -> None:
        actor = self.user(username) if username else self.system_user
        self._set_status(self.topics[topic_id], "closed", closed, actor)

    def topic_posts(self, topic_id: int, *, include_deleted: bool = False, regular_only: bool = False) -> list[FakePost]:
        out = []
        for pid in self.topics[topic_id].post_ids:
            p = self.posts[pid]
            if p.deleted_at is not None and not include_deleted:
                continue
            if regular_only and p.post_type != 1:
                continue
            out.append(p)
        return out

    def topic_by_external_id(self, external_id: str) -> Optional[FakeTopic]:
        for t in self.topics.values():
            if t.external_id is not None and t.external_id == external_id:
                return t
        return None

    def requests_to(self, method: Optional[str] = None, path: _PathPredicate = None) -> list[LoggedRequest]:
        match = _make_predicate(path, method)
        return [r for r in self.requests if match(r.method, r.path)]
