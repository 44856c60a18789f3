"""Topics: their shapes (getTopic, the topic lists), their lookup, and the handlers of
``/t/…`` and ``/latest``.  The ``TopicRoutes`` part of ``FakeDiscourse``."""

from __future__ import annotations

import html
from typing import Optional

from aiohttp import web

from .models import FakePost, FakeTopic, FakeUser, iso8601
from .replies import (
    _K_PARAMS,
    _K_USER,
    _empty_ok,
    _error,
    _invalid_access,
    _invalid_params,
    _not_found,
    _redirect,
)
from .text import _plain_excerpt


class TopicRoutes:
    """Topic shapes and handlers (mixed into ``FakeDiscourse``)."""

    # -------------------------------------------------------------- serializers

    def _visible_posts(self, topic: FakeTopic, acting: FakeUser) -> list[FakePost]:
        return [
            self.posts[i] for i in topic.post_ids
            if self.posts[i].post_type != 4 and (self.posts[i].deleted_at is None or acting.staff)
        ]

    def _topic_view(self, topic: FakeTopic, acting: FakeUser, *, near_post_number: Optional[int] = None,
                    page: int = 1) -> dict:
        posts = self._visible_posts(topic, acting)
        chunk = self.settings.chunk_size
        if near_post_number:
            idx = next((i for i, p in enumerate(posts) if p.post_number >= near_post_number), len(posts))
            start = max(0, idx - chunk // 4)
        else:
            start = max(0, (page - 1) * chunk)
        shown = posts[start:start + chunk]
        author = self.user_by_id(topic.user_id)
        regular = [p for p in posts if p.post_type == 1 and p.deleted_at is None]
        last = regular[-1] if regular else None
        last_poster = self.user_by_id(last.user_id) if last else author
        participants: dict[int, int] = {}
        for p in regular:
            participants[p.user_id] = participants.get(p.user_id, 0) + 1
        now = self.now()
        first_day = posts[0].created_at if posts else topic.created_at
        timeline = [[p.post_number, max(0, (now - p.created_at).days)] for p in posts[:1]]
        if posts and first_day != posts[-1].created_at:
            timeline.append([posts[-1].post_number, max(0, (now - posts[-1].created_at).days)])
        words = sum(len(p.raw.split()) for p in regular)
        return {
            "post_stream": {
                "posts": [self._post_in_stream(p, acting) for p in shown],
                "stream": [p.id for p in posts],
            },
            "timeline_lookup": timeline,
            "suggested_topics": [],
            "tags": [],
            "tags_descriptions": {},
            "id": topic.id,
            "title": topic.title,
            "fancy_title": html.escape(topic.title, quote=False),
            "posts_count": self._posts_count(topic),
            "created_at": iso8601(topic.created_at),
            "views": topic.views,
            "reply_count": max(0, len(regular) - 1),
            "like_count": 0,
            "last_posted_at": iso8601(last.created_at) if last else None,
            "visible": topic.visible,
            "closed": topic.closed,
            "archived": topic.archived,
            "has_summary": False,
            "archetype": topic.archetype,
            "slug": topic.slug,
            "category_id": topic.category_id,
            "word_count": words,
            "deleted_at": iso8601(topic.deleted_at) if topic.deleted_at else None,
            "user_id": topic.user_id,
            "featured_link": None,
            "pinned_globally": topic.pinned_globally,
            "pinned_at": iso8601(topic.pinned_at) if topic.pinned_at else None,
            "pinned_until": None,
            "image_url": None,
            "slow_mode_seconds": 0,
            "draft": None,
            "draft_key": f"topic_{topic.id}",
            "draft_sequence": 0,
            "unpinned": None,
            "pinned": topic.pinned,
            "current_post_number": shown[0].post_number if shown else 1,
            "highest_post_number": topic.highest_post_number,
            "deleted_by": None,
            "has_deleted": any(self.posts[i].deleted_at is not None for i in topic.post_ids),
            "actions_summary": [
                {"id": 4, "count": 0, "hidden": False, "can_act": True},
                {"id": 8, "count": 0, "hidden": False, "can_act": True},
                {"id": 7, "count": 0, "hidden": False, "can_act": True},
            ],
            "chunk_size": chunk,
            "bookmarked": False,
            "bookmarks": [],
            "topic_timer": None,
            "message_bus_last_id": 0,
            "participant_count": len(participants) or 1,
            "show_read_indicator": False,
            "thumbnails": None,
            "slow_mode_enabled_until": None,
            "details": {
                "can_edit": acting.staff,
                "notification_level": 1,
                "can_move_posts": acting.staff,
                "can_delete": acting.staff,
                "can_remove_allowed_users": acting.staff,
                "can_invite_to": acting.staff,
                "can_invite_via_email": acting.staff,
                "can_create_post": acting.staff or not topic.closed,
                "can_reply_as_new_topic": True,
                "can_flag_topic": not acting.staff,
                "can_convert_topic": acting.staff,
                "can_review_topic": acting.staff,
                "can_close_topic": acting.staff,
                "can_archive_topic": acting.staff,
                "can_split_merge_topic": acting.staff,
                "can_edit_staff_notes": acting.staff,
                "can_toggle_topic_visibility": acting.staff,
                "can_pin_unpin_topic": acting.staff,
                "can_moderate_category": acting.staff,
                "can_remove_self_id": acting.id,
                "participants": [
                    {
                        **self.user_by_id(uid).summary(),
                        "post_count": count,
                        "primary_group_name": None,
                        "flair_name": None,
                        "flair_url": None,
                        "flair_color": None,
                        "flair_bg_color": None,
                        "flair_group_id": None,
                        "admin": self.user_by_id(uid).admin,
                        "moderator": self.user_by_id(uid).moderator,
                        "trust_level": self.user_by_id(uid).trust_level,
                    }
                    for uid, count in participants.items()
                ],
                "created_by": author.summary(),
                "last_poster": last_poster.summary(),
            },
        }

    def _topic_list_item(self, topic: FakeTopic, acting: FakeUser) -> dict:
        posts = [p for p in self._visible_posts(topic, acting) if p.deleted_at is None]
        regular = [p for p in posts if p.post_type == 1]
        last = regular[-1] if regular else None
        last_poster = self.user_by_id(last.user_id) if last else self.user_by_id(topic.user_id)
        first = regular[0] if regular else None
        excerpt = _plain_excerpt(first.cooked)[0] if first else ""
        poster_ids: list[int] = []
        for p in regular:
            if p.user_id not in poster_ids:
                poster_ids.append(p.user_id)
        posters = []
        for i, uid in enumerate(poster_ids[:5]):
            is_op = uid == topic.user_id
            is_last = uid == last_poster.id
            desc = ", ".join(x for x in ("Original Poster" if is_op else "",
                                          "Most Recent Poster" if is_last else "Frequent Poster") if x)
            extras = "latest single" if (is_last and len(poster_ids) == 1) else ("latest" if is_last else "")
            posters.append({"extras": extras, "description": desc, "user_id": uid, "primary_group_id": None})
        return {
            "id": topic.id,
            "title": topic.title,
            "fancy_title": html.escape(topic.title, quote=False),
            "slug": topic.slug,
            "posts_count": self._posts_count(topic),
            "reply_count": max(0, len(regular) - 1),
            "highest_post_number": topic.highest_post_number,
            "image_url": None,
            "created_at": iso8601(topic.created_at),
            "last_posted_at": iso8601(last.created_at if last else topic.created_at),
            "bumped": topic.bumped_at > topic.created_at,
            "bumped_at": iso8601(topic.bumped_at),
            "archetype": topic.archetype,
            "unseen": False,
            "pinned": topic.pinned,
            "unpinned": None,
            "excerpt": excerpt,
            "visible": topic.visible,
            "closed": topic.closed,
            "archived": topic.archived,
            "bookmarked": None,
            "liked": None,
            "views": topic.views,
            "like_count": 0,
            "has_summary": False,
            "last_poster_username": last_poster.username,
            "category_id": topic.category_id,
            "pinned_globally": topic.pinned_globally,
            "featured_link": None,
            "posters": posters,
        }

    def _topic_list(self, topics: list[FakeTopic], acting: FakeUser, page: int) -> dict:
        per_page = self.settings.topics_per_page
        topics = sorted(topics, key=lambda t: (not t.pinned, -t.bumped_at.timestamp(), -t.id))
        shown = topics[page * per_page:(page + 1) * per_page]
        items = [self._topic_list_item(t, acting) for t in shown]
        user_ids: list[int] = []
        for item in items:
            for poster in item["posters"]:
                if poster["user_id"] not in user_ids:
                    user_ids.append(poster["user_id"])
        return {
            "users": [self.user_by_id(uid).summary() for uid in user_ids],
            "primary_groups": [],
            "topic_list": {
                "can_create_topic": True,
                "per_page": per_page,
                "topics": items,
            },
        }

    # ------------------------------------------------------------------ lookups

    def _find_topic(self, topic_id: int, acting: FakeUser) -> FakeTopic:
        topic = self.topics.get(topic_id)
        if topic is None or (topic.deleted_at is not None and not acting.staff):
            raise _not_found()
        return topic

    # ----------------------------------------------------------------- handlers

    async def _h_latest_topics(self, request: web.Request) -> web.Response:
        acting = request[_K_USER]
        page = int(request[_K_PARAMS].get("page", 0) or 0)
        topics = [t for t in self.topics.values() if t.deleted_at is None and t.visible]
        data = self._topic_list(topics, acting, page)
        for item in data["topic_list"]["topics"]:
            # listLatestTopics types these boolean, and image_url a non-null string
            # (Discourse sends null when a topic has no image): leave it out.
            item["bookmarked"] = False
            item["liked"] = False
            del item["image_url"]
        return self._ok(request, data, "get", "/latest.json", "/latest.json")

    async def _h_delete_topic(self, request: web.Request) -> web.Response:
        acting: FakeUser = request[_K_USER]
        if not acting.staff:
            raise _invalid_access()
        topic = self._find_topic(int(request.match_info["id"]), acting)
        first = self.posts[topic.post_ids[0]]
        self._destroy_post(first, acting)
        self._spec(request, "delete", "/t/{id}.json", f"/t/{topic.id}.json")
        return _empty_ok()

    async def _h_topic_by_external_id(self, request: web.Request) -> web.Response:
        topic = self.topic_by_external_id(request.match_info["eid"])
        if topic is None or (topic.deleted_at is not None and not request[_K_USER].staff):
            raise _not_found()
        ext = ".json" if request.match_info["ext"] or "json" in request.headers.get("Accept", "") else ""
        post_number = request[_K_PARAMS].get("post_number")
        tail = f"/{int(post_number)}" if post_number and str(post_number).isdigit() and int(post_number) > 0 else ""
        self._spec(request, "get", "/t/external_id/{external_id}.json", f"/t/external_id/{topic.id}.json")
        return _redirect(f"{self.url}{topic.url}{tail}{ext}")

    async def _h_topic(self, request: web.Request) -> web.Response:
        acting = request[_K_USER]
        topic = self._find_topic(int(request.match_info["id"]), acting)
        page = int(request[_K_PARAMS].get("page", 1) or 1)
        topic.views += 1
        return self._ok(request, self._topic_view(topic, acting, page=page), "get", "/t/{id}.json",
                        f"/t/{topic.id}.json")

    async def _h_topic_two_segments(self, request: web.Request) -> web.Response:
        acting = request[_K_USER]
        a, b = request.match_info["a"], int(request.match_info["b"])
        ext = request.match_info["ext"]
        if a.isdigit():  # /t/{topic_id}/{post_number}.json (pydiscourse's post())
            topic = self._find_topic(int(a), acting)
            topic.views += 1
            return self._ok(request, self._topic_view(topic, acting, near_post_number=b), "get", "/t/{id}.json",
                            f"/t/{topic.id}.json")
        topic = self._find_topic(b, acting)
        if a != topic.slug:
            return _redirect(f"{self.url}{topic.url}{ext}")
        topic.views += 1
        page = int(request[_K_PARAMS].get("page", 1) or 1)
        return self._ok(request, self._topic_view(topic, acting, page=page), "get", "/t/{id}.json",
                        f"/t/{topic.id}.json")

    async def _h_topic_posts(self, request: web.Request) -> web.Response:
        acting = request[_K_USER]
        topic = self._find_topic(int(request.match_info["id"]), acting)
        params = request[_K_PARAMS]
        posts = self._visible_posts(topic, acting)
        wanted = params.get("post_ids")
        if wanted is None and params.get("username_filters"):
            names = {n.strip().lower() for n in str(params["username_filters"]).split(",")}
            posts = [p for p in posts if p.post_number == 1 or self.user_by_id(p.user_id).username.lower() in names]
        if wanted is not None:
            ids = {int(x) for x in (wanted if isinstance(wanted, list) else [wanted]) if str(x).isdigit()}
            chosen = [p for p in posts if p.id in ids]
        elif params.get("post_number") not in (None, ""):
            n = int(params["post_number"])
            asc = str(params.get("asc", "true")).lower() == "true"
            if asc:
                chosen = [p for p in posts if p.post_number > n][: self.settings.chunk_size]
            else:
                chosen = [p for p in posts if p.post_number < n][-self.settings.chunk_size:]
        else:
            chosen = posts[: self.settings.chunk_size]
        data = {"post_stream": {"posts": [self._post_in_stream(p, acting) for p in chosen]}, "id": topic.id}
        return self._ok(request, data, "get", "/t/{id}/posts.json", f"/t/{topic.id}/posts.json")

    async def _h_topic_status(self, request: web.Request) -> web.Response:
        acting: FakeUser = request[_K_USER]
        params = request[_K_PARAMS]
        status, enabled = params.get("status"), params.get("enabled")
        if status is None:
            raise _invalid_params("status")
        if enabled is None:
            raise _invalid_params("enabled")
        if status not in ("closed", "pinned", "pinned_globally", "archived", "visible"):
            raise _error(400, ["status must be one of closed, pinned, pinned_globally, archived, visible"],
                         "invalid_parameters")
        topic = self._find_topic(int(request.match_info["id"]), acting)
        if not acting.staff:
            raise _invalid_access()
        self._set_status(topic, status, str(enabled).lower() == "true", acting)
        return self._ok(request, {"success": "OK", "topic_status_update": None}, "put", "/t/{id}/status.json",
                        f"/t/{topic.id}/status.json")
