"""Operator login and logout: a session token (API clients) and the same token as a cookie (console)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.auth import audit, sessions
from api.auth.deps import AUTH_RESPONSES, COOKIE, AnyOperator
from api.auth.roles import Principal, Role
from api.deps import SessionDep, SettingsDep
from api.schemas import ErrorOut

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class LoginIn(BaseModel):
    model_config = {"extra": "forbid"}
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024, repr=False)


class SessionOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; also set as a cookie")
    csrf_token: str = Field(description="Browser use: send as X-CSRF-Token on unsafe requests")
    expires_at: datetime
    username: str
    role: Role
    office_code: str | None


class MeOut(BaseModel):
    username: str
    role: Role
    office_code: str | None


def _login(session, settings, body: LoginIn) -> sessions.LoggedIn:
    try:
        done = sessions.login(session=session, username=body.username, password=body.password,
                              policy=settings.session_policy())
    except sessions.LoginRefused:
        who = Principal(kind="operator", subject=body.username[:64], role=Role.operator)
        audit.record(session=session, who=who, action="auth.login", outcome="refused")
        raise
    who = Principal(kind="operator", subject=done.operator.username, role=Role(done.operator.role))
    audit.record(session=session, who=who, action="auth.login")
    return done


@router.post("/login", response_model=SessionOut,
             responses={401: {"model": ErrorOut, "description": "Wrong credentials, or account locked"}})
async def login(body: LoginIn, response: Response, session: SessionDep,
                settings: SettingsDep) -> SessionOut:
    """Log in; after repeated failures the account is locked for a while (same answer either way)."""
    try:
        done = await run_in_threadpool(_login, session, settings, body)
    except sessions.LoginRefused:
        raise HTTPException(401, "login refused: wrong username or password, or the account is locked "
                                 "after repeated failures") from None
    response.set_cookie(COOKIE, done.token, httponly=True, samesite="strict",
                        secure=settings.secure_cookies(), path="/",
                        max_age=int(settings.session_max_hours * 3600))
    op = done.operator
    return SessionOut(token=done.token, csrf_token=done.csrf_token, expires_at=done.expires_at,
                      username=op.username, role=Role(op.role), office_code=op.office_code)


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
