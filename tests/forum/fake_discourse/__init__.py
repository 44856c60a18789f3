"""An in-memory HTTP fake of a Discourse forum, for tests.

It speaks what pydiscourse 1.7.0 sends (form-encoded bodies, paths with or without
``.json``, ``Api-Key``/``Api-Username`` headers) and answers in the shapes of the
official Discourse OpenAPI description: every answer that has a spec operation
(all its 200s, the empty 200s of the DELETEs, the external_id 301) is validated, in
the fake itself, against that operation's response (openapi-core).  A body outside the spec is never sent: the fake
records a ``SpecViolation`` in ``spec_violations``, answers 500 instead, and the
``fake_forum`` fixture fails the test at teardown.  So a test that passes against
this fake proves that the code under test copes with the real shapes.

Behaviour copied from Discourse (server source, not only the spec):

* ``GET /t/external_id/{id}.json`` answers 301 to ``/t/{slug}/{topic_id}.json``
  with an empty body; 404 when unknown.  A topic's ``external_id`` is unique
  (case-insensitive), at most 50 characters of ``[A-Za-z0-9_-]``; it is ignored on
  replies (only topics have one).
* ``GET /t/{slug}/{id}.json`` with a wrong slug answers 301 to the right one;
  ``GET /c/{id}.json`` answers 301 to ``/c/{slug}/{id}.json``.
* ``POST /posts`` through the API is memoized for 120 s (by the fake's ``clock``): the
  same parameters from the same user within that window return the first answer (same
  post, or same error) without creating anything.  That is what makes a blind retry
  after a lost answer safe in real Discourse, within two minutes.
* ``GET /t/{id}/posts.json`` takes ``post_ids[]``, or ``post_number`` with ``asc`` (the
  next or previous 20 posts), and ``username_filters`` (comma-separated: post 1 and
  those users' posts only; ignored with ``post_ids``), as TopicsController#posts does.
* Cooked drops HTML comments (Discourse's sanitizer does); raw keeps them.
* Site settings with Discourse's defaults: post bodies need 20 characters (after
  strip), titles 15, and both must pass Discourse's "text sentinel" (entropy, at
  least one lowercase letter, no word over 30 characters in titles); duplicate
  titles are refused; a non-staff user cannot post the same body twice within 5
  minutes.  Titles are prettified as Discourse does (first letter capitalised,
  trailing periods dropped).  ``skip_validations=true`` (the string) skips them.
  Errors come back as 422 ``{"action": "create_post", "errors": [...]}``.
* Each category has its pinned "About the … category" topic; closing a topic adds a
  small-action post (``post_type`` 3, empty ``raw``/``cooked``), so post numbers
  skip one; staff deleting a post soft-deletes it (``deleted_at`` set, still shown
  to staff), deleting post 1 deletes the topic; an author deleting their own post
  replaces its text with "(post deleted by author)".
* ``GET /posts.json?before=N`` returns posts with ``id <= N`` (inclusive), newest
  first, 50 at most, regular posts only.

Error bodies follow Discourse's conventions (the spec lists no error responses):
``{"errors": [...], "error_type": "not_found" | "invalid_access" | ...}``.

Test helpers: ``add_user``, ``add_category``, ``user_reply``, ``user_create_topic``,
``edit_post``, ``delete_post``, ``close_topic``; state in ``users``, ``categories``,
``topics``, ``posts``; ``requests`` is the request log.  Faults: ``fail_next``,
``rate_limit_next``, ``delay_next``, ``drop_response_next``; an optional per-minute
API limit (``settings.max_api_requests_per_minute``).  Webhooks: ``send_webhook``
(signed like Discourse), ``webhook_payload``, and ``register_webhook`` for automatic
``post_created``/``post_edited``/``post_destroyed`` deliveries.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Optional, Union

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
    iso8601,
)
from .replies import (
    _K_LOG,
    _K_PARAMS,
    _K_SPEC,
    _K_USER,
    _create_error,
    _empty_ok,
    _error,
    _invalid_access,
    _invalid_params,
    _json_response,
    _not_found,
    _not_logged_in,
    _Reply,
)
from .spec import (
    SpecViolation,
    load_openapi,
    validate_response_body,
)
from .text import _plain_excerpt, _prettify_title, slugify
from .topics import TopicRoutes
from .webhooks import Webhooks

__all__ = [
    "FakeDiscourse",
    "ForumSettings",
    "FakeUser",
    "FakeCategory",
    "FakeTopic",
    "FakePost",
    "LoggedRequest",
    "WebhookDelivery",
    "SpecViolation",
    "load_openapi",
    "validate_response_body",
    "iso8601",
]


# ------------------------------------------------------------------------ the fake


class FakeDiscourse(CategoryRoutes, TopicRoutes, ForumLogic, Webhooks, Faults):
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

    # -------------------------------------------------------------- serializers

    def _post_common(self, post: FakePost, acting: FakeUser) -> dict:
        topic = self.topics[post.topic_id]
        user = self.user_by_id(post.user_id)
        yours = acting.id == user.id
        return {
            "id": post.id,
            "name": user.name,
            "username": user.username,
            "avatar_template": user.avatar_template,
            "created_at": iso8601(post.created_at),
            "cooked": post.cooked,
            "post_number": post.post_number,
            "post_type": post.post_type,
            "posts_count": self._posts_count(topic),
            "updated_at": iso8601(post.updated_at),
            "reply_count": 0,
            "reply_to_post_number": None,
            "quote_count": 0,
            "incoming_link_count": 0,
            "reads": 1,
            "readers_count": 0,
            "score": 0,
            "yours": yours,
            "topic_id": topic.id,
            "topic_slug": topic.slug,
            "display_username": user.name,
            "primary_group_name": None,
            "flair_name": None,
            "flair_url": None,
            "flair_bg_color": None,
            "flair_color": None,
            "flair_group_id": None,
            "version": post.version,
            "can_edit": acting.staff or yours,
            "can_delete": acting.staff or yours,
            "can_recover": acting.staff and post.deleted_at is not None,
            "can_see_hidden_post": acting.staff,
            "can_wiki": acting.staff,
            "user_title": user.title,
            "bookmarked": False,
            "raw": post.raw,
            "actions_summary": [] if yours else [{"id": 2, "can_act": True}, {"id": 3, "can_act": True},
                                                  {"id": 4, "can_act": True}, {"id": 8, "can_act": True}],
            "moderator": user.moderator,
            "admin": user.admin,
            "staff": user.staff,
            "user_id": user.id,
            "draft_sequence": 0,
            "hidden": post.hidden,
            "trust_level": user.trust_level,
            "deleted_at": iso8601(post.deleted_at) if post.deleted_at else None,
            "user_deleted": post.user_deleted,
            "edit_reason": post.edit_reason,
            "can_view_edit_history": True,
            "wiki": post.wiki,
            "reviewable_id": None,
            "reviewable_score_count": 0,
            "reviewable_score_pending_count": 0,
            "post_url": f"/t/{topic.slug}/{topic.id}/{post.post_number}",
        }

    @staticmethod
    def _pick(data: dict, keys: Iterable[str], **overrides) -> dict:
        out = {k: data[k] for k in keys}
        out.update(overrides)
        return out

    _CREATE_KEYS = (
        "id", "name", "username", "avatar_template", "created_at", "cooked", "post_number", "post_type",
        "posts_count", "updated_at", "reply_count", "reply_to_post_number", "quote_count",
        "incoming_link_count", "reads", "readers_count", "score", "yours", "topic_id", "topic_slug",
        "display_username", "primary_group_name", "flair_name", "flair_url", "flair_bg_color", "flair_color",
        "flair_group_id", "version", "can_edit", "can_delete", "can_recover", "can_see_hidden_post",
        "can_wiki", "user_title", "bookmarked", "actions_summary", "moderator", "admin", "staff", "user_id",
        "draft_sequence", "hidden", "trust_level", "deleted_at", "user_deleted", "edit_reason",
        "can_view_edit_history", "wiki", "reviewable_id", "reviewable_score_count",
        "reviewable_score_pending_count", "post_url",
    )

    def _post_created(self, post: FakePost, acting: FakeUser) -> dict:
        """POST /posts.json (createTopicPostPM): the post, without raw."""
        base = self._post_common(post, acting)
        return self._pick(base, self._CREATE_KEYS, mentioned_users=[])

    _SINGLE_KEYS = tuple(k for k in _CREATE_KEYS if k != "draft_sequence") + ("raw",)

    def _post_single(self, post: FakePost, acting: FakeUser) -> dict:
        """GET /posts/{id}.json (getPost)."""
        base = self._post_common(post, acting)
        return self._pick(base, self._SINGLE_KEYS, mentioned_users=[])

    def _post_updated(self, post: FakePost, acting: FakeUser) -> dict:
        """PUT /posts/{id}.json (updatePost): {"post": ...}."""
        base = self._post_common(post, acting)
        return {"post": self._pick(base, self._CREATE_KEYS + ("raw",), mentioned_users=[])}

    _LATEST_KEYS = tuple(k for k in _CREATE_KEYS if k != "draft_sequence") + (
        "raw", "badges_granted", "topic_title", "topic_html_title", "category_id", "excerpt", "truncated",
    )

    def _post_latest(self, post: FakePost, acting: FakeUser) -> dict:
        """GET /posts.json (listPosts) items."""
        topic = self.topics[post.topic_id]
        base = self._post_common(post, acting)
        excerpt, truncated = _plain_excerpt(post.cooked)
        base.update(
            badges_granted=[], topic_title=topic.title, topic_html_title=html.escape(topic.title, quote=False),
            category_id=topic.category_id, excerpt=excerpt, truncated=truncated,
        )
        # the spec types these two string|null
        return self._pick(base, self._LATEST_KEYS, flair_group_id=None, reviewable_id=None)

    _STREAM_KEYS = (
        "id", "name", "username", "avatar_template", "created_at", "cooked", "post_number", "post_type",
        "posts_count", "updated_at", "reply_count", "reply_to_post_number", "quote_count",
        "incoming_link_count", "reads", "readers_count", "score", "yours", "topic_id", "topic_slug",
        "display_username", "primary_group_name", "flair_name", "flair_url", "flair_bg_color", "flair_color",
        "flair_group_id", "version", "can_edit", "can_delete", "can_recover", "can_see_hidden_post",
        "can_wiki", "user_title", "bookmarked", "actions_summary", "moderator", "admin", "staff", "user_id",
        "hidden", "trust_level", "deleted_at", "user_deleted", "edit_reason", "can_view_edit_history", "wiki",
        "reviewable_id", "reviewable_score_count", "reviewable_score_pending_count",
    )

    def _post_in_stream(self, post: FakePost, acting: FakeUser) -> dict:
        """Posts of GET /t/{id}.json (getTopic) and GET /t/{id}/posts.json."""
        base = self._post_common(post, acting)
        out = self._pick(base, self._STREAM_KEYS, link_counts=[], read=True, reviewable_id=0)
        del out["posts_count"]  # not a property of getTopic's posts
        del out["flair_group_id"]
        return out

    # ------------------------------------------------------------- HTTP plumbing

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        J = r"{ext:(?:\.json)?}"
        r = app.router
        add = r.add_route
        add("GET", "/categories" + J, self._h_categories)
        add("GET", r"/c/{cat:[^/]+?}/show" + J, self._h_category_show)
        add("GET", r"/c/{slug:[^/]+}/{id:\d+}/l/latest" + J, self._h_category_topics)
        add("GET", r"/c/{cat:[^/]+?}/l/latest" + J, self._h_category_latest_by_slug)
        add("GET", r"/c/{slug:[^/]+}/{id:\d+}" + J, self._h_category_topics)
        add("GET", r"/c/{cat:[^/]+?}" + J, self._h_category_redirect)
        add("GET", "/posts" + J, self._h_latest_posts)
        add("POST", "/posts" + J, self._h_create_post)
        add("GET", r"/posts/{id:\d+}" + J, self._h_get_post)
        add("PUT", r"/posts/{id:\d+}" + J, self._h_update_post)
        add("DELETE", r"/posts/{id:\d+}" + J, self._h_delete_post)
        add("GET", r"/t/external_id/{eid:[^/]+?}" + J, self._h_topic_by_external_id)
        add("GET", r"/t/{id:\d+}/posts" + J, self._h_topic_posts)
        add("PUT", r"/t/{id:\d+}/status" + J, self._h_topic_status)
        add("GET", r"/t/{id:\d+}" + J, self._h_topic)
        add("DELETE", r"/t/{id:\d+}" + J, self._h_delete_topic)
        add("GET", r"/t/{a:[^/]+}/{b:\d+}" + J, self._h_topic_two_segments)
        add("GET", "/latest" + J, self._h_latest_topics)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler) -> web.StreamResponse:
        body = await request.read()
        form: dict[str, list[str]] = {}
        parsed_json = None
        ctype = request.content_type
        if ctype == "application/x-www-form-urlencoded" or (ctype == "multipart/form-data"):
            post = await request.post()
            for k, v in post.items():
                form.setdefault(k, []).append(v if isinstance(v, str) else getattr(v, "filename", str(v)))
        elif ctype == "application/json" and body:
            try:
                parsed_json = json.loads(body)
            except ValueError:
                parsed_json = None
        query: dict[str, list[str]] = {}
        for k, v in request.query.items():
            query.setdefault(k, []).append(v)
        entry = LoggedRequest(
            method=request.method, path=request.path, query=query, headers=dict(request.headers),
            body=body, form=form, json=parsed_json,
        )
        self.requests.append(entry)
        request[_K_LOG] = entry
        request[_K_PARAMS] = self._params(query, form, parsed_json)
        response = await self._dispatch(request, handler, entry)
        entry.status = response.status if response is not None else None
        return response

    async def _dispatch(self, request: web.Request, handler, entry: LoggedRequest) -> web.StreamResponse:
        method, path = request.method, request.path

        fault = self._take_fault(("delay",), method, path)
        if fault is not None:
            entry.fault = "delay"
            await asyncio.sleep(fault.delay)

        fault = self._take_fault(("fail", "rate_limit"), method, path)
        if fault is not None:
            entry.fault = fault.kind
            if fault.kind == "rate_limit":
                return self._rate_limited(fault.wait_seconds, text=fault.mode == "text")
            return self._failure(fault.status, fault.body)

        try:
            self._authenticate(request)
            limited = self._api_rate_limit(request)
            if limited is not None:
                entry.fault = "api_rate_limit"
                return limited
            response = await handler(request)
        except _Reply as reply:
            response = reply.response
        except web.HTTPException as exc:
            if exc.status == 404:
                response = _not_found().response
            elif exc.status == 405:
                response = _error(405, ["Method not allowed"], "invalid_parameters").response
            else:
                raise

        response = self._check_spec(request, response)

        drop = self._take_fault(("drop",), method, path)
        if drop is not None:
            entry.fault = f"drop:{drop.mode}"
            if drop.mode == "502":
                return self._failure(502, None)
            if drop.mode == "timeout":
                await asyncio.sleep(drop.delay)
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=599)  # never reaches the client
        return response

    def _authenticate(self, request: web.Request) -> None:
        key = request.headers.get("Api-Key")
        username = request.headers.get("Api-Username")
        if not self.check_auth:
            user = self.users.get((username or self.api_username).lower(), self.api_user)
            request[_K_USER] = user
            return
        if key is None and username is None:
            if request.method != "GET":
                raise _not_logged_in()
            request[_K_USER] = FakeUser(id=0, username="", name="", trust_level=0)  # anonymous
            return
        if key != self.api_key:
            raise _invalid_access()
        user = self.users.get((username or "system").lower())
        if user is None or (self.single_user_key and user is not self.api_user):
            raise _invalid_access()
        request[_K_USER] = user

    @staticmethod
    def _params(query: dict[str, list[str]], form: dict[str, list[str]], parsed_json: Any) -> dict[str, Any]:
        """Rails-like params: query + form (``a[b]`` nested, ``a[]`` lists) + JSON body."""
        params: dict[str, Any] = {}

        def put(key: str, values: list[str]) -> None:
            m = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
            if not m:
                params[key] = values[-1]
                return
            head, rest = m.group(1), re.findall(r"\[([^\[\]]*)\]", m.group(2))
            target: dict = params
            parts = [head] + rest
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                nxt_is_list = not last and parts[i + 1] == ""
                if last:
                    target[part] = values[-1]
                    return
                if nxt_is_list:
                    target[part] = list(values)
                    return
                target = target.setdefault(part, {})

        for source in (query, form):
            for k, vs in source.items():
                put(k, vs)
        if isinstance(parsed_json, dict):
            params.update(parsed_json)
        return params

    def _check_spec(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        """Validate every answer that has a spec operation (all 200s, the empty 200s of
        the DELETEs, the external_id 301).  Error answers (4xx, 5xx) and the other
        redirects are Discourse conventions the spec does not describe."""
        if not self.validate:
            return response
        op = request.get(_K_SPEC)
        if op is None:
            if response.status == 200:
                violation = SpecViolation(
                    f"fake Discourse answered 200 to {request.method} {request.path} with no spec operation")
                self.spec_violations.append(violation)
                return web.Response(status=500, text=f"FAKE DISCOURSE SPEC VIOLATION\n{violation}",
                                    content_type="text/plain")
            return response
        if response.status >= 400:
            return response
        spec_method, spec_path, concrete = op
        body = response.body if isinstance(response, web.Response) else b""
        if not isinstance(body, (bytes, bytearray)):
            body = bytes(body or b"")
        try:
            validate_response_body(spec_method, spec_path, concrete, bytes(body), response.status,
                                   response.content_type)
        except SpecViolation as violation:
            self.spec_violations.append(violation)
            return web.Response(status=500, text=f"FAKE DISCOURSE SPEC VIOLATION\n{violation}",
                                content_type="text/plain")
        return response

    @staticmethod
    def _spec(request: web.Request, method: str, spec_path: str, concrete: str) -> None:
        request[_K_SPEC] = (method, spec_path, concrete)

    def _ok(self, request: web.Request, data: Any, method: str, spec_path: str, concrete: str) -> web.Response:
        self._spec(request, method, spec_path, concrete)
        return _json_response(data)

    # ------------------------------------------------------------------ lookups

    def _find_post(self, post_id: int, acting: FakeUser) -> FakePost:
        post = self.posts.get(post_id)
        if post is None:
            raise _not_found()
        topic = self.topics[post.topic_id]
        if (post.deleted_at is not None or topic.deleted_at is not None) and not acting.staff:
            raise _not_found()
        return post

    # ----------------------------------------------------------------- handlers

    async def _h_latest_posts(self, request: web.Request) -> web.Response:
        acting = request[_K_USER]
        before = request[_K_PARAMS].get("before")
        try:
            before_id = int(before) if before not in (None, "") else 0
        except ValueError:
            before_id = 0
        out = []
        for post in sorted(self.posts.values(), key=lambda p: -p.id):
            if before_id > 0 and post.id > before_id:
                continue
            topic = self.topics[post.topic_id]
            if post.post_type != 1 or post.deleted_at is not None or post.hidden:
                continue
            if topic.deleted_at is not None or not topic.visible or topic.archetype != "regular":
                continue
            cat = self.categories.get(topic.category_id)
            if cat is not None and cat.read_restricted and not acting.staff:
                continue
            out.append(self._post_latest(post, acting))
            if len(out) >= self.settings.latest_posts_limit:
                break
        return self._ok(request, {"latest_posts": out}, "get", "/posts.json", "/posts.json")

    async def _h_create_post(self, request: web.Request) -> web.Response:
        acting: FakeUser = request[_K_USER]
        entry: LoggedRequest = request[_K_LOG]
        params = request[_K_PARAMS]
        memo_key = None
        window = self.settings.api_post_memoize_seconds
        if window and "Api-Key" in request.headers:
            items = tuple(sorted((k, tuple(v)) for k, v in (entry.form or {}).items()))
            if entry.json is not None:
                items += (("__json__", json.dumps(entry.json, sort_keys=True)),)
            memo_key = (acting.id, items)
            hit = self._memo.get(memo_key)
            if hit is not None and (self.now() - hit[0]).total_seconds() < window:
                entry.memoized = True
                if hit[1] == 200:
                    self._spec(request, "post", "/posts.json", "/posts.json")
                return web.Response(body=hit[2], status=hit[1], content_type="application/json", charset="utf-8")
        try:
            response = self._create_post(request, acting, params)
        except _Reply as reply:
            response = reply.response
        if memo_key is not None and isinstance(response, web.Response):
            self._memo[memo_key] = (self.now(), response.status, bytes(response.body))
        return response

    def _create_post(self, request: web.Request, acting: FakeUser, params: dict) -> web.Response:
        if acting.id == 0:
            raise _not_logged_in()
        raw = params.get("raw")
        if raw is None:
            raise _invalid_params("raw")
        skip = str(params.get("skip_validations", "")).lower() == "true"
        created_at = _parse_time(params.get("created_at")) if params.get("created_at") else None
        reply_to = params.get("reply_to_post_number")
        reply_to = int(reply_to) if reply_to not in (None, "") else None
        topic_id = params.get("topic_id")
        if topic_id not in (None, ""):
            topic = self.topics.get(int(topic_id))
            if topic is None or topic.deleted_at is not None or (topic.closed and not acting.staff):
                raise _create_error(
                    ["Something went wrong. Perhaps this topic was closed or deleted while you were looking at it?"]
                )
            if not skip:
                errors = self._validate_body(raw, False, acting)
                if errors:
                    raise _create_error(errors)
            post = self._add_post(topic, acting, raw, created_at=created_at, reply_to_post_number=reply_to)
        else:
            title = params.get("title") or ""
            category = params.get("category")
            category_id: Optional[int] = None
            if category not in (None, ""):
                if str(category).isdigit():
                    category_id = int(category)
                else:  # Discourse also accepts a category name here
                    by_name = next((c for c in self.categories.values()
                                    if c.name.lower() == str(category).lower()), None)
                    category_id = by_name.id if by_name else -1
                if category_id not in self.categories:
                    raise _create_error(["Category can\u2019t be blank"])  # message approximated
            external_id = params.get("external_id") or None
            if skip and external_id:
                errors = self._validate_external_id(external_id)
                if errors:
                    raise _create_error(errors)
            _, post = self._create_topic(
                acting, title, raw, category_id, created_at=created_at,
                external_id=external_id, validate=not skip, reply_to_post_number=reply_to,
            )
        self._emit_post_event("post_created", post)
        return self._ok(request, self._post_created(post, acting), "post", "/posts.json", "/posts.json")

    async def _h_get_post(self, request: web.Request) -> web.Response:
        post = self._find_post(int(request.match_info["id"]), request[_K_USER])
        return self._ok(request, self._post_single(post, request[_K_USER]), "get", "/posts/{id}.json",
                        f"/posts/{post.id}.json")

    async def _h_update_post(self, request: web.Request) -> web.Response:
        acting: FakeUser = request[_K_USER]
        params = request[_K_PARAMS]
        post_params = params.get("post")
        if not isinstance(post_params, dict) or "raw" not in post_params:
            raise _invalid_params("post")
        post = self.posts.get(int(request.match_info["id"]))
        if post is None or (post.deleted_at is not None and not acting.staff):
            raise _not_found()
        if not (acting.staff or acting.id == post.user_id):
            raise _invalid_access()
        raw = post_params["raw"]
        if post.post_type == 1:
            errors = self._validate_body(raw, post.post_number == 1, self.system_user)  # no uniqueness on edit
            if errors:
                raise _error(422, errors)
        self._revise(post, acting, raw, post_params.get("edit_reason"))
        title = params.get("title")
        if title and post.post_number == 1:
            topic = self.topics[post.topic_id]
            topic.title = _prettify_title(title) if self.settings.title_prettify else title
            topic.slug = slugify(topic.title)
        self._emit_post_event("post_edited", post)
        return self._ok(request, self._post_updated(post, acting), "put", "/posts/{id}.json",
                        f"/posts/{post.id}.json")

    async def _h_delete_post(self, request: web.Request) -> web.Response:
        acting: FakeUser = request[_K_USER]
        if acting.id == 0:
            raise _not_logged_in()
        post = self._find_post(int(request.match_info["id"]), acting)
        self._destroy_post(post, acting)
        self._emit_post_event("post_destroyed", post)
        self._spec(request, "delete", "/posts/{id}.json", f"/posts/{post.id}.json")
        return _empty_ok()  # Rails' `render body: nil`
