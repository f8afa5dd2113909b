"""OAuth2 client credentials (RFC 6749 §4.4) as an httpx auth flow: one cached bearer token.

The token is fetched on first use, refreshed shortly before it expires, and once more when the
server answers 401 (it may have restarted, or its clock disagrees); the request is then sent
again once. One refresh at a time: concurrent calls wait for it instead of stampeding the
token endpoint. Neither the secret nor a token is ever logged or put in an error message.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncGenerator, Callable, Generator
from urllib.parse import quote_plus

import httpx

TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
_LEEWAY_SECONDS = 30.0
_DEFAULT_LIFETIME = 300.0  # when the server does not say (expires_in is optional)


class TokenError(Exception):
    """The token endpoint refused our credentials or answered something unusable."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ClientCredentials(httpx.Auth):
    """Bearer auth for httpx.AsyncClient, with tokens from the server's token endpoint."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.token_url = token_url
        self._basic = "Basic " + base64.b64encode(
            f"{quote_plus(client_id)}:{quote_plus(client_secret)}".encode()).decode()
        self._clock = clock
        self._token: str | None = None
        self._refresh_at = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def for_server(cls, base_url: str, client_id: str, client_secret: str) -> ClientCredentials:
        return cls(base_url.rstrip("/") + TOKEN_PATH, client_id, client_secret)

    def __repr__(self) -> str:
        return f"ClientCredentials({self.token_url!r})"

    def _live(self, refused: str | None) -> str | None:
        """The cached token unless it is about to expire or is the one just refused."""
        if self._token is None or self._token == refused or self._clock() >= self._refresh_at:
            return None
        return self._token

    def _token_request(self) -> httpx.Request:
        return httpx.Request("POST", self.token_url, data={"grant_type": "client_credentials"},
                             headers={"Authorization": self._basic, "Accept": "application/json"})

    def _keep(self, reply: httpx.Response, asked_at: float) -> str:
        if reply.status_code != 200:
            try:
                error = str(reply.json().get("error", ""))[:40]
            except (ValueError, AttributeError):
                error = ""
            raise TokenError(f"Dukcapil token endpoint answered HTTP {reply.status_code}"
                             + (f" ({error})" if error else ""), status_code=reply.status_code)
        try:
            data = reply.json()
            token, lifetime = data["access_token"], float(data.get("expires_in") or _DEFAULT_LIFETIME)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise TokenError("Dukcapil token endpoint answered with an unexpected body",
                             status_code=reply.status_code) from exc
        if not isinstance(token, str) or not token or str(data.get("token_type", "")).lower() != "bearer":
            raise TokenError("Dukcapil token endpoint issued no bearer token",
                             status_code=reply.status_code)
        # Counted from when we asked, and refreshed early: a token never expires in flight.
        self._token = token
        self._refresh_at = asked_at + lifetime - min(_LEEWAY_SECONDS, lifetime / 10)
        return token

    async def async_auth_flow(self, request: httpx.Request
                              ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        refused: str | None = None
        for _ in range(2):  # the request, and once more after a 401 with a new token
            token = self._live(refused)
            if token is None:
                async with self._lock:
                    token = self._live(refused)  # another call may have refreshed meanwhile
                    if token is None:
                        asked_at = self._clock()
                        reply = yield self._token_request()
                        await reply.aread()
                        token = self._keep(reply, asked_at)
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
            if response.status_code != 401:
                return
            refused = token

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        raise RuntimeError("ClientCredentials works with httpx.AsyncClient only")
        yield request  # pragma: no cover - makes this a generator, as httpx expects
