"""The one way adapters make their HTTP client: pooled, kept alive, and reused for every call.

Every connection of the pool is kept between calls (`max_keepalive_connections` = the pool): with
fewer, a burst of parallel calls opened connections that were closed right after, and the next
burst paid the TCP handshake again (profiled under `kelahiran bench`). An idle connection is dropped
before uvicorn's 5 s keep-alive would close it under a request sent at that moment.
"""

from __future__ import annotations

import httpx

POOL = 64
KEEPALIVE_EXPIRY_S = 4.0


def pooled_client(*, base_url: str = "", timeout: float, headers: dict[str, str] | None = None,
                  connections: int = POOL) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url, timeout=timeout, headers=headers,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections,
                            keepalive_expiry=KEEPALIVE_EXPIRY_S))
