"""The aiohttp app: the route table, the middleware that logs and parses each request,
the injected faults around the handler, authentication, Rails-like params, and the spec
check of every answer.  The ``HttpServer`` part of ``FakeDiscourse``."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiohttp import web

from .models import FakeUser, LoggedRequest
from .replies import (
    _K_LOG,
    _K_PARAMS,
    _K_SPEC,
    _K_USER,
    _error,
    _invalid_access,
    _json_response,
    _not_found,
    _not_logged_in,
    _Reply,
)
from .spec import SpecViolation, validate_response_body


class HttpServer:
    """The HTTP plumbing (mixed into ``FakeDiscourse``)."""

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        J = r"{ext:(?:\.json)?}"
        r = app.router
        add = r.add_route
        add("GET", "/categories" + J, self._h_categories)
        add("GET", r"/c/{cat:[^/]+?}/show" + J, self._h_category_show)
        add("GET", r"/c/{slug:[^/]+}/{id:\d+}/l/latest" + J, self._h_category_topics)
        add("GET", r"/c/{cat:[^/]+?}/l/latest" + J, self._h_category_latest_by_slug)
        add("GET", r"/c/{slug:[^/]+}/{id:\d+}" + J, self._h_category_topics)
        add("GET", r"/c/{cat:[^/]+?}" + J, self._h_category_redirect)
        add("GET", "/posts" + J, self._h_latest_posts)
        add("POST", "/posts" + J, self._h_create_post)
        add("GET", r"/posts/{id:\d+}" + J, self._h_get_post)
        add("PUT", r"/posts/{id:\d+}" + J, self._h_update_post)
        add("DELETE", r"/posts/{id:\d+}" + J, self._h_delete_post)
        add("GET", r"/t/external_id/{eid:[^/]+?}" + J, self._h_topic_by_external_id)
        add("GET", r"/t/{id:\d+}/posts" + J, self._h_topic_posts)
        add("PUT", r"/t/{id:\d+}/status" + J, self._h_topic_status)
        add("GET", r"/t/{id:\d+}" + J, self._h_topic)
        add("DELETE", r"/t/{id:\d+}" + J, self._h_delete_topic)
        add("GET", r"/t/{a:[^/]+}/{b:\d+}" + J, self._h_topic_two_segments)
        add("GET", "/latest" + J, self._h_latest_topics)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler) -> web.StreamResponse:
        body = await request.read()
        form: dict[str, list[str]] = {}
        parsed_json = None
        ctype = request.content_type
        if ctype == "application/x-www-form-urlencoded" or (ctype == "multipart/form-data"):
            post = await request.post()
            for k, v in post.items():
                form.setdefault(k, []).append(v if isinstance(v, str) else getattr(v, "filename", str(v)))
        elif ctype == "application/json" and body:
            try:
                parsed_json = json.loads(body)
            except ValueError:
                parsed_json = None
        query: dict[str, list[str]] = {}
        for k, v in request.query.items():
            query.setdefault(k, []).append(v)
        entry = LoggedRequest(
            method=request.method, path=request.path, query=query, headers=dict(request.headers),
            body=body, form=form, json=parsed_json,
        )
        self.requests.append(entry)
        request[_K_LOG] = entry
        request[_K_PARAMS] = self._params(query, form, parsed_json)
        response = await self._dispatch(request, handler, entry)
        entry.status = response.status if response is not None else None
        return response

    async def _dispatch(self, request: web.Request, handler, entry: LoggedRequest) -> web.StreamResponse:
        method, path = request.method, request.path

        fault = self._take_fault(("delay",), method, path)
        if fault is not None:
            entry.fault = "delay"
            await asyncio.sleep(fault.delay)

        fault = self._take_fault(("fail", "rate_limit"), method, path)
        if fault is not None:
            entry.fault = fault.kind
            if fault.kind == "rate_limit":
                return self._rate_limited(fault.wait_seconds, text=fault.mode == "text")
            return self._failure(fault.status, fault.body)

        try:
            self._authenticate(request)
            limited = self._api_rate_limit(request)
            if limited is not None:
                entry.fault = "api_rate_limit"
                return limited
            response = await handler(request)
        except _Reply as reply:
            response = reply.response
        except web.HTTPException as exc:
            if exc.status == 404:
                response = _not_found().response
            elif exc.status == 405:
                response = _error(405, ["Method not allowed"], "invalid_parameters").response
            else:
                raise

        response = self._check_spec(request, response)

        drop = self._take_fault(("drop",), method, path)
        if drop is not None:
            entry.fault = f"drop:{drop.mode}"
            if drop.mode == "502":
                return self._failure(502, None)
            if drop.mode == "timeout":
                await asyncio.sleep(drop.delay)
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=599)  # never reaches the client
        return response

    def _authenticate(self, request: web.Request) -> None:
        key = request.headers.get("Api-Key")
        username = request.headers.get("Api-Username")
        if not self.check_auth:
            user = self.users.get((username or self.api_username).lower(), self.api_user)
            request[_K_USER] = user
            return
        if key is None and username is None:
            if request.method != "GET":
                raise _not_logged_in()
            request[_K_USER] = FakeUser(id=0, username="", name="", trust_level=0)  # anonymous
            return
        if key != self.api_key:
            raise _invalid_access()
        user = self.users.get((username or "system").lower())
        if user is None or (self.single_user_key and user is not self.api_user):
            raise _invalid_access()
        request[_K_USER] = user

    @staticmethod
    def _params(query: dict[str, list[str]], form: dict[str, list[str]], parsed_json: Any) -> dict[str, Any]:
        """Rails-like params: query + form (``a[b]`` nested, ``a[]`` lists) + JSON body."""
        params: dict[str, Any] = {}

        def put(key: str, values: list[str]) -> None:
            m = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
            if not m:
                params[key] = values[-1]
                return
            head, rest = m.group(1), re.findall(r"\[([^\[\]]*)\]", m.group(2))
            target: dict = params
            parts = [head] + rest
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                nxt_is_list = not last and parts[i + 1] == ""
                if last:
                    target[part] = values[-1]
                    return
                if nxt_is_list:
                    target[part] = list(values)
                    return
                target = target.setdefault(part, {})

        for source in (query, form):
            for k, vs in source.items():
                put(k, vs)
        if isinstance(parsed_json, dict):
            params.update(parsed_json)
        return params

    def _check_spec(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        """Validate every answer that has a spec operation (all 200s, the empty 200s of
        the DELETEs, the external_id 301).  Error answers (4xx, 5xx) and the other
        redirects are Discourse conventions the spec does not describe."""
        if not self.validate:
            return response
        op = request.get(_K_SPEC)
        if op is None:
            if response.status == 200:
                violation = SpecViolation(
                    f"fake Discourse answered 200 to {request.method} {request.path} with no spec operation")
                self.spec_violations.append(violation)
                return web.Response(status=500, text=f"FAKE DISCOURSE SPEC VIOLATION\n{violation}",
                                    content_type="text/plain")
            return response
        if response.status >= 400:
            return response
        spec_method, spec_path, concrete = op
        body = response.body if isinstance(response, web.Response) else b""
        if not isinstance(body, (bytes, bytearray)):
            body = bytes(body or b"")
        try:
            validate_response_body(spec_method, spec_path, concrete, bytes(body), response.status,
                                   response.content_type)
        except SpecViolation as violation:
            self.spec_violations.append(violation)
            return web.Response(status=500, text=f"FAKE DISCOURSE SPEC VIOLATION\n{violation}",
                                content_type="text/plain")
        return response

    @staticmethod
    def _spec(request: web.Request, method: str, spec_path: str, concrete: str) -> None:
        request[_K_SPEC] = (method, spec_path, concrete)

    def _ok(self, request: web.Request, data: Any, method: str, spec_path: str, concrete: str) -> web.Response:
        self._spec(request, method, spec_path, concrete)
        return _json_response(data)
