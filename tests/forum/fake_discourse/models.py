"""The fake forum's state: its users, categories, topics and posts, the request log,
the webhook deliveries, and the site settings that change what the API accepts."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional, Union

from .. import markdown


def iso8601(dt: datetime) -> str:
    """Discourse's timestamp format: UTC, milliseconds, ``Z``."""
    dt = dt.astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _parse_time(value: Union[str, datetime, None]) -> Optional[datetime]:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


_LETTER_COLORS = ["b487fb", "5e99b9", "e36b2c", "8c91ba", "3ab54a", "a87137", "e47774", "bbce52"]


@dataclass
class FakeUser:
    id: int
    username: str
    name: str
    admin: bool = False
    moderator: bool = False
    trust_level: int = 1
    title: Optional[str] = None
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def staff(self) -> bool:
        return self.admin or self.moderator

    @property
    def avatar_template(self) -> str:
        color = _LETTER_COLORS[sum(self.username.encode()) % len(_LETTER_COLORS)]
        letter = (self.username[:1] or "x").lower()
        return f"/letter_avatar_proxy/v4/letter/{letter}/{color}/{{size}}.png"

    def summary(self) -> dict:
        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "avatar_template": self.avatar_template,
        }


@dataclass
class FakeCategory:
    id: int
    name: str
    slug: str
    color: str = "0088CC"
    text_color: str = "FFFFFF"
    description: Optional[str] = None
    position: int = 0
    topic_id: Optional[int] = None  # the "About the … category" topic
    is_uncategorized: bool = False
    read_restricted: bool = False


@dataclass
class FakeTopic:
    id: int
    title: str
    slug: str
    category_id: int
    user_id: int
    created_at: datetime
    bumped_at: datetime
    external_id: Optional[str] = None
    archetype: str = "regular"
    closed: bool = False
    archived: bool = False
    visible: bool = True
    pinned_at: Optional[datetime] = None
    pinned_globally: bool = False
    deleted_at: Optional[datetime] = None
    deleted_by_id: Optional[int] = None
    views: int = 0
    highest_post_number: int = 0
    post_ids: list[int] = field(default_factory=list)

    @property
    def pinned(self) -> bool:
        return self.pinned_at is not None

    @property
    def url(self) -> str:
        return f"/t/{self.slug}/{self.id}"


@dataclass
class FakePost:
    id: int
    topic_id: int
    post_number: int
    user_id: int
    raw: str
    cooked: str
    created_at: datetime
    updated_at: datetime
    post_type: int = 1  # 1 regular, 2 moderator_action, 3 small_action, 4 whisper
    action_code: Optional[str] = None  # not exposed: the spec has no such property
    version: int = 1
    edit_reason: Optional[str] = None
    reply_to_post_number: Optional[int] = None  # stored; the spec types it string|null
    deleted_at: Optional[datetime] = None
    deleted_by_id: Optional[int] = None
    user_deleted: bool = False
    hidden: bool = False
    wiki: bool = False

    @property
    def text(self) -> str:
        """What a reader sees: the text of ``cooked``, whitespace collapsed."""
        return markdown.read(self.cooked)[1]


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    form: dict[str, list[str]]
    json: Any = None
    status: Optional[int] = None
    fault: Optional[str] = None
    memoized: bool = False
    time: float = field(default_factory=time.monotonic)


@dataclass
class WebhookDelivery:
    url: str
    event: str
    event_type: str
    event_id: int
    headers: dict[str, str]
    body: bytes
    status: Optional[int] = None
    error: Optional[str] = None


@dataclass
class ForumSettings:
    """Discourse site settings that change what the API accepts (their defaults)."""

    min_post_length: int = 20
    min_first_post_length: int = 20
    max_post_length: int = 32000
    min_topic_title_length: int = 15
    max_topic_title_length: int = 255
    body_min_entropy: int = 7
    title_min_entropy: int = 10
    title_max_word_length: int = 30
    title_prettify: bool = True
    allow_uppercase_posts: bool = False
    allow_duplicate_topic_titles: bool = False
    allow_uncategorized_topics: bool = False
    unique_posts_mins: int = 5
    api_post_memoize_seconds: float = 120.0
    # Discourse's global default is 60 for admin API keys (per key, per minute);
    # the fake applies a limit only when this is set.
    max_api_requests_per_minute: Optional[int] = None
    chunk_size: int = 20
    topics_per_page: int = 30
    latest_posts_limit: int = 50
    text_sentinel: bool = True

    @classmethod
    def permissive(cls) -> "ForumSettings":
        """No length / quality / duplicate checks (like an import-mode site)."""
        return cls(
            min_post_length=1,
            min_first_post_length=1,
            min_topic_title_length=1,
            allow_duplicate_topic_titles=True,
            unique_posts_mins=0,
            text_sentinel=False,
        )
