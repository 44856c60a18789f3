"""How the bot knows its own messages again, after a restore from a backup.

A database restored from a backup has forgotten what happened after the backup: the commands
read since are read again, and the answers it had sent are queued again. Two things let the
bot recognise those answers instead of sending them twice:

* **Stable transaction ids.** An outbox row's ``txn_id`` is derived from what caused it (the
  command's event id, or for the clock's own messages their subject and text) and its rank
  among the rows of that cause, so the row queued again after a restore has the id the lost
  row had. Matrix returns it with the bot's own events (``unsigned.transaction_id``); the
  forum posts carry it in their marker.
* **Echoes.** The bot's own messages, read back from a venue (its events in a sync, its posts
  in a forum poll), are noted by that id. Before sending a row, the adapters look for its
  echo: found, the row is marked sent with the message that already exists.

In normal operation an echo of a row already marked sent is not kept: the table holds only
what the outbox does not know (after a restore, or a crash between sending and recording).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlite_utils import Database

from .timestamps import iso

PREFIX = "coopbot-"
SALT_KEY = "txn_salt"  # meta: made by the migration m008, with the database


def salt_of(db: Database) -> str:
    """The database's salt for transaction ids. Salted per database (a backup keeps its
    salt): a new database on the same Matrix device must not reuse the ids of an old one,
    which the homeserver would take for resends of the old messages and swallow."""
    return db.conn.execute("select value from meta where key = ?", [SALT_KEY]).fetchone()[0]


def transaction_id(db: Database, cause: str | None, salt: str) -> str:
    """The ``txn_id`` of a new outbox row: ``coopbot-<digest of its cause>-<rank>``, the rank
    counting the rows already queued for the same cause; a random one without a cause.
    ``salt``: the database's (``salt_of``)."""
    if not cause:
        return f"{PREFIX}{uuid.uuid4().hex}"
    stem = f"{PREFIX}{hashlib.sha256(f'{salt}:{cause}'.encode('utf-8')).hexdigest()[:32]}-"
    # A prefix range on the txn_id index (LIKE would not use it).
    row = db.conn.execute("select count(*) from outbox where txn_id >= ? and txn_id < ?",
                          [stem, stem[:-1] + "."]).fetchone()
    return f"{stem}{int(row[0])}"


def clock_cause(group: str | None, venue: str, target: str, subject: str | None,
                plain: str) -> str | None:
    """The cause of a message the clock made (a decision, a last call, a nudge): its subject
    and words; None for a message about no subject (it keeps a random id)."""
    if not subject:
        return None
    digest = hashlib.sha256(plain.encode("utf-8")).hexdigest()
    return f"clock:{group}:{venue}:{target}:{subject}:{digest}"


class Echoes:
    """The bot's own messages read back, by venue (``matrix``, ``forum``) and tag."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def note(self, venue: str, tag: str, remote_id: str, at: datetime) -> bool:
        """Remember an own message read back, unless the outbox already knows it as sent
        (Matrix tags are transaction ids). True if it was noted."""
        if venue == "matrix":
            known = self.db.conn.execute(
                "select 1 from outbox where txn_id = ? and sent_at is not null", [tag]).fetchone()
            if known:
                return False
        cursor = self.db.conn.execute(
            "insert or ignore into echoes (venue, tag, remote_id, seen_at) values (?, ?, ?, ?)",
            [venue, tag, remote_id, iso(at)])
        return cursor.rowcount == 1

    def seen(self, venue: str, tag: str) -> str | None:
        """The id of an own message already read back with this tag (None: never seen)."""
        row = self.db.conn.execute("select remote_id from echoes where venue = ? and tag = ?",
                                   [venue, tag]).fetchone()
        return str(row[0]) if row else None
