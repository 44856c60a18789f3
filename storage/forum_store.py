"""The Discourse adapter's own state: its tables (``forum_topics``, ``forum_posts``,
``forum_unlinked``, created by migration m004; ``forum_born``, m013) and its marks in
``meta``.

A class over the repository's sqlite-utils ``Database``, so its writes join the repository's
transactions (``Repository.transaction()``). Rows come out as frozen dataclasses with real
types; instants are stored as the rest of the database stores them (``storage.timestamps``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from .timestamps import from_iso, iso

CATEGORY_MISSING = "forum:category_missing:"  # meta: a group whose category is not found
LAST_POST_KEY = "forum:last_post_id"  # meta: the newest post id every older post was read to
# meta: first posts up to this id were written before the bot read the forum: history, never
# a proposal (set once, at the first poll)
BORN_AFTER_KEY = "forum:born_after"


@dataclass(frozen=True)
class ForumTopic:
    """A proposal's topic. ``topic_id`` None: not created yet (or not known to exist: it is
    looked up by ``external_id`` before any creation). ``first_post_id``: the post holding
    the status block, which the bot rewrites: the topic's first post, or for a topic a
    forum user opened (``born_post_id``: the first post the proposal was read from; no
    ``external_id``) a reply of the bot's, None until it is made. ``body_hash``: the digest
    of that post as last written. ``outcome_post_id`` / ``closed_at``: the final decision
    was posted / the topic closed, each done once."""

    proposal: str
    group_slug: str
    external_id: str | None
    topic_id: int | None
    first_post_id: int | None
    body_hash: str | None
    created_at: datetime | None
    updated_at: datetime | None
    announced_at: datetime | None
    outcome_post_id: int | None
    closed_at: datetime | None
    born_post_id: int | None = None


@dataclass(frozen=True)
class BornTopic:
    """A topic of a group's category whose first post carries the proposal template.
    ``digest``: of the first post's raw as last read; ``state``: ``waiting`` (refused, read
    again after an edit), ``opened`` (``proposal`` came from it) or ``gone``."""

    topic_id: int
    group_slug: str
    post_id: int
    username: str
    digest: str
    state: str
    proposal: str | None
    seen_at: datetime
    read_at: datetime


@dataclass(frozen=True)
class ReplyTarget:
    """Where an answer to a forum post goes: its topic, and its author to address."""

    topic_id: int
    username: str


def _topic(row: dict) -> ForumTopic:
    return ForumTopic(
        proposal=row["proposal"], group_slug=row["group_slug"], external_id=row["external_id"],
        topic_id=row["topic_id"], first_post_id=row["first_post_id"],
        body_hash=row["body_hash"], created_at=from_iso(row["created_at"]),
        updated_at=from_iso(row["updated_at"]), announced_at=from_iso(row["announced_at"]),
        outcome_post_id=row["outcome_post_id"], closed_at=from_iso(row["closed_at"]),
        born_post_id=row.get("born_post_id"))


def _born(row: dict) -> BornTopic:
    return BornTopic(
        topic_id=row["topic_id"], group_slug=row["group_slug"], post_id=row["post_id"],
        username=row["username"], digest=row["digest"], state=row["state"],
        proposal=row["proposal"], seen_at=from_iso(row["seen_at"]),
        read_at=from_iso(row["read_at"]))


class ForumStore:
    """Reads and writes of the forum adapter, over the repository's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- topics ---------------------------------------------------------------------------
    def topic(self, proposal: str) -> ForumTopic | None:
        """The proposal's topic row, if one was reserved."""
        rows = list(self.db.query("select * from forum_topics where proposal = ?", [proposal]))
        return _topic(rows[0]) if rows else None

    def topic_by_id(self, topic_id: int) -> ForumTopic | None:
        """The topic row of a Discourse topic id (None: not one of the bot's topics)."""
        rows = list(self.db.query("select * from forum_topics where topic_id = ?", [topic_id]))
        return _topic(rows[0]) if rows else None

    def topics(self) -> dict[int, ForumTopic]:
        """Every topic known to exist on the forum, by its topic id."""
        rows = self.db.query("select * from forum_topics where topic_id is not null")
        return {row["topic_id"]: _topic(row) for row in rows}

    def has_topic(self, proposal: str) -> bool:
        """Whether the proposal's topic is known to exist on the forum."""
        return self.db.execute(
            "select 1 from forum_topics where proposal = ? and topic_id is not null",
            [proposal]).fetchone() is not None

    def reserve_topic(self, proposal: str, group: str, external_id: str) -> None:
        """Note that the proposal gets a topic with this ``external_id`` (once)."""
        self.db.execute(
            "insert or ignore into forum_topics (proposal, group_slug, external_id)"
            " values (?, ?, ?)", [proposal, group, external_id])

    def set_topic(self, proposal: str, *, topic_id: int, first_post_id: int,
                  body_hash: str | None, at: datetime) -> None:
        """The topic exists (found or created): store its ids; ``created_at`` is kept from a
        first time."""
        self.db.execute(
            "update forum_topics set topic_id = ?, first_post_id = ?, body_hash = ?,"
            " created_at = coalesce(created_at, ?) where proposal = ?",
            [topic_id, first_post_id, body_hash, iso(at), proposal])

    def mark_announced(self, proposal: str, at: datetime) -> bool:
        """Record that the room is told the topic's address; False if it already was."""
        return self.db.execute(
            "update forum_topics set announced_at = ? where proposal = ? and announced_at is null",
            [iso(at), proposal]).rowcount == 1

    def set_body_hash(self, proposal: str, body_hash: str, at: datetime) -> None:
        """The first post was rewritten to the text of this digest."""
        self.db.execute("update forum_topics set body_hash = ?, updated_at = ? where proposal = ?",
                        [body_hash, iso(at), proposal])

    def set_outcome_post(self, proposal: str, post_id: int) -> None:
        """The final decision is posted in the topic, as this post."""
        self.db.execute("update forum_topics set outcome_post_id = ? where proposal = ?",
                        [post_id, proposal])

    def mark_closed(self, proposal: str, at: datetime) -> None:
        """The topic is closed on the forum."""
        self.db.execute("update forum_topics set closed_at = ? where proposal = ?",
                        [iso(at), proposal])

    def adopt_topic(self, proposal: str, group: str, *, topic_id: int, born_post_id: int,
                    at: datetime) -> None:
        """A forum user's topic becomes the proposal's (it was opened from its first post);
        the status block's post is made later (``set_status_post``)."""
        self.db.execute(
            "insert into forum_topics (proposal, group_slug, topic_id, born_post_id,"
            " created_at) values (?, ?, ?, ?, ?)",
            [proposal, group, topic_id, born_post_id, iso(at)])

    def set_status_post(self, proposal: str, post_id: int, body_hash: str,
                        at: datetime) -> None:
        """The bot's reply holding the status block of a topic a forum user opened."""
        self.db.execute(
            "update forum_topics set first_post_id = ?, body_hash = ?, updated_at = ?"
            " where proposal = ?", [post_id, body_hash, iso(at), proposal])

    # --- topics born in the forum ---------------------------------------------------------
    def born(self, topic_id: int) -> BornTopic | None:
        """The template topic's row (None: its first post was never read as a proposal)."""
        rows = list(self.db.query("select * from forum_born where topic_id = ?", [topic_id]))
        return _born(rows[0]) if rows else None

    def note_born(self, *, topic_id: int, group: str, post_id: int, username: str,
                  digest: str, at: datetime) -> None:
        """The first post was read in this version (``digest``): waiting for the engine's
        answer, or for an edit if it is refused."""
        self.db.execute(
            "insert into forum_born (topic_id, group_slug, post_id, username, digest, state,"
            " seen_at, read_at) values (?, ?, ?, ?, ?, 'waiting', ?, ?)"
            " on conflict (topic_id) do update set digest = excluded.digest,"
            " read_at = excluded.read_at",
            [topic_id, group, post_id, username, digest, iso(at), iso(at)])

    def born_opened(self, topic_id: int, proposal: str) -> None:
        """The proposal was opened from the topic: it is never read as one again."""
        self.db.execute("update forum_born set state = 'opened', proposal = ? where topic_id = ?",
                        [proposal, topic_id])

    def born_gone(self, topic_id: int) -> None:
        """The first post (or the topic) was deleted: nothing to read again."""
        self.db.execute("update forum_born set state = 'gone' where topic_id = ?"
                        " and state = 'waiting'", [topic_id])

    def born_waiting(self, read_since: datetime) -> list[BornTopic]:
        """Refused topics last read at or after ``read_since``, to read again for an edit."""
        return [_born(row) for row in self.db.query(
            "select * from forum_born where state = 'waiting' and read_at >= ?"
            " order by topic_id", [iso(read_since)])]

    def proposal_from_event(self, event_id: str) -> str | None:
        """The key of the proposal an inbound event opened, if it opened one."""
        row = self.db.execute("select key from proposals where event_id = ?",
                              [event_id]).fetchone()
        return str(row[0]) if row else None

    def pending_replies(self, event_id: str) -> list[int]:
        """Outbox rows answering an event on the forum, not sent yet."""
        return [int(row[0]) for row in self.db.execute(
            "select id from outbox where venue = 'forum' and reply_to = ? and sent_at is null",
            [event_id]).fetchall()]

    def born_after(self) -> int | None:
        """First posts up to this id are history (None: the forum was never read)."""
        row = self.db.execute("select value from meta where key = ?", [BORN_AFTER_KEY]).fetchone()
        return int(row[0]) if row and row[0] else None

    def set_born_after(self, post_id: int) -> None:
        """Set once, at the first poll: what the forum held then is history."""
        self.db.execute("insert or ignore into meta (key, value) values (?, ?)",
                        [BORN_AFTER_KEY, str(post_id)])

    # --- posts read -----------------------------------------------------------------------
    def record_post(self, *, post_id: int, topic_id: int, proposal: str, username: str,
                    created_at: str | None, kind: str, at: datetime) -> None:
        """Remember a reply read in one of the bot's topics (the first reading counts);
        ``created_at`` as Discourse wrote it, ``kind`` a reply keyword's or "discussion"."""
        self.db.execute(
            "insert or ignore into forum_posts (post_id, topic_id, proposal, username,"
            " created_at, kind, read_at) values (?, ?, ?, ?, ?, ?, ?)",
            [post_id, topic_id, proposal, username, created_at, kind, iso(at)])

    def reply_target(self, post_id: int) -> ReplyTarget | None:
        """The topic and author of a post read before (None: never read)."""
        row = self.db.execute("select topic_id, username from forum_posts where post_id = ?",
                              [post_id]).fetchone()
        return ReplyTarget(int(row[0]), str(row[1])) if row else None

    def mark_told_unlinked(self, group: str, person: str, at: datetime, post_id: int) -> bool:
        """Record that an unlinked forum user is told how to get linked; False if they
        already were (in this group)."""
        return self.db.execute(
            "insert or ignore into forum_unlinked (group_slug, person, told_at, post_id)"
            " values (?, ?, ?, ?)", [group, person, iso(at), post_id]).rowcount == 1

    # --- accounts -------------------------------------------------------------------------
    def account_of(self, username: str, user_id: int, at: datetime) -> int:
        """The account id first seen under ``username`` (any case), recorded now if the name
        is new: a different ``user_id`` is another account under the same name."""
        key = username.lower()
        self.db.execute("insert or ignore into forum_accounts (username, user_id, first_seen_at)"
                        " values (?, ?, ?)", [key, user_id, iso(at)])
        row = self.db.execute("select user_id from forum_accounts where username = ?",
                              [key]).fetchone()
        return int(row[0])

    # --- a group's category not found ------------------------------------------------------
    def category_missing(self, group: str, at: datetime) -> bool:
        """Note that a group's category is not found; False if it was already noted (its
        admins were told)."""
        return self.db.execute("insert or ignore into meta (key, value) values (?, ?)",
                               [CATEGORY_MISSING + group, iso(at)]).rowcount == 1

    def category_found(self, group: str) -> None:
        self.db.execute("delete from meta where key = ?", [CATEGORY_MISSING + group])

    # --- marks in meta --------------------------------------------------------------------
    def last_post_id(self) -> int:
        """The post id up to which every post was read (0: none yet)."""
        row = self.db.execute("select value from meta where key = ?", [LAST_POST_KEY]).fetchone()
        return int(row[0]) if row and row[0] else 0

    def set_last_post_id(self, post_id: int) -> None:
        """Every post up to this id has been read and applied."""
        self.db["meta"].upsert({"key": LAST_POST_KEY, "value": str(post_id)}, pk="key")

    def attempt_started(self, mark: str) -> bool:
        """Whether a post under this mark may have been made by an earlier attempt."""
        row = self.db.execute("select value from meta where key = ?", [mark]).fetchone()
        return bool(row and row[0])

    def start_attempt(self, mark: str, at: datetime) -> None:
        """Written before each request that may make a post: only the topic can tell what a
        crash or a lost answer left."""
        self.db["meta"].upsert({"key": mark, "value": iso(at)}, pk="key")

    def end_attempt(self, mark: str) -> None:
        """The post's id is stored (or the post given up): nothing to look for any more."""
        self.db.execute("delete from meta where key = ?", [mark])
