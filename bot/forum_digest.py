"""The weekly digest on the forum (issue 13, item 1): one topic per digest, in the group's
category, with the text the digest had in the room (each of the group's languages).

Like a proposal's topic, it is made once: its ``external_id`` (``coopbot-sem-digest-2026-w45``)
is looked up before any creation, so a crash or a lost answer between the request and
storing the topic id never makes a second topic. Only digests of the last week are posted
(a forum configured later does not receive the whole history). Replies in these topics are
discussion: the adapter reads commands only in proposal topics. The body is the room's plain
text, shown literally (``forum_text.shown``); the title is plain text for Discourse.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from pydiscourse.exceptions import DiscourseClientError

from commands import forum_text
from storage.digests import Digest

if TYPE_CHECKING:
    from .forum import ForumAdapter

log = logging.getLogger(__name__)

RECENT = timedelta(days=7)   # older digests are not posted any more


def external_id(digest: Digest) -> str:
    return forum_text.external_id(f"{digest.group_slug}:digest-{digest.week}")


async def post_digests(adapter: "ForumAdapter") -> None:
    """Give each recent digest of a group with a category its topic (one pass; a digest
    that cannot be posted now is retried at a later pass, under the adapter's backoff)."""
    from .forum import Deferred  # the adapter's module imports this one

    now = adapter.clock.now()
    for digest in adapter.repo.digests_for_forum(tuple(adapter.categories), now - RECENT):
        item = f"digest:{digest.group_slug}:{digest.week}"
        try:
            topic_id = await _ensure(adapter, item, digest,
                                     adapter.categories[digest.group_slug])
        except Deferred:
            continue
        except DiscourseClientError as error:
            adapter.fail(item, error)
            continue
        adapter.repo.set_digest_topic(digest.group_slug, digest.week, topic_id,
                                      adapter.clock.now())


async def _ensure(adapter: "ForumAdapter", item: str, digest: Digest, category_id: int) -> int:
    eid = external_id(digest)
    found = await adapter.topic_by_external_id(item, eid)
    if found:
        return int(found["id"])
    created = await adapter._call(
        item, adapter.client.create_post, forum_text.shown(digest.forum_body or ""),
        category_id=category_id, title=(digest.forum_title or digest.week)[:250],
        external_id=eid, skip_validations="true")
    log.info("discourse: digest %s of %s posted as topic %s", digest.week, digest.group_slug,
             created["topic_id"])
    return int(created["topic_id"])
