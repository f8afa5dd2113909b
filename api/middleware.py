"""Cross-cutting HTTP protections: body size limit, content types, security headers."""

from __future__ import annotations

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MAX_BODY_BYTES = 256 * 1024  # a delivery with 9 children is a few KB
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# The API answers JSON; only the interactive docs need scripts and styles.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The console: its own scripts, styles and event streams only; no inline script or style at all.
CONSOLE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class Protections(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method in ("POST", "PUT", "PATCH"):
            length = request.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
                return JSONResponse({"detail": f"request body larger than {MAX_BODY_BYTES} bytes"}, 413)
            body = await request.body()  # also catches chunked bodies without a length
            if len(body) > MAX_BODY_BYTES:
                return JSONResponse({"detail": f"request body larger than {MAX_BODY_BYTES} bytes"}, 413)
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if body and request.url.path.startswith("/v1/") and ctype != "application/json":
                return JSONResponse({"detail": "Content-Type must be application/json"}, 415)
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/console"):
            response.headers.setdefault("Content-Security-Policy", CONSOLE_CSP)
            response.headers.setdefault("Cache-Control", "public, max-age=604800"  # versioned URLs
                                        if request.url.path.startswith("/console/static/")
                                        else "no-store")  # pages hold personal data
        elif not request.url.path.startswith(("/docs", "/redoc")):
            response.headers.setdefault("Content-Security-Policy", API_CSP)
        if request.url.path.startswith("/v1/"):
            response.headers.setdefault("Cache-Control", "no-store")  # personal data: never cached
        return response


class CodecCors(BaseHTTPMiddleware):
    """CORS for /codec/ only: the Temporal Web UI (its origin alone) calls it with the session cookie."""

    def __init__(self, app, origins: list[str]) -> None:
        super().__init__(app)
        self.origins = set(origins)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        origin = request.headers.get("origin")
        if not request.url.path.startswith("/codec/") or origin not in self.origins:
            return await call_next(request)
        if request.method == "OPTIONS":
            response = Response(status_code=204)
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Namespace, Authorization"
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = await call_next(request)
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
        return response
