"""What every console page shares: who is asking (HTML instead of JSON errors), rendering, flashes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response
from temporalio.client import Client

from api.auth import sessions
from api.auth.deps import COOKIE, Allow, bearer, hospital_key, session_cookie
from api.auth.roles import Principal, Role
from api.console import describe, i18n
from domain import regions

HERE = Path(__file__).parent
STATIC = HERE / "static"
PREFIX = "/console"
FLASH = "kelahiran_flash"
# Autoescaping on for every template: bundle data (names, free text) must never become markup.
templates = Jinja2Templates(env=jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                                   autoescape=True))


def _asset_version() -> str:
    """Changes whenever a served file does, so static files can be cached for long (slow links)."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


ASSET_VERSION = _asset_version()
# Region codes as operators know them: "3673" is Kota Serang, "367306" Taktakan.
templates.env.globals.update(
    kab_name=lambda code: f"{code} {regions.kab_kota_name(code) or ''}".strip() if code else "–",
    kec_name=lambda code: f"{code} {regions.kecamatan_name(code) or ''}".strip() if code else "–")
# The API's reference/decision number rule (`^[A-Za-z0-9./ -]+$`) as an HTML `pattern`: browsers compile
# it with the `v` flag, where "/" and "-" inside a class must be escaped or the check is silently off.
REF_PATTERN = r"[A-Za-z0-9.\/ \-]+"
templates.env.globals["ref_pattern"] = REF_PATTERN
templates.env.globals["describe"] = describe  # facts, notes and events in catalogue words
HAS_HTMX = (STATIC / "vendor" / "htmx.min.js").is_file()


class LoginRequired(Exception):
    """No (valid) session on a console page: the handler redirects to the login form."""

    def __init__(self, path: str) -> None:
        self.path = path


class ConsoleError(Exception):
    """Shown as an HTML page with this status and message key (never the JSON API's detail)."""

    def __init__(self, status: int, key: str, **params: object) -> None:
        self.status, self.key, self.params = status, key, params


class ConsoleAllow(Allow):
    """`Allow` for pages: a missing session redirects to the login form, a refusal renders a page.

    Still an `Allow`, so the access-matrix test reads its roles like every other route's."""

    async def __call__(
        self, request: Request,
        key: Annotated[str | None, Depends(hospital_key)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        cookie: Annotated[str | None, Depends(session_cookie)],
    ) -> Principal:
        try:
            return await super().__call__(request, key, credentials, cookie)
        except HTTPException as exc:
            if exc.status_code == 401:
                raise LoginRequired(request.url.path) from None
            if "CSRF" in str(exc.detail):
                raise ConsoleError(403, "err_csrf") from None
            if key:
                raise ConsoleError(403, "err_hospital") from None
            role = re.search(r"role '(\w+)'", str(exc.detail))  # Allow names the refused role
            raise ConsoleError(403, "err_role", role=role.group(1) if role else "?") from None


def console_allow(*roles: Role) -> type:
    return Annotated[Principal, Depends(ConsoleAllow(*roles))]


Staff = console_allow(Role.operator, Role.supervisor, Role.auditor)
Anyone = console_allow(Role.operator, Role.supervisor, Role.auditor, Role.admin)
Acting = console_allow(Role.operator, Role.supervisor)
Supervising = console_allow(Role.supervisor)
AdminOnly = console_allow(Role.admin)


def csrf_token(request: Request) -> str:
    token = request.cookies.get(COOKIE)
    return sessions.csrf_for(token) if token else ""


def set_flash(response: Response, kind: str, key: str, **params: object) -> None:
    """A one-shot message for the next page (kept as a key, so it shows in the reader's language)."""
    raw = json.dumps({"kind": kind, "key": key, "params": {k: str(v) for k, v in params.items()}})
    response.set_cookie(FLASH, base64.urlsafe_b64encode(raw.encode()).decode(), max_age=60,
                        httponly=True, samesite="strict", path=PREFIX)


def _take_flash(request: Request) -> dict | None:
    raw = request.cookies.get(FLASH)
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
        return {"kind": str(data["kind"]), "key": str(data["key"]), "params": dict(data["params"])}
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def _param(t: i18n.Translator, value: str) -> str:
    """Flash parameters starting with "@" are catalogue keys (comma-separated), shown translated."""
    if value.startswith("@"):
        return ", ".join(t(part.lstrip("@")) for part in value.split(","))
    return value


def message(request: Request, key: str, params: dict) -> str:
    """A flash-style message rendered now, in the reader's language (for a page shown in place)."""
    t = i18n.Translator(i18n.language_of(request)[0])
    return t(key, **{k: _param(t, str(v)) for k, v in params.items()})


def redirect(url: str, *, flash: tuple | None = None) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if flash:
        kind, key, params = flash
        set_flash(response, kind, key, **params)
    return response


def render(request: Request, template: str, context: dict | None = None, *, who: Principal | None = None,
           status: int = 200) -> Response:
    lang, chosen = i18n.language_of(request)
    t = i18n.Translator(lang)
    flash = _take_flash(request)
    if flash:
        flash["text"] = t(flash["key"], **{k: _param(t, v) for k, v in flash["params"].items()})
    other = "en" if lang == "id" else "id"
    # the same page in the other language (a POST's result page: the console's start instead)
    here = request.url.path if request.method == "GET" else PREFIX
    lang_url = f"{here}?{urlencode({**request.query_params, 'lang': other})}"
    ctx = {"t": t, "lang": lang, "who": who, "csrf": csrf_token(request), "flash": flash,
           "asset": ASSET_VERSION, "has_htmx": HAS_HTMX, "path": request.url.path, "lang_url": lang_url,
           "lang_other": other, **(context or {})}
    response = templates.TemplateResponse(request, template, ctx, status_code=status)
    if flash:
        response.delete_cookie(FLASH, path=PREFIX)
    if chosen:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax", path=PREFIX)
    return response


def install_handlers(app) -> None:
    """Handlers for the console's own exceptions; the JSON API never raises them."""

    async def login_required(request: Request, exc: LoginRequired) -> Response:
        back = re.sub(r"/(live|events)$", "", exc.path)  # after login: the page, not its fragment
        url = f"{PREFIX}/login?next={quote(back)}"
        if request.headers.get("HX-Request"):
            # an htmx fragment request: send the whole page to the login form, not into a <section>
            response: Response = Response(status_code=200, headers={"HX-Redirect": url})
        else:
            response = redirect(url, flash=("info", "login_needed", {}))
        response.delete_cookie(COOKIE, path="/")  # an expired or ended session: stop sending it
        return response

    async def console_error(request: Request, exc: ConsoleError) -> Response:
        who = getattr(request.state, "principal", None)
        return render(request, "error.html", {"key": exc.key, "params": exc.params}, who=who,
                      status=exc.status)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(ConsoleError, console_error)


def office_scope(who: Principal) -> str | None:
    """Operators and supervisors list their own office's bundles; auditors every office's."""
    return who.office_code if who.role in (Role.operator, Role.supervisor) else None


def console_temporal(request: Request) -> Client:
    client = request.app.state.temporal.client
    if client is None:
        raise ConsoleError(503, "err_unavailable")
    return client


ConsoleTemporal = Annotated[Client, Depends(console_temporal)]
