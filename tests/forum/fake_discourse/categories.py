"""Categories: their shapes (listCategories, getCategory), their lookup, and the
handlers of ``/categories`` and ``/c/…``.  The ``CategoryRoutes`` part of
``FakeDiscourse``."""

from __future__ import annotations

import html

from aiohttp import web

from .models import FakeCategory, FakeUser
from .replies import _K_PARAMS, _K_USER, _not_found, _redirect


class CategoryRoutes:
    """Category shapes and handlers (mixed into ``FakeDiscourse``)."""

    # -------------------------------------------------------------- serializers

    def _category_counts(self, cat: FakeCategory) -> tuple[int, int]:
        topics = [t for t in self.topics.values() if t.category_id == cat.id and t.deleted_at is None
                  and t.id != cat.topic_id]
        posts = sum(self._posts_count(t) for t in topics)
        return len(topics), posts

    def _category_base(self, cat: FakeCategory, acting: FakeUser) -> dict:
        topic_count, post_count = self._category_counts(cat)
        about = self.topics.get(cat.topic_id) if cat.topic_id else None
        desc = cat.description
        return {
            "id": cat.id,
            "name": cat.name,
            "color": cat.color,
            "text_color": cat.text_color,
            "style_type": "square",
            "emoji": None,
            "icon": None,
            "slug": cat.slug,
            "topic_count": topic_count,
            "post_count": post_count,
            "position": cat.position,
            "description": f"<p>{html.escape(desc, quote=False)}</p>" if desc else None,
            "description_text": desc,
            "description_excerpt": html.escape(desc, quote=False) if desc else None,
            "topic_url": about.url if about else None,
            "read_restricted": cat.read_restricted,
            "permission": 1,
            "notification_level": 1,
            "can_edit": acting.admin,
            "topic_template": None,
            "topic_title_placeholder": None,
            "has_children": False,
            "subcategory_count": None,
            "sort_order": None,
            "sort_ascending": None,
            "show_subcategory_list": False,
            "num_featured_topics": 3,
            "default_view": None,
            "subcategory_list_style": "rows_with_featured_topics",
            "default_top_period": "all",
            "default_list_filter": "all",
            "minimum_required_tags": 0,
            "navigate_to_first_post_after_read": False,
            "uploaded_logo": None,
            "uploaded_logo_dark": None,
            "uploaded_background": None,
            "uploaded_background_dark": None,
        }

    def _category_list_item(self, cat: FakeCategory, acting: FakeUser) -> dict:
        """Items of GET /categories.json (listCategories)."""
        data = self._category_base(cat, acting)
        topic_count = data["topic_count"]
        data.update(
            topics_day=0, topics_week=topic_count, topics_month=topic_count, topics_year=topic_count,
            topics_all_time=topic_count, subcategory_ids=[],
        )
        if cat.is_uncategorized:
            data["is_uncategorized"] = True
        return data

    def _category_show(self, cat: FakeCategory, acting: FakeUser) -> dict:
        """GET /c/{id}/show.json (getCategory)."""
        data = self._category_base(cat, acting)
        data.update(
            custom_fields={},
            required_tag_groups=[],
            read_only_banner=None,
            available_groups=["admins", "everyone", "moderators", "staff", "trust_level_0"],
            auto_close_hours=None,
            auto_close_based_on_last_post=False,
            allow_unlimited_owner_edits_on_first_post=False,
            default_slow_mode_seconds=None,
            group_permissions=[{"permission_type": 1, "group_name": "everyone", "group_id": 0}],
            email_in=None,
            email_in_allow_strangers=False,
            mailinglist_mirror=False,
            all_topics_wiki=False,
            can_delete=acting.admin and not cat.is_uncategorized,
            allow_badges=True,
            topic_featured_link_allowed=True,
            search_priority=0,
            topic_posting_review_group_ids=[],
            reply_posting_review_group_ids=[],
        )
        return {"category": data}

    # ------------------------------------------------------------------ lookups

    def _find_category(self, ref: str) -> FakeCategory:
        ref = ref.strip("/")
        if ref.isdigit():
            cat = self.categories.get(int(ref))
        else:
            last = ref.split("/")[-1]
            cat = next((c for c in self.categories.values() if c.slug == last), None)
        if cat is None:
            raise _not_found()
        return cat

    # ----------------------------------------------------------------- handlers

    async def _h_categories(self, request: web.Request) -> web.Response:
        acting = request[_K_USER]
        cats = sorted(self.categories.values(), key=lambda c: (c.position, c.id))
        data = {
            "category_list": {
                "can_create_category": acting.admin,
                "can_create_topic": acting.id != 0,
                "categories": [self._category_list_item(c, acting) for c in cats],
            }
        }
        return self._ok(request, data, "get", "/categories.json", "/categories.json")

    async def _h_category_show(self, request: web.Request) -> web.Response:
        cat = self._find_category(request.match_info["cat"])
        return self._ok(request, self._category_show(cat, request[_K_USER]), "get", "/c/{id}/show.json",
                        f"/c/{cat.id}/show.json")

    async def _h_category_redirect(self, request: web.Request) -> web.Response:
        cat = self._find_category(request.match_info["cat"])
        ext = request.match_info["ext"]
        location = f"{self.url}/c/{cat.slug}/{cat.id}{ext}"
        if request.query_string:
            location += "?" + request.query_string
        return _redirect(location)

    def _category_topics_response(self, request: web.Request, cat: FakeCategory) -> web.Response:
        acting = request[_K_USER]
        page = int(request[_K_PARAMS].get("page", 0) or 0)
        topics = [t for t in self.topics.values() if t.category_id == cat.id
                  and t.deleted_at is None and (t.visible or acting.staff)]
        data = self._topic_list(topics, acting, page)
        return self._ok(request, data, "get", "/c/{slug}/{id}.json", f"/c/{cat.slug}/{cat.id}.json")

    async def _h_category_topics(self, request: web.Request) -> web.Response:
        cat = self.categories.get(int(request.match_info["id"]))
        if cat is None:
            raise _not_found()
        slug = request.match_info["slug"]
        if slug != cat.slug:
            tail = "/l/latest" if request.path.rstrip("/").split(".json")[0].endswith("/l/latest") else ""
            location = f"{self.url}/c/{cat.slug}/{cat.id}{tail}{request.match_info['ext']}"
            return _redirect(location)
        return self._category_topics_response(request, cat)

    async def _h_category_latest_by_slug(self, request: web.Request) -> web.Response:
        # pydiscourse's category_latest_topics(name[, parent]): /c/{name}/l/latest.json
        return self._category_topics_response(request, self._find_category(request.match_info["cat"]))
