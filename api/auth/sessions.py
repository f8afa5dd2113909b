"""Operator login, lockout and sessions that expire (idle and absolute)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from api.auth import passwords
from api.auth.roles import Principal, Role
from store.auth_models import Operator, OperatorSession

SEEN_EVERY = timedelta(seconds=60)  # refresh last_seen at most this often (one write a minute)


@dataclass(frozen=True)
class Policy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


class LoginRefused(Exception):
    """Wrong username, wrong password, disabled or locked: one message for all, on purpose."""


@dataclass(frozen=True)
class LoggedIn:
    token: str
    csrf_token: str
    expires_at: datetime
    operator: Operator


def _now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(token: str) -> str:
    """The CSRF token bound to a session token (no extra storage; useless without the session)."""
    return hmac.new(token.encode(), b"kelahiran-csrf", hashlib.sha256).hexdigest()


def login(*, session: Session, username: str, password: str, policy: Policy) -> LoggedIn:
    now = _now()
    op = session.get(Operator, username)
    ok = passwords.verify_password(op.password_hash if op else None, password)
    if op is None:
        raise LoginRefused
    if op.disabled_at is not None or (op.locked_until is not None and op.locked_until > now):
        raise LoginRefused  # even a right password does not open a locked account
    if not ok:
        op.failed_logins += 1
        if op.failed_logins >= policy.max_failures:
            op.locked_until, op.failed_logins = now + policy.lockout, 0
        session.add(op)
        session.commit()
        raise LoginRefused
    op.failed_logins, op.locked_until = 0, None
    if passwords.needs_rehash(op.password_hash):
        op.password_hash = passwords.hash_password(password)
    token = secrets.token_urlsafe(32)
    row = OperatorSession(id=token_hash(token), username=op.username, created_at=now, last_seen_at=now,
                          expires_at=now + policy.absolute)
    session.add(op)
    session.add(row)
    session.commit()
    session.refresh(op)
    return LoggedIn(token=token, csrf_token=csrf_for(token), expires_at=row.expires_at, operator=op)


def resolve(*, session: Session, token: str, policy: Policy, via_cookie: bool) -> Principal | None:
    """The operator behind a session token, or None when unknown, ended, idle too long or expired."""
    now = _now()
    row = session.get(OperatorSession, token_hash(token))
    if row is None or row.ended_at is not None:
        return None
    if row.expires_at <= now or now - row.last_seen_at > policy.idle:
        return None
    op = session.get(Operator, row.username)
    if op is None or op.disabled_at is not None or op.password_changed_at > row.created_at:
        return None  # disabling an account or changing its password ends its sessions
    if now - row.last_seen_at > SEEN_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return Principal(kind="operator", subject=op.username, role=Role(op.role), office_code=op.office_code,
                     session_id=row.id, via_cookie=via_cookie)


def end(*, session: Session, session_id: str) -> None:
    row = session.get(OperatorSession, session_id)
    if row is not None and row.ended_at is None:
        row.ended_at = _now()
        session.add(row)
        session.commit()
