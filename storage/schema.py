"""The database schema, created and upgraded by sqlite-utils migrations.

Each migration runs in a transaction together with the record that it was applied, so a
crash mid-upgrade leaves the previous schema intact. Never edit an applied migration: add
a new one.
"""

from __future__ import annotations

import json
import uuid

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("coopbot")


@migrations()
def m001_foundation(db: Database) -> None:
    db["groups"].create(
        {"slug": str, "name": str, "next_proposal": int, "next_task": int, "created_at": str},
        pk="slug",
    )
    # Group settings changed by command; the config file gives the defaults.
    db["settings"].create(
        {"group_slug": str, "key": str, "value": str, "changed_by": str, "changed_at": str},
        pk=("group_slug", "key"),
    )
    db["members"].create(
        {
            "group_slug": str, "slug": str, "name": str, "name_key": str, "status": str,
            "admitted_at": str, "coopted_by": str, "proposal": str, "origin": str,
        },
        pk=("group_slug", "slug"),
    )
    db["members"].create_index(["group_slug", "name_key"])
    # A person (platform identity) represents one member of a group; member NULL = unlinked.
    db["persons"].create(
        {"group_slug": str, "person": str, "member": str, "origin": str, "changed_at": str},
        pk=("group_slug", "person"),
    )
    db["persons"].create_index(["person"])
    # Roles are never deleted, only deactivated, so seeding from the config does not undo a
    # revocation made by command (the database wins over the file).
    db["roles"].create(
        {"group_slug": str, "person": str, "role": str, "active": int, "origin": str,
         "changed_at": str},
        pk=("group_slug", "person", "role"),
    )
    db["proposals"].create(
        {
            "key": str, "group_slug": str, "number": int, "candidate": str,
            "candidate_key": str, "rationale": str, "website": str, "contact": str,
            "description": str, "charter_answers": str, "proposer": str,
            "proposer_member": str, "state": str, "created_at": str, "deadline": str,
            "last_call_at": str, "electorate": str, "decided_at": str, "decided_by": str,
            "decision_reason": str, "member_slug": str, "extended_by": int, "event_id": str,
        },
        pk="key",
    )
    db["proposals"].create_index(["group_slug", "number"], unique=True)
    db["proposals"].create_index(["state"])
    db["objections"].create(
        {
            "id": int, "proposal": str, "person": str, "member": str, "reason": str,
            "principles": str, "at": str, "recorded_at": str, "withdrawn_at": str,
            "event_id": str,
        },
        pk="id",
    )
    db["objections"].create_index(["proposal"])
    db["supports"].create(
        {"proposal": str, "person": str, "member": str, "comment": str, "at": str,
         "event_id": str},
        pk=("proposal", "person"),
    )
    db["audit"].create(
        {"id": int, "at": str, "group_slug": str, "actor": str, "action": str,
         "subject": str, "detail": str, "event_id": str},
        pk="id",
    )
    # Outbound messages: written in the same transaction as the change they announce, then
    # delivered (and retried) by the adapter. txn_id makes a resend after a crash idempotent.
    db["outbox"].create(
        {
            "id": int, "group_slug": str, "venue": str, "target": str, "plain": str,
            "html": str, "mentions": str, "reply_to": str, "subject": str, "txn_id": str,
            "created_at": str, "sent_at": str, "attempts": int, "last_error": str,
            "remote_id": str,
        },
        pk="id",
    )
    db["outbox"].create_index(["sent_at"])
    db["processed_events"].create({"event_id": str, "at": str}, pk="event_id")
    db["meta"].create({"key": str, "value": str}, pk="key")


