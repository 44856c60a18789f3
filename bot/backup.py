"""``coopbot backup``: a consistent copy of the database and of the Matrix crypto store, made
while the bot runs.

Each SQLite file is copied with SQLite's online backup API (a snapshot of one moment, even
while the bot writes: in WAL mode readers and the writer do not wait for each other), then
the copy is checked with ``PRAGMA integrity_check``. The crypto store (the device's keys,
``matrix.store_path`` or the database's name + ``.crypto``) is copied beside it, its SQLite
files the same way. Restoring is copying the database back while the bot is stopped, and the
crypto store only if the live one is lost: an older copy has forgotten the room keys received
since, which the homeserver does not send again (README, "Backups and restore")."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from storage.timestamps import iso

from .config import Config, crypto_store_path

TAKEN_KEY = "backup:taken_at"  # meta, in the copy only: when it was taken
BUSY_MS = 10_000               # how long a step waits for the bot's write to end
# A database's companions, folded into its copy by the backup API: never copied as files.
SIDE_FILES = ("-wal", "-shm", "-journal")
# A backup holds everything, the device's keys too (matrix-nio pickles them with a known
# default key): made for the bot's user alone, whatever the umask of the cron job running it.
PRIVATE_UMASK = 0o077


class BackupError(Exception):
    """Why no backup was made, worded for the host's terminal."""


@dataclass
class Backup:
    """What was copied where."""

    database: Path
    crypto_store: Path | None = None
    files: list[Path] = field(default_factory=list)


def backup(config: Config, dest: Path, now: datetime) -> Backup:
    """Copy the database (and the crypto store, if there is one) into the folder ``dest``,
    which must be new or empty. On any failure what was copied is removed."""
    source = Path(config.database)
    if not source.is_file():
        raise BackupError(f"no database at {source}: nothing to back up")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty folder: choose a new one "
                          "(a backup never overwrites another)")
    made = not dest.exists()
    umask = os.umask(PRIVATE_UMASK)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        dest.chmod(0o700)  # an empty folder given by the host too: what goes in is private
        result = Backup(dest / source.name)
        copy_database(source, result.database, taken_at=now)
        result.files.append(result.database)
        store = crypto_store_path(config)
        if store.is_dir():
            result.crypto_store = dest / store.name
            result.files.extend(_copy_store(store, result.crypto_store))
        return result
    except BaseException:
        _remove(dest, made)
        raise
    finally:
        os.umask(umask)


def copy_database(source: Path, target: Path, *, taken_at: datetime | None = None) -> None:
    """One SQLite file, copied with the online backup API and checked."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_MS / 1000)
    except sqlite3.Error as error:
        raise BackupError(f"cannot open {source}: {error}") from None
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            if taken_at is not None:
                dst.execute("insert into meta (key, value) values (?, ?) on conflict (key)"
                            " do update set value = excluded.value", [TAKEN_KEY, iso(taken_at)])
                dst.commit()
            problems = integrity_problems(dst)
        finally:
            dst.close()
    except sqlite3.Error as error:
        raise BackupError(f"copying {source} failed: {error}") from None
    finally:
        src.close()
    if problems != ["ok"]:
        raise BackupError(f"the copy of {source} fails its integrity check: "
                          + "; ".join(problems[:5]))


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check``'s findings: ``["ok"]`` when there are none."""
    return [row[0] for row in conn.execute("pragma integrity_check")]


def _copy_store(store: Path, target: Path) -> list[Path]:
    """The crypto store's files: SQLite ones through the backup API, the rest as they are."""
    copied = []
    for path in sorted(store.rglob("*")):
        if path.is_dir() or path.name.endswith(SIDE_FILES):
            continue
        out = target / path.relative_to(store)
        out.parent.mkdir(parents=True, exist_ok=True)
        if _is_sqlite(path):
            copy_database(path, out)
        else:
            shutil.copyfile(path, out)  # not its mode: the copy stays private
        copied.append(out)
    return copied


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def _remove(dest: Path, made: bool) -> None:
    if made:
        shutil.rmtree(dest, ignore_errors=True)
    elif dest.is_dir():
        for child in dest.iterdir():
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink()
