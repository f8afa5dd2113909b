"""The adapters' HTTP client (httpx over aiohttp's pool) against a raw HTTP/1.1 server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from adapters.http import pooled_client

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[tuple[str, list[int]]]:
    """A server on a free port: (its base URL, one entry per accepted connection)."""
    accepted: list[int] = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        try:
            await handler(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", accepted
    finally:
        server.close()


async def read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes] | None:
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return None
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return lines[0], headers, body


def response(status: int, body: bytes, extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"{extra}\r\n").encode() + body


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers every request on the connection with what it received (kept alive)."""
    while True:
        try:
            got = await read_request(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        if got is None:
            return
        line, headers, body = got
        out = json.dumps({"line": line, "key": headers.get("idempotency-key"),
                          "body": json.loads(body) if body else None}).encode()
        writer.write(response(201, out, "X-Trace: t1\r\n"))
        await writer.drain()


async def test_request_and_response_go_through_and_the_connection_is_reused():
    async with serve(echo) as (base, accepted):
        async with pooled_client(base_url=base, timeout=5) as http:
            first = await http.post("/v1/a?x=1", json={"nik": "1"}, headers={"Idempotency-Key": "k1"})
            second = await http.get("/v1/b")
    assert first.status_code == 201
    assert first.headers["x-trace"] == "t1"
    assert first.json() == {"line": "POST /v1/a?x=1 HTTP/1.1", "key": "k1", "body": {"nik": "1"}}
    assert second.json()["line"] == "GET /v1/b HTTP/1.1"
    assert len(accepted) == 1  # kept alive between the calls


async def test_a_compressed_body_is_decoded_as_httpx_would():
    data = gzip.compress(b'{"ok": true}')

    async def gz(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response(200, data, "Content-Encoding: gzip\r\n"))
        await writer.drain()

    async with serve(gz) as (base, _), pooled_client(base_url=base, timeout=5) as http:
        assert (await http.get("/")).json() == {"ok": True}


async def test_a_refused_connection_is_a_connect_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with pooled_client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("/")


async def test_a_connection_closed_before_the_answer_is_a_transport_error_not_a_timeout():
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with serve(hang_up) as (base, _), pooled_client(base_url=base, timeout=5) as http:
        with pytest.raises(httpx.TransportError) as caught:
            await http.post("/", json={})
    assert not isinstance(caught.value, httpx.TimeoutException)


async def test_a_slow_answer_is_a_read_timeout():
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(2)

    async with serve(slow) as (base, _), pooled_client(base_url=base, timeout=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/")
