"""Institutional access: OAuth2 client credentials (RFC 6749 §4.4), bearer tokens on /v1 (RFC 6750).

Token lifetimes follow the real clock, not the simulated one: moving the simulated clock by weeks
for legal deadlines must neither expire every token at once nor keep an old one alive.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from typing import Annotated
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, FastAPI, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2
from pydantic import BaseModel

from simulators.dukcapil.schemas import Galat

REALM = "dukcapil"
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


class TokenBook:
    """The registered client and the tokens issued to it, kept as SHA-256 digests only."""

    def __init__(self, client_id: str, client_secret: str, *, ttl_seconds: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._clients = {client_id: _digest(client_secret)}
        self.ttl = ttl_seconds
        self._clock = clock
        self._tokens: dict[bytes, float] = {}  # digest -> expiry on `clock`
        self._lock = threading.Lock()

    def client_ok(self, client_id: str, secret: str) -> bool:
        expected = self._clients.get(client_id)
        # Compared even for an unknown client, so the answer's timing tells nothing.
        same = hmac.compare_digest(expected or _digest(secrets.token_hex(8)), _digest(secret))
        return expected is not None and same

    def issue(self) -> str:
        token, now = secrets.token_urlsafe(32), self._clock()
        with self._lock:
            # Expired tokens are kept one more lifetime, so a late caller is told "expired".
            self._tokens = {d: exp for d, exp in self._tokens.items() if exp + self.ttl > now}
            self._tokens[_digest(token)] = now + self.ttl
        return token

    def refusal(self, token: str) -> str | None:
        """None for a live token; otherwise why it is refused."""
        with self._lock:
            expires = self._tokens.get(_digest(token))
        if expires is None:
            return "The access token is unknown"
        return "The access token expired" if self._clock() >= expires else None


class TokenSalah(BaseModel):
    """An OAuth2 error answer (RFC 6749 §5.2)."""

    error: str
    error_description: str


class TokenAkses(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name
    expires_in: int


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status


class BearerRefused(Exception):
    """A /v1 call without a live bearer token; `error` is None when no token was sent at all."""

    def __init__(self, kode: str, pesan: str, description: str, error: str | None) -> None:
        super().__init__(f"{kode}: {pesan}")
        self.kode, self.pesan, self.description, self.error = kode, pesan, description, error


def _basic(header: str | None) -> tuple[str, str] | None:
    """client_id and secret from HTTP Basic, each form-urlencoded first (RFC 6749 §2.3.1)."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, colon, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        colon = ""
    if not colon:
        raise OAuthError("invalid_client", "Malformed HTTP Basic client credentials", 401)
    return unquote_plus(client_id), unquote_plus(secret)


async def _form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Send the parameters as application/x-www-form-urlencoded")
    try:
        fields = parse_qs((await request.body()).decode(), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise OAuthError("invalid_request", "The body is not UTF-8") from exc
    if any(len(values) > 1 for values in fields.values()):
        raise OAuthError("invalid_request", "A parameter was sent more than once")
    return {name: values[0] for name, values in fields.items()}


_FORM_SCHEMA = {"type": "object", "required": ["grant_type"], "properties": {
    "grant_type": {"type": "string", "enum": ["client_credentials"]},
    "client_id": {"type": "string", "description": "unless sent with HTTP Basic"},
    "client_secret": {"type": "string", "description": "unless sent with HTTP Basic"}}}

router = APIRouter(tags=["oauth"])


@router.post(TOKEN_PATH, response_model=TokenAkses, responses={
    400: {"model": TokenSalah, "description": "invalid_request, unsupported_grant_type"},
    401: {"model": TokenSalah, "description": "invalid_client: unknown client or wrong secret"}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA}}}})
async def issue_token(request: Request) -> JSONResponse:
    """A bearer access token for a registered client (grant_type=client_credentials)."""
    form = await _form(request)
    basic = _basic(request.headers.get("Authorization"))
    if "grant_type" not in form:
        raise OAuthError("invalid_request", "grant_type is required")
    if basic is not None and "client_secret" in form:
        raise OAuthError("invalid_request", "Use one client authentication method, not two")
    client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
    book: TokenBook = request.app.state.tokens
    if not book.client_ok(client_id, secret):
        raise OAuthError("invalid_client", "Unknown client or wrong client secret", 401)
    if form["grant_type"] != "client_credentials":
        raise OAuthError("unsupported_grant_type", "Only client_credentials is supported")
    answer = TokenAkses(access_token=book.issue(), expires_in=book.ttl)
    return JSONResponse(answer.model_dump(), headers=_NO_STORE)


_scheme = OAuth2(flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_PATH)),
                 scheme_name="dukcapilClientCredentials", auto_error=False)


async def require_bearer(request: Request,
                         authorization: Annotated[str | None, Security(_scheme)]) -> None:
    """Every /v1 business call needs `Authorization: Bearer <token>` from /oauth/token."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BearerRefused("TOKEN_DIPERLUKAN", "Diperlukan header Authorization: Bearer <token akses>",
                            "A bearer access token is required", None)
    why = request.app.state.tokens.refusal(token.strip())
    if why is not None:
        raise BearerRefused("TOKEN_TIDAK_SAH", f"Token akses tidak sah atau kedaluwarsa; minta token "
                            f"baru di {TOKEN_PATH}", why, "invalid_token")


BEARER_REFUSALS: dict[int | str, dict] = {
    401: {"model": Galat, "description": "No bearer token, or an unknown or expired one"}}


def install(app: FastAPI, book: TokenBook) -> None:
    """The token endpoint, the token book and the answers for refused credentials."""
    app.state.tokens = book
    app.include_router(router)

    @app.exception_handler(OAuthError)
    async def oauth_error(_: Request, exc: OAuthError) -> JSONResponse:
        headers = dict(_NO_STORE)
        if exc.status == 401:
            headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
        return JSONResponse(TokenSalah(error=exc.error, error_description=exc.description).model_dump(),
                            status_code=exc.status, headers=headers)

    @app.exception_handler(BearerRefused)
    async def bearer_refused(_: Request, exc: BearerRefused) -> JSONResponse:
        # RFC 6750 §3.1: no error code when the request carried no token at all.
        challenge = f'Bearer realm="{REALM}"'
        body = {"kode": exc.kode, "pesan": exc.pesan}
        if exc.error is not None:
            challenge += f', error="{exc.error}", error_description="{exc.description}"'
            body |= {"error": exc.error, "error_description": exc.description}
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": challenge})
