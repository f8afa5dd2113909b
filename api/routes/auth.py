"""Operator login and logout: a session token (API clients) and the same token as a cookie (console)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import accounts, audit, guard, sessions
from api.auth.deps import AUTH_RESPONSES, COOKIE, Admins, AnyOperator
from api.auth.roles import Role
from api.deps import SessionDep, SettingsDep

router = APIRouter(prefix="/v1/auth", tags=["auth"])
Username = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # strings only: nothing to coerce
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024, repr=False)


class SessionOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; also set as a cookie")
    csrf_token: str = Field(description="Browser use: send as X-CSRF-Token on unsafe requests")
    expires_at: datetime
    username: str
    role: Role
    office_code: str | None


class UnlockOut(BaseModel):
    username: str
    locked: bool


class MeOut(BaseModel):
    username: str
    role: Role
    office_code: str | None


async def _login(request: Request, body: LoginIn) -> sessions.LoggedIn:
    """The API's and the console's login: throttled per address, hashing bounded (api/auth/guard.py)."""
    return await guard.guard_of(request).login(request, body.username, body.password)


@router.post("/login", response_model=SessionOut, responses={
    401: {"description": "Wrong credentials, or account locked (one answer for both)"},
    429: {"description": "Too many failed logins from this address: retry after `Retry-After` seconds"}})
async def login(body: LoginIn, request: Request, response: Response, settings: SettingsDep) -> SessionOut:
    """Log in; 5 failures within 15 minutes lock the account for 15 minutes (a success in between does
    not clear them; same answer either way), and repeated failures from one address are throttled."""
    try:
        done = await _login(request, body)
    except guard.Throttled as exc:
        raise HTTPException(429, "too many failed logins from this address; try again later",
                            headers={"Retry-After": str(exc.retry_after)}) from None
    except sessions.LoginRefused:
        raise HTTPException(401, "login refused: wrong username or password, or the account is locked "
                                 "after repeated failures") from None
    response.set_cookie(COOKIE, done.token, httponly=True, samesite="strict",
                        secure=settings.secure_cookies(), path="/",
                        max_age=int(settings.session_max_hours * 3600))
    op = done.operator
    return SessionOut(token=done.token, csrf_token=done.csrf_token, expires_at=done.expires_at,
                      username=op.username, role=Role(op.role), office_code=op.office_code)


@router.post("/operators/{username}/unlock", response_model=UnlockOut,
             responses={**AUTH_RESPONSES, 404: {"description": "No such operator"}})
def unlock(username: Username, who: Admins, session: SessionDep) -> UnlockOut:
    """Admins: lift an operator's lockout and forget its recent failures (audited)."""
    try:
        accounts.unlock_operator(session=session, username=username)
    except accounts.AccountError:
        raise HTTPException(404, "no such operator") from None
    audit.record(session=session, who=who, action="admin.operator.unlock", details={"username": username})
    return UnlockOut(username=username, locked=False)


@router.post("/logout", status_code=204, responses=AUTH_RESPONSES)
def logout(who: AnyOperator, request: Request, response: Response, session: SessionDep) -> Response:
    """End this session (the token and the cookie stop working)."""
    sessions.end(session=session, session_id=who.session_id or "")
    audit.record(session=session, who=who, action="auth.logout")
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/me", response_model=MeOut, responses=AUTH_RESPONSES)
def me(who: AnyOperator) -> MeOut:
    """Who this session belongs to."""
    return MeOut(username=who.subject, role=who.role, office_code=who.office_code)