@migrations()
def m002_tasks(db: Database) -> None:
    """Mandates (SPEC section 4): tasks, their history, feedback acks and away periods."""
    db["tasks"].create(
        {
            "key": str, "group_slug": str, "number": int, "title": str, "description": str,
            # ``lead`` is one person; ``role`` is set for a task of the core group or the
            # registrar, whose every holder is then nudged (see commands.tasks).
            "lead": str, "role": str, "state": str, "due": str, "created_at": str,
            "created_by": str, "origin": str, "proposal": str,
            # The ladder restarts with each episode (mandate, update, handover, feedback
            # request); ``episode_start`` is when the current one began.
            "episode": int, "episode_start": str, "last_activity_at": str,
            "snoozed_until": str, "feedback_text": str, "closed_at": str, "closed_by": str,
            "close_reason": str, "event_id": str,
        },
        pk="key",
    )
    db["tasks"].create_index(["group_slug", "number"], unique=True)
    db["tasks"].create_index(["state"])
    db["tasks"].create_index(["proposal"])
    # The history shown by ``!status T-n``. A ladder step (nudge, escalation, feedback
    # reminder) carries its episode and sequence number; the unique index below makes
    # sending the same step twice impossible, across restarts too.
    db["task_events"].create(
        {"id": int, "task": str, "at": str, "actor": str, "kind": str, "episode": int,
         "step": int, "person": str, "text": str, "detail": str, "event_id": str},
        pk="id",
    )
    db["task_events"].create_index(["task"])
    db.execute(
        "create unique index task_events_ladder_step on task_events (task, episode, step)"
        " where step is not null"
    )
    # One ack per person and feedback request (the episode that asked for it).
    db["acks"].create(
        {"task": str, "episode": int, "person": str, "member": str, "comment": str,
         "at": str, "event_id": str},
        pk=("task", "episode", "person"),
    )
    # Declared absences: no nudge reaches the person, and their tasks' clocks pause.
    db["away"].create(
        {"id": int, "person": str, "start_at": str, "end_at": str, "declared_at": str,
         "group_slug": str, "event_id": str},
        pk="id",
    )
    db["away"].create_index(["person"])


@migrations()
def m003_matrix(db: Database) -> None:
    """The rooms the Matrix adapter serves (its sync position and device are in ``meta``)."""
    # kind 'group': a group's room (group_slug set); kind 'dm': a direct chat with one person,
    # created once and reused. Room ids are opaque (room version 12 ids have no server part).
    # unreadable_notice_at: when the bot, lacking the e2e extra, said once in this encrypted
    # room that it cannot read it.
    db["matrix_rooms"].create(
        {"room_id": str, "kind": str, "group_slug": str, "person": str, "created_at": str,
         "used_at": str, "left_at": str, "unreadable_notice_at": str},
        pk="room_id",
    )
    db["matrix_rooms"].create_index(["kind", "person"])
    db["matrix_rooms"].create_index(["kind", "group_slug"])


@migrations()
def m004_forum(db: Database) -> None:
    """The Discourse adapter's own state (bot/forum.py): one topic per proposal, the posts it
    has read, and the forum users already told that they are not linked."""
    # topic_id NULL = not created yet (or not known to exist: it is looked up by external_id
    # before any creation). body_hash is the sha256 of the first post as last written, so the
    # status block is rewritten only when it changed. outcome_post_id / closed_at: the final
    # decision was posted / the topic closed, each done once.
    db["forum_topics"].create(
        {"proposal": str, "group_slug": str, "external_id": str, "topic_id": int,
         "first_post_id": int, "body_hash": str, "created_at": str, "updated_at": str,
         "announced_at": str, "outcome_post_id": int, "closed_at": str},
        pk="proposal",
    )
    db["forum_topics"].create_index(["topic_id"])
    # Every reply read in a topic of ours (whatever it said): the engine's replies to a
    # forum command go to the topic of the post they answer.
    db["forum_posts"].create(
        {"post_id": int, "topic_id": int, "proposal": str, "username": str, "created_at": str,
         "kind": str, "read_at": str},
        pk="post_id",
    )
    db["forum_unlinked"].create(
        {"group_slug": str, "person": str, "told_at": str, "post_id": int},
        pk=("group_slug", "person"),
    )


