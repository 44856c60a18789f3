"""What a message carries besides its text: a picture (``!tree``), kept with its outbox row
(``outbox.attachment`` names the kind, ``outbox_files`` holds the bytes: migration m012).

The bytes are written in the command's transaction with the row, so a picture is sent once
like any message, after a restart too. Once uploaded, its mxc URI is kept (and, in an
encrypted room, the file's keys): a resend after a lost answer does not upload it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .base import Store


@dataclass(frozen=True, slots=True)
class File:
    """A file to send with a message."""

    filename: str
    mimetype: str
    data: bytes
    width: int | None = None
    height: int | None = None

    @property
    def kind(self) -> str:
        return "image" if self.mimetype.startswith("image/") else "file"


@dataclass(frozen=True, slots=True)
class StoredFile:
    outbox_id: int
    filename: str
    mimetype: str
    width: int | None
    height: int | None
    size: int
    data: bytes
    uri: str | None            # mxc://… once uploaded
    file_info: str | None      # JSON: the keys of an encrypted upload

    @property
    def encryption(self) -> dict[str, Any] | None:
        return json.loads(self.file_info) if self.file_info else None


class OutboxFiles(Store):
    def add_outbox_file(self, outbox_id: int, file: File) -> None:
        self.db.conn.execute(
            "insert into outbox_files (outbox_id, filename, mimetype, width, height, size, data)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            [outbox_id, file.filename, file.mimetype, file.width, file.height, len(file.data),
             file.data])

    def outbox_file(self, outbox_id: int) -> StoredFile | None:
        row = self._one("select * from outbox_files where outbox_id = ?", [outbox_id])
        return StoredFile(**row) if row else None

    def set_outbox_file_uri(self, outbox_id: int, uri: str,
                            encryption: dict[str, Any] | None) -> None:
        self.db.conn.execute(
            "update outbox_files set uri = ?, file_info = ? where outbox_id = ?",
            [uri, json.dumps(encryption) if encryption else None, outbox_id])

    def release_outbox_file(self, outbox_id: int) -> None:
        """Once sent, the bytes are dropped (the row keeps what was sent: name, size, URI):
        pictures asked for every week must not make the database grow for ever."""
        self.db.conn.execute("update outbox_files set data = x'' where outbox_id = ?",
                             [outbox_id])
