"""The bot's Matrix session: one client, one account, one device and its crypto store.

The database remembers which account and device the bot runs as (``meta``): a restart with
an access token or a password keeps the same device, so encrypted rooms stay readable. The
device's keys live in the crypto store beside the database; a store lost while the database
still names its device is refused with a token (only a new login can make a new device) and
replaced by a new device with a password.

Requests that can wait for the homeserver go through ``Session.call``: retried under the
shared policy (``bot/retry.py``) while the homeserver is unreachable, failing or rate
limiting, until it gives a definite answer (a success or a refusal).

An access token the homeserver no longer accepts (``M_UNKNOWN_TOKEN``: expired, or logged
out by an admin) is replaced by a password login on the same device when ``password_env``
is set too (``Session.renew_login``); without a password the bot stops, saying why.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    LoginResponse,
    ProfileGetDisplayNameResponse,
    WhoamiResponse,
)
from nio.crypto import ENCRYPTION_ENABLED

from storage.repository import Repository

from .config import Config, ConfigError, crypto_store_path
from .retry import Backoff, MonotonicClock, Retries

log = logging.getLogger(__name__)

META_USER = "matrix_user_id"
META_DEVICE = "matrix_device_id"
META_SYNC_TOKEN = "matrix_sync_token"
META_CRYPTO_DEVICE = "matrix_crypto_device"  # the device whose keys live in the crypto store

REQUEST_TIMEOUT = 30.0           # seconds, for every request but the long poll
TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, OSError)
_TOKEN_IN_URL = re.compile(r"access_token=[^&\s'\"]+")

T = TypeVar("T")


class MatrixFatal(Exception):
    """A problem that retrying cannot fix: a refused token, a wrong account."""


class Transient(Exception):
    """The homeserver failed in a way that should pass (5xx, overload, a rate limit);
    ``retry_after`` is how long it asked to wait, when it said."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def describe(error: BaseException | ErrorResponse) -> str:
    """An error for the log, never with the access token nio puts in request URLs."""
    if isinstance(error, ErrorResponse):
        text = f"{error.status_code or 'HTTP error'}: {error.message}"
    else:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return _TOKEN_IN_URL.sub("access_token=<hidden>", text)


def is_transient(response: ErrorResponse) -> bool:
    """A failure worth waiting out (overload, a restart, a rate limit), not a refusal."""
    status = getattr(getattr(response, "transport_response", None), "status", None)
    if status is not None:
        return status >= 500 or status == 429
    return response.status_code in (None, "M_LIMIT_EXCEEDED")


def token_refused(response: ErrorResponse) -> bool:
    """The homeserver no longer accepts the access token (expired, or logged out)."""
    return response.status_code == "M_UNKNOWN_TOKEN"


def server_wait(response: ErrorResponse) -> timedelta | None:
    """How long the homeserver asked to wait (``retry_after_ms`` of a rate limit), if it said."""
    if response.retry_after_ms is None:
        return None
    return timedelta(milliseconds=max(0, response.retry_after_ms))


def _skip_empty_room_saves(client: AsyncClient) -> None:
    """nio writes the rooms that became encrypted to its crypto store after every sync, even
    when there are none: a store transaction and an account lookup per sync, the largest part
    of what a quiet sync costs the bot. Saving an empty set changes nothing: skip it."""
    store = client.store
    if store is None:
        return
    save = store.save_encrypted_rooms

    def save_new(rooms) -> None:
        if rooms:
            save(rooms)

    store.save_encrypted_rooms = save_new


