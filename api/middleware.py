"""Cross-cutting HTTP protections: body size limit, content types, security headers.

Plain ASGI middleware (not BaseHTTPMiddleware, which costs a task group and two streams per
request): every request of the API passes through both.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import strict_input
from api.fhir.outcome import is_fhir
from api.problems import answer

MAX_BODY_BYTES = 256 * 1024  # a delivery with 9 children is a few KB
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# The API answers JSON: nothing to load.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The API docs (api/docs_ui.py): their own assets only. The pages' inline start-up script and the
# viewers' inline styles need 'unsafe-inline'; ReDoc searches in a blob: worker. Nothing from another
# host (ReDoc's footer logo would come from its CDN).
DOCS_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
            "base-uri 'none'; frame-ancestors 'none'")
# The console: its own scripts, styles and event streams only; no inline script or style at all.
CONSOLE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class Protections:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if scope["method"] in ("POST", "PUT", "PATCH"):
            headers = Headers(scope=scope)
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
                await _too_large(path)(scope, receive, send)
                return
            body, more = bytearray(), True  # also catches chunked bodies without a length
            while more:
                message = await receive()
                if message["type"] != "http.request":  # the client went away
                    return
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > MAX_BODY_BYTES:
                    await _too_large(path)(scope, receive, send)
                    return
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if body and path.startswith("/v1/") and ctype not in _json_types(path):
                refused = answer(path, 415, f"Content-Type must be {' or '.join(_json_types(path))}")
                await refused(scope, receive, send)
                return
            refused = _strict(bytes(body), ctype, path) if body else None
            if refused is not None:
                await refused(scope, receive, send)
                return
            receive = _replay(bytes(body), receive)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _protect(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _strict(body: bytes, ctype: str, path: str) -> Response | None:
    """Every body, before any handler: UTF-8, no control characters or lone surrogates, and JSON
    without NaN/Infinity or duplicate keys (api/strict_input.py). None when it may pass. Under /v1/fhir
    the refusal is an OperationOutcome, each issue at its FHIRPath (api/problems.answer)."""
    try:
        if ctype == "application/json" or ctype.endswith("+json"):
            errors = strict_input.json_errors(body)
        elif ctype == "application/x-www-form-urlencoded":
            errors = strict_input.form_errors(body)
        elif ctype == "multipart/form-data" or ctype.startswith("text/"):
            errors = strict_input.raw_errors(body)
        else:
            return None  # no route takes other bodies: each refuses them (415, or FastAPI's 422)
    except strict_input.Malformed as exc:
        return answer(path, 400, str(exc))
    if not errors:
        return None
    n = len(errors)
    return answer(path, 422, f"{n} field{'s are' if n != 1 else ' is'} invalid", errors=errors)


def _json_types(path: str) -> tuple[str, ...]:
    # FHIR clients send FHIR's own JSON media type (also with ;fhirVersion=4.0), on the FHIR intake only.
    if is_fhir(path):
        return ("application/json", "application/fhir+json")
    return ("application/json",)


def _protect(headers: MutableHeaders, path: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if path.startswith("/console"):
        headers.setdefault("Content-Security-Policy", CONSOLE_CSP)
        headers.setdefault("Cache-Control", "public, max-age=604800"  # versioned URLs
                           if path.startswith("/console/static/")
                           else "no-store")  # pages hold personal data
    elif path.startswith(("/docs", "/redoc")):
        headers.setdefault("Content-Security-Policy", DOCS_CSP)
    else:
        headers.setdefault("Content-Security-Policy", API_CSP)
    if path.startswith("/v1/"):
        headers.setdefault("Cache-Control", "no-store")  # personal data: never cached


def _too_large(path: str) -> Response:
    return answer(path, 413, f"request body larger than {MAX_BODY_BYTES} bytes")


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, as one message; then the client's own messages (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class CodecCors:
    """CORS for /codec/ only: the Temporal Web UI (its origin alone) calls it with the session cookie."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.origins = set(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/codec/"):
            await self.app(scope, receive, send)
            return
        origin = Headers(scope=scope).get("origin")
        if origin not in self.origins:
            await self.app(scope, receive, send)
            return

        def allow(headers: MutableHeaders) -> None:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Allow-Credentials"] = "true"
            headers["Vary"] = "Origin"

        if scope["method"] == "OPTIONS":
            response = Response(status_code=204)
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Namespace, Authorization"
            response.headers["Access-Control-Max-Age"] = "600"
            allow(response.headers)
            await response(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                allow(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_cors)