@migrations()
def m005_trust(db: Database) -> None:
    """What makes decisions trustworthy over time: the rules a proposal is judged by, frozen
    when it opens, and each member's history as periods of one status.

    ``proposals.rules`` is JSON (setting texts and the charter); for proposals opened before
    this migration it is NULL and rebuilt at start from the audit log's ``config_set`` rows
    (it needs the config file, which a migration does not see: see ``Engine.seed``).
    ``proposals.no_decider_at``: when the room was told that nobody may decide a contested
    proposal (told once per such gap). ``member_periods``: one row per stretch of one status
    (``end_at`` NULL for the current one), with the admission that opened an active period,
    so a member that left and is coopted again keeps its first admission.
    """
    db["proposals"].add_column("rules", str)
    db["proposals"].add_column("no_decider_at", str)
    db["member_periods"].create(
        {"id": int, "group_slug": str, "member": str, "status": str, "start_at": str,
         "end_at": str, "proposal": str, "coopted_by": str, "actor": str},
        pk="id",
    )
    db["member_periods"].create_index(["group_slug", "member"])
    # Rebuild each member's history from its admission and the audit log's status changes.
    for member in list(db.query("select * from members order by group_slug, slug")):
        start, status = member["admitted_at"], "active"
        changes = db.query(
            "select at, actor, detail from audit where action = 'member_status'"
            " and group_slug = ? and subject = ? order by id",
            [member["group_slug"], member["slug"]],
        )
        periods = []
        for change in changes:
            new_status = _status_of(change["detail"])
            if not new_status or new_status == status:
                continue
            periods.append((status, start, change["at"], None))
            start, status = change["at"], new_status
        # The current period has the row's status (the row wins if the log disagrees).
        periods.append((member["status"], start, None, None))
        for index, (period_status, period_start, period_end, _) in enumerate(periods):
            first = index == 0
            db["member_periods"].insert({
                "group_slug": member["group_slug"], "member": member["slug"],
                "status": period_status, "start_at": period_start, "end_at": period_end,
                "proposal": member["proposal"] if first else None,
                "coopted_by": member["coopted_by"] if first else None,
                "actor": member["origin"] if first else None,
            })


def _status_of(detail: str | None) -> str | None:
    """The status an audit row's detail gives, if it can be read: a damaged row must not
    make the upgrade, and so every start, fail (the member's row wins anyway)."""
    try:
        data = json.loads(detail or "{}")
    except ValueError:
        return None
    status = data.get("status") if isinstance(data, dict) else None
    return status if isinstance(status, str) else None


@migrations()
def m006_electorate_by_periods(db: Database) -> None:
    """The electorate frozen without copying the member list into each proposal:
    ``electorate_seq`` is the last ``member_periods`` id when the proposal opened, and a
    member is in the electorate if its period as of that id was ``active``. Proposals opened
    before keep their copied list in ``electorate``."""
    db["proposals"].add_column("electorate_seq", int)
    db["proposals"].create_index(["state", "deadline"])


@migrations()
def m007_due_indexes(db: Database) -> None:
    """What is due, found by index instead of by walking every open item: a proposal's
    ``last_call_due`` (NULL: none, or not computed yet for older rows, see ``Engine.seed``) and
    a running task's ``next_step_at`` (when its next ladder step may go; NULL: to be computed,
    which any change to the task or to who answers for it asks for; ``NEVER``: no step)."""
    db["proposals"].add_column("last_call_due", str)
    db["proposals"].create_index(["state", "last_call_due"])
    db["tasks"].add_column("next_step_at", str)
    db["tasks"].create_index(["state", "next_step_at"])


@migrations()
def m008_operations(db: Database) -> None:
    """What running the bot for a group needs (``storage/echoes.py``): the outbox found by
    its transaction id, and ``echoes``, the bot's own messages as read back from a venue (a
    Matrix event's transaction id, a forum post's marker), so that after a restore from a
    backup a message already sent is recognised instead of sent twice."""
    db["outbox"].create_index(["txn_id"])
    db["echoes"].create({"venue": str, "tag": str, "remote_id": str, "seen_at": str},
                        pk=("venue", "tag"))
    # The salt of the transaction ids, made once with the database (and kept by its backups).
    db["meta"].insert({"key": "txn_salt", "value": uuid.uuid4().hex}, pk="key", ignore=True)


