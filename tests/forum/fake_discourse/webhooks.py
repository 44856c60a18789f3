"""Discourse's webhooks, signed as Discourse signs them: the ``Webhooks`` part of
``FakeDiscourse``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Optional, Union

from aiohttp import ClientSession, ClientTimeout

from .models import FakePost, WebhookDelivery, iso8601
from .spec import SPEC_HOST_URL


class Webhooks:
    """Webhook payloads and deliveries (mixed into ``FakeDiscourse``)."""

    def register_webhook(
        self, url: str, secret: Optional[str] = None,
        events: Iterable[str] = ("post_created", "post_edited", "post_destroyed"),
    ) -> None:
        """Deliver post events to ``url`` automatically (for API and helper actions
        alike, as Discourse does, including the bot's own posts).  Deliveries run as
        tasks on the running loop; ``await flush_webhooks()`` waits for them."""
        self.webhooks.append({"url": url, "secret": secret, "events": set(events)})

    def webhook_payload(self, post_id: int) -> dict:
        """``{"post": {...}}`` as Discourse's WebHookPostSerializer builds it."""
        post = self.posts[post_id]
        topic = self.topics[post.topic_id]
        user = self.user_by_id(post.user_id)
        category = self.categories.get(topic.category_id)
        topic_posts = [self.posts[i] for i in topic.post_ids if not self.posts[i].user_deleted]
        data = {
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
            "reply_to_post_number": post.reply_to_post_number,
            "quote_count": 0,
            "incoming_link_count": 0,
            "reads": 1,
            "readers_count": 0,
            "score": 0,
            "topic_id": topic.id,
            "topic_slug": topic.slug,
            "topic_title": topic.title,
            "category_id": topic.category_id,
            "display_username": user.name,
            "primary_group_name": None,
            "flair_name": None,
            "flair_group_id": None,
            "badges_granted": [],
            "version": post.version,
            "user_title": user.title,
            "bookmarked": False,
            "raw": post.raw,
            "moderator": user.moderator,
            "admin": user.admin,
            "staff": user.staff,
            "user_id": user.id,
            "hidden": post.hidden,
            "trust_level": user.trust_level,
            "deleted_at": iso8601(post.deleted_at) if post.deleted_at else None,
            "user_deleted": post.user_deleted,
            "edit_reason": post.edit_reason,
            "wiki": post.wiki,
            "reviewable_id": None,
            "reviewable_score_count": 0,
            "reviewable_score_pending_count": 0,
            "topic_posts_count": len(topic_posts),
            "topic_filtered_posts_count": len([p for p in topic_posts if p.post_type == 1]),
            "topic_archetype": topic.archetype,
        }
        if category is not None:
            data["category_slug"] = category.slug
        return {"post": data}

    async def send_webhook(
        self,
        url: str,
        event: str,
        payload: Union[dict, int],
        secret: Optional[str] = None,
        *,
        event_type: Optional[str] = None,
        event_id: Optional[int] = None,
        timeout: float = 10.0,
    ) -> WebhookDelivery:
        """POST one webhook like Discourse does.  ``payload`` is the JSON object or a
        post id (then ``webhook_payload(post_id)``).  ``secret=None`` sends it
        unsigned.  Returns the delivery record (``status`` or ``error``)."""
        if isinstance(payload, int):
            payload = self.webhook_payload(payload)
        if event_type is None:
            event_type = next(iter(payload), "ping") if isinstance(payload, dict) else "ping"
        eid = event_id if event_id is not None else next(self._event_ids)
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {
            "Accept": "*/*",
            "Connection": "close",
            "Content-Type": "application/json",
            "User-Agent": "Discourse/3.5.0",
            "X-Discourse-Instance": self.url or SPEC_HOST_URL,
            "X-Discourse-Event-Id": str(eid),
            "X-Discourse-Event-Type": event_type,
            "X-Discourse-Event": event,
        }
        if secret:
            digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
            headers["X-Discourse-Event-Signature"] = f"sha256={digest}"
        delivery = WebhookDelivery(url=url, event=event, event_type=event_type, event_id=eid,
                                   headers=headers, body=body)
        self.webhook_deliveries.append(delivery)
        try:
            async with ClientSession(timeout=ClientTimeout(total=timeout)) as session:
                async with session.post(url, data=body, headers=headers) as resp:
                    delivery.status = resp.status
                    await resp.read()
        except Exception as exc:  # delivery failures are data, as in Discourse
            delivery.error = f"{type(exc).__name__}: {exc}"
        return delivery

    async def send_ping(self, url: str, secret: Optional[str] = None) -> WebhookDelivery:
        return await self.send_webhook(url, "ping", {"ping": "OK"}, secret, event_type="ping")

    async def flush_webhooks(self) -> None:
        while self._pending_webhooks:
            await asyncio.gather(*list(self._pending_webhooks), return_exceptions=True)

    def _emit_post_event(self, event: str, post: FakePost) -> None:
        hooks = [h for h in self.webhooks if event in h["events"]]
        if not hooks:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        payload = self.webhook_payload(post.id)
        for hook in hooks:
            task = loop.create_task(self.send_webhook(hook["url"], event, payload, hook["secret"]))
            self._pending_webhooks.add(task)
            task.add_done_callback(self._pending_webhooks.discard)
