"""The one way adapters make their HTTP client: pooled, kept alive, and reused for every call.

The adapters speak httpx (its requests, responses, auth flows and exceptions), but the connections
are aiohttp's (`AiohttpTransport`). Under `kelahiran bench` httpx's own pool (httpcore) cost the
worker 1.6 ms of CPU per request with 4 in flight and 3.7 ms with 50 (its pool scans every
connection, and asks each idle one whether it is readable, whenever a request starts or ends); the
same calls through aiohttp's pool cost about 0.8 ms at any concurrency. Each birth makes about ten
calls.

Every connection of the pool is kept between calls (`max_keepalive_connections` = the pool): with
fewer, a burst of parallel calls opened connections that were closed right after, and the next
burst paid the TCP handshake again. An idle connection is dropped before uvicorn's 5 s keep-alive
would close it under a request sent at that moment.
"""

from __future__ import annotations

import time

import aiohttp
import httpx
from multidict import CIMultiDict

from infra.metrics import observe_call

POOL = 64
KEEPALIVE_EXPIRY_S = 4.0


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport over one aiohttp session; bodies are read whole (ours are small).

    aiohttp's failures become the httpx exceptions the adapters classify: timeouts as
    `httpx.TimeoutException`, refused or broken connections as `httpx.TransportError`.
    """

    def __init__(self, *, connections: int = POOL, keepalive_expiry: float = KEEPALIVE_EXPIRY_S) -> None:
        self._connections, self._keepalive = connections, keepalive_expiry
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use: an aiohttp session belongs to the running event loop.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=self._keepalive)
            # httpx decodes the body itself (Content-Encoding), as with its own transport.
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # Every call, by system, operation and outcome, with its latency (infra/metrics.py).
        started, response = time.perf_counter(), None
        try:
            response = await self._send(request)
            return response
        except httpx.HTTPError as exc:
            observe_call(request.method, str(request.url), time.perf_counter() - started, error=exc)
            raise
        finally:
            if response is not None:
                observe_call(request.method, str(request.url), time.perf_counter() - started,
                             status=response.status_code)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        t = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(total=None, connect=t.get("pool"), sock_connect=t.get("connect"),
                                        sock_read=t.get("read"))
        body = await request.aread()
        try:
            async with self._open().request(
                    request.method, str(request.url), data=body or None,
                    headers=CIMultiDict(request.headers.multi_items()),
                    allow_redirects=False, timeout=timeout) as reply:
                content = await reply.read()
                return httpx.Response(reply.status, headers=list(reply.raw_headers),
                                      stream=httpx.ByteStream(content), request=request,
                                      extensions={"http_version": b"HTTP/1.1"})
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
        except aiohttp.ClientError as exc:  # resets and other OS-level failures of the connection
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def pooled_client(*, base_url: str = "", timeout: float, headers: dict[str, str] | None = None,
                  connections: int = POOL) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, headers=headers,
                             transport=AiohttpTransport(connections=connections))
