"""Pictures on Matrix (``!tree``): an outbox row whose ``attachment`` is an image is uploaded
with nio's ``upload`` and sent as ``m.image``, its text as the caption.

The upload happens once: its mxc URI (and, in an encrypted room, the file's keys) is stored
with the row before the message is sent, so a resend after a lost answer or a restart sends
the same file under the same transaction id. An upload the homeserver refuses for good (too
large, say) is reported like any other refusal; a failed upload waits under the delivery's
retry policy.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

from nio import UploadResponse

from storage.repository import Repository

from .matrix_events import notice_content
from .matrix_session import Transient, describe, is_transient, server_wait


UPLOAD_TIMEOUT = 120.0  # seconds


class UploadRefused(Exception):
    """The homeserver will not take this file (``response`` says why; None: no file)."""

    def __init__(self, response: Any | None) -> None:
        super().__init__(describe(response) if response is not None else "no file")
        self.response = response


async def image_content(client, repo: Repository, row: dict, thread: str | None,
                        encrypted: bool) -> dict[str, Any]:
    """The ``m.image`` content of an outbox row with a picture, uploading it if it was not
    uploaded yet."""
    stored = repo.outbox_file(row["id"])
    if stored is None:
        raise UploadRefused(None)  # never expected: the row and its file are one write
    uri, keys = stored.uri, stored.encryption
    if uri is None or (encrypted and keys is None):
        uri, keys = await _upload(client, stored, encrypted)
        repo.set_outbox_file_uri(row["id"], uri, keys)
    content = notice_content(row, thread)
    content["msgtype"] = "m.image"
    # The caption is the body (with ``filename`` beside it, as Matrix 1.10 reads captions).
    content["filename"] = stored.filename
    info = {"mimetype": stored.mimetype, "size": stored.size}
    if stored.width and stored.height:
        info.update(w=stored.width, h=stored.height)
    content["info"] = info
    if encrypted and keys is not None:
        content["file"] = {**keys, "url": uri, "mimetype": stored.mimetype}
    else:
        content["url"] = uri
    return content


async def _upload(client, stored, encrypted: bool) -> tuple[str, dict[str, Any] | None]:
    data = bytes(stored.data)
    try:
        # nio's upload has no timeout of its own: a stalled one must not hold the outbox.
        response, keys = await asyncio.wait_for(client.upload(
            lambda *_: io.BytesIO(data), content_type=stored.mimetype,
            filename=stored.filename, encrypt=encrypted, filesize=len(data)), UPLOAD_TIMEOUT)
    except TimeoutError:
        raise Transient(f"the upload of {stored.filename} took over {UPLOAD_TIMEOUT} s",
                        None) from None
    if isinstance(response, UploadResponse):
        return response.content_uri, keys
    if is_transient(response):
        raise Transient(describe(response), server_wait(response))
    raise UploadRefused(response)
