"""A tiny HTTP health endpoint for processes that are not web apps (the worker).

`/health` (and any other path) is liveness: 200 while the process runs. `/ready`, when given a check,
is readiness: 200 only while that check passes (the worker: Temporal answers), 503 otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def serve_health(host: str, port: int, is_healthy: Callable[[], bool],
                       is_ready: Callable[[], Awaitable[bool]] | None = None) -> asyncio.Server:
    """Answer 200 with {"status": "ok"} while healthy (ready, on /ready), 503 otherwise."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
        ok = is_healthy()
        if ok and is_ready is not None and path.split(b"?")[0] == b"/ready":
            try:
                ok = await asyncio.wait_for(is_ready(), 3)
            except Exception:  # noqa: BLE001 - a check that fails means not ready
                ok = False
        body = b'{"status":"ok"}' if ok else b'{"status":"unavailable"}'
        status = b"200 OK" if ok else b"503 Service Unavailable"
        writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, host, port)