class Session:
    """The bot's account on its homeserver: ``connect`` logs in (or checks the token) on the
    device the database names, then ``client`` is the logged-in nio client."""

    def __init__(self, config: Config, *, encryption: bool | None, backoff: Backoff) -> None:
        if config.matrix is None:
            raise ConfigError("[matrix] is needed by coopbot run")
        self.config = config
        self.settings = config.matrix
        self.user_id = config.matrix.user_id
        self._login_kind, self._secret = config.matrix.secret()  # refuse early when unset
        self._password = config.matrix.fallback_password()
        self._renewing = asyncio.Lock()
        if encryption and not ENCRYPTION_ENABLED:
            raise ConfigError("encrypted rooms need matrix-nio's e2e extra: "
                              "pip install 'coopbot[e2e]'")
        self.encryption = ENCRYPTION_ENABLED if encryption is None else bool(encryption)
        self.backoff = backoff
        self.client: AsyncClient | None = None
        self.display_name: str | None = None  # known after connect, if the profile has one

    def store_path(self) -> Path:
        """The crypto store (see ``crypto_store_path``)."""
        return crypto_store_path(self.config)

    def _client_config(self) -> AsyncClientConfig:
        # max_timeouts=0, max_limit_exceeded=0: nio would otherwise retry a dead or rate
        # limiting homeserver inside one call, sleeping on its own schedule; retries and their
        # waits live in bot/retry.py instead. The sync position is ours, not nio's.
        return AsyncClientConfig(encryption_enabled=self.encryption, store_sync_tokens=False,
                                 max_timeouts=0, max_limit_exceeded=0,
                                 request_timeout=REQUEST_TIMEOUT)

    def _check_crypto_store(self, repo: Repository, stored_device: str | None) -> str | None:
        """The device's keys live in the crypto store: if it is gone while the database still
        names the device, that device can read nothing any more. With a password, log in as a
        new device; with a token (tied to the old device), stop and say what to do."""
        if not stored_device or repo.meta(META_CRYPTO_DEVICE) != stored_device:
            return stored_device
        if (self.store_path() / f"{self.user_id}_{stored_device}.db").exists():
            return stored_device
        if self._login_kind == "token":
            raise MatrixFatal(
                f"the crypto store of device {stored_device} is missing from {self.store_path()}: "
                "restore it from the backup of the database, or log in again to get a new access "
                "token (a new device) for the bot")
        log.warning("the crypto store of device %s is missing from %s: logging in as a new "
                    "device (encrypted messages sent before are unreadable to it)",
                    stored_device, self.store_path())
        return None

    async def connect(self, repo: Repository) -> None:
        """Log in on the device the database names (or a new one), and record it there. A
        change of account forgets the stored sync position: it was the other account's."""
        same_account = repo.meta(META_USER) == self.user_id
        stored_device = repo.meta(META_DEVICE) if same_account else None
        store = ""
        if self.encryption:
            stored_device = self._check_crypto_store(repo, stored_device)
            # The device's keys, pickled with matrix-nio's known default key: for the bot's
            # user alone, whatever the umask or the folder around it (one made before too).
            self.store_path().mkdir(mode=0o700, parents=True, exist_ok=True)
            self.store_path().chmod(0o700)
            store = str(self.store_path())
        client = AsyncClient(self.settings.homeserver, self.user_id, device_id=stored_device,
                             store_path=store, config=self._client_config())
        self.client = client
        if self._login_kind == "token":
            device_id = await self._check_token(client, stored_device)
        else:
            login = await self.call("login", lambda: client.login(
                self._secret, device_name=self.settings.device_name))
            if not isinstance(login, LoginResponse):
                raise MatrixFatal(f"login as {self.user_id} refused: {describe(login)}")
            device_id = login.device_id
        if stored_device and stored_device != device_id:
            log.warning("the bot now runs as device %s (it was %s): encrypted messages sent "
                        "to the old device are unreadable to this one", device_id, stored_device)
        with repo.transaction():
            if not same_account:
                repo.delete_meta(META_SYNC_TOKEN)
            repo.set_meta(META_USER, self.user_id)
            repo.set_meta(META_DEVICE, device_id)
            if self.encryption:
                repo.set_meta(META_CRYPTO_DEVICE, device_id)
        if self.encryption and client.should_upload_keys:
            await self.call("keys upload", client.keys_upload)
        _skip_empty_room_saves(client)
        try:
            profile = await client.get_displayname()
            if isinstance(profile, ProfileGetDisplayNameResponse) and profile.displayname:
                self.display_name = profile.displayname
        except TRANSPORT_ERRORS:
            pass  # addressing by display name is a nicety

    async def _check_token(self, client: AsyncClient, stored_device: str | None) -> str:
        """The device of the configured access token, once the homeserver confirms whose it is."""
        client.access_token = self._secret
        who = await self.call("whoami", client.whoami)
        if not isinstance(who, WhoamiResponse):
            raise MatrixFatal(f"the homeserver refused the access token in "
                              f"${self.settings.access_token_env}: {describe(who)}")
        if who.user_id != self.user_id:
            raise MatrixFatal(f"the access token in ${self.settings.access_token_env} is "
                              f"{who.user_id}'s, not {self.user_id}'s (matrix.user_id)")
        if client.access_token != self._secret:
            return client.device_id  # the token was refused: logged in with the password
        device_id = who.device_id or stored_device
        if not device_id:
            raise MatrixFatal("the access token belongs to no device; log in once to get one")
        client.restore_login(self.user_id, device_id, self._secret)
        return device_id

    async def call(self, what: str, request: Callable[[], Awaitable[T]]) -> T:
        """One request, retried while the homeserver is unreachable, failing or rate limiting
        (waiting what it asks, else backing off); a definite answer (success or refusal) is
        returned."""
        retries = Retries(self.backoff, MonotonicClock())
        while True:
            request_token = self.client.access_token if self.client is not None else None
            try:
                response = await request()
            except TRANSPORT_ERRORS as error:
                delay = retries.failed(what)
                log.warning("%s: homeserver unreachable (%s); again in %.1f s", what,
                            describe(error), delay.total_seconds())
            else:
                if isinstance(response, ErrorResponse) and token_refused(response):
                    await self.renew_login(refused=request_token)
                    continue
                if not (isinstance(response, ErrorResponse) and is_transient(response)):
                    return response
                delay = retries.failed(what, retry_after=server_wait(response))
                log.warning("%s failed (%s); again in %.1f s", what, describe(response),
                            delay.total_seconds())
            await asyncio.sleep(delay.total_seconds())

    async def renew_login(self, *, refused: str | None) -> None:
        """The homeserver refused the access token ``refused``: log in again with the
        password on the same device (its keys stay valid), once however many requests saw the
        refusal. Without a password (or if it is refused too), raise ``MatrixFatal``."""
        client = self.client
        assert client is not None
        async with self._renewing:
            if client.access_token != refused:
                return  # another request has renewed it meanwhile
            if self._password is None:
                raise MatrixFatal("the homeserver no longer accepts the bot's access token "
                                  f"(${self.settings.access_token_env}); set a new one, or "
                                  "matrix.password_env to log in again by itself")
            password = self._password
            login = await self.call("login", lambda: client.login(
                password, device_name=self.settings.device_name))
            if not isinstance(login, LoginResponse):
                raise MatrixFatal(f"the access token was refused, and so was the password "
                                  f"login as {self.user_id}: {describe(login)}")
            log.warning("the access token was refused; logged in again with the password "
                        "(device %s)", login.device_id)

    async def share_keys(self) -> None:
        """What nio's sync_forever does between syncs for end-to-end encryption."""
        client = self.client
        if not self.encryption or client is None:
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except TRANSPORT_ERRORS as error:
            log.warning("key exchange postponed (%s)", describe(error))

    async def close(self) -> None:
        """Close the client's connections (the session ends with the run)."""
        if self.client is not None:
            await self.client.close()
