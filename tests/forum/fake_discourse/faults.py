"""The faults a test injects (failures, 429s, delays, lost answers) and the optional
per-minute API rate limit: the ``Faults`` part of ``FakeDiscourse``."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional, Union

from aiohttp import web

from .replies import _json_response, rate_limit_body

_PathPredicate = Union[None, str, "re.Pattern[str]", Callable[[str, str], bool]]


def _make_predicate(pred: _PathPredicate, method: Optional[str] = None) -> Callable[[str, str], bool]:
    """``pred`` is None (any), a regex (string or compiled) searched in the path,
    or ``callable(method, path) -> bool``."""
    if pred is None:
        base = lambda m, p: True  # noqa: E731
    elif callable(pred) and not isinstance(pred, re.Pattern):
        base = pred
    else:
        rx = pred if isinstance(pred, re.Pattern) else re.compile(pred)
        base = lambda m, p: rx.search(p) is not None  # noqa: E731
    if method is None:
        return base
    want = method.upper()
    return lambda m, p: m.upper() == want and base(m, p)


@dataclass
class _Fault:
    kind: str  # "fail" | "rate_limit" | "delay" | "drop"
    remaining: int
    match: Callable[[str, str], bool]
    status: int = 500
    body: Optional[Union[str, bytes, dict]] = None
    wait_seconds: int = 0
    delay: float = 0.0
    mode: str = "disconnect"  # drop: "disconnect" | "502" | "timeout"


class Faults:
    """Injected faults and rate limits (mixed into ``FakeDiscourse``, whose ``_faults``,
    ``_api_hits`` and ``settings`` they use)."""

    def fail_next(
        self, n: int = 1, status: int = 500, *, path: _PathPredicate = None, method: Optional[str] = None,
        body: Optional[Union[str, bytes, dict]] = None,
    ) -> None:
        """The next ``n`` matching requests answer ``status`` without doing anything.

        Default body: an HTML error page like a proxy's or Rails' (not JSON), so
        pydiscourse's message is the HTTP reason; pass ``body`` (a dict → JSON) to change it.
        """
        self._faults.append(_Fault("fail", n, _make_predicate(path, method), status=status, body=body))

    def rate_limit_next(
        self, n: int = 1, wait_seconds: int = 10, *, path: _PathPredicate = None, method: Optional[str] = None,
        plain_text: bool = False,
    ) -> None:
        """The next ``n`` matching requests answer 429 like Discourse's API rate limiter
        (JSON body with ``extras.wait_seconds``, ``Retry-After`` header), or, with
        ``plain_text=True``, like its per-IP middleware (text body)."""
        self._faults.append(
            _Fault("rate_limit", n, _make_predicate(path, method), status=429, wait_seconds=wait_seconds,
                   mode="text" if plain_text else "json")
        )

    def delay_next(self, n: int = 1, seconds: float = 1.0, *, path: _PathPredicate = None,
                   method: Optional[str] = None) -> None:
        """Hold the next ``n`` matching requests ``seconds`` before handling them."""
        self._faults.append(_Fault("delay", n, _make_predicate(path, method), delay=seconds))

    def drop_response_next(
        self, path: _PathPredicate = None, n: int = 1, *, method: Optional[str] = None,
        mode: str = "disconnect", delay: float = 30.0,
    ) -> None:
        """The next ``n`` matching requests are performed (the topic is created, the
        post edited…) but the client never sees the answer: ``mode="disconnect"``
        closes the connection (requests raises ``ConnectionError``), ``"502"`` answers
        a proxy's 502 page, ``"timeout"`` holds the answer ``delay`` seconds (longer
        than the client's timeout) and then drops it."""
        if mode not in ("disconnect", "502", "timeout"):
            raise ValueError(mode)
        self._faults.append(_Fault("drop", n, _make_predicate(path, method), mode=mode, delay=delay))

    def clear_faults(self) -> None:
        self._faults.clear()

    def _take_fault(self, kinds: tuple[str, ...], method: str, path: str) -> Optional[_Fault]:
        for fault in self._faults:
            if fault.kind in kinds and fault.remaining > 0 and fault.match(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _failure(self, status: int, body: Optional[Union[str, bytes, dict]]) -> web.Response:
        if isinstance(body, dict):
            return _json_response(body, status=status)
        if body is None:
            reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                      504: "Gateway Time-out"}.get(status, "Error")
            body = f"<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>"
        data = body.encode() if isinstance(body, str) else body
        return web.Response(body=data, status=status, content_type="text/html", charset="utf-8")

    def _rate_limited(self, wait_seconds: int, *, text: bool = False) -> web.Response:
        headers = {"Retry-After": str(wait_seconds), "Discourse-Rate-Limit-Error-Code": "admin_api_key_rate_limit"}
        if text:
            headers["Discourse-Rate-Limit-Error-Code"] = "ip_10_secs_limit"
            return web.Response(
                status=429, headers=headers, content_type="text/plain", charset="utf-8",
                text="Slow down, too many requests from this IP address.\nPlease retry again in "
                     f"{wait_seconds} seconds.\nError code: ip_10_secs_limit.\n",
            )
        return _json_response(rate_limit_body(wait_seconds), status=429, headers=headers)

    def _api_rate_limit(self, request: web.Request) -> Optional[web.Response]:
        limit = self.settings.max_api_requests_per_minute
        if not limit or "Api-Key" not in request.headers:
            return None
        now = time.monotonic()
        self._api_hits = [t for t in self._api_hits if now - t < 60]
        if len(self._api_hits) >= limit:
            wait = max(1, math.ceil(60 - (now - self._api_hits[0])))
            return self._rate_limited(wait)
        self._api_hits.append(now)
        return None
