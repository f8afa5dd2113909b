"""Authentication and role checks as FastAPI dependencies.

Every protected route depends on one `Allow(...)`; its `roles` are what the route declares, and
tests/api/test_access_matrix.py walks every route against every role.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api.auth import keys, sessions
from api.auth.roles import Principal, Role

COOKIE = "kelahiran_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

hospital_key = APIKeyHeader(name="X-API-Key", auto_error=False,
                            description="A hospital's API key (`khk_...`), issued by an admin")
bearer = HTTPBearer(auto_error=False, description="An operator session token from POST /v1/auth/login")
session_cookie = APIKeyCookie(name=COOKIE, auto_error=False, description="The console's session cookie")

UNAUTHENTICATED = HTTPException(401, "authentication required: a hospital API key or an operator session",
                                headers={"WWW-Authenticate": 'Bearer realm="kelahiran"'})
AUTH_RESPONSES = {
    401: {"description": "Not authenticated (missing, unknown, revoked or expired credentials)"},
    403: {"description": "Authenticated, but this role may not use this endpoint (or CSRF check failed)"},
}


def _authenticate(request: Request, key: str | None, token: str | None,
                  cookie: str | None) -> Principal | None:
    settings = request.app.state.settings
    with Session(request.app.state.engine) as db:
        if key:
            hospital_id = keys.verify_key(session=db, presented=key, cache=request.app.state.key_cache)
            if hospital_id is None:
                return None
            return Principal(kind="hospital", subject=hospital_id, role=Role.hospital)
        if token or cookie:
            return sessions.resolve(session=db, token=token or cookie, policy=settings.session_policy(),
                                    via_cookie=token is None)
    return None


class Allow:
    """Authenticate the caller and require one of `roles` (a hospital key counts as Role.hospital)."""

    def __init__(self, *roles: Role, csrf: bool = True) -> None:
        self.roles = frozenset(roles)
        self.csrf = csrf

    async def __call__(
        self, request: Request,
        key: Annotated[str | None, Depends(hospital_key)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        cookie: Annotated[str | None, Depends(session_cookie)],
    ) -> Principal:
        token = credentials.credentials if credentials else None
        hospital_id = request.app.state.key_cache.hospital_for(key) if key else None
        if hospital_id is not None:  # verified a moment ago (keys.KeyCache): no hop, no query
            who = Principal(kind="hospital", subject=hospital_id, role=Role.hospital)
        else:
            who = await run_in_threadpool(_authenticate, request, key, token, cookie)
        if who is None:
            raise UNAUTHENTICATED
        if who.role not in self.roles:
            if who.role is Role.hospital:
                raise HTTPException(403, "hospital API keys cannot be used on the operator API")
            raise HTTPException(403, f"role {who.role.value!r} may not do this")
        if self.csrf and who.via_cookie and request.method not in SAFE_METHODS:
            await _check_csrf(request, cookie or "")
        request.state.principal = who
        return who


async def _check_csrf(request: Request, cookie: str) -> None:
    """Browser sessions: an unsafe request must carry the session's CSRF token (header or form field)."""
    presented = request.headers.get(CSRF_HEADER)
    if presented is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        presented = (await request.form()).get("csrf_token")
    if not presented or not hmac.compare_digest(str(presented), sessions.csrf_for(cookie)):
        raise HTTPException(403, "missing or wrong CSRF token")


def allow(*roles: Role) -> type:
    """`Annotated[Principal, Depends(Allow(...))]`, for route signatures."""
    return Annotated[Principal, Depends(Allow(*roles))]


HospitalOnly = allow(Role.hospital)
Readers = allow(Role.hospital, Role.operator, Role.supervisor, Role.auditor)
StaffReaders = allow(Role.operator, Role.supervisor, Role.auditor)
Actors = allow(Role.hospital, Role.operator, Role.supervisor)
Operators = allow(Role.operator, Role.supervisor)
Supervisors = allow(Role.supervisor)
Auditors = allow(Role.auditor)
Admins = allow(Role.admin)
AnyOperator = allow(Role.operator, Role.supervisor, Role.auditor, Role.admin)
