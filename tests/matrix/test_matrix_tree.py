"""``!tree`` on a real Synapse (issue 13, item 2): the picture arrives as an ``m.image`` that
replies to the command, uploaded once, in plain and in encrypted rooms; and the upload's
failures with a canned homeserver (no network, no sleeps)."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import aiohttp
import pytest

nio = pytest.importorskip("nio")

from nio import RoomSendResponse, UploadError, UploadResponse  # noqa: E402
from nio.crypto.attachments import decrypt_attachment  # noqa: E402
from PIL import Image  # noqa: E402

from bot.clock import FakeClock  # noqa: E402
from bot.matrix_delivery import Delivery  # noqa: E402
from bot.retry import Backoff, Retries  # noqa: E402
from storage.outbox_files import File  # noqa: E402
from storage.repository import Repository  # noqa: E402

from .botkit import eventually, make_world  # noqa: E402

needs_e2e = pytest.mark.skipif(not nio.crypto.ENCRYPTION_ENABLED,
                               reason="matrix-nio installed without the [e2e] extra")


async def fetch(synapse, person, mxc: str) -> bytes:
    """A file from the media repository, as a client downloads it (authenticated media)."""
    server, media_id = mxc.removeprefix("mxc://").split("/", 1)
    url = f"{synapse.url}/_matrix/client/v1/media/download/{server}/{media_id}"
    async with aiohttp.ClientSession() as session:
        async with session.get(url, headers={
                "Authorization": f"Bearer {person.user.access_token}"}) as response:
            assert response.status == 200, await response.text()
            return await response.read()


def png_size(data: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image.size


async def test_tree_arrives_as_an_image_that_replies_to_the_command(
        synapse, matrix_user, tmp_path, monkeypatch):
    world = await make_world(synapse, matrix_user, tmp_path, monkeypatch)
    try:
        bot = await world.start_bot()
        alice, room = world.alice, world.room_id
        asked = await alice.say(room, "!tree")
        image = await alice.wait_for(room, lambda s: s.in_reply_to == asked, 30, "the tree")
        assert image.sender == world.bot_id and image.msgtype == "m.image"
        content = image.content
        assert content["body"].startswith("Système d'Échange du Mycélium: who coopted whom — "
                                          "3 members, 3 of them founders (")
        assert content["filename"].startswith("coopbot-tree-sem-")
        assert content["url"].startswith("mxc://")
        info = content["info"]
        assert info["mimetype"] == "image/png"
        data = await fetch(synapse, alice, content["url"])
        assert len(data) == info["size"] and png_size(data) == (info["w"], info["h"])
        assert content["m.mentions"] == {"user_ids": []}
        stored = bot.repo.db.execute("select length(data), uri from outbox_files").fetchall()
        assert stored == [(0, content["url"])]  # sent once; the bytes are not kept
    finally:
        await world.close()


@needs_e2e
async def test_tree_in_an_encrypted_room_is_an_encrypted_file(
        synapse, matrix_user, tmp_path, monkeypatch):
    world = await make_world(synapse, matrix_user, tmp_path, monkeypatch, encrypted=True,
                             e2e_people=True)
    try:
        bot = await world.start_bot(encryption=True)
        alice, room = world.alice, world.room_id

        def alice_knows_the_bot() -> bool:  # else her room key would leave the bot out
            joined = alice.client.rooms.get(room)
            devices = list(alice.client.device_store.active_user_devices(world.bot_id))
            return bool(joined and joined.encrypted and world.bot_id in joined.users
                        and any(d.device_id == bot.client.device_id for d in devices))
        await eventually(alice_knows_the_bot, 20, "alice sees the bot's device")
        asked = await alice.say(room, "!arbre")
        image = await alice.wait_for(room, lambda s: s.in_reply_to == asked, 30, "the tree")
        assert image.decrypted and image.msgtype == "m.image"
        file = image.content["file"]
        assert "url" not in image.content and file["url"].startswith("mxc://")
        data = decrypt_attachment(await fetch(synapse, alice, file["url"]), file["key"]["k"],
                                  file["hashes"]["sha256"], file["iv"])
        info = image.content["info"]
        assert png_size(data) == (info["w"], info["h"])
        assert image.content["body"].startswith("Système d'Échange du Mycélium : qui a coopté")
    finally:
        await world.close()


# --- uploading once, with a canned homeserver -------------------------------------------------

class CannedClient:
    should_claim_keys = False
    access_token = "a token"

    def __init__(self, uploads: list, sends: list) -> None:
        self.rooms: dict = {}
        self.uploads, self.sends = uploads, sends
        self.uploaded: list[bytes] = []
        self.sent: list[dict] = []

    async def upload(self, provider, content_type, filename, encrypt, filesize):
        self.uploaded.append(provider(0, 0).read())
        return self.uploads.pop(0), None

    async def room_send(self, room_id, event_type, content, *, tx_id,
                        ignore_unverified_devices):
        self.sent.append(content)
        return self.sends.pop(0) if self.sends else RoomSendResponse("$ev", room_id)


def delivery_with(tmp_path, client):
    clock = FakeClock()
    repo = Repository(tmp_path / "coopbot.db")
    rooms = SimpleNamespace(group_room=lambda slug: "!sem:example.org",
                            room_of=lambda venue, target: "!sem:example.org")
    delivery = Delivery(SimpleNamespace(client=client, encryption=False), rooms, repo, clock,
                        backoff=Backoff.seconds(0.5, 60))
    delivery.retries = Retries(delivery.retries.backoff, clock)
    row = repo.enqueue(group="sem", venue="room", target="sem", plain="the tree",
                       html="the tree", mentions=(), reply_to=None, subject=None,
                       at=clock.now(), attachment=File("tree.png", "image/png", b"PNG!", 3, 2))
    return delivery, repo, clock, row


async def test_a_picture_is_uploaded_once_even_when_its_message_must_be_sent_again(tmp_path):
    client = CannedClient([UploadResponse("mxc://example.org/abc")],
                          [nio.ErrorResponse("busy", "M_UNKNOWN")])
    delivery, repo, clock, row = delivery_with(tmp_path, client)
    await delivery.deliver()          # uploaded; the message refused for now
    clock.advance(timedelta(minutes=5))
    await delivery.deliver()          # sent again: the same file, not uploaded again
    assert client.uploaded == [b"PNG!"]
    assert [c["url"] for c in client.sent] == ["mxc://example.org/abc"] * 2
    assert client.sent[-1]["msgtype"] == "m.image"
    assert client.sent[-1]["info"] == {"mimetype": "image/png", "size": 4, "w": 3, "h": 2}
    assert repo.outbox_row(row)["sent_at"] is not None
    repo.close()


async def test_a_picture_the_homeserver_refuses_for_good_is_given_up(tmp_path):
    client = CannedClient([UploadError("too large", "M_TOO_LARGE")], [])
    delivery, repo, clock, row = delivery_with(tmp_path, client)
    await delivery.deliver()
    sent = repo.outbox_row(row)
    assert sent["sent_at"] is not None and "M_TOO_LARGE" in sent["last_error"]
    assert client.sent == []
    repo.close()
