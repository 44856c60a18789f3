"""The database schema, created and upgraded by sqlite-utils migrations.

Each migration runs in a transaction together with the record that it was applied, so a
crash mid-upgrade leaves the previous schema intact. Never edit an applied migration: add
a new one.
"""

from __future__ import annotations

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


def migrate(db: Database) -> None:
    migrations.apply(db)
