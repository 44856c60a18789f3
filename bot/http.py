"""``[bot] http_listen``: ``GET /healthz`` and ``GET /metrics`` on a small aiohttp server
(aiohttp comes with matrix-nio), in the bot's own event loop.

``/healthz`` is ``bot/health.py``'s verdict: 200 with the JSON report when the bot is synced
and delivering, 503 with the same report and its reasons when not. ``/metrics`` is
``bot/metrics.py`` in Prometheus' text format. Both read the database; neither changes
anything but the health check's own write probe.
"""

from __future__ import annotations

import json
import logging

from aiohttp import web

from . import health
from .config import split_listen
from .metrics import CONTENT_TYPE

log = logging.getLogger(__name__)


def make_app(runtime) -> web.Application:
    """The application serving one runtime's health and metrics."""

    async def healthz(request: web.Request) -> web.Response:
        verdict = health.check(runtime.repo, runtime.config, runtime.clock.now())
        return web.Response(status=200 if verdict.healthy else 503,
                            text=json.dumps(verdict.report, ensure_ascii=False),
                            content_type="application/json")

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=runtime.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def serve(runtime, listen: str) -> web.AppRunner:
    """Start serving on ``listen`` (host:port); the caller cleans the runner up. Raises
    ``OSError`` when the address cannot be listened on (nothing is left open then)."""
    host, port = split_listen(listen)
    runner = web.AppRunner(make_app(runtime), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    log.info("health and metrics on http://%s/healthz and /metrics", listen)
    return runner
