"""What the forum does, whoever asks (the API or a test helper): Discourse's validations
of titles, bodies and external ids, and creating, revising, deleting and closing topics
and posts.  The ``ForumLogic`` part of ``FakeDiscourse``."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Optional

from .models import FakePost, FakeTopic, FakeUser
from .replies import _create_error, _invalid_access
from .text import _prettify_title, _stripped_length, cook, slugify


class ForumLogic:
    """The forum's rules and state changes (mixed into ``FakeDiscourse``)."""

    def _posts_count(self, topic: FakeTopic) -> int:
        return sum(1 for i in topic.post_ids if self.posts[i].deleted_at is None and self.posts[i].post_type != 4)

    def _validate_body(self, raw: str, first_post: bool, user: FakeUser) -> list[str]:
        s = self.settings
        errors = []
        length = _stripped_length(raw)
        minimum = s.min_first_post_length if first_post else s.min_post_length
        if length == 0:
            errors.append("Body can\u2019t be blank")
        elif length < minimum:
            errors.append(f"Body is too short (minimum is {minimum} characters)")
        elif length > s.max_post_length:
            errors.append(f"Body is too long (maximum is {s.max_post_length} characters)")
        elif s.text_sentinel:
            entropy = s.body_min_entropy
            if entropy > s.min_post_length:
                entropy = int(s.min_post_length * 0.7)
            if not self._sentinel_ok(raw, entropy, None):
                errors.append("Body seems unclear, is it a complete sentence?")
        if not errors and s.unique_posts_mins and not user.staff:
            horizon = self.now() - timedelta(minutes=s.unique_posts_mins)
            for p in self.posts.values():
                if p.user_id == user.id and p.created_at >= horizon and p.raw.strip() == raw.strip():
                    errors.append("Body is too similar to what you recently posted")
                    break
        return errors

    def _validate_title(self, title: str) -> list[str]:
        s = self.settings
        length = len(title.strip())
        if length == 0:
            return ["Title can\u2019t be blank"]
        if length < s.min_topic_title_length:
            return [f"Title is too short (minimum is {s.min_topic_title_length} characters)"]
        if length > s.max_topic_title_length:
            return [f"Title is too long (maximum is {s.max_topic_title_length} characters)"]
        if s.text_sentinel:
            entropy = (s.title_min_entropy if s.min_topic_title_length > s.title_min_entropy
                       else int(s.min_topic_title_length * 0.7))
            if not self._sentinel_ok(title, entropy, s.title_max_word_length):
                return ["Title seems unclear, is it a complete sentence?"]
        if not s.allow_duplicate_topic_titles:
            for t in self.topics.values():
                if t.deleted_at is None and t.title.lower() == title.lower():
                    return ["Title has already been used"]
        return []

    def _sentinel_ok(self, text: str, min_entropy: Optional[int], max_word_length: Optional[int]) -> bool:
        if not text.strip():
            return False
        if min_entropy is not None and len(set(text.strip().encode("utf-8"))) < min_entropy:
            return False
        if not re.search(r"[^\W_]", text):
            return False
        if max_word_length and re.search(r"[^\W_]{%d,}" % (max_word_length + 1), text):
            return False
        if not self.settings.allow_uppercase_posts:
            has_letter = any(c.isalpha() for c in text)
            quiet = any(c.islower() or unicodedata.category(c) == "Lo" for c in text)
            if has_letter and not quiet:
                return False
        return True

    def _validate_external_id(self, external_id: str) -> list[str]:
        errors = []
        lowered = external_id.lower()
        if any(t.external_id is not None and t.external_id.lower() == lowered for t in self.topics.values()):
            errors.append("External has already been taken")
        if len(external_id) > 50:
            errors.append("External is too long (maximum is 50 characters)")
        if not re.fullmatch(r"[\w-]+", external_id, flags=re.ASCII):
            errors.append("External is invalid")
        return errors

    def _create_topic(
        self, user: FakeUser, title: str, raw: str, category_id: Optional[int], *,
        created_at: Optional[datetime] = None, external_id: Optional[str] = None, validate: bool = True,
        reply_to_post_number: Optional[int] = None,
    ) -> tuple[FakeTopic, FakePost]:
        if self.settings.title_prettify:
            title = _prettify_title(title)
        if validate:
            errors = self._validate_title(title)
            if category_id is None and not self.settings.allow_uncategorized_topics:
                errors.append("Category can\u2019t be blank")
            elif category_id == 1 and not self.settings.allow_uncategorized_topics:
                errors.append("Category is reserved")
            elif category_id is not None and category_id not in self.categories:
                errors.append("Category can\u2019t be blank")
            errors += self._validate_body(raw, True, user)
            if external_id is not None:
                errors += self._validate_external_id(external_id)
            if errors:
                raise _create_error(errors)
        elif external_id is not None and self.topic_by_external_id(external_id) is not None:
            raise ValueError(f"external_id {external_id!r} is taken")
        when = created_at or self.now()
        topic = FakeTopic(
            id=next(self._topic_ids), title=title, slug=slugify(title), category_id=category_id or 1,
            user_id=user.id, created_at=when, bumped_at=when, external_id=external_id,
        )
        self.topics[topic.id] = topic
        post = self._add_post(topic, user, raw, created_at=when, reply_to_post_number=reply_to_post_number)
        return topic, post

    def _add_post(
        self, topic: FakeTopic, user: FakeUser, raw: str, *, created_at: Optional[datetime] = None,
        post_type: int = 1, action_code: Optional[str] = None, reply_to_post_number: Optional[int] = None,
    ) -> FakePost:
        when = created_at or self.now()
        topic.highest_post_number += 1
        post = FakePost(
            id=next(self._post_ids), topic_id=topic.id, post_number=topic.highest_post_number, user_id=user.id,
            raw=raw, cooked=cook(raw), created_at=when, updated_at=when, post_type=post_type,
            action_code=action_code, reply_to_post_number=reply_to_post_number,
        )
        self.posts[post.id] = post
        topic.post_ids.append(post.id)
        if post_type == 1:
            topic.bumped_at = max(topic.bumped_at, when)
        return post

    def _revise(self, post: FakePost, editor: FakeUser, raw: str, edit_reason: Optional[str]) -> None:
        if raw != post.raw:
            post.raw = raw
            post.cooked = cook(raw)
            post.version += 1
        post.edit_reason = edit_reason or None
        post.updated_at = self.now()

    def _destroy_post(self, post: FakePost, actor: FakeUser) -> None:
        topic = self.topics[post.topic_id]
        now = self.now()
        if actor.staff:
            post.deleted_at = now
            post.deleted_by_id = actor.id
            if post.post_number == 1:
                topic.deleted_at = now
                topic.deleted_by_id = actor.id
        elif actor.id == post.user_id:
            text = "(topic deleted by author)" if post.post_number == 1 else "(post deleted by author)"
            self._revise(post, actor, text, None)
            post.user_deleted = True
        else:
            raise _invalid_access()

    def _set_status(self, topic: FakeTopic, status: str, enabled: bool, actor: FakeUser) -> None:
        if status == "closed":
            if topic.closed != enabled:
                topic.closed = enabled
                self._add_post(topic, actor, "", post_type=3,
                               action_code="closed.enabled" if enabled else "closed.disabled")
        elif status == "archived":
            topic.archived = enabled
        elif status == "visible":
            topic.visible = enabled
        elif status in ("pinned", "pinned_globally"):
            topic.pinned_at = self.now() if enabled else None
            topic.pinned_globally = enabled and status == "pinned_globally"
