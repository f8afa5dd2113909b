"""The API's access log: one JSON line per request, with a request id, and never a path as sent.

The family's download link carries its token in the path (`/unduh/{token}`) and other paths carry
bundle ids, so the line names the route *template* the request matched, never the raw path, and no
query string, header or body. The request id comes from the proxy (`X-Request-ID`, nginx's
`$request_id`) when it looks like one, else it is made here; it is bound to every log line written
while the request runs and returned in the response. uvicorn's own access log is off (cli/serve.py).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

import structlog
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator.routing import get_route_name
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.gauges import install_gauges, stop_gauges
from infra.metrics import name_systems, serve_metrics

log = structlog.get_logger("kelahiran.access")
HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
UNMATCHED = "<unmatched>"


def request_id(scope: Scope) -> str:
    """The proxy's id when it is a plain token (no room for log injection), else a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _VALID_ID.match(text):
                return text
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The path template of the route that matches (e.g. `/unduh/{token}`), through included routers
    and mounts; resolved the way the request metrics resolve it."""
    return get_route_name(Request(scope), should_include_root_path=False) or UNMATCHED


class AccessLog:
    """Pure ASGI (no BaseHTTPMiddleware): streaming responses pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        # Matched before the app runs: routing rewrites the scope (a mount's root_path) as it goes.
        route = route_template(dict(scope))
        started = time.perf_counter()
        status = 500  # unless a response starts: an exception escaped every handler

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=rid):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                client = scope.get("client")
                log.info("request", method=scope.get("method"), route=route,
                         status=status, duration_ms=round((time.perf_counter() - started) * 1000, 1),
                         client=client[0] if client else None)


def install(app, settings) -> None:
    """Request metrics, and the access log outermost so it sees every final status.

    With an internal metrics port (`KELAHIRAN_METRICS_PORT`) /metrics leaves the public port: the
    proxy never has it to publish.
    """
    instrumentator = Instrumentator(excluded_handlers=["/metrics", "/health", "/ready"]).instrument(app)
    if not settings.metrics_port:
        instrumentator.expose(app, endpoint="/metrics", include_in_schema=False)
    app.add_middleware(AccessLog)


@dataclass
class Telemetry:
    server: object | None
    gauges: object | None


async def start(settings, engine) -> Telemetry:
    """At the API's start: name the external systems, serve the internal port, count the gauges."""
    name_systems(settings)
    return Telemetry(server=serve_metrics(settings), gauges=install_gauges(engine, settings))


async def stop(telemetry: Telemetry) -> None:
    await stop_gauges(telemetry.gauges)
    if telemetry.server is not None:
        telemetry.server.shutdown()
        telemetry.server.server_close()
