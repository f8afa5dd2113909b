"""`kelahiran callbacks`: the dispatcher as its own process, with /health and /metrics on one port.

Its own process, so that only it needs a route to hospitals' networks (the API and the workers keep
their narrower egress), and a slow or hostile receiver can hold nothing but this process's sockets.
Run as many replicas as you like: they share the outbox safely.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from cli.dispatcher import Dispatcher
from infra.gauges import install_gauges, stop_gauges
from infra.settings import Settings
from store.db import make_engine

log = structlog.get_logger("kelahiran.callbacks")


async def serve_probe(host: str, port: int, is_healthy: Callable[[], bool]) -> asyncio.Server:
    """GET /metrics: Prometheus; any other path: 200 while healthy, else 503."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
        if path.startswith(b"/metrics"):
            status, ctype, body = b"200 OK", CONTENT_TYPE_LATEST.encode(), generate_latest()
        elif is_healthy():
            status, ctype, body = b"200 OK", b"application/json", b'{"status":"ok"}'
        else:
            status, ctype, body = b"503 Service Unavailable", b"application/json", b'{"status":"unavailable"}'
        writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, host, port)


async def run_callbacks(settings: Settings) -> None:
    """Deliver until SIGINT/SIGTERM; a round in flight finishes (its leases cover a hard kill)."""
    engine = make_engine(settings.database_url)
    dispatcher = Dispatcher(engine, settings)
    gauges = install_gauges(engine, settings)  # the read model's gauges, if this is the one process
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    probe = None
    if settings.callbacks_port:
        probe = await serve_probe(settings.api_host, settings.callbacks_port,
                                  lambda: dispatcher.healthy and not stop.is_set())
    log.info("callback dispatcher started", environment=settings.environment,
             loopback_allowed=settings.callback_allow_loopback,
             legacy_signature_until=str(settings.callback_legacy_signature_until))
    try:
        await dispatcher.run(stop)
    finally:
        if probe is not None:
            probe.close()
        await stop_gauges(gauges)
        await dispatcher.aclose()
        engine.dispose()