@migrations()
def m009_name_key_in_slug_order(db: Database) -> None:
    """Members of one name found by an index that also gives them in slug order: without
    it SQLite answered ``where name_key = ? order by slug`` by walking every member of the
    group in the primary key's order (a millisecond per admission at 10,000 members)."""
    db.execute("drop index if exists idx_members_group_slug_name_key")
    db["members"].create_index(["group_slug", "name_key", "slug"])


@migrations()
def m010_person_languages(db: Database) -> None:
    """The language each person chose for what the bot tells them (``!lang nl``): theirs in
    every group; until they choose, the group's (or that of the command word they typed)."""
    db["person_languages"].create({"person": str, "lang": str, "changed_at": str},
                                  pk="person")
    # A task the bot creates (``Register …``, ``Decide on C-n``) is kept as a catalogue key
    # and its parameters (JSON), and written in each reader's language; ``title`` and
    # ``description`` keep the group's wording of the day, for exports and older readers.
    for column in ("title_key", "title_params", "description_key", "description_params"):
        db["tasks"].add_column(column, str)


@migrations()
def m011_matrix_loose_ends(db: Database) -> None:
    """What the Matrix adapter must not forget across a restart (issue 11, item 5).

    ``matrix_undecrypted``: events the bot could not decrypt yet (no room key), kept until
    decrypted or given up, so that a restart no longer drops them once the sync position
    has moved past them; ``source`` is the event's JSON, ``key_requested_at`` when the room
    key was asked for. ``outbox.thread``: the thread a reply belongs to, so a reply sent
    after a restart still goes to its thread. ``matrix_dm_openings``: a direct chat the bot
    set out to create and has not recorded yet (a crash in between must not open a second
    one). ``matrix_rooms.replaced_by``: the room that replaced a group's room upgraded to a
    new version (``m.room.tombstone``), followed even when the config names the old one.
    """
    db["matrix_undecrypted"].create(
        {"event_id": str, "room_id": str, "sender": str, "sender_key": str, "session_id": str,
         "sent_ts": int, "source": str, "seen_at": str, "key_requested_at": str},
        pk="event_id",
    )
    db["matrix_undecrypted"].create_index(["room_id", "session_id"])
    db["outbox"].add_column("thread", str)
    db["matrix_dm_openings"].create({"person": str, "started_at": str}, pk="person")
    db["matrix_rooms"].add_column("replaced_by", str)


@migrations()
def m012_display_names(db: Database) -> None:
    """The names people are shown by (issue 9 item 3): each Matrix user's display name as the
    group rooms' membership events last gave it (NULL: they set none), kept when they leave.
    ``name_key`` is the name as compared (``storage.names.name_key``): two people whose names
    compare equal are told apart by their IDs. Shown, never trusted: identity stays the ID."""
    db["display_names"].create(
        {"person": str, "name": str, "name_key": str, "room_id": str, "changed_at": str},
        pk="person",
    )
    db["display_names"].create_index(["name_key"])


@migrations()
def m013_forum_born(db: Database) -> None:
    """Proposals born in the forum (issue 13, item 3; ``bot/forum_born.py``).

    ``forum_born``: the topics of a group's category whose first post carries the proposal
    template, one row per topic: ``digest`` is the sha256 of the first post's raw as last
    read (one answer per version of it), ``state`` ``waiting`` (refused: read again after
    an edit), ``opened`` (``proposal`` was opened from it, in the transaction that wrote
    this) or ``gone`` (deleted). ``forum_topics.born_post_id``: the proposal's topic is a
    forum user's, opened from this first post; its status block is then in a reply of the
    bot's own (``first_post_id``) instead of the topic's first post."""
    db["forum_topics"].add_column("born_post_id", int)
    db["forum_born"].create(
        {"topic_id": int, "group_slug": str, "post_id": int, "username": str, "digest": str,
         "state": str, "proposal": str, "seen_at": str, "read_at": str},
        pk="topic_id",
    )
    db["forum_born"].create_index(["state", "read_at"])


