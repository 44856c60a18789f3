"""Posts: their shapes (createTopicPostPM, getPost, updatePost, listPosts, and the posts
of a topic), their lookup, and the handlers of ``/posts``, with the memo of ``POST
/posts``.  The ``PostRoutes`` part of ``FakeDiscourse``."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Optional

from aiohttp import web

from .models import FakePost, FakeUser, LoggedRequest, _parse_time, iso8601
from .replies import (
    _K_LOG,
    _K_PARAMS,
    _K_USER,
    _create_error,
    _empty_ok,
    _error,
    _invalid_access,
    _invalid_params,
    _not_found,
    _not_logged_in,
    _Reply,
)
from .text import _plain_excerpt, _prettify_title, slugify


class PostRoutes:
    """Post shapes and handlers (mixed into ``FakeDiscourse``)."""

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
