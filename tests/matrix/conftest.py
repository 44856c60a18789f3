"""Fixtures that run a real Synapse homeserver for Matrix integration tests.

* ``synapse`` (session): one homeserver for the whole test session, in a
  ``tmp_path_factory`` directory.  Tests may ``stop()`` and ``start()`` it to
  simulate an outage (same port, same data); the ``matrix_user`` fixture
  restarts it if an earlier test left it stopped.
* ``matrix_user`` (function): a factory, ``matrix_user("alice")`` registers a
  fresh user ``@alice-<uuid>:<server>`` and returns a ``MatrixUser``
  ``(user_id, access_token, device_id)`` tuple (``.password`` is also there).

If Synapse is not installed, every test that uses these fixtures is skipped.
CI installs it (``pip install matrix-synapse``), so they run there.
"""

from __future__ import annotations

import importlib.util
import uuid
from typing import Callable, Iterator, NamedTuple

import pytest

from .synapse import Synapse


def _synapse_installed() -> bool:
    try:
        return importlib.util.find_spec("synapse.app.homeserver") is not None
    except ModuleNotFoundError:
        return False


class MatrixUser(NamedTuple):
    user_id: str
    access_token: str
    device_id: str

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]

    @property
    def password(self) -> str:
        return password_for(self.localpart)


def password_for(localpart: str) -> str:
    return f"pw-{localpart}"


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    if not _synapse_installed():
        pytest.skip(
            "matrix-synapse is not installed (pip install matrix-synapse): "
            "skipping Matrix integration tests against a real homeserver"
        )
    hs = Synapse(tmp_path_factory.mktemp("synapse"))
    hs.start()
    try:
        yield hs
    finally:
        hs.stop()


@pytest.fixture
def matrix_user(synapse: Synapse) -> Callable[..., MatrixUser]:
    # A previous test may have failed between stop() and start().
    synapse.start()

    def make(name: str = "user", admin: bool = False) -> MatrixUser:
        localpart = f"{name.lower()}-{uuid.uuid4().hex[:12]}"
        return MatrixUser(*synapse.register(localpart, password_for(localpart), admin=admin))

    return make
