"""Console login and logout, and the landing redirect (admins land on their page: routes_admin.py)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from api.auth import audit, sessions
from api.auth.deps import COOKIE
from api.auth.guard import Throttled
from api.auth.roles import Role
from api.console.web import PREFIX, Anyone, redirect, render
from api.deps import SessionDep, SettingsDep
from api.routes.auth import LoginIn, _login

router = APIRouter(prefix=PREFIX, include_in_schema=False)
# Login has no session yet to bind a CSRF token to: a random value in a cookie that the form must
# repeat (double submit). SameSite=Strict keeps other sites from sending the cookie at all.
LOGIN_CSRF = "kelahiran_login_csrf"


def _safe_next(value: str | None) -> str:
    """Only paths inside the console: a crafted `next` must not send anyone to another site."""
    if value and value.startswith(PREFIX) and "//" not in value and "\\" not in value:
        return value
    return PREFIX


def _login_page(request: Request, *, next_url: str, error: str | None = None, status: int = 200) -> Response:
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_csrf": token, "next": next_url, "error": error},
                      status=status)
    response.set_cookie(LOGIN_CSRF, token, max_age=3600, httponly=True, samesite="strict",
                        path=f"{PREFIX}/login")
    return response


@router.get("")
def home(who: Anyone) -> Response:
    """Where the console starts: the worklist, or the accounts page for admins."""
    return redirect(f"{PREFIX}/admin" if who.role is Role.admin else f"{PREFIX}/worklist")


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002 - the query name
    """The login form (public)."""
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
async def login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Check the form's CSRF value, log in (same rules and audit as the API), set the session cookie."""
    form = await request.form()
    next_url = _safe_next(str(form.get("next") or ""))
    presented, kept = str(form.get("csrf_token") or ""), request.cookies.get(LOGIN_CSRF) or ""
    if not kept or not hmac.compare_digest(presented, kept):
        return _login_page(request, next_url=next_url, error="form_expired", status=403)
    try:
        body = LoginIn(username=str(form.get("username") or ""), password=str(form.get("password") or ""))
        done = await _login(request, body)
    except Throttled:
        return _login_page(request, next_url=next_url, error="login_refused", status=429)
    except (ValidationError, sessions.LoginRefused):
        # One message for unknown user, wrong password, disabled and locked accounts alike.
        return _login_page(request, next_url=next_url, error="login_refused", status=401)
    response = redirect(next_url)
    response.set_cookie(COOKIE, done.token, httponly=True, samesite="strict",
                        secure=settings.secure_cookies(), path="/",
                        max_age=int(settings.session_max_hours * 3600))
    response.delete_cookie(LOGIN_CSRF, path=f"{PREFIX}/login")
    return response


@router.post("/logout")
def logout(who: Anyone, session: SessionDep) -> Response:
    """End this session (the form carries the CSRF token) and go back to the login form."""
    sessions.end(session=session, session_id=who.session_id or "")
    audit.record(session=session, who=who, action="auth.logout")
    response = redirect(f"{PREFIX}/login", flash=("info", "logged_out", {}))
    response.delete_cookie(COOKIE, path="/")
    return response
