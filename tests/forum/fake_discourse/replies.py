"""What the handlers answer with: JSON as Discourse sends it, its error bodies, empty
200s, redirects and rate-limit bodies; and the keys under which a request carries its
log entry, params, user and spec operation."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Optional

from aiohttp import web


def _request_key(name: str, kind: Any) -> Any:
    # aiohttp >= 3.12 wants typed keys for request storage; older ones take strings
    factory = getattr(web, "RequestKey", None)
    return factory(name, kind) if factory is not None else name


_K_LOG = _request_key("fake_discourse_log", object)
_K_PARAMS = _request_key("fake_discourse_params", dict)
_K_USER = _request_key("fake_discourse_user", object)
_K_SPEC = _request_key("fake_discourse_spec_op", tuple)


class _Reply(Exception):
    """Raised inside handlers to answer with an error at once."""

    def __init__(self, response: web.StreamResponse):
        super().__init__(response.status)
        self.response = response


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_response(data: Any, status: int = 200, headers: Optional[dict] = None) -> web.Response:
    # pydiscourse 1.7.0 requires exactly "application/json; charset=utf-8"
    return web.Response(
        body=_json_bytes(data),
        status=status,
        content_type="application/json",
        charset="utf-8",
        headers=headers,
    )


def _error(status: int, errors: Iterable[str], error_type: Optional[str] = None, **extra) -> _Reply:
    body: dict[str, Any] = {"errors": list(errors)}
    if error_type:
        body["error_type"] = error_type
    body.update(extra)
    return _Reply(_json_response(body, status=status))


def _not_found() -> _Reply:
    return _error(404, ["The requested URL or resource could not be found."], "not_found")


def _invalid_access() -> _Reply:
    return _error(
        403,
        ["You are not permitted to view the requested resource. The API username or key is invalid."],
        "invalid_access",
    )


def _not_logged_in() -> _Reply:
    return _error(403, ["You need to be logged in to do that."], "not_logged_in")


def _invalid_params(name: str) -> _Reply:
    return _error(400, [f"param is missing or the value is empty: {name}"], "invalid_parameters")


def _create_error(errors: list[str]) -> _Reply:
    return _Reply(_json_response({"action": "create_post", "errors": errors}, status=422))


def _empty_ok() -> web.Response:
    # Rails' `render body: nil`: 200, empty body, the default content type
    return web.Response(status=200, body=b"", content_type="text/plain", charset="utf-8")


def _redirect(location: str) -> web.Response:
    # Rails' redirect_to: 301, absolute Location, empty body
    return web.Response(status=301, headers={"Location": location}, content_type="text/html", charset="utf-8")


def rate_limit_body(wait_seconds: int) -> dict:
    unit = "second" if wait_seconds == 1 else "seconds"
    return {
        "errors": [
            f"You\u2019ve performed this action too many times. Please wait {wait_seconds} "
            f"{unit} before trying again."
        ],
        "error_type": "rate_limit",
        "extras": {"wait_seconds": wait_seconds, "time_left": f"{wait_seconds} {unit}"},
    }
