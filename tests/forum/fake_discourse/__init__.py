"""An in-memory HTTP fake of a Discourse forum, for tests.

It speaks what pydiscourse 1.7.0 sends (form-encoded bodies, paths with or without
``.json``, ``Api-Key``/``Api-Username`` headers) and answers in the shapes of the
official Discourse OpenAPI description: every answer that has a spec operation
(all its 200s, the empty 200s of the DELETEs, the external_id 301) is validated, in
the fake itself, against that operation's response (openapi-core).  A body outside the spec is never sent: the fake
records a ``SpecViolation`` in ``spec_violations``, answers 500 instead, and the
``fake_forum`` fixture fails the test at teardown.  So a test that passes against
this fake proves that the code under test copes with the real shapes.

Behaviour copied from Discourse (server source, not only the spec):

* ``GET /t/external_id/{id}.json`` answers 301 to ``/t/{slug}/{topic_id}.json``
  with an empty body; 404 when unknown.  A topic's ``external_id`` is unique
  (case-insensitive), at most 50 characters of ``[A-Za-z0-9_-]``; it is ignored on
  replies (only topics have one).
* ``GET /t/{slug}/{id}.json`` with a wrong slug answers 301 to the right one;
  ``GET /c/{id}.json`` answers 301 to ``/c/{slug}/{id}.json``.
* ``POST /posts`` through the API is memoized for 120 s (by the fake's ``clock``): the
  same parameters from the same user within that window return the first answer (same
  post, or same error) without creating anything.  That is what makes a blind retry
  after a lost answer safe in real Discourse, within two minutes.
* ``GET /t/{id}/posts.json`` takes ``post_ids[]``, or ``post_number`` with ``asc`` (the
  next or previous 20 posts), and ``username_filters`` (comma-separated: post 1 and
  those users' posts only; ignored with ``post_ids``), as TopicsController#posts does.
* Cooked drops HTML comments (Discourse's sanitizer does); raw keeps them.
* Site settings with Discourse's defaults: post bodies need 20 characters (after
  strip), titles 15, and both must pass Discourse's "text sentinel" (entropy, at
  least one lowercase letter, no word over 30 characters in titles); duplicate
  titles are refused; a non-staff user cannot post the same body twice within 5
  minutes.  Titles are prettified as Discourse does (first letter capitalised,
  trailing periods dropped).  ``skip_validations=true`` (the string) skips them.
  Errors come back as 422 ``{"action": "create_post", "errors": [...]}``.
* Each category has its pinned "About the … category" topic; closing a topic adds a
  small-action post (``post_type`` 3, empty ``raw``/``cooked``), so post numbers
  skip one; staff deleting a post soft-deletes it (``deleted_at`` set, still shown
  to staff), deleting post 1 deletes the topic; an author deleting their own post
  replaces its text with "(post deleted by author)".
* ``GET /posts.json?before=N`` returns posts with ``id <= N`` (inclusive), newest
  first, 50 at most, regular posts only.

Error bodies follow Discourse's conventions (the spec lists no error responses):
``{"errors": [...], "error_type": "not_found" | "invalid_access" | ...}``.

Test helpers: ``add_user``, ``add_category``, ``user_reply``, ``user_create_topic``,
``edit_post``, ``delete_post``, ``close_topic``; state in ``users``, ``categories``,
``topics``, ``posts``; ``requests`` is the request log.  Faults: ``fail_next``,
``rate_limit_next``, ``delay_next``, ``drop_response_next``; an optional per-minute
API limit (``settings.max_api_requests_per_minute``).  Webhooks: ``send_webhook``
(signed like Discourse), ``webhook_payload``, and ``register_webhook`` for automatic
``post_created``/``post_edited``/``post_destroyed`` deliveries.

The package: ``fake`` holds ``FakeDiscourse`` (its state, start and stop, the test
helpers), made of ``server`` (the aiohttp app: routes, middleware, authentication,
params, the spec check), ``categories``, ``topics`` and ``posts`` (each resource's
shapes, lookup and handlers), ``forum`` (Discourse's validations and the state
changes), ``webhooks`` and ``faults``; beside them ``models`` (the state's classes and
the site settings), ``text`` (slugs, cooking, excerpts, titles), ``replies`` (the
answers and error bodies) and ``spec`` (the OpenAPI description and its check).
"""

from __future__ import annotations

from .fake import FakeDiscourse
from .models import (
    FakeCategory,
    FakePost,
    FakeTopic,
    FakeUser,
    ForumSettings,
    LoggedRequest,
    WebhookDelivery,
    iso8601,
)
from .spec import SpecViolation, load_openapi, validate_response_body

__all__ = [
    "FakeDiscourse",
    "ForumSettings",
    "FakeUser",
    "FakeCategory",
    "FakeTopic",
    "FakePost",
    "LoggedRequest",
    "WebhookDelivery",
    "SpecViolation",
    "load_openapi",
    "validate_response_body",
    "iso8601",
]
