"""A tiny HTTP health endpoint for processes that are not web apps (the worker)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def serve_health(host: str, port: int, is_healthy: Callable[[], bool]) -> asyncio.Server:
    """Answer every request with 200 'ok' while healthy, 503 otherwise."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        ok = is_healthy()
        body = b'{"status":"ok"}' if ok else b'{"status":"unavailable"}'
        status = b"200 OK" if ok else b"503 Service Unavailable"
        writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, host, port)
