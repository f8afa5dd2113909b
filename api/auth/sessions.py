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
from store import auth_login
from store.auth_models import Operator, OperatorSession

SEEN_EVERY = timedelta(seconds=60)  # refresh last_seen at most this often (one write a minute)


@dataclass(frozen=True)
class Policy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(minutes=15)  # failures counted over this sliding window


class LoginRefused(Exception):
    """Wrong username, wrong password, disabled or locked: one message for all, on purpose.

    `known` (an existing account) and `locked_now` (this failure started a lock) are for the audit
    log and metrics, never for the answer."""

    def __init__(self, *, known: bool = False, locked_now: bool = False) -> None:
        super().__init__("login refused")
        self.known, self.locked_now = known, locked_now


@dataclass(frozen=True)
class LoggedIn:
    token: str
    csrf_token: str
    expires_at: datetime
    operator: Operator


@dataclass(frozen=True)
class Checked:
    """The password check's outcome (the costly part, done apart so callers can bound it)."""

    ok: bool
    new_hash: str | None = None  # the same password under current parameters, when they changed


def _now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(token: str) -> str:
    """The CSRF token bound to a session token (no extra storage; useless without the session)."""
    return hmac.new(token.encode(), b"kelahiran-csrf", hashlib.sha256).hexdigest()


def password_hash_of(*, session: Session, username: str) -> str | None:
    """The stored hash (None for an unknown name); the read transaction ends before any hashing."""
    op = session.get(Operator, username)
    found = op.password_hash if op else None
    session.rollback()
    return found


def check_password(password_hash: str | None, password: str) -> Checked:
    """Argon2id: an unknown name costs the same as a known one (a dummy hash)."""
    ok = passwords.verify_password(password_hash, password)
    rehash = ok and password_hash is not None and passwords.needs_rehash(password_hash)
    return Checked(ok=ok, new_hash=passwords.hash_password(password) if rehash else None)


def conclude(*, session: Session, username: str, checked: Checked, policy: Policy) -> LoggedIn:
    """After the password check: count a failure atomically (store/auth_login.py) or open a session.

    A locked or disabled account is refused even with the right password, and a success clears no
    failure: the lock holds for failures within `policy.window`, whatever succeeded in between."""
    now = _now()
    op = session.get(Operator, username)
    if op is None:
        raise LoginRefused
    blocked = op.disabled_at is not None or (op.locked_until is not None and op.locked_until > now)
    if not checked.ok or blocked:
        if checked.ok:  # the right password on a locked account is not a guess: nothing to count
            raise LoginRefused(known=True)
        failure = auth_login.record_failure(session, username, now=now, window=policy.window,
                                            max_failures=policy.max_failures, lockout=policy.lockout)
        raise LoginRefused(known=True, locked_now=bool(failure and failure.newly_locked))
    if checked.new_hash:
        op.password_hash = checked.new_hash
    token = secrets.token_urlsafe(32)
    row = OperatorSession(id=token_hash(token), username=op.username, created_at=now, last_seen_at=now,
                          expires_at=now + policy.absolute)
    session.add(op)
    session.add(row)
    session.commit()
    session.refresh(op)
    return LoggedIn(token=token, csrf_token=csrf_for(token), expires_at=row.expires_at, operator=op)


def login(*, session: Session, username: str, password: str, policy: Policy) -> LoggedIn:
    """The whole login in one call (CLI, tests); the API goes through api/auth/guard.py, which adds
    the per-address throttle and bounds the hashing."""
    checked = check_password(password_hash_of(session=session, username=username), password)
    return conclude(session=session, username=username, checked=checked, policy=policy)


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
