"""Rendering the family's pages: autoescaped templates, strict headers, the per-link cookies."""

from __future__ import annotations

import secrets
from pathlib import Path

import jinja2
from fastapi import Request
from starlette.responses import HTMLResponse, Response

from domain.sms_texts import BULAN

HERE = Path(__file__).parent
STATIC = HERE / "static"
PREFIX = "/unduh"
CSRF_COOKIE = "unduh_csrf"
SESSION_COOKIE = "unduh_sesi"
# No script at all; styles and the icon from this origin only; forms post back here only.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
_env.filters["tanggal"] = lambda d: f"{d.day} {BULAN[d.month - 1]} {d.year}" if d else "-"


def link_path(token: str) -> str:
    return f"{PREFIX}/{token}"


def page(name: str, context: dict, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_env.get_template(name).render(**context), status_code=status, headers=HEADERS)


def form_page(request: Request, token: str, name: str, context: dict, *, secure: bool,
              status: int = 200) -> HTMLResponse:
    """A page with forms: a CSRF value in a cookie scoped to this link, repeated in each form."""
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = page(name, {**context, "csrf": csrf, "token": token}, status)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=3600, httponly=True, samesite="strict", secure=secure,
                        path=link_path(token))
    return response


def redirect(url: str) -> Response:
    return Response(status_code=303, headers={"Location": url, **HEADERS})