@migrations()
def m014_digests_and_pictures(db: Database) -> None:
    """The weekly digest (issue 13, item 1) and pictures sent with a message (item 2).

    ``digest_schedules``: per group, the digest schedule in force (``mon 09:00``; ``off``),
    the time zone its instants were computed in, ``since`` (slots before it do not count:
    a digest set on Wednesday for Mondays starts next Monday) and ``next_at``, the instant
    of the next digest, found by index like every other wakeup (NULL: none).
    ``digests``: one row per group and ISO week (``2026-W45``) for which a digest was made;
    the primary key is what makes a second one for the same week impossible, across restarts
    too. ``forum_*``: the digest's forum topic (its text as written when the digest was
    made; the topic id once it exists).
    ``outbox.attachment``: what a message carries besides its text (``image``), its bytes in
    ``outbox_files`` (the mxc URI once uploaded, so a resend does not upload it again).
    """
    db["digest_schedules"].create(
        {"group_slug": str, "schedule": str, "timezone": str, "since": str, "next_at": str},
        pk="group_slug",
    )
    db["digest_schedules"].create_index(["next_at"])
    db["digests"].create(
        {"group_slug": str, "week": str, "slot_at": str, "made_at": str, "posted": int,
         "forum_title": str, "forum_body": str, "forum_topic_id": int, "forum_posted_at": str},
        pk=("group_slug", "week"),
    )
    db["outbox"].add_column("attachment", str)
    db["outbox_files"].create(
        {"outbox_id": int, "filename": str, "mimetype": str, "width": int, "height": int,
         "size": int, "data": bytes, "uri": str, "file_info": str},
        pk="outbox_id",
    )


@migrations()
def m015_informed_silence(db: Database) -> None:
    """Informed silence and one-tap participation (issue 12).

    ``reach_marks``: for a running proposal, the earliest sign that one organisation of its
    electorate was reached (a representative read the announcement, reacted to it, wrote in
    the room after it, replied in the forum topic or used a command about it), by the
    source's time. ``proposals.reach_extended_at``: when its window was extended, once,
    because too few were reached. ``reactions``: the 👍 and 👎 that counted as a support or
    an objection, so that taking one back withdraws it (and a moderator's redaction does
    not). The indexes find a proposal by its announcement's event id, its announcement by
    its subject, and a vote by the event that made it.
    """
    db["reach_marks"].create(
        {"proposal": str, "member": str, "person": str, "at": str, "how": str,
         "event_id": str, "recorded_at": str},
        pk=("proposal", "member"),
    )
    db["proposals"].add_column("reach_extended_at", str)
    db["reactions"].create(
        {"event_id": str, "proposal": str, "person": str, "key": str, "vote": str, "at": str,
         "removed_at": str, "removed_by": str},
        pk="event_id",
    )
    db["reactions"].create_index(["proposal", "person", "vote"])
    db["outbox"].create_index(["remote_id"])
    db["outbox"].create_index(["subject", "venue", "id"])
    db["supports"].create_index(["event_id"])
    db["objections"].create_index(["event_id"])
    # The running proposals that count who they reached (see storage/reach.py).
    # Malformed rules (a damaged row) must not make this migration, or a write, fail.
    db.execute("create index proposals_reach on proposals (group_slug, state, coalesce(case"
               " when json_valid(rules) then json_extract(rules, '$.min_reached') end, '0'))")


@migrations()
def m016_forum_accounts(db: Database) -> None:
    """The forum account first seen under each username (``bot/forum.py``): a name given up
    by a rename can be registered by anyone, and must not speak for the member it was
    linked to. A link written again (``!link``) forgets the name's account.
    """
    db["forum_accounts"].create({"username": str, "user_id": int, "first_seen_at": str},
                                pk="username")


def migrate(db: Database) -> None:
    migrations.apply(db)
