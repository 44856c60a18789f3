"""Security review: what a stranger on the host, on the network or in the room could do.

Each test here failed before its fix; the commit that made it pass says what was wrong."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.backup import backup
from bot.clock import FakeClock
from bot.config import parse
from bot.runtime import Runtime
from tests.harness import BASE_CONFIG

BOT = "@coopbot:coop.brussels"


@pytest.fixture
def usual_umask():
    """The umask most hosts run cron jobs and services with: new files readable by all."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def live(tmp_path, usual_umask):
    path = tmp_path / "coopbot.toml"
    path.write_text(BASE_CONFIG.format(database="coopbot.db", language="en", min_supporters=0,
                                       charter="[]"))
    runtime = Runtime(parse(path.read_text(), path), FakeClock())
    runtime.prepare()
    yield path, runtime
    runtime.close()


def others_may_read(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


# --- a backup holds everything: the database and the device's keys ---------------------------

def test_a_backup_is_readable_by_the_bots_user_only(live, tmp_path):
    """The crypto store holds the device's Olm account and every room key, pickled with
    matrix-nio's default key: whoever reads it reads the group's encrypted room. A backup in
    /srv/backups must not hand it, nor the database, to every account on the host."""
    _, runtime = live
    store = Path(runtime.config.database + ".crypto")
    store.mkdir()
    keys = sqlite3.connect(store / f"{BOT}_DEVICE.db")
    keys.execute("create table accounts (pickle text)")
    keys.commit()
    keys.close()
    (store / "extra.json").write_text("{}")
    (store / "extra.json").chmod(0o644)

    made = backup(runtime.config, tmp_path / "saved", runtime.clock.now())

    assert not others_may_read(tmp_path / "saved")
    for path in [made.database, made.crypto_store, *made.files]:
        assert not others_may_read(path), f"{path} is readable by others"


# --- the live crypto store: the device's keys ----------------------------------------------

MATRIX = """
[matrix]
homeserver = "https://matrix.coop.brussels"
user_id = "@coopbot:coop.brussels"
access_token_env = "SECURITY_TEST_TOKEN"
"""


class Stop(Exception):
    """Raised where the session would reach the homeserver: the store is made by then."""


@pytest.mark.parametrize("existing", [False, True])
def test_the_crypto_store_is_the_bots_users_only(tmp_path, usual_umask, monkeypatch, existing):
    """The store beside the database (data/ is 755 in the README's Docker layout) held the
    device's keys in a folder every account on the host could read; one made by an earlier
    version is closed too."""
    import asyncio

    import bot.matrix_session as session_module
    from bot.retry import Backoff
    from storage.repository import Repository

    monkeypatch.setenv("SECURITY_TEST_TOKEN", "syt_secret_token")
    path = tmp_path / "coopbot.toml"
    path.write_text(BASE_CONFIG.format(database="coopbot.db", language="en", min_supporters=0,
                                       charter="[]") + MATRIX)
    config = parse(path.read_text(), path)
    store = Path(config.database + ".crypto")
    if existing:
        store.mkdir(mode=0o755)
        (store / "old.db").write_text("")

    def no_homeserver(*args, **kwargs):
        raise Stop()

    monkeypatch.setattr(session_module, "AsyncClient", no_homeserver)
    session = session_module.Session(config, encryption=True, backoff=Backoff.seconds(1, 1))
    repo = Repository(config.database, lock=False)
    try:
        with pytest.raises(Stop):
            asyncio.run(session.connect(repo))
    finally:
        repo.close()
    assert store.is_dir() and not others_may_read(store)


def test_a_new_database_and_its_companions_are_the_bots_users_only(tmp_path):
    """The database holds everything the group said, direct messages too: made by the bot,
    it is readable by the bot's user alone, whatever the umask (its WAL and shared-memory
    files take its mode)."""
    import os
    import stat

    from storage.repository import Repository

    old = os.umask(0o022)
    try:
        repo = Repository(str(tmp_path / "coopbot.db"))
        repo.set_meta("probe", "1")
        for name in ("coopbot.db", "coopbot.db-wal", "coopbot.db-shm"):
            mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
            assert mode & 0o077 == 0, (name, oct(mode))
        repo.close()
    finally:
        os.umask(old)


def test_a_secret_pasted_where_its_variables_name_goes_is_refused_and_never_repeated():
    """``access_token_env = "syt_…"``: every later message ("the environment variable syt_…
    is not set") would print the token, and log scrubbing knows only the secrets it read."""
    import pytest

    from bot.config import ConfigError, parse

    token = "syt_Y29vcGJvdA_aBcDeFgHiJkLmNoPqRsT_1x2y3z"
    key = "0123456789abcdef" * 4
    text = f"""
[bot]
database = "x.db"

[matrix]
homeserver = "http://127.0.0.1:8008"
user_id = "@coopbot:example.org"
access_token_env = "{token}"

[discourse]
url = "http://127.0.0.1:3000"
api_username = "coopbot"
api_key_env = "{key}"

[[groups]]
slug = "sem"
name = "Sem"
admins = ["@alice:example.org"]
"""
    with pytest.raises(ConfigError) as refused:
        parse(text)
    said = str(refused.value)
    assert "matrix.access_token_env: this looks like the secret itself" in said, said
    assert "discourse.api_key_env: this looks like the secret itself" in said, said
    assert token not in said and key not in said
