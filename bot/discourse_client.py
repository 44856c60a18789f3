"""The Discourse HTTP client: pydiscourse with one request per call, so a 429 raises at once.

pydiscourse sleeps ``wait_seconds + 1`` and retries up to four times on 429, which would hold
a worker thread (and the work waiting for it) for minutes; how long to wait is for the shared
retry policy (``bot/retry.py``) to decide, with what the server asked.
"""

from __future__ import annotations

import os
from typing import Any

import requests
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import (
    DiscourseClientError,
    DiscourseError,
    DiscourseRateLimitedError,
    DiscourseServerError,
)

from .config import ConfigError, DiscourseConfig

DEFAULT_RATE_WAIT = 10  # seconds, when a 429 says neither wait_seconds nor Retry-After


class NoSleepDiscourseClient(DiscourseClient):
    """pydiscourse 1.7.0 with one request per call: a 429 raises at once.

    Same semantics as ``DiscourseClient._request`` otherwise (exceptions, JSON checks, None for
    an empty non-JSON answer), plus ``retry_after`` (seconds) on the
    ``DiscourseRateLimitedError``.
    """

    def _request(self, verb: str, path: str, params: dict | None = None, files: Any = None,
                 data: Any = None, json: Any = None,
                 override_request_kwargs: dict | None = None) -> Any:
        kwargs = dict(
            allow_redirects=False, params=params, files=files, data=data, json=json,
            timeout=self.timeout,
            headers={"Accept": "application/json; charset=utf-8", "Api-Key": self.api_key,
                     "Api-Username": self.api_username},
        )
        kwargs.update(override_request_kwargs or {})
        response = requests.request(verb, self.host + path, **kwargs)
        if response.status_code == 429:
            wait = _asked_wait(response)
            err = DiscourseRateLimitedError(f"rate limited, retry in {wait}s", response=response)
            err.retry_after = wait
            raise err
        if not response.ok:
            try:
                msg = ",".join(response.json()["errors"])
            except (ValueError, TypeError, KeyError):
                msg = response.reason or f"{response.status_code}: {response.text}"
            cls = DiscourseClientError if 400 <= response.status_code < 500 else DiscourseServerError
            raise cls(msg, response=response)
        if response.status_code == 302:
            raise DiscourseError("Unexpected Redirect, invalid api key or host?", response=response)
        if response.headers.get("content-type") != "application/json; charset=utf-8":
            if not response.content.strip():
                return None
            raise DiscourseError("Invalid Response", response=response)
        decoded = response.json()
        if decoded.get("errors") if isinstance(decoded, dict) else False:
            raise DiscourseError(decoded.get("message") or ",".join(decoded["errors"]),
                                 response=response)
        return decoded


def _asked_wait(response: requests.Response) -> int:
    """The seconds a 429 asks to wait: Discourse's ``extras.wait_seconds`` in the JSON body,
    else the ``Retry-After`` header (a per-IP limit from the middleware can be plain text)."""
    try:
        return int(response.json()["extras"]["wait_seconds"])
    except (ValueError, KeyError, TypeError):
        try:
            return int(response.headers.get("Retry-After", DEFAULT_RATE_WAIT) or DEFAULT_RATE_WAIT)
        except ValueError:
            return DEFAULT_RATE_WAIT


def make_client(config: DiscourseConfig) -> NoSleepDiscourseClient:
    """The client for the configured forum, with the API key from its environment variable."""
    key = os.environ.get(config.api_key_env)
    if not key:
        raise ConfigError(f"discourse: the environment variable {config.api_key_env} is not set")
    # (connect, read): pydiscourse's default is no timeout at all.
    return NoSleepDiscourseClient(config.url, api_username=config.api_username, api_key=key,
                                  timeout=(5, 30))
