"""Fixtures for tests against the in-memory Discourse fake.

* ``fake_forum`` (function): a started ``FakeDiscourse`` on 127.0.0.1 and a free
  port (``fake_forum.url``), with one member ``alice`` and one category
  ``general`` (``fake_forum.general_id``).  Its API key and username are
  ``fake_forum.api_key`` / ``fake_forum.api_username``.  At teardown it is
  stopped, and the test fails if the fake ever answered outside the OpenAPI
  description (``fake_forum.spec_violations``).
"""

from __future__ import annotations

import pytest
import pytest_asyncio

from .fake_discourse import FakeDiscourse


@pytest_asyncio.fixture
async def fake_forum():
    fake = FakeDiscourse()
    fake.add_user("alice", name="Alice Martin")
    fake.general_id = fake.add_category("general", "General")
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    if fake.spec_violations:
        pytest.fail(
            "the Discourse fake answered outside the OpenAPI description:\n\n"
            + "\n\n".join(str(v) for v in fake.spec_violations),
            pytrace=False,
        )
