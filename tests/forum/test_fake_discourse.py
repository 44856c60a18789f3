"""The Discourse fake, proved with pydiscourse 1.7.0 itself (called off the loop).

These tests also record how pydiscourse behaves against Discourse's real shapes
(301s, 429s, 5xx, lost answers), for the bot's forum adapter.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from urllib.parse import urlsplit

import pytest
import requests
from aiohttp import web
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import (
    DiscourseClientError,
    DiscourseError,
    DiscourseRateLimitedError,
    DiscourseServerError,
)

from .fake_discourse import FakeDiscourse, SpecViolation, validate_response_body


def client_for(fake: FakeDiscourse, **kw) -> DiscourseClient:
    kw.setdefault("timeout", 5)
    return DiscourseClient(fake.url, api_username=fake.api_username, api_key=fake.api_key, **kw)


async def call(fn, *args, **kwargs):
    return await asyncio.to_thread(fn, *args, **kwargs)


LONG_RAW = "The cooperative meets on Thursday to discuss the new mandates."
REPLY_RAW = "I agree with this proposal, see you on Thursday."


class RecordingSleep:
    """Stands in for the ``time`` module inside pydiscourse.client only."""

    def __init__(self):
        self.calls: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.calls.append(seconds)


# ---------------------------------------------------------------- categories


@pytest.mark.asyncio
async def test_categories_resolve_by_slug_and_id(fake_forum):
    c = client_for(fake_forum)
    cats = await call(c.categories)
    by_slug = {cat["slug"]: cat["id"] for cat in cats}
    assert by_slug["general"] == fake_forum.general_id
    assert by_slug["uncategorized"] == 1

    shown = await call(c.category, fake_forum.general_id)
    assert shown["category"]["slug"] == "general"
    assert shown["category"]["name"] == "General"
    # Discourse resolves /c/{slug}/show.json too
    assert (await call(c.category, "general"))["category"]["id"] == fake_forum.general_id
    with pytest.raises(DiscourseClientError):
        await call(c.category, "nope")


@pytest.mark.asyncio
async def test_category_topic_lists(fake_forum):
    c = client_for(fake_forum)
    created = await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                         title="Thursday meeting of the coop")
    # category_topics(id) asks /c/{id}.json, which answers 301 to /c/{slug}/{id}.json;
    # pydiscourse follows that one redirect itself.
    listing = await call(c.category_topics, fake_forum.general_id)
    topics = listing["topic_list"]["topics"]
    assert [t["title"] for t in topics] == ["About the General category", "Thursday meeting of the coop"]
    assert topics[0]["pinned"] is True  # the category's definition topic comes first
    assert topics[1]["id"] == created["topic_id"]
    # without following redirects the same path gives None (301, empty body)
    assert await call(c._get, f"/c/{fake_forum.general_id}.json") is None
    by_name = await call(c.category_latest_topics, "general")
    assert [t["id"] for t in by_name["topic_list"]["topics"]][1] == created["topic_id"]


# ------------------------------------------------------------ the main flow


@pytest.mark.asyncio
async def test_topic_reply_read_edit_close(fake_forum):
    c = client_for(fake_forum)
    created = await call(
        c.create_post, LONG_RAW, category_id=fake_forum.general_id,
        title="weekly meeting of the coop.", external_id="matrix-room-abc123",
    )
    topic_id = created["topic_id"]
    assert created["post_number"] == 1
    assert created["username"] == "coopbot"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", created["created_at"])
    assert created["cooked"].startswith("<p>")
    topic = fake_forum.topics[topic_id]
    assert topic.external_id == "matrix-room-abc123"
    assert topic.title == "Weekly meeting of the coop"  # Discourse prettifies titles
    assert topic.category_id == fake_forum.general_id
    # what went over the wire: form-encoded, no .json, Api-Key/Api-Username headers
    sent = fake_forum.requests_to("POST", r"^/posts$")[-1]
    assert sent.form["external_id"] == ["matrix-room-abc123"]
    assert sent.form["category"] == [str(fake_forum.general_id)]
    assert "topic_id" not in sent.form  # requests drops None values
    assert sent.headers["Api-Key"] == fake_forum.api_key
    assert sent.headers["Api-Username"] == fake_forum.api_username

    reply = fake_forum.user_reply(topic_id, "alice", REPLY_RAW, created_at="2025-03-01T10:00:00Z")
    assert reply["post_number"] == 2
    assert reply["created_at"] == "2025-03-01T10:00:00.000Z"

    stream = (await call(c.topic_posts, topic_id))["post_stream"]["posts"]
    assert [(p["post_number"], p["username"]) for p in stream] == [(1, "coopbot"), (2, "alice")]
    assert "raw" not in stream[1]  # topic streams carry cooked only
    picked = await call(c.posts, topic_id, [reply["id"]])
    assert [p["id"] for p in picked["post_stream"]["posts"]] == [reply["id"]]
    assert (await call(c.post_by_id, reply["id"]))["raw"] == REPLY_RAW
    full = await call(c._get, f"/t/{topic_id}.json")
    assert full["post_stream"]["stream"] == [created["id"], reply["id"]]
    assert full["details"]["created_by"]["username"] == "coopbot"
    assert (await call(c.topic, topic.slug, topic_id))["id"] == topic_id
    # a wrong slug is a 301 with an empty body: pydiscourse returns None silently
    assert await call(c.topic, "wrong-slug", topic_id) is None

    edited = await call(c.update_post, created["id"], LONG_RAW + " Agenda: budget.", "agenda")
    assert edited["post"]["raw"].endswith("Agenda: budget.")
    assert edited["post"]["version"] == 2
    assert fake_forum.posts[created["id"]].raw.endswith("Agenda: budget.")
    assert fake_forum.requests_to("PUT")[-1].form["post[raw]"][0].endswith("Agenda: budget.")

    assert await call(c.update_topic_status, topic_id, "closed", True) == {
        "success": "OK", "topic_status_update": None}
    assert fake_forum.topics[topic_id].closed is True
    stream = (await call(c.topic_posts, topic_id))["post_stream"]["posts"]
    # closing adds a small-action post (post_type 3, empty cooked)
    assert [(p["post_number"], p["post_type"]) for p in stream] == [(1, 1), (2, 1), (3, 3)]
    with pytest.raises(ValueError):
        fake_forum.user_reply(topic_id, "alice", REPLY_RAW + " Again.")


@pytest.mark.asyncio
async def test_html_comment_kept_in_raw_hidden_in_cooked_and_topic_paged_by_user(fake_forum):
    c = client_for(fake_forum)
    created = await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                         title="Paging through a long topic")
    topic_id = created["topic_id"]
    mine = []
    for i in range(25):
        fake_forum.user_reply(topic_id, "alice", f"{REPLY_RAW} Number {i}.")
        posted = await call(c.create_post, f"{REPLY_RAW} Answer {i}.\n\n<!-- coopbot:outbox:{i} -->",
                            topic_id=topic_id, skip_validations="true")
        mine.append(posted["id"])
    assert "coopbot:" not in posted["cooked"]  # Discourse's sanitizer drops HTML comments
    assert (await call(c.post_by_id, posted["id"]))["raw"].endswith("<!-- coopbot:outbox:24 -->")
    # 20 posts a page after post_number (asc), only post 1 and the filtered users' posts
    seen, after = [], 1
    while True:
        page = (await call(c.topic_posts, topic_id, post_number=after, asc="true",
                           username_filters="coopbot"))["post_stream"]["posts"]
        if not page:
            break
        assert len(page) <= 20 and {p["username"] for p in page} == {"coopbot"}
        seen += [p["id"] for p in page]
        after = page[-1]["post_number"]
    assert seen == mine


@pytest.mark.asyncio
async def test_latest_posts_before_is_inclusive(fake_forum):
    c = client_for(fake_forum)
    created = await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                         title="Thursday meeting of the coop")
    r1 = fake_forum.user_reply(created["topic_id"], "alice", REPLY_RAW)
    r2 = fake_forum.user_reply(created["topic_id"], "alice", REPLY_RAW + " Sure.")
    latest = (await call(c.latest_posts))["latest_posts"]
    assert [p["id"] for p in latest][:3] == [r2["id"], r1["id"], created["id"]]
    assert latest[0]["raw"] == REPLY_RAW + " Sure."
    assert latest[0]["topic_title"] == "Thursday meeting of the coop"
    older = (await call(c.latest_posts, before=r1["id"]))["latest_posts"]
    assert older[0]["id"] == r1["id"]  # id <= before


@pytest.mark.asyncio
async def test_delete_post_as_staff_and_by_author(fake_forum):
    c = client_for(fake_forum)
    created = await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                         title="Thursday meeting of the coop")
    reply = fake_forum.user_reply(created["topic_id"], "alice", REPLY_RAW)
    # pydiscourse has no delete_post(): its _delete() does it; Discourse answers 200, empty body
    assert await call(c._delete, f"/posts/{reply['id']}.json") is None
    gone = await call(c.post_by_id, reply["id"])
    assert gone["deleted_at"] is not None  # staff still see it
    stream = (await call(c.topic_posts, created["topic_id"]))["post_stream"]["posts"]
    assert stream[-1]["deleted_at"] is not None
    assert reply["id"] not in [p["id"] for p in (await call(c.latest_posts))["latest_posts"]]

    other = fake_forum.user_reply(created["topic_id"], "alice", REPLY_RAW + " Again.")
    fake_forum.delete_post(other["id"], by_author=True)
    shown = await call(c.post_by_id, other["id"])
    assert shown["user_deleted"] is True and shown["raw"] == "(post deleted by author)"
    assert shown["deleted_at"] is None


# ----------------------------------------------------------------- external_id


@pytest.mark.asyncio
async def test_external_id_lookup(fake_forum):
    c = client_for(fake_forum)
    created = await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                         title="Thursday meeting of the coop", external_id="room-42")
    topic_id = created["topic_id"]

    # 1. plain pydiscourse: a 301 with an empty body comes back as None
    assert await call(c._get, "/t/external_id/room-42.json") is None
    # 2. the clean way through pydiscourse: follow the redirect (GET /t/{slug}/{id}.json)
    topic = await call(c._get, "/t/external_id/room-42.json",
                       override_request_kwargs={"allow_redirects": True})
    assert topic["id"] == topic_id
    # 3. unknown: 404 -> DiscourseClientError, with the response attached
    with pytest.raises(DiscourseClientError) as info:
        await call(c._get, "/t/external_id/room-404.json",
                   override_request_kwargs={"allow_redirects": True})
    assert info.value.response.status_code == 404
    assert info.value.response.json()["error_type"] == "not_found"
    # 4. cheapest: one request, read the Location header
    resp = await call(
        requests.get, f"{fake_forum.url}/t/external_id/room-42.json", allow_redirects=False, timeout=5,
        headers={"Api-Key": fake_forum.api_key, "Api-Username": fake_forum.api_username},
    )
    assert resp.status_code == 301 and resp.content == b""
    assert int(urlsplit(resp.headers["Location"]).path.split("/")[-1].removesuffix(".json")) == topic_id

    # external_id is unique: another topic with it is refused with 422
    with pytest.raises(DiscourseClientError) as info:
        await call(c.create_post, LONG_RAW + " Second.", category_id=fake_forum.general_id,
                   title="Another meeting of the coop", external_id="ROOM-42")
    assert info.value.response.status_code == 422
    assert info.value.response.json() == {"action": "create_post",
                                          "errors": ["External has already been taken"]}
    # and is ignored on replies (only topics have one)
    reply = await call(c.create_post, REPLY_RAW, topic_id=topic_id, external_id="room-43")
    assert reply["post_number"] == 2 and fake_forum.topic_by_external_id("room-43") is None


@pytest.mark.asyncio
async def test_lost_answer_then_retry_is_idempotent(fake_forum):
    c = client_for(fake_forum)
    args = dict(category_id=fake_forum.general_id, title="Thursday meeting of the coop",
                external_id="room-lost")
    fake_forum.drop_response_next(r"^/posts(\.json)?$", method="POST")
    with pytest.raises(requests.ConnectionError):
        await call(c.create_post, LONG_RAW, **args)
    assert fake_forum.topic_by_external_id("room-lost") is not None  # it was created

    # within 120 s, Discourse answers an identical API POST from its memo
    again = await call(c.create_post, LONG_RAW, **args)
    assert again["topic_id"] == fake_forum.topic_by_external_id("room-lost").id
    assert fake_forum.requests_to("POST")[-1].memoized is True
    assert len([t for t in fake_forum.topics.values() if t.external_id == "room-lost"]) == 1

    # a reply lost behind a 502 from the proxy: same story
    fake_forum.drop_response_next("/posts", method="POST", mode="502")
    with pytest.raises(DiscourseServerError):
        await call(c.create_post, REPLY_RAW, topic_id=again["topic_id"])
    retried = await call(c.create_post, REPLY_RAW, topic_id=again["topic_id"])
    assert retried["post_number"] == 2
    assert len(fake_forum.topic_posts(again["topic_id"])) == 2

    # after the memo window, the retry of a topic is refused: look it up instead
    fake_forum.settings.api_post_memoize_seconds = 0
    with pytest.raises(DiscourseClientError) as info:
        await call(c.create_post, LONG_RAW, **args)
    assert info.value.response.status_code == 422
    found = await call(c._get, "/t/external_id/room-lost.json",
                       override_request_kwargs={"allow_redirects": True})
    assert found["id"] == again["topic_id"]


@pytest.mark.asyncio
async def test_timeout_and_lost_answer_by_timeout(fake_forum):
    c = client_for(fake_forum, timeout=0.5)
    fake_forum.delay_next(1, 2.0, path="/categories")
    t0 = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        await call(c.categories)
    assert time.monotonic() - t0 < 1.9  # the client gave up before the 2 s answer
    # a (connect, read) tuple goes straight to requests
    c2 = client_for(fake_forum, timeout=(2, 0.5))
    fake_forum.drop_response_next("/posts", method="POST", mode="timeout", delay=1.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        await call(c2.create_post, LONG_RAW, category_id=fake_forum.general_id,
                   title="Thursday meeting of the coop")
    assert any(t.title == "Thursday meeting of the coop" for t in fake_forum.topics.values())
    # pydiscourse's errors and requests' are all requests.RequestException
    assert issubclass(DiscourseError, requests.RequestException)


# -------------------------------------------------------------- 429 and 5xx


@pytest.mark.asyncio
async def test_rate_limit_answer_shape(fake_forum):
    fake_forum.rate_limit_next(1, wait_seconds=7)
    resp = await call(requests.get, f"{fake_forum.url}/categories.json", timeout=5,
                      headers={"Api-Key": fake_forum.api_key, "Api-Username": fake_forum.api_username})
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "7"
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert resp.json() == {
        "errors": ["You\u2019ve performed this action too many times. Please wait 7 seconds before trying again."],
        "error_type": "rate_limit",
        "extras": {"wait_seconds": 7, "time_left": "7 seconds"},
    }


@pytest.mark.asyncio
async def test_pydiscourse_sleeps_and_retries_on_429(fake_forum, monkeypatch):
    import pydiscourse.client

    sleeper = RecordingSleep()
    # pydiscourse.client does `import time; time.sleep(...)`: replace its `time`
    # only (not the global module) to observe the sleeps without waiting.
    monkeypatch.setattr(pydiscourse.client, "time", sleeper)
    c = client_for(fake_forum)

    fake_forum.rate_limit_next(1, wait_seconds=7)
    assert len(await call(c.categories)) == 2
    assert sleeper.calls == [8]  # wait_seconds + 1, then the retry succeeded
    assert [r.status for r in fake_forum.requests_to("GET", "/categories")] == [429, 200]

    fake_forum.rate_limit_next(4, wait_seconds=3)
    with pytest.raises(DiscourseRateLimitedError):
        await call(c.categories)
    assert sleeper.calls == [8, 4, 4, 4]  # 4 requests, 3 sleeps, then it gives up

    # a 429 without JSON (Discourse's per-IP middleware) makes it sleep 11 s
    fake_forum.rate_limit_next(1, wait_seconds=3, plain_text=True)
    await call(c.categories)
    assert sleeper.calls[-1] == 11


# The production client (reference implementation first written here, now in bot/forum.py).
from bot.forum import NoSleepDiscourseClient  # noqa: E402


@pytest.mark.asyncio
async def test_no_sleep_client_raises_at_once(fake_forum):
    c = NoSleepDiscourseClient(fake_forum.url, api_username=fake_forum.api_username,
                               api_key=fake_forum.api_key, timeout=5)
    fake_forum.rate_limit_next(1, wait_seconds=30)
    t0 = time.monotonic()
    with pytest.raises(DiscourseRateLimitedError) as info:
        await call(c.categories)
    assert time.monotonic() - t0 < 2 and info.value.retry_after == 30
    assert len(await call(c.categories)) == 2  # same methods otherwise


@pytest.mark.asyncio
async def test_server_errors(fake_forum):
    c = client_for(fake_forum)
    fake_forum.fail_next(1, 500)
    with pytest.raises(DiscourseServerError) as info:
        await call(c.categories)
    assert info.value.response.status_code == 500
    assert str(info.value) == "Internal Server Error"  # the reason; the body is HTML
    assert len(await call(c.categories)) == 2  # the fault is spent

    fake_forum.fail_next(1, 503, path="/posts", body={"errors": ["Discourse is in read-only mode"]})
    with pytest.raises(DiscourseServerError, match="read-only"):
        await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                   title="Thursday meeting of the coop")
    assert not [t for t in fake_forum.topics.values() if t.title.startswith("Thursday")]


@pytest.mark.asyncio
async def test_auth_is_checked(fake_forum):
    bad = DiscourseClient(fake_forum.url, api_username=fake_forum.api_username, api_key="wrong", timeout=5)
    with pytest.raises(DiscourseClientError) as info:
        await call(bad.categories)
    assert info.value.response.status_code == 403
    assert info.value.response.json()["error_type"] == "invalid_access"
    nobody = DiscourseClient(fake_forum.url, api_username="nobody", api_key=fake_forum.api_key, timeout=5)
    with pytest.raises(DiscourseClientError):
        await call(nobody.categories)
    # an all-users key may act as any user (Api-Username)
    as_alice = DiscourseClient(fake_forum.url, api_username="alice", api_key=fake_forum.api_key, timeout=5)
    created = await call(as_alice.create_post, LONG_RAW, category_id=fake_forum.general_id,
                         title="Alice opens a topic here")
    assert created["username"] == "alice"


@pytest.mark.asyncio
async def test_discourse_validations(fake_forum):
    c = client_for(fake_forum)
    created = await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                         title="Thursday meeting of the coop")
    with pytest.raises(DiscourseClientError, match=r"Body is too short \(minimum is 20 characters\)"):
        await call(c.create_post, "ok", topic_id=created["topic_id"])
    with pytest.raises(DiscourseClientError, match="Title is too short"):
        await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id, title="Short")
    with pytest.raises(DiscourseClientError, match="Title has already been used"):
        await call(c.create_post, LONG_RAW + " Bis.", category_id=fake_forum.general_id,
                   title="thursday meeting of the coop")
    with pytest.raises(DiscourseClientError, match="Category"):
        await call(c.create_post, LONG_RAW, title="A topic with no category")
    # skip_validations must be the string "true" (Python's True is sent as "True")
    short = await call(c.create_post, "ok", topic_id=created["topic_id"], skip_validations="true")
    assert short["post_number"] == 2


# ---------------------------------------------------------- spec validation


@pytest.mark.asyncio
async def test_spec_validation_catches_a_malformed_answer(fake_forum, monkeypatch):
    c = client_for(fake_forum)
    created = await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                         title="Thursday meeting of the coop")
    original = FakeDiscourse._post_single

    def without_username(self, post, acting):
        data = original(self, post, acting)
        del data["username"]  # required by getPost
        return data

    monkeypatch.setattr(FakeDiscourse, "_post_single", without_username)
    with pytest.raises(DiscourseServerError):
        await call(c.post_by_id, created["id"])
    assert len(fake_forum.spec_violations) == 1
    assert "'username' is a required property" in str(fake_forum.spec_violations[0])
    with pytest.raises(SpecViolation):
        fake_forum.assert_no_spec_violations()
    fake_forum.spec_violations.clear()  # or the fixture fails this test

    with pytest.raises(SpecViolation, match="Additional properties are not allowed"):
        validate_response_body("get", "/categories.json", "/categories.json",
                               b'{"category_list": {"can_create_category": true, "can_create_topic": true,'
                               b' "categories": []}, "extra": 1}')


# ------------------------------------------------------------------ webhooks


async def _receiver():
    received: list[tuple[dict, bytes]] = []

    async def handle(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/hook", received


def _signature_ok(headers: dict, body: bytes, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("X-Discourse-Event-Signature", ""), expected)


@pytest.mark.asyncio
async def test_send_webhook_signed_unsigned_wrong_secret(fake_forum):
    runner, url, received = await _receiver()
    try:
        c = client_for(fake_forum)
        created = await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                             title="Thursday meeting of the coop")
        reply = fake_forum.user_reply(created["topic_id"], "alice", REPLY_RAW)

        d = await fake_forum.send_webhook(url, "post_created", reply["id"], "s3cret")
        assert d.status == 200
        headers, body = received[-1]
        assert headers["X-Discourse-Event"] == "post_created"
        assert headers["X-Discourse-Event-Type"] == "post"
        assert headers["X-Discourse-Event-Id"].isdigit()
        assert headers["X-Discourse-Instance"] == fake_forum.url
        assert _signature_ok(headers, body, "s3cret")
        post = json.loads(body)["post"]
        assert (post["id"], post["topic_id"], post["post_number"], post["username"], post["raw"]) == (
            reply["id"], created["topic_id"], 2, "alice", REPLY_RAW)
        assert post["created_at"] == reply["created_at"]

        await fake_forum.send_webhook(url, "post_created", reply["id"], None)
        assert "X-Discourse-Event-Signature" not in received[-1][0]
        await fake_forum.send_webhook(url, "post_created", reply["id"], "not-the-secret")
        assert not _signature_ok(*received[-1], "s3cret")
        await fake_forum.send_ping(url, "s3cret")
        assert json.loads(received[-1][1]) == {"ping": "OK"}
        assert received[-1][0]["X-Discourse-Event"] == "ping"
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_registered_webhook_fires_for_every_post(fake_forum):
    runner, url, received = await _receiver()
    try:
        fake_forum.register_webhook(url, "s3cret")
        c = client_for(fake_forum)
        created = await call(c.create_post, LONG_RAW, category_id=fake_forum.general_id,
                             title="Thursday meeting of the coop")
        reply = fake_forum.user_reply(created["topic_id"], "alice", REPLY_RAW)
        fake_forum.edit_post(reply["id"], REPLY_RAW + " (edited)")
        await fake_forum.flush_webhooks()
        events = [(h["X-Discourse-Event"], json.loads(b)["post"]["id"]) for h, b in received]
        # the bot's own post is delivered too: the bot must recognise and skip it
        assert events == [("post_created", created["id"]), ("post_created", reply["id"]),
                          ("post_edited", reply["id"])]
        assert all(_signature_ok(h, b, "s3cret") for h, b in received)
    finally:
        await runner.cleanup()
